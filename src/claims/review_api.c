/* review_api.c — /api/v1/claims: screening runs, flag lists and exports with filters, one flag with
 * its review history, the audited disclosure of a patient id, confirm / dismiss / reopen with a
 * reason, and the summary per institution, rule and physician: the handlers, with the request's
 * filters; the reads and writes are review_store.c's, all through the query builder, so territory
 * and department remit apply. */
#define _POSIX_C_SOURCE 200809L
#include "review_int.h"
#include "../base/base.h"
#include "../base/date.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/pii/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 医保分析员 do the review; 领导 read and may reopen; the insurance department's 部门联络员 reads (a
 * liaison of another department sees nothing: flags carry department 'insurance'); 管理员 everything. */
#define READERS (ROLE_INSURANCE_ANALYST | ROLE_ADMIN | ROLE_LEADER | ROLE_LIAISON)
#define REVIEWERS (ROLE_INSURANCE_ANALYST | ROLE_ADMIN)
#define REOPENERS (ROLE_LEADER | ROLE_ADMIN)
/* Analysts pull the patient's record in the insurance system to verify a flag; others see masks. */
#define DISCLOSERS (ROLE_INSURANCE_ANALYST | ROLE_ADMIN)

static void actor_of(yj_req *r, char out[21])
{
	yj_id_format(yj_who(r)->user_id, out);
}

/* ---- filters ---- */

#define FILTER_PARAMS                                                                                          \
	{"run", "Screening run id"}, {"institution", "Institution unified social credit code"},                \
		{"physician", "Physician id"}, {"rule", "Rule id, e.g. R-PRICE-01"},                           \
		{"result_type", "definite or suspicious"}, {"state", "pending, confirmed or dismissed"},        \
		{"region", "GB/T 2260 code: flags in its subtree"},                                            \
		{"patient", "Patient id (exact, by keyed hash): a disclosure — insurance_analyst and admin only, audited as claims.flag.lookup, per-user limit"}

static const yj_qparam list_params[] = {
	FILTER_PARAMS, YJ_QP_PAGE, {NULL, NULL},
};
static const yj_qparam export_params[] = {FILTER_PARAMS, {"format", "xlsx (default) or csv"}, {NULL, NULL}};

/* ---- ?patient=: a lookup by a clear id tells whether a guess is right, so it is a disclosure ---- */

struct lookup_arg {
	yj_req *r;
	const char *hash;
};

/* The leaf of one lookup: who looked, which flag matched first (or "none"); never the id. */
static int lookup_tx(store_conn *c, void *arg)
{
	struct lookup_arg *l = arg;
	const yj_principal *who = yj_who(l->r);
	char actor[21], sid[21] = "none", region[16];
	int64_t id = 0;
	snprintf(region, sizeof region, "%s", who->region_code);
	int rc = rv_flag_by_patient(c, &who->scope, l->hash, &id, region);
	if (rc < 0 && rc != ST_NOTFOUND)
		return rc;
	int matched = rc == ST_OK;
	if (matched)
		yj_id_format(id, sid);
	actor_of(l->r, actor);
	json_t *state = json_pack("{s:s, s:b}", "field", "patient", "matched", matched);
	yj_audit_event ev = {actor, "claims.flag.lookup", "claim_flag", sid, region, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

/* Only the roles that may disclose patient ids, within the per-user limit, audited before the
 * answer. YJ_OK to go on; YJ_ERR after replying. */
static int patient_gate(yj_req *r, const char *hash)
{
	if (yj_pii_gate(r, DISCLOSERS, "参保人编号") < 0)
		return YJ_ERR;
	struct lookup_arg l = {r, hash};
	yj_refusal none = {0}; /* the lookup refuses nothing: only a store failure is replied */
	if (yj_tx_or_reply(r, lookup_tx, &l, &none) < 0)
		return YJ_ERR;
	yj_add_header(r, "Cache-Control", "no-store");
	return YJ_OK;
}

/* The scoped query of flags with the request's filters, or NULL after replying 400 (403/429 for a
 * patient lookup the caller may not make). */
static yj_qb *filtered(yj_req *r, const char *columns)
{
	const char *pv = yj_query(r, "patient");
	char ph[65];
	if (pv && *pv) {
		yj_pii_hash(pv, ph);
		if (patient_gate(r, ph) < 0)
			return NULL;
	}
	yj_qb *q = yj_q_select(&rv_flags_table, columns, &yj_who(r)->scope);
	json_t *errors = json_array();
	const char *v;
	if ((v = yj_query(r, "run")) && *v) {
		int64_t id = 0;
		if (yj_id_parse(v, &id) < 0)
			yj_field_error(errors, "run", "应为筛查批次编号");
		yj_q_where(q, "run_id = ?");
		yj_q_int(q, id);
	}
	static const char *const eq[][2] = {
		{"institution", "institution_code"}, {"physician", "physician_id"}, {"rule", "rule_id"}};
	for (size_t i = 0; i < YJ_ARRAY_LEN(eq); i++)
		if ((v = yj_query(r, eq[i][0])) && *v) {
			char cond[64];
			snprintf(cond, sizeof cond, "%s = ?", eq[i][1]);
			yj_q_where(q, cond);
			yj_q_text(q, v);
		}
	if ((v = yj_query(r, "result_type")) && *v) {
		if (strcmp(v, "definite") && strcmp(v, "suspicious"))
			yj_field_error(errors, "result_type", "应为 definite（明确）或 suspicious（可疑）");
		yj_q_where(q, "result_type = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "state")) && *v) {
		if (strcmp(v, "pending") && strcmp(v, "confirmed") && strcmp(v, "dismissed"))
			yj_field_error(errors, "state", "应为 pending（待审核）、confirmed（已确认）或 dismissed（已排除）");
		yj_q_where(q, "state = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "region")) && *v) {
		size_t n = strlen(v);
		if ((n != 6 && n != 9) || strspn(v, "0123456789") != n) {
			yj_field_error(errors, "region", "应为 6 位或 9 位行政区划代码");
		} else {
			yj_q_region(q, "region_code", v);
		}
	}
	if (pv && *pv) {
		yj_q_where(q, "patient_hash = ?");
		yj_q_text(q, ph);
	}
	if (json_array_size(errors)) {
		yj_q_free(q);
		yj_reply_problem_errors(r, 400, "validation", "查询条件有误", "请按提示修改查询条件后重试。", errors);
		return NULL;
	}
	json_decref(errors);
	return q;
}

static json_t *flag_item(store_stmt *st, void *arg)
{
	(void)arg;
	return rv_flag_json(st);
}

static int flags_list(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = filtered(r, RV_FLAG_COLS);
	if (!q)
		return YJ_OK;
	return yj_reply_id_page(r, q, "id", limit, after, flag_item, NULL);
}

static const char *result_label(const char *v)
{
	return v && !strcmp(v, "definite") ? "明确" : "可疑";
}

static const char *state_label(const char *v)
{
	return !v ? "" : !strcmp(v, "confirmed") ? "已确认" : !strcmp(v, "dismissed") ? "已排除" : "待审核";
}

/* A flag as the export shows it: labels in Chinese, no null reason. */
static json_t *flag_export_row(store_stmt *st, void *arg)
{
	(void)arg;
	json_t *o = rv_flag_json(st);
	json_object_set_new(o, "result_type", json_string(result_label(json_string_value(json_object_get(o, "result_type")))));
	json_object_set_new(o, "state", json_string(state_label(json_string_value(json_object_get(o, "state")))));
	if (json_is_null(json_object_get(o, "reason")))
		json_object_set_new(o, "reason", json_string(""));
	return o;
}

static int flags_export(yj_req *r)
{
	yj_qb *q = filtered(r, RV_FLAG_COLS);
	if (!q)
		return YJ_OK;
	yj_q_tail(q, "ORDER BY id"); /* every row: the export streams */
	static const yj_column cols[] = {
		{"id", "疑点编号"}, {"rule_id", "规则编号"}, {"result_type", "结果类型"}, {"claim_id", "结算单号"},
		{"line_nos", "明细行号"}, {"service_date", "服务日期"}, {"item_code", "项目编码"},
		{"institution_code", "医疗机构统一社会信用代码"}, {"physician_id", "医师编号"},
		{"patient_masked", "参保人（脱敏）"}, {"amount_yuan", "涉及金额（元）"}, {"message", "疑点说明"},
		{"list_version", "目录版本"}, {"region_code", "行政区划"}, {"state", "审核状态"}, {"reason", "审核理由"}, {NULL, NULL},
	};
	return yj_reply_export_stmt(r, "claim_flags", cols, yj_q_prepare(q, store_conn_get(yj_store(r))), flag_export_row,
				    NULL);
}

/* ---- one flag ---- */

static int flag_get(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	json_t *o = NULL;
	int rc = rv_flag_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, o);
}

struct disclose_arg {
	yj_req *r;
	int64_t id;
	char *clear;
};

static int disclose_tx(store_conn *c, void *arg)
{
	struct disclose_arg *d = arg;
	json_t *row = NULL;
	int rc = rv_flag_sealed(c, &yj_who(d->r)->scope, d->id, &row);
	if (rc != ST_OK)
		return rc;
	yj_pii_free(d->clear);
	d->clear = yj_pii_decrypt(json_string_value(json_object_get(row, "patient_cipher")));
	char actor[21], sid[21], region[16];
	actor_of(d->r, actor);
	yj_id_format(d->id, sid);
	snprintf(region, sizeof region, "%s", json_string_value(json_object_get(row, "region_code")));
	/* The leaf records who saw whose id; its state is the masked form, never the id. */
	json_t *state = json_pack("{s:s, s:O}", "field", "patient_id", "patient_masked", json_object_get(row, "patient_masked"));
	json_decref(row);
	yj_audit_event ev = {actor, "claims.flag.disclose", "claim_flag", sid, region, state};
	rc = d->clear ? yj_audit_append(c, &ev, NULL) : ST_ERR;
	json_decref(state);
	return rc;
}

static int flag_patient(yj_req *r)
{
	struct disclose_arg d = {r, 0, NULL};
	if (yj_path_id_or_reply(r, "id", &d.id) < 0)
		return YJ_OK;
	if (yj_pii_gate(r, DISCLOSERS, "参保人编号") < 0)
		return YJ_OK;
	yj_refusal none = {0}; /* the disclosure refuses nothing: absent (404) or a store failure */
	if (yj_tx_or_reply(r, disclose_tx, &d, &none) < 0) {
		yj_pii_free(d.clear);
		return YJ_OK;
	}
	yj_add_header(r, "Cache-Control", "no-store");
	json_t *body = json_pack("{s:s, s:s}", "id", yj_param(r, "id"), "patient_id", d.clear);
	yj_pii_free(d.clear);
	return yj_reply_json(r, 200, body);
}

/* ---- decisions ---- */

struct decide_arg {
	yj_req *r;
	int64_t id;
	const char *action;
	const char *reason;
	yj_refusal no; /* a decision the flag's state does not allow */
};

static int decide_tx(store_conn *c, void *arg)
{
	struct decide_arg *d = arg;
	char actor[21], state[16] = "";
	int applied = 0;
	actor_of(d->r, actor);
	int rc = rv_decide(c, &yj_who(d->r)->scope, d->id, d->action, actor, d->reason, &applied, state);
	if (rc < 0 || applied)
		return rc;
	if (!strcmp(d->action, "reopen"))
		return yj_refuse(&d->no, 409, "state", "疑点尚未审核", "该疑点仍在待审核状态，无需重新打开，可直接确认或排除。");
	return yj_refuse(&d->no, 409, "state", "疑点已审核",
			 "该疑点%s，不能重复审核；如需改变结论，请由领导或管理员重新打开后再审核。",
			 !strcmp(state, "confirmed") ? "已确认" : "已排除");
}

/* Only spaces, tabs, newlines and ideographic spaces (U+3000). */
static int blank(const char *s)
{
	while (*s) {
		if (strchr(" \t\r\n", *s))
			s++;
		else if (!strncmp(s, "\xe3\x80\x80", 3))
			s += 3;
		else
			return 0;
	}
	return 1;
}

static int decide(yj_req *r, const char *action)
{
	struct decide_arg d = {r, 0, action, NULL, {0}};
	if (yj_path_id_or_reply(r, "id", &d.id) < 0)
		return YJ_OK;
	d.reason = json_string_value(json_object_get(yj_body(r), "reason"));
	if (!d.reason || blank(d.reason))
		return yj_reply_problem_errors(r, 422, "validation", "请填写理由",
					       !strcmp(action, "confirm")   ? "确认疑点须写明理由（核实依据），请填写后重新提交。"
					       : !strcmp(action, "dismiss") ? "排除疑点须写明理由（为何不构成违规），请填写后重新提交。"
									    : "重新打开疑点须写明理由，请填写后重新提交。",
					       yj_field_errors("reason", "不能为空"));
	if (yj_tx_or_reply(r, decide_tx, &d, &d.no) < 0)
		return YJ_OK;
	json_t *o = NULL;
	int rc = rv_flag_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, d.id, &o);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, o);
}

static int flag_confirm(yj_req *r) { return decide(r, "confirm"); }
static int flag_dismiss(yj_req *r) { return decide(r, "dismiss"); }
static int flag_reopen(yj_req *r) { return decide(r, "reopen"); }

static const yj_field reason_body[] = {
	{"reason", F_STRING, 1, 1000, "Why (Chinese): the evidence checked, or why the flag is not a violation"},
	{NULL, 0, 0, 0, NULL},
};

/* ---- runs ---- */

static const yj_qparam run_params[] = {
	YJ_QP_PAGE, {NULL, NULL},
};
static const yj_qparam run_export_params[] = {
	{"format", "xlsx (default), csv or count"}, {NULL, NULL},
};

static int runs_list(yj_req *r)
{
	int limit;
	int64_t before;
	if (yj_page_id_or_reply(r, &limit, &before) < 0)
		return YJ_OK;
	if (!before)
		before = INT64_MAX; /* no cursor: from the newest */
	return yj_reply_page(r, rv_runs_query(store_conn_get(yj_store(r)), &yj_who(r)->scope, before, limit), limit,
			     rv_run_json, NULL, "id");
}

/* A run as its export shows it: the list's row with its times as Asia/Shanghai instants. */
static json_t *run_export_row(store_stmt *st, void *arg)
{
	json_t *o = rv_run_json(st, arg);
	char at[YJ_INSTANT_LEN];
	static const char *const times[] = {"started_at", "finished_at"};
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(o, times[i]);
		if (json_is_integer(v)) {
			yj_instant_format(json_integer_value(v), 480, at);
			json_object_set_new(o, times[i], json_string(at));
		}
	}
	json_object_set_new(o, "complete", json_string(json_is_true(json_object_get(o, "complete")) ? "是" : "否"));
	return o;
}

static int runs_export(yj_req *r)
{
	static const yj_column cols[] = {
		{"id", "批次编号"}, {"started_at", "开始时间"}, {"finished_at", "完成时间"}, {"complete", "已完成"},
		{"input_name", "结算数据文件"}, {"line_count", "明细行数"}, {"record_count", "结算单数"},
		{"rule_count", "规则数"}, {"flag_count", "疑点数"}, {"flagged_lines", "涉及明细行"},
		{"amount_yuan", "涉及金额（元）"}, {"region_code", "行政区划"}, {"actor", "提交人"},
		{"input_sha256", "数据文件 SHA-256"}, {"rules_sha256", "规则 SHA-256"}, {NULL, NULL},
	};
	/* newest first, as the list */
	return yj_reply_id_export(r, rv_runs_select(&yj_who(r)->scope), "id DESC", "claim_runs", cols, run_export_row, NULL);
}

/* ---- summary ---- */

static const yj_qparam summary_params[] = {
	{"run", "Screening run id (required)"}, {"top", "Physicians listed, 1–100 (default 10)"}, {NULL, NULL},
};

static int summary(yj_req *r)
{
	int64_t run;
	const char *v = yj_query(r, "run");
	if (!v || !*v || yj_id_parse(v, &run) < 0)
		return yj_reply_problem_errors(r, 400, "validation", "请指定筛查批次", "请在 run 参数中给出筛查批次编号（见筛查批次列表）。",
					       yj_field_errors("run", "应为筛查批次编号"));
	int top = 10;
	if ((v = yj_query(r, "top"))) {
		char *end;
		long t = strtol(v, &end, 10);
		if (!*v || *end || t < 1 || t > 100)
			return yj_reply_problem_errors(r, 400, "validation", "参数错误", "top 必须是 1 到 100 之间的整数。",
						       yj_field_errors("top", "应为 1–100 的整数"));
		top = (int)t;
	}
	/* The run must exist and be visible (department remit). */
	store_conn *c = store_conn_get(yj_store(r));
	const yj_scope *sc = &yj_who(r)->scope;
	int rc = rv_run_visible(c, sc, run);
	if (rc == ST_NOTFOUND)
		return yj_reply_problem(r, 404, "not-found", "筛查批次不存在", "没有该筛查批次，或不在您的管辖范围内，请从筛查批次列表中选择。");
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	json_t *total = NULL, *inst = NULL, *rules = NULL, *phys = NULL;
	if ((rc = rv_summary_group(c, sc, run, NULL, NULL, 0, &total)) < 0 ||
	    (rc = rv_summary_group(c, sc, run, "institution_code", "institution_code", 0, &inst)) < 0 ||
	    (rc = rv_summary_group(c, sc, run, "rule_id", "rule_id", 0, &rules)) < 0 ||
	    (rc = rv_summary_group(c, sc, run, "physician_id", "physician_id", top, &phys)) < 0) {
		json_decref(total);
		json_decref(inst);
		json_decref(rules);
		return yj_reply_store_error(r, rc);
	}
	json_t *t = json_incref(json_array_get(total, 0));
	json_decref(total);
	return yj_reply_json(r, 200, json_pack("{s:s, s:o, s:o, s:o, s:o}", "run", yj_query(r, "run"), "total", t,
					       "institutions", inst, "rules", rules, "physicians", phys));
}

const yj_route yj_claims_review_routes[] = {
	{"GET", "/api/v1/claims/runs", runs_list, READERS, NULL, run_params, "claims",
	 "List screening runs persisted by `yijian screen --db`, newest first", "{items, next_cursor}", 200},
	{"GET", "/api/v1/claims/runs/export", runs_export, READERS, NULL, run_export_params, "claims",
	 "The screening runs as Excel or CSV, newest first (?format=count: their number)", "file", 200},
	{"GET", "/api/v1/claims/flags", flags_list, READERS, NULL, list_params, "claims",
	 "List flag records in the caller's territory, with filters (patient ids masked)", "{items, next_cursor}", 200},
	{"GET", "/api/v1/claims/flags/export", flags_export, READERS, NULL, export_params, "claims",
	 "Export the filtered flag list as Excel or CSV (patient ids masked)", "An .xlsx or .csv file", 200},
	{"GET", "/api/v1/claims/flags/{id}", flag_get, READERS, NULL, NULL, "claims",
	 "Read one flag record with its review history", "The flag with reviews[]", 200},
	{"GET", "/api/v1/claims/flags/{id}/patient", flag_patient, DISCLOSERS, NULL, NULL, "claims",
	 "Disclose the patient id in clear (audited as claims.flag.disclose)", "{id, patient_id}", 200},
	{"POST", "/api/v1/claims/flags/{id}/confirm", flag_confirm, REVIEWERS, reason_body, NULL, "claims",
	 "Confirm a pending flag as a violation, with a reason (audited)", "The flag", 200},
	{"POST", "/api/v1/claims/flags/{id}/dismiss", flag_dismiss, REVIEWERS, reason_body, NULL, "claims",
	 "Dismiss a pending flag, with a reason (audited)", "The flag", 200},
	{"POST", "/api/v1/claims/flags/{id}/reopen", flag_reopen, REOPENERS, reason_body, NULL, "claims",
	 "Return a reviewed flag to pending, with a reason (audited; the earlier decision stays in reviews[])",
	 "The flag", 200},
	{"GET", "/api/v1/claims/summary", summary, READERS, NULL, summary_params, "claims",
	 "Per institution, rule and physician (top N) of a run: flags, amount at stake, confirmed count and amount",
	 "{run, total, institutions[], rules[], physicians[]}", 200},
	{0},
};
