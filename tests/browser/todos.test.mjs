// todos.test.mjs — the to-do inbox (待办) in Debian's chromium against a running yijian: an inspector's
// home page lists their tasks overdue first (marked 已逾期, with the due date) and each row opens its
// task; the menu shows the count beside 检查任务 (red while one is overdue) and on 首页; after the task
// is completed the inspector's count drops and the district's leader finds the publication due in
// their list and beside 结果公示. Data (a leader, two inspectors in the directory, a clinic, tasks) is
// created through the API with the admin's session, in 文成县 (330328), unique per run. Environment as
// console.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin of 温州市 330300), optional
// YIJIAN_SCREENSHOTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { creditCode } from '../api/codes.mjs';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const USER = process.env.YIJIAN_USER;
const PASSWORD = process.env.YIJIAN_PASSWORD;
const SHOTS = process.env.YIJIAN_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'yijian-browser-'));
const skip = !URL_ || !USER || !PASSWORD ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;

const RUN = String(Date.now()).slice(-6);
const COUNTY = '330328'; // 文成县
const USER_PASSWORD = 'Daiban-2026';
const PAST = '2026-01-05', LATER = '2030-06-28';

let browser;
const problems = [];
const people = {};
let clinic, overdueTask, laterTask;

const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: launchArgs });
});

after(async () => {
  await browser?.close();
  if (!skip) console.log(`screenshots in ${SHOTS}`);
});

// A fresh browser context signed in as username, on the home page.
async function signedIn(username, password) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The sign-in page asks for the session first: a 401 is how it learns there is none.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.goto(`${URL_}/login`);
  await page.locator('input[name=username]').fill(username).catch(async (e) => { await shot(page, 'todos-signin'); throw e; });
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(URL_ + '/');
  return page;
}

async function apiCall(page, method, url, body) {
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

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

const rows = (page) => page.locator('[data-test=todo-table] .el-table__body tr');

test('the to-do inbox on the home page and the counts in the menu', { skip, timeout: 180000 }, async (t) => {
  let failed = false;
  let current;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; if (current) await shot(current, 'todos-failure').catch(() => {}); throw e; }
  });

  await step('the administrator creates a leader, two inspectors, a clinic and two tasks', async () => {
    const admin = current = await signedIn(USER, PASSWORD);
    const users = [['leader', '文成领导'], ['inspector', '林志明'], ['inspector', '潘雅琴']];
    for (const [k, [role, name]] of users.entries()) {
      const u = await apiCall(admin, 'POST', '/api/v1/users', { username: `wc${RUN}.${k}`, display_name: name,
        password: USER_PASSWORD, role, region_code: COUNTY, department: 'health' });
      assert.equal(u.status, 201, JSON.stringify(u.data));
      people[k] = u.data;
      if (role === 'inspector') {
        const d = await apiCall(admin, 'PUT', `/api/v1/inspection/inspectors/${u.data.id}`, { cert_no: `33028${RUN}${k}` });
        assert.equal(d.status, 200, JSON.stringify(d.data));
      }
    }
    const r = await apiCall(admin, 'POST', '/api/v1/institutions', {
      credit_code: creditCode('52330328', `${RUN}01`), name: `文成${RUN}济民诊所`, type: 'clinic', level: 'none',
      ownership: 'private', profit: 'forprofit', region_code: COUNTY, clinical_depts: ['03'], lng: 120.09, lat: 27.79 });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    clinic = r.data;
    const team = [people[1].id, people[2].id];
    let task = await apiCall(admin, 'POST', '/api/v1/inspection/tasks', { kind: 'patrol', subject_id: clinic.id, team, due_date: LATER });
    assert.equal(task.status, 201, JSON.stringify(task.data));
    laterTask = task.data;
    task = await apiCall(admin, 'POST', '/api/v1/inspection/tasks', { kind: 'flight', subject_id: clinic.id, team, due_date: PAST });
    assert.equal(task.status, 201, JSON.stringify(task.data));
    overdueTask = task.data;
    await admin.context().close();
  });

  await step('the inspector\'s home page lists both tasks, the overdue one first and marked; the menu counts them', async () => {
    const page = current = await signedIn(`wc${RUN}.1`, USER_PASSWORD);
    await rows(page).first().waitFor();
    assert.equal(await rows(page).count(), 2);
    const first = await rows(page).nth(0).innerText();
    assert.match(first, /飞行检查：文成\d+济民诊所/);
    assert.match(first, new RegExp(PAST));
    assert.match(first, /已逾期/);
    const second = await rows(page).nth(1).innerText();
    assert.match(second, /日常巡查：文成\d+济民诊所/);
    assert.match(second, new RegExp(LATER));
    assert.doesNotMatch(second, /已逾期/);
    assert.match(await page.locator('[data-test=todo-summary]').innerText(), /共 2 项，已逾期 1 项/);
    // 首页 and 检查任务 (under 双随机抽查) carry the count, red because one is overdue.
    const home = page.locator('[data-test="todo-badge-/"]');
    assert.equal((await home.innerText()).trim(), '2');
    await page.locator('.yj-menu').getByText('双随机抽查', { exact: true }).click();
    const tasks = page.locator('[data-test="todo-badge-/inspection/tasks"]');
    await tasks.waitFor();
    assert.equal((await tasks.innerText()).trim(), '2');
    assert.match(await tasks.getAttribute('class'), /overdue/);
    assert.equal(await page.locator('[data-test="todo-badge-/inspection/publications"]').count(), 0);
    await shot(page, 'todos-01-inspector-home');
    // 只看逾期 keeps the overdue one.
    await page.locator('[data-test=todos]').getByText('只看逾期').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-test=todo-table] .el-table__body tr').length === 1);
    assert.match(await rows(page).first().innerText(), /飞行检查/);
    // A row opens its task.
    await rows(page).first().locator('[data-test=todo-link]').click();
    await page.waitForURL(new RegExp(`/inspection/tasks/${overdueTask.id}$`));
    await page.getByText(`文成${RUN}济民诊所`).first().waitFor();
    await page.context().close();
  });

  await step('completing a task takes it off the inspector\'s list and puts its publication on the leader\'s', async () => {
    const admin = current = await signedIn(USER, PASSWORD);
    const url = `/api/v1/inspection/tasks/${laterTask.id}`;
    for (const [p, body] of [['checkin', { lng: 120.09, lat: 27.79 }], ['signature', { signed: true, signer_name: '赵某' }], ['complete', { summary: '未发现问题' }]]) {
      const r = await apiCall(admin, 'POST', `${url}/${p}`, body);
      assert.equal(r.status, 200, JSON.stringify(r.data));
    }
    await admin.context().close();

    const inspector = current = await signedIn(`wc${RUN}.2`, USER_PASSWORD);
    await rows(inspector).first().waitFor();
    assert.equal(await rows(inspector).count(), 1);
    assert.match(await rows(inspector).first().innerText(), /飞行检查/);
    assert.equal((await inspector.locator('[data-test="todo-badge-/"]').innerText()).trim(), '1');
    await inspector.context().close();

    // Publications are addressed to the county's leaders, so an earlier run's may be there too.
    const leader = current = await signedIn(`wc${RUN}.0`, USER_PASSWORD);
    await rows(leader).first().waitFor();
    const mine = rows(leader).filter({ hasText: `文成${RUN}济民诊所` });
    assert.equal(await mine.count(), 1);
    const all = await rows(leader).count();
    const row = await mine.innerText();
    assert.match(row, /结果公示/);
    assert.match(row, /检查结果公示：文成\d+济民诊所/);
    assert.match(row, /\d{4}-\d{2}-\d{2}/);
    assert.doesNotMatch(row, /已逾期/);
    await leader.locator('.yj-menu').getByText('双随机抽查', { exact: true }).click();
    const pubs = leader.locator('[data-test="todo-badge-/inspection/publications"]');
    await pubs.waitFor();
    assert.equal((await pubs.innerText()).trim(), String(all));
    assert.doesNotMatch(await pubs.getAttribute('class'), /overdue/);
    await shot(leader, 'todos-02-leader-home');
    await mine.locator('[data-test=todo-link]').click();
    await leader.waitForURL(/\/inspection\/publications$/);
    await leader.context().close();
    current = null;
  });

  await step('no page error or console error on the way', async () => {
    assert.deepEqual(problems, []);
  });
});
