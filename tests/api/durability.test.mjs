// An acknowledged write is never lost: SIGKILL the server during 1,000 concurrent writes, restart,
// and every write that got a 2xx is there; the audit log still verifies. A kill leaves the page
// cache, so the second test also drops every write that was not synced (powercut.c), as power
// loss does, before the restart.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Server, Client, cli } from './harness.mjs';
import { SHIM, shimEnv, cutPower } from './powercut.mjs';

let srv, cut;
after(async () => {
  const failed = [];
  for (const s of [srv, cut]) if (s) { await s.stop().catch((e) => failed.push(e)); s.cleanup(); }
  if (failed.length) throw failed[0];
});

test('SIGKILL during 1,000 concurrent writes loses no acknowledged write', { timeout: 240000 }, async () => {
  // 1,000 connections from one address: lift the per-address limit (default 128) for this load.
  srv = new Server({ args: ['--max-connections-per-address', '0'] });
  await srv.start();
  srv.addUser('dur.admin', 'admin', '330302');
  const token = srv.token('dur.admin', 'writer', true);
  const c = new Client(srv.url);
  c.bearer = token;

  const acked = new Set();
  let failed = 0;
  let killed = null;
  const writes = [];
  for (let i = 0; i < 1000; i++) {
    writes.push(c.post('/api/v1/tokens', { name: `w-${i}`, days: 1 })
      .then((r) => {
        if (r.status === 201) acked.add(`w-${i}`);
        else failed++;
        if (!killed && acked.size >= 250) killed = srv.stop({ signal: 'SIGKILL', expectKill: true });
      })
      .catch(() => { failed++; }));
  }
  await Promise.all(writes);
  assert.ok(killed, 'the server was killed mid-run');
  await killed;
  assert.ok(acked.size >= 250, `acknowledged ${acked.size}`);
  assert.ok(failed > 0, 'some writes were cut off by the kill');

  await srv.start();
  const after = new Client(srv.url);
  after.bearer = token;
  const list = await after.get('/api/v1/tokens');
  assert.equal(list.status, 200);
  const present = new Set(list.data.items.map((t) => t.name));
  const lost = [...acked].filter((n) => !present.has(n));
  assert.deepEqual(lost, [], `acknowledged writes lost after SIGKILL: ${lost.length}`);

  // The log survived the kill too: the current head verifies.
  const sth = await (await fetch(srv.url + '/api/v1/audit/sth')).json();
  const f = path.join(srv.dir, 'sth.json');
  writeFileSync(f, JSON.stringify(sth));
  await srv.stop();
  const out = cli(['audit', 'verify', '--sth', f], { db: srv.db, keys: srv.keys });
  assert.match(out, /ok/i);
});

test('power loss during concurrent writes loses no acknowledged write (SQLite: unsynced writes undone)', {
  timeout: 240000,
  skip: process.env.YJ_TEST_DB ? 'SQLite only: PostgreSQL syncs its own WAL, and the test cluster runs with fsync=off' : false,
}, async (t) => {
  assert.ok(existsSync(SHIM), `the power-cut shim ${SHIM} is built with the binary (cmake --build)`);
  cut = new Server();
  const dbFile = cut.db.replace(/^sqlite:/, '');
  // Accounts are made before the shim watches the files, so every write it sees is the server's.
  cut.addUser('pc.admin', 'admin', '330302');
  const token = cut.token('pc.admin', 'writer', true);
  // Start from an empty WAL, as a server does most of the time: a WAL already past the
  // autocheckpoint size is synced by the checkpoint tried after every commit, whatever the setting.
  execFileSync('sqlite3', [dbFile, 'PRAGMA wal_checkpoint(TRUNCATE)'], { encoding: 'utf8' });
  cut.env = shimEnv(dbFile);
  await cut.start();
  const c = new Client(cut.url);
  c.bearer = token;
  // Eight writers, each waiting for its answer: the cut comes about 40 commits in, well before the
  // WAL reaches the autocheckpoint size (so no checkpoint syncs it for the server).
  const acked = new Set();
  let killed = null;
  const writer = async (w) => {
    for (let i = 0; !killed && i < 100; i++) {
      let r;
      try { r = await c.post('/api/v1/tokens', { name: `p-${w}-${i}`, days: 1 }); } catch { return; }
      if (r.status === 201) acked.add(`p-${w}-${i}`);
      if (!killed && acked.size >= 40) killed = cut.stop({ signal: 'SIGKILL', expectKill: true });
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
  assert.ok(killed, 'the server was killed mid-run');
  await killed;
  const undone = cutPower(dbFile);
  t.diagnostic(`undone after the cut: ${JSON.stringify(undone)}`);
  assert.ok(undone[dbFile + '-wal'], 'the shim saw the WAL being written');

  cut.env = {};
  await cut.start();
  const after = new Client(cut.url);
  after.bearer = token;
  const list = await after.get('/api/v1/tokens');
  assert.equal(list.status, 200);
  const present = new Set(list.data.items.map((x) => x.name));
  const lost = [...acked].filter((n) => !present.has(n));
  assert.deepEqual(lost, [], `acknowledged writes lost to the power cut: ${lost.length} of ${acked.size}`);
  const sth = await (await fetch(cut.url + '/api/v1/audit/sth')).json();
  const f = path.join(cut.dir, 'sth.json');
  writeFileSync(f, JSON.stringify(sth));
  await cut.stop();
  assert.match(cli(['audit', 'verify', '--sth', f], { db: cut.db, keys: cut.keys }), /ok/i);
});
