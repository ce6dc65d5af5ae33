// The API's database shapes (docs/api.md, "Databases and database users"), from the generated
// types; only this feature reads them.
import type { Schemas } from '@/types/api';

export type Database = Schemas['Database'];
export type DatabaseUser = Schemas['DatabaseUser'];
export type DatabaseStatus = Database['status'];
