/* plan_api.c — plans and their verifiable draws over HTTP: a plan (annual or special, one item or a
 * joint draw across departments) is validated and saved; commit builds the input snapshot, refuses an
 * impossible plan with the reason before anything is written, draws a server secret and appends the
 * commitment {input_hash, secret_hash} to the audit log. The draw itself (witness, secret, tasks,
 * public bundles) is draw_api.c. */
#define _POSIX_C_SOURCE 200809L
#include "insp_draw.h"
#include "draw_bundle.h"
#include "../platform/pii/pii.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_COLS                                                                                                  \
	"id, name, kind, item_ids, departments, department, region_code, ratio_permille, coverage_years, start_date," \
	" end_date, team_size, credit_share_permille, conflict_years, weight_factors, state, created_by, created_at"

static json_t *plan_json(store_stmt *st)
{
	json_t *f = json_loads(store_col_text(st, 14), 0, NULL);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:I}", "id",
			 yj_json_id(store_col_int64(st, 0)), "name", insp_text(st, 1), "kind", insp_text(st, 2), "item_ids",
			 insp_csv_array(store_col_text(st, 3)), "departments", insp_csv_array(store_col_text(st, 4)),
			 "department", insp_text(st, 5), "region_code", insp_text(st, 6), "ratio_permille",
			 (json_int_t)store_col_int64(st, 7), "coverage_years", (json_int_t)store_col_int64(st, 8), "start_date",
			 insp_text(st, 9), "end_date", insp_text(st, 10), "team_size", (json_int_t)store_col_int64(st, 11),
			 "credit_share_permille", (json_int_t)store_col_int64(st, 12), "conflict_years",
			 (json_int_t)store_col_int64(st, 13), "weight_factors", f ? f : json_object(), "state", insp_text(st, 15),
			 "created_by", insp_text(st, 16), "created_at", (json_int_t)store_col_int64(st, 17));
}

static json_t *plan_row(store_stmt *st, void *arg)
{
	(void)arg;
	return plan_json(st);
}

static int plan_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_qb *q = yj_q_select(&insp_plans_t, PLAN_COLS, sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	int rc = yj_row_one(yj_q_prepare(q, c), plan_row, NULL, out);
	if (rc == ST_OK) {
		int64_t draw = 0;
		char sid[21];
		yj_id_format(id, sid);
		if (store_query_int64(c, "SELECT id FROM inspection_draws WHERE plan_id = ?", sid, &draw) == ST_OK)
			json_object_set_new(*out, "draw_id", yj_json_id(draw));
		else
			json_object_set_new(*out, "draw_id", json_null());
	}
	return rc;
}

/* ---- create ---- */

struct plan_arg {
	yj_req *r;
	json_t *out;
	int64_t id;
	yj_refusal ref;
};

/* Validates the body into a plan row (new reference) and the union of its items' subject types. */
static json_t *plan_validate(store_conn *c, yj_req *r, yj_refusal *ref)
{
	const json_t *b = yj_body(r);
	const yj_principal *who = yj_who(r);
	const char *name = json_string_value(json_object_get(b, "name")), *kind = json_string_value(json_object_get(b, "kind"));
	const char *region = json_string_value(json_object_get(b, "region_code"));
	if (insp_blank(name) || !insp_clean(name, 0))
		yj_refusal_field(ref, "name", "请填写计划名称");
	if (!kind || (strcmp(kind, "annual") && strcmp(kind, "special")))
		yj_refusal_field(ref, "kind", "应为 annual（年度计划）或 special（专项计划）");
	if (!region || insp_blank(region))
		yj_refusal_field(ref, "region_code", "抽查区域不能为空：请填写计划覆盖的行政区划代码");
	else if (!insp_region_exists(c, region))
		yj_refusal_field(ref, "region_code", "行政区划代码不存在");
	else if (!yj_scope_allows(&who->scope, region, NULL))
		yj_refusal_field(ref, "region_code", "只能在本人辖区范围内制定抽查计划");
	/* Items, and from them the departments (joint draws name several). */
	const json_t *items = json_object_get(b, "item_ids"), *v;
	json_t *depts = json_array(), *types = json_array();
	int64_t ratio = 0, cov = 0;
	size_t i;
	if (!json_is_array(items) || !json_array_size(items) || json_array_size(items) > 20)
		yj_refusal_field(ref, "item_ids", "请选择 1 到 20 个抽查事项");
	json_array_foreach(items, i, v) {
		int64_t id;
		if (yj_id_parse(json_string_value(v), &id) < 0) {
			yj_refusal_field(ref, "item_ids", "抽查事项编号无效");
			continue;
		}
		store_stmt *st = store_prepare(c, "SELECT department, subject_types, ratio_permille, coverage_years FROM"
						  " inspection_items WHERE id = ? AND active = 1");
		if (!st)
			break;
		store_bind_int64(st, 1, id);
		if (store_step(st) == ST_ROW) {
			json_t *d = json_string(store_col_text(st, 0)), *x;
			size_t k;
			int seen = 0;
			json_array_foreach(depts, k, x) seen |= json_equal(x, d);
			if (!seen)
				json_array_append(depts, d);
			json_decref(d);
			json_t *ts = insp_csv_array(store_col_text(st, 1));
			json_array_foreach(ts, k, x) {
				int have = 0;
				json_t *y;
				size_t m;
				json_array_foreach(types, m, y) have |= json_equal(x, y);
				if (!have)
					json_array_append(types, x);
			}
			json_decref(ts);
			if (!ratio)
				ratio = store_col_int64(st, 2), cov = store_col_int64(st, 3);
		} else {
			yj_refusal_field(ref, "item_ids", "抽查事项不存在或已停用");
		}
		store_finalize(st);
	}
	const json_t *bd = json_object_get(b, "departments");
	if (json_is_array(bd) && json_array_size(bd)) {
		/* Named departments join the draw; the items' departments must be among them. */
		json_t *x;
		size_t k;
		json_array_foreach(depts, k, x) {
			int in = 0;
			json_array_foreach(bd, i, v) in |= json_equal(x, v);
			if (!in)
				yj_refusal_field(ref, "departments", "参与部门须包含所选抽查事项的主管部门");
		}
		json_decref(depts);
		depts = json_deep_copy(bd);
		json_array_foreach(depts, i, v) {
			char dname[100];
			if (!json_is_string(v) ||
			    yj_department_name(c, json_string_value(v), dname, sizeof dname) != ST_OK)
				yj_refusal_field(ref, "departments", "部门代码不存在");
		}
	}
	if (json_array_size(depts) > YJ_DRAW_MAX_DEPTS)
		yj_refusal_field(ref, "departments", "联合抽查的部门不能超过 8 个");
	json_t *jr = json_object_get(b, "ratio_permille"), *jc = json_object_get(b, "coverage_years"),
	       *jt = json_object_get(b, "team_size"), *js = json_object_get(b, "credit_share_permille"),
	       *jy = json_object_get(b, "conflict_years");
	if (jr)
		ratio = json_integer_value(jr);
	if (jc)
		cov = json_integer_value(jc);
	int64_t team = jt ? json_integer_value(jt) : 2, share = js ? json_integer_value(js) : 500, cy = jy ? json_integer_value(jy) : 3;
	if (ratio > 1000)
		yj_refusal_field(ref, "ratio_permille", "抽查比例不能超过 100%（1000‰）");
	else if (ratio < 1 && json_array_size(items))
		yj_refusal_field(ref, "ratio_permille", "抽查比例至少为 1‰");
	if (cov < 1 || cov > 10)
		yj_refusal_field(ref, "coverage_years", "覆盖周期应为 1 到 10 年");
	if (team < 2)
		yj_refusal_field(ref, "team_size", "每个检查组至少 2 名执法人员（双人执法）");
	else if (team > YJ_DRAW_MAX_TEAM)
		yj_refusal_field(ref, "team_size", "每个检查组不超过 8 名执法人员");
	else if ((int64_t)json_array_size(depts) > team)
		yj_refusal_field(ref, "team_size", "联合抽查每个参与部门至少一人，检查组人数不能少于参与部门数");
	if (share < 500)
		yj_refusal_field(ref, "credit_share_permille", "按信用规则（风险权重）抽取的任务不得低于 50%（500‰）");
	else if (share > 1000)
		yj_refusal_field(ref, "credit_share_permille", "信用规则抽取比例不能超过 100%（1000‰）");
	if (cy < 0 || cy > 20)
		yj_refusal_field(ref, "conflict_years", "回避年限应为 0 到 20 年");
	const char *sd = json_string_value(json_object_get(b, "start_date")), *ed = json_string_value(json_object_get(b, "end_date"));
	int64_t d0, d1;
	if (!sd || yj_day_parse(sd, &d0) < 0)
		yj_refusal_field(ref, "start_date", "日期格式应为 YYYY-MM-DD");
	if (!ed || yj_day_parse(ed, &d1) < 0)
		yj_refusal_field(ref, "end_date", "日期格式应为 YYYY-MM-DD");
	else if (sd && yj_day_parse(sd, &d0) == 0 && d1 < d0)
		yj_refusal_field(ref, "end_date", "计划结束日期不能早于开始日期");
	const json_t *gf = json_object_get(b, "weight_factors");
	json_t *f = insp_factors_merge(json_is_object(gf) ? gf : NULL, ref);
	json_t *plan = json_pack("{s:s?, s:s?, s:o, s:o, s:s?, s:I, s:I, s:s?, s:s?, s:I, s:I, s:I, s:o, s:o}", "name", name,
				 "kind", kind, "item_ids", json_deep_copy(items ? items : json_array()), "departments", depts,
				 "region_code", region, "ratio_permille", (json_int_t)ratio, "coverage_years", (json_int_t)cov,
				 "start_date", sd, "end_date", ed, "team_size", (json_int_t)team, "credit_share_permille",
				 (json_int_t)share, "conflict_years", (json_int_t)cy, "weight_factors", f, "subject_types", types);
	return plan;
}

static int plan_create_tx(store_conn *c, void *arg)
{
	struct plan_arg *a = arg;
	json_t *p = plan_validate(c, a->r, &a->ref);
	if (yj_refusal_has_fields(&a->ref)) {
		json_decref(p);
		return yj_refuse_invalid(&a->ref, "抽查计划不符合要求，请按字段提示修改后重新提交。");
	}
	a->id = yj_id_new();
	char *items = insp_array_csv(json_object_get(p, "item_ids")), *depts = insp_array_csv(json_object_get(p, "departments"));
	char *f = yj_json_canonical(json_object_get(p, "weight_factors")), actor[21];
	insp_actor(a->r, actor);
	int64_t now = yj_now_ms();
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_plans (" PLAN_COLS ", updated_at) VALUES (?, ?, ?, ?, ?, ?,"
					  " ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)");
	int rc = ST_ERR;
	if (st) {
		store_bind_int64(st, 1, a->id);
		store_bind_text(st, 2, json_string_value(json_object_get(p, "name")), -1);
		store_bind_text(st, 3, json_string_value(json_object_get(p, "kind")), -1);
		store_bind_text(st, 4, items, -1);
		store_bind_text(st, 5, depts, -1);
		store_bind_text(st, 6, json_string_value(json_array_get(json_object_get(p, "departments"), 0)), -1);
		store_bind_text(st, 7, json_string_value(json_object_get(p, "region_code")), -1);
		store_bind_int64(st, 8, json_integer_value(json_object_get(p, "ratio_permille")));
		store_bind_int64(st, 9, json_integer_value(json_object_get(p, "coverage_years")));
		store_bind_text(st, 10, json_string_value(json_object_get(p, "start_date")), -1);
		store_bind_text(st, 11, json_string_value(json_object_get(p, "end_date")), -1);
		store_bind_int64(st, 12, json_integer_value(json_object_get(p, "team_size")));
		store_bind_int64(st, 13, json_integer_value(json_object_get(p, "credit_share_permille")));
		store_bind_int64(st, 14, json_integer_value(json_object_get(p, "conflict_years")));
		store_bind_text(st, 15, f, -1);
		store_bind_text(st, 16, actor, -1);
		store_bind_int64(st, 17, now);
		store_bind_int64(st, 18, now);
		rc = store_step(st);
		store_finalize(st);
	}
	free(items);
	free(depts);
	free(f);
	json_decref(p);
	if (rc < 0)
		return rc;
	if ((rc = plan_load(c, &yj_who(a->r)->scope, a->id, &a->out)) < 0)
		return rc;
	return insp_audit(c, a->r, "inspection.plan.create", "inspection_plan", a->id,
			  json_string_value(json_object_get(a->out, "region_code")), a->out, NULL);
}

static int plan_create(yj_req *r)
{
	struct plan_arg a = {.r = r};
	if (yj_tx_or_reply(r, plan_create_tx, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, 201, a.out);
}

/* Plans newest first; without ?limit= a page holds up to PLANS_PAGE, what the list answered before
 * it had pages (the page size is bounded by it either way, so ids fit on the stack). */
#define PLANS_PAGE 200

static int plans_list(yj_req *r)
{
	int limit;
	const char *cursor;
	int64_t before = INT64_MAX;
	if (yj_page_params_or(r, PLANS_PAGE, &limit, &cursor) < 0)
		return YJ_OK;
	if (cursor && yj_id_parse(cursor, &before) < 0)
		return yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
	yj_qb *q = yj_q_select(&insp_plans_t, "id", &yj_who(r)->scope);
	yj_q_where(q, "id < ?");
	yj_q_int(q, before);
	yj_q_tail(q, "ORDER BY id DESC LIMIT ?");
	yj_q_int(q, limit + 1);
	store_conn *c = store_conn_get(yj_store(r));
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	int64_t ids[PLANS_PAGE + 1];
	size_t n = 0;
	int rc;
	while ((rc = store_step(st)) == ST_ROW && n < (size_t)limit + 1)
		ids[n++] = store_col_int64(st, 0);
	store_finalize(st);
	json_t *next = json_null();
	if (n > (size_t)limit) { /* newest first: the next page starts below the last id shown */
		char key[21];
		yj_id_format(ids[limit - 1], key);
		next = yj_cursor_json(key);
		n = (size_t)limit;
	}
	json_t *items = json_array();
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		json_t *o = NULL;
		if ((rc = plan_load(c, &yj_who(r)->scope, ids[i], &o)) >= 0)
			json_array_append_new(items, o);
	}
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

static int plan_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = plan_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

/* ---- edit and delete while a draft ---- */

/* The plan in scope, refused with 409 unless it is still a draft (a committed plan is on record). */
static int draft_or_refuse(store_conn *c, struct plan_arg *a, json_t **plan)
{
	int rc = plan_load(c, &yj_who(a->r)->scope, a->id, plan);
	if (rc < 0)
		return rc;
	if (strcmp(json_string_value(json_object_get(*plan, "state")), "draft") != 0) {
		json_decref(*plan);
		*plan = NULL;
		return yj_refuse(&a->ref, 409, "conflict", "计划已提交承诺",
				 "该计划已提交承诺（输入已记入审计日志），不能再修改或删除；如需调整，请新建计划。");
	}
	return ST_OK;
}

static int plan_update_tx(store_conn *c, void *arg)
{
	struct plan_arg *a = arg;
	json_t *old = NULL;
	int rc = draft_or_refuse(c, a, &old);
	if (rc < 0)
		return rc;
	json_decref(old);
	json_t *p = plan_validate(c, a->r, &a->ref);
	if (yj_refusal_has_fields(&a->ref)) {
		json_decref(p);
		return yj_refuse_invalid(&a->ref, "抽查计划不符合要求，请按字段提示修改后重新提交。");
	}
	char *items = insp_array_csv(json_object_get(p, "item_ids")), *depts = insp_array_csv(json_object_get(p, "departments"));
	char *f = yj_json_canonical(json_object_get(p, "weight_factors"));
	store_stmt *st = store_prepare(c, "UPDATE inspection_plans SET name = ?, kind = ?, item_ids = ?, departments = ?,"
					  " department = ?, region_code = ?, ratio_permille = ?, coverage_years = ?, start_date = ?,"
					  " end_date = ?, team_size = ?, credit_share_permille = ?, conflict_years = ?,"
					  " weight_factors = ?, updated_at = ? WHERE id = ? AND state = 'draft'");
	rc = ST_ERR;
	if (st) {
		store_bind_text(st, 1, json_string_value(json_object_get(p, "name")), -1);
		store_bind_text(st, 2, json_string_value(json_object_get(p, "kind")), -1);
		store_bind_text(st, 3, items, -1);
		store_bind_text(st, 4, depts, -1);
		store_bind_text(st, 5, json_string_value(json_array_get(json_object_get(p, "departments"), 0)), -1);
		store_bind_text(st, 6, json_string_value(json_object_get(p, "region_code")), -1);
		store_bind_int64(st, 7, json_integer_value(json_object_get(p, "ratio_permille")));
		store_bind_int64(st, 8, json_integer_value(json_object_get(p, "coverage_years")));
		store_bind_text(st, 9, json_string_value(json_object_get(p, "start_date")), -1);
		store_bind_text(st, 10, json_string_value(json_object_get(p, "end_date")), -1);
		store_bind_int64(st, 11, json_integer_value(json_object_get(p, "team_size")));
		store_bind_int64(st, 12, json_integer_value(json_object_get(p, "credit_share_permille")));
		store_bind_int64(st, 13, json_integer_value(json_object_get(p, "conflict_years")));
		store_bind_text(st, 14, f, -1);
		store_bind_int64(st, 15, yj_now_ms());
		store_bind_int64(st, 16, a->id);
		rc = store_step(st);
		store_finalize(st);
	}
	free(items);
	free(depts);
	free(f);
	json_decref(p);
	if (rc < 0)
		return rc;
	if ((rc = plan_load(c, &yj_who(a->r)->scope, a->id, &a->out)) < 0)
		return rc;
	return insp_audit(c, a->r, "inspection.plan.update", "inspection_plan", a->id,
			  json_string_value(json_object_get(a->out, "region_code")), a->out, NULL);
}

static int plan_delete_tx(store_conn *c, void *arg)
{
	struct plan_arg *a = arg;
	json_t *old = NULL;
	int rc = draft_or_refuse(c, a, &old);
	if (rc < 0)
		return rc;
	char region[16];
	snprintf(region, sizeof region, "%s", json_string_value(json_object_get(old, "region_code")));
	store_stmt *st = store_prepare(c, "DELETE FROM inspection_plans WHERE id = ? AND state = 'draft'");
	rc = ST_ERR;
	if (st) {
		store_bind_int64(st, 1, a->id);
		rc = store_step(st);
		store_finalize(st);
	}
	if (rc >= 0) {
		json_t *state = json_pack("{s:O, s:b}", "plan", old, "deleted", 1);
		rc = insp_audit(c, a->r, "inspection.plan.delete", "inspection_plan", a->id, region, state, NULL);
		json_decref(state);
	}
	json_decref(old);
	return rc;
}

static int plan_update(yj_req *r)
{
	struct plan_arg a = {.r = r};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	if (yj_tx_or_reply(r, plan_update_tx, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, 200, a.out);
}

static int plan_delete(yj_req *r)
{
	struct plan_arg a = {.r = r};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	if (yj_tx_or_reply(r, plan_delete_tx, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_empty(r, 204);
}

/* ---- commit ---- */

int insp_plan_set_state(store_conn *c, int64_t id, const char *state)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_plans SET state = ?, updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, state, -1);
	store_bind_int64(st, 2, yj_now_ms());
	store_bind_int64(st, 3, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static int commit_tx(store_conn *c, void *arg)
{
	struct plan_arg *a = arg;
	json_t *plan = NULL, *input = NULL, *types = json_array();
	int rc = plan_load(c, &yj_who(a->r)->scope, a->id, &plan);
	if (rc < 0)
		goto done;
	if (strcmp(json_string_value(json_object_get(plan, "state")), "draft")) {
		rc = yj_refuse(&a->ref, 409, "state", "计划已承诺", "该计划已提交抽取承诺，不能重复承诺；请查看其抽取记录。");
		goto done;
	}
	/* The subject types of the plan's items. */
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(plan, "item_ids"), i, v) {
		int64_t id = 0;
		yj_id_parse(json_string_value(v), &id);
		store_stmt *st = store_prepare(c, "SELECT subject_types FROM inspection_items WHERE id = ?");
		if (!st) {
			rc = ST_ERR;
			goto done;
		}
		store_bind_int64(st, 1, id);
		if (store_step(st) == ST_ROW) {
			json_t *ts = insp_csv_array(store_col_text(st, 0));
			json_array_extend(types, ts);
			json_decref(ts);
		}
		store_finalize(st);
	}
	int64_t now = yj_now_ms();
	if ((rc = insp_draw_input(c, plan, types, now, &input, &a->ref)) < 0)
		goto done;
	/* The server secret: 32 random bytes, sealed until the draw; only its hash is committed. */
	unsigned char raw[32];
	char secret[65], secret_hash[65], input_hash[65];
	randombytes_buf(raw, sizeof raw);
	yj_hex_encode(raw, sizeof raw, secret);
	sodium_memzero(raw, sizeof raw);
	yj_draw_secret_hash(secret, secret_hash);
	char *sealed = yj_draw_input_hash(input, input_hash, NULL) < 0 ? NULL : yj_pii_encrypt(secret);
	sodium_memzero(secret, sizeof secret);
	if (!sealed) {
		rc = ST_ERR;
		goto done;
	}
	int64_t draw = yj_id_new(), leaf = 0;
	const char *region = json_string_value(json_object_get(plan, "region_code"));
	json_t *state = json_pack("{s:O, s:s, s:s}", "plan_id", json_object_get(plan, "id"), "input_hash", input_hash,
				  "secret_hash", secret_hash);
	/* committed_at is the leaf's own time: a witness must be published after it (witness_check). */
	char actor_id[21], draw_id[21];
	insp_actor(a->r, actor_id);
	yj_id_format(draw, draw_id);
	yj_audit_event ev = {actor_id, "inspection.draw.commit", "inspection_draw", draw_id, region ? region : "", state};
	rc = yj_audit_append_at(c, &ev, &leaf, &now);
	json_decref(state);
	char *canon = yj_json_canonical(input), actor[21];
	insp_actor(a->r, actor);
	store_stmt *st = rc < 0 ? NULL
				: store_prepare(c, "INSERT INTO inspection_draws (id, plan_id, state, input, input_hash, secret_cipher,"
						   " secret_hash, commit_leaf, subject_count, draw_count, region_code, department,"
						   " committed_at, actor) VALUES (?, ?, 'committed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st) {
		store_bind_int64(st, 1, draw);
		store_bind_int64(st, 2, a->id);
		store_bind_text(st, 3, canon, -1);
		store_bind_text(st, 4, input_hash, -1);
		store_bind_text(st, 5, sealed, -1);
		store_bind_text(st, 6, secret_hash, -1);
		store_bind_int64(st, 7, leaf);
		store_bind_int64(st, 8, (int64_t)json_array_size(json_object_get(input, "subjects")));
		store_bind_int64(st, 9, json_integer_value(json_object_get(json_object_get(input, "plan"), "count")));
		store_bind_text(st, 10, region, -1);
		store_bind_text(st, 11, json_string_value(json_object_get(plan, "department")), -1);
		store_bind_int64(st, 12, now);
		store_bind_text(st, 13, actor, -1);
		rc = store_step(st);
		store_finalize(st);
	} else if (rc >= 0) {
		rc = ST_ERR;
	}
	free(canon);
	free(sealed);
	if (rc >= 0)
		rc = insp_plan_set_state(c, a->id, "committed");
	if (rc >= 0)
		rc = insp_draw_load(c, &yj_who(a->r)->scope, draw, &a->out);
done:
	json_decref(plan);
	json_decref(input);
	json_decref(types);
	return rc;
}

static int plan_commit(yj_req *r)
{
	struct plan_arg a = {.r = r};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	if (yj_tx_or_reply(r, commit_tx, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, 201, a.out);
}

/* ---- routes ---- */

static const yj_field plan_body[] = {
	{"name", F_STRING, 1, 200, "Plan name"},
	{"kind", F_STRING, 1, 16, "annual or special"},
	{"item_ids", F_ARRAY, 1, 0, "Inspection item ids; items of several departments make a joint draw (联合抽查)"},
	{"departments", F_ARRAY, 0, 0, "Departments taking part (default: the items' departments)"},
	{"region_code", F_STRING, 1, 9, "Territory (GB/T 2260)"},
	{"ratio_permille", F_INT, 0, 0, "Sampling ratio, ‰ (default: the first item's)"},
	{"coverage_years", F_INT, 0, 0, "Coverage period, years (default: the first item's)"},
	{"start_date", F_STRING, 1, 10, "Schedule start YYYY-MM-DD"},
	{"end_date", F_STRING, 1, 10, "Schedule end YYYY-MM-DD (tasks are due by then)"},
	{"team_size", F_INT, 0, 0, "Inspectors per subject, 2–8 (default 2)"},
	{"credit_share_permille", F_INT, 0, 0, "Share of non-due picks by risk weight, ≥ 500 (default 500)"},
	{"conflict_years", F_INT, 0, 0, "A former workplace is a conflict this many years after leaving (default 3)"},
	{"weight_factors", F_OBJECT, 0, 0, "Overrides of the default weight factors (docs/inspection.md)"},
	{NULL, 0, 0, 0, NULL},
};
const yj_route yj_insp_plan_routes[] = {
	{"GET", "/api/v1/inspection/plans", plans_list, INSP_STAFF, NULL, insp_page_q, "inspection", "Inspection plans in scope", "{items}", 0},
	{"POST", "/api/v1/inspection/plans", plan_create, INSP_PLANNERS, plan_body, NULL, "inspection", "Create an annual or special plan", "plan", 201},
	{"GET", "/api/v1/inspection/plans/{id}", plan_get, INSP_STAFF, NULL, NULL, "inspection", "One plan", "plan", 0},
	{"PUT", "/api/v1/inspection/plans/{id}", plan_update, INSP_PLANNERS, plan_body, NULL, "inspection", "Replace a draft plan (refused once committed)", "plan", 0},
	{"DELETE", "/api/v1/inspection/plans/{id}", plan_delete, INSP_PLANNERS, NULL, NULL, "inspection", "Delete a draft plan (refused once committed)", "Deleted", 204},
	{"POST", "/api/v1/inspection/plans/{id}/commit", plan_commit, INSP_PLANNERS, NULL, NULL, "inspection", "Build the draw input, refuse an impossible plan, commit input and secret hashes to the audit log", "draw", 201},
	{"GET", "/api/v1/inspection/draws/{id}", insp_draw_get, INSP_STAFF, NULL, NULL, "inspection", "A draw: commitment, witness, seed, result and its tasks", "draw", 0},
	{"POST", "/api/v1/inspection/draws/{id}/draw", insp_draw_run, INSP_PLANNERS, insp_draw_body, NULL, "inspection", "Run a committed draw with the witness value; creates the tasks", "draw", 0},
	{"GET", "/api/v1/public/draws", insp_public_draws, ROLE_PUBLIC, NULL, insp_page_q, "public", "Published draws (no sign-in)", "{items, next_cursor}", 0},
	{"GET", "/api/v1/public/draws/{id}/bundle", insp_public_bundle, ROLE_PUBLIC, NULL, NULL, "public", "The bundle of a draw, for yijian draw verify (no sign-in)", "bundle (yijian-draw-v1)", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
