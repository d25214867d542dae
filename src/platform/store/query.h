/* query.h — the scoped query builder. A table declares which of its columns carry the territory
 * and the department; every statement built here on such a table carries the caller's scope
 * predicate, so a county user can neither read nor change a neighbour's rows whatever the
 * handler asks. This is the single place scope is enforced. */
#ifndef YJ_QUERY_H
#define YJ_QUERY_H

#include "store.h"
#include "../auth/scope.h"

#include <jansson.h>

typedef struct yj_table {
	const char *name;
	const char *region_col; /* column holding a GB/T 2260 code, or NULL (unscoped table) */
	const char *dept_col;	/* column holding a department code, or NULL */
	/* For a subject-bound caller (scope.h): an SQL condition that holds when the row belongs to one
	 * of the caller's subjects, with the subject set written {S} (expanded to "?, ?, …" bound to the
	 * institution ids; it may appear several times), e.g. "institution_id IN ({S})". NULL: the rows
	 * belong to no subject, and a subject-bound caller sees none of them if the table is scoped
	 * (region_col or dept_col set). "1=1" marks reference data every caller may read. */
	const char *subject_cond;
} yj_table;

typedef struct yj_qb yj_qb;

/* "SELECT columns FROM table WHERE <scope>"; add conditions with yj_q_where, then yj_q_tail. */
yj_qb *yj_q_select(const yj_table *t, const char *columns, const yj_scope *sc);
/* "UPDATE table SET <yj_q_set…> WHERE <scope> AND …". */
yj_qb *yj_q_update(const yj_table *t, const yj_scope *sc);
/* "DELETE FROM table WHERE <scope> AND …". */
yj_qb *yj_q_delete(const yj_table *t, const yj_scope *sc);

/* Appends "col = ?" to the SET list (update only) and binds the value. */
void yj_q_set_text(yj_qb *q, const char *col, const char *v);
void yj_q_set_int(yj_qb *q, const char *col, int64_t v);
/* Appends " AND (cond)"; cond's `?` are bound by the yj_q_text/yj_q_int calls that follow, in order. */
void yj_q_where(yj_qb *q, const char *cond);
void yj_q_text(yj_qb *q, const char *v);
void yj_q_int(yj_qb *q, int64_t v);
/* Appends " AND col in the subtree of the GB/T 2260 code" (a range, so an index serves it). */
void yj_q_region(yj_qb *q, const char *col, const char *code);
/* A keyword search of several words ("鹿城 中医"): text split at spaces, tabs and the ideographic
 * space (U+3000), up to 4 words; for each, " AND (cond)" with its nbind `?` all bound to "%word%",
 * so every word must match somewhere. Nothing is added for a blank text. */
void yj_q_words(yj_qb *q, const char *cond, int nbind, const char *text);
/* The same search over several columns, as the header's global search asks lists: for each word,
 * " AND (c1 LIKE ? OR c2 LIKE ? …)" over the text columns cols (NULL-terminated) with "%word%", the
 * word's %, _ and \ taken literally; when the word is an id (decimal digits) and id_cols (NULL-
 * terminated, or NULL) is given, "OR id_col = ?" for each of them too, so a case or task number
 * finds its row. Nothing is added for a blank text. */
void yj_q_search(yj_qb *q, const char *const *cols, const char *const *id_cols, const char *text);
/* Appends raw SQL after the WHERE clause (ORDER BY, LIMIT ?); binds follow as with yj_q_where. */
void yj_q_tail(yj_qb *q, const char *sql);

/* Prepares and binds; returns a statement the caller finalizes, or NULL. Frees q either way. A SELECT
 * (but yj_q_one_by_id's and yj_q_plan_once's) is planned with its values at each execution
 * (store_plan_each). */
store_stmt *yj_q_prepare(yj_qb *q, store_conn *c);
/* Marks a SELECT whose every plan is safe, so the engine may keep one plan for all its values (a
 * prepared statement, generic after five executions on PostgreSQL) instead of planning it each time:
 * only for SQL written so that no value can make its plan walk more than it must (its joins fixed by
 * LATERAL ... OFFSET 0, its driving index chosen by its ORDER BY). The registry's name walk
 * (registry/record_names.c) is one. */
void yj_q_plan_once(yj_qb *q);
/* The SQL text built so far (for tests). */
const char *yj_q_sql(const yj_qb *q);
void yj_q_free(yj_qb *q);

/* The one row of table t with this id in scope sc, selecting columns: ST_OK with *out stepped onto
 * the row (the caller reads it and finalizes *out), ST_NOTFOUND when there is none or it is out of
 * scope (the two are not told apart), or a failure (*out NULL). */
int yj_q_one_by_id(store_conn *c, const yj_table *t, const char *columns, const yj_scope *sc, int64_t id,
		   store_stmt **out);

/* Names by key, for showing references without reading another module's table: runs
 * "<select_in>?, ?, …)" over the keys in chunks of 500 and puts column 0 (the key; an int64 id is
 * written in decimal) → column 1 (the name, "" when NULL) into names. select_in is a complete
 * statement up to "IN (", such as "SELECT id, name FROM institutions WHERE id IN (". ST_OK or a failure. */
int yj_q_names_by_id(store_conn *c, const char *select_in, const int64_t *ids, size_t n, json_t *names);
int yj_q_names_by_code(store_conn *c, const char *select_in, const char *const *codes, size_t n, json_t *names);

#endif
