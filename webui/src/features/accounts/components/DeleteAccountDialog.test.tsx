import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { deferred, mockApi, noContent, problem } from '@/testing/mock-api';
import { renderWithProviders } from '@/testing/render';
import { DeleteAccountDialog } from './DeleteAccountDialog';

function renderDialog() {
  const onClose = vi.fn();
  const onDeleted = vi.fn();
  const rendered = renderWithProviders(
    <DeleteAccountDialog name="alice" open onClose={onClose} onDeleted={onDeleted} />,
  );
  const dialog = screen.getByRole('dialog', { name: 'Delete account alice?' });
  return { ...rendered, onClose, onDeleted, dialog };
}

describe('DeleteAccountDialog', () => {
  it('keeps the delete button disabled until the exact account name is typed', async () => {
    const api = mockApi({});
    const { user, dialog } = renderDialog();
    const confirmField = within(dialog).getByLabelText('Type alice to confirm');
    const deleteButton = within(dialog).getByRole('button', { name: 'Delete account' });

    expect(deleteButton).toBeDisabled();
    await user.type(confirmField, 'alic');
    expect(deleteButton).toBeDisabled();
    await user.type(confirmField, 'e ');
    expect(deleteButton).toBeDisabled();
    await user.type(confirmField, '{Enter}');
    expect(api.requests).toHaveLength(0);

    await user.clear(confirmField);
    await user.type(confirmField, 'ALICE');
    expect(deleteButton).toBeDisabled();
  });

  it('deletes once confirmed, with a pending state', async () => {
    const answer = deferred<Response>();
    const api = mockApi({ 'DELETE /api/v1/accounts/alice': () => answer.promise });
    const { user, dialog, onDeleted } = renderDialog();

    await user.type(within(dialog).getByLabelText('Type alice to confirm'), 'alice');
    await user.click(within(dialog).getByRole('button', { name: 'Delete account' }));

    await waitFor(() =>
      expect(within(dialog).getByRole('button', { name: 'Delete account' })).toBeDisabled(),
    );
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toBeDisabled();
    expect(api.to('DELETE', '/api/v1/accounts/alice')).toHaveLength(1);

    answer.resolve(noContent());
    await waitFor(() => expect(onDeleted).toHaveBeenCalledOnce());
    expect(await screen.findByText('Account alice deleted.')).toBeInTheDocument();
  });

  it('can be cancelled without a request', async () => {
    const api = mockApi({});
    const { user, dialog, onClose } = renderDialog();

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    expect(onClose).toHaveBeenCalledOnce();
    expect(api.requests).toHaveLength(0);
  });

  it('shows why a delete failed and stays open', async () => {
    mockApi({
      'DELETE /api/v1/accounts/alice': () =>
        problem(409, { title: 'Conflict', detail: 'The account still owns running jobs.' }),
    });
    const { user, dialog, onDeleted } = renderDialog();

    await user.type(within(dialog).getByLabelText('Type alice to confirm'), 'alice');
    await user.click(within(dialog).getByRole('button', { name: 'Delete account' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The account still owns running jobs.',
    );
    expect(onDeleted).not.toHaveBeenCalled();
  });
});
