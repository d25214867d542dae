/* credit_check_api.c — credit as other departments and the public meet it: the joint-punishment
 * check (三挂钩, "一处违法，处处受限") any signed-in department asks, answering allowed or not with
 * each restriction and nothing more of the record, every check audited; the 双公示 export of
 * penalties and licences in the national data items; and the public lookup by name or code. */
#define _POSIX_C_SOURCE 200809L
#include "credit_api.h"
#include "../registry/registry.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the check ---- */

/* Reads outside any transaction — one statement: the subject's key in the registry, the decision
 * and its restrictions (credit_check_subject; a kind other than institution costs one more a kind
 * tried before it), and the caller's credential epochs, which confirm the credential the server
 * took from its cache without reading them first (ROLE_CONFIRMS_AUTH; docs/security.md) — then the
 * disclosure's leaf in a commit group shared
 * with concurrent checks (yj_audit_disclose): the answer is sent only once its leaf has committed,
 * and a check whose leaf fails answers nothing. The leaf records the answer given. */
static int check(yj_req *r)
{
	const char *q = yj_query(r, "subject"), *decision = yj_query(r, "decision");
	json_t *errs = json_array();
	if (!q || !*q)
		yj_field_error(errs, "subject", "请提供统一社会信用代码、执业证书编码或主体编号");
	if (!decision || !*decision)
		yj_field_error(errs, "decision", "请提供决定事项代码");
	if (json_array_size(errs))
		return yj_reply_problem_errors(r, 400, "validation", "参数不完整", "请补全查询参数后重试。", errs);
	json_decref(errs);
	store_conn *c = store_conn_get(yj_store(r));
	char actor[21], today[11];
	credit_actor(r, actor);
	yj_day_today(today);
	credit_subject s;
	json_t *restr = NULL;
	yj_auth_epochs ep;
	int rc = credit_check_subject(c, q, decision, today, &s, &restr, &ep);
	/* A credential changed since it was cached: nothing read here is used; the server authenticates
	 * the caller afresh and runs the check again. */
	if (!yj_auth_confirm(r, &ep)) {
		json_decref(restr);
		return YJ_OK;
	}
	if (rc == ST_NOTFOUND && !s.id)
		return yj_reply_problem(r, 404, "unknown-subject", "未找到该主体",
					"请按统一社会信用代码、执业证书编码或主体编号查询；该主体尚未在主体库登记。");
	if (rc == ST_NOTFOUND)
		return yj_reply_problem_errors(r, 422, "unknown-decision", "未知的决定事项",
					       "请按决定事项代码查询，例如 grade_review、title_promotion。",
					       yj_field_errors("decision", "没有适用于该类主体的此项决定（见 GET /api/v1/credit/rules 的 decisions）"));
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	int allowed = json_array_size(restr) == 0;
	/* Every check is a disclosure: who asked what about whom, and the answer. */
	char sid[21];
	yj_id_format(s.id, sid);
	json_t *state = json_pack("{s:s, s:s, s:b, s:I, s:s}", "subject", q, "decision", decision, "allowed", allowed,
				  "restrictions", (json_int_t)json_array_size(restr), "department", yj_who(r)->department);
	yj_audit_event ev = {actor, "credit.check", s.kind, sid, s.region, state};
	rc = yj_audit_disclose(yj_store(r), &ev, 0);
	json_decref(state);
	if (rc < 0) {
		json_decref(restr);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:b, s:o, s:s, s:o, s:s, s:s}", "allowed", allowed, "restrictions", restr,
					       "subject_kind", s.kind, "subject_id", yj_json_id(s.id), "decision", decision,
					       "checked_on", today));
}

/* ---- 双公示 export ---- */

static const yj_column penalty_cols[] = {
	{"cf_xdr_mc", "行政相对人名称"}, {"cf_xdr_lb", "行政相对人类别"}, {"cf_xdr_shxym", "统一社会信用代码"},
	{"cf_wsh", "行政处罚决定书文号"}, {"cf_sy", "违法事实"}, {"cf_cflb", "处罚类别"},
	{"cf_nr_fk", "罚款金额（万元）"}, {"cf_jdrq", "处罚决定日期"}, {"cf_gsjzq", "公示截止期"},
	{"cf_cfjg", "处罚机关"}, {"cf_sjly", "数据来源单位"}, {NULL, NULL},
};
static const yj_column licence_cols[] = {
	{"xk_xdr_mc", "行政相对人名称"}, {"xk_xdr_lb", "行政相对人类别"}, {"xk_xdr_shxym", "统一社会信用代码"},
	{"xk_wsh", "许可证书编号"}, {"xk_nr", "许可内容"}, {"xk_jdrq", "许可决定日期"}, {"xk_jzq", "有效期至"},
	{"xk_gsjzq", "公示截止期"}, {"xk_xkjg", "许可机关"}, {NULL, NULL},
};

static const char *kind_label(const char *k)
{
	static const struct { const char *code, *label; } t[] = {{"warning", "警告"}, {"fine", "罚款"},
		{"confiscation", "没收违法所得、没收非法财物"}, {"suspend_practice", "责令停产停业、暂停执业"},
		{"revoke_licence", "吊销许可证、执业证书"}, {"detention_other", "其他"}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(t[i].code, k))
			return t[i].label;
	return k;
}

static int shuanggongshi(yj_req *r)
{
	const char *kind = yj_query(r, "kind"), *format = yj_query(r, "format");
	int pen = kind && !strcmp(kind, "penalty");
	if (!pen && !(kind && !strcmp(kind, "licence")))
		return yj_reply_problem_errors(r, 400, "validation", "参数错误", "kind 应为 penalty（行政处罚）或 licence（行政许可）。",
					       yj_field_errors("kind", "应为 penalty 或 licence"));
	int json = format && !strcmp(format, "json");
	if (format && !json && strcmp(format, "csv") && strcmp(format, "xlsx"))
		return yj_reply_problem_errors(r, 400, "validation", "参数错误", "format 应为 csv、xlsx 或 json。",
					       yj_field_errors("format", "应为 csv、xlsx 或 json"));
	store_conn *c = store_conn_get(yj_store(r));
	char today[11];
	yj_day_today(today);
	/* What is in publication: active records whose disclosure has not ended. */
	yj_qb *q = yj_q_select(&credit_records_t, "subject_kind, subject_id, title, source_doc, occurred_on, disclose_until,"
						   " penalty_kinds, fine_fen, department, region_code", &yj_who(r)->scope);
	yj_q_where(q, "category = ? AND state = 'active' AND disclose_until >= ?");
	yj_q_text(q, pen ? "penalty" : "licence");
	yj_q_text(q, today);
	yj_q_tail(q, "ORDER BY occurred_on, id LIMIT 100000");
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *rows = json_array();
	int rc;
	struct { char kind[16]; int64_t id; } *subj = NULL;
	size_t n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		void *grown = realloc(subj, (n + 1) * sizeof *subj);
		if (!grown) {
			rc = ST_ERR;
			break;
		}
		subj = grown;
		snprintf(subj[n].kind, sizeof subj[n].kind, "%s", store_col_text(st, 0));
		subj[n].id = store_col_int64(st, 1);
		n++;
		const char *kinds = store_col_text(st, 6);
		char labels[400] = "";
		for (const char *p = kinds; p && *p;) {
			const char *e = strchr(p, ',');
			char one[40];
			snprintf(one, sizeof one, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
			snprintf(labels + strlen(labels), sizeof labels - strlen(labels), "%s%s", *labels ? "；" : "", kind_label(one));
			p = e ? e + 1 : NULL;
		}
		char wan[32];
		int64_t fen = store_col_int64(st, 7);
		/* 罚款金额 in 10,000 yuan: fen / 1,000,000, six decimals. */
		snprintf(wan, sizeof wan, "%lld.%06lld", (long long)(fen / 1000000), (long long)(fen % 1000000));
		json_t *o = pen ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "cf_wsh", store_col_text(st, 3), "cf_sy",
					    store_col_text(st, 2), "cf_cflb", labels, "cf_nr_fk", wan, "cf_jdrq",
					    store_col_text(st, 4), "cf_gsjzq", store_col_text(st, 5), "cf_cfjg",
					    store_col_text(st, 8), "cf_sjly", store_col_text(st, 8), "region_code", store_col_text(st, 9))
				: json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "xk_wsh", store_col_text(st, 3), "xk_nr",
					    store_col_text(st, 2), "xk_jdrq", store_col_text(st, 4), "xk_jzq", store_col_text(st, 5),
					    "xk_gsjzq", store_col_text(st, 5), "xk_xkjg", store_col_text(st, 8), "region_code",
					    store_col_text(st, 9));
		json_array_append_new(rows, o);
	}
	store_finalize(st);
	/* Names and codes come from the registry, the subject's owner. */
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		credit_subject s;
		json_t *o = json_array_get(rows, i);
		int inst = !strcmp(subj[i].kind, "institution");
		if (credit_subject_load(c, NULL, subj[i].kind, subj[i].id, &s) != ST_OK)
			memset(&s, 0, sizeof s);
		json_object_set_new(o, pen ? "cf_xdr_mc" : "xk_xdr_mc", json_string(s.name));
		json_object_set_new(o, pen ? "cf_xdr_lb" : "xk_xdr_lb", json_string(inst ? "法人及非法人组织" : "自然人"));
		/* A natural person's identity number is never exported; the credit code only for organisations. */
		json_object_set_new(o, pen ? "cf_xdr_shxym" : "xk_xdr_shxym", json_string(inst ? s.code : ""));
	}
	free(subj);
	if (rc < 0) {
		json_decref(rows);
		return yj_reply_store_error(r, rc);
	}
	if (json)
		return yj_reply_json(r, 200, json_pack("{s:s, s:o}", "kind", kind, "items", rows));
	return yj_reply_export(r, pen ? "shuanggongshi-penalty" : "shuanggongshi-licence", pen ? penalty_cols : licence_cols,
			       rows);
}

/* ---- the public lookup ---- */

static int public_one(store_conn *c, const credit_subject *s, const char *today, json_t *items)
{
	char grade[2] = "";
	int rc = credit_grade_get(c, s->kind, s->id, grade);
	if (rc < 0 && rc != ST_NOTFOUND)
		return rc;
	json_t *lists = json_array(), *pens = json_array();
	store_stmt *st = credit_prep(c, "SELECT list, entered_on, publish_until FROM credit_list_entries WHERE subject_kind = ?"
					" AND subject_id = ? AND state = 'listed' AND publish_until >= ? ORDER BY id", "tit",
				     s->kind, s->id, today);
	while (st && (rc = store_step(st)) == ST_ROW)
		json_array_append_new(lists, json_pack("{s:s, s:s, s:s}", "list", store_col_text(st, 0), "entered_on",
						       store_col_text(st, 1), "publish_until", store_col_text(st, 2)));
	store_finalize(st);
	st = credit_prep(c, "SELECT title, source_doc, occurred_on, disclose_until FROM credit_records WHERE subject_kind = ?"
			    " AND subject_id = ? AND category = 'penalty' AND state = 'active' AND disclose_until >= ? ORDER BY"
			    " occurred_on", "tit", s->kind, s->id, today);
	while (st && (rc = store_step(st)) == ST_ROW)
		json_array_append_new(pens, json_pack("{s:s, s:s, s:s, s:s}", "title", store_col_text(st, 0), "decision_no",
						      store_col_text(st, 1), "decided_on", store_col_text(st, 2), "public_until",
						      store_col_text(st, 3)));
	store_finalize(st);
	json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:o, s:o}", "name", s->name, "credit_code", s->code, "grade",
					       *grade ? json_string(grade) : json_null(), "lists", lists, "penalties", pens));
	return rc < 0 ? rc : ST_OK;
}

static int public_credit(yj_req *r)
{
	const char *q = yj_query(r, "q");
	if (!q || strlen(q) < 2 || strlen(q) > 100)
		return yj_reply_problem_errors(r, 400, "validation", "查询条件不足", "请输入机构名称（至少两个字）或统一社会信用代码。",
					       yj_field_errors("q", "请输入机构名称或统一社会信用代码"));
	store_conn *c = store_conn_get(yj_store(r));
	char today[11];
	yj_day_today(today);
	json_t *items = json_array();
	int64_t ids[20];
	size_t n = 0;
	int64_t ver;
	char region[16];
	/* Institutions only: a practitioner is a natural person, not looked up by the public here. */
	int rc = yj_reg_find_key(c, &yj_institution_kind, q, &ids[0], &ver, region);
	if (rc == ST_OK)
		n = 1;
	else if (rc == ST_NOTFOUND) {
		yj_scope all;
		yj_scope_unrestricted(&all);
		yj_reg_search *rs = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &all);
		yj_reg_search_name(rs, q);
		yj_reg_hit hit;
		if ((rc = yj_reg_search_by_id(rs, c, 0, 20)) >= 0)
			while (n < 20 && (rc = yj_reg_search_next(rs, &hit)) == ST_ROW) {
				ids[n++] = hit.id;
				json_decref(hit.rec);
			}
		yj_reg_search_free(rs);
	}
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		credit_subject s;
		if ((rc = credit_subject_load(c, NULL, "institution", ids[i], &s)) == ST_OK)
			rc = public_one(c, &s, today, items);
	}
	if (rc < 0) {
		json_decref(items);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const yj_qparam check_q[] = {{"subject", "Credit code, practice certificate number or registry id"},
				    {"decision", "Decision code (GET /api/v1/credit/rules, decisions)"}, {NULL, NULL}};
static const yj_qparam export_q[] = {{"kind", "penalty or licence"}, {"format", "csv, xlsx (default) or json"}, {NULL, NULL}};
static const yj_qparam public_q[] = {{"q", "Institution name (two characters or more) or credit code"}, {NULL, NULL}};

const yj_route yj_credit_check_routes[] = {
	{"GET", "/api/v1/credit/check", check, ROLE_ANY | ROLE_CONFIRMS_AUTH, NULL, check_q, "credit", "May subject S receive decision D? Allowed, with each restriction's rule, reason, source and end (audited)", "check", 0},
	{"GET", "/api/v1/credit/export/shuanggongshi", shuanggongshi, CREDIT_STAFF, NULL, export_q, "credit", "双公示 export of penalties or licences in publication, national data items", "file", 0},
	{"GET", "/api/v1/public/credit", public_credit, ROLE_PUBLIC, NULL, public_q, "credit", "Public credit lookup of institutions by name or credit code", "{items}", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
