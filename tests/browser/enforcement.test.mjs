// enforcement.test.mjs — the enforcement pages (执法办案) in Debian's chromium against a running yijian:
// the administrator creates a leader, two inspectors and a clinic in 泰顺县 (330329) through the API; the
// inspector records a clue, the leader files the case (both through the API); the inspector finds it in
// 我的案件, opens the case page, takes 调查取证 through the step form, sees the timeline grow with its
// audit leaf and the documents (案件受理记录, 立案报告) listed; a wrong step is answered in Chinese and
// changes nothing. Environment as console.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin
// of 温州市 330300), optional YIJIAN_SCREENSHOTS.
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
const USER_PASSWORD = 'Banan-2026x';
const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser, kase;
const people = {};
const problems = [];

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: launchArgs });
});
after(async () => {
  await browser?.close();
  if (!skip) console.log(`screenshots in ${SHOTS}`);
});

async function signedIn(username, password) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
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
    const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, data: await res.json().catch(() => null) };
  }, { method, url, body });
}
const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

test('我的案件 and the case page: a step through the form, the timeline and the documents', { skip, timeout: 180000 }, async (t) => {
  let failed = false, current;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; if (current) await shot(current, 'enforcement-failure').catch(() => {}); throw e; }
  });

  await step('the data: users, a clinic, a clue and a filed case (API)', async () => {
    const admin = current = await signedIn(USER, PASSWORD);
    for (const [k, role, name] of [['leader', 'leader', '泰顺领导'], ['i1', 'inspector', '陶建国'], ['i2', 'inspector', '吴晓兰']]) {
      const u = await apiCall(admin, 'POST', '/api/v1/users', { username: `ts${RUN}.${k}`, display_name: name, password: USER_PASSWORD,
        role, region_code: COUNTY, department: 'health' });
      assert.equal(u.status, 201, JSON.stringify(u.data));
      people[k] = u.data;
    }
    const inst = await apiCall(admin, 'POST', '/api/v1/institutions', { credit_code: creditCode('52330329', `${RUN}07`),
      name: `泰顺${RUN}康宁诊所`, type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit', region_code: COUNTY,
      clinical_depts: ['03'] });
    assert.equal(inst.status, 201, JSON.stringify(inst.data));
    await admin.context().close();
    const i1 = current = await signedIn(`ts${RUN}.i1`, USER_PASSWORD);
    const clue = await apiCall(i1, 'POST', '/api/v1/cases/clues', { source: 'manual', subject_kind: 'institution',
      subject_id: inst.data.id, summary: '群众反映医疗废物随意堆放' });
    assert.equal(clue.status, 201, JSON.stringify(clue.data));
    await i1.context().close();
    const leader = current = await signedIn(`ts${RUN}.leader`, USER_PASSWORD);
    const k = await apiCall(leader, 'POST', '/api/v1/cases', { clue_id: clue.data.id, officers: [people.i1.id, people.i2.id],
      opinion: '同意立案' });
    assert.equal(k.status, 201, JSON.stringify(k.data));
    kase = k.data;
    await leader.context().close();
  });

  await step('the inspector finds the case in 我的案件 and opens it', async () => {
    const page = current = await signedIn(`ts${RUN}.i1`, USER_PASSWORD);
    await page.locator('.yj-menu').getByText('执法办案', { exact: true }).click();
    await page.locator('.yj-menu').getByText('我的案件', { exact: true }).click();
    await page.waitForURL(/\/enforcement\/cases$/);
    const table = page.locator('[data-test=cases-table]');
    await table.getByText(`泰顺${RUN}康宁诊所`).waitFor();
    assert.match(await table.innerText(), /已立案/);
    await shot(page, 'enforcement-01-cases');
    await table.getByText(`泰顺${RUN}康宁诊所`).click();
    await page.waitForURL(new RegExp(`/enforcement/cases/${kase.id}$`));
    await page.locator('[data-test=timeline]').getByText('立案', { exact: true }).waitFor();
    await page.locator('[data-test=document]').first().waitFor();
    assert.match(await page.locator('[data-test=decision-due]').innerText(), /^\d{4}-\d{2}-\d{2}$/);

    // a wrong step: 调查终结 is not offered before 调查取证; the server's refusal is shown for a step taken too early
    const r = await apiCall(page, 'POST', `/api/v1/cases/${kase.id}/transitions`, { action: 'notify' });
    assert.equal(r.status, 409);
    assert.match(r.data.detail, /当前状态/);

    await page.locator('[data-test=action]').click();
    await page.locator('.el-select-dropdown__item').getByText('调查取证', { exact: true }).click();
    await page.locator('[data-test=take]').click();
    await page.getByText('已办理').waitFor();
    const tl = page.locator('[data-test=timeline]');
    await tl.getByText('调查取证').first().waitFor();
    assert.match(await tl.innerText(), /审计日志第 \d+ 条/);
    const docs = await page.locator('[data-test=document]').allInnerTexts();
    assert.ok(docs.some((d) => /案件受理记录/.test(d)) && docs.some((d) => /立案报告/.test(d)), docs.join(' | '));
    await shot(page, 'enforcement-02-case');
    const k = await apiCall(page, 'GET', `/api/v1/cases/${kase.id}`);
    assert.equal(k.data.state, 'investigating');
    assert.deepEqual(problems, []);
  });
});
