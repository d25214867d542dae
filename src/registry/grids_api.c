/* grids_api.c — grids (网格) below towns: an administrator defines them and names their grid
 * members (网格员); institutions point at them. Scoped by the grid's region like any subject. */
#define _POSIX_C_SOURCE 200809L
#include "registry.h"
#include "record_api.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const yj_table grids_table = {"grids", "region_code", NULL, NULL};
static const yj_table grids_view = {"grids g", "g.region_code", NULL, NULL};

#define COLS                                                                                            \
	"g.id, g.code, g.name, g.region_code, g.created_at, g.updated_at,"                             \
	" (SELECT COUNT(*) FROM grid_members m WHERE m.grid_id = g.id),"                                \
	" (SELECT COUNT(*) FROM institutions i WHERE i.grid_id = g.id)"

static const yj_qparam list_params[] = {
	{"region", "GB/T 2260 code: grids in its subtree"}, {"q", "Substring of the grid's name"},
	YJ_QP_PAGE, {NULL, NULL},
};
static const yj_qparam export_params[] = {
	{"region", "GB/T 2260 code: grids in its subtree"}, {"q", "Substring of the grid's name"},
	{"format", "xlsx (default) or csv"}, {NULL, NULL},
};

/* The town's name comes from the platform (regions.h); a failed lookup leaves it empty. */
static json_t *grid_json(store_conn *c, store_stmt *st)
{
	char ids[21];
	yj_region town = {.name = ""};
	yj_id_format(store_col_int64(st, 0), ids);
	yj_region_get(c, store_col_text(st, 3), &town);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "id", ids, "code", store_col_text(st, 1), "name",
			 store_col_text(st, 2), "region_code", store_col_text(st, 3), "region_name", town.name,
			 "created_at", (json_int_t)store_col_int64(st, 4), "updated_at", (json_int_t)store_col_int64(st, 5),
			 "members_count", (json_int_t)store_col_int64(st, 6), "institutions_count",
			 (json_int_t)store_col_int64(st, 7));
}

static json_t *grid_row(store_stmt *st, void *arg)
{
	return grid_json(arg, st);
}

static yj_qb *filtered(yj_req *r)
{
	yj_qb *q = yj_q_select(&grids_view, COLS, &yj_who(r)->scope);
	const char *v;
	if ((v = yj_query(r, "region")) && *v) {
		yj_q_region(q, "g.region_code", v);
	}
	if ((v = yj_query(r, "q")) && *v) {
		char *pat = yj_asprintf("%%%s%%", v);
		yj_q_where(q, "g.name LIKE ?");
		yj_q_text(q, pat);
		free(pat);
	}
	return q;
}

static int list_grids(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = filtered(r);
	return yj_reply_id_page(r, q, "g.id", limit, after, grid_row, store_conn_get(yj_store(r)));
}

static const yj_column export_cols[] = {
	{"code", "网格编码"}, {"name", "网格名称"}, {"region_code", "行政区划代码"}, {"region_name", "所属乡镇（街道）"},
	{"members_count", "网格员人数"}, {"institutions_count", "机构数"}, {NULL, NULL},
};

static int export_grids(yj_req *r)
{
	yj_qb *q = filtered(r);
	yj_q_tail(q, "ORDER BY g.code"); /* every row: the export streams */
	store_conn *c = store_conn_get(yj_store(r));
	return yj_reply_export_stmt(r, "grids", export_cols, yj_q_prepare(q, c), grid_row, c);
}

/* One grid in scope with its members; ST_NOTFOUND when absent or outside. */
static int load_grid(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_qb *q = yj_q_select(&grids_view, COLS, sc);
	yj_q_where(q, "g.id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW)
		*out = grid_json(c, st);
	store_finalize(st);
	if (rc != ST_ROW)
		return rc == ST_DONE ? ST_NOTFOUND : rc;
	/* The members' names come from the platform (auth.h), a user at a time: a grid has a few. */
	st = store_prepare(c, "SELECT user_id FROM grid_members WHERE grid_id = ? ORDER BY user_id");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	json_t *members = json_array();
	while ((rc = store_step(st)) == ST_ROW) {
		char ids[21];
		yj_user_brief u;
		int urc = yj_user_brief_get(c, store_col_int64(st, 0), &u);
		if (urc == ST_NOTFOUND)
			continue; /* grid_members.user_id references users: only a failure lands here */
		if (urc < 0) {
			rc = urc;
			break;
		}
		yj_id_format(u.id, ids);
		json_array_append_new(members, json_pack("{s:s, s:s, s:s, s:s}", "user_id", ids, "username", u.username,
							 "display_name", u.display_name, "region_code", u.region_code));
	}
	store_finalize(st);
	json_object_set_new(*out, "members", members);
	return rc < 0 ? rc : ST_OK;
}

static int get_grid(yj_req *r)
{
	int64_t id;
	json_t *g = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = load_grid(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &g);
	if (rc < 0) {
		json_decref(g);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, g);
}

static int audit_grid(store_conn *c, yj_req *r, const char *action, json_t *g)
{
	char actor[24];
	yj_reg_actor(r, actor);
	yj_audit_event ev = {actor, action, "grid", json_string_value(json_object_get(g, "id")),
			     json_string_value(json_object_get(g, "region_code")), g};
	return yj_audit_append(c, &ev, NULL);
}

static const yj_field create_fields[] = {
	{"name", F_STRING, 1, 50, "Grid name, e.g. 五马街道第一网格"},
	{"region_code", F_STRING, 1, 9, "9-digit code of the town or street the grid lies in"},
	{NULL, 0, 0, 0, NULL},
};

struct grid_arg {
	yj_req *r;
	int64_t id;
	json_t *grid;
	yj_refusal no; /* what a transaction turns down */
};

/* The next free code below a town: its 9 digits and a 3-digit sequence. */
static int next_code(store_conn *c, const char *town, char out[16])
{
	int64_t n = 0;
	char pat[16];
	snprintf(pat, sizeof pat, "%s%%", town);
	int rc = store_query_int64(c, "SELECT COUNT(*) FROM grids WHERE code LIKE ?", pat, &n);
	if (rc < 0)
		return rc;
	if (n >= 999)
		return ST_CONFLICT;
	snprintf(out, 16, "%.9s%03d", town, (int)(n + 1) % 1000);
	return ST_OK;
}

static int create_tx(store_conn *c, void *arg)
{
	struct grid_arg *a = arg;
	json_t *b = yj_body(a->r);
	const char *town = json_string_value(json_object_get(b, "region_code"));
	yj_region at = {.level = 0};
	if (yj_region_get(c, town, &at) != ST_OK || at.level != 4)
		yj_refusal_field(&a->no, "region_code", "应为乡镇（街道）的 9 位行政区划代码");
	else if (!yj_scope_allows(&yj_who(a->r)->scope, town, NULL))
		yj_refusal_field(&a->no, "region_code", "超出您的管辖范围");
	if (yj_refusal_has_fields(&a->no))
		return yj_refuse_invalid(&a->no, NULL);
	char code[16];
	int rc = next_code(c, town, code);
	if (rc < 0)
		return rc;
	int64_t now = yj_now_ms();
	a->id = yj_id_new();
	store_stmt *st = store_prepare(c, "INSERT INTO grids (id, code, name, region_code, created_at, updated_at)"
					  " VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->id);
	store_bind_text(st, 2, code, -1);
	store_bind_text(st, 3, json_string_value(json_object_get(b, "name")), -1);
	store_bind_text(st, 4, town, -1);
	store_bind_int64(st, 5, now);
	store_bind_int64(st, 6, now);
	rc = store_step(st);
	store_finalize(st);
	if (rc == ST_CONFLICT)
		return ST_RETRY; /* a concurrent create took the code: run again, taking the next one */
	if (rc < 0)
		return rc;
	json_decref(a->grid);
	a->grid = NULL;
	if ((rc = load_grid(c, &yj_who(a->r)->scope, a->id, &a->grid)) < 0)
		return rc;
	return audit_grid(c, a->r, "grid.create", a->grid);
}

/* Answers a write: the grid, or nothing more when yj_tx_or_reply has replied (rc < 0). */
static int finish(yj_req *r, struct grid_arg *a, int rc, int status)
{
	if (rc < 0) {
		json_decref(a->grid);
		return YJ_OK;
	}
	return yj_reply_json(r, status, a->grid);
}

static int create_grid(yj_req *r)
{
	struct grid_arg a = {r, 0, NULL, {0}};
	return finish(r, &a, yj_tx_or_reply(r, create_tx, &a, &a.no), 201);
}

static const yj_field patch_fields[] = {
	{"name", F_STRING, 1, 50, "Grid name"},
	{NULL, 0, 0, 0, NULL},
};

static int patch_tx(store_conn *c, void *arg)
{
	struct grid_arg *a = arg;
	yj_qb *q = yj_q_update(&grids_table, &yj_who(a->r)->scope);
	yj_q_set_text(q, "name", json_string_value(json_object_get(yj_body(a->r), "name")));
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
	json_decref(a->grid);
	a->grid = NULL;
	if ((rc = load_grid(c, &yj_who(a->r)->scope, a->id, &a->grid)) < 0)
		return rc;
	return audit_grid(c, a->r, "grid.update", a->grid);
}

static int patch_grid(yj_req *r)
{
	struct grid_arg a = {r, 0, NULL, {0}};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	return finish(r, &a, yj_tx_or_reply(r, patch_tx, &a, &a.no), 200);
}

static const yj_field members_fields[] = {
	{"user_ids", F_ARRAY, 1, 0, "Ids of the grid members (网格员) — users with the grid_member role whose territory "
				    "contains the grid; replaces the current list"},
	{NULL, 0, 0, 0, NULL},
};

/* A member must be a grid member whose territory contains the grid, so they can see its subjects. */
static int check_member(store_conn *c, const yj_scope *sc, const char *grid_region, json_t *v, yj_refusal *no)
{
	int64_t uid;
	char msg[512]; /* a display name (at most 255 bytes) and a sentence */
	if (!json_is_string(v) || yj_id_parse(json_string_value(v), &uid) < 0) {
		yj_refusal_field(no, "user_ids", "用户编号应为字符串");
		return ST_OK;
	}
	yj_user_brief u;
	int rc = yj_user_brief_get(c, uid, &u);
	if (rc == ST_OK) {
		char prefix[16];
		yj_region_prefix(u.region_code, prefix);
		if (!yj_scope_allows(sc, u.region_code, NULL))
			snprintf(msg, sizeof msg, "用户 %s 不在您的管辖范围内", json_string_value(v));
		else if (strcmp(u.role, "grid_member") != 0)
			snprintf(msg, sizeof msg, "%s 不是网格员，请先将其角色设为网格员", u.display_name);
		else if (strncmp(grid_region, prefix, strlen(prefix)) != 0)
			snprintf(msg, sizeof msg, "%s 的辖区不包含该网格，请选择该乡镇（街道）或所在县区的网格员",
				 u.display_name);
		else
			msg[0] = '\0';
	} else if (rc == ST_NOTFOUND) {
		snprintf(msg, sizeof msg, "用户 %s 不存在", json_string_value(v));
	} else {
		return rc;
	}
	if (msg[0])
		yj_refusal_field(no, "user_ids", msg);
	return ST_OK;
}

static int members_tx(store_conn *c, void *arg)
{
	struct grid_arg *a = arg;
	const yj_scope *sc = &yj_who(a->r)->scope;
	json_decref(a->grid);
	a->grid = NULL;
	int rc = load_grid(c, sc, a->id, &a->grid);
	if (rc < 0)
		return rc;
	const char *region = json_string_value(json_object_get(a->grid, "region_code"));
	json_t *ids = json_object_get(yj_body(a->r), "user_ids"), *v;
	size_t i;
	json_array_foreach(ids, i, v) if ((rc = check_member(c, sc, region, v, &a->no)) < 0) return rc;
	if (yj_refusal_has_fields(&a->no))
		return yj_refuse_invalid(&a->no, NULL);
	store_stmt *st = store_prepare(c, "DELETE FROM grid_members WHERE grid_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->id);
	rc = store_step(st);
	store_finalize(st);
	json_array_foreach(ids, i, v) {
		if (rc < 0)
			break;
		int64_t uid;
		yj_id_parse(json_string_value(v), &uid);
		st = store_prepare(c, "INSERT INTO grid_members (grid_id, user_id, region_code) VALUES (?, ?, ?)");
		if (!st)
			return ST_ERR;
		store_bind_int64(st, 1, a->id);
		store_bind_int64(st, 2, uid);
		store_bind_text(st, 3, region, -1);
		rc = store_step(st);
		store_finalize(st);
		if (rc == ST_CONFLICT)
			rc = ST_OK; /* the same user listed twice */
	}
	if (rc < 0)
		return rc;
	json_decref(a->grid);
	a->grid = NULL;
	if ((rc = load_grid(c, sc, a->id, &a->grid)) < 0)
		return rc;
	return audit_grid(c, a->r, "grid.members", a->grid);
}

static int put_members(yj_req *r)
{
	struct grid_arg a = {r, 0, NULL, {0}};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	return finish(r, &a, yj_tx_or_reply(r, members_tx, &a, &a.no), 200);
}

const yj_route yj_grid_routes[] = {
	{"GET", "/api/v1/grids", list_grids, ROLE_ANY, NULL, list_params, "registry",
	 "List grids (网格) in the caller's territory", "{items, next_cursor}", 200},
	{"GET", "/api/v1/grids/export", export_grids, ROLE_ANY, NULL, export_params, "registry",
	 "Export the filtered grid list as Excel or CSV", "An .xlsx or .csv file", 200},
	{"POST", "/api/v1/grids", create_grid, ROLE_ADMIN, create_fields, NULL, "registry",
	 "Define a grid below a town or street (its code is the town's and a sequence)", "The new grid", 201},
	{"GET", "/api/v1/grids/{id}", get_grid, ROLE_ANY, NULL, NULL, "registry", "Read a grid with its members",
	 "The grid", 200},
	{"PATCH", "/api/v1/grids/{id}", patch_grid, ROLE_ADMIN, patch_fields, NULL, "registry", "Rename a grid",
	 "The grid", 200},
	{"PUT", "/api/v1/grids/{id}/members", put_members, ROLE_ADMIN, members_fields, NULL, "registry",
	 "Set a grid's members (网格员)", "The grid with its members", 200},
	{0},
};
