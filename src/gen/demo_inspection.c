/* demo_inspection.c — double random in the demo region, through the platform's own API in process
 * (yj_server_dispatch as the demo administrator), so every row is the inspection module's, audited
 * as a user's would be: four more 鹿城区 inspectors, the directory, a committed and drawn plan with its
 * tasks in every state (assigned, in progress, completed), rectification orders — one on time, one
 * overdue (its dates moved into the past through inspection's store: yj_insp_order_backdate) — a
 * publication, and a draft plan. Runs once: a database that holds the drawn plan is left as it is. */
#define _POSIX_C_SOURCE 200809L
#include "demo.h"
#include "../base/base.h"
#include "../base/date.h"
#include "../base/log.h"
#include "../platform/auth/auth.h"
#include "../platform/http/http.h"
#include "../inspection/inspection.h"
#include "../base/id.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_NAME "鹿城区 2026 年度医疗机构双随机抽查（示范）"
#define DRAFT_NAME "鹿城区 2026 年第四季度专项抽查（草稿，示范）"

typedef struct ctx {
	yj_server *srv;
	char *tok;
	char **err;
	int64_t overdue_order; /* the order whose dates are moved into the past, or 0 */
} ctx;

/* One request as the demo administrator; *out the parsed answer (caller decrefs; may be NULL). */
static int call(ctx *c, const char *method, const char *url, json_t *body, json_t **out)
{
	char auth[200], *resp = NULL, *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	snprintf(auth, sizeof auth, "Bearer %s", c->tok);
	const char *const headers[] = {"Authorization", auth, "Content-Type", "application/json", NULL};
	int status = yj_server_dispatch(c->srv, method, url, headers, text, text ? strlen(text) : 0, &resp);
	free(text);
	json_decref(body);
	json_t *o = resp ? json_loads(resp, 0, NULL) : NULL;
	if (status >= 300 && !*c->err) {
		const char *d = json_string_value(json_object_get(o, "detail"));
		*c->err = yj_asprintf("demo inspection: %s %s answered %d: %s", method, url, status, d ? d : "(no detail)");
	}
	free(resp);
	if (out)
		*out = o;
	else
		json_decref(o);
	return status;
}

/* The id (string) of the user named username, creating it as an inspector of 鹿城区 when absent. */
static int inspector_user(ctx *c, const char *username, const char *name, const char *password, char id[32])
{
	char url[160];
	json_t *o = NULL;
	snprintf(url, sizeof url, "/api/v1/users?q=%s&limit=5", username);
	call(c, "GET", url, NULL, &o);
	json_t *it;
	size_t i;
	json_array_foreach(json_object_get(o, "items"), i, it) {
		if (!strcmp(json_string_value(json_object_get(it, "username")), username)) {
			snprintf(id, 32, "%s", json_string_value(json_object_get(it, "id")));
			json_decref(o);
			return 0;
		}
	}
	json_decref(o);
	int st = call(c, "POST", "/api/v1/users",
		      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "username", username, "display_name", name, "password",
				password, "role", "inspector", "region_code", "330302", "department", "health"),
		      &o);
	if (st == 201)
		snprintf(id, 32, "%s", json_string_value(json_object_get(o, "id")));
	json_decref(o);
	return st == 201 ? 0 : -1;
}

/* Has the drawn demo plan been made already? */
static int already(ctx *c)
{
	json_t *o = NULL, *p;
	size_t i;
	int found = 0;
	call(c, "GET", "/api/v1/inspection/plans", NULL, &o);
	json_array_foreach(json_object_get(o, "items"), i, p) found |= !strcmp(json_string_value(json_object_get(p, "name")), PLAN_NAME);
	json_decref(o);
	return found;
}

static int run(ctx *c, const char *password, yj_demo_insp_stats *out)
{
	/* The year's plan, whatever the year (the server judges dates against today). */
	char today[11], from[11], to[11], q4[11];
	yj_day_today(today);
	snprintf(from, sizeof from, "%.4s-01-01", today);
	snprintf(to, sizeof to, "%.4s-12-31", today);
	snprintf(q4, sizeof q4, "%.4s-10-01", today);
	static const char *const users[][2] = {{"lc.jiancha1", "林建华"}, {"lc.jiancha2", "陈晓燕"}, {"lc.jiancha3", "王志强"},
					      {"lc.jiancha4", "郑丽萍"}};
	char id[32], url[200];
	json_t *o = NULL;
	/* The directory: the demo's 鹿城区 inspector and four colleagues, each with a certificate number. */
	for (int i = 0; i <= 4; i++) {
		if (i == 0) {
			if (inspector_user(c, "inspector", "", password, id) < 0)
				return -1;
		} else if (inspector_user(c, users[i - 1][0], users[i - 1][1], password, id) < 0) {
			return -1;
		}
		char cert[16];
		snprintf(cert, sizeof cert, "330302%05d", 101 + i);
		snprintf(url, sizeof url, "/api/v1/inspection/inspectors/%s", id);
		if (call(c, "PUT", url, json_pack("{s:s}", "cert_no", cert), NULL) != 200)
			return -1;
		out->inspectors++;
	}
	/* A plan over 鹿城区 with the first item, committed and drawn with a witness. */
	/* The first item (hospitals' practice) and the first that covers clinics, so that the plan
	 * reaches the district's many small institutions too. */
	call(c, "GET", "/api/v1/inspection/items", NULL, &o);
	json_t *items = json_array(), *it;
	size_t n;
	int clinics = 0;
	json_array_foreach(json_object_get(o, "items"), n, it) {
		char *types = json_dumps(json_object_get(it, "subject_types"), JSON_COMPACT);
		int has_clinic = types && strstr(types, "\"clinic\"") != NULL;
		free(types);
		if (n == 0 || (has_clinic && !clinics)) {
			json_array_append(items, json_object_get(it, "id"));
			clinics |= has_clinic;
		}
	}
	json_decref(o);
	if (call(c, "POST", "/api/v1/inspection/plans",
		 json_pack("{s:s, s:s, s:O, s:s, s:i, s:s, s:s, s:i}", "name", DRAFT_NAME, "kind", "special", "item_ids", items,
			   "region_code", "330302", "ratio_permille", 30, "start_date", q4, "end_date", to,
			   "team_size", 2),
		 NULL) != 201) {
		json_decref(items);
		return -1;
	}
	out->plans++;
	int st = call(c, "POST", "/api/v1/inspection/plans",
		      json_pack("{s:s, s:s, s:o, s:s, s:i, s:s, s:s, s:i}", "name", PLAN_NAME, "kind", "annual", "item_ids", items,
				"region_code", "330302", "ratio_permille", 100, "start_date", from, "end_date", to,
				"team_size", 2),
		      &o);
	if (st != 201)
		return -1;
	snprintf(url, sizeof url, "/api/v1/inspection/plans/%s/commit", json_string_value(json_object_get(o, "id")));
	json_decref(o);
	out->plans++;
	if (call(c, "POST", url, NULL, &o) != 201)
		return -1;
	snprintf(url, sizeof url, "/api/v1/inspection/draws/%s/draw", json_string_value(json_object_get(o, "id")));
	json_decref(o);
	if (call(c, "POST", url, json_pack("{s:s}", "witness", "示范见证值 2026118 期 03 07 12 25 31"), &o) != 200)
		return -1;
	json_decref(o);
	/* Its tasks in every state: a third checked in, a third completed (one with a rectification order
	 * and one published), the rest waiting. */
	call(c, "GET", "/api/v1/inspection/tasks?limit=200", NULL, &o);
	json_t *t;
	size_t i;
	json_array_foreach(json_object_get(o, "items"), i, t) {
		const char *tid = json_string_value(json_object_get(t, "id"));
		out->tasks++;
		if (i % 3 == 2)
			continue;
		snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/checkin", tid);
		if (call(c, "POST", url, json_pack("{s:f, s:f}", "lng", 120.655, "lat", 28.016), NULL) != 200)
			break;
		if (i % 3 == 1)
			continue;
		/* Every check point answered: the first order's first point is where the problem was found. */
		json_t *task = NULL, *pt;
		size_t k;
		snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s", tid);
		call(c, "GET", url, NULL, &task);
		json_array_foreach(json_object_get(task, "checklist"), k, pt) {
			int bad = out->completed == 0 && k == 0;
			snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/checklist/%s", tid,
				 json_string_value(json_object_get(pt, "code")));
			call(c, "PUT", url,
			     bad ? json_pack("{s:s, s:s}", "result", "non_compliant", "note", "消毒隔离登记缺少近两个月记录")
				 : json_pack("{s:s}", "result", "compliant"),
			     NULL);
		}
		json_decref(task);
		/* the problem also as a finding, which the demo inspector can refer as an enforcement clue (移交立案) */
		if (out->completed == 0) {
			snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/findings", tid);
			call(c, "POST", url, json_pack("{s:s, s:s, s:s}", "severity", "general", "clause", "《消毒管理办法》第四条",
						       "description", "消毒隔离登记缺少近两个月记录"), NULL);
		}
		snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/signature", tid);
		if (call(c, "POST", url, json_pack("{s:b, s:s}", "signed", 1, "signer_name", "机构负责人"), NULL) != 200)
			break;
		snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/complete", tid);
		if (call(c, "POST", url, json_pack("{s:s}", "summary", i % 2 ? "未发现问题" : "消毒隔离记录不全，责令整改"), NULL) != 200)
			break;
		out->completed++;
		if (out->completed == 1) {
			snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/rectifications", tid);
			if (call(c, "POST", url, json_pack("{s:s, s:i}", "requirement", "补齐消毒隔离登记并完成科室自查", "working_days", 15),
				 NULL) == 201)
				out->rectifications++;
			/* The overdue one, on the same task (the smallest demo completes just one): issued with a
			 * short deadline, its dates then moved back (yj_demo_inspection). */
			json_t *ord = NULL;
			snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/rectifications", tid);
			if (call(c, "POST", url, json_pack("{s:s, s:i}", "requirement", "完善医疗废物交接登记，落实专人管理", "working_days", 5),
				 &ord) == 201) {
				out->rectifications++;
				yj_id_parse(json_string_value(json_object_get(ord, "id")), &c->overdue_order);
			}
			json_decref(ord);
		} else if (out->completed == 2) {
			snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/publish", tid);
			if (call(c, "POST", url, NULL, NULL) == 200)
				out->published++;
		}
	}
	json_decref(o);
	return *c->err ? -1 : 0;
}

/* Moves the overdue order's dates back: issued 30 days ago, due 9 days ago. */
static int backdate_tx(store_conn *sc, void *arg)
{
	const int64_t *id = arg;
	char today[11], issued[11], due[11];
	int64_t d;
	yj_day_today(today);
	if (yj_day_parse(today, &d) < 0)
		return ST_ERR;
	yj_day_format(d - 30, issued);
	yj_day_format(d - 9, due);
	return yj_insp_order_backdate(sc, *id, issued, due);
}

int yj_demo_inspection(store *s, const char *keys, const struct yj_route *const *tables, size_t ntables,
		       const char *password, yj_demo_insp_stats *out, char **err)
{
	memset(out, 0, sizeof *out);
	*err = NULL;
	ctx c = {NULL, yj_token_create(s, "admin", "demo-inspection", 1, "read,write", "cli:demo", err), err, 0};
	if (!c.tok)
		return -1;
	yj_http_config cfg = {0};
	c.srv = yj_server_new(&cfg, s, tables, ntables, &yj_auth_hooks_default, keys);
	int rc = 0;
	if (!c.srv) {
		*err = yj_strdup("demo inspection: cannot set up the in-process server");
		rc = -1;
	} else if (already(&c)) {
		out->present = 1;
	} else {
		/* The requests are the demo's, not a server's: no request log lines. */
		yj_log_set_level(YJ_LOG_WARN);
		rc = run(&c, password, out);
		yj_log_set_level(YJ_LOG_INFO);
		if (rc == 0 && c.overdue_order) {
			char today[11];
			int announced = 0;
			yj_day_today(today);
			if (store_tx(s, backdate_tx, &c.overdue_order) < 0 || yj_insp_overdue_run(s, today, &announced) < 0) {
				*err = yj_strdup("demo inspection: cannot make the overdue rectification order");
				rc = -1;
			} else {
				out->overdue = 1;
			}
		}
	}
	if (c.srv)
		yj_server_free(c.srv);
	free(c.tok);
	return rc;
}
