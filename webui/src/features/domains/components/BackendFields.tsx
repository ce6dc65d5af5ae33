import { useId } from 'react';
import { Checkbox, Fieldset, Select, TextField } from '@/components/ui';
import type { usePhpVersions } from '../api/list-php-versions';
import {
  BACKEND_CHOICES,
  effectiveVersion,
  socketFolder,
  type BackendDraft,
  type BackendField,
} from './backend-form';

type BackendFieldsProps = {
  draft: BackendDraft;
  /** `field` names what changed, so its server error can be dropped. */
  onChange: (draft: BackendDraft, field: BackendField) => void;
  errorFor: (field: BackendField) => string | undefined;
  phpVersions: ReturnType<typeof usePhpVersions>;
  /** The site's account, when known: its socket folder is shown. */
  account?: string;
};

/** What serves the site: a radio choice of kind, then that kind's own fields. */
export function BackendFields({ draft, onChange, errorFor, phpVersions, account = '' }: BackendFieldsProps) {
  const group = useId();
  const set = (changes: Partial<BackendDraft>, field: BackendField) =>
    onChange({ ...draft, ...changes }, field);

  return (
    <Fieldset legend="Backend" error={errorFor('backend') ?? errorFor('backend.type')}>
      <div className="choices">
        {BACKEND_CHOICES.map((choice) => (
          <div className="choice" key={choice.type}>
            <input
              type="radio"
              id={`${group}-${choice.type}`}
              name={`${group}-type`}
              value={choice.type}
              checked={draft.type === choice.type}
              onChange={() => set({ type: choice.type }, 'backend.type')}
              aria-describedby={`${group}-${choice.type}-hint`}
            />
            <label htmlFor={`${group}-${choice.type}`} className="choice__label">
              {choice.label}
            </label>
            <p className="choice__hint" id={`${group}-${choice.type}-hint`}>
              {choice.hint}
            </p>
          </div>
        ))}
      </div>

      {draft.type === 'php' ? (
        <PhpVersionSelect
          draft={draft}
          set={set}
          error={errorFor('backend.version')}
          phpVersions={phpVersions}
        />
      ) : null}

      {draft.type === 'proxy' ? (
        <>
          <Select
            label="Application listens on"
            options={[
              { value: 'socket', label: 'A socket in the account’s folder (recommended)' },
              { value: 'port', label: 'A port on 127.0.0.1 (where the server allows it)' },
            ]}
            value={draft.proxyTarget}
            onChange={(e) =>
              set(
                { proxyTarget: e.target.value === 'port' ? 'port' : 'socket' },
                e.target.value === 'port' ? 'backend.port' : 'backend.socket_path',
              )
            }
          />
          {draft.proxyTarget === 'socket' ? (
            <TextField
              label="Socket path"
              placeholder={`${socketFolder(account)}app.sock`}
              value={draft.socketPath}
              onChange={(e) => set({ socketPath: e.target.value }, 'backend.socket_path')}
              error={errorFor('backend.socket_path')}
              autoCapitalize="off"
              spellCheck={false}
              hint={`Only the account can make it, and only the web server can connect: make it writable for others (mode 0666). Folder: ${socketFolder(account)}`}
            />
          ) : (
            <TextField
              label="Application port"
              type="number"
              inputMode="numeric"
              min={1024}
              max={65535}
              value={draft.port}
              onChange={(e) => set({ port: e.target.value }, 'backend.port')}
              error={errorFor('backend.port')}
              hint="Your application listens on 127.0.0.1 at this port (1024 to 65535, one the server allows). While it restarts, another account could take a free port: a socket cannot be taken."
            />
          )}
        </>
      ) : null}

      {draft.type === 'redirect' ? (
        <>
          <TextField
            label="Redirect to"
            type="url"
            placeholder="https://www.example.com/"
            value={draft.url}
            onChange={(e) => set({ url: e.target.value }, 'backend.url')}
            error={errorFor('backend.url')}
            autoCapitalize="off"
            spellCheck={false}
          />
          <Select
            label="Redirect type"
            options={[
              { value: '301', label: 'Permanent (301)' },
              { value: '302', label: 'Temporary (302)' },
            ]}
            value={draft.code}
            onChange={(e) => set({ code: e.target.value === '302' ? '302' : '301' }, 'backend.code')}
            error={errorFor('backend.code')}
          />
          <Checkbox
            label="Keep the path"
            checked={draft.preservePath}
            onChange={(e) => set({ preservePath: e.target.checked }, 'backend.preserve_path')}
            hint="A visit to /shop/ goes to /shop/ at the new address, not to its front page."
          />
          {errorFor('backend.preserve_path') ? (
            <p className="field__error">{errorFor('backend.preserve_path')}</p>
          ) : null}
        </>
      ) : null}
    </Fieldset>
  );
}

type PhpVersionSelectProps = {
  draft: BackendDraft;
  set: (changes: Partial<BackendDraft>, field: BackendField) => void;
  error: string | undefined;
  phpVersions: ReturnType<typeof usePhpVersions>;
};

function PhpVersionSelect({ draft, set, error, phpVersions }: PhpVersionSelectProps) {
  const versions = phpVersions.data ?? [];
  const value = effectiveVersion(draft, versions);
  // A domain may run a version that is no longer installed: keep it choosable.
  const all = value && !versions.includes(value) ? [value, ...versions] : versions;
  const options = all.map((v, i) => ({
    value: v,
    label: i === 0 && versions[0] === v ? `${v} (newest)` : v,
  }));
  const hint = phpVersions.isPending
    ? 'Loading the installed versions…'
    : phpVersions.isError
      ? `The installed versions could not be loaded (${phpVersions.error.message}).`
      : undefined;
  return (
    <Select
      label="PHP version"
      options={options.length > 0 ? options : [{ value: '', label: '—' }]}
      value={value}
      disabled={options.length === 0}
      onChange={(e) => set({ version: e.target.value }, 'backend.version')}
      error={error}
      hint={hint}
    />
  );
}
