/* runs_api.c — POST /api/v1/claims/runs: a claims file streamed to the spool directory (the HTTP
 * layer's F_FILE mode: never into request memory), queued as a screening job; GET
 * /api/v1/claims/runs/{id}: its state and progress (queued, loading, screening, storing n of N,
 * done or failed with the reason). */
#define _POSIX_C_SOURCE 200809L
#include "runs_int.h"
#include "check_int.h"
#include "review_int.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUBMITTERS (ROLE_INSURANCE_ANALYST | ROLE_ADMIN)
#define READERS (ROLE_INSURANCE_ANALYST | ROLE_ADMIN | ROLE_LEADER | ROLE_LIAISON)

struct submit_arg {
	yj_req *r;
	int64_t id, bytes;
	const char *name, *path;
};

static int submit_tx(store_conn *c, void *arg)
{
	struct submit_arg *a = arg;
	const yj_principal *who = yj_who(a->r);
	char actor[21], sid[21];
	yj_id_format(who->user_id, actor);
	yj_id_format(a->id, sid);
	int rc = rj_insert(c, a->id, actor, a->name, a->path, a->bytes, who->region_code, yj_now_ms());
	if (rc < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:I}", "input_name", a->name, "bytes", (json_int_t)a->bytes);
	yj_audit_event ev = {actor, "claims.run.submit", "claim_run", sid, who->region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static int run_submit(yj_req *r)
{
	if (!ck_rules_all())
		return yj_reply_problem(r, 503, "check-unconfigured", "筛查未启用",
					"服务启动时未找到规则库目录，请管理员以 yijian serve --rules 目录 重新启动服务。");
	const char *name = yj_query(r, "name");
	if (!name || !*name)
		name = "upload.csv";
	if (strlen(name) > 200 || strchr(name, '/'))
		return yj_reply_problem_errors(r, 422, "validation", "文件名无效", "文件名不能含“/”，且不超过200字节，请改名后重新提交。",
					       yj_field_errors("name", "文件名无效"));
	const char *dir = yj_config(r)->spool_dir;
	if (!dir || !*dir)
		dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct submit_arg a = {r, yj_id_new(), 0, name, NULL};
	char *path = yj_asprintf("%s/yijian-claims-run-%lld.csv", dir, (long long)a.id);
	if (yj_body_file_take(r, path, &a.bytes) < 0) {
		free(path);
		return yj_reply_problem(r, 507, "insufficient-storage", "无法保存文件", "服务器暂存目录不可写，请联系管理员检查磁盘空间与目录权限。");
	}
	if (a.bytes == 0) {
		unlink(path);
		free(path);
		return yj_reply_problem_errors(r, 422, "validation", "文件为空", "上传的结算明细文件为空，请选择含表头和明细的 CSV 文件后重新提交。",
					       yj_field_errors("body", "空文件"));
	}
	a.path = path;
	yj_refusal none = {0}; /* submitting refuses nothing more: only a store failure is replied */
	if (yj_tx_or_reply(r, submit_tx, &a, &none) < 0) {
		unlink(path);
		free(path);
		return YJ_OK;
	}
	free(path);
	json_t *o = NULL;
	int rc = rj_json(store_conn_get(yj_store(r)), &yj_who(r)->scope, a.id, &o);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 202, o);
}

static int run_get(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	json_t *o = NULL;
	int rc = rj_json(c, &yj_who(r)->scope, id, &o);
	if (rc == ST_NOTFOUND) {
		/* A run stored by `yijian screen --db` has no job: it is done. */
		rc = rv_run_visible(c, &yj_who(r)->scope, id);
		if (rc == ST_OK)
			return yj_reply_json(r, 200, json_pack("{s:o, s:s, s:i}", "id", yj_json_id(id), "state", "done", "percent", 100));
	}
	if (rc == ST_NOTFOUND)
		return yj_reply_problem(r, 404, "not-found", "筛查批次不存在", "没有该筛查批次，或不在您的管辖范围内，请从筛查批次列表中选择。");
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, o);
}

static const yj_field upload_body[] = {
	{"text/csv", F_FILE, 1, 0, "The claims file (UTF-8 CSV with the columns of docs/claims.md, Input), streamed to disk"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam upload_params[] = {{"name", "The file's name, kept with the run"}, {NULL, NULL}};

const yj_route yj_claims_run_routes[] = {
	{"POST", "/api/v1/claims/runs", run_submit, SUBMITTERS, upload_body, upload_params, "claims",
	 "Submit a claims file (streamed to disk, up to serve --max-upload) to be screened as a job; flags are stored for review",
	 "{id, state, bytes, …}", 202},
	{"GET", "/api/v1/claims/runs/{id}", run_get, READERS, NULL, NULL, "claims",
	 "A screening run's state and progress: queued, loading, screening, storing (done of total), done or failed",
	 "{id, state, done, total, percent, line_count, flag_count, error, …}", 200},
	{0},
};
