import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeAccount, makePlan } from '@/testing/fixtures';
import { deferred, json, mockApi, problem } from '@/testing/mock-api';
import { renderWithProviders } from '@/testing/render';
import { CreateAccountDialog } from './CreateAccountDialog';

const plans = {
  'GET /api/v1/plans': () =>
    json(200, { items: [makePlan(), makePlan({ name: 'basic', max_domains: 3 })], next_page_token: null }),
};

function renderDialog() {
  const onClose = vi.fn();
  const rendered = renderWithProviders(<CreateAccountDialog open onClose={onClose} />);
  return { ...rendered, onClose, dialog: screen.getByRole('dialog', { name: 'Create account' }) };
}

describe('CreateAccountDialog', () => {
  it('opens as a labelled modal with the first field focused', () => {
    mockApi(plans);
    const { dialog } = renderDialog();

    expect(dialog).toHaveAttribute('open');
    expect(within(dialog).getByLabelText('Account name')).toHaveFocus();
    expect(within(dialog).getByRole('button', { name: 'Close' })).toBeInTheDocument();
  });

  it('shows the server’s error for name beside the name field', async () => {
    mockApi({
      ...plans,
      'POST /api/v1/accounts': () =>
        problem(400, {
          title: 'Invalid request',
          detail: 'The request has invalid fields.',
          errors: [{ field: 'name', message: 'root is a reserved name.' }],
        }),
    });
    const { user, dialog, onClose } = renderDialog();

    await user.type(within(dialog).getByLabelText('Account name'), 'root');
    await user.type(within(dialog).getByLabelText('Password'), 'long-enough-password');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));

    const name = within(dialog).getByLabelText('Account name');
    await waitFor(() => expect(name).toHaveAccessibleDescription(/root is a reserved name\./));
    expect(name).toBeInvalid();
    expect(within(dialog).getByLabelText('Password')).not.toHaveAttribute('aria-invalid');
    // The field carries the message, so no separate form-level alert repeats it.
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('shows an error without a field (409 conflict) at the top of the form', async () => {
    mockApi({
      ...plans,
      'POST /api/v1/accounts': () =>
        problem(409, { title: 'Conflict', detail: 'An account named alice already exists.' }),
    });
    const { user, dialog } = renderDialog();

    await user.type(within(dialog).getByLabelText('Account name'), 'alice');
    await user.type(within(dialog).getByLabelText('Password'), 'long-enough-password');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'An account named alice already exists.',
    );
  });

  it('shows why a plan with a disk quota is refused on a server without quotas', async () => {
    const detail =
      "Plan 'basic' has a disk quota, and this server does not enforce disk quotas: alice was not created.";
    mockApi({ ...plans, 'POST /api/v1/accounts': () => problem(409, { title: 'Conflict', detail }) });
    const { user, dialog, onClose } = renderDialog();

    const plan = within(dialog).getByLabelText('Plan');
    await waitFor(() => expect(plan).toBeEnabled());
    await user.type(within(dialog).getByLabelText('Account name'), 'alice');
    await user.type(within(dialog).getByLabelText('Password'), 'long-enough-password');
    await user.selectOptions(plan, 'basic');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(detail);
    expect(onClose).not.toHaveBeenCalled();
  });

  it('checks the name pattern before sending anything', async () => {
    const api = mockApi(plans);
    const { user, dialog } = renderDialog();

    await user.type(within(dialog).getByLabelText('Account name'), '1bad');
    await user.type(within(dialog).getByLabelText('Password'), 'short');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));

    expect(within(dialog).getByLabelText('Account name')).toHaveAccessibleDescription(
      /starting with a letter/,
    );
    expect(within(dialog).getByLabelText('Password')).toHaveAccessibleDescription(/at least 8/);
    expect(api.to('POST', '/api/v1/accounts')).toHaveLength(0);
  });

  it('creates the account, shows progress, then closes with a notice', async () => {
    const answer = deferred<Response>();
    const api = mockApi({ ...plans, 'POST /api/v1/accounts': () => answer.promise });
    const { user, dialog, onClose } = renderDialog();

    await user.type(within(dialog).getByLabelText('Account name'), 'bob_site');
    await user.type(within(dialog).getByLabelText('Password'), 'long-enough-password');
    await user.type(within(dialog).getByLabelText(/Email/), 'bob@example.test');
    await user.selectOptions(within(dialog).getByLabelText('Shell'), 'bash');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));

    await waitFor(() =>
      expect(within(dialog).getByRole('button', { name: 'Create account' })).toBeDisabled(),
    );
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toBeDisabled();
    expect(api.to('POST', '/api/v1/accounts')[0]!.body).toEqual({
      name: 'bob_site',
      password: 'long-enough-password',
      email: 'bob@example.test',
      shell: 'bash',
      plan: 'default',
    });

    answer.resolve(json(201, makeAccount({ name: 'bob_site', status: 'pending' })));

    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(await screen.findByText('Account bob_site created.')).toBeInTheDocument();
  });

  it('leaves out an empty email and sends the default shell', async () => {
    const api = mockApi({
      ...plans,
      'POST /api/v1/accounts': () => json(201, makeAccount({ name: 'carol' })),
    });
    const { user, dialog, onClose } = renderDialog();

    await user.type(within(dialog).getByLabelText('Account name'), 'carol');
    await user.type(within(dialog).getByLabelText('Password'), 'long-enough-password');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(api.to('POST', '/api/v1/accounts')[0]!.body).toEqual({
      name: 'carol',
      password: 'long-enough-password',
      shell: 'nologin',
      plan: 'default',
    });
  });

  it('puts the account on the chosen plan', async () => {
    const api = mockApi({
      ...plans,
      'POST /api/v1/accounts': () => json(201, makeAccount({ plan: 'basic' })),
    });
    const { user, dialog, onClose } = renderDialog();

    const plan = within(dialog).getByLabelText('Plan');
    await waitFor(() => expect(plan).toBeEnabled());
    expect(
      within(plan)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['default', 'basic']);
    await user.type(within(dialog).getByLabelText('Account name'), 'alice');
    await user.type(within(dialog).getByLabelText('Password'), 'long-enough-password');
    await user.selectOptions(plan, 'basic');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(api.to('POST', '/api/v1/accounts')[0]!.body).toMatchObject({ plan: 'basic' });
  });

  it('when the plans cannot be listed, says so and lets the gateway pick the default plan', async () => {
    const api = mockApi({
      'GET /api/v1/plans': () => problem(404, { title: 'Not found' }),
      'POST /api/v1/accounts': () => json(201, makeAccount()),
    });
    const { user, dialog, onClose } = renderDialog();

    const plan = within(dialog).getByLabelText('Plan');
    await waitFor(() => expect(plan).toHaveAccessibleDescription(/could not be loaded/));
    expect(plan).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Account name'), 'alice');
    await user.type(within(dialog).getByLabelText('Password'), 'long-enough-password');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(api.to('POST', '/api/v1/accounts')[0]!.body).not.toHaveProperty('plan');
  });
});
