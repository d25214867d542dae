/* jobs.h — the job runner: periodic work (every N seconds, or daily at a time in Asia/Shanghai)
 * and deferred work (run once at a time T), each registered by name with a C function. Every job
 * is a row of the jobs table; a process runs a job only while it holds the row's lease, taken with
 * `SELECT … FOR UPDATE SKIP LOCKED` (on SQLite the single writer serialises the same statement),
 * so N `yijian serve` processes sharing one PostgreSQL run each job exactly once at a time. A
 * lease is renewed while its job runs and expires when its process dies; another process then
 * takes the job over. A failed run is retried with exponential back-off.
 *
 * Ownership: definitions passed to yj_jobs_register are borrowed for the life of the process
 * (use static storage); strings returned by accessors are borrowed for the run. */
#ifndef YJ_JOBS_H
#define YJ_JOBS_H

#include <stdint.h>

#include "../../base/base.h"
#include "../store/store.h"

typedef struct yj_job_ctx yj_job_ctx;

/* A job's work. Returns YJ_OK when done, or a failure (negative) to have it retried with
 * back-off. A long job calls yj_job_stopping now and then and, when it says so, returns YJ_ERR
 * at once: a run cut short by the runner's stop is released, not counted, and runs again. */
typedef int (*yj_job_fn)(yj_job_ctx *ctx);

enum yj_job_kind {
	YJ_JOB_EVERY,	 /* every `schedule` seconds, counted from the start of the last run */
	YJ_JOB_DAILY,	 /* at `schedule` minutes after midnight, Asia/Shanghai (UTC+8, no DST) */
	YJ_JOB_DEFERRED, /* no schedule of its own: yj_job_defer puts work for it */
};

typedef struct yj_job_def {
	const char *name; /* "events.deliver:todos", "inspection.overdue"; also the handler's name */
	enum yj_job_kind kind;
	int64_t schedule; /* seconds (EVERY) or minutes after local midnight (DAILY); 0 for DEFERRED */
	yj_job_fn run;
	void *arg;	  /* passed through yj_job_arg */
} yj_job_def;

/* Registers a job (def borrowed, see above); call before yj_jobs_start. A second definition
 * with the same name replaces the first. Up to 256. */
void yj_jobs_register(const yj_job_def *def);

/* Puts deferred work for handler (registered as YJ_JOB_DEFERRED) to run once at or after at_ms,
 * inside the caller's write transaction c, so the work exists exactly when the change does.
 * key names the work among the handler's (at most 200 bytes); putting the same key again while
 * it is pending changes nothing and returns ST_OK; once it is done, putting it again schedules it
 * anew. payload (may be NULL) is copied. */
int yj_job_defer(store_conn *c, const char *handler, const char *key, int64_t at_ms, const char *payload);

/* ---- inside a running job ---- */
store *yj_job_store(yj_job_ctx *ctx);
void *yj_job_arg(yj_job_ctx *ctx);
const char *yj_job_payload(yj_job_ctx *ctx); /* "" for periodic jobs */
const char *yj_job_name(yj_job_ctx *ctx);
/* True once the runner is stopping or this process has lost the job's lease (another process
 * may be running it): return soon, without finishing. */
int yj_job_stopping(yj_job_ctx *ctx);

/* ---- the runner ---- */
typedef struct yj_jobs_config {
	int threads;	      /* jobs run at the same time in this process; default 2 */
	int64_t lease_ms;     /* lease length, renewed every lease_ms / 3 while a job runs; default 30000 */
	int64_t poll_ms;      /* how often an idle thread looks for due jobs; default 1000 */
	int64_t backoff_ms;   /* first retry delay after a failure, doubled per failure; default 5000 */
	int64_t backoff_max_ms; /* longest retry delay; default 3600000 */
} yj_jobs_config;

typedef struct yj_jobs yj_jobs;

/* Writes every registered periodic job's row (keeping its state when it exists) and starts the
 * runner threads. cfg may be NULL (defaults). Returns NULL with *err (caller frees) on failure.
 * The store must outlive the runner. */
yj_jobs *yj_jobs_start(store *s, const yj_jobs_config *cfg, char **err);
/* Asks running jobs to stop (yj_job_stopping), waits for them, releases their leases so another
 * process can take them at once, and frees the runner. NULL is ignored. */
void yj_jobs_stop(yj_jobs *j);

/* The lease probe, for the multi-process test and for an operator checking a deployment: a
 * deferred job "platform.lease_probe" that waits ms (1..600000) doing nothing but renewing its
 * lease, then logs job.lease_probe.done. Registers it and puts its run (key "probe") for now, unless
 * one is pending. Harmless by design: it touches no row but its own. serve enables it when
 * YIJIAN_LEASE_PROBE_MS is set. Returns ST_OK or a store failure. */
int yj_jobs_enable_probe(store *s, int64_t ms);

/* Retry delay after the n-th consecutive failure (n >= 1): base_ms doubled n - 1 times, at most
 * max_ms. Jobs and event deliveries back off by it. */
int64_t yj_backoff_ms(int64_t n, int64_t base_ms, int64_t max_ms);

/* This process's owner name, "host:pid:nonce" (static storage); each runner thread holds leases
 * as "host:pid:nonce/<thread>", so two threads of one process never share a lease. */
const char *yj_jobs_owner(void);

/* Prometheus lines on the jobs (consecutive failures, last success, leased now) appended to out.
 * Reads in a transaction of its own; writes nothing when the store cannot be read. */
void yj_jobs_metrics(store *s, yj_buf *out);

#endif
