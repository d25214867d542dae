// powercut.mjs — the other half of powercut.c: after the server is killed, put the database and its
// WAL back to what was last synced to disk, as power loss would (the page cache is gone).
import { existsSync, openSync, readFileSync, writeSync, ftruncateSync, closeSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BIN } from './harness.mjs';

// The shim is built next to the binary (tests/tests.cmake).
export const SHIM = path.join(path.dirname(BIN), 'yj_powercut.so');

// The environment that preloads the shim into `yijian serve` for the SQLite file dbFile.
export function shimEnv(dbFile) {
  const asan = process.env.ASAN_OPTIONS;
  // The ASan runtime wants to come first; the shim has no sanitizers of its own.
  return { LD_PRELOAD: SHIM, YJ_POWERCUT_DB: dbFile, ASAN_OPTIONS: (asan ? asan + ':' : '') + 'verify_asan_link_order=0' };
}

// Undoes every write not followed by a sync. Returns the bytes restored per file, and whether each
// undo file existed (the shim saw writes to that file).
export function cutPower(dbFile) {
  const out = {};
  for (const [i, file] of [[0, dbFile], [1, dbFile + '-wal']]) {
    const undo = `${dbFile}.undo-${i}`;
    if (!existsSync(undo)) { out[file] = null; continue; }
    const u = readFileSync(undo);
    const synced = Number(u.readBigUInt64LE(0));
    const recs = [];
    for (let p = 8; p < u.length;) {
      const off = Number(u.readBigUInt64LE(p)), len = Number(u.readBigUInt64LE(p + 8));
      recs.push([off, u.subarray(p + 16, p + 16 + len)]);
      p += 16 + len;
    }
    const fd = openSync(file, 'r+');
    let bytes = 0;
    for (const [off, old] of recs.reverse()) { writeSync(fd, old, 0, old.length, off); bytes += old.length; }
    ftruncateSync(fd, synced);
    closeSync(fd);
    rmSync(undo);
    out[file] = { records: recs.length, bytes, synced };
  }
  rmSync(dbFile + '-shm', { force: true }); // memory only: gone with the power
  return out;
}
