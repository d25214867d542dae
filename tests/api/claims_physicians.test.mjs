// Physician monitoring (医保医师监测): after `yijian screen --db` of 2,000 generated lines, GET
// /api/v1/claims/physicians?run= gives each physician's claims (which add up to the file's), flagged
// claims and amounts (equal to what the flag list says), the flag rate, and the medians of the
// department and institution peers (recomputed here); …/physicians/{id} is the trend across runs
// (a second run adds a point); bad parameters are 400, an unknown physician 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, isProblem, BIN } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const RULES = path.join(root, 'rules');
let srv, analyst, market, claims, run, lines;

const screen = () => spawnSync(BIN, ['screen', '--claims', claims, '--rules', RULES, '--region', '330300', '--db', srv.db,
  '--keys', srv.keys, '--out', path.join(srv.dir, 'flags.csv')], { encoding: 'utf8' });

before(async () => {
  srv = new Server();
  await srv.start();
  claims = path.join(srv.dir, 'claims.csv');
  execFileSync(BIN, ['gen', 'claims', '--rows', '2000', '--seed', '6', '--violations', '0.08', '--out', claims,
    '--labels', path.join(srv.dir, 'labels.csv'), '--rules', RULES], { stdio: 'pipe' });
  const s = screen();
  assert.equal(s.status, 0, s.stderr);
  srv.addUser('wz.analyst', 'insurance_analyst', '330300', 'insurance');
  srv.addUser('wz.market', 'liaison', '330300', 'market');
  analyst = new Client(srv.url); await analyst.signIn('wz.analyst');
  market = new Client(srv.url); await market.signIn('wz.market');
  run = (await analyst.get('/api/v1/claims/runs')).data.items[0].id;
  const text = readFileSync(claims, 'utf8').trim().split('\n');
  const head = text[0].split(',');
  lines = text.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
});
after(async () => { await srv.stop(); srv.cleanup(); });

const median = (v) => { const s = [...v].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const r4 = (x) => Math.round(x * 10000) / 10000;

test('per physician: claims add up, flags match the flag list, peers are the medians', async () => {
  const r = await analyst.get(`/api/v1/claims/physicians?run=${run}&top=1000`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const items = r.data.items;
  assert.equal(items.length, r.data.physicians);
  assert.equal(items.reduce((s, x) => s + x.lines, 0), lines.length);
  assert.equal(r.data.claims, new Set(lines.map((l) => l.claim_id)).size);
  // flagged claims and amounts from the flag list
  const flags = [];
  for (let cursor = null; ;) {
    const p = await analyst.get(`/api/v1/claims/flags?run=${run}&limit=200${cursor ? '&cursor=' + cursor : ''}`);
    flags.push(...p.data.items);
    if (!(cursor = p.data.next_cursor)) break;
  }
  assert.ok(flags.length > 0);
  const key = (x) => `${x.physician_id}|${x.institution_code}`;
  const per = {};
  for (const f of flags) {
    const e = per[key(f)] ??= { claims: new Set(), fen: 0 };
    e.claims.add(f.claim_id);
    e.fen += f.amount_fen;
  }
  for (const it of items) {
    const e = per[key(it)];
    assert.equal(it.flagged_claims, e ? e.claims.size : 0, key(it));
    assert.equal(it.flagged_amount_fen, e ? e.fen : 0, key(it));
    assert.equal(it.rate, r4(it.flagged_claims / it.claims));
    const dept = items.filter((x) => x.institution_code === it.institution_code && x.dept_code === it.dept_code);
    const inst = items.filter((x) => x.institution_code === it.institution_code);
    assert.equal(it.dept_peers.n, dept.length);
    assert.equal(it.inst_peers.n, inst.length);
    assert.ok(Math.abs(it.dept_peers.median_rate - median(dept.map((x) => x.flagged_claims / x.claims))) < 1e-4);
    assert.ok(Math.abs(it.inst_peers.median_rate - median(inst.map((x) => x.flagged_claims / x.claims))) < 1e-4);
  }
  // sorted by rate, highest first; sort=amount by flagged amount
  for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].rate >= items[i].rate);
  const byAmount = (await analyst.get(`/api/v1/claims/physicians?run=${run}&sort=amount&top=5`)).data.items;
  assert.equal(byAmount.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(byAmount[i - 1].flagged_amount_fen >= byAmount[i].flagged_amount_fen);
  // an institution filter keeps the peers of the whole run
  const one = items[0];
  const f = (await analyst.get(`/api/v1/claims/physicians?run=${run}&institution=${one.institution_code}&top=1000`)).data.items;
  assert.ok(f.every((x) => x.institution_code === one.institution_code));
  assert.deepEqual(f.find((x) => key(x) === key(one)), one);
});

test('trend across runs; bad parameters; remit', async () => {
  const top = (await analyst.get(`/api/v1/claims/physicians?run=${run}&top=1`)).data.items[0];
  let t = await analyst.get(`/api/v1/claims/physicians/${top.physician_id}?institution=${top.institution_code}`);
  assert.equal(t.status, 200);
  assert.equal(t.data.items.length, 1);
  assert.equal(t.data.items[0].flagged_claims, top.flagged_claims);
  assert.equal(t.data.items[0].input_name, 'claims.csv');
  assert.equal(screen().status, 0);
  t = await analyst.get(`/api/v1/claims/physicians/${top.physician_id}?institution=${top.institution_code}`);
  assert.equal(t.data.items.length, 2);
  assert.ok(t.data.items[0].run_id === run && t.data.items[1].run_id !== run, 'oldest first');
  isProblem(assert, await analyst.get('/api/v1/claims/physicians'), 400);
  isProblem(assert, await analyst.get(`/api/v1/claims/physicians?run=${run}&sort=x`), 400);
  isProblem(assert, await analyst.get('/api/v1/claims/physicians?run=123'), 404);
  isProblem(assert, await analyst.get('/api/v1/claims/physicians/NOPE'), 404);
  isProblem(assert, await market.get(`/api/v1/claims/physicians?run=${run}`), 404);
});
