// A large run in partitions by patient hash (issue 14 item 5): with YIJIAN_CLAIMS_PART_BYTES set small, a
// 2,000-line file is split into partitions, each a job taken by lease; the stored flags (rule, claim, line,
// counted with repeats) equal `yijian screen`'s on the whole file, the progress is the partitions' sum, and
// the physicians' denominators are summed once. On PostgreSQL, three `serve` share the partitions and one is
// killed with SIGKILL while it holds some: the survivors take them over when the lease expires, and the flag
// set is still the same — none lost, none twice. (A shared SQLite file has no row locks for several writers
// in production; multiprocess.test.mjs covers that engine's limits, so the kill part runs on PostgreSQL only.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, BIN } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const RULES = path.join(root, 'rules');
const servers = [];
after(async () => {
  for (const s of servers) await (s.killed ? s.stop({ signal: 'SIGKILL', expectKill: true }) : s.stop());
  for (const s of servers) s.cleanup();
});

function serverWith(env, db, spool) {
  const s = new Server(db ? { db, env } : { env });
  if (!spool) mkdirSync((spool = path.join(s.dir, 'spool')));
  s.spool = spool;
  s.extra = ['--rules', RULES, '--spool-dir', spool, '--job-lease', '2'];
  servers.push(s);
  return s;
}

// The whole file screened by the CLI in one process: the reference multiset "rule|claim|line".
function reference(dir, claims) {
  const out = path.join(dir, 'flags.csv');
  const s = spawnSync(BIN, ['screen', '--claims', claims, '--rules', RULES, '--out', out, '--threads', '2'], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  return readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => { const f = l.split(','); return `${f[1]}|${f[4]}|${f[5]}`; }).sort();
}

async function stored(client, id) {
  const items = [];
  let cursor = null;
  do {
    const r = await client.get(`/api/v1/claims/flags?run=${id}&limit=200${cursor ? '&cursor=' + cursor : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    items.push(...r.data.items);
    cursor = r.data.next_cursor;
  } while (cursor);
  return items.flatMap((f) => f.line_nos.split(',').map((l) => `${f.rule_id}|${f.claim_id}|${l}`)).sort();
}

async function waitDone(client, id, onPoll) {
  let run;
  for (let i = 0; i < 600; i++) {
    run = (await client.get(`/api/v1/claims/runs/${id}`)).data;
    if (onPoll) await onPoll(run);
    if (run.state === 'done' || run.state === 'failed') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  return run;
}

function genClaims(dir) {
  const claims = path.join(dir, 'claims.csv');
  execFileSync(BIN, ['gen', 'claims', '--rows', '2000', '--seed', '4', '--violations', '0.05', '--out', claims,
    '--labels', path.join(dir, 'labels.csv'), '--rules', RULES], { stdio: 'pipe' });
  return claims;
}

test('a run split into partitions stores the same flags as one screening of the whole file', async () => {
  const srv = serverWith({ YIJIAN_CLAIMS_PART_BYTES: '40000' });
  const spool = srv.spool;
  await srv.start();
  srv.addUser('wz.analyst', 'insurance_analyst', '330300', 'insurance');
  const analyst = new Client(srv.url);
  await analyst.signIn('wz.analyst');
  const claims = genClaims(srv.dir);
  const bytes = readFileSync(claims);
  const r = await analyst.req('POST', '/api/v1/claims/runs?name=big.csv', bytes, { 'content-type': 'text/csv' });
  assert.equal(r.status, 202, JSON.stringify(r.data));
  const parts = Math.ceil(bytes.length / 40000) + 1; // and the cross partition (key_drug)
  const seen = new Set();
  const run = await waitDone(analyst, r.data.id, (x) => seen.add(x.state));
  assert.equal(run.state, 'done', JSON.stringify(run));
  assert.equal(run.total, parts, 'progress counts partitions');
  assert.equal(run.done, parts);
  assert.equal(run.line_count, 2000);
  const want = reference(srv.dir, claims);
  assert.deepEqual(await stored(analyst, r.data.id), want);
  const listed = (await analyst.get('/api/v1/claims/runs')).data.items.find((x) => x.id === r.data.id);
  assert.equal(listed.line_count, 2000);
  assert.equal(listed.flagged_lines, want.length);
  // physicians' denominators: every line counted once over the partitions
  const phys = await analyst.get(`/api/v1/claims/physicians?run=${r.data.id}`);
  assert.equal(phys.status, 200, JSON.stringify(phys.data));
  assert.equal(phys.data.lines, 2000);
  assert.deepEqual(readdirSync(spool), [], 'the spooled file and its partitions are removed');
});

test('three processes share the partitions; one killed midway loses and duplicates no flag', { skip: !process.env.YJ_TEST_DB && 'PostgreSQL only: several writing processes need its row locks (YJ_TEST_DB)' }, async () => {
  const env = { YIJIAN_CLAIMS_PART_BYTES: '25000', YIJIAN_CLAIMS_PART_PAUSE_MS: '1200' };
  const a = serverWith(env);
  await a.start();
  for (let i = 0; i < 2; i++) {
    const s = serverWith(env, a.db, a.spool);
    s.keys = a.keys;
    await s.start();
  }
  a.addUser('wz.analyst2', 'insurance_analyst', '330300', 'insurance');
  const c = new Client(a.url);
  await c.signIn('wz.analyst2');
  const claims = genClaims(a.dir);
  const bytes = readFileSync(claims);
  const r = await c.req('POST', '/api/v1/claims/runs?name=kill.csv', bytes, { 'content-type': 'text/csv' });
  assert.equal(r.status, 202, JSON.stringify(r.data));
  const parts = Math.ceil(bytes.length / 25000) + 1;
  const victim = servers[servers.length - 1];
  let doneAtKill = -1;
  const run = await waitDone(c, r.data.id, async (x) => {
    // midway: partitioned, some partitions stored, not all; by then each process holds partitions (2 threads each)
    if (!victim.killed && x.state === 'partitioned' && x.done >= 2 && x.done < parts - 4) {
      victim.killed = true;
      victim.proc.kill('SIGKILL');
      doneAtKill = x.done;
    }
  });
  assert.ok(victim.killed, `the kill happened midway (${JSON.stringify(run)})`);
  assert.ok(doneAtKill < parts);
  assert.equal(run.state, 'done', JSON.stringify(run));
  assert.equal(run.done, parts);
  assert.equal(run.line_count, 2000);
  assert.deepEqual(await stored(c, r.data.id), reference(a.dir, claims));
  // the dead process held partitions: a survivor took them over once their lease expired
  const survivors = servers.filter((x) => x !== victim).map((x) => x.logs).join('');
  assert.match(survivors, /job\.takeover[^\n]*claims\.screen_part/);
});
