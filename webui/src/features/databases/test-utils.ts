import type { Database, DatabaseUser } from './types';

export function makeDatabase(overrides: Partial<Database> = {}): Database {
  return {
    name: 'alice_shop',
    account: 'alice',
    status: 'active',
    size_bytes: 3 * 1024 * 1024 + 200 * 1024,
    users: [],
    created_at: '2025-01-02T03:04:05Z',
    ...overrides,
  };
}

export function makeDatabaseUser(overrides: Partial<DatabaseUser> = {}): DatabaseUser {
  return {
    name: 'alice_rw',
    account: 'alice',
    status: 'active',
    databases: [],
    created_at: '2025-01-02T03:04:05Z',
    ...overrides,
  };
}

export const page = <T>(items: T[], next: string | null = null) => ({ items, next_page_token: next });
