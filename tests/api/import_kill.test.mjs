// A killed import leaves nothing half done, and an acknowledged one is never lost (issue 15; docs/import.md,
// "What gets written"). `yijian import` of a realistic file (ROWS institutions: a tenth of them updates of
// records imported before, the rest new; three publication chunks, --chunk) is SIGKILLed at each phase,
// found from its JSON log lines on stderr (src/base/log.h; each is written when its phase ENDS): in the
// check, in the publication's chunk pipeline (at its start, and in its second chunk), in the name-gram
// sweep and in the audit flush. After each kill the registry has exactly what it had (records, history
// versions, name grams, audit leaves, events and both heads) or, when the kill came after the commit (the
// line is read late on a loaded machine), the whole import and the next attempt a file of new rows — never
// part of one; after them `yijian audit verify --records` passes, the same file writes every row, and a
// third run stages nothing. Over HTTP: `serve` killed while it publishes an import whose client got no
// 2xx leaves nothing; killed right after a 2xx, every row is there after the restart, and the log
// verifies against a signed head. YJ_IMPORT_KILL_ROWS: fewer rows (scripts/check's sanitizer pass), or on
// PostgreSQL 10,000 and more, whose name grams are swept beside the publication (scripts/check runs it so too).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { Server, Client, BIN, cli } from './harness.mjs';
import { creditCode } from './codes.mjs';

const ROWS = Number(process.env.YJ_IMPORT_KILL_ROWS ?? 2400);
const SEED = Math.round(ROWS / 10); // records there before: the killed file updates them
const CHUNK = Math.ceil(ROWS / 3); // three chunks: the pipeline's preparing thread runs
const API_ROWS = Math.round(ROWS / 3);
const BESIDE = !!process.env.YJ_TEST_DB && ROWS >= 10000; // the name grams' sweep beside the publication
// The phase lines of an import, in the order they are written; the publication commits between the
// last two (audit.flush is followed by the events' flush, the registry.import leaf and the commit).
const PHASES = ['import.started', 'import.checked', 'import.pipeline', 'import.name_grams', 'audit.flush', 'import.published'];

const srv = new Server({ args: ['--max-body', String(16 << 20)] });
after(async () => { await srv.stop(); srv.cleanup(); });

// Institutions first..first+n-1 of three counties of Wenzhou, as a health commission's list has them.
// gen: the same records renamed gen times, with gen more beds (updates of what an earlier gen imported).
function institutions(first, n, gen = 0) {
  const counties = [['330302', '鹿城区'], ['330303', '龙湾区'], ['330304', '瓯海区']];
  const kinds = [['诊所', 'clinic'], ['口腔诊所', 'dental_clinic'], ['社区卫生服务站', 'community_station'],
    ['门诊部', 'outpatient_dept'], ['村卫生室', 'village_clinic']];
  const streets = ['五马街', '解放路', '人民路', '车站大道', '学院中路', '温州大道', '府前街', '信河街'];
  const lines = ['统一社会信用代码,机构名称,机构类别,级别,举办主体,经营性质,核定床位,行政区划,地址,经度,纬度,医保定点'];
  for (let i = first; i < first + n; i++) {
    const [county, cname] = counties[i % 3];
    const [kname, kind] = kinds[i % 5];
    lines.push([creditCode('52' + county, String(40000000 + i)), `温州市${cname}${streets[i % 8]}${'新'.repeat(gen)}第${i + 1}${kname}`,
      kind, '未定级', '社会办', '营利性', (i % 20) + gen, county,
      `浙江省温州市${cname}${streets[(i >> 3) % 8]}${(i % 300) + 1}号`, (120.6 + (i % 100) / 1000).toFixed(4),
      (28.0 + (i % 97) / 1000).toFixed(4), i % 2 ? '是' : '否'].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

function file(name, content) {
  const p = path.join(srv.dir, name);
  writeFileSync(p, content);
  return p;
}

// One query on either engine: rows as lines, columns separated by | (sqlite3 and psql -A both do).
function sql(q) {
  if (srv.db.startsWith('sqlite:')) return execFileSync('sqlite3', [srv.db.slice('sqlite:'.length), q], { encoding: 'utf8' }).trim();
  return execFileSync('psql', [srv.db, '-qAtc', q], { encoding: 'utf8' }).trim();
}

// What an import writes, counted: the records (and the sum of their versions, so an update shows), their
// history, the name index, the audit leaves and events of the registry, and the two heads. With all, every
// leaf and event (nothing but imports runs); without, only the registry's (sign-ins append leaves).
function registry(all) {
  const q = {
    institutions: "(SELECT count(*) || '/' || coalesce(sum(version), 0) FROM institutions)",
    record_history: '(SELECT count(*) FROM record_history)',
    name_grams: '(SELECT count(*) FROM name_grams)',
    leaves: "(SELECT count(*) FROM audit_leaves WHERE action LIKE 'institution.%' OR action = 'registry.import')",
    events: "(SELECT count(*) FROM events WHERE subject_type = 'institution')",
    ...(all ? {
      audit_head: "(SELECT tree_size || '/' || frontier FROM audit_head)",
      all_leaves: '(SELECT count(*) FROM audit_leaves)',
      event_head: '(SELECT last_id FROM event_head)',
      all_events: '(SELECT count(*) FROM events)',
    } : {}),
  };
  // One query (one psql or sqlite3 process): the values joined by |.
  const got = sql('SELECT ' + Object.values(q).join(', ')).split('|');
  return Object.fromEntries(Object.keys(q).map((k, i) => [k, got[i]]));
}

const importArgs = (f) => ['import', 'institutions', f, '--db', srv.db, '--keys', srv.keys, '--chunk', String(CHUNK)];
const phasesOf = (log) => PHASES.filter((m) => log.includes(`"msg":"${m}"`));
const logged = (log, m) => log.includes(`"msg":"${m}"`);

// Runs `yijian import` and SIGKILLs it as soon as its stderr has the line `at` (then `delay` ms later when
// given); resolves once it has ended and its stderr is read to the end.
function importKilled(f, at, delay = 0) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, importArgs(f), { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '', fired = false;
    p.stdout.resume();
    p.stderr.on('data', (d) => {
      log += d;
      if (fired || !logged(log, at)) return;
      fired = true;
      if (delay) setTimeout(() => p.kill('SIGKILL'), delay);
      else p.kill('SIGKILL');
    });
    p.on('error', reject);
    p.on('close', (code, sig) => resolve({ code, sig, log }));
  });
}

function verifyRecords() {
  const out = cli(['audit', 'verify', '--records'], { db: srv.db, keys: srv.keys });
  assert.match(out, / 0 do not match/, out);
}

// The counts of a whole import of a kill file (killFile) between before and now: ROWS - SEED new records at
// version 1 and SEED one version up, a history version and an audit leaf per row and the registry.import leaf,
// new name grams and events, both heads moved.
function assertWhole(before, now, msg) {
  const [n0, v0] = before.institutions.split('/').map(Number), [n1, v1] = now.institutions.split('/').map(Number);
  assert.deepEqual([n1 - n0, v1 - v0], [ROWS - SEED, ROWS], `${msg}: records (${before.institutions} → ${now.institutions})`);
  assert.equal(Number(now.record_history) - Number(before.record_history), ROWS, `${msg}: history`);
  assert.equal(Number(now.leaves) - Number(before.leaves), ROWS + 1, `${msg}: leaves`);
  assert.equal(Number(now.all_leaves) - Number(before.all_leaves), ROWS + 1, `${msg}: all leaves`);
  assert.ok(Number(now.name_grams) > Number(before.name_grams), `${msg}: name grams`);
  assert.ok(Number(now.events) > Number(before.events) && now.event_head !== before.event_head, `${msg}: events`);
  assert.notEqual(now.audit_head, before.audit_head, `${msg}: audit head`);
}

// The file a kill aims at, gen 1, 2, ...: the SEED seeded records renamed gen times, and ROWS - SEED records
// no file had before (gen 1 from SEED on; a later gen, needed when a kill came after the commit, far beyond
// the rows of gen 1 and of the api test below).
const killFile = (gen) => file(`kill${gen}.csv`, institutions(0, SEED, gen) +
  institutions(SEED + (gen - 1) * 2 * ROWS, ROWS - SEED).replace(/^[^\n]*\n/, ''));

// Until the killed import's connections are gone. On PostgreSQL its backend lives on until it next reads the
// dead socket: a COMMIT it had been sent may complete after a query of ours. SQLite's are gone with it.
async function settled() {
  if (srv.db.startsWith('sqlite:')) return;
  const q = 'SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()';
  for (let i = 0; sql(q) !== '0'; i++) {
    assert.ok(i < 600, 'the killed import still has a connection open after 60 s');
    await new Promise((res) => setTimeout(res, 100));
  }
}

test(`cli: an import of ${ROWS} rows SIGKILLed in each phase leaves the registry as it was or, killed after its commit, whole; then it writes every row once`, { timeout: 480000 }, async (t) => {
  cli(['init'], { db: srv.db, keys: srv.keys });
  const bad = spawnSync(BIN, ['import', 'institutions', 'x.csv', '--chunk', '0'], { encoding: 'utf8' });
  assert.equal(bad.status, 2, 'a chunk of 0 rows is a usage error');
  assert.match(bad.stderr, /--chunk/);
  const seed = spawnSync(BIN, importArgs(file('seed.csv', institutions(0, SEED))), { encoding: 'utf8' });
  assert.equal(seed.status, 0, seed.stderr);
  let before = registry(true), gen = 1, f = killFile(gen);

  // Where each kill is aimed: after the line `at`, before the line `next`. The pipeline writes no line per
  // chunk, only import.pipeline at its end: the last kill waits 60 % of the pipeline's length as the
  // earlier ones measured it (from import.checked to import.pipeline), so it falls in the second of the
  // three chunks, the first written — 0.7 times as long whenever it came too late.
  let pipelineMs = 0;
  const points = [
    { name: 'in the check', at: 'import.started', next: 'import.checked' },
    { name: 'as the chunk pipeline starts', at: 'import.checked', next: 'import.pipeline' },
    // On PostgreSQL a file of 10,000 rows or more (~135,000 name grams) has its sweep beside the publication
    // from the check's end (docs/import.md, "The name index beside the publication"): import.name_grams then
    // comes when its rows are in, uncommitted, often before import.pipeline.
    BESIDE ? { name: 'in the name-gram sweep beside the pipeline', at: 'import.checked', next: 'import.name_grams' }
      : { name: 'in the name-gram sweep', at: 'import.pipeline', next: 'import.name_grams' },
    { name: 'in the audit flush', at: BESIDE ? 'import.pipeline' : 'import.name_grams', next: 'audit.flush' },
    { name: 'in the second chunk of the pipeline', at: 'import.checked', next: 'import.pipeline', later: true },
  ];
  const ts = (log, m) => Number(log.match(new RegExp(`"ts":([0-9.]+),[^\\n]*"msg":"${m}"`))?.[1]);
  for (const pt of points) {
    let delay = 0, landed, commits = 0;
    if (pt.later) {
      assert.ok(pipelineMs > 0, 'the pipeline was timed');
      delay = pipelineMs * 0.6;
    }
    for (let attempt = 1; ; attempt++) {
      const r = await importKilled(f, pt.at, delay);
      const seen = phasesOf(r.log);
      landed = seen.at(-1);
      if (seen.includes('import.pipeline')) pipelineMs = (ts(r.log, 'import.pipeline') - ts(r.log, 'import.checked')) * 1000;
      await settled();
      const now = registry(true);
      // The kill comes when this process has read the line, which on a loaded machine may be after the
      // commit (a few milliseconds of CPU after audit.flush) or even after the import's end: then the
      // import is there whole, never in part, and the next attempt is a file of new rows.
      const whole = !isDeepStrictEqual(now, before);
      if (whole) {
        assert.ok(r.sig === 'SIGKILL' || r.code === 0, `killed ${pt.name}, the import failed:\n${r.log.slice(-2000)}`);
        assertWhole(before, now, `killed ${pt.name} after ${landed} (${r.sig ?? 'exit ' + r.code}), the registry has part of the import`);
        verifyRecords();
        t.diagnostic(`the kill ${pt.name} came after the commit (${seen.join(' ')}; ${r.sig ?? 'exit ' + r.code}): the import is whole; again with file ${gen + 1}`);
        before = now;
        f = killFile(++gen);
        commits++;
      } else {
        assert.equal(r.sig, 'SIGKILL', `the import ended, writing nothing, before it was killed ${pt.name}:\n${r.log.slice(-2000)}`);
        if (!seen.includes(pt.next)) break;
        t.diagnostic(`the kill ${pt.name} came after ${landed}: nothing written; again`);
        delay *= 0.7;
      }
      assert.ok(attempt < 4, `the kill ${pt.name} came after ${pt.next} ${attempt} times (${commits} of them after the commit)`);
    }
    t.diagnostic(`killed ${pt.name}: after ${landed}${delay ? ` + ${delay.toFixed(0)} ms of a ${pipelineMs.toFixed(0)} ms pipeline` : ''}, nothing written`);
  }

  verifyRecords(); // every record against its last leaf, as the kills left them

  // The same file again: every row is written, once.
  const again = spawnSync(BIN, importArgs(f), { encoding: 'utf8' });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`新增 ${ROWS - SEED}，更新 ${SEED}，未变 0，无效 0`), again.stdout);
  const written = registry(true);
  assertWhole(before, written, 'the file again');

  // A third run finds every row as the file has it: nothing staged, nothing published.
  const third = spawnSync(BIN, importArgs(f), { encoding: 'utf8' });
  assert.equal(third.status, 0, third.stderr);
  assert.match(third.stdout, new RegExp(`新增 0，更新 0，未变 ${ROWS}，无效 0`), third.stdout);
  assert.match(third.stderr, /"msg":"import.checked"[^\n]*"staged":0/);
  assert.ok(!logged(third.stderr, 'import.published'), 'a run with nothing staged publishes nothing');
  assert.deepEqual(registry(true), written);
  verifyRecords();
});

// The head the server signed, saved for `audit verify --sth`.
async function verifySth() {
  const sth = await (await fetch(srv.url + '/api/v1/audit/sth')).json();
  const f = file('sth.json', JSON.stringify(sth));
  const out = cli(['audit', 'verify', '--sth', f, '--records'], { db: srv.db, keys: srv.keys });
  assert.match(out, /^ok: \d+ leaves/m, out);
  assert.match(out, / 0 do not match/, out);
}

test(`api: serve killed while it publishes an import leaves nothing; killed after the 2xx, all ${API_ROWS} rows are there`, { timeout: 240000 }, async (t) => {
  await srv.start();
  srv.addUser('kill.importer', 'inspector', '330300');
  const c = new Client(srv.url);
  assert.equal((await c.signIn('kill.importer')).status, 200);
  const body = institutions(ROWS, API_ROWS);
  const post = () => c.req('POST', '/api/v1/import/institutions', body, { 'content-type': 'text/csv' });
  const before = registry(false);

  // Killed once the check is done and the publication has begun: the client gets no answer.
  const mark = srv.logs.length;
  let killed;
  const watch = () => {
    if (!killed && srv.logs.indexOf('"msg":"import.checked"', mark) >= 0) killed = srv.stop({ signal: 'SIGKILL', expectKill: true });
  };
  srv.proc.stderr.on('data', watch);
  const cut = await post().then((r) => r.status, (e) => e.cause?.code ?? e.message);
  assert.ok(killed, `the server was not killed during the import (answer ${cut})`);
  await killed;
  assert.ok(typeof cut !== 'number' || cut < 200 || cut > 299, `the killed import was acknowledged: ${cut}`);
  const log = srv.logs.slice(mark);
  assert.ok(!logged(log, 'audit.flush') && !logged(log, 'import.published'), `killed too late: ${phasesOf(log).join(' ')}`);
  t.diagnostic(`serve killed after ${phasesOf(log).at(-1)}; the client got ${cut}`);

  await srv.start();
  assert.deepEqual(registry(false), before, 'an import killed before its commit left something');
  await verifySth(); // the log of everything above, against a head the server signed

  // Acknowledged, then killed at once: after the restart every row is there.
  const c2 = new Client(srv.url);
  assert.equal((await c2.signIn('kill.importer')).status, 200);
  const r = await c2.req('POST', '/api/v1/import/institutions', body, { 'content-type': 'text/csv' });
  assert.equal(r.status, 200, JSON.stringify(r.data).slice(0, 500));
  assert.equal(r.data.inserted, API_ROWS);
  assert.equal(r.data.written, true);
  await srv.stop({ signal: 'SIGKILL', expectKill: true });
  await srv.start();
  const now = registry(false);
  const [n0, v0] = before.institutions.split('/').map(Number);
  assert.equal(now.institutions, `${n0 + API_ROWS}/${v0 + API_ROWS}`); // new records, at version 1
  assert.equal(Number(now.record_history), Number(before.record_history) + API_ROWS);
  assert.equal(Number(now.leaves), Number(before.leaves) + API_ROWS + 1);
  const c3 = new Client(srv.url);
  assert.equal((await c3.signIn('kill.importer')).status, 200);
  for (const i of [ROWS, ROWS + API_ROWS - 1]) {
    const code = creditCode('52' + ['330302', '330303', '330304'][i % 3], String(40000000 + i));
    const got = await c3.get('/api/v1/institutions?credit_code=' + code);
    assert.equal(got.status, 200);
    assert.equal(got.data.items.length, 1, `row ${i} of the acknowledged import is missing`);
  }
  await verifySth();
});
