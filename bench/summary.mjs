// bench/summary.mjs — the summary bench/run prints at the end of `make bench` (docs/benchmarks.md, "The summary of
// make bench"): every figure the benches reported through benchResult (bench/lib.mjs, bench/result.mjs) in one table —
// bench, figure, yijian's value, the baseline's name and value, the ratio, the target and whether it was met — and,
// with BENCH_RESULTS_OUT set, the same as JSON in that file. A figure with a target (issues 11–15, the target tables of
// docs/benchmarks.md) that a bench which ran did not report is listed as "not measured".
//   node bench/summary.mjs RESULTS_FILE [BENCH …]    (the benches bench/run ran; their expected figures are checked)
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

// The figures with a target, by bench, named as the benches name them; [figure, why it may be missing] where a setting
// leaves it out. (bench/complaints on PostgreSQL with BENCH_PG_URL is not listed: issue 13 names no engine.)
const EXPECTED = {
	http: ['regions list req/s, vs Fastify', 'regions list req/s, vs Go', 'regions list p99',
		'institution search q=人民医院 req/s, vs Fastify', 'institution search q=人民医院 req/s, vs Go',
		["institution search p99 at the faster baseline's rate", 'BENCH_PACED=0 skips it (the p99 at saturation then carries the target)'],
		['RSS soak change', 'BENCH_SOAK_SECONDS=0 skips it']],
	screen: ['end to end, vs DuckDB', 'load MB/s', 'rule phase M lines/s', 'peak RSS ÷ CSV'],
	import: ['import rows/s, SQLite', 'import ÷ raw copy, SQLite', 'import rows/s, PostgreSQL', 'import ÷ raw copy, PostgreSQL'],
	draw: ['draw, median of 3'],
	search: ['q=秀英 req/s', 'q=秀英 p99', 'q=王秀英 req/s', 'q=王秀英 p99', 'certificate_no=… req/s', 'certificate_no=… p99',
		'q=秀英 (county) req/s', 'q=秀英 (county) p99', 'certificate_no=… (county) req/s', 'certificate_no=… (county) p99'],
	docs: ['PDF rendering, 1 thread', 'PDF rendering, 2 threads', '文号 allocation, SQLite', '文号 allocation, PostgreSQL'],
	audit: [],
	complaints: ['duplicate detection p99, SQLite'],
	intake: ['intake/s, SQLite', 'intake/s, PostgreSQL'],
	enforcement: ['case list p99', 'case page p99', 'decision PDFs per CPU second'],
	credit: ['first evaluation, SQLite', 're-evaluation, SQLite', 'first evaluation, PostgreSQL',
		're-evaluation, PostgreSQL',
		['credit check req/s, vs Fastify', 'BENCH_CREDIT_CHECK=0 skips it'], ['credit check p99', 'BENCH_CREDIT_CHECK=0 skips it']],
	check: ['claims check p99'],
	demo: [],
	soak: ['RSS change, serve 1', 'RSS change, serve 2', 'RSS change, serve 3', 'errors'],
};

const [file, ...ran] = process.argv.slice(2);
if (!file) {
	process.stderr.write('usage: node bench/summary.mjs RESULTS_FILE [BENCH …]\n');
	process.exit(2);
}
let text = '';
try { text = readFileSync(file, 'utf8'); } catch { /* no bench reported anything */ }
const results = [];
for (const line of text.split('\n')) {
	if (!line.trim()) continue;
	try { results.push(JSON.parse(line)); } catch { process.stderr.write(`bench/summary: not JSON, skipped: ${line.slice(0, 200)}\n`); }
}
// In the order bench/run ran the benches (a file several runs appended to may hold them in another).
const rank = (b) => (ran.includes(b) ? ran.indexOf(b) : ran.length);
results.sort((x, y) => rank(x.bench) - rank(y.bench));
const missing = [];
for (const b of ran)
	for (const e of EXPECTED[b] || []) {
		const [figure, note = ''] = Array.isArray(e) ? e : [e];
		if (!results.some((r) => r.bench === b && r.figure === figure)) missing.push({ bench: b, figure, note });
	}

// 4,465 / 45.9 / 7.24 / 0.874: three significant digits at least, thousands grouped.
const num = (v) => {
	if (v === null || v === undefined) return '—';
	const a = Math.abs(v);
	const d = v === 0 || a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
	return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
};
const withUnit = (v, unit) => (v === null || v === undefined ? '—' : unit === '%' ? `${v >= 0 ? '+' : ''}${num(v)} %` : `${num(v)} ${unit}`);
const metText = (m) => (m === true ? 'met' : m === false ? 'NOT met' : '—');
const rows = results.map((r) => [r.bench, r.figure, withUnit(r.value, r.unit),
	r.baseline ? `${r.baseline}${r.baseline_value === null ? '' : ` ${withUnit(r.baseline_value, r.unit)}`}` : '—',
	r.ratio === null ? '—' : `${num(r.ratio)}×`, r.target ?? '(reference)', metText(r.met)]);
for (const m of missing) rows.push([m.bench, m.figure, '—', '—', '—', m.note, 'not measured']);

// Column widths as a terminal shows them: CJK characters take two cells.
const cells = (s) => [...s].reduce((n, c) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(c) ? 2 : 1), 0);
const head = ['bench', 'figure', 'yijian', 'baseline', 'ratio', 'target', 'met'];
const width = head.map((h, i) => Math.max(cells(h), ...rows.map((r) => cells(r[i]))));
const fmtRow = (r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(width[i] - cells(c)))).join('  ');
const count = (m) => results.filter((r) => r.met === m).length;
const out = ['', `== summary: ${results.length} figures — ${count(true)} met, ${count(false)} not met, ${count(null)} for reference` +
	(missing.length ? `, ${missing.length} with a target not measured` : ''), 'ratio: how many times better yijian is than the baseline ' +
	'(its requests/s ÷ theirs; their time or p99 ÷ yijian\'s); absolute targets have no baseline (—)', '',
	fmtRow(head), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmtRow)];
process.stdout.write(`${out.join('\n')}\n`);
if (process.env.BENCH_RESULTS_OUT)
	writeFileSync(process.env.BENCH_RESULTS_OUT, `${JSON.stringify({ date: new Date().toISOString(), benches: ran, results, missing,
		counts: { met: count(true), not_met: count(false), reference: count(null), not_measured: missing.length } }, null, 2)}\n`);
