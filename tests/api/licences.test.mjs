// Electronic licences (电子证照) through the API and the command line: issue to an institution and a
// practitioner, the sign-in-free verification endpoint through the whole lifecycle (valid, suspended,
// expired, revoked), the signed download checked offline by `yijian licence verify` and independently
// here with node's own ed25519, one changed byte caught, audited actions with required reasons,
// illegal transitions, territory, export and the QR code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { Server, Client, BIN, isProblem } from './harness.mjs';
import { creditCode, residentId } from './codes.mjs';

const PUBLIC_URL = 'https://yijian.example.gov.cn/';
let srv, lc, lw, city, market, anon;
let instLc, instLw, prac;
const LC_CODE = creditCode('52330302', '20000001');
const LW_CODE = creditCode('52330303', '20000002');
const ID1 = residentId('33030219850315002');

const clinic = (code, region, name) => ({
  credit_code: code, name, type: '诊所', level: 'none', ownership: 'private', profit: 'forprofit', region_code: region,
});

// The canonical form of docs/licences.md, written independently of the server: keys sorted by code
// point (all ASCII here), no white space, strings as JSON.stringify writes them.
function canonical(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
}
function ed25519Verify(payload, sigHex, pkHex) {
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(pkHex, 'hex')]);
  const key = crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
  return crypto.verify(null, Buffer.from(canonical(payload), 'utf8'), key, Buffer.from(sigHex, 'hex'));
}

function verifyCli(file, ...extra) {
  return spawnSync(BIN, ['licence', 'verify', file, ...extra], { encoding: 'utf8' });
}

async function download(c, id) {
  const r = await fetch(srv.url + `/api/v1/licences/${id}/download`, { headers: { cookie: c.cookie } });
  return { status: r.status, disposition: r.headers.get('content-disposition'), text: await r.text() };
}

const publicGet = (code) => anon.get('/api/v1/public/licences/' + code);

before(async () => {
  srv = new Server({ args: ['--public-url', PUBLIC_URL] });
  await srv.start();
  srv.addUser('lc.ins', 'inspector', '330302');
  srv.addUser('lw.ins', 'inspector', '330303');
  srv.addUser('wz.admin', 'admin', '330300');
  srv.addUser('lc.market', 'inspector', '330302', 'market');
  lc = new Client(srv.url); await lc.signIn('lc.ins');
  lw = new Client(srv.url); await lw.signIn('lw.ins');
  city = new Client(srv.url); await city.signIn('wz.admin');
  market = new Client(srv.url); await market.signIn('lc.market');
  anon = new Client(srv.url);
  instLc = (await lc.post('/api/v1/institutions', clinic(LC_CODE, '330302', '温州鹿城仁和诊所'))).data;
  instLw = (await lw.post('/api/v1/institutions', clinic(LW_CODE, '330303', '温州龙湾福康诊所'))).data;
  assert.ok(instLc.id && instLw.id, 'institutions created');
  const p = await lc.post('/api/v1/practitioners', { name: '李护士', id_number: ID1, certificate_no: '202633030200001',
    category: 'nurse', practice_type: 'nursing', institution_id: instLc.id });
  assert.equal(p.status, 201, JSON.stringify(p.data));
  prac = p.data;
});
after(async () => { await srv.stop(); srv.cleanup(); });

let licInst, licPrac;

test('kinds: at least 35, with names, holder types and terms', async () => {
  const r = await lc.get('/api/v1/licence-kinds');
  assert.equal(r.status, 200);
  assert.ok(r.data.items.length >= 35, String(r.data.items.length));
  const byName = Object.fromEntries(r.data.items.map((k) => [k.name, k]));
  assert.equal(byName['医疗机构执业许可证'].holder_type, 'institution');
  assert.equal(byName['医疗机构执业许可证'].validity_years, 5);
  assert.equal(byName['医师执业证书'].validity_years, 0);
  assert.equal(byName['护士执业证书'].holder_type, 'practitioner');
  for (const n of ['放射诊疗许可证', '甲类大型医用设备配置许可证', '公共场所卫生许可证', '人类辅助生殖技术批准证书'])
    assert.ok(byName[n], n);
});

test('issue: to an institution and to a practitioner, signed, with a verification code', async () => {
  const r = await lc.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution', holder_id: instLc.id,
    reason: '依申请核发（浙卫许〔2026〕1号）', valid_from: '2026-01-15' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  licInst = r.data;
  assert.equal(licInst.valid_to, '2031-01-14', 'five-year term ends the day before the anniversary');
  assert.equal(licInst.status, 'valid');
  assert.equal(licInst.holder_identifier, LC_CODE);
  assert.equal(licInst.issuer, '温州市鹿城区卫生健康局');
  assert.match(licInst.number, /^01330302[0-9]{10}$/);
  assert.match(licInst.verify_code, /^[2-9A-HJKMNP-TV-Z]{16}$/);
  assert.equal(licInst.verify_url, PUBLIC_URL + 'verify/' + licInst.verify_code);
  assert.equal(licInst.payload, undefined, 'the API shows no internals');
  assert.equal(licInst.events.length, 1);
  assert.equal(licInst.events[0].action, 'issue');

  const p = await lc.post('/api/v1/licences', { kind: 'nurse_practice', holder_type: 'practitioner', holder_id: prac.id,
    reason: '护士执业注册' });
  assert.equal(p.status, 201, JSON.stringify(p.data));
  licPrac = p.data;
  assert.ok(licPrac.holder_identifier.includes('*'), 'masked');
  assert.notEqual(licPrac.holder_identifier, ID1);
  assert.equal(licPrac.holder_name, '李护士');
  assert.notEqual(licPrac.verify_code, licInst.verify_code);
  // a kind without a term has no end date
  const doc = await lc.post('/api/v1/licences', { kind: 'physician_qualification', holder_type: 'practitioner',
    holder_id: prac.id, reason: '资格认定' });
  assert.equal(doc.status, 201);
  assert.equal(doc.data.valid_to, null);
});

test('issue: bad input is refused field by field, in Chinese, and nothing is written', async () => {
  const before = (await city.get('/api/v1/licences?limit=200')).data.items.length;
  // the holder type must match the kind
  let r = await lc.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'practitioner', holder_id: prac.id, reason: '核发' });
  isProblem(assert, r, 422);
  assert.deepEqual(r.data.errors.map((e) => e.field), ['holder_type']);
  // missing or blank reason
  r = await lc.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution', holder_id: instLc.id });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'reason');
  r = await lc.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution', holder_id: instLc.id, reason: '   ' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'reason');
  assert.match(r.data.errors[0].detail, /理由/);
  // unknown kind, bad dates
  r = await lc.post('/api/v1/licences', { kind: 'flying_licence', holder_type: 'institution', holder_id: instLc.id, reason: 'x' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'kind');
  r = await lc.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution', holder_id: instLc.id,
    reason: 'x', valid_from: '2026-02-30' });
  isProblem(assert, r, 422);
  r = await lc.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution', holder_id: instLc.id,
    reason: 'x', valid_from: '2026-03-01', valid_to: '2026-02-01' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'valid_to');
  // a holder in the neighbouring county is not found for this inspector
  r = await lc.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution', holder_id: instLw.id, reason: '核发' });
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'holder_id');
  // another department may not issue health licences
  isProblem(assert, await market.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution',
    holder_id: instLc.id, reason: '核发' }), 403);
  // a given number that is taken is a conflict
  r = await lc.post('/api/v1/licences', { kind: 'public_place', holder_type: 'institution', holder_id: instLc.id,
    reason: 'x', number: licInst.number });
  isProblem(assert, r, 409);
  assert.equal(r.data.errors[0].field, 'number');
  assert.equal((await city.get('/api/v1/licences?limit=200')).data.items.length, before, 'nothing written');
});

test('public endpoint: no sign-in, answers valid with holder and validity; unknown codes are 404 in Chinese', async () => {
  const r = await publicGet(licInst.verify_code);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.deepEqual(r.data, {
    status: 'valid', status_label: '有效', kind_name: '医疗机构执业许可证', number: licInst.number,
    holder_name: '温州鹿城仁和诊所', holder_identifier: LC_CODE, issuer: '温州市鹿城区卫生健康局',
    valid_from: '2026-01-15', valid_to: '2031-01-14',
  });
  // codes are accepted as people type them
  const typed = licInst.verify_code.toLowerCase().replace(/(....)/g, '$1-').slice(0, -1);
  assert.equal((await publicGet(typed)).data.number, licInst.number);
  const p = await publicGet(licPrac.verify_code);
  assert.ok(p.data.holder_identifier.includes('*') && !JSON.stringify(p.data).includes(ID1), 'never a clear ID');
  isProblem(assert, await publicGet('ABCDEFGHJKMNPQRS'), 404);
  isProblem(assert, await publicGet('nonsense'), 404);
  const key = await anon.get('/api/v1/public/licence-key');
  assert.equal(key.status, 200);
  assert.equal(key.data.algorithm, 'ed25519');
  assert.match(key.data.public_key, /^[0-9a-f]{64}$/);
});

test('download: a signed file that verifies offline with the CLI and independently; one changed byte fails', async () => {
  const d = await download(lc, licInst.id);
  assert.equal(d.status, 200);
  assert.match(d.disposition, /^attachment; filename="licence-[0-9]+\.json"$/);
  const file = JSON.parse(d.text);
  assert.equal(file.algorithm, 'ed25519');
  const published = (await anon.get('/api/v1/public/licence-key')).data.public_key;
  assert.equal(file.public_key, published);
  assert.deepEqual(Object.keys(file.payload).sort(), ['holder_id', 'holder_identifier', 'holder_name', 'holder_type', 'issuer',
    'kind', 'kind_name', 'number', 'valid_from', 'valid_to', 'verify_code', 'version']);
  assert.ok(ed25519Verify(file.payload, file.signature, published), 'verifies by the documented format alone');

  const f = path.join(srv.dir, 'licence.json');
  writeFileSync(f, d.text);
  let v = verifyCli(f, '--public-key', published);
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /valid signature/);
  assert.match(v.stdout, /温州鹿城仁和诊所/);
  assert.match(v.stdout, /2026-01-15 至 2031-01-14/);
  // the key from a file (the saved answer of the public-key endpoint) works too
  const kf = path.join(srv.dir, 'key.json');
  writeFileSync(kf, JSON.stringify({ algorithm: 'ed25519', public_key: published }));
  assert.equal(verifyCli(f, '--public-key', kf).status, 0);
  // without a key: still checked, with a warning to compare the key
  v = verifyCli(f);
  assert.equal(v.status, 0);
  assert.match(v.stderr, /公钥/);

  // one byte of the payload changed: 仁 → 仂 (last byte of its UTF-8)
  const bytes = readFileSync(f);
  const at = bytes.indexOf(Buffer.from('仁和'));
  assert.ok(at > 0);
  bytes[at + 2] ^= 0x01;
  const g = path.join(srv.dir, 'tampered.json');
  writeFileSync(g, bytes);
  v = verifyCli(g, '--public-key', published);
  assert.equal(v.status, 1);
  assert.match(v.stderr, /tampered/);
  assert.ok(!ed25519Verify(JSON.parse(bytes.toString('utf8')).payload, file.signature, published));
  // another key: refused and named
  v = verifyCli(f, '--public-key', crypto.randomBytes(32).toString('hex'));
  assert.equal(v.status, 1);
  assert.match(v.stderr, /wrong key/);
  // malformed files
  writeFileSync(g, '{"payload": {}}');
  assert.equal(verifyCli(g).status, 2);
  assert.equal(verifyCli(path.join(srv.dir, 'absent.json')).status, 2);
  const help = spawnSync(BIN, ['licence', 'verify', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: yijian licence verify/);
});

test('lifecycle: suspend, resume, change and renew are audited with reasons; illegal moves are 409 in Chinese', async () => {
  const sth = async () => (await city.get('/api/v1/audit/sth')).data.tree_size;
  const size0 = await sth();
  // missing reason on an action
  let r = await lc.post(`/api/v1/licences/${licInst.id}/suspend`, {});
  isProblem(assert, r, 422);
  assert.equal(r.data.errors[0].field, 'reason');
  r = await lc.post(`/api/v1/licences/${licInst.id}/suspend`, { reason: '责令暂停执业（温鹿卫罚〔2026〕3号）' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.status, 'suspended');
  assert.equal((await publicGet(licInst.verify_code)).data.status, 'suspended');
  assert.equal((await publicGet(licInst.verify_code)).data.status_label, '暂停');
  r = await lc.post(`/api/v1/licences/${licInst.id}/suspend`, { reason: '再次暂停' });
  isProblem(assert, r, 409);
  assert.match(r.data.detail, /暂停/);
  isProblem(assert, await lc.post(`/api/v1/licences/${licInst.id}/renew`, { reason: '延续' }), 409);
  r = await lc.post(`/api/v1/licences/${licInst.id}/resume`, { reason: '整改完成' });
  assert.equal(r.data.status, 'valid');
  r = await lc.post(`/api/v1/licences/${licInst.id}/resume`, { reason: '再恢复' });
  isProblem(assert, r, 409);
  assert.match(r.data.detail, /无需恢复/);
  assert.equal(await sth(), size0 + 2, 'one audit leaf per action, none for refusals');

  // change: the holder's new name is re-signed under version 2; the old file still verifies as version 1
  const old = JSON.parse((await download(lc, licInst.id)).text);
  const inst = (await lc.get('/api/v1/institutions/' + instLc.id)).data;
  assert.equal((await lc.patch('/api/v1/institutions/' + instLc.id, { name: '温州鹿城仁和中医诊所', version: inst.version })).status, 200);
  r = await lc.post(`/api/v1/licences/${licInst.id}/change`, { reason: '机构名称变更' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.version, 2);
  assert.equal(r.data.holder_name, '温州鹿城仁和中医诊所');
  assert.equal(r.data.verify_code, licInst.verify_code, 'the printed QR stays valid');
  const now = JSON.parse((await download(lc, licInst.id)).text);
  assert.equal(now.payload.version, 2);
  assert.ok(ed25519Verify(now.payload, now.signature, now.public_key));
  assert.ok(ed25519Verify(old.payload, old.signature, old.public_key));
  assert.equal((await publicGet(licInst.verify_code)).data.holder_name, '温州鹿城仁和中医诊所');

  r = await lc.post(`/api/v1/licences/${licInst.id}/renew`, { reason: '延续注册', valid_from: '2031-01-15' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.version, 3);
  assert.equal(r.data.valid_to, '2036-01-14');
  const detail = await lc.get('/api/v1/licences/' + licInst.id);
  assert.deepEqual(detail.data.events.map((e) => e.action), ['issue', 'suspend', 'resume', 'change', 'renew']);
  assert.equal(detail.data.events[1].reason, '责令暂停执业（温鹿卫罚〔2026〕3号）');
  assert.equal(detail.data.events[1].actor_name, 'lc.ins');
  assert.equal(detail.data.events[1].action_label, '暂停');
});

test('expired: derived from valid_to against today (Asia/Shanghai); cannot be suspended', async () => {
  const r = await lc.post('/api/v1/licences', { kind: 'public_place', holder_type: 'institution', holder_id: instLc.id,
    reason: '历史证照补录', valid_from: '2020-01-01', valid_to: '2023-12-31', number: '浙卫公证字（2020）第330302001号' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.status, 'expired');
  assert.equal(r.data.number, '浙卫公证字（2020）第330302001号');
  const p = await publicGet(r.data.verify_code);
  assert.equal(p.data.status, 'expired');
  assert.equal(p.data.status_label, '过期');
  const expired = await lc.get('/api/v1/licences?state=expired');
  assert.deepEqual(expired.data.items.map((i) => i.id), [r.data.id]);
  assert.ok(!(await lc.get('/api/v1/licences?state=valid&limit=200')).data.items.some((i) => i.id === r.data.id));
  const s = await lc.post(`/api/v1/licences/${r.data.id}/suspend`, { reason: '暂停' });
  isProblem(assert, s, 409);
  assert.match(s.data.detail, /过/);
  // a non-ASCII number names the download by id
  assert.match((await download(lc, r.data.id)).disposition, new RegExp(`licence-${r.data.id}\\.json`));
});

test('revoke: final; the public endpoint says revoked and the signature alone does not make it valid', async () => {
  let r = await lc.post(`/api/v1/licences/${licPrac.id}/revoke`, {});
  isProblem(assert, r, 422);
  assert.match(JSON.stringify(r.data.errors), /reason/);
  r = await lc.post(`/api/v1/licences/${licPrac.id}/revoke`, { reason: '吊销执业证书（温鹿卫罚〔2026〕9号）' });
  assert.equal(r.status, 200);
  assert.equal(r.data.status, 'revoked');
  const p = await publicGet(licPrac.verify_code);
  assert.equal(p.data.status, 'revoked');
  assert.equal(p.data.status_label, '吊销');
  for (const action of ['revoke', 'resume', 'suspend', 'renew', 'change']) {
    const x = await lc.post(`/api/v1/licences/${licPrac.id}/${action}`, { reason: '试一试' });
    isProblem(assert, x, 409);
    assert.match(x.data.detail, /吊销/);
  }
  // the file still verifies (it proves origin), so offline checkers are told to ask the public endpoint
  const f = path.join(srv.dir, 'revoked.json');
  writeFileSync(f, (await download(lc, licPrac.id)).text);
  const v = verifyCli(f);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /公开核验/);
});

test('territory: a county user neither sees nor acts on a neighbouring county\'s licence', async () => {
  const w = await lw.post('/api/v1/licences', { kind: 'med_inst_practice', holder_type: 'institution', holder_id: instLw.id, reason: '核发' });
  assert.equal(w.status, 201);
  assert.equal(w.data.issuer, '温州市龙湾区卫生健康局');
  const mine = (await lc.get('/api/v1/licences?limit=200')).data.items;
  assert.ok(mine.length >= 3 && !mine.some((i) => i.id === w.data.id));
  assert.equal((await lc.get('/api/v1/licences?region=330303')).data.items.length, 0);
  assert.equal((await lc.get('/api/v1/licences?q=' + w.data.number)).data.items.length, 0);
  isProblem(assert, await lc.get('/api/v1/licences/' + w.data.id), 404);
  isProblem(assert, await lc.post(`/api/v1/licences/${w.data.id}/suspend`, { reason: '越权' }), 404);
  isProblem(assert, await lc.post(`/api/v1/licences/${w.data.id}/revoke`, { reason: '越权' }), 404);
  assert.equal((await download(lc, w.data.id)).status, 404);
  isProblem(assert, await lc.get(`/api/v1/licences/${w.data.id}/qr.png`), 404);
  assert.equal((await publicGet(w.data.verify_code)).data.status, 'valid', 'untouched');
  const csv = (await lc.get('/api/v1/licences/export?format=csv')).data.toString('utf8');
  assert.ok(csv.includes(licInst.number) && !csv.includes(w.data.number));
  assert.ok(csv.includes('证照编号') && csv.includes('核验码'));
  // the city sees both counties; filters combine
  const all = (await city.get('/api/v1/licences?limit=200')).data.items;
  assert.ok(all.some((i) => i.id === w.data.id) && all.some((i) => i.id === licInst.id));
  assert.deepEqual((await city.get('/api/v1/licences?region=330303')).data.items.map((i) => i.id), [w.data.id]);
  assert.deepEqual((await city.get(`/api/v1/licences?holder=${prac.id}&kind=nurse_practice`)).data.items.map((i) => i.id), [licPrac.id]);
  assert.deepEqual((await city.get('/api/v1/licences?state=revoked')).data.items.map((i) => i.id), [licPrac.id]);
  assert.deepEqual((await city.get('/api/v1/licences?q=' + licInst.number.slice(0, 14) + '&kind=med_inst_practice')).data.items.map((i) => i.id), [licInst.id]);
  const page1 = await city.get('/api/v1/licences?limit=2');
  assert.equal(page1.data.items.length, 2);
  const page2 = await city.get('/api/v1/licences?limit=200&cursor=' + page1.data.next_cursor);
  assert.equal(page1.data.items.length + page2.data.items.length, all.length);
  isProblem(assert, await city.get('/api/v1/licences?state=lost'), 400);
  const xlsx = await city.get('/api/v1/licences/export');
  assert.equal(xlsx.data.subarray(0, 2).toString(), 'PK');
});

test('QR code: a PNG of the public verification URL', async () => {
  const r = await lc.get(`/api/v1/licences/${licInst.id}/qr.png`);
  assert.equal(r.status, 200);
  assert.equal(r.type, 'image/png');
  assert.deepEqual([...r.data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = r.data.readUInt32BE(16), height = r.data.readUInt32BE(20);
  assert.equal(width, height);
  assert.ok(width >= (21 + 8) * 8 && width % 8 === 0, String(width));
  isProblem(assert, await anon.get(`/api/v1/licences/${licInst.id}/qr.png`), 401);
});
