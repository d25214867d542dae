/* store_bulk.c — bulk loads of many rows through one per-row bind callback (store.h: store_copy_rows,
 * store_insert_rows, and store_load_rows choosing between them): by COPY where the engine has it, in
 * multi-row INSERTs where it has not. The one
 * copy of the begin / bind+row loop / end / INSERT-batching that the registry's bulk insert, the audit
 * log's flush and the events' flush each had. */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"
#include "../../base/base.h"

#include <stdlib.h>

int store_copy_rows(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
		    store_rows_bind_fn bind, void *arg, int async)
{
	const store_driver *d = c->s->drv;
	if (!d->copy_begin)
		return ST_NOCOPY;
	store_stmt *cp = store_copy_begin(c, table, columns, ncols);
	if (!cp)
		return ST_ERR; /* the engine has COPY, so this is the server's refusal (store_errmsg) */
	int rc = ST_OK;
	for (size_t i = 0; i < nrows && rc >= 0; i++) {
		int next = bind(cp, 1, i, arg);
		rc = next < 0 ? next : store_copy_row(cp);
	}
	if (rc < 0 && d->copy_abort) {
		/* A row the caller could not bind: none of the load's rows may stay, so the end is a refusal
		 * rather than the end of the data (which would keep the rows sent so far). */
		d->copy_abort(cp);
		return rc;
	}
	int erc = async ? store_copy_end_async(cp) : store_copy_end(cp); /* frees cp */
	return rc < 0 ? rc : erc;
}

/* Rows per statement: a power of two, at most 512, and with every value a bound parameter, under
 * both engines' limits (SQLite 32766 since 3.32, PostgreSQL 65535). */
static size_t rows_per_statement(int ncols)
{
	size_t m = 512;
	while (m > 1 && m * (size_t)ncols > 30000)
		m /= 2;
	return m;
}

/* One INSERT of rows [from, from + m): prepared (from the cache after the first time for this m),
 * bound, run and finalized. */
static int insert_some(store_conn *c, const char *table, const char *columns, const char *row, size_t from,
		       size_t m, store_rows_bind_fn bind, void *arg)
{
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_printf(&sql, "INSERT INTO %s (%s) VALUES ", table, columns);
	for (size_t i = 0; i < m; i++) {
		if (i)
			yj_buf_puts(&sql, ", ");
		yj_buf_puts(&sql, row);
	}
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	int idx = 1;
	for (size_t i = 0; i < m && idx >= 0; i++)
		idx = bind(st, idx, from + i, arg);
	int rc = idx < 0 ? idx : store_step(st);
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}

int store_load_rows(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
		    store_rows_bind_fn bind, void *arg, int async)
{
	int rc = nrows >= STORE_COPY_FROM ? store_copy_rows(c, table, columns, ncols, nrows, bind, arg, async) : ST_NOCOPY;
	return rc == ST_NOCOPY ? store_insert_rows(c, table, columns, ncols, nrows, bind, arg) : rc;
}

int store_insert_rows(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
		      store_rows_bind_fn bind, void *arg)
{
	size_t max = rows_per_statement(ncols), done = 0;
	yj_buf row = YJ_BUF_INIT;
	for (int i = 0; i < ncols; i++)
		yj_buf_puts(&row, i ? ", ?" : "(?");
	yj_buf_puts(&row, ")");
	int rc = ST_OK;
	while (done < nrows && rc >= 0) {
		/* The largest power of two that fits what is left: at most log2(max) + 1 statement texts,
		 * whatever the counts. A text for each count left over would fill the connection's statement
		 * cache, which never evicts (store_sqlite.c, store_pg.c: STMT_CACHE_MAX). */
		size_t m = max;
		while (m > nrows - done)
			m /= 2;
		rc = insert_some(c, table, columns, row.data, done, m, bind, arg);
		done += m;
	}
	yj_buf_free(&row);
	return rc;
}
