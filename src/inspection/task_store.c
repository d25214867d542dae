/* task_store.c — the SQL that reads inspection tasks: a task row as JSON, one task with its team, and
 * the whole task (checklist merged with results, findings, attachments, rectification orders) that
 * the field pages and the audit leaves show; and the "touch" of a field operation. Teams: team_store.c. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *coord(store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? json_null() : json_real((double)store_col_int64(st, col) / 1e6);
}

json_t *insp_task_json(store_stmt *st)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", yj_json_id(store_col_int64(st, 0)));
	json_object_set_new(o, "kind", insp_text(st, 1));
	json_object_set_new(o, "kind_label", json_string(insp_task_kind_label(store_col_text(st, 1)) ? insp_task_kind_label(store_col_text(st, 1)) : ""));
	json_object_set_new(o, "draw_id", store_col_is_null(st, 2) ? json_null() : yj_json_id(store_col_int64(st, 2)));
	json_object_set_new(o, "plan_id", store_col_is_null(st, 3) ? json_null() : yj_json_id(store_col_int64(st, 3)));
	json_object_set_new(o, "item_ids", insp_csv_array(store_col_text(st, 4)));
	json_object_set_new(o, "subject", json_pack("{s:o, s:o, s:o}", "id", yj_json_id(store_col_int64(st, 5)), "name",
						    insp_text(st, 6), "credit_code", insp_text(st, 7)));
	json_object_set_new(o, "region_code", insp_text(st, 8));
	json_object_set_new(o, "department", insp_text(st, 9));
	json_object_set_new(o, "phase", insp_text(st, 10));
	json_object_set_new(o, "source_order_id", store_col_is_null(st, 11) ? json_null() : yj_json_id(store_col_int64(st, 11)));
	json_object_set_new(o, "note", insp_text(st, 12));
	json_object_set_new(o, "due_date", insp_text(st, 13));
	json_object_set_new(o, "state", insp_text(st, 14));
	json_object_set_new(o, "checkin", store_col_is_null(st, 15) ? json_null()
								    : json_pack("{s:I, s:o, s:o}", "at", (json_int_t)store_col_int64(st, 15),
										"lng", coord(st, 16), "lat", coord(st, 17)));
	json_object_set_new(o, "signature", store_col_is_null(st, 18) ? json_null()
								      : json_pack("{s:o, s:o, s:o}", "state", insp_text(st, 18), "signer_name",
										  insp_text(st, 19), "note", insp_text(st, 20)));
	json_object_set_new(o, "outcome", insp_text(st, 21));
	json_object_set_new(o, "summary", insp_text(st, 22));
	json_object_set_new(o, "completed_at", insp_int(st, 23));
	json_object_set_new(o, "completed_on", insp_text(st, 24));
	json_object_set_new(o, "publish_due", insp_text(st, 25));
	json_object_set_new(o, "published_at", insp_int(st, 26));
	json_object_set_new(o, "created_by", insp_text(st, 27));
	json_object_set_new(o, "created_at", json_integer(store_col_int64(st, 28)));
	return o;
}

/* The task row in scope as JSON (without its details). */
json_t *insp_task_one(store_stmt *st, void *arg)
{
	(void)arg;
	return insp_task_json(st);
}

/* The teams of the tasks of q's filters whose ids lie in (after, last] (last 0: no upper bound), in
 * one statement: see insp_teams_fill. */
store_stmt *insp_teams_query(yj_qb *q, store_conn *c, int64_t after, int64_t last)
{
	yj_q_where(q, "inspection_tasks.id > ?");
	yj_q_int(q, after);
	if (last) {
		yj_q_where(q, "inspection_tasks.id <= ?");
		yj_q_int(q, last);
	}
	yj_q_tail(q, "ORDER BY m.task_id, m.member_order");
	return yj_q_prepare(q, c);
}

int insp_task_row(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_qb *q = yj_q_select(&insp_tasks_t, INSP_TASK_COLS, sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	int rc = yj_row_one(yj_q_prepare(q, c), insp_task_one, NULL, out);
	if (rc < 0)
		return rc;
	json_t *one = json_pack("[O]", *out);
	rc = insp_teams_fill(c, insp_teams_query(yj_q_select(&insp_members_t, "m.task_id, m.user_id, i.cert_no", sc), c, id - 1, id),
			     one);
	json_decref(one);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* The task with checklist (points merged with their results), findings, attachments and orders. */
int insp_task_full(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	json_t *t = NULL, *cl = NULL;
	int rc = insp_task_row(c, sc, id, &t);
	if (rc < 0)
		return rc;
	char *items = insp_array_csv(json_object_get(t, "item_ids"));
	rc = insp_checklist(c, items, &cl);
	free(items);
	if (rc < 0)
		goto fail;
	yj_qb *q = yj_q_select(&insp_results_t, "point_code, result, note, actor, at", sc);
	yj_q_where(q, "task_id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st) {
		rc = ST_ERR;
		goto fail;
	}
	size_t answered = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		size_t i;
		json_t *p;
		json_array_foreach(cl, i, p) if (!strcmp(json_string_value(json_object_get(p, "code")), store_col_text(st, 0))) {
			json_object_set_new(p, "result", insp_text(st, 1));
			json_object_set_new(p, "note", insp_text(st, 2));
			json_object_set_new(p, "by", insp_text(st, 3));
			json_object_set_new(p, "at", json_integer(store_col_int64(st, 4)));
			answered++;
		}
	}
	store_finalize(st);
	if (rc < 0)
		goto fail;
	size_t i;
	json_t *p;
	json_array_foreach(cl, i, p) if (!json_object_get(p, "result")) json_object_set_new(p, "result", json_null());
	json_object_set_new(t, "checklist", cl);
	json_object_set_new(t, "progress", json_pack("{s:I, s:I}", "answered", (json_int_t)answered, "total",
						     (json_int_t)json_array_size(cl)));
	cl = NULL;
	q = yj_q_select(&insp_findings_t, "id, point_code, severity, clause, description, actor, created_at", sc);
	yj_q_where(q, "task_id = ?");
	yj_q_int(q, id);
	yj_q_tail(q, "ORDER BY id");
	json_t *fs = json_array();
	json_object_set_new(t, "findings", fs);
	if (!(st = yj_q_prepare(q, c))) {
		rc = ST_ERR;
		goto fail;
	}
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(fs, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "id", yj_json_id(store_col_int64(st, 0)),
						    "point_code", insp_text(st, 1), "severity", insp_text(st, 2), "clause",
						    insp_text(st, 3), "description", insp_text(st, 4), "by", insp_text(st, 5),
						    "created_at", (json_int_t)store_col_int64(st, 6)));
	store_finalize(st);
	if (rc < 0)
		goto fail;
	q = yj_q_select(&insp_attach_t, "id, sha256, media_type, size, name, actor, created_at", sc);
	yj_q_where(q, "task_id = ?");
	yj_q_int(q, id);
	yj_q_tail(q, "ORDER BY id");
	json_t *as = json_array();
	json_object_set_new(t, "attachments", as);
	if (!(st = yj_q_prepare(q, c))) {
		rc = ST_ERR;
		goto fail;
	}
	while ((rc = store_step(st)) == ST_ROW) {
		char url[160];
		snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/attachments/%s", json_string_value(json_object_get(t, "id")),
			 store_col_text(st, 1));
		json_array_append_new(as, json_pack("{s:o, s:o, s:o, s:I, s:o, s:o, s:I, s:s}", "id", yj_json_id(store_col_int64(st, 0)),
						    "sha256", insp_text(st, 1), "media_type", insp_text(st, 2), "size",
						    (json_int_t)store_col_int64(st, 3), "name", insp_text(st, 4), "by",
						    insp_text(st, 5), "created_at", (json_int_t)store_col_int64(st, 6), "url", url));
	}
	store_finalize(st);
	if (rc < 0)
		goto fail;
	q = yj_q_select(&insp_orders_t, "id, requirement, deadline, state, follow_up_task_id", sc);
	yj_q_where(q, "task_id = ?");
	yj_q_int(q, id);
	yj_q_tail(q, "ORDER BY id");
	json_t *os = json_array();
	json_object_set_new(t, "rectifications", os);
	if (!(st = yj_q_prepare(q, c))) {
		rc = ST_ERR;
		goto fail;
	}
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(os, json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", yj_json_id(store_col_int64(st, 0)),
						    "requirement", insp_text(st, 1), "deadline", insp_text(st, 2), "state",
						    insp_text(st, 3), "follow_up_task_id",
						    store_col_is_null(st, 4) ? json_null() : yj_json_id(store_col_int64(st, 4))));
	store_finalize(st);
	if (rc < 0)
		goto fail;
	*out = t;
	return ST_OK;
fail:
	json_decref(cl);
	json_decref(t);
	return rc;
}

int insp_task_touch(store_conn *c, int64_t id)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_tasks SET updated_at = ?, state = CASE WHEN state = 'assigned'"
					  " THEN 'in_progress' ELSE state END WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_now_ms());
	store_bind_int64(st, 2, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}
