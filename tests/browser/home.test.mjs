// home.test.mjs — every role's home page and the phone layout, in Debian's chromium against a running
// yijian. The administrator creates, through the API, in 泰顺县 (330329, unique per run): an inspector in
// the directory with a task due this month and an overdue one, a leader, an insurance analyst, a clinic
// with a licence and its institution user, a rectification order for it, and a grid with its grid
// member. Then each signs in: the figures of their role, the bell with the to-do count, the county's
// donut made of 镇/乡 (not 100 % 其他), the audit chart counted by the server; at 390 × 844 the menu is a
// drawer (with 现场检查) and no field page is wider than the screen. Environment as console.test.mjs.
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
const COUNTY = '330329'; // 泰顺县
const TOWN = '330329100'; // 罗阳镇
const PW = 'Shouye-2026';
const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
const monthEnd = (() => { const [y, m] = today.split('-').map(Number); return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10); })();
const PHONE = { width: 390, height: 844 };

let browser;
const problems = [];
const ids = {};

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

async function signedIn(username, password, viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    isMobile: viewport.width < 768, hasTouch: viewport.width < 768 });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.goto(`${URL_}/login`);
  await page.locator('input[name=username]').fill(username);
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
async function ok(page, method, url, body, status = [200, 201]) {
  const r = await apiCall(page, method, url, body);
  assert.ok(status.includes(r.status), `${method} ${url}: ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

const figure = (page, key) => page.locator(`[data-test=figure-${key}] [data-test=figure-value]`);

// Nothing on the page reaches past the right edge of the screen: the document does not scroll
// sideways and no visible element's box ends beyond the viewport (tables may scroll inside their box).
async function fitsWidth(page, what) {
  await page.waitForLoadState('networkidle');
  const r = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const b = el.getBoundingClientRect();
      if (!b.width || !b.height || b.right <= w + 1) continue;
      // Inside a box that scrolls or clips sideways (a table's body, a tab bar): not past the screen.
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX) && p.getBoundingClientRect().right <= w + 1) { clipped = true; break; }
      }
      if (!clipped && getComputedStyle(el).visibility !== 'hidden') wide.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(b.right)}`);
    }
    return { w, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 5) };
  });
  assert.ok(r.scroll <= r.w, `${what}: the page scrolls sideways (${r.scroll} > ${r.w})`);
  assert.deepEqual(r.wide, [], `${what}: wider than the ${r.w}-px screen`);
}

test('each role\'s home page, the bell, and the field pages on a 390-pixel phone', { skip, timeout: 300000 }, async (t) => {
  let failed = false;
  let current;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; if (current) await shot(current, 'home-failure').catch(() => {}); throw e; }
  });

  await step('the administrator sets up the county: people, a clinic with a licence, tasks, an order, a grid', async () => {
    const admin = current = await signedIn(USER, PASSWORD);
    const mk = async (k, role, name, extra = {}) => {
      ids[k] = await ok(admin, 'POST', '/api/v1/users', { username: `ts${RUN}.${k}`, display_name: name, password: PW,
        role, region_code: COUNTY, department: k === 'analyst' ? 'insurance' : 'health', ...extra });
    };
    await mk('inspector', 'inspector', '吴建国');
    await mk('inspector2', 'inspector', '陈秀英');
    for (const k of ['inspector', 'inspector2']) await ok(admin, 'PUT', `/api/v1/inspection/inspectors/${ids[k].id}`, { cert_no: `33029${RUN}${k.length}` });
    await mk('leader', 'leader', '泰顺领导');
    await mk('analyst', 'insurance_analyst', '医保分析');
    ids.clinic = await ok(admin, 'POST', '/api/v1/institutions', {
      credit_code: creditCode('52330329', `${RUN}02`), name: `泰顺${RUN}康宁诊所`, type: 'clinic', level: 'none',
      ownership: 'private', profit: 'forprofit', region_code: TOWN, clinical_depts: ['03'], lng: 119.72, lat: 27.56 });
    await mk('institution', 'institution', '康宁诊所', { institution_code: ids.clinic.credit_code });
    await mk('grid', 'grid_member', '网格员小周', { region_code: TOWN });
    const grid = await ok(admin, 'POST', '/api/v1/grids', { name: `罗阳镇第${RUN}网格`, region_code: TOWN });
    await ok(admin, 'PUT', `/api/v1/grids/${grid.id}/members`, { user_ids: [ids.grid.id] });
    await ok(admin, 'PATCH', `/api/v1/institutions/${ids.clinic.id}`, { grid_code: grid.code, version: ids.clinic.version });
    const lic = await ok(admin, 'POST', '/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution',
      holder_id: ids.clinic.id, valid_from: '2022-01-01', valid_to: monthEnd, reason: '首页测试' });
    ids.licence = lic;
    const team = [ids.inspector.id, ids.inspector2.id];
    ids.due = await ok(admin, 'POST', '/api/v1/inspection/tasks', { kind: 'patrol', subject_id: ids.clinic.id, team, due_date: monthEnd });
    ids.late = await ok(admin, 'POST', '/api/v1/inspection/tasks', { kind: 'flight', subject_id: ids.clinic.id, team, due_date: '2026-01-05' });
    await ok(admin, 'POST', `/api/v1/inspection/tasks/${ids.late.id}/checkin`, { lng: 119.72, lat: 27.56 });
    await ok(admin, 'POST', `/api/v1/inspection/tasks/${ids.late.id}/rectifications`, { requirement: '消毒记录补齐', working_days: 10 });
    await admin.context().close();
  });

  await step('the inspector: tasks this month, the bell, the county\'s towns as 镇 and 乡', async () => {
    const page = current = await signedIn(`ts${RUN}.inspector`, PW);
    await page.locator('[data-test=figures-inspector]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-test=figure-month-due] [data-test=figure-value]')?.textContent.trim().startsWith('1'));
    assert.match(await figure(page, 'assigned').innerText(), /^1/);
    assert.match(await figure(page, 'in-progress').innerText(), /^1/);
    const bell = page.locator('[data-test=notify-badge] sup');
    await bell.waitFor();
    // The bell counts what the to-do list lists: the two tasks and the order's follow-up.
    await page.waitForFunction(() => /共 [1-9]/.test(document.querySelector('[data-test=todo-summary]')?.textContent ?? ''));
    const total = (await page.locator('[data-test=todo-summary]').innerText()).match(/共 (\d+) 项/)[1];
    assert.ok(Number(total) >= 2, total);
    assert.equal((await bell.innerText()).trim(), total);
    const kinds = await page.locator('[data-test=region-chart]').getAttribute('data-kinds');
    assert.match(kinds, /镇/, kinds);
    assert.doesNotMatch(kinds, /^其他/, kinds);
    await shot(page, 'home-01-inspector');
    // The bell opens the to-do list; the menu links the phone page.
    await page.locator('.yj-menu').getByText('双随机抽查', { exact: true }).click();
    await page.locator('.yj-menu').getByText('现场检查（手机版）').click();
    await page.waitForURL(/\/field$/);
    await page.locator('[data-test=field-task]').first().waitFor();
    await page.goBack();
    await page.locator('[data-test=notify-bell]').click();
    await page.waitForURL(URL_ + '/');
    await page.locator('[data-test=todo-table] .el-table__body tr').first().waitFor();
    await page.context().close();
  });

  await step('the leader and the administrator: the year\'s plans, tasks, county comparison, audit per day', async () => {
    const page = current = await signedIn(`ts${RUN}.leader`, PW);
    await page.locator('[data-test=figures-leader]').waitFor();
    await page.waitForFunction(() => /^\d/.test(document.querySelector('[data-test=figure-tasks] [data-test=figure-value]')?.textContent.trim() ?? ''));
    assert.ok(parseInt(await figure(page, 'tasks').innerText(), 10) >= 2, 'the two tasks of this run at least');
    assert.match(await figure(page, 'institutions').innerText(), /^[1-9]/);
    await page.locator('[data-test=audit-chart] canvas').waitFor();
    assert.match(await page.locator('[data-test=audit-note]').innerText(), /共 [1-9]\d* 条/);
    await page.context().close();

    const admin = current = await signedIn(USER, PASSWORD);
    await admin.locator('[data-test=county-chart] canvas').waitFor();
    await shot(admin, 'home-02-admin');
    await admin.context().close();
  });

  await step('the institution: its rectification order and the licence that runs out this month', async () => {
    const page = current = await signedIn(`ts${RUN}.institution`, PW);
    await page.locator('[data-test=figures-institution]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-test=figure-rect-open] [data-test=figure-value]')?.textContent.trim().startsWith('1'));
    assert.match(await figure(page, 'licence-soon').innerText(), /^1/);
    const row = page.locator('[data-test=licence-expiry] .el-table__body tr').first();
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(`${monthEnd}[\\s\\S]*天后到期|${monthEnd}[\\s\\S]*0 天后到期`));
    await shot(page, 'home-03-institution');
    // Its rectification list names the clinic and the deadline, and exports through the server.
    await page.goto(`${URL_}/inspection/rectifications`);
    const order = page.locator('[data-test=orders-table] .el-table__body tr').first();
    await order.waitFor();
    assert.match(await order.innerText(), new RegExp(`泰顺${RUN}康宁诊所[\\s\\S]*消毒记录补齐[\\s\\S]*\\d{4}-\\d{2}-\\d{2}`));
    await page.locator('[data-test=orders-export] .el-dropdown__caret-button').click();
    const [dl] = await Promise.all([page.waitForEvent('download'),
      page.locator('.el-dropdown-menu:visible').getByText('导出 CSV（.csv）').click()]);
    const { readFileSync } = await import('node:fs');
    assert.match(readFileSync(await dl.path(), 'utf8'), new RegExp(`泰顺${RUN}康宁诊所`));
    await page.context().close();
  });

  await step('the analyst and the grid member: flags to review; the grid and its subjects', async () => {
    let page = current = await signedIn(`ts${RUN}.analyst`, PW);
    await page.locator('[data-test=figures-analyst]').waitFor();
    await page.waitForFunction(() => /^\d/.test(document.querySelector('[data-test=figure-flags-pending] [data-test=figure-value]')?.textContent.trim() ?? ''));
    await page.context().close();
    page = current = await signedIn(`ts${RUN}.grid`, PW);
    await page.locator('[data-test=figures-grid]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-test=figure-grids] [data-test=figure-value]')?.textContent.trim().startsWith('1'));
    assert.match(await figure(page, 'subjects').innerText(), /^1/);
    await shot(page, 'home-04-grid');
    await page.context().close();
  });

  await step('on a 390-pixel phone: the menu is a drawer and no field page is wider than the screen', async () => {
    const page = current = await signedIn(`ts${RUN}.inspector`, PW, PHONE);
    await page.locator('[data-test=figures-inspector]').waitFor();
    assert.equal(await page.locator('.yj-shell > .yj-aside').count(), 0, 'no sidebar on a phone');
    await fitsWidth(page, 'inspector home');
    await shot(page, 'home-05-phone-inspector');
    await page.locator('[data-test=nav-open]').click();
    const drawer = page.locator('.yj-nav-drawer');
    await drawer.getByText('双随机抽查', { exact: true }).click();
    await drawer.getByText('检查任务', { exact: true }).click();
    await page.waitForURL(/\/inspection\/tasks$/);
    await page.locator('[data-test=task-card]').first().waitFor();
    // the drawer slides out (Element Plus's transition): wait for it rather than race it
    await drawer.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => {});
    assert.equal(await drawer.isVisible(), false, 'the drawer closes on a choice');
    await fitsWidth(page, 'task list');
    await shot(page, 'home-06-phone-tasks');
    for (const [url, sel, what] of [['/field', '[data-test=field-task]', 'field tasks'], [`/field/tasks/${ids.due.id}`, 'text=现场签到', 'field task'],
      [`/inspection/tasks/${ids.late.id}`, '[data-test=task-head]', 'task detail'], ['/inspection/rectifications', '[data-test=rect-card]', 'rectifications']]) {
      await page.goto(URL_ + url);
      await page.locator(sel).first().waitFor();
      await fitsWidth(page, what);
    }
    await shot(page, 'home-07-phone-rectifications');
    await page.context().close();

    for (const [user, pages] of [['institution', [['/', '[data-test=figures-institution]'], ['/inspection/rectifications', '[data-test=rect-card]'], ['/registry/licences', 'text=电子证照']]],
      ['grid', [['/', '[data-test=figures-grid]'], ['/registry/institutions', 'text=医疗机构']]]]) {
      const p = current = await signedIn(`ts${RUN}.${user}`, PW, PHONE);
      for (const [url, sel] of pages) {
        await p.goto(URL_ + url);
        await p.locator(sel).first().waitFor();
        await fitsWidth(p, `${user} ${url}`);
      }
      await shot(p, `home-08-phone-${user}`);
      await p.context().close();
    }
    current = null;
  });

  await step('no page error or console error on the way', async () => {
    assert.deepEqual(problems, []);
  });
});
