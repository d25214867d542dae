// The main listener's connection accounting and port: a read whose client has closed the connection is
// dropped unanswered, so its slot (and its per-address count) is released at once instead of after the
// worker thread ran it (docs/benchmarks.md: "Server reached connection limit" after 64-connection runs);
// a second `serve` on a taken port fails with a clear message unless every process asks for sharing
// with --reuse-port (docs/operations.md).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Server, BIN, PASSWORD, freePort } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cleanups = [];
after(async () => { for (const f of cleanups.reverse()) await f(); });

async function server(args, port) {
  const s = new Server({ args });
  if (port) s.port = port;
  await s.start();
  cleanups.push(async () => { await s.stop(); s.cleanup(); });
  return s;
}

const metric = (text, name) => {
  const m = new RegExp(`^${name.replace(/[{}"=,/?]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

test('reads whose client has gone are not run: the one worker thread moves on and their slots are released', async () => {
  const op = await freePort();
  const s = await server(['--threads', '1', '--operator-listen', `127.0.0.1:${op}`]);
  s.addUser('busy', 'leader', '330000');
  // Keep the only worker thread busy: sign-ins hash the password (argon2id), one after another.
  const signins = Array.from({ length: 4 }, () => fetch(`${s.url}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'busy', password: PASSWORD }),
  }).then((r) => r.status));
  await sleep(50);
  // 20 clients send a read and leave before it is answered (as wrk does at the end of a run).
  const N = 20;
  await Promise.all(Array.from({ length: N }, () => new Promise((resolve) => {
    const c = net.connect({ port: s.port, host: '127.0.0.1' }, () => {
      c.end('GET /api/v1/regions?limit=20 HTTP/1.1\r\nHost: x\r\n\r\n', () => { c.destroy(); resolve(); });
    });
    c.on('error', resolve);
  })));
  assert.deepEqual(await Promise.all(signins), [200, 200, 200, 200]);
  // The thread is free again: every abandoned connection is gone without its read having run.
  let text = '';
  for (let i = 0; i < 100; i++) {
    text = await (await fetch(`http://127.0.0.1:${op}/metrics`)).text();
    if (metric(text, 'yijian_http_in_flight') <= 1) break; // the /metrics request itself
    await sleep(50);
  }
  const ran = metric(text, 'yijian_http_requests_total{method="GET",route="/api/v1/regions",status="401"}');
  assert.equal(ran, 0, `${ran} of ${N} abandoned reads were run`);
  assert.ok(metric(text, 'yijian_http_abandoned_total') >= 1, text.split('\n').filter((l) => /abandoned|in_flight/.test(l)).join('\n'));
  assert.equal(metric(text, 'yijian_http_in_flight'), 1);
  // And a client that stays is answered.
  assert.equal((await fetch(`${s.url}/api/v1/regions?limit=20`)).status, 401);
});

test('a second serve on a taken port fails with a clear message; --reuse-port on both shares it on purpose', async () => {
  const a = await server([]);
  const dir = path.join(a.dir, 'second');
  const second = spawnSync(BIN, ['serve', '--db', `sqlite:${dir}.db`, '--keys', `${dir}.keys`, '--listen', `127.0.0.1:${a.port}`,
    '--web', '', '--operator-listen', ''], { encoding: 'utf8', timeout: 15000 });
  assert.equal(second.status, 1, second.stderr);
  assert.match(second.stderr, /cannot listen on 127\.0\.0\.1:\d+: the port is in use .*--reuse-port/);
  assert.equal((await fetch(`${a.url}/healthz`)).status, 200);

  const port = await freePort();
  const b = await server(['--reuse-port', '--operator-listen', ''], port);
  const c = await server(['--reuse-port', '--operator-listen', ''], port);
  assert.equal((await fetch(`${b.url}/healthz`)).status, 200);
  assert.equal(c.port, b.port);
  // Without the flag a third process is refused even though the two share the port.
  const third = spawnSync(BIN, ['serve', '--db', `sqlite:${dir}3.db`, '--keys', `${dir}3.keys`, '--listen', `127.0.0.1:${port}`,
    '--web', '', '--operator-listen', ''], { encoding: 'utf8', timeout: 15000 });
  assert.equal(third.status, 1, third.stderr);
});
