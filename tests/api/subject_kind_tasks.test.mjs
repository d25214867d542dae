// Inspection tasks of other kinds of subject (public places, water suppliers, …): a draw over a plan whose
// item names a kind yields tasks of that kind (subject.kind, from the draw's directory and the bundle);
// a finding on one is announced with its subject_kind and becomes a clue (案源) whose subject is that
// record, not an institution; a task created directly names its subject's kind; an unknown kind is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';

const PP = '8000006'; // default item 公共场所卫生 (subject type public_place)
let srv, admin, leader, ins = [], ids = {}, places = [], tasks = [], finding;

async function signedIn(username) {
  const c = new Client(srv.url);
  const r = await c.signIn(username);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  ids[username] = r.data.user.id;
  return c;
}

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('wz.admin', 'admin', '330300');
  srv.addUser('wz.leader', 'leader', '330300');
  for (let i = 0; i < 2; i++) srv.addUser(`lc.i${i}`, 'inspector', '330302');
  admin = await signedIn('wz.admin');
  leader = await signedIn('wz.leader');
  for (let i = 0; i < 2; i++) ins.push(await signedIn(`lc.i${i}`));
  for (let i = 0; i < 2; i++) {
    const r = await admin.req('PUT', `/api/v1/inspection/inspectors/${ids[`lc.i${i}`]}`, { cert_no: `330377000${i}` });
    assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.data));
  }
  for (let i = 0; i < 2; i++) {
    const r = await ins[0].post('/api/v1/subjects/public_place', {
      credit_code: creditCode('91330302', String(31000000 + i)), name: `鹿城测试浴场${i}`, region_code: '330302',
      category: 'bathhouse', floor_area: 600, staff: 8,
    });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    places.push(r.data);
  }
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('a draw over a plan whose item names public_place yields tasks of that kind', async () => {
  const p = await leader.post('/api/v1/inspection/plans', {
    name: '2026年鹿城区公共场所双随机抽查', kind: 'special', item_ids: [PP], region_code: '330302',
    ratio_permille: 1000, start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2,
  });
  assert.equal(p.status, 201, JSON.stringify(p.data));
  const c = await leader.post(`/api/v1/inspection/plans/${p.data.id}/commit`);
  assert.equal(c.status, 201, JSON.stringify(c.data));
  const d = await leader.post(`/api/v1/inspection/draws/${c.data.id}/draw`, { witness: '体彩排列三 2026001 期 123' });
  assert.equal(d.status, 200, JSON.stringify(d.data));
  const b = await new Client(srv.url).get(`/api/v1/public/draws/${c.data.id}/bundle`);
  assert.equal(b.status, 200);
  assert.deepEqual(b.data.subjects.map((s) => s.kind), ['public_place', 'public_place']);
  const r = await leader.get(`/api/v1/inspection/tasks?draw=${c.data.id}`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  tasks = r.data.items;
  assert.equal(tasks.length, 2);
  assert.deepEqual(tasks.map((t) => t.subject.id).sort(), places.map((x) => x.id).sort());
  for (const t of tasks) {
    assert.equal(t.subject.kind, 'public_place');
    assert.equal(t.subject.credit_code, places.find((x) => x.id === t.subject.id).credit_code);
  }
});

test('a finding on such a task is announced with its kind and becomes a clue against that record', async () => {
  const t = tasks[0];
  const member = ins.find((_, i) => t.team?.some((m) => m.id === ids[`lc.i${i}`])) ?? ins[0];
  let r = await member.post(`/api/v1/inspection/tasks/${t.id}/findings`,
    { point_code: 'PP-02', severity: 'general', description: '三名从业人员未取得有效健康合格证明' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  finding = r.data.id;
  r = await admin.get(`/api/v1/system/events?subject_type=inspection_task&subject_id=${t.id}`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const ev = r.data.items.find((e) => e.type === 'inspection.finding_recorded');
  assert.equal(ev.payload.subject_kind, 'public_place');
  assert.equal(ev.payload.subject_id, t.subject.id);
  r = await member.post('/api/v1/cases/clues', { source: 'inspection_finding', source_ref: finding });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.subject_kind, 'public_place');
  assert.equal(r.data.subject_id, t.subject.id);
  assert.equal(r.data.subject_name, t.subject.name);
  // the task page shows its subject's kind, and so do its rectification orders
  r = await member.get(`/api/v1/inspection/tasks/${t.id}`);
  assert.equal(r.data.subject.kind, 'public_place');
  r = await member.post(`/api/v1/inspection/tasks/${t.id}/rectifications`, { requirement: '限期为从业人员办理健康合格证明', working_days: 10, finding_id: finding });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.subject_kind, 'public_place');
});

test('a task created directly names its subject kind; an unknown kind or a mismatched id is refused', async () => {
  const team = [ids['lc.i0'], ids['lc.i1']];
  let r = await leader.post('/api/v1/inspection/tasks', { kind: 'patrol', subject_kind: 'public_place', subject_id: places[1].id, item_ids: [PP], team });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.subject.kind, 'public_place');
  assert.equal(r.data.subject.name, places[1].name);
  r = await leader.post('/api/v1/inspection/tasks', { kind: 'patrol', subject_kind: 'spaceport', subject_id: places[1].id, team });
  isProblem(assert, r, 422);
  assert.ok(r.data.errors.some((e) => e.field === 'subject_kind'));
  // the public place's id is no institution
  r = await leader.post('/api/v1/inspection/tasks', { kind: 'patrol', subject_id: places[1].id, team });
  isProblem(assert, r, 422);
  assert.ok(r.data.errors.some((e) => e.field === 'subject_id'));
});

test('a public place\'s credit grade reaches the draw signals, as an institution\'s does', async () => {
  const place = places[1];
  const r = await leader.post(`/api/v1/credit/subjects/${place.id}/evaluate`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  let sig;
  for (let i = 0; i < 100 && !sig?.credit_grade; i++) {
    if (i) await new Promise((res) => setTimeout(res, 100));
    sig = (await admin.get('/api/v1/inspection/signals?limit=200')).data.items.find((s) => s.subject_id === place.id);
  }
  assert.equal(sig?.credit_grade, r.data.grade.grade, JSON.stringify(sig));
});
