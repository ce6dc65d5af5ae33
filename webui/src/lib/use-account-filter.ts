import { useSearchParams } from 'react-router';
import type { Area } from '@/config/paths';
import { useDebouncedValue } from '@/lib/use-debounced-value';

/**
 * An administrator's "Account" filter of a list, kept in the address (`?account=`) so other
 * pages can link to one account's items. Owners always see their own: no filter.
 */
export type AccountFilter = ReturnType<typeof useAccountFilter>;

export function useAccountFilter(area: Area) {
  const [params, setParams] = useSearchParams();
  const input = area === 'admin' ? (params.get('account') ?? '') : '';
  const account = useDebouncedValue(input.trim().toLowerCase());
  const setInput = (value: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value) next.set('account', value);
        else next.delete('account');
        return next;
      },
      { replace: true },
    );
  return { input, setInput, account };
}
