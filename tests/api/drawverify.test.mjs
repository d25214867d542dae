// drawverify.test.mjs — the console's in-browser draw verification (web/src/drawverify.js) checked in
// Node, no server: ChaCha20 against RFC 8439's test vectors (§2.3.2 block, §2.4.2 encryption) and
// Node's own chacha20, SHA-256 against Node's, RFC 8785 against its author's `canonicalize`; then the
// sample bundle verifies and every kind of change is named as the first difference, in Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import { sha256, chacha20Block, chacha20Xor, canonical, verifyBundle } from '../../web/src/drawverify.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const sample = () => JSON.parse(readFileSync(path.join(root, 'tests/data/draw-bundle.json'), 'utf8'));
const hex = (b) => Buffer.from(b).toString('hex');
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);

test('ChaCha20: RFC 8439 §2.3.2 block and §2.4.2 encryption, and Node agrees on long streams', () => {
  const nonce = Uint8Array.from(Buffer.from('000000090000004a00000000', 'hex'));
  const block = chacha20Block(KEY, 1, nonce);
  assert.equal(hex(block.slice(0, 16)), '10f1e7e4d13b5915500fdd1fa32071c4');
  assert.equal(hex(block.slice(48, 64)), 'b5129cd1de164eb9cbd083e8a2503c4e');
  const text = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
  const n2 = Uint8Array.from(Buffer.from('000000000000004a00000000', 'hex'));
  const ct = chacha20Xor(KEY, 1, n2, new TextEncoder().encode(text));
  assert.equal(hex(ct.slice(0, 16)), '6e2e359a2568f98041ba0728dd0d6981');
  assert.equal(hex(ct.slice(-2)), '874d');
  for (let t = 0; t < 5; t++) {
    const key = randomBytes(32), nonce12 = randomBytes(12), counter = t * 1000, data = randomBytes(1000 + t * 77);
    const iv = Buffer.alloc(16);
    iv.writeUInt32LE(counter, 0);
    nonce12.copy(iv, 4);
    const node = createCipheriv('chacha20', key, iv).update(data);
    assert.equal(hex(chacha20Xor(new Uint8Array(key), counter, new Uint8Array(nonce12), new Uint8Array(data))), hex(node));
  }
});

test('SHA-256 and RFC 8785 agree with Node and with the reference canonicalizer', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 100000]) {
    const d = randomBytes(n);
    assert.equal(hex(sha256(new Uint8Array(d))), createHash('sha256').update(d).digest('hex'), `${n} bytes`);
  }
  const b = sample();
  assert.equal(canonical(b), canonicalize(b));
  const odd = { z: [1e21, 1e-7, -0, 0.1 + 0.2, 'é\u2028\ud83d\ude00"\\'], a: { '\u00e9': 1, e: 2, 'é': 3 }, n: null, t: true };
  assert.equal(canonical(odd), canonicalize(odd));
});

test('the sample bundle verifies; each change is named in plain words as the first difference', () => {
  const ok = verifyBundle(sample());
  assert.equal(ok.ok, true, ok.difference);
  assert.equal(ok.steps.length, 4);
  const cases = [
    [(b) => { b.subjects[5].weight += 1; }, /输入数据.*不一致/],
    [(b) => { b.server_secret = '0'.repeat(64); }, /密钥指纹不符/],
    [(b) => { b.witness = b.witness.replace('548', '549'); }, /随机种子.*见证值/],
    [(b) => { b.result.subjects[2].id = b.subjects[39].id; }, /第 3 个抽中的对象不一致：公开结果是“[^”]+”，按规则重算应是“[^”]+”/],
    [(b) => { b.result.subjects[0].inspectors.reverse(); }, /第 1 个对象（[^）]+）的检查组人员不一致/],
    [(b) => { b.result.subjects.pop(); }, /只有 9 个/],
    [(b) => { delete b.commitment; }, /不是一份完整的抽取结果包/],
  ];
  for (const [change, re] of cases) {
    const b = sample();
    change(b);
    const r = verifyBundle(b);
    assert.equal(r.ok, false);
    assert.match(r.difference, re);
    assert.doesNotMatch(r.difference, /undefined|null|NaN/);
  }
});
