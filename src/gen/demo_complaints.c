/* demo_complaints.c — the demo region's complaints (投诉举报): a dozen matters in 鹿城区 and 瑞安市
 * in every state — waiting for dispatch, dispatched, in hand, paused, replied, closed with their
 * satisfaction, merged, refused, returned, referred to enforcement — written through the complaints
 * module's own intake and steps (complaints.h), so each has its steps, to-dos, events and audit
 * leaves; and three transfers between departments, answered on time, late, and not at all. A re-run adds
 * nothing: each matter carries a demo reference (external_ref DEMO-CMP-NN), each transfer DEMO-TR-NN. */
#define _POSIX_C_SOURCE 200809L
#include "demo_int.h"
#include "../complaints/complaints.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct demo_matter {
	const char *category, *region, *title, *content, *subject;
	int real_name;	   /* a named reporter (sealed) rather than anonymous */
	const char *steps; /* space-separated steps after intake; see step_body */
} demo_matter;

static const demo_matter MATTERS[] = {
	{"medical_service", "330302", "挂号后久等无人接诊", "上午九点挂号内科，等到十一点半仍未叫号，导诊台也无人解释。", "@", 1, "dispatch accept reply feedback revisit_unsatisfied"},
	{"illegal_practice", "330302", "居民楼内有人无证行医", "小区 3 幢一楼有人开设诊所输液，门口没有任何执业许可公示。", "某小区家庭诊所", 0, ""},
	{"pricing", "330302", "检查费重复收取", "同一次 CT 检查在收费清单中出现两次，要求核实并退还多收费用。", "@", 1, "dispatch"},
	{"medical_waste", "330381", "诊所把医疗废物混入生活垃圾", "每天傍晚看到诊所工作人员把带血的棉球和针头丢进小区垃圾桶。", "瑞安某口腔诊所", 0, "dispatch"},
	{"medical_service", "330302", "医生态度恶劣", "复诊时医生拒绝解释检查结果，还对患者家属大声呵斥。", "@", 1, "dispatch accept"},
	{"drug_quality", "330381", "药店销售过期药品", "在药店买到的感冒药已过有效期两个月，店员拒绝退换。", "瑞安某大药房", 1, "dispatch accept pause"},
	{"public_health", "330302", "游泳馆水质浑浊", "游泳馆池水浑浊有异味，多名孩子游泳后皮肤发痒。", "鹿城某游泳馆", 0, "dispatch accept reply"},
	{"insurance_fraud", "330381", "诊所虚开医保处方", "诊所让参保人刷卡后不取药，以购物卡返现，涉嫌套取医保基金。", "瑞安某社区诊所", 1, "dispatch accept refer reply feedback revisit"},
	{"medical_service", "330302", "住院费用清单不明", "出院结算时费用清单上有未使用的耗材，咨询后未得到答复。", "@", 1, "dispatch accept"},
	{"medical_service", "330302", "住院费用清单有问题", "出院结算时费用清单上有没有用过的耗材，问了也没人答复。", "@", 0, "merge"},
	{"enquiry", "330302", "咨询医疗纠纷调解途径", "想了解医疗纠纷人民调解委员会的地址和申请材料。", "", 0, "reject"},
	{"medical_waste", "330302", "医院后门污水直排", "医院后门有管道直接向河道排放污水，气味刺鼻。", "@", 0, "dispatch return"},
};
#define NMATTERS (sizeof MATTERS / sizeof MATTERS[0])

/* The fields of a step as the demo takes it. New reference or NULL. */
static json_t *step_body(const char *step, int64_t merge_into)
{
	if (!strcmp(step, "pause"))
		return json_pack("{s:s}", "reason", "等待投诉人补充购药小票");
	if (!strcmp(step, "reply"))
		return json_pack("{s:s, s:b}", "text", "经现场核查，反映问题属实，已责令整改并依法处理，感谢您的监督。", "substantiated", 1);
	if (!strcmp(step, "revisit"))
		return json_pack("{s:s}", "satisfaction", "satisfied");
	if (!strcmp(step, "revisit_unsatisfied"))
		return json_pack("{s:s}", "satisfaction", "basically");
	if (!strcmp(step, "reject"))
		return json_pack("{s:s}", "reason", "属于咨询事项，已当场告知调解委员会地址，不作投诉受理");
	if (!strcmp(step, "return"))
		return json_pack("{s:s}", "reason", "污水排放属生态环境部门职责，本单位无管辖权");
	if (!strcmp(step, "merge")) {
		char into[21];
		yj_id_format(merge_into, into);
		return json_pack("{s:s}", "into", into);
	}
	return !strcmp(step, "dispatch") ? json_object() : NULL;
}

struct demo_cmp_arg {
	const demo_plan *p;
	const char *actor;
	int written;
	char *why;
};

/* The name of a demo institution in region, for the matters that name one ("@"). */
static const char *inst_in(const demo_plan *p, const char *region, int nth)
{
	for (int i = 0, k = 0; i < p->ninsts; i++)
		if (!strcmp(p->counties[p->insts[i].county].code, region) && k++ == nth)
			return p->insts[i].credit;
	return NULL;
}

static int matters_tx(store_conn *c, void *argp)
{
	struct demo_cmp_arg *a = argp;
	int64_t ids[NMATTERS] = {0};
	a->written = 0;
	for (size_t i = 0; i < NMATTERS; i++) {
		const demo_matter *m = &MATTERS[i];
		char ref[24];
		snprintf(ref, sizeof ref, "DEMO-CMP-%02zu", i + 1);
		json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "channel", i % 3 ? "hotline" : "phone", "category",
				      m->category, "title", m->title, "content", m->content, "region_code", m->region,
				      "external_ref", ref, "anonymous", !m->real_name);
		const char *code = !strcmp(m->subject, "@") ? inst_in(a->p, m->region, (int)i) : NULL;
		if (code)
			json_object_set_new(b, "subject_credit_code", json_string(code));
		else if (*m->subject && strcmp(m->subject, "@"))
			json_object_set_new(b, "subject_name", json_string(m->subject));
		if (m->real_name) {
			char phone[12];
			snprintf(phone, sizeof phone, "1380577%04zu", 1000 + i);
			json_object_set_new(b, "reporter_name", json_string("演示投诉人"));
			json_object_set_new(b, "reporter_phone", json_string(phone));
		}
		int rc = yj_cmp_seed(c, b, a->actor, &ids[i], &a->why);
		json_decref(b);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue; /* there from an earlier run, with its steps */
		a->written++;
		char steps[128], *save = NULL;
		snprintf(steps, sizeof steps, "%s", m->steps);
		/* The lead unit of each step: the desk until dispatched, then the category's department. */
		const char *unit = "health";
		for (char *s = strtok_r(steps, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
			const char *name = !strncmp(s, "revisit", 7) ? "revisit" : s;
			json_t *sb = step_body(s, ids[i > 0 ? i - 1 : 0]);
			rc = yj_cmp_seed_step(c, ids[i], name, sb, !strcmp(name, "revisit") || !strcmp(name, "merge") ? "health" : unit,
					      a->actor, &a->why);
			json_decref(sb);
			if (rc < 0)
				return rc;
			if (!strcmp(name, "dispatch")) /* the demo confirms the suggested unit */
				unit = !strcmp(m->category, "pricing")		 ? "market"
				       : !strcmp(m->category, "medical_waste")	 ? "environment"
				       : !strcmp(m->category, "drug_quality")	 ? "drug"
				       : !strcmp(m->category, "insurance_fraud") ? "insurance"
										 : "health";
		}
	}
	/* Transfers between departments: answered on time, answered late, and one still unanswered past
	 * its 15 days (the hourly job escalates it to the health commission). */
	static const struct {
		const char *from, *to, *region, *title, *content, *sent, *reply, *replied;
	} T[] = {
		{"market", "insurance", "330302", "药店串换医保药品", "检查中发现药店将保健品串换为医保药品结算。", "2026-09-01",
		 "经核查属实，已追回医保基金并立案。", "2026-09-10"},
		{"health", "market", "330381", "诊所重复收费", "投诉反映诊所同一检查重复收费，移送价格主管部门核查。", "2026-08-03",
		 "经核查，已责令退还多收费用。", "2026-08-28"},
		{"environment", "health", "330302", "医疗废物去向不明", "医疗废物转移联单与处置量不符，移送卫生健康部门核查。",
		 "2026-09-14", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
		char ref[24];
		snprintf(ref, sizeof ref, "DEMO-TR-%02zu", i + 1);
		int rc = yj_cmp_seed_transfer(c, ref, T[i].from, T[i].to, T[i].region, T[i].title, T[i].content, T[i].sent,
					      T[i].reply, T[i].replied, a->actor);
		if (rc < 0)
			return rc;
		a->written += rc;
	}
	return ST_OK;
}

int yj_demo_complaints(store *s, const demo_plan *p, const char *actor, char **err)
{
	struct demo_cmp_arg a = {.p = p, .actor = actor};
	int rc = store_tx(s, matters_tx, &a);
	if (rc < 0 && err && !*err)
		*err = a.why ? yj_asprintf("demo complaints refused: %s", a.why)
			     : yj_asprintf("cannot write demo complaints: %s", store_errmsg(store_conn_get(s)));
	free(a.why);
	return rc;
}
