/* import_store.c — the import's batch probes (import_int.h): the records of a batch of natural keys
 * in two queries — their ids, versions and regions, then the stored records the caller may see — so
 * the check asks the database once per batch for each, instead of once or twice per row. */
#define _POSIX_C_SOURCE 200809L
#include "import_int.h"
#include "reg_int.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>

/* The records of the probed ids that scope sc shows, as yj_reg_load reads them, appended to their
 * hits ([id, version, region] → [id, version, region, record]); byid maps each id's text to its hit. */
static int load_records(store_conn *c, const reg_kind *k, const yj_scope *sc, json_t *byid)
{
	size_t n = json_object_size(byid);
	if (!n)
		return ST_OK;
	yj_buf cond = YJ_BUF_INIT;
	yj_buf_puts(&cond, "id IN (");
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(&cond, i ? ", ?" : "?");
	yj_buf_puts(&cond, ")");
	yj_table t;
	yj_reg_table(k, &t);
	yj_qb *q = yj_q_select(&t, yj_reg_columns(k), sc);
	yj_q_where(q, cond.data);
	yj_buf_free(&cond);
	const char *ids;
	json_t *hit;
	json_object_foreach(byid, ids, hit)
		yj_q_int(q, (int64_t)json_integer_value(json_array_get(hit, 0)));
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *rec = yj_reg_row(k, st);
		hit = json_object_get(byid, json_string_value(json_object_get(rec, "id")));
		if (hit)
			json_array_append_new(hit, rec);
		else
			json_decref(rec);
	}
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}

int yj_import_probe_keys(store_conn *c, const reg_kind *k, const yj_scope *sc, const char *const *keys, size_t n,
			 json_t *found)
{
	if (!n)
		return ST_OK;
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_printf(&sql, "SELECT %s, id, version, %s FROM %s WHERE %s IN (", k->key_field, k->region_field, k->table,
		      k->key_field);
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", ?" : "?");
	yj_buf_puts(&sql, ")");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	for (size_t i = 0; i < n; i++)
		store_bind_text(st, (int)i + 1, keys[i], -1);
	json_t *byid = json_object(); /* borrowed hits by id */
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		const char *key = store_col_text(st, 0), *region = store_col_text(st, 3);
		int64_t id = store_col_int64(st, 1);
		json_t *hit = json_pack("[I, I, s]", (json_int_t)id, (json_int_t)store_col_int64(st, 2), region ? region : "");
		char ids[21];
		yj_id_format(id, ids);
		json_object_set(byid, ids, hit);
		json_object_set_new(found, key ? key : "", hit);
	}
	store_finalize(st);
	rc = rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
	/* Only when a scope is given: without one (a caller of the first form) the rows load one by one. */
	if (rc == ST_OK && sc)
		rc = load_records(c, k, sc, byid);
	json_decref(byid);
	return rc;
}
