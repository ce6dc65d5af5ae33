import { create } from 'zustand';
import type { AuthResponse, Me } from '@/types/api';

/**
 * restoring: the app has just started and is asking /auth/refresh whether a session exists.
 * The access token lives in memory only (never Web Storage): a reload restores the session
 * from the HttpOnly refresh cookie instead.
 */
export type SessionStatus = 'restoring' | 'authenticated' | 'anonymous';

/** Why the last session ended; the login page says so when it was not the user's choice. */
export type SessionEndReason = 'logout' | 'expired' | null;

type SessionState = {
  status: SessionStatus;
  accessToken: string | null;
  user: Me | null;
  endReason: SessionEndReason;
  signIn: (auth: AuthResponse) => void;
  clear: (reason: Exclude<SessionEndReason, null>) => void;
  markAnonymous: () => void;
};

export const useSession = create<SessionState>()((set) => ({
  status: 'restoring',
  accessToken: null,
  user: null,
  endReason: null,
  signIn: (auth) =>
    set({ status: 'authenticated', accessToken: auth.access_token, user: auth.user, endReason: null }),
  clear: (reason) => set({ status: 'anonymous', accessToken: null, user: null, endReason: reason }),
  markAnonymous: () => set({ status: 'anonymous', accessToken: null, user: null }),
}));

/** Non-React access for the API client. */
export const getAccessToken = (): string | null => useSession.getState().accessToken;
