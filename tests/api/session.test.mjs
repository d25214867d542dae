// Sign-in, sign-out, CSRF, throttling, bearer tokens and password change, against a real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem, PASSWORD } from './harness.mjs';

let srv;
before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('zhang.admin', 'admin', '330300');
  srv.addUser('li.inspector', 'inspector', '330302');
  srv.addUser('throttled', 'inspector', '330302');
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('sign in sets an HttpOnly SameSite=Strict cookie and returns the CSRF token and user', async () => {
  const c = new Client(srv.url);
  const r = await c.signIn('zhang.admin');
  assert.equal(r.status, 200);
  const sc = r.headers.get('set-cookie');
  assert.match(sc, /yj_session=[^;]+/);
  assert.match(sc, /HttpOnly/);
  assert.match(sc, /SameSite=Strict/);
  assert.ok(r.data.csrf_token.length >= 40);
  assert.equal(r.data.user.username, 'zhang.admin');
  assert.equal(r.data.user.role, 'admin');
  assert.equal(r.data.user.region_code, '330300');
  assert.equal(r.data.user.region_name, '温州市');
  assert.equal(typeof r.data.user.id, 'string');
  assert.equal(r.data.user.password_hash, undefined);
  const me = await c.get('/api/v1/session');
  assert.equal(me.status, 200);
  assert.equal(me.data.csrf_token, r.data.csrf_token);
});

test('wrong password and unknown user both give the same 401 problem', async () => {
  const c = new Client(srv.url);
  const a = await c.signIn('li.inspector', 'not-the-password');
  const b = await c.signIn('nobody', 'not-the-password');
  isProblem(assert, a, 401);
  isProblem(assert, b, 401);
  assert.equal(a.data.detail, b.data.detail);
});

test('state-changing requests need the CSRF token', async () => {
  const c = new Client(srv.url);
  await c.signIn('li.inspector');
  const csrf = c.csrf;
  c.csrf = null;
  isProblem(assert, await c.post('/api/v1/tokens', { name: 'x' }), 403);
  c.csrf = 'wrong' + csrf.slice(5);
  isProblem(assert, await c.post('/api/v1/tokens', { name: 'x' }), 403);
  c.csrf = csrf;
  assert.equal((await c.post('/api/v1/tokens', { name: 'x' })).status, 201);
});

test('sign out ends the session', async () => {
  const c = new Client(srv.url);
  await c.signIn('li.inspector');
  const cookie = c.cookie;
  assert.equal((await c.del('/api/v1/session')).status, 204);
  c.cookie = cookie; // replaying the old cookie must not work
  isProblem(assert, await c.get('/api/v1/session'), 401);
});

test('five failed sign-ins from one address lock the account there with 429 and Retry-After, even for the right password', async () => {
  const c = new Client(srv.url);
  for (let i = 0; i < 5; i++) isProblem(assert, await c.signIn('throttled', 'wrong-password-' + i), 401);
  const r = await c.signIn('throttled', PASSWORD);
  isProblem(assert, r, 429);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
});

test('bearer tokens: read-only cannot write, write can, revoked and bogus are refused', async () => {
  const ro = srv.token('zhang.admin', 'reporting');
  const rw = srv.token('zhang.admin', 'sync', true);
  const a = new Client(srv.url); a.bearer = ro;
  assert.equal((await a.get('/api/v1/regions?parent=330300')).status, 200);
  isProblem(assert, await a.post('/api/v1/tokens', { name: 'y' }), 403);
  const b = new Client(srv.url); b.bearer = rw;
  const created = await b.post('/api/v1/tokens', { name: 'child', scopes: 'read' });
  assert.equal(created.status, 201);
  assert.match(created.data.token, /^yjt_/);
  const list = await b.get('/api/v1/tokens');
  const child = list.data.items.find((t) => t.name === 'child');
  assert.equal((await b.del('/api/v1/tokens/' + child.id)).status, 204);
  const c = new Client(srv.url); c.bearer = created.data.token;
  isProblem(assert, await c.get('/api/v1/regions'), 401);
  c.bearer = 'yjt_bogus';
  isProblem(assert, await c.get('/api/v1/regions'), 401);
});

test('roles: an inspector cannot list users; an admin can', async () => {
  const c = new Client(srv.url);
  await c.signIn('li.inspector');
  isProblem(assert, await c.get('/api/v1/users'), 403);
  const a = new Client(srv.url);
  await a.signIn('zhang.admin');
  assert.equal((await a.get('/api/v1/users')).status, 200);
});

test('password change validates fields in Chinese and ends the old sessions', async () => {
  srv.addUser('wang.pw', 'leader', '330300');
  const c = new Client(srv.url);
  await c.signIn('wang.pw');
  const bad = await c.req('PUT', '/api/v1/session/password', { old_password: 'nope-nope', new_password: 'short' });
  isProblem(assert, bad, 422);
  assert.equal(bad.data.errors[0].field, 'old_password');
  const weak = await c.req('PUT', '/api/v1/session/password', { old_password: PASSWORD, new_password: 'short' });
  isProblem(assert, weak, 422);
  assert.equal(weak.data.errors[0].field, 'new_password');
  const old = c.cookie;
  const ok = await c.req('PUT', '/api/v1/session/password', { old_password: PASSWORD, new_password: 'Xin-mima-2026' });
  assert.equal(ok.status, 204);
  c.cookie = old;
  isProblem(assert, await c.get('/api/v1/session'), 401);
  assert.equal((await new Client(srv.url).signIn('wang.pw', 'Xin-mima-2026')).status, 200);
});

test('admin creates a user inside the territory; refused outside it', async () => {
  const a = new Client(srv.url);
  await a.signIn('zhang.admin');
  const ok = await a.post('/api/v1/users', { username: 'new.grid', password: 'Wangge-2026x', role: 'grid_member', region_code: '330302', department: 'health', display_name: '网格员甲' });
  assert.equal(ok.status, 201, JSON.stringify(ok.data));
  assert.equal(ok.data.region_name, '鹿城区');
  const dup = await a.post('/api/v1/users', { username: 'new.grid', password: 'Wangge-2026x', role: 'grid_member', region_code: '330302', department: 'health' });
  isProblem(assert, dup, 409);
  const out = await a.post('/api/v1/users', { username: 'hz.user', password: 'Wangge-2026x', role: 'inspector', region_code: '330102', department: 'health' });
  isProblem(assert, out, 403);
});
