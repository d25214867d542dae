/* test_jobs.c — the job runner on a real database (a temporary SQLite file, or the PostgreSQL of
 * YJ_TEST_DB in a schema of its own): schedule arithmetic, lease take / renew / expiry / takeover
 * with the clock passed in, back-off after a failure, SKIP LOCKED on PostgreSQL, and the runner's
 * threads (retry, renewal of a long job's lease, release on stop). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/modules.h"
#include "../testdb.h"
#include "platform/jobs/jobs_int.h"

static yj_testdb t; /* the fixture: tests/unit/testdb.h */
static store *db;

static int64_t query_int(const char *sql, const char *bind)
{
	return yj_testdb_int(&t, sql, bind);
}

static void exec_sql(const char *sql)
{
	yj_testdb_exec_tx(&t, sql);
}

struct defer_arg {
	const char *handler, *key;
	int64_t at;
};

static int defer_tx(store_conn *c, void *argp)
{
	struct defer_arg *a = argp;
	return yj_job_defer(c, a->handler, a->key, a->at, "{\"n\":1}");
}

static void defer(const char *handler, const char *key, int64_t at)
{
	struct defer_arg a = {handler, key, at};
	assert_int_equal(store_tx(db, defer_tx, &a), ST_OK);
}

static void ms_sleep(int64_t ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- schedule arithmetic ---- */

static void test_schedule(void **state)
{
	/* 2026-12-06T00:00:00Z is 08:00 in Shanghai: 02:00 local is next at 2026-12-06T18:00Z. */
	int64_t t = 1796515200000LL;
	assert_int_equal(jobs_next_daily(t, 120), t + 18 * 3600000LL);
	/* 09:00 local is still today: 01:00Z. */
	assert_int_equal(jobs_next_daily(t, 9 * 60), t + 3600000LL);
	/* Exactly at the time: the next day, so a run at 08:00 does not repeat itself. */
	assert_int_equal(jobs_next_daily(t, 8 * 60), t + 86400000LL);
	/* Local midnight crossing UTC's day: 23:30 local on 12-05 is 15:30Z on 12-05. */
	assert_int_equal(jobs_next_daily(t - 9 * 3600000LL, 23 * 60 + 30), t - 8 * 3600000LL - 30 * 60000LL);
	assert_int_equal(jobs_next_run(YJ_JOB_EVERY, 60, 1000, 2000), 61000);
	assert_int_equal(jobs_next_run(YJ_JOB_EVERY, 1, 1000, 5000), 5000); /* overran: at once */
	assert_int_equal(yj_backoff_ms(1, 5000, 3600000), 5000);
	assert_int_equal(yj_backoff_ms(2, 5000, 3600000), 10000);
	assert_int_equal(yj_backoff_ms(4, 5000, 3600000), 40000);
	assert_int_equal(yj_backoff_ms(40, 5000, 3600000), 3600000);
}

/* ---- leases ---- */

static const char *const handlers[] = {"test.work", "test.every"};

static void test_take_renew_expire(void **state)
{
	exec_sql("DELETE FROM jobs");
	int64_t t = 1000000;
	defer("test.work", "k1", t);
	defer("test.work", "k1", t + 50); /* pending: unchanged */
	assert_int_equal(query_int("SELECT COUNT(*) FROM jobs WHERE handler = ?", "test.work"), 1);
	assert_int_equal(query_int("SELECT next_run_at FROM jobs WHERE name = ?", "test.work:k1"), t);

	jobs_row a = {0}, b = {0};
	assert_int_equal(jobs_store_take(db, handlers, 2, "A", t - 1, 1000, &a), ST_NOTFOUND); /* not yet due */
	assert_int_equal(jobs_store_take(db, handlers + 1, 1, "A", t, 1000, &a), ST_NOTFOUND); /* not A's handler */
	assert_int_equal(jobs_store_take(db, handlers, 2, "A", t, 1000, &a), ST_OK);
	assert_string_equal(a.name, "test.work:k1");
	assert_string_equal(a.payload, "{\"n\":1}");
	assert_null(a.prev_owner);
	/* Held: nobody else takes it. */
	assert_int_equal(jobs_store_take(db, handlers, 2, "B", t + 500, 1000, &b), ST_NOTFOUND);
	/* Renewed at +800 to +1800: still held at +1500, when the first lease would have ended. */
	assert_int_equal(jobs_store_renew(db, a.id, "A", t + 800, 1000), ST_OK);
	assert_int_equal(jobs_store_take(db, handlers, 2, "B", t + 1500, 1000, &b), ST_NOTFOUND);
	/* Not renewed again (A died): expired at +1800, B takes it over. */
	assert_int_equal(jobs_store_take(db, handlers, 2, "B", t + 1900, 1000, &b), ST_OK);
	assert_int_equal(b.id, a.id);
	assert_string_equal(b.prev_owner, "A");
	/* A, back from the dead, can neither renew nor record. */
	assert_int_equal(jobs_store_renew(db, a.id, "A", t + 2000, 1000), ST_NOTFOUND);
	jobs_outcome ok = {.ok = 1, .done = 1, .next_run_at = t};
	assert_int_equal(jobs_store_finish(db, a.id, "A", t + 2000, &ok), ST_NOTFOUND);
	assert_int_equal(jobs_store_finish(db, b.id, "B", t + 2100, &ok), ST_OK);
	assert_int_equal(query_int("SELECT runs FROM jobs WHERE name = ?", "test.work:k1"), 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM jobs WHERE last_owner = ? AND state = 'done'"
				   " AND last_result = 'ok' AND lease_owner IS NULL", "B"), 1);
	/* Done: not taken again, until the same work is put again. */
	assert_int_equal(jobs_store_take(db, handlers, 2, "C", t + 99999, 1000, &b), ST_NOTFOUND);
	defer("test.work", "k1", t + 3000);
	assert_int_equal(query_int("SELECT COUNT(*) FROM jobs WHERE state = 'scheduled' AND name = ?", "test.work:k1"), 1);
	jobs_row_free(&a);
	jobs_row_free(&b);
}

static void test_failure_backs_off(void **state)
{
	exec_sql("DELETE FROM jobs");
	int64_t t = yj_now_ms();
	static const yj_job_def every = {"test.every", YJ_JOB_EVERY, 60, NULL, NULL};
	assert_int_equal(jobs_store_ensure(db, &every, t), ST_OK);
	assert_int_equal(jobs_store_ensure(db, &every, t + 5), ST_OK); /* a second process: one row */
	assert_int_equal(query_int("SELECT COUNT(*) FROM jobs WHERE name = ?", "test.every"), 1);
	jobs_row r = {0};
	assert_int_equal(jobs_store_take(db, handlers, 2, "A", t, 30000, &r), ST_OK);
	jobs_outcome fail = {.ok = 0, .error = "boom", .failures = 1, .next_run_at = t + yj_backoff_ms(1, 5000, 60000)};
	assert_int_equal(jobs_store_finish(db, r.id, "A", t + 10, &fail), ST_OK);
	assert_int_equal(query_int("SELECT failures FROM jobs WHERE name = ?", "test.every"), 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM jobs WHERE last_error = 'boom' AND last_result = 'failed'"
				   " AND name = ?", "test.every"), 1);
	assert_int_equal(jobs_store_take(db, handlers, 2, "B", t + 4999, 30000, &r), ST_NOTFOUND);
	assert_int_equal(jobs_store_take(db, handlers, 2, "B", t + 5000, 30000, &r), ST_OK);
	jobs_outcome ok = {.ok = 1, .next_run_at = jobs_next_run(YJ_JOB_EVERY, 60, t + 5000, t + 5001)};
	assert_int_equal(jobs_store_finish(db, r.id, "B", t + 5001, &ok), ST_OK);
	assert_int_equal(query_int("SELECT failures FROM jobs WHERE name = ?", "test.every"), 0);
	assert_int_equal(query_int("SELECT next_run_at FROM jobs WHERE name = ?", "test.every"), t + 65000);
	/* A released lease (the runner stopped) is free at once, and records no run. */
	assert_int_equal(jobs_store_take(db, handlers, 2, "C", t + 65000, 30000, &r), ST_OK);
	assert_int_equal(jobs_store_release(db, r.id, "C", t + 65001), ST_OK);
	assert_int_equal(query_int("SELECT runs FROM jobs WHERE name = ?", "test.every"), 2);
	assert_int_equal(jobs_store_take(db, handlers, 2, "D", t + 65002, 30000, &r), ST_OK);
	jobs_row_free(&r);
	/* A changed schedule moves the row; the same one leaves it alone. */
	static const yj_job_def daily = {"test.every", YJ_JOB_DAILY, 120, NULL, NULL};
	assert_int_equal(jobs_store_ensure(db, &daily, t), ST_OK);
	assert_int_equal(query_int("SELECT next_run_at FROM jobs WHERE name = ?", "test.every"), jobs_next_daily(t, 120));
}

/* PostgreSQL: a row locked by another transaction is skipped, not waited for. */
struct take_thread {
	int rc;
};

static void *take_main(void *argp)
{
	struct take_thread *tt = argp;
	jobs_row r = {0};
	tt->rc = jobs_store_take(db, handlers, 2, "B", yj_now_ms(), 30000, &r);
	jobs_row_free(&r);
	return NULL;
}

static void test_skip_locked(void **state)
{
	if (!t.pg_base)
		skip(); /* SQLite: one writer at a time, nothing to skip */
	exec_sql("DELETE FROM jobs");
	defer("test.work", "locked", 0);
	store_conn *c = store_conn_get(db);
	assert_int_equal(store_begin(c, 1), ST_OK);
	store_stmt *st = store_prepare(c, "SELECT id FROM jobs WHERE name = 'test.work:locked' FOR UPDATE");
	assert_non_null(st);
	assert_int_equal(store_step(st), ST_ROW);
	store_finalize(st);
	struct take_thread tt = {99};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, take_main, &tt), 0);
	pthread_join(th, NULL); /* returns while we hold the lock: SKIP LOCKED */
	assert_int_equal(tt.rc, ST_NOTFOUND);
	assert_int_equal(store_rollback(c), ST_OK);
	pthread_create(&th, NULL, take_main, &tt);
	pthread_join(th, NULL);
	assert_int_equal(tt.rc, ST_OK);
}

/* ---- the runner ---- */

static atomic_int flaky_calls, long_calls, long_stopped;

static int flaky_run(yj_job_ctx *ctx)
{
	/* Fails the first time: the runner retries after the back-off. */
	return atomic_fetch_add(&flaky_calls, 1) == 0 ? YJ_ERR : YJ_OK;
}

static int long_run(yj_job_ctx *ctx)
{
	atomic_fetch_add(&long_calls, 1);
	for (int i = 0; i < 500; i++) { /* up to 10 s, far beyond its 600 ms lease */
		if (yj_job_stopping(ctx)) {
			atomic_store(&long_stopped, 1);
			return YJ_ERR;
		}
		ms_sleep(20);
	}
	return YJ_OK;
}

static void test_runner(void **state)
{
	exec_sql("DELETE FROM jobs");
	static const yj_job_def flaky = {"test.flaky", YJ_JOB_DEFERRED, 0, flaky_run, NULL};
	static const yj_job_def longj = {"test.long", YJ_JOB_DEFERRED, 0, long_run, NULL};
	yj_jobs_register(&flaky);
	yj_jobs_register(&longj);
	defer("test.flaky", "once", 0);
	defer("test.long", "once", 0);
	yj_jobs_config cfg = {.threads = 2, .lease_ms = 600, .poll_ms = 20, .backoff_ms = 100};
	char *err = NULL;
	yj_jobs *j = yj_jobs_start(db, &cfg, &err);
	assert_non_null(j);
	int64_t start = yj_now_ms();
	for (int i = 0; i < 200 && query_int("SELECT COUNT(*) FROM jobs WHERE state = 'done' AND name = ?",
					      "test.flaky:once") == 0; i++)
		ms_sleep(20);
	assert_int_equal(atomic_load(&flaky_calls), 2);
	assert_int_equal(query_int("SELECT runs FROM jobs WHERE name = ?", "test.flaky:once"), 2);
	/* The long job still holds a lease renewed past its first 600 ms. */
	ms_sleep(1500);
	assert_true(query_int("SELECT lease_until FROM jobs WHERE name = ?", "test.long:once") > start + 1500);
	assert_string_equal(yj_jobs_owner(), yj_jobs_owner());
	assert_int_equal(query_int("SELECT COUNT(*) FROM jobs WHERE lease_owner IS NOT NULL AND name = ?",
				   "test.long:once"), 1);
	yj_jobs_stop(j); /* the long job sees yj_job_stopping and its lease goes back */
	assert_int_equal(atomic_load(&long_stopped), 1);
	assert_int_equal(atomic_load(&long_calls), 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM jobs WHERE lease_owner IS NULL AND lease_until = 0"
				   " AND state = 'scheduled' AND last_result = 'interrupted' AND name = ?", "test.long:once"), 1);
}

/* ---- setup ---- */

static int setup(void **state)
{
	db = yj_testdb_open(&t, "jobs");
	return 0;
}

static int teardown(void **state)
{
	yj_testdb_close(&t);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_take_renew_expire),
		cmocka_unit_test(test_failure_backs_off),
		cmocka_unit_test(test_skip_locked),
		cmocka_unit_test(test_runner),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
