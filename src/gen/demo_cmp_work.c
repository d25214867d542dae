/* demo_cmp_work.c — the complaints module's second part in the demo region: rewards for four real-name
 * reports (proposed, approved, paid, forfeited), two joint actions (one done, one planned) and a joint
 * meeting whose decisions are tasks (one done), patrols in the grids of 龙湾区 with a report and a found
 * problem left unreported (its grid below the 98 % reporting rate, in the town leader's inbox), and
 * two public-opinion events (one open with its tasks, one closed with its report) — each written through
 * the module's own writes (yj_cmp_seed_op), so it has its to-dos, events and audit leaves. Written once: a
 * re-run finds the first reward matter (DEMO-CMP-R1) and adds nothing. */
#define _POSIX_C_SOURCE 200809L
#include "demo_int.h"
#include "../complaints/complaints.h"
#include "../platform/auth/auth.h"
#include "../base/date.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Demo accounts acting for each department (demo.c's yj_demo_accounts); a department without one acts
 * as the administrator. Their ids are only the audit actors and the patrols' member. */
struct work {
	const demo_plan *p;
	const char *actor;
	int64_t admin, liaison, analyst, grid;
	int64_t rewards[4];
	int fresh; /* the first reward matter was written in this run */
	char *why;
};

/* A principal of department dept and role bit, every territory and remit: the writes check the rest. */
static yj_principal as(int64_t uid, unsigned role_bit, const char *dept)
{
	yj_principal w = {0};
	w.user_id = uid;
	w.role_bit = role_bit;
	snprintf(w.department, sizeof w.department, "%s", dept);
	snprintf(w.region_code, sizeof w.region_code, "330300");
	yj_scope_unrestricted(&w.scope);
	return w;
}

/* Runs the write op with body (stolen) and answers the new record's id in *id (when id). */
static int op(store_conn *c, struct work *w, const char *name, const yj_principal *who, int64_t on, int64_t task, json_t *body,
	      int64_t *id)
{
	json_t *out = NULL;
	int rc = yj_cmp_seed_op(c, name, who, on, task, body, &out, &w->why);
	json_decref(body);
	if (rc >= 0 && id)
		yj_id_parse(json_string_value(json_object_get(out, "id")), id);
	json_decref(out);
	return rc;
}

/* ---- rewards: four substantiated real-name reports of 欺诈骗保, handled by 医保局 ---- */

static int reward_matters_tx(store_conn *c, void *argp)
{
	struct work *w = argp;
	static const char *const TITLES[4][2] = {
		{"330381", "药店以医保卡刷取生活用品"}, {"330302", "诊所虚构诊疗项目套取医保"},
		{"330381", "医院挂床住院骗取医保基金"}, {"330302", "个体诊所冒用他人医保卡开药"},
	};
	yj_principal ins = as(w->analyst, ROLE_LIAISON, "insurance");
	for (int i = 0; i < 4; i++) {
		char ref[24], phone[12];
		snprintf(ref, sizeof ref, "DEMO-CMP-R%d", i + 1);
		snprintf(phone, sizeof phone, "1390577%04d", 2000 + i);
		json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "channel", "phone", "category",
				      "insurance_fraud", "title", TITLES[i][1], "content",
				      "举报人提供了消费记录、处方照片和时间地点，指明了涉事机构和经办人员。", "region_code", TITLES[i][0],
				      "subject_name", "演示被举报机构", "external_ref", ref, "anonymous", 0, "reporter_name", "演示举报人",
				      "reporter_phone", phone);
		int64_t id = 0;
		int rc = yj_cmp_seed(c, b, w->actor, &id, &w->why);
		json_decref(b);
		if (rc <= 0)
			return rc; /* 0: there from an earlier run — so is everything else */
		w->fresh = 1;
		json_t *empty = json_object(), *reply = json_pack("{s:s, s:b}", "text", "经查，举报反映的骗取医保基金问题属实，已追回基金并依法处理。",
					  "substantiated", 1);
		if ((rc = yj_cmp_seed_step(c, id, "dispatch", empty, "health", w->actor, &w->why)) < 0 ||
		    (rc = yj_cmp_seed_step(c, id, "accept", empty, "insurance", w->actor, &w->why)) < 0 ||
		    (rc = yj_cmp_seed_step(c, id, "reply", reply, "insurance", w->actor, &w->why)) < 0) {
			json_decref(empty);
			json_decref(reply);
			return rc;
		}
		json_decref(empty);
		json_decref(reply);
		json_t *pb = json_pack("{s:I, s:s, s:i, s:I, s:b, s:b, s:b}", "complaint_id", (json_int_t)0, "rule", "insurance_fund",
				       "grade", 1 + i % 3, "case_value_fen", (json_int_t)(1234500 * (i + 1)), "named_target", 1,
				       "specific_clues", 1, "evidence", 1);
		char cid[21];
		yj_id_format(id, cid);
		json_object_set_new(pb, "complaint_id", json_string(cid));
		if ((rc = op(c, w, "reward.propose", &ins, 0, 0, pb, &w->rewards[i])) < 0)
			return rc;
	}
	/* The fourth is approved now and left unclaimed: the expiry below forfeits it. */
	yj_principal lead = as(w->analyst, ROLE_LEADER, "insurance");
	return op(c, w, "reward.decide", &lead, w->rewards[3], 0, json_pack("{s:b, s:s}", "approved", 1, "note", "同意奖励"), NULL);
}

static int rewards_rest_tx(store_conn *c, void *argp)
{
	struct work *w = argp;
	yj_principal lead = as(w->analyst, ROLE_LEADER, "insurance"), officer = as(w->analyst, ROLE_REWARD_OFFICER, "insurance");
	int rc;
	for (int i = 1; i <= 2; i++)
		if ((rc = op(c, w, "reward.decide", &lead, w->rewards[i], 0, json_pack("{s:b, s:s}", "approved", 1, "note", "同意奖励"),
			     NULL)) < 0)
			return rc;
	return op(c, w, "reward.pay", &officer, w->rewards[2], 0, json_pack("{s:s}", "payment_ref", "YBJL-2026-0001"), NULL);
}

/* ---- joint actions and a joint meeting, public-opinion events ---- */

static int joint_opinion_tx(store_conn *c, void *argp)
{
	struct work *w = argp;
	yj_principal health = as(w->admin, ROLE_LIAISON, "health"), market = as(w->liaison, ROLE_LIAISON, "market");
	char today[11], later[11], year_end[11];
	int64_t d, a1 = 0, a2 = 0, m = 0, e1 = 0, e2 = 0;
	yj_day_today(today);
	yj_day_parse(today, &d);
	yj_day_format(d + 20, later);
	snprintf(year_end, sizeof year_end, "%.4s-12-31", today);
	if (strcmp(later, year_end) > 0)
		snprintf(later, sizeof later, "%s", year_end);
	int rc = op(c, w, "joint.action", &health,
		    0, 0, json_pack("{s:s, s:s, s:[s,s], s:s, s:s}", "title", "医疗美容机构联合执法", "region_code", "330302",
				    "participants", "market", "insurance", "plan", "卫健、市场监管、医保三部门分三组检查鹿城区医疗美容机构。",
				    "planned_on", today), &a1);
	if (rc < 0 || (rc = op(c, w, "joint.result", &health, a1, 0,
			      json_pack("{s:s, s:s}", "done_on", today, "result", "检查医美机构 12 家，立案 2 起，移送医保线索 1 条。"),
			      NULL)) < 0)
		return rc;
	if ((rc = op(c, w, "joint.action", &health, 0, 0,
		     json_pack("{s:s, s:s, s:[s], s:s, s:s}", "title", "打击非法行医联合行动", "region_code", "330381", "participants",
			       "market", "plan", "卫健、市场监管联合清查城乡结合部无证诊所和药店坐堂行医。", "planned_on", later),
		     &a2)) < 0)
		return rc;
	json_t *mb = json_pack("{s:s, s:s, s:s, s:[s,s], s:s, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "title",
			       "医疗乱象整治联席会议", "region_code", "330302", "held_on", today, "attendees", "market", "insurance",
			       "minutes", "会议通报了医美联合执法情况，研究了下一阶段整治分工。", "decisions", "decision",
			       "市场监管局牵头清理医美虚假广告", "owner_department", "market", "due_on", later, "decision",
			       "卫健委汇总联合执法案件并通报", "owner_department", "health", "due_on", later);
	json_t *out = NULL;
	if ((rc = yj_cmp_seed_op(c, "joint.meeting", &health, 0, 0, mb, &out, &w->why)) >= 0) {
		int64_t task = 0;
		yj_id_parse(json_string_value(json_object_get(out, "id")), &m);
		yj_id_parse(json_string_value(json_object_get(json_array_get(json_object_get(out, "tasks"), 1), "id")), &task);
		rc = op(c, w, "joint.task_done", &health, m, task, json_pack("{s:s}", "result", "已汇总案件 5 起并通报各成员单位。"), NULL);
	}
	json_decref(mb);
	json_decref(out);
	if (rc < 0)
		return rc;
	/* An open group dispute with tasks across departments, one done. */
	out = NULL;
	json_t *eb = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "title",
			       "民营医院欠薪引发职工聚集", "kind", "group_dispute", "level", 3, "region_code", "330381", "source",
			       "12345 热线", "summary", "某民营医院拖欠职工工资三个月，二十余名职工在院门口聚集。", "occurred_on", today,
			       "tasks", "department", "health", "task", "约谈医院负责人，督促制定欠薪清偿方案", "due_on", later,
			       "department", "market", "task", "核查医院经营和收费情况", "due_on", later);
	if ((rc = yj_cmp_seed_op(c, "opinion.register", &health, 0, 0, eb, &out, &w->why)) >= 0) {
		int64_t task = 0;
		yj_id_parse(json_string_value(json_object_get(out, "id")), &e1);
		yj_id_parse(json_string_value(json_object_get(json_array_get(json_object_get(out, "tasks"), 0), "id")), &task);
		if ((rc = op(c, w, "opinion.task_done", &health, e1, task, json_pack("{s:s}", "result", "已约谈，医院承诺月底前清偿。"),
			     NULL)) >= 0)
			rc = op(c, w, "opinion.progress", &market, e1, 0, json_pack("{s:s}", "entry", "已调取医院近半年收费台账。"), NULL);
	}
	json_decref(eb);
	json_decref(out);
	if (rc < 0)
		return rc;
	/* A closed opinion event with its closure report. */
	out = NULL;
	eb = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s}]}", "title", "网传医院输液致儿童过敏", "kind", "opinion",
		       "level", 4, "region_code", "330302", "source", "微博", "summary", "网帖称某医院输液导致儿童严重过敏，转发较多。",
		       "occurred_on", today, "tasks", "department", "health", "task", "核查诊疗经过并发布情况说明", "due_on", later);
	if ((rc = yj_cmp_seed_op(c, "opinion.register", &health, 0, 0, eb, &out, &w->why)) >= 0) {
		int64_t task = 0;
		yj_id_parse(json_string_value(json_object_get(out, "id")), &e2);
		yj_id_parse(json_string_value(json_object_get(json_array_get(json_object_get(out, "tasks"), 0), "id")), &task);
		if ((rc = op(c, w, "opinion.task_done", &health, e2, task,
			     json_pack("{s:s}", "result", "经核查为药物过敏反应，处置及时，已发布情况说明。"), NULL)) >= 0)
			rc = op(c, w, "opinion.close", &health, e2, 0,
				json_pack("{s:s}", "closure_report", "经调查，患儿为药物过敏，医院处置符合规范，网帖所称延误救治不实；已发布情况说明，舆情平息。"),
				NULL);
	}
	json_decref(eb);
	json_decref(out);
	return rc;
}

/* ---- patrols in the grids of 龙湾区: one problem reported, one left unreported ---- */

/* The first five institutions in the grids of 龙湾区 (330303), where the demo's grid member works: the
 * first found with a problem and reported, the second found and left unreported (its grid falls below
 * 98 %), the rest clear. The demo has one grid member's account, so it stands for the members of the
 * other grids too. */
static int patrols_tx(store_conn *c, void *argp)
{
	struct work *w = argp;
	const demo_plan *p = w->p;
	yj_principal member = as(w->grid, ROLE_GRID_MEMBER, "health");
	int n = 0, rc = ST_OK;
	for (int i = 0; i < p->ninsts && n < 5 && rc >= 0; i++) {
		const demo_inst *in = &p->insts[i];
		if (!in->id || strncmp(in->grid_code, "330303", 6))
			continue;
		char sid[21];
		yj_id_format(in->id, sid);
		int found = n < 2;
		json_t *b = json_pack("{s:s, s:f, s:f, s:{s:b, s:b, s:b, s:b, s:b}, s:s}", "subject_id", sid, "lat", in->lat, "lng",
				      in->lng, "checklist", "open", 1, "licence_displayed", !found, "within_scope", 1, "staff_licensed", 1,
				      "waste", n != 1, "note", found ? "现场发现问题，已拍照留存。" : "");
		int64_t id = 0;
		if ((rc = op(c, w, "patrol.checkin", &member, 0, 0, b, &id)) >= 0 && n == 0)
			rc = op(c, w, "patrol.report", &member, id, 0,
				json_pack("{s:s}", "text", "执业许可证未悬挂，前台称证照在办理变更，疑似无证执业。"), NULL);
		n++;
	}
	return rc;
}

static int ids(store *s, struct work *w)
{
	store_conn *c = store_conn_get(s);
	int rc;
	if ((rc = yj_user_id_by_username(c, "admin", &w->admin)) < 0 || (rc = yj_user_id_by_username(c, "liaison", &w->liaison)) < 0 ||
	    (rc = yj_user_id_by_username(c, "analyst", &w->analyst)) < 0 || (rc = yj_user_id_by_username(c, "grid", &w->grid)) < 0)
		return rc; /* the demo accounts are made before (demo.c) */
	return ST_OK;
}

int yj_demo_complaints_work(store *s, const demo_plan *p, const char *actor, char **err)
{
	struct work w = {.p = p, .actor = actor};
	char today[11], later[11];
	int64_t d;
	int n, rc = ids(s, &w);
	yj_day_today(today);
	yj_day_parse(today, &d);
	yj_day_format(d + 92, later); /* past the two-month claim period of the reward approved today */
	if (rc >= 0 && (rc = store_tx(s, reward_matters_tx, &w)) >= 0 && w.fresh &&
	    (rc = yj_cmp_rewards_expire_run(s, later, &n)) >= 0 && (rc = store_tx(s, rewards_rest_tx, &w)) >= 0 &&
	    (rc = store_tx(s, joint_opinion_tx, &w)) >= 0 && (rc = store_tx(s, patrols_tx, &w)) >= 0)
		rc = yj_cmp_patrol_rate_run(s, today, &n);
	if (rc < 0 && err && !*err)
		*err = w.why ? yj_asprintf("demo complaints (rewards, joint work, patrols, opinion) refused: %s", w.why)
			     : yj_asprintf("cannot write demo complaints' second part: %s", store_errmsg(store_conn_get(s)));
	free(w.why);
	return rc < 0 ? rc : ST_OK;
}
