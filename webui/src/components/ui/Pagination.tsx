import { Button } from './Button';

type PaginationProps = {
  label: string;
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  busy?: boolean;
};

/** Previous/next only: page tokens are opaque, so there is no page count to jump to. */
export function Pagination({ label, page, hasPrevious, hasNext, onPrevious, onNext, busy }: PaginationProps) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav className="pagination" aria-label={label}>
      <Button size="sm" onClick={onPrevious} disabled={!hasPrevious || busy}>
        Previous page
      </Button>
      <span className="pagination__page" aria-live="polite">
        Page {page}
      </span>
      <Button size="sm" onClick={onNext} disabled={!hasNext || busy}>
        Next page
      </Button>
    </nav>
  );
}
