// bench/credit_check.mjs — GET /api/v1/credit/check (the joint-punishment check, 三挂钩) on PostgreSQL at 64
// connections (issue 12, Performance: p99 < 10 ms and ≥ 3× the Fastify + pg baseline answering the same question with
// the same SQL), beside bench/baseline/server.mjs's route of the same name on the same database.
//
// A throwaway PostgreSQL (scripts/pg-cluster), initialised by `yijian init`, gets BENCH_CHECK_SUBJECTS (300)
// institutions through the API, then in bulk a grade for each (A–D in turn) and a black-list entry for every third.
// wrk asks, as a county leader, whether a random one of them (a Lua script, the same sequence for both servers) may
// take part in the grade review (grade_review): the answer is restricted by the black list and by grade D. Every check
// appends an audit leaf, so every request writes and waits for the log's head row. Before measuring the bench checks
// that both servers give the same answer (allowed and restrictions) for every subject. Figures are reported, never a
// pass/fail test; the exit status is non-zero only when the bench could not measure.
//
// Where the time goes, per request of each run: the CPU of the server's process and of the whole PostgreSQL cluster
// (from /proc: utime + stime), and the cluster's transactions (pg_stat_database xact_commit + xact_rollback). Besides
// the two servers, yijian is measured again with YIJIAN_GROUP_COMMIT=off (each check's leaf in a transaction of its own,
// as the baseline does) and refused before the leaf (an unknown decision: the reads without the write).
//
// Environment: BENCH_CHECK_SUBJECTS (300), BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64),
// BENCH_THREADS (2), BENCH_BASELINE_POOL (16), YIJIAN_BIN or BENCH_YIJIAN (build/yijian), BENCH_KEEP=1,
// BENCH_DISPATCH=both (also a serve --dispatch inline), BENCH_CHECK_SOLO=0 (skips the YIJIAN_GROUP_COMMIT=off run),
// BENCH_YIJIAN_THREADS (serve --threads; default serve's own, max(8, 4 × cores)).
//
// Then latency at a stated load (docs/benchmarks.md, "Latency at a stated load"): yijian paced to offered rates
// (bench/lib.mjs pacedScript: Poisson arrivals over the same connections) at BENCH_PACED_FRACTIONS (0.25,0.5,0.75,1,1.25)
// of the issue's throughput target, 3 × the baseline's requests/s measured above, BENCH_PACED_SECONDS (10) a point
// after a paced warm-up of BENCH_WARMUP_SECONDS at the first rate;
// the p99 at the target rate is the figure for the p99 target. BENCH_PACED=0 skips it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedCheckSubjects } from './credit_seed.mjs';
import { fmt, latencyCurve, num, session, table, yijianBin } from './lib.mjs';

const SUBJECTS = num('BENCH_CHECK_SUBJECTS', 300);
const SECONDS = num('BENCH_SECONDS', 15);
const WARMUP = num('BENCH_WARMUP_SECONDS', 3);
const CONNS = num('BENCH_CONNECTIONS', 64);
const THREADS = num('BENCH_THREADS', 2);
const POOL = num('BENCH_BASELINE_POOL', 16);
const YIJIAN = yijianBin();
const COUNTY = '330302';
const TARGET_P99_MS = 10;
const TARGET_RATIO = 3;
import { benchResult } from './lib.mjs'; // the summary lines of bench/run (kept apart from the import above)
const PACED = num('BENCH_PACED', 1), PACED_SECONDS = num('BENCH_PACED_SECONDS', 10);
const PACED_FRACTIONS = (process.env.BENCH_PACED_FRACTIONS || '0.25,0.5,0.75,1,1.25').split(',').map(Number);

const B = session('bench/credit-check');
const { die, log, psql } = B;
const wrk = (url, seconds, cookie, script, pid) => B.wrk(url, seconds, { cookie, script, pid, conns: CONNS, threads: THREADS });

async function main() {
	if (!existsSync(YIJIAN)) die(`${YIJIAN} not found: build it first`);
	const pgUrl = B.startPg('yijian-credit-');
	const keys = B.initYijian(YIJIAN, pgUrl, COUNTY, [['bench.admin', 'admin'], ['county', 'leader']]);
	const yjArgs = (process.env.BENCH_YIJIAN_THREADS ? ['--threads', process.env.BENCH_YIJIAN_THREADS] : []);
	const { child: yj, base: yjBase } = await B.serveYijian(YIJIAN, pgUrl, keys, 'yijian', yjArgs);
	// the institutions, through the API (the registry's own rows, keys and search grams)
	const { cookie: admin, csrf } = await B.signIn(yjBase, 'bench.admin');
	let t = Date.now();
	const codes = await seedCheckSubjects(B, yjBase, pgUrl, { county: COUNTY, n: SUBJECTS, admin, csrf });
	log(`${SUBJECTS} institutions with grades and black-list entries in ${((Date.now() - t) / 1000).toFixed(1)} s`);
	const { child: bl, base: blBase } = await B.serveBaseline(pgUrl, POOL);
	const { cookie } = await B.signIn(yjBase, 'county');
	const url = (code) => `/api/v1/credit/check?subject=${code}&decision=grade_review`;
	const answer = async (base, code) => {
		const r = await fetch(base + url(code), { headers: { cookie: `yj_session=${cookie}` } });
		if (r.status !== 200) die(`${base}${url(code)} answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
		const b = await r.json();
		return JSON.stringify([b.allowed, b.restrictions, b.subject_id]);
	};
	let refused = 0;
	for (const code of codes) {
		const [a, b] = [await answer(yjBase, code), await answer(blBase, code)];
		if (a !== b) die(`${code}: yijian and the baseline differ:\n  ${a}\n  ${b}`);
		refused += JSON.parse(a)[0] ? 0 : 1;
	}
	log(`both servers answer alike for all ${codes.length} subjects (${refused} restricted)`);
	const script = path.join(B.work, 'check.lua');
	writeFileSync(script, `local codes = {${codes.map((c) => `"${c}"`).join(',')}}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(1000 + seed) end
function request() return wrk.format("GET", "/api/v1/credit/check?subject=" .. codes[math.random(#codes)] .. "&decision=grade_review") end
`);
	const xacts = () => Number(psql(pgUrl, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"));
	// yijian's commit groups (its operator listener's /metrics): [groups, members] so far.
	const groupStats = async (logName) => {
		const m = /operator listener: (127\.0\.0\.1:\d+)/.exec(readFileSync(path.join(B.work, `${logName}.log`), 'utf8'));
		if (!m) return null;
		let text;
		try { text = await (await fetch(`http://${m[1]}/metrics`)).text(); } catch { return null; } // figures without it
		return ['groups', 'group_members'].map((k) => Number((new RegExp(`^yijian_store_${k}_total (\\d+)$`, 'm').exec(text) || [])[1]));
	};
	// One measured run: wrk's figures and, per request, the server's and PostgreSQL's CPU and transactions.
	const measure = async (server, base, pid, lua, logName) => {
		if (WARMUP > 0) wrk(base + '/', WARMUP, cookie, lua);
		const [x0, g0] = [xacts(), logName && await groupStats(logName)];
		const r = wrk(base + '/', SECONDS, cookie, lua, pid);
		const [x1, g1] = [xacts(), logName && await groupStats(logName)];
		return { server, rps: r.rps, p50_ms: r.p50, p99_ms: r.p99, non2xx: r.non2xx, server_cpu_ms: r.cpu_ms, pg_cpu_ms: r.pg_cpu_ms,
			xacts: r.requests ? (x1 - x0) / r.requests : NaN,
			groups: g0 && g1 ? `${g1[0] - g0[0]} × ${g1[0] > g0[0] ? ((g1[1] - g0[1]) / (g1[0] - g0[0])).toFixed(1) : 0}` : '' };
	};
	const results = [];
	for (const [who, base, child] of [['yijian', yjBase, yj], ['baseline', blBase, bl]]) {
		const r = await measure(who, base, child.pid, script, who === 'yijian' ? 'yijian' : null);
		if (r.non2xx) die(`${who}: ${r.non2xx} non-2xx responses`);
		results.push(r);
	}
	// The cause, measured: the same request refused before its audit leaf (an unknown decision, 422) — subject lookup
	// and session alike, no write — shows what the leaf's transaction costs.
	const noAudit = path.join(B.work, 'noaudit.lua');
	writeFileSync(noAudit, readFileSync(script, 'utf8').replace('decision=grade_review', 'decision=no_such_decision'));
	results.push(await measure('yijian, refused before the audit leaf (422)', yjBase, yj.pid, noAudit, 'yijian'));
	// And yijian with each leaf in a transaction of its own (YIJIAN_GROUP_COMMIT=off), what the commit groups save.
	if (process.env.BENCH_CHECK_SOLO !== '0') {
		const { child: solo, base: soloBase } = await B.serveYijian(YIJIAN, pgUrl, keys, 'yijian-solo', yjArgs, { YIJIAN_GROUP_COMMIT: 'off' });
		const r = await measure('yijian, one transaction per check (YIJIAN_GROUP_COMMIT=off)', soloBase, solo.pid, script, 'yijian-solo');
		if (r.non2xx) die(`yijian-solo: ${r.non2xx} non-2xx responses`);
		results.push(r);
	}
	// BENCH_DISPATCH=both: the same database served by a second process with serve --dispatch inline (each pool thread
	// running its own connections' handlers), measured right after the default queue mode.
	let inl = null;
	if (process.env.BENCH_DISPATCH === 'both') {
		const { base: iBase } = await B.serveYijian(YIJIAN, pgUrl, keys, 'yijian-inline', ['--operator-listen', '', '--dispatch', 'inline']);
		if (WARMUP > 0) wrk(iBase + '/', WARMUP, cookie, script);
		const r = wrk(iBase + '/', SECONDS, cookie, script);
		if (r.non2xx) die(`yijian --dispatch inline: ${r.non2xx} non-2xx responses`);
		inl = { server: 'yijian, --dispatch inline', rps: r.rps, p50_ms: r.p50, p99_ms: r.p99 };
		results.push(inl);
	}
	const [y, b] = results;
	const ratio = b.rps ? y.rps / b.rps : NaN;
	const lines = [`bench/credit-check: GET /api/v1/credit/check (grade_review) over ${SUBJECTS} institutions, PostgreSQL, ${CONNS} connections,`
		+ ` ${SECONDS} s, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
		...table(['server', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'PostgreSQL CPU ms/req', 'transactions/req', 'commit groups × members'],
			results.map((r) => [r.server, fmt(r.rps, 0), fmt(r.p50_ms), fmt(r.p99_ms), fmt(r.server_cpu_ms, 3), fmt(r.pg_cpu_ms, 3),
				fmt(r.xacts, 3), r.groups ?? ''])),
		`yijian p99 ${y.p99_ms.toFixed(2)} ms (target < ${TARGET_P99_MS} ms: ${y.p99_ms < TARGET_P99_MS ? 'met' : 'NOT met'});`
		+ ` ${ratio.toFixed(2)}× the baseline's requests/s (target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`];
	// the figures for bench/run's summary (bench/lib.mjs)
	benchResult({ bench: 'credit', figure: 'credit check req/s, vs Fastify', value: y.rps, unit: 'req/s', baseline: 'Fastify + pg',
		baseline_value: b.rps, target: `≥ ${TARGET_RATIO}× the baseline`, ratioMin: TARGET_RATIO });
	benchResult({ bench: 'credit', figure: 'credit check p99', value: y.p99_ms, unit: 'ms', baseline: 'Fastify + pg', baseline_value: b.p99_ms,
		higher: false, target: `< ${TARGET_P99_MS} ms at ${CONNS} connections`, max: TARGET_P99_MS });
	if (inl) lines.push(`--dispatch queue (default) against inline, same run: p99 ${y.p99_ms.toFixed(2)} against ${inl.p99_ms.toFixed(2)} ms`
		+ ` (inline ÷ queue ${(inl.p99_ms / y.p99_ms).toFixed(2)}×), req/s queue ÷ inline ${(y.rps / inl.rps).toFixed(2)}×`);
	if (PACED && b.rps) { // latency at a stated load: the p99 target at the throughput target's rate
		const mark = Math.round(TARGET_RATIO * b.rps);
		const c = await latencyCurve({ rates: PACED_FRACTIONS.map((f) => Math.round(f * mark)), mark, targetP99: TARGET_P99_MS, warmup: WARMUP,
			run: (rate, s = PACED_SECONDS) => B.wrk(yjBase + '/', s, { cookie, script, conns: CONNS, threads: THREADS, rate }) });
		const at = c.points.find((p) => p.rate === mark);
		lines.push(`paced: yijian at offered rates (Poisson arrivals, ${CONNS} connections, ${PACED_SECONDS} s a point); target rate`
			+ ` ${TARGET_RATIO} × the baseline's ${fmt(b.rps, 0)} req/s = ${mark} req/s`, ...c.lines,
			`at ${mark} req/s offered: p99 ${fmt(at?.p99)} ms (target < ${TARGET_P99_MS} ms: ${at?.ok ? 'met' : 'NOT met'});`
			+ ` highest offered rate with p99 < ${TARGET_P99_MS} ms: ${c.best ? `${c.best.rate} req/s` : 'none'}`);
		benchResult({ bench: 'credit', figure: 'credit check p99 at 3× the baseline\'s rate', value: at?.p99, unit: 'ms',
			target: `< ${TARGET_P99_MS} ms at ${CONNS} connections, ${mark} req/s offered`, met: at ? !!at.ok : null });
	}
	process.stdout.write(lines.join('\n') + '\n');
	B.cleanup();
}
main().catch((e) => die(e.stack || String(e)));
