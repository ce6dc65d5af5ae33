import { Meter } from '@/components/ui';
import { formatBytes } from '@/lib/format';

export type UploadRow = {
  id: number;
  name: string;
  sent: number;
  total: number;
  state: 'sending' | 'done' | 'failed';
  error?: string;
};

/** Each upload started from this page, with its progress. */
export function Uploads({ uploads }: { uploads: readonly UploadRow[] }) {
  if (uploads.length === 0) return null;
  return (
    <ul className="stack" aria-label="Uploads">
      {uploads.map((u) => (
        <li key={u.id}>
          <Meter
            label={`Upload of ${u.name}`}
            value={u.sent}
            max={u.total || 1}
            text={
              u.state === 'failed'
                ? `Failed: ${u.error ?? ''}`
                : `${formatBytes(u.sent)} of ${formatBytes(u.total)}${u.state === 'done' ? ' · done' : ''}`
            }
          />
        </li>
      ))}
    </ul>
  );
}
