// Complaints and reports (投诉举报, docs/complaints.md): the public's intake with a tracking code and
// its status page (no personal data), console entry, dispatch by the desk to a lead unit and
// co-handlers with their to-dos, deadlines on the working-day calendar across holidays, pauses,
// the reply the reporter reads, revisit, return of a wrongly routed matter, duplicates offered for
// merging with the reply reaching every reporter, the referral to enforcement and the
// substantiation events, the audited disclosure of the reporter — and refusals that change nothing:
// a department answering a matter not its own, bad fields, oversized or unknown attachments, and a
// flood from one address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';

const A = '330302', B = '330381';
let srv;
const as = {};

async function signedIn(username) {
  const c = new Client(srv.url);
  const r = await c.signIn(username);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  as[username] = c;
  return c;
}
async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}
const pub = () => new Client(srv.url);
const form = (extra = {}) => ({
  category: 'medical_service', title: '门诊收费后未提供服务', region_code: A, subject_name: '鹿城某某诊所',
  content: '2026年11月在该诊所就诊，缴费后医生未接诊，工作人员拒绝退费。', anonymous: true, ...extra,
});
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fe0dd39d2f0000000049454e44ae426082', 'hex');

// Working days as the platform counts them: Monday–Friday unless a holiday (no make-up days here).
function addWorkdays(day, n, holidays) {
  const d = new Date(day + 'T00:00:00Z');
  while (n > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const s = d.toISOString().slice(0, 10), wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6 && !holidays.includes(s)) n--;
  }
  return d.toISOString().slice(0, 10);
}
const shanghaiToday = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

before(async () => {
  srv = await new Server({ env: { YIJIAN_COMPLAINTS_PER_ADDRESS: '1000' } }).start();
  srv.addUser('admin', 'admin', '330000', 'health');
  srv.addUser('desk', 'liaison', A, 'health');       // the health commission's desk in 鹿城区
  srv.addUser('mkt', 'liaison', A, 'market');        // 市场监管局's liaison
  srv.addUser('ins', 'liaison', A, 'insurance');     // 医保局's liaison
  srv.addUser('lead', 'leader', A, 'health');
  srv.addUser('deskB', 'liaison', B, 'health');      // another territory
  srv.addUser('desk2', 'liaison', A, 'health');      // a second liaison of the desk, who takes a matter in hand
  for (const u of ['admin', 'desk', 'mkt', 'ins', 'lead', 'deskB', 'desk2']) await signedIn(u);
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('the public submits anonymously and follows the matter by its tracking code, which tells nothing personal', async () => {
  const cats = await ok(await pub().get('/api/v1/public/complaint-categories'));
  assert.ok(cats.items.some((k) => k.code === 'medical_service' && k.name === '医疗服务投诉'));
  assert.ok(!('department' in cats.items[0]), 'routing is not the public\'s business');
  const r = await ok(await pub().post('/api/v1/public/complaints', form()), 201);
  assert.match(r.tracking_code, /^TS[0-9A-HJKMNP-TV-Z]{16}$/);
  const s = await ok(await pub().get(`/api/v1/public/complaints/${r.tracking_code}`));
  assert.equal(s.state, 'received');
  assert.equal(s.state_label, '已登记，待分派');
  assert.equal(s.category_name, '医疗服务投诉');
  assert.equal(s.steps.length, 1);
  assert.equal(s.reply, null);
  for (const k of ['id', 'department', 'phone_masked', 'reporter', 'content', 'region_code']) assert.ok(!(k in s), k);
  assert.ok(!('actor' in s.steps[0]));
  isProblem(assert, await pub().get('/api/v1/public/complaints/TS0000000000000000'), 404);
  isProblem(assert, await pub().get('/api/v1/public/complaints/nonsense'), 404);
});

test('a real-name reporter is sealed: handlers see a masked phone, only the accepting handler and the revisiting desk see it, audited', async () => {
  const script = '<script>alert("x")</script> 医生态度恶劣，拒绝出具病历。';
  const r = await ok(await pub().post('/api/v1/public/complaints',
    form({ anonymous: false, reporter_name: '张三丰', reporter_phone: '13812345678', content: script })), 201);
  const list = await ok(await as.desk.get('/api/v1/complaints?limit=200'));
  const item = list.items.find((m) => m.tracking_code === r.tracking_code);
  assert.ok(item);
  const m = await ok(await as.desk.get(`/api/v1/complaints/${item.id}`));
  assert.equal(m.content, script, 'markup is kept and answered as JSON text');
  assert.equal(m.reporter.phone_masked, '138****5678');
  assert.equal(m.reporter.anonymous, false);
  const body = JSON.stringify(list) + JSON.stringify(m);
  assert.ok(!body.includes('张三丰') && !body.includes('13812345678'), 'no identity in lists or the matter');
  // Another department may not see it; the leader has no unit hold on it (health desk holds it).
  isProblem(assert, await as.mkt.get(`/api/v1/complaints/${item.id}`), 404);
  isProblem(assert, await as.mkt.get(`/api/v1/complaints/${item.id}/reporter`), 404);
  // Nobody has taken it in hand yet: the desk, its leader and the administrator read the masked phone only.
  for (const c of [as.admin, as.desk, as.lead]) {
    const r = await c.get(`/api/v1/complaints/${item.id}/reporter`);
    isProblem(assert, r, 403);
    assert.equal(r.data.type, 'urn:yijian:problem:not-the-handler');
  }
  const discloses = async () => JSON.stringify(await ok(await as.admin.get(`/api/v1/audit/leaves?object_id=${item.id}&limit=200`)))
    .split('complaint.reporter.disclose').length - 1;
  const n0 = await discloses();
  // The handler who accepts it (承办人) sees the reporter while handling; the leader and another liaison do not.
  await ok(await as.desk.post(`/api/v1/complaints/${item.id}/dispatch`, {}));
  await ok(await as.desk2.post(`/api/v1/complaints/${item.id}/accept`));
  for (const c of [as.desk, as.lead, as.admin]) isProblem(assert, await c.get(`/api/v1/complaints/${item.id}/reporter`), 403);
  const d = await ok(await as.desk2.get(`/api/v1/complaints/${item.id}/reporter`));
  assert.deepEqual(d.reporter, { name: '张三丰', phone: '13812345678' });
  assert.equal(await discloses(), n0 + 1, 'each view is an audit leaf, a refusal none');
  // Once replied, the desk's liaisons call the reporter back for the revisit (回访); once closed, nobody.
  await ok(await as.desk2.post(`/api/v1/complaints/${item.id}/reply`, { text: '经查属实，已责令整改。', substantiated: false }));
  assert.deepEqual((await ok(await as.desk.get(`/api/v1/complaints/${item.id}/reporter`))).reporter.name, '张三丰');
  isProblem(assert, await as.lead.get(`/api/v1/complaints/${item.id}/reporter`), 403);
  await ok(await as.desk.post(`/api/v1/complaints/${item.id}/revisit`, { satisfaction: 'satisfied' }));
  for (const c of [as.desk, as.desk2]) isProblem(assert, await c.get(`/api/v1/complaints/${item.id}/reporter`), 403);
  assert.equal(await discloses(), n0 + 2);
  const anon = (await ok(await as.desk.get('/api/v1/complaints?limit=200'))).items.find((x) => x.reporter.anonymous);
  isProblem(assert, await as.desk.get(`/api/v1/complaints/${anon.id}/reporter`), 404);
});

test('bad intake is refused with problem+json and nothing is kept', async () => {
  const count = async () => (await ok(await as.admin.get('/api/v1/complaints?limit=200'))).items.length;
  const n0 = await count();
  let r = await pub().post('/api/v1/public/complaints', form({ category: 'nope', region_code: '999999' }));
  isProblem(assert, r, 422);
  assert.deepEqual(r.data.errors.map((e) => e.field).sort(), ['category', 'region_code']);
  r = await pub().post('/api/v1/public/complaints', form({ anonymous: false }));
  isProblem(assert, r, 422);
  assert.deepEqual(r.data.errors.map((e) => e.field).sort(), ['reporter_name', 'reporter_phone']);
  r = await pub().post('/api/v1/public/complaints', form({ title: 'a\u0001b' }));
  isProblem(assert, r, 422);
  const big = Buffer.alloc(4 * 1024 * 1024 + 10, 0);
  PNG.copy(big);
  r = await pub().post('/api/v1/public/complaints', form({ attachments: [{ name: 'big.png', content_base64: big.toString('base64') }] }));
  isProblem(assert, r, 413);
  r = await pub().post('/api/v1/public/complaints', form({ attachments: [{ name: 'x.exe', content_base64: Buffer.from('MZ\x90\x00binary').toString('base64') }] }));
  isProblem(assert, r, 415);
  r = await pub().post('/api/v1/public/complaints', form({ attachments: [{ name: 'x.png', content_base64: '***' }] }));
  isProblem(assert, r, 422);
  assert.equal(await count(), n0, 'nothing was kept');
  const good = await ok(await pub().post('/api/v1/public/complaints',
    form({ attachments: [{ name: '收据.png', content_base64: PNG.toString('base64') }] })), 201);
  const id = (await ok(await as.desk.get('/api/v1/complaints?limit=200'))).items.find((m) => m.tracking_code === good.tracking_code).id;
  const m = await ok(await as.desk.get(`/api/v1/complaints/${id}`));
  assert.equal(m.attachments.length, 1);
  assert.equal(m.attachments[0].media_type, 'image/png');
  assert.equal(m.attachments[0].size, PNG.length);
});

test('dispatch, acceptance with deadlines across holidays, pause, reply the reporter reads, revisit; the wrong department is refused', async () => {
  // The next three weekdays after today are holidays: the acceptance and reply deadlines skip them.
  const today = shanghaiToday(), holidays = [];
  for (let d = new Date(today + 'T00:00:00Z'); holidays.length < 3;) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) holidays.push(d.toISOString().slice(0, 10));
  }
  for (const h of holidays) await ok(await as.admin.req('PUT', `/api/v1/calendar/${h}`, { kind: 'holiday', name: '测试假日' }));
  try {
    const m0 = await ok(await as.desk.post('/api/v1/complaints', {
      channel: 'phone', category: 'pricing', title: '重复收取检查费', content: '同一项检查收费两次，要求退还多收的费用。',
      region_code: A, subject_name: '鹿城某某医院', anonymous: false, reporter_name: '李四', reporter_phone: '13900001111',
    }), 201);
    assert.equal(m0.state, 'received');
    assert.equal(m0.department, 'health');
    assert.equal(m0.suggested_department, 'market', 'the category maps to 市场监管局 by the responsibility list');
    assert.deepEqual(m0.duplicates, []);
    // A to-do for the desk.
    let todos = await ok(await as.desk.get('/api/v1/todos?limit=200'));
    assert.ok(todos.items.some((t) => t.kind === 'complaints.dispatch' && t.object.id === m0.id));
    // Only the desk dispatches.
    isProblem(assert, await as.mkt.post(`/api/v1/complaints/${m0.id}/dispatch`, {}), 404);
    isProblem(assert, await as.desk.post(`/api/v1/complaints/${m0.id}/dispatch`, { co_departments: ['market'] }), 422);
    const m1 = await ok(await as.desk.post(`/api/v1/complaints/${m0.id}/dispatch`, { co_departments: ['insurance'] }));
    assert.equal(m1.state, 'dispatched');
    assert.equal(m1.department, 'market');
    assert.equal(m1.accept_due, addWorkdays(today, 1, holidays));
    todos = await ok(await as.mkt.get('/api/v1/todos?limit=200'));
    assert.ok(todos.items.some((t) => t.kind === 'complaints.handle' && t.object.id === m0.id));
    todos = await ok(await as.ins.get('/api/v1/todos?limit=200'));
    const co = todos.items.find((t) => t.kind === 'complaints.co.insurance' && t.object.id === m0.id);
    assert.ok(co);
    // The co-handler opens the matter its to-do links to, but takes no step on it.
    const seen = await ok(await as.ins.get(`/api/v1/complaints/${m0.id}`));
    assert.deepEqual(seen.units.map((u) => [u.department, u.role]), [['market', 'lead'], ['insurance', 'co']]);
    isProblem(assert, await as.ins.post(`/api/v1/complaints/${m0.id}/accept`), 404);
    isProblem(assert, await as.ins.get(`/api/v1/complaints/${m1.id}/reporter`), 404);
    todos = await ok(await as.desk.get('/api/v1/todos?limit=200'));
    assert.ok(!todos.items.some((t) => t.kind === 'complaints.dispatch' && t.object.id === m0.id && t.state === 'open'));
    // The health desk (whose remit sees every department) may not accept or answer for 市场监管局.
    let r = await as.desk.post(`/api/v1/complaints/${m0.id}/accept`);
    isProblem(assert, r, 403);
    assert.equal(r.data.type, 'urn:yijian:problem:not-your-matter');
    r = await as.desk.post(`/api/v1/complaints/${m0.id}/reply`, { text: '经查属实，已退费。', substantiated: true });
    isProblem(assert, r, 403);
    assert.equal((await ok(await as.mkt.get(`/api/v1/complaints/${m0.id}`))).state, 'dispatched', 'nothing changed');
    // Replying before accepting is out of order.
    isProblem(assert, await as.mkt.post(`/api/v1/complaints/${m0.id}/reply`, { text: '经查属实，已退费。', substantiated: true }), 409);
    const m2 = await ok(await as.mkt.post(`/api/v1/complaints/${m0.id}/accept`));
    assert.equal(m2.accepted_on, today);
    assert.equal(m2.handle_due, addWorkdays(today, 13, holidays));
    assert.equal(m2.reply_due, addWorkdays(today, 13, holidays));
    // Pause and resume on the same day: the clock stood still for no working day.
    isProblem(assert, await as.mkt.post(`/api/v1/complaints/${m0.id}/pause`, { reason: '' }), 422);
    const p = await ok(await as.mkt.post(`/api/v1/complaints/${m0.id}/pause`, { reason: '等待投诉人补充缴费凭证' }));
    assert.equal(p.paused, true);
    isProblem(assert, await as.mkt.post(`/api/v1/complaints/${m0.id}/reply`, { text: '经查属实，已退费。', substantiated: true }), 409);
    const q = await ok(await as.mkt.post(`/api/v1/complaints/${m0.id}/resume`));
    assert.equal(q.paused, false);
    assert.equal(q.reply_due, m2.reply_due);
    const m3 = await ok(await as.mkt.post(`/api/v1/complaints/${m0.id}/reply`,
      { text: '经查属实，医院已退还多收费用 120 元，并对收费员批评教育。', substantiated: true }));
    assert.equal(m3.state, 'replied');
    assert.equal(m3.substantiated, true);
    const s = await ok(await pub().get(`/api/v1/public/complaints/${m0.tracking_code}`));
    assert.equal(s.state, 'replied');
    assert.match(s.reply, /退还多收费用/);
    assert.deepEqual(s.steps.map((x) => x.step), ['received', 'dispatched', 'accepted', 'paused', 'resumed', 'replied']);
    // Feedback by the unit, revisit by the desk (not the unit).
    await ok(await as.mkt.post(`/api/v1/complaints/${m0.id}/feedback`));
    isProblem(assert, await as.mkt.post(`/api/v1/complaints/${m0.id}/feedback`), 409);
    isProblem(assert, await as.mkt.post(`/api/v1/complaints/${m0.id}/revisit`, { satisfaction: 'satisfied' }), 403);
    isProblem(assert, await as.desk.post(`/api/v1/complaints/${m0.id}/revisit`, { satisfaction: 'great' }), 422);
    const m4 = await ok(await as.desk.post(`/api/v1/complaints/${m0.id}/revisit`, { satisfaction: 'satisfied' }));
    assert.equal(m4.state, 'closed');
    // The substantiation went out as the contract's event; no name or phone in it.
    const ev = await ok(await as.admin.get(`/api/v1/system/events?type=complaints.substantiated&limit=200`));
    const e = ev.items.find((x) => x.subject_id === m0.id);
    assert.ok(e, JSON.stringify(ev));
    assert.equal(e.payload.complaint_id, m0.id);
    assert.equal(e.payload.category, 'pricing');
    assert.equal(e.payload.department, 'market');
    assert.equal(e.payload.substantiated_on, today);
    assert.ok(!JSON.stringify(e).includes('李四'));
    // Other territories see nothing of it.
    isProblem(assert, await as.deskB.get(`/api/v1/complaints/${m0.id}`), 404);
    assert.ok(!(await ok(await as.deskB.get('/api/v1/complaints?limit=200'))).items.some((x) => x.id === m0.id));
  } finally {
    for (const h of holidays) await as.admin.del(`/api/v1/calendar/${h}`);
  }
});

test('a wrongly routed matter goes back to the desk with its reason; refusal to accept closes it', async () => {
  const m = await ok(await as.desk.post('/api/v1/complaints', {
    channel: 'walk_in', category: 'drug_quality', title: '药房出售过期药品', content: '药房货架上有过期的感冒药在售。',
    region_code: A, subject_name: '某某大药房', anonymous: true,
  }), 201);
  await ok(await as.desk.post(`/api/v1/complaints/${m.id}/dispatch`, { department: 'market' }));
  isProblem(assert, await as.mkt.post(`/api/v1/complaints/${m.id}/return`, { reason: '' }), 422);
  const r = await ok(await as.mkt.post(`/api/v1/complaints/${m.id}/return`, { reason: '药品质量属药监部门职责' }));
  assert.equal(r.state, 'received');
  assert.equal(r.department, 'health');
  const s = await ok(await pub().get(`/api/v1/public/complaints/${m.tracking_code}`));
  assert.match(s.steps.at(-1).note, /药品质量属药监部门职责/);
  const todos = await ok(await as.desk.get('/api/v1/todos?limit=200'));
  assert.ok(todos.items.some((t) => t.kind === 'complaints.dispatch' && t.object.id === m.id && t.state === 'open'));
  const x = await ok(await as.desk.post(`/api/v1/complaints/${m.id}/reject`, { reason: '已进入诉讼程序，不予受理' }));
  assert.equal(x.state, 'rejected');
  isProblem(assert, await as.desk.post(`/api/v1/complaints/${m.id}/dispatch`, {}), 409);
});

test('duplicates are offered for merging; the merged reporter gets the reply; referral emits a clue event once', async () => {
  const base = { channel: 'phone', category: 'illegal_practice', region_code: A, subject_name: '城西无证牙科诊所', anonymous: true };
  const a = await ok(await as.desk.post('/api/v1/complaints',
    { ...base, title: '无证行医', content: '城西菜市场旁有人无证开设牙科诊所，给人拔牙镶牙，卫生条件很差。' }), 201);
  const b = await ok(await as.desk.post('/api/v1/complaints',
    { ...base, title: '非法牙科', content: '城西菜市场旁边有人无证开牙科诊所给人拔牙镶牙，卫生条件差。' }), 201);
  assert.equal(b.duplicates.length, 1);
  assert.equal(b.duplicates[0].id, a.id);
  assert.ok(b.duplicates[0].similarity >= 500);
  const c = await ok(await as.desk.post('/api/v1/complaints',
    { ...base, title: '其他', content: '该诊所晚上营业到很晚，噪音扰民，希望有关部门管一管。' }), 201);
  assert.deepEqual(c.duplicates, [], 'a different story about the same subject is not a duplicate');
  const d = await ok(await as.desk.get(`/api/v1/complaints/${a.id}/duplicates`));
  assert.deepEqual(d.items.map((x) => x.id), [b.id]);
  isProblem(assert, await as.desk.post(`/api/v1/complaints/${b.id}/merge`, { into: b.id }), 422);
  const merged = await ok(await as.desk.post(`/api/v1/complaints/${b.id}/merge`, { into: a.id }));
  assert.equal(merged.state, 'merged');
  assert.equal(merged.merged_into, a.id);
  await ok(await as.desk.post(`/api/v1/complaints/${a.id}/dispatch`, {}));
  await ok(await as.desk.post(`/api/v1/complaints/${a.id}/accept`));
  await ok(await as.desk.post(`/api/v1/complaints/${a.id}/refer`));
  isProblem(assert, await as.desk.post(`/api/v1/complaints/${a.id}/refer`), 409);
  const ev = await ok(await as.admin.get('/api/v1/system/events?type=complaints.clue_referred&limit=200'));
  const e = ev.items.find((x) => x.subject_id === a.id);
  assert.deepEqual(Object.keys(e.payload).sort(), ['category', 'complaint_id', 'department', 'received_on', 'subject_kind']);
  await ok(await as.desk.post(`/api/v1/complaints/${a.id}/reply`, { text: '经查属实，已依法取缔该无证诊所。', substantiated: true }));
  const s = await ok(await pub().get(`/api/v1/public/complaints/${b.tracking_code}`));
  assert.equal(s.state, 'merged');
  assert.match(s.reply, /取缔/);
  assert.equal(s.steps.at(-1).step, 'replied');
  // The export carries the same rows as the list.
  const x = await as.desk.get('/api/v1/complaints/export?format=csv&category=illegal_practice');
  assert.equal(x.status, 200);
  assert.equal(x.data.toString('utf8').trim().split('\n').length, 1 + 3);
});

test('a flood from one address is refused with 429 and Retry-After; nothing is kept', async () => {
  const s2 = await new Server({ env: { YIJIAN_COMPLAINTS_PER_ADDRESS: '3', YIJIAN_COMPLAINTS_WINDOW_S: '600' } }).start();
  try {
    s2.addUser('admin2', 'admin', '330000', 'health');
    const c = new Client(s2.url);
    for (let i = 0; i < 3; i++) assert.equal((await c.post('/api/v1/public/complaints', form())).status, 201);
    const r = await c.post('/api/v1/public/complaints', form());
    isProblem(assert, r, 429);
    assert.equal(r.headers.get('retry-after'), '600');
    const admin = new Client(s2.url);
    await admin.signIn('admin2');
    assert.equal((await ok(await admin.get('/api/v1/complaints'))).items.length, 3);
  } finally {
    await s2.stop();
    s2.cleanup();
  }
});

test('a substantiated complaint about a registered institution raises its complaint count in the draw signals', async () => {
  const { creditCode } = await import('./codes.mjs');
  const code = creditCode('52330302', '7' + String(Date.now() % 10000000).padStart(7, '0'));
  const inst = await ok(await as.admin.post('/api/v1/institutions', { credit_code: code, name: '鹿城投诉测试诊所', type: 'clinic',
    level: 'none', ownership: 'private', profit: 'forprofit', region_code: A, clinical_depts: ['03'] }), 201);
  const count = async () => ((await ok(await as.admin.get('/api/v1/inspection/signals?limit=200'))).items
    .find((s) => s.subject_id === inst.id)?.complaints ?? 0);
  assert.equal(await count(), 0);
  isProblem(assert, await pub().post('/api/v1/public/complaints', form({ subject_credit_code: '91330000MA00000000' })), 422);
  const t = await ok(await pub().post('/api/v1/public/complaints', form({ subject_credit_code: code })), 201);
  const m = (await ok(await as.desk.get('/api/v1/complaints?limit=200'))).items.find((x) => x.tracking_code === t.tracking_code);
  assert.equal(m.subject_id, inst.id);
  assert.equal(m.subject_kind, 'institution');
  for (const [step, body] of [['dispatch', {}], ['accept'], ['reply', { text: '经查属实，已责令该诊所整改。', substantiated: true }]])
    await ok(await as.desk.post(`/api/v1/complaints/${m.id}/${step}`, body));
  for (let i = 0; i < 100 && (await count()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await count(), 1);
  const ev = await ok(await as.admin.get('/api/v1/system/events?type=complaints.substantiated&limit=200'));
  assert.equal(ev.items.find((x) => x.subject_id === m.id).payload.subject_id, inst.id);
});

test('yijian import complaints: 12345 work orders in GBK, one matter per row, bad rows named, a re-import adds nothing', async () => {
  const { writeFileSync } = await import('node:fs');
  const { execFileSync, spawnSync } = await import('node:child_process');
  const { BIN } = await import('./harness.mjs');
  const csv = ['工单编号,受理时间,诉求分类,标题,诉求内容,事发地区划代码,被反映对象,来电人,联系电话',
    'WZ20261201001,2026-12-01 09:15,医疗收费投诉,重复收费,门诊缴费时同一检查被收取两次费用。,330302,鹿城某医院,王五,13705770001',
    'WZ20261201002,2026-12-01 10:02,illegal_practice,,小区里有人无证给老人输液。,330302,,,',
    'WZ20261201003,2026-12-01 11:40,不存在的分类,,内容内容内容。,330302,,,',
    ',2026-12-01 11:41,政策咨询,,没有工单号的行。,330302,,,'].join('\r\n') + '\r\n';
  const utf8 = `${srv.dir}/orders-utf8.csv`, gbk = `${srv.dir}/orders-gbk.csv`;
  writeFileSync(utf8, csv);
  writeFileSync(gbk, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK', utf8]));
  const run = () => spawnSync(BIN, ['import', 'complaints', gbk, '--db', srv.db, '--keys', srv.keys], { encoding: 'utf8' });
  let r = run();
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /共 4 行，新增 2，已有 0，无效 2/);
  assert.match(r.stderr, /GBK/);
  assert.match(r.stderr, /第 4 行：category/);
  assert.match(r.stderr, /第 5 行：缺少工单编号/);
  const items = (await ok(await as.desk.get('/api/v1/complaints?channel=hotline&limit=200'))).items;
  const m = items.find((x) => x.external_ref === '12345-WZ20261201001');
  assert.ok(m, JSON.stringify(items.map((x) => x.external_ref)));
  assert.equal(m.category, 'pricing');
  assert.equal(m.reporter.phone_masked, '137****0001');
  assert.equal(m.reporter.anonymous, false);
  const full = await ok(await as.desk.get(`/api/v1/complaints/${m.id}`));
  assert.match(full.content, /^【12345 工单 WZ20261201001，受理时间 2026-12-01 09:15】门诊缴费/);
  assert.ok(items.find((x) => x.external_ref === '12345-WZ20261201002').reporter.anonymous);
  r = run();
  assert.match(r.stdout, /共 4 行，新增 0，已有 2，无效 2/, 'idempotent on the work-order number');
  const again = (await ok(await as.desk.get('/api/v1/complaints?channel=hotline&limit=200'))).items;
  assert.equal(again.length, items.length);
  r = spawnSync(BIN, ['import', 'complaints', utf8, '--db', srv.db, '--keys', srv.keys], { encoding: 'utf8' });
  assert.match(r.stdout, /新增 0，已有 2/, 'the same orders in UTF-8 are the same orders');
  writeFileSync(`${srv.dir}/bad.csv`, '姓名,电话\n张三,1\n');
  r = spawnSync(BIN, ['import', 'complaints', `${srv.dir}/bad.csv`, '--db', srv.db, '--keys', srv.keys], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /缺少必需的列/);
});

test('clue transfers (线索移送): sent by one department, answered in writing by the receiver only; both ends and the desk see it', async () => {
  isProblem(assert, await as.mkt.post('/api/v1/transfers', { to_department: 'market', title: '移送', content: '自己移送给自己。', region_code: A }), 422);
  isProblem(assert, await as.mkt.post('/api/v1/transfers', { to_department: 'insurance', title: '移送', content: '辖区外。', region_code: B }), 422);
  const t = await ok(await as.mkt.post('/api/v1/transfers', { to_department: 'insurance', title: '疑似串换医保药品',
    content: '检查中发现某药店将保健品串换为医保药品结算，移送医保局核查。', region_code: A, subject_name: '鹿城某大药房' }), 201);
  assert.equal(t.state, 'sent');
  assert.equal(t.from_department, 'market');
  const d = new Date(t.sent_on + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 15);
  assert.equal(t.due_on, d.toISOString().slice(0, 10), 'a written reply within 15 days');
  const inbox = await ok(await as.ins.get('/api/v1/transfers?box=in'));
  assert.ok(inbox.items.some((x) => x.id === t.id));
  assert.ok((await ok(await as.mkt.get('/api/v1/transfers?box=out'))).items.some((x) => x.id === t.id));
  assert.ok(!(await ok(await as.mkt.get('/api/v1/transfers?box=in'))).items.some((x) => x.id === t.id));
  const todos = await ok(await as.ins.get('/api/v1/todos?limit=200'));
  assert.ok(todos.items.some((x) => x.kind === 'complaints.transfer' && x.object.id === t.id && x.due_date === t.due_on));
  await ok(await as.desk.get(`/api/v1/transfers/${t.id}`)); // the health commission sees every department's
  isProblem(assert, await as.deskB.get(`/api/v1/transfers/${t.id}`), 404);
  // Only the receiver answers: the sender and the desk are refused, nothing changes.
  let r = await as.mkt.post(`/api/v1/transfers/${t.id}/reply`, { text: '已核查处理完毕。' });
  isProblem(assert, r, 403);
  assert.equal(r.data.type, 'urn:yijian:problem:not-your-matter');
  isProblem(assert, await as.desk.post(`/api/v1/transfers/${t.id}/reply`, { text: '已核查处理完毕。' }), 403);
  isProblem(assert, await as.ins.post(`/api/v1/transfers/${t.id}/reply`, { text: '好' }), 422);
  assert.equal((await ok(await as.mkt.get(`/api/v1/transfers/${t.id}`))).state, 'sent');
  const done = await ok(await as.ins.post(`/api/v1/transfers/${t.id}/reply`, { text: '经核查属实，已追回医保基金并立案处理。' }));
  assert.equal(done.state, 'replied');
  assert.equal(done.late, false);
  isProblem(assert, await as.ins.post(`/api/v1/transfers/${t.id}/reply`, { text: '再次复函内容。' }), 409);
  assert.match((await ok(await as.mkt.get(`/api/v1/transfers/${t.id}`))).reply_text, /追回医保基金/);
  isProblem(assert, await as.mkt.get('/api/v1/transfers?box=sideways'), 400);
});

test('a transfer sent on paper is recorded afterwards (sent_on): its 15 days run from then; answered late it stays overdue', async () => {
  const day = (n) => new Date(Date.parse(shanghaiToday() + 'T00:00:00Z') + n * 86400e3).toISOString().slice(0, 10);
  const body = { to_department: 'insurance', title: '补录移送', content: '纸质移送函补录登记。', region_code: A };
  for (const sent_on of [day(1), day(-91), '2026-02-30', 'yesterday']) {
    const r = await as.mkt.post('/api/v1/transfers', { ...body, sent_on });
    isProblem(assert, r, 422);
    assert.deepEqual(r.data.errors.map((e) => e.field), ['sent_on'], sent_on);
  }
  const t = await ok(await as.mkt.post('/api/v1/transfers', { ...body, sent_on: day(-30) }), 201);
  assert.equal(t.sent_on, day(-30));
  assert.equal(t.due_on, day(-15));
  assert.ok((await ok(await as.mkt.get('/api/v1/transfers?box=out&overdue=true&limit=200'))).items.some((x) => x.id === t.id && x.overdue));
  const done = await ok(await as.ins.post(`/api/v1/transfers/${t.id}/reply`, { text: '经核查属实，已立案处理。' }));
  assert.equal(done.late, true);
  const late = await ok(await as.mkt.get('/api/v1/transfers?box=out&overdue=true&limit=200'));
  assert.ok(late.items.some((x) => x.id === t.id && x.late && x.state === 'replied'));
  // The health commission, whose remit covers every department, finds it among the overdue ones.
  const desk = await ok(await as.desk.get('/api/v1/transfers?overdue=true&limit=200'));
  assert.ok(desk.items.some((x) => x.id === t.id && x.late));
});
