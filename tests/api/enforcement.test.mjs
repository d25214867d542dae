// Enforcement cases (行政处罚) end to end: clues from a finding and by hand (duplicates, bad sources and
// other territories refused), not filing with a reason, filing by a leader with two officers, then every
// transition of the workflow — a general case from 立案 to 结案 through 调查取证, 调查终结 within the
// discretion band, 合议, 告知, 决定 (number 温鹿卫医罚〔YYYY〕N号), 送达, 公示 (the public 双公示 page,
// masked), 缴款 and 结案; 催告 and 申请强制执行 (强制执行申请书); a major case through 法制审核, 集体讨论, 听证 and the second legal review the
// hearing requires; 双罚; the 90-day clock with 延期 and 中止; 移送; 撤销 and 变更 with their events.
// Every refused step (wrong state, wrong role, missing fields, outside the band, past the clock) answers
// problem+json with a Chinese detail and changes nothing: the case's version, its timeline and the
// audit log stay as they were.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Server, Client, isProblem, BIN } from './harness.mjs';
import { twoTerritories, A, B } from './territories.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

let srv, T, a, b, anon, admin, spool;
const ymd = (d) => new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
const daysAgo = (n) => ymd(new Date(Date.now() - n * 86400e3));

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}
async function treeSize() {
  return (await ok(await anon.get('/api/v1/audit/sth'))).tree_size;
}
const getCase = async (id) => ok(await a.clients.leader.get(`/api/v1/cases/${id}`));
const step = (c, id, body) => c.post(`/api/v1/cases/${id}/transitions`, body);
const two = () => [a.users.inspector.id, a.users.inspector2.id];

// A refused step: the status, a Chinese problem, and nothing changed.
async function refused(c, id, body, status, re) {
  const before = await getCase(id), size = await treeSize();
  const r = await step(c, id, body);
  isProblem(assert, r, status);
  if (re) assert.match(r.data.detail + JSON.stringify(r.data.errors ?? []), re);
  const now = await getCase(id);
  assert.equal(now.version, before.version);
  assert.equal(now.state, before.state);
  assert.equal(now.timeline.length, before.timeline.length);
  assert.equal(await treeSize(), size, 'a refused step appends no audit leaf');
  return r;
}
async function moved(c, id, body, state) {
  const r = await ok(await step(c, id, body));
  if (state) assert.equal(r.state, state, JSON.stringify(r));
  return r;
}

async function clue(source = 'manual', extra = {}) {
  return ok(await a.clients.inspector.post('/api/v1/cases/clues', { source, subject_kind: 'institution',
    subject_id: a.inst.id, summary: '群众反映该诊所超范围执业', ...extra }), 201);
}
async function fileCase(extra = {}) {
  const c = await clue();
  return ok(await a.clients.leader.post('/api/v1/cases', { clue_id: c.id, officers: two(), opinion: '同意立案', ...extra }), 201);
}
const I = () => a.clients.inspector;
const L = () => a.clients.leader;
const LR = () => a.clients.legal_reviewer;
const investigate = (id) => moved(I(), id, { action: 'investigate', participants: two() }, 'investigating');
const conclude = (id, extra = {}) => moved(I(), id, { action: 'conclude', participants: two(), facts: '医疗废物未分类收集',
  violation_code: 'medical_waste', tier: 'general', penalty_kinds: ['warning', 'fine'], fine_fen: 1500000, ...extra }, 'investigated');
const deliberate = (id) => moved(I(), id, { action: 'deliberate', participants: ['王一', '李二'], opinion: '事实清楚', conclusion: '拟处罚' },
  'deliberated');

before(async () => {
  srv = new Server();
  // --max-body 256 KiB: a larger evidence file can only arrive by the streaming upload (F_FILE)
  spool = path.join(srv.dir, 'spool');
  mkdirSync(spool);
  srv.extra = ['--max-body', '262144', '--spool-dir', spool];
  await srv.start();
  T = await twoTerritories(srv);
  a = T[A];
  b = T[B];
  admin = a.clients.admin;
  anon = new Client(srv.url);
});
after(async () => { await srv?.stop(); srv?.cleanup(); });

test('clues: from a finding, by hand; duplicates, unknown sources, other territories refused; not filed with a reason', async () => {
  const c = await ok(await I().post('/api/v1/cases/clues', { source: 'inspection_finding', source_ref: a.finding.id }), 201);
  assert.equal(c.subject_id, a.inst.id);
  assert.equal(c.state, 'received');
  assert.match(c.summary, /监督检查发现问题（一般）/);
  let r = await I().post('/api/v1/cases/clues', { source: 'inspection_finding', source_ref: a.finding.id });
  isProblem(assert, r, 409);
  r = await I().post('/api/v1/cases/clues', { source: 'inspection_finding', source_ref: b.finding.id });
  isProblem(assert, r, 422);
  r = await I().post('/api/v1/cases/clues', { source: 'complaint', source_ref: '1' });
  isProblem(assert, r, 422);
  r = await I().post('/api/v1/cases/clues', { source: 'manual', subject_kind: 'institution', subject_id: b.inst.id, summary: 'x' });
  isProblem(assert, r, 422);
  r = await I().post('/api/v1/cases/clues', { source: 'manual', subject_kind: 'institution' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors.length, 2);
  const p = await clue('grid_report', { subject_kind: 'practitioner', subject_id: a.prac.id });
  assert.equal(p.subject_name, a.prac.name);
  // not filed (不予立案): leaders only, once
  isProblem(assert, await I().post(`/api/v1/cases/clues/${p.id}/reject`, { reason: '不属于本机关管辖' }), 403);
  const rj = await ok(await L().post(`/api/v1/cases/clues/${p.id}/reject`, { reason: '不属于本机关管辖' }));
  assert.equal(rj.state, 'not_filed');
  isProblem(assert, await L().post(`/api/v1/cases/clues/${p.id}/reject`, { reason: '再次' }), 409);
  isProblem(assert, await L().post('/api/v1/cases', { clue_id: p.id, officers: two() }), 409);
  const list = await ok(await L().get('/api/v1/cases/clues?state=received'));
  assert.ok(list.items.some((x) => x.id === c.id));
  assert.ok(!list.items.some((x) => x.id === p.id));
  const listB = await ok(await b.clients.leader.get('/api/v1/cases/clues'));
  assert.ok(!listB.items.some((x) => x.id === c.id), 'another territory does not see the clue');
  // the clue queue's export and count: the list's filters and scope
  for (const [who, q] of [[L(), 'state=received'], [L(), 'source=manual'], [b.clients.leader, '']]) {
    const all = (await ok(await who.get(`/api/v1/cases/clues?${q && q + '&'}limit=200`))).items;
    assert.deepEqual(await ok(await who.get(`/api/v1/cases/clues/export?${q && q + '&'}format=count`)), { total: all.length }, q);
    const lines = (await who.get(`/api/v1/cases/clues/export?${q && q + '&'}format=csv`)).data.toString('utf8').split('\r\n').filter(Boolean);
    assert.equal(lines.length, all.length + 1, q);
    assert.match(lines[0], /案源编号.*当事人/);
    assert.equal(lines.some((l) => l.includes(c.id)), all.some((x) => x.id === c.id), q);
  }
});

test('a confirmed claims flag becomes a clue of its department; a pending one does not', async () => {
  const claims = path.join(srv.dir, 'claims.csv'), flags = path.join(srv.dir, 'flags.csv'), RULES = path.join(root, 'rules');
  execFileSync(BIN, ['gen', 'claims', '--rows', '2000', '--seed', '3', '--violations', '0.05', '--out', claims,
    '--labels', path.join(srv.dir, 'labels.csv'), '--rules', RULES], { stdio: 'pipe' });
  const screen = (extra = []) => spawnSync(BIN, ['screen', '--claims', claims, '--rules', RULES, '--registry',
    path.join(srv.dir, 'claims_registry'), '--deaths', path.join(srv.dir, 'claims_deaths.csv'), '--out', flags, '--threads', '2',
    ...extra], { encoding: 'utf8' });
  assert.equal(screen().status, 0);
  const lines = readFileSync(flags, 'utf8').trim().split('\n');
  const col = lines[0].split(',').indexOf('institution_code');
  const code = lines[1].split(',')[col];
  const inst = await ok(await admin.post('/api/v1/institutions', { credit_code: code, name: '鹿城医保诊所', type: 'clinic', level: 'none',
    ownership: 'private', profit: 'forprofit', region_code: A, clinical_depts: ['03'] }), 201);
  const sc = screen(['--db', srv.db, '--keys', srv.keys]);
  assert.equal(sc.status, 0, sc.stderr);
  const an = a.clients.insurance_analyst;
  const list = await ok(await an.get(`/api/v1/claims/flags?state=pending&institution=${code}&limit=5`));
  const f = list.items[0];
  assert.ok(f, 'a pending flag');
  isProblem(assert, await an.post('/api/v1/cases/clues', { source: 'claims_flag', source_ref: f.id }), 409);
  await ok(await an.post(`/api/v1/claims/flags/${f.id}/confirm`, { reason: '经核实确属违规' }));
  const c = await ok(await an.post('/api/v1/cases/clues', { source: 'claims_flag', source_ref: f.id }), 201);
  assert.equal(c.subject_id, inst.id);
  assert.equal(c.department, 'insurance');
  assert.match(c.summary, /医保智能监控确认违规/);
  isProblem(assert, await an.post('/api/v1/cases/clues', { source: 'claims_flag', source_ref: f.id }), 409);
});

test('filing: a leader with two inspectors of the territory; the 90-day clock starts', async () => {
  const c = await clue();
  isProblem(assert, await I().post('/api/v1/cases', { clue_id: c.id, officers: two() }), 403);
  isProblem(assert, await L().post('/api/v1/cases', { clue_id: c.id, officers: [a.users.inspector.id] }), 422);
  isProblem(assert, await L().post('/api/v1/cases', { clue_id: c.id, officers: [a.users.inspector.id, b.users.inspector.id] }), 422);
  isProblem(assert, await L().post('/api/v1/cases', { clue_id: c.id, officers: two(), filed_on: '2020-01-01' }), 422);
  const k = await ok(await L().post('/api/v1/cases', { clue_id: c.id, officers: two() }), 201);
  assert.equal(k.state, 'filed');
  assert.deepEqual(k.officers, two());
  assert.ok(k.decision_due >= daysAgo(-90), `${k.decision_due} is at least 90 days on`);
  isProblem(assert, await L().post('/api/v1/cases', { clue_id: c.id, officers: two() }), 409);
  const full = await getCase(k.id);
  assert.equal(full.timeline.length, 1);
  assert.equal(full.timeline[0].action, 'file');
  assert.ok(full.actions.some((x) => x.action === 'investigate'));
  isProblem(assert, await b.clients.leader.get(`/api/v1/cases/${k.id}`), 404);
});

test('a general case from filing to closing, with every wrong step refused and nothing changed', async () => {
  const k = await fileCase();
  await refused(L(), k.id, { action: 'investigate', participants: two() }, 409, /承办执法人员/);
  await refused(a.clients.inspector2, k.id, { action: 'investigate', participants: [a.users.inspector.id] }, 422, /两名以上/);
  await refused(I(), k.id, { action: 'conclude', participants: two(), facts: 'x' }, 409, /当前状态/);
  await refused(I(), k.id, { action: 'no_such_step' }, 422);
  await investigate(k.id);
  await moved(I(), k.id, { action: 'add_evidence', participants: two(), sha256: 'a'.repeat(64), evidence_kind: 'photo',
    description: '暂存间照片' }, 'investigating');
  // an evidence file into the attachment store, recorded by its SHA-256 as a step of the investigation
  const photo = Buffer.from(`现场照片 ${Date.now()}`);
  const up = (c, q, body = photo) => c.req('POST', `/api/v1/cases/${k.id}/evidence?${q}`, new Uint8Array(body),
    { 'content-type': 'application/octet-stream' });
  isProblem(assert, await up(I(), 'kind=photo&description=x', Buffer.alloc(0)), 422);
  isProblem(assert, await up(I(), 'kind=fax&description=x'), 422);
  isProblem(assert, await up(L(), 'kind=photo&description=x'), 403);
  const ev1 = await ok(await up(I(), 'kind=photo&description=' + encodeURIComponent('医疗废物暂存间')), 201);
  assert.equal(ev1.evidence.sha256, createHash('sha256').update(photo).digest('hex'));
  const last = ev1.timeline.at(-1);
  assert.equal(last.action, 'add_evidence');
  assert.equal(last.data.sha256, ev1.evidence.sha256);
  assert.deepEqual(last.data.participants, two());
  await refused(L(), k.id, { action: 'decide' }, 409, /当前状态/);
  const base = { action: 'conclude', participants: two(), facts: '医疗废物未分类收集', violation_code: 'medical_waste',
    tier: 'general', penalty_kinds: ['warning', 'fine'] };
  await refused(I(), k.id, { ...base, violation_code: 'nope', fine_fen: 1 }, 422, /裁量基准/);
  await refused(I(), k.id, { ...base, fine_fen: 3000001 }, 422, /法定最高额/);
  await refused(I(), k.id, { ...base, fine_fen: 100 }, 422, /超出裁量基准/);
  await refused(I(), k.id, { ...base, fine_fen: 1500000, penalty_kinds: ['warning'] }, 422, /fine/);
  const c = await conclude(k.id);
  assert.equal(c.benchmark_version, 1);
  assert.equal(c.outside_band, false);
  assert.equal(c.legal_review_required, false);
  assert.equal(c.hearing_trigger, false);
  await deliberate(k.id);
  const n = await moved(I(), k.id, { action: 'notify' }, 'notified');
  assert.ok(n.statement_due > ymd(new Date()));
  await refused(I(), k.id, { action: 'request_hearing' }, 409, /不属于/);
  await refused(L(), k.id, { action: 'decide' }, 409, /陈述申辩期限/);
  await refused(I(), k.id, { action: 'decide', waived: true }, 409, /领导/);
  const d = await moved(L(), k.id, { action: 'decide', waived: true }, 'decided');
  assert.match(d.decision_no, /^温鹿卫医罚〔\d{4}〕\d+号$/);
  assert.equal(d.decided_on, ymd(new Date()));
  // the list's q finds the case by its decision number, whole or in part (the header's search)
  for (const q of [d.decision_no, `卫医罚 ${d.decision_no.match(/〕\d+号/)[0]}`])
    assert.deepEqual((await ok(await L().get(`/api/v1/cases?q=${encodeURIComponent(q)}`))).items.map((x) => x.id), [k.id], q);
  assert.ok(d.public_until > d.decided_on);
  const ev = await ok(await admin.get(`/api/v1/system/events?type=enforcement.decision_issued&subject_type=enforcement_case&subject_id=${k.id}`));
  assert.equal(ev.items.length, 1);
  const p = ev.items[0].payload;
  assert.deepEqual(Object.keys(p).sort(), ['case_id', 'decided_on', 'decision_no', 'department', 'fine_fen', 'penalty_kinds',
    'public_until', 'serious', 'subject_id', 'subject_kind', 'violation_code']);
  assert.equal(p.decision_no, d.decision_no);
  assert.equal(p.fine_fen, 1500000);
  assert.deepEqual(p.penalty_kinds, ['warning', 'fine']);
  assert.equal(p.subject_kind, 'institution');
  assert.equal(p.subject_id, a.inst.id);
  assert.equal(ev.items[0].region_code, A);
  // service: a refusal needs a witness; electronic service needs consent
  const sv = { action: 'serve', method: 'direct', served_on: ymd(new Date()), receiver: '王院长' };
  await refused(I(), k.id, { ...sv, refused: true }, 422, /见证人/);
  await refused(I(), k.id, { ...sv, method: 'electronic' }, 422, /同意/);
  await refused(I(), k.id, { ...sv, served_on: '2999-01-01' }, 422);
  await refused(I(), k.id, { ...sv, served_on: daysAgo(3) }, 409, /早于决定日期/);
  const s = await moved(I(), k.id, { ...sv, refused: true, witness: '社区干部赵某', refusal_note: '当事人拒签，留置送达' }, 'served');
  assert.ok(s.pay_due > s.served_on);
  await refused(L(), k.id, { action: 'close', summary: '结案' }, 409, /公示/);
  await moved(I(), k.id, { action: 'publish' }, 'published');
  const pub = await ok(await anon.get('/api/v1/public/penalties'));
  const row = pub.items.find((x) => x.cf_wsh === d.decision_no);
  assert.ok(row, 'published on the public page');
  assert.equal(row.cf_xdr_mc, a.inst.name);
  assert.equal(row.cf_nr_fk, '1.500000');
  assert.equal(row.cf_gsjzq, d.public_until);
  assert.match(row.cf_yj, /医疗废物管理条例/);
  await refused(L(), k.id, { action: 'close', summary: '结案' }, 409, /缴清/);
  await refused(I(), k.id, { action: 'remind' }, 409, /缴款期限/);
  await refused(I(), k.id, { action: 'record_payment', amount_fen: 1500001, paid_on: ymd(new Date()) }, 422, /超过/);
  await moved(I(), k.id, { action: 'record_payment', amount_fen: 500000, paid_on: ymd(new Date()) }, 'published');
  await moved(I(), k.id, { action: 'record_payment', amount_fen: 1000000, paid_on: ymd(new Date()) }, 'paid');
  const cl = await moved(L(), k.id, { action: 'close', summary: '罚款已缴清，结案' }, 'closed');
  assert.equal(cl.closed_on, ymd(new Date()));
  assert.deepEqual(cl.timeline.map((x) => x.action), ['file', 'investigate', 'add_evidence', 'add_evidence', 'conclude', 'deliberate', 'notify',
    'decide', 'serve', 'publish', 'record_payment', 'record_payment', 'close']);
  assert.ok(cl.timeline.every((x) => Number.isInteger(x.audit_index)));
  await refused(L(), k.id, { action: 'revoke', reason: 'x' }, 409, /当前状态/);
  // the documents of each step, rendered once and stored: the decision carries its number and verifies publicly
  const docs = await ok(await I().get(`/api/v1/cases/${k.id}/documents`));
  assert.deepEqual(docs.items.map((x) => x.kind), ['case_acceptance', 'filing_report', 'prior_notice', 'penalty_decision',
    'service_receipt', 'closing_report']);
  const dec = docs.items.find((x) => x.kind === 'penalty_decision');
  assert.equal(dec.number, d.decision_no);
  const pdf = await I().get(dec.pdf);
  assert.equal(pdf.status, 200);
  assert.match(pdf.type, /application\/pdf/);
  assert.equal(createHash('sha256').update(pdf.data).digest('hex'), dec.sha256);
  const file = path.join(srv.dir, 'decision.pdf');
  writeFileSync(file, pdf.data);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  for (const want of ['行政处罚决定书', d.decision_no, a.inst.name, '医疗废物管理条例', '15000.00', '六十日内', '温州市鹿城区卫生健康局'])
    assert.ok(text.includes(want), `decision PDF lacks ${want}:\n${text.slice(0, 2000)}`);
  const v = await ok(await anon.get(`/api/v1/public/documents/verify?no=${encodeURIComponent(d.decision_no)}&sha256=${dec.sha256}`));
  assert.equal(v.number, d.decision_no);
  const notice = docs.items.find((x) => x.kind === 'prior_notice');
  const nt = execFileSync('pdftotext', ['-', '-'], { input: (await I().get(notice.pdf)).data, encoding: 'utf8' });
  assert.match(nt, /行政处罚事先告知书/);
  assert.match(nt, /陈述和申辩/);
  isProblem(assert, await b.clients.leader.get(dec.pdf), 404);
  isProblem(assert, await I().get(`/api/v1/cases/${k.id}/documents/1.pdf`), 404);
  // the numbers run on without a gap
  const k2 = await fileCase();
  await investigate(k2.id); await conclude(k2.id); await deliberate(k2.id);
  await moved(I(), k2.id, { action: 'notify' }, 'notified');
  const d2 = await moved(L(), k2.id, { action: 'decide', waived: true }, 'decided');
  const num = (s) => Number(s.match(/〕(\d+)号/)[1]);
  assert.equal(num(d2.decision_no), num(d.decision_no) + 1);
  // 变更 and 撤销 emit their events with the reason; a revoked decision leaves the public page
  await refused(I(), k2.id, { action: 'change_decision', reason: '复议变更', penalty_kinds: ['warning', 'fine'], fine_fen: 1000000 }, 409);
  await moved(L(), k2.id, { action: 'change_decision', reason: '复议变更', penalty_kinds: ['warning', 'fine'], fine_fen: 1000000 }, 'decided');
  await moved(L(), k2.id, { action: 'revoke', reason: '行政复议决定撤销' }, 'revoked');
  for (const type of ['changed', 'revoked']) {
    const e = await ok(await admin.get(`/api/v1/system/events?type=enforcement.decision_${type}&subject_type=enforcement_case&subject_id=${k2.id}`));
    assert.equal(e.items.length, 1, type);
    assert.ok(e.items[0].payload.reason);
  }
});

// SQL on the running server's database (a test's clock: the payment deadline and the reminder made older)
const sql = (q) => (srv.db.startsWith('sqlite:')
  ? execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.slice(7), q], { encoding: 'utf8' })
  : execFileSync('psql', [srv.db, '-qAtc', q], { encoding: 'utf8' }));

test('execution: 催告 after the payment deadline, 申请强制执行 ten days after it with the 强制执行申请书, then 结案', async () => {
  const k = await fileCase();
  await investigate(k.id); await conclude(k.id); await deliberate(k.id);
  await moved(I(), k.id, { action: 'notify' }, 'notified');
  const d = await moved(L(), k.id, { action: 'decide', waived: true }, 'decided');
  await moved(I(), k.id, { action: 'serve', method: 'direct', served_on: ymd(new Date()), receiver: '王院长' }, 'served');
  await moved(I(), k.id, { action: 'publish' }, 'published');
  await refused(I(), k.id, { action: 'remind' }, 409, /缴款期限/);
  await refused(L(), k.id, { action: 'apply_court', court: '鹿城区人民法院' }, 409, /当前状态/);
  sql(`UPDATE enf_cases SET pay_due = '${daysAgo(5)}' WHERE id = ${k.id}`);
  await refused(L(), k.id, { action: 'remind' }, 409, /承办|应由/);
  const r = await moved(I(), k.id, { action: 'remind' }, 'enforcing');
  assert.equal(r.reminded_on, ymd(new Date()));
  assert.ok(r.late_fee_fen > 0, 'a late fee runs after the deadline');
  await refused(L(), k.id, { action: 'apply_court', court: '鹿城区人民法院' }, 409, /十日/);
  sql(`UPDATE enf_cases SET reminded_on = '${daysAgo(11)}' WHERE id = ${k.id}`);
  await refused(I(), k.id, { action: 'apply_court', court: '鹿城区人民法院' }, 409, /应由/);
  await refused(L(), k.id, { action: 'apply_court' }, 422, /人民法院/);
  const ca = await moved(L(), k.id, { action: 'apply_court', court: '温州市鹿城区人民法院' }, 'court_applied');
  assert.equal(ca.court_applied_on, ymd(new Date()));
  const docs = (await ok(await I().get(`/api/v1/cases/${k.id}/documents`))).items;
  assert.deepEqual(docs.map((x) => x.kind).slice(-2), ['payment_reminder', 'court_application']);
  const app = docs.at(-1);
  assert.match(app.number, /^温鹿卫强执〔\d{4}〕\d+号$/);
  assert.equal(app.title, '强制执行申请书');
  const text = execFileSync('pdftotext', ['-', '-'], { input: (await I().get(app.pdf)).data, encoding: 'utf8' });
  for (const want of ['强制执行申请书', '温州市鹿城区人民法院', d.decision_no, '15000.00', '行政强制法', a.inst.name])
    assert.ok(text.includes(want), `the application lacks ${want}:\n${text.slice(0, 1500)}`);
  const cl = await moved(L(), k.id, { action: 'close', summary: '已申请人民法院强制执行，结案' }, 'closed');
  assert.deepEqual(cl.timeline.map((x) => x.action).slice(-4), ['publish', 'remind', 'apply_court', 'close']);
});

test('不予处罚: the ground is required, the decision is served but not published, then closed', async () => {
  const k = await fileCase();
  await investigate(k.id);
  await conclude(k.id, { tier: 'none', penalty_kinds: [], fine_fen: 0 });
  await refused(I(), k.id, { action: 'decide_no_penalty', ground: 'minor_corrected' }, 409, /应由/);
  await refused(L(), k.id, { action: 'decide_no_penalty' }, 422);
  await refused(L(), k.id, { action: 'decide_no_penalty', ground: 'bribe' }, 422);
  const d = await moved(L(), k.id, { action: 'decide_no_penalty', ground: 'minor_corrected' }, 'not_penalised');
  assert.match(d.decision_no, /^温鹿卫医不罚〔\d{4}〕\d+号$/);
  await refused(I(), k.id, { action: 'publish' }, 409, /当前状态/);
  await moved(I(), k.id, { action: 'serve', method: 'direct', served_on: ymd(new Date()), receiver: '王院长' }, 'served');
  await refused(I(), k.id, { action: 'publish' }, 409, /不予处罚/);
  await moved(L(), k.id, { action: 'close', summary: '违法行为轻微并及时改正，不予处罚，结案。' }, 'closed');
  const docs = (await ok(await I().get(`/api/v1/cases/${k.id}/documents`))).items;
  const np = docs.find((x) => x.kind === 'no_penalty_decision');
  assert.equal(np.number, d.decision_no);
  const text = execFileSync('pdftotext', ['-', '-'], { input: (await I().get(np.pdf)).data, encoding: 'utf8' });
  assert.match(text, /不予行政处罚决定书/);
  const pub = await ok(await anon.get('/api/v1/public/penalties'));
  assert.ok(!pub.items.some((x) => x.cf_wsh === d.decision_no), 'a no-penalty decision is not published');
});

test('a major case: legal review, collective discussion, hearing, and the review after the hearing', async () => {
  const k = await fileCase({ serious: true, t_complex: true });
  await investigate(k.id);
  const c = await conclude(k.id, { violation_code: 'unqualified_staff', tier: 'heavier', penalty_kinds: ['fine', 'revoke_licence'],
    fine_fen: 8000000 });
  assert.equal(c.hearing_trigger, true);
  assert.equal(c.legal_review_required, true);
  await deliberate(k.id);
  await refused(I(), k.id, { action: 'notify' }, 409, /法制审核/);
  await refused(I(), k.id, { action: 'legal_review', opinion: 'agree' }, 409, /法制审核员/);
  await refused(LR(), k.id, { action: 'legal_review', opinion: 'amend' }, 422, /理由/);
  await moved(LR(), k.id, { action: 'legal_review', opinion: 'agree', reasons: '事实清楚，适用法律正确' }, 'legal_reviewed');
  await refused(I(), k.id, { action: 'notify' }, 409, /集体讨论/);
  await refused(L(), k.id, { action: 'collective_discussion', participants: ['甲', '乙'], opinion: 'x', conclusion: 'y' }, 422, /三名/);
  await moved(L(), k.id, { action: 'collective_discussion', participants: ['局长', '副局长', '纪检组长'], opinion: '同意',
    conclusion: '同意处罚' }, 'discussed');
  const n = await moved(I(), k.id, { action: 'notify' }, 'notified');
  assert.ok(n.hearing_request_due >= n.statement_due);
  await refused(L(), k.id, { action: 'decide' }, 409);
  await moved(I(), k.id, { action: 'request_hearing' }, 'hearing_requested');
  await refused(I(), k.id, { action: 'hold_hearing', held_on: ymd(new Date()), transcript: '...' }, 409, /非本案调查人员/);
  const h = await moved(LR(), k.id, { action: 'hold_hearing', held_on: ymd(new Date()), transcript: '当事人申辩称已整改' }, 'heard');
  assert.equal(h.t_hearing_rights, true);
  await refused(L(), k.id, { action: 'decide' }, 409, /法制审核/);
  await moved(LR(), k.id, { action: 'legal_review', opinion: 'agree', reasons: '听证后维持' }, 'legal_reviewed');
  const d = await moved(L(), k.id, { action: 'decide' }, 'decided');
  assert.ok(d.decision_no);
  // a legal review that returns the case sends it back to investigation
  const k2 = await fileCase({ t_public_interest: true });
  await investigate(k2.id); await conclude(k2.id); await deliberate(k2.id);
  await moved(LR(), k2.id, { action: 'legal_review', opinion: 'return', reasons: '证据不足' }, 'investigating');
});

test('discretion: outside the band needs a reason and legal review; 双罚 needs the responsible person', async () => {
  const k = await fileCase();
  await investigate(k.id);
  const c = await conclude(k.id, { fine_fen: 2900000, deviation_reason: '多次违法，情节恶劣' });
  assert.equal(c.outside_band, true);
  assert.equal(c.legal_review_required, true);
  const k2 = await fileCase();
  await investigate(k2.id);
  const body = { action: 'conclude', participants: two(), facts: '未按规定告知', violation_code: 'dispute_handling', tier: 'general',
    penalty_kinds: ['warning', 'fine'], fine_fen: 2500000 };
  await refused(I(), k2.id, body, 422, /双罚/);
  await refused(I(), k2.id, { ...body, responsible_id: b.prac.id }, 422, /双罚/);
  const d = await moved(I(), k2.id, { ...body, responsible_id: a.prac.id }, 'investigated');
  assert.equal(d.responsible_id, a.prac.id);
  const bm = await ok(await anon.get('/api/v1/enforcement/benchmarks'));
  assert.ok(bm.items.length >= 10);
  assert.ok(bm.items.every((x) => x.review_state === 'pending_legal_review' && x.law && x.article));
  assert.equal(bm.items.find((x) => x.code === 'dispute_handling').double_penalty, true);
});

test('clocks: past the 90 days a decision needs an approved extension; 中止 pauses; 移送 before closing a crime', async () => {
  const k = await fileCase({ filed_on: daysAgo(120) });
  assert.ok(k.decision_due < ymd(new Date()));
  const list = await ok(await L().get('/api/v1/cases?overdue=true'));
  assert.ok(list.items.some((x) => x.id === k.id && x.overdue));
  await investigate(k.id); await conclude(k.id); await deliberate(k.id);
  await moved(I(), k.id, { action: 'notify' }, 'notified');
  await refused(L(), k.id, { action: 'decide', waived: true }, 409, /办案期限/);
  await refused(I(), k.id, { action: 'extend', reason_code: 'party_missing', days: 30 }, 409, /领导/);
  await refused(L(), k.id, { action: 'extend', reason_code: 'workload', days: 30 }, 422, /延期理由/);
  await refused(L(), k.id, { action: 'extend', reason_code: 'party_missing', days: 31 }, 422);
  const e = await moved(L(), k.id, { action: 'extend', reason_code: 'party_missing', days: 30 }, 'notified');
  assert.ok(e.decision_due > k.decision_due);
  assert.equal(e.extended_days, 30);
  // 中止 and 恢复: back to where it was; nothing can be done while suspended
  const s = await moved(L(), k.id, { action: 'suspend', reason: '等待鉴定结论' }, 'suspended');
  assert.equal(s.prior_state, 'notified');
  await refused(L(), k.id, { action: 'decide', waived: true }, 409, /已中止/);
  const r = await moved(L(), k.id, { action: 'resume' }, 'notified');
  assert.equal(r.paused_days, 0);
  // a case suspected of a crime cannot close without a transfer record
  const t = await fileCase({ suspect_crime: true });
  await refused(L(), t.id, { action: 'transfer', to: 'police' }, 422, /接收/);
  const tr = await moved(L(), t.id, { action: 'transfer', to: 'police', receiving_org: '温州市公安局鹿城区分局', reason: '涉嫌非法行医罪' },
    'transferred');
  assert.match(tr.transferred_to, /^police:/);
  await moved(L(), t.id, { action: 'close', summary: '已移送公安机关' }, 'closed');
});

test('a decision against a practitioner is published with the name masked and no identifier', async () => {
  const c = await clue('grid_report', { subject_kind: 'practitioner', subject_id: a.prac.id, summary: '执业人员违规' });
  const k = await ok(await L().post('/api/v1/cases', { clue_id: c.id, officers: two() }), 201);
  assert.equal(k.subject_kind, 'practitioner');
  await investigate(k.id); await conclude(k.id); await deliberate(k.id);
  await moved(I(), k.id, { action: 'notify' }, 'notified');
  const d = await moved(L(), k.id, { action: 'decide', waived: true }, 'decided');
  await moved(I(), k.id, { action: 'serve', method: 'post', served_on: ymd(new Date()), receiver: '本人' }, 'served');
  await moved(I(), k.id, { action: 'publish' }, 'published');
  const row = (await ok(await anon.get('/api/v1/public/penalties?limit=200'))).items.find((x) => x.cf_wsh === d.decision_no);
  assert.ok(row);
  assert.equal(row.cf_xdr_lb, '自然人');
  assert.equal(row.cf_xdr_mc, a.prac.name[0] + '*'.repeat([...a.prac.name].length - 1));
  assert.equal(row.cf_xdr_shxym, '');
  assert.doesNotMatch(JSON.stringify(row), new RegExp(a.prac.name));
  const ev = await ok(await admin.get(`/api/v1/system/events?type=enforcement.decision_issued&subject_type=enforcement_case&subject_id=${k.id}`));
  assert.equal(ev.items[0].payload.subject_kind, 'practitioner');
  assert.equal(ev.items[0].payload.subject_id, a.prac.id);
});

test('lists, export, indicators and the reminder inbox', async () => {
  const mine = await ok(await I().get('/api/v1/cases?officer=me&limit=2'));
  assert.equal(mine.items.length, 2);
  assert.ok(mine.next_cursor);
  const page2 = await ok(await I().get(`/api/v1/cases?officer=me&limit=2&cursor=${encodeURIComponent(mine.next_cursor)}`));
  assert.ok(page2.items.every((x) => !mine.items.some((y) => y.id === x.id)));
  const closed = await ok(await L().get('/api/v1/cases?state=closed'));
  assert.ok(closed.items.length >= 2 && closed.items.every((x) => x.state === 'closed'));
  // a list row is the listed columns with the ids; the case page has the whole record
  const LISTED = ['id', 'clue_id', 'state', 'subject_kind', 'subject_id', 'subject_name', 'filed_on', 'decision_due',
    'violation_code', 'fine_fen', 'decision_no', 'decided_on', 'closed_on', 'region_code', 'department', 'state_label', 'overdue'];
  for (const x of [...mine.items, ...closed.items]) assert.deepEqual(Object.keys(x), LISTED);
  const full = await getCase(closed.items[0].id);
  for (const k of ['facts', 'officers', 'penalty_kinds', 'timeline', 'actions', 'version']) assert.ok(k in full, k);
  assert.equal(full.decision_no, closed.items[0].decision_no);
  assert.equal((await ok(await b.clients.leader.get('/api/v1/cases'))).items.length, 0);
  isProblem(assert, await L().get('/api/v1/cases?officer=somebody'), 400);
  const csv = await L().get('/api/v1/cases/export?format=csv');
  assert.equal(csv.status, 200);
  assert.match(csv.data.toString('utf8'), /处罚决定书文号/);
  const ind = await ok(await L().get('/api/v1/enforcement/indicators'));
  const row = ind.items.find((x) => x.region_code === A && x.department === 'health');
  assert.ok(row.filed >= 8 && row.clues >= row.filed && row.closed >= 2 && row.decided >= 3);
  assert.ok(row.overdue >= 0 && row.transfer_rate > 0 && row.publication_on_time_rate === 1);
  assert.ok(row.fines_imposed_fen >= 1500000 && row.fines_collected_fen >= 1500000);
  isProblem(assert, await L().get('/api/v1/enforcement/indicators?from=2026-13-01'), 400);
  const todos = await ok(await I().get('/api/v1/todos?kind=enforcement.case'));
  assert.ok(todos.items.length >= 1);
});

// Evidence streams to disk as it arrives (a file above --max-body is stored whole, by its SHA-256), and an upload
// cut off midway leaves nothing: no step, no audit leaf, no spooled file.
test('evidence of any size streams; a truncated upload leaves nothing behind', async () => {
  const k = await fileCase();
  await investigate(k.id);
  const big = Buffer.alloc(600 * 1024 + 7);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 10)) & 0xff;
  const up = await ok(await I().req('POST', `/api/v1/cases/${k.id}/evidence?kind=video&description=${encodeURIComponent('执法记录仪视频')}`,
    new Uint8Array(big), { 'content-type': 'application/octet-stream' }), 201);
  assert.equal(up.evidence.sha256, createHash('sha256').update(big).digest('hex'));
  assert.equal(up.evidence.size, big.length);
  assert.equal(up.timeline.at(-1).data.sha256, up.evidence.sha256);
  assert.deepEqual(readdirSync(spool), []);

  const before = await getCase(k.id), size = await treeSize();
  const u = new URL(srv.url), inspector = I();
  await new Promise((resolve) => {
    const sock = net.connect(Number(u.port), u.hostname, () => {
      sock.write(`POST /api/v1/cases/${k.id}/evidence?kind=photo&description=x HTTP/1.1\r\nHost: ${u.host}\r\n` +
        `Cookie: ${inspector.cookie}\r\nX-CSRF-Token: ${inspector.csrf}\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Length: ${big.length}\r\n\r\n`);
      sock.write(big.subarray(0, 300 * 1024), () => setTimeout(() => { sock.destroy(); resolve(); }, 300));
    });
    sock.on('error', resolve);
  });
  // the server notices the closed connection and drops the request with its spool file
  let left = readdirSync(spool);
  for (let i = 0; i < 50 && left.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = readdirSync(spool);
  }
  assert.deepEqual(left, []);
  const now = await getCase(k.id);
  assert.equal(now.version, before.version);
  assert.equal(now.timeline.length, before.timeline.length);
  assert.equal(await treeSize(), size);
});
