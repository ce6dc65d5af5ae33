import type { Schemas } from '@/types/api';

/** What nginx serves for the panel's own host name, and the worker's last ACME attempt. */
export type PanelCertificate = Schemas['PanelCertificate'];
export type ServedCertificate = Schemas['ServedCertificate'];
/** The ACME directory certificates are ordered from, and the ACME account's contact. */
export type CertificateAuthority = Schemas['CertificateAuthority'];
