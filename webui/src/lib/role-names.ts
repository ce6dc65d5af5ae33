import type { Role } from '@/types/api';

/** A role as the panel names it to people (the sidebar, "Your password"). */
export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  admin: 'Administrator',
  reseller: 'Reseller',
  owner: 'Account owner',
};
