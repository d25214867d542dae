// bench/search.mjs — registry search on a million practitioners (issue 4, Performance;
// docs/benchmarks.md, "Registry search: bench/search").
//
// A throwaway PostgreSQL (scripts/pg-cluster) and a SQLite file, both initialised by `yijian init`,
// are loaded in bulk (psql \copy, sqlite3 .import) with the same generated registry
// (bench/search_data.mjs): N practitioners, N/50 institutions in Zhejiang's counties, and the name
// index rows. yijian serves both; the Fastify + pg baseline (bench/baseline/server.mjs) serves the same
// PostgreSQL database with yijian's SQL text. Before measuring, the bench checks that the baseline's
// bodies are byte-for-byte yijian's and that both sent PostgreSQL the same statement text (read back
// from PostgreSQL's log), then measures with wrk: a name substring (a common two-character given
// name, a full three-character name), a certificate-number lookup (a Lua script picks a random
// existing number per request, the same list for every server), as a province user and as a county
// user. Targets are reported, never a pass/fail test: the exit status is non-zero only when the
// bench could not measure (setup failed, responses differ, errors under load).
//
// Environment: BENCH_SEARCH_ROWS (1000000), BENCH_SEARCH_SEED (7), BENCH_SECONDS (15),
// BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_BASELINE_POOL (16),
// BENCH_BASELINE_WORKERS2 (2; 0 drops the reference row), BENCH_SEARCH_SQLITE (1; 0 drops the
// SQLite row), BENCH_PG_FSYNC (off), YIJIAN_BIN or BENCH_YIJIAN (build/yijian), BENCH_KEEP=1 (keeps the work
// directory and leaves PostgreSQL running, for EXPLAIN).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { GRAM_COLUMNS, INSTITUTION_COLUMNS, PRACTITIONER_COLUMNS, generate } from './search_data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..');
const env = process.env;
const num = (name, dflt) => {
	const v = env[name];
	if (v === undefined || v === '') return dflt;
	const n = Number(v);
	if (!Number.isFinite(n) || n < 0) {
		process.stderr.write(`bench/search: ${name}=${v} is not a non-negative number\n`);
		process.exit(2);
	}
	return n;
};

const ROWS = num('BENCH_SEARCH_ROWS', 1000000);
const SEED = num('BENCH_SEARCH_SEED', 7);
const SECONDS = num('BENCH_SECONDS', 15);
const WARMUP = num('BENCH_WARMUP_SECONDS', 3);
const CONNS = num('BENCH_CONNECTIONS', 64);
const THREADS = num('BENCH_THREADS', 2);
const BASELINE_POOL = num('BENCH_BASELINE_POOL', 16);
const BASELINE_WORKERS2 = num('BENCH_BASELINE_WORKERS2', 2);
const WITH_SQLITE = num('BENCH_SEARCH_SQLITE', 1) > 0;
const PG_FSYNC = (env.BENCH_PG_FSYNC || 'off').toLowerCase() === 'on' ? 'on' : 'off';
const YIJIAN = path.resolve(top, env.YIJIAN_BIN || env.BENCH_YIJIAN || 'build/yijian');
const PG_CLUSTER = path.resolve(top, 'scripts/pg-cluster');
const PASSWORD = 'Celiang-mima-2026';
const COUNTY = '330302'; // 温州市鹿城区: the county user's territory
const Q_GIVEN = '秀英'; // a common two-character given name: a long posting list
const Q_FULL = '王秀英'; // a full three-character name: two bigrams intersected
const TARGET_RATIO = 3;
const TARGET_P99_CERT_MS = 5;
const TARGET_P99_NAME_MS = 50;
import { benchResult } from './lib.mjs'; // the summary lines of bench/run (kept apart from the imports above)
const API = '/api/v1/practitioners';

// ---------------------------------------------------------------- plumbing

const children = new Set();
let work = null;
let pgDir = null;
let cleaned = false;

const log = (msg) => process.stderr.write(`bench/search: ${msg}\n`);

function die(msg) {
	process.stderr.write(`\nbench/search: FAILED: ${msg}\n`);
	cleanup();
	process.exit(1);
}

function cleanup() {
	if (cleaned) return;
	cleaned = true;
	for (const c of children) {
		try {
			c.kill('SIGTERM');
		} catch {}
	}
	if (pgDir && env.BENCH_KEEP) {
		log(`PostgreSQL left running in ${pgDir}; stop it with scripts/pg-cluster stop ${pgDir}`);
	} else if (pgDir) {
		try {
			execFileSync(PG_CLUSTER, ['stop', pgDir], { stdio: ['ignore', 'ignore', 'inherit'] });
		} catch (e) {
			log(`scripts/pg-cluster stop ${pgDir} failed: ${e.message}`);
		}
	}
	if (work && !env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
	else if (work) log(`kept ${work}`);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
	process.on(sig, () => {
		process.stderr.write(`\nbench/search: interrupted (${sig})\n`);
		cleanup();
		process.exit(130);
	});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const secs = (t0) => (Date.now() - t0) / 1000;

function run(cmd, args, opts = {}) {
	try {
		return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 28, ...opts });
	} catch (e) {
		die(`${cmd} ${args.join(' ').slice(0, 300)} exited with ${e.status ?? e.signal}:\n${e.stderr || ''}${String(e.stdout || '').slice(0, 2000)}`);
	}
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

function start(name, cmd, args, extraEnv = {}) {
	const logFile = path.join(work, `${name}.log`);
	const fd = openSync(logFile, 'a');
	const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...env, ...extraEnv } });
	child.logFile = logFile;
	child.label = name;
	children.add(child);
	child.on('exit', (code, sig) => {
		children.delete(child);
		child.exited = { code, sig };
	});
	return child;
}

function tail(file, n = 30) {
	try {
		return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
	} catch {
		return '';
	}
}

async function waitHealthy(child, base) {
	const deadline = Date.now() + 60000;
	while (Date.now() < deadline) {
		if (child.exited) die(`${child.label} exited (${JSON.stringify(child.exited)}) at start:\n${tail(child.logFile)}`);
		try {
			const r = await fetch(`${base}/healthz`);
			if (r.status === 200) return;
		} catch {}
		await sleep(100);
	}
	die(`${child.label} did not become healthy at ${base} within 60 s:\n${tail(child.logFile)}`);
}

async function stop(child) {
	if (!child || child.exited) return;
	child.kill('SIGTERM');
	for (let i = 0; i < 100 && !child.exited; i++) await sleep(50);
	if (!child.exited) child.kill('SIGKILL');
}

async function get(base, pathq, cookie) {
	const r = await fetch(base + pathq, { headers: cookie ? { cookie: `yj_session=${cookie}` } : {} });
	return { status: r.status, type: r.headers.get('content-type'), body: Buffer.from(await r.arrayBuffer()) };
}

// ---------------------------------------------------------------- wrk

function toMs(s) {
	const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(s);
	if (!m) return NaN;
	const v = Number(m[1]);
	return { us: v / 1000, ms: v, s: v * 1000, m: v * 60000, h: v * 3600000 }[m[2]];
}

function parseWrk(out) {
	const r = { rps: NaN, requests: 0, latency_ms: {}, non2xx: 0, socket_errors: null };
	let m;
	if ((m = /Requests\/sec:\s*([\d.]+)/.exec(out))) r.rps = Number(m[1]);
	if ((m = /(\d+) requests in ([\d.]+\w+)/.exec(out))) r.requests = Number(m[1]);
	if ((m = /Non-2xx or 3xx responses:\s*(\d+)/.exec(out))) r.non2xx = Number(m[1]);
	if ((m = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)))
		r.socket_errors = { connect: +m[1], read: +m[2], write: +m[3], timeout: +m[4] };
	const dist = out.split('Latency Distribution')[1] || '';
	for (const line of dist.split('\n')) {
		const mm = /^\s*(\d+)%\s+([\d.]+\w+)\s*$/.exec(line);
		if (mm) r.latency_ms[`p${mm[1]}`] = toMs(mm[2]);
	}
	return r;
}

function wrk(url, seconds, cookie, script) {
	const args = [`-t${THREADS}`, `-c${CONNS}`, `-d${seconds}s`, '--latency'];
	if (cookie) args.push('-H', `Cookie: yj_session=${cookie}`);
	if (script) args.push('-s', script);
	args.push(url);
	return new Promise((resolve) => {
		const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
		children.add(child);
		let out = '';
		let err = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (err += d));
		child.on('exit', (code) => {
			children.delete(child);
			if (code !== 0) die(`wrk ${args.join(' ')} exited with ${code}:\n${err}${out}`);
			const shown = args.map((a) => (a.startsWith('Cookie:') ? "'Cookie: yj_session=…'" : a));
			resolve({ command: `wrk ${shown.join(' ')}`, raw: out, ...parseWrk(out) });
		});
	});
}

function problems(res) {
	const p = [];
	if (!(res.requests > 0)) p.push('no requests completed');
	if (res.non2xx) p.push(`${res.non2xx} non-2xx responses`);
	const se = res.socket_errors;
	if (se && se.connect + se.read + se.write + se.timeout > 0)
		p.push(`socket errors connect ${se.connect}, read ${se.read}, write ${se.write}, timeout ${se.timeout}`);
	return p;
}

// The certificate lookup: each request asks for a random number of the list (seeded per thread, so
// every server gets the same sequence of numbers).
function certScript(file, certs) {
	const list = certs.map((c) => `"${c}"`).join(',');
	writeFileSync(file, `-- bench/search: GET ${API}?certificate_no=<a random existing number>
local certs = {${list}}
local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("seed", counter)
end
function init(args)
	math.randomseed(1000 + seed)
end
function request()
	return wrk.format("GET", "${API}?certificate_no=" .. certs[math.random(#certs)])
end
`);
	return file;
}

// ---------------------------------------------------------------- setup

// Each statement its own -c, so that VACUUM and ALTER SYSTEM run outside a transaction block.
function psql(url, ...sql) {
	return run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', ...sql.flatMap((x) => ['-c', x])]);
}

function initDb(db, name) {
	const keys = path.join(work, `${name}.keys`);
	run(YIJIAN, ['init', '--db', db, '--keys', keys]);
	for (const [user, region] of [['bench', '330000'], ['county', COUNTY]])
		run(YIJIAN, ['user', 'add', '--db', db, '--keys', keys, '--username', user, '--role', 'leader', '--region', region, '--department', 'health'], {
			input: `${PASSWORD}\n`,
		});
	return keys;
}

async function startYijian(name, db, keys) {
	const port = await freePort();
	const child = start(name, YIJIAN, ['serve', '--db', db, '--keys', keys, '--listen', `127.0.0.1:${port}`, '--web', '', '--quiet']);
	const base = `http://127.0.0.1:${port}`;
	await waitHealthy(child, base);
	return { child, base, port };
}

async function signIn(base, username) {
	const r = await fetch(`${base}/api/v1/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username, password: PASSWORD }),
	});
	const text = await r.text();
	if (r.status !== 200 && r.status !== 201) die(`sign-in of ${username} at ${base} answered ${r.status}: ${text}`);
	const sc = r.headers.getSetCookie ? r.headers.getSetCookie() : [r.headers.get('set-cookie') || ''];
	for (const c of sc) {
		const m = /(?:^|;\s*)yj_session=([^;]+)/.exec(c);
		if (m) return m[1];
	}
	die(`sign-in at ${base} set no yj_session cookie`);
}

// psql \copy of the three CSV files, then ANALYZE (as autovacuum would soon after a bulk load).
function loadPg(url, files) {
	const t0 = Date.now();
	const cols = {
		institutions: files.institutionColumns,
		practitioners: files.practitionerColumns,
		name_grams: files.gramColumns,
	};
	const timings = {};
	// The secondary indexes (not those of a key) are dropped and built again after the load, from
	// their own definitions: one sort instead of a million insertions each.
	const tables = "('institutions', 'practitioners', 'name_grams')";
	const defs = psql(url, `SELECT indexname || '|' || indexdef FROM pg_indexes WHERE tablename IN ${tables} AND indexname NOT IN ` +
		`(SELECT conname FROM pg_constraint) ORDER BY indexname`).trim().split('\n').filter(Boolean).map((l) => l.split('|'));
	psql(url, ...defs.map(([name]) => `DROP INDEX ${name}`));
	for (const [table, file] of [['institutions', files.institutions], ['practitioners', files.practitioners], ['name_grams', files.grams]]) {
		const t = Date.now();
		psql(url, `\\copy ${table}(${cols[table]}) FROM '${file}' WITH (FORMAT csv)`);
		timings[table] = secs(t);
		log(`PostgreSQL: ${table} loaded in ${timings[table].toFixed(1)} s`);
	}
	let t = Date.now();
	psql(url, 'SET maintenance_work_mem = \'512MB\'', ...defs.map(([, def]) => def));
	timings.indexes = secs(t);
	log(`PostgreSQL: ${defs.length} secondary indexes built in ${timings.indexes.toFixed(1)} s`);
	t = Date.now();
	psql(url, 'VACUUM ANALYZE institutions, practitioners, name_grams');
	timings.vacuum_analyze = secs(t);
	return { seconds: secs(t0), ...timings };
}

// sqlite3 .import into staging tables of text columns, then INSERT … SELECT into yijian's tables
// (their column affinities turn the digits back into integers), then ANALYZE.
function loadSqlite(file, files) {
	const t0 = Date.now();
	const parts = ['PRAGMA cache_size = -262144;', 'PRAGMA temp_store = MEMORY;'];
	// As for PostgreSQL: secondary indexes (those with SQL text; a key's have none) are rebuilt after.
	const defs = run('sqlite3', [file, "SELECT name || '|' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND " +
		"tbl_name IN ('institutions', 'practitioners', 'name_grams') ORDER BY name"]).trim().split('\n').filter(Boolean).map((l) => l.split('|'));
	for (const [name] of defs) parts.push(`DROP INDEX ${name};`);
	for (const [table, csv, cols] of [['institutions', files.institutions, files.institutionColumns],
		['practitioners', files.practitioners, files.practitionerColumns], ['name_grams', files.grams, files.gramColumns]]) {
		parts.push(`CREATE TABLE stage_${table} (${cols});`);
		parts.push(`.import --csv ${csv} stage_${table}`);
		parts.push(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM stage_${table};`);
		parts.push(`DROP TABLE stage_${table};`);
	}
	for (const [, def] of defs) parts.push(`${def};`);
	parts.push('ANALYZE;');
	run('sqlite3', ['-bail', file], { input: `${parts.join('\n')}\n` });
	return { seconds: secs(t0) };
}

// Waits (at most a minute) until PostgreSQL runs no client query, so that statements still running
// after wrk gave up on them (its timeout is 2 s) do not weigh on the next measurement.
async function pgIdle(url) {
	for (let i = 0; i < 120; i++) {
		const n = Number(psql(url, "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()").trim());
		if (n === 0) return;
		await sleep(500);
	}
	log('PostgreSQL still busy after 60 s; measuring anyway');
}

// ---------------------------------------------------------------- output

const fmtMs = (v) => (Number.isFinite(v) ? (v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`) : '—');
const fmtRps = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const pad = (s, n) => {
	s = String(s);
	const w = [...s].reduce((a, ch) => a + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
	return s + ' '.repeat(Math.max(0, n - w));
};
const lpad = (s, n) => ' '.repeat(Math.max(0, n - String(s).length)) + s;

function machine() {
	const pkg = (n) => {
		try {
			return JSON.parse(readFileSync(path.join(here, 'node_modules', n, 'package.json'), 'utf8')).version;
		} catch {
			return null;
		}
	};
	let pgVersion = null;
	try {
		pgVersion = execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
	} catch {}
	return {
		cpu: os.cpus()[0]?.model, cores: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
		memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version, fastify: pkg('fastify'), pg: pkg('pg'),
		postgres: pgVersion, sqlite: execFileSync('sqlite3', ['--version'], { encoding: 'utf8' }).split(' ')[0],
	};
}

// ---------------------------------------------------------------- main

async function main() {
	const tStart = Date.now();
	if (!existsSync(YIJIAN)) die(`${YIJIAN} not found: build it first (make build)`);
	const version = run(YIJIAN, ['--version']).trim().replace(/^yijian\s+/, '');
	const loadBefore = os.loadavg();

	work = mkdtempSync(path.join(os.tmpdir(), 'yijian-search-'));
	chmodSync(work, 0o755); // PostgreSQL runs as the postgres user and must reach its directory
	log(`work directory ${work}`);

	// 1. PostgreSQL and SQLite, initialised by yijian, with a province user and a county user.
	pgDir = path.join(work, 'pg');
	const pgOut = run(PG_CLUSTER, ['start', pgDir], { env: { ...env, PG_FSYNC } });
	const pgUrl = pgOut.trim().split('\n').pop().trim();
	if (!/^postgres(ql)?:\/\//.test(pgUrl)) die(`scripts/pg-cluster start printed no URL: ${JSON.stringify(pgOut)}`);
	const sqliteFile = path.join(work, 'yijian.db');
	const sqliteUrl = `sqlite:${sqliteFile}`;
	const pgKeys = initDb(pgUrl, 'pg');
	const sqKeys = WITH_SQLITE ? initDb(sqliteUrl, 'sqlite') : null;

	// 2. The registry: Zhejiang's county-level regions from yijian's own regions table.
	const counties = psql(pgUrl, "SELECT code || '|' || name FROM regions WHERE level = 3 AND code LIKE '33%' ORDER BY code")
		.trim().split('\n').map((l) => ({ code: l.split('|')[0], name: l.split('|')[1] }));
	if (!counties.some((c) => c.code === COUNTY)) die(`county ${COUNTY} is not in the regions table`);
	const nInst = Math.max(20, Math.round(ROWS / 50));
	log(`generating ${ROWS.toLocaleString('en-US')} practitioners and ${nInst.toLocaleString('en-US')} institutions over ${counties.length} counties (seed ${SEED})`);
	let t = Date.now();
	const data = generate({ dir: work, rows: ROWS, institutions: nInst, counties, seed: SEED });
	const genSeconds = secs(t);
	const files = { ...data.files, institutionColumns: INSTITUTION_COLUMNS, practitionerColumns: PRACTITIONER_COLUMNS, gramColumns: GRAM_COLUMNS };
	log(`generated in ${genSeconds.toFixed(1)} s: ${data.ngrams.toLocaleString('en-US')} name_grams rows (${data.distinctGrams.toLocaleString('en-US')} distinct grams)`);
	const pgLoad = loadPg(pgUrl, files);
	log(`PostgreSQL loaded in ${pgLoad.seconds.toFixed(1)} s`);
	let sqLoad = null;
	if (WITH_SQLITE) {
		sqLoad = loadSqlite(sqliteFile, files);
		log(`SQLite loaded in ${sqLoad.seconds.toFixed(1)} s`);
	}
	if (!env.BENCH_KEEP) for (const f of [files.institutions, files.practitioners, files.grams]) rmSync(f, { force: true });

	// Result sizes of the measured queries (the whole match, not the page).
	const count = (where) => Number(psql(pgUrl, `SELECT COUNT(*) FROM practitioners WHERE ${where}`).trim());
	const matches = {
		given: count(`name LIKE '%${Q_GIVEN}%'`),
		full: count(`name LIKE '%${Q_FULL}%'`),
		given_county: count(`name LIKE '%${Q_GIVEN}%' AND region_code LIKE '${COUNTY}%'`),
		county: count(`region_code LIKE '${COUNTY}%'`),
		total: count('1=1'),
	};
	log(`matches: ${Q_GIVEN} ${matches.given}, ${Q_FULL} ${matches.full}, ${Q_GIVEN} in ${COUNTY} ${matches.given_county} (of ${matches.county} in the county)`);
	const certsInCounty = psql(pgUrl, `SELECT certificate_no FROM practitioners WHERE region_code = '${COUNTY}' ORDER BY id LIMIT 2000`).trim().split('\n').filter(Boolean);
	if (certsInCounty.length === 0) die(`no practitioners in ${COUNTY}: BENCH_SEARCH_ROWS=${ROWS} is too small`);
	const certOutside = psql(pgUrl, `SELECT certificate_no FROM practitioners WHERE region_code <> '${COUNTY}' ORDER BY id LIMIT 1`).trim();

	// 3. The servers.
	const yjPg = await startYijian('yijian-pg', pgUrl, pgKeys);
	const yjSq = WITH_SQLITE ? await startYijian('yijian-sqlite', sqliteUrl, sqKeys) : null;
	const cookie = { pg: { bench: await signIn(yjPg.base, 'bench'), county: await signIn(yjPg.base, 'county') } };
	if (yjSq) cookie.sq = { bench: await signIn(yjSq.base, 'bench'), county: await signIn(yjSq.base, 'county') };
	const health = JSON.parse((await get(yjPg.base, '/healthz')).body.toString());
	const startBaseline = async (name, workers) => {
		const port = await freePort();
		const child = start(name, process.execPath, [path.join(here, 'baseline/server.mjs'), '--db', pgUrl, '--listen', `127.0.0.1:${port}`], {
			NODE_ENV: 'production', BASELINE_POOL: String(BASELINE_POOL), BASELINE_WORKERS: String(workers),
			YJ_ENGINE: String(health.engine), YJ_VERSION: String(health.version),
		});
		const s = { child, base: `http://127.0.0.1:${port}` };
		await waitHealthy(child, s.base);
		return s;
	};
	const bl = await startBaseline('baseline', 1);
	const bl2 = BASELINE_WORKERS2 > 0 ? await startBaseline('baseline-cluster', BASELINE_WORKERS2) : null;

	// 4. Byte-for-byte equality, with PostgreSQL logging every statement so that the SQL text each
	// server sent can be compared too.
	const pgLog = path.join(pgDir, 'server.log');
	const logStart = readFileSync(pgLog).length;
	psql(pgUrl, 'ALTER SYSTEM SET log_min_duration_statement = 0', "ALTER SYSTEM SET log_line_prefix = '[%a] '");
	psql(pgUrl, 'SELECT pg_reload_conf()');
	await sleep(300);
	const enc = encodeURIComponent;
	const first = JSON.parse((await get(yjPg.base, `${API}?q=${enc(Q_GIVEN)}`, cookie.pg.bench)).body.toString());
	if (!(first.items?.length === 20 && first.next_cursor)) die(`GET ${API}?q=${Q_GIVEN} did not return a full first page: ${JSON.stringify(first).slice(0, 500)}`);
	const checks = [
		[`${API}?q=${enc(Q_GIVEN)}`, 'bench', 200],
		[`${API}?q=${enc(Q_GIVEN)}&cursor=${first.next_cursor}`, 'bench', 200],
		[`${API}?q=${enc(Q_FULL)}`, 'bench', 200],
		[`${API}?q=${enc(Q_FULL)}&limit=200`, 'bench', 200],
		[`${API}?q=${enc('王')}`, 'bench', 200],
		[`${API}?q=${enc('陈建华诊所')}`, 'bench', 200],
		[`${API}?q=${enc('秀英%_\\')}`, 'bench', 200],
		[`${API}?q=${enc(Q_GIVEN)}&region=${COUNTY}`, 'bench', 200],
		[`${API}?certificate_no=${data.certs[0]}`, 'bench', 200],
		[`${API}?certificate_no=${data.certs[1]}`, 'bench', 200],
		[`${API}?certificate_no=000000000000000`, 'bench', 200],
		[`${API}?q=${enc(Q_GIVEN)}`, 'county', 200],
		[`${API}?certificate_no=${certsInCounty[0]}`, 'county', 200],
		[`${API}?certificate_no=${certOutside}`, 'county', 200],
		[`${API}?q=${enc(Q_GIVEN)}`, null, 401],
		[`${API}?q=${enc(Q_GIVEN)}&cursor=${enc('!!')}`, 'bench', 400],
		[`${API}?q=${enc(Q_GIVEN)}&cursor=YWJj`, 'bench', 400],
		[`${API}?q=${enc(Q_GIVEN)}&limit=0`, 'bench', 400],
		[`${API}?q=${enc(Q_GIVEN)}&sort=name`, 'bench', 400],
		[`${API}?q=${enc('秀'.repeat(51))}`, 'bench', 400],
	];
	const compared = [];
	for (const [p, who, status] of checks) {
		const ck = who ? cookie.pg[who] : null;
		const a = await get(yjPg.base, p, ck);
		if (a.status !== status) die(`yijian answered ${a.status} (expected ${status}) to GET ${p}: ${a.body}`);
		for (const other of [bl, bl2].filter(Boolean)) {
			const b = await get(other.base, p, ck);
			if (a.status === b.status && a.type === b.type && a.body.equals(b.body)) continue;
			let i = 0;
			while (i < a.body.length && a.body[i] === b.body[i]) i++;
			die(`yijian and the baseline answer GET ${p} (as ${who}) differently (first difference at byte ${i}):\n` +
				`  yijian   ${a.status} ${a.type} ${a.body.toString().slice(Math.max(0, i - 200), i + 300)}\n` +
				`  baseline ${b.status} ${b.type} ${b.body.toString().slice(Math.max(0, i - 200), i + 300)}`);
		}
		if (yjSq) {
			const s = await get(yjSq.base, p, who ? cookie.sq[who] : null);
			if (!(s.status === a.status && s.body.equals(a.body)))
				die(`yijian on SQLite and on PostgreSQL answer GET ${p} differently:\n  sqlite ${s.status} ${s.body.toString().slice(0, 600)}\n  pg     ${a.status} ${a.body.toString().slice(0, 600)}`);
		}
		const items = a.status === 200 ? JSON.parse(a.body.toString()).items.length : null;
		compared.push({ path: p, as: who, status, bytes: a.body.length, items });
	}
	await sleep(300);
	psql(pgUrl, 'ALTER SYSTEM RESET log_min_duration_statement', 'ALTER SYSTEM RESET log_line_prefix');
	psql(pgUrl, 'SELECT pg_reload_conf()');
	// Statement texts on practitioners, per server (yijian sets no application_name).
	const texts = { yijian: new Set(), baseline: new Set() };
	const logged = readFileSync(pgLog).subarray(logStart).toString();
	writeFileSync(path.join(work, 'statements.log'), logged);
	for (const line of logged.split('\n')) {
		const m = /^\[(.*?)\] LOG:\s+duration: [\d.]+ ms\s+execute [^:]*: (.*FROM practitioners .*)$/.exec(line);
		if (m) texts[m[1] === 'baseline' ? 'baseline' : 'yijian'].add(m[2]);
	}
	const onlyY = [...texts.yijian].filter((s) => !texts.baseline.has(s));
	const onlyB = [...texts.baseline].filter((s) => !texts.yijian.has(s));
	if (texts.yijian.size === 0) die(`no practitioner statements of yijian found in PostgreSQL's log ${pgLog}`);
	if (onlyY.length || onlyB.length)
		die(`yijian and the baseline sent PostgreSQL different SQL:\n  only yijian:   ${onlyY.join('\n                 ')}\n  only baseline: ${onlyB.join('\n                 ')}`);
	log(`responses identical on ${compared.length} requests; the same ${texts.yijian.size} statement texts on practitioners`);

	// 5. Throughput and latency.
	const script = certScript(path.join(work, 'certs.lua'), data.certs.slice(0, 2000));
	const scriptCounty = certScript(path.join(work, 'certs-county.lua'), certsInCounty);
	const endpoints = [
		{ key: 'name_given', label: `q=${Q_GIVEN}`, path: `${API}?q=${enc(Q_GIVEN)}`, who: 'bench', kind: 'name', matches: matches.given },
		{ key: 'name_full', label: `q=${Q_FULL}`, path: `${API}?q=${enc(Q_FULL)}`, who: 'bench', kind: 'name', matches: matches.full },
		{ key: 'cert', label: 'certificate_no=…', path: API, script, who: 'bench', kind: 'cert', matches: 1 },
		{ key: 'name_given_county', label: `q=${Q_GIVEN} (county)`, path: `${API}?q=${enc(Q_GIVEN)}`, who: 'county', kind: 'name', matches: matches.given_county },
		{ key: 'cert_county', label: 'certificate_no=… (county)', path: API, script: scriptCounty, who: 'county', kind: 'cert', matches: 1 },
	];
	const servers = [
		{ key: 'yijian_pg', label: 'yijian, PostgreSQL', s: yjPg, cookies: cookie.pg },
		{ key: 'baseline_pg', label: 'baseline, PostgreSQL', s: bl, cookies: cookie.pg },
		...(bl2 ? [{ key: 'baseline_pg_cluster', label: `baseline ×${BASELINE_WORKERS2} procs`, s: bl2, cookies: cookie.pg }] : []),
		...(yjSq ? [{ key: 'yijian_sqlite', label: 'yijian, SQLite', s: yjSq, cookies: cookie.sq }] : []),
	];
	const results = [];
	const broken = [];
	const loads = [];
	for (const ep of endpoints) {
		for (const sv of servers) {
			const url = sv.s.base + ep.path;
			await pgIdle(pgUrl);
			log(`${ep.label} on ${sv.label}: warm-up ${WARMUP} s, then ${SECONDS} s`);
			if (WARMUP > 0) await wrk(url, WARMUP, sv.cookies[ep.who], ep.script);
			const res = await wrk(url, SECONDS, sv.cookies[ep.who], ep.script);
			loads.push(os.loadavg()[0]);
			if (sv.s.child.exited) die(`${sv.label} died under load:\n${tail(sv.s.child.logFile)}`);
			const bad = problems(res);
			if (bad.length) broken.push(`${sv.label} ${ep.label}: ${bad.join('; ')}`);
			results.push({ endpoint: ep.key, server: sv.key, label: sv.label, ...res, problems: bad });
		}
	}

	// 6. Report.
	const mach = machine();
	const loadAfter = os.loadavg();
	const date = new Date().toISOString();
	const by = (ep, k) => results.find((r) => r.endpoint === ep && r.server === k);
	const lines = [''];
	lines.push(`yijian ${version} registry search — ${date.slice(0, 19).replace('T', ' ')} UTC — ${mach.cpu}, ${mach.cores} cores`);
	lines.push(`${matches.total.toLocaleString('en-US')} practitioners, ${nInst.toLocaleString('en-US')} institutions, ${data.ngrams.toLocaleString('en-US')} name_grams rows; ` +
		`loaded by psql \\copy in ${pgLoad.seconds.toFixed(0)} s${sqLoad ? `, sqlite3 .import in ${sqLoad.seconds.toFixed(0)} s` : ''}`);
	lines.push(`wrk -t${THREADS} -c${CONNS} -d${SECONDS}s --latency (after a ${WARMUP} s warm-up); page size 20; PostgreSQL fsync=${PG_FSYNC};`);
	lines.push(`baseline: Fastify ${mach.fastify} + pg ${mach.pg} on Node ${mach.node}, pool ${BASELINE_POOL}, 1 process; same database, same SQL text (checked).`);
	lines.push(`matches: q=${Q_GIVEN} ${matches.given.toLocaleString('en-US')}, q=${Q_FULL} ${matches.full.toLocaleString('en-US')}, ` +
		`q=${Q_GIVEN} in the county user's ${COUNTY} ${matches.given_county.toLocaleString('en-US')} (${matches.county.toLocaleString('en-US')} practitioners there)`);
	lines.push(`load average (1 min) ${loadBefore[0].toFixed(1)} at start, ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the runs, ` +
		`${loadAfter[0].toFixed(1)} at the end. NOTE: wrk, the servers and PostgreSQL share these ${mach.cores} cores with whatever else runs.`);
	lines.push('');
	const hdr = `${pad('query', 28)}${pad('server', 22)}${lpad('req/s', 9)}${lpad('p50', 11)}${lpad('p99', 11)}${lpad('× baseline', 12)}   target`;
	lines.push(hdr);
	lines.push('-'.repeat(hdr.length + 30));
	const summary = [];
	for (const ep of endpoints) {
		const base = by(ep.key, 'baseline_pg');
		const p99Target = ep.kind === 'cert' ? TARGET_P99_CERT_MS : TARGET_P99_NAME_MS;
		for (const sv of servers) {
			const r = by(ep.key, sv.key);
			const ratio = sv.key === 'baseline_pg' ? null : r.rps / base.rps;
			r.ratio_vs_baseline = ratio;
			let target = '';
			if (sv.key === 'yijian_pg') {
				const ratioOk = ratio >= TARGET_RATIO;
				const p99Ok = r.latency_ms.p99 < p99Target;
				r.target_met = { ratio: ratioOk, p99: p99Ok };
				target = `≥${TARGET_RATIO}×: ${ratioOk ? 'met' : 'NOT met'}; p99 < ${p99Target} ms: ${p99Ok ? 'met' : 'NOT met'}`;
				summary.push({ query: ep.key, ratio, p50_ms: r.latency_ms.p50, p99_ms: r.latency_ms.p99, ratio_met: ratioOk, p99_met: p99Ok });
				benchResult({ bench: 'search', figure: `${ep.label} req/s`, value: r.rps, unit: 'req/s', baseline: 'Fastify + pg', baseline_value: base.rps,
					target: `≥ ${TARGET_RATIO}× the baseline`, ratioMin: TARGET_RATIO });
				benchResult({ bench: 'search', figure: `${ep.label} p99`, value: r.latency_ms.p99, unit: 'ms', baseline: 'Fastify + pg',
					baseline_value: base.latency_ms.p99, higher: false, target: `< ${p99Target} ms`, max: p99Target });
			} else if (sv.key === 'yijian_sqlite') target = '(other engine; for reference)';
			else if (sv.key === 'baseline_pg_cluster') target = `(reference: yijian is ${(by(ep.key, 'yijian_pg').rps / r.rps).toFixed(2)}× this)`;
			else target = '(baseline)';
			if (r.problems.length) target += `  ERRORS: ${r.problems.join('; ')}`;
			lines.push(`${pad(ep.label, 28)}${pad(sv.label, 22)}${lpad(fmtRps(r.rps), 9)}${lpad(fmtMs(r.latency_ms.p50), 11)}${lpad(fmtMs(r.latency_ms.p99), 11)}${lpad(ratio === null ? '1.00×' : `${ratio.toFixed(2)}×`, 12)}   ${target}`);
		}
	}
	lines.push('');
	lines.push(`Raw numbers: bench/results/search-latest.json   (total ${Math.round(secs(tStart))} s)`);
	process.stdout.write(`${lines.join('\n')}\n`);

	const out = {
		date, yijian_version: version, machine: mach, load_average: { start: loadBefore, during_1min: loads, end: loadAfter },
		settings: { rows: ROWS, institutions: nInst, seed: SEED, seconds: SECONDS, warmup_seconds: WARMUP, connections: CONNS, wrk_threads: THREADS,
			pg_fsync: PG_FSYNC, baseline_pool: BASELINE_POOL, county: COUNTY, q_given: Q_GIVEN, q_full: Q_FULL },
		data: { generate_seconds: genSeconds, name_grams_rows: data.ngrams, distinct_grams: data.distinctGrams, pg_load: pgLoad, sqlite_load: sqLoad, matches },
		targets: { ratio_vs_baseline: TARGET_RATIO, cert_p99_ms: TARGET_P99_CERT_MS, name_p99_ms: TARGET_P99_NAME_MS },
		equality_checked: compared, sql_checked: [...texts.yijian], summary, results, errors: broken,
	};
	mkdirSync(path.join(here, 'results'), { recursive: true });
	writeFileSync(path.join(here, 'results/search-latest.json'), `${JSON.stringify(out, null, 2)}\n`);

	for (const s of [bl, bl2, yjSq, yjPg]) await stop(s?.child);
	cleanup();
	if (broken.length) {
		process.stderr.write(`\nbench/search: FAILED: errors under load make these numbers meaningless:\n  ${broken.join('\n  ')}\n`);
		process.exit(1);
	}
}

main().catch((e) => die(e.stack || String(e)));
