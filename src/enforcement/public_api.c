/* public_api.c — what enforcement shows beyond one case: the discretion benchmark table (published, art.
 * 34: no sign-in), the efficiency indicators per office and period (执法效能, with export), and the
 * public penalties page (双公示: the national fields, a natural person's name and identifiers masked,
 * only until the 公示截止期 and never after withdrawal). */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- benchmarks ---- */

static int benchmarks_list(yj_req *r)
{
	store_stmt *st = enf_benchmarks_query(store_conn_get(yj_store(r)));
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *kinds = json_array(), *tiers = json_loads(store_col_text(st, 10), 0, NULL);
		char buf[200];
		snprintf(buf, sizeof buf, "%s", store_col_text(st, 6));
		for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			json_array_append_new(kinds, json_string(t));
		json_array_append_new(items, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:b, s:o, s:s}", "code",
						       store_col_text(st, 0), "version", (json_int_t)store_col_int64(st, 1), "name",
						       store_col_text(st, 2), "law", store_col_text(st, 3), "article",
						       store_col_text(st, 4), "clause", store_col_text(st, 5), "penalty_kinds", kinds,
						       "legal_min_fen", (json_int_t)store_col_int64(st, 7), "legal_max_fen",
						       (json_int_t)store_col_int64(st, 8), "double_penalty", (int)store_col_int64(st, 9),
						       "tiers", tiers ? tiers : json_object(), "review_state", store_col_text(st, 11)));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", json_null()));
}

/* ---- indicators ---- */

typedef struct office_stats {
	char region[16], dept[32];
	int64_t clues, filed, closed, overdue, decided, days_sum, legal, dbl, transferred, published, on_time, fines, collected;
} office_stats;

static office_stats *office_of(json_t *index, office_stats **all, size_t *n, size_t *cap, const char *region, const char *dept)
{
	char key[64];
	snprintf(key, sizeof key, "%s|%s", region, dept);
	json_t *i = json_object_get(index, key);
	if (i)
		return &(*all)[json_integer_value(i)];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*all = yj_realloc(*all, *cap * sizeof **all);
	}
	office_stats *o = &(*all)[*n];
	memset(o, 0, sizeof *o);
	snprintf(o->region, sizeof o->region, "%s", region);
	snprintf(o->dept, sizeof o->dept, "%s", dept);
	json_object_set_new(index, key, json_integer((json_int_t)(*n)++));
	return o;
}

static int in_range(const char *d, const char *from, const char *to)
{
	return d && strcmp(d, from) >= 0 && strcmp(d, to) <= 0;
}

static double rate(int64_t a, int64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

/* The indicators of the caller's scope for [from, to] as rows per office (new array in *out). */
static int indicators_rows(yj_req *r, const char *from, const char *to, json_t **out)
{
	store_conn *c = store_conn_get(yj_store(r));
	const yj_scope *sc = &yj_who(r)->scope;
	char today[11];
	yj_day_today(today);
	json_t *index = json_object();
	office_stats *all = NULL;
	size_t n = 0, cap = 0;
	int rc;
	yj_qb *q = yj_q_select(&enf_clues_t, "region_code, department, received_on", sc);
	yj_q_where(q, "received_on >= ? AND received_on <= ?");
	yj_q_text(q, from);
	yj_q_text(q, to);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st) {
		rc = ST_ERR;
		goto done;
	}
	while ((rc = store_step(st)) == ST_ROW)
		office_of(index, &all, &n, &cap, store_col_text(st, 0), store_col_text(st, 1))->clues++;
	store_finalize(st);
	if (rc < 0)
		goto done;
	q = yj_q_select(&enf_cases_t,
			"region_code, department, state, filed_on, decided_on, closed_on, decision_due, legal_ok_seq, responsible_id,"
			" transferred_to, published_on, publish_due, fine_fen, paid_fen, no_penalty_ground, decision_no",
			sc);
	yj_q_where(q, "filed_on <= ?");
	yj_q_text(q, to);
	if (!(st = yj_q_prepare(q, c))) {
		rc = ST_ERR;
		goto done;
	}
	while ((rc = store_step(st)) == ST_ROW) {
		office_stats *o = office_of(index, &all, &n, &cap, store_col_text(st, 0), store_col_text(st, 1));
		const char *state = store_col_text(st, 2), *filed = store_col_text(st, 3), *decided = store_col_text(st, 4);
		int penalty = store_col_is_null(st, 14) && !store_col_is_null(st, 15);
		if (in_range(filed, from, to)) {
			o->filed++;
			o->transferred += !store_col_is_null(st, 9);
		}
		o->closed += in_range(store_col_text(st, 5), from, to);
		o->overdue += enf_state_before_decision(state) && strcmp(today, store_col_text(st, 6)) > 0;
		if (in_range(decided, from, to)) {
			int64_t fd, dd;
			o->decided++;
			if (yj_day_parse(filed, &fd) == 0 && yj_day_parse(decided, &dd) == 0)
				o->days_sum += dd - fd;
			o->legal += store_col_int64(st, 7) > 0;
			if (penalty) {
				o->dbl += !store_col_is_null(st, 8);
				o->fines += store_col_int64(st, 12);
				o->collected += store_col_int64(st, 13);
			}
		}
		if (in_range(store_col_text(st, 10), from, to)) {
			o->published++;
			o->on_time += strcmp(store_col_text(st, 10), store_col_text(st, 11)) <= 0;
		}
	}
	store_finalize(st);
	if (rc < 0)
		goto done;
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		office_stats *o = &all[i];
		yj_region reg;
		const char *rname = yj_region_get(c, o->region, &reg) == ST_OK ? reg.name : o->region;
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:I, s:I}",
						      "region_code", o->region, "region_name", rname, "department", o->dept,
						      "clues", (json_int_t)o->clues, "filed", (json_int_t)o->filed, "closed",
						      (json_int_t)o->closed, "overdue", (json_int_t)o->overdue, "decided",
						      (json_int_t)o->decided, "avg_days_to_decision",
						      o->decided ? (double)o->days_sum / (double)o->decided : 0.0, "legal_review_rate",
						      rate(o->legal, o->decided), "double_penalty_rate", rate(o->dbl, o->decided),
						      "transfer_rate", rate(o->transferred, o->filed), "publication_on_time_rate",
						      rate(o->on_time, o->published), "fines_imposed_fen", (json_int_t)o->fines,
						      "fines_collected_fen", (json_int_t)o->collected));
	}
	*out = rows;
	rc = ST_OK;
done:
	free(all);
	json_decref(index);
	return rc;
}

/* ?from= and ?to= (default: this year to today); YJ_ERR after replying 400. */
static int period_or_reply(yj_req *r, char from[11], char to[11])
{
	char today[11];
	yj_day_today(today);
	const char *f = yj_query(r, "from"), *t = yj_query(r, "to");
	snprintf(from, 11, "%.4s-01-01", today);
	snprintf(to, 11, "%s", today);
	if (f)
		snprintf(from, 11, "%s", f);
	if (t)
		snprintf(to, 11, "%s", t);
	if (yj_day_parse(from, NULL) < 0 || yj_day_parse(to, NULL) < 0 || strcmp(from, to) > 0) {
		yj_reply_problem(r, 400, "validation", "参数错误", "from 和 to 应为 YYYY-MM-DD，且 from 不晚于 to。");
		return YJ_ERR;
	}
	return YJ_OK;
}

static int indicators(yj_req *r)
{
	char from[11], to[11];
	json_t *rows = NULL;
	if (period_or_reply(r, from, to) < 0)
		return YJ_OK;
	int rc = indicators_rows(r, from, to, &rows);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:s, s:s, s:o}", "from", from, "to", to, "items", rows));
}

static const yj_column indicator_cols[] = {
	{"region_name", "机构（辖区）"},	 {"department", "部门"},
	{"clues", "案源数"},		 {"filed", "立案数"},
	{"closed", "结案数"},		 {"overdue", "超期案件数"},
	{"avg_days_to_decision", "立案至决定平均天数"}, {"legal_review_rate", "法制审核率"},
	{"double_penalty_rate", "双罚率"},	 {"transfer_rate", "移送率"},
	{"publication_on_time_rate", "按时公示率"}, {"fines_imposed_fen", "罚没金额（分）"},
	{"fines_collected_fen", "已收缴（分）"}, {NULL, NULL},
};

static int indicators_export(yj_req *r)
{
	char from[11], to[11];
	json_t *rows = NULL;
	if (period_or_reply(r, from, to) < 0)
		return YJ_OK;
	int rc = indicators_rows(r, from, to, &rows);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_export(r, "enforcement-indicators", indicator_cols, rows);
}

/* ---- public penalties (双公示) ---- */

/* A natural person's name as published: the first character and one * for each other. */
static void mask_name(const char *s, char *out, size_t cap)
{
	size_t i = 0, o = 0;
	int first = 1;
	while (s[i] && o + 4 < cap) {
		unsigned char b = (unsigned char)s[i];
		size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
		if (first) {
			memcpy(out + o, s + i, n);
			o += n;
			first = 0;
		} else
			out[o++] = '*';
		i += n;
	}
	out[o] = '\0';
}

static const char *kind_label(const char *k)
{
	static const char *const m[][2] = {{"warning", "警告"},		 {"fine", "罚款"},
					   {"confiscation", "没收违法所得、没收非法财物"}, {"suspend_practice", "责令暂停执业活动"},
					   {"revoke_licence", "吊销许可证件"}, {"detention_other", "其他"}};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (!strcmp(m[i][0], k))
			return m[i][1];
	return k;
}

static int public_penalties(yj_req *r)
{
	int limit;
	const char *cursor, *region = yj_query(r, "region");
	int64_t before = INT64_MAX;
	char today[11], pat[24] = "%";
	if (yj_page_params(r, &limit, &cursor) < 0)
		return YJ_OK;
	if (cursor && yj_id_parse(cursor, &before) < 0)
		return yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
	if (region && *region) {
		size_t n = strlen(region);
		if ((n != 6 && n != 9) || strspn(region, "0123456789") != n)
			return yj_reply_problem(r, 400, "validation", "参数错误", "region 应为 6 位或 9 位行政区划代码。");
		char p[16];
		yj_region_prefix(region, p);
		snprintf(pat, sizeof pat, "%s%%", p);
	}
	yj_day_today(today);
	store_conn *c = store_conn_get(yj_store(r));
	store_stmt *st = enf_penalties_query(c, today, pat, before, limit + 1);
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *items = json_array(), *next = json_null();
	int rc, n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		char sid[21];
		if (++n > limit) {
			json_decref(next);
			yj_id_format(json_integer_value(json_object_get(json_array_get(items, (size_t)limit - 1), "_id")), sid);
			next = yj_cursor_json(sid);
			break;
		}
		int person = !strcmp(store_col_text(st, 1), "practitioner");
		char name[256], basis[512], content[600], fk[32], wf[32], org[200];
		if (person)
			mask_name(store_col_text(st, 2), name, sizeof name);
		else
			snprintf(name, sizeof name, "%s", store_col_text(st, 2));
		snprintf(basis, sizeof basis, "《%s》%s", store_col_text(st, 7) ? store_col_text(st, 7) : "",
			 store_col_text(st, 8) ? store_col_text(st, 8) : "");
		json_t *kinds = json_array();
		yj_buf cb = YJ_BUF_INIT;
		char kb[200];
		snprintf(kb, sizeof kb, "%s", store_col_text(st, 9) ? store_col_text(st, 9) : "");
		int first = 1;
		for (char *save = NULL, *t = strtok_r(kb, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			json_array_append_new(kinds, json_string(kind_label(t)));
			yj_buf_printf(&cb, "%s%s", first ? "" : "；", kind_label(t));
			first = 0;
		}
		int64_t fine = store_col_int64(st, 10), conf = store_col_int64(st, 11);
		if (fine > 0)
			yj_buf_printf(&cb, "，罚款人民币 %.2f 元", (double)fine / 100);
		yj_buf_puts(&cb, "");
		snprintf(content, sizeof content, "%s", cb.data ? cb.data : "");
		yj_buf_free(&cb);
		/* 万元 with six decimals: the national field's unit, exact for any amount in fen */
		snprintf(fk, sizeof fk, "%lld.%06lld", (long long)(fine / 1000000), (long long)(fine % 1000000));
		snprintf(wf, sizeof wf, "%lld.%06lld", (long long)(conf / 1000000), (long long)(conf % 1000000));
		yj_region reg, up;
		int found = yj_region_get(c, store_col_text(st, 14), &reg) == ST_OK;
		while (found && reg.level > 3 && reg.parent_code[0] && yj_region_get(c, reg.parent_code, &up) == ST_OK)
			reg = up; /* a town's cases belong to its county's office */
		snprintf(org, sizeof org, "%s卫生健康局", found ? reg.name : store_col_text(st, 14));
		json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "_id",
				      (json_int_t)store_col_int64(st, 0), "id", yj_json_id(store_col_int64(st, 0)), "cf_xdr_mc", name,
				      "cf_xdr_lb", person ? "自然人" : "法人及非法人组织", "cf_xdr_shxym",
				      person ? "" : store_col_text(st, 3), "cf_wsh", enf_text(st, 4), "cf_wfxw",
				      store_col_text(st, 5) ? store_col_text(st, 5) : "", "cf_sy", person ? json_string("（涉及个人信息，不予公开）") : enf_text(st, 6),
				      "cf_yj", basis, "cf_cflb", content[0] ? json_string_value(json_array_get(kinds, 0)) : "",
				      "cf_nr", content, "cf_nr_fk", fk, "cf_nr_wfff", wf, "cf_jdrq", store_col_text(st, 12), "cf_gsjzq",
				      store_col_text(st, 13), "cf_cfjg", org, "published_on", store_col_text(st, 15), "penalty_kinds", kinds);
		json_array_append_new(items, o);
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	size_t i;
	json_t *v;
	json_array_foreach(items, i, v) json_object_del(v, "_id");
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

static const yj_qparam period_q[] = {
	{"from", "YYYY-MM-DD (default 1 January of this year)"}, {"to", "YYYY-MM-DD (default today)"}, {NULL, NULL}};
static const yj_qparam period_export_q[] = {
	{"from", "YYYY-MM-DD (default 1 January of this year)"}, {"to", "YYYY-MM-DD (default today)"},
	{"format", "xlsx (default) or csv"}, {NULL, NULL}};
static const yj_qparam public_q[] = {
	{"region", "A 6- or 9-digit region code: its subtree"}, {"limit", "Page size, 1–200 (default 20)"},
	{"cursor", "next_cursor of the previous page"}, {NULL, NULL}};

#define READERS (ROLE_INSPECTOR | ROLE_LEADER | ROLE_LEGAL_REVIEWER | ROLE_ADMIN)

const yj_route yj_enf_public_routes[] = {
	{"GET", "/api/v1/enforcement/benchmarks", benchmarks_list, ROLE_PUBLIC, NULL, NULL, "enforcement",
	 "The discretion benchmarks (裁量基准, published by law) with their legal basis and tiers", "{items, next_cursor}", 0},
	{"GET", "/api/v1/enforcement/indicators", indicators, READERS, NULL, period_q, "enforcement",
	 "Efficiency indicators (执法效能) per office for a period", "{from, to, items}", 0},
	{"GET", "/api/v1/enforcement/indicators/export", indicators_export, READERS, NULL, period_export_q, "enforcement",
	 "Export the indicators as Excel or CSV", "An .xlsx or .csv file", 0},
	{"GET", "/api/v1/public/penalties", public_penalties, ROLE_PUBLIC, NULL, public_q, "public",
	 "Published penalty decisions with the 双公示 fields, personal data masked, until their 公示截止期", "{items, next_cursor}", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
