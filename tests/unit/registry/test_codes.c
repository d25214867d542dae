/* test_codes.c — GB 32100 (with its GB 11714 organisation code) and GB 11643 check characters:
 * published examples, every single-character change caught, and the boundaries of the format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "base/codes.h"

static void credit_known_codes(void **state)
{
	(void)state;
	/* A code printed on a real business licence (Fujian), and codes built by hand from the standard. */
	assert_int_equal(yj_credit_code_check("91350100M000100Y43", 18), YJ_CODE_OK);
	assert_int_equal(yj_credit_code_check("52330302123456788Q", 18), YJ_CODE_OK);
	assert_int_equal(yj_credit_code_check("12330303876543210G", 18), YJ_CODE_OK);
	assert_int_equal(yj_credit_code_check_char("91350100M000100Y4"), '3');
}

static void credit_every_change_caught(void **state)
{
	(void)state;
	static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	char code[19] = "91350100M000100Y43";
	/* Any one character replaced by another of the alphabet fails: mod-31 with weights coprime to 31. */
	for (int i = 0; i < 18; i++) {
		char orig = code[i];
		for (const char *a = alpha; *a; a++) {
			if (*a == orig)
				continue;
			code[i] = *a;
			assert_int_not_equal(yj_credit_code_check(code, 18), YJ_CODE_OK);
		}
		code[i] = orig;
	}
}

static void credit_format(void **state)
{
	(void)state;
	assert_int_equal(yj_credit_code_check("91350100M000100Y4", 17), YJ_CODE_LENGTH);
	assert_int_equal(yj_credit_code_check("91350100M000100Y433", 19), YJ_CODE_LENGTH);
	assert_int_equal(yj_credit_code_check("91350100m000100Y43", 18), YJ_CODE_CHARSET); /* lower case */
	assert_int_equal(yj_credit_code_check("9135010OM000100Y43", 18), YJ_CODE_CHARSET); /* letter O */
	assert_int_equal(yj_credit_code_check("", 0), YJ_CODE_LENGTH);
	assert_int_equal(yj_credit_code_check_char("9135010IM000100Y4"), 0);
	/* A code whose own check is right but whose embedded organisation code is not. */
	char s[19] = "91350100M000100Y5";
	s[17] = yj_credit_code_check_char(s);
	s[18] = '\0';
	assert_int_equal(yj_credit_code_check(s, 18), YJ_CODE_CHECK);
}

static void resident_ids(void **state)
{
	(void)state;
	/* The standard's own example (GB 11643-1999 appendix) ends in X. */
	assert_int_equal(yj_resident_id_check("11010519491231002X", 18), YJ_CODE_OK);
	assert_int_equal(yj_resident_id_check("330302198001010019", 18), YJ_CODE_OK);
	assert_int_equal(yj_resident_id_sex("330302198001010019"), 'M');
	assert_int_equal(yj_resident_id_sex("11010519491231002X"), 'F');
	assert_int_equal(yj_resident_id_check("11010519491231002x", 18), YJ_CODE_CHARSET);
	assert_int_equal(yj_resident_id_check("110105194912310021", 18), YJ_CODE_CHECK);
	assert_int_equal(yj_resident_id_check("11010519491231002", 17), YJ_CODE_LENGTH);
	/* Dates: 29 February only in leap years; month 13 never. */
	char id[19] = "33030220000229001";
	id[17] = yj_resident_id_check_char(id);
	id[18] = '\0';
	assert_int_equal(yj_resident_id_check(id, 18), YJ_CODE_OK);
	memcpy(id + 6, "19000229", 8);
	id[17] = yj_resident_id_check_char(id);
	assert_int_equal(yj_resident_id_check(id, 18), YJ_CODE_DATE);
	memcpy(id + 6, "20230229", 8);
	id[17] = yj_resident_id_check_char(id);
	assert_int_equal(yj_resident_id_check(id, 18), YJ_CODE_DATE);
	memcpy(id + 6, "20240229", 8);
	id[17] = yj_resident_id_check_char(id);
	assert_int_equal(yj_resident_id_check(id, 18), YJ_CODE_OK);
	memcpy(id + 6, "19801301", 8);
	id[17] = yj_resident_id_check_char(id);
	assert_int_equal(yj_resident_id_check(id, 18), YJ_CODE_DATE);
}

static void resident_every_change_caught(void **state)
{
	(void)state;
	char id[19] = "330302198001010019";
	for (int i = 0; i < 17; i++) {
		char orig = id[i];
		for (char d = '0'; d <= '9'; d++) {
			if (d == orig)
				continue;
			id[i] = d;
			assert_int_not_equal(yj_resident_id_check(id, 18), YJ_CODE_OK);
		}
		id[i] = orig;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(credit_known_codes), cmocka_unit_test(credit_every_change_caught),
		cmocka_unit_test(credit_format),      cmocka_unit_test(resident_ids),
		cmocka_unit_test(resident_every_change_caught),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
