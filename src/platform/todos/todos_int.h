/* todos_int.h — shared inside src/platform/todos: the listing request, the store's functions
 * (todos_store.c) and the logic's (todos.c) that the handlers (todos_api.c) use. Not included
 * outside this folder. */
#ifndef YJ_TODOS_INT_H
#define YJ_TODOS_INT_H

#include "todos.h"
#include "../store/query.h"

/* Sort key of a to-do without a due date: after every real day. */
#define TODO_NO_DUE "9999-12-31"

/* Which to-dos a listing reads: those in scope whose addressee is user_id or role (the caller),
 * in state, optionally of one kind and only overdue ones; ordered by due date (none last) then id,
 * so overdue ones come first. after_due/after_id: the keyset cursor (after_due NULL on the first
 * page). limit ≤ 0 reads every row (export). All strings are borrowed. */
typedef struct todo_query {
	const yj_scope *scope;
	int64_t user_id;
	const char *role;
	const char *state;
	const char *kind;
	int overdue_only;
	const char *today;
	const char *after_due;
	int64_t after_id;
	int limit;
} todo_query;

/* ---- todos.c: rules, no SQL or HTTP ---- */
/* NULL when t may be put, else the name of the first field that breaks the rules (static). */
const char *todo_invalid(const yj_todo *t);
/* Whether s is a state name (open, done, cancelled). */
int todo_state_valid(const char *s);
/* Today's calendar day in Asia/Shanghai, into out. */
void todo_today(char out[11]);
/* The cursor key "due|id" of a row (out holds 40 bytes), and its parse: YJ_OK or YJ_ERR. */
void todo_cursor_key(const char *due, int64_t id, char out[40]);
int todo_cursor_parse(const char *key, char due[11], int64_t *id);

/* ---- todos_store.c: SQL ---- */
/* Insert or update by (kind, object) and replace the addressees; see yj_todo_put. */
int todo_store_put(store_conn *c, const yj_todo *t, int64_t now);
/* Sets state on the open to-do (kind, object); none matching is ST_OK. */
int todo_store_close(store_conn *c, const char *kind, const char *object_type, int64_t object_id, const char *state,
		     int64_t now);
/* The listing statement (LIMIT limit + 1 when limit > 0); caller finalizes; NULL on failure. */
store_stmt *todo_store_list(store_conn *c, const todo_query *q);
/* The current row of a listing statement as JSON (new reference); *due and *id receive its
 * cursor position (due points into the statement's row: copy it before the next step). */
json_t *todo_store_row(store_stmt *st, const char *today, const char **due, int64_t *id);
/* Open to-dos of the caller by kind: {total, overdue, kinds: [{kind, label, count, overdue}]}
 * (q's state, kind, cursor and limit are ignored). *out is a new reference. */
int todo_store_counts(store_conn *c, const todo_query *q, json_t **out);

#endif
