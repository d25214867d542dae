// bench/lib.mjs — the scaffolding the wrk-driven benches share (bench/credit_check.mjs, bench/enforcement.mjs):
// the binary under test, environment numbers, a throwaway PostgreSQL, servers started with their logs in the work
// directory, sign-in, wrk runs parsed into figures (with the CPU per request of a server and of PostgreSQL's
// backends, which a loaded machine distorts far less than latency), the load average and a markdown table; and wrk
// paced to a stated offered rate (pacedScript, latencyCurve: latency at a load, not only at saturation).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const top = path.resolve(here, '..');
export const env = process.env;
export const PASSWORD = 'Celiang-mima-2026';
export const PG_CLUSTER = path.resolve(top, 'scripts/pg-cluster');

// The binary under test: YIJIAN_BIN, as the API suites and every bench read it; BENCH_YIJIAN is its older alias.
export const yijianBin = () => path.resolve(top, env.YIJIAN_BIN || env.BENCH_YIJIAN || 'build/yijian');
// A number from the environment, the default when unset or empty.
export const num = (k, d) => (env[k] === undefined || env[k] === '' ? d : Number(env[k]));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
export const toMs = (s) => { const m = /^([\d.]+)(us|ms|s)$/.exec(s); return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN; };
// A figure for a table: '-' where it could not be measured.
export const fmt = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '-');
export const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`,
	...rows.map((r) => `| ${r.join(' | ')} |`)];
export const freePort = () => new Promise((res, rej) => {
	const s = createServer();
	s.on('error', rej);
	s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
});

// The numeric fields of the first log line of yijian whose msg is name (an import's phase lines: import.checked, …),
// as { field: number }; {} when out has no such line.
export function phaseLine(out, name) {
	const line = new RegExp(`"msg":"${name.replace('.', '\\.')}"[^\n]*`).exec(out)?.[0] ?? '';
	const r = {};
	for (const m of line.matchAll(/"(\w+)":(-?[\d.]+)/g)) r[m[1]] = Number(m[2]);
	return r;
}

// CPU seconds (user + system) of a process.
const TICK = 100; // USER_HZ on Linux

// CPU seconds of the PostgreSQL cluster in pgDir (scripts/pg-cluster's directory): the postmaster and its children
// (the backends), with the children it has reaped.
export function pgClusterCpu(pgDir) {
	const master = Number(readFileSync(path.join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
	let t = 0;
	for (const d of readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
			if (Number(d) === master || Number(f[1]) === master) t += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
		} catch {}
	}
	return t;
}
export function cpuOf(pid) {
	try {
		const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return (Number(f[11]) + Number(f[12])) / TICK;
	} catch { return 0; }
}

// One bench's session: its name in messages, its work directory, PostgreSQL cluster and child processes, all
// stopped and removed by cleanup() (on exit, failure or a signal) unless BENCH_KEEP is set.
export function session(name) {
	const b = { work: null, pgDir: null, children: new Set(), cleaned: false };
	b.log = (m) => process.stderr.write(`${name}: ${m}\n`);
	b.cleanup = () => {
		if (b.cleaned) return;
		b.cleaned = true;
		for (const c of b.children) try { c.kill('SIGTERM'); } catch {}
		if (b.pgDir && !env.BENCH_KEEP) try { execFileSync(PG_CLUSTER, ['stop', b.pgDir], { stdio: 'ignore' }); } catch {}
		if (b.work && !env.BENCH_KEEP) rmSync(b.work, { recursive: true, force: true });
	};
	b.die = (msg) => {
		process.stderr.write(`\n${name}: FAILED: ${msg}\n`);
		b.cleanup();
		process.exit(1);
	};
	for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { b.cleanup(); process.exit(130); });
	b.run = (cmd, args, opts = {}) => {
		try {
			return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 26, ...opts });
		} catch (e) {
			b.die(`${cmd} ${args.join(' ').slice(0, 200)}: ${e.stderr || e.message}`);
		}
	};
	b.psql = (url, sql) => b.run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql]);
	// The work directory and a PostgreSQL cluster in it (fsync off); answers the cluster's URL.
	b.startPg = (prefix) => {
		b.work = mkdtempSync(path.join(os.tmpdir(), prefix));
		chmodSync(b.work, 0o755);
		b.pgDir = path.join(b.work, 'pg');
		return b.run(PG_CLUSTER, ['start', b.pgDir], { env: { ...env, PG_FSYNC: 'off' } }).trim().split('\n').pop().trim();
	};
	// `yijian init` on db with keys in the work directory, then users [username, role] of the department health in region.
	b.initYijian = (bin, db, region, users) => {
		const keys = path.join(b.work, 'keys');
		b.run(bin, ['init', '--db', db, '--keys', keys]);
		for (const [u, role] of users)
			b.run(bin, ['user', 'add', '--db', db, '--keys', keys, '--username', u, '--role', role, '--region', region,
				'--department', 'health'], { input: `${PASSWORD}\n` });
		return keys;
	};
	// A long-running server, its output in <work>/<label>.log.
	b.start = (label, cmd, args, extra = {}) => {
		const fd = openSync(path.join(b.work, `${label}.log`), 'a');
		const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...env, ...extra } });
		child.label = label;
		b.children.add(child);
		child.on('exit', (code, sig) => { b.children.delete(child); child.exited = { code, sig }; });
		return child;
	};
	// Waits for the server's /healthz; dies with the end of its log when it exits first.
	b.healthy = async (child, base) => {
		for (const end = Date.now() + 60000; Date.now() < end; await sleep(100)) {
			if (child.exited) b.die(`${child.label} exited at start: ${readFileSync(path.join(b.work, `${child.label}.log`), 'utf8').slice(-2000)}`);
			try { if ((await fetch(`${base}/healthz`)).status === 200) return; } catch {}
		}
		b.die(`${child.label} not healthy in 60 s`);
	};
	// `yijian serve` on a free port with no web directory (and the extra args and environment); answers { child, base }
	// once it is healthy.
	b.serveYijian = async (bin, db, keys, label = 'yijian', args = [], extraEnv = {}) => {
		const port = await freePort();
		const child = b.start(label, bin, ['serve', '--db', db, '--keys', keys, '--listen', `127.0.0.1:${port}`, '--web', '', '--quiet',
			...args], extraEnv);
		const base = `http://127.0.0.1:${port}`;
		await b.healthy(child, base);
		return { child, base };
	};
	// The Fastify + pg baseline (bench/baseline/server.mjs) on db, one worker with a pool of `pool`.
	b.serveBaseline = async (db, pool) => {
		const port = await freePort();
		const child = b.start('baseline', process.execPath, [path.join(here, 'baseline/server.mjs'), '--db', db, '--listen', `127.0.0.1:${port}`],
			{ NODE_ENV: 'production', BASELINE_POOL: String(pool), BASELINE_WORKERS: '1' });
		const base = `http://127.0.0.1:${port}`;
		await b.healthy(child, base);
		return { child, base };
	};
	// Signs in with PASSWORD; answers { cookie, csrf }.
	b.signIn = async (base, username) => {
		const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ username, password: PASSWORD }) });
		const csrf = (await r.clone().json().catch(() => ({}))).csrf_token;
		for (const c of r.headers.getSetCookie()) {
			const m = /(?:^|;\s*)yj_session=([^;]+)/.exec(c);
			if (m) return { cookie: m[1], csrf };
		}
		b.die(`sign-in answered ${r.status}: ${await r.text()}`);
	};
	// CPU seconds of the PostgreSQL cluster (pgClusterCpu).
	b.pgCpu = () => pgClusterCpu(b.pgDir);
	// wrk against url for seconds with the session cookie and an optional Lua script: { rps, non2xx, requests,
	// errors, p50, p75, p90, p99, max (ms) }, and with pid the CPU ms per request of that process and of PostgreSQL.
	// With rate (requests/s over all connections) the requests are paced (pacedScript): then also rate, late, p999.
	b.wrk = (url, seconds, { cookie, script, pid, conns, threads, rate }) => {
		const c0 = pid ? cpuOf(pid) : 0, p0 = pid ? b.pgCpu() : 0;
		const t = Math.min(threads, conns);
		const args = [`-t${t}`, `-c${conns}`, `-d${seconds}s`, '--latency', '-H', `Cookie: yj_session=${cookie}`];
		if (rate) script = pacedScript(b.work, { rate, conns, threads: t, script });
		if (script) args.push('-s', script);
		args.push(url);
		const out = b.run('wrk', args, { timeout: (seconds + 30) * 1000 });
		const r = { rps: Number((/Requests\/sec:\s*([\d.]+)/.exec(out) || [])[1]), non2xx: Number((/Non-2xx or 3xx responses:\s*(\d+)/.exec(out) || [0, 0])[1]),
			requests: Number((/(\d+) requests in/.exec(out) || [0, 0])[1]), errors: (/Socket errors:[^\n]*/.exec(out) || [''])[0], ...wrkLatency(out) };
		if (rate) r.rate = rate;
		if (pid && r.requests) {
			r.cpu_ms = ((cpuOf(pid) - c0) * 1000) / r.requests;
			r.pg_cpu_ms = ((b.pgCpu() - p0) * 1000) / r.requests;
		}
		return r;
	};
	return b;
}

// One figure for the summary bench/run prints at the end (docs/benchmarks.md, "The summary of make bench"): a line
// `bench-result {json}` on stdout, and the JSON appended to the file BENCH_RESULTS names when bench/run set it. The
// fields: bench, figure (named as docs/benchmarks.md's tables name it), value and unit (yijian's), baseline and
// baseline_value (null when the target is absolute), ratio (how many times better yijian is than the baseline:
// value ÷ baseline_value when higher is better, the inverse when lower is, unless the bench gives its own), target (the
// issue's, as text; null for a figure reported for reference) and met (true, false, or null for reference). met is
// computed from min (value ≥ min), max (value < max), atMost (value ≤ atMost) and ratioMin (ratio ≥ ratioMin) when not
// given; all that are given must hold. (The import sits here, not above, to keep this addition apart from the rest.)
import { appendFileSync } from 'node:fs';
export function benchResult({ bench, figure, value, unit, baseline = null, baseline_value = null, ratio, target = null, met,
	higher = true, min, max, atMost, ratioMin }) {
	const n = (v) => (typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(6)) : null);
	value = n(value);
	baseline_value = n(baseline_value);
	if (ratio === undefined)
		ratio = value !== null && baseline_value ? (higher ? value / baseline_value : value ? baseline_value / value : null) : null;
	ratio = n(ratio);
	if (met === undefined) {
		const checks = [];
		if (min !== undefined) checks.push(value === null ? null : value >= min);
		if (max !== undefined) checks.push(value === null ? null : value < max);
		if (atMost !== undefined) checks.push(value === null ? null : value <= atMost);
		if (ratioMin !== undefined) checks.push(ratio === null ? null : ratio >= ratioMin);
		met = !checks.length || checks.includes(null) ? null : checks.every(Boolean);
	}
	const r = { bench, figure, value, unit, baseline, baseline_value, ratio, target, met };
	const line = JSON.stringify(r);
	process.stdout.write(`bench-result ${line}\n`);
	if (env.BENCH_RESULTS) appendFileSync(env.BENCH_RESULTS, `${line}\n`);
	return r;
}
// wrk's latency figures in ms from its output: p50, p75, p90, p99 (--latency), max (Thread Stats), and from a paced
// script's done() p999 and late (the share of requests whose slot came while every connection of its thread was busy).
export function wrkLatency(out) {
	const r = {};
	for (const line of (out.split('Latency Distribution')[1] || '').split('\n')) {
		const m = /^\s*(\d+)%\s+([\d.]+\w+)\s*$/.exec(line);
		if (m) r[`p${m[1]}`] = toMs(m[2]);
	}
	const mx = /^\s*Latency\s+\S+\s+\S+\s+([\d.]+\w+)/m.exec(out);
	if (mx) r.max = toMs(mx[1]);
	const p = /yj-paced late (\d+) of (\d+) p99\.9 (\d+)/.exec(out);
	if (p) Object.assign(r, { late: Number(p[2]) ? Number(p[1]) / Number(p[2]) : 0, p999: Number(p[3]) / 1000 });
	return r;
}

// A wrk Lua script in dir that paces the requests of `script` (its path, or none: wrk's plain GET) to `rate` requests/s
// over all connections: each of wrk's `threads` keeps a Poisson arrival schedule of rate/threads (exponential gaps, a
// PRNG of its own so the script's math.random sequence is untouched), and delay() — which wrk calls when a connection's
// response is complete — answers the milliseconds until the thread's next arrival (wrk's timers take whole ms: the
// fraction is rounded at random, so the mean is kept). A connection's think time is thus the gap to the next arrival,
// not a fixed mean of conns/rate: that mean would add each response's latency to the cycle and offer less than asked.
// wrk times a request from its send (socket_writeable sets c->start after the delay's timer fires), so the delay is
// not in the latency. When every connection is busy at an arrival, the request goes out late (at once, when one is
// free) and its wait is not in the latency either: done() prints that share ("late"), which must stay near 0 for the
// figures to describe the offered rate. The script's own setup/init/request/response/done are kept (wrapped).
export function pacedScript(dir, { rate, conns, threads, script }) {
	const file = path.join(dir, `paced-${Math.round(rate)}-${path.basename(script || 'get.lua')}`);
	writeFileSync(file, `-- ${rate} requests/s over ${conns} connections in ${threads} threads (bench/lib.mjs pacedScript)
${script ? `dofile(${JSON.stringify(path.resolve(script))})` : ''}
local ffi = require("ffi")
pcall(ffi.cdef, "typedef struct { long s; long ns; } yj_pace_ts; int clock_gettime(int, yj_pace_ts *);")
local ts = ffi.new("yj_pace_ts")
local function now_ms() ffi.C.clock_gettime(1, ts); return tonumber(ts.s) * 1000 + tonumber(ts.ns) / 1e6 end
local gap = ${(1000 * threads) / rate} -- mean ms between one thread's arrivals
local seed, nxt = nil, nil
local function uniform() seed = (seed * 16807) % 2147483647; return seed / 2147483647 end
yj_late, yj_sent = 0, 0
function delay()
  local t = now_ms()
  if not nxt then
    seed = 1 + (math.floor(t * 1000) + tonumber(tostring({}):match("0x(%x+)") or "7", 16)) % 2147483646
    nxt = t
  end
  nxt = nxt - gap * math.log(uniform())
  yj_sent = yj_sent + 1
  local d = nxt - t
  if d <= 0 then yj_late = yj_late + 1; return 0 end
  return math.floor(d + uniform())
end
local yj_threads, user_setup, user_done = {}, setup, done
function setup(thread) table.insert(yj_threads, thread); if user_setup then user_setup(thread) end end
function done(summary, latency, requests)
  if user_done then user_done(summary, latency, requests) end
  local late, sent = 0, 0
  for _, th in ipairs(yj_threads) do late = late + th:get("yj_late"); sent = sent + th:get("yj_sent") end
  io.write(string.format("yj-paced late %d of %d p99.9 %d\\n", late, sent, latency:percentile(99.9)))
end
`);
	return file;
}

// A latency–throughput curve at the offered rates (ascending): run(rate) answers wrk's figures (b.wrk with rate);
// answers { points, lines, best }: lines a markdown table (offered and achieved req/s, p50/p90/p99/p99.9/max ms, late
// share) with `mark` (the rate the target names) flagged, and best the highest offered rate whose p99 is under
// targetP99 with at least 95 % of it achieved (a rate the server could not take is no pass; each point's ok says so).
// With warmup (s), run(rates[0], warmup) first, not reported: the work a saturation run leaves behind (autovacuum,
// the last server's idle connections) otherwise lands in the first point.
export async function latencyCurve({ rates, mark, targetP99, run, warmup = 0 }) {
	if (warmup > 0) await run(rates[0], warmup);
	const points = [];
	for (const rate of rates) points.push({ rate, ...(await run(rate)) });
	const ok = (p) => (p.ok = p.p99 < targetP99 && p.rps >= 0.95 * p.rate);
	const best = points.filter(ok).reduce((a, p) => (p.rate > (a?.rate ?? 0) ? p : a), null);
	const lines = table(['offered req/s', 'achieved', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'late %', `p99 < ${targetP99} ms`],
		points.map((p) => [`${fmt(p.rate, 0)}${p.rate === mark ? ' ◀ target rate' : ''}`, fmt(p.rps, 0), fmt(p.p50), fmt(p.p90), fmt(p.p99),
			fmt(p.p999), fmt(p.max), fmt(100 * p.late, 1), p.ok ? 'yes' : 'no']));
	return { points, lines, best };
}
