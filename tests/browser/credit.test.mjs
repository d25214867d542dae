// credit.test.mjs — the credit pages in Debian's chromium against a running yijian: an institution's
// credit section on its one page (grade with the contributions chart, points citing their
// documents, records), a black-list entry decided in 信用监管's form, the public lookup showing it, a repair
// application made from its penalty record, the leader's approval in 信用监管 → 信用修复 ending the
// publication, and the joint-punishment check tool. Data is made by
// the test through the API with the page's own session. Environment as console.test.mjs.
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
const CODE = creditCode('52330302', RUN + '77');
const NAME = `鹿城信用${RUN}号诊所`;

let browser, page;
const problems = [];

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|422)/.test(m.text())) problems.push(`console: ${m.text()}`); });
});
after(async () => { await browser?.close(); });

async function apiCall(method, url, body) {
  return page.evaluate(async ({ method, url, body }) => {
    const s = await (await fetch('/api/v1/session')).json();
    const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token, Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, data: await res.json().catch(() => null) };
  }, { method, url, body });
}

// Fills and confirms the prompt whose confirm button reads `button`: when one prompt follows another, the
// first is still fading out (and visible) while the second opens.
async function prompt(text, button) {
  const box = page.locator('.el-message-box:visible').filter({ has: page.locator('.el-button--primary', { hasText: button }) });
  await box.locator('input, textarea').first().fill(text);
  await box.locator('.el-button--primary', { hasText: button }).click();
  await box.waitFor({ state: 'hidden' }).catch(() => {});
}

test('credit: the subject\'s credit section, a repair application and its approval, the check tool', { skip, timeout: 180000 }, async (t) => {
  let failed = false;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; await page.screenshot({ path: path.join(SHOTS, 'credit-failure.png'), fullPage: true }).catch(() => {}); throw e; }
  });
  let inst;
  await step('sign in; an institution with a serious penalty and points', async () => {
    await page.goto(URL_ + '/login');
    await page.locator('input[name=username]').fill(USER);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('[data-test=signin]').click();
    await page.waitForURL(URL_ + '/');
    let r = await apiCall('POST', '/api/v1/institutions', { credit_code: CODE, name: NAME, type: 'clinic', level: 'none',
      ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'] });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    inst = r.data;
    r = await apiCall('POST', '/api/v1/credit/records', { subject_kind: 'institution', subject_id: inst.id, category: 'penalty',
      title: '超范围执业', source_doc: `温鹿卫医罚〔2025〕${RUN}号`, occurred_on: '2025-02-03', serious: true, penalty_kinds: ['fine'] });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    r = await apiCall('POST', '/api/v1/credit/points', { subject_kind: 'institution', subject_id: inst.id, rule_code: 'INS-MAN',
      points: 3, occurred_on: '2026-02-03', source_doc: `温鹿卫记〔2026〕${RUN}号` });
    assert.equal(r.status, 201, JSON.stringify(r.data));
  });
  await step('the credit section: evaluate, grade, points with their documents', async () => {
    await page.goto(`${URL_}/registry/institutions/${inst.id}`);
    const sec = page.locator('[data-test=credit-section]');
    await sec.waitFor();
    await sec.locator('[data-test=credit-evaluate]').click();
    await sec.locator('[data-test=credit-grade]').waitFor();
    assert.match(await sec.locator('[data-test=credit-grade]').innerText(), /[ABCD] 级/);
    assert.match(await sec.locator('[data-test=credit-points]').innerText(), new RegExp(`温鹿卫记〔2026〕${RUN}号`));
    await page.screenshot({ path: path.join(SHOTS, 'credit-section.png'), fullPage: true });
  });
  await step('信用监管 → 红黑名单: the entry decision by form, the subject named by its credit code', async () => {
    await page.goto(`${URL_}/credit`);
    await page.locator('.el-tabs__item').filter({ hasText: '红黑名单' }).click();
    await page.locator('[data-test=list-enter]').click();
    const dlg = page.locator('.el-dialog:visible');
    await dlg.locator('[data-test=entry-rule]').click();
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: '情节严重的行政处罚（医疗机构）' }).first().click();
    await dlg.locator('[data-test=entry-subject]').fill(CODE);
    await dlg.locator('[data-test=entry-doc]').fill(`温鹿卫信〔2026〕${RUN}号`);
    await dlg.locator('[data-test=entry-submit]').click();
    await page.locator('.el-message--success').filter({ hasText: '已列入' }).waitFor();
    await page.locator('[data-test=list-table] .el-table__row').filter({ hasText: `温鹿卫信〔2026〕${RUN}号` }).waitFor();
  });
  await step('the public lookup (no sign-in needed) shows the grade and the black list', async () => {
    await page.goto(`${URL_}/public/credit?q=${CODE}`);
    const item = page.locator('[data-test=public-credit-item]').filter({ hasText: NAME });
    await item.waitFor();
    assert.match(await item.innerText(), /黑榜/);
    assert.match(await item.innerText(), /信用等级 [ABCD]/);
  });
  await step('a repair application from the penalty record', async () => {
    await page.goto(`${URL_}/registry/institutions/${inst.id}`);
    await page.locator('[data-test=credit-section]').waitFor();
    const sec = page.locator('[data-test=credit-section]');
    await sec.locator('.el-tabs__item').filter({ hasText: '信用档案' }).click();
    await sec.locator('[data-test=credit-repair]').first().click();
    await prompt('本机构承诺依法执业、诚信守法', '下一步');
    await prompt('罚款已缴纳，整改报告已提交', '提交');
    await page.locator('.el-message--success').filter({ hasText: '已提交修复申请' }).waitFor();
  });
  await step('the leader approves it in 信用监管; the record shows 已修复', async () => {
    await page.goto(`${URL_}/credit`);
    await page.locator('.el-tabs__item').filter({ hasText: '信用修复' }).click();
    const row = page.locator('[data-test=repairs-table] .el-table__row').filter({ hasText: inst.id });
    await row.locator('[data-test=repair-approve]').click();
    await prompt('已纠正失信行为，准予修复', '提交');
    await page.locator('.el-message--success').filter({ hasText: '已审核' }).waitFor();
    const r = await apiCall('GET', `/api/v1/credit/subjects/${inst.id}`);
    assert.ok(r.data.records.some((x) => x.category === 'penalty' && x.state === 'repaired'));
  });
  await step('the check tool answers with the restrictions', async () => {
    await page.locator('.el-tabs__item').filter({ hasText: '联合惩戒核查' }).click();
    await page.locator('[data-test=check-subject]').fill(CODE);
    await page.locator('[data-test=check-decision]').click();
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: '等级评审' }).first().click();
    await page.locator('[data-test=check-run]').click();
    await page.locator('[data-test=check-answer]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'credit-check.png'), fullPage: true });
  });
  assert.deepEqual(problems, []);
});
