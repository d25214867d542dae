#!/usr/bin/env node
// check-ownership.mjs — every table has one owner, and only its owner's source names it in SQL.
// Owners come from the module descriptors (src/<dir>/*_module.c: `.name = "…"` and the `tables[]` list);
// a source file belongs to the module whose descriptor sits in the same top-level folder of src/
// (src/platform/** → platform, src/registry/** → registry, …); files in folders without a descriptor
// (src/cli, src/gen, src/base) own no table. SQL is read from C string literals (adjacent literals
// joined): a table named after FROM, JOIN, INTO, UPDATE or TABLE, or a literal that opens a brace
// initialiser and starts with a table name (a yj_table for the scoped query builder). It also checks
// that docs/development.md lists the same owners. Other modules read through the owner's header.
// Columns too: a literal that reads as SQL (a `?`, WHERE, ORDER BY, LIKE, …) and names none of its
// module's own tables must not compare, match or order by a column that only another module's tables
// have (columns from the owners' migrations: CREATE TABLE and ALTER TABLE … ADD). That catches a
// reader writing conditions on the owner's scoped table (yj_reg_table) instead of calling its header.
// Headers too: outside a capability's folder only its <cap>.h is included (src/cli and src/gen
// included), and src/platform includes no capability header.
// Usage: node scripts/check-ownership.mjs [--root DIR]   (exit 1 on a violation)
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const root = args[0] === '--root' ? args[1] : new URL('..', import.meta.url).pathname;
const src = join(root, 'src');

// Reads of another module's tables that wait for their fix. Each line: "path table". Inspection's
// reads of platform and registry tables are being moved behind the owners' headers (issue 10, items
// 2 and 3, the inspection split); empty this list as they go, never add to it.
const TEMPORARY = `
`.trim().split('\n').map((l) => l.trim()).filter(Boolean);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.[ch]$/.test(name)) out.push(p);
  }
  return out;
}

// C string literals of a file, adjacent ones joined, with the offset each starts at.
function literals(text) {
  const noComments = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
  const out = [];
  const re = /"((?:[^"\\\n]|\\.)*)"/g;
  let m, last = null;
  while ((m = re.exec(noComments))) {
    const between = last ? noComments.slice(last.end, m.index) : null;
    if (last && /^\s*$/.test(between)) {
      last.s += m[1];
      last.end = re.lastIndex;
    } else {
      last = { s: m[1], at: m.index, end: re.lastIndex, before: noComments.slice(Math.max(0, m.index - 120), m.index) };
      out.push(last);
    }
  }
  return out;
}

const modules = []; // {name, dir, tables}
for (const dir of readdirSync(src)) {
  const d = join(src, dir);
  if (!statSync(d).isDirectory()) continue;
  for (const f of readdirSync(d).filter((n) => /_module\.c$/.test(n))) {
    const text = readFileSync(join(d, f), 'utf8');
    const name = /\.name\s*=\s*"([a-z_]+)"/.exec(text)?.[1];
    const block = /tables\[\]\s*=\s*\{([^}]*)\}/.exec(text)?.[1] ?? '';
    const tables = [...block.matchAll(/"([a-z_0-9]+)"/g)].map((x) => x[1]);
    if (name) modules.push({ name, dir, tables });
  }
}
const problems = [];
const owner = new Map();
for (const m of modules)
  for (const t of m.tables) {
    if (owner.has(t)) problems.push(`table ${t} is owned by both ${owner.get(t)} and ${m.name}`);
    owner.set(t, m.name);
  }
if (!owner.size) problems.push('no module descriptor found under ' + src);
const moduleOfDir = new Map(modules.map((m) => [m.dir, m.name]));

const allowed = new Set(TEMPORARY);
const used = new Set();
for (const file of walk(src)) {
  const rel = relative(root, file).split('\\').join('/');
  const mod = moduleOfDir.get(rel.split('/')[1]) ?? `(${rel.split('/')[1]}, no module)`;
  const text = readFileSync(file, 'utf8');
  for (const lit of literals(text)) {
    const named = new Set();
    for (const m of lit.s.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?)\s+([a-z_][a-z0-9_]*)/gi))
      named.add(m[1]);
    const first = /^([a-z_][a-z0-9_]*)(?:\s|$)/.exec(lit.s);
    // a scoped-table declaration: `const yj_table x = {"table", …}` (not any brace: field lists start so too)
    if (first && /yj_table\s+\w+\s*=\s*\{\s*$/.test(lit.before)) named.add(first[1]);
    for (const t of named) {
      const o = owner.get(t);
      if (!o || o === mod) continue;
      const key = `${rel} ${t}`;
      if (allowed.has(key)) {
        used.add(key);
        continue;
      }
      const line = text.slice(0, lit.at).split('\n').length;
      problems.push(`${rel}:${line}: module ${mod} names table ${t}, owned by ${o}; read it through ${o}'s header`);
    }
  }
}
// ---- columns: another module's column in a condition or ordering ----
const columnsOf = new Map(); // module name -> Set of its tables' columns
for (const m of modules) {
  const set = new Set();
  const md = join(src, m.dir, 'migrations');
  for (const f of existsSync(md) ? readdirSync(md).filter((n) => n.endsWith('.sql')) : []) {
    const sql = readFileSync(join(md, f), 'utf8').replace(/--[^\n]*/g, '');
    for (const t of sql.matchAll(/CREATE TABLE(?:\s+IF NOT EXISTS)?\s+\w+\s*\(/gi)) {
      // the column definitions: the items at depth 1 of the parenthesis, less the table constraints
      let i = t.index + t[0].length, depth = 1, start = i;
      const items = [];
      for (; i < sql.length && depth; i++) {
        const ch = sql[i];
        if (ch === '(') depth++;
        else if (ch === ')' && --depth === 0) items.push(sql.slice(start, i));
        else if (ch === ',' && depth === 1) {
          items.push(sql.slice(start, i));
          start = i + 1;
        }
      }
      for (const it of items) {
        const w = /^\s*([a-z_][a-z0-9_]*)/i.exec(it)?.[1];
        if (w && !/^(primary|unique|foreign|check|constraint)$/i.test(w)) set.add(w.toLowerCase());
      }
    }
    for (const a of sql.matchAll(/ALTER TABLE\s+\w+\s+ADD(?:\s+COLUMN)?\s+([a-z_][a-z0-9_]*)/gi)) set.add(a[1].toLowerCase());
  }
  columnsOf.set(m.name, set);
}
const SQLISH = /\?|\b(WHERE|ORDER BY|GROUP BY|LIKE|IS (NOT )?NULL|SELECT)\b/;
for (const file of walk(src)) {
  const rel = relative(root, file).split('\\').join('/');
  const mod = moduleOfDir.get(rel.split('/')[1]);
  const own = columnsOf.get(mod) ?? new Set();
  const foreign = new Map(); // column -> its owner, for columns no table of mod has
  for (const [o, set] of columnsOf) if (o !== mod) for (const col of set) if (!own.has(col)) foreign.set(col, o);
  const text = readFileSync(file, 'utf8');
  for (const lit of literals(text)) {
    // markup (`<?xml version="1.0"?>`) has a `?` too, and is never SQL
    if (!SQLISH.test(lit.s) || /^\s*</.test(lit.s)) continue;
    const tables = [...lit.s.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_][a-z0-9_]*)/gi)].map((x) => x[1]);
    if (tables.some((t) => owner.get(t) === mod)) continue; // a statement on its own tables
    const named = new Set();
    for (const x of lit.s.matchAll(/(?:\b[a-z]\.)?\b([a-z_][a-z0-9_]*)\s*(?:=|<>|!=|<=|>=|<|>|\bIN\s*\(|\bNOT\s+LIKE\b|\bLIKE\b|\bIS\b)/g))
      named.add(x[1]);
    for (const x of lit.s.matchAll(/\b(?:ORDER|GROUP) BY\s+(?:[a-z]\.)?([a-z_][a-z0-9_]*)/g)) named.add(x[1]);
    for (const col of named) {
      if (!foreign.has(col)) continue;
      const line = text.slice(0, lit.at).split('\n').length;
      problems.push(`${rel}:${line}: module ${mod ?? '(none)'} writes SQL on column ${col} of ${foreign.get(col)}'s tables; ask ${foreign.get(col)}'s header instead`);
    }
  }
}

// ---- headers: a capability's interface is its <cap>.h ----
// A file outside a capability's folder includes of it only src/<cap>/<cap>.h (which may include the
// capability's other public headers); src/cli and src/gen too. The platform includes no capability header.
const capDirs = new Set(modules.filter((m) => m.dir !== 'platform').map((m) => m.dir));
for (const file of walk(src)) {
  const rel = relative(root, file).split('\\').join('/');
  const dir = rel.split('/')[1];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((l, i) => {
    const inc = /^\s*#\s*include\s+"([^"]+)"/.exec(l)?.[1];
    if (!inc) return;
    const target = relative(src, join(file, '..', inc)).split('\\').join('/');
    const [tdir, ...rest] = target.split('/');
    if (!capDirs.has(tdir) || tdir === dir) return;
    if (dir === 'platform') problems.push(`${rel}:${i + 1}: the platform includes ${inc}; it includes no capability header`);
    else if (rest.join('/') !== `${tdir}.h`)
      problems.push(`${rel}:${i + 1}: includes ${inc}; include only ${tdir}'s interface, ${tdir}/${tdir}.h`);
  });
}

for (const key of allowed)
  if (!used.has(key)) problems.push(`temporary allowance "${key}" is no longer needed: remove it from scripts/check-ownership.mjs`);

// docs/development.md: a table "| module | tables |" under "## Table ownership".
const doc = join(root, 'docs/development.md');
if (existsSync(doc)) {
  const text = readFileSync(doc, 'utf8');
  const section = /## Table ownership\n([\s\S]*?)(\n## |$)/.exec(text)?.[1] ?? '';
  const listed = new Map();
  for (const m of section.matchAll(/^\|\s*`?([a-z_]+)`?\s*\|([^|\n]*)\|/gm))
    for (const t of m[2].matchAll(/`([a-z_0-9]+)`/g)) listed.set(t[1], m[1]);
  for (const [t, o] of owner)
    if (listed.get(t) !== o) problems.push(`docs/development.md: table ${t} should be listed under ${o} (Table ownership)`);
  for (const [t, o] of listed)
    if (!owner.has(t)) problems.push(`docs/development.md lists ${t} under ${o}, but no module descriptor owns it`);
} else {
  problems.push('docs/development.md is missing');
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`ownership: ${owner.size} tables of ${modules.length} modules, ${used.size} temporary allowances`);
