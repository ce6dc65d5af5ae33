import { Fieldset, Select, TextField } from '@/components/ui';
import {
  CRON_FIELDS,
  describeSchedule,
  MINUTE_STEPS,
  PRESETS,
  scheduleFrom,
  WEEKDAYS,
  type Preset,
  type ScheduleDraft,
  type ScheduleErrors,
} from './schedule';

type ScheduleFieldsProps = {
  draft: ScheduleDraft;
  onChange: (draft: ScheduleDraft) => void;
  /** The form's own checks, by field. */
  errors: ScheduleErrors;
  /** The gateway's error about the schedule as a whole. */
  error?: string | undefined;
};

const MONTH_DAYS = Array.from({ length: 31 }, (_, i) => ({ value: String(i + 1), label: String(i + 1) }));

/** When a job runs: a preset and its few settings, or the five crontab fields. */
export function ScheduleFields({ draft, onChange, errors, error }: ScheduleFieldsProps) {
  const set = (changes: Partial<ScheduleDraft>) => onChange({ ...draft, ...changes });
  const schedule = scheduleFrom(draft);
  const words = describeSchedule(schedule);

  return (
    <Fieldset legend="Schedule" error={error} hint="Times are the server’s clock.">
      <Select
        label="Runs"
        value={draft.preset}
        onChange={(e) => set({ preset: e.target.value as Preset })}
        options={PRESETS}
      />

      {draft.preset === 'minutes' ? (
        <Select
          label="Interval"
          value={draft.step}
          onChange={(e) => set({ step: e.target.value })}
          options={MINUTE_STEPS.map((s) => ({ value: s, label: `Every ${s} minutes` }))}
        />
      ) : null}

      {draft.preset === 'hour' ? (
        <TextField
          label="Minute past the hour"
          type="number"
          inputMode="numeric"
          min={0}
          max={59}
          value={draft.minute}
          onChange={(e) => set({ minute: e.target.value })}
          error={errors.minute}
          hint="0 to 59; 0 runs on the hour."
        />
      ) : null}

      {draft.preset === 'week' || draft.preset === 'month' || draft.preset === 'day' ? (
        <div className="field-row">
          {draft.preset === 'week' ? (
            <Select
              label="Day"
              value={draft.weekday}
              onChange={(e) => set({ weekday: e.target.value })}
              options={WEEKDAYS.map((day, i) => ({ value: String(i), label: day }))}
            />
          ) : null}
          {draft.preset === 'month' ? (
            <Select
              label="Day of the month"
              value={draft.monthDay}
              onChange={(e) => set({ monthDay: e.target.value })}
              options={MONTH_DAYS}
              hint={Number(draft.monthDay) > 28 ? 'Months without this day are skipped.' : undefined}
            />
          ) : null}
          <TextField
            label="Time"
            type="time"
            step={60}
            value={draft.time}
            onChange={(e) => set({ time: e.target.value })}
            error={errors.time}
          />
        </div>
      ) : null}

      {draft.preset === 'custom' ? (
        <div className="field-row">
          {CRON_FIELDS.map((f) => (
            <TextField
              key={f.key}
              label={f.label}
              className="input--mono"
              value={draft.custom[f.key]}
              onChange={(e) => set({ custom: { ...draft.custom, [f.key]: e.target.value } })}
              error={errors[f.key]}
              hint={f.hint}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
            />
          ))}
        </div>
      ) : null}

      <output className="field__hint" aria-label="Schedule preview">
        {words ? `${words}: ` : 'Custom schedule: '}
        <code>{schedule}</code>
      </output>
    </Fieldset>
  );
}
