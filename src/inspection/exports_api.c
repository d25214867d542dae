/* exports_api.c — Excel/CSV exports of the inspection lists that had none: plans, publications, the item
 * list and the inspector directory, each with its list's filters and scope, every row (the list's own
 * store functions, paged through), with Chinese labels and the region's name beside its code. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"
#include "insp_draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *label(const char *const (*m)[2], size_t n, const char *v)
{
	for (size_t i = 0; v && i < n; i++)
		if (!strcmp(m[i][0], v))
			return m[i][1];
	return v ? v : "";
}
#define LABEL(m, v) label(m, sizeof m / sizeof m[0], v)

static const char *const plan_kinds[][2] = {{"annual", "年度计划"}, {"special", "专项计划"}};
static const char *const plan_states[][2] = {{"draft", "草稿"}, {"committed", "已承诺"}, {"drawn", "已抽取"}};
static const char *const outcomes[][2] = {{"compliant", "未发现问题"}, {"non_compliant", "发现问题"}};

static const char *s_(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

/* Sets "region_name" on every row from its "region_code", in one lookup per 500 codes. */
static int name_regions(store_conn *c, json_t *rows)
{
	size_t n = json_array_size(rows), i;
	const char **codes = yj_malloc((n ? n : 1) * sizeof *codes);
	json_t *names = json_object(), *v;
	json_array_foreach(rows, i, v) codes[i] = s_(v, "region_code");
	int rc = yj_region_names(c, codes, n, names);
	json_array_foreach(rows, i, v) {
		json_t *nm = json_object_get(names, s_(v, "region_code"));
		json_object_set_new(v, "region_name", json_string(nm ? json_string_value(nm) : ""));
	}
	free(codes);
	json_decref(names);
	return rc;
}

/* ‰ → "50%" or "12.5%". */
static void pct(json_int_t pm, char out[24])
{
	if (pm % 10)
		snprintf(out, 24, "%lld.%lld%%", (long long)(pm / 10), (long long)(pm % 10));
	else
		snprintf(out, 24, "%lld%%", (long long)(pm / 10));
}

static int reply_rows(yj_req *r, store_conn *c, int rc, const char *base, const yj_column *cols, json_t *rows)
{
	if (rc >= 0)
		rc = name_regions(c, rows);
	if (rc < 0) {
		json_decref(rows);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_export(r, base, cols, rows);
}

static const yj_column plan_cols[] = {
	{"name", "计划名称"}, {"kind_label", "类型"}, {"region_name", "区域"}, {"region_code", "区划代码"},
	{"items", "事项数"}, {"ratio", "抽查比例"}, {"start_date", "开始日期"}, {"end_date", "结束日期"},
	{"team_size", "每组人数"}, {"state_label", "状态"}, {NULL, NULL},
};

/* Every plan in scope, newest first (the list's order), paged through 200 at a time. */
static int plans_export(yj_req *r)
{
	store_conn *c = store_conn_get(yj_store(r));
	json_t *rows = json_array(), *items = NULL, *next = NULL, *v;
	int64_t before = INT64_MAX;
	int rc;
	for (;;) {
		if ((rc = insp_plans_page(c, &yj_who(r)->scope, before, 200, &items, &next)) < 0)
			break;
		size_t i;
		json_array_foreach(items, i, v) {
			char ratio[24];
			json_int_t pm = json_integer_value(json_object_get(v, "ratio_permille"));
			pct(pm, ratio);
			json_object_set_new(v, "kind_label", json_string(LABEL(plan_kinds, s_(v, "kind"))));
			json_object_set_new(v, "state_label", json_string(LABEL(plan_states, s_(v, "state"))));
			json_object_set_new(v, "ratio", json_string(ratio));
			json_object_set_new(v, "items", json_integer((json_int_t)json_array_size(json_object_get(v, "item_ids"))));
			json_array_append(rows, v);
		}
		/* the next page starts below the last id shown (the cursor is opaque) */
		int done = json_is_null(next) || !json_array_size(items) ||
			   yj_id_parse(s_(json_array_get(items, json_array_size(items) - 1), "id"), &before) < 0;
		json_decref(items);
		json_decref(next);
		if (done)
			break;
	}
	return reply_rows(r, c, rc, "plans", plan_cols, rows);
}

static const yj_column pub_cols[] = {
	{"subject_name", "被检查机构"}, {"kind_label", "检查类型"}, {"outcome_label", "检查结果"}, {"region_name", "区域"},
	{"completed_on", "完成日期"}, {"publish_due", "公示期限"}, {"overdue_label", "已逾期"}, {NULL, NULL},
};

/* Completed results awaiting publication with the list's ?overdue= filter, by deadline. */
static int publications_export(yj_req *r)
{
	store_conn *c = store_conn_get(yj_store(r));
	const char *ov = yj_query(r, "overdue");
	char today[11];
	yj_day_today(today);
	json_t *rows = NULL, *v;
	int rc = yj_insp_publications(c, &yj_who(r)->scope, today, ov && !strcmp(ov, "true"), 1000000, &rows);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	size_t i;
	json_array_foreach(rows, i, v) {
		const char *k = insp_task_kind_label(s_(v, "kind"));
		json_object_set_new(v, "kind_label", json_string(k ? k : s_(v, "kind")));
		json_object_set_new(v, "outcome_label", json_string(LABEL(outcomes, s_(v, "outcome"))));
		json_object_set_new(v, "overdue_label", json_string(json_is_true(json_object_get(v, "overdue")) ? "是" : "否"));
	}
	return reply_rows(r, c, ST_OK, "publications", pub_cols, rows);
}

static const yj_column item_cols[] = {
	{"code", "事项编码"}, {"name", "事项名称"}, {"department", "部门"}, {"legal_basis", "检查依据"},
	{"subject_types_text", "检查对象类别"}, {"points", "检查要点数"}, {"ratio", "默认比例"},
	{"coverage_years", "覆盖年限"}, {"active_label", "状态"}, {NULL, NULL},
};

/* The item list with the list's ?active= filter, by code. */
static int items_export(yj_req *r)
{
	store_conn *c = store_conn_get(yj_store(r));
	const char *act = yj_query(r, "active");
	json_t *rows = NULL, *v;
	int rc = insp_items_list(c, &yj_who(r)->scope, act && !strcmp(act, "true"), &rows);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	size_t i;
	json_array_foreach(rows, i, v) {
		char ratio[24], *types = insp_array_csv(json_object_get(v, "subject_types"));
		json_int_t pm = json_integer_value(json_object_get(v, "ratio_permille"));
		pct(pm, ratio);
		json_object_set_new(v, "subject_types_text", json_string(types ? types : ""));
		free(types);
		json_object_set_new(v, "points", json_integer((json_int_t)json_array_size(json_object_get(v, "checklist"))));
		json_object_set_new(v, "ratio", json_string(ratio));
		json_object_set_new(v, "active_label", json_string(json_is_true(json_object_get(v, "active")) ? "启用" : "停用"));
	}
	return reply_rows(r, c, ST_OK, "inspection-items", item_cols, rows);
}

static const yj_column inspector_cols[] = {
	{"name", "姓名"}, {"cert_no", "执法证号"}, {"department", "部门"}, {"region_name", "区域"}, {"region_code", "区划代码"},
	{"conflicts_count", "申报的利益冲突"}, {"active_label", "状态"}, {NULL, NULL},
};

/* The inspector directory with the list's ?department= filter, paged through 200 at a time. */
static int inspectors_export(yj_req *r)
{
	store_conn *c = store_conn_get(yj_store(r));
	json_t *rows = json_array(), *items = NULL, *next = NULL, *v;
	int64_t after = 0;
	int rc;
	for (;;) {
		if ((rc = insp_inspectors_page(c, &yj_who(r)->scope, yj_query(r, "department"), after, 200, &items, &next)) < 0)
			break;
		size_t i;
		json_array_foreach(items, i, v) {
			json_object_set_new(v, "conflicts_count",
					    json_integer((json_int_t)json_array_size(json_object_get(v, "conflicts"))));
			json_object_set_new(v, "active_label", json_string(json_is_true(json_object_get(v, "active")) ? "在册" : "停用"));
			json_array_append(rows, v);
		}
		int done = json_is_null(next) || !json_array_size(items) ||
			   yj_id_parse(s_(json_array_get(items, json_array_size(items) - 1), "user_id"), &after) < 0;
		json_decref(items);
		json_decref(next);
		if (done)
			break;
	}
	return reply_rows(r, c, rc, "inspectors", inspector_cols, rows);
}

static const yj_qparam pubs_q[] = {{"overdue", "true: only those past the 20-working-day deadline"}, {"format", "xlsx (default) or csv"}, {NULL, NULL}};
static const yj_qparam items_q[] = {{"active", "true: only items in use"}, {"format", "xlsx (default) or csv"}, {NULL, NULL}};
static const yj_qparam insp_q[] = {{"department", "Department code"}, {"format", "xlsx (default) or csv"}, {NULL, NULL}};
static const yj_qparam fmt_q[] = {{"format", "xlsx (default) or csv"}, {NULL, NULL}};

const yj_route yj_insp_export_routes[] = {
	{"GET", "/api/v1/inspection/plans/export", plans_export, INSP_STAFF, NULL, fmt_q, "inspection",
	 "Export the plans in scope as Excel or CSV", "An .xlsx or .csv file", 0},
	{"GET", "/api/v1/inspection/publications/export", publications_export, INSP_STAFF, NULL, pubs_q, "inspection",
	 "Export the results awaiting publication (same filter as the list) as Excel or CSV", "An .xlsx or .csv file", 0},
	{"GET", "/api/v1/inspection/items/export", items_export, ROLE_ANY, NULL, items_q, "inspection",
	 "Export the inspection item list as Excel or CSV", "An .xlsx or .csv file", 0},
	{"GET", "/api/v1/inspection/inspectors/export", inspectors_export, INSP_STAFF, NULL, insp_q, "inspection",
	 "Export the inspector directory (same filter as the list) as Excel or CSV", "An .xlsx or .csv file", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0}};
