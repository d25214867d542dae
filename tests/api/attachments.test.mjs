// Inspection attachments: validation errors are 422 validation problems (not the task-state problem),
// files the server will not take have their own types (413, 415), the per-user quota
// (--attachment-quota) refuses what would exceed it, and downloads are never cached.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Server, Client, isProblem, BIN } from './harness.mjs';
import { creditCode } from './codes.mjs';

const QUOTA = 1000;
let srv, admin, ins = [], ids = {}, tasks = [];

// A file the server takes as PNG (it reads the signature), size bytes long, its content set by seed.
function png(seed, size = 300) {
  const sig = Buffer.from('89504e470d0a1a0a', 'hex');
  const body = Buffer.alloc(size - sig.length, seed);
  return Buffer.concat([sig, body]);
}

const upload = (c, task, file, name) => c.req('POST', `/api/v1/inspection/tasks/${task}/attachments${name ? '?name=' + encodeURIComponent(name) : ''}`,
  file, { 'content-type': 'application/octet-stream' });

async function attachmentCount(task) {
  const r = await admin.get(`/api/v1/inspection/tasks/${task}`);
  assert.equal(r.status, 200);
  return r.data.attachments.length;
}

before(async () => {
  srv = new Server({ args: ['--attachment-quota', String(QUOTA), '--max-body', '9000000'] });
  await srv.start();
  srv.addUser('att.admin', 'admin', '330300');
  for (let i = 0; i < 2; i++) srv.addUser(`att.i${i}`, 'inspector', '330302');
  admin = new Client(srv.url);
  assert.equal((await admin.signIn('att.admin')).status, 200);
  for (let i = 0; i < 2; i++) {
    const c = new Client(srv.url);
    const r = await c.signIn(`att.i${i}`);
    assert.equal(r.status, 200);
    ids[i] = r.data.user.id;
    ins.push(c);
    const d = await admin.req('PUT', `/api/v1/inspection/inspectors/${ids[i]}`, { cert_no: `33030${i}0001` });
    assert.equal(d.status, 200, JSON.stringify(d.data));
  }
  const inst = await admin.post('/api/v1/institutions', {
    credit_code: creditCode('52330302', '41000001'), name: '鹿城附件测试诊所', type: 'clinic', level: 'none', ownership: 'private',
    profit: 'forprofit', region_code: '330302', clinical_depts: ['03'], lng: 120.65, lat: 28.01,
  });
  assert.equal(inst.status, 201, JSON.stringify(inst.data));
  for (let k = 0; k < 2; k++) {
    const t = await admin.post('/api/v1/inspection/tasks', { kind: 'patrol', subject_id: inst.data.id, item_ids: ['8000003'], team: [ids[0], ids[1]] });
    assert.equal(t.status, 201, JSON.stringify(t.data));
    tasks.push(t.data.id);
  }
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0);
  assert.doesNotMatch(srv.logs, /Sanitizer|runtime error/, srv.logs.slice(0, 4000));
  srv.cleanup();
});

test('an empty file or a bad name is a 422 validation problem naming the field', async () => {
  let r = await upload(ins[0], tasks[0], Buffer.alloc(0));
  isProblem(assert, r, 422);
  assert.equal(r.data.type, 'urn:yijian:problem:validation');
  assert.deepEqual(r.data.errors.map((e) => e.field), ['body']);
  r = await upload(ins[0], tasks[0], png(1), '照'.repeat(70));
  isProblem(assert, r, 422);
  assert.equal(r.data.type, 'urn:yijian:problem:validation');
  assert.deepEqual(r.data.errors.map((e) => e.field), ['name']);
  assert.equal(await attachmentCount(tasks[0]), 0);
});

test('a file of another type is 415 and one over 8 MiB is 413, each with its own problem type', async () => {
  let r = await upload(ins[0], tasks[0], Buffer.from('MZ not a photo'));
  isProblem(assert, r, 415);
  assert.equal(r.data.type, 'urn:yijian:problem:unsupported-media-type');
  assert.doesNotMatch(r.data.title, /任务状态/);
  r = await upload(ins[0], tasks[0], png(2, (8 << 20) + 1));
  isProblem(assert, r, 413);
  assert.equal(r.data.type, 'urn:yijian:problem:payload-too-large');
  assert.equal(await attachmentCount(tasks[0]), 0);
});

test('the per-user quota counts every attachment a user adds and refuses what would exceed it', async () => {
  let r = await upload(ins[0], tasks[0], png(10), '现场照片一.png');
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.duplicate, false);
  // The same file on the same task again adds nothing and counts nothing.
  r = await upload(ins[0], tasks[0], png(10));
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.duplicate, true);
  r = await upload(ins[0], tasks[0], png(11));
  assert.equal(r.status, 201, JSON.stringify(r.data));
  // The same content on another task counts again, though the store keeps it once (600 + 300).
  r = await upload(ins[0], tasks[1], png(10));
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.duplicate, false);
  // 900 used: 300 more would be 1200 > 1000.
  r = await upload(ins[0], tasks[0], png(12));
  isProblem(assert, r, 413);
  assert.equal(r.data.type, 'urn:yijian:problem:attachment-quota');
  assert.match(r.data.detail, /900 字节/);
  assert.match(r.data.detail, /管理员/);
  assert.equal(await attachmentCount(tasks[0]), 2, 'nothing stored');
  // Exactly up to the quota is allowed.
  r = await upload(ins[0], tasks[0], png(13, 100));
  assert.equal(r.status, 201, JSON.stringify(r.data));
  isProblem(assert, await upload(ins[0], tasks[0], png(14, 9)), 413);
  // The quota is per user: the other team member still uploads.
  r = await upload(ins[1], tasks[0], png(12));
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(await attachmentCount(tasks[0]), 4);
});

test('attachments are downloaded with Cache-Control: private, no-store', async () => {
  const t = await ins[0].get(`/api/v1/inspection/tasks/${tasks[0]}`);
  const a = t.data.attachments[0];
  assert.ok(a, 'an attachment');
  const r = await ins[0].get(a.url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'private, no-store');
  assert.equal(r.data.length, a.size);
});

test('serve refuses an --attachment-quota that is not a positive number of bytes', () => {
  for (const bad of ['0', '-5', '2G', '']) {
    const p = spawnSync(BIN, ['serve', '--db', 'sqlite::memory:', '--listen', '127.0.0.1:1', '--attachment-quota', bad], { encoding: 'utf8' });
    assert.equal(p.status, 2, bad);
    assert.match(p.stderr, /--attachment-quota must be a positive number of bytes/);
  }
});
