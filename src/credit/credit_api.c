/* credit_api.c — the staff routes of a subject's credit: its whole file, evaluation on demand,
 * points by hand with their source document, the subject's appeal (申辩) within its period and
 * the decision on it, records by hand (commendations, other departments' penalties), and the rule
 * tables as data. Lists and repairs are credit_lists_api.c; the check and exports credit_check_api.c. */
#define _POSIX_C_SOURCE 200809L
#include "credit_int.h"
#include "credit_api.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void credit_actor(yj_req *r, char out[21])
{
	yj_id_format(yj_who(r)->user_id, out);
}

int credit_op(yj_req *r, store_tx_fn fn, credit_arg *a, int status)
{
	a->r = r;
	credit_actor(r, a->actor);
	yj_day_today(a->today);
	if (yj_tx_or_reply(r, fn, a, &a->ref) < 0) {
		json_decref(a->out);
		return YJ_OK;
	}
	return yj_reply_json(r, status, a->out ? a->out : json_object());
}

const char *credit_body_str(yj_req *r, const char *k)
{
	const char *v = json_string_value(json_object_get(yj_body(r), k));
	return v ? v : "";
}

/* Non-blank: a document number of spaces names no document. */
int credit_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

/* ---- a subject's credit file ---- */

static int subject_get(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	credit_subject s;
	int rc = credit_subject_load(c, &yj_who(r)->scope, NULL, id, &s);
	if (rc == ST_NOTFOUND)
		return yj_reply_problem(r, 404, "not-found", "未找到该主体", "请确认主体编号，或该主体不在您的辖区内。");
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	char today[11];
	yj_day_today(today);
	json_t *o;
	if ((rc = credit_subject_json(c, &s, today, &o)) < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, o);
}

static int evaluate_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	credit_subject s;
	int rc = credit_subject_load(c, &yj_who(a->r)->scope, NULL, a->id, &s);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "未找到该主体", "请确认主体编号，或该主体不在您的辖区内。");
	char grade[2];
	if (rc < 0 || (rc = yj_credit_evaluate(c, s.kind, s.id, s.region, a->today, grade)) < 0)
		return rc;
	return credit_subject_json(c, &s, a->today, &a->out);
}

static int subject_evaluate(yj_req *r)
{
	credit_arg a = {0};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	return credit_op(r, evaluate_tx, &a, 200);
}

/* ---- points by hand ---- */

static int points_add_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	yj_req *r = a->r;
	const char *kind = credit_body_str(r, "subject_kind"), *rule = credit_body_str(r, "rule_code");
	const char *on = credit_body_str(r, "occurred_on"), *doc = credit_body_str(r, "source_doc");
	int64_t sid = 0;
	json_int_t points = json_integer_value(json_object_get(yj_body(r), "points"));
	if (!credit_kind_ok(kind))
		yj_refusal_field(&a->ref, "subject_kind", "应为 institution（机构）或 practitioner（医务人员）");
	if (yj_id_parse(credit_body_str(r, "subject_id"), &sid) < 0)
		yj_refusal_field(&a->ref, "subject_id", "应为主体编号");
	if (!credit_cycle_year(on))
		yj_refusal_field(&a->ref, "occurred_on", "应为 YYYY-MM-DD 格式的日期");
	else if (strcmp(on, a->today) > 0)
		yj_refusal_field(&a->ref, "occurred_on", "不能晚于今天");
	if (credit_blank(doc))
		yj_refusal_field(&a->ref, "source_doc", "记分须有来源文书（如处罚决定书文号、检查记录编号），请填写后再提交");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	credit_subject s;
	int rc = credit_subject_load(c, &yj_who(r)->scope, kind, sid, &s);
	if (rc == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "subject_id", "未找到该主体，或不在您的辖区内");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc < 0)
		return rc;
	int64_t lo, hi;
	if ((rc = credit_point_rule_band(c, rule, kind, &lo, &hi)) < 0 && rc != ST_NOTFOUND)
		return rc;
	if (rc == ST_NOTFOUND)
		yj_refusal_field(&a->ref, "rule_code", "记分标准中没有该条目（见 GET /api/v1/credit/rules）");
	else if (points < lo || points > hi) {
		char why[96];
		snprintf(why, sizeof why, "该条目的分值档次为 %lld–%lld 分", (long long)lo, (long long)hi);
		yj_refusal_field(&a->ref, "points", why);
	}
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	/* By hand, the source is the document itself: one entry per document, rule and subject. */
	yj_credit_points_in in = {s.kind, s.id, s.region, rule, (int)points, on, "manual", doc, doc, a->actor};
	int64_t id;
	if ((rc = yj_credit_points_add(c, &in, &id)) < 0)
		return rc;
	if (!id)
		return yj_refuse(&a->ref, 409, "duplicate", "该文书已按此条目记分", "同一文书对同一主体同一条目只记分一次。");
	return credit_subject_json(c, &s, a->today, &a->out);
}

static int points_add(yj_req *r)
{
	credit_arg a = {0};
	return credit_op(r, points_add_tx, &a, 201);
}

/* ---- appeal (申辩) ---- */

static int point_load(credit_arg *a, store_conn *c, char state[16], char due[11], credit_subject *s)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &credit_points_t, "state, appeal_due, subject_kind, subject_id", &yj_who(a->r)->scope,
				a->id, &st);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "未找到该记分", "请确认记分编号，或该记分不在您的辖区内。");
	if (rc < 0)
		return rc;
	snprintf(state, 16, "%s", store_col_text(st, 0));
	snprintf(due, 11, "%s", store_col_text(st, 1));
	char kind[16];
	snprintf(kind, sizeof kind, "%s", store_col_text(st, 2));
	int64_t sid = store_col_int64(st, 3);
	store_finalize(st);
	return credit_subject_load(c, NULL, kind, sid, s);
}

static int appeal_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	char state[16], due[11];
	credit_subject s;
	int rc = point_load(a, c, state, due, &s);
	if (rc < 0)
		return rc;
	if (strcmp(state, "notified"))
		return yj_refuse(&a->ref, 409, "state", "该记分不能再申辩", "该记分已申辩或已处理（%s），如有异议请依法申请复议。", state);
	if (strcmp(a->today, due) > 0)
		return yj_refuse(&a->ref, 422, "appeal-period-over", "申辩期限已过",
				 "申辩期限已于 %s 届满，不能再申辩；如有异议请依法申请行政复议或提起行政诉讼。", due);
	const char *reason = credit_body_str(a->r, "reason");
	if (credit_blank(reason)) {
		yj_refusal_field(&a->ref, "reason", "请写明申辩理由");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if ((rc = credit_point_appeal_set(c, a->id, "appealed", reason, NULL)) < 0)
		return rc;
	json_t *st = json_pack("{s:s, s:s}", "state", "appealed", "appeal_due", due);
	rc = credit_audit(c, a->actor, "credit.points.appeal", "credit_points", a->id, s.region, st);
	json_decref(st);
	if (rc < 0)
		return rc;
	a->out = json_pack("{s:o, s:s, s:s}", "id", yj_json_id(a->id), "state", "appealed", "appeal_due", due);
	return ST_OK;
}

static int appeal(yj_req *r)
{
	credit_arg a = {0};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	return credit_op(r, appeal_tx, &a, 200);
}

static int appeal_decide_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	char state[16], due[11], sid[21];
	credit_subject s;
	int rc = point_load(a, c, state, due, &s);
	if (rc < 0)
		return rc;
	const char *result = credit_body_str(a->r, "result");
	if (strcmp(result, "upheld") && strcmp(result, "accepted")) {
		yj_refusal_field(&a->ref, "result", "应为 upheld（维持记分）或 accepted（申辩成立，撤销记分）");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (strcmp(state, "appealed"))
		return yj_refuse(&a->ref, 409, "state", "该记分没有待处理的申辩", "只有申辩中的记分可以作出申辩处理决定。");
	int accepted = !strcmp(result, "accepted");
	if ((rc = credit_point_appeal_set(c, a->id, accepted ? "void" : "confirmed", NULL, result)) < 0)
		return rc;
	json_t *st = json_pack("{s:s, s:s}", "result", result, "reason", credit_body_str(a->r, "reason"));
	rc = credit_audit(c, a->actor, "credit.points.appeal_decide", "credit_points", a->id, s.region, st);
	json_decref(st);
	if (rc < 0)
		return rc;
	yj_id_format(a->id, sid);
	if (accepted) {
		/* The points no longer count: their record ends and the year's consequences follow. */
		int64_t year;
		if ((rc = credit_point_year(c, a->id, &year)) < 0 || (rc = credit_records_end_source(c, "credit_points", sid, "void", a->today)) < 0 ||
		    (rc = credit_consequences_sync(c, s.kind, s.id, s.region, (int)year, a->today)) < 0)
			return rc;
	}
	a->out = json_pack("{s:o, s:s, s:s}", "id", yj_json_id(a->id), "state", accepted ? "void" : "confirmed",
			   "appeal_result", result);
	return ST_OK;
}

static int appeal_decide(yj_req *r)
{
	credit_arg a = {0};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	return credit_op(r, appeal_decide_tx, &a, 200);
}

/* ---- records by hand ---- */

static int record_add_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	yj_req *r = a->r;
	const char *kind = credit_body_str(r, "subject_kind"), *cat = credit_body_str(r, "category");
	const char *on = credit_body_str(r, "occurred_on"), *doc = credit_body_str(r, "source_doc");
	const char *title = credit_body_str(r, "title");
	int64_t sid = 0;
	if (!credit_kind_ok(kind))
		yj_refusal_field(&a->ref, "subject_kind", "应为 institution 或 practitioner");
	if (yj_id_parse(credit_body_str(r, "subject_id"), &sid) < 0)
		yj_refusal_field(&a->ref, "subject_id", "应为主体编号");
	if (strcmp(cat, "commendation") && strcmp(cat, "penalty"))
		yj_refusal_field(&a->ref, "category", "人工录入的档案应为 commendation（表彰）或 penalty（其他部门的处罚）");
	if (!credit_cycle_year(on))
		yj_refusal_field(&a->ref, "occurred_on", "应为 YYYY-MM-DD 格式的日期");
	if (credit_blank(doc))
		yj_refusal_field(&a->ref, "source_doc", "请填写来源文书编号");
	if (credit_blank(title))
		yj_refusal_field(&a->ref, "title", "请填写事项");
	const char *until = credit_body_str(r, "disclose_until");
	if (*until && !credit_cycle_year(until))
		yj_refusal_field(&a->ref, "disclose_until", "应为 YYYY-MM-DD 格式的日期");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	credit_subject s;
	int rc = credit_subject_load(c, &yj_who(r)->scope, kind, sid, &s);
	if (rc == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "subject_id", "未找到该主体，或不在您的辖区内");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc < 0)
		return rc;
	char kinds[200] = "";
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(yj_body(r), "penalty_kinds"), i, k)
	{
		if (json_is_string(k) && strlen(kinds) + strlen(json_string_value(k)) + 2 < sizeof kinds) {
			if (*kinds)
				strcat(kinds, ",");
			strcat(kinds, json_string_value(k));
		}
	}
	int serious = json_is_true(json_object_get(yj_body(r), "serious"));
	yj_credit_record_in in = {s.kind, s.id, s.region, cat, title, "manual", doc, doc, on, *until ? until : NULL,
				  serious, kinds, json_integer_value(json_object_get(yj_body(r), "fine_fen")),
				  yj_who(r)->department, a->actor};
	int64_t id;
	if ((rc = yj_credit_record_put(c, &in, &id)) < 0)
		return rc;
	return credit_subject_json(c, &s, a->today, &a->out);
}

static int record_add(yj_req *r)
{
	credit_arg a = {0};
	return credit_op(r, record_add_tx, &a, 201);
}

/* ---- the rule tables ---- */

static int rules_get(yj_req *r)
{
	json_t *out;
	int rc = credit_rules_json(store_conn_get(yj_store(r)), &out);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, out);
}

/* ---- routes ---- */

static const yj_field points_body[] = {
	{"subject_kind", F_STRING, 1, 16, "institution or practitioner"},
	{"subject_id", F_STRING, 1, 20, "Registry id of the subject"},
	{"rule_code", F_STRING, 1, 32, "Point table entry (GET /api/v1/credit/rules)"},
	{"points", F_INT, 1, 0, "Points, within the entry's band"},
	{"occurred_on", F_STRING, 1, 10, "Day of the conduct, YYYY-MM-DD (its natural year is the cycle)"},
	{"source_doc", F_STRING, 1, 200, "The source document (decision number, record number)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field appeal_body[] = {
	{"reason", F_STRING, 1, 2000, "The subject's statement (申辩理由)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field decide_body[] = {
	{"result", F_STRING, 1, 16, "upheld (points stand) or accepted (points void)"},
	{"reason", F_STRING, 1, 2000, "Why"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field record_body[] = {
	{"subject_kind", F_STRING, 1, 16, "institution or practitioner"},
	{"subject_id", F_STRING, 1, 20, "Registry id of the subject"},
	{"category", F_STRING, 1, 16, "commendation or penalty (another department's)"},
	{"title", F_STRING, 1, 200, "What it is"},
	{"source_doc", F_STRING, 1, 200, "Document number"},
	{"occurred_on", F_STRING, 1, 10, "Decision day, YYYY-MM-DD"},
	{"disclose_until", F_STRING, 0, 10, "End of disclosure (公示截止期); default by the repair periods or one year"},
	{"serious", F_BOOL, 0, 0, "Penalty: serious circumstances (情节严重)"},
	{"penalty_kinds", F_ARRAY, 0, 0, "Penalty kinds: warning, fine, confiscation, suspend_practice, revoke_licence, detention_other"},
	{"fine_fen", F_INT, 0, 0, "Fine, fen"},
	{NULL, 0, 0, 0, NULL},
};

const yj_route yj_credit_routes[] = {
	{"GET", "/api/v1/credit/subjects/{id}", subject_get, CREDIT_READERS, NULL, NULL, "credit", "A subject's credit file: grade with contributions, points by year, records, consequences, lists", "credit_file", 0},
	{"POST", "/api/v1/credit/subjects/{id}/evaluate", subject_evaluate, ROLE_ADMIN | ROLE_LEADER | ROLE_INSPECTOR, NULL, NULL, "credit", "Evaluate a subject now with the active model", "credit_file", 0},
	{"POST", "/api/v1/credit/points", points_add, ROLE_ADMIN | ROLE_INSPECTOR | ROLE_INSURANCE_ANALYST, points_body, NULL, "credit", "Record bad-conduct points by hand with the source document", "credit_file", 201},
	{"POST", "/api/v1/credit/points/{id}/appeal", appeal, ROLE_ADMIN | ROLE_INSPECTOR | ROLE_INSTITUTION, appeal_body, NULL, "credit", "The subject's appeal (申辩) within the period", "points", 0},
	{"POST", "/api/v1/credit/points/{id}/appeal-decision", appeal_decide, ROLE_ADMIN | ROLE_LEADER, decide_body, NULL, "credit", "Decide an appeal: points upheld or void", "points", 0},
	{"POST", "/api/v1/credit/records", record_add, ROLE_ADMIN | ROLE_LEADER | ROLE_INSPECTOR, record_body, NULL, "credit", "Add a commendation or another department's penalty to a credit record", "credit_file", 201},
	{"GET", "/api/v1/credit/rules", rules_get, ROLE_ANY, NULL, NULL, "credit", "The rule tables: points, consequences, model, lists, repair periods, linkage", "rules", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
