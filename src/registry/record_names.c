/* record_names.c — the name index of registry records: the distinct characters and bigrams of each
 * name in name_grams, written with the record; the substring filter that narrows through it before
 * LIKE confirms (yj_reg_name_filter); and the name search's page as a walk of one posting list with a
 * plan no value can change (reg_name_walk_page, PostgreSQL). */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"

#include <stdlib.h>
#include <string.h>


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

/* The name index holds the distinct single characters and bigrams (in code points) of a name. */
static char *gram_at(const char **cp, size_t i, int len)
{
	return yj_strndup(cp[i], (size_t)(cp[i + (size_t)len] - cp[i]));
}

/* The rows of name_grams to write: gram text (in the rows' arena) and record id. */
typedef struct gram_row {
	const char *gram;
	int64_t id;
} gram_row;

typedef struct gram_rows {
	const reg_kind *k;
	gram_row *v;
	size_t n, cap;
	char *arena; /* the grams' text, NUL-terminated one after another; sized before the first add */
	size_t used;
} gram_rows;

/* The arena bytes the grams of a name take at most: each of its n code points starts a one- and a
 * two-code-point gram, so every byte is copied at most three times, plus a NUL each (n <= bytes). */
static size_t gram_bytes(const char *name)
{
	return name ? 5 * strlen(name) + 2 : 0;
}

/* Adds the distinct grams of name for record id: no object or string per gram, the duplicates
 * (a name repeats few characters) found by comparing with the name's earlier grams. Its output for a
 * name must not change between versions: a rename deletes the grams it gives for the old name
 * (reg_index_name). */
static void gram_rows_add(gram_rows *r, const char *name, int64_t id)
{
	const char *cp[257];
	size_t n = code_points(name, cp, 256), first = r->n;
	for (size_t i = 0; i < n; i++)
		for (int len = 1; len <= 2 && i + (size_t)len <= n; len++) {
			size_t b = (size_t)(cp[i + (size_t)len] - cp[i]);
			int dup = 0;
			for (size_t j = first; j < r->n && !dup; j++)
				dup = !strncmp(r->v[j].gram, cp[i], b) && r->v[j].gram[b] == '\0';
			if (dup)
				continue;
			if (r->n == r->cap) {
				r->cap = r->cap ? 2 * r->cap : 256;
				r->v = yj_realloc(r->v, r->cap * sizeof *r->v);
			}
			char *g = r->arena + r->used;
			memcpy(g, cp[i], b);
			g[b] = '\0';
			r->used += b + 1;
			r->v[r->n++] = (gram_row){g, id};
		}
}

static int gram_cmp(const void *a, const void *b)
{
	const gram_row *x = a, *y = b;
	int d = strcmp(x->gram, y->gram);
	return d ? d : (x->id > y->id) - (x->id < y->id);
}

static int bind_gram(store_stmt *st, int idx, size_t row, void *arg)
{
	gram_rows *r = arg;
	store_bind_text(st, idx++, r->v[row].gram, -1);
	store_bind_text(st, idx++, r->k->type, -1);
	store_bind_int64(st, idx++, r->v[row].id);
	return idx;
}

static int write_grams(store_conn *c, gram_rows *r, int async)
{
	return (async ? reg_insert_rows_async : reg_insert_rows)(c, "name_grams", "gram, object_type, object_id", 3,
								 r->n, bind_gram, r);
}

/* The rows of r whose gram other does not hold, into out (in r's order; the texts stay r's: out
 * frees only its v). */
static void gram_rows_minus(gram_rows *out, const gram_rows *r, const gram_rows *other)
{
	*out = (gram_rows){.k = r->k, .v = yj_calloc(r->n + 1, sizeof *out->v)};
	for (size_t i = 0; i < r->n; i++) {
		int both = 0;
		for (size_t j = 0; j < other->n && !both; j++)
			both = !strcmp(r->v[i].gram, other->v[j].gram);
		if (!both)
			out->v[out->n++] = r->v[i];
	}
}

/* Deletes r's rows of record id, by their key: a few hundred grams a statement at most. */
static int delete_grams(store_conn *c, const gram_rows *r, int64_t id)
{
	enum { CHUNK = 128 };
	int rc = ST_OK;
	for (size_t at = 0; at < r->n && rc >= 0; at += CHUNK) {
		size_t m = r->n - at < CHUNK ? r->n - at : CHUNK;
		yj_buf sql = YJ_BUF_INIT;
		yj_buf_puts(&sql, "DELETE FROM name_grams WHERE object_type = ? AND object_id = ? AND gram IN (");
		for (size_t i = 0; i < m; i++)
			yj_buf_puts(&sql, i ? ", ?" : "?");
		yj_buf_puts(&sql, ")");
		store_stmt *st = store_prepare(c, sql.data);
		yj_buf_free(&sql);
		if (!st)
			return ST_ERR;
		store_bind_text(st, 1, r->k->type, -1);
		store_bind_int64(st, 2, id);
		for (size_t i = 0; i < m; i++)
			store_bind_text(st, 3 + (int)i, r->v[at + i].gram, -1);
		rc = reg_step_done(st);
	}
	return rc;
}

/* A record's old grams are found again from its old name rather than through an index on
 * (object_type, object_id): that index was a third B-tree written for every gram of every import
 * for the rare rename. This holds only while gram_rows_add gives a name the same grams it gave
 * when the record was written — keep its output stable (code points as they are, no folding or
 * normalising that could change); a change to it needs a migration that rebuilds name_grams. A
 * gram left behind by a change is harmless to answers (LIKE confirms every candidate), it costs a
 * wasted probe. */
int reg_index_name(store_conn *c, const reg_kind *k, int64_t id, const char *old_name, const char *name)
{
	if (!old_name)
		return name ? reg_index_names_fresh(c, k, &id, &name, 1, 0) : ST_OK;
	/* Only the grams that differ: a renamed record keeps most of them. */
	gram_rows old = {.k = k}, now = {.k = k}, gone, added;
	old.arena = yj_malloc(gram_bytes(old_name) + 1);
	now.arena = yj_malloc(gram_bytes(name) + 1);
	gram_rows_add(&old, old_name, id);
	if (name)
		gram_rows_add(&now, name, id);
	gram_rows_minus(&gone, &old, &now);
	gram_rows_minus(&added, &now, &old);
	int rc = delete_grams(c, &gone, id);
	if (rc >= 0 && added.n)
		rc = write_grams(c, &added, 0);
	free(gone.v);
	free(added.v);
	free(old.arena);
	free(old.v);
	free(now.arena);
	free(now.v);
	return rc;
}

int reg_index_names_fresh(store_conn *c, const reg_kind *k, const int64_t *ids, const char *const *names, size_t n,
			  int async)
{
	/* All grams of all the names in multi-row INSERTs: one round trip on PostgreSQL per few
	 * hundred grams instead of one per gram (or per name). */
	gram_rows r = {.k = k};
	size_t bytes = 1;
	for (size_t i = 0; i < n; i++)
		bytes += gram_bytes(names[i]);
	r.arena = yj_malloc(bytes);
	for (size_t i = 0; i < n; i++)
		if (names[i])
			gram_rows_add(&r, names[i], ids[i]);
	/* In key order: each statement then inserts into the primary key's B-tree along one path
	 * rather than at scattered pages (the names of a batch share most of their grams). */
	if (r.n > 1)
		qsort(r.v, r.n, sizeof *r.v, gram_cmp);
	int rc = write_grams(c, &r, async);
	free(r.arena);
	free(r.v);
	return rc;
}

/* The grams that narrow a word, into grams (the caller frees them), their count returned (0 for an
 * empty word): the first and the last bigram, or the one character. Why not more: each gram is one
 * more semi-join for PostgreSQL to plan where the list is planned with its values at every execution
 * (store_plan_each) — three grams took 0.9 ms to plan and 0.5 ms to run where two took 0.37 and 0.11
 * (docs/benchmarks.md, "What planning each list with its values costs the search"); LIKE confirms the
 * rest. */
static int word_grams(const char *text, char *grams[2])
{
	const char *cp[65];
	size_t n = code_points(text, cp, 64);
	int ng = 0;
	if (n == 1) {
		grams[ng++] = gram_at(cp, 0, 1);
	} else if (n > 1) {
		grams[ng++] = gram_at(cp, 0, 2);
		if (n > 2)
			grams[ng++] = gram_at(cp, n - 2, 2);
	}
	return ng;
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
	char *grams[2];
	int ng = word_grams(text, grams);
	if (ng == 0)
		return;
	/* One IN per gram rather than an INTERSECT: each subquery is unique on object_id (the key of
	 * name_grams with gram and object_type fixed), so PostgreSQL joins the posting lists in id order
	 * and stops at the page's end; an INTERSECT is computed whole before the first row comes out. */
	yj_buf cond = YJ_BUF_INIT;
	for (int i = 0; i < ng; i++)
		yj_buf_printf(&cond, "%s%sid IN (SELECT object_id FROM name_grams WHERE gram = ? AND object_type = '%s')",
			      i ? " AND " : "", alias, k->type);
	yj_q_where(q, cond.data);
	for (int i = 0; i < ng; i++) {
		yj_q_text(q, grams[i]);
		free(grams[i]);
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

/* The grams and the words of a search, the first gram the one whose posting list is walked. */
struct walk {
	char *grams[8];
	int ng;
	char *words[4];
	int nw;
};

static void walk_word(const char *word, void *arg)
{
	struct walk *w = arg;
	char *g[2];
	int n = word_grams(word, g);
	for (int i = 0; i < n; i++)
		w->grams[w->ng++] = g[i];
	if (n)
		w->words[w->nw++] = yj_strdup(word);
}

static void walk_free(struct walk *w)
{
	for (int i = 0; i < w->ng; i++)
		free(w->grams[i]);
	for (int i = 0; i < w->nw; i++)
		free(w->words[i]);
}

int reg_name_walk_fits(store_conn *c, const yj_scope *sc, const char *text)
{
	if (strcmp(store_conn_engine(c), "postgresql"))
		return 0;
	/* A province (or all of them): most rows are in scope, so the walk stops after about a page of
	 * posting entries. A narrower scope may skip most of the posting list: planned with its values. */
	if (!sc->unrestricted && (sc->subject_bound || strlen(sc->region_prefix) > 2))
		return 0;
	struct walk w = {0};
	each_word(text, walk_word, &w);
	int fits = w.ng > 0;
	walk_free(&w);
	return fits;
}

store_stmt *reg_name_walk_page(store_conn *c, const reg_kind *k, const yj_scope *sc, const char *text,
			       int64_t after, int limit)
{
	struct walk w = {0};
	each_word(text, walk_word, &w);
	if (w.ng == 0) {
		walk_free(&w);
		return NULL;
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
	char *cond = yj_asprintf("g.gram = ? AND g.object_type = '%s' AND g.object_id > ?", k->type);
	yj_q_where(q, cond);
	free(cond);
	yj_q_text(q, w.grams[0]);
	yj_q_int(q, after);
	cond = yj_asprintf("EXISTS (SELECT 1 FROM name_grams h WHERE h.gram = ? AND h.object_type = '%s' AND "
			   "h.object_id = g.object_id)",
			   k->type);
	for (int i = 1; i < w.ng; i++) {
		yj_q_where(q, cond);
		yj_q_text(q, w.grams[i]);
	}
	free(cond);
	for (int i = 0; i < w.nw; i++)
		word_like(q, k, "", w.words[i]);
	yj_q_tail(q, "ORDER BY g.object_id LIMIT ?");
	yj_q_int(q, limit);
	yj_q_plan_once(q);
	walk_free(&w);
	return yj_q_prepare(q, c);
}
