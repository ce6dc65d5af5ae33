import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, Select, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { usePhpPool } from '../api/get-php-pool';
import { useUpdatePhpPool } from '../api/update-php-pool';
import type { PhpPool, ProcessManager } from '../types';

const FIELDS = ['pm', 'max_children'] as const;

type PmOption = { value: ProcessManager; label: string };

const PM_OPTIONS: readonly PmOption[] = [
  { value: 'ondemand', label: 'On demand: workers start with requests' },
  { value: 'dynamic', label: 'Dynamic: one worker always waits' },
];
const STATIC_OPTION: PmOption = { value: 'static', label: 'Static: every worker always runs' };

const PM_HINT =
  'On demand frees memory when the sites are idle (workers stop after 10 seconds); dynamic answers the first request sooner.';
const STATIC_HINT =
  ' Static keeps every worker running, so no request waits for one, at the memory of every worker while idle.';

type PhpPoolCardProps = {
  account: string;
  /** Whose words: the owner reads "your plan", an administrator "the plan". */
  area: 'admin' | 'panel';
};

/** The account's PHP-FPM pool limits: how workers start, and how many may run at once. */
export function PhpPoolCard({ account, area }: PhpPoolCardProps) {
  const pool = usePhpPool(account);
  return (
    <Card title="PHP workers">
      {pool.isPending ? <p className="muted">Loading the PHP pool…</p> : null}
      {pool.isError ? (
        <Alert
          tone="error"
          title="Could not load the PHP pool"
          action={<Button onClick={() => void pool.refetch()}>Try again</Button>}
        >
          {pool.error.message}
        </Alert>
      ) : null}
      {pool.data ? (
        // Keyed on the answer: a save, or a plan change that moves the bound or grants static pools,
        // starts the form afresh.
        <PhpPoolForm
          key={`${pool.data.pm}:${pool.data.max_children}:${pool.data.max_children_bound}:${pool.data.static_allowed}`}
          account={account}
          area={area}
          current={pool.data}
        />
      ) : null}
    </Card>
  );
}

type FormProps = { account: string; area: 'admin' | 'panel'; current: PhpPool };

function PhpPoolForm({ account, area, current }: FormProps) {
  const mutation = useUpdatePhpPool(account);
  const errors = useFieldErrors(FIELDS, mutation.error);
  const [pm, setPm] = useState<ProcessManager>(current.pm);
  const [children, setChildren] = useState(String(current.max_children));
  const bound = current.max_children_bound;
  // A pool already static keeps its option whatever the plan says: the select shows what runs.
  const staticOffered = current.static_allowed || current.pm === 'static';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const n = Number(children.trim());
    const wrong = !/^\d+$/.test(children.trim()) || n < 1 || n > bound;
    if (!errors.validate({ max_children: wrong ? `Enter a whole number from 1 to ${bound}.` : undefined }))
      return;
    mutation.mutate(
      { pm, max_children: n },
      { onSuccess: () => toast.success(`PHP workers of ${account} saved.`) },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="PHP workers">
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <p className="field__hint">
        Each PHP version the account&apos;s sites use runs its own pool with these limits.
      </p>
      <p className="field__hint">
        {current.open_basedir
          ? `Scripts open files only in the account's home (open_basedir), as ${area === 'panel' ? 'your' : 'the'} plan says.`
          : `Scripts may open files outside the account's home: ${area === 'panel' ? 'your' : 'the'} plan sets no open_basedir.`}
      </p>
      <Select
        label="Process manager"
        options={staticOffered ? [...PM_OPTIONS, STATIC_OPTION] : PM_OPTIONS}
        value={pm}
        error={errors.errorFor('pm')}
        hint={staticOffered ? PM_HINT + STATIC_HINT : PM_HINT}
        onChange={(e) => {
          errors.markEdited('pm');
          setPm(e.target.value as ProcessManager);
        }}
      />
      <TextField
        label="Most workers at once"
        inputMode="numeric"
        value={children}
        error={errors.errorFor('max_children')}
        hint={`Requests served at the same time by each pool: 1 to ${bound} on ${area === 'panel' ? 'your' : 'the'} plan.`}
        onChange={(e) => {
          errors.markEdited('max_children');
          setChildren(e.target.value);
        }}
      />
      <div className="form__actions">
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save PHP workers
        </Button>
      </div>
    </form>
  );
}
