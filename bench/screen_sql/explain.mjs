// explain.mjs — DuckDB's EXPLAIN ANALYZE of every statement of rules.sql on a claims file, to read
// each section's plan for what a DuckDB user would not write (docs/claims.md, "A fairer baseline").
// Run bench/screen with BENCH_KEEP=1 first and point this at its work directory:
//   node bench/screen_sql/explain.mjs WORKDIR [SECTION …] > plans.txt
// Prints, per statement, its section, its time and DuckDB's plan with per-operator times and rows.
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { duckdbLoad, headerOf, sections, statements } from './sql.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [work, ...only] = process.argv.slice(2);
if (!work) {
	console.error('usage: node explain.mjs WORKDIR [SECTION …]  (WORKDIR: a bench/screen work directory kept with BENCH_KEEP=1)');
	process.exit(2);
}
const o = { claims: path.join(work, 'claims.csv'), registry: path.join(work, 'claims_registry'),
	deaths: path.join(work, 'claims_deaths.csv'), rules: path.resolve(here, '../../rules') };
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
for (const s of duckdbLoad(o, headerOf(o.claims))) await con.run(s);
// one line per operator, indented as the plan's tree: name, seconds, rows, and what it works on
function tree(n, depth, out) {
	const info = Object.entries(n.extra_info ?? {}).map(([k, v]) => `${k}: ${String(v).replace(/\s+/g, ' ')}`).join('; ');
	out.push(`${'  '.repeat(depth)}${n.operator_name ?? n.operator_type ?? n.name ?? '?'}  ${Number(n.operator_timing ?? 0).toFixed(3)} s  `
		+ `${n.operator_cardinality ?? ''} rows  ${info.slice(0, 160)}`);
	for (const c of n.children ?? []) tree(c, depth + 1, out);
	return out;
}
for (const sec of sections('duckdb')) {
	const show = !only.length || only.includes(sec.name);
	for (const st of statements(sec.sql)) {
		if (!show || !/^\s*(INSERT|CREATE TABLE)/i.test(st)) {
			await con.run(st);
			continue;
		}
		const t = performance.now();
		const rows = (await con.runAndReadAll(`EXPLAIN (ANALYZE, FORMAT json) ${st}`)).getRows();
		console.log(`==== ${sec.name} (${((performance.now() - t) / 1000).toFixed(3)} s)\n${st.split('\n')[0]} …`);
		const plan = JSON.parse(String(rows[0][rows[0].length - 1]));
		console.log(tree(plan, 0, []).join('\n'));
	}
}
