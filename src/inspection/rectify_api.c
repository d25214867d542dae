/* rectify_api.c — what follows an inspection: rectification orders (整改) with deadlines counted in
 * working days on the calendar, their follow-up inspection and overdue flag; and publication (一公开):
 * every completed inspection is due on the public portal within 20 working days of completion, tracked
 * and flagged when overdue, published by a leader, and listed publicly without sign-in. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- publication deadlines ---- */

static int publications_list(yj_req *r)
{
	const char *ov = yj_query(r, "overdue");
	char today[11];
	yj_day_today(today);
	json_t *items = NULL;
	int rc = yj_insp_publications(store_conn_get(yj_store(r)), &yj_who(r)->scope, today, ov && !strcmp(ov, "true"), 1000, &items);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:s, s:i, s:o, s:n}", "today", today, "working_days", YJ_PUBLISH_WORKING_DAYS,
					       "items", items, "next_cursor"));
}

struct pub_arg {
	yj_req *r;
	int64_t id;
	json_t *out;
	yj_refusal ref;
};

static int publish_tx(store_conn *c, void *arg)
{
	struct pub_arg *a = arg;
	insp_task_head h;
	int rc = insp_task_head_load(c, &yj_who(a->r)->scope, a->id, &h);
	if (rc != ST_OK)
		return rc;
	const char *region = h.region, *outcome = h.outcome;
	int done = !strcmp(h.state, "completed"), published = h.published;
	if (!done)
		return yj_refuse(&a->ref, 409, "state", "不能公示", "检查尚未完成，完成后才能公示结果。");
	if (published)
		return yj_refuse(&a->ref, 409, "state", "不能公示", "该检查结果已公示。");
	int64_t now = yj_now_ms();
	if ((rc = insp_task_set_published(c, a->id, now)) < 0 || (rc = insp_todo_published(c, a->id)) < 0)
		return rc;
	a->out = json_pack("{s:o, s:I, s:s}", "task_id", yj_json_id(a->id), "published_at", (json_int_t)now, "outcome", outcome);
	if ((rc = insp_audit(c, a->r, "inspection.result.publish", "inspection_task", a->id, region, a->out, NULL)) < 0)
		return rc;
	return insp_event(c, a->r, "inspection.result_published", "inspection_task", a->id, region, json_deep_copy(a->out));
}

static int task_publish(yj_req *r)
{
	struct pub_arg a = {.r = r};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0 || yj_tx_or_reply(r, publish_tx, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 200, a.out);
}

/* Published results, newest first, for the public portal (no sign-in). */
static int public_results(yj_req *r)
{
	int limit;
	const char *region = yj_query(r, "region");
	int64_t before;
	if (yj_page_id_or_reply(r, &limit, &before) < 0)
		return YJ_OK;
	if (!before)
		before = INT64_MAX; /* no cursor: from the newest */
	char pat[24] = "%";
	if (region && *region) {
		size_t n = strlen(region);
		if ((n != 6 && n != 9) || strspn(region, "0123456789") != n)
			return yj_reply_problem(r, 400, "validation", "参数错误", "region 应为 6 位或 9 位行政区划代码。");
		char p[16];
		yj_region_prefix(region, p);
		snprintf(pat, sizeof pat, "%s%%", p);
	}
	json_t *items = NULL, *next = NULL;
	int rc = insp_public_results_page(store_conn_get(yj_store(r)), pat, before, limit, &items, &next);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* ---- rectification orders ---- */

static int order_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = insp_order_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

/* Orders by deadline; without ?limit= a page holds up to ORDERS_PAGE, what the list answered before
 * it had pages. */
#define ORDERS_PAGE 1000

/* The cursor "YYYY-MM-DD,id" into day and id; YJ_ERR when malformed. */
static int order_cursor(const char *cursor, char day[11], int64_t *id)
{
	const char *comma = strchr(cursor, ',');
	int64_t d;
	if (!comma || comma - cursor != 10)
		return YJ_ERR;
	memcpy(day, cursor, 10);
	day[10] = '\0';
	return yj_day_parse(day, &d) < 0 || yj_id_parse(comma + 1, id) < 0 ? YJ_ERR : YJ_OK;
}

static const yj_column order_cols[] = {
	{"subject_name", "被检查机构"}, {"subject_code", "统一社会信用代码"}, {"requirement", "整改要求"},
	{"issued_on", "下达日期"}, {"working_days", "期限（工作日）"}, {"deadline", "整改期限"}, {"state", "状态"},
	{"overdue", "已逾期"}, {"report", "整改报告"}, {"close_note", "结案说明"}, {NULL, NULL},
};

/* ?subject= (an institution id; its 一户一档 page) as *subject, 0 when absent; YJ_ERR after replying 400. */
static int subject_or_reply(yj_req *r, int64_t *subject)
{
	const char *v = yj_query(r, "subject");
	*subject = 0;
	if (v && *v && yj_id_parse(v, subject) < 0) {
		yj_reply_problem(r, 400, "validation", "参数错误", "subject 应为机构编号（主体库中的编号）。");
		return YJ_ERR;
	}
	return YJ_OK;
}

/* Every order the list would show with the same filters, by deadline, as Excel or CSV. */
static int orders_export(yj_req *r)
{
	char today[11];
	int64_t subject;
	if (subject_or_reply(r, &subject) < 0)
		return YJ_OK;
	yj_day_today(today);
	const char *state = yj_query(r, "state"), *overdue = yj_query(r, "overdue");
	store_stmt *st = insp_orders_all(store_conn_get(yj_store(r)), &yj_who(r)->scope, state,
					 overdue && !strcmp(overdue, "true"), today, subject);
	return yj_reply_export_stmt(r, "rectifications", order_cols, st, insp_order_row, today);
}

static int orders_list(yj_req *r)
{
	int limit;
	const char *cursor;
	char today[11], after_day[11] = "";
	int64_t after_id = 0, subject;
	if (yj_page_params_or(r, ORDERS_PAGE, &limit, &cursor) < 0 || subject_or_reply(r, &subject) < 0)
		return YJ_OK;
	if (cursor && order_cursor(cursor, after_day, &after_id) < 0)
		return yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
	yj_day_today(today);
	const char *state = yj_query(r, "state"), *overdue = yj_query(r, "overdue");
	json_t *items = NULL, *next = NULL;
	int rc = insp_orders_page(store_conn_get(yj_store(r)), &yj_who(r)->scope, state, overdue && !strcmp(overdue, "true"),
				  today, subject, after_day, after_id, limit, &items, &next);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:s, s:o, s:o}", "today", today, "items", items, "next_cursor", next));
}

struct order_arg {
	yj_req *r;
	int64_t id;
	json_t *out;
	yj_refusal ref;
};

/* Runs fn on the order or task of the path's id and replies its out with status, or the refusal. */
static int order_op(yj_req *r, store_tx_fn fn, int status)
{
	struct order_arg a = {.r = r};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	if (yj_tx_or_reply(r, fn, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, status, a.out);
}

static int order_create_tx(store_conn *c, void *arg)
{
	struct order_arg *a = arg;
	const json_t *b = yj_body(a->r);
	insp_task_head h;
	int rc = insp_task_head_load(c, &yj_who(a->r)->scope, a->id, &h);
	if (rc != ST_OK)
		return rc;
	int64_t subject = h.subject_id;
	const char *region = h.region, *dept = h.department;
	const char *req = json_string_value(json_object_get(b, "requirement")), *fid = json_string_value(json_object_get(b, "finding_id"));
	json_int_t days = json_integer_value(json_object_get(b, "working_days"));
	int64_t finding = 0, n = 0;
	if (insp_blank(req) || !insp_clean(req, 1))
		yj_refusal_field(&a->ref, "requirement", "请写明整改要求");
	if (days < 1 || days > 365)
		yj_refusal_field(&a->ref, "working_days", "整改期限应为 1 到 365 个工作日");
	if (fid) {
		char tid[21];
		yj_id_format(a->id, tid);
		if (yj_id_parse(fid, &finding) < 0 ||
		    insp_finding_task(c, finding, &n) != ST_OK || n != a->id)
			yj_refusal_field(&a->ref, "finding_id", "该问题不属于本检查任务");
	}
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, "整改通知不完整，请按字段提示修改后重新提交。");
	char today[11], deadline[11], actor[21];
	yj_day_today(today);
	if ((rc = yj_workdays_add(c, today, (int)days, deadline)) < 0)
		return rc;
	insp_actor(a->r, actor);
	int64_t id = yj_id_new();
	insp_order_new row = {id, a->id, fid ? finding : 0, subject, req, today, days, deadline, region, dept, actor, yj_now_ms()};
	rc = insp_order_insert(c, &row);
	if (rc < 0 || (rc = insp_todo_order(c, id)) < 0 || (rc = insp_order_load(c, &yj_who(a->r)->scope, id, &a->out)) < 0)
		return rc;
	return insp_audit(c, a->r, "inspection.rectification.order", "rectification_order", id, region, a->out, NULL);
}

static int order_create(yj_req *r)
{
	return order_op(r, order_create_tx, 201);
}

/* Follow-up inspection (整改复查): a task of kind follow_up over the same subject and items. */
static int follow_up_tx(store_conn *c, void *arg)
{
	struct order_arg *a = arg;
	json_t *o = NULL;
	int rc = insp_order_load(c, &yj_who(a->r)->scope, a->id, &o);
	if (rc < 0)
		return rc;
	if (!json_is_null(json_object_get(o, "follow_up_task_id")) || strcmp(json_string_value(json_object_get(o, "state")), "open")) {
		json_decref(o);
		return yj_refuse(&a->ref, 409, "state", "不能安排复查", "该整改通知已安排复查或已办结。");
	}
	int64_t task = 0, fid = yj_id_new(), now = yj_now_ms();
	yj_id_parse(json_string_value(json_object_get(o, "task_id")), &task);
	const json_t *team = json_object_get(yj_body(a->r), "team");
	char *team_csv = NULL, actor[21];
	insp_actor(a->r, actor);
	if (team) {
		int64_t sid = 0;
		yj_id_parse(json_string_value(json_object_get(o, "subject_id")), &sid);
		rc = insp_team_check(c, team, sid, json_string_value(json_object_get(o, "region_code")), &a->ref, &team_csv);
		if (rc < 0) {
			json_decref(o);
			return rc;
		}
	}
	/* Copy the inspected task's subject, items and (unless given) team. */
	rc = insp_follow_up_insert(c, fid, task, a->id, json_string_value(json_object_get(o, "deadline")), actor, now);
	if (rc >= 0) /* the given team, else the inspected task's */
		rc = team_csv ? insp_team_write(c, fid, team_csv) : insp_team_copy(c, task, fid);
	free(team_csv);
	if (rc >= 0)
		rc = insp_todo_task(c, fid);
	if (rc >= 0)
		rc = insp_order_set_follow_up(c, a->id, fid);
	char region[16];
	snprintf(region, sizeof region, "%s", json_string_value(json_object_get(o, "region_code")));
	json_decref(o);
	if (rc < 0 || (rc = insp_order_load(c, &yj_who(a->r)->scope, a->id, &a->out)) < 0)
		return rc;
	return insp_audit(c, a->r, "inspection.rectification.follow_up", "rectification_order", a->id, region, a->out, NULL);
}

static int order_follow_up(yj_req *r)
{
	return order_op(r, follow_up_tx, 201);
}

static int close_tx(store_conn *c, void *arg)
{
	struct order_arg *a = arg;
	const json_t *b = yj_body(a->r);
	const char *res = json_string_value(json_object_get(b, "result")), *note = json_string_value(json_object_get(b, "note"));
	if (!res || (strcmp(res, "rectified") && strcmp(res, "not_rectified")))
		yj_refusal_field(&a->ref, "result", "应为 rectified（已整改）或 not_rectified（逾期未整改）");
	if (insp_blank(note) || !insp_clean(note, 1))
		yj_refusal_field(&a->ref, "note", "请写明复查情况");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	json_t *o = NULL;
	int rc = insp_order_load(c, &yj_who(a->r)->scope, a->id, &o);
	if (rc < 0)
		return rc;
	int open = !strcmp(json_string_value(json_object_get(o, "state")), "open");
	char region[16];
	snprintf(region, sizeof region, "%s", json_string_value(json_object_get(o, "region_code")));
	json_decref(o);
	if (!open)
		return yj_refuse(&a->ref, 409, "state", "不能办结", "该整改通知已办结。");
	if ((rc = insp_order_close(c, a->id, res, note, yj_now_ms())) < 0 || (rc = insp_todo_order_closed(c, a->id)) < 0 || (rc = insp_order_load(c, &yj_who(a->r)->scope, a->id, &a->out)) < 0)
		return rc;
	return insp_audit(c, a->r, "inspection.rectification.close", "rectification_order", a->id, region, a->out, NULL);
}

static int order_close(yj_req *r)
{
	return order_op(r, close_tx, 200);
}

/* The institution's report (整改报告) on its own open order: its scope is bound to the institution, so
 * order_load finds no other order (404). The latest report is kept on the order. */
static int report_tx(store_conn *c, void *arg)
{
	struct order_arg *a = arg;
	const char *text = json_string_value(json_object_get(yj_body(a->r), "report"));
	if (insp_blank(text) || !insp_clean(text, 1)) {
		yj_refusal_field(&a->ref, "report", "请写明整改措施和完成情况");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	json_t *o = NULL;
	int rc = insp_order_load(c, &yj_who(a->r)->scope, a->id, &o);
	if (rc < 0)
		return rc;
	int open = !strcmp(json_string_value(json_object_get(o, "state")), "open");
	char region[16], actor[21];
	snprintf(region, sizeof region, "%s", json_string_value(json_object_get(o, "region_code")));
	json_decref(o);
	if (!open)
		return yj_refuse(&a->ref, 409, "state", "不能提交", "该整改通知已办结，不能再提交整改报告。");
	insp_actor(a->r, actor);
	if ((rc = insp_order_report(c, a->id, text, actor, yj_now_ms())) < 0 || (rc = insp_order_load(c, &yj_who(a->r)->scope, a->id, &a->out)) < 0)
		return rc;
	return insp_audit(c, a->r, "inspection.rectification.report", "rectification_order", a->id, region, a->out, NULL);
}

static int order_report(yj_req *r)
{
	return order_op(r, report_tx, 200);
}

/* ---- routes ---- */

static const yj_field order_body[] = {
	{"requirement", F_STRING, 1, 4000, "What must be rectified"},
	{"working_days", F_INT, 1, 0, "Deadline in working days after today (1–365)"},
	{"finding_id", F_STRING, 0, 20, "The finding it addresses"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field follow_body[] = {{"team", F_ARRAY, 0, 0, "Inspectors (default: the original team)"}, {NULL, 0, 0, 0, NULL}};
static const yj_field close_body[] = {
	{"result", F_STRING, 1, 20, "rectified or not_rectified"}, {"note", F_STRING, 1, 2000, "What the follow-up found"},
	{NULL, 0, 0, 0, NULL}};
static const yj_field report_body[] = {
	{"report", F_STRING, 1, 4000, "What the institution has done about the order"}, {NULL, 0, 0, 0, NULL}};
static const yj_qparam orders_q[] = {{"state", "open, rectified or not_rectified"}, {"overdue", "true: open orders past their deadline"},
				     {"subject", "Institution id: only its orders"},
				     {"limit", "Page size, 1–200; without it up to 1,000 orders"},
				     {"cursor", "next_cursor of the previous page"}, {NULL, NULL}};
static const yj_qparam orders_export_q[] = {{"state", "open, rectified or not_rectified"},
					    {"overdue", "true: open orders past their deadline"}, {"subject", "Institution id"},
					    {"format", "xlsx (default) or csv"}, {NULL, NULL}};
static const yj_qparam pubs_q[] = {{"overdue", "true: only those past the 20-working-day deadline"}, {NULL, NULL}};
static const yj_qparam results_q[] = {{"region", "GB/T 2260 code: results in its subtree"}, {"limit", "Page size"}, {"cursor", "next_cursor"}, {NULL, NULL}};

const yj_route yj_insp_rect_routes[] = {
	{"POST", "/api/v1/inspection/tasks/{id}/rectifications", order_create, INSP_FIELD, order_body, NULL, "inspection", "Issue a rectification order with a deadline in working days", "order", 201},
	{"GET", "/api/v1/inspection/rectifications", orders_list, INSP_TASK_READERS, NULL, orders_q, "inspection", "Rectification orders with overdue flags", "{today, items}", 0},
	{"GET", "/api/v1/inspection/rectifications/export", orders_export, INSP_TASK_READERS, NULL, orders_export_q, "inspection", "Export the filtered rectification orders as Excel or CSV", "An .xlsx or .csv file", 0},
	{"GET", "/api/v1/inspection/rectifications/{id}", order_get, INSP_TASK_READERS, NULL, NULL, "inspection", "One rectification order", "order", 0},
	{"POST", "/api/v1/inspection/rectifications/{id}/follow-up", order_follow_up, INSP_FIELD, follow_body, NULL, "inspection", "Create the follow-up inspection task", "order", 201},
	{"POST", "/api/v1/inspection/rectifications/{id}/report", order_report, ROLE_INSTITUTION, report_body, NULL, "inspection", "The institution's rectification report on its own open order (整改报告)", "order", 0},
	{"POST", "/api/v1/inspection/rectifications/{id}/close", order_close, INSP_FIELD, close_body, NULL, "inspection", "Close an order: rectified or not", "order", 0},
	{"GET", "/api/v1/inspection/publications", publications_list, INSP_STAFF, NULL, pubs_q, "inspection", "Completed inspections awaiting publication, with deadlines and overdue flags", "{today, items}", 0},
	{"POST", "/api/v1/inspection/tasks/{id}/publish", task_publish, INSP_PLANNERS, NULL, NULL, "inspection", "Publish an inspection result on the public portal", "publication", 0},
	{"GET", "/api/v1/public/inspection-results", public_results, ROLE_PUBLIC, NULL, results_q, "public", "Published inspection results (no sign-in)", "{items, next_cursor}", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
