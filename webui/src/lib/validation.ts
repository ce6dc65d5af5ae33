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

export const PLAN_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function planNameError(name: string): string | undefined {
  if (!name) return 'Enter a plan name.';
  if (!PLAN_NAME_PATTERN.test(name)) {
    return 'Up to 64 characters: lowercase letters, digits, _ and -, starting with a letter or digit.';
  }
  return undefined;
}

/** A plan limit as typed: a whole number ≥ `min`. Unlimited is chosen separately, not typed. */
export function limitError(value: string, min = 0): string | undefined {
  if (!value.trim()) return 'Enter a number, or choose Unlimited.';
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    return `Enter a whole number, ${min} or more.`;
  }
  if (Number(value) < min) return `Enter ${min} or more, or choose Unlimited.`;
  return undefined;
}

// A host name label: letters (any script: the gateway turns Unicode names into punycode),
// digits and inner hyphens, 1 to 63 characters.
const HOST_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]{0,61}[\p{L}\p{N}\p{M}])?$/u;

/** Trims, lower-cases and drops a final dot, as DNS names compare. */
export function normalizeDomainName(value: string): string {
  return value.trim().toLowerCase().replace(/\.$/, '');
}

/** Checks the shape of a domain name (the gateway checks the rest: IDNA rules, uniqueness). */
export function domainNameError(value: string, what = 'a domain name'): string | undefined {
  const name = normalizeDomainName(value);
  if (!name) return `Enter ${what}.`;
  const labels = name.split('.');
  const shapeOk = name.length <= 253 && labels.length >= 2 && labels.every((label) => HOST_LABEL.test(label));
  if (!shapeOk || /^\d+$/.test(labels.at(-1) ?? '')) {
    return 'Use a name such as example.com: letters, digits and hyphens, in parts separated by dots.';
  }
  return undefined;
}

// Money and tax rates travel as exact decimal strings with two decimals (docs/invoices.md),
// never as numbers: checked as the gateway's models check them, so "10" and "1e3" are refused
// here too rather than rounded through a float.
const PRICE_PATTERN = /^[0-9]{1,10}\.[0-9]{2}$/;
const TAX_RATE_PATTERN = /^(100\.00|[0-9]{1,2}\.[0-9]{2})$/;

/** A price per billing period, such as "9.90". */
export function priceError(value: string): string | undefined {
  if (!value) return 'Enter a price.';
  if (!PRICE_PATTERN.test(value)) {
    return 'Write the price with two decimals, such as 9.90 (up to 10 digits before the point).';
  }
  return undefined;
}

const CHARGE_DESCRIPTION_LENGTH = 200;

/** A one-off charge's line (gateway/models/charges.py): 1 to 200 characters, not blank, one line. */
export function chargeDescriptionError(description: string): string | undefined {
  if (!description.trim()) return 'Enter what the charge is for.';
  // The gateway counts characters (code points), not UTF-16 units.
  if ([...description].length > CHARGE_DESCRIPTION_LENGTH) {
    return `Use at most ${CHARGE_DESCRIPTION_LENGTH} characters.`;
  }
  if (CONTROL_CHARS.test(description)) return 'Use one line without control characters, such as a tab.';
  return undefined;
}

/** A charge's amount: money as a price is written, and more than 0.00 (compared as text, never read through a number). */
export function chargeAmountError(amount: string): string | undefined {
  if (!amount) return 'Enter an amount.';
  if (!PRICE_PATTERN.test(amount)) {
    return 'Write the amount with two decimals, such as 25.00 (up to 10 digits before the point).';
  }
  if (/^0+\.00$/.test(amount)) return 'Enter more than 0.00.';
  return undefined;
}

/** A tax rate in percent, such as "19.00": 0.00 to 100.00. */
export function taxRateError(value: string): string | undefined {
  if (!value) return 'Enter a tax rate.';
  if (!TAX_RATE_PATTERN.test(value)) {
    return 'A percent from 0.00 to 100.00, written with two decimals, such as 19.00.';
  }
  return undefined;
}

// An address printed on invoices, the seller's or a customer's: the gateway's bounds
// (gateway/models/invoices.py), up to 8 lines of up to 100 characters without control characters.
export const ADDRESS_LINES = 8;
export const ADDRESS_LINE_LENGTH = 100;

/** A text box's lines as the API takes them; empty lines at the end are dropped. */
export function addressLinesOf(text: string): string[] {
  const kept = text.replace(/\n+$/, '');
  return kept ? kept.split('\n') : [];
}

export function addressLinesError(lines: readonly string[]): string | undefined {
  if (lines.length > ADDRESS_LINES) return `At most ${ADDRESS_LINES} lines.`;
  // The gateway counts characters (code points), not UTF-16 units.
  const long = lines.findIndex((line) => [...line].length > ADDRESS_LINE_LENGTH);
  if (long >= 0) return `Line ${long + 1} is longer than ${ADDRESS_LINE_LENGTH} characters.`;
  const control = lines.findIndex((line) => CONTROL_CHARS.test(line));
  if (control >= 0) return `Line ${control + 1} holds a control character, such as a tab.`;
  return undefined;
}

// Two letters of the country (EL for Greece), then 2 to 13 letters, digits, '+' or '*'.
const VAT_NUMBER_PATTERN = /^[A-Z]{2}[0-9A-Z+*]{2,13}$/;

/** A customer's VAT number, such as DE123456789, written without spaces. */
export function vatNumberError(value: string): string | undefined {
  if (!VAT_NUMBER_PATTERN.test(value)) {
    return 'The country’s two letters, then 2 to 13 letters or digits, without spaces, such as DE123456789.';
  }
  return undefined;
}
