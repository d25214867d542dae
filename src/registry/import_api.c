/* import_api.c — POST /api/v1/import/{kind}: the CSV import of import.c over HTTP, with the
 * caller's territory as scope (and, for licences, the caller's health authority as default issuer).
 * The body is the file itself (Content-Type: text/csv). */
#define _POSIX_C_SOURCE 200809L
#include "import.h"
#include "record_api.h"
#include "registry.h"

#include <string.h>

#define MAX_REPORTED 1000 /* row errors in one answer; the count says how many there were */

static const yj_field csv_body[] = {
	{"text/csv", F_RAW, 1, 0, "The CSV file: header row of column names (JSON names or Chinese labels), one record "
				  "per row; UTF-8 (BOM optional) or GBK"},
	{NULL, 0, 0, 0, NULL},
};

static const yj_qparam params[] = {
	{"dry_run", "true: validate and report what would change, write nothing"},
	{"skip_invalid", "true: write the valid rows even when others are invalid"},
	{NULL, NULL},
};

/* true/false/1/0 or absent (false); -1 otherwise. */
static int flag(yj_req *r, const char *name)
{
	const char *v = yj_query(r, name);
	if (!v || !strcmp(v, "false") || !strcmp(v, "0"))
		return 0;
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		return 1;
	return -1;
}

static int import(yj_req *r)
{
	const reg_kind *k = yj_import_kind(yj_param(r, "kind"));
	if (!k)
		return yj_reply_problem(r, 404, "not-found", "不支持的导入类型",
					"可导入的类型为 institutions（医疗机构）、practitioners（医务人员）、licences（电子证照），"
					"以及其他监管对象的类别名（如 public_place 公共场所，见 /api/v1/registry/kinds），请检查地址。");
	const yj_principal *who = yj_who(r);
	if (k == &yj_licence_import_kind && strcmp(who->department, "health"))
		return yj_reply_problem(r, 403, "forbidden", "无权办理证照",
					"电子证照由卫生健康部门核发和管理，您所在部门无权导入证照；请由卫生健康部门的管理员或监督员导入。");
	int dry = flag(r, "dry_run"), skip = flag(r, "skip_invalid");
	if (dry < 0 || skip < 0)
		return yj_reply_problem(r, 400, "validation", "参数错误", "dry_run 和 skip_invalid 应为 true 或 false。");
	char actor[24];
	yj_reg_actor(r, actor);
	yj_import_opts o = {&who->scope, actor, who->region_code, dry, skip, (who->role_bit & ROLE_ADMIN) != 0,
			    NULL, NULL, 0};
	size_t n;
	const char *data = yj_body_raw(r, &n);
	yj_import_result res;
	int rc = yj_import(yj_store(r), k, data, n, &o, &res);
	if (rc < 0) {
		yj_import_result_free(&res);
		return yj_reply_store_error(r, rc);
	}
	if (res.refused) {
		json_t *errors = res.errors;
		res.errors = NULL;
		return yj_reply_problem_errors(r, 422, "import-refused", "文件无法导入",
					       "文件的编码、表头或内容不符合要求，未写入任何数据；请按提示修改后重新导入。", errors);
	}
	size_t nerr = json_array_size(res.errors);
	while (json_array_size(res.errors) > MAX_REPORTED)
		json_array_remove(res.errors, json_array_size(res.errors) - 1);
	json_t *body = json_pack("{s:s, s:s, s:b, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:O}", "kind", k->type,
				 "encoding", yj_csv_encoding_name(res.encoding), "dry_run", dry, "skip_invalid", skip,
				 "written", res.written, "rows", (json_int_t)res.rows, "inserted", (json_int_t)res.inserted,
				 "updated", (json_int_t)res.updated, "unchanged", (json_int_t)res.unchanged, "invalid",
				 (json_int_t)res.invalid, "error_count", (json_int_t)nerr, "sha256", res.sha256, "errors",
				 res.errors);
	yj_import_result_free(&res);
	return yj_reply_json(r, 200, body);
}

const yj_route yj_import_routes[] = {
	{"POST", "/api/v1/import/{kind}", import, ROLE_ADMIN | ROLE_INSPECTOR, csv_body, params, "registry",
	 "Import institutions, practitioners, licences or another kind of subject ({kind}: public_place, water_supply, "
	 "…) from CSV in the caller's territory (all rows or none unless "
	 "skip_invalid; idempotent on the natural key)",
	 "{kind, encoding, dry_run, written, rows, inserted, updated, unchanged, invalid, error_count, errors:[{row, "
	 "column, field, detail}]}",
	 200},
	{0},
};
