/* cmp_int.h — what the complaints module's own files share: its scoped table, the column list of a
 * matter and the store functions over its tables (complaints_store.c). Not included by other modules.
 * json_t * results are new references the caller releases; strings passed in are borrowed. */
#ifndef YJ_CMP_INT_H
#define YJ_CMP_INT_H

#include "complaints.h"
#include "../platform/audit/audit.h"
#include "../platform/calendar/calendar.h"
#include "../platform/events/events.h"
#include "../platform/todos/todos.h"
#include "../base/id.h"

/* The department whose desk registers and dispatches matters, revisits reporters and receives the
 * feedback: the health commission (卫生健康委), whose remit covers every department. */
#define CMP_DESK "health"

extern const yj_table cmp_t; /* complaints: territory region_code, department the unit holding it */

/* Columns of a matter as cmp_row_json reads them (never reporter_sealed). */
#define CMP_COLS                                                                                                   \
	"id, tracking_code, channel, category, title, content, region_code, department, suggested_department,"     \
	" subject_kind, subject_id, subject_name, anonymous, phone_masked, state, paused, pause_reason, paused_on," \
	" merged_into, received_on, dispatched_on, accept_due, accepted_on, handle_due, reply_due, replied_on,"    \
	" feedback_due, fed_back_on, revisit_due, closed_on, reply_text, substantiated, satisfaction,"             \
	" supervise_level, referred_at, external_ref, created_at, updated_at, dispatch_round, address, lat, lng, client_id"
/* A row of CMP_COLS as JSON (ids as strings, NULL as null, flags as booleans); a yj_row_fn. */
json_t *cmp_row_json(store_stmt *st, void *arg);
/* The matter id in scope sc as JSON: ST_OK, ST_NOTFOUND (absent or out of scope) or a failure. */
int cmp_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* As cmp_load, and also a matter on which department is a co-handler (协办) within sc's territory:
 * the co-handler reads it (its to-do links there) but takes no step. */
int cmp_load_as_unit(store_conn *c, const yj_scope *sc, const char *department, int64_t id, json_t **out);
/* The matter with this tracking code, whatever the scope (the code is the reporter's key). */
int cmp_load_by_code(store_conn *c, const char *code, json_t **out);
/* The matter whose external_ref (12345 work-order number, Open311 or demo reference) is ref: ST_OK with
 * *id, ST_NOTFOUND or a failure. */
int cmp_find_external(store_conn *c, const char *ref, int64_t *id);
/* The user id (decimal) of whoever took matter id's latest acceptance step into out, "" when none
 * (reporter_store.c): the handler (承办人) who may call the reporter. ST_OK or a failure. */
int cmp_accepted_by(store_conn *c, int64_t id, char out[21]);
/* The sealed reporter of matter id (caller frees; NULL when anonymous): ST_OK or a failure. */
int cmp_reporter_sealed(store_conn *c, int64_t id, char **sealed);

typedef struct cmp_category {
	char code[32], name[64], kind[16], department[32];
	int accept_days, handle_days, reply_days, feedback_days, revisit_days, active;
} cmp_category;
/* ST_OK, ST_NOTFOUND or a failure. */
int cmp_category_get(store_conn *c, const char *code, cmp_category *out);
/* The same from this process's cache when read under the reference-data epoch (yj_ref_epoch_read:
 * categories change only with migrations, which that epoch counts); epoch < 0: no cache. */
int cmp_category_get_at(store_conn *c, int64_t epoch, const char *code, cmp_category *out);
/* Every category as a JSON array, in code order. */
int cmp_categories_json(store_conn *c, json_t **out);

/* A new matter; every string borrowed, NULL for an absent optional value. */
typedef struct cmp_new {
	int64_t id;
	const char *tracking_code, *channel, *category, *title, *content, *region_code, *department;
	const char *subject_kind, *subject_name, *reporter_sealed, *phone_masked, *external_ref, *received_on;
	const char *address, *lat, *lng; /* where (Open311); NULL: none */
	int64_t subject_id; /* 0: none */
	int64_t client_id;  /* Open311 client, 0: none */
	int anonymous;
} cmp_new;
/* Inserts n and, unless out is NULL, sets *out to the stored row as cmp_load reads it (a new reference
 * the caller releases; NULL on failure). ST_OK or a failure. */
int cmp_insert(store_conn *c, const cmp_new *n, int64_t now, json_t **out);

/* Sets the columns named by the keys of set (a JSON object of strings, integers and nulls; keys must
 * be columns of CMP_COLS — a programming error otherwise, ST_ERR) and updated_at on matter id. */
int cmp_update(store_conn *c, int64_t id, const json_t *set, int64_t now);

/* Appends a step to the timeline; public_note is what the reporter reads ("" for none). */
/* One due row of a sweep: its id, the day of the run, and whether the transaction acted on it. */
typedef struct cmp_sweep_arg {
	int64_t id;
	const char *today;
	int done;
} cmp_sweep_arg;
/* Runs one(c, cmp_sweep_arg *) in a transaction of its own for every id that sql (parameters: today, then
 * the last id seen; ORDER BY id LIMIT 200) returns, in pages of 200; *count receives how many acted. */
int cmp_sweep(store *s, const char *sql, const char *today, store_tx_fn one, int *count);
int cmp_step_add(store_conn *c, int64_t id, const char *step, const char *public_note, const char *actor, int64_t now);
/* The timeline, oldest first; with for_public the actor is left out. */
int cmp_steps_json(store_conn *c, int64_t id, int for_public, json_t **out);

/* Replaces the handling units: lead and the co-handlers (array of department codes, may be NULL). */
int cmp_units_set(store_conn *c, int64_t id, const char *lead, const json_t *co);
int cmp_units_json(store_conn *c, int64_t id, json_t **out);

int cmp_attach_add(store_conn *c, int64_t id, const char *sha256, const char *name, const char *media_type, int64_t size);
int cmp_attachments_json(store_conn *c, int64_t id, json_t **out);

/* Public intakes from addr_hash since `since` into *n. */
int cmp_intake_count(store_conn *c, const char *addr_hash, int64_t since, int64_t *n);
/* Records one intake at now and forgets that address's intakes before prune_before. */
int cmp_intake_hit(store_conn *c, const char *addr_hash, int64_t now, int64_t prune_before);

/* Open matters (received, dispatched, accepted) in scope sc, of category, created since since_ms,
 * other than id, about the same subject (subject_id when non-zero, else the same region and subject
 * name), whose content is at least YJ_CMP_DUP_THRESHOLD alike: [{id, tracking_code, title, state,
 * similarity}] by similarity, best first. */
int cmp_duplicates(store_conn *c, const yj_scope *sc, const json_t *m, int64_t since_ms, json_t **out);
/* Ids of the matters merged into id, into a new array (caller frees) of *n. */
int cmp_merged_ids(store_conn *c, int64_t id, int64_t **ids, size_t *n);

/* Matters due for the 督办 ladder on today: open, not paused, past their deadline, with ids above
 * after, in id order, up to cap ids. */
int cmp_overdue_ids(store_conn *c, const char *today, int64_t after, int64_t *ids, size_t cap, size_t *n);

/* Working days in (from, to]: the days after from up to and including to that are working days. */
int cmp_workdays_between(store_conn *c, const char *from, const char *to, int *n);

/* Audit leaf of a change to matter id by actor, with state (borrowed). */
int cmp_audit(store_conn *c, const char *actor, const char *action, int64_t id, const char *region, const json_t *state);
/* Emits an event about matter id; payload borrowed. */
int cmp_event(store_conn *c, const char *actor, const char *type, int64_t id, const char *region, const json_t *payload);

/* To-dos of a matter (complaints_store.c), about object "complaint" (".rN" after N returns, as a closed
 * to-do never reopens): the desk's dispatch to-do, the lead unit's
 * handling to-do, the co-handlers', the revisit and the 督办 to-dos. */
int cmp_todo_dispatch(store_conn *c, const json_t *m);
int cmp_todo_handle(store_conn *c, const json_t *m, const json_t *co);
int cmp_todo_revisit(store_conn *c, const json_t *m);
int cmp_todo_supervise(store_conn *c, const json_t *m, int level);
/* Closes every open to-do of the matter m (of its current dispatch round) with state (done or cancelled). */
int cmp_todos_close(store_conn *c, const json_t *m, const char *state);

/* ---- the writes of rewards, joint work, patrols and public-opinion events (op_api.c, seed.c) ---- */

/* One write as its transaction sees it: who acts, the body and the path ids (borrowed); out the record
 * answered (the runner frees it), clear the rewards' disclosed reporter (yj_pii_free), ref a refusal. */
typedef struct cmp_op {
	const yj_principal *who;
	const json_t *body;
	int64_t id, task;
	json_t *out;
	char *clear;
	yj_refusal ref;
} cmp_op;
typedef int (*cmp_op_fn)(store_conn *c, void *op);
/* Runs fn for request r in a transaction, with the path ids named id and task (NULL: none), and
 * answers its out with status, or its refusal. Always YJ_OK (the request is answered). */
int cmp_op_run(yj_req *r, cmp_op_fn fn, int status, const char *id, const char *task);
/* Answers a page of a list ?limit and ?cursor (by id) of the query filtered(r) makes, each row by row;
 * filtered answers NULL after replying itself (a bad filter). Always YJ_OK. */
int cmp_reply_list(yj_req *r, yj_qb *(*filtered)(yj_req *r), yj_row_fn row);
/* Whether a task of parent id (column fk of tasks) lies in scope sc: ST_OK, ST_NOTFOUND, or an error.
 * What makes a department a party to a meeting or an event it did not convene. */
int cmp_party_task(store_conn *c, const yj_table *tasks, const char *fk, const yj_scope *sc, int64_t id);
/* 1 when s is the decimal form of id. */
int cmp_id_is(const char *s, int64_t id);
/* The string member k of o, or "" (borrowed from o). */
const char *cmp_s(const json_t *o, const char *k);
/* Column col of a row as a JSON string, or null when SQL NULL. */
json_t *cmp_text_or_null(store_stmt *st, int col);
/* The writes by name ("reward.propose"), for the seed: each feature's table ends with {NULL, NULL}. */
typedef struct cmp_op_def {
	const char *name;
	cmp_op_fn fn;
} cmp_op_def;
extern const cmp_op_def cmp_reward_ops[], cmp_joint_ops[], cmp_patrol_ops[], cmp_opinion_ops[];

#endif
