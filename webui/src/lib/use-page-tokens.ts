import { useCallback, useState } from 'react';

type Tokens = (string | undefined)[];

/**
 * Walks a list whose pages are named by opaque tokens. The gateway only hands out the next
 * token, so the tokens of the pages already seen are kept to step back. A change of
 * `resetKey` (the search text, say) starts again from the first page.
 */
export function usePageTokens(resetKey?: unknown) {
  const [state, setState] = useState<{ key: unknown; tokens: Tokens }>({
    key: resetKey,
    tokens: [undefined],
  });
  let tokens = state.tokens;
  if (!Object.is(state.key, resetKey)) {
    // Adjusting state while rendering (rather than in an effect) avoids fetching a stale page.
    tokens = [undefined];
    setState({ key: resetKey, tokens });
  }
  const index = tokens.length - 1;

  const next = useCallback((token: string | null | undefined) => {
    if (token) setState((s) => ({ ...s, tokens: [...s.tokens, token] }));
  }, []);
  const previous = useCallback(
    () => setState((s) => (s.tokens.length > 1 ? { ...s, tokens: s.tokens.slice(0, -1) } : s)),
    [],
  );

  return { pageToken: tokens[index], page: index + 1, hasPrevious: index > 0, next, previous };
}
