import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { splitFormErrors } from './form-errors';
import {
  accountNameError,
  addressLinesError,
  addressLinesOf,
  domainNameError,
  emailError,
  limitError,
  normalizeDomainName,
  passwordError,
  planNameError,
  priceError,
  taxRateError,
  vatNumberError,
} from './validation';

describe('account name', () => {
  it.each(['abc', 'a_1', 'web01', `a${'b'.repeat(31)}`])('accepts %s', (name) => {
    expect(accountNameError(name)).toBeUndefined();
  });
  it.each(['', 'ab', '1abc', '_abc', 'Abc', 'a-b', 'a.b', `a${'b'.repeat(32)}`, 'ab c'])(
    'refuses %j',
    (name) => {
      expect(accountNameError(name)).toBeDefined();
    },
  );
});

describe('password', () => {
  it('counts bytes, not characters, against bcrypt’s 72-byte limit', () => {
    expect(passwordError('é'.repeat(36))).toBeUndefined(); // 72 bytes
    expect(passwordError('é'.repeat(37))).toMatch(/72 bytes/);
    expect(passwordError('1234567')).toMatch(/at least 8/);
    expect(passwordError('good-pass\n')).toMatch(/Control/);
  });
});

describe('email', () => {
  it('is optional but must look like an address when given', () => {
    expect(emailError('')).toBeUndefined();
    expect(emailError('a@b.example')).toBeUndefined();
    expect(emailError('nope')).toBeDefined();
  });
});

describe('splitFormErrors', () => {
  it('puts known fields beside their inputs and the rest at the top', () => {
    const error = new ApiError(400, {
      detail: 'Invalid fields.',
      errors: [
        { field: 'name', message: 'Taken.' },
        { field: 'plan', message: 'Unknown plan.' },
      ],
    });
    expect(splitFormErrors(error, ['name', 'password'])).toEqual({
      fields: { name: 'Taken.' },
      form: 'plan: Unknown plan.',
    });
  });

  it('uses the detail when no field is named', () => {
    expect(splitFormErrors(new ApiError(409, { title: 'Conflict', detail: 'Exists.' }), ['name'])).toEqual({
      fields: {},
      form: 'Exists.',
    });
  });
});

describe('domain name', () => {
  it.each(['example.com', 'www.example.com', 'a-b.example', 'bücher.example', 'Example.COM.', 'x1.io'])(
    'accepts %s',
    (name) => {
      expect(domainNameError(name)).toBeUndefined();
    },
  );
  it.each(['', 'bad_name!', 'localhost', '-a.example', 'a-.example', 'a..example', '1.2.3.4', 'a b.example'])(
    'refuses %j',
    (name) => {
      expect(domainNameError(name)).toBeDefined();
    },
  );
  it('normalises case, spaces and a final dot', () => {
    expect(normalizeDomainName('  WWW.Example.com. ')).toBe('www.example.com');
  });
});

describe('plan name and limits', () => {
  it.each(['default', 'basic', '0', 'pro-2_x'])('accepts plan name %s', (name) => {
    expect(planNameError(name)).toBeUndefined();
  });
  it.each(['', '-a', 'Basic', 'a b', `a${'b'.repeat(64)}`])('refuses plan name %j', (name) => {
    expect(planNameError(name)).toBeDefined();
  });
  it('takes whole numbers from 0 up', () => {
    expect(limitError('0')).toBeUndefined();
    expect(limitError('25')).toBeUndefined();
    expect(limitError('')).toMatch(/Unlimited/);
    expect(limitError('-1')).toBeDefined();
    expect(limitError('1.5')).toBeDefined();
  });
  it('takes a higher minimum where the limit has one, as the disk quota does', () => {
    expect(limitError('0', 1)).toBe('Enter 1 or more, or choose Unlimited.');
    expect(limitError('1', 1)).toBeUndefined();
    expect(limitError('-1', 1)).toBe('Enter a whole number, 1 or more.');
  });
});

describe('prices and tax rates', () => {
  it.each(['0.00', '9.90', '1234567890.99'])('accepts price %s', (price) => {
    expect(priceError(price)).toBeUndefined();
  });
  it.each(['', '10', '1e3', '9.9', '9.900', '-1.00', ' 9.90', '12345678901.00', '9,90'])(
    'refuses price %j',
    (price) => {
      expect(priceError(price)).toBeDefined();
    },
  );
  it.each(['0.00', '7.50', '19.00', '100.00'])('accepts tax rate %s', (rate) => {
    expect(taxRateError(rate)).toBeUndefined();
  });
  it.each(['', '19', '19.0', '100.01', '101.00', '1e1', '-1.00'])('refuses tax rate %j', (rate) => {
    expect(taxRateError(rate)).toBeDefined();
  });
});

describe('invoice addresses and VAT numbers', () => {
  it('takes a text box a line each, dropping empty lines at the end only', () => {
    expect(addressLinesOf('')).toEqual([]);
    expect(addressLinesOf('Example GmbH\n\nBerlin\n\n')).toEqual(['Example GmbH', '', 'Berlin']);
  });
  it('refuses nine lines, a line of 101 characters and a control character', () => {
    expect(addressLinesError(Array.from({ length: 8 }, () => 'x'.repeat(100)))).toBeUndefined();
    // Counted in characters, as the gateway counts: an emoji is one, not two UTF-16 units.
    expect(addressLinesError(['\u{1F600}'.repeat(100)])).toBeUndefined();
    expect(addressLinesError(Array.from({ length: 9 }, () => 'x'))).toMatch(/At most 8 lines/);
    expect(addressLinesError(['ok', 'x'.repeat(101)])).toMatch(/Line 2 is longer/);
    expect(addressLinesError(['tab\there'])).toMatch(/Line 1 holds a control character/);
  });
  it.each(['DE123456789', 'ATU12345678', 'EL123456789', 'NO123456789MVA', 'IE1234567WA', 'FR12345678901'])(
    'accepts VAT number %s',
    (number) => {
      expect(vatNumberError(number)).toBeUndefined();
    },
  );
  it.each([
    '',
    'de123456789',
    'DE 123456789',
    'D1',
    'DE1',
    'DE12345678901234',
    'DE-123',
    '\u0394\u0395123456789',
  ])('refuses VAT number %j', (number) => {
    expect(vatNumberError(number)).toBeDefined();
  });
});
