// Client-side checks mirror docs/api.md so people see mistakes before a round trip. The
// gateway remains the judge: its problem+json field errors are shown the same way.

export const ACCOUNT_NAME_PATTERN = /^[a-z][a-z0-9_]{2,31}$/;

export function accountNameError(name: string): string | undefined {
  if (!name) return 'Enter an account name.';
  if (!ACCOUNT_NAME_PATTERN.test(name)) {
    return '3 to 32 characters: lowercase letters, digits and _, starting with a letter.';
  }
  return undefined;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function passwordError(password: string): string | undefined {
  if (!password) return 'Enter a password.';
  const bytes = new TextEncoder().encode(password).length;
  if (bytes < 8) return 'Use at least 8 characters.';
  if (bytes > 72) return 'Use at most 72 bytes (bcrypt ignores the rest).';
  if (CONTROL_CHARS.test(password)) return 'Control characters are not allowed.';
  return undefined;
}

export function emailError(email: string): string | undefined {
  if (!email) return undefined;
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? undefined : 'Enter a valid email address.';
}
