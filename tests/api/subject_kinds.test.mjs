// The other kinds of subject (public places, water suppliers, schools, employers with occupational
// hazards, … pharmaceutical companies) through the one parameterised route set /api/v1/subjects/{kind}:
// create with each kind's own fields and checks, search, territory scope, history, export, and the
// licences they hold (a kind of licence names the kinds of subject that may hold it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';
import { twoTerritories, A } from './territories.mjs';

let srv, lc, lw, city, T, ids = {};
const code = (n) => creditCode('91330302', String(20000000 + n));

const KINDS = {
  public_place: { category: 'bathhouse', floor_area: 800, staff: 12 },
  water_supply: { category: 'secondary', daily_capacity: 300 },
  school: { category: 'primary', students: 900, boarding: false },
  employer: { category: 'manufacturing', hazard_factors: ['dust', 'physical'], exposed_workers: 40 },
  occ_service: { category: 'detection', qualification_level: 'B' },
  radiation_user: { category: 'radiology', devices: 2 },
  pharmacy: { category: 'chain', pharmacists: 2 },
  childcare: { category: 'full_day', places: 60 },
  disinfect_maker: { category: 'disinfectant', products: '含氯消毒剂' },
  unit_clinic: { category: 'infirmary', parent_unit: '鹿城某机械厂' },
  pharma_company: { category: 'wholesaler', procurement_platform: true },
};

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('lc.ins', 'inspector', '330302');
  srv.addUser('lw.ins', 'inspector', '330303');
  srv.addUser('wz.leader', 'leader', '330300');
  lc = new Client(srv.url); await lc.signIn('lc.ins');
  lw = new Client(srv.url); await lw.signIn('lw.ins');
  city = new Client(srv.url); await city.signIn('wz.leader');
  T = await twoTerritories(srv); // 鹿城区 with every role, for the case against a public place
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('kinds: the registry lists every kind with its path, and each kind its fields', async () => {
  const r = await lc.get('/api/v1/registry/kinds');
  assert.equal(r.status, 200);
  const kinds = Object.fromEntries(r.data.items.map((k) => [k.kind, k]));
  for (const k of Object.keys(KINDS)) assert.equal(kinds[k].path, '/api/v1/subjects/' + k, k);
  assert.equal(kinds.public_place.label, '公共场所');
  assert.equal(kinds.institution.path, '/api/v1/institutions');
  const f = await lc.get('/api/v1/registry/kinds/employer/fields');
  assert.equal(f.status, 200);
  const hf = f.data.fields.find((x) => x.name === 'hazard_factors');
  assert.equal(hf.vocab, 'hazard_factor');
  assert.equal(hf.required, true);
  isProblem(assert, await lc.get('/api/v1/subjects/spaceport'), 404);
});

test('create: a record of every kind, with its category and own fields; defaults derived', async () => {
  let n = 1;
  for (const [kind, extra] of Object.entries(KINDS)) {
    const r = await lc.post('/api/v1/subjects/' + kind, { credit_code: code(n++), name: '鹿城测试' + kind, region_code: '330302', ...extra });
    assert.equal(r.status, 201, kind + ' ' + JSON.stringify(r.data));
    assert.equal(r.data.state, 'active');
    assert.equal(r.data.version, 1);
    ids[kind] = r.data.id;
  }
  const e = await lc.get('/api/v1/subjects/employer/' + ids.employer);
  assert.deepEqual(e.data.hazard_factors, ['dust', 'physical']);
  assert.equal(e.data.hazard_class, 'general');
  // a kind's records are its own: another kind's route does not find the id
  isProblem(assert, await lc.get('/api/v1/subjects/school/' + ids.employer), 404);
});

test('bad input: another kind\'s field, a wrong category, a bad check character, a duplicate code — nothing written', async () => {
  const before = (await lc.get('/api/v1/subjects/school')).data.items.length;
  let r = await lc.post('/api/v1/subjects/school', { credit_code: code(50), name: '测试小学', region_code: '330302', category: 'hotel', floor_area: 5 });
  isProblem(assert, r, 422);
  assert.deepEqual(r.data.errors.map((x) => x.field).sort(), ['category', 'floor_area']);
  const bad = code(51).slice(0, 17) + (code(51)[17] === '0' ? '1' : '0');
  r = await lc.post('/api/v1/subjects/school', { credit_code: bad, name: '测试小学', region_code: '330302', category: 'primary' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'credit_code');
  r = await lc.post('/api/v1/subjects/employer', { credit_code: code(52), name: '无危害因素的厂', region_code: '330302', category: 'chemical' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'hazard_factors');
  r = await lc.post('/api/v1/subjects/school', { credit_code: code(3), name: '重复代码', region_code: '330302', category: 'primary' });
  isProblem(assert, r, 409);
  // the same credit code may be another kind's record too (a hotel that is also an employer)
  r = await lc.post('/api/v1/subjects/employer', { credit_code: code(1), name: '某宾馆', region_code: '330302', category: 'other', hazard_factors: ['chemical'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal((await lc.get('/api/v1/subjects/school')).data.items.length, before);
});

test('search and scope: by name, category and code; a neighbouring county neither sees nor changes them', async () => {
  let r = await lc.get('/api/v1/subjects/public_place?q=' + encodeURIComponent('测试public') + '&category=bathhouse');
  assert.equal(r.status, 200);
  assert.deepEqual(r.data.items.map((x) => x.id), [ids.public_place]);
  r = await lc.get('/api/v1/subjects/public_place?category=' + encodeURIComponent('沐浴场所'));
  assert.equal(r.data.items.length, 1);
  r = await lc.get('/api/v1/subjects/pharmacy?credit_code=' + code(7));
  assert.deepEqual(r.data.items.map((x) => x.id), [ids.pharmacy]);
  assert.equal((await lw.get('/api/v1/subjects/pharmacy')).data.items.length, 0);
  isProblem(assert, await lw.get('/api/v1/subjects/pharmacy/' + ids.pharmacy), 404);
  isProblem(assert, await lw.patch('/api/v1/subjects/pharmacy/' + ids.pharmacy, { pharmacists: 9 }), 404);
  r = await lw.post('/api/v1/subjects/pharmacy', { credit_code: code(60), name: '越界药店', region_code: '330302', category: 'single' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'region_code');
  assert.equal((await city.get('/api/v1/subjects/pharmacy')).data.items.length, 1, 'the city sees its counties');
  const st = await city.get('/api/v1/subjects/public_place/stats?group=category');
  assert.equal(st.data.total, 1);
  assert.equal(st.data.items[0].label, '沐浴场所');
});

test('change, history and export', async () => {
  const r = await lc.patch('/api/v1/subjects/childcare/' + ids.childcare, { places: 80, version: 1 });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.version, 2);
  const h = await lc.get('/api/v1/subjects/childcare/' + ids.childcare + '/history');
  assert.equal(h.data.items.length, 2);
  assert.deepEqual(h.data.items[0].changes.places, [60, 80]);
  const x = await lc.get('/api/v1/subjects/childcare/export?format=csv');
  assert.equal(x.status, 200);
  const text = x.data.toString('utf8');
  assert.match(text, /托位数/);
  assert.match(text, /鹿城测试childcare/);
});

test('import: public places from CSV with Chinese headers and labels; a bad row writes nothing', async () => {
  const csv = (rows) => '统一社会信用代码,名称,场所类别,行政区划,从业人员数\n' + rows.join('\n') + '\n';
  const ok = [`${code(70)},鹿城导入宾馆,住宿场所,330302,20`, `${code(71)},鹿城导入泳池,游泳场所,330302,6`];
  const before = (await lc.get('/api/v1/subjects/public_place?limit=200')).data.items.length;
  let r = await lc.req('POST', '/api/v1/import/public_place', csv([...ok, `${code(72)},坏行,火星场所,330302,1`]), { 'content-type': 'text/csv' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.written, false);
  assert.equal(r.data.invalid, 1);
  assert.equal(r.data.errors[0].field, 'category');
  assert.equal((await lc.get('/api/v1/subjects/public_place?limit=200')).data.items.length, before);
  r = await lc.req('POST', '/api/v1/import/public_place', csv(ok), { 'content-type': 'text/csv' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.inserted, 2);
  const got = await lc.get('/api/v1/subjects/public_place?credit_code=' + code(71));
  assert.equal(got.data.items[0].category, 'swimming');
});

test('licences: a public place holds 公共场所卫生许可证; a kind of licence refuses a holder kind it does not name', async () => {
  let r = await lc.post('/api/v1/licences', { kind: 'public_place', holder_type: 'public_place', holder_id: ids.public_place, reason: '新办' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.holder_name, '鹿城测试public_place');
  assert.equal(r.data.holder_identifier, code(1));
  r = await lc.post('/api/v1/licences', { kind: 'water_supply', holder_type: 'water_supply', holder_id: ids.water_supply, reason: '新办' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  r = await lc.post('/api/v1/licences', { kind: 'public_place', holder_type: 'pharmacy', holder_id: ids.pharmacy, reason: '新办' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'holder_type');
  assert.match(r.data.errors[0].detail, /公共场所/);
  r = await lc.post('/api/v1/licences', { kind: 'public_place', holder_type: 'rocket', holder_id: ids.pharmacy, reason: '新办' });
  isProblem(assert, r, 422);
  // listed by holder kind; a neighbour cannot issue to a holder outside its county
  r = await lc.get('/api/v1/licences?holder_type=public_place');
  assert.equal(r.data.items.length, 1);
  r = await lw.post('/api/v1/licences', { kind: 'water_supply', holder_type: 'water_supply', holder_id: ids.water_supply, reason: '新办' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'holder_id');
});

test('enforcement: a clue and a case against a public place carry its kind, name and credit code; unknown kinds are refused', async () => {
  const a = T[A];
  let r = await a.clients.inspector.post('/api/v1/cases/clues', { source: 'manual', subject_kind: 'public_place',
    subject_id: ids.public_place, summary: '浴室未取得公共场所卫生许可证擅自营业' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.subject_kind, 'public_place');
  assert.equal(r.data.subject_name, '鹿城测试public_place');
  r = await a.clients.leader.post('/api/v1/cases', { clue_id: r.data.id, officers: [a.users.inspector.id, a.users.inspector2.id],
    opinion: '同意立案' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.subject_kind, 'public_place');
  assert.equal(r.data.subject_code, code(1));
  for (const [kind, id] of [['rocket', ids.public_place], ['school', ids.public_place]]) {
    r = await a.clients.inspector.post('/api/v1/cases/clues', { source: 'manual', subject_kind: kind, subject_id: id, summary: 'x' });
    isProblem(assert, r, 422);
    assert.equal(r.data.errors[0].field, kind === 'rocket' ? 'subject_kind' : 'subject_id');
  }
});
