import { describe, expect, it } from 'vitest';
import { formatLimit, formatUsage } from './plan-limits';

const domains = ['domain', 'domains'] as const;

describe('plan limits in words', () => {
  it('says unlimited for null and none for 0', () => {
    expect(formatLimit(null)).toBe('Unlimited');
    expect(formatLimit(0)).toBe('None allowed');
    expect(formatLimit(12)).toBe('12');
  });

  it('shows use against the limit', () => {
    expect(formatUsage(10, 3, domains)).toBe('3 of 10 domains');
    expect(formatUsage(1, 0, domains)).toBe('0 of 1 domain');
    expect(formatUsage(null, 3, domains)).toBe('3 domains, unlimited');
    expect(formatUsage(null, 1, domains)).toBe('1 domain, unlimited');
    expect(formatUsage(0, 0, domains)).toBe('None allowed');
  });

  it('shows the limit alone where use is not counted', () => {
    expect(formatUsage(5, undefined, domains)).toBe('Up to 5 domains');
    expect(formatUsage(null, undefined, domains)).toBe('Unlimited');
  });
});
