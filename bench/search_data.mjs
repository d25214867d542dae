// bench/search_data.mjs — the synthetic registry of bench/search: N practitioners (default 1,000,000)
// and their institutions in one province's counties, written as CSV files for psql \copy and sqlite3
// .import, with the name index rows (name_grams) computed exactly as src/registry/record_names.c gram_rows_add
// does. Names are drawn from real surname frequencies and common given names, so names repeat the
// way they do in reality and the posting lists of common bigrams are long.
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { creditCode, residentId } from '../tests/api/codes.mjs';

// mulberry32: a small deterministic PRNG, so the same seed gives the same registry.
export function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// A weighted choice table: [[value, weight], …] → () => value.
function weighted(rand, pairs) {
	const vals = pairs.map((p) => p[0]);
	const cum = [];
	let s = 0;
	for (const [, w] of pairs) cum.push((s += w));
	return () => {
		const x = rand() * s;
		let lo = 0;
		let hi = cum.length - 1;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (cum[mid] > x) hi = mid;
			else lo = mid + 1;
		}
		return vals[lo];
	};
}

// Surnames with their approximate share (per mille) in Zhejiang, where 王 and 陈 lead; a tail of
// rarer ones and a few compound surnames.
const SURNAMES = [
	['王', 75], ['陈', 72], ['张', 52], ['李', 45], ['吴', 38], ['刘', 33], ['徐', 32], ['周', 30], ['朱', 24],
	['黄', 23], ['杨', 22], ['林', 21], ['金', 18], ['胡', 18], ['叶', 17], ['何', 16], ['郑', 16], ['潘', 14],
	['方', 14], ['赵', 13], ['孙', 13], ['沈', 13], ['蒋', 12], ['应', 10], ['钱', 10], ['俞', 10], ['章', 9],
	['马', 9], ['戴', 9], ['汪', 9], ['姚', 8], ['邵', 8], ['楼', 8], ['高', 8], ['许', 8], ['丁', 7], ['毛', 7],
	['郭', 7], ['谢', 7], ['梁', 6], ['宋', 6], ['严', 6], ['冯', 6], ['邱', 6], ['程', 6], ['范', 6], ['卢', 6],
	['余', 6], ['董', 6], ['夏', 5], ['傅', 5], ['陆', 5], ['江', 5], ['任', 5], ['屠', 4], ['裘', 4], ['虞', 4],
	['罗', 4], ['韩', 4], ['曹', 4], ['袁', 4], ['邓', 4], ['彭', 4], ['曾', 4], ['吕', 4], ['苏', 4], ['蔡', 4],
	['唐', 4], ['杜', 3], ['魏', 3], ['钟', 3], ['贾', 3], ['丁', 3], ['葛', 3], ['施', 3], ['倪', 3], ['柴', 3],
	['欧阳', 1], ['司马', 0.3], ['诸葛', 0.3], ['上官', 0.2],
];

// Whole given names that many people share (the national lists of the most common full names).
const GIVEN_M = [
	['伟', 30], ['强', 18], ['磊', 18], ['军', 18], ['勇', 16], ['杰', 16], ['涛', 14], ['斌', 14], ['超', 14],
	['明', 12], ['刚', 12], ['平', 10], ['辉', 12], ['鹏', 10], ['华', 10], ['飞', 8], ['鑫', 8], ['波', 10],
	['建华', 14], ['建国', 12], ['建平', 8], ['建军', 10], ['志强', 10], ['志明', 6], ['国庆', 6], ['海峰', 6],
	['晓东', 6], ['俊杰', 6], ['文杰', 6], ['浩然', 4], ['子轩', 4], ['宇航', 4], ['建伟', 6], ['永强', 6],
];
const GIVEN_F = [
	['芳', 28], ['娜', 20], ['敏', 20], ['静', 20], ['丽', 18], ['艳', 16], ['娟', 14], ['霞', 14], ['燕', 14],
	['玲', 12], ['婷', 10], ['雪', 8], ['慧', 8], ['颖', 8], ['琳', 6], ['洁', 8], ['红', 10], ['萍', 8],
	['秀英', 6], ['秀兰', 5], ['桂英', 5], ['丽娟', 10], ['海燕', 10], ['婷婷', 10], ['丽华', 8], ['秀珍', 8],
	['晓燕', 8], ['雪梅', 6], ['丽萍', 8], ['玉兰', 6], ['美玲', 6], ['佳怡', 4], ['梓涵', 4], ['欣怡', 4],
];
// Characters people combine into two-character given names, with a rough popularity.
const FIRST_M = '建国志晓俊文永海明小伟家子宇浩天嘉立云振德世新中'.split('');
const SECOND_M = '华明强军平伟杰峰涛斌辉林东宇龙飞成刚波亮荣生祥军清'.split('');
const FIRST_F = '秀丽晓玉美雪海佳小春红桂金慧婷静淑凤彩梦欣雨思子'.split('');
const SECOND_F = '兰芳娟霞英燕萍梅玲珍华丽红琴敏莉洁静婷颖慧怡涵琳'.split('');

// A flattened Zipf law: the most popular character takes about a seventh of the draws.
function zipf(rand, chars) {
	return weighted(rand, chars.map((c, i) => [c, 1 / (i + 3)]));
}

export function nameMaker(rand) {
	const surname = weighted(rand, SURNAMES);
	const whole = { M: weighted(rand, GIVEN_M), F: weighted(rand, GIVEN_F) };
	const first = { M: zipf(rand, FIRST_M), F: zipf(rand, FIRST_F) };
	const second = { M: zipf(rand, SECOND_M), F: zipf(rand, SECOND_F) };
	return (sex) => {
		const r = rand();
		// 45 % one of the common whole given names, the rest composed of two popular characters.
		const given = r < 0.45 ? whole[sex]() : first[sex]() + second[sex]();
		return surname() + given;
	};
}

// The kinds' codes in name_grams: 1 + the kind's place in yj_reg_kinds (src/registry/record.h).
export const GRAM_KINDS = { institution: 1, practitioner: 2 };

// The name index's numbers of a name of the kind (src/registry/record_names.c gram_rows_add): kind << 42 |
// first code point << 21 | second, for each distinct bigram of code points, and (last, 0) for the last
// character; at most 256 code points are indexed. Below 2^53: exact as numbers.
export function grams(name, kind) {
	const cp = Array.from(name).slice(0, 256).map((c) => c.codePointAt(0));
	const base = GRAM_KINDS[kind] * 2 ** 42, seen = new Set();
	for (let i = 0; i < cp.length; i++) seen.add(base + cp[i] * 2 ** 21 + (i + 1 < cp.length ? cp[i + 1] : 0));
	return seen;
}

// The grams that narrow a query word (record_names.c word_grams): [lo, hi] ranges, lo = hi for the
// first and (longer than two characters) the last bigram; one character X: every gram that starts with it.
export function wordGrams(word, kind) {
	const cp = Array.from(word).slice(0, 64).map((c) => c.codePointAt(0));
	const base = GRAM_KINDS[kind] * 2 ** 42, g = (a, b) => base + a * 2 ** 21 + b;
	if (cp.length === 0) return [];
	if (cp.length === 1) return [[g(cp[0], 0), g(cp[0], 2 ** 21 - 1)]];
	const out = [[g(cp[0], cp[1]), g(cp[0], cp[1])]];
	const n = cp.length;
	if (n > 2) out.push([g(cp[n - 2], cp[n - 1]), g(cp[n - 2], cp[n - 1])]);
	return out;
}

// Writes lines through a 1 MiB buffer.
class Out {
	constructor(file) {
		this.fd = openSync(file, 'w');
		this.parts = [];
		this.size = 0;
	}
	line(s) {
		this.parts.push(s);
		this.size += s.length;
		if (this.size > 1 << 19) this.flush();
	}
	flush() {
		if (this.parts.length) writeSync(this.fd, `${this.parts.join('\n')}\n`);
		this.parts = [];
		this.size = 0;
	}
	close() {
		this.flush();
		closeSync(this.fd);
	}
}

const EPOCH_2020_MS = 1577836800000n;
// An id as yijian's yj_id_new makes it: milliseconds since 2020 in the high bits, a counter in 22 low bits.
const idAt = (ms, low) => ((BigInt(ms) - EPOCH_2020_MS) << 22n) | BigInt(low);
const ymd = (d) => d.toISOString().slice(0, 10);

export const INSTITUTION_COLUMNS =
	'id,credit_code,licence_no,name,type,level,grade,ownership,profit,clinical_depts,beds,equipment,region_code,' +
	'address,lng_e6,lat_e6,licence_valid_from,licence_valid_to,verified_on,verify_due,insurance_designated,state,' +
	'version,created_at,updated_at';
export const PRACTITIONER_COLUMNS =
	'id,name,sex,birth_date,id_cipher,id_hash,id_masked,certificate_no,category,practice_type,practice_scope,' +
	'institution_id,region_code,prescription_right,antibiotic_grade,surgical_grade,insurance_physician,' +
	'assessment_result,assessment_date,state,version,created_at,updated_at';
export const GRAM_COLUMNS = 'gram,object_id';

// Institution types with their share of the ~N/50 institutions and their relative staff size.
const INST_TYPES = [
	['general_hospital', 4, 400, '人民医院'], ['tcm_hospital', 1.5, 200, '中医院'], ['specialized_hospital', 2, 80, '专科医院'],
	['maternal_child', 0.5, 150, '妇幼保健院'], ['community_centre', 6, 40, '社区卫生服务中心'],
	['township_centre', 7, 35, '卫生院'], ['community_station', 12, 6, '社区卫生服务站'], ['village_clinic', 30, 2, '村卫生室'],
	['outpatient_dept', 8, 12, '门诊部'], ['clinic', 20, 3, '诊所'], ['dental_clinic', 6, 4, '口腔诊所'],
	['tcm_clinic', 3, 3, '中医诊所'],
];

/**
 * Generates the registry into dir: institutions.csv, practitioners.csv, grams.csv (no header, CSV
 * without NULLs). counties: [{code, name}] of the province's county-level regions.
 * Returns what the bench needs to choose its queries: a sample of certificate numbers, the
 * practitioner ids and names by county, and the number of rows written.
 */
export function generate({ dir, rows, institutions: nInst, counties, seed = 7, certSample = 5000 }) {
	const rand = prng(seed);
	const pick = (arr) => arr[Math.floor(rand() * arr.length)];
	const makeName = nameMaker(rand);
	const t0 = Date.UTC(2025, 0, 6, 1, 0, 0);
	const files = {
		institutions: path.join(dir, 'institutions.csv'),
		practitioners: path.join(dir, 'practitioners.csv'),
		grams: path.join(dir, 'grams.csv'),
	};
	const postings = new Map(); // gram → [object_id strings] in id order

	const post = (name, type, id) => {
		for (const g of grams(name, type)) {
			let l = postings.get(g);
			if (!l) postings.set(g, (l = []));
			l.push(id);
		}
	};

	// ---- institutions
	const countyWeight = counties.map(() => 0.5 + rand());
	const countyOf = weighted(rand, counties.map((c, i) => [c, countyWeight[i]]));
	const instType = weighted(rand, INST_TYPES.map((t) => [t, t[1]]));
	const insts = []; // {id, region, staff}
	const fout = new Out(files.institutions);
	const seq = new Map();
	for (let i = 0; i < nInst; i++) {
		const c = countyOf();
		const [type, , staff, suffix] = instType();
		const ms = t0 - 86400000 + i * 1000;
		const id = idAt(ms, i % 1000).toString();
		const n = (seq.get(c.code + type) || 0) + 1;
		seq.set(c.code + type, n);
		const short = c.name.replace(/(自治县|区|县|市)$/, '');
		const name = type === 'clinic' || type === 'dental_clinic' || type === 'tcm_clinic'
			? `${c.name}${makeName(rand() < 0.6 ? 'M' : 'F')}${suffix}`
			: `${short}${n > 1 ? `第${n}` : ''}${suffix}`;
		const public_ = !/clinic|outpatient/.test(type);
		const level = type === 'general_hospital' ? pick(['3', '2', '2', '1']) : public_ ? pick(['1', 'none']) : 'none';
		const credit = creditCode(`${public_ ? '12' : '52'}${c.code}`, String(10000000 + i));
		const licence = `PDY${String(i).padStart(5, '0')}${c.code}${public_ ? 'A' : 'D'}${String(1000 + (i % 9000))}2`.slice(0, 22);
		const from = new Date(Date.UTC(2019 + (i % 5), i % 12, 1 + (i % 28)));
		const to = new Date(from.getTime() + 5 * 365 * 86400000);
		insts.push({ id, region: c.code, staff: staff * (0.5 + rand()) });
		fout.line([id, credit, licence, name, type, level, level === 'none' ? 'none' : pick(['A', 'B']), public_ ? 'public' : 'private',
			public_ ? 'nonprofit' : 'forprofit', public_ ? '"02,03,04,05,07"' : '03', public_ ? Math.round(staff * 1.2) : 0,
			type === 'general_hospital' && level === '3' ? '"ct,mr"' : '""', c.code, `${c.name}健康路${1 + (i % 300)}号`,
			Math.round((120 + rand() * 2) * 1e6), Math.round((28 + rand() * 2) * 1e6), ymd(from), ymd(to), ymd(from),
			ymd(new Date(to.getTime() - 30 * 86400000)), public_ ? 1 : 0, 'active', 1, ms, ms].join(','));
		post(name, 'institution', id);
	}
	fout.close();

	// ---- practitioners
	const instOf = weighted(rand, insts.map((x) => [x, x.staff]));
	const CATEGORY = weighted(rand, [['physician', 40], ['assistant_physician', 8], ['nurse', 40], ['pharmacist', 6], ['technician', 6]]);
	const PHYS_TYPE = weighted(rand, [['clinical', 70], ['tcm', 15], ['dental', 8], ['public_health', 7]]);
	const SCOPES = {
		clinical: ['内科专业', '外科专业', '妇产科专业', '儿科专业', '眼耳鼻咽喉科专业', '精神卫生专业', '医学影像和放射治疗专业', '全科医学专业', '急救医学专业'],
		tcm: ['中医专业', '中西医结合专业'], dental: ['口腔专业'], public_health: ['公共卫生类别专业'],
		nursing: ['护理'], pharmacy: ['药学'], medical_tech: ['医学检验', '医学影像技术', '康复治疗技术'],
	};
	const CAT_DIGIT = { physician: '1', assistant_physician: '2', nurse: '3', pharmacist: '4', technician: '5' };
	const STATE = weighted(rand, [['active', 95], ['retired', 3], ['suspended', 1.5], ['revoked', 0.5]]);
	const ASSESS = weighted(rand, [['pass', 90], ['pending', 8], ['fail', 2]]);
	const pout = new Out(files.practitioners);
	const ids17 = new Set();
	const certSeq = new Map();
	const certs = [];
	const byCounty = new Map(); // county → count
	for (let i = 0; i < rows; i++) {
		const inst = instOf();
		const ms = t0 + Math.floor(i / 1000) * 60000;
		const id = idAt(ms, i % 1000).toString();
		const cat = CATEGORY();
		const ptype = cat === 'nurse' ? 'nursing' : cat === 'pharmacist' ? 'pharmacy' : cat === 'technician' ? 'medical_tech' : PHYS_TYPE();
		const female = cat === 'nurse' ? rand() < 0.97 : rand() < 0.45;
		const sex = female ? 'F' : 'M';
		const name = makeName(sex);
		// A resident ID born in the county (or elsewhere in the province), unique, valid check digit.
		let s17;
		do {
			const birth = new Date(Date.UTC(1960, 0, 1) + Math.floor(rand() * 41 * 365.25) * 86400000);
			const home = rand() < 0.7 ? inst.region : pick(counties).code;
			let sq = Math.floor(rand() * 500) * 2 + (female ? 0 : 1);
			s17 = `${home}${ymd(birth).replaceAll('-', '')}${String(sq).padStart(3, '0')}`;
		} while (ids17.has(s17));
		ids17.add(s17);
		const idn = residentId(s17);
		const yy = String(2000 + Math.floor(rand() * 25)).slice(2);
		const key = CAT_DIGIT[cat] + yy + inst.region;
		const n = (certSeq.get(key) || 0) + 1;
		certSeq.set(key, n);
		const cert = `${key}${String(n).padStart(6, '0')}`;
		if (certs.length < certSample) certs.push(cert);
		else if (rand() < certSample / (i + 1)) certs[Math.floor(rand() * certSample)] = cert; // reservoir sample
		const physician = cat === 'physician' || cat === 'assistant_physician';
		const scope = pick(SCOPES[ptype]);
		// Ciphertext of the same shape as yj_pii_encrypt ("v1:" + hex of nonce, MAC and the 18 bytes),
		// but random bytes: the bench never decrypts. The hash stands in for the keyed BLAKE2b.
		const cipher = `v1:${createHash('sha512').update(`c${seed}:${idn}`).digest('hex').slice(0, 116)}`;
		const hash = createHash('sha256').update(`h${seed}:${idn}`).digest('hex');
		const masked = `${idn.slice(0, 4)}**********${idn.slice(14)}`;
		const assessDate = ymd(new Date(Date.UTC(2023, 0, 1) + Math.floor(rand() * 900) * 86400000));
		pout.line([id, name, sex, `${s17.slice(6, 10)}-${s17.slice(10, 12)}-${s17.slice(12, 14)}`, cipher, hash, masked, cert, cat, ptype, scope,
			inst.id, inst.region, physician && rand() < 0.9 ? 1 : 0,
			physician ? pick(['non_restricted', 'non_restricted', 'restricted', 'special']) : 'none',
			physician && scope === '外科专业' ? 1 + Math.floor(rand() * 4) : 0, physician && rand() < 0.8 ? 1 : 0,
			ASSESS(), assessDate, STATE(), 1, ms, ms].join(','));
		post(name, 'practitioner', id);
		byCounty.set(inst.region, (byCounty.get(inst.region) || 0) + 1);
	}
	pout.close();

	// ---- name_grams, in key order (grams ascending, each one's ids as written: ascending) so that the
	// primary key is filled in order
	const gout = new Out(files.grams);
	let ngrams = 0;
	for (const g of [...postings.keys()].sort((a, b) => a - b)) {
		const l = postings.get(g);
		for (const id of l) gout.line(`${g},${id}`);
		ngrams += l.length;
	}
	gout.close();
	return { files, certs, byCounty, ngrams, distinctGrams: postings.size };
}

// Loads generate()'s files into a yijian database as they are: PostgreSQL by \copy then VACUUM ANALYZE; SQLite by
// .import into text staging tables and INSERT … SELECT (the columns' affinities turn digits back into integers),
// then ANALYZE. psql and run are a bench session's (lib.mjs). Used by bench/list_lat.mjs and bench/search_ab.mjs;
// bench/search.mjs times each step and rebuilds the secondary indexes after, so it keeps its own.
export function loadPlain({ engine, db, files, psql, run }) {
	const cols = { institutions: INSTITUTION_COLUMNS, practitioners: PRACTITIONER_COLUMNS, name_grams: GRAM_COLUMNS };
	const tables = [['institutions', files.institutions], ['practitioners', files.practitioners], ['name_grams', files.grams]];
	if (engine === 'pg') {
		for (const [tb, f] of tables) psql(db, `\\copy ${tb}(${cols[tb]}) FROM '${f}' WITH (FORMAT csv)`);
		psql(db, 'VACUUM ANALYZE institutions, practitioners, name_grams');
		return;
	}
	const parts = [];
	for (const [tb, f] of tables)
		parts.push(`CREATE TABLE stage_${tb} (${cols[tb]});`, `.import --csv ${f} stage_${tb}`, `INSERT INTO ${tb} (${cols[tb]}) SELECT ${cols[tb]} FROM stage_${tb};`, `DROP TABLE stage_${tb};`);
	parts.push('ANALYZE;');
	run('sqlite3', ['-bail', db.slice(7)], { input: parts.join('\n') + '\n' });
}
