// duckdb.mjs — one DuckDB run for bench/screen, in its own process so that its peak RSS is its
// own: loads the claims and rule tables into an in-memory database, runs each section of
// rules.sql, writes the distinct (rule_id, claim_id, line_no) flags as CSV and prints the
// timings as JSON on stdout.
//   node duckdb.mjs '{"claims":…,"rules":…,"registry":…,"deaths":…,"out":…,"threads":N}'
import { DuckDBInstance } from '@duckdb/node-api';
import { performance } from 'node:perf_hooks';
import { duckdbLoad, headerOf, quoteLit, sections, statements } from './sql.mjs';

const o = JSON.parse(process.argv[2]);
const t0 = performance.now();
const opts = o.threads ? { threads: String(o.threads) } : {};
const db = await DuckDBInstance.create(':memory:', opts);
const con = await db.connect();
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];
const threads = (await con.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];

const res = { engine: 'duckdb', version, threads: Number(threads), sections: {} };
let t = performance.now();
for (const s of duckdbLoad(o, headerOf(o.claims))) await con.run(s);
res.lines = Number((await con.runAndReadAll('SELECT count(*) FROM claims')).getRows()[0][0]);
res.load_s = (performance.now() - t) / 1000;

const tr = performance.now();
for (const sec of sections('duckdb')) {
	t = performance.now();
	for (const st of statements(sec.sql)) {
		try {
			await con.run(st);
		} catch (e) {
			throw new Error(`section ${sec.name}: ${e.message}\n${st}`);
		}
	}
	res.sections[sec.name] = (performance.now() - t) / 1000;
}
res.rules_s = (performance.now() - tr) / 1000;

t = performance.now();
await con.run(`COPY (SELECT DISTINCT rule_id, claim_id, line_no FROM flags ORDER BY rule_id, claim_id, line_no) ` +
	`TO ${quoteLit(o.out)} (HEADER false, DELIMITER ',')`);
res.write_s = (performance.now() - t) / 1000;
res.total_s = (performance.now() - t0) / 1000;
con.closeSync?.();
process.stdout.write(JSON.stringify(res) + '\n');
