import { useEffect, useState } from 'react';
import { apiStream } from '@/lib/api-client';
import { ApiError } from '@/lib/api-error';
import type { LogKind } from '../types';

/** At most this many followed lines are kept on screen. */
export const FOLLOWED_LINES_KEPT = 1000;

export type FollowState = { lines: string[]; error: string | null; following: boolean };

/**
 * New lines of a log as they are written: GET .../logs/{log}/follow, a server-sent event
 * stream read with fetch (it carries the bearer token). Reconnects when the server ends the
 * stream (after 30 minutes); stops on an `event: error` or when `enabled` turns false.
 */
export function useFollowDomainLog(name: string, log: LogKind, enabled: boolean): FollowState {
  // What a follow found, for the log it followed: another log (or a new follow) starts empty.
  const key = `${name}/${log}`;
  const [found, setFound] = useState<{ key: string; lines: string[]; error: string | null }>({
    key,
    lines: [],
    error: null,
  });

  useEffect(() => {
    if (!enabled) return undefined;
    const controller = new AbortController();
    const add = (lines: string[]) =>
      setFound((s) => ({
        key,
        lines: [...(s.key === key ? s.lines : []), ...lines].slice(-FOLLOWED_LINES_KEPT),
        error: null,
      }));
    const stop = (error: string) => setFound((s) => ({ key, lines: s.key === key ? s.lines : [], error }));
    void (async () => {
      const path = `/domains/${encodeURIComponent(name)}/logs/${log}/follow`;
      while (!controller.signal.aborted) {
        try {
          const response = await apiStream(path, { signal: controller.signal });
          const ended = await readEvents(response, add);
          if (ended) return stop(ended);
        } catch (error) {
          if (controller.signal.aborted) return;
          return stop(error instanceof ApiError ? error.message : 'The log could not be followed.');
        }
      }
    })();
    return () => {
      controller.abort();
      setFound({ key: '', lines: [], error: null });
    };
  }, [name, log, key, enabled]);

  if (!enabled || found.key !== key) return { lines: [], error: null, following: enabled };
  return { lines: found.lines, error: found.error, following: found.error === null };
}

/** Reads `event: lines` until the stream ends; the detail of an `event: error`, if one came. */
async function readEvents(response: Response, add: (lines: string[]) => void): Promise<string | null> {
  if (!response.body) return 'The server sent no stream.';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return null;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const found = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (found?.event === 'lines') add((found.data as { lines: string[] }).lines);
      if (found?.event === 'error') return (found.data as { detail: string }).detail;
      end = buffer.indexOf('\n\n');
    }
  }
}

function parseEvent(block: string): { event: string; data: unknown } | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice('event: '.length);
    else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
  }
  return data.length > 0 ? { event, data: JSON.parse(data.join('\n')) as unknown } : null;
}
