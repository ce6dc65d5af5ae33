import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { useCreateRecord } from '../api/create-record';
import { useUpdateRecord } from '../api/update-record';
import type { DnsRecord, DnsRecordInput } from '../types';
import {
  draftFromRecord,
  RECORD_FIELDS,
  recordDraft,
  recordErrors,
  recordFrom,
  type RecordDraft,
} from './record-form';
import { RecordFields } from './RecordFields';
import { fullRecordName } from './RecordValue';

type RecordDialogProps = {
  zone: string;
  open: boolean;
  onClose: () => void;
  /** The record to edit; absent to add one. */
  record?: DnsRecord | undefined;
};

export function RecordDialog({ zone, open, onClose, record }: RecordDialogProps) {
  return record ? (
    <EditRecordDialog zone={zone} open={open} onClose={onClose} record={record} />
  ) : (
    <AddRecordDialog zone={zone} open={open} onClose={onClose} />
  );
}

function AddRecordDialog({ zone, open, onClose }: Omit<RecordDialogProps, 'record'>) {
  const mutation = useCreateRecord(zone);
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Add record">
      <RecordForm
        zone={zone}
        initial={recordDraft()}
        mutation={mutation}
        submitLabel="Add record"
        onCancel={close}
        onSaved={(saved) =>
          toast.success(`${saved.type} record for ${fullRecordName(saved.name, zone)} added.`)
        }
      />
    </Dialog>
  );
}

function EditRecordDialog({ zone, open, onClose, record }: RecordDialogProps & { record: DnsRecord }) {
  const mutation = useUpdateRecord(zone, record.id);
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Edit record">
      <RecordForm
        zone={zone}
        initial={draftFromRecord(record)}
        mutation={mutation}
        submitLabel="Save record"
        onCancel={close}
        onSaved={(saved) =>
          toast.success(`${saved.type} record for ${fullRecordName(saved.name, zone)} saved.`)
        }
      />
    </Dialog>
  );
}

type RecordMutation = ReturnType<typeof useCreateRecord> | ReturnType<typeof useUpdateRecord>;

type RecordFormProps = {
  zone: string;
  initial: RecordDraft;
  mutation: RecordMutation;
  submitLabel: string;
  onCancel: () => void;
  onSaved: (record: DnsRecord) => void;
};

function RecordForm({ zone, initial, mutation, submitLabel, onCancel, onSaved }: RecordFormProps) {
  const [draft, setDraft] = useState(initial);
  const errors = useFieldErrors(RECORD_FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!errors.validate(recordErrors(draft))) return;
    const record: DnsRecordInput = recordFrom(draft);
    mutation.mutate(record, {
      onSuccess: (saved) => {
        onSaved(saved);
        mutation.reset();
        onCancel();
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <RecordFields
        zone={zone}
        draft={draft}
        onChange={(next, field) => {
          setDraft(next);
          errors.markEdited(field);
        }}
        errorFor={errors.errorFor}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
