/* regions_read.c — what other capabilities read of the organisation model (regions, departments):
 * whether a code exists, and names to show — so no other module names those tables in its SQL. */
#define _POSIX_C_SOURCE 200809L
#include "registry.h"

#include <stdio.h>

int yj_region_exists(store_conn *c, const char *code)
{
	int64_t n = 0;
	int rc = store_query_int64(c, "SELECT COUNT(*) FROM regions WHERE code = ?", code, &n);
	return rc < 0 ? rc : n > 0;
}

#define CODES_CHUNK 500

static int region_names_chunk(store_conn *c, const char *const *codes, size_t n, json_t *names)
{
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT code, name FROM regions WHERE code IN (");
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", ?" : "?");
	yj_buf_puts(&sql, ")");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	for (size_t i = 0; i < n; i++)
		store_bind_text(st, (int)i + 1, codes[i], -1);
	int rc;
	while ((rc = store_step(st)) == ST_ROW)
		json_object_set_new(names, store_col_text(st, 0), json_string(store_col_text(st, 1) ? store_col_text(st, 1) : ""));
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int yj_region_names(store_conn *c, const char *const *codes, size_t n, json_t *names)
{
	for (size_t at = 0; at < n; at += CODES_CHUNK) {
		int rc = region_names_chunk(c, codes + at, n - at < CODES_CHUNK ? n - at : CODES_CHUNK, names);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

int yj_department_name(store_conn *c, const char *code, char *name, size_t cap)
{
	store_stmt *st = store_prepare(c, "SELECT name FROM departments WHERE code = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW)
		snprintf(name, cap, "%s", store_col_text(st, 0) ? store_col_text(st, 0) : "");
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}
