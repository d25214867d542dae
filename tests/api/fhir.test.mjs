// FHIR R4 (IHE mCSD) over /fhir/r4/: a real FHIR client from npm (fhir-kit-client) searches,
// reads, pages and syncs with _history, and every resource it gets back is validated with the npm
// `fhir` package's validator (unexpected properties count as errors). Data is created through the
// REST API; territory scope holds for FHIR exactly as for /api/v1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Client as FhirClient } from 'fhir-kit-client';
import fhirPkg from 'fhir';
import { Server, Client } from './harness.mjs';
import { creditCode, residentId } from './codes.mjs';

const { Fhir } = fhirPkg;
const fhir = new Fhir();
const USCC = 'https://yijian.example/fhir/sid/uscc';
const CERT = 'https://yijian.example/fhir/sid/practice-certificate';

let srv, admin, cityFhir, lcFhir, lwFhir, base;
const inst = {}; // name -> id
const prac = {}; // name -> {id, cert}
let checked = 0;

// Every error-severity message fails; FHIR JSON also forbids empty arrays, objects and strings.
function validate(resource, where = resource.resourceType) {
  const res = fhir.validate(resource, { errorOnUnexpected: true });
  const bad = res.messages.filter((m) => m.severity === 'error' || m.severity === 'fatal');
  assert.deepEqual(bad, [], `${where} ${resource.id ?? ''}: ${JSON.stringify(bad)}`);
  (function empties(v, path) {
    if (Array.isArray(v)) { assert.ok(v.length, `empty array at ${path}`); v.forEach((x, i) => empties(x, `${path}[${i}]`)); }
    else if (v && typeof v === 'object') { assert.ok(Object.keys(v).length, `empty object at ${path}`); for (const [k, x] of Object.entries(v)) empties(x, `${path}.${k}`); }
    else if (typeof v === 'string') assert.ok(v.length, `empty string at ${path}`);
  })(resource, where);
  checked++;
}

function validateBundle(b) {
  validate(b, 'Bundle');
  for (const e of b.entry ?? []) {
    validate(e.resource);
    assert.equal(e.fullUrl, `${base}/${e.resource.resourceType}/${e.resource.id}`);
  }
  return (b.entry ?? []).map((e) => e.resource);
}

async function all(client, first) {
  const out = [];
  let b = first, pages = 0;
  while (b) {
    out.push(...validateBundle(b));
    pages++;
    b = await client.nextPage({ bundle: b });
  }
  return { resources: out, pages };
}

async function status(promise) {
  try { await promise; return 200; } catch (e) { return e.response?.status ?? e; }
}

const clinic = (code, region, name, extra = {}) => ({
  credit_code: code, name, type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit',
  region_code: region, address: '温州市某路 1 号', lng: 120.65, lat: 28.01, ...extra,
});

before(async () => {
  srv = new Server();
  await srv.start();
  base = srv.url + '/fhir/r4';
  srv.addUser('wz.admin', 'admin', '330300');
  srv.addUser('wz.analyst', 'insurance_analyst', '330300', 'insurance');
  // a county inspector (a grid member would see only its grids' subjects: subject_scope.test.mjs)
  srv.addUser('lc.grid', 'inspector', '330302');
  srv.addUser('lw.ins', 'inspector', '330303');
  admin = new Client(srv.url); await admin.signIn('wz.admin');
  cityFhir = new FhirClient({ baseUrl: base, bearerToken: srv.token('wz.analyst', 'fhir-city') });
  lcFhir = new FhirClient({ baseUrl: base, bearerToken: srv.token('lc.grid', 'fhir-lc') });
  lwFhir = new FhirClient({ baseUrl: base, bearerToken: srv.token('lw.ins', 'fhir-lw') });

  // Five 康宁 clinics in 鹿城 (one suspended), one in 龙湾, and a hospital with a licence number.
  for (let i = 1; i <= 5; i++) {
    const name = `鹿城康宁诊所${'一二三四五'[i - 1]}`;
    const r = await admin.post('/api/v1/institutions', clinic(creditCode('52330302', String(20000000 + i)), '330302', name,
      i === 5 ? { state: 'suspended' } : {}));
    assert.equal(r.status, 201, JSON.stringify(r.data));
    inst[name] = r.data.id;
  }
  let r = await admin.post('/api/v1/institutions', clinic(creditCode('52330303', '20000010'), '330303', '龙湾康宁诊所'));
  assert.equal(r.status, 201, JSON.stringify(r.data));
  inst['龙湾康宁诊所'] = r.data.id;
  r = await admin.post('/api/v1/institutions', clinic(creditCode('12330302', '20000020'), '330302', '鹿城人民医院',
    { type: 'general_hospital', level: '2', ownership: 'public', profit: 'nonprofit', licence_no: '4700000023303021A10012' }));
  assert.equal(r.status, 201, JSON.stringify(r.data));
  inst['鹿城人民医院'] = r.data.id;

  const people = [
    ['欧阳明华', '33030219800101001', '110330302100001', 'physician', 'clinical', '鹿城人民医院'],
    ['张三丰', '33030219750505002', '110330302100002', 'physician', 'tcm', '鹿城康宁诊所一'],
    ['李梅', '33030219900909004', '110330302100003', 'nurse', 'nursing', '鹿城人民医院'],
    ['王五', '33030319850303003', '110330303100004', 'pharmacist', 'pharmacy', '龙湾康宁诊所'],
  ];
  for (const [name, id17, cert, category, practice_type, at] of people) {
    const p = await admin.post('/api/v1/practitioners', { name, id_number: residentId(id17), certificate_no: cert,
      category, practice_type, institution_id: inst[at] });
    assert.equal(p.status, 201, JSON.stringify(p.data));
    prac[name] = { id: p.data.id, cert, idNumber: residentId(id17), birth: p.data.birth_date, masked: p.data.id_masked };
  }
  // 张三丰 also practises at the hospital (multi-institution filing) and, until last year, in 龙湾.
  r = await admin.post(`/api/v1/practitioners/${prac['张三丰'].id}/filings`, { institution_id: inst['鹿城人民医院'], start_date: '2025-01-01' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  prac['张三丰'].filing = r.data.id;
  r = await admin.post(`/api/v1/practitioners/${prac['张三丰'].id}/filings`, { institution_id: inst['龙湾康宁诊所'], start_date: '2020-01-01', end_date: '2024-12-31' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  prac['张三丰'].endedFiling = r.data.id;
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('CapabilityStatement lists the four mCSD resources with their search parameters', async () => {
  const cs = await cityFhir.capabilityStatement();
  validate(cs);
  assert.equal(cs.fhirVersion, '4.0.1');
  const byType = Object.fromEntries(cs.rest[0].resource.map((r) => [r.type, r.searchParam.map((p) => p.name)]));
  assert.deepEqual(Object.keys(byType).sort(), ['Location', 'Organization', 'Practitioner', 'PractitionerRole']);
  for (const p of ['active', 'identifier', 'name', 'partof', 'type', '_lastUpdated']) assert.ok(byType.Organization.includes(p), p);
  for (const p of ['active', 'identifier', 'name', 'given', 'family']) assert.ok(byType.Practitioner.includes(p), p);
  for (const p of ['active', 'organization', 'practitioner', 'role', 'specialty']) assert.ok(byType.PractitionerRole.includes(p), p);
});

test('Organization by name with _count=2 pages through every match; every resource validates', async () => {
  const first = await cityFhir.search({ resourceType: 'Organization', searchParams: { name: '康宁', _count: 2 } });
  assert.equal(first.resourceType, 'Bundle');
  assert.equal(first.type, 'searchset');
  assert.equal(first.entry.length, 2);
  assert.ok(first.link.find((l) => l.relation === 'next'), 'a next link');
  const { resources, pages } = await all(cityFhir, first);
  assert.equal(pages, 3);
  const names = resources.map((o) => o.name).sort();
  assert.deepEqual(names, ['鹿城康宁诊所一', '鹿城康宁诊所三', '鹿城康宁诊所二', '鹿城康宁诊所五', '鹿城康宁诊所四', '龙湾康宁诊所'].sort());
  assert.equal(new Set(resources.map((o) => o.id)).size, 6, 'no resource twice across pages');
  const ids = resources.map((o) => BigInt(o.id));
  assert.deepEqual(ids, [...ids].sort((a, b) => (a < b ? -1 : 1)), 'stable id order');
  const one = resources.find((o) => o.name === '鹿城康宁诊所一');
  assert.equal(one.active, true);
  assert.deepEqual(one.identifier.find((i) => i.system === USCC).value, creditCode('52330302', '20000001'));
  assert.ok(one.type.some((t) => t.coding[0].code === 'facility'), 'mCSD facility type');
  assert.ok(one.type.some((t) => t.coding[0].code === 'clinic' && t.coding[0].display === '诊所'));
  assert.equal(one.address[0].district, '鹿城区');
  assert.match(one.meta.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
  assert.equal(resources.find((o) => o.name === '鹿城康宁诊所五').active, false, 'suspended is not active');
});

test('Organization search parameters: identifier, active, type, _id, partof; unknown parameters are refused', async () => {
  const code = creditCode('52330302', '20000003');
  const names = async (searchParams) => validateBundle(await cityFhir.search({ resourceType: 'Organization', searchParams })).map((o) => o.name).sort();
  assert.deepEqual(await names({ identifier: `${USCC}|${code}` }), ['鹿城康宁诊所三']);
  assert.deepEqual(await names({ identifier: code }), ['鹿城康宁诊所三']);
  assert.deepEqual(await names({ identifier: `urn:other|${code}` }), []);
  assert.deepEqual(await names({ name: '康宁', active: 'false' }), ['鹿城康宁诊所五']);
  assert.deepEqual(await names({ type: 'general_hospital' }), ['鹿城人民医院']);
  assert.equal((await names({ type: 'facility', _count: 200 })).length, 7);
  assert.deepEqual(await names({ _id: `${inst['鹿城人民医院']},${inst['龙湾康宁诊所']}` }), ['鹿城人民医院', '龙湾康宁诊所']);
  assert.deepEqual(await names({ partof: 'Organization/1' }), []);
  for (const bad of [{ nmae: '康宁' }, { 'name:exact': '康宁' }, { active: 'maybe' }, { _count: 0 }, { _count: 201 }, { _lastUpdated: 'yesterday' }, { _lastUpdated: '2023-02-29' }, { _lastUpdated: 'ge2100-02-29' }, { _cursor: 'x' }]) {
    const e = await cityFhir.search({ resourceType: 'Organization', searchParams: bad }).catch((x) => x);
    assert.equal(e.response?.status, 400, JSON.stringify(bad));
    assert.equal(e.response.data.resourceType, 'OperationOutcome');
    assert.match(e.response.data.issue[0].diagnostics, /[\u4e00-\u9fa5]/, 'Chinese diagnostics');
    validate(e.response.data);
  }
});

test('read: Organization, Location; a missing or out-of-scope id is a 404 OperationOutcome', async () => {
  const id = inst['鹿城人民医院'];
  const org = await lcFhir.read({ resourceType: 'Organization', id });
  validate(org);
  assert.equal(org.name, '鹿城人民医院');
  assert.ok(org.identifier.some((i) => i.value === '4700000023303021A10012'));
  const loc = await lcFhir.read({ resourceType: 'Location', id });
  validate(loc);
  assert.equal(loc.managingOrganization.reference, `Organization/${id}`);
  assert.deepEqual(loc.position, { longitude: 120.65, latitude: 28.01 });
  assert.equal(loc.status, 'active');
  const gone = await lcFhir.read({ resourceType: 'Organization', id: inst['龙湾康宁诊所'] }).catch((x) => x);
  assert.equal(gone.response?.status, 404);
  assert.equal(gone.response.data.resourceType, 'OperationOutcome');
  assert.equal(gone.response.data.issue[0].code, 'not-found');
  assert.equal(await status(lcFhir.read({ resourceType: 'Organization', id: '123' })), 404);
});

test('Location search: status and organization', async () => {
  const susp = validateBundle(await cityFhir.search({ resourceType: 'Location', searchParams: { status: 'suspended' } }));
  assert.deepEqual(susp.map((l) => l.name), ['鹿城康宁诊所五']);
  const byOrg = validateBundle(await cityFhir.search({ resourceType: 'Location', searchParams: { organization: `Organization/${inst['鹿城人民医院']}` } }));
  assert.deepEqual(byOrg.map((l) => l.id), [inst['鹿城人民医院']]);
  assert.equal(await status(cityFhir.search({ resourceType: 'Location', searchParams: { status: 'closed' } })), 400);
});

test('Practitioner: family and given split Chinese names (compound surnames too); identifier is the certificate', async () => {
  const find = async (searchParams) => validateBundle(await cityFhir.search({ resourceType: 'Practitioner', searchParams }));
  const oy = await find({ family: '欧阳' });
  assert.deepEqual(oy.map((p) => p.name[0].text), ['欧阳明华']);
  assert.equal(oy[0].name[0].family, '欧阳');
  assert.deepEqual(oy[0].name[0].given, ['明华']);
  assert.deepEqual((await find({ family: '欧阳明' })).map((p) => p.name[0].text), [], 'the family name is 欧阳, not 欧阳明');
  assert.deepEqual((await find({ given: '明' })).map((p) => p.name[0].text), ['欧阳明华']);
  assert.deepEqual((await find({ given: '阳' })).map((p) => p.name[0].text), []);
  assert.deepEqual((await find({ family: '张', given: '三' })).map((p) => p.name[0].text), ['张三丰']);
  assert.deepEqual((await find({ name: '三丰' })).map((p) => p.name[0].text), ['张三丰']);
  const byCert = await find({ identifier: `${CERT}|${prac['李梅'].cert}` });
  assert.deepEqual(byCert.map((p) => p.name[0].text), ['李梅']);
  assert.equal(byCert[0].gender, undefined, 'an insurance analyst does not see sex (docs/security.md)');
  const adminFhir = new FhirClient({ baseUrl: base, bearerToken: srv.token('wz.admin', 'fhir-admin') });
  const asAdmin = validateBundle(await adminFhir.search({ resourceType: 'Practitioner', searchParams: { identifier: `${CERT}|${prac['李梅'].cert}` } }));
  assert.equal(asAdmin[0].gender, 'female', 'an administrator does');
  assert.equal((await find({ active: 'true', _count: 200 })).length, 4);
  const read = await cityFhir.read({ resourceType: 'Practitioner', id: prac['王五'].id });
  validate(read);
  assert.equal(read.qualification[0].identifier[0].value, prac['王五'].cert);
});

test('Practitioner never carries the resident ID number (clear or masked) nor the birth date', async () => {
  const { resources } = await all(cityFhir, await cityFhir.search({ resourceType: 'Practitioner', searchParams: { _count: 1 } }));
  assert.equal(resources.length, 4);
  for (const p of resources) {
    const who = Object.values(prac).find((x) => x.id === p.id);
    const text = JSON.stringify(p);
    assert.ok(!text.includes(who.idNumber) && !text.includes(who.masked) && !text.includes(who.idNumber.slice(-6)), 'no ID number');
    assert.ok(!text.includes(who.birth) && p.birthDate === undefined, 'no birth date');
  }
  const roles = JSON.stringify((await all(cityFhir, await cityFhir.search({ resourceType: 'PractitionerRole', searchParams: { _count: 200 } }))).resources);
  for (const who of Object.values(prac)) assert.ok(!roles.includes(who.idNumber) && !roles.includes(who.masked));
});

test('PractitionerRole: primary institution and filings, by organization, practitioner, role, specialty, active', async () => {
  const find = async (searchParams) => validateBundle(await cityFhir.search({ resourceType: 'PractitionerRole', searchParams }));
  const hospital = await find({ organization: `Organization/${inst['鹿城人民医院']}` });
  assert.deepEqual(hospital.map((r) => r.practitioner.display).sort(), ['张三丰', '李梅', '欧阳明华'].sort());
  const filed = hospital.find((r) => r.practitioner.display === '张三丰');
  assert.equal(filed.id, `${prac['张三丰'].filing}-filing`);
  assert.equal(filed.period.start, '2025-01-01');
  assert.equal(filed.active, true);
  assert.deepEqual(filed.location, [{ reference: `Location/${inst['鹿城人民医院']}` }]);
  const zs = await find({ practitioner: `Practitioner/${prac['张三丰'].id}` });
  assert.deepEqual(zs.map((r) => r.id).sort(), [`${prac['张三丰'].id}-primary`, `${prac['张三丰'].filing}-filing`, `${prac['张三丰'].endedFiling}-filing`].sort());
  assert.equal(zs.find((r) => r.id.startsWith(prac['张三丰'].endedFiling)).active, false, 'an ended filing is not active');
  assert.deepEqual((await find({ practitioner: prac['张三丰'].id, active: 'true' })).length, 2);
  const doctors = await find({ role: 'http://terminology.hl7.org/CodeSystem/practitioner-role|doctor', _count: 200 });
  assert.deepEqual([...new Set(doctors.map((r) => r.practitioner.display))].sort(), ['张三丰', '欧阳明华'].sort());
  assert.deepEqual((await find({ role: 'nurse' })).map((r) => r.practitioner.display), ['李梅']);
  assert.deepEqual((await find({ specialty: 'pharmacy' })).map((r) => r.practitioner.display), ['王五']);
  // the two sources page as one list
  const { resources, pages } = await all(cityFhir, await cityFhir.search({ resourceType: 'PractitionerRole', searchParams: { _count: 2 } }));
  assert.equal(resources.length, 6);
  assert.equal(pages, 3);
  assert.equal(new Set(resources.map((r) => r.id)).size, 6);
  const read = await cityFhir.read({ resourceType: 'PractitionerRole', id: `${prac['张三丰'].filing}-filing` });
  validate(read);
  assert.equal(await status(cityFhir.read({ resourceType: 'PractitionerRole', id: `${prac['张三丰'].filing}-primary` })), 404);
});

test('_lastUpdated and _history?_since= return what changed, newest first, paged', async () => {
  const before = new Date(Date.now() - 1).toISOString();
  await new Promise((r) => setTimeout(r, 5));
  const id = inst['鹿城康宁诊所二'];
  const cur = await admin.get(`/api/v1/institutions/${id}`);
  const p = await admin.patch(`/api/v1/institutions/${id}`, { address: '温州市鹿城区新址 8 号', version: cur.data.version });
  assert.equal(p.status, 200, JSON.stringify(p.data));
  const changed = validateBundle(await cityFhir.search({ resourceType: 'Organization', searchParams: { _lastUpdated: `ge${before}` } }));
  assert.deepEqual(changed.map((o) => o.id), [id]);
  assert.equal(changed[0].meta.versionId, '2');
  const older = validateBundle(await cityFhir.search({ resourceType: 'Organization', searchParams: { _lastUpdated: [`lt${before}`, 'ge2020-01-01'], _count: 200 } }));
  assert.equal(older.length, 6);

  const h = await cityFhir.request(`Organization/_history?_since=${encodeURIComponent(before)}`);
  validate(h, 'Bundle');
  assert.equal(h.type, 'history');
  assert.deepEqual(h.entry.map((e) => e.resource.id), [id]);
  assert.deepEqual(h.entry[0].request, { method: 'PUT', url: `Organization/${id}` });
  assert.equal(h.entry[0].response.status, '200 OK');
  assert.equal(h.entry[0].resource.address[0].text, '温州市鹿城区新址 8 号');

  const full = await all(cityFhir, await cityFhir.request('Organization/_history?_since=2020-01-01T00:00:00Z&_count=3'));
  assert.equal(full.resources.length, 7);
  assert.equal(full.pages, 3);
  assert.equal(full.resources[0].id, id, 'newest first');
  const created = (await cityFhir.request(`Organization/_history?_count=200`)).entry.filter((e) => e.request.method === 'POST');
  assert.equal(created.length, 6);
  assert.equal(created[0].response.status, '201 Created');
  const roles = await cityFhir.request('PractitionerRole/_history?_since=2020-01-01');
  validate(roles, 'Bundle');
  assert.equal(roles.entry.length, 6);
  const future = await cityFhir.request('Practitioner/_history?_since=2100-01-01T00:00:00Z');
  validate(future, 'Bundle');
  assert.equal(future.entry, undefined);
  assert.equal(await status(cityFhir.request('Organization/_history?_since=tomorrow')), 400);
  // 29 February of a common year is no date (fhir.c once gave February 29 days in every year)
  assert.equal(await status(cityFhir.request('Organization/_history?_since=2023-02-29')), 400);
  assert.equal(await status(cityFhir.request('Organization/_history?_since=2023-02-29T10:00:00Z')), 400);
});

test('scope: a county token sees only its county over FHIR; no token is a 401 OperationOutcome', async () => {
  const lc = await all(lcFhir, await lcFhir.search({ resourceType: 'Organization', searchParams: { _count: 2 } }));
  assert.equal(lc.resources.length, 6);
  assert.ok(lc.resources.every((o) => o.address[0].district === '鹿城区'));
  const lw = await all(lwFhir, await lwFhir.search({ resourceType: 'Organization', searchParams: { name: '康宁' } }));
  assert.deepEqual(lw.resources.map((o) => o.name), ['龙湾康宁诊所']);
  const lwPrac = validateBundle(await lwFhir.search({ resourceType: 'Practitioner', searchParams: {} }));
  assert.deepEqual(lwPrac.map((p) => p.name[0].text), ['王五']);
  // the ended 龙湾 filing of 张三丰 is visible in 龙湾, where it was filed; his primary role is not
  const lwRoles = validateBundle(await lwFhir.search({ resourceType: 'PractitionerRole', searchParams: {} }));
  assert.deepEqual(lwRoles.map((r) => r.id).sort(), [`${prac['王五'].id}-primary`, `${prac['张三丰'].endedFiling}-filing`].sort());
  assert.equal(await status(lwFhir.read({ resourceType: 'Practitioner', id: prac['张三丰'].id })), 404);
  const lcHist = await lcFhir.request('Location/_history?_count=200');
  assert.equal(lcHist.entry.length, 6);
  const anon = new FhirClient({ baseUrl: base });
  const e = await anon.search({ resourceType: 'Organization', searchParams: { name: '康宁' } }).catch((x) => x);
  assert.equal(e.response?.status, 401);
  assert.equal(e.response.data.resourceType, 'OperationOutcome');
  assert.equal(e.response.data.issue[0].code, 'login');
  const r = await fetch(base + '/Organization', { headers: { authorization: 'Bearer ' + srv.token('lw.ins', 'raw') } });
  assert.match(r.headers.get('content-type'), /^application\/fhir\+json/);
});

// A request through raw http so the Host and X-Forwarded-* headers can be forged.
function forged(url, token, headers) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, agent: false,
      headers: { authorization: 'Bearer ' + token, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, data: JSON.parse(body) }));
    }).on('error', reject);
  });
}

const FORGED = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

test('links and fullUrl are built on the public URL, never on a forged Host header', async () => {
  const token = srv.token('wz.analyst', 'fhir-forged');
  const b = (await forged(`${base}/Organization?name=${encodeURIComponent('康宁')}&_count=2`, token, FORGED)).data;
  assert.equal(b.resourceType, 'Bundle');
  const urls = [...b.link.map((l) => l.url), ...b.entry.map((e) => e.fullUrl)];
  assert.equal(urls.length, 4, JSON.stringify(b.link));
  for (const u of urls) assert.ok(u.startsWith(base + '/'), u);
  const h = (await forged(`${base}/Location/_history?_count=1`, token, FORGED)).data;
  for (const u of [...h.link.map((l) => l.url), ...h.entry.map((e) => e.fullUrl)]) assert.ok(u.startsWith(base + '/'), u);

  // With --public-url (behind a proxy, under a path) every link is on it, whatever the Host says.
  const pub = new Server({ args: ['--public-url', 'https://yijian.example.gov.cn/jg'] });
  await pub.start();
  try {
    pub.addUser('pub.admin', 'admin', '330300');
    const a = new Client(pub.url);
    await a.signIn('pub.admin');
    const r = await a.post('/api/v1/institutions', clinic(creditCode('52330302', '20000090'), '330302', '鹿城公网诊所'));
    assert.equal(r.status, 201, JSON.stringify(r.data));
    const t = pub.token('pub.admin', 'fhir-pub');
    for (const headers of [FORGED, {}]) {
      const p = (await forged(`${pub.url}/fhir/r4/Organization`, t, headers)).data;
      assert.equal(p.link[0].url, 'https://yijian.example.gov.cn/jg/fhir/r4/Organization');
      assert.equal(p.entry[0].fullUrl, `https://yijian.example.gov.cn/jg/fhir/r4/Organization/${r.data.id}`);
    }
  } finally {
    await pub.stop();
    pub.cleanup();
  }
});

test('validator sanity: it does reject a malformed resource', () => {
  const res = fhir.validate({ resourceType: 'Organization', active: 'yes', bogus: 1 }, { errorOnUnexpected: true });
  assert.ok(res.messages.some((m) => m.severity === 'error'), JSON.stringify(res.messages));
  assert.ok(checked > 50, `validated ${checked} resources`);
});
