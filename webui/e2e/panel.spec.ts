import { admin, expect, leftOut, navigate, screenshot, signIn, signOut, test, uniqueSuffix } from './support';

// An administrator sets up a plan and an account; the account's owner then adds a website.
// Serial: the owner's part needs what the administrator's part made.
test.describe.configure({ mode: 'serial' });

const suffix = uniqueSuffix();
const plan = `e2e-${suffix}`;
const owner = { name: `e2e_${suffix}`, password: `pw-${suffix}-Long1` };
const domain = `e2e-${suffix}.example`;

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

    if (api.hasPlans) {
      await navigate(page, 'Overview');
      await expect(usage).toContainText('1 of 3 domains');
    }
  } else leftOut('adding a domain', '/api/v1/domains');

  await signOut(page);
});
