// The demo region (yijian demo): built into a fresh database (SQLite, or PostgreSQL with YJ_TEST_DB)
// at --scale 0.05 to keep the suite quick, then read back through the API as its demo accounts. The
// county inspector sees only 鹿城区, the city leader every county; sizes and type mix are in range;
// every credit code and every disclosed ID number passes its check (checked here in JS, independently
// of the C code); the same seed gives the same region, another seed another; a re-run adds nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Server, Client, BIN } from './harness.mjs';
import { isCreditCode, isResidentId } from './codes.mjs';

const PW = 'demo-2026';
const SCALE = '0.05';

function demo(srv, seed, extra = []) {
  return execFileSync(BIN, ['demo', '--db', srv.db, '--keys', srv.keys, '--seed', String(seed), '--scale', SCALE,
    '--quiet', ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function walk(client, path) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await client.get(`${path}${sep}limit=200${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    items.push(...r.data.items);
    cursor = r.data.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('too many pages');
}

async function signedIn(srv, user) {
  const c = new Client(srv.url);
  const r = await c.signIn(user, PW);
  assert.equal(r.status, 200, `${user}: ${JSON.stringify(r.data)}`);
  return c;
}

let srv, twin, other, out1;
let cityInst, cityPrac;

before(async () => {
  // Every city practitioner's number is disclosed below: the per-user disclosure limit is lifted.
  srv = new Server({ args: ['--id-lookups-per-hour', '0'] });
  out1 = demo(srv, 7);
  await srv.start();
  const leader = await signedIn(srv, 'leader');
  cityInst = await walk(leader, '/api/v1/institutions');
  cityPrac = await walk(leader, '/api/v1/practitioners');
});

after(async () => {
  // Stop every server even when one ended badly (its stop() throws), then report the first failure.
  const failed = [];
  for (const s of [srv, twin, other]) if (s) { await s.stop().catch((e) => failed.push(e)); s.cleanup(); }
  if (failed.length) throw failed[0];
});

test('the county inspector sees only 鹿城区 (330302) institutions and practitioners', async () => {
  const ins = await signedIn(srv, 'inspector');
  const mine = await walk(ins, '/api/v1/institutions');
  assert.ok(mine.length >= 15, `鹿城区 has ${mine.length} institutions`);
  for (const i of mine) assert.ok(i.region_code.startsWith('330302'), `${i.name} is in ${i.region_code}`);
  const expected = cityInst.filter((i) => i.region_code.startsWith('330302')).map((i) => i.id).sort();
  assert.deepEqual(mine.map((i) => i.id).sort(), expected, 'exactly the 鹿城区 ones, none missing');
  const people = await walk(ins, '/api/v1/practitioners');
  assert.ok(people.length > 0);
  for (const p of people) assert.ok(p.region_code.startsWith('330302'));
  // and the other county's inspector sees 瑞安市 only: nothing of 鹿城区
  const ra = await walk(await signedIn(srv, 'inspector2'), '/api/v1/institutions');
  assert.ok(ra.length > 0 && ra.every((i) => i.region_code.startsWith('330381')));
});

test('the city leader sees every county; sizes and type mix are in range', () => {
  const counties = new Set(cityInst.map((i) => i.region_code.slice(0, 6)));
  assert.equal(counties.size, 12, [...counties].join(','));
  for (const c of counties) assert.ok(c.startsWith('3303'));
  // scale 0.05 of ~2,000 institutions and 20,000 practitioners (public hospitals are not scaled)
  assert.ok(cityInst.length >= 120 && cityInst.length <= 300, `${cityInst.length} institutions`);
  assert.ok(cityPrac.length >= 900 && cityPrac.length <= 1300, `${cityPrac.length} practitioners`);
  const types = new Set(cityInst.map((i) => i.type));
  for (const t of ['general_hospital', 'tcm_hospital', 'maternal_child', 'cdc', 'clinic', 'dental_clinic',
    'tcm_clinic', 'township_centre', 'community_centre']) assert.ok(types.has(t), t);
  const lvl3 = cityInst.filter((i) => i.level === '3');
  assert.ok(lvl3.length >= 5 && lvl3.length <= 12, `${lvl3.length} 三级 hospitals`);
  for (const h of lvl3) {
    assert.ok(['330302', '330303', '330304', '330381', '330382'].includes(h.region_code.slice(0, 6)), h.name);
    assert.ok(h.beds >= 500 && h.equipment.includes('ct'), h.name);
  }
  const cats = {};
  for (const p of cityPrac) cats[p.category] = (cats[p.category] ?? 0) + 1;
  const share = (c) => (cats[c] ?? 0) / cityPrac.length;
  assert.ok(share('physician') + share('assistant_physician') > 0.3 && share('physician') < 0.55, JSON.stringify(cats));
  // (at scale 1 nurses are ~45 %; scaled down, the unscaled disease-control centres weigh more)
  assert.ok(share('nurse') > 0.25 && share('nurse') < 0.6, JSON.stringify(cats));
  // consistency: dental clinics employ dentists, TCM clinics TCM doctors, clinics few people
  const byId = new Map(cityInst.map((i) => [i.id, i]));
  const staff = new Map();
  for (const p of cityPrac) {
    const home = byId.get(p.institution_id);
    assert.ok(home, `${p.name}'s institution is listed`);
    assert.equal(p.region_code, home.region_code);
    staff.set(home.id, (staff.get(home.id) ?? 0) + 1);
    if (p.category === 'physician' && home.type === 'dental_clinic') assert.equal(p.practice_type, 'dental');
    if (p.category === 'physician' && home.type === 'tcm_clinic') assert.equal(p.practice_type, 'tcm');
    if (p.surgical_grade > 0) assert.ok(['physician', 'assistant_physician'].includes(p.category));
  }
  for (const i of cityInst) {
    if (['clinic', 'dental_clinic', 'tcm_clinic'].includes(i.type)) assert.ok((staff.get(i.id) ?? 0) <= 5, i.name);
  }
  const big = cityInst.filter((i) => i.level === '3').map((i) => staff.get(i.id) ?? 0);
  assert.ok(Math.min(...big) > 15, `三级 hospitals have several times a clinic's staff: ${big}`);
  // grids in the central districts only
  const gridded = cityInst.filter((i) => i.grid_id);
  assert.ok(gridded.length > 0);
  for (const i of gridded) assert.ok(['330302', '330303', '330304'].includes(i.region_code.slice(0, 6)), i.name);
});

test('every credit code and licence number is well formed; every ID number passes GB 11643', async () => {
  const codes = cityInst.map((i) => i.credit_code);
  assert.equal(new Set(codes).size, codes.length, 'credit codes are distinct');
  for (const i of cityInst) {
    assert.ok(isCreditCode(i.credit_code), `${i.name}: ${i.credit_code}`);
    assert.equal(i.credit_code.slice(2, 8), i.region_code.slice(0, 6), 'the region part is the county');
    const reg = i.credit_code.slice(0, 2);
    assert.ok(i.ownership === 'public' ? reg === '12' : ['52', '91', '92'].includes(reg), `${i.name}: ${reg}`);
    if (i.profit === 'nonprofit' && i.ownership === 'private') assert.equal(reg, '52');
    if (i.licence_no) assert.match(i.licence_no, /^[0-9A-Z]{22}$/);
  }
  const certs = cityPrac.map((p) => p.certificate_no);
  assert.equal(new Set(certs).size, certs.length);
  for (const c of certs) assert.match(c, /^\d{15}$/);
  // the administrator may disclose numbers (each disclosure is audited)
  const admin = await signedIn(srv, 'admin');
  const seen = new Set();
  const queue = [...cityPrac];
  async function worker() {
    for (let p = queue.pop(); p; p = queue.pop()) {
      const r = await admin.get(`/api/v1/practitioners/${p.id}/identity`);
      assert.equal(r.status, 200);
      const id = r.data.id_number;
      assert.ok(isResidentId(id), `${p.name}: ${id}`);
      assert.ok(id.startsWith('33'), 'born in Zhejiang');
      const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
      assert.equal(Number(birth.slice(0, 4)), p.birth_year);
      assert.ok(birth >= '1955-01-01' && birth <= '2000-12-31', birth);
      assert.equal(Number(id[16]) % 2 === 1 ? 'M' : 'F', p.sex);
      assert.equal(p.id_masked, id.slice(0, 4) + '*'.repeat(14));
      seen.add(id);
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));
  assert.equal(seen.size, cityPrac.length, 'ID numbers are distinct');
});

test('double random has life in it: the directory, a drawn plan with tasks, an order, a draft plan', async () => {
  const m = /double random \(双随机\): (\d+) inspectors in the directory, (\d+) plans, (\d+) tasks \((\d+) completed\), (\d+) rectification orders/.exec(out1);
  assert.ok(m, out1);
  assert.equal(Number(m[1]), 5);
  const leader = await signedIn(srv, 'leader');
  const plans = (await leader.get('/api/v1/inspection/plans')).data.items;
  assert.deepEqual(plans.map((p) => p.state).sort(), ['draft', 'drawn']);
  const tasks = await walk(leader, '/api/v1/inspection/tasks');
  assert.equal(tasks.length, Number(m[3]));
  assert.ok(tasks.length >= 1 && tasks.some((t) => t.state === 'completed'), JSON.stringify(tasks.map((t) => t.state)));
  assert.equal((await leader.get('/api/v1/inspection/inspectors')).data.items.length, 5);
  assert.equal((await leader.get('/api/v1/inspection/rectifications')).data.items.length, Number(m[5]));
  // One order on time, one overdue (its dates moved into the past), shown as the list flags it.
  assert.match(out1, /rectification orders \(1 overdue\)/);
  const overdue = (await leader.get('/api/v1/inspection/rectifications?overdue=true')).data.items;
  assert.equal(overdue.length, 1, JSON.stringify(overdue));
  assert.equal(overdue[0].overdue, true);
  assert.equal(overdue[0].state, 'open');
  // The 鹿城区 inspector is in the directory and reads the district's tasks.
  const ins = await signedIn(srv, 'inspector');
  assert.equal((await ins.get('/api/v1/inspection/tasks')).data.items.length, tasks.length);
});

test('claims have flags waiting for the analyst: a screened run stored once in 温州市', async () => {
  const m = /claims \(医保智能监控\): (\d+) claim lines screened, (\d+) flags to review/.exec(out1);
  assert.ok(m, out1);
  assert.ok(Number(m[1]) > 10000 && Number(m[2]) > 0, m[0]);
  const analyst = await signedIn(srv, 'analyst');
  const pending = await analyst.get('/api/v1/claims/flags?state=pending&limit=5');
  assert.equal(pending.status, 200, JSON.stringify(pending.data));
  assert.ok(pending.data.items.length > 0, 'pending flags for the analyst');
  assert.equal((await analyst.get('/api/v1/claims/runs')).data.items.length, 1);
});

test('a second run on the same database adds nothing', async () => {
  const again = demo(srv, 7);
  assert.match(out1, /institutions:\s+\d+ planned,\s+\d+ written/);
  const planned = Number(/institutions:\s+(\d+) planned/.exec(again)[1]);
  assert.match(again, new RegExp(`institutions:\\s+${planned} planned,\\s+0 written,\\s+${planned} already present`));
  assert.match(again, /practitioners:\s+(\d+) planned,\s+0 written,\s+\1 already present/);
  assert.match(again, /accounts: \d+ \(0 new\)/);
  assert.match(again, /double random \(双随机\): the demo plan is there already/);
  assert.match(again, /claims \(医保智能监控\): a screening run is there already/);
  const leader = await signedIn(srv, 'leader');
  assert.equal((await walk(leader, '/api/v1/institutions')).length, cityInst.length);
});

test('the demo has complaints in every state, written once (docs/complaints.md)', async () => {
  const leader = await signedIn(srv, 'leader');
  const all = await walk(leader, '/api/v1/complaints');
  assert.equal(all.length, 16, 'twelve matters and the four rewarded reports');
  for (const st of ['received', 'dispatched', 'accepted', 'replied', 'closed', 'merged', 'rejected'])
    assert.ok(all.some((m) => m.state === st), st);
  assert.ok(all.some((m) => m.paused) && all.some((m) => m.referred_at) && all.some((m) => m.subject_id));
  assert.ok(all.every((m) => /^DEMO-CMP-(\d\d|R\d)$/.test(m.external_ref)));
  const sent = await walk(leader, '/api/v1/transfers?box=out');
  assert.equal(sent.length, 3);
  assert.ok(sent.some((t) => t.state === 'replied' && !t.late) && sent.some((t) => t.late) && sent.some((t) => t.overdue && t.state === 'sent'));
});

test('the demo has rewards, joint actions and meetings, patrols and public-opinion events, written once', async () => {
  const leader = await signedIn(srv, 'leader');
  const rewards = await walk(leader, '/api/v1/rewards');
  assert.deepEqual(rewards.map((w) => w.state).sort(), ['approved', 'forfeited', 'paid', 'proposed']);
  const actions = await walk(leader, '/api/v1/joint-actions');
  assert.deepEqual(actions.map((a) => a.state).sort(), ['done', 'planned']);
  const meetings = await walk(leader, '/api/v1/joint-meetings');
  assert.equal(meetings.length, 1);
  const meeting = (await leader.get(`/api/v1/joint-meetings/${meetings[0].id}`)).data;
  assert.deepEqual(meeting.tasks.map((t) => t.state).sort(), ['done', 'open'], 'decisions as tasks with owners');
  const patrols = await walk(leader, '/api/v1/patrols');
  assert.ok(patrols.some((x) => x.state === 'reported') && patrols.some((x) => x.state === 'found') && patrols.some((x) => x.state === 'clear'));
  const rates = (await leader.get('/api/v1/patrols/rates?region=330303')).data;
  assert.ok(rates.grids.some((g) => g.below) && rates.grids.some((g) => !g.below), 'some grids under 98 %, some not');
  const events = await walk(leader, '/api/v1/opinion-events');
  assert.deepEqual(events.map((e) => e.state).sort(), ['closed', 'open']);
  assert.deepEqual(events.map((e) => e.kind).sort(), ['group_dispute', 'opinion']);
  demo(srv, 7); // a re-run adds none of them
  assert.equal((await walk(leader, '/api/v1/rewards')).length, 4);
  assert.equal((await walk(leader, '/api/v1/opinion-events')).length, 2);
  assert.equal((await walk(leader, '/api/v1/patrols')).length, patrols.length);
});

test('the same seed gives the same region in another database; another seed gives another', async () => {
  twin = new Server();
  demo(twin, 7);
  await twin.start();
  other = new Server();
  demo(other, 8);
  await other.start();
  const key = (i) => `${i.credit_code} ${i.name} ${i.type} ${i.region_code} ${i.licence_no}`;
  const pkey = (p) => `${p.certificate_no} ${p.name} ${p.birth_year} ${p.category} ${p.practice_type}`;
  const t = await signedIn(twin, 'leader');
  assert.deepEqual((await walk(t, '/api/v1/institutions')).map(key).sort(), cityInst.map(key).sort());
  assert.deepEqual((await walk(t, '/api/v1/practitioners')).map(pkey).sort(), cityPrac.map(pkey).sort());
  const o = await signedIn(other, 'leader');
  const otherCodes = new Set((await walk(o, '/api/v1/institutions')).map((i) => i.credit_code));
  const shared = cityInst.filter((i) => otherCodes.has(i.credit_code)).length;
  assert.ok(shared < 5, `seed 8 shares ${shared} credit codes with seed 7`);
});

test('bad options are refused with a Chinese message and nothing is written', () => {
  for (const args of [['--seed', '-3'], ['--seed', 'abc'], ['--scale', '0'], ['--scale', '11']]) {
    let err;
    try {
      execFileSync(BIN, ['demo', '--db', srv.db, '--keys', srv.keys, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) { err = e; }
    assert.ok(err, args.join(' '));
    assert.equal(err.status, 2);
    assert.match(String(err.stderr), /[\u4e00-\u9fa5]/);
  }
});

test('the demo has enforcement cases in every state, with their documents', async () => {
  const leader = await signedIn(srv, 'leader');
  const cases = await walk(leader, '/api/v1/cases');
  const states = new Set(cases.map((c) => c.state));
  // every state of docs/enforcement.md
  for (const s of ['filed', 'investigating', 'investigated', 'deliberated', 'legal_reviewed', 'discussed', 'notified',
    'hearing_requested', 'heard', 'decided', 'not_penalised', 'served', 'published', 'enforcing', 'paid', 'court_applied', 'closed',
    'transferred', 'suspended', 'revoked']) assert.ok(states.has(s), `a case in state ${s}: ${[...states]}`);
  const court = cases.find((c) => c.state === 'court_applied');
  const cdocs = (await leader.get(`/api/v1/cases/${court.id}/documents`)).data.items.map((d) => d.kind);
  assert.ok(cdocs.includes('payment_reminder') && cdocs.includes('court_application'), cdocs.join());
  // the newcomer's path: the demo inspector turns the demo's inspection finding into a clue
  const insp = await signedIn(srv, 'inspector');
  const tasks = await walk(insp, '/api/v1/inspection/tasks?state=completed');
  let finding;
  for (const t of tasks) {
    finding ??= (await insp.get(`/api/v1/inspection/tasks/${t.id}`)).data.findings?.[0];
    if (finding) break;
  }
  assert.ok(finding, 'a completed demo task has a finding');
  const clue = await insp.post('/api/v1/cases/clues', { source: 'inspection_finding', source_ref: finding.id });
  assert.equal(clue.status, 201, JSON.stringify(clue.data));
  const decided = cases.find((c) => c.state === 'published');
  assert.match(decided.decision_no, /^温鹿卫医罚〔\d{4}〕\d+号$/);
  const docs = await leader.get(`/api/v1/cases/${decided.id}/documents`);
  assert.ok(docs.data.items.some((d) => d.kind === 'penalty_decision' && d.number === decided.decision_no));
});

test('the demo\'s credit: subjects on every list and in every grade, points that add up to their sources', async () => {
  const leader = await signedIn(srv, 'leader');
  for (const list of ['red', 'black', 'serious']) {
    const r = await leader.get(`/api/v1/credit/lists/${list}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    assert.ok(r.data.items.some((e) => e.region_code.startsWith('330302') && e.entry_doc), `鹿城区 has a subject on the ${list} list`);
  }
  const model = (await leader.get('/api/v1/credit/rules')).data;
  const m = model.models.find((x) => x.active);
  assert.ok(m, 'an active model');
  const subjects = [...cityInst.filter((i) => i.region_code.startsWith('330302')).map((i) => ['institution', i.id]),
    ...cityPrac.filter((p) => p.region_code.startsWith('330302')).map((p) => ['practitioner', p.id])];
  const grades = new Set();
  let withPoints = 0;
  for (const [kind, id] of subjects) {
    const r = await leader.get(`/api/v1/credit/subjects/${id}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    const s = r.data;
    if (s.grade) {
      grades.add(s.grade.grade);
      // the score is the sum of its contributions from the full 100, within 0..100
      const sum = s.grade.contributions.reduce((t, c) => t + c.value, 100);
      assert.equal(s.grade.score, Math.max(0, Math.min(100, sum)), `${kind} ${id}: ${JSON.stringify(s.grade)}`);
      assert.equal(s.grade.grade, s.grade.score >= m.grade_a ? 'A' : s.grade.score >= m.grade_b ? 'B' : s.grade.score >= m.grade_c ? 'C' : 'D');
    }
    if (!s.points.length) continue;
    withPoints++;
    const byYear = {};
    for (const p of s.points) {
      assert.ok(p.source_doc, `${kind} ${id}: points ${p.id} cite their source document`);
      if (p.state !== 'void') byYear[p.cycle_year] = (byYear[p.cycle_year] ?? 0) + p.points;
      if (p.rule_code.startsWith('INS-PEN-')) {
        // a penalty's points: the decision is a penalty record of the subject, serious ones 6, others 2
        const rec = s.records.find((x) => x.category === 'penalty' && x.source_doc === p.source_doc);
        assert.ok(rec, `${kind} ${id}: ${p.source_doc} is one of its penalties`);
        assert.equal(p.points, rec.serious ? 6 : 2, `${p.source_doc}`);
      }
    }
    assert.deepEqual(s.points_by_year, byYear, `${kind} ${id}: totals by year`);
    // thresholds reached have their consequences (docs/credit.md): practitioners 9 and 12, institutions 12
    const total = Math.max(...Object.values(byYear));
    const cq = new Set(s.consequences.map((c) => c.consequence));
    if (kind === 'practitioner' && total >= 9) assert.ok(cq.has('insurance_suspended'), `${id}: ${[...cq]}`);
    if (kind === 'practitioner' && total >= 12) assert.ok(cq.has('insurance_terminated'), `${id}: ${[...cq]}`);
    if (kind === 'institution' && total >= 12)
      for (const c of ['grade_review_cancelled', 'insurance_designation_cancelled', 'key_specialty_barred']) assert.ok(cq.has(c), `${id}: ${c}`);
  }
  assert.deepEqual([...grades].sort(), ['A', 'B', 'C', 'D'], 'subjects of 鹿城区 in every grade');
  assert.ok(withPoints >= 8, `${withPoints} subjects with points`);
});

test('一户一档: the case, complaint and rectification lists filter by subject (?subject=), each in its own scope', async () => {
  const leader = await signedIn(srv, 'leader');
  const check = async (path, key, rows) => {
    const ids = [...new Set(rows.map(key).filter(Boolean))];
    assert.ok(ids.length > 0, `${path}: the demo has rows with a subject`);
    for (const id of ids.slice(0, 3)) {
      const mine = await walk(leader, `${path}?subject=${id}`);
      assert.deepEqual(mine.map((x) => x.id).sort(), rows.filter((x) => key(x) === id).map((x) => x.id).sort(), `${path}?subject=${id}`);
    }
    assert.equal((await walk(leader, `${path}?subject=1`)).length, 0, 'an unknown subject has none');
    const bad = await leader.get(`${path}?subject=abc`);
    assert.equal(bad.status, 400, JSON.stringify(bad.data));
    assert.match(bad.data.detail, /subject/);
  };
  await check('/api/v1/cases', (c) => c.subject_id, await walk(leader, '/api/v1/cases'));
  await check('/api/v1/complaints', (c) => c.subject_id, await walk(leader, '/api/v1/complaints'));
  await check('/api/v1/inspection/rectifications', (o) => o.subject_id, (await leader.get('/api/v1/inspection/rectifications')).data.items);
  // the export counts the same rows
  const c = (await walk(leader, '/api/v1/cases')).find((x) => x.subject_id);
  const n = await leader.get(`/api/v1/cases/export?format=count&subject=${c.subject_id}`);
  assert.equal(n.data.total, (await walk(leader, `/api/v1/cases?subject=${c.subject_id}`)).length);
  // the county inspector of 瑞安市 sees none of 鹿城区's
  const ra = await signedIn(srv, 'inspector2');
  const lu = (await walk(leader, '/api/v1/cases')).find((x) => x.subject_id && x.region_code?.startsWith('330302'));
  if (lu) assert.equal((await walk(ra, `/api/v1/cases?subject=${lu.subject_id}`)).length, 0);
});
