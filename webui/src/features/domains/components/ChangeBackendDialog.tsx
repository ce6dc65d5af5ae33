import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { usePhpVersions } from '../api/list-php-versions';
import { useUpdateDomain } from '../api/update-domain';
import type { Domain } from '../types';
import { BACKEND_FIELDS, backendDraft, backendErrors, backendFrom, type BackendDraft } from './backend-form';
import { BackendFields } from './BackendFields';

type ChangeBackendDialogProps = { domain: Domain; open: boolean; onClose: () => void };

export function ChangeBackendDialog({ domain, open, onClose }: ChangeBackendDialogProps) {
  const mutation = useUpdateDomain(domain.name);
  const finish = () => {
    mutation.reset();
    onClose();
  };
  const cancel = () => {
    if (!mutation.isPending) finish();
  };
  return (
    <Dialog open={open} onClose={cancel} title={`Backend of ${domain.unicode_name}`}>
      <ChangeBackendForm domain={domain} mutation={mutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

type FormProps = {
  domain: Domain;
  mutation: ReturnType<typeof useUpdateDomain>;
  onCancel: () => void;
  onDone: () => void;
};

function ChangeBackendForm({ domain, mutation, onCancel, onDone }: FormProps) {
  const [draft, setDraft] = useState<BackendDraft>(() => backendDraft(domain.backend));
  const phpVersions = usePhpVersions();
  const errors = useFieldErrors(BACKEND_FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!errors.validate(backendErrors(draft, phpVersions.data, domain.account))) return;
    const backend = backendFrom(draft, phpVersions.data);
    if (JSON.stringify(backend) === JSON.stringify(domain.backend)) return onCancel();
    mutation.mutate(
      { backend },
      {
        onSuccess: (saved) => {
          toast.success(`Backend of ${saved.unicode_name} changed.`);
          onDone();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <BackendFields
        draft={draft}
        onChange={(next, field) => {
          setDraft(next);
          errors.markEdited(field);
        }}
        errorFor={errors.errorFor}
        phpVersions={phpVersions}
        account={domain.account}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Change backend
        </Button>
      </div>
    </form>
  );
}
