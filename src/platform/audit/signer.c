/* signer.c — the per-process signer of tree heads: a thread that signs the committed log at start
 * (leaves left unsigned by a killed process) and then every half merge delay, so that appends stay
 * free of signatures and a leaf still waits at most the bound for its head (docs/audit.md); on
 * PostgreSQL it also vacuums the head row's table every TIDY_EVERY leaves. */
#define _POSIX_C_SOURCE 200809L
#include "audit.h"
#include "../../base/base.h"
#include "../../base/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct yj_audit_signer {
	store *s;
	int64_t period_ms;
	int64_t tidied; /* the signed size at the last VACUUM of the head row's table */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

/* Leaves between VACUUMs of audit_head on PostgreSQL. Every append or group updates its one row,
 * and under load (transactions in flight hold back pruning) the updates stop being HOT: measured
 * after bench/credit_check.mjs's saturation runs, 87,711 updates left a 1-row table of 955 pages
 * (7.8 MB) with thousands of dead index entries that every head read and bump walked — a tail of
 * 50–200 ms on 5–10 % of checks until autovacuum (once a minute at most) came. VACUUM of this table
 * takes no lock that writers wait for. */
#define TIDY_EVERY 2000

static void sign_once(yj_audit_signer *g, int *failing)
{
	int64_t size = 0;
	int rc = yj_audit_sign_pending(g->s, &size);
	if (rc >= 0 && size - g->tidied >= TIDY_EVERY && !strcmp(store_engine(g->s), "postgresql")) {
		if (store_exec(store_conn_get(g->s), "VACUUM audit_head") < 0)
			yj_log(YJ_LOG_WARN, "audit.head_vacuum_failed", "\"error\":\"%s\"", store_errmsg(store_conn_get(g->s)));
		g->tidied = size;
	}
	/* Logged once per run of failures, not every tick of an unreachable database. */
	if (rc < 0 && !*failing)
		yj_log(YJ_LOG_WARN, "audit.sign_failed", "\"rc\":%d", rc);
	else if (rc >= 0 && *failing)
		yj_log(YJ_LOG_INFO, "audit.sign_recovered", NULL);
	*failing = rc < 0;
}

static void *run(void *arg)
{
	yj_audit_signer *g = arg;
	int failing = 0;
	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		pthread_mutex_unlock(&g->mu);
		sign_once(g, &failing);
		pthread_mutex_lock(&g->mu);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += g->period_ms / 1000;
		until.tv_nsec += (g->period_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!g->stop && pthread_cond_timedwait(&g->cv, &g->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&g->mu);
	/* Leaves committed since the last tick get their head before the process goes. */
	sign_once(g, &failing);
	return NULL;
}

yj_audit_signer *yj_audit_signer_start(store *s, int64_t bound_ms, char **err)
{
	*err = NULL;
	if (bound_ms < 1) {
		*err = yj_strdup("the audit merge delay must be at least 1 ms");
		return NULL;
	}
	yj_audit_signer *g = yj_calloc(1, sizeof *g);
	g->s = s;
	g->period_ms = bound_ms / 2 ? bound_ms / 2 : 1;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&g->mu, NULL);
	if (pthread_create(&g->thread, NULL, run, g) != 0) {
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
		free(g);
		*err = yj_strdup("cannot start the audit signer thread");
		return NULL;
	}
	return g;
}

void yj_audit_signer_stop(yj_audit_signer *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}
