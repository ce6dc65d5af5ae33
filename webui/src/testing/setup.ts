import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { useToasts } from '@/components/ui/Toaster';
import { useSession } from '@/lib/session';

// jsdom has no HTMLDialogElement.showModal/close yet; model the part the app relies on.
if (typeof HTMLDialogElement !== 'undefined' && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
}

// findBy*/waitFor: generous on a loaded two-core CI machine; passing tests do not wait longer.
configure({ asyncUtilTimeout: 5000 });

const initialSession = useSession.getState();

beforeEach(() => {
  useSession.setState(initialSession, true);
  useToasts.setState({ toasts: [] });
});

// "No console errors" is part of the contract: a test that logs one fails.
let consoleError: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error');
});

afterEach(() => {
  cleanup();
  const calls = consoleError.mock.calls;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  expect(calls, 'console.error was called').toEqual([]);
});
