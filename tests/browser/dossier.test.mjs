// dossier.test.mjs — 一户一档 in Debian's chromium: an institution's one page shows what each capability
// says about it — licences, credit, inspections with their findings and rectifications, cases and
// complaints — and merges their dated events on one timeline. It needs a region with all of these, so
// it builds its own: the demo region (yijian demo, seed 1, scale 0.05) in a fresh database served with
// web/dist (YIJIAN_BIN or build/yijian); the running server of the other browser tests is not used.
// For the subjects with the most sources, the page must show every section the API has rows for, and
// the timeline every source. Also at 390 px: nothing wider than the screen. And on the same demo region, the
// header's global search: a leader types a demo case's party name and a demo task's institution name, and
// each hit (案件, 任务) opens its page.
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

async function walk(c, p) {
  const out = [];
  for (let cursor = null, i = 0; i < 100; i++) {
    const r = await c.get(`${p}${p.includes('?') ? '&' : '?'}limit=200${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    out.push(...r.data.items);
    if (!(cursor = r.data.next_cursor)) return out;
  }
  return out;
}

test('一户一档: an institution\'s page has every capability\'s section and one timeline', { skip, timeout: 300000 }, async () => {
  const api = new Client(srv.url);
  assert.equal((await api.signIn('leader', PW)).status, 200);
  // What the API says, per institution: the sources it has rows in.
  const insts = new Set((await walk(api, '/api/v1/institutions')).map((i) => i.id));
  const has = new Map();
  const add = (id, src) => { if (id && insts.has(id)) { if (!has.has(id)) has.set(id, new Set()); has.get(id).add(src); } };
  for (const c of await walk(api, '/api/v1/cases')) add(c.subject_id, '案件');
  for (const m of await walk(api, '/api/v1/complaints')) add(m.subject_id, '投诉举报');
  for (const t of await walk(api, '/api/v1/inspection/tasks')) add(t.subject.id, '检查');
  for (const o of (await api.get('/api/v1/inspection/rectifications')).data.items) add(o.subject_id, '整改');
  const ranked = [...has].sort((a, b) => b[1].size - a[1].size);
  assert.ok(ranked.length > 0);
  const picks = [ranked[0], ranked.find(([, s]) => s.has('案件') && s !== ranked[0][1]), ranked.find(([, s]) => s.has('投诉举报'))].filter(Boolean);

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(20000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${srv.url}/login`);
  await page.locator('input[name=username]').fill('leader');
  await page.locator('input[name=password]').fill(PW);
  await page.locator('[data-test=signin]').click();
  await page.waitForURL(srv.url + '/');
  for (const [id, sources] of picks) {
    await page.goto(`${srv.url}/registry/institutions/${id}`);
    const tl = page.locator('[data-test=dossier-timeline]');
    await tl.waitFor();
    if (sources.has('案件')) await page.locator('[data-test=dossier-cases] .el-table__body tr').first().waitFor();
    if (sources.has('投诉举报')) await page.locator('[data-test=dossier-complaints] .el-table__body tr').first().waitFor();
    if (sources.has('检查')) await page.locator('[data-test=dossier-tasks] .el-table__body tr').first().waitFor();
    if (sources.has('整改')) await page.locator('[data-test=dossier-orders] .el-table__body tr').first().waitFor();
    for (const s of sources) await tl.locator('.el-checkbox-button', { hasText: s }).first().waitFor();
    await tl.locator('.el-timeline-item').first().waitFor();
    // newest first
    const days = await tl.locator('.el-timeline-item__timestamp').allInnerTexts();
    assert.deepEqual(days, [...days].sort().reverse(), 'the timeline is newest first');
    // a source switched off leaves the timeline
    const first = [...sources][0];
    const before = await tl.locator('.el-timeline-item').count();
    await tl.locator('.el-checkbox-button', { hasText: first }).first().click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=dossier-timeline] .el-timeline-item').length < n, before);
  }
  await page.screenshot({ path: path.join(SHOTS, 'dossier.png'), fullPage: true });
  // On a phone the page fits the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${srv.url}/registry/institutions/${picks[0][0]}`);
  await page.locator('[data-test=dossier-timeline] .el-timeline-item').first().waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `page is ${wide}px wide on a 390px screen`);
  assert.deepEqual(errors, []);
  await context.close();
});

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
