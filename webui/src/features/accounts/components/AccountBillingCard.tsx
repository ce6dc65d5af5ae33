import { useState } from 'react';
import { Alert, Button, Card, FactList, LoadingState } from '@/components/ui';
import { useAccountBilling } from '../api/get-account-billing';
import { AccountTaxRateDialog } from './AccountTaxRateDialog';

/** Administrators only: the tax rate of the account's invoices, its own or the panel's. */
export function AccountBillingCard({ name }: { name: string }) {
  const billing = useAccountBilling(name);
  const [changing, setChanging] = useState(false);
  return (
    <Card title="Billing">
      {billing.isPending ? (
        <LoadingState label="Loading billing…" />
      ) : billing.isError ? (
        <Alert
          tone="error"
          title="Could not load billing"
          action={<Button onClick={() => void billing.refetch()}>Try again</Button>}
        >
          {billing.error.message}
        </Alert>
      ) : (
        <>
          <FactList
            facts={[
              {
                term: 'Tax rate',
                // The exact string the API sends ("0.00"), never a number.
                value:
                  billing.data.tax_rate === null ? (
                    <span className="muted">The panel’s rate (Invoices, Billing settings)</span>
                  ) : (
                    `${billing.data.tax_rate}%`
                  ),
              },
            ]}
          />
          <div className="actions">
            <Button onClick={() => setChanging(true)}>Change tax rate</Button>
          </div>
          <AccountTaxRateDialog
            name={name}
            taxRate={billing.data.tax_rate}
            open={changing}
            onClose={() => setChanging(false)}
          />
        </>
      )}
    </Card>
  );
}
