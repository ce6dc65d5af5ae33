import { vi } from 'vitest';

export type MockRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
};

type Handler = (request: MockRequest) => Response | Promise<Response>;

/**
 * Replaces fetch with a table of handlers keyed "METHOD /path" (path without the query).
 * Every request is recorded; one with no handler answers 501 and is listed in `unhandled`.
 */
export function mockApi(routes: Record<string, Handler>) {
  const requests: MockRequest[] = [];
  const unhandled: string[] = [];

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const text = typeof init.body === 'string' ? init.body : undefined;
    const request: MockRequest = {
      method: init.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: new Headers(init.headers),
      body: text ? parsed(text) : undefined,
    };
    requests.push(request);
    const key = `${request.method} ${request.path}`;
    const handler = routes[key];
    if (!handler) {
      unhandled.push(key);
      return problem(501, { title: `No mock for ${key}` });
    }
    return handler(request);
  });

  vi.stubGlobal('fetch', fetchMock);
  const to = (method: string, path: string) => requests.filter((r) => r.method === method && r.path === path);
  return { fetch: fetchMock, requests, unhandled, to };
}

/** A JSON body as its value; any other text (a text file's) as it is. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export function problem(
  status: number,
  body: { title?: string; detail?: string; type?: string; errors?: { field: string; message: string }[] },
): Response {
  return new Response(JSON.stringify({ status, type: 'about:blank', ...body }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/** A promise the test settles by hand, to look at pending states. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
