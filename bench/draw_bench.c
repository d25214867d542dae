/* draw_bench.c — bench/draw: a draw over 1,000,000 subjects and 10,000 inspectors (issue target:
 * under 2 s on the 2-core reference machine), with peak memory. The world is synthetic and
 * deterministic: subjects spread over the 2,975 counties of data/regions.csv' shape (100 per
 * county-like prefix), inspectors per county plus city-level ones, a few conflicts each. The
 * baseline named in the output is the same draw's subject phase alone, to show where time goes. */
#define _POSIX_C_SOURCE 200809L
#include "inspection/draw.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t ns = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, ni = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
	double ratio = argc > 3 ? atof(argv[3]) : 0.05;
	if (sodium_init() < 0)
		return 1;
	/* 1,000 counties under 100 cities; subjects evenly spread; each county has ni/1000 inspectors,
	 * one of ten is a city-level inspector. */
	size_t ncounty = 1000;
	char (*sid)[24] = calloc(ns, sizeof *sid), (*sreg)[8] = calloc(ns, sizeof *sreg);
	char (*iid)[24] = calloc(ni, sizeof *iid), (*ireg)[8] = calloc(ni, sizeof *ireg);
	yj_draw_subject *s = calloc(ns, sizeof *s);
	yj_draw_inspector *in = calloc(ni, sizeof *in);
	size_t *conf = calloc(ni * 3, sizeof *conf);
	uint64_t x = 88172645463325252ULL;
	for (size_t i = 0; i < ns; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t c = i % ncounty;
		snprintf(sid[i], sizeof sid[i], "%llu", 913400000000000000ULL + i);
		snprintf(sreg[i], sizeof sreg[i], "%02zu%02zu%02zu", 11 + c / 100 % 60, 1 + c / 10 % 10, 1 + c % 10);
		s[i] = (yj_draw_subject){sid[i], sreg[i], 500 + (int64_t)(x % 4000), x % 50 == 0};
	}
	for (size_t i = 0; i < ni; i++) {
		size_t c = i % ncounty;
		snprintf(iid[i], sizeof iid[i], "%llu", 913500000000000000ULL + i);
		if (i % 10 == 9) /* city level */
			snprintf(ireg[i], sizeof ireg[i], "%02zu%02zu00", 11 + c / 100 % 60, 1 + c / 10 % 10);
		else
			snprintf(ireg[i], sizeof ireg[i], "%02zu%02zu%02zu", 11 + c / 100 % 60, 1 + c / 10 % 10, 1 + c % 10);
		/* Three conflicts among the county's subjects (ascending). */
		for (size_t k = 0; k < 3; k++)
			conf[3 * i + k] = c + ncounty * (k * 17 + i / ncounty);
		in[i] = (yj_draw_inspector){iid[i], "health", ireg[i], conf + 3 * i, 3, NULL, 0};
	}
	yj_draw_plan p = {(int64_t)(ratio * (double)ns + 0.999), 500, 2, 1, {"health"}};
	unsigned char seed[32];
	crypto_hash_sha256(seed, (const unsigned char *)"bench", 5);
	double t0 = now();
	yj_draw_result r;
	char *why = NULL;
	if (yj_draw_run(&p, s, ns, in, ni, seed, &r, &why) < 0) {
		fprintf(stderr, "draw refused: %s\n", why);
		return 1;
	}
	double t1 = now();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"subjects\": %zu, \"inspectors\": %zu, \"drawn\": %zu, \"team_size\": %d, \"seconds\": %.3f,"
	       " \"peak_rss_mb\": %.1f}\n",
	       ns, ni, r.n, r.team_size, t1 - t0, (double)ru.ru_maxrss / 1024.0);
	yj_draw_result_free(&r);
	return 0;
}
