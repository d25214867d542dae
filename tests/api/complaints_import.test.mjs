// The 12345 work-order import over HTTP (POST /api/v1/complaints/import, docs/complaints.md "12345
// import"): the CLI's validation and column mapping, GBK or UTF-8, the registry imports' dry run and
// all-or-none unless skip_invalid, row/column/field errors, a refused file (422), the caller's
// territory, and idempotence on the work-order number (also within one file).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Server, Client, isProblem } from './harness.mjs';

const A = '330302', B = '330381';
let srv;
const as = {};
const HEAD = '工单编号,受理时间,诉求分类,标题,诉求内容,事发地区划代码,被反映对象,来电人,联系电话';
const GOOD = [
  'HX001,2026-12-01 09:15,医疗收费投诉,重复收费,门诊缴费时同一检查被收取两次费用。,330302,鹿城某医院,王五,13705770001',
  'HX002,2026-12-01 10:02,illegal_practice,,小区里有人无证给老人输液。,330302,,,',
];
const BAD = [
  'HX003,2026-12-01 11:40,不存在的分类,,内容内容内容。,330302,,,', // row 4: category, column C
  ',2026-12-01 11:41,illegal_practice,,没有工单号的行。,330302,,,', // row 5: work-order number, column A
  'HX004,2026-12-01 11:42,illegal_practice,,瑞安的事不归鹿城登记。,330381,,,', // row 6: another territory, column F
];
const csv = (rows) => Buffer.from([HEAD, ...rows].join('\r\n') + '\r\n');
const gbk = (buf) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: buf });
const post = (who, body, q = '') => who.req('POST', `/api/v1/complaints/import${q}`, body, { 'content-type': 'text/csv' });
async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.data));
  return r.data;
}
const hotline = async () => (await ok(await as.desk.get('/api/v1/complaints?channel=hotline&limit=200'))).items
  .map((x) => x.external_ref).sort();
const auditSize = async () => (await ok(await as.admin.get('/api/v1/audit/sth'))).tree_size;

before(async () => {
  srv = await new Server().start();
  srv.addUser('admin', 'admin', '330000', 'health');
  srv.addUser('desk', 'liaison', A, 'health');
  srv.addUser('grid', 'grid_member', A, 'health');
  for (const u of ['admin', 'desk', 'grid']) {
    as[u] = new Client(srv.url);
    assert.equal((await as[u].signIn(u)).status, 200);
  }
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('a dry run checks every row and writes nothing; errors name the row, column and field', async () => {
  const head = await auditSize();
  const r = await ok(await post(as.desk, gbk(csv([...GOOD, ...BAD])), '?dry_run=true'));
  assert.equal(r.kind, 'complaints');
  assert.match(r.encoding, /GB/);
  assert.deepEqual([r.dry_run, r.written, r.rows, r.inserted, r.unchanged, r.invalid], [true, false, 5, 2, 0, 3]);
  const at = (row) => r.errors.filter((e) => e.row === row);
  assert.deepEqual(at(4).map((e) => [e.column, e.field]), [[3, 'category']]);
  assert.deepEqual(at(5).map((e) => [e.column, e.field]), [[1, 'work_order_no']]);
  assert.deepEqual(at(6).map((e) => [e.column, e.field]), [[6, 'region_code']]);
  assert.match(at(6)[0].detail, /辖区/);
  assert.deepEqual(await hotline(), []);
  assert.equal(await auditSize(), head, 'no audit leaf either');
});

test('without skip_invalid an invalid row keeps the whole file out; with it the valid rows go in, once', async () => {
  let r = await ok(await post(as.desk, csv([...GOOD, ...BAD])));
  assert.deepEqual([r.written, r.inserted, r.invalid], [false, 2, 3]);
  assert.deepEqual(await hotline(), []);
  r = await ok(await post(as.desk, csv([...GOOD, ...BAD]), '?skip_invalid=true'));
  assert.deepEqual([r.written, r.rows, r.inserted, r.unchanged, r.invalid], [true, 5, 2, 0, 3]);
  assert.deepEqual(await hotline(), ['12345-HX001', '12345-HX002']);
  const m = (await ok(await as.desk.get('/api/v1/complaints?channel=hotline&limit=200'))).items
    .find((x) => x.external_ref === '12345-HX001');
  assert.equal(m.category, 'pricing');
  assert.equal(m.reporter.phone_masked, '137****0001');
  // the same orders again (in UTF-8 now, one repeated in the file): nothing new, the valid file is written
  r = await ok(await post(as.desk, csv([...GOOD, GOOD[0], 'HX005,,illegal_practice,,诊所超范围开展医疗美容。,330302,,,'])));
  assert.deepEqual([r.written, r.rows, r.inserted, r.unchanged, r.invalid], [true, 4, 1, 3, 0]);
  assert.equal((await hotline()).length, 3);
});

test('a file that cannot be read is refused whole (422) with its reason; bad flags 400; roles', async () => {
  let r = await post(as.desk, Buffer.from('姓名,电话\r\n张三,1\r\n'));
  isProblem(assert, r, 422);
  assert.match(r.data.errors[0].detail, /缺少必需的列/);
  r = await post(as.desk, Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x00, 0x42]));
  isProblem(assert, r, 422);
  isProblem(assert, await post(as.desk, csv(GOOD), '?dry_run=maybe'), 400);
  isProblem(assert, await post(as.grid, csv(GOOD), '?dry_run=true'), 403);
  assert.equal((await hotline()).length, 3);
});
