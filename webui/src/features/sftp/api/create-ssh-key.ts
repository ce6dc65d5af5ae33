import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import type { SshKey } from '../types';
import { invalidateSshKeys } from './keys';

/** One line of a .pub file (options such as command= are refused, 400 on public_key); the
 * comment left out is the line's own, when it fits. */
export type CreateSshKeyInput = Schemas['SshKeyCreate'];

/** 409 when the account has this key already, or 100 keys. */
export function createSshKey(input: CreateSshKeyInput): Promise<SshKey> {
  return apiRequest<SshKey>('/ssh-keys', { method: 'POST', body: input });
}

export function useCreateSshKey() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createSshKey, onSuccess: () => invalidateSshKeys(queryClient) });
}
