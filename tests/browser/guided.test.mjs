// guided.test.mjs — double random, guided, in Debian's chromium against a running yijian: a leader of a
// county without plans sees what to do first; a draft plan is edited in the dialog (ratios in percent)
// and deleted; entering an inspector already in the directory under another number is refused with the
// number on record, and 更换执法证号 changes it. Data in 平阳县 (330326), unique per run. Environment as
// console.test.mjs.
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

const RUN = String(Date.now()).slice(-6);
const COUNTY = '330326';
const PW = 'Yindao-2026';
let browser;
const problems = [];
const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: launchArgs });
});
after(async () => { await browser?.close(); });

async function open(username, password) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // 409: the deliberate second entry of an inspector.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|409)/.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.goto(`${URL_}/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(URL_ + '/');
  return page;
}
async function api(page, method, url, body) {
  return page.evaluate(async ({ method, url, body }) => {
    const s = await (await fetch('/api/v1/session')).json();
    const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, data: await res.json().catch(() => null) };
  }, { method, url, body });
}
const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const dialog = (page, name) => page.locator(`.el-dialog[data-test=${name}]:visible, [data-test=${name}] .el-dialog:visible`).first();

test('double random, guided: first steps, draft plans, no silent overwrite in the directory', { skip, timeout: 180000 }, async (t) => {
  let failed = false;
  let current;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; if (current) await shot(current, 'guided-failure').catch(() => {}); throw e; }
  });
  const ids = {};

  await step('a leader of a county without plans is told what to do first', async () => {
    const admin = current = await open(USER, PASSWORD);
    for (const [k, role] of [['leader', 'leader'], ['inspector', 'inspector']]) {
      const r = await api(admin, 'POST', '/api/v1/users', { username: `py${RUN}.${k}`, display_name: k === 'leader' ? '平阳领导' : '平阳监督员',
        password: PW, role, region_code: COUNTY, department: 'health' });
      assert.equal(r.status, 201, JSON.stringify(r.data));
      ids[k] = r.data;
    }
    await admin.context().close();
    const page = current = await open(`py${RUN}.leader`, PW);
    await page.goto(`${URL_}/inspection/plans`);
    const empty = page.locator('[data-test=plans-empty]');
    await empty.waitFor();
    assert.match(await empty.innerText(), /执法人员名录[\s\S]*抽查事项清单[\s\S]*新建计划/);
    await shot(page, 'guided-01-first-steps');
    await page.context().close();
  });

  await step('a draft plan is edited in percent and deleted', async () => {
    const page = current = await open(`py${RUN}.leader`, PW);
    const items = await api(page, 'GET', '/api/v1/inspection/items');
    const r = await api(page, 'POST', '/api/v1/inspection/plans', { name: `平阳${RUN}草稿`, kind: 'special', item_ids: [items.data.items[0].id],
      region_code: COUNTY, ratio_permille: 125, start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2 });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    await page.goto(`${URL_}/inspection/plans`);
    const row = page.locator('[data-test=plans-table] .el-table__body tr', { hasText: `平阳${RUN}草稿` }).first();
    await row.waitFor();
    assert.match(await row.innerText(), /12\.5%/);
    await row.locator('[data-test=plan-edit]').click();
    const dlg = dialog(page, 'plan-dialog').or(page.locator('.el-dialog:visible').first());
    const ratio = page.locator('.el-dialog:visible [data-test=field-ratio_permille] input');
    assert.equal(await ratio.inputValue(), '12.5');
    await ratio.fill('20');
    await ratio.blur();
    await page.locator('[data-test=plan-save]').click();
    await dlg.first().waitFor({ state: 'hidden' });
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-test=plans-table] .el-table__body tr')]
      .some((tr) => tr.textContent.includes(n) && tr.textContent.includes('20%')), `平阳${RUN}草稿`);
    assert.equal((await api(page, 'GET', `/api/v1/inspection/plans/${r.data.id}`)).data.ratio_permille, 200);
    await row.locator('[data-test=plan-delete]').click();
    await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click();
    await page.locator('[data-test=plans-empty]').waitFor();
    await page.context().close();
  });

  await step('the same person entered twice: refused with the number on record; 更换执法证号 changes it', async () => {
    const page = current = await open(USER, PASSWORD);
    const first = await api(page, 'PUT', `/api/v1/inspection/inspectors/${ids.inspector.id}`, { cert_no: `33032${RUN}1` });
    assert.equal(first.status, 200, JSON.stringify(first.data));
    await page.goto(`${URL_}/inspection/inspectors`);
    await page.locator('[data-test=inspectors-table]').waitFor();
    await page.getByRole('button', { name: '录入执法人员' }).click();
    const dlg = dialog(page, 'enter-dialog');
    await dlg.locator('.el-select__wrapper').first().click();
    await page.keyboard.type(`py${RUN}.inspector`);
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: `py${RUN}.inspector` }).first().click();
    await dlg.locator('input.el-input__inner').last().fill(`33032${RUN}2`);
    await dlg.getByRole('button', { name: '保存' }).click();
    const msg = page.locator('.el-message--error');
    await msg.waitFor();
    assert.match(await msg.innerText(), new RegExp(`已在执法人员名录中，执法证号为 33032${RUN}1`));
    await shot(page, 'guided-02-directory-conflict');
    await dlg.getByRole('button', { name: '取消' }).click();
    assert.equal((await api(page, 'GET', `/api/v1/inspection/inspectors/${ids.inspector.id}`)).data.cert_no, `33032${RUN}1`);
    const row = page.locator('[data-test=inspectors-table] .el-table__body tr', { hasText: `33032${RUN}1` }).first();
    await row.locator('[data-test=cert-change]').click();
    const change = dialog(page, 'enter-dialog');
    await change.getByText(`现有执法证号 33032${RUN}1`).waitFor();
    await change.locator('input.el-input__inner').last().fill(`33032${RUN}2`);
    await change.getByRole('button', { name: '保存' }).click();
    await page.locator('.el-message--success').waitFor();
    assert.equal((await api(page, 'GET', `/api/v1/inspection/inspectors/${ids.inspector.id}`)).data.cert_no, `33032${RUN}2`);
    await page.context().close();
    assert.deepEqual(problems, []);
  });
});
