// The Playwright Test peer of the bench's side-by-side scenario (bench/README.md): the same
// URLs as smoke, loaded the way a Playwright Test user writes it (a new context and page per
// test, the default fixtures). Run by bench.sweep only; @playwright/test is installed under
// tools/playwright-test and found through NODE_PATH (bench/peers.py).
const { defineConfig } = require('@playwright/test');
const { readFileSync } = require('fs');

const spec = JSON.parse(readFileSync(process.env.BENCH_SPEC, 'utf-8'));

module.exports = defineConfig({
  testDir: __dirname,
  testMatch: 'loads.spec.js',
  fullyParallel: true,
  workers: Number(process.env.BENCH_WORKERS || '1'),
  retries: 0,
  reporter: [['line']],
  timeout: 120000,
  use: {
    headless: true,
    // Debian's Chromium (no browser download here: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
    launchOptions: { executablePath: spec.chromium },
    trace: 'off',
    screenshot: 'off',
    video: 'off',
  },
});
