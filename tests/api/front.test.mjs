// The front door under slow and greedy clients: the per-address connection limit, the operator
// listener (/healthz, /metrics) that answers while the main one is full, what the idle timeout does and
// does not do, secure cookies for an https public URL, X-Real-IP from a trusted proxy only, and nginx
// from Debian in front with deploy/nginx/yijian.conf: a bounded slowloris cut at client_header_timeout,
// and 414/431/413 answered as problem+json. nginx runs in the foreground on free ports with a config
// generated in a temp dir around the tree's file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Server, Client, BIN, PASSWORD, freePort, isProblem } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const cleanups = [];
after(async () => { for (const f of cleanups.reverse()) await f(); });

async function server(args) {
  const s = new Server({ args });
  await s.start();
  cleanups.push(async () => { await s.stop(); s.cleanup(); });
  return s;
}

async function withOperator(args = []) {
  const op = await freePort();
  const s = await server(['--operator-listen', `127.0.0.1:${op}`, ...args]);
  s.opUrl = `http://127.0.0.1:${op}`;
  return s;
}

// One GET on a fresh connection (no pooled socket), from a chosen local address: its status, or
// 'closed' when the server shut the connection without an answer, or 'timeout'.
function get(url, { localAddress, timeout = 3000, headers = {} } = {}) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, localAddress, timeout, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'] ?? '', body }));
    });
    req.on('timeout', () => { req.destroy(); resolve({ status: 'timeout' }); });
    req.on('error', () => resolve({ status: 'closed' }));
  });
}

// Opens n sockets from localAddress that each send a request line and then one header line every
// `every` ms, never finishing the header. Returns their records ({opened, closedAt}) and a stop().
function trickle(port, n, { localAddress = '127.0.0.1', every = 2000 } = {}) {
  const t0 = Date.now();
  const socks = [];
  for (let i = 0; i < n; i++) {
    const rec = { closedAt: null, timer: null };
    rec.s = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
      rec.s.write('GET /healthz HTTP/1.1\r\nHost: yijian\r\n');
      rec.timer = setInterval(() => rec.s.write(`X-Trickle-${Date.now() % 1000}: a\r\n`), every);
    });
    rec.s.on('error', () => {});
    rec.s.on('close', () => { rec.closedAt = Date.now() - t0; clearInterval(rec.timer); });
    socks.push(rec);
  }
  return {
    socks,
    open: () => socks.filter((r) => r.closedAt === null).length,
    stop: () => { for (const r of socks) { clearInterval(r.timer); r.s.destroy(); } },
  };
}

// Idle sockets: connected, nothing sent.
async function idle(port, n, localAddress = '127.0.0.1') {
  const socks = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.on('error', () => {});
    await new Promise((r) => { s.on('connect', r); s.on('close', r); });
    socks.push(s);
  }
  cleanups.push(() => { for (const s of socks) s.destroy(); });
  return socks;
}

test('one address cannot take every connection: the per-address limit refuses the one too many', async () => {
  const s = await server(['--max-connections-per-address', '4']);
  await idle(s.port, 4, '127.0.0.2');
  assert.equal((await get(s.url + '/healthz', { localAddress: '127.0.0.2' })).status, 'closed',
    'a fifth connection from the same address is closed unanswered');
  assert.equal((await get(s.url + '/healthz', { localAddress: '127.0.0.3' })).status, 200, 'another address is served');
});

test('the per-address limit is on by default at 128 connections', async () => {
  // More connection slots than the default, so the 128 held ones cannot fill a worker thread's share.
  const s = await server(['--max-connections', '4096']);
  await idle(s.port, 128, '127.0.0.4');
  assert.equal((await get(s.url + '/healthz', { localAddress: '127.0.0.4' })).status, 'closed');
  assert.equal((await get(s.url + '/healthz', { localAddress: '127.0.0.5' })).status, 200);
});

test('/metrics: an administrator on the public listener, anyone on the operator listener; it serves nothing else', async () => {
  const s = await withOperator();
  s.addUser('front.admin', 'admin', '330300');
  s.addUser('front.leader', 'leader', '330300');
  const anon = await new Client(s.url).get('/metrics');
  isProblem(assert, anon, 401);
  const leader = new Client(s.url);
  await leader.signIn('front.leader');
  isProblem(assert, await leader.get('/metrics'), 403);
  const prom = new Client(s.url);
  prom.bearer = s.token('front.admin', 'prometheus');
  const viaToken = await prom.get('/metrics');
  assert.equal(viaToken.status, 200);
  assert.match(viaToken.data.toString(), /yijian_http_requests_total/);

  const op = await get(s.opUrl + '/metrics');
  assert.equal(op.status, 200);
  assert.match(op.body, /yijian_store_connections/);
  const health = await get(s.opUrl + '/healthz');
  assert.equal(health.status, 200);
  assert.equal(JSON.parse(health.body).status, 'ok');
  const other = await new Client(s.opUrl).get('/api/v1/regions');
  isProblem(assert, other, 404);
  const post = await new Client(s.opUrl).req('POST', '/healthz', '{}');
  isProblem(assert, post, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
});

test('the operator listener defaults to PORT+1; a taken default is skipped with a warning, a taken explicit address stops the start', async () => {
  // Find a port whose successor is free, hold the successor, start yijian on the port.
  let port, holder;
  for (let i = 0; i < 20 && !holder; i++) {
    port = await freePort();
    holder = await new Promise((resolve) => {
      const h = net.createServer().listen(port + 1, '127.0.0.1', () => resolve(h)).on('error', () => resolve(null));
    });
  }
  assert.ok(holder);
  cleanups.push(() => new Promise((r) => holder.close(r)));
  const s = new Server();
  s.port = port;
  await s.start();
  cleanups.push(async () => { await s.stop(); s.cleanup(); });
  assert.match(s.logs, /"msg":"serve\.operator_off"/);
  assert.match(s.logs, /operator listener: none/);

  // With PORT+1 free the default takes it. Other suites start servers meanwhile and may take PORT+1
  // between our probe and the start: then that start is the skipped case again, and we try another port.
  let free;
  for (let i = 0; i < 5; i++) {
    const p = await freePort();
    const probe = await new Promise((resolve) => {
      const h = net.createServer().listen(p + 1, '127.0.0.1', () => h.close(() => resolve(true))).on('error', () => resolve(false));
    });
    if (!probe) continue;
    const srv = new Server();
    srv.port = p;
    await srv.start();
    cleanups.push(async () => { await srv.stop(); srv.cleanup(); });
    if (!/"msg":"serve\.operator_off"/.test(srv.logs)) { free = srv; break; }
  }
  assert.ok(free, 'a port with a free successor');
  assert.match(free.logs, new RegExp(`operator listener: 127\\.0\\.0\\.1:${free.port + 1}`));
  assert.equal((await get(`http://127.0.0.1:${free.port + 1}/metrics`)).status, 200);

  // Another yijian's main listener must not be shared by an operator listener.
  const clash = spawnSync(BIN, ['serve', '--db', `sqlite:${path.join(s.dir, 'clash.db')}`, '--keys', path.join(s.dir, 'clash.keys'),
    '--listen', `127.0.0.1:${await freePort()}`, '--web', '', '--operator-listen', `127.0.0.1:${free.port}`],
  { encoding: 'utf8', timeout: 15000 });
  assert.equal(clash.status, 1, clash.stderr);
  assert.match(clash.stderr, /operator listener/);
});

test('the idle timeout closes a silent socket on time; a trickling one it cannot, and the operator listener still answers when the main one is full', async () => {
  // --max-connections 40 with 60 trickling sockets from one address: the main listener is full.
  const s = await withOperator(['--idle-timeout', '3', '--max-connections', '40', '--max-connections-per-address', '0']);
  const [quiet] = await idle(s.port, 1, '127.0.0.6');
  const quietClosed = new Promise((r) => quiet.on('close', () => r(Date.now())));
  const t0 = Date.now();
  const tr = trickle(s.port, 60, { localAddress: '127.0.0.7', every: 1000 });
  const opAnswers = [], mainAnswers = [];
  while (Date.now() - t0 < 10000) {
    opAnswers.push((await get(s.opUrl + '/healthz', { timeout: 2000 })).status);
    if (Date.now() - t0 > 1000) mainAnswers.push((await get(s.url + '/healthz', { timeout: 1000 })).status);
    await sleep(300);
  }
  const quietAt = (await quietClosed) - t0;
  assert.ok(quietAt >= 2500 && quietAt <= 5500, `silent socket closed after ${quietAt} ms (idle timeout 3 s)`);
  // libmicrohttpd 0.9.75 restarts the idle timer on every byte read (connection.c, MHD_update_last_activity_
  // after each recv): a client sending a header line every second is never cut, here past 3× the timeout.
  const stillOpen = tr.open();
  tr.stop();
  assert.ok(stillOpen >= 30, `${stillOpen} of 60 trickling sockets still open after 10 s with a 3 s idle timeout`);
  // Full: libmicrohttpd stops accepting at the connection limit, so a new connection waits in the backlog.
  assert.ok(mainAnswers.length >= 3);
  assert.deepEqual(mainAnswers.filter((x) => x === 200), [], `main /healthz while full: ${mainAnswers.join(',')}`);
  assert.ok(opAnswers.length >= 5);
  assert.deepEqual(opAnswers.filter((x) => x !== 200), [], `operator /healthz answers: ${opAnswers.join(',')}`);
});

test('an https public URL makes the session cookie Secure unless turned off', async () => {
  const cookieOf = async (args) => {
    const s = await server(args);
    s.addUser('front.cookie', 'leader', '330300');
    const r = await fetch(s.url + '/api/v1/session', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'front.cookie', password: PASSWORD }),
    });
    assert.equal(r.status, 200);
    return r.headers.get('set-cookie');
  };
  assert.match(await cookieOf(['--public-url', 'https://yijian.example.gov.cn/']), /;\s*Secure/i);
  assert.doesNotMatch(await cookieOf(['--public-url', 'https://yijian.example.gov.cn/', '--no-secure-cookies']), /Secure/i);
  assert.doesNotMatch(await cookieOf(['--public-url', 'http://127.0.0.1/']), /Secure/i);
});

test('directly: a request target or header line over 8 KiB is 414 or 431 as problem+json; past the 32 KiB of connection memory libmicrohttpd answers in HTML', async () => {
  const s = await server([]);
  const problem = (r, status) => {
    assert.equal(r.status, status, r.body);
    assert.match(r.type, /application\/problem\+json/);
    const p = JSON.parse(r.body);
    assert.equal(p.status, status);
    assert.match(p.title, /[\u4e00-\u9fa5]/);
    assert.match(p.detail, /[\u4e00-\u9fa5]/);
    return p;
  };
  problem(await get(s.url + '/api/v1/regions?q=' + 'a'.repeat(9000)), 414);
  const longPath = problem(await get(s.url + '/' + 'b'.repeat(20000)), 414);
  assert.ok(longPath.instance.length <= 200, 'the instance does not echo the whole path');
  problem(await get(s.url + '/healthz', { headers: { 'x-big': 'a'.repeat(9000) } }), 431);
  problem(await get(s.url + '/healthz', { headers: { cookie: 'yj_session=' + 'c'.repeat(9000) } }), 431);
  assert.equal((await get(s.url + '/api/v1/regions?q=' + 'a'.repeat(8000))).status, 401, 'under the limit the request goes on');
  // Evidence for docs/operations.md: beyond the connection memory the library answers itself.
  const lib = await get(s.url + '/api/v1/regions?q=' + 'a'.repeat(40000));
  assert.equal(lib.status, 414);
  assert.doesNotMatch(lib.type, /json/);
  assert.equal((await get(s.url + '/healthz')).status, 200);
});

// Fails sign-ins from X-Real-IP `addr` with unknown names until the address is locked (429).
async function lockAddress(url, addr) {
  for (let i = 0; i < 80; i++) {
    const r = await fetch(url + '/api/v1/session', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-real-ip': addr },
      body: JSON.stringify({ username: `nobody.${i}`, password: 'wrong-password-1' }),
    });
    if (r.status === 429) return true;
  }
  return false;
}

// A sign-in with the right password, X-Real-IP `addr`, sent from the local address `from`: its status.
function signInFrom(url, addr, username, from = '127.0.0.1') {
  const body = JSON.stringify({ username, password: PASSWORD });
  return new Promise((resolve, reject) => {
    const req = http.request(url + '/api/v1/session', { method: 'POST', agent: false, localAddress: from,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-real-ip': addr } },
    (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

test('X-Real-IP names the client only when it comes from the trusted proxy', async () => {
  const s = await server(['--trusted-proxy', '127.0.0.1']);
  s.addUser('front.proxied', 'leader', '330300');
  assert.ok(await lockAddress(s.url, '203.0.113.9'), 'failures from one client address lock it');
  assert.equal(await signInFrom(s.url, '203.0.113.9', 'front.proxied'), 429);
  assert.equal(await signInFrom(s.url, '203.0.113.10', 'front.proxied'), 200, 'other clients behind the proxy are not locked out');
  // From a peer that is not the proxy the header is ignored: claiming the locked address changes nothing.
  assert.equal(await signInFrom(s.url, '203.0.113.9', 'front.proxied', '127.0.0.2'), 200);
});

// nginx in the foreground with the tree's deploy/nginx/yijian.conf, listen and upstream rewritten to
// free ports, inside a minimal main config (Debian's nginx.conf is not used).
async function startNginx(upstreamPort) {
  assert.ok(existsSync(NGINX), `${NGINX} missing: scripts/setup-deps installs Debian's nginx`);
  const dir = mkdtempSync(path.join(tmpdir(), 'yijian-nginx-'));
  const port = await freePort();
  const site = readFileSync(path.join(root, 'deploy/nginx/yijian.conf'), 'utf8');
  const rewritten = site.replace('server 127.0.0.1:8080;', `server 127.0.0.1:${upstreamPort};`)
    .replace(/^\tlisten 80;$/m, `\tlisten 127.0.0.1:${port};`);
  assert.notEqual(rewritten, site);
  assert.match(rewritten, new RegExp(`listen 127\\.0\\.0\\.1:${port};`));
  writeFileSync(path.join(dir, 'site.conf'), rewritten);
  const user = process.getuid() === 0 ? 'user root;\n' : '';
  writeFileSync(path.join(dir, 'nginx.conf'), `${user}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`);
  const proc = spawn(NGINX, ['-p', dir + '/', '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let logs = '';
  proc.stderr.on('data', (d) => { logs += d; });
  const exited = new Promise((r) => proc.on('exit', r));
  cleanups.push(async () => { if (proc.exitCode === null) { proc.kill('SIGQUIT'); await exited; } rmSync(dir, { recursive: true, force: true }); });
  for (let i = 0; i < 100; i++) {
    if (typeof (await get(`http://127.0.0.1:${port}/healthz`, { timeout: 1000 })).status === 'number') return { port, url: `http://127.0.0.1:${port}` };
    await sleep(50);
  }
  throw new Error('nginx did not start:\n' + logs + (existsSync(`${dir}/error.log`) ? readFileSync(`${dir}/error.log`, 'utf8') : ''));
}

test('behind nginx: a slowloris of 300 sockets is cut by client_header_timeout while /healthz keeps answering', { timeout: 50000 }, async () => {
  const s = await withOperator(['--max-connections-per-address', '0', '--trusted-proxy', '127.0.0.1']);
  const ng = await startNginx(s.port);
  const t0 = Date.now();
  const tr = trickle(ng.port, 300, { localAddress: '127.0.0.8', every: 2000 });
  const viaNginx = [], viaOperator = [];
  while (Date.now() - t0 < 14000) {
    viaNginx.push((await get(ng.url + '/healthz', { timeout: 2000 })).status);
    viaOperator.push((await get(s.opUrl + '/healthz', { timeout: 2000 })).status);
    await sleep(400);
  }
  const left = tr.open();
  const closedAt = tr.socks.map((r) => r.closedAt).filter((x) => x !== null).sort((a, b) => a - b);
  tr.stop();
  // Every trickling socket sent a header line every 2 s, so none was idle: nginx closed them at its
  // 10 s header deadline (timer slack allowed), not at some idle timeout.
  assert.equal(left, 0, `${left} of 300 trickling sockets still open after 14 s`);
  assert.equal(closedAt.length, 300);
  assert.ok(closedAt[0] >= 9000, `first trickling socket closed at ${closedAt[0]} ms, before the 10 s deadline`);
  assert.ok(closedAt[299] <= 13500, `last trickling socket closed at ${closedAt[299]} ms`);
  assert.ok(viaNginx.length >= 15);
  assert.deepEqual(viaNginx.filter((x) => x !== 200), [], `/healthz through nginx: ${viaNginx.join(',')}`);
  assert.deepEqual(viaOperator.filter((x) => x !== 200), [], `/healthz on the operator listener: ${viaOperator.join(',')}`);
});

test('behind nginx: 414, 431, 413 and a bad request are problem+json in Chinese; yijian\'s own problems pass unchanged', async () => {
  const s = await server(['--max-connections-per-address', '0']);
  const ng = await startNginx(s.port);
  const problem = (r, status) => {
    assert.equal(r.status, status, r.body);
    assert.match(r.type, /application\/problem\+json/);
    const p = JSON.parse(r.body);
    assert.equal(p.status, status);
    assert.match(p.title, /[\u4e00-\u9fa5]/);
    assert.match(p.detail, /[\u4e00-\u9fa5]/);
    return p;
  };
  problem(await get(ng.url + '/api/v1/regions?q=' + 'a'.repeat(10000)), 414);
  problem(await get(ng.url + '/healthz', { headers: { 'x-big': 'a'.repeat(10000) } }), 431);
  const big = await new Promise((resolve) => {
    const req = http.request(ng.url + '/api/v1/session', { method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': 9 << 20 } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'] ?? '', body }));
    });
    req.on('error', () => resolve({ status: 'closed' }));
    req.end();
  });
  problem(big, 413);
  const bad = await new Promise((resolve) => {
    let out = '';
    const c = net.connect(ng.port, '127.0.0.1', () => c.write('NOT HTTP\r\n\r\n'));
    c.on('data', (d) => { out += d; });
    c.on('close', () => resolve(out));
  });
  assert.match(bad, /^HTTP\/1\.1 400 /);
  assert.match(bad, /Content-Type: application\/problem\+json/);
  assert.match(bad, /请求格式错误/);
  // yijian's own problem, not replaced by nginx
  const own = problem(await get(ng.url + '/api/v1/nothing-here'), 404);
  assert.equal(own.instance, '/api/v1/nothing-here');
  // the internal error targets are not reachable from outside
  assert.equal((await get(ng.url + '/_yijian_error/414')).status, 404);
});

test('behind nginx with yijian stopped: 503 as problem+json', async () => {
  const ng = await startNginx(await freePort());
  const r = await get(ng.url + '/healthz');
  assert.equal(r.status, 503);
  assert.match(r.type, /application\/problem\+json/);
  assert.match(JSON.parse(r.body).detail, /稍后重试/);
});
