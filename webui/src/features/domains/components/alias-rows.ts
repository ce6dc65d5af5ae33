import { useRef, useState } from 'react';
import { domainNameError, normalizeDomainName } from '@/lib/validation';

/** One alias input; `id` keeps React's identity when rows above it are removed. */
export type AliasRow = { id: number; value: string };

export const aliasField = (index: number) => `aliases.${index}`;

/** The alias inputs of a form. The API's `aliases.N` errors name rows by position. */
export function useAliasRows(initial: readonly string[] = []) {
  const nextId = useRef(initial.length);
  const [rows, setRows] = useState<AliasRow[]>(() => initial.map((value, id) => ({ id, value })));
  return {
    rows,
    add: () => setRows((r) => [...r, { id: nextId.current++, value: '' }]),
    remove: (id: number) => setRows((r) => r.filter((row) => row.id !== id)),
    update: (id: number, value: string) =>
      setRows((r) => r.map((row) => (row.id === id ? { ...row, value } : row))),
  };
}

/**
 * Client checks per row, keyed `aliases.N`. An empty row is an error rather than dropped, so
 * the list sent matches the rows on screen one to one and the gateway's errors land beside the
 * right input.
 */
export function aliasErrors(
  rows: readonly AliasRow[],
  domainName: string,
): Record<string, string | undefined> {
  const errors: Record<string, string | undefined> = {};
  const seen = new Set<string>();
  const own = normalizeDomainName(domainName);
  rows.forEach((row, index) => {
    const name = normalizeDomainName(row.value);
    let error: string | undefined;
    if (!name) error = 'Enter an alias, or remove this row.';
    else error = domainNameError(name, 'an alias');
    if (!error && own && name === own) error = 'This is the domain’s own name.';
    if (!error && seen.has(name)) error = 'This alias is listed twice.';
    seen.add(name);
    errors[aliasField(index)] = error;
  });
  return errors;
}

export const aliasesFrom = (rows: readonly AliasRow[]) => rows.map((r) => normalizeDomainName(r.value));
