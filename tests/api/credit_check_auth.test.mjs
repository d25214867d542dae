// The credit check is authenticated provisionally (ROLE_CONFIRMS_AUTH, docs/security.md): its caller's
// cached credential is confirmed by the credential epochs its own first statement reads, not by a read
// before it. Revocation, sign-out and a disabled user still take effect before the very next check, on
// another process (two `yijian serve` on one database) and on the same one; a refused check writes no
// leaf; a check whose epoch moved for someone else's change is answered once, with one leaf.
// (Confirming without comparing the epochs fails the first tests: B answers 200 from its cache.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { twoServers, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';

let a, b, admin, instId;
const code = creditCode('52330302', '41000088');
const check = (c, q = `subject=${code}&decision=grade_review`) => c.get(`/api/v1/credit/check?${q}`);

before(async () => {
  [a, b] = await twoServers();
  a.addUser('cc.admin', 'admin', '330000');
  for (const u of ['cc.tok', 'cc.out', 'cc.one', 'cc.off', 'cc.other', 'cc.stay']) a.addUser(u, 'liaison', '330381', 'market');
  admin = new Client(a.url);
  assert.equal((await admin.signIn('cc.admin')).status, 200);
  const r = await admin.post('/api/v1/institutions', { credit_code: code, name: '鹿城确认测试诊所', type: 'clinic', level: 'none',
    ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  instId = r.data.id;
});
after(async () => {
  for (const s of [a, b]) await s?.stop();
  for (const s of [a, b]) s?.cleanup();
});

async function leaves() {
  const r = await admin.get(`/api/v1/audit/leaves?object_type=institution&object_id=${instId}&limit=200`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data.items.filter((l) => l.action === 'credit.check').length;
}

// A read token of username, created through a session on A; returns it with its id.
async function token(username, name = 'cc') {
  const s = new Client(a.url);
  assert.equal((await s.signIn(username)).status, 200);
  const created = await s.post('/api/v1/tokens', { name, scopes: 'read' });
  assert.equal(created.status, 201);
  const t = (await s.get('/api/v1/tokens')).data.items.find((x) => x.name === name);
  return { session: s, value: created.data.token, id: t.id };
}

// Several checks, so the credential is cached on srv under the current epoch.
async function warm(c) {
  for (let i = 0; i < 3; i++) {
    const r = await check(c);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    assert.equal(r.data.allowed, true);
  }
}

test('token revoked on A: the very next check on B answers 401 and writes no leaf', async () => {
  const t = await token('cc.tok');
  const onB = new Client(b.url);
  onB.bearer = t.value;
  await warm(onB);
  const before = await leaves();
  assert.equal((await t.session.del('/api/v1/tokens/' + t.id)).status, 204);
  isProblem(assert, await check(onB), 401);
  assert.equal(await leaves(), before);
});

test('an answer made before the check reads the epochs (400, 404) is held: the revoked token gets 401', async () => {
  for (const [name, q] of [['cc400', 'subject=' + code], ['cc404', 'subject=91330302NOSUCH0000&decision=grade_review']]) {
    const t = await token('cc.tok', name);
    const onB = new Client(b.url);
    onB.bearer = t.value;
    await warm(onB);
    assert.equal((await t.session.del('/api/v1/tokens/' + t.id)).status, 204);
    isProblem(assert, await check(onB, q), 401);
  }
});

test('signed out on A: the very next check on B answers 401', async () => {
  const onA = new Client(a.url);
  assert.equal((await onA.signIn('cc.out')).status, 200);
  const onB = new Client(b.url);
  onB.cookie = onA.cookie;
  await warm(onB);
  assert.equal((await onA.del('/api/v1/session')).status, 204);
  isProblem(assert, await check(onB), 401);
});

test('one process: a token revoked there is refused by its very next check', async () => {
  const t = await token('cc.one');
  const c = new Client(a.url);
  c.bearer = t.value;
  await warm(c);
  assert.equal((await t.session.del('/api/v1/tokens/' + t.id)).status, 204);
  isProblem(assert, await check(c), 401);
});

test('user disabled on A: the very next check on B answers 401', async () => {
  const t = await token('cc.off');
  const onB = new Client(b.url);
  onB.bearer = t.value;
  await warm(onB);
  const me = (await t.session.get('/api/v1/session')).data;
  const id = me.user?.id ?? me.id;
  assert.equal((await admin.patch('/api/v1/users/' + id, { disabled: true })).status, 200);
  isProblem(assert, await check(onB), 401);
});

test("another user's sign-out moves the epoch: the next check on B is answered once, with one leaf", async () => {
  const t = await token('cc.stay');
  const onB = new Client(b.url);
  onB.bearer = t.value;
  await warm(onB);
  const other = new Client(a.url);
  assert.equal((await other.signIn('cc.other')).status, 200);
  assert.equal((await other.del('/api/v1/session')).status, 204);
  const before = await leaves();
  const r = await check(onB);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.allowed, true);
  assert.equal(await leaves(), before + 1);
  await warm(onB);
  assert.equal(await leaves(), before + 4);
});
