// bench/lib.mjs — the scaffolding the wrk-driven benches share (bench/credit_check.mjs, bench/enforcement.mjs):
// the binary under test, environment numbers, a throwaway PostgreSQL, servers started with their logs in the work
// directory, sign-in, wrk runs parsed into figures (with the CPU per request of a server and of PostgreSQL's
// backends, which a loaded machine distorts far less than latency), the load average and a markdown table.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

// CPU seconds (user + system) of a process.
const TICK = 100; // USER_HZ on Linux
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
	// CPU seconds of the PostgreSQL cluster: the postmaster and its children (the backends), with reaped children.
	b.pgCpu = () => {
		const master = Number(readFileSync(path.join(b.pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
		let t = 0;
		for (const d of readdirSync('/proc')) {
			if (!/^\d+$/.test(d)) continue;
			try {
				const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
				if (Number(d) === master || Number(f[1]) === master) t += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
			} catch {}
		}
		return t;
	};
	// wrk against url for seconds with the session cookie and an optional Lua script: { rps, non2xx, requests,
	// errors, p50, p75, p90, p99 (ms) }, and with pid the CPU ms per request of that process and of PostgreSQL.
	b.wrk = (url, seconds, { cookie, script, pid, conns, threads }) => {
		const c0 = pid ? cpuOf(pid) : 0, p0 = pid ? b.pgCpu() : 0;
		const args = [`-t${Math.min(threads, conns)}`, `-c${conns}`, `-d${seconds}s`, '--latency', '-H', `Cookie: yj_session=${cookie}`];
		if (script) args.push('-s', script);
		args.push(url);
		const out = b.run('wrk', args, { timeout: (seconds + 30) * 1000 });
		const r = { rps: Number((/Requests\/sec:\s*([\d.]+)/.exec(out) || [])[1]), non2xx: Number((/Non-2xx or 3xx responses:\s*(\d+)/.exec(out) || [0, 0])[1]),
			requests: Number((/(\d+) requests in/.exec(out) || [0, 0])[1]), errors: (/Socket errors:[^\n]*/.exec(out) || [''])[0] };
		if (pid && r.requests) {
			r.cpu_ms = ((cpuOf(pid) - c0) * 1000) / r.requests;
			r.pg_cpu_ms = ((b.pgCpu() - p0) * 1000) / r.requests;
		}
		for (const line of (out.split('Latency Distribution')[1] || '').split('\n')) {
			const m = /^\s*(\d+)%\s+([\d.]+\w+)\s*$/.exec(line);
			if (m) r[`p${m[1]}`] = toMs(m[2]);
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
