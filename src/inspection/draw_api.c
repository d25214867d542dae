/* draw_api.c — a committed draw run over HTTP: the witness value (and where it was published) is
 * checked against the commitment's time, the sealed server secret revealed, the draw computed and
 * verified (draw_bundle.h), one task per drawn subject created with its team, and the bundle that
 * `yijian draw verify` checks published with the draws list on the public portal. The SQL is
 * draw_store.c. */
#define _POSIX_C_SOURCE 200809L
#include "insp_draw.h"
#include "draw_bundle.h"
#include "../platform/pii/pii.h"
#include "../registry/registry.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct draw_arg {
	yj_req *r;
	int64_t id;
	const char *witness;
	json_t *out;
	yj_refusal ref;
	const char *source;   /* where the witness was published (NULL: not declared) */
	int64_t published_at; /* when, epoch ms */
};

/* The witness must come from a public source fixed after the commitment: a declared publication
 * time before the commitment (or in the future) is refused. Returns 0, or YJ_REFUSED. */
static int witness_check(struct draw_arg *a, int64_t committed_at)
{
	if (!a->source)
		return 0;
	if (a->published_at <= committed_at)
		return yj_refuse(&a->ref, 422, "draw-failed", "抽取失败",
				 "见证值的公布时间早于或等于抽取承诺时间：见证值必须取自承诺之后才公布的公开来源（如承诺后开奖的彩票），"
				 "请换用承诺之后公布的见证值。");
	if (a->published_at > yj_now_ms() + 5 * 60 * 1000)
		return yj_refuse(&a->ref, 422, "draw-failed", "抽取失败", "见证值的公布时间晚于当前时间：请填写该来源实际公布见证值的时间。");
	return 0;
}

/* "id,id" of the team named by pseudonyms (caller frees), or NULL when one is unknown. */
static char *team_ids(const json_t *pseudonyms, const json_t *map)
{
	json_t *ids = json_array(), *v;
	size_t k;
	json_array_foreach(pseudonyms, k, v) {
		json_t *id = json_object_get(map, json_string_value(v) ? json_string_value(v) : "");
		if (!id) {
			json_decref(ids);
			return NULL;
		}
		json_array_append(ids, id);
	}
	char *csv = insp_array_csv(ids);
	json_decref(ids);
	return csv;
}

/* The registry kind of a bundle's subject: its kind; a bundle committed before subjects carried one held
 * institutions, and other kinds by their kind's name as type. */
static const char *subject_kind(const json_t *subject)
{
	const char *k = json_string_value(json_object_get(subject, "kind"));
	if (k && yj_subject_kind_valid(k))
		return k;
	const char *t = json_string_value(json_object_get(subject, "type"));
	return t && strcmp(t, "practitioner") && yj_subject_kind_valid(t) ? t : "institution";
}

/* One task per drawn subject, with its team, from the bundle. */
static int create_tasks(store_conn *c, yj_req *r, int64_t draw, const json_t *bundle, const char *dept)
{
	json_t *map = NULL;
	int rc = insp_pseudonym_map(c, &map);
	if (rc < 0) {
		json_decref(map);
		return rc;
	}
	const json_t *plan = json_object_get(bundle, "plan"), *subjects = json_object_get(bundle, "subjects");
	char *items = insp_array_csv(json_object_get(plan, "items")), actor[21];
	insp_actor(r, actor);
	int64_t plan_id = 0, now = yj_now_ms();
	yj_id_parse(json_string_value(json_object_get(plan, "id")), &plan_id);
	size_t k, i;
	json_t *pick, *s;
	json_array_foreach(json_object_get(json_object_get(bundle, "result"), "subjects"), k, pick) {
		const json_t *subject = NULL;
		json_array_foreach(subjects, i, s) if (json_equal(json_object_get(s, "id"), json_object_get(pick, "id"))) {
			subject = s;
			break;
		}
		int64_t sid = 0;
		yj_id_parse(json_string_value(json_object_get(pick, "id")), &sid);
		char *team = team_ids(json_object_get(pick, "inspectors"), map);
		if (!team) {
			rc = ST_ERR;
			break;
		}
		int64_t id = yj_id_new();
		insp_draw_task t = {.id = id, .draw_id = draw, .plan_id = plan_id, .subject_id = sid, .at = now, .item_ids = items,
				    .subject_name = json_string_value(json_object_get(subject, "name")),
				    .subject_code = json_string_value(json_object_get(subject, "credit_code")),
				    .region = json_string_value(json_object_get(subject, "region_code")), .department = dept,
				    .phase = json_string_value(json_object_get(pick, "phase")),
				    .due_date = json_string_value(json_object_get(plan, "end_date")), .actor = actor,
				    .subject_kind = subject_kind(subject)};
		rc = insp_draw_task_insert(c, &t);
		if (rc >= 0)
			rc = insp_team_write(c, id, team);
		free(team);
		if (rc < 0 || (rc = insp_todo_task(c, id)) < 0)
			break;
	}
	free(items);
	json_decref(map);
	return rc;
}

static int draw_tx(store_conn *c, void *arg)
{
	struct draw_arg *a = arg;
	json_t *row = NULL;
	int rc = insp_draw_sealed(c, &yj_who(a->r)->scope, a->id, &row);
	if (rc != ST_OK)
		return rc;
	if (strcmp(json_string_value(json_object_get(row, "state")), "committed")) {
		json_decref(row);
		return yj_refuse(&a->ref, 409, "state", "已抽取", "该抽取已完成，不能重新抽取；结果和验证包已公开。");
	}
	json_t *bundle = json_loads(json_string_value(json_object_get(row, "input")), 0, NULL);
	char *secret = yj_pii_decrypt(json_string_value(json_object_get(row, "secret_cipher")));
	json_t *commitment = json_pack("{s:O, s:O, s:O, s:O}", "input_hash", json_object_get(row, "input_hash"), "secret_hash",
				       json_object_get(row, "secret_hash"), "audit_leaf", json_object_get(row, "commit_leaf"),
				       "committed_at", json_object_get(row, "committed_at"));
	int64_t plan_id = json_integer_value(json_object_get(row, "plan_id"));
	char region[16], dept[32];
	snprintf(region, sizeof region, "%s", json_string_value(json_object_get(row, "region_code")));
	snprintf(dept, sizeof dept, "%s", json_string_value(json_object_get(row, "department")));
	json_decref(row);
	json_t *result = NULL;
	char seed[65];
	if (!bundle || !secret) {
		rc = ST_ERR;
		goto done;
	}
	json_object_set_new(bundle, "commitment", commitment);
	commitment = NULL;
	if ((rc = witness_check(a, json_integer_value(json_object_get(json_object_get(bundle, "commitment"), "committed_at")))) < 0)
		goto done;
	json_object_set_new(bundle, "witness", json_string(a->witness));
	if (a->source)
		json_object_set_new(bundle, "witness_source", json_pack("{s:s, s:I}", "source", a->source, "published_at",
									(json_int_t)a->published_at));
	json_object_set_new(bundle, "server_secret", json_string(secret));
	char *why = NULL;
	if (yj_draw_bundle_compute(bundle, secret, a->witness, &result, seed, &why) < 0) {
		rc = yj_refuse(&a->ref, 422, "draw-failed", "抽取失败", "%s", why ? why : "");
		free(why);
		goto done;
	}
	json_object_set_new(bundle, "seed", json_string(seed));
	json_object_set_new(bundle, "result", result);
	char *report = NULL;
	if (yj_draw_bundle_verify(bundle, &report) != 0) {
		/* Cannot happen unless the stored input was altered: refuse rather than publish it. */
		rc = yj_refuse(&a->ref, 500, "draw-failed", "抽取失败", "抽取结果自检未通过（%s），请联系管理员核查。",
			       report ? report : "");
		free(report);
		goto done;
	}
	free(report);
	int64_t leaf = 0, now = yj_now_ms();
	json_t *state = json_pack("{s:O, s:s, s:s, s:s, s:O?}", "input_hash",
				  json_object_get(json_object_get(bundle, "commitment"), "input_hash"), "witness", a->witness,
				  "server_secret", secret, "seed", seed, "witness_source", json_object_get(bundle, "witness_source"));
	rc = insp_audit(c, a->r, "inspection.draw.draw", "inspection_draw", a->id, region, state, &leaf);
	json_decref(state);
	if (rc < 0)
		goto done;
	if ((rc = create_tasks(c, a->r, a->id, bundle, dept)) < 0)
		goto done;
	char *res = yj_json_canonical(json_object_get(bundle, "result")), *canon = yj_json_canonical(bundle);
	insp_draw_done d = {.id = a->id, .leaf = leaf, .at = now, .witness = a->witness, .secret = secret, .seed = seed,
			    .result = res, .bundle = canon};
	rc = insp_draw_set_drawn(c, &d);
	free(res);
	free(canon);
	if (rc >= 0)
		rc = insp_plan_set_state(c, plan_id, "drawn");
	if (rc >= 0)
		rc = insp_draw_load(c, &yj_who(a->r)->scope, a->id, &a->out);
done:
	json_decref(commitment);
	json_decref(bundle);
	yj_pii_free(secret);
	return rc;
}

int insp_draw_run(yj_req *r)
{
	const json_t *b = yj_body(r), *at = json_object_get(b, "witness_published_at");
	struct draw_arg a = {.r = r, .witness = json_string_value(json_object_get(b, "witness")),
			     .source = json_string_value(json_object_get(b, "witness_source")), .published_at = json_integer_value(at)};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	if (insp_blank(a.witness) || !insp_clean(a.witness, 0))
		return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误",
					       "请输入见证人在抽取现场给出的见证值（如当期福利彩票开奖号码），不能为空或含控制字符。",
					       yj_field_errors("witness", "请输入见证值"));
	if ((a.source != NULL) != (at != NULL) || (a.source && (insp_blank(a.source) || !insp_clean(a.source, 0))))
		return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误",
					       "请同时填写见证值的公开来源（如“中国福利彩票 福彩3D 第2026057期”）和该来源公布它的时间。",
					       yj_field_errors(a.source ? "witness_published_at" : "witness_source",
							       "见证值来源和公布时间应同时填写"));
	if (yj_tx_or_reply(r, draw_tx, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, 200, a.out);
}

int insp_draw_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	int rc = insp_draw_load(c, &yj_who(r)->scope, id, &o);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	/* The tasks it created with their teams, for the page that shows teams. */
	json_t *tasks = NULL;
	insp_draw_tasks(c, &yj_who(r)->scope, id, &tasks);
	json_object_set_new(o, "tasks", tasks);
	return yj_reply_json(r, 200, o);
}

/* ---- public ---- */

int insp_public_bundle(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	json_t *b = NULL;
	int rc = insp_draw_bundle(store_conn_get(yj_store(r)), id, &b);
	if (rc == ST_NOTFOUND)
		return yj_reply_problem(r, 404, "not-found", "验证包不存在",
					"该抽取不存在或尚未抽取；抽取完成后才公开验证包，请稍后再试。");
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	char *text = b ? json_dumps(b, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(b);
	if (!text)
		return yj_reply_store_error(r, ST_ERR);
	char disp[80];
	snprintf(disp, sizeof disp, "attachment; filename=\"draw-%s.json\"", yj_param(r, "id"));
	yj_add_header(r, "Content-Disposition", disp);
	return yj_reply_take(r, 200, "application/json", text, strlen(text));
}

int insp_public_draws(yj_req *r)
{
	int limit;
	int64_t before;
	if (yj_page_id_or_reply(r, &limit, &before) < 0)
		return YJ_OK;
	if (!before)
		before = INT64_MAX; /* no cursor: from the newest */
	json_t *items = NULL, *next = NULL;
	int rc = insp_public_draws_page(store_conn_get(yj_store(r)), before, limit, &items, &next);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

const yj_field insp_draw_body[] = {
	{"witness", F_STRING, 1, 200, "The witness value entered at the draw (e.g. a public lottery number)"},
	{"witness_source", F_STRING, 0, 300, "Public source of the witness (e.g. the lottery and its issue); with witness_published_at"},
	{"witness_published_at", F_INT, 0, 0, "When the source published the witness, UTC epoch ms: must be after the commitment"},
	{NULL, 0, 0, 0, NULL},
};
const yj_qparam insp_page_q[] = {{"limit", "Page size, 1–200"}, {"cursor", "next_cursor of the previous page"}, {NULL, NULL}};
