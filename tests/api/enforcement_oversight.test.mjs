// Case oversight: 案件督办 by a higher office (the city's leader supervises a district case with its own deadline,
// the district's officers report with a 督办报告 PDF, the county cannot supervise itself, the city lifts it; to-dos
// for the supervised officers) and 行刑衔接 (a case suspected of a crime: the officers' proposal with its
// attachments in the attachment store, the leader's approval within 3 days, the transfer with the 案件移送书 listing
// them, the police receipt, their refusal to file, reconsideration; a suspected-crime case cannot close before its
// transfer); the discretion-benchmark editor (a new version per change, audited); the 现场笔录 and 询问笔录 and the preview of a document before it is issued. Every refused action answers problem+json in Chinese and changes nothing. Escalation by the clock job
// is tested in tests/unit/enforcement.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Server, Client, isProblem } from './harness.mjs';
import { twoTerritories, signedIn, A } from './territories.mjs';

let srv, a, city;
const ymd = (d) => new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
const inDays = (n) => ymd(new Date(Date.now() + n * 86400e3));

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}
const I = () => a.clients.inspector;
const L = () => a.clients.leader;
const two = () => [a.users.inspector.id, a.users.inspector2.id];
const getCase = async (id) => ok(await L().get(`/api/v1/cases/${id}`));
const sup = (c, id, body) => c.post(`/api/v1/cases/${id}/supervision`, body);
const tr = (c, id, body) => c.post(`/api/v1/cases/${id}/police-transfer`, body);

async function fileCase(extra = {}) {
  const c = await ok(await I().post('/api/v1/cases/clues', { source: 'manual', subject_kind: 'institution', subject_id: a.inst.id,
    summary: '群众反映该诊所由无证人员行医' }), 201);
  return ok(await L().post('/api/v1/cases', { clue_id: c.id, officers: two(), opinion: '同意立案', ...extra }), 201);
}
// A refusal: status, a Chinese detail, and the case unchanged (version and timeline).
async function refused(p, id, status, re) {
  const before = await getCase(id);
  const r = await p;
  isProblem(assert, r, status);
  if (re) assert.match(r.data.detail + JSON.stringify(r.data.errors ?? []), re);
  const now = await getCase(id);
  assert.equal(now.version, before.version);
  assert.equal(now.timeline.length, before.timeline.length);
  assert.deepEqual(now.police_transfer, before.police_transfer);
  assert.deepEqual(now.supervision, before.supervision);
}
const pdfText = async (c, url) => execFileSync('pdftotext', ['-', '-'], { input: (await c.get(url)).data, encoding: 'utf8' });

before(async () => {
  srv = new Server();
  await srv.start();
  a = (await twoTerritories(srv))[A];
  srv.addUser('330300.leader', 'leader', '330300');
  city = await signedIn(srv, '330300.leader');
});
after(async () => { await srv?.stop(); srv?.cleanup(); });

test('案件督办: the city supervises a district case; the district reports; the district cannot supervise itself', async () => {
  const k = await fileCase();
  await refused(sup(L(), k.id, { action: 'start', reason: '群众反映强烈', due_on: inDays(20) }), k.id, 409, /上级/);
  await refused(sup(city, k.id, { action: 'start', reason: '', due_on: inDays(-1) }), k.id, 422, /督办事由|督办期限/);
  await refused(sup(I(), k.id, { action: 'report', progress: '调查中' }), k.id, 409, /不在督办中/);
  const s = await ok(await sup(city, k.id, { action: 'start', reason: '群众反映强烈，市局挂牌督办', due_on: inDays(20) }));
  assert.equal(s.supervision.state, 'active');
  assert.equal(s.supervision.due_on, inDays(20));
  assert.equal(s.supervision.office_region, '330300');
  assert.equal(s.supervision.overdue, false);
  assert.equal(s.timeline.at(-1).action, 'supervise');
  await refused(sup(city, k.id, { action: 'start', reason: '再次', due_on: inDays(30) }), k.id, 409, /已在督办中/);
  // the supervised officers' to-do
  const todos = await ok(await I().get('/api/v1/todos'));
  const t = todos.items.find((x) => x.kind === 'enforcement.supervised');
  assert.ok(t, JSON.stringify(todos.items.map((x) => x.kind)));
  assert.match(t.title, /督办案件/);
  // reports: by the case's office, not by the supervisor; a 督办报告 PDF
  await refused(sup(city, k.id, { action: 'report', progress: '市局代报' }), k.id, 409, /承办/);
  await refused(sup(I(), k.id, { action: 'report' }), k.id, 422, /进展/);
  const r = await ok(await sup(I(), k.id, { action: 'report', progress: '已完成现场检查，正在询问当事人' }));
  assert.equal(r.supervision.reports, 1);
  assert.match(r.timeline.at(-1).data.number, /^温鹿卫督〔\d{4}〕\d+号$/);
  const docs = await ok(await I().get(`/api/v1/cases/${k.id}/documents`));
  const rep = docs.items.find((x) => x.kind === 'supervision_report');
  const text = await pdfText(I(), rep.pdf);
  for (const want of ['督办案件办理情况报告', '已完成现场检查', a.inst.name]) assert.ok(text.includes(want), `${want}:\n${text}`);
  // lifting: the supervisor only
  await refused(sup(L(), k.id, { action: 'lift', reason: '已办结' }), k.id, 409, /上级/);
  const l = await ok(await sup(city, k.id, { action: 'lift', reason: '已按要求查处' }));
  assert.equal(l.supervision.state, 'lifted');
  const after = await ok(await I().get('/api/v1/todos'));
  assert.ok(!after.items.some((x) => x.kind === 'enforcement.supervised' && x.state === 'open'));
});

test('行刑衔接: proposal with attachments, approval, 案件移送书, receipt, refusal to file, reconsideration; closing needs it', async () => {
  const k = await fileCase({ suspect_crime: true });
  await ok(await I().post(`/api/v1/cases/${k.id}/transitions`, { action: 'investigate', participants: two() }));
  const file = Buffer.from(`调查报告 ${Date.now()}`);
  const up = await ok(await I().req('POST', `/api/v1/cases/${k.id}/evidence?kind=document&description=${encodeURIComponent('调查报告')}`,
    new Uint8Array(file), { 'content-type': 'application/octet-stream' }), 201);
  const sha = up.evidence.sha256;
  assert.equal(sha, createHash('sha256').update(file).digest('hex'));
  const att = [{ kind: 'investigation_report', name: '涉嫌犯罪案件情况的调查报告', sha256: sha }];
  await refused(tr(L(), k.id, { action: 'propose', reason: '无证行医致人伤害', charge: '非法行医罪', attachments: att }), k.id, 409, /承办人员/);
  await refused(tr(I(), k.id, { action: 'propose', reason: '无证行医', charge: '非法行医罪', attachments: [] }), k.id, 422, /调查报告/);
  await refused(tr(I(), k.id, { action: 'propose', reason: '无证行医', charge: '非法行医罪',
    attachments: [{ kind: 'other', name: '照片', sha256: sha }] }), k.id, 422, /调查报告/);
  await refused(tr(I(), k.id, { action: 'propose', reason: '无证行医', charge: '非法行医罪',
    attachments: [{ kind: 'investigation_report', name: '报告', sha256: 'b'.repeat(64) }] }), k.id, 422, /SHA-256/);
  await refused(tr(I(), k.id, { action: 'approve', opinion: '同意', receiving_org: '公安' }), k.id, 409, /尚未提出移送/);
  const p = await ok(await tr(I(), k.id, { action: 'propose', reason: '无证行医，造成就诊人身体健康损害', charge: '非法行医罪',
    attachments: att }));
  assert.equal(p.police_transfer.state, 'proposed');
  assert.ok(p.police_transfer.approve_due >= inDays(3), p.police_transfer.approve_due);
  assert.equal(p.police_transfer.overdue, false);
  assert.equal(p.suspect_crime, true);
  const lt = await ok(await L().get('/api/v1/todos'));
  assert.ok(lt.items.some((x) => x.kind === 'enforcement.police_transfer' && /待审批/.test(x.title)));
  await refused(tr(I(), k.id, { action: 'propose', reason: 'x', charge: 'y', attachments: att }), k.id, 409, /办理中/);
  await refused(tr(I(), k.id, { action: 'approve', opinion: '同意', receiving_org: '公安' }), k.id, 409, /负责人/);
  await refused(tr(L(), k.id, { action: 'approve', opinion: '同意' }), k.id, 422, /公安机关/);
  const ap = await ok(await tr(L(), k.id, { action: 'approve', opinion: '同意移送', receiving_org: '温州市公安局鹿城区分局' }));
  assert.equal(ap.police_transfer.state, 'approved');
  const it = await ok(await I().get('/api/v1/todos'));
  assert.ok(it.items.some((x) => x.kind === 'enforcement.police_transfer' && /24小时/.test(x.title)));
  const sent = await ok(await tr(I(), k.id, { action: 'send' }));
  assert.equal(sent.state, 'transferred');
  assert.equal(sent.police_transfer.state, 'sent');
  assert.match(sent.police_transfer.letter_no, /^温鹿卫移〔\d{4}〕\d+号$/);
  assert.match(sent.transferred_to, /^police:温州市公安局鹿城区分局/);
  const docs = await ok(await I().get(`/api/v1/cases/${k.id}/documents`));
  const letter = docs.items.find((x) => x.kind === 'transfer_letter');
  assert.equal(letter.number, sent.police_transfer.letter_no);
  const text = await pdfText(I(), letter.pdf);
  for (const want of ['案件移送书', '温州市公安局鹿城区分局', '行政执法机关移送涉嫌犯罪案件的规定', '附件', '涉嫌犯罪案件情况的调查报告'])
    assert.ok(text.includes(want), `${want}:\n${text}`);
  // the receipt: its day between the transfer and today; the police decide within 3 days of it
  await refused(tr(I(), k.id, { action: 'receipt', receipt_on: inDays(1) }), k.id, 422, /回执/);
  const rc = await ok(await tr(I(), k.id, { action: 'receipt', receipt_on: inDays(0), receipt_no: '鹿公受〔2026〕88号' }));
  assert.equal(rc.police_transfer.state, 'received');
  assert.ok(rc.police_transfer.police_decision_due >= inDays(3));
  await refused(tr(I(), k.id, { action: 'police_decision', decision: 'not_accepted', decided_on: inDays(0) }), k.id, 422, /理由/);
  const na = await ok(await tr(I(), k.id, { action: 'police_decision', decision: 'not_accepted', decided_on: inDays(0),
    reason: '证据不足' }));
  assert.equal(na.police_transfer.state, 'not_accepted');
  await refused(tr(I(), k.id, { action: 'reconsider', reason: '证据充分' }), k.id, 409, /负责人/);
  const rq = await ok(await tr(L(), k.id, { action: 'reconsider', reason: '已补充鉴定意见，证据充分' }));
  assert.equal(rq.police_transfer.state, 'reconsidering');
  const rv = await ok(await tr(I(), k.id, { action: 'reconsider_result', result: 'reversed', decided_on: inDays(0) }));
  assert.equal(rv.police_transfer.state, 'reversed');
  const actions = rv.timeline.map((x) => x.action).filter((x) => x.startsWith('police_transfer'));
  assert.deepEqual(actions, ['police_transfer_propose', 'police_transfer_approve', 'police_transfer_send', 'police_transfer_receipt',
    'police_transfer_police_decision', 'police_transfer_reconsider', 'police_transfer_reconsider_result']);
  const done = await ok(await I().get('/api/v1/todos'));
  assert.ok(!done.items.some((x) => x.kind === 'enforcement.police_transfer' && x.state === 'open'));
  // now the case may close
  const cl = await ok(await L().post(`/api/v1/cases/${k.id}/transitions`, { action: 'close', summary: '已移送公安机关立案侦查' }));
  assert.equal(cl.state, 'closed');
});

test('行刑衔接: a leader who does not approve records why; the case goes on and may close without a transfer', async () => {
  const k = await fileCase({ suspect_crime: true });
  await ok(await I().post(`/api/v1/cases/${k.id}/transitions`, { action: 'investigate', participants: two() }));
  const sha = (await ok(await I().req('POST', `/api/v1/cases/${k.id}/evidence?kind=document&description=x`,
    new Uint8Array(Buffer.from(`报告 ${Date.now()}`)), { 'content-type': 'application/octet-stream' }), 201)).evidence.sha256;
  await ok(await tr(I(), k.id, { action: 'propose', reason: '疑似', charge: '非法行医罪',
    attachments: [{ kind: 'investigation_report', name: '调查报告', sha256: sha }] }));
  await refused(tr(L(), k.id, { action: 'not_approve' }), k.id, 422, /理由/);
  const n = await ok(await tr(L(), k.id, { action: 'not_approve', reason: '尚未达到刑事立案追诉标准' }));
  assert.equal(n.police_transfer.state, 'not_approved');
  assert.equal(n.suspect_crime, false);
  assert.equal(n.state, 'investigating');
});

test('现场笔录 and 询问笔录 by two officers, numbered; previews of every later document store nothing', async () => {
  const k = await fileCase();
  const rec = (c, body) => c.post(`/api/v1/cases/${k.id}/records`, body);
  const site = { kind: 'site_record', participants: two(), place: '鹿城区某诊所', at: '2026-03-02 09:30', present: '负责人王某',
    findings: '治疗室内有两名未取得医师资格的人员正在为患者输液' };
  await refused(rec(I(), { ...site, participants: [a.users.inspector.id] }), k.id, 422, /不少于两人/);
  await refused(rec(I(), { ...site, findings: '' }), k.id, 422, /findings/);
  await refused(rec(I(), { ...site, kind: 'other_record' }), k.id, 422, /笔录类别/);
  const s1 = await ok(await rec(I(), site), 201);
  const st = s1.timeline.at(-1);
  assert.equal(st.action, 'record_site');
  assert.match(st.data.number, /^温鹿卫现〔\d{4}〕\d+号$/);
  await ok(await I().post(`/api/v1/cases/${k.id}/transitions`, { action: 'investigate', participants: two() }));
  const q = await ok(await rec(a.clients.inspector2, { kind: 'inquiry_record', participants: two(), interviewee: '王某',
    relation: '负责人', place: '鹿城区卫生监督所', at: '2026-03-03 14:00', qa: '问：输液人员是否取得执业资格？答：没有。' }), 201);
  assert.match(q.timeline.at(-1).data.number, /^温鹿卫询〔\d{4}〕\d+号$/);
  const docs = await ok(await I().get(`/api/v1/cases/${k.id}/documents`));
  const sr = docs.items.find((x) => x.kind === 'site_record'), ir = docs.items.find((x) => x.kind === 'inquiry_record');
  const t1 = await pdfText(I(), sr.pdf), t2 = await pdfText(I(), ir.pdf);
  for (const want of ['现场笔录', '鹿城区某诊所', '未取得医师资格']) assert.ok(t1.includes(want), `${want}:\n${t1}`);
  for (const want of ['询问笔录', '王某', '输液人员是否取得执业资格']) assert.ok(t2.includes(want), `${want}:\n${t2}`);
  // previews: watermarked, no number, nothing stored
  const pv = (kind, data) => I().post(`/api/v1/cases/${k.id}/documents/preview`, { kind, data });
  isProblem(assert, await pv('no_such_doc'), 422);
  const before = (await ok(await I().get(`/api/v1/cases/${k.id}/documents`))).items.length;
  for (const [kind, data, want] of [['payment_reminder', {}, '催告书'], ['hearing_notice', { hearing_on: '2026-04-01 09:00',
    hearing_place: '第一听证室' }, '第一听证室'], ['hearing_rights_notice', {}, '听证告知书'], ['hearing_record',
    { held_on: '2026-04-01', transcript: '当事人申辩称已整改' }, '当事人申辩称已整改'], ['site_record', site, '现场笔录']]) {
    const r = await pv(kind, data);
    assert.equal(r.status, 200, kind);
    assert.match(r.type, /application\/pdf/);
    const text = execFileSync('pdftotext', ['-', '-'], { input: r.data, encoding: 'utf8' });
    assert.ok(text.includes(want), `${kind} preview lacks ${want}:\n${text}`);
    assert.ok(!/温鹿卫\S*〔\d{4}〕\d+号/.test(text), `${kind} preview carries no number`);
  }
  assert.equal((await ok(await I().get(`/api/v1/cases/${k.id}/documents`))).items.length, before);
});

test('裁量基准 editor: a legal reviewer changes a row\'s bands — a new version, audited; bad bands and stale versions refused', async () => {
  const list = async () => (await ok(await new Client(srv.url).get('/api/v1/enforcement/benchmarks'))).items;
  const row = (await list()).find((x) => x.code === 'disinfection');
  const tiers = structuredClone(row.tiers);
  tiers.general.fine_max_fen = Math.min(row.legal_max_fen, tiers.general.fine_max_fen);
  tiers.general.fine_min_fen = Math.max(0, tiers.general.fine_max_fen - 100000);
  const put = (c, body) => c.req('PUT', '/api/v1/enforcement/benchmarks/disinfection', body);
  isProblem(assert, await put(I(), { version: row.version, tiers, reason: '依据新规' }), 403);
  const sth = async () => (await ok(await new Client(srv.url).get('/api/v1/audit/sth'))).tree_size;
  const size = await sth();
  const bad = structuredClone(tiers);
  bad.heavier.fine_max_fen = row.legal_max_fen + 1;
  let r = await put(a.clients.legal_reviewer, { version: row.version, tiers: bad, reason: '试' });
  isProblem(assert, r, 422);
  assert.match(JSON.stringify(r.data.errors), /heavier.*法定最高额/);
  const bad2 = structuredClone(tiers);
  bad2.lighter.kinds = ['revoke_licence_x'];
  isProblem(assert, await put(a.clients.legal_reviewer, { version: row.version, tiers: bad2, reason: '试' }), 422);
  isProblem(assert, await put(a.clients.legal_reviewer, { version: row.version, tiers }), 422);
  isProblem(assert, await put(a.clients.legal_reviewer, { version: row.version + 5, tiers, reason: '试' }), 409);
  isProblem(assert, await a.clients.legal_reviewer.req('PUT', '/api/v1/enforcement/benchmarks/no_such', { version: 1, reason: 'x' }), 404);
  assert.equal(await sth(), size, 'refused changes append nothing');
  assert.equal((await list()).find((x) => x.code === 'disinfection').version, row.version);
  const ch = await ok(await put(a.clients.legal_reviewer, { version: row.version, tiers, reviewed: true, reason: '法制科复核后调整一般档' }));
  assert.equal(ch.version, row.version + 1);
  assert.equal(ch.review_state, 'reviewed');
  const now = (await list()).filter((x) => x.code === 'disinfection');
  assert.equal(now.length, 1, 'only the new version is active');
  assert.equal(now[0].version, row.version + 1);
  assert.deepEqual(now[0].tiers.general, tiers.general);
  assert.equal(await sth(), size + 1);
  isProblem(assert, await put(a.clients.admin, { version: row.version, tiers, reason: '旧版本' }), 409);
});
