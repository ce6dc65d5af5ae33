import { useState, type FormEvent } from 'react';
import { Alert, Button, TextArea, TextField } from '@/components/ui';
import { splitFormErrors } from '@/lib/form-errors';
import { toast } from '@/components/ui';
import { useCreateSshKey } from '../api/create-ssh-key';

const FIELDS = ['public_key', 'comment'] as const;

export function AddSshKeyForm() {
  const [line, setLine] = useState('');
  const [comment, setComment] = useState('');
  const create = useCreateSshKey();
  const errors = splitFormErrors(create.error, FIELDS);

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = { public_key: line.trim(), ...(comment.trim() ? { comment: comment.trim() } : {}) };
    create.mutate(input, {
      onSuccess: (key) => {
        setLine('');
        setComment('');
        toast.success(`Key added: ${key.fingerprint}`);
      },
    });
  }

  return (
    <form className="stack" aria-label="Add an SSH key" onSubmit={submit} noValidate>
      {errors.form ? (
        <Alert tone="error" title="Key not added">
          {errors.form}
        </Alert>
      ) : null}
      <TextArea
        label="Public key"
        value={line}
        onChange={(e) => setLine(e.target.value)}
        error={errors.fields.public_key}
        hint="One line of your .pub file, such as ~/.ssh/id_ed25519.pub. Options like command= are not allowed."
        rows={3}
        spellCheck={false}
        className="input--mono"
      />
      <TextField
        label="Name"
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        error={errors.fields.comment}
        hint="Left empty, the key's own comment."
        required={false}
        maxLength={100}
      />
      <div>
        <Button type="submit" variant="primary" pending={create.isPending}>
          Add key
        </Button>
      </div>
    </form>
  );
}
