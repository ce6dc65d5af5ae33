// Shapes of docs/api.md's Domains section; only this feature reads them.

import type { Suspension } from '@/types/api';

export type PhpBackend = { type: 'php'; version: string };
export type StaticBackend = { type: 'static' };
/**
 * The account's application: on a Unix socket in its own folder (/home/.apps/<account>/<name>.sock,
 * the safe choice), or on 127.0.0.1 at a port the server allows. Exactly one is set; the API
 * answers with both keys, the other null.
 */
export type ProxyBackend =
  { type: 'proxy'; socket_path: string; port?: null } | { type: 'proxy'; port: number; socket_path?: null };
export type RedirectBackend = { type: 'redirect'; url: string; code: 301 | 302; preserve_path: boolean };

export type Backend = PhpBackend | StaticBackend | ProxyBackend | RedirectBackend;
export type BackendType = Backend['type'];

export type DomainStatus = 'pending' | 'active' | 'suspended' | 'deleting';

export type Domain = {
  /** IDNA (punycode), lowercase: the key in URLs. */
  name: string;
  unicode_name: string;
  account: string;
  aliases: string[];
  backend: Backend;
  status: DomainStatus;
  /** While suspended: who did it and why. */
  suspension?: Suspension | null;
  document_root: string;
  created_at: string;
  updated_at: string;
};

/** Which side of the panel shows the screens: what links point to and what may be done. */
export type DomainsArea = 'admin' | 'panel';

/** What the domain's page reads of its DNS zone (docs/api.md, DNS); the dns feature owns the rest. */
export type DomainZone = { name: string; records: number };
