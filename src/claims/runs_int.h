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
/* The nightly screening of the drop directory (runs_drop.c), registered by yj_claims_drop_configure. */
#define RJ_DROP_HANDLER "claims.nightly_drop"

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

/* ---- partitions (runs_part.c, SQL in runs_store.c) ---- */
#define RJ_PART_HANDLER "claims.screen_part"
struct rv_plan;

/* Partitions for a file of bytes: YIJIAN_CLAIMS_PART_BYTES when set, else a quarter of physical memory per
 * partition (the load peaks near 1.2x the CSV and a process runs two jobs at a time); 1 .. 1024. */
int rj_parts_for(int64_t bytes);
/* Splits path into parts files "<path>.part<k>", each with the header, a line going to fnv1a(patient_id)
 * mod parts; when rs has rules spanning patients (rj_has_cross), file "<path>.part<parts>" — the cross
 * partition — gets also every line of their listed items. rows[k] (caller's array of parts + 1) gets each
 * file's data lines. *err (caller frees) on failure. */
int rj_split(const char *path, int parts, const yj_rules *rs, int64_t *rows, char **err);
int rj_has_cross(const yj_rules *rs);
/* out = the rules of rs that span patients (cross 1) or not (cross 0); out->r is the caller's to free, the
 * rest stays rs's. */
void rj_rules_subset(const yj_rules *rs, int cross, yj_rules *out);
/* The coordinator's transaction: the claim_runs row of hdr, a claim_run_parts row per partition (done at
 * once when it has no rows) and one more for the cross partition when cross, a deferred claims.screen_part
 * job "<id>:<k>" (payload "<id>:<k>:<cross>") for each other, and the run's state 'partitioned' with total
 * the number of partitions. */
int rj_partition(store *s, struct rv_plan *hdr, int parts, int cross, const int64_t *rows);
/* 1 when partition k of run id is stored, 0 when not, or a failure. */
int rj_part_done(store_conn *c, int64_t id, int k);
/* What the partition transaction (rj_part_tx, the tx of rv_persist_with) is told and tells. */
typedef struct rj_part_arg {
	int part, per_insert, cross; /* cross: the cross partition (its lines are counted in the others) */
	int stored, merged; /* out: this run stored the partition; it was the last and merged the run */
} rj_part_arg;
int rj_part_tx(store_conn *c, struct rv_plan *p, void *arg);
/* The job claims.screen_part (payload "<id>:<k>"): loads, screens and stores partition k. */
int rj_screen_part(yj_job_ctx *ctx);
/* The coordinator's share for a run of parts > 1 partitions: hashes, splits, rj_partition. */
int rj_start_parts(store *s, const rj_row *row, const yj_rules *rs, int parts, char **err);

#endif
