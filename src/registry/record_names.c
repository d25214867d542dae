/* record_names.c — the name index of registry records: each name's distinct character bigrams and its
 * last character in name_grams as numbers (kind, first and second code point in one BIGINT), written
 * with the record; the substring filter that narrows through it before LIKE confirms
 * (yj_reg_name_filter); the name search's page as a walk of one posting list with a plan no value
 * can change, or of the kind's table for common single characters (reg_name_walk_page, PostgreSQL); and
 * the index rebuilt from every record (reg_names_reindex, migration 0007). Many records' grams at once
 * — an import's, the rebuild's — go in one sweep in key order: name_sweep.c. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A code point's bits in a gram (Unicode ends below 2^21). */
#define YJ_GRAM_CHAR_MASK 0x1FFFFF


/* Splits s into code points: starts[0..n-1] begin them and starts[n] ends the last; at most cap. */
static size_t code_points(const char *s, const char **starts, size_t cap)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (; *p && n < cap; n++) {
		starts[n] = (const char *)p;
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
	}
	starts[n] = (const char *)p;
	return n;
}

/* The code point of the UTF-8 sequence [p, end): the lead byte's bits, then six per continuation byte.
 * Malformed input still gets a number below 2^21 (the same bytes always the same one): a gram shared
 * by mistake with another name costs a probe, LIKE confirms. */
static int64_t code_point(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	int64_t v = u[0] < 0x80 ? u[0] : u[0] < 0xE0 ? u[0] & 0x1F : u[0] < 0xF0 ? u[0] & 0x0F : u[0] & 0x07;
	for (u++; u < (const unsigned char *)end; u++)
		v = ((v << 6) | (*u & 0x3F)) & YJ_GRAM_CHAR_MASK;
	return v;
}

/* The kind's part of its grams: 1 + its place in yj_reg_kinds (record.h: that order is persisted), in
 * the bits above the two code points; 0 for a kind outside the list (practice filings: no name index). */
#define YJ_GRAM_KIND_SHIFT 42

static int64_t kind_code(const reg_kind *k)
{
	for (int i = 0; i < YJ_NKINDS; i++)
		if (yj_reg_kinds[i] == k)
			return (int64_t)(i + 1) << YJ_GRAM_KIND_SHIFT;
	return 0;
}

void reg_gram_kind_range(const reg_kind *k, int64_t *lo, int64_t *hi)
{
	*lo = kind_code(k);
	*hi = *lo + ((int64_t)1 << YJ_GRAM_KIND_SHIFT) - 1;
}

/* A gram: the kind's code, the first code point and the second (0: the name's last character). */
static int64_t gram_of(int64_t kind, int64_t a, int64_t b)
{
	return kind | a << 21 | b;
}

/* Adds the grams of name (a record of kind k) for record id: each distinct bigram of consecutive code
 * points and one gram for the last character, the duplicates (a name repeats few bigrams) found by
 * comparing with the name's earlier grams. A one-character word is then in a name when some gram
 * starts with it — a bigram, or the last character's — so no other single character needs a row
 * (they were half of all rows). Its output for a name must not change between versions: a rename
 * deletes the grams it gives for the old name (reg_index_name). */
void reg_gram_rows_add(reg_gram_rows *r, const reg_kind *k, const char *name, int64_t id)
{
	const char *cp[257];
	size_t n = code_points(name, cp, 256), first = r->n;
	int64_t kind = kind_code(k), a = n ? code_point(cp[0], cp[1]) : 0;
	for (size_t i = 0; i < n; i++) {
		int64_t b = i + 1 < n ? code_point(cp[i + 1], cp[i + 2]) : 0, g = gram_of(kind, a, b);
		int dup = 0;
		for (size_t j = first; j < r->n && !dup; j++)
			dup = r->v[j].gram == g;
		a = b;
		if (dup)
			continue;
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 256;
			r->v = yj_realloc(r->v, r->cap * sizeof *r->v);
		}
		r->v[r->n++] = (reg_gram_row){g, id};
	}
}

static int i64_cmp(int64_t x, int64_t y)
{
	return (x > y) - (x < y);
}

static int gram_cmp(const void *a, const void *b)
{
	const reg_gram_row *x = a, *y = b;
	return x->gram != y->gram ? i64_cmp(x->gram, y->gram) : i64_cmp(x->id, y->id);
}

static int bind_gram(store_stmt *st, int idx, size_t row, void *arg)
{
	reg_gram_rows *r = arg;
	store_bind_int64(st, idx++, r->v[row].gram);
	store_bind_int64(st, idx++, r->v[row].id);
	return idx;
}

static int write_grams(store_conn *c, reg_gram_rows *r, int async)
{
	return (async ? reg_insert_rows_async : reg_insert_rows)(c, "name_grams", "gram, object_id", 2, r->n,
								 bind_gram, r);
}

/* The rows of r whose gram other does not hold, into out (in r's order). */
static void gram_rows_minus(reg_gram_rows *out, const reg_gram_rows *r, const reg_gram_rows *other)
{
	*out = (reg_gram_rows){.v = yj_calloc(r->n + 1, sizeof *out->v)};
	for (size_t i = 0; i < r->n; i++) {
		int both = 0;
		for (size_t j = 0; j < other->n && !both; j++)
			both = r->v[i].gram == other->v[j].gram;
		if (!both)
			out->v[out->n++] = r->v[i];
	}
}

/* Deletes r's rows of record id, by their key: a few hundred grams a statement at most. */
static int delete_grams(store_conn *c, const reg_gram_rows *r, int64_t id)
{
	enum { CHUNK = 128 };
	int rc = ST_OK;
	for (size_t at = 0; at < r->n && rc >= 0; at += CHUNK) {
		size_t m = r->n - at < CHUNK ? r->n - at : CHUNK;
		yj_buf sql = YJ_BUF_INIT;
		yj_buf_puts(&sql, "DELETE FROM name_grams WHERE object_id = ? AND gram IN (");
		for (size_t i = 0; i < m; i++)
			yj_buf_puts(&sql, i ? ", ?" : "?");
		yj_buf_puts(&sql, ")");
		store_stmt *st = store_prepare(c, sql.data);
		yj_buf_free(&sql);
		if (!st)
			return ST_ERR;
		store_bind_int64(st, 1, id);
		for (size_t i = 0; i < m; i++)
			store_bind_int64(st, 2 + (int)i, r->v[at + i].gram);
		rc = reg_step_done(st);
	}
	return rc;
}

/* A record's old grams are found again from its old name rather than through an index on
 * object_id: that index was a third B-tree written for every gram of every import for the rare
 * rename. This holds only while gram_rows_add gives a name the same grams it gave when the record
 * was written — keep its output stable (code points as they are, no folding or normalising that
 * could change); a change to it needs a migration that rebuilds name_grams (as 0007 did). A gram
 * left behind by a change is harmless to answers (LIKE confirms every candidate), it costs a wasted
 * probe. */
int reg_index_name(store_conn *c, const reg_kind *k, int64_t id, const char *old_name, const char *name)
{
	if (!old_name)
		return name ? reg_index_names_fresh(c, k, &id, &name, 1, 0) : ST_OK;
	/* Only the grams that differ: a renamed record keeps most of them. */
	reg_gram_rows old = {0}, now = {0}, gone, added;
	reg_gram_rows_add(&old, k, old_name, id);
	if (name)
		reg_gram_rows_add(&now, k, name, id);
	gram_rows_minus(&gone, &old, &now);
	gram_rows_minus(&added, &now, &old);
	int rc = delete_grams(c, &gone, id);
	if (rc >= 0 && added.n)
		rc = write_grams(c, &added, 0);
	free(gone.v);
	free(added.v);
	free(old.v);
	free(now.v);
	return rc;
}

/* The grams of a run of new records, made where no connection is needed (an import's preparing
 * thread, record_bulk.c) and written by reg_index_grams on the connection's. */
struct reg_grams {
	reg_gram_rows r;
};

reg_grams *reg_grams_make(const reg_kind *k, const int64_t *ids, const char *const *names, size_t n)
{
	reg_grams *g = yj_calloc(1, sizeof *g);
	for (size_t i = 0; i < n; i++)
		if (names[i])
			reg_gram_rows_add(&g->r, k, names[i], ids[i]);
	return g;
}

void reg_grams_free(reg_grams *g)
{
	if (!g)
		return;
	free(g->r.v);
	free(g);
}

int reg_index_grams(store_conn *c, reg_grams *g, int async)
{
	reg_gram_rows *r = &g->r;
	if (reg_names_defer_take(c, r))
		return ST_OK; /* held for a sweep in key order (name_sweep.c; the gram carries the kind) */
	/* In key order: each statement then inserts into the primary key's B-tree along one path rather
	 * than at scattered pages (the names of a batch share most of their grams). */
	if (r->n > 1)
		qsort(r->v, r->n, sizeof *r->v, gram_cmp);
	return write_grams(c, r, async);
}

int reg_index_names_fresh(store_conn *c, const reg_kind *k, const int64_t *ids, const char *const *names, size_t n,
			  int async)
{
	/* All grams of all the names in multi-row INSERTs: one round trip on PostgreSQL per few
	 * hundred grams instead of one per gram (or per name). */
	reg_grams *g = reg_grams_make(k, ids, names, n);
	int rc = reg_index_grams(c, g, async);
	reg_grams_free(g);
	return rc;
}

/* Grams lo..hi of the index: one gram (lo = hi) or a one-character word's range. */
typedef struct gram_range {
	int64_t lo, hi;
} gram_range;

/* The grams that narrow a word of a search of kind k, into g, their count returned (0 for an empty
 * word): a word of two characters or more by its first and its last bigram (lo = hi); one character X
 * by every gram that starts with it — the bigrams X· and the last-character gram (X, 0) — which is one
 * range of the key: (kind, X, 0..2^21-1). Why not more grams: each is one more semi-join for PostgreSQL to plan where the list is planned with its
 * values at every execution (store_plan_each) — three grams took 0.9 ms to plan and 0.5 ms to run
 * where two took 0.37 and 0.11 (docs/benchmarks.md, "What planning each list with its values costs
 * the search"); LIKE confirms the rest. */
static int word_grams(const reg_kind *k, const char *text, gram_range g[2])
{
	const char *cp[65];
	size_t n = code_points(text, cp, 64);
	int64_t kind = kind_code(k);
	if (n == 0)
		return 0;
	int64_t a = code_point(cp[0], cp[1]);
	if (n == 1) {
		g[0] = (gram_range){gram_of(kind, a, 0), gram_of(kind, a, YJ_GRAM_CHAR_MASK)};
		return 1;
	}
	int64_t first = gram_of(kind, a, code_point(cp[1], cp[2]));
	g[0] = (gram_range){first, first};
	if (n == 2)
		return 1;
	int64_t last = gram_of(kind, code_point(cp[n - 2], cp[n - 1]), code_point(cp[n - 1], cp[n]));
	g[1] = (gram_range){last, last};
	return 2;
}

/* The grams may occur apart; LIKE confirms the contiguous substring: "%word%", LIKE's own characters
 * escaped. */
static void word_like(yj_qb *q, const reg_kind *k, const char *alias, const char *text)
{
	yj_buf pat = YJ_BUF_INIT, cond = YJ_BUF_INIT;
	yj_buf_puts(&pat, "%");
	for (const char *p = text; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			yj_buf_append(&pat, "\\", 1);
		yj_buf_append(&pat, p, 1);
	}
	yj_buf_puts(&pat, "%");
	yj_buf_printf(&cond, "%s%s LIKE ? ESCAPE '\\'", alias, k->name_field);
	yj_q_where(q, cond.data);
	yj_q_text(q, pat.data);
	yj_buf_free(&pat);
	yj_buf_free(&cond);
}

static void name_word_filter(yj_qb *q, const reg_kind *k, const char *alias, const char *text)
{
	gram_range g[2];
	int ng = word_grams(k, text, g);
	if (ng == 0)
		return;
	/* One IN per gram rather than an INTERSECT: a bigram's subquery is unique on object_id (the key
	 * of name_grams with the gram fixed), so PostgreSQL joins the posting lists in id order and stops
	 * at the page's end; an INTERSECT is computed whole before the first row comes out. A range (one
	 * character) holds a record once per gram of it that the name has: a semi-join all the same. */
	yj_buf cond = YJ_BUF_INIT;
	for (int i = 0; i < ng; i++)
		yj_buf_printf(&cond, "%s%sid IN (SELECT object_id FROM name_grams WHERE %s)", i ? " AND " : "", alias,
			      g[i].lo == g[i].hi ? "gram = ?" : "gram BETWEEN ? AND ?");
	yj_q_where(q, cond.data);
	for (int i = 0; i < ng; i++) {
		yj_q_int(q, g[i].lo);
		if (g[i].lo != g[i].hi)
			yj_q_int(q, g[i].hi);
	}
	yj_buf_free(&cond);
	word_like(q, k, alias, text);
}

/* Calls fn for each word of text, split at ASCII and ideographic spaces (U+3000), at most four: "鹿城
 * 中医" finds names holding both, in any order, as a person types them. */
static void each_word(const char *text, void (*fn)(const char *word, void *arg), void *arg)
{
	char *copy = yj_strdup(text), *p = copy;
	int words = 0;
	while (*p && words < 4) {
		while (*p == ' ' || *p == '\t' || !strncmp(p, "\xe3\x80\x80", 3))
			p += *p == ' ' || *p == '\t' ? 1 : 3;
		if (!*p)
			break;
		char *w = p;
		while (*p && *p != ' ' && *p != '\t' && strncmp(p, "\xe3\x80\x80", 3))
			p++;
		char keep = *p;
		*p = '\0';
		fn(w, arg);
		words++;
		*p = keep;
	}
	free(copy);
}

struct filter_arg {
	yj_qb *q;
	const reg_kind *k;
	const char *alias;
};

static void filter_word(const char *word, void *arg)
{
	struct filter_arg *a = arg;
	name_word_filter(a->q, a->k, a->alias, word);
}

void yj_reg_name_filter(yj_qb *q, const reg_kind *k, const char *alias, const char *text)
{
	struct filter_arg a = {q, k, alias};
	each_word(text, filter_word, &a);
}

/* ---- the name walk: a search page whose plan no value can change ---- */

/* The bigrams and the words of a search, the first bigram the one whose posting list is walked; a
 * one-character word adds no gram (its grams are a range of the key, not one posting list in id
 * order): LIKE alone confirms it on the rows the walk reads. first_char: the range of the first
 * one-character word, when there is one. */
struct walk {
	const reg_kind *k;
	int64_t grams[8];
	int ng;
	char *words[4];
	int nw;
	gram_range first_char;
	int has_char;
};

static void walk_word(const char *word, void *arg)
{
	struct walk *w = arg;
	gram_range g[2];
	int n = word_grams(w->k, word, g);
	if (n == 1 && g[0].lo != g[0].hi) {
		if (!w->has_char++)
			w->first_char = g[0];
	} else
		for (int i = 0; i < n; i++)
			w->grams[w->ng++] = g[i].lo;
	if (n)
		w->words[w->nw++] = yj_strdup(word);
}

static void walk_free(struct walk *w)
{
	for (int i = 0; i < w->nw; i++)
		free(w->words[i]);
}

/* A character with at least this many grams in the index is common enough that the kind's table
 * walked in id order under LIKE finds a page sooner than the range sorted by id (docs/benchmarks.md,
 * "Issue 15: the name index as numeric bigrams"); fewer, and the range joined by key is quicker. */
enum { COMMON_CHAR = 2000 };

/* 1 when the range g holds COMMON_CHAR grams or more (read no further), 0 when fewer, or a failure. */
static int range_common(store_conn *c, gram_range g)
{
	int64_t n = 0;
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM (SELECT 1 FROM name_grams WHERE gram BETWEEN ? AND ? "
					  "LIMIT ?) s");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, g.lo);
	store_bind_int64(st, 2, g.hi);
	store_bind_int64(st, 3, COMMON_CHAR);
	int rc = store_step(st);
	if (rc == ST_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	return rc != ST_ROW ? (rc < 0 ? rc : ST_ERR) : n >= COMMON_CHAR;
}

int reg_name_walk_fits(store_conn *c, const reg_kind *k, const yj_scope *sc, const char *text)
{
	if (strcmp(store_conn_engine(c), "postgresql"))
		return 0;
	/* A province (or all of them): most rows are in scope, so the walk stops after about a page of
	 * posting entries. A narrower scope may skip most of the posting list: planned with its values. */
	if (!sc->unrestricted && (sc->subject_bound || strlen(sc->region_prefix) > 2))
		return 0;
	struct walk w = {.k = k};
	each_word(text, walk_word, &w);
	/* Words of one character only: the table's walk when the first is common; a rare one's range is
	 * small and planned with its values (the filter's path) joins it by key. */
	int fits = w.ng > 0 || (w.has_char && range_common(c, w.first_char) == 1);
	walk_free(&w);
	return fits;
}

/* The kind's table in id order under the scope and each word's LIKE: the page of a search whose
 * words are common characters, which most rows hold. */
static store_stmt *table_walk(store_conn *c, const reg_kind *k, const yj_scope *sc, const struct walk *w,
			      int64_t after, int limit)
{
	yj_qb *q = reg_list_query(k, NULL, 0, sc);
	for (int i = 0; i < w->nw; i++)
		word_like(q, k, "", w->words[i]);
	return reg_list_page(q, c, after, limit);
}

store_stmt *reg_name_walk_page(store_conn *c, const reg_kind *k, const yj_scope *sc, const char *text,
			       int64_t after, int limit)
{
	struct walk w = {.k = k};
	each_word(text, walk_word, &w);
	if (w.nw == 0) {
		walk_free(&w);
		return NULL;
	}
	if (w.ng == 0) {
		store_stmt *st = table_walk(c, k, sc, &w, after, limit);
		walk_free(&w);
		return st;
	}
	/* The record is read by its key inside a LATERAL subquery that OFFSET 0 keeps from being pulled
	 * up: the planner cannot join the kind's table first (through the scope's range, the generic
	 * plan's province walk), only walk the first gram's posting list in id order — its primary key's
	 * range, which ORDER BY ... LIMIT serves without a sort — probing the other grams by key, the
	 * record by key, and stopping at the page's end. */
	yj_table t;
	yj_reg_table(k, &t);
	char *from = yj_asprintf("name_grams g CROSS JOIN LATERAL (SELECT * FROM %s WHERE id = g.object_id OFFSET 0) %s",
				 t.name, t.name);
	t.name = from;
	yj_qb *q = yj_q_select(&t, yj_reg_columns(k), sc);
	free(from);
	yj_q_where(q, "g.gram = ? AND g.object_id > ?");
	yj_q_int(q, w.grams[0]);
	yj_q_int(q, after);
	for (int i = 1; i < w.ng; i++) {
		yj_q_where(q, "EXISTS (SELECT 1 FROM name_grams h WHERE h.gram = ? AND h.object_id = g.object_id)");
		yj_q_int(q, w.grams[i]);
	}
	for (int i = 0; i < w.nw; i++)
		word_like(q, k, "", w.words[i]);
	yj_q_tail(q, "ORDER BY g.object_id LIMIT ?");
	yj_q_int(q, limit);
	yj_q_plan_once(q);
	walk_free(&w);
	return yj_q_prepare(q, c);
}

/* ---- the index rebuilt from the records (migration 0007) ---- */

/* Indexes the names of kind k's records after id *after, at most BATCH of them in id order; *after
 * becomes the last id read, *got their count. */
static int reindex_batch(store_conn *c, const reg_kind *k, int64_t *after, size_t *got)
{
	enum { BATCH = 1000 };
	int64_t ids[BATCH];
	char *names[BATCH];
	size_t n = 0;
	char *sql = yj_asprintf("SELECT id, %s FROM %s WHERE id > ? ORDER BY id LIMIT %d", k->name_field, k->table,
				BATCH);
	store_stmt *st = store_prepare(c, sql);
	free(sql);
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, *after);
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		ids[n] = store_col_int64(st, 0);
		const char *name = store_col_text(st, 1);
		names[n++] = name ? yj_strdup(name) : NULL;
	}
	store_finalize(st);
	if (rc == ST_DONE && n) {
		rc = reg_index_names_fresh(c, k, ids, (const char *const *)names, n, 0);
		*after = ids[n - 1];
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	*got = n;
	return rc < 0 ? rc : ST_OK;
}

int reg_names_reindex(store_conn *c)
{
	/* Held and written in key order at the end, as an import's are: one ascending sweep. */
	reg_names_defer_begin(c);
	int rc = ST_OK;
	for (int i = 0; i < YJ_NKINDS && rc >= 0; i++) {
		const reg_kind *k = yj_reg_kinds[i];
		if (!k->name_field)
			continue;
		int64_t after = 0;
		size_t got = 1;
		while (rc >= 0 && got)
			rc = reindex_batch(c, k, &after, &got);
	}
	if (rc >= 0)
		return reg_names_defer_flush(c);
	reg_names_defer_discard(c);
	return rc;
}
