import { useState } from 'react';

/** The API names a refused database by its place in the list sent: `databases.N`. */
export const grantField = (index: number) => `databases.${index}`;

/**
 * The databases ticked in a user form, and the list last sent, which is what the gateway's
 * `databases.N` errors refer to: each error is shown beside the box of the database it names.
 */
export function useGrants(initial: readonly string[] = []) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set(initial));
  const [sent, setSent] = useState<readonly string[]>([]);
  return {
    selected,
    toggle: (name: string, on: boolean) =>
      setSelected((s) => {
        const next = new Set(s);
        if (on) next.add(name);
        else next.delete(name);
        return next;
      }),
    /** The list to send, in the order the choices are shown; remembered for the errors. */
    take: (order: readonly string[]): string[] => {
      const list = [
        ...order.filter((n) => selected.has(n)),
        ...[...selected].filter((n) => !order.includes(n)),
      ];
      setSent(list);
      return list;
    },
    /** Field names the form must know, so `databases.N` errors are not treated as strays. */
    fields: sent.map((_, i) => grantField(i)),
    sent,
  };
}

export type Grants = ReturnType<typeof useGrants>;

/** The server's error about one database, by name; undefined when none or already edited. */
export function grantErrorFor(grants: Grants, errorFor: (field: string) => string | undefined) {
  return (name: string): string | undefined => {
    const index = grants.sent.indexOf(name);
    return index < 0 ? undefined : errorFor(grantField(index));
  };
}

/** Errors about sent databases that have no box on screen (the choices changed meanwhile). */
export function strayGrantErrors(
  grants: Grants,
  shown: readonly string[],
  errorFor: (field: string) => string | undefined,
): string | undefined {
  const messages = grants.sent
    .map((name, i) => (shown.includes(name) ? undefined : errorFor(grantField(i))))
    .filter(Boolean);
  return messages.length > 0 ? messages.join(' ') : undefined;
}
