/* items_store.c — the SQL of the reference data of double random (items_api.c holds the handlers):
 * the item list, the inspector directory with its declared conflicts (names from auth and the
 * registry through their headers) and the subjects' risk signals. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- items ---- */

#define ITEM_COLS "id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at"

static json_t *item_json(store_stmt *st)
{
	json_t *cl = json_loads(store_col_text(st, 6), 0, NULL);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:b, s:I}", "id", yj_json_id(store_col_int64(st, 0)),
			 "code", insp_text(st, 1), "department", insp_text(st, 2), "name", insp_text(st, 3), "legal_basis",
			 insp_text(st, 4), "subject_types", insp_csv_array(store_col_text(st, 5)), "checklist",
			 cl ? cl : json_array(), "ratio_permille", (json_int_t)store_col_int64(st, 7), "coverage_years",
			 (json_int_t)store_col_int64(st, 8), "active", (int)store_col_int64(st, 9), "updated_at",
			 (json_int_t)store_col_int64(st, 10));
}

static json_t *item_row(store_stmt *st, void *arg)
{
	(void)arg;
	return item_json(st);
}

int insp_item_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_qb *q = yj_q_select(&insp_items_t, ITEM_COLS, sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	return yj_row_one(yj_q_prepare(q, c), item_row, NULL, out);
}

int insp_items_list(store_conn *c, const yj_scope *sc, int active_only, json_t **out)
{
	yj_qb *q = yj_q_select(&insp_items_t, ITEM_COLS, sc);
	if (active_only)
		yj_q_where(q, "active = 1");
	yj_q_tail(q, "ORDER BY code");
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(items, item_json(st));
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = items;
	return ST_OK;
}

int insp_item_code_used(store_conn *c, const char *code, int *used)
{
	int64_t n = 0;
	int rc = store_query_int64(c, "SELECT COUNT(*) FROM inspection_items WHERE code = ?", code, &n);
	*used = rc == ST_OK && n > 0;
	return rc < 0 ? rc : ST_OK;
}

int insp_item_write(store_conn *c, int64_t id, int replace, const json_t *it)
{
	int rc;
	/* Nothing references an item row by key (plans and tasks keep item ids as text), so a change
	 * replaces the row. */
	if (replace) {
		store_stmt *del = store_prepare(c, "DELETE FROM inspection_items WHERE id = ?");
		if (!del)
			return ST_ERR;
		store_bind_int64(del, 1, id);
		rc = store_step(del);
		store_finalize(del);
		if (rc < 0)
			return rc;
	}
	char *types = insp_array_csv(json_object_get(it, "subject_types"));
	char *cl = yj_json_canonical(json_object_get(it, "checklist"));
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types,"
					  " checklist, ratio_permille, coverage_years, active, updated_at)"
					  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	rc = st ? ST_OK : ST_ERR;
	if (st) {
		store_bind_int64(st, 1, id);
		store_bind_text(st, 2, json_string_value(json_object_get(it, "code")), -1);
		store_bind_text(st, 3, json_string_value(json_object_get(it, "department")), -1);
		store_bind_text(st, 4, json_string_value(json_object_get(it, "name")), -1);
		store_bind_text(st, 5, json_string_value(json_object_get(it, "legal_basis")), -1);
		store_bind_text(st, 6, types, -1);
		store_bind_text(st, 7, cl, -1);
		store_bind_int64(st, 8, json_integer_value(json_object_get(it, "ratio_permille")));
		store_bind_int64(st, 9, json_integer_value(json_object_get(it, "coverage_years")));
		store_bind_int64(st, 10, json_is_true(json_object_get(it, "active")));
		store_bind_int64(st, 11, yj_now_ms());
		rc = store_step(st);
		store_finalize(st);
	}
	free(types);
	free(cl);
	return rc < 0 ? rc : ST_OK;
}

/* ---- inspector directory ---- */

/* Sets "institution_name" on each conflict of a from the registry (one statement): the name of an
 * institution the inspector declared, whatever the reader's territory, as before. */
static int conflict_names(store_conn *c, json_t *a)
{
	size_t i, n = json_array_size(a);
	json_t *v, *names = json_object();
	int64_t *ids = yj_malloc((n ? n : 1) * sizeof *ids);
	json_array_foreach(a, i, v) yj_id_parse(json_string_value(json_object_get(v, "institution_id")), &ids[i]);
	int rc = yj_subject_names(c, ids, n, names);
	json_array_foreach(a, i, v) {
		json_t *nm = json_object_get(names, json_string_value(json_object_get(v, "institution_id")));
		json_object_set(v, "institution_name", nm ? nm : json_null());
	}
	free(ids);
	json_decref(names);
	return rc;
}

static json_t *inspector_json(store_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:b, s:I}", "user_id", yj_json_id(store_col_int64(st, 0)), "cert_no",
			 insp_text(st, 1), "department", insp_text(st, 2), "region_code", insp_text(st, 3), "active",
			 (int)store_col_int64(st, 4), "updated_at", (json_int_t)store_col_int64(st, 5));
}

#define INSPECTOR_COLS "user_id, cert_no, department, region_code, active, updated_at"

static json_t *inspector_row(store_stmt *st, void *arg)
{
	(void)arg;
	return inspector_json(st);
}

/* The declared conflicts of every inspector of list (objects with "user_id"), into "conflicts", in
 * one statement, with the institutions' names in one more. */
static int conflicts_fill(store_conn *c, json_t *list, const int64_t *ids, size_t n)
{
	json_t *by_user = json_object(), *all = json_array(), *o;
	size_t i;
	json_array_foreach(list, i, o) {
		json_t *a = json_array();
		json_object_set_new(o, "conflicts", a);
		json_object_set(by_user, json_string_value(json_object_get(o, "user_id")), a);
	}
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT id, institution_id, kind, start_date, end_date, reason, created_at, user_id"
			  " FROM inspector_conflicts WHERE user_id IN (");
	for (i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", ?" : "?");
	yj_buf_puts(&sql, ") ORDER BY id");
	store_stmt *st = n ? store_prepare(c, sql.data) : NULL;
	yj_buf_free(&sql);
	int rc = n && !st ? ST_ERR : ST_OK;
	for (i = 0; st && i < n; i++)
		store_bind_int64(st, (int)i + 1, ids[i]);
	while (st && (rc = store_step(st)) == ST_ROW) {
		char key[21];
		yj_id_format(store_col_int64(st, 7), key);
		json_t *f = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "id", yj_json_id(store_col_int64(st, 0)),
				      "institution_id", yj_json_id(store_col_int64(st, 1)), "kind", insp_text(st, 2),
				      "start_date", insp_text(st, 3), "end_date", insp_text(st, 4), "reason", insp_text(st, 5),
				      "created_at", (json_int_t)store_col_int64(st, 6));
		json_array_append(all, f);
		json_array_append_new(json_object_get(by_user, key), f);
	}
	if (st)
		store_finalize(st);
	if (rc >= 0)
		rc = conflict_names(c, all); /* the objects are shared with each inspector's list */
	json_decref(all);
	json_decref(by_user);
	return rc < 0 ? rc : ST_OK;
}

/* Names (from auth) and conflicts of every inspector of list: three statements whatever its length
 * (names: one more per 500 people). */
static int inspectors_fill(store_conn *c, json_t *list)
{
	size_t i, n = json_array_size(list);
	json_t *o, *names = json_object();
	int64_t *ids = yj_malloc((n ? n : 1) * sizeof *ids);
	json_array_foreach(list, i, o) yj_id_parse(json_string_value(json_object_get(o, "user_id")), &ids[i]);
	int rc = yj_user_names(c, ids, n, 0, names);
	json_array_foreach(list, i, o) {
		json_t *nm = json_object_get(names, json_string_value(json_object_get(o, "user_id")));
		if (nm)
			json_object_set(o, "name", nm);
	}
	if (rc >= 0)
		rc = conflicts_fill(c, list, ids, n);
	free(ids);
	json_decref(names);
	return rc;
}

int insp_inspector_load(store_conn *c, const yj_scope *sc, int64_t user, json_t **out)
{
	yj_qb *q = yj_q_select(&insp_inspectors_t, INSPECTOR_COLS, sc);
	yj_q_where(q, "user_id = ?");
	yj_q_int(q, user);
	json_t *o = NULL;
	int rc = yj_row_one(yj_q_prepare(q, c), inspector_row, NULL, &o);
	if (rc < 0)
		return rc;
	json_t *one = json_pack("[O]", o);
	rc = inspectors_fill(c, one);
	json_decref(one);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return ST_OK;
}

int insp_inspectors_page(store_conn *c, const yj_scope *sc, const char *department, int64_t after, int limit,
			 json_t **items, json_t **next)
{
	yj_qb *q = yj_q_select(&insp_inspectors_t, INSPECTOR_COLS, sc);
	if (department && *department) {
		yj_q_where(q, "department = ?");
		yj_q_text(q, department);
	}
	yj_q_where(q, "user_id > ?");
	yj_q_int(q, after);
	yj_q_tail(q, "ORDER BY user_id LIMIT ?");
	yj_q_int(q, limit + 1);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	json_t *a = json_array(), *nx = json_null();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		if ((int)json_array_size(a) == limit) {
			nx = yj_cursor_json(json_string_value(json_object_get(json_array_get(a, (size_t)limit - 1), "user_id")));
			break;
		}
		json_array_append_new(a, inspector_json(st));
	}
	store_finalize(st);
	/* Names and conflicts for the whole page: a constant number of statements, not four per inspector. */
	if (rc >= 0)
		rc = inspectors_fill(c, a);
	if (rc < 0) {
		json_decref(a);
		json_decref(nx);
		return rc;
	}
	*items = a;
	*next = nx;
	return ST_OK;
}

int insp_cert_holder(store_conn *c, const char *cert, int64_t *user)
{
	return store_query_int64(c, "SELECT user_id FROM inspectors WHERE cert_no = ?", cert, user);
}

int insp_inspector_save(store_conn *c, int64_t user, const char *cert, const char *dept, const char *region, int active)
{
	int64_t exists = 0;
	char uid[21];
	yj_id_format(user, uid);
	int rc = store_query_int64(c, "SELECT COUNT(*) FROM inspectors WHERE user_id = ?", uid, &exists);
	if (rc < 0)
		return rc;
	/* Conflicts reference the directory row, so an existing entry is updated in place. */
	store_stmt *st = store_prepare(c, exists ? "UPDATE inspectors SET cert_no = ?, department = ?, region_code = ?,"
						   " active = ?, updated_at = ? WHERE user_id = ?"
						 : "INSERT INTO inspectors (cert_no, department, region_code, active, updated_at,"
						   " user_id) VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, cert, -1);
	store_bind_text(st, 2, dept, -1);
	store_bind_text(st, 3, region, -1);
	store_bind_int64(st, 4, active);
	store_bind_int64(st, 5, yj_now_ms());
	store_bind_int64(st, 6, user);
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_conflict_insert(store_conn *c, const insp_conflict_new *k)
{
	store_stmt *st = store_prepare(c, "INSERT INTO inspector_conflicts (id, user_id, institution_id, kind, start_date,"
					  " end_date, reason, region_code, department, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, k->id);
	store_bind_int64(st, 2, k->user);
	store_bind_int64(st, 3, k->institution);
	store_bind_text(st, 4, k->kind, -1);
	store_bind_text(st, 5, k->start_date, -1);
	store_bind_text(st, 6, k->end_date, -1);
	store_bind_text(st, 7, k->reason, -1);
	store_bind_text(st, 8, k->region, -1);
	store_bind_text(st, 9, k->department, -1);
	store_bind_int64(st, 10, yj_now_ms());
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* ---- risk signals ---- */

int insp_signals_page(store_conn *c, const yj_scope *sc, int64_t after, int limit, json_t **items, json_t **next)
{
	yj_qb *q = yj_q_select(&insp_signals_t, "subject_id, complaints, credit_grade, updated_at, actor", sc);
	yj_q_where(q, "subject_id > ?");
	yj_q_int(q, after);
	yj_q_tail(q, "ORDER BY subject_id LIMIT ?");
	yj_q_int(q, limit + 1);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	json_t *a = json_array(), *nx = json_null();
	int rc, n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (++n > limit) {
			json_decref(nx);
			nx = yj_cursor_json(json_string_value(json_object_get(json_array_get(a, (size_t)limit - 1), "subject_id")));
			break;
		}
		json_array_append_new(a, json_pack("{s:o, s:I, s:o, s:I, s:o}", "subject_id", yj_json_id(store_col_int64(st, 0)),
						   "complaints", (json_int_t)store_col_int64(st, 1), "credit_grade",
						   insp_text(st, 2), "updated_at", (json_int_t)store_col_int64(st, 3), "actor",
						   insp_text(st, 4)));
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

int insp_signal_put(store_conn *c, int64_t subject, const char *region, int64_t complaints, const char *grade,
		    const char *actor)
{
	store_stmt *st = store_prepare(c, "DELETE FROM subject_signals WHERE subject_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, subject);
	int rc = store_step(st);
	store_finalize(st);
	st = rc < 0 ? NULL
		    : store_prepare(c, "INSERT INTO subject_signals (subject_id, region_code, complaints, credit_grade, updated_at,"
				       " actor) VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return rc < 0 ? rc : ST_ERR;
	store_bind_int64(st, 1, subject);
	store_bind_text(st, 2, region, -1);
	store_bind_int64(st, 3, complaints);
	store_bind_text(st, 4, grade, -1);
	store_bind_int64(st, 5, yj_now_ms());
	store_bind_text(st, 6, actor, -1);
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}
