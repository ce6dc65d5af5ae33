import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { splitFormErrors } from './form-errors';
import { accountNameError, emailError, passwordError } from './validation';

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
