// bench/claims_check.mjs — latency of the real-time claims check (POST /api/v1/claims/check) under
// wrk at 64 connections: a server on SQLite (or YJ_TEST_DB's PostgreSQL), BENCH_CHECK_PATIENTS
// patients each with BENCH_CHECK_HISTORY recorded claims in their history, then wrk posting checks of
// a new 4-line claim of one of them (rotating), with a bearer token as the settlement system would.
// Prints requests/s and the latency percentiles; target p99 < 5 ms (issue 14, item 6). The numbers are
// of this machine under whatever else runs on it: wrk, the server and the database share the cores,
// so the same run also measures a baseline: a second server with an empty rule base answering the
// very same requests (HTTP, bearer token, JSON, the claim's CSV, the loader: everything but the rules
// and the history), and prints the check's figures as ratios to it.
//
// Environment: BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_THREADS (2, wrk threads),
// BENCH_CHECK_PATIENTS (500), BENCH_CHECK_HISTORY (3), BENCH_CHECK_RECORD (0: share of the requests
// that also record the claim, the settlement call), BENCH_SERVER_THREADS (the servers' --threads;
// default theirs), YIJIAN_BIN or BENCH_YIJIAN (build/yijian), YJ_TEST_DB, BENCH_DISPATCH=both (the server again
// with --dispatch inline). Then latency at a stated load (docs/benchmarks.md, "Latency at a stated load"): the check paced
// to BENCH_PACED_RATES (250,1000,2500,5000,10000 requests/s; 250 ≈ a province's peak, docs/capacity.md) over the same
// connections, BENCH_PACED_SECONDS (10) a point (after 3 s at the first), and the highest rate whose p99 meets the target. BENCH_PACED=0 skips it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// The harness reads YIJIAN_BIN when it is loaded: BENCH_YIJIAN, the older name, stands in for it when it is unset.
if (!process.env.YIJIAN_BIN && process.env.BENCH_YIJIAN) process.env.YIJIAN_BIN = process.env.BENCH_YIJIAN;
const { Server } = await import('../tests/api/harness.mjs');
const { benchResult, latencyCurve, pacedScript, wrkLatency } = await import('./lib.mjs');
const num = (k, d) => (process.env[k] ? Number(process.env[k]) : d);
const SECONDS = num('BENCH_SECONDS', 10), CONNS = num('BENCH_CONNECTIONS', 64), THREADS = num('BENCH_THREADS', 2);
const PATIENTS = num('BENCH_CHECK_PATIENTS', 500), HISTORY = num('BENCH_CHECK_HISTORY', 3);
const RECORD = num('BENCH_CHECK_RECORD', 0);
const PACED = num('BENCH_PACED', 1), PACED_SECONDS = num('BENCH_PACED_SECONDS', 10);
const PACED_RATES = (process.env.BENCH_PACED_RATES || '250,1000,2500,5000,10000').split(',').map(Number);
const SRV = process.env.BENCH_SERVER_THREADS ? ['--threads', process.env.BENCH_SERVER_THREADS] : [];

const INST = '91330302MA0000001A';
const line = (no, date, code, price) => ({ line_no: no, service_date: date, item_code: code, item_name: '药品' + code,
  item_type: 'drug', quantity: 2, unit_price: price, amount: (2 * Number(price)).toFixed(2), days_supply: 3 });
const claim = (id, p, date) => ({ claim_id: id, patient_id: `BP${p}`, sex: p % 2 ? 'M' : 'F', birth_date: '1975-04-0' + (1 + (p % 9)),
  institution_code: INST, physician_id: 'D' + (p % 40), dept_code: '03', visit_type: 'O', diagnosis: 'J06.9',
  lines: [line(1, date, 'XD900', '12.50'), line(2, date, 'XD901', '8.20'), line(3, date, 'XD902', '30.00'), line(4, date, 'XD903', '5.10')] });

// wrk posting bodies to srv's check route: {rps, pct: {50, 75, 90, 99} in ms, non200, and wrkLatency's figures};
// with rate, paced to rate requests/s (bench/lib.mjs pacedScript).
async function wrk(srv, token, bodies, rate = 0, seconds = SECONDS) {
  const lua = path.join(srv.dir, 'check.lua');
  writeFileSync(lua, `wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer ${token}"
wrk.headers["Content-Type"] = "application/json"
local bodies = {
${bodies.map((b) => `[==[${b}]==]`).join(',\n')}
}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end
local non2xx = 0
response = function(status) if status ~= 200 then non2xx = non2xx + 1 end end
done = function() io.write(string.format("non200 %d\\n", non2xx)) end
`);
  const out = await new Promise((resolve, reject) => {
    const w = spawn('wrk', ['-t' + THREADS, '-c' + CONNS, '-d' + seconds + 's', '--latency', '-s',
      rate ? pacedScript(srv.dir, { rate, conns: CONNS, threads: Math.min(THREADS, CONNS), script: lua }) : lua,
      srv.url + '/api/v1/claims/check'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let s = '';
    w.stdout.on('data', (d) => { s += d; });
    w.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error('wrk failed ' + code))));
  });
  const pct = {};
  for (const m of out.matchAll(/^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$/gm))
    pct[m[1]] = Number(m[2]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[3]];
  if (process.env.BENCH_WRK_OUT) process.stderr.write(out);
  return { rps: Number((out.match(/Requests\/sec:\s+([\d.]+)/) || [])[1]), pct,
    non200: Number((out.match(/non200 (\d+)/) || [])[1]) + Number((out.match(/Non-2xx or 3xx responses:\s*(\d+)/) || [0, 0])[1]),
    ...wrkLatency(out) }; // (the script's own count is of done()'s state, where no response runs: wrk's line counts them)
}

async function main() {
  // The baseline: the same route and requests on a server whose rule base has no rules.
  const empty = mkdtempSync(path.join(os.tmpdir(), 'yj-norules-'));
  writeFileSync(path.join(empty, 'rules.csv'), 'rule_id,name,type,result_type,enabled,scene,window,list,params,basis,message\n');
  writeFileSync(path.join(empty, 'item_lists.csv'), 'list_id,item_code,item_name,value,note\n');
  const base = new Server({ args: ['--rules', empty, ...SRV] });
  await base.start();
  base.addUser('bench.analyst', 'insurance_analyst', '330300', 'insurance');
  const baseToken = base.token('bench.analyst', 'bench', true);
  const srv = new Server({ args: ['--rules', path.join(here, '..', 'rules'), ...SRV] });
  await srv.start();
  if (process.env.BENCH_PRINT_PID) console.error(`server pid ${srv.proc.pid}`);
  srv.addUser('bench.analyst', 'insurance_analyst', '330300', 'insurance');
  const token = srv.token('bench.analyst', 'bench', true);
  const post = (body) => fetch(srv.url + '/api/v1/claims/check', { method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const t0 = Date.now();
  for (let p = 0; p < PATIENTS; p++)
    for (let h = 0; h < HISTORY; h++) {
      const r = await post({ ...claim(`H${p}-${h}`, p, `2026-03-0${1 + h}`), record: true });
      if (r.status !== 200) throw new Error(`recording history: ${r.status} ${await r.text()}`);
    }
  const fill = (Date.now() - t0) / 1000;
  const bodies = [];
  for (let p = 0; p < PATIENTS; p++)
    bodies.push(JSON.stringify({ ...claim(`N${p}`, p, '2026-03-10'), ...(p < PATIENTS * RECORD ? { record: true } : {}) }));
  const first = await (await post(JSON.parse(bodies[0]))).json();
  if (first.history_claims !== HISTORY) throw new Error(`expected ${HISTORY} history claims: ${JSON.stringify(first)}`);
  const b = await wrk(base, baseToken, bodies);
  const m = await wrk(srv, token, bodies);
  const curve = PACED ? await latencyCurve({ rates: PACED_RATES, targetP99: 5, warmup: 3,
    run: (rate, s = PACED_SECONDS) => wrk(srv, token, bodies, rate, s) })
    : null;
  // BENCH_DISPATCH=both: the same server and database restarted with serve --dispatch inline (each pool
  // thread running its own connections' handlers), measured right after the default queue mode.
  let inl = null;
  if (process.env.BENCH_DISPATCH === 'both') {
    await srv.stop();
    srv.extra = [...srv.extra, '--dispatch', 'inline'];
    await srv.start();
    inl = await wrk(srv, token, bodies);
  }
  await srv.stop();
  srv.cleanup();
  await base.stop();
  base.cleanup();
  rmSync(empty, { recursive: true, force: true });
  const engine = process.env.YJ_TEST_DB ? 'postgresql' : 'sqlite';
  console.log(`claims check (${engine}): ${PATIENTS} patients × ${HISTORY} recorded claims (filled in ${fill.toFixed(1)} s),`
    + ` 4-line claims, record share ${RECORD}; wrk -t${THREADS} -c${CONNS} -d${SECONDS}s${SRV.length ? '; server --threads ' + SRV[1] : ''}; load average ${os.loadavg()[0].toFixed(1)}`);
  const show = (name, r) => console.log(`  ${name}: ${Math.round(r.rps)} req/s; latency p50 ${r.pct[50]} ms, p75 ${r.pct[75]} ms,`
    + ` p90 ${r.pct[90]} ms, p99 ${r.pct[99]} ms; non-200 answers: ${r.non200}`);
  show('baseline (same requests, empty rule base)', b);
  show('check (every rule, history from the cache)', m);
  const x = (a, c) => (a / c).toFixed(2);
  console.log(`  check ÷ baseline: throughput ${x(m.rps, b.rps)}×, p50 ${x(m.pct[50], b.pct[50])}×, p99 ${x(m.pct[99], b.pct[99])}×;`
    + ` target p99 < 5 ms: ${m.pct[99] < 5 ? 'met' : 'NOT met'} (the baseline's p99 ${b.pct[99] < 5 ? 'meets' : 'does not meet'} it)`);
  // the figures for bench/run's summary (bench/lib.mjs)
  benchResult({ bench: 'check', figure: 'claims check p99', value: m.pct[99], unit: 'ms', baseline: 'empty rule base',
    baseline_value: b.pct[99], higher: false, target: `< 5 ms at ${CONNS} connections`, max: 5 });
  benchResult({ bench: 'check', figure: 'claims check req/s', value: m.rps, unit: 'req/s', baseline: 'empty rule base', baseline_value: b.rps });
  if (curve) {
    console.log(`  paced: the check at offered rates (Poisson arrivals, ${CONNS} connections, ${PACED_SECONDS} s a point):`);
    for (const l of curve.lines) console.log('  ' + l);
    console.log(`  highest offered rate with p99 < 5 ms: ${curve.best ? curve.best.rate + ' req/s' : 'none of ' + PACED_RATES.join(', ')}`);
    // the summary's paced figure: 5,000 checks/s offered, ~20× a province's estimated peak (docs/capacity.md: ~230/s)
    const at = curve.points.find((p) => p.rate === 5000);
    if (at) benchResult({ bench: 'check', figure: 'claims check p99 at 5,000 req/s offered', value: at.p99, unit: 'ms',
      target: `< 5 ms at ${CONNS} connections`, met: !!at.ok });
  }
  if (inl) {
    show('check, serve --dispatch inline (same database, right after)', inl);
    console.log(`  queue (default) against inline: p99 ${m.pct[99]} against ${inl.pct[99]} ms (inline ÷ queue ${x(inl.pct[99], m.pct[99])}×),`
      + ` p50 ${m.pct[50]} against ${inl.pct[50]} ms, throughput queue ÷ inline ${x(m.rps, inl.rps)}×`);
  }
  if (m.non200 || b.non200 || inl?.non200 || curve?.points.some((p) => p.non200)) process.exit(1);
}

main().catch((e) => { console.error(e); process.exit(2); });
