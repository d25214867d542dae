/* docs_int.h — what the document facility's own files share: the documents row written at issue and
 * the scoped table declaration. Not for other modules (they include docs.h). */
#ifndef YJ_DOCS_INT_H
#define YJ_DOCS_INT_H

#include "docs.h"
#include "../store/query.h"
#include "../audit/audit.h"

/* The documents table for the query layer: territory, department, and an institution user's own. */
extern const yj_table yj_documents_table;

/* The row of an issued document (strings borrowed for the call). */
typedef struct docs_row {
	int64_t id;
	const char *number, *office, *kind_code;
	int year;
	int64_t seq;
	const char *kind, *title, *subject_type, *subject_id;
	int64_t institution_id; /* 0: NULL */
	const char *region_code, *department, *sha256;
	int64_t size;
	int pages;
	const char *model; /* canonical JSON */
	int64_t issued_at;
	const char *issued_by;
} docs_row;

/* Inserts the row, inside the caller's write transaction. ST_OK, ST_CONFLICT or a failure. */
int docs_insert(store_conn *c, const docs_row *row);
/* The document with this SHA-256 (no scope: the public verification). ST_OK, ST_NOTFOUND, failure. */
int docs_by_sha256(store_conn *c, const char *sha256, yj_doc_info *out);

/* The state a document.issue leaf hashes (new reference): id, number, kind, subject, sha256, size,
 * pages, issued_at — issue and the records check build it here, so they cannot differ. */
json_t *docs_issue_state(const yj_doc_info *d);
/* Calls visit(arg, id, docs_issue_state) for every document (ST_OK, visit's non-zero return, or a failure). */
int docs_each(store_conn *c, yj_audit_visit_fn visit, void *arg);

/* ---- fonts (docs_fonts.c) ---- */
#include <pango/pangocairo.h>
/* A new layout on cr whose fonts embed fast (the cut Noto faces; the full ones when the cut failed).
 * Caller unrefs. Thread-safe. */
PangoLayout *docs_layout_new(cairo_t *cr);
/* The family list to set text in: serif (body) or sans (headings, page numbers). Static storage. */
const char *docs_family(int sans);

#endif
