// The API's SSH key and SFTP access shapes (docs/api.md, docs/sftp.md), written by hand until
// the types are generated from the document; only this feature reads them.

export type SshKeyStatus = 'pending' | 'active' | 'deleting';

export type SshKey = {
  id: string;
  account: string;
  /** "SHA256:…", as `ssh-keygen -l` prints it. */
  fingerprint: string;
  type: string;
  bits: number;
  comment: string;
  /** "<type> <base64>", without options or comment. */
  public_key: string;
  status: SshKeyStatus;
  created_at: string;
};

export type SshAccess = { account: string; enabled: boolean };
