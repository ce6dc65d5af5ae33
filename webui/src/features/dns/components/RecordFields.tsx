import { Select, TextArea, TextField } from '@/components/ui';
import { RECORD_TYPES, TTL_CHOICES, type RecordDraft, type RecordField } from './record-form';
import { fullRecordName } from './RecordValue';

type RecordFieldsProps = {
  zone: string;
  draft: RecordDraft;
  onChange: (draft: RecordDraft, field: RecordField) => void;
  errorFor: (field: RecordField) => string | undefined;
};

const text = { autoComplete: 'off', autoCapitalize: 'off', spellCheck: false } as const;
const number = { type: 'number', inputMode: 'numeric', min: 0, max: 65535 } as const;

/** Type, name and TTL, then the chosen type's own fields. */
export function RecordFields({ zone, draft, onChange, errorFor }: RecordFieldsProps) {
  const field = (name: RecordField) => ({
    value: draft[name],
    error: errorFor(name),
    onChange: (e: { target: { value: string } }) => onChange({ ...draft, [name]: e.target.value }, name),
  });
  const name = draft.name.trim().toLowerCase();
  const ttlOptions = TTL_CHOICES.some((c) => c.value === draft.ttl)
    ? TTL_CHOICES
    : [...TTL_CHOICES, { value: draft.ttl, label: `${draft.ttl} seconds` }];

  return (
    <>
      <Select label="Type" options={RECORD_TYPES} {...field('type')} />
      <TextField
        label="Name"
        {...field('name')}
        hint={
          name && !errorFor('name')
            ? `Answers for ${name.startsWith('*') ? `names under ${fullRecordName(name.slice(2) || '@', zone)}` : fullRecordName(name, zone)}. Use @ for ${zone} itself.`
            : `@ for ${zone} itself, or a name such as www.`
        }
        {...text}
      />
      <Select
        label="TTL"
        options={ttlOptions}
        {...field('ttl')}
        hint="How long resolvers may keep the answer."
      />

      {draft.type === 'A' ? (
        <TextField
          label="IPv4 address"
          {...field('address')}
          hint="Such as 192.0.2.10."
          inputMode="decimal"
          {...text}
        />
      ) : null}
      {draft.type === 'AAAA' ? (
        <TextField label="IPv6 address" {...field('address')} hint="Such as 2001:db8::10." {...text} />
      ) : null}
      {draft.type === 'CNAME' ? (
        <TextField
          label="Target"
          {...field('target')}
          hint="The host name this name is an alias of, such as shop.example.net."
          {...text}
        />
      ) : null}
      {draft.type === 'MX' ? (
        <div className="field-row">
          <TextField label="Preference" {...number} {...field('preference')} hint="Lower is tried first." />
          <TextField label="Mail server" {...field('exchange')} hint="Such as mail.example.com." {...text} />
        </div>
      ) : null}
      {draft.type === 'TXT' ? (
        <TextArea
          label="Text"
          className="input--mono"
          rows={4}
          {...field('text')}
          hint="Up to 4,000 characters, on one line: line breaks are not allowed."
          {...text}
        />
      ) : null}
      {draft.type === 'SRV' ? (
        <>
          <div className="field-row">
            <TextField label="Priority" {...number} {...field('priority')} />
            <TextField label="Weight" {...number} {...field('weight')} />
            <TextField label="Port" {...number} {...field('port')} />
          </div>
          <TextField
            label="Target"
            {...field('target')}
            hint="The host that offers the service, such as sip.example.com; . for none."
            {...text}
          />
        </>
      ) : null}
      {draft.type === 'CAA' ? (
        <>
          <div className="field-row">
            <Select
              label="Tag"
              options={[
                { value: 'issue', label: 'issue — may issue certificates' },
                { value: 'issuewild', label: 'issuewild — may issue wildcards' },
                { value: 'iodef', label: 'iodef — where to report' },
              ]}
              {...field('tag')}
            />
            <Select
              label="Flags"
              options={[
                { value: '0', label: '0 — not critical' },
                { value: '128', label: '128 — critical' },
              ]}
              {...field('flags')}
            />
          </div>
          <TextField
            label="Value"
            {...field('value')}
            hint={draft.tag === 'iodef' ? 'Such as mailto:security@example.com.' : 'Such as letsencrypt.org.'}
            {...text}
          />
        </>
      ) : null}
      {draft.type === 'NS' ? (
        <TextField
          label="Nameserver"
          {...field('nameserver')}
          hint="Such as ns1.example.net: the name is answered by that server."
          {...text}
        />
      ) : null}
    </>
  );
}
