/* rectify_store.c — the SQL of rectification (整改) and publication (一公开): orders read and written,
 * the follow-up task copied from the inspected one, the publication mark, and the list of completed
 * inspections not yet published with their 20-working-day deadline. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yj_insp_publications(store_conn *c, const yj_scope *sc, const char *today, int overdue_only, int limit, json_t **out)
{
	yj_qb *q = yj_q_select(&insp_tasks_t, "id, subject_id, subject_name, kind, outcome, completed_on, publish_due, region_code", sc);
	yj_q_where(q, "state = 'completed' AND published_at IS NULL");
	if (overdue_only) {
		yj_q_where(q, "publish_due < ?");
		yj_q_text(q, today);
	}
	yj_q_tail(q, "ORDER BY publish_due, id LIMIT ?");
	yj_q_int(q, limit);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(items, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "task_id",
						       yj_json_id(store_col_int64(st, 0)), "subject_id",
						       yj_json_id(store_col_int64(st, 1)), "subject_name", insp_text(st, 2), "kind",
						       insp_text(st, 3), "outcome", insp_text(st, 4), "completed_on", insp_text(st, 5),
						       "publish_due", insp_text(st, 6), "region_code", insp_text(st, 7), "overdue",
						       strcmp(store_col_text(st, 6), today) < 0));
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = items;
	return ST_OK;
}

json_t *insp_order_json(store_stmt *st, const char *today)
{
	const char *state = store_col_text(st, 8), *deadline = store_col_text(st, 7);
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:b}", "id",
			 yj_json_id(store_col_int64(st, 0)), "task_id", yj_json_id(store_col_int64(st, 1)), "finding_id",
			 store_col_is_null(st, 2) ? json_null() : yj_json_id(store_col_int64(st, 2)), "subject_id",
			 yj_json_id(store_col_int64(st, 3)), "requirement", insp_text(st, 4), "issued_on", insp_text(st, 5),
			 "working_days", (json_int_t)store_col_int64(st, 6), "deadline", insp_text(st, 7), "state",
			 insp_text(st, 8), "follow_up_task_id",
			 store_col_is_null(st, 9) ? json_null() : yj_json_id(store_col_int64(st, 9)), "closed_at", insp_int(st, 10),
			 "close_note", insp_text(st, 11), "region_code", insp_text(st, 12), "department", insp_text(st, 13),
			 "actor", insp_text(st, 14), "created_at", (json_int_t)store_col_int64(st, 15), "overdue",
			 !strcmp(state, "open") && strcmp(deadline, today) < 0);
	json_object_set_new(o, "report", insp_text(st, 16));
	json_object_set_new(o, "reported_at", insp_int(st, 17));
	json_object_set_new(o, "reported_by", insp_text(st, 18));
	/* The institution by the name and code its task recorded (the list names whom an order binds). */
	json_object_set_new(o, "subject_name", insp_text(st, 19));
	json_object_set_new(o, "subject_code", insp_text(st, 20));
	json_object_set_new(o, "subject_kind", insp_text(st, 21));
	return o;
}

json_t *insp_order_row(store_stmt *st, void *today)
{
	return insp_order_json(st, today);
}

int insp_order_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	char today[11];
	yj_day_today(today);
	yj_qb *q = yj_q_select(&insp_orders_t, INSP_ORDER_COLS, sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	return yj_row_one(yj_q_prepare(q, c), insp_order_row, today, out);
}

static int step_once(store_stmt *st)
{
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_task_set_published(store_conn *c, int64_t task_id, int64_t at)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_tasks SET published_at = ?, updated_at = ? WHERE id = ?");
	if (st) {
		store_bind_int64(st, 1, at);
		store_bind_int64(st, 2, at);
		store_bind_int64(st, 3, task_id);
	}
	return step_once(st);
}

int insp_order_insert(store_conn *c, const insp_order_new *o)
{
	store_stmt *st = store_prepare(c, "INSERT INTO rectification_orders (id, task_id, finding_id, subject_id, requirement, issued_on,"
					  " working_days, deadline, state, region_code, department, actor, created_at) VALUES (?, ?, ?, ?, ?,"
					  " ?, ?, ?, 'open', ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, o->id);
	store_bind_int64(st, 2, o->task_id);
	if (o->finding_id)
		store_bind_int64(st, 3, o->finding_id);
	else
		store_bind_null(st, 3);
	store_bind_int64(st, 4, o->subject_id);
	store_bind_text(st, 5, o->requirement, -1);
	store_bind_text(st, 6, o->issued_on, -1);
	store_bind_int64(st, 7, o->working_days);
	store_bind_text(st, 8, o->deadline, -1);
	store_bind_text(st, 9, o->region, -1);
	store_bind_text(st, 10, o->department, -1);
	store_bind_text(st, 11, o->actor, -1);
	store_bind_int64(st, 12, o->at);
	return step_once(st);
}

int insp_follow_up_insert(store_conn *c, int64_t id, int64_t inspected_task, int64_t order_id, const char *due,
			  const char *actor, int64_t at)
{
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_tasks (id, kind, item_ids, subject_id, subject_name, subject_code,"
					  " region_code, department, source_order_id, due_date, state, created_by, created_at,"
					  " updated_at, subject_kind) SELECT ?, 'follow_up', item_ids, subject_id, subject_name,"
					  " subject_code, region_code, department, ?, ?, 'assigned', ?, ?, ?, subject_kind"
					  " FROM inspection_tasks WHERE id = ?");
	if (st) {
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, order_id);
		store_bind_text(st, 3, due, -1);
		store_bind_text(st, 4, actor, -1);
		store_bind_int64(st, 5, at);
		store_bind_int64(st, 6, at);
		store_bind_int64(st, 7, inspected_task);
	}
	return step_once(st);
}

int insp_order_set_follow_up(store_conn *c, int64_t order_id, int64_t task_id)
{
	store_stmt *st = store_prepare(c, "UPDATE rectification_orders SET follow_up_task_id = ? WHERE id = ?");
	if (st) {
		store_bind_int64(st, 1, task_id);
		store_bind_int64(st, 2, order_id);
	}
	return step_once(st);
}

int insp_order_close(store_conn *c, int64_t order_id, const char *state, const char *note, int64_t at)
{
	store_stmt *st = store_prepare(c, "UPDATE rectification_orders SET state = ?, closed_at = ?, close_note = ? WHERE id = ?");
	if (st) {
		store_bind_text(st, 1, state, -1);
		store_bind_int64(st, 2, at);
		store_bind_text(st, 3, note, -1);
		store_bind_int64(st, 4, order_id);
	}
	return step_once(st);
}

int insp_order_report(store_conn *c, int64_t order_id, const char *report, const char *actor, int64_t at)
{
	store_stmt *st = store_prepare(c, "UPDATE rectification_orders SET report = ?, reported_at = ?, reported_by = ? WHERE id = ?");
	if (st) {
		store_bind_text(st, 1, report, -1);
		store_bind_int64(st, 2, at);
		store_bind_text(st, 3, actor, -1);
		store_bind_int64(st, 4, order_id);
	}
	return step_once(st);
}

/* "?, ?, …" for n ids into sql. */
static void placeholders(yj_buf *sql, size_t n)
{
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(sql, i ? ", ?" : "?");
}

/* Each result's items by name (the item list is reference data: read whole, once). */
static int public_item_names(store_conn *c, json_t *items)
{
	store_stmt *st = store_prepare(c, "SELECT id, name FROM inspection_items");
	if (!st)
		return ST_ERR;
	json_t *names = json_object();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		char key[21];
		yj_id_format(store_col_int64(st, 0), key);
		json_object_set_new(names, key, json_string(store_col_text(st, 1) ? store_col_text(st, 1) : ""));
	}
	store_finalize(st);
	size_t i, k;
	json_t *it, *v;
	json_array_foreach(items, i, it) {
		json_t *list = json_array();
		json_array_foreach(json_object_get(it, "item_ids"), k, v) {
			json_t *nm = json_object_get(names, json_string_value(v));
			if (nm)
				json_array_append(list, nm);
		}
		json_object_del(it, "item_ids");
		json_object_set_new(it, "items", list);
	}
	json_decref(names);
	return rc < 0 ? rc : ST_OK;
}

/* Each result's findings (severity and clause), for the whole page in one statement. */
static int public_findings(store_conn *c, json_t *items)
{
	size_t i, n = json_array_size(items);
	json_t *it, *by_id = json_object();
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT task_id, severity, clause FROM inspection_findings WHERE task_id IN (");
	placeholders(&sql, n);
	yj_buf_puts(&sql, ") ORDER BY task_id, id");
	store_stmt *st = n ? store_prepare(c, sql.data) : NULL;
	yj_buf_free(&sql);
	json_array_foreach(items, i, it) {
		json_t *fs = json_array();
		json_object_set_new(it, "findings", fs);
		json_object_set(by_id, json_string_value(json_object_get(it, "id")), fs);
		int64_t tid = 0;
		yj_id_parse(json_string_value(json_object_get(it, "id")), &tid);
		if (st)
			store_bind_int64(st, (int)i + 1, tid);
	}
	int rc = n && !st ? ST_ERR : ST_OK;
	while (st && (rc = store_step(st)) == ST_ROW) {
		char key[21];
		yj_id_format(store_col_int64(st, 0), key);
		json_t *fs = json_object_get(by_id, key);
		if (fs)
			json_array_append_new(fs, json_pack("{s:o, s:o}", "severity", insp_text(st, 1), "clause", insp_text(st, 2)));
	}
	if (st)
		store_finalize(st);
	json_decref(by_id);
	return rc < 0 ? rc : ST_OK;
}

int insp_public_details(store_conn *c, json_t *items)
{
	int rc = public_item_names(c, items);
	return rc < 0 ? rc : public_findings(c, items);
}

int insp_public_results_page(store_conn *c, const char *region_like, int64_t before, int limit, json_t **items,
			     json_t **next)
{
	store_stmt *st = store_prepare(c, "SELECT id, subject_name, subject_code, region_code, kind, outcome, completed_on,"
					  " published_at, item_ids, summary FROM inspection_tasks WHERE published_at IS NOT NULL"
					  " AND region_code LIKE ? AND id < ? ORDER BY id DESC LIMIT ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, region_like, -1);
	store_bind_int64(st, 2, before);
	store_bind_int64(st, 3, limit + 1);
	json_t *a = json_array(), *nx = json_null();
	int rc, n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (++n > limit) {
			json_decref(nx);
			nx = yj_cursor_json(json_string_value(json_object_get(json_array_get(a, (size_t)limit - 1), "id")));
			break;
		}
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o}", "id",
						   yj_json_id(store_col_int64(st, 0)), "subject_name", insp_text(st, 1),
						   "subject_credit_code", insp_text(st, 2), "region_code", insp_text(st, 3), "kind",
						   insp_text(st, 4), "outcome", insp_text(st, 5), "inspected_on", insp_text(st, 6),
						   "published_at", (json_int_t)store_col_int64(st, 7), "item_ids",
						   insp_csv_array(store_col_text(st, 8)), "summary", insp_text(st, 9)));
	}
	store_finalize(st);
	if (rc >= 0)
		rc = insp_public_details(c, a);
	if (rc < 0) {
		json_decref(a);
		json_decref(nx);
		return rc;
	}
	*items = a;
	*next = nx;
	return ST_OK;
}

int insp_finding_task(store_conn *c, int64_t finding, int64_t *task)
{
	char fid[21];
	yj_id_format(finding, fid);
	return store_query_int64(c, "SELECT task_id FROM inspection_findings WHERE id = ?", fid, task);
}

int insp_task_head_load(store_conn *c, const yj_scope *sc, int64_t id, insp_task_head *h)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &insp_tasks_t, "state, published_at, region_code, outcome, subject_id, department", sc, id,
				&st);
	if (rc != ST_OK)
		return rc;
	snprintf(h->state, sizeof h->state, "%s", store_col_text(st, 0));
	h->published = !store_col_is_null(st, 1);
	snprintf(h->region, sizeof h->region, "%s", store_col_text(st, 2));
	snprintf(h->outcome, sizeof h->outcome, "%s", store_col_text(st, 3) ? store_col_text(st, 3) : "");
	h->subject_id = store_col_int64(st, 4);
	snprintf(h->department, sizeof h->department, "%s", store_col_text(st, 5));
	store_finalize(st);
	return ST_OK;
}

/* The orders in scope with the list's filters (state, overdue as of today). */
static yj_qb *orders_filtered(const yj_scope *sc, const char *state, int overdue_only, const char *today, int64_t subject)
{
	yj_qb *q = yj_q_select(&insp_orders_t, INSP_ORDER_COLS, sc);
	if (subject) {
		yj_q_where(q, "subject_id = ?");
		yj_q_int(q, subject);
	}
	if (state && *state) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, state);
	}
	if (overdue_only) {
		yj_q_where(q, "state = 'open' AND deadline < ?");
		yj_q_text(q, today);
	}
	return q;
}

store_stmt *insp_orders_all(store_conn *c, const yj_scope *sc, const char *state, int overdue_only, const char *today,
			    int64_t subject)
{
	yj_qb *q = orders_filtered(sc, state, overdue_only, today, subject);
	yj_q_tail(q, "ORDER BY deadline, id");
	return yj_q_prepare(q, c);
}

int insp_orders_page(store_conn *c, const yj_scope *sc, const char *state, int overdue_only, const char *today,
		     int64_t subject, const char *after_day, int64_t after_id, int limit, json_t **items, json_t **next)
{
	yj_qb *q = orders_filtered(sc, state, overdue_only, today, subject);
	if (after_day && after_day[0]) { /* keyset on (deadline, id): the cursor is "deadline,id" of the last row shown */
		yj_q_where(q, "(deadline > ? OR (deadline = ? AND id > ?))");
		yj_q_text(q, after_day);
		yj_q_text(q, after_day);
		yj_q_int(q, after_id);
	}
	yj_q_tail(q, "ORDER BY deadline, id LIMIT ?");
	yj_q_int(q, limit + 1);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	json_t *a = json_array(), *nx = json_null();
	int rc, n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (++n > limit) {
			json_t *last = json_array_get(a, (size_t)limit - 1);
			char key[40];
			snprintf(key, sizeof key, "%s,%s", json_string_value(json_object_get(last, "deadline")),
				 json_string_value(json_object_get(last, "id")));
			json_decref(nx);
			nx = yj_cursor_json(key);
			break;
		}
		json_array_append_new(a, insp_order_json(st, today));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(a);
		json_decref(nx);
		return rc;
	}
	*items = a;
	*next = nx;
	return ST_OK;
}

int yj_insp_order_backdate(store_conn *c, int64_t order_id, const char *issued_on, const char *deadline)
{
	store_stmt *st = store_prepare(c, "UPDATE rectification_orders SET issued_on = ?, deadline = ? WHERE id = ? AND state = 'open'");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, issued_on, -1);
	store_bind_text(st, 2, deadline, -1);
	store_bind_int64(st, 3, order_id);
	int rc = store_step(st);
	int64_t n = rc < 0 ? 0 : store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	return n ? insp_todo_order(c, order_id) : ST_NOTFOUND;
}
