/* test_intake_refcache.c — what one intake costs the store (statements prepared per new matter) on a
 * migrated store (a temporary SQLite file, or YJ_TEST_DB's PostgreSQL), and the caches of categories
 * and regions it uses: read under the reference-data epoch once per transaction, never trusted across
 * a change of that epoch. A process of its own: it turns the process's caches on (yj_auth_cache_start). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../testdb.h"

#include "base/id.h"
#include "complaints/intake.h"
#include "platform/audit/audit.h"
#include "platform/auth/auth.h"

static yj_testdb t;
static store *db;

static int setup(void **state)
{
	char *err = NULL;
	db = yj_testdb_open(&t, "intake_refcache");
	yj_id_seed(978);
	if (yj_audit_keys_load(t.dir, &err) < 0)
		fail_msg("keys: %s", err);
	return 0;
}

static int teardown(void **state)
{
	yj_testdb_close(&t);
	return 0;
}

/* One intake in region in the caller's transaction; the statements it prepared in *n. */
static int intake(store_conn *c, const char *region, int64_t *n)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:b}", "category", "medical_service", "title", "门诊收费后未提供服务",
				 "region_code", region, "content", "缴费后医生未接诊，工作人员拒绝退费。", "anonymous", 1);
	cmp_intake in = {.body = body, .channel = "web", .actor = "public"};
	int64_t before = store_conn_statements(c);
	int rc = cmp_intake_tx(c, &in);
	*n = store_conn_statements(c) - before;
	json_decref(in.out);
	yj_refusal_clear(&in.ref);
	json_decref(body);
	return rc;
}

typedef struct {
	int64_t n[3];
	int members;
	const char *region; /* NULL: 330302 */
	int rc;
} run;

/* members intakes in one transaction, as a commit group's members share one (store_tx_group). */
static int group_tx(store_conn *c, void *arg)
{
	run *r = arg;
	for (int i = 0; i < r->members; i++)
		if ((r->rc = intake(c, r->region ? r->region : "330302", &r->n[i])) < 0)
			return r->rc;
	return ST_OK;
}

static void statements_and_caches(void **state)
{
	(void)state;
	/* Caches off (as in a process that serves several databases): the category and the region read. */
	run off = {.members = 1};
	assert_int_equal(store_tx(db, group_tx, &off), ST_OK);
	/* On: the first transaction reads the epoch and fills the caches; then one epoch read per
	 * transaction and no reference read at all — whoever else shares the transaction reads nothing. */
	yj_auth_cache_start();
	run fill = {.members = 1}, grp = {.members = 3};
	assert_int_equal(store_tx(db, group_tx, &fill), ST_OK);
	assert_int_equal(fill.n[0], off.n[0] + 1);
	assert_int_equal(store_tx(db, group_tx, &grp), ST_OK);
	assert_int_equal(grp.n[0], off.n[0] - 1);
	assert_int_equal(grp.n[1], off.n[0] - 2);
	assert_int_equal(grp.n[2], off.n[0] - 2);
	/* insert … RETURNING, step, audit leaf (SQLite 3: head, leaf, head; PostgreSQL 2: head, then the leaf
	 * with the head's new frontier in one statement), to-do upsert, and the two reads */
	assert_int_equal(off.n[0], strcmp(store_engine(db), "postgresql") ? 8 : 7);

	/* A category withdrawn without a new epoch is still taken from the cache (what the epoch is for)… */
	yj_testdb_exec_tx(&t, "UPDATE complaint_categories SET active = 0 WHERE code = 'medical_service'");
	run stale = {.members = 1};
	assert_int_equal(store_tx(db, group_tx, &stale), ST_OK);
	/* …and refused from the first transaction after the epoch moved. */
	yj_testdb_exec_tx(&t, "UPDATE cache_epochs SET n = n + 1 WHERE id = 2");
	run fresh = {.members = 1};
	assert_int_equal(store_tx(db, group_tx, &fresh), YJ_REFUSED);
	yj_testdb_exec_tx(&t, "UPDATE complaint_categories SET active = 1 WHERE code = 'medical_service'");
	yj_testdb_exec_tx(&t, "UPDATE cache_epochs SET n = n + 1 WHERE id = 2");
	/* The same for a region: unknown, still unknown to the cache once added, known under the next epoch. */
	run none = {.members = 1, .region = "330302999"};
	assert_int_equal(store_tx(db, group_tx, &none), YJ_REFUSED);
	yj_testdb_exec_tx(&t, "INSERT INTO regions (code, name, level, parent_code) VALUES ('330302999', '测试街道', 4, '330302')");
	assert_int_equal(store_tx(db, group_tx, &none), YJ_REFUSED);
	yj_testdb_exec_tx(&t, "UPDATE cache_epochs SET n = n + 1 WHERE id = 2");
	assert_int_equal(store_tx(db, group_tx, &none), ST_OK);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM complaints", NULL), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(statements_and_caches),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
