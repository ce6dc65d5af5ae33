import { ConfirmDialog, toast } from '@/components/ui';
import { useDeleteCertificate } from '../api/delete-certificate';
import type { Domain } from '../types';

type Props = { domain: Domain; open: boolean; onClose: () => void };

export function DeleteCertificateDialog({ domain, open, onClose }: Props) {
  const mutation = useDeleteCertificate(domain.name);
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Turn HTTPS off for ${domain.unicode_name}?`}
      confirmLabel="Turn HTTPS off"
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        mutation.mutate(undefined, {
          onSuccess: () => {
            toast.success(`HTTPS is off for ${domain.unicode_name}.`);
            close();
          },
        })
      }
    >
      <p>
        The certificate and its key are deleted and no longer renewed; the site is served over plain HTTP
        only. Browsers that saw HSTS for it cannot reach it until HTTPS is back.
      </p>
    </ConfirmDialog>
  );
}
