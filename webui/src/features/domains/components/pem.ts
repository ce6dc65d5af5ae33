/**
 * A bought certificate's files, read in the browser and turned into what the API takes: base64
 * DER, the key as PKCS#8 (docs/certificates.md, "Certificates bought elsewhere"). PEM cannot
 * travel as it is (the gateway refuses line breaks in every body string). Only the shape is
 * checked here, so that the owner hears about a wrong file at once; the agent checks the rest.
 */

export class PemError extends Error {}

type PemBlock = { label: string; der: Uint8Array };

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const MAX_FILE_BYTES = 64 * 1024;

/** Every PEM block of a text, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const [, label = '', body = ''] = match;
    // RFC 7468 allows headers (Proc-Type of an encrypted PKCS#1 key): keep them out of base64.
    if (body.includes(':')) blocks.push({ label: `ENCRYPTED ${label}`, der: new Uint8Array() });
    else blocks.push({ label, der: decodeBase64(body.replace(/\s+/g, '')) });
  }
  return blocks;
}

function decodeBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new PemError('The file is not PEM: a block holds something other than base64.');
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The certificates of one or more files, in the order given (leaf first). */
export function certificatesOf(texts: readonly string[]): string[] {
  const blocks = texts.flatMap(pemBlocks).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) {
    throw new PemError(
      'No certificate found: choose the PEM file that starts with “-----BEGIN CERTIFICATE-----”.',
    );
  }
  if (blocks.length > 4) {
    throw new PemError(
      'At most 4 certificates: the site’s certificate and the ones that signed it, not a whole CA bundle.',
    );
  }
  return blocks.map((b) => encodeBase64(b.der));
}

// DER building blocks: just what wrapping a PKCS#1 or SEC1 key into PKCS#8 needs.
const RSA_ALGORITHM = [
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];
const EC_P256_ALGORITHM = [
  0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
  0x03, 0x01, 0x07,
];
const VERSION_0 = [0x02, 0x01, 0x00];

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function derElement(tag: number, content: readonly number[] | Uint8Array): number[] {
  return [tag, ...derLength(content.length), ...content];
}

/** PrivateKeyInfo (RFC 5208) around a traditional key: what `openssl pkcs8 -topk8` does. */
function pkcs8(algorithm: readonly number[], key: Uint8Array): Uint8Array {
  return Uint8Array.from(derElement(0x30, [...VERSION_0, ...algorithm, ...derElement(0x04, key)]));
}

/** The one private key of a file, as base64 PKCS#8 DER. */
export function privateKeyOf(text: string): string {
  const keys = pemBlocks(text).filter((b) => b.label.endsWith('PRIVATE KEY'));
  if (keys.length !== 1) {
    throw new PemError(
      keys.length === 0
        ? 'No private key found: choose the PEM file that starts with “-----BEGIN PRIVATE KEY-----”.'
        : 'The file holds more than one private key: choose the file with the certificate’s own key.',
    );
  }
  const [key] = keys as [PemBlock];
  switch (key.label) {
    case 'PRIVATE KEY':
      return encodeBase64(key.der);
    case 'RSA PRIVATE KEY':
      return encodeBase64(pkcs8(RSA_ALGORITHM, key.der));
    case 'EC PRIVATE KEY':
      // Only P-256 is taken (the agent refuses any other curve with its own message).
      return encodeBase64(pkcs8(EC_P256_ALGORITHM, key.der));
    default:
      throw new PemError(
        'The key is protected by a passphrase. Remove it first: openssl pkey -in key.pem -out key-plain.pem',
      );
  }
}

/** A chosen file's text; refuses what cannot be a PEM file before reading it. */
export async function readPemFile(file: File): Promise<string> {
  if (file.size > MAX_FILE_BYTES)
    throw new PemError(`${file.name} is larger than 64 KB: it is not a PEM file.`);
  return file.text();
}
