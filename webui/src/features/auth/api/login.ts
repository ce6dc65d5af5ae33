import { useMutation } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import type { AuthResponse, Schemas } from '@/types/api';

/** The request body, as the API's document states it (generated types). */
export type LoginInput = Schemas['LoginRequest'];

export function login(input: LoginInput): Promise<AuthResponse> {
  return apiRequest<AuthResponse>('/auth/login', { method: 'POST', body: input, auth: false });
}

export function useLogin() {
  const signIn = useSession((s) => s.signIn);
  return useMutation({ mutationFn: login, onSuccess: signIn });
}
