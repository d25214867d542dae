/* opinion_int.h — what the files of public-opinion events share: opinion.c (the rules and the writes),
 * opinion_store.c (the SQL) and opinion_api.c (the routes). json_t * results are the caller's to release;
 * strings and bodies passed in are borrowed. */
#ifndef YJ_OPINION_INT_H
#define YJ_OPINION_INT_H

#include "cmp_int.h"

/* The label of a level (1 特别重大 … 4 一般), "" when none. Static storage. */
const char *opn_level_label(int64_t level);

/* The event id in scope sc with its tasks and timeline into *out (replacing it): ST_OK, ST_NOTFOUND or a failure. */
int opn_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* As opn_load, and also an event one of whose tasks sc's department owns within its territory. */
int opn_load_as_party(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* The task in scope sc into *out (replacing it): ST_OK, ST_NOTFOUND or a failure. */
int opn_task_load(store_conn *c, const yj_scope *sc, int64_t task, json_t **out);
/* A row of opinion_events as its JSON (a yj_row_fn). */
json_t *opn_event_json(store_stmt *st, void *arg);

/* The new event id of department from the registration body b ({region_code, title, kind, level, source,
 * summary, occurred_on}). */
int opn_event_insert(store_conn *c, int64_t id, const char *department, const json_t *b, const char *actor, int64_t now);
/* The task t ({department, task, due_on}) of event id; its new id in *tid. */
int opn_task_insert(store_conn *c, int64_t id, const char *region, const json_t *t, int64_t *tid);
int opn_timeline_add(store_conn *c, int64_t id, const char *department, const char *entry);
int opn_task_done(store_conn *c, int64_t task, const char *result, const char *today);
int opn_event_close(store_conn *c, int64_t id, const char *report, const char *today);
/* The events in scope sc, of state and within region when given ("" or NULL: any); the caller runs it. */
yj_qb *opn_events_query(const yj_scope *sc, const char *state, const char *region);

/* The writes (opinion.c), run by opinion_api.c and the seed. */
int opn_register_tx(store_conn *c, void *op);
int opn_progress_tx(store_conn *c, void *op);
int opn_task_done_tx(store_conn *c, void *op);
int opn_close_tx(store_conn *c, void *op);

#endif
