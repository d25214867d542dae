/* docs_store.c — the SQL of the document facility: the 文号 counters (one row per office, kind code and
 * year, raised in the issuing transaction) and the documents rows. */
#include "docs_int.h"
#include "../../base/base.h"

#include <stdio.h>
#include <string.h>

const yj_table yj_documents_table = {"documents", "region_code", "department", "institution_id IN ({S})"};

int yj_doc_number_next(store_conn *c, const char *office, const char *kind_code, int year, int64_t *seq,
		       char no[YJ_DOC_NO_MAX])
{
	/* One statement takes the row or makes it: PostgreSQL locks the row until the transaction ends
	 * (a second process's upsert waits, then sees the raised value); SQLite's one writer serialises. */
	store_stmt *st = store_prepare(c, "INSERT INTO doc_counters (office, kind_code, year, last_seq) VALUES (?, ?, ?, 1) "
					  "ON CONFLICT (office, kind_code, year) DO UPDATE SET last_seq = doc_counters.last_seq + 1 "
					  "RETURNING last_seq");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, office, -1);
	store_bind_text(st, 2, kind_code, -1);
	store_bind_int64(st, 3, year);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*seq = store_col_int64(st, 0);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_ERR;
	}
	store_finalize(st);
	if (rc == ST_OK && no)
		yj_doc_number_format(office, kind_code, year, *seq, no);
	return rc;
}

int docs_insert(store_conn *c, const docs_row *w)
{
	store_stmt *st = store_prepare(c, "INSERT INTO documents (id, number, office, kind_code, year, seq, kind, title, "
					  "subject_type, subject_id, institution_id, region_code, department, sha256, size, pages, "
					  "model, issued_at, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, w->id);
	store_bind_text(st, 2, w->number, -1);
	store_bind_text(st, 3, w->office, -1);
	store_bind_text(st, 4, w->kind_code, -1);
	store_bind_int64(st, 5, w->year);
	store_bind_int64(st, 6, w->seq);
	store_bind_text(st, 7, w->kind, -1);
	store_bind_text(st, 8, w->title, -1);
	store_bind_text(st, 9, w->subject_type, -1);
	store_bind_text(st, 10, w->subject_id, -1);
	if (w->institution_id)
		store_bind_int64(st, 11, w->institution_id);
	else
		store_bind_null(st, 11);
	store_bind_text(st, 12, w->region_code, -1);
	store_bind_text(st, 13, w->department, -1);
	store_bind_text(st, 14, w->sha256, -1);
	store_bind_int64(st, 15, w->size);
	store_bind_int64(st, 16, w->pages);
	store_bind_text(st, 17, w->model, -1);
	store_bind_int64(st, 18, w->issued_at);
	store_bind_text(st, 19, w->issued_by, -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

#define INFO_COLS                                                                                                    \
	"id, number, kind, title, subject_type, subject_id, institution_id, region_code, department, sha256, size, "  \
	"pages, issued_at, issued_by"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void read_info(store_stmt *st, yj_doc_info *o)
{
	memset(o, 0, sizeof *o);
	o->id = store_col_int64(st, 0);
	copy(o->number, sizeof o->number, store_col_text(st, 1));
	copy(o->kind, sizeof o->kind, store_col_text(st, 2));
	copy(o->title, sizeof o->title, store_col_text(st, 3));
	copy(o->subject_type, sizeof o->subject_type, store_col_text(st, 4));
	copy(o->subject_id, sizeof o->subject_id, store_col_text(st, 5));
	o->institution_id = store_col_is_null(st, 6) ? 0 : store_col_int64(st, 6);
	copy(o->region_code, sizeof o->region_code, store_col_text(st, 7));
	copy(o->department, sizeof o->department, store_col_text(st, 8));
	copy(o->sha256, sizeof o->sha256, store_col_text(st, 9));
	o->size = store_col_int64(st, 10);
	o->pages = (int)store_col_int64(st, 11);
	o->issued_at_ms = store_col_int64(st, 12);
	copy(o->issued_by, sizeof o->issued_by, store_col_text(st, 13));
}

/* Steps st (finalizing it) onto its one row. */
static int one(store_stmt *st, yj_doc_info *out)
{
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		read_info(st, out);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int yj_doc_get(store_conn *c, const yj_scope *sc, int64_t id, yj_doc_info *out)
{
	yj_scope all;
	if (!sc) {
		yj_scope_unrestricted(&all);
		sc = &all;
	}
	store_stmt *st = NULL;
	int rc = yj_q_one_by_id(c, &yj_documents_table, INFO_COLS, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	read_info(st, out);
	store_finalize(st);
	return ST_OK;
}

int yj_doc_by_number(store_conn *c, const char *number, yj_doc_info *out)
{
	store_stmt *st = store_prepare(c, "SELECT " INFO_COLS " FROM documents WHERE number = ?");
	if (st)
		store_bind_text(st, 1, number, -1);
	return one(st, out);
}

int docs_by_sha256(store_conn *c, const char *sha256, yj_doc_info *out)
{
	store_stmt *st = store_prepare(c, "SELECT " INFO_COLS " FROM documents WHERE sha256 = ? ORDER BY id LIMIT 1");
	if (st)
		store_bind_text(st, 1, sha256, -1);
	return one(st, out);
}

int yj_doc_latest_for(store_conn *c, const char *subject_type, const char *subject_id, const char *kind,
		      yj_doc_info *out)
{
	store_stmt *st = store_prepare(c, "SELECT " INFO_COLS " FROM documents WHERE subject_type = ? AND subject_id = ? "
					  "AND kind = ? ORDER BY issued_at DESC, id DESC LIMIT 1");
	if (st) {
		store_bind_text(st, 1, subject_type, -1);
		store_bind_text(st, 2, subject_id, -1);
		store_bind_text(st, 3, kind, -1);
	}
	return one(st, out);
}

int docs_each(store_conn *c, yj_audit_visit_fn visit, void *arg)
{
	store_stmt *st = store_prepare(c, "SELECT " INFO_COLS " FROM documents ORDER BY id");
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		yj_doc_info d;
		read_info(st, &d);
		char id[21];
		snprintf(id, sizeof id, "%lld", (long long)d.id);
		json_t *state = docs_issue_state(&d);
		int stop = visit(arg, id, state);
		json_decref(state);
		if (stop) {
			rc = stop;
			break;
		}
	}
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc;
}
