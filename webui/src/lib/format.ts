const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const integer = new Intl.NumberFormat();
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const loadFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** ISO 8601 timestamp to the reader's locale; the raw text when it does not parse. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatInteger(value: number): string {
  return integer.format(value);
}

/** A load average or similar small decimal: "0.52". */
export function formatLoad(value: number): string {
  return loadFormat.format(value);
}

const BYTE_UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Binary multiples with the usual short names: "0 bytes", "16 KB", "1.5 GB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${formatInteger(Math.max(0, bytes))} bytes`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${decimal.format(value)} ${BYTE_UNITS[unit]}`;
}

const MiB = 1024 ** 2;

/**
 * Bytes in MiB, labelled MB as plans' disk quotas are, so the two compare: one decimal below
 * 10 MB ("3.2 MB"), whole numbers above ("1,024 MB").
 */
export function formatMegabytes(bytes: number): string {
  const mb = Number.isFinite(bytes) ? Math.max(0, bytes) / MiB : 0;
  return `${mb < 10 ? decimal.format(mb) : formatInteger(Math.round(mb))} MB`;
}

const plural = (n: number, one: string, many: string) => `${formatInteger(n)} ${n === 1 ? one : many}`;

/** A span of time at a glance, its two largest units: "3 days, 4 hours", "12 minutes". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const parts = [
    [Math.floor(s / 86400), 'day', 'days'],
    [Math.floor((s % 86400) / 3600), 'hour', 'hours'],
    [Math.floor((s % 3600) / 60), 'minute', 'minutes'],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  if (shown.length === 0) return plural(s, 'second', 'seconds');
  return shown.map(([n, one, many]) => plural(n, one, many)).join(', ');
}

/** Share of a whole as a whole percentage, for meters' text: "42%". */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  return `${Math.round((part / whole) * 100)}%`;
}
