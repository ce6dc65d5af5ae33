import { useState } from 'react';
import { Alert, Button, Card, FactList, LoadingState } from '@/components/ui';
import { useAccountBilling, type AccountBilling } from '../api/get-account-billing';
import { AccountBillingDialog } from './AccountBillingDialog';

function taxOf(billing: AccountBilling) {
  if (billing.reverse_charge) return 'None: reverse charge (the customer accounts for the VAT)';
  // The exact string the API sends ("0.00"), never a number.
  if (billing.tax_rate === null) {
    return <span className="muted">The panel’s rate (Invoices, Billing settings)</span>;
  }
  return `${billing.tax_rate}%`;
}

/** Administrators only: the account's tax and the customer its invoices are made out to. */
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
              { term: 'Tax', value: taxOf(billing.data) },
              {
                term: 'Customer',
                value: billing.data.customer.length ? (
                  <span>
                    {billing.data.customer.map((line, i) => (
                      <span key={i}>
                        {line}
                        <br />
                      </span>
                    ))}
                  </span>
                ) : (
                  <span className="muted">None printed on invoices</span>
                ),
              },
              {
                term: 'VAT number',
                value: billing.data.vat_number ?? <span className="muted">None</span>,
              },
            ]}
          />
          <div className="actions">
            <Button onClick={() => setChanging(true)}>Change billing</Button>
          </div>
          <AccountBillingDialog
            name={name}
            billing={billing.data}
            open={changing}
            onClose={() => setChanging(false)}
          />
        </>
      )}
    </Card>
  );
}
