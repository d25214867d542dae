/* test_pii.c — what each role sees of a person (yj_pii_present over yj_pii_view_of: docs/security.md),
 * the short mask from a clear number and from an older mask, and the per-user lookup limit's sliding
 * hour, counted in a migrated store (a temporary SQLite file, or YJ_TEST_DB's PostgreSQL in a schema
 * of its own) that several handles — as several processes — share without passing the limit; and the
 * records check over a log where a person's older leaf has a plain state hash and a newer one a keyed
 * hash (docs/audit.md, "Keyed state hashes"). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/modules.h"
#include "../testdb.h"
#include "platform/audit/audit.h"
#include "platform/http/http.h"
#include "platform/pii/pii.h"

#define HOUR (3600LL * 1000)

static json_t *person(void)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "name", "陈立明", "id_masked", "3303**********0019", "birth_date", "1980-01-01",
			 "sex", "M");
}

static void masks(void **state)
{
	(void)state;
	char m[19];
	assert_string_equal(yj_pii_mask_id_head("33030219800101001X", m), "3303**************");
	assert_string_equal(yj_pii_mask_id_head("3303**********0019", m), "3303**************");
	assert_string_equal(yj_pii_mask_id_head("P300000012", m), "P300**************");
	assert_string_equal(yj_pii_mask_id_head("33", m), "33****************");
}

/* Each role's keys and values, as the table in docs/security.md has them. */
static void views(void **state)
{
	(void)state;
	static const struct {
		unsigned role;
		int id, year, sex;
	} want[] = {
		{ROLE_ADMIN, 1, 1, 1},	     {ROLE_INSPECTOR, 1, 1, 1},	  {ROLE_LEGAL_REVIEWER, 1, 1, 1},
		{ROLE_LEADER, 1, 1, 1},	     {ROLE_LIAISON, 1, 0, 0},	  {ROLE_INSURANCE_ANALYST, 1, 0, 0},
		{ROLE_INSTITUTION, 1, 1, 1}, {ROLE_GRID_MEMBER, 0, 0, 0}, {ROLE_PUBLIC, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		json_t *p = person();
		yj_pii_present(p, want[i].role);
		assert_string_equal(json_string_value(json_object_get(p, "name")), "陈立明");
		assert_null(json_object_get(p, "birth_date")); /* no role has the full date outside a disclosure */
		if (want[i].id)
			assert_string_equal(json_string_value(json_object_get(p, "id_masked")), "3303**************");
		else
			assert_null(json_object_get(p, "id_masked"));
		if (want[i].year)
			assert_int_equal(json_integer_value(json_object_get(p, "birth_year")), 1980);
		else
			assert_null(json_object_get(p, "birth_year"));
		assert_int_equal(json_object_get(p, "sex") != NULL, want[i].sex);
		json_decref(p);
		assert_int_equal(yj_pii_view_of(want[i].role)->disclose,
				 (want[i].role & (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEGAL_REVIEWER)) != 0);
	}
	/* A record without the keys is left alone; a null birth date stays null as a year. */
	json_t *p = json_pack("{s:s, s:n}", "name", "x", "birth_date");
	yj_pii_present(p, ROLE_LEADER);
	assert_true(json_is_null(json_object_get(p, "birth_year")));
	assert_int_equal(json_object_size(p), 2);
	json_decref(p);
}

static yj_testdb t; /* the fixture: tests/unit/testdb.h */

static store *open_store(void)
{
	char *err = NULL;
	store *s = store_open(t.url, &err);
	if (!s)
		fail_msg("store: %s", err);
	return s;
}

static int setup(void **state)
{
	(void)state;
	yj_testdb_open(&t, "pii");
	char *err = NULL;
	char *keys = yj_asprintf("%s/keys", t.dir);
	if (yj_audit_keys_load(keys, &err) < 0)
		fail_msg("audit keys: %s", err);
	free(keys);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	yj_testdb_close(&t);
	return 0;
}

/* Two handles on one database count as one: what one takes, the other sees. */
static void limit_slides(void **state)
{
	(void)state;
	store *a = open_store(), *b = open_store();
	int64_t wait, t0 = 1000000;
	yj_pii_set_lookup_limit(3);
	assert_int_equal(yj_pii_lookup_take(a, 7, t0, &wait), 1);
	assert_int_equal(yj_pii_lookup_take(b, 7, t0 + 10, &wait), 1);
	assert_int_equal(yj_pii_lookup_take(a, 7, t0 + 20, &wait), 1);
	assert_int_equal(yj_pii_lookup_take(b, 7, t0 + 30, &wait), 0);
	assert_int_equal(wait, (HOUR - 30 + 999) / 1000);
	assert_int_equal(yj_pii_lookup_take(b, 8, t0 + 30, &wait), 1); /* another user has their own count */
	/* The oldest use leaves the window at t0 + 1 h: one more, then full again until t0 + 10 + 1 h. */
	assert_int_equal(yj_pii_lookup_take(a, 7, t0 + HOUR - 1, &wait), 0);
	assert_int_equal(yj_pii_lookup_take(b, 7, t0 + HOUR, &wait), 1);
	assert_int_equal(yj_pii_lookup_take(a, 7, t0 + HOUR + 5, &wait), 0);
	assert_int_equal(wait, 1); /* 5 ms until the use at t0 + 10 leaves */
	assert_int_equal(yj_pii_lookup_take(a, 7, t0 + HOUR + 10, &wait), 1);
	/* A lower limit (another process's setting) counts the uses already in the window. */
	yj_pii_set_lookup_limit(2);
	assert_int_equal(yj_pii_lookup_take(b, 7, t0 + HOUR + 11, &wait), 0);
	assert_int_equal(wait, (HOUR - 11 + 999) / 1000); /* under 2 once the use at t0 + 1 h has left */
	yj_pii_set_lookup_limit(0); /* 0: no limit */
	for (int i = 0; i < 100; i++)
		assert_int_equal(yj_pii_lookup_take(a, 7, t0, &wait), 1);
	yj_pii_set_lookup_limit(YJ_PII_LOOKUPS_PER_HOUR);
	store_close(a);
	store_close(b);
}

/* Takes racing from several handles (threads standing for processes) for one user: exactly the
 * limit is allowed, not one more. */
#define RACERS 4
#define RACE_LIMIT 10

struct racer {
	store *s;
	int allowed, failed;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	for (int i = 0; i < RACE_LIMIT; i++) {
		int64_t wait;
		int rc = yj_pii_lookup_take(r->s, 9, 5000000 + i, &wait);
		r->allowed += rc == 1;
		r->failed += rc < 0;
	}
	return NULL;
}

static void limit_holds_under_races(void **state)
{
	(void)state;
	yj_pii_set_lookup_limit(RACE_LIMIT);
	struct racer r[RACERS] = {0};
	pthread_t t[RACERS];
	for (int i = 0; i < RACERS; i++) {
		r[i].s = open_store();
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	int allowed = 0, failed = 0;
	for (int i = 0; i < RACERS; i++) {
		pthread_join(t[i], NULL);
		allowed += r[i].allowed;
		failed += r[i].failed;
		store_close(r[i].s);
	}
	assert_int_equal(failed, 0);
	assert_int_equal(allowed, RACE_LIMIT);
	yj_pii_set_lookup_limit(YJ_PII_LOOKUPS_PER_HOUR);
}

/* ---- keyed and plain state hashes under audit verify --records ---- */

static json_t *people[2]; /* the current state of persons "1" and "2" */

static int each_person(store_conn *c, const void *ctx, yj_audit_visit_fn visit, void *arg)
{
	(void)c;
	(void)ctx;
	for (int i = 0; i < 2; i++) {
		char id[2] = {(char)('1' + i), 0};
		int rc = visit(arg, id, people[i]);
		if (rc)
			return rc;
	}
	return ST_OK;
}

struct leaf_arg {
	const char *id;
	const json_t *state;
	int keyed;
};

static int leaf_tx(store_conn *c, void *arg)
{
	struct leaf_arg *a = arg;
	yj_audit_event ev = {"cli:test", "person.create", "person", a->id, "330302", a->state};
	return a->keyed ? yj_audit_append_keyed(c, &ev, NULL) : yj_audit_append(c, &ev, NULL);
}

static void keyed_and_plain_leaves_verify(void **state)
{
	(void)state;
	static const char *const actions[] = {"person.create", NULL};
	static const yj_audit_records hook = {"person", actions, each_person, NULL};
	yj_audit_records_register(&hook);
	store *s = open_store();
	people[0] = json_pack("{s:s, s:s, s:s}", "id", "1", "name", "陈立明", "birth_date", "1980-01-01");
	people[1] = json_pack("{s:s, s:s, s:s}", "id", "2", "name", "林雅琴", "birth_date", "1992-07-15");
	assert_true(yj_pii_in_state(people[0]));
	/* Person 1 as written before keying (a plain hash), person 2 as written now. */
	struct leaf_arg old = {"1", people[0], 0}, now = {"2", people[1], 1};
	assert_int_equal(store_tx(s, leaf_tx, &old), ST_OK);
	assert_int_equal(store_tx(s, leaf_tx, &now), ST_OK);
	char *report = NULL;
	assert_int_equal(yj_audit_verify_records(s, &report), 0);
	assert_non_null(strstr(report, "2 rows of 1 object types checked against their last leaves; 0 do not match"));
	free(report);
	/* The keyed hash is not the plain one a reader of leaves could recompute from a guess. */
	char *canon = json_dumps(people[1], JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char h[crypto_hash_sha256_BYTES];
	char plain[2 * sizeof h + 1];
	crypto_hash_sha256(h, (const unsigned char *)canon, strlen(canon));
	free(canon);
	sodium_bin2hex(plain, sizeof plain, h, sizeof h);
	store_stmt *st = store_prepare(store_conn_get(s), "SELECT state_hash FROM audit_leaves WHERE object_id = ?");
	store_bind_text(st, 1, "2", -1);
	assert_int_equal(store_step(st), ST_ROW);
	assert_int_equal(strlen(store_col_text(st, 0)), 5 + 64);
	assert_memory_equal(store_col_text(st, 0), "hmac:", 5);
	assert_string_not_equal(store_col_text(st, 0) + 5, plain);
	store_finalize(st);
	st = store_prepare(store_conn_get(s), "SELECT state_hash FROM audit_leaves WHERE object_id = ?");
	store_bind_text(st, 1, "1", -1);
	assert_int_equal(store_step(st), ST_ROW);
	canon = json_dumps(people[0], JSON_COMPACT | JSON_SORT_KEYS);
	crypto_hash_sha256(h, (const unsigned char *)canon, strlen(canon));
	free(canon);
	sodium_bin2hex(plain, sizeof plain, h, sizeof h);
	assert_string_equal(store_col_text(st, 0), plain); /* the older form, as before */
	store_finalize(st);
	/* A change to either person is named, whichever form its leaf has. */
	for (int i = 0; i < 2; i++) {
		json_object_set_new(people[i], "birth_date", json_string("1970-01-01"));
		assert_int_equal(yj_audit_verify_records(s, &report), 1);
		char want[80];
		snprintf(want, sizeof want, "person %d: the row does not match its last leaf", i + 1);
		assert_non_null(strstr(report, want));
		assert_non_null(strstr(report, "; 1 does not match"));
		free(report);
		json_object_set_new(people[i], "birth_date", json_string(i ? "1992-07-15" : "1980-01-01"));
	}
	json_decref(people[0]);
	json_decref(people[1]);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(masks),
		cmocka_unit_test(views),
		cmocka_unit_test(limit_slides),
		cmocka_unit_test(limit_holds_under_races),
		cmocka_unit_test(keyed_and_plain_leaves_verify),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
