// complaints.test.mjs — the public complaint page (投诉举报) in Debian's chromium against a running
// yijian: a visitor without an account files an anonymous complaint through the form, lands on the
// progress page of its tracking code (登记), the health commission dispatches, accepts and replies
// through the API, the visitor's page then shows 已答复 with the reply and every step, and the desk's
// revisit on the console's matter page closes it (已办结) for the visitor too; the desk then transfers a
// clue to 市场监管局 (部门移送) and finds it, awaiting the written reply, among the transfers it sent; and a
// letter sent on paper a month ago, recorded through the form and answered now by 市场监管局, shows as 逾期复函
// among the health commission's overdue transfers. Environment
// as console.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin of 温州市 330300, health),
// optional YIJIAN_SCREENSHOTS.
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

let browser;
const problems = [];

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
});
after(async () => {
  await browser?.close();
  if (!skip) console.log(`screenshots in ${SHOTS}`);
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`); });
  return page;
}

// The admin's (or another user's) API calls, from a page signed in through the sign-in form.
async function adminPage(user = USER, password = PASSWORD) {
  const page = await newPage();
  await page.goto(`${URL_}/login`);
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(URL_ + '/');
  return page;
}
const apiCall = (page, method, url, body) => page.evaluate(async ({ method, url, body }) => {
  const s = await (await fetch('/api/v1/session')).json();
  const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
    body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, data: await res.json().catch(() => null) };
}, { method, url, body });

test('an anonymous complaint: form → tracking page → dispatched, accepted, replied → the visitor reads the reply',
  { skip, timeout: 120000 }, async () => {
    const visitor = await newPage();
    await visitor.goto(`${URL_}/public/complaints`);
    await visitor.locator('[data-test=complaint-category]').click();
    await visitor.getByRole('option', { name: '医疗服务投诉' }).click();
    const form = visitor.locator('[data-test=complaint-form]');
    await form.getByLabel('标题').fill(`候诊两小时无人接诊 ${RUN}`);
    await form.getByLabel('事实经过').fill('上午挂号内科后等了两个小时没有叫号，导诊台无人解释。');
    await form.getByLabel('事发地区划').fill('330328');
    await visitor.locator('[data-test=complaint-submit]').click();
    await visitor.waitForURL(/\/public\/complaints\/TS[0-9A-Z]{16}$/);
    const code = visitor.url().split('/').pop();
    await assert.doesNotReject(visitor.locator('[data-test=complaint-state]').filter({ hasText: '已登记，待分派' }).waitFor());
    await visitor.screenshot({ path: path.join(SHOTS, 'complaint-received.png'), fullPage: true });

    const admin = await adminPage();
    const list = await apiCall(admin, 'GET', '/api/v1/complaints?region=330328&limit=200');
    const m = list.data.items.find((x) => x.tracking_code === code);
    assert.ok(m, JSON.stringify(list.data).slice(0, 300));
    for (const [step, body] of [['dispatch', {}], ['accept'], ['reply', { text: `经核查属实，已责令医院改进导诊服务 ${RUN}`, substantiated: true }]]) {
      const r = await apiCall(admin, 'POST', `/api/v1/complaints/${m.id}/${step}`, body);
      assert.equal(r.status, 200, JSON.stringify(r.data));
    }

    await visitor.reload();
    await assert.doesNotReject(visitor.locator('[data-test=complaint-state]').filter({ hasText: '已答复' }).waitFor());
    assert.match(await visitor.locator('[data-test=complaint-reply]').innerText(), new RegExp(`责令医院改进导诊服务 ${RUN}`));
    const steps = await visitor.locator('.el-timeline-item').count();
    assert.equal(steps, 4, 'registered, dispatched, accepted, replied');
    await visitor.screenshot({ path: path.join(SHOTS, 'complaint-replied.png'), fullPage: true });
    // The console: the matter in the list, its page, and the desk's revisit closes it for the visitor too.
    await admin.goto(`${URL_}/complaints`);
    // a city user sees the county (文成县 330328) beside where it happened
    await admin.locator('[data-test=complaints-table] .el-table__row').filter({ hasText: code }).getByText('文成县').first().waitFor();
    await admin.locator('[data-test=complaints-table]').getByText(code).click();
    await admin.waitForURL(`${URL_}/complaints/${m.id}`);
    await assert.doesNotReject(admin.locator('[data-test=complaint-detail-state]').filter({ hasText: '已答复' }).waitFor());
    await admin.locator('[data-test=complaint-actions]').getByRole('button', { name: '回访' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await assert.doesNotReject(admin.locator('[data-test=complaint-detail-state]').filter({ hasText: '已办结' }).waitFor());
    await admin.screenshot({ path: path.join(SHOTS, 'complaint-console.png'), fullPage: true });
    await visitor.reload();
    await assert.doesNotReject(visitor.locator('[data-test=complaint-state]').filter({ hasText: '已办结' }).waitFor());
    // 部门移送: the desk transfers a clue to 市场监管局 and finds it among the transfers it sent.
    await admin.goto(`${URL_}/transfers`);
    await admin.getByRole('button', { name: '移送线索' }).click();
    const dlg = admin.getByRole('dialog');
    await dlg.locator('.el-select').click();
    await admin.getByRole('option', { name: '市场监管局' }).click();
    await dlg.getByLabel('标题').fill(`收费问题移送 ${RUN}`);
    await dlg.getByLabel('线索内容').fill('投诉中发现该医院重复收费，移送市场监管局核查。');
    await dlg.getByLabel('行政区划').fill('330328');
    await dlg.getByRole('button', { name: '确定' }).click();
    await admin.getByText('发出的移送').click();
    await assert.doesNotReject(admin.locator('[data-test=transfers-table]').getByText(`收费问题移送 ${RUN}`).waitFor());
    await assert.doesNotReject(admin.locator('[data-test=transfers-table]').getByText('待复函').first().waitFor());
    // the list's total is the export's count with the same filters (box=out), and the export downloads
    const sent = (await (await admin.request.get(`${URL_}/api/v1/transfers?box=out&limit=200`)).json()).items.length;
    await admin.locator('[data-test=pager-total]').getByText(`共 ${sent} 条，第 1 / 1 页`).waitFor();
    const [dl] = await Promise.all([admin.waitForEvent('download'), admin.locator('[data-test=export] button').first().click()]);
    assert.match(dl.suggestedFilename(), /\.xlsx$/);
    // An unknown code says so in Chinese.
    await visitor.goto(`${URL_}/public/complaints/TS0000000000000000`);
    await assert.doesNotReject(visitor.getByText('没有这个查询码', { exact: false }).waitFor());
    assert.deepEqual(problems.filter((p) => !/status of 404/.test(p)), []);
  });

test('a transfer answered late shows as overdue at the health commission', { skip, timeout: 90000 }, async () => {
  const day = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
  const admin = await adminPage();
  const mktUser = `mkt.${RUN}`, mktPassword = `Shichang-${RUN}-x`;
  const u = await apiCall(admin, 'POST', '/api/v1/users', { username: mktUser, display_name: '市场监管联络员', password: mktPassword,
    role: 'liaison', region_code: '330328', department: 'market' });
  assert.equal(u.status, 201, JSON.stringify(u.data));
  // The health commission records a letter it sent to 市场监管局 on paper a month ago (发函日期).
  const title = `补录移送 ${RUN}`;
  await admin.goto(`${URL_}/transfers`);
  await admin.getByRole('button', { name: '移送线索' }).click();
  const dlg = admin.getByRole('dialog');
  await dlg.locator('.el-select').click();
  await admin.getByRole('option', { name: '市场监管局' }).click();
  await dlg.getByLabel('标题').fill(title);
  await dlg.getByLabel('线索内容').fill('一个月前以纸质函移送的药店串换药品线索，现补录登记。');
  await dlg.getByLabel('行政区划').fill('330328');
  await dlg.getByLabel('发函日期').fill(day(-30));
  await dlg.getByRole('button', { name: '确定' }).click();
  await dlg.waitFor({ state: 'hidden' });
  const t = (await apiCall(admin, 'GET', '/api/v1/transfers?box=out&limit=200')).data.items.find((x) => x.title === title);
  assert.ok(t && t.due_on === day(-15), JSON.stringify(t));
  // 市场监管局 answers now, two weeks after its day.
  const mkt = await adminPage(mktUser, mktPassword);
  const r = await apiCall(mkt, 'POST', `/api/v1/transfers/${t.id}/reply`, { text: '经核查，药店存在串换药品行为，已立案查处。' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  // The health commission's transfer page, overdue only: the transfer marked 逾期复函.
  await admin.goto(`${URL_}/transfers`);
  await admin.getByText('只看逾期').click();
  const row = admin.locator('[data-test=transfers-table] tr').filter({ hasText: title });
  await assert.doesNotReject(row.getByText('逾期复函').waitFor());
  await admin.screenshot({ path: path.join(SHOTS, 'transfer-late.png'), fullPage: true });
  assert.deepEqual(problems.filter((p) => !/status of 404/.test(p)), []);
});

test('the console\'s forms: a joint action (the server\'s field errors under the fields), its result; an opinion event to its closure',
  { skip, timeout: 90000 }, async () => {
    const admin = await adminPage();
    await admin.goto(`${URL_}/joint`);
    await admin.locator('[data-test=joint-plan]').click();
    const dlg = admin.locator('[data-test=joint-form]');
    const title = `医美联合执法 ${RUN}`;
    await dlg.getByLabel('行动名称').first().fill(title);
    await dlg.getByLabel('行动方案').first().fill('检查');
    await admin.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await assert.doesNotReject(dlg.getByText('请列出参加的其他部门').waitFor());
    await assert.doesNotReject(dlg.getByText('请用至少 5 个字写明行动方案').waitFor());
    await dlg.locator('[data-test=field-participants]').click();
    await admin.getByRole('option', { name: '市场监管局' }).click();
    await dlg.getByLabel('行动方案').first().fill('卫健、市场监管联合检查辖区医疗美容机构。');
    await admin.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    const row = admin.locator('tr').filter({ hasText: title });
    await row.getByRole('button', { name: '登记结果' }).click();
    await admin.locator('[data-test=joint-form]').getByLabel('行动结果').first().fill('检查机构 8 家，立案 1 起。');
    await admin.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await assert.doesNotReject(row.getByText('已实施').waitFor());

    await admin.goto(`${URL_}/opinion-events`);
    await admin.locator('[data-test=opinion-register]').click();
    const event = `网传医院拒收急诊患者 ${RUN}`;
    const odlg = admin.locator('[data-test=opinion-form]');
    await odlg.getByLabel('事件名称').first().fill(event);
    await odlg.getByLabel('概况').first().fill('网帖称某医院急诊拒收危重患者，转发较多。');
    await admin.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await admin.locator('tr').filter({ hasText: event }).click();
    await admin.locator('[data-test=opinion-actions]').getByRole('button', { name: '结案' }).click();
    await admin.locator('[data-test=opinion-form]').getByLabel('结案报告').first().fill('经核查，医院已按规定接诊，网帖内容不实，已发布情况说明。');
    await admin.getByRole('dialog').filter({ hasText: '结案报告' }).getByRole('button', { name: '确定' }).click();
    await assert.doesNotReject(admin.locator('tr').filter({ hasText: event }).getByText('已结案').waitFor());
    await admin.screenshot({ path: path.join(SHOTS, 'opinion-closed.png'), fullPage: true });
    assert.deepEqual(problems.filter((p) => !/status of (404|422)/.test(p)), []);
  });
