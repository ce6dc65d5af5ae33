import type { ReactNode } from 'react';

export type Column<T> = {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Hidden on narrow screens when the column is secondary. */
  secondary?: boolean;
  align?: 'start' | 'end';
};

type TableProps<T> = {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** Dims the rows while the next page loads, keeping the old ones on screen. */
  busy?: boolean;
};

export function Table<T>({ caption, columns, rows, rowKey, busy = false }: TableProps<T>) {
  return (
    // A focusable, labelled scroll region lets keyboard users scroll wide tables on phones
    // (WCAG 2.1.1; axe's scrollable-region-focusable).
    // oxlint-disable-next-line jsx-a11y/no-noninteractive-tabindex
    <section className="table-wrap" aria-label={caption} tabIndex={0}>
      <table className={`table${busy ? ' table--busy' : ''}`} aria-busy={busy || undefined}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={cellClass(c)}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key} className={cellClass(c)}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function cellClass<T>(column: Column<T>): string | undefined {
  const classes = [column.secondary && 'col--secondary', column.align === 'end' && 'col--end'];
  return classes.filter(Boolean).join(' ') || undefined;
}
