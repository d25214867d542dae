/* test_jcs.c — the draw's canonical JSON is RFC 8785 exactly: the RFC's own examples (§3.2.2 the
 * whole serialization, §3.2.3 key order by UTF-16 code units, Appendix B number formatting), and the
 * refusal of integers a double cannot hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspection/draw_bundle.h"

static char *jcs_of_text(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!v)
		fail_msg("bad JSON in the test: %s", e.text);
	char *why = NULL, *out = yj_draw_jcs(v, &why);
	if (!out)
		fail_msg("jcs refused: %s", why);
	json_decref(v);
	return out;
}

static void rfc_example_serialization(void **state)
{
	(void)state;
	/* RFC 8785 §3.2.2, input and expected output verbatim. */
	char *out = jcs_of_text("{\n \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
				" \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
				" \"literals\": [null, true, false]\n}");
	assert_string_equal(out, "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
				 "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
	free(out);
	/* Every other control character as \u00xx in lower-case hex; U+007F and '/' as they are. */
	out = jcs_of_text("\"\\u001f\\u0000x\\u007f/\"");
	assert_string_equal(out, "\"\\u001f\\u0000x\x7f/\"");
	free(out);
}

static void rfc_example_key_order(void **state)
{
	(void)state;
	/* RFC 8785 §3.2.3: sorted by UTF-16 code units, so the emoji (high surrogate D83D) comes before
	 * U+FB33, though its UTF-8 bytes (F0…) sort after EF…. */
	char *out = jcs_of_text("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter Dalet"
				" With Dagesh\", \"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\":"
				" \"Control\", \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}");
	const char *order[] = {"Carriage Return", "One", "Control", "Latin Small", "Euro Sign", "Emoji", "Hebrew"};
	const char *at = out;
	for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
		const char *p = strstr(at, order[i]);
		if (!p)
			fail_msg("%s missing or out of order in %s", order[i], out);
		at = p;
	}
	free(out);
}

static void rfc_appendix_b_numbers(void **state)
{
	(void)state;
	static const struct {
		uint64_t bits;
		const char *want;
	} v[] = {
		{0x0000000000000000ULL, "0"},
		{0x8000000000000000ULL, "0"},
		{0x0000000000000001ULL, "5e-324"},
		{0x8000000000000001ULL, "-5e-324"},
		{0x7fefffffffffffffULL, "1.7976931348623157e+308"},
		{0xffefffffffffffffULL, "-1.7976931348623157e+308"},
		{0x4340000000000000ULL, "9007199254740992"},
		{0xc340000000000000ULL, "-9007199254740992"},
		{0x4430000000000000ULL, "295147905179352830000"},
		{0x44b52d02c7e14af5ULL, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6ULL, "1e+23"},
		{0x44b52d02c7e14af7ULL, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4eULL, "999999999999999700000"},
		{0x444b1ae4d6e2ef4fULL, "999999999999999900000"},
		{0x444b1ae4d6e2ef50ULL, "1e+21"},
		{0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8dULL, "0.000001"},
		{0x41b3de4355555553ULL, "333333333.3333332"},
		{0x41b3de4355555554ULL, "333333333.33333325"},
		{0x41b3de4355555555ULL, "333333333.3333333"},
		{0x41b3de4355555556ULL, "333333333.3333334"},
		{0x41b3de4355555557ULL, "333333333.33333343"},
		{0xbecbf647612f3696ULL, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959ULL, "1424953923781206.2"},
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		double d;
		memcpy(&d, &v[i].bits, sizeof d);
		json_t *x = json_real(d);
		char *why = NULL, *out = yj_draw_jcs(x, &why);
		if (!out || strcmp(out, v[i].want))
			fail_msg("%016llx: got %s, RFC 8785 says %s", (unsigned long long)v[i].bits, out ? out : why, v[i].want);
		free(out);
		json_decref(x);
	}
	/* The cases the old serializer got wrong: 2.0 and 1e21 written as JSON reals. */
	char *out = jcs_of_text("[2.0, 1e21, -0.0, 1E-7, 100, -5]");
	assert_string_equal(out, "[2,1e+21,0,1e-7,100,-5]");
	free(out);
}

static void big_integers_refused(void **state)
{
	(void)state;
	char *why = NULL;
	json_t *ok = json_integer(9007199254740991LL), *big = json_pack("{s:[I]}", "a", (json_int_t)9007199254740993LL);
	char *out = yj_draw_jcs(ok, &why);
	assert_string_equal(out, "9007199254740991");
	free(out);
	assert_null(yj_draw_jcs(big, &why));
	assert_non_null(strstr(why, "2^53"));
	free(why);
	/* An input holding one cannot be hashed, so it cannot be committed or verified. */
	json_t *b = json_pack("{s:s, s:{s:I}, s:[], s:[]}", "format", YJ_DRAW_FORMAT, "plan", "count",
			      (json_int_t)-9007199254740993LL, "subjects", "inspectors");
	char h[65];
	assert_int_equal(yj_draw_input_hash(b, h, &why), -1);
	assert_non_null(strstr(why, "2^53"));
	free(why);
	json_decref(b);
	json_decref(ok);
	json_decref(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_example_serialization),
		cmocka_unit_test(rfc_example_key_order),
		cmocka_unit_test(rfc_appendix_b_numbers),
		cmocka_unit_test(big_integers_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
