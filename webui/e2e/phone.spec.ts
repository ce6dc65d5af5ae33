import type { Page } from '@playwright/test';
import {
  admin,
  expect,
  leftOut,
  navigate,
  screenshot,
  signIn,
  test,
  uniqueSuffix,
  type Api,
} from './support';

// The main pages at a phone's width: the navigation collapses behind a menu button, and
// nothing makes the page itself scroll sideways (wide tables scroll inside their own region).
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

async function expectNoSidewaysScroll(page: Page) {
  await expect
    .poll(() =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    )
    .toBeLessThanOrEqual(0);
}

/** Opens a page through the collapsed menu and checks the menu closes again. */
async function visit(page: Page, label: string, heading: string, shot: string) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: label, exact: true })).toBeHidden();
  await navigate(page, label);
  await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open navigation' })).toHaveAttribute(
    'aria-expanded',
    'false',
  );
  await expect(page.getByRole('status').filter({ hasText: /^Loading/ })).toHaveCount(0);
  await expectNoSidewaysScroll(page);
  await screenshot(page, shot);
}

/** The databases, cron jobs and DNS pages, where the gateway has them. */
async function visitHosting(page: Page, api: Api, area: 'admin' | 'panel') {
  const pages = [
    ['/api/v1/databases', 'Databases', 'Databases'],
    ['/api/v1/cron-jobs', 'Cron jobs', 'Cron jobs'],
    ['/api/v1/dns-zones', 'DNS', 'DNS zones'],
  ] as const;
  for (const [route, label, heading] of pages) {
    const shot = `phone-${area}-${label.toLowerCase().replace(' ', '-')}`;
    if (api.has(route)) await visit(page, label, heading, shot);
    else leftOut(`the ${label} page at phone width`, route);
  }
}

test('an administrator’s pages at 390 px', async ({ page, api }) => {
  await signIn(page, admin.name, admin.password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open navigation' })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await screenshot(page, 'phone-admin-dashboard');

  await visit(page, 'Accounts', 'Accounts', 'phone-admin-accounts');
  if (api.hasPlans) await visit(page, 'Plans', 'Plans', 'phone-admin-plans');
  else leftOut('the plans page at phone width', '/api/v1/plans');
  if (api.hasDomains) await visit(page, 'Domains', 'Domains', 'phone-admin-domains');
  else leftOut('the domains page at phone width', '/api/v1/domains');
  await visitHosting(page, api, 'admin');
  await visit(page, 'Audit log', 'Audit log', 'phone-admin-audit-log');

  // The menu also closes with Escape, and keyboard focus can reach it.
  await page.getByRole('button', { name: 'Open navigation' }).click();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }),
  ).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Open navigation' })).toHaveAttribute(
    'aria-expanded',
    'false',
  );
});

test('an owner’s pages at 390 px', async ({ page, api }) => {
  const owner = { name: `e2e_${uniqueSuffix()}`, password: 'phone-owner-pass-1' };
  await api.createAccount(owner.name, owner.password);
  try {
    await signIn(page, owner.name, owner.password);
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'phone-panel-overview');
    if (api.hasDomains) {
      await visit(page, 'Domains', 'Domains', 'phone-panel-domains');
      await page.getByRole('button', { name: 'Add domain', exact: true }).click();
      await expect(page.getByRole('dialog', { name: 'Add domain' })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await screenshot(page, 'phone-panel-add-domain');
      await page.getByRole('dialog', { name: 'Add domain' }).getByRole('button', { name: 'Cancel' }).click();
      await expect(page.getByRole('dialog', { name: 'Add domain' })).toBeHidden();
    } else leftOut('the owner’s domains page at phone width', '/api/v1/domains');
    await visitHosting(page, api, 'panel');
    if (api.has('/api/v1/cron-jobs')) {
      await navigate(page, 'Cron jobs');
      await page.getByRole('button', { name: 'Add cron job', exact: true }).click();
      await expect(page.getByRole('dialog', { name: 'Add cron job' })).toBeVisible();
      await page.getByRole('dialog', { name: 'Add cron job' }).getByLabel('Runs').selectOption('custom');
      await expectNoSidewaysScroll(page);
      await screenshot(page, 'phone-panel-add-cron-job');
    }
  } finally {
    await api.remove(`/accounts/${owner.name}`);
  }
});
