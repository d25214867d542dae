/* credit_lists_api.c — the red, black and serious-dishonesty lists (红黑榜、严重失信名单): the
 * list in publication, entry by rule with its decision document (the rule's condition must hold),
 * exit with its document; and credit repair (信用修复, 国家发展改革委令第58号): an application with
 * commitment and evidence after the minimum disclosure period, its review and decision. */
#define _POSIX_C_SOURCE 200809L
#include "credit_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int list_ok(const char *l)
{
	return l && (!strcmp(l, "red") || !strcmp(l, "black") || !strcmp(l, "serious"));
}

static json_t *entry_row(store_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", yj_json_id(store_col_int64(st, 0)),
			 "list", store_col_text(st, 1), "subject_kind", store_col_text(st, 2), "subject_id",
			 yj_json_id(store_col_int64(st, 3)), "region_code", store_col_text(st, 4), "rule_code",
			 store_col_text(st, 5), "entry_doc", store_col_text(st, 6), "entered_on", store_col_text(st, 7),
			 "publish_until", store_col_text(st, 8), "state", store_col_text(st, 9), "exit_doc",
			 store_col_text(st, 10) ? store_col_text(st, 10) : "");
}

/* The entries of the path's list with the request's filters (the list and its export); NULL after
 * replying 404 for an unknown list. */
static yj_qb *filtered(yj_req *r)
{
	const char *list = yj_param(r, "list");
	if (!list_ok(list)) {
		yj_reply_problem(r, 404, "not-found", "没有该名单", "名单应为 red（红榜）、black（黑榜）或 serious（严重失信名单）。");
		return NULL;
	}
	yj_qb *q = yj_q_select(&credit_lists_t, "id, list, subject_kind, subject_id, region_code, rule_code, entry_doc,"
						 " entered_on, publish_until, state, exit_doc", &yj_who(r)->scope);
	yj_q_where(q, "list = ?");
	yj_q_text(q, list);
	const char *state = yj_query(r, "state");
	yj_q_where(q, "state = ?");
	yj_q_text(q, state && !strcmp(state, "exited") ? "exited" : "listed");
	return q;
}

static int list_get(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = filtered(r);
	return q ? yj_reply_id_page(r, q, "id", limit, after, entry_row, NULL) : YJ_OK;
}

static const yj_column entry_cols[] = {
	{"list", "名单"}, {"subject_kind", "主体类型"}, {"subject_id", "主体编号"}, {"region_code", "行政区划代码"},
	{"rule_code", "列入规则"}, {"entry_doc", "列入决定书"}, {"entered_on", "列入日期"}, {"publish_until", "公示截止"},
	{"state", "状态"}, {"exit_doc", "移出决定书"}, {NULL, NULL},
};

static int list_export(yj_req *r)
{
	yj_qb *q = filtered(r);
	return q ? yj_reply_id_export(r, q, "id", "credit-list", entry_cols, entry_row, NULL) : YJ_OK;
}

static int entry_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	yj_req *r = a->r;
	const char *kind = credit_body_str(r, "subject_kind"), *rule = credit_body_str(r, "rule_code");
	const char *doc = credit_body_str(r, "entry_doc");
	int64_t sid = 0;
	if (!credit_kind_ok(kind))
		yj_refusal_field(&a->ref, "subject_kind", "应为 institution 或 practitioner");
	/* The subject by registry id, or by the code a leader has at hand (credit code, certificate number). */
	const char *subj = credit_body_str(r, "subject_id");
	credit_subject s;
	int rc = ST_OK;
	if (!credit_blank(subj) && yj_id_parse(subj, &sid) < 0) {
		if ((rc = credit_subject_find(c, subj, &s)) == ST_OK && credit_kind_ok(kind) && !strcmp(s.kind, kind))
			sid = s.id;
		else if (rc < 0 && rc != ST_NOTFOUND)
			return rc;
	}
	if (!sid)
		yj_refusal_field(&a->ref, "subject_id", "应为主体编号、统一社会信用代码或执业证书编码");
	if (credit_blank(doc))
		yj_refusal_field(&a->ref, "entry_doc", "请填写列入决定书文号");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	rc = credit_subject_load(c, &yj_who(r)->scope, kind, sid, &s);
	if (rc == ST_NOTFOUND && (rc = credit_subject_find(c, subj, &s)) == ST_OK) { /* an all-digit certificate number */
		sid = s.id;
		rc = strcmp(s.kind, kind) ? ST_NOTFOUND : credit_subject_load(c, &yj_who(r)->scope, kind, sid, &s);
	}
	if (rc == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "subject_id", "未找到该主体，或不在您的辖区内");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc < 0)
		return rc;
	store_stmt *st = credit_prep(c, "SELECT condition, param, months, label FROM credit_list_rules WHERE code = ? AND"
					" list = ? AND subject_kind = ?", "ttt", rule, a->list, kind);
	if (!st)
		return ST_ERR;
	char cond[32] = "", label[200] = "";
	int64_t param = 0;
	if ((rc = store_step(st)) == ST_ROW) {
		snprintf(cond, sizeof cond, "%s", store_col_text(st, 0));
		param = store_col_int64(st, 1);
		snprintf(label, sizeof label, "%s", store_col_text(st, 3));
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (rc != ST_ROW) {
		yj_refusal_field(&a->ref, "rule_code", "该名单没有适用于此类主体的这条列入规则（见 GET /api/v1/credit/rules）");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if ((rc = credit_rule_holds(c, kind, sid, cond, param, a->today)) < 0)
		return rc;
	if (!rc)
		return yj_refuse(&a->ref, 422, "list-condition", "不符合列入条件",
				 "该主体目前不符合“%s”的列入条件，请核对信用档案后再作决定。", label);
	char until[11];
	rc = yj_credit_list_enter(c, a->list, kind, sid, s.region, rule, doc, a->today, a->actor, &a->id, until);
	if (rc == ST_CONFLICT)
		return yj_refuse(&a->ref, 409, "listed", "该主体已在名单中", "同一名单不重复列入；如需变更请先作出移出决定。");
	if (rc < 0)
		return rc;
	a->out = json_pack("{s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "id", yj_json_id(a->id), "list", a->list,
			   "subject_kind", kind, "subject_id", yj_json_id(sid), "rule_code", rule, "entry_doc", doc, "entered_on",
			   a->today, "publish_until", until, "state", "listed");
	return ST_OK;
}

static int entry_add(yj_req *r)
{
	credit_arg a = {0};
	a.list = yj_param(r, "list");
	if (!list_ok(a.list))
		return yj_reply_problem(r, 404, "not-found", "没有该名单", "名单应为 red、black 或 serious。");
	return credit_op(r, entry_tx, &a, 201);
}

static int exit_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	const char *doc = credit_body_str(a->r, "exit_doc");
	if (credit_blank(doc)) {
		yj_refusal_field(&a->ref, "exit_doc", "请填写移出决定书文号");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &credit_lists_t, "state, region_code, list, subject_kind, subject_id",
				&yj_who(a->r)->scope, a->id, &st);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "未找到该名单记录", "请确认编号，或该记录不在您的辖区内。");
	if (rc < 0)
		return rc;
	char state[16], region[16], list[16], kind[16], sbj[21];
	snprintf(state, sizeof state, "%s", store_col_text(st, 0));
	snprintf(region, sizeof region, "%s", store_col_text(st, 1));
	snprintf(list, sizeof list, "%s", store_col_text(st, 2));
	snprintf(kind, sizeof kind, "%s", store_col_text(st, 3));
	yj_id_format(store_col_int64(st, 4), sbj);
	store_finalize(st);
	if (strcmp(state, "listed"))
		return yj_refuse(&a->ref, 409, "state", "该主体已移出名单", "已移出的记录不能再次移出。");
	if ((rc = credit_exec(c, NULL, "UPDATE credit_list_entries SET state = 'exited', exit_doc = ?, exited_on = ? WHERE"
				       " id = ?", "tti", doc, a->today, a->id)) < 0)
		return rc;
	a->out = json_pack("{s:o, s:s, s:s, s:s, s:s}", "id", yj_json_id(a->id), "list", list, "state", "exited", "exit_doc",
			   doc, "exited_on", a->today);
	rc = credit_audit(c, a->actor, "credit.list.exit", "credit_list_entry", a->id, region, a->out);
	if (rc >= 0)
		rc = credit_emit(c, a->actor, "credit.list_exited", kind, sbj, region,
				 json_pack("{s:s, s:s, s:s, s:s}", "list", list, "subject_kind", kind, "subject_id", sbj,
					   "exited_on", a->today));
	return rc < 0 ? rc : ST_OK;
}

static int entry_exit(yj_req *r)
{
	credit_arg a = {0};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	return credit_op(r, exit_tx, &a, 200);
}

/* ---- credit repair ---- */

static int repair_periods(store_conn *c, const char *kinds, int *lo, int *hi)
{
	const char *names[16];
	int mins[16], maxs[16];
	char buf[16][32];
	size_t n = 0;
	store_stmt *st = credit_prep(c, "SELECT penalty_kind, min_months, max_months FROM credit_repair_periods", NULL);
	if (!st)
		return ST_ERR;
	int rc;
	while (n < 16 && (rc = store_step(st)) == ST_ROW) {
		snprintf(buf[n], sizeof buf[n], "%s", store_col_text(st, 0));
		names[n] = buf[n];
		mins[n] = (int)store_col_int64(st, 1);
		maxs[n] = (int)store_col_int64(st, 2);
		n++;
	}
	store_finalize(st);
	credit_repair_months(kinds, names, mins, maxs, n, lo, hi);
	return rc < 0 ? rc : ST_OK;
}

static int repair_apply_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	const char *commitment = credit_body_str(a->r, "commitment"), *evidence = credit_body_str(a->r, "evidence");
	if (credit_blank(commitment))
		yj_refusal_field(&a->ref, "commitment", "请提交信用承诺书内容");
	if (credit_blank(evidence))
		yj_refusal_field(&a->ref, "evidence", "请说明已纠正失信行为的证据（如罚款缴纳凭证、整改报告）");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &credit_records_t, "category, state, occurred_on, penalty_kinds, subject_kind, subject_id,"
						      " region_code, disclose_until", &yj_who(a->r)->scope, a->id, &st);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "未找到该信用记录", "请确认记录编号，或该记录不在您的辖区内。");
	if (rc < 0)
		return rc;
	char cat[16], state[16], on[11], kinds[200], kind[16], region[16], until[11];
	snprintf(cat, sizeof cat, "%s", store_col_text(st, 0));
	snprintf(state, sizeof state, "%s", store_col_text(st, 1));
	snprintf(on, sizeof on, "%s", store_col_text(st, 2));
	snprintf(kinds, sizeof kinds, "%s", store_col_text(st, 3));
	snprintf(kind, sizeof kind, "%s", store_col_text(st, 4));
	int64_t sid = store_col_int64(st, 5);
	snprintf(region, sizeof region, "%s", store_col_text(st, 6));
	snprintf(until, sizeof until, "%s", store_col_text(st, 7));
	store_finalize(st);
	if (strcmp(cat, "penalty"))
		return yj_refuse(&a->ref, 422, "not-repairable", "该记录不适用信用修复", "信用修复适用于行政处罚信息。");
	if (strcmp(state, "active"))
		return yj_refuse(&a->ref, 409, "state", "该记录已不再公示", "该处罚信息已停止公示（%s），无需申请修复。", state);
	int lo, hi;
	if ((rc = repair_periods(c, kinds, &lo, &hi)) < 0)
		return rc;
	char earliest[11];
	credit_add_months(on, lo, earliest); /* the last day of the minimum period */
	if (strcmp(a->today, earliest) <= 0)
		return yj_refuse(&a->ref, 422, "repair-too-early", "未满最短公示期",
				 "该处罚信息最短公示期为 %d 个月（自 %s 起），%s 之后方可申请信用修复。", lo, on, earliest);
	int64_t n = 0;
	if (!(st = credit_prep(c, "SELECT COUNT(*) FROM credit_repairs WHERE record_id = ? AND state = 'applied'", "i", a->id)))
		return ST_ERR;
	if ((rc = store_step(st)) == ST_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (n)
		return yj_refuse(&a->ref, 409, "pending", "已有待审核的修复申请", "请等待审核结果。");
	int64_t id = yj_id_new();
	if ((rc = credit_exec(c, NULL, "INSERT INTO credit_repairs (id, record_id, subject_kind, subject_id, region_code,"
				       " commitment, evidence, state, applied_on, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
				       " 'applied', ?, ?, ?)", "iitittttti", id, a->id, kind, sid, region, commitment, evidence,
			      a->today, a->actor, yj_now_ms())) < 0)
		return rc;
	a->out = json_pack("{s:o, s:o, s:s, s:s, s:s, s:i, s:i}", "id", yj_json_id(id), "record_id", yj_json_id(a->id), "state",
			   "applied", "applied_on", a->today, "disclose_until", until, "min_months", lo, "max_months", hi);
	return credit_audit(c, a->actor, "credit.repair.apply", "credit_repair", id, region, a->out);
}

static int repair_apply(yj_req *r)
{
	credit_arg a = {0};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	return credit_op(r, repair_apply_tx, &a, 201);
}

static json_t *repair_row(store_stmt *st, void *arg)
{
	(void)arg;
	const char *d = store_col_text(st, 7), *why = store_col_text(st, 8);
	return json_pack("{s:o, s:o, s:s, s:o, s:s, s:s, s:s, s:o, s:o}", "id", yj_json_id(store_col_int64(st, 0)), "record_id",
			 yj_json_id(store_col_int64(st, 1)), "subject_kind", store_col_text(st, 2), "subject_id",
			 yj_json_id(store_col_int64(st, 3)), "region_code", store_col_text(st, 4), "state",
			 store_col_text(st, 5), "applied_on", store_col_text(st, 6), "decided_on",
			 d ? json_string(d) : json_null(), "reason", why ? json_string(why) : json_null());
}

/* The repairs' query with ?state= (the list and its export). */
static yj_qb *repairs_filtered(yj_req *r)
{
	yj_qb *q = yj_q_select(&credit_repairs_t, "id, record_id, subject_kind, subject_id, region_code, state, applied_on,"
						   " decided_on, reason", &yj_who(r)->scope);
	const char *state = yj_query(r, "state");
	if (state && *state) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, state);
	}
	return q;
}

static int repairs_list(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	return yj_reply_id_page(r, repairs_filtered(r), "id", limit, after, repair_row, NULL);
}

static const yj_column repair_cols[] = {
	{"id", "申请编号"}, {"record_id", "失信记录编号"}, {"subject_kind", "主体类型"}, {"subject_id", "主体编号"},
	{"region_code", "行政区划代码"}, {"state", "状态"}, {"applied_on", "申请日期"}, {"decided_on", "审核日期"},
	{"reason", "审核意见"}, {NULL, NULL},
};

static int repairs_export(yj_req *r)
{
	return yj_reply_id_export(r, repairs_filtered(r), "id", "credit-repairs", repair_cols, repair_row, NULL);
}

static int repair_decide_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	const char *result = credit_body_str(a->r, "result"), *reason = credit_body_str(a->r, "reason");
	if (strcmp(result, "approve") && strcmp(result, "reject"))
		yj_refusal_field(&a->ref, "result", "应为 approve（准予修复）或 reject（不予修复）");
	if (credit_blank(reason))
		yj_refusal_field(&a->ref, "reason", "请写明审核意见");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &credit_repairs_t, "state, record_id, region_code, subject_kind, subject_id",
				&yj_who(a->r)->scope, a->id, &st);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "未找到该修复申请", "请确认编号，或该申请不在您的辖区内。");
	if (rc < 0)
		return rc;
	char state[16], region[16], kind[16];
	snprintf(state, sizeof state, "%s", store_col_text(st, 0));
	int64_t record = store_col_int64(st, 1), sid = store_col_int64(st, 4);
	snprintf(region, sizeof region, "%s", store_col_text(st, 2));
	snprintf(kind, sizeof kind, "%s", store_col_text(st, 3));
	store_finalize(st);
	if (strcmp(state, "applied"))
		return yj_refuse(&a->ref, 409, "state", "该申请已审核", "已作出决定的申请不能再次审核。");
	int ok = !strcmp(result, "approve");
	if ((rc = credit_exec(c, NULL, "UPDATE credit_repairs SET state = ?, decided_on = ?, reason = ? WHERE id = ?", "ttti",
			      ok ? "approved" : "rejected", a->today, reason, a->id)) < 0)
		return rc;
	/* Approved: the publication ends today (58号令: 停止公示), and the grade follows at once. */
	if (ok && ((rc = credit_exec(c, NULL, "UPDATE credit_records SET state = 'repaired', ended_on = ? WHERE id = ? AND"
						" state = 'active'", "ti", a->today, record)) < 0 ||
		   (rc = yj_credit_evaluate(c, kind, sid, region, a->today, NULL)) < 0))
		return rc;
	a->out = json_pack("{s:o, s:o, s:s, s:s, s:s}", "id", yj_json_id(a->id), "record_id", yj_json_id(record), "state",
			   ok ? "approved" : "rejected", "decided_on", a->today, "reason", reason);
	return credit_audit(c, a->actor, "credit.repair.decide", "credit_repair", a->id, region, a->out);
}

static int repair_decide(yj_req *r)
{
	credit_arg a = {0};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	return credit_op(r, repair_decide_tx, &a, 200);
}

static const yj_field entry_body[] = {
	{"subject_kind", F_STRING, 1, 16, "institution or practitioner"},
	{"subject_id", F_STRING, 1, 40, "Registry id, credit code or practice certificate number"},
	{"rule_code", F_STRING, 1, 32, "List entry rule (GET /api/v1/credit/rules)"},
	{"entry_doc", F_STRING, 1, 200, "Entry decision document number (列入决定书)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field exit_body[] = {
	{"exit_doc", F_STRING, 1, 200, "Exit decision document number (移出决定书)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field repair_body[] = {
	{"commitment", F_STRING, 1, 4000, "Credit commitment (信用承诺书)"},
	{"evidence", F_STRING, 1, 4000, "Evidence of correction (fine paid, rectification report)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field repair_decide_body[] = {
	{"result", F_STRING, 1, 16, "approve or reject"},
	{"reason", F_STRING, 1, 2000, "Review opinion"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_q[] = {{"state", "listed (default) or exited"}, YJ_QP_PAGE, {NULL, NULL}};
static const yj_qparam list_export_q[] = {
	{"state", "listed (default) or exited"}, {"format", "xlsx (default), csv or count"}, {NULL, NULL}};
static const yj_qparam repairs_q[] = {{"state", "applied, approved or rejected"}, YJ_QP_PAGE, {NULL, NULL}};
static const yj_qparam repairs_export_q[] = {
	{"state", "applied, approved or rejected"}, {"format", "xlsx (default), csv or count"}, {NULL, NULL}};

const yj_route yj_credit_list_routes[] = {
	{"GET", "/api/v1/credit/lists/{list}", list_get, CREDIT_STAFF, NULL, list_q, "credit", "Red, black or serious-dishonesty list entries in the caller's territory", "{items}", 0},
	{"GET", "/api/v1/credit/lists/{list}/export", list_export, CREDIT_STAFF, NULL, list_export_q, "credit", "The list's entries as Excel or CSV (?format=count: their number)", "file", 0},
	{"POST", "/api/v1/credit/lists/{list}/entries", entry_add, ROLE_ADMIN | ROLE_LEADER, entry_body, NULL, "credit", "Enter a subject on a list by rule, with the entry decision", "entry", 201},
	{"POST", "/api/v1/credit/list-entries/{id}/exit", entry_exit, ROLE_ADMIN | ROLE_LEADER, exit_body, NULL, "credit", "Take a subject off a list with the exit decision", "entry", 0},
	{"POST", "/api/v1/credit/records/{id}/repairs", repair_apply, ROLE_ADMIN | ROLE_INSPECTOR | ROLE_INSTITUTION, repair_body, NULL, "credit", "Apply for credit repair of a penalty record after its minimum period", "repair", 201},
	{"GET", "/api/v1/credit/repairs", repairs_list, CREDIT_READERS, NULL, repairs_q, "credit", "Credit repair applications", "{items}", 0},
	{"GET", "/api/v1/credit/repairs/export", repairs_export, CREDIT_READERS, NULL, repairs_export_q, "credit", "The repair applications of the list's filter as Excel or CSV (?format=count: their number)", "file", 0},
	{"POST", "/api/v1/credit/repairs/{id}/decision", repair_decide, ROLE_ADMIN | ROLE_LEADER, repair_decide_body, NULL, "credit", "Approve or reject a repair application", "repair", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
