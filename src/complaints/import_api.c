/* import_api.c — POST /api/v1/complaints/import: the 12345 work-order import of import.c over HTTP,
 * in the caller's territory, with the registry imports' dry run, skip_invalid and answer
 * ({rows, inserted, unchanged, invalid, errors: [{row, column, field, detail}]}), so the console's one
 * import page (ImportView.vue) serves both. The body is the CSV file itself (an .xlsx is turned into
 * CSV in the browser). */
#define _POSIX_C_SOURCE 200809L
#include "cmp_int.h"
#include "../base/id.h"

#include <stdlib.h>
#include <string.h>

#define IMPORTERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON) /* who registers matters */
#define MAX_REPORTED 1000 /* row errors in one answer; error_count says how many there were */

/* true/false/1/0 or absent (false); -1 otherwise. */
static int flag(yj_req *r, const char *name)
{
	const char *v = yj_query(r, name);
	if (!v || !strcmp(v, "false") || !strcmp(v, "0"))
		return 0;
	return !strcmp(v, "true") || !strcmp(v, "1") ? 1 : -1;
}

static int import(yj_req *r)
{
	const yj_principal *who = yj_who(r);
	int dry = flag(r, "dry_run"), skip = flag(r, "skip_invalid");
	if (dry < 0 || skip < 0)
		return yj_reply_problem(r, 400, "validation", "参数错误", "dry_run 和 skip_invalid 应为 true 或 false。");
	char actor[21];
	yj_id_format(who->user_id, actor);
	yj_cmp_import_opts o = {&who->scope, actor, dry, skip};
	size_t n;
	const char *data = yj_body_raw(r, &n);
	yj_cmp_import_result res;
	char *err = NULL;
	int rc = yj_cmp_import_12345(yj_store(r), data, n, &o, &res, &err);
	if (rc == YJ_REFUSED) {
		json_t *errors = json_pack("[{s:s}]", "detail", err);
		json_decref(res.errors);
		free(err);
		return yj_reply_problem_errors(r, 422, "import-refused", "文件无法导入",
					       "文件的编码或表头不符合要求，未写入任何数据；请按提示修改后重新导入。", errors);
	}
	if (rc < 0) {
		json_decref(res.errors);
		return yj_reply_store_error(r, rc);
	}
	size_t nerr = json_array_size(res.errors);
	while (json_array_size(res.errors) > MAX_REPORTED)
		json_array_remove(res.errors, json_array_size(res.errors) - 1);
	json_t *body = json_pack("{s:s, s:s, s:b, s:b, s:b, s:I, s:I, s:i, s:I, s:I, s:I, s:o}", "kind", "complaints",
				 "encoding", res.encoding, "dry_run", dry, "skip_invalid", skip, "written", res.written,
				 "rows", (json_int_t)res.rows, "inserted", (json_int_t)res.inserted, "updated", 0, "unchanged",
				 (json_int_t)res.present, "invalid", (json_int_t)res.invalid, "error_count", (json_int_t)nerr,
				 "errors", res.errors);
	return yj_reply_json(r, 200, body);
}

static const yj_field csv_body[] = {
	{"text/csv", F_RAW, 1, 0, "The hotline centre's export: a header row (工单编号, 诉求分类, 诉求内容, 事发地区划代码 "
				  "required; docs/complaints.md), one work order per row; UTF-8 (BOM optional) or GBK"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam params[] = {
	{"dry_run", "true: check every row and report what would change, write nothing"},
	{"skip_invalid", "true: write the valid rows even when others are invalid"},
	{NULL, NULL},
};

const yj_route yj_cmp_import_routes[] = {
	{"POST", "/api/v1/complaints/import", import, IMPORTERS, csv_body, params, "complaints",
	 "Import 12345 hotline work orders from CSV as matters in the caller's territory (all rows or none unless "
	 "skip_invalid; idempotent on the work-order number)",
	 "{kind, encoding, dry_run, written, rows, inserted, updated, unchanged, invalid, error_count, errors:[{row, "
	 "column, field, detail}]}",
	 200},
	{0},
};
