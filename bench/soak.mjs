// bench/soak.mjs — the soak of issue 15 (docs/benchmarks.md, "Soak: bench/soak"): three `yijian serve` processes
// on one throwaway PostgreSQL, mixed traffic through all three in turn for BENCH_SOAK_DURATION seconds (default
// 3600; BENCH_SMOKE=1: 30) — reads (region list, institution search by name, one institution), writes (a new
// institution, a change to one), imports (a CSV of 20 institutions) and exports (CSV of a county's institutions) —
// with VmRSS of every process sampled every 5 s. Prints p99 per minute and kind of request, each process's RSS
// after warm-up against its last minute (target: within ±10 %), and the load (`uptime`) at start and end.
// Exit status non-zero when a request failed (a status other than the expected one, or a network error) or a
// process died; RSS growth beyond the target is reported, not failed (a shared machine's page cache moves it).
//
// Environment: BENCH_SOAK_DURATION (3600), BENCH_SMOKE (30 s), BENCH_SOAK_CLIENTS (12 concurrent clients),
// BENCH_SOAK_WARMUP (60, or a quarter of a shorter run), YIJIAN_BIN or BENCH_YIJIAN (build/yijian), BENCH_KEEP=1.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { creditCode } from '../tests/api/codes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..');
const env = process.env;
const SMOKE = env.BENCH_SMOKE === '1';
const DURATION = Number(env.BENCH_SOAK_DURATION || (SMOKE ? 30 : 3600));
const CLIENTS = Number(env.BENCH_SOAK_CLIENTS || 12);
const WARMUP = Number(env.BENCH_SOAK_WARMUP || Math.min(60, DURATION / 4));
const YIJIAN = path.resolve(top, env.YIJIAN_BIN || env.BENCH_YIJIAN || 'build/yijian');
const PG_CLUSTER = path.join(top, 'scripts/pg-cluster');
const PASSWORD = 'Celiang-mima-2026';
const PROCS = 3;
const RSS_EVERY = 5;
const TARGET_RSS_PCT = 10;
import { benchResult } from './lib.mjs'; // the summary lines of bench/run (kept apart from the imports above)
const COUNTIES = ['330102', '330105', '330302', '330303', '330402', '330502', '330602', '330702'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => process.stderr.write(`bench/soak: ${m}\n`);
let work, pgDir;
const procs = [];
function cleanup() {
	for (const p of procs) try { p.child.kill('SIGTERM'); } catch {}
	if (pgDir) try { execFileSync(PG_CLUSTER, ['stop', pgDir], { stdio: 'ignore' }); } catch {}
	if (work && !env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}
function die(m) {
	process.stderr.write(`\nbench/soak: FAILED: ${m}\n`);
	cleanup();
	process.exit(1);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => die(`interrupted (${sig})`));
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
const uptime = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); }); });
// CPU seconds (user + system) of a process, and of the PostgreSQL cluster's backends (children of its postmaster).
const cpuOf = (pid) => { try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; } catch { return 0; } };
const pgCpu = () => {
	try {
		const main = readFileSync(path.join(pgDir, 'data/postmaster.pid'), 'utf8').split('\n')[0];
		return execFileSync('pgrep', ['-P', main], { encoding: 'utf8' }).trim().split('\n').reduce((a, p) => a + cpuOf(p), 0);
	} catch { return 0; }
};
const rss = (pid) => { try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); } catch { return null; } };

// ---- traffic: each kind of request, its weight, and the status it must answer
let seq = 0;
// Institutions made so far (writes one each, imports 20): their number is the credit code's 8-digit body
// (20,000,000 + n), so it must stay below 80,000,000 — a per-request counter times 1,000 passed that after
// ~80,000 requests, five minutes into an idle machine's hour.
let made = 0;
const inst = (i, county) => ({
	credit_code: creditCode(`52${county}`, String(20000000 + i)), name: `测试诊所${i}号`, type: '诊所', level: 'none',
	ownership: 'private', profit: 'forprofit', region_code: county, clinical_depts: ['03'],
});
const csvOf = (rows) => 'credit_code,name,type,level,ownership,profit,region_code\n' +
	rows.map((r) => [r.credit_code, r.name, r.type, r.level, r.ownership, r.profit, r.region_code].join(',')).join('\n') + '\n';
const known = []; // ids of institutions created so far
const KINDS = [
	['read', 40, async (c) => c.get('/api/v1/regions?limit=20')],
	['search', 25, async (c) => c.get(`/api/v1/institutions?q=${encodeURIComponent(`诊所${1 + (seq % 97)}`)}&limit=20`)],
	['get', 10, async (c) => (known.length ? c.get(`/api/v1/institutions/${known[seq % known.length]}`) : c.get('/api/v1/institutions?limit=5'))],
	['write', 12, async (c) => {
		const i = ++made;
		const r = await c.send('POST', '/api/v1/institutions', inst(i, COUNTIES[i % COUNTIES.length]), 201);
		if (r.ok) known.push(JSON.parse(r.text).id);
		return r;
	}],
	['change', 6, async (c) => {
		if (!known.length) return c.get('/api/v1/regions?limit=1');
		const id = known[(seq * 7) % known.length];
		const cur = await c.get(`/api/v1/institutions/${id}`);
		if (!cur.ok) return cur;
		return c.send('PATCH', `/api/v1/institutions/${id}`, { address: `地址${seq}`, version: JSON.parse(cur.text).version }, 200, [409]);
	}],
	['import', 3, async (c) => {
		const base = made + 1;
		made += 20;
		const rows = Array.from({ length: 20 }, (_, k) => inst(base + k, COUNTIES[k % COUNTIES.length]));
		return c.send('POST', '/api/v1/import/institutions?dry_run=false', csvOf(rows), 200, [], 'text/csv');
	}],
	['export', 4, async (c) => c.get(`/api/v1/institutions/export?format=csv&region=${COUNTIES[seq % COUNTIES.length]}`)],
];
const TOTAL_W = KINDS.reduce((a, k) => a + k[1], 0);

class Client {
	constructor(bases, cookie, csrf) { this.bases = bases; this.cookie = cookie; this.csrf = csrf; this.n = 0; }
	base() { return this.bases[this.n++ % this.bases.length]; }
	async req(method, p, body, type) {
		const headers = { cookie: `yj_session=${this.cookie}` };
		if (method !== 'GET') { headers['x-csrf-token'] = this.csrf; headers['content-type'] = type || 'application/json'; }
		const r = await fetch(this.base() + p, { method, headers, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) });
		return { status: r.status, text: await r.text() };
	}
	async get(p) { const r = await this.req('GET', p); return { ...r, ok: r.status === 200, want: 200 }; }
	async send(method, p, body, want, alsoOk = [], type) {
		const r = await this.req(method, p, body, type);
		return { ...r, ok: r.status === want || alsoOk.includes(r.status), want };
	}
}

function p99(xs) {
	if (!xs.length) return NaN;
	const s = Float64Array.from(xs).sort();
	return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)];
}

async function main() {
	work = mkdtempSync(path.join(os.tmpdir(), 'yijian-soak-'));
	chmodSync(work, 0o755);
	pgDir = path.join(work, 'pg');
	const pg = run(PG_CLUSTER, ['start', pgDir], { env: { ...env, PG_FSYNC: 'off' } }).trim().split('\n').pop().trim();
	const keys = path.join(work, 'keys');
	run(YIJIAN, ['init', '--db', pg, '--keys', keys]);
	run(YIJIAN, ['user', 'add', '--db', pg, '--keys', keys, '--username', 'soak', '--role', 'admin', '--region', '330000', '--department', 'health'], { input: `${PASSWORD}\n` });
	for (let i = 0; i < PROCS; i++) {
		const port = await freePort();
		const fd = openSync(path.join(work, `serve${i}.log`), 'a');
		const child = spawn(YIJIAN, ['serve', '--db', pg, '--keys', keys, '--listen', `127.0.0.1:${port}`, '--web', '', '--operator-listen', '', '--quiet'], { stdio: ['ignore', fd, fd] });
		child.on('exit', (code, sig) => { child.exited = { code, sig }; });
		procs.push({ child, base: `http://127.0.0.1:${port}`, samples: [] });
	}
	for (const p of procs) {
		for (let i = 0; ; i++) {
			if (p.child.exited) die(`serve exited at start: ${readFileSync(path.join(work, `serve${procs.indexOf(p)}.log`), 'utf8').slice(-2000)}`);
			try { if ((await fetch(`${p.base}/healthz`)).ok) break; } catch {}
			if (i > 300) die(`${p.base} did not start`);
			await sleep(100);
		}
	}
	const si = await fetch(`${procs[0].base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'soak', password: PASSWORD }) });
	const csrf = (await si.json()).csrf_token;
	const cookie = /yj_session=([^;]+)/.exec(si.headers.get('set-cookie') || '')[1];
	const load0 = uptime();
	log(`${PROCS} processes on one PostgreSQL, ${CLIENTS} clients, ${DURATION} s (warm-up ${WARMUP} s); load average ${load0}`);

	const t0 = Date.now();
	const end = t0 + DURATION * 1000;
	const cpu0 = procs.map((p) => cpuOf(p.child.pid)), pg0 = pgCpu();
	const minutes = []; // per minute: kind -> latencies (ms)
	const errors = [];
	let requests = 0;
	const sampler = setInterval(() => {
		const t = (Date.now() - t0) / 1000;
		for (const p of procs) {
			const v = rss(p.child.pid);
			if (v === null || p.child.exited) errors.push(`a serve process died (${JSON.stringify(p.child.exited)})`);
			else p.samples.push({ t, kib: v });
		}
	}, RSS_EVERY * 1000);
	const worker = async (w) => {
		const c = new Client(procs.map((p) => p.base).slice(w % PROCS).concat(procs.map((p) => p.base).slice(0, w % PROCS)), cookie, csrf);
		while (Date.now() < end && errors.length < 20) {
			let x = (seq * 7919 + w * 104729 + requests) % TOTAL_W;
			const kind = KINDS.find((k) => (x -= k[1]) < 0);
			seq++;
			const s = process.hrtime.bigint();
			let r;
			try { r = await kind[2](c); } catch (e) { r = { ok: false, status: e.cause?.code || e.message, text: '' }; }
			const ms = Number(process.hrtime.bigint() - s) / 1e6;
			requests++;
			if (!r.ok) { errors.push(`${kind[0]}: ${r.status} (expected ${r.want ?? 200}) ${String(r.text).slice(0, 200)}`); continue; }
			const m = Math.floor((Date.now() - t0) / 60000);
			(minutes[m] ||= {});
			(minutes[m][kind[0]] ||= []).push(ms);
			(minutes[m].all ||= []).push(ms);
		}
	};
	await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
	clearInterval(sampler);
	const yjCpu = procs.reduce((a, p, i) => a + cpuOf(p.child.pid) - cpu0[i], 0), pgUsed = pgCpu() - pg0;
	const load1 = uptime();
	const secs = (Date.now() - t0) / 1000;

	const kinds = ['all', ...KINDS.map((k) => k[0])];
	const lines = [`bench/soak: ${PROCS} yijian serve processes on one PostgreSQL, ${CLIENTS} clients round-robin over them, ${secs.toFixed(0)} s; ` +
		`load average ${load0} at start, ${load1} at end (${os.cpus().length} cores, shared)`];
	lines.push(`${requests} requests (${(requests / secs).toFixed(0)} per second), ${errors.length} errors; mix by weight: ${KINDS.map((k) => `${k[0]} ${k[1]}`).join(', ')}`);
	lines.push(`CPU per request: yijian (3 processes) ${((yjCpu * 1e6) / requests).toFixed(0)} µs, PostgreSQL backends ${((pgUsed * 1e6) / requests).toFixed(0)} µs ` +
		`(${yjCpu.toFixed(1)} and ${pgUsed.toFixed(1)} CPU seconds in all)`);
	lines.push('p99 per minute, ms:');
	// each process's mean RSS in the minute beside its latencies: a climb, a step or noise shows as it happened
	const rssIn = (p, i) => { const xs = p.samples.filter((x) => x.t >= i * 60 && x.t < (i + 1) * 60); return xs.length ? (xs.reduce((a, x) => a + x.kib, 0) / xs.length / 1024).toFixed(1) : '—'; };
	lines.push(`  minute ${kinds.map((k) => k.padStart(8)).join('')}   RSS MiB ${procs.map((_, j) => `serve ${j + 1}`.padStart(8)).join('')}`);
	minutes.forEach((m, i) => { if (m) lines.push(`  ${String(i + 1).padStart(6)} ${kinds.map((k) => (m[k] ? p99(m[k]).toFixed(1) : '—').padStart(8)).join('')}           ${procs.map((p) => rssIn(p, i).padStart(8)).join('')}`); });
	const win = Math.min(60, secs / 4);
	let rssOk = true;
	for (const [i, p] of procs.entries()) {
		const avg = (xs) => xs.reduce((a, x) => a + x.kib, 0) / xs.length;
		const after = p.samples.filter((x) => x.t >= WARMUP && x.t < WARMUP + win);
		const last = p.samples.filter((x) => x.t >= secs - win);
		if (!after.length || !last.length) { lines.push(`  RSS serve ${i + 1}: too few samples`); continue; }
		const a = avg(after), b = avg(last), pct = ((b - a) / a) * 100;
		const ok = Math.abs(pct) <= TARGET_RSS_PCT;
		rssOk &&= ok;
		lines.push(`RSS serve ${i + 1} (pid ${p.child.pid}): ${(a / 1024).toFixed(1)} MiB after warm-up → ${(b / 1024).toFixed(1)} MiB in the last ${win.toFixed(0)} s, ` +
			`${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %   target within ±${TARGET_RSS_PCT} %: ${ok ? 'met' : 'NOT met'}`);
		benchResult({ bench: 'soak', figure: `RSS change, serve ${i + 1}`, value: pct, unit: '%', target: `within ±${TARGET_RSS_PCT} % (warm-up to last minute)`, met: ok });
	}
	// for bench/run's summary (bench/lib.mjs): the errors (target none) and the worst minute's p99 over all requests (reported)
	benchResult({ bench: 'soak', figure: 'errors', value: errors.length, unit: `of ${requests}`, target: 'none', atMost: 0 });
	benchResult({ bench: 'soak', figure: 'p99, worst minute', value: Math.max(...minutes.filter((m) => m?.all).map((m) => p99(m.all))), unit: 'ms' });
	if (errors.length) lines.push(`errors (first 5):\n  ${errors.slice(0, 5).join('\n  ')}`);
	process.stdout.write(`${lines.join('\n')}\n`);
	cleanup();
	process.exit(errors.length ? 1 : 0);
}
main().catch((e) => die(e.stack || String(e)));
