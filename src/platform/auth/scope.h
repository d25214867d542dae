/* scope.h — a caller's territory (属地) and department remit, and the one place that turns them
 * into SQL predicates. Every read or write of a scoped table goes through the query builder in
 * store/query.h, which appends these predicates; handlers never write them by hand. */
#ifndef YJ_SCOPE_H
#define YJ_SCOPE_H

#define YJ_SCOPE_MAX_DEPTS 16

typedef struct yj_scope {
	int unrestricted;	       /* system jobs and the CLI: no predicate */
	char region_prefix[16];	       /* "3303" for 温州市 (330300): rows whose region code starts so */
	int all_departments;	       /* remit '*' */
	int ndepts;
	char depts[YJ_SCOPE_MAX_DEPTS][32]; /* departments whose rows are visible */
} yj_scope;

/* Builds a scope from a user's region code and the remit of their department (a comma-separated
 * list of department codes or '*'). */
void yj_scope_init(yj_scope *sc, const char *region_code, const char *department, const char *remit);
void yj_scope_unrestricted(yj_scope *sc);
/* The subtree prefix of a GB/T 2260 code: 330000→"33", 330300→"3303", 330302→"330302", 9-digit codes as they are. */
void yj_region_prefix(const char *code, char out[16]);
/* True when a row with this region (and department, NULL when the table has none) is in scope. */
int yj_scope_allows(const yj_scope *sc, const char *region_code, const char *department);

#endif
