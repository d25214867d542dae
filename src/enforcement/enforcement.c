/* enforcement.c — the case workflow as pure logic: the actions of the transition route (who may take
 * each, from which states, to which), the guards that refuse a step (wrong state, wrong role, a clock
 * run out, a legal review or collective discussion missing), the fields each step needs, the
 * discretion band of a benchmark tier and the clocks' arithmetic. No SQL and no HTTP: the store
 * (enf_store.c) fills an enf_case and the handler (cases_api.c) applies what this decides. */
#define _POSIX_C_SOURCE 200809L
#include "enforcement.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFFICER ROLE_INSPECTOR
#define LEADER ROLE_LEADER
#define LEGAL ROLE_LEGAL_REVIEWER

/* States before the decision: the 90-day clock runs, 中止 and 延期 apply. */
#define PRE "filed investigating investigated deliberated legal_reviewed discussed notified hearing_requested heard"

static const enf_action actions[] = {
	{"investigate", "调查取证", OFFICER, 1, "filed", "investigating"},
	{"add_evidence", "登记证据", OFFICER, 1, "investigating", NULL},
	{"conclude", "调查终结", OFFICER, 1, "investigating", "investigated"},
	{"deliberate", "合议", OFFICER, 1, "investigated", "deliberated"},
	{"legal_review", "法制审核", LEGAL, 0, "deliberated discussed heard", "legal_reviewed"},
	{"collective_discussion", "集体讨论", LEADER, 0, "deliberated legal_reviewed heard", "discussed"},
	{"notify", "告知", OFFICER, 1, "deliberated legal_reviewed discussed", "notified"},
	{"request_hearing", "申请听证", OFFICER, 1, "notified", "hearing_requested"},
	{"hold_hearing", "听证", OFFICER | LEADER | LEGAL, -1, "hearing_requested", "heard"},
	{"decide", "作出处罚决定", LEADER, 0, "notified heard legal_reviewed discussed", "decided"},
	{"decide_no_penalty", "不予处罚", LEADER, 0, "investigated deliberated legal_reviewed discussed notified heard",
	 "not_penalised"},
	{"serve", "送达", OFFICER, 1, "decided not_penalised", "served"},
	{"publish", "公示", OFFICER | LEADER, 0, "served", "published"},
	{"record_payment", "缴纳罚款", OFFICER, 1, "published enforcing", NULL},
	{"remind", "催告", OFFICER, 1, "published", "enforcing"},
	{"apply_court", "申请法院强制执行", LEADER, 0, "enforcing", "court_applied"},
	{"close", "结案", LEADER, 0, "paid court_applied published served transferred", "closed"},
	{"transfer", "移送", LEADER, 0, "filed investigating investigated deliberated", "transferred"},
	{"suspend", "中止", LEADER, 0, PRE, "suspended"},
	{"resume", "恢复办理", LEADER, 0, "suspended", NULL},
	{"extend", "延期", LEADER, 0, PRE, NULL},
	{"revoke", "撤销", LEADER, 0, PRE " suspended decided not_penalised served published enforcing paid court_applied",
	 "revoked"},
	{"change_decision", "变更处罚决定", LEADER, 0, "decided served published enforcing", NULL},
	{NULL, NULL, 0, 0, NULL, NULL},
};

static const struct {
	const char *code, *label;
} states[] = {
	{"filed", "已立案"},	      {"investigating", "调查取证"}, {"investigated", "调查终结"},
	{"deliberated", "已合议"},    {"legal_reviewed", "已法制审核"}, {"discussed", "已集体讨论"},
	{"notified", "已告知"},	      {"hearing_requested", "已申请听证"}, {"heard", "已听证"},
	{"decided", "已作出处罚决定"}, {"not_penalised", "不予处罚"}, {"served", "已送达"},
	{"published", "已公示"},      {"enforcing", "已催告"},	      {"paid", "已缴纳"},
	{"court_applied", "已申请强制执行"}, {"closed", "已结案"},	      {"transferred", "已移送"},
	{"suspended", "已中止"},      {"revoked", "已撤销"},
};

static const char *const penalty_kinds[] = {"warning", "fine", "confiscation", "suspend_practice", "revoke_licence",
					    "detention_other", NULL};

const enf_action *enf_action_find(const char *name)
{
	for (const enf_action *a = actions; name && a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

const char *enf_state_label(const char *state)
{
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (!strcmp(states[i].code, state))
			return states[i].label;
	return state;
}

/* 1 when word is one of the space-separated words of list. */
static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !strncmp(p, word, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

int enf_action_from(const enf_action *a, const char *state)
{
	return in_list(a->from, state);
}

int enf_state_before_decision(const char *state)
{
	return in_list(PRE, state);
}

int enf_penalty_kind_valid(const char *code)
{
	for (const char *const *k = penalty_kinds; code && *k; k++)
		if (!strcmp(*k, code))
			return 1;
	return 0;
}

int enf_legal_review_required(const enf_case *k)
{
	return k->t_public_interest || k->t_hearing_rights || k->t_complex || k->t_other_law || k->outside_band;
}

static int is_officer(const enf_case *k, int64_t user)
{
	for (int i = 0; i < k->nofficers; i++)
		if (k->officers[i] == user)
			return 1;
	return 0;
}

static const char *role_names(unsigned roles)
{
	static const char *const names[] = {"承办执法人员", "机关负责人（领导）", "法制审核员", "承办执法人员或领导",
					    "听证主持人"};
	if (roles == OFFICER)
		return names[0];
	if (roles == LEADER)
		return names[1];
	if (roles == LEGAL)
		return names[2];
	if (roles == (OFFICER | LEADER))
		return names[3];
	return names[4];
}

static int flag(const json_t *body, const char *key)
{
	return json_is_true(json_object_get(body, key));
}

#define REFUSE(...) (snprintf(msg, cap, __VA_ARGS__), 409)

int enf_guard(const enf_case *k, const enf_action *a, unsigned role_bit, int64_t user_id, const char *today,
	      const json_t *body, char *msg, size_t cap)
{
	if (!in_list(a->from, k->state))
		return REFUSE("案件当前状态为「%s」，不能办理「%s」。请按办案流程先完成前一环节。", enf_state_label(k->state),
			      a->label);
	if (!(role_bit & a->roles))
		return REFUSE("「%s」应由%s办理，请转交有权限的人员。", a->label, role_names(a->roles));
	if (a->officer == 1 && !is_officer(k, user_id))
		return REFUSE("您不是本案的承办执法人员，不能办理「%s」。请由承办人员办理，或请领导调整承办人员。", a->label);
	if (a->officer == -1 && is_officer(k, user_id))
		return REFUSE("听证由非本案调查人员主持（行政处罚法第六十四条），请由其他人员主持听证。");
	if ((!strcmp(a->name, "investigate") || !strcmp(a->name, "conclude")) && k->nofficers < 2)
		return REFUSE("执法人员不得少于两人（行政处罚法第四十二条），请先补足承办人员。");
	const char *name = a->name;
	int legal_pending = enf_legal_review_required(k) &&
			    (k->legal_ok_seq <= k->proposal_seq || k->legal_ok_seq <= k->hearing_seq);
	int collective_pending = k->serious && k->collective_seq <= k->proposal_seq;
	if (!strcmp(name, "notify")) {
		if (enf_legal_review_required(k) && k->legal_ok_seq <= k->proposal_seq)
			return REFUSE("本案需要法制审核（行政处罚法第五十八条或处罚超出裁量基准），请先提交法制审核员审核。");
		if (collective_pending)
			return REFUSE("本案为情节复杂或重大违法案件，应先经集体讨论（行政处罚法第五十七条）。");
	}
	if (!strcmp(name, "request_hearing")) {
		if (!k->hearing_trigger)
			return REFUSE("本案拟作出的处罚不属于应当告知听证权利的情形（行政处罚法第六十三条），不能申请听证。");
		if (k->hearing_request_due[0] && strcmp(today, k->hearing_request_due) > 0)
			return REFUSE("听证申请期限已于 %s 届满，当事人未在期限内申请，视为放弃听证。", k->hearing_request_due);
	}
	if (!strcmp(name, "legal_review") && !strcmp(k->state, "discussed") && !legal_pending)
		return REFUSE("本案已经法制审核且此后处罚方案未变，无需再次审核。");
	if (!strcmp(name, "decide")) {
		if (k->decision_due[0] && strcmp(today, k->decision_due) > 0)
			return REFUSE("已超过办案期限（%s，行政处罚法第六十条），请先报领导批准延期后再作出决定。", k->decision_due);
		if (legal_pending)
			return REFUSE("本案需要法制审核（行政处罚法第五十八条），未经法制审核员同意不得作出决定。");
		if (collective_pending)
			return REFUSE("重大案件应经集体讨论后作出决定（行政处罚法第五十七条），请先组织集体讨论。");
		if (!strcmp(k->state, "notified") && !flag(body, "waived")) {
			if (k->statement_due[0] && strcmp(today, k->statement_due) <= 0)
				return REFUSE("陈述申辩期限至 %s 届满，期满后再作出决定；当事人明确放弃的，请注明 waived。",
					      k->statement_due);
			if (k->hearing_trigger && k->hearing_request_due[0] && strcmp(today, k->hearing_request_due) <= 0)
				return REFUSE("听证申请期限至 %s 届满，期满后再作出决定；当事人明确放弃听证的，请注明 waived。",
					      k->hearing_request_due);
		}
	}
	if (!strcmp(name, "decide_no_penalty") && k->decision_due[0] && strcmp(today, k->decision_due) > 0)
		return REFUSE("已超过办案期限（%s），请先报领导批准延期。", k->decision_due);
	if (!strcmp(name, "serve") && k->decided_on[0] && json_string_value(json_object_get(body, "served_on")) &&
	    strcmp(json_string_value(json_object_get(body, "served_on")), k->decided_on) < 0)
		return REFUSE("送达日期不能早于决定日期（%s），请按送达回执填写。", k->decided_on);
	if (!strcmp(name, "publish") && k->no_penalty)
		return REFUSE("不予处罚决定不在双公示范围内，请直接结案。");
	if (!strcmp(name, "record_payment") && k->fine_fen - k->paid_fen <= 0)
		return REFUSE("罚款已缴清，无需再登记缴款。");
	if (!strcmp(name, "remind")) {
		if (k->fine_fen - k->paid_fen <= 0)
			return REFUSE("罚款已缴清，无需催告。");
		if (k->pay_due[0] && strcmp(today, k->pay_due) <= 0)
			return REFUSE("缴款期限至 %s 届满（行政处罚法第六十七条），期满未缴纳的方可催告。", k->pay_due);
	}
	if (!strcmp(name, "apply_court") && k->court_ready_on[0] && strcmp(today, k->court_ready_on) < 0)
		return REFUSE("催告书送达满十日后（%s 起）当事人仍未履行的，方可申请法院强制执行（行政强制法第五十四条）。",
			      k->court_ready_on);
	if (!strcmp(name, "close")) {
		if (k->suspect_crime && !k->transferred)
			return REFUSE("本案涉嫌犯罪，须有移送公安机关的记录后方可结案。");
		if (!strcmp(k->state, "published") && k->fine_fen - k->paid_fen > 0)
			return REFUSE("罚款尚未缴清，请登记缴款或依法催告、申请强制执行后再结案。");
		if (!strcmp(k->state, "served") && !k->no_penalty)
			return REFUSE("处罚决定送达后应先公示，再结案。");
	}
	return 0;
}

const char *enf_next_state(const enf_case *k, const enf_action *a, const json_t *body)
{
	if (!strcmp(a->name, "legal_review")) {
		const char *op = json_string_value(json_object_get(body, "opinion"));
		return op && !strcmp(op, "return") ? "investigating" : a->to;
	}
	if (!strcmp(a->name, "resume"))
		return k->prior_state[0] ? k->prior_state : "investigating";
	if (!strcmp(a->name, "record_payment")) {
		json_int_t amt = json_integer_value(json_object_get(body, "amount_fen"));
		return k->paid_fen + amt >= k->fine_fen ? "paid" : k->state;
	}
	return a->to ? a->to : k->state;
}

/* ---- fields ---- */

static const char *str(const json_t *body, const char *key)
{
	const char *v = json_string_value(json_object_get(body, key));
	return v && *v ? v : NULL;
}

static int need_text(const json_t *body, const char *key, const char *detail, json_t *errors)
{
	if (str(body, key))
		return 0;
	yj_field_error(errors, key, detail);
	return 1;
}

static int need_choice(const json_t *body, const char *key, const char *list, const char *detail, json_t *errors)
{
	const char *v = str(body, key);
	if (v && in_list(list, v))
		return 0;
	yj_field_error(errors, key, detail);
	return 1;
}

static int need_day(const json_t *body, const char *key, const char *today, int required, json_t *errors)
{
	const char *v = str(body, key);
	int64_t d;
	if (!v) {
		if (!required)
			return 0;
		yj_field_error(errors, key, "请填写日期（YYYY-MM-DD）");
		return 1;
	}
	if (yj_day_parse(v, &d) < 0) {
		yj_field_error(errors, key, "日期格式应为 YYYY-MM-DD");
		return 1;
	}
	if (strcmp(v, today) > 0) {
		yj_field_error(errors, key, "日期不能晚于今天");
		return 1;
	}
	return 0;
}

/* At least min distinct non-empty strings. */
static int need_people(const json_t *body, const char *key, size_t min, const char *detail, json_t *errors)
{
	const json_t *arr = json_object_get(body, key), *v;
	size_t i, ok = json_is_array(arr) && json_array_size(arr) >= min;
	json_array_foreach(arr, i, v) {
		if (!json_string_value(v) || !*json_string_value(v))
			ok = 0;
		for (size_t j = 0; j < i && ok; j++)
			if (json_equal(json_array_get(arr, j), v))
				ok = 0;
	}
	if (ok)
		return 0;
	yj_field_error(errors, key, detail);
	return 1;
}

static int need_kinds(const json_t *body, json_t *errors)
{
	const json_t *arr = json_object_get(body, "penalty_kinds"), *v;
	size_t i;
	int ok = json_is_array(arr);
	json_array_foreach(arr, i, v) if (!enf_penalty_kind_valid(json_string_value(v))) ok = 0;
	if (ok)
		return 0;
	yj_field_error(errors, "penalty_kinds",
		       "处罚种类应为数组，取值 warning、fine、confiscation、suspend_practice、revoke_licence、detention_other");
	return 1;
}

static int need_fen(const json_t *body, const char *key, int required, json_t *errors)
{
	const json_t *v = json_object_get(body, key);
	if (!v && !required)
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= INT64_C(100000000000))
		return 0;
	yj_field_error(errors, key, "金额以分为单位，应为不小于 0 的整数");
	return 1;
}

int enf_fields_check(const enf_action *a, const json_t *body, const char *today, json_t *errors)
{
	const char *n = a->name;
	int bad = 0;
	if (!strcmp(n, "investigate") || !strcmp(n, "add_evidence") || !strcmp(n, "conclude"))
		bad += need_people(body, "participants", 2, "调查取证应由两名以上执法人员进行，请列出参加的承办人员编号", errors);
	if (!strcmp(n, "add_evidence")) {
		const char *h = str(body, "sha256");
		if (!h || strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64) {
			yj_field_error(errors, "sha256", "请填写证据文件的 SHA-256（64 位小写十六进制），先通过附件接口上传");
			bad++;
		}
		bad += need_choice(body, "evidence_kind", "photo audio video document record",
				   "证据类型应为 photo、audio、video、document 或 record", errors);
		bad += need_text(body, "description", "请简要说明证据内容", errors);
	}
	if (!strcmp(n, "conclude")) {
		bad += need_text(body, "facts", "请填写经调查认定的违法事实", errors);
		bad += need_text(body, "violation_code", "请从裁量基准中选择违法行为", errors);
		bad += need_choice(body, "tier", ENF_TIERS, "情节档次应为 none、mitigated、lighter、general 或 heavier", errors);
		bad += need_kinds(body, errors);
		bad += need_fen(body, "fine_fen", 1, errors);
		bad += need_fen(body, "confiscation_fen", 0, errors);
	}
	if (!strcmp(n, "deliberate")) {
		bad += need_people(body, "participants", 2, "合议应有两名以上人员参加，请列出参加人员", errors);
		bad += need_text(body, "opinion", "请填写合议意见", errors);
		bad += need_text(body, "conclusion", "请填写合议结论", errors);
	}
	if (!strcmp(n, "legal_review")) {
		bad += need_choice(body, "opinion", "agree amend return", "审核意见应为 agree（同意）、amend（修改）或 return（退回）",
				   errors);
		const char *op = str(body, "opinion");
		if (op && strcmp(op, "agree") && !str(body, "reasons")) {
			yj_field_error(errors, "reasons", "提出修改或退回意见的，请写明理由");
			bad++;
		}
	}
	if (!strcmp(n, "collective_discussion")) {
		bad += need_people(body, "participants", 3, "集体讨论应有三名以上机关负责人参加，请列出参加人员", errors);
		bad += need_text(body, "opinion", "请填写讨论中的意见", errors);
		bad += need_text(body, "conclusion", "请填写集体讨论的结论", errors);
	}
	if (!strcmp(n, "hold_hearing")) {
		bad += need_day(body, "held_on", today, 1, errors);
		bad += need_text(body, "transcript", "请填写听证笔录摘要（当事人陈述、申辩及质证意见）", errors);
	}
	if (!strcmp(n, "decide_no_penalty"))
		bad += need_choice(body, "ground", "minor_corrected first_minor facts_not_established no_fault other",
				   "不予处罚的理由应为 minor_corrected、first_minor、facts_not_established、no_fault 或 other",
				   errors);
	if (!strcmp(n, "serve")) {
		bad += need_choice(body, "method", "direct left post electronic entrusted public_notice",
				   "送达方式应为 direct、left、post、electronic、entrusted 或 public_notice", errors);
		bad += need_day(body, "served_on", today, 1, errors);
		const char *m = str(body, "method");
		if (m && strcmp(m, "public_notice"))
			bad += need_text(body, "receiver", "请填写签收人姓名（送达回执）", errors);
		if (flag(body, "refused")) {
			bad += need_text(body, "witness", "当事人拒绝签收的，请填写见证人姓名（留置送达）", errors);
			bad += need_text(body, "refusal_note", "请写明拒收事由和日期", errors);
		}
		if (m && !strcmp(m, "electronic") && !flag(body, "consent")) {
			yj_field_error(errors, "consent", "电子送达须经当事人书面同意，请先取得同意（consent: true）");
			bad++;
		}
	}
	if (!strcmp(n, "record_payment")) {
		const json_t *v = json_object_get(body, "amount_fen");
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			yj_field_error(errors, "amount_fen", "缴款金额以分为单位，应为正整数");
			bad++;
		}
		bad += need_day(body, "paid_on", today, 1, errors);
	}
	if (!strcmp(n, "apply_court"))
		bad += need_text(body, "court", "请填写受理申请的人民法院", errors);
	if (!strcmp(n, "transfer")) {
		bad += need_choice(body, "to", "police department", "移送对象应为 police（公安机关）或 department（其他部门）", errors);
		bad += need_text(body, "receiving_org", "请填写接收移送的机关名称", errors);
		bad += need_text(body, "reason", "请写明移送理由", errors);
	}
	if (!strcmp(n, "suspend") || !strcmp(n, "revoke") || !strcmp(n, "change_decision"))
		bad += need_text(body, "reason", "请写明理由", errors);
	if (!strcmp(n, "extend")) {
		bad += need_choice(body, "reason_code", "force_majeure party_missing awaiting_ruling dependent_case assistance",
				   "延期理由应为 force_majeure、party_missing、awaiting_ruling、dependent_case 或 assistance；"
				   "人员不足、工作量大等不是延期理由",
				   errors);
		const json_t *d = json_object_get(body, "days");
		if (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 90) {
			yj_field_error(errors, "days", "延期天数应为 1 到 90 的整数");
			bad++;
		}
	}
	if (!strcmp(n, "change_decision")) {
		bad += need_kinds(body, errors);
		bad += need_fen(body, "fine_fen", 1, errors);
	}
	if (!strcmp(n, "close"))
		bad += need_text(body, "summary", "请填写结案报告摘要", errors);
	return bad;
}

/* ---- benchmarks ---- */

int enf_band_of(const char *tiers_json, const char *tier, enf_band *out)
{
	memset(out, 0, sizeof *out);
	json_t *t = tiers_json ? json_loads(tiers_json, 0, NULL) : NULL;
	json_t *b = tier ? json_object_get(t, tier) : NULL;
	if (!json_is_object(b)) {
		json_decref(t);
		return -1;
	}
	out->fine_min = json_integer_value(json_object_get(b, "fine_min_fen"));
	out->fine_max = json_integer_value(json_object_get(b, "fine_max_fen"));
	size_t i, len = 0;
	json_t *v;
	json_array_foreach(json_object_get(b, "kinds"), i, v) {
		int n = snprintf(out->kinds + len, sizeof out->kinds - len, "%s%s", i ? "," : "", json_string_value(v));
		if (n < 0 || (size_t)n >= sizeof out->kinds - len)
			break;
		len += (size_t)n;
	}
	json_decref(t);
	return 0;
}

int enf_within_band(const enf_band *b, const json_t *kinds, int64_t fine_fen)
{
	if (fine_fen < b->fine_min || fine_fen > b->fine_max)
		return 0;
	size_t i;
	json_t *v;
	json_array_foreach(kinds, i, v) {
		const char *k = json_string_value(v);
		size_t n = strlen(k);
		int found = 0;
		for (const char *p = b->kinds; *p && !found;) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			found = len == n && !strncmp(p, k, n);
			p = e ? e + 1 : p + len;
		}
		if (!found)
			return 0;
	}
	/* A fine above zero needs the kind "fine". */
	if (fine_fen > 0) {
		int has = 0;
		json_array_foreach(kinds, i, v) has |= !strcmp(json_string_value(v), "fine");
		return has;
	}
	return 1;
}

/* ---- clocks ---- */

int64_t enf_late_fee(int64_t fine_fen, int64_t days_late, int64_t permille_per_day)
{
	if (fine_fen <= 0 || days_late <= 0)
		return 0;
	/* fine × permille × days / 1000, capped before multiplying out so it cannot overflow */
	if (days_late * permille_per_day >= 1000)
		return fine_fen;
	int64_t fee = fine_fen * permille_per_day / 1000 * days_late +
		      (fine_fen * permille_per_day % 1000) * days_late / 1000;
	return fee > fine_fen ? fine_fen : fee;
}

int64_t enf_decision_due_day(int64_t filed_day, int64_t days, int64_t extended, int64_t paused)
{
	return filed_day + days + extended + paused;
}
