// Personal data by role (docs/security.md): for every role, everything it can read about practitioners —
// list, record, as-of, history, export, FHIR, licences (and the public licence check) — is gathered, and
// the attack of issue 9 is run: enumerate the resident ID numbers consistent with what was seen (digits of
// any mask, birth date or year, sex, the GB 11643 check character; the region digits are taken as known,
// the worst case), then confirm candidates with the ?id_number= filter. No role may recover a number, and
// what each sees must leave at least 100,000 candidates. Then the filter itself: refused to the roles that
// may not disclose numbers, audited for those that may, and limited per user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Server, Client, isProblem, BIN } from './harness.mjs';
import { creditCode, residentId, isResidentId } from './codes.mjs';

const ROLES = [
  ['admin', 'health'], ['inspector', 'health'], ['legal_reviewer', 'health'], ['leader', 'health'],
  ['liaison', 'market'], ['insurance_analyst', 'insurance'], ['institution', 'health'], ['grid_member', 'health'],
];
const MIN_CANDIDATES = 100000;
const INST = creditCode('52330302', '20000001');
// Born in the county they work in: the region digits are what an attacker guesses first.
const PEOPLE = [
  { name: '陈立明', id: residentId('33030219800101001'), cert: '110330302100001' },
  { name: '林雅琴', id: residentId('33030219920715002'), cert: '110330302100002' },
  // registered with one number, then corrected to another: history holds both
  { name: '王建国', id: residentId('33030219751231013'), cert: '110330302100003', later: residentId('33030219880309036') },
];

let srv, limited, twinA, twinB, anon;
const clients = {};
const users = {}; // role → the signed-in user
const targets = []; // {pid, id, name}

before(async () => {
  srv = new Server();
  await srv.start();
  for (const [role, dept] of ROLES) {
    srv.addUser('lc.' + role, role, '330302', dept);
    clients[role] = new Client(srv.url);
    const s = await clients[role].signIn('lc.' + role);
    assert.equal(s.status, 200, role);
    users[role] = s.data.user;
  }
  anon = new Client(srv.url);
  const ins = clients.inspector;
  // The institution user and the grid member see their own subjects only (item 2): the clinic is in a grid
  // of the grid member's and the institution user is bound to it, so both roles do see the practitioners.
  const towns = await clients.admin.get('/api/v1/regions?parent=330302&limit=1');
  const grid = await clients.admin.post('/api/v1/grids', { name: '鹿城区隐私测试网格', region_code: towns.data.items[0].code });
  assert.equal(grid.status, 201, JSON.stringify(grid.data));
  const inst = await ins.post('/api/v1/institutions', { credit_code: INST, name: '温州鹿城仁和诊所', type: '诊所',
    level: 'none', ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'],
    grid_code: grid.data.code });
  assert.equal(inst.status, 201, JSON.stringify(inst.data));
  const bind = await clients.admin.patch('/api/v1/users/' + users.institution.id, { institution_code: INST });
  assert.equal(bind.status, 200, JSON.stringify(bind.data));
  const members = await clients.admin.req('PUT', `/api/v1/grids/${grid.data.id}/members`,
    { user_ids: [users.grid_member.id] });
  assert.equal(members.status, 200, JSON.stringify(members.data));
  for (const p of PEOPLE) {
    const r = await ins.post('/api/v1/practitioners', { name: p.name, id_number: p.id, certificate_no: p.cert,
      category: 'physician', practice_type: 'clinical', institution_id: inst.data.id });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    p.pid = r.data.id;
    targets.push({ pid: p.pid, id: p.id, name: p.name });
    const lic = await ins.post('/api/v1/licences', { kind: 'physician_practice', holder_type: 'practitioner',
      holder_id: p.pid, reason: '依申请核发' });
    assert.equal(lic.status, 201, JSON.stringify(lic.data));
    p.licence = lic.data;
    if (p.later) {
      const c = await ins.patch('/api/v1/practitioners/' + p.pid, { id_number: p.later, version: r.data.version });
      assert.equal(c.status, 200, JSON.stringify(c.data));
      targets.push({ pid: p.pid, id: p.later, name: p.name });
    }
  }
});
after(async () => {
  for (const s of [srv, limited, twinA, twinB]) {
    if (!s) continue;
    const { code } = await s.stop();
    s.cleanup();
    // a sanitizer build reports at exit (leaks) or on the spot: either fails the suite
    assert.ok(!/ERROR: \w+Sanitizer|runtime error:/.test(s.logs), s.logs.slice(-2000));
    assert.equal(code, 0, 'the server exits cleanly');
  }
});

// ---- what a role sees ----

// Observations about one practitioner: masks, birth dates, birth years and sexes seen anywhere.
const emptyObs = () => ({ masks: [], dates: [], years: [], sexes: [], clear: [] });

// Walks any JSON answer; values under these keys (or arrays under them, as history changes are) count.
function observe(obs, v, key = '') {
  if (Array.isArray(v)) return v.forEach((x) => observe(obs, x, key));
  if (v && typeof v === 'object') return Object.entries(v).forEach(([k, x]) => observe(obs, x, k));
  if (typeof v === 'number' && key === 'birth_year') obs.years.push(v);
  if (typeof v !== 'string') return;
  if (isResidentId(v) || isResidentId(v.slice(-18))) obs.clear.push(v.slice(-18));
  if (/^[0-9X*]{18}$/.test(v) && v.includes('*')) obs.masks.push(v);
  if ((key === 'birth_date' || key === 'birthDate') && /^\d{4}-\d\d-\d\d$/.test(v)) obs.dates.push(v);
  if (key === 'birth_year' && /^\d{4}$/.test(v)) obs.years.push(Number(v));
  if (key === 'sex' || key === 'gender') obs.sexes.push({ M: 'M', male: 'M', F: 'F', female: 'F' }[v]);
}

// A CSV export: rows keyed by the header's labels, read as the JSON keys they stand for.
function observeCsv(byName, text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean).map((l) => l.split(','));
  const head = lines[0].map((h) => h.replace(/^"|"$/g, ''));
  const keyOf = { 身份证号: 'id_masked', 出生日期: 'birth_date', 出生年份: 'birth_year', 性别: 'sex', 姓名: 'name',
    持证主体: 'holder_name', 主体代码: 'holder_identifier' };
  for (const cells of lines.slice(1)) {
    const row = {};
    head.forEach((h, i) => { if (keyOf[h]) row[keyOf[h]] = (cells[i] ?? '').replace(/^"|"$/g, ''); });
    const obs = byName.get(row.name ?? row.holder_name);
    if (obs) observe(obs, row);
  }
}

async function ok(c, url) {
  const r = await c.get(url);
  assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.data).slice(0, 300)}`);
  return r;
}

// Everything one client can read about the practitioners, by name.
async function gather(c, role) {
  const byName = new Map(PEOPLE.map((p) => [p.name, emptyObs()]));
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  if (role === 'public') {
    for (const p of PEOPLE) observe(byName.get(p.name), (await ok(c, '/api/v1/public/licences/' + p.licence.verify_code)).data);
    return byName;
  }
  const list = (await ok(c, '/api/v1/practitioners?limit=200')).data.items;
  assert.equal(list.length, PEOPLE.length, `${role} lists the county's practitioners`);
  for (const item of list) observe(byName.get(item.name), item);
  for (const p of PEOPLE) {
    const o = byName.get(p.name);
    observe(o, (await ok(c, '/api/v1/practitioners/' + p.pid)).data);
    observe(o, (await ok(c, `/api/v1/practitioners/${p.pid}?as_of=${today}`)).data);
    observe(o, (await ok(c, `/api/v1/practitioners/${p.pid}/history`)).data);
    observe(o, (await ok(c, '/fhir/r4/Practitioner/' + p.pid)).data);
    observe(o, (await ok(c, '/api/v1/licences?holder=' + p.pid)).data);
    observe(o, (await ok(c, '/api/v1/licences/' + p.licence.id)).data);
    observe(o, (await ok(c, `/api/v1/licences/${p.licence.id}/download`)).data);
  }
  for (const e of (await ok(c, '/fhir/r4/Practitioner?_count=200')).data.entry ?? []) {
    observe(byName.get(e.resource.name?.[0]?.text), e.resource);
  }
  observeCsv(byName, (await ok(c, '/api/v1/practitioners/export?format=csv')).data.toString('utf8'));
  observeCsv(byName, (await ok(c, '/api/v1/licences/export?format=csv')).data.toString('utf8'));
  return byName;
}

// ---- the attack ----

function* days(from, to) {
  for (let t = Date.UTC(...from); t <= Date.UTC(...to); t += 86400e3) yield new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
}

// The numbers consistent with what was seen of target id T: an exact count, and the list when small.
function candidates(T, obs) {
  const known = [...T.slice(0, 6)].concat(Array(12).fill(null)); // region digits: assumed known
  for (const m of obs.masks) {
    if (![...m].every((ch, i) => ch === '*' || ch === T[i])) continue; // another number's mask
    [...m].forEach((ch, i) => { if (ch !== '*') known[i] = ch; });
  }
  const date = `${T.slice(6, 10)}-${T.slice(10, 12)}-${T.slice(12, 14)}`;
  const year = Number(T.slice(6, 10));
  let dates;
  if (obs.dates.includes(date)) dates = [T.slice(6, 14)];
  else if (obs.years.includes(year)) dates = [...days([year, 0, 1], [year, 11, 31])];
  else dates = [...days([1955, 0, 1], [2008, 11, 31])]; // working ages
  dates = dates.filter((d) => [...d].every((ch, i) => known[6 + i] === null || known[6 + i] === ch));
  const sex = Number(T[16]) % 2 ? 'M' : 'F';
  const seqs = [];
  for (let s = 0; s < 1000; s++) {
    const q = String(s).padStart(3, '0');
    if ([...q].some((ch, i) => known[14 + i] !== null && known[14 + i] !== ch)) continue;
    if (obs.sexes.includes(sex) && (s % 2 ? 'M' : 'F') !== sex) continue;
    seqs.push(q);
  }
  const head = known.slice(0, 6).join('');
  let count = dates.length * seqs.length;
  const list = [];
  if (known[17] !== null || count <= 200) {
    if (count > 5e6) return { count: Math.round(count / 11) }; // the check character keeps 1 in 11
    count = 0;
    for (const d of dates) for (const q of seqs) {
      const id = residentId(head + d + q);
      if (known[17] !== null && id[17] !== known[17]) continue;
      count++;
      if (list.length <= 200) list.push(id);
    }
  }
  return { count, list: count <= 200 ? list : [] };
}

test('no role can combine what it sees back into a resident ID number', async () => {
  const roles = [...ROLES.map(([r]) => r), 'public'];
  const failures = [];
  for (const role of roles) {
    const c = role === 'public' ? anon : clients[role];
    const seen = await gather(c, role);
    for (const t of targets) {
      const obs = seen.get(t.name);
      if (obs.clear.includes(t.id)) { failures.push(`${role}: ${t.name}'s number in clear`); continue; }
      const { count, list } = candidates(t.id, obs);
      let recovered = false;
      if (role !== 'public') {
        // Confirm the few candidates with the list filter, as the attacker did.
        for (const cand of list) {
          const r = await c.get('/api/v1/practitioners?id_number=' + cand);
          if (r.status === 200 && r.data.items.some((i) => i.id === t.pid)) { recovered = true; break; }
        }
      } else {
        recovered = count === 1;
      }
      if (recovered) failures.push(`${role}: recovered ${t.name}'s number from ${count} candidates`);
      else if (count < MIN_CANDIDATES) failures.push(`${role}: ${t.name}'s number narrowed to ${count} candidates`);
    }
  }
  assert.deepEqual(failures, []);
});

test('each role sees the fields docs/security.md gives it, no more', async () => {
  const expect = {
    admin: ['id_masked', 'birth_year', 'sex'], inspector: ['id_masked', 'birth_year', 'sex'],
    legal_reviewer: ['id_masked', 'birth_year', 'sex'], leader: ['id_masked', 'birth_year', 'sex'],
    liaison: ['id_masked'], insurance_analyst: ['id_masked'], institution: ['id_masked', 'birth_year', 'sex'],
    grid_member: [],
  };
  const p = PEOPLE[0];
  for (const [role, keys] of Object.entries(expect)) {
    const rec = (await ok(clients[role], '/api/v1/practitioners/' + p.pid)).data;
    const shown = ['id_masked', 'birth_date', 'birth_year', 'sex'].filter((k) => k in rec);
    assert.deepEqual(shown, keys, role);
    if (rec.id_masked) assert.equal(rec.id_masked, p.id.slice(0, 4) + '*'.repeat(14), role);
    if (rec.birth_year) assert.equal(rec.birth_year, 1980, role);
    const fhir = (await ok(clients[role], '/fhir/r4/Practitioner/' + p.pid)).data;
    assert.equal(fhir.gender, keys.includes('sex') ? 'male' : undefined, role + ' FHIR gender');
    const fields = (await ok(clients[role], '/api/v1/registry/kinds/practitioner/fields')).data.derived.map((d) => d.name);
    assert.deepEqual(fields.filter((f) => f !== 'region_code').sort(), [...keys].sort(), role + ' field description');
    const csv = (await ok(clients[role], '/api/v1/practitioners/export?format=csv')).data.toString('utf8');
    assert.equal(csv.includes('出生日期'), false, role + ' export');
    assert.equal(csv.includes('出生年份'), keys.includes('birth_year'), role + ' export');
  }
  const lic = (await ok(anon, '/api/v1/public/licences/' + p.licence.verify_code)).data;
  assert.equal(lic.holder_identifier, p.id.slice(0, 4) + '*'.repeat(14), 'public licence check');
});

test('history shows a changed number in the role\'s view only', async () => {
  const p = PEOPLE[2];
  const h = (await ok(clients.leader, `/api/v1/practitioners/${p.pid}/history`)).data.items;
  assert.equal(h.length, 2);
  assert.deepEqual(h[0].changes.birth_year, [1975, 1988]);
  assert.equal(h[0].changes.birth_date, undefined);
  assert.equal(h[0].changes.id_masked, undefined, 'the same four digits: no visible change');
  const g = (await ok(clients.grid_member, `/api/v1/practitioners/${p.pid}/history`)).data.items;
  assert.deepEqual(Object.keys(g[0].changes).filter((k) => /birth|sex|id_/.test(k)), []);
});

// ---- the filter ----

async function leaves(admin, action) {
  const out = [];
  let cursor = '';
  for (;;) {
    const r = await ok(admin, '/api/v1/audit/leaves?limit=200' + (cursor ? '&cursor=' + cursor : ''));
    out.push(...r.data.items.filter((l) => l.action === action));
    if (!r.data.next_cursor) return out;
    cursor = r.data.next_cursor;
  }
}

test('?id_number= is refused to roles that may not disclose numbers, and audited for those that may', async () => {
  const admin = clients.admin;
  const target = PEOPLE[0];
  const before = (await leaves(admin, 'practitioner.lookup')).length;
  for (const role of ['leader', 'liaison', 'insurance_analyst', 'institution', 'grid_member']) {
    for (const path of ['/api/v1/practitioners', '/api/v1/practitioners/export', '/api/v1/practitioners/stats']) {
      const r = await clients[role].get(`${path}?id_number=${target.id}${path.endsWith('stats') ? '&group=category' : ''}`);
      isProblem(assert, r, 403);
      assert.ok(!JSON.stringify(r.data).includes(target.id));
    }
  }
  assert.equal((await leaves(admin, 'practitioner.lookup')).length, before, 'a refusal discloses nothing and writes nothing');
  for (const role of ['admin', 'inspector', 'legal_reviewer']) {
    const r = await clients[role].get('/api/v1/practitioners?id_number=' + target.id);
    assert.equal(r.status, 200, role);
    assert.deepEqual(r.data.items.map((i) => i.id), [target.pid], role);
    assert.equal(r.headers.get('cache-control'), 'no-store');
  }
  const miss = await clients.inspector.get('/api/v1/practitioners?id_number=' + residentId('33030219800101003'));
  assert.deepEqual(miss.data.items, []);
  const after = await leaves(admin, 'practitioner.lookup');
  assert.equal(after.length, before + 4, 'one leaf per use, a miss included');
  const mine = after.slice(-4);
  assert.deepEqual(mine.map((l) => l.object_id).sort(), [target.pid, target.pid, target.pid, 'none'].sort());
  const names = new Set(['admin', 'inspector', 'legal_reviewer']);
  assert.equal(mine.filter((l) => l.object_id === target.pid).length, names.size);
});

test('lookups and disclosures share a per-user limit (serve --id-lookups-per-hour)', async () => {
  limited = new Server({ args: ['--id-lookups-per-hour', '3'] });
  await limited.start();
  limited.addUser('lc.ins2', 'inspector', '330302');
  limited.addUser('lc.ins3', 'inspector', '330302');
  const a = new Client(limited.url); await a.signIn('lc.ins2');
  const b = new Client(limited.url); await b.signIn('lc.ins3');
  const inst = await a.post('/api/v1/institutions', { credit_code: INST, name: '温州鹿城仁和诊所', type: '诊所',
    level: 'none', ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'] });
  const p = await a.post('/api/v1/practitioners', { name: '陈立明', id_number: PEOPLE[0].id, certificate_no: PEOPLE[0].cert,
    category: 'physician', practice_type: 'clinical', institution_id: inst.data.id });
  assert.equal(p.status, 201, JSON.stringify(p.data));
  assert.equal((await a.get('/api/v1/practitioners?id_number=' + PEOPLE[0].id)).status, 200);
  assert.equal((await a.get(`/api/v1/practitioners/${p.data.id}/identity`)).status, 200);
  assert.equal((await a.get('/api/v1/practitioners?id_number=' + PEOPLE[1].id)).status, 200);
  const over = await a.get('/api/v1/practitioners?id_number=' + PEOPLE[0].id);
  isProblem(assert, over, 429);
  assert.equal(over.data.type.endsWith('too-many-lookups'), true, over.data.type);
  const wait = Number(over.headers.get('retry-after'));
  assert.ok(wait > 3000 && wait <= 3600, `Retry-After ${wait}`);
  isProblem(assert, await a.get(`/api/v1/practitioners/${p.data.id}/identity`), 429);
  assert.ok(!JSON.stringify(over.data).includes(PEOPLE[0].id));
  // another user is not held back by the first one's uses
  assert.equal((await b.get(`/api/v1/practitioners/${p.data.id}/identity`)).status, 200);
});

// Every process serving one database counts in the store, so N processes behind a load balancer still allow
// the limit once, not N times.
test('the per-user limit holds across two serve processes on one database', async () => {
  twinA = new Server({ args: ['--id-lookups-per-hour', '3'] });
  await twinA.start();
  twinB = new Server({ db: twinA.db, args: ['--id-lookups-per-hour', '3'] });
  twinB.keys = twinA.keys; // one deployment: one database, one set of keys
  await twinB.start();
  twinA.addUser('lc.ins4', 'inspector', '330302');
  twinA.addUser('lc.ins5', 'inspector', '330302');
  const onA = new Client(twinA.url); await onA.signIn('lc.ins4');
  const onB = new Client(twinB.url); await onB.signIn('lc.ins4');
  const other = new Client(twinB.url); await other.signIn('lc.ins5');
  const inst = await onA.post('/api/v1/institutions', { credit_code: INST, name: '温州鹿城仁和诊所', type: '诊所',
    level: 'none', ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'] });
  assert.equal(inst.status, 201, JSON.stringify(inst.data));
  const p = await onA.post('/api/v1/practitioners', { name: '陈立明', id_number: PEOPLE[0].id, certificate_no: PEOPLE[0].cert,
    category: 'physician', practice_type: 'clinical', institution_id: inst.data.id });
  assert.equal(p.status, 201, JSON.stringify(p.data));
  // two uses through A, one through B: the limit of 3 is reached
  assert.equal((await onA.get('/api/v1/practitioners?id_number=' + PEOPLE[0].id)).status, 200);
  assert.equal((await onA.get(`/api/v1/practitioners/${p.data.id}/identity`)).status, 200);
  assert.equal((await onB.get(`/api/v1/practitioners/${p.data.id}/identity`)).status, 200);
  // now both processes refuse the user
  for (const c of [onB, onA]) {
    const over = await c.get(`/api/v1/practitioners/${p.data.id}/identity`);
    isProblem(assert, over, 429);
    assert.equal(over.data.type.endsWith('too-many-lookups'), true, over.data.type);
    const wait = Number(over.headers.get('retry-after'));
    assert.ok(wait > 3000 && wait <= 3600, `Retry-After ${wait}`);
    isProblem(assert, await c.get('/api/v1/practitioners?id_number=' + PEOPLE[1].id), 429);
  }
  // another user on B is not held back
  assert.equal((await other.get(`/api/v1/practitioners/${p.data.id}/identity`)).status, 200);
});

test('an export in the role\'s view (出生年份) imports back once the masked 身份证号 column is deleted', async () => {
  const csv = (await ok(clients.inspector, '/api/v1/practitioners/export?format=csv')).data.toString('utf8');
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean).map((l) => l.split(','));
  const head = lines[0].map((h) => h.replace(/^"|"$/g, ''));
  assert.ok(head.includes('出生年份'), head.join(','));
  const drop = head.indexOf('身份证号');
  assert.ok(drop >= 0);
  const body = lines.map((cells) => cells.filter((_, i) => i !== drop).join(',')).join('\r\n') + '\r\n';
  const r = await clients.inspector.req('POST', '/api/v1/import/practitioners?dry_run=true', body, { 'content-type': 'text/csv' });
  assert.equal(r.status, 200, JSON.stringify(r.data).slice(0, 600));
  assert.deepEqual(r.data.errors, []);
  assert.equal(r.data.unchanged, PEOPLE.length);
});

// A plain SHA-256 of a practitioner's state would let a reader of leaves test guesses of the birth date
// offline; those leaves are keyed (HMAC under a key derived from audit.key), other leaves stay plain, and
// `audit verify --records` checks both kinds with the key — and refuses to guess without it.
test('state hashes of personal records are keyed; audit verify --records checks them with the key', async () => {
  const leaves = async (type, id) => (await ok(clients.admin, `/api/v1/audit/leaves?object_type=${type}&object_id=${id}&limit=50`)).data.items;
  const doctor = PEOPLE[2]; // created, then changed: a .create and an .update leaf
  const mine = (await leaves('practitioner', doctor.pid)).filter((l) => /^practitioner\.(create|update)$/.test(l.action));
  assert.equal(mine.length, 2, JSON.stringify(mine));
  for (const l of mine) assert.match(l.state_hash, /^hmac:[0-9a-f]{64}$/, l.action);
  const inst = (await ok(clients.admin, '/api/v1/institutions?limit=1')).data.items[0];
  const public_ = (await leaves('institution', inst.id)).filter((l) => l.action === 'institution.create');
  assert.equal(public_.length, 1);
  assert.match(public_[0].state_hash, /^[0-9a-f]{64}$/, 'a state without personal data keeps its plain hash');

  const verify = (keys) => {
    const r = spawnSync(BIN, ['audit', 'verify', '--records', '--db', srv.db, '--keys', keys], { encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  let v = verify(srv.keys);
  assert.equal(v.status, 0, v.out);
  assert.match(v.out, /; 0 do not match/);
  // without audit.key the keyed leaves cannot be checked: the run says so instead of naming them all
  const empty = mkdtempSync(path.join(tmpdir(), 'yijian-nokeys-'));
  try {
    v = verify(empty);
    assert.equal(v.status, 2, v.out);
    assert.match(v.out, /keyed state hash; run with --keys/);
  } finally { rmSync(empty, { recursive: true, force: true }); }
  // a birth date changed behind the platform's back is named
  const q = `UPDATE practitioners SET birth_date = '1975-12-30' WHERE id = ${doctor.pid}`;
  if (srv.db.startsWith('sqlite:')) execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.slice(7), q]);
  else execFileSync('psql', [srv.db, '-qAtc', q]);
  v = verify(srv.keys);
  assert.equal(v.status, 1, v.out);
  assert.match(v.out, new RegExp(`practitioner ${doctor.pid}: the row does not match its last leaf \\(leaf \\d+, practitioner.update\\)`));
  assert.match(v.out, /; 1 does not match/);
});
