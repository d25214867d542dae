// subject_kinds.test.mjs — the registry's other kinds of subject in Debian's chromium: the menu entry
// 主体库 › 其他监管对象 lists every kind the server has (GET /api/v1/registry/kinds), and a public place
// created through the API shows in its kind's list with the columns of its field table.
// Environment as registry.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin of 温州市 330300).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { creditCode } from '../api/codes.mjs';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const USER = process.env.YIJIAN_USER;
const PASSWORD = process.env.YIJIAN_PASSWORD;
const skip = !URL_ || !USER || !PASSWORD ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;
const RUN = String(Date.now()).slice(-6);
const NAME = `鹿城清泉${RUN}号浴室`;

let browser, page;
const problems = [];

before(async () => {
  if (skip) return;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`); });
});
after(async () => { await browser?.close(); });

test('registry: the other kinds of subject are listed, and a public place shows in its list', { skip, timeout: 90000 }, async () => {
  await page.goto(URL_ + '/login');
  await page.locator('input[name=username]').fill(USER);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(URL_ + '/');
  const made = await page.evaluate(async (body) => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1/subjects/public_place', { method: 'POST', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token } });
    return { status: r.status, data: await r.json() };
  }, { credit_code: creditCode('92330302', '6' + RUN + '1'), name: NAME, category: 'bathhouse', region_code: '330302', staff: 9 });
  assert.equal(made.status, 201, JSON.stringify(made.data));

  const entry = page.locator('.el-menu').getByText('其他监管对象');
  if (!(await entry.isVisible())) await page.locator('.el-menu').getByText('主体库', { exact: true }).click();
  await entry.click();
  await page.waitForURL(/\/registry\/subjects/);
  for (const label of ['公共场所', '供水单位', '学校', '托育机构', '医药企业'])
    await page.locator('[data-test=subject-kinds]').getByText(label, { exact: true }).waitFor();
  await page.locator('[data-test=kind-public_place]').click();
  const table = page.locator('[data-test=subjects-table-public_place]');
  await table.getByText('场所类别').waitFor();
  await page.locator('[data-test=subject-q] input').fill(`清泉${RUN}`);
  await page.keyboard.press('Enter');
  await table.getByText(NAME).waitFor();
  await table.getByText('沐浴场所').first().waitFor();
  assert.match(page.url(), /kind=public_place/);
  assert.deepEqual(problems, []);
});
