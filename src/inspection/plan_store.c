/* plan_store.c — the SQL of inspection plans (plan_api.c holds the handlers): a plan row as JSON with
 * its draw, the plan list, a new plan, its state, the items a plan names, and the draw a commitment
 * creates. */
#define _POSIX_C_SOURCE 200809L
#include "insp_draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_COLS                                                                                                  \
	"id, name, kind, item_ids, departments, department, region_code, ratio_permille, coverage_years, start_date," \
	" end_date, team_size, credit_share_permille, conflict_years, weight_factors, state, created_by, created_at"

static json_t *plan_json(store_stmt *st)
{
	json_t *f = json_loads(store_col_text(st, 14), 0, NULL);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:I}", "id",
			 yj_json_id(store_col_int64(st, 0)), "name", insp_text(st, 1), "kind", insp_text(st, 2), "item_ids",
			 insp_csv_array(store_col_text(st, 3)), "departments", insp_csv_array(store_col_text(st, 4)),
			 "department", insp_text(st, 5), "region_code", insp_text(st, 6), "ratio_permille",
			 (json_int_t)store_col_int64(st, 7), "coverage_years", (json_int_t)store_col_int64(st, 8), "start_date",
			 insp_text(st, 9), "end_date", insp_text(st, 10), "team_size", (json_int_t)store_col_int64(st, 11),
			 "credit_share_permille", (json_int_t)store_col_int64(st, 12), "conflict_years",
			 (json_int_t)store_col_int64(st, 13), "weight_factors", f ? f : json_object(), "state", insp_text(st, 15),
			 "created_by", insp_text(st, 16), "created_at", (json_int_t)store_col_int64(st, 17));
}

static json_t *plan_row(store_stmt *st, void *arg)
{
	(void)arg;
	return plan_json(st);
}

int insp_plan_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_qb *q = yj_q_select(&insp_plans_t, PLAN_COLS, sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	int rc = yj_row_one(yj_q_prepare(q, c), plan_row, NULL, out);
	if (rc == ST_OK) {
		int64_t draw = 0;
		char sid[21];
		yj_id_format(id, sid);
		if (store_query_int64(c, "SELECT id FROM inspection_draws WHERE plan_id = ?", sid, &draw) == ST_OK)
			json_object_set_new(*out, "draw_id", yj_json_id(draw));
		else
			json_object_set_new(*out, "draw_id", json_null());
	}
	return rc;
}

int insp_plan_item(store_conn *c, int64_t id, int active_only, json_t **out)
{
	store_stmt *st = store_prepare(c, active_only ? "SELECT department, subject_types, ratio_permille, coverage_years FROM"
							" inspection_items WHERE id = ? AND active = 1"
						      : "SELECT department, subject_types, ratio_permille, coverage_years FROM"
							" inspection_items WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*out = json_pack("{s:o, s:o, s:I, s:I}", "department", insp_text(st, 0), "subject_types",
				 insp_csv_array(store_col_text(st, 1)), "ratio_permille", (json_int_t)store_col_int64(st, 2),
				 "coverage_years", (json_int_t)store_col_int64(st, 3));
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int insp_plans_page(store_conn *c, const yj_scope *sc, int64_t before, int limit, json_t **items, json_t **next)
{
	yj_qb *q = yj_q_select(&insp_plans_t, "id", sc);
	yj_q_where(q, "id < ?");
	yj_q_int(q, before);
	yj_q_tail(q, "ORDER BY id DESC LIMIT ?");
	yj_q_int(q, limit + 1);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int64_t *ids = yj_malloc(((size_t)limit + 1) * sizeof *ids);
	size_t n = 0;
	int rc;
	while ((rc = store_step(st)) == ST_ROW && n < (size_t)limit + 1)
		ids[n++] = store_col_int64(st, 0);
	store_finalize(st);
	json_t *nx = json_null();
	if (n > (size_t)limit) { /* newest first: the next page starts below the last id shown */
		char key[21];
		yj_id_format(ids[limit - 1], key);
		nx = yj_cursor_json(key);
		n = (size_t)limit;
	}
	json_t *a = json_array();
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		json_t *o = NULL;
		if ((rc = insp_plan_load(c, sc, ids[i], &o)) >= 0)
			json_array_append_new(a, o);
	}
	free(ids);
	if (rc < 0) {
		json_decref(a);
		json_decref(nx);
		return rc;
	}
	*items = a;
	*next = nx;
	return ST_OK;
}

/* Binds the validated plan p's fourteen columns (name … weight_factors, in PLAN_COLS' order after id)
 * from parameter first on, into texts t must keep alive until step_plan runs and frees them. */
struct plan_texts {
	char *items, *depts, *factors;
};

static void bind_plan(store_stmt *st, int first, const json_t *p, struct plan_texts *t)
{
	t->items = insp_array_csv(json_object_get(p, "item_ids"));
	t->depts = insp_array_csv(json_object_get(p, "departments"));
	t->factors = yj_json_canonical(json_object_get(p, "weight_factors"));
	int i = first;
	store_bind_text(st, i++, json_string_value(json_object_get(p, "name")), -1);
	store_bind_text(st, i++, json_string_value(json_object_get(p, "kind")), -1);
	store_bind_text(st, i++, t->items, -1);
	store_bind_text(st, i++, t->depts, -1);
	store_bind_text(st, i++, json_string_value(json_array_get(json_object_get(p, "departments"), 0)), -1);
	store_bind_text(st, i++, json_string_value(json_object_get(p, "region_code")), -1);
	store_bind_int64(st, i++, json_integer_value(json_object_get(p, "ratio_permille")));
	store_bind_int64(st, i++, json_integer_value(json_object_get(p, "coverage_years")));
	store_bind_text(st, i++, json_string_value(json_object_get(p, "start_date")), -1);
	store_bind_text(st, i++, json_string_value(json_object_get(p, "end_date")), -1);
	store_bind_int64(st, i++, json_integer_value(json_object_get(p, "team_size")));
	store_bind_int64(st, i++, json_integer_value(json_object_get(p, "credit_share_permille")));
	store_bind_int64(st, i++, json_integer_value(json_object_get(p, "conflict_years")));
	store_bind_text(st, i, t->factors, -1);
}

static int step_plan(store_stmt *st, struct plan_texts *t)
{
	int rc = store_step(st);
	store_finalize(st);
	free(t->items);
	free(t->depts);
	free(t->factors);
	return rc < 0 ? rc : ST_OK;
}

int insp_plan_insert(store_conn *c, int64_t id, const json_t *p, const char *actor, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_plans (" PLAN_COLS ", updated_at) VALUES (?, ?, ?, ?, ?, ?,"
					  " ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)");
	if (!st)
		return ST_ERR;
	struct plan_texts t;
	store_bind_int64(st, 1, id);
	bind_plan(st, 2, p, &t);
	store_bind_text(st, 16, actor, -1);
	store_bind_int64(st, 17, now);
	store_bind_int64(st, 18, now);
	return step_plan(st, &t);
}

int insp_plan_update_draft(store_conn *c, int64_t id, const json_t *p, int64_t now)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_plans SET name = ?, kind = ?, item_ids = ?, departments = ?,"
					  " department = ?, region_code = ?, ratio_permille = ?, coverage_years = ?, start_date = ?,"
					  " end_date = ?, team_size = ?, credit_share_permille = ?, conflict_years = ?,"
					  " weight_factors = ?, updated_at = ? WHERE id = ? AND state = 'draft'");
	if (!st)
		return ST_ERR;
	struct plan_texts t;
	bind_plan(st, 1, p, &t);
	store_bind_int64(st, 15, now);
	store_bind_int64(st, 16, id);
	return step_plan(st, &t);
}

int insp_plan_delete_draft(store_conn *c, int64_t id)
{
	store_stmt *st = store_prepare(c, "DELETE FROM inspection_plans WHERE id = ? AND state = 'draft'");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_plan_set_state(store_conn *c, int64_t id, const char *state)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_plans SET state = ?, updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, state, -1);
	store_bind_int64(st, 2, yj_now_ms());
	store_bind_int64(st, 3, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

