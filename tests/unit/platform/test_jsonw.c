/* test_jsonw.c — the JSON writer (base/jsonw.c) against jansson's own json_dumps with the flags the
 * replies use: every C0 control, quotes and backslashes, CJK and non-BMP text, random valid UTF-8,
 * integers at their limits and reals of every shape; what it writes for bytes that are not UTF-8
 * (which jansson refuses), which must still be valid JSON; and the canonical (sorted-key) texts that
 * the audit log and history hash, at both precisions they use, on random trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/http/http.h"

#define FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(12))

/* What jansson writes for v (stolen) equals what yj_jw_json writes, and for a string yj_jw_str. */
static void same(json_t *v)
{
	assert_non_null(v);
	char *want = json_dumps(v, FLAGS);
	assert_non_null(want);
	yj_buf b = YJ_BUF_INIT;
	yj_jw_json(&b, v);
	assert_string_equal(b.data, want);
	if (json_is_string(v)) {
		yj_buf_reset(&b);
		yj_jw_str(&b, json_string_value(v), json_string_length(v));
		assert_string_equal(b.data, want);
	}
	yj_buf_free(&b);
	free(want);
	json_decref(v);
}

static void escapes(void **state)
{
	(void)state;
	for (int c = 1; c < 0x80; c++) {
		char s[4] = {'a', (char)c, 'b', 0};
		same(json_string(s));
	}
	same(json_stringn("a\0b", 3)); /* a NUL inside a counted string */
	same(json_string(""));
	same(json_string("\"\\/\b\f\n\r\t\x01\x1f\x7f"));
	same(json_string("人民医院「第一」分院"));
	same(json_string("𠀀𪚥😀 (non-BMP) \xe2\x80\xa8 \xef\xbf\xbf"));
	same(json_string("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf"));
}

/* Random strings of code points of every length class, with controls and quotes among them. */
static void random_utf8(void **state)
{
	(void)state;
	srand(15);
	for (int t = 0; t < 2000; t++) {
		char s[256];
		size_t n = 0;
		int len = rand() % 40;
		for (int i = 0; i < len; i++) {
			unsigned cp;
			switch (rand() % 5) {
			case 0:
				cp = (unsigned)(rand() % 0x80);
				if (!cp)
					cp = '"';
				break;
			case 1:
				cp = 0x80 + (unsigned)(rand() % (0x800 - 0x80));
				break;
			case 2:
				do
					cp = 0x800 + (unsigned)(rand() % (0x10000 - 0x800));
				while (cp >= 0xD800 && cp <= 0xDFFF);
				break;
			case 3:
				cp = 0x10000 + (unsigned)(rand() % (0x110000 - 0x10000));
				break;
			default:
				cp = (unsigned)(rand() % 0x20) | 1;
			}
			if (cp < 0x80) {
				s[n++] = (char)cp;
			} else if (cp < 0x800) {
				s[n++] = (char)(0xC0 | cp >> 6);
				s[n++] = (char)(0x80 | (cp & 0x3F));
			} else if (cp < 0x10000) {
				s[n++] = (char)(0xE0 | cp >> 12);
				s[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
				s[n++] = (char)(0x80 | (cp & 0x3F));
			} else {
				s[n++] = (char)(0xF0 | cp >> 18);
				s[n++] = (char)(0x80 | (cp >> 12 & 0x3F));
				s[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
				s[n++] = (char)(0x80 | (cp & 0x3F));
			}
		}
		same(json_stringn(s, n));
	}
}

/* Bytes that are not UTF-8 reach a list only from a database written around the API: each byte
 * that does not start a valid sequence becomes U+FFFD, the rest of the text is kept, and the
 * result is UTF-8 that jansson reads back. */
static void invalid_utf8(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"a\xff" "b", "\"a\xef\xbf\xbd" "b\""},
		{"\x80", "\"\xef\xbf\xbd\""},
		{"\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""},			    /* overlong '/' */
		{"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},	    /* a surrogate */
		{"\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* > U+10FFFF */
		{"医\xe9\x99", "\"医\xef\xbf\xbd\xef\xbf\xbd\""},			    /* truncated at the end */
		{"\xe5\x8c\"", "\"\xef\xbf\xbd\xef\xbf\xbd\\\"\""},		    /* truncated before a quote */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_null(json_string(cases[i].in)); /* jansson would not hold it */
		yj_buf b = YJ_BUF_INIT;
		yj_jw_cstr(&b, cases[i].in);
		assert_string_equal(b.data, cases[i].out);
		json_error_t err;
		json_t *back = json_loads(b.data, JSON_DECODE_ANY, &err);
		assert_non_null(back);
		json_decref(back);
		yj_buf_free(&b);
	}
}

static void numbers(void **state)
{
	(void)state;
	const int64_t ints[] = {0, 1, -1, 9, 10, -10, 123456789, INT64_MAX, INT64_MIN, INT64_MIN + 1};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		same(json_integer(ints[i]));
	const double reals[] = {0.0,	  -0.0,	    1.0,      -1.0,	 120.123456, 30.5,	 119.999999, 1e6,
				1e12,	  1e15,	    1e17,     1.5e-7,	 1e-5,	     0.1,	 1.0 / 3,    -2.5e300,
				DBL_MAX,  DBL_MIN,  5e-324,   123456789012.0, 1234567890123.0, 99.9999995};
	for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++)
		same(json_real(reals[i]));
	srand(7);
	for (int t = 0; t < 5000; t++) { /* micro-degree coordinates, as the registry stores them */
		long e6 = (rand() % 180000000) - 90000000;
		same(json_real((double)e6 / 1e6));
	}
	same(json_true());
	same(json_false());
	same(json_null());
	yj_buf b = YJ_BUF_INIT;
	yj_jw_real(&b, NAN);
	yj_jw_json(&b, NULL);
	assert_string_equal(b.data, "nullnull");
	yj_buf_free(&b);
}

/* Micro-degrees written without printf equal what yj_jw_real writes for e6 / 10^6 (so what jansson
 * writes), across the fast path's edges and at random. */
static void e6_is_real(int64_t e6)
{
	yj_buf a = YJ_BUF_INIT, b = YJ_BUF_INIT;
	yj_jw_e6(&a, e6);
	yj_jw_real(&b, (double)e6 / 1e6);
	if (strcmp(a.data, b.data))
		fail_msg("e6 %lld: %s, expected %s", (long long)e6, a.data, b.data);
	yj_buf_free(&a);
	yj_buf_free(&b);
}

static void micro_degrees(void **state)
{
	(void)state;
	const int64_t edges[] = {0,	    1,	     9,		99,	     100,	   101,	       999,
				 1000,	    1001,    10000,	100000,	     999999,	   1000000,    1000001,
				 1200000,   120000000, 120650000, 28010000, 135999999,	  999999999999LL, 1000000000000LL,
				 INT64_MAX, INT64_MIN, -1,	-100,	     -28010000,	   -999999999999LL};
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		e6_is_real(edges[i]);
		e6_is_real(edges[i] == INT64_MIN ? 0 : -edges[i]);
	}
	srand(11);
	for (int t = 0; t < 200000; t++) {
		int64_t v = ((int64_t)rand() << 31 | rand()) % 1000000000000000LL;
		e6_is_real(t % 2 ? v : -v);
		e6_is_real(v % 200000000);
	}
}

static void trees(void **state)
{
	(void)state;
	same(json_pack("{s:s, s:I, s:o, s:[s, s], s:{s:b, s:n}, s:f}", "id", "1", "n", (json_int_t)42, "x", json_null(),
		       "codes", "a", "b\n", "in", "ok", 1, "none", "lng", 120.5));
	same(json_array());
	same(json_object());
}

/* yj_jw_canonical(v, precision) equals json_dumps(v, SORT_KEYS | ... | REAL_PRECISION(precision)). */
static void same_canonical(const json_t *v, int precision)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(precision));
	assert_non_null(want);
	yj_buf b = YJ_BUF_INIT;
	yj_jw_canonical(&b, v, precision);
	if (strcmp(b.data, want))
		fail_msg("precision %d: %s, expected %s", precision, b.data, want);
	yj_buf_free(&b);
	free(want);
}

/* Keys that sort by their bytes: prefixes of each other, CJK, upper before lower case, a NUL inside. */
static const char *const keys[] = {"id", "i", "id_number", "ID", "name", "名称", "名", "a b", "z", "_", "region_code",
				   "version", "\\", "\"q\"", "é", "𠀀", "updated_at", "beds", "lng", "lat"};

/* A random tree at most depth deep: objects of the keys above, arrays, and every scalar. */
static json_t *random_tree(int depth)
{
	int kind = rand() % (depth > 0 ? 9 : 7);
	switch (kind) {
	case 0:
		return json_integer((json_int_t)rand() * (rand() % 2 ? 1 : -1) * 4099);
	case 1:
		return json_real(((double)rand() - RAND_MAX / 2) / (1 + rand() % 100000));
	case 2:
		return json_string(keys[rand() % YJ_ARRAY_LEN(keys)]);
	case 3:
		return rand() % 2 ? json_true() : json_false();
	case 4:
		return json_null();
	case 5:
		return json_real((double)(rand() % 360000000 - 180000000) / 1e6);
	case 6:
		return json_stringn("a\0b\n人", 7);
	case 7: {
		json_t *a = json_array();
		for (int i = rand() % 5; i > 0; i--)
			json_array_append_new(a, random_tree(depth - 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (int i = rand() % 12; i > 0; i--)
			json_object_set_new(o, keys[rand() % YJ_ARRAY_LEN(keys)], random_tree(depth - 1));
		if (rand() % 4 == 0)
			json_object_setn_new(o, "k\0x", 3, json_integer(1)); /* a key with a NUL inside */
		return o;
	}
	}
}

static void canonical(void **state)
{
	(void)state;
	srand(29);
	for (int t = 0; t < 3000; t++) {
		json_t *v = random_tree(3);
		same_canonical(v, 0);  /* the audit log's state text */
		same_canonical(v, 12); /* history's canonical record */
		json_decref(v);
	}
	json_t *big = json_object(); /* more members than the writer sorts on its stack */
	for (int i = 0; i < 300; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%d", (i * 7919) % 1000);
		json_object_set_new(big, k, json_integer(i));
	}
	same_canonical(big, 0);
	json_decref(big);
	yj_buf b = YJ_BUF_INIT;
	yj_jw_canonical(&b, NULL, 0);
	assert_string_equal(b.data, "null");
	yj_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes),  cmocka_unit_test(random_utf8), cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(numbers),  cmocka_unit_test(micro_degrees), cmocka_unit_test(trees), cmocka_unit_test(canonical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
