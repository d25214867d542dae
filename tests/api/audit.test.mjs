// The audit log checked from outside and against the records: an outsider with no account fetches
// two signed tree heads, the consistency proof between them and the leaf hashes, and verifies all of
// it in JavaScript (node's own SHA-256 and ed25519, RFC 6962 / RFC 9162 written out here); and
// `yijian audit verify --records` names every registry row edited behind the platform's back with
// SQL, a row with no leaf and a leaf whose row is gone (SQLite, or PostgreSQL with YJ_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, isProblem, BIN } from './harness.mjs';
import { creditCode, residentId } from './codes.mjs';

let srv, admin, anon;
const made = [];

const clinic = (i) => ({
  credit_code: creditCode('52330302', String(41000000 + i)), name: `审计核对诊所${i}`, type: 'clinic', level: 'none',
  ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'], lng: 120.65 + i / 1000,
  lat: 28.01,
});

async function addClinics(n) {
  for (let i = 0; i < n; i++) {
    const r = await admin.post('/api/v1/institutions', clinic(made.length));
    assert.equal(r.status, 201, JSON.stringify(r.data));
    made.push(r.data);
  }
}

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('au.admin', 'admin', '330300');
  admin = new Client(srv.url);
  assert.equal((await admin.signIn('au.admin')).status, 200);
  anon = new Client(srv.url);
  await addClinics(3);
});

after(async () => {
  await srv.stop();
  srv.cleanup();
});

// ---- an outsider's verifier, from docs/audit.md alone ----

const sha = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
const node = (l, r) => sha(Buffer.from([1]), l, r);

// MTH (RFC 6962 §2.1) over leaf hashes.
function mth(leaves) {
  if (leaves.length === 0) return sha(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

// RFC 9162 §2.1.4.2: verifies that the tree of size n with root newRoot extends the one of size m.
function consistent(m, n, oldRoot, newRoot, proof) {
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (m === 0 || m > n) return false;
  let path = proof.slice();
  if ((m & (m - 1)) === 0) path = [oldRoot, ...path];
  if (path.length === 0) return false;
  let fn = m - 1, sn = n - 1;
  while (fn & 1) { fn >>= 1; sn >>= 1; }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if ((fn & 1) || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      if (!(fn & 1)) while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else {
      sr = node(sr, c);
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

// The 50-byte TreeHeadSignature message of docs/audit.md, checked with the published key.
function signed(sth, pubHex) {
  const m = Buffer.alloc(50);
  m[0] = 0; m[1] = 1;
  m.writeBigUInt64BE(BigInt(sth.timestamp), 2);
  m.writeBigUInt64BE(BigInt(sth.tree_size), 10);
  Buffer.from(sth.root_hash, 'hex').copy(m, 18);
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'),
    Buffer.from(pubHex, 'hex')]), format: 'der', type: 'spki' });
  return edVerify(null, m, key, Buffer.from(sth.signature, 'hex'));
}

async function leafHashes(end) {
  const out = [];
  for (let start = 0; start < end;) {
    const r = await anon.get(`/api/v1/public/audit/leaves?start=${start}&end=${Math.min(end, start + 1000)}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    assert.deepEqual(Object.keys(r.data).sort(), ['end', 'leaf_hashes', 'start', 'tree_size'], 'hashes only');
    out.push(...r.data.leaf_hashes.map((h) => Buffer.from(h, 'hex')));
    start = r.data.end;
  }
  return out;
}

test('an outsider checks consistency between two heads it saw, from the public routes alone', async () => {
  const pub = (await anon.get('/api/v1/audit/public-key')).data.public_key;
  const first = await anon.get('/api/v1/public/audit/sth');
  assert.equal(first.status, 200);
  const A = first.data;
  await addClinics(4);
  const B = (await anon.get('/api/v1/public/audit/sth')).data;
  assert.ok(B.tree_size > A.tree_size, `${A.tree_size} → ${B.tree_size}`);
  assert.ok(signed(A, pub) && signed(B, pub), 'both heads are signed by the published key');

  // Every historic head is there, by size and in the list.
  const again = await anon.get(`/api/v1/public/audit/sth?tree_size=${A.tree_size}`);
  assert.equal(again.status, 200);
  assert.deepEqual(again.data, A);
  const heads = [];
  for (let cursor = null; ;) {
    const r = await anon.get('/api/v1/public/audit/sths?limit=3' + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
    assert.equal(r.status, 200, JSON.stringify(r.data));
    heads.push(...r.data.items);
    if (!r.data.next_cursor) break;
    cursor = r.data.next_cursor;
  }
  // Heads are signed within the merge delay and on demand, not per write (docs/audit.md): some sizes
  // have none, but every head served is kept, in order, up to the latest.
  const sizes = heads.map((h) => h.tree_size);
  assert.ok(sizes.every((n, i) => i === 0 || n > sizes[i - 1]), `ascending, one head per signed size: ${sizes}`);
  assert.ok(sizes.includes(A.tree_size) && sizes.at(-1) === B.tree_size, `${A.tree_size} and ${B.tree_size} in ${sizes}`);
  assert.equal(heads.filter((h) => signed(h, pub)).length, heads.length);

  // The consistency proof between the two heads.
  const p = await anon.get(`/api/v1/audit/proof/consistency?first=${A.tree_size}&second=${B.tree_size}`);
  assert.equal(p.status, 200);
  const proof = p.data.consistency.map((h) => Buffer.from(h, 'hex'));
  const rootA = Buffer.from(A.root_hash, 'hex'), rootB = Buffer.from(B.root_hash, 'hex');
  assert.ok(proof.length > 0);
  assert.ok(consistent(A.tree_size, B.tree_size, rootA, rootB, proof), 'the later head extends the earlier');
  const bent = proof.map((h) => Buffer.from(h));
  bent[0][0] ^= 1;
  assert.ok(!consistent(A.tree_size, B.tree_size, rootA, rootB, bent), 'a changed proof does not verify');
  assert.ok(!consistent(A.tree_size, B.tree_size, rootB, rootB, proof), 'nor does another earlier root');
  // Between every earlier head and B as well.
  for (const h of heads.slice(0, -1)) {
    const q = await anon.get(`/api/v1/audit/proof/consistency?first=${h.tree_size}&second=${B.tree_size}`);
    assert.ok(consistent(h.tree_size, B.tree_size, Buffer.from(h.root_hash, 'hex'), rootB,
      q.data.consistency.map((x) => Buffer.from(x, 'hex'))), `head ${h.tree_size}`);
  }

  // The leaf hashes rebuild both roots.
  const leaves = await leafHashes(B.tree_size);
  assert.equal(leaves.length, B.tree_size);
  assert.ok(mth(leaves.slice(0, A.tree_size)).equals(rootA));
  assert.ok(mth(leaves).equals(rootB));

  // The content stays scoped; bad ranges are refused.
  assert.equal((await anon.get('/api/v1/audit/leaves')).status, 401);
  isProblem(assert, await anon.get(`/api/v1/public/audit/leaves?start=0&end=${B.tree_size + 1}`), 400);
  isProblem(assert, await anon.get('/api/v1/public/audit/leaves?start=0&end=1001'), 400);
  isProblem(assert, await anon.get('/api/v1/public/audit/leaves?start=3&end=2'), 400);
  isProblem(assert, await anon.get('/api/v1/public/audit/leaves'), 400);
  isProblem(assert, await anon.get(`/api/v1/public/audit/sth?tree_size=${B.tree_size + 100}`), 404);
  isProblem(assert, await anon.get('/api/v1/public/audit/sth?tree_size=x'), 400);
});

test('entries per day: counted by the database over every entry the caller may list, today last', async () => {
  const r = await admin.get('/api/v1/audit/daily');
  assert.equal(r.status, 200);
  assert.equal(r.data.items.length, 14);
  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
  assert.equal(r.data.items.at(-1).day, today);
  // Every leaf the admin may list (paged without a cap) falls on one of the days counted.
  let cursor, listed = 0;
  const since = Date.parse(`${r.data.items[0].day}T00:00:00+08:00`);
  do {
    const p = await admin.get(`/api/v1/audit/leaves?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    listed += p.data.items.filter((l) => l.at >= since).length;
    cursor = p.data.next_cursor;
  } while (cursor);
  const after = await admin.get('/api/v1/audit/daily?days=1');
  assert.ok(after.data.total >= 1);
  assert.equal(r.data.total, r.data.items.reduce((a, d) => a + d.count, 0));
  assert.ok(listed >= r.data.total && listed <= r.data.total + 2, `${listed} listed, ${r.data.total} counted`);
  // A leader of another city counts only the platform-wide entries (no territory), none of 温州市's.
  srv.addUser('au.other', 'leader', '330100');
  const other = new Client(srv.url);
  assert.equal((await other.signIn('au.other')).status, 200);
  const o = await other.get('/api/v1/audit/daily?days=3');
  assert.equal(o.status, 200);
  assert.equal(o.data.items.length, 3);
  assert.ok(o.data.total < r.data.total, `${o.data.total} < ${r.data.total}`);
  for (const bad of ['0', '367', 'x', '']) isProblem(assert, await admin.get(`/api/v1/audit/daily?days=${bad}`), 400);
  assert.equal((await anon.get('/api/v1/audit/daily')).status, 401);
});

// ---- records against the log ----

const sql = (q) => (srv.db.startsWith('sqlite:')
  ? execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.slice(7), q], { encoding: 'utf8' })
  : execFileSync('psql', [srv.db, '-qAtc', q], { encoding: 'utf8' }));

function verifyRecords(extra = []) {
  const r = spawnSync(BIN, ['audit', 'verify', '--records', '--db', srv.db, '--keys', srv.keys, ...extra],
    { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('audit verify --records names every row that no longer matches its last leaf', async () => {
  const inst = (await admin.get(`/api/v1/institutions/${made[0].id}`)).data;
  let r = await admin.patch(`/api/v1/institutions/${inst.id}`, { version: inst.version, name: '审计核对诊所（改名）' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  r = await admin.post('/api/v1/practitioners', { name: '李四', id_number: residentId('33030219800101002'),
    certificate_no: '110330302000091', category: 'physician', practice_type: 'clinical', institution_id: made[1].id });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const doctor = r.data;

  let v = verifyRecords();
  assert.equal(v.status, 0, v.out);
  assert.match(v.out, new RegExp(`records: ${made.length + 1} rows of \\d+ object types checked .*; 0 do not match`));

  // Edits behind the platform's back: a name, a practitioner's category, a coordinate.
  sql(`UPDATE institutions SET name = '被篡改的名称' WHERE id = ${made[0].id}`);
  sql(`UPDATE practitioners SET category = 'nurse' WHERE id = ${doctor.id}`);
  sql(`UPDATE institutions SET lng_e6 = lng_e6 + 1 WHERE id = ${made[2].id}`);
  // A row whose leaf now names another object: the row has no leaf, the leaf has no row.
  sql(`UPDATE audit_leaves SET object_id = '1' WHERE object_type = 'institution' AND object_id = '${made[3].id}'`);
  v = verifyRecords();
  assert.equal(v.status, 1, v.out);
  assert.match(v.out, new RegExp(`institution ${made[0].id}: the row does not match its last leaf \\(leaf \\d+, institution.update\\)`));
  assert.match(v.out, new RegExp(`practitioner ${doctor.id}: the row does not match its last leaf \\(leaf \\d+, practitioner.create\\)`));
  assert.match(v.out, new RegExp(`institution ${made[2].id}: the row does not match`));
  assert.match(v.out, new RegExp(`institution ${made[3].id}: no leaf records this row`));
  assert.match(v.out, /institution 1: leaf \d+ \(institution.create\) records it, but the row is gone/);
  assert.match(v.out, /; 5 do not match/);
  for (const x of made.slice(4)) assert.ok(!v.out.includes(x.id), `untouched ${x.id} is not named`);

  // With a signed head as well, the log check runs first and catches the edited leaf.
  const f = path.join(srv.dir, 'head.json');
  writeFileSync(f, JSON.stringify((await anon.get('/api/v1/audit/sth')).data));
  v = verifyRecords(['--sth', f]);
  assert.equal(v.status, 1, v.out);
  assert.match(v.out, /edited|does not match/);
  assert.equal(spawnSync(BIN, ['audit', 'verify', '--db', srv.db], { encoding: 'utf8' }).status, 2,
    'neither --sth nor --records');
});
