/* opinion.c — major public-opinion events and group disputes (重大舆情, 群体性事件), their rules and
 * writes: registration with a level, coordinated response tasks across departments (each a to-do of its
 * department until done), a timeline of what happened and was done, and the closure report. The SQL is in
 * opinion_store.c, the routes in opinion_api.c (docs/complaints.md, "Public-opinion events"). */
#define _POSIX_C_SOURCE 200809L
#include "opinion_int.h"
#include "../platform/regions/regions.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Levels (分级): IV 一般, III 较大, II 重大, I 特别重大. */
static const char *const levels[][2] = {{"4", "一般（Ⅳ级）"}, {"3", "较大（Ⅲ级）"}, {"2", "重大（Ⅱ级）"}, {"1", "特别重大（Ⅰ级）"}};

const char *opn_level_label(int64_t level)
{
	return level >= 1 && level <= 4 ? levels[4 - level][1] : "";
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
	int64_t tid = 0;
	int rc = opn_task_insert(c, id, region, t, &tid);
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

int opn_register_tx(store_conn *c, void *argp)
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
	rc = opn_event_insert(c, id, who->department, b, actor, now);
	char *entry = yj_asprintf("登记：%s，%s", cmp_s(b, "title"), opn_level_label(level));
	if (rc >= 0)
		rc = opn_timeline_add(c, id, who->department, entry);
	free(entry);
	size_t i;
	json_array_foreach(tasks, i, t) {
		if (rc < 0)
			break;
		rc = task_put(c, id, region, t, cmp_s(b, "title"));
	}
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc < 0 || (rc = opn_load(c, &all, id, &a->out)) < 0)
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
	int rc = opn_load(c, &who->scope, a->id, &a->out);
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

int opn_progress_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body, *tasks = json_object_get(b, "tasks"), *t;
	const char *entry = cmp_s(b, "entry");
	/* any department of the event (lead or task owner) writes the timeline; only the lead adds tasks */
	int rc = opn_load_as_party(c, &who->scope, a->id, &a->out);
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
	rc = *entry ? opn_timeline_add(c, a->id, who->department, entry) : ST_OK;
	size_t i;
	json_array_foreach(tasks, i, t) {
		if (rc < 0)
			break;
		rc = task_put(c, a->id, region, t, title);
	}
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc < 0 || (rc = opn_load(c, &all, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:b, s:i}", "entry", *entry != 0, "tasks", (int)json_array_size(tasks));
	rc = audit(c, actor, "opinion.progress", "opinion_event", cmp_s(a->out, "id"), region, state);
	json_decref(state);
	return rc;
}

int opn_task_done_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const char *result = cmp_s(a->body, "result");
	int rc = opn_task_load(c, &who->scope, a->task, &a->out);
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
	rc = opn_task_done(c, a->task, result, today);
	char *entry = yj_asprintf("完成处置任务：%s。%s", cmp_s(a->out, "task"), result);
	int64_t eid = 0;
	yj_id_parse(cmp_s(a->out, "event_id"), &eid);
	if (rc >= 0)
		rc = opn_timeline_add(c, eid, who->department, entry);
	free(entry);
	if (rc < 0 || (rc = opn_task_load(c, &who->scope, a->task, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s}", "done_on", today);
	if ((rc = audit(c, actor, "opinion.task_done", "opinion_task", cmp_s(a->out, "id"), cmp_s(a->out, "region_code"), state)) >= 0)
		rc = yj_todo_close(c, "complaints.opinion_task", "opinion_task", a->task, YJ_TODO_DONE);
	json_decref(state);
	return rc;
}

int opn_close_tx(store_conn *c, void *argp)
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
	rc = opn_event_close(c, a->id, report, today);
	if (rc >= 0)
		rc = opn_timeline_add(c, a->id, who->department, "结案");
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc < 0 || (rc = opn_load(c, &all, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s}", "closed_on", today);
	rc = audit(c, actor, "opinion.close", "opinion_event", cmp_s(a->out, "id"), cmp_s(a->out, "region_code"), state);
	json_decref(state);
	return rc;
}

const cmp_op_def cmp_opinion_ops[] = {
	{"opinion.register", opn_register_tx},
	{"opinion.progress", opn_progress_tx},
	{"opinion.task_done", opn_task_done_tx},
	{"opinion.close", opn_close_tx},
	{NULL, NULL},
};

