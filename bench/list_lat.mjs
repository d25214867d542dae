// bench/list_lat.mjs — the wall time of single list requests (a page of 20, signed in, one at a time) at
// two registry sizes on PostgreSQL (and SQLite), with the server's own time and the statements each
// request sends (docs/benchmarks.md, "Lists at 100,000 records"). One binary, or two (OLD_BIN, NEW_BIN)
// alternating on the same databases. Each size is its own database loaded in bulk (bench/search_data.mjs);
// statements are counted from PostgreSQL's log (log_min_duration_statement = 0 on the databases).
// Environment: NEW_BIN (required), OLD_BIN (optional), ROWS (100000), SMALL (1000), REPS (100),
// ENGINES (pg,sqlite), KEEP=1 (leaves PostgreSQL and the work directory).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generate, loadPlain } from './search_data.mjs';

const NEW = process.env.NEW_BIN, OLD = process.env.OLD_BIN;
if (!NEW) {
	process.stderr.write('bench/list_lat: set NEW_BIN (and OLD_BIN to compare two binaries)\n');
	process.exit(2);
}
const ROWS = Number(process.env.ROWS || 100000), SMALL = Number(process.env.SMALL || 1000);
const REPS = Number(process.env.REPS || 100);
const ENGINES = (process.env.ENGINES || 'pg,sqlite').split(',');
const PG_CLUSTER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scripts/pg-cluster');
const work = mkdtempSync(path.join(tmpdir(), 'yj-list-lat-'));
const PW = 'Celiang-mima-2026';
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'], ...opts });
const psql = (url, ...sql) => run('psql', ['-qAt', url, ...sql.flatMap((s) => ['-c', s])]);
const log = (m) => process.stderr.write(`bench/list_lat: ${m}\n`);
const children = [];
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const pgDir = path.join(work, 'pg');
const base = ENGINES.includes('pg') ? run(PG_CLUSTER, ['start', pgDir]).trim().split('\n').pop() : null;
const pgLog = path.join(pgDir, 'server.log');
const bins = OLD ? [['old', OLD], ['new', NEW]] : [['new', NEW]];

try {
	const dbs = [];
	for (const [size, rows] of [['small', SMALL], ['large', ROWS]]) {
		const init = [];
		for (const engine of ENGINES) {
			let db;
			if (engine === 'pg') {
				psql(base, `CREATE DATABASE ${size}`);
				db = base.replace(/\/yijian$/, `/${size}`);
			} else db = `sqlite:${work}/${size}.db`;
			const keys = path.join(work, `${size}-${engine}.keys`);
			run(NEW, ['init', '--db', db, '--keys', keys]);
			run(NEW, ['user', 'add', '--db', db, '--keys', keys, '--username', 'bench', '--role', 'leader', '--region', '330000', '--department', 'health'], { input: `${PW}\n` });
			init.push({ size, rows, db, keys, engine });
		}
		const regionsFrom = init[0].engine === 'pg' ? (s) => psql(init[0].db, s) : (s) => run('sqlite3', [init[0].db.slice(7), s]);
		const counties = regionsFrom("SELECT code || '|' || name FROM regions WHERE level = 3 AND code LIKE '33%' ORDER BY code")
			.trim().split('\n').map((l) => ({ code: l.split('|')[0], name: l.split('|')[1] }));
		const dir = mkdtempSync(path.join(work, `${size}-`));
		const data = generate({ dir, rows, institutions: rows, counties, seed: 7 });
		for (const d of init) {
			loadPlain({ engine: d.engine, db: d.db, files: data.files, psql, run });
			if (d.engine === 'pg') psql(d.db, `ALTER DATABASE ${size} SET log_min_duration_statement = 0`);
			d.county = counties[0].code;
			log(`${d.size} ${d.engine}: ${rows} + ${rows} loaded`);
		}
		rmSync(dir, { recursive: true, force: true });
		dbs.push(...init);
	}
	// One server per binary and database, all running at once (so old and new alternate on the same data).
	const servers = [];
	for (const d of dbs)
		for (const [tag, bin] of bins) {
			const port = await freePort();
			const logf = path.join(work, `${tag}-${d.size}-${d.engine}.log`);
			const child = spawn(bin, ['serve', '--db', d.db, '--keys', d.keys, '--listen', `127.0.0.1:${port}`, '--web', ''], { stdio: ['ignore', openSync(logf, 'a'), openSync(logf, 'a')] });
			children.push(child);
			const s = { ...d, tag, base: `http://127.0.0.1:${port}`, logf };
			for (let i = 0; ; i++) { try { if ((await fetch(`${s.base}/healthz`)).ok) break; } catch {} if (i > 100) throw new Error('no health'); await new Promise((r) => setTimeout(r, 200)); }
			const r = await fetch(`${s.base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: PW }) });
			await r.text();
			s.cookie = /yj_session=([^;]+)/.exec(r.headers.getSetCookie().join(';'))[1];
			servers.push(s);
		}
	// The server's own time of a request: the last access-log line's "ms".
	const serverMs = (s) => {
		const lines = readFileSync(s.logf, 'utf8').trimEnd().split('\n');
		for (let i = lines.length - 1; i >= 0; i--) {
			const m = /"event":"http.request".*"ms":([0-9.]+)/.exec(lines[i]) || /"ms":([0-9.]+)/.exec(lines[i]);
			if (m && lines[i].includes('http.request')) return Number(m[1]);
		}
		return NaN;
	};
	const requests = (county) => [['institutions', ''], ['institutions', 'q=' + encodeURIComponent('王')],
		['institutions', 'q=' + encodeURIComponent('卫生')], ['institutions', `region=${county}`],
		['practitioners', ''], ['practitioners', 'q=' + encodeURIComponent('王')], ['practitioners', 'q=' + encodeURIComponent('秀英')],
		['practitioners', `region=${county}`]];
	const sorted = (a) => [...a].sort((x, y) => x - y);
	const pct = (s, p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
	console.log(`${ROWS} vs ${SMALL} practitioners + as many institutions; ${REPS} sequential requests each, one connection (keep-alive), servers alternating (load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
	console.log('engine size  binary list           query           client median p90 p99 ms | server median p90 | statements/request');
	for (const engine of ENGINES)
		for (const [what, qs] of requests(dbs.find((d) => d.engine === engine).county)) {
			const group = servers.filter((s) => s.engine === engine);
			const res = new Map(group.map((s) => [s, { wall: [], srv: [] }]));
			let stmts = new Map();
			for (let i = 0; i < REPS + 5; i++)
				for (const s of i % 2 ? [...group].reverse() : group) {
					const pgBefore = engine === 'pg' && i === REPS + 4 ? statSync(pgLog).size : 0;
					const t0 = performance.now();
					const r = await fetch(`${s.base}/api/v1/${what}${qs ? '?' + qs : ''}`, { headers: { cookie: `yj_session=${s.cookie}` } });
					const body = await r.json();
					const ms = performance.now() - t0;
					if (r.status !== 200) throw new Error(`${s.tag} ${what}?${qs}: ${r.status} ${JSON.stringify(body)}`);
					if (i >= 5) { res.get(s).wall.push(ms); res.get(s).srv.push(serverMs(s)); }
					if (pgBefore) {
						await new Promise((r) => setTimeout(r, 50));
						// The request's statements: those of the backend that ran the list (one worker's connection).
						const lines = readFileSync(pgLog).subarray(pgBefore).toString('utf8').split('\n');
						const pid = (lines.find((l) => l.includes(`FROM ${what} WHERE`)) || '').match(/\[(\d+)\]/)?.[1];
						stmts.set(s, lines.filter((l) => pid && l.includes(`[${pid}]`) && /duration: .* (statement|execute [^:]*):/.test(l)).length);
					}
				}
			for (const s of group) {
				const w = sorted(res.get(s).wall), v = sorted(res.get(s).srv);
				console.log(`${engine.padEnd(6)} ${s.size.padEnd(5)} ${s.tag.padEnd(6)} ${what.padEnd(14)} ${decodeURIComponent(qs || '-').padEnd(15)} ${pct(w, 0.5).toFixed(2).padStart(7)} ${pct(w, 0.9).toFixed(2).padStart(6)} ${pct(w, 0.99).toFixed(2).padStart(6)} | ${pct(v, 0.5).toFixed(2).padStart(6)} ${pct(v, 0.9).toFixed(2).padStart(6)} | ${stmts.get(s) ?? '-'}`);
			}
		}
} finally {
	for (const c of children) c.kill('SIGTERM');
	if (process.env.KEEP) log(`kept ${base} in ${work}`);
	else {
		if (base) run(PG_CLUSTER, ['stop', pgDir]);
		rmSync(work, { recursive: true, force: true });
	}
}
