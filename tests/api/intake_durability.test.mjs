// The public intake commits in groups (store_tx_group: many requests, one transaction, one synced
// commit), and still no acknowledged complaint is lost: SIGKILL the server while 600 complaints are
// posted at once, restart, and every tracking code that was answered 201 is found; the audit log
// verifies. On SQLite a second run also drops every write that was not synced (powercut.c). A group
// holding refused members commits the others, and the refused change nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Server, Client, cli, freePort } from './harness.mjs';
import { SHIM, shimEnv, cutPower } from './powercut.mjs';

const servers = [];
after(async () => {
  const failed = [];
  for (const s of servers) { await s.stop().catch((e) => failed.push(e)); s.cleanup(); }
  if (failed.length) throw failed[0];
});

const form = (i) => ({
  category: 'medical_service', title: `收费问题 ${i}`, region_code: '330302', subject_name: '鹿城某某诊所',
  content: `第 ${i} 件：缴费后医生未接诊，工作人员拒绝退费。`, anonymous: true,
});
const ENV = { YIJIAN_COMPLAINTS_PER_ADDRESS: '0' }; // one address posts them all

async function verifyLog(srv) {
  const sth = await (await fetch(srv.url + '/api/v1/audit/sth')).json();
  const f = path.join(srv.dir, 'sth.json');
  writeFileSync(f, JSON.stringify(sth));
  await srv.stop();
  assert.match(cli(['audit', 'verify', '--sth', f], { db: srv.db, keys: srv.keys }), /ok/i);
}

async function missing(srv, codes) {
  const c = new Client(srv.url);
  const lost = [];
  for (const code of codes) {
    const r = await c.get(`/api/v1/public/complaints/${code}`);
    if (r.status !== 200) lost.push(`${code}: ${r.status}`);
  }
  return lost;
}

test('SIGKILL during 600 concurrent intakes loses no acknowledged tracking code', { timeout: 120000 }, async () => {
  const srv = new Server({ args: ['--max-connections-per-address', '0', '--threads', '32'], env: ENV });
  servers.push(srv);
  await srv.start();
  const c = new Client(srv.url);
  const acked = [];
  let failed = 0, killed = null;
  await Promise.all(Array.from({ length: 600 }, (_, i) => c.post('/api/v1/public/complaints', form(i))
    .then((r) => {
      if (r.status === 201) acked.push(r.data.tracking_code);
      else failed++;
      if (!killed && acked.length >= 150) killed = srv.stop({ signal: 'SIGKILL', expectKill: true });
    })
    .catch(() => { failed++; })));
  assert.ok(killed, 'the server was killed mid-run');
  await killed;
  assert.ok(failed > 0, 'some intakes were cut off by the kill');
  await srv.start();
  assert.deepEqual(await missing(srv, acked), [], `acknowledged complaints lost after SIGKILL (of ${acked.length})`);
  await verifyLog(srv);
});

test('power loss during concurrent intakes loses no acknowledged tracking code (SQLite: unsynced writes undone)', {
  timeout: 120000,
  skip: process.env.YJ_TEST_DB ? 'SQLite only: PostgreSQL syncs its own WAL, and the test cluster runs with fsync=off' : false,
}, async (t) => {
  assert.ok(existsSync(SHIM), `the power-cut shim ${SHIM} is built with the binary (cmake --build)`);
  const cut = new Server({ args: ['--threads', '32'] });
  servers.push(cut);
  const dbFile = cut.db.replace(/^sqlite:/, '');
  cut.env = ENV;
  await cut.start(); // migrate before the shim watches the files
  await cut.stop();
  execFileSync('sqlite3', [dbFile, 'PRAGMA wal_checkpoint(TRUNCATE)'], { encoding: 'utf8' });
  cut.env = { ...ENV, ...shimEnv(dbFile) };
  await cut.start();
  const c = new Client(cut.url);
  // 32 writers, each waiting for its answer, so groups form; the cut comes about 100 intakes in.
  const acked = [];
  let killed = null;
  const writer = async (w) => {
    for (let i = 0; !killed && i < 50; i++) {
      let r;
      try { r = await c.post('/api/v1/public/complaints', form(w * 100 + i)); } catch { return; }
      if (r.status === 201) acked.push(r.data.tracking_code);
      if (!killed && acked.length >= 100) killed = cut.stop({ signal: 'SIGKILL', expectKill: true });
    }
  };
  await Promise.all(Array.from({ length: 32 }, (_, w) => writer(w)));
  assert.ok(killed, 'the server was killed mid-run');
  await killed;
  const undone = cutPower(dbFile);
  t.diagnostic(`undone after the cut: ${JSON.stringify(undone)}`);
  cut.env = ENV;
  await cut.start();
  assert.deepEqual(await missing(cut, acked), [], `acknowledged complaints lost to the power cut (of ${acked.length})`);
  await verifyLog(cut);
});

test('refused intakes in a group change nothing and the others commit', { timeout: 60000 }, async () => {
  const op = await freePort();
  const srv = new Server({ args: ['--threads', '32', '--operator-listen', `127.0.0.1:${op}`], env: ENV });
  servers.push(srv);
  await srv.start();
  const c = new Client(srv.url);
  const before = (await (await fetch(srv.url + '/api/v1/audit/sth')).json()).tree_size;
  const res = await Promise.all(Array.from({ length: 120 }, (_, i) =>
    c.post('/api/v1/public/complaints', i % 3 ? form(i) : { ...form(i), category: 'nope' })));
  const good = res.filter((r, i) => i % 3), bad = res.filter((r, i) => !(i % 3));
  assert.deepEqual(good.map((r) => r.status), good.map(() => 201));
  assert.deepEqual(bad.map((r) => r.status), bad.map(() => 422));
  const codes = good.map((r) => r.data.tracking_code);
  assert.equal(new Set(codes).size, 80);
  assert.deepEqual(await missing(srv, codes), []);
  // One leaf per accepted matter, none for a refused one (sizes read after the signer caught up).
  const grown = (await (await fetch(srv.url + '/api/v1/audit/sth')).json()).tree_size - before;
  assert.equal(grown % 80, 0, `the log grew by ${grown} leaves for 80 matters`);
  assert.ok(grown > 0);
  // The 120 concurrent requests did share commits (else this test would not exercise the groups).
  const metrics = await (await fetch(`http://127.0.0.1:${op}/metrics`)).text();
  const groups = Number(metrics.match(/^yijian_store_groups_total (\d+)$/m)?.[1]);
  assert.ok(groups > 0, `commit groups formed: ${groups}`);
  await verifyLog(srv);
});
