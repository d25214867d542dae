// The authorization matrix: every route of GET /api/v1/openapi.json (generated from the router's
// table) × every caller — the eight roles of 鹿城区 330302, no sign-in, and a read-only token — called
// with ids from the caller's own territory and from another (瑞安市 330381), each outcome asserted
// exactly from the expectation table below: 2xx allowed, 403 refused for the role (or the token's
// read scope), 404 (or 422 for an id in the body) out of scope, 401 without sign-in. A route in
// openapi.json that the table does not cover fails the suite, so a new route cannot escape it; no 2xx
// answer of a signed-in route carries the other territory's objects; a refused write must leave the
// audit log (every change of state appends a leaf) as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Server, BIN, PASSWORD } from './harness.mjs';
import { creditCode, residentId } from './codes.mjs';
import { twoTerritories, signedIn, A, B, ROLES } from './territories.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const CALLERS = [...ROLES, 'anon', 'token'];
const ANY = ROLES.join(' ');
const STAFF = 'admin leader inspector legal_reviewer liaison'; // INSP_STAFF
const TASK_READERS = STAFF + ' institution';
const FIELD = 'admin leader inspector';
const PLANNERS = 'admin leader';
const WRITERS = 'admin inspector';
const CLAIM_READERS = 'insurance_analyst admin leader liaison';
// Rows with a department column are invisible to the market liaison (remit: market); subjects
// outside a bound caller's set are invisible to institution users and grid members.
const DEPT_HIDDEN = { liaison: 404 };
const BOUND_HIDDEN = { institution: 404, grid_member: 404 };

let srv, T, a, b, token, rootToken, openapi, seq = 0, claimsA = [], claimsB = [];
// While building a request for a caller the role gate will refuse, nothing fresh is made (DRY).
let DRY = false;
const mk = (t) => t === a && !DRY;
const uniq = () => `${Date.now() % 100000}${seq++}`;
// A filing's start date unique across the run (a practitioner's filings at one institution differ by date).
let filingSeq = 0;
const filingDay = () => new Date(Date.UTC(2010, 0, 1) + 86400000 * filingSeq++).toISOString().slice(0, 10);

// ---- fixtures beyond territories.mjs ----

async function made(r, status = 201) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}

const freshInst = async (t) => made(await t.clients.admin.post('/api/v1/institutions', {
  credit_code: creditCode('5233' + t.code.slice(2), String(50000000 + seq++)), name: `${t.code}新建诊所${seq}`, type: 'clinic',
  level: 'none', ownership: 'private', profit: 'forprofit', region_code: t.code, clinical_depts: ['03'] }));
const freshLicence = async (t) => made(await t.clients.admin.post('/api/v1/licences', { kind: 'med_inst_practice',
  holder_type: 'institution', holder_id: (await freshInst(t)).id, reason: '核发', valid_from: '2026-01-15' }));
const freshTask = async (t) => made(await t.clients.admin.post('/api/v1/inspection/tasks', { kind: 'patrol',
  subject_id: t.inst.id, item_ids: ['8000001'], team: t.team, due_date: '2026-12-31' }));
const freshOrder = async (t) => made(await t.clients.admin.post(`/api/v1/inspection/tasks/${(await freshTask(t)).id}/rectifications`,
  { requirement: '限期整改', working_days: 5 }));
// A task ready to complete: checked in, every check point of item MQ filled in, signed.
async function readyTask(t) {
  const k = await freshTask(t), c = t.clients.admin;
  await made(await c.post(`/api/v1/inspection/tasks/${k.id}/checkin`, { lng: 120.65, lat: 28.01 }), 200);
  for (let i = 1; i <= 5; i++)
    await made(await c.req('PUT', `/api/v1/inspection/tasks/${k.id}/checklist/MQ-0${i}`, { result: 'compliant' }), 200);
  await made(await c.post(`/api/v1/inspection/tasks/${k.id}/signature`, { signed: true, signer_name: '负责人' }), 200);
  return k;
}
async function completedTask(t) {
  const k = await readyTask(t);
  await made(await t.clients.admin.post(`/api/v1/inspection/tasks/${k.id}/complete`, { summary: '检查完毕' }), 200);
  return k;
}
const freshPlan = async (t) => made(await t.clients.leader.post('/api/v1/inspection/plans', { name: `计划${uniq()}`, kind: 'special',
  item_ids: ['8000001'], region_code: t.code, ratio_permille: 200, start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2 }));
const freshDraw = async (t) => made(await t.clients.leader.post(`/api/v1/inspection/plans/${(await freshPlan(t)).id}/commit`));
const freshPlace = async (t) => made(await t.clients.admin.post('/api/v1/subjects/public_place', {
  credit_code: creditCode('9233' + t.code.slice(2), String(70000000 + seq++)), name: `矩阵浴室${uniq()}`, category: 'bathhouse', region_code: t.code }));
const freshFiling = async (t) => made(await t.clients.admin.post(`/api/v1/practitioners/${t.prac.id}/filings`,
  { institution_id: t.other.id, start_date: filingDay() }));
const freshResp = async () => made(await T[A].clients.admin.post('/api/v1/responsibilities',
  { department: 'health', duty: `矩阵测试职责${uniq()}`, source: '测试' }));
const freshClue = async (t) => made(await t.clients.inspector.post('/api/v1/cases/clues', { source: 'manual',
  subject_kind: 'institution', subject_id: t.inst.id, summary: `矩阵案源${uniq()}` }));
const freshCase = async (t) => made(await t.clients.leader.post('/api/v1/cases', { clue_id: (await freshClue(t)).id, officers: t.team }));
// An issued document of territory t about its bound institution, through the CLI as a capability issues one.
const issueDoc = (t) => JSON.parse(execFileSync(BIN, ['doc', 'issue', '--db', srv.db, '--keys', srv.keys, '--region', t.code,
  '--office', `矩${t.code.slice(4)}卫`, '--institution', t.inst.id, '--subject', `institution:${t.inst.id}`], { encoding: 'utf8' }));
const nextFlag = (list) => { const f = list.shift(); assert.ok(f, 'pending flags left'); return f; };

async function claimsFixture() {
  const claims = path.join(srv.dir, 'claims.csv'), flags = path.join(srv.dir, 'flags.csv');
  const registry = path.join(srv.dir, 'claims_registry'), deaths = path.join(srv.dir, 'claims_deaths.csv');
  const RULES = path.join(root, 'rules');
  execFileSync(BIN, ['gen', 'claims', '--rows', '2000', '--seed', '3', '--violations', '0.05', '--out', claims,
    '--labels', path.join(srv.dir, 'labels.csv'), '--rules', RULES], { stdio: 'pipe' });
  const screen = (extra = []) => spawnSync(BIN, ['screen', '--claims', claims, '--rules', RULES, '--registry', registry,
    '--deaths', deaths, '--out', flags, '--threads', '2', ...extra], { encoding: 'utf8' });
  assert.equal(screen().status, 0);
  const per = {};
  const lines = readFileSync(flags, 'utf8').trim().split('\n');
  const col = lines[0].split(',').indexOf('institution_code');
  for (const l of lines.slice(1)) { const c = l.split(',')[col]; per[c] = (per[c] ?? 0) + 1; }
  // the institution with most flags goes to B, the next eight to A (A's calls use up a flag each)
  const codes = Object.entries(per).sort((x, y) => y[1] - x[1]).map((e) => e[0]);
  for (const [k, code] of codes.slice(0, 9).entries()) {
    const t = k ? a : b;
    await made(await t.clients.admin.post('/api/v1/institutions', { credit_code: code, name: `${t.code}医保诊所${k}`,
      type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit', region_code: t.code, clinical_depts: ['03'] }));
  }
  const s = screen(['--db', srv.db, '--keys', srv.keys]);
  assert.equal(s.status, 0, s.stderr);
  for (const [t, list] of [[a, claimsA], [b, claimsB]]) {
    const r = await t.clients.admin.get(`/api/v1/claims/flags?region=${t.code}&state=pending&limit=200`);
    list.push(...r.data.items);
    assert.ok(list.length >= (t === a ? 10 : 1), `${t.code}: ${list.length} flags`);
  }
  a.flag = claimsA.shift(); b.flag = claimsB.shift();
  a.run = (await a.clients.admin.get('/api/v1/claims/runs')).data.items[0].id;
}

before(async () => {
  srv = new Server({ env: { YIJIAN_COMPLAINTS_PER_ADDRESS: '1000' } }); // one public complaint per caller, more callers than the default 10
  await srv.start();
  T = await twoTerritories(srv);
  a = T[A]; b = T[B];
  for (const t of [a, b]) {
    srv.addUser(`${t.code}.inspector3`, 'inspector', t.code);
    const i3 = await signedIn(srv, `${t.code}.inspector3`);
    await made(await t.clients.admin.req('PUT', `/api/v1/inspection/inspectors/${i3.user.id}`, { cert_no: `33${t.code}93` }), 200);
    t.draw = await freshDraw(t);
    t.drawn = await freshDraw(t);
    await made(await t.clients.leader.post(`/api/v1/inspection/draws/${t.drawn.id}/draw`, { witness: '福彩3D 2026001' }), 200);
    t.attachment = await made(await t.clients.admin.req('POST', `/api/v1/inspection/tasks/${t.task.id}/attachments?name=photo.png`,
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, t.code.length, seq++]), { 'content-type': 'application/octet-stream' }));
    t.filing = await freshFiling(t);
    t.place = await freshPlace(t);
    await made(await t.clients.admin.post('/api/v1/tokens', { name: 'matrix' }));
    t.tokenId = await lastToken(t.clients.admin);
    t.leaf = (await t.clients.admin.get(`/api/v1/audit/leaves?object_type=institution&object_id=${t.inst.id}`)).data.items[0];
    t.clue = await freshClue(t);
    t.case = await freshCase(t);
    t.caseDoc = (await t.clients.leader.get(`/api/v1/cases/${t.case.id}/documents`)).data.items[0];
    t.complaint = await freshComplaint(t);
    t.transfer = await freshTransfer(t);
    t.reward = await approvedReward(t);
    t.action = await freshAction(t);
    t.meeting = await freshMeeting(t);
    t.patrol = await freshPatrol(t);
    t.opinion = await freshOpinion(t, true);
  }
  a.item = await made(await a.clients.admin.post('/api/v1/inspection/items', { code: 'MATRIX-1', department: 'health',
    name: '矩阵测试事项', legal_basis: '《医疗机构管理条例》', subject_types: ['clinic'],
    checklist: [{ code: 'MX-01', point: '测试', clause: '《医疗机构管理条例》第二十二条' }], ratio_permille: 50, coverage_years: 3 }));
  await claimsFixture();
  for (const t of [a, b]) t.doc = issueDoc(t);
  for (const t of [a, b]) await creditFixture(t);
  token = srv.token(`${A}.admin`, 'matrix-read');
  // A province administrator's read token sees both territories' audit leaves (grewByCaller below).
  srv.addUser('matrix.root', 'admin', '330000');
  rootToken = srv.token('matrix.root', 'matrix-root');
  openapi = (await fetch(srv.url + '/api/v1/openapi.json').then((r) => r.json())).paths;
});
after(async () => {
  const exit = await srv.stop();
  srv.cleanup();
  assert.equal(exit.code, 0, 'server exits cleanly:\n' + srv.logs.slice(-4000));
});

// ---- the expectation table ----
// roles: who passes the role gate ('public': no sign-in needed). ok: the status an allowed caller gets
// on its own territory's ids; own: per-role exceptions (rows its remit or subject set does not
// reach). foreign: the status for the other territory's ids (default 404), or null when the route
// takes no territorial id, or 'list': 200 without any of the foreign territory's objects. req(t, role): {path params, query, body} for territory t (own: a, foreign:
// b); it may be async to make a fresh object, so a success never depends on an earlier call. has(t):
// ids an own 2xx answer must contain.
const ids = (t) => [t.inst.id, t.other.id, t.prac.id, t.lic.id, t.task.id, t.order.id, t.plan.id, t.grid.id, t.flag.id,
  t.draw.id, t.finding.id];
const E = {};
const def = (key, spec) => { E[key] = spec; };
const pub = (key, req = () => ({}), extra = {}) => def(key, { roles: 'public', ok: 200, foreign: null, req, ...extra });

pub('GET /healthz');
// /metrics on the public listener is for administrators (Prometheus with a read token); the operator listener serves it to anyone who can reach it
def('GET /metrics', { roles: 'admin', ok: 200, foreign: null });
pub('GET /api/v1/openapi.json');
def('POST /api/v1/session', { roles: 'public', ok: 200, foreign: null,
  req: () => ({ body: { username: `${A}.leader`, password: PASSWORD } }) });
// a token has no browser session to describe
def('GET /api/v1/session', { roles: ANY, ok: 200, foreign: null, own: { token: 400 } });
def('DELETE /api/v1/session', { roles: ANY, ok: 204, foreign: null, session: 'fresh' });
def('PUT /api/v1/session/password', { roles: ANY, ok: 422, foreign: null,
  req: () => ({ body: { old_password: 'not-the-password', new_password: 'Xin-mima-2027' } }) });

def('GET /api/v1/users', { roles: 'admin leader', ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&limit=200` }),
  has: (t) => [t.users.inspector.id] });
def('GET /api/v1/users/export', { roles: 'admin leader', ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('POST /api/v1/users', { roles: 'admin', ok: 201, foreign: 403, req: (t) => ({ body: { username: `m.${uniq()}`,
  password: PASSWORD, role: 'inspector', region_code: t.code, department: 'health' } }) });
def('GET /api/v1/users/{id}', { roles: 'admin leader', ok: 200, req: (t) => ({ params: { id: t.users.inspector2.id } }) });
def('PATCH /api/v1/users/{id}', { roles: 'admin', ok: 200, req: (t) => ({ params: { id: t.users.inspector2.id },
  body: { display_name: `监督员${uniq()}` } }) });

def('POST /api/v1/users/{id}/unlock', { roles: 'admin', ok: 200, req: (t) => ({ params: { id: t.users.inspector2.id } }) });
// A new password must not hold a run such as 12345 (pwquality refuses it): uniq()'s digits, each after a letter.
def('PUT /api/v1/users/{id}/password', { roles: 'admin', ok: 204, req: (t) => ({ params: { id: t.users.inspector2.id },
  body: { password: 'Jiancha-yuan-2027-' + [...uniq()].map((d, i) => 'kmpqrtvwxz'[i % 10] + d).join('') } }) });

def('GET /api/v1/tokens', { roles: ANY, ok: 200, foreign: null });
def('POST /api/v1/tokens', { roles: ANY, ok: 201, foreign: null, req: () => ({ body: { name: `t${uniq()}` } }) });
def('DELETE /api/v1/tokens/{id}', { roles: ANY, ok: 204, foreign: 404, req: async (t, role, c) => {
  if (!mk(t)) return { params: { id: t.tokenId } };
  await made(await c.post('/api/v1/tokens', { name: `d${uniq()}` }));
  return { params: { id: await lastToken(c) } };
} });

// The to-do inbox lists the caller's own work: no ids, nothing of another territory (todos.test.mjs checks scope).
def('GET /api/v1/todos', { roles: ANY, ok: 200, foreign: null });
def('GET /api/v1/todos/counts', { roles: ANY, ok: 200, foreign: null });
def('GET /api/v1/todos/export', { roles: ANY, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });

// Events and jobs are for administrators; events are scoped to the territory (events.test.mjs checks it).
def('GET /api/v1/system/events', { roles: 'admin', ok: 200, foreign: null });
def('GET /api/v1/system/jobs', { roles: 'admin', ok: 200, foreign: null });

def('GET /api/v1/regions', { roles: ANY, ok: 200, foreign: 'list', req: (t) => ({ query: `?parent=${t.code}&limit=50` }) });
def('GET /api/v1/regions/export', { roles: ANY, ok: 200, foreign: 'list', req: (t) => ({ query: `?parent=${t.code}&format=csv` }) });
def('GET /api/v1/regions/{code}', { roles: ANY, ok: 200, req: (t) => ({ params: { code: t.code } }) });
def('GET /api/v1/departments', { roles: ANY, ok: 200, foreign: null });

pub('GET /api/v1/audit/sth');
pub('GET /api/v1/audit/public-key');
pub('GET /api/v1/audit/proof/inclusion', () => ({ query: '?index=0' }));
pub('GET /api/v1/audit/proof/consistency', () => ({ query: '?first=1' }));
pub('GET /api/v1/public/audit/sth');
pub('GET /api/v1/public/audit/sths');
pub('GET /api/v1/public/audit/leaves', () => ({ query: '?start=0' }));
def('GET /api/v1/audit/daily', { roles: 'admin leader', ok: 200, foreign: null });
def('GET /api/v1/audit/leaves', { roles: 'admin leader', ok: 200, foreign: 'list',
  req: (t) => ({ query: `?object_type=institution&object_id=${t.inst.id}` }), has: (t) => [t.leaf.leaf_hash] });

// registry: subjects are shared across departments (no department column), so the liaison and the
// insurance analyst see the county's; institution users and grid members see their own subjects.
const regList = (kind, has) => def(`GET /api/v1/${kind}`, { roles: ANY, ok: 200, foreign: 'list',
  req: (t) => ({ query: `?region=${t.code}&limit=200` }), has });
regList('institutions', (t) => [t.inst.id]);
regList('practitioners', (t) => [t.prac.id]);
regList('licences', (t) => [t.lic.id]);
for (const kind of ['institutions', 'practitioners', 'licences'])
  def(`GET /api/v1/${kind}/export`, { roles: ANY, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('GET /api/v1/institutions/stats', { roles: ANY, ok: 200, foreign: 'list', req: (t) => ({ query: `?group=type&region=${t.code}` }) });
def('GET /api/v1/practitioners/stats', { roles: ANY, ok: 200, foreign: 'list', req: (t) => ({ query: `?group=category&region=${t.code}` }) });
def('POST /api/v1/institutions', { roles: WRITERS, ok: 201, foreign: 422, req: (t) => ({ body: {
  credit_code: creditCode('5233' + t.code.slice(2), String(60000000 + seq++)), name: `矩阵诊所${uniq()}`, type: 'clinic',
  level: 'none', ownership: 'private', profit: 'forprofit', region_code: t.code, clinical_depts: ['03'] } }) });
def('POST /api/v1/practitioners', { roles: WRITERS, ok: 201, foreign: 422, req: (t) => {
  const n = String(seq++).padStart(3, '0');
  return { body: { name: '王五', id_number: residentId(`${t.code}19900101${n}`.slice(0, 17)),
    certificate_no: `11${t.code}${n}${t === a ? 1 : 2}000`, category: 'physician', practice_type: 'clinical',
    institution_id: t.other.id } };
} });
for (const [kind, obj] of [['institutions', 'inst'], ['practitioners', 'prac']]) {
  def(`GET /api/v1/${kind}/{id}`, { roles: ANY, ok: 200, req: (t) => ({ params: { id: t[obj].id } }) });
  def(`GET /api/v1/${kind}/{id}/history`, { roles: ANY, ok: 200, req: (t) => ({ params: { id: t[obj].id } }) });
}
def('PATCH /api/v1/institutions/{id}', { roles: WRITERS, ok: 200,
  req: (t) => ({ params: { id: t.other.id }, body: { address: `地址${uniq()}` } }) });
def('PATCH /api/v1/practitioners/{id}', { roles: WRITERS, ok: 200,
  req: (t) => ({ params: { id: t.otherPrac.id }, body: { practice_scope: `内科专业${uniq()}` } }) });
def('GET /api/v1/practitioners/{id}/identity', { roles: 'admin inspector legal_reviewer', ok: 200,
  req: (t) => ({ params: { id: t.prac.id } }) });
def('GET /api/v1/vocab', { roles: ANY, ok: 200, foreign: null });

def('GET /api/v1/grids', { roles: ANY, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}` }),
  has: (t, role) => (BOUND_HIDDEN[role] ? [] : [t.grid.id]) });
def('GET /api/v1/grids/export', { roles: ANY, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('POST /api/v1/grids', { roles: 'admin', ok: 201, foreign: 422, req: (t) => ({ body: { name: `网格${uniq()}`, region_code: t.town } }) });
def('GET /api/v1/grids/{id}', { roles: ANY, ok: 200, own: BOUND_HIDDEN, req: (t) => ({ params: { id: t.grid.id } }) });
def('PATCH /api/v1/grids/{id}', { roles: 'admin', ok: 200, req: (t) => ({ params: { id: t.grid2.id }, body: { name: `网格${uniq()}` } }) });
def('PUT /api/v1/grids/{id}/members', { roles: 'admin', ok: 200,
  req: (t) => ({ params: { id: t.grid.id }, body: { user_ids: [t.users.grid_member.id] } }) });

// responsibilities and the code lists are the same for every territory
def('GET /api/v1/responsibilities', { roles: ANY, ok: 200, foreign: null });
def('GET /api/v1/responsibilities/export', { roles: ANY, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
def('POST /api/v1/responsibilities', { roles: 'admin', ok: 201, foreign: null,
  req: () => ({ body: { department: 'health', duty: `矩阵职责${uniq()}`, source: '测试' } }) });
def('PATCH /api/v1/responsibilities/{id}', { roles: 'admin', ok: 200, foreign: null,
  req: async () => ({ params: { id: DRY ? '7000000' : (await freshResp()).id }, body: { duty: `改${uniq()}` } }) });
def('DELETE /api/v1/responsibilities/{id}', { roles: 'admin', ok: 204, foreign: null,
  req: async () => ({ params: { id: DRY ? '7000000' : (await freshResp()).id } }) });

def('GET /api/v1/practitioners/{id}/filings', { roles: ANY, ok: 200, req: (t) => ({ params: { id: t.prac.id } }) });
def('POST /api/v1/practitioners/{id}/filings', { roles: WRITERS, ok: 201, req: (t) => ({ params: { id: t.prac.id },
  body: { institution_id: t.other.id, start_date: filingDay() } }) });
def('POST /api/v1/practitioners/{id}/filings/{fid}/end', { roles: WRITERS, ok: 200, req: async (t) => ({
  params: { id: t.prac.id, fid: (mk(t) ? await freshFiling(t) : t.filing).id }, body: { end_date: '2026-06-30' } }) });

def('POST /api/v1/licences', { roles: WRITERS, ok: 201, foreign: 422, req: async (t) => ({ body: { kind: 'med_inst_practice',
  holder_type: 'institution', holder_id: mk(t) ? (await freshInst(t)).id : t.other.id, reason: '核发' } }) });
for (const [k, ok] of [['get', 200], ['download', 200], ['qr.png', 200], ['certificate.pdf', 200]])
  def(`GET /api/v1/licences/{id}${k === 'get' ? '' : '/' + k}`, { roles: ANY, ok, req: (t) => ({ params: { id: t.lic.id } }) });
for (const act of ['renew', 'change', 'suspend', 'resume', 'revoke'])
  def(`POST /api/v1/licences/{id}/${act}`, { roles: WRITERS, ok: 200, req: async (t) => {
    let id = t.lic.id;
    if (mk(t)) {
      id = (await freshLicence(t)).id;
      if (act === 'resume') await made(await t.clients.admin.post(`/api/v1/licences/${id}/suspend`, { reason: '暂停' }), 200);
    }
    return { params: { id }, body: { reason: '依申请办理' } };
  } });
def('GET /api/v1/licence-kinds', { roles: ANY, ok: 200, foreign: null });
// public verification answers for any licence: it is what the QR code on paper links to
def('GET /api/v1/public/licences/{code}', { roles: 'public', ok: 200, foreign: 200, req: (t) => ({ params: { code: t.lic.verify_code } }) });
pub('GET /api/v1/public/licence-key');
// documents (platform/docs): seen in their territory and department, and by the institution they concern;
// the public verification answers for any document (the QR code printed on it links there)
const HEALTH_HIDDEN = { liaison: 404, insurance_analyst: 404 }; // remits without health
def('GET /api/v1/documents/{id}', { roles: ANY, ok: 200, own: HEALTH_HIDDEN, req: (t) => ({ params: { id: t.doc.id } }) });
def('GET /api/v1/documents/{id}.pdf', { roles: ANY, ok: 200, own: HEALTH_HIDDEN, req: (t) => ({ params: { id: t.doc.id } }) });
def('POST /api/v1/documents/preview', { roles: STAFF, ok: 200, foreign: null,
  req: () => ({ body: { model: { title: '预览', blocks: [{ type: 'paragraph', text: '正文' }] } } }) });
pub('GET /api/v1/public/documents/verify', (t) => ({ query: `?no=${encodeURIComponent(t.doc.number)}` }), { foreign: 200 });
// the other kinds of subject (/api/v1/subjects/{kind}): no subject is bound to them, so institution users and grid
// members see none
def('GET /api/v1/registry/kinds', { roles: ANY, ok: 200, foreign: null });
def('GET /api/v1/subjects/{kind}', { roles: ANY, ok: 200, foreign: 'list',
  req: (t) => ({ params: { kind: 'public_place' }, query: `?region=${t.code}&limit=200` }),
  has: (t, role) => (BOUND_HIDDEN[role] ? [] : [t.place.id]) });
def('GET /api/v1/subjects/{kind}/export', { roles: ANY, ok: 200, foreign: 'list',
  req: (t) => ({ params: { kind: 'public_place' }, query: `?region=${t.code}&format=csv` }) });
def('GET /api/v1/subjects/{kind}/stats', { roles: ANY, ok: 200, foreign: 'list',
  req: (t) => ({ params: { kind: 'public_place' }, query: `?group=category&region=${t.code}` }) });
def('POST /api/v1/subjects/{kind}', { roles: WRITERS, ok: 201, foreign: 422, req: (t) => ({ params: { kind: 'school' }, body: {
  credit_code: creditCode('5233' + t.code.slice(2), String(71000000 + seq++)), name: `矩阵小学${uniq()}`, category: 'primary',
  region_code: t.code } }) });
def('GET /api/v1/subjects/{kind}/{id}', { roles: ANY, ok: 200, own: BOUND_HIDDEN,
  req: (t) => ({ params: { kind: 'public_place', id: t.place.id } }) });
def('GET /api/v1/subjects/{kind}/{id}/history', { roles: ANY, ok: 200, own: BOUND_HIDDEN,
  req: (t) => ({ params: { kind: 'public_place', id: t.place.id } }) });
def('PATCH /api/v1/subjects/{kind}/{id}', { roles: WRITERS, ok: 200,
  req: (t) => ({ params: { kind: 'public_place', id: t.place.id }, body: { address: `地址${uniq()}` } }) });
def('GET /api/v1/registry/kinds/{kind}/fields', { roles: ANY, ok: 200, foreign: null, req: () => ({ params: { kind: 'institution' } }) });
// an import answers with its report: a row of another territory is invalid, and nothing is written
def('POST /api/v1/import/{kind}', { roles: WRITERS, ok: 200, foreign: 200, raw: 'text/csv',
  refused: (text) => text.includes('"written":false') && text.includes('"invalid":1'), req: (t) => ({
  params: { kind: 'institutions' },
  body: `credit_code,name,type,level,ownership,profit,region_code\n${creditCode('5233' + t.code.slice(2), String(70000000 + seq++))},导入诊所${uniq()},clinic,none,private,forprofit,${t.code}\n` }) });

// claims flags are the insurance department's rows: the market liaison's remit does not reach them
def('GET /api/v1/claims/runs', { roles: CLAIM_READERS, ok: 200, foreign: null });
def('GET /api/v1/claims/runs/export', { roles: CLAIM_READERS, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
def('GET /api/v1/claims/flags', { roles: CLAIM_READERS, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&limit=200` }),
  has: (t, role) => (role === 'liaison' ? [] : [t.flag.id]) });
def('GET /api/v1/claims/flags/export', { roles: CLAIM_READERS, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('GET /api/v1/claims/flags/{id}', { roles: CLAIM_READERS, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.flag.id } }) });
def('GET /api/v1/claims/flags/{id}/patient', { roles: 'insurance_analyst admin', ok: 200, req: (t) => ({ params: { id: t.flag.id } }) });
for (const act of ['confirm', 'dismiss'])
  def(`POST /api/v1/claims/flags/{id}/${act}`, { roles: 'insurance_analyst admin', ok: 200,
    req: (t) => ({ params: { id: mk(t) ? nextFlag(claimsA).id : t.flag.id }, body: { reason: '核实' } }) });
def('POST /api/v1/claims/flags/{id}/reopen', { roles: 'leader admin', ok: 200, req: async (t) => {
  let id = t.flag.id;
  if (mk(t)) {
    id = nextFlag(claimsA).id;
    await made(await t.clients.admin.post(`/api/v1/claims/flags/${id}/dismiss`, { reason: '排除' }), 200);
  }
  return { params: { id }, body: { reason: '重新审核' } };
} });
// a claims file streamed to disk and screened as a job (the job may fail on this one-line file: the
// submission is what the matrix checks); a CLI run reads as done
def('POST /api/v1/claims/runs', { roles: 'insurance_analyst admin', ok: 202, foreign: null, raw: 'text/csv', req: () => ({
  body: 'claim_id,line_no,patient_id,sex,birth_date,institution_code,physician_id,dept_code,visit_type,admit_date,discharge_date,service_date,diagnosis,item_code,item_name,item_type,quantity,unit_price,amount,days_supply\n'
    + 'AZ1,1,P1,M,1980-01-01,91330302MA0000001A,D1,03,O,,,2026-03-10,J06.9,XD900,阿莫西林胶囊,drug,1,12.50,12.50,5\n' }) });
def('GET /api/v1/claims/runs/{id}', { roles: CLAIM_READERS, ok: 200, foreign: null, own: DEPT_HIDDEN, req: () => ({ params: { id: a.run } }) });
// physician monitoring reads a run's physicians and flags (department remit like the summary)
def('GET /api/v1/claims/physicians', { roles: CLAIM_READERS, ok: 200, foreign: null, own: DEPT_HIDDEN, req: () => ({ query: `?run=${a.run}` }) });
def('GET /api/v1/claims/physicians/{id}', { roles: CLAIM_READERS, ok: 200, foreign: null, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.flag.physician_id } }) });
// the catalogue versions and rule-set version of the rule base serve loaded: one for every territory
def('GET /api/v1/claims/catalogues', { roles: CLAIM_READERS, ok: 200, foreign: null });
// the rule base's rules (规则库 tab) and their export: one rule base for every territory
def('GET /api/v1/claims/rules', { roles: CLAIM_READERS, ok: 200, foreign: null });
def('GET /api/v1/claims/rules/export', { roles: CLAIM_READERS, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
// the real-time check reads the rule base and one patient's history: no territory to cross
def('POST /api/v1/claims/check', { roles: 'insurance_analyst admin', ok: 200, foreign: null, req: () => ({ body: {
  claim_id: `AZ${Date.now()}${Math.random()}`, patient_id: 'AZ-P', sex: 'M', birth_date: '1980-01-01', institution_code: '91330302MA0000001A',
  physician_id: 'D1', dept_code: '03', visit_type: 'O', diagnosis: 'J06.9', lines: [{ line_no: 1, service_date: '2026-03-10',
    item_code: 'XD900', item_name: '阿莫西林胶囊', item_type: 'drug', quantity: 1, unit_price: '12.50', amount: '12.50' }] } }) });
def('GET /api/v1/claims/summary', { roles: CLAIM_READERS, ok: 200, foreign: null, own: DEPT_HIDDEN, req: () => ({ query: `?run=${a.run}` }) });

// inspection
def('GET /api/v1/inspection/items', { roles: ANY, ok: 200, foreign: null });
def('POST /api/v1/inspection/items', { roles: 'admin', ok: 201, foreign: null, req: () => ({ body: { code: `MX-${uniq()}`,
  department: 'health', name: '矩阵事项', legal_basis: '《医疗机构管理条例》', subject_types: ['clinic'],
  checklist: [{ code: 'MX-01', point: '测试', clause: '《医疗机构管理条例》第二十二条' }], ratio_permille: 50, coverage_years: 3 } }) });
// the item list is each department's: a health item is outside the market and insurance remits
def('GET /api/v1/inspection/items/{id}', { roles: ANY, ok: 200, foreign: null, own: { liaison: 404, insurance_analyst: 404 }, req: () => ({ params: { id: '8000001' } }) });
def('PATCH /api/v1/inspection/items/{id}', { roles: 'admin', ok: 200, foreign: null,
  req: () => ({ params: { id: a.item.id }, body: { name: `矩阵事项${uniq()}` } }) });
def('GET /api/v1/inspection/inspectors', { roles: STAFF, ok: 200, foreign: null,
  has: (t, role) => (role === 'liaison' ? [] : [t.users.inspector.id]) });
def('GET /api/v1/inspection/inspectors/{user_id}', { roles: STAFF, ok: 200, own: DEPT_HIDDEN,
  req: (t) => ({ params: { user_id: t.users.inspector.id } }) });
// A new number for someone in the directory names the number it replaces (else 409).
def('PUT /api/v1/inspection/inspectors/{user_id}', { roles: 'admin', ok: 200, req: async (t) => {
  const cur = (await t.clients.admin.get(`/api/v1/inspection/inspectors/${t.users.inspector.id}`)).data;
  return { params: { user_id: t.users.inspector.id }, body: { cert_no: `33${t.code}01`, expected_cert_no: cur?.cert_no } };
} });
// item 6: an inspector declares their own conflicts; another county's institution is not theirs to name
def('POST /api/v1/inspection/inspectors/{user_id}/conflicts', { roles: 'admin inspector', ok: 201, foreign: 422,
  req: (t, role) => ({ params: { user_id: a.users.inspector.id },
    body: { institution_id: t.other.id, kind: 'relative', reason: '近亲属在该机构任职' } }) });
def('GET /api/v1/inspection/signals', { roles: STAFF, ok: 200, foreign: null });
def('PUT /api/v1/inspection/signals/{subject_id}', { roles: 'admin', ok: 200,
  req: (t) => ({ params: { subject_id: t.other.id }, body: { complaints: 1 } }) });
def('GET /api/v1/calendar', { roles: ANY, ok: 200, foreign: null, req: () => ({ query: '?year=2026' }) });
def('GET /api/v1/calendar/working-days', { roles: ANY, ok: 200, foreign: null, req: () => ({ query: '?from=2026-03-02&days=5' }) });
def('PUT /api/v1/calendar/{day}', { roles: 'admin', ok: 200, foreign: null,
  req: () => ({ params: { day: '2027-01-01' }, body: { kind: 'holiday', name: '元旦' } }) });
def('DELETE /api/v1/calendar/{day}', { roles: 'admin', ok: 204, foreign: null, req: async () => {
  if (!DRY) await made(await a.clients.admin.req('PUT', '/api/v1/calendar/2027-05-01', { kind: 'holiday', name: '劳动节' }), 200);
  return { params: { day: '2027-05-01' } };
} });
def('GET /api/v1/inspection/plans', { roles: STAFF, ok: 200, foreign: null, has: (t, role) => (role === 'liaison' ? [] : [t.plan.id]) });
def('POST /api/v1/inspection/plans', { roles: PLANNERS, ok: 201, foreign: 422, req: (t) => ({ body: { name: `计划${uniq()}`,
  kind: 'special', item_ids: ['8000001'], region_code: t.code, start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2 } }) });
def('GET /api/v1/inspection/plans/{id}', { roles: STAFF, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.plan.id } }) });
def('PUT /api/v1/inspection/plans/{id}', { roles: PLANNERS, ok: 200,
  req: async (t) => ({ params: { id: mk(t) ? (await freshPlan(t)).id : t.plan.id }, body: { name: `计划${uniq()}`, kind: 'special',
    item_ids: ['8000001'], region_code: t.code, start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2 } }) });
def('DELETE /api/v1/inspection/plans/{id}', { roles: PLANNERS, ok: 204,
  req: async (t) => ({ params: { id: mk(t) ? (await freshPlan(t)).id : t.plan.id } }) });
def('POST /api/v1/inspection/plans/{id}/commit', { roles: PLANNERS, ok: 201,
  req: async (t) => ({ params: { id: mk(t) ? (await freshPlan(t)).id : t.plan.id } }) });
def('GET /api/v1/inspection/draws/{id}', { roles: STAFF, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.draw.id } }) });
def('POST /api/v1/inspection/draws/{id}/draw', { roles: PLANNERS, ok: 200,
  req: async (t) => ({ params: { id: mk(t) ? (await freshDraw(t)).id : t.draw.id }, body: { witness: '福彩3D 2026002' } }) });
// the draw's record sheet (文书), issued once: a fresh drawn draw for each allowed caller
def('POST /api/v1/inspection/draws/{id}/record', { roles: PLANNERS, ok: 201, req: async (t) => {
  let id = t.drawn.id;
  if (mk(t)) {
    id = (await freshDraw(t)).id;
    await made(await t.clients.leader.post(`/api/v1/inspection/draws/${id}/draw`, { witness: '福彩3D 2026003' }), 200);
  }
  return { params: { id } };
} });
pub('GET /api/v1/public/draws');
// a drawn draw's bundle is public in every territory (anyone may re-run it)
def('GET /api/v1/public/draws/{id}/bundle', { roles: 'public', ok: 200, foreign: 200, req: (t) => ({ params: { id: t.drawn.id } }) });
def('GET /api/v1/inspection/tasks', { roles: TASK_READERS, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&limit=200` }),
  has: (t, role) => (role === 'liaison' ? [] : [t.task.id]) });
def('GET /api/v1/inspection/tasks/export', { roles: TASK_READERS, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('POST /api/v1/inspection/tasks', { roles: FIELD, ok: 201, foreign: 422, req: (t) => ({ body: { kind: 'patrol',
  subject_id: t.inst.id, item_ids: ['8000001'], team: a.team } }) });
def('GET /api/v1/inspection/tasks/{id}', { roles: TASK_READERS, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.task.id } }) });
def('POST /api/v1/inspection/tasks/{id}/assign', { roles: PLANNERS, ok: 200,
  req: (t) => ({ params: { id: t.task.id }, body: { team: t.team } }) });
def('POST /api/v1/inspection/tasks/{id}/checkin', { roles: FIELD, ok: 200,
  req: async (t) => ({ params: { id: mk(t) ? (await freshTask(t)).id : t.task.id }, body: { lng: 120.65, lat: 28.01 } }) });
def('PUT /api/v1/inspection/tasks/{id}/checklist/{code}', { roles: FIELD, ok: 200,
  req: (t) => ({ params: { id: t.task.id, code: 'MQ-01' }, body: { result: 'compliant' } }) });
def('POST /api/v1/inspection/tasks/{id}/findings', { roles: FIELD, ok: 201,
  req: (t) => ({ params: { id: t.task.id }, body: { point_code: 'MQ-05', severity: 'minor', description: '病历缺页' } }) });
def('POST /api/v1/inspection/tasks/{id}/attachments', { roles: FIELD, ok: 201, raw: 'application/octet-stream', req: (t) => ({
  params: { id: t.task.id }, query: '?name=p.png', body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, seq++ % 256, 7]) }) });
def('GET /api/v1/inspection/tasks/{id}/attachments/{sha256}', { roles: TASK_READERS, ok: 200, own: DEPT_HIDDEN,
  req: (t) => ({ params: { id: t.task.id, sha256: t.attachment.sha256 } }) });
def('POST /api/v1/inspection/tasks/{id}/signature', { roles: FIELD, ok: 200,
  req: async (t) => ({ params: { id: mk(t) ? (await freshTask(t)).id : t.task.id }, body: { signed: true, signer_name: '负责人' } }) });
def('POST /api/v1/inspection/tasks/{id}/complete', { roles: FIELD, ok: 200, req: async (t) => {
  const id = mk(t) ? (await readyTask(t)).id : t.task.id;
  return { params: { id }, body: { summary: '检查完毕' } };
} });
def('POST /api/v1/inspection/tasks/{id}/rectifications', { roles: FIELD, ok: 201,
  req: (t) => ({ params: { id: t.task.id }, body: { requirement: '限期整改', working_days: 5 } }) });
def('GET /api/v1/inspection/rectifications/export', { roles: TASK_READERS, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
def('GET /api/v1/inspection/rectifications', { roles: TASK_READERS, ok: 200, foreign: null,
  has: (t, role) => (role === 'liaison' ? [] : [t.order.id]) });
def('GET /api/v1/inspection/rectifications/{id}', { roles: TASK_READERS, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.order.id } }) });
def('POST /api/v1/inspection/rectifications/{id}/follow-up', { roles: FIELD, ok: 201,
  req: async (t) => ({ params: { id: mk(t) ? (await freshOrder(t)).id : t.order.id }, body: { team: t.team } }) });
// an institution's only write: its report on its own open order
def('POST /api/v1/inspection/rectifications/{id}/report', { roles: 'institution', ok: 200,
  req: (t) => ({ params: { id: t.order.id }, body: { report: '已重新培训并补全病历' } }) });
def('POST /api/v1/inspection/rectifications/{id}/close', { roles: FIELD, ok: 200,
  req: async (t) => ({ params: { id: mk(t) ? (await freshOrder(t)).id : t.order.id }, body: { result: 'rectified', note: '已整改' } }) });
def('GET /api/v1/inspection/publications', { roles: STAFF, ok: 200, foreign: null });
// the exports of the inspection lists (list filters and scope; the other territory's rows are not in them)
for (const [p, roles] of [['plans', STAFF], ['publications', STAFF], ['items', ANY], ['inspectors', STAFF]])
  def(`GET /api/v1/inspection/${p}/export`, { roles, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
def('POST /api/v1/inspection/tasks/{id}/publish', { roles: PLANNERS, ok: 200,
  req: async (t) => ({ params: { id: mk(t) ? (await completedTask(t)).id : t.task.id } }) });
pub('GET /api/v1/public/inspection-results');
// inspection documents (文书): issued once, so each allowed caller of the own territory gets a fresh subject
def('POST /api/v1/inspection/tasks/{id}/documents/{kind}', { roles: FIELD, ok: 201,
  req: async (t) => ({ params: { id: mk(t) ? (await completedTask(t)).id : t.task.id, kind: 'inspection_record' } }) });
def('POST /api/v1/inspection/rectifications/{id}/notice', { roles: FIELD, ok: 201,
  req: async (t) => ({ params: { id: mk(t) ? (await freshOrder(t)).id : t.order.id } }) });

// Enforcement cases (行政处罚): clues, cases and their one transition route (the action's own role rule refuses
// a leader's or legal reviewer's investigation step with 409 and changes nothing), benchmarks, indicators, 双公示.
const CASE_READERS = 'admin leader inspector legal_reviewer';
def('POST /api/v1/cases/clues', { roles: 'inspector leader insurance_analyst', ok: 201, foreign: 422, req: (t) => ({ body: {
  source: 'manual', subject_kind: 'institution', subject_id: t.inst.id, summary: `矩阵案源${uniq()}` } }) });
def('GET /api/v1/cases/clues', { roles: CASE_READERS + ' insurance_analyst', ok: 200, foreign: null,
  has: (t, role) => (role === 'insurance_analyst' ? [] : [t.clue.id]) });
def('GET /api/v1/cases/clues/export', { roles: CASE_READERS + ' insurance_analyst', ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
def('POST /api/v1/cases/clues/{id}/reject', { roles: 'leader', ok: 200,
  req: async (t) => ({ params: { id: mk(t) ? (await freshClue(t)).id : t.clue.id }, body: { reason: '不属于本机关管辖' } }) });
def('POST /api/v1/cases', { roles: 'leader', ok: 201, foreign: 422,
  req: async (t) => ({ body: { clue_id: mk(t) ? (await freshClue(t)).id : t.clue.id, officers: a.team } }) });
def('GET /api/v1/cases', { roles: CASE_READERS, ok: 200, foreign: null, has: (t) => [t.case.id] });
def('GET /api/v1/cases/export', { roles: CASE_READERS, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
def('GET /api/v1/cases/{id}', { roles: CASE_READERS, ok: 200, req: (t) => ({ params: { id: t.case.id } }) });
def('POST /api/v1/cases/{id}/evidence', { roles: 'inspector', ok: 201, raw: 'application/octet-stream', req: async (t) => {
  let id = t.case.id;
  if (mk(t)) {
    id = (await freshCase(t)).id;
    await made(await t.clients.inspector.post(`/api/v1/cases/${id}/transitions`, { action: 'investigate', participants: t.team }), 200);
  }
  return { params: { id }, query: '?kind=photo&description=matrix', body: new Uint8Array([0x89, 0x50, seq++ % 256, 7]) };
} });
def('GET /api/v1/cases/{id}/documents', { roles: CASE_READERS, ok: 200, req: (t) => ({ params: { id: t.case.id } }) });
def('GET /api/v1/cases/{id}/documents/{doc_id}.pdf', { roles: CASE_READERS, ok: 200,
  req: (t) => ({ params: { id: t.case.id, doc_id: t.caseDoc.id } }) });
def('POST /api/v1/cases/{id}/transitions', { roles: 'inspector leader legal_reviewer', ok: 200, own: { leader: 409, legal_reviewer: 409 },
  req: async (t) => ({ params: { id: mk(t) ? (await freshCase(t)).id : t.case.id }, body: { action: 'investigate', participants: a.team } }) });
// 案件督办 and 行刑衔接: the district's own callers pass the role gate; the action's rule answers 409 (a district
// leader cannot supervise its own case; nothing to approve before a proposal).
def('POST /api/v1/cases/{id}/supervision', { roles: 'inspector leader', ok: 200, own: { inspector: 409, leader: 409 },
  req: (t) => ({ params: { id: t.case.id }, body: { action: 'start', reason: '督办', due_on: '2099-01-01' } }) });
def('POST /api/v1/cases/{id}/police-transfer', { roles: 'inspector leader', ok: 200, own: { inspector: 409, leader: 409 },
  req: (t) => ({ params: { id: t.case.id }, body: { action: 'approve', opinion: '同意', receiving_org: '公安' } }) });
def('POST /api/v1/cases/{id}/records', { roles: 'inspector', ok: 201, req: (t) => ({ params: { id: t.case.id }, body: {
  kind: 'site_record', participants: t.team, place: '现场', at: '2026-03-02 09:30', findings: '矩阵检查' } }) });
def('POST /api/v1/cases/{id}/documents/preview', { roles: 'inspector leader legal_reviewer', ok: 200,
  req: (t) => ({ params: { id: t.case.id }, body: { kind: 'filing_report' } }) });
// the benchmark editor: a stale version answers 409 past the role gate (a real change is enforcement_oversight's)
def('PUT /api/v1/enforcement/benchmarks/{code}', { roles: 'admin legal_reviewer', ok: 200, foreign: null,
  own: { admin: 409, legal_reviewer: 409 }, req: () => ({ params: { code: 'radiation' }, body: { version: 999, reason: '矩阵' } }) });
pub('GET /api/v1/enforcement/benchmarks');
def('GET /api/v1/enforcement/indicators', { roles: CASE_READERS, ok: 200, foreign: null });
def('GET /api/v1/enforcement/indicators/export', { roles: CASE_READERS, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
pub('GET /api/v1/public/penalties');

// FHIR (the registry's subjects, read-only)
pub('GET /fhir/r4/metadata');
for (const [type, obj, suffix] of [['Organization', 'inst', ''], ['Location', 'inst', ''], ['Practitioner', 'prac', ''],
  ['PractitionerRole', 'prac', '-primary']]) {
  def(`GET /fhir/r4/${type}/_history`, { roles: ANY, ok: 200, foreign: null });
  def(`GET /fhir/r4/${type}`, { roles: ANY, ok: 200, foreign: null });
  def(`GET /fhir/r4/${type}/{id}`, { roles: ANY, ok: 200, req: (t) => ({ params: { id: t[obj].id + suffix } }) });
}

// ---- credit (issue 12): files for staff and the institution itself; the check for every role ----
const CREDIT_STAFF = 'admin leader inspector legal_reviewer insurance_analyst';
const freshPoints = async (t) => {
  const doc = `温鹿卫记${uniq()}`;
  const f = await made(await t.clients.admin.post('/api/v1/credit/points', { subject_kind: 'institution', subject_id: t.inst.id,
    rule_code: 'INS-MAN', points: 1, occurred_on: '2026-01-05', source_doc: doc }));
  return f.points.find((p) => p.source_doc === doc);
};
const appealedPoints = async (t) => {
  const p = await freshPoints(t);
  await made(await t.clients.admin.post(`/api/v1/credit/points/${p.id}/appeal`, { reason: '申辩' }), 200);
  return p;
};
const freshPenalty = async (t, inst = t.inst, extra = {}) => {
  const doc = `温鹿卫罚${uniq()}`;
  const f = await made(await t.clients.admin.post('/api/v1/credit/records', { subject_kind: 'institution', subject_id: inst.id,
    category: 'penalty', title: '罚款', source_doc: doc, occurred_on: '2025-01-02', penalty_kinds: ['fine'], ...extra }));
  return f.records.find((x) => x.source_doc === doc);
};
const freshEntry = async (t) => {
  const inst = await freshInst(t);
  await freshPenalty(t, inst, { serious: true });
  return made(await t.clients.admin.post('/api/v1/credit/lists/black/entries', { subject_kind: 'institution', subject_id: inst.id,
    rule_code: 'BLACK-SER', entry_doc: `温鹿卫列${uniq()}` }));
};
const freshRepair = async (t) => made(await t.clients.admin.post(`/api/v1/credit/records/${(await freshPenalty(t)).id}/repairs`,
  { commitment: '守信承诺', evidence: '罚款已缴纳' }));
async function creditFixture(t) {
  t.credit = { points: await freshPoints(t), appealed: await appealedPoints(t), penalty: await freshPenalty(t),
    entry: await freshEntry(t), repair: await freshRepair(t) };
}
def('GET /api/v1/credit/subjects/{id}', { roles: CREDIT_STAFF + ' institution', ok: 200, req: (t) => ({ params: { id: t.inst.id } }) });
def('POST /api/v1/credit/subjects/{id}/evaluate', { roles: 'admin leader inspector', ok: 200, req: (t) => ({ params: { id: t.inst.id } }) });
def('POST /api/v1/credit/points', { roles: 'admin inspector insurance_analyst', ok: 201, foreign: 422, req: (t) => ({ body: {
  subject_kind: 'institution', subject_id: t.inst.id, rule_code: 'INS-MAN', points: 1, occurred_on: '2026-01-05', source_doc: `矩阵${uniq()}` } }) });
def('POST /api/v1/credit/points/{id}/appeal', { roles: 'admin inspector institution', ok: 200, req: async (t) => ({
  params: { id: mk(t) ? (await freshPoints(t)).id : t.credit.points.id }, body: { reason: '非本机构行为' } }) });
def('POST /api/v1/credit/points/{id}/appeal-decision', { roles: 'admin leader', ok: 200, req: async (t) => ({
  params: { id: mk(t) ? (await appealedPoints(t)).id : t.credit.appealed.id }, body: { result: 'upheld', reason: '维持' } }) });
def('POST /api/v1/credit/records', { roles: 'admin leader inspector', ok: 201, foreign: 422, req: (t) => ({ body: {
  subject_kind: 'institution', subject_id: t.inst.id, category: 'commendation', title: '表彰', source_doc: `表彰${uniq()}`, occurred_on: '2026-02-01' } }) });
def('GET /api/v1/credit/rules', { roles: ANY, ok: 200, foreign: null });
def('GET /api/v1/credit/lists/{list}', { roles: CREDIT_STAFF, ok: 200, foreign: null, req: () => ({ params: { list: 'black' } }) });
def('GET /api/v1/credit/lists/{list}/export', { roles: CREDIT_STAFF, ok: 200, foreign: null, req: () => ({ params: { list: 'black' }, query: '?format=csv' }) });
def('POST /api/v1/credit/lists/{list}/entries', { roles: 'admin leader', ok: 201, foreign: 422, req: async (t) => {
  let inst = t.inst;
  if (mk(t)) { inst = await freshInst(t); await freshPenalty(t, inst, { serious: true }); }
  return { params: { list: 'black' }, body: { subject_kind: 'institution', subject_id: inst.id, rule_code: 'BLACK-SER', entry_doc: `列入${uniq()}` } };
} });
def('POST /api/v1/credit/list-entries/{id}/exit', { roles: 'admin leader', ok: 200, req: async (t) => ({
  params: { id: mk(t) ? (await freshEntry(t)).id : t.credit.entry.id }, body: { exit_doc: `移出${uniq()}` } }) });
def('POST /api/v1/credit/records/{id}/repairs', { roles: 'admin inspector institution', ok: 201, req: async (t) => ({
  params: { id: mk(t) ? (await freshPenalty(t)).id : t.credit.penalty.id }, body: { commitment: '守信承诺', evidence: '罚款已缴纳' } }) });
def('GET /api/v1/credit/repairs', { roles: CREDIT_STAFF + ' institution', ok: 200, foreign: null });
def('GET /api/v1/credit/repairs/export', { roles: CREDIT_STAFF + ' institution', ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
def('POST /api/v1/credit/repairs/{id}/decision', { roles: 'admin leader', ok: 200, req: async (t) => ({
  params: { id: mk(t) ? (await freshRepair(t)).id : t.credit.repair.id }, body: { result: 'approve', reason: '已纠正' } }) });
def('GET /api/v1/credit/check', { roles: ANY, ok: 200, foreign: null, req: (t) => ({ query: `?subject=${t.inst.credit_code}&decision=grade_review` }) });
def('GET /api/v1/credit/export/shuanggongshi', { roles: CREDIT_STAFF, ok: 200, foreign: null, req: () => ({ query: '?kind=penalty&format=csv' }) });
pub('GET /api/v1/public/credit', (t) => ({ query: `?q=${t.inst.credit_code}` }));
def('POST /api/v1/credit/outbox/targets', { roles: 'admin', ok: 201, foreign: 422, req: (t) => ({ body: { department: 'market',
  url: 'http://127.0.0.1:9/credit', region_code: t.code } }) });
def('GET /api/v1/credit/outbox', { roles: 'admin', ok: 200, foreign: null });
pub('GET /api/v1/public/credit-key');
// Complaints (投诉举报): matters held by the health desk, so the market liaison sees none of them.
const CMP = 'admin leader inspector liaison';
const freshComplaint = async (t) => made(await t.clients.admin.post('/api/v1/complaints', { channel: 'phone',
  category: 'medical_service', title: '矩阵测试投诉', content: `矩阵测试投诉内容${uniq()}`, region_code: t.code,
  subject_name: '矩阵诊所', anonymous: false, reporter_name: '王五', reporter_phone: '13700000000' }));
const CMP_PATH = { received: [], dispatched: ['dispatch'], accepted: ['dispatch', 'accept'],
  paused: ['dispatch', 'accept', 'pause'], replied: ['dispatch', 'accept', 'reply'] };
const CMP_BODY = { dispatch: {}, pause: { reason: '等待补充材料' }, reply: { text: '经查不属实，已答复投诉人。', substantiated: false } };
async function complaintIn(t, state) {
  if (!mk(t)) return t.complaint;
  const m = await freshComplaint(t);
  for (const step of CMP_PATH[state]) await made(await t.clients.admin.post(`/api/v1/complaints/${m.id}/${step}`, CMP_BODY[step]), 200);
  return m;
}
const cmpStep = (step, state, body) => def(`POST /api/v1/complaints/{id}/${step}`, { roles: CMP, ok: 200, own: DEPT_HIDDEN,
  req: async (t) => ({ params: { id: (await complaintIn(t, state)).id }, body }) });
pub('GET /api/v1/public/complaint-categories');
def('POST /api/v1/public/complaints', { roles: 'public', ok: 201, foreign: null, req: (t) => ({ body: { category: 'enquiry',
  title: '咨询', content: '请问如何查询医生的执业资格？', region_code: t.code, anonymous: true } }) });
pub('GET /api/v1/public/complaints/{code}', (t) => ({ params: { code: t.complaint.tracking_code } }));
def('GET /api/v1/complaint-categories', { roles: ANY, ok: 200, foreign: null });
def('GET /api/v1/complaints', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}` }),
  has: (t, role) => (role === 'liaison' ? [] : [t.complaint.id]) });
def('GET /api/v1/complaints/export', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('POST /api/v1/complaints', { roles: CMP, ok: 201, foreign: 422, req: (t) => ({ body: { channel: 'walk_in', category: 'enquiry',
  title: '来访咨询', content: '来访咨询医疗纠纷调解途径。', region_code: t.code, anonymous: true } }) });
// the 12345 import answers with its report: a row of another territory is invalid, and nothing is written
def('POST /api/v1/complaints/import', { roles: CMP, ok: 200, foreign: 200, raw: 'text/csv',
  refused: (text) => text.includes('"written":false') && text.includes('"invalid":1'), req: (t) => ({
  body: `工单编号,诉求分类,诉求内容,事发地区划代码\n矩阵${uniq()},enquiry,来电咨询医疗纠纷调解途径。,${t.code}\n` }) });
def('GET /api/v1/complaints/{id}', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.complaint.id } }) });
def('GET /api/v1/complaints/{id}/duplicates', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.complaint.id } }) });
// The reporter reaches the handler who accepted the matter: each caller gets one it accepted itself.
def('GET /api/v1/complaints/{id}/reporter', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: async (t, role) => {
  if (!mk(t)) return { params: { id: t.complaint.id } };
  const m = await freshComplaint(t), by = t.clients[role === 'liaison' ? 'admin' : role];
  await made(await t.clients.admin.post(`/api/v1/complaints/${m.id}/dispatch`, {}), 200);
  await made(await by.post(`/api/v1/complaints/${m.id}/accept`), 200);
  return { params: { id: m.id } };
} });
cmpStep('dispatch', 'received', {});
cmpStep('return', 'dispatched', { reason: '不属于本部门职责' });
cmpStep('accept', 'dispatched');
cmpStep('reject', 'received', { reason: '已进入诉讼程序' });
cmpStep('pause', 'accepted', { reason: '等待投诉人补充材料' });
cmpStep('resume', 'paused');
cmpStep('reply', 'accepted', { text: '经查属实，已责令整改。', substantiated: true });
cmpStep('feedback', 'replied');
cmpStep('revisit', 'replied', { satisfaction: 'satisfied' });
cmpStep('refer', 'accepted');
// Clue transfers: sent by the health commission to 市场监管局, so only the market liaison may reply.
const freshTransfer = async (t) => made(await t.clients.admin.post('/api/v1/transfers', { to_department: 'market',
  title: '矩阵移送', content: `矩阵测试移送内容${uniq()}`, region_code: t.code }));
def('GET /api/v1/transfers', { roles: CMP, ok: 200, foreign: null });
def('GET /api/v1/transfers/export', { roles: CMP, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
def('POST /api/v1/transfers', { roles: CMP, ok: 201, foreign: 422, req: (t) => ({ body: { to_department: 'insurance',
  title: '移送', content: '矩阵测试移送内容。', region_code: t.code } }) });
def('GET /api/v1/transfers/{id}', { roles: CMP, ok: 200, req: (t) => ({ params: { id: t.transfer.id } }) });
def('POST /api/v1/transfers/{id}/reply', { roles: CMP, ok: 200, own: { admin: 403, leader: 403, inspector: 403 },
  req: async (t) => ({ params: { id: mk(t) ? (await freshTransfer(t)).id : t.transfer.id }, body: { text: '已核查并处理完毕。' } }) });
// Rewards (举报奖励): held by the health commission, which handled the report; the reward officer alone pays and sees the reporter.
const CMP_READ = CMP + ' reward_officer';
const REWARD = { rule: 'insurance_fund', grade: 2, case_value_fen: 2000000, named_target: true, specific_clues: true, evidence: true };
async function substantiated(t) {
  const m = await freshComplaint(t);
  for (const step of ['dispatch', 'accept']) await made(await t.clients.admin.post(`/api/v1/complaints/${m.id}/${step}`, CMP_BODY[step]), 200);
  await made(await t.clients.admin.post(`/api/v1/complaints/${m.id}/reply`, { text: '经查属实，已处理。', substantiated: true }), 200);
  return m;
}
const freshReward = async (t) => made(await t.clients.admin.post('/api/v1/rewards', { complaint_id: (await substantiated(t)).id, ...REWARD }));
async function approvedReward(t) {
  const w = await freshReward(t);
  await made(await t.clients.leader.post(`/api/v1/rewards/${w.id}/decision`, { approved: true }), 200);
  return w;
}
def('GET /api/v1/reward-rules', { roles: CMP_READ, ok: 200, foreign: null });
def('GET /api/v1/rewards', { roles: CMP_READ, ok: 200, foreign: 'list', req: (t) => ({ query: `?complaint_id=${t.reward.complaint_id}` }),
  has: (t, role) => (role === 'liaison' ? [] : [t.reward.id]) });
def('GET /api/v1/rewards/export', { roles: CMP_READ, ok: 200, foreign: null, req: () => ({ query: '?format=csv' }) });
def('POST /api/v1/rewards', { roles: CMP, ok: 201, foreign: 422, own: { liaison: 422 }, req: async (t) => ({
  body: { complaint_id: mk(t) ? (await substantiated(t)).id : t.reward.complaint_id, ...REWARD } }) });
def('GET /api/v1/rewards/{id}', { roles: CMP_READ, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.reward.id } }) });
def('POST /api/v1/rewards/{id}/decision', { roles: 'leader', ok: 200, req: async (t) => ({
  params: { id: mk(t) ? (await freshReward(t)).id : t.reward.id }, body: { approved: true } }) });
def('POST /api/v1/rewards/{id}/payment', { roles: 'reward_officer', ok: 200, req: async (t) => ({
  params: { id: mk(t) ? (await approvedReward(t)).id : t.reward.id }, body: { payment_ref: `PZ${uniq()}` } }) });
def('GET /api/v1/rewards/{id}/reporter', { roles: 'reward_officer', ok: 200, req: (t) => ({ params: { id: t.reward.id } }) });
// Joint actions and meetings: led by the health commission; decisions owned by it, so the market liaison sees none.
const ORG = 'admin leader liaison';
const shToday = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const ACTION = (t) => ({ title: '联合执法', region_code: t.code, participants: ['insurance'], plan: '联合检查医疗机构的方案。', planned_on: shToday() });
const MEETING = (t) => ({ title: '联席会议', region_code: t.code, held_on: shToday(), attendees: ['insurance'],
  decisions: [{ decision: '开展专项整治', owner_department: 'health', due_on: '2099-12-31' }] });
const freshAction = async (t) => made(await t.clients.admin.post('/api/v1/joint-actions', ACTION(t)));
const freshMeeting = async (t) => made(await t.clients.admin.post('/api/v1/joint-meetings', MEETING(t)));
def('GET /api/v1/joint-actions', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}` }),
  has: (t, role) => (role === 'liaison' ? [] : [t.action.id]) });
def('POST /api/v1/joint-actions', { roles: ORG, ok: 201, foreign: 422, req: (t) => ({ body: ACTION(t) }) });
def('GET /api/v1/joint-actions/stats', { roles: CMP, ok: 200, req: (t) => ({ query: `?region=${t.code}` }) });
def('GET /api/v1/joint-actions/{id}', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.action.id } }) });
def('POST /api/v1/joint-actions/{id}/result', { roles: ORG, ok: 200, own: DEPT_HIDDEN, req: async (t) => ({
  params: { id: mk(t) ? (await freshAction(t)).id : t.action.id }, body: { done_on: shToday(), result: '检查机构10家，立案1起。' } }) });
def('GET /api/v1/joint-meetings', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}` }),
  has: (t, role) => (role === 'liaison' ? [] : [t.meeting.id]) });
def('POST /api/v1/joint-meetings', { roles: ORG, ok: 201, foreign: 422, req: (t) => ({ body: MEETING(t) }) });
def('GET /api/v1/joint-meetings/tasks', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}` }),
  has: (t, role) => (role === 'liaison' ? [] : [t.meeting.tasks[0].id]) });
def('GET /api/v1/joint-actions/export', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('GET /api/v1/joint-meetings/export', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('GET /api/v1/joint-meetings/tasks/export', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('GET /api/v1/joint-meetings/{id}', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.meeting.id } }) });
def('POST /api/v1/joint-meetings/{id}/tasks/{task}/done', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: async (t) => {
  const m = mk(t) ? await freshMeeting(t) : t.meeting;
  return { params: { id: m.id, task: m.tasks[0].id }, body: { result: '已完成整治。' } };
} });
// Grid patrols: by the grid member of t.grid at its bound institution; the market liaison sees none (department health).
const PATROL = (t) => ({ subject_id: t.inst.id, lat: 28.01, lng: 120.65, checklist: { open: true, licence_displayed: false,
  within_scope: true, staff_licensed: true, waste: true } });
const freshPatrol = async (t) => made(await t.clients.grid_member.post('/api/v1/patrols', PATROL(t)));
def('GET /api/v1/patrols/checklist', { roles: CMP + ' grid_member', ok: 200, foreign: null });
def('GET /api/v1/patrols/rates', { roles: CMP, ok: 200, req: (t) => ({ query: `?region=${t.code}` }) });
def('GET /api/v1/patrols', { roles: CMP + ' grid_member', ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}` }),
  has: (t, role) => (role === 'liaison' ? [] : [t.patrol.id]) });
def('GET /api/v1/patrols/export', { roles: CMP + ' grid_member', ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('POST /api/v1/patrols', { roles: 'grid_member', ok: 201, foreign: 422, req: (t) => ({ body: PATROL(t) }) });
def('GET /api/v1/patrols/{id}', { roles: CMP + ' grid_member', ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.patrol.id } }) });
def('POST /api/v1/patrols/{id}/report', { roles: 'grid_member', ok: 200, req: async (t) => ({
  params: { id: mk(t) ? (await freshPatrol(t)).id : t.patrol.id }, body: { text: '疑似未悬挂执业许可证。' } }) });
// Public-opinion events: led by the health commission, a task of its own; the market liaison sees none.
const OPINION = (t, task) => ({ title: '矩阵舆情', kind: 'opinion', level: 3, region_code: t.code, summary: '网络舆情概况说明。',
  occurred_on: '2026-11-01', tasks: task ? [{ department: 'health', task: '核查情况', due_on: '2099-12-31' }] : [] });
const freshOpinion = async (t, task) => made(await t.clients.admin.post('/api/v1/opinion-events', OPINION(t, task)));
def('GET /api/v1/opinion-events', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}` }),
  has: (t, role) => (role === 'liaison' ? [] : [t.opinion.id]) });
def('GET /api/v1/opinion-events/export', { roles: CMP, ok: 200, foreign: 'list', req: (t) => ({ query: `?region=${t.code}&format=csv` }) });
def('POST /api/v1/opinion-events', { roles: ORG, ok: 201, foreign: 422, req: (t) => ({ body: OPINION(t, false) }) });
def('GET /api/v1/opinion-events/{id}', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: (t) => ({ params: { id: t.opinion.id } }) });
def('POST /api/v1/opinion-events/{id}/progress', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: (t) => ({
  params: { id: t.opinion.id }, body: { entry: '已发布情况通报。' } }) });
def('POST /api/v1/opinion-events/{id}/tasks/{task}/done', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: async (t) => {
  const e = mk(t) ? await freshOpinion(t, true) : t.opinion;
  return { params: { id: e.id, task: e.tasks[0].id }, body: { result: '已核查完毕。' } };
} });
def('POST /api/v1/opinion-events/{id}/close', { roles: ORG, ok: 200, own: DEPT_HIDDEN, req: async (t) => ({
  params: { id: mk(t) ? (await freshOpinion(t, false)).id : t.opinion.id }, body: { closure_report: '经调查处置完毕，舆情已平息，结案。' } }) });
// Open311 (GeoReport v2): public, an api_key instead of a sign-in; without one a request is 403.
for (const f of ['json', 'xml']) {
  pub(`GET /open311/v2/services.${f}`);
  def(`POST /open311/v2/requests.${f}`, { roles: 'public', ok: 403, foreign: null, raw: 'application/x-www-form-urlencoded',
    req: () => ({ body: 'service_code=enquiry&address_string=x&description=abcdef' }) });
  def(`GET /open311/v2/requests.${f}`, { roles: 'public', ok: 403, foreign: null });
}
pub('GET /open311/v2/services/{code}', () => ({ params: { code: 'enquiry.json' } }));
pub('GET /open311/v2/requests/{id}', (t) => ({ params: { id: `${t.complaint.tracking_code}.json` } }));
pub('GET /open311/v2/tokens/{token}', (t) => ({ params: { token: `${t.complaint.tracking_code}.xml` } }));
def('GET /api/v1/open311/keys', { roles: 'admin', ok: 200, foreign: null });
def('POST /api/v1/open311/keys', { roles: 'admin', ok: 201, foreign: 422, req: (t) => ({ body: { name: `客户端${uniq()}`, region_code: t.code } }) });
def('POST /api/v1/complaints/{id}/merge', { roles: CMP, ok: 200, own: DEPT_HIDDEN, req: async (t) => {
  const m = await complaintIn(t, 'received');
  return { params: { id: m.id }, body: { into: mk(t) ? (await freshComplaint(t)).id : a.complaint.id } };
} });

async function lastToken(c) {
  const r = await c.get('/api/v1/tokens');
  return r.data.items[r.data.items.length - 1].id;
}

// ---- running it ----

function headersFor(caller, c, method, type) {
  const h = {};
  if (caller === 'token') h.authorization = 'Bearer ' + token;
  else if (c) {
    if (c.cookie) h.cookie = c.cookie;
    if (c.csrf && method !== 'GET') h['x-csrf-token'] = c.csrf;
  }
  if (type) h['content-type'] = type;
  return h;
}

// One request as caller, without touching the caller's session (a sign-in answer sets no cookie here).
async function call(caller, c, method, url, body, raw) {
  const type = body === undefined ? null : raw ?? 'application/json';
  const payload = body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const r = await fetch(srv.url + url, { method, headers: headersFor(caller, c, method, type), body: payload });
  return { status: r.status, text: Buffer.from(await r.arrayBuffer()).toString('utf8') };
}

// The log's size from its newest leaf, as the province administrator lists them: the signed head can lag
// the log (the head is signed on demand, and a busy store leaves the older head to serve).
const treeSize = async () => {
  const r = await fetch(srv.url + '/api/v1/audit/leaves?limit=1', { headers: { authorization: `Bearer ${rootToken}` } });
  const items = (await r.json()).items;
  return items.length ? items[0].idx + 1 : 0;
};
// Whether the log grew by a leaf of anyone but the background jobs since size0: event subscribers
// (enforcement's clue from a referred complaint, credit's points) append leaves of actor "system" as
// they deliver an earlier accepted request's event, which can land while a refused one is measured;
// accepted work that ends in a job (ASYNC_ACTIONS) does the same under its requester's name.
// Work accepted earlier that finishes in a job under its requester's name: a claims run submitted through
// POST /api/v1/claims/runs records claims.screen when its screening ends.
const ASYNC_ACTIONS = new Set(['claims.screen']);
async function grewByCaller(size0) {
  const size = await treeSize();
  if (size === size0) return false;
  const r = await fetch(srv.url + `/api/v1/audit/leaves?limit=200`, { headers: { authorization: `Bearer ${rootToken}` } });
  const fresh = (await r.json()).items.filter((l) => l.idx >= size0);
  const mine = fresh.filter((l) => l.actor !== 'system' && !ASYNC_ACTIONS.has(l.action));
  if (mine.length) console.log('leaves after a refusal:', JSON.stringify(mine.map((l) => [l.idx, l.actor, l.action, l.object_type])));
  return fresh.length < size - size0 || mine.length > 0;
}

function expected(spec, caller, side) {
  const role = caller === 'token' ? 'admin' : caller;
  if (spec.roles === 'public') return side === 'own' ? spec.ok : spec.foreign;
  if (caller === 'anon') return 401;
  if (!spec.roles.split(' ').includes(role)) return 403;
  if (caller === 'token' && spec.method !== 'GET') return 403; // the token's read scope
  if (side === 'own') return spec.own?.[caller] ?? spec.own?.[role] ?? spec.ok;
  return spec.foreign === undefined ? 404 : spec.foreign === 'list' ? 200 : spec.foreign;
}

function url(spec, r) {
  let p = spec.path;
  for (const [k, v] of Object.entries(r.params ?? {})) p = p.replace(`{${k}}`, encodeURIComponent(v));
  assert.doesNotMatch(p, /\{/, `${spec.key}: a path parameter without a value`);
  return p + (r.query ?? '');
}

async function clientOf(caller) {
  if (caller === 'anon' || caller === 'token') return null;
  return a.clients[caller];
}

test('openapi.json and the expectation table list the same routes', () => {
  const routes = [];
  for (const [p, ops] of Object.entries(openapi)) for (const m of Object.keys(ops)) routes.push(`${m.toUpperCase()} ${p}`);
  const missing = routes.filter((k) => !E[k]);
  const stale = Object.keys(E).filter((k) => !routes.includes(k));
  assert.deepEqual(missing, [], 'routes without an expectation: add them to the table');
  assert.deepEqual(stale, [], 'expectations for routes that no longer exist');
  assert.ok(routes.length >= 130, String(routes.length));
});

for (const [key, spec] of Object.entries(E)) {
  spec.key = key;
  [spec.method, spec.path] = key.split(' ');
  test(`matrix: ${key}`, async () => {
    const failures = [];
    for (const caller of CALLERS) {
      for (const side of ['own', 'foreign']) {
        const want = expected(spec, caller, side);
        if (want === null) continue;
        const t = side === 'own' ? a : b;
        const role = caller === 'token' ? 'admin' : caller;
        let c = await clientOf(caller);
        // build the request only for a caller that will reach the handler: a fresh object for a
        // refused call would be wasted (and would itself change the log)
        DRY = want === 401 || want === 403;
        const r = spec.req ? await spec.req(t, role, c) : {};
        DRY = false;
        if (spec.session === 'fresh' && c) c = await signedIn(srv, `${A}.${caller}`);
        const write = spec.method !== 'GET';
        const size0 = write ? await treeSize() : 0;
        const res = await call(caller, c, spec.method, url(spec, r ?? {}), r?.body, spec.raw);
        const where = `${caller} ${side}`;
        if (res.status !== want) {
          failures.push(`${where}: ${res.status} (expected ${want}) ${res.text.slice(0, 200)}`);
          continue;
        }
        const refused = res.status >= 300 || (side === 'foreign' && spec.refused);
        if (side === 'foreign' && spec.refused && res.status < 300 && !spec.refused(res.text)) failures.push(`${where}: not refused: ${res.text.slice(0, 200)}`);
        if (refused && write && (await grewByCaller(size0))) failures.push(`${where}: refused but the log grew`);
        // no answer to a caller of 330302 carries 330381's objects, whatever was asked (public routes aside)
        if (res.status < 300 && spec.roles !== 'public')
          for (const id of ids(b)) if (res.text.includes(id)) failures.push(`${where}: answer carries ${B}'s ${id}`);
        if (res.status < 300 && side === 'own' && spec.has)
          for (const id of spec.has(a, role)) if (!res.text.includes(id)) failures.push(`${where}: answer lacks ${id}`);
      }
    }
    assert.deepEqual(failures, []);
  });
}
