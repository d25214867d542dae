/* docs_api.c — the document facility over HTTP: an issued document's metadata and its PDF (scoped by
 * territory, department and an institution user's own; every download an audit leaf), a preview of a
 * model (rendered, stored nowhere), and the public verification of a 文号 or SHA-256 that the QR code
 * printed on a document points to. */
#define _POSIX_C_SOURCE 200809L
#include "docs_int.h"
#include "../attach/attach.h"
#include "../audit/audit.h"
#include "../../base/base.h"
#include "../../base/date.h"
#include "../../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *info_json(const yj_doc_info *d)
{
	char id[21], at[YJ_INSTANT_LEN], pdf[64];
	yj_id_format(d->id, id);
	yj_instant_format(d->issued_at_ms, 8 * 60, at);
	snprintf(pdf, sizeof pdf, "/api/v1/documents/%s.pdf", id);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:I, s:i, s:s, s:s, s:s}", "id", id, "number",
			 d->number, "kind", d->kind, "title", d->title, "subject_type", d->subject_type, "subject_id",
			 d->subject_id, "institution_id", d->institution_id ? yj_json_id(d->institution_id) : json_null(),
			 "region_code", d->region_code, "department", d->department, "sha256", d->sha256, "size",
			 (json_int_t)d->size, "pages", d->pages, "issued_at", at, "issued_by", d->issued_by, "pdf_url", pdf);
}

/* The document of the path's {id} in the caller's scope into *d; YJ_OK, or replies and YJ_ERR. */
static int doc_or_reply(yj_req *r, yj_doc_info *d)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_ERR;
	int rc = yj_doc_get(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, d);
	if (rc == ST_NOTFOUND) {
		yj_reply_problem(r, 404, "not-found", "未找到该文书",
				 "没有这份文书，或它不在您的辖区和部门范围内；请核对文书编号，或请有权限的同事下载。");
		return YJ_ERR;
	}
	if (rc < 0) {
		yj_reply_store_error(r, rc);
		return YJ_ERR;
	}
	return YJ_OK;
}

static int document_get(yj_req *r)
{
	yj_doc_info d;
	if (doc_or_reply(r, &d) < 0)
		return YJ_OK;
	return yj_reply_json(r, 200, info_json(&d));
}

struct download_arg {
	yj_req *r;
	const yj_doc_info *d;
};

static int download_tx(store_conn *c, void *arg)
{
	struct download_arg *a = arg;
	char actor[21], id[21];
	yj_id_format(yj_who(a->r)->user_id, actor);
	yj_id_format(a->d->id, id);
	json_t *state = json_pack("{s:s, s:s, s:s}", "id", id, "number", a->d->number, "sha256", a->d->sha256);
	yj_audit_event ev = {actor, "document.download", "document", id, a->d->region_code, state};
	int rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static int document_pdf(yj_req *r)
{
	yj_doc_info d;
	if (doc_or_reply(r, &d) < 0)
		return YJ_OK;
	struct download_arg a = {r, &d};
	yj_refusal f = {0};
	if (yj_tx_or_reply(r, download_tx, &a, &f) < 0)
		return YJ_OK;
	/* The stored bytes, never a new rendering: one chunk at a time through an unlinked file. */
	char path[] = "/tmp/yijian-document-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return yj_reply_store_error(r, ST_ERR);
	unlink(path);
	store_conn *c = store_conn_get(yj_store(r));
	int64_t len = 0;
	int rc;
	if ((rc = yj_blob_size(c, d.sha256, &len)) < 0 || (rc = yj_blob_write(c, d.sha256, fd)) < 0) {
		close(fd);
		return yj_reply_store_error(r, rc);
	}
	char disp[256], id[21];
	yj_id_format(d.id, id);
	snprintf(disp, sizeof disp, "attachment; filename=\"document-%s.pdf\"", id);
	yj_add_header(r, "Content-Disposition", disp);
	yj_add_header(r, "Cache-Control", "private, no-store");
	return yj_reply_fd(r, 200, "application/pdf", fd, (size_t)len);
}

static int document_preview(yj_req *r)
{
	const json_t *model = json_object_get(yj_body(r), "model");
	char *err = NULL;
	if (yj_doc_validate(model, &err) < 0) {
		json_t *errors = yj_field_errors("model", err);
		free(err);
		return yj_reply_problem_errors(r, 422, "validation", "文书内容有误", "请按字段提示修改文书内容后重新预览。",
					       errors);
	}
	unsigned char *pdf = NULL;
	size_t len = 0;
	if (yj_doc_preview(model, &pdf, &len, NULL, &err) < 0) {
		free(err);
		return yj_reply_store_error(r, ST_ERR);
	}
	yj_add_header(r, "Content-Disposition", "inline; filename=\"preview.pdf\"");
	return yj_reply_take(r, 200, "application/pdf", pdf, len);
}

static int is_sha256(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int public_verify(yj_req *r)
{
	const char *no = yj_query(r, "no"), *sha = yj_query(r, "sha256");
	if ((!no || !*no) && !sha)
		return yj_reply_problem(r, 400, "validation", "参数错误",
					"请用 no 参数给出文书上印制的文号，或用 sha256 参数给出文件的 SHA-256（64 位小写十六进制）。");
	if (sha && !is_sha256(sha))
		return yj_reply_problem_errors(r, 422, "validation", "参数错误", "请按字段提示修改后重试。",
					       yj_field_errors("sha256", "应为 64 位小写十六进制"));
	if (no && strlen(no) >= YJ_DOC_NO_MAX)
		return yj_reply_problem_errors(r, 422, "validation", "参数错误", "请按字段提示修改后重试。",
					       yj_field_errors("no", "文号过长，请核对"));
	yj_doc_info d;
	store_conn *c = store_conn_get(yj_store(r));
	int rc = no && *no ? yj_doc_by_number(c, no, &d) : docs_by_sha256(c, sha, &d);
	if (rc == ST_NOTFOUND)
		return yj_reply_problem(r, 404, "document-not-found", "未找到该文书",
					"没有与该文号（或文件指纹）对应的已签发文书，请核对文书上印制的文号后重试；"
					"如对文书真伪有疑问，请向签发机关咨询。");
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	char day[11];
	yj_day_of_ms(d.issued_at_ms, day);
	json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I}", "number", d.number, "title", d.title, "kind", d.kind,
				"issued_on", day, "sha256", d.sha256, "pages", d.pages, "size", (json_int_t)d.size);
	/* Given both, the answer says whether the file at hand is the one issued under that number. */
	if (sha)
		json_object_set_new(out, "sha256_matches", json_boolean(!strcmp(sha, d.sha256)));
	return yj_reply_json(r, 200, out);
}

/* ---- routes ---- */

static const yj_field preview_body[] = {
	{"model", F_OBJECT, 1, 0, "The document model (docs/documents.md): {title, organ?, blocks: [...]}"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam verify_q[] = {
	{"no", "The document number (文号) as printed, e.g. 温鹿卫医罚〔2026〕12号"},
	{"sha256", "SHA-256 of the PDF at hand (64 lowercase hex digits); with no, the answer says whether it matches"},
	{NULL, NULL},
};

#define STAFF (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEGAL_REVIEWER | ROLE_LEADER | ROLE_LIAISON)

const yj_route yj_document_routes[] = {
	{"GET", "/api/v1/documents/{id}", document_get, ROLE_ANY, NULL, NULL, "documents",
	 "An issued document's metadata (number, kind, subject, SHA-256), in the caller's scope",
	 "{id, number, kind, title, subject_type, subject_id, institution_id, region_code, department, sha256, size, pages, issued_at, issued_by, pdf_url}", 0},
	{"GET", "/api/v1/documents/{id}.pdf", document_pdf, ROLE_ANY, NULL, NULL, "documents",
	 "An issued document's PDF as stored at issue (audited download), in the caller's scope", "application/pdf", 0},
	{"POST", "/api/v1/documents/preview", document_preview, STAFF, preview_body, NULL, "documents",
	 "Render a document model as a watermarked preview without a number; stores nothing", "application/pdf", 0},
	{"GET", "/api/v1/public/documents/verify", public_verify, ROLE_PUBLIC, NULL, verify_q, "public",
	 "Verify an issued document by its number or SHA-256, without signing in (the printed QR code's target)",
	 "{number, title, kind, issued_on, sha256, pages, size, sha256_matches?}", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
