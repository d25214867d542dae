// Exports stream every row, with no cap: 110,000 users planted by SQL (100,000 of them in the
// caller's county, 10,000 next door), then the user export as CSV and xlsx holds exactly the rows
// the list would show — same scope, same filters — while the server's peak memory stays bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Server, Client } from './harness.mjs';

let srv, admin;
const N = 110000;

const sql = (q) => (srv.db.startsWith('sqlite:')
  ? execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.slice(7), q], { encoding: 'utf8' })
  : execFileSync('psql', [srv.db, '-qAtc', q], { encoding: 'utf8' })).trim();

// Peak resident memory of the server process, in KiB (VmHWM of /proc), and its reset to the current
// resident set (clear_refs 5), so the start's own peak (migrations) does not hide the export's.
const peakKiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))[1]);
const resetPeak = () => writeFileSync(`/proc/${srv.proc.pid}/clear_refs`, '5');

before(async () => {
  // Under ASan freed memory waits in a quarantine (256 MB by default) before reuse, which would
  // count every row ever freed; a small quarantine keeps the peak meaningful there too.
  const asan = process.env.ASAN_OPTIONS;
  srv = new Server({ env: asan === undefined ? {} : { ASAN_OPTIONS: `${asan}:quarantine_size_mb=4` } });
  await srv.start();
  srv.addUser('ex.admin', 'admin', '330302');
  admin = new Client(srv.url);
  await admin.signIn('ex.admin');
  // Every eleventh user lives in 330303 (outside the caller's county); roles alternate.
  sql(`INSERT INTO users (id, username, display_name, password_hash, role, region_code, department, created_at, updated_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
       SELECT 8000000000 + i, 'bulk' || i, '批量用户' || i, 'x', CASE WHEN i % 2 = 0 THEN 'inspector' ELSE 'leader' END,
              CASE WHEN i % 11 = 0 THEN '330303' ELSE '330302' END, 'health', 0, 0 FROM n`);
});
after(async () => { await srv.stop(); srv.cleanup(); });

const csvRows = (buf) => {
  const text = buf.toString('utf8');
  assert.ok(text.startsWith('\uFEFF"用户名"'), text.slice(0, 40));
  return text.split('\r\n').slice(1, -1); // the header first, an empty string after the last CRLF
};

test('a CSV export of more than 100,000 rows holds every row in scope, in order', async (t) => {
  const inScope = Number(sql("SELECT COUNT(*) FROM users WHERE region_code LIKE '330302%'"));
  assert.ok(inScope > 100000, String(inScope));
  resetPeak();
  const base = peakKiB();
  const r = await admin.get('/api/v1/users/export?format=csv');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-disposition'), /users\.csv/);
  const rows = csvRows(r.data);
  const grown = peakKiB() - base;
  t.diagnostic(`server peak memory grew by ${grown} KiB`);
  assert.equal(rows.length, inScope);
  assert.ok(!rows.some((l) => l.startsWith('"bulk11",') || l.startsWith('"bulk110000",')), 'users of 330303 are left out');
  assert.ok(rows.some((l) => l.startsWith('"bulk109999",')), 'the last rows are there');
  // The old export built a JSON array of every row before writing; a streamed one holds a row — on
  // PostgreSQL too, where libpq held the whole result (+29 MiB here) until the export asked for single
  // rows (store_stream). Under ASan (its quarantine and shadow) SQLite's run grows ~13 MiB.
  const bound = (process.env.ASAN_OPTIONS === undefined ? 8 : 32) * 1024;
  assert.ok(grown < bound, `peak memory grew by ${grown} KiB`);
});

test('the export takes the list filters: role=inspector', async () => {
  const expected = Number(sql("SELECT COUNT(*) FROM users WHERE region_code LIKE '330302%' AND role = 'inspector'"));
  assert.ok(expected >= 50000, String(expected));
  const r = await admin.get('/api/v1/users/export?format=csv&role=inspector');
  assert.equal(r.status, 200);
  assert.equal(csvRows(r.data).length, expected);
});

test('an xlsx export of the same rows is a complete workbook', async () => {
  const r = await admin.get('/api/v1/users/export');
  assert.equal(r.status, 200);
  assert.match(r.type, /spreadsheetml/);
  assert.equal(r.data.subarray(0, 2).toString(), 'PK');
  // A zip ends with its end-of-central-directory record: the file was written to the end.
  assert.equal(r.data.subarray(r.data.length - 22, r.data.length - 18).toString('hex'), '504b0506');
  assert.ok(r.data.length > 1000000, String(r.data.length));
});

test('format=count answers the rows the export (and so the list) holds: scope, filters, no file', async () => {
  const all = Number(sql("SELECT COUNT(*) FROM users WHERE region_code LIKE '330302%'"));
  const insp = Number(sql("SELECT COUNT(*) FROM users WHERE region_code LIKE '330302%' AND role = 'inspector'"));
  let r = await admin.get('/api/v1/users/export?format=count');
  assert.equal(r.status, 200);
  assert.deepEqual(r.data, { total: all });
  r = await admin.get('/api/v1/users/export?format=count&role=inspector');
  assert.deepEqual(r.data, { total: insp });
  assert.ok(insp < all);
  // A list whose export writes rows it holds (yj_reply_export) counts them the same way.
  r = await admin.get('/api/v1/inspection/items/export?format=count');
  assert.equal(r.status, 200);
  const list = await admin.get('/api/v1/inspection/items');
  assert.ok(list.data.items.length > 0);
  assert.equal(r.data.total, list.data.items.length);
  r = await admin.get('/api/v1/users/export?format=pdf');
  assert.equal(r.status, 400);
  assert.match(r.data.detail, /count/);
});

test('a keyword of several words matches rows holding every word (users; grids and regions share yj_q_words)', async () => {
  const expected = Number(sql(`SELECT COUNT(*) FROM users WHERE region_code LIKE '330302%'
    AND (username LIKE '%bulk10%' OR display_name LIKE '%bulk10%') AND (username LIKE '%用户1099%' OR display_name LIKE '%用户1099%')`));
  assert.ok(expected > 1, String(expected));
  const q = encodeURIComponent('bulk10　用户1099'); // an ideographic space between the words
  const r = await admin.get(`/api/v1/users/export?format=count&q=${q}`);
  assert.deepEqual(r.data, { total: expected });
  const page = await admin.get(`/api/v1/users?q=${encodeURIComponent(' bulk10  用户1099 ')}&limit=200`);
  assert.equal(page.data.items.length, expected);
  const regions = await admin.get(`/api/v1/regions?q=${encodeURIComponent('鹿城 街道')}&limit=200`);
  assert.equal(regions.status, 200);
});

test('clients that leave mid-export leave the server whole: the next exports hold every row', async () => {
  const inScope = Number(sql("SELECT COUNT(*) FROM users WHERE region_code LIKE '330302%'"));
  // Exports abandoned while the server still reads their rows (a 100,000-row export takes longer than
  // 50 ms), and one abandoned after its first bytes arrived.
  const abandon = async (ms) => {
    const ac = new AbortController();
    const timer = ms ? setTimeout(() => ac.abort(), ms) : null;
    try {
      const r = await fetch(`${srv.url}/api/v1/users/export?format=csv`, { headers: { cookie: admin.cookie, connection: 'close' }, signal: ac.signal });
      await r.body.getReader().read();
      ac.abort();
    } catch (e) {
      assert.equal(e.name, 'AbortError');
    }
    clearTimeout(timer);
  };
  await Promise.all([50, 50, 100, 200, 0].map(abandon));
  const [a, b] = await Promise.all([admin.get('/api/v1/users/export?format=csv'), admin.get('/api/v1/users/export?format=count')]);
  assert.equal(a.status, 200);
  assert.equal(csvRows(a.data).length, inScope);
  assert.deepEqual(b.data, { total: inScope });
});
