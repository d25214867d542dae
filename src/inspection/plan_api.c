/* plan_api.c — plans and their verifiable draws over HTTP: a plan (annual or special, one item or a
 * joint draw across departments) is validated and saved; commit builds the input snapshot, refuses an
 * impossible plan with the reason before anything is written, draws a server secret and appends the
 * commitment {input_hash, secret_hash} to the audit log. The draw itself (witness, secret, tasks,
 * public bundles) is draw_api.c; the SQL of both is plan_store.c and draw_store.c. */
#define _POSIX_C_SOURCE 200809L
#include "insp_draw.h"
#include "draw_bundle.h"
#include "../platform/pii/pii.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		json_t *item = NULL;
		int rc = insp_plan_item(c, id, 1, &item);
		if (rc == ST_NOTFOUND) {
			yj_refusal_field(ref, "item_ids", "抽查事项不存在或已停用");
			continue;
		}
		if (rc < 0)
			break;
		json_t *d = json_object_get(item, "department"), *x;
		size_t k;
		int seen = 0;
		json_array_foreach(depts, k, x) seen |= json_equal(x, d);
		if (!seen)
			json_array_append(depts, d);
		json_array_foreach(json_object_get(item, "subject_types"), k, x) {
			int have = 0;
			json_t *y;
			size_t m;
			json_array_foreach(types, m, y) have |= json_equal(x, y);
			if (!have)
				json_array_append(types, x);
		}
		if (!ratio)
			ratio = json_integer_value(json_object_get(item, "ratio_permille")),
			cov = json_integer_value(json_object_get(item, "coverage_years"));
		json_decref(item);
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
	char actor[21];
	insp_actor(a->r, actor);
	int rc = insp_plan_insert(c, a->id, p, actor, yj_now_ms());
	json_decref(p);
	if (rc < 0)
		return rc;
	if ((rc = insp_plan_load(c, &yj_who(a->r)->scope, a->id, &a->out)) < 0)
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
	int64_t before;
	json_t *items = NULL, *next = NULL;
	if (yj_page_id_or(r, PLANS_PAGE, &limit, &before) < 0)
		return YJ_OK;
	if (!before)
		before = INT64_MAX; /* no cursor: from the newest */
	int rc = insp_plans_page(store_conn_get(yj_store(r)), &yj_who(r)->scope, before, limit, &items, &next);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

static int plan_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = insp_plan_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

/* ---- commit ---- */

static int commit_tx(store_conn *c, void *arg)
{
	struct plan_arg *a = arg;
	json_t *plan = NULL, *input = NULL, *types = json_array();
	int rc = insp_plan_load(c, &yj_who(a->r)->scope, a->id, &plan);
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
		json_t *item = NULL;
		if ((rc = insp_plan_item(c, id, 0, &item)) == ST_OK)
			json_array_extend(types, json_object_get(item, "subject_types"));
		json_decref(item);
		if (rc < 0 && rc != ST_NOTFOUND)
			goto done;
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
	insp_draw_new d = {.id = draw, .plan_id = a->id, .input = canon, .input_hash = input_hash, .secret_cipher = sealed,
			   .secret_hash = secret_hash, .commit_leaf = leaf,
			   .subject_count = (int64_t)json_array_size(json_object_get(input, "subjects")),
			   .draw_count = json_integer_value(json_object_get(json_object_get(input, "plan"), "count")),
			   .region = region, .department = json_string_value(json_object_get(plan, "department")),
			   .committed_at = now, .actor = actor};
	if (rc >= 0)
		rc = insp_draw_insert(c, &d);
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
	{"POST", "/api/v1/inspection/plans/{id}/commit", plan_commit, INSP_PLANNERS, NULL, NULL, "inspection", "Build the draw input, refuse an impossible plan, commit input and secret hashes to the audit log", "draw", 201},
	{"GET", "/api/v1/inspection/draws/{id}", insp_draw_get, INSP_STAFF, NULL, NULL, "inspection", "A draw: commitment, witness, seed, result and its tasks", "draw", 0},
	{"POST", "/api/v1/inspection/draws/{id}/draw", insp_draw_run, INSP_PLANNERS, insp_draw_body, NULL, "inspection", "Run a committed draw with the witness value; creates the tasks", "draw", 0},
	{"GET", "/api/v1/public/draws", insp_public_draws, ROLE_PUBLIC, NULL, insp_page_q, "public", "Published draws (no sign-in)", "{items, next_cursor}", 0},
	{"GET", "/api/v1/public/draws/{id}/bundle", insp_public_bundle, ROLE_PUBLIC, NULL, NULL, "public", "The bundle of a draw, for yijian draw verify (no sign-in)", "bundle (yijian-draw-v1)", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
