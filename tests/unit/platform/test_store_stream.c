/* test_store_stream.c — store_stream (platform/store: libpq's single-row mode on PostgreSQL, a no-op on
 * SQLite) on both engines: a streamed read of more rows than any buffer returns every row in order; a
 * statement finalized mid-stream leaves the connection clean (the same SQL runs again whole); another
 * statement run mid-stream (a row callback's lookup) works and the stream still yields every row; a
 * failure mid-stream is a step's failure and the connection stays usable; a streamed statement works
 * inside a read transaction that commits afterwards. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../testdb.h"

/* N numbered rows with ~80 bytes of text each, made by the query itself (no table). */
#define ROWS 30000
static const char *const SERIES =
	"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?) "
	"SELECT n, 'row ' || n || ' padded so the result is several megabytes over the wire, not a few kB' FROM s ORDER BY n";

/* Steps st to its end (or limit rows), checking each row's number and text; the rows seen, or the
 * step's failure. */
static int64_t walk(store_stmt *st, int64_t limit, int *rc_out)
{
	int64_t seen = 0;
	int rc = ST_DONE;
	char want[32];
	while (seen < limit && (rc = store_step(st)) == ST_ROW) {
		seen++;
		assert_int_equal(store_col_int64(st, 0), seen);
		snprintf(want, sizeof want, "row %lld ", (long long)seen);
		assert_int_equal(strncmp(store_col_text(st, 1), want, strlen(want)), 0);
	}
	*rc_out = seen == limit ? ST_ROW : rc;
	return seen;
}

static store_stmt *series(store_conn *c, int64_t n, int stream)
{
	store_stmt *st = store_prepare(c, SERIES);
	assert_non_null(st);
	assert_int_equal(store_bind_int64(st, 1, n), ST_OK);
	if (stream)
		store_stream(st);
	return st;
}

static void test_stream(void **state)
{
	(void)state;
	yj_testdb t;
	yj_testdb_open(&t, "stream");
	store_conn *c = store_conn_get(t.db);
	int rc;
	int64_t v;

	/* Every row, in order; the columns are there; the statement re-runs after its end. */
	store_stmt *st = series(c, ROWS, 1);
	assert_int_equal(walk(st, ROWS + 1, &rc), ROWS);
	assert_int_equal(rc, ST_DONE);
	assert_int_equal(store_column_count(st), 2);
	store_finalize(st);

	/* Finalized after 10 rows: the connection runs the next statement, and the same (cached) SQL
	 * runs again, whole and streamed. */
	st = series(c, ROWS, 1);
	assert_int_equal(walk(st, 10, &rc), 10);
	store_finalize(st);
	assert_int_equal(store_query_int64(c, "SELECT 41 + 1", NULL, &v), ST_OK);
	assert_int_equal(v, 42);
	st = series(c, 100, 0);
	assert_int_equal(walk(st, ROWS, &rc), 100);
	assert_int_equal(rc, ST_DONE);
	store_finalize(st);
	st = series(c, 100, 1);
	assert_int_equal(walk(st, ROWS, &rc), 100);
	assert_int_equal(rc, ST_DONE);
	store_finalize(st);

	/* Other statements mid-stream, as a row callback's lookup would: each works, and the stream still
	 * gives every row. */
	st = series(c, ROWS, 1);
	assert_int_equal(walk(st, 1000, &rc), 1000);
	assert_int_equal(store_query_int64(c, "SELECT 7", NULL, &v), ST_OK);
	assert_int_equal(v, 7);
	store_stmt *other = series(c, 50, 1); /* a second stream while the first one is pending */
	assert_int_equal(walk(other, ROWS, &rc), 50);
	assert_int_equal(rc, ST_DONE);
	store_finalize(other);
	int64_t seen = 1000;
	while ((rc = store_step(st)) == ST_ROW)
		assert_int_equal(store_col_int64(st, 0), ++seen);
	assert_int_equal(rc, ST_DONE);
	assert_int_equal(seen, ROWS);
	store_finalize(st);

	/* Inside a read transaction, finalized mid-stream before the commit. */
	assert_int_equal(store_begin(c, 0), ST_OK);
	st = series(c, ROWS, 1);
	assert_int_equal(walk(st, 5000, &rc), 5000);
	store_finalize(st);
	assert_int_equal(store_query_int64(c, "SELECT 3", NULL, &v), ST_OK);
	assert_int_equal(store_commit(c), ST_OK);

	/* A failure after some rows (PostgreSQL: division by zero at row 20,000; SQLite answers NULL and
	 * has no such failure) is the step's, and the connection then runs the next statement. */
	if (strcmp(store_engine(t.db), "postgresql") == 0) {
		st = store_prepare(c, "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 30000) "
				      "SELECT n, 1 / (20000 - n) FROM s");
		assert_non_null(st);
		store_stream(st);
		seen = 0;
		while ((rc = store_step(st)) == ST_ROW)
			seen++;
		assert_true(rc < 0);
		assert_true(seen < 20000);
		assert_non_null(strstr(store_errmsg(c), "22012"));
		store_finalize(st);
		assert_int_equal(store_query_int64(c, "SELECT 5", NULL, &v), ST_OK);
		assert_int_equal(v, 5);
	}
	yj_testdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
