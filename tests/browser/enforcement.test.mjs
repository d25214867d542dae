// enforcement.test.mjs — the browser walk of issue 11 (执法办案) in Debian's chromium against a running
// yijian. The administrator creates (API) a leader, two inspectors, a legal reviewer, a clinic of 泰顺县
// (330329) and an inspection task with a finding. A general case: the inspector turns the finding into a
// clue on the task page; the leader files it in 审核审批 (two officers); the inspector finds it in 我的案件
// and takes every step through the case page's form — 调查取证, an evidence photo, 调查终结 within the
// discretion band, 合议, 告知 — the leader decides, the inspector serves, publishes and records the
// payment, the leader closes it. A major case: 法制审核 by the reviewer from its queue, 集体讨论, 告知 with
// the hearing rights, 申请听证, 听证 held by the leader, the review after the hearing and the decision.
// The PDFs are read with pdftotext and rendered with pdftoppm (A4, not blank; PNGs kept with the
// screenshots). Environment as console.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin of
// 温州市 330300), optional YIJIAN_SCREENSHOTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
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

const MQ = '8000001'; // default item 医疗机构依法执业及医疗质量安全
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

// The step form of the case page: pick the action, fill its fields by their labels, submit; the server's answer.
async function take(page, label, fields = []) {
  await page.locator('[data-test=action]').click();
  await page.locator('.el-select-dropdown__item:visible').getByText(label, { exact: true }).click();
  const item = (l) => page.locator('[data-test=step-form] .el-form-item').filter({ has: page.locator('.el-form-item__label', { hasText: l }) });
  for (const [l, kind, v] of fields) {
    const it = item(l);
    if (kind === 'text' || kind === 'fen') await it.locator('input').first().fill(String(v));
    else if (kind === 'area') await it.locator('textarea').fill(v);
    else if (kind === 'date') { await it.locator('input').fill(v); await it.locator('input').press('Enter'); }
    else if (kind === 'bool') await it.locator('.el-checkbox').click();
    else if (kind === 'choice' || kind === 'choice-partial' || kind === 'multi') {
      await it.locator('.el-select').click();
      for (const o of [].concat(v)) await page.locator('.el-select-dropdown__item:visible').getByText(o, { exact: kind !== 'choice-partial' }).first().click();
      if (kind === 'multi') await it.locator('.el-form-item__label').click();
    }
  }
  const [res] = await Promise.all([page.waitForResponse((r) => r.url().includes('/transitions') && r.request().method() === 'POST'),
    page.locator('[data-test=take]').click()]);
  const data = await res.json();
  assert.equal(res.status(), 200, `${label}: ${JSON.stringify(data)}`);
  return data;
}

// A document of the case as bytes, its text (pdftotext) and its first page as an image (pdftoppm): A4, not blank.
async function pdfOf(page, caseId, kind) {
  const docs = (await apiCall(page, 'GET', `/api/v1/cases/${caseId}/documents`)).data.items;
  const d = docs.find((x) => x.kind === kind);
  assert.ok(d, `no ${kind} among ${docs.map((x) => x.kind)}`);
  const b64 = await page.evaluate(async (url) => {
    const buf = new Uint8Array(await (await fetch(url)).arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    return btoa(s);
  }, d.pdf);
  const file = path.join(SHOTS, `${kind}-${caseId}.pdf`);
  writeFileSync(file, Buffer.from(b64, 'base64'));
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const [, w, h] = info.match(/Page size:\s+([\d.]+) x ([\d.]+) pts/);
  assert.ok(Math.abs(w - 595.28) < 1 && Math.abs(h - 841.89) < 1, `${kind} is A4: ${w} x ${h}`);
  const base = path.join(SHOTS, `${kind}-${caseId}`);
  execFileSync('pdftoppm', ['-r', '40', '-f', '1', '-l', '1', '-singlefile', '-png', file, base]);
  execFileSync('pdftoppm', ['-r', '40', '-f', '1', '-l', '1', '-singlefile', '-gray', file, base]); // PGM: header, then one byte a pixel
  const pgm = readFileSync(`${base}.pgm`);
  const [, pw, ph] = pgm.toString('latin1', 0, 40).match(/^P5\s+(\d+)\s+(\d+)\s+255\s/);
  const pixels = pgm.subarray(pgm.length - pw * ph);
  const dark = pixels.reduce((n, v) => n + (v < 128), 0);
  assert.ok(Math.abs(ph / pw - 841.89 / 595.28) < 0.02, `page image proportions A4: ${pw} x ${ph}`);
  assert.ok(dark > pixels.length * 0.005 && dark < pixels.length * 0.5, `${kind} page 1 is neither blank nor black: ${dark}/${pixels.length}`);
  return { doc: d, text };
}

// One signed-in page per person of the walk, reused from step to step (signing in is the slow part).
const pages = {};
async function as(k) {
  pages[k] ??= await signedIn(`ts${RUN}.${k}`, USER_PASSWORD);
  return pages[k];
}
let inst, task, finding;
test('a general case from an inspection finding to 结案 through the console', { skip, timeout: 240000 }, async (t) => {
  let failed = false, current;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; if (current) await shot(current, 'enforcement-failure').catch(() => {}); throw e; }
  });

  await step('the data: users, a clinic, an inspection task with a finding (API)', async () => {
    const admin = current = await signedIn(USER, PASSWORD);
    for (const [k, role, name] of [['leader', 'leader', '泰顺领导'], ['i1', 'inspector', '陶建国'], ['i2', 'inspector', '吴晓兰'],
      ['lr', 'legal_reviewer', '法规科审核员']]) {
      const u = await apiCall(admin, 'POST', '/api/v1/users', { username: `ts${RUN}.${k}`, display_name: name, password: USER_PASSWORD,
        role, region_code: COUNTY, department: 'health' });
      assert.equal(u.status, 201, JSON.stringify(u.data));
      people[k] = u.data;
    }
    for (const [n, k] of [[1, 'i1'], [2, 'i2']])
      assert.equal((await apiCall(admin, 'PUT', `/api/v1/inspection/inspectors/${people[k].id}`, { cert_no: `33${RUN}${n}` })).status, 200);
    const r = await apiCall(admin, 'POST', '/api/v1/institutions', { credit_code: creditCode('52330329', `${RUN}07`),
      name: `泰顺${RUN}康宁诊所`, type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit', region_code: COUNTY,
      clinical_depts: ['03'] });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    inst = r.data;
    const tk = await apiCall(admin, 'POST', '/api/v1/inspection/tasks', { kind: 'patrol', subject_id: inst.id, item_ids: [MQ],
      team: [people.i1.id, people.i2.id], due_date: '2099-12-31' });
    assert.equal(tk.status, 201, JSON.stringify(tk.data));
    task = tk.data;
    const f = await apiCall(admin, 'POST', `/api/v1/inspection/tasks/${task.id}/findings`, { severity: 'general',
      clause: '《医疗废物管理条例》第十六条', description: '医疗废物未分类收集，损伤性废物混入感染性废物' });
    assert.equal(f.status, 201, JSON.stringify(f.data));
    finding = f.data;
    await admin.context().close();
  });

  await step('the inspector turns the finding into a clue on the task page; the leader files it in 审核审批', async () => {
    const page = current = await as('i1');
    await page.goto(`${URL_}/inspection/tasks/${task.id}`);
    await page.locator('[data-test=findings]').getByText('损伤性废物').waitFor();
    await page.locator('[data-test=finding-refer]').first().click();
    await page.locator('[data-test=finding-refer]').getByText(/已登记案源 温泰卫受〔\d{4}〕\d+号/).waitFor();
    await shot(page, 'enforcement-01-finding-referred');
    const leader = current = await as('leader');
    await leader.locator('.yj-menu').getByText('执法办案', { exact: true }).click();
    await leader.locator('.yj-menu').getByText('审核审批', { exact: true }).click();
    await leader.waitForURL(/\/enforcement\/queue$/);
    const row = leader.locator('[data-test=queue-table] .el-table__row').filter({ hasText: `泰顺${RUN}康宁诊所` });
    await row.getByText(/监督检查发现问题/).waitFor();
    await row.locator('[data-test=file-clue]').click();
    const dlg = leader.locator('[data-test=filing-dialog]');
    await dlg.locator('[data-test=filing-officers]').click();
    for (const k of ['i1', 'i2']) await leader.locator('.el-select-dropdown__item:visible').getByText(`ts${RUN}.${k}`).click();
    await dlg.locator('[data-test=filing-opinion] textarea, textarea[data-test=filing-opinion]').first().fill('同意立案，由陶建国、吴晓兰承办。');
    await shot(leader, 'enforcement-02-filing');
    await dlg.locator('[data-test=filing-submit]').click();
    await leader.waitForURL(/\/enforcement\/cases\/\d+$/);
    const k = await apiCall(leader, 'GET', `/api/v1/cases/${leader.url().split('/').pop()}`);
    assert.equal(k.data.state, 'filed');
    assert.deepEqual(k.data.officers.sort(), [people.i1.id, people.i2.id].sort());
    kase = k.data;
  });

  await step('the inspector finds it in 我的案件 and takes 调查取证 with an evidence photo, 调查终结, 合议 and 告知', async () => {
    const page = current = await as('i1');
    await page.locator('.yj-menu').getByText('执法办案', { exact: true }).click();
    await page.locator('.yj-menu').getByText('我的案件', { exact: true }).click();
    await page.waitForURL(/\/enforcement\/cases$/);
    const table = page.locator('[data-test=cases-table]');
    await table.getByText(`泰顺${RUN}康宁诊所`).click();
    await page.waitForURL(new RegExp(`/enforcement/cases/${kase.id}$`));
    await page.locator('[data-test=timeline]').getByText('立案', { exact: true }).waitFor();
    assert.match(await page.locator('[data-test=decision-due]').innerText(), /^\d{4}-\d{2}-\d{2}$/);
    // a step taken too early is refused in Chinese and changes nothing
    const r = await apiCall(page, 'POST', `/api/v1/cases/${kase.id}/transitions`, { action: 'notify' });
    assert.equal(r.status, 409);
    assert.match(r.data.detail, /当前状态/);
    await take(page, '调查取证');
    await page.locator('[data-test=evidence-description] input, input[data-test=evidence-description]').first().fill('医疗废物暂存间现场照片');
    await page.locator('[data-test=evidence-file]').setInputFiles({ name: 'waste.jpg', mimeType: 'image/jpeg',
      buffer: Buffer.from(`jpeg ${RUN} ${Date.now()}`) });
    await page.locator('[data-test=evidence-upload]').click();
    await page.getByText('证据已上传').waitFor();
    const bench = (await apiCall(page, 'GET', '/api/v1/enforcement/benchmarks')).data.items.find((x) => x.code === 'medical_waste');
    await take(page, '调查终结', [['违法事实', 'area', '当事人未对医疗废物分类收集，损伤性废物混入感染性废物。'],
      ['违法行为', 'choice-partial', bench.name], ['情节档次', 'choice', '一般'], ['处罚种类', 'multi', ['警告', '罚款']], ['罚款', 'fen', '15000']]);
    await take(page, '合议', [['合议人员', 'text', '陶建国，吴晓兰，科室负责人'], ['合议意见', 'area', '事实清楚，证据确凿，适用裁量基准一般档。'],
      ['合议结论', 'area', '建议给予警告并处罚款15000元。']]);
    const n = await take(page, '告知');
    assert.equal(n.state, 'notified');
    const tl = page.locator('[data-test=timeline]');
    await tl.getByText('告知').first().waitFor();
    assert.match(await tl.innerText(), /审计日志第 \d+ 条/);
    assert.deepEqual(n.timeline.map((x) => x.action), ['file', 'investigate', 'add_evidence', 'conclude', 'deliberate', 'notify']);
    assert.equal(n.timeline[2].data.participants.length, 2, 'evidence names both officers');
    await shot(page, 'enforcement-03-notified');
  });

  await step('the leader decides; the inspector serves, publishes and records the payment; the leader closes', async () => {
    const leader = current = await as('leader');
    await leader.goto(`${URL_}/enforcement/cases/${kase.id}`);
    const d = await take(leader, '作出处罚决定', [['当事人书面放弃', 'bool', true]]);
    assert.match(d.decision_no, /^温泰卫医罚〔\d{4}〕\d+号$/);
    kase = d;
    const page = current = await as('i1');
    await page.goto(`${URL_}/enforcement/cases/${kase.id}`);
    await take(page, '送达', [['送达方式', 'choice', '直接送达'], ['送达日期', 'date', today()], ['签收人', 'text', '王院长']]);
    await take(page, '公示');
    const pub = await page.evaluate(async () => (await fetch('/api/v1/public/penalties')).json());
    assert.ok(pub.items.some((x) => x.cf_wsh === kase.decision_no), 'on the public 双公示 page');
    const p = await take(page, '缴纳罚款', [['缴款金额', 'fen', '15000'], ['缴款日期', 'date', today()]]);
    assert.equal(p.state, 'paid');
    const l2 = current = await as('leader');
    await l2.goto(`${URL_}/enforcement/cases/${kase.id}`);
    const c = await take(l2, '结案', [['结案报告摘要', 'area', '罚款已全额缴纳，处罚决定执行完毕，予以结案。']]);
    assert.equal(c.state, 'closed');
    await l2.locator('[data-test=document]').getByText('结案报告').waitFor();
    await shot(l2, 'enforcement-04-closed');
    const docs = (await apiCall(l2, 'GET', `/api/v1/cases/${kase.id}/documents`)).data.items.map((x) => x.kind);
    assert.deepEqual(docs, ['case_acceptance', 'filing_report', 'prior_notice', 'penalty_decision', 'service_receipt', 'closing_report']);
    const dec = await pdfOf(l2, kase.id, 'penalty_decision');
    for (const want of ['行政处罚决定书', kase.decision_no, `泰顺${RUN}康宁诊所`, '医疗废物管理条例', '15000.00', '六十日内', '泰顺县卫生健康局'])
      assert.ok(dec.text.includes(want), `the decision lacks ${want}:\n${dec.text.slice(0, 1500)}`);
    const acc = await pdfOf(l2, kase.id, 'case_acceptance');
    assert.match(acc.text, /案件受理记录/);
    assert.match(acc.text, /监督检查发现/);
    const cl = await pdfOf(l2, kase.id, 'closing_report');
    assert.match(cl.text, /结案报告/);
    assert.deepEqual(problems, []);
  });
});

test('a major case through 法制审核, 集体讨论 and 听证 to the decision', { skip, timeout: 180000 }, async (t) => {
  let failed = false, current, major;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; if (current) await shot(current, 'enforcement-major-failure').catch(() => {}); throw e; }
  });
  await step('filed as a major case and investigated (API): a fine of 50,000 yuan triggers the hearing', async () => {
    assert.ok(inst, 'the first test made the clinic');
    const i1 = current = await as('i1');
    const c = await apiCall(i1, 'POST', '/api/v1/cases/clues', { source: 'manual', subject_kind: 'institution', subject_id: inst.id,
      summary: '群众举报该诊所使用非卫生技术人员从事诊疗活动' });
    assert.equal(c.status, 201, JSON.stringify(c.data));
    const leader = await as('leader');
    const k = await apiCall(leader, 'POST', '/api/v1/cases', { clue_id: c.data.id, officers: [people.i1.id, people.i2.id], opinion: '同意立案',
      serious: true, t_complex: true });
    assert.equal(k.status, 201, JSON.stringify(k.data));
    major = k.data;
    const two = [people.i1.id, people.i2.id];
    for (const body of [{ action: 'investigate', participants: two },
      { action: 'conclude', participants: two, facts: '当事人使用两名非卫生技术人员从事静脉输液。', violation_code: 'unqualified_staff',
        tier: 'general', penalty_kinds: ['fine'], fine_fen: 5000000 },
      { action: 'deliberate', participants: ['陶建国', '吴晓兰'], opinion: '情节较重', conclusion: '提请法制审核和集体讨论' }]) {
      const r = await apiCall(i1, 'POST', `/api/v1/cases/${major.id}/transitions`, body);
      assert.equal(r.status, 200, JSON.stringify(r.data));
    }
  });

  await step('the reviewer finds it in 法制审核 and agrees; the leader holds the collective discussion', async () => {
    const lr = current = await as('lr');
    await lr.goto(`${URL_}/enforcement/queue`);
    await lr.locator('[data-test=queue-table]').getByText(`泰顺${RUN}康宁诊所`).click();
    await lr.waitForURL(new RegExp(`/enforcement/cases/${major.id}$`));
    const r = await take(lr, '法制审核', [['审核意见', 'choice', '同意'], ['理由', 'area', '事实清楚，证据确凿，适用依据正确，程序合法。']]);
    assert.equal(r.state, 'legal_reviewed');
    const leader = current = await as('leader');
    await leader.goto(`${URL_}/enforcement/cases/${major.id}`);
    const refusedDecide = await apiCall(leader, 'POST', `/api/v1/cases/${major.id}/transitions`, { action: 'decide', waived: true });
    assert.equal(refusedDecide.status, 409);
    assert.match(refusedDecide.data.detail, /集体讨论/);
    const cd = await take(leader, '集体讨论', [['参加人员', 'text', '局长，副局长，法规科科长'], ['讨论意见', 'area', '同意法制审核意见'],
      ['结论', 'area', '同意拟处罚意见，告知听证权利。']]);
    assert.equal(cd.state, 'discussed');
  });

  await step('告知 with the hearing rights, 申请听证, 听证 by the leader, the second review and the decision', async () => {
    const page = current = await as('i1');
    await page.goto(`${URL_}/enforcement/cases/${major.id}`);
    const n = await take(page, '告知');
    assert.ok(n.hearing_trigger && n.hearing_request_due, JSON.stringify(n));
    await take(page, '申请听证');
    const leader = current = await as('leader');
    await leader.goto(`${URL_}/enforcement/cases/${major.id}`);
    const h = await take(leader, '听证', [['听证日期', 'date', today()], ['听证笔录摘要', 'area', '当事人对违法事实无异议，请求从轻处罚。']]);
    assert.equal(h.state, 'heard');
    const early = await apiCall(leader, 'POST', `/api/v1/cases/${major.id}/transitions`, { action: 'decide' });
    assert.equal(early.status, 409, 'the hearing needs a legal review after it');
    const lr = await as('lr');
    const rv = await apiCall(lr, 'POST', `/api/v1/cases/${major.id}/transitions`, { action: 'legal_review', opinion: 'agree', reasons: '听证后复核同意' });
    assert.equal(rv.status, 200, JSON.stringify(rv.data));
    await leader.reload();
    const d = await take(leader, '作出处罚决定');
    assert.equal(d.state, 'decided');
    await shot(leader, 'enforcement-05-major-decided');
    const kinds = (await apiCall(leader, 'GET', `/api/v1/cases/${major.id}/documents`)).data.items.map((x) => x.kind);
    for (const k of ['prior_notice', 'hearing_rights_notice', 'hearing_notice', 'hearing_record', 'penalty_decision'])
      assert.ok(kinds.includes(k), `${k} in ${kinds}`);
    const hr = await pdfOf(leader, major.id, 'hearing_record');
    assert.match(hr.text, /听证笔录/);
    const dec = await pdfOf(leader, major.id, 'penalty_decision');
    for (const want of ['行政处罚决定书', d.decision_no, '医疗机构管理条例', '50000.00'])
      assert.ok(dec.text.includes(want), `the decision lacks ${want}:\n${dec.text.slice(0, 1500)}`);
    assert.deepEqual(problems, []);
  });
});
