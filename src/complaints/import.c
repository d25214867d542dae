/* import.c — the 12345 hotline work orders (工单) as the hotline centre exports them, CSV in UTF-8 or
 * GBK (base/csvrow.h), for `yijian import complaints FILE` and POST /api/v1/complaints/import
 * (import_api.c): one matter per row through the same intake as every other door, each row in its own
 * transaction (a dry run rolls each back). A re-import changes nothing: a row whose work-order number
 * is already a matter, or appeared earlier in the file, is present. The column mapping is
 * docs/complaints.md, "12345 import". */
#define _POSIX_C_SOURCE 200809L
#include "intake.h"
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

/* A row's column (1-based, 0 when the file lacks it) and its field name, for an error. */
typedef struct file_cols {
	int of[NCOLS];
} file_cols;

static void row_error(yj_cmp_import_result *res, long row, int col, const char *field, const char *detail)
{
	json_array_append_new(res->errors, json_pack("{s:I, s:i, s:s, s:s}", "row", (json_int_t)row, "column", col, "field",
						     field ? field : "", "detail", detail));
	res->invalid++;
}

/* One prepared row: the intake body (NULL when the row is already an error, or repeats a number
 * earlier in the file — then present). */
typedef struct prow {
	long row;
	json_t *body;
	int repeat;
} prow;

#define ROW_DRY (-201) /* row_tx's "valid, now roll back" in a dry pass */

struct row_arg {
	json_t *body;
	const yj_cmp_import_opts *o;
	int dry;
	int result; /* 1 inserted, 0 present */
	yj_refusal ref;
};

static int row_tx(store_conn *c, void *arg)
{
	struct row_arg *a = arg;
	int64_t id;
	yj_refusal_clear(&a->ref);
	const char *cat = json_string_value(json_object_get(a->body, "category"));
	char code[32];
	if (cat && category_of(c, cat, code))
		json_object_set_new(a->body, "category", json_string(code));
	int rc = cmp_find_external(c, json_string_value(json_object_get(a->body, "external_ref")), &id);
	if (rc == ST_OK) {
		a->result = 0;
		return a->dry ? ROW_DRY : ST_OK;
	}
	if (rc != ST_NOTFOUND)
		return rc;
	yj_scope all;
	yj_scope_unrestricted(&all);
	cmp_intake in = {.body = a->body, .sc = a->o->scope ? a->o->scope : &all, .actor = a->o->actor};
	rc = cmp_intake_tx(c, &in);
	json_decref(in.out);
	if (rc < 0) {
		a->ref = in.ref; /* moved: its errors are a's now */
		return rc;
	}
	yj_refusal_clear(&in.ref);
	a->result = 1;
	return a->dry ? ROW_DRY : ST_OK;
}

/* The refusal of a row as errors on the file's columns (a field of the intake is the English name
 * of its column). */
static void refusal_errors(yj_cmp_import_result *res, long row, const file_cols *fc, const yj_refusal *f)
{
	size_t i;
	json_t *e;
	if (!json_array_size(f->errors)) {
		row_error(res, row, 0, "", f->detail[0] ? f->detail : f->title[0] ? f->title : "该行未被受理");
		return;
	}
	json_array_foreach(f->errors, i, e) {
		const char *field = json_string_value(json_object_get(e, "field"));
		int col = field ? header_col(field) : -1;
		json_array_append_new(res->errors, json_pack("{s:I, s:i, s:s, s:s}", "row", (json_int_t)row, "column",
							     col >= 0 ? fc->of[col] : 0, "field", field ? field : "", "detail",
							     json_string_value(json_object_get(e, "detail"))));
	}
	res->invalid++;
}

/* One pass over the prepared rows, each in its own transaction (rolled back when dry): counts and
 * row errors into res. ST_OK or a store failure. */
static int pass(store *s, const yj_cmp_import_opts *o, prow *rows, size_t n, const file_cols *fc, int dry,
		yj_cmp_import_result *res)
{
	for (size_t i = 0; i < n; i++) {
		if (rows[i].repeat)
			res->present++;
		if (!rows[i].body)
			continue;
		struct row_arg a = {rows[i].body, o, dry, 0, {0}};
		int rc = store_tx(s, row_tx, &a);
		if (rc == YJ_REFUSED)
			refusal_errors(res, rows[i].row, fc, &a.ref);
		else if (rc >= 0 || rc == ROW_DRY)
			*(a.result ? &res->inserted : &res->present) += 1;
		yj_refusal_clear(&a.ref);
		if (rc < 0 && rc != YJ_REFUSED && rc != ROW_DRY)
			return rc;
	}
	return ST_OK;
}

/* The row's intake body (new reference), or NULL after recording its error. */
static json_t *row_body(yj_csvrow *cr, const int *map, int ncols, const file_cols *fc, yj_cmp_import_result *res)
{
	const char *v[NCOLS] = {0};
	for (int i = 0; i < cr->nf && i < ncols; i++)
		if (map[i] >= 0 && cr->f[i][0])
			v[map[i]] = cr->f[i];
	if (!v[C_NO] || strlen(v[C_NO]) > 50) {
		row_error(res, cr->row, fc->of[C_NO], HEADERS[C_NO][0], "缺少工单编号（或超过 50 个字符）");
		return NULL;
	}
	if (!v[C_CONTENT]) {
		row_error(res, cr->row, fc->of[C_CONTENT], HEADERS[C_CONTENT][0], "缺少诉求内容：请填写来电人反映的事实");
		return NULL;
	}
	char *ref = yj_asprintf("12345-%s", v[C_NO]);
	char *content = v[C_TIME] ? yj_asprintf("【12345 工单 %s，受理时间 %s】%s", v[C_NO], v[C_TIME], v[C_CONTENT])
				  : yj_asprintf("【12345 工单 %s】%s", v[C_NO], v[C_CONTENT]);
	int anonymous = !v[C_NAME] || !v[C_PHONE] || (v[C_ANON] && (!strcmp(v[C_ANON], "是") || !strcmp(v[C_ANON], "true")));
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "channel", "hotline", "category",
				 v[C_CATEGORY] ? v[C_CATEGORY] : "", "title",
				 v[C_TITLE] ? v[C_TITLE] : (v[C_CATEGORY] ? v[C_CATEGORY] : "12345 工单"), "content", content,
				 "region_code", v[C_REGION] ? v[C_REGION] : "", "external_ref", ref, "anonymous", anonymous);
	free(ref);
	free(content);
	if (!body) { /* text that is not UTF-8 cannot reach here (the reader converted it); be safe */
		row_error(res, cr->row, 0, "", "内容无法读取");
		return NULL;
	}
	if (v[C_SUBJECT])
		json_object_set_new(body, "subject_name", json_string(v[C_SUBJECT]));
	if (v[C_CREDIT])
		json_object_set_new(body, "subject_credit_code", json_string(v[C_CREDIT]));
	if (!anonymous) {
		json_object_set_new(body, "reporter_name", json_string(v[C_NAME]));
		json_object_set_new(body, "reporter_phone", json_string(v[C_PHONE]));
	}
	return body;
}

int yj_cmp_import_12345(store *s, const char *data, size_t n, const yj_cmp_import_opts *o, yj_cmp_import_result *res,
			char **err)
{
	memset(res, 0, sizeof *res);
	res->errors = json_array();
	res->encoding = "UTF-8";
	yj_csvrow cr;
	if (yj_csvrow_open(&cr, data, n, err) < 0)
		return YJ_REFUSED;
	res->gbk = cr.encoding == YJ_ENC_GB18030;
	res->encoding = yj_csv_encoding_name(cr.encoding);
	int map[64];
	if (!yj_csvrow_next(&cr) || cr.err || cr.nf > 64) {
		*err = yj_strdup("文件没有可读的表头行：第一行应为列名（如 工单编号、诉求分类、诉求内容、事发地区划代码）。");
		yj_csvrow_close(&cr);
		return YJ_REFUSED;
	}
	file_cols fc = {{0}};
	for (int i = 0; i < cr.nf; i++)
		if ((map[i] = header_col(cr.f[i])) >= 0 && !fc.of[map[i]])
			fc.of[map[i]] = i + 1;
	if (!fc.of[C_NO] || !fc.of[C_CATEGORY] || !fc.of[C_CONTENT] || !fc.of[C_REGION]) {
		*err = yj_strdup("缺少必需的列：工单编号、诉求分类、诉求内容、事发地区划代码（列名见 docs/complaints.md）。");
		yj_csvrow_close(&cr);
		return YJ_REFUSED;
	}
	/* Every row read first, so a file can be checked whole before anything is written. */
	int ncols = cr.nf, rc = ST_OK;
	prow *rows = NULL;
	size_t nrows = 0, cap = 0;
	json_t *seen = json_object(); /* work-order numbers earlier in the file */
	while (yj_csvrow_next(&cr)) {
		res->rows++;
		if (cr.err) {
			row_error(res, cr.row, cr.err_col, "", cr.err);
			continue;
		}
		json_t *body = row_body(&cr, map, ncols, &fc, res);
		if (!body)
			continue;
		if (nrows == cap) {
			cap = cap ? cap * 2 : 64;
			prow *grown = realloc(rows, cap * sizeof *rows);
			if (!grown) {
				json_decref(body);
				rc = ST_ERR;
				break;
			}
			rows = grown;
		}
		const char *ref = json_string_value(json_object_get(body, "external_ref"));
		int repeat = json_object_get(seen, ref) != NULL;
		json_object_set_new(seen, ref, json_true());
		if (repeat) /* the first row of that number decides; this one is present */
			json_decref(body);
		rows[nrows++] = (prow){cr.row, repeat ? NULL : body, repeat};
	}
	yj_csvrow_close(&cr);
	json_decref(seen);
	/* A dry run checks every row; without skip_invalid the file is written only when every row
	 * passed that check (all or none, as the registry's imports); with it, each valid row is written. */
	int check = o->dry_run || !o->skip_invalid;
	if (rc >= 0 && check)
		rc = pass(s, o, rows, nrows, &fc, 1, res);
	if (rc >= 0 && !o->dry_run && (o->skip_invalid || !res->invalid)) {
		res->inserted = res->present = 0;
		rc = pass(s, o, rows, nrows, &fc, 0, res);
		res->written = rc >= 0;
	}
	for (size_t i = 0; i < nrows; i++)
		json_decref(rows[i].body);
	free(rows);
	return rc < 0 ? rc : ST_OK;
}
