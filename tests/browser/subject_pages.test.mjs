// subject_pages.test.mjs — a record of another kind of subject in Debian's chromium: from 主体库 › 其他监管对象
// the administrator opens a public place's page (fields from its kind's field table), edits it, and sees the
// new version in its history; an inspector enters a clue by hand in 执法办案 › 案源登记, choosing the kind
// (公共场所) and then the record in the subject picker. Environment as subject_kinds.test.mjs: YIJIAN_URL,
// YIJIAN_USER, YIJIAN_PASSWORD (an admin of 温州市 330300).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { creditCode } from '../api/codes.mjs';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const USER = process.env.YIJIAN_USER;
const PASSWORD = process.env.YIJIAN_PASSWORD;
const skip = !URL_ || !USER || !PASSWORD ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;
const RUN = String(Date.now()).slice(-6);
const NAME = `鹿城碧波${RUN}游泳馆`;
const INS = `sp${RUN}.ins`;
const INS_PASSWORD = 'Youyong-2026x';

let browser, place;
const problems = [];

before(async () => {
  if (skip) return;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

async function signedIn(username, password) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[19]/.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.goto(URL_ + '/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(URL_ + '/');
  return page;
}

const apiCall = (page, method, url, body) => page.evaluate(async ({ method, url, body }) => {
  const s = await (await fetch('/api/v1/session')).json();
  const r = await fetch(url, { method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token } });
  return { status: r.status, data: await r.json().catch(() => null) };
}, { method, url, body });

// An Element Plus select's option, in the dropdown that is open.
const option = (page, text) => page.locator('.el-select-dropdown__item:visible').getByText(text, { exact: true });

test('a public place: its page from the list, edited, its history; a clue against it entered by hand', { skip, timeout: 120000 }, async () => {
  const admin = await signedIn(USER, PASSWORD);
  const made = await apiCall(admin, 'POST', '/api/v1/subjects/public_place', { credit_code: creditCode('92330302', '7' + RUN + '1'),
    name: NAME, category: 'swimming', region_code: '330302', staff: 9, floor_area: 1200 });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  place = made.data;
  const u = await apiCall(admin, 'POST', '/api/v1/users', { username: INS, display_name: '池建明', password: INS_PASSWORD,
    role: 'inspector', region_code: '330302', department: 'health' });
  assert.equal(u.status, 201, JSON.stringify(u.data));

  // 其他监管对象 › 公共场所 › the record's page
  await admin.goto(URL_ + '/registry/subjects?kind=public_place');
  await admin.locator('[data-test=subject-q] input').fill(`碧波${RUN}`);
  await admin.keyboard.press('Enter');
  await admin.locator('[data-test=subjects-table-public_place] [data-test=subject-link]').getByText(NAME).click();
  await admin.waitForURL(new RegExp(`/registry/subjects/public_place/${place.id}$`));
  await admin.locator('[data-test=record-title]').getByText(NAME).waitFor();
  assert.equal(await admin.locator('[data-test=record-code]').innerText(), place.credit_code);
  await admin.locator('[data-test="group-监管信息"]').getByText('从业人员数').waitFor();
  await admin.locator('[data-test="group-基本信息"]').getByText('游泳场所').waitFor();

  // 编辑: the form from the field table; one change, a new version in the history
  await admin.locator('[data-test=edit]').click();
  await admin.waitForURL(/\/edit$/);
  const staff = admin.locator('[data-test=field-staff] input');
  await staff.fill('11');
  await admin.locator('[data-test=save]').click();
  await admin.waitForURL(new RegExp(`/registry/subjects/public_place/${place.id}$`));
  await admin.locator('[data-test="group-监管信息"]').getByText('11', { exact: true }).waitFor();
  assert.match(await admin.locator('.sub').first().innerText(), /第 2 版/);
  await admin.context().close();

  // 案源登记 by an inspector: the kind, then the record
  const ins = await signedIn(INS, INS_PASSWORD);
  await ins.locator('.yj-menu').getByText('执法办案', { exact: true }).click();
  await ins.locator('.yj-menu').getByText('案源登记', { exact: true }).click();
  await ins.waitForURL(/\/enforcement\/clues\/new$/);
  await ins.locator('[data-test=clue-source]').getByText('部门移送').click();
  await ins.locator('[data-test=picker-kind]').click();
  await option(ins, '公共场所').click();
  await ins.locator('[data-test=picker-record]').click();
  await ins.locator('[data-test=picker-record] input').fill(`碧波${RUN}`);
  await option(ins, NAME).click();
  await ins.locator('[data-test=clue-summary]').fill('市场监管部门移送：泳池水质检测不合格仍对外开放');
  await ins.locator('[data-test=clue-submit]').click();
  await ins.locator('[data-test=clue-done]').getByText(NAME, { exact: false }).waitFor();
  const clues = await apiCall(ins, 'GET', '/api/v1/cases/clues?state=received&limit=100');
  const clue = clues.data.items.find((c) => c.subject_name === NAME);
  assert.ok(clue, 'the clue is listed');
  assert.equal(clue.subject_kind, 'public_place');
  assert.equal(clue.subject_id, place.id);
  assert.equal(clue.source, 'transfer');
  assert.deepEqual(problems, []);
});
