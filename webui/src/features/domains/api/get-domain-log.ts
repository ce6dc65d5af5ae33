import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DomainLog, LogKind } from '../types';
import { domainsQueryRoot } from './list-domains';

export type DomainLogQuery = { log: LogKind; lines: number; contains: string };

export const getDomainLogQueryKey = (name: string, query: DomainLogQuery) =>
  [...domainsQueryRoot, 'log', name, query] as const;

/** The last lines of a log; with `contains`, only lines holding that text (a plain substring). */
export function getDomainLog(name: string, query: DomainLogQuery, signal?: AbortSignal): Promise<DomainLog> {
  return apiRequest<DomainLog>(`/domains/${encodeURIComponent(name)}/logs/${query.log}`, {
    query: { lines: query.lines, contains: query.contains },
    signal,
  });
}

export function useDomainLog(name: string, query: DomainLogQuery) {
  return useQuery({
    queryKey: getDomainLogQueryKey(name, query),
    queryFn: ({ signal }) => getDomainLog(name, query, signal),
    placeholderData: keepPreviousData,
  });
}
