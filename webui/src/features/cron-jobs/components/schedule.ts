// Cron schedules for people: presets that write the five crontab(5) fields, the reverse (a
// schedule back into a preset, to edit it), a description in words, and the same field
// checks as the gateway's (gateway/validation.py), so mistakes show before a round trip.

export type Preset = 'minute' | 'minutes' | 'hour' | 'day' | 'week' | 'month' | 'reboot' | 'custom';

export const PRESETS: readonly { value: Preset; label: string }[] = [
  { value: 'minute', label: 'Every minute' },
  { value: 'minutes', label: 'Every few minutes' },
  { value: 'hour', label: 'Every hour' },
  { value: 'day', label: 'Every day' },
  { value: 'week', label: 'Every week' },
  { value: 'month', label: 'Every month' },
  { value: 'reboot', label: 'When the server starts' },
  { value: 'custom', label: 'Custom (five fields)' },
];

export const MINUTE_STEPS = ['5', '10', '15', '20', '30'] as const;

export const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** The custom fields, in crontab order. */
export const CRON_FIELDS = [
  { key: 'minute', label: 'Minute', low: 0, high: 59, hint: '0–59' },
  { key: 'hour', label: 'Hour', low: 0, high: 23, hint: '0–23' },
  { key: 'dayOfMonth', label: 'Day of month', low: 1, high: 31, hint: '1–31' },
  { key: 'month', label: 'Month', low: 1, high: 12, hint: '1–12 or jan–dec' },
  { key: 'dayOfWeek', label: 'Day of week', low: 0, high: 7, hint: '0–7 (0 and 7 are Sunday) or sun–sat' },
] as const;

export type CronFieldKey = (typeof CRON_FIELDS)[number]['key'];

export type ScheduleDraft = {
  preset: Preset;
  /** Every few minutes: the step. */
  step: string;
  /** Every hour: the minute past the hour. */
  minute: string;
  /** Every day, week, month: "HH:MM". */
  time: string;
  /** Every week: 0 (Sunday) to 6. */
  weekday: string;
  /** Every month: 1 to 31. */
  monthDay: string;
  custom: Record<CronFieldKey, string>;
};

export function scheduleDraft(overrides: Partial<ScheduleDraft> = {}): ScheduleDraft {
  return {
    preset: 'day',
    step: '5',
    minute: '0',
    time: '03:00',
    weekday: '1',
    monthDay: '1',
    custom: { minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '*' },
    ...overrides,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "03:30" to [minute, hour], without leading zeros, as crontab writes them. */
function timeFields(time: string): [string, string] {
  const [h = '0', m = '0'] = time.split(':');
  return [String(Number(m)), String(Number(h))];
}

/** The schedule a draft stands for, as the API takes it. */
export function scheduleFrom(draft: ScheduleDraft): string {
  const [m, h] = timeFields(draft.time);
  switch (draft.preset) {
    case 'minute':
      return '* * * * *';
    case 'minutes':
      return `*/${draft.step} * * * *`;
    case 'hour':
      return `${Number(draft.minute.trim())} * * * *`;
    case 'day':
      return `${m} ${h} * * *`;
    case 'week':
      return `${m} ${h} * * ${draft.weekday}`;
    case 'month':
      return `${m} ${h} ${draft.monthDay} * *`;
    case 'reboot':
      return '@reboot';
    case 'custom':
      return CRON_FIELDS.map((f) => draft.custom[f.key].trim()).join(' ');
  }
}

const isNumber = (s: string | undefined): s is string => s !== undefined && /^\d{1,2}$/.test(s);
const SHORTCUT_FIELDS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

/** A saved schedule as the draft that writes it: a preset where one fits, else custom. */
export function draftFromSchedule(schedule: string): ScheduleDraft {
  const text = schedule.trim();
  if (text === '@reboot') return scheduleDraft({ preset: 'reboot' });
  const fields = (SHORTCUT_FIELDS[text] ?? text).split(/\s+/);
  const [mi, ho, dom, mo, dow] = fields;
  const time = isNumber(mi) && isNumber(ho) ? `${pad(Number(ho))}:${pad(Number(mi))}` : undefined;
  const rest = `${dom} ${mo} ${dow}`;
  if (fields.length === 5) {
    if (fields.join(' ') === '* * * * *') return scheduleDraft({ preset: 'minute' });
    const step = /^\*\/(\d+)$/.exec(mi ?? '')?.[1];
    if (step && (MINUTE_STEPS as readonly string[]).includes(step) && `${ho} ${rest}` === '* * * *')
      return scheduleDraft({ preset: 'minutes', step });
    if (isNumber(mi) && `${ho} ${rest}` === '* * * *')
      return scheduleDraft({ preset: 'hour', minute: String(Number(mi)) });
    if (time && rest === '* * *') return scheduleDraft({ preset: 'day', time });
    if (time && `${dom} ${mo}` === '* *' && isNumber(dow) && Number(dow) <= 7)
      return scheduleDraft({ preset: 'week', time, weekday: String(Number(dow) % 7) });
    if (time && isNumber(dom) && `${mo} ${dow}` === '* *')
      return scheduleDraft({ preset: 'month', time, monthDay: String(Number(dom)) });
    const custom = Object.fromEntries(
      CRON_FIELDS.map((f, i) => [f.key, fields[i] ?? '*']),
    ) as ScheduleDraft['custom'];
    return scheduleDraft({ preset: 'custom', custom });
  }
  return scheduleDraft({ preset: 'custom' });
}

// ---- checks ---------------------------------------------------------------------------------

const NAMES: Partial<Record<CronFieldKey, readonly string[]>> = {
  month: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  dayOfWeek: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
};

function fieldValue(key: CronFieldKey, text: string, low: number, high: number): number | undefined {
  const names = NAMES[key];
  const named = names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (key === 'month' ? 1 : 0);
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= low && n <= high ? n : undefined;
}

function itemOk(key: CronFieldKey, item: string, low: number, high: number): boolean {
  const [base = '', step, ...extra] = item.split('/');
  if (extra.length > 0) return false;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0 && Number(step) <= high)) return false;
  if (base === '*') return true;
  const [first, last, ...more] = base.split('-');
  if (more.length > 0) return false;
  const a = fieldValue(key, first ?? '', low, high);
  if (a === undefined) return false;
  if (last === undefined) return true;
  const b = fieldValue(key, last, low, high);
  return b !== undefined && a <= b;
}

/** One custom field: `*`, numbers, ranges, lists and steps within the field's bounds. */
export function cronFieldError(key: CronFieldKey, value: string): string | undefined {
  const field = CRON_FIELDS.find((f) => f.key === key)!;
  const text = value.trim();
  if (!text) return 'Enter a value, or * for any.';
  if (!text.split(',').every((item) => itemOk(key, item, field.low, field.high))) {
    return `Use *, ${field.hint}, ranges (1-5), lists (1,15) or steps (*/10).`;
  }
  return undefined;
}

export type ScheduleErrors = Partial<
  Record<'step' | 'minute' | 'time' | 'weekday' | 'monthDay' | CronFieldKey, string>
>;

/** Client checks of a draft, keyed by the field that shows each message. */
export function scheduleErrors(draft: ScheduleDraft): ScheduleErrors {
  switch (draft.preset) {
    case 'hour': {
      const m = draft.minute.trim();
      return /^\d{1,2}$/.test(m) && Number(m) <= 59 ? {} : { minute: 'Enter a minute from 0 to 59.' };
    }
    case 'day':
    case 'week':
    case 'month':
      return /^([01]\d|2[0-3]):[0-5]\d$/.test(draft.time) ? {} : { time: 'Enter a time such as 03:30.' };
    case 'custom':
      return Object.fromEntries(
        CRON_FIELDS.map((f) => [f.key, cronFieldError(f.key, draft.custom[f.key])]).filter(([, e]) => e),
      ) as ScheduleErrors;
    default:
      return {};
  }
}

// ---- in words -------------------------------------------------------------------------------

const ordinal = (n: number) => {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th'}`;
};

function dayName(text: string): string | undefined {
  const n = fieldValue('dayOfWeek', text, 0, 7);
  return n === undefined ? undefined : WEEKDAYS[n % 7];
}

/** "Monday", "Monday and Thursday", "Monday to Friday"; undefined for anything else. */
function describeDays(field: string): string | undefined {
  const range = /^(\w+)-(\w+)$/.exec(field);
  if (range) {
    const [from, to] = [dayName(range[1]!), dayName(range[2]!)];
    if (from && to)
      return field === '1-5' || field.toLowerCase() === 'mon-fri'
        ? 'weekday (Monday to Friday)'
        : `${from} to ${to}`;
    return undefined;
  }
  const days = field.split(',').map(dayName);
  if (days.some((d) => d === undefined)) return undefined;
  const names = days as string[];
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

const SHORTCUT_WORDS: Record<string, string> = { '@reboot': 'When the server starts' };

/**
 * A schedule in words for the common shapes ("Every 15 minutes", "Every day at 03:00"); null
 * when it is something else, and the five fields have to speak for themselves.
 */
export function describeSchedule(schedule: string): string | null {
  const text = schedule.trim();
  if (SHORTCUT_WORDS[text]) return SHORTCUT_WORDS[text];
  const fields = (SHORTCUT_FIELDS[text] ?? text).split(/\s+/);
  if (fields.length !== 5) return null;
  const [mi = '', ho = '', dom = '', mo = '', dow = ''] = fields;
  const at =
    isNumber(mi) && isNumber(ho) && Number(mi) <= 59 && Number(ho) <= 23
      ? `${pad(Number(ho))}:${pad(Number(mi))}`
      : null;
  const minuteStep = /^\*\/(\d+)$/.exec(mi)?.[1];
  const hourStep = /^\*\/(\d+)$/.exec(ho)?.[1];

  if (`${ho} ${dom} ${mo} ${dow}` === '* * * *') {
    if (mi === '*') return 'Every minute';
    if (minuteStep) return Number(minuteStep) === 1 ? 'Every minute' : `Every ${minuteStep} minutes`;
    if (isNumber(mi) && Number(mi) <= 59)
      return Number(mi) === 0 ? 'Every hour, on the hour' : `Every hour at :${pad(Number(mi))}`;
    return null;
  }
  if (hourStep && isNumber(mi) && `${dom} ${mo} ${dow}` === '* * *') {
    return `Every ${hourStep === '1' ? 'hour' : `${hourStep} hours`} at :${pad(Number(mi))}`;
  }
  if (!at) return null;
  if (`${dom} ${mo} ${dow}` === '* * *') return `Every day at ${at}`;
  if (`${dom} ${mo}` === '* *') {
    const days = describeDays(dow);
    return days ? `Every ${days} at ${at}` : null;
  }
  if (dow === '*' && isNumber(dom) && Number(dom) >= 1 && Number(dom) <= 31) {
    if (mo === '*') return `Every month on the ${ordinal(Number(dom))} at ${at}`;
    const month = fieldValue('month', mo, 1, 12);
    if (month !== undefined) return `Every year on ${Number(dom)} ${MONTHS[month - 1]} at ${at}`;
  }
  return null;
}
