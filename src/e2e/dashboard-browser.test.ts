// The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core,
// against a real daemon with a pushed app. Screenshots go to $SLIPWAY_SCREENSHOTS (docs/screenshots in the repo).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { waitFor } from '../lib/index.js';
import { commitAll, Daemon, httpGet, tempDir } from '../testkit/index.js';
import { A11Y_CHECK } from './dashboard-a11y.js';

const CHROMIUM = '/usr/bin/chromium';

async function noA11yProblems(page: Page, where: string): Promise<void> {
  const problems = (await page.evaluate(A11Y_CHECK)) as string[];
  assert.deepEqual(problems, [], `accessibility on ${where}`);
}

test('dashboard in Chromium: log in, watch a deploy live, scale, reveal config, roll back, read a chart, tail logs safely', { timeout: 600_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), 'needs Debian chromium (scripts/install-system-deps.sh installs it)');
  const shots = process.env.SLIPWAY_SCREENSHOTS ? path.resolve(process.env.SLIPWAY_SCREENSHOTS) : tempDir(t, 'slipway-shots-');
  mkdirSync(shots, { recursive: true });
  const d = await Daemon.start(t, { args: ['--metrics-interval', '500'] });
  const repo = await d.appFromFixture(t, 'shop', 'dashboard', { push: false });
  assert.equal((await d.cli(['config:set', '-a', 'shop', 'SECRET_KEY=hunter2-very-secret'])).exitCode, 0);
  const host = `shop.localhost:${new URL(d.info.router).port}`;

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  await t.test('an unauthenticated visit lands on the login page; a wrong token is refused with a message; the right one logs in by keyboard', async () => {
    await page.goto(`${d.info.api}/apps/shop`);
    await page.waitForURL('**/login');
    await noA11yProblems(page, 'login');
    await page.getByLabel('API token').fill('not-a-token');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'that token is not valid' }).waitFor();
    await page.getByLabel('API token').fill(d.token);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'slipway_session');
    assert.ok(session?.httpOnly, 'HttpOnly');
    assert.equal(session?.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie'), '', 'the page script cannot read the session');
  });

  await t.test('the app page streams the build log live while the push runs, then the release', async () => {
    await page.getByRole('link', { name: 'shop', exact: true }).click();
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    let pushDone = false;
    const push = d.git(['push', 'slipway', 'main'], repo).then((r) => {
      pushDone = true;
      return r;
    });
    const feed = page.getByRole('list', { name: 'Activity feed' });
    await feed.locator('li.src-build').first().waitFor({ timeout: 120_000 });
    assert.equal(pushDone, false, 'build lines showed while the push was still running');
    const r = await push;
    assert.equal(r.exitCode, 0, r.stderr);
    await feed.getByText(/Release v\d+ is running \(Deploy/).waitFor({ timeout: 60_000 });
    await page.getByRole('row', { name: /web\.1 up/ }).waitFor({ timeout: 30_000 });
    await noA11yProblems(page, 'app overview');
    await page.screenshot({ path: path.join(shots, 'app.png'), fullPage: true });
  });

  await t.test('config values are not in the page until revealed', async () => {
    await page.getByRole('button', { name: 'Reveal SECRET_KEY' }).waitFor();
    assert.ok(!(await page.content()).includes('hunter2'), 'no value in the DOM');
    await page.getByRole('button', { name: 'Reveal SECRET_KEY' }).click();
    await page.getByText('hunter2-very-secret').waitFor();
    await page.getByRole('button', { name: 'Hide SECRET_KEY' }).click();
    await waitFor(async () => !(await page.content()).includes('hunter2'), { timeoutMs: 5000, what: 'the value hidden again' });
  });

  await t.test('scale web to 2 with the keyboard', async () => {
    const input = page.getByLabel('web instances');
    await input.fill('2');
    await input.press('Tab');
    await page.keyboard.press('Enter'); // focus is on "Scale web"
    await page.getByRole('status').filter({ hasText: 'Scaling web to 2: done' }).waitFor({ timeout: 60_000 });
    await page.getByRole('row', { name: /web\.2 up/ }).waitFor({ timeout: 30_000 });
    const ps = (await d.api('GET', '/v1/apps/shop/ps')).json as { instances: { name: string; state: string }[] };
    assert.deepEqual(ps.instances.filter((i) => i.state === 'up').map((i) => i.name).sort(), ['web.1', 'web.2']);
  });

  await t.test('a second deploy, then a rollback from the releases list (with confirmation)', async () => {
    writeFileSync(path.join(repo, 'server.cjs'), readFileSync(path.join(repo, 'server.cjs'), 'utf8').replace("VERSION = 'one'", "VERSION = 'two'"));
    await commitAll(repo, 'two');
    const r = await d.git(['push', 'slipway', 'main'], repo);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match((await httpGet(`${d.info.router}/`, { host })).body, /version two/);
    const releases = (await d.api('GET', '/v1/apps/shop/releases')).json as { version: number; description: string; slug: string | null; status: string }[];
    const first = releases.filter((x) => x.slug && x.status === 'succeeded').sort((a, b) => a.version - b.version)[0];
    assert.ok(first);
    const button = page.getByRole('button', { name: `Roll back to v${first.version}` });
    await button.waitFor({ timeout: 20_000 });
    await button.click();
    const confirm = page.getByRole('group', { name: `Confirm rollback to v${first.version}` });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.match((await httpGet(`${d.info.router}/`, { host })).body, /version two/, 'cancel changes nothing');
    await button.click();
    await confirm.getByRole('button', { name: 'Yes, roll back' }).click();
    await page.getByRole('status').filter({ hasText: `Rolling back to v${first.version}: done` }).waitFor({ timeout: 60_000 });
    assert.match((await httpGet(`${d.info.router}/`, { host })).body, /version one/);
  });

  await t.test('the metrics tab charts real requests', async () => {
    for (let i = 0; i < 30; i++) assert.equal((await httpGet(`${d.info.router}/m${i}`, { host })).status, 200);
    await page.getByRole('link', { name: 'Metrics' }).click();
    const requests = page.locator('figure[data-chart="Requests"]');
    await requests.waitFor();
    // the chart's text alternative carries its latest value; reload until the sample with our requests is in
    await waitFor(
      async () => {
        const text = (await requests.locator('.sr-only').textContent()) ?? '';
        if (/requests (?!0\b|no data)[\d.]+/.test(text)) return true;
        await page.getByRole('button', { name: '24h' }).click();
        await page.getByRole('button', { name: '1h' }).click();
        return false;
      },
      { timeoutMs: 60_000, what: 'a non-zero request rate in the chart' },
    );
    assert.equal(await page.locator('figure[data-chart="Memory"] canvas').count(), 1);
    assert.match((await page.locator('figure[data-chart="Memory"] .sr-only').textContent()) ?? '', /web [1-9]/, 'memory of web in MB');
    await noA11yProblems(page, 'metrics');
    await page.screenshot({ path: path.join(shots, 'metrics.png'), fullPage: true });
  });

  await t.test('the logs tab tails live; markup in a log line is text; filters apply', async () => {
    await page.getByRole('link', { name: 'Logs' }).click();
    const log = page.getByRole('list', { name: 'Log lines' });
    await log.getByText('<script>window.__xss = 1</script>', { exact: false }).first().waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate('window.__xss'), undefined, 'the line did not run');
    assert.equal(await log.locator('script, b').count(), 0, 'no element was made from the line');
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    assert.equal((await httpGet(`${d.info.router}/live-marker`, { host })).status, 200);
    await log.getByText('request /live-marker').first().waitFor({ timeout: 30_000 });
    await page.getByLabel('Source').selectOption('router');
    await page.getByRole('button', { name: 'Apply' }).click();
    await log.locator('li.src-router').first().waitFor({ timeout: 30_000 });
    await waitFor(async () => (await log.locator('li:not(.src-router)').count()) === 0, { timeoutMs: 10_000, what: 'only router lines' });
    await page.getByLabel('Text').fill('live-marker');
    await waitFor(async () => (await log.locator('li').count()) >= 1 && (await log.locator('li', { hasNotText: 'live-marker' }).count()) === 0, { timeoutMs: 10_000, what: 'text filter' });
    await noA11yProblems(page, 'logs');
    await page.screenshot({ path: path.join(shots, 'logs.png'), fullPage: true });
  });

  await t.test('the apps list shows the app with its figures, filters, and is keyboard navigable', async () => {
    await page.getByRole('link', { name: 'Apps' }).click();
    const row = page.locator('tr[data-app="shop"]');
    await row.getByText('running').waitFor({ timeout: 30_000 });
    await row.getByText('2/2').waitFor({ timeout: 30_000 });
    assert.equal(await row.locator('svg.spark').count(), 2);
    await noA11yProblems(page, 'apps');
    await page.screenshot({ path: path.join(shots, 'apps.png'), fullPage: true });
    await page.getByLabel('Filter apps').fill('nomatch');
    await page.getByText('No app matches the filter.').waitFor();
    await page.getByLabel('Filter apps').fill('sho');
    await row.waitFor();
    // keyboard: from the filter box, Tab reaches the app's link; Enter opens it
    await page.getByLabel('Filter apps').focus();
    await waitFor(
      async () => {
        await page.keyboard.press('Tab');
        return (await page.evaluate('document.activeElement && document.activeElement.textContent')) === 'shop';
      },
      { timeoutMs: 10_000, what: 'Tab reaches the shop link' },
    );
    await page.keyboard.press('Enter');
    await page.waitForURL('**/apps/shop');
  });

  assert.deepEqual(pageErrors, [], 'no script errors in the page');
});
