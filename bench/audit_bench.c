/* audit_bench.c — bench/audit: audited writes per second, the cost the audit log adds to every
 * write (issue 15). T threads each commit N transactions of one small row and its audit leaf, on
 * the database given (a fresh SQLite file by default, or a PostgreSQL URL: the bench makes and drops
 * a schema of its own there), with the signer of `serve` running at the default merge delay;
 * then the time from the last commit until a signed tree head covers it. Usage:
 *   build/bench_audit [URL|""] [writes per thread (2000)] [threads (1)] */
#define _POSIX_C_SOURCE 200809L
#include "base/base.h"
#include "cli/modules.h"
#include "base/log.h"
#include "platform/audit/audit.h"

#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static store *db;
static int per_thread;

/* This process's CPU seconds (user + system): steadier than wall time on a shared machine. */
static double cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One audited write: a row of the bench's own table and its leaf, in one transaction. */
static int write_tx(store_conn *c, void *arg)
{
	long i = *(long *)arg;
	store_stmt *st = store_prepare(c, "INSERT INTO bench_rows (n) VALUES (?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, i);
	int rc = store_step(st);
	store_finalize(st);
	if (rc != ST_DONE)
		return rc < 0 ? rc : ST_ERR;
	char id[24];
	snprintf(id, sizeof id, "%ld", i);
	json_t *state = json_pack("{s:I, s:s}", "n", (json_int_t)i, "name", "基准");
	yj_audit_event ev = {"system", "bench.write", "bench", id, "330302", state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static void *worker(void *arg)
{
	long base = (long)(intptr_t)arg * per_thread;
	for (long i = base; i < base + per_thread; i++)
		if (store_tx(db, write_tx, &i) < 0) {
			fprintf(stderr, "write %ld failed\n", i);
			exit(1);
		}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *url = argc > 1 && *argv[1] ? argv[1] : NULL;
	per_thread = argc > 2 ? atoi(argv[2]) : 2000;
	int threads = argc > 3 ? atoi(argv[3]) : 1;
	char dir[] = "/tmp/yj_audit_bench_XXXXXX", *u, *err = NULL, schema[64] = "";
	if (!mkdtemp(dir))
		return 1;
	if (url) {
		snprintf(schema, sizeof schema, "yj_bench_audit_%ld", (long)getpid());
		store *s = store_open(url, &err);
		char *sql = yj_asprintf("CREATE SCHEMA %s", schema);
		if (!s || store_exec(store_conn_get(s), sql) != ST_OK)
			return fprintf(stderr, "%s\n", err ? err : "cannot make a schema"), 1;
		free(sql);
		store_close(s);
		u = yj_asprintf("%s%coptions=-csearch_path%%3D%s", url, strchr(url, '?') ? '&' : '?', schema);
	} else {
		u = yj_asprintf("sqlite:%s/bench.db", dir);
	}
	yj_log_set_level(YJ_LOG_WARN);
	db = store_open(u, &err);
	if (!db || yj_migrate(db, &err) < 0 || yj_audit_keys_load(dir, &err) < 0)
		return fprintf(stderr, "%s\n", err), 1;
	store_exec(store_conn_get(db), "CREATE TABLE bench_rows (n BIGINT PRIMARY KEY)");
	yj_audit_signer *signer = yj_audit_signer_start(db, YJ_AUDIT_MERGE_DELAY_MS, &err);
	if (!signer)
		return fprintf(stderr, "%s\n", err), 1;
	pthread_t t[64];
	threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
	double t0 = now(), c0 = cpu();
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	double t1 = now(), c1 = cpu();
	long n = (long)per_thread * threads;
	int64_t covered = 0;
	while (covered < n) {
		store_stmt *st = store_prepare(store_conn_get(db), "SELECT COALESCE(MAX(tree_size), 0) FROM audit_sth");
		if (st && store_step(st) == ST_ROW)
			covered = store_col_int64(st, 0);
		store_finalize(st);
		if (covered < n)
			usleep(2000);
	}
	double t2 = now();
	yj_audit_signer_stop(signer);
	printf("audit bench (%s, %d thread%s): %ld audited writes in %.2f s = %.0f writes/s; %.0f µs of CPU per write\n",
	       store_engine(db), threads, threads > 1 ? "s" : "", n, t1 - t0, (double)n / (t1 - t0), (c1 - c0) * 1e6 / (double)n);
	printf("  the last write was covered by a signed tree head %.0f ms after its commit (bound %d ms)\n",
	       (t2 - t1) * 1000, YJ_AUDIT_MERGE_DELAY_MS);
	store_close(db);
	if (url) {
		store *s = store_open(url, &err);
		char *sql = yj_asprintf("DROP SCHEMA %s CASCADE", schema);
		if (s)
			store_exec(store_conn_get(s), sql);
		free(sql);
		store_close(s);
	}
	free(u);
	char *rm = yj_asprintf("rm -rf %s", dir);
	if (system(rm) != 0)
		return 1;
	free(rm);
	return 0;
}
