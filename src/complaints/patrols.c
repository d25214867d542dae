/* patrols.c — grid patrols (网格巡查, R17), their rules and writes: a grid member checks in at a subject of
 * its grids with a short checklist and photos; a suspected violation is reported (协管信息) and reaches the
 * inspectors of the territory as a to-do and the event complaints.patrol_reported; the reporting rate
 * (reported ÷ found) per grid and town against 98 %, with the grids below it in the town leaders' inbox (daily
 * job). The SQL is in patrols_store.c, the routes in patrols_api.c (docs/complaints.md, "Grid patrols"). */
#define _POSIX_C_SOURCE 200809L
#include "patrols_int.h"
#include "../platform/attach/attach.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATROL_DEPT "health" /* grid members work for the health commission's supervision */
#define RATE_TARGET 980	     /* ‰: the 98 % reporting rate of R17.1 */
#define RATE_DAYS 30	     /* the rate's window, ending today */
#define MAX_PHOTOS 3
#define MAX_PHOTO (4 << 20)

/* The short checklist (each item true when in order). */
static const char *const items[][2] = {
	{"open", "正常营业，有固定场所"},
	{"licence_displayed", "执业许可证悬挂在醒目位置"},
	{"within_scope", "未发现超范围执业"},
	{"staff_licensed", "执业人员持证上岗"},
	{"waste", "医疗废物分类收集、规范处置"},
};
#define NITEMS (sizeof items / sizeof items[0])

json_t *ptl_checklist_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; i < NITEMS; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "code", items[i][0], "label", items[i][1]));
	return a;
}

static int audit(store_conn *c, const char *actor, const char *action, const json_t *p, const json_t *state)
{
	yj_audit_event ev = {actor, action, "grid_patrol", cmp_s(p, "id"), cmp_s(p, "region_code"), state};
	return yj_audit_append(c, &ev, NULL);
}

static const char *sniff(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	return NULL;
}

static int photos_put(store_conn *c, cmp_op *a, int64_t id, const json_t *list)
{
	size_t i;
	json_t *ph;
	json_array_foreach(list, i, ph) {
		const char *name = cmp_s(ph, "name"), *b64 = cmp_s(ph, "content_base64");
		size_t len = strlen(b64), max = len / 4 * 3 + 3, n = 0;
		if (!*name || strlen(name) > 200 || len / 4 * 3 > MAX_PHOTO + 3)
			return yj_refuse(&a->ref, 413, "payload-too-large", "照片过大", "每张照片不超过 4 MiB，并应有文件名；本次巡查未保存。");
		unsigned char *bin = malloc(max ? max : 1);
		if (!bin)
			return ST_ERR;
		const char *type = NULL;
		if (sodium_base642bin(bin, max, b64, len, "\r\n ", &n, NULL, sodium_base64_VARIANT_ORIGINAL) == 0)
			type = sniff(bin, n);
		int rc = ST_OK;
		char hex[65];
		if (!type || n > MAX_PHOTO)
			rc = yj_refuse(&a->ref, 415, "unsupported-media-type", "不支持的照片",
				       "照片“%s”应为 Base64 编码的 JPEG 或 PNG，不超过 4 MiB；本次巡查未保存。", name);
		else if ((rc = yj_blob_put(c, bin, n, hex)) >= 0)
			rc = ptl_photo_insert(c, id, hex, name, type, (int64_t)n);
		free(bin);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

int ptl_checkin_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body, *cl = json_object_get(b, "checklist");
	int64_t sid = 0;
	yj_subject_summary sum;
	yj_grid_ref g;
	int rc;
	if (yj_id_parse(cmp_s(b, "subject_id"), &sid) < 0 || (rc = yj_subject_summary_get(c, &who->scope, sid, &sum)) == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "subject_id", "应为您网格内的机构");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc < 0)
		return rc;
	if ((rc = yj_reg_subject_grid(c, sid, &g)) == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "subject_id", "该机构未划入网格，请联系管理员划分网格");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc < 0)
		return rc;
	json_t *checklist = json_object();
	int problems = 0;
	for (size_t i = 0; i < NITEMS; i++) {
		json_t *v = json_object_get(cl, items[i][0]);
		if (!json_is_boolean(v)) {
			yj_refusal_field(&a->ref, "checklist", "请逐项填写检查清单（GET /api/v1/patrols/checklist），每项为 true（正常）或 false（有问题）");
			break;
		}
		json_object_set(checklist, items[i][0], v);
		problems += json_is_false(v);
	}
	double lat = json_number_value(json_object_get(b, "lat")), lng = json_number_value(json_object_get(b, "lng"));
	if (lat < 3 || lat > 54 || lng < 73 || lng > 136)
		yj_refusal_field(&a->ref, "lat", "签到位置应为中国境内的经纬度");
	if (json_array_size(json_object_get(b, "photos")) > MAX_PHOTOS)
		yj_refusal_field(&a->ref, "photos", "照片最多 3 张");
	if (yj_refusal_has_fields(&a->ref)) {
		json_decref(checklist);
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char today[11], actor[21], slat[32], slng[32], *cls = json_dumps(checklist, JSON_COMPACT | JSON_SORT_KEYS);
	int64_t id = yj_id_new(), now = yj_now_ms();
	json_decref(checklist);
	yj_day_today(today);
	yj_id_format(who->user_id, actor);
	snprintf(slat, sizeof slat, "%.6f", lat);
	snprintf(slng, sizeof slng, "%.6f", lng);
	ptl_new row = {.id = id, .subject_id = sid, .member_id = who->user_id, .grid = &g, .department = PATROL_DEPT,
		       .patrolled_on = today, .lat = slat, .lng = slng, .checklist = cls, .note = cmp_s(b, "note"),
		       .state = problems ? "found" : "clear", .problems = problems};
	rc = ptl_insert(c, &row, now);
	free(cls);
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc < 0 || (rc = photos_put(c, a, id, json_object_get(b, "photos"))) < 0 || (rc = ptl_load(c, &all, id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:i}", "grid_code", g.code, "problems", problems);
	rc = audit(c, actor, "grid.patrol.checkin", a->out, state);
	json_decref(state);
	return rc;
}

int ptl_report_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const char *text = cmp_s(a->body, "text");
	int rc = ptl_load(c, &who->scope, a->id, &a->out);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "巡查记录不存在", "没有这条巡查记录，或它不在您的网格内。");
	if (rc < 0)
		return rc;
	int64_t member = 0;
	yj_id_parse(cmp_s(a->out, "member_id"), &member);
	if (member != who->user_id)
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是您的巡查", "协管信息由巡查的网格员本人报告。");
	if (!strcmp(cmp_s(a->out, "state"), "reported"))
		return yj_refuse(&a->ref, 409, "already-done", "已报告", "这次巡查发现的问题已报告，无需重复。");
	if (yj_utf8_len(text, strlen(text)) < 5) {
		yj_refusal_field(&a->ref, "text", "请用至少 5 个字写明发现的疑似违法行为");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char actor[21];
	int64_t now = yj_now_ms();
	yj_id_format(who->user_id, actor);
	rc = ptl_set_reported(c, a->id, text, now);
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc < 0 || (rc = ptl_load(c, &all, a->id, &a->out)) < 0)
		return rc;
	char today[11];
	yj_day_today(today);
	/* the event names the subject and the failed items, never the member's text */
	json_t *failed = json_array(), *cl = json_object_get(a->out, "checklist");
	for (size_t i = 0; i < NITEMS; i++)
		if (json_is_false(json_object_get(cl, items[i][0])))
			json_array_append_new(failed, json_string(items[i][0]));
	json_t *payload = json_pack("{s:O, s:s, s:O, s:s, s:o, s:s, s:s}", "patrol_id", json_object_get(a->out, "id"), "subject_kind",
				    "institution", "subject_id", json_object_get(a->out, "subject_id"), "grid_code",
				    cmp_s(a->out, "grid_code"), "problems", failed, "reported_on", today, "department", PATROL_DEPT);
	yj_event ev = {"complaints.patrol_reported", "grid_patrol", cmp_s(a->out, "id"), cmp_s(a->out, "region_code"), actor, payload};
	json_t *state = json_pack("{s:s}", "reported_on", today);
	char link[64], *title = yj_asprintf("网格员报告疑似违法（网格 %s）", cmp_s(a->out, "grid_code"));
	snprintf(link, sizeof link, "/patrols/%s", cmp_s(a->out, "id"));
	yj_todo td = {.kind = "complaints.patrol_report", .kind_label = "协管信息", .title = title, .object_type = "grid_patrol",
		      .object_id = a->id, .link = link, .region_code = cmp_s(a->out, "region_code"), .department = PATROL_DEPT,
		      .role = "inspector"};
	if ((rc = audit(c, actor, "grid.patrol.report", a->out, state)) >= 0 && (rc = yj_event_emit(c, &ev, NULL)) >= 0)
		rc = yj_todo_put(c, &td);
	free(title);
	json_decref(state);
	json_decref(payload);
	return rc;
}

/* ---- the reporting rate ---- */

struct rate_arg {
	store_conn *c;
	const char *from, *to;
	json_t *grids, *towns;
	int rc;
};

/* ‰ of found problems reported; 1000 when nothing was found (nothing left unreported). */
static int rate_of(int64_t found, int64_t reported)
{
	return found ? (int)(reported * 1000 / found) : 1000;
}

static int each_grid(const yj_grid_ref *g, int64_t nsubjects, void *argp)
{
	struct rate_arg *a = argp;
	int64_t patrols, found, reported;
	int rc = ptl_grid_counts(a->c, g->id, a->from, a->to, &patrols, &found, &reported);
	if (rc < 0)
		return rc;
	int rate = rate_of(found, reported);
	json_array_append_new(a->grids, json_pack("{s:o, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:i, s:b}", "grid_id", yj_json_id(g->id),
						  "grid_code", g->code, "name", g->name, "town", g->region_code, "subjects",
						  (json_int_t)nsubjects, "patrols", (json_int_t)patrols, "found", (json_int_t)found,
						  "reported", (json_int_t)reported, "rate_permille", rate, "below", rate < RATE_TARGET));
	json_t *t = json_object_get(a->towns, g->region_code);
	if (!t) {
		t = json_pack("{s:s, s:i, s:i, s:i, s:i}", "town", g->region_code, "grids", 0, "found", 0, "reported", 0, "grids_below", 0);
		json_object_set_new(a->towns, g->region_code, t);
	}
	json_object_set_new(t, "grids", json_integer(json_integer_value(json_object_get(t, "grids")) + 1));
	json_object_set_new(t, "found", json_integer(json_integer_value(json_object_get(t, "found")) + found));
	json_object_set_new(t, "reported", json_integer(json_integer_value(json_object_get(t, "reported")) + reported));
	json_object_set_new(t, "grids_below", json_integer(json_integer_value(json_object_get(t, "grids_below")) + (rate < RATE_TARGET)));
	return ST_OK;
}

static void window(const char *today, char from[11])
{
	int64_t d;
	yj_day_parse(today, &d);
	yj_day_format(d - RATE_DAYS + 1, from);
}

int ptl_rates(store_conn *c, const char *region, const char *today, json_t **out)
{
	char from[11];
	window(today, from);
	struct rate_arg a = {c, from, today, json_array(), json_object(), 0};
	int rc = yj_reg_grids_each(c, region, each_grid, &a);
	if (rc < 0) {
		json_decref(a.grids);
		json_decref(a.towns);
		return rc;
	}
	json_t *towns = json_array(), *t;
	const char *k;
	json_object_foreach(a.towns, k, t) {
		int rate = rate_of(json_integer_value(json_object_get(t, "found")), json_integer_value(json_object_get(t, "reported")));
		json_object_set_new(t, "rate_permille", json_integer(rate));
		json_object_set_new(t, "below", json_boolean(rate < RATE_TARGET));
		json_array_append(towns, t);
	}
	json_decref(a.towns);
	*out = json_pack("{s:s, s:s, s:s, s:i, s:o, s:o}", "region_code", region, "from", from, "to", today, "target_permille",
			 RATE_TARGET, "grids", a.grids, "towns", towns);
	return ST_OK;
}

/* The daily job: a grid below the target gets a to-do for the leaders of its town; one back above it
 * has its to-do closed. */
struct job_arg {
	const char *from, *to;
	int flagged;
};

static int flag_grid(store_conn *c, const yj_grid_ref *g, int rate, int64_t found, int64_t reported)
{
	if (rate >= RATE_TARGET)
		return yj_todo_close(c, "complaints.patrol_rate", "grid", g->id, YJ_TODO_DONE);
	char *title = yj_asprintf("网格“%s”协管信息报告率 %d.%d%%（发现 %lld 起，报告 %lld 起），低于 98%%", g->name, rate / 10, rate % 10,
				  (long long)found, (long long)reported);
	yj_todo td = {.kind = "complaints.patrol_rate", .kind_label = "网格报告率", .title = title, .object_type = "grid",
		      .object_id = g->id, .link = "/patrols", .region_code = g->region_code, .department = PATROL_DEPT,
		      .role = "leader"};
	int rc = yj_todo_put(c, &td);
	free(title);
	return rc;
}

struct grid_list {
	yj_grid_ref *g;
	size_t n, cap;
};

static int collect(const yj_grid_ref *g, int64_t nsubjects, void *argp)
{
	(void)nsubjects;
	struct grid_list *l = argp;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		yj_grid_ref *p = realloc(l->g, cap * sizeof *p);
		if (!p)
			return ST_ERR;
		l->g = p;
		l->cap = cap;
	}
	l->g[l->n++] = *g;
	return ST_OK;
}

struct one_arg {
	const yj_grid_ref *g;
	const char *from, *to;
	int flagged;
};

static int one_tx(store_conn *c, void *argp)
{
	struct one_arg *a = argp;
	int64_t patrols, found, reported;
	int rc = ptl_grid_counts(c, a->g->id, a->from, a->to, &patrols, &found, &reported);
	if (rc < 0)
		return rc;
	int rate = rate_of(found, reported);
	a->flagged = rate < RATE_TARGET;
	return flag_grid(c, a->g, rate, found, reported);
}

int yj_cmp_patrol_rate_run(store *s, const char *today, int *flagged)
{
	char from[11];
	struct grid_list l = {0};
	store_conn *c = store_conn_get(s);
	int rc;
	*flagged = 0;
	window(today, from);
	if ((rc = store_begin(c, 0)) < 0)
		return rc;
	rc = yj_reg_grids_each(c, "", collect, &l);
	store_rollback(c);
	for (size_t i = 0; rc >= 0 && i < l.n; i++) {
		struct one_arg a = {&l.g[i], from, today, 0};
		if ((rc = store_tx(s, one_tx, &a)) >= 0)
			*flagged += a.flagged;
	}
	free(l.g);
	return rc < 0 ? rc : ST_OK;
}

const cmp_op_def cmp_patrol_ops[] = {
	{"patrol.checkin", ptl_checkin_tx},
	{"patrol.report", ptl_report_tx},
	{NULL, NULL},
};
