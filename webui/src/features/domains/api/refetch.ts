import type { Domain } from '../types';

const POLL_MS = 2000;

/** Pending and deleting are on their way to another state: look again until they get there. */
export function refetchWhileChanging(domains: readonly Domain[]): number | false {
  return domains.some((d) => d.status === 'pending' || d.status === 'deleting') ? POLL_MS : false;
}
