import { useMutation } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import type { AuthResponse } from '@/types/api';

export type LoginInput = { username: string; password: string };

export function login(input: LoginInput): Promise<AuthResponse> {
  return apiRequest<AuthResponse>('/auth/login', { method: 'POST', body: input, auth: false });
}

export function useLogin() {
  const signIn = useSession((s) => s.signIn);
  return useMutation({ mutationFn: login, onSuccess: signIn });
}
