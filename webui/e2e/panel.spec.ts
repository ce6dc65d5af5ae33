import type { Page } from '@playwright/test';
import { admin, expect, leftOut, navigate, screenshot, signIn, signOut, test, uniqueSuffix } from './support';

// An administrator sets up a plan and an account; the account's owner then adds a website.
// Then an owner adds a database with a user, a cron job and a DNS zone for its website.

const suffix = uniqueSuffix();
const plan = `e2e-${suffix}`;
const owner = { name: `e2e_${suffix}`, password: `pw-${suffix}-Long1` };
const domain = `e2e-${suffix}.example`;

/** The dashboard's count cards: each shows a number. */
async function expectCounts(page: Page) {
  const counts = page.getByRole('region', { name: 'Counts' });
  for (const label of ['Accounts', 'Domains', 'Databases', 'Cron jobs', 'DNS zones']) {
    const card = counts.locator('.stat').filter({ has: page.getByText(label, { exact: true }) });
    await expect(card.getByText(/^\d[\d,]*$/)).toBeVisible();
  }
}

test.describe('an administrator sets up an account, its owner adds a website', () => {
  // Serial: the owner's part needs what the administrator's part made.
  test.describe.configure({ mode: 'serial' });

  test.afterAll(async ({ api }) => {
    await api.remove(`/domains/${domain}`, `/accounts/${owner.name}`, `/plans/${plan}`);
  });

  test('an administrator creates a plan and an account on it, then signs out', async ({ page, api }) => {
    await signIn(page, admin.name, admin.password);
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    await screenshot(page, 'admin-dashboard');

    if (api.hasPlans) {
      await test.step('creates a plan with a domain limit', async () => {
        await navigate(page, 'Plans');
        await expect(page.getByRole('heading', { name: 'Plans', level: 1 })).toBeVisible();
        await page.getByRole('button', { name: 'Create plan' }).click();
        const dialog = page.getByRole('dialog', { name: 'Create plan' });
        await dialog.getByLabel('Plan name').fill(plan);
        await expect(dialog.getByLabel('Domains', { exact: true })).toBeDisabled();
        await dialog.getByRole('checkbox', { name: 'Unlimited domains' }).uncheck();
        await dialog.getByLabel('Domains', { exact: true }).fill('3');
        await dialog.getByRole('button', { name: 'Create plan' }).click();
        await expect(dialog).toBeHidden();
        const row = page.getByRole('table', { name: 'Plans' }).getByRole('row').filter({ hasText: plan });
        await expect(row.getByRole('cell').nth(1)).toHaveText('3');
        await expect(row.getByRole('cell').nth(2)).toHaveText('Unlimited');
        await screenshot(page, 'admin-plans');
      });
    } else leftOut('creating a plan', '/api/v1/plans');

    await test.step('creates an account on that plan and finds it listed', async () => {
      await navigate(page, 'Accounts');
      await expect(page.getByRole('heading', { name: 'Accounts', level: 1 })).toBeVisible();
      await page.getByRole('button', { name: 'Create account' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create account' });
      await dialog.getByLabel('Account name').fill(owner.name);
      await dialog.getByLabel('Password').fill(owner.password);
      if (api.hasPlans) await dialog.getByLabel('Plan').selectOption(plan);
      await dialog.getByRole('button', { name: 'Create account' }).click();
      await expect(dialog).toBeHidden({ timeout: 60_000 });
      await page.getByRole('searchbox', { name: 'Search accounts' }).fill(owner.name);
      const link = page.getByRole('table', { name: 'Accounts' }).getByRole('link', { name: owner.name });
      await expect(link).toBeVisible();
      await screenshot(page, 'admin-accounts');

      await link.click();
      await expect(page.getByRole('heading', { name: owner.name, level: 1 })).toBeVisible();
      if (api.hasPlans) await expect(page.getByRole('link', { name: plan, exact: true })).toBeVisible();
      await screenshot(page, 'admin-account');
    });

    if (api.hasDomains) {
      await test.step('sees the domains of the account (none yet)', async () => {
        await page.getByRole('link', { name: `Domains of ${owner.name}` }).click();
        await expect(page.getByRole('heading', { name: 'Domains', level: 1 })).toBeVisible();
        await expect(page.getByLabel('Account')).toHaveValue(owner.name);
        await expect(page.getByText('No matching domains')).toBeVisible();
        await screenshot(page, 'admin-domains');
      });
    } else leftOut('the administrator’s domains list', '/api/v1/domains');

    await navigate(page, 'Audit log');
    await expect(page.getByRole('table', { name: 'Audit log' })).toBeVisible();
    await screenshot(page, 'admin-audit-log');

    if (api.has('/api/v1/server')) {
      await test.step('the dashboard shows the counts and the server', async () => {
        await navigate(page, 'Dashboard');
        await expectCounts(page);
        await expect(page.getByRole('meter', { name: 'Memory' })).toBeVisible();
        await expect(page.getByRole('meter', { name: 'Disk /', exact: true })).toBeVisible();
        await expect(page.getByText('Hostname', { exact: true })).toBeVisible();
        await screenshot(page, 'admin-dashboard-server');
      });
    } else leftOut('the dashboard’s counts', '/api/v1/server');
    await signOut(page);
  });

  test('the owner lands on /panel, adds a domain and sees it active', async ({ page, api }) => {
    await signIn(page, owner.name, owner.password);
    await expect(page).toHaveURL(/\/panel$/);
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
    const usage = page.getByRole('region', { name: `Plan: ${plan}` });
    if (api.hasPlans) await expect(usage).toContainText('0 of 3 domains');
    await screenshot(page, 'panel-overview');

    if (api.hasDomains) {
      await test.step('a bad name is shown beside the name field', async () => {
        await navigate(page, 'Domains');
        await expect(page.getByRole('heading', { name: 'Domains', level: 1 })).toBeVisible();
        await page.getByRole('button', { name: 'Add domain', exact: true }).click();
        const dialog = page.getByRole('dialog', { name: 'Add domain' });
        const name = dialog.getByLabel('Domain name');
        await name.fill('bad_name!');
        await dialog.getByRole('button', { name: 'Add domain' }).click();
        await expect(name).toHaveAttribute('aria-invalid', 'true');
        await expect(name).toHaveAccessibleDescription(/Use a name such as example\.com/);
        await screenshot(page, 'panel-add-domain-error');
      });

      await test.step('adds the domain with an alias, PHP at the newest version', async () => {
        const dialog = page.getByRole('dialog', { name: 'Add domain' });
        await dialog.getByLabel('Domain name').fill(domain);
        await dialog.getByRole('button', { name: 'Add alias' }).click();
        await dialog.getByLabel('Alias 1', { exact: true }).fill(`www.${domain}`);
        await expect(dialog.getByRole('radio', { name: 'PHP' })).toBeChecked();
        await expect(dialog.getByLabel('PHP version')).toBeEnabled();
        await dialog.getByRole('button', { name: 'Add domain' }).click();
        await expect(dialog).toBeHidden({ timeout: 60_000 });
      });

      await test.step('finds it listed and active, and opens it', async () => {
        const row = page.getByRole('table', { name: 'Domains' }).getByRole('row').filter({ hasText: domain });
        // The list looks again every two seconds while a domain is pending.
        await expect(row).toContainText('Active', { timeout: 60_000 });
        await screenshot(page, 'panel-domains');
        await row.getByRole('link', { name: domain }).click();
        await expect(page.getByRole('heading', { name: domain, level: 1 })).toBeVisible();
        await expect(page.getByText(`www.${domain}`)).toBeVisible();
        await screenshot(page, 'panel-domain');
      });

      if (api.has('/api/v1/domains/{name}/certificate')) {
        await test.step('asks for a certificate and is told why not, in words (no DNS points here)', async () => {
          const card = page.getByRole('region', { name: 'HTTPS certificate' });
          await expect(card.getByText('No certificate')).toBeVisible();
          await card.getByRole('button', { name: 'Issue certificate' }).click();
          // The pre-flight check refuses before the CA is asked: the domain has no zone.
          await expect(card.getByText('The certificate was not issued')).toBeVisible({ timeout: 60_000 });
          await expect(card).toContainText(`${domain} does not resolve to this server`);
          await screenshot(page, 'panel-domain-certificate');
        });
      } else leftOut('a domain’s certificate', '/api/v1/domains/{name}/certificate');

      if (api.hasPlans) {
        await navigate(page, 'Overview');
        await expect(usage).toContainText('1 of 3 domains');
      }
    } else leftOut('adding a domain', '/api/v1/domains');

    await test.step('the overview shows the account as the server has it', async () => {
      const server = page.getByRole('region', { name: 'On the server' });
      await expect(server).toContainText(`/home/${owner.name}`);
      await expect(server.getByText('User ID', { exact: true })).toBeVisible();
    });

    await signOut(page);
  });
});

test.describe('an owner’s databases, cron jobs and DNS', () => {
  // Each flow stands on its own, so one that fails (say, the agent answers 502) does not hide
  // whether the others work. The account and its website are made through the API; a worker
  // that restarts after a failure makes its own.
  const host = { name: `e2e_h${suffix}`.slice(0, 32), password: `pw-${suffix}-Host1` };
  const site = `e2e-h${suffix}.example`;
  const database = `${host.name}_shop`;
  const databaseUser = `${host.name}_rw`;
  const cronCommand = `echo e2e-${suffix} > /dev/null`;
  const txtText = `e2e-verification=${suffix}`;

  test.beforeAll(async ({ api }) => {
    await api.createAccount(host.name, host.password);
    if (api.hasDomains) await api.createDomain(site, host.name);
  });

  test.afterAll(async ({ api }) => {
    await api.remove(`/dns-zones/${site}`, `/database-users/${databaseUser}`, `/databases/${database}`);
    await api.removeCronJobsOf(host.name);
    await api.remove(`/domains/${site}`, `/accounts/${host.name}`);
  });

  test('the owner creates a database and a user with access to it', async ({ page, api }) => {
    test.skip(!api.has('/api/v1/databases'), 'NOTE: the gateway does not declare /api/v1/databases');
    await signIn(page, host.name, host.password);
    await navigate(page, 'Databases');
    await expect(page.getByRole('heading', { name: 'Databases', level: 1 })).toBeVisible();

    await test.step('creates a database: the prefix is fixed, the owner types the rest', async () => {
      await page.getByRole('button', { name: 'Create database', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Create database' });
      const name = dialog.getByLabel('Database name');
      await expect(dialog.getByText(`${host.name}_`, { exact: true })).toBeVisible();
      await name.fill('shop');
      await expect(name).toHaveAccessibleDescription(new RegExp(`The full name is ${database}\\.`));
      await dialog.getByRole('button', { name: 'Create database' }).click();
      await expect(dialog).toBeHidden({ timeout: 60_000 });
      const row = page
        .getByRole('table', { name: 'Databases' })
        .getByRole('row')
        .filter({ hasText: database });
      await expect(row).toBeVisible();
    });

    await test.step('creates a user with a generated password and access to the database', async () => {
      await page.getByRole('button', { name: 'Create user', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Create database user' });
      await dialog.getByLabel('User name').fill('rw');
      await dialog.getByRole('button', { name: 'Generate a strong password' }).click();
      await expect(dialog.getByLabel('Password', { exact: true })).toHaveValue(/^.{24}$/);
      await dialog.getByRole('checkbox', { name: database }).check();
      await screenshot(page, 'panel-create-database-user');
      await dialog.getByRole('button', { name: 'Create user' }).click();
      await expect(dialog).toBeHidden({ timeout: 60_000 });
      const row = page
        .getByRole('table', { name: 'Database users' })
        .getByRole('row')
        .filter({ hasText: databaseUser });
      await expect(row).toContainText(database);
      await expect(
        page.getByRole('table', { name: 'Databases' }).getByRole('row').filter({ hasText: database }),
      ).toContainText(databaseUser);
      await screenshot(page, 'panel-databases');
    });

    if (api.hasPlans) {
      await test.step('the plan card counts the database', async () => {
        await navigate(page, 'Overview');
        await expect(page.getByRole('region', { name: /^Plan:/ })).toContainText('1 database, unlimited');
      });
    }

    await signOut(page);
  });

  test('the owner schedules a cron job from a preset', async ({ page, api }) => {
    test.skip(!api.has('/api/v1/cron-jobs'), 'NOTE: the gateway does not declare /api/v1/cron-jobs');
    await signIn(page, host.name, host.password);
    await navigate(page, 'Cron jobs');
    await expect(page.getByRole('heading', { name: 'Cron jobs', level: 1 })).toBeVisible();

    await page.getByRole('button', { name: 'Add cron job', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add cron job' });
    await dialog.getByLabel('Runs').selectOption('minutes');
    await dialog.getByLabel('Interval').selectOption('15');
    await expect(dialog.getByRole('status', { name: 'Schedule preview' })).toContainText(
      'Every 15 minutes: */15 * * * *',
    );
    await dialog.getByLabel('Command').fill(cronCommand);
    await screenshot(page, 'panel-add-cron-job');
    await dialog.getByRole('button', { name: 'Add cron job' }).click();
    await expect(dialog).toBeHidden({ timeout: 60_000 });

    const row = page
      .getByRole('table', { name: 'Cron jobs' })
      .getByRole('row')
      .filter({ hasText: cronCommand });
    await expect(row).toContainText('Every 15 minutes');
    const enabled = row.getByRole('switch');
    await expect(enabled).toBeChecked();
    await screenshot(page, 'panel-cron-jobs');

    await test.step('switches it off, and it stays off', async () => {
      await enabled.click();
      await expect(page.getByText('Cron job disabled: it will not run.')).toBeVisible({ timeout: 60_000 });
      await page.reload();
      await expect(
        page
          .getByRole('table', { name: 'Cron jobs' })
          .getByRole('row')
          .filter({ hasText: cronCommand })
          .getByRole('switch'),
      ).not.toBeChecked();
    });

    if (api.hasPlans) {
      await test.step('the plan card counts the cron job', async () => {
        await navigate(page, 'Overview');
        await expect(page.getByRole('region', { name: /^Plan:/ })).toContainText('1 cron job, unlimited');
      });
    }

    await signOut(page);
  });

  test('the owner serves DNS for its domain and adds a TXT record', async ({ page, api }) => {
    test.skip(
      !api.has('/api/v1/dns-zones') || !api.hasDomains,
      'NOTE: the gateway does not declare /api/v1/dns-zones or /api/v1/domains',
    );
    await signIn(page, host.name, host.password);
    await navigate(page, 'DNS');
    await expect(page.getByRole('heading', { name: 'DNS zones', level: 1 })).toBeVisible();

    await test.step('adds a zone for the domain, with the usual records', async () => {
      await page.getByRole('button', { name: 'Add zone', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Add DNS zone' });
      await dialog.getByLabel('Domain').selectOption(site);
      await expect(dialog.getByRole('checkbox', { name: 'Start with the usual records' })).toBeChecked();
      await dialog.getByRole('button', { name: 'Add zone' }).click();
      await expect(dialog).toBeHidden({ timeout: 60_000 });
      await expect(page.getByRole('heading', { name: site, level: 1 })).toBeVisible();
      const records = page.getByRole('table', { name: `Records of ${site}` });
      await expect(records.getByRole('row').filter({ hasText: 'v=spf1' })).toBeVisible();
      await expect(
        records
          .getByRole('row')
          .filter({ hasText: `mail.${site}` })
          .first(),
      ).toBeVisible();
    });

    await test.step('adds a TXT record', async () => {
      await page.getByRole('button', { name: 'Add record', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Add record' });
      await dialog.getByLabel('Type').selectOption('TXT');
      await expect(dialog.getByLabel('IPv4 address')).toBeHidden();
      await dialog.getByLabel('Name').fill('_e2e');
      await dialog.getByLabel('Text').fill(txtText);
      await expect(dialog.getByLabel('Text')).toHaveAccessibleDescription(/line breaks are not allowed/);
      await screenshot(page, 'panel-add-record');
      await dialog.getByRole('button', { name: 'Add record' }).click();
      await expect(dialog).toBeHidden({ timeout: 60_000 });
      const row = page
        .getByRole('table', { name: `Records of ${site}` })
        .getByRole('row')
        .filter({ hasText: txtText });
      await expect(row).toContainText(`_e2e.${site}`);
      await expect(row).toContainText('default');
      await screenshot(page, 'panel-dns-zone');
    });

    await test.step('the zones list counts the records', async () => {
      await page.getByRole('link', { name: '← DNS zones' }).click();
      const row = page.getByRole('table', { name: 'DNS zones' }).getByRole('row').filter({ hasText: site });
      await expect(row.getByRole('cell').nth(2)).toHaveText('6');
    });

    await signOut(page);
  });
});
