// sql.mjs — rules.sql for one dialect ('duckdb' or 'sqlite'), split into timed sections, and the
// statements that load the claims and the rule, registry and death tables in each engine.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const MACROS = {
	duckdb: {
		DAYS: (a, b) => `((${a}) - (${b}))`,
		YMD: (d) => `(year(${d}) * 10000 + month(${d}) * 100 + day(${d}))`,
		MONTH: (d) => `(year(${d}) * 12 + month(${d}) - 1)`,
	},
	sqlite: {
		DAYS: (a, b) => `CAST(julianday(${a}) - julianday(${b}) AS INTEGER)`,
		YMD: (d) => `CAST(replace(${d}, '-', '') AS INTEGER)`,
		MONTH: (d) => `(CAST(substr(${d}, 1, 4) AS INTEGER) * 12 + CAST(substr(${d}, 6, 2) AS INTEGER) - 1)`,
	},
};

// Expands @NAME(arg, …) with balanced parentheses; arguments may hold macros themselves.
export function expand(sql, dialect) {
	const m = MACROS[dialect];
	if (!m) throw new Error(`unknown dialect ${dialect}`);
	let out = '';
	let i = 0;
	for (;;) {
		const at = sql.indexOf('@', i);
		if (at < 0) return out + sql.slice(i);
		const name = /^@([A-Z]+)\(/.exec(sql.slice(at));
		if (!name || !m[name[1]]) {
			out += sql.slice(i, at + 1);
			i = at + 1;
			continue;
		}
		out += sql.slice(i, at);
		let depth = 1, j = at + name[0].length, start = j;
		const args = [];
		for (; depth > 0; j++) {
			if (j >= sql.length) throw new Error(`unbalanced @${name[1]}(`);
			const ch = sql[j];
			if (ch === '(') depth++;
			else if (ch === ')') depth--;
			if ((ch === ',' && depth === 1) || depth === 0) {
				args.push(expand(sql.slice(start, j).trim(), dialect));
				start = j + 1;
			}
		}
		out += m[name[1]](...args);
		i = j;
	}
}

// [{name, sql}] in file order; sql holds one or more statements separated by ';'.
export function sections(dialect) {
	const text = readFileSync(join(here, 'rules.sql'), 'utf8');
	const out = [];
	let cur = null;
	for (const line of text.split('\n')) {
		const m = /^-- @section (\w+)\s*$/.exec(line);
		if (m) {
			cur = { name: m[1], sql: '' };
			out.push(cur);
		} else if (cur) {
			cur.sql += line + '\n';
		}
	}
	for (const s of out) s.sql = expand(s.sql, dialect).trim();
	return out;
}

// Splits a section into statements (no ';' occurs inside the literals of rules.sql).
export function statements(sql) {
	return sql.split(/;\s*(?:\n|$)/).map((s) => s.replace(/^(\s*--[^\n]*\n)+/, '').trim()).filter((s) => s && !/^(--[^\n]*\n?)+$/.test(s));
}

export function quoteLit(s) {
	return `'${String(s).replace(/'/g, "''")}'`;
}

function ident(s) {
	return `"${String(s).replace(/"/g, '""')}"`;
}

// The claims CSV's header: column names in file order.
export function headerOf(path) {
	const fd = openSync(path, 'r');
	const buf = Buffer.alloc(65536);
	const n = readSync(fd, buf, 0, buf.length, 0);
	closeSync(fd);
	let line = buf.subarray(0, n).toString('utf8').split('\n')[0].replace(/\r$/, '').replace(/^\uFEFF/, '');
	return line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

const DATE_COLS = new Set(['birth_date', 'admit_date', 'discharge_date', 'service_date']);
const TEXT_COLS = ['claim_id', 'patient_id', 'sex', 'institution_code', 'physician_id', 'dept_code', 'visit_type',
	'diagnosis', 'item_code', 'item_type'];
export const REQUIRED = ['claim_id', 'line_no', 'patient_id', 'sex', 'birth_date', 'institution_code', 'physician_id',
	'dept_code', 'visit_type', 'admit_date', 'discharge_date', 'service_date', 'diagnosis', 'item_code', 'item_name',
	'item_type', 'quantity', 'unit_price', 'amount', 'days_supply'];

// The typed claims table built from the CSV's text columns (src is the source relation).
function claimsSelect(dialect, src) {
	const cols = [];
	for (const c of TEXT_COLS) cols.push(`${c}`);
	if (dialect === 'duckdb') {
		cols.push('line_no');
		for (const d of DATE_COLS) cols.push(d);
		cols.push('CAST(quantity * 1000 AS BIGINT) AS quantity', 'CAST(unit_price * 100 AS BIGINT) AS unit_price',
			'CAST(amount * 100 AS BIGINT) AS amount', 'days_supply');
	} else {
		cols.push('CAST(line_no AS INTEGER) AS line_no');
		for (const d of DATE_COLS) cols.push(`NULLIF(${d}, '') AS ${d}`);
		cols.push('CAST(round(CAST(quantity AS REAL) * 1000) AS INTEGER) AS quantity',
			'CAST(round(CAST(unit_price AS REAL) * 100) AS INTEGER) AS unit_price',
			'CAST(round(CAST(amount AS REAL) * 100) AS INTEGER) AS amount',
			"CAST(NULLIF(days_supply, '') AS INTEGER) AS days_supply");
	}
	return `SELECT ${cols.join(', ')} FROM ${src}`;
}

const SMALL = (o) => [
	['rules', join(o.rules, 'rules.csv')],
	['item_lists', join(o.rules, 'item_lists.csv')],
	['institutions', join(o.registry, 'institutions.csv')],
	['physicians', join(o.registry, 'physicians.csv')],
	['deaths', o.deaths],
];

// DuckDB: statements that load every table. header: the claims CSV's column names in order.
export function duckdbLoad(o, header) {
	const type = (c) => (DATE_COLS.has(c) ? 'DATE' : c === 'line_no' || c === 'days_supply' ? 'INTEGER'
		: c === 'quantity' ? 'DECIMAL(18,3)' : c === 'unit_price' || c === 'amount' ? 'DECIMAL(18,2)' : 'VARCHAR');
	const cols = header.map((c) => `${quoteLit(c)}: '${type(c)}'`).join(', ');
	const out = [];
	for (const [t, p] of SMALL(o)) {
		const src = `read_csv(${quoteLit(p)}, header = true, delim = ',', quote = '"', escape = '"', all_varchar = true)`;
		out.push(t === 'deaths'
			? `CREATE TABLE deaths AS SELECT patient_id, CAST(death_date AS DATE) AS death_date FROM ${src}`
			: `CREATE TABLE ${t} AS SELECT * FROM ${src}`);
	}
	const src = `read_csv(${quoteLit(o.claims)}, header = true, delim = ',', quote = '"', escape = '"', ` +
		`auto_detect = false, columns = {${cols}})`;
	out.push(`CREATE TABLE claims AS ${claimsSelect('duckdb', src)}`);
	return out;
}

// SQLite (sqlite3 shell): a script that loads every table. Claims are imported as text and
// then typed into `claims`, as the shell's .import has no types.
export function sqliteLoad(o, header) {
	const lines = [];
	for (const [t, p] of SMALL(o)) lines.push(`.import --csv ${quoteLit(p)} ${t}`);
	lines.push(`CREATE TABLE claims_csv (${header.map((c) => `${ident(c)} TEXT`).join(', ')});`);
	lines.push(`.import --csv --skip 1 ${quoteLit(o.claims)} claims_csv`);
	lines.push(`CREATE TABLE claims AS ${claimsSelect('sqlite', 'claims_csv')};`);
	lines.push('DROP TABLE claims_csv;');
	return lines;
}
