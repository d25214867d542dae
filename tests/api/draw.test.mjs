// The draw bundle can be verified by anyone: `yijian draw verify` on the sample bundle, a failure
// for every kind of change, and an independent re-implementation of docs/draw.md in JavaScript
// (Node's own SHA-256 and ChaCha20, and the RFC 8785 author's `canonicalize`) that reaches the same
// result from the bundle alone; inputs `draw run` must refuse; witnesses published too early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createCipheriv } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import canonicalize from 'canonicalize';
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
  b.inspectors[0].excluded = [];
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

// RFC 8785 by its author's reference implementation: nothing of yijian's serializer is reused.
const canonical = canonicalize;
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

// `excluded`, or in bundles of the older form `conflicts` and `previous`: the draw treats them alike.
const excluded = (x) => x.excluded ?? [...x.conflicts, ...x.previous];

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
      s.region_code.startsWith(prefix(I[j].region_code)) && !excluded(I[j]).includes(s.id));
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

// ---- RFC 8785, refusals and the witness's publication time ----

// Draws offline over an input given as JSON text (so that literals such as 2.0 reach yijian as
// written); returns the spawn result and, on success, the bundle.
function runText(text, witness = 'w', secret = null) {
  const dir = mkdtempSync(path.join(tmpdir(), 'yijian-draw-'));
  try {
    const f = path.join(dir, 'in.json'), out = path.join(dir, 'out.json');
    writeFileSync(f, text);
    const args = ['draw', 'run', f, '--witness', witness, '--out', out, ...(secret ? ['--secret', secret] : [])];
    const r = spawnSync(BIN, args, { encoding: 'utf8' });
    return { r, b: r.status === 0 ? JSON.parse(readFileSync(out, 'utf8')) : null };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

function inputOf(b) {
  const input = structuredClone(b);
  for (const k of ['commitment', 'server_secret', 'witness', 'seed', 'result']) delete input[k];
  return input;
}

test('the input hash is SHA-256 of RFC 8785 exactly: floats, escapes and key order as the reference has them', () => {
  // 300 doubles from random bits (every exponent), printed by JavaScript as the shortest form.
  const doubles = [];
  const buf = Buffer.alloc(8);
  for (let i = 0; doubles.length < 300; i++) {
    buf.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, 0);
    buf.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, 4);
    const d = buf.readDoubleLE(0);
    // JavaScript prints integral doubles below 10^21 without an exponent; beyond 2^53 such a literal
    // is refused as an integer no double holds (next test), so leave those out here.
    if (Number.isFinite(d) && !(Number.isInteger(d) && !Number.isSafeInteger(d) && Math.abs(d) < 1e21)) doubles.push(d);
  }
  const extra = `{"floats": [2.0, 1e21, 1E-7, -0.0, 0.1, 123456789012.5, ${doubles.map(String).join(', ')}],` +
    ' "text": "\\u001F\\u007f\\u2028\\/<>&é😀", "\\uE000": 1, "\\ud83d\\ude00": 2, "\\r": 4}';
  const text = JSON.stringify(inputOf(sample())).replace(/^\{/, `{"extra": ${extra},`);
  const { r, b } = runText(text);
  assert.equal(r.status, 0, r.stderr);
  const input = JSON.parse(text);
  const want = sha256(canonical({ format: b.format, plan: input.plan, subjects: input.subjects,
    inspectors: input.inspectors })).toString('hex');
  assert.equal(b.commitment.input_hash, want);
  // Inside the hashed part too: the same members under plan.
  const inPlan = JSON.stringify(inputOf(sample())).replace('"plan":{', `"plan":{"extra": ${extra},`);
  const p = runText(inPlan);
  assert.equal(p.r.status, 0, p.r.stderr);
  assert.equal(p.b.commitment.input_hash, sha256(canonical({ format: p.b.format, ...(({ plan, subjects, inspectors }) =>
    ({ plan, subjects, inspectors }))(JSON.parse(inPlan)) })).toString('hex'));
  assert.deepEqual(redraw(p.b), p.b.result.subjects);
  assert.equal(verify(p.b).status, 0);
});

test('integers a double cannot hold are refused, not hashed', () => {
  const text = JSON.stringify(inputOf(sample())).replace('"plan":{', '"plan":{"big":9007199254740993,');
  const { r } = runText(text);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /2\^53/);
  const b = JSON.stringify(sample()).replace('"plan":{', '"plan":{"big":-9007199254740993,');
  const v = verify(b);
  assert.equal(v.status, 2, v.stdout + v.stderr);
  assert.match(v.stderr, /2\^53/);
});

test('draw run refuses a credit share below 50 % and a due flag that is not a boolean', () => {
  const cases = [
    [(x) => { x.plan.credit_share_permille = 499; }, /credit_share_permille/],
    [(x) => { x.plan.credit_share_permille = 1001; }, /credit_share_permille/],
    [(x) => { x.plan.credit_share_permille = '500'; }, /credit_share_permille/],
    [(x) => { delete x.plan.credit_share_permille; }, /credit_share_permille/],
    [(x) => { x.subjects[3].due = 'yes'; }, /due must be true or false/],
    [(x) => { x.subjects[3].due = 1; }, /due must be true or false/],
    [(x) => { delete x.subjects[3].due; }, /due must be true or false/],
    [(x) => { x.plan.departments = [7]; }, /departments/],
    [(x) => { x.plan.count = 2.5; }, /integers/],
  ];
  for (const [edit, why] of cases) {
    const input = inputOf(sample());
    edit(input);
    const { r } = runText(JSON.stringify(input));
    assert.equal(r.status, 1, `${edit}: ${r.stderr}`);
    assert.match(r.stderr, why);
  }
  // The policy's own bounds are accepted.
  for (const share of [500, 1000]) {
    const input = inputOf(sample());
    input.plan.credit_share_permille = share;
    assert.equal(runText(JSON.stringify(input)).r.status, 0);
  }
});

test('a witness declared as published before the commitment fails verification', () => {
  const b = sample();
  b.commitment.committed_at = 1767225600000;
  b.witness_source = { source: '中国福利彩票 福彩3D 第2026321期', published_at: 1767225600000 };
  let v = verify(b);
  assert.equal(v.status, 1, v.stdout + v.stderr);
  assert.match(v.stderr, /published .* before the commitment/);
  b.witness_source.published_at = 1767225600001;
  v = verify(b);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  b.witness_source = { source: '福彩3D' };
  assert.equal(verify(b).status, 1);
});

test('bundles of the older form (conflicts and previous) still verify', () => {
  const input = inputOf(sample());
  for (const [k, x] of input.inspectors.entries()) {
    x.conflicts = x.excluded.filter((_, j) => (j + k) % 2 === 0);
    x.previous = x.excluded.filter((_, j) => (j + k) % 2 === 1);
    delete x.excluded;
  }
  const { r, b } = runText(JSON.stringify(input));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(b.inspectors.length, 10);
  assert.equal(b.inspectors.filter((x) => x.conflicts && x.previous && !x.excluded).length, 10);
  assert.deepEqual(redraw(b), b.result.subjects);
  assert.equal(verify(b).status, 0);
  b.inspectors[0].excluded = [];
  b.commitment.input_hash = sha256(canonical({ format: b.format, plan: b.plan, subjects: b.subjects,
    inspectors: b.inspectors })).toString('hex');
  const v = verify(b);
  assert.equal(v.status, 1, 'excluded and conflicts together are refused');
  assert.match(v.stderr, /either an excluded array or conflicts and previous/);
});
