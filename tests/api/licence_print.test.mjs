// The licence as a printable certificate (GET /api/v1/licences/{id}/certificate.pdf): a PDF through the
// document facility whose text (pdftotext) carries the licence's number, holder, term, issuer,
// verification code and the signature data of the signed JSON file (signature, public key, SHA-256 of
// the signed bytes); the same version prints the same bytes; another county gets 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';

let srv, lc, ra, inst, lic;
const pdfText = (buf) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: buf, encoding: 'utf8' }).replace(/\s+/g, '');

before(async () => {
  srv = new Server({ args: ['--public-url', 'https://yijian.example.gov.cn/'] });
  await srv.start();
  srv.addUser('p.lc', 'admin', '330302');
  srv.addUser('p.ra', 'inspector', '330381');
  lc = new Client(srv.url);
  ra = new Client(srv.url);
  assert.equal((await lc.signIn('p.lc')).status, 200);
  assert.equal((await ra.signIn('p.ra')).status, 200);
  let r = await lc.post('/api/v1/institutions', { credit_code: creditCode('52330302', '61000001'), name: '鹿城证照诊所',
    type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  inst = r.data;
  r = await lc.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution', holder_id: inst.id, reason: '核发', valid_from: '2026-01-15' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  lic = r.data;
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('the certificate carries the licence and its signature data; same version, same bytes', async () => {
  const r = await lc.get(`/api/v1/licences/${lic.id}/certificate.pdf`);
  assert.equal(r.status, 200);
  assert.match(r.type, /^application\/pdf/);
  assert.match(r.headers.get('content-disposition'), /attachment; filename="licence-.*\.pdf"/);
  const file = (await lc.get(`/api/v1/licences/${lic.id}/download`)).data;
  const signed = JSON.parse(Buffer.isBuffer(file) ? file.toString('utf8') : JSON.stringify(file));
  const text = pdfText(r.data);
  const canon = JSON.stringify(Object.fromEntries(Object.entries(signed.payload).sort(([a], [b]) => (a < b ? -1 : 1))));
  const digest = createHash('sha256').update(canon).digest('hex');
  for (const s of ['医疗机构执业许可证', lic.number, '鹿城证照诊所', inst.credit_code, '2026-01-15', lic.verify_code, '电子签名', 'Ed25519',
    signed.signature, signed.public_key, digest, signed.payload.issuer])
    assert.ok(text.includes(String(s).replace(/\s+/g, '')), `${s} in the certificate`);
  const again = await lc.get(`/api/v1/licences/${lic.id}/certificate.pdf`);
  assert.ok(Buffer.compare(again.data, r.data) === 0, 'the same version prints the same bytes');
  isProblem(assert, await ra.get(`/api/v1/licences/${lic.id}/certificate.pdf`), 404);
});
