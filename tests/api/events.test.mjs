// Events between capabilities over HTTP: registry actions announce themselves in the same
// transaction (subject created, licence issued / suspended / revoked), administrators list them in
// their territory, paged, filtered, with delivery state per subscriber; everyone else is refused;
// /metrics shows the count and the job runner's gauges.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';

let srv, ins, lcAdmin, lwAdmin, cityAdmin, anon, inst, lic;
const CODE = creditCode('52330302', '40000001');

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('ev.ins', 'inspector', '330302');
  srv.addUser('ev.lc.admin', 'admin', '330302');
  srv.addUser('ev.lw.admin', 'admin', '330303');
  srv.addUser('ev.wz.admin', 'admin', '330300');
  ins = new Client(srv.url); await ins.signIn('ev.ins');
  lcAdmin = new Client(srv.url); await lcAdmin.signIn('ev.lc.admin');
  lwAdmin = new Client(srv.url); await lwAdmin.signIn('ev.lw.admin');
  cityAdmin = new Client(srv.url); await cityAdmin.signIn('ev.wz.admin');
  anon = new Client(srv.url);
  let r = await ins.post('/api/v1/institutions', {
    credit_code: CODE, name: '温州鹿城事件诊所', type: '诊所', level: 'none', ownership: 'private', profit: 'forprofit',
    region_code: '330302',
  });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  inst = r.data;
  r = await ins.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution', holder_id: inst.id,
    reason: '依申请核发', valid_from: '2026-01-15' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  lic = r.data;
  assert.equal((await ins.post(`/api/v1/licences/${lic.id}/suspend`, { reason: '责令暂停' })).status, 200);
  assert.equal((await ins.post(`/api/v1/licences/${lic.id}/revoke`, { reason: '吊销' })).status, 200);
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('each registry action appends its event, listed newest first to an administrator of the territory', async () => {
  const r = await lcAdmin.get('/api/v1/system/events');
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const mine = r.data.items.filter((e) => e.subject_id === lic.id || e.subject_id === inst.id);
  assert.deepEqual(mine.map((e) => e.type),
    ['registry.licence_revoked', 'registry.licence_suspended', 'registry.licence_issued', 'registry.subject_created']);
  const [revoked, , issued, created] = mine;
  assert.equal(created.subject_type, 'institution');
  assert.equal(created.region_code, '330302');
  assert.equal(created.payload.kind, 'institution');
  assert.equal(issued.subject_type, 'licence');
  assert.equal(issued.payload.holder_id, inst.id);
  assert.equal(issued.payload.number, lic.number);
  assert.equal(issued.payload.holder_name, undefined, 'no names in payloads');
  assert.equal(revoked.payload.state, 'revoked');
  assert.equal(revoked.payload.reason, '吊销');
  const ids = r.data.items.map((e) => BigInt(e.id));
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] > ids[i], 'newest first');
  for (const e of r.data.items) {
    assert.equal(typeof e.at, 'number');
    assert.equal(typeof e.deliveries, 'object');
  }
  // The city's administrator sees them too; the neighbouring county's does not.
  const city = await cityAdmin.get('/api/v1/system/events?type=registry.licence_issued');
  assert.ok(city.data.items.some((e) => e.subject_id === lic.id));
  assert.ok(city.data.items.every((e) => e.type === 'registry.licence_issued'));
  const lw = await lwAdmin.get('/api/v1/system/events');
  assert.equal(lw.status, 200);
  assert.ok(!lw.data.items.some((e) => e.subject_id === lic.id || e.subject_id === inst.id));
});

test('pages follow the cursor without overlap, and filters narrow the list', async () => {
  const all = (await lcAdmin.get('/api/v1/system/events?limit=200')).data.items.map((e) => e.id);
  assert.ok(all.length >= 4, String(all.length));
  const seen = [];
  let url = '/api/v1/system/events?limit=2';
  for (let i = 0; i < 100 && url; i++) {
    const r = await lcAdmin.get(url);
    assert.equal(r.status, 200);
    assert.ok(r.data.items.length <= 2);
    seen.push(...r.data.items.map((e) => e.id));
    url = r.data.next_cursor ? `/api/v1/system/events?limit=2&cursor=${encodeURIComponent(r.data.next_cursor)}` : null;
  }
  assert.deepEqual(seen, all);
  const r = await lcAdmin.get(`/api/v1/system/events?subject_type=licence&subject_id=${lic.id}`);
  assert.equal(r.data.items.length, 3);
  isProblem(assert, await lcAdmin.get('/api/v1/system/events?cursor=nonsense'), 400);
  isProblem(assert, await lcAdmin.get('/api/v1/system/events?limit=0'), 400);
});

test('only administrators may list events', async () => {
  isProblem(assert, await ins.get('/api/v1/system/events'), 403);
  isProblem(assert, await anon.get('/api/v1/system/events'), 401);
});

test('metrics show events appended and the job runner', async () => {
  // /metrics on the public listener is for administrators (the operator listener serves it without sign-in)
  const r = await fetch(srv.url + '/metrics', { headers: { cookie: cityAdmin.cookie } });
  assert.equal(r.status, 200);
  const text = await r.text();
  const m = text.match(/^yijian_events_appended (\d+)$/m);
  assert.ok(m, text);
  assert.ok(Number(m[1]) >= 4);
  assert.match(text, /^yijian_job_failures\{job="inspection.rectification_overdue"\} 0$/m);
  assert.match(text, /^# TYPE yijian_events_undelivered gauge$/m);
});
