/* runs_int.h — screening runs submitted through the API: runs_api.c (POST /api/v1/claims/runs, the
 * upload streamed to the spool directory; GET …/runs/{id}, the progress), runs_job.c (the deferred
 * job that loads, screens and stores) and runs_store.c (the claim_run_jobs SQL) share it. */
#ifndef YJ_CLAIMS_RUNS_INT_H
#define YJ_CLAIMS_RUNS_INT_H

#include "claims.h"
#include "../platform/http/http.h"
#include "../platform/store/store.h"
#include "../platform/store/query.h"
#include "../platform/jobs/jobs.h"

#define RJ_HANDLER "claims.screen_run"

extern const yj_table rj_table;
extern const yj_route yj_claims_run_routes[];
extern const yj_job_def yj_claims_jobs[];

/* A submitted run as the job reads it. */
typedef struct rj_row {
	int64_t id;
	char state[16], actor[32], region[16];
	char input_name[256], input_path[1024];
} rj_row;

/* Inserts the queued row and defers the job, inside the caller's write transaction. */
int rj_insert(store_conn *c, int64_t id, const char *actor, const char *name, const char *path, int64_t bytes,
	      const char *region, int64_t now_ms);
/* The row of id (ST_NOTFOUND when absent). */
int rj_get(store_conn *c, int64_t id, rj_row *out);
/* Sets state (and, when >= 0, done/total/lines/flags; error when non-NULL) in a transaction of its own. */
int rj_set(store *s, int64_t id, const char *state, int64_t done, int64_t total, int64_t lines, int64_t flags,
	   const char *error);
/* The row in scope sc as JSON (new reference), ST_NOTFOUND when absent or out of scope. */
int rj_json(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* Removes a run's partial records (a run taken over from a process that died while storing). */
int rj_drop_partial(store *s, int64_t id);

#endif
