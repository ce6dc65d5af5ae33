// The API's SSH key and SFTP access shapes (docs/api.md, docs/sftp.md), from the generated
// types; only this feature reads them.
import type { Schemas } from '@/types/api';

export type SshKey = Schemas['SshKey'];
export type SshKeyStatus = SshKey['status'];
export type SshAccess = Schemas['SshAccess'];
