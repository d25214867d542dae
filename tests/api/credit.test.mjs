// Credit supervision over HTTP (issue 12): points by hand with their source across a year end and
// the consequences they start; a subject's credit file; the black list by rule with entry and exit
// decisions; the joint-punishment check answering any department's liaison with restrictions only,
// each check audited; credit repair after the minimum period ending the publication at once (the
// 双公示 export and the public lookup no longer show it); the export as CSV, Excel and JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode, residentId } from './codes.mjs';

let srv, admin, leader, liaison, anon, inst, prac;
const CODE = creditCode('52330302', '41000001');

async function signedIn(name) {
  const c = new Client(srv.url);
  assert.equal((await c.signIn(name)).status, 200);
  return c;
}

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('cr.admin', 'admin', '330302');
  srv.addUser('cr.leader', 'leader', '330302');
  srv.addUser('cr.liaison', 'liaison', '330381', 'market'); // another department, another county
  admin = await signedIn('cr.admin');
  leader = await signedIn('cr.leader');
  liaison = await signedIn('cr.liaison');
  anon = new Client(srv.url);
  let r = await admin.post('/api/v1/institutions', { credit_code: CODE, name: '鹿城信用测试医院', type: 'clinic', level: 'none',
    ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  inst = r.data;
  r = await admin.post('/api/v1/practitioners', { name: '王医保', id_number: residentId('33030219800101001'), certificate_no: '110330302000123',
    category: 'physician', practice_type: 'clinical', institution_id: inst.id, insurance_physician: true });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  prac = r.data;
});
after(async () => { await srv.stop(); srv.cleanup(); });

const points = (subject, kind, rule, n, on, doc) => admin.post('/api/v1/credit/points',
  { subject_kind: kind, subject_id: subject.id, rule_code: rule, points: n, occurred_on: on, source_doc: doc });

test('points by hand count per natural year; 9 and 12 points start their consequences with start and end', async () => {
  let r = await points(prac, 'practitioner', 'MIP-B3', 8, '2025-11-03', '温鹿医保记〔2025〕1号');
  assert.equal(r.status, 201, JSON.stringify(r.data));
  r = await points(prac, 'practitioner', 'MIP-B1', 2, '2026-01-02', '温鹿医保记〔2026〕1号');
  assert.equal(r.status, 201);
  assert.equal(r.data.points_by_year['2025'], 8);
  assert.equal(r.data.points_by_year['2026'], 2);
  assert.equal(r.data.consequences.length, 0, 'the year end reset the count: 8 + 2 never made 9');
  r = await points(prac, 'practitioner', 'MIP-B1', 1, '2025-12-31', '温鹿医保记〔2025〕2号');
  const susp = r.data.consequences.find((c) => c.rule_code === 'PRA-9');
  assert.deepEqual([susp.starts_on, susp.ends_on, susp.consequence], ['2025-12-31', '2026-03-30', 'insurance_suspended']);
  for (const p of r.data.points) assert.ok(p.source_doc && p.clause, 'each entry names its document and clause');
  // out of band, unknown rule, no document, a future day: refused, nothing written
  const before = (await admin.get(`/api/v1/credit/subjects/${prac.id}`)).data.points.length;
  for (const [body, field] of [[{ points: 4 }, 'points'], [{ rule_code: 'NOPE' }, 'rule_code'], [{ source_doc: ' ' }, 'source_doc'],
    [{ occurred_on: '2099-01-01' }, 'occurred_on']]) {
    r = await admin.post('/api/v1/credit/points', { subject_kind: 'practitioner', subject_id: prac.id, rule_code: 'MIP-B1', points: 1,
      occurred_on: '2026-02-01', source_doc: '温鹿医保记〔2026〕9号', ...body });
    isProblem(assert, r, 422);
    assert.ok(r.data.errors.some((e) => e.field === field && /[\u4e00-\u9fa5]/.test(e.detail)), JSON.stringify(r.data));
  }
  assert.equal((await admin.get(`/api/v1/credit/subjects/${prac.id}`)).data.points.length, before);
  // the check: insurance payment in 2026-03 is restricted by the suspension, with its end date
  r = await liaison.get(`/api/v1/credit/check?subject=${prac.certificate_no}&decision=insurance_payment`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  assert.equal(r.data.allowed, today > '2026-03-30');
});

test('the black list by rule: entry needs its condition and a document; the check restricts until exit', async () => {
  let r = await leader.post('/api/v1/credit/lists/black/entries', { subject_kind: 'institution', subject_id: inst.id,
    rule_code: 'BLACK-SER', entry_doc: '温鹿卫信〔2026〕1号' });
  isProblem(assert, r, 422); // no serious penalty yet
  assert.match(r.data.detail, /列入条件/);
  r = await admin.post('/api/v1/credit/records', { subject_kind: 'institution', subject_id: inst.id, category: 'penalty',
    title: '超范围执业', source_doc: '温鹿卫医罚〔2026〕7号', occurred_on: '2026-01-10', serious: true, penalty_kinds: ['fine'],
    fine_fen: 3000000 });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  r = await leader.post('/api/v1/credit/lists/black/entries', { subject_kind: 'institution', subject_id: inst.id,
    rule_code: 'BLACK-SER', entry_doc: '温鹿卫信〔2026〕1号' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const entry = r.data;
  // again, the subject named by its credit code as the console's form sends it: already listed
  isProblem(assert, await leader.post('/api/v1/credit/lists/black/entries', { subject_kind: 'institution', subject_id: CODE,
    rule_code: 'BLACK-SER', entry_doc: '温鹿卫信〔2026〕2号' }), 409);
  r = await leader.post('/api/v1/credit/lists/black/entries', { subject_kind: 'practitioner', subject_id: CODE,
    rule_code: 'BLACK-PRA', entry_doc: '温鹿卫信〔2026〕2号' });
  isProblem(assert, r, 422); // an institution's code is no practitioner
  assert.ok(r.data.errors.some((e) => e.field === 'subject_id'), JSON.stringify(r.data));
  r = await leader.get('/api/v1/credit/lists/black');
  assert.ok(r.data.items.some((e) => e.id === entry.id && e.publish_until === entry.publish_until));
  // the list's export holds what it lists: its count and a CSV row per entry, with the 列入决定书
  assert.deepEqual((await leader.get('/api/v1/credit/lists/black/export?format=count')).data, { total: r.data.items.length });
  const csv = (await leader.get('/api/v1/credit/lists/black/export?format=csv')).data.toString('utf8');
  assert.equal(csv.split('\r\n').filter(Boolean).length, r.data.items.length + 1);
  assert.ok(csv.includes('温鹿卫信〔2026〕1号'), csv.slice(0, 300));
  assert.equal((await leader.get('/api/v1/credit/lists/grey/export?format=count')).status, 404);
  // another department's liaison: the answer and its reasons, nothing else of the record
  const audit0 = (await admin.get(`/api/v1/audit/leaves?object_type=institution&object_id=${inst.id}&limit=200`)).data.items.length;
  r = await liaison.get(`/api/v1/credit/check?subject=${CODE}&decision=grade_review`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.allowed, false);
  const rules = r.data.restrictions.map((x) => x.rule);
  assert.ok(rules.includes('L-BLACK-GRADE'), JSON.stringify(r.data));
  const black = r.data.restrictions.find((x) => x.rule === 'L-BLACK-GRADE');
  assert.equal(black.source, '温鹿卫信〔2026〕1号');
  assert.equal(black.ends_on, entry.publish_until);
  assert.deepEqual(Object.keys(r.data).sort(), ['allowed', 'checked_on', 'decision', 'restrictions', 'subject_id', 'subject_kind']);
  const audit1 = (await admin.get(`/api/v1/audit/leaves?object_type=institution&object_id=${inst.id}&limit=200`)).data.items;
  assert.equal(audit1.length, audit0 + 1);
  assert.equal(audit1[0].action, 'credit.check');
  isProblem(assert, await liaison.get(`/api/v1/credit/subjects/${inst.id}`), 403);
  isProblem(assert, await liaison.get('/api/v1/credit/check?subject=91330302NOSUCH0000&decision=grade_review'), 404);
  isProblem(assert, await liaison.get(`/api/v1/credit/check?subject=${CODE}&decision=moon_landing`), 422);
  isProblem(assert, await liaison.get(`/api/v1/credit/check?subject=${CODE}&decision=title_promotion`), 422); // a practitioner's
  r = await leader.post(`/api/v1/credit/list-entries/${entry.id}/exit`, { exit_doc: '温鹿卫信〔2026〕3号' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  r = await liaison.get(`/api/v1/credit/check?subject=${CODE}&decision=institution_award`);
  assert.ok(!r.data.restrictions.some((x) => x.rule === 'L-BLACK-AWARD'));
});

test('repair: refused before the minimum period; approved after it, the publication ends that day', async () => {
  let f = (await admin.post('/api/v1/credit/records', { subject_kind: 'institution', subject_id: inst.id, category: 'penalty',
    title: '未按规定处置医疗废物', source_doc: '温鹿卫医罚〔2025〕3号', occurred_on: '2025-01-06', penalty_kinds: ['warning', 'fine'],
    fine_fen: 500000 })).data;
  const old = f.records.find((x) => x.source_doc === '温鹿卫医罚〔2025〕3号');
  assert.equal(old.disclose_until, '2028-01-05'); // the longest maximum (3 years) of its kinds
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  f = (await admin.post('/api/v1/credit/records', { subject_kind: 'institution', subject_id: inst.id, category: 'penalty',
    title: '未按规定公示', source_doc: '温鹿卫医罚〔2026〕20号', occurred_on: today, penalty_kinds: ['fine'] })).data;
  const fresh = f.records.find((x) => x.source_doc === '温鹿卫医罚〔2026〕20号');
  let r = await admin.post(`/api/v1/credit/records/${fresh.id}/repairs`, { commitment: '守信承诺', evidence: '罚款已缴纳' });
  isProblem(assert, r, 422);
  assert.match(r.data.detail, /最短公示期为 3 个月/);
  isProblem(assert, await admin.post(`/api/v1/credit/records/${old.id}/repairs`, { commitment: ' ', evidence: '罚款已缴纳' }), 422);
  r = await admin.post(`/api/v1/credit/records/${old.id}/repairs`, { commitment: '守信承诺', evidence: '罚款已缴纳，整改报告' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  let csv = (await admin.get('/api/v1/credit/export/shuanggongshi?kind=penalty&format=csv')).data.toString('utf8');
  assert.ok(csv.includes('温鹿卫医罚〔2025〕3号'));
  assert.ok(csv.includes('行政处罚决定书文号') && csv.includes('公示截止期'));
  assert.ok(csv.includes('0.500000'), 'fine in 10,000 yuan');
  const repairId = r.data.id;
  // the repairs' export and count: the list's filter
  for (const q of ['', 'state=applied', 'state=approved']) {
    const lr = await admin.get(`/api/v1/credit/repairs?${q && q + '&'}limit=200`);
    assert.equal(lr.status, 200, JSON.stringify(lr.data));
    const all = lr.data.items;
    assert.deepEqual((await admin.get(`/api/v1/credit/repairs/export?${q && q + '&'}format=count`)).data, { total: all.length }, q);
    const lines = (await admin.get(`/api/v1/credit/repairs/export?${q && q + '&'}format=csv`)).data.toString('utf8').split('\r\n').filter(Boolean);
    assert.equal(lines.length, all.length + 1, q);
    assert.equal(lines.some((l) => l.includes(repairId)), q !== 'state=approved', q);
  }
  r = await leader.post(`/api/v1/credit/repairs/${r.data.id}/decision`, { result: 'approve', reason: '已纠正失信行为' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const file = (await admin.get(`/api/v1/credit/subjects/${inst.id}`)).data;
  const rec = file.records.find((x) => x.id === old.id);
  assert.deepEqual([rec.state, rec.ended_on], ['repaired', today]);
  csv = (await admin.get('/api/v1/credit/export/shuanggongshi?kind=penalty&format=csv')).data.toString('utf8');
  assert.ok(!csv.includes('温鹿卫医罚〔2025〕3号'));
  const json = (await admin.get('/api/v1/credit/export/shuanggongshi?kind=penalty&format=json')).data;
  assert.ok(json.items.every((x) => x.cf_gsjzq >= today && x.cf_xdr_shxym === CODE));
  const xlsx = await admin.get('/api/v1/credit/export/shuanggongshi?kind=licence&format=xlsx');
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.data.subarray(0, 2).toString(), 'PK');
  isProblem(assert, await admin.get('/api/v1/credit/export/shuanggongshi?kind=penalty&format=pdf'), 400);
  // the public lookup: by code, grade and penalties in publication only
  r = await anon.get(`/api/v1/public/credit?q=${CODE}`);
  assert.equal(r.status, 200);
  assert.equal(r.data.items.length, 1);
  assert.ok(!r.data.items[0].penalties.some((p) => p.decision_no === '温鹿卫医罚〔2025〕3号'));
  assert.ok(r.data.items[0].penalties.some((p) => p.decision_no === '温鹿卫医罚〔2026〕20号'));
  r = await anon.get(`/api/v1/public/credit?q=${encodeURIComponent('信用测试')}`);
  assert.ok(r.data.items.some((x) => x.credit_code === CODE));
  isProblem(assert, await anon.get('/api/v1/public/credit?q=x'), 400);
});

test('evaluation on demand: grade with each indicator\'s contribution and the model version', async () => {
  const r = await admin.post(`/api/v1/credit/subjects/${inst.id}/evaluate`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const g = r.data.grade;
  assert.equal(g.model_version, 1);
  assert.match(g.grade, /^[ABCD]$/);
  assert.equal(100 + g.contributions.reduce((s, c) => s + c.value, 0), g.score);
  const rules = (await liaison.get('/api/v1/credit/rules')).data;
  assert.ok(rules.indicators.length >= 5 && rules.linkage.length >= 10 && rules.repair_periods.length >= 3);
});

test('the outbox pushes list entries signed to a department, retried until it answers, and as files; a target only those after its subscription', async () => {
  const { createServer } = await import('node:http');
  const { createPublicKey, verify } = await import('node:crypto');
  const { mkdtempSync, readdirSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = (await import('node:path')).default;
  const got = [];
  let calls = 0;
  const recv = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      calls++;
      got.push({ body, sig: req.headers['x-yijian-signature'], key: req.headers['x-yijian-key'], event: req.headers['x-yijian-event'] });
      res.writeHead(calls === 1 ? 503 : 200).end(); // the first attempt fails: the outbox retries
    });
  });
  await new Promise((r) => recv.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(path.join(tmpdir(), 'credit-outbox-'));
  let r = await admin.post('/api/v1/credit/outbox/targets', { department: 'market', url: `http://127.0.0.1:${recv.address().port}/credit`,
    region_code: '330302' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const market = r.data.id;
  r = await admin.post('/api/v1/credit/outbox/targets', { department: 'province', url: `file://${dir}`, region_code: '330302' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  isProblem(assert, await admin.post('/api/v1/credit/outbox/targets', { department: 'x', url: 'ftp://x', region_code: '330302' }), 422);
  r = await leader.post('/api/v1/credit/lists/black/entries', { subject_kind: 'institution', subject_id: inst.id,
    rule_code: 'BLACK-SER', entry_doc: '温鹿卫信〔2026〕8号' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const entry = r.data;
  // Until n deliveries are there, each delivered (a 503 is retried a second later, by the job of every second).
  const delivered = async (n) => {
    let items = [];
    for (let i = 0; i < 600; i++) {
      items = (await admin.get('/api/v1/credit/outbox?limit=200')).data.items;
      if (items.length >= n && items.every((x) => x.state === 'delivered')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    return items;
  };
  // The entry's event, to each target, and nothing else: the list events of the tests above came before the
  // targets, however late the subscriber got to them (on a loaded machine, after the targets were added).
  let items = await delivered(2);
  assert.equal(items.length, 2, JSON.stringify(items));
  assert.ok(items.every((x) => x.state === 'delivered' && x.body.type === 'credit.list_entered'), JSON.stringify(items));
  assert.equal(items[0].body.event_id, items[1].body.event_id, JSON.stringify(items));
  const http = items.find((x) => x.target_id === market);
  assert.ok(http && http.last_status === 200, JSON.stringify(items));
  assert.ok(http.attempts >= 2, 'the 503 was retried');
  assert.equal(http.body.name, '鹿城信用测试医院');
  assert.equal(http.body.code, CODE);
  const key = (await anon.get('/api/v1/public/credit-key')).data.public_key;
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(key, 'hex')]);
  const pub = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const last = got[got.length - 1];
  assert.equal(last.event, http.body.event_id);
  assert.equal(last.key, key);
  assert.ok(verify(null, Buffer.from(last.body), pub, Buffer.from(last.sig, 'hex')), 'the body verifies under the published key');
  assert.ok(!verify(null, Buffer.from(last.body.replace('black', 'red')), pub, Buffer.from(last.sig, 'hex')));
  // the same body, with its signature, in the directory
  const files = readdirSync(dir);
  assert.deepEqual(files.sort(), [`${last.event}.json`, `${last.event}.json.sig`]);
  assert.equal(readFileSync(path.join(dir, `${last.event}.json`), 'utf8'), last.body);
  assert.equal(readFileSync(path.join(dir, `${last.event}.json.sig`), 'utf8'), last.sig);

  // The entry's exit, and at once a third target: the subscriber (every second) gets to the exit after that
  // target is there, but the exit came first and reaches the first two only.
  r = await leader.post(`/api/v1/credit/list-entries/${entry.id}/exit`, { exit_doc: '温鹿卫信〔2026〕9号' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  await new Promise((res) => setTimeout(res, 2)); // the times compare in milliseconds
  const dir2 = mkdtempSync(path.join(tmpdir(), 'credit-outbox-'));
  r = await admin.post('/api/v1/credit/outbox/targets', { department: 'late', url: `file://${dir2}`, region_code: '330302' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const late = r.data.id;
  items = await delivered(4);
  recv.close();
  assert.ok(!items.some((x) => x.target_id === late), `a target got an event from before its subscription: ${JSON.stringify(items)}`);
  const exits = items.filter((x) => x.body.type === 'credit.list_exited');
  assert.deepEqual(exits.map((x) => x.state), ['delivered', 'delivered'], JSON.stringify(items));
  assert.deepEqual(readdirSync(dir2), []);
});

test('appeal (申辩) and its decision: an accepted appeal voids the points and drops them from the year', async () => {
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  let r = await points(prac, 'practitioner', 'MIP-B1', 1, today, '温鹿医保记〔2026〕申1号');
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const year = today.slice(0, 4), total = r.data.points_by_year[year];
  const p = r.data.points.find((x) => x.source_doc === '温鹿医保记〔2026〕申1号');
  r = await leader.post(`/api/v1/credit/points/${p.id}/appeal-decision`, { result: 'accepted', reason: '无申辩' });
  assert.equal(r.status, 409, 'no appeal to decide yet');
  r = await admin.post(`/api/v1/credit/points/${p.id}/appeal`, { reason: '当日已整改，情节轻微' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.state, 'appealed');
  r = await leader.post(`/api/v1/credit/points/${p.id}/appeal-decision`, { result: 'accepted', reason: '申辩成立' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.deepEqual([r.data.state, r.data.appeal_result], ['void', 'accepted']);
  const f = (await admin.get(`/api/v1/credit/subjects/${prac.id}`)).data;
  const q = f.points.find((x) => x.id === p.id);
  assert.deepEqual([q.state, q.appeal_result], ['void', 'accepted']);
  assert.equal(f.points_by_year[year] ?? 0, total - 1, 'the voided point no longer counts');
});
