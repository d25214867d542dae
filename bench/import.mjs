// bench/import.mjs — `yijian import institutions` of BENCH_IMPORT_ROWS (default 100,000) generated
// institutions (valid GB 32100 codes, the real county codes of Zhejiang from the regions table) into a
// fresh SQLite file and a fresh throwaway PostgreSQL, in rows per second; beside each, the engine's own
// bulk path on the same file (sqlite3 `.import`, psql `\copy`) into a table with the same columns,
// unique key and indexes, and the ratio yijian ÷ native; then the same file imported again (every row
// unchanged) beside the first pass. yijian does per row what the baseline does not:
// validation with check characters, region and scope checks, version history, the name index and a
// signed audit leaf, all in one transaction. See docs/benchmarks.md, "Import: bench/import".
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { creditCode } from '../tests/api/codes.mjs';
import { benchResult } from './lib.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const BIN = process.env.YIJIAN_BIN || process.env.BENCH_YIJIAN || path.join(root, 'build/yijian');
const N = Number(process.env.BENCH_IMPORT_ROWS ?? 100000);
const dir = mkdtempSync(path.join(tmpdir(), 'yj-bench-import-'));
const csv = path.join(dir, 'institutions.csv');
const COLS = 'credit_code,name,type,level,ownership,profit,region_code,beds';
const NATIVE = `CREATE TABLE native (credit_code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL,
  level TEXT NOT NULL, ownership TEXT NOT NULL, profit TEXT NOT NULL, region_code TEXT NOT NULL, beds INTEGER);
CREATE INDEX native_region ON native(region_code); CREATE INDEX native_type ON native(type);`;

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const secs = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

function generate(counties) {
  const types = ['general_hospital', 'clinic', 'clinic', 'dental_clinic', 'community_station', 'village_clinic', 'outpatient_dept'];
  const lines = [COLS];
  for (let i = 0; i < N; i++) {
    const county = counties[i % counties.length];
    const code = creditCode('52' + county, String(10000000 + i));
    lines.push(`${code},浙江测试医疗机构${i},${types[i % types.length]},none,private,forprofit,${county},${i % 50}`);
  }
  writeFileSync(csv, lines.join('\n') + '\n');
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

// The first import into a fresh store, then the same file again (every row unchanged: checked, nothing
// staged nor written) — a province's monthly re-import of its registry (issue 15: an unchanged row must
// cost no more than a new one; the check's ms of both passes are printed side by side).
function yijianImport(engine, db) {
  run(BIN, ['init', '--db', db, '--keys', path.join(dir, 'keys')]);
  const first = yijianPass(db), again = yijianPass(db);
  if (again.staged !== 0) throw new Error(`the unchanged re-import staged ${again.staged} rows`);
  console.log(`reimport ${engine.padEnd(10)} first pass ${first.rate.toFixed(0).padStart(7)} rows/s (check ${first.checkMs.toFixed(0)} ms)   ` +
    `unchanged again ${again.rate.toFixed(0).padStart(7)} rows/s (check ${again.checkMs.toFixed(0)} ms)   ` +
    `check unchanged ÷ new ${(again.checkMs / first.checkMs).toFixed(2)}`);
  benchResult({ bench: 'import', figure: `re-import of the same file (unchanged) rows/s, ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    value: again.rate, unit: 'rows/s', baseline: 'the first pass (new rows) of the same file', baseline_value: first.rate,
    target: '≥ 1× the first pass (issue 15)', ratioMin: 1 });
  return first.rate;
}

function sqliteNative() {
  const db = path.join(dir, 'native.db');
  run('sqlite3', [db, NATIVE]);
  const t0 = process.hrtime.bigint();
  run('sqlite3', [db, '.mode csv', `.import --skip 1 ${csv} native`]);
  const s = secs(t0);
  const n = Number(run('sqlite3', [db, 'SELECT COUNT(*) FROM native']).trim());
  if (n !== N) throw new Error(`sqlite3 .import loaded ${n} rows`);
  return N / s;
}

function pgNative(url) {
  run('psql', [url, '-qc', NATIVE]);
  const t0 = process.hrtime.bigint();
  run('psql', [url, '-qc', `\\copy native FROM '${csv}' WITH (FORMAT csv, HEADER true)`]);
  const s = secs(t0);
  const n = Number(run('psql', [url, '-qAtc', 'SELECT COUNT(*) FROM native']).trim());
  if (n !== N) throw new Error(`COPY loaded ${n} rows`);
  return N / s;
}

function report(engine, yj, native, how) {
  console.log(`import ${engine.padEnd(10)} yijian ${yj.toFixed(0).padStart(7)} rows/s   ${how} ${native.toFixed(0).padStart(8)} rows/s   ratio ${(yj / native).toFixed(3)}`);
  // the figure for bench/run's summary (bench/lib.mjs): the native tool beside it, the target (issue 15) absolute
  const min = engine === 'sqlite' ? 20000 : 10000;
  benchResult({ bench: 'import', figure: `import rows/s, ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, value: yj, unit: 'rows/s',
    baseline: how.trim(), baseline_value: native, target: `≥ ${min.toLocaleString('en-US')} rows/s at 100,000 rows`, min });
}

let pgdir = null;
try {
  // Counties of Zhejiang (level 3 under 33) from the regions table yijian ships.
  const probe = `sqlite:${path.join(dir, 'probe.db')}`;
  run(BIN, ['init', '--db', probe, '--keys', path.join(dir, 'keys')]);
  const counties = run('sqlite3', [path.join(dir, 'probe.db'), "SELECT code FROM regions WHERE level = 3 AND code LIKE '33%' ORDER BY code"])
    .trim().split('\n');
  generate(counties);
  console.log(`import: ${N} institutions over ${counties.length} Zhejiang counties (${csv})`);
  report('sqlite', yijianImport('sqlite', `sqlite:${path.join(dir, 'yijian.db')}`), sqliteNative(), 'sqlite3 .import');
  pgdir = path.join(dir, 'pg');
  const url = run(path.join(root, 'scripts/pg-cluster'), ['start', pgdir]).trim().split('\n').pop();
  const native = new URL(url);
  run('psql', [url, '-qc', 'CREATE DATABASE native']);
  native.pathname = '/native';
  report('postgresql', yijianImport('postgresql', url), pgNative(native.toString()), 'psql \\copy    ');
} finally {
  if (pgdir) spawnSync(path.join(root, 'scripts/pg-cluster'), ['stop', pgdir]);
  rmSync(dir, { recursive: true, force: true });
}
