/* subjects_store.c — the SQL of subject binding (subjects.c): the institutions in a grid member's
 * grids, and an institution found by its credit code. Declared in reg_int.h. */
#include "reg_int.h"

#include <stdio.h>

int reg_grid_subject_ids(store_conn *c, int64_t user_id, int64_t *ids, int cap, int *n)
{
	store_stmt *st = store_prepare(c, "SELECT i.id FROM grid_members m JOIN institutions i ON i.grid_id = m.grid_id"
					  " WHERE m.user_id = ? ORDER BY i.id LIMIT ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, user_id);
	store_bind_int64(st, 2, (int64_t)cap);
	int rc;
	while ((rc = store_step(st)) == ST_ROW && *n < cap)
		ids[(*n)++] = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int reg_institution_by_credit_code(store_conn *c, const char *credit_code, int64_t *id, char region[16])
{
	store_stmt *st = store_prepare(c, "SELECT id, region_code FROM institutions WHERE credit_code = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, credit_code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*id = store_col_int64(st, 0);
		snprintf(region, 16, "%s", store_col_text(st, 1));
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}
