/* enf_docs.c — the enforcement documents (执法文书) as models of the platform's document facility
 * (platform/docs/docs.h): 案件受理记录, 立案报告, 行政处罚事先告知书, 行政处罚决定书 (with the QR code to its
 * public verification), 不予行政处罚决定书, 送达回执, 案件移送书, 强制执行申请书 and 结案报告, each issued in the transaction of
 * the step it records, numbered per office, year and kind (温鹿卫医罚〔2026〕12号, 文书规范 art. 4), and linked
 * to the case in enf_documents. The wording follows the national document rules in substance; the
 * layout is the facility's. */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"
#include "../platform/docs/docs.h"
#include "../platform/regions/regions.h"
#include "../platform/auth/auth.h"
#include "../base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static void field(json_t *rows, const char *label, const char *value)
{
	if (value && *value)
		json_array_append_new(rows, json_pack("{s:s, s:s}", "label", label, "value", value));
}

static void para(json_t *blocks, const char *text)
{
	if (text && *text)
		json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "paragraph", "text", text));
}

static void heading(json_t *blocks, const char *text)
{
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "heading", "text", text));
}

static const char *kind_label(const char *k)
{
	static const char *const m[][2] = {{"warning", "警告"}, {"fine", "罚款"}, {"confiscation", "没收违法所得、没收非法财物"},
					   {"suspend_practice", "责令暂停执业活动"}, {"revoke_licence", "吊销许可证件"},
					   {"detention_other", "其他行政处罚"}};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (!strcmp(m[i][0], k))
			return m[i][1];
	return k;
}

static const char *source_label(const char *s)
{
	static const char *const m[][2] = {{"inspection_finding", "监督检查发现"}, {"claims_flag", "医保智能监控"},
					   {"complaint", "投诉举报"},		 {"grid_report", "网格员报告"},
					   {"sensor_alarm", "在线监测报警"},	 {"transfer", "移送"},
					   {"manual", "其他途径"}};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (!strcmp(m[i][0], s))
			return m[i][1];
	return s;
}

/* "警告；罚款人民币 15000.00 元" from the case's kinds and fine (caller frees). */
static char *penalty_text(const json_t *row)
{
	yj_buf b = YJ_BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(row, "penalty_kinds"), i, v) {
		const char *k = json_string_value(v);
		if (!strcmp(k, "fine"))
			yj_buf_printf(&b, "%s罚款人民币 %.2f 元", i ? "；" : "",
				      (double)json_integer_value(json_object_get(row, "fine_fen")) / 100);
		else
			yj_buf_printf(&b, "%s%s", i ? "；" : "", kind_label(k));
	}
	yj_buf_puts(&b, "");
	return yj_buf_detach(&b);
}

/* The organ's name (温州市鹿城区卫生健康局) and its 机关代字 (温鹿卫). */
static void organ_of(store_conn *c, const char *region, char organ[320], char office[48])
{
	yj_region r, up;
	char abbr[32];
	int found = yj_region_get(c, region, &r) == ST_OK;
	/* a town's cases belong to its county's office */
	while (found && r.level > 3 && r.parent_code[0] && yj_region_get(c, r.parent_code, &up) == ST_OK)
		r = up;
	snprintf(organ, 320, "%s卫生健康局", found ? r.name : region);
	if (found && r.level == 3 && r.parent_code[0]) {
		yj_region p;
		if (yj_region_get(c, r.parent_code, &p) == ST_OK)
			snprintf(organ, 320, "%s%s卫生健康局", p.name, r.name);
	}
	enf_office_abbr(c, region, abbr);
	snprintf(office, 48, "%s卫", abbr);
}

/* The benchmark's law, article and clause of the case (empty strings when none). */
static void basis_of(store_conn *c, const json_t *row, char law[200], char article[100], char clause[600])
{
	law[0] = article[0] = clause[0] = '\0';
	store_stmt *st = store_prepare(c, "SELECT law, article, clause FROM enf_benchmarks WHERE code = ? AND version = ?");
	if (!st)
		return;
	store_bind_text(st, 1, s_(row, "violation_code"), -1);
	store_bind_int64(st, 2, json_integer_value(json_object_get(row, "benchmark_version")));
	if (store_step(st) == ST_ROW) {
		snprintf(law, 200, "%s", store_col_text(st, 0));
		snprintf(article, 100, "%s", store_col_text(st, 1));
		snprintf(clause, 600, "%s", store_col_text(st, 2));
	}
	store_finalize(st);
}

/* The officers' names, "、"-separated, into out. */
static void officer_names(store_conn *c, const json_t *row, char *out, size_t cap)
{
	json_t *names = json_object(), *v;
	int64_t ids[ENF_MAX_OFFICERS];
	size_t n = 0, i;
	json_array_foreach(json_object_get(row, "officers"), i, v) if (n < ENF_MAX_OFFICERS && yj_id_parse(json_string_value(v), &ids[n]) == 0) n++;
	yj_user_names(c, ids, n, 0, names);
	size_t len = 0;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		char sid[21];
		yj_id_format(ids[i], sid);
		const char *nm = json_string_value(json_object_get(names, sid));
		int k = snprintf(out + len, cap - len, "%s%s", i ? "、" : "", nm ? nm : sid);
		if (k < 0 || (size_t)k >= cap - len)
			break;
		len += (size_t)k;
	}
	json_decref(names);
}

static const char *category(const char *violation)
{
	if (!strcmp(violation, "public_place") || !strcmp(violation, "drinking_water"))
		return "公";
	if (!strcmp(violation, "radiation"))
		return "放";
	if (!strcmp(violation, "infectious_report") || !strcmp(violation, "disinfection"))
		return "传";
	return "医";
}

/* The model of document kind for the case row (or the clue row for case_acceptance), with the step's
 * data; its title and 类别代字 into title and code. New reference, or NULL for an unknown kind. */
static json_t *model_of(store_conn *c, const char *kind, const json_t *row, const json_t *data, const char *organ,
			char title[64], char code[48])
{
	json_t *blocks = json_array(), *rows = json_array();
	char buf[1600], law[200], article[100], clause[600], today[11];
	yj_day_today(today);
	const char *cat = category(s_(row, "violation_code"));
	json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "fields", "rows", rows));
	field(rows, "当事人", s_(row, "subject_name"));
	if (strcmp(s_(row, "subject_kind"), "practitioner")) /* every kind but a person is an organisation */
		field(rows, "统一社会信用代码", s_(row, "subject_code"));
	const char *date = today;
	if (!strcmp(kind, "case_acceptance")) {
		snprintf(title, 64, "案件受理记录");
		snprintf(code, 48, "受");
		field(rows, "案件来源", source_label(s_(row, "source")));
		field(rows, "受理日期", s_(row, "received_on"));
		heading(blocks, "案源内容");
		para(blocks, s_(row, "summary"));
		para(blocks, "受理意见：经初步审查，请承办部门核查，符合立案条件的及时报请立案。");
	} else if (!strcmp(kind, "filing_report")) {
		char names[400];
		officer_names(c, row, names, sizeof names);
		snprintf(title, 64, "立案报告");
		snprintf(code, 48, "立");
		field(rows, "案件来源", source_label(s_(data, "source")));
		field(rows, "案源内容", s_(data, "summary"));
		field(rows, "立案日期", s_(row, "filed_on"));
		field(rows, "承办人", names);
		field(rows, "办案期限", s_(row, "decision_due"));
		heading(blocks, "立案理由");
		para(blocks, "经初步核查，当事人涉嫌违反卫生健康法律、法规、规章的规定，符合立案条件，根据《中华人民共和国行政处罚法》第五十四条的规定，建议立案调查。");
		heading(blocks, "审批意见");
		para(blocks, *s_(data, "opinion") ? s_(data, "opinion") : "同意立案。");
		date = s_(row, "filed_on");
	} else if (!strcmp(kind, "prior_notice") || !strcmp(kind, "penalty_decision")) {
		int decision = !strcmp(kind, "penalty_decision");
		char *pen = penalty_text(row);
		basis_of(c, row, law, article, clause);
		snprintf(title, 64, decision ? "行政处罚决定书" : "行政处罚事先告知书");
		snprintf(code, 48, decision ? "%s罚" : "%s罚告", cat);
		heading(blocks, "一、违法事实和证据");
		snprintf(buf, sizeof buf, "经查，%s", s_(row, "facts"));
		para(blocks, buf);
		heading(blocks, "二、处罚依据");
		snprintf(buf, sizeof buf, "当事人的上述行为违反了《%s》的有关规定。依据《%s》%s的规定：%s。", law, law, article, clause);
		para(blocks, buf);
		heading(blocks, decision ? "三、处罚决定" : "三、拟作出的行政处罚");
		snprintf(buf, sizeof buf, "%s对当事人作出如下行政处罚：%s。", decision ? "本机关决定" : "本机关拟", pen);
		para(blocks, buf);
		if (decision) {
			if (json_integer_value(json_object_get(row, "fine_fen")) > 0)
				para(blocks, "当事人应当自收到本决定书之日起十五日内将罚款缴至指定银行或者通过电子支付系统缴纳。到期不缴纳罚款的，"
					     "本机关可以每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额，并可以依法申请人民法院强制执行。");
			heading(blocks, "四、救济途径");
			para(blocks, "当事人如不服本处罚决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
				     "行政复议和行政诉讼期间，本决定不停止执行，法律另有规定的除外。");
			date = s_(row, "decided_on");
		} else {
			snprintf(buf, sizeof buf, "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，当事人可以在 %s 前向本机关提出陈述和申辩，"
						  "逾期视为放弃陈述和申辩的权利。", s_(row, "statement_due"));
			heading(blocks, "四、当事人的权利");
			para(blocks, buf);
			if (json_is_true(json_object_get(row, "hearing_trigger"))) {
				snprintf(buf, sizeof buf, "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，当事人有权要求听证，"
							  "应当在 %s 前提出，逾期视为放弃听证的权利。", s_(row, "hearing_request_due"));
				para(blocks, buf);
			}
		}
		free(pen);
	} else if (!strcmp(kind, "no_penalty_decision")) {
		snprintf(title, 64, "不予行政处罚决定书");
		snprintf(code, 48, "%s不罚", cat);
		heading(blocks, "一、查明的事实");
		para(blocks, *s_(row, "facts") ? s_(row, "facts") : "经调查，当事人违法事实不能成立或者依法不予行政处罚。");
		heading(blocks, "二、决定");
		snprintf(buf, sizeof buf, "根据《中华人民共和国行政处罚法》第三十三条或第五十七条的规定，本机关决定不予行政处罚（理由：%s）。",
			 s_(row, "no_penalty_ground"));
		para(blocks, buf);
		date = s_(row, "decided_on");
	} else if (!strcmp(kind, "service_receipt")) {
		snprintf(title, 64, "送达回执");
		snprintf(code, 48, "送");
		snprintf(buf, sizeof buf, "%s %s", *s_(row, "no_penalty_ground") ? "不予行政处罚决定书" : "行政处罚决定书",
			 s_(row, "decision_no"));
		field(rows, "送达文书", buf);
		field(rows, "送达方式", s_(data, "method"));
		field(rows, "送达日期", s_(data, "served_on"));
		field(rows, "收件人", s_(data, "receiver"));
		if (json_is_true(json_object_get(data, "refused"))) {
			field(rows, "拒收情况", s_(data, "refusal_note"));
			field(rows, "见证人", s_(data, "witness"));
		}
		date = s_(data, "served_on");
	} else if (!strcmp(kind, "transfer_letter")) {
		snprintf(title, 64, "案件移送书");
		snprintf(code, 48, "移");
		field(rows, "接收机关", s_(data, "receiving_org"));
		snprintf(buf, sizeof buf, "本机关在办理当事人%s一案中，发现%s。根据%s的规定，现将该案移送你单位，请依法处理，并将处理结果函告本机关。",
			 s_(row, "subject_name"), s_(data, "reason"),
			 !strcmp(s_(data, "to"), "police") ? "《行政执法机关移送涉嫌犯罪案件的规定》" : "《中华人民共和国行政处罚法》第二十七条");
		para(blocks, buf);
		const json_t *att = json_object_get(data, "attachments");
		if (json_array_size(att)) {
			/* 310号令 第6条: the letter lists what goes with it */
			heading(blocks, "附件");
			size_t i;
			json_t *v;
			json_array_foreach(att, i, v) {
				snprintf(buf, sizeof buf, "%zu. %s（SHA-256：%.16s…）", i + 1, s_(v, "name"), s_(v, "sha256"));
				para(blocks, buf);
			}
		}
	} else if (!strcmp(kind, "supervision_report")) {
		snprintf(title, 64, "督办案件办理情况报告");
		snprintf(code, 48, "督");
		field(rows, "案件当事人", s_(row, "subject_name"));
		field(rows, "立案日期", s_(row, "filed_on"));
		field(rows, "办理阶段", s_(data, "state"));
		field(rows, "督办期限", s_(data, "due_on"));
		heading(blocks, "办理进展");
		para(blocks, s_(data, "progress"));
	} else if (!strcmp(kind, "site_record")) {
		char names[400];
		officer_names(c, row, names, sizeof names);
		snprintf(title, 64, "现场笔录");
		snprintf(code, 48, "现");
		field(rows, "检查地点", s_(data, "place"));
		field(rows, "检查时间", s_(data, "at"));
		field(rows, "执法人员", names);
		field(rows, "当事人在场人员", s_(data, "present"));
		para(blocks, "执法人员已出示执法证件，告知当事人有申请回避的权利和配合调查的义务。");
		heading(blocks, "现场情况");
		para(blocks, s_(data, "findings"));
		para(blocks, "以上笔录经当事人核对无误。当事人签名：__________  执法人员签名：__________");
	} else if (!strcmp(kind, "inquiry_record")) {
		char names[400];
		officer_names(c, row, names, sizeof names);
		snprintf(title, 64, "询问笔录");
		snprintf(code, 48, "询");
		field(rows, "被询问人", s_(data, "interviewee"));
		field(rows, "与本案关系", s_(data, "relation"));
		field(rows, "询问地点", s_(data, "place"));
		field(rows, "询问时间", s_(data, "at"));
		field(rows, "询问人", names);
		para(blocks, "执法人员已出示执法证件，告知被询问人应当如实回答询问、协助调查，并有申请回避的权利。");
		heading(blocks, "询问内容");
		para(blocks, s_(data, "qa"));
		para(blocks, "以上笔录已交被询问人核对（向其宣读），记录属实。被询问人签名：__________  询问人签名：__________");
	} else if (!strcmp(kind, "hearing_rights_notice")) {
		snprintf(title, 64, "听证告知书");
		snprintf(code, 48, "%s听告", cat);
		char *pen = penalty_text(row);
		snprintf(buf, sizeof buf, "本机关拟对你（单位）作出%s的行政处罚。根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，"
					  "你（单位）有要求举行听证的权利。如要求听证，应当在 %s 前向本机关提出，逾期视为放弃听证的权利。",
			 pen, s_(row, "hearing_request_due"));
		free(pen);
		para(blocks, buf);
	} else if (!strcmp(kind, "hearing_notice")) {
		snprintf(title, 64, "听证通知书");
		snprintf(code, 48, "%s听通", cat);
		field(rows, "听证时间", *s_(data, "hearing_on") ? s_(data, "hearing_on") : "另行通知");
		field(rows, "听证地点", *s_(data, "hearing_place") ? s_(data, "hearing_place") : "另行通知");
		para(blocks, "根据你（单位）的听证申请，本机关决定举行听证（行政处罚法第六十四条：于举行听证七日前通知）。"
			     "你（单位）可以亲自参加听证，也可以委托一至二人代理；无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利。"
			     "如认为主持人与本案有直接利害关系的，有权申请回避。");
	} else if (!strcmp(kind, "hearing_record")) {
		snprintf(title, 64, "听证笔录");
		snprintf(code, 48, "%s听笔", cat);
		field(rows, "听证日期", s_(data, "held_on"));
		heading(blocks, "听证情况");
		para(blocks, s_(data, "transcript"));
		para(blocks, "笔录已交当事人或者其代理人核对无误后签字或者盖章（行政处罚法第六十四条第八项）。");
		date = s_(data, "held_on");
	} else if (!strcmp(kind, "payment_reminder")) {
		snprintf(title, 64, "催告书");
		snprintf(code, 48, "催");
		field(rows, "处罚决定书文号", s_(row, "decision_no"));
		field(rows, "缴款期限", s_(row, "pay_due"));
		snprintf(buf, sizeof buf, "本机关于 %s 作出的行政处罚决定（%s），你（单位）逾期未履行缴纳罚款的义务。根据《中华人民共和国行政强制法》"
					  "第三十五条、第五十四条的规定，现催告你（单位）自收到本催告书之日起十日内履行。逾期仍未履行的，本机关将依法申请人民法院强制执行。"
					  "你（单位）有权进行陈述和申辩。", s_(row, "decided_on"), s_(row, "decision_no"));
		para(blocks, buf);
	} else if (!strcmp(kind, "court_application")) {
		/* 行政强制法 art. 55: the applicant and the party, the decision with its facts and basis, the party's
		 * response and the reminder, the object of execution; signed by the organ's head and sealed */
		int64_t fine = json_integer_value(json_object_get(row, "fine_fen")), paid = json_integer_value(json_object_get(row, "paid_fen"));
		int64_t late = json_integer_value(json_object_get(row, "late_fee_fen"));
		char owed[64], fee[64];
		basis_of(c, row, law, article, clause);
		snprintf(title, 64, "强制执行申请书");
		snprintf(code, 48, "强执");
		field(rows, "申请人", organ);
		field(rows, "受理法院", s_(data, "court"));
		field(rows, "处罚决定书文号", s_(row, "decision_no"));
		field(rows, "决定日期", s_(row, "decided_on"));
		field(rows, "送达日期", s_(row, "served_on"));
		field(rows, "催告日期", s_(row, "reminded_on"));
		snprintf(owed, sizeof owed, "%.2f 元", (double)(fine - paid) / 100);
		snprintf(fee, sizeof fee, "%.2f 元", (double)late / 100);
		field(rows, "未缴罚款", owed);
		field(rows, "加处罚款", fee);
		heading(blocks, "申请事项");
		snprintf(buf, sizeof buf, "请求人民法院依法强制执行本机关作出的行政处罚决定（%s），执行罚款人民币 %s及加处罚款人民币 %s。",
			 s_(row, "decision_no"), owed, fee);
		para(blocks, buf);
		heading(blocks, "事实和理由");
		snprintf(buf, sizeof buf, "经查，%s当事人的上述行为违反了《%s》的有关规定，本机关依据《%s》%s的规定，于 %s 作出上述行政处罚决定，"
					  "并于 %s 依法送达。当事人在法定期限内未申请行政复议或者提起行政诉讼，又不履行处罚决定。本机关于 %s 依法催告，"
					  "当事人在催告书送达十日后仍未履行。",
			 s_(row, "facts"), law, law, article, s_(row, "decided_on"), s_(row, "served_on"), s_(row, "reminded_on"));
		para(blocks, buf);
		para(blocks, "根据《中华人民共和国行政处罚法》第七十二条和《中华人民共和国行政强制法》第五十三条至第五十五条的规定，特申请人民法院强制执行。");
		heading(blocks, "附件");
		para(blocks, "1. 行政处罚决定书及送达回执；2. 催告书及送达回执；3. 当事人的意见；4. 当事人的财产状况（已知的）。");
		para(blocks, "行政机关负责人（签名）：__________");
	} else if (!strcmp(kind, "closing_report")) {
		snprintf(title, 64, "结案报告");
		snprintf(code, 48, "结");
		field(rows, "立案日期", s_(row, "filed_on"));
		field(rows, "决定书文号", s_(row, "decision_no"));
		field(rows, "结案日期", s_(row, "closed_on"));
		heading(blocks, "执行情况及结案理由");
		para(blocks, s_(data, "summary"));
	} else {
		json_decref(blocks);
		return NULL;
	}
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:b}", "type", "signature", "organ", organ, "date",
						*date ? date : today, "seal", 1));
	if (!strcmp(kind, "penalty_decision"))
		json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "qr", "caption", "扫码核验本决定书"));
	return json_pack("{s:s, s:s, s:o}", "title", title, "organ", organ, "blocks", blocks);
}

int enf_doc_issue(store_conn *c, const char *kind, int64_t case_id, int64_t clue_id, const json_t *row, const json_t *data,
		  int seq, const char *actor, const char *public_url, char number[160])
{
	char organ[320], office[48], title[64], code[48], sid[21], *err = NULL;
	const char *region = s_(row, "region_code"), *dept = s_(row, "department");
	organ_of(c, region, organ, office);
	json_t *model = model_of(c, kind, row, data ? data : json_null(), organ, title, code);
	if (!model)
		return ST_ERR;
	int64_t inst = 0;
	if (!strcmp(s_(row, "subject_kind"), "institution"))
		yj_id_parse(s_(row, "subject_id"), &inst);
	yj_id_format(case_id ? case_id : clue_id, sid);
	yj_doc_issued out;
	yj_doc_issue_req req = {.kind = kind, .office = office, .kind_code = code,
				.subject_type = case_id ? "enforcement_case" : "enforcement_clue", .subject_id = sid,
				.institution_id = inst, .region_code = region, .department = dept, .issued_by = actor,
				.public_url = public_url, .model = model};
	int rc = yj_doc_issue(c, &req, &out, &err);
	json_decref(model);
	if (rc < 0) {
		/* the model is ours: a refusal is a programming error (logged without its text, which names people) */
		if (err)
			yj_log(YJ_LOG_WARN, "enforcement.document_refused", "\"kind\":\"%s\"", kind);
		free(err);
		return rc;
	}
	store_stmt *st = store_prepare(c, "INSERT INTO enf_documents (id, case_id, clue_id, doc_id, kind, title, number, step_seq,"
					  " region_code, department, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	if (case_id)
		store_bind_int64(st, 2, case_id);
	else
		store_bind_null(st, 2);
	store_bind_int64(st, 3, clue_id);
	store_bind_int64(st, 4, out.id);
	store_bind_text(st, 5, kind, -1);
	store_bind_text(st, 6, title, -1);
	store_bind_text(st, 7, out.number, -1);
	if (seq)
		store_bind_int64(st, 8, seq);
	else
		store_bind_null(st, 8);
	store_bind_text(st, 9, region, -1);
	store_bind_text(st, 10, dept, -1);
	store_bind_int64(st, 11, yj_now_ms());
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (number)
		snprintf(number, 160, "%s", out.number);
	return ST_OK;
}

int enf_doc_preview(store_conn *c, const char *kind, const json_t *row, const json_t *data, unsigned char **pdf, size_t *len)
{
	char organ[320], office[48], title[64], code[48], *err = NULL;
	organ_of(c, s_(row, "region_code"), organ, office);
	json_t *model = model_of(c, kind, row, data ? data : json_null(), organ, title, code);
	if (!model)
		return ST_NOTFOUND;
	int pages = 0;
	int rc = yj_doc_preview(model, pdf, len, &pages, &err);
	json_decref(model);
	free(err);
	return rc < 0 ? ST_ERR : ST_OK;
}
