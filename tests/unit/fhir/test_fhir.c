/* test_fhir.c — the pieces of the FHIR mapping that clients depend on beyond what the API suite
 * sees: the Chinese name split (compound surnames, separators, one-character names), FHIR
 * dateTime ranges at every precision and zone, and instants in +08:00. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fhir/fhir.h"

static void split(const char *name, int ok, const char *family, const char *given)
{
	char f[64], g[64];
	assert_int_equal(yj_fhir_split_name(name, f, sizeof f, g, sizeof g), ok);
	assert_string_equal(f, family);
	assert_string_equal(g, given);
}

static void names(void **state)
{
	(void)state;
	split("张三丰", 1, "张", "三丰");
	split("李梅", 1, "李", "梅");
	split("欧阳明华", 1, "欧阳", "明华");
	split("司马光", 1, "司马", "光");
	split("诸葛亮", 1, "诸葛", "亮");
	split("欧阳", 1, "欧阳", "");
	split("王", 1, "王", "");
	split("欧", 1, "欧", "");
	split("买买提·艾力", 0, "", ""); /* minority names keep their text only */
	split("John Smith", 0, "", "");
	split("", 0, "", "");
	for (const char *const *c = yj_fhir_compound_surnames; *c; c++)
		assert_int_equal(strlen(*c), 6); /* two CJK characters: the SQL side uses substr(name, 1, 2) */
}

static void datetimes(void **state)
{
	(void)state;
	int64_t lo, hi;
	/* 2026-01-01T00:00:00Z = 1767225600000 */
	assert_int_equal(yj_instant_parse_range("2026-01-01T00:00:00Z", &lo, &hi), 0);
	assert_int_equal(lo, 1767225600000LL);
	assert_int_equal(hi, 1767225601000LL);
	assert_int_equal(yj_instant_parse_range("2026-01-01T08:00:00+08:00", &lo, &hi), 0);
	assert_int_equal(lo, 1767225600000LL);
	assert_int_equal(yj_instant_parse_range("2026-01-01T00:00:00.250Z", &lo, &hi), 0);
	assert_int_equal(lo, 1767225600250LL);
	assert_int_equal(hi - lo, 1);
	/* a date is a day in Asia/Shanghai */
	assert_int_equal(yj_instant_parse_range("2026-01-01", &lo, &hi), 0);
	assert_int_equal(lo, 1767225600000LL - 8 * 3600000LL);
	assert_int_equal(hi - lo, 86400000LL);
	assert_int_equal(yj_instant_parse_range("2024-02", &lo, &hi), 0);
	assert_int_equal(hi - lo, 29 * 86400000LL);
	assert_int_equal(yj_instant_parse_range("2025", &lo, &hi), 0);
	assert_int_equal(hi - lo, 365 * 86400000LL);
	assert_int_equal(yj_instant_parse_range("2026-01-01T10:30-05:00", &lo, &hi), 0);
	assert_int_equal(hi - lo, 60000);
	static const char *const bad[] = {"", "26", "2026-13", "2026-02-30", "2026-01-01T10:00", "2026-01-01T25:00:00Z",
					  "2026-01-01T10:00:00+8", "2026-01-01 10:00:00Z", "yesterday", "2026-01-01Z", NULL};
	for (const char *const *b = bad; *b; b++)
		assert_int_equal(yj_instant_parse_range(*b, &lo, &hi), -1);
}

/* fhir.c once gave February 29 days in every year, so a search for 2023-02-29 ran as 1 March. */
static void feb29_only_in_leap_years(void **state)
{
	(void)state;
	int64_t lo, hi;
	assert_int_equal(yj_instant_parse_range("2023-02-29", &lo, &hi), -1);
	assert_int_equal(yj_instant_parse_range("2023-02-29T10:00:00Z", &lo, &hi), -1);
	assert_int_equal(yj_instant_parse_range("1900-02-29", &lo, &hi), -1);
	assert_int_equal(yj_instant_parse_range("2100-02-29", &lo, &hi), -1);
	assert_int_equal(yj_instant_parse_range("2024-02-29", &lo, &hi), 0);
	assert_int_equal(yj_instant_parse_range("2000-02-29", &lo, &hi), 0);
	assert_int_equal(yj_instant_parse_range("2023-02", &lo, &hi), 0);
	assert_int_equal(hi - lo, 28 * 86400000LL);
}

static void instants(void **state)
{
	(void)state;
	char s[YJ_INSTANT_LEN];
	yj_instant_format(1767225600250LL, YJ_SHANGHAI_OFFSET_MIN, s);
	assert_string_equal(s, "2026-01-01T08:00:00.250+08:00");
	int64_t lo, hi;
	assert_int_equal(yj_instant_parse_range(s, &lo, &hi), 0);
	assert_int_equal(lo, 1767225600250LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(datetimes),
		cmocka_unit_test(feb29_only_in_leap_years),
		cmocka_unit_test(instants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
