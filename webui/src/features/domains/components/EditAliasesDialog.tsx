import { type FormEvent } from 'react';
import { Alert, Button, Dialog, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { useUpdateDomain } from '../api/update-domain';
import type { Domain } from '../types';
import { aliasErrors, aliasesFrom, aliasField, useAliasRows } from './alias-rows';
import { AliasesEditor } from './AliasesEditor';

type EditAliasesDialogProps = { domain: Domain; open: boolean; onClose: () => void };

export function EditAliasesDialog({ domain, open, onClose }: EditAliasesDialogProps) {
  const mutation = useUpdateDomain(domain.name);
  const finish = () => {
    mutation.reset();
    onClose();
  };
  const cancel = () => {
    if (!mutation.isPending) finish();
  };
  return (
    <Dialog open={open} onClose={cancel} title={`Aliases of ${domain.unicode_name}`}>
      <EditAliasesForm domain={domain} mutation={mutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

type FormProps = {
  domain: Domain;
  mutation: ReturnType<typeof useUpdateDomain>;
  onCancel: () => void;
  onDone: () => void;
};

function EditAliasesForm({ domain, mutation, onCancel, onDone }: FormProps) {
  const aliases = useAliasRows(domain.aliases);
  const fields = ['aliases', ...aliases.rows.map((_, i) => aliasField(i))];
  const errors = useFieldErrors(fields, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!errors.validate(aliasErrors(aliases.rows, domain.unicode_name))) return;
    const next = aliasesFrom(aliases.rows);
    if (next.join('\n') === domain.aliases.join('\n')) return onCancel();
    mutation.mutate(
      { aliases: next },
      {
        onSuccess: (saved) => {
          toast.success(`Aliases of ${saved.unicode_name} saved.`);
          onDone();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? (
        <Alert tone="error" title={mutation.error?.status === 403 ? mutation.error.title : undefined}>
          {errors.formError}
        </Alert>
      ) : null}
      <AliasesEditor
        rows={aliases.rows}
        onAdd={aliases.add}
        onRemove={aliases.remove}
        onUpdate={aliases.update}
        errorFor={errors.errorFor}
        markEdited={errors.markEdited}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save aliases
        </Button>
      </div>
    </form>
  );
}
