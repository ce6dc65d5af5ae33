import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { SshKey } from '../types';
import { invalidateSshKeys } from './keys';

export type CreateSshKeyInput = {
  /** One line of a .pub file; options such as command= are refused (400 on public_key). */
  public_key: string;
  /** Left out: the line's own comment, when it fits. */
  comment?: string;
};

/** 409 when the account has this key already, or 100 keys. */
export function createSshKey(input: CreateSshKeyInput): Promise<SshKey> {
  return apiRequest<SshKey>('/ssh-keys', { method: 'POST', body: input });
}

export function useCreateSshKey() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createSshKey, onSuccess: () => invalidateSshKeys(queryClient) });
}
