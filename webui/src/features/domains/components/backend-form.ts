import type { Backend, BackendType } from '../types';

/** Where a proxied application listens. */
export type ProxyTarget = 'socket' | 'port';

/** The folder the account's application sockets go in (docs/web.md, Proxy backends). */
export const SOCKET_ROOT = '/home/.apps';

export function socketFolder(account: string): string {
  return `${SOCKET_ROOT}/${account || '<account>'}/`;
}

/** The backend as the form holds it: every kind's inputs, as typed. */
export type BackendDraft = {
  type: BackendType;
  /** '' until chosen: the newest installed version is then shown and sent. */
  version: string;
  proxyTarget: ProxyTarget;
  socketPath: string;
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
  'backend.socket_path',
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
  {
    type: 'proxy',
    label: 'Proxy to an application',
    hint: 'An application of yours answers, on its own socket or an allowed port.',
  },
  { type: 'redirect', label: 'Redirect', hint: 'Visitors are sent to another address.' },
];

export function backendDraft(backend?: Backend): BackendDraft {
  const draft: BackendDraft = {
    type: 'php',
    version: '',
    proxyTarget: 'socket',
    socketPath: '',
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
      return backend.socket_path
        ? { ...draft, type: 'proxy', proxyTarget: 'socket', socketPath: backend.socket_path }
        : { ...draft, type: 'proxy', proxyTarget: 'port', port: String(backend.port ?? '') };
    case 'redirect':
      return {
        ...draft,
        type: 'redirect',
        url: backend.url,
        code: backend.code === 302 ? '302' : '301',
        preservePath: backend.preserve_path ?? false,
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
  account = '',
): Partial<Record<BackendField, string>> {
  switch (draft.type) {
    case 'php':
      return effectiveVersion(draft, versions) ? {} : { 'backend.version': 'Choose a PHP version.' };
    case 'static':
      return {};
    case 'proxy':
      return draft.proxyTarget === 'socket'
        ? { 'backend.socket_path': socketPathError(draft.socketPath, account) }
        : { 'backend.port': portError(draft.port) };
    case 'redirect':
      return { 'backend.url': redirectUrlError(draft.url) };
  }
}

const SOCKET_PATH = /^\/home\/\.apps\/([a-z][a-z0-9_]{2,31})\/[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?\.sock$/;

/** The agent's rule, so the form says it first: the account's own folder, a plain name. */
function socketPathError(value: string, account: string): string | undefined {
  const path = value.trim();
  if (!path) return 'Enter the socket your application listens on.';
  const match = SOCKET_PATH.exec(path);
  if (!match || path.includes('..') || (account && match[1] !== account)) {
    return `Use a socket in the account’s folder: ${socketFolder(account)}<name>.sock (a-z, 0-9, . _ -).`;
  }
  return undefined;
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
      return draft.proxyTarget === 'socket'
        ? { type: 'proxy', socket_path: draft.socketPath.trim() }
        : { type: 'proxy', port: Number(draft.port.trim()) };
    case 'redirect':
      return {
        type: 'redirect',
        url: draft.url.trim(),
        code: draft.code === '302' ? 302 : 301,
        preserve_path: draft.preservePath,
      };
  }
}

/** One line for lists and facts: "PHP 8.2", "Proxy to 127.0.0.1:3000", "Proxy to /home/...", ... */
export function describeBackend(backend: Backend): string {
  switch (backend.type) {
    case 'php':
      return `PHP ${backend.version}`;
    case 'static':
      return 'Static files';
    case 'proxy':
      return backend.socket_path ? `Proxy to ${backend.socket_path}` : `Proxy to 127.0.0.1:${backend.port}`;
    case 'redirect':
      return `Redirect (${backend.code}) to ${backend.url}${backend.preserve_path ? ', keeping the path' : ''}`;
  }
}
