import { Alert, Button, EmptyState } from '@/components/ui';
import type { ApiError } from '@/lib/api-error';

type ListLoadErrorProps = {
  /** Plural, lower case: "databases". */
  what: string;
  /** An administrator's account filter: a 404 then means there is no such account. */
  account?: string | undefined;
  error: ApiError;
  retry: () => void;
};

/** Why a list could not be shown, with a way to try again. */
export function ListLoadError({ what, account, error, retry }: ListLoadErrorProps) {
  if (account && error.status === 404) {
    return <EmptyState title="No such account">There is no account named “{account}”.</EmptyState>;
  }
  return (
    <Alert tone="error" title={`Could not load ${what}`} action={<Button onClick={retry}>Try again</Button>}>
      {error.message}
    </Alert>
  );
}
