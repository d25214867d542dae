// Screening through the platform: POST /api/v1/claims/runs streams a claims file to disk (the server
// runs with --max-body 64 KiB, so a 300 KB file can only arrive by the F_FILE streaming mode), a job
// screens it, GET …/runs/{id} shows the progress, and the stored flags equal `yijian screen`'s on the
// same file; over --max-upload is a 413 and an empty file a 422, both storing nothing; roles apply.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, readdirSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, isProblem, BIN } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const RULES = path.join(root, 'rules');
let srv, analyst, leader, inspector, claims, spool;

before(async () => {
  srv = new Server();
  spool = path.join(srv.dir, 'spool');
  mkdirSync(spool);
  srv.extra = ['--rules', RULES, '--max-body', '65536', '--max-upload', '2000000', '--spool-dir', spool];
  await srv.start();
  claims = path.join(srv.dir, 'claims.csv');
  execFileSync(BIN, ['gen', 'claims', '--rows', '2000', '--seed', '4', '--violations', '0.05', '--out', claims,
    '--labels', path.join(srv.dir, 'labels.csv'), '--rules', RULES], { stdio: 'pipe' });
  srv.addUser('wz.analyst', 'insurance_analyst', '330300', 'insurance');
  srv.addUser('wz.leader', 'leader', '330300', 'health');
  srv.addUser('lc.ins', 'inspector', '330302', 'health');
  analyst = new Client(srv.url); await analyst.signIn('wz.analyst');
  leader = new Client(srv.url); await leader.signIn('wz.leader');
  inspector = new Client(srv.url); await inspector.signIn('lc.ins');
});
after(async () => { await srv.stop(); srv.cleanup(); });

async function upload(client, body, name = 'march.csv') {
  return client.req('POST', `/api/v1/claims/runs?name=${name}`, body, { 'content-type': 'text/csv' });
}

test('a file larger than --max-body is streamed, screened as a job, and its flags stored', async () => {
  const bytes = readFileSync(claims);
  assert.ok(bytes.length > 65536 * 3);
  const r = await upload(analyst, bytes);
  assert.equal(r.status, 202, JSON.stringify(r.data));
  assert.equal(r.data.state, 'queued');
  assert.equal(r.data.bytes, bytes.length);
  assert.equal(r.data.input_name, 'march.csv');
  const id = r.data.id;
  let run, seen = new Set();
  for (let i = 0; i < 300; i++) {
    run = (await analyst.get(`/api/v1/claims/runs/${id}`)).data;
    seen.add(run.state);
    if (run.state === 'done' || run.state === 'failed') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(run.state, 'done', JSON.stringify(run));
  assert.equal(run.percent, 100);
  assert.equal(run.line_count, 2000);
  assert.equal(run.done, run.total);
  assert.deepEqual(readdirSync(spool), []); // the spooled file is removed when the run ends
  // the same flags as the CLI on the same file and rule base
  const out = path.join(srv.dir, 'flags.csv');
  const s = spawnSync(BIN, ['screen', '--claims', claims, '--rules', RULES, '--out', out, '--threads', '2'], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  const cli = readFileSync(out, 'utf8').trim().split('\n').slice(1);
  assert.equal(run.flag_count, new Set(cli.map((l) => l.split(',')[0])).size);
  const runs = (await analyst.get('/api/v1/claims/runs')).data.items;
  const stored = runs.find((x) => x.id === id);
  assert.ok(stored, 'the run is listed');
  assert.equal(stored.input_name, 'march.csv');
  assert.equal(stored.flagged_lines, cli.length);
  assert.equal(stored.record_count, run.total);
  // the runs' export and count, newest first as the list
  assert.deepEqual((await analyst.get('/api/v1/claims/runs/export?format=count')).data, { total: runs.length });
  const lines = (await analyst.get('/api/v1/claims/runs/export?format=csv')).data.toString('utf8').split('\r\n').filter(Boolean);
  assert.equal(lines.length, runs.length + 1);
  assert.match(lines[0], /批次编号.*开始时间/);
  assert.ok(lines[1].startsWith(`"${runs[0].id}"`), lines[1]);
  assert.ok(lines.some((l) => l.includes('march.csv') && /\+08:00/.test(l)), 'times as Asia/Shanghai instants');
  const flags = await analyst.get(`/api/v1/claims/flags?run=${id}&limit=5`);
  assert.equal(flags.status, 200);
  assert.ok(flags.data.items.length > 0);
  // a leader reads the progress, an inspector may neither submit nor read
  assert.equal((await leader.get(`/api/v1/claims/runs/${id}`)).status, 200);
  isProblem(assert, await inspector.get(`/api/v1/claims/runs/${id}`), 403);
  isProblem(assert, await upload(inspector, bytes), 403);
  isProblem(assert, await upload(leader, bytes), 403);
});

test('over --max-upload is 413, an empty file 422, a wrong type 415: nothing queued', async () => {
  const before = (await analyst.get('/api/v1/claims/runs')).data.items.length;
  const big = Buffer.alloc(2_100_000, 'a');
  const r = await upload(analyst, big).catch((e) => ({ status: 'reset', e }));
  assert.ok(r.status === 413 || r.status === 'reset', String(r.status));
  if (r.status === 413) isProblem(assert, r, 413);
  isProblem(assert, await upload(analyst, Buffer.alloc(0)), 422);
  isProblem(assert, await analyst.req('POST', '/api/v1/claims/runs', 'x', { 'content-type': 'application/json' }), 415);
  isProblem(assert, await analyst.get('/api/v1/claims/runs/1234567'), 404);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal((await analyst.get('/api/v1/claims/runs')).data.items.length, before);
  assert.deepEqual(readdirSync(spool), []);
});
