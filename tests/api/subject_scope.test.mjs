// Subject scope (主体绑定): an institution user sees its own institution, its staff, its licences, its
// inspection tasks, findings and rectification orders, and nothing else of its county; a grid member
// sees the subjects of its grids. An administrator binds an institution user to its institution
// (`yijian user add --institution`, the users API); the binding is checked against the territory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, isProblem, PASSWORD } from './harness.mjs';
import { twoTerritories, addBound, signedIn, A, B } from './territories.mjs';

let srv, T, inst, grid;
const ids = (r) => r.data.items.map((x) => x.id).sort();

before(async () => {
  srv = new Server();
  await srv.start();
  T = await twoTerritories(srv);
  inst = T[A].clients.institution;
  grid = T[A].clients.grid_member;
});
after(async () => {
  const exit = await srv.stop();
  srv.cleanup();
  assert.equal(exit.code, 0, 'server exits cleanly:\n' + srv.logs.slice(-4000));
});

test('an institution user lists and exports only its own institution, staff and licences', async () => {
  const a = T[A];
  assert.equal(a.users.institution.institution_id ?? a.inst.id, a.inst.id);
  assert.deepEqual(ids(await inst.get('/api/v1/institutions?limit=200')), [a.inst.id]);
  assert.deepEqual(ids(await inst.get('/api/v1/practitioners?limit=200')), [a.prac.id]);
  assert.deepEqual(ids(await inst.get('/api/v1/licences?limit=200')), [a.lic.id, a.pracLic.id].sort());
  for (const kind of ['institutions', 'practitioners', 'licences']) {
    const csv = await inst.get(`/api/v1/${kind}/export?format=csv`);
    assert.equal(csv.status, 200);
    const text = csv.data.toString('utf8');
    assert.doesNotMatch(text, /他家诊所|李四/, kind);
    assert.equal(text.trim().split('\n').length, kind === 'licences' ? 3 : 2, kind + ': header and own rows only');
  }
  const stats = await inst.get('/api/v1/institutions/stats?group=county');
  assert.equal(stats.status, 200);
  assert.equal(stats.data.total, 1, JSON.stringify(stats.data));
  // the county's own admin sees both
  assert.equal((await a.clients.admin.get('/api/v1/institutions?limit=200')).data.items.length, 2);
});

test('an institution user reads its own records; the rest of the county is 404', async () => {
  const a = T[A];
  for (const [own, other] of [[`institutions/${a.inst.id}`, `institutions/${a.other.id}`],
    [`institutions/${a.inst.id}/history`, `institutions/${a.other.id}/history`],
    [`practitioners/${a.prac.id}`, `practitioners/${a.otherPrac.id}`],
    [`practitioners/${a.prac.id}/filings`, `practitioners/${a.otherPrac.id}/filings`],
    [`licences/${a.lic.id}`, `licences/${a.otherLic.id}`],
    [`licences/${a.lic.id}/download`, `licences/${a.otherLic.id}/download`],
    [`inspection/tasks/${a.task.id}`, `inspection/tasks/${a.otherTask.id}`],
    [`inspection/rectifications/${a.order.id}`, `inspection/rectifications/${a.otherOrder.id}`],
    [`institutions/${a.inst.id}`, `institutions/${T[B].inst.id}`]]) {
    assert.equal((await inst.get('/api/v1/' + own)).status, 200, own);
    isProblem(assert, await inst.get('/api/v1/' + other), 404);
  }
  isProblem(assert, await inst.get(`/api/v1/grids/${a.grid.id}`), 404);
  assert.deepEqual((await inst.get('/api/v1/grids')).data.items, []);
});

test('an institution user sees its own inspection tasks, findings and rectification orders (refused before)', async () => {
  const a = T[A];
  const tasks = await inst.get('/api/v1/inspection/tasks?limit=200');
  assert.equal(tasks.status, 200, JSON.stringify(tasks.data));
  assert.deepEqual(ids(tasks), [a.task.id]);
  const t = await inst.get(`/api/v1/inspection/tasks/${a.task.id}`);
  assert.deepEqual(t.data.findings.map((f) => f.id), [a.finding.id]);
  assert.deepEqual(t.data.rectifications.map((o) => o.id), [a.order.id]);
  const orders = await inst.get('/api/v1/inspection/rectifications');
  assert.equal(orders.status, 200);
  assert.deepEqual(orders.data.items.map((o) => o.id), [a.order.id]);
  const csv = await inst.get('/api/v1/inspection/tasks/export?format=csv');
  assert.equal(csv.data.toString('utf8').trim().split('\n').length, 2);
  // but not the plans, the directory, risk signals or publications of the county
  for (const p of ['inspection/plans', 'inspection/inspectors', 'inspection/signals', 'inspection/publications'])
    isProblem(assert, await inst.get('/api/v1/' + p), 403);
});

test('an institution user writes no registry or inspection record: refused by role', async () => {
  const a = T[A];
  isProblem(assert, await inst.patch(`/api/v1/institutions/${a.inst.id}`, { name: '改名', version: 1 }), 403);
  isProblem(assert, await inst.post(`/api/v1/inspection/rectifications/${a.order.id}/close`, { result: 'rectified', note: 'x' }), 403);
  isProblem(assert, await inst.post(`/api/v1/inspection/tasks/${a.task.id}/rectifications`, { requirement: 'x', working_days: 5 }), 403);
  isProblem(assert, await inst.post(`/api/v1/inspection/tasks/${a.task.id}/findings`, { severity: 'minor', description: 'x' }), 403);
  isProblem(assert, await inst.post(`/api/v1/licences/${a.lic.id}/suspend`, { reason: 'x' }), 403);
});

test('an institution reports on its own open rectification order, and on nothing else', async () => {
  const a = T[A];
  const before = await a.clients.inspector.get(`/api/v1/inspection/rectifications/${a.order.id}`);
  assert.equal(before.data.report, null);
  isProblem(assert, await inst.post(`/api/v1/inspection/rectifications/${a.order.id}/report`, { report: '   ' }), 422);
  const r = await inst.post(`/api/v1/inspection/rectifications/${a.order.id}/report`, { report: '已组织病历书写培训，补全缺项' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.report, '已组织病历书写培训，补全缺项');
  assert.equal(r.data.reported_by, a.users.institution.id);
  assert.equal(r.data.state, 'open', 'the inspector still closes it');
  const seen = await a.clients.inspector.get(`/api/v1/inspection/rectifications/${a.order.id}`);
  assert.equal(seen.data.report, '已组织病历书写培训，补全缺项');
  // another institution's order in the same county, and another county's: not found, nothing written
  isProblem(assert, await inst.post(`/api/v1/inspection/rectifications/${a.otherOrder.id}/report`, { report: '冒充' }), 404);
  isProblem(assert, await inst.post(`/api/v1/inspection/rectifications/${T[B].order.id}/report`, { report: '冒充' }), 404);
  assert.equal((await a.clients.admin.get(`/api/v1/inspection/rectifications/${a.otherOrder.id}`)).data.report, null);
  // staff do not write the institution's report; a closed order takes none
  isProblem(assert, await a.clients.inspector.post(`/api/v1/inspection/rectifications/${a.order.id}/report`, { report: 'x' }), 403);
  const closed = await a.clients.inspector.post(`/api/v1/inspection/rectifications/${a.order.id}/close`, { result: 'rectified', note: '复查合格' });
  assert.equal(closed.status, 200, JSON.stringify(closed.data));
  isProblem(assert, await inst.post(`/api/v1/inspection/rectifications/${a.order.id}/report`, { report: '补充' }), 409);
});

test('FHIR: an institution token finds only its own Organization and Practitioner', async () => {
  const tok = srv.token(`${A}.institution`, 'fhir');
  const get = async (p) => (await fetch(srv.url + '/fhir/r4/' + p, { headers: { authorization: 'Bearer ' + tok } })).json();
  const orgs = await get('Organization?_count=50');
  assert.deepEqual(orgs.entry.map((e) => e.resource.id), [T[A].inst.id]);
  const pracs = await get('Practitioner?_count=50');
  assert.deepEqual(pracs.entry.map((e) => e.resource.id), [T[A].prac.id]);
});

test('a grid member sees the subjects of its grids only, and no inspection records', async () => {
  const a = T[A];
  assert.deepEqual(ids(await grid.get('/api/v1/institutions?limit=200')), [a.inst.id]);
  assert.deepEqual(ids(await grid.get('/api/v1/practitioners?limit=200')), [a.prac.id]);
  assert.equal((await grid.get(`/api/v1/institutions/${a.inst.id}`)).status, 200);
  isProblem(assert, await grid.get(`/api/v1/institutions/${a.other.id}`), 404);
  isProblem(assert, await grid.get(`/api/v1/institutions/${T[B].inst.id}`), 404);
  const csv = await grid.get('/api/v1/institutions/export?format=csv');
  assert.doesNotMatch(csv.data.toString('utf8'), /他家诊所/);
  isProblem(assert, await grid.get('/api/v1/inspection/tasks'), 403);
  // moving the other institution into the grid shows it at once (the set is read per request)
  const moved = await a.clients.admin.patch(`/api/v1/institutions/${a.other.id}`, { grid_code: a.grid.code, version: a.other.version });
  assert.equal(moved.status, 200, JSON.stringify(moved.data));
  assert.deepEqual(ids(await grid.get('/api/v1/institutions?limit=200')), [a.inst.id, a.other.id].sort());
  const back = await a.clients.admin.patch(`/api/v1/institutions/${a.other.id}`, { grid_code: a.grid2.code, version: moved.data.version });
  assert.equal(back.status, 200, JSON.stringify(back.data));
  assert.deepEqual(ids(await grid.get('/api/v1/institutions?limit=200')), [a.inst.id]);
});

test('binding: an unbound institution user sees nothing; the administrator binds it inside the territory', async () => {
  const a = T[A], admin = a.clients.admin;
  const r = await admin.post('/api/v1/users', { username: 'unbound.inst', password: PASSWORD, role: 'institution',
    region_code: A, department: 'health' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.institution_id, null);
  const u = await signedIn(srv, 'unbound.inst');
  assert.deepEqual((await u.get('/api/v1/institutions')).data.items, []);
  assert.deepEqual((await u.get('/api/v1/inspection/tasks')).data.items, []);
  // another county's institution, an unknown code, a role that cannot be bound: refused with a field error
  for (const body of [{ institution_code: T[B].inst.credit_code }, { institution_code: '91330302MA00000000' },
    { role: 'inspector', institution_code: a.other.credit_code }]) {
    const bad = await admin.patch(`/api/v1/users/${r.data.id}`, body);
    isProblem(assert, bad, 422);
    assert.equal(bad.data.errors[0].field, 'institution_code');
  }
  const ok = await admin.patch(`/api/v1/users/${r.data.id}`, { institution_code: a.other.credit_code });
  assert.equal(ok.status, 200, JSON.stringify(ok.data));
  assert.equal(ok.data.institution_id, a.other.id);
  assert.deepEqual(ids(await u.get('/api/v1/institutions')), [a.other.id]);
  assert.deepEqual(ids(await u.get('/api/v1/inspection/tasks')), [a.otherTask.id]);
  // unbinding takes effect on the next request
  const un = await admin.patch(`/api/v1/users/${r.data.id}`, { institution_code: '' });
  assert.equal(un.data.institution_id, null);
  assert.deepEqual((await u.get('/api/v1/institutions')).data.items, []);
  // the CLI refuses a binding outside the user's territory
  assert.throws(() => addBound(srv, 'cross.inst', A, T[B].inst.credit_code), /行政区划/);
  const leaves = await admin.get(`/api/v1/audit/leaves?object_type=user&object_id=${r.data.id}&limit=50`);
  assert.deepEqual(leaves.data.items.filter((l) => l.action === 'user.bind').length, 2);
});

// Issue 9 item 6: the declaration took any institution id; another county's was accepted and named.
test('a conflict declaration names only an institution the inspector may see', async () => {
  const a = T[A], ins = a.clients.inspector, me = a.users.inspector.id;
  const size = async () => (await ins.get('/api/v1/audit/sth')).data.tree_size;
  const before = await size();
  const r = await ins.post(`/api/v1/inspection/inspectors/${me}/conflicts`,
    { institution_id: T[B].inst.id, kind: 'relative', reason: '配偶在该机构任职' });
  isProblem(assert, r, 422);
  assert.deepEqual(r.data.errors.map((e) => e.field), ['institution_id']);
  assert.doesNotMatch(JSON.stringify(r.data), new RegExp(T[B].inst.name));
  assert.equal(await size(), before, 'nothing written');
  isProblem(assert, await ins.get(`/api/v1/institutions/${T[B].inst.id}`), 404);
  const own = await ins.post(`/api/v1/inspection/inspectors/${me}/conflicts`,
    { institution_id: a.other.id, kind: 'relative', reason: '配偶在该机构任职' });
  assert.equal(own.status, 201, JSON.stringify(own.data));
});
