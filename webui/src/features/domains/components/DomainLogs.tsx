import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, Checkbox, Select, TextField } from '@/components/ui';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { useFollowDomainLog } from '../api/follow-domain-log';
import { useDomainLog } from '../api/get-domain-log';
import type { Domain, LogKind } from '../types';

const LOGS = [
  { value: 'access', label: 'Access log (nginx)' },
  { value: 'php-error', label: 'PHP error log' },
] as const;
const LINE_CHOICES = ['50', '100', '500', '1000'].map((n) => ({ value: n, label: `Last ${n} lines` }));

/** A site's logs: the last lines, a plain-text search, and new lines followed live. */
export function DomainLogs({ domain }: { domain: Domain }) {
  const [log, setLog] = useState<LogKind>(domain.backend.type === 'php' ? 'php-error' : 'access');
  const [lines, setLines] = useState(100);
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(false);
  const contains = useDebouncedValue(search.trim(), 300);
  const read = useDomainLog(domain.name, { log, lines, contains });
  const followed = useFollowDomainLog(domain.name, log, follow);

  const shown = follow ? [...(read.data?.lines ?? []), ...followed.lines] : (read.data?.lines ?? []);
  const visible = follow && contains ? shown.filter((line) => line.includes(contains)) : shown;
  const refresh = (event: FormEvent) => {
    event.preventDefault();
    void read.refetch();
  };

  return (
    <Card title="Logs">
      <form className="form form--inline" onSubmit={refresh} role="search" aria-label="Log search">
        <Select label="Log" options={LOGS} value={log} onChange={(e) => setLog(e.target.value as LogKind)} />
        <Select
          label="Lines"
          options={LINE_CHOICES}
          value={String(lines)}
          onChange={(e) => setLines(Number(e.target.value))}
        />
        <TextField
          label="Search"
          type="search"
          required={false}
          maxLength={200}
          value={search}
          hint="Lines holding this text (exact, case-sensitive)"
          onChange={(e) => setSearch(e.target.value)}
        />
        <Checkbox label="Follow new lines" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
        <Button type="submit" pending={read.isFetching}>
          Refresh
        </Button>
      </form>
      {read.isError ? (
        <Alert tone="error" title="Could not read the log">
          {read.error.message}
        </Alert>
      ) : null}
      {followed.error ? (
        <Alert tone="warning" title="Following stopped">
          {followed.error}
        </Alert>
      ) : null}
      {read.data?.truncated ? <p className="muted">Only the last 64 MiB of the log were searched.</p> : null}
      {visible.length > 0 ? (
        <pre className="log-lines" aria-label={`${log} log lines`}>
          {visible.join('\n')}
        </pre>
      ) : (
        <p className="muted">{read.isPending ? 'Reading the log…' : 'No lines.'}</p>
      )}
    </Card>
  );
}
