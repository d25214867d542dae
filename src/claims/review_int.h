/* review_int.h — what review.c (grouping flags into records, the persisting driver), review_store.c
 * (its SQL) and review_api.c (the routes) share; nothing outside src/claims/review*.c includes it. */
#ifndef YJ_CLAIMS_REVIEW_INT_H
#define YJ_CLAIMS_REVIEW_INT_H

#include "claims.h"
#include "../platform/http/http.h"
#include "../platform/store/store.h"
#include "../platform/store/query.h"

/* /api/v1/claims/runs, /api/v1/claims/flags…, /api/v1/claims/summary (review_api.c), listed by the
 * module descriptor. */
extern const yj_route yj_claims_review_routes[];

/* One flag record: the rows of one engine flag that fall on one claim (same institution, physician
 * and patient). Its rows are rv_plan.rows[first .. first+n), indices into res->f. */
typedef struct rv_rec {
	int32_t first, n;
	int64_t amount;
} rv_rec;

/* The screened lines of one (physician, institution) of a run: the denominators of physician
 * monitoring (医保医师 flag rates), dept the department of its first line. */
typedef struct rv_phys {
	int32_t phys, inst, dept;
	int64_t lines, claims, amount;
} rv_phys;

typedef struct rv_plan {
	const yj_claims *c;
	const yj_rules *rs;
	const yj_screen_result *res;
	const yj_review_opts *o;
	int32_t *rows;	    /* res->f indices grouped by record */
	rv_rec *rec;
	size_t nrec;
	char (*inst_region)[16]; /* per institution dictionary code: registry region, "" when unknown */
	char **patient_cipher;	 /* per patient dictionary code, encrypted lazily (owned) */
	int64_t run_id, amount_fen, in_registry;
	char region[16];
	char input_name[256], input_sha[65], rules_sha[65];
	int64_t line_count, flag_count, flagged_lines;
	rv_phys *phys;
	size_t nphys;
} rv_plan;

/* review_store.c: SQL of a run. Each runs inside the caller's transaction on c. */
int rv_region_exists(store_conn *c, const char *code);
int rv_insert_run(store_conn *c, const rv_plan *p);
/* Inserts p->phys into claim_run_physicians. */
int rv_insert_physicians(store_conn *c, const rv_plan *p);
/* Inserts records [from, to) in INSERTs of per_insert rows. */
int rv_insert_records(store_conn *c, rv_plan *p, size_t from, size_t to, int per_insert);
/* Sets finished_at and the record count, and appends the run's audit leaf. */
int rv_finish_run(store_conn *c, const rv_plan *p);
int rv_delete_run(store_conn *c, int64_t run_id);

/* A partitioned run (runs_job.c). rv_run_header fills p's file name, input and rule hashes, run id and
 * region from o (no store access: hashing a large file stays outside any transaction). rv_persist_with
 * builds the plan of one partition's flags (o->region_code required) and runs tx(c, plan, arg) in one
 * transaction, so the partition is stored whole or not at all. */
int rv_run_header(rv_plan *p, const yj_rules *rs, const yj_review_opts *o, char **err);
int rv_persist_with(struct store *s, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res,
		    const yj_review_opts *o, int (*tx)(store_conn *, rv_plan *, void *), void *arg, char **err);

/* Scoped tables (query builder): territory and department. */
extern const yj_table rv_runs_table, rv_flags_table, rv_reviews_table;

/* A review decision on flag id in scope sc: action "confirm", "dismiss" or "reopen". Returns ST_OK,
 * ST_NOTFOUND (absent or outside scope) or a failure. *applied is 0 when the flag is not in a state
 * the action applies to (nothing is written; state_out names the current state) — the handler turns
 * that into its refusal (yj_refuse), so the store has no private return code. */
int rv_decide(store_conn *c, const yj_scope *sc, int64_t id, const char *action, const char *actor,
	      const char *reason, int *applied, char state_out[16]);

/* ---- reads of flags and runs (review_store.c) for the handlers ---- */
#define RV_FLAG_COLS                                                                                               \
	"id, run_id, flag_id, rule_id, rule_type, result_type, claim_id, line_nos, service_date, item_code,"    \
	" institution_code, physician_id, patient_masked, amount_fen, message, region_code, state, reviewer,"   \
	" reviewed_at, reason, list_version"
/* A row of RV_FLAG_COLS as the API shows it, patient masked to its first four characters (new
 * reference). */
json_t *rv_flag_json(store_stmt *st);
/* The flag in scope with its review history (*out new reference), or ST_NOTFOUND. */
int rv_flag_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* The first flag in scope of the patient whose keyed hash is hash: *id and region (the caller's when
 * none) — ST_OK, ST_NOTFOUND or a failure. */
int rv_flag_by_patient(store_conn *c, const yj_scope *sc, const char *hash, int64_t *id, char region[16]);
/* The sealed patient id of the flag in scope: *out {patient_cipher, patient_masked, region_code} (new
 * reference), or ST_NOTFOUND. */
int rv_flag_sealed(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
#define RV_RUN_COLS                                                                                                \
	"id, started_at, finished_at, input_name, input_sha256, rules_sha256, rule_count, line_count, flag_count," \
	" flagged_lines, record_count, amount_fen, actor, region_code"
/* A row of RV_RUN_COLS (new reference), as a yj_row_fn (arg unused). */
json_t *rv_run_json(store_stmt *st, void *arg);
/* Runs in scope below id before, newest first, limit + 1 rows (for yj_reply_page); NULL on failure. */
store_stmt *rv_runs_query(store_conn *c, const yj_scope *sc, int64_t before, int limit);
/* Every run in scope, as a query to add to (the export's: yj_reply_id_export consumes it). */
yj_qb *rv_runs_select(const yj_scope *sc);
/* Whether run is visible in scope: ST_OK, ST_NOTFOUND or a failure. */
int rv_run_visible(store_conn *c, const yj_scope *sc, int64_t run);
/* The rule-set version: SHA-256 of DIR/rules.csv then DIR/item_lists.csv, as claim_runs.rules_sha256
 * records it; hex gets 64 digits and a NUL. *err (caller frees) on a file that cannot be read. */
int rv_rules_sha(const char *dir, char hex[65], char **err);
/* The run's flags in scope grouped by key_col (NULL: one total row), the top rows by amount when top
 * > 0: [{flags, amount_fen, amount_yuan, confirmed, …, <json_key>}] (*out new array). */
int rv_summary_group(store_conn *c, const yj_scope *sc, int64_t run, const char *key_col, const char *json_key, int top,
		     json_t **out);

/* Yuan as text with two decimals from fen ("-" sign kept), into out. */
void rv_yuan(int64_t fen, char out[32]);

#endif
