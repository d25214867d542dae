/* import_store.c — the import's batch probes (import_int.h): the records of a batch of natural keys
 * in one query, so the check asks the database once per batch instead of once per row. */
#define _POSIX_C_SOURCE 200809L
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>

int yj_import_probe_keys(store_conn *c, const reg_kind *k, const char *const *keys, size_t n, json_t *found)
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
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		const char *key = store_col_text(st, 0), *region = store_col_text(st, 3);
		json_object_set_new(found, key ? key : "",
				    json_pack("[I, I, s]", (json_int_t)store_col_int64(st, 1),
					      (json_int_t)store_col_int64(st, 2), region ? region : ""));
	}
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}
