// Arrival-order service (serve --dispatch queue, the default on PostgreSQL, asked for here on both engines;
// docs/benchmarks.md, "Arrival order"): one
// polling thread reads every connection and hands complete requests to one FIFO served by the --threads
// workers, so a request waits only for those that arrived before it, whichever connection they came on.
// Under --dispatch inline each pool thread owned the connections it accepted: a fast request waited
// behind a slow one of its thread while another thread was idle. The first test fails for a queue that
// does not hand the fast reads to the free worker; under YIJIAN_DISPATCH=inline it fails only when
// libmicrohttpd happens to accept the fast reads' connections on the sign-in's thread (7 of 7 on a loaded
// machine, none on an idle one), so it shows the old behaviour without proving it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Server, PASSWORD, freePort } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cleanups = [];
after(async () => { for (const f of cleanups.reverse()) await f(); });

const MODE = ['--dispatch', process.env.YIJIAN_DISPATCH || 'queue'];
async function server(args) {
  const s = new Server({ args: [...MODE, ...args] });
  await s.start();
  cleanups.push(async () => { await s.stop(); s.cleanup(); });
  return s;
}

// A kept-alive connection of our own (fetch's pool would choose connections for us): send() writes one
// request and resolves with its status and the time it was answered once the whole body is in.
function connection(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' }, () => resolve(conn));
    sock.on('error', reject);
    let buf = Buffer.alloc(0), waiting = null;
    // closed by the server with a request unanswered: status 0 (the test fails rather than waits forever)
    sock.on('close', () => { const w = waiting; waiting = null; w?.({ status: 0, at: performance.now() }); });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0 || !waiting) return;
      const head = buf.subarray(0, end).toString();
      const len = Number((/content-length:\s*(\d+)/i.exec(head) || [0, 0])[1]);
      if (buf.length < end + 4 + len) return;
      buf = buf.subarray(end + 4 + len);
      const w = waiting;
      waiting = null;
      w({ status: Number(head.split(' ')[1]), at: performance.now() });
    });
    const conn = {
      send(method, target, body = '') {
        return new Promise((res) => {
          waiting = res;
          sock.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        });
      },
      close() { sock.destroy(); },
    };
  });
}

const signIn = JSON.stringify({ username: 'slow', password: PASSWORD });

test('a fast request is not held behind a slow one of another connection while a worker is free', async () => {
  const s = await server(['--threads', '2']);
  s.addUser('slow', 'leader', '330000');
  // Eight kept-alive connections, each answered once: under --dispatch inline each now belongs to one of
  // the two pool threads; in queue mode none belongs to a worker.
  const conns = await Promise.all(Array.from({ length: 8 }, () => connection(s.port)));
  for (const c of conns) await c.send('GET', '/api/v1/regions?limit=1');
  // A sign-in (argon2id) keeps one handler busy; the other seven connections then each send a fast read.
  const t0 = performance.now();
  // (argon2id's interactive cost takes tens of milliseconds even on a fast idle core: the reads come well within it.)
  const slow = conns[0].send('POST', '/api/v1/session', signIn);
  await sleep(5);
  const fast = await Promise.all(conns.slice(1).map((c) => c.send('GET', '/api/v1/regions?limit=1')));
  const slowDone = await slow;
  assert.equal(slowDone.status, 200);
  const slowMs = slowDone.at - t0;
  const fastMs = fast.map((f) => f.at - t0 - 5);
  assert.deepEqual(fast.map((f) => f.status), Array(7).fill(401));
  // Each fast read ran on the free worker: none waited for the sign-in to finish.
  const held = fast.filter((f) => f.at >= slowDone.at - 2);
  assert.equal(held.length, 0, `${held.length} of 7 fast reads were answered only after the sign-in ` +
    `(sign-in ${slowMs.toFixed(1)} ms; fast reads ${fastMs.map((m) => m.toFixed(1)).join(', ')} ms)`);
  for (const c of conns) c.close();
});

test('with one worker, requests from different connections run in the order they arrived', async () => {
  const s = await server(['--threads', '1']);
  s.addUser('slow', 'leader', '330000');
  const [busy, a, b, c] = await Promise.all(Array.from({ length: 4 }, () => connection(s.port)));
  const order = [];
  const track = (name, p) => p.then((r) => { order.push(name); return r; });
  const all = [track('busy', busy.send('POST', '/api/v1/session', signIn))];
  await sleep(20);
  all.push(track('slow 1', a.send('POST', '/api/v1/session', signIn)));
  await sleep(20);
  all.push(track('fast', b.send('GET', '/api/v1/regions?limit=1')));
  await sleep(20);
  all.push(track('slow 2', c.send('POST', '/api/v1/session', signIn)));
  const res = await Promise.all(all);
  assert.deepEqual(res.map((r) => r.status), [200, 200, 401, 200]);
  assert.deepEqual(order, ['busy', 'slow 1', 'fast', 'slow 2']);
  for (const x of [busy, a, b, c]) x.close();
});

// A server with one worker and an operator listener (/metrics), and n sign-ins (argon2id each) sent to it at once,
// each on a connection of its own: the first runs, the rest queue.
async function queuedSignIns(n) {
  const op = await freePort();
  const s = new Server({ args: [...MODE, '--threads', '1', '--operator-listen', `127.0.0.1:${op}`] });
  await s.start();
  cleanups.push(async () => s.cleanup());
  s.addUser('slow', 'leader', '330000');
  const conns = await Promise.all(Array.from({ length: n }, () => connection(s.port)));
  const pending = conns.map((c) => c.send('POST', '/api/v1/session', signIn));
  return { s, op, conns, pending };
}

test('queued requests are answered through a graceful stop; /metrics shows the queue and the threads', async () => {
  const { s, op, conns, pending } = await queuedSignIns(4);
  await sleep(30);
  const metrics = await (await fetch(`http://127.0.0.1:${op}/metrics`)).text();
  if (process.env.YIJIAN_DISPATCH !== 'inline') {
    assert.match(metrics, /^yijian_http_queue_wait_seconds_count [1-9]/m);
    assert.match(metrics, /^yijian_http_queue_depth_max [1-9]/m);
  }
  assert.match(metrics, /^yijian_http_thread_busy_seconds_total\{thread="0"\} /m);
  // SIGTERM with sign-ins still queued: each is answered, and serve exits 0 (stop() checks).
  s.proc.kill('SIGTERM');
  assert.deepEqual((await Promise.all(pending)).map((r) => r.status), [200, 200, 200, 200]);
  await s.stop();
  for (const c of conns) c.close();
});

test('a queue that outlasts the stop\'s wait for in-flight requests is answered to its last request', async () => {
  // One worker, 40 sign-ins (argon2id each) read and queued, then SIGTERM: the stop waits 3 s for requests
  // in flight, the worker then runs the rest, and each answer is written before the connections close.
  const { s, op, conns, pending } = await queuedSignIns(40);
  // until the server has read all 40 (the one running and those queued are in flight)
  for (let i = 0; ; i++) {
    const m = await (await fetch(`http://127.0.0.1:${op}/metrics`)).text();
    const n = Number(/^yijian_http_in_flight (\d+)/m.exec(m)?.[1]);
    if (n >= 40) break;
    assert.ok(i < 600, `the server read ${n} of 40 requests in 30 s`);
    await sleep(50);
  }
  const t0 = performance.now();
  s.proc.kill('SIGTERM');
  const got = await Promise.all(pending);
  const unanswered = got.filter((r) => r.status !== 200).length;
  assert.equal(unanswered, 0, `${unanswered} of 40 requests unanswered; the last answer came ${(Math.max(...got.map((r) => r.at)) - t0).toFixed(0)} ms after SIGTERM`);
  await s.stop();
  for (const c of conns) c.close();
});
