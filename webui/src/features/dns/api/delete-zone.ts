import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { getZoneQueryKey } from './get-zone';
import { dnsQueryRoot } from './keys';

/** The server stops answering for the zone; its records are gone. */
export function deleteZone(name: string): Promise<void> {
  return apiRequest<void>(`/dns-zones/${encodeURIComponent(name)}`, { method: 'DELETE' });
}

export function useDeleteZone() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteZone,
    onSuccess: (_data, name) => {
      // The zone page may still be mounted: do not refetch a 404 now.
      queryClient.removeQueries({ queryKey: getZoneQueryKey(name) });
      queryClient.removeQueries({ queryKey: [...dnsQueryRoot, 'records', name] });
      void queryClient.invalidateQueries({ queryKey: [...dnsQueryRoot, 'list'] });
      void queryClient.invalidateQueries({ queryKey: ['server'] });
    },
  });
}
