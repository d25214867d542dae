// Rewards for reports (举报奖励, docs/complaints.md "Rewards"): eligibility (substantiated, real-name,
// named target, clues, evidence), the amount by the insurance-fund rule's grade with its floor and cap,
// one reward a report, the leader's approval that notifies the reporter on the tracking page and starts
// the two-month claim period, the reward officer who alone sees the reporter (audited), the payment —
// and refusals that change nothing: another department, the wrong role, a repeated decision or payment.
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
const shanghaiToday = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
function plusMonths(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
  t.setUTCDate(Math.min(d, last));
  return t.toISOString().slice(0, 10);
}
const ELIGIBLE = { named_target: true, specific_clues: true, evidence: true };

// A report of insurance fraud, dispatched to 医保局, accepted and replied (substantiated or not).
async function report({ anonymous = false, substantiated = true, reply = true } = {}) {
  const m = await ok(await as.desk.post('/api/v1/complaints', { channel: 'phone', category: 'insurance_fraud',
    title: '诊所虚记医保费用', region_code: A, subject_name: '鹿城某某诊所', anonymous,
    content: `该诊所为未就诊人员刷医保卡并虚记诊疗费用，有收费单据为证。${Math.random()}`,
    ...(anonymous ? {} : { reporter_name: '赵举报', reporter_phone: '13811112222' }) }), 201);
  await ok(await as.desk.post(`/api/v1/complaints/${m.id}/dispatch`, {}));
  await ok(await as.ins.post(`/api/v1/complaints/${m.id}/accept`));
  if (reply)
    await ok(await as.ins.post(`/api/v1/complaints/${m.id}/reply`, { text: '经查属实，已追回基金并处罚。', substantiated }));
  return m;
}
const auditCount = async () => (await ok(await as.admin.get('/api/v1/audit/sth'))).tree_size;

before(async () => {
  srv = await new Server({ env: { YIJIAN_COMPLAINTS_PER_ADDRESS: '1000' } }).start();
  srv.addUser('admin', 'admin', '330000', 'health');
  srv.addUser('desk', 'liaison', A, 'health');
  srv.addUser('ins', 'liaison', A, 'insurance');
  srv.addUser('insLead', 'leader', A, 'insurance');
  srv.addUser('insOfficer', 'reward_officer', A, 'insurance');
  srv.addUser('lead', 'leader', A, 'health');
  srv.addUser('officer', 'reward_officer', A, 'health');
  for (const u of ['admin', 'desk', 'ins', 'insLead', 'insOfficer', 'lead', 'officer']) {
    const c = new Client(srv.url);
    assert.equal((await c.signIn(u)).status, 200);
    as[u] = c;
  }
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('the rules are data: the insurance-fund rule with its grades, floor, cap and two-month claim period', async () => {
  const rules = (await ok(await as.officer.get('/api/v1/reward-rules'))).items;
  const r = rules.find((x) => x.code === 'insurance_fund');
  assert.equal(r.min_fen, 20000);
  assert.equal(r.max_fen, 20000000);
  assert.equal(r.claim_months, 2);
  assert.deepEqual(r.grades.map((g) => [g.grade, g.permille, g.floor_fen]), [[1, 30, 40000], [2, 20, 30000], [3, 10, 20000]]);
});

test('a reward from proposal to payment: amount by grade, approval, notice, the officer alone sees the reporter', async () => {
  const early = await report({ reply: false });
  isProblem(assert, await as.ins.post('/api/v1/rewards', { complaint_id: early.id, rule: 'insurance_fund', grade: 1,
    case_value_fen: 5000000, ...ELIGIBLE }), 409, 'not-eligible');
  const anon = await report({ anonymous: true });
  isProblem(assert, await as.ins.post('/api/v1/rewards', { complaint_id: anon.id, rule: 'insurance_fund', grade: 1,
    case_value_fen: 5000000, ...ELIGIBLE }), 409, 'not-eligible');
  const untrue = await report({ substantiated: false });
  isProblem(assert, await as.ins.post('/api/v1/rewards', { complaint_id: untrue.id, rule: 'insurance_fund', grade: 1,
    case_value_fen: 5000000, ...ELIGIBLE }), 409, 'not-eligible');

  const m = await report();
  const head = await auditCount();
  // not without evidence; not by the health desk, which does not hold the matter; not an unknown rule
  isProblem(assert, await as.ins.post('/api/v1/rewards', { complaint_id: m.id, rule: 'insurance_fund', grade: 1,
    case_value_fen: 5000000, ...ELIGIBLE, evidence: false }), 409, 'not-eligible');
  isProblem(assert, await as.desk.post('/api/v1/rewards', { complaint_id: m.id, rule: 'insurance_fund', grade: 1,
    case_value_fen: 5000000, ...ELIGIBLE }), 403, 'not-your-matter');
  let r = await as.ins.post('/api/v1/rewards', { complaint_id: m.id, rule: 'no_such_rule', grade: 1, case_value_fen: 5000000, ...ELIGIBLE });
  isProblem(assert, r, 422);
  assert.deepEqual(r.data.errors.map((e) => e.field), ['rule']);
  r = await as.ins.post('/api/v1/rewards', { complaint_id: m.id, rule: 'insurance_fund', case_value_fen: 0, no_loss_amount_fen: 500000, ...ELIGIBLE });
  isProblem(assert, r, 422);
  assert.deepEqual(r.data.errors.map((e) => e.field), ['no_loss_amount_fen']);
  isProblem(assert, await as.officer.post('/api/v1/rewards', { complaint_id: m.id, rule: 'insurance_fund', grade: 1,
    case_value_fen: 5000000, ...ELIGIBLE }), 403);
  assert.equal(await auditCount(), head, 'refusals change nothing');

  // 50,000 yuan recovered, grade 1 (3 %): 1,500 yuan
  const w = await ok(await as.ins.post('/api/v1/rewards', { complaint_id: m.id, rule: 'insurance_fund', grade: 1,
    case_value_fen: 5000000, ...ELIGIBLE, note: '举报人提供了收费单据' }), 201);
  assert.equal(w.amount_fen, 150000);
  assert.equal(w.state, 'proposed');
  assert.equal(w.department, 'insurance');
  isProblem(assert, await as.ins.post('/api/v1/rewards', { complaint_id: m.id, rule: 'insurance_fund', grade: 2,
    case_value_fen: 5000000, ...ELIGIBLE }), 409, 'already-done');
  const todos = (await ok(await as.insLead.get('/api/v1/todos?limit=200'))).items;
  assert.ok(todos.some((t) => t.kind === 'complaints.reward_approve' && t.link === `/rewards/${w.id}`));

  // nobody sees the reporter before approval; only the leader of the unit decides
  isProblem(assert, await as.insOfficer.get(`/api/v1/rewards/${w.id}/reporter`), 409, 'state');
  isProblem(assert, await as.ins.post(`/api/v1/rewards/${w.id}/decision`, { approved: true }), 403);
  isProblem(assert, await as.lead.post(`/api/v1/rewards/${w.id}/decision`, { approved: true }), 403, 'not-your-matter');
  const d = await ok(await as.insLead.post(`/api/v1/rewards/${w.id}/decision`, { approved: true, note: '同意' }));
  assert.equal(d.state, 'approved');
  assert.equal(d.decided_on, shanghaiToday());
  assert.equal(d.claim_until, plusMonths(shanghaiToday(), 2));
  isProblem(assert, await as.insLead.post(`/api/v1/rewards/${w.id}/decision`, { approved: false, note: '重复' }), 409, 'state');

  // the reporter reads the notice on the tracking page, without any name
  const pub = await ok(await new Client(srv.url).get(`/api/v1/public/complaints/${m.tracking_code}`));
  const notice = pub.steps.find((s) => s.step === 'reward_notice');
  assert.match(notice.note ?? notice.public_note, /奖励 1500 元/);
  assert.ok(!JSON.stringify(pub).includes('赵举报'));

  // the reward officer of the unit alone sees the reporter; the leader and liaison are refused by role
  isProblem(assert, await as.insLead.get(`/api/v1/rewards/${w.id}/reporter`), 403);
  isProblem(assert, await as.ins.get(`/api/v1/rewards/${w.id}/reporter`), 403);
  isProblem(assert, await as.officer.get(`/api/v1/rewards/${w.id}/reporter`), 403, 'not-your-matter');
  const before1 = await auditCount();
  const who = await ok(await as.insOfficer.get(`/api/v1/rewards/${w.id}/reporter`));
  assert.equal(who.reporter.name, '赵举报');
  assert.equal(who.reporter.phone, '13811112222');
  assert.equal(await auditCount(), before1 + 1, 'every view is an audit leaf');
  const pay = (await ok(await as.insOfficer.get('/api/v1/todos?limit=200'))).items;
  assert.ok(pay.some((t) => t.kind === 'complaints.reward_pay' && t.due_date === d.claim_until));
  assert.ok(!JSON.stringify(await ok(await as.ins.get(`/api/v1/rewards/${w.id}`))).includes('赵举报'));

  // the payment, by the officer of the unit, once
  isProblem(assert, await as.officer.post(`/api/v1/rewards/${w.id}/payment`, { payment_ref: 'PZ-1' }), 403, 'not-your-matter');
  isProblem(assert, await as.insLead.post(`/api/v1/rewards/${w.id}/payment`, { payment_ref: 'PZ-1' }), 403);
  const p = await ok(await as.insOfficer.post(`/api/v1/rewards/${w.id}/payment`, { payment_ref: 'PZ-2026-0001' }));
  assert.equal(p.state, 'paid');
  assert.equal(p.paid_on, shanghaiToday());
  isProblem(assert, await as.insOfficer.post(`/api/v1/rewards/${w.id}/payment`, { payment_ref: 'PZ-2' }), 409, 'state');
  const listed = (await ok(await as.officer.get(`/api/v1/rewards?complaint_id=${m.id}`))).items;
  assert.deepEqual(listed.map((x) => [x.id, x.state]), [[w.id, 'paid']]);
  const gone = (await ok(await as.insOfficer.get('/api/v1/todos?limit=200'))).items;
  assert.ok(!gone.some((t) => t.kind === 'complaints.reward_pay' && t.link === `/rewards/${w.id}`));
});

test('a refusal needs a reason; a loss-free case takes an amount within the rule\'s range; the cap holds', async () => {
  const m = await report();
  const w = await ok(await as.ins.post('/api/v1/rewards', { complaint_id: m.id, rule: 'insurance_fund', case_value_fen: 0,
    no_loss_amount_fen: 80000, ...ELIGIBLE }), 201);
  assert.equal(w.amount_fen, 80000);
  assert.equal(w.grade, 0);
  isProblem(assert, await as.insLead.post(`/api/v1/rewards/${w.id}/decision`, { approved: false }), 422);
  const d = await ok(await as.insLead.post(`/api/v1/rewards/${w.id}/decision`, { approved: false, note: '举报人系案件当事人' }));
  assert.equal(d.state, 'refused');
  assert.equal(d.claim_until, null);
  isProblem(assert, await as.insOfficer.get(`/api/v1/rewards/${w.id}/reporter`), 409, 'state');

  // 100 million yuan at 3 % with the insiders' 20 %: capped at 200,000 yuan
  const big = await report();
  const b = await ok(await as.ins.post('/api/v1/rewards', { complaint_id: big.id, rule: 'insurance_fund', grade: 1,
    case_value_fen: 10000000000, insider: true, ...ELIGIBLE }), 201);
  assert.equal(b.amount_fen, 20000000);
});
