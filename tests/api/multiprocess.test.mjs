// Several processes on one database (issue 15 item 4): three `yijian serve` behind a small round-robin front
// (this file's proxy, standing in for nginx), one database (PostgreSQL under YJ_TEST_DB, as a province runs
// it; a shared SQLite file otherwise). A session signed in through the front is valid on every process;
// concurrent writes go through all three while one process is killed with SIGKILL mid-burst; every write
// the front acknowledged (201) is present afterwards, read through each survivor, and none twice.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Server, Client } from './harness.mjs';

const servers = [];
let front;
after(async () => {
  front?.close();
  for (const s of servers) await (s.killed ? s.stop({ signal: 'SIGKILL', expectKill: true }) : s.stop());
  for (const s of servers) s.cleanup();
});

// Round-robin, one upstream attempt per request: a request whose process dies answers 502, so the client
// never takes it for acknowledged (a write that committed but whose answer was lost is allowed to exist).
function roundRobin(ports) {
  let next = 0;
  const srv = http.createServer((req, res) => {
    const port = ports[next++ % ports.length];
    const up = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: false }, (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream failed');
    });
    req.pipe(up);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

test('three processes behind a round-robin front: sessions everywhere, no acknowledged write lost to a SIGKILL', async () => {
  const first = new Server();
  servers.push(first);
  await first.start();
  for (let i = 0; i < 2; i++) {
    const s = new Server({ db: first.db });
    s.keys = first.keys;
    servers.push(s);
    await s.start();
  }
  first.addUser('multi.admin', 'admin', '330000');
  front = await roundRobin(servers.map((s) => s.port));
  const base = `http://127.0.0.1:${front.address().port}`;
  const c = new Client(base);
  assert.equal((await c.signIn('multi.admin')).status, 200);

  // The session works on every process, directly and through the front.
  for (const s of servers) {
    const d = new Client(s.url);
    d.cookie = c.cookie;
    assert.equal((await d.get('/api/v1/session')).status, 200, s.url);
  }
  for (let i = 0; i < 6; i++) assert.equal((await c.get('/api/v1/session')).status, 200);

  // The burst: 120 writes, 8 at a time; the second process dies with SIGKILL after the 30th is sent.
  const victim = servers[1];
  const acked = [];
  const failed = [];
  let sent = 0;
  const total = 120;
  async function worker() {
    while (sent < total) {
      const n = sent++;
      if (n === 30) {
        victim.killed = true;
        victim.proc.kill('SIGKILL');
      }
      const name = `burst-${n}`;
      const r = await c.post('/api/v1/tokens', { name, scopes: 'read' });
      if (r.status === 201) acked.push(name);
      else failed.push([name, r.status]);
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));
  await victim.exited;
  // Only the dead process's share may fail, and only as 502 from the front.
  for (const [, status] of failed) assert.equal(status, 502);
  assert.ok(failed.length > 0, 'the kill hit the burst');
  assert.ok(acked.length >= total - failed.length && acked.length > 60, `${acked.length} acknowledged`);

  // Every acknowledged write is there, once, read through each survivor.
  for (const s of servers.filter((x) => x !== victim)) {
    const d = new Client(s.url);
    d.cookie = c.cookie;
    const list = await d.get('/api/v1/tokens');
    assert.equal(list.status, 200);
    const names = list.data.items.map((t) => t.name);
    for (const name of acked) assert.equal(names.filter((x) => x === name).length, 1, `${name} on ${s.url}`);
  }
});
