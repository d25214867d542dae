// bench/credit_check.mjs — GET /api/v1/credit/check (the joint-punishment check, 三挂钩) on PostgreSQL at 64
// connections (issue 12, Performance: p99 < 10 ms and ≥ 3× the Fastify + pg baseline answering the same question with
// the same SQL), beside bench/baseline/server.mjs's route of the same name on the same database.
//
// A throwaway PostgreSQL (scripts/pg-cluster), initialised by `yijian init`, gets BENCH_CHECK_SUBJECTS (300)
// institutions through the API, then in bulk a grade for each (A–D in turn) and a black-list entry for every third.
// wrk asks, as a county leader, whether a random one of them (a Lua script, the same sequence for both servers) may
// take part in the grade review (grade_review): the answer is restricted by the black list and by grade D. Every check
// appends an audit leaf, so every request writes and waits for the log's head row. Before measuring the bench checks
// that both servers give the same answer (allowed and restrictions) for every subject. Figures are reported, never a
// pass/fail test; the exit status is non-zero only when the bench could not measure.
//
// Where the time goes, per request of each run: the CPU of the server's processes and of the whole PostgreSQL cluster
// (from /proc: utime + stime), and the cluster's transactions (pg_stat_database xact_commit + xact_rollback). Besides
// the two servers, yijian is measured again with YIJIAN_GROUP_COMMIT=off (each check's leaf in a transaction of its own,
// as the baseline does) and refused before the leaf (an unknown decision: the reads without the write).
//
// Environment: BENCH_CHECK_SUBJECTS (300), BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64),
// BENCH_THREADS (2), BENCH_BASELINE_POOL (16), YIJIAN_BIN (build/yijian), BENCH_KEEP=1, BENCH_CHECK_SOLO=0 (skips the
// YIJIAN_GROUP_COMMIT=off run), BENCH_YIJIAN_THREADS (serve --threads; default serve's own, max(8, 4 × cores)).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { creditCode } from '../tests/api/codes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..');
const env = process.env;
const num = (k, d) => (env[k] === undefined || env[k] === '' ? d : Number(env[k]));
const SUBJECTS = num('BENCH_CHECK_SUBJECTS', 300);
const SECONDS = num('BENCH_SECONDS', 15);
const WARMUP = num('BENCH_WARMUP_SECONDS', 3);
const CONNS = num('BENCH_CONNECTIONS', 64);
const THREADS = num('BENCH_THREADS', 2);
const POOL = num('BENCH_BASELINE_POOL', 16);
const YIJIAN = path.resolve(top, env.YIJIAN_BIN || 'build/yijian');
const PG_CLUSTER = path.resolve(top, 'scripts/pg-cluster');
const PASSWORD = 'Celiang-mima-2026';
const COUNTY = '330302';
const TARGET_P99_MS = 10;
const TARGET_RATIO = 3;

let work, pgDir, cleaned = false;
const children = new Set();
const log = (m) => process.stderr.write(`bench/credit-check: ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cleanup() {
	if (cleaned) return;
	cleaned = true;
	for (const c of children) try { c.kill('SIGTERM'); } catch {}
	if (pgDir && !env.BENCH_KEEP) try { execFileSync(PG_CLUSTER, ['stop', pgDir], { stdio: 'ignore' }); } catch {}
	if (work && !env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}
function die(msg) {
	process.stderr.write(`\nbench/credit-check: FAILED: ${msg}\n`);
	cleanup();
	process.exit(1);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

function run(cmd, args, opts = {}) {
	try {
		return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 26, ...opts });
	} catch (e) {
		die(`${cmd} ${args.join(' ').slice(0, 200)}: ${e.stderr || e.message}`);
	}
}
const psql = (url, sql) => run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql]);
const freePort = () => new Promise((res, rej) => {
	const s = createServer();
	s.on('error', rej);
	s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
});
function start(name, cmd, args, extra = {}) {
	const fd = openSync(path.join(work, `${name}.log`), 'a');
	const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...env, ...extra } });
	child.label = name;
	children.add(child);
	child.on('exit', (code, sig) => { children.delete(child); child.exited = { code, sig }; });
	return child;
}
async function healthy(child, base) {
	for (const end = Date.now() + 60000; Date.now() < end; await sleep(100)) {
		if (child.exited) die(`${child.label} exited at start: ${readFileSync(path.join(work, `${child.label}.log`), 'utf8').slice(-2000)}`);
		try { if ((await fetch(`${base}/healthz`)).status === 200) return; } catch {}
	}
	die(`${child.label} not healthy in 60 s`);
}
async function signIn(base, username) {
	const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username, password: PASSWORD }) });
	for (const c of r.headers.getSetCookie()) {
		const m = /(?:^|;\s*)yj_session=([^;]+)/.exec(c);
		if (m) return m[1];
	}
	die(`sign-in answered ${r.status}: ${await r.text()}`);
}
// CPU seconds (user + system) of the processes whose pid is in roots or descends from one: a server and its
// children, or a PostgreSQL cluster (its postmaster and backends).
function cpuSeconds(roots) {
	const tick = 100; // USER_HZ on Linux
	const procs = [];
	for (const d of readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const st = readFileSync(`/proc/${d}/stat`, 'utf8');
			const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
			procs.push({ pid: Number(d), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / tick });
		} catch {}
	}
	const inTree = new Set(roots);
	for (let grew = true; grew;) {
		grew = false;
		for (const p of procs) if (!inTree.has(p.pid) && inTree.has(p.ppid)) { inTree.add(p.pid); grew = true; }
	}
	return procs.filter((p) => inTree.has(p.pid)).reduce((a, p) => a + p.cpu, 0);
}
const toMs = (s) => { const m = /^([\d.]+)(us|ms|s)$/.exec(s); return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN; };
function wrk(url, seconds, cookie, script) {
	const args = [`-t${THREADS}`, `-c${CONNS}`, `-d${seconds}s`, '--latency', '-H', `Cookie: yj_session=${cookie}`];
	if (script) args.push('-s', script);
	args.push(url);
	const out = run('wrk', args, { timeout: (seconds + 30) * 1000 });
	const r = { rps: Number((/Requests\/sec:\s*([\d.]+)/.exec(out) || [])[1]), non2xx: Number((/Non-2xx or 3xx responses:\s*(\d+)/.exec(out) || [0, 0])[1]) };
	for (const line of (out.split('Latency Distribution')[1] || '').split('\n')) {
		const m = /^\s*(\d+)%\s+([\d.]+\w+)\s*$/.exec(line);
		if (m) r[`p${m[1]}`] = toMs(m[2]);
	}
	return r;
}

async function main() {
	if (!existsSync(YIJIAN)) die(`${YIJIAN} not found: build it first`);
	work = mkdtempSync(path.join(os.tmpdir(), 'yijian-credit-'));
	chmodSync(work, 0o755);
	pgDir = path.join(work, 'pg');
	const pgUrl = run(PG_CLUSTER, ['start', pgDir], { env: { ...env, PG_FSYNC: 'off' } }).trim().split('\n').pop().trim();
	const keys = path.join(work, 'keys');
	run(YIJIAN, ['init', '--db', pgUrl, '--keys', keys]);
	for (const [u, role] of [['bench.admin', 'admin'], ['county', 'leader']])
		run(YIJIAN, ['user', 'add', '--db', pgUrl, '--keys', keys, '--username', u, '--role', role, '--region', COUNTY,
			'--department', 'health'], { input: `${PASSWORD}\n` });
	const port = await freePort();
	const yjArgs = (env.BENCH_YIJIAN_THREADS ? ['--threads', env.BENCH_YIJIAN_THREADS] : []);
	const yj = start('yijian', YIJIAN, ['serve', '--db', pgUrl, '--keys', keys, '--listen', `127.0.0.1:${port}`, '--web', '', '--quiet',
		...yjArgs]);
	const yjBase = `http://127.0.0.1:${port}`;
	await healthy(yj, yjBase);
	// the institutions, through the API (the registry's own rows, keys and search grams)
	const admin = await signIn(yjBase, 'bench.admin');
	const csrf = (await (await fetch(`${yjBase}/api/v1/session`, { headers: { cookie: `yj_session=${admin}` } })).json()).csrf_token;
	let t = Date.now();
	const codes = [];
	for (let i = 0; i < SUBJECTS; i++) {
		const code = creditCode('52330302', String(70000000 + i));
		const r = await fetch(`${yjBase}/api/v1/institutions`, { method: 'POST', headers: { 'content-type': 'application/json',
			cookie: `yj_session=${admin}`, 'x-csrf-token': csrf }, body: JSON.stringify({ credit_code: code, name: `信用基准${i}号诊所`,
			type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit', region_code: COUNTY, clinical_depts: ['03'] }) });
		if (r.status !== 201) die(`creating institution ${i}: ${r.status} ${(await r.text()).slice(0, 300)}`);
		codes.push(code);
	}
	psql(pgUrl, `INSERT INTO credit_grades (subject_kind, subject_id, region_code, score, grade, model_version, contributions,
		evaluated_on, updated_at) SELECT 'institution', id, region_code, 100 - 15 * (id % 4), (ARRAY['A','B','C','D'])[1 + id % 4], 1,
		'[]', '2026-06-01', 0 FROM institutions`);
	psql(pgUrl, `INSERT INTO credit_list_entries (id, list, subject_kind, subject_id, region_code, rule_code, entry_doc, entered_on,
		publish_until, state, actor, created_at) SELECT id, 'black', 'institution', id, region_code, 'BLACK-SER',
		'温鹿卫信〔2026〕' || (id % 100000) || '号', '2026-06-01', '2099-12-31', 'listed', '1', 0 FROM institutions WHERE id % 3 = 0`);
	psql(pgUrl, 'ANALYZE');
	log(`${SUBJECTS} institutions with grades and black-list entries in ${((Date.now() - t) / 1000).toFixed(1)} s`);
	const bport = await freePort();
	const bl = start('baseline', process.execPath, [path.join(here, 'baseline/server.mjs'), '--db', pgUrl, '--listen', `127.0.0.1:${bport}`],
		{ NODE_ENV: 'production', BASELINE_POOL: String(POOL), BASELINE_WORKERS: '1' });
	const blBase = `http://127.0.0.1:${bport}`;
	await healthy(bl, blBase);
	const cookie = await signIn(yjBase, 'county');
	const url = (code) => `/api/v1/credit/check?subject=${code}&decision=grade_review`;
	const answer = async (base, code) => {
		const r = await fetch(base + url(code), { headers: { cookie: `yj_session=${cookie}` } });
		if (r.status !== 200) die(`${base}${url(code)} answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
		const b = await r.json();
		return JSON.stringify([b.allowed, b.restrictions, b.subject_id]);
	};
	let refused = 0;
	for (const code of codes) {
		const [a, b] = [await answer(yjBase, code), await answer(blBase, code)];
		if (a !== b) die(`${code}: yijian and the baseline differ:\n  ${a}\n  ${b}`);
		refused += JSON.parse(a)[0] ? 0 : 1;
	}
	log(`both servers answer alike for all ${codes.length} subjects (${refused} restricted)`);
	const script = path.join(work, 'check.lua');
	writeFileSync(script, `local codes = {${codes.map((c) => `"${c}"`).join(',')}}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(1000 + seed) end
function request() return wrk.format("GET", "/api/v1/credit/check?subject=" .. codes[math.random(#codes)] .. "&decision=grade_review") end
`);
	const pgPid = Number(readFileSync(path.join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
	const xacts = () => Number(psql(pgUrl, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"));
	// One measured run: wrk's figures and, per request, the server's and PostgreSQL's CPU and transactions.
	// yijian's commit groups (its operator listener's /metrics): [groups, members] so far.
	const groupStats = async (logName) => {
		const m = /operator listener: (127\.0\.0\.1:\d+)/.exec(readFileSync(path.join(work, `${logName}.log`), 'utf8'));
		if (!m) return null;
		let text;
		try { text = await (await fetch(`http://${m[1]}/metrics`)).text(); } catch { return null; } // figures without it
		return ['groups', 'group_members'].map((k) => Number((new RegExp(`^yijian_store_${k}_total (\\d+)$`, 'm').exec(text) || [])[1]));
	};
	const measure = async (server, base, pid, lua, logName) => {
		if (WARMUP > 0) wrk(base + '/', WARMUP, cookie, lua);
		const [s0, p0, x0, g0] = [cpuSeconds([pid]), cpuSeconds([pgPid]), xacts(), logName && await groupStats(logName)];
		const r = wrk(base + '/', SECONDS, cookie, lua);
		const [s1, p1, x1, g1] = [cpuSeconds([pid]), cpuSeconds([pgPid]), xacts(), logName && await groupStats(logName)];
		const n = r.rps * SECONDS;
		return { server, rps: r.rps, p50_ms: r.p50, p99_ms: r.p99, non2xx: r.non2xx, server_cpu_ms: ((s1 - s0) * 1000) / n,
			pg_cpu_ms: ((p1 - p0) * 1000) / n, xacts: (x1 - x0) / n,
			groups: g0 && g1 ? `${g1[0] - g0[0]} × ${g1[0] > g0[0] ? ((g1[1] - g0[1]) / (g1[0] - g0[0])).toFixed(1) : 0}` : '' };
	};
	const results = [];
	for (const [who, base, child] of [['yijian', yjBase, yj], ['baseline', blBase, bl]]) {
		const r = await measure(who, base, child.pid, script, who === 'yijian' ? 'yijian' : null);
		if (r.non2xx) die(`${who}: ${r.non2xx} non-2xx responses`);
		results.push(r);
	}
	// The cause, measured: the same request refused before its audit leaf (an unknown decision, 422) — subject lookup
	// and session alike, no write — shows what the leaf's transaction costs.
	const noAudit = path.join(work, 'noaudit.lua');
	writeFileSync(noAudit, readFileSync(script, 'utf8').replace('decision=grade_review', 'decision=no_such_decision'));
	results.push(await measure('yijian, refused before the audit leaf (422)', yjBase, yj.pid, noAudit, 'yijian'));
	// And yijian with each leaf in a transaction of its own (YIJIAN_GROUP_COMMIT=off), what the commit groups save.
	if (env.BENCH_CHECK_SOLO !== '0') {
		yj.kill('SIGTERM');
		for (let i = 0; i < 100 && !yj.exited; i++) await sleep(100);
		const solo = start('yijian-solo', YIJIAN, ['serve', '--db', pgUrl, '--keys', keys, '--listen', `127.0.0.1:${port}`, '--web', '',
			'--quiet', ...yjArgs], { YIJIAN_GROUP_COMMIT: 'off' });
		await healthy(solo, yjBase);
		const r = await measure('yijian, one transaction per check (YIJIAN_GROUP_COMMIT=off)', yjBase, solo.pid, script, 'yijian-solo');
		if (r.non2xx) die(`yijian-solo: ${r.non2xx} non-2xx responses`);
		results.push(r);
	}
	const [y, b] = results;
	const ratio = b.rps ? y.rps / b.rps : NaN;
	const lines = [`bench/credit-check: GET /api/v1/credit/check (grade_review) over ${SUBJECTS} institutions, PostgreSQL, ${CONNS} connections,`
		+ ` ${SECONDS} s, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
		'| server | req/s | p50 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req | transactions/req | commit groups × members |',
		'|---|---|---|---|---|---|---|---|',
		...results.map((r) => `| ${r.server} | ${r.rps.toFixed(0)} | ${r.p50_ms.toFixed(2)} | ${r.p99_ms.toFixed(2)} |`
			+ ` ${r.server_cpu_ms.toFixed(3)} | ${r.pg_cpu_ms.toFixed(3)} | ${r.xacts.toFixed(3)} | ${r.groups} |`),
		`yijian p99 ${y.p99_ms.toFixed(2)} ms (target < ${TARGET_P99_MS} ms: ${y.p99_ms < TARGET_P99_MS ? 'met' : 'NOT met'});`
		+ ` ${ratio.toFixed(2)}× the baseline's requests/s (target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`];
	process.stdout.write(lines.join('\n') + '\n');
	cleanup();
}
main().catch((e) => die(e.stack || String(e)));
