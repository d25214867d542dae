// registry.test.mjs — the registry pages (主体库) in Debian's chromium against a running yijian:
// search institutions by a name substring, the detail page with its version history and a past
// day's state, an invalid then corrected create form (the server's Chinese field errors beside the
// fields), a practitioner created through the form shown with a masked ID number (and its audited
// disclosure), an Excel (.xlsx) import with one bad row, its row errors and the downloadable error
// report, a licence issued and suspended on the detail page, licences imported from a file, the
// licences list's 共 N 条, and the public verification page opened without signing in.
// The data is created by the test itself (through the API with the page's own session), with codes
// whose check characters are computed by tests/api/codes.mjs, so the test can run on any database.
// Environment as console.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin of 温州市
// 330300), optional YIJIAN_SCREENSHOTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { creditCode, residentId } from '../api/codes.mjs';
import { xlsx } from './xlsx.mjs';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const USER = process.env.YIJIAN_USER;
const PASSWORD = process.env.YIJIAN_PASSWORD;
const SHOTS = process.env.YIJIAN_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'yijian-browser-'));
const skip = !URL_ || !USER || !PASSWORD ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;

// Unique per run, so the test can run again on the same database: 6 digits of the clock.
const RUN = String(Date.now()).slice(-6);
const NUM = (n) => RUN + String(n).padStart(2, '0'); // 8 digits: the body of a credit code
const SEARCH_NAME = `鹿城康宁${RUN}号诊所`;
const SEARCH_CODE = creditCode('52330302', NUM(1));
const NEW_NAME = `温州瓯江${RUN}口腔门诊部`;
const NEW_CODE = creditCode('52330302', NUM(2));
const BAD_CODE = NEW_CODE.slice(0, 17) + (NEW_CODE[17] === '0' ? '1' : '0');
const PERSON_ID = residentId(`33030219850312${RUN.slice(-3)}`);
const PERSON_CERT = `1103303${RUN}${RUN.slice(0, 2)}`;

let browser;
let context;
let page;
const problems = [];

function watch(p) {
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('console', (m) => {
    // The browser logs every non-2xx fetch: 422 is what the invalid form provokes.
    if (m.type() === 'error' && !/status of (401|422)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
}

// Runs fn, which provokes an answer with HTTP status `code` on purpose, and forgets the browser's
// console line about it (only that one).
async function expecting(code, fn) {
  const before = problems.length;
  await fn();
  const extra = problems.splice(before);
  problems.push(...extra.filter((m) => !new RegExp(`status of ${code}`).test(m)));
}

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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

// A screenshot of the whole page: the console scrolls inside its main area, so the window is made
// as tall as that content for the picture, then put back.
async function shot(name, p = page) {
  const vp = p.viewportSize();
  const h = await p.evaluate(() => {
    const m = document.querySelector('.yj-main');
    return m ? m.scrollHeight + 56 : document.documentElement.scrollHeight;
  });
  if (h > vp.height) await p.setViewportSize({ width: vp.width, height: Math.min(h, 4000) });
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  if (h > vp.height) await p.setViewportSize(vp);
}

// Calls the API from inside the page, with its session cookie and CSRF token.
async function apiCall(method, url, body) {
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

// Picks an option of the Element Plus select inside a form item (data-test=field-NAME).
async function choose(field, label) {
  await page.locator(`[data-test=field-${field}] .el-select__wrapper`).click();
  const option = page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: new RegExp(`^\\s*${label}`) });
  await option.first().click();
  await page.keyboard.press('Escape').catch(() => {});
}

// Picks a region in the cascader of a form item: the node's radio selects it.
async function chooseRegion(field, name) {
  await page.locator(`[data-test=field-${field}] .el-cascader`).click();
  const node = page.locator('.el-cascader-panel:visible .el-cascader-node').filter({ hasText: name }).first();
  await node.locator('.el-radio').click();
  await page.keyboard.press('Escape');
}

const fieldError = (field) => page.locator(`[data-test=field-${field}] .el-form-item__error`);

test('registry: search, detail, create, practitioner, import, licences, public check', { skip, timeout: 240000 }, async (t) => {
  let failed = false;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try { await fn(); } catch (e) { failed = true; await shot('registry-failure').catch(() => {}); throw e; }
  });

  let instId;
  await step('sign in and create an institution with two versions through the API', async () => {
    await page.goto(URL_ + '/login');
    await page.locator('input[name=username]').fill(USER);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('[data-test=signin]').click();
    await page.waitForURL(URL_ + '/');
    const r = await apiCall('POST', '/api/v1/institutions', {
      credit_code: SEARCH_CODE, name: SEARCH_NAME, type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit',
      region_code: '330302', clinical_depts: ['03', '12'], address: '温州市鹿城区五马街道解放街 1 号', insurance_designated: true,
    });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    instId = r.data.id;
    const p = await apiCall('PATCH', `/api/v1/institutions/${instId}`, { beds: 12, version: 1 });
    assert.equal(p.status, 200, JSON.stringify(p.data));
  });

  await step('searching institutions by a name substring finds it', async () => {
    await page.locator('.yj-menu').getByText('主体库', { exact: true }).click();
    await page.locator('.yj-menu').getByText('医疗机构', { exact: true }).click();
    await page.waitForURL(/\/registry\/institutions$/);
    await page.locator('[data-test=filter-q] input').fill(`康宁${RUN}`);
    await page.locator('[data-test=search]').click();
    const table = page.locator('[data-test=institutions-table]');
    await table.getByText(SEARCH_NAME, { exact: true }).waitFor();
    assert.equal(await table.locator('.el-table__body-wrapper .el-table__row').count(), 1, 'only the match is listed');
    assert.match(await table.innerText(), new RegExp(SEARCH_CODE));
    assert.match(await table.innerText(), /诊所/);
    await page.locator('[data-test=type-chart] canvas').waitFor();
    await page.waitForTimeout(800);
    await shot('10-institutions-search');
    // the export carries the same filter and arrives as a download named by the server
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-test=export] button').first().click(),
    ]);
    assert.equal(download.suggestedFilename(), 'institutions.xlsx');
  });

  await step('the detail page shows the fields with labels and the version history', async () => {
    await page.locator('[data-test=institutions-table]').getByText(SEARCH_NAME, { exact: true }).click();
    await page.waitForURL(new RegExp(`/registry/institutions/${instId}$`));
    await page.locator('[data-test=record-title]', { hasText: SEARCH_NAME }).waitFor();
    const basics = await page.locator('[data-test="group-基本信息"]').innerText();
    assert.match(basics, /诊所/);
    assert.match(basics, /社会办/);
    assert.match(await page.locator('[data-test="group-执业范围"]').innerText(), /内科\s*口腔科/);
    const history = page.locator('[data-test=history]');
    await history.getByText('第 2 版').waitFor();
    const text = await history.innerText();
    assert.match(text, /第 1 版/);
    assert.match(text, /核定床位\s*0 张\s*→\s*12 张/);
    await shot('11-institution-detail');
  });

  await step('the record as it was on a past day is shown with a warning, or refused before it existed', async () => {
    await expecting(404, async () => {
      await page.goto(`${URL_}/registry/institutions/${instId}?as_of=2020-01-01`);
      await page.locator('.el-alert--error').getByText(/该日期无记录|尚未建立/).waitFor();
    });
    const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
    await page.goto(`${URL_}/registry/institutions/${instId}?as_of=${today}`);
    await page.locator('.el-alert--warning').getByText(`${today} 日终时的状态`).waitFor();
    await page.getByRole('button', { name: '返回当前' }).click();
    await page.waitForURL(new RegExp(`/registry/institutions/${instId}$`));
  });

  await step('an invalid create form shows the server’s Chinese errors beside the fields', async () => {
    await page.goto(URL_ + '/registry/institutions');
    await page.locator('[data-test=new-institution]').click();
    await page.waitForURL(/\/registry\/institutions\/new$/);
    await page.locator('[data-test=field-credit_code] input').fill(BAD_CODE);
    await page.locator('[data-test=save]').click();
    await page.locator('[data-test=form-problem]').getByText('提交的数据有误').waitFor();
    for (const f of ['name', 'type', 'level', 'ownership', 'profit', 'region_code']) {
      await fieldError(f).waitFor();
      assert.match(await fieldError(f).innerText(), /必填|不能为空/, f);
    }
    await shot('12-institution-form-missing');
    // the rest filled in: the check character is what remains wrong
    await page.locator('[data-test=field-name] input').fill(NEW_NAME);
    await choose('type', '门诊部');
    await choose('level', '未定级');
    await choose('ownership', '社会办');
    await choose('profit', '营利性');
    await chooseRegion('region_code', '鹿城区');
    await choose('clinical_depts', '口腔科');
    await page.locator('[data-test=save]').click();
    await fieldError('credit_code').getByText(/校验位不正确/).waitFor();
    // Element Plus fades a cleared error out, so wait for it to go rather than counting at once.
    await fieldError('name').waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await fieldError('name').count(), 0, 'the fixed fields have no error left');
    await shot('13-institution-form-checkchar');
    assert.match(page.url(), /\/new$/);
  });

  let newId;
  await step('the corrected form registers the institution and opens it', async () => {
    await page.locator('[data-test=field-credit_code] input').fill(NEW_CODE);
    await page.locator('[data-test=save]').click();
    await page.waitForURL(/\/registry\/institutions\/\d+$/);
    newId = page.url().split('/').pop();
    await page.locator('[data-test=record-title]', { hasText: NEW_NAME }).waitFor();
    assert.match(await page.locator('[data-test="group-基本信息"]').innerText(), new RegExp(NEW_CODE));
    const r = await apiCall('GET', `/api/v1/institutions?credit_code=${NEW_CODE}`);
    assert.equal(r.data.items.length, 1);
    assert.equal(r.data.items[0].region_code, '330302');
    assert.deepEqual(r.data.items[0].clinical_depts, ['12']);
  });

  let personId;
  await step('a practitioner created through the form is shown with a masked ID number', async () => {
    await page.goto(URL_ + '/registry/practitioners');
    await page.locator('[data-test=new-practitioner]').click();
    await page.waitForURL(/\/registry\/practitioners\/new$/);
    await page.locator('[data-test=field-name] input').fill('林晓东');
    await page.locator('[data-test=field-id_number] input').fill(PERSON_ID);
    await page.locator('[data-test=field-certificate_no] input').fill(PERSON_CERT);
    await choose('category', '医师');
    await choose('practice_type', '口腔');
    await page.locator('[data-test=field-institution_id] .el-select__wrapper').click();
    await page.keyboard.type(`瓯江${RUN}`);
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: NEW_NAME }).click();
    await shot('14-practitioner-form');
    await page.locator('[data-test=save]').click();
    await page.waitForURL(/\/registry\/practitioners\/\d+$/);
    personId = page.url().split('/').pop();
    const masked = await page.locator('[data-test=id-masked]').innerText();
    // the first four digits only, and the birth year rather than the date (docs/security.md)
    assert.equal(masked, PERSON_ID.slice(0, 4) + '*'.repeat(14));
    const basic = await page.locator('[data-test="group-基本信息"]').innerText();
    assert.match(basic, new RegExp(`出生年份\\s*${PERSON_ID.slice(6, 10)} 年`));
    assert.ok(!basic.includes('出生日期'), basic);
    assert.ok(!(await page.locator('body').innerText()).includes(PERSON_ID), 'the clear number is not on the page');
    assert.match(await page.locator('[data-test="group-执业信息"]').innerText(), new RegExp(NEW_NAME));
    await shot('15-practitioner-detail');
  });

  await step('the full ID number is shown only after confirming that the view is recorded', async () => {
    await page.locator('[data-test=disclose]').click();
    const box = page.locator('.el-message-box');
    await box.getByText(/记入审计日志/).waitFor();
    await box.getByRole('button', { name: '确定查看' }).click();
    await page.locator('[data-test=id-masked]', { hasText: PERSON_ID }).waitFor();
    assert.equal(await page.locator('[data-test=id-masked]').innerText(), PERSON_ID);
  });

  await step('the institution lists its practitioner; the practitioner list masks ID numbers', async () => {
    await page.goto(`${URL_}/registry/institutions/${newId}`);
    await page.getByRole('tab', { name: /执业人员/ }).click();
    await page.locator('[data-test=staff-table]').getByText('林晓东').waitFor();
    await page.goto(URL_ + '/registry/practitioners');
    await page.locator('[data-test=filter-q] input').fill('林晓东');
    await page.locator('[data-test=search]').click();
    const table = page.locator('[data-test=practitioners-table]');
    await table.getByText(PERSON_CERT).waitFor();
    assert.ok(!(await table.innerText()).includes(PERSON_ID));
    await shot('16-practitioners');
  });

  await step('an xlsx import with one bad row shows the row errors and their report, then imports the valid rows', async () => {
    const good1 = creditCode('52330302', NUM(3));
    const good2 = creditCode('52330302', NUM(4));
    const bad = creditCode('52330302', NUM(5));
    const badRow = bad.slice(0, 17) + (bad[17] === '0' ? '1' : '0');
    const book = xlsx([['统一社会信用代码', '机构名称', '机构类别', '级别', '举办主体', '经营性质', '行政区划', '诊疗科目'],
      [good1, `导入测试${RUN}甲诊所`, '诊所', '未定级', '社会办', '营利性', '330302', '内科'],
      [badRow, `导入测试${RUN}乙诊所`, '诊所', '未定级', '社会办', '营利性', '330302', '内科'],
      [good2, `导入测试${RUN}丙诊所`, '诊所', '未定级', '社会办', '营利性', '330303', '内科']]);
    await page.goto(URL_ + '/registry/import?kind=institutions');
    await page.locator('[data-test=import-file]').setInputFiles({ name: '机构导入.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: book });
    await page.locator('[data-test=import-check]').click();
    const errors = page.locator('[data-test=import-errors]');
    await errors.locator('.el-table__row').first().waitFor();
    const rows = await errors.locator('.el-table__body-wrapper .el-table__row').allInnerTexts();
    assert.equal(rows.length, 1, rows.join('\n'));
    assert.match(rows[0], /^\s*3\s/);             // 行: the header is row 1
    assert.match(rows[0], /统一社会信用代码/);      // 字段
    assert.match(rows[0], /校验位/);               // 原因
    assert.match(await page.locator('[data-test=import-result]').innerText(), /试导入结果（未写入任何数据）/);
    await shot('17-import-dry-run');
    // the error report: a CSV with 行, 列, 字段 and the Chinese reason of each refused cell
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=import-report]').first().click()]);
    assert.match(dl.suggestedFilename(), /导入错误报告\.csv$/);
    const report = (await readFile(await dl.path(), 'utf8')).split('\r\n');
    assert.equal(report[0], '\ufeff行,列,字段,原因');
    assert.match(report[1], /^3,A,统一社会信用代码,.*校验位/);
    assert.equal(report.filter(Boolean).length, 2, report.join('\n'));
    assert.equal((await apiCall('GET', `/api/v1/institutions?credit_code=${good1}`)).data.items.length, 0, 'a dry run writes nothing');
    await page.locator('[data-test=import-skip]').click();
    await page.locator('[data-test=import-result]').getByText('导入完成').waitFor();
    await shot('18-import-done');
    assert.equal((await apiCall('GET', `/api/v1/institutions?credit_code=${good1}`)).data.items.length, 1);
    assert.equal((await apiCall('GET', `/api/v1/institutions?credit_code=${good2}`)).data.items.length, 1);
    assert.equal((await apiCall('GET', `/api/v1/institutions?q=${encodeURIComponent(`导入测试${RUN}乙`)}`)).data.items.length, 0);
  });

  let verifyCode, licenceNo;
  await step('a licence issued and suspended on the detail page', async () => {
    await page.goto(`${URL_}/registry/institutions/${newId}`);
    await page.getByRole('tab', { name: '电子证照' }).click();
    await page.locator('[data-test=issue-licence]').click();
    const dialog = page.locator('.el-dialog:visible');
    await dialog.locator('[data-test=issue-kind] .el-select__wrapper').click();
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: /^\s*医疗机构执业许可证/ }).first().click();
    await dialog.locator('[data-test=issue-reason] textarea').fill('新设机构执业登记（浏览器测试）');
    await dialog.locator('[data-test=issue-submit]').click();
    const table = page.locator('[data-test=licence-panel] [data-test=licence-table]');
    await table.getByText('医疗机构执业许可证').waitFor();
    assert.match(await table.innerText(), /有效/);
    // the QR code of the verification page is an image the server drew
    await table.getByRole('button', { name: '查看' }).first().click();
    const view = page.locator('[data-test=licence-view]');
    await view.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-test=licence-view] img');
      return img && img.complete && img.naturalWidth > 20;
    });
    verifyCode = (await view.locator('.yj-mono').last().innerText()).trim();
    licenceNo = (await view.locator('.yj-mono').first().innerText()).trim();
    assert.match(verifyCode, /^[0-9A-Z]{16}$/);
    await shot('19-licence-view');
    await page.locator('.el-dialog:visible .el-dialog__footer').getByRole('button', { name: '关闭' }).click();
    // 办理 → 暂停, with a reason
    await table.getByRole('button', { name: /办理/ }).click();
    await page.locator('.el-dropdown-menu:visible').getByText('暂停', { exact: true }).click();
    const act = page.locator('.el-dialog:visible');
    await act.locator('[data-test=action-reason] textarea').fill('监督检查发现问题，责令整改期间暂停（浏览器测试）');
    await act.locator('[data-test=action-submit]').click();
    await table.getByText('已暂停').or(table.getByText('暂停', { exact: true })).first().waitFor();
    await shot('20-licence-suspended');
  });

  await step('licences imported from a file on the licences page, counted by the list', async () => {
    await page.locator('.yj-menu').getByText('电子证照', { exact: true }).click();
    await page.waitForURL(/\/registry\/licences$/);
    await page.locator('[data-test=licence-import]').click();
    await page.waitForURL(/\/registry\/import\?kind=licences$/);
    const number = `浙卫导${RUN}`;
    const csv = `证照编号,证照种类,持证主体代码,有效期起,发证机关\r\n${number},医疗机构执业许可证,${SEARCH_CODE},2026-01-05,\r\n`;
    await page.locator('[data-test=import-file]').setInputFiles({ name: '证照导入.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.locator('[data-test=import-check]').click();
    await page.locator('[data-test=import-confirm]').click();
    await page.locator('[data-test=import-result]').getByText('导入完成').waitFor();
    const got = (await apiCall('GET', `/api/v1/licences?q=${encodeURIComponent(number)}`)).data.items;
    assert.equal(got.length, 1);
    assert.equal(got[0].number ?? got[0].licence_no ?? number, number);
    await page.goto(URL_ + '/registry/licences');
    await page.locator('[data-test=filter-licence-q] input').fill(number);
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('[data-test=licence-table]').getByText(SEARCH_NAME).waitFor();
    await page.locator('[data-test=pager-total]').getByText('共 1 条，第 1 / 1 页').waitFor();
  });

  await step('the licences page finds the licence by its number, with its holder', async () => {
    await page.locator('.yj-menu').getByText('电子证照', { exact: true }).click();
    await page.waitForURL(/\/registry\/licences$/);
    await page.locator('[data-test=filter-licence-q] input').fill(licenceNo);
    await page.getByRole('button', { name: '查询' }).click();
    const table = page.locator('[data-test=licence-table]');
    await table.getByText(NEW_NAME).waitFor();
    assert.equal(await table.locator('.el-table__body-wrapper .el-table__row').count(), 1);
    await page.locator('[data-test=pager-total]').getByText('共 1 条，第 1 / 1 页').waitFor();
    await shot('22-licences');
  });

  await step('the public verification page answers without signing in', async () => {
    const visitor = await browser.newContext({ viewport: { width: 1000, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const p = await visitor.newPage();
    watch(p);
    await p.goto(`${URL_}/verify/${verifyCode}`);
    const status = p.locator('[data-test=verify-status]');
    await status.getByText('已暂停').waitFor();
    assert.match(await p.locator('[data-test=verify-holder]').innerText(), new RegExp(NEW_NAME));
    assert.match(p.url(), new RegExp(`/verify/${verifyCode}$`), 'no redirect to the sign-in page');
    await shot('21-verify-suspended', p);
    await expecting(404, async () => {
      await p.goto(`${URL_}/verify/ABCDEFGHJK234567`);
      await p.locator('[data-test=verify-status]').getByText('未找到该证照').waitFor();
    });
    await visitor.close();
  });

  await step('no page errors, no unexpected console errors', () => {
    assert.deepEqual(problems, []);
  });
});
