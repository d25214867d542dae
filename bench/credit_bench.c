/* credit_bench.c — bench/credit: the credit evaluation (信用评价) of 100,000 institutions and 1,000,000
 * practitioners (issue 12: under 60 s on SQLite and on PostgreSQL), rows/s printed. The facts are made in
 * bulk by INSERT … SELECT over a recursive counter (no per-row round trips): every subject a licence, every
 * 5th a penalty (every 20th serious), every 10th a complaint, every 50th a commendation, every 7th points.
 * Then yj_credit_nightly runs twice on the same day — the first evaluation (every grade new: a grade row,
 * its history, audit leaf and credit.grade_changed each) and the nightly re-evaluation (no grade changes).
 * argv: institutions (100000), practitioners (1000000), database URL (default a temporary SQLite file).
 * Prints one JSON line per run: statements (each a round trip on PostgreSQL, BEGIN and COMMIT not
 * counted), cpu_seconds is this process's; on a local PostgreSQL backend_cpu_seconds
 * (the bench's backend) and server_cpu_seconds (every process of the cluster) from /proc; load1 the load
 * average at the run's end. Exit 1 when a run misses 60 s. */
#define _POSIX_C_SOURCE 200809L
#include "credit/credit_int.h"
#include "cli/modules.h"
#include "platform/audit/audit.h"
#include "base/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
#include <dirent.h>

/* This process's CPU seconds (user + system): the wall time of a loaded machine says little alone. */
static double cpu(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
	       (double)u.ru_stime.tv_usec / 1e6;
}

/* The CPU seconds of a process (/proc/PID/stat utime + stime); *ppid its parent. -1 when unreadable. */
static double proc_cpu(long pid, long *ppid)
{
	char f[64], buf[1024];
	snprintf(f, sizeof f, "/proc/%ld/stat", pid);
	FILE *fp = fopen(f, "r");
	if (!fp)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = 0;
	const char *p = strrchr(buf, ')'); /* the command may hold spaces */
	long pp = 0;
	unsigned long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &pp, &ut, &st) != 3)
		return -1;
	if (ppid)
		*ppid = pp;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* PostgreSQL's CPU seconds on this machine: the bench's backend (*backend) and every child of its
 * postmaster (*server: backends, WAL writer, checkpointer …; the throwaway cluster serves only the
 * bench). Both -1 when the server is elsewhere or /proc cannot be read. */
static void pg_cpu(store *s, double *backend, double *server)
{
	int64_t pid = 0;
	long pm = 0;
	*backend = *server = -1;
	if (strcmp(store_engine(s), "postgresql") || store_query_int64(store_conn_get(s), "SELECT pg_backend_pid()", NULL, &pid) < 0 ||
	    (*backend = proc_cpu((long)pid, &pm)) < 0)
		return;
	DIR *d = opendir("/proc");
	if (!d)
		return;
	double sum = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		long q = atol(e->d_name), pp = 0;
		double t = q > 0 ? proc_cpu(q, &pp) : -1;
		if (t >= 0 && pp == pm)
			sum += t;
	}
	closedir(d);
	*server = sum;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct fill {
	const char *kind;
	int64_t base, n;
};

/* One INSERT … SELECT per category: the counter i runs 0..n-1; ids base + i; 9 counties. The
 * SQL is the same on both engines (WITH RECURSIVE, ||, %, integer /). */
static int fill_tx(store_conn *c, void *arg)
{
	const struct fill *f = arg;
	static const struct { const char *category, *where, *title, *serious, *kinds, *until; } CAT[] = {
		{"licence", "1 = 1", "执业许可（有效）", "0", "''", "'2029-12-31'"},
		{"penalty", "i % 5 = 0", "行政处罚", "CASE WHEN i % 20 = 0 THEN 1 ELSE 0 END", "'warning,fine'", "'2028-06-30'"},
		{"complaint", "i % 10 = 3", "投诉举报属实", "0", "''", "'2027-06-30'"},
		{"commendation", "i % 50 = 7", "表彰奖励", "0", "''", "'2027-06-30'"},
	};
	char sql[2048];
	for (size_t k = 0; k < sizeof CAT / sizeof CAT[0]; k++) {
		snprintf(sql, sizeof sql,
			 "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)"
			 " INSERT INTO credit_records (id, subject_kind, subject_id, region_code, category, title, source_type,"
			 " source_id, source_doc, occurred_on, disclose_until, serious, penalty_kinds, fine_fen, department, state,"
			 " created_at) SELECT CAST(? AS BIGINT) + i * 8 + %zu, ?, CAST(? AS BIGINT) + i, '33030' || (i %% 9 + 1), '%s', '%s', 'bench', '%s-' || i, '温鹿卫基准〔2026〕' || i || '号',"
			 " '2026-03-01', %s, %s, %s, 0, 'health', 'active', 0 FROM n WHERE %s",
			 k, CAT[k].category, CAT[k].title, CAT[k].category, CAT[k].until, CAT[k].serious, CAT[k].kinds, CAT[k].where);
		int rc = credit_exec(c, NULL, sql, "iiti", f->n, f->base * 8, f->kind, f->base);
		if (rc < 0)
			return rc;
	}
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)"
		 " INSERT INTO credit_points (id, subject_kind, subject_id, region_code, rule_code, points, cycle_year,"
		 " occurred_on, source_type, source_id, source_doc, state, appeal_due, created_at, actor)"
		 " SELECT CAST(? AS BIGINT) + i, ?, CAST(? AS BIGINT) + i, '330302', ?, ?, 2026, '2026-03-01', 'manual', 'bench-' || i,"
		 " '温鹿卫记〔2026〕' || i || '号', 'confirmed', '2026-03-08', 0, 'bench' FROM n WHERE i %% 7 = 1");
	return credit_exec(c, NULL, sql, "iititi", f->n, f->base * 8 + 7, f->kind, f->base,
			   !strcmp(f->kind, "institution") ? "INS-MAN" : "MIP-B1", (int64_t)(!strcmp(f->kind, "institution") ? 4 : 2));
}

static int count_tx(store_conn *c, void *arg)
{
	int64_t *n = arg;
	store_stmt *st = credit_prep(c, "SELECT COUNT(*) FROM credit_records", NULL);
	int rc = st ? store_step(st) : ST_ERR;
	if (rc == ST_ROW)
		*n = store_col_int64(st, 0);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : ST_ERR;
}

int main(int argc, char **argv)
{
	int64_t ninst = argc > 1 ? atoll(argv[1]) : 100000, nprac = argc > 2 ? atoll(argv[2]) : 1000000;
	char tmpdir[] = "/tmp/yj_bench_credit_XXXXXX", *url = NULL, *err = NULL;
	if (sodium_init() < 0)
		return 2;
	yj_id_seed(12345);
	if (!mkdtemp(tmpdir))
		return 2;
	url = argc > 3 ? yj_strdup(argv[3]) : yj_asprintf("sqlite:%s/bench.db", tmpdir);
	yj_log_set_level(YJ_LOG_WARN);
	store *s = store_open(url, &err);
	if (!s || yj_migrate(s, &err) < 0 || yj_audit_keys_load(tmpdir, &err) < 0) {
		fprintf(stderr, "bench/credit: %s\n", err ? err : "cannot open");
		return 2;
	}
	const char *engine = store_engine(s);
	double t0 = now();
	struct fill fi = {"institution", 800000000000000000LL, ninst}, fp = {"practitioner", 810000000000000000LL, nprac};
	int64_t records = 0;
	if (store_tx(s, fill_tx, &fi) < 0 || store_tx(s, fill_tx, &fp) < 0 || store_tx(s, count_tx, &records) < 0) {
		fprintf(stderr, "bench/credit: filling: %s\n", store_errmsg(store_conn_get(s)));
		return 2;
	}
	if (!strcmp(engine, "postgresql"))
		store_exec(store_conn_get(s), "ANALYZE");
	double fill_s = now() - t0;
	int fails = 0;
	static const char *const RUN[] = {"first evaluation", "nightly re-evaluation"};
	for (int r = 0; r < 2; r++) {
		int64_t n = 0;
		int64_t stmts = store_conn_statements(store_conn_get(s));
		double a = now(), ca = cpu(), ba, sa, bb, sb;
		pg_cpu(s, &ba, &sa);
		if (yj_credit_nightly(s, "2026-06-01", &n) < 0) {
			fprintf(stderr, "bench/credit: evaluating: %s\n", store_errmsg(store_conn_get(s)));
			return 2;
		}
		double secs = now() - a, csecs = cpu() - ca;
		stmts = store_conn_statements(store_conn_get(s)) - stmts;
		pg_cpu(s, &bb, &sb);
		char srv[160] = "";
		double load = -1;
		FILE *la = fopen("/proc/loadavg", "r");
		if (la) {
			if (fscanf(la, "%lf", &load) != 1)
				load = -1;
			fclose(la);
		}
		if (ba >= 0 && bb >= 0)
			snprintf(srv, sizeof srv, ", \"backend_cpu_seconds\": %.2f, \"server_cpu_seconds\": %.2f", bb - ba, sb - sa);
		snprintf(srv + strlen(srv), sizeof srv - strlen(srv), ", \"load1\": %.1f", load);
		printf("{\"engine\": \"%s\", \"run\": \"%s\", \"institutions\": %lld, \"practitioners\": %lld, \"records\": %lld,"
		       " \"fill_seconds\": %.1f, \"evaluated\": %lld, \"seconds\": %.2f, \"statements\": %lld, \"cpu_seconds\": %.2f%s, \"rows_per_second\": %.0f,"
		       " \"target_seconds\": 60, \"met\": %s}\n",
		       engine, RUN[r], (long long)ninst, (long long)nprac, (long long)records, fill_s, (long long)n, secs, (long long)stmts, csecs, srv,
		       secs > 0 ? (double)n / secs : 0.0, secs < 60 ? "true" : "false");
		fflush(stdout);
		fails += secs >= 60;
	}
	store_close(s);
	free(url);
	{
		static const char *const F[] = {"bench.db", "bench.db-wal", "bench.db-shm", "audit.key", "audit.pub"};
		for (size_t i = 0; i < 5; i++) {
			char f[96];
			snprintf(f, sizeof f, "%s/%s", tmpdir, F[i]);
			unlink(f);
		}
		rmdir(tmpdir);
	}
	return fails ? 1 : 0;
}
