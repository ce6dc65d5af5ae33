import { useState, type FormEvent } from 'react';
import { Alert, Button, Select, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { emailError } from '@/lib/validation';
import { useSetCertificateSettings } from '../api/set-certificate-settings';
import type { CertificateAuthority } from '../types';
import {
  choiceOf,
  DIRECTORY_CHOICES,
  directoryUrlError,
  urlOf,
  type DirectoryChoice,
} from './acme-directories';

const FIELDS = ['directory_url', 'email'] as const;

/** Where certificates are ordered from (the sites' and the panel's), and who the CA warns. */
export function CertificateAuthorityForm({ settings }: { settings: CertificateAuthority }) {
  const mutation = useSetCertificateSettings();
  const errors = useFieldErrors(FIELDS, mutation.error);
  const [choice, setChoice] = useState<DirectoryChoice>(() => choiceOf(settings.directory_url));
  const [custom, setCustom] = useState(() =>
    choiceOf(settings.directory_url) === 'custom' ? settings.directory_url : '',
  );
  const [email, setEmail] = useState(settings.email ?? '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const directory_url = urlOf(choice, custom);
    const contact = email.trim();
    const found = {
      directory_url: choice === 'custom' ? directoryUrlError(directory_url) : undefined,
      email: emailError(contact),
    };
    if (!errors.validate(found)) return;
    mutation.mutate(
      { directory_url, email: contact },
      { onSuccess: () => toast.success('Certificate authority saved.') },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Certificate authority">
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <Select
        label="ACME directory"
        options={DIRECTORY_CHOICES}
        value={choice}
        // A preset names the URL itself; a custom URL's error shows beside the URL field.
        error={choice === 'custom' ? undefined : errors.errorFor('directory_url')}
        hint="New orders and renewals use it; certificates already installed are kept."
        onChange={(e) => {
          errors.markEdited('directory_url');
          setChoice(e.target.value as DirectoryChoice);
        }}
      />
      {choice === 'custom' ? (
        <TextField
          label="Directory URL"
          type="url"
          inputMode="url"
          value={custom}
          error={errors.errorFor('directory_url')}
          hint="The https URL of the ACME server's directory, such as https://acme.example.net/directory."
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => {
            errors.markEdited('directory_url');
            setCustom(e.target.value);
          }}
        />
      ) : null}
      <TextField
        label="Contact e-mail"
        type="email"
        value={email}
        required={false}
        error={errors.errorFor('email')}
        hint="The CA writes here about expiring certificates and problems; leave empty for none."
        autoComplete="email"
        onChange={(e) => {
          errors.markEdited('email');
          setEmail(e.target.value);
        }}
      />
      <div className="form__actions">
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save certificate authority
        </Button>
      </div>
    </form>
  );
}
