/* test_demo_licences.c — the demo generator's licences follow their holders: the cause of the
 * seed-7 failure at scale 1.0 ("licence action on 平阳县协力堂中医诊所 refused by validation:
 * (null): (null)"): a suspended clinic whose licence had lapsed was to be suspended, which the
 * licence module refuses with a reason in *why and no field error — printed as (null). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gen/demo_int.h"

/* The module itself refuses to suspend a lapsed licence, with a reason and no field error. */
static void module_refuses_suspending_a_lapsed_licence(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_null(yj_licence_transition("valid", 1, LA_SUSPEND, &why));
	assert_non_null(why);
	assert_non_null(strstr(why, "已过有效期"));
}

/* So the demo never asks for it: a suspended holder's lapsed licence stays as it is. */
static void lapsed_licence_of_suspended_holder_is_left_alone(void **state)
{
	(void)state;
	const char *today = "2026-12-06";
	assert_int_equal(demo_licence_follow("suspended", "2026-11-30", today), LA_COUNT);
	assert_int_equal(demo_licence_follow("suspended", "2026-12-06", today), LA_SUSPEND); /* last valid day */
	assert_int_equal(demo_licence_follow("suspended", "2030-01-01", today), LA_SUSPEND);
	assert_int_equal(demo_licence_follow("suspended", NULL, today), LA_SUSPEND);
	assert_int_equal(demo_licence_follow("revoked", "2020-01-01", today), LA_REVOKE); /* allowed on lapsed ones */
	assert_int_equal(demo_licence_follow("active", "2020-01-01", today), LA_COUNT);
	/* Every action it asks for is one the module allows on that licence. */
	const char *states[] = {"suspended", "revoked"};
	const char *ends[] = {"2026-11-30", "2031-01-01", NULL};
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 3; j++) {
			enum yj_licence_action a = demo_licence_follow(states[i], ends[j], today);
			int expired = ends[j] && strcmp(ends[j], today) < 0;
			const char *why = NULL;
			if (a != LA_COUNT)
				assert_non_null(yj_licence_transition("valid", expired, a, &why));
		}
}

/* A refusal reads as its reason: never "(null)". */
static void refusal_text_never_says_null(void **state)
{
	(void)state;
	char *m = demo_refusal_text("licence action on", "平阳县协力堂中医诊所", NULL, "该证照已过有效期，无需暂停；如需继续使用，请办理延续。");
	assert_null(strstr(m, "(null)"));
	assert_non_null(strstr(m, "已过有效期"));
	free(m);
	json_t *errors = json_array();
	m = demo_refusal_text("licence action on", "某诊所", errors, NULL);
	assert_null(strstr(m, "(null)"));
	free(m);
	json_array_append_new(errors, json_pack("{s:s}", "detail", "理由不能为空"));
	m = demo_refusal_text("licence of", "某诊所", errors, NULL);
	assert_null(strstr(m, "(null)"));
	assert_non_null(strstr(m, "理由不能为空"));
	free(m);
	json_array_clear(errors);
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "valid_to", "detail", "日期无效"));
	m = demo_refusal_text("licence of", "某诊所", errors, NULL);
	assert_string_equal(m, "licence of 某诊所 refused by validation: valid_to: 日期无效");
	free(m);
	json_decref(errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(module_refuses_suspending_a_lapsed_licence),
		cmocka_unit_test(lapsed_licence_of_suspended_holder_is_left_alone),
		cmocka_unit_test(refusal_text_never_says_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
