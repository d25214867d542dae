// The credit check's audit leaf goes through a commit group (yj_audit_disclose: concurrent checks'
// leaves in one transaction), and still every check answered has its leaf: 120 concurrent checks
// give 120 leaves in shared commits; SIGKILL the server while 1,000 more are asked, restart, and at
// least as many leaves as answers are there; the log verifies. (tests/api/intake_durability's pattern.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, cli, freePort } from './harness.mjs';
import { creditCode } from './codes.mjs';

const servers = [];
after(async () => {
  const failed = [];
  for (const s of servers) { await s.stop().catch((e) => failed.push(e)); s.cleanup(); }
  if (failed.length) throw failed[0];
});

async function signedIn(srv, name) {
  const c = new Client(srv.url);
  assert.equal((await c.signIn(name)).status, 200);
  return c;
}

// The credit.check leaves about the institution, paged through the leaf list.
async function checkLeaves(admin, id) {
  let n = 0;
  for (let cursor = null; ;) {
    const r = await admin.get(`/api/v1/audit/leaves?object_type=institution&object_id=${id}&limit=200`
      + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
    assert.equal(r.status, 200, JSON.stringify(r.data));
    n += r.data.items.filter((l) => l.action === 'credit.check').length;
    if (!r.data.next_cursor) return n;
    cursor = r.data.next_cursor;
  }
}

async function verifyLog(srv) {
  const sth = await (await fetch(srv.url + '/api/v1/audit/sth')).json();
  const f = path.join(srv.dir, 'sth.json');
  writeFileSync(f, JSON.stringify(sth));
  await srv.stop();
  assert.match(cli(['audit', 'verify', '--sth', f], { db: srv.db, keys: srv.keys }), /ok/i);
}

test('concurrent checks share commits, one leaf each; SIGKILL loses no answered check\'s leaf', { timeout: 120000 }, async (t) => {
  const op = await freePort();
  const srv = new Server({ args: ['--threads', '32', '--max-connections-per-address', '0', '--operator-listen', `127.0.0.1:${op}`] });
  servers.push(srv);
  await srv.start();
  srv.addUser('cd.admin', 'admin', '330302');
  srv.addUser('cd.liaison', 'liaison', '330381', 'market');
  let admin = await signedIn(srv, 'cd.admin');
  const code = creditCode('52330302', '41000077');
  const r = await admin.post('/api/v1/institutions', { credit_code: code, name: '鹿城核查测试诊所', type: 'clinic', level: 'none',
    ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const id = r.data.id;
  const liaison = await signedIn(srv, 'cd.liaison');
  const ask = () => liaison.get(`/api/v1/credit/check?subject=${code}&decision=grade_review`);

  // 120 at once: each answered, one leaf each, and the leaves shared commits.
  const res = await Promise.all(Array.from({ length: 120 }, ask));
  assert.deepEqual(res.map((x) => x.status), res.map(() => 200));
  assert.equal(await checkLeaves(admin, id), 120);
  const metrics = await (await fetch(`http://127.0.0.1:${op}/metrics`)).text();
  const groups = Number(metrics.match(/^yijian_store_groups_total (\d+)$/m)?.[1]);
  assert.ok(groups > 0, `commit groups formed: ${groups}`);

  // 1,000 more, the server killed once 100 of them are answered (the rest are cut off).
  let acked = 0, failed = 0, killed = null;
  await Promise.all(Array.from({ length: 1000 }, () => ask()
    .then((x) => {
      if (x.status === 200) acked++;
      else failed++;
      if (!killed && acked >= 100) killed = srv.stop({ signal: 'SIGKILL', expectKill: true });
    })
    .catch(() => { failed++; })));
  assert.ok(killed, 'the server was killed mid-run');
  await killed;
  assert.ok(failed > 0, 'some checks were cut off by the kill');
  await srv.start();
  admin = await signedIn(srv, 'cd.admin');
  const leaves = await checkLeaves(admin, id) - 120;
  t.diagnostic(`answered ${acked}, leaves ${leaves}, commit groups before the kill ${groups}`);
  assert.ok(leaves >= acked, `${acked} checks answered after the first 120, ${leaves} leaves committed`);
  await verifyLog(srv);
});
