// Grids (网格) below towns and the responsibility lists (权责清单): definition by administrators,
// members who must be grid members covering the grid, institutions assigned by grid code, scope,
// and the duties loaded from the seed plans, editable and audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';

let srv, lcAdmin, lwAdmin, lcIns, gridUserId, lwGridUserId, grid;
const TOWN = '330302006'; // 鹿城区 五马街道
before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('lc.admin', 'admin', '330302');
  srv.addUser('lw.admin', 'admin', '330303');
  srv.addUser('lc.ins', 'inspector', '330302');
  srv.addUser('lc.grid', 'grid_member', '330302');
  srv.addUser('lw.grid', 'grid_member', '330303');
  lcAdmin = new Client(srv.url); await lcAdmin.signIn('lc.admin');
  lwAdmin = new Client(srv.url); await lwAdmin.signIn('lw.admin');
  lcIns = new Client(srv.url); await lcIns.signIn('lc.ins');
  const users = (await lcAdmin.get('/api/v1/users?limit=200')).data.items;
  gridUserId = users.find((u) => u.username === 'lc.grid').id;
  const lwUsers = (await lwAdmin.get('/api/v1/users?limit=200')).data.items;
  lwGridUserId = lwUsers.find((u) => u.username === 'lw.grid').id;
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('towns are regions of level 4 under their county', async () => {
  const r = await lcAdmin.get('/api/v1/regions?parent=330302&limit=200');
  assert.ok(r.data.items.length > 5);
  assert.ok(r.data.items.every((t) => t.level === 4 && t.code.startsWith('330302')));
  assert.ok(r.data.items.some((t) => t.code === TOWN));
});

test('an administrator defines a grid below a town; codes follow the town', async () => {
  const r = await lcAdmin.post('/api/v1/grids', { name: '五马街道第一网格', region_code: TOWN });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.code, TOWN + '001');
  grid = r.data;
  const r2 = await lcAdmin.post('/api/v1/grids', { name: '五马街道第二网格', region_code: TOWN });
  assert.equal(r2.data.code, TOWN + '002');
  // a county is not a town; a neighbour's town is outside the territory; inspectors may not define grids
  isProblem(assert, await lcAdmin.post('/api/v1/grids', { name: 'x', region_code: '330302' }), 422);
  isProblem(assert, await lcAdmin.post('/api/v1/grids', { name: 'x', region_code: '330303001' }), 422);
  isProblem(assert, await lcIns.post('/api/v1/grids', { name: 'x', region_code: TOWN }), 403);
});

test('members must be grid members whose territory contains the grid', async () => {
  const bad = await lcAdmin.req('PUT', `/api/v1/grids/${grid.id}/members`, { user_ids: [lwGridUserId] });
  isProblem(assert, bad, 422);
  const ok = await lcAdmin.req('PUT', `/api/v1/grids/${grid.id}/members`, { user_ids: [gridUserId] });
  assert.equal(ok.status, 200, JSON.stringify(ok.data));
  assert.deepEqual(ok.data.members.map((m) => m.user_id), [gridUserId]);
  assert.equal(ok.data.members_count, 1);
});

test('names come from their owners: the grid\'s town, its members, the lists\' departments', async () => {
  // The registry reads these through the platform's headers (regions.h, auth.h), not in its own SQL.
  const g = await lcAdmin.get(`/api/v1/grids/${grid.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.data.region_name, '五马街道');
  assert.deepEqual(g.data.members.map((m) => [m.username, m.display_name, m.region_code]), [['lc.grid', 'lc.grid', '330302']]);
  const list = await lcAdmin.get('/api/v1/grids?region=' + TOWN);
  const mine = list.data.items.find((x) => x.id === grid.id);
  assert.ok(mine, 'the grid is in its town\'s list');
  assert.equal(mine.region_name, '五马街道');
  const r = await lcIns.get('/api/v1/responsibilities?department=market');
  assert.ok(r.data.items.length >= 1);
  for (const i of r.data.items) assert.equal(i.department_name, '市场监管局');
  const h = await lcIns.get('/api/v1/responsibilities?department=health');
  assert.ok(h.data.items.length >= 1);
  for (const i of h.data.items) assert.equal(i.department_name, '卫生健康委');
});

test('institutions are placed in a grid by its code, only within the grid\'s county', async () => {
  const base = { name: '五马街道测试诊所', type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit' };
  const r = await lcAdmin.post('/api/v1/institutions', { ...base, credit_code: creditCode('52330302', '20000001'),
    region_code: '330302', grid_code: grid.code });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.grid_id, grid.id);
  const byGrid = await lcAdmin.get('/api/v1/institutions?grid=' + grid.id);
  assert.equal(byGrid.data.items.length, 1);
  const g = await lcAdmin.get('/api/v1/grids/' + grid.id);
  assert.equal(g.data.institutions_count, 1);
  const wrong = await lwAdmin.post('/api/v1/institutions', { ...base, credit_code: creditCode('52330303', '20000002'),
    region_code: '330303', grid_code: grid.code });
  isProblem(assert, wrong, 422);
  assert.equal(wrong.data.errors[0].field, 'grid_code');
});

test('grids are scoped: the neighbour county neither sees nor renames them', async () => {
  assert.equal((await lwAdmin.get('/api/v1/grids')).data.items.length, 0);
  isProblem(assert, await lwAdmin.get('/api/v1/grids/' + grid.id), 404);
  isProblem(assert, await lwAdmin.patch('/api/v1/grids/' + grid.id, { name: '被改名' }), 404);
  const mine = await lcAdmin.get('/api/v1/grids?region=' + TOWN);
  assert.equal(mine.data.items.length, 2);
  const csv = await lcAdmin.get('/api/v1/grids/export?format=csv');
  assert.ok(csv.data.toString('utf8').includes('五马街道第一网格'));
});

test('responsibility lists come from both seed plans and every department named there exists', async () => {
  const r = await lcIns.get('/api/v1/responsibilities');
  assert.equal(r.status, 200);
  const items = r.data.items;
  assert.ok(items.length >= 100);
  assert.ok(items.some((i) => i.department === 'health' && /全行业监管/.test(i.duty)));
  assert.ok(items.some((i) => /温政办/.test(i.source)) && items.some((i) => /浙江省/.test(i.source)));
  const deps = (await lcIns.get('/api/v1/departments')).data.items.map((d) => d.code);
  for (const i of items) assert.ok(deps.includes(i.department), i.department);
  const market = await lcIns.get('/api/v1/responsibilities?department=market&q=' + encodeURIComponent('价格'));
  assert.ok(market.data.items.length >= 1 && market.data.items.every((i) => i.department === 'market'));
});

test('administrators edit the lists; every change is in the audit log', async () => {
  isProblem(assert, await lcIns.post('/api/v1/responsibilities', { department: 'health', duty: 'x', source: 'y' }), 403);
  const c = await lcAdmin.post('/api/v1/responsibilities', { department: 'health', duty: '负责网格化协管力量的业务指导。', source: '鹿城区补充清单' });
  assert.equal(c.status, 201, JSON.stringify(c.data));
  const p = await lcAdmin.patch('/api/v1/responsibilities/' + c.data.id, { duty: '负责全科网格协管力量的业务指导。' });
  assert.equal(p.data.duty, '负责全科网格协管力量的业务指导。');
  isProblem(assert, await lcAdmin.post('/api/v1/responsibilities', { department: 'nowhere', duty: 'x', source: 'y' }), 422);
  assert.equal((await lcAdmin.del('/api/v1/responsibilities/' + c.data.id)).status, 204);
  isProblem(assert, await lcAdmin.del('/api/v1/responsibilities/' + c.data.id), 404);
  srv.addUser('wz.admin', 'admin', '330300');
  const city = new Client(srv.url); await city.signIn('wz.admin');
  const leaves = (await city.get('/api/v1/audit/leaves?limit=200')).data.items.map((l) => l.action);
  for (const a of ['responsibility.create', 'responsibility.update', 'responsibility.delete', 'grid.create', 'grid.members'])
    assert.ok(leaves.includes(a), a);
});
