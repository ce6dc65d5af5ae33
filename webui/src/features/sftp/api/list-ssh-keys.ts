import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { SshKey } from '../types';
import { sshKeysQueryRoot } from './keys';

/** An owner's own keys: at most 100, so one page of 200 holds them all. */
export function listSshKeys(signal?: AbortSignal): Promise<Page<SshKey>> {
  return apiRequest<Page<SshKey>>('/ssh-keys', { query: { limit: 200 }, signal });
}

export function useSshKeys() {
  return useQuery({
    queryKey: [...sshKeysQueryRoot, 'list'],
    queryFn: ({ signal }) => listSshKeys(signal),
  });
}
