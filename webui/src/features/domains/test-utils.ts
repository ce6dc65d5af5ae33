import { json, mockApi, noContent, problem, type MockRequest } from '@/testing/mock-api';
import type { Certificate, Domain, PhpSettings } from './types';

export function makeDomain(overrides: Partial<Domain> = {}): Domain {
  const name = overrides.name ?? 'example.com';
  return {
    name,
    unicode_name: name,
    account: 'alice',
    aliases: [],
    backend: { type: 'php', version: '8.2' },
    status: 'active',
    suspension: null,
    document_root: `/home/alice/web/${name}/public`,
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
    ...overrides,
  };
}

export function makePhpSettings(overrides: Partial<PhpSettings> = {}): PhpSettings {
  return {
    memory_limit_mb: 256,
    upload_max_filesize_mb: 64,
    post_max_size_mb: 64,
    max_execution_time_seconds: 60,
    max_input_vars: 1000,
    display_errors: false,
    bounds: {
      memory_limit_mb: 8192,
      upload_max_filesize_mb: 8192,
      post_max_size_mb: 8192,
      max_execution_time_seconds: 300,
      max_input_vars: 100000,
    },
    ...overrides,
  };
}

/** A website's certificate record; by default none was ever asked for. */
export function makeCertificate(overrides: Partial<Certificate> = {}): Certificate {
  return {
    domain: 'example.com',
    status: 'none',
    source: 'acme',
    names: [],
    issuer: '',
    not_after: null,
    key_type: 'ecdsa-p256',
    redirect_http: false,
    hsts: false,
    last_attempt_at: null,
    last_error: '',
    job_id: '',
    ...overrides,
  };
}

type Handler = (req: MockRequest) => Response | Promise<Response>;

/**
 * An in-memory domains API: paged lists (limit 1..200, opaque tokens), one domain, create,
 * update, delete, suspend; and the DNS zones of the domains, named in `zones` (one zone each,
 * create, `dns_zone` on domain creation). `extra` adds or overrides routes.
 */
export function domainsServer(
  initial: Domain[],
  extra: Record<string, Handler> = {},
  zones: readonly string[] = [],
) {
  let domains = [...initial].sort((a, b) => a.name.localeCompare(b.name));
  const zoneNames = new Set(zones);
  const find = (path: string) => domains.find((d) => path.split('/')[4] === encodeURIComponent(d.name));
  const one: Handler = (req) => {
    const domain = find(req.path);
    return domain ? json(200, domain) : problem(404, { title: 'Not found' });
  };
  const zoneOf = (name: string) => ({
    name,
    account: domains.find((d) => d.name === name)?.account ?? 'alice',
    status: 'active',
    records: 5,
    created_at: '2025-01-02T03:04:05Z',
  });
  const routes: Record<string, Handler> = {
    'GET /api/v1/php-versions': () => json(200, { versions: ['8.3', '8.2'] }),
    'GET /api/v1/domains': (req) => {
      const limit = Number(req.query.get('limit') ?? 50);
      if (!(limit >= 1 && limit <= 200))
        return problem(400, { errors: [{ field: 'limit', message: '1 to 200.' }] });
      const account = req.query.get('account');
      const q = req.query.get('q') ?? '';
      const matching = domains.filter((d) => (!account || d.account === account) && d.name.startsWith(q));
      const start = Number(req.query.get('page_token') ?? 0);
      const items = matching.slice(start, start + limit);
      const next = start + limit < matching.length ? String(start + limit) : null;
      return json(200, { items, next_page_token: next });
    },
    'POST /api/v1/domains': (req) => {
      const { dns_zone: withZone, ...body } = req.body as Partial<Domain> & {
        name: string;
        dns_zone?: boolean;
      };
      const domain = makeDomain({ ...body, account: body.account ?? 'alice' });
      domains = [...domains, domain].sort((a, b) => a.name.localeCompare(b.name));
      if (withZone) zoneNames.add(domain.name);
      return json(201, domain);
    },
    'POST /api/v1/dns-zones': (req) => {
      const { name } = req.body as { name: string };
      if (zoneNames.has(name))
        return problem(409, { title: 'Conflict', detail: `The zone '${name}' exists already.` });
      zoneNames.add(name);
      return json(201, zoneOf(name));
    },
    ...extra,
  };
  for (const domain of initial) {
    const path = `/api/v1/domains/${encodeURIComponent(domain.name)}`;
    routes[`GET ${path}`] ??= one;
    routes[`GET /api/v1/dns-zones/${encodeURIComponent(domain.name)}`] ??= () =>
      zoneNames.has(domain.name) ? json(200, zoneOf(domain.name)) : problem(404, { title: 'Not found' });
    routes[`GET ${path}/certificate`] ??= () =>
      domains.some((d) => d.name === domain.name)
        ? json(200, makeCertificate({ domain: domain.name }))
        : problem(404, { title: 'Not found' });
    routes[`PATCH ${path}`] ??= (req) => {
      domains = domains.map((d) => (d.name === domain.name ? { ...d, ...(req.body as Partial<Domain>) } : d));
      return one(req);
    };
    routes[`DELETE ${path}`] ??= () => {
      domains = domains.filter((d) => d.name !== domain.name);
      return noContent();
    };
    routes[`POST ${path}/suspend`] ??= (req) => {
      domains = domains.map((d) => (d.name === domain.name ? { ...d, status: 'suspended' } : d));
      return json(200, find(req.path));
    };
    routes[`GET ${path}/logs/access`] ??= () => json(200, { log: 'access', lines: [], truncated: false });
    routes[`GET ${path}/logs/php-error`] ??= () =>
      json(200, { log: 'php-error', lines: [], truncated: false });
    routes[`GET ${path}/php-settings`] ??= () => json(200, makePhpSettings());
    routes[`POST ${path}/unsuspend`] ??= (req) => {
      domains = domains.map((d) => (d.name === domain.name ? { ...d, status: 'active' } : d));
      return json(200, find(req.path));
    };
  }
  return mockApi(routes);
}
