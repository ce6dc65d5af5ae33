import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DnsRecord, DnsRecordInput } from '../types';
import { invalidateRecords } from './list-records';

/** Field errors name the record's fields: `name`, `ttl`, `address`, `text`, ... */
export function createRecord(zone: string, record: DnsRecordInput): Promise<DnsRecord> {
  return apiRequest<DnsRecord>(`/dns-zones/${encodeURIComponent(zone)}/records`, {
    method: 'POST',
    body: record,
  });
}

export function useCreateRecord(zone: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (record: DnsRecordInput) => createRecord(zone, record),
    onSuccess: () => invalidateRecords(queryClient),
  });
}
