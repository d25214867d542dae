/* task_api.c — inspection tasks in the field: tasks from draws and created directly (日常巡查, 专项督查,
 * 专项整治, 处罚后复查, 飞行检查), assignment, check-in with time and coordinates, checklist results per
 * check point, findings with the clause violated, attachments stored by SHA-256, the inspected party's
 * signature or refusal, and completion, which fixes the outcome, the publication deadline and the
 * subject's record. One GET returns a task with everything a phone-sized entry page needs. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- list, get ---- */

/* What ?q= looks in: the subject's name, whatever its kind (words), and the task's number (a word of
 * digits); LIKE scans of the tasks in the caller's scope. */
static const char *const search_cols[] = {"inspection_tasks.subject_name", NULL};
static const char *const search_ids[] = {"inspection_tasks.id", NULL};

/* The scoped query of t (inspection tasks, or their members: insp_members_t) with the request's
 * filters; the list, its teams and the export share it. ?q= has passed yj_search_q_or_reply. */
static yj_qb *tasks_filtered(yj_req *r, const yj_table *t, const char *columns)
{
	yj_qb *q = yj_q_select(t, columns, &yj_who(r)->scope);
	const char *v;
	yj_q_search(q, search_cols, search_ids, yj_query(r, "q"));
	if ((v = yj_query(r, "state")) && *v) {
		yj_q_where(q, "inspection_tasks.state = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "kind")) && *v) {
		yj_q_where(q, "inspection_tasks.kind = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "subject")) && *v) {
		int64_t s = 0;
		yj_id_parse(v, &s);
		yj_q_where(q, "inspection_tasks.subject_id = ?");
		yj_q_int(q, s);
	}
	if ((v = yj_query(r, "draw")) && *v) {
		int64_t d = 0;
		yj_id_parse(v, &d);
		yj_q_where(q, "inspection_tasks.draw_id = ?");
		yj_q_int(q, d);
	}
	if ((v = yj_query(r, "region")) && *v) {
		yj_q_region(q, "inspection_tasks.region_code", v);
	}
	if ((v = yj_query(r, "mine")) && !strcmp(v, "true")) {
		yj_q_where(q, "EXISTS (SELECT 1 FROM inspection_task_members x WHERE x.task_id = inspection_tasks.id"
			      " AND x.user_id = ?)");
		yj_q_int(q, yj_who(r)->user_id);
	}
	return q;
}

/* One page of tasks with their teams: the page, its teams and the team's names — three statements
 * whatever the page size (tests/unit/inspection/test_insp_api.c counts them). */
static int tasks_list(yj_req *r)
{
	int limit, rc;
	int64_t after, last = 0;
	const char *text;
	if (yj_page_id_or_reply(r, &limit, &after) < 0 || yj_search_q_or_reply(r, &text) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	yj_qb *q = tasks_filtered(r, &insp_tasks_t, INSP_TASK_COLS);
	yj_q_where(q, "id > ?");
	yj_q_int(q, after);
	yj_q_tail(q, "ORDER BY id LIMIT ?");
	yj_q_int(q, limit + 1);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *items = json_array(), *next = json_null();
	while ((rc = store_step(st)) == ST_ROW) {
		if ((int)json_array_size(items) == limit) {
			next = yj_cursor_json(json_string_value(json_object_get(json_array_get(items, limit - 1), "id")));
			break;
		}
		last = store_col_int64(st, 0);
		json_array_append_new(items, insp_task_json(st));
	}
	store_finalize(st);
	if (rc >= 0 && last)
		rc = insp_teams_fill(c, insp_teams_query(tasks_filtered(r, &insp_members_t, "m.task_id, m.user_id, i.cert_no"), c,
						    after, last), items);
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

static const yj_column export_cols[] = {
	{"kind_label", "任务类型"}, {"subject_name", "检查对象"}, {"subject_credit_code", "统一社会信用代码"},
	{"region_code", "行政区划"}, {"department", "部门"}, {"phase", "抽取方式"}, {"team_names", "检查人员"},
	{"due_date", "计划完成日期"}, {"state", "状态"}, {"outcome", "检查结果"}, {"completed_on", "完成日期"},
	{"publish_due", "公示期限"}, {"published", "已公示"}, {NULL, NULL},
};

/* The export walks two statements in step, both in task id order over the same filters: the tasks,
 * and their team members; each task row takes the members of its id as they come. Names are read
 * first, for the people on any exported team. So an export of any size costs four statements (names:
 * one more per 500 people) and holds one task in memory. */
typedef struct export_walk {
	store_stmt *members; /* m.task_id, m.user_id: owned, finalized by tasks_export */
	int rc;		     /* of the last step of members */
	json_t *names;	     /* decimal user id → name */
} export_walk;

static json_t *export_row(store_stmt *st, void *arg)
{
	export_walk *w = arg;
	json_t *t = insp_task_json(st);
	int64_t id = store_col_int64(st, 0);
	while (w->rc == ST_ROW && store_col_int64(w->members, 0) < id)
		w->rc = store_step(w->members);
	yj_buf names = YJ_BUF_INIT;
	for (int k = 0; w->rc == ST_ROW && store_col_int64(w->members, 0) == id; k++) {
		char key[21];
		yj_id_format(store_col_int64(w->members, 1), key);
		const char *n = json_string_value(json_object_get(w->names, key));
		yj_buf_printf(&names, "%s%s", k ? "、" : "", n ? n : "");
		w->rc = store_step(w->members);
	}
	json_t *subject = json_object_get(t, "subject");
	json_object_set(t, "subject_name", json_object_get(subject, "name"));
	json_object_set(t, "subject_credit_code", json_object_get(subject, "credit_code"));
	json_object_set_new(t, "team_names", json_string(names.data ? names.data : ""));
	json_object_set_new(t, "published", json_string(json_is_null(json_object_get(t, "published_at")) ? "否" : "是"));
	yj_buf_free(&names);
	return t;
}

/* The names of everyone on a team of the filtered tasks, into names. */
static int export_names(yj_req *r, store_conn *c, json_t *names)
{
	store_stmt *st = yj_q_prepare(tasks_filtered(r, &insp_members_t, "DISTINCT m.user_id"), c);
	if (!st)
		return ST_ERR;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		if (n == cap)
			ids = yj_realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof *ids);
		ids[n++] = store_col_int64(st, 0);
	}
	store_finalize(st);
	if (rc >= 0)
		rc = yj_user_names(c, ids, n, 0, names);
	free(ids);
	return rc < 0 ? rc : ST_OK;
}

static int tasks_export(yj_req *r)
{
	const char *text;
	if (yj_search_q_or_reply(r, &text) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	export_walk w = {NULL, ST_DONE, json_object()};
	int rc = export_names(r, c, w.names);
	if (rc < 0) {
		json_decref(w.names);
		return yj_reply_store_error(r, rc);
	}
	yj_qb *mq = tasks_filtered(r, &insp_members_t, "m.task_id, m.user_id");
	yj_q_tail(mq, "ORDER BY m.task_id, m.member_order");
	if (!(w.members = yj_q_prepare(mq, c))) {
		json_decref(w.names);
		return yj_reply_store_error(r, ST_ERR);
	}
	w.rc = store_step(w.members);
	yj_qb *q = tasks_filtered(r, &insp_tasks_t, INSP_TASK_COLS);
	yj_q_tail(q, "ORDER BY id");
	rc = yj_reply_export_stmt(r, "inspection-tasks", export_cols, yj_q_prepare(q, c), export_row, &w);
	store_finalize(w.members);
	json_decref(w.names);
	return rc;
}

static int task_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = insp_task_full(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

/* ---- create and assign ---- */


/* Validates item ids (active items) into a csv (caller frees) or adds errors. */
static char *items_csv(store_conn *c, const json_t *items, yj_refusal *f)
{
	size_t i;
	json_t *v;
	if (!json_is_array(items) || json_array_size(items) > 20) {
		yj_refusal_field(f, "item_ids", "应为 0 到 20 个抽查事项编号");
		return NULL;
	}
	json_array_foreach(items, i, v) {
		int64_t id;
		int active = 0;
		if (yj_id_parse(json_string_value(v), &id) < 0 || insp_item_is_active(c, json_string_value(v), &active) < 0 ||
		    !active) {
			yj_refusal_field(f, "item_ids", "抽查事项不存在或已停用");
			return NULL;
		}
	}
	return insp_array_csv(items);
}

static int task_create_tx(store_conn *c, void *arg)
{
	insp_task_arg *a = arg;
	const json_t *b = yj_body(a->r);
	const yj_principal *who = yj_who(a->r);
	json_decref(a->out); /* of an attempt store_tx ran again */
	a->out = NULL;
	const char *kind = json_string_value(json_object_get(b, "kind")), *due = json_string_value(json_object_get(b, "due_date")),
		   *note = json_string_value(json_object_get(b, "note")),
		   *skind = json_string_value(json_object_get(b, "subject_kind"));
	if (!skind || !*skind)
		skind = "institution";
	if (!strcmp(skind, "practitioner") || !yj_subject_kind_valid(skind))
		yj_refusal_field(&a->ref, "subject_kind", "检查对象类别应为 institution（医疗机构）或主体库的其他监管对象类别，"
							  "如 public_place（公共场所）（/api/v1/registry/kinds）");
	if (!kind || !insp_task_kind_label(kind) || !strcmp(kind, "random") || !strcmp(kind, "follow_up"))
		yj_refusal_field(&a->ref, "kind", "应为 patrol（日常巡查）、supervision（专项督查）、rectification（专项整治）、"
					    "post_penalty（处罚后复查）或 flight（飞行检查）；双随机任务由抽取产生");
	int64_t d, sid = 0;
	if (due && yj_day_parse(due, &d) < 0)
		yj_refusal_field(&a->ref, "due_date", "日期格式应为 YYYY-MM-DD");
	if (note && !insp_clean(note, 1))
		yj_refusal_field(&a->ref, "note", "不能包含控制字符");
	char *name = NULL, *code = NULL, region[16] = "", *team = NULL, *items = NULL;
	int rc = ST_OK;
	if (yj_id_parse(json_string_value(json_object_get(b, "subject_id")), &sid) < 0 ||
	    (rc = insp_subject(c, &who->scope, skind, sid, &name, &code, region)) == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "subject_id", "检查对象不存在或不在本人辖区内");
		rc = ST_OK;
	}
	if (rc < 0)
		goto done;
	json_t *no_items = json_array(); /* item_ids is optional: none given is an empty list */
	items = items_csv(c, json_object_get(b, "item_ids") ? json_object_get(b, "item_ids") : no_items, &a->ref);
	json_decref(no_items);
	if (region[0] && (rc = insp_team_check(c, json_object_get(b, "team"), sid, region, &a->ref, &team)) < 0 &&
	    rc != YJ_REFUSED)
		goto done;
	if (yj_refusal_has_fields(&a->ref)) {
		rc = yj_refuse_invalid(&a->ref, "检查任务不符合要求，请按字段提示修改后重新提交。");
		goto done;
	}
	a->id = yj_id_new();
	char actor[21];
	insp_actor(a->r, actor);
	insp_task_new row = {a->id, sid, yj_now_ms(), kind, items, name, code, region, who->department, note, due, actor, skind};
	if ((rc = insp_task_insert(c, &row)) < 0 || (rc = insp_team_write(c, a->id, team)) < 0 || (rc = insp_todo_task(c, a->id)) < 0)
		goto done;
	if ((rc = insp_task_full(c, &who->scope, a->id, &a->out)) < 0)
		goto done;
	rc = insp_audit(c, a->r, "inspection.task.create", "inspection_task", a->id, region, a->out, NULL);
done:
	free(name);
	free(code);
	free(team);
	free(items);
	return rc;
}

static int task_create(yj_req *r)
{
	insp_task_arg a = {.r = r};
	if (yj_tx_or_reply(r, task_create_tx, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, 201, a.out);
}

/* Loads the task for a field operation: in scope, not completed, and (for inspectors) on its team. */
static int field_task(store_conn *c, insp_task_arg *a, json_t **t)
{
	const yj_principal *who = yj_who(a->r);
	int rc = insp_task_row(c, &who->scope, a->id, t);
	if (rc < 0)
		return rc;
	if (!strcmp(json_string_value(json_object_get(*t, "state")), "completed")) {
		return yj_refuse(&a->ref, 409, "state", "任务状态不允许此操作",
				 "该检查任务已完成，检查记录不能再修改；如需补充，请另行创建检查任务。");
	}
	if (who->role_bit == ROLE_INSPECTOR) {
		int member = 0;
		size_t i;
		json_t *m;
		char me[21];
		yj_id_format(who->user_id, me);
		json_array_foreach(json_object_get(*t, "team"), i, m) member |= !strcmp(json_string_value(json_object_get(m, "id")), me);
		if (!member) {
			return yj_refuse(&a->ref, 403, "forbidden", "无权操作", "只有本任务检查组的执法人员可以录入检查记录。");
		}
	}
	return ST_OK;
}



struct field_run {
	insp_task_arg *a;
	insp_field_fn fn;
	const char *action;
};

/* The events field operations announce (docs/events.md), by audit action; NULL for the others. */
static const char *event_of(const char *action)
{
	if (!strcmp(action, "inspection.task.finding"))
		return "inspection.finding_recorded";
	if (!strcmp(action, "inspection.task.complete"))
		return "inspection.task_completed";
	return NULL;
}

/* An event's payload: the task's subject and outcome from the full task, and the operation's
 * own result (a finding) when it has one. New reference. */
static json_t *task_event(int64_t id, const json_t *task, const json_t *out)
{
	json_t *p = json_pack("{s:o, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "task_id", yj_json_id(id), "subject_id",
			      json_object_get(json_object_get(task, "subject"), "id"), "subject_kind",
			      json_object_get(json_object_get(task, "subject"), "kind"), "kind", json_object_get(task, "kind"),
			      "state", json_object_get(task, "state"), "outcome", json_object_get(task, "outcome"),
			      "completed_on", json_object_get(task, "completed_on"), "publish_due",
			      json_object_get(task, "publish_due"), "department", json_object_get(task, "department"));
	if (p && out) {
		json_t *f = json_deep_copy(out);
		json_object_del(f, "description"); /* free text: subscribers read the finding through inspection.h */
		json_object_set_new(p, "finding", f);
	}
	return p;
}

static int field_tx(store_conn *c, void *arg)
{
	struct field_run *f = arg;
	insp_task_arg *a = f->a;
	json_t *t = NULL;
	json_decref(a->out);
	a->out = NULL;
	int rc = field_task(c, a, &t);
	if (rc == ST_OK)
		rc = f->fn(c, a, t);
	if (rc == ST_OK && yj_refusal_has_fields(&a->ref))
		rc = yj_refuse_invalid(&a->ref, NULL);
	char region[16] = "";
	if (t)
		snprintf(region, sizeof region, "%s", json_string_value(json_object_get(t, "region_code")));
	json_decref(t);
	if (rc < 0)
		return rc;
	json_t *full = NULL;
	if ((rc = insp_task_full(c, &yj_who(a->r)->scope, a->id, &full)) < 0)
		return rc;
	json_t *state = a->out ? json_incref(a->out) : json_incref(full);
	rc = insp_audit(c, a->r, f->action, "inspection_task", a->id, region, state, NULL);
	if (rc >= 0 && event_of(f->action))
		rc = insp_event(c, a->r, event_of(f->action), "inspection_task", a->id, region, task_event(a->id, full, a->out));
	json_decref(state);
	if (!a->out)
		a->out = full;
	else
		json_decref(full);
	return rc;
}

int insp_field_op(yj_req *r, insp_field_fn fn, const char *action, int status)
{
	insp_task_arg a = {.r = r};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	struct field_run f = {&a, fn, action};
	if (yj_tx_or_reply(r, field_tx, &f, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, status, a.out);
}

static int do_assign(store_conn *c, insp_task_arg *a, json_t *t)
{
	if (yj_who(a->r)->role_bit == ROLE_INSPECTOR)
		return yj_refuse(&a->ref, 403, "forbidden", "无权操作", "检查组由管理员或领导指派。");
	int64_t sid = 0;
	yj_id_parse(json_string_value(json_object_get(json_object_get(t, "subject"), "id")), &sid);
	char *team = NULL;
	int rc = insp_team_check(c, json_object_get(yj_body(a->r), "team"), sid,
				 json_string_value(json_object_get(t, "region_code")), &a->ref, &team);
	if (rc < 0)
		return rc;
	rc = insp_team_write(c, a->id, team);
	free(team);
	if (rc >= 0)
		rc = insp_task_updated(c, a->id);
	return rc < 0 ? rc : insp_todo_task(c, a->id);
}

static int task_assign(yj_req *r)
{
	return insp_field_op(r, do_assign, "inspection.task.assign", 200);
}

static int do_checkin(store_conn *c, insp_task_arg *a, json_t *t)
{
	const json_t *b = yj_body(a->r);
	double lng = json_number_value(json_object_get(b, "lng")), lat = json_number_value(json_object_get(b, "lat"));
	if (!(lng >= 73 && lng <= 136))
		yj_refusal_field(&a->ref, "lng", "经度应在 73 到 136 之间（中国境内）");
	if (!(lat >= 3 && lat <= 54))
		yj_refusal_field(&a->ref, "lat", "纬度应在 3 到 54 之间（中国境内）");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	int rc = insp_task_set_checkin(c, a->id, yj_now_ms(), (int64_t)(lng * 1e6 + (lng >= 0 ? 0.5 : -0.5)),
				       (int64_t)(lat * 1e6 + (lat >= 0 ? 0.5 : -0.5)));
	return rc < 0 ? rc : insp_task_touch(c, a->id);
}

static int task_checkin(yj_req *r)
{
	return insp_field_op(r, do_checkin, "inspection.task.checkin", 200);
}

/* The check point `code` of the task's items, or NULL (borrowed from the list *cl, which the caller frees). */
static json_t *point_of(store_conn *c, json_t *t, const char *code, json_t **cl)
{
	char *items = insp_array_csv(json_object_get(t, "item_ids"));
	*cl = NULL;
	int rc = insp_checklist(c, items, cl);
	free(items);
	if (rc < 0 || !code)
		return NULL;
	size_t i;
	json_t *p;
	json_array_foreach(*cl, i, p) if (!strcmp(json_string_value(json_object_get(p, "code")), code)) return p;
	return NULL;
}

static int do_point(store_conn *c, insp_task_arg *a, json_t *t)
{
	const json_t *b = yj_body(a->r);
	const char *code = yj_param(a->r, "code"), *res = json_string_value(json_object_get(b, "result")),
		   *note = json_string_value(json_object_get(b, "note"));
	json_t *cl = NULL, *p = point_of(c, t, code, &cl);
	if (!p) {
		json_decref(cl);
		yj_refusal_field(&a->ref, "code", "该检查要点不属于本任务的检查清单");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	json_t *point = json_deep_copy(p);
	json_decref(cl);
	if (!res || (strcmp(res, "compliant") && strcmp(res, "non_compliant") && strcmp(res, "not_applicable")))
		yj_refusal_field(&a->ref, "result", "应为 compliant（符合）、non_compliant（不符合）或 not_applicable（不适用）");
	else if (strcmp(res, "compliant") && insp_blank(note))
		yj_refusal_field(&a->ref, "note", "不符合或不适用的检查要点须填写说明");
	if (note && !insp_clean(note, 1))
		yj_refusal_field(&a->ref, "note", "不能包含控制字符");
	if (yj_refusal_has_fields(&a->ref)) {
		json_decref(point);
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char actor[21];
	insp_actor(a->r, actor);
	int64_t now = yj_now_ms();
	insp_record rec = {a->id, now, json_string_value(json_object_get(t, "region_code")),
			   json_string_value(json_object_get(t, "department")), actor};
	int rc = insp_result_put(c, &rec, code, res, note);
	if (rc < 0 || (rc = insp_task_touch(c, a->id)) < 0) {
		json_decref(point);
		return rc;
	}
	json_object_set_new(point, "result", json_string(res));
	json_object_set_new(point, "note", insp_blank(note) ? json_null() : json_string(note));
	json_object_set_new(point, "by", json_string(actor));
	json_object_set_new(point, "at", json_integer(now));
	a->out = point;
	return ST_OK;
}

static int task_point(yj_req *r)
{
	return insp_field_op(r, do_point, "inspection.task.checkpoint", 200);
}

static int do_finding(store_conn *c, insp_task_arg *a, json_t *t)
{
	const json_t *b = yj_body(a->r);
	const char *pc = json_string_value(json_object_get(b, "point_code")), *sev = json_string_value(json_object_get(b, "severity")),
		   *clause = json_string_value(json_object_get(b, "clause")),
		   *desc = json_string_value(json_object_get(b, "description"));
	json_t *cl = NULL, *p = pc ? point_of(c, t, pc, &cl) : NULL;
	if (pc && !p)
		yj_refusal_field(&a->ref, "point_code", "该检查要点不属于本任务的检查清单");
	char *cls = yj_strdup(!insp_blank(clause) ? clause : p ? json_string_value(json_object_get(p, "clause")) : NULL);
	json_decref(cl);
	if (!sev || (strcmp(sev, "minor") && strcmp(sev, "general") && strcmp(sev, "serious")))
		yj_refusal_field(&a->ref, "severity", "应为 minor（轻微）、general（一般）或 serious（严重）");
	if (insp_blank(cls) || !insp_clean(cls, 0))
		yj_refusal_field(&a->ref, "clause", "请填写所违反的法律条款（或选择检查要点以沿用其条款）");
	if (insp_blank(desc) || !insp_clean(desc, 1))
		yj_refusal_field(&a->ref, "description", "请描述发现的问题");
	if (yj_refusal_has_fields(&a->ref)) {
		free(cls);
		return yj_refuse_invalid(&a->ref, NULL);
	}
	int64_t id = yj_id_new(), sid = 0, now = yj_now_ms();
	yj_id_parse(json_string_value(json_object_get(json_object_get(t, "subject"), "id")), &sid);
	char actor[21];
	insp_actor(a->r, actor);
	insp_record rec = {a->id, now, json_string_value(json_object_get(t, "region_code")),
			   json_string_value(json_object_get(t, "department")), actor};
	int rc = insp_finding_insert(c, &rec, id, sid, json_string_value(json_object_get(json_object_get(t, "subject"), "kind")),
				     pc, sev, cls, desc);
	if (rc >= 0)
		a->out = json_pack("{s:o, s:s?, s:s, s:s, s:s, s:s, s:I}", "id", yj_json_id(id), "point_code", pc, "severity", sev,
				   "clause", cls, "description", desc, "by", actor, "created_at", (json_int_t)now);
	free(cls);
	return rc < 0 ? rc : insp_task_touch(c, a->id);
}

static int task_finding(yj_req *r)
{
	return insp_field_op(r, do_finding, "inspection.task.finding", 201);
}

static int do_signature(store_conn *c, insp_task_arg *a, json_t *t)
{
	const json_t *b = yj_body(a->r);
	int sig = json_is_true(json_object_get(b, "signed"));
	const char *name = json_string_value(json_object_get(b, "signer_name")), *note = json_string_value(json_object_get(b, "note"));
	if (sig && (insp_blank(name) || !insp_clean(name, 0)))
		yj_refusal_field(&a->ref, "signer_name", "被检查单位签字的，请填写签字人姓名");
	if (!sig && (insp_blank(note) || !insp_clean(note, 1)))
		yj_refusal_field(&a->ref, "note", "被检查单位拒绝签字的，请注明拒签情况（如在场见证人）");
	/* The handwritten signature: a PNG uploaded to this task first (attachments), named by its SHA-256. */
	const char *image = sig ? json_string_value(json_object_get(b, "image_sha256")) : NULL;
	char type[40] = "";
	int rc = ST_OK;
	if (image && (strlen(image) != 64 || strspn(image, "0123456789abcdef") != 64))
		yj_refusal_field(&a->ref, "image_sha256", "签名图片应以其 SHA-256（64 位小写十六进制）指明，请重新签名");
	else if (image && (rc = insp_attachment_type(c, &yj_who(a->r)->scope, a->id, image, type)) < 0 && rc != ST_NOTFOUND)
		return rc;
	else if (image && (rc == ST_NOTFOUND || strcmp(type, "image/png")))
		yj_refusal_field(&a->ref, "image_sha256", "签名图片应先作为本任务的 PNG 附件上传，请重新签名后保存");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	rc = insp_task_set_signature(c, a->id, sig ? "signed" : "refused", sig ? name : NULL, note, image);
	return rc < 0 ? rc : insp_task_touch(c, a->id);
}

static int task_signature(yj_req *r)
{
	return insp_field_op(r, do_signature, "inspection.task.signature", 200);
}

static int do_complete(store_conn *c, insp_task_arg *a, json_t *t)
{
	json_t *full = NULL;
	int rc = insp_task_full(c, &yj_who(a->r)->scope, a->id, &full);
	if (rc < 0)
		return rc;
	const char *summary = json_string_value(json_object_get(yj_body(a->r), "summary"));
	if (json_is_null(json_object_get(full, "checkin")))
		yj_refusal_field(&a->ref, "checkin", "尚未现场签到（时间和位置），请先签到");
	json_t *pr = json_object_get(full, "progress");
	if (json_integer_value(json_object_get(pr, "answered")) < json_integer_value(json_object_get(pr, "total"))) {
		char msg[120];
		snprintf(msg, sizeof msg, "检查清单还有 %lld 个要点未填写结果",
			 (long long)(json_integer_value(json_object_get(pr, "total")) - json_integer_value(json_object_get(pr, "answered"))));
		yj_refusal_field(&a->ref, "checklist", msg);
	}
	if (json_is_null(json_object_get(full, "signature")))
		yj_refusal_field(&a->ref, "signature", "请记录被检查单位签字或拒签情况");
	if (summary && !insp_clean(summary, 1))
		yj_refusal_field(&a->ref, "summary", "不能包含控制字符");
	int bad = json_array_size(json_object_get(full, "findings")) > 0;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(full, "checklist"), i, p) {
		const char *res = json_string_value(json_object_get(p, "result"));
		bad |= res && !strcmp(res, "non_compliant");
	}
	if (yj_refusal_has_fields(&a->ref)) {
		json_decref(full);
		return yj_refuse_invalid(&a->ref, NULL);
	}
	int64_t now = yj_now_ms(), sid = 0;
	char today[11], due[11];
	yj_day_of_ms(now, today);
	if ((rc = yj_workdays_add(c, today, YJ_PUBLISH_WORKING_DAYS, due)) < 0) {
		json_decref(full);
		return rc;
	}
	const char *outcome = bad ? "non_compliant" : "compliant";
	yj_id_parse(json_string_value(json_object_get(json_object_get(full, "subject"), "id")), &sid);
	json_t *detail = json_pack("{s:O, s:I}", "kind", json_object_get(full, "kind"), "findings",
				   (json_int_t)json_array_size(json_object_get(full, "findings")));
	char *dt = yj_json_canonical(detail);
	json_decref(detail);
	insp_record rec = {a->id, now, json_string_value(json_object_get(full, "region_code")),
			   json_string_value(json_object_get(full, "department")), NULL};
	rc = insp_task_complete(c, &rec, sid, outcome, summary, today, due, dt);
	free(dt);
	json_decref(full);
	return rc < 0 ? rc : insp_todo_task_completed(c, a->id);
}

static int task_complete(yj_req *r)
{
	return insp_field_op(r, do_complete, "inspection.task.complete", 200);
}

/* ---- routes ---- */

static const yj_field create_body[] = {
	{"kind", F_STRING, 1, 20, "patrol 日常巡查, supervision 专项督查, rectification 专项整治, post_penalty 处罚后复查, flight 飞行检查"},
	{"subject_id", F_STRING, 1, 20, "Registry id of the subject (of the kind subject_kind)"},
	{"subject_kind", F_STRING, 0, 20, "institution (default) or another registry kind: public_place, water_supply, … (GET /api/v1/registry/kinds)"},
	{"item_ids", F_ARRAY, 0, 0, "Inspection item ids whose checklists apply"},
	{"team", F_ARRAY, 1, 0, "User ids of ≥ 2 inspectors of the directory, the leader first"},
	{"due_date", F_STRING, 0, 10, "YYYY-MM-DD"},
	{"note", F_STRING, 0, 2000, "Instructions"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field assign_body[] = {{"team", F_ARRAY, 1, 0, "User ids of ≥ 2 inspectors"}, {NULL, 0, 0, 0, NULL}};
static const yj_field checkin_body[] = {
	{"lng", F_NUMBER, 1, 0, "Longitude, degrees (GCJ-02)"}, {"lat", F_NUMBER, 1, 0, "Latitude, degrees"}, {NULL, 0, 0, 0, NULL}};
static const yj_field point_body[] = {
	{"result", F_STRING, 1, 20, "compliant, non_compliant or not_applicable"},
	{"note", F_STRING, 0, 2000, "Required unless compliant"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field finding_body[] = {
	{"point_code", F_STRING, 0, 40, "Check point the finding belongs to"},
	{"severity", F_STRING, 1, 10, "minor, general or serious"},
	{"clause", F_STRING, 0, 500, "Legal clause violated (default: the check point's)"},
	{"description", F_STRING, 1, 4000, "What was found"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field signature_body[] = {
	{"signed", F_BOOL, 1, 0, "true: the inspected party signed; false: refused"},
	{"signer_name", F_STRING, 0, 50, "Who signed"},
	{"note", F_STRING, 0, 1000, "Circumstances (required on refusal)"},
	{"image_sha256", F_STRING, 0, 64, "The handwritten signature: SHA-256 of a PNG attached to this task (signed only)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field complete_body[] = {{"summary", F_STRING, 0, 4000, "Conclusion in words"}, {NULL, 0, 0, 0, NULL}};
static const yj_field attach_body[] = {
	{"application/octet-stream", F_RAW, 1, 0, "The file (JPEG, PNG, WebP, HEIC, PDF or MP4; ≤ 8 MiB); its type is read from its content"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_q[] = {
	{"q", "Words (up to 4; 50 characters at most) that must each occur in the subject's name (any subject kind),"
	      " or equal the task's id"},
	{"state", "assigned, in_progress or completed"}, {"kind", "Task kind"}, {"subject", "Institution id"},
	{"draw", "Draw id"}, {"region", "GB/T 2260 code: tasks of subjects in its subtree"},
	{"mine", "true: tasks whose team includes the caller"}, {"limit", "Page size"}, {"cursor", "next_cursor"}, {NULL, NULL}};
static const yj_qparam export_q[] = {
	{"q", "Words in the subject's name, or the task's id"}, {"state", "assigned, in_progress or completed"},
	{"kind", "Task kind"}, {"subject", "Institution id"},
	{"draw", "Draw id"}, {"region", "GB/T 2260 code: tasks of subjects in its subtree"},
	{"mine", "true: tasks whose team includes the caller"}, {"format", "xlsx (default) or csv"}, {NULL, NULL}};
static const yj_qparam attach_q[] = {{"name", "File name to show"}, {NULL, NULL}};

const yj_route yj_insp_task_routes[] = {
	{"GET", "/api/v1/inspection/tasks", tasks_list, INSP_TASK_READERS, NULL, list_q, "inspection",
	 "Inspection tasks in scope, by words (q) in the subject's name, state, kind, subject, draw, territory or team",
	 "{items, next_cursor}", 0},
	{"GET", "/api/v1/inspection/tasks/export", tasks_export, INSP_TASK_READERS, NULL, export_q, "inspection", "Export the filtered task list as Excel or CSV", "An .xlsx or .csv file", 0},
	{"POST", "/api/v1/inspection/tasks", task_create, INSP_FIELD, create_body, NULL, "inspection", "Create a task directly (patrol, supervision, rectification, post-penalty, flight)", "task", 201},
	{"GET", "/api/v1/inspection/tasks/{id}", task_get, INSP_TASK_READERS, NULL, NULL, "inspection", "A task with team, checklist and results, findings, attachments, rectifications", "task", 0},
	{"POST", "/api/v1/inspection/tasks/{id}/assign", task_assign, INSP_PLANNERS, assign_body, NULL, "inspection", "Assign the team", "task", 0},
	{"POST", "/api/v1/inspection/tasks/{id}/checkin", task_checkin, INSP_FIELD, checkin_body, NULL, "inspection", "Check in on site (time and coordinates)", "task", 0},
	{"PUT", "/api/v1/inspection/tasks/{id}/checklist/{code}", task_point, INSP_FIELD, point_body, NULL, "inspection", "Save the result of one check point", "point", 0},
	{"POST", "/api/v1/inspection/tasks/{id}/findings", task_finding, INSP_FIELD, finding_body, NULL, "inspection", "Record a finding", "finding", 201},
	{"POST", "/api/v1/inspection/tasks/{id}/attachments", insp_task_attach, INSP_FIELD, attach_body, attach_q, "inspection", "Upload a photo or document (stored by SHA-256)", "attachment", 201},
	{"GET", "/api/v1/inspection/tasks/{id}/attachments/{sha256}", insp_attachment_get, INSP_TASK_READERS, NULL, NULL, "inspection", "Download an attachment", "file", 0},
	{"POST", "/api/v1/inspection/tasks/{id}/signature", task_signature, INSP_FIELD, signature_body, NULL, "inspection", "Record the inspected party's signature or refusal", "task", 0},
	{"POST", "/api/v1/inspection/tasks/{id}/complete", task_complete, INSP_FIELD, complete_body, NULL, "inspection", "Complete the inspection: outcome, publication deadline, subject record", "task", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
