/* complaints_bench.c — bench/complaints: duplicate detection against 1,000,000 stored matters (issue
 * 13: under 50 ms per new matter at p99). The world is synthetic and deterministic: matters spread
 * over 5,000 subjects in 12 counties — a fifth of them about 50 large hospitals, so some subjects
 * hold thousands — and the 9 categories, a third still open, their content made of complaint phrases; then 1,000 new matters are compared (cmp_duplicates, exactly
 * what intake runs) and the latencies reported. argv: matters (default 1000000), database URL
 * (default a temporary SQLite file). Prints one JSON line; exit 1 when p99 misses the target. */
#define _POSIX_C_SOURCE 200809L
#include "complaints/cmp_int.h"
#include "cli/modules.h"

#include <sodium.h>
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

static const char *const COUNTIES[] = {"330302", "330303", "330304", "330305", "330324", "330326",
				       "330327", "330328", "330329", "330381", "330382", "330383"};
static const char *const CATS[] = {"medical_service", "illegal_practice", "public_health", "medical_waste", "drug_quality",
				   "pricing", "insurance_fraud", "enquiry", "emergency"};
static const char *const PHRASES[] = {
	"挂号后等了两个小时没有叫号", "医生态度恶劣拒绝解释病情", "同一项检查收费两次", "药房出售过期药品",
	"有人无证开设诊所给人输液", "诊所把医疗废物丢进生活垃圾桶", "游泳馆池水浑浊有异味", "住院费用清单有未使用的耗材",
	"要求退还多收的费用", "护士操作不规范导致感染", "医保卡被他人冒用刷卡", "病历资料被拒绝复印",
	"门诊环境脏乱差", "夜间急诊无医生值班", "体检报告结果错误", "美容机构无资质开展医疗美容",
};
#define NPHRASES (sizeof PHRASES / sizeof PHRASES[0])

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void);

/* A subject: its name and county (a subject lies in one county). */
static const char *subject_of(char out[32])
{
	unsigned long k = next() % 5 == 0 ? next() % 50 : next() % 5000;
	snprintf(out, 32, "机构%04lu", k);
	return COUNTIES[k % 12];
}
static uint64_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

/* Three or four phrases joined with commas. */
static void content(char *out, size_t cap)
{
	int n = 3 + (int)(next() % 2);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		strncat(out, PHRASES[next() % NPHRASES], cap - strlen(out) - 1);
		strncat(out, i + 1 < n ? "，" : "。", cap - strlen(out) - 1);
	}
}

struct fill {
	long from, to;
};

static int fill_tx(store_conn *c, void *arg)
{
	struct fill *f = arg;
	char text[512], code[YJ_CMP_CODE_LEN + 1], subject[32], day[11];
	for (long i = f->from; i < f->to; i++) {
		unsigned char rnd[10];
		randombytes_buf(rnd, sizeof rnd);
		yj_cmp_tracking_code(rnd, code);
		content(text, sizeof text);
		const char *county = subject_of(subject), *cat = CATS[next() % 9];
		/* created over the last 180 days: half inside the 90-day window */
		int64_t at = yj_now_ms() - (int64_t)(next() % (180ULL * 86400000ULL));
		yj_day_of_ms(at, day);
		cmp_new n = {.id = yj_id_new(), .tracking_code = code, .channel = "hotline", .category = cat, .title = "基准",
			     .content = text, .region_code = county, .department = "health", .subject_name = subject,
			     .received_on = day, .anonymous = 1};
		int rc = cmp_insert(c, &n, at, NULL);
		if (rc >= 0 && next() % 3) { /* two thirds are settled */
			json_t *set = json_pack("{s:s}", "state", next() % 2 ? "closed" : "replied");
			rc = cmp_update(c, n.id, set, at);
			json_decref(set);
		}
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	char tmpdir[] = "/tmp/yj_bench_cmp_XXXXXX", *url = NULL, *err = NULL;
	if (sodium_init() < 0)
		return 2;
	yj_id_seed(12345);
	if (argc > 2) {
		url = yj_strdup(argv[2]);
	} else {
		if (!mkdtemp(tmpdir))
			return 2;
		url = yj_asprintf("sqlite:%s/bench.db", tmpdir);
	}
	store *s = store_open(url, &err);
	if (!s || yj_migrate(s, &err) < 0) {
		fprintf(stderr, "bench/complaints: %s\n", err ? err : "cannot open");
		return 2;
	}
	double t0 = now();
	for (long i = 0; i < n; i += 10000) {
		struct fill f = {i, i + 10000 < n ? i + 10000 : n};
		if (store_tx(s, fill_tx, &f) < 0) {
			fprintf(stderr, "bench/complaints: %s\n", store_errmsg(store_conn_get(s)));
			return 2;
		}
	}
	double fill_s = now() - t0;
	enum { Q = 1000 };
	static double lat[Q];
	yj_scope all;
	yj_scope_unrestricted(&all);
	long found = 0;
	store_conn *c = store_conn_get(s);
	for (int q = 0; q < Q; q++) {
		char text[512], subject[32];
		content(text, sizeof text);
		const char *county = subject_of(subject);
		json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:n}", "id", "0", "content", text, "category", CATS[next() % 9],
				      "region_code", county, "subject_name", subject, "subject_id");
		json_t *out = NULL;
		double a = now();
		int rc = store_begin(c, 0);
		if (rc >= 0)
			rc = cmp_duplicates(c, &all, m, yj_now_ms() - (int64_t)YJ_CMP_DUP_WINDOW_DAYS * YJ_DAY_MS, &out);
		store_rollback(c);
		lat[q] = (now() - a) * 1000;
		found += (long)json_array_size(out);
		json_decref(out);
		json_decref(m);
		if (rc < 0) {
			fprintf(stderr, "bench/complaints: %s\n", store_errmsg(c));
			return 2;
		}
	}
	qsort(lat, Q, sizeof lat[0], cmp_d);
	double p99 = lat[Q * 99 / 100];
	printf("{\"matters\": %ld, \"engine\": \"%s\", \"fill_seconds\": %.1f, \"queries\": %d, \"p50_ms\": %.2f, \"p99_ms\": %.2f,"
	       " \"max_ms\": %.2f, \"duplicates_offered\": %ld, \"target_p99_ms\": 50}\n",
	       n, store_engine(s), fill_s, Q, lat[Q / 2], p99, lat[Q - 1], found);
	store_close(s);
	if (argc <= 2) {
		char *db = yj_asprintf("%s/bench.db", tmpdir);
		unlink(db);
		free(db);
		char *wal = yj_asprintf("%s/bench.db-wal", tmpdir), *shm = yj_asprintf("%s/bench.db-shm", tmpdir);
		unlink(wal);
		unlink(shm);
		free(wal);
		free(shm);
		rmdir(tmpdir);
	}
	free(url);
	return p99 < 50 ? 0 : 1;
}
