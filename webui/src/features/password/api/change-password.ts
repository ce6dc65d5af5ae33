import { useMutation } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import type { AuthResponse, PasswordChange } from '@/types/api';

/**
 * The panel password. Every session of the user ends, this one included; the answer is a new
 * session for this browser, like a sign-in's (the refresh cookie rotates too). 403 when the
 * current password is wrong, 429 when too many were.
 */
export function changePassword(input: PasswordChange): Promise<AuthResponse> {
  return apiRequest<AuthResponse>('/me/password', { method: 'POST', body: input });
}

export function useChangePassword() {
  const signIn = useSession((s) => s.signIn);
  return useMutation({ mutationFn: changePassword, onSuccess: signIn });
}
