import { beforeEach, describe, expect, it } from 'vitest';
import { adminUser, authResponse } from '@/testing/fixtures';
import { deferred, json, mockApi, noContent, problem } from '@/testing/mock-api';
import { apiRequest, refreshSession } from './api-client';
import { ApiError } from './api-error';
import { useSession } from './session';

function signedIn(token = 'old-token') {
  useSession.getState().signIn(authResponse(adminUser, token));
}

describe('apiRequest', () => {
  beforeEach(() => signedIn());

  it('sends the bearer token and same-origin credentials, and parses JSON', async () => {
    const api = mockApi({ 'GET /api/v1/me': () => json(200, adminUser) });

    await expect(apiRequest('/me')).resolves.toEqual(adminUser);

    const [, init] = api.fetch.mock.calls[0]!;
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer old-token');
    expect(init?.credentials).toBe('same-origin');
  });

  it('encodes the query and leaves out empty values', async () => {
    const api = mockApi({ 'GET /api/v1/accounts': () => json(200, { items: [], next_page_token: null }) });

    await apiRequest('/accounts', { query: { q: 'al', page_token: undefined, limit: 50 } });

    expect(api.requests[0]!.query.toString()).toBe('q=al&limit=50');
  });

  it('resolves undefined for 204 No Content', async () => {
    mockApi({ 'DELETE /api/v1/accounts/alice': () => noContent() });
    await expect(apiRequest('/accounts/alice', { method: 'DELETE' })).resolves.toBeUndefined();
  });

  it('turns problem+json into an ApiError with per-field errors', async () => {
    mockApi({
      'POST /api/v1/accounts': () =>
        problem(400, {
          title: 'Invalid request',
          detail: 'Some fields are not valid.',
          type: 'https://jopanel.dev/problems/validation',
          errors: [
            { field: 'name', message: 'This name is reserved.' },
            { field: 'password', message: 'Too short.' },
            { field: 'name', message: 'A second message for name.' },
          ],
        }),
    });

    const error = await apiRequest('/accounts', { method: 'POST', body: {} }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.title).toBe('Invalid request');
    expect(apiError.detail).toBe('Some fields are not valid.');
    expect(apiError.type).toBe('https://jopanel.dev/problems/validation');
    expect(apiError.message).toBe('Some fields are not valid.');
    expect(apiError.fieldErrors).toEqual({ name: 'This name is reserved.', password: 'Too short.' });
    expect(apiError.errors).toHaveLength(3);
  });

  it('gives a readable ApiError for a body that is not problem+json', async () => {
    mockApi({
      'GET /api/v1/me': () =>
        new Response('<html>Bad gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }),
    });

    const error = (await apiRequest('/me').catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.title).toMatch(/server/i);
    expect(error.errors).toEqual([]);
  });

  it('reports a network failure as an ApiError with status 0', async () => {
    const api = mockApi({});
    api.fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'));

    const error = (await apiRequest('/me').catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.isNetworkError).toBe(true);
  });
});

describe('token refresh', () => {
  beforeEach(() => signedIn('old-token'));

  it('on 401 refreshes once through the cookie, then retries with the new token', async () => {
    const api = mockApi({
      'GET /api/v1/me': (req) =>
        req.headers.get('Authorization') === 'Bearer new-token'
          ? json(200, adminUser)
          : problem(401, { title: 'Token expired' }),
      'POST /api/v1/auth/refresh': () => json(200, authResponse(adminUser, 'new-token')),
    });

    await expect(apiRequest('/me')).resolves.toEqual(adminUser);

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/me',
      'POST /api/v1/auth/refresh',
      'GET /api/v1/me',
    ]);
    const refreshCall = api.fetch.mock.calls[1]!;
    expect(refreshCall[1]?.credentials).toBe('same-origin');
    expect(new Headers(refreshCall[1]?.headers).has('Authorization')).toBe(false);
    expect(useSession.getState().accessToken).toBe('new-token');
  });

  it('shares one refresh between concurrent 401s', async () => {
    const refreshAnswer = deferred<Response>();
    const api = mockApi({
      'GET /api/v1/accounts': (req) =>
        req.headers.get('Authorization') === 'Bearer new-token'
          ? json(200, { items: [], next_page_token: null })
          : problem(401, { title: 'Token expired' }),
      'GET /api/v1/me': (req) =>
        req.headers.get('Authorization') === 'Bearer new-token' ? json(200, adminUser) : problem(401, {}),
      'GET /api/v1/audit-log': (req) =>
        req.headers.get('Authorization') === 'Bearer new-token'
          ? json(200, { items: [], next_page_token: null })
          : problem(401, {}),
      'POST /api/v1/auth/refresh': () => refreshAnswer.promise,
    });

    const all = Promise.all([apiRequest('/accounts'), apiRequest('/me'), apiRequest('/audit-log')]);
    await vi.waitFor(() => expect(api.to('POST', '/api/v1/auth/refresh')).toHaveLength(1));
    refreshAnswer.resolve(json(200, authResponse(adminUser, 'new-token')));

    await expect(all).resolves.toHaveLength(3);
    expect(api.to('POST', '/api/v1/auth/refresh')).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === 'GET')).toHaveLength(6);
  });

  it('does not refresh again for a 401 that raced a refresh that already finished', async () => {
    let meCalls = 0;
    const api = mockApi({
      'GET /api/v1/me': () => {
        meCalls += 1;
        // The first answer arrives after another request has already renewed the token.
        if (meCalls === 1) {
          useSession.getState().signIn(authResponse(adminUser, 'new-token'));
          return problem(401, {});
        }
        return json(200, adminUser);
      },
    });

    await expect(apiRequest('/me')).resolves.toEqual(adminUser);
    expect(api.to('POST', '/api/v1/auth/refresh')).toHaveLength(0);
    expect(api.requests[1]!.headers.get('Authorization')).toBe('Bearer new-token');
  });

  it('clears the session when the refresh is refused, and rejects with 401', async () => {
    const api = mockApi({
      'GET /api/v1/accounts': () => problem(401, { title: 'Token expired' }),
      'POST /api/v1/auth/refresh': () => problem(401, { title: 'Refresh token revoked' }),
    });

    const error = (await apiRequest('/accounts').catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    const session = useSession.getState();
    expect(session.status).toBe('anonymous');
    expect(session.accessToken).toBeNull();
    expect(session.user).toBeNull();
    expect(session.endReason).toBe('expired');
    // No second attempt at the original request.
    expect(api.to('GET', '/api/v1/accounts')).toHaveLength(1);
  });

  it('clears the session when even the fresh token is refused', async () => {
    mockApi({
      'GET /api/v1/accounts': () => problem(401, {}),
      'POST /api/v1/auth/refresh': () => json(200, authResponse(adminUser, 'new-token')),
    });

    await expect(apiRequest('/accounts')).rejects.toMatchObject({ status: 401 });
    expect(useSession.getState().status).toBe('anonymous');
  });

  it('keeps the session when the gateway cannot answer the refresh (5xx)', async () => {
    mockApi({
      'GET /api/v1/me': () => problem(401, {}),
      'POST /api/v1/auth/refresh': () => problem(503, { title: 'Agent unavailable' }),
    });

    await expect(apiRequest('/me')).rejects.toMatchObject({ status: 503 });
    expect(useSession.getState().status).toBe('authenticated');
  });

  it('never refreshes for the auth routes themselves', async () => {
    const api = mockApi({
      'POST /api/v1/auth/login': () => problem(401, { detail: 'Wrong username or password.' }),
    });

    await expect(
      apiRequest('/auth/login', { method: 'POST', body: { username: 'x', password: 'y' }, auth: false }),
    ).rejects.toMatchObject({ status: 401, detail: 'Wrong username or password.' });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.headers.has('Authorization')).toBe(false);
  });
});

describe('refreshSession at start-up', () => {
  it('restores the session from the refresh cookie', async () => {
    mockApi({ 'POST /api/v1/auth/refresh': () => json(200, authResponse(adminUser, 'restored')) });

    await expect(refreshSession()).resolves.toBe(true);
    expect(useSession.getState()).toMatchObject({
      status: 'authenticated',
      accessToken: 'restored',
      user: adminUser,
    });
  });

  it('marks the visitor anonymous, without an "expired" notice, when there is no session', async () => {
    mockApi({ 'POST /api/v1/auth/refresh': () => problem(401, {}) });

    await expect(refreshSession()).resolves.toBe(false);
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', endReason: null });
  });
});
