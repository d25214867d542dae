/* scope.h — a caller's territory (属地) and department remit, and the one place that turns them
 * into SQL predicates. Every read or write of a scoped table goes through the query builder in
 * store/query.h, which appends these predicates; handlers never write them by hand. */
#ifndef YJ_SCOPE_H
#define YJ_SCOPE_H

#include <stdint.h>

#define YJ_SCOPE_MAX_DEPTS 16
/* A subject-bound caller sees at most this many subjects; a grid member whose grids hold more sees
 * the first ones by id (fail closed: never more than the set). */
#define YJ_SCOPE_MAX_SUBJECTS 512

typedef struct yj_scope {
	int unrestricted;	       /* system jobs and the CLI: no predicate */
	char region_prefix[16];	       /* "3303" for 温州市 (330300): rows whose region code starts so */
	int all_departments;	       /* remit '*' */
	int ndepts;
	char depts[YJ_SCOPE_MAX_DEPTS][32]; /* departments whose rows are visible */
	/* The optional subject set (主体绑定): an institution user is bound to its institution, a grid
	 * member to the subjects of its grids. When subject_bound, a scoped table's rows are visible only
	 * through the table's subject condition (see yj_table in store/query.h), on top of territory and
	 * remit; a table without one shows such a caller nothing. subjects are institution ids, filled
	 * by the hook the registry registers (auth.h, yj_subject_hooks). */
	int subject_bound;
	int nsubjects;
	int64_t subjects[YJ_SCOPE_MAX_SUBJECTS];
} yj_scope;

/* Builds a scope from a user's region code and the remit of their department (a comma-separated
 * list of department codes or '*'). */
void yj_scope_init(yj_scope *sc, const char *region_code, const char *department, const char *remit);
void yj_scope_unrestricted(yj_scope *sc);
/* The subtree prefix of a GB/T 2260 code: 330000→"33", 330300→"3303", 330302→"330302", 9-digit codes as they are. */
void yj_region_prefix(const char *code, char out[16]);
/* True when a row with this region (and department, NULL when the table has none) is in scope. A
 * subject-bound scope allows nothing here (it cannot tell the row's subject): use
 * yj_scope_allows_subject where the subject is known. */
int yj_scope_allows(const yj_scope *sc, const char *region_code, const char *department);
/* As yj_scope_allows, for a row that belongs to the subject (institution) subject_id. */
int yj_scope_allows_subject(const yj_scope *sc, const char *region_code, const char *department, int64_t subject_id);
/* True when sc is not subject-bound, or subject_id is in its subject set. */
int yj_scope_has_subject(const yj_scope *sc, int64_t subject_id);

#endif
