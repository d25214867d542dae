/* joint_api.c — the routes of joint work (联合执法, 联席会议): the writes of joint.c run through the
 * complaints' one runner, an action, a meeting with its decisions, the yearly count against the target, and
 * the scoped lists with their exports (docs/complaints.md, "Joint work"). */
#define _POSIX_C_SOURCE 200809L
#include "joint_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HANDLERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)
#define ORGANISERS (ROLE_ADMIN | ROLE_LEADER | ROLE_LIAISON)

static int action_create(yj_req *r) { return cmp_op_run(r, jnt_action_create_tx, 201, NULL, NULL); }
static int action_result(yj_req *r) { return cmp_op_run(r, jnt_action_result_tx, 200, "id", NULL); }
static int meeting_create(yj_req *r) { return cmp_op_run(r, jnt_meeting_create_tx, 201, NULL, NULL); }
static int task_done(yj_req *r) { return cmp_op_run(r, jnt_task_done_tx, 200, "id", "task"); }

static int action_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = jnt_action_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

static int meeting_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = jnt_meeting_load_as_party(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	if (rc < 0)
		json_decref(o);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
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
	int64_t done, planned, target;
	int rc = jnt_action_counts(c, &who->scope, region, from, to, &done, &planned);
	if (rc < 0 || (rc = jnt_target_of(c, region, &target)) < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:s, s:i, s:I, s:I, s:I, s:b}", "region_code", region, "year", atoi(year), "done",
					       (json_int_t)done, "planned", (json_int_t)planned, "target", (json_int_t)target, "met",
					       done >= target));
}

/* A list's query with the request's filters (the list and its export), or NULL after replying 400:
 * states is what ?state= may be ("planned", "done"), NULL for meetings, which have no state (a state
 * filter there once reached the SQL and answered 500). */
static yj_qb *filtered(yj_req *r, jnt_kind kind, const char *const *states)
{
	const char *v = yj_query(r, "state");
	if (v && *v) {
		size_t i = 0;
		while (states && states[i] && strcmp(states[i], v))
			i++;
		if (!states || !states[i]) {
			const char *detail = !states ? "联席会议没有状态，请去掉 state 参数（议定事项的状态见 /api/v1/joint-meetings/tasks?state=open）。"
					   : states[0][0] == 'p' ? "state 应为 planned（计划中）或 done（已完成）。"
								 : "state 应为 open（办理中）或 done（已办结）。";
			yj_reply_problem_errors(r, 400, "validation", "参数错误", detail,
						yj_field_errors("state", !states ? "会议没有状态" : "不是可用的状态"));
			return NULL;
		}
	}
	return jnt_query(kind, &yj_who(r)->scope, v, yj_query(r, "year"), yj_query(r, "region"));
}

static const char *const ACTION_STATES[] = {"planned", "done", NULL};
static const char *const TASK_STATES[] = {"open", "done", NULL};
/* The lists' queries, each with the states its ?state= may take. */
static yj_qb *actions_q(yj_req *r) { return filtered(r, JNT_ACTIONS, ACTION_STATES); }
static yj_qb *meetings_q(yj_req *r) { return filtered(r, JNT_MEETINGS, NULL); }
static yj_qb *tasks_q(yj_req *r) { return filtered(r, JNT_TASKS, TASK_STATES); }

static int action_list(yj_req *r) { return cmp_reply_list(r, actions_q, jnt_action_json); }
static int meeting_list(yj_req *r) { return cmp_reply_list(r, meetings_q, jnt_meeting_json); }
static int task_list(yj_req *r) { return cmp_reply_list(r, tasks_q, jnt_task_json); }

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
	yj_qb *q = actions_q(r);
	return q ? yj_reply_id_export(r, q, "id", "joint-actions", action_cols, jnt_action_json, NULL) : YJ_OK;
}
static int meeting_export(yj_req *r)
{
	yj_qb *q = meetings_q(r);
	return q ? yj_reply_id_export(r, q, "id", "joint-meetings", meeting_cols, jnt_meeting_json, NULL) : YJ_OK;
}
static int task_export(yj_req *r)
{
	yj_qb *q = tasks_q(r);
	return q ? yj_reply_id_export(r, q, "id", "joint-meeting-tasks", task_cols, jnt_task_json, NULL) : YJ_OK;
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
	{"state", "planned | done (actions); open | done (tasks); meetings have none (400)"},
	{"year", "Four digits: planned (actions) or held (meetings) that year"},
	{"region", "Within this territory (GB/T 2260)"},
	YJ_QP_PAGE,
	{NULL, NULL},
};
static const yj_qparam export_q[] = {
	{"state", "planned | done (actions); open | done (tasks); meetings have none (400)"},
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
