import { describe, expect, it } from 'vitest';
import { json, mockApi } from '@/testing/mock-api';
import { countAccounts } from './count-accounts';

describe('countAccounts', () => {
  it('adds up every page of the accounts list', async () => {
    const api = mockApi({
      'GET /api/v1/accounts': (req) =>
        req.query.get('page_token') === 't2'
          ? json(200, { items: [{}, {}], next_page_token: null })
          : json(200, { items: [{}, {}, {}], next_page_token: 't2' }),
    });

    await expect(countAccounts()).resolves.toEqual({ count: 5, atLeast: false });
    expect(api.requests.map((r) => r.query.get('limit'))).toEqual(['200', '200']);
  });

  it('stops after a bounded number of pages and reports a lower bound', async () => {
    let n = 0;
    mockApi({ 'GET /api/v1/accounts': () => json(200, { items: [{}], next_page_token: `t${++n}` }) });

    await expect(countAccounts()).resolves.toEqual({ count: 25, atLeast: true });
  });
});
