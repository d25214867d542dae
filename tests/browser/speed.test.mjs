// speed.test.mjs — how soon the heaviest list shows rows, in Debian's chromium against a running yijian:
// the institutions list (filters, code lists, the kind's fields, two charts) opened from the menu and
// by a full page load, timed from the click (or goto) to its first row on screen; the times are
// printed, and the menu navigation must show rows within 500 ms (best of three) — asserted only while
// the machine is not overloaded (load average below its core count): on a shared machine at several
// times its cores, the time measures the queue for the CPU, not the console. The console's scripts must arrive compressed. Data: 40 clinics in 永嘉县 (330324) through
// the API. The list also shows the county to a city user and finds by two words. Environment as
// console.test.mjs. Each run prints the API requests with when they went out after the click, and the list's
// own request must be the first (InstitutionsView asks for it in setup, before its children mount).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadavg, cpus } from 'node:os';
import { chromium } from 'playwright-core';
import { creditCode } from '../api/codes.mjs';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const USER = process.env.YIJIAN_USER;
const PASSWORD = process.env.YIJIAN_PASSWORD;
const skip = !URL_ || !USER || !PASSWORD ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;
const RUN = String(Date.now()).slice(-6);
const LIMIT_MS = 500;

let browser;
before(async () => {
  if (skip) return;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
});
after(async () => { await browser?.close(); });

test('the institutions list shows rows within 500 ms of the menu click', { skip, timeout: 180000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const encodings = new Map();
  page.on('response', (r) => { if (/\/assets\/.*\.js$/.test(r.url())) encodings.set(r.url().split('/').pop(), r.headers()['content-encoding'] ?? 'none'); });
  await page.goto(`${URL_}/login`);
  await page.locator('input[name=username]').fill(USER);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(URL_ + '/');
  await page.evaluate(async (run) => {
    const s = await (await fetch('/api/v1/session')).json();
    const codes = run.codes;
    for (let i = 0; i < codes.length; i++) {
      await fetch('/api/v1/institutions', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
        body: JSON.stringify({ credit_code: codes[i], name: `永嘉${run.id}速度诊所${i}`, type: 'clinic', level: 'none', ownership: 'private',
          profit: 'forprofit', region_code: '330324', clinical_depts: ['03'], lng: 120.69, lat: 28.15 }) });
    }
  }, { id: RUN, codes: Array.from({ length: 40 }, (_, i) => creditCode('52330324', `${RUN}${String(i).padStart(2, '0')}`)) });

  const firstRow = page.locator('[data-test=institutions-table] .el-table__body tr').first();
  const times = [];
  // What the page asks the API for after the click, in order, with when (ms after the click): the list's
  // own request must go out first, not after the filter form, the cascader and the pager have mounted
  // (it did: 0.6–2 s later on the loaded machine, most of the time to the first row).
  let sent = [], tc = 0;
  page.on('request', (r) => { const u = r.url().replace(URL_, ''); if (u.startsWith('/api/v1/') && tc) sent.push([u, Date.now() - tc]); });
  for (let i = 0; i < 3; i++) {
    await page.goto(`${URL_}/`);
    await page.locator('[data-test=welcome]').waitFor();
    await page.waitForLoadState('networkidle');
    await page.locator('.yj-menu').getByText('主体库', { exact: true }).click();
    const entry = page.locator('.yj-menu').getByText('医疗机构', { exact: true });
    await entry.waitFor();
    sent = [];
    const t0 = tc = Date.now();
    await entry.click();
    await firstRow.waitFor();
    times.push(Date.now() - t0);
    tc = 0;
    const order = sent.filter(([u]) => !u.startsWith('/api/v1/todos/')).map(([u]) => u.split('?')[0] + (u.includes('format=count') ? '?count' : ''));
    console.log(`run ${i + 1}: ${sent.map(([u, t]) => `${u} at ${t} ms`).join(', ')}; first row at ${times[i]} ms`);
    assert.equal(order[0], '/api/v1/institutions', `the list's request goes out first: ${order.join(', ')}`);
  }
  const t0 = Date.now();
  await page.goto(`${URL_}/registry/institutions`);
  await firstRow.waitFor();
  const reload = Date.now() - t0;
  // The pager has the total and the page count; a city user sees the county beside the town, and a
  // two-word search finds the clinics.
  await page.waitForFunction(() => /共 \d+ 条，第 1 \/ \d+ 页/.test(document.querySelector('[data-test=pager-total]')?.textContent ?? ''));
  assert.ok(Number((await page.locator('[data-test=pager-total]').innerText()).match(/共 (\d+) 条/)[1]) >= 40);
  assert.match(await page.locator('[data-test=institutions-table] .el-table__header').innerText(), /县（市、区）/);
  assert.match(await firstRow.innerText(), /[\u4e00-\u9fa5]+(县|区|市)\s/, 'the county cell');
  await page.locator('[data-test=filter-q] input').fill(`永嘉 ${RUN}速度`);
  await page.locator('[data-test=search]').click();
  await page.waitForFunction((run) => [...document.querySelectorAll('[data-test=institutions-table] .el-table__body tr')]
    .every((tr) => tr.textContent.includes(`永嘉${run}速度诊所`)) && document.querySelectorAll('[data-test=institutions-table] .el-table__body tr').length > 0, RUN);
  console.log(`institutions list: rows ${times.join(' / ')} ms after the menu click, ${reload} ms after a full page load`);
  const load = loadavg()[0] / cpus().length;
  if (load < 1) assert.ok(Math.min(...times) < LIMIT_MS, `rows after ${Math.min(...times)} ms (limit ${LIMIT_MS} ms)`);
  else console.log(`load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores: the ${LIMIT_MS}-ms limit is not asserted`);
  const big = [...encodings].filter(([n]) => /^(element-plus|vue|index)-/.test(n));
  assert.ok(big.length > 0, [...encodings.keys()].join(', '));
  for (const [n, e] of big) assert.match(e, /^(br|gzip)$/, `${n} sent ${e}`);
  await context.close();
});
