/* opinion.c — major public-opinion events and group disputes (重大舆情, 群体性事件): registration with a
 * level, coordinated response tasks across departments (each a to-do of its department until done), a
 * timeline of what happened and was done, and the closure report. Routes and their SQL in one file, as
 * transfers.c (docs/complaints.md, "Public-opinion events"). */
#define _POSIX_C_SOURCE 200809L
#include "cmp_int.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HANDLERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)
#define OWNERS (ROLE_ADMIN | ROLE_LEADER | ROLE_LIAISON)

static const yj_table ev_t = {"opinion_events", "region_code", "department", NULL};
static const yj_table task_t = {"opinion_tasks", "region_code", "department", NULL};
#define E_COLS "id, region_code, department, title, kind, level, source, summary, occurred_on, state, closure_report, closed_on, created_at"
#define T_COLS "id, event_id, region_code, department, task, due_on, state, result, done_on"

/* Levels (分级): IV 一般, III 较大, II 重大, I 特别重大. */
static const char *const levels[][2] = {{"4", "一般（Ⅳ级）"}, {"3", "较大（Ⅲ级）"}, {"2", "重大（Ⅱ级）"}, {"1", "特别重大（Ⅰ级）"}};

static const char *level_label(int64_t level)
{
	return level >= 1 && level <= 4 ? levels[4 - level][1] : "";
}

static json_t *event_json(store_stmt *st, void *arg)
{
	(void)arg;
	int64_t level = store_col_int64(st, 5);
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I}", "id",
			 yj_json_id(store_col_int64(st, 0)), "region_code", store_col_text(st, 1), "department",
			 store_col_text(st, 2), "title", store_col_text(st, 3), "kind", store_col_text(st, 4), "level",
			 (int)level, "level_label", level_label(level), "source", store_col_text(st, 6), "summary",
			 store_col_text(st, 7), "occurred_on", store_col_text(st, 8), "state", store_col_text(st, 9),
			 "closure_report", store_col_text(st, 10), "closed_on", cmp_text_or_null(st, 11), "created_at",
			 (json_int_t)store_col_int64(st, 12));
}

static json_t *task_json(store_stmt *st, void *arg)
{
	(void)arg;
	char today[11];
	yj_day_today(today);
	const char *state = store_col_text(st, 6), *due = store_col_text(st, 5);
	return json_pack("{s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "id", yj_json_id(store_col_int64(st, 0)), "event_id",
			 yj_json_id(store_col_int64(st, 1)), "region_code", store_col_text(st, 2), "department",
			 store_col_text(st, 3), "task", store_col_text(st, 4), "due_on", due, "state", state, "result",
			 store_col_text(st, 7), "done_on", cmp_text_or_null(st, 8), "overdue", !strcmp(state, "open") && strcmp(today, due) > 0);
}

/* The event with its tasks and timeline, whoever owns the tasks (the event's readers follow them). */
static int load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &ev_t, E_COLS, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	json_decref(*out);
	*out = event_json(st, NULL);
	store_finalize(st);
	json_t *tasks = json_array(), *timeline = json_array();
	json_object_set_new(*out, "tasks", tasks);
	json_object_set_new(*out, "timeline", timeline);
	if (!(st = store_prepare(c, "SELECT " T_COLS " FROM opinion_tasks WHERE event_id = ? ORDER BY id")))
		return ST_ERR;
	store_bind_int64(st, 1, id);
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(tasks, task_json(st, NULL));
	store_finalize(st);
	if (rc < 0 || !(st = store_prepare(c, "SELECT at, department, entry FROM opinion_timeline WHERE event_id = ? ORDER BY at, id")))
		return rc < 0 ? rc : ST_ERR;
	store_bind_int64(st, 1, id);
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(timeline, json_pack("{s:I, s:s, s:s}", "at", (json_int_t)store_col_int64(st, 0), "department",
							  store_col_text(st, 1), "entry", store_col_text(st, 2)));
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* As load, and also an event one of whose tasks the caller's department owns within its territory. */
static int load_as_party(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	int rc = load(c, sc, id, out);
	if (rc != ST_NOTFOUND)
		return rc;
	yj_qb *q = yj_q_select(&task_t, "id", sc);
	yj_q_where(q, "event_id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	rc = st ? store_step(st) : ST_ERR;
	store_finalize(st);
	if (rc != ST_ROW)
		return rc < 0 ? rc : ST_NOTFOUND;
	yj_scope all;
	yj_scope_unrestricted(&all);
	return load(c, &all, id, out);
}

static int timeline_add(store_conn *c, int64_t id, const char *department, const char *entry)
{
	store_stmt *st = store_prepare(c, "INSERT INTO opinion_timeline (id, event_id, at, department, entry) VALUES (?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_int64(st, 2, id);
	store_bind_int64(st, 3, yj_now_ms());
	store_bind_text(st, 4, department, -1);
	store_bind_text(st, 5, entry, -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static int audit(store_conn *c, const char *actor, const char *action, const char *type, const char *id, const char *region,
		 const json_t *state)
{
	yj_audit_event ev = {actor, action, type, id, region, state};
	return yj_audit_append(c, &ev, NULL);
}

static int text_ok(const char *s, size_t min)
{
	for (const char *k = s; *k; k++)
		if ((unsigned char)*k < 0x20 && *k != '\n')
			return 0;
	return yj_utf8_len(s, strlen(s)) >= min;
}

/* Inserts task (a JSON object {department, task, due_on}) of event id with its to-do. */
static int task_put(store_conn *c, int64_t id, const char *region, const json_t *t, const char *title)
{
	int64_t tid = yj_id_new();
	store_stmt *st = store_prepare(c, "INSERT INTO opinion_tasks (id, event_id, region_code, department, task, due_on, state, result)"
					  " VALUES (?, ?, ?, ?, ?, ?, 'open', '')");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, tid);
	store_bind_int64(st, 2, id);
	store_bind_text(st, 3, region, -1);
	store_bind_text(st, 4, cmp_s(t, "department"), -1);
	store_bind_text(st, 5, cmp_s(t, "task"), -1);
	store_bind_text(st, 6, cmp_s(t, "due_on"), -1);
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char *tt = yj_asprintf("舆情处置：%s（%s）", cmp_s(t, "task"), title), link[64], sid[21];
	yj_id_format(id, sid);
	snprintf(link, sizeof link, "/opinion-events/%s", sid);
	yj_todo td = {.kind = "complaints.opinion_task", .kind_label = "舆情处置任务", .title = tt, .object_type = "opinion_task",
		      .object_id = tid, .link = link, .due_date = cmp_s(t, "due_on"), .region_code = region,
		      .department = cmp_s(t, "department"), .role = "liaison"};
	rc = yj_todo_put(c, &td);
	free(tt);
	return rc;
}

/* Refuses tasks that are not [{department, task, due_on}] of known departments: 1 when all are fine. */
static int tasks_ok(store_conn *c, yj_refusal *ref, const json_t *tasks, int *rc)
{
	size_t i;
	const json_t *t;
	char name[64];
	int64_t d;
	*rc = ST_OK;
	if (json_array_size(tasks) > 30) {
		yj_refusal_field(ref, "tasks", "一次至多 30 项处置任务");
		return 0;
	}
	json_array_foreach(tasks, i, t) {
		if (!json_is_object(t) || !text_ok(cmp_s(t, "task"), 2) || yj_day_parse(cmp_s(t, "due_on"), &d) < 0 ||
		    (*rc = yj_department_name(c, cmp_s(t, "department"), name, sizeof name)) == ST_NOTFOUND) {
			*rc = ST_OK;
			yj_refusal_field(ref, "tasks", "每项处置任务应有责任部门 department（部门代码）、任务 task 和完成期限 due_on");
			return 0;
		}
		if (*rc < 0)
			return 0;
	}
	return 1;
}

static int register_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body, *tasks = json_object_get(b, "tasks"), *t;
	const char *region = cmp_s(b, "region_code"), *kind = cmp_s(b, "kind");
	int64_t level = json_integer_value(json_object_get(b, "level")), d;
	int rc = yj_region_exists(c, region);
	if (rc < 0)
		return rc;
	if (!rc || !yj_scope_allows(&who->scope, region, NULL))
		yj_refusal_field(&a->ref, "region_code", "应为您辖区内的行政区划代码");
	if (level < 1 || level > 4)
		yj_refusal_field(&a->ref, "level", "级别应为 1（特别重大）至 4（一般）");
	if (strcmp(kind, "opinion") && strcmp(kind, "group_dispute"))
		yj_refusal_field(&a->ref, "kind", "类型应为 opinion（舆情）或 group_dispute（群体性纠纷）");
	if (!text_ok(cmp_s(b, "title"), 2))
		yj_refusal_field(&a->ref, "title", "请填写标题（不含控制字符）");
	if (!text_ok(cmp_s(b, "summary"), 5))
		yj_refusal_field(&a->ref, "summary", "请用至少 5 个字写明舆情概况");
	if (yj_day_parse(cmp_s(b, "occurred_on"), &d) < 0)
		yj_refusal_field(&a->ref, "occurred_on", "应为发生日期 YYYY-MM-DD");
	if (!tasks_ok(c, &a->ref, tasks, &rc) && rc < 0)
		return rc;
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	char actor[21], sid[21];
	int64_t id = yj_id_new(), now = yj_now_ms();
	yj_id_format(who->user_id, actor);
	yj_id_format(id, sid);
	store_stmt *st = store_prepare(c, "INSERT INTO opinion_events (id, region_code, department, title, kind, level, source, summary,"
					  " occurred_on, state, closure_report, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', '', ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, region, -1);
	store_bind_text(st, 3, who->department, -1);
	store_bind_text(st, 4, cmp_s(b, "title"), -1);
	store_bind_text(st, 5, kind, -1);
	store_bind_int64(st, 6, level);
	store_bind_text(st, 7, cmp_s(b, "source"), -1);
	store_bind_text(st, 8, cmp_s(b, "summary"), -1);
	store_bind_text(st, 9, cmp_s(b, "occurred_on"), -1);
	store_bind_text(st, 10, actor, -1);
	store_bind_int64(st, 11, now);
	rc = store_step(st);
	store_finalize(st);
	char *entry = yj_asprintf("登记：%s，%s", cmp_s(b, "title"), level_label(level));
	if (rc >= 0)
		rc = timeline_add(c, id, who->department, entry);
	free(entry);
	size_t i;
	json_array_foreach(tasks, i, t) {
		if (rc < 0)
			break;
		rc = task_put(c, id, region, t, cmp_s(b, "title"));
	}
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc < 0 || (rc = load(c, &all, id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:I, s:s, s:i}", "level", (json_int_t)level, "kind", kind, "tasks", (int)json_array_size(tasks));
	rc = audit(c, actor, "opinion.register", "opinion_event", sid, region, state);
	json_decref(state);
	return rc;
}

/* The event, open, led by the caller's department: ST_OK or a refusal. */
static int led_open(store_conn *c, cmp_op *a)
{
	const yj_principal *who = a->who;
	int rc = load(c, &who->scope, a->id, &a->out);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "舆情事件不存在", "没有这起舆情事件，或它不在您的辖区和职责范围内。");
	if (rc < 0)
		return rc;
	if (strcmp(who->department, cmp_s(a->out, "department")))
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门牵头的事件", "由牵头登记的部门统筹处置并结案，请联系该部门。");
	if (strcmp(cmp_s(a->out, "state"), "open"))
		return yj_refuse(&a->ref, 409, "state", "事件已结案", "这起舆情事件已于 %s 结案。", cmp_s(a->out, "closed_on"));
	return ST_OK;
}

static int add_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body, *tasks = json_object_get(b, "tasks"), *t;
	const char *entry = cmp_s(b, "entry");
	/* any department of the event (lead or task owner) writes the timeline; only the lead adds tasks */
	int rc = load_as_party(c, &who->scope, a->id, &a->out);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "舆情事件不存在", "没有这起舆情事件，或它不在您的辖区和职责范围内。");
	if (rc < 0)
		return rc;
	if (strcmp(cmp_s(a->out, "state"), "open"))
		return yj_refuse(&a->ref, 409, "state", "事件已结案", "这起舆情事件已于 %s 结案。", cmp_s(a->out, "closed_on"));
	if (json_array_size(tasks) && strcmp(who->department, cmp_s(a->out, "department")))
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门牵头的事件", "处置任务由牵头部门分派。");
	if (*entry && !text_ok(entry, 2))
		yj_refusal_field(&a->ref, "entry", "请写明进展（不含控制字符）");
	if (!*entry && !json_array_size(tasks))
		yj_refusal_field(&a->ref, "entry", "请写明进展 entry，或分派处置任务 tasks");
	if (!tasks_ok(c, &a->ref, tasks, &rc) && rc < 0)
		return rc;
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	char actor[21], region[16], title[256];
	snprintf(region, sizeof region, "%s", cmp_s(a->out, "region_code"));
	snprintf(title, sizeof title, "%s", cmp_s(a->out, "title"));
	yj_id_format(who->user_id, actor);
	rc = *entry ? timeline_add(c, a->id, who->department, entry) : ST_OK;
	size_t i;
	json_array_foreach(tasks, i, t) {
		if (rc < 0)
			break;
		rc = task_put(c, a->id, region, t, title);
	}
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc < 0 || (rc = load(c, &all, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:b, s:i}", "entry", *entry != 0, "tasks", (int)json_array_size(tasks));
	rc = audit(c, actor, "opinion.progress", "opinion_event", cmp_s(a->out, "id"), region, state);
	json_decref(state);
	return rc;
}

static int task_done_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const char *result = cmp_s(a->body, "result");
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &task_t, T_COLS, &who->scope, a->task, &st);
	if (rc == ST_OK) {
		a->out = task_json(st, NULL);
		store_finalize(st);
	}
	if (rc == ST_NOTFOUND || (rc == ST_OK && !cmp_id_is(cmp_s(a->out, "event_id"), a->id)))
		return yj_refuse(&a->ref, 404, "not-found", "处置任务不存在", "没有这项处置任务，或它不在您的辖区和职责范围内。");
	if (rc < 0)
		return rc;
	if (strcmp(who->department, cmp_s(a->out, "department")))
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门的任务", "处置任务由责任部门办结。");
	if (strcmp(cmp_s(a->out, "state"), "open"))
		return yj_refuse(&a->ref, 409, "already-done", "已办结", "这项处置任务已于 %s 办结。", cmp_s(a->out, "done_on"));
	if (!text_ok(result, 2)) {
		yj_refusal_field(&a->ref, "result", "请写明处置结果");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char today[11], actor[21];
	yj_day_today(today);
	yj_id_format(who->user_id, actor);
	if (!(st = store_prepare(c, "UPDATE opinion_tasks SET state = 'done', result = ?, done_on = ? WHERE id = ?")))
		return ST_ERR;
	store_bind_text(st, 1, result, -1);
	store_bind_text(st, 2, today, -1);
	store_bind_int64(st, 3, a->task);
	rc = store_step(st);
	store_finalize(st);
	char *entry = yj_asprintf("完成处置任务：%s。%s", cmp_s(a->out, "task"), result);
	int64_t eid = 0;
	yj_id_parse(cmp_s(a->out, "event_id"), &eid);
	if (rc >= 0)
		rc = timeline_add(c, eid, who->department, entry);
	free(entry);
	if (rc < 0 || (rc = yj_q_one_by_id(c, &task_t, T_COLS, &who->scope, a->task, &st)) < 0)
		return rc;
	json_decref(a->out);
	a->out = task_json(st, NULL);
	store_finalize(st);
	json_t *state = json_pack("{s:s}", "done_on", today);
	if ((rc = audit(c, actor, "opinion.task_done", "opinion_task", cmp_s(a->out, "id"), cmp_s(a->out, "region_code"), state)) >= 0)
		rc = yj_todo_close(c, "complaints.opinion_task", "opinion_task", a->task, YJ_TODO_DONE);
	json_decref(state);
	return rc;
}

static int close_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const char *report = cmp_s(a->body, "closure_report");
	int rc = led_open(c, a);
	if (rc < 0)
		return rc;
	size_t i, open = 0;
	json_t *t;
	json_array_foreach(json_object_get(a->out, "tasks"), i, t) open += !strcmp(cmp_s(t, "state"), "open");
	if (open)
		return yj_refuse(&a->ref, 409, "tasks-open", "处置任务未完成", "还有 %zu 项处置任务未办结，全部办结后才能结案。", open);
	if (!text_ok(report, 10)) {
		yj_refusal_field(&a->ref, "closure_report", "请用至少 10 个字写明结案报告：起因、处置过程、结果和整改");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char today[11], actor[21];
	yj_day_today(today);
	yj_id_format(who->user_id, actor);
	store_stmt *st = store_prepare(c, "UPDATE opinion_events SET state = 'closed', closure_report = ?, closed_on = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, report, -1);
	store_bind_text(st, 2, today, -1);
	store_bind_int64(st, 3, a->id);
	rc = store_step(st);
	store_finalize(st);
	if (rc >= 0)
		rc = timeline_add(c, a->id, who->department, "结案");
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc < 0 || (rc = load(c, &all, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s}", "closed_on", today);
	rc = audit(c, actor, "opinion.close", "opinion_event", cmp_s(a->out, "id"), cmp_s(a->out, "region_code"), state);
	json_decref(state);
	return rc;
}

const cmp_op_def cmp_opinion_ops[] = {
	{"opinion.register", register_tx},
	{"opinion.progress", add_tx},
	{"opinion.task_done", task_done_tx},
	{"opinion.close", close_tx},
	{NULL, NULL},
};

static int reg(yj_req *r) { return cmp_op_run(r, register_tx, 201, NULL, NULL); }
static int add(yj_req *r) { return cmp_op_run(r, add_tx, 200, "id", NULL); }
static int task_done(yj_req *r) { return cmp_op_run(r, task_done_tx, 200, "id", "task"); }
static int close_(yj_req *r) { return cmp_op_run(r, close_tx, 200, "id", NULL); }

static int get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = load_as_party(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	if (rc < 0)
		json_decref(o);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

static int list(yj_req *r)
{
	int limit;
	int64_t after;
	const char *v;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = yj_q_select(&ev_t, E_COLS, &yj_who(r)->scope);
	if ((v = yj_query(r, "state")) && *v) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "region")) && *v)
		yj_q_region(q, "region_code", v);
	return yj_reply_id_page(r, q, "id", limit, after, event_json, NULL);
}

static const yj_field register_body[] = {
	{"title", F_STRING, 1, 100, "One line on the event"},
	{"kind", F_STRING, 1, 16, "opinion (舆情) | group_dispute (群体性纠纷)"},
	{"level", F_INT, 1, 0, "1 特别重大, 2 重大, 3 较大, 4 一般"},
	{"region_code", F_STRING, 1, 12, "Where (GB/T 2260), within the caller's territory"},
	{"source", F_STRING, 0, 200, "Where it was found: a platform, a hotline, a report"},
	{"summary", F_STRING, 1, 5000, "What happened"},
	{"occurred_on", F_STRING, 1, 10, "YYYY-MM-DD"},
	{"tasks", F_ARRAY, 0, 0, "Response tasks [{department, task, due_on}]"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field progress_body[] = {
	{"entry", F_STRING, 0, 2000, "A timeline entry: what happened or was done"},
	{"tasks", F_ARRAY, 0, 0, "More response tasks [{department, task, due_on}] (the lead department only)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field done_body[] = {
	{"result", F_STRING, 1, 2000, "What was done"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field close_body[] = {
	{"closure_report", F_STRING, 1, 10000, "The closure report (结案报告): cause, response, outcome, follow-up"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_q[] = {
	{"state", "open | closed"},
	{"region", "Within this territory"},
	YJ_QP_PAGE,
	{NULL, NULL},
};

const yj_route yj_cmp_opinion_routes[] = {
	{"GET", "/api/v1/opinion-events", list, HANDLERS, NULL, list_q, "complaints",
	 "Major public-opinion events and group disputes led in the caller's scope", "{items, next_cursor}", 200},
	{"POST", "/api/v1/opinion-events", reg, OWNERS, register_body, NULL, "complaints",
	 "Register an event with its level and the departments' response tasks", "The event", 201},
	{"GET", "/api/v1/opinion-events/{id}", get, HANDLERS, NULL, NULL, "complaints",
	 "One event with its tasks and timeline (to the lead and to task owners)", "The event", 200},
	{"POST", "/api/v1/opinion-events/{id}/progress", add, HANDLERS, progress_body, NULL, "complaints",
	 "A timeline entry (any department of the event) and more tasks (the lead)", "The event", 200},
	{"POST", "/api/v1/opinion-events/{id}/tasks/{task}/done", task_done, HANDLERS, done_body, NULL, "complaints",
	 "The owner department closes a response task", "The task", 200},
	{"POST", "/api/v1/opinion-events/{id}/close", close_, OWNERS, close_body, NULL, "complaints",
	 "The lead department closes the event with its report, once every task is done", "The event", 200},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
