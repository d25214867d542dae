// The baseline for `make bench`: yijian's /healthz and GET /api/v1/regions written the way a
// competent Node team would write them — Fastify 5 and the pure-JavaScript `pg` driver with a
// connection pool and named (server-side prepared) statements — against the SAME PostgreSQL
// database, doing the same work per request and producing byte-identical JSON bodies:
//
//   1. authenticate: SHA-256 hex of the yj_session cookie, looked up in sessions ⋈ users ⋈ regions ⋈
//      departments exactly as src/platform/auth/auth_store.c auth_session_lookup does;
//   2. scope: the caller's territory prefix (GB/T 2260, src/platform/auth/scope.c yj_region_prefix);
//   3. list: the SQL that src/registry/regions_api.c builds through src/platform/store/query.c,
//      fetching limit+1 rows to decide next_cursor (base64url of the last item's code, no padding).
//
// GET /api/v1/credit/check (bench/credit_check.mjs): the joint-punishment check, same queries and audit statements.
// GET /api/v1/cases and /api/v1/cases/{id} (bench/enforcement): src/enforcement's case list and case page,
// same queries and computed fields, byte-identical bodies on the bench's data (see there for what is not ported).
// GET /api/v1/practitioners (bench/search) does the same for the registry: the scoped query of
// src/registry/record_api.c with the name filter of record_names.c yj_reg_name_filter (numeric gram
// posting lists of name_grams, one IN each, LIKE confirming) and the exact filters, and the JSON of
// yj_reg_row + yj_reg_public. It implements every filter but id_number, which needs yijian's PII
// hashing key (answered 501 here; bench/search does not use it).
//
// Usage: node baseline/server.mjs --db postgresql://… --listen 127.0.0.1:PORT
// Environment: BASELINE_POOL (pool size, default 16), BASELINE_WORKERS (node:cluster workers,
// default 1; the pool is split between them), YJ_ENGINE and YJ_VERSION (the constant "engine" and
// "version" strings of yijian's /healthz, which the bench reads from the yijian under test).
import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import process from 'node:process';
import Fastify from 'fastify';
import pg from 'pg';

function arg(name, dflt) {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const dbUrl = arg('db', process.env.DATABASE_URL);
const listen = arg('listen', '127.0.0.1:8090');
const workers = Math.max(1, parseInt(process.env.BASELINE_WORKERS || '1', 10));
const poolSize = Math.max(1, parseInt(process.env.BASELINE_POOL || '16', 10));
const ENGINE = process.env.YJ_ENGINE || 'postgresql';
const VERSION = process.env.YJ_VERSION || '0.0.0';
if (!dbUrl) {
	console.error('usage: server.mjs --db postgresql://… --listen HOST:PORT');
	process.exit(2);
}

if (workers > 1 && cluster.isPrimary) {
	let shuttingDown = false;
	for (let i = 0; i < workers; i++) cluster.fork();
	cluster.on('exit', (w, code, sig) => {
		if (!shuttingDown) {
			console.error(`baseline: worker ${w.process.pid} died (${sig || code})`);
			process.exit(1);
		}
	});
	const stop = () => {
		shuttingDown = true;
		for (const w of Object.values(cluster.workers)) w.kill('SIGTERM');
		setTimeout(() => process.exit(0), 2000).unref();
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	console.error(`baseline listening on http://${listen}/ (pool ${poolSize} split over ${workers} workers)`);
} else {
	await serve();
}

async function serve() {
	// application_name lets bench/search tell the baseline's statements from yijian's in PostgreSQL's log.
	const pool = new pg.Pool({ connectionString: dbUrl, max: Math.max(1, Math.ceil(poolSize / workers)), application_name: 'baseline' });
	pool.on('error', (e) => console.error('baseline: idle client error:', e.message));

	// ---- SQL, verbatim from yijian (with ? numbered as $n) ----
	const HEALTH_SQL = 'SELECT COUNT(*) FROM schema_migrations'; // src/platform/store/store.c store_schema_version
	const SESSION_SQL =
		'SELECT u.id, u.username, u.display_name, u.password_hash, u.role, u.region_code, r.name, u.department, ' +
		'd.remit, u.disabled, s.id, s.csrf_token' +
		' FROM users u JOIN regions r ON r.code = u.region_code JOIN departments d ON d.code = u.department' +
		' JOIN sessions s ON s.user_id = u.id' +
		' WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0 AND s.password_version = u.password_version';
	const COLS =
		'code, name, level, parent_code, (SELECT COUNT(*) FROM regions c WHERE c.parent_code = regions.code)';

	// Named statements: prepared once per pooled connection, then only bound and executed.
	const names = new Map();
	function named(text) {
		let n = names.get(text);
		if (!n) {
			n = `q${names.size}`;
			names.set(text, n);
		}
		return n;
	}
	const q = (text, values) => pool.query({ name: named(text), text, values, rowMode: 'array' });

	const ROLES = new Set([
		'admin', 'inspector', 'legal_reviewer', 'leader', 'liaison', 'insurance_analyst', 'institution', 'grid_member',
	]);

	// ---- helpers mirroring yijian's conventions ----
	// What each role sees of a practitioner (docs/security.md; yj_pii_present in src/platform/pii/pii.c):
	// [mask with the first four digits, birth year instead of the date, sex].
	const PII_VIEW = {
		admin: [1, 1, 1], inspector: [1, 1, 1], legal_reviewer: [1, 1, 1], leader: [1, 1, 1], institution: [1, 1, 1],
		liaison: [1, 0, 0], insurance_analyst: [1, 0, 0], grid_member: [0, 0, 0],
	};
	function presentPerson(item, role) {
		const [id, year, sex] = PII_VIEW[role] ?? [0, 0, 0];
		if (!id) delete item.id_masked;
		else if (typeof item.id_masked === 'string') item.id_masked = item.id_masked.slice(0, 4).padEnd(18, '*');
		const birth = item.birth_date;
		delete item.birth_date; // a replaced key keeps its place in yijian's JSON; birth_year comes last
		if (!sex) delete item.sex;
		if (year) item.birth_year = birth === null ? null : Number(birth.slice(0, 4));
		return item;
	}
	function problem(reply, req, status, slug, title, detail, errors) {
		const p = { type: `urn:yijian:problem:${slug}`, title, status, detail, instance: req.url.split('?')[0] };
		if (errors) p.errors = errors;
		return reply.code(status).type('application/problem+json; charset=utf-8').send(JSON.stringify(p));
	}

	function json(reply, status, body) {
		return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
	}

	// The principal of a request (authenticate below) with one of roles (null: any), or null after replying
	// 500, 401 or 403 as the dispatcher does.
	async function whoOr(req, reply, roles, forbidden = '您的角色无权执行此操作，如需权限请联系系统管理员。') {
		let who;
		try {
			who = await authenticate(req);
		} catch {
			problem(reply, req, 500, 'store', '数据存储错误', '保存或读取数据时出错，请稍后重试；如仍失败请联系管理员。');
			return null;
		}
		if (!who) problem(reply, req, 401, 'unauthenticated', '未登录', '请先登录，或登录已过期，请重新登录。');
		else if (roles && !roles.has(who.role)) problem(reply, req, 403, 'forbidden', '无权操作', forbidden);
		else return who;
		return null;
	}

	// yj_page_params: ?limit, 1–200 (20 when absent), or null after replying 400.
	function limitOr(req, reply) {
		const l = req.query.limit;
		if (l === undefined) return 20;
		const v = /^-?[0-9]+$/.test(l) ? Number(l) : NaN;
		if (v >= 1 && v <= 200) return v;
		problem(reply, req, 400, 'validation', '参数错误', 'limit 必须是 1 到 200 之间的整数。', [{ field: 'limit', detail: '应为 1–200 的整数' }]);
		return null;
	}

	// ?cursor as the id to list after ('0' when absent), or null after replying 400; named: a cursor that does not
	// decode names the field, as the practitioners' list does.
	function afterOr(req, reply, named) {
		if (!req.query.cursor) return '0';
		const c = cursorDecode(req.query.cursor);
		const after = c === null ? null : idParse(c);
		if (after !== null) return after;
		const detail = 'cursor 无效，请使用上一页返回的 next_cursor。';
		if (named && c === null) problem(reply, req, 400, 'validation', '参数错误', detail, [{ field: 'cursor', detail: '无效的翻页游标' }]);
		else problem(reply, req, 400, 'validation', '参数错误', detail);
		return null;
	}

	// yj_cookie: the value of one cookie from the Cookie header.
	function cookie(header, name) {
		if (!header) return null;
		for (const part of header.split(';')) {
			const eq = part.indexOf('=');
			if (eq < 0) continue;
			if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
		}
		return null;
	}

	// query.c add_range: a subtree of codes as [prefix, next prefix), the upper bound dropped when the
// prefix is all nines. Appends the binds and returns the SQL, as yijian writes it.
function rangeSql(col, prefix, binds) {
	let hi = prefix.replace(/9+$/, '');
	binds.push(prefix);
	let sql = `${col} >= $${binds.length}`;
	if (hi.length) {
		hi = hi.slice(0, -1) + String.fromCharCode(hi.charCodeAt(hi.length - 1) + 1);
		binds.push(hi);
		sql += ` AND ${col} < $${binds.length}`;
	}
	return sql;
}

// yj_region_prefix (scope.c): strip trailing "00" pairs of a 6-digit code, never below 2 digits.
	function regionPrefix(code) {
		let s = code.length >= 16 ? code.slice(0, 15) : code;
		if (s.length === 6) while (s.length > 2 && s.endsWith('00')) s = s.slice(0, -2);
		return s;
	}

	// The authenticate hook (auth.c) for session cookies; returns the principal or null.
	async function authenticate(req) {
		const c = cookie(req.headers.cookie, 'yj_session');
		if (!c) return null;
		const hash = createHash('sha256').update(c).digest('hex');
		const { rows } = await q(SESSION_SQL, [hash, Date.now()]);
		if (rows.length === 0) return null;
		const u = rows[0];
		return {
			user_id: u[0], username: u[1], role: u[4], region_code: u[5], department: u[7], remit: u[8],
			session_id: u[10], csrf: u[11], prefix: regionPrefix(u[5]),
		};
	}

	const validCode = (s) => (s.length === 6 || s.length === 9 || s.length === 12) && /^[0-9]+$/.test(s);
	const KNOWN = new Set(['parent', 'q', 'level', 'limit', 'cursor']);

	function cursorDecode(c) {
		if (!/^[A-Za-z0-9_-]*$/.test(c)) return null;
		const b = Buffer.from(c, 'base64url');
		if (b.length === 0 || b.length > 200) return null;
		const s = b.toString('utf8');
		if (Buffer.byteLength(s) !== b.length || s.includes('\uFFFD')) return null;
		return s;
	}

	const app = Fastify({ logger: false, keepAliveTimeout: 30000 });
	app.addHook('onSend', async (req, reply, payload) => {
		reply.header('X-Content-Type-Options', 'nosniff');
		reply.header('Referrer-Policy', 'same-origin');
		return payload;
	});

	app.get('/healthz', async (req, reply) => {
		try {
			const { rows } = await q(HEALTH_SQL, []);
			return json(reply, 200, { status: 'ok', engine: ENGINE, schema_version: Number(rows[0][0]), version: VERSION });
		} catch {
			return json(reply, 503, { status: 'unavailable', engine: ENGINE });
		}
	});

	app.get('/api/v1/regions', async (req, reply) => {
		const who = await whoOr(req, reply, ROLES);
		if (!who) return reply;
		const query = req.query;
		for (const k of Object.keys(query))
			if (!KNOWN.has(k))
				return problem(reply, req, 400, 'validation', '查询参数有误', '请按提示修正查询参数后重试。', [
					{ field: k, detail: '不支持的查询参数' },
				]);
		// yj_page_params
		const limit = limitOr(req, reply);
		if (limit === null) return reply;
		let cursor = null;
		if (query.cursor) {
			cursor = cursorDecode(query.cursor);
			if (cursor === null)
				return problem(reply, req, 400, 'validation', '参数错误', 'cursor 无效，请使用上一页返回的 next_cursor。', [
					{ field: 'cursor', detail: '无效的翻页游标' },
				]);
		}
		// filtered(): the scoped query builder (query.c) — regions are scoped by code, no department column.
		const { parent, q: name, level } = query;
		if (parent !== undefined && !validCode(parent))
			return problem(reply, req, 400, 'validation', '参数错误', 'parent 应为 6 位或 9 位行政区划代码。', [
				{ field: 'parent', detail: '无效的行政区划代码' },
			]);
		if (level !== undefined && !/^[1-4]$/.test(level))
			return problem(reply, req, 400, 'validation', '参数错误', 'level 应为 1 到 4。', [
				{ field: 'level', detail: '应为 1–4' },
			]);
		const binds = [];
		let where = '1=1 AND ' + rangeSql('code', who.prefix, binds);
		if (parent !== undefined) {
			binds.push(parent);
			where += ` AND (parent_code = $${binds.length})`;
		}
		if (name) {
			binds.push(`%${name}%`);
			where += ` AND (name LIKE $${binds.length})`;
		}
		if (level !== undefined) {
			binds.push(Number(level));
			where += ` AND (level = $${binds.length})`;
		}
		if (cursor !== null) {
			binds.push(cursor);
			where += ` AND (code > $${binds.length})`;
		}
		binds.push(limit + 1);
		const sql = `SELECT ${COLS} FROM regions WHERE ${where} ORDER BY code LIMIT $${binds.length}`;
		let rows;
		try {
			({ rows } = await q(sql, binds));
		} catch {
			return problem(reply, req, 500, 'store', '数据存储错误', '保存或读取数据时出错，请稍后重试；如仍失败请联系管理员。');
		}
		const items = [];
		let next = null;
		for (let i = 0; i < rows.length; i++) {
			const r = rows[i];
			if (i >= limit) {
				next = Buffer.from(items[items.length - 1].code).toString('base64url');
				break;
			}
			const it = { code: r[0], name: r[1], level: Number(r[2]), parent_code: r[3], children_count: Number(r[4]) };
			items.push(it);
		}
		return json(reply, 200, { items, next_cursor: next });
	});

	// ---- GET /api/v1/practitioners (record_api.c yj_reg_api_list over practitioner.c's fields) ----
	const PRAC_COLS =
		'id, version, created_at, updated_at, name, certificate_no, category, practice_type, practice_scope, ' +
		'institution_id, prescription_right, antibiotic_grade, surgical_grade, insurance_physician, assessment_result, ' +
		'assessment_date, state, sex, birth_date, id_masked, id_cipher, id_hash, region_code';
	const vocab = (pairs) => {
		const m = new Map();
		for (const [code, label] of pairs) {
			m.set(code, code);
			m.set(label, code);
		}
		return m;
	};
	const VOC_CATEGORY = vocab([['physician', '医师'], ['assistant_physician', '执业助理医师'], ['nurse', '护士'], ['pharmacist', '药师'], ['technician', '医技人员']]);
	const VOC_PRACTICE = vocab([['clinical', '临床'], ['tcm', '中医'], ['dental', '口腔'], ['public_health', '公共卫生'], ['nursing', '护理'], ['pharmacy', '药学'], ['medical_tech', '医学技术']]);
	const VOC_STATE = vocab([['active', '正常执业'], ['suspended', '暂停执业'], ['revoked', '吊销执业证书'], ['retired', '注销']]);
	// The filters of practitioner_api.c in its order, which is the order of the WHERE conditions.
	const PRAC_FILTERS = [
		['q', 'name', 'name'], ['certificate_no', 'certificate_no', 'eq'], ['id_number', 'id_hash', 'hash'],
		['category', 'category', VOC_CATEGORY], ['practice_type', 'practice_type', VOC_PRACTICE], ['institution', 'institution_id', 'ref'],
		['region', 'region_code', 'region'], ['state', 'state', VOC_STATE], ['insurance_physician', 'insurance_physician', 'bool'],
	];
	const PRAC_KNOWN = new Set([...PRAC_FILTERS.map((f) => f[0]), 'limit', 'cursor']);
	// yj_id_parse: a positive decimal int64.
	const idParse = (s) => (/^[0-9]+$/.test(s) && BigInt(s) > 0n && BigInt(s) <= 9223372036854775807n ? BigInt(s).toString() : null);

	// yj_reg_name_filter (record_names.c word_grams): the first and, longer than two characters, the last
	// bigram as numbers — kind << 42 | first code point << 21 | second, kind 1 institution, 2 practitioner —
	// or for one character X the range of every gram starting with X; one IN each, then LIKE.
	const GRAM_KINDS = { institution: 1, practitioner: 2 };
	function nameFilter(text, binds, conds, objectType = 'practitioner') {
		const cp = Array.from(text).slice(0, 64).map((c) => c.codePointAt(0));
		const n = cp.length;
		if (n === 0) return;
		const base = GRAM_KINDS[objectType] * 2 ** 42, g = (a, b) => String(base + a * 2 ** 21 + b);
		const sub = [];
		if (n === 1) {
			binds.push(g(cp[0], 0), g(cp[0], 2 ** 21 - 1));
			sub.push(`id IN (SELECT object_id FROM name_grams WHERE gram BETWEEN $${binds.length - 1} AND $${binds.length})`);
		} else {
			const grams = [g(cp[0], cp[1])];
			if (n > 2) grams.push(g(cp[n - 2], cp[n - 1]));
			for (const x of grams) {
				binds.push(x);
				sub.push(`id IN (SELECT object_id FROM name_grams WHERE gram = $${binds.length})`);
			}
		}
		conds.push(sub.join(' AND '));
		binds.push(`%${text.replace(/[%_\\]/g, '\\$&')}%`);
		conds.push(`name LIKE $${binds.length} ESCAPE '\\'`);
	}

	app.get('/api/v1/practitioners', async (req, reply) => {
		const who = await whoOr(req, reply, ROLES);
		if (!who) return reply;
		const query = req.query;
		const unknown = Object.keys(query).filter((k) => !PRAC_KNOWN.has(k));
		if (unknown.length)
			return problem(reply, req, 400, 'validation', '查询参数有误', '请按提示修正查询参数后重试。',
				unknown.map((k) => ({ field: k, detail: '不支持的查询参数' })));
		// yj_page_params, then the cursor as an id
		const limit = limitOr(req, reply);
		if (limit === null) return reply;
		const after = afterOr(req, reply, true);
		if (after === null) return reply;
		// filtered(): the scope, then each filter in practitioner_api.c's order
		const binds = [];
		const scope = rangeSql('region_code', who.prefix, binds);
		const conds = [];
		const errors = [];
		for (const [param, column, op] of PRAC_FILTERS) {
			const v = query[param];
			if (typeof v !== 'string' || v === '') continue;
			let ok = true;
			if (op === 'name') {
				if (Array.from(v).length > 50) ok = false;
				else nameFilter(v, binds, conds);
			} else if (op === 'eq') {
				binds.push(v);
				conds.push(`${column} = $${binds.length}`);
			} else if (op === 'hash') {
				return problem(reply, req, 501, 'not-implemented', '未实现', 'the baseline has no PII hashing key');
			} else if (op === 'ref') {
				const id = idParse(v);
				if (id === null) ok = false;
				else {
					binds.push(id);
					conds.push(`${column} = $${binds.length}`);
				}
			} else if (op === 'region') {
				if (!((v.length === 6 || v.length === 9) && /^[0-9]+$/.test(v))) ok = false;
				else {
					conds.push({ raw: rangeSql(column, regionPrefix(v), binds) });
				}
			} else if (op === 'bool') {
				if (v !== 'true' && v !== 'false') ok = false;
				else {
					binds.push(v === 'true' ? 1 : 0);
					conds.push(`${column} = $${binds.length}`);
				}
			} else {
				const code = op.get(v);
				if (code === undefined) ok = false;
				else {
					binds.push(code);
					conds.push(`${column} = $${binds.length}`);
				}
			}
			if (!ok) errors.push({ field: param, detail: '取值无效' });
		}
		if (errors.length) return problem(reply, req, 400, 'validation', '查询条件有误', '请按提示修改查询条件后重试。', errors);
		binds.push(after);
		conds.push(`id > $${binds.length}`);
		binds.push(limit + 1);
		// yj_q_where wraps a condition in parentheses; yj_q_region (the region filter) does not.
		const sql = `SELECT ${PRAC_COLS} FROM practitioners WHERE 1=1 AND ${scope}${conds.map((c) => (c.raw ? ` AND ${c.raw}` : ` AND (${c})`)).join('')} ORDER BY id LIMIT $${binds.length}`;
		let rows;
		try {
			({ rows } = await q(sql, binds));
		} catch {
			return problem(reply, req, 500, 'store', '数据存储错误', '保存或读取数据时出错，请稍后重试；如仍失败请联系管理员。');
		}
		const items = [];
		let next = null;
		const bool = (v) => (v === null ? null : Number(v) !== 0);
		const int = (v) => (v === null ? null : Number(v));
		for (let i = 0; i < rows.length; i++) {
			if (i >= limit) {
				next = Buffer.from(items[items.length - 1].id).toString('base64url');
				break;
			}
			const r = rows[i];
			// yj_reg_row in field order, then yj_reg_public: id_cipher and id_hash (hidden) left out, the role's view applied.
			items.push(presentPerson({
				id: r[0], version: int(r[1]), created_at: int(r[2]), updated_at: int(r[3]), name: r[4], certificate_no: r[5],
				category: r[6], practice_type: r[7], practice_scope: r[8], institution_id: r[9], prescription_right: bool(r[10]),
				antibiotic_grade: r[11], surgical_grade: int(r[12]), insurance_physician: bool(r[13]), assessment_result: r[14],
				assessment_date: r[15], state: r[16], sex: r[17], birth_date: r[18], id_masked: r[19], region_code: r[22],
			}, who.role));
		}
		return json(reply, 200, { items, next_cursor: next });
	});

	// ---- GET /api/v1/institutions (bench/search, issue 15: institution search by name) ----
	// record_api.c's list over institution.c's fields, the same SQL; only the name filter (q), limit and cursor are
	// ported — another filter answers 501, which the bench never sends. Row: yj_reg_row in field order (coordinates
	// from micro-degrees, code lists as arrays, 0/1 as booleans), grid_code hidden, grid_id derived last.
	const INST_COLS =
		'id, version, created_at, updated_at, credit_code, credit_code_override, licence_no, name, type, level, grade, ownership, ' +
		'profit, clinical_depts, beds, equipment, region_code, address, lng_e6, lat_e6, licence_valid_from, licence_valid_to, ' +
		'verified_on, verify_due, insurance_designated, state, grid_id';
	const INST_KNOWN = new Set(['q', 'credit_code', 'licence_no', 'type', 'level', 'ownership', 'region', 'grid', 'state', 'insurance_designated', 'limit', 'cursor']);
	app.get('/api/v1/institutions', async (req, reply) => {
		const who = await whoOr(req, reply, null);
		if (!who) return reply;
		const query = req.query;
		const unknown = Object.keys(query).filter((k) => !INST_KNOWN.has(k));
		if (unknown.length)
			return problem(reply, req, 400, 'validation', '查询参数有误', '请按提示修正查询参数后重试。',
				unknown.map((k) => ({ field: k, detail: '不支持的查询参数' })));
		if (Object.keys(query).some((k) => !['q', 'limit', 'cursor'].includes(k) && query[k] !== ''))
			return problem(reply, req, 501, 'not-implemented', '未实现', 'the baseline ports only q, limit and cursor');
		const limit = limitOr(req, reply);
		if (limit === null) return reply;
		const after = afterOr(req, reply, false);
		if (after === null) return reply;
		const binds = [];
		const scope = rangeSql('region_code', who.prefix, binds);
		const conds = [];
		if (typeof query.q === 'string' && query.q !== '') {
			if (Array.from(query.q).length > 50)
				return problem(reply, req, 400, 'validation', '查询条件有误', '请按提示修改查询条件后重试。', [{ field: 'q', detail: '取值无效' }]);
			nameFilter(query.q, binds, conds, 'institution');
		}
		binds.push(after);
		conds.push(`id > $${binds.length}`);
		binds.push(limit + 1);
		const sql = `SELECT ${INST_COLS} FROM institutions WHERE 1=1 AND ${scope}${conds.map((c) => ` AND (${c})`).join('')} ORDER BY id LIMIT $${binds.length}`;
		let rows;
		try {
			({ rows } = await q(sql, binds));
		} catch {
			return problem(reply, req, 500, 'store', '数据存储错误', '保存或读取数据时出错，请稍后重试；如仍失败请联系管理员。');
		}
		const items = [];
		let next = null;
		const bool = (v) => (v === null ? null : Number(v) !== 0);
		const int = (v) => (v === null ? null : Number(v));
		const codes = (v) => (v === null ? null : String(v).split(',').filter(Boolean));
		const coord = (v) => (v === null ? null : Number(v) / 1e6);
		for (let i = 0; i < rows.length; i++) {
			if (i >= limit) {
				next = Buffer.from(items[items.length - 1].id).toString('base64url');
				break;
			}
			const r = rows[i];
			items.push({
				id: r[0], version: int(r[1]), created_at: int(r[2]), updated_at: int(r[3]), credit_code: r[4], credit_code_override: r[5],
				licence_no: r[6], name: r[7], type: r[8], level: r[9], grade: r[10], ownership: r[11], profit: r[12], clinical_depts: codes(r[13]),
				beds: int(r[14]), equipment: codes(r[15]), region_code: r[16], address: r[17], lng: coord(r[18]), lat: coord(r[19]),
				licence_valid_from: r[20], licence_valid_to: r[21], verified_on: r[22], verify_due: r[23], insurance_designated: bool(r[24]),
				state: r[25], grid_id: r[26] === null ? null : String(r[26]),
			});
		}
		return json(reply, 200, { items, next_cursor: next });
	});

	// GET /api/v1/cases and /api/v1/cases/{id} (bench/enforcement): src/enforcement's case list and case page
	// ported — the same SQL (enf_case_list_cols for the list, enf_case_cols for the page, the territory range and
	// the department's remit of query.c, id > cursor ORDER BY id LIMIT limit+1; the case row, its steps, its latest supervision and police transfer, the late-fee
	// setting) and the same computed fields (state_label, overdue, days_left, late_fee_fen, the step labels,
	// legal_review_required, the actions the state offers), so the bodies are byte-identical with yijian's for the
	// bench's data. Not ported: the formatting of a supervision or police transfer row (the bench loads none: both
	// answer null) and yijian's problem texts for errors (the bench compares 200 bodies only).
	const CASE_COLS = [
		['id', 'id'], ['clue_id', 'id'], ['state', 't'], ['prior_state', 't'], ['subject_kind', 't'], ['subject_id', 'id'],
		['subject_name', 't'], ['subject_code', 't'], ['officers', 'csv'], ['approved_by', 't'], ['filed_on', 't'],
		['decision_due', 't'], ['paused_on', 't'], ['paused_days', 'i'], ['extended_days', 'i'], ['serious', 'b'],
		['t_public_interest', 'b'], ['t_hearing_rights', 'b'], ['t_complex', 'b'], ['t_other_law', 'b'], ['suspect_crime', 'b'],
		['violation_code', 't'], ['benchmark_version', 'i'], ['tier', 't'], ['penalty_kinds', 'csv'], ['fine_fen', 'i'],
		['confiscation_fen', 'i'], ['facts', 't'], ['deviation_reason', 't'], ['outside_band', 'b'], ['hearing_trigger', 'b'],
		['legal_ok_seq', 'i'], ['proposal_seq', 'i'], ['hearing_seq', 'i'], ['collective_seq', 'i'], ['statement_due', 't'],
		['hearing_request_due', 't'], ['decision_no', 't'], ['decided_on', 't'], ['no_penalty_ground', 't'], ['served_on', 't'],
		['pay_due', 't'], ['paid_fen', 'i'], ['reminded_on', 't'], ['court_applied_on', 't'], ['published_on', 't'],
		['publish_due', 't'], ['public_until', 't'], ['withdrawn_on', 't'], ['transferred_to', 't'], ['closed_on', 't'],
		['region_code', 't'], ['department', 't'], ['version', 'i'], ['created_at', 'i'], ['updated_at', 'i'], ['responsible_id', 'id'],
	];
	const CASE_SQL = CASE_COLS.map((c) => c[0]).join(', ');
	// enf_case_list_cols: the list row (the columns the console's lists show, with the ids)
	const LIST_COLS = [
		['id', 'id'], ['clue_id', 'id'], ['state', 't'], ['subject_kind', 't'], ['subject_id', 'id'], ['subject_name', 't'],
		['filed_on', 't'], ['decision_due', 't'], ['violation_code', 't'], ['fine_fen', 'i'], ['decision_no', 't'],
		['decided_on', 't'], ['closed_on', 't'], ['region_code', 't'], ['department', 't'],
	];
	const LIST_SQL = LIST_COLS.map((c) => c[0]).join(', ');
	// src/enforcement/enforcement.c: the state labels, the states before the decision, the actions (name, label, from)
	const STATE_LABEL = {
		filed: '已立案', investigating: '调查取证', investigated: '调查终结', deliberated: '已合议', legal_reviewed: '已法制审核',
		discussed: '已集体讨论', notified: '已告知', hearing_requested: '已申请听证', heard: '已听证', decided: '已作出处罚决定',
		not_penalised: '不予处罚', served: '已送达', published: '已公示', enforcing: '已催告', paid: '已缴纳',
		court_applied: '已申请强制执行', closed: '已结案', transferred: '已移送', suspended: '已中止', revoked: '已撤销',
	};
	const PRE = 'filed investigating investigated deliberated legal_reviewed discussed notified hearing_requested heard';
	const PRE_SET = new Set(PRE.split(' '));
	const ACTIONS = [
		['investigate', '调查取证', 'filed'], ['add_evidence', '登记证据', 'investigating'], ['conclude', '调查终结', 'investigating'],
		['deliberate', '合议', 'investigated'], ['legal_review', '法制审核', 'deliberated discussed heard'],
		['collective_discussion', '集体讨论', 'deliberated legal_reviewed heard'], ['notify', '告知', 'deliberated legal_reviewed discussed'],
		['request_hearing', '申请听证', 'notified'], ['hold_hearing', '听证', 'hearing_requested'],
		['decide', '作出处罚决定', 'notified heard legal_reviewed discussed'],
		['decide_no_penalty', '不予处罚', 'investigated deliberated legal_reviewed discussed notified heard'],
		['serve', '送达', 'decided not_penalised'], ['publish', '公示', 'served'], ['record_payment', '缴纳罚款', 'published enforcing'],
		['remind', '催告', 'published'], ['apply_court', '申请法院强制执行', 'enforcing'],
		['close', '结案', 'paid court_applied published served transferred'],
		['transfer', '移送', 'filed investigating investigated deliberated'], ['suspend', '中止', PRE], ['resume', '恢复办理', 'suspended'],
		['extend', '延期', PRE], ['revoke', '撤销', PRE + ' suspended decided not_penalised served published enforcing paid court_applied'],
		['change_decision', '变更处罚决定', 'decided served published enforcing'],
	].map(([action, label, from]) => ({ action, label, from: new Set(from.split(' ')) }));
	const ACTION_LABEL = Object.fromEntries(ACTIONS.map((a) => [a.action, a.label]));
	const CASE_READERS = new Set(['inspector', 'leader', 'legal_reviewer', 'admin']);
	const qo = (text, values) => pool.query({ name: named(text), text, values, rowMode: 'array' });
	const csv = (v) => v.split(',').filter(Boolean);
	// enf_case_json (and enf_case_list_json with LIST_COLS): the columns by type in order, then state_label
	function caseJson(r, cols = CASE_COLS) {
		const o = {};
		cols.forEach(([name, type], i) => {
			const v = r[i];
			o[name] = v === null ? null : type === 'csv' ? csv(v) : type === 'i' ? Number(v) : type === 'b' ? Number(v) !== 0 :
				String(v);
		});
		o.state_label = STATE_LABEL[o.state] ?? o.state;
		return o;
	}
	// yj_day_today (Asia/Shanghai) and yj_day_parse as a day number
	const today = () => new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
	const dayNum = (s) => (typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) / 86400000 : null);
	// enf_late_fee: fine × permille × days / 1000, capped at the fine (art. 72)
	function lateFee(fine, days, permille) {
		if (fine <= 0 || days <= 0) return 0;
		if (days * permille >= 1000) return fine;
		const fee = Math.floor((fine * permille) / 1000) * days + Math.floor((((fine * permille) % 1000) * days) / 1000);
		return fee > fine ? fine : fee;
	}
	// the scope of query.c: region_code in [prefix, next prefix), department IN (own, remit…) unless the remit is "*"
	function caseScope(who, binds) {
		let sql = 'WHERE 1=1 AND ' + rangeSql('region_code', who.prefix, binds);
		if (who.remit !== '*') {
			const depts = [who.department, ...String(who.remit || '').split(',').filter(Boolean)];
			sql += ` AND department IN (${depts.map((d) => (binds.push(d), `$${binds.length}`)).join(', ')})`;
		}
		return sql;
	}
	const caseWho = (req, reply) => whoOr(req, reply, CASE_READERS, '您的角色无权执行此操作。');
	// GET /api/v1/credit/check (bench/credit_check.mjs): the joint-punishment check of credit_check_api.c —
	// the subject by credit code (record.c yj_reg_find_key), then whether the decision exists for its kind and the
	// restrictions in one query (credit_view_store.c credit_check, verbatim), and the audit leaf appended in a
	// transaction of its own with audit.c's three statements (the head bumped and locked, the leaf, the frontier
	// folded and written back), hashed as audit.c hashes, so yijian's signer signs the baseline's leaves like its
	// own. The reads are yijian's; the leaf's transaction per request is what a plain implementation does (yijian
	// shares one among concurrent checks: yj_audit_disclose).
	const CHECK_SQL =
		'SELECT 0, \'\', \'\', \'\', \'\', \'\' FROM credit_decisions WHERE code = $1 AND subject_kind = $2' +
		' UNION ALL SELECT 1, l.code, l.reason, l.clause, e.entry_doc, e.publish_until FROM credit_linkage_rules l' +
		' JOIN credit_list_entries e ON e.list = l.param AND e.subject_kind = l.subject_kind WHERE l.condition =' +
		' \'list\' AND l.decision = $3 AND l.subject_kind = $4 AND e.subject_id = $5 AND e.state = \'listed\' AND' +
		' e.publish_until >= $6' +
		' UNION ALL SELECT 1, l.code, l.reason, l.clause, q.rule_code || \'（\' || r.clause || \'）\', q.ends_on FROM' +
		' credit_linkage_rules l JOIN credit_consequences q ON q.consequence = l.param AND q.subject_kind =' +
		' l.subject_kind JOIN credit_consequence_rules r ON r.code = q.rule_code WHERE l.condition =' +
		' \'consequence\' AND l.decision = $7 AND l.subject_kind = $8 AND q.subject_id = $9 AND q.state = \'in_force\'' +
		' AND q.starts_on <= $10 AND q.ends_on >= $11' +
		' UNION ALL SELECT 1, l.code, l.reason, l.clause, \'信用评价 \' || g.grade || \' 级（模型第\' ||' +
		' CAST(g.model_version AS TEXT) || \'版，\' || g.evaluated_on || \'）\', \'\' FROM credit_linkage_rules l JOIN' +
		' credit_grades g ON g.subject_kind = l.subject_kind WHERE l.condition = \'grade_at_most\' AND l.decision = $12' +
		' AND l.subject_kind = $13 AND g.subject_id = $14 AND g.grade >= l.param' +
		' ORDER BY 1, 2';
	app.get('/api/v1/credit/check', async (req, reply) => {
		const who = await authenticate(req);
		if (!who) return problem(reply, req, 401, 'unauthenticated', '未登录', '请先登录，或登录已过期，请重新登录。');
		const subject = req.query.subject, decision = req.query.decision;
		if (!subject || !decision) return problem(reply, req, 400, 'validation', '参数不完整', '请补全查询参数后重试。');
		const key = await q('SELECT id, version, region_code FROM institutions WHERE credit_code = $1', [subject]);
		if (!key.rows.length) return problem(reply, req, 404, 'unknown-subject', '未找到该主体', '该主体尚未在主体库登记。');
		const [id, , region] = key.rows[0];
		const kind = 'institution';
		const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
		const r = await q(CHECK_SQL, [decision, kind, decision, kind, id, today, decision, kind, id, today, today, decision, kind, id]);
		if (!r.rows.length || Number(r.rows[0][0]) !== 0)
			return problem(reply, req, 422, 'unknown-decision', '未知的决定事项', '请按决定事项代码查询。');
		const restrictions = r.rows.slice(1).map((x) => ({ rule: x[1], reason: x[2], clause: x[3], source: x[4], ends_on: x[5] ? x[5] : null }));
		const allowed = restrictions.length === 0;
		// audit.c: the state hash (canonical JSON: sorted keys, compact), the leaf hash SHA-256(0x00 ‖ canonical leaf),
		// and the frontier folded like a binary carry with node hashes SHA-256(0x01 ‖ left ‖ right) (RFC 6962).
		const stateHash = createHash('sha256').update(JSON.stringify({ allowed, decision, department: who.department,
			restrictions: restrictions.length, subject })).digest('hex');
		const client = await pool.connect();
		try {
			await client.query('BEGIN');
			const head = await client.query({ name: 'audit_bump', text: 'UPDATE audit_head SET tree_size = tree_size + 1 WHERE id = 1 RETURNING tree_size, frontier', rowMode: 'array' });
			const [size, frontier] = head.rows[0];
			const idx = Number(size) - 1, at = Date.now(), actor = String(who.user_id);
			const leaf = createHash('sha256').update(Buffer.from([0])).update(JSON.stringify({ action: 'credit.check', actor, at,
				id: String(id), idx, region, state: stateHash, type: kind })).digest();
			const nodes = frontier ? frontier.split(',').map((h) => Buffer.from(h, 'hex')) : [];
			let cur = leaf;
			for (let n = idx; n % 2 === 1; n = Math.floor(n / 2))
				cur = createHash('sha256').update(Buffer.from([1])).update(nodes.pop()).update(cur).digest();
			nodes.push(cur);
			await client.query({ name: 'audit_leaf', text: 'INSERT INTO audit_leaves (idx, at, actor, action, object_type, object_id,' +
				' state_hash, region_code, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
			values: [idx, at, actor, 'credit.check', kind, String(id), stateHash, region, leaf.toString('hex')] });
			await client.query({ name: 'audit_front', text: 'UPDATE audit_head SET frontier = $1 WHERE id = 1',
				values: [nodes.map((h) => h.toString('hex')).join(',')] });
			await client.query('COMMIT');
		} catch (e) {
			await client.query('ROLLBACK').catch(() => {});
			throw e;
		} finally {
			client.release();
		}
		return json(reply, 200, { allowed, restrictions, subject_kind: kind, subject_id: String(id), decision, checked_on: today });
	});
	app.get('/api/v1/cases', async (req, reply) => {
		const who = await caseWho(req, reply);
		if (!who) return reply;
		const limit = limitOr(req, reply);
		if (limit === null) return reply;
		const after = afterOr(req, reply, false);
		if (after === null) return reply;
		const binds = [];
		let sql = `SELECT ${LIST_SQL} FROM enf_cases ${caseScope(who, binds)}`;
		binds.push(after);
		sql += ` AND id > $${binds.length}`;
		binds.push(limit + 1);
		sql += ` ORDER BY id LIMIT $${binds.length}`;
		const { rows } = await qo(sql, binds);
		const day = today();
		const items = rows.slice(0, limit).map((r) => {
			const o = caseJson(r, LIST_COLS);
			o.overdue = PRE_SET.has(o.state) && o.decision_due !== null && day > o.decision_due;
			return o;
		});
		const next = rows.length > limit ? Buffer.from(items.at(-1).id).toString('base64url') : null;
		return json(reply, 200, { items, next_cursor: next });
	});
	app.get('/api/v1/cases/:id', async (req, reply) => {
		const who = await caseWho(req, reply);
		if (!who) return reply;
		const id = idParse(req.params.id);
		if (id === null) return problem(reply, req, 400, 'validation', '参数错误', '路径中的编号无效。');
		const binds = [];
		const scope = caseScope(who, binds);
		binds.push(id);
		const { rows } = await qo(`SELECT ${CASE_SQL} FROM enf_cases ${scope} AND id = $${binds.length}`, binds);
		if (!rows.length) return problem(reply, req, 404, 'not-found', '未找到', '记录不存在，或不在您的管辖范围内。');
		const c = caseJson(rows[0]);
		const day = today(), td = dayNum(day);
		if (dayNum(c.pay_due) !== null) { // enf_case_load: the late fee grows each day, shown and never stored
			const s = await qo('SELECT value FROM enf_settings WHERE key = $1', ['late_fee_permille_per_day']);
			c.late_fee_fen = lateFee((c.fine_fen ?? 0) - (c.paid_fen ?? 0), td - dayNum(c.pay_due), s.rows.length ? Number(s.rows[0][0]) : 30);
		}
		const steps = await qo('SELECT seq, action, from_state, to_state, actor, day, at, data, audit_index FROM enf_steps WHERE case_id = $1 ORDER BY seq', [id]);
		c.timeline = steps.rows.map((s) => {
			let data;
			try { data = JSON.parse(s[7]); } catch { data = {}; }
			return { seq: Number(s[0]), action: s[1], label: ACTION_LABEL[s[1]] ?? (s[1] === 'file' ? '立案' : s[1]), from: s[2], to: s[3],
				actor: s[4], day: s[5], at: Number(s[6]), data: data ?? {}, audit_index: s[8] === null ? null : Number(s[8]) };
		});
		c.legal_review_required = c.t_public_interest || c.t_hearing_rights || c.t_complex || c.t_other_law || c.outside_band;
		const pre = PRE_SET.has(c.state);
		c.overdue = pre && day > c.decision_due;
		if (pre && dayNum(c.decision_due) !== null) c.days_left = dayNum(c.decision_due) - td;
		c.actions = ACTIONS.filter((a) => a.from.has(c.state)).map((a) => ({ action: a.action, label: a.label }));
		const sup = await qo('SELECT id, case_id, state, office_region, office_department, supervisor, reason, started_on, due_on, report_due, reports,' +
			' last_report_on, escalated_on, escalation_reason, lifted_on, lift_reason FROM enf_supervisions WHERE case_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1', [id]);
		const tr = await qo('SELECT id, case_id, state, reason, charge, attachments, proposed_by, proposed_on, approve_due, approved_by, approved_at,' +
			' approval_opinion, receiving_org, sent_at, letter_no, receipt_on, receipt_no, police_decision_due, police_decision,' +
			' police_decided_on, police_reason, reconsider_requested_on, reconsider_reason, reconsider_due, reconsider_result, reconsider_on' +
			' FROM enf_police_transfers WHERE case_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1', [id]);
		c.supervision = sup.rows[0] ?? null;
		c.police_transfer = tr.rows[0] ?? null;
		return json(reply, 200, c);
	});

	const colon = listen.lastIndexOf(':');
	await app.listen({ host: listen.slice(0, colon) || '127.0.0.1', port: Number(listen.slice(colon + 1)) });
	const stop = async () => {
		await app.close();
		await pool.end();
		process.exit(0);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	if (!cluster.isWorker) console.error(`baseline listening on http://${listen}/ (pool ${poolSize})`);
}
