// bench/credit_check_cpu.mjs — the CPU one credit check costs (GET /api/v1/credit/check, issue 12): the server's
// process and the whole PostgreSQL cluster, user + system from /proc, per check, at a fixed paced rate — a figure the
// machine's load changes far less than latency. Builds may be compared: each of BENCH_CPU_BINS is served in turn on
// the same database, BENCH_CPU_ROUNDS times alternating (old, new, old, new …), so drift falls on all alike.
//
// The setup is bench/credit_check.mjs's (a throwaway cluster, BENCH_CHECK_SUBJECTS institutions through the API, grades
// and black-list entries in bulk), with pg_stat_statements loaded: each run also prints PostgreSQL's statements per
// check and their server time (total_exec_time + total_plan_time) per check, and with BENCH_CPU_STATEMENTS=1 the
// statements themselves; and the context switches per check of the server's threads and of the cluster's processes.
// A diagnostic, not part of `make bench` (docs/benchmarks.md, "The credit check's CPU per request").
//
// Environment: BENCH_CPU_BINS (label=path,… ; default "yijian=$YIJIAN_BIN"), BENCH_CPU_ROUNDS (2), BENCH_CPU_RATE
// (1500 checks/s), BENCH_CPU_SECONDS (15), BENCH_WARMUP_SECONDS (3), BENCH_CHECK_SUBJECTS (300), BENCH_CONNECTIONS
// (64), BENCH_CPU_DECISION (grade_review; no_such_decision measures the reads without the leaf), BENCH_KEEP=1.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedCheckSubjects } from './credit_seed.mjs';
import { fmt, num, session, table, yijianBin } from './lib.mjs';

const SUBJECTS = num('BENCH_CHECK_SUBJECTS', 300);
const ROUNDS = num('BENCH_CPU_ROUNDS', 2);
const RATE = num('BENCH_CPU_RATE', 1500);
const SECONDS = num('BENCH_CPU_SECONDS', 15);
const WARMUP = num('BENCH_WARMUP_SECONDS', 3);
const CONNS = num('BENCH_CONNECTIONS', 64);
const DECISION = process.env.BENCH_CPU_DECISION || 'grade_review';
const COUNTY = '330302';
const BINS = (process.env.BENCH_CPU_BINS || `yijian=${yijianBin()}`).split(',').map((s) => {
	const [label, bin] = s.includes('=') ? s.split('=') : [path.basename(s), s];
	return { label, bin: path.resolve(bin) };
});

const B = session('bench/credit-check-cpu');
const { die, psql } = B;

// pg_stat_statements needs shared_preload_libraries: set and restart the throwaway cluster (pg_ctl restart keeps the
// options scripts/pg-cluster started it with).
function withStatements(pgUrl) {
	psql(pgUrl, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
	const bindir = execFileSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'], { encoding: 'utf8' }).trim();
	const ctl = [path.join(bindir, 'pg_ctl'), '-D', path.join(B.pgDir, 'data'), '-l', path.join(B.pgDir, 'server.log'), '-w', '-t', '60', 'restart'];
	const asRoot = process.getuid?.() === 0;
	B.run(asRoot ? 'runuser' : ctl[0], asRoot ? ['-u', 'postgres', '--', ...ctl] : ctl.slice(1));
	psql(pgUrl, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
	psql(pgUrl, 'ALTER SYSTEM SET pg_stat_statements.track_planning = on');
	psql(pgUrl, 'SELECT pg_reload_conf()');
}

// BENCH_CPU_PERF=DIR: `perf record` of the server and of PostgreSQL's processes during each measured run, into
// DIR/<build>-<round>.{yijian,pg}.data (the CPU figures of such a run include perf's own cost: compare without it).
const PERF = process.env.BENCH_CPU_PERF;
function startPerf(name, pid) {
	const master = readFileSync(path.join(B.pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0];
	const pg = execFileSync('pgrep', ['-P', master], { encoding: 'utf8' }).trim().split('\n').join(',');
	const rec = (pids, out, graph) => spawn('perf', ['record', '-F', '499', '--call-graph', graph, '-p', pids, '-o', path.join(PERF, out),
		'--', 'sleep', String(SECONDS)], { stdio: 'ignore' });
	rec(`${master},${pg}`, `${name}.pg.data`, 'fp');
	return rec(String(pid), `${name}.yijian.data`, 'dwarf,16384');
}

// Context switches (voluntary + involuntary) of a process's threads, and of the PostgreSQL cluster's processes: each
// is a sleep and a wake-up, what a round trip or a hand-over between threads costs beyond its work.
function switchesOf(pids) {
	let n = 0;
	for (const pid of pids) {
		let tasks = [];
		try { tasks = readdirSync(`/proc/${pid}/task`); } catch { continue; }
		for (const t of tasks) {
			try {
				const st = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
				n += Number(/voluntary_ctxt_switches:\s*(\d+)/.exec(st)[1]) + Number(/nonvoluntary_ctxt_switches:\s*(\d+)/.exec(st)[1]);
			} catch {}
		}
	}
	return n;
}
const pgPids = () => {
	const master = readFileSync(path.join(B.pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0];
	return [master, ...execFileSync('pgrep', ['-P', master], { encoding: 'utf8' }).trim().split('\n')];
};

async function main() {
	for (const b of BINS) if (!b.bin || !path.isAbsolute(b.bin)) die(`bad BENCH_CPU_BINS entry ${b.label}`);
	const pgUrl = B.startPg('yijian-credit-cpu-');
	withStatements(pgUrl);
	const keys = B.initYijian(BINS[0].bin, pgUrl, COUNTY, [['bench.admin', 'admin'], ['county', 'leader']]);
	let { child: yj, base } = await B.serveYijian(BINS[0].bin, pgUrl, keys, 'setup');
	const { cookie: admin, csrf } = await B.signIn(base, 'bench.admin');
	const codes = await seedCheckSubjects(B, base, pgUrl, { county: COUNTY, n: SUBJECTS, admin, csrf });
	yj.kill('SIGTERM');
	await new Promise((r) => (yj.exited ? r() : yj.on('exit', r)));
	const script = path.join(B.work, 'check.lua');
	writeFileSync(script, `local codes = {${codes.map((c) => `"${c}"`).join(',')}}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(1000 + seed) end
function request() return wrk.format("GET", "/api/v1/credit/check?subject=" .. codes[math.random(#codes)] .. "&decision=${DECISION}") end
`);
	const xacts = () => Number(psql(pgUrl, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"));
	const statements = () => psql(pgUrl, `SELECT calls, total_exec_time + total_plan_time, plans, total_plan_time, regexp_replace(query, '\\s+', ' ', 'g')
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 2 DESC`)
		.split('\n').filter(Boolean).map((l) => { const [calls, ms, plans, planMs, ...q] = l.split('|');
			return { calls: Number(calls), ms: Number(ms), plans: Number(plans), planMs: Number(planMs), q: q.join('|') }; });
	const rows = [];
	let detail = [];
	for (let round = 0; round < ROUNDS; round++) {
		for (const b of BINS) {
			({ child: yj, base } = await B.serveYijian(b.bin, pgUrl, keys, `${b.label}-${round}`));
			const { cookie } = await B.signIn(base, 'county');
			const probe = await fetch(`${base}/api/v1/credit/check?subject=${codes[0]}&decision=${DECISION}`, { headers: { cookie: `yj_session=${cookie}` } });
			if (probe.status !== (DECISION === 'grade_review' ? 200 : 422)) die(`${b.label}: the check answered ${probe.status}`);
			if (WARMUP > 0) B.wrk(base + '/', WARMUP, { cookie, script, conns: CONNS, threads: 2, rate: RATE });
			psql(pgUrl, 'SELECT pg_stat_statements_reset()');
			const [x0, la0] = [xacts(), os.loadavg()[0]];
			const [s0, q0] = [switchesOf([yj.pid]), switchesOf(pgPids())];
			const perf = PERF && startPerf(`${b.label}-${round + 1}`, yj.pid);
			const r = B.wrk(base + '/', SECONDS, { cookie, script, pid: yj.pid, conns: CONNS, threads: 2, rate: RATE });
			if (perf) await new Promise((res) => (perf.exitCode !== null ? res() : perf.on('exit', res)));
			const st = statements().filter((s) => !/pg_stat_statements|pg_stat_database/.test(s.q));
			const [s1, q1] = [switchesOf([yj.pid]), switchesOf(pgPids())];
			const x1 = xacts() - 1; // this psql's own
			if (r.non2xx && DECISION === 'grade_review') die(`${b.label}: ${r.non2xx} non-2xx responses`);
			const n = r.requests;
			rows.push([b.label, round + 1, fmt(r.rps, 0), fmt(r.p50), fmt(r.p99), fmt(r.cpu_ms, 3), fmt(r.pg_cpu_ms, 3), fmt(r.cpu_ms + r.pg_cpu_ms, 3),
				fmt((s1 - s0) / n, 1), fmt((q1 - q0) / n, 1),
				fmt((x1 - x0) / n, 2), fmt(st.reduce((a, s) => a + s.calls, 0) / n, 2), fmt(st.reduce((a, s) => a + s.ms, 0) / n, 3),
				`${la0.toFixed(1)}–${os.loadavg()[0].toFixed(1)}`]);
			if (process.env.BENCH_CPU_STATEMENTS === '1')
				detail.push(`${b.label}, round ${round + 1}: statements per check, server ms per check (of it planning), plans per call, statement`,
					...st.slice(0, 12).map((s) => `  ${fmt(s.calls / n, 3)}  ${fmt(s.ms / n, 4)} (${fmt(s.planMs / n, 4)})  ${fmt(s.plans / s.calls, 2)}  ${s.q.slice(0, 140)}`));
			yj.kill('SIGTERM');
			await new Promise((res) => (yj.exited ? res() : yj.on('exit', res)));
		}
	}
	process.stdout.write([`bench/credit-check-cpu: ${DECISION}, ${SUBJECTS} institutions, PostgreSQL, ${CONNS} connections, ${RATE} checks/s offered`
		+ ` (paced), ${SECONDS} s a run, ${os.cpus().length} cores`,
	...table(['build', 'round', 'checks/s', 'p50 ms', 'p99 ms', 'server CPU ms/check', 'PostgreSQL CPU ms/check', 'sum ms/check',
		'server switches/check', 'PostgreSQL switches/check',
		'transactions/check', 'statements/check', 'statement ms/check', 'load average'], rows), ...detail].join('\n') + '\n');
	B.cleanup();
}
main().catch((e) => die(e.stack || String(e)));
