// Tree heads signed within the merge delay instead of per write (docs/audit.md, "When a leaf is
// signed"): a write acknowledged just before a SIGKILL keeps its leaf, which the restarted server
// signs; and three `yijian serve` on one database (PostgreSQL under YJ_TEST_DB, a shared SQLite file
// otherwise), written to at once, sign heads of one tree only — every head's root is recomputed here
// from the public leaf hashes, and every signature checked with the published key.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, cli } from './harness.mjs';

const servers = [];
after(async () => {
  for (const s of servers) if (s.proc && s.proc.exitCode === null && s.proc.signalCode === null) await s.stop();
  for (const s of servers) s.cleanup();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
const node = (l, r) => sha(Buffer.from([1]), l, r);
function mth(leaves) {
  if (leaves.length === 0) return sha(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function signed(sth, pubHex) {
  const m = Buffer.alloc(50);
  m[1] = 1;
  m.writeBigUInt64BE(BigInt(sth.timestamp), 2);
  m.writeBigUInt64BE(BigInt(sth.tree_size), 10);
  Buffer.from(sth.root_hash, 'hex').copy(m, 18);
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'),
    Buffer.from(pubHex, 'hex')]), format: 'der', type: 'spki' });
  return edVerify(null, m, key, Buffer.from(sth.signature, 'hex'));
}
async function leafHashes(anon, end) {
  const out = [];
  for (let start = 0; start < end;) {
    const r = await anon.get(`/api/v1/public/audit/leaves?start=${start}&end=${Math.min(end, start + 1000)}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    out.push(...r.data.leaf_hashes.map((h) => Buffer.from(h, 'hex')));
    start = r.data.end;
  }
  return out;
}
async function allHeads(anon) {
  const heads = [];
  for (let cursor = null; ;) {
    const r = await anon.get('/api/v1/public/audit/sths?limit=100' + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
    assert.equal(r.status, 200, JSON.stringify(r.data));
    heads.push(...r.data.items);
    if (!r.data.next_cursor) return heads;
    cursor = r.data.next_cursor;
  }
}
const verifyOut = (s, file) => cli(['audit', 'verify', '--sth', file], { db: s.db, keys: s.keys });

test('SIGKILL after an acknowledged write keeps its leaf, and the next head covers it', async () => {
  // A bound of an hour: only the start of a server, or a reader asking, signs here.
  const srv = new Server({ args: ['--audit-merge-delay', '3600000'] });
  servers.push(srv);
  await srv.start();
  srv.addUser('sig.admin', 'admin', '330302');
  const token = srv.token('sig.admin', 'writer', true);
  const anon = new Client(srv.url);
  const A = (await anon.get('/api/v1/public/audit/sth')).data;
  const fileA = path.join(srv.dir, 'a.json');
  writeFileSync(fileA, JSON.stringify(A));
  const c = new Client(srv.url);
  c.bearer = token;
  const w = await c.post('/api/v1/tokens', { name: 'acked', days: 1 });
  assert.equal(w.status, 201, JSON.stringify(w.data));
  await srv.stop({ signal: 'SIGKILL', expectKill: true });

  // The leaf is in the log, not signed yet, and checks as far as it can.
  const before = verifyOut(srv, fileA);
  assert.match(before, new RegExp(`^ok: ${A.tree_size + 1} leaves .* 1 leaves after the last signed head \\(size ${A.tree_size}\\) are not signed yet`), before);

  // The restarted server signs it at start, before anyone asks.
  await srv.start();
  let out = '';
  for (let i = 0; i < 100 && !/^ok: .*matches the log\n?$/.test(out); i++) {
    out = verifyOut(srv, fileA);
    if (!/^ok: .*matches the log\n?$/.test(out)) await sleep(50);
  }
  assert.match(out, new RegExp(`^ok: ${A.tree_size + 1} leaves and \\d+ signed tree heads verified; the published tree head \\(size ${A.tree_size}\\) matches the log\\n?$`), out);
  const B = (await anon.get('/api/v1/public/audit/sth')).data;
  assert.equal(B.tree_size, A.tree_size + 1);
  const pub = (await anon.get('/api/v1/audit/public-key')).data.public_key;
  assert.ok(signed(B, pub));
  assert.ok(mth(await leafHashes(anon, B.tree_size)).equals(Buffer.from(B.root_hash, 'hex')), 'B covers the leaf');
  await srv.stop();
});

test('three servers on one database, written to at once, sign heads of one tree', { timeout: 120000 }, async () => {
  const first = new Server({ args: ['--audit-merge-delay', '40'] });
  servers.push(first);
  await first.start();
  for (let i = 0; i < 2; i++) {
    const s = new Server({ db: first.db, args: ['--audit-merge-delay', '40'] });
    s.keys = first.keys;
    servers.push(s);
    await s.start();
  }
  const trio = servers.slice(-3);
  first.addUser('fork.admin', 'admin', '330302');
  const token = first.token('fork.admin', 'writer', true);
  const clients = trio.map((s) => { const c = new Client(s.url); c.bearer = token; return c; });
  // 3 × 8 writers × 8 writes, each through one process, all at once.
  await Promise.all(clients.flatMap((c, k) => Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; i < 8; i++) {
      const r = await c.post('/api/v1/tokens', { name: `f-${k}-${w}-${i}`, days: 1 });
      assert.equal(r.status, 201, JSON.stringify(r.data));
    }
  })));
  await sleep(200); // two merge delays: every signer has signed by now
  const anon = new Client(first.url);
  const heads = await allHeads(anon); // reading the list signs nothing new: all is signed already
  const pub = (await anon.get('/api/v1/audit/public-key')).data.public_key;
  const last = heads.at(-1);
  const leaves = await leafHashes(anon, last.tree_size);
  assert.ok(heads.length > 1, `${heads.length} heads`);
  const sizes = heads.map((h) => h.tree_size);
  assert.ok(sizes.every((n, i) => i === 0 || n > sizes[i - 1]), `one head per size, ascending: ${sizes}`);
  for (const h of heads) {
    assert.ok(signed(h, pub), `head ${h.tree_size} is signed by the published key`);
    assert.ok(mth(leaves.slice(0, h.tree_size)).equals(Buffer.from(h.root_hash, 'hex')), `head ${h.tree_size} is of the one tree`);
  }
  // Every process serves the same latest head, and the database verifies against it.
  for (const s of trio) assert.deepEqual((await new Client(s.url).get('/api/v1/public/audit/sth')).data, last);
  const f = path.join(first.dir, 'last.json');
  writeFileSync(f, JSON.stringify(last));
  assert.match(verifyOut(first, f), /^ok: /);
  for (const s of trio) await s.stop();
});
