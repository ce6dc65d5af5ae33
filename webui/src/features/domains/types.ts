// The API's domain shapes (docs/api.md, Domains), from the generated types; only this feature
// reads them.
import type { Schemas } from '@/types/api';

export type PhpBackend = Schemas['PhpBackend'];
export type StaticBackend = Schemas['StaticBackend'];
/**
 * The account's application: on a Unix socket in its own folder (/home/.apps/<account>/<name>.sock,
 * the safe choice), or on 127.0.0.1 at a port the server allows. Exactly one is set; the API
 * answers with both keys, the other null.
 */
export type ProxyBackend = Schemas['ProxyBackend'];
export type RedirectBackend = Schemas['RedirectBackend'];

export type Domain = Schemas['Domain'];
export type Backend = Domain['backend'];
export type BackendType = Backend['type'];
export type DomainStatus = Domain['status'];

/** Which side of the panel shows the screens: what links point to and what may be done. */
export type DomainsArea = 'admin' | 'panel';

/** What the domain's page reads of its DNS zone (docs/api.md, DNS); the dns feature owns the rest. */
export type DomainZone = Pick<Schemas['DnsZone'], 'name' | 'records'>;

/** A site's logs (docs/api.md, Domains): nginx's access log and the site's PHP errors. */
export type DomainLog = Schemas['LogLines'];
export type LogKind = DomainLog['log'];

/** A PHP site's settings as they apply, with its plan's bounds, and what may be changed. */
export type PhpSettings = Schemas['PhpSettings'];
export type PhpSettingsUpdate = Schemas['PhpSettingsUpdate'];

/** A website's certificate (docs/certificates.md); status `none` until one is asked for. */
export type Certificate = Schemas['Certificate'];
/** A certificate order's job (docs/certificates.md, "Job stages"). */
export type CertificateJob = Schemas['Job'];
export const isOrderRunning = (job: CertificateJob) => job.state === 'queued' || job.state === 'running';
export type CertificateUpload = Schemas['CertificateUpload'];
export type CertificateSettings = Schemas['CertificateSettings'];
