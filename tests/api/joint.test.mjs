// Joint enforcement actions (联合执法) and joint meetings (联席会议), docs/complaints.md "Joint work":
// an action's plan and participants, its result by the lead department only, the count per territory
// and year against the local target (2 in 温州, 1 in 绍兴, data); a meeting's decisions as tasks of
// their owner departments in their to-do inboxes until done — and refusals that change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';

const A = '330302', SX = '330602';
let srv;
const as = {};
async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const year = () => today().slice(0, 4);
const auditCount = async () => (await ok(await as.admin.get('/api/v1/audit/sth'))).tree_size;

before(async () => {
  srv = await new Server().start();
  srv.addUser('admin', 'admin', '330000', 'health');
  srv.addUser('desk', 'liaison', A, 'health');
  srv.addUser('mkt', 'liaison', A, 'market');
  srv.addUser('lead', 'leader', A, 'health');
  srv.addUser('sx', 'liaison', SX, 'health');
  for (const u of ['admin', 'desk', 'mkt', 'lead', 'sx']) {
    const c = new Client(srv.url);
    assert.equal((await c.signIn(u)).status, 200);
    as[u] = c;
  }
});
after(async () => { await srv.stop(); srv.cleanup(); });

const action = (extra = {}) => ({ title: '医疗美容联合执法', region_code: A, participants: ['market', 'insurance'],
  plan: '卫健、市场监管、医保联合检查辖区医疗美容机构，分三组开展。', planned_on: today(), ...extra });

test('joint actions: plan, result by the lead department, counted against 温州\'s two a year', async () => {
  const head = await auditCount();
  let r = await as.desk.post('/api/v1/joint-actions', action({ participants: ['health'], planned_on: '2026-13-01' }));
  isProblem(assert, r, 422);
  assert.deepEqual(r.data.errors.map((e) => e.field).sort(), ['participants', 'planned_on']);
  isProblem(assert, await as.desk.post('/api/v1/joint-actions', action({ region_code: SX })), 422);
  assert.equal(await auditCount(), head, 'refusals change nothing');

  let s = await ok(await as.desk.get(`/api/v1/joint-actions/stats?year=${year()}`));
  assert.deepEqual([s.region_code, s.done, s.target, s.met], [A, 0, 2, false]);

  const a1 = await ok(await as.desk.post('/api/v1/joint-actions', action()), 201);
  assert.equal(a1.state, 'planned');
  assert.deepEqual(a1.participants, ['market', 'insurance']);
  isProblem(assert, await as.mkt.post(`/api/v1/joint-actions/${a1.id}/result`, { done_on: today(), result: '检查机构12家，立案2起。' }), 404);
  isProblem(assert, await as.desk.post(`/api/v1/joint-actions/${a1.id}/result`, { done_on: '2099-01-01', result: '检查机构12家，立案2起。' }), 422);
  const d1 = await ok(await as.desk.post(`/api/v1/joint-actions/${a1.id}/result`, { done_on: today(), result: '检查机构12家，立案2起。' }));
  assert.equal(d1.state, 'done');
  isProblem(assert, await as.desk.post(`/api/v1/joint-actions/${a1.id}/result`, { done_on: today(), result: '再次登记结果内容。' }), 409, 'already-done');
  s = await ok(await as.lead.get(`/api/v1/joint-actions/stats?year=${year()}`));
  assert.deepEqual([s.done, s.planned, s.target, s.met], [1, 0, 2, false]);
  const a2 = await ok(await as.desk.post('/api/v1/joint-actions', action({ title: '非法行医联合打击' })), 201);
  await ok(await as.desk.post(`/api/v1/joint-actions/${a2.id}/result`, { done_on: today(), result: '取缔黑诊所3处。' }));
  s = await ok(await as.desk.get(`/api/v1/joint-actions/stats?year=${year()}&region=${A}`));
  assert.deepEqual([s.done, s.met], [2, true]);
  // 绍兴: one a year is enough; another territory sees none of 鹿城's actions
  const b = await ok(await as.sx.post('/api/v1/joint-actions', action({ region_code: SX })), 201);
  await ok(await as.sx.post(`/api/v1/joint-actions/${b.id}/result`, { done_on: today(), result: '检查机构5家，未发现问题。' }));
  s = await ok(await as.sx.get(`/api/v1/joint-actions/stats?year=${year()}`));
  assert.deepEqual([s.region_code, s.done, s.target, s.met], [SX, 1, 1, true]);
  isProblem(assert, await as.sx.get(`/api/v1/joint-actions/stats?region=${A}`), 404);
  assert.deepEqual((await ok(await as.sx.get('/api/v1/joint-actions'))).items.map((x) => x.id), [b.id]);
  isProblem(assert, await as.sx.get(`/api/v1/joint-actions/${a1.id}`), 404);
  assert.equal((await ok(await as.desk.get(`/api/v1/joint-actions?year=${year()}&state=done`))).items.length, 2);
});

test('joint meetings: decisions become tasks in the owner department\'s inbox until it closes them', async () => {
  const head = await auditCount();
  let r = await as.desk.post('/api/v1/joint-meetings', { title: '第一季度联席会议', region_code: A, held_on: today(),
    attendees: ['market'], decisions: [{ decision: '开展医美专项整治', owner_department: 'nope', due_on: '2026-12-31' }] });
  isProblem(assert, r, 422);
  assert.equal(await auditCount(), head);
  const m = await ok(await as.desk.post('/api/v1/joint-meetings', { title: '第一季度联席会议', region_code: A, held_on: today(),
    attendees: ['market', 'insurance'], minutes: '会议研究了医疗美容乱象整治工作。',
    decisions: [{ decision: '市场监管局牵头清理医美虚假广告', owner_department: 'market', due_on: '2099-06-30' },
      { decision: '卫健委汇总执法案件', owner_department: 'health', due_on: '2000-01-31' }] }), 201);
  assert.equal(m.tasks.length, 2);
  const mine = m.tasks.find((t) => t.owner_department === 'market'), late = m.tasks.find((t) => t.owner_department === 'health');
  assert.equal(late.overdue, true);
  const todos = (await ok(await as.mkt.get('/api/v1/todos?limit=200'))).items;
  assert.ok(todos.some((t) => t.kind === 'complaints.meeting_task' && t.link === `/joint-meetings/${m.id}` && t.due_date === '2099-06-30'));
  const tasks = (await ok(await as.mkt.get('/api/v1/joint-meetings/tasks?state=open'))).items;
  assert.deepEqual(tasks.map((t) => t.id), [mine.id]);
  isProblem(assert, await as.desk.post(`/api/v1/joint-meetings/${m.id}/tasks/${mine.id}/done`, { result: '已完成' }), 403, 'not-your-matter');
  const done = await ok(await as.mkt.post(`/api/v1/joint-meetings/${m.id}/tasks/${mine.id}/done`, { result: '清理虚假广告15条。' }));
  assert.equal(done.state, 'done');
  isProblem(assert, await as.mkt.post(`/api/v1/joint-meetings/${m.id}/tasks/${mine.id}/done`, { result: '再次办结' }), 409, 'already-done');
  const after1 = (await ok(await as.mkt.get('/api/v1/todos?limit=200'))).items;
  assert.ok(!after1.some((t) => t.kind === 'complaints.meeting_task' && t.link === `/joint-meetings/${m.id}`));
  const full = await ok(await as.lead.get(`/api/v1/joint-meetings/${m.id}`));
  assert.deepEqual(full.tasks.map((t) => t.state).sort(), ['done', 'open']);
  isProblem(assert, await as.sx.get(`/api/v1/joint-meetings/${m.id}`), 404);
  assert.equal((await ok(await as.mkt.get(`/api/v1/joint-meetings/${m.id}`))).id, m.id, 'an owner department opens the meeting');
  assert.equal((await ok(await as.desk.get(`/api/v1/joint-meetings?year=${year()}`))).items.length, 1);
});

test('the joint lists export what they list, with their filters and scope; ?format=count counts it', async () => {
  const cases = [['joint-actions', `year=${year()}`], ['joint-actions', 'state=done'], ['joint-meetings', `year=${year()}`],
    ['joint-meetings/tasks', 'state=open'], ['joint-meetings/tasks', 'region=330302']];
  for (const [path, q] of cases) {
    for (const who of [as.desk, as.mkt, as.sx]) {
      const list = (await ok(await who.get(`/api/v1/${path}?${q}&limit=200`))).items;
      assert.deepEqual(await ok(await who.get(`/api/v1/${path}/export?${q}&format=count`)), { total: list.length }, path + q);
      const r = await who.get(`/api/v1/${path}/export?${q}&format=csv`);
      assert.equal(r.status, 200);
      assert.equal(r.data.toString('utf8').split('\r\n').filter(Boolean).length, list.length + 1, path + q);
    }
  }
});

test('state filters: meetings have no state (400, not 500); an unknown state is refused on every joint list', async () => {
  for (const path of ['joint-meetings', 'joint-meetings/export']) {
    const r = await as.desk.get(`/api/v1/${path}?state=open`);
    isProblem(assert, r, 400, 'validation');
    assert.equal(r.data.errors[0].field, 'state');
    assert.match(r.data.detail, /会议没有状态/);
  }
  for (const path of ['joint-actions', 'joint-actions/export', 'joint-meetings/tasks', 'joint-meetings/tasks/export']) {
    const r = await as.desk.get(`/api/v1/${path}?state=bogus`);
    isProblem(assert, r, 400, 'validation');
    assert.equal(r.data.errors[0].field, 'state');
  }
  assert.equal((await as.desk.get('/api/v1/joint-meetings?state=')).status, 200, 'an empty filter is no filter');
});
