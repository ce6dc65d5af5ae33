import { useState } from 'react';
import { Checkbox, ConfirmDialog, toast } from '@/components/ui';
import { useDeleteDomain } from '../api/delete-domain';
import type { Domain } from '../types';

type DeleteDomainDialogProps = { domain: Domain; open: boolean; onClose: () => void; onDeleted: () => void };

export function DeleteDomainDialog({ domain, open, onClose, onDeleted }: DeleteDomainDialogProps) {
  const deleteMutation = useDeleteDomain();
  const [keepFiles, setKeepFiles] = useState(false);
  const close = () => {
    deleteMutation.reset();
    setKeepFiles(false);
    onClose();
  };
  const { name } = domain;
  return (
    <ConfirmDialog
      open={open}
      title={`Delete domain ${domain.unicode_name}?`}
      confirmLabel="Delete domain"
      confirmText={name}
      pending={deleteMutation.isPending}
      error={deleteMutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        deleteMutation.mutate(
          { name, keepFiles },
          {
            onSuccess: () => {
              toast.success(
                keepFiles
                  ? `Domain ${domain.unicode_name} deleted; its files were kept.`
                  : `Domain ${domain.unicode_name} deleted.`,
              );
              onDeleted();
            },
          },
        )
      }
    >
      <p>
        The site stops being served and its settings are removed. Unless you keep them, the files in{' '}
        <code>{domain.document_root}</code> are deleted too. This cannot be undone.
      </p>
      <Checkbox
        label="Keep the site’s files"
        checked={keepFiles}
        onChange={(e) => setKeepFiles(e.target.checked)}
        disabled={deleteMutation.isPending}
      />
    </ConfirmDialog>
  );
}
