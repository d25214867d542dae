/* joint.c — joint enforcement actions (联合执法) and joint meetings (联席会议) between departments (R6), their
 * rules and writes: an action's plan, participants and result, counted per territory and year against the
 * local target; a meeting's decisions as tasks of an owner department with a deadline, in its to-do inbox
 * until done. The SQL is in joint_store.c, the routes in joint_api.c (docs/complaints.md, "Joint work"). */
#define _POSIX_C_SOURCE 200809L
#include "joint_int.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int audit(store_conn *c, const char *actor, const char *action, const char *type, const json_t *o, const json_t *state)
{
	yj_audit_event ev = {actor, action, type, cmp_s(o, "id"), cmp_s(o, "region_code"), state};
	return yj_audit_append(c, &ev, NULL);
}

static int no_ctl(yj_refusal *ref, const json_t *b, const char *field)
{
	for (const char *k = cmp_s(b, field); *k; k++)
		if ((unsigned char)*k < 0x20) {
			yj_refusal_field(ref, field, "不能含有控制字符");
			return 0;
		}
	return 1;
}

/* Checks a JSON array of department codes other than own (at least min of them); returns its text. */
static char *departments_or_refuse(store_conn *c, yj_refusal *ref, const json_t *b, const char *field, const char *own, size_t min,
				   int *rc)
{
	const json_t *a = json_object_get(b, field), *v;
	size_t i;
	char name[64];
	*rc = ST_OK;
	if (json_array_size(a) < min || json_array_size(a) > 20) {
		yj_refusal_field(ref, field, min ? "请列出参加的其他部门（1 至 20 个部门代码）" : "至多 20 个部门");
		return NULL;
	}
	json_array_foreach(a, i, v) {
		const char *d = json_string_value(v);
		if (!d || !strcmp(d, own) || (*rc = yj_department_name(c, d, name, sizeof name)) == ST_NOTFOUND) {
			*rc = ST_OK;
			yj_refusal_field(ref, field, "应为其他部门的代码（不含本部门）");
			return NULL;
		}
		if (*rc < 0)
			return NULL;
	}
	return json_dumps(a, JSON_COMPACT);
}

static int region_or_refuse(store_conn *c, yj_refusal *ref, const yj_principal *who, const char *region)
{
	int rc = yj_region_exists(c, region);
	if (rc < 0)
		return rc;
	if (!rc || !yj_scope_allows(&who->scope, region, NULL))
		yj_refusal_field(ref, "region_code", "应为您辖区内的行政区划代码");
	return ST_OK;
}

static int day_or_refuse(yj_refusal *ref, const json_t *b, const char *field, const char *what)
{
	int64_t d;
	if (yj_day_parse(cmp_s(b, field), &d) < 0) {
		yj_refusal_field(ref, field, what);
		return 0;
	}
	return 1;
}

/* ---- joint actions ---- */

int jnt_action_create_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body;
	int rc;
	char *parts = departments_or_refuse(c, &a->ref, b, "participants", who->department, 1, &rc);
	if (rc < 0 || (rc = region_or_refuse(c, &a->ref, who, cmp_s(b, "region_code"))) < 0)
		goto done;
	no_ctl(&a->ref, b, "title");
	day_or_refuse(&a->ref, b, "planned_on", "应为计划日期 YYYY-MM-DD");
	if (yj_utf8_len(cmp_s(b, "plan"), strlen(cmp_s(b, "plan"))) < 5)
		yj_refusal_field(&a->ref, "plan", "请用至少 5 个字写明行动方案：对象、分工和时间");
	if (yj_refusal_has_fields(&a->ref)) {
		rc = yj_refuse_invalid(&a->ref, NULL);
		goto done;
	}
	char actor[21];
	int64_t id = yj_id_new(), now = yj_now_ms();
	yj_id_format(who->user_id, actor);
	rc = jnt_action_insert(c, id, who->department, b, parts, actor, now);
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc >= 0 && (rc = jnt_action_load(c, &all, id, &a->out)) >= 0) {
		json_t *state = json_pack("{s:s, s:O}", "planned_on", cmp_s(b, "planned_on"), "participants", json_object_get(b, "participants"));
		rc = audit(c, actor, "joint.action.plan", "joint_action", a->out, state);
		json_decref(state);
	}
done:
	free(parts);
	return rc;
}

int jnt_action_result_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body;
	int rc = jnt_action_load(c, &who->scope, a->id, &a->out);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "联合执法行动不存在", "没有这次联合执法行动，或它不在您的辖区和职责范围内。");
	if (rc < 0)
		return rc;
	if (strcmp(who->department, cmp_s(a->out, "department")))
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门牵头的行动", "行动结果由牵头部门登记，请联系牵头部门。");
	if (strcmp(cmp_s(a->out, "state"), "planned"))
		return yj_refuse(&a->ref, 409, "already-done", "结果已登记", "这次行动已于 %s 登记结果。", cmp_s(a->out, "done_on"));
	char today[11];
	yj_day_today(today);
	if (day_or_refuse(&a->ref, b, "done_on", "应为实施日期 YYYY-MM-DD") && strcmp(cmp_s(b, "done_on"), today) > 0)
		yj_refusal_field(&a->ref, "done_on", "实施日期不能晚于今天");
	if (yj_utf8_len(cmp_s(b, "result"), strlen(cmp_s(b, "result"))) < 5)
		yj_refusal_field(&a->ref, "result", "请用至少 5 个字写明行动结果：检查户数、发现问题和处理情况");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	char actor[21];
	yj_id_format(who->user_id, actor);
	rc = jnt_action_set_result(c, a->id, cmp_s(b, "result"), cmp_s(b, "done_on"));
	if (rc < 0 || (rc = jnt_action_load(c, &who->scope, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s}", "done_on", cmp_s(b, "done_on"));
	rc = audit(c, actor, "joint.action.result", "joint_action", a->out, state);
	json_decref(state);
	return rc;
}

/* ---- joint meetings ---- */

static int task_todo(store_conn *c, int64_t id, const char *region, const char *owner, const char *decision, const char *due,
		     const char *meeting_id)
{
	char *title = yj_asprintf("联席会议议定事项：%s", decision), link[64];
	snprintf(link, sizeof link, "/joint-meetings/%s", meeting_id);
	yj_todo td = {.kind = "complaints.meeting_task", .kind_label = "会议议定事项", .title = title,
		      .object_type = "joint_meeting_task", .object_id = id, .link = link, .due_date = due,
		      .region_code = region, .department = owner, .role = "liaison"};
	int rc = yj_todo_put(c, &td);
	free(title);
	return rc;
}

int jnt_meeting_create_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body, *decisions = json_object_get(b, "decisions"), *d;
	const char *region = cmp_s(b, "region_code");
	size_t i;
	int rc;
	char *att = departments_or_refuse(c, &a->ref, b, "attendees", who->department, 1, &rc), name[64];
	if (rc < 0 || (rc = region_or_refuse(c, &a->ref, who, region)) < 0)
		goto done;
	no_ctl(&a->ref, b, "title");
	day_or_refuse(&a->ref, b, "held_on", "应为会议日期 YYYY-MM-DD");
	if (json_array_size(decisions) > 50)
		yj_refusal_field(&a->ref, "decisions", "一次会议至多 50 项议定事项");
	json_array_foreach(decisions, i, d) {
		int64_t day;
		const char *owner = cmp_s(d, "owner_department"), *text = cmp_s(d, "decision");
		if (!json_is_object(d) || yj_utf8_len(text, strlen(text)) < 2 || yj_day_parse(cmp_s(d, "due_on"), &day) < 0) {
			yj_refusal_field(&a->ref, "decisions", "每项议定事项应有内容 decision、责任部门 owner_department 和完成期限 due_on");
			break;
		}
		if ((rc = yj_department_name(c, owner, name, sizeof name)) == ST_NOTFOUND) {
			yj_refusal_field(&a->ref, "decisions", "议定事项的责任部门应为部门代码");
			break;
		}
		if (rc < 0)
			goto done;
	}
	rc = ST_OK;
	if (yj_refusal_has_fields(&a->ref)) {
		rc = yj_refuse_invalid(&a->ref, NULL);
		goto done;
	}
	char actor[21], mid[21];
	int64_t id = yj_id_new(), now = yj_now_ms();
	yj_id_format(who->user_id, actor);
	yj_id_format(id, mid);
	rc = jnt_meeting_insert(c, id, region, who->department, b, att, actor, now);
	json_array_foreach(decisions, i, d) {
		if (rc < 0)
			break;
		int64_t tid = yj_id_new();
		rc = jnt_task_insert(c, tid, id, region, d);
		if (rc >= 0)
			rc = task_todo(c, tid, region, cmp_s(d, "owner_department"), cmp_s(d, "decision"), cmp_s(d, "due_on"), mid);
	}
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc >= 0 && (rc = jnt_meeting_load(c, &all, id, &a->out)) >= 0) {
		json_t *state = json_pack("{s:s, s:i}", "held_on", cmp_s(b, "held_on"), "decisions", (int)json_array_size(decisions));
		rc = audit(c, actor, "joint.meeting.record", "joint_meeting", a->out, state);
		json_decref(state);
	}
done:
	free(att);
	return rc;
}

int jnt_task_done_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const char *result = cmp_s(a->body, "result");
	int rc = jnt_task_load(c, &who->scope, a->task, &a->out);
	if (rc == ST_NOTFOUND || (rc == ST_OK && !cmp_id_is(cmp_s(a->out, "meeting_id"), a->id)))
		return yj_refuse(&a->ref, 404, "not-found", "议定事项不存在", "没有这项议定事项，或它不在您的辖区和职责范围内。");
	if (rc < 0)
		return rc;
	if (strcmp(who->department, cmp_s(a->out, "owner_department")))
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门的议定事项", "议定事项由责任部门办结，请联系责任部门。");
	if (strcmp(cmp_s(a->out, "state"), "open"))
		return yj_refuse(&a->ref, 409, "already-done", "已办结", "这项议定事项已于 %s 办结。", cmp_s(a->out, "done_on"));
	if (yj_utf8_len(result, strlen(result)) < 2) {
		yj_refusal_field(&a->ref, "result", "请写明办理结果");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char today[11], actor[21];
	yj_day_today(today);
	yj_id_format(who->user_id, actor);
	rc = jnt_task_set_done(c, a->task, result, today, actor);
	if (rc < 0 || (rc = jnt_task_load(c, &who->scope, a->task, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s}", "done_on", today);
	if ((rc = audit(c, actor, "joint.meeting.task_done", "joint_meeting_task", a->out, state)) >= 0)
		rc = yj_todo_close(c, "complaints.meeting_task", "joint_meeting_task", a->task, YJ_TODO_DONE);
	json_decref(state);
	return rc;
}

const cmp_op_def cmp_joint_ops[] = {
	{"joint.action", jnt_action_create_tx},
	{"joint.result", jnt_action_result_tx},
	{"joint.meeting", jnt_meeting_create_tx},
	{"joint.task_done", jnt_task_done_tx},
	{NULL, NULL},
};
