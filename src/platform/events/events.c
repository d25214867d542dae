/* events.c — the events module's logic: subscribers, appending, and delivery. A round of
 * delivery first retries a subscriber's parked events that are due (one subject at a time, in
 * event order), then reads new events after its cursor; each event is handled in one transaction
 * holding the subscriber's change, its delivery row and the cursor's move. The SQL is in
 * events_store.c; the periodic delivery jobs run on the job runner (platform/jobs). */
#define _POSIX_C_SOURCE 200809L
#include "events_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/log.h"
#include "../jobs/jobs.h"

#define MAX_SUBS 64

static const yj_subscriber *subs[MAX_SUBS];
static size_t nsubs;
static pthread_mutex_t subs_mu = PTHREAD_MUTEX_INITIALIZER;

void yj_events_subscribe(const yj_subscriber *sub)
{
	pthread_mutex_lock(&subs_mu);
	size_t i = 0;
	while (i < nsubs && strcmp(subs[i]->name, sub->name) != 0)
		i++;
	if (i < MAX_SUBS) {
		subs[i] = sub;
		if (i == nsubs)
			nsubs++;
	}
	pthread_mutex_unlock(&subs_mu);
}

const yj_subscriber *const *yj_events_subscribers(size_t *n)
{
	*n = nsubs;
	return subs;
}

/* Connections are per thread (store.h), so the thread's deferral is its connection's. */
static _Thread_local struct {
	store_conn *c; /* deferring on this connection; NULL when not */
	ev_pending *v;
	size_t n, cap;
	yj_strpool texts; /* the events' texts: freed at once (an import holds 600,000) */
} deferred;

static void deferred_clear(void)
{
	yj_strpool_free(&deferred.texts);
	free(deferred.v);
	memset(&deferred, 0, sizeof deferred);
}

void yj_events_defer_begin(store_conn *c)
{
	deferred_clear();
	deferred.c = c;
}

void yj_events_defer_discard(store_conn *c)
{
	if (deferred.c == c)
		deferred_clear();
}

int yj_events_defer_flush(store_conn *c)
{
	if (deferred.c != c)
		return ST_ERR;
	int rc = deferred.n ? ev_store_append_many(c, deferred.v, deferred.n) : ST_OK;
	deferred_clear();
	return rc;
}

static int defer_event(const yj_event *ev, int64_t now)
{
	char *payload = ev->payload ? json_dumps(ev->payload, JSON_COMPACT) : yj_strdup("{}");
	if (!payload)
		return ST_ERR;
	if (deferred.n == deferred.cap) {
		deferred.cap = deferred.cap ? 2 * deferred.cap : 1024;
		deferred.v = yj_realloc(deferred.v, deferred.cap * sizeof *deferred.v);
	}
	const char *t[5] = {ev->type, ev->subject_type, ev->subject_id, ev->region_code ? ev->region_code : "",
			    ev->actor ? ev->actor : "system"};
	ev_pending *p = &deferred.v[deferred.n++];
	const ev_pending *prev = deferred.n > 1 ? p - 1 : NULL;
	/* A text the event before had too (type, subject type, actor, an import's payload) is shared. */
	for (int k = 0; k < 5; k++)
		p->text[k] = prev && !strcmp(prev->text[k], t[k]) ? prev->text[k] : yj_strpool_dup(&deferred.texts, t[k]);
	p->payload = prev && !strcmp(prev->payload, payload) ? prev->payload : yj_strpool_dup(&deferred.texts, payload);
	free(payload);
	p->at = now;
	return ST_OK;
}

int yj_event_emit(store_conn *c, const yj_event *ev, int64_t *id_out)
{
	if (!ev->type || !*ev->type || !ev->subject_type || !ev->subject_id)
		return ST_ERR;
	if (ev->payload && !json_is_object(ev->payload))
		return ST_ERR;
	if (deferred.c == c) {
		if (id_out)
			*id_out = 0;
		return defer_event(ev, yj_now_ms());
	}
	return ev_store_append(c, ev, yj_now_ms(), id_out);
}

/* ---- delivery ---- */

enum { OUT_DELIVERED = 1, OUT_PARKED, OUT_SKIPPED };

struct attempt {
	const yj_subscriber *sub;
	ev_row *ev;
	int fresh; /* read after the cursor (else a parked one) */
	int64_t now;
	int outcome;
	int64_t attempts; /* failed attempts so far */
};

static int deliver_tx(store_conn *c, void *argp)
{
	struct attempt *a = argp;
	const char *name = a->sub->name, *state = NULL;
	int rc = ev_store_state(c, name, a->ev->id, &state, &a->attempts);
	if (rc < 0)
		return rc;
	if (state && strcmp(state, "done") == 0) {
		a->outcome = OUT_SKIPPED; /* delivered before: never again */
	} else if (a->fresh && (rc = ev_store_subject_blocked(c, name, a->ev->subject_type, a->ev->subject_id, a->ev->id))) {
		if (rc < 0)
			return rc;
		/* An earlier event of this subject waits: this one waits behind it, to keep the order. */
		rc = ev_store_mark(c, name, a->ev, "pending", a->attempts, 0, NULL, a->now);
		a->outcome = OUT_PARKED;
	} else if ((rc = ev_store_claim(c, name, a->ev, a->now)) == 1) {
		yj_event_view v;
		ev_row_view(a->ev, &v);
		rc = a->sub->fn(c, &v, a->sub->arg);
		if (rc < 0)
			return rc;
		a->outcome = OUT_DELIVERED;
	} else if (rc == 0) {
		a->outcome = OUT_SKIPPED; /* another deliverer took it meanwhile */
	}
	if (rc >= 0 && a->fresh)
		rc = ev_store_set_cursor(c, name, a->ev->id, a->now);
	return rc < 0 ? rc : ST_OK;
}

struct failure {
	struct attempt *a;
	const yj_events_policy *p;
	int code;
};

static int fail_tx(store_conn *c, void *argp)
{
	struct failure *f = argp;
	struct attempt *a = f->a;
	const char *state = NULL;
	int rc = ev_store_state(c, a->sub->name, a->ev->id, &state, &a->attempts);
	if (rc < 0)
		return rc;
	int64_t n = a->attempts + 1;
	char msg[64];
	snprintf(msg, sizeof msg, "the subscriber returned %d", f->code);
	rc = ev_store_mark(c, a->sub->name, a->ev, "pending", n,
			   a->now + yj_backoff_ms(n, f->p->backoff_ms, f->p->backoff_max_ms), msg, a->now);
	if (rc >= 0 && a->fresh)
		rc = ev_store_set_cursor(c, a->sub->name, a->ev->id, a->now);
	return rc < 0 ? rc : ST_OK;
}

/* Handles one event for sub; returns its outcome, 0 when it failed (and was parked for a retry),
 * or a store failure when even the failure could not be recorded. */
static int attempt(store *s, const yj_subscriber *sub, ev_row *ev, int fresh, int64_t now, const yj_events_policy *p)
{
	struct attempt a = {sub, ev, fresh, now, 0, 0};
	int rc = store_tx(s, deliver_tx, &a);
	if (rc >= 0)
		return a.outcome;
	yj_log(YJ_LOG_WARN, "event.delivery_failed", "\"subscriber\":\"%s\",\"event\":%lld,\"rc\":%d", sub->name,
	       (long long)ev->id, rc);
	struct failure f = {&a, p, rc};
	rc = store_tx(s, fail_tx, &f);
	return rc < 0 ? rc : 0;
}

static int load_event(store *s, int64_t id, ev_row *out)
{
	store_conn *c = store_conn_get(s);
	int rc = store_begin(c, 0);
	if (rc < 0)
		return rc;
	rc = ev_store_get(c, id, out);
	store_rollback(c);
	return rc;
}

static int in_list(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* Parked events that are due, in event order; a subject whose head fails or is not yet due keeps
 * the rest of its events parked. Adds the number handled to *handled. */
static int retry_parked(store *s, const yj_subscriber *sub, int64_t now, const yj_events_policy *p, int *handled)
{
	ev_parked *rows = NULL;
	size_t n = 0, nblocked = 0;
	int rc = ev_store_parked(s, sub->name, p->batch, &rows, &n);
	char **blocked = yj_calloc(n + 1, sizeof *blocked);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		if (in_list(blocked, nblocked, rows[i].subject))
			continue;
		if (rows[i].next_at > now) {
			blocked[nblocked++] = rows[i].subject;
			continue;
		}
		ev_row ev = {0};
		rc = load_event(s, rows[i].event_id, &ev);
		if (rc == ST_OK) {
			rc = attempt(s, sub, &ev, 0, now, p);
			if (rc == 0)
				blocked[nblocked++] = rows[i].subject;
			if (rc >= 0)
				(*handled)++;
		}
		ev_row_free(&ev);
	}
	for (size_t i = 0; i < n; i++)
		free(rows[i].subject);
	free(rows);
	free(blocked);
	return rc < 0 ? rc : ST_OK;
}

static int read_cursor(store *s, const char *sub, int64_t *pos)
{
	store_conn *c = store_conn_get(s);
	int rc = store_begin(c, 0);
	if (rc < 0)
		return rc;
	rc = ev_store_cursor(c, sub, pos);
	store_rollback(c);
	return rc;
}

static int deliver_new(store *s, const yj_subscriber *sub, int64_t now, const yj_events_policy *p, int *handled)
{
	int64_t pos = 0;
	ev_row *rows = NULL;
	size_t n = 0;
	int rc = read_cursor(s, sub->name, &pos);
	if (rc >= 0)
		rc = ev_store_after(s, sub->types, pos, p->batch, &rows, &n);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		rc = attempt(s, sub, &rows[i], 1, now, p);
		if (rc >= 0)
			(*handled)++;
	}
	for (size_t i = 0; i < n; i++)
		ev_row_free(&rows[i]);
	free(rows);
	return rc < 0 ? rc : ST_OK;
}

int yj_events_deliver(store *s, const yj_subscriber *sub, int64_t now, const yj_events_policy *p)
{
	yj_events_policy pol = p ? *p : (yj_events_policy){0};
	if (pol.backoff_ms <= 0)
		pol.backoff_ms = 5000;
	if (pol.backoff_max_ms <= 0)
		pol.backoff_max_ms = 3600000;
	if (pol.batch <= 0)
		pol.batch = 200;
	int handled = 0;
	int rc = retry_parked(s, sub, now, &pol, &handled);
	if (rc >= 0)
		rc = deliver_new(s, sub, now, &pol, &handled);
	return rc < 0 ? rc : handled;
}

/* ---- delivery jobs ---- */

static yj_job_def jobdefs[MAX_SUBS];
static char jobnames[MAX_SUBS][96];

/* Delivers to the subscriber until caught up (or the runner stops: every event handled so far is
 * committed, so stopping loses nothing). */
static int deliver_job(yj_job_ctx *ctx)
{
	const yj_subscriber *sub = yj_job_arg(ctx);
	for (;;) {
		int n = yj_events_deliver(yj_job_store(ctx), sub, yj_now_ms(), NULL);
		if (n < 0)
			return YJ_ERR;
		if (n == 0 || yj_job_stopping(ctx))
			return YJ_OK;
	}
}

void yj_events_register_jobs(int64_t every_s)
{
	pthread_mutex_lock(&subs_mu);
	for (size_t i = 0; i < nsubs; i++) {
		snprintf(jobnames[i], sizeof jobnames[i], "events.deliver:%s", subs[i]->name);
		jobdefs[i] = (yj_job_def){jobnames[i], YJ_JOB_EVERY, every_s > 0 ? every_s : 1, deliver_job, (void *)subs[i]};
		yj_jobs_register(&jobdefs[i]);
	}
	pthread_mutex_unlock(&subs_mu);
}

/* ---- metrics ---- */

void yj_events_metrics(store *s, yj_buf *out)
{
	store_conn *c = store_conn_get(s);
	if (store_begin(c, 0) < 0)
		return;
	int64_t last = 0;
	if (store_query_int64(c, "SELECT last_id FROM event_head WHERE id = 1", NULL, &last) == ST_OK)
		yj_buf_printf(out, "# HELP yijian_events_appended Events appended so far (the last event id).\n"
				   "# TYPE yijian_events_appended counter\nyijian_events_appended %lld\n",
			      (long long)last);
	yj_buf age = YJ_BUF_INIT;
	yj_buf_puts(out, "# HELP yijian_events_undelivered Events a subscriber has not yet taken (new or parked for retry).\n"
			 "# TYPE yijian_events_undelivered gauge\n");
	yj_buf_puts(&age, "# HELP yijian_events_oldest_undelivered_seconds Age of the oldest event a subscriber has not yet taken.\n"
			  "# TYPE yijian_events_oldest_undelivered_seconds gauge\n");
	int64_t now = yj_now_ms();
	for (size_t i = 0; i < nsubs; i++) {
		int64_t n = 0, oldest = 0;
		if (ev_store_lag(c, subs[i]->name, subs[i]->types, &n, &oldest) < 0)
			break;
		yj_buf_printf(out, "yijian_events_undelivered{subscriber=\"%s\"} %lld\n", subs[i]->name, (long long)n);
		yj_buf_printf(&age, "yijian_events_oldest_undelivered_seconds{subscriber=\"%s\"} %.3f\n", subs[i]->name,
			      oldest ? (double)(now - oldest) / 1000.0 : 0.0);
	}
	yj_buf_append(out, age.data ? age.data : "", age.len);
	yj_buf_free(&age);
	store_rollback(c);
}
