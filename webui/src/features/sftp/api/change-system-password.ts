import { useMutation } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { PasswordChange } from '@/types/api';

/** The SFTP password, confirmed by the panel password; the panel password and session stay. */
export function changeSystemPassword(input: PasswordChange): Promise<void> {
  return apiRequest<void>('/me/system-password', { method: 'POST', body: input });
}

export function useChangeSystemPassword() {
  return useMutation({ mutationFn: changeSystemPassword });
}
