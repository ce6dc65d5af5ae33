import { useState } from 'react';
import { ListLoadError } from '@/components/ListLoadError';
import { Button, EmptyState, LoadingState, PageHeader, Section, TextField, toast } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useAccountFilter } from '@/lib/use-account-filter';
import { useBackups } from '../api/list-backups';
import { useStartBackup } from '../api/start-backup';
import { BackupsTable } from '../components/BackupsTable';
import { JobProgress } from '../components/JobProgress';
import { RepositoryAccounts } from '../components/RepositoryAccounts';
import { RestoreDialog } from '../components/RestoreDialog';
import type { Backup, Job } from '../types';

export function BackupsRoute({ area }: { area: Area }) {
  const filter = useAccountFilter(area);
  const account = area === 'admin' ? filter.account || undefined : undefined;
  const listable = area === 'panel' || Boolean(account);
  const backups = useBackups(account, listable);
  const start = useStartBackup();
  const [restoring, setRestoring] = useState<Backup | null>(null);
  // The jobs started from this page, newest first: each shows its progress until it ends.
  const [jobs, setJobs] = useState<Job[]>([]);
  const started = (job: Job) => setJobs((list) => [job, ...list]);

  const backUpNow = (
    <Button
      variant="primary"
      pending={start.isPending}
      disabled={!listable}
      onClick={() =>
        start.mutate(account, {
          onSuccess: (job) => {
            toast.success('Backup started.');
            started(job);
          },
          onError: (error) => toast.error(error.message),
        })
      }
    >
      Back up now
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Backups"
        description={
          area === 'admin'
            ? 'An account’s backups: its files, databases, crontab, DNS zones and sites’ settings.'
            : 'Copies of your files, databases, cron jobs and DNS zones, kept off your home folder.'
        }
        actions={backUpNow}
      />
      {area === 'admin' ? (
        <div className="toolbar">
          <TextField
            label="Account"
            required={false}
            markOptional={false}
            placeholder="Name an account"
            value={filter.input}
            onChange={(e) => filter.setInput(e.target.value)}
            autoCapitalize="off"
            spellCheck={false}
          />
        </div>
      ) : null}

      {jobs.length > 0 ? (
        <Section title="Running and recent jobs">
          <ul className="stack" aria-label="Jobs">
            {jobs.map((job) => (
              <li key={job.id}>
                <JobProgress id={job.id} />
              </li>
            ))}
          </ul>
        </Section>
      ) : null}

      {!listable ? (
        <EmptyState title="Name an account">Type an account’s name to see its backups.</EmptyState>
      ) : backups.isPending ? (
        <LoadingState label="Loading backups…" />
      ) : backups.isError ? (
        <ListLoadError
          what="backups"
          account={filter.account}
          error={backups.error}
          retry={() => void backups.refetch()}
        />
      ) : backups.data.items.length > 0 ? (
        <BackupsTable backups={backups.data.items} onRestore={setRestoring} />
      ) : (
        <EmptyState title="No backups yet" action={backUpNow}>
          A backup holds the files of your home folder, each database, your cron jobs and DNS zones.
        </EmptyState>
      )}

      {area === 'admin' ? (
        <RepositoryAccounts
          onStarted={(job) => {
            toast.success('Account restore started.');
            started(job);
          }}
        />
      ) : null}

      <RestoreDialog
        backup={restoring}
        account={account}
        onClose={() => setRestoring(null)}
        onStarted={(job) => {
          setRestoring(null);
          toast.success('Restore started.');
          started(job);
        }}
      />
    </>
  );
}
