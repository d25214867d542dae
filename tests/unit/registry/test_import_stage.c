/* test_import_stage.c — the import's staged plans (import_stage.c): every JSON value packs and unpacks to
 * the same value with its keys in the same order (what json_dumps then json_loads gave before), plans
 * are found by index after the buffer grew, and bytes that are not a plan's unpack to NULL; and the
 * check's memos (import_memo.c): keys by their bytes, across the table's growth. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/import_int.h"

/* The compact text with keys in insertion order: equal texts, equal values in equal order. */
static void assert_same(const json_t *a, const json_t *b)
{
	assert_non_null(b);
	char *ta = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY), *tb = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
	assert_string_equal(ta, tb);
	assert_true(json_equal(a, b));
	free(ta);
	free(tb);
}

static void every_type(void **state)
{
	(void)state;
	yj_import_stage s = {0};
	json_t *rec = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:f, s:f, s:b, s:b, s:n, s:[s, s, []], s:{s:{s:i}}, s:s}",
				"zname", "温鹿市第一人民医院", "a_code", "12330300470000000X", "beds", 0, "big",
				(json_int_t)INT64_MAX, "small", (json_int_t)INT64_MIN, "neg", (json_int_t)-300, "lat",
				27.99412345678901, "tiny", -1e-300, "t", 1, "f", 0, "none", "codes", "A01", "B02",
				"nested", "in", "x", 7, "blank", "");
	json_object_set_new(rec, "nul", json_stringn("a\0b", 3));
	json_object_set_new(rec, "k\xE4\xB8\xAD", json_string("中"));
	json_t *plan = json_pack("{s:I, s:I, s:o}", "id", (json_int_t)0, "version", (json_int_t)0, "rec", rec);
	assert_int_equal(yj_import_stage_put(&s, plan), ST_OK);
	json_t *bare[] = {json_null(), json_true(), json_string(""), json_array(), json_object(), json_integer(1 << 20)};
	for (size_t i = 0; i < sizeof bare / sizeof *bare; i++)
		assert_int_equal(yj_import_stage_put(&s, bare[i]), ST_OK);
	assert_int_equal(s.n, 7);
	json_t *back = yj_import_stage_get(&s, 0);
	assert_same(plan, back);
	json_decref(back);
	for (size_t i = 0; i < sizeof bare / sizeof *bare; i++) {
		back = yj_import_stage_get(&s, i + 1);
		assert_same(bare[i], back);
		json_decref(back);
		json_decref(bare[i]);
	}
	assert_null(yj_import_stage_get(&s, 7));
	json_decref(plan);
	yj_import_stage_free(&s);
}

/* Thousands of plans across the buffer's growth; cleared and reused as a re-run of the check does. */
static void many_plans(void **state)
{
	(void)state;
	yj_import_stage s = {0};
	for (int pass = 0; pass < 2; pass++) {
		yj_import_stage_clear(&s);
		for (int i = 0; i < 20000; i++) {
			char name[64];
			snprintf(name, sizeof name, "机构%d-%d", pass, i);
			json_t *p = json_pack("{s:I, s:I, s:{s:s, s:i}}", "id", (json_int_t)i * 7, "version", (json_int_t)i, "rec",
					      "name", name, "n", i);
			assert_int_equal(yj_import_stage_put(&s, p), ST_OK);
			json_decref(p);
		}
		assert_int_equal(s.n, 20000);
		for (int i = 0; i < 20000; i += 997) {
			json_t *p = yj_import_stage_get(&s, (size_t)i);
			char name[64];
			snprintf(name, sizeof name, "机构%d-%d", pass, i);
			assert_string_equal(json_string_value(json_object_get(json_object_get(p, "rec"), "name")), name);
			assert_int_equal(json_integer_value(json_object_get(p, "id")), i * 7);
			json_decref(p);
		}
	}
	yj_import_stage_free(&s);
}

/* A plan's bytes cut short or followed by more are refused, not read past. */
static void malformed(void **state)
{
	(void)state;
	yj_import_stage s = {0};
	json_t *p = json_pack("{s:s, s:[i, i]}", "name", "卫生院", "list", 1, 2);
	assert_int_equal(yj_import_stage_put(&s, p), ST_OK);
	size_t len = s.len;
	for (size_t cut = 0; cut < len; cut++) {
		s.len = cut;
		assert_null(yj_import_stage_get(&s, 0));
	}
	s.len = len;
	s.buf[s.len++] = 'n'; /* one value too many */
	assert_null(yj_import_stage_get(&s, 0));
	s.len = len;
	s.buf[0] = 'x'; /* no such tag */
	assert_null(yj_import_stage_get(&s, 0));
	json_decref(p);
	yj_import_stage_free(&s);
}

static void memo(void **state)
{
	(void)state;
	yj_import_memo *m = yj_import_memo_new();
	char key[64];
	for (long i = 0; i < 50000; i++) {
		int n = snprintf(key, sizeof key, "credit_code\x1fs9133%014ld", i);
		assert_int_equal(yj_import_memo_get(m, key, (size_t)n), 0);
		yj_import_memo_put(m, key, (size_t)n, i + 2);
	}
	for (long i = 0; i < 50000; i += 7) {
		int n = snprintf(key, sizeof key, "credit_code\x1fs9133%014ld", i);
		assert_int_equal(yj_import_memo_get(m, key, (size_t)n), i + 2);
		assert_int_equal(yj_import_memo_get(m, key, (size_t)n - 1), 0); /* a prefix is another key */
	}
	/* bytes, not C strings: a NUL inside counts, and the empty key is a key */
	yj_import_memo_put(m, "a\0b", 3, 7);
	assert_int_equal(yj_import_memo_get(m, "a\0b", 3), 7);
	assert_int_equal(yj_import_memo_get(m, "a\0c", 3), 0);
	assert_int_equal(yj_import_memo_get(m, "a", 1), 0);
	assert_int_equal(yj_import_memo_get(m, "", 0), 0);
	yj_import_memo_put(m, "", 0, 9);
	assert_int_equal(yj_import_memo_get(m, "", 0), 9);
	yj_import_memo_put(m, "a\0b", 3, 8); /* put replaces */
	assert_int_equal(yj_import_memo_get(m, "a\0b", 3), 8);
	yj_import_memo_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_type),
		cmocka_unit_test(many_plans),
		cmocka_unit_test(malformed),
		cmocka_unit_test(memo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
