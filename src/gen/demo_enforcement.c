/* demo_enforcement.c — the demo's enforcement cases (行政处罚) in 鹿城区, one or more in every state of the
 * procedure, taken through the enforcement module's own transactions (enforcement.h: the same checks,
 * steps, audit leaves, documents and events as the API) by the demo's leader, inspectors and legal
 * reviewer; a second 鹿城区 inspector (wu) is added because a case needs two officers. Runs once: a
 * database that has cases already is left alone. */
#define _POSIX_C_SOURCE 200809L
#include "demo_int.h"
#include "../enforcement/enforcement.h"
#include "../registry/registry.h"
#include "../platform/auth/auth.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGION "330302"
/* The address `yijian serve` answers on by default: the decisions' QR codes point there. */
#define DEMO_URL "http://127.0.0.1:8080/"

typedef struct actor {
	yj_principal p;
} actor;

typedef struct demo_enf {
	store *s;
	char **err;
	actor leader, i1, i2, reviewer;
	char officers[2][21];
	char today[11];
} demo_enf;

static int principal(demo_enf *d, const char *username, actor *a)
{
	yj_user_brief u;
	int64_t id;
	store_conn *c = store_conn_get(d->s);
	int rc = yj_user_id_by_username(c, username, &id);
	if (rc == ST_OK)
		rc = yj_user_brief_get(c, id, &u);
	if (rc < 0) {
		*d->err = yj_asprintf("demo enforcement: user %s: %d", username, rc);
		return rc;
	}
	memset(a, 0, sizeof *a);
	a->p.user_id = id;
	snprintf(a->p.username, sizeof a->p.username, "%.63s", u.username);
	snprintf(a->p.role, sizeof a->p.role, "%s", u.role);
	const yj_role_info *ri = yj_role_find(u.role);
	a->p.role_bit = ri ? ri->bit : 0;
	snprintf(a->p.region_code, sizeof a->p.region_code, "%s", u.region_code);
	snprintf(a->p.department, sizeof a->p.department, "%s", u.department);
	yj_scope_unrestricted(&a->p.scope);
	return ST_OK;
}

/* Runs one call; a refusal is a bug of this file, reported with its detail. */
static int check(demo_enf *d, int rc, yj_refusal *f, const char *what, json_t *out)
{
	json_decref(out);
	if (rc >= 0)
		return ST_OK;
	json_t *e = json_array_get(f->errors, 0);
	*d->err = yj_asprintf("demo enforcement: %s refused: %s %s %s", what, f->detail,
			      e ? json_string_value(json_object_get(e, "field")) : "", e ? json_string_value(json_object_get(e, "detail")) : "");
	yj_refusal_clear(f);
	return rc;
}

static int step(demo_enf *d, actor *who, int64_t id, json_t *body)
{
	yj_refusal f = {0};
	json_t *out = NULL;
	int rc = yj_enf_case_step(d->s, &who->p, id, body, DEMO_URL, &out, &f);
	char what[64];
	snprintf(what, sizeof what, "step %s", json_string_value(json_object_get(body, "action")));
	rc = check(d, rc, &f, what, out);
	json_decref(body);
	return rc;
}

/* A manual clue about institution inst and, unless file is 0, the case filed on it `ago` days back. */
static int new_case(demo_enf *d, int64_t inst, const char *summary, int ago, int serious, int file, int64_t *case_id)
{
	yj_refusal f = {0};
	json_t *out = NULL, *body;
	char sid[21], filed[11];
	int64_t td;
	yj_id_format(inst, sid);
	body = json_pack("{s:s, s:s, s:s, s:s}", "source", ago > 60 ? "inspection_finding" : "manual", "subject_kind", "institution",
			 "subject_id", sid, "summary", summary);
	json_object_set_new(body, "source", json_string(ago % 3 ? "manual" : "grid_report"));
	int rc = yj_enf_clue_record(d->s, &d->i1.p, body, DEMO_URL, &out, &f);
	json_decref(body);
	char clue[21] = "";
	if (rc >= 0)
		snprintf(clue, sizeof clue, "%s", json_string_value(json_object_get(out, "id")));
	if ((rc = check(d, rc, &f, "clue", out)) < 0 || !file)
		return rc;
	yj_day_parse(d->today, &td);
	yj_day_format(td - ago, filed);
	body = json_pack("{s:s, s:[s, s], s:s, s:s, s:b, s:b}", "clue_id", clue, "officers", d->officers[0], d->officers[1],
			 "opinion", "同意立案，由李监督员、吴监督员承办。", "filed_on", filed, "serious", serious, "t_complex", serious);
	out = NULL;
	rc = yj_enf_case_file(d->s, &d->leader.p, body, DEMO_URL, &out, &f);
	json_decref(body);
	if (rc >= 0)
		yj_id_parse(json_string_value(json_object_get(out, "id")), case_id);
	return check(d, rc, &f, "filing", out);
}

static json_t *two(demo_enf *d)
{
	return json_pack("[s, s]", d->officers[0], d->officers[1]);
}

static int walk(demo_enf *d, int64_t id, const char *violation, const char *tier, json_t *kinds, int64_t fine, int upto)
{
	int rc;
	/* upto: 1 investigating, 2 investigated, 3 notified, 4 decided, 5 served, 6 published, 7 paid, 8 closed */
	if ((rc = step(d, &d->i1, id, json_pack("{s:s, s:o}", "action", "investigate", "participants", two(d)))) < 0 || upto < 2) {
		json_decref(kinds);
		return rc;
	}
	if ((rc = step(d, &d->i1, id, json_pack("{s:s, s:o, s:s, s:s, s:s}", "action", "add_evidence", "participants", two(d),
						  "sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
						  "evidence_kind", "photo", "description", "现场照片：医疗废物暂存情况"))) < 0 ||
	    (rc = step(d, &d->i1, id, json_pack("{s:s, s:o, s:s, s:s, s:s, s:O, s:I}", "action", "conclude", "participants", two(d),
						  "facts", "经现场检查和询问调查，当事人存在违法行为，事实清楚、证据确凿。", "violation_code",
						  violation, "tier", tier, "penalty_kinds", kinds, "fine_fen", (json_int_t)fine))) < 0 ||
	    upto < 3) {
		json_decref(kinds);
		return rc;
	}
	json_decref(kinds);
	if ((rc = step(d, &d->i1, id, json_pack("{s:s, s:[s, s, s], s:s, s:s}", "action", "deliberate", "participants", "李监督员",
						  "吴监督员", "科室负责人", "opinion", "事实清楚，证据充分，适用裁量基准正确。", "conclusion",
						  "建议按裁量基准给予处罚。"))) < 0 ||
	    (rc = step(d, &d->i1, id, json_pack("{s:s}", "action", "notify"))) < 0 || upto < 4)
		return rc;
	if ((rc = step(d, &d->leader, id, json_pack("{s:s, s:b}", "action", "decide", "waived", 1))) < 0 || upto < 5)
		return rc;
	if ((rc = step(d, &d->i1, id, json_pack("{s:s, s:s, s:s, s:s}", "action", "serve", "method", "direct", "served_on", d->today,
						  "receiver", "单位负责人"))) < 0 || upto < 6)
		return rc;
	if ((rc = step(d, &d->i1, id, json_pack("{s:s}", "action", "publish"))) < 0 || upto < 7)
		return rc;
	if (fine > 0 && (rc = step(d, &d->i1, id, json_pack("{s:s, s:I, s:s}", "action", "record_payment", "amount_fen",
							   (json_int_t)fine, "paid_on", d->today))) < 0)
		return rc;
	if (upto < 8)
		return ST_OK;
	return step(d, &d->leader, id, json_pack("{s:s, s:s}", "action", "close", "summary", "罚款已全额缴纳，处罚决定执行完毕，予以结案。"));
}

int demo_enforcement(store *s, const demo_plan *p, const yj_demo_opts *o, char **err)
{
	demo_enf d = {.s = s, .err = err};
	store_conn *c = store_conn_get(s);
	int64_t n = 0, id, uid;
	int rc = yj_enf_case_count(c, &n);
	if (rc < 0 || n > 0)
		return rc < 0 ? rc : ST_OK;
	if (yj_user_id_by_username(c, "wu", &uid) == ST_NOTFOUND) {
		yj_user_new u = {"wu", "吴监督员", o->password, "inspector", REGION, "health", NULL};
		char *e = NULL;
		if ((rc = yj_user_create(s, &u, o->actor, &uid, &e)) < 0) {
			*err = yj_asprintf("demo enforcement: user wu: %s", e ? e : "?");
			free(e);
			return rc;
		}
	}
	if ((rc = principal(&d, "leader", &d.leader)) < 0 || (rc = principal(&d, "inspector", &d.i1)) < 0 ||
	    (rc = principal(&d, "wu", &d.i2)) < 0 || (rc = principal(&d, "reviewer", &d.reviewer)) < 0)
		return rc;
	yj_id_format(d.i1.p.user_id, d.officers[0]);
	yj_id_format(d.i2.p.user_id, d.officers[1]);
	yj_day_today(d.today);
	/* institutions of 鹿城区, in plan order */
	int64_t inst[16];
	int ni = 0;
	for (int i = 0; i < p->ninsts && ni < 16; i++) {
		const demo_inst *in = &p->insts[i];
		int64_t version;
		char region[16];
		if (strcmp(p->counties[in->county].code, REGION) || strcmp(in->state, "active") ||
		    yj_reg_find_key(c, &yj_institution_kind, in->credit, &inst[ni], &version, region) != ST_OK)
			continue;
		ni++;
	}
	if (!ni)
		return ST_OK; /* a scale too small for any case */
	int64_t k[24];
	static const char *const what[] = {
		"群众反映该诊所存在非卫生技术人员从事诊疗活动", "网格员报告医疗废物暂存间管理混乱", "日常监督发现消毒记录不全",
		"举报超范围开展医疗美容项目", "专项检查发现放射诊疗未取得许可", "群众反映该机构医疗废物混入生活垃圾",
		"双随机抽查发现医疗废物未分类", "信访转办：医疗废物处置不规范", "举报非法行医，涉嫌犯罪",
		"日常监督发现消毒灭菌不合格", "投诉该机构未按规定书写病历", "专项检查发现医疗废物交接记录缺失",
		"网格员报告疑似无证行医", "群众反映医疗废物暂存超时",
		"日常监督发现消毒产品进货验收记录缺失", "专项检查发现放射防护设施不合格", "举报该机构使用非卫生技术人员",
		"双随机抽查发现医疗废物转运记录不全", "群众反映诊所超范围开展诊疗", "日常监督发现医疗废物暂存不符合要求",
		"专项检查发现消毒灭菌记录缺失", "举报医疗废物交由无资质单位处置", "网格员报告诊所暂存间无警示标识",
		"群众反映该机构一次性用品重复使用"};
	static const int ago[] = {2, 10, 20, 30, 40, 45, 50, 70, 15, 35, 25, 100, 5, 12, 22, 28, 32, 38, 42, 60, 65, 75, 80, 8};
	/* 15 16 17: major cases (legal review, collective discussion, the hearing) */
	for (int i = 0; i < 24; i++)
		if ((rc = new_case(&d, inst[i % ni], what[i], ago[i], i == 4 || (i >= 15 && i <= 17), i != 12 && i != 13, &k[i])) < 0)
			return rc;
	/* 0 filed; 1 investigating; 2 investigated; 3 notified; 6 decided; 7 closed */
	if ((rc = walk(&d, k[1], "medical_waste", "general", json_pack("[s, s]", "warning", "fine"), 1500000, 1)) < 0 ||
	    (rc = walk(&d, k[2], "disinfection", "lighter", json_pack("[s, s]", "warning", "fine"), 500000, 2)) < 0 ||
	    (rc = walk(&d, k[3], "beyond_scope", "general", json_pack("[s, s]", "warning", "fine"), 4000000, 3)) < 0 ||
	    (rc = walk(&d, k[5], "medical_waste", "heavier", json_pack("[s, s]", "warning", "fine"), 2500000, 6)) < 0 ||
	    (rc = walk(&d, k[6], "medical_waste", "general", json_pack("[s, s]", "warning", "fine"), 1200000, 4)) < 0 ||
	    (rc = walk(&d, k[7], "medical_waste", "lighter", json_pack("[s, s]", "warning", "fine"), 800000, 8)) < 0 ||
	    (rc = walk(&d, k[11], "medical_waste", "general", json_pack("[s, s]", "warning", "fine"), 1000000, 1)) < 0)
		return rc;
	/* 4: a major case (radiation without a licence, revocation) through legal review, collective discussion,
	 * the hearing notice and the party's request for a hearing */
	if ((rc = walk(&d, k[4], "radiation", "heavier", json_pack("[s, s, s]", "warning", "fine", "revoke_licence"), 300000, 2)) < 0 ||
	    (rc = step(&d, &d.i1, k[4], json_pack("{s:s, s:[s, s], s:s, s:s}", "action", "deliberate", "participants", "李监督员",
						  "吴监督员", "opinion", "情节严重，拟吊销许可证", "conclusion", "提请法制审核和集体讨论"))) < 0 ||
	    (rc = step(&d, &d.reviewer, k[4], json_pack("{s:s, s:s}", "action", "legal_review", "opinion", "agree", "reasons",
							  "主体认定准确，事实清楚，证据确凿，适用依据正确，程序合法，裁量适当。"))) < 0 ||
	    (rc = step(&d, &d.leader, k[4], json_pack("{s:s, s:[s, s, s], s:s, s:s}", "action", "collective_discussion",
						       "participants", "王主任", "副主任", "法规科科长", "opinion", "同意法制审核意见",
						       "conclusion", "同意拟处罚意见，依法告知听证权利。"))) < 0 ||
	    (rc = step(&d, &d.i1, k[4], json_pack("{s:s}", "action", "notify"))) < 0 ||
	    (rc = step(&d, &d.i1, k[4], json_pack("{s:s}", "action", "request_hearing"))) < 0)
		return rc;
	/* 8 transferred to the police; 9 suspended; 10 not penalised, served and closed */
	if ((rc = step(&d, &d.leader, k[8], json_pack("{s:s, s:s, s:s, s:s}", "action", "transfer", "to", "police", "receiving_org",
						       "温州市公安局鹿城区分局", "reason", "当事人涉嫌非法行医罪"))) < 0 ||
	    (rc = walk(&d, k[9], "disinfection", "general", json_pack("[s, s]", "warning", "fine"), 1000000, 1)) < 0 ||
	    (rc = step(&d, &d.leader, k[9], json_pack("{s:s, s:s}", "action", "suspend", "reason", "等待检验机构出具检测报告"))) < 0 ||
	    (rc = walk(&d, k[10], "medical_waste", "none", json_array(), 0, 2)) < 0 ||
	    (rc = step(&d, &d.leader, k[10], json_pack("{s:s, s:s}", "action", "decide_no_penalty", "ground", "minor_corrected"))) < 0 ||
	    (rc = step(&d, &d.i1, k[10], json_pack("{s:s, s:s, s:s, s:s}", "action", "serve", "method", "direct", "served_on", d.today,
						     "receiver", "单位负责人"))) < 0 ||
	    (rc = step(&d, &d.leader, k[10], json_pack("{s:s, s:s}", "action", "close", "summary", "违法行为轻微并及时改正，不予处罚，结案。"))) < 0)
		return rc;
	/* 14 deliberated; 15 legal_reviewed; 16 discussed; 17 heard (a major case after its hearing) */
	static const char *const delib[] = {"action", "deliberate", "opinion", "事实清楚，证据充分", "conclusion", "提请法制审核"};
	for (int i = 14; i <= 17; i++)
		if ((rc = walk(&d, k[i], i == 17 ? "radiation" : "medical_waste", "heavier",
			       i == 17 ? json_pack("[s, s, s]", "warning", "fine", "revoke_licence") : json_pack("[s, s]", "warning", "fine"),
			       i == 17 ? 300000 : 2500000, 2)) < 0 ||
		    (rc = step(&d, &d.i1, k[i], json_pack("{s:s, s:[s, s, s], s:s, s:s}", delib[0], delib[1], "participants", "李监督员",
							  "吴监督员", "科室负责人", delib[2], delib[3], delib[4], delib[5]))) < 0)
			return rc;
	for (int i = 15; i <= 17; i++)
		if ((rc = step(&d, &d.reviewer, k[i], json_pack("{s:s, s:s, s:s}", "action", "legal_review", "opinion", "agree", "reasons",
								 "事实清楚，证据确凿，适用依据正确，程序合法，裁量适当。"))) < 0)
			return rc;
	for (int i = 16; i <= 17; i++)
		if ((rc = step(&d, &d.leader, k[i], json_pack("{s:s, s:[s, s, s], s:s, s:s}", "action", "collective_discussion",
							       "participants", "王主任", "副主任", "法规科科长", "opinion", "同意法制审核意见",
							       "conclusion", "同意拟处罚意见。"))) < 0)
			return rc;
	if ((rc = step(&d, &d.i1, k[17], json_pack("{s:s}", "action", "notify"))) < 0 ||
	    (rc = step(&d, &d.i1, k[17], json_pack("{s:s}", "action", "request_hearing"))) < 0 ||
	    (rc = step(&d, &d.leader, k[17], json_pack("{s:s, s:s, s:s}", "action", "hold_hearing", "held_on", d.today, "transcript",
							"当事人对违法事实无异议，请求从轻处罚；调查人员出示了证据。"))) < 0)
		return rc;
	/* 18 not penalised; 19 served; 20 paid; 21 enforcing (催告 after the payment deadline); 22 court_applied; 23 revoked */
	if ((rc = walk(&d, k[18], "disinfection", "none", json_array(), 0, 2)) < 0 ||
	    (rc = step(&d, &d.leader, k[18], json_pack("{s:s, s:s}", "action", "decide_no_penalty", "ground", "first_minor"))) < 0 ||
	    (rc = walk(&d, k[19], "medical_waste", "general", json_pack("[s, s]", "warning", "fine"), 1000000, 5)) < 0 ||
	    (rc = walk(&d, k[20], "disinfection", "general", json_pack("[s, s]", "warning", "fine"), 1000000, 7)) < 0 ||
	    (rc = walk(&d, k[21], "medical_waste", "general", json_pack("[s, s]", "warning", "fine"), 1200000, 6)) < 0 ||
	    (rc = walk(&d, k[22], "medical_waste", "heavier", json_pack("[s, s]", "warning", "fine"), 2500000, 6)) < 0 ||
	    (rc = walk(&d, k[23], "medical_waste", "general", json_pack("[s, s]", "warning", "fine"), 1000000, 1)) < 0 ||
	    (rc = step(&d, &d.leader, k[23], json_pack("{s:s, s:s}", "action", "revoke", "reason", "经复核，当事人非本案违法主体，撤销立案。"))) < 0)
		return rc;
	/* the payment deadline passed 25 days ago: 催告; 11 days after the reminder: the application to the court */
	for (int i = 21; i <= 22; i++)
		if ((rc = yj_enf_demo_age(s, k[i], 25)) < 0 ||
		    (rc = step(&d, &d.i1, k[i], json_pack("{s:s}", "action", "remind"))) < 0)
			return rc;
	if ((rc = yj_enf_demo_age(s, k[22], 11)) < 0 ||
	    (rc = step(&d, &d.leader, k[22], json_pack("{s:s, s:s}", "action", "apply_court", "court", "温州市鹿城区人民法院"))) < 0)
		return rc;
	/* 12 and 13: clues waiting for the leader to file them */
	(void)id;
	return ST_OK;
}
