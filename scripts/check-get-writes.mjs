#!/usr/bin/env node
// check-get-writes.mjs — with a read replica (serve --db-read, docs/operations.md "Read replica") the GET
// routes read the replica, and their writes must reach the primary: the read view sends a write
// transaction (store_tx and the wrappers around it) there, so a GET handler may write only inside one.
// This walks a call graph of src/**/*.c from every GET route's handler — calls, and functions named as
// values (row callbacks), but not the callbacks handed to a transaction wrapper, which run on the primary
// — and fails when a reachable function writes outside a transaction: an INSERT/UPDATE/DELETE literal,
// store_exec, or store_begin(…, 1). Crude by design (names, not types: a static function is resolved
// in its own file first; hooks called through struct pointers are not followed), so the view also sends
// any non-SELECT statement outside a transaction to the primary at run time.
// Usage: node scripts/check-get-writes.mjs [--root DIR] [--list]   (--list: the GET routes that write
// through a transaction; exit 1 on a write outside one)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const ri = args.indexOf('--root');
const root = ri >= 0 ? args[ri + 1] : new URL('..', import.meta.url).pathname;
const list = args.includes('--list');

// Reviewed: reachable, but not a write. "path function: why".
const REVIEWED = new Map([
  ['src/registry/record.c build_sql', 'builds the SQL texts once; they run only inside the registry\'s write transactions'],
]);
const TX_WRAPPERS = ['store_tx', 'store_tx_group', 'store_tx_group_deferred', 'yj_tx_or_reply', 'credit_op', 'cmp_sweep'];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.c')) out.push(p);
  }
  return out;
}

// Comments out, string literals kept (SQL lives in them).
function stripComments(t) {
  return t.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g,
    (m) => (m.startsWith('/') ? m.replace(/[^\n]/g, ' ') : m));
}

const funcs = new Map(); // name -> [{file, body, isStatic}]
const gets = [];
const defRe = /^(static\s+)?(?:inline\s+)?[A-Za-z_][\w \*]*?\b([A-Za-z_]\w*)\s*\(([^;{]*)\)\s*\n\{/gm;
for (const path of walk(join(root, 'src'))) {
  const file = relative(root, path);
  const text = stripComments(readFileSync(path, 'utf8'));
  for (const m of text.matchAll(defRe)) {
    const start = m.index + m[0].length - 1;
    const end = text.indexOf('\n}', start);
    const body = text.slice(start, end < 0 ? undefined : end + 2);
    if (!funcs.has(m[2])) funcs.set(m[2], []);
    funcs.get(m[2]).push({ file, body, isStatic: !!m[1] });
  }
  for (const m of text.matchAll(/\{\s*"GET",\s*"([^"]+)",\s*([A-Za-z_]\w*)/g)) gets.push({ path: m[1], handler: m[2], file });
}

function resolve(name, fromFile) {
  const ds = funcs.get(name) ?? [];
  const same = ds.filter((d) => d.file === fromFile);
  return same.length ? same : ds.filter((d) => !d.isStatic);
}

// Names a body calls or takes as a value, minus the callbacks given to a transaction wrapper.
function referenced(body) {
  const tx = new Set();
  for (const w of TX_WRAPPERS)
    for (const m of body.matchAll(new RegExp(`\\b${w}\\s*\\(([^;]*)`, 'g')))
      for (const id of m[1].matchAll(/[A-Za-z_]\w*/g)) tx.add(id[0]);
  const out = new Set();
  const noStrings = body.replace(/"(?:\\.|[^"\\\n])*"/g, '""');
  for (const m of noStrings.matchAll(/(?<![>.\w])([A-Za-z_]\w*)\b/g))
    if (funcs.has(m[1]) && !tx.has(m[1])) out.add(m[1]);
  return out;
}

const WRITE = /"\s*(INSERT\s+INTO|UPDATE\s+[\w%]+\s+SET|DELETE\s+FROM)\b|\bstore_exec\s*\(|\bstore_begin\s*\([^,]*,\s*1\s*\)/i;
const writers = new Map(); // "file fn" -> Set(route)
const txRoutes = new Set();
for (const g of gets) {
  const seen = new Set();
  const stack = resolve(g.handler, g.file).map((d) => [g.handler, d]);
  while (stack.length) {
    const [name, d] = stack.pop();
    const key = `${d.file} ${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // the transactions themselves: store_tx, and group commit's, whose leader begins a write transaction (on the
    // primary, through the view) for its members
    if (['store_tx', 'store_tx_group', 'store_tx_group_deferred'].includes(name)) { txRoutes.add(g.path); continue; }
    if (WRITE.test(d.body) && !REVIEWED.has(key)) {
      if (!writers.has(key)) writers.set(key, new Set());
      writers.get(key).add(g.path);
    }
    for (const c of referenced(d.body)) for (const cd of resolve(c, d.file)) stack.push([c, cd]);
  }
}

if (list) for (const p of [...txRoutes].sort()) console.log(`GET ${p} writes through a transaction (on the primary)`);
for (const [key, routes] of writers)
  console.error(`${key} writes outside a transaction and is reached from GET ${[...routes].slice(0, 5).join(', ')}` +
    `${routes.size > 5 ? ` and ${routes.size - 5} more` : ''}: write inside store_tx, or the read replica would get the write`);
console.error(`check-get-writes: ${gets.length} GET routes, ${txRoutes.size} write through a transaction, ` +
  `${writers.size} functions write outside one`);
process.exit(writers.size ? 1 : 0);
