/* grid_read.c — what other capabilities read of grids (网格): the grid a subject belongs to, and every
 * grid of a territory with its number of subjects (grid patrols in src/complaints). The SQL stays here,
 * with the tables' owner; callers go through registry.h. */
#include "registry.h"

#include <stdio.h>

static void fill(store_stmt *st, yj_grid_ref *g)
{
	g->id = store_col_int64(st, 0);
	snprintf(g->code, sizeof g->code, "%s", store_col_text(st, 1));
	snprintf(g->name, sizeof g->name, "%s", store_col_text(st, 2));
	snprintf(g->region_code, sizeof g->region_code, "%s", store_col_text(st, 3));
}

int yj_reg_subject_grid(store_conn *c, int64_t subject_id, yj_grid_ref *out)
{
	store_stmt *st = store_prepare(c, "SELECT g.id, g.code, g.name, g.region_code FROM institutions i JOIN grids g ON g.id = i.grid_id"
					  " WHERE i.id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, subject_id);
	int rc = store_step(st);
	if (rc == ST_ROW)
		fill(st, out);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc < 0 ? rc : ST_NOTFOUND;
}

int yj_reg_grids_each(store_conn *c, const char *region, int (*fn)(const yj_grid_ref *g, int64_t nsubjects, void *arg), void *arg)
{
	/* a prefix of the code: 330302 covers its towns' 9-digit codes (trailing zero pairs dropped) */
	char prefix[20];
	size_t n = snprintf(prefix, sizeof prefix - 1, "%s", region);
	while (n > 2 && prefix[n - 1] == '0' && prefix[n - 2] == '0')
		n -= 2;
	prefix[n] = '%';
	prefix[n + 1] = '\0';
	store_stmt *st = store_prepare(c, "SELECT g.id, g.code, g.name, g.region_code, (SELECT COUNT(*) FROM institutions i"
					  " WHERE i.grid_id = g.id) FROM grids g WHERE g.region_code LIKE ? ORDER BY g.code");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, prefix, -1);
	int rc;
	yj_grid_ref g;
	while ((rc = store_step(st)) == ST_ROW) {
		fill(st, &g);
		if ((rc = fn(&g, store_col_int64(st, 4), arg)) < 0)
			break;
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}
