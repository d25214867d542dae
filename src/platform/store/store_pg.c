/* store_pg.c — the PostgreSQL engine of the store, through libpq. One PGconn per thread; `?`
 * placeholders become `$n`; statements are prepared on the server once per connection and cached
 * by SQL text; results are fetched whole (text format) and walked by store_step, or, for a statement
 * marked by store_stream, one row at a time in libpq's single-row mode. A connection that drops is
 * re-established on its next use outside a transaction, re-preparing lazily. */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"
#include "../../base/base.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE_MAX 256

typedef struct pg_stmt {
	store_stmt base;
	char *sql;	/* as given, with `?` */
	char *pgsql;	/* with `$n` */
	char name[24];	/* server-side name; "" when not cached (run with PQexecParams) */
	int prepared;	/* prepared on the current server session */
	int nparams;
	char **vals;	/* the bound values as text; NULL binds SQL NULL */
	/* Per parameter: whether vals[i] is a copy this statement frees. An integer is written into
	 * num[i] and a static text (store_bind_text_static) is the caller's: neither is allocated, which
	 * was a tenth of an import's client time (docs/benchmarks.md, "Issue 15: binding on PostgreSQL"). */
	unsigned char *owned;
	char (*num)[24];
	PGresult *res;	/* result of the last execution */
	unsigned char *blob; /* the last store_col_blob's bytes (PQfreemem) */
	int row;	/* index of the current row in res */
	int done;	/* res fully walked: the next step re-executes, as SQLite auto-resets */
	int in_use;	/* 0 free in cache, 1 in use, 2 in use and not cached */
	int stream_req;	/* store_stream: run in single-row mode (until finalize) */
	int plan_each;	/* store_plan_each: run unnamed, so planned with the values (until finalize) */
	int streaming;	/* an execution in single-row mode has rows left: step reads the next result */
	PGresult **ahead; /* results read ahead when the connection was needed (spill), in order */
	size_t nahead, ahead_at, ahead_cap;
	int spilled;	/* the rest of the stream is in ahead (empty: the end); the connection is free */
	int64_t changes;
	yj_buf copy;	/* a bulk load's rows not sent yet (store_copy_begin) */
	int copy_failed; /* a send failed: copy_end reports it */
} pg_stmt;

typedef struct pg_conn {
	store_conn base;
	PGconn *pg;
	char err[256];	/* last error: SQLSTATE and primary message, never bound values */
	pg_stmt **cache;
	size_t ncache;
	unsigned next_name;
	int copy_pending; /* a COPY ended by store_copy_end_async whose result is not read yet */
	int copy_rc;	  /* what ending it reported so far */
	pg_stmt *streaming; /* the statement whose single-row results are still coming on the connection */
} pg_conn;

static void quiet_notices(void *arg, const char *msg)
{
	/* Notices ("relation already exists, skipping") would break the JSON-lines log on stderr. */
	(void)arg;
	(void)msg;
}

/* SQLSTATE classes to store results: constraint violations are conflicts, serialization
 * failures and deadlocks are retried by store_tx. */
static int map_state(const char *state)
{
	if (!state)
		return ST_ERR;
	if (strncmp(state, "23", 2) == 0)
		return ST_CONFLICT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
		return ST_RETRY;
	return ST_ERR;
}

/* Records the failure of res on c and returns its store code. Data exceptions (class 22) and
 * constraint violations (23) may quote the offending value in their message, so for those only
 * the SQLSTATE is kept: store_errmsg must be safe to log. */
static int fail_res(pg_conn *c, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg)
		msg = PQerrorMessage(c->pg);
	if (state && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0))
		snprintf(c->err, sizeof c->err, "SQLSTATE %s (%s)", state,
			 state[1] == '3' ? "constraint violation" : "data exception");
	else
		snprintf(c->err, sizeof c->err, "%s%s%s", state ? state : "", state ? ": " : "", msg ? msg : "");
	size_t n = strlen(c->err);
	while (n && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
		c->err[--n] = '\0';
	return map_state(state);
}

/* Rewrites `?` to `$1…$n`, leaving quoted strings, quoted identifiers and comments alone.
 * Returns a new string (caller frees) and the number of placeholders in *n. */
static char *translate(const char *sql, int *n)
{
	yj_buf b = YJ_BUF_INIT;
	int count = 0;
	for (const char *p = sql; *p; p++) {
		if (*p == '\'' || *p == '"') {
			const char *q = strchr(p + 1, *p);
			size_t len = q ? (size_t)(q - p + 1) : strlen(p);
			yj_buf_append(&b, p, len);
			p += len - 1;
		} else if (p[0] == '-' && p[1] == '-') {
			const char *q = strchr(p, '\n');
			size_t len = q ? (size_t)(q - p) : strlen(p);
			yj_buf_append(&b, p, len);
			p += len - 1;
		} else if (*p == '?') {
			yj_buf_printf(&b, "$%d", ++count);
		} else {
			yj_buf_append(&b, p, 1);
		}
	}
	*n = count;
	return yj_buf_detach(&b);
}

static int pg_open(store *s, char **err)
{
	/* Connect once here so a wrong URL or an unreachable server fails at start. */
	PGconn *pg = PQconnectdb(s->target);
	if (PQstatus(pg) != CONNECTION_OK) {
		*err = yj_asprintf("cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
		size_t n = strlen(*err);
		while (n && (*err)[n - 1] == '\n')
			(*err)[--n] = '\0';
		PQfinish(pg);
		return ST_ERR;
	}
	PQfinish(pg);
	s->engine = NULL;
	return ST_OK;
}

static void pg_close(store *s)
{
	(void)s;
}

static void forget_prepared(pg_conn *c)
{
	for (size_t i = 0; i < c->ncache; i++)
		c->cache[i]->prepared = 0;
}

static int copy_settle(pg_conn *c);

/* Reads what is left of a streamed statement's results into its ahead queue, so the connection can
 * run something else (a row callback's lookup, a commit); that statement's steps then walk the queue.
 * Correct at the cost of the bound on memory, which only holds while nothing else runs mid-stream. */
static void spill(pg_conn *c)
{
	pg_stmt *s = c->streaming;
	if (!s)
		return;
	PGresult *res;
	while ((res = PQgetResult(c->pg))) {
		if (s->nahead == s->ahead_cap) {
			s->ahead_cap = s->ahead_cap ? 2 * s->ahead_cap : 64;
			s->ahead = yj_realloc(s->ahead, s->ahead_cap * sizeof *s->ahead);
		}
		s->ahead[s->nahead++] = res;
	}
	s->spilled = 1;
	c->streaming = NULL;
}

static int connect_conn(pg_conn *c)
{
	spill(c);
	/* Whatever comes next on the connection reads a pending COPY's result first. store_copy_wait
	 * is the caller's way to learn it; a failed load has aborted the transaction, so the next
	 * statement fails on its own, and a rollback still goes through. */
	if (c->copy_pending)
		(void)copy_settle(c);
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
		return ST_OK;
	if (c->base.in_tx) {
		snprintf(c->err, sizeof c->err, "connection to PostgreSQL lost inside a transaction");
		return ST_ERR;
	}
	if (c->pg)
		PQreset(c->pg);
	else
		c->pg = PQconnectdb(c->base.s->target);
	forget_prepared(c);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		snprintf(c->err, sizeof c->err, "cannot connect to PostgreSQL: %s", PQerrorMessage(c->pg));
		return ST_ERR;
	}
	PQsetNoticeProcessor(c->pg, quiet_notices, NULL);
	if (PQsetClientEncoding(c->pg, "UTF8") != 0) {
		snprintf(c->err, sizeof c->err, "cannot set client encoding UTF8");
		return ST_ERR;
	}
	return ST_OK;
}

static store_conn *pg_conn_open(store *s)
{
	pg_conn *c = yj_calloc(1, sizeof *c);
	c->base.s = s;
	connect_conn(c); /* a failure is reported by the first operation, which retries */
	return &c->base;
}

/* Ends s's stream: drops its queued results and reads and drops what is still coming, so the
 * connection is ready for the next statement. */
static void stream_end(pg_stmt *s)
{
	pg_conn *c = (pg_conn *)s->base.c;
	if (c->streaming == s) {
		PGresult *res;
		while ((res = PQgetResult(c->pg)))
			PQclear(res);
		c->streaming = NULL;
	}
	for (size_t i = s->ahead_at; i < s->nahead; i++)
		PQclear(s->ahead[i]);
	free(s->ahead);
	s->ahead = NULL;
	s->nahead = s->ahead_at = s->ahead_cap = 0;
	s->spilled = 0;
	s->streaming = 0;
}

static void vals_alloc(pg_stmt *s)
{
	size_t n = s->nparams > 0 ? (size_t)s->nparams : 1;
	s->vals = yj_calloc(n, sizeof *s->vals);
	s->owned = yj_calloc(n, sizeof *s->owned);
	s->num = yj_malloc(n * sizeof *s->num);
}

static void val_drop(pg_stmt *s, int i)
{
	if (s->owned[i])
		free(s->vals[i]);
	s->vals[i] = NULL;
	s->owned[i] = 0;
}

static void stmt_clear(pg_stmt *s)
{
	stream_end(s);
	s->stream_req = 0;
	s->plan_each = 0;
	for (int i = 0; i < s->nparams; i++)
		val_drop(s, i);
	PQclear(s->res);
	s->res = NULL;
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = NULL;
	s->row = 0;
	s->done = 0;
	s->changes = 0;
}

static void stmt_free(pg_stmt *s)
{
	stmt_clear(s);
	free(s->vals);
	free(s->owned);
	free(s->num);
	free(s->sql);
	free(s->pgsql);
	free(s);
}

static void pg_conn_close(store_conn *bc)
{
	pg_conn *c = (pg_conn *)bc;
	for (size_t i = 0; i < c->ncache; i++)
		stmt_free(c->cache[i]);
	free(c->cache);
	PQfinish(c->pg);
	free(c);
}

static int pg_exec(store_conn *bc, const char *sql)
{
	pg_conn *c = (pg_conn *)bc;
	if (connect_conn(c) < 0)
		return ST_ERR;
	PGresult *res = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) ? ST_OK : fail_res(c, res);
	PQclear(res);
	return rc;
}

static int pg_begin(store_conn *bc, int write)
{
	/* Writers run in READ COMMITTED: a row they update is locked and re-read after a concurrent
	 * commit, so the audit head (updated by every write) serialises appends across processes
	 * without the retry storms of SERIALIZABLE. Readers get one consistent snapshot. */
	return pg_exec(bc, write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static int pg_commit(store_conn *bc)
{
	pg_conn *c = (pg_conn *)bc;
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		snprintf(c->err, sizeof c->err, "connection to PostgreSQL lost before commit");
		return ST_ERR;
	}
	spill(c); /* PQexec would drop a pending stream's rows unread */
	PGresult *res = PQexec(c->pg, "COMMIT");
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? ST_OK : fail_res(c, res);
	/* COMMIT of a failed transaction answers ROLLBACK without an error: it did not commit. */
	if (rc == ST_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		snprintf(c->err, sizeof c->err, "transaction was aborted by an earlier error and rolled back");
		rc = ST_ERR;
	}
	PQclear(res);
	return rc;
}

static int pg_rollback(store_conn *bc)
{
	pg_conn *c = (pg_conn *)bc;
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK)
		return ST_ERR; /* the server rolls back a transaction whose connection dropped */
	return pg_exec(bc, "ROLLBACK");
}

/* Prepares s on the server under its name, if it has one and is not prepared yet. */
static int ensure_prepared(pg_conn *c, pg_stmt *s)
{
	if (s->prepared || !s->name[0])
		return ST_OK;
	PGresult *res = PQprepare(c->pg, s->name, s->pgsql, s->nparams, NULL);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? ST_OK : fail_res(c, res);
	PQclear(res);
	if (rc == ST_OK)
		s->prepared = 1;
	return rc;
}

static store_stmt *pg_prepare(store_conn *bc, const char *sql)
{
	pg_conn *c = (pg_conn *)bc;
	if (connect_conn(c) < 0)
		return NULL;
	for (size_t i = 0; i < c->ncache; i++) {
		pg_stmt *s = c->cache[i];
		if (!s->in_use && strcmp(s->sql, sql) == 0) {
			if (ensure_prepared(c, s) < 0)
				return NULL;
			s->in_use = 1;
			return &s->base;
		}
	}
	pg_stmt *s = yj_calloc(1, sizeof *s);
	s->base.c = bc;
	s->sql = yj_strdup(sql);
	s->pgsql = translate(sql, &s->nparams);
	vals_alloc(s);
	if (c->ncache < STMT_CACHE_MAX) {
		snprintf(s->name, sizeof s->name, "yj%u", c->next_name++);
		if (ensure_prepared(c, s) < 0) {
			stmt_free(s);
			return NULL;
		}
		c->cache = yj_realloc(c->cache, (c->ncache + 1) * sizeof *c->cache);
		c->cache[c->ncache++] = s;
		s->in_use = 1;
	} else {
		s->in_use = 2; /* not cached: run unnamed, freed by finalize */
	}
	return &s->base;
}

static int bad_index(pg_stmt *s, int idx)
{
	if (idx >= 1 && idx <= s->nparams)
		return 0;
	snprintf(((pg_conn *)s->base.c)->err, sizeof ((pg_conn *)s->base.c)->err, "bind index %d out of range 1..%d",
		 idx, s->nparams);
	return 1;
}

/* Binds v to parameter idx; owned: the statement frees v (else v is num's or the caller's). */
static int set_val(pg_stmt *s, int idx, char *v, int owned)
{
	if (bad_index(s, idx)) {
		if (owned)
			free(v);
		return ST_ERR;
	}
	val_drop(s, idx - 1);
	s->vals[idx - 1] = v;
	s->owned[idx - 1] = (unsigned char)owned;
	return ST_OK;
}

/* The decimal digits of v into out (at least 21 bytes), NUL-terminated: what printf's "%" PRId64
 * writes, without its format parsing (which an import paid for a few million times). */
static char *int64_text(int64_t v, char *out)
{
	char tmp[20];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10));
	char *p = out;
	if (v < 0)
		*p++ = '-';
	while (n)
		*p++ = tmp[--n];
	*p = '\0';
	return out;
}

static int pg_bind_int64(store_stmt *bs, int idx, int64_t v)
{
	pg_stmt *s = (pg_stmt *)bs;
	if (bad_index(s, idx))
		return ST_ERR;
	return set_val(s, idx, int64_text(v, s->num[idx - 1]), 0);
}

static int pg_bind_text(store_stmt *bs, int idx, const char *v, int len)
{
	size_t n = len < 0 ? strlen(v) : (size_t)len;
	char *copy = yj_malloc(n + 1);
	memcpy(copy, v, n);
	copy[n] = '\0';
	return set_val((pg_stmt *)bs, idx, copy, 1);
}

/* The caller's text itself when it is NUL-terminated (len < 0): libpq reads text parameters to
 * their NUL, and a counted text may have none (nor a byte after it to look at). */
static int pg_bind_text_static(store_stmt *bs, int idx, const char *v, int len)
{
	if (len >= 0)
		return pg_bind_text(bs, idx, v, len);
	return set_val((pg_stmt *)bs, idx, (char *)v, 0);
}

/* Bytes go as bytea's text form, "\\x" and two hex digits a byte, which needs no escaping. */
static int pg_bind_blob(store_stmt *bs, int idx, const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;
	char *v = yj_malloc(2 * len + 3);
	v[0] = '\\';
	v[1] = 'x';
	for (size_t i = 0; i < len; i++) {
		v[2 + 2 * i] = hex[p[i] >> 4];
		v[3 + 2 * i] = hex[p[i] & 15];
	}
	v[2 + 2 * len] = '\0';
	return set_val((pg_stmt *)bs, idx, v, 1);
}

static int pg_bind_null(store_stmt *bs, int idx)
{
	return set_val((pg_stmt *)bs, idx, NULL, 0);
}

static int execute(pg_stmt *s)
{
	pg_conn *c = (pg_conn *)s->base.c;
	PQclear(s->res);
	s->res = NULL;
	s->row = 0;
	s->done = 0;
	/* Unnamed (PQexecParams): parsed and planned with the values each time, never a generic plan. */
	int named = s->name[0] && !s->plan_each;
	if (connect_conn(c) < 0 || (named && ensure_prepared(c, s) < 0))
		return ST_ERR;
	const char *const *vals = (const char *const *)s->vals;
	if (s->stream_req) {
		int sent = named ? PQsendQueryPrepared(c->pg, s->name, s->nparams, vals, NULL, NULL, 0)
				      : PQsendQueryParams(c->pg, s->pgsql, s->nparams, NULL, vals, NULL, NULL, 0);
		if (!sent) {
			s->done = 1;
			return fail_res(c, NULL);
		}
		/* When single-row mode cannot be set, the first result is the whole one: stream_next
		 * takes it as an ordinary result. */
		(void)PQsetSingleRowMode(c->pg);
		s->streaming = 1;
		c->streaming = s;
		return ST_OK;
	}
	if (named)
		s->res = PQexecPrepared(c->pg, s->name, s->nparams, vals, NULL, NULL, 0);
	else
		s->res = PQexecParams(c->pg, s->pgsql, s->nparams, NULL, vals, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(s->res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		const char *n = PQcmdTuples(s->res);
		s->changes = n && *n ? strtoll(n, NULL, 10) : 0;
		return ST_OK;
	}
	int rc = fail_res(c, s->res);
	PQclear(s->res);
	s->res = NULL;
	s->done = 1;
	return rc;
}

/* The next result of a streamed execution: from the queue once spilled, else from the connection. */
static PGresult *next_result(pg_stmt *s)
{
	if (s->spilled)
		return s->ahead_at < s->nahead ? s->ahead[s->ahead_at++] : NULL;
	return PQgetResult(((pg_conn *)s->base.c)->pg);
}

/* One step of a streamed execution: a row (one PGresult of one tuple in s->res), the end, or the
 * statement's failure, which ends the stream too. */
static int stream_next(pg_stmt *s)
{
	pg_conn *c = (pg_conn *)s->base.c;
	PQclear(s->res);
	s->res = NULL;
	s->row = 0;
	PGresult *res = next_result(s);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_COMMAND_OK;
	if (st == PGRES_SINGLE_TUPLE) {
		s->res = res;
		return ST_ROW;
	}
	int rc = ST_DONE;
	if (res && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
		const char *n = PQcmdTuples(res);
		s->changes = n && *n ? strtoll(n, NULL, 10) : 0;
		s->res = res; /* keeps the columns; a whole result when single-row mode was refused */
	} else if (res) {
		rc = fail_res(c, res);
		PQclear(res);
	} else if (!s->spilled && PQstatus(c->pg) != CONNECTION_OK) {
		rc = fail_res(c, NULL); /* the connection ended without a final result */
	}
	stream_end(s);
	if (rc == ST_DONE && s->res && PQntuples(s->res) > 0)
		return ST_ROW; /* walked by pg_step as any whole result */
	s->done = 1;
	return rc;
}

static int pg_step(store_stmt *bs)
{
	pg_stmt *s = (pg_stmt *)bs;
	if (s->streaming)
		return stream_next(s);
	if (!s->res || s->done) {
		int rc = execute(s);
		if (rc < 0)
			return rc;
		if (s->streaming)
			return stream_next(s);
	} else {
		s->row++;
	}
	if (s->row < PQntuples(s->res))
		return ST_ROW;
	s->done = 1;
	return ST_DONE;
}

static void pg_stream(store_stmt *bs)
{
	((pg_stmt *)bs)->stream_req = 1;
}

static void pg_plan_each(store_stmt *bs)
{
	((pg_stmt *)bs)->plan_each = 1;
}

static int pg_column_count(store_stmt *bs)
{
	pg_stmt *s = (pg_stmt *)bs;
	return s->res ? PQnfields(s->res) : 0;
}

static int pg_col_is_null(store_stmt *bs, int col)
{
	pg_stmt *s = (pg_stmt *)bs;
	if (!s->res || s->row >= PQntuples(s->res) || col >= PQnfields(s->res))
		return 1;
	return PQgetisnull(s->res, s->row, col);
}

static const char *pg_col_text(store_stmt *bs, int col)
{
	pg_stmt *s = (pg_stmt *)bs;
	if (pg_col_is_null(bs, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static const void *pg_col_blob(store_stmt *bs, int col, size_t *len)
{
	pg_stmt *s = (pg_stmt *)bs;
	const char *v = pg_col_text(bs, col);
	*len = 0;
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = v ? PQunescapeBytea((const unsigned char *)v, len) : NULL;
	return s->blob;
}

static int64_t pg_col_int64(store_stmt *bs, int col)
{
	const char *v = pg_col_text(bs, col);
	if (!v)
		return 0;
	/* Booleans come back as t/f; SQLite callers expect 1/0. */
	if (v[0] == 't' && !v[1])
		return 1;
	return strtoll(v, NULL, 10);
}

static int64_t pg_changes(store_stmt *bs)
{
	return ((pg_stmt *)bs)->changes;
}

static void pg_finalize(store_stmt *bs)
{
	pg_stmt *s = (pg_stmt *)bs;
	if (s->in_use == 2) {
		stmt_free(s);
		return;
	}
	stmt_clear(s);
	s->in_use = 0;
}

int store_pg_conn_ok(store_conn *bc)
{
	pg_conn *c = (pg_conn *)bc;
	return c->pg && PQstatus(c->pg) == CONNECTION_OK;
}

static const char *pg_errmsg(store_conn *bc)
{
	return ((pg_conn *)bc)->err;
}

static int pg_backup(store *s, const char *dest, char **err)
{
	(void)s;
	(void)dest;
	*err = yj_strdup("online backup copies SQLite databases; for PostgreSQL use pg_dump or pg_basebackup"
			 " (see docs/operations.md)");
	return ST_ERR;
}

/* Bulk load through COPY … FROM STDIN in text form: the bound values of each row, tab-separated,
 * with backslash, tab, newline and carriage return escaped and \N for NULL; sent in ~64 KiB pieces. */
static store_stmt *pg_copy_begin(store_conn *bc, const char *table, const char *columns, int ncols)
{
	pg_conn *c = (pg_conn *)bc;
	if (connect_conn(c) < 0)
		return NULL;
	char *sql = yj_asprintf("COPY %s (%s) FROM STDIN", table, columns);
	PGresult *res = PQexec(c->pg, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		fail_res(c, res);
		PQclear(res);
		return NULL;
	}
	PQclear(res);
	pg_stmt *s = yj_calloc(1, sizeof *s);
	s->base.c = bc;
	s->nparams = ncols;
	vals_alloc(s);
	s->in_use = 2;
	return &s->base;
}

static void copy_send(pg_conn *c, pg_stmt *s)
{
	if (s->copy.len && !s->copy_failed && PQputCopyData(c->pg, s->copy.data, (int)s->copy.len) != 1) {
		snprintf(c->err, sizeof c->err, "COPY: %s", PQerrorMessage(c->pg));
		s->copy_failed = 1;
	}
	s->copy.len = 0;
}

static int pg_copy_row(store_stmt *bs)
{
	pg_stmt *s = (pg_stmt *)bs;
	pg_conn *c = (pg_conn *)bs->c;
	for (int i = 0; i < s->nparams; i++) {
		if (i)
			yj_buf_append(&s->copy, "\t", 1);
		const char *v = s->vals[i];
		if (!v) {
			yj_buf_append(&s->copy, "\\N", 2);
			continue;
		}
		for (;;) { /* runs that need no escape, then one escaped byte */
			size_t k = strcspn(v, "\\\t\n\r");
			yj_buf_append(&s->copy, v, k);
			if (!v[k])
				break;
			char esc[2] = {'\\', v[k] == '\t' ? 't' : v[k] == '\n' ? 'n' : v[k] == '\r' ? 'r' : '\\'};
			yj_buf_append(&s->copy, esc, 2);
			v += k + 1;
		}
		val_drop(s, i);
	}
	yj_buf_append(&s->copy, "\n", 1);
	if (s->copy.len >= 65536)
		copy_send(c, s);
	return s->copy_failed ? ST_ERR : ST_OK;
}

/* Sends the rest and the end of the data; the result is read by copy_settle. */
static void copy_finish_send(pg_conn *c, pg_stmt *s)
{
	copy_send(c, s);
	c->copy_rc = ST_OK;
	if (PQputCopyEnd(c->pg, s->copy_failed ? "client failed" : NULL) != 1) {
		snprintf(c->err, sizeof c->err, "COPY: %s", PQerrorMessage(c->pg));
		c->copy_rc = ST_ERR;
	}
	if (s->copy_failed && c->copy_rc == ST_OK)
		c->copy_rc = ST_ERR;
	c->copy_pending = 1;
	yj_buf_free(&s->copy);
	stmt_free(s);
}

/* Drains every result of the ended COPY, so the connection is ready for the next statement. */
static int copy_settle(pg_conn *c)
{
	int rc = c->copy_rc;
	PGresult *res;
	c->copy_pending = 0;
	while ((res = PQgetResult(c->pg))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == ST_OK)
			rc = fail_res(c, res);
		PQclear(res);
	}
	c->copy_rc = ST_OK;
	return rc;
}

static int pg_copy_end(store_stmt *bs)
{
	pg_conn *c = (pg_conn *)bs->c;
	copy_finish_send(c, (pg_stmt *)bs);
	return copy_settle(c);
}

static int pg_copy_end_async(store_stmt *bs)
{
	pg_conn *c = (pg_conn *)bs->c;
	copy_finish_send(c, (pg_stmt *)bs);
	return c->copy_rc;
}

static int pg_copy_wait(store_conn *bc)
{
	pg_conn *c = (pg_conn *)bc;
	return c->copy_pending ? copy_settle(c) : ST_OK;
}

/* The rows not sent yet are dropped and the end sent as a failure (copy_finish_send), so the server
 * refuses the COPY: none of its rows stay, and the connection is ready for the next statement. */
static int pg_copy_abort(store_stmt *bs)
{
	pg_conn *c = (pg_conn *)bs->c;
	pg_stmt *s = (pg_stmt *)bs;
	s->copy.len = 0;
	s->copy_failed = 1;
	copy_finish_send(c, s);
	(void)copy_settle(c); /* the refusal we asked for */
	return ST_ERR;
}

const store_driver store_pg_driver = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.conn_open = pg_conn_open,
	.conn_close = pg_conn_close,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_text_static = pg_bind_text_static,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.stream = pg_stream,
	.plan_each = pg_plan_each,
	.column_count = pg_column_count,
	.col_is_null = pg_col_is_null,
	.col_int64 = pg_col_int64,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.changes = pg_changes,
	.finalize = pg_finalize,
	.errmsg = pg_errmsg,
	.backup = pg_backup,
	.copy_begin = pg_copy_begin,
	.copy_row = pg_copy_row,
	.copy_end = pg_copy_end,
	.copy_end_async = pg_copy_end_async,
	.copy_wait = pg_copy_wait,
	.copy_abort = pg_copy_abort,
};
