/* search_store.c — searches of subjects for readers outside the registry (registry.h: the FHIR
 * facade). Attributes become columns here and nowhere else; every statement goes through the scoped
 * query builder, so the caller's territory holds exactly as in /api/v1. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "record.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BINDS 128

/* Each source: its scoped table, the columns read, and the column of each attribute (NULL: none). */
typedef struct src_def {
	const reg_kind *k;  /* NULL: the filing join */
	const char *alias;  /* prefix of the id and name columns */
	const char *changed; /* the last change */
	const char *cols[YJ_RA_PRACTICE_TYPE + 1];
} src_def;

static const src_def sources[] = {
	[YJ_SRC_INSTITUTIONS] = {&yj_institution_kind, "", "updated_at",
				 {[YJ_RA_ID] = "id", [YJ_RA_STATE] = "state", [YJ_RA_INST_TYPE] = "type",
				  [YJ_RA_CREDIT_CODE] = "credit_code", [YJ_RA_LICENCE_NO] = "licence_no",
				  [YJ_RA_INSTITUTION] = "id"}},
	[YJ_SRC_PRACTITIONERS] = {&yj_practitioner_kind, "", "updated_at",
				  {[YJ_RA_ID] = "id", [YJ_RA_STATE] = "state", [YJ_RA_CERT_NO] = "certificate_no",
				   [YJ_RA_INSTITUTION] = "institution_id", [YJ_RA_PRACTITIONER] = "id",
				   [YJ_RA_CATEGORY] = "category", [YJ_RA_PRACTICE_TYPE] = "practice_type"}},
	[YJ_SRC_FILINGS] = {NULL, "p.", "f.created_at",
			    {[YJ_RA_ID] = "f.id", [YJ_RA_STATE] = "p.state", [YJ_RA_INSTITUTION] = "f.institution_id",
			     [YJ_RA_PRACTITIONER] = "f.practitioner_id", [YJ_RA_CATEGORY] = "p.category",
			     [YJ_RA_PRACTICE_TYPE] = "p.practice_type"}},
};

#define FILING_COLUMNS                                                                                         \
	"f.id, f.institution_id, f.start_date, f.end_date, f.created_at, p.id, p.name, p.state, p.category," \
	" p.practice_type"

struct yj_reg_search {
	yj_reg_source src;
	yj_qb *q;
	store_stmt *st;
	/* the open group of alternatives */
	yj_buf alt;
	int open, nb;
	struct {
		int is_int;
		int64_t i;
		char *s;
	} b[MAX_BINDS];
};

yj_reg_search *yj_reg_search_new(yj_reg_source src, const yj_scope *sc)
{
	yj_reg_search *s = yj_calloc(1, sizeof *s);
	s->src = src;
	s->alt = (yj_buf)YJ_BUF_INIT;
	yj_table t;
	const reg_kind *k = sources[src].k;
	if (k)
		yj_reg_table(k, &t);
	else
		yj_reg_filings_view(&t);
	s->q = yj_q_select(&t, k ? yj_reg_columns(k) : FILING_COLUMNS, sc);
	return s;
}

static void drop_binds(yj_reg_search *s)
{
	for (int i = 0; i < s->nb; i++)
		free(s->b[i].s);
	s->nb = 0;
}

void yj_reg_search_free(yj_reg_search *s)
{
	if (!s)
		return;
	drop_binds(s);
	yj_buf_free(&s->alt);
	if (s->q)
		yj_q_free(s->q);
	if (s->st)
		store_finalize(s->st);
	free(s);
}

/* ---- alternatives ---- */

static const char *col(const yj_reg_search *s, yj_reg_attr a)
{
	return a <= YJ_RA_PRACTICE_TYPE ? sources[s->src].cols[a] : NULL;
}

void yj_reg_search_begin(yj_reg_search *s)
{
	yj_buf_reset(&s->alt);
	drop_binds(s);
	s->open = 1;
}

/* Starts one alternative; returns 0 when no bind is left (then it matches nothing). */
static int alt(yj_reg_search *s, int binds)
{
	if (s->alt.len)
		yj_buf_puts(&s->alt, " OR ");
	if (s->nb + binds > MAX_BINDS) {
		yj_buf_puts(&s->alt, "1=0");
		return 0;
	}
	return 1;
}

void yj_reg_search_eq(yj_reg_search *s, yj_reg_attr a, const char *value)
{
	const char *c = col(s, a);
	if (!alt(s, c ? 1 : 0))
		return;
	if (!c) {
		yj_buf_puts(&s->alt, "1=0");
		return;
	}
	yj_buf_printf(&s->alt, "%s = ?", c);
	s->b[s->nb].is_int = 0;
	s->b[s->nb++].s = yj_strdup(value);
}

void yj_reg_search_eq_id(yj_reg_search *s, yj_reg_attr a, int64_t id)
{
	const char *c = col(s, a);
	if (!alt(s, c ? 1 : 0))
		return;
	if (!c) {
		yj_buf_puts(&s->alt, "1=0");
		return;
	}
	yj_buf_printf(&s->alt, "%s = ?", c);
	s->b[s->nb].is_int = 1;
	s->b[s->nb].s = NULL;
	s->b[s->nb++].i = id;
}

void yj_reg_search_present(yj_reg_search *s, yj_reg_attr a)
{
	const char *c = col(s, a);
	alt(s, 0);
	if (c)
		yj_buf_printf(&s->alt, "%s IS NOT NULL", c);
	else
		yj_buf_puts(&s->alt, "1=0");
}

void yj_reg_search_no_longer(yj_reg_search *s)
{
	alt(s, 0);
	yj_buf_printf(&s->alt, "%s IN ('revoked', 'closed')", col(s, YJ_RA_STATE));
}

void yj_reg_search_any(yj_reg_search *s)
{
	alt(s, 0);
	yj_buf_puts(&s->alt, "1=1");
}

void yj_reg_search_none(yj_reg_search *s)
{
	alt(s, 0);
	yj_buf_puts(&s->alt, "1=0");
}

void yj_reg_search_end(yj_reg_search *s)
{
	if (!s->open)
		return;
	yj_q_where(s->q, s->alt.len ? s->alt.data : "1=0");
	for (int i = 0; i < s->nb; i++) {
		if (s->b[i].is_int)
			yj_q_int(s->q, s->b[i].i);
		else
			yj_q_text(s->q, s->b[i].s);
	}
	drop_binds(s);
	yj_buf_reset(&s->alt);
	s->open = 0;
}

/* ---- whole conditions ---- */

void yj_reg_search_active(yj_reg_search *s, int yes, const char *today)
{
	if (s->src != YJ_SRC_FILINGS) {
		yj_q_where(s->q, yes ? "state = 'active'" : "state <> 'active'");
		return;
	}
	yj_q_where(s->q, yes ? "p.state = 'active' AND (f.end_date IS NULL OR f.end_date >= ?)"
			     : "NOT (p.state = 'active' AND (f.end_date IS NULL OR f.end_date >= ?))");
	yj_q_text(s->q, today);
}

void yj_reg_search_name(yj_reg_search *s, const char *text)
{
	const reg_kind *k = sources[s->src].k ? sources[s->src].k : &yj_practitioner_kind;
	yj_reg_name_filter(s->q, k, sources[s->src].alias, text);
}

/* The length in characters of the family name, as the caller's split decides it. */
static void famlen_sql(yj_buf *b, const char *name, const char *const *compound)
{
	yj_buf_printf(b, "(CASE WHEN substr(%s, 1, 2) IN (", name);
	for (const char *const *c = compound; *c; c++)
		yj_buf_printf(b, "%s'%s'", c == compound ? "" : ", ", *c);
	yj_buf_puts(b, ") THEN 2 ELSE 1 END)");
}

static char *like_prefix(const char *v)
{
	yj_buf pat = YJ_BUF_INIT;
	for (const char *p = v; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			yj_buf_append(&pat, "\\", 1);
		yj_buf_append(&pat, p, 1);
	}
	yj_buf_puts(&pat, "%");
	return yj_buf_detach(&pat);
}

static void split_name_cond(yj_reg_search *s, int family, const char *prefix, size_t len,
			    const char *const *compound)
{
	const src_def *d = &sources[s->src];
	const char *name = (d->k ? d->k : &yj_practitioner_kind)->name_field;
	char qname[64];
	snprintf(qname, sizeof qname, "%s%s", d->alias, name);
	if (family)
		yj_reg_search_name(s, prefix); /* narrows through the bigram index */
	yj_buf c = YJ_BUF_INIT;
	/* Names with a separator are not split: they have no family or given name. */
	yj_buf_printf(&c, "%s NOT LIKE '%%\xC2\xB7%%' AND %s NOT LIKE '%% %%' AND ", qname, qname);
	char *pat = like_prefix(prefix);
	if (family) {
		yj_buf_printf(&c, "%s LIKE ? ESCAPE '\\' AND ? <= ", qname);
		famlen_sql(&c, qname, compound);
		yj_q_where(s->q, c.data);
		yj_q_text(s->q, pat);
		yj_q_int(s->q, (int64_t)len);
	} else {
		yj_buf_printf(&c, "substr(%s, ", qname);
		famlen_sql(&c, qname, compound);
		yj_buf_puts(&c, " + 1) LIKE ? ESCAPE '\\'");
		yj_q_where(s->q, c.data);
		yj_q_text(s->q, pat);
	}
	free(pat);
	yj_buf_free(&c);
}

void yj_reg_search_family(yj_reg_search *s, const char *prefix, size_t len, const char *const *compound)
{
	split_name_cond(s, 1, prefix, len, compound);
}

void yj_reg_search_given(yj_reg_search *s, const char *prefix, const char *const *compound)
{
	split_name_cond(s, 0, prefix, 0, compound);
}

void yj_reg_search_changed(yj_reg_search *s, enum yj_reg_when w, int64_t lo, int64_t hi)
{
	const char *c = sources[s->src].changed;
	char sql[128];
	switch (w) {
	case YJ_RS_IN:
	case YJ_RS_OUT:
		snprintf(sql, sizeof sql, w == YJ_RS_IN ? "%s >= ? AND %s < ?" : "%s < ? OR %s >= ?", c, c);
		yj_q_where(s->q, sql);
		yj_q_int(s->q, lo);
		yj_q_int(s->q, hi);
		return;
	case YJ_RS_FROM:
	case YJ_RS_BEFORE:
		snprintf(sql, sizeof sql, "%s %s ?", c, w == YJ_RS_FROM ? ">=" : "<");
		yj_q_where(s->q, sql);
		yj_q_int(s->q, lo);
		return;
	}
}

/* ---- running ---- */

static int prepare(yj_reg_search *s, store_conn *c)
{
	yj_reg_search_end(s);
	s->st = yj_q_prepare(s->q, c);
	s->q = NULL;
	return s->st ? ST_OK : ST_ERR;
}

int yj_reg_search_by_id(yj_reg_search *s, store_conn *c, int64_t after, int limit)
{
	const char *id = sources[s->src].cols[YJ_RA_ID];
	char sql[64];
	snprintf(sql, sizeof sql, "%s > ?", id);
	yj_q_where(s->q, sql);
	yj_q_int(s->q, after);
	snprintf(sql, sizeof sql, "ORDER BY %s LIMIT ?", id);
	yj_q_tail(s->q, sql);
	yj_q_int(s->q, limit);
	return prepare(s, c);
}

int yj_reg_search_by_change(yj_reg_search *s, store_conn *c, int64_t since, int cursor, int64_t cts, int64_t cid,
			    int limit)
{
	const char *id = sources[s->src].cols[YJ_RA_ID], *ts = sources[s->src].changed;
	char sql[160];
	snprintf(sql, sizeof sql, "%s >= ?", ts);
	yj_q_where(s->q, sql);
	yj_q_int(s->q, since);
	if (cursor) {
		snprintf(sql, sizeof sql, "%s < ? OR (%s = ? AND %s < ?)", ts, ts, id);
		yj_q_where(s->q, sql);
		yj_q_int(s->q, cts), yj_q_int(s->q, cts), yj_q_int(s->q, cid);
	}
	snprintf(sql, sizeof sql, "ORDER BY %s DESC, %s DESC LIMIT ?", ts, id);
	yj_q_tail(s->q, sql);
	yj_q_int(s->q, limit);
	return prepare(s, c);
}

int yj_reg_search_one(yj_reg_search *s, store_conn *c, int64_t id)
{
	char sql[64];
	snprintf(sql, sizeof sql, "%s = ?", sources[s->src].cols[YJ_RA_ID]);
	yj_q_where(s->q, sql);
	yj_q_int(s->q, id);
	return prepare(s, c);
}

static json_t *filing_row(store_stmt *st)
{
	char fid[21], iid[21], pid[21];
	yj_id_format(store_col_int64(st, 0), fid);
	yj_id_format(store_col_int64(st, 1), iid);
	yj_id_format(store_col_int64(st, 5), pid);
	json_t *f = json_pack("{s:s, s:s, s:s, s:I}", "id", fid, "institution_id", iid, "start_date", store_col_text(st, 2),
			      "created_at", (json_int_t)store_col_int64(st, 4));
	json_object_set_new(f, "end_date", store_col_is_null(st, 3) ? json_null() : json_string(store_col_text(st, 3)));
	json_object_set_new(f, "practitioner",
			    json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", pid, "name", store_col_text(st, 6), "state",
				      store_col_text(st, 7), "category", store_col_text(st, 8), "practice_type",
				      store_col_text(st, 9)));
	return f;
}

int yj_reg_search_next(yj_reg_search *s, yj_reg_hit *hit)
{
	if (!s->st)
		return ST_ERR;
	int rc = store_step(s->st);
	if (rc != ST_ROW)
		return rc;
	hit->id = store_col_int64(s->st, 0);
	const reg_kind *k = sources[s->src].k;
	if (!k) {
		hit->rec = filing_row(s->st);
		hit->changed = store_col_int64(s->st, 4);
		hit->version = 1;
		return ST_ROW;
	}
	hit->rec = yj_reg_row(k, s->st);
	hit->version = json_integer_value(json_object_get(hit->rec, "version"));
	hit->changed = json_integer_value(json_object_get(hit->rec, "updated_at"));
	return ST_ROW;
}
