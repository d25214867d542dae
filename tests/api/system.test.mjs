// /healthz, /metrics, the OpenAPI document (checked against the router), pagination and logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Client, freePort, isProblem } from './harness.mjs';

let srv, c, opUrl;
before(async () => {
  const op = await freePort();
  opUrl = `http://127.0.0.1:${op}`;
  srv = new Server({ args: ['--operator-listen', `127.0.0.1:${op}`] });
  await srv.start();
  srv.addUser('sys.leader', 'leader', '330000');
  c = new Client(srv.url);
  await c.signIn('sys.leader');
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('healthz reports the engine and schema version', async () => {
  const r = await (await fetch(srv.url + '/healthz')).json();
  assert.equal(r.status, 'ok');
  assert.ok(['sqlite', 'postgresql'].includes(r.engine));
  assert.ok(r.schema_version >= 2);
});

test('metrics count requests by route and status, with histograms and store figures', async () => {
  await c.get('/api/v1/regions?limit=5');
  await c.get('/api/v1/regions?limit=0');
  // Unauthenticated only on the operator listener (tests/api/front.test.mjs covers the public one).
  const text = await (await fetch(opUrl + '/metrics')).text();
  assert.match(text, /yijian_http_requests_total\{method="GET",route="\/api\/v1\/regions",status="200"\} \d+/);
  assert.match(text, /yijian_http_requests_total\{method="GET",route="\/api\/v1\/regions",status="400"\} \d+/);
  assert.match(text, /yijian_http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/regions",status="200",le="\+Inf"\}/);
  assert.match(text, /yijian_store_connections\{engine="\w+"\} \d+/);
});

test('OpenAPI 3.1 describes every route the server answers', async () => {
  const doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
  assert.equal(doc.openapi, '3.1.0');
  const expect = [
    ['post', '/api/v1/session'], ['get', '/api/v1/session'], ['delete', '/api/v1/session'],
    ['get', '/api/v1/regions'], ['get', '/api/v1/regions/{code}'], ['get', '/api/v1/users'],
    ['get', '/api/v1/audit/sth'], ['get', '/healthz'], ['get', '/metrics'],
  ];
  for (const [m, p] of expect) assert.ok(doc.paths[p]?.[m], `${m} ${p} documented`);
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      assert.ok(op.summary, `${m} ${p} has a summary`);
      assert.ok(op.responses.default, `${m} ${p} documents errors`);
      // every path parameter in the template is declared
      for (const name of p.matchAll(/\{(\w+)\}/g)) assert.ok(op.parameters.some((x) => x.in === 'path' && x.name === name[1]));
    }
  }
});

test('every documented GET that needs no parameters answers, so no route is undocumented or dead', async () => {
  const doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
  // Exact answers: 200, or 400 for the routes that cannot answer without a parameter.
  const needs = { '/api/v1/institutions/stats': 'group', '/api/v1/practitioners/stats': 'group',
    '/api/v1/claims/summary': 'run', '/api/v1/claims/physicians': 'run', '/api/v1/calendar': 'year', '/api/v1/calendar/working-days': 'from',
    '/api/v1/public/audit/leaves': 'start',
    '/api/v1/public/documents/verify': 'no',
    '/api/v1/credit/check': 'subject', '/api/v1/credit/export/shuanggongshi': 'kind', '/api/v1/public/credit': 'q' };
  // Routes this caller (a leader) may not use: /metrics is for administrators on the public listener.
  const refused = { '/metrics': 403, '/api/v1/system/events': 403, '/api/v1/system/jobs': 403, '/api/v1/credit/outbox': 403,
    '/api/v1/open311/keys': 403 };
  // Open311 lists need the client's api_key and answer in the spec's error format (open311.test.mjs).
  const open311 = { '/open311/v2/requests.json': 403, '/open311/v2/requests.xml': 403 };
  let checked = 0;
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!item.get || p.includes('{')) continue;
    if (p.includes('proof')) continue; // need parameters
    const r = await c.get(p);
    if (open311[p]) {
      assert.equal(r.status, open311[p], p);
    } else if (refused[p]) {
      isProblem(assert, r, refused[p]);
    } else if (needs[p]) {
      // A route with a required query parameter: a 400 that names it, not a crash or a 404.
      isProblem(assert, r, 400);
      assert.ok(r.data.errors?.some((e) => e.field === needs[p]) || r.data.detail.includes(needs[p]), `${p}: ${JSON.stringify(r.data)}`);
    } else {
      assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.data).slice(0, 500)}`);
    }
    checked++;
  }
  assert.ok(checked > 40, `checked ${checked} routes`);
});

test('cursor pagination walks a list without gaps or repeats', async () => {
  const seen = [];
  let cursor = null;
  for (let i = 0; i < 20; i++) {
    const r = await c.get('/api/v1/regions?parent=330300&limit=3' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    assert.equal(r.status, 200);
    seen.push(...r.data.items.map((x) => x.code));
    cursor = r.data.next_cursor;
    if (!cursor) break;
  }
  const all = await c.get('/api/v1/regions?parent=330300&limit=200');
  assert.deepEqual(seen, all.data.items.map((x) => x.code));
  assert.equal(new Set(seen).size, seen.length);
});

test('logs are JSON lines without passwords or query strings', async () => {
  await new Client(srv.url).signIn('sys.leader', 'secret-wrong-pw');
  await c.get('/api/v1/users?q=13812345678');
  const lines = srv.logs.split('\n').filter((l) => l.startsWith('{'));
  assert.ok(lines.length > 5);
  for (const l of lines) JSON.parse(l);
  assert.doesNotMatch(srv.logs, /secret-wrong-pw/);
  assert.doesNotMatch(srv.logs, /13812345678/);
});
