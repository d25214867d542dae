// drawverify.js — re-runs a published draw from its bundle (docs/draw.md) in the browser, with nothing
// of the server's: SHA-256 (FIPS 180-4), ChaCha20 (RFC 8439, checked against the RFC's test vectors in
// tests/api/drawverify.test.mjs) and RFC 8785 canonical JSON written out here. verifyBundle(bundle)
// says whether the bundle's result follows from its input, secret and witness, or names the first
// difference in words a citizen understands. Pure functions, no Vue: the API suite imports this file.

// ---- SHA-256 ----
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);

export function sha256(bytes) {
  const n = bytes.length, len = ((n + 9 + 63) >> 6) << 6;
  const m = new Uint8Array(len);
  m.set(bytes);
  m[n] = 0x80;
  const bits = n * 8;
  const dv = new DataView(m.buffer);
  dv.setUint32(len - 8, Math.floor(bits / 0x100000000));
  dv.setUint32(len - 4, bits >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x, k) => (x >>> k) | (x << (32 - k));
  for (let off = 0; off < len; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) ov.setUint32(i * 4, h[i]);
  return out;
}

// ---- ChaCha20 (RFC 8439 §2.3) ----
// One 64-byte block of key (32 bytes), counter (32-bit) and nonce (12 bytes).
export function chacha20Block(key, counter, nonce) {
  const kv = new DataView(key.buffer, key.byteOffset, 32), nv = new DataView(nonce.buffer, nonce.byteOffset, 12);
  const s = new Uint32Array(16);
  s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) s[4 + i] = kv.getUint32(i * 4, true);
  s[12] = counter >>> 0;
  for (let i = 0; i < 3; i++) s[13 + i] = nv.getUint32(i * 4, true);
  const x = new Uint32Array(s);
  const qr = (a, b, c, d) => {
    x[a] += x[b]; x[d] ^= x[a]; x[d] = (x[d] << 16) | (x[d] >>> 16);
    x[c] += x[d]; x[b] ^= x[c]; x[b] = (x[b] << 12) | (x[b] >>> 20);
    x[a] += x[b]; x[d] ^= x[a]; x[d] = (x[d] << 8) | (x[d] >>> 24);
    x[c] += x[d]; x[b] ^= x[c]; x[b] = (x[b] << 7) | (x[b] >>> 25);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
    qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
  }
  const out = new Uint8Array(64);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 16; i++) ov.setUint32(i * 4, (x[i] + s[i]) >>> 0, true);
  return out;
}

// RFC 8439 §2.4: plaintext XOR the key stream from counter on.
export function chacha20Xor(key, counter, nonce, data) {
  const out = new Uint8Array(data.length);
  for (let off = 0, c = counter; off < data.length; off += 64, c++) {
    const ks = chacha20Block(key, c, nonce);
    for (let i = 0; i < 64 && off + i < data.length; i++) out[off + i] = data[off + i] ^ ks[i];
  }
  return out;
}

// The draw's random stream: the ChaCha20 key stream of the seed (zero nonce, counter from 0), read as
// little-endian 64-bit integers; uniform(m) by rejection, as docs/draw.md says.
class Stream {
  constructor(key) { this.key = key; this.counter = 0; this.buf = new Uint8Array(0); this.pos = 0; this.nonce = new Uint8Array(12); }
  u64() {
    if (this.pos + 8 > this.buf.length) { this.buf = chacha20Block(this.key, this.counter++, this.nonce); this.pos = 0; }
    const v = new DataView(this.buf.buffer).getBigUint64(this.pos, true);
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

// ---- RFC 8785 (JSON Canonicalization Scheme) ----
// Numbers and strings as ECMAScript's JSON.stringify writes them (which is what RFC 8785 prescribes),
// object members sorted by their names' UTF-16 code units.
export function canonical(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
}

const utf8 = (s) => new TextEncoder().encode(s);
const hex = (b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s) => new Uint8Array((s.match(/../g) ?? []).map((x) => parseInt(x, 16)));
const concat = (...parts) => { const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; };

function prefix(code) {
  if (code.length !== 6) return code;
  let n = 6;
  while (n > 2 && code.slice(n - 2, n) === '00') n -= 2;
  return code.slice(0, n);
}
const excluded = (x) => x.excluded ?? [...(x.conflicts ?? []), ...(x.previous ?? [])];

// The draw of docs/draw.md over bundle b with seed (bytes): [{id, phase, inspectors}].
export function redraw(b, seed) {
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
    const left = P.count - due.length, credit = Math.ceil((left * P.credit_share_permille) / 1000);
    const w = pick(rest, (i) => S[i].weight, credit, 'credit');
    pick(rest, (i) => (w[rest.indexOf(i)] ? 1 : 0), left - credit, 'random');
  }
  const I = b.inspectors, load = I.map(() => 0);
  return picked.map(({ i, phase }) => {
    const s = S[i];
    const cand = I.map((x, j) => j).filter((j) => P.departments.includes(I[j].department) &&
      s.region_code.startsWith(prefix(I[j].region_code)) && !excluded(I[j]).includes(s.id));
    const team = [];
    const choose = (dept) => {
      const ok = cand.filter((j) => !team.includes(j) && (dept === undefined || I[j].department === dept));
      if (!ok.length) return;
      const best = Math.min(...ok.map((j) => load[j]));
      const ties = ok.filter((j) => load[j] === best);
      team.push(ties[st.uniform(ties.length)]);
    };
    if (P.departments.length > 1) P.departments.forEach((d) => choose(d));
    while (team.length < P.team_size && team.length < cand.length) choose();
    team.forEach((j) => load[j]++);
    return { id: s.id, phase, inspectors: team.map((j) => I[j].id) };
  });
}

const PHASE = { due: '到期必查', credit: '按信用风险抽取', random: '纯随机抽取' };

// {ok: true, steps: [...]} when the bundle's result follows from its published input, secret and
// witness; else {ok: false, steps, difference} with the first difference in plain Chinese. steps lists
// what was checked, in order, each {label, ok}.
export function verifyBundle(b) {
  const steps = [];
  const fail = (label, difference) => { steps.push({ label, ok: false }); return { ok: false, steps, difference }; };
  if (!b || typeof b !== 'object' || !b.plan || !Array.isArray(b.subjects) || !Array.isArray(b.inspectors) || !b.commitment || !b.result) {
    return { ok: false, steps, difference: '这不是一份完整的抽取结果包：缺少计划、检查对象、执法人员、承诺或结果。请重新下载结果包。' };
  }
  const input = { format: b.format, plan: b.plan, subjects: b.subjects, inspectors: b.inspectors };
  const inputHash = hex(sha256(utf8(canonical(input))));
  if (inputHash !== b.commitment.input_hash) {
    return fail('公开的输入与抽取前的承诺一致', '结果包里的输入数据（计划、检查对象名单或执法人员名单）与抽取前公开承诺的不一致：名单在承诺之后被改动过，或结果包不完整。');
  }
  steps.push({ label: '公开的输入与抽取前的承诺一致', ok: true });
  if (hex(sha256(unhex(b.server_secret ?? ''))) !== b.commitment.secret_hash) {
    return fail('服务器密钥与承诺时公布的指纹一致', '服务器公开的密钥与抽取前公布的密钥指纹不符：密钥在承诺之后被更换过。');
  }
  steps.push({ label: '服务器密钥与承诺时公布的指纹一致', ok: true });
  const seed = sha256(concat(utf8('yijian-draw-v1\0' + b.server_secret + '\0'), utf8(b.witness ?? ''), utf8('\0' + inputHash)));
  if (hex(seed) !== b.seed) {
    return fail('随机种子由密钥、见证值和输入算出', `结果包中的随机种子不是由服务器密钥、见证值“${b.witness}”和输入算出的：见证值或种子被改动过。`);
  }
  steps.push({ label: '随机种子由密钥、见证值和输入算出', ok: true });
  const mine = redraw(b, seed), theirs = b.result.subjects ?? [];
  const name = (id) => b.subjects.find((s) => s.id === id)?.name ?? id;
  for (let k = 0; k < Math.max(mine.length, theirs.length); k++) {
    const a = mine[k], t = theirs[k];
    if (!t) return fail('抽中的对象和检查组与重算一致', `按规则重算应抽中 ${mine.length} 个对象，公开结果只有 ${theirs.length} 个：缺少第 ${k + 1} 个（${name(a.id)}）。`);
    if (!a) return fail('抽中的对象和检查组与重算一致', `按规则重算只应抽中 ${mine.length} 个对象，公开结果却有 ${theirs.length} 个：第 ${k + 1} 个（${name(t.id)}）是多出来的。`);
    if (a.id !== t.id) return fail('抽中的对象和检查组与重算一致', `第 ${k + 1} 个抽中的对象不一致：公开结果是“${name(t.id)}”，按规则重算应是“${name(a.id)}”。`);
    if (a.phase !== t.phase) return fail('抽中的对象和检查组与重算一致', `第 ${k + 1} 个对象（${name(a.id)}）的抽取方式不一致：公开结果为“${PHASE[t.phase] ?? t.phase}”，重算为“${PHASE[a.phase]}”。`);
    if (canonical(a.inspectors) !== canonical(t.inspectors ?? [])) return fail('抽中的对象和检查组与重算一致', `第 ${k + 1} 个对象（${name(a.id)}）的检查组人员不一致：公开结果的执法人员与按规则重算的不同。`);
  }
  steps.push({ label: `抽中的 ${mine.length} 个对象和检查组与重算一致`, ok: true });
  return { ok: true, steps };
}
