// bench/grams_ab.mjs — two binaries whose name index differs (text grams before registry's migration 0007,
// numeric bigrams after: docs/benchmarks.md, "Issue 15: the name index as numeric bigrams"), each importing
// the same institutions file into fresh databases with `yijian import institutions` (alternating, old first):
// the run's wall time, PostgreSQL's server CPU (bench/lib.mjs pgClusterCpu) and its phase lines (import.name_grams,
// import.published), then name_grams' rows and
// size, then the wall time of name searches (a page of 20, signed in, one request at a time, servers
// alternating) for words of one character — common and rare — and of more.
// The file is bench/import.mjs's (浙江测试医疗机构N, the same grams), but for RARE names holding 稀 inside
// (浙江测试稀见医疗机构N) and RARE ending in 馆 (浙江测试医疗机构N馆).
// Environment: OLD_BIN and NEW_BIN (required), ROWS (100000), RARE (50), PASSES (2: imports per binary and
// engine, the searches on the last), REPS (50), ENGINES (sqlite,postgresql), KEEP=1 (leaves the work directory
// and PostgreSQL).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { creditCode } from '../tests/api/codes.mjs';
import { freePort, pgClusterCpu, phaseLine } from './lib.mjs';

const OLD = process.env.OLD_BIN, NEW = process.env.NEW_BIN;
if (!OLD || !NEW) {
	process.stderr.write('bench/grams_ab: set OLD_BIN and NEW_BIN\n');
	process.exit(2);
}
const ROWS = Number(process.env.ROWS || 100000), RARE = Number(process.env.RARE || 50);
const PASSES = Number(process.env.PASSES || 2), REPS = Number(process.env.REPS || 50);
const ENGINES = (process.env.ENGINES || 'sqlite,postgresql').split(',');
const PG_CLUSTER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scripts/pg-cluster');
const PW = 'Celiang-mima-2026';
const work = mkdtempSync(path.join(tmpdir(), 'yj-grams-ab-'));
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'], ...opts });
const psql = (url, sql) => run('psql', ['-qAtX', url, '-c', sql]).trim();
const log = (m) => process.stderr.write(`bench/grams_ab: ${m}\n`);
const children = [];
const pgDir = path.join(work, 'pg');
const pgBase = ENGINES.includes('postgresql') ? run(PG_CLUSTER, ['start', pgDir]).trim().split('\n').pop() : null;
const bins = [['old', OLD], ['new', NEW]];
let nth = 0;

// A fresh database of the engine, initialised by bin, with a province's leader to search as.
function freshDb(engine, bin) {
	const name = `g${nth++}`;
	let db;
	if (engine === 'postgresql') {
		psql(pgBase, `CREATE DATABASE ${name}`);
		db = pgBase.replace(/\/yijian$/, `/${name}`);
	} else db = `sqlite:${work}/${name}.db`;
	const keys = path.join(work, `${name}.keys`);
	run(bin, ['init', '--db', db, '--keys', keys]);
	run(bin, ['user', 'add', '--db', db, '--keys', keys, '--username', 'bench', '--role', 'leader', '--region', '330000',
		'--department', 'health'], { input: `${PW}\n` });
	return { engine, db, keys, name };
}

function gramsSize(d) {
	if (d.engine === 'postgresql')
		return { rows: Number(psql(d.db, 'SELECT COUNT(*) FROM name_grams')),
			bytes: Number(psql(d.db, "SELECT pg_total_relation_size('name_grams')")) };
	const file = d.db.slice(7);
	const rows = Number(run('sqlite3', [file, 'SELECT COUNT(*) FROM name_grams']).trim());
	let bytes = NaN;
	try { bytes = Number(run('sqlite3', [file, "SELECT SUM(pgsize) FROM dbstat WHERE name = 'name_grams' OR name LIKE 'sqlite_autoindex_name_grams%'"]).trim()); } catch {}
	return { rows, bytes };
}

const counties = (() => {
	const d = freshDb('sqlite', NEW);
	return run('sqlite3', [d.db.slice(7), "SELECT code FROM regions WHERE level = 3 AND code LIKE '33%' ORDER BY code"]).trim().split('\n');
})();
const csv = path.join(work, 'institutions.csv');
{
	const types = ['general_hospital', 'clinic', 'clinic', 'dental_clinic', 'community_station', 'village_clinic', 'outpatient_dept'];
	const lines = ['credit_code,name,type,level,ownership,profit,region_code,beds'];
	const every = Math.floor(ROWS / RARE);
	for (let i = 0; i < ROWS; i++) {
		const county = counties[i % counties.length];
		const name = i % every === 0 ? `浙江测试稀见医疗机构${i}` : i % every === every >> 1 ? `浙江测试医疗机构${i}馆` : `浙江测试医疗机构${i}`;
		lines.push(`${creditCode('52' + county, String(10000000 + i))},${name},${types[i % types.length]},none,private,forprofit,${county},${i % 50}`);
	}
	writeFileSync(csv, lines.join('\n') + '\n');
}

const f = (v) => (Number.isFinite(v) ? (v / 1000).toFixed(2) : '-');
const last = {};
try {
	console.log(`${ROWS} institutions (${RARE} with 稀 inside, ${RARE} ending in 馆), load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
	console.log('engine     binary  wall s  rows/s  server cpu s  grams s (cpu)  published s  name_grams rows  size MB');
	for (const engine of ENGINES)
		for (let p = 0; p < PASSES; p++)
			for (const [tag, bin] of bins) {
				const d = freshDb(engine, bin);
				const cpu0 = engine === 'postgresql' ? pgClusterCpu(pgDir) : NaN, t0 = performance.now();
				const r = spawnSync(bin, ['import', 'institutions', csv, '--db', d.db, '--keys', d.keys], { encoding: 'utf8', maxBuffer: 1 << 28 });
				const wall = (performance.now() - t0) / 1000, cpu = engine === 'postgresql' ? pgClusterCpu(pgDir) - cpu0 : NaN;
				if (r.status !== 0) throw new Error(`${tag} import: ${r.stderr.slice(0, 2000)}`);
				const g = phaseLine(r.stderr, 'import.name_grams'), pub = phaseLine(r.stderr, 'import.published'), sz = gramsSize(d);
				console.log(`${engine.padEnd(10)} ${tag.padEnd(6)} ${wall.toFixed(1).padStart(6)} ${(ROWS / wall).toFixed(0).padStart(7)}  ${(Number.isFinite(cpu) ? cpu.toFixed(2) : '-').padStart(12)}  ${f(g.ms)} (${f(g.cpu_ms)})  ${f(pub.ms).padStart(11)}  ${String(sz.rows).padStart(15)}  ${(sz.bytes / 1e6).toFixed(1).padStart(7)}`);
				last[`${engine}-${tag}`] = d;
			}
	// One server per binary and engine on its last import, all running at once.
	const servers = [];
	for (const engine of ENGINES)
		for (const [tag, bin] of bins) {
			const d = last[`${engine}-${tag}`];
			const port = await freePort();
			const logf = path.join(work, `${tag}-${engine}.log`);
			children.push(spawn(bin, ['serve', '--db', d.db, '--keys', d.keys, '--listen', `127.0.0.1:${port}`, '--web', ''], { stdio: ['ignore', openSync(logf, 'a'), openSync(logf, 'a')] }));
			const s = { engine, tag, base: `http://127.0.0.1:${port}` };
			for (let i = 0; ; i++) { try { if ((await fetch(`${s.base}/healthz`)).ok) break; } catch {} if (i > 100) throw new Error('no health'); await new Promise((res) => setTimeout(res, 200)); }
			const r = await fetch(`${s.base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: PW }) });
			await r.text();
			s.cookie = /yj_session=([^;]+)/.exec(r.headers.getSetCookie().join(';'))[1];
			servers.push(s);
		}
	const sorted = (a) => [...a].sort((x, y) => x - y);
	const pct = (s, q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
	console.log(`\nsearches: a page of 20, ${REPS} sequential requests each after 5 unmeasured, one connection, old and new alternating (load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
	console.log('engine     binary query        items  median    p90 ms   same page as old');
	for (const engine of ENGINES)
		for (const q of ['医', '7', '稀', '馆', '医疗', '稀见医', '医疗机构9']) {
			const group = servers.filter((s) => s.engine === engine);
			const res = new Map(group.map((s) => [s, { wall: [], body: '' }]));
			for (let i = 0; i < REPS + 5; i++)
				for (const s of i % 2 ? [...group].reverse() : group) {
					const t0 = performance.now();
					const r = await fetch(`${s.base}/api/v1/institutions?limit=20&q=${encodeURIComponent(q)}`, { headers: { cookie: `yj_session=${s.cookie}` } });
					const body = await r.text();
					const ms = performance.now() - t0;
					if (r.status !== 200) throw new Error(`${s.tag} ${q}: ${r.status} ${body}`);
					if (i >= 5) res.get(s).wall.push(ms);
					res.get(s).body = body;
				}
			const names = (s) => JSON.parse(res.get(s).body).items.map((x) => x.name).join('|');
			for (const s of group) {
				const w = sorted(res.get(s).wall);
				console.log(`${engine.padEnd(10)} ${s.tag.padEnd(6)} ${q.padEnd(12 - q.length)} ${String(JSON.parse(res.get(s).body).items.length).padStart(5)}  ${pct(w, 0.5).toFixed(2).padStart(6)}  ${pct(w, 0.9).toFixed(2).padStart(7)}   ${names(s) === names(group[0]) ? 'yes' : 'NO'}`);
			}
		}
} finally {
	for (const c of children) c.kill('SIGTERM');
	if (process.env.KEEP) log(`kept ${pgBase ?? ''} in ${work}`);
	else {
		if (pgBase) run(PG_CLUSTER, ['stop', pgDir]);
		rmSync(work, { recursive: true, force: true });
	}
}
