// Shapes of docs/api.md's "Databases and database users" section; only this feature reads them.

export type DatabaseStatus = 'pending' | 'active' | 'deleting';

export type Database = {
  /** Starts with "<account>_". */
  name: string;
  account: string;
  status: DatabaseStatus;
  /** Data and index size; null when the server could not measure it. */
  size_bytes: number | null;
  /** Database users that may use it. */
  users: string[];
  created_at: string;
};

export type DatabaseUser = {
  /** Starts with "<account>_". */
  name: string;
  account: string;
  status: DatabaseStatus;
  /** Databases it may use, all of its own account. */
  databases: string[];
  created_at: string;
};
