/* docs.h — the platform's one document facility: every printable 文书 (enforcement documents,
 * inspection records, licences) is a small declarative model (JSON, below) rendered to an A4 PDF with
 * cairo + pango and Debian's Noto CJK fonts; issuing one allocates its 文号 per office, year and kind
 * with no gap and no duplicate, stores the PDF in the attachment store (platform/attach), records
 * the row and appends an audit leaf holding its SHA-256, all in the caller's transaction. An issued
 * document is never rendered again: downloads serve the stored bytes (docs/documents.md).
 *
 * Ownership: json_t arguments are borrowed; byte buffers returned through out-parameters are the
 * caller's (free()); char **err, when set, is the caller's (free()). */
#ifndef YJ_DOCS_H
#define YJ_DOCS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/http.h"
#include "../store/store.h"
#include "../auth/scope.h"

/* ---- the document model ----
 * A document is a JSON object:
 *   {"title": "行政处罚决定书",            required: the centred title
 *    "organ": "温州市鹿城区卫生健康局",     optional: the issuing organ, centred above the title
 *    "blocks": [ … ]}                       required: the body, in order
 * Blocks (each an object with "type"):
 *   {"type": "heading", "text": "一、违法事实"}                    bold line
 *   {"type": "paragraph", "text": "…", "indent": true,             body text; indent (default true)
 *    "align": "left"|"center"|"right"}                             indents the first line two characters
 *   {"type": "fields", "rows": [{"label": "当事人", "value": "…"}]} label/value rows (a record's heading
 *                                                                   part: 当事人、地址、检查时间 …)
 *   {"type": "signature", "organ": "温州市鹿城区卫生健康局",        right-aligned signature block; date
 *    "date": "2026-12-06", "seal": true}                           YYYY-MM-DD printed as 2026年12月6日;
 *                                                                   seal prints （印章） above the date
 *   {"type": "qr", "url": "https://…", "caption": "扫码核验"}       QR code; without "url" it carries the
 *                                                                   document's public verification address
 *   {"type": "image", "png": "iVBORw0KGgo…", "width_mm": 50,        a PNG (base64, ≤ 300 KB) left-aligned,
 *    "caption": "被检查单位签字"}                                  width_mm wide (10–150, default 50), its
 *                                                                   caption on its left
 *   {"type": "space", "lines": 1}                                  blank lines (1–10)
 *   {"type": "page_break"}
 * Text is UTF-8 without control characters except '\n' in paragraphs and field values. Pages break
 * by themselves (between lines); every page carries "第 N 页 共 M 页". */

/* Validates a model. YJ_OK, or YJ_ERR with *err (caller frees) naming the first fault in Chinese
 * with its place, e.g. "blocks[3].text：…". */
int yj_doc_validate(const json_t *model, char **err);

/* ---- rendering (docs_render.c; pure: no store, no clock) ---- */
typedef struct yj_doc_render_opts {
	const char *number;	/* 文号 printed right-aligned under the title; NULL prints none */
	int preview;		/* 1: the 预览/样稿 watermark on every page, and no number */
	int64_t created_ms;	/* the PDF's creation and modification dates (epoch ms): the issue time, so
				 * the same input renders the same bytes */
	const char *verify_url; /* address carried by qr blocks without a "url"; NULL: such blocks print a
				 * placeholder box (a preview) */
} yj_doc_render_opts;

/* Renders model (validated here too) to PDF bytes: *pdf (caller frees) of *len bytes, *pages pages
 * (may be NULL). Thread-safe. YJ_OK, or YJ_ERR with *err (caller frees). */
int yj_doc_render(const json_t *model, const yj_doc_render_opts *o, unsigned char **pdf, size_t *len, int *pages,
		  char **err);

/* Starts preparing the fonts documents are set in (docs_fonts.c: cut once per machine, loaded once per
 * process) in a background thread, so the first document issued does not wait for it inside its
 * transaction. `yijian serve` calls it at start; rendering works without it. */
void yj_doc_warm(void);

/* A preview: rendered with the watermark and no number, at the current time; stores nothing. */
int yj_doc_preview(const json_t *model, unsigned char **pdf, size_t *len, int *pages, char **err);

/* ---- numbering (docs_store.c) ----
 * A number is 机关代字 + 类别代字 + 〔year〕 + sequence + 号: office "温鹿卫", kind code "医罚",
 * 2026, 12 → "温鹿卫医罚〔2026〕12号". One counter row per (office, kind code, year). */
#define YJ_DOC_NO_MAX 160
#define YJ_DOC_CODE_MAX 40 /* bytes of an office or kind code */

/* Formats a number into out. */
void yj_doc_number_format(const char *office, const char *kind_code, int year, int64_t seq, char out[YJ_DOC_NO_MAX]);

/* Takes the next sequence of (office, kind_code, year) inside the caller's write transaction on c:
 * the counter row stays locked until that transaction ends, so concurrent allocations from any
 * number of processes wait for it, and a rolled-back transaction gives its number back (no gap).
 * *seq receives the sequence (from 1), no (may be NULL) the formatted number. ST_OK or a store
 * failure (ST_RETRY is run again by store_tx). */
int yj_doc_number_next(store_conn *c, const char *office, const char *kind_code, int year, int64_t *seq,
		       char no[YJ_DOC_NO_MAX]);

/* ---- issuing ---- */
typedef struct yj_doc_issue_req {
	const char *kind;	  /* document kind, [a-z_]{1,40}: "penalty_decision", "inspection_record", … */
	const char *office;	  /* 机关代字, e.g. "温鹿卫" (at most YJ_DOC_CODE_MAX bytes) */
	const char *kind_code;	  /* 类别代字, e.g. "医罚" (at most YJ_DOC_CODE_MAX bytes) */
	const char *subject_type; /* what the document is about: "enforcement_case", "licence", … */
	const char *subject_id;	  /* its id or key */
	int64_t institution_id;	  /* the institution concerned, or 0: its users may then download it */
	const char *region_code;  /* territory (scope of who may see it) */
	const char *department;	  /* department (scope) */
	const char *issued_by;	  /* actor as in audit leaves: user id, "system", "cli:<name>" */
	int64_t issued_at_ms;	  /* 0: now; its Asia/Shanghai year is the number's year */
	const char *public_url;	  /* base of the verification address in qr blocks ("https://host/"); NULL: none */
	const json_t *model;	  /* the document (borrowed) */
} yj_doc_issue_req;

typedef struct yj_doc_issued {
	int64_t id;
	char number[YJ_DOC_NO_MAX];
	int year;
	int64_t seq;
	char sha256[65];
	int64_t size;
	int pages;
	int64_t issued_at_ms;
} yj_doc_issued;

/* Issues a document inside the caller's write transaction on c (store_tx): allocates its number,
 * renders it, stores the PDF by its SHA-256 in the attachment store, inserts the documents row and
 * appends the audit leaf "document.issue" (state: id, number, kind, subject, sha256, size). On
 * ST_OK *out is filled. An invalid model or request returns YJ_ERR with *err (Chinese, caller frees)
 * before anything is written; store failures are returned as they are (roll back). */
int yj_doc_issue(store_conn *c, const yj_doc_issue_req *req, yj_doc_issued *out, char **err);

/* The issuing organ ("温州市鹿城区卫生健康局") and its 机关代字 ("温鹿卫") of a territory (a town's: its
 * county's), for the documents of any capability (docs_office.c). */
void yj_doc_office_of(store_conn *c, const char *region, char organ[320], char office[48]);

/* The verification address of a number under base ("https://host/"): caller frees. */
char *yj_doc_verify_url(const char *base, const char *number);

/* ---- reading (docs_store.c) ---- */
typedef struct yj_doc_info {
	int64_t id;
	char number[YJ_DOC_NO_MAX];
	char kind[48];
	char title[256];
	char subject_type[48];
	char subject_id[64];
	int64_t institution_id;
	char region_code[16];
	char department[32];
	char sha256[65];
	int64_t size;
	int pages;
	int64_t issued_at_ms;
	char issued_by[64];
} yj_doc_info;

/* The document id in scope sc (NULL: unrestricted). ST_OK, ST_NOTFOUND (absent or out of scope) or a
 * failure. */
int yj_doc_get(store_conn *c, const yj_scope *sc, int64_t id, yj_doc_info *out);
/* The document with this number (no scope: for the public verification). ST_OK, ST_NOTFOUND, failure. */
int yj_doc_by_number(store_conn *c, const char *number, yj_doc_info *out);
/* The latest document of this kind about (subject_type, subject_id), no scope. ST_OK, ST_NOTFOUND, failure. */
int yj_doc_latest_for(store_conn *c, const char *subject_type, const char *subject_id, const char *kind,
		      yj_doc_info *out);

/* Registers the documents with `yijian audit verify --records` (each row's state against its
 * document.issue leaf). The platform module's start hook calls it. */
void yj_doc_records_register(void);

/* A sample 行政处罚决定书 with `paragraphs` paragraphs of facts (at least 1), for `yijian doc render
 * --sample`, the tests and the bench (new reference). */
json_t *yj_doc_sample(int paragraphs);

/* Routes: GET /api/v1/documents/{id}, /api/v1/documents/{id}.pdf, POST /api/v1/documents/preview,
 * GET /api/v1/public/documents/verify. */
extern const yj_route yj_document_routes[];

#endif
