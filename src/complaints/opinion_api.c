/* opinion_api.c — the routes of public-opinion events (重大舆情): the writes of opinion.c run through the
 * complaints' one runner, the event with its tasks and timeline, and the scoped list (docs/complaints.md,
 * "Public-opinion events"). */
#define _POSIX_C_SOURCE 200809L
#include "opinion_int.h"

#define HANDLERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)
#define OWNERS (ROLE_ADMIN | ROLE_LEADER | ROLE_LIAISON)

static int reg(yj_req *r) { return cmp_op_run(r, opn_register_tx, 201, NULL, NULL); }
static int add(yj_req *r) { return cmp_op_run(r, opn_progress_tx, 200, "id", NULL); }
static int task_done(yj_req *r) { return cmp_op_run(r, opn_task_done_tx, 200, "id", "task"); }
static int close_(yj_req *r) { return cmp_op_run(r, opn_close_tx, 200, "id", NULL); }

static int get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = opn_load_as_party(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	if (rc < 0)
		json_decref(o);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

/* The list's query with the request's filters (the list and its export). */
static yj_qb *filtered(yj_req *r)
{
	return opn_events_query(&yj_who(r)->scope, yj_query(r, "state"), yj_query(r, "region"));
}

static int list(yj_req *r) { return cmp_reply_list(r, filtered, opn_event_json); }

static const yj_column export_cols[] = {
	{"title", "事件名称"}, {"kind", "类型"}, {"level_label", "级别"}, {"region_code", "行政区划代码"},
	{"department", "牵头部门"}, {"source", "来源"}, {"occurred_on", "发生日期"}, {"summary", "概要"}, {"state", "状态"},
	{"closed_on", "结案日期"}, {NULL, NULL},
};

static int export(yj_req *r)
{
	return yj_reply_id_export(r, filtered(r), "id", "opinion-events", export_cols, opn_event_json, NULL);
}

static const yj_field register_body[] = {
	{"title", F_STRING, 1, 100, "One line on the event"},
	{"kind", F_STRING, 1, 16, "opinion (舆情) | group_dispute (群体性纠纷)"},
	{"level", F_INT, 1, 0, "1 特别重大, 2 重大, 3 较大, 4 一般"},
	{"region_code", F_STRING, 1, 12, "Where (GB/T 2260), within the caller's territory"},
	{"source", F_STRING, 0, 200, "Where it was found: a platform, a hotline, a report"},
	{"summary", F_STRING, 1, 5000, "What happened"},
	{"occurred_on", F_STRING, 1, 10, "YYYY-MM-DD"},
	{"tasks", F_ARRAY, 0, 0, "Response tasks [{department, task, due_on}]"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field progress_body[] = {
	{"entry", F_STRING, 0, 2000, "A timeline entry: what happened or was done"},
	{"tasks", F_ARRAY, 0, 0, "More response tasks [{department, task, due_on}] (the lead department only)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field done_body[] = {
	{"result", F_STRING, 1, 2000, "What was done"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field close_body[] = {
	{"closure_report", F_STRING, 1, 10000, "The closure report (结案报告): cause, response, outcome, follow-up"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_q[] = {
	{"state", "open | closed"},
	{"region", "Within this territory"},
	YJ_QP_PAGE,
	{NULL, NULL},
};

static const yj_qparam export_q[] = {
	{"state", "open | closed"},
	{"region", "Within this territory"},
	{"format", "xlsx (default), csv or count"},
	{NULL, NULL},
};

const yj_route yj_cmp_opinion_routes[] = {
	{"GET", "/api/v1/opinion-events", list, HANDLERS, NULL, list_q, "complaints",
	 "Major public-opinion events and group disputes led in the caller's scope", "{items, next_cursor}", 200},
	{"POST", "/api/v1/opinion-events", reg, OWNERS, register_body, NULL, "complaints",
	 "Register an event with its level and the departments' response tasks", "The event", 201},
	{"GET", "/api/v1/opinion-events/export", export, HANDLERS, NULL, export_q, "complaints",
	 "The events of the list's filters as Excel or CSV (?format=count: their number)", "file", 200},
	{"GET", "/api/v1/opinion-events/{id}", get, HANDLERS, NULL, NULL, "complaints",
	 "One event with its tasks and timeline (to the lead and to task owners)", "The event", 200},
	{"POST", "/api/v1/opinion-events/{id}/progress", add, HANDLERS, progress_body, NULL, "complaints",
	 "A timeline entry (any department of the event) and more tasks (the lead)", "The event", 200},
	{"POST", "/api/v1/opinion-events/{id}/tasks/{task}/done", task_done, HANDLERS, done_body, NULL, "complaints",
	 "The owner department closes a response task", "The task", 200},
	{"POST", "/api/v1/opinion-events/{id}/close", close_, OWNERS, close_body, NULL, "complaints",
	 "The lead department closes the event with its report, once every task is done", "The event", 200},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
