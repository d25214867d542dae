// bench/run.mjs — the work of `make bench` (docs/benchmarks.md).
//
// Starts a throwaway PostgreSQL (scripts/pg-cluster), initialises yijian on it and on SQLite, starts
// yijian on both and the Fastify + pg baseline (bench/baseline/server.mjs) on the same PostgreSQL
// database, checks that yijian and the baseline answer byte for byte the same, then measures
// /healthz and GET /api/v1/regions?limit=20 with wrk and reports yijian ÷ baseline. Finally an RSS
// soak of yijian (PostgreSQL) under load. Targets are ratios and bounds to report, never a timed
// pass/fail test: the exit status is non-zero only when the bench itself could not measure
// (setup failure, differing responses, HTTP errors under load).
//
// Environment: BENCH_SECONDS (15) per measurement, BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64),
// BENCH_THREADS (2, wrk threads), BENCH_SOAK_SECONDS (300; 0 skips the soak), BENCH_PG_FSYNC
// (off; "on" passes PG_FSYNC=on to scripts/pg-cluster), BENCH_BASELINE_POOL (16),
// BENCH_BASELINE_WORKERS (1), BENCH_YIJIAN (build/yijian), BENCH_KEEP=1 keeps the work directory.
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..');
const env = process.env;
const num = (name, dflt) => {
	const v = env[name];
	if (v === undefined || v === '') return dflt;
	const n = Number(v);
	if (!Number.isFinite(n) || n < 0) {
		process.stderr.write(`bench: ${name}=${v} is not a non-negative number\n`);
		process.exit(2);
	}
	return n;
};

const SECONDS = num('BENCH_SECONDS', 15);
const WARMUP = num('BENCH_WARMUP_SECONDS', 3);
const CONNS = num('BENCH_CONNECTIONS', 64);
const THREADS = num('BENCH_THREADS', 2);
const SOAK = num('BENCH_SOAK_SECONDS', 300);
const SOAK_SAMPLE = 5;
const PG_FSYNC = (env.BENCH_PG_FSYNC || 'off').toLowerCase() === 'on' ? 'on' : 'off';
const BASELINE_POOL = num('BENCH_BASELINE_POOL', 16);
const BASELINE_WORKERS = num('BENCH_BASELINE_WORKERS', 1);
const BASELINE_WORKERS2 = num('BENCH_BASELINE_WORKERS2', 2);
const YIJIAN = path.resolve(top, env.BENCH_YIJIAN || 'build/yijian');
const PG_CLUSTER = path.resolve(top, env.BENCH_PG_CLUSTER || 'scripts/pg-cluster');
const PASSWORD = 'Celiang-mima-2026';
const REGIONS = '/api/v1/regions?limit=20';
const TARGET_RATIO = 3;
const TARGET_P99_MS = 10;
const TARGET_RSS_PCT = 10;

// ---------------------------------------------------------------- plumbing

const children = new Set();
let work = null;
let pgDir = null;
let cleaned = false;

function log(msg) {
	process.stderr.write(`bench: ${msg}\n`);
}

function die(msg) {
	process.stderr.write(`\nbench: FAILED: ${msg}\n`);
	cleanup();
	process.exit(1);
}

function cleanup() {
	if (cleaned) return;
	cleaned = true;
	for (const c of children) {
		try {
			c.kill('SIGTERM');
		} catch {}
	}
	if (pgDir) {
		try {
			execFileSync(PG_CLUSTER, ['stop', pgDir], { stdio: ['ignore', 'ignore', 'inherit'] });
		} catch (e) {
			log(`scripts/pg-cluster stop ${pgDir} failed: ${e.message}`);
		}
	}
	if (work && !env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
	else if (work) log(`kept ${work}`);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
	process.on(sig, () => {
		process.stderr.write(`\nbench: interrupted (${sig})\n`);
		cleanup();
		process.exit(130);
	});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, args, opts = {}) {
	try {
		return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
	} catch (e) {
		die(`${cmd} ${args.join(' ')} exited with ${e.status ?? e.signal}:\n${e.stderr || ''}${e.stdout || ''}`);
	}
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

// Starts a long-running server; its output goes to a log file in the work directory.
function start(name, cmd, args, extraEnv = {}) {
	const logFile = path.join(work, `${name}.log`);
	const fd = openSync(logFile, 'a');
	const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...env, ...extraEnv } });
	child.logFile = logFile;
	child.label = name;
	children.add(child);
	child.on('exit', (code, sig) => {
		children.delete(child);
		child.exited = { code, sig };
	});
	return child;
}

function tail(file, n = 30) {
	try {
		return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
	} catch {
		return '';
	}
}

async function waitHealthy(child, base) {
	const deadline = Date.now() + 30000;
	while (Date.now() < deadline) {
		if (child.exited) die(`${child.label} exited (${JSON.stringify(child.exited)}) at start:\n${tail(child.logFile)}`);
		try {
			const r = await fetch(`${base}/healthz`);
			if (r.status === 200) return;
		} catch {}
		await sleep(100);
	}
	die(`${child.label} did not become healthy at ${base} within 30 s:\n${tail(child.logFile)}`);
}

async function stop(child) {
	if (!child || child.exited) return;
	child.kill('SIGTERM');
	for (let i = 0; i < 100 && !child.exited; i++) await sleep(50);
	if (!child.exited) child.kill('SIGKILL');
}

async function get(base, pathq, cookie) {
	const r = await fetch(base + pathq, { headers: cookie ? { cookie: `yj_session=${cookie}` } : {} });
	const body = Buffer.from(await r.arrayBuffer());
	return { status: r.status, type: r.headers.get('content-type'), body };
}

// ---------------------------------------------------------------- wrk

function toMs(s) {
	const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(s);
	if (!m) return NaN;
	const v = Number(m[1]);
	return { us: v / 1000, ms: v, s: v * 1000, m: v * 60000, h: v * 3600000 }[m[2]];
}

function parseWrk(out) {
	const r = { rps: NaN, requests: 0, latency_ms: {}, non2xx: 0, socket_errors: null };
	let m;
	if ((m = /Requests\/sec:\s*([\d.]+)/.exec(out))) r.rps = Number(m[1]);
	if ((m = /(\d+) requests in ([\d.]+\w+)/.exec(out))) {
		r.requests = Number(m[1]);
		r.duration_ms = toMs(m[2]);
	}
	if ((m = /Non-2xx or 3xx responses:\s*(\d+)/.exec(out))) r.non2xx = Number(m[1]);
	if ((m = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)))
		r.socket_errors = { connect: +m[1], read: +m[2], write: +m[3], timeout: +m[4] };
	const dist = out.split('Latency Distribution')[1] || '';
	for (const line of dist.split('\n')) {
		const mm = /^\s*(\d+)%\s+([\d.]+\w+)\s*$/.exec(line);
		if (mm) r.latency_ms[`p${mm[1]}`] = toMs(mm[2]);
	}
	if ((m = /Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)/.exec(out))) {
		r.latency_ms.avg = toMs(m[1]);
		r.latency_ms.stdev = toMs(m[2]);
		r.latency_ms.max = toMs(m[3]);
	}
	return r;
}

function wrk(url, seconds, cookie) {
	const args = [`-t${THREADS}`, `-c${CONNS}`, `-d${seconds}s`, '--latency'];
	if (cookie) args.push('-H', `Cookie: yj_session=${cookie}`);
	args.push(url);
	return new Promise((resolve) => {
		const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
		children.add(child);
		let out = '';
		let err = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (err += d));
		child.on('exit', (code) => {
			children.delete(child);
			if (code !== 0) die(`wrk ${args.join(' ')} exited with ${code}:\n${err}${out}`);
			const shown = args.map((a) => (a.startsWith('Cookie:') ? "'Cookie: yj_session=…'" : a));
			resolve({ command: `wrk ${shown.join(' ')}`, raw: out, ...parseWrk(out) });
		});
	});
}

function problems(res) {
	const p = [];
	if (!(res.requests > 0)) p.push('no requests completed');
	if (res.non2xx) p.push(`${res.non2xx} non-2xx responses`);
	const se = res.socket_errors;
	if (se && se.connect + se.read + se.write + se.timeout > 0)
		p.push(`socket errors connect ${se.connect}, read ${se.read}, write ${se.write}, timeout ${se.timeout}`);
	return p;
}

// ---------------------------------------------------------------- RSS

function rssKiB(pid) {
	try {
		const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : null;
	} catch {
		return null;
	}
}

// ---------------------------------------------------------------- setup

function machine() {
	const cpus = os.cpus();
	let pgVersion = null;
	try {
		pgVersion = execFileSync('/usr/lib/postgresql/15/bin/postgres', ['--version'], { encoding: 'utf8' }).trim();
	} catch {}
	let wrkVersion = null;
	try {
		wrkVersion = (execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) || '').split('\n')[0];
	} catch (e) {
		wrkVersion = String(e.stdout || '').split('\n')[0] || null;
	}
	const pkg = (n) => {
		try {
			return JSON.parse(readFileSync(path.join(here, 'node_modules', n, 'package.json'), 'utf8')).version;
		} catch {
			return null;
		}
	};
	return {
		hostname: os.hostname(),
		cpu: cpus[0]?.model,
		cores: os.availableParallelism ? os.availableParallelism() : cpus.length,
		memory_gib: Math.round(os.totalmem() / 2 ** 30),
		kernel: `${os.type()} ${os.release()}`,
		node: process.version,
		fastify: pkg('fastify'),
		pg: pkg('pg'),
		postgres: pgVersion,
		wrk: wrkVersion,
	};
}

async function signIn(base) {
	const r = await fetch(`${base}/api/v1/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username: 'bench', password: PASSWORD }),
	});
	const text = await r.text();
	if (r.status !== 200 && r.status !== 201) die(`sign-in at ${base} answered ${r.status}: ${text}`);
	let body;
	try {
		body = JSON.parse(text);
	} catch {
		die(`sign-in at ${base} answered non-JSON: ${text}`);
	}
	if (!body.csrf_token) die(`sign-in at ${base} returned no csrf_token: ${text}`);
	const sc = r.headers.getSetCookie ? r.headers.getSetCookie() : [r.headers.get('set-cookie') || ''];
	for (const c of sc) {
		const m = /(?:^|;\s*)yj_session=([^;]+)/.exec(c);
		if (m) return m[1];
	}
	die(`sign-in at ${base} set no yj_session cookie (Set-Cookie: ${JSON.stringify(sc)})`);
}

// init + user add for one database; each gets its own key directory.
function initDb(db, name) {
	const keys = path.join(work, `${name}.keys`);
	run(YIJIAN, ['init', '--db', db, '--keys', keys]);
	run(YIJIAN, ['user', 'add', '--db', db, '--keys', keys, '--username', 'bench', '--role', 'leader', '--region', '330000', '--department', 'health'], {
		input: `${PASSWORD}\n`,
	});
	return keys;
}

async function startYijian(name, db, keys) {
	const port = await freePort();
	const child = start(name, YIJIAN, ['serve', '--db', db, '--keys', keys, '--listen', `127.0.0.1:${port}`, '--web', '', '--quiet']);
	const base = `http://127.0.0.1:${port}`;
	await waitHealthy(child, base);
	return { child, base, port };
}

// ---------------------------------------------------------------- output

const fmtMs = (v) => (Number.isFinite(v) ? (v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`) : '—');
const fmtRps = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const pad = (s, n) => {
	s = String(s);
	const w = [...s].reduce((a, ch) => a + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
	return s + ' '.repeat(Math.max(0, n - w));
};
const lpad = (s, n) => ' '.repeat(Math.max(0, n - String(s).length)) + s;

// ---------------------------------------------------------------- main

async function main() {
	const t0 = Date.now();
	if (!existsSync(YIJIAN)) die(`${YIJIAN} not found: build it first (make build)`);
	if (!existsSync(PG_CLUSTER)) die('scripts/pg-cluster not found');
	const version = run(YIJIAN, ['--version']).trim().replace(/^yijian\s+/, '');

	work = mkdtempSync(path.join(os.tmpdir(), 'yijian-bench-'));
	chmodSync(work, 0o755); // PostgreSQL runs as the postgres user and must reach its directory
	log(`work directory ${work}`);

	// 1. PostgreSQL
	pgDir = path.join(work, 'pg');
	const pgOut = run(PG_CLUSTER, ['start', pgDir], { env: { ...env, PG_FSYNC } });
	const pgUrl = pgOut.trim().split('\n').pop().trim();
	if (!/^postgres(ql)?:\/\//.test(pgUrl)) die(`scripts/pg-cluster start printed no URL: ${JSON.stringify(pgOut)}`);
	log(`PostgreSQL at ${pgUrl.replace(/:[^:@/]*@/, ':…@')} (fsync=${PG_FSYNC})`);
	const sqliteUrl = `sqlite:${path.join(work, 'yijian.db')}`;

	// 2. yijian on both engines
	const pgKeys = initDb(pgUrl, 'pg');
	const sqKeys = initDb(sqliteUrl, 'sqlite');
	const yjPg = await startYijian('yijian-pg', pgUrl, pgKeys);
	const yjSq = await startYijian('yijian-sqlite', sqliteUrl, sqKeys);
	const cookiePg = await signIn(yjPg.base);
	const cookieSq = await signIn(yjSq.base);
	const health = JSON.parse((await get(yjPg.base, '/healthz')).body.toString());

	// 3. the baseline, on the same PostgreSQL database and the same session: one Node process (the
	// named baseline of the ratios) and, for reference, a node:cluster of BENCH_BASELINE_WORKERS2.
	const startBaseline = async (name, workers) => {
		const port = await freePort();
		const child = start(name, process.execPath, [path.join(here, 'baseline/server.mjs'), '--db', pgUrl, '--listen', `127.0.0.1:${port}`], {
			NODE_ENV: 'production',
			BASELINE_POOL: String(BASELINE_POOL),
			BASELINE_WORKERS: String(workers),
			YJ_ENGINE: String(health.engine),
			YJ_VERSION: String(health.version),
		});
		const s = { child, base: `http://127.0.0.1:${port}`, port };
		await waitHealthy(child, s.base);
		return s;
	};
	const bl = await startBaseline('baseline', BASELINE_WORKERS);
	// The second baseline, Go net/http + pgx (bench/baseline-go), built offline from Debian's packages when
	// `go` is installed (scripts/setup-deps); skipped with a note otherwise.
	let blGo = null;
	const goBin = path.join(work, 'baseline-go');
	let goBuilt = false;
	try {
		execFileSync('go', ['build', '-o', goBin, '.'], {
			cwd: path.join(here, 'baseline-go'), stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOCACHE: env.GOCACHE || path.join(work, 'gocache'), HOME: env.HOME || work },
		});
		goBuilt = true;
	} catch (e) {
		log(`Go baseline skipped (go build failed or go missing: ${String(e.stderr || e.message).split('\n')[0]})`);
	}
	if (goBuilt) {
		const port = await freePort();
		const child = start('baseline-go', goBin, ['--db', pgUrl, '--listen', `127.0.0.1:${port}`], {
			BASELINE_POOL: String(BASELINE_POOL), YJ_ENGINE: String(health.engine), YJ_VERSION: String(health.version),
		});
		blGo = { child, base: `http://127.0.0.1:${port}`, port };
		await waitHealthy(child, blGo.base);
	}
	const bl2 = BASELINE_WORKERS2 > 0 ? await startBaseline('baseline-cluster', BASELINE_WORKERS2) : null;

	// Byte-for-byte equality before measuring anything.
	const first = JSON.parse((await get(yjPg.base, REGIONS, cookiePg)).body.toString() || '{}');
	const checks = ['/healthz', REGIONS, '/api/v1/regions?limit=200', '/api/v1/regions?parent=330100', '/api/v1/regions?level=3&limit=7',
		`/api/v1/regions?q=${encodeURIComponent('杭州')}`, '/api/v1/regions?limit=1', '/api/v1/regions?parent=110000'].map((p) => ({ p, status: 200 }));
	if (first.next_cursor) checks.push({ p: `${REGIONS}&cursor=${first.next_cursor}`, status: 200 });
	checks.push({ p: REGIONS, status: 401, anonymous: true });
	const compared = [];
	for (const { p, status, anonymous } of checks) {
		const cookie = p === '/healthz' || anonymous ? null : cookiePg;
		const a = await get(yjPg.base, p, cookie);
		if (a.status !== status) die(`yijian answered ${a.status} (expected ${status}) to GET ${p}: ${a.body}`);
		for (const other of [bl, bl2, blGo].filter(Boolean)) {
			const b = await get(other.base, p, cookie);
			if (a.status === b.status && a.body.equals(b.body)) continue;
			let i = 0;
			while (i < a.body.length && a.body[i] === b.body[i]) i++;
			die(`yijian and the baseline answer GET ${p} differently (first difference at byte ${i}):\n` +
				`  yijian   ${a.status} ${a.body.toString()}\n  baseline ${b.status} ${b.body.toString()}`);
		}
		compared.push({ path: p, status, bytes: a.body.length });
	}
	// yijian on SQLite must list the same regions as on PostgreSQL.
	const sq = await get(yjSq.base, REGIONS, cookieSq);
	const pgRegions = await get(yjPg.base, REGIONS, cookiePg);
	if (!sq.body.equals(pgRegions.body)) die(`yijian on SQLite and on PostgreSQL answer GET ${REGIONS} differently:\n  sqlite ${sq.body}\n  pg     ${pgRegions.body}`);
	if (!(first.items?.length > 0)) die(`GET ${REGIONS} returned no items: ${JSON.stringify(first)}`);
	log(`responses identical on ${compared.length} requests (${REGIONS}: ${pgRegions.body.length} bytes, ${first.items.length} items)`);

	// 4. throughput and latency
	const servers = [
		{ key: 'yijian_pg', label: 'yijian, PostgreSQL', s: yjPg, cookie: cookiePg },
		{ key: 'baseline_pg', label: 'baseline, PostgreSQL', s: bl, cookie: cookiePg },
		...(bl2 ? [{ key: 'baseline_pg_cluster', label: `baseline ×${BASELINE_WORKERS2} procs`, s: bl2, cookie: cookiePg }] : []),
		...(blGo ? [{ key: 'baseline_go', label: 'Go net/http + pgx', s: blGo, cookie: cookiePg }] : []),
		{ key: 'yijian_sqlite', label: 'yijian, SQLite', s: yjSq, cookie: cookieSq },
	];
	const endpoints = [
		{ path: '/healthz', auth: false },
		{ path: REGIONS, auth: true },
	];
	const results = [];
	let broken = [];
	for (const ep of endpoints) {
		for (const sv of servers) {
			const url = sv.s.base + ep.path;
			const cookie = ep.auth ? sv.cookie : null;
			log(`${ep.path} on ${sv.label}: warm-up ${WARMUP} s, then ${SECONDS} s`);
			if (WARMUP > 0) await wrk(url, WARMUP, cookie);
			const res = await wrk(url, SECONDS, cookie);
			if (sv.s.child.exited) die(`${sv.label} died under load:\n${tail(sv.s.child.logFile)}`);
			const bad = problems(res);
			if (bad.length) broken.push(`${sv.label} ${ep.path}: ${bad.join('; ')}`);
			results.push({ endpoint: ep.path, server: sv.key, label: sv.label, ...res, problems: bad });
		}
	}

	// 5. RSS soak
	let soak = null;
	if (SOAK > 0) {
		const pid = yjPg.child.pid;
		log(`RSS soak: ${REGIONS} on yijian (PostgreSQL, pid ${pid}) for ${SOAK} s, VmRSS every ${SOAK_SAMPLE} s`);
		const samples = [];
		const tStart = Date.now();
		const load = wrk(yjPg.base + REGIONS, SOAK, cookiePg);
		let done = false;
		load.then(() => (done = true));
		samples.push({ t: 0, rss_kib: rssKiB(pid) });
		while (!done) {
			const next = tStart + (samples.length * SOAK_SAMPLE) * 1000;
			while (!done && Date.now() < next) await sleep(Math.min(200, Math.max(1, next - Date.now())));
			if (done) break;
			const v = rssKiB(pid);
			if (v === null) die(`yijian (pid ${pid}) vanished during the soak:\n${tail(yjPg.child.logFile)}`);
			samples.push({ t: Math.round((Date.now() - tStart) / 1000), rss_kib: v });
		}
		const res = await load;
		const win = Math.min(60, SOAK / 2);
		const avg = (xs) => xs.reduce((a, x) => a + x.rss_kib, 0) / xs.length;
		const firstW = samples.filter((x) => x.t <= win);
		const lastW = samples.filter((x) => x.t >= SOAK - win);
		const a = avg(firstW);
		const b = avg(lastW);
		const bad = problems(res);
		if (bad.length) broken.push(`soak: ${bad.join('; ')}`);
		soak = {
			seconds: SOAK, sample_every_s: SOAK_SAMPLE, window_s: win, first_window_avg_kib: a, last_window_avg_kib: b,
			change_pct: ((b - a) / a) * 100, samples, wrk: { command: res.command, rps: res.rps, requests: res.requests, latency_ms: res.latency_ms, problems: bad, raw: res.raw },
		};
	}

	// ---- report
	const date = new Date().toISOString();
	const mach = machine();
	const byKey = (ep, k) => results.find((r) => r.endpoint === ep && r.server === k);
	const lines = [];
	lines.push('');
	lines.push(`yijian ${version} bench — ${date.slice(0, 19).replace('T', ' ')} UTC — ${mach.cpu}, ${mach.cores} cores`);
	lines.push(`wrk -t${THREADS} -c${CONNS} -d${SECONDS}s --latency (after a ${WARMUP} s warm-up); PostgreSQL fsync=${PG_FSYNC};`);
	lines.push(`baseline: Fastify ${mach.fastify} + pg ${mach.pg} on Node ${mach.node}, pool ${BASELINE_POOL}, ${BASELINE_WORKERS} process(es).`);
	lines.push(`NOTE: wrk, the server under test and PostgreSQL all share these ${mach.cores} cores; numbers are relative, not capacity.`);
	lines.push('');
	const hdr = `${pad('endpoint', 27)}${pad('server', 22)}${lpad('req/s', 9)}${lpad('p50', 11)}${lpad('p99', 11)}${lpad('× baseline', 12)}   target`;
	lines.push(hdr);
	lines.push('-'.repeat(hdr.length + 20));
	const summary = [];
	for (const ep of endpoints) {
		const base = byKey(ep.path, 'baseline_pg');
		for (const sv of servers) {
			const r = byKey(ep.path, sv.key);
			const ratio = sv.key === 'baseline_pg' ? null : r.rps / base.rps;
			r.ratio_vs_baseline = ratio;
			let target = '';
			if (sv.key === 'yijian_pg') {
				const ok = ratio >= TARGET_RATIO && r.latency_ms.p99 < TARGET_P99_MS;
				r.target_met = ok;
				target = `≥${TARGET_RATIO}× and p99 < ${TARGET_P99_MS} ms: ${ok ? 'met' : 'NOT met'}`;
				summary.push({ endpoint: ep.path, ratio, p99_ms: r.latency_ms.p99, target_met: ok });
			} else if (sv.key === 'yijian_sqlite') {
				target = '(other engine; for reference)';
			} else if (sv.key === 'baseline_go') {
				const y = byKey(ep.path, 'yijian_pg');
				r.yijian_ratio_vs_this = y.rps / r.rps;
				target = `(second baseline: yijian is ${(y.rps / r.rps).toFixed(2)}× this)`;
			} else if (sv.key === 'baseline_pg_cluster') {
				const y = byKey(ep.path, 'yijian_pg');
				r.yijian_ratio_vs_this = y.rps / r.rps;
				target = `(reference: yijian is ${(y.rps / r.rps).toFixed(2)}× this)`;
			} else {
				target = '(baseline)';
			}
			if (r.problems.length) target += `  ERRORS: ${r.problems.join('; ')}`;
			lines.push(`${pad(ep.path, 27)}${pad(sv.label, 22)}${lpad(fmtRps(r.rps), 9)}${lpad(fmtMs(r.latency_ms.p50), 11)}${lpad(fmtMs(r.latency_ms.p99), 11)}${lpad(ratio === null ? '1.00×' : `${ratio.toFixed(2)}×`, 12)}   ${target}`);
		}
	}
	if (soak) {
		const ok = Math.abs(soak.change_pct) <= TARGET_RSS_PCT;
		soak.target_met = ok;
		lines.push('');
		lines.push(`RSS soak, yijian (PostgreSQL) under ${REGIONS} load for ${SOAK} s (${fmtRps(soak.wrk.rps)} req/s, p99 ${fmtMs(soak.wrk.latency_ms.p99)}):`);
		lines.push(`  first ${soak.window_s} s average ${(soak.first_window_avg_kib / 1024).toFixed(1)} MiB, last ${soak.window_s} s average ${(soak.last_window_avg_kib / 1024).toFixed(1)} MiB, change ${soak.change_pct >= 0 ? '+' : ''}${soak.change_pct.toFixed(1)} %   target within ±${TARGET_RSS_PCT} %: ${ok ? 'met' : 'NOT met'}`);
	} else {
		lines.push('');
		lines.push('RSS soak skipped (BENCH_SOAK_SECONDS=0).');
	}
	lines.push('');
	lines.push(`Raw numbers: bench/results/latest.json   (total ${Math.round((Date.now() - t0) / 1000)} s)`);
	process.stdout.write(`${lines.join('\n')}\n`);

	const out = {
		date, yijian_version: version, machine: mach,
		settings: { seconds: SECONDS, warmup_seconds: WARMUP, connections: CONNS, wrk_threads: THREADS, soak_seconds: SOAK, pg_fsync: PG_FSYNC,
			baseline_pool: BASELINE_POOL, baseline_workers: BASELINE_WORKERS, baseline_workers_reference: BASELINE_WORKERS2, yijian_threads: 'default' },
		targets: { ratio_vs_baseline: TARGET_RATIO, p99_ms: TARGET_P99_MS, rss_change_pct: TARGET_RSS_PCT },
		equality_checked: compared, summary, results, soak, errors: broken,
	};
	mkdirSync(path.join(here, 'results'), { recursive: true });
	writeFileSync(path.join(here, 'results/latest.json'), `${JSON.stringify(out, null, 2)}\n`);

	await stop(bl.child);
	await stop(bl2?.child);
	await stop(blGo?.child);
	await stop(yjSq.child);
	await stop(yjPg.child);
	cleanup();
	if (broken.length) {
		process.stderr.write(`\nbench: FAILED: errors under load make these numbers meaningless:\n  ${broken.join('\n  ')}\n`);
		process.exit(1);
	}
}

main().catch((e) => die(e.stack || String(e)));
