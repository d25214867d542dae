/* group.c — group commit (store_tx_group): concurrent writers of one process are queued, and the
 * writer at the front runs the queued callbacks one after another in ONE write transaction, each in a
 * savepoint of its own, commits once, and only then lets every caller return. One commit (one fsync,
 * one round of the audit head lock) then covers many small writes. Members that send no statement
 * (store_tx_group_deferred: a disclosure's leaf) get no savepoint. */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"
#include "../../base/base.h"
#include "../../base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A caller waiting in the queue. Lives on its caller's stack until it is done. */
typedef struct member {
	store *s;
	store_tx_fn fn;
	void *arg;
	int rc;	  /* fn's result, valid when done */
	int done; /* 1: the transaction holding this member's write committed (or it was refused) */
	int solo; /* 1: run again alone through store_tx (its savepoint or the group's commit failed) */
	int nosql; /* 1: fn sends no statement (store_tx_group_deferred): no savepoint around it */
	pthread_cond_t cv;
	struct member *next;
} member;

/* Members a leader takes at once: enough to spread one commit over many writes, few enough that
 * one refusal storm or a slow callback does not hold the writer for long. */
#define GROUP_MAX 128

/* One queue per process; a leader takes only the members of its own store (a process rarely has two). */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static member *head, *tail;
static _Atomic int64_t n_groups, n_members;
static const store_group_hooks *hooks;
static int active; /* leaders running a group now (under mu) */

void store_group_hooks_set(const store_group_hooks *h)
{
	hooks = h;
}

/* Leaders at once: SQLite has one writer, so one; PostgreSQL runs several groups side by side (the
 * members' statements overlap, and each group holds the audit head only for its flush and commit). */
static int leaders_max(const store *s)
{
	static _Atomic int pg = 0;
	if (!strcmp(store_engine(s), "sqlite"))
		return 1;
	int v = atomic_load(&pg);
	if (!v) {
		const char *e = getenv("YIJIAN_GROUP_LEADERS");
		v = e && atoi(e) > 0 ? atoi(e) : 4;
		atomic_store(&pg, v);
	}
	return v;
}

/* Leaders at once while m is at the front of the queue. A member without statements (a deferred
 * leaf) waits until no group runs: a group of such members does nothing but its flush, and flushes
 * queue for the head row anyway, so leaders beside it would only wait there one leaf each while the
 * leaves queued behind one leader share its commit. */
static int leaders_for(const member *m)
{
	return m->nosql ? 1 : leaders_max(m->s);
}

/* One member inside the group's transaction, after the savepoint yj_group: on success the savepoint
 * is released and set again for the next member in one round trip (the last member's is left for
 * the commit); on failure it rolls back to it (which keeps it set) so the others' writes stay.
 * ST_OK unless the transaction itself is lost. */
static int run_member(store_conn *c, member *m, int last)
{
	size_t mark = hooks ? hooks->mark(c) : 0;
	m->rc = m->fn(c, m->arg);
	if (m->rc >= 0)
		return last || m->nosql ? ST_OK : store_exec(c, "RELEASE SAVEPOINT yj_group; SAVEPOINT yj_group");
	if (hooks)
		hooks->undo(c, mark);
	if (m->rc == ST_RETRY)
		m->solo = 1; /* a conflict: run alone afterwards, with store_tx's backoff */
	/* A member without statements wrote nothing the savepoint would undo; the one set before it
	 * still marks the last committed member's end for the members after it. */
	return m->nosql ? ST_OK : store_exec(c, "ROLLBACK TO SAVEPOINT yj_group");
}

/* A group of members without statements on PostgreSQL: each member keeps its part through the hooks
 * (undone when it fails), then flush_alone writes and commits them all outside any transaction of the
 * group's own (the audit log: two round trips, where BEGIN … COMMIT takes four with the head row
 * locked across three: docs/audit.md, "Group commit"). When it fails, every member that had not failed
 * on its own runs again alone through store_tx. */
static void run_alone(store_conn *c, member *first, size_t n)
{
	if (n > 1) {
		atomic_fetch_add(&n_groups, 1);
		atomic_fetch_add(&n_members, (int64_t)n);
	}
	hooks->begin(c);
	for (member *m = first; m; m = m->next) {
		size_t mark = hooks->mark(c);
		if ((m->rc = m->fn(c, m->arg)) < 0) {
			hooks->undo(c, mark);
			m->solo = m->rc == ST_RETRY;
		}
	}
	if (hooks->flush_alone(c) >= 0)
		return;
	yj_log(YJ_LOG_WARN, "store.group_failed", "\"members\":%zu", n);
	for (member *m = first; m; m = m->next)
		if (m->rc >= 0 || m->rc == ST_RETRY)
			m->solo = 1; /* its leaf did not commit: it must not be acknowledged */
}

/* The leader's work: members [first, last] (a list linked through next) in one transaction. A lost
 * transaction or failed commit sends every member that had not failed on its own back to run solo. */
static void run_group(store *s, member *first, size_t n)
{
	store_conn *c = store_conn_get(s);
	member *m = first;
	int sql = 0; /* a member sends statements: the savepoints are needed */
	for (member *i = first; i; i = i->next)
		sql |= !i->nosql;
	/* Disclosures only, on PostgreSQL itself: no transaction of the group's own. Not through a read
	 * view (store_route.c), which would send flush_alone's read of the head to the replica. */
	if (!sql && hooks && hooks->flush_alone && s->drv == &store_pg_driver) {
		run_alone(c, first, n);
		return;
	}
	if (n == 1) { /* nobody waiting: exactly store_tx, without savepoints */
		m->rc = store_tx(s, m->fn, m->arg);
		return;
	}
	atomic_fetch_add(&n_groups, 1);
	atomic_fetch_add(&n_members, (int64_t)n);
	int rc = store_begin(c, 1);
	if (rc >= 0 && hooks)
		hooks->begin(c);
	if (rc >= 0 && sql)
		rc = store_exec(c, "SAVEPOINT yj_group");
	for (size_t i = 0; rc >= 0 && i < n; i++, m = m->next)
		rc = run_member(c, m, i + 1 == n);
	if (rc >= 0 && hooks)
		rc = hooks->flush(c);
	if (rc >= 0) {
		rc = store_commit(c);
	} else {
		if (hooks)
			hooks->discard(c);
		store_rollback(c);
	}
	if (rc >= 0)
		return;
	yj_log(YJ_LOG_WARN, "store.group_failed", "\"members\":%zu", n);
	m = first;
	for (size_t i = 0; i < n; i++, m = m->next)
		if (m->rc >= 0 || m->rc == ST_RETRY)
			m->solo = 1; /* its write did not commit: it must not be acknowledged */
}

/* YIJIAN_GROUP_COMMIT=off: every call is a plain store_tx (to compare, or to rule the groups out). */
static int group_off(void)
{
	static _Atomic int off = -1;
	int v = atomic_load(&off);
	if (v < 0) {
		const char *e = getenv("YIJIAN_GROUP_COMMIT");
		v = e && (!strcmp(e, "off") || !strcmp(e, "0"));
		atomic_store(&off, v);
	}
	return v;
}

static int tx_group(store *s, store_tx_fn fn, void *arg, int nosql)
{
	if (group_off())
		return store_tx(s, fn, arg);
	member self = {.s = s, .fn = fn, .arg = arg, .nosql = nosql};
	pthread_cond_init(&self.cv, NULL);
	pthread_mutex_lock(&mu);
	if (tail)
		tail->next = &self;
	else
		head = &self;
	tail = &self;
	while (!self.done && (head != &self || active >= leaders_for(&self)))
		pthread_cond_wait(&self.cv, &mu);
	if (!self.done) { /* the front of the queue: lead the members queued so far */
		member *last = &self;
		size_t n = 1;
		while (last->next && last->next->s == s && n < GROUP_MAX)
			last = last->next, n++;
		head = last->next;
		if (!head)
			tail = NULL;
		last->next = NULL;
		active++;
		if (head && active < leaders_for(head))
			pthread_cond_signal(&head->cv); /* another leader may start beside this one */
		pthread_mutex_unlock(&mu);
		run_group(s, &self, n);
		pthread_mutex_lock(&mu);
		active--;
		for (member *m = &self, *next; m; m = next) {
			next = m->next;
			m->next = NULL;
			m->done = 1;
			if (m != &self)
				pthread_cond_signal(&m->cv);
		}
		if (head)
			pthread_cond_signal(&head->cv); /* the next leader, with everyone queued meanwhile */
	}
	pthread_mutex_unlock(&mu);
	pthread_cond_destroy(&self.cv);
	if (self.solo)
		return store_tx(s, fn, arg);
	return self.rc;
}

int store_tx_group(store *s, store_tx_fn fn, void *arg)
{
	return tx_group(s, fn, arg, 0);
}

int store_tx_group_deferred(store *s, store_tx_fn fn, void *arg)
{
	return tx_group(s, fn, arg, 1);
}

void store_group_stats(int64_t *groups, int64_t *members)
{
	*groups = atomic_load(&n_groups);
	*members = atomic_load(&n_members);
}
