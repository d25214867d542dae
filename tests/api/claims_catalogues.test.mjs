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
