/* test_store_bulk.c — the store's bulk loads (platform/store/store_bulk.c) on both engines:
 * store_copy_rows loads every row by COPY on PostgreSQL and answers ST_NOCOPY on SQLite without
 * binding anything; a bind that fails mid-way stops the load with its failure, leaves none of the
 * load's rows (also those already sent), frees the statement (ASan) and leaves the connection usable;
 * a conflict and an async end are reported as store_copy_end's; store_insert_rows loads every row in
 * power-of-two statements and stops at a bind's failure the same way. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../testdb.h"

#define ROWS 2000

/* Row i is (base + i, a text of ~200 bytes naming i); fail_at: the row whose bind fails (ROWS: none).
 * binds counts the calls. */
typedef struct rows {
	int64_t base;
	size_t fail_at;
	size_t binds;
	char text[256];
} rows;

static int bind_row(store_stmt *st, int idx, size_t row, void *arg)
{
	rows *r = arg;
	r->binds++;
	if (row == r->fail_at)
		return ST_ERR;
	snprintf(r->text, sizeof r->text, "row %zu\t%0180d\\end", row, 0); /* a tab and a backslash to escape */
	store_bind_int64(st, idx, r->base + (int64_t)row);
	store_bind_text(st, idx + 1, r->text, -1);
	return idx + 2;
}

static int64_t count(yj_testdb *t)
{
	return yj_testdb_int(t, "SELECT COUNT(*) FROM bulk_probe", NULL);
}

/* Row `row` of a load from base reads back as bound. */
static void check_row(yj_testdb *t, int64_t base, size_t row)
{
	char want[256];
	snprintf(want, sizeof want, "row %zu\t%0180d\\end", row, 0);
	store_conn *c = store_conn_get(t->db);
	store_stmt *st = store_prepare(c, "SELECT v FROM bulk_probe WHERE k = ?");
	assert_non_null(st);
	store_bind_int64(st, 1, base + (int64_t)row);
	assert_int_equal(store_step(st), ST_ROW);
	assert_string_equal(store_col_text(st, 0), want);
	store_finalize(st);
}

static int copy(store_conn *c, rows *r, int async)
{
	return store_copy_rows(c, "bulk_probe", "k, v", 2, ROWS, bind_row, r, async);
}

/* A test database with the empty table the loads go into; its connection. */
static store_conn *open_probe(yj_testdb *t, const char *name)
{
	yj_testdb_open(t, name);
	yj_testdb_exec(t, "CREATE TABLE bulk_probe (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
	return store_conn_get(t->db);
}

static void test_copy_rows(void **state)
{
	(void)state;
	yj_testdb t;
	store_conn *c = open_probe(&t, "store_bulk");
	rows r = {.base = 1, .fail_at = ROWS};

	if (strcmp(store_engine(t.db), "postgresql") != 0) {
		/* No COPY: nothing bound, nothing sent, the caller INSERTs. */
		assert_int_equal(copy(c, &r, 0), ST_NOCOPY);
		assert_int_equal(copy(c, &r, 1), ST_NOCOPY);
		assert_int_equal(r.binds, 0);
		assert_int_equal(count(&t), 0);
		yj_testdb_close(&t);
		return;
	}

	/* Every row, escapes and all. */
	assert_int_equal(copy(c, &r, 0), ST_OK);
	assert_int_equal(r.binds, ROWS);
	assert_int_equal(count(&t), ROWS);
	check_row(&t, 1, 0);
	check_row(&t, 1, ROWS - 1);

	/* A bind failing at row 1,500 (~300 KiB already sent) outside a transaction: its failure, and
	 * none of the load's rows kept; the connection runs the next statement and the next load. */
	r = (rows){.base = 100000, .fail_at = 1500};
	assert_int_equal(copy(c, &r, 0), ST_ERR);
	assert_int_equal(r.binds, 1501);
	assert_int_equal(count(&t), ROWS);
	r.fail_at = ROWS;
	assert_int_equal(copy(c, &r, 0), ST_OK);
	assert_int_equal(count(&t), 2 * ROWS);

	/* The same inside a transaction (async asked: a failure is reported at once all the same): the
	 * transaction is refused, the caller rolls back and the connection goes on. */
	assert_int_equal(store_begin(c, 1), ST_OK);
	r = (rows){.base = 200000, .fail_at = 10};
	assert_int_equal(copy(c, &r, 1), ST_ERR);
	assert_int_equal(store_rollback(c), ST_OK);
	assert_int_equal(count(&t), 2 * ROWS);

	/* A conflict (the keys of the first load again) is store_copy_end's ST_CONFLICT; ended async, it
	 * is store_copy_wait's. */
	r = (rows){.base = 1, .fail_at = ROWS};
	assert_int_equal(copy(c, &r, 0), ST_CONFLICT);
	assert_int_equal(copy(c, &r, 1), ST_OK);
	assert_int_equal(store_copy_wait(c), ST_CONFLICT);
	r.base = 300000;
	assert_int_equal(copy(c, &r, 1), ST_OK);
	assert_int_equal(store_copy_wait(c), ST_OK);
	assert_int_equal(count(&t), 3 * ROWS);
	yj_testdb_close(&t);
}

static void test_insert_rows(void **state)
{
	(void)state;
	yj_testdb t;
	store_conn *c = open_probe(&t, "store_bulk_ins");

	/* 1,000 rows of two values: 512 + 256 + 128 + 64 + 32 + 8, six statements. */
	rows r = {.base = 1, .fail_at = ROWS};
	int64_t before = store_conn_statements(c);
	assert_int_equal(store_insert_rows(c, "bulk_probe", "k, v", 2, 1000, bind_row, &r), ST_OK);
	assert_int_equal(store_conn_statements(c) - before, 6);
	assert_int_equal(count(&t), 1000);
	check_row(&t, 1, 0);
	check_row(&t, 1, 999);
	check_row(&t, 1, 520);

	/* A bind failing at row 600 (in the second statement): its failure, the statement finalized;
	 * rolled back, nothing stays, and the connection goes on. */
	assert_int_equal(store_begin(c, 1), ST_OK);
	r = (rows){.base = 5000, .fail_at = 600};
	assert_int_equal(store_insert_rows(c, "bulk_probe", "k, v", 2, 1000, bind_row, &r), ST_ERR);
	assert_int_equal(r.binds, 601);
	assert_int_equal(store_rollback(c), ST_OK);
	assert_int_equal(count(&t), 1000);

	/* A key taken: ST_CONFLICT. */
	assert_int_equal(store_begin(c, 1), ST_OK);
	r = (rows){.base = 900, .fail_at = ROWS};
	assert_int_equal(store_insert_rows(c, "bulk_probe", "k, v", 2, 200, bind_row, &r), ST_CONFLICT);
	assert_int_equal(store_rollback(c), ST_OK);
	r.base = 1001;
	assert_int_equal(store_insert_rows(c, "bulk_probe", "k, v", 2, 3, bind_row, &r), ST_OK);
	assert_int_equal(count(&t), 1003);
	yj_testdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_rows),
		cmocka_unit_test(test_insert_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
