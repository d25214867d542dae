/* grids_store.c — the SQL of grids (网格) and their members behind grids_api.c: the filtered list
 * and export, one grid with its members, the next code below a town, renaming and the member list.
 * (The insert is yj_reg_grid_insert of reg_rows.c, shared with the demo.) */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/id.h"
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

json_t *reg_grid_row(store_stmt *st, void *arg)
{
	return grid_json(arg, st);
}

static yj_qb *filtered(const yj_scope *sc, const char *region, const char *text)
{
	yj_qb *q = yj_q_select(&grids_view, COLS, sc);
	if (region && *region)
		yj_q_region(q, "g.region_code", region);
	yj_q_words(q, "g.name LIKE ?", 1, text);
	return q;
}

store_stmt *reg_grids_page(store_conn *c, const yj_scope *sc, const char *region, const char *text, int64_t after,
			   int limit)
{
	yj_qb *q = filtered(sc, region, text);
	yj_q_where(q, "g.id > ?");
	yj_q_int(q, after);
	yj_q_tail(q, "ORDER BY g.id LIMIT ?");
	yj_q_int(q, limit);
	return yj_q_prepare(q, c);
}

store_stmt *reg_grids_all(store_conn *c, const yj_scope *sc, const char *region, const char *text)
{
	yj_qb *q = filtered(sc, region, text);
	yj_q_tail(q, "ORDER BY g.code"); /* every row: the export streams */
	return yj_q_prepare(q, c);
}

int reg_grid_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
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

int reg_grid_by_code(store_conn *c, const char *code, int64_t *id, char region[16])
{
	store_stmt *st = store_prepare(c, "SELECT id, region_code FROM grids WHERE code = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*id = store_col_int64(st, 0);
		snprintf(region, 16, "%s", store_col_text(st, 1));
	}
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int reg_grid_next_code(store_conn *c, const char *town, char out[16])
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

int reg_grid_rename(store_conn *c, const yj_scope *sc, int64_t id, const char *name, int64_t now)
{
	yj_qb *q = yj_q_update(&grids_table, sc);
	yj_q_set_text(q, "name", name);
	yj_q_set_int(q, "updated_at", now);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	int64_t n = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	return n == 0 ? ST_NOTFOUND : ST_OK;
}

int reg_grid_members_set(store_conn *c, int64_t id, const json_t *user_ids, const char *region)
{
	store_stmt *st = store_prepare(c, "DELETE FROM grid_members WHERE grid_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	store_finalize(st);
	size_t i;
	json_t *v;
	json_array_foreach(user_ids, i, v) {
		if (rc < 0)
			break;
		int64_t uid;
		yj_id_parse(json_string_value(v), &uid);
		st = store_prepare(c, "INSERT INTO grid_members (grid_id, user_id, region_code) VALUES (?, ?, ?)");
		if (!st)
			return ST_ERR;
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, uid);
		store_bind_text(st, 3, region, -1);
		rc = store_step(st);
		store_finalize(st);
		if (rc == ST_CONFLICT)
			rc = ST_OK; /* the same user listed twice */
	}
	return rc < 0 ? rc : ST_OK;
}
