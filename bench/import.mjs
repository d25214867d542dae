// bench/import.mjs — `yijian import institutions` of BENCH_IMPORT_ROWS (default 100,000) generated
// institutions (valid GB 32100 codes, the real county codes of Zhejiang from the regions table) into a
// fresh SQLite file and a fresh throwaway PostgreSQL, in rows per second; beside each, the engine's own
// bulk path on the same file (sqlite3 `.import`, psql `\copy`) into a table with the same columns,
// unique key and indexes, and the ratio yijian ÷ native — BENCH_IMPORT_REPS (3) passes of both alternating,
// into fresh stores each, the figure the pass with the median ratio; then the same file imported again
// (every row unchanged) beside the last first pass. yijian does per row what the baseline does not:
// validation with check characters, region and scope checks, version history, the name index and a
// signed audit leaf, all in one transaction. See docs/benchmarks.md, "Import: bench/import".
// BENCH_IMPORT_KIND=practitioners times `yijian import practitioners` of BENCH_IMPORT_ROWS practitioners
// instead (valid resident ID numbers, realistic names, categories and certificate numbers), after their
// BENCH_IMPORT_INSTITUTIONS institutions (default: a province's ratio, 35,000 to 500,000) are imported, with the
// importing process's CPU and peak RSS (/usr/bin/time) and its phase lines (docs/benchmarks.md, "Issue 15:
// practitioners, and a province's first import").
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { creditCode, residentId } from '../tests/api/codes.mjs';
import { benchResult, pgClusterCpu, phaseLine } from './lib.mjs';
import { practitionerRows } from './practitioners_data.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const BIN = process.env.YIJIAN_BIN || process.env.BENCH_YIJIAN || path.join(root, 'build/yijian');
const N = Number(process.env.BENCH_IMPORT_ROWS ?? 100000);
const KIND = process.env.BENCH_IMPORT_KIND || 'institutions';
// Which engines to measure (comma-separated): both unless told.
const ENGINES = (process.env.BENCH_IMPORT_ENGINES || 'sqlite,postgresql').split(',');
// Institutions: this many passes of yijian and the native tool, alternating, each into fresh stores; the figure is
// the pass with the median ratio (a 2-core machine shared with others moved single passes by ±15 %).
const REPS = Math.max(1, Number(process.env.BENCH_IMPORT_REPS ?? 3));
if (!['institutions', 'practitioners'].includes(KIND)) throw new Error(`BENCH_IMPORT_KIND: institutions or practitioners, not ${KIND}`);
const dir = mkdtempSync(path.join(tmpdir(), 'yj-bench-import-'));
const csv = path.join(dir, 'institutions.csv');
const COLS = 'credit_code,name,type,level,ownership,profit,region_code,beds';
const NATIVE = `CREATE TABLE native (credit_code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL,
  level TEXT NOT NULL, ownership TEXT NOT NULL, profit TEXT NOT NULL, region_code TEXT NOT NULL, beds INTEGER);
CREATE INDEX native_region ON native(region_code); CREATE INDEX native_type ON native(type);`;

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const secs = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

// Institutions as [{ code, type, county }], their file written to `file`.
function generate(counties, n = N, file = csv) {
  const types = ['general_hospital', 'clinic', 'clinic', 'dental_clinic', 'community_station', 'village_clinic', 'outpatient_dept'];
  const lines = [COLS], insts = [];
  for (let i = 0; i < n; i++) {
    const county = counties[i % counties.length];
    const code = creditCode('52' + county, String(10000000 + i));
    lines.push(`${code},浙江测试医疗机构${i},${types[i % types.length]},none,private,forprofit,${county},${i % 50}`);
    insts.push({ code, type: types[i % types.length], county });
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return insts;
}

// One pass of `yijian import institutions` of the file: rows/s (process start to exit) and the check's
// own ms (its import.checked log line).
function yijianPass(db) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(BIN, ['import', 'institutions', csv, '--db', db, '--keys', path.join(dir, 'keys')], { encoding: 'utf8' });
  const s = secs(t0);
  if (r.status !== 0) throw new Error(`yijian import failed (${r.status}):\n${r.stdout}\n${r.stderr.slice(0, 2000)}`);
  const line = /"msg":"import\.checked"[^\n]*/.exec(r.stderr + r.stdout)?.[0] ?? '';
  const field = (name) => Number(new RegExp(`"${name}":([\\d.]+)`).exec(line)?.[1] ?? NaN);
  return { rate: N / s, checkMs: field('ms'), staged: field('staged') };
}

// The re-import's line and its figure (prefix names the kind; goal: the target, or met null for reference).
function reimportReport(engine, prefix, firstRate, firstCheckMs, againRate, againCheckMs, goal) {
  console.log(`reimport ${engine.padEnd(10)} first pass ${firstRate.toFixed(0).padStart(7)} rows/s (check ${firstCheckMs.toFixed(0)} ms)   ` +
    `unchanged again ${againRate.toFixed(0).padStart(7)} rows/s (check ${againCheckMs.toFixed(0)} ms)   ` +
    `check unchanged ÷ new ${(againCheckMs / firstCheckMs).toFixed(2)}`);
  benchResult({ bench: 'import', figure: `${prefix}re-import of the same file (unchanged) rows/s, ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    value: againRate, unit: 'rows/s', baseline: 'the first pass (new rows) of the same file', baseline_value: firstRate, ...goal });
}

// The first import into a fresh store, then (importReps) the same file again — every row unchanged: checked, nothing
// staged nor written — a province's monthly re-import of its registry (issue 15: an unchanged row must cost no more
// than a new one; the check's ms of both passes are printed side by side).
// REPS passes of yijian (into stores.yijian(i), fresh) and of the native tool (nativeOf(i)), alternating; each pass's
// line, then the figures of the pass with the median ratio; the re-import of the same file on the last pass's store.
function importReps(engine, stores, nativeOf, how) {
  const passes = [];
  for (let i = 1; i <= REPS; i++) {
    const db = stores.yijian(i);
    run(BIN, ['init', '--db', db, '--keys', path.join(dir, 'keys')]);
    const first = yijianPass(db), native = nativeOf(i);
    passes.push({ db, first, native, ratio: first.rate / native });
    console.log(`pass ${i}/${REPS} ${engine.padEnd(10)} yijian ${first.rate.toFixed(0).padStart(7)} rows/s   ${how} ${native.toFixed(0).padStart(8)} rows/s   ratio ${(first.rate / native).toFixed(3)}`);
  }
  const mid = [...passes].sort((a, b) => a.ratio - b.ratio)[Math.floor((REPS - 1) / 2)], last = passes.at(-1);
  const again = yijianPass(last.db);
  if (again.staged !== 0) throw new Error(`the unchanged re-import staged ${again.staged} rows`);
  reimportReport(engine, '', last.first.rate, last.first.checkMs, again.rate, again.checkMs, { target: '≥ 1× the first pass (issue 15)', ratioMin: 1 });
  report(engine, mid.first.rate, mid.native, how);
}

function sqliteNative(schema = NATIVE, file = csv, db = path.join(dir, 'native.db')) {
  run('sqlite3', [db, schema]);
  const t0 = process.hrtime.bigint();
  run('sqlite3', [db, '.mode csv', `.import --skip 1 ${file} native`]);
  const s = secs(t0);
  const n = Number(run('sqlite3', [db, 'SELECT COUNT(*) FROM native']).trim());
  if (n !== N) throw new Error(`sqlite3 .import loaded ${n} rows`);
  return N / s;
}

function pgNative(url, schema = NATIVE, file = csv) {
  run('psql', [url, '-qc', 'DROP TABLE IF EXISTS native']);
  run('psql', [url, '-qc', schema]);
  const t0 = process.hrtime.bigint();
  run('psql', [url, '-qc', `\\copy native FROM '${file}' WITH (FORMAT csv, HEADER true)`]);
  const s = secs(t0);
  const n = Number(run('psql', [url, '-qAtc', 'SELECT COUNT(*) FROM native']).trim());
  if (n !== N) throw new Error(`COPY loaded ${n} rows`);
  return N / s;
}

function report(engine, yj, native, how) {
  console.log(`import ${engine.padEnd(10)} yijian ${yj.toFixed(0).padStart(7)} rows/s   ${how} ${native.toFixed(0).padStart(8)} rows/s   ratio ${(yj / native).toFixed(3)}`);
  // The figures for bench/run's summary (bench/lib.mjs), the native tool beside each. Issue 15 states its target as
  // absolute rows/s and derives them as "a tenth of the raw copy tools" (its filing machine's \copy and .import):
  // the absolute one holds only on a machine as fast as that one, the ratio on any — both are reported.
  const min = engine === 'sqlite' ? 20000 : 10000, label = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  benchResult({ bench: 'import', figure: `import rows/s, ${label}`, value: yj, unit: 'rows/s',
    baseline: how.trim(), baseline_value: native, target: `≥ ${min.toLocaleString('en-US')} rows/s at 100,000 rows`, min });
  benchResult({ bench: 'import', figure: `import ÷ raw copy, ${label}`, value: yj, unit: 'rows/s',
    baseline: how.trim(), baseline_value: native, target: '≥ 0.1× the raw copy at 100,000 rows, same run (issue 15: a tenth)', ratioMin: 0.1 });
}

// ---- BENCH_IMPORT_KIND=practitioners ----

// The practitioners' raw copy: the file's 14 columns, the two unique keys (执业证书编码, 身份证号) and the
// indexes on the institution and on the category.
const P_NATIVE = `CREATE TABLE native (name TEXT NOT NULL, id_number TEXT NOT NULL UNIQUE, certificate_no TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL, practice_type TEXT NOT NULL, practice_scope TEXT, institution TEXT NOT NULL, prescription_right TEXT,
  antibiotic_grade TEXT, surgical_grade INTEGER, insurance_physician TEXT, assessment_result TEXT, assessment_date TEXT, state TEXT);
CREATE INDEX native_institution ON native(institution); CREATE INDEX native_category ON native(category);`;
const NI = Number(process.env.BENCH_IMPORT_INSTITUTIONS || Math.max(1, Math.round(N * 35000 / 500000)));

// The institutions' file (institution mode's rows) and the practitioners' file of them.
function practitionersFiles(counties) {
  const ifile = path.join(dir, 'institutions.csv'), file = path.join(dir, 'practitioners.csv');
  const insts = generate(counties, NI, ifile);
  writeFileSync(file, practitionerRows(insts, N).join('\n') + '\n');
  return { ifile, file, institutions: NI };
}

// CPU seconds of the throwaway PostgreSQL (bench/lib.mjs's pgClusterCpu); NaN on SQLite.
const pgServerCpu = (db) => (db.startsWith('postgres') && pgdir ? pgClusterCpu(pgdir) : NaN);

// One `yijian import KIND FILE` under /usr/bin/time: rows/s, wall, user + sys, peak RSS, load average at its start
// and its phase lines.
function timedPass(kind, file, rows, db) {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  const tf = path.join(dir, 'time.txt');
  const timed = existsSync('/usr/bin/time');
  const args = ['import', kind, file, '--db', db, '--keys', path.join(dir, 'keys')];
  const pg0 = pgServerCpu(db);
  const t0 = process.hrtime.bigint();
  const r = timed ? spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', tf, BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = secs(t0), pgCpu = pgServerCpu(db) - pg0;
  if (r.status !== 0) throw new Error(`yijian import ${kind} failed (${r.status}):\n${r.stdout}\n${r.stderr.slice(0, 2000)}`);
  const [user, sys, kb] = timed ? readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  const out = r.stderr + r.stdout;
  return { rate: rows / s, wall: s, cpu: user + sys, user, sys, rssMB: kb / 1024, load, pgCpu,
    checked: phaseLine(out, 'import.checked'), pipeline: phaseLine(out, 'import.pipeline'), grams: phaseLine(out, 'import.name_grams'),
    audit: phaseLine(out, 'audit.flush'), events: phaseLine(out, 'import.events'), published: phaseLine(out, 'import.published') };
}

const f1 = (v) => (Number.isFinite(v) ? (v / 1000).toFixed(2) : '-');
function passLine(engine, what, p) {
  console.log(`practitioners ${engine.padEnd(10)} ${what.padEnd(16)} ${p.rate.toFixed(0).padStart(7)} rows/s  wall ${p.wall.toFixed(1)} s  ` +
    `user+sys ${p.user.toFixed(2)}+${p.sys.toFixed(2)} s${Number.isFinite(p.pgCpu) ? `  PostgreSQL cpu ${p.pgCpu.toFixed(2)} s` : ''}  peak RSS ${p.rssMB.toFixed(0)} MB  load ${p.load}  ` +
    `check ${f1(p.checked.ms)} s (cpu ${f1(p.checked.cpu_ms)})  chunks writer/preparer cpu ${f1(p.pipeline.writer_cpu_ms)}/${f1(p.pipeline.preparer_cpu_ms)} s ` +
    `(waited ${f1(p.pipeline.writer_waited_ms)})  grams ${f1(p.grams.ms)} s (cpu ${f1(p.grams.cpu_ms)})  audit ${f1(p.audit.ms)} s (cpu ${f1(p.audit.cpu_ms)})  ` +
    `events ${f1(p.events.ms)} s (cpu ${f1(p.events.cpu_ms)})  published ${f1(p.published.ms)} s`);
}

// Institutions first (their own line), then the practitioners' first import and the same file again unchanged.
function practitionersImport(engine, db, p) {
  run(BIN, ['init', '--db', db, '--keys', path.join(dir, 'keys')]);
  passLine(engine, `${p.institutions} institutions`, timedPass('institutions', p.ifile, p.institutions, db));
  const first = timedPass('practitioners', p.file, N, db), again = timedPass('practitioners', p.file, N, db);
  if (again.checked.staged !== 0) throw new Error(`the unchanged re-import staged ${again.checked.staged} rows`);
  passLine(engine, 'first pass', first);
  passLine(engine, 'unchanged again', again);
  reimportReport(engine, 'practitioners: ', first.rate, first.checked.ms, again.rate, again.checked.ms, { met: null });
  return first.rate;
}

function practitionersReport(engine, yj, native, how) {
  console.log(`import practitioners ${engine.padEnd(10)} yijian ${yj.toFixed(0).padStart(7)} rows/s   ${how} ${native.toFixed(0).padStart(8)} rows/s   ratio ${(yj / native).toFixed(3)}`);
  // For reference: issue 15's targets are the institutions' (bench/import's realistic CSV); a practitioner's row
  // does more (an institution, a county and an ID number probed, the ID number encrypted), docs/benchmarks.md.
  benchResult({ bench: 'import', figure: `practitioners import rows/s, ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, value: yj,
    unit: 'rows/s', baseline: how.trim(), baseline_value: native, met: null });
}

let pgdir = null;
// A throwaway PostgreSQL in the work directory: yijian's database and a second one for the raw copy.
function startPg() {
  pgdir = path.join(dir, 'pg');
  const url = run(path.join(root, 'scripts/pg-cluster'), ['start', pgdir]).trim().split('\n').pop();
  const native = new URL(url);
  run('psql', [url, '-qc', 'CREATE DATABASE native']);
  native.pathname = '/native';
  return { url, native: native.toString() };
}

try {
  // Counties of Zhejiang (level 3 under 33) from the regions table yijian ships.
  const probe = `sqlite:${path.join(dir, 'probe.db')}`;
  run(BIN, ['init', '--db', probe, '--keys', path.join(dir, 'keys')]);
  const counties = run('sqlite3', [path.join(dir, 'probe.db'), "SELECT code FROM regions WHERE level = 3 AND code LIKE '33%' ORDER BY code"])
    .trim().split('\n');
  if (KIND === 'practitioners') {
    const p = practitionersFiles(counties);
    console.log(`import: ${N} practitioners of ${p.institutions} institutions over ${counties.length} Zhejiang counties (${p.file})`);
    if (ENGINES.includes('sqlite'))
      practitionersReport('sqlite', practitionersImport('sqlite', `sqlite:${path.join(dir, 'yijian.db')}`, p), sqliteNative(P_NATIVE, p.file), 'sqlite3 .import');
    if (ENGINES.includes('postgresql')) {
      const { url, native } = startPg();
      practitionersReport('postgresql', practitionersImport('postgresql', url, p), pgNative(native, P_NATIVE, p.file), 'psql \\copy    ');
    }
  } else {
    generate(counties);
    console.log(`import: ${N} institutions over ${counties.length} Zhejiang counties (${csv})`);
    if (ENGINES.includes('sqlite'))
      importReps('sqlite', { yijian: (i) => `sqlite:${path.join(dir, `yijian-${i}.db`)}` },
        (i) => sqliteNative(NATIVE, csv, path.join(dir, `native-${i}.db`)), 'sqlite3 .import');
    if (ENGINES.includes('postgresql')) {
      const { url, native } = startPg();
      const db = (i) => { const u = new URL(url); u.pathname = `/yijian_${i}`; return u.toString(); };
      importReps('postgresql', { yijian: (i) => { run('psql', [url, '-qc', `CREATE DATABASE yijian_${i}`]); return db(i); } },
        () => pgNative(native), 'psql \\copy    ');
    }
  }
} finally {
  if (pgdir) spawnSync(path.join(root, 'scripts/pg-cluster'), ['stop', pgdir]);
  rmSync(dir, { recursive: true, force: true });
}
