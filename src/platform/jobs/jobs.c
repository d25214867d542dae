/* jobs.c — the job runner's logic: the registry of job definitions, the schedule arithmetic, and
 * the threads that take due jobs' leases, run them, renew the leases while they run (one
 * heartbeat thread for all) and record each run. The SQL is in jobs_store.c. */
#define _POSIX_C_SOURCE 200809L
#include "jobs_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../base/log.h"

#define MAX_JOBS 256
#define MAX_THREADS 16
#define DAY_MS 86400000LL
#define SHANGHAI_MS (8 * 3600000LL) /* UTC+8 all year: China has kept no daylight saving since 1991 */

/* ---- registry ---- */

static const yj_job_def *registry[MAX_JOBS];
static size_t nregistry;
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;

void yj_jobs_register(const yj_job_def *def)
{
	pthread_mutex_lock(&registry_mu);
	size_t i = 0;
	while (i < nregistry && strcmp(registry[i]->name, def->name) != 0)
		i++;
	if (i < MAX_JOBS) {
		registry[i] = def;
		if (i == nregistry)
			nregistry++;
	}
	pthread_mutex_unlock(&registry_mu);
}

static const yj_job_def *find_def(const char *name)
{
	for (size_t i = 0; i < nregistry; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

/* ---- schedule arithmetic ---- */

int64_t jobs_next_daily(int64_t after_ms, int64_t minutes)
{
	int64_t local = after_ms + SHANGHAI_MS;
	int64_t day = local - ((local % DAY_MS) + DAY_MS) % DAY_MS; /* local midnight, also before 1970 */
	int64_t t = day + minutes * 60000;
	if (t <= local)
		t += DAY_MS;
	return t - SHANGHAI_MS;
}

int64_t jobs_next_run(int kind, int64_t schedule, int64_t started, int64_t finished)
{
	if (kind == YJ_JOB_DAILY)
		return jobs_next_daily(started > finished ? started : finished, schedule);
	int64_t next = started + schedule * 1000;
	return next > finished ? next : finished; /* a run longer than its interval: the next starts at once */
}

int64_t yj_backoff_ms(int64_t failures, int64_t base_ms, int64_t max_ms)
{
	int64_t d = base_ms;
	for (int64_t i = 1; i < failures && d < max_ms; i++)
		d *= 2;
	return d < max_ms ? d : max_ms;
}

/* ---- the owner name ---- */

static char owner_name[128];
static pthread_once_t owner_once = PTHREAD_ONCE_INIT;

static void owner_init(void)
{
	char host[64] = "host";
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* The nonce tells apart two processes that reuse a pid (containers restarting). */
	snprintf(owner_name, sizeof owner_name, "%s:%ld:%08lx", host, (long)getpid(),
		 (unsigned long)((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20)) & 0xffffffffUL);
}

const char *yj_jobs_owner(void)
{
	pthread_once(&owner_once, owner_init);
	return owner_name;
}

/* ---- the runner ---- */

struct yj_job_ctx {
	yj_jobs *jobs;
	char owner[160];      /* the process's owner name and "/<slot>": a lease belongs to one thread */
	jobs_row row;
	const yj_job_def *def;
	atomic_int lost;      /* the heartbeat found the lease gone */
	atomic_int running;   /* the heartbeat renews only while set */
};

struct yj_jobs {
	store *st;
	yj_jobs_config cfg;
	const char **handlers;
	size_t nhandlers;
	atomic_int stopping;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int nthreads;
	pthread_t threads[MAX_THREADS];
	pthread_t heartbeat;
	int heartbeat_started;
	yj_job_ctx slots[MAX_THREADS];
};

store *yj_job_store(yj_job_ctx *ctx)
{
	return ctx->jobs->st;
}

void *yj_job_arg(yj_job_ctx *ctx)
{
	return ctx->def->arg;
}

const char *yj_job_payload(yj_job_ctx *ctx)
{
	return ctx->row.payload ? ctx->row.payload : "";
}

const char *yj_job_name(yj_job_ctx *ctx)
{
	return ctx->row.name;
}

int yj_job_stopping(yj_job_ctx *ctx)
{
	return atomic_load(&ctx->jobs->stopping) || atomic_load(&ctx->lost);
}

/* Sleeps up to ms, waking early when the runner stops. */
static void nap(yj_jobs *j, int64_t ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->mu);
	while (!atomic_load(&j->stopping))
		if (pthread_cond_timedwait(&j->cv, &j->mu, &until) != 0)
			break;
	pthread_mutex_unlock(&j->mu);
}

/* Records how ctx's run ended; rc is the job function's return. */
static void record(yj_jobs *j, yj_job_ctx *ctx, int rc, int64_t started)
{
	jobs_row *row = &ctx->row;
	int64_t now = yj_now_ms();
	const char *owner = ctx->owner;
	if (atomic_load(&ctx->lost)) {
		yj_log(YJ_LOG_WARN, "job.lease_lost", "\"job\":\"%s\"", row->name);
		return;
	}
	if (rc < 0 && atomic_load(&j->stopping)) {
		jobs_store_release(j->st, row->id, owner, now); /* cut short by the stop: another process resumes it */
		yj_log(YJ_LOG_INFO, "job.interrupted", "\"job\":\"%s\"", row->name);
		return;
	}
	jobs_outcome o = {.ok = rc >= 0};
	if (o.ok) {
		o.done = row->kind == YJ_JOB_DEFERRED;
		o.next_run_at = o.done ? row->next_run_at : jobs_next_run(row->kind, row->schedule, started, now);
	} else {
		o.failures = row->failures + 1;
		o.error = "the job returned a failure";
		o.next_run_at = now + yj_backoff_ms(o.failures, j->cfg.backoff_ms, j->cfg.backoff_max_ms);
	}
	int src = jobs_store_finish(j->st, row->id, owner, now, &o);
	yj_log(o.ok ? YJ_LOG_DEBUG : YJ_LOG_WARN, "job.finish", "\"job\":\"%s\",\"result\":\"%s\",\"ms\":%lld%s",
	       row->name, o.ok ? "ok" : "failed", (long long)(now - started),
	       src == ST_OK ? "" : ",\"recorded\":false");
}

static void run_one(yj_jobs *j, yj_job_ctx *ctx)
{
	ctx->def = find_def(ctx->row.handler);
	int64_t started = yj_now_ms();
	if (ctx->row.prev_owner)
		yj_log(YJ_LOG_WARN, "job.takeover", "\"job\":\"%s\",\"expired_owner\":\"%s\"", ctx->row.name,
		       ctx->row.prev_owner);
	yj_log(YJ_LOG_DEBUG, "job.start", "\"job\":\"%s\",\"owner\":\"%s\"", ctx->row.name, ctx->owner);
	atomic_store(&ctx->lost, 0);
	atomic_store(&ctx->running, 1);
	int rc = ctx->def ? ctx->def->run(ctx) : YJ_ERR;
	atomic_store(&ctx->running, 0);
	pthread_mutex_lock(&j->mu); /* the heartbeat may be renewing this slot's lease right now */
	pthread_mutex_unlock(&j->mu);
	record(j, ctx, rc, started);
	jobs_row_free(&ctx->row);
}

struct worker {
	yj_jobs *j;
	int slot;
};

static void *worker_main(void *argp)
{
	yj_jobs *j = ((struct worker *)argp)->j;
	yj_job_ctx *ctx = &j->slots[((struct worker *)argp)->slot];
	free(argp);
	while (!atomic_load(&j->stopping)) {
		int rc = jobs_store_take(j->st, j->handlers, j->nhandlers, ctx->owner, yj_now_ms(), j->cfg.lease_ms,
					 &ctx->row);
		if (rc == ST_OK) {
			run_one(j, ctx);
			continue; /* another may be due */
		}
		if (rc != ST_NOTFOUND)
			yj_log(YJ_LOG_WARN, "job.take_failed", "\"rc\":%d", rc);
		nap(j, j->cfg.poll_ms);
	}
	return NULL;
}

/* Renews the lease of every running slot every lease/3; a renewal that finds the lease gone
 * marks the slot lost, and yj_job_stopping tells its job. Renewals hold mu so run_one knows
 * when none is in flight for its slot. */
static void *heartbeat_main(void *argp)
{
	yj_jobs *j = argp;
	while (!atomic_load(&j->stopping)) {
		nap(j, j->cfg.lease_ms / 3);
		for (int i = 0; i < j->nthreads; i++) {
			yj_job_ctx *ctx = &j->slots[i];
			pthread_mutex_lock(&j->mu);
			if (atomic_load(&ctx->running) && !atomic_load(&ctx->lost)) {
				int rc = jobs_store_renew(j->st, ctx->row.id, ctx->owner, yj_now_ms(), j->cfg.lease_ms);
				if (rc == ST_NOTFOUND)
					atomic_store(&ctx->lost, 1);
			}
			pthread_mutex_unlock(&j->mu);
		}
	}
	return NULL;
}

static void defaults(yj_jobs_config *c)
{
	if (c->threads <= 0)
		c->threads = 2;
	if (c->threads > MAX_THREADS)
		c->threads = MAX_THREADS;
	if (c->lease_ms <= 0)
		c->lease_ms = 30000;
	if (c->poll_ms <= 0)
		c->poll_ms = 1000;
	if (c->backoff_ms <= 0)
		c->backoff_ms = 5000;
	if (c->backoff_max_ms <= 0)
		c->backoff_max_ms = 3600000;
}

static int start_threads(yj_jobs *j, char **err)
{
	for (int i = 0; i < j->cfg.threads; i++) {
		struct worker *w = yj_malloc(sizeof *w);
		w->j = j;
		w->slot = i;
		j->slots[i].jobs = j;
		snprintf(j->slots[i].owner, sizeof j->slots[i].owner, "%s/%d", yj_jobs_owner(), i);
		if (pthread_create(&j->threads[i], NULL, worker_main, w) != 0) {
			free(w);
			*err = yj_strdup("cannot start a job thread");
			return YJ_ERR;
		}
		j->nthreads++;
	}
	if (pthread_create(&j->heartbeat, NULL, heartbeat_main, j) != 0) {
		*err = yj_strdup("cannot start the job heartbeat thread");
		return YJ_ERR;
	}
	j->heartbeat_started = 1;
	return YJ_OK;
}

yj_jobs *yj_jobs_start(store *s, const yj_jobs_config *cfg, char **err)
{
	yj_jobs *j = yj_calloc(1, sizeof *j);
	j->st = s;
	if (cfg)
		j->cfg = *cfg;
	defaults(&j->cfg);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	int64_t now = yj_now_ms();
	pthread_mutex_lock(&registry_mu);
	j->handlers = yj_calloc(nregistry + 1, sizeof *j->handlers);
	for (size_t i = 0; i < nregistry; i++) {
		j->handlers[j->nhandlers++] = registry[i]->name;
		if (jobs_store_ensure(s, registry[i], now) < 0) {
			pthread_mutex_unlock(&registry_mu);
			*err = yj_asprintf("cannot write job %s: %s", registry[i]->name, store_errmsg(store_conn_get(s)));
			goto fail;
		}
	}
	pthread_mutex_unlock(&registry_mu);
	if (start_threads(j, err) < 0)
		goto fail;
	yj_log(YJ_LOG_INFO, "jobs.start", "\"owner\":\"%s\",\"jobs\":%zu,\"threads\":%d", yj_jobs_owner(), j->nhandlers,
	       j->cfg.threads);
	return j;
fail:
	yj_jobs_stop(j);
	return NULL;
}

void yj_jobs_stop(yj_jobs *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->mu);
	atomic_store(&j->stopping, 1);
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	for (int i = 0; i < j->nthreads; i++)
		pthread_join(j->threads[i], NULL);
	if (j->heartbeat_started)
		pthread_join(j->heartbeat, NULL);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j->handlers);
	free(j);
}

/* ---- the lease probe ---- */

static int64_t probe_ms;

static int probe_run(yj_job_ctx *ctx)
{
	uint64_t until = yj_mono_ns() + (uint64_t)probe_ms * 1000000u;
	while (yj_mono_ns() < until) {
		if (yj_job_stopping(ctx))
			return YJ_ERR; /* released or lost: whoever holds the lease next runs it whole */
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	yj_log(YJ_LOG_INFO, "job.lease_probe.done", "\"owner\":\"%s\",\"ms\":%lld", yj_jobs_owner(), (long long)probe_ms);
	return YJ_OK;
}

static int probe_defer_tx(store_conn *c, void *arg)
{
	return yj_job_defer(c, "platform.lease_probe", "probe", yj_now_ms(), NULL);
}

int yj_jobs_enable_probe(store *s, int64_t ms)
{
	static const yj_job_def def = {"platform.lease_probe", YJ_JOB_DEFERRED, 0, probe_run, NULL};
	probe_ms = ms < 1 ? 1 : ms > 600000 ? 600000 : ms;
	yj_jobs_register(&def);
	return store_tx(s, probe_defer_tx, NULL);
}
