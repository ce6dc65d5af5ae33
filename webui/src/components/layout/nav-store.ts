import { create } from 'zustand';

/** Whether the sidebar is open on narrow screens (on wide screens it is always shown). */
type NavState = { open: boolean; setOpen: (open: boolean) => void; toggle: () => void };

export const useNav = create<NavState>()((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
  toggle: () => set((s) => ({ open: !s.open })),
}));
