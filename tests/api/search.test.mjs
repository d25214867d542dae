// The keyword search (?q=) of the case list and the inspection task list, which the console's header
// search asks (GlobalSearch.vue): every word must occur in the party's or subject's name (or the
// decision number; tests/api/enforcement.test.mjs finds a case by its number), a word of digits may be
// the case's, its clue's or the task's id; another territory's cases and tasks are never found, LIKE's
// own characters are taken literally, and a text longer than 50 characters is refused as the registry
// lists refuse it. The export takes the same q.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, isProblem } from './harness.mjs';
import { twoTerritories, A, B } from './territories.mjs';

let srv, a, b;
const cases = {};

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}
const ids = (page) => page.items.map((x) => x.id).sort();
const find = async (c, path, q, extra = '') => ok(await c.get(`${path}?q=${encodeURIComponent(q)}&limit=50${extra}`));

// A case filed on a clue about subject (an institution or a practitioner) of territory t.
async function fileCase(t, kind, subject) {
  const clue = await ok(await t.clients.inspector.post('/api/v1/cases/clues', { source: 'manual', subject_kind: kind,
    subject_id: subject.id, summary: '群众反映超范围执业' }), 201);
  return ok(await t.clients.leader.post('/api/v1/cases', { clue_id: clue.id, officers: t.team, opinion: '同意立案' }), 201);
}

before(async () => {
  srv = new Server();
  await srv.start();
  const T = await twoTerritories(srv);
  a = T[A];
  b = T[B];
  cases.a = await fileCase(a, 'institution', a.inst);    // 330302绑定诊所
  cases.aOther = await fileCase(a, 'institution', a.other); // 330302他家诊所
  cases.aPrac = await fileCase(a, 'practitioner', a.prac); // 张三
  cases.b = await fileCase(b, 'institution', b.inst);    // 330381绑定诊所
});
after(async () => { await srv?.stop(); srv?.cleanup(); });

test('cases: q finds by the party\'s name word by word, by case or clue number, within the caller\'s territory only', async () => {
  const L = a.clients.leader, path = '/api/v1/cases';
  assert.deepEqual(ids(await find(L, path, '绑定')), [cases.a.id], 'another territory\'s 绑定诊所 is not found');
  assert.deepEqual(ids(await find(b.clients.leader, path, '绑定')), [cases.b.id]);
  assert.deepEqual(ids(await find(L, path, '诊所')), [cases.a.id, cases.aOther.id].sort());
  // several words, separated by spaces or the ideographic space: each must match, in any order
  assert.deepEqual(ids(await find(L, path, '诊所 330302　他家')), [cases.aOther.id]);
  assert.deepEqual((await find(L, path, '绑定 他家')).items, [], 'the words of two names find neither');
  assert.deepEqual(ids(await find(L, path, '张三')), [cases.aPrac.id], 'a practitioner party');
  // the case's and its clue's numbers
  assert.deepEqual(ids(await find(L, path, cases.a.id)), [cases.a.id]);
  assert.deepEqual(ids(await find(L, path, cases.a.clue_id)), [cases.a.id]);
  assert.deepEqual((await find(b.clients.leader, path, cases.a.id)).items, [], 'not another territory\'s case by number');
  // no match; LIKE's characters are looked for as themselves
  assert.deepEqual((await find(L, path, '没有这家')).items, []);
  assert.deepEqual((await find(L, path, '%')).items, []);
  assert.deepEqual((await find(L, path, '诊_')).items, []);
  // a blank q is no filter; q combines with the other filters
  assert.equal((await find(L, path, '  ')).items.length, 3);
  assert.deepEqual(ids(await find(L, path, '诊所', '&state=filed&officer=me')), [], 'the leader is no officer');
  assert.deepEqual(ids(await find(a.clients.inspector, path, '他家', '&officer=me')), [cases.aOther.id]);
  // too long: refused as the registry lists refuse it
  const r = await L.get(`${path}?q=${encodeURIComponent('诊'.repeat(51))}`);
  isProblem(assert, r, 400);
  assert.equal(r.data.errors[0].field, 'q');
  assert.equal((await find(L, path, '诊'.repeat(50))).items.length, 0);
  // the export takes the same q
  assert.deepEqual(await ok(await L.get(`${path}/export?q=${encodeURIComponent('诊所')}&format=count`)), { total: 2 });
  isProblem(assert, await L.get(`${path}/export?q=${encodeURIComponent('诊'.repeat(51))}&format=count`), 400);
  const csv = await L.get(`${path}/export?q=${encodeURIComponent('他家')}&format=csv`);
  assert.equal(csv.status, 200);
  assert.match(String(csv.data), /330302他家诊所/);
  assert.doesNotMatch(String(csv.data), /绑定诊所/);
});

test('tasks: q finds by the subject\'s name word by word or by the task number, within scope only', async () => {
  const I = a.clients.inspector, path = '/api/v1/inspection/tasks';
  assert.deepEqual(ids(await find(I, path, '绑定')), [a.task.id]);
  assert.deepEqual(ids(await find(b.clients.inspector, path, '绑定')), [b.task.id]);
  assert.deepEqual(ids(await find(I, path, '诊所 他家')), [a.otherTask.id]);
  assert.deepEqual((await find(I, path, '绑定 他家')).items, []);
  assert.deepEqual((await find(I, path, '330381')).items, [], 'another territory\'s names');
  assert.deepEqual(ids(await find(I, path, a.task.id)), [a.task.id]);
  assert.deepEqual((await find(b.clients.inspector, path, a.task.id)).items, []);
  assert.deepEqual((await find(I, path, '%')).items, []);
  // the page keeps its teams with q
  const page = await find(I, path, '他家');
  assert.equal(page.items[0].team.length, 2);
  // an institution user: its own tasks only, whatever the words
  assert.deepEqual(ids(await find(a.clients.institution, path, '诊所')), [a.task.id]);
  const r = await I.get(`${path}?q=${encodeURIComponent('x'.repeat(51))}`);
  isProblem(assert, r, 400);
  assert.equal(r.data.errors[0].field, 'q');
  assert.deepEqual(await ok(await I.get(`${path}/export?q=${encodeURIComponent('诊所 330302')}&format=count`)), { total: 2 });
  isProblem(assert, await I.get(`${path}/export?q=${encodeURIComponent('x'.repeat(51))}`), 400);
});
