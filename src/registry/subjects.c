/* subjects.c — the registry's side of subject binding (主体绑定, platform/auth/auth.h): which
 * institutions an institution user or a grid member sees, and the lookup of an institution by its
 * credit code when an administrator binds a user. main() registers yj_reg_subject_hooks. The SQL
 * is subjects_store.c. */
#include "reg_int.h"
#include "../platform/auth/auth.h"

/* A grid member sees the institutions of its grids (at most YJ_SCOPE_MAX_SUBJECTS, by id); an
 * institution user the one institution it is bound to. */
static int fill(store_conn *c, int64_t user_id, unsigned role_bit, int64_t institution_id, yj_scope *sc)
{
	sc->nsubjects = 0;
	if (role_bit & ROLE_GRID_MEMBER)
		return reg_grid_subject_ids(c, user_id, sc->subjects, YJ_SCOPE_MAX_SUBJECTS, &sc->nsubjects);
	if (institution_id)
		sc->subjects[sc->nsubjects++] = institution_id;
	return ST_OK;
}

const yj_subject_hooks yj_reg_subject_hooks = {fill, reg_institution_by_credit_code};
