/* replica.c — which requests read the PostgreSQL read replica (serve --db-read): the GET routes of
 * the route table, when the replica is up, within the staleness bound, and has replayed the last
 * write of the caller's session or token; everything else, and whatever a GET handler writes, goes
 * to the primary (store_route.c). Also the per-session write positions, the write-position cookie
 * that carries them to the other processes, and the /metrics lines. */
#include "http_int.h"
#include "../../base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each session's or token's last write position, kept as the maximum over the credentials that
 * share a slot: a collision can only make a caller wait for a later position (and read the primary
 * meanwhile), never let it read before its own write. */
#define LSN_SLOTS 4096

/* The caller's last write position, also sent back as a cookie: behind a round-robin front the next
 * request may reach another process, whose slots know nothing of this write. A client that alters it
 * can only make itself read the primary or read what it could read within the bound anyway. */
#define WAL_COOKIE "yj_wal"

enum { FB_DOWN, FB_LAG, FB_SESSION, FB_WROTE, FB_N };
static const char *const fb_names[FB_N] = {"down", "lag", "session", "wrote"};

struct yj_replica {
	store *view;
	int64_t max_lag_ms;
	_Atomic int64_t reads;
	_Atomic int64_t fallbacks[FB_N];
	_Atomic uint64_t lsn[LSN_SLOTS];
};

void yj_server_set_read_view(yj_server *srv, store *view, int64_t max_lag_ms)
{
	free(srv->replica);
	srv->replica = NULL;
	if (!view)
		return;
	srv->replica = yj_calloc(1, sizeof *srv->replica);
	srv->replica->view = view;
	srv->replica->max_lag_ms = max_lag_ms;
}

int yj_on_replica(const yj_req *r)
{
	return r->read_st != NULL;
}

void yj_req_session_created(yj_req *r, int64_t session_id)
{
	r->new_session = session_id;
}

/* The credential a request writes and reads under: 0 when none (the public). */
static uint64_t cred_key(const yj_req *r)
{
	if (r->new_session)
		return (uint64_t)r->new_session * 2;
	if (!r->signed_in)
		return 0;
	if (r->who.session_id)
		return (uint64_t)r->who.session_id * 2;
	if (r->who.token_id)
		return (uint64_t)r->who.token_id * 2 + 1;
	return 0;
}

static _Atomic uint64_t *slot_of(struct yj_replica *rp, uint64_t key)
{
	key *= 0x9E3779B97F4A7C15u; /* spread consecutive ids over the slots */
	return &rp->lsn[(key >> 32) % LSN_SLOTS];
}

/* The position in the caller's write-position cookie, 0 when absent or malformed. */
static uint64_t cookie_lsn(yj_req *r)
{
	const char *v = yj_cookie(r, WAL_COOKIE);
	if (!v || !*v || strlen(v) > 16 || strspn(v, "0123456789abcdef") != strlen(v))
		return 0;
	return strtoull(v, NULL, 16);
}

/* Valid until the staleness bound has passed: by then a replica within the bound holds the write. */
static void set_wal_cookie(yj_req *r, uint64_t lsn, int64_t max_lag_ms)
{
	char c[160];
	snprintf(c, sizeof c, WAL_COOKIE "=%llx; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
		 (unsigned long long)lsn, (long long)(max_lag_ms / 1000 + 2), yj_config(r)->secure_cookies ? "; Secure" : "");
	yj_add_header(r, "Set-Cookie", c);
}

void yj_replica_choose(yj_req *r)
{
	struct yj_replica *rp = r->srv->replica;
	if (!rp)
		return;
	r->writes0 = store_conn_writes(store_conn_get(r->srv->st));
	if (strcmp(r->method, "GET") != 0 || !r->route || strcmp(r->route->method, "GET") != 0)
		return;
	store_replica_status st;
	store_view_status(rp->view, &st);
	uint64_t key = cred_key(r), wrote = cookie_lsn(r);
	if (key && atomic_load(slot_of(rp, key)) > wrote)
		wrote = atomic_load(slot_of(rp, key));
	int why = !st.up			    ? FB_DOWN
		  : st.staleness_ms > rp->max_lag_ms ? FB_LAG
		  : wrote > st.replay_lsn	    ? FB_SESSION
						    : -1;
	if (why >= 0) {
		atomic_fetch_add(&rp->fallbacks[why], 1);
		return;
	}
	store_view_reset(rp->view);
	r->read_st = rp->view;
	atomic_fetch_add(&rp->reads, 1);
}

void yj_replica_done(yj_req *r)
{
	struct yj_replica *rp = r->srv->replica;
	if (!rp)
		return;
	if (r->read_st && store_view_pinned(rp->view))
		atomic_fetch_add(&rp->fallbacks[FB_WROTE], 1);
	store_conn *pc = store_conn_get(r->srv->st);
	uint64_t key = cred_key(r), lsn = 0;
	if (!key || store_conn_writes(pc) == r->writes0)
		return;
	if (store_wal_lsn(pc, &lsn) < 0) {
		/* Unknown: the caller's reads go to the primary until the replica passes any position. */
		lsn = UINT64_MAX;
		yj_log(YJ_LOG_WARN, "http.replica_lsn", "\"error\":\"%s\"", store_errmsg(pc));
	}
	_Atomic uint64_t *s = slot_of(rp, key);
	uint64_t old = atomic_load(s);
	while (old < lsn && !atomic_compare_exchange_weak(s, &old, lsn))
		;
	if (lsn != UINT64_MAX)
		set_wal_cookie(r, lsn, rp->max_lag_ms);
}

void yj_replica_metrics(yj_server *srv, yj_buf *out)
{
	struct yj_replica *rp = srv->replica;
	if (!rp)
		return;
	store_replica_status st;
	store_view_status(rp->view, &st);
	char stale[32] = "+Inf"; /* never seen caught up */
	if (st.staleness_ms != INT64_MAX)
		snprintf(stale, sizeof stale, "%.3f", (double)st.staleness_ms / 1e3);
	yj_buf_printf(out,
		      "# HELP yijian_replica_reads_total GET requests served with the read replica (their reads went there).\n"
		      "# TYPE yijian_replica_reads_total counter\nyijian_replica_reads_total %lld\n"
		      "# HELP yijian_replica_fallbacks_total GET requests that read the primary although a replica is"
		      " configured: it was down, lagged beyond the bound, had not replayed the caller's last write, or"
		      " (wrote) the request wrote and read its write back from the primary.\n"
		      "# TYPE yijian_replica_fallbacks_total counter\n",
		      (long long)atomic_load(&rp->reads));
	for (int i = 0; i < FB_N; i++)
		yj_buf_printf(out, "yijian_replica_fallbacks_total{reason=\"%s\"} %lld\n", fb_names[i],
			      (long long)atomic_load(&rp->fallbacks[i]));
	yj_buf_printf(out,
		      "# HELP yijian_replica_up Whether the last check reached the replica as a standby.\n"
		      "# TYPE yijian_replica_up gauge\nyijian_replica_up %d\n"
		      "# HELP yijian_replica_staleness_seconds How far behind the primary the replica may be.\n"
		      "# TYPE yijian_replica_staleness_seconds gauge\nyijian_replica_staleness_seconds %s\n"
		      "# HELP yijian_replica_max_staleness_seconds The bound (serve --db-read-max-lag).\n"
		      "# TYPE yijian_replica_max_staleness_seconds gauge\nyijian_replica_max_staleness_seconds %.3f\n",
		      st.up, stale,
		      (double)rp->max_lag_ms / 1e3);
}
