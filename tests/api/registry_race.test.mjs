// Concurrent changes of one record with the same version: exactly one wins (200), the others are told it
// changed meanwhile (409 stale) — never 404. On PostgreSQL the loser's UPDATE … WHERE version = v waits for the
// winner and then matches no row; that was answered "记录不存在" (found by bench/soak).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client } from './harness.mjs';
import { creditCode } from './codes.mjs';

let srv;
after(async () => { await srv?.stop(); srv?.cleanup(); });

test('racing PATCHes of one version: one 200, the rest 409, no 404', async () => {
  srv = new Server();
  await srv.start();
  srv.addUser('race.ins', 'inspector', '330302');
  const c = new Client(srv.url);
  await c.signIn('race.ins');
  const made = await c.post('/api/v1/institutions', {
    credit_code: creditCode('52330302', '10000777'), name: '竞争测试诊所', type: '诊所', level: 'none', ownership: 'private',
    profit: 'forprofit', region_code: '330302',
  });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  const id = made.data.id;
  const seen = [];
  for (let round = 0; round < 15; round++) {
    const { version } = (await c.get(`/api/v1/institutions/${id}`)).data;
    const res = await Promise.all([0, 1, 2, 3].map((k) => c.patch(`/api/v1/institutions/${id}`, { address: `路${round}-${k}号`, version })));
    const st = res.map((r) => r.status);
    seen.push(...st);
    assert.equal(st.filter((x) => x === 200).length, 1, `round ${round}: ${st}`);
    assert.deepEqual(st.filter((x) => x !== 200 && x !== 409), [], `round ${round}: ${st}`);
  }
  assert.ok(seen.includes(409));
});
