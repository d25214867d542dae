// Registry of subjects: institutions and practitioners through the API — validation with check
// characters, conflicts, version history and as-of reads, masking and audited disclosure of ID
// numbers, exports, and territory: a county user cannot read, list, change or export a neighbour's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode, residentId } from './codes.mjs';

let srv, lc, lw, city, analyst;
const LC_CODE = creditCode('52330302', '10000001');
const LW_CODE = creditCode('52330303', '10000002');
const ID1 = residentId('33030219800101001');

const clinic = (code, region, extra = {}) => ({
  credit_code: code, name: '测试诊所' + code.slice(-4), type: '诊所', level: 'none', ownership: 'private',
  profit: 'forprofit', region_code: region, clinical_depts: ['03', '12'], lng: 120.65, lat: 28.01, ...extra,
});

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('lc.ins', 'inspector', '330302');
  srv.addUser('lw.ins', 'inspector', '330303');
  srv.addUser('wz.leader', 'leader', '330300');
  srv.addUser('lc.analyst', 'insurance_analyst', '330302', 'insurance');
  lc = new Client(srv.url); await lc.signIn('lc.ins');
  lw = new Client(srv.url); await lw.signIn('lw.ins');
  city = new Client(srv.url); await city.signIn('wz.leader');
  analyst = new Client(srv.url); await analyst.signIn('lc.analyst');
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('create: a valid institution is stored with codes normalised', async () => {
  const r = await lc.post('/api/v1/institutions', clinic(LC_CODE, '330302', { name: '温州鹿城康宁诊所', licence_valid_to: '2030/1/1' }));
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.type, 'clinic');
  assert.equal(r.data.licence_valid_to, '2030-01-01');
  assert.equal(r.data.version, 1);
  assert.equal(r.data.lng, 120.65);
  const w = await lw.post('/api/v1/institutions', clinic(LW_CODE, '330303', { name: '温州龙湾永安诊所' }));
  assert.equal(w.status, 201);
});

test('create: bad check character, unknown codes, formulas and other counties are refused field by field', async () => {
  const bad = LC_CODE.slice(0, 17) + (LC_CODE[17] === '0' ? '1' : '0');
  const r = await lc.post('/api/v1/institutions', clinic(bad, '330303', { name: '=cmd|calc', type: '火星医院', lat: 80 }));
  isProblem(assert, r, 422);
  const fields = r.data.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['lat', 'name', 'region_code', 'type']);
  // the check character is tested once the rest is valid
  const r2 = await lc.post('/api/v1/institutions', clinic(bad, '330302'));
  isProblem(assert, r2, 422);
  assert.deepEqual(r2.data.errors.map((e) => e.field), ['credit_code']);
  assert.match(r2.data.errors[0].detail, /校验位/);
  // an override reason is for administrators only
  isProblem(assert, await lc.post('/api/v1/institutions', clinic(bad, '330302', { credit_code_override: '早期试点代码' })), 403);
  // 29 February of a common year is no date, in either written form
  for (const d of ['2023-02-29', '2023/2/29', '2100-02-29']) {
    const r3 = await lc.post('/api/v1/institutions', clinic(creditCode('52330302', '10000098'), '330302', { licence_valid_to: d }));
    isProblem(assert, r3, 422);
    assert.deepEqual(r3.data.errors.map((e) => e.field), ['licence_valid_to'], d);
  }
  const list = await lc.get('/api/v1/institutions?limit=200');
  assert.equal(list.data.items.length, 1, 'nothing was written');
});

test('create: a 10-MB name is refused before it reaches the store', async () => {
  const r = await lc.post('/api/v1/institutions', clinic(creditCode('52330302', '10000099'), '330302', { name: '医'.repeat(10 << 18) }));
  isProblem(assert, r, 422); // 7.9 MB, under the 8 MB body limit: the field check refuses it
  assert.equal(r.data.errors[0].field, 'name');
});

test('create: a duplicate credit code is a 409 naming the field, also across counties', async () => {
  const r = await lw.post('/api/v1/institutions', clinic(LC_CODE, '330303'));
  isProblem(assert, r, 409);
  assert.equal(r.data.errors[0].field, 'credit_code');
});

test('search: by name substring, code and filters, inside the territory only', async () => {
  const byName = await lc.get('/api/v1/institutions?q=' + encodeURIComponent('康宁'));
  assert.deepEqual(byName.data.items.map((i) => i.credit_code), [LC_CODE]);
  const one = await lc.get('/api/v1/institutions?q=' + encodeURIComponent('宁'));
  assert.equal(one.data.items.length, 1);
  const none = await lc.get('/api/v1/institutions?q=' + encodeURIComponent('宁康'));
  assert.equal(none.data.items.length, 0, 'grams present but not contiguous');
  // Several words, as typed: each must occur, in any order; ASCII or ideographic spaces between.
  for (const q of ['鹿城 康宁', '康宁 鹿城', '鹿城\u3000康宁', '  鹿城   诊所 ']) {
    const r = await lc.get('/api/v1/institutions?q=' + encodeURIComponent(q));
    assert.deepEqual(r.data.items.map((i) => i.credit_code), [LC_CODE], q);
  }
  assert.equal((await lc.get('/api/v1/institutions?q=' + encodeURIComponent('鹿城 永安'))).data.items.length, 0, 'every word must occur');
  assert.equal((await lc.get('/api/v1/institutions?credit_code=' + LC_CODE)).data.items.length, 1);
  assert.equal((await lc.get('/api/v1/institutions?type=clinic&region=330302')).data.items.length, 1);
  // the neighbour's institution is invisible however it is asked for
  assert.equal((await lc.get('/api/v1/institutions?credit_code=' + LW_CODE)).data.items.length, 0);
  assert.equal((await lc.get('/api/v1/institutions?region=330303')).data.items.length, 0);
  assert.equal((await lc.get('/api/v1/institutions?q=' + encodeURIComponent('永安'))).data.items.length, 0);
  const all = await city.get('/api/v1/institutions?limit=200');
  assert.equal(all.data.items.length, 2);
  // subjects are shared across departments: the county's insurance analyst sees the county's institutions
  assert.equal((await analyst.get('/api/v1/institutions')).data.items.length, 1);
  isProblem(assert, await lc.get('/api/v1/institutions?type=nonsense'), 400);
});

test('read, change and export: the neighbour\'s institution is 404 and unchanged', async () => {
  const mine = (await lw.get('/api/v1/institutions?credit_code=' + LW_CODE)).data.items[0];
  isProblem(assert, await lc.get('/api/v1/institutions/' + mine.id), 404);
  isProblem(assert, await lc.patch('/api/v1/institutions/' + mine.id, { name: '被篡改' }), 404);
  isProblem(assert, await lc.get('/api/v1/institutions/' + mine.id + '/history'), 404);
  assert.equal((await lw.get('/api/v1/institutions/' + mine.id)).data.name, '温州龙湾永安诊所');
  const csv = await lc.get('/api/v1/institutions/export?format=csv');
  assert.equal(csv.status, 200);
  const text = csv.data.toString('utf8');
  assert.ok(text.includes(LC_CODE) && !text.includes(LW_CODE));
  assert.ok(text.includes('统一社会信用代码') && text.includes('诊所'), 'Chinese headers and labels');
  const xlsx = await lc.get('/api/v1/institutions/export');
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.data.subarray(0, 2).toString(), 'PK');
  // moving one's own institution into the neighbour's county is refused
  const own = (await lc.get('/api/v1/institutions?credit_code=' + LC_CODE)).data.items[0];
  isProblem(assert, await lc.patch('/api/v1/institutions/' + own.id, { region_code: '330303' }), 422);
});

test('history: every change is kept with old and new values, and as-of shows the past', async () => {
  const own = (await lc.get('/api/v1/institutions?credit_code=' + LC_CODE)).data.items[0];
  const p = await lc.patch('/api/v1/institutions/' + own.id, { beds: 20, type: 'outpatient_dept', version: own.version });
  assert.equal(p.status, 200, JSON.stringify(p.data));
  assert.equal(p.data.version, 2);
  // a change based on the old version is refused
  isProblem(assert, await lc.patch('/api/v1/institutions/' + own.id, { beds: 30, version: 1 }), 409);
  // a no-op change writes no version
  assert.equal((await lc.patch('/api/v1/institutions/' + own.id, { beds: 20 })).data.version, 2);
  const h = await lc.get('/api/v1/institutions/' + own.id + '/history');
  assert.deepEqual(h.data.items.map((v) => v.version), [2, 1]);
  assert.deepEqual(h.data.items[0].changes.beds, [0, 20]);
  assert.deepEqual(h.data.items[0].changes.type, ['clinic', 'outpatient_dept']);
  const past = await lc.get('/api/v1/institutions/' + own.id + '?as_of=2000-01-01');
  isProblem(assert, past, 404);
  const now = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const today = await lc.get('/api/v1/institutions/' + own.id + '?as_of=' + now);
  assert.equal(today.data.beds, 20);
  isProblem(assert, await lc.get('/api/v1/institutions/' + own.id + '?as_of=yesterday'), 400);
  // not a real day: as_of once took any day up to 31 (2023-02-29 read as 1 March)
  for (const bad of ['2023-02-29', '2024-02-30', '2026-04-31', '2026-1-5']) isProblem(assert, await lc.get('/api/v1/institutions/' + own.id + '?as_of=' + bad), 400);
  assert.equal((await lc.get('/api/v1/institutions/' + own.id + '?as_of=2024-02-29')).status, 404); // a real day, before the record
});

test('practitioners: ID numbers are checked, stored encrypted, masked, and disclosed only with an audit leaf', async () => {
  const inst = (await lc.get('/api/v1/institutions?credit_code=' + LC_CODE)).data.items[0];
  const bad = await lc.post('/api/v1/practitioners', { name: '张三', id_number: ID1.slice(0, 17) + (ID1[17] === '1' ? '2' : '1'),
    certificate_no: '110330302000001', category: 'physician', practice_type: 'clinical', institution_id: inst.id });
  isProblem(assert, bad, 422);
  assert.equal(bad.data.errors[0].field, 'id_number');
  const r = await lc.post('/api/v1/practitioners', { name: '张三', id_number: ID1, certificate_no: '110330302000001',
    category: 'physician', practice_type: '临床', institution_id: LC_CODE, prescription_right: true });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  // the first four digits, the birth year and sex: never the last digits beside the birth date (docs/security.md)
  assert.equal(r.data.id_masked, ID1.slice(0, 4) + '*'.repeat(14));
  assert.equal(r.data.sex, 'M');
  assert.equal(r.data.birth_year, 1980);
  assert.equal(r.data.birth_date, undefined);
  assert.equal(r.data.region_code, '330302', 'territory of the primary institution');
  assert.ok(!JSON.stringify(r.data).includes(ID1), 'no clear ID in the response');
  assert.equal(r.data.id_cipher, undefined);
  const dup = await lc.post('/api/v1/practitioners', { name: '张三丰', id_number: ID1, certificate_no: '110330302000002',
    category: 'physician', practice_type: 'clinical', institution_id: inst.id });
  isProblem(assert, dup, 409);
  assert.equal(dup.data.errors[0].field, 'id_number');
  // exact lookup by ID number through the keyed hash
  const found = await lc.get('/api/v1/practitioners?id_number=' + ID1);
  assert.equal(found.data.items.length, 1);
  assert.ok(!JSON.stringify(found.data).includes(ID1));
  // the neighbour cannot see them, nor disclose the number
  assert.equal((await lw.get('/api/v1/practitioners?id_number=' + ID1)).data.items.length, 0);
  isProblem(assert, await lw.get('/api/v1/practitioners/' + r.data.id + '/identity'), 404);
  // a leader may not disclose; an inspector of the county may, and the audit log records it
  isProblem(assert, await city.get('/api/v1/practitioners/' + r.data.id + '/identity'), 403);
  const d = await lc.get('/api/v1/practitioners/' + r.data.id + '/identity');
  assert.equal(d.status, 200);
  assert.equal(d.data.id_number, ID1);
  assert.equal(d.headers.get('cache-control'), 'no-store');
  srv.addUser('wz.admin', 'admin', '330300');
  const admin = new Client(srv.url); await admin.signIn('wz.admin');
  const leaves = await admin.get('/api/v1/audit/leaves?limit=200');
  assert.ok(leaves.data.items.some((l) => l.action === 'practitioner.disclose' && l.object_id === r.data.id));
  // nothing in the history or the log holds the clear number
  const hist = await lc.get('/api/v1/practitioners/' + r.data.id + '/history');
  assert.ok(!JSON.stringify(hist.data).includes(ID1));
  assert.ok(!srv.logs.includes(ID1), 'never logged');
  const csv = (await lc.get('/api/v1/practitioners/export?format=csv')).data.toString('utf8');
  assert.ok(csv.includes('张三') && !csv.includes(ID1));
});

test('vocab: code lists with Chinese labels', async () => {
  const v = await lc.get('/api/v1/vocab');
  assert.equal(v.status, 200);
  assert.ok(v.data.institution_type.some((e) => e.code === 'clinic' && e.label === '诊所'));
  assert.ok(v.data.clinical_dept.some((e) => e.code === '12' && e.label === '口腔科'));
});

test('practice filings (多机构执业备案): at another institution, dated, scoped, audited', async () => {
  const p = (await lc.get('/api/v1/practitioners?certificate_no=110330302000001')).data.items[0];
  const other = await lc.post('/api/v1/institutions', clinic(creditCode('52330302', '10000003'), '330302', { name: '鹿城第二诊所' }));
  assert.equal(other.status, 201);
  const bad = await lc.post(`/api/v1/practitioners/${p.id}/filings`, { institution_id: LC_CODE, start_date: '2026-13-01' });
  isProblem(assert, bad, 422);
  assert.deepEqual(bad.data.errors.map((e) => e.field).sort(), ['start_date']);
  const primary = await lc.post(`/api/v1/practitioners/${p.id}/filings`, { institution_id: LC_CODE, start_date: '2026-01-01' });
  isProblem(assert, primary, 422);
  // the neighbour's institution is not a place the county can file to
  isProblem(assert, await lc.post(`/api/v1/practitioners/${p.id}/filings`, { institution_id: LW_CODE, start_date: '2026-01-01' }), 422);
  const f = await lc.post(`/api/v1/practitioners/${p.id}/filings`, { institution_id: other.data.credit_code, start_date: '2026-03-01' });
  assert.equal(f.status, 201, JSON.stringify(f.data));
  assert.equal(f.data.institution_name, '鹿城第二诊所');
  isProblem(assert, await lc.post(`/api/v1/practitioners/${p.id}/filings`, { institution_id: other.data.id, start_date: '2026-03-01' }), 409);
  isProblem(assert, await lc.post(`/api/v1/practitioners/${p.id}/filings/${f.data.id}/end`, { end_date: '2026-02-01' }), 422);
  // not a real day (the end date once took any day up to 31, and one-digit months unpadded)
  for (const end_date of ['2027-02-29', '2026-04-31', '2026-9-30']) {
    const e = await lc.post(`/api/v1/practitioners/${p.id}/filings/${f.data.id}/end`, { end_date });
    isProblem(assert, e, 422);
    assert.deepEqual(e.data.errors.map((x) => x.field), ['end_date'], end_date);
  }
  const ended = await lc.post(`/api/v1/practitioners/${p.id}/filings/${f.data.id}/end`, { end_date: '2026-12-31' });
  assert.equal(ended.data.end_date, '2026-12-31');
  const list = await lc.get(`/api/v1/practitioners/${p.id}/filings`);
  assert.deepEqual(list.data.items.map((x) => x.id), [f.data.id]);
  isProblem(assert, await lw.get(`/api/v1/practitioners/${p.id}/filings`), 404);
  isProblem(assert, await lw.post(`/api/v1/practitioners/${p.id}/filings/${f.data.id}/end`, { end_date: '2026-06-30' }), 404);
});

test('a change that resends the same ID number is no change', async () => {
  const p = (await lc.get('/api/v1/practitioners?certificate_no=110330302000001')).data.items[0];
  const r = await lc.patch('/api/v1/practitioners/' + p.id, { id_number: ID1 });
  assert.equal(r.status, 200);
  assert.equal(r.data.version, p.version, 'no new version');
  const h = await lc.get('/api/v1/practitioners/' + p.id + '/history');
  assert.equal(h.data.items.length, p.version);
});

test('stats count the filtered list by a code field or by county, inside the territory', async () => {
  const t = await city.get('/api/v1/institutions/stats?group=type');
  assert.equal(t.status, 200, JSON.stringify(t.data));
  const all = await city.get('/api/v1/institutions?limit=200');
  assert.equal(t.data.total, all.data.items.length);
  const clinics = t.data.items.find((i) => i.key === 'clinic');
  assert.equal(clinics.label, '诊所');
  assert.equal(clinics.count, all.data.items.filter((i) => i.type === 'clinic').length);
  const byCounty = await city.get('/api/v1/institutions/stats?group=county');
  assert.deepEqual(byCounty.data.items.map((i) => i.key).sort(), ['330302', '330303']);
  assert.ok(byCounty.data.items.some((i) => i.label === '鹿城区'));
  const mine = await lc.get('/api/v1/institutions/stats?group=county');
  assert.deepEqual(mine.data.items.map((i) => i.key), ['330302']);
  const filtered = await lc.get('/api/v1/practitioners/stats?group=category&insurance_physician=false');
  assert.equal(filtered.status, 200);
  isProblem(assert, await lc.get('/api/v1/institutions/stats?group=name'), 400);
});

test('field descriptions come from the kinds\' own tables', async () => {
  const f = await lc.get('/api/v1/registry/kinds/institution/fields');
  assert.equal(f.status, 200);
  const cc = f.data.fields.find((x) => x.name === 'credit_code');
  assert.equal(cc.label, '统一社会信用代码');
  assert.equal(cc.required, true);
  assert.equal(f.data.fields.find((x) => x.name === 'type').vocab, 'institution_type');
  const p = await lc.get('/api/v1/registry/kinds/practitioner/fields');
  assert.equal(p.data.fields.find((x) => x.name === 'institution_id').references, 'institution');
  assert.ok(!JSON.stringify(p.data).includes('id_cipher'));
  isProblem(assert, await lc.get('/api/v1/registry/kinds/nothing/fields'), 404);
});
