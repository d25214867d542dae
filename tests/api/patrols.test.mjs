// Grid patrols (网格巡查, R17; docs/complaints.md "Grid patrols"): a grid member checks in at a subject
// of its grids with the checklist and a photo; a report of a suspected violation (协管信息) reaches the
// inspectors as a to-do and the event complaints.patrol_reported (enforcement records it as a clue); the reporting rate per grid and town
// against 98 % — and refusals that change nothing: a subject outside the member's grids, an unfinished
// checklist, someone else's patrol, a report twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';

const A = '330302';
let srv, town, grid, grid2, inst, other;
const as = {};
async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fe0dd39d2f0000000049454e44ae426082', 'hex');
const ALL_OK = { open: true, licence_displayed: true, within_scope: true, staff_licensed: true, waste: true };
const auditCount = async () => (await ok(await as.admin.get('/api/v1/audit/sth'))).tree_size;
const clinic = (n, g) => ({ credit_code: creditCode('52330302', String(61000000 + n)), name: `鹿城巡查诊所${n}`, type: 'clinic',
  level: 'none', ownership: 'private', profit: 'forprofit', region_code: A, clinical_depts: ['03'], grid_code: g.code });

before(async () => {
  srv = await new Server().start();
  srv.addUser('admin', 'admin', '330000', 'health');
  srv.addUser('grid', 'grid_member', A, 'health');
  srv.addUser('grid2', 'grid_member', A, 'health');
  srv.addUser('insp', 'inspector', A, 'health');
  srv.addUser('lead', 'leader', A, 'health');
  for (const u of ['admin', 'grid', 'grid2', 'insp', 'lead']) {
    const c = new Client(srv.url);
    const r = await c.signIn(u);
    assert.equal(r.status, 200);
    c.user = r.data.user;
    as[u] = c;
  }
  town = (await ok(await as.admin.get(`/api/v1/regions?parent=${A}&limit=5`))).items[0].code;
  grid = await ok(await as.admin.post('/api/v1/grids', { name: '巡查第一网格', region_code: town }), 201);
  grid2 = await ok(await as.admin.post('/api/v1/grids', { name: '巡查第二网格', region_code: town }), 201);
  inst = await ok(await as.admin.post('/api/v1/institutions', clinic(1, grid)), 201);
  other = await ok(await as.admin.post('/api/v1/institutions', clinic(2, grid2)), 201);
  await ok(await as.admin.req('PUT', `/api/v1/grids/${grid.id}/members`, { user_ids: [as.grid.user.id] }));
  await ok(await as.admin.req('PUT', `/api/v1/grids/${grid2.id}/members`, { user_ids: [as.grid2.user.id] }));
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('a patrol with a problem is reported to the inspectors; the rate per grid and town follows', async () => {
  const items = (await ok(await as.grid.get('/api/v1/patrols/checklist'))).items.map((i) => i.code);
  assert.deepEqual(items.sort(), Object.keys(ALL_OK).sort());
  const head = await auditCount();
  isProblem(assert, await as.grid.post('/api/v1/patrols', { subject_id: other.id, lat: 28.01, lng: 120.65, checklist: ALL_OK }), 422);
  isProblem(assert, await as.grid.post('/api/v1/patrols', { subject_id: inst.id, lat: 28.01, lng: 120.65, checklist: { open: true } }), 422);
  isProblem(assert, await as.grid.post('/api/v1/patrols', { subject_id: inst.id, lat: 28.01, lng: 120.65, checklist: ALL_OK,
    photos: [{ name: 'x.gif', content_base64: Buffer.from('GIF89a').toString('base64') }] }), 415);
  isProblem(assert, await as.insp.post('/api/v1/patrols', { subject_id: inst.id, lat: 28.01, lng: 120.65, checklist: ALL_OK }), 403);
  assert.equal(await auditCount(), head, 'refusals change nothing');

  const clear = await ok(await as.grid.post('/api/v1/patrols', { subject_id: inst.id, lat: 28.01, lng: 120.65, checklist: ALL_OK }), 201);
  assert.equal(clear.state, 'clear');
  assert.equal(clear.grid_code, grid.code);
  assert.equal(clear.region_code, town);
  const p = await ok(await as.grid.post('/api/v1/patrols', { subject_id: inst.id, lat: 28.01, lng: 120.65, note: '门口挂牌与许可证不符',
    checklist: { ...ALL_OK, licence_displayed: false, within_scope: false }, photos: [{ name: 'door.png', content_base64: PNG.toString('base64') }] }), 201);
  assert.equal(p.state, 'found');
  assert.equal(p.problems, 2);
  assert.equal(p.photos[0].media_type, 'image/png');

  let rates = await ok(await as.lead.get('/api/v1/patrols/rates'));
  let g = rates.grids.find((x) => x.grid_code === grid.code);
  assert.deepEqual([g.patrols, g.found, g.reported, g.rate_permille, g.below], [2, 1, 0, 0, true]);
  assert.equal(rates.target_permille, 980);
  let t = rates.towns.find((x) => x.town === town);
  assert.deepEqual([t.grids_below, t.below], [1, true]);
  assert.equal(rates.grids.find((x) => x.grid_code === grid2.code).below, false, 'nothing found, nothing unreported');

  // another member cannot see or report it; the member reports once
  isProblem(assert, await as.grid2.get(`/api/v1/patrols/${p.id}`), 404);
  isProblem(assert, await as.grid2.post(`/api/v1/patrols/${p.id}/report`, { text: '疑似超范围执业。' }), 404);
  isProblem(assert, await as.grid.post(`/api/v1/patrols/${p.id}/report`, { text: '短' }), 422);
  const rep = await ok(await as.grid.post(`/api/v1/patrols/${p.id}/report`, { text: '疑似超范围开展医疗美容项目。' }));
  assert.equal(rep.state, 'reported');
  isProblem(assert, await as.grid.post(`/api/v1/patrols/${p.id}/report`, { text: '疑似超范围开展医疗美容项目。' }), 409, 'already-done');
  const todos = (await ok(await as.insp.get('/api/v1/todos?limit=200'))).items;
  assert.ok(todos.some((x) => x.kind === 'complaints.patrol_report' && x.link === `/patrols/${p.id}`));
  const ev = (await ok(await as.admin.get('/api/v1/system/events?type=complaints.patrol_reported&limit=50'))).items;
  const e = ev.find((x) => x.subject_id === p.id);
  assert.deepEqual([e.payload.subject_id, e.payload.subject_kind, e.payload.grid_code, e.payload.department], [inst.id, 'institution', grid.code, 'health']);
  assert.deepEqual(e.payload.problems.sort(), ['licence_displayed', 'within_scope']);
  assert.ok(!JSON.stringify(e.payload).includes('医疗美容'), 'the event carries no free text');
  // enforcement records it as a clue (案源) with source grid_report and the patrol id, once (docs/enforcement.md)
  let clues = [];
  for (let i = 0; i < 100 && !clues.length; i++) {
    clues = (await ok(await as.insp.get('/api/v1/cases/clues?source=grid_report'))).items.filter((x) => x.source_ref === p.id);
    if (!clues.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(clues.length, 1, 'one grid clue for the patrol');
  assert.deepEqual([clues[0].subject_id, clues[0].state], [inst.id, 'received']);
  assert.ok(!clues[0].summary.includes('医疗美容'), 'the clue carries none of the member\'s words');

  rates = await ok(await as.lead.get(`/api/v1/patrols/rates?region=${town}`));
  g = rates.grids.find((x) => x.grid_code === grid.code);
  assert.deepEqual([g.found, g.reported, g.rate_permille, g.below], [1, 1, 1000, false]);
  t = rates.towns.find((x) => x.town === town);
  assert.equal(t.below, false);
  // the member lists its grids' patrols; the inspector the territory's
  assert.equal((await ok(await as.grid.get('/api/v1/patrols'))).items.length, 2);
  assert.equal((await ok(await as.grid2.get('/api/v1/patrols'))).items.length, 0);
  assert.equal((await ok(await as.insp.get('/api/v1/patrols?state=reported'))).items.length, 1);
  isProblem(assert, await as.lead.get('/api/v1/patrols/rates?region=330381'), 404);
});
