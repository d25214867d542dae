// harness.mjs — starts a real yijian server for the API suite and offers small HTTP helpers.
// Engine: YJ_TEST_DB (a postgresql:// URL, set by scripts/check) or a fresh SQLite file.
// Binary: YIJIAN_BIN (default build/yijian), so the same suite runs the ASan build.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const BIN = process.env.YIJIAN_BIN ?? path.join(root, 'build/yijian');
export const PASSWORD = 'Ceshi-mima-2026';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

// Each server gets its own database: a temp SQLite file, or a fresh schema-less PostgreSQL
// database created inside the test cluster.
let dbCounter = 0;
export function freshDb(dir) {
  const pg = process.env.YJ_TEST_DB;
  if (!pg) return `sqlite:${path.join(dir, 'yijian.db')}`;
  const name = `t_${process.pid}_${Date.now()}_${dbCounter++}`;
  const admin = new URL(pg);
  execFileSync('psql', [pg, '-qAtc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  admin.pathname = '/' + name;
  return admin.toString();
}

export function cli(args, { input, db, keys } = {}) {
  return execFileSync(BIN, [...args, '--db', db, ...(keys ? ['--keys', keys] : [])], {
    input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export class Server {
  constructor(opts = {}) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'yijian-api-'));
    this.db = opts.db ?? freshDb(this.dir);
    this.keys = path.join(this.dir, 'keys');
    this.extra = opts.args ?? [];
    this.env = opts.env ?? {}; // extra environment of `serve` (e.g. the power-cut shim)
    this.logs = '';
  }
  async start() {
    this.port = this.port ?? await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    this.proc = spawn(BIN, ['serve', '--db', this.db, '--keys', this.keys, '--listen', `127.0.0.1:${this.port}`,
      '--web', '', ...this.extra, ...this.readReplica()], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...this.env } });
    this.proc.stderr.on('data', (d) => { this.logs += d; });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, sig) => resolve({ code, sig })));
    for (let i = 0; i < 200; i++) {
      // Ready when it answers and has printed its banner: jobs and the audit signer start after the
      // listener, so /healthz can answer before the banner line is written.
      try { const r = await fetch(this.url + '/healthz'); if (r.ok && /serving http:\/\//.test(this.logs)) return this; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('server did not start:\n' + this.logs);
  }
  // YJ_TEST_DB_READ (a postgresql:// URL of a streaming replica of YJ_TEST_DB's cluster) runs every server with
  // --db-read on the same database there, so a suite's GETs read the replica (docs/operations.md, "Read replica").
  readReplica() {
    const rep = process.env.YJ_TEST_DB_READ;
    if (!rep || !this.db.startsWith('postgres') || this.extra.includes('--db-read')) return [];
    const u = new URL(this.db);
    const r = new URL(rep);
    u.host = r.host;
    return ['--db-read', u.toString()];
  }
  addUser(username, role, region, department = 'health', password = PASSWORD) {
    return cli(['user', 'add', '--username', username, '--role', role, '--region', region,
      '--department', department, '--display-name', username], { input: password + '\n', db: this.db, keys: this.keys });
  }
  token(username, name, write = false) {
    return cli(['token', 'create', '--username', username, '--name', name, ...(write ? ['--write'] : [])],
      { db: this.db, keys: this.keys }).trim();
  }
  // Stops the server and checks how it ended: after SIGTERM `serve` finishes in-flight requests and
  // exits 0, and its stderr holds no sanitizer report (under ASan, leaks are only reported at exit,
  // so a suite that never looks would pass with them). A test that kills on purpose says so:
  // stop({ signal: 'SIGKILL', expectKill: true }) checks only that the signal ended it.
  // A server meant to refuse to run says which status: stop({ expectCode: 2 }).
  // stop('SIGINT') is stop({ signal: 'SIGINT' }). Returns { code, sig }; throws on a bad ending.
  async stop(opts = {}) {
    const { signal = 'SIGTERM', expectKill = false, expectCode = 0 } = typeof opts === 'string' ? { signal: opts } : opts;
    if (!this.proc) return undefined;
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    const exit = await this.exited;
    const report = this.logs.match(/ERROR: AddressSanitizer|LeakSanitizer|runtime error:/);
    if (report) {
      const at = Math.max(0, report.index - 200);
      throw new Error(`sanitizer report in the server's stderr:\n${this.logs.slice(at, at + 8000)}`);
    }
    if (expectKill ? exit.sig !== signal : exit.code !== expectCode || exit.sig !== null) {
      throw new Error(`server ended with ${JSON.stringify(exit)} (expected ${expectKill ? signal : 'exit ' + expectCode}):\n` +
        this.logs.slice(-4000));
    }
    return exit;
  }
  cleanup() { rmSync(this.dir, { recursive: true, force: true }); }
}

// A signed-in browser-like client: keeps its cookies (the session's; behind --db-read also the write
// position's) and sends the CSRF token.
// Two `serve` processes of one deployment: one database, one audit key (started in order).
export async function twoServers() {
  const a = new Server();
  await a.start();
  const b = new Server({ db: a.db });
  b.keys = a.keys;
  await b.start();
  return [a, b];
}

export class Client {
  constructor(base) { this.base = base; this.cookie = null; this.csrf = null; this.bearer = null; }
  async req(method, url, body, headers = {}) {
    const h = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = 'Bearer ' + this.bearer;
    let payload = body;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    } else if (body !== undefined) {
      h['content-type'] ??= 'application/json';
    }
    // One connection per request: a pooled keep-alive socket can be closed by the server for
    // idleness (suites run it with idle timeouts as short as 2 s, below fetch's 4 s pool timeout)
    // just as fetch picks it, failing a request the server never saw.
    h.connection ??= 'close';
    const r = await fetch(this.base + url, { method, headers: h, body: payload });
    const set = r.headers.getSetCookie();
    if (set.length) {
      // A jar of name → value, started from this.cookie (tests assign it to replay or share a session).
      const jar = new Map((this.cookie ?? '').split('; ').filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
      for (const sc of set) {
        const pair = sc.split(';')[0], name = pair.slice(0, pair.indexOf('=')), value = pair.slice(pair.indexOf('=') + 1);
        if (value === '' || /;\s*Max-Age=0\b/i.test(sc)) jar.delete(name); else jar.set(name, value);
      }
      this.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ') || null;
    }
    const type = r.headers.get('content-type') ?? '';
    const data = type.includes('json') ? await r.json() : Buffer.from(await r.arrayBuffer());
    return { status: r.status, type, headers: r.headers, data };
  }
  async signIn(username, password = PASSWORD) {
    const r = await this.req('POST', '/api/v1/session', { username, password });
    if (r.status === 200) this.csrf = r.data.csrf_token;
    return r;
  }
  get(url) { return this.req('GET', url); }
  post(url, body) { return this.req('POST', url, body); }
  patch(url, body) { return this.req('PATCH', url, body); }
  del(url) { return this.req('DELETE', url); }
}

export function isProblem(assert, r, status) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  assert.match(r.type, /application\/problem\+json/);
  assert.equal(r.data.status, status);
  assert.ok(r.data.title && /[\u4e00-\u9fa5]/.test(r.data.title), 'Chinese title');
  assert.ok(r.data.detail && /[\u4e00-\u9fa5]/.test(r.data.detail), 'Chinese detail');
}
