// The real-time check (POST /api/v1/claims/check): a clean claim passes; one positive for every rule
// the check runs — line rules on the claim alone, day, admission and month rules against the history
// recorded by earlier checks ("record": true), registry and death-register rules with the files given
// to `serve`; bad input is problem+json and records nothing; only analysts and admins may call it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, isProblem } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const INST = '91330302MA0000001A'; // registered, Wenzhou, departments 03 and 07
const FAR = '91110101MA0000002B';  // registered, Beijing
let srv, analyst, inspector;

before(async () => {
  srv = new Server();
  const reg = path.join(srv.dir, 'registry');
  mkdirSync(reg);
  writeFileSync(path.join(reg, 'institutions.csv'),
    `institution_code,name,lat,lon,depts\n${INST},合成医院甲,28.00,120.65,03|07\n${FAR},合成医院乙,39.90,116.40,03\n`);
  writeFileSync(path.join(reg, 'physicians.csv'),
    `physician_id,institution_code,category,depts\nD1,${INST},临床,03|07\nD9,${FAR},临床,03\n`);
  writeFileSync(path.join(srv.dir, 'deaths.csv'), 'patient_id,death_date\nP-DEAD,2026-01-01\n');
  srv.extra = ['--rules', path.join(root, 'rules'), '--claims-registry', reg, '--claims-deaths',
    path.join(srv.dir, 'deaths.csv')];
  await srv.start();
  srv.addUser('wz.analyst', 'insurance_analyst', '330300', 'insurance');
  srv.addUser('lc.ins', 'inspector', '330302', 'health');
  analyst = new Client(srv.url); await analyst.signIn('wz.analyst');
  inspector = new Client(srv.url); await inspector.signIn('lc.ins');
});
after(async () => { await srv.stop(); srv.cleanup(); });

let seq = 0;
const line = (o = {}) => ({ line_no: 1, service_date: '2026-03-10', item_code: 'XD900', item_name: '阿莫西林胶囊',
  item_type: 'drug', quantity: 1, unit_price: '12.50', amount: '12.50', days_supply: 5, ...o });
const claim = (o = {}, lines = [line()]) => ({ claim_id: `K${++seq}`, patient_id: `P${seq}`, sex: 'M',
  birth_date: '1980-05-01', institution_code: INST, physician_id: 'D1', dept_code: '03', visit_type: 'O',
  diagnosis: 'J06.9', lines: lines.map((l, i) => ({ line_no: i + 1, ...l })), ...o });
// An inpatient claim with a treatment drug every day (so no idle-bed or check-up admission).
const stay = (admit, discharge, extra = [], o = {}) => {
  const days = [];
  for (let d = new Date(admit); d <= new Date(discharge); d.setUTCDate(d.getUTCDate() + 1))
    days.push(line({ service_date: d.toISOString().slice(0, 10), item_code: 'XD910', item_name: '头孢曲松钠' }));
  return claim({ visit_type: 'I', admit_date: admit, discharge_date: discharge, diagnosis: 'K35.8', ...o },
    [...days, ...extra]);
};

async function check(body, client = analyst) {
  const r = await client.post('/api/v1/claims/check', body);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data;
}
const ruleIds = (d) => d.flags.map((f) => f.rule_id).sort();

test('a clean claim passes; every rule the check cannot run is named', async () => {
  const d = await check(claim());
  assert.equal(d.result, 'pass', JSON.stringify(d.flags));
  assert.deepEqual(d.flags, []);
  assert.equal(d.history_claims, 0);
  // key_drug compares an institution's monthly totals: batch screening only
  assert.deepEqual(d.not_checked.map((x) => x.rule_id).sort(), ['R-KEY-GROWTH', 'R-KEY-TOP']);
  assert.ok(d.not_checked.every((x) => /批量/.test(x.reason)));
});

test('line and claim rules on the claim alone', async () => {
  const cases = [
    ['R-SEX-01', claim({}, [line({ item_code: 'XS103', item_name: '宫颈细胞学检查', item_type: 'service' })])],
    ['R-AGE-CHILD', claim({}, [line({ item_code: 'XD102', item_name: '小儿氨酚黄那敏颗粒' })])],
    ['R-AGE-ADULT', claim({ birth_date: '2016-01-01' }, [line({ item_code: 'XD103', item_name: '左氧氟沙星片' })])],
    ['R-PRICE-01', claim({}, [line({ item_code: 'XS201', item_name: 'CT平扫', item_type: 'service', unit_price: '200.00', amount: '200.00', days_supply: null })])],
    ['R-DUP-01', claim({}, [line(), line()])],
    ['R-DAYS-O', claim({}, [line({ days_supply: 10 })])],
    ['R-DAYS-E', claim({ visit_type: 'E' }, [line({ days_supply: 5 })])],
    ['R-DAYS-NARC', claim({}, [line({ item_code: 'XD201', item_name: '盐酸吗啡片', days_supply: 5 })])],
    ['R-DIAG-01', claim({}, [line({ item_code: 'XD301', item_name: '人血白蛋白注射液' })])],
    ['R-BIGRX-01', claim({}, [line({ quantity: 10, unit_price: '150.00', amount: '1500.00' })])],
    ['R-SPLIT-01', claim({}, [line({ item_code: 'XS511', item_name: '血细胞分析', item_type: 'service' }),
      line({ item_code: 'XS512', item_name: '白细胞计数', item_type: 'service' })])],
    ['R-HVC-01', claim({}, [line({ item_code: 'XM604', item_name: '人工晶状体', item_type: 'material', unit_price: '3000.00', amount: '3000.00', days_supply: null })])],
    ['R-CARDID-01', claim({}, [line({ item_code: 'XS801', item_name: '乳腺彩色多普勒超声检查', item_type: 'service' })])],
    ['R-PHYS-01', claim({ physician_id: 'D7' })],
    ['R-DEPT-01', claim({ dept_code: '15', physician_id: 'D7' })],
    ['R-DEATH-01', claim({ patient_id: 'P-DEAD' })],
  ];
  for (const [rule, body] of cases) {
    const d = await check(body);
    assert.equal(d.result, 'flag', rule);
    assert.ok(d.flags.some((f) => f.rule_id === rule), `${rule}: ${JSON.stringify(d.flags)}`);
    const f = d.flags.find((x) => x.rule_id === rule);
    assert.ok(/[\u4e00-\u9fa5]/.test(f.message) && f.basis.length > 0, rule);
    assert.ok(f.line_nos.length >= 1 && /^\d+\.\d\d$/.test(f.amount_yuan), rule);
  }
});

test('inpatient day and admission rules', async () => {
  const bed = (date, qty = 1) => line({ service_date: date, item_code: 'XB001', item_name: '床位费', item_type: 'service', quantity: qty, unit_price: '40.00', amount: (40 * qty).toFixed(2), days_supply: null });
  const nurse = (date, code) => line({ service_date: date, item_code: code, item_name: '护理', item_type: 'service', unit_price: '28.00', amount: '28.00', days_supply: null });
  let d = await check(stay('2026-03-10', '2026-03-12', [bed('2026-03-10', 2)]));
  assert.ok(ruleIds(d).includes('R-DAILY-01'), JSON.stringify(d.flags));
  d = await check(stay('2026-03-10', '2026-03-12', [nurse('2026-03-11', 'XN001'), nurse('2026-03-11', 'XN002')]));
  assert.ok(ruleIds(d).includes('R-EXCL-01'), JSON.stringify(d.flags));
  // idle bed: five days of bed only
  const idle = claim({ visit_type: 'I', admit_date: '2026-03-01', discharge_date: '2026-03-08', diagnosis: 'K35.8' },
    [line({ service_date: '2026-03-01', item_code: 'XD910' }), ...['02', '03', '04', '05', '06'].map((x) => bed(`2026-03-${x}`)),
      line({ service_date: '2026-03-07', item_code: 'XD910' }), line({ service_date: '2026-03-08', item_code: 'XD910' })]);
  d = await check(idle);
  assert.ok(ruleIds(d).includes('R-IDLE-03'), JSON.stringify(d.flags));
  // check-up admission: examinations and bed only
  const exam = (code, date) => line({ service_date: date, item_code: code, item_name: '检查', item_type: 'service', unit_price: '50.00', amount: '50.00', days_supply: null });
  d = await check(claim({ visit_type: 'I', admit_date: '2026-03-01', discharge_date: '2026-03-03' },
    [exam('XS701', '2026-03-01'), exam('XS702', '2026-03-02'), exam('XS703', '2026-03-03'), bed('2026-03-01'), bed('2026-03-02')]));
  assert.ok(ruleIds(d).includes('R-CHECKUP-01'), JSON.stringify(d.flags));
});

test('history rules: the recorded claims of the patient count, a re-check of the same claim does not', async () => {
  // readmission: a stay recorded, then the same diagnosis 7 days after discharge
  const first = stay('2026-03-01', '2026-03-05', [], { patient_id: 'P-RE' });
  let d = await check({ ...first, record: true });
  assert.equal(d.result, 'pass', JSON.stringify(d.flags));
  assert.equal(d.recorded, true);
  d = await check({ ...first, record: true }); // the same claim again: not its own history
  assert.equal(d.history_claims, 0);
  d = await check(stay('2026-03-12', '2026-03-14', [], { patient_id: 'P-RE' }));
  assert.equal(d.history_claims, 1);
  assert.ok(ruleIds(d).includes('R-READMIT-15'), JSON.stringify(d.flags));
  // outpatient during a recorded stay
  d = await check(claim({ patient_id: 'P-RE' }, [line({ service_date: '2026-03-03' })]));
  assert.ok(ruleIds(d).includes('R-OUTIN-01'), JSON.stringify(d.flags));
  // a big prescription split over two same-day claims
  const rx = (o) => claim({ patient_id: 'P-RX', ...o }, [line({ quantity: 4, unit_price: '150.00', amount: '600.00' })]);
  assert.equal((await check({ ...rx(), record: true })).result, 'pass');
  d = await check(rx());
  assert.ok(ruleIds(d).includes('R-RXSPLIT-01'), JSON.stringify(d.flags));
  // the same card at a far institution on the same day
  await check({ ...claim({ patient_id: 'P-CARD' }), record: true });
  d = await check(claim({ patient_id: 'P-CARD', institution_code: FAR, physician_id: 'D9' }));
  assert.ok(ruleIds(d).includes('R-CARD-01'), JSON.stringify(d.flags));
  // five institutions in a month
  for (let i = 1; i <= 4; i++)
    await check({ ...claim({ patient_id: 'P-INSTS', institution_code: `91330302MA00000${i}0X`, physician_id: 'D7' },
      [line({ service_date: `2026-03-0${i}` })]), record: true });
  d = await check(claim({ patient_id: 'P-INSTS' }, [line({ service_date: '2026-03-09' })]));
  assert.equal(d.history_claims, 4);
  assert.ok(ruleIds(d).includes('R-CARDINST-01'), JSON.stringify(d.flags));
  // another patient sees none of it
  assert.equal((await check(claim())).result, 'pass');
});

test('bad input is problem+json naming the field, and records nothing', async () => {
  let r = await analyst.post('/api/v1/claims/check', { ...claim({}, []), record: true });
  isProblem(assert, r, 422);
  assert.ok(r.data.errors.some((e) => e.field === 'lines'));
  const bad = claim({ patient_id: 'P-BAD' }, [line(), line({ unit_price: 'abc' }), line({ service_date: '2026-02-30' })]);
  r = await analyst.post('/api/v1/claims/check', { ...bad, record: true });
  isProblem(assert, r, 422);
  const fields = r.data.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['lines[1].unit_price', 'lines[2].service_date'], JSON.stringify(r.data.errors));
  r = await analyst.post('/api/v1/claims/check', { ...claim(), sex: 'X' });
  isProblem(assert, r, 422);
  assert.ok(r.data.errors.some((e) => e.field === 'sex'));
  r = await analyst.post('/api/v1/claims/check', { ...claim(), lines: 'x' });
  assert.ok(r.status === 400 || r.status === 422);
  // nothing of P-BAD was recorded: a clean claim of P-BAD has no history
  const d = await check(claim({ patient_id: 'P-BAD' }));
  assert.equal(d.history_claims, 0);
  // an inspector may not call it
  r = await inspector.post('/api/v1/claims/check', claim());
  isProblem(assert, r, 403);
});
