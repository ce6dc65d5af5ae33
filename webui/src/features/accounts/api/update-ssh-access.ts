import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { sshAccessQueryKey, type SshAccess } from './get-ssh-access';

export type UpdateSshAccessInput = Schemas['SshAccessUpdate'];

/** Switches the owner's SFTP/SSH sign-in on or off (administrators only). */
export function updateSshAccess(input: UpdateSshAccessInput): Promise<SshAccess> {
  return apiRequest<SshAccess>('/ssh-access', { method: 'PUT', body: input });
}

export function useUpdateSshAccess() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateSshAccess,
    onSuccess: (access) => queryClient.setQueryData(sshAccessQueryKey(access.account), access),
  });
}
