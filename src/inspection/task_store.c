/* task_store.c — the SQL that reads inspection tasks: a task row as JSON, one task with its team, and
 * the whole task (checklist merged with results, findings, attachments, rectification orders) that
 * the field pages and the audit leaves show; and every write of a task and its field records, so the
 * handlers of task_api.c hold no SQL. Teams: team_store.c. */
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
	json_object_set_new(o, "subject", json_pack("{s:o, s:o, s:o, s:o}", "id", yj_json_id(store_col_int64(st, 5)), "kind",
						    insp_text(st, 29), "name", insp_text(st, 6), "credit_code", insp_text(st, 7)));
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
								      : json_pack("{s:o, s:o, s:o, s:o}", "state", insp_text(st, 18), "signer_name",
										  insp_text(st, 19), "note", insp_text(st, 20), "image_sha256",
										  insp_text(st, 30)));
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

/* ---- writes ---- */

/* Binds text or SQL NULL for a blank value. */
static void bind_opt(store_stmt *st, int idx, const char *v)
{
	store_bind_text(st, idx, insp_blank(v) ? NULL : v, -1);
}

static int step_once(store_stmt *st)
{
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_item_is_active(store_conn *c, const char *item_id, int *active)
{
	int64_t n = 0;
	int rc = store_query_int64(c, "SELECT COUNT(*) FROM inspection_items WHERE id = ? AND active = 1", item_id, &n);
	*active = rc == ST_OK && n > 0;
	return rc < 0 && rc != ST_NOTFOUND ? rc : ST_OK;
}

int insp_task_insert(store_conn *c, const insp_task_new *t)
{
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_tasks (id, kind, item_ids, subject_id, subject_name,"
					  " subject_code, region_code, department, note, due_date, state, created_by,"
					  " created_at, updated_at, subject_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'assigned', ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, t->id);
	store_bind_text(st, 2, t->kind, -1);
	store_bind_text(st, 3, t->item_ids, -1);
	store_bind_int64(st, 4, t->subject_id);
	store_bind_text(st, 5, t->subject_name, -1);
	store_bind_text(st, 6, t->subject_code, -1);
	store_bind_text(st, 7, t->region, -1);
	store_bind_text(st, 8, t->department, -1);
	store_bind_text(st, 9, t->note, -1);
	store_bind_text(st, 10, t->due_date, -1);
	store_bind_text(st, 11, t->actor, -1);
	store_bind_int64(st, 12, t->at);
	store_bind_int64(st, 13, t->at);
	store_bind_text(st, 14, t->subject_kind ? t->subject_kind : "institution", -1);
	return step_once(st);
}

int insp_task_updated(store_conn *c, int64_t id)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_tasks SET updated_at = ? WHERE id = ?");
	if (st) {
		store_bind_int64(st, 1, yj_now_ms());
		store_bind_int64(st, 2, id);
	}
	return step_once(st);
}

int insp_task_set_checkin(store_conn *c, int64_t id, int64_t at, int64_t lng_e6, int64_t lat_e6)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_tasks SET checkin_at = ?, checkin_lng_e6 = ?, checkin_lat_e6 = ?"
					  " WHERE id = ?");
	if (st) {
		store_bind_int64(st, 1, at);
		store_bind_int64(st, 2, lng_e6);
		store_bind_int64(st, 3, lat_e6);
		store_bind_int64(st, 4, id);
	}
	return step_once(st);
}

int insp_result_put(store_conn *c, const insp_record *r, const char *code, const char *result, const char *note)
{
	store_stmt *st = store_prepare(c, "DELETE FROM inspection_results WHERE task_id = ? AND point_code = ?");
	if (st) {
		store_bind_int64(st, 1, r->task_id);
		store_bind_text(st, 2, code, -1);
	}
	int rc = step_once(st);
	if (rc < 0)
		return rc;
	st = store_prepare(c, "INSERT INTO inspection_results (task_id, point_code, result, note, region_code, department,"
			      " actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (st) {
		store_bind_int64(st, 1, r->task_id);
		store_bind_text(st, 2, code, -1);
		store_bind_text(st, 3, result, -1);
		bind_opt(st, 4, note);
		store_bind_text(st, 5, r->region, -1);
		store_bind_text(st, 6, r->department, -1);
		store_bind_text(st, 7, r->actor, -1);
		store_bind_int64(st, 8, r->at);
	}
	return step_once(st);
}

int insp_finding_insert(store_conn *c, const insp_record *r, int64_t id, int64_t subject_id, const char *subject_kind,
			const char *point_code, const char *severity, const char *clause, const char *description)
{
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_findings (id, task_id, point_code, severity, clause,"
					  " description, subject_id, region_code, department, actor, created_at, subject_kind)"
					  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st) {
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, r->task_id);
		store_bind_text(st, 3, point_code, -1);
		store_bind_text(st, 4, severity, -1);
		store_bind_text(st, 5, clause, -1);
		store_bind_text(st, 6, description, -1);
		store_bind_int64(st, 7, subject_id);
		store_bind_text(st, 8, r->region, -1);
		store_bind_text(st, 9, r->department, -1);
		store_bind_text(st, 10, r->actor, -1);
		store_bind_int64(st, 11, r->at);
		store_bind_text(st, 12, subject_kind ? subject_kind : "institution", -1);
	}
	return step_once(st);
}

int insp_task_set_signature(store_conn *c, int64_t id, const char *state, const char *signer, const char *note,
			    const char *image)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_tasks SET signature = ?, signer_name = ?, signature_note = ?,"
					  " signature_sha256 = ? WHERE id = ?");
	if (st) {
		store_bind_text(st, 1, state, -1);
		store_bind_text(st, 2, signer, -1);
		bind_opt(st, 3, note);
		bind_opt(st, 4, image);
		store_bind_int64(st, 5, id);
	}
	return step_once(st);
}

int insp_task_complete(store_conn *c, const insp_record *r, int64_t subject_id, const char *outcome, const char *summary,
		       const char *on, const char *publish_due, const char *detail)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_tasks SET state = 'completed', outcome = ?, summary = ?,"
					  " completed_at = ?, completed_on = ?, publish_due = ?, updated_at = ? WHERE id = ?");
	if (st) {
		store_bind_text(st, 1, outcome, -1);
		store_bind_text(st, 2, summary, -1);
		store_bind_int64(st, 3, r->at);
		store_bind_text(st, 4, on, -1);
		store_bind_text(st, 5, publish_due, -1);
		store_bind_int64(st, 6, r->at);
		store_bind_int64(st, 7, r->task_id);
	}
	int rc = step_once(st);
	if (rc < 0)
		return rc;
	/* The result on the subject's record, which credit evaluation reads. */
	st = store_prepare(c, "INSERT INTO subject_records (id, subject_id, kind, outcome, on_date, source_type, source_id,"
			      " detail, region_code, department, created_at) VALUES (?, ?, 'inspection_result', ?, ?,"
			      " 'inspection_task', ?, ?, ?, ?, ?)");
	if (st) {
		store_bind_int64(st, 1, yj_id_new());
		store_bind_int64(st, 2, subject_id);
		store_bind_text(st, 3, outcome, -1);
		store_bind_text(st, 4, on, -1);
		store_bind_int64(st, 5, r->task_id);
		store_bind_text(st, 6, detail, -1);
		store_bind_text(st, 7, r->region, -1);
		store_bind_text(st, 8, r->department, -1);
		store_bind_int64(st, 9, r->at);
	}
	return step_once(st);
}

/* ---- attachments (the contents are platform/attach's) ---- */

int insp_attached_bytes(store_conn *c, const char *actor, int64_t *bytes)
{
	*bytes = 0;
	int rc = store_query_int64(c, "SELECT COALESCE(SUM(size), 0) FROM inspection_attachments WHERE actor = ?", actor, bytes);
	return rc == ST_NOTFOUND ? ST_OK : rc;
}

int insp_attachment_exists(store_conn *c, int64_t task_id, const char *sha256, int *exists)
{
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM inspection_attachments WHERE task_id = ? AND sha256 = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, task_id);
	store_bind_text(st, 2, sha256, -1);
	int rc = store_step(st);
	*exists = rc == ST_ROW && store_col_int64(st, 0) > 0;
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_attachment_insert(store_conn *c, const insp_record *r, const char *sha256, const char *media_type, int64_t size,
			   const char *name)
{
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_attachments (id, task_id, sha256, media_type, size, name, region_code,"
					  " department, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st) {
		store_bind_int64(st, 1, yj_id_new());
		store_bind_int64(st, 2, r->task_id);
		store_bind_text(st, 3, sha256, -1);
		store_bind_text(st, 4, media_type, -1);
		store_bind_int64(st, 5, size);
		store_bind_text(st, 6, name, -1);
		store_bind_text(st, 7, r->region, -1);
		store_bind_text(st, 8, r->department, -1);
		store_bind_text(st, 9, r->actor, -1);
		store_bind_int64(st, 10, r->at);
	}
	return step_once(st);
}

int insp_attachment_type(store_conn *c, const yj_scope *sc, int64_t task_id, const char *sha256, char type[40])
{
	yj_qb *q = yj_q_select(&insp_attach_t, "media_type, name", sc);
	yj_q_where(q, "task_id = ? AND sha256 = ?");
	yj_q_int(q, task_id);
	yj_q_text(q, sha256);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW)
		snprintf(type, 40, "%s", store_col_text(st, 0));
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int yj_insp_finding_get(store_conn *c, const yj_scope *sc, int64_t id, yj_insp_finding *out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &insp_findings_t, "id, task_id, subject_id, severity, clause, region_code, department,"
				" subject_kind", sc, id, &st);
	if (rc != ST_OK)
		return rc;
	out->id = store_col_int64(st, 0);
	out->task_id = store_col_int64(st, 1);
	out->subject_id = store_col_int64(st, 2);
	snprintf(out->severity, sizeof out->severity, "%s", store_col_text(st, 3));
	snprintf(out->clause, sizeof out->clause, "%s", store_col_text(st, 4));
	snprintf(out->region_code, sizeof out->region_code, "%s", store_col_text(st, 5));
	snprintf(out->department, sizeof out->department, "%s", store_col_text(st, 6));
	snprintf(out->subject_kind, sizeof out->subject_kind, "%s", store_col_text(st, 7));
	store_finalize(st);
	return ST_OK;
}
