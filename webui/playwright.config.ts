import { defineConfig } from '@playwright/test';

// Browser tests against a running JoPanel (the gateway serving webui/dist). tests/e2e/test_browser.py
// starts the sandboxed stack and runs them; by hand:
//   JOPANEL_URL=http://127.0.0.1:8080 JOPANEL_ADMIN_NAME=admin JOPANEL_ADMIN_PASSWORD=... npx playwright test
// Debian's Chromium, never a downloaded browser. As root (the sandbox) it needs --no-sandbox.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const baseURL = process.env.JOPANEL_URL;
if (!baseURL) throw new Error('Set JOPANEL_URL to the JoPanel under test, e.g. http://127.0.0.1:8080');

export default defineConfig({
  testDir: './e2e',
  // The perf probe runs only when asked for (JOPANEL_PERF=1), for `make bench`.
  testIgnore: process.env.JOPANEL_PERF ? [] : ['**/perf.spec.ts'],
  outputDir: process.env.JOPANEL_E2E_OUTPUT ?? './e2e-results',
  // One browser at a time: two-core machines, and the flows share one server.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.JOPANEL_CHROMIUM ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    timezoneId: 'UTC',
    navigationTimeout: 30_000,
    actionTimeout: 15_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
