import { useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Button, Checkbox, TextArea } from '@/components/ui';
import type { ApiError } from '@/lib/api-error';
import { useFieldErrors } from '@/lib/use-field-errors';
import { commandError } from './command';
import { scheduleErrors, scheduleFrom, type ScheduleDraft, type ScheduleErrors } from './schedule';
import { ScheduleFields } from './ScheduleFields';

const FIELDS = ['schedule', 'command', 'enabled', 'account'] as const;

/** The state of a job form: schedule draft, command, enabled, and their errors. */
export function useJobForm(
  error: unknown,
  initialDraft: ScheduleDraft,
  initialCommand: string,
  initialEnabled: boolean,
) {
  const [draft, setDraft] = useState(initialDraft);
  const [scheduleTouched, setScheduleTouched] = useState(false);
  const [command, setCommand] = useState(initialCommand);
  const [enabled, setEnabled] = useState(initialEnabled);
  const [draftErrors, setDraftErrors] = useState<ScheduleErrors>({});
  const errors = useFieldErrors(FIELDS, error);
  return {
    draft,
    setDraft: (next: ScheduleDraft) => {
      setDraft(next);
      setScheduleTouched(true);
      setDraftErrors({});
      errors.markEdited('schedule');
    },
    draftErrors,
    scheduleTouched,
    schedule: scheduleFrom(draft),
    command,
    setCommand: (value: string) => {
      setCommand(value);
      errors.markEdited('command');
    },
    enabled,
    setEnabled,
    errors,
    /** Runs the form's own checks; true when it may be sent. */
    check: (accountError: string | undefined): boolean => {
      const found = scheduleErrors(draft);
      setDraftErrors(found);
      const valid = errors.validate({ command: commandError(command), account: accountError });
      return valid && Object.keys(found).length === 0;
    },
  };
}

export type JobFormState = ReturnType<typeof useJobForm>;

type JobFormProps = {
  form: JobFormState;
  onSubmit: (event: FormEvent) => void;
  onCancel: () => void;
  pending: boolean;
  error: ApiError | null;
  submitLabel: string;
  runAs: string;
  accountField?: ReactNode;
};

/** The fields and buttons of a job form; creating and editing differ only around it. */
export function JobForm({
  form,
  onSubmit,
  onCancel,
  pending,
  error,
  submitLabel,
  runAs,
  accountField,
}: JobFormProps) {
  const { errors } = form;
  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      {errors.formError ? (
        // A plan limit (403) says which limit, under the title "Plan limit reached".
        <Alert tone="error" title={error?.status === 403 ? error.title : undefined}>
          {errors.formError}
        </Alert>
      ) : null}
      {accountField}
      <ScheduleFields
        draft={form.draft}
        onChange={form.setDraft}
        errors={form.draftErrors}
        error={errors.errorFor('schedule')}
      />
      <TextArea
        label="Command"
        name="command"
        className="input--mono"
        rows={2}
        value={form.command}
        onChange={(e) => form.setCommand(e.target.value)}
        error={errors.errorFor('command')}
        hint={`One line, run by /bin/sh as ${runAs} in its home directory. % is taken literally.`}
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
      <Checkbox
        label="Enabled"
        hint="A disabled job keeps its settings but does not run."
        checked={form.enabled}
        onChange={(e) => form.setEnabled(e.target.checked)}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={pending}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
