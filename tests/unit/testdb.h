/* testdb.h — the one test-database fixture of the unit tests: a temporary directory with a migrated
 * SQLite database in it, or, when YJ_TEST_DB names a PostgreSQL, a schema of that database of its own
 * (dropped at the end) so tests running side by side touch nothing of each other's. Header-only, so
 * every test executable of tests/unit builds with it and no library of its own; include it after
 * <cmocka.h>. */
#ifndef YJ_TESTDB_H
#define YJ_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "platform/store/store.h"
#include "cli/modules.h"

typedef struct yj_testdb {
	char dir[64];	 /* the temporary directory, for keys and files the test writes */
	char *pg_base;	 /* YJ_TEST_DB when set (owned) */
	char schema[64]; /* the PostgreSQL schema of this test */
	store *db;	 /* open and migrated */
	char *url;	 /* its URL (owned), for a second handle on the same database */
} yj_testdb;

/* The URL of this test's database: a file in t->dir, or YJ_TEST_DB with search_path set to a new
 * schema named after the test and the process (caller frees). */
static inline char *yj_testdb_url(yj_testdb *t, const char *name)
{
	const char *pg = getenv("YJ_TEST_DB");
	if (!pg || !*pg)
		return yj_asprintf("sqlite:%s/%s.db", t->dir, name);
	t->pg_base = yj_strdup(pg);
	snprintf(t->schema, sizeof t->schema, "yj_test_%s_%ld", name, (long)getpid());
	char *err = NULL;
	store *s = store_open(pg, &err);
	if (!s)
		fail_msg("YJ_TEST_DB: %s", err);
	char *sql = yj_asprintf("CREATE SCHEMA %s", t->schema);
	assert_int_equal(store_exec(store_conn_get(s), sql), ST_OK);
	free(sql);
	store_close(s);
	return yj_asprintf("%s%coptions=-csearch_path%%3D%s", pg, strchr(pg, '?') ? '&' : '?', t->schema);
}

/* Makes the directory and the database, migrated to the current schema. name is a short word of
 * letters and underscores (it becomes part of a schema name). Fails the test on any error. */
static inline store *yj_testdb_open(yj_testdb *t, const char *name)
{
	memset(t, 0, sizeof *t);
	snprintf(t->dir, sizeof t->dir, "/tmp/yj_%s_XXXXXX", name);
	assert_non_null(mkdtemp(t->dir));
	char *err = NULL, *url = yj_testdb_url(t, name);
	t->db = store_open(url, &err);
	t->url = url;
	if (!t->db || yj_migrate(t->db, &err) < 0)
		fail_msg("store: %s", err);
	return t->db;
}

/* Runs sql (no parameters) on the test's database; fails the test when it fails. */
static inline void yj_testdb_exec(yj_testdb *t, const char *sql)
{
	store_conn *c = store_conn_get(t->db);
	if (store_exec(c, sql) < 0)
		fail_msg("%s: %s", sql, store_errmsg(c));
}

/* The integer the query sql (with one text parameter bind, or none when NULL) answers; fails the
 * test when it fails or answers nothing. */
static inline int64_t yj_testdb_int(yj_testdb *t, const char *sql, const char *bind)
{
	int64_t v = -1;
	store_conn *c = store_conn_get(t->db);
	int rc = store_query_int64(c, sql, bind, &v);
	if (rc != ST_OK)
		fail_msg("%s: %d %s", sql, rc, store_errmsg(c));
	return v;
}

static inline int yj_testdb_exec_tx_(store_conn *c, void *sql)
{
	return store_exec(c, sql) < 0 ? ST_ERR : ST_OK;
}

/* Runs sql in a write transaction of its own (as the code under test writes: through the writer);
 * fails the test when it fails. */
static inline void yj_testdb_exec_tx(yj_testdb *t, const char *sql)
{
	if (store_tx(t->db, yj_testdb_exec_tx_, (void *)sql) != ST_OK)
		fail_msg("%s: %s", sql, store_errmsg(store_conn_get(t->db)));
}

/* Closes the database, drops the PostgreSQL schema and removes the directory. */
static inline void yj_testdb_close(yj_testdb *t)
{
	store_close(t->db);
	t->db = NULL;
	free(t->url);
	t->url = NULL;
	if (t->pg_base) {
		char *err = NULL;
		store *s = store_open(t->pg_base, &err);
		char *sql = yj_asprintf("DROP SCHEMA %s CASCADE", t->schema);
		if (s)
			store_exec(store_conn_get(s), sql);
		free(sql);
		store_close(s);
		free(t->pg_base);
		t->pg_base = NULL;
	}
	char *cmd = yj_asprintf("rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		print_message("could not remove %s\n", t->dir);
	free(cmd);
}

#endif
