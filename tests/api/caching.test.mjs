// Caching: answers of the API carry personal data and the CSRF token, so none may be kept by a
// browser or a proxy (Cache-Control: no-store, set centrally for every answer that does not set its
// own); the console's hashed assets keep their year-long caching.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { gzipSync, brotliCompressSync, gunzipSync, brotliDecompressSync } from 'node:zlib';
import { Server, Client } from './harness.mjs';
import { creditCode, residentId } from './codes.mjs';

let srv, admin, web;
const BIG = Buffer.from('export const 医监 = ' + JSON.stringify(Array.from({ length: 2000 }, (_, i) => `行${i}`)) + ';\n');
before(async () => {
  srv = new Server();
  web = path.join(srv.dir, 'web');
  mkdirSync(path.join(web, 'assets'), { recursive: true });
  writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>医监</title>');
  writeFileSync(path.join(web, 'assets', 'app-3f2a1b.js'), 'console.log(1)');
  // A bundle with the build's precompressed copies beside it (web/vite.config.js writes them).
  writeFileSync(path.join(web, 'assets', 'big-9c8d7e.js'), BIG);
  writeFileSync(path.join(web, 'assets', 'big-9c8d7e.js.gz'), gzipSync(BIG));
  writeFileSync(path.join(web, 'assets', 'big-9c8d7e.js.br'), brotliCompressSync(BIG));
  srv.extra = ['--web', web];
  await srv.start();
  srv.addUser('cache.admin', 'admin', '330300');
  admin = new Client(srv.url);
  const r = await admin.signIn('cache.admin');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'no-store', 'the sign-in answer holds the CSRF token');
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs.slice(-2000));
  srv.cleanup();
});

test('the session (CSRF token) is not stored', async () => {
  const r = await admin.get('/api/v1/session');
  assert.equal(r.status, 200);
  assert.ok(r.data.csrf_token);
  assert.equal(r.headers.get('cache-control'), 'no-store');
});

test('lists and exports of personal data are not stored', async () => {
  const code = creditCode('52330302', '10000071');
  let r = await admin.post('/api/v1/institutions', {
    credit_code: code, name: '鹿城缓存测试诊所', type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit',
    region_code: '330302', address: '温州市某路 1 号', lng: 120.65, lat: 28.01,
  });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  r = await admin.post('/api/v1/practitioners', { name: '张缓存', id_number: residentId('33030219800101071'),
    certificate_no: '110330302000071', category: 'physician', practice_type: '临床', institution_id: code });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  for (const url of ['/api/v1/practitioners', '/api/v1/practitioners/export?format=csv', '/api/v1/users',
    '/api/v1/users/export?format=xlsx', '/api/v1/institutions/export?format=csv']) {
    r = await admin.get(url);
    assert.equal(r.status, 200, url);
    if (url === '/api/v1/practitioners') assert.equal(r.data.items.length, 1);
    assert.equal(r.headers.get('cache-control'), 'no-store', url);
  }
});

test('every GET route of the API and FHIR answers no-store, errors included', async () => {
  const doc = (await admin.get('/api/v1/openapi.json')).data;
  const paths = Object.entries(doc.paths).filter(([, ops]) => ops.get).map(([p]) => p.replace(/\{[^}]+\}/g, '330300'));
  assert.ok(paths.length > 50, `${paths.length} GET routes`);
  for (const p of paths) {
    const r = await fetch(srv.url + p, { headers: { cookie: admin.cookie } });
    await r.arrayBuffer();
    assert.match(r.headers.get('cache-control') ?? '', /(^|, )no-store$/, `GET ${p} (${r.status})`);
  }
  const anon = await fetch(srv.url + '/api/v1/users');
  assert.equal(anon.status, 401);
  assert.equal(anon.headers.get('cache-control'), 'no-store');
});

test('the console keeps its caching: hashed assets for a year, the page revalidated', async () => {
  let r = await fetch(srv.url + '/assets/app-3f2a1b.js');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  for (const p of ['/', '/index.html', '/inspection/tasks']) {
    r = await fetch(srv.url + p);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('cache-control'), 'no-cache', p);
  }
});

test('paths a module serves outside the console are never console pages: their 404 in their own format', async () => {
  // The modules register /fhir/ and /open311/ (module.h prefixes); platform names neither.
  const cases = [
    ['/fhir/NoSuchThing', 'application/fhir+json', (b) => assert.equal(JSON.parse(b).resourceType, 'OperationOutcome')],
    ['/open311/v2/no-such-thing.json', 'application/json', (b) => assert.equal(JSON.parse(b)[0].code, 404)],
    ['/open311/v2/no-such-thing.xml', 'text/xml', (b) => assert.match(b, /<errors><error><code>404<\/code>/)],
    ['/api/v1/no-such-thing', 'application/problem+json', (b) => assert.equal(JSON.parse(b).status, 404)],
  ];
  for (const [p, type, check] of cases) {
    const r = await fetch(srv.url + p);
    assert.equal(r.status, 404, p);
    assert.ok(r.headers.get('content-type').startsWith(type), `${p}: ${r.headers.get('content-type')}`);
    check(await r.text());
  }
  const page = await fetch(srv.url + '/fhirx/page');
  assert.equal(page.status, 200, 'a path only beginning like a prefix is a console route');
  assert.match(await page.text(), /<title>医监<\/title>/);
});

// One raw GET (fetch would ask for and undo the compression itself): status, headers, body bytes.
function raw(p, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(srv.url + p, { headers }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('precompressed console files: brotli or gzip as the browser accepts, the same bytes once decoded', async () => {
  let r = await raw('/assets/big-9c8d7e.js', { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], 'br');
  assert.equal(r.headers.vary, 'Accept-Encoding');
  assert.ok(r.body.length < BIG.length / 2, `${r.body.length} bytes sent for ${BIG.length}`);
  assert.deepEqual(brotliDecompressSync(r.body), BIG);
  assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');

  r = await raw('/assets/big-9c8d7e.js', { 'Accept-Encoding': 'gzip' });
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.deepEqual(gunzipSync(r.body), BIG);
  r = await raw('/assets/big-9c8d7e.js', { 'Accept-Encoding': 'br;q=0, gzip;q=0.8' });
  assert.equal(r.headers['content-encoding'], 'gzip', 'br refused with q=0');
  r = await raw('/assets/big-9c8d7e.js');
  assert.equal(r.headers['content-encoding'], undefined, 'no Accept-Encoding: the file as it is');
  assert.deepEqual(r.body, BIG);
  assert.match(r.headers['content-type'], /^text\/javascript/);

  // The copies are not files of their own; a small file without copies is sent as it is.
  assert.equal((await raw('/assets/big-9c8d7e.js.gz')).status, 404);
  r = await raw('/assets/app-3f2a1b.js', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.headers.vary, undefined);
});

test('the page revalidates by its content hash: If-None-Match answers 304 without the body', async () => {
  const first = await raw('/index.html');
  const etag = first.headers.etag;
  assert.match(etag ?? '', /^"[0-9a-f]{16}"$/);
  const again = await raw('/inspection/tasks', { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal((await raw('/', { 'If-None-Match': '"0000000000000000"' })).status, 200);
});
