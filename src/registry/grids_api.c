/* grids_api.c — grids (网格) below towns: an administrator defines them and names their grid
 * members (网格员); institutions point at them. Scoped by the grid's region like any subject. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const yj_qparam list_params[] = {
	{"region", "GB/T 2260 code: grids in its subtree"}, {"q", "Substring of the grid's name"},
	YJ_QP_PAGE, {NULL, NULL},
};
static const yj_qparam export_params[] = {
	{"region", "GB/T 2260 code: grids in its subtree"}, {"q", "Substring of the grid's name"},
	{"format", "xlsx (default) or csv"}, {NULL, NULL},
};

static int list_grids(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	return yj_reply_page(r, reg_grids_page(c, &yj_who(r)->scope, yj_query(r, "region"), yj_query(r, "q"), after, limit + 1),
			     limit, reg_grid_row, c, "id");
}

static const yj_column export_cols[] = {
	{"code", "网格编码"}, {"name", "网格名称"}, {"region_code", "行政区划代码"}, {"region_name", "所属乡镇（街道）"},
	{"members_count", "网格员人数"}, {"institutions_count", "机构数"}, {NULL, NULL},
};

static int export_grids(yj_req *r)
{
	store_conn *c = store_conn_get(yj_store(r));
	return yj_reply_export_stmt(r, "grids", export_cols,
				    reg_grids_all(c, &yj_who(r)->scope, yj_query(r, "region"), yj_query(r, "q")), reg_grid_row, c);
}

static int get_grid(yj_req *r)
{
	int64_t id;
	json_t *g = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = reg_grid_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &g);
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
	int rc = reg_grid_next_code(c, town, code);
	if (rc < 0)
		return rc;
	int64_t now = yj_now_ms();
	a->id = yj_id_new();
	rc = yj_reg_grid_insert(c, a->id, code, json_string_value(json_object_get(b, "name")), town, now);
	if (rc == ST_CONFLICT)
		return ST_RETRY; /* a concurrent create took the code: run again, taking the next one */
	if (rc < 0)
		return rc;
	json_decref(a->grid);
	a->grid = NULL;
	if ((rc = reg_grid_load(c, &yj_who(a->r)->scope, a->id, &a->grid)) < 0)
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
	int rc = reg_grid_rename(c, &yj_who(a->r)->scope, a->id, json_string_value(json_object_get(yj_body(a->r), "name")),
				 yj_now_ms());
	if (rc < 0)
		return rc;
	json_decref(a->grid);
	a->grid = NULL;
	if ((rc = reg_grid_load(c, &yj_who(a->r)->scope, a->id, &a->grid)) < 0)
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
	int rc = reg_grid_load(c, sc, a->id, &a->grid);
	if (rc < 0)
		return rc;
	const char *region = json_string_value(json_object_get(a->grid, "region_code"));
	json_t *ids = json_object_get(yj_body(a->r), "user_ids"), *v;
	size_t i;
	json_array_foreach(ids, i, v) if ((rc = check_member(c, sc, region, v, &a->no)) < 0) return rc;
	if (yj_refusal_has_fields(&a->no))
		return yj_refuse_invalid(&a->no, NULL);
	rc = reg_grid_members_set(c, a->id, ids, region);
	if (rc < 0)
		return rc;
	json_decref(a->grid);
	a->grid = NULL;
	if ((rc = reg_grid_load(c, sc, a->id, &a->grid)) < 0)
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
