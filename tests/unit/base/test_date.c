/* test_date.c — base/date.h at its boundaries: the Gregorian leap rule (1900, 2000, 2024, 2100),
 * 29 February refused in common years by every parser, month and year ends, day numbers against
 * a plain day-by-day count over four centuries and a round trip over two million years, ISO 8601
 * instants with offsets, the Asia/Shanghai day, and malformed input of every shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"

static void leap_years(void **state)
{
	(void)state;
	assert_false(yj_date_leap(1900));
	assert_true(yj_date_leap(2000));
	assert_true(yj_date_leap(2024));
	assert_false(yj_date_leap(2023));
	assert_false(yj_date_leap(2100));
	assert_true(yj_date_leap(2400));
	assert_true(yj_date_leap(0));
	assert_true(yj_date_leap(-4));
	assert_false(yj_date_leap(-100));
	assert_int_equal(yj_date_month_days(1900, 2), 28);
	assert_int_equal(yj_date_month_days(2000, 2), 29);
	assert_int_equal(yj_date_month_days(2024, 2), 29);
	assert_int_equal(yj_date_month_days(2100, 2), 28);
	assert_int_equal(yj_date_month_days(2023, 0), 0);
	assert_int_equal(yj_date_month_days(2023, 13), 0);
	static const int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	for (int m = 1; m <= 12; m++) {
		assert_int_equal(yj_date_month_days(2023, m), lengths[m - 1]);
		assert_true(yj_date_valid(2023, m, lengths[m - 1]));	   /* month end */
		assert_false(yj_date_valid(2023, m, lengths[m - 1] + 1)); /* the day after it */
		assert_false(yj_date_valid(2023, m, 0));
	}
}

/* Every parser refuses 29 February of a common year and accepts it in a leap year. */
static void feb29_everywhere(void **state)
{
	(void)state;
	static const struct {
		int y;
		int ok;
	} cases[] = {{1900, 0}, {2000, 1}, {2023, 0}, {2024, 1}, {2100, 0}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char dash[16], compact[16], slash[16];
		int64_t d;
		snprintf(dash, sizeof dash, "%04d-02-29", cases[i].y);
		snprintf(compact, sizeof compact, "%04d0229", cases[i].y);
		snprintf(slash, sizeof slash, "%04d/2/29", cases[i].y);
		int want = cases[i].ok ? 0 : -1;
		assert_int_equal(yj_day_parse(dash, &d), want);
		assert_int_equal(yj_date_parse(dash, 10, 1800, 2200, &d), want);
		assert_int_equal(yj_date_parse_compact(compact, 8, 1800, 2200, &d), want);
		assert_int_equal(yj_date_parse_loose(slash, 1800, 2200, &d), want);
		assert_int_equal(yj_date_parse_loose(dash, 1800, 2200, &d), want);
		int64_t lo, hi;
		assert_int_equal(yj_instant_parse_range(dash, &lo, &hi), want);
	}
	int64_t d;
	assert_int_equal(yj_day_parse("2023-02-28", &d), 0);
	assert_int_equal(yj_day_parse("2023-02-30", &d), -1);
	assert_int_equal(yj_day_parse("2024-02-30", &d), -1);
}

static void day_numbers(void **state)
{
	(void)state;
	assert_int_equal(yj_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(yj_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(yj_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(yj_days_from_civil(2024, 2, 29), 19782);
	assert_int_equal(yj_days_from_civil(1900, 1, 1), -25567);
	/* year ends: 31 December and 1 January are neighbours */
	for (int y = 1899; y <= 2101; y++)
		assert_int_equal(yj_days_from_civil(y + 1, 1, 1) - yj_days_from_civil(y, 12, 31), 1);
	/* year lengths */
	assert_int_equal(yj_days_from_civil(1901, 1, 1) - yj_days_from_civil(1900, 1, 1), 365);
	assert_int_equal(yj_days_from_civil(2001, 1, 1) - yj_days_from_civil(2000, 1, 1), 366);
	assert_int_equal(yj_days_from_civil(2025, 1, 1) - yj_days_from_civil(2024, 1, 1), 366);
	assert_int_equal(yj_days_from_civil(2101, 1, 1) - yj_days_from_civil(2100, 1, 1), 365);
	/* weekdays: 1970-01-01 Thursday, 2000-01-01 Saturday, 1969-12-29 Monday */
	assert_int_equal(yj_day_weekday(0), 3);
	assert_int_equal(yj_day_weekday(yj_days_from_civil(2000, 1, 1)), 5);
	assert_int_equal(yj_day_weekday(-3), 0);
	assert_int_equal(yj_day_weekday(-4), 6);
}

/* Walks the calendar one day at a time from 1800-01-01 to 2400-12-31 with nothing but month
 * lengths, checking both directions against it. */
static void day_by_day(void **state)
{
	(void)state;
	int64_t n = yj_days_from_civil(1800, 1, 1);
	int weekday = yj_day_weekday(n);
	for (int y = 1800; y <= 2400; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= yj_date_month_days(y, m); d++, n++) {
				int yy, mm, dd;
				assert_int_equal(yj_days_from_civil(y, m, d), n);
				yj_civil_from_days(n, &yy, &mm, &dd);
				if (yy != y || mm != m || dd != d)
					fail_msg("%lld gave %d-%d-%d, want %d-%d-%d", (long long)n, yy, mm, dd, y, m, d);
				assert_int_equal(yj_day_weekday(n), weekday);
				weekday = (weekday + 1) % 7;
			}
}

static void round_trip_wide(void **state)
{
	(void)state;
	/* about ±1,000,000 years, in steps that visit every residue of the 400-year cycle */
	for (int64_t n = -365243219LL; n <= 365243219LL; n += 9973) {
		int y, m, d;
		yj_civil_from_days(n, &y, &m, &d);
		assert_true(yj_date_valid(y, m, d));
		if (yj_days_from_civil(y, m, d) != n)
			fail_msg("%lld → %d-%d-%d → %lld", (long long)n, y, m, d, (long long)yj_days_from_civil(y, m, d));
	}
	int y, m, d;
	yj_civil_from_days(yj_days_from_civil(-1000000, 2, 29), &y, &m, &d); /* -1000000 is leap */
	assert_int_equal(y, -1000000);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
}

static void format_and_parse(void **state)
{
	(void)state;
	char out[11];
	int64_t d;
	yj_day_format(0, out);
	assert_string_equal(out, "1970-01-01");
	yj_day_format(-1, out);
	assert_string_equal(out, "1969-12-31");
	yj_day_format(yj_days_from_civil(9999, 12, 31), out);
	assert_string_equal(out, "9999-12-31");
	yj_day_format(yj_days_from_civil(2024, 2, 29), out);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(yj_day_parse("2024-12-31", &d), 0);
	yj_day_format(d + 1, out);
	assert_string_equal(out, "2025-01-01");
	/* the default range is 1900–2999 */
	assert_int_equal(yj_day_parse("1900-01-01", &d), 0);
	assert_int_equal(yj_day_parse("1899-12-31", &d), -1);
	assert_int_equal(yj_day_parse("2999-12-31", &d), 0);
	assert_int_equal(yj_day_parse("3000-01-01", &d), -1);
	/* a caller's range */
	assert_int_equal(yj_date_parse("2199-12-31", 10, 1900, 2199, &d), 0);
	assert_int_equal(yj_date_parse("2200-01-01", 10, 1900, 2199, &d), -1);
	assert_int_equal(yj_date_parse_compact("18500101", 8, 1850, 2100, &d), 0);
	assert_int_equal(yj_date_parse_compact("18491231", 8, 1850, 2100, &d), -1);
	assert_int_equal(yj_date_parse_compact("21001231", 8, 1850, 2100, NULL), 0);
	assert_int_equal(yj_date_parse_compact("21010101", 8, 1850, 2100, NULL), -1);
	/* only the n bytes given are read */
	assert_int_equal(yj_date_parse("2024-03-01xyz", 10, 1900, 2999, &d), 0);
	assert_int_equal(d, yj_days_from_civil(2024, 3, 1));
	/* the loose form normalises */
	assert_int_equal(yj_date_parse_loose("2030/1/1", 1900, 2200, &d), 0);
	assert_int_equal(d, yj_days_from_civil(2030, 1, 1));
	assert_int_equal(yj_date_parse_loose("2030-1-05", 1900, 2200, &d), 0);
	assert_int_equal(d, yj_days_from_civil(2030, 1, 5));
	assert_int_equal(yj_date_parse_loose("2030/12/31", 1900, 2200, &d), 0);
}

static void malformed(void **state)
{
	(void)state;
	int64_t d = 42;
	static const char *const bad[] = {"",	       "2024",	      "2024-01",     "2024-1-01",   "2024-01-1",
					  "24-01-01",   "2024/01/01", "2024-01-01 ", " 2024-01-01", "2024-01-01T00:00",
					  "2024-00-10", "2024-13-01", "2024-01-00",  "2024-01-32",  "+024-01-01",
					  "-024-01-01", "2024-0a-01", "2024-01-0\x01", "2024_01_01", "２０２４-01-01"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (yj_day_parse(bad[i], &d) != -1)
			fail_msg("yj_day_parse accepted \"%s\"", bad[i]);
		if (yj_date_parse(bad[i], strlen(bad[i]), 0, 9999, &d) != -1)
			fail_msg("yj_date_parse accepted \"%s\"", bad[i]);
	}
	assert_int_equal(d, 42); /* untouched on refusal */
	assert_int_equal(yj_day_parse(NULL, &d), -1);
	static const char *const bad_loose[] = {"",	     "2030/1",	   "2030/1/",	 "2030/001/1", "2030/1/001",
						"2030-1/1",  "2030/1-1",   "2030.1.1",	 "2030/1/1 ",  " 2030/1/1",
						"2030/13/1", "2030/0/1",   "2030/1/0",	 "2030//1",    "203/1/1",
						"2030/1/1x", "2030/+1/1", "2030/-1/1"};
	for (size_t i = 0; i < sizeof bad_loose / sizeof bad_loose[0]; i++)
		if (yj_date_parse_loose(bad_loose[i], 1900, 2200, &d) != -1)
			fail_msg("yj_date_parse_loose accepted \"%s\"", bad_loose[i]);
	assert_int_equal(yj_date_parse_loose(NULL, 1900, 2200, &d), -1);
	static const char *const bad_compact[] = {"2024011", "202401011", "2024-101", "20241301", "20240100", "2024 101"};
	for (size_t i = 0; i < sizeof bad_compact / sizeof bad_compact[0]; i++)
		if (yj_date_parse_compact(bad_compact[i], strlen(bad_compact[i]), 1850, 2100, &d) != -1)
			fail_msg("yj_date_parse_compact accepted \"%s\"", bad_compact[i]);
}

static void shanghai_days(void **state)
{
	(void)state;
	char out[11];
	/* 2026-01-01T00:00:00+08:00 is 2025-12-31T16:00:00Z = 1767196800000 */
	yj_day_of_ms(1767196800000LL, out);
	assert_string_equal(out, "2026-01-01");
	yj_day_of_ms(1767196799999LL, out);
	assert_string_equal(out, "2025-12-31");
	/* before 1970 the floor still lands on the right day */
	yj_day_of_ms(-8 * 3600000LL, out);
	assert_string_equal(out, "1970-01-01");
	yj_day_of_ms(-8 * 3600000LL - 1, out);
	assert_string_equal(out, "1969-12-31");
	assert_int_equal(yj_day_of_instant(-1, 0), -1);
	assert_int_equal(yj_day_of_instant(0, 0), 0);
	assert_int_equal(yj_day_of_instant(86399999, 0), 0);
	assert_int_equal(yj_day_of_instant(86400000, -300), 0); /* 19:00 the day before in UTC−5 */
	assert_int_equal(yj_day_start_ms(yj_days_from_civil(2026, 1, 1), YJ_SHANGHAI_OFFSET_MIN), 1767196800000LL);
	int64_t d;
	yj_day_today(out);
	assert_int_equal(yj_day_parse(out, &d), 0);
}

static void instants(void **state)
{
	(void)state;
	char s[YJ_INSTANT_LEN];
	yj_instant_format(1767225600250LL, YJ_SHANGHAI_OFFSET_MIN, s);
	assert_string_equal(s, "2026-01-01T08:00:00.250+08:00");
	yj_instant_format(1767225600250LL, 0, s);
	assert_string_equal(s, "2026-01-01T00:00:00.250Z");
	yj_instant_format(1767225600000LL, -330, s);
	assert_string_equal(s, "2025-12-31T18:30:00.000-05:30");
	yj_instant_format(-1, 0, s);
	assert_string_equal(s, "1969-12-31T23:59:59.999Z");
	yj_instant_format(yj_day_start_ms(yj_days_from_civil(2024, 2, 29), 480) + 86399999, 480, s);
	assert_string_equal(s, "2024-02-29T23:59:59.999+08:00");
	/* every format parses back to the same instant */
	for (int64_t ms = -2208988800000LL; ms < 7258118400000LL; ms += 86400000LL * 97 + 3600000 * 7 + 1234) {
		int64_t back;
		for (int off = -720; off <= 840; off += 330) {
			yj_instant_format(ms, off, s);
			if (ms < -2208988800000LL + 86400000LL) /* 1899 in zones west of UTC: outside 1900–2200 */
				continue;
			if (yj_instant_parse(s, &back) != 0 || back != ms)
				fail_msg("%lld at %d → %s → %lld", (long long)ms, off, s, (long long)back);
		}
	}
	int64_t ms, lo, hi;
	assert_int_equal(yj_instant_parse("2026-01-01T00:00:00Z", &ms), 0);
	assert_int_equal(ms, 1767225600000LL);
	assert_int_equal(yj_instant_parse("2026-01-01T08:00:00.5+08:00", &ms), 0);
	assert_int_equal(ms, 1767225600500LL);
	assert_int_equal(yj_instant_parse("2026-01-01T08:00:00.123456789+08:00", &ms), 0);
	assert_int_equal(ms, 1767225600123LL);
	/* a complete instant needs seconds and a zone */
	assert_int_equal(yj_instant_parse("2026-01-01T08:00+08:00", &ms), -1);
	assert_int_equal(yj_instant_parse("2026-01-01", &ms), -1);
	assert_int_equal(yj_instant_parse("2026-01-01T08:00:00", &ms), -1);
	/* ranges of reduced precision; a date alone is a day in Asia/Shanghai */
	assert_int_equal(yj_instant_parse_range("2024", &lo, &hi), 0);
	assert_int_equal(hi - lo, 366 * YJ_DAY_MS);
	assert_int_equal(yj_instant_parse_range("2100", &lo, &hi), 0);
	assert_int_equal(hi - lo, 365 * YJ_DAY_MS);
	assert_int_equal(yj_instant_parse_range("2024-12", &lo, &hi), 0);
	assert_int_equal(hi - lo, 31 * YJ_DAY_MS);
	assert_int_equal(lo, yj_day_start_ms(yj_days_from_civil(2024, 12, 1), 480));
	assert_int_equal(yj_instant_parse_range("2000-02", &lo, &hi), 0);
	assert_int_equal(hi - lo, 29 * YJ_DAY_MS);
	assert_int_equal(yj_instant_parse_range("1900-02", &lo, &hi), 0);
	assert_int_equal(hi - lo, 28 * YJ_DAY_MS);
	static const char *const bad[] = {"",
					  "1899",
					  "2201",
					  "2024-02-30",
					  "2024-04-31",
					  "2024-01-01T24:00:00Z",
					  "2024-01-01T10:60Z",
					  "2024-01-01T10:00:60Z",
					  "2024-01-01T10:00:00.Z",
					  "2024-01-01T10:00:00.1234567890Z",
					  "2024-01-01T10:00:00+15:00",
					  "2024-01-01T10:00:00+08:60",
					  "2024-01-01T10:00:00+0800",
					  "2024-01T10:00Z",
					  "2024-01-01T10:00:00Zx",
					  "2024-1-01",
					  "2024-01-01Z",
					  "2024-01-01t10:00Z"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (yj_instant_parse_range(bad[i], &lo, &hi) != -1)
			fail_msg("yj_instant_parse_range accepted \"%s\"", bad[i]);
	assert_int_equal(yj_instant_parse_range(NULL, &lo, &hi), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(leap_years),	   cmocka_unit_test(feb29_everywhere), cmocka_unit_test(day_numbers),
		cmocka_unit_test(day_by_day),	   cmocka_unit_test(round_trip_wide),  cmocka_unit_test(format_and_parse),
		cmocka_unit_test(malformed),	   cmocka_unit_test(shanghai_days),    cmocka_unit_test(instants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
