// The inspection documents (文书) through the API: a completed task's 现场检查笔录 and 卫生监督意见书, its
// rectification order's 整改通知书 and the draw's 双随机抽查记录表, each issued once as a numbered PDF
// (per office, kind and year) whose text (read with pdftotext) carries the task's own data; asking
// again answers the same document; before completion or the draw they are refused; another county's
// inspector does not see them; an inspector may not issue the draw record. Also the exports of the
// inspection lists that had none (plans, publications, items, inspectors): every row, the list's
// filter and scope, Chinese headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { Server, Client, isProblem } from './harness.mjs';
import { creditCode } from './codes.mjs';

const MQ = '8000001';
let srv, admin, leader, ins = {}, ids = {}, ra, plan, draw, task, member, order;
const pdfText = (buf) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: buf, encoding: 'utf8' }).replace(/\s+/g, '');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

function refusedField(r, field) {
  isProblem(assert, r, 422);
  assert.ok(JSON.stringify(r.data.errors ?? r.data).includes(field), JSON.stringify(r.data));
}

// A handwritten signature as the phone page sends it: a greyscale PNG, white with a dark stroke.
function signaturePng(w = 240, h = 80) {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0;
  const raw = Buffer.alloc((w + 1) * h, 255);
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = 0;
    for (let x = 10; x < w - 10; x++) if (Math.abs(y - (h / 2 + Math.round(20 * Math.sin(x / 15)))) < 2) raw[y * (w + 1) + 1 + x] = 20;
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function signedIn(username) {
  const c = new Client(srv.url);
  const r = await c.signIn(username);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  ids[username] = r.data.user.id;
  return c;
}

before(async () => {
  srv = new Server({ args: ['--public-url', 'https://yijian.example.gov.cn/'] });
  await srv.start();
  srv.addUser('d.admin', 'admin', '330300');
  srv.addUser('d.leader', 'leader', '330300');
  for (let i = 0; i < 3; i++) srv.addUser(`d.i${i}`, 'inspector', '330302');
  srv.addUser('d.ra', 'inspector', '330381');
  admin = await signedIn('d.admin');
  leader = await signedIn('d.leader');
  for (let i = 0; i < 3; i++) { const c = await signedIn(`d.i${i}`); ins[ids[`d.i${i}`]] = c; }
  ra = await signedIn('d.ra');
  for (let i = 0; i < 3; i++) {
    const r = await admin.req('PUT', `/api/v1/inspection/inspectors/${ids[`d.i${i}`]}`, { cert_no: `33030${i}0001` });
    assert.equal(r.status, 200, JSON.stringify(r.data));
  }
  for (let i = 0; i < 2; i++) {
    const r = await admin.post('/api/v1/institutions', {
      credit_code: creditCode('52330302', String(41000000 + i)), name: `鹿城文书诊所${i}`, type: 'clinic', level: 'none',
      ownership: 'private', profit: 'forprofit', region_code: '330302', clinical_depts: ['03'], lng: 120.65, lat: 28.01,
    });
    assert.equal(r.status, 201, JSON.stringify(r.data));
  }
  let r = await leader.post('/api/v1/inspection/plans', { name: '2026年鹿城区文书抽查', kind: 'annual', item_ids: [MQ],
    region_code: '330302', ratio_permille: 500, start_date: '2026-03-01', end_date: '2026-11-30', team_size: 2 });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  plan = r.data;
  r = await leader.post(`/api/v1/inspection/plans/${plan.id}/commit`);
  assert.equal(r.status, 201, JSON.stringify(r.data));
  draw = r.data;
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('the draw record sheet: refused before the draw, then numbered with the draw\'s public values', async () => {
  isProblem(assert, await leader.post(`/api/v1/inspection/draws/${draw.id}/record`), 409);
  const d = await leader.post(`/api/v1/inspection/draws/${draw.id}/draw`, { witness: '福彩3D 2026100 期 512' });
  assert.equal(d.status, 200, JSON.stringify(d.data));
  const inspector = Object.values(ins)[0];
  isProblem(assert, await inspector.post(`/api/v1/inspection/draws/${draw.id}/record`), 403);
  const r = await leader.post(`/api/v1/inspection/draws/${draw.id}/record`);
  assert.equal(r.status, 201, JSON.stringify(r.data));
  assert.equal(r.data.number, '温鹿卫抽〔2026〕1号');
  assert.equal(r.data.title, '双随机抽查记录表');
  const pdf = await leader.get(r.data.pdf_url);
  assert.equal(pdf.status, 200);
  assert.equal(sha256(pdf.data), r.data.sha256);
  const text = pdfText(pdf.data);
  for (const s of ['双随机抽查记录表', '温州市鹿城区卫生健康局', '温鹿卫抽〔2026〕1号', '2026年鹿城区文书抽查', d.data.seed, '福彩3D'])
    assert.ok(text.includes(s.replace(/\s+/g, '')), `${s} in the record sheet`);
  const again = await leader.post(`/api/v1/inspection/draws/${draw.id}/record`);
  assert.equal(again.status, 200, 'asked again: the issued one');
  assert.equal(again.data.id, r.data.id);
  task = (await leader.get(`/api/v1/inspection/draws/${draw.id}`)).data.tasks[0];
  assert.ok(text.includes(task.subject_name));
});

test('inspection record and supervision opinion of a completed task; the rectification notice', async () => {
  member = ins[task.team[0].id];
  const url = `/api/v1/inspection/tasks/${task.id}`;
  isProblem(assert, await member.post(`${url}/documents/inspection_record`), 409);
  isProblem(assert, await member.post(`${url}/documents/penalty_decision`), 404);
  let r = await member.post(`${url}/checkin`, { lng: 120.654321, lat: 28.012345 });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const points = r.data.checklist.map((p) => p.code);
  for (const [i, code] of points.entries()) {
    r = await member.req('PUT', `${url}/checklist/${code}`, i === 1 ? { result: 'non_compliant', note: '超出核准诊疗科目' } : { result: 'compliant' });
    assert.equal(r.status, 200, JSON.stringify(r.data));
  }
  r = await member.post(`${url}/findings`, { point_code: points[1], severity: 'general', description: '开展超范围诊疗活动' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const finding = r.data.id;
  // The handwritten signature: a PNG attached to the task, then named by its SHA-256 in the record.
  const png = signaturePng();
  refusedField(await member.post(`${url}/signature`, { signed: true, signer_name: '王某某', image_sha256: 'a'.repeat(64) }), 'image_sha256');
  refusedField(await member.post(`${url}/signature`, { signed: true, signer_name: '王某某', image_sha256: 'XYZ' }), 'image_sha256');
  const pdfUp = await member.req('POST', `${url}/attachments?name=a.pdf`, Buffer.from('%PDF-1.4\n%%EOF\n'), { 'content-type': 'application/octet-stream' });
  assert.equal(pdfUp.status, 201, JSON.stringify(pdfUp.data));
  refusedField(await member.post(`${url}/signature`, { signed: true, signer_name: '王某某', image_sha256: pdfUp.data.sha256 }), 'image_sha256');
  const up = await member.req('POST', `${url}/attachments?name=${encodeURIComponent('手写签名.png')}`, png, { 'content-type': 'application/octet-stream' });
  assert.equal(up.status, 201, JSON.stringify(up.data));
  assert.equal(up.data.sha256, sha256(png));
  r = await member.post(`${url}/signature`, { signed: true, signer_name: '王某某', image_sha256: up.data.sha256 });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.signature.image_sha256, sha256(png));
  assert.equal((await member.get(url)).data.signature.image_sha256, sha256(png), 'kept in the record');
  const leaves = (await leader.get('/api/v1/audit/leaves?limit=50')).data.items;
  assert.ok(leaves.some((l) => l.action === 'inspection.task.signature' && l.object_id === task.id), 'an audit leaf of the signature');
  r = await member.post(`${url}/complete`, { summary: '发现超范围执业，责令整改' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  r = await member.post(`${url}/rectifications`, { requirement: '立即停止超范围诊疗活动', working_days: 10, finding_id: finding });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  order = r.data;

  const rec = await member.post(`${url}/documents/inspection_record`);
  assert.equal(rec.status, 201, JSON.stringify(rec.data));
  assert.equal(rec.data.number, '温鹿卫检〔2026〕1号');
  let text = pdfText((await member.get(rec.data.pdf_url)).data);
  for (const s of ['现场检查笔录', task.subject_name, '开展超范围诊疗活动', '不符合', '王某某', '发现超范围执业，责令整改', '东经120.654321', '执法证号',
    '被检查单位签字：', `签名图像SHA-256：${sha256(png)}`])
    assert.ok(text.includes(s), `${s} in the inspection record`);
  // The drawing itself is on the page: one image of the PNG's size.
  const images = execFileSync('pdfimages', ['-list', '-'], { input: (await member.get(rec.data.pdf_url)).data, encoding: 'utf8' });
  assert.match(images, /\s\d+\s+0\s+image\s+240\s+80\s+gray\s/, images);
  const op = await member.post(`${url}/documents/supervision_opinion`);
  assert.equal(op.status, 201, JSON.stringify(op.data));
  assert.equal(op.data.number, '温鹿卫监意〔2026〕1号');
  text = pdfText((await member.get(op.data.pdf_url)).data);
  for (const s of ['卫生监督意见书', task.subject_name, '开展超范围诊疗活动', '立即停止超范围诊疗活动', order.deadline])
    assert.ok(text.includes(s), `${s} in the supervision opinion`);
  const again = await member.post(`${url}/documents/inspection_record`);
  assert.equal(again.status, 200);
  assert.equal(again.data.number, rec.data.number);

  const n = await member.post(`/api/v1/inspection/rectifications/${order.id}/notice`);
  assert.equal(n.status, 201, JSON.stringify(n.data));
  assert.equal(n.data.number, '温鹿卫责改〔2026〕1号');
  text = pdfText((await member.get(n.data.pdf_url)).data);
  for (const s of ['整改通知书', task.subject_name, '立即停止超范围诊疗活动', '开展超范围诊疗活动', order.deadline, '10个工作日'])
    assert.ok(text.includes(s), `${s} in the rectification notice`);
  // The public verification knows the number.
  const v = await new Client(srv.url).get(`/api/v1/public/documents/verify?no=${encodeURIComponent(n.data.number)}&sha256=${n.data.sha256}`);
  assert.equal(v.status, 200, JSON.stringify(v.data));
  assert.equal(v.data.sha256_matches, true);
});

test('another county does not see them', async () => {
  isProblem(assert, await ra.post(`/api/v1/inspection/tasks/${task.id}/documents/inspection_record`), 404);
  isProblem(assert, await ra.post(`/api/v1/inspection/rectifications/${order.id}/notice`), 404);
});

test('exports of plans, publications, items and inspectors: the list\'s filters and scope', async () => {
  const csv = async (c, p) => {
    const r = await c.get(p);
    assert.equal(r.status, 200, p);
    return r.data.toString('utf8').replace(/"/g, '');
  };
  let t = await csv(leader, '/api/v1/inspection/plans/export?format=csv');
  assert.match(t.split('\n')[0], /计划名称.*类型.*区域.*抽查比例.*状态/);
  assert.match(t, /2026年鹿城区文书抽查,年度计划,鹿城区,330302,1,50%.*已抽取/);
  assert.doesNotMatch(await csv(ra, '/api/v1/inspection/plans/export?format=csv'), /文书抽查/, 'another county\'s plans');
  t = await csv(leader, '/api/v1/inspection/publications/export?format=csv');
  assert.match(t.split('\n')[0], /被检查机构.*检查类型.*检查结果.*公示期限/);
  assert.ok(t.includes(`${task.subject_name},双随机抽查,发现问题,鹿城区`), t);
  assert.ok(!(await csv(leader, '/api/v1/inspection/publications/export?format=csv&overdue=true')).includes(task.subject_name));
  t = await csv(leader, '/api/v1/inspection/items/export?format=csv&active=true');
  assert.match(t.split('\n')[0], /事项编码.*事项名称.*检查依据.*检查要点数/);
  assert.match(t, /医疗机构依法执业/);
  t = await csv(leader, '/api/v1/inspection/inspectors/export?format=csv');
  assert.match(t.split('\n')[0], /姓名.*执法证号.*部门.*区域/);
  for (let i = 0; i < 3; i++) assert.ok(t.includes(`33030${i}0001`), t);
  const x = await leader.get('/api/v1/inspection/inspectors/export');
  assert.equal(x.status, 200);
  assert.match(x.type, /spreadsheetml/);
  assert.equal(x.data.subarray(0, 2).toString(), 'PK');
});
