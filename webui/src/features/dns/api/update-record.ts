import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DnsRecord, DnsRecordInput } from '../types';
import { invalidateRecords } from './list-records';

/** Replaces the record whole: type, name, TTL and the type's fields. */
export function updateRecord(zone: string, id: string, record: DnsRecordInput): Promise<DnsRecord> {
  return apiRequest<DnsRecord>(`/dns-zones/${encodeURIComponent(zone)}/records/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body: record,
  });
}

export function useUpdateRecord(zone: string, id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (record: DnsRecordInput) => updateRecord(zone, id, record),
    onSuccess: () => invalidateRecords(queryClient),
  });
}
