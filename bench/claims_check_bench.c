/* claims_check_bench.c — where one real-time check's time goes, phase by phase, in one thread with no
 * HTTP (issue 14 item 6): the body's JSON parse, the claim to CSV, the history from the per-process
 * cache, the check's screening (load of claim + history, then the rules), the answer's JSON text.
 * Usage: build/bench_claims_check RULES_DIR [iterations (20000)] [history claims (3)] */
#define _POSIX_C_SOURCE 200809L
#include "base/base.h"
#include "claims/check_int.h"
#include "platform/pii/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *body(const char *id, const char *date)
{
	return yj_asprintf(
		"{\"claim_id\":\"%s\",\"patient_id\":\"BP7\",\"sex\":\"M\",\"birth_date\":\"1975-04-08\","
		"\"institution_code\":\"91330302MA0000001A\",\"physician_id\":\"D7\",\"dept_code\":\"03\",\"visit_type\":\"O\","
		"\"diagnosis\":\"J06.9\",\"lines\":["
		"{\"line_no\":1,\"service_date\":\"%s\",\"item_code\":\"XD900\",\"item_name\":\"药品XD900\",\"item_type\":\"drug\",\"quantity\":2,\"unit_price\":\"12.50\",\"amount\":\"25.00\",\"days_supply\":3},"
		"{\"line_no\":2,\"service_date\":\"%s\",\"item_code\":\"XD901\",\"item_name\":\"药品XD901\",\"item_type\":\"drug\",\"quantity\":2,\"unit_price\":\"8.20\",\"amount\":\"16.40\",\"days_supply\":3},"
		"{\"line_no\":3,\"service_date\":\"%s\",\"item_code\":\"XD902\",\"item_name\":\"药品XD902\",\"item_type\":\"drug\",\"quantity\":2,\"unit_price\":\"30.00\",\"amount\":\"60.00\",\"days_supply\":3},"
		"{\"line_no\":4,\"service_date\":\"%s\",\"item_code\":\"XD903\",\"item_name\":\"药品XD903\",\"item_type\":\"drug\",\"quantity\":2,\"unit_price\":\"5.10\",\"amount\":\"10.20\",\"days_supply\":3}]}",
		id, date, date, date, date);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s RULES_DIR [iterations] [history claims]\n", argv[0]);
		return 2;
	}
	int iters = argc > 2 ? atoi(argv[2]) : 20000, nh = argc > 3 ? atoi(argv[3]) : 3;
	char *err = NULL, tmp[] = "/tmp/yj-ckbench-XXXXXX";
	if (!mkdtemp(tmp) || yj_pii_keys_load(tmp, &err) < 0 || yj_claims_check_configure(argv[1], NULL, NULL, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err ? err : "setup failed");
		return 1;
	}
	/* The patient's history: nh earlier claims, as a recording would store them. */
	ck_hist *hist = yj_calloc((size_t)nh + 1, sizeof *hist);
	char hash[65] = "";
	for (int h = 0; h < nh; h++) {
		char id[16], date[16];
		snprintf(id, sizeof id, "H7-%d", h);
		snprintf(date, sizeof date, "2026-03-0%d", 1 + h % 9);
		char *b = body(id, date);
		json_t *j = json_loads(b, 0, NULL), *errors = json_array();
		ck_claim cl;
		if (ck_claim_from_json(j, &cl, errors) < 0)
			return 1;
		hist[h] = (ck_hist){yj_strdup(cl.claim_id), yj_strdup(cl.csv), cl.last_day};
		snprintf(hash, sizeof hash, "%s", cl.patient_hash);
		ck_claim_free(&cl);
		json_decref(j);
		json_decref(errors);
		free(b);
	}
	ck_cache_put(hash, hist, nh);
	char *text = body("N7", "2026-03-10");
	double ph[6] = {0};
	const char *names[6] = {"JSON parse of the body", "claim to CSV (ck_claim_from_json)", "history from the cache",
				"screening (ck_screen: load + rules)", "answer to JSON text", "total"};
	int flagged = 0;
	double t0 = now();
	for (int i = 0; i < iters; i++) {
		double a = now();
		json_t *j = json_loads(text, 0, NULL), *errors = json_array();
		double b = now();
		ck_claim cl;
		ck_claim_from_json(j, &cl, errors);
		double c = now();
		ck_hist *rows = NULL;
		int n = 0;
		ck_cache_get(cl.patient_hash, &rows, &n);
		double d = now();
		json_t *out = NULL;
		ck_screen(&cl, rows, n, &out, errors);
		double e = now();
		char *s = json_dumps(out, JSON_COMPACT);
		double f = now();
		flagged += !strcmp(json_string_value(json_object_get(out, "result")), "flag");
		free(s);
		json_decref(out);
		ck_hist_free(rows, n);
		ck_claim_free(&cl);
		json_decref(j);
		json_decref(errors);
		ph[0] += b - a, ph[1] += c - b, ph[2] += d - c, ph[3] += e - d, ph[4] += f - e;
	}
	ph[5] = now() - t0;
	printf("claims check, one thread, no HTTP: %d checks of a 4-line claim with %d history claims (%d flagged)\n",
	       iters, nh, flagged);
	for (int k = 0; k < 6; k++)
		printf("  %-40s %8.1f us  %5.1f %%\n", names[k], ph[k] / iters * 1e6, ph[k] / ph[5] * 100);
	printf("  => %.0f checks/s on one core\n", iters / ph[5]);
	free(text);
	ck_hist_free(hist, nh);
	char *key = yj_asprintf("%s/pii.key", tmp);
	unlink(key); /* the throwaway key of this run */
	free(key);
	rmdir(tmp);
	return 0;
}
