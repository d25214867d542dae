/* responsibilities_api.c — the responsibility lists (权责清单): each department's duties in
 * comprehensive supervision, loaded from the seed plans (migration 7) and edited by
 * administrators as data, every change audited. */
#define _POSIX_C_SOURCE 200809L
#include "registry.h"
#include "record_api.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLS "r.id, r.department, d.name, r.seq, r.duty, r.source, r.updated_at"

static const yj_qparam list_params[] = {
	{"department", "Department code"}, {"q", "Substring of the duty"}, {"source", "Substring of the source list's name"},
	{"limit", "Page size, 1–200; without it up to 10,000 duties"}, {"cursor", "next_cursor of the previous page"},
	{NULL, NULL},
};
static const yj_qparam export_params[] = {
	{"department", "Department code"}, {"q", "Substring of the duty"}, {"source", "Substring of the source list's name"},
	{"format", "xlsx (default) or csv"}, {NULL, NULL},
};

static json_t *row_json(store_stmt *st)
{
	char ids[21];
	yj_id_format(store_col_int64(st, 0), ids);
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:I}", "id", ids, "department", store_col_text(st, 1),
			 "department_name", store_col_text(st, 2), "seq", (json_int_t)store_col_int64(st, 3), "duty",
			 store_col_text(st, 4), "source", store_col_text(st, 5), "updated_at",
			 (json_int_t)store_col_int64(st, 6));
}

/* A list without ?limit= answers up to this many duties, as it did before it had pages. */
#define LIST_PAGE 10000
#define KEY_SEP "\x1f"

/* The lists are public organisational facts: every signed-in user reads all of them. The rows in
 * list order (source, department, seq, id); with key (the cursor: those four of the last row seen,
 * joined by KEY_SEP) only the rows after it, and at most limit rows when limit > 0. NULL on a store
 * failure or a malformed key (*bad set). */
static store_stmt *query(yj_req *r, const char *key, int limit, int *bad)
{
	char *k[4] = {NULL, NULL, NULL, NULL}, *copy = key ? yj_strdup(key) : NULL;
	int nk = 0;
	for (char *p = copy; p && nk < 4; nk++) { /* fields may be empty: split by hand */
		k[nk] = p;
		p = strchr(p, KEY_SEP[0]);
		if (p)
			*p++ = '\0';
	}
	*bad = copy && (nk != 4 || strchr(k[3], KEY_SEP[0]));
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT " COLS " FROM responsibilities r JOIN departments d ON d.code = r.department WHERE 1=1");
	const char *dept = yj_query(r, "department"), *q = yj_query(r, "q"), *src = yj_query(r, "source");
	if (dept && *dept)
		yj_buf_puts(&sql, " AND r.department = ?");
	if (q && *q)
		yj_buf_puts(&sql, " AND r.duty LIKE ?");
	if (src && *src)
		yj_buf_puts(&sql, " AND r.source LIKE ?");
	if (copy)
		yj_buf_puts(&sql, " AND (r.source, r.department, r.seq, r.id) > (?, ?, ?, ?)");
	yj_buf_puts(&sql, " ORDER BY r.source, r.department, r.seq, r.id");
	if (limit > 0)
		yj_buf_puts(&sql, " LIMIT ?");
	store_stmt *st = *bad ? NULL : store_prepare(store_conn_get(yj_store(r)), sql.data);
	yj_buf_free(&sql);
	int i = 1;
	if (st && dept && *dept)
		store_bind_text(st, i++, dept, -1);
	char *pat = NULL;
	if (st && q && *q) {
		pat = yj_asprintf("%%%s%%", q);
		store_bind_text(st, i++, pat, -1);
		free(pat);
	}
	if (st && src && *src) {
		pat = yj_asprintf("%%%s%%", src);
		store_bind_text(st, i++, pat, -1);
		free(pat);
	}
	if (st && copy) {
		int64_t seq = 0, id = 0;
		store_bind_text(st, i++, k[0], -1);
		store_bind_text(st, i++, k[1], -1);
		*bad = yj_id_parse(k[3], &id) < 0 || (seq = strtoll(k[2], NULL, 10)) < 0;
		store_bind_int64(st, i++, seq);
		store_bind_int64(st, i++, id);
	}
	if (st && limit > 0)
		store_bind_int64(st, i++, limit);
	free(copy);
	if (st && *bad) {
		store_finalize(st);
		st = NULL;
	}
	return st;
}

static int list_resp(yj_req *r)
{
	int limit, bad;
	const char *cursor;
	if (yj_page_params_or(r, LIST_PAGE, &limit, &cursor) < 0)
		return YJ_OK;
	store_stmt *st = query(r, cursor, limit + 1, &bad);
	if (bad)
		return yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *items = json_array(), *next = json_null();
	int rc, n = 0;
	char key[512];
	while ((rc = store_step(st)) == ST_ROW) {
		if (++n > limit) { /* a row beyond the page: the cursor is the key of the page's last row */
			json_decref(next);
			next = yj_cursor_json(key);
			break;
		}
		snprintf(key, sizeof key, "%s" KEY_SEP "%s" KEY_SEP "%lld" KEY_SEP "%lld", store_col_text(st, 5),
			 store_col_text(st, 1), (long long)store_col_int64(st, 3), (long long)store_col_int64(st, 0));
		json_array_append_new(items, row_json(st));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

static json_t *export_row(store_stmt *st, void *arg)
{
	(void)arg;
	return row_json(st);
}

static const yj_column export_cols[] = {
	{"department_name", "部门"}, {"seq", "序号"}, {"duty", "职责"}, {"source", "来源"}, {NULL, NULL},
};

static int export_resp(yj_req *r)
{
	int bad;
	return yj_reply_export_stmt(r, "responsibilities", export_cols, query(r, NULL, 0, &bad), export_row, NULL);
}

struct resp_arg {
	yj_req *r;
	int64_t id;
	json_t *row;
	const char *action;
};

static int load_row(store_conn *c, int64_t id, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT " COLS " FROM responsibilities r JOIN departments d"
					  " ON d.code = r.department WHERE r.id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW)
		*out = row_json(st);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

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
	int64_t seq = 0, n = 0;
	if (store_query_int64(c, "SELECT COUNT(*) FROM departments WHERE code = ?", dept, &n) < 0 || n == 0)
		return ST_NOTFOUND;
	if (json_is_integer(json_object_get(b, "seq")))
		seq = json_integer_value(json_object_get(b, "seq"));
	else if (store_query_int64(c, "SELECT COALESCE(MAX(seq), 0) + 1 FROM responsibilities WHERE department = ?", dept,
				   &seq) < 0)
		return ST_ERR;
	a->id = yj_id_new();
	store_stmt *st = store_prepare(c, "INSERT INTO responsibilities (id, department, seq, duty, source, updated_at)"
					  " VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->id);
	store_bind_text(st, 2, dept, -1);
	store_bind_int64(st, 3, seq);
	store_bind_text(st, 4, json_string_value(json_object_get(b, "duty")), -1);
	store_bind_text(st, 5, json_string_value(json_object_get(b, "source")), -1);
	store_bind_int64(st, 6, yj_now_ms());
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0 || (rc = load_row(c, a->id, &a->row)) < 0)
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
	json_t *b = yj_body(a->r), *v;
	static const yj_table t = {"responsibilities", NULL, NULL, NULL};
	yj_scope all;
	yj_scope_unrestricted(&all); /* not a territorial table; the route admits administrators only */
	yj_qb *q = yj_q_update(&t, &all);
	if ((v = json_object_get(b, "duty")) && json_is_string(v))
		yj_q_set_text(q, "duty", json_string_value(v));
	if ((v = json_object_get(b, "source")) && json_is_string(v))
		yj_q_set_text(q, "source", json_string_value(v));
	if ((v = json_object_get(b, "seq")) && json_is_integer(v))
		yj_q_set_int(q, "seq", json_integer_value(v));
	yj_q_set_int(q, "updated_at", yj_now_ms());
	yj_q_where(q, "id = ?");
	yj_q_int(q, a->id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	int64_t n = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (n == 0)
		return ST_NOTFOUND;
	if ((rc = load_row(c, a->id, &a->row)) < 0)
		return rc;
	return audit_row(c, a, yj_param(a->r, "id"));
}

static int delete_tx(store_conn *c, void *arg)
{
	struct resp_arg *a = arg;
	int rc = load_row(c, a->id, &a->row);
	if (rc < 0)
		return rc;
	store_stmt *st = store_prepare(c, "DELETE FROM responsibilities WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->id);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	return audit_row(c, a, yj_param(a->r, "id"));
}

static int run(yj_req *r, store_tx_fn fn, const char *action, int status)
{
	struct resp_arg a = {r, 0, NULL, action};
	if (fn != create_tx && yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	int rc = store_tx(yj_store(r), fn, &a);
	if (rc == ST_NOTFOUND && fn == create_tx)
		return yj_reg_reply_invalid(r, json_pack("[{s:s, s:s}]", "field", "department", "detail", "部门不存在"));
	if (rc < 0) {
		json_decref(a.row);
		return yj_reply_store_error(r, rc);
	}
	if (status == 204) {
		json_decref(a.row);
		return yj_reply_empty(r, 204);
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
