/* review_int.h — what review.c (grouping flags into records, the persisting driver), review_store.c
 * (its SQL) and review_api.c (the routes) share; nothing outside src/claims/review*.c includes it. */
#ifndef YJ_CLAIMS_REVIEW_INT_H
#define YJ_CLAIMS_REVIEW_INT_H

#include "review.h"
#include "../platform/store/query.h"

/* One flag record: the rows of one engine flag that fall on one claim (same institution, physician
 * and patient). Its rows are rv_plan.rows[first .. first+n), indices into res->f. */
typedef struct rv_rec {
	int32_t first, n;
	int64_t amount;
} rv_rec;

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
} rv_plan;

/* review_store.c: SQL of a run. Each runs inside the caller's transaction on c. */
int rv_region_exists(store_conn *c, const char *code);
int rv_insert_run(store_conn *c, const rv_plan *p);
/* Inserts records [from, to) in INSERTs of per_insert rows. */
int rv_insert_records(store_conn *c, rv_plan *p, size_t from, size_t to, int per_insert);
/* Sets finished_at and the record count, and appends the run's audit leaf. */
int rv_finish_run(store_conn *c, const rv_plan *p);
int rv_delete_run(store_conn *c, int64_t run_id);

/* Scoped tables (query builder): territory and department. */
extern const yj_table rv_runs_table, rv_flags_table, rv_reviews_table;

/* A review decision on flag id in scope sc: action "confirm", "dismiss" or "reopen". Returns ST_OK,
 * ST_NOTFOUND (absent or outside scope) or RV_STATE (the flag is not in a state the action applies
 * to; *state_out names the current state). */
#define RV_STATE (-50)
int rv_decide(store_conn *c, const yj_scope *sc, int64_t id, const char *action, const char *actor,
	      const char *reason, char state_out[16]);

/* Yuan as text with two decimals from fen ("-" sign kept), into out. */
void rv_yuan(int64_t fen, char out[32]);

#endif
