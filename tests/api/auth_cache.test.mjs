// The per-process credential cache (src/platform/auth/auth_cache.c) across processes: two `yijian serve`
// on one database. A session or token is first used on process B (so B has it cached), then signed
// out, revoked, its password changed or its user disabled through process A (or the CLI): the very next
// request on B is refused — no cache window. (Without the epoch raise in the change's transaction these
// fail: B answers 200 from its cache.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { twoServers, Client, isProblem, PASSWORD, cli } from './harness.mjs';

let a, b;
before(async () => {
  [a, b] = await twoServers();
  a.addUser('cache.admin', 'admin', '330000');
  for (const u of ['cache.out', 'cache.tok', 'cache.pw', 'cache.off', 'cache.cli']) a.addUser(u, 'inspector', '330302');
});
after(async () => {
  for (const s of [a, b]) await s?.stop();
  for (const s of [a, b]) s?.cleanup();
});

// Signs in on A and returns a client for A and one for B carrying the same session.
async function session(username) {
  const onA = new Client(a.url);
  assert.equal((await onA.signIn(username)).status, 200);
  const onB = new Client(b.url);
  onB.cookie = onA.cookie;
  onB.csrf = onA.csrf;
  // Warm B's cache: several requests on B with the credential.
  for (let i = 0; i < 3; i++) assert.equal((await onB.get('/api/v1/session')).status, 200);
  return { onA, onB };
}

test('sign-out on A: the next request on B is refused', async () => {
  const { onA, onB } = await session('cache.out');
  assert.equal((await onA.del('/api/v1/session')).status, 204);
  isProblem(assert, await onB.get('/api/v1/session'), 401);
  isProblem(assert, await onB.get('/api/v1/regions'), 401);
});

test('token revoked on A: the next request on B with it is refused', async () => {
  const { onA } = await session('cache.tok');
  const created = await onA.post('/api/v1/tokens', { name: 'cache', scopes: 'read' });
  assert.equal(created.status, 201);
  const child = new Client(b.url);
  child.bearer = created.data.token;
  for (let i = 0; i < 3; i++) assert.equal((await child.get('/api/v1/regions?parent=330300')).status, 200);
  const list = await onA.get('/api/v1/tokens');
  const t = list.data.items.find((x) => x.name === 'cache');
  assert.equal((await onA.del('/api/v1/tokens/' + t.id)).status, 204);
  isProblem(assert, await child.get('/api/v1/regions?parent=330300'), 401);
});

test('password changed on A: the old session, used on B, is refused at once', async () => {
  const { onA, onB } = await session('cache.pw');
  // A second session of the same user, signed in on B itself.
  const other = new Client(b.url);
  assert.equal((await other.signIn('cache.pw')).status, 200);
  assert.equal((await other.get('/api/v1/session')).status, 200);
  const ok = await onA.req('PUT', '/api/v1/session/password', { old_password: PASSWORD, new_password: 'Huancun-mima-2026' });
  assert.equal(ok.status, 204);
  isProblem(assert, await onB.get('/api/v1/session'), 401);
  isProblem(assert, await other.get('/api/v1/session'), 401);
});

test('password changed by the CLI: B refuses the old session at once', async () => {
  const { onB } = await session('cache.cli');
  cli(['user', 'passwd', '--username', 'cache.cli'], { input: 'Mingling-mima-2026\n', db: a.db, keys: a.keys });
  isProblem(assert, await onB.get('/api/v1/session'), 401);
});

test('user disabled on A: their session on B is refused at once; a role change shows at once', async () => {
  const { onB } = await session('cache.off');
  const admin = new Client(a.url);
  assert.equal((await admin.signIn('cache.admin')).status, 200);
  const me = (await onB.get('/api/v1/session')).data;
  const id = me.user?.id ?? me.id;
  assert.ok(id, JSON.stringify(me));
  // A role change is seen by B's next request (its cached principal is looked up again).
  const onBadmin = new Client(b.url);
  onBadmin.cookie = admin.cookie;
  assert.equal((await onBadmin.get('/api/v1/users')).status, 200);
  assert.equal((await admin.patch('/api/v1/users/' + id, { role: 'leader' })).status, 200);
  assert.equal((await onB.get('/api/v1/session')).data.user.role, 'leader');
  assert.equal((await admin.patch('/api/v1/users/' + id, { disabled: true })).status, 200);
  isProblem(assert, await onB.get('/api/v1/session'), 401);
});

// Runs SQL on the shared database directly (what a migration or an operator's change would do).
function sql(text) {
  const db = a.db;
  // The servers' jobs and signer write too: wait for the writer's lock as they do, not fail at once.
  if (db.startsWith('sqlite:')) execFileSync('sqlite3', ['-cmd', '.timeout 10000', db.slice(7), text]);
  else execFileSync('psql', [db, '-qAtc', text]);
}

test('region pages cached on B follow a change of the reference data once its epoch is raised', async () => {
  const { onB } = await session('cache.admin');
  const name = async () => (await onB.get('/api/v1/regions?parent=330300&limit=5')).data.items.find((x) => x.code === '330302')?.name;
  assert.equal(await name(), '鹿城区');
  assert.equal(await name(), '鹿城区'); // now from B's cache
  sql("UPDATE regions SET name = '鹿城区（测试）' WHERE code = '330302'");
  assert.equal(await name(), '鹿城区', 'B answers from its cache while the epoch is unchanged');
  sql('UPDATE cache_epochs SET n = n + 1 WHERE id = 2');
  assert.equal(await name(), '鹿城区（测试）');
  sql("UPDATE regions SET name = '鹿城区' WHERE code = '330302'; UPDATE cache_epochs SET n = n + 1 WHERE id = 2");
  assert.equal(await name(), '鹿城区');
});
