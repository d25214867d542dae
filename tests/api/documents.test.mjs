// Documents (文书, platform/docs) through the API: a document issued the way a capability issues one
// (here through `yijian doc issue`) is described and downloaded in its territory and department — the
// stored bytes every time, whose SHA-256 is the one recorded and in the audit leaf — and each download
// is an audit leaf of its own; another county, another department's remit and an unsigned caller are
// refused; the public verification (the printed QR code's target) answers by number or SHA-256 and
// says whether a file at hand matches; a preview is a watermarked PDF without a number that stores nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { Server, Client, BIN, isProblem } from './harness.mjs';

let srv, city, lc, ra, market, anon, doc, doc2;

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const issue = (...args) => execFileSync(BIN, ['doc', 'issue', '--db', srv.db, '--keys', srv.keys, ...args], { encoding: 'utf8' })
  .trim().split('\n').map((l) => JSON.parse(l));

before(async () => {
  srv = new Server({ args: ['--public-url', 'https://yijian.example.gov.cn/'] });
  await srv.start();
  srv.addUser('doc.city', 'admin', '330300');
  srv.addUser('doc.lc', 'inspector', '330302');
  srv.addUser('doc.ra', 'inspector', '330381');
  srv.addUser('doc.market', 'liaison', '330300', 'market');
  [city, lc, ra, market] = await Promise.all(['doc.city', 'doc.lc', 'doc.ra', 'doc.market'].map(async (u) => {
    const c = new Client(srv.url);
    assert.equal((await c.signIn(u)).status, 200);
    return c;
  }));
  anon = new Client(srv.url);
  [doc, doc2] = issue('--region', '330302', '--count', '2', '--public-url', 'https://yijian.example.gov.cn/');
});
after(async () => {
  const exit = await srv.stop();
  srv.cleanup();
  assert.equal(exit.code, 0, srv.logs.slice(-4000));
});

test('numbers follow each other per office, kind code and year', () => {
  assert.equal(doc.number, '温鹿卫医罚〔2026〕1号');
  assert.equal(doc2.number, '温鹿卫医罚〔2026〕2号');
  const [other] = issue('--region', '330381', '--office', '温瑞卫', '--kind-code', '医监');
  assert.equal(other.number, '温瑞卫医监〔2026〕1号');
});

test('metadata and the PDF in scope; the same stored bytes every download, each one audited', async () => {
  const m = await lc.get(`/api/v1/documents/${doc.id}`);
  assert.equal(m.status, 200, JSON.stringify(m.data));
  assert.equal(m.data.number, doc.number);
  assert.equal(m.data.sha256, doc.sha256);
  assert.equal(m.data.title, '行政处罚决定书');
  assert.equal(m.data.pdf_url, `/api/v1/documents/${doc.id}.pdf`);
  const first = await lc.get(m.data.pdf_url);
  assert.equal(first.status, 200);
  assert.match(first.type, /^application\/pdf/);
  assert.match(first.headers.get('content-disposition'), /attachment/);
  assert.equal(first.data.subarray(0, 5).toString(), '%PDF-');
  assert.equal(sha256(first.data), doc.sha256);
  assert.equal(first.data.length, m.data.size);
  const second = await city.get(m.data.pdf_url);
  assert.ok(second.data.equals(first.data), 'an issued document is never rendered anew');
  const leaves = await city.get(`/api/v1/audit/leaves?object_type=document&object_id=${doc.id}`);
  const actions = leaves.data.items.map((l) => l.action).sort();
  assert.deepEqual(actions, ['document.download', 'document.download', 'document.issue']);
});

test('another county, another remit and no sign-in are refused; nothing is logged for them', async () => {
  const before = (await city.get(`/api/v1/audit/leaves?object_type=document&object_id=${doc2.id}`)).data.items.length;
  for (const c of [ra, market]) {
    isProblem(assert, await c.get(`/api/v1/documents/${doc2.id}`), 404);
    isProblem(assert, await c.get(`/api/v1/documents/${doc2.id}.pdf`), 404);
  }
  isProblem(assert, await anon.get(`/api/v1/documents/${doc2.id}.pdf`), 401);
  isProblem(assert, await lc.get('/api/v1/documents/12345.pdf'), 404);
  isProblem(assert, await lc.get('/api/v1/documents/x.pdf'), 404);
  const after = (await city.get(`/api/v1/audit/leaves?object_type=document&object_id=${doc2.id}`)).data.items.length;
  assert.equal(after, before);
});

test('public verification by number or SHA-256, with a match of the file at hand', async () => {
  const no = encodeURIComponent(doc.number);
  const v = await anon.get(`/api/v1/public/documents/verify?no=${no}`);
  assert.equal(v.status, 200, JSON.stringify(v.data));
  assert.equal(v.data.number, doc.number);
  assert.equal(v.data.sha256, doc.sha256);
  assert.equal(v.data.title, '行政处罚决定书');
  assert.match(v.data.issued_on, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(v.data.sha256_matches, undefined);
  assert.equal((await anon.get(`/api/v1/public/documents/verify?no=${no}&sha256=${doc.sha256}`)).data.sha256_matches, true);
  assert.equal((await anon.get(`/api/v1/public/documents/verify?no=${no}&sha256=${doc2.sha256}`)).data.sha256_matches, false);
  const bySha = await anon.get(`/api/v1/public/documents/verify?sha256=${doc2.sha256}`);
  assert.equal(bySha.data.number, doc2.number);
  isProblem(assert, await anon.get(`/api/v1/public/documents/verify?no=${encodeURIComponent('温鹿卫医罚〔2026〕999号')}`), 404);
  isProblem(assert, await anon.get('/api/v1/public/documents/verify'), 400);
  isProblem(assert, await anon.get('/api/v1/public/documents/verify?sha256=XYZ'), 422);
});

test('a preview is a PDF without a number and stores nothing; a bad model is refused with its place', async () => {
  const size0 = (await city.get('/api/v1/audit/sth')).data.tree_size;
  const model = { title: '现场检查笔录', organ: '温州市鹿城区卫生健康局', blocks: [
    { type: 'fields', rows: [{ label: '被检查单位', value: '某某诊所' }] },
    { type: 'paragraph', text: '检查情况：未发现违法行为。' },
    { type: 'signature', organ: '温州市鹿城区卫生健康局', date: '2026-12-06' }] };
  const p = await lc.post('/api/v1/documents/preview', { model });
  assert.equal(p.status, 200, String(p.data));
  assert.match(p.type, /^application\/pdf/);
  assert.equal(p.data.subarray(0, 5).toString(), '%PDF-');
  assert.equal((await city.get('/api/v1/audit/sth')).data.tree_size, size0);
  const bad = await lc.post('/api/v1/documents/preview', { model: { title: '缺正文' } });
  isProblem(assert, bad, 422);
  assert.equal(bad.data.errors[0].field, 'model');
  assert.match(bad.data.errors[0].detail, /blocks/);
  const typo = await lc.post('/api/v1/documents/preview', { model: { title: 't', blocks: [{ type: 'tabel' }] } });
  assert.match(typo.data.errors[0].detail, /blocks\[0\]\.type/);
  isProblem(assert, await anon.post('/api/v1/documents/preview', { model }), 401);
});
