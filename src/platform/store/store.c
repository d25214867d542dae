/* store.c — engine-independent half of the store: URL dispatch, per-thread connections,
 * the retry wrapper, migrations and statistics. The engines live in store_sqlite.c and store_pg.c. */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"
#include "../../base/base.h"
#include "../../base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

store *store_open(const char *url, char **err)
{
	const store_driver *drv;
	const char *target;

	if (strncmp(url, "sqlite:", 7) == 0) {
		drv = &store_sqlite_driver;
		target = url + 7;
		if (!*target) {
			*err = yj_strdup("sqlite: URL needs a file path, e.g. sqlite:yijian.db");
			return NULL;
		}
	} else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		drv = &store_pg_driver;
		target = url;
	} else {
		*err = yj_asprintf("unknown database URL '%s': use sqlite:PATH or postgresql://…", url);
		return NULL;
	}

	store *s = yj_calloc(1, sizeof *s);
	s->drv = drv;
	s->url = yj_strdup(url);
	s->target = yj_strdup(target);
	pthread_mutex_init(&s->lock, NULL);
	pthread_key_create(&s->key, NULL);
	if (drv->open(s, err) < 0) {
		pthread_key_delete(s->key);
		pthread_mutex_destroy(&s->lock);
		free(s->url);
		free(s->target);
		free(s);
		return NULL;
	}
	return s;
}

void store_close(store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nconns; i++)
		s->drv->conn_close(s->conns[i]);
	free(s->conns);
	s->drv->close(s);
	pthread_key_delete(s->key);
	pthread_mutex_destroy(&s->lock);
	free(s->url);
	free(s->target);
	free(s);
}

const char *store_engine(const store *s)
{
	return s->drv->name;
}

const char *store_conn_engine(const store_conn *c)
{
	return store_engine(c->s);
}

store_conn *store_conn_get(store *s)
{
	store_conn *c = pthread_getspecific(s->key);
	if (c)
		return c;
	c = s->drv->conn_open(s);
	c->s = s;
	pthread_setspecific(s->key, c);
	pthread_mutex_lock(&s->lock);
	s->conns = yj_realloc(s->conns, (s->nconns + 1) * sizeof *s->conns);
	s->conns[s->nconns++] = c;
	pthread_mutex_unlock(&s->lock);
	return c;
}

void store_conn_release(store *s)
{
	store_conn *c = pthread_getspecific(s->key);
	if (!c)
		return;
	pthread_setspecific(s->key, NULL);
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->nconns; i++)
		if (s->conns[i] == c) {
			s->conns[i] = s->conns[--s->nconns];
			break;
		}
	pthread_mutex_unlock(&s->lock);
	s->drv->conn_close(c);
}

int store_begin(store_conn *c, int write)
{
	int rc = c->s->drv->begin(c, write);
	static _Atomic int64_t serials; /* process-wide, so a serial names one transaction of one connection */
	if (rc == ST_OK) {
		c->in_tx = 1;
		c->tx_write = write;
		c->tx_serial = atomic_fetch_add(&serials, 1) + 1;
	}
	return rc;
}

int store_commit(store_conn *c)
{
	int rc = c->s->drv->commit(c);
	c->in_tx = 0;
	if (rc == ST_OK) {
		atomic_fetch_add(&c->s->n_tx, 1);
		c->writes += c->tx_write;
	}
	return rc;
}

int store_rollback(store_conn *c)
{
	int rc = c->s->drv->rollback(c);
	c->in_tx = 0;
	atomic_fetch_add(&c->s->n_rollback, 1);
	return rc;
}

int store_tx(store *s, store_tx_fn fn, void *arg)
{
	store_conn *c = store_conn_get(s);
	int rc = ST_ERR;
	for (int attempt = 0; attempt < 8; attempt++) {
		if (attempt) {
			atomic_fetch_add(&s->n_retry, 1);
			/* Back off 1, 2, 4 … ms, so colliding writers spread out. */
			struct timespec ts = {0, (long)(1000000L << (attempt - 1))};
			nanosleep(&ts, NULL);
		}
		rc = store_begin(c, 1);
		if (rc == ST_RETRY)
			continue;
		if (rc < 0)
			return rc;
		rc = fn(c, arg);
		if (rc < 0) {
			store_rollback(c);
			if (rc == ST_RETRY)
				continue;
			return rc;
		}
		int crc = store_commit(c);
		if (crc == ST_OK)
			return rc;
		if (crc != ST_RETRY) {
			return crc;
		}
		rc = crc;
	}
	yj_log(YJ_LOG_WARN, "store.retry_exhausted", NULL);
	return rc;
}

int store_exec(store_conn *c, const char *sql)
{
	c->statements++;
	return c->s->drv->exec(c, sql);
}

store_stmt *store_copy_begin(store_conn *c, const char *table, const char *columns, int ncols)
{
	if (!c->s->drv->copy_begin)
		return NULL;
	c->statements++;
	return c->s->drv->copy_begin(c, table, columns, ncols);
}

int store_copy_row(store_stmt *st)
{
	return st->c->s->drv->copy_row(st);
}

int store_copy_end(store_stmt *st)
{
	return st->c->s->drv->copy_end(st);
}

int store_copy_end_async(store_stmt *st)
{
	const store_driver *d = st->c->s->drv;
	return d->copy_end_async ? d->copy_end_async(st) : d->copy_end(st);
}

int store_copy_wait(store_conn *c)
{
	return c->s->drv->copy_wait ? c->s->drv->copy_wait(c) : ST_OK;
}

store_stmt *store_prepare(store_conn *c, const char *sql)
{
	c->statements++;
	return c->s->drv->prepare(c, sql);
}

int64_t store_conn_statements(const store_conn *c)
{
	return c->statements;
}

int64_t store_conn_tx_serial(const store_conn *c)
{
	return c->tx_serial;
}

int64_t store_conn_writes(const store_conn *c)
{
	return c->writes;
}

int store_bind_int64(store_stmt *st, int idx, int64_t v)
{
	return st->c->s->drv->bind_int64(st, idx, v);
}

int store_bind_text(store_stmt *st, int idx, const char *v, int len)
{
	if (!v)
		return st->c->s->drv->bind_null(st, idx);
	return st->c->s->drv->bind_text(st, idx, v, len);
}

int store_bind_text_static(store_stmt *st, int idx, const char *v, int len)
{
	const store_driver *d = st->c->s->drv;
	if (!v || !d->bind_text_static)
		return store_bind_text(st, idx, v, len);
	return d->bind_text_static(st, idx, v, len);
}

int store_bind_blob(store_stmt *st, int idx, const void *data, size_t len)
{
	return st->c->s->drv->bind_blob(st, idx, data, len);
}

const void *store_col_blob(store_stmt *st, int col, size_t *len)
{
	return st->c->s->drv->col_blob(st, col, len);
}

int store_bind_null(store_stmt *st, int idx)
{
	return st->c->s->drv->bind_null(st, idx);
}

int store_step(store_stmt *st)
{
	return st->c->s->drv->step(st);
}

void store_stream(store_stmt *st)
{
	if (st && st->c->s->drv->stream)
		st->c->s->drv->stream(st);
}

int store_analyze(store_conn *c, const char *table)
{
	return store_analyze_target(c, table, 0);
}

int store_analyze_target(store_conn *c, const char *table, int target)
{
	if (c->s->drv != &store_pg_driver)
		return ST_OK; /* SQLite: no statistics to refresh (store.h) */
	char sql[192];
	/* Two statements in one simple query run as one implicit transaction, which SET LOCAL ends with. */
	int n = target > 0 ? snprintf(sql, sizeof sql, "SET LOCAL default_statistics_target = %d; ANALYZE %s", target, table)
			   : snprintf(sql, sizeof sql, "ANALYZE %s", table);
	if (n >= (int)sizeof sql)
		return ST_ERR;
	return store_exec(c, sql);
}

int store_page_cache(store_conn *c, int64_t size, int64_t *was)
{
	if (was)
		*was = 0;
	if (c->s->drv == &store_pg_driver)
		return ST_OK; /* the server's buffers (store.h) */
	if (was && store_query_int64(c, "PRAGMA cache_size", NULL, was) < 0)
		return ST_ERR;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)size);
	return store_exec(c, sql);
}

void store_plan_each(store_stmt *st)
{
	if (st && st->c->s->drv->plan_each)
		st->c->s->drv->plan_each(st);
}

int store_column_count(store_stmt *st)
{
	return st->c->s->drv->column_count(st);
}

int store_col_is_null(store_stmt *st, int col)
{
	return st->c->s->drv->col_is_null(st, col);
}

int64_t store_col_int64(store_stmt *st, int col)
{
	return st->c->s->drv->col_int64(st, col);
}

const char *store_col_text(store_stmt *st, int col)
{
	return st->c->s->drv->col_text(st, col);
}

int64_t store_changes(store_stmt *st)
{
	return st->c->s->drv->changes(st);
}

void store_finalize(store_stmt *st)
{
	if (st)
		st->c->s->drv->finalize(st);
}

const char *store_errmsg(store_conn *c)
{
	return c->s->drv->errmsg(c);
}

int store_query_int64(store_conn *c, const char *sql, const char *bind1, int64_t *out)
{
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	if (bind1)
		store_bind_text(st, 1, bind1, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*out = store_col_int64(st, 0);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

void store_get_stats(store *s, store_stats *out)
{
	pthread_mutex_lock(&s->lock);
	out->connections = (int64_t)s->nconns;
	pthread_mutex_unlock(&s->lock);
	out->transactions = atomic_load(&s->n_tx);
	out->rollbacks = atomic_load(&s->n_rollback);
	out->retries = atomic_load(&s->n_retry);
	out->writer_wait_ns = atomic_load(&s->writer_wait_ns);
}

int store_backup(store *s, const char *dest, char **err)
{
	return s->drv->backup(s, dest, err);
}

/* ---- schema version ---- */

int store_schema_version(store *s, int64_t *version)
{
	store_conn *c = store_conn_get(s);
	int rc = store_query_int64(c, "SELECT COUNT(*) FROM schema_migrations", NULL, version);
	return rc == ST_NOTFOUND ? (*version = 0, ST_OK) : rc;
}
