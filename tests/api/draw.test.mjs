// The draw bundle can be verified by anyone: `yijian draw verify` on the sample bundle, a failure
// for every kind of change, and an independent re-implementation of docs/draw.md in JavaScript
// (Node's own SHA-256 and ChaCha20) that reaches the same result from the bundle alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createCipheriv } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN } from './harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SAMPLE = path.join(root, 'tests/data/draw-bundle.json');
const sample = () => JSON.parse(readFileSync(SAMPLE, 'utf8'));

function verify(bundle) {
  const dir = mkdtempSync(path.join(tmpdir(), 'yijian-draw-'));
  const f = path.join(dir, 'bundle.json');
  writeFileSync(f, typeof bundle === 'string' ? bundle : JSON.stringify(bundle));
  const r = spawnSync(BIN, ['draw', 'verify', f], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  return r;
}

test('the sample bundle verifies', () => {
  const r = verify(sample());
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^match/);
});

test('any change fails verification and says what', () => {
  let b = sample();
  b.subjects[5].weight += 1;
  let r = verify(b);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /input hash/);
  b = sample();
  b.witness = b.witness.replace('548', '549');
  r = verify(b);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /witness/);
  b = sample();
  b.inspectors[0].conflicts = [];
  assert.match(verify(b).stderr, /input hash/);
  b = sample();
  b.result.subjects[2].id = b.subjects[39].id;
  r = verify(b);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /drawn subject 3/);
  b = sample();
  b.server_secret = '0'.repeat(64);
  assert.match(verify(b).stderr, /secret/);
  assert.equal(verify('{"not":"a bundle"}').status, 2);
  assert.equal(verify('{').status, 2);
});

// ---- an independent implementation of docs/draw.md ----

function canonical(v) {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}
const sha256 = (b) => createHash('sha256').update(b).digest();

class Stream {
  constructor(key) { this.key = key; this.block = 0; this.buf = Buffer.alloc(0); this.pos = 0; }
  refill() {
    const iv = Buffer.alloc(16);
    iv.writeUInt32LE(this.block, 0); // Node's chacha20 IV: 32-bit counter then the 96-bit nonce
    const c = createCipheriv('chacha20', this.key, iv);
    this.buf = c.update(Buffer.alloc(4096));
    this.block += 64;
    this.pos = 0;
  }
  u64() {
    if (this.pos + 8 > this.buf.length) this.refill();
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  uniform(m) {
    const M = BigInt(m), t = ((1n << 64n) - M) % M;
    let x;
    do x = this.u64(); while (x < t);
    return Number(x % M);
  }
}

function prefix(code) {
  if (code.length !== 6) return code;
  let n = 6;
  while (n > 2 && code.slice(n - 2, n) === '00') n -= 2;
  return code.slice(0, n);
}

function redraw(b) {
  const input = { format: b.format, plan: b.plan, subjects: b.subjects, inspectors: b.inspectors };
  const inputHash = sha256(canonical(input)).toString('hex');
  assert.equal(inputHash, b.commitment.input_hash, 'input hash');
  assert.equal(sha256(Buffer.from(b.server_secret, 'hex')).toString('hex'), b.commitment.secret_hash);
  const seed = sha256(Buffer.concat([Buffer.from('yijian-draw-v1\0' + b.server_secret + '\0'),
    Buffer.from(b.witness, 'utf8'), Buffer.from('\0' + inputHash)]));
  assert.equal(seed.toString('hex'), b.seed, 'seed');
  const st = new Stream(seed);
  const S = b.subjects, P = b.plan, picked = [];
  const pick = (cands, weight, k, phase) => {
    const w = cands.map(weight);
    for (let j = 0; j < k; j++) {
      const total = w.reduce((a, x) => a + x, 0);
      if (total === 0) break;
      let r = st.uniform(total), i = 0;
      while (r >= w[i]) { r -= w[i]; i++; }
      picked.push({ i: cands[i], phase });
      w[i] = 0;
    }
    return w;
  };
  const due = S.map((s, i) => i).filter((i) => S[i].due), rest = S.map((s, i) => i).filter((i) => !S[i].due);
  if (due.length >= P.count) pick(due, (i) => S[i].weight, P.count, 'due');
  else {
    due.forEach((i) => picked.push({ i, phase: 'due' }));
    const left = P.count - due.length, credit = Math.ceil(left * P.credit_share_permille / 1000);
    const w = pick(rest, (i) => S[i].weight, credit, 'credit');
    pick(rest, (i, j) => (w[rest.indexOf(i)] ? 1 : 0), left - credit, 'random');
  }
  const I = b.inspectors, load = I.map(() => 0);
  return picked.map(({ i, phase }) => {
    const s = S[i];
    const cand = I.map((x, j) => j).filter((j) => P.departments.includes(I[j].department) &&
      s.region_code.startsWith(prefix(I[j].region_code)) && !I[j].conflicts.includes(s.id) && !I[j].previous.includes(s.id));
    const team = [];
    const choose = (dept) => {
      const ok = cand.filter((j) => !team.includes(j) && (dept === undefined || I[j].department === dept));
      const best = Math.min(...ok.map((j) => load[j]));
      const ties = ok.filter((j) => load[j] === best);
      team.push(ties[st.uniform(ties.length)]);
    };
    if (P.departments.length > 1) P.departments.forEach((d) => choose(d));
    while (team.length < P.team_size) choose();
    team.forEach((j) => load[j]++);
    return { id: s.id, phase, inspectors: team.map((j) => I[j].id) };
  });
}

test('an independent re-implementation reaches the same draw from the bundle alone', () => {
  const b = sample();
  assert.deepEqual(redraw(b), b.result.subjects);
});

test('and agrees with yijian on fresh draws, joint ones included', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'yijian-draw-'));
  try {
    for (const [witness, joint] of [['001', false], ['沪深300 收盘 3921.17', true], ['x'.repeat(300), false]]) {
      const input = sample();
      for (const k of ['commitment', 'server_secret', 'witness', 'seed', 'result', 'format']) delete input[k];
      if (joint) {
        input.plan.departments = ['health', 'market'];
        input.plan.team_size = 3;
        for (const x of input.inspectors.slice(3, 5)) x.department = 'market';
        for (const x of input.inspectors.slice(7, 9)) x.department = 'market';
      }
      const f = path.join(dir, 'in.json'), out = path.join(dir, 'out.json');
      writeFileSync(f, JSON.stringify(input));
      const r = spawnSync(BIN, ['draw', 'run', f, '--witness', witness, '--out', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const b = JSON.parse(readFileSync(out, 'utf8'));
      assert.deepEqual(redraw(b), b.result.subjects);
      assert.equal(verify(b).status, 0);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
