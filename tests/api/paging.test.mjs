// Lists that used to stop at a fixed number of rows page like every other list: ?limit= and
// ?cursor= with next_cursor in the answer. Without ?limit= a request is answered as before (the
// whole list up to that number); walking the pages gives the same rows in the same order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';

let srv, lc, admin;
const CODE = creditCode('52330302', '10000077');

before(async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('pg.ins', 'inspector', '330302');
  srv.addUser('pg.admin', 'admin', '330302');
  lc = new Client(srv.url); await lc.signIn('pg.ins');
  admin = new Client(srv.url); await admin.signIn('pg.admin');
});
after(async () => { await srv.stop(); srv.cleanup(); });

// Every item of a list, page by page.
async function walk(client, url, limit) {
  const items = [];
  let cursor = null, pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const r = await client.get(`${url}${sep}limit=${limit}${cursor ? '&cursor=' + cursor : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    assert.ok(r.data.items.length <= limit);
    items.push(...r.data.items);
    cursor = r.data.next_cursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

test('the responsibility lists page with limit and cursor; without limit the whole list as before', async () => {
  const whole = await lc.get('/api/v1/responsibilities');
  assert.equal(whole.status, 200);
  assert.ok(whole.data.items.length > 30, String(whole.data.items.length));
  assert.equal(whole.data.next_cursor, null);
  const { items, pages } = await walk(lc, '/api/v1/responsibilities', 7);
  assert.equal(pages, Math.ceil(whole.data.items.length / 7));
  assert.deepEqual(items.map((i) => i.id), whole.data.items.map((i) => i.id));
  // filters and pages together
  const market = await lc.get('/api/v1/responsibilities?department=market');
  assert.ok(market.data.items.length > 2);
  const paged = await walk(lc, '/api/v1/responsibilities?department=market', 2);
  assert.deepEqual(paged.items.map((i) => i.id), market.data.items.map((i) => i.id));
  isProblem(assert, await lc.get('/api/v1/responsibilities?cursor=YWJj'), 400);
  isProblem(assert, await lc.get('/api/v1/responsibilities?limit=201'), 400);
});

test('a record history pages newest first with limit and cursor', async () => {
  const c = await lc.post('/api/v1/institutions', {
    credit_code: CODE, name: '分页测试诊所', type: '诊所', level: 'none', ownership: 'private', profit: 'forprofit',
    region_code: '330302', clinical_depts: ['03'], lng: 120.65, lat: 28.01,
  });
  assert.equal(c.status, 201, JSON.stringify(c.data));
  for (let beds = 1; beds <= 4; beds++) {
    const p = await lc.patch('/api/v1/institutions/' + c.data.id, { beds });
    assert.equal(p.status, 200, JSON.stringify(p.data));
  }
  const url = '/api/v1/institutions/' + c.data.id + '/history';
  const whole = await lc.get(url);
  assert.deepEqual(whole.data.items.map((v) => v.version), [5, 4, 3, 2, 1]);
  assert.equal(whole.data.next_cursor, null);
  const first = await lc.get(url + '?limit=2');
  assert.deepEqual(first.data.items.map((v) => v.version), [5, 4]);
  assert.equal(typeof first.data.next_cursor, 'string');
  const { items, pages } = await walk(lc, url, 2);
  assert.equal(pages, 3);
  assert.deepEqual(items.map((v) => v.version), [5, 4, 3, 2, 1]);
  isProblem(assert, await lc.get(url + '?cursor=YWJj'), 400);
});

test('the responsibility export holds every duty of the filtered list', async () => {
  const list = await admin.get('/api/v1/responsibilities?department=market');
  const r = await admin.get('/api/v1/responsibilities/export?format=csv&department=market');
  assert.equal(r.status, 200);
  const lines = r.data.toString('utf8').split('\r\n').slice(1, -1);
  assert.equal(lines.length, list.data.items.length);
});
