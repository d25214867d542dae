// bench/search_sat_ab.mjs — bench/run's institution search (GET /api/v1/institutions?q=人民医院&limit=20 over 35,000
// generated institutions, a province leader's session, 64 connections) for two yijian binaries in the same minutes
// (docs/benchmarks.md, "Issue 15: the search's saturation after the numeric grams"): one PostgreSQL, a database per
// binary made by its own `yijian init` and loaded as bench/run loads it (psql \copy of the institutions and their
// name_grams rows, then VACUUM ANALYZE) — the new one from this tree's bench/search_data.mjs, the old one from
// OLD_SEARCH_DATA (the old tree's, when its name_grams has another format) — both servers up throughout, then ROUNDS
// rounds, old and new alternating ABBA: saturation (wrk, SECONDS) and each of RATES paced (Poisson arrivals, the same
// offered rates for both, so the tails compare at equal load). Per run: req/s, p50/p99, CPU µs per request of yijian
// and of the PostgreSQL cluster, and shared buffers and transactions per request of the binary's database
// (pg_stat_database). Responses of both are compared byte for byte first.
//   OLD_BIN=… NEW_BIN=… [OLD_SEARCH_DATA=/old/tree/bench/search_data.mjs] [ROUNDS=3] [SECONDS=8] [RATES=2800,3200]
//   node bench/search_sat_ab.mjs
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { env, fmt, loadavg, num, session, sleep, table } from './lib.mjs';

const b = session('bench/search_sat_ab');
const OLD = env.OLD_BIN, NEW = env.NEW_BIN;
if (!OLD || !NEW) b.die('set OLD_BIN and NEW_BIN to the two yijian binaries');
const ROUNDS = num('ROUNDS', 3), SECONDS = num('SECONDS', 8), CONNS = num('BENCH_CONNECTIONS', 64), THREADS = num('BENCH_THREADS', 2);
const INSTITUTIONS = num('BENCH_INSTITUTIONS', 35000);
const RATES = (env.RATES ?? '2800,3200').split(',').filter(Boolean).map(Number);
const SEARCH = `/api/v1/institutions?q=${encodeURIComponent('人民医院')}&limit=20`;
const here = path.dirname(new URL(import.meta.url).pathname);
const dataModule = (p) => import(pathToFileURL(path.resolve(p)).href);

const base = b.startPg('yj-search-sat-ab-');
const arms = [];
for (const [tag, bin, dataPath] of [['old', OLD, env.OLD_SEARCH_DATA || path.join(here, 'search_data.mjs')], ['new', NEW, path.join(here, 'search_data.mjs')]]) {
	b.psql(base, `CREATE DATABASE ${tag}`);
	const db = base.replace(/\/yijian$/, `/${tag}`);
	const keys = path.join(b.work, `${tag}.keys`);
	b.run(bin, ['init', '--db', db, '--keys', keys]);
	b.run(bin, ['user', 'add', '--db', db, '--keys', keys, '--username', 'bench', '--role', 'leader', '--region', '330000',
		'--department', 'health'], { input: 'Celiang-mima-2026\n' });
	const counties = b.psql(db, "SELECT code || '|' || name FROM regions WHERE level = 3 AND code LIKE '33%' ORDER BY code")
		.trim().split('\n').map((l) => ({ code: l.split('|')[0], name: l.split('|')[1] }));
	const { generate, INSTITUTION_COLUMNS, GRAM_COLUMNS } = await dataModule(dataPath);
	const dir = path.join(b.work, tag);
	b.run('mkdir', ['-p', dir]);
	const data = generate({ dir, rows: 0, institutions: INSTITUTIONS, counties, seed: 7 });
	// As bench/run loads them.
	b.run('psql', [db, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', `\\copy institutions(${INSTITUTION_COLUMNS}) FROM '${data.files.institutions}' WITH (FORMAT csv)`,
		'-c', `\\copy name_grams(${GRAM_COLUMNS}) FROM '${data.files.grams}' WITH (FORMAT csv)`, '-c', 'VACUUM ANALYZE institutions, name_grams']);
	const s = await b.serveYijian(bin, db, keys, `yijian-${tag}`);
	const { cookie } = await b.signIn(s.base, 'bench');
	arms.push({ tag, bin, db, ...s, cookie, grams: data.ngrams });
	b.log(`${tag}: ${INSTITUTIONS} institutions, ${data.ngrams} name_grams rows, serve pid ${s.child.pid}`);
}

// The same bodies from both before measuring (the first page, the next, another word).
const body = async (a, p) => {
	const r = await fetch(a.base + p, { headers: { cookie: `yj_session=${a.cookie}` } });
	return { status: r.status, text: await r.text() };
};
const first = JSON.parse((await body(arms[0], SEARCH)).text);
const checks = [SEARCH, `${SEARCH}&cursor=${first.next_cursor}`, `/api/v1/institutions?q=${encodeURIComponent('卫生院')}&limit=50`];
for (const p of checks) {
	const [x, y] = [await body(arms[0], p), await body(arms[1], p)];
	if (x.status !== 200 || x.status !== y.status || x.text !== y.text) b.die(`old and new answer GET ${p} differently (${x.status}, ${y.status})`);
}
b.log(`responses identical on ${checks.length} requests (${first.items.length} items on the first page)`);

const dbStat = (a) => b.psql(a.db, `SELECT blks_hit + blks_read, xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '${a.tag}'`)
	.trim().split('|').map(Number);
const measure = (a, rate) => {
	b.wrk(a.base + SEARCH, 2, { cookie: a.cookie, conns: CONNS, threads: THREADS, rate }); // warm-up
	const s0 = dbStat(a);
	const r = b.wrk(a.base + SEARCH, SECONDS, { cookie: a.cookie, pid: a.child.pid, conns: CONNS, threads: THREADS, rate });
	const s1 = dbStat(a);
	if (r.non2xx) b.die(`${a.tag}: ${r.non2xx} non-2xx responses`);
	if (r.errors) b.log(`${a.tag}: ${r.errors}`);
	return { ...r, blks: (s1[0] - s0[0]) / r.requests, xact: (s1[1] - s0[1]) / r.requests, load: loadavg().split(' ')[0] };
};

console.log(`bench/search_sat_ab: ${SEARCH} (q=人民医院), ${INSTITUTIONS} institutions, wrk -t${THREADS} -c${CONNS} ${SECONDS} s a run, ` +
	`old ${OLD} (${arms[0].grams} gram rows), new ${NEW} (${arms[1].grams}), ${new Date().toISOString()}, load ${loadavg()}`);
const rows = [];
for (let i = 1; i <= ROUNDS; i++)
	for (const a of i % 2 ? arms : [...arms].reverse())
		for (const rate of [0, ...RATES]) {
			const r = measure(a, rate || undefined);
			rows.push({ tag: a.tag, round: i, rate, ...r });
			b.log(`round ${i} ${a.tag} ${rate ? `paced ${rate}/s` : 'saturation'}: ${fmt(r.rps, 0)} req/s p99 ${fmt(r.p99)} ms, ` +
				`yijian ${fmt(r.cpu_ms * 1000, 0)} µs, PostgreSQL ${fmt(r.pg_cpu_ms * 1000, 0)} µs a request (load ${r.load})`);
			await sleep(200);
		}

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const out = [];
for (const rate of [0, ...RATES]) {
	const line = (tag, rs) => [tag, rate ? `${rate}/s` : 'saturation', fmt(mean(rs.map((r) => r.rps)), 0), rs.map((r) => fmt(r.rps, 0)).join(' / '),
		rs.map((r) => fmt(r.p50)).join(' / '), rs.map((r) => fmt(r.p99)).join(' / '), fmt(mean(rs.map((r) => r.cpu_ms)) * 1000, 0),
		fmt(mean(rs.map((r) => r.pg_cpu_ms)) * 1000, 0), fmt(mean(rs.map((r) => r.blks)), 1), fmt(mean(rs.map((r) => r.xact)), 2),
		rate ? fmt(100 * mean(rs.map((r) => r.late ?? 0)), 1) : '—'];
	for (const tag of ['old', 'new']) out.push(line(tag, rows.filter((r) => r.tag === tag && r.rate === rate)));
	const [o, n] = ['old', 'new'].map((t) => rows.filter((r) => r.tag === t && r.rate === rate));
	const q = (k) => fmt(mean(n.map((r) => r[k])) / mean(o.map((r) => r[k])), 3);
	out.push(['new ÷ old', '', q('rps'), '', '', `mean ${q('p99')}`, q('cpu_ms'), q('pg_cpu_ms'), q('blks'), q('xact'), '']);
}
console.log(table(['binary', 'offered', 'req/s (mean)', 'req/s by round', 'p50 ms', 'p99 ms', 'yijian µs/req', 'PostgreSQL µs/req',
	'buffers/req', 'transactions/req', 'late %'], out).join('\n'));
console.log(`load at the end ${loadavg()}; ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
b.cleanup();
