// organisation.test.mjs — the registry's organisation pages in Debian's chromium against a running
// yijian: the institution and practitioner charts count the whole filtered set (their totals equal
// the stats API's and the list's), a multi-institution practice filing is added and ended on a
// practitioner (with the server's Chinese field errors in the dialog), a grid is created below a
// town (a county is refused) and given a grid member created through the users API, the institution
// detail names its grid, and the responsibility lists show 卫生健康委's duties and save an
// administrator's edit. The data is the test's own, unique per run (codes from tests/api/codes.mjs).
// Environment as console.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin of 温州市
// 330300), optional YIJIAN_SCREENSHOTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { creditCode, residentId } from '../api/codes.mjs';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const USER = process.env.YIJIAN_USER;
const PASSWORD = process.env.YIJIAN_PASSWORD;
const SHOTS = process.env.YIJIAN_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'yijian-browser-'));
const skip = !URL_ || !USER || !PASSWORD ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;

// Unique per run: 6 digits of the clock (registry.test.mjs uses 01–09 after them, this file 51–59).
const RUN = String(Date.now()).slice(-6);
const NUM = (n) => RUN + String(n).padStart(2, '0');
const TAG = `组织${RUN}`; // in every name this test creates, so a name search finds only its own
const INST_A = `鹿城${TAG}社区卫生服务站`;
const INST_B = `鹿城${TAG}中医诊所`;
const CODE_A = creditCode('52330302', NUM(51));
const CODE_B = creditCode('52330302', NUM(52));
const PERSON = `林${TAG}`;
const PERSON_ID = residentId(`33030219790615${RUN.slice(-3)}`);
const PERSON_CERT = `1103303${RUN}${RUN.slice(2, 4)}51`;
const GRID_NAME = `五马街道${TAG}网格`;
const GRID_USER = `grid.${RUN}`;
const GRID_USER_NAME = `网格员${RUN}`;
const DUTY = `测试职责${RUN}：组织开展医疗机构依法执业自查。`;
const DUTY_EDITED = `测试职责${RUN}：组织开展医疗机构依法执业自查，并按季度通报结果。`;

let browser;
let context;
let page;
const problems = [];

function watch(p) {
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
}

// Runs fn, which provokes an answer with HTTP status `code` on purpose, and forgets the browser's
// console line about it (only that one).
async function expecting(code, fn) {
  const before = problems.length;
  await fn();
  const extra = problems.splice(before);
  problems.push(...extra.filter((m) => !new RegExp(`status of ${code}`).test(m)));
}

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  context.setDefaultTimeout(15000);
  page = await context.newPage();
  watch(page);
});

after(async () => {
  await browser?.close();
  if (!skip) console.log(`screenshots in ${SHOTS}`);
});

// A screenshot of the whole page (the console scrolls inside its main area).
async function shot(name, p = page) {
  const vp = p.viewportSize();
  const h = await p.evaluate(() => {
    const m = document.querySelector('.yj-main');
    return m ? m.scrollHeight + 56 : document.documentElement.scrollHeight;
  });
  if (h > vp.height) await p.setViewportSize({ width: vp.width, height: Math.min(h, 4000) });
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  if (h > vp.height) await p.setViewportSize(vp);
}

// Calls the API from inside the page, with its session cookie and CSRF token.
async function apiCall(method, url, body) {
  return page.evaluate(async ({ method, url, body }) => {
    const s = await (await fetch('/api/v1/session')).json();
    const res = await fetch(url, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token, Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: await res.json().catch(() => null) };
  }, { method, url, body });
}

// Whether an ECharts canvas inside `sel` has painted pixels.
async function painted(sel) {
  const canvas = page.locator(`${sel} canvas`).first();
  await canvas.waitFor();
  return canvas.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i]) return true;
    return false;
  });
}

// The total a chart card shows once its statistics have arrived.
async function chartTotal(sel) {
  const t = page.locator(`${sel} [data-test=stats-total]`);
  await t.waitFor();
  return Number((await t.textContent()).trim());
}

// Types a date into an Element Plus date picker inside a form item (data-test=NAME).
async function typeDate(item, day) {
  const input = page.locator(`[data-test=${item}] input`);
  await input.click();
  await input.fill(day);
  await input.press('Enter'); // closes the picker (Escape would close the dialog around it)
}

const dialog = (name) => page.locator(`.el-dialog[data-test=${name}]:visible, [data-test=${name}] .el-dialog:visible`).first();
const visibleOption = (text) => page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: text }).first();

test('organisation: charts, filings, grids, responsibility lists', { skip, timeout: 240000 }, async (t) => {
  let failed = false;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; await shot('organisation-failure').catch(() => {}); throw e; }
  });

  let instA;
  let instB;
  let person;
  await step('sign in and create two institutions and a practitioner through the API', async () => {
    await expecting(401, async () => { // the sign-in page asks who is signed in: nobody yet
      await page.goto(URL_ + '/login');
      await page.locator('input[name=username]').fill(USER);
    });
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('[data-test=signin]').click();
    await page.waitForURL(URL_ + '/');
    const base = { level: 'none', ownership: 'private', profit: 'forprofit', region_code: '330302006' };
    let r = await apiCall('POST', '/api/v1/institutions', { ...base, name: INST_A, credit_code: CODE_A, type: 'community_station' });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    instA = r.data;
    r = await apiCall('POST', '/api/v1/institutions', { ...base, name: INST_B, credit_code: CODE_B, type: 'clinic' });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    instB = r.data;
    r = await apiCall('POST', '/api/v1/practitioners', {
      name: PERSON, id_number: PERSON_ID, certificate_no: PERSON_CERT, category: 'physician', practice_type: 'clinical',
      institution_id: instA.id,
    });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    person = r.data;
  });

  await step('the institution charts count the whole filtered set, as the stats API does', async () => {
    await page.goto(URL_ + '/registry/institutions');
    await page.locator('[data-test=institutions-table] .el-table__row').first().waitFor();
    const api = await apiCall('GET', '/api/v1/institutions/stats?group=type');
    assert.equal(api.status, 200);
    assert.ok(api.data.total >= 2);
    assert.equal(await chartTotal('[data-test=type-chart]'), api.data.total);
    assert.ok(await painted('[data-test=type-chart]'), 'the type chart is painted');
    // The city administrator also sees the counties; the same set, so the same total.
    const county = await apiCall('GET', '/api/v1/institutions/stats?group=county');
    assert.equal(await chartTotal('[data-test=county-chart]'), county.data.total);
    assert.equal(county.data.total, api.data.total);
    assert.ok(await painted('[data-test=county-chart]'), 'the county chart is painted');
    await shot('organisation-institutions-charts');

    // Filtered: only this run's two institutions, one of each type, whatever else the database holds.
    await page.locator('[data-test=filter-q] input').fill(TAG);
    await page.locator('[data-test=search]').click();
    await page.locator('[data-test=institutions-table] .el-table__row').nth(1).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-test=type-chart] [data-test=stats-total]')?.textContent.trim() === '2');
    const filtered = await apiCall('GET', `/api/v1/institutions/stats?group=type&q=${encodeURIComponent(TAG)}`);
    assert.equal(filtered.data.total, 2);
    assert.deepEqual(filtered.data.items.map((i) => i.count), [1, 1]);
    // Grouping by another field redraws the same set.
    await page.locator('[data-test=stats-group] .el-select__wrapper').click();
    await visibleOption('按执业状态').click();
    await page.locator('[data-test=type-chart]').getByText('机构执业状态分布').waitFor();
    assert.equal(await chartTotal('[data-test=type-chart]'), 2);
    await shot('organisation-institutions-filtered');
  });

  await step('the practitioner chart counts the filtered set too', async () => {
    await page.goto(URL_ + '/registry/practitioners');
    await page.locator('[data-test=practitioners-table] .el-table__row').first().waitFor();
    const api = await apiCall('GET', '/api/v1/practitioners/stats?group=category');
    assert.equal(await chartTotal('[data-test=category-chart]'), api.data.total);
    assert.ok(await painted('[data-test=category-chart]'));
    await page.locator('[data-test=filter-q] input').fill(PERSON);
    await page.locator('[data-test=search]').click();
    await page.waitForFunction(() => document.querySelector('[data-test=category-chart] [data-test=stats-total]')?.textContent.trim() === '1');
    await shot('organisation-practitioners-charts');
  });

  await step('a filing is refused without an institution, then added and ended on the practitioner', async () => {
    await page.goto(`${URL_}/registry/practitioners/${person.id}`);
    await page.getByRole('tab', { name: '多机构执业备案' }).click();
    await page.locator('[data-test=filings-table]').getByText('暂无多机构执业备案').waitFor();
    await page.locator('[data-test=filing-add]').click();
    await typeDate('filing-start', '2024-03-01');
    await expecting(422, async () => {
      await page.locator('[data-test=filing-save]').click();
      await page.locator('[data-test=filing-institution] .el-form-item__error').waitFor();
    });
    const err = await page.locator('[data-test=filing-institution] .el-form-item__error').textContent();
    assert.match(err, /[\u4e00-\u9fa5]/, `a Chinese error under 备案机构: ${err}`);
    await page.locator('[data-test=filing-institution] .el-select__wrapper').click();
    await page.keyboard.type(INST_B.slice(0, 8));
    await visibleOption(INST_B).click();
    await typeDate('filing-end-date', '2024-02-01'); // before the start: the server says so
    await expecting(422, async () => {
      await page.locator('[data-test=filing-save]').click();
      await page.locator('[data-test=filing-end-date] .el-form-item__error').getByText('结束日期不能早于开始日期').waitFor();
    });
    await shot('organisation-filing-errors');
    await typeDate('filing-end-date', '2030-12-31');
    await page.locator('[data-test=filing-save]').click();
    const row = page.locator('[data-test=filings-table] .el-table__row').filter({ hasText: INST_B });
    await row.waitFor();
    assert.match(await row.textContent(), /执业中/);
    assert.match(await row.textContent(), new RegExp(CODE_B));

    await row.locator('[data-test=filing-end]').click();
    await typeDate('filing-end-on', '2025-06-30');
    await page.locator('[data-test=filing-end-save]').click();
    await row.getByText('已结束').waitFor();
    assert.match(await row.textContent(), /2025-06-30/);
    const api = await apiCall('GET', `/api/v1/practitioners/${person.id}/filings`);
    assert.equal(api.data.items.length, 1);
    assert.equal(api.data.items[0].institution_id, instB.id);
    assert.equal(api.data.items[0].start_date, '2024-03-01');
    assert.equal(api.data.items[0].end_date, '2025-06-30');
    await shot('organisation-filings');
  });

  let grid;
  await step('a grid is refused on a county, created below a town and given a grid member', async () => {
    const u = await apiCall('POST', '/api/v1/users', { username: GRID_USER, display_name: GRID_USER_NAME, password: 'Wangge-2026',
      role: 'grid_member', region_code: '330302', department: 'health' });
    assert.equal(u.status, 201, JSON.stringify(u.data));

    const item = page.locator('.yj-menu').getByText('网格', { exact: true });
    if (!(await item.isVisible())) await page.locator('.yj-menu').getByText('主体库', { exact: true }).click();
    await item.click();
    await page.waitForURL(/\/registry\/grids$/);
    await page.locator('[data-test=grids-table]').waitFor();
    await page.locator('[data-test=grid-new]').click();
    const d = dialog('grid-create-dialog');
    await d.locator('[data-test=grid-field-name] input').fill(GRID_NAME);
    // 鹿城区 itself is a county: the server wants a town.
    await d.locator('[data-test=grid-field-region_code] .el-cascader').click();
    const county = page.locator('.el-cascader-panel:visible .el-cascader-node').filter({ hasText: '鹿城区' }).first();
    await county.locator('.el-radio').click();
    await page.keyboard.press('Escape');
    await expecting(422, async () => {
      await page.locator('[data-test=grid-create-save]').click();
      await d.locator('[data-test=grid-field-region_code] .el-form-item__error').getByText('乡镇（街道）').waitFor();
    });
    await shot('organisation-grid-create-error');
    await d.locator('[data-test=grid-field-region_code] .el-cascader').click();
    await page.locator('.el-cascader-panel:visible .el-cascader-node').filter({ hasText: '鹿城区' }).first().click();
    const town = page.locator('.el-cascader-panel:visible .el-cascader-menu').nth(1).locator('.el-cascader-node').filter({ hasText: '五马街道' }).first();
    await town.locator('.el-radio').click();
    await page.keyboard.press('Escape');
    await page.locator('[data-test=grid-create-save]').click();

    // The new grid opens in the drawer, coded below the town.
    const drawer = page.locator('[data-test=grid-drawer]');
    await drawer.getByText(GRID_NAME).first().waitFor();
    const list = await apiCall('GET', `/api/v1/grids?q=${encodeURIComponent(GRID_NAME)}`);
    assert.equal(list.data.items.length, 1);
    grid = list.data.items[0];
    assert.match(grid.code, /^330302006\d{3}$/);
    assert.equal(grid.region_code, '330302006');
    await drawer.getByText(grid.code).waitFor();

    await drawer.getByRole('button', { name: '设置网格员' }).click();
    const m = dialog('grid-members-dialog');
    await m.locator('[data-test=grid-field-members] .el-select__wrapper').click();
    await page.keyboard.type(GRID_USER);
    await visibleOption(GRID_USER_NAME).click();
    await m.locator('.yj-members-desc').click(); // closes the option list (Escape would close the dialog)
    await page.locator('.el-select-dropdown:visible').waitFor({ state: 'hidden' });
    await shot('organisation-grid-members');
    await page.locator('[data-test=grid-members-save]').click();
    await drawer.locator('[data-test=grid-member-table]').getByText(GRID_USER_NAME).waitFor();
    await shot('organisation-grid-drawer');
    const g = await apiCall('GET', `/api/v1/grids/${grid.id}`);
    assert.deepEqual(g.data.members.map((x) => x.username), [GRID_USER]);
    await drawer.locator('.el-drawer__close-btn').click();

    // The list shows the grid with its member count.
    await page.locator('[data-test=grid-filter-q] input').fill(TAG);
    await page.locator('[data-test=grid-search]').click();
    const row = page.locator('[data-test=grids-table] .el-table__row').filter({ hasText: grid.code });
    await row.waitFor();
    assert.equal(await page.locator('[data-test=grids-table] .el-table__row').count(), 1);
    assert.match(await row.textContent(), /五马街道/);
    await shot('organisation-grids');
  });

  await step('the institution detail names its grid instead of its id', async () => {
    const p = await apiCall('PATCH', `/api/v1/institutions/${instA.id}`, { grid_code: grid.code, version: instA.version });
    assert.equal(p.status, 200, JSON.stringify(p.data));
    assert.equal(p.data.grid_id, grid.id);
    await page.goto(`${URL_}/registry/institutions/${instA.id}`);
    const link = page.locator('[data-test=grid-link]');
    await link.getByText(GRID_NAME).waitFor();
    assert.equal((await page.locator('[data-test=grid-code]').textContent()).trim(), grid.code);
    assert.ok(!(await page.locator('[data-test="group-属地与位置"]').textContent()).includes(grid.id), 'no raw grid id');
    await shot('organisation-institution-grid');
    await link.click();
    await page.waitForURL(/\/registry\/grids/);
    await page.locator('[data-test=grid-drawer]').getByText(GRID_USER_NAME).waitFor();
    await page.locator('[data-test=grid-drawer] .el-drawer__close-btn').click();
    await page.locator('[data-test=grid-drawer]').waitFor({ state: 'hidden' });
  });

  await step('the responsibility lists show 卫生健康委 and save an administrator\'s edit', async () => {
    const c = await apiCall('POST', '/api/v1/responsibilities', { department: 'health', duty: DUTY, source: `测试清单${RUN}` });
    assert.equal(c.status, 201, JSON.stringify(c.data));
    const duty = c.data;
    await page.locator('.yj-menu').getByText('权责清单', { exact: true }).click();
    await page.waitForURL(/\/responsibilities$/);
    const health = page.locator('[data-test=duty-group-health]');
    await health.getByText('卫生健康委', { exact: true }).waitFor();
    const all = await apiCall('GET', '/api/v1/responsibilities?department=health');
    assert.ok(all.data.items.length >= 2);
    assert.equal(await health.locator('.el-table__row').count(), all.data.items.length);
    await health.getByText(DUTY).waitFor();
    await shot('organisation-duties');

    // Narrow to this run's duty and edit it.
    await page.locator('[data-test=duty-filter-q] input').fill(RUN);
    await page.locator('[data-test=duty-search]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-test=duty-table] .el-table__row').length === 1);
    await health.locator('[data-test=duty-edit]').click();
    const d = dialog('duty-dialog');
    await d.locator('[data-test=duty-field-duty] textarea').fill(DUTY_EDITED);
    await shot('organisation-duty-dialog');
    await page.locator('[data-test=duty-save]').click();
    await health.getByText(DUTY_EDITED).waitFor();
    const after = await apiCall('GET', `/api/v1/responsibilities?q=${RUN}`);
    assert.equal(after.data.items.length, 1);
    assert.equal(after.data.items[0].id, duty.id);
    assert.equal(after.data.items[0].duty, DUTY_EDITED);
    assert.equal(after.data.items[0].department_name, '卫生健康委');

    // And removes it, after a confirmation.
    await health.getByRole('button', { name: '删除' }).click();
    await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click();
    await page.getByText('没有符合条件的职责').waitFor();
    assert.equal((await apiCall('GET', `/api/v1/responsibilities?q=${RUN}`)).data.items.length, 0);
  });

  await step('no page errors, console errors or CSP violations', async () => {
    assert.deepEqual(problems, []);
  });
});
