import type { FormEvent, ReactNode } from 'react';
import { Alert, Button, Checkbox, Fieldset, TextField } from '@/components/ui';
import { PLAN_LIMITS } from '@/lib/plan-limits';
import type { useFieldErrors } from '@/lib/use-field-errors';
import type { PlanSettings } from '@/types/api';
import { LimitField } from './LimitField';
import { LOG_RETENTION, PHP_BOUNDS } from './php-bounds';
import { PLAN_SETTINGS, type LimitDrafts, type PlanField } from './plan-form';

type PlanLimitsFormProps = {
  errors: ReturnType<typeof useFieldErrors<PlanField>>;
  drafts: LimitDrafts;
  setDrafts: (update: (d: LimitDrafts) => LimitDrafts) => void;
  settings: PlanSettings;
  setSettings: (update: (s: PlanSettings) => PlanSettings) => void;
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
      {PLAN_SETTINGS.map(({ key, label, hint }) => (
        <Checkbox
          key={key}
          name={key}
          label={label}
          checked={props.settings[key]}
          onChange={(e) => {
            const on = e.target.checked;
            props.setSettings((s) => ({ ...s, [key]: on }));
            errors.markEdited(key);
          }}
          hint={hint}
          error={errors.errorFor(key)}
        />
      ))}
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
