// A 100,000-row import must not hold up other users (issue 9 item 4): while an inspector's import
// of 100,000 institutions runs over HTTP — a dry run, then a real one — another user signs in and
// changes an institution, and both finish before the import does. Ordering, not timing: the test
// asserts which response came first and never a duration (the latencies are a benchmark figure,
// bench/import_load.mjs). Before the fix the whole import ran in one write transaction, so the
// sign-in's session row (SQLite) and audit leaf (PostgreSQL: the audit head row) waited for it.
// Slow by nature: 100,000 rows are checked and published. The dry run is 100,000 rows on every engine;
// the real import and the publication are 100,000 rows on SQLite and REAL_ROWS (20,000) on PostgreSQL
// and in the sanitizer build (YJ_IMPORT_LOAD_ROWS), where publishing takes about 30 round trips a row
// today: at 100,000 rows that one case took 12 minutes of the CI run, and the order it shows needs only
// a publication longer than a sign-in (20,000 rows publish for tens of seconds). The speed of the
// publication belongs to the scale issue; bench/import_load.mjs measures it at 100,000.
//
// Every request goes over a connection of its own, as another browser's would: a yijian worker
// thread runs one handler at a time, so a request on a kept-alive connection that the import's
// thread also serves waits for the import whatever the store does (the harness's Client shares one
// connection pool among all users, which would show exactly that; see docs/import.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Server, PASSWORD } from './harness.mjs';
import { creditCode } from './codes.mjs';

const N = 100000;
const pg = !!process.env.YJ_TEST_DB;
const REAL_ROWS = Number(process.env.YJ_IMPORT_LOAD_ROWS ?? (pg ? 20000 : N));
let srv, importer, ownId;

// n (default 100,000) valid institutions of 330302 (about 9 MB: the server runs with a larger body limit).
function bigFile(n = N) {
  const types = ['general_hospital', 'clinic', 'dental_clinic', 'community_station', 'village_clinic', 'outpatient_dept'];
  const lines = ['credit_code,name,type,level,ownership,profit,region_code,beds'];
  for (let i = 0; i < n; i++) {
    lines.push(`${creditCode('52330302', String(10000000 + i))},负载测试机构${i},${types[i % types.length]},none,private,forprofit,330302,${i % 50}`);
  }
  return lines.join('\n') + '\n';
}

// Resolves when the server's log has a line with this event after `from` characters of it. The wait
// is long (10 minutes) on purpose: it bounds a hang, not a speed — checking 100,000 rows on PostgreSQL
// took over 30 s on a loaded two-core machine.
async function logged(event, from) {
  for (let i = 0; i < 24000; i++) {
    if (srv.logs.indexOf(`"msg":"${event}"`, from) >= 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${event} in the server log`);
}

// One request on a new connection (agent: false); the session cookie and CSRF token are kept in u.
// Also used for the import itself: fetch gives up on a response that takes over 5 minutes, which a
// real 100,000-row import on PostgreSQL on a loaded machine can.
function fresh(u, method, url, body, type = 'application/json') {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers = { connection: 'close' };
    if (payload !== undefined) headers['content-type'] = type;
    if (u.cookie) headers.cookie = u.cookie;
    if (u.csrf && method !== 'GET') headers['x-csrf-token'] = u.csrf;
    const req = http.request(srv.url + url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const sc = res.headers['set-cookie'];
        if (sc) u.cookie = sc[0].split(';')[0];
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, data: text && /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

before(async () => {
  srv = new Server({ args: ['--max-body', String(32 << 20)] });
  await srv.start();
  srv.addUser('load.importer', 'inspector', '330302');
  srv.addUser('load.other', 'inspector', '330302');
  importer = {};
  const s = await fresh(importer, 'POST', '/api/v1/session', { username: 'load.importer', password: PASSWORD });
  assert.equal(s.status, 200);
  importer.csrf = s.data.csrf_token;
  const own = await fresh(importer, 'POST', '/api/v1/institutions', {
    credit_code: creditCode('12330302', '30000001'), name: '并发修改测试诊所', type: 'clinic', level: 'none',
    ownership: 'private', profit: 'forprofit', region_code: '330302', beds: 1,
  });
  assert.equal(own.status, 201, JSON.stringify(own.data));
  ownId = own.data.id;
});
after(async () => { await srv.stop(); srv.cleanup(); });

// Starts the import, waits until the server has begun it (phase: the log event to wait for), then
// signs in as another user and changes an institution; returns the order in which the three ended.
async function race(query, phase) {
  const order = [];
  const mark = srv.logs.length;
  const imp = fresh(importer, 'POST', '/api/v1/import/institutions' + query, body, 'text/csv')
    .then((r) => { order.push('import'); return r; });
  await logged(phase, mark);
  assert.ok(!order.includes('import'), 'the import is still running when the others start');
  const other = {};
  const s = await fresh(other, 'POST', '/api/v1/session', { username: 'load.other', password: PASSWORD });
  order.push('signin');
  assert.equal(s.status, 200, JSON.stringify(s.data));
  other.csrf = s.data.csrf_token;
  const cur = await fresh(other, 'GET', '/api/v1/institutions/' + ownId);
  assert.equal(cur.status, 200);
  const p = await fresh(other, 'PATCH', '/api/v1/institutions/' + ownId, { beds: cur.data.beds + 1, version: cur.data.version });
  order.push('patch');
  assert.equal(p.status, 200, JSON.stringify(p.data));
  const r = await imp;
  assert.equal(r.status, 200, JSON.stringify(r.data).slice(0, 500));
  return { order, result: r.data };
}

let body;

test('a sign-in and a PATCH finish while a 100,000-row dry run is checking', async () => {
  body = bigFile();
  const { order, result } = await race('?dry_run=true', 'import.started');
  assert.equal(result.rows, N);
  assert.equal(result.inserted, N);
  assert.equal(result.written, false);
  assert.deepEqual(order, ['signin', 'patch', 'import']);
});

test(`a sign-in and a PATCH finish while a real ${REAL_ROWS.toLocaleString('en')}-row import is checking`, async () => {
  if (REAL_ROWS !== N) body = bigFile(REAL_ROWS);
  const { order, result } = await race('', 'import.started');
  assert.equal(result.inserted, REAL_ROWS);
  assert.equal(result.written, true);
  assert.deepEqual(order, ['signin', 'patch', 'import']);
});

// On PostgreSQL the publication's rows do not lock the audit head (their leaves enter the log in
// one flush at the end), so a sign-in and a PATCH sent while it publishes do not wait for it. SQLite
// has one writer per database file: there a write sent during the publication waits for its commit
// (docs/import.md), so this ordering does not hold and is not asserted.
test(`postgresql: a sign-in and a PATCH finish while a real ${REAL_ROWS.toLocaleString('en')}-row import is publishing`, { skip: !pg && 'SQLite has one writer' }, async () => {
  // A file of the same institutions with new names: 100,000 updates to publish.
  body = body.replace(/负载测试机构/g, '负载更名机构');
  const { order, result } = await race('', 'import.checked');
  assert.equal(result.updated, REAL_ROWS);
  assert.equal(result.written, true);
  assert.deepEqual(order, ['signin', 'patch', 'import']);
});
