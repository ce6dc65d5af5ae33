import type { Suspension } from '@/types/api';

/** Longest reason the gateway accepts (docs/api.md). */
export const MAX_SUSPENSION_REASON = 500;

/** "Suspended by an administrator: <reason>", the way every page says it. */
export function describeSuspension(suspension: Suspension): string {
  const who = suspension.by === 'admin' ? 'an administrator' : 'the owner';
  const user = suspension.user ? ` (${suspension.user})` : '';
  return `Suspended by ${who}${user}${suspension.reason ? `: ${suspension.reason}` : '.'}`;
}

/** Only an administrator lifts an administrator's suspension; the owner may lift its own. */
export function ownerMayLift(suspension: Suspension | null | undefined): boolean {
  return suspension?.by === 'owner';
}
