import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ownerUser } from '@/testing/fixtures';
import { json, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { domainsServer, makeDomain } from '../test-utils';

const shop = makeDomain({ name: 'shop.example.com' });
const LOG = '/api/v1/domains/shop.example.com/logs/php-error';

function events(...blocks: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const block of blocks) controller.enqueue(encoder.encode(block));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

describe('a site’s logs', () => {
  it('shows the last lines of the PHP error log and searches them as plain text', async () => {
    const api = domainsServer([shop], {
      [`GET ${LOG}`]: (req) => {
        const all = ['PHP Warning: one', 'PHP Notice: two'];
        const contains = req.query.get('contains') ?? '';
        return json(200, {
          log: 'php-error',
          lines: all.filter((l) => l.includes(contains)),
          truncated: false,
        });
      },
    });
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains/shop.example.com');

    const lines = await screen.findByLabelText('php-error log lines');
    expect(lines).toHaveTextContent('PHP Warning: one');
    expect(api.to('GET', LOG)[0]?.query.get('lines')).toBe('100');

    await user.type(screen.getByRole('searchbox', { name: /Search/ }), 'Notice');
    await waitFor(() => expect(api.to('GET', LOG).at(-1)?.query.get('contains')).toBe('Notice'));
    await waitFor(() =>
      expect(screen.getByLabelText('php-error log lines')).not.toHaveTextContent('Warning'),
    );
  });

  it('follows new lines as server-sent events, with the bearer token', async () => {
    const api = domainsServer([shop], {
      [`GET ${LOG}/follow`]: () =>
        events(
          ': following\n\n',
          'event: lines\ndata: {"lines": ["fresh ',
          'line"]}\n\n',
          'event: error\ndata: {"detail": "gone"}\n\n',
        ),
    });
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains/shop.example.com');

    await user.click(await screen.findByRole('checkbox', { name: 'Follow new lines' }));
    expect(await screen.findByLabelText('php-error log lines')).toHaveTextContent('fresh line');
    expect(await screen.findByText('gone')).toBeInTheDocument();
    expect(api.to('GET', `${LOG}/follow`)[0]?.headers.get('Authorization')).toMatch(/^Bearer /);
  });

  it('says why a log cannot be read', async () => {
    domainsServer([shop], {
      [`GET ${LOG}`]: () =>
        problem(409, { title: 'Conflict', detail: 'php-error.log is not a regular file' }),
    });
    signInAs(ownerUser());
    renderApp('/panel/domains/shop.example.com');

    expect(await screen.findByText('php-error.log is not a regular file')).toBeInTheDocument();
  });
});
