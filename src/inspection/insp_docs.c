/* insp_docs.c — the inspection documents as models of the platform's document facility
 * (platform/docs/docs.h): 现场检查笔录 and 卫生监督意见书 of a completed task, 整改通知书 of a rectification
 * order, 双随机抽查记录表 of a drawn draw. Each is built from this module's own data, issued once with a
 * 文号 per office, kind and year (温鹿卫检〔2026〕3号) and served from the store ever after. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"
#include "insp_draw.h"
#include "../platform/docs/docs.h"
#include "../base/date.h"
#include "../base/log.h"
#include "../platform/attach/attach.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* kind → title, 类别代字, subject type. */
static const struct insp_doc_kind {
	const char *kind, *title, *code, *subject_type;
} kinds[] = {{"inspection_record", "现场检查笔录", "检", "inspection_task"},
	     {"supervision_opinion", "卫生监督意见书", "监意", "inspection_task"},
	     {"rectification_notice", "整改通知书", "责改", "rectification_order"},
	     {"draw_record", "双随机抽查记录表", "抽", "inspection_draw"}};

static const struct insp_doc_kind *kind_of(const char *k)
{
	for (size_t i = 0; k && i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kinds[i].kind, k))
			return &kinds[i];
	return NULL;
}

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

/* epoch ms → "2026-12-06 14:05" (Asia/Shanghai); "" for 0. */
static void when(int64_t ms, char out[24])
{
	char day[11];
	out[0] = '\0';
	if (ms <= 0)
		return;
	yj_day_format(yj_day_of_instant(ms, 480), day);
	int64_t min = (ms / 60000 + 480) % 1440;
	snprintf(out, 24, "%s %02d:%02d", day, (int)(min / 60), (int)(min % 60));
}

static const char *result_label(const char *r)
{
	return !strcmp(r, "compliant") ? "符合" : !strcmp(r, "non_compliant") ? "不符合" : !strcmp(r, "not_applicable") ? "不适用" : "未检查";
}

static const char *severity_label(const char *s)
{
	return !strcmp(s, "minor") ? "轻微" : !strcmp(s, "serious") ? "严重" : "一般";
}

/* "张三（执法证号 33030012）、李四" from a task's team (caller frees). */
static char *team_text(const json_t *t)
{
	yj_buf b = YJ_BUF_INIT;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(t, "team"), i, m) {
		yj_buf_printf(&b, "%s%s", i ? "、" : "", s_(m, "name"));
		if (*s_(m, "cert_no"))
			yj_buf_printf(&b, "（执法证号 %s）", s_(m, "cert_no"));
	}
	yj_buf_puts(&b, "");
	return yj_buf_detach(&b);
}

/* 现场检查笔录: who, when, where, each check point with its result, the findings, the conclusion and
 * whether the inspected party signed. */
/* The stored content hex as base64 (caller frees), for a picture in a document; NULL when it is
 * missing, larger than 300 KB or cannot be read (the record then names the hash without the picture). */
static char *blob_base64(store_conn *c, const char *hex)
{
	int64_t size = 0;
	if (yj_blob_size(c, hex, &size) != ST_OK || size <= 0 || size > 300 * 1024)
		return NULL;
	FILE *f = tmpfile();
	if (!f)
		return NULL;
	char *out = NULL;
	unsigned char *bin = yj_malloc((size_t)size);
	if (yj_blob_write(c, hex, fileno(f)) == ST_OK && fseek(f, 0, SEEK_SET) == 0 &&
	    fread(bin, 1, (size_t)size, f) == (size_t)size) {
		size_t n = sodium_base64_ENCODED_LEN((size_t)size, sodium_base64_VARIANT_ORIGINAL);
		out = yj_malloc(n);
		sodium_bin2base64(out, n, bin, (size_t)size, sodium_base64_VARIANT_ORIGINAL);
	}
	free(bin);
	fclose(f);
	return out;
}

/* sig_png: base64 of the handwritten signature, or NULL. */
static json_t *record_model(const json_t *t, const char *organ, const char *sig_png)
{
	json_t *blocks = json_array(), *rows = json_array(), *v, *subj = json_object_get(t, "subject");
	char at[24], done[24], buf[1200];
	char *team = team_text(t);
	const json_t *ck = json_object_get(t, "checkin");
	when(json_integer_value(json_object_get(ck, "at")), at);
	when(json_integer_value(json_object_get(t, "completed_at")), done);
	field(rows, "被检查单位", s_(subj, "name"));
	field(rows, "统一社会信用代码", s_(subj, "credit_code"));
	field(rows, "检查类别", s_(t, "kind_label"));
	field(rows, "检查开始时间", at);
	field(rows, "检查结束时间", done);
	if (json_is_number(json_object_get(ck, "lng"))) {
		snprintf(buf, sizeof buf, "东经 %.6f，北纬 %.6f", json_number_value(json_object_get(ck, "lng")),
			 json_number_value(json_object_get(ck, "lat")));
		field(rows, "检查地点坐标", buf);
	}
	field(rows, "检查人员", team);
	free(team);
	json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "fields", "rows", rows));
	para(blocks, "检查人员已出示执法证件，告知被检查单位依法享有的权利和应履行的义务，被检查单位无申请回避事项。");
	heading(blocks, "一、检查内容及结果");
	size_t i;
	json_array_foreach(json_object_get(t, "checklist"), i, v) {
		const char *note = s_(v, "note");
		snprintf(buf, sizeof buf, "%zu. %s：%s —— %s%s%s", i + 1, s_(v, "item_name"), s_(v, "point"),
			 result_label(s_(v, "result")), *note ? "。" : "", note);
		json_array_append_new(blocks, json_pack("{s:s, s:s, s:b}", "type", "paragraph", "text", buf, "indent", 0));
	}
	heading(blocks, "二、发现的问题");
	if (!json_array_size(json_object_get(t, "findings")))
		para(blocks, "未发现问题。");
	json_array_foreach(json_object_get(t, "findings"), i, v) {
		snprintf(buf, sizeof buf, "%zu.（%s）%s%s%s%s", i + 1, severity_label(s_(v, "severity")), s_(v, "description"),
			 *s_(v, "clause") ? "（违反" : "", s_(v, "clause"), *s_(v, "clause") ? "）" : "");
		json_array_append_new(blocks, json_pack("{s:s, s:s, s:b}", "type", "paragraph", "text", buf, "indent", 0));
	}
	heading(blocks, "三、检查结论");
	snprintf(buf, sizeof buf, "%s%s%s", !strcmp(s_(t, "outcome"), "compliant") ? "符合要求。" : "存在不符合项，需整改。",
		 *s_(t, "summary") ? "" : "", s_(t, "summary"));
	para(blocks, buf);
	const json_t *sig = json_object_get(t, "signature");
	if (!strcmp(s_(sig, "state"), "signed"))
		snprintf(buf, sizeof buf, "以上笔录经被检查单位核对无误，由 %s 签字确认。", s_(sig, "signer_name"));
	else if (!strcmp(s_(sig, "state"), "refused"))
		snprintf(buf, sizeof buf, "被检查单位拒绝签字。%s", s_(sig, "note"));
	else
		snprintf(buf, sizeof buf, "被检查单位未签字。");
	para(blocks, buf);
	if (sig_png)
		json_array_append_new(blocks, json_pack("{s:s, s:s, s:i, s:s}", "type", "image", "png", sig_png, "width_mm", 50,
							"caption", "被检查单位签字："));
	if (*s_(sig, "image_sha256")) {
		snprintf(buf, sizeof buf, "签名图像 SHA-256：%s", s_(sig, "image_sha256"));
		json_array_append_new(blocks, json_pack("{s:s, s:s, s:b}", "type", "paragraph", "text", buf, "indent", 0));
	}
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:b}", "type", "signature", "organ", organ, "date",
						s_(t, "completed_on"), "seal", 0));
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "qr", "caption", "扫码核验本笔录"));
	return json_pack("{s:s, s:s, s:o}", "title", "现场检查笔录", "organ", organ, "blocks", blocks);
}

/* 卫生监督意见书: the findings and the orders of the task as the organ's opinion to the party. */
static json_t *opinion_model(const json_t *t, const char *organ)
{
	json_t *blocks = json_array(), *rows = json_array(), *v, *subj = json_object_get(t, "subject");
	char buf[1600];
	size_t i;
	field(rows, "当事人", s_(subj, "name"));
	field(rows, "统一社会信用代码", s_(subj, "credit_code"));
	field(rows, "检查日期", s_(t, "completed_on"));
	json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "fields", "rows", rows));
	snprintf(buf, sizeof buf, "%s：", s_(subj, "name"));
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:b}", "type", "paragraph", "text", buf, "indent", 0));
	snprintf(buf, sizeof buf, "本机关于%s对你单位进行了%s。现提出卫生监督意见如下：", s_(t, "completed_on"), s_(t, "kind_label"));
	para(blocks, buf);
	if (!json_array_size(json_object_get(t, "findings")))
		para(blocks, "经检查，未发现违反卫生健康法律、法规的问题。请继续依法执业，落实各项管理制度。");
	json_array_foreach(json_object_get(t, "findings"), i, v) {
		snprintf(buf, sizeof buf, "%zu. 检查发现：%s%s%s%s。", i + 1, s_(v, "description"), *s_(v, "clause") ? "，不符合" : "",
			 s_(v, "clause"), *s_(v, "clause") ? "的规定" : "");
		para(blocks, buf);
	}
	json_array_foreach(json_object_get(t, "rectifications"), i, v) {
		snprintf(buf, sizeof buf, "请于%s前按以下要求整改，并书面报告整改情况：%s", s_(v, "deadline"), s_(v, "requirement"));
		para(blocks, buf);
	}
	para(blocks, "你单位应当依法执业。对本意见书所列问题逾期不改正的，本机关将依法处理。");
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:b}", "type", "signature", "organ", organ, "date",
						s_(t, "completed_on"), "seal", 1));
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "qr", "caption", "扫码核验本意见书"));
	return json_pack("{s:s, s:s, s:o}", "title", "卫生监督意见书", "organ", organ, "blocks", blocks);
}

/* 整改通知书 of order o (with the finding it answers, from its task t when loaded). */
static json_t *notice_model(const json_t *o, const json_t *t, const char *organ)
{
	json_t *blocks = json_array(), *rows = json_array(), *v;
	char buf[1600], days[16];
	const char *problem = "";
	size_t i;
	json_array_foreach(json_object_get(t, "findings"), i, v) if (!strcmp(s_(v, "id"), s_(o, "finding_id"))) problem = s_(v, "description");
	snprintf(days, sizeof days, "%lld 个工作日", (long long)json_integer_value(json_object_get(o, "working_days")));
	field(rows, "当事人", s_(o, "subject_name"));
	field(rows, "统一社会信用代码", s_(o, "subject_code"));
	field(rows, "下达日期", s_(o, "issued_on"));
	field(rows, "整改期限", days);
	field(rows, "整改截止日期", s_(o, "deadline"));
	json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "fields", "rows", rows));
	snprintf(buf, sizeof buf, "%s：", s_(o, "subject_name"));
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:b}", "type", "paragraph", "text", buf, "indent", 0));
	snprintf(buf, sizeof buf, "本机关在监督检查中发现你单位存在%s%s%s。根据有关卫生健康法律、法规的规定，现责令你单位于%s前改正。整改要求如下：",
		 *problem ? "以下问题：" : "不符合规定的情形", problem, *problem ? "" : "", s_(o, "deadline"));
	para(blocks, buf);
	para(blocks, s_(o, "requirement"));
	para(blocks, "请在整改期限届满前将整改情况书面报告本机关（可在平台提交整改报告）。逾期未改正或整改不到位的，本机关将组织复查并依法处理。");
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:b}", "type", "signature", "organ", organ, "date",
						s_(o, "issued_on"), "seal", 1));
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "qr", "caption", "扫码核验本通知书"));
	return json_pack("{s:s, s:s, s:o}", "title", "整改通知书", "organ", organ, "blocks", blocks);
}

/* 双随机抽查记录表: the plan, the commitment and the draw's public values, and whom it drew with
 * which team, so the paper record can be checked against the published bundle. */
static json_t *draw_model(const json_t *d, const json_t *plan, const json_t *tasks, const char *organ)
{
	json_t *blocks = json_array(), *rows = json_array(), *v;
	char buf[1200], c1[24], c2[24], n1[24], n2[24], l1[24], l2[24];
	size_t i;
	when(json_integer_value(json_object_get(d, "committed_at")), c1);
	when(json_integer_value(json_object_get(d, "drawn_at")), c2);
	snprintf(n1, sizeof n1, "%lld", (long long)json_integer_value(json_object_get(d, "subject_count")));
	snprintf(n2, sizeof n2, "%lld", (long long)json_integer_value(json_object_get(d, "draw_count")));
	snprintf(l1, sizeof l1, "%lld", (long long)json_integer_value(json_object_get(d, "commit_leaf")));
	snprintf(l2, sizeof l2, "%lld", (long long)json_integer_value(json_object_get(d, "draw_leaf")));
	field(rows, "抽查计划", s_(plan, "name"));
	if (json_is_integer(json_object_get(plan, "year"))) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(json_object_get(plan, "year")));
		field(rows, "计划年度", buf);
	}
	field(rows, "承诺时间", c1);
	field(rows, "抽取时间", c2);
	field(rows, "检查对象总数", n1);
	field(rows, "抽取数量", n2);
	field(rows, "输入摘要", s_(d, "input_hash"));
	field(rows, "密钥摘要", s_(d, "secret_hash"));
	field(rows, "见证值", s_(d, "witness"));
	field(rows, "随机种子", s_(d, "seed"));
	field(rows, "审计日志序号", l1);
	field(rows, "抽取审计序号", l2);
	json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "fields", "rows", rows));
	heading(blocks, "抽取结果");
	json_array_foreach(tasks, i, v) {
		char *team = team_text(v);
		snprintf(buf, sizeof buf, "%zu. %s —— 检查人员：%s", i + 1, s_(v, "subject_name"), *team ? team : "未指派");
		free(team);
		json_array_append_new(blocks, json_pack("{s:s, s:s, s:b}", "type", "paragraph", "text", buf, "indent", 0));
	}
	heading(blocks, "核验方法");
	para(blocks, "抽取前已将输入和密钥的摘要写入审计日志；抽取后公开数据包。任何人可在公开页面下载数据包并在浏览器中重新抽取，"
		     "或运行 yijian draw verify，结果应与上表一致。");
	char day[11];
	int64_t at = json_integer_value(json_object_get(d, "drawn_at"));
	if (at > 0)
		yj_day_format(yj_day_of_instant(at, 480), day);
	else
		yj_day_today(day);
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:b}", "type", "signature", "organ", organ, "date", day, "seal", 0));
	return json_pack("{s:s, s:s, s:o}", "title", "双随机抽查记录表", "organ", organ, "blocks", blocks);
}

/* ---- issuing ---- */

struct doc_arg {
	yj_req *r;
	int64_t id;
	const struct insp_doc_kind *k;
	json_t *out;
	int created;
	yj_refusal ref;
};

static json_t *doc_json(const char *kind, int64_t id, const char *number, const char *title, const char *sha256,
			int64_t size, int pages)
{
	char url[64];
	snprintf(url, sizeof url, "/api/v1/documents/%lld.pdf", (long long)id);
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:I, s:i, s:s}", "id", yj_json_id(id), "kind", kind, "number", number,
			 "title", title, "sha256", sha256, "size", (json_int_t)size, "pages", pages, "pdf_url", url);
}

/* Loads what the document is about in scope and builds its model (*model new reference), or refuses. */
static int model_for(store_conn *c, struct doc_arg *a, json_t **model, char region[16], char dept[32], int64_t *inst)
{
	const yj_scope *sc = &yj_who(a->r)->scope;
	json_t *row = NULL, *t = NULL, *extra = NULL;
	char organ[320], office[48];
	int rc;
	if (!strcmp(a->k->subject_type, "inspection_task")) {
		if ((rc = insp_task_full(c, sc, a->id, &row)) != ST_OK)
			return rc;
		if (strcmp(s_(row, "state"), "completed")) {
			json_decref(row);
			return yj_refuse(&a->ref, 409, "task-not-completed", "检查尚未完成", "请先完成检查（填写结论并提交），再出具%s。", a->k->title);
		}
	} else if (!strcmp(a->k->subject_type, "rectification_order")) {
		int64_t tid = 0;
		if ((rc = insp_order_load(c, sc, a->id, &row)) != ST_OK)
			return rc;
		if (yj_id_parse(s_(row, "task_id"), &tid) == 0 && (rc = insp_task_full(c, sc, tid, &t)) < 0 && rc != ST_NOTFOUND) {
			json_decref(row);
			return rc;
		}
	} else {
		int64_t pid = 0;
		if ((rc = insp_draw_load(c, sc, a->id, &row)) != ST_OK)
			return rc;
		if (strcmp(s_(row, "state"), "drawn")) {
			json_decref(row);
			return yj_refuse(&a->ref, 409, "draw-not-drawn", "尚未抽取", "抽取完成后才能出具抽查记录表，请先输入见证值并抽取。");
		}
		if (yj_id_parse(s_(row, "plan_id"), &pid) == 0 && (rc = insp_plan_load(c, sc, pid, &extra)) < 0 && rc != ST_NOTFOUND) {
			json_decref(row);
			return rc;
		}
		insp_draw_tasks(c, sc, a->id, &t);
	}
	snprintf(region, 16, "%s", s_(row, "region_code"));
	snprintf(dept, 32, "%s", s_(row, "department"));
	*inst = 0;
	const char *sid = !strcmp(a->k->subject_type, "inspection_task") ? s_(json_object_get(row, "subject"), "id")
									 : s_(row, "subject_id");
	if (*sid)
		yj_id_parse(sid, inst);
	yj_doc_office_of(c, region, organ, office);
	if (!strcmp(a->k->kind, "inspection_record")) {
		const char *img = s_(json_object_get(row, "signature"), "image_sha256");
		char *png = *img ? blob_base64(c, img) : NULL;
		*model = record_model(row, organ, png);
		free(png);
	}
	else if (!strcmp(a->k->kind, "supervision_opinion"))
		*model = opinion_model(row, organ);
	else if (!strcmp(a->k->kind, "rectification_notice"))
		*model = notice_model(row, t, organ);
	else
		*model = draw_model(row, extra, t, organ);
	json_decref(row);
	json_decref(t);
	json_decref(extra);
	return ST_OK;
}

static int doc_tx(store_conn *c, void *arg)
{
	struct doc_arg *a = arg;
	json_t *model = NULL;
	char region[16], dept[32], organ[320], office[48], sid[21], actor[21], *err = NULL;
	int64_t inst = 0;
	int rc = model_for(c, a, &model, region, dept, &inst);
	if (rc != ST_OK)
		return rc;
	yj_id_format(a->id, sid);
	/* Issued once: asking again answers the issued document (never rendered again). */
	yj_doc_info info;
	if ((rc = yj_doc_latest_for(c, a->k->subject_type, sid, a->k->kind, &info)) == ST_OK) {
		json_decref(model);
		a->out = doc_json(info.kind, info.id, info.number, info.title, info.sha256, info.size, info.pages);
		a->created = 0;
		return ST_OK;
	}
	if (rc != ST_NOTFOUND) {
		json_decref(model);
		return rc;
	}
	yj_doc_office_of(c, region, organ, office);
	insp_actor(a->r, actor);
	yj_doc_issued out;
	yj_doc_issue_req req = {.kind = a->k->kind, .office = office, .kind_code = a->k->code, .subject_type = a->k->subject_type,
				.subject_id = sid, .institution_id = inst, .region_code = region, .department = dept,
				.issued_by = actor, .public_url = yj_config(a->r)->public_url, .model = model};
	rc = yj_doc_issue(c, &req, &out, &err);
	json_decref(model);
	if (rc < 0) {
		if (err) {
			/* our own model refused: a programming error, logged without its text (it names people) */
			yj_log(YJ_LOG_WARN, "inspection.document_refused", "\"kind\":\"%s\"", a->k->kind);
			free(err);
			return yj_refuse(&a->ref, 500, "document-refused", "文书生成失败", "文书内容未通过校验，请联系管理员。");
		}
		return rc;
	}
	a->out = doc_json(a->k->kind, out.id, out.number, a->k->title, out.sha256, out.size, out.pages);
	a->created = 1;
	return ST_OK;
}

static int doc_issue(yj_req *r, const char *kind)
{
	struct doc_arg a = {.r = r, .k = kind_of(kind)};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	if (!a.k) {
		yj_refuse(&a.ref, 404, "no-such-document", "没有这种文书", "可出具的文书为 inspection_record（现场检查笔录）或 supervision_opinion（卫生监督意见书）。");
		int rc = yj_reply_refusal(r, &a.ref);
		yj_refusal_clear(&a.ref);
		return rc;
	}
	if (yj_tx_or_reply(r, doc_tx, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, a.created ? 201 : 200, a.out);
}

static int task_document(yj_req *r)
{
	const char *k = yj_param(r, "kind");
	return doc_issue(r, k && (!strcmp(k, "inspection_record") || !strcmp(k, "supervision_opinion")) ? k : "");
}

static int order_notice(yj_req *r)
{
	return doc_issue(r, "rectification_notice");
}

static int draw_record(yj_req *r)
{
	return doc_issue(r, "draw_record");
}

const yj_route yj_insp_doc_routes[] = {
	{"POST", "/api/v1/inspection/tasks/{id}/documents/{kind}", task_document, INSP_FIELD, NULL, NULL, "inspection",
	 "Issue (once) the task's 现场检查笔录 (inspection_record) or 卫生监督意见书 (supervision_opinion) as a numbered PDF",
	 "document {id, number, pdf_url}", 201},
	{"POST", "/api/v1/inspection/rectifications/{id}/notice", order_notice, INSP_FIELD, NULL, NULL, "inspection",
	 "Issue (once) the order's 整改通知书 as a numbered PDF", "document {id, number, pdf_url}", 201},
	{"POST", "/api/v1/inspection/draws/{id}/record", draw_record, INSP_PLANNERS, NULL, NULL, "inspection",
	 "Issue (once) the draw's record sheet (双随机抽查记录表) as a numbered PDF", "document {id, number, pdf_url}", 201},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0}};
