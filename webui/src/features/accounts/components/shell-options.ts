import type { SelectOption } from '@/components/ui';
import type { AccountShell } from '@/types/api';

export const SHELL_LABELS: Record<AccountShell, string> = {
  nologin: 'No shell access (nologin)',
  bash: 'bash',
  sh: 'sh',
};

export const SHELL_OPTIONS: readonly SelectOption[] = (Object.keys(SHELL_LABELS) as AccountShell[]).map(
  (value) => ({ value, label: SHELL_LABELS[value] }),
);
