import { ApiError, errorFromResponse } from '@/lib/api-error';
import { getAccessToken, useSession } from '@/lib/session';
import type { AuthResponse } from '@/types/api';

export const API_BASE = '/api/v1';

type Query = Record<string, string | number | boolean | null | undefined>;

export type RequestOptions = {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Query;
  signal?: AbortSignal | undefined;
  /** A body sent as it is (a text file), instead of `body` as JSON. */
  raw?: { data: Blob | string; type: string };
  /**
   * false for the auth routes themselves: no bearer token, and a 401 is the answer rather
   * than a reason to refresh.
   */
  auth?: boolean;
};

/** The one way the SPA talks to the gateway. Resolves with the parsed JSON body. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await authorised(path, options);
  return (await parseBody(response)) as T;
}

/** The answer's bytes (a file's download), with the same sign-in and errors as apiRequest. */
export async function apiBlob(path: string, options: RequestOptions = {}): Promise<Blob> {
  return (await authorised(path, options)).blob();
}

async function authorised(path: string, options: RequestOptions): Promise<Response> {
  const auth = options.auth ?? true;
  const token = auth ? getAccessToken() : null;
  let response = await send(path, options, token);

  if (response.status === 401 && auth) {
    response = await retryAfterRefresh(path, options, token);
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

/**
 * A file the gateway makes (an invoice's PDF, a CSV export), fetched with the session's token
 * (a plain link would carry none) and resolved as a Blob; errors as apiRequest's.
 */
export async function apiDownload(
  path: string,
  options: Pick<RequestOptions, 'query' | 'signal'> = {},
): Promise<Blob> {
  const token = getAccessToken();
  let response = await send(path, options, token);
  if (response.status === 401) response = await retryAfterRefresh(path, options, token);
  if (!response.ok) throw await errorFromResponse(response);
  return response.blob();
}

/** Hands a Blob to the browser as a download named `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has been handled: revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * A streamed answer (server-sent events): the Response itself once it is ok, with the same
 * bearer token and refresh as apiRequest (EventSource cannot send an Authorization header).
 */
export async function apiStream(path: string, options: RequestOptions = {}): Promise<Response> {
  const token = getAccessToken();
  let response = await send(path, options, token, 'text/event-stream, application/problem+json');
  if (response.status === 401) response = await retryAfterRefresh(path, options, token);
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

async function retryAfterRefresh(
  path: string,
  options: RequestOptions,
  tokenUsed: string | null,
): Promise<Response> {
  // Another request may have refreshed while this one was in flight: use its token.
  const current = getAccessToken();
  const refreshed = current !== null && current !== tokenUsed ? true : await refreshSession();
  const token = getAccessToken();
  if (!refreshed || token === null) throw new ApiError(401);

  const retried = await send(path, options, token);
  if (retried.status === 401) {
    // A fresh token was refused too: the user has lost access. Start over at the login page.
    useSession.getState().clear('expired');
  }
  return retried;
}

async function send(
  path: string,
  options: RequestOptions,
  token: string | null,
  accept = 'application/json, application/problem+json',
): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init: RequestInit = {
    method: options.method ?? 'GET',
    headers,
    credentials: 'same-origin',
  };
  if (options.signal) init.signal = options.signal;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  } else if (options.raw !== undefined) {
    headers['Content-Type'] = options.raw.type;
    init.body = options.raw.data;
  }
  try {
    return await fetch(buildUrl(path, options.query), init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0);
  }
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${API_BASE}${path}${search ? `?${search}` : ''}`;
}

async function parseBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  try {
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(response.status, { title: 'The server sent an unreadable answer' });
  }
}

// ---- refresh ------------------------------------------------------------------------------

let refreshInFlight: Promise<boolean> | null = null;

/**
 * Trades the refresh cookie for a new access token. Concurrent callers share one request:
 * the gateway rotates the cookie on every refresh and treats a replayed one as theft, so two
 * parallel refreshes would end the session.
 *
 * Resolves true when the session was renewed, false when the gateway refused (the session is
 * then cleared, which sends the user to /login). Rejects with an ApiError when the gateway
 * could not be asked (network down, 5xx): the session is kept so that a retry can succeed.
 */
export function refreshSession(): Promise<boolean> {
  refreshInFlight ??= withCrossTabLock(doRefresh).finally(() => {
    refreshInFlight = null;
  });
  return refreshInFlight;
}

async function doRefresh(): Promise<boolean> {
  const response = await send('/auth/refresh', { method: 'POST' }, null);
  if (response.ok) {
    useSession.getState().signIn((await parseBody(response)) as AuthResponse);
    return true;
  }
  if (response.status >= 500) throw await errorFromResponse(response);
  const session = useSession.getState();
  if (session.status === 'authenticated') session.clear('expired');
  else session.markAnonymous();
  return false;
}

/**
 * Tabs share the refresh cookie; serialising their refreshes through the Web Locks API keeps
 * one tab from replaying a cookie that another has just rotated.
 */
async function withCrossTabLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return work();
  let result!: T;
  await locks.request('jopanel-auth-refresh', async () => {
    result = await work();
  });
  return result;
}
