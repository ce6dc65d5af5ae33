import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ownerUser } from '@/testing/fixtures';
import { json, problem, type MockRequest } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { domainsServer, makeCertificate, makeDomain } from '../test-utils';
import type { Certificate, CertificateJob } from '../types';

const CERT_PATH = '/api/v1/domains/example.com/certificate';
const site = makeDomain({ aliases: ['www.example.com'] });
const REASON =
  'www.example.com does not resolve to this server: it has no address. Point its A (and AAAA) record at this server.';
const issued = makeCertificate({
  status: 'valid',
  names: ['example.com', 'www.example.com'],
  issuer: 'CN=Pebble Intermediate CA 6d3f39',
  not_after: '2027-03-05T10:00:00Z',
  last_attempt_at: '2026-12-05T10:00:00Z',
});

const JOB_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const JOB_PATH = `/api/v1/jobs/${JOB_ID}`;

/** The order's job as GET /jobs/{id} shows it. */
function makeJob(overrides: Partial<CertificateJob> = {}): CertificateJob {
  return {
    id: JOB_ID,
    account: 'alice',
    kind: 'certificate',
    state: 'queued',
    stage: 'queued',
    percent: 0,
    bytes_done: 0,
    bytes_total: 0,
    files_done: 0,
    files_total: 0,
    subject: 'example.com',
    result: '',
    error: '',
    created_by: 'alice',
    origin: 'owner',
    created_at: '2026-12-05T10:00:00Z',
    started_at: null,
    finished_at: null,
    ...overrides,
  };
}

const card = () => screen.getByRole('region', { name: 'HTTPS certificate' });
const fact = (term: string) => within(card()).getByText(term, { selector: 'dt' }).nextElementSibling;

/** The certificate endpoints over one record the test can read and change. */
function certificateServer(
  initial: Certificate,
  routes: Record<string, (req: MockRequest) => Response> = {},
) {
  const state = { certificate: initial };
  const api = domainsServer([site], {
    [`GET ${CERT_PATH}`]: () => json(200, state.certificate),
    [`PATCH ${CERT_PATH}`]: (req) =>
      json(200, (state.certificate = { ...state.certificate, ...(req.body as Partial<Certificate>) })),
    ...routes,
  });
  return { api, state };
}

async function openSite() {
  signInAs(ownerUser());
  const rendered = renderApp('/panel/domains/example.com');
  // The loading card is replaced by the loaded one: wait for the latter's facts.
  await screen.findByText('Certificate', { selector: 'dt' });
  return rendered;
}

describe('a website’s certificate', () => {
  it('orders one for the site and its aliases, follows the order’s stages, then shows what it covers', async () => {
    const job = { current: makeJob({ stage: 'queued' }) }; // what the next read answers
    const { api, state } = certificateServer(makeCertificate(), {
      [`POST ${CERT_PATH}`]: () => {
        state.certificate = makeCertificate({ status: 'issuing', job_id: JOB_ID });
        return json(202, job.current);
      },
      [`GET ${JOB_PATH}`]: () => json(200, job.current),
    });
    const { user } = await openSite();

    expect(fact('Certificate')).toHaveTextContent('No certificate');
    expect(fact('Last attempt')).toHaveTextContent('Never');
    expect(within(card()).getByText(/plain HTTP only/)).toBeInTheDocument();
    // No switches before a certificate is installed: PATCH would be 404.
    expect(within(card()).queryByRole('switch')).not.toBeInTheDocument();

    job.current = makeJob({ state: 'running', stage: 'validating' });
    await user.click(within(card()).getByRole('button', { name: 'Issue certificate' }));

    const bar = await within(card()).findByRole('meter', { name: 'Certificate order' });
    await waitFor(() =>
      expect(bar).toHaveAttribute('aria-valuetext', 'The certificate authority is checking the names'),
    );
    expect(bar).toHaveAttribute('aria-valuenow', '60');
    // No second order, no upload while this one runs.
    expect(within(card()).getByRole('button', { name: 'Issue certificate' })).toBeDisabled();
    expect(within(card()).getByRole('button', { name: 'Upload certificate' })).toBeDisabled();

    state.certificate = issued;
    job.current = makeJob({ state: 'succeeded', stage: 'done', percent: 100 });
    await waitFor(() => expect(fact('Certificate')).toHaveTextContent('Valid'), { timeout: 4000 });
    expect(within(card()).getByText('The certificate was issued and installed.')).toBeInTheDocument();
    expect(within(card()).queryByRole('meter', { name: 'Certificate order' })).not.toBeInTheDocument();
    expect(fact('Names')).toHaveTextContent('example.comwww.example.com');
    expect(fact('Issuer')).toHaveTextContent('Pebble Intermediate CA');
    expect(fact('Valid until')).toHaveTextContent('2027');
    expect(fact('Source')).toHaveTextContent('renewed on its own');
    expect(api.to('POST', CERT_PATH).map((r) => r.body)).toEqual([{ redirect_http: false, hsts: false }]);
    expect(within(card()).getByRole('button', { name: 'Renew now' })).toBeEnabled();
  });

  it('says in the owner’s words why the CA refused, from the recorded attempt', async () => {
    const job = { current: makeJob({ stage: 'queued' }) }; // what the next read answers
    const { state } = certificateServer(makeCertificate(), {
      [`POST ${CERT_PATH}`]: () => {
        state.certificate = makeCertificate({
          status: 'failed',
          last_error: REASON,
          last_attempt_at: '2026-12-05T10:00:00Z',
        });
        job.current = makeJob({ state: 'failed', stage: 'failed', error: REASON });
        return json(202, makeJob({ stage: 'queued' }));
      },
      [`GET ${JOB_PATH}`]: () => json(200, job.current),
    });
    const { user } = await openSite();

    await user.click(within(card()).getByRole('button', { name: 'Issue certificate' }));

    const alert = await within(card()).findByText('The certificate was not issued');
    expect(alert.closest('[role="alert"], .alert')).toHaveTextContent(REASON);
    expect(fact('Certificate')).toHaveTextContent('Failed');
    expect(fact('Last attempt')).not.toHaveTextContent('Never');
    expect(within(card()).queryByText('The certificate was issued and installed.')).not.toBeInTheDocument();
    expect(within(card()).getByRole('button', { name: 'Issue certificate' })).toBeEnabled();
  });

  it('follows an order already under way when the page opens, and a 409 names no second one', async () => {
    const { api } = certificateServer(makeCertificate({ status: 'issuing', job_id: JOB_ID }), {
      [`GET ${JOB_PATH}`]: () => json(200, makeJob({ state: 'running', stage: 'preflight' })),
      [`POST ${CERT_PATH}`]: () => problem(409, { title: 'Certificate order under way', detail: JOB_ID }),
    });
    await openSite();

    const bar = await within(card()).findByRole('meter', { name: 'Certificate order' });
    expect(bar).toHaveAttribute('aria-valuetext', 'Checking that the names reach this server');
    expect(within(card()).getByRole('button', { name: 'Issue certificate' })).toBeDisabled();
    expect(api.to('POST', CERT_PATH)).toHaveLength(0);
  });

  it('cancels an order under way, says so, and offers a new one', async () => {
    const CANCELLED = 'The order was cancelled before a certificate was installed.';
    const job = { current: makeJob({ state: 'running', stage: 'ordering' }) };
    const { api, state } = certificateServer(makeCertificate({ status: 'issuing', job_id: JOB_ID }), {
      [`GET ${JOB_PATH}`]: () => json(200, job.current),
      [`POST ${JOB_PATH}/cancel`]: () => {
        state.certificate = makeCertificate({ status: 'failed', last_error: CANCELLED });
        job.current = makeJob({ state: 'cancelled', stage: 'cancelled', error: 'cancelled' });
        return json(200, job.current);
      },
    });
    const { user } = await openSite();

    await within(card()).findByRole('meter', { name: 'Certificate order' });
    await user.click(within(card()).getByRole('button', { name: 'Cancel order' }));

    expect(await within(card()).findByText('The order was cancelled.')).toBeInTheDocument();
    expect(within(card()).queryByRole('meter', { name: 'Certificate order' })).not.toBeInTheDocument();
    await waitFor(() =>
      expect(within(card()).getByRole('button', { name: 'Issue certificate' })).toBeEnabled(),
    );
    expect(within(card()).getByText(CANCELLED)).toBeInTheDocument();
    expect(api.to('POST', `${JOB_PATH}/cancel`)).toHaveLength(1);
  });

  it('offers no cancel once the order is installing', async () => {
    certificateServer(makeCertificate({ status: 'issuing', job_id: JOB_ID }), {
      [`GET ${JOB_PATH}`]: () => json(200, makeJob({ state: 'running', stage: 'installing' })),
    });
    await openSite();

    await within(card()).findByRole('meter', { name: 'Certificate order' });
    expect(within(card()).getByRole('button', { name: 'Cancel order' })).toBeDisabled();
  });

  it('keeps showing the served certificate when a renewal failed, and renews with the same settings', async () => {
    const { api } = certificateServer(
      { ...issued, status: 'failed', last_error: REASON, redirect_http: true },
      {
        [`POST ${CERT_PATH}`]: () => json(202, makeJob({ stage: 'queued' })),
        [`GET ${JOB_PATH}`]: () => json(200, makeJob({ state: 'running', stage: 'ordering' })),
      },
    );
    const { user } = await openSite();

    expect(within(card()).getByText('The last renewal failed')).toBeInTheDocument();
    expect(within(card()).getByText(/still served until it expires/)).toBeInTheDocument();
    expect(fact('Valid until')).toHaveTextContent('2027');

    await user.click(within(card()).getByRole('button', { name: 'Renew now' }));
    await waitFor(() => expect(api.to('POST', CERT_PATH)).toHaveLength(1));
    expect(api.to('POST', CERT_PATH)[0]!.body).toEqual({ redirect_http: true, hsts: false });
    expect(await within(card()).findByRole('meter', { name: 'Certificate order' })).toBeInTheDocument();
  });

  it('turns the redirect on at once, and HSTS only after a warning', async () => {
    const { api } = certificateServer(issued);
    const { user } = await openSite();

    await user.click(within(card()).getByRole('switch', { name: 'Redirect HTTP to HTTPS' }));
    await waitFor(() =>
      expect(within(card()).getByRole('switch', { name: 'Redirect HTTP to HTTPS' })).toBeChecked(),
    );
    expect(api.to('PATCH', CERT_PATH).map((r) => r.body)).toEqual([{ redirect_http: true }]);

    const hsts = within(card()).getByRole('switch', { name: 'HSTS (Strict-Transport-Security)' });
    expect(hsts).not.toBeChecked();
    await user.click(hsts);
    const warning = screen.getByRole('dialog', { name: 'Turn on HSTS for example.com?' });
    expect(warning).toHaveTextContent('for one year');
    expect(warning).toHaveTextContent('Turning HSTS off again does not make them forget');
    await user.click(within(warning).getByRole('button', { name: 'Cancel' }));
    expect(api.to('PATCH', CERT_PATH)).toHaveLength(1);
    expect(hsts).not.toBeChecked();

    await user.click(hsts);
    await user.click(
      within(screen.getByRole('dialog', { name: 'Turn on HSTS for example.com?' })).getByRole('button', {
        name: 'Turn on HSTS',
      }),
    );
    await waitFor(() => expect(hsts).toBeChecked());
    expect(api.to('PATCH', CERT_PATH).map((r) => r.body)).toEqual([{ redirect_http: true }, { hsts: true }]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('turns HSTS off without asking, and says browsers remember it', async () => {
    const { api } = certificateServer({ ...issued, hsts: true });
    const { user } = await openSite();

    await user.click(within(card()).getByRole('switch', { name: 'HSTS (Strict-Transport-Security)' }));

    expect(await screen.findByText(/Browsers that saw it keep refusing plain HTTP/)).toBeInTheDocument();
    expect(api.to('PATCH', CERT_PATH).map((r) => r.body)).toEqual([{ hsts: false }]);
  });

  it('uploads a bought certificate and key as base64 DER, the key as PKCS#8', async () => {
    const { api, state } = certificateServer(makeCertificate(), {
      [`POST ${CERT_PATH}/upload`]: () =>
        json(200, (state.certificate = { ...issued, source: 'upload', issuer: 'CN=Bought CA' })),
    });
    const { user } = await openSite();

    await user.click(within(card()).getByRole('button', { name: 'Upload certificate' }));
    const dialog = screen.getByRole('dialog', { name: 'Upload a certificate for example.com' });
    await user.upload(within(dialog).getByLabelText('Certificate'), pemFile('example.com.crt', LEAF));
    await user.upload(within(dialog).getByLabelText(/Intermediate certificates/), pemFile('ca.crt', LEAF));
    await user.upload(within(dialog).getByLabelText('Private key'), pemFile('example.com.key', SEC1_KEY));
    await user.click(within(dialog).getByRole('button', { name: 'Upload certificate' }));

    await waitFor(() => expect(fact('Source')).toHaveTextContent('renew it where you bought it'));
    expect(api.to('POST', `${CERT_PATH}/upload`).map((r) => r.body)).toEqual([
      { chain: [base64Of(LEAF), base64Of(LEAF)], key: PKCS8_KEY, redirect_http: false, hsts: false },
    ]);
    // An uploaded certificate is not renewed here: asking means an ACME certificate instead.
    expect(within(card()).getByRole('button', { name: 'Issue certificate' })).toBeInTheDocument();
  });

  it('shows a wrong file at once, and the agent’s refusal beside the field it names', async () => {
    const { api } = certificateServer(makeCertificate(), {
      [`POST ${CERT_PATH}/upload`]: () =>
        problem(400, {
          detail: 'key: does not match the certificate',
          errors: [{ field: 'key', message: 'does not match the certificate' }],
        }),
    });
    const { user } = await openSite();
    await user.click(within(card()).getByRole('button', { name: 'Upload certificate' }));
    const dialog = screen.getByRole('dialog', { name: 'Upload a certificate for example.com' });

    await user.click(within(dialog).getByRole('button', { name: 'Upload certificate' }));
    expect(within(dialog).getByText('Choose the certificate file.')).toBeInTheDocument();
    expect(within(dialog).getByText('Choose the private key file.')).toBeInTheDocument();

    // The files swapped: the key field holds a certificate, and the other way round.
    await user.upload(within(dialog).getByLabelText('Certificate'), pemFile('example.com.key', SEC1_KEY));
    await user.upload(within(dialog).getByLabelText('Private key'), pemFile('example.com.crt', LEAF));
    await user.click(within(dialog).getByRole('button', { name: 'Upload certificate' }));
    expect(await within(dialog).findByText(/No certificate found/)).toBeInTheDocument();
    expect(api.to('POST', `${CERT_PATH}/upload`)).toHaveLength(0);

    await user.upload(within(dialog).getByLabelText('Certificate'), pemFile('example.com.crt', LEAF));
    await user.upload(within(dialog).getByLabelText('Private key'), pemFile('other.key', SEC1_KEY));
    await user.click(within(dialog).getByRole('button', { name: 'Upload certificate' }));
    expect(await within(dialog).findByText('does not match the certificate')).toBeInTheDocument();
    expect(fact('Certificate')).toHaveTextContent('No certificate');
  });

  it('refuses a file too large to be PEM without reading it', async () => {
    const { api } = certificateServer(makeCertificate());
    const { user } = await openSite();
    await user.click(within(card()).getByRole('button', { name: 'Upload certificate' }));
    const dialog = screen.getByRole('dialog', { name: 'Upload a certificate for example.com' });

    await user.upload(within(dialog).getByLabelText('Certificate'), pemFile('huge.crt', LEAF.repeat(200)));
    await user.upload(within(dialog).getByLabelText('Private key'), pemFile('example.com.key', SEC1_KEY));
    await user.click(within(dialog).getByRole('button', { name: 'Upload certificate' }));

    expect(
      await within(dialog).findByText('huge.crt is larger than 64 KB: it is not a PEM file.'),
    ).toBeInTheDocument();
    expect(api.to('POST', `${CERT_PATH}/upload`)).toHaveLength(0);
  });

  it('turns HTTPS off after asking', async () => {
    const { api, state } = certificateServer(issued, {
      [`DELETE ${CERT_PATH}`]: () => {
        state.certificate = makeCertificate();
        return new Response(null, { status: 204 });
      },
    });
    const { user } = await openSite();

    await user.click(within(card()).getByRole('button', { name: 'Turn HTTPS off' }));
    const dialog = screen.getByRole('dialog', { name: 'Turn HTTPS off for example.com?' });
    await user.click(within(dialog).getByRole('button', { name: 'Turn HTTPS off' }));

    await waitFor(() => expect(fact('Certificate')).toHaveTextContent('No certificate'));
    expect(api.to('DELETE', CERT_PATH)).toHaveLength(1);
  });

  it('offers nothing to do while the site is being deleted', async () => {
    domainsServer([makeDomain({ status: 'deleting' })]);
    await openSite();

    expect(within(card()).getByRole('button', { name: 'Issue certificate' })).toBeDisabled();
    expect(within(card()).getByRole('button', { name: 'Upload certificate' })).toBeDisabled();
  });
});

const LEAF = `-----BEGIN CERTIFICATE-----
MIIBgTCCASegAwIBAgIUQAPjHBqJgEgyLBzDh4hHb5Kz16MwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLZXhhbXBsZS5jb20wHhcNMjYxMjA1MDE0ODIwWhcNMjcwMTA0
MDE0ODIwWjAWMRQwEgYDVQQDDAtleGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABAoxhKhFVR9+EQksIN4dGAMM1waSvdG/dGQMIX8TEtWNt6Q7zZN1
UcIKbbe2mqsPfeuyh7v9UuTieyPfH3A1RLOjUzBRMB0GA1UdDgQWBBRGvFpHTkDx
wjq/1YZCje7J4cEtVTAfBgNVHSMEGDAWgBRGvFpHTkDxwjq/1YZCje7J4cEtVTAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQC6KCQfz3qC0sA6B22A
SwsFY6ZYJiWl3aKL0IMoJ06l8AIgbLksMRgwECjLu+5gIRwsvJRmKZY2FX/VilMZ
ZmamPYw=
-----END CERTIFICATE-----
`;
const SEC1_KEY = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIKrquyGCgQSxbjNACmVoXxDulNaSGmtWbXT+HUAbSLKdoAoGCCqGSM49
AwEHoUQDQgAEdwtohhYKCZsTArSI7YQdtvhzYDw+ZSTX/crffUEiGtxd5BTYVY8+
q3ueyDG6tMlmyQK3M8RGNL8SmCfdM7opnA==
-----END EC PRIVATE KEY-----
`;
const PKCS8_KEY =
  'MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgquq7IYKBBLFuM0AKZWhfEO6U1pIaa1ZtdP4dQBtIsp2gCgYIKoZIzj0DAQehRANCAAR3C2iGFgoJmxMCtIjthB22+HNgPD5lJNf9yt99QSIa3F3kFNhVjz6re57IMbq0yWbJArczxEY0vxKYJ90zuimc';

function base64Of(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('');
}

function pemFile(name: string, text: string): File {
  return new File([text], name, { type: 'application/x-pem-file' });
}
