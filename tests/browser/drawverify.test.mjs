// drawverify.test.mjs — the public page re-runs a draw in the browser (web/src/drawverify.js), in
// Debian's chromium against a running yijian, without signing in: the sample bundle chosen as a file
// verifies (一致, each step ticked); a tampered copy is 不一致 with the first difference in words; a
// draw published on the page (when the database holds one) verifies from its own bundle. Environment as
// console.test.mjs (only YIJIAN_URL is used).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const URL_ = (process.env.YIJIAN_URL ?? '').replace(/\/$/, '');
const skip = !URL_ ? 'set YIJIAN_URL (scripts/check does)' : false;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SAMPLE = path.join(root, 'tests/data/draw-bundle.json');

let browser;
before(async () => {
  if (skip) return;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
});
after(async () => { await browser?.close(); });

test('the public page verifies a draw in the browser: a match, and a tampered bundle\'s first difference', { skip, timeout: 120000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${URL_}/public/inspection`);
  await page.getByRole('tab', { name: '抽取记录与验证' }).click();
  const verdict = page.locator('[data-test=verify-verdict]');

  await page.locator('[data-test=verify-file]').setInputFiles(SAMPLE);
  await verdict.waitFor();
  assert.match(await verdict.innerText(), /一致：抽取结果可以由公开的数据完全重现/);
  assert.equal((await verdict.innerText()).match(/✔/g).length, 5, 'the verdict and its four steps');

  const b = JSON.parse(readFileSync(SAMPLE, 'utf8'));
  b.result.subjects[2].id = b.subjects[39].id;
  const tampered = path.join(mkdtempSync(path.join(tmpdir(), 'yijian-verify-')), 'tampered.json');
  writeFileSync(tampered, JSON.stringify(b));
  await page.locator('[data-test=verify-file]').setInputFiles(tampered);
  await page.locator('[data-test=verify-difference]').waitFor();
  assert.match(await page.locator('[data-test=verify-difference]').innerText(), /第 3 个抽中的对象不一致：公开结果是“.+”，按规则重算应是“.+”/);
  assert.match(await verdict.innerText(), /不一致/);

  const published = page.locator('[data-test=verify-draw]');
  if (await published.count()) {
    await published.first().click();
    await page.waitForFunction(() => /一致：抽取结果/.test(document.querySelector('[data-test=verify-verdict]')?.textContent ?? ''));
  }
  console.log(`published draws on the page: ${await published.count()}`);
  assert.deepEqual(problems, []);
  await context.close();
});
