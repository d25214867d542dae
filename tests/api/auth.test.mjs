// Credentials that end when they must (issue 9 items 5, 7, 8): a password change ends every session and
// token of the user, revoking a token ends its descendants — both seen at once by a second server
// process on the same database (nothing cached); weak passwords are refused in Chinese; sign-in
// throttling keyed by (account, address), by address and (much higher) by account, so one address
// cannot lock anyone out. Clients bind to other loopback addresses (127.0.0.2, …) to be other addresses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Server, twoServers, Client, isProblem, cli, PASSWORD } from './harness.mjs';

// A sign-in sent from a given local address (any of 127.0.0.0/8 reaches the server on 127.0.0.1).
function signInFrom(base, localAddress, username, password) {
  const body = JSON.stringify({ username, password });
  const u = new URL(base + '/api/v1/session');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({
          status: res.statusCode, type: res.headers['content-type'] ?? '',
          headers: { get: (n) => res.headers[n.toLowerCase()] ?? null }, data: text ? JSON.parse(text) : null,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

let a, b; // two processes, one database
before(async () => {
  [a, b] = await twoServers();
  a.addUser('zhou.admin', 'admin', '330300');
  a.addUser('hz.out', 'inspector', '330102');
  for (const u of ['pw.self', 'pw.cli', 'pw.admin', 'lineage', 'weak.self', 'victim', 'spray1', 'spray2', 'spray3', 'spray4',
    'spray5', 'popular', 'twice']) a.addUser(u, 'inspector', '330302');
});
// A server must stop cleanly, without a sanitizer report (the ASan build is run with this suite).
async function stopClean(srv) {
  const { code, sig } = await srv.stop();
  assert.equal(code, 0, `exit ${code} ${sig}:\n${srv.logs.slice(-4000)}`);
  assert.doesNotMatch(srv.logs, /Sanitizer|runtime error:/);
  srv.cleanup();
}
after(async () => { await stopClean(b); await stopClean(a); });

const bearer = (srv, token) => { const c = new Client(srv.url); c.bearer = token; return c; };

test('a password change ends every session and token of the user, at once on another process', async () => {
  const rw = a.token('pw.self', 'sync', true);
  const ro = a.token('pw.self', 'report');
  const onB = new Client(b.url);
  assert.equal((await onB.signIn('pw.self')).status, 200);
  // Used on B first, so that a cache there (if any) would hold them.
  assert.equal((await bearer(b, rw).get('/api/v1/tokens')).status, 200);
  assert.equal((await bearer(b, ro).get('/api/v1/tokens')).status, 200);
  assert.equal((await onB.get('/api/v1/session')).status, 200);
  // A token made by the read-write token, and one made in a session.
  const child = await bearer(a, rw).post('/api/v1/tokens', { name: 'child', scopes: 'read,write' });
  assert.equal(child.status, 201);
  const fromSession = await onB.post('/api/v1/tokens', { name: 'console' });
  assert.equal(fromSession.status, 201);

  const onA = new Client(a.url);
  await onA.signIn('pw.self');
  const ok = await onA.req('PUT', '/api/v1/session/password', { old_password: PASSWORD, new_password: 'Xin-mima-2026' });
  assert.equal(ok.status, 204, JSON.stringify(ok.data));

  for (const t of [rw, ro, child.data.token, fromSession.data.token]) {
    isProblem(assert, await bearer(b, t).get('/api/v1/tokens'), 401);
    isProblem(assert, await bearer(a, t).get('/api/v1/tokens'), 401);
  }
  isProblem(assert, await onB.get('/api/v1/session'), 401);
  isProblem(assert, await onA.get('/api/v1/session'), 401);
  // The list says so too.
  const again = new Client(b.url);
  assert.equal((await again.signIn('pw.self', 'Xin-mima-2026')).status, 200);
  const list = (await again.get('/api/v1/tokens')).data.items;
  assert.equal(list.length, 4);
  for (const t of list) assert.equal(typeof t.revoked_at, 'number', JSON.stringify(t));
  // A token made after the change works.
  const fresh = await again.post('/api/v1/tokens', { name: 'after' });
  assert.equal((await bearer(b, fresh.data.token).get('/api/v1/tokens')).status, 200);
});

test('yijian user passwd ends every session and token of the user, at once on a running server', async () => {
  const rw = a.token('pw.cli', 'sync', true);
  const s = new Client(b.url);
  await s.signIn('pw.cli');
  assert.equal((await bearer(b, rw).get('/api/v1/tokens')).status, 200);
  const out = cli(['user', 'passwd', '--username', 'pw.cli'], { input: 'Ling-yige-2026\n', db: a.db, keys: a.keys });
  isProblem(assert, await bearer(b, rw).get('/api/v1/tokens'), 401);
  isProblem(assert, await s.get('/api/v1/session'), 401);
  assert.match(out, /tokens are revoked/);
  assert.equal((await new Client(b.url).signIn('pw.cli', 'Ling-yige-2026')).status, 200);
});

test('an administrator setting a password ends the user\'s sessions and tokens, at once on another process', async () => {
  const rw = a.token('pw.admin', 'sync', true);
  const s = new Client(b.url);
  await s.signIn('pw.admin');
  assert.equal((await bearer(b, rw).get('/api/v1/tokens')).status, 200);
  const adm = new Client(a.url);
  await adm.signIn('zhou.admin');
  const users = (await adm.get('/api/v1/users?q=pw.admin')).data.items;
  assert.equal(users.length, 1);
  const url = `/api/v1/users/${users[0].id}/password`;
  for (const password of ['12345678', 'pw.admin-2026', PASSWORD]) {
    const r = await adm.req('PUT', url, { password });
    isProblem(assert, r, 422);
    assert.equal(r.data.errors[0].field, 'password', password);
  }
  assert.equal((await bearer(b, rw).get('/api/v1/tokens')).status, 200); // refused changes end nothing
  assert.equal((await adm.req('PUT', url, { password: 'Chongzhi-mima-9' })).status, 204);
  isProblem(assert, await bearer(b, rw).get('/api/v1/tokens'), 401);
  isProblem(assert, await s.get('/api/v1/session'), 401);
  assert.equal((await new Client(b.url).signIn('pw.admin', 'Chongzhi-mima-9')).status, 200);
  // Outside the administrator's territory the user does not exist.
  const hz = new Client(a.url);
  const me = await hz.signIn('hz.out');
  isProblem(assert, await adm.req('PUT', `/api/v1/users/${me.data.user.id}/password`, { password: 'Chongzhi-mima-9' }), 404);
  assert.equal((await hz.get('/api/v1/session')).status, 200);
});

test('a reset password must be changed at the next sign-in: until then the session only reads itself, changes it or signs out', async () => {
  a.addUser('reset.me', 'inspector', '330302');
  const adm = new Client(a.url);
  await adm.signIn('zhou.admin');
  const id = (await adm.get('/api/v1/users?q=reset.me')).data.items[0].id;
  assert.equal((await adm.req('PUT', `/api/v1/users/${id}/password`, { password: 'Chongzhi-mima-7' })).status, 204);
  assert.equal((await adm.get(`/api/v1/users/${id}`)).data.must_change_password, true);
  const u = new Client(b.url);
  const s = await u.signIn('reset.me', 'Chongzhi-mima-7');
  assert.equal(s.status, 200);
  assert.equal(s.data.user.must_change_password, true);
  const me = await u.get('/api/v1/session');
  assert.equal(me.status, 200);
  assert.equal(me.data.user.must_change_password, true);
  for (const path of ['/api/v1/institutions', '/api/v1/todos', '/api/v1/tokens']) {
    const r = await u.get(path);
    isProblem(assert, r, 403);
    assert.equal(r.data.type, 'urn:yijian:problem:password-change-required', path);
    assert.match(r.data.detail, /修改密码|新密码/);
  }
  const c = await u.req('PUT', '/api/v1/session/password', { old_password: 'Chongzhi-mima-7', new_password: 'Ziji-xuan-de-mima-8' });
  assert.ok([200, 204].includes(c.status), JSON.stringify(c.data));
  const again = new Client(b.url);
  const s2 = await again.signIn('reset.me', 'Ziji-xuan-de-mima-8');
  assert.equal(s2.data.user.must_change_password, false);
  assert.equal((await again.get('/api/v1/institutions')).status, 200);
  // An administrator may also set a password the user keeps (must_change: false).
  assert.equal((await adm.req('PUT', `/api/v1/users/${id}/password`, { password: 'Guanliyuan-she-9', must_change: false })).status, 204);
  const kept = new Client(a.url);
  assert.equal((await kept.signIn('reset.me', 'Guanliyuan-she-9')).data.user.must_change_password, false);
  // The reset is in the audit log with the mark.
  const leaves = (await adm.get(`/api/v1/audit/leaves?object_type=user&object_id=${id}`)).data.items;
  assert.ok(leaves.some((l) => l.action === 'user.password'));
});

test('an administrator unlocks a throttled account and moves a user within their territory and remit', async () => {
  a.addUser('locked.out', 'inspector', '330302');
  const adm = new Client(a.url);
  await adm.signIn('zhou.admin');
  for (let i = 0; i < 5; i++) await new Client(a.url).signIn('locked.out', 'wrong-password-' + i);
  isProblem(assert, await new Client(a.url).signIn('locked.out'), 429);
  const id = (await adm.get('/api/v1/users?q=locked.out')).data.items[0].id;
  const r = await adm.post(`/api/v1/users/${id}/unlock`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.ok(r.data.failures_cleared >= 5);
  assert.equal((await new Client(a.url).signIn('locked.out')).status, 200);
  const leaves = (await adm.get(`/api/v1/audit/leaves?object_type=user&object_id=${id}`)).data.items;
  assert.ok(leaves.some((l) => l.action === 'user.unlock'));

  // Territory and department: inside the administrator's, existing; a refused move changes nothing.
  let p = await adm.req('PATCH', `/api/v1/users/${id}`, { region_code: '330381', department: 'insurance' });
  assert.equal(p.status, 200, JSON.stringify(p.data));
  assert.equal(p.data.region_code, '330381');
  assert.equal(p.data.department, 'insurance');
  isProblem(assert, await adm.req('PATCH', `/api/v1/users/${id}`, { region_code: '330102' }), 403);
  p = await adm.req('PATCH', `/api/v1/users/${id}`, { region_code: '339999', department: 'nosuch' });
  isProblem(assert, p, 422);
  assert.deepEqual(p.data.errors.map((e) => e.field).sort(), ['department', 'region_code']);
  const now = (await adm.get(`/api/v1/users/${id}`)).data;
  assert.equal(now.region_code, '330381');
  assert.equal(now.department, 'insurance');
});

test('revoking a token revokes every token created from it, at any depth, at once on another process', async () => {
  const root = a.token('lineage', 'root', true);
  const mk = async (tok, name, scopes) => {
    const r = await bearer(a, tok).post('/api/v1/tokens', { name, scopes });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    return r.data.token;
  };
  const child = await mk(root, 'child', 'read,write');
  const grandchild = await mk(child, 'grandchild', 'read,write');
  const great = await mk(grandchild, 'great', 'read');
  const sibling = await mk(root, 'sibling', 'read');
  for (const t of [child, grandchild, great, sibling]) assert.equal((await bearer(b, t).get('/api/v1/tokens')).status, 200);
  const items = (await bearer(b, root).get('/api/v1/tokens')).data.items;
  const id = (name) => items.find((t) => t.name === name).id;

  // Revoking the middle of the chain ends what hangs below it, not what is above or beside it.
  assert.equal((await bearer(a, root).del('/api/v1/tokens/' + id('grandchild'))).status, 204);
  isProblem(assert, await bearer(b, grandchild).get('/api/v1/tokens'), 401);
  isProblem(assert, await bearer(b, great).get('/api/v1/tokens'), 401);
  assert.equal((await bearer(b, child).get('/api/v1/tokens')).status, 200);
  assert.equal((await bearer(b, sibling).get('/api/v1/tokens')).status, 200);

  // Revoking the root ends the rest, the token that asks included.
  assert.equal((await bearer(a, root).del('/api/v1/tokens/' + id('root'))).status, 204);
  for (const t of [root, child, sibling]) isProblem(assert, await bearer(b, t).get('/api/v1/tokens'), 401);
  const s = new Client(b.url);
  await s.signIn('lineage');
  const after = (await s.get('/api/v1/tokens')).data.items;
  assert.equal(after.length, 5);
  for (const t of after) assert.equal(typeof t.revoked_at, 'number', t.name);
  assert.equal(after.find((t) => t.name === 'grandchild').parent_id, id('child'));
  assert.equal(after.find((t) => t.name === 'root').parent_id, null);
});

test('a token made by a token expires no later than its parent', async () => {
  const parent = cli(['token', 'create', '--username', 'lineage', '--name', 'short', '--days', '2', '--write'],
    { db: a.db, keys: a.keys }).trim();
  const r = await bearer(a, parent).post('/api/v1/tokens', { name: 'long', days: 365 });
  assert.equal(r.status, 201);
  const items = (await bearer(a, parent).get('/api/v1/tokens')).data.items;
  const p = items.find((t) => t.name === 'short'), c = items.find((t) => t.name === 'long');
  assert.equal(c.expires_at, p.expires_at);
});

// ---- item 7: weak passwords ----

const WEAK = ['12345678', 'password', 'aaaaaaaa', 'qwertyuiop', 'woaini1314', 'P@ssw0rd', 'Yijian-2026'];

test('weak passwords are refused at user creation with a Chinese reason per field', async () => {
  const adm = new Client(a.url);
  await adm.signIn('zhou.admin');
  for (const password of [...WEAK, 'new.user.x', 'short']) {
    const r = await adm.post('/api/v1/users', { username: 'new.user.x', password, role: 'inspector', region_code: '330302', department: 'health' });
    isProblem(assert, r, 422);
    const e = r.data.errors.find((x) => x.field === 'password');
    assert.ok(e, `${password}: ${JSON.stringify(r.data)}`);
    assert.match(e.detail, /[\u4e00-\u9fa5]/);
  }
  const ok = await adm.post('/api/v1/users', { username: 'new.user.x', password: 'Lanse-haibian-7', role: 'inspector', region_code: '330302', department: 'health' });
  assert.equal(ok.status, 201, JSON.stringify(ok.data));
});

test('weak passwords and the current password are refused at password change, in Chinese', async () => {
  const c = new Client(a.url);
  await c.signIn('weak.self');
  for (const pw of [...WEAK, PASSWORD, 'weak.self']) {
    const r = await c.req('PUT', '/api/v1/session/password', { old_password: PASSWORD, new_password: pw });
    isProblem(assert, r, 422);
    assert.equal(r.data.errors[0].field, 'new_password', pw);
    assert.match(r.data.errors[0].detail, /[\u4e00-\u9fa5]/);
  }
  const same = await c.req('PUT', '/api/v1/session/password', { old_password: PASSWORD, new_password: PASSWORD });
  assert.match(same.data.errors[0].detail, /当前密码/);
  const common = await c.req('PUT', '/api/v1/session/password', { old_password: PASSWORD, new_password: 'password' });
  assert.match(common.data.errors[0].detail, /常见/);
  assert.equal((await c.get('/api/v1/session')).status, 200); // nothing changed
});

test('the CLI refuses weak passwords and the current one', () => {
  for (const pw of [...WEAK, PASSWORD]) {
    assert.throws(() => cli(['user', 'passwd', '--username', 'weak.self'], { input: pw + '\n', db: a.db, keys: a.keys }),
      (e) => e.status === 1 && /password rejected/.test(e.stderr), pw);
  }
  assert.throws(() => cli(['user', 'add', '--username', 'cli.weak', '--role', 'inspector', '--region', '330302',
    '--department', 'health'], { input: '12345678\n', db: a.db, keys: a.keys }),
  (e) => e.status === 1 && /password rejected/.test(e.stderr));
});

// ---- item 8: throttling that cannot lock someone else out ----

test('bad attempts from one address do not lock the account for another address', async () => {
  for (let i = 0; i < 5; i++) isProblem(assert, await signInFrom(a.url, '127.0.0.2', 'victim', 'wrong-' + i), 401);
  const here = await signInFrom(b.url, '127.0.0.2', 'victim', PASSWORD); // the other process sees them
  isProblem(assert, here, 429);
  assert.ok(Number(here.headers.get('retry-after')) > 60);
  assert.equal((await signInFrom(b.url, '127.0.0.3', 'victim', PASSWORD)).status, 200);
  assert.equal((await signInFrom(a.url, '127.0.0.3', 'victim', PASSWORD)).status, 200);
  isProblem(assert, await signInFrom(a.url, '127.0.0.2', 'victim', PASSWORD), 429); // still throttled there
});

test('a success forgives only its own address: other addresses keep their count', async () => {
  for (let i = 0; i < 4; i++) isProblem(assert, await signInFrom(a.url, '127.0.0.4', 'twice', 'wrong-' + i), 401);
  assert.equal((await signInFrom(a.url, '127.0.0.5', 'twice', PASSWORD)).status, 200);
  isProblem(assert, await signInFrom(a.url, '127.0.0.4', 'twice', 'wrong-4'), 401);
  isProblem(assert, await signInFrom(a.url, '127.0.0.4', 'twice', PASSWORD), 429);
});

test('limits are configurable: per address across accounts, and per account across addresses', async () => {
  const s = new Server({ args: ['--signin-pair-limit', '2', '--signin-address-limit', '4', '--signin-account-limit', '6'] });
  await s.start();
  try {
    for (const u of ['spray1', 'spray2', 'spray3', 'spray4', 'spray5', 'popular']) s.addUser(u, 'inspector', '330302');
    // Pair: two failures of one account from one address.
    for (let i = 0; i < 2; i++) isProblem(assert, await signInFrom(s.url, '127.0.0.6', 'spray1', 'wrong'), 401);
    isProblem(assert, await signInFrom(s.url, '127.0.0.6', 'spray1', PASSWORD), 429);
    // Address: one failure on each of four accounts from one address stops that address for any account.
    for (const u of ['spray2', 'spray3', 'spray4', 'spray5']) isProblem(assert, await signInFrom(s.url, '127.0.0.7', u, 'wrong'), 401);
    const spray = await signInFrom(s.url, '127.0.0.7', 'popular', PASSWORD);
    isProblem(assert, spray, 429);
    assert.match(spray.data.detail, /地址/);
    assert.equal((await signInFrom(s.url, '127.0.0.8', 'spray5', PASSWORD)).status, 200);
    // Account: one failure from each of six addresses locks the account everywhere.
    for (let i = 0; i < 6; i++) isProblem(assert, await signInFrom(s.url, `127.0.1.${i + 1}`, 'popular', 'wrong'), 401);
    const locked = await signInFrom(s.url, '127.0.2.1', 'popular', PASSWORD);
    isProblem(assert, locked, 429);
    assert.match(locked.data.detail, /账号/);
  } finally {
    await stopClean(s);
  }
});

test('guessing the current password at password change counts as failed sign-ins', async () => {
  const c = new Client(a.url);
  assert.equal((await c.signIn('spray4')).status, 200);
  for (let i = 0; i < 5; i++) {
    const r = await c.req('PUT', '/api/v1/session/password', { old_password: 'guess-' + i, new_password: 'Lanse-haibian-7' });
    isProblem(assert, r, 422);
  }
  isProblem(assert, await c.req('PUT', '/api/v1/session/password', { old_password: PASSWORD, new_password: 'Lanse-haibian-7' }), 429);
});
