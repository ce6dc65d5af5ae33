import { useState } from 'react';
import { ConfirmDialog, Switch, toast } from '@/components/ui';
import { useUpdateCertificate } from '../api/update-certificate';
import type { Certificate, CertificateSettings, Domain } from '../types';

type HttpsSettingsProps = { domain: Domain; certificate: Certificate; disabled: boolean };

/**
 * The redirect to HTTPS and HSTS, each taking effect at once. HSTS asks first: a browser that
 * has seen it refuses plain HTTP for the site for a year, and turning it off here cannot
 * reach the browsers that remember it.
 */
export function HttpsSettings({ domain, certificate, disabled }: HttpsSettingsProps) {
  const mutation = useUpdateCertificate(domain.name);
  const [confirmHsts, setConfirmHsts] = useState(false);
  const asked = mutation.isPending ? mutation.variables : undefined;
  const redirect = asked?.redirect_http ?? certificate.redirect_http;
  const hsts = asked?.hsts ?? certificate.hsts;

  const save = (settings: CertificateSettings, done: string, onSuccess?: () => void) =>
    mutation.mutate(settings, {
      onSuccess: () => {
        toast.success(done);
        onSuccess?.();
      },
      onError: (error) => toast.error(`Could not change the HTTPS settings: ${error.message}`),
    });

  return (
    <div className="stack">
      <SwitchRow
        label="Redirect HTTP to HTTPS"
        hint="Visitors who type http:// are sent to https://. Certificate renewals keep working."
        checked={redirect}
        pending={mutation.isPending && asked?.redirect_http !== undefined}
        disabled={disabled}
        onChange={(on) =>
          save(
            { redirect_http: on },
            on ? 'Plain HTTP now redirects to HTTPS.' : 'Plain HTTP is served again.',
          )
        }
      />
      <SwitchRow
        label="HSTS (Strict-Transport-Security)"
        hint="Off by default. Browsers that see it refuse plain HTTP for this site for a year."
        checked={hsts}
        pending={mutation.isPending && asked?.hsts !== undefined}
        disabled={disabled}
        onChange={(on) =>
          on
            ? setConfirmHsts(true)
            : save(
                { hsts: false },
                'HSTS is off. Browsers that saw it keep refusing plain HTTP until their year is over.',
              )
        }
      />
      <ConfirmDialog
        open={confirmHsts}
        title={`Turn on HSTS for ${domain.unicode_name}?`}
        confirmLabel="Turn on HSTS"
        tone="danger"
        pending={mutation.isPending}
        error={mutation.error?.message}
        onCancel={() => {
          mutation.reset();
          setConfirmHsts(false);
        }}
        onConfirm={() => save({ hsts: true }, 'HSTS is on.', () => setConfirmHsts(false))}
      >
        <p>
          Every browser that visits the site over HTTPS will remember, for one year, to use nothing but HTTPS
          for it. Turning HSTS off again does not make them forget.
        </p>
        <p>
          If the certificate then expires or HTTPS is turned off, visitors see an error they cannot click
          through, and the site is unreachable for them until a valid certificate is served again.
        </p>
      </ConfirmDialog>
    </div>
  );
}

type SwitchRowProps = {
  label: string;
  hint: string;
  checked: boolean;
  pending: boolean;
  disabled: boolean;
  onChange: (on: boolean) => void;
};

function SwitchRow({ label, hint, checked, pending, disabled, onChange }: SwitchRowProps) {
  return (
    <div>
      <span className="switch-field">
        <Switch
          aria-label={label}
          checked={checked}
          pending={pending}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span>{label}</span>
        <span className="switch-field__state" aria-hidden="true">
          {checked ? 'On' : 'Off'}
        </span>
      </span>
      <p className="field__hint">{hint}</p>
    </div>
  );
}
