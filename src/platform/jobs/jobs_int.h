/* jobs_int.h — inside the job runner: the lease statements of jobs_store.c with the clock passed
 * in (so tests drive time), and the schedule arithmetic of jobs.c. Not for other modules. */
#ifndef YJ_JOBS_INT_H
#define YJ_JOBS_INT_H

#include "jobs.h"

/* A taken job. Strings are owned by the row: jobs_row_free releases them. */
typedef struct jobs_row {
	int64_t id;
	char *name;
	char *handler;
	char *payload;
	char *prev_owner; /* the expired lease's owner (a takeover), or NULL */
	int kind;	  /* enum yj_job_kind */
	int64_t schedule;
	int64_t failures;
	int64_t next_run_at;
} jobs_row;
void jobs_row_free(jobs_row *row);

/* Writes def's row unless it exists with the same kind and schedule (then nothing changes; a
 * changed schedule moves next_run_at). Own transaction. ST_OK or a failure. */
int jobs_store_ensure(store *s, const yj_job_def *def, int64_t now);

/* Takes the lease of the earliest due job whose handler is one of handlers[0..n) and whose lease
 * is free or expired: lease_owner = owner, lease_until = now + lease_ms. Own transaction.
 * ST_OK with *out filled (caller frees with jobs_row_free), ST_NOTFOUND when none is due. *out must
 * be zeroed or hold an earlier row, which is freed first. */
int jobs_store_take(store *s, const char *const *handlers, size_t n, const char *owner, int64_t now,
		    int64_t lease_ms, jobs_row *out);
/* Extends owner's lease of job id to now + lease_ms. ST_NOTFOUND when owner no longer holds it. */
int jobs_store_renew(store *s, int64_t id, const char *owner, int64_t now, int64_t lease_ms);

/* How a run ended, for jobs_store_finish. */
typedef struct jobs_outcome {
	int ok;		    /* 1 success, 0 failure */
	const char *error;  /* failure's message or NULL */
	int64_t failures;   /* consecutive failures after this run */
	int64_t next_run_at;
	int done;	    /* a deferred job that succeeded: state 'done' */
} jobs_outcome;
/* Records the run and frees the lease, only while owner holds it. ST_NOTFOUND when it does not. */
int jobs_store_finish(store *s, int64_t id, const char *owner, int64_t now, const jobs_outcome *o);
/* Frees owner's lease without recording a run (the runner is stopping), so another process may
 * take the job at once. ST_NOTFOUND when owner no longer holds it. */
int jobs_store_release(store *s, int64_t id, const char *owner, int64_t now);

/* Schedule arithmetic (no clock, no store). */
int64_t jobs_next_daily(int64_t after_ms, int64_t minutes);
int64_t jobs_next_run(int kind, int64_t schedule, int64_t started, int64_t finished);

#endif
