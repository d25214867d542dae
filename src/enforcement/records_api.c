/* records_api.c — the investigation's records and the officers' preview: 现场笔录 and 询问笔录 taken by two of the
 * case's officers (art. 42, 55) during filing or investigation, each issued as a numbered document and recorded as
 * a step of the timeline; and the preview of any of the case's documents before it is issued (watermarked, no
 * number, stores nothing: enf_doc_preview). */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2..8 of the case's officers, distinct. */
static int two_officers(const enf_case *k, const json_t *arr)
{
	size_t i, n = 0;
	json_t *v;
	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, v) {
		int64_t id;
		if (yj_id_parse(json_string_value(v), &id) < 0)
			return 0;
		int found = 0;
		for (int j = 0; j < k->nofficers; j++)
			found |= k->officers[j] == id;
		for (size_t j = 0; j < i; j++)
			found &= !json_equal(json_array_get(arr, j), v);
		if (!found)
			return 0;
		n++;
	}
	return n >= 2;
}

static int record_tx(store_conn *c, void *arg)
{
	struct ov_arg *a = arg;
	const json_t *b = a->body;
	const char *kind = enf_str(b, "kind");
	int site = !strcmp(kind, "site_record");
	json_t *row = NULL;
	enf_case k;
	char today[11], actor[21], no[160];
	yj_day_today(today);
	yj_id_format(a->who->user_id, actor);
	int rc = enf_case_load(c, &a->who->scope, a->id, &row, &k);
	if (rc < 0)
		return rc;
	int officer = 0;
	for (int i = 0; i < k.nofficers; i++)
		officer |= k.officers[i] == a->who->user_id;
	if (!officer || (strcmp(k.state, "filed") && strcmp(k.state, "investigating"))) {
		rc = yj_refuse(&a->ref, 409, "transition", "不能制作笔录", "%s",
			       !officer ? "笔录由本案承办人员制作" : "现场笔录、询问笔录在立案后、调查终结前制作");
		goto out;
	}
	if (!site && strcmp(kind, "inquiry_record"))
		yj_refusal_field(&a->ref, "kind", "笔录类别应为 site_record（现场笔录）或 inquiry_record（询问笔录）");
	if (!two_officers(&k, json_object_get(b, "participants")))
		yj_refusal_field(&a->ref, "participants", "请列出在场的本案承办人员，不少于两人（行政处罚法第四十二条）");
	static const char *const need_site[] = {"place", "at", "findings", NULL}, *const need_inq[] = {"interviewee", "at", "qa", NULL};
	for (const char *const *f = site ? need_site : need_inq; *f; f++)
		if (!*enf_str(b, *f))
			yj_refusal_field(&a->ref, *f, "请填写此项");
	if (yj_refusal_has_fields(&a->ref)) {
		rc = yj_refuse_invalid(&a->ref, NULL);
		goto out;
	}
	json_t *data = json_deep_copy(b);
	if ((rc = enf_doc_issue(c, kind, a->id, 0, row, data, 0, actor, NULL, no)) < 0) {
		json_decref(data);
		goto out;
	}
	json_object_set_new(data, "number", json_string(no));
	if ((rc = enf_side_step(c, a->id, row, site ? "record_site" : "record_inquiry", k.state, k.state, actor, today, data)) < 0)
		goto out;
	rc = enf_case_full(c, &a->who->scope, a->id, &a->out);
out:
	json_decref(row);
	return rc;
}

static int record_post(yj_req *r)
{
	struct ov_arg a = {yj_who(r), yj_body(r), NULL, 0, NULL, {0}};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	if (yj_tx_or_reply(r, record_tx, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 201, a.out);
}

/* The kinds an officer may preview on the case page (case_acceptance belongs to the clue). */
static int previewable(const char *k)
{
	static const char *const kinds[] = {"filing_report", "site_record", "inquiry_record", "prior_notice", "hearing_rights_notice",
					    "hearing_notice", "hearing_record", "penalty_decision", "no_penalty_decision",
					    "service_receipt", "payment_reminder", "court_application", "transfer_letter", "supervision_report",
					    "closing_report", NULL};
	for (const char *const *p = kinds; *p; p++)
		if (!strcmp(*p, k))
			return 1;
	return 0;
}

static int preview_post(yj_req *r)
{
	int64_t id;
	json_t *row = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	const char *kind = enf_str(yj_body(r), "kind");
	if (!previewable(kind))
		return yj_reply_problem_errors(r, 422, "validation", "参数错误", "请按字段提示修改后重新提交。",
					       yj_field_errors("kind", "没有这种文书，请从案件页的文书列表中选择"));
	store_conn *c = store_conn_get(yj_store(r));
	int rc = enf_case_load(c, &yj_who(r)->scope, id, &row, NULL);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	unsigned char *pdf = NULL;
	size_t len = 0;
	const json_t *data = json_object_get(yj_body(r), "data");
	rc = enf_doc_preview(c, kind, row, json_is_object(data) ? data : NULL, &pdf, &len);
	json_decref(row);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	yj_add_header(r, "Content-Disposition", "inline; filename=\"preview.pdf\"");
	yj_add_header(r, "Cache-Control", "private, no-store");
	return yj_reply_take(r, 200, "application/pdf", pdf, len);
}

static const yj_field record_body[] = {
	{"kind", F_STRING, 1, 20, "site_record (现场笔录) or inquiry_record (询问笔录)"},
	{"participants", F_ARRAY, 1, 0, "The case's officers present (≥ 2)"},
	{"place", F_STRING, 0, 200, "Where it was taken"},
	{"at", F_STRING, 0, 40, "When (YYYY-MM-DD HH:MM)"},
	{"present", F_STRING, 0, 400, "site_record: the party's people present"},
	{"findings", F_STRING, 0, 8000, "site_record: what was found on site"},
	{"interviewee", F_STRING, 0, 100, "inquiry_record: the person questioned (name only; no ID number)"},
	{"relation", F_STRING, 0, 100, "inquiry_record: their relation to the case (法定代表人, 员工 …)"},
	{"qa", F_STRING, 0, 16000, "inquiry_record: the questions and answers"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field preview_body[] = {
	{"kind", F_STRING, 1, 40, "The document kind (docs/enforcement.md), e.g. penalty_decision"},
	{"data", F_OBJECT, 0, 0, "The fields of the step that would issue it (e.g. the record's or the service's)"},
	{NULL, 0, 0, 0, NULL},
};

const yj_route yj_enf_record_routes[] = {
	{"POST", "/api/v1/cases/{id}/records", record_post, ROLE_INSPECTOR, record_body, NULL, "enforcement",
	 "Take a 现场笔录 or 询问笔录 (two officers; issued as a numbered document and a step of the timeline)", "The case", 201},
	{"POST", "/api/v1/cases/{id}/documents/preview", preview_post, ROLE_INSPECTOR | ROLE_LEADER | ROLE_LEGAL_REVIEWER,
	 preview_body, NULL, "enforcement", "Preview one of the case's documents before it is issued (watermark, no number)",
	 "application/pdf", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
