/* joint_int.h — what the files of joint work share: joint.c (the rules and the writes), joint_store.c (the
 * SQL) and joint_api.c (the routes). json_t * results are the caller's to release; strings and bodies
 * passed in are borrowed. */
#ifndef YJ_JOINT_INT_H
#define YJ_JOINT_INT_H

#include "cmp_int.h"

/* Rows as their JSON (yj_row_fn): an action, a meeting (without its tasks), a meeting's task (with overdue). */
json_t *jnt_action_json(store_stmt *st, void *arg);
json_t *jnt_meeting_json(store_stmt *st, void *arg);
json_t *jnt_task_json(store_stmt *st, void *arg);
/* The record id in scope sc into *out (replacing it): ST_OK, ST_NOTFOUND or a failure. */
int jnt_action_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
int jnt_task_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* The meeting with its decisions (every task, whoever owns it: the meeting's readers follow them). */
int jnt_meeting_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* As jnt_meeting_load, and also a meeting one of whose decisions sc's department owns (its to-do links there). */
int jnt_meeting_load_as_party(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);

/* The action id of department planned from body b ({region_code, title, plan, planned_on}), participants
 * the JSON text of the departments' codes. */
int jnt_action_insert(store_conn *c, int64_t id, const char *department, const json_t *b, const char *participants,
		      const char *actor, int64_t now);
int jnt_action_set_result(store_conn *c, int64_t id, const char *result, const char *done_on);
/* The meeting id of department in region from body b ({title, held_on, minutes}), attendees as JSON text. */
int jnt_meeting_insert(store_conn *c, int64_t id, const char *region, const char *department, const json_t *b,
		       const char *attendees, const char *actor, int64_t now);
/* The decision d ({decision, owner_department, due_on}) of meeting mid as task tid. */
int jnt_task_insert(store_conn *c, int64_t tid, int64_t mid, const char *region, const json_t *d);
int jnt_task_set_done(store_conn *c, int64_t task, const char *result, const char *today, const char *actor);

/* The yearly target of region: the row of the longest prefix of its code (330302 → 330300), else 1. */
int jnt_target_of(store_conn *c, const char *region, int64_t *target);
/* The actions in scope sc within region planned from from to to (YYYY-MM-DD), done and not yet done. */
int jnt_action_counts(store_conn *c, const yj_scope *sc, const char *region, const char *from, const char *to, int64_t *done,
		      int64_t *planned);

/* The lists' queries in scope sc: state, year (four digits, of the kind's day; ignored for tasks) and region
 * when given ("" or NULL: any); the caller runs them. */
typedef enum { JNT_ACTIONS, JNT_MEETINGS, JNT_TASKS } jnt_kind;
yj_qb *jnt_query(jnt_kind kind, const yj_scope *sc, const char *state, const char *year, const char *region);

/* The writes (joint.c), run by joint_api.c and the seed. */
int jnt_action_create_tx(store_conn *c, void *op);
int jnt_action_result_tx(store_conn *c, void *op);
int jnt_meeting_create_tx(store_conn *c, void *op);
int jnt_task_done_tx(store_conn *c, void *op);

#endif
