import { Link } from 'react-router';
import { Button, Spinner, toast } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatInteger } from '@/lib/format';
import { useCreateDomainZone, type CreateDomainZoneInput } from '../api/create-domain-zone';
import { useDomainZone } from '../api/get-domain-zone';
import type { Domain, DomainsArea } from '../types';

const zonePath = (area: DomainsArea, name: string) =>
  area === 'admin' ? paths.admin.dnsZone(name) : paths.panel.dnsZone(name);

/** The domain's DNS zone: a link to it, or a way to add it. */
export function DomainZoneLink({ domain, area }: { domain: Domain; area: DomainsArea }) {
  const zone = useDomainZone(domain.name);
  if (zone.isPending) return <Spinner size="sm" label="Looking for its DNS zone…" />;
  if (zone.isError && zone.error.status === 404) return <AddZone domain={domain} area={area} />;
  if (zone.isError) {
    return (
      <span className="usage">
        <span className="muted">Could not be looked up</span>
        <Button size="sm" onClick={() => void zone.refetch()}>
          Try again
        </Button>
      </span>
    );
  }
  const records = zone.data.records;
  return (
    <span className="usage">
      <Link to={zonePath(area, zone.data.name)}>{zone.data.name}</Link>
      <span className="muted">
        {formatInteger(records)} {records === 1 ? 'record' : 'records'}
      </span>
    </span>
  );
}

function AddZone({ domain, area }: { domain: Domain; area: DomainsArea }) {
  const mutation = useCreateDomainZone();
  const add = () => {
    const input: CreateDomainZoneInput = { name: domain.name };
    if (area === 'admin') input.account = domain.account;
    mutation.mutate(input, {
      onSuccess: (zone) => toast.success(`DNS zone ${zone.name} added with the usual records.`),
      onError: (error) =>
        toast.error(`Could not add the DNS zone of ${domain.unicode_name}: ${error.message}`),
    });
  };
  return (
    <span className="usage">
      <span className="muted">No DNS zone</span>
      <Button size="sm" pending={mutation.isPending} disabled={domain.status === 'deleting'} onClick={add}>
        Add DNS zone
      </Button>
    </span>
  );
}
