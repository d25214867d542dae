/* team_store.c — the SQL of inspection teams: one row per member in inspection_task_members, the
 * leader first (member_order 0). The teams of a page, an export or a draw are read with one statement
 * and their display names with one more (auth.h, per 500 people) — never one query per task or member. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"

#include <stdlib.h>
#include <string.h>

/* Members joined with their task, so the task's scope applies to them. */
const yj_table insp_members_t = {
	"inspection_task_members m JOIN inspection_tasks ON inspection_tasks.id = m.task_id"
	" LEFT JOIN inspectors i ON i.user_id = m.user_id",
	"inspection_tasks.region_code", "inspection_tasks.department", "inspection_tasks.subject_id IN ({S})"};

int insp_team_write(store_conn *c, int64_t task_id, const char *csv)
{
	json_t *ids = insp_csv_array(csv), *v;
	store_stmt *st = store_prepare(c, "DELETE FROM inspection_task_members WHERE task_id = ?");
	int rc = ST_ERR;
	if (!st)
		goto done;
	store_bind_int64(st, 1, task_id);
	rc = store_step(st);
	store_finalize(st);
	size_t i;
	json_array_foreach(ids, i, v) {
		int64_t uid;
		if (rc < 0)
			break;
		if (yj_id_parse(json_string_value(v), &uid) < 0)
			continue;
		if (!(st = store_prepare(c, "INSERT INTO inspection_task_members (task_id, member_order, user_id) VALUES (?, ?, ?)"))) {
			rc = ST_ERR;
			break;
		}
		store_bind_int64(st, 1, task_id);
		store_bind_int64(st, 2, (int64_t)i);
		store_bind_int64(st, 3, uid);
		rc = store_step(st);
		store_finalize(st);
	}
done:
	json_decref(ids);
	return rc < 0 ? rc : ST_OK;
}

int insp_team_copy(store_conn *c, int64_t from, int64_t to)
{
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_task_members (task_id, member_order, user_id)"
					  " SELECT ?, member_order, user_id FROM inspection_task_members WHERE task_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, to);
	store_bind_int64(st, 2, from);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_team_ids(store_conn *c, int64_t task_id, int64_t **ids, size_t *n)
{
	size_t cap = 8;
	*ids = yj_malloc(cap * sizeof **ids);
	*n = 0;
	store_stmt *st = store_prepare(c, "SELECT user_id FROM inspection_task_members WHERE task_id = ? ORDER BY member_order");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, task_id);
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		if (*n == cap)
			*ids = yj_realloc(*ids, (cap *= 2) * sizeof **ids);
		(*ids)[(*n)++] = store_col_int64(st, 0);
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* Adds id to the set ids[0..*n) unless present (a team page holds a few hundred people at most). */
static void id_add(int64_t **ids, size_t *n, size_t *cap, int64_t id)
{
	for (size_t i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return;
	if (*n == *cap)
		*ids = yj_realloc(*ids, (*cap = *cap ? *cap * 2 : 16) * sizeof **ids);
	(*ids)[(*n)++] = id;
}

/* Sets each member's name from names (decimal id → name). */
static void names_apply(json_t *tasks, const json_t *names)
{
	size_t i, k;
	json_t *t, *m;
	json_array_foreach(tasks, i, t) {
		json_array_foreach(json_object_get(t, "team"), k, m) {
			json_t *nm = json_object_get(names, json_string_value(json_object_get(m, "id")));
			if (nm)
				json_object_set(m, "name", nm);
		}
	}
}

int insp_teams_fill(store_conn *c, store_stmt *st, json_t *tasks)
{
	if (!st)
		return ST_ERR;
	json_t *by_id = json_object(), *t, *names = json_object();
	size_t i, n = 0, cap = 0;
	int64_t *ids = NULL;
	json_array_foreach(tasks, i, t) {
		json_t *team = json_array();
		json_object_set_new(t, "team", team);
		json_object_set(by_id, json_string_value(json_object_get(t, "id")), team);
	}
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		char key[21];
		yj_id_format(store_col_int64(st, 0), key);
		json_t *team = json_object_get(by_id, key);
		if (!team)
			continue;
		int64_t uid = store_col_int64(st, 1);
		id_add(&ids, &n, &cap, uid);
		json_array_append_new(team, json_pack("{s:o, s:o}", "id", yj_json_id(uid), "cert_no", insp_text(st, 2)));
	}
	store_finalize(st);
	if (rc >= 0 && n)
		rc = yj_user_names(c, ids, n, 0, names);
	if (rc >= 0)
		names_apply(tasks, names);
	free(ids);
	json_decref(names);
	json_decref(by_id);
	return rc < 0 ? rc : ST_OK;
}
