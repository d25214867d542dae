// bench/import_load.mjs — what a large import costs the other users: the latency of a sign-in
// (POST /api/v1/session) and of a PATCH of an institution by another user while an inspector imports
// BENCH_IMPORT_ROWS (default 100,000) institutions over HTTP — a dry run, then a real import — against
// the same two requests on the idle server in the same run (the baseline). Each engine (a fresh SQLite
// file, a throwaway PostgreSQL from scripts/pg-cluster) gets its own server. The other user uses a new
// connection per request, as another browser would (docs/import.md says why that matters). The import's
// phases (check, publication, audit flush) come from the server's log. See docs/benchmarks.md,
// "Import: what it costs the other users".
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { creditCode } from '../tests/api/codes.mjs';
import { benchResult } from './lib.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const BIN = process.env.YIJIAN_BIN || process.env.BENCH_YIJIAN || path.join(root, 'build/yijian');
const N = Number(process.env.BENCH_IMPORT_ROWS ?? 100000);
const IDLE_SAMPLES = 20;
const PASSWORD = 'Ceshi-mima-2026';
const dir = mkdtempSync(path.join(tmpdir(), 'yj-bench-load-'));

function file() {
  const types = ['general_hospital', 'clinic', 'dental_clinic', 'community_station', 'village_clinic', 'outpatient_dept'];
  const lines = ['credit_code,name,type,level,ownership,profit,region_code,beds'];
  for (let i = 0; i < N; i++) {
    lines.push(`${creditCode('52330302', String(10000000 + i))},负载测试机构${i},${types[i % types.length]},none,private,forprofit,330302,${i % 50}`);
  }
  return lines.join('\n') + '\n';
}

const freePort = () => new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

// One request on a new connection; u keeps the session cookie and the CSRF token.
function request(base, u, method, url, body, type = 'application/json') {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers = { connection: 'close' };
    if (payload !== undefined) headers['content-type'] = type;
    if (u.cookie) headers.cookie = u.cookie;
    if (u.csrf && method !== 'GET') headers['x-csrf-token'] = u.csrf;
    const req = http.request(base + url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const sc = res.headers['set-cookie'];
        if (sc) u.cookie = sc[0].split(';')[0];
        const text = Buffer.concat(chunks).toString('utf8');
        const data = /json/.test(res.headers['content-type'] ?? '') && text ? JSON.parse(text) : text;
        resolve({ status: res.statusCode, data });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function server(db) {
  const keys = path.join(dir, 'keys');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(BIN, ['serve', '--db', db, '--keys', keys, '--listen', `127.0.0.1:${port}`, '--web', '',
    '--max-body', String(64 << 20)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const srv = { proc, base, logs: '' };
  proc.stderr.on('data', (d) => { srv.logs += d; });
  for (let i = 0; i < 400; i++) {
    try { if ((await fetch(base + '/healthz')).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const u of ['bench.importer', 'bench.other']) {
    execFileSync(BIN, ['user', 'add', '--username', u, '--role', 'inspector', '--region', '330302', '--department', 'health',
      '--display-name', u, '--db', db, '--keys', keys], { input: PASSWORD + '\n', stdio: ['pipe', 'ignore', 'pipe'] });
  }
  return srv;
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };

// One sign-in and one PATCH by the other user; returns their latencies in ms.
async function probe(srv, inst) {
  const u = {};
  let t0 = process.hrtime.bigint();
  const s = await request(srv.base, u, 'POST', '/api/v1/session', { username: 'bench.other', password: PASSWORD });
  const signin = ms(t0);
  if (s.status !== 200) throw new Error(`sign-in ${s.status}`);
  u.csrf = s.data.csrf_token;
  const cur = await request(srv.base, u, 'GET', '/api/v1/institutions/' + inst);
  t0 = process.hrtime.bigint();
  const p = await request(srv.base, u, 'PATCH', '/api/v1/institutions/' + inst, { beds: (cur.data.beds + 1) % 100, version: cur.data.version });
  const patch = ms(t0);
  if (p.status !== 200) throw new Error(`PATCH ${p.status}: ${JSON.stringify(p.data)}`);
  return { signin, patch };
}

// The last logged value of field in event msg after from, or NaN.
function logged(srv, from, msg, field) {
  let v = NaN;
  for (const line of srv.logs.slice(from).split('\n')) {
    if (!line.includes(`"msg":"${msg}"`)) continue;
    try { v = JSON.parse(line)[field]; } catch { /* a partial line */ }
  }
  return v;
}

// Probes back to back while the import runs.
async function underImport(srv, importer, inst, body, query) {
  const from = srv.logs.length;
  let done = false;
  const t0 = process.hrtime.bigint();
  const imp = request(srv.base, importer, 'POST', '/api/v1/import/institutions' + query, body, 'text/csv')
    .finally(() => { done = true; });
  imp.catch(() => {}); // a failure is thrown by the await below, after the probes stop, not as an unhandled rejection
  while (!srv.logs.includes('"msg":"import.started"', from) && !done) await new Promise((r) => setTimeout(r, 10));
  const samples = [];
  while (!done) samples.push(await probe(srv, inst));
  const r = await imp;
  if (r.status !== 200) throw new Error(`import ${r.status}: ${JSON.stringify(r.data).slice(0, 300)}`);
  return {
    total: ms(t0), samples, check: logged(srv, from, 'import.checked', 'ms'),
    publish: logged(srv, from, 'import.published', 'ms'), flush: logged(srv, from, 'audit.flush', 'ms'),
  };
}

const f0 = (v) => (Number.isFinite(v) ? v.toFixed(0) : '-');
function line(engine, what, samples, idle) {
  const si = samples.map((s) => s.signin), pa = samples.map((s) => s.patch);
  console.log(`import_load ${engine.padEnd(10)} ${what.padEnd(9)} n=${String(samples.length).padStart(3)}  sign-in p50 ${f0(pct(si, 0.5)).padStart(6)} ms`
    + ` max ${f0(Math.max(...si)).padStart(6)} ms  PATCH p50 ${f0(pct(pa, 0.5)).padStart(6)} ms max ${f0(Math.max(...pa)).padStart(6)} ms`
    + (idle ? `  (p50 × idle: sign-in ${(pct(si, 0.5) / pct(idle.map((s) => s.signin), 0.5)).toFixed(2)},`
      + ` PATCH ${(pct(pa, 0.5) / pct(idle.map((s) => s.patch), 0.5)).toFixed(2)})` : ''));
  // for bench/run's summary (bench/lib.mjs): another user's requests during the real import against the idle server,
  // for reference (no target in the issues)
  if (idle && what === 'real')
    for (const [name, xs, key] of [['sign-in', si, 'signin'], ['PATCH', pa, 'patch']])
      benchResult({ bench: 'import', figure: `${name} p50 during an import, ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, value: pct(xs, 0.5),
        unit: 'ms', baseline: 'idle server', baseline_value: pct(idle.map((s) => s[key]), 0.5), higher: false });
}

async function bench(engine, db, body) {
  const srv = await server(db);
  try {
    const importer = {};
    const s = await request(srv.base, importer, 'POST', '/api/v1/session', { username: 'bench.importer', password: PASSWORD });
    importer.csrf = s.data.csrf_token;
    const own = await request(srv.base, importer, 'POST', '/api/v1/institutions', {
      credit_code: creditCode('12330302', '30000001'), name: '并发修改测试诊所', type: 'clinic', level: 'none',
      ownership: 'private', profit: 'forprofit', region_code: '330302', beds: 1,
    });
    if (own.status !== 201) throw new Error(`create ${own.status}`);
    const idle = [];
    for (let i = 0; i < IDLE_SAMPLES; i++) idle.push(await probe(srv, own.data.id));
    line(engine, 'idle', idle);
    const dry = await underImport(srv, importer, own.data.id, body, '?dry_run=true');
    line(engine, 'dry run', dry.samples, idle);
    console.log(`import_load ${engine.padEnd(10)} dry run   ${N} rows in ${(dry.total / 1000).toFixed(1)} s (check ${f0(dry.check)} ms, no writer)`);
    const real = await underImport(srv, importer, own.data.id, body, '');
    line(engine, 'real', real.samples, idle);
    console.log(`import_load ${engine.padEnd(10)} real      ${N} rows in ${(real.total / 1000).toFixed(1)} s (check ${f0(real.check)} ms;`
      + ` publication ${f0(real.publish)} ms holding the writer, of which the audit flush ${f0(real.flush)} ms holding the audit head)`);
  } finally {
    srv.proc.kill('SIGTERM');
    await new Promise((r) => srv.proc.on('exit', r));
  }
}

let pgdir = null;
try {
  const body = file();
  const only = process.env.BENCH_IMPORT_LOAD_ENGINE; // sqlite or postgresql; both by default
  if (!only || only === 'sqlite') await bench('sqlite', `sqlite:${path.join(dir, 'load.db')}`, body);
  if (!only || only === 'postgresql') {
    pgdir = path.join(dir, 'pg');
    const url = execFileSync(path.join(root, 'scripts/pg-cluster'), ['start', pgdir], { encoding: 'utf8' }).trim().split('\n').pop();
    await bench('postgresql', url, body);
  }
} finally {
  if (pgdir) spawnSync(path.join(root, 'scripts/pg-cluster'), ['stop', pgdir]);
  rmSync(dir, { recursive: true, force: true });
}
