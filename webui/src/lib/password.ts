// Letters and digits without the look-alikes (0/O, 1/l/I), plus three marks that need no
// quoting in a shell, a PHP string or a URL: a generated password survives being pasted into
// wp-config.php or a .env file.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.';
const LENGTH = 24;

/** A random password of about 140 bits from the browser's cryptographic generator. */
export function generatePassword(length = LENGTH): string {
  // Rejection sampling keeps every character equally likely (no modulo bias).
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}
