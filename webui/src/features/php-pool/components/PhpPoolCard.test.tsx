import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, makeAccount, makeAccountSystem, makePlan, ownerUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import type { PhpPool, PhpPoolUpdate, ProcessManager } from '../types';

const POOL = '/api/v1/accounts/alice/php-pool';

type ServerOptions = {
  /** The bound the GET answers (a plan lowered since the page loaded answers more than is true). */
  shown?: number;
  openBasedir?: boolean;
  /** Whether the GET says the plan grants static pools, and whether the gateway agrees. */
  staticShown?: boolean;
  staticGranted?: boolean;
  pm?: ProcessManager;
};

/** Alice's account and her pool, whose plan allows 16 workers; the gateway refuses more. */
function poolServer({
  shown = 16,
  openBasedir = true,
  staticShown = false,
  staticGranted = staticShown,
  pm = 'ondemand',
}: ServerOptions = {}) {
  let pool: PhpPool = {
    pm,
    max_children: 8,
    max_children_bound: shown,
    open_basedir: openBasedir,
    static_allowed: staticShown,
  };
  return mockApi({
    'GET /api/v1/me': () => json(200, ownerUser(makeAccount(), makePlan())),
    'GET /api/v1/accounts/alice': () => json(200, makeAccount({ system: makeAccountSystem() })),
    [`GET ${POOL}`]: () => json(200, pool),
    [`PATCH ${POOL}`]: (req) => {
      const body = req.body as PhpPoolUpdate;
      if ((body.max_children ?? 0) > 16) {
        return problem(422, {
          title: 'Unprocessable request',
          errors: [{ field: 'max_children', message: "must be at most 16 on plan 'default'" }],
        });
      }
      if (body.pm === 'static' && !staticGranted) {
        return problem(422, {
          title: 'Unprocessable request',
          errors: [{ field: 'pm', message: "plan 'default' does not allow static PHP pools" }],
        });
      }
      pool = { ...pool, ...body } as PhpPool;
      return json(200, pool);
    },
  });
}

const card = () => screen.findByRole('region', { name: 'PHP workers' });

const optionsOf = (select: HTMLElement) =>
  within(select)
    .getAllByRole('option')
    .map((o) => (o as HTMLOptionElement).value);

describe('an account’s PHP workers', () => {
  it('lets the owner switch to dynamic and raise the workers within the plan', async () => {
    const api = poolServer();
    signInAs(ownerUser(makeAccount(), makePlan()));
    const { user } = renderApp('/panel');

    const region = await card();
    const workers = await within(region).findByRole('textbox', { name: 'Most workers at once' });
    expect(workers).toHaveValue('8');
    expect(workers).toHaveAccessibleDescription(/1 to 16 on your plan/);
    expect(
      within(region).getByText(/only in the account's home \(open_basedir\), as your plan says/),
    ).toBeInTheDocument();
    await user.selectOptions(within(region).getByLabelText('Process manager'), 'dynamic');
    await user.clear(workers);
    await user.type(workers, '12');
    await user.click(within(region).getByRole('button', { name: 'Save PHP workers' }));

    expect(await screen.findByText('PHP workers of alice saved.')).toBeInTheDocument();
    expect(api.to('PATCH', POOL).map((r) => r.body)).toEqual([{ pm: 'dynamic', max_children: 12 }]);
  });

  it('refuses more workers than the plan allows before sending, and shows the server’s refusal', async () => {
    const api = poolServer();
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const region = await card();
    const workers = await within(region).findByRole('textbox', { name: 'Most workers at once' });
    expect(workers).toHaveAccessibleDescription(/1 to 16 on the plan/);
    for (const wrong of ['17', '0', 'many']) {
      await user.clear(workers);
      await user.type(workers, wrong);
      await user.click(within(region).getByRole('button', { name: 'Save PHP workers' }));
      expect(workers).toHaveAccessibleDescription(/Enter a whole number from 1 to 16\./);
      expect(workers).toBeInvalid();
    }
    expect(api.to('PATCH', POOL)).toEqual([]);
  });

  it('shows the gateway’s field error beside the field (the plan was lowered meanwhile)', async () => {
    const api = poolServer({ shown: 32 });
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const region = await card();
    const workers = await within(region).findByRole('textbox', { name: 'Most workers at once' });
    await user.clear(workers);
    await user.type(workers, '24');
    await user.click(within(region).getByRole('button', { name: 'Save PHP workers' }));

    await waitFor(() => expect(workers).toHaveAccessibleDescription(/must be at most 16 on plan 'default'/));
    expect(workers).toBeInvalid();
    expect(within(region).queryByRole('alert')).not.toBeInTheDocument();
    expect(api.to('PATCH', POOL).map((r) => r.body)).toEqual([{ pm: 'ondemand', max_children: 24 }]);
  });

  it('says when the plan lets the scripts out of the home', async () => {
    poolServer({ openBasedir: false });
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    const region = await card();
    expect(
      await within(region).findByText(/outside the account's home: the plan sets no open_basedir/),
    ).toBeInTheDocument();
    expect(within(region).queryByText(/only in the account's home/)).not.toBeInTheDocument();
  });

  it('offers no static pool when the plan does not grant it', async () => {
    poolServer();
    signInAs(ownerUser(makeAccount(), makePlan()));
    renderApp('/panel');

    const region = await card();
    const manager = await within(region).findByLabelText('Process manager');
    expect(optionsOf(manager)).toEqual(['ondemand', 'dynamic']);
    expect(manager).not.toHaveAccessibleDescription(/Static/);
  });

  it('offers a static pool when the plan grants it, and sends it with the workers', async () => {
    const api = poolServer({ staticShown: true });
    signInAs(ownerUser(makeAccount(), makePlan()));
    const { user } = renderApp('/panel');

    const region = await card();
    const manager = await within(region).findByLabelText('Process manager');
    expect(optionsOf(manager)).toEqual(['ondemand', 'dynamic', 'static']);
    expect(manager).toHaveAccessibleDescription(/at the memory of every worker while idle/);
    await user.selectOptions(manager, 'Static: every worker always runs');
    const workers = within(region).getByRole('textbox', { name: 'Most workers at once' });
    await user.clear(workers);
    await user.type(workers, '4');
    await user.click(within(region).getByRole('button', { name: 'Save PHP workers' }));

    expect(await screen.findByText('PHP workers of alice saved.')).toBeInTheDocument();
    expect(api.to('PATCH', POOL).map((r) => r.body)).toEqual([{ pm: 'static', max_children: 4 }]);
    expect(within(region).getByLabelText('Process manager')).toHaveValue('static');
  });

  it('shows a pool already static as static, even where the plan no longer offers it', async () => {
    poolServer({ pm: 'static' });
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    const region = await card();
    const manager = await within(region).findByLabelText('Process manager');
    expect(manager).toHaveValue('static');
    expect(optionsOf(manager)).toEqual(['ondemand', 'dynamic', 'static']);
  });

  it('shows the gateway’s refusal of a static pool beside the process manager', async () => {
    const api = poolServer({ staticShown: true, staticGranted: false });
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const region = await card();
    const manager = await within(region).findByLabelText('Process manager');
    await user.selectOptions(manager, 'static');
    await user.click(within(region).getByRole('button', { name: 'Save PHP workers' }));

    await waitFor(() =>
      expect(manager).toHaveAccessibleDescription(/plan 'default' does not allow static PHP pools/),
    );
    expect(manager).toBeInvalid();
    expect(within(region).queryByRole('alert')).not.toBeInTheDocument();
    expect(api.to('PATCH', POOL).map((r) => r.body)).toEqual([{ pm: 'static', max_children: 8 }]);
  });
});
