import {
  admin,
  expect,
  fillSignIn,
  leftOut,
  navigate,
  screenshot,
  signIn,
  signOut,
  test,
  uniqueSuffix,
} from './support';

// An administrator creates a reseller with totals; the reseller signs in to the administration
// app, sees only what is its own, makes a plan within its totals and an account on it.

const suffix = uniqueSuffix();
const reseller = { name: `rs_${suffix}`, password: `pw-${suffix}-Long1` };
const plan = `${reseller.name}_gold`;
const account = { name: `rsa_${suffix}`, password: `pw-${suffix}-Long2` };

test.describe('a reseller sells an account within its totals', () => {
  test.describe.configure({ mode: 'serial' });

  test.afterAll(async ({ api }) => {
    await api.remove(`/accounts/${account.name}`, `/resellers/${reseller.name}`);
  });

  test('an administrator creates a reseller with totals', async ({ page, api }) => {
    test.skip(!api.has('/api/v1/resellers'), 'the gateway declares no /api/v1/resellers');
    await signIn(page, admin.name, admin.password);
    await navigate(page, 'Resellers');
    await page.getByRole('button', { name: 'Create reseller' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create reseller' });
    await dialog.getByLabel('Reseller name').fill(reseller.name);
    await dialog.getByLabel('Password', { exact: true }).fill(reseller.password);
    await dialog.getByLabel('Accounts', { exact: true }).fill('2');
    // Disk stays unlimited: the sandbox's /home may enforce no quotas, and then no plan has one.
    await dialog.getByLabel('Domains', { exact: true }).fill('10');
    await dialog.getByLabel('Databases', { exact: true }).fill('10');
    await dialog.getByRole('button', { name: 'Create reseller' }).click();
    await expect(dialog).toBeHidden();
    const row = page
      .getByRole('table', { name: 'Resellers' })
      .getByRole('row')
      .filter({ hasText: reseller.name });
    await expect(row.getByRole('cell').nth(1)).toHaveText('0 of 2');
    await screenshot(page, 'admin-resellers');
    await signOut(page);
  });

  test('the reseller makes a plan and an account on it, and sees only its own', async ({ page, api }) => {
    test.skip(!api.has('/api/v1/resellers'), 'the gateway declares no /api/v1/resellers');
    await signIn(page, reseller.name, reseller.password);
    await expect(page).toHaveURL(/\/admin\/accounts$/);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Resellers' })).toHaveCount(0);
    await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
    await expect(nav.getByRole('link', { name: 'Panel certificate' })).toHaveCount(0);

    await navigate(page, 'Plans');
    await expect(page.getByRole('table', { name: 'Plans' })).toHaveCount(0); // none of its own yet
    await page.getByRole('button', { name: 'Create plan' }).click();
    const planDialog = page.getByRole('dialog', { name: 'Create plan' });
    await planDialog.getByLabel('Plan name').fill(plan);
    for (const [label, value] of [
      ['Domains', '5'],
      ['Databases', '5'],
    ] as const) {
      const unlimited = planDialog.getByRole('checkbox', { name: `Unlimited ${label.toLowerCase()}` });
      if (await unlimited.isChecked()) await unlimited.uncheck();
      await planDialog.getByLabel(label, { exact: true }).fill(value);
    }
    await planDialog.getByRole('button', { name: 'Create plan' }).click();
    await expect(planDialog).toBeHidden();
    await expect(
      page.getByRole('table', { name: 'Plans' }).getByRole('row').filter({ hasText: plan }),
    ).toBeVisible();

    await navigate(page, 'Accounts');
    await page.getByRole('button', { name: 'Create account' }).click();
    const accountDialog = page.getByRole('dialog', { name: 'Create account' });
    await accountDialog.getByLabel('Account name').fill(account.name);
    await accountDialog.getByLabel('Password').fill(account.password);
    await expect(accountDialog.getByLabel('Plan')).toHaveValue(plan);
    await accountDialog.getByRole('button', { name: 'Create account' }).click();
    await expect(accountDialog).toBeHidden({ timeout: 60_000 });
    const rows = page.getByRole('table', { name: 'Accounts' }).getByRole('row');
    await expect(rows).toHaveCount(2); // the header and its one account
    await expect(rows.nth(1)).toContainText(account.name);
    await screenshot(page, 'reseller-accounts');
    if (!api.hasDomains) leftOut('the reseller’s domains', '/api/v1/domains');
  });

  test('the reseller changes its own password and signs in with it, not the old one', async ({ page }) => {
    await signIn(page, reseller.name, reseller.password);
    await expect(page).toHaveURL(/\/admin\/accounts$/);
    await navigate(page, 'Your password');
    const form = page.getByRole('form', { name: 'Change panel password' });
    await form.getByLabel('Current panel password').fill(reseller.password);
    const changed = `${reseller.password}-new`;
    await form.getByLabel('New password', { exact: true }).fill(changed);
    await form.getByRole('button', { name: 'Change panel password' }).click();
    await expect(page.getByText('Panel password changed; other sessions are signed out.')).toBeVisible();
    await signOut(page);

    await fillSignIn(page, reseller.name, reseller.password);
    await expect(page.getByText('Sign-in failed')).toBeVisible(); // the old one is refused
    await expect(page).toHaveURL(/\/login$/);
    await fillSignIn(page, reseller.name, changed);
    await expect(page).toHaveURL(/\/admin\/accounts$/);
    reseller.password = changed;
  });
});
