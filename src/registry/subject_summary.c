/* subject_summary.c — the registry's answer to other capabilities that need a subject's name, code or
 * territory (inspection's tasks, conflicts of interest): read here, through the registry's own
 * scoped table, so no other module names the institutions table. */
#define _POSIX_C_SOURCE 200809L
#include "registry.h"
#include "record.h"
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

#define NAMES_CHUNK 500

static int names_chunk(store_conn *c, const int64_t *ids, size_t n, json_t *names)
{
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT id, name FROM institutions WHERE id IN (");
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", ?" : "?");
	yj_buf_puts(&sql, ")");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	for (size_t i = 0; i < n; i++)
		store_bind_int64(st, (int)i + 1, ids[i]);
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		char key[21];
		yj_id_format(store_col_int64(st, 0), key);
		json_object_set_new(names, key, json_string(store_col_text(st, 1) ? store_col_text(st, 1) : ""));
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int yj_subject_names(store_conn *c, const int64_t *ids, size_t n, json_t *names)
{
	for (size_t at = 0; at < n; at += NAMES_CHUNK) {
		int rc = names_chunk(c, ids + at, n - at < NAMES_CHUNK ? n - at : NAMES_CHUNK, names);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}
