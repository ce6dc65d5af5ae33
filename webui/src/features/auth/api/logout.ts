import { useMutation } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { useSession } from '@/lib/session';

/** Revokes the refresh cookie's family on the gateway. */
export function logout(): Promise<void> {
  return apiRequest<void>('/auth/logout', { method: 'POST', auth: false });
}

/** The local session ends whatever the gateway answers: signing out must always work. */
export function useLogout() {
  const clear = useSession((s) => s.clear);
  return useMutation({ mutationFn: logout, onSettled: () => clear('logout') });
}
