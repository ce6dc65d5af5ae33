import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Plan } from '@/types/api';
import { adminUser, makePlan, resellerUser } from '@/testing/fixtures';
import { json, mockApi, noContent, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';

/** A small in-memory plans API. */
function plansServer(initial: Plan[]) {
  let plans = initial;
  let shellRefused = false;
  // basic's billing: not billed until a price is set.
  let basicBilling: { price: string | null; billing_period: string } = {
    price: null,
    billing_period: 'month',
  };
  return mockApi({
    'GET /api/v1/plans/basic/billing': () => json(200, { plan: 'basic', ...basicBilling }),
    'PUT /api/v1/plans/basic/billing': (req) => {
      const body = req.body as typeof basicBilling;
      if (body.price === '99999.99') {
        return problem(422, { errors: [{ field: 'price', message: 'Above the most this panel bills.' }] });
      }
      basicBilling = body;
      return json(200, { plan: 'basic', ...basicBilling });
    },
    'GET /api/v1/plans': () => json(200, { items: plans, next_page_token: null }),
    'POST /api/v1/plans': (req) => {
      const body = req.body as Plan;
      if (body.max_domains !== null && body.max_domains > 10_000_000) {
        return problem(400, { errors: [{ field: 'max_domains', message: 'At most 10000000.' }] });
      }
      if (body.max_php_children === 64) {
        return problem(422, {
          errors: [{ field: 'max_php_children', message: 'The server allows 32 at most.' }],
        });
      }
      if (body.disk_quota_mb !== null && body.disk_quota_mb > 16 * 1024 * 1024) {
        return problem(400, { errors: [{ field: 'disk_quota_mb', message: 'At most 16777216.' }] });
      }
      const plan = makePlan({ ...body, accounts: 0 });
      plans = [...plans, plan];
      return json(201, plan);
    },
    'PATCH /api/v1/plans/basic': (req) => {
      const body = req.body as Partial<Plan>;
      if (body.ssh_shell === true && !shellRefused) {
        shellRefused = true; // once, as a field error the server could give
        return problem(400, { errors: [{ field: 'ssh_shell', message: 'Input should be a valid boolean' }] });
      }
      if (body.disk_quota_mb === 100) {
        return problem(409, {
          title: 'Conflict',
          detail:
            "Accounts on plan 'basic' already use more: alice uses 620 MB of disk (limit 100)." +
            ' Lower their usage or move them to another plan first.',
        });
      }
      if (body.max_domains === 1) {
        return problem(409, {
          title: 'Conflict',
          detail: "Accounts on plan 'basic' already use more: alice uses 3 domains (limit 1).",
        });
      }
      plans = plans.map((p) => (p.name === 'basic' ? { ...p, ...body } : p));
      return json(
        200,
        plans.find((p) => p.name === 'basic'),
      );
    },
    // A reseller's plans keep PHP scripts in the account's home, and grant no static pools.
    'PATCH /api/v1/plans/ann_gold': (req) =>
      (req.body as Partial<Plan>).php_static_pools
        ? problem(422, {
            errors: [
              { field: 'php_static_pools', message: "A reseller's plans cannot grant static PHP pools." },
            ],
          })
        : problem(422, {
            errors: [
              { field: 'php_open_basedir', message: "A reseller's plans keep PHP scripts in the home." },
            ],
          }),
    // Bob's pools are static: the plan cannot stop granting them.
    'PATCH /api/v1/plans/busy': () =>
      problem(409, {
        title: 'Conflict',
        detail:
          "Accounts on plan 'busy' already use more: static PHP pools (bob)." +
          ' Lower their usage or move them to another plan first.',
      }),
    'DELETE /api/v1/plans/basic': () =>
      problem(409, { title: 'Conflict', detail: "2 account(s) are on plan 'basic'; move them first." }),
    'DELETE /api/v1/plans/spare': () => {
      plans = plans.filter((p) => p.name !== 'spare');
      return noContent();
    },
  });
}

const basic = makePlan({
  name: 'basic',
  max_domains: 10,
  max_aliases: 0,
  disk_quota_mb: 2048,
  inode_quota: 100000,
  php_static_pools: true,
  accounts: 2,
});

const STATIC_POOLS = 'Keep every PHP worker running (static pools)';

async function openPlans(initial: Plan[] = [makePlan({ accounts: 5 }), basic]) {
  const api = plansServer(initial);
  signInAs(adminUser);
  const rendered = renderApp('/admin/plans');
  const table = await screen.findByRole('table', { name: 'Plans' });
  return { api, table, ...rendered };
}

describe('plans', () => {
  it('lists plans with unlimited and none spelled out, never as numbers', async () => {
    const { table } = await openPlans();
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    const cells = (row: HTMLElement) =>
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(cells(rows[1]!)).toEqual([
      'default',
      'Unlimited',
      'Unlimited',
      'Unlimited',
      'Unlimited',
      'Unlimited',
      'Unlimited',
      'SFTP only',
      'Home only',
      'On demand or dynamic',
      '5',
      'EditBillingDelete',
    ]);
    // The inode quota (Files) sits beside the disk quota.
    expect(cells(rows[2]!).slice(0, 11)).toEqual([
      'basic',
      '10',
      'None allowed',
      'Unlimited',
      'Unlimited',
      '2,048',
      '100,000',
      'SFTP only',
      'Home only',
      'Static allowed',
      '2',
    ]);
  });

  it('creates a plan: limits start unlimited, a number is typed once Unlimited is off', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Create plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Create plan' });

    const domains = within(dialog).getByLabelText('Domains');
    expect(domains).toBeDisabled();
    expect(domains).toHaveAttribute('placeholder', 'Unlimited');
    await user.type(within(dialog).getByLabelText('Plan name'), 'small');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited domains' }));
    expect(domains).toBeEnabled();
    await waitFor(() => expect(domains).toHaveFocus());

    // Unlimited off and nothing typed is a mistake, shown beside the field.
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));
    expect(domains).toHaveAccessibleDescription(/Enter a number, or choose Unlimited/);
    expect(api.to('POST', '/api/v1/plans')).toHaveLength(0);

    await user.type(domains, '3');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited aliases per domain' }));
    await user.type(within(dialog).getByLabelText('Aliases per domain'), '0');
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('POST', '/api/v1/plans')[0]!.body).toEqual({
      name: 'small',
      max_domains: 3,
      max_aliases: 0,
      max_databases: null,
      max_cron_jobs: null,
      disk_quota_mb: null,
      inode_quota: null,
      ssh_shell: false,
      php_open_basedir: true,
      php_static_pools: false,
      max_php_memory_mb: null,
      max_php_upload_mb: null,
      max_php_execution_seconds: null,
      max_php_input_vars: null,
      max_php_children: null,
      log_retention_days: 14,
    });
    expect(await screen.findByText('Plan small created.')).toBeInTheDocument();
    expect(await screen.findByRole('cell', { name: 'small' })).toBeInTheDocument();
  });

  it('shows the server’s field error beside the limit it names', async () => {
    const { user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Create plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Create plan' });

    await user.type(within(dialog).getByLabelText('Plan name'), 'huge');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited domains' }));
    await user.type(within(dialog).getByLabelText('Domains'), '99999999');
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));

    const domains = within(dialog).getByLabelText('Domains');
    await waitFor(() => expect(domains).toHaveAccessibleDescription(/At most 10000000\./));
    expect(domains).toBeInvalid();
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('creates a plan with PHP bounds and a log retention', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Create plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Create plan' });

    await user.type(within(dialog).getByLabelText('Plan name'), 'php');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited PHP memory limit (MiB)' }));
    await user.type(within(dialog).getByLabelText('PHP memory limit (MiB)'), '512');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited PHP workers per pool' }));
    await user.type(within(dialog).getByLabelText('PHP workers per pool'), '16');
    const days = within(dialog).getByLabelText('Log retention (days)');
    expect(days).toHaveValue(14);
    await user.clear(days);
    await user.type(days, '30');
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('POST', '/api/v1/plans')[0]!.body).toMatchObject({
      name: 'php',
      max_php_memory_mb: 512,
      max_php_upload_mb: null,
      max_php_children: 16,
      log_retention_days: 30,
    });
  });

  it('refuses PHP bounds and a retention outside their ranges, beside each field', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Create plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Create plan' });

    await user.type(within(dialog).getByLabelText('Plan name'), 'php');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited PHP memory limit (MiB)' }));
    const memory = within(dialog).getByLabelText('PHP memory limit (MiB)');
    await user.type(memory, '16');
    const days = within(dialog).getByLabelText('Log retention (days)');
    await user.clear(days);
    await user.type(days, '400');
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));

    expect(memory).toHaveAccessibleDescription(/Enter 32 or more, or choose Unlimited\./);
    expect(days).toHaveAccessibleDescription(/Enter a whole number from 1 to 365\./);
    expect(days).toBeInvalid();
    expect(api.to('POST', '/api/v1/plans')).toHaveLength(0);

    await user.clear(memory);
    await user.type(memory, '9000');
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));
    expect(memory).toHaveAccessibleDescription(/Enter a whole number from 32 to 8192\./);
    expect(api.to('POST', '/api/v1/plans')).toHaveLength(0);

    // The server's refusal lands beside the field it names.
    await user.clear(memory);
    await user.type(memory, '256');
    await user.clear(days);
    await user.type(days, '7');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited PHP workers per pool' }));
    const workers = within(dialog).getByLabelText('PHP workers per pool');
    await user.type(workers, '64');
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));
    await waitFor(() => expect(workers).toHaveAccessibleDescription(/The server allows 32 at most\./));
    expect(workers).toBeInvalid();
  });

  it('edits a plan’s log retention alone', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Edit plan basic' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit plan basic' });
    const days = within(dialog).getByLabelText('Log retention (days)');
    await user.clear(days);
    await user.type(days, '60');
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/plans/basic').map((r) => r.body)).toEqual([{ log_retention_days: 60 }]);
  });

  it('refuses a disk quota of 0 before sending: the quota is at least 1 MB', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Create plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Create plan' });
    expect(within(dialog).getByText(/A disk quota is at least 1 MB\./)).toBeInTheDocument();

    await user.type(within(dialog).getByLabelText('Plan name'), 'small');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited disk quota (MB)' }));
    const disk = within(dialog).getByLabelText('Disk quota (MB)');
    await user.type(disk, '0');
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));

    expect(disk).toHaveAccessibleDescription(/Enter 1 or more, or choose Unlimited\./);
    expect(disk).toBeInvalid();
    expect(api.to('POST', '/api/v1/plans')).toHaveLength(0);

    await user.clear(disk);
    await user.type(disk, '1');
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('POST', '/api/v1/plans')[0]!.body).toMatchObject({ name: 'small', disk_quota_mb: 1 });
  });

  it('shows the server’s field error beside the disk quota', async () => {
    const { user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Create plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Create plan' });

    await user.type(within(dialog).getByLabelText('Plan name'), 'huge');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited disk quota (MB)' }));
    await user.type(within(dialog).getByLabelText('Disk quota (MB)'), '99999999');
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));

    const disk = within(dialog).getByLabelText('Disk quota (MB)');
    await waitFor(() => expect(disk).toHaveAccessibleDescription(/At most 16777216\./));
    expect(disk).toBeInvalid();
  });

  it('shows the 409 when an account already uses more disk than the new quota', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Edit plan basic' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit plan basic' });

    const disk = within(dialog).getByLabelText('Disk quota (MB)');
    expect(disk).toHaveValue(2048);
    await user.clear(disk);
    await user.type(disk, '100');
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'alice uses 620 MB of disk (limit 100). Lower their usage or move them to another plan first.',
    );
    expect(api.to('PATCH', '/api/v1/plans/basic').map((r) => r.body)).toEqual([{ disk_quota_mb: 100 }]);
  });

  it('creates a plan with a shell over SSH, off unless ticked', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Create plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Create plan' });
    const shell = within(dialog).getByRole('checkbox', { name: 'Shell over SSH' });
    expect(shell).not.toBeChecked();
    expect(shell).toHaveAccessibleDescription(/SFTP only/);
    await user.type(within(dialog).getByLabelText('Plan name'), 'devs');
    await user.click(shell);
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('POST', '/api/v1/plans')[0]!.body).toMatchObject({ name: 'devs', ssh_shell: true });
    const row = (await screen.findByRole('cell', { name: 'devs' })).closest('tr')!;
    expect(within(row).getByRole('cell', { name: 'Shell' })).toBeInTheDocument();
  });

  it('sends the shell setting alone when only it changed, and shows its field error', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Edit plan basic' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit plan basic' });
    const shell = within(dialog).getByRole('checkbox', { name: 'Shell over SSH' });
    expect(shell).not.toBeChecked();
    await user.click(shell);
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));
    expect(await within(dialog).findByText('Input should be a valid boolean')).toBeInTheDocument();
    expect(shell).toHaveAccessibleDescription(/Input should be a valid boolean/);

    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/plans/basic').map((r) => r.body)).toEqual([
      { ssh_shell: true },
      { ssh_shell: true },
    ]);
  });

  it('keeps a new plan’s PHP scripts in the home unless unticked', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Create plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Create plan' });
    const basedir = within(dialog).getByRole('checkbox', {
      name: "Keep PHP scripts in the account's home (open_basedir)",
    });
    expect(basedir).toBeChecked();
    expect(basedir).toHaveAccessibleDescription(/for trusted customers only/);
    await user.type(within(dialog).getByLabelText('Plan name'), 'trusted');
    await user.click(basedir);
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('POST', '/api/v1/plans')[0]!.body).toMatchObject({
      name: 'trusted',
      php_open_basedir: false,
    });
    const row = (await screen.findByRole('cell', { name: 'trusted' })).closest('tr')!;
    expect(within(row).getByRole('cell', { name: 'Not confined' })).toBeInTheDocument();
  });

  it('sends open_basedir alone when only it changed, and shows a plan with it off', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Edit plan basic' }));
    let dialog = screen.getByRole('dialog', { name: 'Edit plan basic' });
    const name = "Keep PHP scripts in the account's home (open_basedir)";
    await user.click(within(dialog).getByRole('checkbox', { name }));
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/plans/basic').map((r) => r.body)).toEqual([{ php_open_basedir: false }]);
    const row = (await screen.findByRole('cell', { name: 'basic' })).closest('tr')!;
    expect(await within(row).findByRole('cell', { name: 'Not confined' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Edit plan basic' }));
    dialog = screen.getByRole('dialog', { name: 'Edit plan basic' });
    expect(within(dialog).getByRole('checkbox', { name })).not.toBeChecked();
  });

  it('shows the 422 beside open_basedir when a reseller turns it off', async () => {
    const api = plansServer([makePlan({ name: 'ann_gold', reseller: 'ann' })]);
    signInAs(resellerUser);
    const { user } = renderApp('/admin/plans');
    await user.click(await screen.findByRole('button', { name: 'Edit plan ann_gold' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit plan ann_gold' });
    const basedir = within(dialog).getByRole('checkbox', {
      name: "Keep PHP scripts in the account's home (open_basedir)",
    });
    await user.click(basedir);
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));

    await waitFor(() => expect(basedir).toHaveAccessibleDescription(/A reseller's plans keep PHP scripts/));
    expect(basedir).toBeInvalid();
    expect(api.to('PATCH', '/api/v1/plans/ann_gold').map((r) => r.body)).toEqual([
      { php_open_basedir: false },
    ]);
  });

  it('creates a plan that grants static PHP pools, off unless ticked', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Create plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Create plan' });
    const pools = within(dialog).getByRole('checkbox', { name: STATIC_POOLS });
    expect(pools).not.toBeChecked();
    expect(pools).toHaveAccessibleDescription(/no request waits for one to start/);
    await user.type(within(dialog).getByLabelText('Plan name'), 'fast');
    await user.click(pools);
    await user.click(within(dialog).getByRole('button', { name: 'Create plan' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('POST', '/api/v1/plans')[0]!.body).toMatchObject({
      name: 'fast',
      ssh_shell: false,
      php_open_basedir: true,
      php_static_pools: true,
    });
    const row = (await screen.findByRole('cell', { name: 'fast' })).closest('tr')!;
    expect(within(row).getByRole('cell', { name: 'Static allowed' })).toBeInTheDocument();
  });

  it('sends static pools alone when only they changed, and shows the plan without them', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Edit plan basic' }));
    let dialog = screen.getByRole('dialog', { name: 'Edit plan basic' });
    const pools = within(dialog).getByRole('checkbox', { name: STATIC_POOLS });
    expect(pools).toBeChecked();
    await user.click(pools);
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/plans/basic').map((r) => r.body)).toEqual([{ php_static_pools: false }]);
    const row = (await screen.findByRole('cell', { name: 'basic' })).closest('tr')!;
    expect(await within(row).findByRole('cell', { name: 'On demand or dynamic' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Edit plan basic' }));
    dialog = screen.getByRole('dialog', { name: 'Edit plan basic' });
    expect(within(dialog).getByRole('checkbox', { name: STATIC_POOLS })).not.toBeChecked();
  });

  it('shows the 409 when an account on the plan already runs static pools', async () => {
    const { api, user } = await openPlans([makePlan({ name: 'busy', php_static_pools: true, accounts: 1 })]);
    await user.click(screen.getByRole('button', { name: 'Edit plan busy' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit plan busy' });
    const pools = within(dialog).getByRole('checkbox', { name: STATIC_POOLS });
    await user.click(pools);
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'static PHP pools (bob). Lower their usage or move them to another plan first.',
    );
    expect(pools).not.toBeChecked();
    expect(api.to('PATCH', '/api/v1/plans/busy').map((r) => r.body)).toEqual([{ php_static_pools: false }]);
  });

  it('shows the 422 beside static pools when a reseller grants them', async () => {
    const api = plansServer([makePlan({ name: 'ann_gold', reseller: 'ann', php_static_pools: false })]);
    signInAs(resellerUser);
    const { user } = renderApp('/admin/plans');
    await user.click(await screen.findByRole('button', { name: 'Edit plan ann_gold' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit plan ann_gold' });
    const pools = within(dialog).getByRole('checkbox', { name: STATIC_POOLS });
    await user.click(pools);
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));

    await waitFor(() => expect(pools).toHaveAccessibleDescription(/cannot grant static PHP pools/));
    expect(pools).toBeInvalid();
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    expect(api.to('PATCH', '/api/v1/plans/ann_gold').map((r) => r.body)).toEqual([
      { php_static_pools: true },
    ]);
  });

  it('edits only the limits that changed, and shows a 409 when accounts already use more', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Edit plan basic' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit plan basic' });
    expect(within(dialog).getByText(/2 accounts are on this plan/)).toBeInTheDocument();

    const domains = within(dialog).getByLabelText('Domains');
    expect(domains).toHaveValue(10);
    await user.clear(domains);
    await user.type(domains, '1');
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('alice uses 3 domains (limit 1)');

    await user.clear(domains);
    await user.type(domains, '20');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Unlimited disk quota (MB)' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save plan' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/plans/basic').map((r) => r.body)).toEqual([
      { max_domains: 1 },
      { max_domains: 20, disk_quota_mb: null },
    ]);
  });

  it('deletes after confirmation, and shows the 409 while accounts use the plan', async () => {
    const { api, user } = await openPlans([makePlan(), basic, makePlan({ name: 'spare' })]);

    await user.click(screen.getByRole('button', { name: 'Delete plan basic' }));
    let dialog = screen.getByRole('dialog', { name: 'Delete plan basic?' });
    expect(within(dialog).getByText(/2 accounts are on this plan/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Delete plan' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent("2 account(s) are on plan 'basic'");
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await user.click(screen.getByRole('button', { name: 'Delete plan spare' }));
    dialog = screen.getByRole('dialog', { name: 'Delete plan spare?' });
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Delete plan' }));

    expect(await screen.findByText('Plan spare deleted.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('cell', { name: 'spare' })).not.toBeInTheDocument());
    expect(api.to('DELETE', '/api/v1/plans/spare')).toHaveLength(1);
  });

  it('sets a plan’s price and period, and takes it off billing again (null)', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Billing of plan basic' }));
    let dialog = screen.getByRole('dialog', { name: 'Billing of plan basic' });
    let billing = await within(dialog).findByLabelText('Billing');
    expect(billing).toHaveValue('none');
    expect(within(dialog).getByText(/get no invoices/)).toBeInTheDocument();
    expect(within(dialog).queryByLabelText(/^Price/)).not.toBeInTheDocument();

    await user.selectOptions(billing, 'Yearly');
    await user.type(within(dialog).getByLabelText('Price per year'), '99.00');
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));
    expect(await screen.findByText('Billing of plan basic saved.')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    // Opened again, the price is the exact string the API holds.
    await user.click(screen.getByRole('button', { name: 'Billing of plan basic' }));
    dialog = screen.getByRole('dialog', { name: 'Billing of plan basic' });
    billing = await within(dialog).findByLabelText('Billing');
    expect(billing).toHaveValue('year');
    expect(within(dialog).getByLabelText('Price per year')).toHaveValue('99.00');
    await user.selectOptions(billing, 'Not billed');
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PUT', '/api/v1/plans/basic/billing').map((r) => r.body)).toEqual([
      { price: '99.00', billing_period: 'year' },
      { price: null, billing_period: 'year' },
    ]);
  });

  it('refuses a price without its two decimals before sending, and shows the server’s 422 beside it', async () => {
    const { api, user } = await openPlans();
    await user.click(screen.getByRole('button', { name: 'Billing of plan basic' }));
    const dialog = screen.getByRole('dialog', { name: 'Billing of plan basic' });
    await user.selectOptions(await within(dialog).findByLabelText('Billing'), 'Monthly');
    const price = within(dialog).getByLabelText('Price per month');

    for (const refused of ['10', '1e3', '9.9']) {
      await user.clear(price);
      await user.type(price, refused);
      await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));
      expect(price).toHaveAccessibleDescription(/with two decimals, such as 9\.90/);
      expect(price).toBeInvalid();
    }
    expect(api.to('PUT', '/api/v1/plans/basic/billing')).toHaveLength(0);

    await user.clear(price);
    await user.type(price, '99999.99');
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));
    await waitFor(() => expect(price).toHaveAccessibleDescription(/Above the most this panel bills\./));
    expect(price).toBeInvalid();
    expect(api.to('PUT', '/api/v1/plans/basic/billing').map((r) => r.body)).toEqual([
      { price: '99999.99', billing_period: 'month' },
    ]);
  });

  it('offers a reseller no billing, and never asks for it', async () => {
    const api = plansServer([makePlan({ name: 'ann_gold', reseller: 'ann' })]);
    signInAs(resellerUser);
    renderApp('/admin/plans');

    await screen.findByRole('table', { name: 'Plans' });
    expect(screen.queryByRole('button', { name: /Billing/ })).not.toBeInTheDocument();
    expect(api.requests.filter((r) => r.path.includes('billing'))).toEqual([]);
  });
});
