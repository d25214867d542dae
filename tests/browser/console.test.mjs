// console.test.mjs — drives the web console in Debian's chromium (playwright-core, never
// `playwright install`) against a running yijian: wrong password → Chinese error, sign-in, home
// page with the user's name and a drawn chart, a placeholder page, the users and regions pages,
// the profile page, sign-out.
// Environment (scripts/check sets these): YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin).
// Optional: YIJIAN_SCREENSHOTS, a directory for screenshots (default: a fresh temp directory).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const USER = process.env.YIJIAN_USER;
const PASSWORD = process.env.YIJIAN_PASSWORD;
const SHOTS = process.env.YIJIAN_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'yijian-browser-'));
const skip = !URL_ || !USER || !PASSWORD ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;

let browser;
let page;
const problems = []; // page errors and console errors nobody expected

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // The browser logs every non-2xx fetch: 401 (before sign-in, after sign-out) and the 422 the
    // password step provokes are expected.
    if (m.type() === 'error' && !/status of (401|422)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
});

after(async () => {
  await browser?.close();
  if (!skip) console.log(`screenshots in ${SHOTS}`);
});

const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

// Opens the user menu in the header and picks an item.
async function userMenu(item) {
  await page.locator('[data-test=user-menu]').click();
  await page.getByRole('menuitem', { name: item }).click();
}

test('console: sign-in, home, pages, profile, sign-out', { skip, timeout: 120000 }, async (t) => {
  // The steps build on each other: after the first failure the rest are skipped, not timed out.
  let failed = false;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; await shot('failure').catch(() => {}); throw e; }
  });
  await step('an unknown visitor lands on the sign-in page', async () => {
    await page.goto(URL_ + '/');
    await page.waitForURL(/\/login/);
    await page.getByRole('heading', { name: '账号登录' }).waitFor();
    assert.match(await page.title(), /医监/);
  });

  await step('a wrong password shows the server’s Chinese error', async () => {
    await page.locator('input[name=username]').fill(USER);
    await page.locator('input[name=password]').fill(PASSWORD + '-wrong');
    await page.locator('[data-test=signin]').click();
    const err = page.locator('[data-test=signin-error]');
    await err.waitFor();
    const text = await err.innerText();
    assert.match(text, /登录失败/);
    assert.match(text, /用户名或密码错误/);
    assert.match(page.url(), /\/login/);
    await shot('01-signin-error');
  });

  let me;
  await step('the right password opens the home page with the user’s name', async () => {
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('[data-test=signin]').click();
    await page.waitForURL(URL_ + '/');
    // Whom the server thinks we are, asked from inside the page (same cookie).
    me = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).user);
    assert.equal(me.username, USER);
    const name = me.display_name || me.username;
    await page.locator('[data-test=home-user]').waitFor();
    assert.equal(await page.locator('[data-test=home-user]').innerText(), name);
    assert.equal(await page.locator('[data-test=user-name]').innerText(), name);
  });

  await step('the home page draws its charts from the API', async () => {
    for (const chart of ['region-chart', 'audit-chart']) {
      const canvas = page.locator(`[data-test=${chart}] canvas`);
      await canvas.waitFor();
      const box = await canvas.boundingBox();
      assert.ok(box.width > 100 && box.height > 100, `${chart} canvas is ${box.width}×${box.height}`);
    }
    // Something was actually painted: wait until the region chart's canvas has opaque pixels.
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-test=region-chart] canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n > 500;
    });
    await page.waitForTimeout(1200); // let the entry animation finish for the screenshot
    await shot('02-home');
  });

  await step('a capability still to come says so and shows no data', async () => {
    await page.locator('.yj-menu').getByText('信息公开', { exact: true }).click();
    await page.waitForURL(/\/disclosure$/);
    const ph = page.locator('[data-test=placeholder]');
    await ph.waitFor();
    assert.match(await ph.innerText(), /“信息公开”功能建设中/);
    await shot('03-placeholder');
  });

  await step('the users page lists users (a reload keeps the route)', async () => {
    await page.goto(URL_ + '/admin/users');
    const table = page.locator('[data-test=users-table]');
    await table.getByText(USER, { exact: true }).waitFor();
    await shot('04-users');
    // Export to Excel arrives as a download named by the server.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '导出 Excel' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'users.xlsx');
  });

  await step('the regions page lists the territory’s children', async () => {
    await page.locator('.yj-menu').getByText('区划', { exact: true }).click();
    await page.waitForURL(/\/admin\/regions$/);
    await page.locator('[data-test=regions-table] .el-table__row').first().waitFor();
    assert.match(await page.locator('[data-test=region-path]').innerText(), new RegExp(me.region_name));
    await shot('05-regions');
  });

  await step('the profile page shows one’s own account', async () => {
    await userMenu('个人资料');
    await page.waitForURL(/\/profile$/);
    await page.locator('[data-test=profile-username]').waitFor();
    assert.equal(await page.locator('[data-test=profile-username]').innerText(), USER);
    assert.match(await page.locator('[data-test=profile]').innerText(), new RegExp(me.role_label));
    await shot('06-profile');
  });

  await step('a wrong current password is refused with the server’s field error (CSRF header sent)', async () => {
    await page.locator('input[autocomplete=current-password]').fill('not-my-password');
    await page.locator('input[autocomplete=new-password]').first().fill('Xin-mima-2026');
    await page.locator('input[autocomplete=new-password]').last().fill('Xin-mima-2026');
    await page.getByRole('button', { name: '修改密码' }).click();
    // 422 with errors[{field: old_password}] — a missing CSRF header would be a 403 instead.
    await page.locator('.el-form-item__error', { hasText: '原密码不正确' }).waitFor();
    assert.match(page.url(), /\/profile$/);
  });

  await step('a common password is refused with the server’s Chinese reason under the field', async () => {
    await page.locator('input[autocomplete=current-password]').fill(PASSWORD);
    await page.locator('input[autocomplete=new-password]').first().fill('12345678');
    await page.locator('input[autocomplete=new-password]').last().fill('12345678');
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.locator('.el-form-item__error', { hasText: '过于简单或有规律' }).waitFor();
    assert.match(page.url(), /\/profile$/);
    await shot('07-password-refused');
  });

  await step('sign-out ends the session and returns to the sign-in page', async () => {
    await userMenu('退出登录');
    await page.waitForURL(/\/login/);
    await page.getByRole('heading', { name: '账号登录' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    assert.equal(status, 401);
    await page.goto(URL_ + '/profile');
    await page.waitForURL(/\/login\?redirect=(%2F|\/)profile$/);
  });

  await step('no page errors, no unexpected console errors (CSP included)', () => {
    assert.deepEqual(problems, []);
  });
});
