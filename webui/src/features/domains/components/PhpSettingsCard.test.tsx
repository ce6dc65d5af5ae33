import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ownerUser } from '@/testing/fixtures';
import { json, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { domainsServer, makeDomain, makePhpSettings } from '../test-utils';

const shop = makeDomain({ name: 'shop.example.com' });
const SETTINGS = '/api/v1/domains/shop.example.com/php-settings';

describe('a PHP site’s settings', () => {
  it('raises the upload limit', async () => {
    const api = domainsServer([shop], {
      [`PATCH ${SETTINGS}`]: (req) => json(200, makePhpSettings(req.body as object)),
    });
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains/shop.example.com');

    const upload = await screen.findByRole('textbox', { name: /Largest upload/ });
    expect(upload).toHaveValue('64');
    await user.clear(upload);
    await user.type(upload, '32');
    await user.click(screen.getByRole('checkbox', { name: 'Show errors in pages' }));
    await user.click(screen.getByRole('button', { name: 'Save PHP settings' }));

    expect(await screen.findByText('PHP settings of shop.example.com saved.')).toBeInTheDocument();
    expect(api.to('PATCH', SETTINGS).map((r) => r.body)).toEqual([
      {
        memory_limit_mb: 256,
        upload_max_filesize_mb: 32,
        post_max_size_mb: 64,
        max_execution_time_seconds: 60,
        max_input_vars: 1000,
        display_errors: true,
      },
    ]);
  });

  it('refuses what the plan does not allow before sending, and shows the server’s refusal', async () => {
    const api = domainsServer([shop], {
      [`GET ${SETTINGS}`]: () =>
        json(200, makePhpSettings({ bounds: { ...makePhpSettings().bounds, memory_limit_mb: 512 } })),
      [`PATCH ${SETTINGS}`]: () =>
        problem(422, {
          title: 'Unprocessable request',
          errors: [{ field: 'post_max_size_mb', message: 'must be at least upload_max_filesize_mb' }],
        }),
    });
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains/shop.example.com');

    const memory = await screen.findByRole('textbox', { name: /Memory limit/ });
    await user.clear(memory);
    await user.type(memory, '1G');
    await user.click(screen.getByRole('button', { name: 'Save PHP settings' }));
    expect(await screen.findByText('Enter a whole number from 32 to 512.')).toBeInTheDocument();
    expect(api.to('PATCH', SETTINGS)).toEqual([]);

    await user.clear(memory);
    await user.type(memory, '512');
    await user.click(screen.getByRole('button', { name: 'Save PHP settings' }));
    expect(await screen.findByText('must be at least upload_max_filesize_mb')).toBeInTheDocument();
  });

  it('is not offered for a site that is not PHP', async () => {
    domainsServer([makeDomain({ name: 'shop.example.com', backend: { type: 'static' } })]);
    signInAs(ownerUser());
    renderApp('/panel/domains/shop.example.com');

    expect(await screen.findByRole('heading', { name: 'Logs' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'PHP settings' })).not.toBeInTheDocument();
  });
});
