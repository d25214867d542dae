// Major public-opinion events (重大舆情, docs/complaints.md "Public-opinion events"): registration with a
// level, response tasks in the departments' inboxes, a timeline written by every department of the
// event, closure with a report only once every task is done — and refusals that change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';

const A = '330302';
let srv;
const as = {};
async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}
const auditCount = async () => (await ok(await as.admin.get('/api/v1/audit/sth'))).tree_size;

before(async () => {
  srv = await new Server().start();
  srv.addUser('admin', 'admin', '330000', 'health');
  srv.addUser('desk', 'liaison', A, 'health');
  srv.addUser('mkt', 'liaison', A, 'market');
  srv.addUser('insB', 'liaison', '330381', 'insurance');
  for (const u of ['admin', 'desk', 'mkt', 'insB']) {
    const c = new Client(srv.url);
    assert.equal((await c.signIn(u)).status, 200);
    as[u] = c;
  }
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('an event from registration through coordinated tasks to its closure report', async () => {
  const body = { title: '某医院患者死亡引发网络舆情', kind: 'opinion', level: 2, region_code: A, source: '微博',
    summary: '网传某医院延误救治致患者死亡，转发量较大。', occurred_on: '2026-11-20',
    tasks: [{ department: 'market', task: '核查涉事医院收费情况', due_on: '2099-11-25' }] };
  const head = await auditCount();
  let r = await as.desk.post('/api/v1/opinion-events', { ...body, level: 7, kind: 'x' });
  isProblem(assert, r, 422);
  assert.deepEqual(r.data.errors.map((e) => e.field).sort(), ['kind', 'level']);
  isProblem(assert, await as.desk.post('/api/v1/opinion-events', { ...body, tasks: [{ department: 'nope', task: '核查', due_on: '2099-01-01' }] }), 422);
  assert.equal(await auditCount(), head, 'refusals change nothing');

  const e = await ok(await as.desk.post('/api/v1/opinion-events', body), 201);
  assert.equal(e.level_label, '重大（Ⅱ级）');
  assert.equal(e.state, 'open');
  assert.equal(e.tasks.length, 1);
  assert.equal(e.timeline.length, 1);
  const todos = (await ok(await as.mkt.get('/api/v1/todos?limit=200'))).items;
  assert.ok(todos.some((t) => t.kind === 'complaints.opinion_task' && t.link === `/opinion-events/${e.id}`));
  // the owner of a task opens the event and writes its timeline; only the lead adds tasks
  assert.equal((await ok(await as.mkt.get(`/api/v1/opinion-events/${e.id}`))).id, e.id);
  isProblem(assert, await as.insB.get(`/api/v1/opinion-events/${e.id}`), 404);
  await ok(await as.mkt.post(`/api/v1/opinion-events/${e.id}/progress`, { entry: '已约谈医院负责人。' }));
  isProblem(assert, await as.mkt.post(`/api/v1/opinion-events/${e.id}/progress`, { tasks: [{ department: 'health', task: '发布通报', due_on: '2099-11-21' }] }), 403);
  const e2 = await ok(await as.desk.post(`/api/v1/opinion-events/${e.id}/progress`, { entry: '发布情况通报。',
    tasks: [{ department: 'health', task: '组织医疗事故技术鉴定', due_on: '2099-12-31' }] }));
  assert.equal(e2.tasks.length, 2);
  assert.equal(e2.timeline.length, 3);

  // not closed while a task is open; tasks closed by their owners
  isProblem(assert, await as.desk.post(`/api/v1/opinion-events/${e.id}/close`, { closure_report: '经调查，网传情况部分属实，已依法处理。' }), 409, 'tasks-open');
  const [tm, th] = [e2.tasks.find((t) => t.department === 'market'), e2.tasks.find((t) => t.department === 'health')];
  isProblem(assert, await as.desk.post(`/api/v1/opinion-events/${e.id}/tasks/${tm.id}/done`, { result: '已核查' }), 403, 'not-your-matter');
  await ok(await as.mkt.post(`/api/v1/opinion-events/${e.id}/tasks/${tm.id}/done`, { result: '收费无异常。' }));
  isProblem(assert, await as.mkt.post(`/api/v1/opinion-events/${e.id}/tasks/${tm.id}/done`, { result: '收费无异常。' }), 409, 'already-done');
  await ok(await as.desk.post(`/api/v1/opinion-events/${e.id}/tasks/${th.id}/done`, { result: '已委托鉴定。' }));
  isProblem(assert, await as.mkt.post(`/api/v1/opinion-events/${e.id}/close`, { closure_report: '经调查，网传情况部分属实，已依法处理。' }), 404);
  isProblem(assert, await as.desk.post(`/api/v1/opinion-events/${e.id}/close`, { closure_report: '短' }), 422);
  const c = await ok(await as.desk.post(`/api/v1/opinion-events/${e.id}/close`, { closure_report: '经调查，网传情况部分属实，医院已整改，相关人员已处理。' }));
  assert.equal(c.state, 'closed');
  assert.ok(c.closed_on);
  assert.equal(c.timeline.at(-1).entry, '结案');
  isProblem(assert, await as.desk.post(`/api/v1/opinion-events/${e.id}/progress`, { entry: '追加' }), 409, 'state');
  const after1 = (await ok(await as.mkt.get('/api/v1/todos?limit=200'))).items;
  assert.ok(!after1.some((t) => t.kind === 'complaints.opinion_task' && t.link === `/opinion-events/${e.id}`));
  assert.deepEqual((await ok(await as.desk.get('/api/v1/opinion-events?state=closed'))).items.map((x) => x.id), [e.id]);
});
