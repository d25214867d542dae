/* physicians_int.h — physician monitoring (医保医师监测): physicians.c (rates and peer comparison),
 * physicians_store.c (the SQL over claim_run_physicians and claim_flags) and physicians_api.c
 * (GET /api/v1/claims/physicians…) share it. */
#ifndef YJ_CLAIMS_PHYSICIANS_INT_H
#define YJ_CLAIMS_PHYSICIANS_INT_H

#include "claims.h"
#include "../platform/http/http.h"
#include "../platform/store/store.h"
#include "../platform/store/query.h"

/* One physician at one institution in one run. */
typedef struct ph_row {
	char physician[64], institution[64], dept[32];
	int64_t lines, claims, amount;
	int64_t records, flagged_claims, flagged_amount, confirmed, confirmed_amount;
	double rate; /* flagged claims / claims */
	int dept_n, inst_n;
	double dept_median, inst_median;
} ph_row;

extern const yj_table ph_table;
extern const yj_route yj_claims_physician_routes[];

/* Every physician of run in scope sc with the run's flags on them: *out (caller frees), *n. */
int ph_load_run(store_conn *c, const yj_scope *sc, int64_t run, ph_row **out, size_t *n);
/* The physician's rows across runs in scope (optionally of one institution), oldest run first, at
 * most limit: a JSON array (new reference) of {run_id, started_at, input_name, …}. */
int ph_trend(store_conn *c, const yj_scope *sc, const char *physician, const char *institution, int limit,
	     json_t **out);

/* physicians.c: rates and the peers' medians — department peers (same institution and department)
 * and institution peers (same institution). */
void ph_compare(ph_row *v, size_t n);
json_t *ph_json(const ph_row *r);

#endif
