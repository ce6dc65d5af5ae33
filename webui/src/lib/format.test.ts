import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatMegabytes, formatPercent } from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1,023 bytes'],
    [1024, '1 KB'],
    [3_355_443, '3.2 MB'],
    [1.5 * 1024 ** 3, '1.5 GB'],
    [2 * 1024 ** 4, '2 TB'],
  ])('%d is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatMegabytes', () => {
  it.each([
    [0, '0 MB'],
    [1024 ** 2, '1 MB'],
    [3_355_443, '3.2 MB'],
    [9.94 * 1024 ** 2, '9.9 MB'],
    [12.3 * 1024 ** 2, '12 MB'],
    [499.6 * 1024 ** 2, '500 MB'],
    [1024 ** 3, '1,024 MB'],
    [-5, '0 MB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatMegabytes(bytes)).toBe(text);
  });
});

describe('formatDuration', () => {
  it.each([
    [42, '42 seconds'],
    [60, '1 minute'],
    [3 * 3600 + 60, '3 hours, 1 minute'],
    [86400 + 7200 + 59, '1 day, 2 hours'],
    [40 * 86400 + 5, '40 days'],
  ])('%d seconds is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

it('formatPercent rounds, and says 0% of nothing', () => {
  expect(formatPercent(1, 3)).toBe('33%');
  expect(formatPercent(5, 0)).toBe('0%');
});
