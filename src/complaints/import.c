/* import.c — `yijian import complaints FILE`: 12345 hotline work orders (工单) as the hotline centre
 * exports them, CSV in UTF-8 or GBK (base/csvrow.h), one matter per row through the same intake as
 * every other door (seed.c), each row in its own transaction so a bad row costs only itself. A
 * re-import changes nothing: a row whose work-order number is already a matter is skipped. The
 * column mapping is docs/complaints.md, "12345 import". */
#define _POSIX_C_SOURCE 200809L
#include "cmp_int.h"
#include "../base/csvrow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_NO, C_CATEGORY, C_TITLE, C_CONTENT, C_REGION, C_SUBJECT, C_CREDIT, C_NAME, C_PHONE, C_ANON, C_TIME, NCOLS };

/* Each column's accepted header names (English name first); NULL-terminated. */
static const char *const HEADERS[NCOLS][5] = {
	[C_NO] = {"work_order_no", "工单编号", "工单号", "编号", NULL},
	[C_CATEGORY] = {"category", "诉求分类", "事项分类", "分类", NULL},
	[C_TITLE] = {"title", "标题", "诉求标题", NULL},
	[C_CONTENT] = {"content", "诉求内容", "内容", "来电内容", NULL},
	[C_REGION] = {"region_code", "事发地区划代码", "区划代码", "行政区划代码", NULL},
	[C_SUBJECT] = {"subject_name", "被反映对象", "被投诉对象", NULL},
	[C_CREDIT] = {"subject_credit_code", "统一社会信用代码", NULL},
	[C_NAME] = {"reporter_name", "来电人", "联系人", "姓名", NULL},
	[C_PHONE] = {"reporter_phone", "联系电话", "来电号码", NULL},
	[C_ANON] = {"anonymous", "是否匿名", "匿名", NULL},
	[C_TIME] = {"received_at", "受理时间", "来电时间", NULL},
};

static int header_col(const char *h)
{
	for (int c = 0; c < NCOLS; c++)
		for (int i = 0; HEADERS[c][i]; i++)
			if (!strcmp(HEADERS[c][i], h))
				return c;
	return -1;
}

/* A category by code or by its Chinese name, into code (cap 32); 0 when unknown. */
static int category_of(store_conn *c, const char *v, char code[32])
{
	json_t *cats = NULL;
	int found = 0;
	if (cmp_categories_json(c, &cats) < 0)
		return 0;
	size_t i;
	json_t *k;
	json_array_foreach(cats, i, k)
		if (!found && (!strcmp(v, json_string_value(json_object_get(k, "code"))) ||
			       !strcmp(v, json_string_value(json_object_get(k, "name"))))) {
			snprintf(code, 32, "%s", json_string_value(json_object_get(k, "code")));
			found = 1;
		}
	json_decref(cats);
	return found;
}

struct row_arg {
	json_t *body;
	const char *actor;
	int result; /* 1 inserted, 0 present */
	char *why;
};

static int row_tx(store_conn *c, void *arg)
{
	struct row_arg *a = arg;
	int64_t id;
	free(a->why);
	a->why = NULL;
	const char *cat = json_string_value(json_object_get(a->body, "category"));
	char code[32];
	if (cat && category_of(c, cat, code))
		json_object_set_new(a->body, "category", json_string(code));
	int rc = yj_cmp_seed(c, a->body, a->actor, &id, &a->why);
	if (rc >= 0)
		a->result = rc;
	return rc;
}

static void row_error(yj_cmp_import_result *res, long row, const char *detail)
{
	json_array_append_new(res->errors, json_pack("{s:I, s:s}", "row", (json_int_t)row, "detail", detail));
	res->invalid++;
}

int yj_cmp_import_12345(store *s, const char *data, size_t n, const char *actor, yj_cmp_import_result *res, char **err)
{
	memset(res, 0, sizeof *res);
	res->errors = json_array();
	yj_csvrow cr;
	if (yj_csvrow_open(&cr, data, n, err) < 0)
		return YJ_REFUSED;
	res->gbk = cr.encoding == YJ_ENC_GB18030;
	int map[64], rc = ST_OK;
	if (!yj_csvrow_next(&cr) || cr.err || cr.nf > 64) {
		*err = yj_strdup("文件没有可读的表头行：第一行应为列名（如 工单编号、诉求分类、诉求内容、事发地区划代码）。");
		yj_csvrow_close(&cr);
		return YJ_REFUSED;
	}
	int have[NCOLS] = {0};
	for (int i = 0; i < cr.nf; i++)
		if ((map[i] = header_col(cr.f[i])) >= 0)
			have[map[i]] = 1;
	if (!have[C_NO] || !have[C_CATEGORY] || !have[C_CONTENT] || !have[C_REGION]) {
		*err = yj_strdup("缺少必需的列：工单编号、诉求分类、诉求内容、事发地区划代码（列名见 docs/complaints.md）。");
		yj_csvrow_close(&cr);
		return YJ_REFUSED;
	}
	int ncols = cr.nf;
	while (yj_csvrow_next(&cr)) {
		res->rows++;
		if (cr.err) {
			row_error(res, cr.row, cr.err);
			continue;
		}
		const char *v[NCOLS] = {0};
		for (int i = 0; i < cr.nf && i < ncols; i++)
			if (map[i] >= 0 && cr.f[i][0])
				v[map[i]] = cr.f[i];
		if (!v[C_NO] || strlen(v[C_NO]) > 50) {
			row_error(res, cr.row, "缺少工单编号（或超过 50 个字符）");
			continue;
		}
		char *ref = yj_asprintf("12345-%s", v[C_NO]);
		char *content = v[C_TIME] ? yj_asprintf("【12345 工单 %s，受理时间 %s】%s", v[C_NO], v[C_TIME], v[C_CONTENT] ? v[C_CONTENT] : "")
					  : yj_asprintf("【12345 工单 %s】%s", v[C_NO], v[C_CONTENT] ? v[C_CONTENT] : "");
		int anonymous = !v[C_NAME] || !v[C_PHONE] || (v[C_ANON] && (!strcmp(v[C_ANON], "是") || !strcmp(v[C_ANON], "true")));
		json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "channel", "hotline", "category",
					 v[C_CATEGORY] ? v[C_CATEGORY] : "", "title",
					 v[C_TITLE] ? v[C_TITLE] : (v[C_CATEGORY] ? v[C_CATEGORY] : "12345 工单"), "content", content,
					 "region_code", v[C_REGION] ? v[C_REGION] : "", "external_ref", ref, "anonymous", anonymous);
		free(ref);
		free(content);
		if (!body) { /* text that is not UTF-8 cannot reach here (the reader converted it); be safe */
			row_error(res, cr.row, "内容无法读取");
			continue;
		}
		if (v[C_SUBJECT])
			json_object_set_new(body, "subject_name", json_string(v[C_SUBJECT]));
		if (v[C_CREDIT])
			json_object_set_new(body, "subject_credit_code", json_string(v[C_CREDIT]));
		if (!anonymous) {
			json_object_set_new(body, "reporter_name", json_string(v[C_NAME]));
			json_object_set_new(body, "reporter_phone", json_string(v[C_PHONE]));
		}
		struct row_arg a = {body, actor, 0, NULL};
		rc = store_tx(s, row_tx, &a);
		json_decref(body);
		if (rc == YJ_REFUSED) {
			row_error(res, cr.row, a.why ? a.why : "该行未被受理");
			rc = ST_OK;
		} else if (rc >= 0) {
			*(a.result ? &res->inserted : &res->present) += 1;
		}
		free(a.why);
		if (rc < 0)
			break;
	}
	yj_csvrow_close(&cr);
	return rc < 0 ? rc : ST_OK;
}
