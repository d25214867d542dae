/* todos_api.c — the caller's inbox over HTTP: the list (overdue first, then by due date, paged by
 * a keyset cursor), the counts by kind that the console's navigation shows as badges, and the
 * export of the same list. Every signed-in user has an inbox; what is in it is decided by the
 * addressees and the scope (todos_store.c). */
#include "todos_int.h"
#include "../../base/base.h"

#include <string.h>

static const yj_column export_cols[] = {
	{"kind_label", "类型"}, {"title", "事项"}, {"due_date", "截止日期"}, {"overdue", "已逾期"},
	{"state_label", "状态"}, {"region_code", "行政区划"}, {"link", "链接"}, {NULL, NULL},
};

/* The request's filters into q, or replies 400 and returns YJ_ERR. */
static int query_or_reply(yj_req *r, todo_query *q, char today[11])
{
	const yj_principal *who = yj_who(r);
	const char *state = yj_query(r, "state"), *kind = yj_query(r, "kind"), *ov = yj_query(r, "overdue");
	todo_today(today);
	*q = (todo_query){.scope = &who->scope, .user_id = who->user_id, .role = who->role, .state = YJ_TODO_OPEN,
			  .today = today};
	if (state && *state) {
		if (!todo_state_valid(state)) {
			yj_reply_problem_errors(r, 400, "validation", "参数错误", "state 应为 open（待办）、done（已办）或 cancelled（已取消）。",
						json_pack("[{s:s,s:s}]", "field", "state", "detail", "取值无效"));
			return YJ_ERR;
		}
		q->state = state;
	}
	q->kind = kind && *kind ? kind : NULL;
	q->overdue_only = ov && !strcmp(ov, "true");
	return YJ_OK;
}

static int todos_list(yj_req *r)
{
	todo_query q;
	char today[11], due[11];
	const char *cursor;
	if (query_or_reply(r, &q, today) < 0 || yj_page_params(r, &q.limit, &cursor) < 0)
		return YJ_OK;
	if (cursor) {
		if (todo_cursor_parse(cursor, due, &q.after_id) < 0)
			return yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
		q.after_due = due;
	}
	store_stmt *st = todo_store_list(store_conn_get(yj_store(r)), &q);
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	/* Not yj_reply_page: the position is two columns (due date, id), so the cursor is built here. */
	json_t *items = json_array(), *next = json_null();
	char key[40] = "";
	int rc, n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (n++ == q.limit) {
			json_decref(next);
			next = yj_cursor_json(key);
			break;
		}
		const char *d;
		int64_t id;
		json_array_append_new(items, todo_store_row(st, today, &d, &id));
		todo_cursor_key(d, id, key);
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o, s:s}", "items", items, "next_cursor", next, "today", today));
}

static int todos_counts(yj_req *r)
{
	todo_query q;
	char today[11];
	json_t *out = NULL;
	if (query_or_reply(r, &q, today) < 0)
		return YJ_OK;
	int rc = todo_store_counts(store_conn_get(yj_store(r)), &q, &out);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, out);
}

static const char *state_label(const char *s)
{
	return !strcmp(s, YJ_TODO_DONE) ? "已办" : !strcmp(s, YJ_TODO_CANCELLED) ? "已取消" : "待办";
}

/* A to-do as the export shows it; arg is today's date. */
static json_t *export_row(store_stmt *st, void *arg)
{
	const char *d;
	int64_t id;
	json_t *o = todo_store_row(st, arg, &d, &id);
	json_object_set_new(o, "state_label", json_string(state_label(json_string_value(json_object_get(o, "state")))));
	return o;
}

static int todos_export(yj_req *r)
{
	todo_query q;
	char today[11];
	if (query_or_reply(r, &q, today) < 0)
		return YJ_OK;
	store_stmt *st = todo_store_list(store_conn_get(yj_store(r)), &q); /* limit 0: every row, streamed */
	return yj_reply_export_stmt(r, "todos", export_cols, st, export_row, today);
}

static const yj_qparam list_q[] = {
	{"state", "open (default), done or cancelled"}, {"kind", "One kind, e.g. inspection.task"},
	{"overdue", "true: only open to-dos past their due date"}, {"limit", "Page size, 1–200"},
	{"cursor", "next_cursor of the previous page"}, {NULL, NULL}};
static const yj_qparam export_q[] = {
	{"state", "open (default), done or cancelled"}, {"kind", "One kind, e.g. inspection.task"},
	{"overdue", "true: only open to-dos past their due date"}, {"format", "xlsx (default) or csv"}, {NULL, NULL}};

const yj_route yj_todo_routes[] = {
	{"GET", "/api/v1/todos", todos_list, ROLE_ANY, NULL, list_q, "todos",
	 "The caller's to-dos (addressed to them, or to their role within their scope), overdue first, then by due date",
	 "{items, next_cursor, today}", 0},
	{"GET", "/api/v1/todos/counts", todos_counts, ROLE_ANY, NULL, NULL, "todos",
	 "Counts of the caller's open to-dos by kind, with overdue counts (navigation badges)",
	 "{total, overdue, kinds: [{kind, label, count, overdue}], today}", 0},
	{"GET", "/api/v1/todos/export", todos_export, ROLE_ANY, NULL, export_q, "todos",
	 "Export the caller's filtered to-do list as Excel or CSV", "An .xlsx or .csv file", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
