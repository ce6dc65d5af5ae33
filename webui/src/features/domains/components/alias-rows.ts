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
  // The site's plain names: a wildcard *.X needs X among them (docs/security.md, Names).
  const plain = new Set([own, ...rows.map((r) => normalizeDomainName(r.value))]);
  rows.forEach((row, index) => {
    const name = normalizeDomainName(row.value);
    let error: string | undefined;
    if (!name) error = 'Enter an alias, or remove this row.';
    else if (name.startsWith(WILDCARD)) error = wildcardError(name.slice(WILDCARD.length), plain);
    else error = domainNameError(name, 'an alias');
    if (!error && own && name === own) error = 'This is the domain’s own name.';
    if (!error && seen.has(name)) error = 'This alias is listed twice.';
    seen.add(name);
    errors[aliasField(index)] = error;
  });
  return errors;
}

const WILDCARD = '*.';

/** `*.X`: X a name of the site itself (its domain or another alias), never a wildcard. */
function wildcardError(base: string, plain: ReadonlySet<string>): string | undefined {
  if (domainNameError(base) || base.includes('*')) {
    return 'Use * only as the whole first part, before a name such as example.com: *.example.com.';
  }
  if (!plain.has(base))
    return `Add ${base} itself too (as the domain or an alias): *.${base} stands below it.`;
  return undefined;
}

export const aliasesFrom = (rows: readonly AliasRow[]) => rows.map((r) => normalizeDomainName(r.value));
