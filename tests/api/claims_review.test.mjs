// Claims flag review end to end: `yijian gen claims` writes 2,000 labelled lines, two of its
// institutions are registered through the API in two counties, `yijian screen --db` stores the run
// into the server's database, and analysts list, confirm and dismiss flags with reasons; the
// summary's confirmed amounts equal the sums computed here from the list; a county analyst sees
// only the county's flags; patient ids are masked and disclosed only with an audit leaf; a flag keeps
// the version of the imported catalogue behind it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, isProblem, BIN } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const RULES = path.join(root, 'rules');
let srv, city, county, leader, market, admin, inspector;
let claims, flagsCsv, registry, deaths, csvRows, codeA, codeB, run, all;

// FLAGS.csv and claims files hold no quoted commas in these columns (ids, codes, numbers).
function readCsv(file) {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const f = l.split(',');
    return Object.fromEntries(head.map((h, i) => [h, f[i]]));
  });
}
const fen = (yuan) => { const [y, f = ''] = yuan.split('.'); return Number(y) * 100 + Number((f + '00').slice(0, 2)); };
const yuanOf = (n) => `${Math.trunc(n / 100)}.${String(n % 100).padStart(2, '0')}`;

function screen(extra = []) {
  return spawnSync(BIN, ['screen', '--claims', claims, '--rules', RULES, '--registry', registry, '--deaths', deaths,
    '--out', flagsCsv, '--threads', '2', ...extra], { encoding: 'utf8' });
}

async function listAll(client, query = '') {
  const items = [];
  let cursor = null;
  do {
    const r = await client.get(`/api/v1/claims/flags?limit=200${query}${cursor ? '&cursor=' + cursor : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    items.push(...r.data.items);
    cursor = r.data.next_cursor;
  } while (cursor);
  return items;
}

const clinic = (code, region) => ({
  credit_code: code, name: '合成诊所' + code.slice(-4), type: '诊所', level: 'none', ownership: 'private',
  profit: 'forprofit', region_code: region, clinical_depts: ['03'], lng: 120.65, lat: 28.01,
});

before(async () => {
  srv = new Server();
  await srv.start();
  claims = path.join(srv.dir, 'claims.csv');
  flagsCsv = path.join(srv.dir, 'flags.csv');
  registry = path.join(srv.dir, 'claims_registry');
  deaths = path.join(srv.dir, 'claims_deaths.csv');
  execFileSync(BIN, ['gen', 'claims', '--rows', '2000', '--seed', '3', '--violations', '0.05', '--out', claims,
    '--labels', path.join(srv.dir, 'labels.csv'), '--rules', RULES], { stdio: 'pipe' });
  // `gen claims` picks its institutions' credit codes itself; the two with the most flags (from a
  // screen without --db) are registered in two counties, so their flags take those counties.
  const dry = screen();
  assert.equal(dry.status, 0, dry.stderr);
  const per = {};
  for (const r of readCsv(flagsCsv)) per[r.institution_code] = (per[r.institution_code] ?? 0) + 1;
  [codeA, codeB] = Object.entries(per).sort((a, b) => b[1] - a[1]).map((e) => e[0]);
  assert.ok(codeA && codeB);

  srv.addUser('wz.analyst', 'insurance_analyst', '330300', 'insurance');
  srv.addUser('lc.analyst', 'insurance_analyst', '330302', 'insurance');
  srv.addUser('wz.leader', 'leader', '330300', 'health');
  srv.addUser('wz.market', 'liaison', '330300', 'market');
  srv.addUser('wz.admin', 'admin', '330300', 'health');
  srv.addUser('lc.ins', 'inspector', '330302', 'health');
  city = new Client(srv.url); await city.signIn('wz.analyst');
  county = new Client(srv.url); await county.signIn('lc.analyst');
  leader = new Client(srv.url); await leader.signIn('wz.leader');
  market = new Client(srv.url); await market.signIn('wz.market');
  admin = new Client(srv.url); await admin.signIn('wz.admin');
  inspector = new Client(srv.url); await inspector.signIn('lc.ins');
  assert.equal((await admin.post('/api/v1/institutions', clinic(codeA, '330302'))).status, 201);
  assert.equal((await admin.post('/api/v1/institutions', clinic(codeB, '330303'))).status, 201);

  const s = screen(['--db', srv.db, '--keys', srv.keys, '--batch', '50']);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stderr, /stored run \d+ \(region 330300\)/);
  assert.match(s.stderr, /stored \d+\/\d+ flag records/); // progress
  csvRows = readCsv(flagsCsv);
  all = await listAll(city);
});
// stop() fails on a non-zero exit or a sanitizer report (ASan build: YIJIAN_BIN=build-asan/yijian).
after(async () => { await srv.stop(); srv.cleanup(); });

test('screen --db: the run and its flags are stored; the CSV is unchanged', async () => {
  const runs = await city.get('/api/v1/claims/runs');
  assert.equal(runs.status, 200);
  assert.equal(runs.data.items.length, 1);
  run = runs.data.items[0];
  assert.equal(run.complete, true);
  assert.equal(run.input_name, 'claims.csv');
  assert.match(run.input_sha256, /^[0-9a-f]{64}$/);
  assert.equal(run.line_count, 2000);
  assert.equal(run.flagged_lines, csvRows.length);
  assert.equal(run.flag_count, new Set(csvRows.map((r) => r.flag_id)).size);
  assert.equal(run.record_count, all.length);
  assert.equal(run.region_code, '330300');
  // every line of FLAGS.csv is in exactly one record, with the same amounts in integer fen
  const stored = all.flatMap((f) => f.line_nos.split(',').map((l) => `${f.flag_id}|${f.claim_id}|${l}`)).sort();
  const expected = csvRows.map((r) => `${r.flag_id}|${r.claim_id}|${r.line_no}`).sort();
  assert.deepEqual(stored, expected);
  const csvFen = csvRows.reduce((s, r) => s + fen(r.amount), 0);
  assert.equal(all.reduce((s, f) => s + f.amount_fen, 0), csvFen);
  assert.equal(run.amount_fen, csvFen);
  assert.equal(run.amount_yuan, yuanOf(csvFen));
  for (const f of all) {
    assert.equal(f.amount_yuan, yuanOf(f.amount_fen));
    assert.equal(f.state, 'pending');
    assert.ok(/[\u4e00-\u9fa5]/.test(f.message));
    assert.ok(['definite', 'suspicious'].includes(f.result_type));
    assert.equal(f.region_code, f.institution_code === codeA ? '330302' : f.institution_code === codeB ? '330303' : '330300');
  }
  // one audit leaf for the run, none per flag
  const leaves = await admin.get('/api/v1/audit/leaves?limit=200');
  assert.equal(leaves.data.items.filter((l) => l.action === 'claims.screen').length, 1);
  assert.equal(leaves.data.items.filter((l) => l.object_type === 'claim_flag').length, 0);
});

test('patient ids are masked in lists and exports, disclosed to an analyst with an audit leaf', async () => {
  const f = all[0];
  const row = csvRows.find((r) => r.claim_id === f.claim_id);
  // the first four characters only: a flag's message may carry age and sex (docs/security.md)
  assert.equal(f.patient_masked, row.patient_id.slice(0, 4) + '*'.repeat(14));
  assert.equal(f.patient_id, undefined);
  const text = JSON.stringify(all);
  assert.ok(!text.includes(row.patient_id), 'no clear patient id in the list');
  const csv = (await city.get('/api/v1/claims/flags/export?format=csv')).data.toString('utf8');
  assert.ok(csv.includes('涉及金额（元）'));
  assert.ok(!csv.includes(row.patient_id));
  assert.equal(csv.trim().split('\n').length, all.length + 1);
  // lookup by patient through the keyed hash
  const byPatient = await listAll(city, '&patient=' + row.patient_id);
  assert.ok(byPatient.some((x) => x.id === f.id));
  assert.ok(byPatient.every((x) => x.patient_masked === f.patient_masked));
  // a lookup by a clear id confirms a guess: a disclosure, refused to roles that only see masks (docs/security.md)
  for (const c of [leader, market]) {
    const refused = await c.get('/api/v1/claims/flags?patient=' + row.patient_id);
    isProblem(assert, refused, 403);
    assert.ok(!JSON.stringify(refused.data).includes(row.patient_id));
    isProblem(assert, await c.get('/api/v1/claims/flags/export?format=csv&patient=' + row.patient_id), 403);
  }
  const lookups = (await admin.get('/api/v1/audit/leaves?limit=200')).data.items.filter((l) => l.action === 'claims.flag.lookup');
  assert.equal(lookups.length, 1, 'one leaf for the analyst\'s lookup, none for the refused ones');
  assert.ok(byPatient.some((x) => x.id === lookups[0].object_id));
  isProblem(assert, await leader.get(`/api/v1/claims/flags/${f.id}/patient`), 403);
  const d = await city.get(`/api/v1/claims/flags/${f.id}/patient`);
  assert.equal(d.status, 200);
  assert.equal(d.data.patient_id, row.patient_id);
  assert.equal(d.headers.get('cache-control'), 'no-store');
  const leaves = await admin.get('/api/v1/audit/leaves?limit=200');
  assert.ok(leaves.data.items.some((l) => l.action === 'claims.flag.disclose' && l.object_id === f.id));
  assert.ok(!srv.logs.includes(row.patient_id), 'never logged');
});

test('confirm and dismiss need a reason, happen once, and are audited; a leader may reopen', async () => {
  const [a, b] = all;
  const missing = await city.post(`/api/v1/claims/flags/${a.id}/confirm`, {});
  isProblem(assert, missing, 422);
  assert.equal(missing.data.errors[0].field, 'reason');
  isProblem(assert, await city.post(`/api/v1/claims/flags/${a.id}/confirm`, { reason: ' \u3000 ' }), 422);
  isProblem(assert, await city.post(`/api/v1/claims/flags/${a.id}/dismiss`, { reason: '' }), 422);
  assert.equal((await city.get(`/api/v1/claims/flags/${a.id}`)).data.state, 'pending');

  const c = await city.post(`/api/v1/claims/flags/${a.id}/confirm`, { reason: '调阅病历，核实重复收费' });
  assert.equal(c.status, 200, JSON.stringify(c.data));
  assert.equal(c.data.state, 'confirmed');
  assert.equal(c.data.reason, '调阅病历，核实重复收费');
  assert.ok(c.data.reviewed_at > 0);
  assert.equal(c.data.reviews.length, 1);
  const again = await city.post(`/api/v1/claims/flags/${a.id}/confirm`, { reason: '再次确认' });
  isProblem(assert, again, 409);
  assert.match(again.data.detail, /已确认/);
  isProblem(assert, await city.post(`/api/v1/claims/flags/${a.id}/dismiss`, { reason: '改为排除' }), 409);

  const d = await city.post(`/api/v1/claims/flags/${b.id}/dismiss`, { reason: '经核实有医嘱，不构成违规' });
  assert.equal(d.data.state, 'dismissed');
  isProblem(assert, await city.post(`/api/v1/claims/flags/${b.id}/dismiss`, { reason: '再次排除' }), 409);

  // who may do what
  isProblem(assert, await leader.post(`/api/v1/claims/flags/${all[2].id}/confirm`, { reason: '领导确认' }), 403);
  isProblem(assert, await inspector.get('/api/v1/claims/flags'), 403);
  isProblem(assert, await city.post(`/api/v1/claims/flags/${b.id}/reopen`, { reason: '重新审核' }), 403);
  isProblem(assert, await leader.post(`/api/v1/claims/flags/${all[2].id}/reopen`, { reason: '尚未审核' }), 409);
  const re = await leader.post(`/api/v1/claims/flags/${b.id}/reopen`, { reason: '医嘱日期与结算日期不符，重新审核' });
  assert.equal(re.status, 200, JSON.stringify(re.data));
  assert.equal(re.data.state, 'pending');
  assert.equal(re.data.reason, null);
  assert.deepEqual(re.data.reviews.map((x) => x.action), ['dismiss', 'reopen']);
  assert.equal((await city.post(`/api/v1/claims/flags/${b.id}/confirm`, { reason: '重新核实后确认' })).data.state, 'confirmed');

  const leaves = (await admin.get('/api/v1/audit/leaves?limit=200')).data.items;
  assert.equal(leaves.filter((l) => l.object_id === a.id && l.action === 'claims.flag.confirm').length, 1);
  assert.deepEqual(leaves.filter((l) => l.object_id === b.id).map((l) => l.action).sort(),
    ['claims.flag.confirm', 'claims.flag.dismiss', 'claims.flag.reopen']);
  isProblem(assert, await city.post('/api/v1/claims/flags/123/confirm', { reason: '不存在' }), 404);

  // Each decision is announced as an event (docs/events.md) in its own transaction; refusals are not.
  const events = async (id) => (await admin.get(`/api/v1/system/events?subject_type=claim_flag&subject_id=${id}`)).data.items;
  assert.deepEqual((await events(a.id)).map((e) => e.type), ['claims.flag_confirmed']);
  const eb = await events(b.id);
  assert.deepEqual(eb.map((e) => e.type), ['claims.flag_confirmed', 'claims.flag_reopened', 'claims.flag_dismissed']);
  assert.equal(eb[2].payload.state, 'dismissed');
  assert.equal(eb[2].payload.reason, undefined, 'the reviewer\'s words stay with the flag');
  assert.equal(eb[0].payload.amount_fen, b.amount_fen);
  assert.equal(eb[0].payload.physician_code, b.physician_id, 'credit scores insurance physicians by it');
  assert.equal(eb[0].region_code, b.region_code);
});

test('summary: confirmed amounts per institution equal the sums of the confirmed flags', async () => {
  // confirm a spread of flags (every third), dismiss a few others
  for (const [i, f] of all.entries()) {
    if (i < 2) continue;
    if (i % 3 === 0) assert.equal((await city.post(`/api/v1/claims/flags/${f.id}/confirm`, { reason: '核实' })).status, 200);
    else if (i % 7 === 0) assert.equal((await city.post(`/api/v1/claims/flags/${f.id}/dismiss`, { reason: '不构成' })).status, 200);
  }
  const now = await listAll(city);
  const confirmedByFilter = await listAll(city, '&state=confirmed');
  assert.equal(confirmedByFilter.length, now.filter((f) => f.state === 'confirmed').length);
  const sum = await city.get('/api/v1/claims/summary?run=' + run.id + '&top=3');
  assert.equal(sum.status, 200, JSON.stringify(sum.data));
  const byInst = {};
  for (const f of now) {
    const e = (byInst[f.institution_code] ??= { flags: 0, amount: 0, confirmed: 0, camount: 0, dismissed: 0 });
    e.flags++; e.amount += f.amount_fen;
    if (f.state === 'confirmed') { e.confirmed++; e.camount += f.amount_fen; }
    if (f.state === 'dismissed') e.dismissed++;
  }
  assert.equal(sum.data.institutions.length, Object.keys(byInst).length);
  let totalConfirmed = 0;
  for (const i of sum.data.institutions) {
    const e = byInst[i.institution_code];
    assert.equal(i.flags, e.flags);
    assert.equal(i.amount_fen, e.amount);
    assert.equal(i.amount_yuan, yuanOf(e.amount));
    assert.equal(i.confirmed, e.confirmed);
    assert.equal(i.confirmed_amount_fen, e.camount);
    assert.equal(i.confirmed_amount_yuan, yuanOf(e.camount));
    assert.equal(i.dismissed, e.dismissed);
    assert.equal(i.pending, e.flags - e.confirmed - e.dismissed);
    totalConfirmed += e.camount;
  }
  assert.ok(totalConfirmed > 0);
  assert.equal(sum.data.total.confirmed_amount_fen, totalConfirmed);
  assert.equal(sum.data.total.amount_fen, now.reduce((s, f) => s + f.amount_fen, 0));
  // institutions ordered by amount at stake, descending
  const amounts = sum.data.institutions.map((i) => i.amount_fen);
  assert.deepEqual(amounts, [...amounts].sort((x, y) => y - x));
  // per rule adds up to the total; top physicians at most 3
  assert.equal(sum.data.rules.reduce((s, r) => s + r.confirmed_amount_fen, 0), totalConfirmed);
  assert.equal(sum.data.physicians.length, 3);
  isProblem(assert, await city.get('/api/v1/claims/summary'), 400);
  isProblem(assert, await city.get('/api/v1/claims/summary?run=99'), 404);
  isProblem(assert, await city.get('/api/v1/claims/flags?state=done'), 400);
});

test('territory and remit: a county analyst sees only the county; another department sees nothing', async () => {
  const mine = await listAll(county);
  assert.ok(mine.length > 0);
  assert.ok(mine.every((f) => f.region_code === '330302' && f.institution_code === codeA));
  assert.equal(mine.length, all.filter((f) => f.institution_code === codeA).length);
  const other = all.find((f) => f.institution_code === codeB);
  isProblem(assert, await county.get(`/api/v1/claims/flags/${other.id}`), 404);
  isProblem(assert, await county.post(`/api/v1/claims/flags/${other.id}/dismiss`, { reason: '越权' }), 404);
  isProblem(assert, await county.get(`/api/v1/claims/flags/${other.id}/patient`), 404);
  assert.equal((await county.get(`/api/v1/claims/flags/${other.id}`)).status, 404);
  assert.equal((await city.get(`/api/v1/claims/flags/${other.id}`)).status, 200);
  const sum = await county.get('/api/v1/claims/summary?run=' + run.id);
  assert.deepEqual(sum.data.institutions.map((i) => i.institution_code), [codeA]);
  assert.equal((await listAll(county, '&institution=' + codeB)).length, 0);
  // the market department's liaison: no insurance flags, no runs
  assert.equal((await listAll(market)).length, 0);
  assert.equal((await market.get('/api/v1/claims/runs')).data.items.length, 0);
  // the health commission (remit '*') reads everything
  assert.equal((await listAll(leader)).length, all.length);
  // filters by physician and institution
  const phys = all[0].physician_id;
  const byPhys = await listAll(city, '&physician=' + phys);
  assert.equal(byPhys.length, all.filter((f) => f.physician_id === phys).length);
  assert.equal((await listAll(city, '&institution=' + codeB)).length, all.filter((f) => f.institution_code === codeB).length);
});

test('screen --db refuses an unknown region and leaves the database as it was', async () => {
  const s = screen(['--db', srv.db, '--keys', srv.keys, '--region', '999999']);
  assert.equal(s.status, 1);
  assert.match(s.stderr, /行政区划代码 999999 不存在/);
  assert.equal((await city.get('/api/v1/claims/runs')).data.items.length, 1);
});

test('a stored flag keeps the version of the imported catalogue behind it, as FLAGS.csv does', async () => {
  // The shipped price lists, imported again as a province's price catalogue with a version.
  const rb = path.join(srv.dir, 'rules_versioned'), price = path.join(srv.dir, 'price.csv'), out = path.join(srv.dir, 'flags_v.csv');
  cpSync(RULES, rb, { recursive: true });
  writeFileSync(price, 'item_code,item_name,unit,max_price\nXS201,X线计算机体层(CT)平扫,次,150.00\n'
    + 'XS202,彩色多普勒超声检查,次,120.00\nXS203,磁共振平扫,次,600.00\n');
  execFileSync(BIN, ['rules', 'import', '--kind', 'price', '--file', price, '--rules', rb, '--version', '浙价2026-1'], { stdio: 'pipe' });
  const s = spawnSync(BIN, ['screen', '--claims', claims, '--rules', rb, '--registry', registry, '--deaths', deaths,
    '--out', out, '--threads', '2', '--db', srv.db, '--keys', srv.keys], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  const runId = s.stderr.match(/stored run (\d+)/)[1];
  // list_version is FLAGS.csv's last column (a message may hold a quoted comma, a version does not)
  const csvVersion = {};
  for (const l of readFileSync(out, 'utf8').trim().split('\n').slice(1)) csvVersion[l.split(',')[0]] = l.split(',').at(-1);
  const stored = await listAll(city, `&run=${runId}`);
  assert.ok(stored.length > 0);
  for (const f of stored) assert.equal(f.list_version, csvVersion[f.flag_id] || null, `${f.rule_id} flag ${f.flag_id}`);
  const versioned = stored.filter((f) => f.list_version === '浙价2026-1');
  assert.ok(versioned.length > 0, 'some price-cap flags');
  assert.ok(versioned.every((f) => f.rule_id === 'R-PRICE-01' || f.rule_id.startsWith('R-DAILY')), versioned.map((f) => f.rule_id).join());
  assert.ok(all.every((f) => f.list_version === null)); // the first run's lists came with no catalogue
  const csv = (await city.get(`/api/v1/claims/flags/export?format=csv&run=${runId}`)).data.toString('utf8');
  assert.match(csv.split('\n')[0], /目录版本/);
  assert.match(csv, /浙价2026-1/);
});
