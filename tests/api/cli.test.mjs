// The command line: every subcommand answers --help, and `yijian backup` copies a live SQLite
// database while `serve` keeps writing. SIGTERM stops the server cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Server, Client, BIN } from './harness.mjs';

test('every subcommand has --help', () => {
  for (const args of [['serve'], ['init'], ['user', 'add'], ['user', 'passwd'], ['token', 'create'], ['audit', 'verify'], ['backup']]) {
    const r = spawnSync(BIN, [...args, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.stdout, /Usage: yijian/);
  }
  assert.match(execFileSync(BIN, ['version'], { encoding: 'utf8' }), /^yijian \d+\.\d+\.\d+/);
  const bad = spawnSync(BIN, ['user', 'add', '--colour', 'red'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option --colour/);
});

test('user add refuses unknown roles, regions and departments with a reason', () => {
  const srv = new Server();
  try {
    srv.addUser('x.ok', 'inspector', '330302');
    assert.throws(() => srv.addUser('x.role', 'wizard', '330302'), /unknown role 'wizard'/);
    assert.throws(() => srv.addUser('x.region', 'inspector', '999999'), /unknown region/);
    assert.throws(() => srv.addUser('x.ok', 'inspector', '330302'), /already exists/);
  } finally { srv.cleanup(); }
});

test('backup copies a live SQLite database while serve writes', { skip: !!process.env.YJ_TEST_DB }, async () => {
  const srv = new Server();
  await srv.start();
  try {
    srv.addUser('bk.admin', 'admin', '330300');
    const c = new Client(srv.url);
    c.bearer = srv.token('bk.admin', 'writer', true);
    let writing = true;
    const writer = (async () => { let i = 0; while (writing) await c.post('/api/v1/tokens', { name: `bk-${i++}` }); return i; })();
    await new Promise((r) => setTimeout(r, 300));
    const out = path.join(srv.dir, 'copy.db');
    const msg = execFileSync(BIN, ['backup', '--db', srv.db, '--out', out], { encoding: 'utf8' });
    writing = false;
    const written = await writer;
    assert.match(msg, /backup written/);
    assert.ok(written > 0);
    assert.equal(execFileSync('sqlite3', [out, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
    const users = execFileSync('sqlite3', [out, "SELECT COUNT(*) FROM users WHERE username = 'bk.admin'"], { encoding: 'utf8' }).trim();
    assert.equal(users, '1');
  } finally {
    const exit = await srv.stop('SIGTERM');
    assert.equal(exit.code, 0, 'SIGTERM ends serve with status 0');
    srv.cleanup();
  }
});
