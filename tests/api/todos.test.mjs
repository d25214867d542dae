// The to-do inbox (待办): inspection's actions put work into it inside their transactions and close
// it again — a task for its team (created directly, by a draw or as a rectification's follow-up;
// re-addressed when the team changes; done on completion), a rectification follow-up for the
// inspected task's team (done when the order is closed), a publication for the leaders of the
// task's territory (done when published). The caller sees their own and their role's within their
// scope — never another territory's, department's or role's — overdue first, then by due date,
// paged by cursor, counted by kind, exported like every list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';

let srv, admin;
const ids = {}, as = {}, lc = [], lw = [];
const PAST = '2026-01-05', LATER = '2030-06-28', LATEST = '2030-09-30';

const clinic = (code, region, name) => ({
  credit_code: code, name, type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit',
  region_code: region, clinical_depts: ['03'], lng: 120.65, lat: 28.01,
});

async function signedIn(username) {
  const c = new Client(srv.url);
  const r = await c.signIn(username);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  ids[username] = r.data.user.id;
  as[username] = c;
  return c;
}

// Every open to-do of a user, walking the pages with limit=2.
async function inbox(user, query = '') {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const r = await as[user].get(`/api/v1/todos?limit=2${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    assert.ok(r.data.items.length <= 2);
    items.push(...r.data.items);
    cursor = r.data.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('the cursor never ended');
}

const about = (items, type, id) => items.filter((t) => t.object.type === type && t.object.id === id);

async function createTask(by, subject, team, due) {
  const r = await as[by].post('/api/v1/inspection/tasks',
    { kind: 'patrol', subject_id: subject.id, team: team.map((u) => ids[u]), ...(due ? { due_date: due } : {}) });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  return r.data;
}

async function complete(user, task) {
  const url = `/api/v1/inspection/tasks/${task.id}`;
  let r = await as[user].post(`${url}/checkin`, { lng: 120.65, lat: 28.01 });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  r = await as[user].post(`${url}/signature`, { signed: true, signer_name: '王某某' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  r = await as[user].post(`${url}/complete`, { summary: '未发现问题' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data;
}

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('wz.admin', 'admin', '330300');
  srv.addUser('wz.leader', 'leader', '330300');
  srv.addUser('lc.leader', 'leader', '330302');
  srv.addUser('lw.leader', 'leader', '330303');
  srv.addUser('lc.insurance', 'leader', '330302', 'insurance');
  for (let i = 0; i < 4; i++) srv.addUser(`lc.i${i}`, 'inspector', '330302');
  for (let i = 0; i < 2; i++) srv.addUser(`lw.i${i}`, 'inspector', '330303');
  admin = await signedIn('wz.admin');
  for (const u of ['wz.leader', 'lc.leader', 'lw.leader', 'lc.insurance', 'lc.i0', 'lc.i1', 'lc.i2', 'lc.i3', 'lw.i0', 'lw.i1'])
    await signedIn(u);
  for (let i = 0; i < 4; i++) {
    const r = await admin.post('/api/v1/institutions', clinic(creditCode('52330302', String(41000000 + i)), '330302', `鹿城待办诊所${i}`));
    assert.equal(r.status, 201, JSON.stringify(r.data));
    lc.push(r.data);
  }
  const r = await admin.post('/api/v1/institutions', clinic(creditCode('52330303', String(42000000)), '330303', '龙湾待办诊所0'));
  assert.equal(r.status, 201, JSON.stringify(r.data));
  lw.push(r.data);
  for (const [k, u] of ['lc.i0', 'lc.i1', 'lc.i2', 'lc.i3', 'lw.i0', 'lw.i1'].entries()) {
    const p = await admin.req('PUT', `/api/v1/inspection/inspectors/${ids[u]}`, { cert_no: `3399${String(k).padStart(6, '0')}` });
    assert.equal(p.status, 200, JSON.stringify(p.data));
  }
});

after(async () => {
  await srv.stop();
  assert.doesNotMatch(srv.logs, /Sanitizer|runtime error/, srv.logs.slice(0, 4000));
  srv.cleanup();
});

test('a new task is a to-do of each team member, and of no one else', async () => {
  const t = await createTask('lc.i0', lc[0], ['lc.i0', 'lc.i1'], LATER);
  for (const u of ['lc.i0', 'lc.i1']) {
    const mine = about(await inbox(u), 'inspection_task', t.id);
    assert.equal(mine.length, 1, u);
    assert.equal(mine[0].kind, 'inspection.task');
    assert.equal(mine[0].kind_label, '检查任务');
    assert.match(mine[0].title, /日常巡查：鹿城待办诊所0/);
    assert.equal(mine[0].link, `/inspection/tasks/${t.id}`);
    assert.equal(mine[0].due_date, LATER);
    assert.equal(mine[0].overdue, false);
    assert.equal(mine[0].state, 'open');
  }
  // Another inspector of the same territory, the other territory's, and leaders (tasks are
  // addressed to their team, not to a role) see nothing of it.
  for (const u of ['lc.i2', 'lw.i0', 'lc.leader', 'wz.leader', 'wz.admin'])
    assert.equal(about(await inbox(u), 'inspection_task', t.id).length, 0, u);
});

test('overdue first, then by due date, none last; pages by cursor; counts by kind', async () => {
  const none = await createTask('lc.i2', lc[1], ['lc.i2', 'lc.i3']);
  const later = await createTask('lc.i2', lc[1], ['lc.i2', 'lc.i3'], LATEST);
  const overdue = await createTask('lc.i2', lc[2], ['lc.i2', 'lc.i3'], PAST);
  const soon = await createTask('lc.i2', lc[2], ['lc.i2', 'lc.i3'], LATER);
  const items = await inbox('lc.i3');
  assert.deepEqual(items.map((t) => t.object.id), [overdue.id, soon.id, later.id, none.id]);
  assert.deepEqual(items.map((t) => t.overdue), [true, false, false, false]);
  assert.equal(items[3].due_date, null);
  // One page holding everything gives the same order; no to-do appears twice across pages.
  const all = await as['lc.i3'].get('/api/v1/todos?limit=200');
  assert.deepEqual(all.data.items.map((t) => t.id), items.map((t) => t.id));
  assert.equal(all.data.next_cursor, null);
  assert.match(all.data.today, /^\d{4}-\d{2}-\d{2}$/);
  const ov = await as['lc.i3'].get('/api/v1/todos?overdue=true');
  assert.deepEqual(ov.data.items.map((t) => t.object.id), [overdue.id]);

  const c = await as['lc.i3'].get('/api/v1/todos/counts');
  assert.equal(c.status, 200, JSON.stringify(c.data));
  assert.equal(c.data.total, 4);
  assert.equal(c.data.overdue, 1);
  assert.deepEqual(c.data.kinds, [{ kind: 'inspection.task', label: '检查任务', count: 4, overdue: 1 }]);
  const o = await as['lw.i0'].get('/api/v1/todos/counts');
  assert.deepEqual([o.data.total, o.data.kinds.length], [0, 0]);

  isProblem(assert, await as['lc.i3'].get('/api/v1/todos?state=finished'), 400);
  isProblem(assert, await as['lc.i3'].get('/api/v1/todos?cursor=bm9wZQ'), 400);
  isProblem(assert, await new Client(srv.url).get('/api/v1/todos'), 401);
});

test('a new team takes the to-do over; the old team no longer has it, and it is still one', async () => {
  const t = await createTask('lc.i0', lc[3], ['lc.i0', 'lc.i1'], LATER);
  const r = await as['lc.leader'].post(`/api/v1/inspection/tasks/${t.id}/assign`, { team: [ids['lc.i2'], ids['lc.i3']] });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  for (const u of ['lc.i0', 'lc.i1']) assert.equal(about(await inbox(u), 'inspection_task', t.id).length, 0, u);
  for (const u of ['lc.i2', 'lc.i3']) assert.equal(about(await inbox(u), 'inspection_task', t.id).length, 1, u);
});

test('completion closes the task, and the publication is due for the territory\'s leaders until published', async () => {
  const t = await createTask('lc.i0', lc[0], ['lc.i0', 'lc.i1'], PAST);
  assert.equal(about(await inbox('lc.i1', '&overdue=true'), 'inspection_task', t.id).length, 1);
  const done = await complete('lc.i0', t);
  for (const u of ['lc.i0', 'lc.i1']) assert.equal(about(await inbox(u), 'inspection_task', t.id).length, 0, u);
  const closed = about(await inbox('lc.i1', '&state=done'), 'inspection_task', t.id);
  assert.equal(closed.length, 1);
  assert.equal(closed[0].state, 'done');
  assert.equal(closed[0].overdue, false, 'a closed to-do is not overdue');
  assert.ok(closed[0].closed_at > 0);

  // The city's and the district's health leaders; not the neighbouring district's leader, not
  // the insurance bureau's leader of the same district, not the team.
  for (const u of ['lc.leader', 'wz.leader']) {
    const p = about(await inbox(u), 'inspection_task', t.id);
    assert.equal(p.length, 1, u);
    assert.equal(p[0].kind, 'inspection.publication');
    assert.equal(p[0].role, 'leader');
    assert.equal(p[0].due_date, done.publish_due);
    assert.equal(p[0].link, '/inspection/publications');
    assert.match(p[0].title, /鹿城待办诊所0/);
  }
  for (const u of ['lw.leader', 'lc.insurance', 'lc.i0', 'lc.i1', 'wz.admin'])
    assert.equal(about(await inbox(u), 'inspection_task', t.id).length, 0, u);
  const c = await as['lc.leader'].get('/api/v1/todos/counts');
  assert.ok(c.data.kinds.some((k) => k.kind === 'inspection.publication' && k.label === '结果公示' && k.count >= 1));

  const r = await as['lc.leader'].post(`/api/v1/inspection/tasks/${t.id}/publish`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  for (const u of ['lc.leader', 'wz.leader']) assert.equal(about(await inbox(u), 'inspection_task', t.id).length, 0, u);
  assert.equal(about(await inbox('wz.leader', '&state=done'), 'inspection_task', t.id).length, 1);
});

test('a rectification order is a follow-up for the team until it is closed; its follow-up task is a task', async () => {
  const t = await createTask('lc.i2', lc[1], ['lc.i2', 'lc.i3'], LATER);
  await complete('lc.i2', t);
  let r = await as['lc.i2'].post(`/api/v1/inspection/tasks/${t.id}/rectifications`, { requirement: '完善医疗废物登记', working_days: 10 });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const order = r.data;
  for (const u of ['lc.i2', 'lc.i3']) {
    const f = about(await inbox(u), 'rectification_order', order.id);
    assert.equal(f.length, 1, u);
    assert.equal(f[0].kind, 'inspection.rectification');
    assert.equal(f[0].kind_label, '整改复查');
    assert.equal(f[0].due_date, order.deadline);
    assert.equal(f[0].link, `/inspection/tasks/${t.id}`);
  }
  for (const u of ['lc.i0', 'lw.i0', 'lc.leader']) assert.equal(about(await inbox(u), 'rectification_order', order.id).length, 0, u);

  r = await as['lc.i2'].post(`/api/v1/inspection/rectifications/${order.id}/follow-up`, { team: [ids['lc.i0'], ids['lc.i1']] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const fu = about(await inbox('lc.i0'), 'inspection_task', r.data.follow_up_task_id);
  assert.equal(fu.length, 1);
  assert.match(fu[0].title, /整改复查：鹿城待办诊所1/);
  assert.equal(fu[0].due_date, order.deadline);

  r = await as['lc.i3'].post(`/api/v1/inspection/rectifications/${order.id}/close`, { result: 'rectified', note: '已整改' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  for (const u of ['lc.i2', 'lc.i3']) assert.equal(about(await inbox(u), 'rectification_order', order.id).length, 0, u);
  assert.equal(about(await inbox('lc.i3', '&state=done'), 'rectification_order', order.id).length, 1);
});

test('a draw puts each drawn task into its team\'s inbox', async () => {
  const p = await as['wz.leader'].post('/api/v1/inspection/plans', {
    name: '龙湾区待办抽查', kind: 'annual', item_ids: ['8000001'], region_code: '330303', ratio_permille: 1000,
    start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2 });
  assert.equal(p.status, 201, JSON.stringify(p.data));
  const c = await as['wz.leader'].post(`/api/v1/inspection/plans/${p.data.id}/commit`);
  assert.equal(c.status, 201, JSON.stringify(c.data));
  const d = await as['wz.leader'].post(`/api/v1/inspection/draws/${c.data.id}/draw`, { witness: '福彩3D 2026100 期开奖号码 123' });
  assert.equal(d.status, 200, JSON.stringify(d.data));
  const g = await as['wz.leader'].get(`/api/v1/inspection/draws/${c.data.id}`);
  assert.equal(g.data.tasks.length, 1);
  const task = g.data.tasks[0];
  for (const u of ['lw.i0', 'lw.i1']) {
    const mine = about(await inbox(u), 'inspection_task', task.id);
    assert.equal(mine.length, 1, u);
    assert.equal(mine[0].due_date, '2026-11-30', 'due at the end of the plan');
    assert.equal(mine[0].overdue, true);
    assert.match(mine[0].title, /双随机抽查：龙湾待办诊所0/);
  }
  for (const u of ['lc.i0', 'lc.i1', 'lc.i2', 'lc.i3'])
    assert.equal(about(await inbox(u), 'inspection_task', task.id).length, 0, u);
});

test('the inbox exports like every list, with the same filters and scope', async () => {
  const r = await as['lc.i3'].get('/api/v1/todos/export?format=csv');
  assert.equal(r.status, 200);
  const text = r.data.toString('utf8');
  const lines = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  assert.match(lines[0], /类型.*事项.*截止日期.*已逾期.*状态/);
  const open = await inbox('lc.i3');
  assert.ok(open.length >= 4);
  assert.equal(lines.length - 1, open.length);
  assert.match(lines[1], new RegExp(open[0].title));
  assert.match(lines[1], /"是"/, 'the overdue one is first and marked');
  const x = await as['lc.i3'].get('/api/v1/todos/export');
  assert.equal(x.status, 200);
  assert.match(x.type, /spreadsheetml/);
  const other = await as['lw.leader'].get('/api/v1/todos/export?format=csv');
  assert.doesNotMatch(other.data.toString('utf8'), /鹿城/);
});
