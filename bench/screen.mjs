// bench/screen.mjs — the work of `bench/screen` (docs/benchmarks.md, "Claims screening").
//
// Generates claims with `yijian gen claims` into a temporary directory, then screens them with
// the rule base rules/ three times, each engine in its own process under /usr/bin/time -v:
//   yijian  `yijian screen` (src/claims; load, all rules, FLAGS.csv);
//   DuckDB  the same rules written as SQL (screen_sql/rules.sql) in @duckdb/node-api, in memory;
//   SQLite  the same SQL in Debian's sqlite3 shell, in memory.
// It checks that the three produce the same set of (rule_id, claim_id, line_no), prints wall
// time, lines/s and peak RSS for each, per-rule counts and per-rule-type times, and the ratios
// against yijian. Targets are reported, never enforced: the exit status is non-zero only when
// the bench could not measure or when the flag sets differ.
//
// Environment: BENCH_SCREEN_ROWS (10000000), BENCH_SCREEN_SEED (3), BENCH_SCREEN_VIOLATIONS (0.01),
// BENCH_SCREEN_ENGINES (yijian,duckdb,sqlite), BENCH_SCREEN_THREADS (0 = every CPU, for yijian and
// DuckDB; SQLite's sorter gets the same number of helper threads), BENCH_SCREEN_TMPDIR (the OS's
// temporary directory), BENCH_KEEP=1 keeps the work directory, YIJIAN_BIN or BENCH_YIJIAN (build/yijian).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, statfsSync,
	writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { headerOf, quoteLit, REQUIRED, sections, sqliteLoad, statements } from './screen_sql/sql.mjs';
import { benchResult } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..');
const env = process.env;

function num(name, dflt) {
	const v = env[name];
	if (v === undefined || v === '') return dflt;
	const n = Number(v);
	if (!Number.isFinite(n) || n < 0) fail(`${name}=${v} is not a non-negative number`, 2);
	return n;
}

const ROWS = Math.floor(num('BENCH_SCREEN_ROWS', 10_000_000));
const SEED = Math.floor(num('BENCH_SCREEN_SEED', 3));
const VIOLATIONS = num('BENCH_SCREEN_VIOLATIONS', 0.01);
const THREADS = Math.floor(num('BENCH_SCREEN_THREADS', 0));
const ENGINES = (env.BENCH_SCREEN_ENGINES || 'yijian,duckdb,sqlite').split(',').map((s) => s.trim()).filter(Boolean);
const YIJIAN = path.resolve(top, env.YIJIAN_BIN || env.BENCH_YIJIAN || 'build/yijian');
const RULES = path.join(top, 'rules');
const TIME = '/usr/bin/time';
// Issue 14, item 9:
const TARGET_E2E = 5; // yijian end to end ≥ 5× faster than DuckDB
const TARGET_LOAD_MBPS = 400; // yijian's load ≥ 400 MB/s of CSV
const TARGET_RULE_LPS = 8e6; // ≥ 8 M lines/s in yijian's rule phase
const TARGET_RSS = 1.2; // yijian's peak RSS ≤ 1.2 × the CSV's size

let work = null;
function cleanup() {
	if (work && env.BENCH_KEEP !== '1') rmSync(work, { recursive: true, force: true });
	else if (work) process.stderr.write(`bench/screen: kept ${work}\n`);
	work = null;
}
function fail(msg, code = 1) {
	process.stderr.write(`bench/screen: ${msg}\n`);
	cleanup();
	process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => fail(`interrupted (${sig})`, 130));

const log = (s) => process.stderr.write(s + '\n');

// Runs cmd under /usr/bin/time -v; resolves {code, stdout, stderr, wall_s, rss_kb}.
function timed(cmd, args, { stdin = 'ignore', cwd = top } = {}) {
	const tfile = path.join(work, `time-${process.hrtime.bigint()}.txt`);
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const p = spawn(TIME, ['-v', '-o', tfile, cmd, ...args], { cwd, stdio: [stdin, 'pipe', 'pipe'] });
		const out = [], err = [];
		p.stdout.on('data', (d) => out.push(d));
		p.stderr.on('data', (d) => {
			err.push(d);
			if (env.BENCH_SCREEN_VERBOSE === '1') process.stderr.write(d);
		});
		p.on('error', reject);
		p.on('close', (code) => {
			const wall = (performance.now() - t0) / 1000;
			let rss = NaN;
			try {
				const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(tfile, 'utf8'));
				if (m) rss = Number(m[1]);
			} catch { /* reported as NaN */ }
			resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
				wall_s: wall, rss_kb: rss });
		});
	});
}

// The first n fields of each CSV record (RFC 4180; n small, records may hold quoted commas later on).
function* csvRecords(text) {
	let i = 0;
	const n = text.length;
	while (i < n) {
		const rec = [];
		let field = '';
		for (;;) {
			if (text[i] === '"') {
				i++;
				for (;;) {
					const q = text.indexOf('"', i);
					if (q < 0) { field += text.slice(i); i = n; break; }
					field += text.slice(i, q);
					i = q + 1;
					if (text[i] === '"') { field += '"'; i++; } else break;
				}
			}
			let j = i;
			while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
			field += text.slice(i, j);
			i = j;
			rec.push(field);
			field = '';
			if (i >= n || text[i] === '\n' || text[i] === '\r') {
				if (text[i] === '\r') i++;
				if (text[i] === '\n') i++;
				break;
			}
			i++; // comma
		}
		if (rec.length > 1 || rec[0] !== '') yield rec;
	}
}

// Map rule_id → Set of "claim_id\tline_no".
function flagSet(file, { header, cols }) {
	const m = new Map();
	let first = header;
	for (const rec of csvRecords(readFileSync(file, 'utf8'))) {
		if (first) { first = false; continue; }
		const [r, c, l] = cols.map((k) => rec[k]);
		if (!m.has(r)) m.set(r, new Set());
		m.get(r).add(`${c}\t${Number(l)}`);
	}
	return m;
}

const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const mb = (kb) => kb / 1024;
const pad = (s, w) => String(s).padStart(w);
const padr = (s, w) => String(s).padEnd(w);

// ---------------------------------------------------------------- engines

async function runYijian(d) {
	const r = await timed(YIJIAN, ['screen', '--claims', d.claims, '--rules', RULES, '--registry', d.registry,
		'--deaths', d.deaths, '--out', path.join(work, 'flags-yijian.csv'), '--json',
		...(THREADS ? ['--threads', String(THREADS)] : [])]);
	if (r.code !== 0) fail(`yijian screen exited ${r.code}:\n${r.stderr.slice(-2000)}`);
	const load = /loaded (\d+) lines .* in ([\d.]+) s/.exec(r.stderr);
	const rules = /rules: \d+ lines in ([\d.]+) s/.exec(r.stderr);
	const wrote = /wrote .* in ([\d.]+) s; end to end ([\d.]+) s/.exec(r.stderr);
	if (!load || !rules || !wrote) fail(`cannot read yijian screen's timings from:\n${r.stderr.slice(-2000)}`);
	const js = JSON.parse(r.stdout);
	const types = {};
	for (const x of js.rules) types[x.type] = (types[x.type] || 0) + (x.seconds || 0);
	return { engine: 'yijian', lines: Number(load[1]), load_s: Number(load[2]), rules_s: Number(rules[1]),
		write_s: Number(wrote[1]), inner_s: Number(wrote[2]), wall_s: r.wall_s, rss_kb: r.rss_kb, types,
		flags: flagSet(path.join(work, 'flags-yijian.csv'), { header: true, cols: [1, 4, 5] }) };
}

async function runDuckdb(d) {
	const out = path.join(work, 'flags-duckdb.csv');
	const arg = JSON.stringify({ claims: d.claims, rules: RULES, registry: d.registry, deaths: d.deaths, out,
		threads: THREADS || undefined });
	const r = await timed(process.execPath, [path.join(here, 'screen_sql', 'duckdb.mjs'), arg], { cwd: here });
	if (r.code !== 0) fail(`DuckDB run exited ${r.code}:\n${r.stderr.slice(-3000)}`);
	const js = JSON.parse(r.stdout.trim().split('\n').pop());
	return { engine: 'duckdb', version: js.version, threads: js.threads, lines: js.lines, load_s: js.load_s,
		rules_s: js.rules_s, write_s: js.write_s, inner_s: js.total_s, wall_s: r.wall_s, rss_kb: r.rss_kb,
		types: js.sections, flags: flagSet(out, { header: false, cols: [0, 1, 2] }) };
}

async function runSqlite(d) {
	const out = path.join(work, 'flags-sqlite.csv');
	const mark = (name) => `SELECT '@@', ${quoteLit(name)}, (julianday('now') - 2440587.5) * 86400.0;`;
	const threads = THREADS || os.availableParallelism?.() || os.cpus().length;
	const lines = ['.bail on', '.mode list', '.separator |', 'PRAGMA temp_store = MEMORY;',
		`PRAGMA threads = ${threads};`, "SELECT '@@version', sqlite_version();", mark('start')];
	lines.push(...sqliteLoad({ claims: d.claims, rules: RULES, registry: d.registry, deaths: d.deaths },
		headerOf(d.claims)));
	lines.push(mark('load'), "SELECT '@@lines', count(*) FROM claims;", mark('rules'));
	for (const sec of sections('sqlite')) {
		for (const st of statements(sec.sql)) lines.push(st + ';');
		lines.push(mark(sec.name));
	}
	lines.push('.mode csv', `.output ${quoteLit(out)}`,
		'SELECT DISTINCT rule_id, claim_id, line_no FROM flags ORDER BY rule_id, claim_id, line_no;',
		'.output stdout', '.mode list', mark('write'));
	const script = path.join(work, 'sqlite-script.sql');
	writeFileSync(script, lines.join('\n') + '\n');
	const fd = openSync(script, 'r');
	const r = await timed('sqlite3', ['-batch', ':memory:'], { stdin: fd });
	closeSync(fd);
	if (r.code !== 0) fail(`sqlite3 exited ${r.code}:\n${r.stderr.slice(-3000)}`);
	const marks = [];
	let version = '', count = NaN;
	for (const l of r.stdout.split('\n')) {
		const f = l.split('|');
		if (f[0] === '@@') marks.push([f[1], Number(f[2])]);
		else if (f[0] === '@@version') version = f[1];
		else if (f[0] === '@@lines') count = Number(f[1]);
	}
	const at = Object.fromEntries(marks);
	const types = {};
	for (let i = 0; i < marks.length; i++) {
		const [name, t] = marks[i];
		if (!['start', 'load', 'rules', 'write'].includes(name)) types[name] = t - marks[i - 1][1];
	}
	const lastRule = marks[marks.length - 2][1];
	return { engine: 'sqlite', version, threads, lines: count, load_s: at.load - at.start, rules_s: lastRule - at.rules,
		write_s: at.write - lastRule, inner_s: at.write - at.start, wall_s: r.wall_s, rss_kb: r.rss_kb, types,
		flags: flagSet(out, { header: false, cols: [0, 1, 2] }) };
}

const RUNNERS = { yijian: runYijian, duckdb: runDuckdb, sqlite: runSqlite };
const NAMES = { yijian: 'yijian', duckdb: 'DuckDB', sqlite: 'SQLite' };

// ---------------------------------------------------------------- main

async function main() {
	for (const e of ENGINES) if (!RUNNERS[e]) fail(`BENCH_SCREEN_ENGINES: unknown engine ${e}`, 2);
	if (!existsSync(YIJIAN)) fail(`${YIJIAN} not found: build first (make), or set YIJIAN_BIN`);
	if (!existsSync(TIME)) fail(`${TIME} not found: run scripts/setup-deps (Debian package time)`);
	if (ENGINES.includes('duckdb') && !existsSync(path.join(here, 'node_modules', '@duckdb', 'node-api')))
		fail('bench/node_modules/@duckdb/node-api missing: run scripts/setup-deps');
	const tmp = env.BENCH_SCREEN_TMPDIR || os.tmpdir();
	const fsst = statfsSync(tmp);
	const need = ROWS * 150 * 1.2 + 64e6;
	if (fsst.bavail * fsst.bsize < need)
		fail(`${tmp} has ${(fsst.bavail * fsst.bsize / 1e9).toFixed(1)} GB free; ${ROWS} lines need about ` +
			`${(need / 1e9).toFixed(1)} GB (set BENCH_SCREEN_TMPDIR or BENCH_SCREEN_ROWS)`);
	work = mkdtempSync(path.join(tmp, 'yijian-screen-'));

	const d = { claims: path.join(work, 'claims.csv'), registry: path.join(work, 'claims_registry'),
		deaths: path.join(work, 'claims_deaths.csv') };
	log(`bench/screen: generating ${ROWS} claim lines (seed ${SEED}, violations ${VIOLATIONS}) in ${work}`);
	const g = await timed(YIJIAN, ['gen', 'claims', '--rows', String(ROWS), '--seed', String(SEED), '--violations',
		String(VIOLATIONS), '--rules', RULES, '--out', d.claims, '--labels', path.join(work, 'labels.csv')]);
	if (g.code !== 0) fail(`yijian gen claims exited ${g.code}:\n${g.stderr}`);
	const header = headerOf(d.claims);
	for (const c of REQUIRED) if (!header.includes(c)) fail(`generated file lacks column ${c}`);
	const csvBytes = statSync(d.claims).size;
	log(`bench/screen: ${(csvBytes / 1e6).toFixed(1)} MB in ${g.wall_s.toFixed(1)} s`);

	const res = {};
	for (const e of ENGINES) {
		log(`bench/screen: running ${NAMES[e]}…`);
		res[e] = await RUNNERS[e](d);
		log(`bench/screen: ${NAMES[e]}: ${res[e].wall_s.toFixed(2)} s wall, peak RSS ${mb(res[e].rss_kb).toFixed(0)} MB`);
	}
	report(res, csvBytes);
	const same = compare(res);
	writeResults(res, csvBytes, same);
	cleanup();
	process.exit(same ? 0 : 1);
}

function report(res, csvBytes) {
	const es = Object.keys(res);
	const y = res.yijian;
	const lines = res[es[0]].lines;
	console.log(`\nClaims screening: ${lines.toLocaleString('en')} lines, ${(csvBytes / 1e6).toFixed(1)} MB CSV, ` +
		`rules/ (${sections('duckdb').length - 1} rule types), ${os.cpus().length} CPUs\n`);
	console.log(`${padr('engine', 22)}${pad('load s', 9)}${pad('load MB/s', 11)}${pad('rules s', 9)}${pad('write s', 9)}${pad('wall s', 9)}` +
		`${pad('M lines/s', 11)}${pad('rules M l/s', 13)}${pad('peak RSS MB', 13)}${pad('RSS/CSV', 9)}`);
	for (const e of es) {
		const r = res[e];
		const label = e === 'yijian' ? 'yijian' : e === 'duckdb' ? `DuckDB ${r.version}` : `SQLite ${r.version}`;
		console.log(`${padr(label, 22)}${pad(fmt(r.load_s, 3), 9)}${pad(fmt(csvBytes / 1e6 / r.load_s, 0), 11)}${pad(fmt(r.rules_s, 3), 9)}${pad(fmt(r.write_s, 3), 9)}` +
			`${pad(fmt(r.wall_s, 2), 9)}${pad(fmt(r.lines / r.wall_s / 1e6, 2), 11)}` +
			`${pad(fmt(r.lines / r.rules_s / 1e6, 2), 13)}${pad(fmt(mb(r.rss_kb), 0), 13)}` +
			`${pad(fmt(r.rss_kb * 1024 / csvBytes, 2), 9)}`);
	}
	console.log('  wall: the whole process (start, load, rules, writing the flags, exit), from /usr/bin/time;');
	console.log('  load MB/s: the CSV\'s size (10^6 bytes) over the load seconds;');
	console.log('  rules: yijian\'s indexes and rules; the SQL engines\' "prep" section and every rule section;');
	console.log('  peak RSS: the process\'s maximum resident set (DuckDB\'s includes its Node.js host, ~50 MB).');
	if (y) {
		console.log('\nRatios (other ÷ yijian; > 1 means yijian is faster):');
		for (const e of es.filter((x) => x !== 'yijian')) {
			const r = res[e];
			console.log(`  ${padr(NAMES[e], 8)} wall ${fmt(r.wall_s / y.wall_s)}×   load ${fmt(r.load_s / y.load_s)}×   ` +
				`rules ${fmt(r.rules_s / y.rules_s)}×   peak RSS ${fmt(r.rss_kb / y.rss_kb)}×`);
		}
		console.log('\nTargets (reported, not enforced):');
		if (res.duckdb) {
			const q = res.duckdb.wall_s / y.wall_s;
			console.log(`  yijian end to end ≥ ${TARGET_E2E}× faster than DuckDB: ${fmt(q)}× ${q >= TARGET_E2E ? 'met' : 'NOT met'}`);
		}
		const mbps = csvBytes / 1e6 / y.load_s;
		console.log(`  load ≥ ${TARGET_LOAD_MBPS} MB/s of CSV: ${fmt(mbps, 0)} MB/s ${mbps >= TARGET_LOAD_MBPS ? 'met' : 'NOT met'}`);
		const lps = y.lines / y.rules_s;
		console.log(`  rule phase ≥ ${TARGET_RULE_LPS / 1e6} M lines/s: ${fmt(lps / 1e6)} M lines/s ${lps >= TARGET_RULE_LPS ? 'met' : 'NOT met'}`);
		const rr = y.rss_kb * 1024 / csvBytes;
		console.log(`  peak RSS ≤ ${TARGET_RSS} × the CSV: ${fmt(rr)} × ${rr <= TARGET_RSS ? 'met' : 'NOT met'}`);
		// the figures for bench/run's summary (bench/lib.mjs): DuckDB (else SQLite) beside each, the targets of issue 14
		const other = res.duckdb || res.sqlite, on = res.duckdb ? 'DuckDB' : 'SQLite';
		const oName = other && `${on} ${other.version}`;
		benchResult({ bench: 'screen', figure: `end to end, vs ${res.duckdb ? 'DuckDB' : on}`, value: y.wall_s, unit: 's', baseline: oName ?? null,
			baseline_value: other?.wall_s, higher: false, target: res.duckdb ? `≥ ${TARGET_E2E}× faster than DuckDB` : null,
			...(res.duckdb ? { ratioMin: TARGET_E2E } : {}) });
		if (res.duckdb && res.sqlite)
			benchResult({ bench: 'screen', figure: 'end to end, vs SQLite', value: y.wall_s, unit: 's', baseline: `SQLite ${res.sqlite.version}`,
				baseline_value: res.sqlite.wall_s, higher: false });
		benchResult({ bench: 'screen', figure: 'load MB/s', value: mbps, unit: 'MB/s', target: `≥ ${TARGET_LOAD_MBPS} MB/s of CSV`, min: TARGET_LOAD_MBPS });
		benchResult({ bench: 'screen', figure: 'rule phase M lines/s', value: lps / 1e6, unit: 'M lines/s', baseline: oName ?? null,
			baseline_value: other && other.lines / other.rules_s / 1e6, target: `≥ ${TARGET_RULE_LPS / 1e6} M lines/s`, min: TARGET_RULE_LPS / 1e6 });
		benchResult({ bench: 'screen', figure: 'peak RSS ÷ CSV', value: rr, unit: '× CSV', target: `≤ ${TARGET_RSS}× the CSV`, atMost: TARGET_RSS });
	}
	// per rule type: yijian's per-rule seconds (run two at a time, summed per type) and each SQL section
	const types = [...new Set(es.flatMap((e) => Object.keys(res[e].types)))].filter((t) => t !== 'prep');
	console.log(`\nSeconds per rule type (yijian: its rules of the type, summed; its shared indexes are not in any;` +
		` SQL: the section, "prep" being the shared part):`);
	console.log(padr('rule type', 22) + es.map((e) => pad(NAMES[e], 10)).join(''));
	if (es.some((e) => e !== 'yijian'))
		console.log(padr('prep / indexes', 22) + es.map((e) => pad(e === 'yijian' ? '—' : fmt(res[e].types.prep, 3), 10)).join(''));
	for (const t of types) {
		const row = es.map((e) => pad(fmt(res[e].types[t], 3), 10)).join('');
		const wins = es.filter((e) => e !== 'yijian' && y && res[e].types[t] < y.types[t]).map((e) => NAMES[e]);
		console.log(padr(t, 22) + row + (wins.length ? `   ${wins.join(', ')} faster` : ''));
	}
}

function compare(res) {
	const es = Object.keys(res);
	const rules = [...new Set(es.flatMap((e) => [...res[e].flags.keys()]))].sort();
	console.log(`\nFlagged lines per rule (distinct rule_id, claim_id, line_no):`);
	console.log(padr('rule_id', 16) + es.map((e) => pad(NAMES[e], 10)).join(''));
	let same = true;
	const total = Object.fromEntries(es.map((e) => [e, 0]));
	for (const r of rules) {
		const n = es.map((e) => res[e].flags.get(r)?.size || 0);
		es.forEach((e, i) => (total[e] += n[i]));
		console.log(padr(r, 16) + n.map((x) => pad(x, 10)).join(''));
	}
	console.log(padr('total', 16) + es.map((e) => pad(total[e], 10)).join(''));
	const ref = es[0];
	for (const e of es.slice(1)) {
		for (const r of rules) {
			const a = res[ref].flags.get(r) || new Set(), b = res[e].flags.get(r) || new Set();
			const onlyA = [...a].filter((k) => !b.has(k)), onlyB = [...b].filter((k) => !a.has(k));
			if (!onlyA.length && !onlyB.length) continue;
			same = false;
			console.log(`DIFFERENCE ${r}: ${onlyA.length} only in ${NAMES[ref]}, ${onlyB.length} only in ${NAMES[e]}`);
			for (const k of onlyA.sort().slice(0, 5)) console.log(`  only ${NAMES[ref]}: ${r} ${k.replace('\t', ' line ')}`);
			for (const k of onlyB.sort().slice(0, 5)) console.log(`  only ${NAMES[e]}: ${r} ${k.replace('\t', ' line ')}`);
		}
	}
	console.log(same ? `\nFlag sets identical across ${es.map((e) => NAMES[e]).join(', ')}.`
		: '\nFLAG SETS DIFFER (see above).');
	return same;
}

function writeResults(res, csvBytes, same) {
	const dir = path.join(here, 'results');
	mkdirSync(dir, { recursive: true });
	const out = { date: new Date().toISOString(), rows: ROWS, seed: SEED, csv_bytes: csvBytes, cpus: os.cpus().length,
		identical: same, engines: {} };
	for (const [e, r] of Object.entries(res)) {
		const { flags, ...rest } = r;
		out.engines[e] = { ...rest, flagged_lines: Object.fromEntries([...flags].map(([k, v]) => [k, v.size])) };
	}
	writeFileSync(path.join(dir, 'screen-latest.json'), JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => fail(e.stack || String(e)));
