import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, toast } from '@/components/ui';
import { Field } from '@/components/ui/Field';
import { useFieldErrors } from '@/lib/use-field-errors';
import { useUploadCertificate } from '../api/upload-certificate';
import type { Certificate, Domain } from '../types';
import { certificatesOf, PemError, privateKeyOf, readPemFile } from './pem';

type Props = { domain: Domain; certificate: Certificate; open: boolean; onClose: () => void };
type Files = { certificate: File | null; chain: File | null; key: File | null };
const FIELDS = ['chain', 'key'] as const;
const ACCEPT = '.pem,.crt,.cer,.key,.ca-bundle,text/plain,application/x-pem-file';

/**
 * A certificate bought elsewhere: its PEM files are read here and sent as base64 DER. The
 * agent checks that the key matches, the chain is in order and valid now, and that it covers
 * every name of the site and no other account's (400 on `key` or `chain` says which).
 */
export function UploadCertificateDialog({ domain, certificate, open, onClose }: Props) {
  const mutation = useUploadCertificate(domain.name);
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title={`Upload a certificate for ${domain.unicode_name}`}>
      <UploadForm
        domain={domain}
        certificate={certificate}
        mutation={mutation}
        onCancel={close}
        onDone={onClose}
      />
    </Dialog>
  );
}

type FormProps = {
  domain: Domain;
  certificate: Certificate;
  mutation: ReturnType<typeof useUploadCertificate>;
  onCancel: () => void;
  onDone: () => void;
};

function UploadForm({ domain, certificate, mutation, onCancel, onDone }: FormProps) {
  const [files, setFiles] = useState<Files>({ certificate: null, chain: null, key: null });
  const [reading, setReading] = useState(false);
  const errors = useFieldErrors(FIELDS, mutation.error);

  const choose = (which: keyof Files, field: (typeof FIELDS)[number]) => (file: File | null) => {
    setFiles((f) => ({ ...f, [which]: file }));
    errors.markEdited(field);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = {
      chain: files.certificate ? undefined : 'Choose the certificate file.',
      key: files.key ? undefined : 'Choose the private key file.',
    };
    if (!errors.validate(missing) || !files.certificate || !files.key) return;
    setReading(true);
    try {
      const certificates = [files.certificate, files.chain].filter((f): f is File => f !== null);
      const chainTexts = await readField('chain', () => Promise.all(certificates.map(readPemFile)));
      const keyText = await readField('key', () => readPemFile(files.key!));
      const body = {
        chain: await readField('chain', () => certificatesOf(chainTexts)),
        key: await readField('key', () => privateKeyOf(keyText)),
        redirect_http: certificate.redirect_http,
        hsts: certificate.hsts,
      };
      mutation.mutate(body, {
        onSuccess: () => {
          toast.success(`Certificate for ${domain.unicode_name} installed.`);
          onDone();
        },
      });
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      errors.validate({ [error.field]: error.message });
    } finally {
      setReading(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <div className="dialog__text">
        <p>
          PEM files, as the seller gives them. The key must not have a passphrase. It stays on this server and
          is never shown again.
        </p>
      </div>
      <FileField
        label="Certificate"
        hint="The site’s certificate; it may hold its chain too."
        error={errors.errorFor('chain')}
        onChoose={choose('certificate', 'chain')}
      />
      <FileField
        label="Intermediate certificates"
        hint="The CA bundle, if the seller gave one apart."
        optional
        onChoose={choose('chain', 'chain')}
      />
      <FileField
        label="Private key"
        hint="ECDSA P-256, or RSA of 2048 to 4096 bits."
        error={errors.errorFor('key')}
        onChoose={choose('key', 'key')}
      />
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={reading || mutation.isPending}>
          Upload certificate
        </Button>
      </div>
    </form>
  );
}

class FieldProblem extends Error {
  constructor(
    readonly field: (typeof FIELDS)[number],
    message: string,
  ) {
    super(message);
  }
}

/** A file's own problem (not PEM, too large, an encrypted key), named after its field. */
async function readField<T>(field: (typeof FIELDS)[number], read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PemError) throw new FieldProblem(field, error.message);
    throw error;
  }
}

type FileFieldProps = {
  label: string;
  hint: string;
  error?: string | undefined;
  optional?: boolean;
  onChoose: (file: File | null) => void;
};

function FileField({ label, hint, error, optional = false, onChoose }: FileFieldProps) {
  return (
    <Field label={label} hint={hint} error={error} required={!optional}>
      {({ inputId, describedBy, invalid }) => (
        <input
          id={inputId}
          type="file"
          className="input"
          accept={ACCEPT}
          required={!optional}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChoose(e.target.files?.[0] ?? null)}
        />
      )}
    </Field>
  );
}
