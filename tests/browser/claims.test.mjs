// claims.test.mjs — 医保智能监控 in Debian's chromium against a running yijian: the admin submits a
// small claims file through the page (提交筛查), watches the run's progress reach 完成, opens its
// flags (疑点审核), reads one flag's evidence, confirms it with a reason (已确认), exports the list to
// Excel, and opens physician monitoring (医保医师): the rate chart against peers and one physician's
// trend, reads the rule-set version on 目录版本 and the rule base's rules on 规则库 (found, exported). Environment as console.test.mjs: YIJIAN_URL, YIJIAN_USER, YIJIAN_PASSWORD (an admin of 温州市
// 330300), optional YIJIAN_SCREENSHOTS; the server reads ./rules (serve's default).
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
after(async () => { await browser?.close(); });

// Two physicians of one institution: D1's claims carry a male patient's 宫颈细胞学检查 (sex-limited)
// and a CT above its price cap; D2's are clean.
function claimsFile() {
  const head = 'claim_id,line_no,patient_id,sex,birth_date,institution_code,physician_id,dept_code,visit_type,admit_date,'
    + 'discharge_date,service_date,diagnosis,item_code,item_name,item_type,quantity,unit_price,amount,days_supply';
  const rows = [head];
  for (let i = 0; i < 6; i++) {
    const phys = i < 3 ? 'D1' : 'D2';
    const item = i === 0 ? 'XS103,宫颈细胞学检查,service,1,30.00,30.00,' : i === 1 ? 'XS201,CT平扫,service,1,200.00,200.00,'
      : 'XD900,阿莫西林胶囊,drug,1,12.50,12.50,5';
    rows.push(`B${RUN}-${i},1,P${RUN}${i},M,1980-05-01,91330302MA0000001A,${phys},03,O,,,2026-03-1${i},J06.9,${item}`);
  }
  return rows.join('\n') + '\n';
}

test('submit a claims file, review a flag, export, physician monitoring', { skip, timeout: 120000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    acceptDownloads: true });
  context.setDefaultTimeout(20000);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.goto(`${URL_}/login`);
  await page.locator('input[name=username]').fill(USER);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(URL_ + '/');

  await page.locator('.yj-menu').getByText('医保智能监控', { exact: true }).click();
  await page.waitForURL(/\/claims$/);
  assert.equal(await page.locator('[data-test=placeholder]').count(), 0, 'no longer 建设中');
  await page.locator('[data-test=claims-file]').setInputFiles({ name: `claims-${RUN}.csv`, mimeType: 'text/csv', buffer: Buffer.from(claimsFile()) });
  const progress = page.locator('[data-test=run-progress]').filter({ hasText: `claims-${RUN}.csv` });
  await progress.filter({ hasText: '完成' }).waitFor({ timeout: 60000 });
  await page.screenshot({ path: path.join(SHOTS, 'claims-runs.png'), fullPage: true });

  // the run's flags
  const row = page.locator('[data-test=runs-table] tr').filter({ hasText: `claims-${RUN}.csv` });
  await row.getByRole('button', { name: '看疑点' }).click();
  const table = page.locator('[data-test=flags-table]');
  await table.getByText('R-SEX-01').waitFor();
  await table.getByText('R-PRICE-01').waitFor();
  await table.locator('tr').filter({ hasText: 'R-SEX-01' }).click();
  const drawer = page.locator('[data-test=flag-drawer]');
  await drawer.getByText('宫颈细胞学检查', { exact: false }).first().waitFor().catch(() => {});
  assert.match(await drawer.innerText(), /XS103/);
  await drawer.locator('textarea').fill(`核对病历，患者为男性，收费不实 ${RUN}`);
  await drawer.locator('[data-test=flag-confirm]').click();
  await drawer.getByText(`核对病历，患者为男性，收费不实 ${RUN}`).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'claims-flag.png'), fullPage: true });
  await page.keyboard.press('Escape');
  await table.locator('tr').filter({ hasText: 'R-SEX-01' }).getByText('已确认').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel' }).click()]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);

  // physician monitoring
  await page.getByRole('tab', { name: '筛查批次' }).click();
  await row.getByRole('button', { name: '医师监测' }).click();
  const phys = page.locator('[data-test=phys-table]');
  await phys.getByText('D1', { exact: true }).waitFor();
  await page.locator('[data-test=phys-chart] canvas').waitFor();
  const first = phys.locator('tbody tr').first();
  assert.match(await first.innerText(), /D1/, 'the physician with flags first');
  assert.match(await first.innerText(), /66\.7%/, '2 of 3 claims flagged');
  await first.click();
  await page.locator('[data-test=trend-chart] canvas').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'claims-physicians.png'), fullPage: true });

  // the rule base's version and its catalogue versions (目录版本)
  await page.getByRole('tab', { name: '目录版本' }).click();
  await page.locator('[data-test=ruleset] code').first().filter({ hasText: /^[0-9a-f]{12}$/ }).waitFor();
  assert.match(await page.locator('[data-test=ruleset]').innerText(), /\d+ 条规则/);
  await page.locator('[data-test=catalogues-table]').waitFor();

  // the rule base's rules one by one (规则库): found by code, with its list and basis, and exported
  await page.getByRole('tab', { name: '规则库' }).click();
  const ruleRows = page.locator('[data-test=rules-table] .el-table__body tr');
  await ruleRows.first().waitFor();
  assert.ok(await ruleRows.count() >= 10, 'the shipped rule base has its rules');
  await page.locator('input[data-test=rules-filter], [data-test=rules-filter] input').fill('R-PRICE-01');
  await ruleRows.filter({ hasText: 'price_caps' }).first().waitFor();
  assert.equal(await ruleRows.count(), 1);
  assert.match(await ruleRows.first().innerText(), /超标准收费[\s\S]*price_cap[\s\S]*启用/);
  const [rulesFile] = await Promise.all([page.waitForEvent('download'),
    page.locator('#pane-rules').getByRole('button', { name: '导出 Excel' }).click()]);
  assert.match(rulesFile.suggestedFilename(), /\.xlsx$/);
  await page.screenshot({ path: path.join(SHOTS, 'claims-rules.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
