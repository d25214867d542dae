// bench/enforcement.mjs — an office's case list and a case page on BENCH_ENF_CASES (default 100,000) cases with
// BENCH_ENF_STEPS (10) steps each on PostgreSQL (issue 11, Performance: p99 < 50 ms at 64 connections), beside the
// Fastify + pg baseline (bench/baseline/server.mjs) serving the same queries from the same database.
//
// A throwaway PostgreSQL (scripts/pg-cluster), initialised by `yijian init`, gets the cases, their clues and steps
// in bulk by INSERT … SELECT generate_series, spread over Wenzhou's counties (so a county leader sees about a
// twelfth). wrk measures, as the county leader, GET /api/v1/cases?limit=50 and GET /api/v1/cases/{id} (a Lua
// script picks a random case of the county per request, the same sequence for both servers). Before measuring,
// the bench requires byte-identical bodies from both servers for list pages (first, default limit, next by
// cursor) and a case page of every state. Each run also reads the CPU time the server process and the
// PostgreSQL backends spent, so the CPU per request (which a loaded machine distorts far less than latency) is
// reported beside p99 and throughput, each with the baseline's figure and the ratio. The list's keyword search (?q=)
// is measured on yijian alone, as ratios to its plain list. Figures are reported, never
// a pass/fail test; the exit status is non-zero only when the bench could not measure or the bodies differ.
//
// Environment: BENCH_ENF_CASES (100000), BENCH_ENF_STEPS (10), BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (3),
// BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_BASELINE_POOL (16), YIJIAN_BIN or BENCH_YIJIAN (build/yijian), BENCH_KEEP=1;
// BENCH_SMOKE=1 for a smoke run in seconds (3,000 cases, 8 connections, 2 s, no warm-up; the others still apply).
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt as f, loadavg, num, env, session, sleep, table, yijianBin } from './lib.mjs';

const SMOKE = env.BENCH_SMOKE === '1';
const CASES = num('BENCH_ENF_CASES', SMOKE ? 3000 : 100000);
const STEPS = num('BENCH_ENF_STEPS', 10);
const SECONDS = num('BENCH_SECONDS', SMOKE ? 2 : 15);
const WARMUP = num('BENCH_WARMUP_SECONDS', SMOKE ? 0 : 3);
const CONNS = num('BENCH_CONNECTIONS', SMOKE ? 8 : 64);
const THREADS = num('BENCH_THREADS', 2);
const POOL = num('BENCH_BASELINE_POOL', 16);
const YIJIAN = yijianBin();
const COUNTY = '330302';
const TARGET_P99_MS = 50;
import { benchResult } from './lib.mjs'; // the summary lines of bench/run (kept apart from the import above)
// BENCH_DISPATCH=both: a second yijian on the same database with serve --dispatch inline (the pool threads
// each running their own connections' handlers) measured in the same run as the default queue mode.
const BOTH = env.BENCH_DISPATCH === 'both';

const B = session('bench/enforcement');
const { die, log, psql } = B;
const wrk = (url, seconds, cookie, script, pid, conns = CONNS) => B.wrk(url, seconds, { cookie, script, pid, conns, threads: THREADS });

async function main() {
	if (!existsSync(YIJIAN)) die(`${YIJIAN} not found: build it first`);
	const pgUrl = B.startPg('yijian-enf-');
	const keys = B.initYijian(YIJIAN, pgUrl, COUNTY, [['county', 'leader']]);
	const counties = psql(pgUrl, "SELECT code FROM regions WHERE level = 3 AND code LIKE '3303%' ORDER BY code").trim().split('\n');
	const arr = `ARRAY[${counties.map((c) => `'${c}'`).join(',')}]`;
	const states = "ARRAY['filed','investigating','investigated','deliberated','notified','decided','served','published','paid','closed']";
	let t = Date.now();
	// One session, FK triggers off (session_replication_role = replica: the rows are consistent by construction, and
	// a million FK checks would double the load time). The state runs over g / 12 and the county over g % 12, so
	// every county has every state; cases from 'decided' on carry a decision, from 'served' on a payment deadline
	// (so the case page computes a late fee), 'paid' and 'closed' are paid.
	psql(pgUrl, `SET session_replication_role = replica;
	INSERT INTO enf_clues (id, source, subject_kind, subject_name, summary, received_on, state, case_id, region_code,
		department, actor, created_at) SELECT g, 'manual', 'institution', '测试诊所' || g, '群众反映超范围执业', '2026-01-05', 'filed', g,
		(${arr})[1 + g % ${counties.length}], 'health', '1', 0 FROM generate_series(1, ${CASES}) g;
	INSERT INTO enf_cases (id, clue_id, state, subject_kind, subject_name, subject_code, officers, approved_by, filed_on,
		decision_due, region_code, department, created_at, updated_at, facts, violation_code, decision_no, decided_on, penalty_kinds,
		fine_fen, served_on, pay_due, paid_fen, published_on, public_until)
		SELECT g, g, (${states})[si], 'institution', '测试诊所' || g, '', '101,102', '100', '2026-01-05', '2026-04-07',
		(${arr})[1 + g % ${counties.length}], 'health', 0, 0, '医疗废物未分类收集', 'medical_waste',
		CASE WHEN si >= 6 THEN '温鹿卫医罚〔2026〕' || g || '号' END, CASE WHEN si >= 6 THEN '2026-03-02' END,
		CASE WHEN si >= 6 THEN 'warning,fine' END, CASE WHEN si >= 6 THEN 500000 END, CASE WHEN si >= 7 THEN '2026-03-05' END,
		CASE WHEN si >= 7 THEN '2026-03-20' END, CASE WHEN si >= 9 THEN 500000 ELSE 0 END, CASE WHEN si >= 8 THEN '2026-03-06' END,
		CASE WHEN si >= 8 THEN '2027-03-06' END
		FROM (SELECT g, 1 + (g / ${counties.length}) % 10 AS si FROM generate_series(1, ${CASES}) g) x;
	INSERT INTO enf_steps (id, case_id, seq, action, from_state, to_state, actor, day, at, data, region_code, department)
		SELECT c.id * 100 + s, c.id, s, 'add_evidence', 'investigating', 'investigating', '101', '2026-01-06', 0,
		'{"description":"现场照片","evidence_kind":"photo","sha256":"' || md5(c.id::text) || md5(s::text) || '"}', c.region_code, c.department
		FROM enf_cases c, generate_series(1, ${STEPS}) s;`);
	psql(pgUrl, 'ANALYZE');
	const inCounty = psql(pgUrl, `SELECT id FROM enf_cases WHERE region_code = '${COUNTY}' ORDER BY id LIMIT 5000`).trim().split('\n');
	log(`loaded ${CASES} cases, ${CASES * STEPS} steps in ${((Date.now() - t) / 1000).toFixed(1)} s; ${inCounty.length}+ in ${COUNTY}`);

	const { child: yj, base: yjBase } = await B.serveYijian(YIJIAN, pgUrl, keys);
	const servers = [['yijian', yjBase, yj]];
	if (BOTH) {
		const { child: yi, base: iBase } = await B.serveYijian(YIJIAN, pgUrl, keys, 'yijian-inline',
			['--operator-listen', '', '--dispatch', 'inline']);
		servers.push(['yijian-inline', iBase, yi]);
	}
	const { child: bl, base: blBase } = await B.serveBaseline(pgUrl, POOL);
	const { cookie, csrf } = await B.signIn(yjBase, 'county');

	// both answer byte-identical bodies: list pages, and a case page of every state
	const body = async (base, p) => {
		const r = await fetch(base + p, { headers: { cookie: `yj_session=${cookie}` } });
		const text = await r.text();
		if (r.status !== 200) die(`${base}${p} answered ${r.status}: ${text.slice(0, 300)}`);
		return text;
	};
	const first = JSON.parse(await body(yjBase, '/api/v1/cases?limit=50'));
	const paths = ['/api/v1/cases?limit=50', '/api/v1/cases', `/api/v1/cases?limit=50&cursor=${first.next_cursor}`];
	for (const st of psql(pgUrl, `SELECT DISTINCT ON (state) id FROM enf_cases WHERE region_code = '${COUNTY}' ORDER BY state, id`).trim().split('\n'))
		paths.push(`/api/v1/cases/${st}`);
	for (const p of paths) {
		const [a, b] = [await body(yjBase, p), await body(blBase, p)];
		if (a !== b) {
			let i = 0;
			while (a[i] === b[i]) i++;
			die(`${p}: yijian and the baseline differ at byte ${i}: …${a.slice(Math.max(0, i - 60), i + 60)}… / …${b.slice(Math.max(0, i - 60), i + 60)}…`);
		}
	}
	log(`${paths.length} bodies byte-identical (3 list pages, a case page of each of ${paths.length - 3} states)`);
	const script = path.join(B.work, 'case.lua');
	writeFileSync(script, `local ids = {${inCounty.join(',')}}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(1000 + seed) end
function request() return wrk.format("GET", "/api/v1/cases/" .. ids[math.random(#ids)]) end
`);
	const results = [];
	const load0 = loadavg();
	for (const [name, p, s] of [['case list (limit 50)', '/api/v1/cases?limit=50', null], ['case page', '/', script]])
		for (const [who, base, child] of [...servers, ['baseline', blBase, bl]]) {
			if (WARMUP > 0) wrk(base + p, WARMUP, cookie, s);
			const r = wrk(base + p, SECONDS, cookie, s, child.pid);
			if (r.non2xx) die(`${who} ${name}: ${r.non2xx} non-2xx responses`);
			if (child.exited) die(`${who} exited during ${name} (${JSON.stringify(child.exited)}; ${r.errors}): see ${B.work}/${who}.log with BENCH_KEEP=1`);
			results.push({ endpoint: name, server: who, rps: r.rps, p50_ms: r.p50, p99_ms: r.p99, cpu_ms: r.cpu_ms, pg_cpu_ms: r.pg_cpu_ms,
				errors: r.errors.replace('Socket errors: ', '') || 'none' });
		}
	// The list's keyword search (?q=, the header's global search) on yijian alone (the baseline has no such filter),
	// against its plain list above: a word found in every name (the page fills at once), a name and a number of few
	// cases (the scan crosses the county's whole range), a decision number (温鹿卫医罚〔2026〕N号, whole).
	const someDecision = psql(pgUrl, `SELECT decision_no FROM enf_cases WHERE region_code = '${COUNTY}' AND decision_no IS NOT NULL ORDER BY id LIMIT 1`).trim();
	const rare = inCounty[Math.floor(inCounty.length / 2)];
	for (const [name, q] of [['case list q=诊所 (every case)', '诊所'], [`case list q=测试 诊所${rare} (a few)`, `测试 诊所${rare}`],
		['case list q=decision number', someDecision]]) {
		const p = `/api/v1/cases?limit=50&q=${encodeURIComponent(q)}`;
		let text;
		// retried as the preview below: after a 64-connection run the server may refuse new connections for a while
		for (const t0 = Date.now(); text === undefined; ) {
			try { text = await body(yjBase, p); } catch (e) {
				if (Date.now() - t0 > 60000) die(`${p}: ${e.cause?.code || e.message} for 60 s`);
				await sleep(500);
			}
		}
		const hits = JSON.parse(text).items.length;
		if (!hits) die(`${p} found nothing`);
		if (WARMUP > 0) wrk(yjBase + p, WARMUP, cookie, null);
		const r = wrk(yjBase + p, SECONDS, cookie, null, yj.pid);
		if (r.non2xx) die(`yijian ${name}: ${r.non2xx} non-2xx responses`);
		results.push({ endpoint: `${name}, ${hits} on the page`, server: 'yijian', search: true, rps: r.rps, p50_ms: r.p50, p99_ms: r.p99,
			cpu_ms: r.cpu_ms, pg_cpu_ms: r.pg_cpu_ms, errors: r.errors.replace('Socket errors: ', '') || 'none' });
	}
	// The case's 行政处罚决定书 as src/enforcement renders it (POST …/documents/preview: the case row and the benchmark into
	// the document model, laid out and rendered to PDF, watermarked, nothing stored), two connections so the server's
	// CPU goes to rendering rather than queueing: documents per CPU second of the server is the rate per core.
	const decided = psql(pgUrl, `SELECT id FROM enf_cases WHERE region_code = '${COUNTY}' AND state = 'decided' ORDER BY id LIMIT 1`).trim();
	// Retried: after the 64-connection runs the server has been seen refusing new connections for a while
	// ("Server reached connection limit" in its log) until it reaps the closed ones; the wait is reported.
	let pdfProbe, waited = 0;
	for (const t0 = Date.now(); !pdfProbe; ) {
		try {
			pdfProbe = await fetch(`${yjBase}/api/v1/cases/${decided}/documents/preview`, { method: 'POST', body: '{"kind":"penalty_decision"}',
				headers: { cookie: `yj_session=${cookie}`, 'x-csrf-token': csrf, 'content-type': 'application/json' } });
		} catch (e) {
			if (Date.now() - t0 > 60000) die(`decision preview: ${e.cause?.code || e.message} for 60 s`);
			await sleep(500);
		}
		waited = Date.now() - t0;
	}
	if (waited > 1000) log(`the server accepted a connection again after ${(waited / 1000).toFixed(1)} s`);
	const pdfBytes = Buffer.from(await pdfProbe.arrayBuffer());
	if (pdfProbe.status !== 200 || pdfBytes.subarray(0, 5).toString() !== '%PDF-') die(`decision preview answered ${pdfProbe.status}: ${pdfBytes.toString().slice(0, 300)}`);
	const pdfScript = path.join(B.work, 'pdf.lua');
	writeFileSync(pdfScript, `wrk.method = "POST"
wrk.body = '{"kind":"penalty_decision"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-CSRF-Token"] = "${csrf}"
`);
	const pdf = wrk(`${yjBase}/api/v1/cases/${decided}/documents/preview`, SECONDS, cookie, pdfScript, yj.pid, 2);
	if (pdf.non2xx) die(`decision preview: ${pdf.non2xx} non-2xx responses`);
	const pdfPerCore = 1000 / pdf.cpu_ms;
	const load1 = loadavg();
	const lines = [`bench/enforcement: ${CASES} cases, ${CASES * STEPS} steps, PostgreSQL, ${CONNS} connections, ${SECONDS} s, ` +
		`${os.cpus().length} cores, load average ${load0} before, ${load1} after${SMOKE ? ' (SMOKE run: sizes too small for figures)' : ''}`,
		...table(['endpoint', 'server', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'PostgreSQL CPU ms/req', 'wrk socket errors'],
			results.map((r) => [r.endpoint, r.server, f(r.rps, 0), f(r.p50_ms), f(r.p99_ms), f(r.cpu_ms, 3), f(r.pg_cpu_ms, 3), r.errors]))];
	lines.push(`decision documents (行政处罚决定书 PDF, ${pdfBytes.length} bytes): ${f(pdf.rps, 1)} per wall second on 2 connections, ` +
		`${f(pdfPerCore, 1)} per CPU second of the server (${f(pdf.cpu_ms)} ms each), target ≥ 50 per second per core: ` +
		`${f(pdfPerCore / 50)}× the target, ${pdfPerCore >= 50 ? 'met' : 'NOT met'}`);
	benchResult({ bench: 'enforcement', figure: 'decision PDFs per CPU second', value: pdfPerCore, unit: 'per CPU s',
		target: '≥ 50 per second per core', min: 50 });
	for (const ep of ['case list (limit 50)', 'case page']) {
		const y = results.find((r) => r.endpoint === ep && r.server === 'yijian'), b = results.find((r) => r.endpoint === ep && r.server === 'baseline');
		lines.push(`${ep}: p99 yijian ${f(y.p99_ms)} ms, baseline ${f(b.p99_ms)} ms (baseline ÷ yijian ${f(b.p99_ms / y.p99_ms)}×; ` +
			`target < ${TARGET_P99_MS} ms: ${y.p99_ms < TARGET_P99_MS ? 'met' : 'NOT met'}); req/s yijian ÷ baseline ${f(y.rps / b.rps)}×; ` +
			`server CPU per request yijian ${f(y.cpu_ms, 3)} ms, baseline ${f(b.cpu_ms, 3)} ms (baseline ÷ yijian ${f(b.cpu_ms / y.cpu_ms)}×)`);
		const name = ep === 'case page' ? 'case page' : 'case list';
		benchResult({ bench: 'enforcement', figure: `${name} p99`, value: y.p99_ms, unit: 'ms', baseline: 'Fastify + pg', baseline_value: b.p99_ms,
			higher: false, target: `< ${TARGET_P99_MS} ms at ${CONNS} connections`, max: TARGET_P99_MS });
		benchResult({ bench: 'enforcement', figure: `${name} req/s`, value: y.rps, unit: 'req/s', baseline: 'Fastify + pg', baseline_value: b.rps });
		const i = results.find((r) => r.endpoint === ep && r.server === 'yijian-inline');
		if (i) lines.push(`${ep}: --dispatch queue (default) against inline in the same run: p99 ${f(y.p99_ms)} ms against ${f(i.p99_ms)} ms ` +
			`(inline ÷ queue ${f(i.p99_ms / y.p99_ms)}×), p50 ${f(y.p50_ms)} against ${f(i.p50_ms)} ms, req/s queue ÷ inline ${f(y.rps / i.rps)}×`);
	}
	const plain = results.find((r) => r.endpoint === 'case list (limit 50)' && r.server === 'yijian');
	for (const r of results.filter((x) => x.search))
		lines.push(`${r.endpoint}: p99 ${f(r.p99_ms)} ms (÷ the list without q ${f(r.p99_ms / plain.p99_ms)}×), server CPU ${f(r.cpu_ms, 3)} ms/req, ` +
			`PostgreSQL CPU ${f(r.pg_cpu_ms, 3)} ms/req (÷ the list without q ${f(r.pg_cpu_ms / plain.pg_cpu_ms)}×)`);
	process.stdout.write(lines.join('\n') + '\n');
	B.cleanup();
}
main().catch((e) => die(e.stack || String(e)));
