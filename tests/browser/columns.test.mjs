// columns.test.mjs — column widths at 1440 px (docs/console.md, 列表): on a few heavy lists no header
// cell wraps onto a second line (a column is at least as wide as its header; long values end in …
// with a tooltip). Environment as console.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const USER = process.env.YIJIAN_USER;
const PASSWORD = process.env.YIJIAN_PASSWORD;
const skip = !URL_ || !USER || !PASSWORD ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;
const LISTS = ['/registry/institutions', '/registry/subjects', '/registry/licences', '/inspection/tasks',
  '/inspection/rectifications', '/enforcement/benchmarks', '/complaints', '/patrols', '/admin/users'];

let browser;
before(async () => {
  if (skip) return;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
});
after(async () => { await browser?.close(); });

test('at 1440 px no header cell of the heavy lists wraps', { skip, timeout: 90000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  await page.goto(`${URL_}/login`);
  await page.locator('input[name=username]').fill(USER);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(URL_ + '/');
  const wrapped = [];
  for (const path of LISTS) {
    await page.goto(URL_ + path);
    await page.locator('.el-table__header th .cell').first().waitFor();
    await page.waitForTimeout(300); // the columns' widths settle after the first layout
    const cells = await page.evaluate(() => [...document.querySelectorAll('.el-table__header th .cell')]
      .filter((c) => c.offsetParent && c.textContent.trim())
      .map((c) => ({ text: c.textContent.trim(), h: c.clientHeight, line: parseFloat(getComputedStyle(c).lineHeight) || 23 })));
    assert.ok(cells.length > 2, `${path}: no header cells`);
    for (const c of cells) if (c.h > c.line * 1.5) wrapped.push(`${path}: ${c.text} (${c.h}px)`);
  }
  assert.deepEqual(wrapped, []);
  await context.close();
});
