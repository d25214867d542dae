/* store_sqlite.c — the SQLite engine of the store. WAL with synchronous=FULL so an acknowledged
 * commit survives kill -9 and power loss; foreign keys and a busy timeout on every connection;
 * one connection per thread; all writers of this process serialised by one mutex. */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"
#include "../../base/base.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STMT_CACHE_MAX 256

typedef struct sq_engine {
	pthread_mutex_t writer; /* one writer per process; other processes wait on busy_timeout */
} sq_engine;

typedef struct sq_stmt {
	store_stmt base;
	sqlite3_stmt *st;
	char *sql;
	int in_use;
	int64_t changes;
} sq_stmt;

typedef struct sq_conn {
	store_conn base;
	sqlite3 *db;
	int holds_writer;
	char *err;      /* last error message when db is NULL */
	sq_stmt **cache;
	size_t ncache;
} sq_conn;

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return ST_OK;
	case SQLITE_ROW:
		return ST_ROW;
	case SQLITE_DONE:
		return ST_DONE;
	case SQLITE_CONSTRAINT:
		return ST_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ST_RETRY;
	default:
		return ST_ERR;
	}
}

static int sq_open(store *s, char **err)
{
	/* Open once here so a bad path fails at start, not on the first request. */
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(s->target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		*err = yj_asprintf("cannot open SQLite database %s: %s", s->target,
				   db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return ST_ERR;
	}
	/* WAL is a property of the file; set it once, before any thread starts. */
	char *msg = NULL;
	rc = sqlite3_exec(db, "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL;", NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		*err = yj_asprintf("cannot enable WAL on %s: %s", s->target, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close(db);
		return ST_ERR;
	}
	sqlite3_close(db);
	sq_engine *e = yj_calloc(1, sizeof *e);
	pthread_mutex_init(&e->writer, NULL);
	s->engine = e;
	return ST_OK;
}

static void sq_close(store *s)
{
	sq_engine *e = s->engine;
	pthread_mutex_destroy(&e->writer);
	free(e);
}

static store_conn *sq_conn_open(store *s)
{
	sq_conn *c = yj_calloc(1, sizeof *c);
	int rc = sqlite3_open_v2(s->target, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->db,
				  "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"
				  " PRAGMA journal_mode=WAL;",
				  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		c->err = yj_asprintf("cannot open %s: %s", s->target,
				     c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		c->db = NULL;
	}
	return &c->base;
}

static void sq_conn_close(store_conn *bc)
{
	sq_conn *c = (sq_conn *)bc;
	for (size_t i = 0; i < c->ncache; i++) {
		sqlite3_finalize(c->cache[i]->st);
		free(c->cache[i]->sql);
		free(c->cache[i]);
	}
	free(c->cache);
	sqlite3_close(c->db);
	free(c->err);
	free(c);
}

static int sq_exec(store_conn *bc, const char *sql)
{
	sq_conn *c = (sq_conn *)bc;
	if (!c->db)
		return ST_ERR;
	return map_rc(sqlite3_exec(c->db, sql, NULL, NULL, NULL));
}

static void writer_release(sq_conn *c)
{
	if (c->holds_writer) {
		c->holds_writer = 0;
		pthread_mutex_unlock(&((sq_engine *)c->base.s->engine)->writer);
	}
}

static int sq_begin(store_conn *bc, int write)
{
	sq_conn *c = (sq_conn *)bc;
	if (!c->db)
		return ST_ERR;
	if (write) {
		sq_engine *e = c->base.s->engine;
		uint64_t t0 = yj_mono_ns();
		pthread_mutex_lock(&e->writer);
		atomic_fetch_add(&c->base.s->writer_wait_ns, (int64_t)(yj_mono_ns() - t0));
		c->holds_writer = 1;
		int rc = sq_exec(bc, "BEGIN IMMEDIATE");
		if (rc != ST_OK)
			writer_release(c);
		return rc;
	}
	return sq_exec(bc, "BEGIN");
}

static int sq_commit(store_conn *bc)
{
	sq_conn *c = (sq_conn *)bc;
	int rc = sq_exec(bc, "COMMIT");
	if (rc != ST_OK)
		sq_exec(bc, "ROLLBACK");
	writer_release(c);
	return rc;
}

static int sq_rollback(store_conn *bc)
{
	sq_conn *c = (sq_conn *)bc;
	int rc = sq_exec(bc, "ROLLBACK");
	writer_release(c);
	return rc;
}

static store_stmt *sq_prepare(store_conn *bc, const char *sql)
{
	sq_conn *c = (sq_conn *)bc;
	if (!c->db)
		return NULL;
	for (size_t i = 0; i < c->ncache; i++) {
		sq_stmt *s = c->cache[i];
		if (!s->in_use && strcmp(s->sql, sql) == 0) {
			s->in_use = 1;
			s->changes = 0;
			return &s->base;
		}
	}
	sqlite3_stmt *st = NULL;
	/* Row locks: SQLite has none and needs none (one writer at a time), so a trailing
	 * FOR UPDATE [SKIP LOCKED] is dropped; PostgreSQL keeps it. */
	size_t n = strlen(sql);
	static const char *const locks[] = {" FOR UPDATE SKIP LOCKED", " FOR UPDATE"};
	for (size_t i = 0; i < 2; i++) {
		size_t k = strlen(locks[i]);
		if (n >= k && strcmp(sql + n - k, locks[i]) == 0) {
			n -= k;
			break;
		}
	}
	if (sqlite3_prepare_v3(c->db, sql, (int)n, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	sq_stmt *s = yj_calloc(1, sizeof *s);
	s->base.c = bc;
	s->st = st;
	s->sql = yj_strdup(sql);
	s->in_use = 1;
	if (c->ncache < STMT_CACHE_MAX) {
		c->cache = yj_realloc(c->cache, (c->ncache + 1) * sizeof *c->cache);
		c->cache[c->ncache++] = s;
	} else {
		s->in_use = 2; /* not cached: finalize frees it */
	}
	return &s->base;
}

static int sq_bind_int64(store_stmt *bs, int idx, int64_t v)
{
	return map_rc(sqlite3_bind_int64(((sq_stmt *)bs)->st, idx, v));
}

static int sq_bind_text(store_stmt *bs, int idx, const char *v, int len)
{
	return map_rc(sqlite3_bind_text(((sq_stmt *)bs)->st, idx, v, len, SQLITE_TRANSIENT));
}

/* The finalize clears the bindings (sq_finalize), so a cached statement never holds v past it. */
static int sq_bind_text_static(store_stmt *bs, int idx, const char *v, int len)
{
	return map_rc(sqlite3_bind_text(((sq_stmt *)bs)->st, idx, v, len, SQLITE_STATIC));
}

static int sq_bind_blob(store_stmt *bs, int idx, const void *data, size_t len)
{
	return map_rc(sqlite3_bind_blob64(((sq_stmt *)bs)->st, idx, len ? data : "", len, SQLITE_TRANSIENT));
}

static int sq_bind_null(store_stmt *bs, int idx)
{
	return map_rc(sqlite3_bind_null(((sq_stmt *)bs)->st, idx));
}

static int sq_step(store_stmt *bs)
{
	sq_stmt *s = (sq_stmt *)bs;
	int rc = map_rc(sqlite3_step(s->st));
	if (rc == ST_DONE)
		s->changes = sqlite3_changes64(((sq_conn *)bs->c)->db);
	return rc;
}

static int sq_column_count(store_stmt *bs)
{
	return sqlite3_column_count(((sq_stmt *)bs)->st);
}

static int sq_col_is_null(store_stmt *bs, int col)
{
	return sqlite3_column_type(((sq_stmt *)bs)->st, col) == SQLITE_NULL;
}

static int64_t sq_col_int64(store_stmt *bs, int col)
{
	return sqlite3_column_int64(((sq_stmt *)bs)->st, col);
}

static const char *sq_col_text(store_stmt *bs, int col)
{
	return (const char *)sqlite3_column_text(((sq_stmt *)bs)->st, col);
}

static const void *sq_col_blob(store_stmt *bs, int col, size_t *len)
{
	sqlite3_stmt *st = ((sq_stmt *)bs)->st;
	const void *p = sqlite3_column_blob(st, col);
	*len = (size_t)sqlite3_column_bytes(st, col);
	return p || sqlite3_column_type(st, col) == SQLITE_NULL ? p : "";
}

static int64_t sq_changes(store_stmt *bs)
{
	return ((sq_stmt *)bs)->changes;
}

static void sq_finalize(store_stmt *bs)
{
	sq_stmt *s = (sq_stmt *)bs;
	if (s->in_use == 2) {
		sqlite3_finalize(s->st);
		free(s->sql);
		free(s);
		return;
	}
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->in_use = 0;
}

static const char *sq_errmsg(store_conn *bc)
{
	sq_conn *c = (sq_conn *)bc;
	return c->db ? sqlite3_errmsg(c->db) : c->err;
}

static int sq_backup(store *s, const char *dest, char **err)
{
	sqlite3 *src = NULL, *dst = NULL;
	int rc = sqlite3_open_v2(s->target, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_open(dest, &dst);
	if (rc != SQLITE_OK) {
		*err = yj_asprintf("cannot open %s: %s", rc == SQLITE_OK ? dest : s->target, sqlite3_errstr(rc));
		goto done;
	}
	sqlite3_busy_timeout(src, 10000);
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		*err = yj_asprintf("backup to %s failed: %s", dest, sqlite3_errmsg(dst));
		rc = SQLITE_ERROR;
		goto done;
	}
	/* Copy in steps so the live server's writers are not held off for the whole copy;
	 * a write during the copy makes SQLite restart it, which is what keeps the copy consistent. */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			struct timespec ts = {0, 20 * 1000000L};
			nanosleep(&ts, NULL);
		}
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	else
		*err = yj_asprintf("backup to %s failed: %s", dest, sqlite3_errstr(rc));
done:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc == SQLITE_OK ? ST_OK : ST_ERR;
}

const store_driver store_sqlite_driver = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.conn_open = sq_conn_open,
	.conn_close = sq_conn_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_text_static = sq_bind_text_static,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.column_count = sq_column_count,
	.col_is_null = sq_col_is_null,
	.col_int64 = sq_col_int64,
	.col_text = sq_col_text,
	.col_blob = sq_col_blob,
	.changes = sq_changes,
	.finalize = sq_finalize,
	.errmsg = sq_errmsg,
	.backup = sq_backup,
};
