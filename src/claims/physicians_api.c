/* physicians_api.c — physician monitoring (医保医师监测): GET /api/v1/claims/physicians?run= lists a
 * run's physicians with flag rates, amounts and the medians of their department and institution
 * peers; GET /api/v1/claims/physicians/{id} is one physician's trend across runs. */
#define _POSIX_C_SOURCE 200809L
#include "physicians_int.h"
#include "review_int.h"

#include <stdlib.h>
#include <string.h>

#define READERS (ROLE_INSURANCE_ANALYST | ROLE_ADMIN | ROLE_LEADER | ROLE_LIAISON)

static int by_rate(const void *a, const void *b)
{
	const ph_row *x = a, *y = b;
	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	if (x->flagged_amount != y->flagged_amount)
		return x->flagged_amount < y->flagged_amount ? 1 : -1;
	int c = strcmp(x->institution, y->institution);
	return c ? c : strcmp(x->physician, y->physician);
}

static int by_amount(const void *a, const void *b)
{
	const ph_row *x = a, *y = b;
	if (x->flagged_amount != y->flagged_amount)
		return x->flagged_amount < y->flagged_amount ? 1 : -1;
	return by_rate(a, b);
}

static int list(yj_req *r)
{
	const char *v = yj_query(r, "run"), *inst = yj_query(r, "institution"), *dept = yj_query(r, "department");
	const char *sort = yj_query(r, "sort"), *top_s = yj_query(r, "top");
	char *end = NULL;
	int64_t run = v ? strtoll(v, &end, 10) : 0;
	if (!v || !*v || *end || run <= 0)
		return yj_reply_problem_errors(r, 400, "validation", "缺少筛查批次", "请用 run= 指定筛查批次（从筛查批次列表中选择）。",
					       yj_field_errors("run", "须为批次编号"));
	long top = top_s ? strtol(top_s, &end, 10) : 50;
	if ((top_s && (*end || top < 1 || top > 1000)) || (sort && strcmp(sort, "rate") && strcmp(sort, "amount")))
		return yj_reply_problem_errors(r, 400, "validation", "参数有误", "top 取 1–1000，sort 取 rate 或 amount，请修改后重试。",
					       yj_field_errors(top_s && (*end || top < 1 || top > 1000) ? "top" : "sort", "取值无效"));
	store_conn *c = store_conn_get(yj_store(r));
	int rc = rv_run_visible(c, &yj_who(r)->scope, run);
	if (rc == ST_NOTFOUND)
		return yj_reply_problem(r, 404, "not-found", "筛查批次不存在", "没有该筛查批次，或不在您的管辖范围内，请从筛查批次列表中选择。");
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	ph_row *rows = NULL;
	size_t n = 0;
	if ((rc = ph_load_run(c, &yj_who(r)->scope, run, &rows, &n)) < 0)
		return yj_reply_store_error(r, rc);
	ph_compare(rows, n); /* peers over every physician of the run in scope, before any filter */
	qsort(rows, n, sizeof *rows, sort && !strcmp(sort, "amount") ? by_amount : by_rate);
	json_t *items = json_array();
	int64_t lines = 0, claims = 0, flagged = 0;
	for (size_t i = 0; i < n; i++) {
		lines += rows[i].lines;
		claims += rows[i].claims;
		flagged += rows[i].flagged_claims;
		if ((inst && *inst && strcmp(rows[i].institution, inst)) || (dept && *dept && strcmp(rows[i].dept, dept)))
			continue;
		if ((long)json_array_size(items) < top)
			json_array_append_new(items, ph_json(&rows[i]));
	}
	free(rows);
	/* The run's overall rate in scope: the yardstick above the peer medians. */
	double rate = claims ? (double)(long long)((double)flagged / (double)claims * 10000 + 0.5) / 10000 : 0;
	return yj_reply_json(r, 200, json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:o}", "run", v, "physicians", (json_int_t)n,
					       "lines", (json_int_t)lines, "claims", (json_int_t)claims, "flagged_claims",
					       (json_int_t)flagged, "rate", rate, "items", items));
}

static int trend(yj_req *r)
{
	const char *inst = yj_query(r, "institution"), *lim = yj_query(r, "limit");
	char *end = NULL;
	long limit = lim ? strtol(lim, &end, 10) : 24;
	if (lim && (*end || limit < 1 || limit > 120))
		return yj_reply_problem_errors(r, 400, "validation", "参数有误", "limit 取 1–120（批次数），请修改后重试。",
					       yj_field_errors("limit", "取值无效"));
	json_t *items = NULL;
	int rc = ph_trend(store_conn_get(yj_store(r)), &yj_who(r)->scope, yj_param(r, "id"), inst && *inst ? inst : NULL,
			  (int)limit, &items);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	if (json_array_size(items) == 0) {
		json_decref(items);
		return yj_reply_problem(r, 404, "not-found", "医师无筛查记录", "该医师在您管辖范围内的筛查批次中没有记录，请核对医师编号。");
	}
	return yj_reply_json(r, 200, json_pack("{s:s, s:o}", "physician_id", yj_param(r, "id"), "items", items));
}

static const yj_qparam list_params[] = {
	{"run", "Screening run id (required)"},
	{"institution", "Only this institution's physicians (peers are computed over the whole run first)"},
	{"department", "Only this department code"},
	{"sort", "rate (default: flagged claims / claims) or amount (flagged amount)"},
	{"top", "At most this many rows, 1–1000 (default 50)"},
	{NULL, NULL},
};
static const yj_qparam trend_params[] = {
	{"institution", "Only the physician's rows at this institution"},
	{"limit", "The latest N runs, 1–120 (default 24)"},
	{NULL, NULL},
};

const yj_route yj_claims_physician_routes[] = {
	{"GET", "/api/v1/claims/physicians", list, READERS, NULL, list_params, "claims",
	 "Physician monitoring: per physician of a run, flag rate, amounts, and the medians of department and institution peers",
	 "{run, physicians, lines, claims, flagged_claims, rate, items[]}", 200},
	{"GET", "/api/v1/claims/physicians/{id}", trend, READERS, NULL, trend_params, "claims",
	 "One physician's trend across runs: lines, claims, flagged claims, rate, amounts per run, oldest first",
	 "{physician_id, items[]}", 200},
	{0},
};
