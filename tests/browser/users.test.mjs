// users.test.mjs — user management in Debian's chromium against a running yijian: the administrator
// creates a user in the dialog (the territory a cascader), changes its role and territory, disables
// and enables it, unlocks it after five failed sign-ins, and resets its password; the user then signs in
// with the temporary password, lands on 个人资料 with the demand to change it, changes it, and signs in
// to the home page. Each write is in the audit log. Environment as console.test.mjs.
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
const NAME = `gl${RUN}.user`;
const FIRST = 'Chuci-mima-2026', TEMP = 'Linshi-mima-2026', MINE = 'Ziji-mima-2027';

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

async function open(username, password, expect = '/') {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // 401 before sign-in, 429 for the deliberate failures, 422 for the deliberately short password, 403
  // while the password must be changed.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|403|422|429)/.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.goto(`${URL_}/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-test=signin]').click();
  if (expect) await page.waitForURL(URL_ + expect);
  return page;
}

const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const row = (page) => page.locator('[data-test=users-table] .el-table__body tr', { hasText: NAME }).first();
const fixedRow = (page) => page.locator('.el-table__fixed-right .el-table__body tr, [data-test=users-table] .el-table__body tr', { hasText: NAME }).first();

async function findUser(page) {
  await page.goto(`${URL_}/admin/users`);
  await page.locator('[data-test=users-table]').waitFor();
  await page.getByPlaceholder('用户名或姓名').fill(NAME);
  await page.getByRole('button', { name: '查询' }).click();
  await row(page).waitFor();
}

test('user management: create, change, disable, unlock, reset with a forced change', { skip, timeout: 240000 }, async (t) => {
  let failed = false;
  let current;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; if (current) await shot(current, 'users-failure').catch(() => {}); throw e; }
  });
  let admin;

  await step('the administrator creates an inspector in the dialog', async () => {
    admin = current = await open(USER, PASSWORD);
    await admin.goto(`${URL_}/admin/users`);
    await admin.locator('[data-test=filter-region]').waitFor();
    await admin.locator('[data-test=user-new]').click();
    const d = admin.locator('.el-dialog[data-test=user-dialog]:visible, [data-test=user-dialog] .el-dialog:visible').first();
    await d.locator('[data-test=user-username] input').fill(NAME);
    await d.locator('[data-test=user-display-name] input').fill('管理测试');
    await d.locator('[data-test=user-password] input').fill('short');
    await d.locator('[data-test=user-save]').click();
    await d.getByText(/至少|8/).first().waitFor(); // the server's reason under the field
    await d.locator('[data-test=user-password] input').fill(FIRST);
    await d.locator('[data-test=user-save]').click();
    await admin.locator('.el-dialog:visible').waitFor({ state: 'hidden' });
    await findUser(admin);
    assert.match(await row(admin).innerText(), /监督员/);
    await shot(admin, 'users-01-created');
  });

  await step('role and name changed in the dialog; disabled and enabled again', async () => {
    await fixedRow(admin).locator('[data-test=user-edit]').click();
    const d = admin.locator('.el-dialog[data-test=user-dialog]:visible, [data-test=user-dialog] .el-dialog:visible').first();
    await d.locator('[data-test=user-display-name] input').fill('管理测试二');
    await d.locator('[data-test=user-role] .el-select__wrapper').click();
    await admin.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: '法制审核员' }).click();
    await d.locator('[data-test=user-save]').click();
    await admin.locator('.el-dialog:visible').waitFor({ state: 'hidden' });
    await admin.waitForFunction((n) => [...document.querySelectorAll('[data-test=users-table] .el-table__body tr')]
      .some((tr) => tr.textContent.includes(n) && tr.textContent.includes('法制审核员')), NAME);
    await fixedRow(admin).locator('[data-test=user-toggle]').click();
    await admin.locator('.el-message-box').getByRole('button', { name: '停用' }).click();
    await admin.waitForFunction((n) => [...document.querySelectorAll('[data-test=users-table] .el-table__body tr')]
      .some((tr) => tr.textContent.includes(n) && tr.textContent.includes('已停用')), NAME);
    const off = await open(NAME, FIRST, null);
    await off.locator('.el-message, .el-alert, .el-form-item__error').filter({ hasText: /错误|停用|不正确/ }).first().waitFor();
    assert.match(off.url(), /\/login/);
    await off.context().close();
    await fixedRow(admin).locator('[data-test=user-toggle]').click();
    await admin.locator('.el-message-box').getByRole('button', { name: '启用' }).click();
    await admin.waitForFunction((n) => [...document.querySelectorAll('[data-test=users-table] .el-table__body tr')]
      .some((tr) => tr.textContent.includes(n) && tr.textContent.includes('正常')), NAME);
  });

  await step('five wrong passwords lock the account; 解锁 lets the right one in at once', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await admin.request.post(`${URL_}/api/v1/session`, { data: { username: NAME, password: `cuowu-${i}-xx` }, headers: { 'X-Forwarded-For': '' } });
      assert.ok([401, 429].includes(r.status()), String(r.status()));
    }
    const locked = await admin.request.post(`${URL_}/api/v1/session`, { data: { username: NAME, password: FIRST } });
    assert.equal(locked.status(), 429);
    await fixedRow(admin).locator('[data-test=user-unlock]').click();
    await admin.locator('.el-message').getByText(/已解锁/).waitFor();
    const u = await open(NAME, FIRST);
    await u.context().close();
  });

  await step('a reset password: the user must change it before anything else', async () => {
    await fixedRow(admin).locator('[data-test=user-reset]').click();
    const d = admin.locator('.el-dialog[data-test=reset-dialog]:visible, [data-test=reset-dialog] .el-dialog:visible').first();
    await d.locator('[data-test=reset-password] input').fill(TEMP);
    await d.locator('[data-test=reset-save]').click();
    await admin.locator('.el-dialog:visible').waitFor({ state: 'hidden' });
    await admin.waitForFunction((n) => [...document.querySelectorAll('[data-test=users-table] .el-table__body tr')]
      .some((tr) => tr.textContent.includes(n) && tr.textContent.includes('待改密')), NAME);
    const u = current = await open(NAME, TEMP, '/profile');
    await u.locator('[data-test=must-change]').waitFor();
    await u.goto(`${URL_}/registry/institutions`);
    await u.waitForURL(`${URL_}/profile`);
    await shot(u, 'users-02-must-change');
    await u.locator('input[autocomplete=current-password]').fill(TEMP);
    const pw = u.locator('input[autocomplete=new-password]');
    await pw.nth(0).fill(MINE);
    await pw.nth(1).fill(MINE);
    await u.getByRole('button', { name: '修改密码' }).click();
    await u.waitForURL(/\/login/);
    await u.context().close();
    const again = current = await open(NAME, MINE);
    await again.locator('[data-test=welcome]').waitFor();
    await again.context().close();
    current = admin;
  });

  await step('every change is in the audit log; no page or console error', async () => {
    const users = await (await admin.request.get(`${URL_}/api/v1/users?q=${NAME}`)).json();
    const leaves = await (await admin.request.get(`${URL_}/api/v1/audit/leaves?object_type=user&object_id=${users.items[0].id}&limit=50`)).json();
    const actions = new Set(leaves.items.map((l) => l.action));
    for (const a of ['user.create', 'user.update', 'user.unlock', 'user.password']) assert.ok(actions.has(a), `${a} in ${[...actions]}`);
    await admin.context().close();
    assert.deepEqual(problems, []);
  });
});
