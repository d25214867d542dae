/* review.h — review of screening flags (疑点审核): a screening run and its flags persisted to the store
 * (`yijian screen --db`), and the routes under /api/v1/claims where insurance analysts list flags by
 * institution and physician, confirm (确认) or dismiss (排除) each with a reason, and sum the confirmed
 * amounts per institution. Tables: migration 0006_claim_flags.sql. */
#ifndef YJ_CLAIMS_REVIEW_H
#define YJ_CLAIMS_REVIEW_H

#include <stdint.h>

#include "claims.h"
#include "../platform/http/http.h"
#include "../platform/store/store.h"

/* What a run records besides the flags. Strings are borrowed for the call. */
typedef struct yj_review_opts {
	const char *claims_path; /* the screened file: its name and SHA-256 are stored */
	const char *rules_dir;	 /* rules.csv and item_lists.csv are hashed */
	const char *region_code; /* the run's territory, or NULL: the smallest region holding every institution
				    of the file that the registry knows */
	const char *actor;	 /* "cli:<user>" */
	int64_t started_at;	 /* epoch ms when screening began */
	int batch;		 /* flag records per transaction; 0 means 2000 */
	int per_insert;		 /* records per INSERT; 0: 1 on SQLite, 100 on PostgreSQL (measured, see review.c) */
	int progress;		 /* progress lines on stderr */
} yj_review_opts;

typedef struct yj_review_stats {
	int64_t run_id;
	int64_t records;	/* rows written to claim_flags */
	int64_t amount_fen;	/* their amount at stake */
	int64_t in_registry;	/* records whose region came from the registry's institution */
	int64_t transactions;	/* write transactions used for the records */
	char region_code[16];	/* the run's territory */
	double seconds;		/* writing the records (not the hashing) */
} yj_review_stats;

/* Writes one run and its flag records (one record per engine flag and claim; see docs/claims.md)
 * into s, which must be migrated, in transactions of o->batch records, then marks the run finished
 * and appends one audit leaf (claims.screen). The pii key must be loaded (patient ids are
 * encrypted) and so must the audit key. On failure the partial run is removed and *err (caller
 * frees, Chinese) says why. Returns YJ_OK or YJ_ERR. */
int yj_review_persist(store *s, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res,
		      const yj_review_opts *o, yj_review_stats *st, char **err);

/* Number of flag records yj_review_persist would write for res (for tests and progress). */
int64_t yj_review_count_records(const yj_claims *c, const yj_screen_result *res);

/* /api/v1/claims/runs, /api/v1/claims/flags…, /api/v1/claims/summary. */
extern const yj_route yj_claims_review_routes[];

/* The module descriptor (claims_module.c; platform/module.h). */
extern const struct yj_module yj_claims_module;

/* What other capabilities read of a flag (review_store.c): enforcement opens a clue from a confirmed one. */
typedef struct yj_claims_flag_brief {
	int64_t id, amount_fen;
	char state[16], rule_id[64], institution_code[64], region_code[16], department[32];
} yj_claims_flag_brief;
/* The flag id as the caller of scope sc sees it: ST_OK, ST_NOTFOUND (absent or outside sc) or a failure. */
int yj_claims_flag_get(store_conn *c, const yj_scope *sc, int64_t id, yj_claims_flag_brief *out);

#endif
