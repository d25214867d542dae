/* draw_api.c — a committed draw run over HTTP: the witness value (and where it was published) is
 * checked against the commitment's time, the sealed server secret revealed, the draw computed and
 * verified (draw_bundle.h), one task per drawn subject created with its team, and the bundle that
 * `yijian draw verify` checks published with the draws list on the public portal. */
#define _POSIX_C_SOURCE 200809L
#include "insp_draw.h"
#include "draw_bundle.h"
#include "../platform/pii/pii.h"
#include "../registry/registry.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAW_COLS                                                                                                  \
	"id, plan_id, state, input_hash, secret_hash, commit_leaf, subject_count, draw_count, witness, server_secret," \
	" seed, result, draw_leaf, region_code, department, committed_at, drawn_at, actor"

static json_t *draw_json(store_stmt *st)
{
	json_t *res = store_col_is_null(st, 11) ? json_null() : json_loads(store_col_text(st, 11), 0, NULL);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o}", "id",
			 yj_json_id(store_col_int64(st, 0)), "plan_id", yj_json_id(store_col_int64(st, 1)), "state",
			 insp_text(st, 2), "input_hash", insp_text(st, 3), "secret_hash", insp_text(st, 4), "commit_leaf",
			 (json_int_t)store_col_int64(st, 5), "subject_count", (json_int_t)store_col_int64(st, 6), "draw_count",
			 (json_int_t)store_col_int64(st, 7), "witness", insp_text(st, 8), "server_secret", insp_text(st, 9),
			 "seed", insp_text(st, 10), "result", res ? res : json_null(), "draw_leaf", insp_int(st, 12),
			 "region_code", insp_text(st, 13), "department", insp_text(st, 14), "committed_at",
			 (json_int_t)store_col_int64(st, 15), "drawn_at", insp_int(st, 16), "actor", insp_text(st, 17));
}

int insp_draw_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_qb *q = yj_q_select(&insp_draws_t, DRAW_COLS, sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*out = draw_json(st);
		json_object_set_new(*out, "bundle_url", json_string_nocheck(""));
		char url[80];
		snprintf(url, sizeof url, "/api/v1/public/draws/%s/bundle", json_string_value(json_object_get(*out, "id")));
		json_object_set_new(*out, "bundle_url",
				    strcmp(json_string_value(json_object_get(*out, "state")), "drawn") ? json_null() : json_string(url));
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

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

/* The bundle names inspectors by pseudonym (insp_pseudonym); the tasks need their user ids. Maps
 * every directory inspector's pseudonym to the id (*map, new reference) — inactive ones too, since
 * one may have left the directory between commitment and draw. */
static int pseudonym_map(store_conn *c, json_t **map)
{
	*map = json_object();
	store_stmt *st = store_prepare(c, "SELECT user_id FROM inspectors");
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		char p[18];
		insp_pseudonym(store_col_int64(st, 0), p);
		json_object_set_new(*map, p, yj_json_id(store_col_int64(st, 0)));
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
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

/* One task per drawn subject, with its team, from the bundle. */
static int create_tasks(store_conn *c, yj_req *r, int64_t draw, const json_t *bundle, const char *dept)
{
	json_t *map = NULL;
	int rc = pseudonym_map(c, &map);
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
		store_stmt *st = !team ? NULL : store_prepare(c, "INSERT INTO inspection_tasks (id, kind, draw_id, plan_id, item_ids, subject_id,"
						  " subject_name, subject_code, region_code, department, phase, due_date, state,"
						  " created_by, created_at, updated_at) VALUES (?, 'random', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
						  " 'assigned', ?, ?, ?)");
		if (!st) {
			free(team);
			rc = ST_ERR;
			break;
		}
		int64_t id = yj_id_new();
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, draw);
		store_bind_int64(st, 3, plan_id);
		store_bind_text(st, 4, items, -1);
		store_bind_int64(st, 5, sid);
		store_bind_text(st, 6, json_string_value(json_object_get(subject, "name")), -1);
		store_bind_text(st, 7, json_string_value(json_object_get(subject, "credit_code")), -1);
		store_bind_text(st, 8, json_string_value(json_object_get(subject, "region_code")), -1);
		store_bind_text(st, 9, dept, -1);
		store_bind_text(st, 10, json_string_value(json_object_get(pick, "phase")), -1);
		store_bind_text(st, 11, json_string_value(json_object_get(plan, "end_date")), -1);
		store_bind_text(st, 12, actor, -1);
		store_bind_int64(st, 13, now);
		store_bind_int64(st, 14, now);
		rc = store_step(st);
		store_finalize(st);
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
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &insp_draws_t,
				"state, input, secret_cipher, input_hash, secret_hash, commit_leaf, committed_at,"
				" plan_id, region_code, department",
				&yj_who(a->r)->scope, a->id, &st);
	if (rc != ST_OK)
		return rc;
	if (strcmp(store_col_text(st, 0), "committed")) {
		store_finalize(st);
		return yj_refuse(&a->ref, 409, "state", "已抽取", "该抽取已完成，不能重新抽取；结果和验证包已公开。");
	}
	json_t *bundle = json_loads(store_col_text(st, 1), 0, NULL);
	char *secret = yj_pii_decrypt(store_col_text(st, 2));
	json_t *commitment = json_pack("{s:s, s:s, s:I, s:I}", "input_hash", store_col_text(st, 3), "secret_hash",
				       store_col_text(st, 4), "audit_leaf", (json_int_t)store_col_int64(st, 5), "committed_at",
				       (json_int_t)store_col_int64(st, 6));
	int64_t plan_id = store_col_int64(st, 7);
	char region[16], dept[32];
	snprintf(region, sizeof region, "%s", store_col_text(st, 8));
	snprintf(dept, sizeof dept, "%s", store_col_text(st, 9));
	store_finalize(st);
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
	st = store_prepare(c, "UPDATE inspection_draws SET state = 'drawn', witness = ?, server_secret = ?, seed = ?, result = ?,"
			      " bundle = ?, draw_leaf = ?, drawn_at = ? WHERE id = ? AND state = 'committed'");
	if (st) {
		store_bind_text(st, 1, a->witness, -1);
		store_bind_text(st, 2, secret, -1);
		store_bind_text(st, 3, seed, -1);
		store_bind_text(st, 4, res, -1);
		store_bind_text(st, 5, canon, -1);
		store_bind_int64(st, 6, leaf);
		store_bind_int64(st, 7, now);
		store_bind_int64(st, 8, a->id);
		rc = store_step(st);
		store_finalize(st);
	} else {
		rc = ST_ERR;
	}
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
	/* The tasks it created, for the page that shows teams. */
	yj_qb *q = yj_q_select(&insp_tasks_t, "id, subject_id, subject_name, phase, state", &yj_who(r)->scope);
	yj_q_where(q, "draw_id = ?");
	yj_q_int(q, id);
	yj_q_tail(q, "ORDER BY id");
	store_stmt *st = yj_q_prepare(q, c);
	json_t *tasks = json_array();
	while (st && (rc = store_step(st)) == ST_ROW)
		json_array_append_new(tasks, json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", yj_json_id(store_col_int64(st, 0)),
						       "subject_id", yj_json_id(store_col_int64(st, 1)), "subject_name",
						       insp_text(st, 2), "phase", insp_text(st, 3), "state", insp_text(st, 4)));
	if (st)
		store_finalize(st);
	/* Their teams in one statement. */
	q = yj_q_select(&insp_members_t, "m.task_id, m.user_id, i.cert_no", &yj_who(r)->scope);
	yj_q_where(q, "inspection_tasks.draw_id = ?");
	yj_q_int(q, id);
	yj_q_tail(q, "ORDER BY m.task_id, m.member_order");
	insp_teams_fill(c, yj_q_prepare(q, c), tasks);
	json_object_set_new(o, "tasks", tasks);
	return yj_reply_json(r, 200, o);
}

/* ---- public ---- */

int insp_public_bundle(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)),
				       "SELECT bundle FROM inspection_draws WHERE id = ? AND state = 'drawn'");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc != ST_ROW) {
		store_finalize(st);
		if (rc < 0)
			return yj_reply_store_error(r, rc);
		return yj_reply_problem(r, 404, "not-found", "验证包不存在",
					"该抽取不存在或尚未抽取；抽取完成后才公开验证包，请稍后再试。");
	}
	json_t *b = json_loads(store_col_text(st, 0), 0, NULL);
	store_finalize(st);
	char *text = b ? json_dumps(b, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(b);
	if (!text)
		return yj_reply_store_error(r, ST_ERR);
	char disp[80];
	snprintf(disp, sizeof disp, "attachment; filename=\"draw-%s.json\"", yj_param(r, "id"));
	yj_add_header(r, "Content-Disposition", disp);
	return yj_reply_take(r, 200, "application/json", text, strlen(text));
}

/* Sets "region_name" on each item from its "region_code", with the registry's names (one statement). */
static int region_names_fill(store_conn *c, json_t *items)
{
	size_t i, n = json_array_size(items);
	json_t *it, *names = json_object();
	const char **codes = yj_malloc((n ? n : 1) * sizeof *codes);
	json_array_foreach(items, i, it) codes[i] = json_string_value(json_object_get(it, "region_code"));
	int rc = yj_region_names(c, codes, n, names);
	json_array_foreach(items, i, it) {
		json_t *nm = json_object_get(names, codes[i] ? codes[i] : "");
		json_object_set(it, "region_name", nm ? nm : json_null());
	}
	free(codes);
	json_decref(names);
	return rc;
}

int insp_public_draws(yj_req *r)
{
	int limit;
	const char *cursor;
	int64_t before = INT64_MAX;
	if (yj_page_params(r, &limit, &cursor) < 0)
		return YJ_OK;
	if (cursor && yj_id_parse(cursor, &before) < 0)
		return yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)),
				       "SELECT d.id, p.name, d.region_code, NULL, d.subject_count, d.draw_count, d.input_hash,"
				       " d.commit_leaf, d.committed_at, d.witness, d.drawn_at FROM inspection_draws d JOIN"
				       " inspection_plans p ON p.id = d.plan_id WHERE"
				       " d.state = 'drawn' AND d.id < ? ORDER BY d.id DESC LIMIT ?");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	store_bind_int64(st, 1, before);
	store_bind_int64(st, 2, limit + 1);
	json_t *items = json_array(), *next = json_null();
	int rc, n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (++n > limit) {
			json_decref(next);
			next = yj_cursor_json(json_string_value(json_object_get(json_array_get(items, (size_t)limit - 1), "id")));
			break;
		}
		char url[80], sid[21];
		yj_id_format(store_col_int64(st, 0), sid);
		snprintf(url, sizeof url, "/api/v1/public/draws/%s/bundle", sid);
		json_array_append_new(items, json_pack("{s:s, s:o, s:o, s:o, s:I, s:I, s:o, s:I, s:I, s:o, s:I, s:s}", "id", sid,
						       "plan_name", insp_text(st, 1), "region_code", insp_text(st, 2),
						       "region_name", insp_text(st, 3), "subject_count",
						       (json_int_t)store_col_int64(st, 4), "draw_count", (json_int_t)store_col_int64(st, 5),
						       "input_hash", insp_text(st, 6), "commit_leaf", (json_int_t)store_col_int64(st, 7),
						       "committed_at", (json_int_t)store_col_int64(st, 8), "witness", insp_text(st, 9),
						       "drawn_at", (json_int_t)store_col_int64(st, 10), "bundle_url", url));
	}
	store_finalize(st);
	if (rc >= 0)
		rc = region_names_fill(store_conn_get(yj_store(r)), items);
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

const yj_field insp_draw_body[] = {
	{"witness", F_STRING, 1, 200, "The witness value entered at the draw (e.g. a public lottery number)"},
	{"witness_source", F_STRING, 0, 300, "Public source of the witness (e.g. the lottery and its issue); with witness_published_at"},
	{"witness_published_at", F_INT, 0, 0, "When the source published the witness, UTC epoch ms: must be after the commitment"},
	{NULL, 0, 0, 0, NULL},
};
const yj_qparam insp_page_q[] = {{"limit", "Page size, 1–200"}, {"cursor", "next_cursor of the previous page"}, {NULL, NULL}};
