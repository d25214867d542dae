/* docs.c — issuing a document (docs.h): checks the request, takes the 文号, renders with it, stores the
 * PDF by its SHA-256, records the row and appends the audit leaf, all in the caller's transaction so
 * a failure anywhere gives the number back. Also the number's and the verification address's form. */
#include "docs_int.h"
#include "../attach/attach.h"
#include "../audit/audit.h"
#include "../../base/base.h"
#include "../../base/date.h"
#include "../../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void yj_doc_number_format(const char *office, const char *kind_code, int year, int64_t seq, char out[YJ_DOC_NO_MAX])
{
	snprintf(out, YJ_DOC_NO_MAX, "%s%s〔%d〕%lld号", office, kind_code, year, (long long)seq);
}

char *yj_doc_verify_url(const char *base, const char *number)
{
	yj_buf b = YJ_BUF_INIT;
	yj_buf_puts(&b, base);
	if (!b.len || b.data[b.len - 1] != '/')
		yj_buf_puts(&b, "/");
	yj_buf_puts(&b, "api/v1/public/documents/verify?no=");
	for (const unsigned char *p = (const unsigned char *)number; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			yj_buf_append(&b, p, 1);
		else
			yj_buf_printf(&b, "%%%02X", *p);
	}
	return yj_buf_detach(&b);
}

/* A code: 1..YJ_DOC_CODE_MAX bytes of valid UTF-8 without ASCII punctuation, space or controls (it is
 * printed inside the number). */
static int code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > YJ_DOC_CODE_MAX || !yj_utf8_valid(s, n))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || (*p < 0x80 && !((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z'))))
			return 0;
	return 1;
}

static int word_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > max)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == ':' ||
		      *p == '-'))
			return 0;
	return 1;
}

static int req_ok(const yj_doc_issue_req *q, char **err)
{
	const char *why = NULL;
	if (!word_ok(q->kind, 40))
		why = "kind：文书种类应为 1 到 40 个小写字母、数字或下划线";
	else if (!code_ok(q->office))
		why = "office：机关代字应为 1 到 40 字节，不含空格和标点";
	else if (!code_ok(q->kind_code))
		why = "kind_code：类别代字应为 1 到 40 字节，不含空格和标点";
	else if (!word_ok(q->subject_type, 47) || !q->subject_id || !*q->subject_id || strlen(q->subject_id) > 63)
		why = "subject：请指明文书所属对象的类型和编号";
	else if (!q->region_code || strlen(q->region_code) < 6 || strlen(q->region_code) > 12 ||
		 strspn(q->region_code, "0123456789") != strlen(q->region_code))
		why = "region_code：请给出文书所属的行政区划代码";
	else if (!q->department || !*q->department || strlen(q->department) > 31)
		why = "department：请给出文书所属的部门";
	else if (!q->issued_by || !*q->issued_by || strlen(q->issued_by) > 63)
		why = "issued_by：请给出签发人";
	if (why) {
		*err = yj_strdup(why);
		return YJ_ERR;
	}
	return yj_doc_validate(q->model, err);
}

json_t *docs_issue_state(const yj_doc_info *d)
{
	char id[21];
	yj_id_format(d->id, id);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:I}", "id", id, "number", d->number, "kind", d->kind,
			 "subject_type", d->subject_type, "subject_id", d->subject_id, "sha256", d->sha256, "size",
			 (json_int_t)d->size, "pages", d->pages, "issued_at", (json_int_t)d->issued_at_ms);
}

/* `yijian audit verify --records`: every document's row against its document.issue leaf, so a SHA-256
 * changed in the table (a PDF swapped) shows. */
static int each_document(store_conn *c, const void *ctx, yj_audit_visit_fn visit, void *arg)
{
	(void)ctx;
	return docs_each(c, visit, arg);
}

void yj_doc_records_register(void)
{
	static const char *const actions[] = {"document.issue", NULL};
	static const yj_audit_records hook = {"document", actions, each_document, NULL};
	yj_audit_records_register(&hook);
}

int yj_doc_issue(store_conn *c, const yj_doc_issue_req *req, yj_doc_issued *out, char **err)
{
	*err = NULL;
	memset(out, 0, sizeof *out);
	if (req_ok(req, err) < 0)
		return YJ_ERR;
	int64_t at = req->issued_at_ms ? req->issued_at_ms : yj_now_ms();
	int y, m, d;
	yj_civil_from_days(yj_day_of_instant(at, 8 * 60), &y, &m, &d);

	unsigned char *pdf = NULL;
	size_t len = 0;
	char *url = NULL, *model = NULL;
	json_t *state = NULL;
	int rc = yj_doc_number_next(c, req->office, req->kind_code, y, &out->seq, out->number);
	if (rc < 0)
		goto done;
	url = req->public_url ? yj_doc_verify_url(req->public_url, out->number) : NULL;
	yj_doc_render_opts o = {.number = out->number, .preview = 0, .created_ms = at, .verify_url = url};
	if (yj_doc_render(req->model, &o, &pdf, &len, &out->pages, err) < 0) {
		rc = ST_ERR;
		goto done;
	}
	if ((rc = yj_blob_put(c, pdf, len, out->sha256)) < 0)
		goto done;
	out->id = yj_id_new();
	out->year = y;
	out->size = (int64_t)len;
	out->issued_at_ms = at;
	model = yj_json_canonical(req->model);
	docs_row row = {out->id, out->number, req->office, req->kind_code, y, out->seq, req->kind,
			json_string_value(json_object_get(req->model, "title")), req->subject_type, req->subject_id,
			req->institution_id, req->region_code, req->department, out->sha256, out->size, out->pages, model, at,
			req->issued_by};
	if ((rc = docs_insert(c, &row)) < 0)
		goto done;
	char id[21];
	yj_id_format(out->id, id);
	yj_doc_info info = {.id = out->id, .size = out->size, .pages = out->pages, .issued_at_ms = at};
	snprintf(info.number, sizeof info.number, "%s", out->number);
	snprintf(info.kind, sizeof info.kind, "%s", req->kind);
	snprintf(info.subject_type, sizeof info.subject_type, "%s", req->subject_type);
	snprintf(info.subject_id, sizeof info.subject_id, "%s", req->subject_id);
	snprintf(info.sha256, sizeof info.sha256, "%s", out->sha256);
	state = docs_issue_state(&info);
	yj_audit_event ev = {req->issued_by, "document.issue", "document", id, req->region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
done:
	json_decref(state);
	free(model);
	free(url);
	free(pdf);
	return rc;
}
