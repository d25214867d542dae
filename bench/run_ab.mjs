// bench/run_ab.mjs — the table bench/run_ab prints from its runs' bench/results/latest.json copies (OUT/new-1.json,
// OUT/old-1.json, …): per run the institution search of yijian (req/s, CPU µs per request of yijian and of
// PostgreSQL), the Go baseline's search req/s (the rate the p99 is paced at) and that p99, beside the control: the
// geometric mean of the req/s of /healthz and the regions list of the Go and the Fastify baselines — code and SQL the
// same in both trees, so what moves them is the machine — and the search ÷ that control. Then the means per tree
// and new ÷ old. A run whose JSON is missing (bench/run failed before writing it) is listed as such.
//   node bench/run_ab.mjs OUT RUNS
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const [out, runs] = [process.argv[2], Number(process.argv[3] || 3)];
const SEARCH = /^\/api\/v1\/institutions\?q=/;
const CONTROLS = [['/healthz', 'baseline_go'], ['/api/v1/regions?limit=20', 'baseline_go'], ['/healthz', 'baseline_pg'],
	['/api/v1/regions?limit=20', 'baseline_pg']];
const geo = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
const f0 = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '—');
const f3 = (v) => (Number.isFinite(v) ? v.toFixed(3) : '—');

function row(tag, i) {
	const file = path.join(out, `${tag}-${i}.json`);
	const log = path.join(out, `${tag}-${i}.log`);
	const start = existsSync(log) ? /^start (\S+) load (\S+)/.exec(readFileSync(log, 'utf8'))?.slice(1) ?? [] : [];
	if (!existsSync(file)) return { tag, i, missing: true, start };
	const j = JSON.parse(readFileSync(file, 'utf8'));
	const get = (re, server) => j.results.find((r) => (re instanceof RegExp ? re.test(r.endpoint) : r.endpoint === re) && r.server === server);
	const y = get(SEARCH, 'yijian_pg'), go = get(SEARCH, 'baseline_go');
	const at = j.paced?.points?.find((p) => p.rate === j.paced.target_rate);
	const control = geo(CONTROLS.map(([ep, s]) => get(ep, s)?.rps).filter(Number.isFinite));
	return { tag, i, start, rps: y?.rps, cpu: y?.cpu_us_per_req, pg: y?.pg_cpu_us_per_req, go: go?.rps, rate: j.paced?.target_rate,
		p99: at?.p99, control, norm: y?.rps / control };
}

const rows = [];
for (let i = 1; i <= runs; i++) for (const tag of i % 2 ? ['new', 'old'] : ['old', 'new']) rows.push(row(tag, i));
const lines = ['| run | start (UTC), load | search req/s | yijian µs/req | PG µs/req | Go search req/s | p99 at Go\'s rate (ms) | control req/s | search ÷ control |',
	'|---|---|---:|---:|---:|---:|---:|---:|---:|'];
for (const r of rows)
	lines.push(r.missing ? `| ${r.tag} ${r.i} | ${r.start[0]?.slice(11, 19) ?? ''}, ${r.start[1] ?? ''} | (no results) | | | | | | |`
		: `| ${r.tag} ${r.i} | ${r.start[0]?.slice(11, 19) ?? ''}, ${r.start[1] ?? ''} | ${f0(r.rps)} | ${f0(r.cpu)} | ${f0(r.pg)} | ${f0(r.go)} | ${f2(r.p99)} at ${f0(r.rate)}/s | ${f0(r.control)} | ${f3(r.norm)} |`);
const means = {};
for (const tag of ['new', 'old']) {
	const rs = rows.filter((r) => r.tag === tag && !r.missing);
	means[tag] = Object.fromEntries(['rps', 'cpu', 'pg', 'go', 'p99', 'control', 'norm'].map((k) => [k, rs.length ? mean(rs.map((r) => r[k])) : NaN]));
	const m = means[tag];
	lines.push(`| ${tag}, mean of ${rs.length} | | ${f0(m.rps)} | ${f0(m.cpu)} | ${f0(m.pg)} | ${f0(m.go)} | ${f2(m.p99)} | ${f0(m.control)} | ${f3(m.norm)} |`);
}
const q = (k) => f3(means.new[k] / means.old[k]);
lines.push(`| new ÷ old | | ${q('rps')} | ${q('cpu')} | ${q('pg')} | ${q('go')} | ${q('p99')} | ${q('control')} | ${q('norm')} |`);
console.log(lines.join('\n'));
