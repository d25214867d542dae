// bench/export_rss.mjs — the resident memory of one `yijian serve` under concurrent large exports on
// PostgreSQL (issue 15: the soak's RSS followed the largest concurrent exports). A throwaway PostgreSQL
// gets BENCH_EXPORT_ROWS (default 10,000) institutions in one county (`yijian import institutions`), then
// BENCH_EXPORT_CONNS (16) connections fetch that county's CSV export (every 4th one XLSX) back to back for
// BENCH_EXPORT_SECONDS (45); VmRSS of the process (/proc/PID/status) is printed before, at peak (sampled
// every 250 ms) and 5 s after the load, with the ratios peak ÷ before and after ÷ before.
// Compare builds on the same data with BENCH_EXPORT_BINS=a:b:… (each in turn, BENCH_EXPORT_RUNS times
// alternately, default 2); else YIJIAN_BIN (build-rel/yijian). BENCH_SMOKE=1: 2,000 rows, 10 s, 1 run.
// See docs/benchmarks.md, "Export memory: bench/export_rss".
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { creditCode } from '../tests/api/codes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..');
const env = process.env;
const SMOKE = env.BENCH_SMOKE === '1';
const ROWS = Number(env.BENCH_EXPORT_ROWS || (SMOKE ? 2000 : 10000));
const CONNS = Number(env.BENCH_EXPORT_CONNS || 16);
const SECONDS = Number(env.BENCH_EXPORT_SECONDS || (SMOKE ? 10 : 45));
const RUNS = Number(env.BENCH_EXPORT_RUNS || (SMOKE ? 1 : 2));
const BINS = (env.BENCH_EXPORT_BINS || env.YIJIAN_BIN || 'build-rel/yijian').split(':').map((b) => path.resolve(top, b));
const PG_CLUSTER = path.join(top, 'scripts/pg-cluster');
const PASSWORD = 'Celiang-mima-2026';
const COUNTY = '330302';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => process.stderr.write(`bench/export_rss: ${m}\n`);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
const rss = (pid) => { try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); } catch { return null; } };
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); }); });
const mib = (kib) => (kib / 1024).toFixed(1);
const nameOf = (bin) => (path.relative(top, bin).startsWith('..') ? bin : path.relative(top, bin));

let work, pgDir, child;
function cleanup() {
	if (child) try { child.kill('SIGTERM'); } catch {}
	if (pgDir) try { execFileSync(PG_CLUSTER, ['stop', pgDir], { stdio: 'ignore' }); } catch {}
	if (work && !env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(1); });

// One run of one binary: start it, log in, load, sample; returns {before, peak, after, exports, bytes}.
async function measure(bin, pg, keys) {
	const port = await freePort();
	child = spawn(bin, ['serve', '--db', pg, '--keys', keys, '--listen', `127.0.0.1:${port}`, '--web', '', '--operator-listen', '', '--quiet'],
		{ stdio: ['ignore', 'ignore', 'inherit'] });
	const base = `http://127.0.0.1:${port}`;
	for (let i = 0; ; i++) {
		try { if ((await fetch(`${base}/healthz`)).ok) break; } catch {}
		if (i > 300) throw new Error(`${bin} did not start`);
		await sleep(100);
	}
	const si = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: PASSWORD }) });
	const cookie = /yj_session=([^;]+)/.exec(si.headers.get('set-cookie') || '')[1];
	const get = async (p) => {
		const r = await fetch(base + p, { headers: { cookie: `yj_session=${cookie}` } });
		const b = Buffer.from(await r.arrayBuffer());
		if (r.status !== 200) throw new Error(`${p}: ${r.status} ${b.toString().slice(0, 200)}`);
		return b;
	};
	// Warm-up: one small list and one export, so "before" counts the threads' first allocations.
	await get('/api/v1/institutions?limit=20');
	const first = await get(`/api/v1/institutions/export?format=csv&region=${COUNTY}`);
	const lines = first.toString().split('\r\n').length - 2;
	if (lines < ROWS) throw new Error(`the export holds ${lines} rows, expected ${ROWS}`);
	await sleep(1000);
	const before = rss(child.pid);
	let peak = before, exports = 0, bytes = 0;
	const sampler = setInterval(() => { const v = rss(child.pid); if (v > peak) peak = v; }, 250);
	const end = Date.now() + SECONDS * 1000;
	await Promise.all(Array.from({ length: CONNS }, async (_, w) => {
		for (let n = 0; Date.now() < end; n++) {
			const b = await get(`/api/v1/institutions/export?format=${(w + n) % 4 === 3 ? 'xlsx' : 'csv'}&region=${COUNTY}`);
			exports++;
			bytes += b.length;
		}
	}));
	clearInterval(sampler);
	await sleep(5000);
	const after = rss(child.pid);
	child.kill('SIGTERM');
	await new Promise((r) => child.on('exit', r));
	child = null;
	return { before, peak, after, exports, bytes };
}

async function main() {
	work = mkdtempSync(path.join(os.tmpdir(), 'yijian-export-rss-'));
	chmodSync(work, 0o755);
	pgDir = path.join(work, 'pg');
	const pg = run(PG_CLUSTER, ['start', pgDir], { env: { ...env, PG_FSYNC: 'off' } }).trim().split('\n').pop().trim();
	const keys = path.join(work, 'keys');
	run(BINS[0], ['init', '--db', pg, '--keys', keys]);
	run(BINS[0], ['user', 'add', '--db', pg, '--keys', keys, '--username', 'bench', '--role', 'admin', '--region', '330000', '--department', 'health'], { input: `${PASSWORD}\n` });
	const csv = path.join(work, 'inst.csv');
	const rows = ['credit_code,name,type,level,ownership,profit,region_code,beds,address'];
	for (let i = 0; i < ROWS; i++)
		rows.push(`${creditCode(`52${COUNTY}`, String(10000000 + i))},温州测试医疗机构${i}号,诊所,none,private,forprofit,${COUNTY},${i % 50},鹿城区测试路${i}号`);
	writeFileSync(csv, rows.join('\n') + '\n');
	run(BINS[0], ['import', 'institutions', csv, '--db', pg, '--keys', keys]);
	log(`${ROWS} institutions in ${COUNTY} on PostgreSQL; ${CONNS} connections of exports (3 CSV : 1 XLSX) for ${SECONDS} s, ` +
		`${RUNS} run(s) of ${BINS.length} build(s) alternately; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
	const results = BINS.map(() => []);
	for (let r = 0; r < RUNS; r++)
		for (let b = 0; b < BINS.length; b++) {
			const m = await measure(BINS[b], pg, keys);
			results[b].push(m);
			console.log(`${nameOf(BINS[b])} run ${r + 1}: RSS before ${mib(m.before)} MiB, peak ${mib(m.peak)} MiB ` +
				`(×${(m.peak / m.before).toFixed(2)}), after ${mib(m.after)} MiB (×${(m.after / m.before).toFixed(2)}); ` +
				`${m.exports} exports, ${(m.exports / SECONDS).toFixed(1)}/s, ${(m.bytes / 1048576).toFixed(0)} MiB sent`);
		}
	if (BINS.length > 1) {
		const mean = (xs, f) => xs.reduce((a, x) => a + f(x), 0) / xs.length;
		const b0 = results[0];
		for (let b = 1; b < BINS.length; b++)
			console.log(`${nameOf(BINS[b])} ÷ ${nameOf(BINS[0])}: peak ×${(mean(results[b], (m) => m.peak) / mean(b0, (m) => m.peak)).toFixed(2)}, ` +
				`after ×${(mean(results[b], (m) => m.after) / mean(b0, (m) => m.after)).toFixed(2)}, ` +
				`exports/s ×${(mean(results[b], (m) => m.exports) / mean(b0, (m) => m.exports)).toFixed(2)}`);
	}
	cleanup();
}

main().catch((e) => { log(`FAILED: ${e.stack || e}`); cleanup(); process.exit(1); });
