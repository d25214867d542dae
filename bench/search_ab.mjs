// bench/search_ab.mjs — name-search latency of two yijian binaries side by side, for a change to the name
// index (docs/benchmarks.md, "Issue 15: the import, fifth round"): each binary makes its own SQLite file and
// PostgreSQL database (`yijian init`, so each has its own schema), both are loaded in bulk with the same
// generated registry (bench/search_data.mjs: BENCH_SEARCH_ROWS practitioners and as many institutions),
// all four servers run at once, and every query is sent REPS times, old and new alternating, one at a time;
// it prints median and p90 in ms and new ÷ old, and fails when a page's ids differ.
// Before timing, every query's pages are compared too, following next_cursor (up to PAGES, 30).
// Environment: OLD_BIN and NEW_BIN (required), BENCH_SEARCH_ROWS (100000), REPS (200), KEEP=1 (leaves
// PostgreSQL running and the work directory, for EXPLAIN).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generate, loadPlain } from './search_data.mjs';

const OLD = process.env.OLD_BIN, NEW = process.env.NEW_BIN;
if (!OLD || !NEW) {
	process.stderr.write('bench/search_ab: set OLD_BIN and NEW_BIN to the two yijian binaries\n');
	process.exit(2);
}
const ROWS = Number(process.env.BENCH_SEARCH_ROWS || 100000), REPS = Number(process.env.REPS || 200);
const PAGES = Number(process.env.PAGES || 30);
const PG_CLUSTER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scripts/pg-cluster');
const work = mkdtempSync(path.join(tmpdir(), 'yj-search-ab-'));
const PW = 'Celiang-mima-2026';
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
const psql = (url, ...sql) => run('psql', ['-qAt', url, ...sql.flatMap((s) => ['-c', s])]);
const log = (m) => process.stderr.write(`bench/search_ab: ${m}\n`);
const children = [];
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const pgDir = path.join(work, 'pg');
const base = run(PG_CLUSTER, ['start', pgDir]).trim().split('\n').pop();
try {
	const dbs = [];
	for (const [tag, bin] of [['old', OLD], ['new', NEW]]) {
		psql(base, `CREATE DATABASE ${tag}`);
		for (const db of [base.replace(/\/yijian$/, `/${tag}`), `sqlite:${work}/${tag}.db`]) {
			const keys = path.join(work, `${tag}-${db.startsWith('sqlite') ? 'sq' : 'pg'}.keys`);
			run(bin, ['init', '--db', db, '--keys', keys]);
			run(bin, ['user', 'add', '--db', db, '--keys', keys, '--username', 'bench', '--role', 'leader', '--region', '330000', '--department', 'health'], { input: `${PW}\n` });
			dbs.push({ tag, bin, db, keys, engine: db.startsWith('sqlite') ? 'sqlite' : 'pg' });
		}
	}
	const counties = psql(base.replace(/\/yijian$/, '/old'), "SELECT code || '|' || name FROM regions WHERE level = 3 AND code LIKE '33%' ORDER BY code")
		.trim().split('\n').map((l) => ({ code: l.split('|')[0], name: l.split('|')[1] }));
	const data = generate({ dir: work, rows: ROWS, institutions: ROWS, counties, seed: 7 });
	log(`generated ${data.ngrams} gram rows`);
	for (const d of dbs) {
		const t = Date.now();
		loadPlain({ engine: d.engine, db: d.db, files: data.files, psql, run });
		log(`${d.tag} ${d.engine} loaded in ${(Date.now() - t) / 1000} s`);
	}
	for (const d of dbs) {
		const port = await freePort();
		const fd = openSync(path.join(work, `${d.tag}-${d.engine}.log`), 'a');
		d.child = spawn(d.bin, ['serve', '--db', d.db, '--keys', d.keys, '--listen', `127.0.0.1:${port}`, '--web', '', '--quiet'], { stdio: ['ignore', fd, fd] });
		children.push(d.child);
		d.base = `http://127.0.0.1:${port}`;
		for (let i = 0; ; i++) { try { if ((await fetch(`${d.base}/healthz`)).ok) break; } catch {} if (i > 100) throw new Error('no health'); await new Promise((r) => setTimeout(r, 200)); }
		const r = await fetch(`${d.base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: PW }) });
		await r.text();
		d.cookie = /yj_session=([^;]+)/.exec(r.headers.getSetCookie().join(';'))[1];
	}
	const queries = [['/api/v1/practitioners', '王'], ['/api/v1/practitioners', '秀英'], ['/api/v1/practitioners', '王秀英'],
		['/api/v1/institutions', '鹿城'], ['/api/v1/institutions', '卫生'], ['/api/v1/institutions', '鹿城卫生院']];
	const q = (s) => [...s].sort((a, b) => a - b);
	const pct = (s, p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
	console.log(`${ROWS} practitioners + ${ROWS} institutions, ${REPS} requests each, old/new alternating (load ${run('cat', ['/proc/loadavg']).split(' ')[0]})`);
	for (const engine of ['sqlite', 'pg']) {
		const [o, n] = ['old', 'new'].map((t) => dbs.find((d) => d.tag === t && d.engine === engine));
		for (const [api, text] of queries) {
			const url = `${api}?q=${encodeURIComponent(text)}`;
			// Every page the same on both (ids, order, next_cursor), followed by its cursor up to PAGES pages.
			let pages = 0;
			for (let cursor = null; pages < PAGES; pages++) {
				const sigs = [];
				for (const d of [o, n]) {
					const r = await fetch(d.base + url + (cursor ? `&cursor=${cursor}` : ''), { headers: { cookie: `yj_session=${d.cookie}` } });
					const body = await r.json();
					if (r.status !== 200) throw new Error(`${d.tag} ${url}: ${r.status} ${JSON.stringify(body)}`);
					sigs.push(JSON.stringify([body.items.map((x) => x.id), body.next_cursor ?? null]));
					if (d === n) cursor = body.next_cursor;
				}
				if (sigs[0] !== sigs[1]) throw new Error(`${url}: page ${pages + 1} differs between old and new`);
				if (!cursor) { pages++; break; }
			}
			const times = { old: [], new: [] };
			let total = null, items = null;
			for (let i = 0; i < REPS + 5; i++)
				for (const d of i % 2 ? [n, o] : [o, n]) {
					const t0 = performance.now();
					const r = await fetch(d.base + url, { headers: { cookie: `yj_session=${d.cookie}` } });
					const body = await r.json();
					const ms = performance.now() - t0;
					if (r.status !== 200) throw new Error(`${d.tag} ${url}: ${r.status} ${JSON.stringify(body)}`);
					const sig = JSON.stringify(body.items.map((x) => x.id));
					if (d === o) items = sig; else if (items !== null && sig !== items) throw new Error(`${url}: old and new differ`);
					if (i >= 5) times[d.tag].push(ms);
					total = body.items.length;
				}
			const so = q(times.old), sn = q(times.new);
			console.log(`${engine.padEnd(6)} ${api.split('/').pop().padEnd(13)} ${text.padEnd(6)} page ${String(total).padStart(2)} (${pages} pages same)  old median ${pct(so, 0.5).toFixed(2)} p90 ${pct(so, 0.9).toFixed(2)} ms   new median ${pct(sn, 0.5).toFixed(2)} p90 ${pct(sn, 0.9).toFixed(2)} ms   new/old ${(pct(sn, 0.5) / pct(so, 0.5)).toFixed(2)}`);
		}
	}
} finally {
	for (const c of children) c.kill('SIGTERM');
	if (process.env.KEEP) log(`kept ${base} in ${pgDir}`);
	else {
		run(PG_CLUSTER, ['stop', pgDir]);
		rmSync(work, { recursive: true, force: true });
	}
}
