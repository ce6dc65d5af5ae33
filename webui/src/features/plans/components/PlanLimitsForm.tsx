import type { FormEvent, ReactNode } from 'react';
import { Alert, Button, Checkbox, Fieldset, TextField } from '@/components/ui';
import { PLAN_LIMITS } from '@/lib/plan-limits';
import type { useFieldErrors } from '@/lib/use-field-errors';
import { LimitField } from './LimitField';
import { LOG_RETENTION, PHP_BOUNDS } from './php-bounds';
import type { LimitDrafts, PlanField } from './plan-form';

type PlanLimitsFormProps = {
  errors: ReturnType<typeof useFieldErrors<PlanField>>;
  drafts: LimitDrafts;
  setDrafts: (update: (d: LimitDrafts) => LimitDrafts) => void;
  sshShell: boolean;
  setSshShell: (on: boolean) => void;
  phpOpenBasedir: boolean;
  setPhpOpenBasedir: (on: boolean) => void;
  onSubmit: (event: FormEvent) => void;
  onCancel: () => void;
  pending: boolean;
  submitLabel: string;
  /** Fields or notes above the limits. */
  children?: ReactNode;
};

/** The limits part of the create and edit forms, with their buttons. */
export function PlanLimitsForm(props: PlanLimitsFormProps) {
  const { errors, drafts, setDrafts, onSubmit, onCancel, pending, submitLabel, children } = props;
  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      {children}
      <p className="field__hint">Unlimited has no cap; 0 allows none. A disk quota is at least 1 MB.</p>
      <div className="grid grid--limits">
        {PLAN_LIMITS.map(({ key, label, hint, min }) => (
          <LimitField
            key={key}
            label={label}
            hint={hint}
            min={min}
            draft={drafts[key]}
            onChange={(draft) => {
              setDrafts((d) => ({ ...d, [key]: draft }));
              errors.markEdited(key);
            }}
            error={errors.errorFor(key)}
          />
        ))}
      </div>
      <Fieldset legend="PHP" hint="The most a site's PHP settings and the account's PHP pool may be set to.">
        <div className="grid grid--limits">
          {PHP_BOUNDS.map(({ key, label, hint, min }) => (
            <LimitField
              key={key}
              label={label}
              hint={hint}
              min={min}
              draft={drafts[key]}
              onChange={(draft) => {
                setDrafts((d) => ({ ...d, [key]: draft }));
                errors.markEdited(key);
              }}
              error={errors.errorFor(key)}
            />
          ))}
        </div>
      </Fieldset>
      <TextField
        label="Log retention (days)"
        type="number"
        inputMode="numeric"
        min={LOG_RETENTION.min}
        max={LOG_RETENTION.max}
        step={1}
        value={drafts[LOG_RETENTION.key].value}
        hint={`Rotated access and PHP error logs kept: ${LOG_RETENTION.min} to ${LOG_RETENTION.max} days.`}
        error={errors.errorFor(LOG_RETENTION.key)}
        onChange={(e) => {
          const value = e.target.value;
          setDrafts((d) => ({ ...d, [LOG_RETENTION.key]: { unlimited: false, value } }));
          errors.markEdited(LOG_RETENTION.key);
        }}
      />
      <Checkbox
        name="ssh_shell"
        label="Shell over SSH"
        checked={props.sshShell}
        onChange={(e) => {
          props.setSshShell(e.target.checked);
          errors.markEdited('ssh_shell');
        }}
        hint="Accounts on the plan whose login shell is bash or sh get it over SSH, not chrooted. Off: SFTP only, inside their home. A change applies to every account on the plan at once."
        error={errors.errorFor('ssh_shell')}
      />
      <Checkbox
        name="php_open_basedir"
        label="Keep PHP scripts in the account's home (open_basedir)"
        checked={props.phpOpenBasedir}
        onChange={(e) => {
          props.setPhpOpenBasedir(e.target.checked);
          errors.markEdited('php_open_basedir');
        }}
        hint="Off lets their scripts open files outside their home, a little faster: for trusted customers only. A reseller's plans keep it on. A change applies to every account on the plan at once."
        error={errors.errorFor('php_open_basedir')}
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
