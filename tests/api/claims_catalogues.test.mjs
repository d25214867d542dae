// The catalogue versions page's API: GET /api/v1/claims/catalogues lists what `yijian rules import` wrote
// to the rule base serve loaded, newest first, the in-force version of each list marked (a later import of
// the same kind replaces the earlier), and the rule-set version, the SHA-256 every run records; roles apply.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Server, Client, isProblem, BIN } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let srv, analyst, leader, inspector, rules;

before(async () => {
  srv = new Server();
  rules = path.join(srv.dir, 'rules');
  mkdirSync(rules);
  for (const f of ['rules.csv', 'item_lists.csv']) copyFileSync(path.join(root, 'rules', f), path.join(rules, f));
  const price = path.join(srv.dir, 'price.csv'), drug = path.join(srv.dir, 'drug.csv');
  writeFileSync(price, 'item_code,item_name,unit,max_price\nXS201,X线计算机体层(CT)平扫,次,140.00\nXN000,特级护理,小时,8.00\n');
  const imp = (kind, file, version) => execFileSync(BIN, ['rules', 'import', '--kind', kind, '--file', file, '--rules', rules,
    '--version', version], { stdio: 'pipe' });
  imp('price', price, 'price-2026-01');
  writeFileSync(price, 'item_code,item_name,unit,max_price\nXS201,X线计算机体层(CT)平扫,次,150.00\nXN000,特级护理,小时,8.00\nXB001,床位费,日,50.00\n');
  imp('price', price, 'price-2026-03');
  writeFileSync(drug, 'item_code,item_name,sex\nXD701,前列腺素片,M\n');
  imp('drug', drug, 'drug-2026-03');
  srv.extra = ['--rules', rules];
  await srv.start();
  srv.addUser('wz.analyst', 'insurance_analyst', '330300', 'insurance');
  srv.addUser('wz.leader', 'leader', '330300', 'health');
  srv.addUser('lc.ins', 'inspector', '330302', 'health');
  analyst = new Client(srv.url); await analyst.signIn('wz.analyst');
  leader = new Client(srv.url); await leader.signIn('wz.leader');
  inspector = new Client(srv.url); await inspector.signIn('lc.ins');
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('the imported versions, newest first, the in-force ones marked, and the rule-set version', async () => {
  const r = await analyst.get('/api/v1/claims/catalogues');
  assert.equal(r.status, 200, JSON.stringify(r.data));
  // rows: the list rows written (an hourly or daily item also goes to the daily_cap list)
  const v = r.data.items.map((x) => [x.kind, x.version, x.rows, x.in_force]);
  assert.deepEqual(v, [['drug', 'drug-2026-03', 1, true], ['price', 'price-2026-03', 5, true], ['price', 'price-2026-01', 3, false]]);
  const p = r.data.items[1];
  assert.equal(p.file, 'price.csv');
  assert.match(p.sha256, /^[0-9a-f]{64}$/);
  assert.match(p.imported_on, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(p.lists.length >= 1 && p.lists.every((l) => typeof l === 'string' && l), JSON.stringify(p.lists));
  // the rule-set version: SHA-256 of rules.csv then item_lists.csv as serve loaded them
  const h = createHash('sha256');
  for (const f of ['rules.csv', 'item_lists.csv']) h.update(readFileSync(path.join(rules, f)));
  assert.equal(r.data.rule_set.sha256, h.digest('hex'));
  assert.ok(r.data.rule_set.rules > 0 && r.data.rule_set.enabled > 0 && r.data.rule_set.lists > 0, JSON.stringify(r.data.rule_set));
  // an import after serve started is listed but not in force until serve reloads the rule base
  const price = path.join(srv.dir, 'price.csv');
  execFileSync(BIN, ['rules', 'import', '--kind', 'price', '--file', price, '--rules', rules, '--version', 'price-2026-04'], { stdio: 'pipe' });
  const r2 = await analyst.get('/api/v1/claims/catalogues');
  assert.deepEqual(r2.data.items.slice(0, 2).map((x) => [x.version, x.in_force]), [['price-2026-04', false], ['drug-2026-03', true]]);
  assert.equal(r2.data.items.find((x) => x.version === 'price-2026-03').in_force, true);
});

test('roles: a leader reads it, an inspector does not', async () => {
  assert.equal((await leader.get('/api/v1/claims/catalogues')).status, 200);
  isProblem(assert, await inspector.get('/api/v1/claims/catalogues'), 403);
});

// The 规则库 tab's API: the rule base serve loaded, rule by rule, with each list's size and the catalogue
// version that filled it, and its export.
test('the rules of the rule base, each with its list, list version and basis, and their export', async () => {
  const r = await analyst.get('/api/v1/claims/rules');
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const lines = readFileSync(path.join(rules, 'rules.csv'), 'utf8').trim().split('\n');
  assert.equal(r.data.items.length, lines.length - 1);
  assert.equal(r.data.rule_set.rules, lines.length - 1);
  assert.equal(r.data.rule_set.sha256, (await analyst.get('/api/v1/claims/catalogues')).data.rule_set.sha256);
  const byId = Object.fromEntries(r.data.items.map((x) => [x.rule_id, x]));
  const price = byId['R-PRICE-01'];
  assert.equal(price.type, 'price_cap');
  assert.equal(price.result_type, 'definite');
  assert.equal(price.enabled, true);
  assert.equal(price.list, 'price_caps');
  assert.equal(price.list_version, 'price-2026-03'); // in force when serve started (price-2026-04 came later)
  assert.equal(price.list_items, 3);
  assert.ok(price.basis.length > 0 && price.name.length > 0, JSON.stringify(price));
  assert.equal(byId['R-AGE-CHILD'].params, 'max_age=13');
  assert.equal(byId['R-SEX-01'].list_version, 'drug-2026-03');
  assert.ok(r.data.items.some((x) => x.list === '' && x.list_version === '' && x.list_items === 0), 'a rule without a list');
  // the export holds the same rules under Chinese headers
  const csv = (await analyst.get('/api/v1/claims/rules/export?format=csv')).data.toString('utf8').replace(/^\uFEFF/, '');
  const rows = csv.replace(/"/g, '').trim().split(/\r?\n/); // every field is quoted
  assert.match(rows[0], /^规则编号,规则名称,规则类型,结果类型,启用,适用场景,时间窗口,参数,项目清单,清单条目,目录版本,依据/);
  assert.equal(rows.length, r.data.items.length + 1);
  assert.ok(rows.some((l) => l.startsWith('R-PRICE-01,') && l.includes(',明确,是,') && l.includes(',price_caps,3,price-2026-03,')), csv);
  const xlsx = await analyst.get('/api/v1/claims/rules/export');
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.data.subarray(0, 2).toString(), 'PK');
  assert.equal((await leader.get('/api/v1/claims/rules/export?format=count')).data.total, r.data.items.length);
  isProblem(assert, await inspector.get('/api/v1/claims/rules'), 403);
  isProblem(assert, await inspector.get('/api/v1/claims/rules/export?format=csv'), 403);
});
