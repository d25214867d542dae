/* check_int.h — what check.c (one claim screened in memory against the patient's history, and the
 * per-process history cache), check_store.c (the history table's SQL) and check_api.c (POST
 * /api/v1/claims/check) share; nothing outside src/claims/check*.c includes it. */
#ifndef YJ_CLAIMS_CHECK_INT_H
#define YJ_CLAIMS_CHECK_INT_H

#include "claims.h"
#include "../base/base.h"
#include "../platform/http/http.h"
#include "../platform/store/store.h"

#include <jansson.h>

/* Days of history a check reads before the claim's first date: the longest look-back of any rule the
 * check runs (docs/claims.md, "Real-time check"): month rules need the calendar month (up to 30 days
 * back), readmission 15 days after a discharge of a stay that may itself be long, so two months. */
#define CK_HISTORY_DAYS 62
/* How long this process trusts its cached copy of a patient's history written by another process. */
#define CK_CACHE_TTL_MS 5000

/* The claim of a check as CSV lines in the loader's column order (no header), with the patient id
 * replaced by its keyed hash (history is keyed by that hash and stores no id). */
typedef struct ck_claim {
	char *csv;		/* owned */
	char claim_id[256];
	char patient_hash[65];
	char institution[256];
	int32_t first_day, last_day; /* earliest and latest date of the claim (service, admission, discharge) */
	int nlines;
} ck_claim;

/* Reads body (validated by the route's field list) into *out; problems go into errors as
 * {field, detail} (yj_field_error) and YJ_ERR is returned. ck_claim_free releases it either way. */
int ck_claim_from_json(const json_t *body, ck_claim *out, json_t *errors);
void ck_claim_free(ck_claim *c);

/* One claim of a patient's history as stored. */
typedef struct ck_hist {
	char *claim_id, *csv;
	int32_t last_day;
} ck_hist;

/* Screens cl with the history rows hist[0..n) (the same claim id skipped) against the configured
 * rule base: YJ_OK with *out {result, claim_id, flags:[…], history_claims, not_checked:[…]} (new
 * reference); YJ_ERR when the claim's lines do not load — errors gets one field error per bad line.
 * Returns 1 (and nothing else) when no rule base is configured. */
int ck_screen(const ck_claim *cl, const ck_hist *hist, int n, json_t **out, json_t *errors);

/* The per-process cache of patients' histories (a direct-mapped table, so bounded). ck_cache_get
 * copies the cached rows of hash loaded less than CK_CACHE_TTL_MS ago into *out and *n (caller frees
 * with ck_hist_free): 1 on a hit, 0 on a miss. ck_cache_put takes a copy of rows. */
int ck_cache_get(const char *hash, ck_hist **out, int *n);
void ck_cache_put(const char *hash, const ck_hist *rows, int n);
void ck_hist_free(ck_hist *rows, int n);

/* check_store.c: the patient's stored history (*out, *n; caller frees with ck_hist_free). */
int ck_history_load(store_conn *c, const char *hash, ck_hist **out, int *n);
/* Stores cl as the patient's history (replacing a claim of the same id) and drops that patient's
 * claims older than CK_HISTORY_DAYS before cl; inside the caller's write transaction. */
int ck_history_record(store_conn *c, const ck_claim *cl, const char *result, int64_t now_ms);

extern const yj_route yj_claims_check_routes[];

/* The engine as configured at start, for batch runs through the API (runs_job.c): every rule
 * (key_drug included), the reference tables, the rule base directory; NULL when not configured. */
const yj_rules *ck_rules_all(void);
const yj_refs *ck_refs(void);
const char *ck_rules_dir(void);
/* The rule-set version serve loaded (rv_rules_sha of the rule base at start), "" when not configured. */
const char *ck_rules_sha(void);

/* GET /api/v1/claims/catalogues (catalogues_api.c), listed by the module descriptor. */
extern const yj_route yj_claims_catalogue_routes[];
/* GET /api/v1/claims/rules and its export (rules_api.c), listed by the module descriptor. */
extern const yj_route yj_claims_rule_routes[];

#endif
