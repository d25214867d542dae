// inspection.test.mjs — double random, one public (双随机、一公开) in Debian's chromium against a running
// yijian, the whole path: a plan refused with an invalid sampling ratio (the Chinese reason under
// the field) then created, committed (input hash, secret hash, audit leaf shown), drawn with a
// witness value (drawn subjects with their phase and teams); the bundle downloaded through the page
// verifies with `yijian draw verify` and fails after one weight or the witness is edited; a drawn
// task opened on a phone-sized screen (390×844, geolocation granted at a fixed position): check-in,
// the checklist, a finding, a photo, the signature, completion; an institution user bound to the
// inspected clinic sees its rectification order and submits its report; the publication page shows the
// API's 20-working-day deadline and marks overdue rows as the API flags them; publication; the
// public page (no sign-in) shows the result and the draw.
// Data (inspectors as users in the directory, one with a declared conflict; clinics with codes
// whose check characters come from tests/api/codes.mjs) is created through the API with the page's
// session, in 泰顺县 (330329), unique per run. Environment as console.test.mjs: YIJIAN_URL,
// YIJIAN_USER, YIJIAN_PASSWORD (an admin of 温州市 330300), optional YIJIAN_SCREENSHOTS; the
// verifier is YIJIAN_BIN or build/yijian.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { creditCode } from '../api/codes.mjs';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const USER = process.env.YIJIAN_USER;
const PASSWORD = process.env.YIJIAN_PASSWORD;
const SHOTS = process.env.YIJIAN_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'yijian-browser-'));
// A PDF's text without white space (pdftotext, poppler-utils).
const pdfText = (file) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const BIN = process.env.YIJIAN_BIN ?? path.join(ROOT, 'build/yijian');
const skip = !URL_ || !USER || !PASSWORD ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;

const RUN = String(Date.now()).slice(-6);
const NUM = (n) => RUN + String(n).padStart(2, '0');
const COUNTY = '330329'; // 泰顺县
const PLAN_NAME = `${RUN}泰顺县医疗机构双随机抽查`;
const WITNESS = `福彩3D 2026${RUN.slice(-3)} 期开奖号码 ${RUN.slice(0, 3)}`;
const MQ = '8000001'; // default item 医疗机构依法执业及医疗质量安全
const PHONE_POS = { longitude: 119.716543, latitude: 27.557321 };
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2264d2a0000000049454e44ae426082', 'hex');

let browser;
let context;
let page;
const problems = [];
const work = mkdtempSync(path.join(tmpdir(), 'yijian-draw-'));
let clinics = [];
let planId;
let drawId;
let taskId;
let taskSubject;

function watch(p) {
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error' && !/status of (401|422)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
}

const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: launchArgs });
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  context.setDefaultTimeout(15000);
  page = await context.newPage();
  watch(page);
});

after(async () => {
  await browser?.close();
  if (!skip) console.log(`screenshots in ${SHOTS}`);
});

async function shot(name, p = page) {
  const vp = p.viewportSize();
  const h = await p.evaluate(() => {
    const m = document.querySelector('.yj-main');
    return m ? m.scrollHeight + 56 : document.documentElement.scrollHeight;
  });
  if (h > vp.height) await p.setViewportSize({ width: vp.width, height: Math.min(h, 6000) });
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  if (h > vp.height) await p.setViewportSize(vp);
}

async function apiCall(method, url, body, p = page) {
  return p.evaluate(async ({ method, url, body }) => {
    const s = await (await fetch('/api/v1/session')).json();
    const res = await fetch(url, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token, Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: await res.json().catch(() => null) };
  }, { method, url, body });
}

function verify(text) {
  const f = path.join(work, `bundle-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, text);
  return spawnSync(BIN, ['draw', 'verify', f], { encoding: 'utf8' });
}

async function confirmBox(label) {
  const box = page.locator('.el-message-box');
  await box.waitFor();
  await box.getByRole('button', { name: label }).click();
  await box.waitFor({ state: 'hidden' });
}

test('double random, one public in the browser: plan, commitment, witnessed draw, field entry on a phone, publication', { skip, timeout: 300000 }, async (t) => {
  let failed = false;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; await shot('inspection-failure').catch(() => {}); throw e; }
  });

  await step('sign in and create inspectors and clinics through the API', async () => {
    await page.goto(`${URL_}/login`);
    await page.locator('input[name=username]').fill(USER);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('[data-test=signin]').click();
    await page.waitForURL(URL_ + '/');
    const inspectors = [];
    for (let i = 0; i < 4; i++) {
      const u = await apiCall('POST', '/api/v1/users', { username: `ts${RUN}.i${i}`, display_name: ['周建国', '吴晓燕', '郑海波', '陈丽华'][i],
        password: 'Jiancha-2026', role: 'inspector', region_code: COUNTY, department: 'health' });
      assert.equal(u.status, 201, JSON.stringify(u.data));
      const d = await apiCall('PUT', `/api/v1/inspection/inspectors/${u.data.id}`, { cert_no: `33032${NUM(i)}` });
      assert.equal(d.status, 200, JSON.stringify(d.data));
      inspectors.push(u.data);
    }
    for (let i = 0; i < 6; i++) {
      const r = await apiCall('POST', '/api/v1/institutions', {
        credit_code: creditCode('52330329', NUM(i)), name: `泰顺${RUN}${['仁和', '康宁', '同济', '博爱', '惠民', '安康'][i]}诊所`, type: 'clinic',
        level: 'none', ownership: 'private', profit: 'forprofit', region_code: COUNTY, clinical_depts: ['03'], lng: 119.72, lat: 27.56,
      });
      assert.equal(r.status, 201, JSON.stringify(r.data));
      clinics.push(r.data);
    }
    const c = await apiCall('POST', `/api/v1/inspection/inspectors/${inspectors[0].id}/conflicts`,
      { institution_id: clinics[0].id, kind: 'relative', reason: '配偶为该诊所负责人' });
    assert.equal(c.status, 201, JSON.stringify(c.data));
    const s = await apiCall('PUT', `/api/v1/inspection/signals/${clinics[1].id}`, { complaints: 4 });
    assert.equal(s.status, 200, JSON.stringify(s.data));
    // Its credit grade C comes from the credit module (a serious penalty on its record: 60 points).
    const p = await apiCall('POST', '/api/v1/credit/records', { subject_kind: 'institution', subject_id: clinics[1].id,
      category: 'penalty', title: '罚款', source_doc: `温鹿卫医罚〔2026〕${clinics[1].id.slice(-6)}号`, occurred_on: '2026-02-01',
      serious: true, penalty_kinds: ['fine'] });
    assert.equal(p.status, 201, JSON.stringify(p.data));
    const g = await apiCall('POST', `/api/v1/credit/subjects/${clinics[1].id}/evaluate`);
    assert.equal(g.data.grade.grade, 'C', JSON.stringify(g.data));
  });

  await step('the item list and the inspector directory', async () => {
    await page.locator('.yj-menu').getByText('双随机抽查', { exact: true }).click();
    await page.locator('.yj-menu').getByText('抽查事项清单', { exact: true }).click();
    await page.waitForURL(/\/inspection\/items$/);
    const table = page.locator('[data-test=items-table]');
    await table.getByText('医疗废物', { exact: false }).first().waitFor();
    await table.locator('.el-table__expand-icon').first().click();
    await table.getByText('检查要点（', { exact: false }).first().waitFor();
    await shot('inspection-01-items');
    await page.goto(`${URL_}/inspection/inspectors`);
    const dir = page.locator('[data-test=inspectors-table]');
    await dir.getByText(`33032${NUM(0)}`).waitFor();
    assert.match(await dir.locator('tr', { hasText: `33032${NUM(0)}` }).innerText(), /亲属所在单位[\s\S]*配偶为该诊所负责人/);
    await shot('inspection-02-inspectors');
  });

  await step('a plan with a sampling ratio above 100 % is refused with the reason under the field, then created', async () => {
    await page.goto(`${URL_}/inspection/plans`);
    await page.locator('[data-test=plan-new]').click();
    const dlg = page.locator('.el-dialog');
    await dlg.locator('[data-test=field-name] input').fill(PLAN_NAME);
    await dlg.locator('[data-test=field-item_ids] .el-select__wrapper').click();
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: '医疗机构依法执业及医疗质量安全' }).first().click();
    await page.keyboard.press('Escape').catch(() => {});
    await dlg.locator('[data-test=field-region_code] .el-cascader').click();
    await page.locator('.el-cascader-panel:visible .el-cascader-node').filter({ hasText: '泰顺县' }).first().locator('.el-radio').click();
    await page.keyboard.press('Escape');
    const ratio = dlg.locator('[data-test=field-ratio_permille] input');
    await ratio.fill('150'); // percent: 150 % (1500 ‰ to the API)
    await ratio.blur();
    await page.locator('[data-test=plan-save]').click();
    const err = dlg.locator('[data-test=field-ratio_permille] .el-form-item__error');
    await err.waitFor();
    assert.match(await err.innerText(), /不能超过 100%/);
    assert.match(await dlg.locator('[data-test=plan-error]').innerText(), /[\u4e00-\u9fa5]/);
    await shot('inspection-03-plan-invalid');
    await ratio.fill('50');
    await ratio.blur();
    await page.locator('[data-test=plan-save]').click();
    await page.waitForURL(/\/inspection\/plans\/\d+$/);
    planId = page.url().match(/plans\/(\d+)$/)[1];
    await page.locator('[data-test=plan-state]').getByText('草稿').waitFor();
  });

  await step('commit: the input hash, the secret hash and the audit leaf are shown', async () => {
    await page.locator('[data-test=commit]').click();
    const c = page.locator('[data-test=commitment]');
    await c.waitFor();
    const plan = await apiCall('GET', `/api/v1/inspection/plans/${planId}`);
    drawId = plan.data.draw_id;
    const d = await apiCall('GET', `/api/v1/inspection/draws/${drawId}`);
    assert.equal(await c.locator('[data-test=input-hash]').innerText(), d.data.input_hash);
    assert.match(d.data.input_hash, /^[0-9a-f]{64}$/);
    assert.equal(await c.locator('[data-test=secret-hash]').innerText(), d.data.secret_hash);
    assert.equal(await c.locator('[data-test=commit-leaf]').innerText(), String(d.data.commit_leaf));
    assert.match(await c.innerText(), /承诺了什么/);
    await shot('inspection-04-committed');
  });

  await step('draw with a witness value: drawn subjects with their phase and teams', async () => {
    await page.locator('[data-test=field-witness] input').fill(WITNESS);
    await page.locator('[data-test=draw]').click();
    await confirmBox('抽取');
    const res = page.locator('[data-test=draw-result]');
    await res.waitFor();
    assert.match(await res.innerText(), new RegExp(WITNESS));
    const d = await apiCall('GET', `/api/v1/inspection/draws/${drawId}`);
    assert.equal(d.data.state, 'drawn');
    assert.ok(d.data.tasks.length >= 3);
    const phases = await res.locator('[data-test=phase]').allInnerTexts();
    assert.equal(phases.length, d.data.tasks.length);
    for (const p of phases) assert.match(p, /^(到期|信用|随机)$/);
    for (const tk of d.data.tasks) {
      assert.ok(tk.team.length >= 2);
      await res.getByText(tk.team[0].name, { exact: false }).first().waitFor();
    }
    // The conflicted inspector is never on clinic 0's team.
    const c0 = d.data.tasks.find((x) => x.subject_id === clinics[0].id);
    if (c0) assert.ok(!c0.team.some((m) => m.name === '周建国'));
    const mine = d.data.tasks.find((x) => clinics.some((c) => c.id === x.subject_id));
    taskId = mine.id;
    taskSubject = mine.subject_name;
    await page.waitForTimeout(800);
    await shot('inspection-05-drawn');
  });

  await step('the bundle downloaded through the page verifies with yijian draw verify; an edited weight or witness fails', async () => {
    assert.match(await page.locator('[data-test=verify-command]').innerText(), /^yijian draw verify draw-\d+\.json$/);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=bundle-download]').click()]);
    const file = path.join(work, dl.suggestedFilename());
    await dl.saveAs(file);
    const text = readFileSync(file, 'utf8');
    const bundle = JSON.parse(text);
    assert.equal(bundle.format, 'yijian-draw-v1');
    assert.equal(bundle.witness, WITNESS);
    let v = spawnSync(BIN, ['draw', 'verify', file], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /match/);
    const w = JSON.parse(text);
    w.subjects[0].weight += 1;
    v = verify(JSON.stringify(w));
    assert.equal(v.status, 1, v.stdout + v.stderr);
    assert.match(v.stdout + v.stderr, /input hash/);
    const x = JSON.parse(text);
    x.witness += '0';
    v = verify(JSON.stringify(x));
    assert.equal(v.status, 1, v.stdout + v.stderr);
    assert.match(v.stdout + v.stderr, /seed|witness/);
  });

  await step('the draw record sheet (双随机抽查记录表) downloads as a numbered PDF', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=doc-draw-record]').click()]);
    assert.match(dl.suggestedFilename(), /\.pdf$/);
    const text = pdfText(await dl.path());
    assert.match(text, /双随机抽查记录表/);
    assert.match(text, /卫抽〔\d{4}〕\d+号/);
    assert.ok(text.includes(WITNESS.replace(/\s+/g, '')), 'the witness value in the record sheet');
  });

  await step('the task list filters by kind and exports through the server', async () => {
    await page.goto(`${URL_}/inspection/tasks`);
    await page.locator('[data-test=filter-kind] .el-select__wrapper').click();
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: '双随机抽查' }).first().click();
    await page.getByRole('button', { name: '查询' }).click();
    const table = page.locator('[data-test=tasks-table]');
    await table.getByText(taskSubject).waitFor();
    // The server's export with the list's filters (kind here), as CSV from the button's menu.
    await page.locator('[data-test=tasks-export] .el-dropdown__caret-button').click();
    const [dl] = await Promise.all([page.waitForEvent('download'),
      page.locator('.el-dropdown-menu:visible').getByText('导出 CSV（.csv）').click()]);
    const csv = readFileSync(await dl.path(), 'utf8');
    assert.match(csv, new RegExp(taskSubject));
    assert.doesNotMatch(csv.split('\n').slice(1).join('\n'), /日常巡查/);
    await shot('inspection-06-tasks');
  });

  await step('field entry on a phone: check-in with geolocation, checklist, finding, photo, signature, completion', async () => {
    const phone = await browser.newContext({
      storageState: await context.storageState(), viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true,
      hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', geolocation: PHONE_POS, permissions: ['geolocation'],
    });
    phone.setDefaultTimeout(15000);
    const m = await phone.newPage();
    watch(m);
    await m.goto(`${URL_}/field/tasks/${taskId}`);
    await m.locator('[data-test=task-head]').getByText(taskSubject).waitFor();
    await shot('inspection-07-phone-task', m);
    await m.locator('[data-test=checkin-locate]').click();
    const coords = m.locator('[data-test=checkin-coords]');
    await coords.waitFor();
    assert.equal(await coords.innerText(), `${PHONE_POS.longitude.toFixed(6)}, ${PHONE_POS.latitude.toFixed(6)}`);
    const cards = m.locator('[data-test=checklist] article');
    const n = await cards.count();
    assert.ok(n >= 3);
    for (let i = 0; i < n; i++) {
      const card = cards.nth(i);
      if (i === 1) {
        await card.locator('[data-test=result-non_compliant]').click();
        await card.locator('textarea[data-test=point-note]').fill('超出核准诊疗科目开展医疗美容');
        await card.locator('[data-test=point-save]').click();
        await card.locator('.yj-point-head').getByText('不符合').waitFor();
      } else {
        await card.locator('[data-test=result-compliant]').click();
        await card.locator('.yj-point-head').getByText('符合', { exact: true }).waitFor();
      }
    }
    const f = m.locator('[data-test=findings]');
    await f.locator('[data-test=finding-point] .el-select__wrapper').click();
    await m.locator('.el-select-dropdown:visible .el-select-dropdown__item').nth(1).click();
    const clause = await f.locator('input[data-test=finding-clause]').inputValue();
    assert.match(clause, /《.+》/);
    await f.locator('textarea[data-test=finding-description]').fill('开展超范围诊疗活动');
    await f.locator('[data-test=finding-add]').click();
    await f.locator('.yj-finding').getByText('开展超范围诊疗活动').waitFor();
    await m.locator('[data-test=photo-input]').setInputFiles({ name: '现场照片.png', mimeType: 'image/png', buffer: PNG });
    await m.locator('[data-test=attachments] img[data-test=photo]').waitFor();
    assert.equal(await m.locator('[data-test=photo-input]').getAttribute('capture'), 'environment');
    await m.locator('input[data-test=signer-name]').fill('林某某');
    // The handwritten signature: a tap (touch) and a stroke (mouse) on the pad's canvas.
    const pad = m.locator('[data-test=signature-pad] canvas');
    // The photo above it may still be decoding: once it has its size the pad moves down, and a stroke aimed
    // at the old place misses the canvas. Measure after it has loaded and the layout has settled.
    await m.locator('[data-test=attachments] img[data-test=photo]').evaluate((img) =>
      img.complete && img.naturalWidth ? null : new Promise((r) => { img.onload = r; img.onerror = r; }));
    // The page reloads the task after the upload, under a loading mask that takes the pointer events.
    await m.locator('.yj-task-body .el-loading-mask').first().waitFor({ state: 'hidden' });
    await m.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // Measured again before each try: a late re-render of the task (its attachments) can still move the pad.
    const signed = m.locator('[data-test=signature-pad]').getByText('已签名');
    for (let attempt = 0; attempt < 3 && !(await signed.isVisible()); attempt++) {
      if (attempt) await m.waitForTimeout(500);
      await pad.scrollIntoViewIfNeeded();
      const bb = await pad.boundingBox();
      assert.ok(bb.width > 300 && bb.x + bb.width <= 390, `the pad fits the phone: ${JSON.stringify(bb)}`);
      await m.touchscreen.tap(bb.x + 30, bb.y + 40);
      await m.mouse.move(bb.x + 40, bb.y + 100);
      await m.mouse.down();
      for (let i = 1; i <= 12; i++) await m.mouse.move(bb.x + 40 + i * 20, bb.y + 100 + (i % 2 ? -30 : 30));
      await m.mouse.up();
    }
    await m.locator('[data-test=signature-pad]').getByText('已签名').waitFor();
    await m.locator('[data-test=sign-save]').click();
    await m.locator('[data-test=signature]').getByText('林某某 已签字确认').waitFor();
    await m.locator('img[data-test=signature-image]').waitFor();
    assert.ok(await m.locator('img[data-test=signature-image]').evaluate((img) => img.complete && img.naturalWidth > 300), 'the drawing is shown');
    const sigHash = (await m.locator('[data-test=signature-hash]').innerText()).match(/[0-9a-f]{64}/)[0];
    // Nothing wider than the phone's screen.
    const wide = await m.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, `page is ${wide}px wide on a 390px screen`);
    await shot('inspection-08-phone-filled', m);
    await m.locator('textarea[data-test=summary]').fill('发现超范围执业，责令整改');
    await m.locator('[data-test=complete-button]').click();
    const box = m.locator('.el-message-box');
    await box.getByRole('button', { name: '完成' }).click();
    await m.locator('[data-test=task-outcome]').getByText('发现问题').waitFor();
    await m.locator('[data-test=task-state]').getByText('已完成').waitFor();
    await shot('inspection-09-phone-completed', m);
    // The completed task's 现场检查笔录 downloads from the phone page as a numbered PDF.
    const [rec] = await Promise.all([m.waitForEvent('download'), m.locator('[data-test=doc-inspection-record]').click()]);
    const recText = pdfText(await rec.path());
    assert.match(recText, /现场检查笔录/);
    assert.match(recText, /卫检〔\d{4}〕\d+号/);
    assert.ok(recText.includes('林某某'), 'the signer in the inspection record');
    assert.ok(recText.replace(/\s+/g, '').includes(`签名图像SHA-256：${sigHash}`), 'the drawing\'s hash in the inspection record');
    assert.match(execFileSync('pdfimages', ['-list', await rec.path()], { encoding: 'utf8' }), /\bimage\s+\d+\s+\d+\s+(rgb|gray)/, 'the drawing in the inspection record');
    assert.ok(recText.includes(taskSubject), 'the subject in the inspection record');
    await m.goto(`${URL_}/field`);
    await m.locator('.yj-field-bar').getByText('我的检查任务').waitFor();
    await shot('inspection-10-phone-list', m);
    await phone.close();
    const task = await apiCall('GET', `/api/v1/inspection/tasks/${taskId}`);
    assert.equal(task.data.state, 'completed');
    assert.equal(task.data.checkin.lng, PHONE_POS.longitude);
    assert.equal(task.data.attachments[0].media_type, 'image/png');
    assert.equal(task.data.signature.image_sha256, sigHash);
    assert.ok(task.data.attachments.some((a) => a.sha256 === sigHash && a.name === '手写签名.png'), 'the drawing is an attachment of the task');
  });

  await step('publication: the API\'s deadline, overdue rows marked as the API flags them, publish', async () => {
    await page.goto(`${URL_}/inspection/publications`);
    const table = page.locator('[data-test=publications-table]');
    const row = table.locator('tr', { hasText: taskSubject });
    await row.waitFor();
    const api = await apiCall('GET', '/api/v1/inspection/publications');
    const mine = api.data.items.find((x) => x.task_id === taskId);
    const wd = await apiCall('GET', `/api/v1/calendar/working-days?from=${mine.completed_on}&days=20`);
    assert.equal(mine.publish_due, wd.data.date);
    assert.equal(await row.locator('[data-test=publish-due]').innerText(), mine.publish_due);
    // Every row carries the 逾期 mark exactly when the API says overdue (a result completed today is not).
    const rows = table.locator('.el-table__body tr');
    assert.equal(await rows.count(), api.data.items.length);
    for (let i = 0; i < api.data.items.length; i++) {
      const r = rows.nth(i);
      const name = await r.locator('a').innerText();
      const item = api.data.items.find((x) => x.subject_name === name);
      assert.equal(await r.locator('[data-test=pub-overdue]').count(), item.overdue ? 1 : 0, name);
      assert.equal(await r.evaluate((e) => e.classList.contains('yj-row-overdue')), item.overdue);
    }
    assert.equal(await row.locator('[data-test=pub-overdue]').count(), 0);
    const overdue = (await apiCall('GET', '/api/v1/inspection/publications?overdue=true')).data.items;
    assert.equal(await page.locator('[data-test=overdue-count]').innerText(), String(overdue.length));
    await shot('inspection-11-publications');
    await page.locator('[data-test=overdue-only]').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=publications-table] .el-table__body tr').length === n, overdue.length);
    assert.equal(await table.locator('[data-test=pub-overdue]').count(), overdue.length);
    await page.locator('[data-test=overdue-only]').click();
    await row.waitFor();
    await row.locator('[data-test=publish]').click();
    await confirmBox('公示');
    await row.waitFor({ state: 'detached' });
    const again = await apiCall('GET', '/api/v1/inspection/publications');
    assert.ok(!again.data.items.some((x) => x.task_id === taskId));
  });

  await step('rectification list shows the order with its working-day deadline', async () => {
    const o = await apiCall('POST', `/api/v1/inspection/tasks/${taskId}/rectifications`, { requirement: '立即停止超范围诊疗活动', working_days: 10 });
    assert.equal(o.status, 201, JSON.stringify(o.data));
    await page.goto(`${URL_}/inspection/rectifications`);
    const row = page.locator('[data-test=orders-table] tr', { hasText: '立即停止超范围诊疗活动' }).first();
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(o.data.deadline));
    await shot('inspection-12-rectifications');
  });

  await step('an institution user sees its own order, not the plans, and submits its rectification report', async () => {
    const task = await apiCall('GET', `/api/v1/inspection/tasks/${taskId}`);
    const clinic = clinics.find((c) => c.id === task.data.subject.id);
    const u = await apiCall('POST', '/api/v1/users', { username: `ts${RUN}.inst`, display_name: clinic.name, password: 'Jigou-2026x',
      role: 'institution', region_code: COUNTY, department: 'health', institution_code: clinic.credit_code });
    assert.equal(u.status, 201, JSON.stringify(u.data));
    assert.equal(u.data.institution_id, clinic.id);
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const p = await ctx.newPage();
    watch(p);
    await p.goto(`${URL_}/login`);
    await p.locator('input[name=username]').fill(`ts${RUN}.inst`);
    await p.locator('input[name=password]').fill('Jigou-2026x');
    await p.locator('[data-test=signin]').click();
    await p.waitForURL(URL_ + '/');
    await p.goto(`${URL_}/inspection/rectifications`);
    const row = p.locator('[data-test=orders-table] tr', { hasText: '立即停止超范围诊疗活动' }).first();
    await row.waitFor();
    await row.locator('[data-test=order-report-open]').click();
    const d = p.locator('[data-test=order-report-dialog]');
    await d.locator('textarea').fill('已停止超范围项目，整改材料已备查');
    await p.locator('[data-test=order-report-save]').click();
    await row.locator('[data-test=order-report]').getByText('已停止超范围项目').waitFor();
    await d.waitFor({ state: 'hidden' });
    await shot('inspection-12b-institution-report', p);
    await p.goto(`${URL_}/inspection/plans`); // the county's plans are not the institution's
    await p.getByText('无权访问').waitFor();
    await ctx.close();
    const orders = await apiCall('GET', '/api/v1/inspection/rectifications');
    const o = orders.data.items.find((x) => x.requirement === '立即停止超范围诊疗活动');
    assert.equal(o.report, '已停止超范围项目，整改材料已备查');
    assert.equal(o.reported_by, u.data.id);
  });

  await step('the public page (no sign-in) shows the published result and the draw with its bundle', async () => {
    const anon = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const p = await anon.newPage();
    watch(p);
    await p.goto(`${URL_}/public/inspection`);
    const result = p.locator('[data-test=public-result]', { hasText: taskSubject });
    await result.waitFor();
    assert.match(await result.innerText(), /发现问题[\s\S]*《.+》/);
    await shot('inspection-13-public-results', p);
    await p.getByRole('tab', { name: '抽取记录与验证' }).click();
    const d = p.locator('[data-test=public-draw]', { hasText: PLAN_NAME });
    await d.waitFor();
    assert.match(await d.innerText(), new RegExp(WITNESS));
    await shot('inspection-14-public-draws', p);
    await anon.close();
  });

  await step('desktop screenshots of the plan list and the task detail', async () => {
    await page.goto(`${URL_}/inspection/plans`);
    await page.locator('[data-test=plans-table]').getByText(PLAN_NAME).waitFor();
    await page.waitForTimeout(900);
    await shot('inspection-15-plans');
    await page.goto(`${URL_}/inspection/tasks/${taskId}`);
    await page.locator('[data-test=task-outcome]').waitFor();
    await shot('inspection-16-task-desktop');
    await page.goto(`${URL_}/inspection/plans/${planId}`);
    await page.locator('[data-test=bundle]').waitFor();
    await page.waitForTimeout(900);
    await shot('inspection-17-plan-detail');
  });

  assert.deepEqual(problems, []);
});
