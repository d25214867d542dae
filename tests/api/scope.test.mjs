// Territory (属地) scope: a county user cannot read, list, change or export a neighbouring
// county's rows through any route. 鹿城区 330302 and 龙湾区 330303 are neighbours in 温州市 330300.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';

let srv, lucheng, longwan, city, neighbourId, ownId;
before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('lc.admin', 'admin', '330302');
  srv.addUser('lc.staff', 'inspector', '330302');
  srv.addUser('lw.admin', 'admin', '330303');
  srv.addUser('lw.staff', 'inspector', '330303');
  srv.addUser('wz.leader', 'leader', '330300');
  srv.addUser('lc.insurance', 'admin', '330302', 'insurance');
  lucheng = new Client(srv.url); await lucheng.signIn('lc.admin');
  longwan = new Client(srv.url); await longwan.signIn('lw.admin');
  city = new Client(srv.url); await city.signIn('wz.leader');
  const all = await city.get('/api/v1/users?limit=200');
  neighbourId = all.data.items.find((u) => u.username === 'lw.staff').id;
  ownId = all.data.items.find((u) => u.username === 'lc.staff').id;
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('list: a county admin sees only their county', async () => {
  const r = await lucheng.get('/api/v1/users?limit=200');
  assert.equal(r.status, 200);
  const names = r.data.items.map((u) => u.username).sort();
  // health's remit is every department (it leads comprehensive supervision), so the county's
  // insurance-bureau user is visible too; no one from 龙湾区 is.
  assert.deepEqual(names, ['lc.admin', 'lc.insurance', 'lc.staff']);
  // asking for the neighbour's region explicitly changes nothing
  const q = await lucheng.get('/api/v1/users?region=330303');
  assert.deepEqual(q.data.items, []);
  // the city leader sees both counties
  const c = await city.get('/api/v1/users?limit=200');
  assert.ok(c.data.items.some((u) => u.username === 'lw.staff') && c.data.items.some((u) => u.username === 'lc.staff'));
});

test('department remit: the insurance bureau admin of the same county sees no health users', async () => {
  const c = new Client(srv.url); await c.signIn('lc.insurance');
  const r = await c.get('/api/v1/users?limit=200');
  assert.deepEqual(r.data.items.map((u) => u.username), ['lc.insurance']);
});

test('read: the neighbour\'s user is 404 to a county admin', async () => {
  isProblem(assert, await lucheng.get('/api/v1/users/' + neighbourId), 404);
  assert.equal((await lucheng.get('/api/v1/users/' + ownId)).status, 200);
  assert.equal((await longwan.get('/api/v1/users/' + neighbourId)).status, 200);
});

test('change: PATCH of the neighbour\'s user is 404 and changes nothing', async () => {
  isProblem(assert, await lucheng.patch('/api/v1/users/' + neighbourId, { display_name: '被篡改', disabled: true }), 404);
  const r = await longwan.get('/api/v1/users/' + neighbourId);
  assert.equal(r.data.display_name, 'lw.staff');
  assert.equal(r.data.disabled, false);
  const own = await lucheng.patch('/api/v1/users/' + ownId, { display_name: '李监督员' });
  assert.equal(own.status, 200);
  assert.equal(own.data.display_name, '李监督员');
});

test('create: a county admin cannot create a user in the neighbouring county', async () => {
  isProblem(assert, await lucheng.post('/api/v1/users', { username: 'sneaky', password: 'Lanse-haibian-7', role: 'admin', region_code: '330303', department: 'health' }), 403);
  isProblem(assert, await lucheng.post('/api/v1/users', { username: 'sneaky2', password: 'Lanse-haibian-7', role: 'admin', region_code: '330300', department: 'health' }), 403);
});

test('export: CSV and Excel hold only the caller\'s county', async () => {
  const csv = await lucheng.get('/api/v1/users/export?format=csv');
  assert.equal(csv.status, 200);
  const text = csv.data.toString('utf8');
  assert.match(text, /lc\.staff/);
  assert.doesNotMatch(text, /lw\./);
  const xlsx = await lucheng.get('/api/v1/users/export');
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.data.subarray(0, 2).toString(), 'PK'); // a zip container
  const rcsv = await lucheng.get('/api/v1/regions/export?format=csv&parent=330300');
  const rtext = rcsv.data.toString('utf8');
  assert.match(rtext, /330302/);
  assert.doesNotMatch(rtext, /330303/);
});

test('regions: list, read and export stay in the territory', async () => {
  const staff = new Client(srv.url); await staff.signIn('lc.staff');
  const kids = await staff.get('/api/v1/regions?parent=330300&limit=50');
  assert.deepEqual(kids.data.items.map((r) => r.code), ['330302']);
  isProblem(assert, await staff.get('/api/v1/regions/330303'), 404);
  assert.equal((await staff.get('/api/v1/regions/330302')).data.name, '鹿城区');
  const all = await staff.get('/api/v1/regions?limit=200');
  assert.ok(all.data.items.some((r) => r.code === '330302'), JSON.stringify(all.data));
  assert.ok(all.data.items.every((r) => r.code.startsWith('330302')));
  const c = await city.get('/api/v1/regions?parent=330300&limit=50');
  assert.ok(c.data.items.length >= 10);
  assert.ok(c.data.items.some((r) => r.code === '330303'));
});

test('audit leaves: a county admin cannot read the neighbour\'s records', async () => {
  const r = await lucheng.get('/api/v1/audit/leaves?object_type=user&object_id=' + neighbourId);
  assert.equal(r.status, 200);
  assert.deepEqual(r.data.items, []);
  const own = await longwan.get('/api/v1/audit/leaves?object_type=user&object_id=' + neighbourId);
  assert.ok(own.data.items.length >= 1);
});
