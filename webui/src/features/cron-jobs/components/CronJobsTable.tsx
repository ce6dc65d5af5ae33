import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Badge, Button, Table, type Column } from '@/components/ui';
import { paths, type Area } from '@/config/paths';
import type { CronJob } from '../types';
import { DeleteCronJobDialog } from './DeleteCronJobDialog';
import { EditCronJobDialog } from './EditCronJobDialog';
import { EnabledSwitch } from './EnabledSwitch';
import { describeSchedule } from './schedule';

type Open = { job: CronJob; dialog: 'edit' | 'delete' } | null;

/** The start of a command, to name its job in labels. */
const shortCommand = (command: string) => (command.length > 40 ? `${command.slice(0, 39)}…` : command);

function Schedule({ job }: { job: CronJob }) {
  return (
    <span className="cell-stack">
      <span>{describeSchedule(job.schedule) ?? 'Custom schedule'}</span>{' '}
      <code className="cell-sub">{job.schedule}</code>{' '}
      {job.status !== 'active' ? (
        <Badge tone={job.status === 'pending' ? 'warning' : 'neutral'}>
          {job.status === 'pending' ? 'Pending' : 'Deleting'}
        </Badge>
      ) : null}
    </span>
  );
}

function JobActions({ job, onOpen }: { job: CronJob; onOpen: (open: Open) => void }) {
  const disabled = job.status === 'deleting';
  return (
    <span className="actions actions--row">
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Edit job: ${shortCommand(job.command)}`}
        disabled={disabled}
        onClick={() => onOpen({ job, dialog: 'edit' })}
      >
        Edit
      </Button>
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Delete job: ${shortCommand(job.command)}`}
        disabled={disabled}
        onClick={() => onOpen({ job, dialog: 'delete' })}
      >
        Delete
      </Button>
    </span>
  );
}

function columnsFor(area: Area, onOpen: (open: Open) => void): Column<CronJob>[] {
  return [
    { key: 'schedule', header: 'Schedule', cell: (j) => <Schedule job={j} /> },
    { key: 'command', header: 'Command', cell: (j) => <code className="cell-code">{j.command}</code> },
    ...(area === 'admin'
      ? [
          {
            key: 'account',
            header: 'Account',
            secondary: true,
            cell: (j: CronJob) => <Link to={paths.admin.account(j.account)}>{j.account}</Link>,
          },
        ]
      : []),
    {
      key: 'enabled',
      header: 'Enabled',
      cell: (j) => <EnabledSwitch job={j} label={`Enabled: ${shortCommand(j.command)}`} />,
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (j) => <JobActions job={j} onOpen={onOpen} />,
    },
  ];
}

type CronJobsTableProps = { jobs: readonly CronJob[]; area: Area; busy?: boolean };

export function CronJobsTable({ jobs, area, busy = false }: CronJobsTableProps) {
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const columns = useMemo(() => columnsFor(area, setOpen), [area]);
  return (
    <>
      <Table caption="Cron jobs" columns={columns} rows={jobs} rowKey={(j) => j.id} busy={busy} />
      {open?.dialog === 'edit' ? <EditCronJobDialog job={open.job} open onClose={close} /> : null}
      {open?.dialog === 'delete' ? <DeleteCronJobDialog job={open.job} open onClose={close} /> : null}
    </>
  );
}
