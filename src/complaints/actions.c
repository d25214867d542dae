/* actions.c — what handlers do to a matter, one function per step of the 12345 closed loop
 * (dispatch → accept → handle → reply → feed back → revisit), with returns, pauses, refusals,
 * merging and the referral to enforcement. Each runs inside cmp_act_tx's transaction after the
 * matter has been loaded in the caller's scope and the step checked against its state and the
 * caller's unit; each sets the columns it changes, the step the reporter reads and its audit. */
#define _POSIX_C_SOURCE 200809L
#include "actions.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

/* A required reason or text of at least min code points, without control characters. */
static int text_ok(const char *v, size_t min)
{
	if (!v || yj_utf8_len(v, strlen(v)) < min)
		return 0;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7F)
			return 0;
	return 1;
}

static int dept_known(store_conn *c, const char *code, char name[64])
{
	int rc = code ? yj_department_name(c, code, name, 64) : ST_NOTFOUND;
	return rc == ST_NOTFOUND ? 0 : rc < 0 ? rc : 1;
}

static int do_dispatch(store_conn *c, cmp_act *a)
{
	const json_t *b = a->body, *co = json_object_get(b, "co_departments");
	const char *lead = json_string_value(json_object_get(b, "department"));
	if (!lead)
		lead = s_(a->m, "suggested_department");
	char name[64], other[64];
	int rc = dept_known(c, lead, name);
	if (rc < 0)
		return rc;
	if (!rc)
		yj_refusal_field(&a->ref, "department", "未知的部门代码，请从部门列表中选择牵头办理部门");
	if (json_array_size(co) > 5)
		yj_refusal_field(&a->ref, "co_departments", "协办部门最多 5 个");
	size_t i;
	json_t *v;
	json_array_foreach(co, i, v) {
		const char *d = json_string_value(v);
		int k = d ? dept_known(c, d, other) : 0;
		if (k < 0)
			return k;
		int dup = d && !strcmp(d, lead);
		for (size_t j = 0; j < i; j++)
			dup |= json_equal(json_array_get(co, j), v);
		if (!k || dup)
			yj_refusal_field(&a->ref, "co_departments", "协办部门应为已知部门代码，不能重复，也不能与牵头部门相同");
	}
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	char due[11];
	if ((rc = yj_workdays_add(c, a->today, a->cat.accept_days, due)) < 0)
		return rc;
	json_t *set = json_pack("{s:s, s:s, s:s, s:s}", "state", "dispatched", "department", lead, "dispatched_on", a->today,
				"accept_due", due);
	char *note = yj_asprintf("已分派至%s办理。", name);
	if ((rc = cmp_update(c, a->id, set, a->now)) >= 0 && (rc = cmp_units_set(c, a->id, lead, co)) >= 0 &&
	    (rc = cmp_todos_close(c, a->m, YJ_TODO_DONE)) >= 0)
		rc = cmp_step_add(c, a->id, "dispatched", note, a->actor, a->now);
	free(note);
	json_object_update(a->m, set);
	json_decref(set);
	if (rc >= 0)
		rc = cmp_todo_handle(c, a->m, co);
	a->audit_state = json_pack("{s:s, s:s, s:o}", "department", lead, "accept_due", due, "co_departments",
				   co ? json_deep_copy(co) : json_array());
	return rc;
}

/* The handling unit may give a matter back within CMP_RETURN_DAYS working days of its dispatch. */
static int do_return(store_conn *c, cmp_act *a)
{
	const char *reason = json_string_value(json_object_get(a->body, "reason"));
	if (!text_ok(reason, 4)) {
		yj_refusal_field(&a->ref, "reason", "请写明退回理由（至少 4 个字），例如不属于本部门职责的依据");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char last[11];
	int rc = yj_workdays_add(c, s_(a->m, "dispatched_on"), CMP_RETURN_DAYS, last);
	if (rc < 0)
		return rc;
	if (strcmp(a->today, last) > 0)
		return yj_refuse(&a->ref, 409, "return-too-late", "已超过退回期限",
				 "该件分派于 %s，退回须在分派后 %d 个工作日内（%s 前）提出；现应继续办理，确有争议请报卫生健康委协调指定。",
				 s_(a->m, "dispatched_on"), CMP_RETURN_DAYS, last);
	if ((rc = cmp_todos_close(c, a->m, YJ_TODO_CANCELLED)) < 0)
		return rc;
	json_t *set = json_pack("{s:s, s:s, s:n, s:n, s:n, s:n, s:n, s:I}", "state", "received", "department", CMP_DESK,
				"dispatched_on", "accept_due", "accepted_on", "handle_due", "reply_due", "dispatch_round",
				json_integer_value(json_object_get(a->m, "dispatch_round")) + 1);
	char *note = yj_asprintf("办理部门认为不属于其职责并退回（理由：%s），正在重新分派。", reason);
	if ((rc = cmp_update(c, a->id, set, a->now)) >= 0 && (rc = cmp_units_set(c, a->id, CMP_DESK, NULL)) >= 0)
		rc = cmp_step_add(c, a->id, "returned", note, a->actor, a->now);
	free(note);
	json_object_update(a->m, set);
	json_decref(set);
	if (rc >= 0)
		rc = cmp_todo_dispatch(c, a->m);
	a->audit_state = json_pack("{s:s, s:s}", "reason", reason, "returned_by", a->who->department);
	return rc;
}

static int do_accept(store_conn *c, cmp_act *a)
{
	char handle[11], reply[11];
	int rc = yj_workdays_add(c, a->today, a->cat.handle_days, handle);
	if (rc < 0 || (rc = yj_workdays_add(c, a->today, a->cat.reply_days, reply)) < 0)
		return rc;
	json_t *set = json_pack("{s:s, s:s, s:s, s:s}", "state", "accepted", "accepted_on", a->today, "handle_due", handle,
				"reply_due", reply);
	char *note = yj_asprintf("已受理，将在 %s 前答复您。", reply);
	json_t *units = NULL, *co = json_array();
	if ((rc = cmp_update(c, a->id, set, a->now)) >= 0 && (rc = cmp_step_add(c, a->id, "accepted", note, a->actor, a->now)) >= 0 &&
	    (rc = cmp_units_json(c, a->id, &units)) >= 0) {
		size_t i;
		json_t *u;
		json_array_foreach(units, i, u)
			if (!strcmp(s_(u, "role"), "co"))
				json_array_append(co, json_object_get(u, "department"));
		json_object_update(a->m, set);
		rc = cmp_todo_handle(c, a->m, co);
	}
	free(note);
	json_decref(units);
	json_decref(co);
	a->audit_state = set;
	return rc;
}

static int do_reject(store_conn *c, cmp_act *a)
{
	const char *reason = json_string_value(json_object_get(a->body, "reason"));
	if (!text_ok(reason, 4)) {
		yj_refusal_field(&a->ref, "reason", "请写明不予受理的理由（至少 4 个字），例如已进入诉讼、仲裁或信访程序");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	json_t *set = json_pack("{s:s, s:s}", "state", "rejected", "closed_on", a->today);
	char *note = yj_asprintf("不予受理。理由：%s", reason);
	int rc = cmp_update(c, a->id, set, a->now);
	if (rc >= 0 && (rc = cmp_step_add(c, a->id, "rejected", note, a->actor, a->now)) >= 0)
		rc = cmp_todos_close(c, a->m, YJ_TODO_CANCELLED);
	free(note);
	json_object_set_new(set, "reason", json_string(reason));
	a->audit_state = set;
	return rc;
}

static int do_pause(store_conn *c, cmp_act *a)
{
	const char *reason = json_string_value(json_object_get(a->body, "reason"));
	if (!text_ok(reason, 4)) {
		yj_refusal_field(&a->ref, "reason", "请写明暂停计时的理由（至少 4 个字），例如等待投诉人补充材料");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	json_t *set = json_pack("{s:i, s:s, s:s}", "paused", 1, "paused_on", a->today, "pause_reason", reason);
	char *note = yj_asprintf("暂停计时：%s。", reason);
	int rc = cmp_update(c, a->id, set, a->now);
	if (rc >= 0)
		rc = cmp_step_add(c, a->id, "paused", note, a->actor, a->now);
	free(note);
	a->audit_state = set;
	return rc;
}

/* The deadlines move on by the working days the clock stood still. */
static int do_resume(store_conn *c, cmp_act *a)
{
	int n = 0;
	char handle[11], reply[11];
	int rc = cmp_workdays_between(c, s_(a->m, "paused_on"), a->today, &n);
	if (rc < 0 || (rc = yj_workdays_add(c, s_(a->m, "handle_due"), n, handle)) < 0 ||
	    (rc = yj_workdays_add(c, s_(a->m, "reply_due"), n, reply)) < 0)
		return rc;
	json_t *set = json_pack("{s:i, s:n, s:s, s:s, s:s}", "paused", 0, "paused_on", "pause_reason", "", "handle_due",
				handle, "reply_due", reply);
	char *note = yj_asprintf("恢复办理，答复期限顺延 %d 个工作日至 %s。", n, reply);
	if ((rc = cmp_update(c, a->id, set, a->now)) >= 0)
		rc = cmp_step_add(c, a->id, "resumed", note, a->actor, a->now);
	free(note);
	json_object_set_new(set, "paused_workdays", json_integer(n));
	a->audit_state = set;
	return rc;
}

static int emit_substantiated(store_conn *c, cmp_act *a)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "complaint_id", s_(a->m, "id"), "subject_kind",
			      *s_(a->m, "subject_kind") ? s_(a->m, "subject_kind") : "institution", "category",
			      s_(a->m, "category"), "substantiated_on", a->today, "department", s_(a->m, "department"));
	if (json_is_string(json_object_get(a->m, "subject_id")))
		json_object_set(p, "subject_id", json_object_get(a->m, "subject_id"));
	int rc = cmp_event(c, a->actor, "complaints.substantiated", a->id, s_(a->m, "region_code"), p);
	json_decref(p);
	return rc;
}

static int do_reply(store_conn *c, cmp_act *a)
{
	const json_t *b = a->body;
	const char *text = json_string_value(json_object_get(b, "text"));
	if (!text_ok(text, 5))
		yj_refusal_field(&a->ref, "text", "请写明答复内容（至少 5 个字）：查明的事实、处理结果和依据");
	if (!json_is_boolean(json_object_get(b, "substantiated")))
		yj_refusal_field(&a->ref, "substantiated", "请说明反映的问题是否属实（true 或 false）");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	int yes = json_is_true(json_object_get(b, "substantiated"));
	int64_t today;
	yj_day_parse(a->today, &today);
	char feedback[11], revisit[11];
	yj_day_format(today + a->cat.feedback_days, feedback);
	int rc = yj_workdays_add(c, a->today, a->cat.revisit_days, revisit);
	if (rc < 0)
		return rc;
	json_t *set = json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "state", "replied", "replied_on", a->today, "reply_text",
				text, "substantiated", yes, "feedback_due", feedback, "revisit_due", revisit);
	if ((rc = cmp_update(c, a->id, set, a->now)) < 0 ||
	    (rc = cmp_step_add(c, a->id, "replied", "已答复，请查看答复内容；稍后将回访您的满意度。", a->actor, a->now)) < 0 ||
	    (rc = cmp_todos_close(c, a->m, YJ_TODO_DONE)) < 0)
		goto done;
	json_object_update(a->m, set);
	if ((rc = cmp_todo_revisit(c, a->m)) < 0 || (yes && (rc = emit_substantiated(c, a)) < 0))
		goto done;
	/* Each reporter of a matter merged into this one gets the same reply on their own tracking code. */
	int64_t *kids = NULL;
	size_t nk = 0;
	rc = cmp_merged_ids(c, a->id, &kids, &nk);
	json_t *kid_set = json_pack("{s:s, s:s, s:b}", "replied_on", a->today, "reply_text", text, "substantiated", yes);
	for (size_t i = 0; rc >= 0 && i < nk; i++)
		if ((rc = cmp_update(c, kids[i], kid_set, a->now)) >= 0)
			rc = cmp_step_add(c, kids[i], "replied", "您反映的问题已与相同事项合并办理，现已答复，请查看答复内容。",
					  a->actor, a->now);
	json_decref(kid_set);
	free(kids);
	json_object_set_new(set, "merged_replied", json_integer((json_int_t)nk));
done:
	a->audit_state = set;
	return rc;
}

static int do_feedback(store_conn *c, cmp_act *a)
{
	if (!json_is_null(json_object_get(a->m, "fed_back_on")))
		return yj_refuse(&a->ref, 409, "already-done", "已反馈", "该件的办理结果已于 %s 反馈卫生健康委，无需重复反馈。",
				 s_(a->m, "fed_back_on"));
	json_t *set = json_pack("{s:s}", "fed_back_on", a->today);
	int rc = cmp_update(c, a->id, set, a->now);
	if (rc >= 0)
		rc = cmp_step_add(c, a->id, "fed_back", "", a->actor, a->now);
	a->audit_state = set;
	return rc;
}

static int do_revisit(store_conn *c, cmp_act *a)
{
	const char *sat = json_string_value(json_object_get(a->body, "satisfaction"));
	if (!sat || (strcmp(sat, "satisfied") && strcmp(sat, "basically") && strcmp(sat, "unsatisfied"))) {
		yj_refusal_field(&a->ref, "satisfaction", "满意度应为 satisfied（满意）、basically（基本满意）或 unsatisfied（不满意）");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	json_t *set = json_pack("{s:s, s:s, s:s}", "state", "closed", "closed_on", a->today, "satisfaction", sat);
	int rc = cmp_update(c, a->id, set, a->now);
	if (rc >= 0 && (rc = cmp_step_add(c, a->id, "closed", "已回访，本件办结。感谢您的监督。", a->actor, a->now)) >= 0)
		rc = cmp_todos_close(c, a->m, YJ_TODO_DONE);
	a->audit_state = set;
	return rc;
}

static int do_merge(store_conn *c, cmp_act *a)
{
	int64_t into;
	json_t *t = NULL;
	if (yj_id_parse(json_string_value(json_object_get(a->body, "into")), &into) < 0 || into == a->id) {
		yj_refusal_field(&a->ref, "into", "请指定要并入的另一件投诉举报的编号");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	int rc = cmp_load(c, &a->who->scope, into, &t);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 422, "validation", "不能合并", "要并入的投诉举报不存在或不在您的辖区内，请核对编号。");
	if (rc < 0)
		return rc;
	const char *ts = s_(t, "state");
	int open = !strcmp(ts, "received") || !strcmp(ts, "dispatched") || !strcmp(ts, "accepted");
	int same = !strcmp(s_(t, "category"), s_(a->m, "category"));
	char code[YJ_CMP_CODE_LEN + 1];
	snprintf(code, sizeof code, "%s", s_(t, "tracking_code"));
	json_decref(t);
	if (!open || !same)
		return yj_refuse(&a->ref, 409, "state", "不能合并",
				 "只能并入同一分类、尚在办理中的投诉举报；目标件已办结、已合并或分类不同，请另选。");
	if ((rc = cmp_todos_close(c, a->m, YJ_TODO_CANCELLED)) < 0)
		return rc;
	json_t *set = json_pack("{s:s, s:I}", "state", "merged", "merged_into", (json_int_t)into);
	char *note = yj_asprintf("您反映的问题与其他相同事项合并办理（主办件查询码 %s），办理结果会同样答复您。", code);
	if ((rc = cmp_update(c, a->id, set, a->now)) >= 0)
		rc = cmp_step_add(c, a->id, "merged", note, a->actor, a->now);
	free(note);
	a->audit_state = set;
	return rc;
}

/* One action hands the matter to enforcement as a clue (案源): the event carries no free text. */
static int do_refer(store_conn *c, cmp_act *a)
{
	if (!json_is_null(json_object_get(a->m, "referred_at")))
		return yj_refuse(&a->ref, 409, "already-done", "已移送", "该件已转为执法案源，无需重复移送。");
	json_t *set = json_pack("{s:I}", "referred_at", (json_int_t)a->now);
	int rc = cmp_update(c, a->id, set, a->now);
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "complaint_id", s_(a->m, "id"), "subject_kind",
			      *s_(a->m, "subject_kind") ? s_(a->m, "subject_kind") : "institution", "category",
			      s_(a->m, "category"), "department", s_(a->m, "department"), "received_on", s_(a->m, "received_on"));
	if (json_is_string(json_object_get(a->m, "subject_id")))
		json_object_set(p, "subject_id", json_object_get(a->m, "subject_id"));
	if (rc >= 0 && (rc = cmp_step_add(c, a->id, "referred", "", a->actor, a->now)) >= 0)
		rc = cmp_event(c, a->actor, "complaints.clue_referred", a->id, s_(a->m, "region_code"), p);
	json_decref(p);
	a->audit_state = set;
	return rc;
}

const cmp_action_def cmp_actions[] = {
	[YJ_CMP_DISPATCH] = {"dispatch", "complaint.dispatch", 1, do_dispatch},
	[YJ_CMP_RETURN] = {"return", "complaint.return", 0, do_return},
	[YJ_CMP_ACCEPT] = {"accept", "complaint.accept", 0, do_accept},
	[YJ_CMP_REJECT] = {"reject", "complaint.reject", 0, do_reject},
	[YJ_CMP_PAUSE] = {"pause", "complaint.pause", 0, do_pause},
	[YJ_CMP_RESUME] = {"resume", "complaint.resume", 0, do_resume},
	[YJ_CMP_REPLY] = {"reply", "complaint.reply", 0, do_reply},
	[YJ_CMP_FEEDBACK] = {"feedback", "complaint.feedback", 0, do_feedback},
	[YJ_CMP_REVISIT] = {"revisit", "complaint.revisit", 1, do_revisit},
	[YJ_CMP_MERGE] = {"merge", "complaint.merge", 0, do_merge},
	[YJ_CMP_REFER] = {"refer", "complaint.refer", 0, do_refer},
};

int cmp_act_tx(store_conn *c, void *arg)
{
	cmp_act *a = arg;
	const cmp_action_def *d = &cmp_actions[a->action];
	json_decref(a->m);
	json_decref(a->audit_state);
	a->m = a->audit_state = NULL;
	a->now = yj_now_ms();
	yj_day_today(a->today);
	int rc = cmp_load(c, &a->who->scope, a->id, &a->m);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "投诉举报不存在", "没有这件投诉举报，或它不在您的辖区和职责范围内。");
	if (rc < 0 || (rc = cmp_category_get(c, s_(a->m, "category"), &a->cat)) < 0)
		return rc;
	/* The desk dispatches and revisits; everything else is the unit holding the matter — a
	 * department that does not hold it may not answer for it, whatever its remit. */
	const char *unit = d->desk_only ? CMP_DESK : s_(a->m, "department");
	if (strcmp(a->who->department, unit))
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门的件",
				 "该件由%s办理，只有办理部门才能%s；如认为分派有误，请联系卫生健康委。",
				 d->desk_only ? "卫生健康委（分派和回访）" : "其他部门", d->desk_only ? "执行这一步" : "受理、答复或退回");
	if (!yj_cmp_action_allowed(a->action, s_(a->m, "state"), json_is_true(json_object_get(a->m, "paused"))))
		return yj_refuse(&a->ref, 409, "state", "当前状态不能执行此操作", "该件当前为“%s”%s，不能%s，请刷新后查看其进度。",
				 yj_cmp_state_label(s_(a->m, "state")), json_is_true(json_object_get(a->m, "paused")) ? "（暂停计时中）" : "",
				 d->name);
	if ((rc = d->fn(c, a)) < 0)
		return rc;
	return cmp_audit(c, a->actor, d->audit_action, a->id, s_(a->m, "region_code"), a->audit_state);
}
