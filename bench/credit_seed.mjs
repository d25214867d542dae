// bench/credit_seed.mjs — the subjects the credit check's benches ask about: n institutions created through the
// API (the registry's own rows, keys and search grams), each with a credit grade and every third on the black
// list, then ANALYZE. Shared by bench/credit_check.mjs (the throughput and latency figures) and
// bench/credit_check_cpu.mjs (CPU per check), so both measure the same data.
import { creditCode } from '../tests/api/codes.mjs';

// B: a bench session (lib.mjs); base: a running yijian; admin/csrf: an administrator's sign-in. Returns the codes.
export async function seedCheckSubjects(B, base, pgUrl, { county, n, admin, csrf }) {
	const codes = [];
	for (let i = 0; i < n; i++) {
		const code = creditCode(`52${county}`, String(70000000 + i));
		const r = await fetch(`${base}/api/v1/institutions`, { method: 'POST', headers: { 'content-type': 'application/json',
			cookie: `yj_session=${admin}`, 'x-csrf-token': csrf }, body: JSON.stringify({ credit_code: code, name: `信用基准${i}号诊所`,
			type: 'clinic', level: 'none', ownership: 'private', profit: 'forprofit', region_code: county, clinical_depts: ['03'] }) });
		if (r.status !== 201) B.die(`creating institution ${i}: ${r.status} ${(await r.text()).slice(0, 300)}`);
		codes.push(code);
	}
	B.psql(pgUrl, `INSERT INTO credit_grades (subject_kind, subject_id, region_code, score, grade, model_version, contributions,
		evaluated_on, updated_at) SELECT 'institution', id, region_code, 100 - 15 * (id % 4), (ARRAY['A','B','C','D'])[1 + id % 4], 1,
		'[]', '2026-06-01', 0 FROM institutions`);
	B.psql(pgUrl, `INSERT INTO credit_list_entries (id, list, subject_kind, subject_id, region_code, rule_code, entry_doc, entered_on,
		publish_until, state, actor, created_at) SELECT id, 'black', 'institution', id, region_code, 'BLACK-SER',
		'温鹿卫信〔2026〕' || (id % 100000) || '号', '2026-06-01', '2099-12-31', 'listed', '1', 0 FROM institutions WHERE id % 3 = 0`);
	B.psql(pgUrl, 'ANALYZE');
	return codes;
}
