import { Badge, Card, FactList, Meter } from '@/components/ui';
import { formatBytes, formatDuration, formatLoad, formatPercent } from '@/lib/format';
import type { ServerFacts } from '../types';

/** What the machine is, how long it has been up, and whether it can keep disk quotas. */
export function SystemCard({ server }: { server: ServerFacts }) {
  return (
    <Card title="System">
      <FactList
        facts={[
          { term: 'Hostname', value: <code>{server.hostname}</code> },
          { term: 'Kernel', value: server.kernel },
          { term: 'Uptime', value: formatDuration(server.uptime_seconds) },
          { term: 'CPUs', value: server.cpus },
          { term: 'Disk quotas', value: <DiskQuotas enforced={server.disk_quotas_enforced} /> },
        ]}
      />
    </Card>
  );
}

function DiskQuotas({ enforced }: { enforced: boolean }) {
  if (enforced) return <>Enforced on /home</>;
  return (
    <>
      <Badge tone="warning">Not enforced</Badge> — plans with a disk quota cannot get new accounts. Mount
      /home with <code>usrquota</code>.
    </>
  );
}

const LOAD_WINDOWS = ['1 minute', '5 minutes', '15 minutes'] as const;

/** Load averages against the number of CPUs: at 100% every CPU is busy. */
export function LoadCard({ server }: { server: ServerFacts }) {
  const cpus = Math.max(1, server.cpus);
  return (
    <Card title="Load">
      <div className="meters">
        {server.load.map((value, i) => (
          <Meter
            key={LOAD_WINDOWS[i]}
            label={`Load, ${LOAD_WINDOWS[i]}`}
            value={value}
            max={cpus}
            text={`${formatLoad(value)} on ${cpus} ${cpus === 1 ? 'CPU' : 'CPUs'}`}
          />
        ))}
      </div>
    </Card>
  );
}

/** Memory in use (total less what the kernel says is available) and each filesystem's use. */
export function StorageCard({ server }: { server: ServerFacts }) {
  const memoryUsed = server.memory_total_bytes - server.memory_available_bytes;
  return (
    <Card title="Memory and disks">
      <div className="meters">
        <Meter
          label="Memory"
          value={memoryUsed}
          max={server.memory_total_bytes}
          text={`${formatBytes(memoryUsed)} of ${formatBytes(server.memory_total_bytes)} used (${formatPercent(memoryUsed, server.memory_total_bytes)})`}
        />
        {server.filesystems.map((fs) => {
          const used = fs.total_bytes - fs.available_bytes;
          return (
            <Meter
              key={fs.path}
              label={`Disk ${fs.path}`}
              value={used}
              max={fs.total_bytes}
              text={`${formatBytes(used)} of ${formatBytes(fs.total_bytes)} used (${formatPercent(used, fs.total_bytes)}), ${formatBytes(fs.available_bytes)} free`}
            />
          );
        })}
      </div>
    </Card>
  );
}
