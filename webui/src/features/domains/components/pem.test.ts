import { describe, expect, it } from 'vitest';
import { certificatesOf, PemError, pemBlocks, privateKeyOf } from './pem';

// Made with openssl for these tests only (a 512-bit RSA key: small, never used for anything).
const SEC1_KEY = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIKrquyGCgQSxbjNACmVoXxDulNaSGmtWbXT+HUAbSLKdoAoGCCqGSM49
AwEHoUQDQgAEdwtohhYKCZsTArSI7YQdtvhzYDw+ZSTX/crffUEiGtxd5BTYVY8+
q3ueyDG6tMlmyQK3M8RGNL8SmCfdM7opnA==
-----END EC PRIVATE KEY-----
`;
const PKCS1_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIIBPQIBAAJBANIpKfeVcwzU1Qb02HPjzCqBfOMgovXV9djOPE5FBtLVmKWwQzNL
/K0lkIB3sHbPmtLzIMhSe4ENRIspdG2yodsCAwEAAQJBAJDqj6TIqh/T9t0oIsWu
887voTVhAN3x3ufUNmNmV7EzFmZlY9YUyFiVsGvC0zawn3YZ5HL2ELVBcxe7UR/s
OsECIQDttUJHV71zVutYBlMggREC3BNEjE/7L8bPPH0jjLGaewIhAOJVPJogBMJl
j9yYsSK3VflyUhyGi32KNjFG9IyXN6ghAiEAjS1I9uwyVW07CyV+e2CMROGGBAE9
g1alwfEP9WwbEz8CIQCDIiWJmvGG/Dcc9a7z0UtTyqO+eUnKg9CgPl8kMd0CYQIh
ALNjEoWhpCUb+PPCuwyOemKsktjIerNoNIIAG3EmQUxR
-----END RSA PRIVATE KEY-----
`;
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBgTCCASegAwIBAgIUQAPjHBqJgEgyLBzDh4hHb5Kz16MwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLZXhhbXBsZS5jb20wHhcNMjYxMjA1MDE0ODIwWhcNMjcwMTA0
MDE0ODIwWjAWMRQwEgYDVQQDDAtleGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABAoxhKhFVR9+EQksIN4dGAMM1waSvdG/dGQMIX8TEtWNt6Q7zZN1
UcIKbbe2mqsPfeuyh7v9UuTieyPfH3A1RLOjUzBRMB0GA1UdDgQWBBRGvFpHTkDx
wjq/1YZCje7J4cEtVTAfBgNVHSMEGDAWgBRGvFpHTkDxwjq/1YZCje7J4cEtVTAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQC6KCQfz3qC0sA6B22A
SwsFY6ZYJiWl3aKL0IMoJ06l8AIgbLksMRgwECjLu+5gIRwsvJRmKZY2FX/VilMZ
ZmamPYw=
-----END CERTIFICATE-----
`;
const ENCRYPTED_KEY = `-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjhkeE5yoGRdQICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEBuKXpAv8aRqBF4pFejUSCcEgZCe
vGw4tBebbjiBDmHYbqX7nXWO9xCYTFkDr0f0sqPAjTJ9tffO+kpd4ItVw/fReC31
s2zfY4O9FA/veGl1Zcg2LyBxDtIGL+Sr2rrGnaB/6Chg/jXVL68qQZRUJ6vXi7FZ
bv7tPUtHU0mYMKkVwCqegojg/ZkDbnbZnvJDRioBxrM0RsLO1L61b8KHnQTAkg0=
-----END ENCRYPTED PRIVATE KEY-----
`;

const base64Of = (pem: string) =>
  pem
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('');

describe('reading a bought certificate’s PEM files', () => {
  it('sends a PKCS#8 key as it is', () => {
    const pkcs8 = `-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgquq7IYKBBLFuM0AKZWhfEO6U1pIaa1ZtdP4dQBtIsp2gCgYIKoZIzj0DAQehRANCAAR3C2iGFgoJmxMCtIjthB22+HNgPD5lJNf9yt99QSIa3F3kFNhVjz6re57IMbq0yWbJArczxEY0vxKYJ90zuimc\n-----END PRIVATE KEY-----\n`;
    expect(privateKeyOf(pkcs8)).toBe(
      'MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgquq7IYKBBLFuM0AKZWhfEO6U1pIaa1ZtdP4dQBtIsp2gCgYIKoZIzj0DAQehRANCAAR3C2iGFgoJmxMCtIjthB22+HNgPD5lJNf9yt99QSIa3F3kFNhVjz6re57IMbq0yWbJArczxEY0vxKYJ90zuimc',
    );
  });

  it('wraps a traditional RSA key into PKCS#8 byte for byte as openssl pkcs8 -topk8 does', () => {
    expect(privateKeyOf(PKCS1_KEY)).toBe(
      'MIIBVwIBADANBgkqhkiG9w0BAQEFAASCAUEwggE9AgEAAkEA0ikp95VzDNTVBvTYc+PMKoF84yCi9dX12M48TkUG0tWYpbBDM0v8rSWQgHewds+a0vMgyFJ7gQ1Eiyl0bbKh2wIDAQABAkEAkOqPpMiqH9P23Sgixa7zzu+hNWEA3fHe59Q2Y2ZXsTMWZmVj1hTIWJWwa8LTNrCfdhnkcvYQtUFzF7tRH+w6wQIhAO21QkdXvXNW61gGUyCBEQLcE0SMT/svxs88fSOMsZp7AiEA4lU8miAEwmWP3JixIrdV+XJSHIaLfYo2MUb0jJc3qCECIQCNLUj27DJVbTsLJX57YIxE4YYEAT2DVqXB8Q/1bBsTPwIhAIMiJYma8Yb8Nxz1rvPRS1PKo755ScqD0KA+XyQx3QJhAiEAs2MShaGkJRv488K7DI56YqyS2Mh6s2g0ggAbcSZBTFE=',
    );
  });

  it('wraps a traditional EC key into PKCS#8 (checked with openssl pkey and cryptography)', () => {
    expect(privateKeyOf(SEC1_KEY)).toBe(
      'MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgquq7IYKBBLFuM0AKZWhfEO6U1pIaa1ZtdP4dQBtIsp2gCgYIKoZIzj0DAQehRANCAAR3C2iGFgoJmxMCtIjthB22+HNgPD5lJNf9yt99QSIa3F3kFNhVjz6re57IMbq0yWbJArczxEY0vxKYJ90zuimc',
    );
  });

  it('refuses a key with a passphrase, no key, and two keys, saying what to do', () => {
    expect(() => privateKeyOf(ENCRYPTED_KEY)).toThrow(/passphrase.*openssl pkey/);
    const legacyEncrypted = SEC1_KEY.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\n');
    expect(() => privateKeyOf(legacyEncrypted)).toThrow(/passphrase/);
    expect(() => privateKeyOf(CERTIFICATE)).toThrow(/No private key found/);
    expect(() => privateKeyOf(SEC1_KEY + PKCS1_KEY)).toThrow(/more than one private key/);
    expect(() => privateKeyOf('')).toThrow(PemError);
  });

  it('takes the certificates of both files in order, and nothing else of them', () => {
    const chain = certificatesOf([CERTIFICATE + SEC1_KEY, 'intermediate:\n' + CERTIFICATE]);
    expect(chain).toEqual([base64Of(CERTIFICATE), base64Of(CERTIFICATE)]);
  });

  it('refuses a file without a certificate, a whole CA bundle, and broken base64', () => {
    expect(() => certificatesOf([SEC1_KEY])).toThrow(/No certificate found/);
    expect(() => certificatesOf([CERTIFICATE.repeat(5)])).toThrow(/At most 4 certificates/);
    const broken = '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n';
    expect(() => pemBlocks(broken)).toThrow(/not PEM/);
  });
});
