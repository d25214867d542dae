/* store_route.c — the read view: a store whose connections send reads to a PostgreSQL streaming
 * replica and everything else to the primary, and the thread that measures how far behind the
 * replica is. Statements are the engines' own (a prepare returns the replica's or the primary's
 * statement), so only connection-level calls pass through here. */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"
#include "../../base/base.h"
#include "../../base/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NSAMPLES 64

typedef struct route_engine {
	store *primary; /* borrowed */
	store *replica; /* owned */
	int64_t check_ms;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	/* the last check, under mu */
	int up;
	uint64_t replay_lsn;
	uint64_t fresh_ns; /* yj_mono_ns when the replica last held all the primary had; 0: never */
	/* primary positions sampled by the checks not yet known to be replayed (thread-owned) */
	struct {
		uint64_t at_ns, lsn;
	} samples[NSAMPLES];
	int nsamples;
	int failing; /* the checks fail: logged once per run of failures */
} route_engine;

typedef struct route_conn {
	store_conn base;
	store_conn *replica, *primary; /* this thread's connections of each store */
	store_conn *tx;		       /* where the open transaction runs, or NULL */
	store_conn *last;	       /* where the last call went, for store_errmsg */
	int pinned;		       /* to the primary until store_view_reset */
} route_conn;

static route_engine *engine_of(store *view)
{
	return view->engine;
}

/* ---- LSNs ---- */

/* "16/B374D848" as a 64-bit position; 0 for NULL or a malformed value. */
static uint64_t parse_lsn(const char *v)
{
	unsigned hi, lo;
	if (!v || sscanf(v, "%X/%X", &hi, &lo) != 2)
		return 0;
	return (uint64_t)hi << 32 | lo;
}

static int query_lsn(store_conn *c, const char *sql, uint64_t *lsn)
{
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*lsn = parse_lsn(store_col_text(st, 0));
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_ERR;
	}
	store_finalize(st);
	return rc;
}

int store_wal_lsn(store_conn *c, uint64_t *lsn)
{
	if (c->s->drv != &store_pg_driver)
		return ST_ERR;
	/* With synchronous_commit on a commit has been flushed, so the flushed-and-written position
	 * covers it; with it off only the insert position is sure to. */
	return query_lsn(c,
			 "SELECT (CASE WHEN current_setting('synchronous_commit') = 'off' THEN pg_current_wal_insert_lsn()"
			 " ELSE pg_current_wal_lsn() END)::text",
			 lsn);
}

/* ---- the checker thread ---- */

static void mark_down(route_engine *e)
{
	pthread_mutex_lock(&e->mu);
	e->up = 0;
	pthread_mutex_unlock(&e->mu);
}

/* One check: the primary's position first, then the replica's replay position. When the replica
 * has replayed a position sampled earlier, it held at least everything the primary had then. */
static void check_once(route_engine *e)
{
	uint64_t now = yj_mono_ns(), p = 0, rl = 0;
	int rc = query_lsn(store_conn_get(e->primary), "SELECT pg_current_wal_lsn()::text", &p);
	if (rc == ST_OK) {
		if (e->nsamples == NSAMPLES) { /* far behind: forget the oldest, which only makes it look staler */
			memmove(&e->samples[0], &e->samples[1], (NSAMPLES - 1) * sizeof e->samples[0]);
			e->nsamples--;
		}
		e->samples[e->nsamples].at_ns = now;
		e->samples[e->nsamples].lsn = p;
		e->nsamples++;
	}
	store_conn *rc_conn = store_conn_get(e->replica);
	/* NULL outside recovery: a promoted or wrongly given server is not this primary's replica. */
	int rrc = query_lsn(rc_conn, "SELECT pg_last_wal_replay_lsn()::text", &rl);
	int up = rrc == ST_OK && rl != 0;
	uint64_t fresh = 0;
	int k = -1;
	for (int i = 0; up && i < e->nsamples; i++)
		if (e->samples[i].lsn <= rl)
			k = i;
	if (k >= 0) {
		fresh = e->samples[k].at_ns;
		memmove(&e->samples[0], &e->samples[k + 1], (size_t)(e->nsamples - k - 1) * sizeof e->samples[0]);
		e->nsamples -= k + 1;
	}
	pthread_mutex_lock(&e->mu);
	e->up = up;
	if (up)
		e->replay_lsn = rl;
	if (fresh > e->fresh_ns)
		e->fresh_ns = fresh;
	pthread_mutex_unlock(&e->mu);
	if (!up && !e->failing)
		yj_log(YJ_LOG_WARN, "store.replica_down", "\"reason\":\"%s\"",
		       rrc != ST_OK ? "unreachable" : "not a standby");
	else if (up && e->failing)
		yj_log(YJ_LOG_INFO, "store.replica_up", NULL);
	e->failing = !up;
}

static void *run(void *arg)
{
	route_engine *e = arg;
	pthread_mutex_lock(&e->mu);
	while (!e->stop) {
		pthread_mutex_unlock(&e->mu);
		check_once(e);
		pthread_mutex_lock(&e->mu);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t ns = ts.tv_nsec + e->check_ms * 1000000;
		ts.tv_sec += ns / 1000000000;
		ts.tv_nsec = ns % 1000000000;
		while (!e->stop && pthread_cond_timedwait(&e->cv, &e->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

void store_view_status(store *view, store_replica_status *out)
{
	route_engine *e = engine_of(view);
	uint64_t now = yj_mono_ns();
	pthread_mutex_lock(&e->mu);
	out->up = e->up;
	out->replay_lsn = e->replay_lsn;
	out->staleness_ms = e->fresh_ns ? (int64_t)((now - e->fresh_ns) / 1000000) : INT64_MAX;
	pthread_mutex_unlock(&e->mu);
}

/* ---- the view's connections ---- */

/* Where a statement outside a transaction may go: a plain read to the replica; a write, a lock
 * (FOR UPDATE/SHARE) or anything unrecognised to the primary. */
static int is_plain_read(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
		sql++;
	int sel = strncasecmp(sql, "SELECT", 6) == 0, with = strncasecmp(sql, "WITH", 4) == 0;
	if (!sel && !with)
		return 0;
	static const char *const writes[] = {"FOR UPDATE", "FOR SHARE", "FOR NO KEY", "INSERT ", "UPDATE ",
					     "DELETE ", "nextval(", "setval("};
	for (size_t i = 0; i < sizeof writes / sizeof *writes; i++) {
		size_t n = strlen(writes[i]);
		for (const char *p = sql; *p; p++)
			if (strncasecmp(p, writes[i], n) == 0)
				return 0;
	}
	return 1;
}

static store_conn *to_primary(route_conn *c)
{
	c->pinned = 1;
	return c->last = c->primary;
}

/* The replica's connection for a read, or the primary's when this thread is pinned or the replica
 * is known to be down. */
static store_conn *for_read(route_conn *c)
{
	if (c->tx)
		return c->last = c->tx;
	if (c->pinned)
		return c->last = c->primary;
	return c->last = c->replica;
}

/* After a failure on the replica outside a transaction: when its connection is lost, the replica
 * is marked down (requests choose the primary until the next check finds it up) and the call is
 * made again on the primary. 1 to retry there, 0 to report the failure. */
static int replica_lost(route_conn *c, store_conn *t)
{
	if (t != c->replica || store_pg_conn_ok(t))
		return 0;
	mark_down(engine_of(c->base.s));
	yj_log(YJ_LOG_WARN, "store.replica_lost", "\"error\":\"%s\"", store_errmsg(t));
	to_primary(c);
	return 1;
}

static store_conn *route_conn_open(store *view)
{
	route_engine *e = engine_of(view);
	route_conn *c = yj_calloc(1, sizeof *c);
	c->base.s = view;
	c->replica = store_conn_get(e->replica);
	c->primary = store_conn_get(e->primary);
	c->last = c->replica;
	return &c->base;
}

static void route_conn_close(store_conn *bc)
{
	free(bc); /* the engines' connections belong to their stores */
}

static int route_begin(store_conn *bc, int write)
{
	route_conn *c = (route_conn *)bc;
	store_conn *t = write ? to_primary(c) : for_read(c);
	int rc = store_begin(t, write);
	if (rc < 0 && replica_lost(c, t))
		rc = store_begin(t = c->primary, write);
	if (rc == ST_OK)
		c->tx = t;
	return rc;
}

static int route_commit(store_conn *bc)
{
	route_conn *c = (route_conn *)bc;
	store_conn *t = c->tx ? c->tx : c->primary;
	c->tx = NULL;
	c->last = t;
	return store_commit(t);
}

static int route_rollback(store_conn *bc)
{
	route_conn *c = (route_conn *)bc;
	store_conn *t = c->tx ? c->tx : c->primary;
	c->tx = NULL;
	c->last = t;
	return store_rollback(t);
}

static int route_exec(store_conn *bc, const char *sql)
{
	route_conn *c = (route_conn *)bc;
	return store_exec(c->tx ? (c->last = c->tx) : to_primary(c), sql);
}

static store_stmt *route_prepare(store_conn *bc, const char *sql)
{
	route_conn *c = (route_conn *)bc;
	store_conn *t = c->tx || is_plain_read(sql) ? for_read(c) : to_primary(c);
	store_stmt *st = store_prepare(t, sql);
	if (!st && replica_lost(c, t))
		st = store_prepare(c->primary, sql);
	return st;
}

static const char *route_errmsg(store_conn *bc)
{
	return store_errmsg(((route_conn *)bc)->last);
}

static int route_backup(store *s, const char *dest, char **err)
{
	(void)s;
	(void)dest;
	*err = yj_strdup("a read view has nothing to back up: back up the primary");
	return ST_ERR;
}

static int route_open(store *s, char **err)
{
	(void)s;
	(void)err;
	return ST_OK; /* store_view_open sets the engine */
}

static void route_close(store *view)
{
	route_engine *e = engine_of(view);
	if (!e)
		return;
	pthread_mutex_lock(&e->mu);
	e->stop = 1;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(&e->mu);
	pthread_join(e->thread, NULL);
	store_close(e->replica);
	pthread_cond_destroy(&e->cv);
	pthread_mutex_destroy(&e->mu);
	free(e);
	view->engine = NULL;
}

/* Statements are the engines' own, so the statement calls never reach this driver. */
static const store_driver store_route_driver = {
	.name = "postgresql",
	.open = route_open,
	.close = route_close,
	.conn_open = route_conn_open,
	.conn_close = route_conn_close,
	.begin = route_begin,
	.commit = route_commit,
	.rollback = route_rollback,
	.exec = route_exec,
	.prepare = route_prepare,
	.errmsg = route_errmsg,
	.backup = route_backup,
};

int store_is_view(const store *s)
{
	return s->drv == &store_route_driver;
}

void store_view_reset(store *view)
{
	route_conn *c = (route_conn *)store_conn_get(view);
	if (!c->tx)
		c->pinned = 0;
}

int store_view_pinned(store *view)
{
	return ((route_conn *)store_conn_get(view))->pinned;
}

store *store_view_open(store *primary, const char *replica_url, int64_t check_ms, char **err)
{
	if (primary->drv != &store_pg_driver) {
		*err = yj_strdup("a read replica needs a PostgreSQL primary (--db postgresql://…)");
		return NULL;
	}
	store *replica = store_open(replica_url, err);
	if (!replica)
		return NULL;
	if (replica->drv != &store_pg_driver) {
		*err = yj_strdup("the read replica must be a PostgreSQL URL (postgresql://…)");
		store_close(replica);
		return NULL;
	}
	int64_t in_recovery = 0;
	store_conn *rc = store_conn_get(replica);
	if (store_query_int64(rc, "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END", NULL, &in_recovery) < 0 ||
	    !in_recovery) {
		*err = yj_strdup("the read replica is not a hot standby (pg_is_in_recovery() is false): give --db-read"
				 " the URL of a streaming replica of the primary");
		store_close(replica);
		return NULL;
	}
	route_engine *e = yj_calloc(1, sizeof *e);
	e->primary = primary;
	e->replica = replica;
	e->check_ms = check_ms > 0 ? check_ms : 100;
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->cv, NULL);

	store *s = yj_calloc(1, sizeof *s);
	s->drv = &store_route_driver;
	s->url = yj_strdup(replica_url);
	s->target = yj_strdup(replica_url);
	s->engine = e;
	pthread_mutex_init(&s->lock, NULL);
	pthread_key_create(&s->key, NULL);
	check_once(e); /* so the first requests know the replica's state */
	if (pthread_create(&e->thread, NULL, run, e) != 0) {
		*err = yj_strdup("cannot start the replica checker thread");
		s->engine = NULL;
		store_close(replica);
		pthread_mutex_destroy(&e->mu);
		pthread_cond_destroy(&e->cv);
		free(e);
		store_close(s);
		return NULL;
	}
	return s;
}
