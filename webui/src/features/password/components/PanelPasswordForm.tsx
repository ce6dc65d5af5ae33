import { toast } from '@/components/ui';
import { PasswordForm } from '@/components/PasswordForm';
import { useChangePassword } from '../api/change-password';

/**
 * The signed-in user's panel password, whatever its role: the administration app's "Your
 * password" page and, through app/router.tsx, an owner's "SFTP and passwords" page.
 */
export function PanelPasswordForm() {
  const change = useChangePassword();
  return (
    <PasswordForm
      title="Change panel password"
      hint="The password you sign in to this panel with. Every other session, on any device, is signed out."
      pending={change.isPending}
      error={change.error}
      onSubmit={(input, clear) =>
        change.mutate(input, {
          onSuccess: () => {
            clear();
            toast.success('Panel password changed; other sessions are signed out.');
          },
        })
      }
    />
  );
}
