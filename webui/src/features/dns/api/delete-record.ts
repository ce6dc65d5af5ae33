import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { invalidateRecords } from './list-records';

export function deleteRecord(zone: string, id: string): Promise<void> {
  return apiRequest<void>(`/dns-zones/${encodeURIComponent(zone)}/records/${encodeURIComponent(id)}`, {
    method: 'DELETE',
  });
}

export function useDeleteRecord(zone: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteRecord(zone, id),
    onSuccess: () => invalidateRecords(queryClient),
  });
}
