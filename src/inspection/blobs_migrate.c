/* blobs_migrate.c — the C step of inspection's migration 0006: the base64 contents of the former
 * inspection_blobs (inspection's own table until then) decoded into the platform's content-addressed
 * store (platform/attach), one file in memory at a time; then that table is dropped. */
#define _POSIX_C_SOURCE 200809L
#include "inspection.h"
#include "../base/base.h"
#include "../platform/attach/attach.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The base64 content of one former inspection_blobs row, into chunks (its blobs row was inserted by
 * the migration's SQL). */
static int migrate_one(store_conn *c, const char *hex)
{
	store_stmt *st = store_prepare(c, "SELECT content_b64 FROM inspection_blobs WHERE sha256 = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, hex, -1);
	int rc = store_step(st);
	const char *b64 = rc == ST_ROW ? store_col_text(st, 0) : NULL;
	size_t len = b64 ? strlen(b64) : 0, cap = len / 4 * 3 + 3, n = 0;
	unsigned char *bin = yj_malloc(cap);
	if (!b64 || sodium_base642bin(bin, cap, b64, len, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		rc = rc < 0 ? rc : ST_ERR;
	else
		rc = ST_OK;
	store_finalize(st);
	if (rc >= 0)
		rc = yj_blob_put_chunks(c, hex, bin, n);
	free(bin);
	return rc;
}

int yj_insp_blobs_migrate(store_conn *c)
{
	/* The names first, then each content alone: one file in memory at a time. */
	store_stmt *st = store_prepare(c, "SELECT sha256 FROM inspection_blobs ORDER BY sha256");
	if (!st)
		return ST_ERR;
	char **hexes = NULL;
	size_t n = 0;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		hexes = yj_realloc(hexes, (n + 1) * sizeof *hexes);
		hexes[n++] = yj_strdup(store_col_text(st, 0));
	}
	store_finalize(st);
	for (size_t i = 0; i < n; i++) {
		if (rc >= 0)
			rc = migrate_one(c, hexes[i]);
		free(hexes[i]);
	}
	free(hexes);
	if (rc < 0)
		return rc;
	return store_exec(c, "DROP TABLE inspection_blobs");
}
