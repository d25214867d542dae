/* check_api.c — POST /api/v1/claims/check, the real-time check (事前/事中审核): one claim or one
 * prescription screened in memory against every line-level rule and the patient's recent history
 * (read through the per-process cache), answering pass or the flags with message and legal basis;
 * with "record": true the claim joins the patient's history (the settlement call), audited. */
#define _POSIX_C_SOURCE 200809L
#include "check_int.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The insurance bureau's settlement system calls with an analyst's (or admin's) token. Institutions
 * do not: a flag may name the patient's visit to another institution. */
#define CHECKERS (ROLE_INSURANCE_ANALYST | ROLE_ADMIN)

/* The patient's history: the cache, else the store (then cached). */
static int history(store *s, const char *hash, ck_hist **rows, int *n)
{
	if (ck_cache_get(hash, rows, n))
		return ST_OK;
	int rc = ck_history_load(store_conn_get(s), hash, rows, n);
	if (rc == ST_OK)
		ck_cache_put(hash, *rows, *n);
	return rc;
}

struct record_arg {
	yj_req *r;
	const ck_claim *cl;
	const char *result;
	int nflags;
};

static int record_tx(store_conn *c, void *arg)
{
	struct record_arg *a = arg;
	int rc = ck_history_record(c, a->cl, a->result, yj_now_ms());
	if (rc < 0)
		return rc;
	char actor[21];
	yj_id_format(yj_who(a->r)->user_id, actor);
	json_t *state = json_pack("{s:s, s:s, s:i}", "institution_code", a->cl->institution, "result", a->result,
				  "flags", a->nflags);
	yj_audit_event ev = {actor, "claims.check.record", "claim", a->cl->claim_id, yj_who(a->r)->region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static int check(yj_req *r)
{
	json_t *body = yj_body(r), *errors = json_array();
	ck_claim cl;
	if (ck_claim_from_json(body, &cl, errors) < 0) {
		ck_claim_free(&cl);
		return yj_reply_problem_errors(r, 422, "validation", "结算单有误",
					       "结算单字段不完整或格式不对，请按字段提示修改后重新提交。", errors);
	}
	ck_hist *rows = NULL;
	int n = 0;
	int rc = history(yj_store(r), cl.patient_hash, &rows, &n);
	if (rc < 0) {
		json_decref(errors);
		ck_claim_free(&cl);
		return yj_reply_store_error(r, rc);
	}
	json_t *out = NULL;
	rc = ck_screen(&cl, rows, n, &out, errors);
	ck_hist_free(rows, n);
	if (rc == 1) {
		json_decref(errors);
		ck_claim_free(&cl);
		return yj_reply_problem(r, 503, "check-unconfigured", "实时审核未启用",
					"服务启动时未找到规则库目录，请管理员以 yijian serve --rules 目录 重新启动服务。");
	}
	if (rc < 0) {
		ck_claim_free(&cl);
		return yj_reply_problem_errors(r, 422, "validation", "结算单明细有误",
					       "结算单明细不能读取（字段提示指出第几行哪一列），请更正后重新提交。", errors);
	}
	json_decref(errors);
	if (json_is_true(json_object_get(body, "record"))) {
		struct record_arg a = {r, &cl, json_string_value(json_object_get(out, "result")),
				       (int)json_array_size(json_object_get(out, "flags"))};
		yj_refusal none = {0}; /* recording refuses nothing: only a store failure is replied */
		if (yj_tx_or_reply(r, record_tx, &a, &none) < 0) {
			json_decref(out);
			ck_claim_free(&cl);
			return YJ_OK;
		}
		/* This process's cache sees its own write at once; other processes within CK_CACHE_TTL_MS. */
		ck_hist *fresh = NULL;
		int fn = 0;
		if (ck_history_load(store_conn_get(yj_store(r)), cl.patient_hash, &fresh, &fn) == ST_OK)
			ck_cache_put(cl.patient_hash, fresh, fn);
		ck_hist_free(fresh, fn);
		json_object_set_new(out, "recorded", json_true());
	}
	ck_claim_free(&cl);
	return yj_reply_json(r, 200, out);
}

static const yj_field check_body[] = {
	{"claim_id", F_STRING, 1, 64, "Claim (settlement) id; a prescription's id for a prescription"},
	{"patient_id", F_STRING, 1, 64, "Patient id (only its keyed hash is kept)"},
	{"sex", F_STRING, 1, 1, "M or F"},
	{"birth_date", F_STRING, 1, 10, "YYYY-MM-DD"},
	{"institution_code", F_STRING, 1, 64, "Institution unified social credit code"},
	{"physician_id", F_STRING, 1, 64, "Physician id"},
	{"dept_code", F_STRING, 1, 32, "Department code"},
	{"visit_type", F_STRING, 1, 1, "O (outpatient), E (emergency) or I (inpatient); a prescription is O or E"},
	{"admit_date", F_STRING, 0, 10, "YYYY-MM-DD, inpatient"},
	{"discharge_date", F_STRING, 0, 10, "YYYY-MM-DD, inpatient"},
	{"diagnosis", F_STRING, 1, 32, "Main diagnosis, ICD-10"},
	{"lines", F_ARRAY, 1, 0,
	 "Up to 500 lines {line_no, service_date, item_code, item_name, item_type (drug|service|material), quantity,"
	 " unit_price, amount (yuan), days_supply}; numbers as JSON numbers or decimal strings"},
	{"record", F_BOOL, 0, 0, "true: keep the claim in the patient's history after the check (the settlement call)"},
	{NULL, 0, 0, 0, NULL},
};

const yj_route yj_claims_check_routes[] = {
	{"POST", "/api/v1/claims/check", check, CHECKERS, check_body, NULL, "claims",
	 "Screen one claim or prescription in memory against every line-level rule and the patient's recent history",
	 "{result: pass|flag, claim_id, flags[{rule_id, rule_name, result_type, line_nos, amount_yuan, message,"
	 " basis, list_version}], history_claims, not_checked[]}",
	 200},
	{0},
};
