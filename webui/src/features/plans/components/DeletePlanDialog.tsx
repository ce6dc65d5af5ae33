import { ConfirmDialog, toast } from '@/components/ui';
import type { Plan } from '@/types/api';
import { useDeletePlan } from '../api/delete-plan';

type DeletePlanDialogProps = { plan: Plan | null; onClose: () => void };

/** Open while `plan` is set. The gateway refuses (409) while accounts use the plan. */
export function DeletePlanDialog({ plan, onClose }: DeletePlanDialogProps) {
  const deleteMutation = useDeletePlan();
  const close = () => {
    if (deleteMutation.isPending) return;
    deleteMutation.reset();
    onClose();
  };
  const name = plan?.name ?? '';
  return (
    <ConfirmDialog
      open={plan !== null}
      title={`Delete plan ${name}?`}
      confirmLabel="Delete plan"
      pending={deleteMutation.isPending}
      error={deleteMutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        deleteMutation.mutate(name, {
          onSuccess: () => {
            toast.success(`Plan ${name} deleted.`);
            deleteMutation.reset();
            onClose();
          },
        })
      }
    >
      {plan && plan.accounts > 0 ? (
        <p>
          {plan.accounts === 1 ? 'One account is' : `${plan.accounts} accounts are`} on this plan: move{' '}
          {plan.accounts === 1 ? 'it' : 'them'} to another plan first.
        </p>
      ) : (
        <p>
          The plan <strong>{name}</strong> is removed. No account uses it.
        </p>
      )}
    </ConfirmDialog>
  );
}
