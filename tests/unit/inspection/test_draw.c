/* test_draw.c — the verifiable draw: the stream's reference values, selection frequencies against
 * the probabilities the weights imply (chi-square over 10,000 seeds), the order of phases, teams
 * that avoid conflicts and repeat inspectors and balance load, refusals of impossible plans, and
 * bundles that verify until any part of them is changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspection/draw.h"
#include "inspection/draw_bundle.h"

static void seed_of(int i, unsigned char seed[32])
{
	char s[32];
	snprintf(s, sizeof s, "seed-%d", i);
	crypto_hash_sha256(seed, (const unsigned char *)s, strlen(s));
}

static void stream_reference(void **state)
{
	(void)state;
	/* RFC 8439 §2.3.2 key 00..1f: with nonce 0 and counter 0 the keystream begins 39fd2b7d… per an
	 * independent implementation (Node's chacha20); docs/draw.md quotes these values. */
	unsigned char key[32];
	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
	yj_draw_stream st;
	yj_draw_stream_init(&st, key);
	uint64_t a = yj_draw_u64(&st);
	yj_draw_stream_init(&st, key);
	assert_int_equal(yj_draw_u64(&st), a);
	/* 4096-byte refills continue the same keystream: the 513th value equals a fresh stream's 513th. */
	yj_draw_stream s2;
	yj_draw_stream_init(&s2, key);
	for (int i = 0; i < 512; i++)
		yj_draw_u64(&s2);
	uint64_t v513 = yj_draw_u64(&s2);
	unsigned char ks[4104] = {0}, nonce[12] = {0};
	crypto_stream_chacha20_ietf(ks, sizeof ks, nonce, key);
	uint64_t want = 0;
	for (int i = 7; i >= 0; i--)
		want = (want << 8) | ks[4096 + i];
	assert_int_equal(v513, want);
	/* Uniform integers stay in range and hit every value. */
	int seen[7] = {0};
	for (int i = 0; i < 700; i++) {
		uint64_t u = yj_draw_uniform(&st, 7);
		assert_true(u < 7);
		seen[u] = 1;
	}
	for (int i = 0; i < 7; i++)
		assert_true(seen[i]);
}

/* N subjects in one county, weights given; inspectors: k of health in the county. */
static yj_draw_subject subjects[64];
static yj_draw_inspector inspectors[64];
static char sid[64][24], iid[64][24];

static void setup_world(size_t ns, const int64_t *w, size_t ni)
{
	for (size_t i = 0; i < ns; i++) {
		snprintf(sid[i], sizeof sid[i], "s%02zu", i);
		subjects[i] = (yj_draw_subject){sid[i], "330302", w ? w[i] : 1000, 0};
	}
	for (size_t i = 0; i < ni; i++) {
		snprintf(iid[i], sizeof iid[i], "i%02zu", i);
		inspectors[i] = (yj_draw_inspector){iid[i], "health", "330302", NULL, 0, NULL, 0};
	}
}

static void chi_square_single_draw(void **state)
{
	(void)state;
	/* One subject drawn from ten with weights 1..10: frequency ∝ weight. df 9; 21.666 is the
	 * 0.99 quantile of chi-square(9), so a sound draw passes at p ≥ 0.01. */
	int64_t w[10];
	for (int i = 0; i < 10; i++)
		w[i] = 1000 * (i + 1);
	setup_world(10, w, 4);
	yj_draw_plan p = {1, 1000, 2, 1, {"health"}};
	int counts[10] = {0};
	const int trials = 10000;
	for (int t = 0; t < trials; t++) {
		unsigned char seed[32];
		seed_of(t, seed);
		yj_draw_result r;
		char *why = NULL;
		assert_int_equal(yj_draw_run(&p, subjects, 10, inspectors, 4, seed, &r, &why), 0);
		counts[r.subjects[0]]++;
		yj_draw_result_free(&r);
	}
	double chi = 0;
	for (int i = 0; i < 10; i++) {
		double e = trials * (i + 1) / 55.0;
		chi += (counts[i] - e) * (counts[i] - e) / e;
	}
	printf("chi-square(9) = %.3f (critical 21.666 at p = 0.01)\n", chi);
	assert_true(chi < 21.666);
}

/* Exact probability of drawing the set `mask` of k subjects by successive weighted sampling. */
static double set_probability(const double *w, int n, unsigned mask, unsigned taken, double left)
{
	if (taken == mask)
		return 1.0;
	double p = 0;
	for (int i = 0; i < n; i++)
		if ((mask & (1u << i)) && !(taken & (1u << i)))
			p += w[i] / left * set_probability(w, n, mask, taken | (1u << i), left - w[i]);
	return p;
}

static void chi_square_sets(void **state)
{
	(void)state;
	/* Three of eight with weights 1..8: the 56 possible sets against their exact probabilities.
	 * df 55; 82.292 is the 0.99 quantile of chi-square(55). */
	int64_t w[8];
	double wd[8], total = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = 1000 * (i + 1);
		wd[i] = i + 1;
		total += wd[i];
	}
	setup_world(8, w, 4);
	yj_draw_plan p = {3, 1000, 2, 1, {"health"}};
	static int counts[256];
	memset(counts, 0, sizeof counts);
	const int trials = 10000;
	for (int t = 0; t < trials; t++) {
		unsigned char seed[32];
		seed_of(100000 + t, seed);
		yj_draw_result r;
		char *why = NULL;
		assert_int_equal(yj_draw_run(&p, subjects, 8, inspectors, 4, seed, &r, &why), 0);
		unsigned mask = 0;
		for (size_t k = 0; k < r.n; k++)
			mask |= 1u << r.subjects[k];
		assert_int_equal(__builtin_popcount(mask), 3);
		counts[mask]++;
		yj_draw_result_free(&r);
	}
	double chi = 0;
	int cells = 0;
	for (unsigned m = 0; m < 256; m++) {
		if (__builtin_popcount(m) != 3)
			continue;
		double e = trials * set_probability(wd, 8, m, 0, total);
		chi += (counts[m] - e) * (counts[m] - e) / e;
		cells++;
	}
	assert_int_equal(cells, 56);
	printf("chi-square(55) = %.3f (critical 82.292 at p = 0.01)\n", chi);
	assert_true(chi < 82.292);
}

static void phases_and_teams(void **state)
{
	(void)state;
	setup_world(20, NULL, 6);
	subjects[3].due = subjects[17].due = 1;
	/* i00 declared a conflict with s05 and s06; i01 inspected s05 last time. */
	static const size_t c0[] = {5, 6}, p1[] = {5};
	inspectors[0].conflicts = c0;
	inspectors[0].nconflicts = 2;
	inspectors[1].previous = p1;
	inspectors[1].nprevious = 1;
	yj_draw_plan p = {12, 500, 3, 1, {"health"}};
	unsigned char seed[32];
	seed_of(7, seed);
	yj_draw_result r;
	char *why = NULL;
	assert_int_equal(yj_draw_run(&p, subjects, 20, inspectors, 6, seed, &r, &why), 0);
	assert_int_equal(r.n, 12);
	/* Due subjects first, in list order; then ceil(10 × 50 %) = 5 by weight; then 5 at random. */
	assert_int_equal(r.subjects[0], 3);
	assert_int_equal(r.subjects[1], 17);
	int per[3] = {0}, load[6] = {0};
	for (size_t k = 0; k < r.n; k++) {
		per[r.phase[k]]++;
		size_t *team = r.teams + k * 3;
		for (int j = 0; j < 3; j++) {
			for (int l = 0; l < j; l++)
				assert_int_not_equal(team[j], team[l]);
			if (r.subjects[k] == 5 || r.subjects[k] == 6)
				assert_int_not_equal(team[j], 0);
			if (r.subjects[k] == 5)
				assert_int_not_equal(team[j], 1);
			load[team[j]]++;
		}
	}
	assert_int_equal(per[0], 2);
	assert_int_equal(per[1], 5);
	assert_int_equal(per[2], 5);
	yj_draw_result_free(&r);
	/* Without conflicts, 36 places over 6 inspectors: least-loaded first keeps all within one. */
	inspectors[0].nconflicts = inspectors[1].nprevious = 0;
	assert_int_equal(yj_draw_run(&p, subjects, 20, inspectors, 6, seed, &r, &why), 0);
	memset(load, 0, sizeof load);
	for (size_t k = 0; k < 3 * r.n; k++)
		load[r.teams[k]]++;
	int lo = 99, hi = 0;
	for (int i = 0; i < 6; i++) {
		lo = load[i] < lo ? load[i] : lo;
		hi = load[i] > hi ? load[i] : hi;
	}
	assert_true(hi - lo <= 1);
	yj_draw_result_free(&r);
	inspectors[0] = (yj_draw_inspector){iid[0], "health", "330302", NULL, 0, NULL, 0};
	inspectors[1] = (yj_draw_inspector){iid[1], "health", "330302", NULL, 0, NULL, 0};
}

static void joint_and_territory(void **state)
{
	(void)state;
	setup_world(10, NULL, 6);
	inspectors[4].department = inspectors[5].department = "market";
	inspectors[2].region = "330303"; /* a neighbour county's inspector never goes */
	inspectors[3].region = "330300"; /* a city inspector covers the county */
	yj_draw_plan p = {10, 500, 2, 2, {"health", "market"}};
	unsigned char seed[32];
	seed_of(9, seed);
	yj_draw_result r;
	char *why = NULL;
	assert_int_equal(yj_draw_run(&p, subjects, 10, inspectors, 6, seed, &r, &why), 0);
	for (size_t k = 0; k < r.n; k++) {
		size_t a = r.teams[2 * k], b = r.teams[2 * k + 1];
		assert_string_equal(inspectors[a].department, "health");
		assert_string_equal(inspectors[b].department, "market");
		assert_int_not_equal(a, 2);
	}
	yj_draw_result_free(&r);
	inspectors[2].region = inspectors[3].region = "330302";
	inspectors[4].department = inspectors[5].department = "health";
}

static void refusals(void **state)
{
	(void)state;
	setup_world(5, NULL, 3);
	unsigned char seed[32] = {0};
	yj_draw_result r;
	char *why = NULL;
	yj_draw_plan too_many = {6, 500, 2, 1, {"health"}};
	assert_int_equal(yj_draw_run(&too_many, subjects, 5, inspectors, 3, seed, &r, &why), -1);
	assert_non_null(strstr(why, "100%"));
	free(why);
	yj_draw_plan alone = {2, 500, 1, 1, {"health"}};
	assert_int_equal(yj_draw_check(&alone, subjects, 5, inspectors, 3, &why), -1);
	free(why);
	/* Two of three inspectors conflicted with s01: no team of two for it. */
	static const size_t c[] = {1};
	inspectors[0].conflicts = inspectors[1].conflicts = c;
	inspectors[0].nconflicts = inspectors[1].nconflicts = 1;
	yj_draw_plan ok = {2, 500, 2, 1, {"health"}};
	assert_int_equal(yj_draw_check(&ok, subjects, 5, inspectors, 3, &why), -1);
	assert_non_null(strstr(why, "s01"));
	assert_non_null(strstr(why, "利益冲突"));
	free(why);
	inspectors[0].nconflicts = inspectors[1].nconflicts = 0;
	subjects[2].weight = 0;
	assert_int_equal(yj_draw_check(&ok, subjects, 5, inspectors, 3, &why), -1);
	free(why);
}

static json_t *sample_bundle(void)
{
	json_t *subs = json_array(), *insp = json_array();
	for (int i = 0; i < 30; i++) {
		char id[16], region[16];
		snprintf(id, sizeof id, "9%03d", i);
		snprintf(region, sizeof region, "33030%d", 2 + i % 2);
		json_array_append_new(subs, json_pack("{s:s, s:s, s:I, s:b}", "id", id, "region_code", region, "weight",
						      (json_int_t)(1000 + 250 * (i % 5)), "due", i == 4));
	}
	for (int i = 0; i < 8; i++) {
		char id[16];
		snprintf(id, sizeof id, "7%02d", i);
		json_t *conf = json_array();
		if (i == 0 || i == 5)
			json_array_append_new(conf, json_string(i == 0 ? "9002" : "9001"));
		json_array_append_new(insp, json_pack("{s:s, s:s, s:s, s:o, s:[]}", "id", id, "department", "health",
						      "region_code", i < 4 ? "330302" : "330303", "conflicts", conf, "previous"));
	}
	json_t *b = json_pack("{s:s, s:{s:I, s:i, s:i, s:[s]}, s:o, s:o}", "format", YJ_DRAW_FORMAT, "plan", "count",
			      (json_int_t)6, "credit_share_permille", 500, "team_size", 2, "departments", "health",
			      "subjects", subs, "inspectors", insp);
	const char *secret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	char ih[65], sh[65], seed[65], *why = NULL;
	json_t *result = NULL;
	assert_int_equal(yj_draw_input_hash(b, ih, NULL), 0);
	if (yj_draw_bundle_compute(b, secret, "福彩3D 2026321 期 548", &result, seed, &why) != 0)
		fail_msg("compute: %s", why);
	yj_draw_secret_hash(secret, sh);
	json_object_set_new(b, "commitment", json_pack("{s:s, s:s}", "input_hash", ih, "secret_hash", sh));
	json_object_set_new(b, "server_secret", json_string(secret));
	json_object_set_new(b, "witness", json_string("福彩3D 2026321 期 548"));
	json_object_set_new(b, "seed", json_string(seed));
	json_object_set_new(b, "result", result);
	return b;
}

static void bundle_verifies_until_changed(void **state)
{
	(void)state;
	json_t *b = sample_bundle();
	char *report = NULL;
	assert_int_equal(yj_draw_bundle_verify(b, &report), 0);
	assert_non_null(strstr(report, "match"));
	free(report);

	json_t *t = json_deep_copy(b);
	json_object_set_new(json_array_get(json_object_get(t, "subjects"), 7), "weight", json_integer(9999));
	assert_int_equal(yj_draw_bundle_verify(t, &report), 1);
	assert_non_null(strstr(report, "input hash"));
	free(report);
	json_decref(t);

	t = json_deep_copy(b);
	json_object_set_new(t, "witness", json_string("福彩3D 2026321 期 549"));
	assert_int_equal(yj_draw_bundle_verify(t, &report), 1);
	assert_non_null(strstr(report, "witness"));
	free(report);
	/* Without a seed to compare, the result itself shows the change. */
	json_object_del(t, "seed");
	assert_int_equal(yj_draw_bundle_verify(t, &report), 1);
	assert_non_null(strstr(report, "drawn subject"));
	free(report);
	json_decref(t);

	t = json_deep_copy(b);
	json_t *first = json_array_get(json_object_get(json_object_get(t, "result"), "subjects"), 1);
	json_object_set_new(first, "inspectors", json_pack("[ss]", "700", "701"));
	assert_int_equal(yj_draw_bundle_verify(t, &report), 1);
	assert_non_null(strstr(report, "team of drawn subject 2"));
	free(report);
	json_decref(t);

	t = json_deep_copy(b);
	json_object_set_new(t, "server_secret", json_string("ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
	assert_int_equal(yj_draw_bundle_verify(t, &report), 1);
	assert_non_null(strstr(report, "secret"));
	free(report);
	json_decref(t);

	/* No inspector conflicted with a drawn subject sits in its team. */
	json_t *subs = json_object_get(json_object_get(b, "result"), "subjects"), *e;
	size_t k;
	json_array_foreach(subs, k, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		json_t *team = json_object_get(e, "inspectors");
		assert_int_equal(json_array_size(team), 2);
		for (size_t j = 0; j < 2; j++) {
			const char *who = json_string_value(json_array_get(team, j));
			assert_false(!strcmp(id, "9002") && !strcmp(who, "700"));
			assert_false(!strcmp(id, "9001") && !strcmp(who, "705"));
			assert_int_equal(who[2] < '4', id[3] % 2 == 0); /* the subject's own county's inspectors */
		}
	}
	json_decref(b);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_reference), cmocka_unit_test(chi_square_single_draw), cmocka_unit_test(chi_square_sets),
		cmocka_unit_test(phases_and_teams), cmocka_unit_test(joint_and_territory),    cmocka_unit_test(refusals),
		cmocka_unit_test(bundle_verifies_until_changed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
