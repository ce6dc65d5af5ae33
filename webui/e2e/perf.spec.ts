import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { admin, expect, fillSignIn, test } from './support';

// Figures for `make bench` (run with JOPANEL_PERF=1; JOPANEL_PERF_OUT=file also writes them):
//   first_load_js_*: the JavaScript a first visit to /login downloads, raw and gzipped;
//   admin_area_js_*: what signing in adds (the admin pages' lazy chunks);
//   first_list.<list>.ms: from the start of a fresh page load (session restored from the refresh
//     cookie, route chunk, API call) until the list is on screen (first row, or the empty state),
//     median of 3 loads; .rows: how many rows that page showed (at most 50).
// Where the gateway has no domains API yet, domains is left out.

type Scripts = { raw: number; gzip: number; files: number };

/** Adds up the scripts the page downloads; `settled()` waits for the bodies being read. */
function watchScripts(page: Page) {
  const totals: Scripts = { raw: 0, gzip: 0, files: 0 };
  const reads: Promise<void>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script' || !response.ok()) return;
    reads.push(
      response.body().then(
        (body) => {
          totals.raw += body.length;
          totals.gzip += gzipSync(body, { level: 9 }).length;
          totals.files += 1;
        },
        () => undefined,
      ),
    );
  });
  return {
    /** Once a page's heading is on screen, every script it needed has arrived. */
    settled: async (): Promise<Scripts> => {
      await Promise.all(reads);
      return { ...totals };
    },
  };
}

/** Median time to the list on screen: its table's first row, or its empty state. */
async function msToList(page: Page, path: string, table: string): Promise<{ ms: number; rows: number }> {
  const samples: number[] = [];
  const rows = page.getByRole('table', { name: table }).getByRole('row');
  for (let i = 0; i < 3; i++) {
    await page.goto(path);
    await expect(rows.nth(1).or(page.getByText(/^No \w+ yet$/))).toBeVisible();
    // performance.now() counts from the navigation's start.
    samples.push(await page.evaluate(() => performance.now()));
  }
  samples.sort((a, b) => a - b);
  return { ms: Math.round(samples[1]!), rows: Math.max(0, (await rows.count()) - 1) };
}

test('first-load JavaScript and time to the first rendered list', async ({ page, api }) => {
  const scripts = watchScripts(page);
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  const firstLoad = await scripts.settled();

  await fillSignIn(page, admin.name, admin.password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const adminArea = (await scripts.settled()).gzip - firstLoad.gzip;

  const firstList: Record<string, { ms: number; rows: number }> = {
    accounts: await msToList(page, '/admin/accounts', 'Accounts'),
  };
  if (api.hasDomains) firstList.domains = await msToList(page, '/admin/domains', 'Domains');

  const figures = {
    first_load_js_bytes: firstLoad.raw,
    first_load_js_gzip_bytes: firstLoad.gzip,
    first_load_js_files: firstLoad.files,
    admin_area_js_gzip_bytes: adminArea,
    first_list: firstList,
  };
  console.log(`JOPANEL_PERF ${JSON.stringify(figures)}`);
  if (process.env.JOPANEL_PERF_OUT)
    writeFileSync(process.env.JOPANEL_PERF_OUT, `${JSON.stringify(figures)}\n`);
});
