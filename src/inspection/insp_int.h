/* insp_int.h — shared inside src/inspection: the scoped table declarations, and small helpers the
 * handlers of the item list, directories, plans, draws, tasks, rectification and publication share.
 * Not included outside this folder. */
#ifndef YJ_INSP_INT_H
#define YJ_INSP_INT_H

#include <jansson.h>

#include "inspection.h"
#include "../base/base.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/events/events.h"
#include "../platform/auth/auth.h"
#include "../registry/registry.h"
#include "../platform/regions/regions.h"

extern const yj_table insp_items_t, insp_inspectors_t, insp_conflicts_t, insp_signals_t, insp_plans_t,
	insp_draws_t, insp_tasks_t, insp_results_t, insp_findings_t, insp_attach_t, insp_orders_t, insp_records_t;

/* Staff who read inspection data; planners; field inspectors. */
#define INSP_STAFF (ROLE_ADMIN | ROLE_LEADER | ROLE_INSPECTOR | ROLE_LEGAL_REVIEWER | ROLE_LIAISON)
#define INSP_PLANNERS (ROLE_ADMIN | ROLE_LEADER)
/* Who reads tasks, findings and rectification orders: staff, and an institution user those of its own
 * institution (its scope is bound to it: platform/auth/scope.h). */
#define INSP_TASK_READERS (INSP_STAFF | ROLE_INSTITUTION)
#define INSP_FIELD (ROLE_ADMIN | ROLE_LEADER | ROLE_INSPECTOR)

/* ---- logic without store or HTTP (inspection.c) ---- */
/* The Chinese name of a task kind (random → 双随机抽查), or NULL for an unknown kind. */
const char *insp_task_kind_label(const char *kind);
/* Only white space (ASCII or U+3000), or NULL. */
int insp_blank(const char *s);
/* No control characters (tabs and newlines allowed when multiline). */
int insp_clean(const char *s, int multiline);
/* "a,b,c" → ["a","b","c"] (new reference; empty string gives []). */
json_t *insp_csv_array(const char *csv);
/* An array of strings → "a,b,c" (caller frees). */
char *insp_array_csv(const json_t *arr);
/* Whether an inspector with territory `ins` covers a subject in `subject` (draw.md: prefix rule). */
int insp_region_covers(const char *ins, const char *subject);
/* The media type of a file from its first bytes (what it is, not what the client says), or NULL when
 * it is none of the accepted kinds (JPEG, PNG, WebP, HEIC, PDF, MP4). A static string. */
const char *insp_media_sniff(const unsigned char *p, size_t n);
/* n bytes for a person: "3.2 MiB", "512 字节". */
void insp_human_bytes(int64_t n, char out[32]);

/* ---- shared by the handlers (insp_common.c) ---- */
void insp_actor(yj_req *r, char out[21]);
/* Text column or JSON null; int column or JSON null (new references). */
json_t *insp_text(store_stmt *st, int col);
json_t *insp_int(store_stmt *st, int col);
/* Appends an audit leaf for the request's user. */
int insp_audit(store_conn *c, yj_req *r, const char *action, const char *type, int64_t id, const char *region,
	       const json_t *state, int64_t *idx);
/* Appends an event (platform/events) in the transaction c, next to the audit leaf of the same
 * change: actor from r (NULL: "system"), subject (type, id) in region. Steals payload (an object,
 * may be NULL). Returns ST_OK or a store failure. docs/events.md lists the types. */
int insp_event(store_conn *c, yj_req *r, const char *type, const char *subject_type, int64_t id, const char *region,
	       json_t *payload);
/* Whether the region code exists. */
int insp_region_exists(store_conn *c, const char *code);
/* The subject id of the registry kind (institution, public_place, …: registry.h) — its name, credit
 * code and region, in scope sc. ST_NOTFOUND when absent or outside sc. Out strings are copies (caller frees). */
int insp_subject(store_conn *c, const yj_scope *sc, const char *kind, int64_t id, char **name, char **code,
		 char region[16]);
/* The checklist points of the items (comma-separated ids): [{item_id, item_name, code, point, clause}]. */
int insp_checklist(store_conn *c, const char *item_ids, json_t **out);
/* Validates a team for a subject: ≥ 2 distinct active inspectors of the directory who cover the
 * subject's region and declared no conflict with it. On failure adds errors under "team" to f and
 * returns yj_refuse_invalid's YJ_REFUSED. *csv (caller frees) receives "id,id". */
int insp_team_check(store_conn *c, const json_t *team, int64_t subject_id, const char *subject_region,
		    yj_refusal *f, char **csv);

/* ---- reference data (items_store.c): items, the inspector directory, risk signals ---- */
/* The items in scope ordered by code, only those in use when active_only (*out new array). */
int insp_items_list(store_conn *c, const yj_scope *sc, int active_only, json_t **out);
/* The item in scope (*out new reference); ST_NOTFOUND outside scope. */
int insp_item_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* *used = whether an item has the code. */
int insp_item_code_used(store_conn *c, const char *code, int *used);
/* Writes the validated item it (code, department, name, legal_basis, subject_types, checklist,
 * ratio_permille, coverage_years, active) as row id, replacing the row when replace. it borrowed. */
int insp_item_write(store_conn *c, int64_t id, int replace, const json_t *it);
/* The inspector in scope with name and conflicts (*out new reference); ST_NOTFOUND outside scope. */
int insp_inspector_load(store_conn *c, const yj_scope *sc, int64_t user, json_t **out);
/* One page of the directory in scope (department NULL or "" for all) after user id after, with names
 * and conflicts in a constant number of statements: *items new array, *next the cursor or null. */
int insp_inspectors_page(store_conn *c, const yj_scope *sc, const char *department, int64_t after, int limit,
			 json_t **items, json_t **next);
/* The user holding enforcement certificate cert: ST_OK, ST_NOTFOUND or a failure. */
int insp_cert_holder(store_conn *c, const char *cert, int64_t *user);
/* Inserts or updates (in place: conflicts reference it) the directory row of user. */
/* The directory's certificate number of user (*out malloc'd, caller frees; NULL when not entered). */
int insp_inspector_cert(store_conn *c, int64_t user, char **out);
int insp_inspector_save(store_conn *c, int64_t user, const char *cert, const char *dept, const char *region, int active);
/* A declared conflict of interest; strings borrowed (dates may be NULL). */
typedef struct insp_conflict_new {
	int64_t id, user, institution;
	const char *kind, *start_date, *end_date, *reason, *region, *department;
} insp_conflict_new;
int insp_conflict_insert(store_conn *c, const insp_conflict_new *k);
/* One page of risk signals in scope after subject id after (*items new array, *next cursor or null). */
int insp_signals_page(store_conn *c, const yj_scope *sc, int64_t after, int limit, json_t **items, json_t **next);
/* Replaces the subject's complaints count; the credit grade (the credit module's, credit_signals.c) is
 * kept and copied into grade (gsize bytes; left as it is when the subject has no signals yet). */
int insp_signal_put(store_conn *c, int64_t subject, const char *region, int64_t complaints, char *grade, size_t gsize,
		    const char *actor);

/* ---- teams (team_store.c): one row per member in inspection_task_members, the leader first ---- */
/* The members of tasks, joined with their task so its scope and filters apply (columns of the task
 * qualified "inspection_tasks."): select "m.task_id, m.user_id, i.cert_no" ordered by
 * "m.task_id, m.member_order" for insp_teams_fill. */
extern const yj_table insp_members_t;
/* Replaces the task's team by the ids of csv ("id,id", the leader first). */
int insp_team_write(store_conn *c, int64_t task_id, const char *csv);
/* Gives task `to` the team of task `from`. */
int insp_team_copy(store_conn *c, int64_t from, int64_t to);
/* The member ids of a task, the leader first (caller frees *ids, also on failure). */
int insp_team_ids(store_conn *c, int64_t task_id, int64_t **ids, size_t *n);
/* Sets "team": [{id, name, cert_no}] on every task object of tasks (objects with a string "id") from
 * the rows of st (m.task_id, m.user_id, i.cert_no; see insp_members_t), with the display names from
 * auth in one more statement per 500 people. Finalizes st (NULL is ST_ERR). */
int insp_teams_fill(store_conn *c, store_stmt *st, json_t *tasks);

/* ---- tasks (task_store.c) ---- */
#define INSP_TASK_COLS                                                                                              \
	"id, kind, draw_id, plan_id, item_ids, subject_id, subject_name, subject_code, region_code, department, phase," \
	" source_order_id, note, due_date, state, checkin_at, checkin_lng_e6, checkin_lat_e6, signature,"             \
	" signer_name, signature_note, outcome, summary, completed_at, completed_on, publish_due, published_at,"      \
	" created_by, created_at, subject_kind, signature_sha256"
/* A row of INSP_TASK_COLS as JSON, without its team (new reference); insp_task_one is the same as a
 * yj_row_fn (arg unused). */
json_t *insp_task_json(store_stmt *st);
json_t *insp_task_one(store_stmt *st, void *arg);
/* The team rows of q (members, insp_members_t) for tasks with ids in (after, last] (last 0: no
 * bound), ordered for insp_teams_fill. Consumes q. */
store_stmt *insp_teams_query(yj_qb *q, store_conn *c, int64_t after, int64_t last);
/* The task in scope with its team (*out new reference); ST_NOTFOUND outside scope. */
int insp_task_row(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* The same with checklist (points merged with results), progress, findings, attachments and orders. */
int insp_task_full(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* Marks a field operation: updated_at now, state assigned → in_progress. */
int insp_task_touch(store_conn *c, int64_t id);
/* updated_at now (a change that is no field work, such as a new team). */
int insp_task_updated(store_conn *c, int64_t id);
/* *active = whether the item id (decimal text) exists and is in use. */
int insp_item_is_active(store_conn *c, const char *item_id, int *active);
/* A task created directly (not by a draw), state assigned; strings borrowed. */
typedef struct insp_task_new {
	int64_t id, subject_id, at;
	const char *kind, *item_ids, *subject_name, *subject_code, *region, *department, *note, *due_date, *actor;
	const char *subject_kind; /* the registry kind of subject_id: institution, public_place, … */
} insp_task_new;
int insp_task_insert(store_conn *c, const insp_task_new *t);
/* Who records what on which task, when, and the task's territory and department the rows carry. */
typedef struct insp_record {
	int64_t task_id, at;
	const char *region, *department, *actor;
} insp_record;
int insp_task_set_checkin(store_conn *c, int64_t id, int64_t at, int64_t lng_e6, int64_t lat_e6);
/* The result of check point code (replacing an earlier one); a blank note is stored as NULL. */
int insp_result_put(store_conn *c, const insp_record *r, const char *code, const char *result, const char *note);
/* subject_kind: the task's (institution, public_place, …). */
int insp_finding_insert(store_conn *c, const insp_record *r, int64_t id, int64_t subject_id, const char *subject_kind,
			const char *point_code, const char *severity, const char *clause, const char *description);
/* state "signed" (signer named) or "refused" (signer NULL); a blank note is stored as NULL. */
/* image: the SHA-256 of the signature's PNG attachment, or NULL (refusal, or a name without a drawing). */
int insp_task_set_signature(store_conn *c, int64_t id, const char *state, const char *signer, const char *note,
			    const char *image);
/* Completes the task (outcome, summary, day `on`, publication due) and writes its result on the
 * subject's record (subject_records, kind inspection_result, detail canonical JSON). */
int insp_task_complete(store_conn *c, const insp_record *r, int64_t subject_id, const char *outcome, const char *summary,
		       const char *on, const char *publish_due, const char *detail);

/* Attachment rows of tasks (task_store.c; the contents are platform/attach's). */
/* The sizes of every attachment actor added, summed (the per-user quota). */
int insp_attached_bytes(store_conn *c, const char *actor, int64_t *bytes);
int insp_attachment_exists(store_conn *c, int64_t task_id, const char *sha256, int *exists);
int insp_attachment_insert(store_conn *c, const insp_record *r, const char *sha256, const char *media_type, int64_t size,
			   const char *name);
/* The media type of the task's attachment sha256 in scope sc: ST_OK, ST_NOTFOUND or a failure. */
int insp_attachment_type(store_conn *c, const yj_scope *sc, int64_t task_id, const char *sha256, char type[40]);

/* ---- field operations on a task (task_api.c; attachments in attach_api.c) ---- */
typedef struct insp_task_arg {
	yj_req *r;
	int64_t id;
	json_t *out;	/* the reply (owned; the task itself when the operation sets none) */
	yj_refusal ref; /* filled by a callback that turns the request down (yj_tx_or_reply replies it) */
} insp_task_arg;
/* An operation on a task loaded in scope, not completed, with the inspector on its team. */
typedef int (*insp_field_fn)(store_conn *c, insp_task_arg *a, json_t *task);
/* Runs fn in a transaction on the path's task, records the audit leaf `action` and replies status
 * with a->out, or the refusal. */
int insp_field_op(yj_req *r, insp_field_fn fn, const char *action, int status);
int insp_task_attach(yj_req *r);
int insp_attachment_get(yj_req *r);

/* ---- rectification and publication (rectify_store.c) ---- */
#define INSP_ORDER_COLS                                                                \
	"id, task_id, finding_id, subject_id, requirement, issued_on, working_days, deadline, state,"             \
	" follow_up_task_id, closed_at, close_note, region_code, department, actor, created_at, report, reported_at,"   \
	" reported_by, (SELECT t.subject_name FROM inspection_tasks t WHERE t.id = rectification_orders.task_id),"     \
	" (SELECT t.subject_code FROM inspection_tasks t WHERE t.id = rectification_orders.task_id),"                \
	" (SELECT t.subject_kind FROM inspection_tasks t WHERE t.id = rectification_orders.task_id)"
/* A row of INSP_ORDER_COLS as JSON, with overdue as of today (new reference); insp_order_row is the
 * same as a yj_row_fn (arg: today). */
json_t *insp_order_json(store_stmt *st, const char *today);
json_t *insp_order_row(store_stmt *st, void *today);
/* The order in scope (*out new reference); ST_NOTFOUND outside scope. */
int insp_order_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* A new open order; finding_id 0 for none; strings borrowed. */
typedef struct insp_order_new {
	int64_t id, task_id, finding_id, subject_id;
	const char *requirement, *issued_on;
	int64_t working_days;
	const char *deadline, *region, *department, *actor;
	int64_t at;
} insp_order_new;
int insp_order_insert(store_conn *c, const insp_order_new *o);
/* The follow-up task id of kind follow_up, copying the inspected task's subject and items. */
int insp_follow_up_insert(store_conn *c, int64_t id, int64_t inspected_task, int64_t order_id, const char *due,
			  const char *actor, int64_t at);
int insp_order_set_follow_up(store_conn *c, int64_t order_id, int64_t task_id);
/* state rectified or not_rectified. */
int insp_order_close(store_conn *c, int64_t order_id, const char *state, const char *note, int64_t at);
int insp_order_report(store_conn *c, int64_t order_id, const char *report, const char *actor, int64_t at);
int insp_task_set_published(store_conn *c, int64_t task_id, int64_t at);
/* What rectification and publication check of a task before acting on it. */
typedef struct insp_task_head {
	int64_t subject_id;
	int published;
	char state[16], region[16], department[32], outcome[20];
} insp_task_head;
/* The task in scope: ST_OK, ST_NOTFOUND outside scope, or a failure. */
int insp_task_head_load(store_conn *c, const yj_scope *sc, int64_t id, insp_task_head *h);
/* One page of orders in scope by deadline (state filter NULL or "" for all; overdue_only: open and
 * past today), after the keyset (after_day, after_id) when after_day is not "" (*items new array,
 * *next the "deadline,id" cursor or null). */
/* Every order of the list's filters by deadline, for an export (NULL on failure; the caller finalizes).
 * subject: only the orders of this institution (0: all). */
store_stmt *insp_orders_all(store_conn *c, const yj_scope *sc, const char *state, int overdue_only, const char *today,
			    int64_t subject);
int insp_orders_page(store_conn *c, const yj_scope *sc, const char *state, int overdue_only, const char *today,
		     int64_t subject, const char *after_day, int64_t after_id, int limit, json_t **items, json_t **next);
/* One page of published results, newest first, below id before, in territories LIKE region_like
 * ("330302%"; "%" for all), with their item names and findings (*items new array, *next cursor or null). */
int insp_public_results_page(store_conn *c, const char *region_like, int64_t before, int limit, json_t **items,
			     json_t **next);
/* The task of a finding: ST_OK, ST_NOTFOUND or a failure. */
int insp_finding_task(store_conn *c, int64_t finding, int64_t *task);
/* On each published result of items (objects with "id" and "item_ids"): "items" (the item names,
 * replacing item_ids) and "findings" [{severity, clause}] — two statements for the whole page. */
int insp_public_details(store_conn *c, json_t *items);

/* ---- to-dos (insp_todos.c): each runs in the transaction of the change, after its write ---- */
/* Puts (or re-addresses, after a new team) the task's to-do for its team, due on its due date. */
int insp_todo_task(store_conn *c, int64_t task_id);
/* Closes the completed task's to-do and puts its publication to-do for the territory's leaders. */
int insp_todo_task_completed(store_conn *c, int64_t task_id);
/* Closes the publication to-do of a published task. */
int insp_todo_published(store_conn *c, int64_t task_id);
/* Puts the follow-up to-do of a rectification order for the inspected task's team, due at its deadline. */
int insp_todo_order(store_conn *c, int64_t order_id);
/* Closes it when the order is closed (verified rectified or not). */
int insp_todo_order_closed(store_conn *c, int64_t order_id);

#endif
