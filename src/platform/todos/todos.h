/* todos.h — the to-do inbox (待办): every capability puts the work it creates into one inbox, addressed
 * to users or to a role within a territory and department, about one object, with a due date; the
 * capability opens and closes its to-dos inside the same transaction as the change that causes them.
 * GET /api/v1/todos lists the caller's. Platform knows no capability: kinds and labels come from the
 * callers. Strings passed in are copied; nothing returned needs freeing unless said so. */
#ifndef YJ_TODOS_H
#define YJ_TODOS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/http.h"
#include "../store/store.h"

/* One to-do as a capability puts it. kind is "<capability>.<what>" ("inspection.task"); the pair
 * (kind, object_type + object_id) is its identity, so a retried put changes nothing. */
typedef struct yj_todo {
	const char *kind;	 /* "inspection.task": [a-z0-9_.], 1–64 characters */
	const char *kind_label;	 /* Chinese name of the kind for navigation badges: "检查任务" */
	const char *title;	 /* Chinese, one line: "检查任务：某某诊所（日常巡查）" */
	const char *object_type; /* "inspection_task" */
	int64_t object_id;
	const char *link;	 /* console path of the object: "/inspection/tasks/123" */
	const char *due_date;	 /* 'YYYY-MM-DD' (Asia/Shanghai), or NULL when there is none */
	const char *region_code; /* territory of the object: scope of every reader */
	const char *department;	 /* department of the object: scope of every reader */
	/* Addressees: the users (ids, nusers ≥ 1), or else every holder of role (a role name of
	 * auth.h, "leader") whose scope covers region_code and department. Exactly one of the two. */
	const int64_t *users;
	size_t nusers;
	const char *role;
} yj_todo;

/* States. A to-do is open until the change that settles it marks it done (the work was done) or
 * cancelled (the work is no longer needed). */
#define YJ_TODO_OPEN "open"
#define YJ_TODO_DONE "done"
#define YJ_TODO_CANCELLED "cancelled"

/* Puts a to-do inside the caller's write transaction on c (store_tx). When (kind, object) exists,
 * its title, link, due date, territory and addressees are replaced and its state is left as it
 * is (a closed to-do stays closed: a retry does not reopen it). Returns ST_OK, ST_ERR for a to-do
 * that breaks the rules above (a programming error: the message names the field), or a store
 * failure (ST_RETRY is retried by store_tx). */
int yj_todo_put(store_conn *c, const yj_todo *t);

/* Closes the open to-do (kind, object) as state (YJ_TODO_DONE or YJ_TODO_CANCELLED) inside the
 * caller's transaction. Closing a to-do that is absent or already closed changes nothing and
 * returns ST_OK, so retries and objects older than the inbox are fine. */
int yj_todo_close(store_conn *c, const char *kind, const char *object_type, int64_t object_id, const char *state);

/* Routes: GET /api/v1/todos, /api/v1/todos/counts, /api/v1/todos/export. */
extern const yj_route yj_todo_routes[];

#endif
