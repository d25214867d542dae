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
// Environment: BENCH_CHECK_SUBJECTS (300), BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64),
// BENCH_THREADS (2), BENCH_BASELINE_POOL (16), YIJIAN_BIN or BENCH_YIJIAN (build/yijian), BENCH_KEEP=1,
// BENCH_DISPATCH=both (also a serve --dispatch inline).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { creditCode } from '../tests/api/codes.mjs';
import { fmt, num, session, table, yijianBin } from './lib.mjs';

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

const B = session('bench/credit-check');
const { die, log, psql } = B;
const wrk = (url, seconds, cookie, script) => B.wrk(url, seconds, { cookie, script, conns: CONNS, threads: THREADS });

async function main() {
	if (!existsSync(YIJIAN)) die(`${YIJIAN} not found: build it first`);
	const pgUrl = B.startPg('yijian-credit-');
	const keys = B.initYijian(YIJIAN, pgUrl, COUNTY, [['bench.admin', 'admin'], ['county', 'leader']]);
	const { base: yjBase } = await B.serveYijian(YIJIAN, pgUrl, keys);
	// the institutions, through the API (the registry's own rows, keys and search grams)
	const { cookie: admin, csrf } = await B.signIn(yjBase, 'bench.admin');
	let t = Date.now();
	const codes = [];
	for (let i = 0; i < SUBJECTS; i++) {
		const code = creditCode('52330302', String(70000000 + i));
		const r = await fetch(`${yjBase}/api/v1/institutions`, { method: 'POST', headers: { 'content-type': 'application/json',
			cookie: `yj_session=${admin}`, 'x-csrf-token': csrf }, body: JSON.stringify({ credit_code: code, name: `信用基准${i}号诊所`,
			type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit', region_code: COUNTY, clinical_depts: ['03'] }) });
		if (r.status !== 201) die(`creating institution ${i}: ${r.status} ${(await r.text()).slice(0, 300)}`);
		codes.push(code);
	}
	psql(pgUrl, `INSERT INTO credit_grades (subject_kind, subject_id, region_code, score, grade, model_version, contributions,
		evaluated_on, updated_at) SELECT 'institution', id, region_code, 100 - 15 * (id % 4), (ARRAY['A','B','C','D'])[1 + id % 4], 1,
		'[]', '2026-06-01', 0 FROM institutions`);
	psql(pgUrl, `INSERT INTO credit_list_entries (id, list, subject_kind, subject_id, region_code, rule_code, entry_doc, entered_on,
		publish_until, state, actor, created_at) SELECT id, 'black', 'institution', id, region_code, 'BLACK-SER',
		'温鹿卫信〔2026〕' || (id % 100000) || '号', '2026-06-01', '2099-12-31', 'listed', '1', 0 FROM institutions WHERE id % 3 = 0`);
	psql(pgUrl, 'ANALYZE');
	log(`${SUBJECTS} institutions with grades and black-list entries in ${((Date.now() - t) / 1000).toFixed(1)} s`);
	const { base: blBase } = await B.serveBaseline(pgUrl, POOL);
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
	const results = [];
	for (const [who, base] of [['yijian', yjBase], ['baseline', blBase]]) {
		if (WARMUP > 0) wrk(base + '/', WARMUP, cookie, script);
		const r = wrk(base + '/', SECONDS, cookie, script);
		if (r.non2xx) die(`${who}: ${r.non2xx} non-2xx responses`);
		results.push({ server: who, rps: r.rps, p50_ms: r.p50, p99_ms: r.p99 });
	}
	// The cause, measured: the same request refused before its audit leaf (an unknown decision, 422) — subject lookup,
	// transaction and session alike, no write — shows what the serialised append on audit_head costs.
	const noAudit = path.join(B.work, 'noaudit.lua');
	writeFileSync(noAudit, readFileSync(script, 'utf8').replace('decision=grade_review', 'decision=no_such_decision'));
	{
		const r = wrk(yjBase + '/', SECONDS, cookie, noAudit);
		results.push({ server: 'yijian, refused before the audit leaf (422)', rps: r.rps, p50_ms: r.p50, p99_ms: r.p99 });
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
		...table(['server', 'req/s', 'p50 ms', 'p99 ms'], results.map((r) => [r.server, fmt(r.rps, 0), fmt(r.p50_ms), fmt(r.p99_ms)])),
		`yijian p99 ${y.p99_ms.toFixed(2)} ms (target < ${TARGET_P99_MS} ms: ${y.p99_ms < TARGET_P99_MS ? 'met' : 'NOT met'});`
		+ ` ${ratio.toFixed(2)}× the baseline's requests/s (target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`];
	if (inl) lines.push(`--dispatch queue (default) against inline, same run: p99 ${y.p99_ms.toFixed(2)} against ${inl.p99_ms.toFixed(2)} ms`
		+ ` (inline ÷ queue ${(inl.p99_ms / y.p99_ms).toFixed(2)}×), req/s queue ÷ inline ${(y.rps / inl.rps).toFixed(2)}×`);
	process.stdout.write(lines.join('\n') + '\n');
	B.cleanup();
}
main().catch((e) => die(e.stack || String(e)));
