import { useSession } from '@/lib/session';

/** The signed-in owner's account name (empty for administrators). */
export function useOwnAccountName(): string {
  return useSession((s) => (s.user?.role === 'owner' ? (s.user.account?.name ?? s.user.name) : ''));
}
