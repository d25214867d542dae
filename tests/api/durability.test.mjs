// An acknowledged write is never lost: SIGKILL the server during 1,000 concurrent writes, restart,
// and every write that got a 2xx is there; the audit log still verifies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, cli } from './harness.mjs';

let srv;
after(async () => { if (srv) { await srv.stop(); srv.cleanup(); } });

test('SIGKILL during 1,000 concurrent writes loses no acknowledged write', { timeout: 240000 }, async () => {
  srv = new Server();
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
