import type { Backend, BackendType } from '../types';

/** The backend as the form holds it: every kind's inputs, as typed. */
export type BackendDraft = {
  type: BackendType;
  /** '' until chosen: the newest installed version is then shown and sent. */
  version: string;
  port: string;
  url: string;
  code: '301' | '302';
  preservePath: boolean;
};

/** The gateway's field names for backend errors. */
export const BACKEND_FIELDS = [
  'backend',
  'backend.type',
  'backend.version',
  'backend.port',
  'backend.url',
  'backend.code',
  'backend.preserve_path',
] as const;
export type BackendField = (typeof BACKEND_FIELDS)[number];

export const BACKEND_CHOICES: readonly { type: BackendType; label: string; hint: string }[] = [
  {
    type: 'php',
    label: 'PHP',
    hint: 'PHP-FPM runs the site’s .php files; other files are served as they are.',
  },
  { type: 'static', label: 'Static files', hint: 'Files from the document root, as they are.' },
  { type: 'proxy', label: 'Proxy to an application', hint: 'An application of yours on 127.0.0.1 answers.' },
  { type: 'redirect', label: 'Redirect', hint: 'Visitors are sent to another address.' },
];

export function backendDraft(backend?: Backend): BackendDraft {
  const draft: BackendDraft = {
    type: 'php',
    version: '',
    port: '',
    url: '',
    code: '301',
    preservePath: true,
  };
  if (!backend) return draft;
  switch (backend.type) {
    case 'php':
      return { ...draft, type: 'php', version: backend.version };
    case 'static':
      return { ...draft, type: 'static' };
    case 'proxy':
      return { ...draft, type: 'proxy', port: String(backend.port) };
    case 'redirect':
      return {
        ...draft,
        type: 'redirect',
        url: backend.url,
        code: backend.code === 302 ? '302' : '301',
        preservePath: backend.preserve_path,
      };
  }
}

/** The PHP version the form means: the one chosen, else the newest installed. */
export function effectiveVersion(draft: BackendDraft, versions: readonly string[] | undefined): string {
  return draft.version || versions?.[0] || '';
}

export function backendErrors(
  draft: BackendDraft,
  versions: readonly string[] | undefined,
): Partial<Record<BackendField, string>> {
  switch (draft.type) {
    case 'php':
      return effectiveVersion(draft, versions) ? {} : { 'backend.version': 'Choose a PHP version.' };
    case 'static':
      return {};
    case 'proxy':
      return { 'backend.port': portError(draft.port) };
    case 'redirect':
      return { 'backend.url': redirectUrlError(draft.url) };
  }
}

function portError(value: string): string | undefined {
  const port = Number(value.trim());
  if (!value.trim()) return 'Enter the port your application listens on.';
  if (!/^\d+$/.test(value.trim()) || port < 1024 || port > 65535) return 'Use a port from 1024 to 65535.';
  return undefined;
}

function redirectUrlError(value: string): string | undefined {
  if (!value.trim()) return 'Enter the address to send visitors to.';
  try {
    const url = new URL(value.trim());
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.hostname) return undefined;
  } catch {
    // fall through
  }
  return 'Enter a full address that starts with https:// or http://.';
}

/** The Backend to send; call after backendErrors found nothing. */
export function backendFrom(draft: BackendDraft, versions: readonly string[] | undefined): Backend {
  switch (draft.type) {
    case 'php':
      return { type: 'php', version: effectiveVersion(draft, versions) };
    case 'static':
      return { type: 'static' };
    case 'proxy':
      return { type: 'proxy', port: Number(draft.port.trim()) };
    case 'redirect':
      return {
        type: 'redirect',
        url: draft.url.trim(),
        code: draft.code === '302' ? 302 : 301,
        preserve_path: draft.preservePath,
      };
  }
}

/** One line for lists and facts: "PHP 8.2", "Proxy to 127.0.0.1:3000", ... */
export function describeBackend(backend: Backend): string {
  switch (backend.type) {
    case 'php':
      return `PHP ${backend.version}`;
    case 'static':
      return 'Static files';
    case 'proxy':
      return `Proxy to 127.0.0.1:${backend.port}`;
    case 'redirect':
      return `Redirect (${backend.code}) to ${backend.url}${backend.preserve_path ? ', keeping the path' : ''}`;
  }
}
