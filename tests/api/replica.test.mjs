// A PostgreSQL streaming replica behind `serve --db-read` (issue 15 item 5; docs/operations.md, "Read replica"):
// the test starts its own primary and a hot standby of it (scripts/pg-cluster start / replica). With the
// standby's replay paused, a write by one administrator is missing from another's list — so that list was
// read on the replica — while the writer reads it back (read-your-writes); once the pause outlasts the
// staleness bound every read goes to the primary; after replay resumes reads return to the replica; a GET
// that writes (signing the audit log on demand) writes on the primary; with the replica stopped every read
// is still answered, from the primary. /metrics counts each case. A second process on the same databases
// reads the writer's write too: the write-position cookie carries it. PostgreSQL only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Server, Client, freePort } from './harness.mjs';
import { creditCode } from './codes.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const cluster = path.join(root, 'scripts/pg-cluster');
const skip = process.env.YJ_TEST_DB ? false : 'PostgreSQL only: a streaming replica needs PostgreSQL (set YJ_TEST_DB)';
const MAX_LAG_MS = 2500;

let dir, server, server2;
after(async () => {
  await server2?.stop();
  server2?.cleanup();
  await server?.stop();
  server?.cleanup();
  if (dir) {
    for (const d of ['r', 'p']) execFileSync(cluster, ['stop', path.join(dir, d)], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
});

const psql = (url, sql) => execFileSync('psql', [url, '-qAtc', sql], { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// From the operator listener, whose requests are not routed (so reading the figures does not move them).
let operator;
async function metrics() {
  const r = await fetch(operator + '/metrics');
  assert.equal(r.status, 200);
  const text = await r.text();
  const get = (name) => Number((text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm')) ?? [])[1]);
  return {
    reads: get('yijian_replica_reads_total'),
    down: get('yijian_replica_fallbacks_total{reason="down"}'),
    lag: get('yijian_replica_fallbacks_total{reason="lag"}'),
    session: get('yijian_replica_fallbacks_total{reason="session"}'),
    wrote: get('yijian_replica_fallbacks_total{reason="wrote"}'),
    up: get('yijian_replica_up'),
  };
}

async function usernames(c) {
  const r = await c.get('/api/v1/users?limit=200');
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data.items.map((u) => u.username);
}

// Polls fn until it returns true, for at most ms.
async function until(fn, ms, what) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await fn()) return Date.now() - t0;
    await sleep(50);
  }
  assert.fail(`not within ${ms} ms: ${what}`);
}

test('reads on the replica within the bound, read-your-writes, fallback on lag and when the replica is down', { skip, timeout: 120000 }, async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'yijian-replica-'));
  const primary = execFileSync(cluster, ['start', path.join(dir, 'p')], { encoding: 'utf8' }).trim().split('\n').pop();
  const replica = execFileSync(cluster, ['replica', path.join(dir, 'r'), path.join(dir, 'p')], { encoding: 'utf8' })
    .trim().split('\n').pop();
  assert.equal(psql(replica, 'SELECT pg_is_in_recovery()'), 't');

  // An hour's merge delay: leaves stay unsigned until a reader asks for a head (the GET that writes, below).
  const op = await freePort();
  operator = `http://127.0.0.1:${op}`;
  server = new Server({ db: primary, args: ['--operator-listen', `127.0.0.1:${op}`, '--db-read', replica, '--db-read-max-lag', String(MAX_LAG_MS),
    '--db-read-check', '50', '--audit-merge-delay', '3600000'] });
  await server.start();
  // A second process on the same primary and replica: the writer's next request may reach it.
  server2 = new Server({ db: primary, args: ['--db-read', replica, '--db-read-max-lag', String(MAX_LAG_MS),
    '--db-read-check', '50', '--audit-merge-delay', '3600000'] });
  server2.keys = server.keys;
  await server2.start();
  server.addUser('rep.writer', 'admin', '330000');
  server.addUser('rep.reader', 'admin', '330000');
  const writer = new Client(server.url);
  const reader = new Client(server.url);
  assert.equal((await writer.signIn('rep.writer')).status, 200);
  assert.equal((await reader.signIn('rep.reader')).status, 200);

  // Caught up, the reader's GETs go to the replica, where the server holds connections.
  // Wait for a read the replica answered: until it has replayed the reader's sign-in, the reader's GETs
  // go to the primary (fallback "session") and would find the users there.
  await until(async () => {
    const before = (await metrics()).reads;
    return (await usernames(reader)).includes('rep.writer') && (await metrics()).reads > before;
  }, 10000, 'the replica has the users and the reader\'s session');
  let m0 = await metrics();
  assert.equal(m0.up, 1);
  assert.deepEqual((await usernames(reader)).filter((u) => u.startsWith('rep.')).sort(), ['rep.reader', 'rep.writer']);
  let m1 = await metrics();
  assert.ok(m1.reads >= m0.reads + 1, `reads counted on the replica: ${JSON.stringify([m0, m1])}`);
  assert.ok(Number(psql(replica, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'yijian' AND backend_type = 'client backend'" +
    ' AND pid <> pg_backend_pid()')) > 0, 'the server is connected to the replica');

  // A GET that writes: the audit head is signed on demand on the primary, and the request reads it back there.
  await until(async () => {
    const r = await new Client(server.url).get('/api/v1/audit/sth');
    assert.equal(r.status, 200, JSON.stringify(r.data));
    return (await metrics()).wrote > m1.wrote;
  }, 10000, 'a replica request that signed the audit head (fallback "wrote")');

  // An audited read whose leaf goes through group commit (the credit check): answered, its leaf on the primary.
  const inst = await writer.post('/api/v1/institutions', { credit_code: creditCode('52330302', '71234567'), name: '副本测试诊所',
    type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'] });
  assert.equal(inst.status, 201, JSON.stringify(inst.data));
  const leaves = () => Number(psql(primary, "SELECT count(*) FROM audit_leaves WHERE action = 'credit.check'"));
  const before = leaves();
  await until(async () => {
    const r = await reader.get(`/api/v1/credit/check?subject=${inst.data.credit_code}&decision=grade_review`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    return leaves() > before && (await metrics()).wrote > 0;
  }, 10000, 'a credit check answered with its leaf on the primary');

  // Replay paused: the writer's new user is on the primary only.
  psql(replica, 'SELECT pg_wal_replay_pause()');
  await sleep(200);
  m0 = await metrics();
  const t0 = Date.now();
  const created = await writer.post('/api/v1/users', { username: 'rep.new', password: 'Ceshi-mima-2026', role: 'inspector',
    region_code: '330000', department: 'health' });
  assert.equal(created.status, 201, JSON.stringify(created.data));
  // The writer reads its own write (from the primary: the replica has not replayed it) …
  assert.ok((await usernames(writer)).includes('rep.new'), 'read-your-writes');
  // … also on the other process, which knows of the write only from the write-position cookie; without
  // the cookie the same session there reads the replica, which has not got it.
  assert.match(writer.cookie, /yj_wal=[0-9a-f]+/, 'the write set the write-position cookie');
  const elsewhere = new Client(server2.url);
  elsewhere.cookie = writer.cookie;
  elsewhere.csrf = writer.csrf;
  assert.ok((await usernames(elsewhere)).includes('rep.new'), 'read-your-writes on another process');
  elsewhere.cookie = writer.cookie.split('; ').filter((c) => !c.startsWith('yj_wal=')).join('; ');
  assert.ok(!(await usernames(elsewhere)).includes('rep.new'), 'without the cookie the other process reads the replica');
  // … the reader, within the bound, reads the replica, which has not got it: proof the read went there.
  assert.ok(!(await usernames(reader)).includes('rep.new'), 'the reader sees the replica, behind the primary');
  const early = Date.now() - t0;
  m1 = await metrics();
  assert.ok(m1.session > m0.session, 'the writer was sent to the primary for its own write');
  assert.ok(early < MAX_LAG_MS, `the checks above took ${early} ms, within the bound: rerun on a less loaded machine`);
  // The new user signs in at once: the sign-in wrote the session, so its first GET reads the primary,
  // where the user row is (the replica has not got it yet).
  const fresh = new Client(server.url);
  assert.equal((await fresh.signIn('rep.new')).status, 200);
  const own = await fresh.get('/api/v1/session');
  assert.equal(own.status, 200, JSON.stringify(own.data));
  assert.equal(own.data.user.username, 'rep.new');
  const m1b = await metrics();
  assert.ok(m1b.session > m1.session, 'the new session was sent to the primary for its own write');
  assert.ok(Date.now() - t0 < MAX_LAG_MS, 'still within the bound, so not a fallback for lag');

  // Past the bound the replica is too stale: every read goes to the primary.
  await until(async () => (await usernames(reader)).includes('rep.new'), 15000, 'fallback to the primary past the bound');
  assert.ok(Date.now() - t0 >= MAX_LAG_MS - 500, 'not before the bound');
  const m2 = await metrics();
  assert.ok(m2.lag > m1.lag, 'fallbacks for lag counted');

  // Replay resumed: reads return to the replica.
  psql(replica, 'SELECT pg_wal_replay_resume()');
  await until(async () => {
    const before = await metrics();
    const seen = (await usernames(reader)).includes('rep.new');
    return seen && (await metrics()).reads > before.reads;
  }, 10000, 'reads back on the replica after replay resumed');

  // The replica stopped: every read is still answered, from the primary.
  execFileSync(cluster, ['stop', path.join(dir, 'r')], { stdio: 'ignore' });
  const m3 = await metrics();
  for (let i = 0; i < 10; i++) assert.ok((await usernames(reader)).includes('rep.new'));
  await until(async () => (await metrics()).up === 0, 5000, 'the replica reported down');
  for (let i = 0; i < 5; i++) assert.ok((await usernames(reader)).includes('rep.new'));
  const m4 = await metrics();
  assert.ok(m4.down > m3.down, `fallbacks for a replica down counted: ${JSON.stringify([m3, m4])}`);
  assert.equal((await writer.post('/api/v1/users', { username: 'rep.after', password: 'Ceshi-mima-2026', role: 'inspector',
    region_code: '330000', department: 'health' })).status, 201, 'writes are unaffected');
  assert.doesNotMatch(server.logs, /"status":5\d\d/, 'no request failed');
});
