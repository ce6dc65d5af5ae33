import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';

export { expect };

export const admin = {
  name: process.env.JOPANEL_ADMIN_NAME ?? 'admin',
  password: process.env.JOPANEL_ADMIN_PASSWORD ?? '',
};

const screenshotDir =
  process.env.JOPANEL_SCREENSHOTS ?? join(process.env.JOPANEL_E2E_OUTPUT ?? 'e2e-results', 'screenshots');

/**
 * A full-page screenshot of a main page, named for it. It is a record for people, not an
 * assertion, so it gets more time than an action: on a loaded two-core machine the first
 * full-page capture of a fresh Chromium once took over the 15 s action timeout.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true, timeout: 60_000 });
}

/** Names no earlier run used, so the tests can run again against the same server. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`.slice(-8);
}

/**
 * Chromium reports every HTTP error answer as a console error "Failed to load resource: ...".
 * A 4xx from the API is part of its contract (401 from /auth/refresh before anyone signs in,
 * 400 for a refused form); everything else — console.error, CSP violations, uncaught errors,
 * a missing asset, any 5xx — fails the test.
 */
function isExpectedApiAnswer(text: string, url: string): boolean {
  return (
    /^Failed to load resource: the server responded with a status of 4\d\d\b/.test(text) &&
    url.includes('/api/v1/')
  );
}

type WorkerFixtures = { api: Api };

export const test = base.extend<object, WorkerFixtures>({
  page: async ({ page }, use) => {
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const url = message.location().url;
      if (!isExpectedApiAnswer(message.text(), url))
        consoleErrors.push(`console error: ${message.text()} (${url})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    // Belt and braces for CSP: Chromium logs violations, and the event names the directive.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(
          `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}`,
        );
      });
    });
    await use(page);
    expect(consoleErrors, 'the page logged errors').toEqual([]);
  },
  api: [
    async ({ playwright }, use) => {
      const context = await playwright.request.newContext({ baseURL: process.env.JOPANEL_URL });
      await use(await Api.signIn(context, admin.name, admin.password));
      await context.dispose();
    },
    { scope: 'worker' },
  ],
});

/** The REST API as an administrator, for what the browser flows need set up or cleaned up. */
export class Api {
  private constructor(
    private readonly context: APIRequestContext,
    private readonly token: string,
    private readonly paths: ReadonlySet<string>,
  ) {}

  static async signIn(context: APIRequestContext, name: string, password: string): Promise<Api> {
    const login = await context.post('/api/v1/auth/login', { data: { username: name, password } });
    expect(login.status(), 'the administrator signs in through the API').toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };
    const openapi = await context.get('/api/v1/openapi.json');
    const document = (await openapi.json()) as { paths?: Record<string, unknown> };
    return new Api(context, access_token, new Set(Object.keys(document.paths ?? {})));
  }

  /** Whether the gateway declares a route (its OpenAPI document comes from its route table). */
  has(path: string): boolean {
    return this.paths.has(path);
  }

  get hasPlans(): boolean {
    return this.has('/api/v1/plans');
  }

  get hasDomains(): boolean {
    return this.has('/api/v1/domains');
  }

  async createAccount(name: string, password: string): Promise<void> {
    const answer = await this.context.post('/api/v1/accounts', {
      data: { name, password },
      headers: this.headers(),
    });
    expect(answer.status(), await answer.text()).toBe(201);
  }

  async createDomain(name: string, account: string): Promise<void> {
    const answer = await this.context.post('/api/v1/domains', {
      data: { name, account },
      headers: this.headers(),
    });
    expect(answer.status(), await answer.text()).toBe(201);
  }

  /** Best effort: removes every cron job of an account (their ids are the server's). */
  async removeCronJobsOf(account: string): Promise<void> {
    const answer = await this.context
      .get('/api/v1/cron-jobs', { params: { account, limit: 200 }, headers: this.headers() })
      .catch(() => undefined);
    if (!answer?.ok()) return;
    const { items } = (await answer.json()) as { items: { id: string }[] };
    await this.remove(...items.map((job) => `/cron-jobs/${job.id}`));
  }

  /** Best effort: leaves nothing behind on a server that outlives the run. */
  async remove(...paths: string[]): Promise<void> {
    for (const path of paths) {
      await this.context.delete(`/api/v1${path}`, { headers: this.headers() }).catch(() => undefined);
    }
  }

  private headers() {
    return { Authorization: `Bearer ${this.token}` };
  }
}

export async function signIn(page: Page, name: string, password: string): Promise<void> {
  const answer = await page.goto('/login');
  // The tests only mean something under the policy the gateway sends.
  expect(answer?.headers()['content-security-policy'] ?? '').toContain("script-src 'self'");
  await fillSignIn(page, name, password);
}

/** Signs in on the login page already open. */
export async function fillSignIn(page: Page, name: string, password: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signOut(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Open navigation' });
  if (await toggle.isVisible()) await toggle.click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
}

/** Follows a link of the main navigation, opening the narrow-screen menu first if there is one. */
export async function navigate(page: Page, label: string): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Open navigation' });
  if (await toggle.isVisible()) await toggle.click();
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: label, exact: true })
    .click();
}

/** Says, in the test output, which steps a gateway without an API left out. */
export function leftOut(what: string, route: string): void {
  console.log(`NOTE: the gateway does not declare ${route} yet: ${what} left out.`);
}
