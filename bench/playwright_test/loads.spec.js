// One test per check of the spec: goto(load), then on RecentChanges/Watchlist the filters app.
const { test, expect } = require('@playwright/test');
const { readFileSync } = require('fs');

const spec = JSON.parse(readFileSync(process.env.BENCH_SPEC, 'utf-8'));

for (const check of spec.checks) {
  test(check.id, async ({ page }) => {
    const errors = [];
    page.on('pageerror', (error) => errors.push(error));
    const response = await page.goto(check.url, { waitUntil: 'load', timeout: check.nav_ms });
    // < 500, not response.ok(): MediaWiki answers an EMPTY RecentChanges list with HTTP 404.
    expect(response && response.status()).toBeLessThan(500);
    if (check.filters) {
      await page.waitForSelector(spec.ready_selector, { state: 'attached', timeout: check.ready_ms });
    }
    expect(errors).toEqual([]);
  });
}
