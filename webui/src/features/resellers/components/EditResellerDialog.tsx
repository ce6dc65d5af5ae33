import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, PasswordField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { passwordError } from '@/lib/validation';
import type { Reseller } from '../api/list-resellers';
import { useUpdateReseller, type UpdateResellerInput } from '../api/update-reseller';
import { draftsOf, TOTALS, totalErrors, totalsOf, type TotalDrafts } from './totals';
import { TotalsFields } from './TotalsFields';

const FIELDS = ['password', 'max_accounts', 'disk_quota_mb', 'max_domains', 'max_databases'] as const;

type EditResellerDialogProps = { reseller: Reseller | null; onClose: () => void };

/** Open while `reseller` is set: its totals, and a new password if one is typed. */
export function EditResellerDialog({ reseller, onClose }: EditResellerDialogProps) {
  return (
    <Dialog open={reseller !== null} onClose={onClose} title={`Reseller ${reseller?.name ?? ''}`}>
      {reseller ? <EditResellerForm key={reseller.name} reseller={reseller} onDone={onClose} /> : null}
    </Dialog>
  );
}

function EditResellerForm({ reseller, onDone }: { reseller: Reseller; onDone: () => void }) {
  const mutation = useUpdateReseller(reseller.name);
  const [drafts, setDrafts] = useState<TotalDrafts>(() => draftsOf(reseller));
  const [password, setPassword] = useState('');
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valid = errors.validate({
      password: password ? passwordError(password) : undefined,
      ...totalErrors(drafts),
    });
    if (!valid) return;
    // PATCH sends only what changes.
    const totals = totalsOf(drafts);
    const input: UpdateResellerInput = {};
    for (const { key } of TOTALS) if (totals[key] !== reseller[key]) input[key] = totals[key];
    if (password) input.password = password;
    mutation.mutate(input, {
      onSuccess: () => {
        toast.success(`Reseller ${reseller.name} saved.`);
        onDone();
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <TotalsFields
        drafts={drafts}
        onChange={(key, value) => {
          setDrafts((d) => ({ ...d, [key]: value }));
          errors.markEdited(key);
        }}
        errorFor={errors.errorFor}
      />
      <PasswordField
        label="New password"
        name="password"
        value={password}
        onChange={(value) => {
          setPassword(value);
          errors.markEdited('password');
        }}
        error={errors.errorFor('password')}
        hint="Leave empty to keep it. A new one ends the reseller's sessions."
      />
      <div className="dialog__footer">
        <Button onClick={onDone} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save
        </Button>
      </div>
    </form>
  );
}
