/* subjects.c — the registry's side of subject binding (主体绑定, platform/auth/auth.h): which
 * institutions an institution user or a grid member sees, and the lookup of an institution by its
 * credit code when an administrator binds a user. main() registers yj_reg_subject_hooks. */
#include "registry.h"
#include "../platform/auth/auth.h"

#include <stdio.h>

/* The institutions in the grids user_id is a member of, at most YJ_SCOPE_MAX_SUBJECTS by id. */
static int grid_subjects(store_conn *c, int64_t user_id, yj_scope *sc)
{
	store_stmt *st = store_prepare(c, "SELECT i.id FROM grid_members m JOIN institutions i ON i.grid_id = m.grid_id"
					  " WHERE m.user_id = ? ORDER BY i.id LIMIT ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, user_id);
	store_bind_int64(st, 2, YJ_SCOPE_MAX_SUBJECTS);
	int rc;
	while ((rc = store_step(st)) == ST_ROW && sc->nsubjects < YJ_SCOPE_MAX_SUBJECTS)
		sc->subjects[sc->nsubjects++] = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static int fill(store_conn *c, int64_t user_id, unsigned role_bit, int64_t institution_id, yj_scope *sc)
{
	sc->nsubjects = 0;
	if (role_bit & ROLE_GRID_MEMBER)
		return grid_subjects(c, user_id, sc);
	if (institution_id)
		sc->subjects[sc->nsubjects++] = institution_id;
	return ST_OK;
}

static int find(store_conn *c, const char *credit_code, int64_t *id, char region[16])
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

const yj_subject_hooks yj_reg_subject_hooks = {fill, find};
