// The nightly screening (serve --claims-drop DIR): the daily job moves each *.csv dropped into DIR to
// the spool and submits it as a run; YIJIAN_CLAIMS_DROP_EVERY_S=1 runs it every second here, so the job
// runs several times over the same directory and the file must still become exactly one run, screened
// once, its flags stored once; a half-written file (not *.csv) is left alone; a file a crashed process
// moved to the spool without submitting it is taken again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Server, Client, BIN } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const RULES = path.join(root, 'rules');
let srv, analyst, drop, spool;

before(async () => {
  srv = new Server();
  drop = path.join(srv.dir, 'drop'); spool = path.join(srv.dir, 'spool');
  mkdirSync(drop); mkdirSync(spool);
  srv.extra = ['--rules', RULES, '--spool-dir', spool, '--claims-drop', drop, '--claims-drop-region', '330300'];
  srv.env = { YIJIAN_CLAIMS_DROP_EVERY_S: '1' };
  await srv.start();
  srv.addUser('wz.analyst', 'insurance_analyst', '330300', 'insurance');
  analyst = new Client(srv.url); await analyst.signIn('wz.analyst');
});
after(async () => { await srv.stop(); srv.cleanup(); });

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

test('a dropped file becomes one run, its flags stored once, however often the job runs', async () => {
  const gen = path.join(srv.dir, 'gen.csv'), tmp = path.join(drop, '.day.csv.part');
  execFileSync(BIN, ['gen', 'claims', '--rows', '1500', '--seed', '5', '--violations', '0.05', '--out', gen,
    '--labels', path.join(srv.dir, 'labels.csv'), '--rules', RULES], { stdio: 'pipe' });
  renameSync(gen, tmp);
  await sleep(1500);
  assert.ok(existsSync(tmp), 'a file still being written (not *.csv) is not taken');
  renameSync(tmp, path.join(drop, 'day-2026-03-10.csv'));
  let run;
  for (let i = 0; i < 300 && !(run && run.state === 'done'); i++) {
    await sleep(100);
    const runs = (await analyst.get('/api/v1/claims/runs')).data.items.filter((x) => x.input_name === 'day-2026-03-10.csv');
    if (runs.length) run = (await analyst.get(`/api/v1/claims/runs/${runs[0].id}`)).data;
  }
  assert.equal(run?.state, 'done', JSON.stringify(run));
  assert.equal(run.line_count, 1500);
  assert.ok(run.flag_count > 0);
  await sleep(2500); // the job runs at least twice more over the (now empty) directory
  assert.deepEqual(readdirSync(drop), []);
  assert.deepEqual(readdirSync(spool), []);
  const runs = (await analyst.get('/api/v1/claims/runs')).data.items.filter((x) => x.input_name === 'day-2026-03-10.csv');
  assert.equal(runs.length, 1, 'one run');
  const flags = (await analyst.get(`/api/v1/claims/flags?run=${run.id}&limit=200`)).data.items;
  assert.equal(flags.length, runs[0].record_count, 'its flag records once');
  assert.equal(runs[0].record_count, run.total);
  assert.equal(new Set(flags.map((f) => f.id)).size, flags.length);
});

test('a file a crashed process moved to the spool but never submitted is taken again', async () => {
  // What a process killed between the move and the run's commit leaves: the file under its taken name,
  // no run row. The next run of the job puts it back into the drop folder and takes it as usual.
  const gen = path.join(srv.dir, 'gen2.csv');
  execFileSync(BIN, ['gen', 'claims', '--rows', '300', '--seed', '6', '--out', gen, '--labels', path.join(srv.dir, 'labels2.csv'), '--rules', RULES], { stdio: 'pipe' });
  renameSync(gen, path.join(spool, 'yijian-claims-drop-912345678901-day-2026-03-11.csv'));
  let run;
  for (let i = 0; i < 300 && !(run && run.state === 'done'); i++) {
    await sleep(100);
    const runs = (await analyst.get('/api/v1/claims/runs')).data.items.filter((x) => x.input_name === 'day-2026-03-11.csv');
    if (runs.length) run = (await analyst.get(`/api/v1/claims/runs/${runs[0].id}`)).data;
  }
  assert.equal(run?.state, 'done', JSON.stringify(run));
  assert.equal(run.line_count, 300);
  assert.notEqual(String(run.id), '912345678901', 'a new run, not the lost one');
  await sleep(1500);
  assert.deepEqual(readdirSync(drop), []);
  assert.deepEqual(readdirSync(spool), []);
});
