/* joint.c — joint enforcement actions (联合执法) and joint meetings (联席会议) between departments (R6):
 * an action's plan, participants and result, counted per territory and year against the local target;
 * a meeting's decisions as tasks of an owner department with a deadline, in its to-do inbox until done.
 * Routes, their SQL and the target count in one file, not yet split as opinion.c and transfers.c are
 * (docs/complaints.md, "Joint work"). */
#define _POSIX_C_SOURCE 200809L
#include "cmp_int.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HANDLERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)
#define ORGANISERS (ROLE_ADMIN | ROLE_LEADER | ROLE_LIAISON)

static const yj_table act_t = {"joint_actions", "region_code", "department", NULL};
static const yj_table meet_t = {"joint_meetings", "region_code", "department", NULL};
static const yj_table task_t = {"joint_meeting_tasks", "region_code", "owner_department", NULL};
#define A_COLS "id, region_code, department, title, plan, participants, planned_on, state, result, done_on, created_at"
#define M_COLS "id, region_code, department, title, held_on, attendees, minutes, created_at"
#define K_COLS "id, meeting_id, region_code, owner_department, decision, due_on, state, result, done_on"

static json_t *codes(store_stmt *st, int col)
{
	json_t *a = json_loads(store_col_text(st, col), 0, NULL);
	return json_is_array(a) ? a : (json_decref(a), json_array());
}

static json_t *action_json(store_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:I}", "id", yj_json_id(store_col_int64(st, 0)),
			 "region_code", store_col_text(st, 1), "department", store_col_text(st, 2), "title",
			 store_col_text(st, 3), "plan", store_col_text(st, 4), "participants", codes(st, 5), "planned_on",
			 store_col_text(st, 6), "state", store_col_text(st, 7), "result", store_col_text(st, 8), "done_on",
			 cmp_text_or_null(st, 9), "created_at", (json_int_t)store_col_int64(st, 10));
}

static json_t *meeting_json(store_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:I}", "id", yj_json_id(store_col_int64(st, 0)), "region_code",
			 store_col_text(st, 1), "department", store_col_text(st, 2), "title", store_col_text(st, 3), "held_on",
			 store_col_text(st, 4), "attendees", codes(st, 5), "minutes", store_col_text(st, 6), "created_at",
			 (json_int_t)store_col_int64(st, 7));
}

static json_t *task_json(store_stmt *st, void *arg)
{
	(void)arg;
	char today[11];
	yj_day_today(today);
	const char *state = store_col_text(st, 6), *due = store_col_text(st, 5);
	return json_pack("{s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "id", yj_json_id(store_col_int64(st, 0)),
			 "meeting_id", yj_json_id(store_col_int64(st, 1)), "region_code", store_col_text(st, 2),
			 "owner_department", store_col_text(st, 3), "decision", store_col_text(st, 4), "due_on", due, "state",
			 state, "result", store_col_text(st, 7), "done_on", cmp_text_or_null(st, 8), "overdue",
			 !strcmp(state, "open") && strcmp(today, due) > 0);
}

static int load(store_conn *c, const yj_table *t, const char *cols, yj_row_fn fn, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, t, cols, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	json_decref(*out);
	*out = fn(st, NULL);
	store_finalize(st);
	return ST_OK;
}

/* The meeting with its decisions (every task, whoever owns it: the meeting's readers follow them). */
static int load_meeting(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	int rc = load(c, &meet_t, M_COLS, meeting_json, sc, id, out);
	if (rc != ST_OK)
		return rc;
	store_stmt *st = store_prepare(c, "SELECT " K_COLS " FROM joint_meeting_tasks WHERE meeting_id = ? ORDER BY id");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	json_t *tasks = json_array();
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(tasks, task_json(st, NULL));
	store_finalize(st);
	json_object_set_new(*out, "tasks", tasks);
	return rc < 0 ? rc : ST_OK;
}

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

static int action_create_tx(store_conn *c, void *argp)
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
	store_stmt *st = store_prepare(c, "INSERT INTO joint_actions (id, region_code, department, title, plan, participants, planned_on,"
					  " state, result, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', '', ?, ?, ?)");
	if (!st) {
		rc = ST_ERR;
		goto done;
	}
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, cmp_s(b, "region_code"), -1);
	store_bind_text(st, 3, who->department, -1);
	store_bind_text(st, 4, cmp_s(b, "title"), -1);
	store_bind_text(st, 5, cmp_s(b, "plan"), -1);
	store_bind_text(st, 6, parts, -1);
	store_bind_text(st, 7, cmp_s(b, "planned_on"), -1);
	store_bind_text(st, 8, actor, -1);
	store_bind_int64(st, 9, now);
	store_bind_int64(st, 10, now);
	rc = store_step(st);
	store_finalize(st);
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc >= 0 && (rc = load(c, &act_t, A_COLS, action_json, &all, id, &a->out)) >= 0) {
		json_t *state = json_pack("{s:s, s:O}", "planned_on", cmp_s(b, "planned_on"), "participants", json_object_get(b, "participants"));
		rc = audit(c, actor, "joint.action.plan", "joint_action", a->out, state);
		json_decref(state);
	}
done:
	free(parts);
	return rc;
}

static int action_result_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body;
	int rc = load(c, &act_t, A_COLS, action_json, &who->scope, a->id, &a->out);
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
	store_stmt *st = store_prepare(c, "UPDATE joint_actions SET state = 'done', result = ?, done_on = ?, updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, cmp_s(b, "result"), -1);
	store_bind_text(st, 2, cmp_s(b, "done_on"), -1);
	store_bind_int64(st, 3, yj_now_ms());
	store_bind_int64(st, 4, a->id);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0 || (rc = load(c, &act_t, A_COLS, action_json, &who->scope, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s}", "done_on", cmp_s(b, "done_on"));
	rc = audit(c, actor, "joint.action.result", "joint_action", a->out, state);
	json_decref(state);
	return rc;
}

/* The yearly target of region: the row of the longest prefix of its code (330302 → 330300), else 1. */
static int target_of(store_conn *c, const char *region, int64_t *target)
{
	store_stmt *st = store_prepare(c, "SELECT region_code, per_year FROM joint_action_targets");
	size_t best = 0;
	int rc;
	*target = 1;
	if (!st)
		return ST_ERR;
	while ((rc = store_step(st)) == ST_ROW) {
		const char *code = store_col_text(st, 0);
		size_t n = strlen(code);
		while (n > 2 && code[n - 1] == '0' && code[n - 2] == '0')
			n -= 2; /* 330300 covers 3303… */
		if (!strncmp(region, code, n) && n > best) {
			best = n;
			*target = store_col_int64(st, 1);
		}
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static int action_stats(yj_req *r)
{
	const yj_principal *who = yj_who(r);
	const char *year = yj_query(r, "year"), *region = yj_query(r, "region");
	char y[5], from[11], to[11];
	if (!year || !*year) {
		char today[11];
		yj_day_today(today);
		snprintf(y, sizeof y, "%.4s", today);
		year = y;
	}
	if (strlen(year) != 4 || strspn(year, "0123456789") != 4)
		return yj_reply_problem(r, 400, "validation", "参数错误", "year 应为四位年份，如 2026。");
	if (!region || !*region)
		region = who->region_code;
	if (!yj_scope_allows(&who->scope, region, NULL))
		return yj_reply_problem(r, 404, "not-found", "辖区不存在", "region 应为您辖区内的行政区划代码。");
	snprintf(from, sizeof from, "%s-01-01", year);
	snprintf(to, sizeof to, "%s-12-31", year);
	store_conn *c = store_conn_get(yj_store(r));
	yj_qb *q = yj_q_select(&act_t, "state, COUNT(*)", &who->scope);
	yj_q_region(q, "region_code", region);
	yj_q_where(q, "planned_on >= ? AND planned_on <= ?");
	yj_q_text(q, from);
	yj_q_text(q, to);
	yj_q_tail(q, "GROUP BY state");
	store_stmt *st = yj_q_prepare(q, c);
	int64_t done = 0, planned = 0, target;
	int rc = st ? ST_OK : ST_ERR;
	while (st && (rc = store_step(st)) == ST_ROW)
		*(strcmp(store_col_text(st, 0), "done") ? &planned : &done) += store_col_int64(st, 1);
	store_finalize(st);
	if (rc < 0 || (rc = target_of(c, region, &target)) < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:s, s:i, s:I, s:I, s:I, s:b}", "region_code", region, "year", atoi(year), "done",
					       (json_int_t)done, "planned", (json_int_t)planned, "target", (json_int_t)target, "met",
					       done >= target));
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

static int meeting_create_tx(store_conn *c, void *argp)
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
	store_stmt *st = store_prepare(c, "INSERT INTO joint_meetings (id, region_code, department, title, held_on, attendees, minutes,"
					  " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st) {
		rc = ST_ERR;
		goto done;
	}
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, region, -1);
	store_bind_text(st, 3, who->department, -1);
	store_bind_text(st, 4, cmp_s(b, "title"), -1);
	store_bind_text(st, 5, cmp_s(b, "held_on"), -1);
	store_bind_text(st, 6, att, -1);
	store_bind_text(st, 7, cmp_s(b, "minutes"), -1);
	store_bind_text(st, 8, actor, -1);
	store_bind_int64(st, 9, now);
	rc = store_step(st);
	store_finalize(st);
	json_array_foreach(decisions, i, d) {
		if (rc < 0)
			break;
		int64_t tid = yj_id_new();
		if (!(st = store_prepare(c, "INSERT INTO joint_meeting_tasks (id, meeting_id, region_code, owner_department, decision,"
					    " due_on, state, result) VALUES (?, ?, ?, ?, ?, ?, 'open', '')"))) {
			rc = ST_ERR;
			break;
		}
		store_bind_int64(st, 1, tid);
		store_bind_int64(st, 2, id);
		store_bind_text(st, 3, region, -1);
		store_bind_text(st, 4, cmp_s(d, "owner_department"), -1);
		store_bind_text(st, 5, cmp_s(d, "decision"), -1);
		store_bind_text(st, 6, cmp_s(d, "due_on"), -1);
		rc = store_step(st);
		store_finalize(st);
		if (rc >= 0)
			rc = task_todo(c, tid, region, cmp_s(d, "owner_department"), cmp_s(d, "decision"), cmp_s(d, "due_on"), mid);
	}
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc >= 0 && (rc = load_meeting(c, &all, id, &a->out)) >= 0) {
		json_t *state = json_pack("{s:s, s:i}", "held_on", cmp_s(b, "held_on"), "decisions", (int)json_array_size(decisions));
		rc = audit(c, actor, "joint.meeting.record", "joint_meeting", a->out, state);
		json_decref(state);
	}
done:
	free(att);
	return rc;
}

static int task_done_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const char *result = cmp_s(a->body, "result");
	int rc = load(c, &task_t, K_COLS, task_json, &who->scope, a->task, &a->out);
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
	store_stmt *st = store_prepare(c, "UPDATE joint_meeting_tasks SET state = 'done', result = ?, done_on = ?, done_by = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, result, -1);
	store_bind_text(st, 2, today, -1);
	store_bind_text(st, 3, actor, -1);
	store_bind_int64(st, 4, a->task);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0 || (rc = load(c, &task_t, K_COLS, task_json, &who->scope, a->task, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s}", "done_on", today);
	if ((rc = audit(c, actor, "joint.meeting.task_done", "joint_meeting_task", a->out, state)) >= 0)
		rc = yj_todo_close(c, "complaints.meeting_task", "joint_meeting_task", a->task, YJ_TODO_DONE);
	json_decref(state);
	return rc;
}

/* ---- handlers ---- */

const cmp_op_def cmp_joint_ops[] = {
	{"joint.action", action_create_tx},
	{"joint.result", action_result_tx},
	{"joint.meeting", meeting_create_tx},
	{"joint.task_done", task_done_tx},
	{NULL, NULL},
};

static int action_create(yj_req *r) { return cmp_op_run(r, action_create_tx, 201, NULL, NULL); }
static int action_result(yj_req *r) { return cmp_op_run(r, action_result_tx, 200, "id", NULL); }
static int meeting_create(yj_req *r) { return cmp_op_run(r, meeting_create_tx, 201, NULL, NULL); }
static int task_done(yj_req *r) { return cmp_op_run(r, task_done_tx, 200, "id", "task"); }

static int action_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = load(store_conn_get(yj_store(r)), &act_t, A_COLS, action_json, &yj_who(r)->scope, id, &o);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

static int meeting_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	int rc = load_meeting(c, &yj_who(r)->scope, id, &o);
	if (rc == ST_NOTFOUND) {
		/* a department owning one of its decisions opens the meeting too (its to-do links there) */
		yj_qb *q = yj_q_select(&task_t, "id", &yj_who(r)->scope);
		yj_q_where(q, "meeting_id = ?");
		yj_q_int(q, id);
		store_stmt *st = yj_q_prepare(q, c);
		rc = st ? store_step(st) : ST_ERR;
		store_finalize(st);
		if (rc == ST_ROW) {
			yj_scope all;
			yj_scope_unrestricted(&all);
			rc = load_meeting(c, &all, id, &o);
		} else if (rc >= 0) {
			rc = ST_NOTFOUND;
		}
	}
	if (rc < 0)
		json_decref(o);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

/* A list's query with the request's filters (the list and its export). */
static yj_qb *filtered(yj_req *r, const yj_table *t, const char *cols, const char *day_col)
{
	const char *v;
	yj_qb *q = yj_q_select(t, cols, &yj_who(r)->scope);
	if ((v = yj_query(r, "state")) && *v) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, v);
	}
	if (day_col && (v = yj_query(r, "year")) && *v) {
		char from[16], to[16];
		snprintf(from, sizeof from, "%.4s-01-01", v);
		snprintf(to, sizeof to, "%.4s-12-31", v);
		yj_q_where(q, day_col);
		yj_q_text(q, from);
		yj_q_text(q, to);
	}
	if ((v = yj_query(r, "region")) && *v)
		yj_q_region(q, "region_code", v);
	return q;
}

static int list(yj_req *r, const yj_table *t, const char *cols, yj_row_fn fn, const char *day_col)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	return yj_reply_id_page(r, filtered(r, t, cols, day_col), "id", limit, after, fn, NULL);
}

#define ACTION_DAYS "planned_on >= ? AND planned_on <= ?"
#define MEETING_DAYS "held_on >= ? AND held_on <= ?"
static int action_list(yj_req *r) { return list(r, &act_t, A_COLS, action_json, ACTION_DAYS); }
static int meeting_list(yj_req *r) { return list(r, &meet_t, M_COLS, meeting_json, MEETING_DAYS); }
static int task_list(yj_req *r) { return list(r, &task_t, K_COLS, task_json, NULL); }

static const yj_column action_cols[] = {
	{"title", "行动名称"}, {"region_code", "行政区划代码"}, {"department", "牵头部门"}, {"planned_on", "计划日期"},
	{"state", "状态"}, {"done_on", "完成日期"}, {"plan", "方案"}, {"result", "结果"}, {NULL, NULL},
};
static const yj_column meeting_cols[] = {
	{"title", "会议名称"}, {"region_code", "行政区划代码"}, {"department", "召集部门"}, {"held_on", "召开日期"},
	{"minutes", "会议纪要"}, {NULL, NULL},
};
static const yj_column task_cols[] = {
	{"decision", "议定事项"}, {"owner_department", "责任部门"}, {"region_code", "行政区划代码"}, {"due_on", "完成期限"},
	{"state", "状态"}, {"done_on", "完成日期"}, {"result", "办理结果"}, {"overdue", "已逾期"}, {NULL, NULL},
};
static int action_export(yj_req *r)
{
	return yj_reply_id_export(r, filtered(r, &act_t, A_COLS, ACTION_DAYS), "id", "joint-actions", action_cols, action_json, NULL);
}
static int meeting_export(yj_req *r)
{
	return yj_reply_id_export(r, filtered(r, &meet_t, M_COLS, MEETING_DAYS), "id", "joint-meetings", meeting_cols,
				  meeting_json, NULL);
}
static int task_export(yj_req *r)
{
	return yj_reply_id_export(r, filtered(r, &task_t, K_COLS, NULL), "id", "joint-meeting-tasks", task_cols, task_json,
				  NULL);
}

static const yj_field action_body[] = {
	{"title", F_STRING, 1, 100, "The action's name"},
	{"region_code", F_STRING, 1, 12, "Where (GB/T 2260), within the caller's territory"},
	{"participants", F_ARRAY, 1, 0, "The other participating departments' codes"},
	{"plan", F_STRING, 1, 5000, "The plan (方案): targets, division of work, dates"},
	{"planned_on", F_STRING, 1, 10, "The planned day, YYYY-MM-DD; the year it counts for"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field result_body[] = {
	{"done_on", F_STRING, 1, 10, "The day carried out, YYYY-MM-DD, not after today"},
	{"result", F_STRING, 1, 5000, "The result: places checked, problems found, what was done"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field meeting_body[] = {
	{"title", F_STRING, 1, 100, "The meeting's name"},
	{"region_code", F_STRING, 1, 12, "Where (GB/T 2260), within the caller's territory"},
	{"held_on", F_STRING, 1, 10, "The day held, YYYY-MM-DD"},
	{"attendees", F_ARRAY, 1, 0, "The other attending departments' codes"},
	{"minutes", F_STRING, 0, 10000, "The minutes (纪要)"},
	{"decisions", F_ARRAY, 0, 0, "Decisions as tasks: [{decision, owner_department, due_on}]"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field done_body[] = {
	{"result", F_STRING, 1, 5000, "What was done"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_q[] = {
	{"state", "planned | done (actions); open | done (tasks)"},
	{"year", "Four digits: planned (actions) or held (meetings) that year"},
	{"region", "Within this territory (GB/T 2260)"},
	YJ_QP_PAGE,
	{NULL, NULL},
};
static const yj_qparam export_q[] = {
	{"state", "planned | done (actions); open | done (tasks)"},
	{"year", "Four digits: planned (actions) or held (meetings) that year"},
	{"region", "Within this territory (GB/T 2260)"},
	{"format", "xlsx (default), csv or count"},
	{NULL, NULL},
};
static const yj_qparam stats_q[] = {
	{"year", "Four digits; default this year"},
	{"region", "A territory within the caller's; default the caller's"},
	{NULL, NULL},
};

const yj_route yj_cmp_joint_routes[] = {
	{"GET", "/api/v1/joint-actions", action_list, HANDLERS, NULL, list_q, "complaints",
	 "Joint enforcement actions (联合执法) organised in the caller's scope", "{items, next_cursor}", 200},
	{"POST", "/api/v1/joint-actions", action_create, ORGANISERS, action_body, NULL, "complaints",
	 "Plan a joint action led by the caller's department", "The action", 201},
	{"GET", "/api/v1/joint-actions/stats", action_stats, HANDLERS, NULL, stats_q, "complaints",
	 "Joint actions of a territory and year against the local target", "{region_code, year, done, planned, target, met}", 200},
	{"GET", "/api/v1/joint-actions/export", action_export, HANDLERS, NULL, export_q, "complaints",
	 "The actions of the list's filters as Excel or CSV (?format=count: their number)", "file", 200},
	{"GET", "/api/v1/joint-meetings/export", meeting_export, HANDLERS, NULL, export_q, "complaints",
	 "The meetings of the list's filters as Excel or CSV (?format=count: their number)", "file", 200},
	{"GET", "/api/v1/joint-meetings/tasks/export", task_export, HANDLERS, NULL, export_q, "complaints",
	 "The meetings' tasks of the list's filters as Excel or CSV (?format=count: their number)", "file", 200},
	{"GET", "/api/v1/joint-actions/{id}", action_get, HANDLERS, NULL, NULL, "complaints", "One joint action", "The action", 200},
	{"POST", "/api/v1/joint-actions/{id}/result", action_result, ORGANISERS, result_body, NULL, "complaints",
	 "The lead department records the action's result", "The action", 200},
	{"GET", "/api/v1/joint-meetings", meeting_list, HANDLERS, NULL, list_q, "complaints",
	 "Joint meetings (联席会议) convened in the caller's scope", "{items, next_cursor}", 200},
	{"POST", "/api/v1/joint-meetings", meeting_create, ORGANISERS, meeting_body, NULL, "complaints",
	 "Record a joint meeting and its decisions, each a task of its owner department", "The meeting with its tasks", 201},
	{"GET", "/api/v1/joint-meetings/tasks", task_list, HANDLERS, NULL, list_q, "complaints",
	 "Meeting decisions owned by the caller's department (overdue: open past due_on)", "{items, next_cursor}", 200},
	{"GET", "/api/v1/joint-meetings/{id}", meeting_get, HANDLERS, NULL, NULL, "complaints", "One meeting with its tasks",
	 "The meeting", 200},
	{"POST", "/api/v1/joint-meetings/{id}/tasks/{task}/done", task_done, HANDLERS, done_body, NULL, "complaints",
	 "The owner department closes a decision with its result", "The task", 200},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
