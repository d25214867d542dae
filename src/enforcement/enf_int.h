/* enf_int.h — what the enforcement module's files share and no other module sees: the scoped tables,
 * the case row's columns, the store functions (enf_store.c) and the helpers of the handlers. */
#ifndef YJ_ENF_INT_H
#define YJ_ENF_INT_H

#include "enforcement.h"
#include "../platform/audit/audit.h"
#include "../platform/events/events.h"
#include "../platform/calendar/calendar.h"
#include "../platform/store/query.h"
#include "../base/id.h"

extern const yj_table enf_clues_t, enf_cases_t, enf_steps_t;

/* A setting of enf_settings (a default an administrator can change), or dflt when absent. */
int64_t enf_setting(store_conn *c, const char *key, int64_t dflt);

/* Columns of enf_cases as the API shows them, in the order enf_case_json reads them. */
extern const char *const enf_case_cols;
/* The row of st (selected with enf_case_cols) as JSON, and the state machine's view into *k (may be
 * NULL). New reference. */
json_t *enf_case_json(store_stmt *st, enf_case *k);
/* The list row's columns (GET /api/v1/cases and its export: what the lists show, with the ids) and the row of
 * st selected with them as JSON, with state_label. New reference. */
extern const char *const enf_case_list_cols;
json_t *enf_case_list_json(store_stmt *st);
/* Case id in scope sc: *row (new reference) and *k filled. ST_OK, ST_NOTFOUND or a failure. */
int enf_case_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **row, enf_case *k);
/* The steps of a case in order (the timeline): new array in *out. */
int enf_steps_load(store_conn *c, int64_t id, json_t **out);
/* Appends step (action, from → to, data stolen) with its audit leaf; *seq receives its number. */
int enf_step_append(store_conn *c, int64_t case_id, const char *action, const char *from, const char *to,
		    const char *actor, const char *today, json_t *data, const char *region, const char *dept, int *seq);
/* The office abbreviation of a region for document numbers (温州市鹿城区 → 温鹿). */
void enf_office_abbr(store_conn *c, const char *region, char out[32]);
/* The benchmark row (code, latest active version): *version, tiers JSON (caller frees), double_penalty
 * and the legal maximum. ST_OK, ST_NOTFOUND or a failure. */
int enf_benchmark_get(store_conn *c, const char *code, int64_t *version, char **tiers, int *double_penalty,
		      int64_t *legal_max, char name[256]);
/* Case and todo upkeep after a change (inbox of officers and leaders). */
int enf_todos_sync(store_conn *c, int64_t case_id);

/* Issues document kind (case_acceptance, filing_report, prior_notice, penalty_decision, no_penalty_decision,
 * service_receipt, transfer_letter, closing_report) for the case (row: the case's JSON, or the clue's for
 * case_acceptance with case_id 0) through the platform's document facility, inside the caller's
 * transaction, and links it in enf_documents. data: the step's fields (may be NULL); seq: the step (0:
 * none); public_url: base of the verification QR (NULL: none). number (may be NULL) receives its 文号. */
int enf_doc_issue(store_conn *c, const char *kind, int64_t case_id, int64_t clue_id, const json_t *row, const json_t *data,
		  int seq, const char *actor, const char *public_url, char number[160]);

/* A preview of document kind for the case row (with the watermark and no number; stores nothing):
 * *pdf (caller frees). ST_OK, ST_NOTFOUND for a kind that has no layout, or ST_ERR. */
int enf_doc_preview(store_conn *c, const char *kind, const json_t *row, const json_t *data, unsigned char **pdf, size_t *len);

/* Who takes a step, with what, and the base of verification addresses: what the transactions of
 * clues, filing and transitions need of a request, so the demo can run them without HTTP. */
typedef struct enf_ctx {
	const yj_principal *who;
	const json_t *body;
	const char *public_url;
} enf_ctx;

/* The actor string of the request (user id in decimal). */
void enf_actor(yj_req *r, char out[21]);
json_t *enf_text(store_stmt *st, int col);
/* Emits type for case id with the decision payload of docs/events.md (reason may be NULL). A 双罚 case
 * (responsible_id set) emits a second event naming the responsible practitioner as the subject. */
int enf_decision_event(store_conn *c, const char *actor, const char *type, int64_t case_id, const char *reason);
/* The case with its timeline, clocks and the actions its state offers (cases_api.c). */
int enf_case_full(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* POST /api/v1/cases/{id}/transitions (transition.c) and its body fields. */
int enf_transition(yj_req *r);
extern const yj_field enf_transition_body[];
/* POST /api/v1/cases/{id}/evidence (transition.c): the file into the attachment store by SHA-256 and the
 * add_evidence step naming the case's officers, in one transaction. */
int enf_evidence_upload(yj_req *r);
extern const yj_field enf_evidence_body[];
/* Records a clue (shared by the route and the complaint subscriber). */
typedef struct enf_clue_new {
	const char *source, *source_ref, *subject_kind, *subject_name, *summary, *received_on, *region, *dept, *actor;
	int64_t subject_id; /* 0: none */
} enf_clue_new;
/* Inserts the clue with its 受理 audit leaf; *id receives it. ST_CONFLICT when (source, ref) exists. */
int enf_clue_insert(store_conn *c, const enf_clue_new *n, int64_t *id);

/* ---- enf_store.c: the statements of the case, clue, benchmark and public routes ---- */
/* A case filed from clue_id (strings borrowed; flags 0 or 1; now: created_at and updated_at). */
typedef struct enf_case_new {
	int64_t id, clue_id, subject_id, now;
	const char *subject_kind, *subject_name, *subject_code, *officers, *approved_by, *filed_on, *decision_due, *region, *dept;
	int serious, t_public_interest, t_complex, t_other_law, suspect_crime;
} enf_case_new;
int enf_case_insert(store_conn *c, const enf_case_new *n);
/* The documents of a case (and of its clue before filing), oldest first: doc_id, kind, title, number, step_seq,
 * created_at. The caller finalizes; NULL on failure. */
store_stmt *enf_documents_query(store_conn *c, int64_t case_id, int64_t clue_id);
/* *yes: document doc belongs to the case (or to its clue before filing). */
int enf_document_of_case(store_conn *c, int64_t doc, int64_t case_id, int64_t clue_id, int *yes);
/* *seen: a clue from (source, ref) exists. */
int enf_clue_seen(store_conn *c, const char *source, const char *ref, int *seen);
/* The active benchmark rows by code: code, version, name, law, article, clause, kinds, legal_min_fen,
 * legal_max_fen, double_penalty, tiers, review_state. The caller finalizes; NULL on failure. */
store_stmt *enf_benchmarks_query(store_conn *c);
/* The latest active version of a benchmark row; tiers is the JSON text (caller frees). */
typedef struct enf_benchmark_row {
	int64_t version, legal_max;
	char kinds[200], review_state[32];
	char *tiers;
} enf_benchmark_row;
/* ST_OK, ST_NOTFOUND or a failure (tiers NULL then). */
int enf_benchmark_latest(store_conn *c, const char *code, enf_benchmark_row *b);
/* Inserts version + 1 of row code with tiers and review_state, and deactivates version. */
int enf_benchmark_next(store_conn *c, const char *code, int64_t version, const char *tiers, const char *review_state);
/* The published penalties (双公示) still public on today in regions LIKE region_like, ids below before, newest
 * first, at most limit rows: k.id, subject_kind, subject_name, subject_code, decision_no, the benchmark's name,
 * facts, law, article, penalty_kinds, fine_fen, confiscation_fen, decided_on, public_until, region_code,
 * published_on. The caller finalizes; NULL on failure. */
store_stmt *enf_penalties_query(store_conn *c, const char *today, const char *region_like, int64_t before, int64_t limit);

/* ---- case oversight: 案件督办 and 行刑衔接 (oversight_api.c, police_api.c; migration 0003) ---- */
extern const yj_route yj_enf_oversight_routes[], yj_enf_record_routes[], yj_enf_benchmark_routes[];
/* The request of an oversight action: who, body, the case id; out (new reference) or ref. */
struct ov_arg {
	const yj_principal *who;
	const json_t *body;
	const char *public_url;
	int64_t id;
	json_t *out;
	yj_refusal ref;
};
/* A string field of o, "" when absent (borrowed). */
const char *enf_str(const json_t *o, const char *k);
/* ---- oversight_store.c: the SQL of 案件督办 and 行刑衔接 ---- */
/* The case's latest supervision (enf_sup_latest) or police transfer (enf_tr_latest) as JSON: *out a new
 * reference, NULL when none. */
int enf_sup_latest(store_conn *c, int64_t case_id, json_t **out);
int enf_tr_latest(store_conn *c, int64_t case_id, json_t **out);
/* A new active supervision (all strings borrowed). */
typedef struct enf_sup_new {
	int64_t case_id;
	const char *office_region, *office_dept, *actor, *reason, *today, *due_on, *report_due, *region, *dept;
} enf_sup_new;
int enf_sup_insert(store_conn *c, const enf_sup_new *n);
/* A report on supervision sid (the count, the day, the next report's due day). */
int enf_sup_report(store_conn *c, int64_t sid, const char *today, const char *report_due);
int enf_sup_lift(store_conn *c, int64_t sid, const char *today, const char *reason);
int enf_sup_escalate(store_conn *c, int64_t sid, const char *today, const char *why);
/* Up to cap active supervisions due for escalation on today (report overdue, or past their deadline with the
 * case open) into ids and cases, in a read transaction of their own; *m receives how many. */
int enf_sup_due(store_conn *c, const char *today, int64_t *ids, int64_t *cases, size_t cap, size_t *m);
/* A new proposed police transfer (all strings borrowed; attachments the JSON text). */
typedef struct enf_tr_new {
	int64_t case_id;
	const char *reason, *charge, *attachments, *actor, *today, *approve_due, *region, *dept;
} enf_tr_new;
int enf_tr_insert(store_conn *c, const enf_tr_new *n);
/* Records police-transfer action (approve, not_approve, send, receipt, police_decision, reconsider,
 * reconsider_result) on transfer tr (its JSON): the action's columns bound to texts in order (see the table in
 * oversight_store.c), its time stamp and updated_at. */
int enf_tr_update(store_conn *c, const json_t *tr, const char *action, const char *const *texts);
/* The case's suspect_crime flag; transferred_to (and the flag) when sent to the police. */
int enf_case_suspect_set(store_conn *c, int64_t case_id, int suspect);
int enf_case_transferred_set(store_conn *c, int64_t case_id, const char *to);
/* from + n calendar days, rolled to a working day. */
int enf_days_after(store_conn *c, const char *from, int64_t n, char out[11]);
/* The day (Asia/Shanghai) of a time in ms. */
void enf_day_of_ms(int64_t ms, char out[11]);
/* Runs sql binding texts (NULL-terminated; "\x01" binds NULL) then last as the final integer. */
int enf_exec_text(store_conn *c, const char *sql, const char *const *texts, int64_t last);
/* Bumps the case's version, sets its state to `to` and appends the step (data stolen). */
int enf_side_step(store_conn *c, int64_t case_id, const json_t *row, const char *action, const char *from, const char *to,
		  const char *actor, const char *today, json_t *data);
/* The police transfer's transaction (struct ov_arg). */
int enf_police_tx(store_conn *c, void *arg);
/* Adds "supervision" and "police_transfer" (with their overdue flags) to a case's JSON. */
int enf_oversight_json(store_conn *c, int64_t case_id, const char *today, json_t *row);
/* The clock job's escalation of supervisions; *n receives how many were escalated. */
int enf_supervision_clock_run(store *s, const char *today, int *n);

#endif
