/* responsibilities_api.c — the responsibility lists (权责清单): each department's duties in
 * comprehensive supervision, loaded from the seed plans (migration 7) and edited by
 * administrators as data, every change audited. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const yj_qparam list_params[] = {
	{"department", "Department code"}, {"q", "Substring of the duty"}, {"source", "Substring of the source list's name"},
	{"limit", "Page size, 1–200; without it up to 10,000 duties"}, {"cursor", "next_cursor of the previous page"},
	{NULL, NULL},
};
static const yj_qparam export_params[] = {
	{"department", "Department code"}, {"q", "Substring of the duty"}, {"source", "Substring of the source list's name"},
	{"format", "xlsx (default) or csv"}, {NULL, NULL},
};

/* A list without ?limit= answers up to this many duties, as it did before it had pages. */
#define LIST_PAGE 10000

static int list_resp(yj_req *r)
{
	int limit, bad;
	const char *cursor;
	if (yj_page_params_or(r, LIST_PAGE, &limit, &cursor) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	store_stmt *st = reg_resp_query(c, yj_query(r, "department"), yj_query(r, "q"), yj_query(r, "source"), cursor,
					limit + 1, &bad);
	if (bad)
		return yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *items = json_array(), *next = json_null(), *names = json_object();
	int rc, n = 0;
	char key[512];
	while ((rc = store_step(st)) == ST_ROW) {
		if (++n > limit) { /* a row beyond the page: the cursor is the key of the page's last row */
			json_decref(next);
			next = yj_cursor_json(key);
			break;
		}
		reg_resp_key(st, key);
		json_array_append_new(items, reg_resp_row(c, names, st));
	}
	store_finalize(st);
	json_decref(names);
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

struct export_arg {
	store_conn *c;
	json_t *names; /* department names met so far */
};

static json_t *export_row(store_stmt *st, void *arg)
{
	struct export_arg *a = arg;
	return reg_resp_row(a->c, a->names, st);
}

static const yj_column export_cols[] = {
	{"department_name", "部门"}, {"seq", "序号"}, {"duty", "职责"}, {"source", "来源"}, {NULL, NULL},
};

static int export_resp(yj_req *r)
{
	int bad;
	struct export_arg a = {store_conn_get(yj_store(r)), json_object()};
	int rc = yj_reply_export_stmt(r, "responsibilities", export_cols, reg_resp_query(a.c, yj_query(r, "department"), yj_query(r, "q"), yj_query(r, "source"), NULL, 0, &bad), export_row, &a);
	json_decref(a.names);
	return rc;
}

struct resp_arg {
	yj_req *r;
	int64_t id;
	json_t *row;
	const char *action;
	yj_refusal no; /* what a transaction turns down */
};

static int audit_row(store_conn *c, struct resp_arg *a, const char *id)
{
	char actor[24];
	yj_reg_actor(a->r, actor);
	yj_audit_event ev = {actor, a->action, "responsibility", id, "", a->row};
	return yj_audit_append(c, &ev, NULL);
}

static const yj_field create_fields[] = {
	{"department", F_STRING, 1, 32, "Department code"},
	{"duty", F_STRING, 1, 500, "The duty, as the list states it"},
	{"source", F_STRING, 1, 200, "The list (document) it comes from"},
	{"seq", F_INT, 0, 0, "Position in the department's list (default: last)"},
	{NULL, 0, 0, 0, NULL},
};

static int create_tx(store_conn *c, void *arg)
{
	struct resp_arg *a = arg;
	json_t *b = yj_body(a->r);
	const char *dept = json_string_value(json_object_get(b, "department"));
	int64_t seq = 0;
	char name[128];
	if (yj_department_name(c, dept, name, sizeof name) != ST_OK) {
		yj_refusal_field(&a->no, "department", "部门不存在");
		return yj_refuse_invalid(&a->no, NULL);
	}
	if (json_is_integer(json_object_get(b, "seq")))
		seq = json_integer_value(json_object_get(b, "seq"));
	else if (reg_resp_next_seq(c, dept, &seq) < 0)
		return ST_ERR;
	a->id = yj_id_new();
	int rc = reg_resp_insert(c, a->id, dept, seq, json_string_value(json_object_get(b, "duty")),
				 json_string_value(json_object_get(b, "source")), yj_now_ms());
	if (rc < 0 || (rc = reg_resp_load(c, a->id, &a->row)) < 0)
		return rc;
	return audit_row(c, a, json_string_value(json_object_get(a->row, "id")));
}

static const yj_field patch_fields[] = {
	{"duty", F_STRING, 0, 500, "The duty"},
	{"seq", F_INT, 0, 0, "Position in the department's list"},
	{"source", F_STRING, 0, 200, "The list it comes from"},
	{NULL, 0, 0, 0, NULL},
};

static int patch_tx(store_conn *c, void *arg)
{
	struct resp_arg *a = arg;
	int rc = reg_resp_update(c, a->id, yj_body(a->r), yj_now_ms());
	if (rc < 0)
		return rc;
	if ((rc = reg_resp_load(c, a->id, &a->row)) < 0)
		return rc;
	return audit_row(c, a, yj_param(a->r, "id"));
}

static int delete_tx(store_conn *c, void *arg)
{
	struct resp_arg *a = arg;
	int rc = reg_resp_load(c, a->id, &a->row);
	if (rc < 0)
		return rc;
	if ((rc = reg_resp_delete(c, a->id)) < 0)
		return rc;
	return audit_row(c, a, yj_param(a->r, "id"));
}

static int run(yj_req *r, store_tx_fn fn, const char *action, int status)
{
	struct resp_arg a = {r, 0, NULL, action, {0}};
	if (fn != create_tx && yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	int rc = yj_tx_or_reply(r, fn, &a, &a.no);
	if (rc < 0 || status == 204) {
		json_decref(a.row);
		return rc < 0 ? YJ_OK : yj_reply_empty(r, 204);
	}
	return yj_reply_json(r, status, a.row);
}

static int create_resp(yj_req *r) { return run(r, create_tx, "responsibility.create", 201); }
static int patch_resp(yj_req *r) { return run(r, patch_tx, "responsibility.update", 200); }
static int delete_resp(yj_req *r) { return run(r, delete_tx, "responsibility.delete", 204); }

const yj_route yj_responsibility_routes[] = {
	{"GET", "/api/v1/responsibilities", list_resp, ROLE_ANY, NULL, list_params, "regions",
	 "The responsibility lists (权责清单): each department's duties", "{items, next_cursor}", 200},
	{"GET", "/api/v1/responsibilities/export", export_resp, ROLE_ANY, NULL, export_params, "regions",
	 "Export the responsibility lists as Excel or CSV", "An .xlsx or .csv file", 200},
	{"POST", "/api/v1/responsibilities", create_resp, ROLE_ADMIN, create_fields, NULL, "regions",
	 "Add a duty to a department's list", "The duty", 201},
	{"PATCH", "/api/v1/responsibilities/{id}", patch_resp, ROLE_ADMIN, patch_fields, NULL, "regions",
	 "Change a duty", "The duty", 200},
	{"DELETE", "/api/v1/responsibilities/{id}", delete_resp, ROLE_ADMIN, NULL, NULL, "regions", "Remove a duty",
	 "Removed", 204},
	{0},
};
