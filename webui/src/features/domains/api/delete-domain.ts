import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { getDomainQueryKey } from './get-domain';
import { domainsQueryRoot } from './list-domains';

export type DeleteDomainInput = { name: string; keepFiles: boolean };

/** Removes the site; its files go too unless `keepFiles`. */
export function deleteDomain({ name, keepFiles }: DeleteDomainInput): Promise<void> {
  return apiRequest<void>(`/domains/${encodeURIComponent(name)}`, {
    method: 'DELETE',
    query: { keep_files: keepFiles },
  });
}

export function useDeleteDomain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteDomain,
    onSuccess: (_data, { name }) => {
      // The detail page may still be mounted: do not refetch a 404 now.
      queryClient.removeQueries({ queryKey: getDomainQueryKey(name) });
      void queryClient.invalidateQueries({ queryKey: [...domainsQueryRoot, 'list'] });
      void queryClient.invalidateQueries({ queryKey: ['me'] });
    },
  });
}
