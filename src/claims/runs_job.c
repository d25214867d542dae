/* runs_job.c — the deferred job "claims.screen_run": loads a claims file submitted through the API,
 * screens it with the rule base `serve` read at start, and stores the run and its flags for review
 * under the submitted id, with its progress in claim_run_jobs. A run taken over from a process that
 * died first drops what that process had stored, so the flag set is stored once. A file larger than
 * a partition (runs_part.c) is split by patient hash into partition jobs instead. */
#define _POSIX_C_SOURCE 200809L
#include "runs_int.h"
#include "check_int.h"
#include "../platform/jobs/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct progress {
	store *s;
	int64_t id;
};

static void on_progress(void *arg, int64_t done, int64_t total)
{
	struct progress *p = arg;
	rj_set(p->s, p->id, "storing", done, total, -1, -1, NULL);
}

static int fail(store *s, int64_t id, const char *path, char *why)
{
	rj_set(s, id, "failed", -1, -1, -1, -1, why);
	free(why);
	unlink(path);
	return YJ_OK; /* a failed run is reported, not retried: the file itself is wrong */
}

static int screen_run(yj_job_ctx *ctx)
{
	store *s = yj_job_store(ctx);
	int64_t id = strtoll(yj_job_payload(ctx), NULL, 10);
	rj_row row;
	int rc = rj_get(store_conn_get(s), id, &row);
	if (rc == ST_NOTFOUND || (rc == ST_OK && (!strcmp(row.state, "done") || !strcmp(row.state, "failed"))))
		return YJ_OK;
	if (rc < 0)
		return rc;
	const yj_rules *rs = ck_rules_all();
	if (!rs)
		return fail(s, id, row.input_path, yj_strdup("服务未加载规则库（yijian serve --rules），请管理员配置后重新提交。"));
	if (!strcmp(row.state, "partitioned")) /* its partitions are jobs of their own now */
		return YJ_OK;
	if (strcmp(row.state, "queued") && rj_drop_partial(s, id) < 0) /* taken over midway */
		return YJ_ERR;
	struct stat sb;
	int parts = stat(row.input_path, &sb) == 0 ? rj_parts_for((int64_t)sb.st_size) : 1;
	if (parts > 1) {
		char *err = NULL;
		if (rj_start_parts(s, &row, rs, parts, &err) < 0) {
			for (int k = 0; k <= parts; k++) { /* and the cross partition */
				char *pp = yj_asprintf("%s.part%d", row.input_path, k);
				unlink(pp);
				free(pp);
			}
			return fail(s, id, row.input_path, err);
		}
		return YJ_OK;
	}
	int64_t started = yj_now_ms();
	rj_set(s, id, "loading", 0, 0, -1, -1, NULL);
	yj_load_opts lo = {.threads = 0};
	yj_load_report rep;
	yj_claims *c = NULL;
	char *err = NULL;
	if (yj_claims_load_file(row.input_path, &lo, &c, &rep, &err) < 0) {
		char *why = yj_asprintf("文件无法载入：%s%s", err ? err : "格式错误",
					rep.nerrors ? "（请按 yijian screen 的错误报告修正后重新提交）" : "");
		free(err);
		yj_load_report_free(&rep);
		return fail(s, id, row.input_path, why);
	}
	yj_load_report_free(&rep);
	if (yj_job_stopping(ctx)) {
		yj_claims_free(c);
		return YJ_ERR;
	}
	rj_set(s, id, "screening", 0, 0, (int64_t)c->n, -1, NULL);
	yj_screen_result res;
	yj_screen(c, rs, ck_refs(), 0, &res);
	int64_t total = yj_review_count_records(c, &res);
	rj_set(s, id, "storing", 0, total, -1, res.nflags, NULL);
	struct progress pg = {s, id};
	yj_review_opts o = {.claims_path = row.input_path, .rules_dir = ck_rules_dir(), .region_code = row.region,
			    .actor = row.actor, .started_at = started, .run_id = id, .input_name = row.input_name,
			    .on_progress = on_progress, .progress_arg = &pg};
	yj_review_stats st;
	rc = yj_review_persist(s, c, rs, &res, &o, &st, &err);
	yj_screen_result_free(&res);
	yj_claims_free(c);
	if (rc < 0)
		return fail(s, id, row.input_path, err);
	rj_set(s, id, "done", total, total, -1, -1, NULL);
	unlink(row.input_path);
	return YJ_OK;
}

const yj_job_def yj_claims_jobs[] = {
	{RJ_HANDLER, YJ_JOB_DEFERRED, 0, screen_run, NULL},
	{RJ_PART_HANDLER, YJ_JOB_DEFERRED, 0, rj_screen_part, NULL},
	{NULL, 0, 0, NULL, NULL},
};
