import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { SshAccess } from '../types';
import { sshAccessQueryKey } from './keys';

/** Whether the owner may sign in over SFTP: an administrator's switch, read-only here. */
export function getSshAccess(signal?: AbortSignal): Promise<SshAccess> {
  return apiRequest<SshAccess>('/ssh-access', { signal });
}

export function useSshAccess() {
  return useQuery({ queryKey: sshAccessQueryKey, queryFn: ({ signal }) => getSshAccess(signal) });
}
