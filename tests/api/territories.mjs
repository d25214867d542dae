// territories.mjs — two territories built through the API for the scope suites: 鹿城区 330302 and
// 瑞安市 330381 (not neighbours: different branches of 温州市 330300), each with a user of every role,
// a grid with its grid member, an institution bound to the institution user (in that grid), a second
// institution outside it, a practitioner and a licence of each, inspectors in the directory, a draft
// plan, a task on each institution with a finding and a rectification order. The objects of one
// territory are fx.T[code].
import assert from 'node:assert/strict';
import { Client, cli, PASSWORD } from './harness.mjs';
import { creditCode, residentId } from './codes.mjs';

export const A = '330302';
export const B = '330381';
export const ROLES = ['admin', 'inspector', 'legal_reviewer', 'leader', 'liaison', 'insurance_analyst', 'institution',
  'grid_member', 'reward_officer'];
const DEPT = { liaison: 'market', insurance_analyst: 'insurance' };
const MQ = '8000001'; // default item 医疗机构依法执业及医疗质量安全

const clinic = (code, region, name, grid) => ({
  credit_code: code, name, type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit',
  region_code: region, clinical_depts: ['03'], lng: 120.65, lat: 28.01, ...(grid ? { grid_code: grid } : {}),
});

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}

// `yijian user add --institution CODE`: an institution user bound to its institution.
export function addBound(srv, username, region, code) {
  return cli(['user', 'add', '--username', username, '--role', 'institution', '--region', region, '--department', 'health',
    '--institution', code], { input: PASSWORD + '\n', db: srv.db, keys: srv.keys });
}

export async function signedIn(srv, username) {
  const c = new Client(srv.url);
  const r = await c.signIn(username);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  c.user = r.data.user;
  return c;
}

// Builds one territory; n makes codes unique (0 for A, 1 for B).
async function territory(srv, code, n) {
  const t = { code, users: {}, clients: {} };
  const u = (role) => `${code}.${role}`;
  for (const role of ROLES) if (role !== 'institution') srv.addUser(u(role), role, code, DEPT[role] ?? 'health');
  srv.addUser(`${code}.inspector2`, 'inspector', code);
  const admin = await signedIn(srv, u('admin'));
  t.clients.admin = admin;
  const towns = await ok(await admin.get(`/api/v1/regions?parent=${code}&limit=5`));
  t.town = towns.items[0].code;
  t.grid = await ok(await admin.post('/api/v1/grids', { name: `${code}第一网格`, region_code: t.town }), 201);
  t.grid2 = await ok(await admin.post('/api/v1/grids', { name: `${code}第二网格`, region_code: t.town }), 201);
  t.inst = await ok(await admin.post('/api/v1/institutions',
    clinic(creditCode('5233' + code.slice(2), String(40000000 + n * 10)), code, `${code}绑定诊所`, t.grid.code)), 201);
  t.other = await ok(await admin.post('/api/v1/institutions',
    clinic(creditCode('5233' + code.slice(2), String(40000001 + n * 10)), code, `${code}他家诊所`, t.grid2.code)), 201);
  // the institution user, bound by an administrator through the CLI
  addBound(srv, u('institution'), code, t.inst.credit_code);
  const pr = (inst, k) => admin.post('/api/v1/practitioners', {
    name: k === 1 ? '张三' : '李四', id_number: residentId(`${code}1980010${n + 1}00${k}`), certificate_no: `11033030${n}${k}00001`,
    category: 'physician', practice_type: 'clinical', institution_id: inst.id });
  t.prac = await ok(await pr(t.inst, 1), 201);
  t.otherPrac = await ok(await pr(t.other, 2), 201);
  const lic = (inst) => admin.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution',
    holder_id: inst.id, reason: '依申请核发', valid_from: '2026-01-15' });
  t.lic = await ok(await lic(t.inst), 201);
  t.otherLic = await ok(await lic(t.other), 201);
  t.pracLic = await ok(await admin.post('/api/v1/licences', { kind: 'physician_practice', holder_type: 'practitioner',
    holder_id: t.prac.id, reason: '医师执业注册' }), 201);
  for (const role of ROLES) if (role !== 'admin') t.clients[role] = await signedIn(srv, u(role));
  t.clients.inspector2 = await signedIn(srv, `${code}.inspector2`);
  for (const [k, c] of Object.entries(t.clients)) t.users[k] = c.user;
  await ok(await admin.req('PUT', `/api/v1/grids/${t.grid.id}/members`, { user_ids: [t.users.grid_member.id] }));
  for (const [k, who] of [[1, 'inspector'], [2, 'inspector2']])
    await ok(await admin.req('PUT', `/api/v1/inspection/inspectors/${t.users[who].id}`, { cert_no: `33${code}${n}${k}` }));
  t.team = [t.users.inspector.id, t.users.inspector2.id];
  t.plan = await ok(await t.clients.leader.post('/api/v1/inspection/plans', { name: `${code}抽查计划`, kind: 'annual',
    item_ids: [MQ], region_code: code, ratio_permille: 500, start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2 }), 201);
  const task = (inst) => admin.post('/api/v1/inspection/tasks', { kind: 'patrol', subject_id: inst.id, item_ids: [MQ],
    team: t.team, due_date: '2026-12-31' });
  t.task = await ok(await task(t.inst), 201);
  t.otherTask = await ok(await task(t.other), 201);
  const finding = (tk) => admin.post(`/api/v1/inspection/tasks/${tk.id}/findings`, { point_code: 'MQ-05', severity: 'general',
    description: '病历书写不规范' });
  t.finding = await ok(await finding(t.task), 201);
  t.otherFinding = await ok(await finding(t.otherTask), 201);
  const order = (tk, f) => admin.post(`/api/v1/inspection/tasks/${tk.id}/rectifications`, { requirement: '规范病历书写',
    working_days: 10, finding_id: f.id });
  t.order = await ok(await order(t.task, t.finding), 201);
  t.otherOrder = await ok(await order(t.otherTask, t.otherFinding), 201);
  return t;
}

export async function twoTerritories(srv) {
  const T = {};
  T[A] = await territory(srv, A, 0);
  T[B] = await territory(srv, B, 1);
  return T;
}
