// enforcement_queue.test.mjs — 审核审批 and the case page's 督办与移送 panel in Debian's chromium against a
// running yijian: the administrator creates a leader of 泰顺县 (330329), a city leader (330300), two inspectors
// and a clinic; a clue awaits filing in the leader's 待立案审批 tab; once filed, the city leader supervises the
// case through the panel's form (a missing reason is shown beneath its field), the inspector reports and proposes
// a police transfer with the uploaded investigation report, the county leader approves, and the inspector sends
// it and records the police receipt and decision — all through the console. The
// second inspector uploads an evidence photo from a phone-sized page. The
// administrator changes a discretion benchmark in 裁量基准 (a new version) and opens 执法效能 (charts, export). Environment as console.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin
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
const CITY = '330300';
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
// An action of the 督办与移送 panel: its button, the fields of its dialog (by field key), submit; the server's answer.
// keepOpen: the dialog is open already (after a refused submission).
async function ovAction(page, action, fields, status, keepOpen = false) {
  if (!keepOpen) await page.locator(`[data-test=ov-${action}]`).click();
  const dlg = page.locator('[data-test=ov-dialog]');
  await dlg.locator('[data-test=ov-submit]').waitFor();
  for (const [key, kind, v] of fields) {
    const it = dlg.locator(`[data-test=ov-field-${key}]`);
    if (kind === 'text') await it.locator('input').fill(v);
    else if (kind === 'area') await it.locator('textarea').fill(v);
    else if (kind === 'date') { await it.locator('input').fill(v); await it.locator('input').press('Enter'); }
    else if (kind === 'choice') {
      await it.locator('.el-select').click();
      await page.locator('.el-select-dropdown__item:visible').getByText(v, { exact: true }).click();
    } else if (kind === 'file') await it.locator(`[data-test=ov-file-${v.slice(0, 8)}]`).click();
  }
  const [res] = await Promise.all([page.waitForResponse((r) => /\/(supervision|police-transfer)$/.test(r.url()) && r.request().method() === 'POST'),
    dlg.locator('[data-test=ov-submit]').click()]);
  const data = await res.json();
  assert.equal(res.status(), status, `${action}: ${JSON.stringify(data)}`);
  if (status === 200) await dlg.waitFor({ state: 'hidden' });
  return data;
}
const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

test('审核审批: the leader filing queue, and supervision and transfer on the case page', { skip, timeout: 180000 }, async (t) => {
  let failed = false, current, clue;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; if (current) await shot(current, 'enf-queue-failure').catch(() => {}); throw e; }
  });
  const R = `q${RUN}`;

  await step('the data: users, a clinic and a clue (API)', async () => {
    const admin = current = await signedIn(USER, PASSWORD);
    for (const [k, role, name, region] of [['leader', 'leader', '泰顺领导', COUNTY], ['city', 'leader', '市局领导', CITY],
      ['i1', 'inspector', '陶建国', COUNTY], ['i2', 'inspector', '吴晓兰', COUNTY]]) {
      const u = await apiCall(admin, 'POST', '/api/v1/users', { username: `${R}.${k}`, display_name: name, password: USER_PASSWORD,
        role, region_code: region, department: 'health' });
      assert.equal(u.status, 201, JSON.stringify(u.data));
      people[k] = u.data;
    }
    const inst = await apiCall(admin, 'POST', '/api/v1/institutions', { credit_code: creditCode('52330329', `${RUN}08`),
      name: `泰顺${RUN}安和诊所`, type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit', region_code: COUNTY,
      clinical_depts: ['03'] });
    assert.equal(inst.status, 201, JSON.stringify(inst.data));
    await admin.context().close();
    const i1 = current = await signedIn(`${R}.i1`, USER_PASSWORD);
    const c = await apiCall(i1, 'POST', '/api/v1/cases/clues', { source: 'manual', subject_kind: 'institution',
      subject_id: inst.data.id, summary: '群众反映无证人员行医' });
    assert.equal(c.status, 201, JSON.stringify(c.data));
    clue = c.data;
    await i1.context().close();
  });

  await step('the leader sees the clue in 待立案审批, files it; the city supervises; a transfer is proposed', async () => {
    const page = current = await signedIn(`${R}.leader`, USER_PASSWORD);
    await page.locator('.yj-menu').getByText('执法办案', { exact: true }).click();
    await page.locator('.yj-menu').getByText('审核审批', { exact: true }).click();
    await page.waitForURL(/\/enforcement\/queue$/);
    const table = page.locator('[data-test=queue-table]');
    await table.getByText(`泰顺${RUN}安和诊所`).waitFor();
    assert.match(await table.innerText(), /待立案/);
    await shot(page, 'enf-queue-01-filing');
    const k = await apiCall(page, 'POST', '/api/v1/cases', { clue_id: clue.id, officers: [people.i1.id, people.i2.id], opinion: '同意立案',
      suspect_crime: true });
    assert.equal(k.status, 201, JSON.stringify(k.data));
    kase = k.data;
    await page.reload();
    await page.getByText('没有待办').or(table.getByText('待立案').first()).waitFor();
    assert.ok(!(await table.innerText()).includes(`泰顺${RUN}安和诊所`), 'a filed clue leaves the queue');
    await page.context().close();
    // 发起督办 by the city leader on the case page: without a reason the server's field error shows beneath the field
    const city = current = await signedIn(`${R}.city`, USER_PASSWORD);
    await city.goto(`${URL_}/enforcement/cases/${kase.id}`);
    assert.match(await city.locator('[data-test=oversight]').innerText(), /未督办/);
    const due = new Date(Date.now() + 30 * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10);
    await ovAction(city, 'start', [['due_on', 'date', due]], 422);
    assert.match(await city.locator('[data-test=ov-field-reason] .el-form-item__error').innerText(), /督办事由/);
    await ovAction(city, 'start', [['reason', 'area', '市局挂牌督办']], 200, true);
    assert.match(await city.locator('[data-test=supervision]').innerText(), /督办中/);
    await shot(city, 'enf-queue-01b-supervised');
    await city.context().close();
  });

  await step('the case page shows 督办 and 移送 with their states', async () => {
    const page = current = await signedIn(`${R}.i1`, USER_PASSWORD);
    await page.goto(`${URL_}/enforcement/cases/${kase.id}`);
    const panel = page.locator('[data-test=oversight]');
    await panel.waitFor();
    assert.match(await page.locator('[data-test=supervision]').innerText(), /督办中/);
    const inv = await apiCall(page, 'POST', `/api/v1/cases/${kase.id}/transitions`, { action: 'investigate',
      participants: [people.i1.id, people.i2.id] });
    assert.equal(inv.status, 200, JSON.stringify(inv.data));
    const sha = await page.evaluate(async (id) => {
      const s = await (await fetch('/api/v1/session')).json();
      const r = await fetch(`/api/v1/cases/${id}/evidence?kind=document&description=${encodeURIComponent('调查报告')}`, { method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': s.csrf_token }, body: new Blob([`报告 ${Date.now()}`]) });
      return (await r.json()).evidence.sha256;
    }, kase.id);
    await page.reload();
    await page.locator('[data-test=oversight]').waitFor();
    // 报送督办报告 and 提请移送 with the uploaded report as the investigation report, through the panel
    const rep = await ovAction(page, 'report', [['progress', 'area', '已完成现场检查，正在调查取证。']], 200);
    assert.equal(rep.supervision.reports, 1);
    const p = await ovAction(page, 'propose', [['reason', 'area', '无证人员为患者输液，涉嫌非法行医'], ['charge', 'text', '非法行医罪'],
      ['attachments', 'file', sha]], 200);
    assert.equal(p.police_transfer.state, 'proposed');
    assert.deepEqual(p.police_transfer.attachments.map((x) => [x.kind, x.sha256]), [['investigation_report', sha]]);
    assert.match(await page.locator('[data-test=police-transfer]').innerText(), /待审批/);
    await shot(page, 'enf-queue-02-case');
    // the county leader approves (the inspector sends it after the phone step below)
    const leader = current = await signedIn(`${R}.leader`, USER_PASSWORD);
    await leader.goto(`${URL_}/enforcement/cases/${kase.id}`);
    await ovAction(leader, 'approve', [['opinion', 'area', '同意移送'], ['receiving_org', 'text', '泰顺县公安局']], 200);
    await leader.context().close();
    assert.deepEqual(problems, []);
  });

  await step('on a phone: an evidence photo uploaded from the case page becomes a step', async () => {
    const page = current = await signedIn(`${R}.i2`, USER_PASSWORD);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${URL_}/enforcement/cases/${kase.id}`);
    await page.locator('[data-test=evidence]').waitFor();
    const before = (await apiCall(page, 'GET', `/api/v1/cases/${kase.id}`)).data.timeline.length;
    await page.locator('[data-test=evidence-description] input, input[data-test=evidence-description]').first().fill('手机拍摄的输液室照片');
    await page.locator('[data-test=evidence-file]').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg',
      buffer: Buffer.from(`jpeg ${RUN} ${Date.now()}`) });
    await page.locator('[data-test=evidence-upload]').click();
    await page.getByText('证据已上传').waitFor();
    const k = (await apiCall(page, 'GET', `/api/v1/cases/${kase.id}`)).data;
    assert.equal(k.timeline.length, before + 1);
    assert.equal(k.timeline.at(-1).action, 'add_evidence');
    assert.equal(k.timeline.at(-1).data.description, '手机拍摄的输液室照片');
    await shot(page, 'enf-queue-03-phone-evidence');
    assert.deepEqual(problems, []);
  });

  await step('the inspector sends the approved transfer (案件移送书) and records the police receipt and decision', async () => {
    const page = current = await signedIn(`${R}.i1`, USER_PASSWORD);
    await page.goto(`${URL_}/enforcement/cases/${kase.id}`);
    const sent = await ovAction(page, 'send', [], 200);
    assert.equal(sent.police_transfer.state, 'sent');
    assert.equal(sent.state, 'transferred');
    const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    await ovAction(page, 'receipt', [['receipt_on', 'date', day], ['receipt_no', 'text', `泰公回${RUN}`]], 200);
    const dec = await ovAction(page, 'police_decision', [['decision', 'choice', '立案'], ['decided_on', 'date', day]], 200);
    assert.equal(dec.police_transfer.state, 'accepted');
    assert.match(await page.locator('[data-test=police-transfer]').innerText(), /公安机关已立案/);
    await page.locator('[data-test=document]').getByText('案件移送书').waitFor();
    await shot(page, 'enf-queue-04-transferred');
    assert.deepEqual(problems, []);
  });
});

test('裁量基准 editor and 执法效能 charts', { skip, timeout: 180000 }, async (t) => {
  let failed = false, current;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; if (current) await shot(current, 'enf-bench-failure').catch(() => {}); throw e; }
  });
  await step('the administrator changes 从轻 of a row: a new version', async () => {
    const page = current = await signedIn(USER, PASSWORD);
    await page.goto(`${URL_}/enforcement/benchmarks`);
    const before = (await apiCall(page, 'GET', '/api/v1/enforcement/benchmarks')).data.items.find((x) => x.code === 'public_place');
    await page.locator('[data-test=benchmarks-table]').getByText(before.name).waitFor();
    await page.locator('[data-test=edit-public_place]').click();
    const lo = (before.tiers.lighter.fine_min_fen + 100) / 100;
    await page.locator('[data-test=min-lighter] input').fill(String(lo));
    await page.locator('textarea[data-test=reason], [data-test=reason] textarea').first().fill('浏览器测试：调整从轻档下限');
    await page.locator('[data-test=save]').click();
    await page.getByText('已保存为新版本').waitFor();
    const after = (await apiCall(page, 'GET', '/api/v1/enforcement/benchmarks')).data.items.find((x) => x.code === 'public_place');
    assert.equal(after.version, before.version + 1);
    assert.equal(after.tiers.lighter.fine_min_fen, before.tiers.lighter.fine_min_fen + 100);
    await shot(page, 'enf-bench-01-editor');
    // 执法效能: the table, two charts and the export
    await page.goto(`${URL_}/enforcement/indicators`);
    await page.locator('[data-test=indicators-table]').waitFor();
    const rows = (await apiCall(page, 'GET', '/api/v1/enforcement/indicators')).data.items;
    if (rows.length) {
      await page.locator('[data-test=chart-cases] canvas, .yj-chart canvas').first().waitFor();
      assert.ok(await page.locator('.yj-chart canvas').count() >= 2);
    }
    const x = await page.evaluate(async () => (await fetch('/api/v1/enforcement/indicators/export?format=xlsx')).headers.get('content-type'));
    assert.match(x, /spreadsheetml/);
    await shot(page, 'enf-bench-02-indicators');
    assert.deepEqual(problems, []);
  });
});
