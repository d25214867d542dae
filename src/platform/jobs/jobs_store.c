/* jobs_store.c — the SQL of the job runner: job rows, leases taken with FOR UPDATE SKIP LOCKED
 * (the SQLite driver drops the clause; its single writer already serialises the take), renewal,
 * and the record of each run. Every statement is guarded by the lease owner, so a process that
 * lost its lease can neither renew nor record. */
#include "jobs_int.h"

#include <stdlib.h>
#include <string.h>

#include "../../base/id.h"

static const char *const kind_names[] = {"every", "daily", "once"};

static int kind_of(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (s && strcmp(s, kind_names[i]) == 0)
			return i;
	return YJ_JOB_DEFERRED;
}

void jobs_row_free(jobs_row *row)
{
	if (!row)
		return;
	free(row->name);
	free(row->handler);
	free(row->payload);
	free(row->prev_owner);
	memset(row, 0, sizeof *row);
}

/* ---- ensure a periodic job's row ---- */

struct ensure_arg {
	const yj_job_def *def;
	int64_t now;
};

static int64_t first_run(const yj_job_def *d, int64_t now)
{
	return d->kind == YJ_JOB_DAILY ? jobs_next_daily(now, d->schedule) : now;
}

static int ensure_tx(store_conn *c, void *argp)
{
	struct ensure_arg *a = argp;
	const yj_job_def *d = a->def;
	store_stmt *st = store_prepare(c, "INSERT INTO jobs (id, name, handler, kind, schedule, payload, state, next_run_at,"
					  " created_at) VALUES (?, ?, ?, ?, ?, '', 'scheduled', ?, ?)"
					  " ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, schedule = excluded.schedule,"
					  " next_run_at = excluded.next_run_at"
					  " WHERE jobs.kind <> excluded.kind OR jobs.schedule <> excluded.schedule");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_text(st, 2, d->name, -1);
	store_bind_text(st, 3, d->name, -1);
	store_bind_text(st, 4, kind_names[d->kind], -1);
	store_bind_int64(st, 5, d->schedule);
	store_bind_int64(st, 6, first_run(d, a->now));
	store_bind_int64(st, 7, a->now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int jobs_store_ensure(store *s, const yj_job_def *def, int64_t now)
{
	if (def->kind == YJ_JOB_DEFERRED)
		return ST_OK; /* its rows come from yj_job_defer */
	struct ensure_arg a = {def, now};
	return store_tx(s, ensure_tx, &a);
}

int yj_job_defer(store_conn *c, const char *handler, const char *key, int64_t at_ms, const char *payload)
{
	if (!handler || !key || strlen(key) > 200)
		return ST_ERR;
	char *name = yj_asprintf("%s:%s", handler, key);
	/* A pending key stays as it is; a done one is put again. */
	store_stmt *st = store_prepare(c, "INSERT INTO jobs (id, name, handler, kind, schedule, payload, state, next_run_at,"
					  " created_at) VALUES (?, ?, ?, 'once', 0, ?, 'scheduled', ?, ?)"
					  " ON CONFLICT (name) DO UPDATE SET state = 'scheduled', payload = excluded.payload,"
					  " next_run_at = excluded.next_run_at, failures = 0 WHERE jobs.state = 'done'");
	int rc = ST_ERR;
	if (!st)
		goto done;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_text(st, 2, name, -1);
	store_bind_text(st, 3, handler, -1);
	store_bind_text(st, 4, payload ? payload : "", -1);
	store_bind_int64(st, 5, at_ms);
	store_bind_int64(st, 6, yj_now_ms());
	rc = store_step(st);
	store_finalize(st);
	rc = rc < 0 ? rc : ST_OK;
done:
	free(name);
	return rc;
}

/* ---- take, renew, finish, release ---- */

struct take_arg {
	const char *sql;
	const char *const *handlers;
	size_t n;
	const char *owner;
	int64_t now, lease_ms;
	jobs_row *out;
};

static int take_tx(store_conn *c, void *argp)
{
	struct take_arg *a = argp;
	store_stmt *st = store_prepare(c, a->sql);
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->now);
	store_bind_int64(st, 2, a->now);
	for (size_t i = 0; i < a->n; i++)
		store_bind_text(st, (int)i + 3, a->handlers[i], -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		jobs_row_free(a->out);
		a->out->id = store_col_int64(st, 0);
		a->out->name = yj_strdup(store_col_text(st, 1));
		a->out->handler = yj_strdup(store_col_text(st, 2));
		a->out->kind = kind_of(store_col_text(st, 3));
		a->out->schedule = store_col_int64(st, 4);
		a->out->payload = yj_strdup(store_col_text(st, 5));
		a->out->failures = store_col_int64(st, 6);
		a->out->next_run_at = store_col_int64(st, 7);
		a->out->prev_owner = yj_strdup(store_col_text(st, 8));
	}
	store_finalize(st);
	if (rc != ST_ROW)
		return rc == ST_DONE ? ST_NOTFOUND : rc;
	/* The lease condition again: on SQLite nothing else writes meanwhile, on PostgreSQL the row
	 * lock holds it; the check costs nothing and makes the take safe whatever the engine. */
	st = store_prepare(c, "UPDATE jobs SET lease_owner = ?, lease_until = ?, last_started_at = ?"
			      " WHERE id = ? AND lease_until < ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, a->owner, -1);
	store_bind_int64(st, 2, a->now + a->lease_ms);
	store_bind_int64(st, 3, a->now);
	store_bind_int64(st, 4, a->out->id);
	store_bind_int64(st, 5, a->now);
	rc = store_step(st);
	int64_t changed = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	return changed == 1 ? ST_OK : ST_NOTFOUND;
}

/* 1 when some job is due and free, 0 when none, or a failure: a read, so an idle runner polling
 * every second never takes SQLite's single writer. */
static int any_due(store *s, int64_t now)
{
	store_conn *c = store_conn_get(s);
	int rc = store_begin(c, 0);
	if (rc < 0)
		return rc;
	store_stmt *st = store_prepare(c, "SELECT 1 FROM jobs WHERE state = 'scheduled' AND next_run_at <= ?"
					  " AND lease_until < ? LIMIT 1");
	if (st) {
		store_bind_int64(st, 1, now);
		store_bind_int64(st, 2, now);
		rc = store_step(st);
		store_finalize(st);
	} else {
		rc = ST_ERR;
	}
	store_rollback(c);
	return rc < 0 ? rc : rc == ST_ROW;
}

int jobs_store_take(store *s, const char *const *handlers, size_t n, const char *owner, int64_t now,
		    int64_t lease_ms, jobs_row *out)
{
	jobs_row_free(out); /* a row taken before: the caller reuses its struct */
	int due = n ? any_due(s, now) : 0;
	if (due <= 0)
		return due < 0 ? due : ST_NOTFOUND;
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT id, name, handler, kind, schedule, payload, failures, next_run_at, lease_owner"
			  " FROM jobs WHERE state = 'scheduled' AND next_run_at <= ? AND lease_until < ? AND handler IN (");
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", ?" : "?");
	yj_buf_puts(&sql, ") ORDER BY next_run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED");
	struct take_arg a = {sql.data, handlers, n, owner, now, lease_ms, out};
	int rc = store_tx(s, take_tx, &a);
	if (rc != ST_OK)
		jobs_row_free(out);
	yj_buf_free(&sql);
	return rc;
}

struct lease_arg {
	int64_t id;
	const char *owner;
	int64_t now, lease_ms;
	const jobs_outcome *o;
};

static int changed_one(store_stmt *st)
{
	int rc = store_step(st);
	int64_t n = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	return n == 1 ? ST_OK : ST_NOTFOUND;
}

static int renew_tx(store_conn *c, void *argp)
{
	struct lease_arg *a = argp;
	store_stmt *st = store_prepare(c, "UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->now + a->lease_ms);
	store_bind_int64(st, 2, a->id);
	store_bind_text(st, 3, a->owner, -1);
	return changed_one(st);
}

int jobs_store_renew(store *s, int64_t id, const char *owner, int64_t now, int64_t lease_ms)
{
	struct lease_arg a = {id, owner, now, lease_ms, NULL};
	return store_tx(s, renew_tx, &a);
}

static int finish_tx(store_conn *c, void *argp)
{
	struct lease_arg *a = argp;
	const jobs_outcome *o = a->o;
	store_stmt *st = store_prepare(c, "UPDATE jobs SET lease_owner = NULL, lease_until = 0, runs = runs + 1,"
					  " last_finished_at = ?, last_owner = ?, last_result = ?, last_error = ?,"
					  " failures = ?, next_run_at = ?, state = ? WHERE id = ? AND lease_owner = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->now);
	store_bind_text(st, 2, a->owner, -1);
	store_bind_text(st, 3, o->ok ? "ok" : "failed", -1);
	store_bind_text(st, 4, o->ok ? NULL : (o->error ? o->error : "failed"), -1);
	store_bind_int64(st, 5, o->failures);
	store_bind_int64(st, 6, o->next_run_at);
	store_bind_text(st, 7, o->done ? "done" : "scheduled", -1);
	store_bind_int64(st, 8, a->id);
	store_bind_text(st, 9, a->owner, -1);
	return changed_one(st);
}

int jobs_store_finish(store *s, int64_t id, const char *owner, int64_t now, const jobs_outcome *o)
{
	struct lease_arg a = {id, owner, now, 0, o};
	return store_tx(s, finish_tx, &a);
}

static int release_tx(store_conn *c, void *argp)
{
	struct lease_arg *a = argp;
	store_stmt *st = store_prepare(c, "UPDATE jobs SET lease_owner = NULL, lease_until = 0, last_finished_at = ?,"
					  " last_owner = ?, last_result = 'interrupted' WHERE id = ? AND lease_owner = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->now);
	store_bind_text(st, 2, a->owner, -1);
	store_bind_int64(st, 3, a->id);
	store_bind_text(st, 4, a->owner, -1);
	return changed_one(st);
}

int jobs_store_release(store *s, int64_t id, const char *owner, int64_t now)
{
	struct lease_arg a = {id, owner, now, 0, NULL};
	return store_tx(s, release_tx, &a);
}

/* ---- metrics ---- */

void yj_jobs_metrics(store *s, yj_buf *out)
{
	store_conn *c = store_conn_get(s);
	if (store_begin(c, 0) < 0)
		return;
	store_stmt *st = store_prepare(c, "SELECT name, failures, last_finished_at, last_result, lease_until"
					  " FROM jobs WHERE kind <> 'once' ORDER BY name");
	if (st) {
		int64_t now = yj_now_ms();
		yj_buf_puts(out, "# HELP yijian_job_failures Consecutive failed runs of a periodic job (0 after a success).\n"
				 "# TYPE yijian_job_failures gauge\n");
		yj_buf lease = YJ_BUF_INIT;
		yj_buf_puts(&lease, "# HELP yijian_job_leased 1 while some process holds the job's lease.\n"
				    "# TYPE yijian_job_leased gauge\n");
		while (store_step(st) == ST_ROW) {
			const char *name = store_col_text(st, 0);
			yj_buf_printf(out, "yijian_job_failures{job=\"%s\"} %lld\n", name, (long long)store_col_int64(st, 1));
			yj_buf_printf(&lease, "yijian_job_leased{job=\"%s\"} %d\n", name, store_col_int64(st, 4) >= now);
		}
		yj_buf_append(out, lease.data ? lease.data : "", lease.len);
		yj_buf_free(&lease);
		store_finalize(st);
	}
	st = store_prepare(c, "SELECT COUNT(*), MIN(next_run_at) FROM jobs WHERE kind = 'once' AND state = 'scheduled'");
	if (st && store_step(st) == ST_ROW) {
		int64_t n = store_col_int64(st, 0);
		yj_buf_printf(out, "# HELP yijian_jobs_deferred_pending Deferred jobs not yet done.\n"
				   "# TYPE yijian_jobs_deferred_pending gauge\nyijian_jobs_deferred_pending %lld\n",
			      (long long)n);
	}
	if (st)
		store_finalize(st);
	store_rollback(c);
}
