/* subject_summary.c — the registry's answer to other capabilities that need a subject's name, code or
 * territory (inspection's tasks, conflicts of interest) or the directory a draw picks from: read
 * here, through the registry's own scoped table, so no other module names the institutions table;
 * and the territory of an institution that a practitioner or a filing takes (reg_int.h). */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/id.h"

#include <stdio.h>

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

int yj_subject_summary_get(store_conn *c, const yj_scope *sc, int64_t id, yj_subject_summary *out)
{
	yj_table t;
	yj_reg_table(&yj_institution_kind, &t);
	yj_qb *q = yj_q_select(&t, "name, credit_code, region_code, state", sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		out->id = id;
		copy(out->name, sizeof out->name, store_col_text(st, 0));
		copy(out->credit_code, sizeof out->credit_code, store_col_text(st, 1));
		copy(out->region_code, sizeof out->region_code, store_col_text(st, 2));
		copy(out->state, sizeof out->state, store_col_text(st, 3));
	}
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int yj_subject_kind_valid(const char *kind)
{
	return yj_reg_kind_named(kind) != NULL;
}

int yj_subject_get(store_conn *c, const yj_scope *sc, const char *kind, int64_t id, yj_subject_summary *out)
{
	const reg_kind *k = yj_reg_kind_named(kind);
	if (!k)
		return ST_NOTFOUND;
	if (k == &yj_institution_kind)
		return yj_subject_summary_get(c, sc, id, out);
	json_t *rec = NULL;
	int rc = yj_reg_load(c, k, sc, id, &rec);
	if (rc != ST_OK)
		return rc;
	out->id = id;
	copy(out->name, sizeof out->name, json_string_value(json_object_get(rec, k->name_field)));
	copy(out->credit_code, sizeof out->credit_code, json_string_value(json_object_get(rec, k->key_field)));
	copy(out->region_code, sizeof out->region_code, json_string_value(json_object_get(rec, k->region_field)));
	copy(out->state, sizeof out->state, json_string_value(json_object_get(rec, "state")));
	json_decref(rec);
	return ST_OK;
}

/* The active records of another kind in the subtree whose codes begin like pat, for the directory. */
static int other_kind(store_conn *c, const reg_kind *k, const char *pat,
		      int (*each)(void *ctx, const yj_subject_entry *e), void *ctx)
{
	yj_table t;
	yj_reg_table(k, &t);
	yj_scope all;
	yj_scope_unrestricted(&all);
	yj_qb *q = yj_q_select(&t, "id, credit_code, name, region_code, created_at", &all);
	yj_q_where(q, "state = 'active' AND region_code LIKE ?");
	yj_q_text(q, pat);
	yj_q_tail(q, "ORDER BY id");
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		yj_subject_entry e = {store_col_int64(st, 0), store_col_text(st, 1), store_col_text(st, 2), k->type,
				      store_col_text(st, 3), store_col_int64(st, 4), k->type};
		int r = each(ctx, &e);
		if (r < 0) {
			rc = r;
			break;
		}
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int yj_subject_directory(store_conn *c, const char *region, const json_t *types,
			 int (*each)(void *ctx, const yj_subject_entry *e), void *ctx)
{
	yj_table t;
	yj_reg_table(&yj_institution_kind, &t);
	yj_scope all;
	yj_scope_unrestricted(&all);
	char pat[24], p[16];
	yj_region_prefix(region, p);
	snprintf(pat, sizeof pat, "%s%%", p);
	yj_qb *q = yj_q_select(&t, "id, credit_code, name, type, region_code, created_at", &all);
	yj_q_where(q, "state = 'active' AND region_code LIKE ?");
	yj_q_text(q, pat);
	yj_buf in = YJ_BUF_INIT;
	yj_buf_puts(&in, "type IN (''");
	for (size_t i = 0; i < json_array_size(types); i++)
		yj_buf_puts(&in, ", ?");
	yj_buf_puts(&in, ")");
	yj_q_where(q, in.data);
	yj_buf_free(&in);
	for (size_t i = 0; i < json_array_size(types); i++)
		yj_q_text(q, json_string_value(json_array_get(types, i)));
	yj_q_tail(q, "ORDER BY id");
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		yj_subject_entry e = {store_col_int64(st, 0), store_col_text(st, 1), store_col_text(st, 2),
				      store_col_text(st, 3), store_col_text(st, 4), store_col_int64(st, 5), "institution"};
		int r = each(ctx, &e);
		if (r < 0) {
			rc = r;
			break;
		}
	}
	store_finalize(st);
	for (size_t i = 0; rc >= 0 && i < json_array_size(types); i++) {
		const reg_kind *k = yj_reg_kind_named(json_string_value(json_array_get(types, i)));
		if (k && k != &yj_institution_kind && k != &yj_practitioner_kind)
			rc = other_kind(c, k, pat, each, ctx);
	}
	return rc < 0 ? rc : ST_OK;
}

int yj_subject_names(store_conn *c, const int64_t *ids, size_t n, json_t *names)
{
	return yj_q_names_by_id(c, "SELECT id, name FROM institutions WHERE id IN (", ids, n, names);
}

int reg_institution_region(store_conn *c, int64_t id, char region[16])
{
	region[0] = '\0';
	if (reg_memo_region(&yj_institution_kind, id, region) > 0) /* an import's batch probed it */
		return ST_OK;
	store_stmt *st = store_prepare(c, "SELECT region_code FROM institutions WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW)
		snprintf(region, 16, "%s", store_col_text(st, 0));
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}
