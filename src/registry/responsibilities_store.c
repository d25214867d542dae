/* responsibilities_store.c — the SQL of the responsibility lists (权责清单) behind
 * responsibilities_api.c: the filtered list in list order with its key cursor, one duty, and the
 * writes. Department names come from the platform (regions.h). */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/id.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLS "r.id, r.department, r.seq, r.duty, r.source, r.updated_at"
#define KEY_SEP "\x1f"

/* A department's name from the platform (regions.h), remembered in names (code → name) for the rest
 * of the request: a list names a few dozen departments over thousands of rows. */
static const char *dept_name(store_conn *c, json_t *names, const char *code)
{
	json_t *v = json_object_get(names, code);
	if (!v) {
		char name[128] = "";
		yj_department_name(c, code, name, sizeof name);
		v = json_string(name);
		json_object_set_new(names, code, v);
	}
	return json_string_value(v);
}

json_t *reg_resp_row(store_conn *c, json_t *names, store_stmt *st)
{
	char ids[21];
	yj_id_format(store_col_int64(st, 0), ids);
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:I}", "id", ids, "department", store_col_text(st, 1),
			 "department_name", dept_name(c, names, store_col_text(st, 1)), "seq",
			 (json_int_t)store_col_int64(st, 2), "duty", store_col_text(st, 3), "source", store_col_text(st, 4),
			 "updated_at", (json_int_t)store_col_int64(st, 5));
}

/* The lists are public organisational facts: every signed-in user reads all of them (no scope). The rows in
 * list order (source, department, seq, id); with key (the cursor: those four of the last row seen,
 * joined by KEY_SEP) only the rows after it, and at most limit rows when limit > 0. NULL on a store
 * failure or a malformed key (*bad set). */
store_stmt *reg_resp_query(store_conn *c, const char *dept, const char *duty, const char *src, const char *key,
			   int limit, int *bad)
{
	char *k[4] = {NULL, NULL, NULL, NULL}, *copy = key ? yj_strdup(key) : NULL;
	int nk = 0;
	for (char *p = copy; p && nk < 4; nk++) { /* fields may be empty: split by hand */
		k[nk] = p;
		p = strchr(p, KEY_SEP[0]);
		if (p)
			*p++ = '\0';
	}
	*bad = copy && (nk != 4 || strchr(k[3], KEY_SEP[0]));
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT " COLS " FROM responsibilities r WHERE 1=1");
	if (dept && *dept)
		yj_buf_puts(&sql, " AND r.department = ?");
	if (duty && *duty)
		yj_buf_puts(&sql, " AND r.duty LIKE ?");
	if (src && *src)
		yj_buf_puts(&sql, " AND r.source LIKE ?");
	if (copy)
		yj_buf_puts(&sql, " AND (r.source, r.department, r.seq, r.id) > (?, ?, ?, ?)");
	yj_buf_puts(&sql, " ORDER BY r.source, r.department, r.seq, r.id");
	if (limit > 0)
		yj_buf_puts(&sql, " LIMIT ?");
	store_stmt *st = *bad ? NULL : store_prepare(c, sql.data);
	yj_buf_free(&sql);
	int i = 1;
	if (st && dept && *dept)
		store_bind_text(st, i++, dept, -1);
	char *pat = NULL;
	if (st && duty && *duty) {
		pat = yj_asprintf("%%%s%%", duty);
		store_bind_text(st, i++, pat, -1);
		free(pat);
	}
	if (st && src && *src) {
		pat = yj_asprintf("%%%s%%", src);
		store_bind_text(st, i++, pat, -1);
		free(pat);
	}
	if (st && copy) {
		int64_t seq = 0, id = 0;
		store_bind_text(st, i++, k[0], -1);
		store_bind_text(st, i++, k[1], -1);
		*bad = yj_id_parse(k[3], &id) < 0 || (seq = strtoll(k[2], NULL, 10)) < 0;
		store_bind_int64(st, i++, seq);
		store_bind_int64(st, i++, id);
	}
	if (st && limit > 0)
		store_bind_int64(st, i++, limit);
	free(copy);
	if (st && *bad) {
		store_finalize(st);
		st = NULL;
	}
	return st;
}

void reg_resp_key(store_stmt *st, char key[512])
{
	snprintf(key, 512, "%s" KEY_SEP "%s" KEY_SEP "%lld" KEY_SEP "%lld", store_col_text(st, 4), store_col_text(st, 1),
		 (long long)store_col_int64(st, 2), (long long)store_col_int64(st, 0));
}

int reg_resp_load(store_conn *c, int64_t id, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT " COLS " FROM responsibilities r WHERE r.id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	json_t *names = json_object();
	if (rc == ST_ROW)
		*out = reg_resp_row(c, names, st);
	json_decref(names);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int reg_resp_next_seq(store_conn *c, const char *dept, int64_t *seq)
{
	return store_query_int64(c, "SELECT COALESCE(MAX(seq), 0) + 1 FROM responsibilities WHERE department = ?", dept, seq);
}

int reg_resp_insert(store_conn *c, int64_t id, const char *dept, int64_t seq, const char *duty, const char *source,
		    int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO responsibilities (id, department, seq, duty, source, updated_at)"
					  " VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, dept, -1);
	store_bind_int64(st, 3, seq);
	store_bind_text(st, 4, duty, -1);
	store_bind_text(st, 5, source, -1);
	store_bind_int64(st, 6, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int reg_resp_update(store_conn *c, int64_t id, const json_t *body, int64_t now)
{
	json_t *v;
	static const yj_table t = {"responsibilities", NULL, NULL, NULL};
	yj_scope all;
	yj_scope_unrestricted(&all); /* not a territorial table; the route admits administrators only */
	yj_qb *q = yj_q_update(&t, &all);
	if ((v = json_object_get(body, "duty")) && json_is_string(v))
		yj_q_set_text(q, "duty", json_string_value(v));
	if ((v = json_object_get(body, "source")) && json_is_string(v))
		yj_q_set_text(q, "source", json_string_value(v));
	if ((v = json_object_get(body, "seq")) && json_is_integer(v))
		yj_q_set_int(q, "seq", json_integer_value(v));
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

int reg_resp_delete(store_conn *c, int64_t id)
{
	store_stmt *st = store_prepare(c, "DELETE FROM responsibilities WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}
