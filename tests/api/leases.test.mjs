// Jobs with leases across processes: three `yijian serve` on one database (PostgreSQL under
// YJ_TEST_DB, as in production; a shared SQLite file otherwise) run the lease probe — a harmless
// deferred job that only waits and renews its lease (YIJIAN_LEASE_PROBE_MS, docs/operations.md).
// The process holding its lease is killed with SIGKILL mid-run; the lease expires, another
// process takes the job over and it finishes exactly once. The survivors stop cleanly on SIGTERM.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client } from './harness.mjs';

const PROBE_MS = 6000;
// The first process's run is long: it is killed while it holds the lease, and before that the test adds a user and
// signs in, which took over 6 s on a loaded machine (the probe had finished before the test looked). The run is each
// process's own setting, so the survivors' takeover still lasts PROBE_MS.
const FIRST_PROBE_MS = 120000;
const servers = [];
after(async () => {
  // the lease holder was killed on purpose; the others must stop cleanly
  for (const s of servers) await (s.killed ? s.stop({ signal: 'SIGKILL', expectKill: true }) : s.stop());
  for (const s of servers) s.cleanup();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function probe(c) {
  const r = await c.get('/api/v1/system/jobs?name=platform.lease_probe:probe');
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data.items[0];
}

test('the job whose lease holder dies finishes once, on another process', async () => {
  // The first process starts alone and takes the probe; it is killed while it holds the lease, and only
  // then do the other two start. Starting all three first raced a slow start (ASan on a loaded machine
  // took longer than the probe's run), so the probe could finish before anyone was killed.
  process.env.YIJIAN_LEASE_PROBE_MS = String(FIRST_PROBE_MS);
  const first = new Server({ args: ['--job-lease', '3'] });
  servers.push(first);
  try {
    await first.start();
  } finally {
    delete process.env.YIJIAN_LEASE_PROBE_MS;
  }
  first.addUser('lease.admin', 'admin', '330000');
  const admin = new Client(first.url);
  assert.equal((await admin.signIn('lease.admin')).status, 200);

  // Who holds the lease: "host:pid:nonce".
  let job;
  for (let i = 0; i < 200; i++) {
    job = await probe(admin);
    if (job?.lease_owner) break;
    await sleep(25);
  }
  assert.ok(job?.lease_owner, JSON.stringify(job));
  assert.equal(job.state, 'scheduled');
  const pid = Number(job.lease_owner.split(':')[1]);
  assert.equal(pid, first.proc.pid, `lease holder ${job.lease_owner} is the only process`);
  const victim = first;
  victim.killed = true;
  victim.proc.kill('SIGKILL');
  await victim.exited;

  // The survivors: they register the probe's handler too (their deferral leaves the pending job as it is).
  process.env.YIJIAN_LEASE_PROBE_MS = String(PROBE_MS);
  try {
    for (let i = 0; i < 2; i++) {
      const s = new Server({ db: first.db, args: ['--job-lease', '3'] });
      s.keys = first.keys;
      servers.push(s);
      await s.start();
    }
  } finally {
    delete process.env.YIJIAN_LEASE_PROBE_MS;
  }
  const killedOwner = job.lease_owner;
  const survivors = servers.filter((s) => s !== victim);
  const watcher = new Client(survivors[0].url);
  // A survivor's administrator session: sessions live in the shared database.
  watcher.cookie = admin.cookie;

  // Expiry (3 s after the last renewal), takeover, a whole run of PROBE_MS.
  for (let i = 0; i < 600; i++) {
    job = await probe(watcher);
    if (job.state === 'done') break;
    await sleep(50);
  }
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal(job.runs, 1, 'one recorded run');
  assert.equal(job.last_result, 'ok');
  assert.notEqual(job.last_owner, killedOwner);
  assert.equal(job.lease_owner, null);
  const finisher = survivors.find((s) => job.last_owner.split(':')[1] === String(s.proc.pid));
  assert.ok(finisher, job.last_owner);
  assert.match(finisher.logs, new RegExp(`"msg":"job.takeover","job":"platform.lease_probe:probe","expired_owner":"${killedOwner}"`));

  // Stop the survivors: clean exits; then count the finishes in every log.
  for (const s of survivors) assert.deepEqual(await s.stop('SIGTERM'), { code: 0, sig: null });
  const done = servers.map((s) => (s.logs.match(/"msg":"job.lease_probe.done"/g) ?? []).length);
  assert.deepEqual(done.reduce((a, b) => a + b, 0), 1, 'finished exactly once: ' + done.join(','));
  assert.equal(done[servers.indexOf(victim)], 0);
  // The dead process may have held other jobs' leases too (the modules' hourly jobs run at start): the
  // survivors take those over as well. What must not happen is a takeover of a live process's lease, or
  // the probe taken over twice.
  const lines = servers.flatMap((s) => s.logs.split('\n').filter((l) => l.includes('"msg":"job.takeover"')));
  const victimProcess = killedOwner.split('/')[0]; // owner is host:pid:nonce/worker slot
  const live = lines.filter((l) => !l.includes(`"expired_owner":"${victimProcess}/`));
  assert.deepEqual(live, [], 'a takeover of a live lease');
  const probes = lines.filter((l) => l.includes('"job":"platform.lease_probe:probe"'));
  assert.equal(probes.length, 1, 'one takeover of the probe: ' + probes.join('\n'));
});
