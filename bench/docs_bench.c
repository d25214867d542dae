/* docs_bench.c — bench/docs: PDF decision documents rendered per second (issue target: at least 50
 * per second per core). Renders the sample 行政处罚决定书 (docs_sample.c, two pages with its default
 * three paragraphs of facts) N times in each of T threads, each with its own number, and prints the
 * rate overall, per thread and per CPU second of the rendering threads (the rate per core, which a
 * busy machine does not distort), as JSON. The first rendering of a thread loads the fonts; it is
 * timed apart as the warm-up. */
#define _POSIX_C_SOURCE 200809L
#include "platform/docs/docs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the calling thread: on a shared machine, the rate per core is documents per CPU second. */
static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *model_file; /* argv[4]: a model to render instead of the sample */

struct job {
	int n, paragraphs, failed;
	double warmup, seconds, cpu;
	size_t bytes;
};

static void *run(void *p)
{
	struct job *j = p;
	json_t *m = model_file ? json_load_file(model_file, 0, NULL) : yj_doc_sample(j->paragraphs);
	for (int i = -1; i < j->n; i++) {
		char no[64];
		snprintf(no, sizeof no, "温鹿卫医罚〔2026〕%d号", i + 2);
		yj_doc_render_opts o = {no, 0, 1796520000000, "https://yijian.example/api/v1/public/documents/verify?no=x"};
		unsigned char *pdf = NULL;
		size_t len = 0;
		char *err = NULL;
		double t0 = now(), c0 = cpu();
		if (yj_doc_render(m, &o, &pdf, &len, NULL, &err) < 0) {
			j->failed = 1;
			free(err);
			break;
		}
		if (i < 0)
			j->warmup = now() - t0;
		else {
			j->seconds += now() - t0;
			j->cpu += cpu() - c0;
		}
		j->bytes = len;
		free(pdf);
	}
	json_decref(m);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200, threads = argc > 2 ? atoi(argv[2]) : 1;
	int paragraphs = argc > 3 ? atoi(argv[3]) : 3;
	model_file = argc > 4 ? argv[4] : NULL;
	if (threads < 1 || threads > 64 || n < 1)
		return 2;
	pthread_t th[64];
	struct job jobs[64];
	double t0 = now();
	for (int i = 0; i < threads; i++) {
		jobs[i] = (struct job){n, paragraphs, 0, 0, 0, 0, 0};
		pthread_create(&th[i], NULL, run, &jobs[i]);
	}
	double busy = 0, warm = 0, cpus = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		if (jobs[i].failed)
			return 1;
		busy += jobs[i].seconds;
		cpus += jobs[i].cpu;
		warm += jobs[i].warmup;
	}
	double wall = now() - t0;
	printf("{\"documents\": %d, \"threads\": %d, \"pdf_bytes\": %zu, \"wall_seconds\": %.3f, "
	       "\"per_second\": %.1f, \"per_second_per_thread\": %.1f, \"per_cpu_second\": %.1f, \"warmup_seconds\": %.3f}\n",
	       n * threads, threads, jobs[0].bytes, wall, (double)(n * threads) / wall, (double)n * threads / busy,
	       (double)n * threads / cpus, warm / threads);
	return 0;
}
