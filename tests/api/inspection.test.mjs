// Double random, one public end to end: the item list and the inspector directory with declared
// conflicts; impossible plans refused before any commitment (ratio > 100 %, team < 2, empty
// territory, credit share < 50 %, too few inspectors without conflicts) with nothing written; a plan
// committed to the audit log, drawn with a witness value, its tasks with teams of ≥ 2 and no declared
// conflict; the public bundle (no sign-in) verifying with `yijian draw verify` and failing after a
// weight or the witness is edited; field results on a task (check-in, checklist, findings,
// attachments by SHA-256, signature), completion with the 20-working-day publication deadline,
// rectification with a working-day deadline and follow-up, publication on the public portal; scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, isProblem, BIN } from './harness.mjs';
import { creditCode } from './codes.mjs';

const MQ = '8000001'; // default item 医疗机构依法执业及医疗质量安全 (clinics among its subject types)
let srv, admin, leader, anon, lcIns = [], lwIns = [], ids = {}, lc = [], lw = [];
let plan, draw, bundle, tasks;

const clinic = (code, region, name) => ({
  credit_code: code, name, type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit',
  region_code: region, clinical_depts: ['03'], lng: 120.65, lat: 28.01,
});

async function signedIn(username) {
  const c = new Client(srv.url);
  const r = await c.signIn(username);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  ids[username] = r.data.user.id;
  return c;
}

function verify(b) {
  const f = path.join(srv.dir, `bundle-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, typeof b === 'string' ? b : JSON.stringify(b, null, 1));
  return spawnSync(BIN, ['draw', 'verify', f], { encoding: 'utf8' });
}

async function treeSize() {
  const r = await anon.get('/api/v1/audit/sth');
  assert.equal(r.status, 200);
  return r.data.tree_size;
}

const planBody = (extra = {}) => ({
  name: '2026年鹿城区医疗机构双随机抽查', kind: 'annual', item_ids: [MQ], region_code: '330302',
  ratio_permille: 500, start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2, ...extra,
});

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('wz.admin', 'admin', '330300');
  srv.addUser('wz.leader', 'leader', '330300');
  for (let i = 0; i < 5; i++) srv.addUser(`lc.i${i}`, 'inspector', '330302');
  for (let i = 0; i < 2; i++) srv.addUser(`lw.i${i}`, 'inspector', '330303');
  admin = await signedIn('wz.admin');
  leader = await signedIn('wz.leader');
  anon = new Client(srv.url);
  for (let i = 0; i < 5; i++) lcIns.push(await signedIn(`lc.i${i}`));
  for (let i = 0; i < 2; i++) lwIns.push(await signedIn(`lw.i${i}`));
  for (let i = 0; i < 12; i++) {
    const r = await admin.post('/api/v1/institutions', clinic(creditCode('52330302', String(31000000 + i)), '330302', `鹿城抽查诊所${i}`));
    assert.equal(r.status, 201, JSON.stringify(r.data));
    lc.push(r.data);
  }
  for (let i = 0; i < 4; i++) {
    const r = await admin.post('/api/v1/institutions', clinic(creditCode('52330303', String(32000000 + i)), '330303', `龙湾抽查诊所${i}`));
    assert.equal(r.status, 201, JSON.stringify(r.data));
    lw.push(r.data);
  }
  // The directory: every inspector with a certificate number.
  for (const [k, u] of ['lc.i0', 'lc.i1', 'lc.i2', 'lc.i3', 'lc.i4', 'lw.i0', 'lw.i1'].entries()) {
    const r = await admin.req('PUT', `/api/v1/inspection/inspectors/${ids[u]}`, { cert_no: `3303${String(k).padStart(6, '0')}` });
    assert.equal(r.status, 200, JSON.stringify(r.data));
  }
  // Entering someone again under another number is refused with the number on record; naming the
  // number being replaced changes it; the same number again is fine.
  let again = await admin.req('PUT', `/api/v1/inspection/inspectors/${ids['lc.i4']}`, { cert_no: '3303999999' });
  isProblem(assert, again, 409);
  assert.match(again.data.detail, /已在执法人员名录中，执法证号为 3303000004/);
  assert.equal((await admin.get(`/api/v1/inspection/inspectors/${ids['lc.i4']}`)).data.cert_no, '3303000004');
  again = await admin.req('PUT', `/api/v1/inspection/inspectors/${ids['lc.i4']}`, { cert_no: '3303999999', expected_cert_no: '3303000004' });
  assert.equal(again.status, 200, JSON.stringify(again.data));
  assert.equal(again.data.cert_no, '3303999999');
  again = await admin.req('PUT', `/api/v1/inspection/inspectors/${ids['lc.i4']}`, { cert_no: '3303999999' });
  assert.equal(again.status, 200);
  // Declared conflicts: lc.i0 worked at clinic 0 (ongoing); lc.i1's relative runs clinic 1.
  let r = await lcIns[0].post(`/api/v1/inspection/inspectors/${ids['lc.i0']}/conflicts`,
    { institution_id: lc[0].id, kind: 'worked', start_date: '2019-01-01', reason: '曾在该诊所任职' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  r = await admin.post(`/api/v1/inspection/inspectors/${ids['lc.i1']}/conflicts`,
    { institution_id: lc[1].id, kind: 'relative', reason: '配偶为该诊所负责人' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  // An inspector cannot declare for someone else.
  r = await lcIns[2].post(`/api/v1/inspection/inspectors/${ids['lc.i0']}/conflicts`,
    { institution_id: lc[2].id, kind: 'relative', reason: '代他人申报' });
  assert.equal(r.status, 404);
  // Risk signals of clinic 2: many complaints, and credit grade D from the credit module's evaluation
  // (two serious penalties on its record), which reaches the signals through credit.grade_changed.
  r = await admin.req('PUT', `/api/v1/inspection/signals/${lc[2].id}`, { complaints: 5 });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  for (const n of [1, 2]) {
    r = await admin.post('/api/v1/credit/records', { subject_kind: 'institution', subject_id: lc[2].id, category: 'penalty',
      title: '罚款', source_doc: `温鹿卫医罚〔2026〕${n}号`, occurred_on: '2026-02-0' + n, serious: true, penalty_kinds: ['fine'] });
    assert.equal(r.status, 201, JSON.stringify(r.data));
  }
  r = await admin.post(`/api/v1/credit/subjects/${lc[2].id}/evaluate`);
  assert.equal(r.data.grade.grade, 'D', JSON.stringify(r.data));
  for (let i = 0; i < 100; i++) {
    const s = (await admin.get('/api/v1/inspection/signals')).data.items.find((x) => x.subject_id === lc[2].id);
    if (s?.credit_grade === 'D' && s.complaints === 5) break;
    assert.ok(i < 99, 'credit grade reaches the signals');
    await new Promise((res) => setTimeout(res, 100));
  }
});

// stop() fails on a non-zero exit or a sanitizer report (ASan build: YIJIAN_BIN=build-asan/yijian).
after(async () => { await srv.stop(); srv.cleanup(); });

test('the default item list covers the seeds\' areas with legal clauses per check point', async () => {
  const r = await lcIns[0].get('/api/v1/inspection/items');
  assert.equal(r.status, 200);
  const names = r.data.items.map((i) => i.name).join('|');
  for (const area of ['医疗质量', '传染病', '医疗废物', '放射', '血', '公共场所', '饮用水', '学校', '职业卫生', '医疗美容', '中医养生'])
    assert.match(names, new RegExp(area));
  for (const it of r.data.items) {
    assert.match(it.legal_basis, /《.+》/);
    assert.ok(it.checklist.length >= 3);
    for (const p of it.checklist) assert.match(p.clause, /《.+》/, `${it.code} ${p.code}`);
  }
  const bad = await admin.post('/api/v1/inspection/items', { code: 'X-1', department: 'health', name: '测试', legal_basis: '《某法》',
    subject_types: ['spaceport'], checklist: [], ratio_permille: 2000, coverage_years: 3 });
  isProblem(assert, bad, 422);
  const fields = bad.data.errors.map((e) => e.field);
  for (const f of ['subject_types', 'checklist', 'ratio_permille']) assert.ok(fields.includes(f), f);
  isProblem(assert, await lcIns[0].post('/api/v1/inspection/items', { code: 'X-2' }), 403);
});

test('impossible plans are refused before any commitment, with reasons', async () => {
  const size = await treeSize();
  const planCount = async () => {
    const r = await leader.get('/api/v1/inspection/plans');
    assert.equal(r.status, 200, JSON.stringify(r.data));
    return r.data.items.length;
  };
  const plans = await planCount();
  for (const [extra, field] of [[{ ratio_permille: 1500 }, 'ratio_permille'], [{ team_size: 1 }, 'team_size'],
    [{ region_code: '' }, 'region_code'], [{ credit_share_permille: 300 }, 'credit_share_permille']]) {
    const r = await leader.post('/api/v1/inspection/plans', planBody(extra));
    isProblem(assert, r, 422);
    assert.ok(r.data.errors.some((e) => e.field === field && /[\u4e00-\u9fa5]/.test(e.detail)), JSON.stringify(r.data));
  }
  // The four refused plans wrote nothing: no plan, no audit leaf.
  assert.equal(await treeSize(), size, 'no audit leaf for a refused plan');
  assert.equal(await planCount(), plans, 'no plan stored');
  // 龙湾区 has two inspectors; a team of three cannot be formed without them all, so the plan is
  // accepted as a plan but its commitment is refused, and nothing is committed.
  const p = await leader.post('/api/v1/inspection/plans', planBody({ name: '龙湾三人组', region_code: '330303', team_size: 3 }));
  assert.equal(p.status, 201, JSON.stringify(p.data));
  const before = await treeSize();
  const c = await leader.post(`/api/v1/inspection/plans/${p.data.id}/commit`);
  isProblem(assert, c, 422);
  assert.match(c.data.detail, /执法人员/);
  assert.equal(await treeSize(), before, 'no audit leaf for a refused commitment');
  const again = await leader.get(`/api/v1/inspection/plans/${p.data.id}`);
  assert.equal(again.data.state, 'draft');
  assert.equal(again.data.draw_id, null);
  // 鹿城区 clinic 0 and 1 each lose one inspector to a conflict; with team_size 5 they cannot be covered.
  const q = await leader.post('/api/v1/inspection/plans', planBody({ name: '五人组', team_size: 5 }));
  assert.equal(q.status, 201);
  const beforeQ = await treeSize();
  const d = await leader.post(`/api/v1/inspection/plans/${q.data.id}/commit`);
  isProblem(assert, d, 422);
  assert.match(d.data.detail, /利益冲突|执法人员/);
  assert.equal(await treeSize(), beforeQ, 'no audit leaf for a refused commitment');
  // An inspector may not plan.
  isProblem(assert, await lcIns[0].post('/api/v1/inspection/plans', planBody()), 403);
});

test('commit, draw with a witness, tasks with conflict-free teams of two', async () => {
  const p = await leader.post('/api/v1/inspection/plans', planBody({ weight_factors: { complaint_permille: 300 } }));
  assert.equal(p.status, 201, JSON.stringify(p.data));
  plan = p.data;
  assert.equal(plan.weight_factors.complaint_permille, 300);
  assert.equal(plan.weight_factors.violation_permille, 500);
  const c = await leader.post(`/api/v1/inspection/plans/${plan.id}/commit`);
  assert.equal(c.status, 201, JSON.stringify(c.data));
  draw = c.data;
  assert.equal(draw.state, 'committed');
  assert.match(draw.input_hash, /^[0-9a-f]{64}$/);
  assert.match(draw.secret_hash, /^[0-9a-f]{64}$/);
  assert.equal(draw.server_secret, null, 'the secret stays sealed until the draw');
  assert.equal(draw.subject_count, 12);
  assert.equal(draw.draw_count, 6);
  isProblem(assert, await leader.post(`/api/v1/inspection/plans/${plan.id}/commit`), 409);
  isProblem(assert, await anon.get(`/api/v1/public/draws/${draw.id}/bundle`), 404);
  // The commitment leaf is in the log, signed before the draw.
  const leaves = await admin.get(`/api/v1/audit/leaves?limit=200`);
  assert.equal(leaves.status, 200);
  assert.ok(leaves.data.items.some((l) => String(l.idx ?? l.index) === String(draw.commit_leaf) && l.action === 'inspection.draw.commit'),
    JSON.stringify(leaves.data.items.slice(-3)));

  isProblem(assert, await leader.post(`/api/v1/inspection/draws/${draw.id}/draw`, { witness: '   ' }), 422);
  const w = '福彩3D 2026057 期开奖号码 381';
  const d = await leader.post(`/api/v1/inspection/draws/${draw.id}/draw`, { witness: w });
  assert.equal(d.status, 200, JSON.stringify(d.data));
  assert.equal(d.data.state, 'drawn');
  assert.equal(d.data.witness, w);
  assert.match(d.data.server_secret, /^[0-9a-f]{64}$/);
  assert.ok(d.data.draw_leaf > d.data.commit_leaf);
  isProblem(assert, await leader.post(`/api/v1/inspection/draws/${draw.id}/draw`, { witness: '另一个' }), 409);
  const g = await leader.get(`/api/v1/inspection/draws/${draw.id}`);
  tasks = g.data.tasks;
  assert.equal(tasks.length, 6);
  const conflicts = { [lc[0].id]: ids['lc.i0'], [lc[1].id]: ids['lc.i1'] };
  for (const t of tasks) {
    assert.equal(t.team.length, 2);
    assert.notEqual(t.team[0].id, t.team[1].id);
    for (const m of t.team) assert.notEqual(m.id, conflicts[t.subject_id], 'a conflicted inspector was drawn');
    for (const m of t.team) assert.ok([0, 1, 2, 3, 4].some((i) => ids[`lc.i${i}`] === m.id), 'only 鹿城区 inspectors cover 鹿城区');
  }
});

test('the public bundle verifies with yijian draw verify, and fails after editing a weight or the witness', async () => {
  const list = await anon.get('/api/v1/public/draws');
  assert.equal(list.status, 200);
  assert.ok(list.data.items.some((x) => x.id === draw.id && x.input_hash === draw.input_hash));
  const r = await anon.get(`/api/v1/public/draws/${draw.id}/bundle`);
  assert.equal(r.status, 200);
  const text = JSON.stringify(r.data);
  bundle = r.data;
  assert.equal(bundle.format, 'yijian-draw-v1');
  assert.equal(bundle.commitment.input_hash, draw.input_hash);
  assert.equal(bundle.commitment.audit_leaf, draw.commit_leaf);
  const risky = bundle.subjects.find((s) => s.id === lc[2].id);
  assert.equal(risky.weight_factors.credit_grade.grade, 'D');
  assert.equal(risky.weight, 1000 + 5 * 300 + 2000 + 5 * 200);
  // Inspectors appear as pseudonyms only: no user id, name or certificate number in the bundle.
  for (const i of bundle.inspectors) {
    assert.deepEqual(Object.keys(i).sort(), ['department', 'excluded', 'id', 'region_code']);
    assert.match(i.id, /^p[0-9a-f]{16}$/);
  }
  for (const u of Object.keys(ids)) {
    assert.ok(!text.includes(ids[u]), `user id of ${u} in the public bundle`);
    assert.ok(!text.includes(`"${u}"`), `name of ${u} in the public bundle`);
  }
  assert.ok(!/"cert_no"|"3303\d{6}"/.test(text), 'a certificate number in the public bundle');
  // The signed-in view maps pseudonyms to people: the task of each drawn subject names its team.
  const member = {};
  for (const s of bundle.result.subjects) {
    const t = tasks.find((x) => x.subject_id === s.id);
    s.inspectors.forEach((p, k) => { member[p] = t.team[k].id; });
  }
  const pseudonym = (u) => Object.keys(member).find((p) => member[p] === ids[u]);
  const i0 = bundle.inspectors.find((i) => i.id === pseudonym('lc.i0'));
  assert.ok(i0, 'lc.i0 was drawn into some team');
  assert.ok(i0.excluded.includes(lc[0].id), 'the declared conflict is there, as an exclusion');
  assert.equal(bundle.inspectors.length, 5, '龙湾区 inspectors are outside the territory');
  let v = verify(text);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /match/);
  const w = JSON.parse(text);
  w.subjects[3].weight += 1;
  v = verify(w);
  assert.equal(v.status, 1, v.stdout + v.stderr);
  assert.match(v.stdout + v.stderr, /input hash/);
  const x = JSON.parse(text);
  x.witness += '0';
  v = verify(x);
  assert.equal(v.status, 1, v.stdout + v.stderr);
  assert.match(v.stdout + v.stderr, /seed|witness/);
});

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2264d2a0000000049454e44ae426082', 'hex');

test('field results, completion, rectification and publication', async () => {
  const t = tasks[0];
  const memberName = Object.keys(ids).find((u) => ids[u] === t.team[0].id);
  const member = lcIns[Number(memberName.slice(-1))];
  const other = lcIns.find((c, i) => !t.team.some((m) => m.id === ids[`lc.i${i}`]));
  const url = `/api/v1/inspection/tasks/${t.id}`;
  let r = await member.get(url);
  assert.equal(r.status, 200);
  assert.equal(r.data.checklist.length, 5);
  assert.deepEqual(r.data.progress, { answered: 0, total: 5 });
  isProblem(assert, await other.post(`${url}/checkin`, { lng: 120.65, lat: 28.01 }), 403);
  isProblem(assert, await member.post(`${url}/checkin`, { lng: 10, lat: 28.01 }), 422);
  r = await member.post(`${url}/checkin`, { lng: 120.654321, lat: 28.012345 });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.checkin.lng, 120.654321);
  assert.equal(r.data.state, 'in_progress');
  const points = r.data.checklist.map((p) => p.code);
  isProblem(assert, await member.req('PUT', `${url}/checklist/${points[1]}`, { result: 'non_compliant' }), 422);
  isProblem(assert, await member.req('PUT', `${url}/checklist/NO-SUCH`, { result: 'compliant' }), 422);
  for (const [i, code] of points.entries()) {
    r = await member.req('PUT', `${url}/checklist/${code}`, i === 1 ? { result: 'non_compliant', note: '超出核准诊疗科目开展医疗美容' } : { result: 'compliant' });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    assert.equal(r.data.code, code);
  }
  isProblem(assert, await member.post(`${url}/findings`, { severity: 'grave', description: '' }), 422);
  r = await member.post(`${url}/findings`, { point_code: points[1], severity: 'general', description: '开展超范围诊疗活动' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.clause, '《医疗机构管理条例》第二十七条');
  const finding = r.data.id;
  r = await member.req('POST', `${url}/attachments?name=${encodeURIComponent('现场照片.png')}`, PNG, { 'content-type': 'application/octet-stream' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.sha256, createHash('sha256').update(PNG).digest('hex'));
  assert.equal(r.data.media_type, 'image/png');
  const dl = await member.get(r.data.url);
  assert.equal(dl.status, 200);
  assert.ok(Buffer.compare(dl.data, PNG) === 0);
  isProblem(assert, await member.req('POST', `${url}/attachments`, Buffer.from('MZ not a photo'), { 'content-type': 'application/octet-stream' }), 415);
  isProblem(assert, await member.req('POST', `${url}/attachments`, PNG, { 'content-type': 'image/png' }), 415);
  r = await member.post(`${url}/complete`, {});
  isProblem(assert, r, 422);
  assert.ok(r.data.errors.some((e) => e.field === 'signature'));
  isProblem(assert, await member.post(`${url}/signature`, { signed: false }), 422);
  r = await member.post(`${url}/signature`, { signed: true, signer_name: '王某某' });
  assert.equal(r.status, 200);
  r = await member.post(`${url}/complete`, { summary: '发现超范围执业，责令整改' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.state, 'completed');
  assert.equal(r.data.outcome, 'non_compliant');
  const wd = await member.get(`/api/v1/calendar/working-days?from=${r.data.completed_on}&days=20`);
  assert.equal(r.data.publish_due, wd.data.date);
  isProblem(assert, await member.req('PUT', `${url}/checklist/${points[0]}`, { result: 'compliant' }), 409);

  // Rectification within 10 working days, a follow-up inspection, closure.
  r = await member.post(`${url}/rectifications`, { requirement: '立即停止超范围诊疗活动', working_days: 0 });
  isProblem(assert, r, 422);
  r = await member.post(`${url}/rectifications`, { requirement: '立即停止超范围诊疗活动', working_days: 10, finding_id: finding });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const order = r.data;
  const due10 = await member.get(`/api/v1/calendar/working-days?from=${order.issued_on}&days=10`);
  assert.equal(order.deadline, due10.data.date);
  assert.equal(order.overdue, false);
  // The order names the institution it binds, as the list shows it.
  const listed = (await member.get('/api/v1/inspection/rectifications')).data.items.find((o) => o.id === order.id);
  const task = (await member.get(url)).data;
  assert.equal(listed.subject_name, task.subject.name);
  assert.equal(listed.subject_code, task.subject.credit_code);
  // The export has every order of the list with the same filters, the institution first.
  const csv = (await member.get('/api/v1/inspection/rectifications/export?format=csv&state=open')).data.toString('utf8');
  assert.match(csv.split('\n')[0], /"被检查机构","统一社会信用代码","整改要求"/);
  assert.match(csv, new RegExp(`"${task.subject.name}","${task.subject.credit_code}","立即停止超范围诊疗活动"`));
  const xlsx = await member.get('/api/v1/inspection/rectifications/export');
  assert.equal(xlsx.status, 200);
  assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
  r = await member.post(`/api/v1/inspection/rectifications/${order.id}/follow-up`, {});
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const fu = await member.get(`/api/v1/inspection/tasks/${r.data.follow_up_task_id}`);
  assert.equal(fu.data.kind, 'follow_up');
  assert.equal(fu.data.source_order_id, order.id);
  isProblem(assert, await member.post(`/api/v1/inspection/rectifications/${order.id}/follow-up`, {}), 409);
  r = await member.post(`/api/v1/inspection/rectifications/${order.id}/close`, { result: 'rectified', note: '复查已停止超范围执业' });
  assert.equal(r.status, 200);
  assert.equal(r.data.state, 'rectified');

  // Publication: tracked with its deadline, not overdue yet, published by a leader, public.
  r = await leader.get('/api/v1/inspection/publications');
  const pub = r.data.items.find((x) => x.task_id === t.id);
  assert.ok(pub);
  assert.equal(pub.publish_due, wd.data.date);
  assert.equal(pub.overdue, false);
  r = await leader.get('/api/v1/inspection/publications?overdue=true');
  assert.ok(!r.data.items.some((x) => x.task_id === t.id));
  isProblem(assert, await member.post(`${url}/publish`), 403);
  isProblem(assert, await leader.post(`/api/v1/inspection/tasks/${tasks[1].id}/publish`), 409);
  r = await leader.post(`${url}/publish`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  isProblem(assert, await leader.post(`${url}/publish`), 409);
  r = await anon.get('/api/v1/public/inspection-results?region=330302');
  assert.equal(r.status, 200);
  const res = r.data.items.find((x) => x.id === t.id);
  assert.equal(res.outcome, 'non_compliant');
  assert.equal(res.findings[0].clause, '《医疗机构管理条例》第二十七条');
  assert.deepEqual(res.items, ['医疗机构依法执业及医疗质量安全']);
  r = await leader.get('/api/v1/inspection/publications');
  assert.ok(!r.data.items.some((x) => x.task_id === t.id));

  // Announced to other modules as events (docs/events.md), newest first, each in its change's transaction.
  r = await admin.get(`/api/v1/system/events?subject_type=inspection_task&subject_id=${t.id}`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.deepEqual(r.data.items.map((e) => e.type),
    ['inspection.result_published', 'inspection.task_completed', 'inspection.finding_recorded']);
  const [published, completed, found] = r.data.items;
  assert.equal(found.payload.finding.id, finding);
  const subject = (await member.get(url)).data.subject.id;
  assert.ok(subject);
  assert.equal(found.payload.subject_id, subject);
  assert.equal(completed.payload.outcome, 'non_compliant');
  assert.equal(completed.payload.publish_due, wd.data.date);
  assert.equal(published.payload.task_id, t.id);
  assert.equal(published.region_code, '330302');
  assert.equal(published.actor, ids['wz.leader']);
});

test('direct tasks refuse conflicted or too small teams; scope keeps a county inspector to the county', async () => {
  const base = { kind: 'patrol', subject_id: lc[0].id, item_ids: ['8000003'] };
  let r = await lcIns[2].post('/api/v1/inspection/tasks', { ...base, team: [ids['lc.i2']] });
  isProblem(assert, r, 422);
  r = await lcIns[2].post('/api/v1/inspection/tasks', { ...base, team: [ids['lc.i0'], ids['lc.i2']] });
  isProblem(assert, r, 422);
  assert.ok(r.data.errors.some((e) => /利益冲突/.test(e.detail)), JSON.stringify(r.data));
  r = await lcIns[2].post('/api/v1/inspection/tasks', { ...base, team: [ids['lw.i0'], ids['lc.i2']] });
  isProblem(assert, r, 422);
  r = await lcIns[2].post('/api/v1/inspection/tasks', { ...base, kind: 'flight', team: [ids['lc.i2'], ids['lc.i3']] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.kind_label, '飞行检查');
  assert.equal(r.data.checklist.length, 5);
  const direct = r.data.id;
  // 龙湾区 inspectors see none of 鹿城区's tasks; 鹿城区 inspectors see them.
  r = await lwIns[0].get('/api/v1/inspection/tasks?limit=200');
  assert.equal(r.status, 200);
  assert.equal(r.data.items.filter((x) => x.region_code.startsWith('330302')).length, 0);
  isProblem(assert, await lwIns[0].get(`/api/v1/inspection/tasks/${direct}`), 404);
  isProblem(assert, await lwIns[0].get(`/api/v1/inspection/tasks/${tasks[0].id}`), 404);
  r = await lcIns[3].get('/api/v1/inspection/tasks?limit=200');
  assert.ok(r.data.items.some((x) => x.id === direct));
  r = await lcIns[3].get('/api/v1/inspection/tasks?mine=true&limit=200');
  assert.ok(r.data.items.some((x) => x.id === direct), 'the direct task is among lc.i3\'s own');
  assert.ok(r.data.items.every((x) => x.team.some((m) => m.id === ids['lc.i3'])));
  // The region filter and the export use the same filters and scope as the list.
  const all = (await lcIns[3].get('/api/v1/inspection/tasks?limit=200')).data.items;
  r = await lcIns[3].get('/api/v1/inspection/tasks?region=330302&limit=200');
  assert.equal(r.data.items.length, all.filter((x) => x.region_code.startsWith('330302')).length);
  assert.equal((await lwIns[0].get('/api/v1/inspection/tasks?region=330302&limit=200')).data.items.length, 0);
  const csv = (await lcIns[3].get('/api/v1/inspection/tasks/export?format=csv')).data.toString('utf8');
  assert.ok(csv.includes('检查对象') && csv.split('\n').filter((l) => l.trim()).length === all.length + 1);
  const lwCsv = (await lwIns[0].get('/api/v1/inspection/tasks/export?format=csv')).data.toString('utf8');
  assert.ok(!all.some((x) => lwCsv.includes(x.subject.credit_code)));
  // A 龙湾区 inspector cannot create a task for a 鹿城区 subject.
  r = await lwIns[0].post('/api/v1/inspection/tasks', { ...base, subject_id: lc[5].id, team: [ids['lw.i0'], ids['lw.i1']] });
  isProblem(assert, r, 422);
});

test('the working-day calendar: 2026 holidays and make-up days, edited by administrators', async () => {
  let r = await anon.get('/api/v1/calendar?year=2026');
  assert.equal(r.status, 401);
  r = await lcIns[0].get('/api/v1/calendar?year=2026');
  assert.equal(r.status, 200);
  const day = (d) => r.data.items.find((x) => x.day === d);
  assert.equal(day('2026-10-01').kind, 'holiday');
  assert.equal(day('2026-10-10').kind, 'workday');
  assert.equal(day('2026-02-14').kind, 'workday');
  const add = async (from, days) => (await lcIns[0].get(`/api/v1/calendar/working-days?from=${from}&days=${days}`)).data.date;
  assert.equal(await add('2026-09-30', 1), '2026-10-08'); // 国庆节 1–7 October
  assert.equal(await add('2026-10-09', 1), '2026-10-10'); // make-up Saturday
  assert.equal(await add('2026-02-13', 1), '2026-02-14'); // 春节 make-up Saturday
  assert.equal(await add('2026-02-14', 1), '2026-02-24');
  isProblem(assert, await lcIns[0].req('PUT', '/api/v1/calendar/2027-10-01', { kind: 'holiday', name: '国庆节' }), 403);
  isProblem(assert, await admin.req('PUT', '/api/v1/calendar/2027-02-30', { kind: 'holiday', name: '无' }), 404);
  isProblem(assert, await admin.req('PUT', '/api/v1/calendar/2027-10-01', { kind: 'rest', name: '国庆节' }), 422);
  r = await admin.req('PUT', '/api/v1/calendar/2027-10-01', { kind: 'holiday', name: '国庆节' });
  assert.equal(r.status, 200);
  assert.equal(await add('2027-09-30', 1), '2027-10-04');
  r = await admin.del('/api/v1/calendar/2027-10-01');
  assert.equal(r.status, 204);
  assert.equal(await add('2027-09-30', 1), '2027-10-01');
});

test('a witness must be declared as published after the commitment; pseudonyms stay the same across draws', async () => {
  const p = await leader.post('/api/v1/inspection/plans', planBody({ name: '2026年鹿城区专项抽查', kind: 'special' }));
  assert.equal(p.status, 201, JSON.stringify(p.data));
  const c = await leader.post(`/api/v1/inspection/plans/${p.data.id}/commit`);
  assert.equal(c.status, 201, JSON.stringify(c.data));
  const url = `/api/v1/inspection/draws/${c.data.id}/draw`, at = c.data.committed_at;
  // The commitment time is the commitment leaf's own time in the log.
  const leaves = await admin.get(`/api/v1/audit/leaves?object_type=inspection_draw&object_id=${c.data.id}`);
  assert.equal(leaves.status, 200);
  const commitLeaf = leaves.data.items.find((l) => l.action === 'inspection.draw.commit');
  assert.equal(commitLeaf?.idx, c.data.commit_leaf);
  assert.equal(commitLeaf.at, at);
  const source = '中国福利彩票 福彩3D 第2026058期';
  const size = await treeSize();
  for (const body of [
    { witness: '382', witness_source: source },              // a source without its time
    { witness: '382', witness_published_at: at + 60000 },    // a time without its source
    { witness: '382', witness_source: source, witness_published_at: at - 86400000 }, // known before the commitment
    { witness: '382', witness_source: source, witness_published_at: at },
    { witness: '382', witness_source: source, witness_published_at: Date.now() + 86400000 }, // not yet published
  ]) {
    const r = await leader.post(url, body);
    isProblem(assert, r, 422);
    assert.match(r.data.detail, /见证值/, JSON.stringify(body));
  }
  assert.equal(await treeSize(), size, 'nothing written for a refused witness');
  const d = await leader.post(url, { witness: '382', witness_source: source, witness_published_at: at + 1 });
  assert.equal(d.status, 200, JSON.stringify(d.data));
  const r = await anon.get(`/api/v1/public/draws/${c.data.id}/bundle`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.data.witness_source, { source, published_at: at + 1 });
  assert.equal(r.data.commitment.committed_at, at);
  const v = verify(r.data);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  // The same five inspectors under the same five pseudonyms as in the first draw.
  assert.deepEqual(r.data.inspectors.map((i) => i.id).sort(), bundle.inspectors.map((i) => i.id).sort());
});

test('a draft plan is edited and deleted; once committed it is neither', async () => {
  const body = { name: '草稿计划', kind: 'special', item_ids: [(await admin.get('/api/v1/inspection/items')).data.items[0].id],
    region_code: '330302', ratio_permille: 100, start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2 };
  let r = await admin.post('/api/v1/inspection/plans', body);
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const id = r.data.id;
  r = await admin.req('PUT', `/api/v1/inspection/plans/${id}`, { ...body, name: '草稿计划（改）', ratio_permille: 250 });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.name, '草稿计划（改）');
  assert.equal(r.data.ratio_permille, 250);
  r = await admin.req('PUT', `/api/v1/inspection/plans/${id}`, { ...body, ratio_permille: 1200 });
  isProblem(assert, r, 422);
  assert.equal((await admin.get(`/api/v1/inspection/plans/${id}`)).data.ratio_permille, 250, 'a refused edit changes nothing');
  assert.equal((await admin.req('DELETE', `/api/v1/inspection/plans/${id}`)).status, 204);
  isProblem(assert, await admin.get(`/api/v1/inspection/plans/${id}`), 404);
  const leaves = (await admin.get(`/api/v1/audit/leaves?object_type=inspection_plan&object_id=${id}`)).data.items.map((l) => l.action);
  assert.deepEqual(leaves.sort(), ['inspection.plan.create', 'inspection.plan.delete', 'inspection.plan.update']);
  // A committed plan stays as committed.
  const committed = (await admin.get('/api/v1/inspection/plans')).data.items.find((p) => p.state !== 'draft');
  assert.ok(committed, 'the suite committed a plan');
  r = await admin.req('PUT', `/api/v1/inspection/plans/${committed.id}`, { ...body, region_code: committed.region_code });
  isProblem(assert, r, 409);
  assert.match(r.data.detail, /已提交承诺/);
  isProblem(assert, await admin.req('DELETE', `/api/v1/inspection/plans/${committed.id}`), 409);
});
