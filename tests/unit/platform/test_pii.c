/* test_pii.c — what each role sees of a person (yj_pii_present over yj_pii_view_of: docs/security.md),
 * the short mask from a clear number and from an older mask, and the per-user lookup limit's sliding
 * hour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

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

static void limit_slides(void **state)
{
	(void)state;
	int64_t wait, t0 = 1000000;
	yj_pii_set_lookup_limit(3);
	assert_true(yj_pii_lookup_take(7, t0, &wait));
	assert_true(yj_pii_lookup_take(7, t0 + 10, &wait));
	assert_true(yj_pii_lookup_take(7, t0 + 20, &wait));
	assert_false(yj_pii_lookup_take(7, t0 + 30, &wait));
	assert_int_equal(wait, (HOUR - 30 + 999) / 1000);
	assert_true(yj_pii_lookup_take(8, t0 + 30, &wait)); /* another user has their own count */
	/* The oldest use leaves the window at t0 + 1 h: one more, then full again until t0 + 10 + 1 h. */
	assert_false(yj_pii_lookup_take(7, t0 + HOUR - 1, &wait));
	assert_true(yj_pii_lookup_take(7, t0 + HOUR, &wait));
	assert_false(yj_pii_lookup_take(7, t0 + HOUR + 5, &wait));
	assert_int_equal(wait, 1); /* 5 ms until the use at t0 + 10 leaves */
	assert_true(yj_pii_lookup_take(7, t0 + HOUR + 10, &wait));
	yj_pii_set_lookup_limit(0); /* 0: no limit */
	for (int i = 0; i < 100; i++)
		assert_true(yj_pii_lookup_take(7, t0, &wait));
	yj_pii_set_lookup_limit(YJ_PII_LOOKUPS_PER_HOUR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(masks),
		cmocka_unit_test(views),
		cmocka_unit_test(limit_slides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
