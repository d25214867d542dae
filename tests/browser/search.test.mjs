// search.test.mjs — the header's global search in Debian's chromium finds cases and inspection tasks:
// a leader types a demo case's party name and a demo task's institution name, and each hit (案件, 任务)
// opens its page. It needs cases and tasks, so it builds its own: the demo region (yijian demo, seed 1,
// scale 0.05) in a fresh database served with web/dist (YIJIAN_BIN or build/yijian), as dossier.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { Server, Client, BIN } from '../api/harness.mjs';

const URL_ = process.env.YIJIAN_URL;
const skip = !URL_ ? 'set YIJIAN_URL, YIJIAN_USER and YIJIAN_PASSWORD (scripts/check does)' : false;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const PW = 'demo-2026';
const SHOTS = process.env.YIJIAN_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'yijian-browser-'));

let browser, srv;
before(async () => {
  if (skip) return;
  srv = new Server({ args: ['--web', path.join(root, 'web/dist')] });
  execFileSync(BIN, ['demo', '--db', srv.db, '--keys', srv.keys, '--seed', '1', '--scale', '0.05', '--quiet'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  await srv.start();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
});
after(async () => { await browser?.close(); if (srv) { await srv.stop(); srv.cleanup(); } });

test('global search: a case by its party\'s name and a task by its institution\'s name, each hit opening its page', { skip, timeout: 180000 }, async () => {
  const api = new Client(srv.url);
  assert.equal((await api.signIn('leader', PW)).status, 200);
  const get = async (p) => { const r = await api.get(p); assert.equal(r.status, 200, JSON.stringify(r.data)); return r.data; };
  const kase = (await get('/api/v1/cases?limit=20')).items.find((c) => c.subject_name);
  const task = (await get('/api/v1/inspection/tasks?limit=20')).items.find((t) => t.subject?.kind === 'institution');
  assert.ok(kase && task, 'the demo has cases and institutions\' tasks');
  // what the header should offer first for each: the list's own q
  const firstCase = (await get(`/api/v1/cases?q=${encodeURIComponent(kase.subject_name)}&limit=5`)).items[0];
  const firstTask = (await get(`/api/v1/inspection/tasks?q=${encodeURIComponent(task.subject.name)}&limit=5`)).items[0];

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${srv.url}/login`);
  await page.locator('input[name=username]').fill('leader');
  await page.locator('input[name=password]').fill(PW);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(srv.url + '/');

  const box = page.locator('[data-test=global-search]').locator('xpath=descendant-or-self::input').first();
  assert.match(await box.getAttribute('placeholder'), /任务.*案件/);
  // Types text, waits for the hits and opens the first of kind; returns the path it went to.
  async function open(text, kind, label, want) {
    await box.fill(text);
    const hit = page.locator('.yj-search-popper [data-test=search-hit]:visible').filter({ has: page.locator('.el-tag', { hasText: kind }) }).first();
    await hit.waitFor();
    assert.equal((await hit.locator('.yj-hit-label').textContent()).trim(), label);
    await hit.click();
    await page.waitForURL(new RegExp(`${want}$`));
  }
  await open(kase.subject_name, '案件', firstCase.subject_name, `/enforcement/cases/${firstCase.id}`);
  await page.getByText('案件详情').first().waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'search-case.png') });
  await open(task.subject.name, '任务', firstTask.subject.name, `/inspection/tasks/${firstTask.id}`);
  await page.getByText(task.subject.name).first().waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'search-task.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
