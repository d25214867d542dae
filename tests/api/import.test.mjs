// CSV import (导入) of institutions and practitioners: `yijian import` exit codes and its
// "第 N 行 第 M 列" lines on stderr, GBK files, all-or-nothing and --skip-invalid, idempotent
// re-imports, and POST /api/v1/import/{kind}: dry runs, media type, roles, refused files, and
// territory (a county inspector importing a neighbour county's row gets a row error, nothing written);
// licences: issue with their own numbers, public verification, re-import writing no event or leaf, GBK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, BIN, isProblem } from './harness.mjs';
import { creditCode, residentId } from './codes.mjs';

let srv, admin, lc, leader;
const HEADER = '统一社会信用代码,机构名称,机构类别,级别,举办主体,经营性质,行政区划,核定床位';
const code = (county, n) => creditCode('12' + county, String(20000000 + n));
const row = (county, n, name = `导入测试医院${n}`, beds = 10) =>
  [code(county, n), name, '综合医院', '二级', '公立', '非营利性', county, beds].join(',');
const csv = (...rows) => [HEADER, ...rows].join('\r\n') + '\r\n';

// Runs `yijian import`; returns {status, stdout, stderr} whatever the exit status.
function importCli(kind, file, ...flags) {
  const r = spawnSync(BIN, ['import', kind, file, '--db', srv.db, '--keys', srv.keys, ...flags], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name, content) {
  const p = path.join(srv.dir, name);
  writeFileSync(p, content);
  return p;
}

async function count(client, query = '') {
  const r = await client.get('/api/v1/institutions?limit=200' + query);
  assert.equal(r.status, 200);
  return r.data.items.length;
}

const postCsv = (client, url, body, type = 'text/csv') => client.req('POST', url, body, { 'content-type': type });

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('imp.admin', 'admin', '330300');
  srv.addUser('lc.ins', 'inspector', '330302');
  srv.addUser('wz.leader', 'leader', '330300');
  admin = new Client(srv.url); await admin.signIn('imp.admin');
  lc = new Client(srv.url); await lc.signIn('lc.ins');
  leader = new Client(srv.url); await leader.signIn('wz.leader');
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('cli: one bad row refuses the file, naming row and column; nothing is written', async () => {
  const bad = code('330302', 2).slice(0, 17) + (code('330302', 2)[17] === '0' ? '1' : '0');
  const f = file('bad.csv', csv(row('330302', 1), [bad, '乙医院', '综合医院', '二级', '公立', '非营利性', '330302', 5].join(','),
    row('330302', 3, '丙医院', 'abc')));
  const r = importCli('institutions', f);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('第 '));
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0], /^第 3 行 第 1 列（统一社会信用代码）：.*校验位/);
  assert.match(lines[1], /^第 4 行 第 8 列（核定床位）：/);
  assert.equal(await count(admin), 0);

  const s = importCli('institutions', f, '--skip-invalid');
  assert.equal(s.status, 1, 'still 1: not every row was accepted');
  assert.match(s.stdout, /新增 1/);
  assert.equal(await count(admin), 1);
});

test('cli: a valid file exits 0; importing it again changes nothing', async () => {
  const f = file('good.csv', csv(row('330302', 1), row('330302', 4), row('330303', 5)));
  const r = importCli('institutions', f);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /新增 2，更新 0，未变 1/);
  const again = importCli('institutions', f);
  assert.equal(again.status, 0);
  assert.match(again.stdout, /新增 0，更新 0，未变 3/);
  const list = await admin.get('/api/v1/institutions?limit=200&credit_code=' + code('330302', 4));
  const hist = await admin.get(`/api/v1/institutions/${list.data.items[0].id}/history`);
  assert.equal(hist.data.items.length, 1, 'no new version');
  const dry = importCli('institutions', file('dry.csv', csv(row('330302', 6))), '--dry-run');
  assert.equal(dry.status, 0);
  assert.match(dry.stdout, /试运行/);
  assert.equal(await count(admin), 3);
});

test('cli: a GBK file is read and said so; undecodable bytes are refused with row and column', async () => {
  const utf8 = file('u.csv', csv(row('330302', 7, '鹿城卫生院')));
  const gbk = path.join(srv.dir, 'g.csv');
  execFileSync('sh', ['-c', `iconv -f UTF-8 -t GBK '${utf8}' > '${gbk}'`]);
  const r = importCli('institutions', gbk);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /GBK/);
  assert.equal((await admin.get('/api/v1/institutions?q=' + encodeURIComponent('鹿城卫生院'))).data.items.length, 1);
  const junk = file('junk.csv', Buffer.concat([Buffer.from(HEADER + '\n'), Buffer.from([0x41, 0x2c, 0xff, 0xfe, 0x0a])]));
  const j = importCli('institutions', junk);
  assert.equal(j.status, 1, j.stderr);
  assert.match(j.stderr, /第 2 行第 2 列.*CSV UTF-8/);
  assert.equal(importCli('nonsense', junk).status, 2);
});

test('api: dry run reports, the real run writes, a re-run changes nothing', async () => {
  const body = csv(row('330302', 10), row('330303', 11));
  const before = await count(admin);
  const d = await postCsv(admin, '/api/v1/import/institutions?dry_run=true', body);
  assert.equal(d.status, 200, JSON.stringify(d.data));
  assert.equal(d.data.dry_run, true);
  assert.equal(d.data.written, false);
  assert.equal(d.data.inserted, 2);
  assert.equal(await count(admin), before);
  const w = await postCsv(admin, '/api/v1/import/institutions', body);
  assert.equal(w.data.written, true);
  assert.equal(w.data.inserted, 2);
  assert.equal(w.data.encoding, 'UTF-8');
  assert.match(w.data.sha256, /^[0-9a-f]{64}$/);
  const again = await postCsv(admin, '/api/v1/import/institutions', body);
  assert.deepEqual([again.data.inserted, again.data.updated, again.data.unchanged], [0, 0, 2]);
  assert.equal(await count(admin), before + 2);
});

test('api: a county inspector importing a neighbour county row gets a row error and nothing is written', async () => {
  const mine = await count(lc);
  const r = await postCsv(lc, '/api/v1/import/institutions', csv(row('330302', 20), row('330303', 21)));
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.invalid, 1);
  assert.equal(r.data.written, false);
  assert.deepEqual([r.data.errors[0].row, r.data.errors[0].column, r.data.errors[0].field], [3, 7, 'region_code']);
  assert.match(r.data.errors[0].detail, /管辖范围/);
  assert.equal(await count(lc), mine);
  // A record registered in the neighbour county cannot be changed by importing its code either.
  const n = await postCsv(lc, '/api/v1/import/institutions', csv(row('330303', 11, '改名')));
  assert.match(n.data.errors[0].detail, /其他辖区/);
  // with skip_invalid the own-county row goes in
  const s = await postCsv(lc, '/api/v1/import/institutions?skip_invalid=true', csv(row('330302', 20), row('330303', 21)));
  assert.equal(s.data.written, true);
  assert.equal(await count(lc), mine + 1);
});

test('api: practitioners reference their institution by credit code', async () => {
  const id = residentId('33030219900101003');
  const body = `姓名,身份证号,执业证书编码,人员类别,执业类别,主要执业机构\n王医生,${id},110330302000001,医师,临床,${code('330302', 10)}\n`;
  const r = await postCsv(admin, '/api/v1/import/practitioners', body);
  assert.equal(r.data.inserted, 1, JSON.stringify(r.data));
  const again = await postCsv(admin, '/api/v1/import/practitioners', body);
  assert.equal(again.data.unchanged, 1);
  // The publication appends its leaves in one step (keyed for personal records): every imported row
  // still matches its last leaf.
  const v = spawnSync(BIN, ['audit', 'verify', '--records', '--db', srv.db, '--keys', srv.keys], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /0 do not match/);
});

test('api: media type, roles, unknown kinds and refused files', async () => {
  isProblem(assert, await postCsv(admin, '/api/v1/import/institutions', csv(row('330302', 30)), 'application/json'), 415);
  isProblem(assert, await postCsv(leader, '/api/v1/import/institutions', csv(row('330302', 30))), 403);
  isProblem(assert, await postCsv(admin, '/api/v1/import/hospitals', csv(row('330302', 30))), 404);
  isProblem(assert, await postCsv(admin, '/api/v1/import/institutions?dry_run=maybe', csv(row('330302', 30))), 400);
  const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER, 'utf16le')]);
  const r = await postCsv(admin, '/api/v1/import/institutions', new Uint8Array(u16));
  isProblem(assert, r, 422);
  assert.match(r.data.errors[0].detail, /UTF-16/);
  const h = await postCsv(admin, '/api/v1/import/institutions', '机构名称,名字\n甲,乙\n');
  isProblem(assert, h, 422);
  assert.ok(h.data.errors.some((e) => e.row === 1 && e.column === 2 && /未知的列名/.test(e.detail)));
  assert.ok(h.data.errors.some((e) => e.field === 'credit_code' && /缺少必填列/.test(e.detail)));
});

// ---- licences (yijian import licences, POST /api/v1/import/licences) ----

const LIC_HEADER = '证照编号,证照种类,持证主体代码,有效期起,有效期至,发证机关,状态,备注';
const lic = (...rows) => [LIC_HEADER, ...rows].join('\r\n') + '\r\n';
// licence_events and audit leaves, counted in the database itself
const dbCount = (table) => {
  const sql = `SELECT COUNT(*) FROM ${table}`;
  return srv.db.startsWith('sqlite:')
    ? Number(execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.slice(7), sql], { encoding: 'utf8' }).trim())
    : Number(execFileSync('psql', [srv.db, '-Atc', sql], { encoding: 'utf8' }).trim());
};

test('licences: cli import, public verification, idempotent re-import, GBK', async () => {
  // holders: institutions imported above (330302 no. 10, 330303 no. 11) and the practitioner 110330302000001
  const f = file('lic.csv', lic(
    `LIC-API-1,医疗机构执业许可证,${code('330302', 10)},2024-01-01,,,,`,
    `LIC-API-2,physician_practice,110330302000001,2021-03-01,,,暂停,考核不合格`,
    `LIC-API-3,放射诊疗许可证,${code('330303', 11)},2023-01-01,,,吊销,`));
  const r = importCli('licences', f);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /电子证照：共 3 行，新增 3，更新 0，未变 0，无效 0/);
  const list = await admin.get('/api/v1/licences?q=LIC-API-1');
  assert.equal(list.data.items.length, 1);
  const one = list.data.items[0];
  assert.equal(one.issuer, '温州市鹿城区卫生健康局');
  assert.equal(one.valid_to, '2028-12-31');
  const pub = await new Client(srv.url).get('/api/v1/public/licences/' + one.verify_code);
  assert.equal(pub.status, 200);
  assert.equal(pub.data.status, 'valid');
  assert.equal(pub.data.number, 'LIC-API-1');
  const two = (await admin.get('/api/v1/licences?q=LIC-API-2')).data.items[0];
  assert.equal((await new Client(srv.url).get('/api/v1/public/licences/' + two.verify_code)).data.status, 'suspended');
  const detail = await admin.get('/api/v1/licences/' + two.id);
  assert.deepEqual(detail.data.events.map((e) => e.action), ['issue', 'suspend']);
  assert.match(detail.data.events[1].reason, /^导入：原证照状态为暂停；考核不合格/);

  const events = dbCount('licence_events'), leaves = dbCount('audit_leaves');
  const again = importCli('licences', f);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /新增 0，更新 0，未变 3/);
  assert.equal(dbCount('licence_events'), events, 'no event');
  assert.equal(dbCount('audit_leaves'), leaves, 'no audit leaf');

  // the same file saved as GBK, one validity changed: one renewal
  const changed = file('lic2.csv', lic(`LIC-API-1,医疗机构执业许可证,${code('330302', 10)},2024-01-01,2029-06-30,,,`));
  const gbk = path.join(srv.dir, 'lic2-gbk.csv');
  execFileSync('sh', ['-c', `iconv -f UTF-8 -t GBK '${changed}' > '${gbk}'`]);
  const g = importCli('licences', gbk);
  assert.equal(g.status, 0, g.stderr);
  assert.match(g.stderr, /GBK/);
  assert.match(g.stdout, /更新 1/);
  assert.equal(dbCount('licence_events'), events + 1);
  const renewed = await admin.get('/api/v1/licences/' + one.id);
  assert.equal(renewed.data.valid_to, '2029-06-30');
  assert.equal(renewed.data.version, 2);
  assert.equal(renewed.data.events.at(-1).action, 'renew');
});

test('licences: row errors name row and column; nothing is written without skip_invalid', async () => {
  const events = dbCount('licence_events'), leaves = dbCount('audit_leaves');
  const body = lic(
    `LIC-API-10,med_inst_practice,${code('330302', 10)},2024-01-01,,,,`, // row 2: fine
    `LIC-API-11,医疗机构执业许可证,110330302000001,2024-01-01,,,,`, // 3: a certificate under an institution kind
    `LIC-API-12,没有这种证,${code('330302', 10)},2024-01-01,,,,`, // 4: unknown kind
    `LIC-API-13,med_inst_practice,${code('330303', 11)},2024-01-01,,,,`, // 5: neighbour county
    `LIC-API-10,med_inst_practice,${code('330302', 10)},2024-01-01,,,,`); // 6: duplicate number
  const r = await postCsv(lc, '/api/v1/import/licences', body);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.kind, 'licence');
  assert.equal(r.data.written, false);
  assert.equal(r.data.invalid, 4);
  const at = (row) => r.data.errors.find((e) => e.row === row);
  assert.deepEqual([at(3).column, at(3).field], [3, 'holder']);
  assert.match(at(3).detail, /执业证书编码/);
  assert.deepEqual([at(4).column, at(4).field], [2, 'kind']);
  assert.match(at(4).detail, /未知的证照种类/);
  assert.deepEqual([at(5).column, at(5).field], [3, 'holder']);
  assert.match(at(5).detail, /管辖范围/);
  assert.deepEqual([at(6).column, at(6).field], [1, 'number']);
  assert.match(at(6).detail, /与第 2 行重复/);
  assert.equal(dbCount('licence_events'), events);
  assert.equal(dbCount('audit_leaves'), leaves);
  assert.equal((await admin.get('/api/v1/licences?q=LIC-API-1')).data.items.length, 1, 'only LIC-API-1');

  // the CLI prints one line per bad row
  const c = importCli('licences', file('licbad.csv', body));
  assert.equal(c.status, 1);
  assert.match(c.stderr, /第 4 行 第 2 列（证照种类）：未知的证照种类/);

  const s = await postCsv(lc, '/api/v1/import/licences?skip_invalid=true', body);
  assert.equal(s.data.written, true);
  assert.equal(s.data.inserted, 1);
  const mine = (await lc.get('/api/v1/licences?q=LIC-API-10')).data.items;
  assert.equal(mine.length, 1);
  assert.equal(mine[0].issuer, '温州市鹿城区卫生健康局');
  // leaders may not import
  isProblem(assert, await postCsv(leader, '/api/v1/import/licences', body), 403);
});

test('licences: --columns lists the licence columns', () => {
  const out = execFileSync(BIN, ['import', 'licences', '--columns'], { encoding: 'utf8' });
  for (const col of ['证照编号', '证照种类', '持证主体代码', '有效期起', '有效期至', '发证机关', '状态', '备注'])
    assert.match(out, new RegExp(col));
});

test('licences: only the health department imports licences', async () => {
  srv.addUser('lc.market', 'inspector', '330302', 'market');
  const m = new Client(srv.url); await m.signIn('lc.market');
  const r = await postCsv(m, '/api/v1/import/licences', lic(`LIC-API-20,med_inst_practice,${code('330302', 10)},2024-01-01,,,,`));
  isProblem(assert, r, 403);
  assert.equal((await admin.get('/api/v1/licences?q=LIC-API-20')).data.items.length, 0);
});
