/* record_names.c — the name index of registry records: the distinct characters and bigrams of each
 * name in name_grams, written with the record; the substring filter that narrows through it before
 * LIKE confirms (yj_reg_name_filter); and the name search's page as a walk of one posting list with a
 * plan no value can change (reg_name_walk_page, PostgreSQL). */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/log.h"

#include <stdint.h>
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

/* ---- an import's grams, deferred to the end of its publication ----
 *
 * Each run of new records written at once puts its grams into name_grams at as many places as it has
 * distinct grams; held until the end of the publication and written there in key order, all of an
 * import's grams go in as one ascending sweep: into an empty index every row lands on the rightmost
 * leaf, and into a filled one each gram's new rows (new ids, which grow) land together at the end of
 * its range. The same rows as without the deferral, in the same transaction. They are held as one
 * list of record ids per distinct gram (a few thousand texts, interned): 8 bytes a row and no sort. */

typedef struct posting {
	int64_t *id;
	size_t n, cap;
} posting;

typedef struct gram_defer {
	store_conn *c;
	const reg_kind *k;
	char **texts;	 /* the distinct grams */
	posting *lists;	 /* lists[t]: the ids of the records whose names hold texts[t], as written */
	size_t ntexts;
	uint32_t *slots; /* open addressing into texts, index + 1 (0: empty); a power of two */
	size_t nslots;
	size_t n; /* rows held */
} gram_defer;

static _Thread_local gram_defer *deferred; /* one per thread: connections are per thread */

static uint32_t gram_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static posting *intern(gram_defer *d, const char *g)
{
	if (2 * (d->ntexts + 1) > d->nslots) {
		size_t ns = d->nslots ? 2 * d->nslots : 4096;
		uint32_t *slots = yj_calloc(ns, sizeof *slots);
		for (size_t t = 0; t < d->ntexts; t++) {
			size_t at = gram_hash(d->texts[t]) & (ns - 1);
			while (slots[at])
				at = (at + 1) & (ns - 1);
			slots[at] = (uint32_t)t + 1;
		}
		free(d->slots);
		d->slots = slots;
		d->nslots = ns;
		d->texts = yj_realloc(d->texts, (ns / 2) * sizeof *d->texts);
		d->lists = yj_realloc(d->lists, (ns / 2) * sizeof *d->lists);
	}
	size_t at = gram_hash(g) & (d->nslots - 1);
	for (; d->slots[at]; at = (at + 1) & (d->nslots - 1))
		if (!strcmp(d->texts[d->slots[at] - 1], g))
			return &d->lists[d->slots[at] - 1];
	d->texts[d->ntexts] = yj_strdup(g);
	d->lists[d->ntexts] = (posting){0};
	d->slots[at] = (uint32_t)++d->ntexts;
	return &d->lists[d->ntexts - 1];
}

static void defer_rows(gram_defer *d, const gram_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		posting *p = intern(d, r->v[i].gram);
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 16;
			p->id = yj_realloc(p->id, p->cap * sizeof *p->id);
		}
		p->id[p->n++] = r->v[i].id;
	}
	d->n += r->n;
}

void reg_names_defer_begin(store_conn *c)
{
	reg_names_defer_discard(c);
	deferred = yj_calloc(1, sizeof *deferred);
	deferred->c = c;
}

void reg_names_defer_discard(store_conn *c)
{
	gram_defer *d = deferred;
	if (!d || d->c != c)
		return;
	for (size_t t = 0; t < d->ntexts; t++) {
		free(d->texts[t]);
		free(d->lists[t].id);
	}
	free(d->texts);
	free(d->lists);
	free(d->slots);
	free(d);
	deferred = NULL;
}

/* A distinct gram and its list, for ordering the grams. */
typedef struct ranked {
	const char *text;
	posting *list;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
	return strcmp(((const ranked *)a)->text, ((const ranked *)b)->text);
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The held rows in key order, as the binder reads them: row i is in the gram r with end[r - 1] <= i <
 * end[r] (found by bisection: the rows need no copy in that order). */
typedef struct sorted_grams {
	const reg_kind *k;
	ranked *by_rank;
	size_t *end;
	size_t nt;
	size_t last; /* the gram of the row bound last: rows are bound in order, so mostly the same */
} sorted_grams;

static int bind_sorted(store_stmt *st, int idx, size_t row, void *arg)
{
	sorted_grams *s = arg;
	size_t lo = 0, hi = s->nt - 1;
	if ((s->last ? s->end[s->last - 1] : 0) <= row && row < s->end[s->last])
		lo = hi = s->last;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->end[mid] > row)
			hi = mid;
		else
			lo = mid + 1;
	}
	s->last = lo;
	size_t off = row - (lo ? s->end[lo - 1] : 0);
	/* Not copied: the texts are held until the sweep's statements are done (2.4 M rows of 100,000
	 * names: a copy and a free per text were a third of the sweep's time on SQLite). */
	store_bind_text_static(st, idx++, s->by_rank[lo].text, -1);
	store_bind_text_static(st, idx++, s->k->type, -1);
	store_bind_int64(st, idx++, s->by_rank[lo].list->id[off]);
	return idx;
}

int reg_names_defer_flush(store_conn *c)
{
	gram_defer *d = deferred;
	if (!d || d->c != c)
		return ST_OK;
	deferred = NULL; /* what follows writes for itself */
	int rc = ST_OK;
	uint64_t t0 = yj_mono_ns(), cpu0 = yj_thread_cpu_ns();
	if (d->n) {
		/* The grams in byte order (SQLite's BINARY, PostgreSQL's "C"; under another collation each
		 * gram's rows are still together and in id order); each list is in the order written, so
		 * ascending (ids grow) unless the id counter wrapped within a millisecond. */
		sorted_grams s = {d->k, yj_malloc(d->ntexts * sizeof *s.by_rank), yj_malloc(d->ntexts * sizeof *s.end),
				  d->ntexts, 0};
		for (size_t t = 0; t < d->ntexts; t++)
			s.by_rank[t] = (ranked){d->texts[t], &d->lists[t]};
		qsort(s.by_rank, s.nt, sizeof *s.by_rank, ranked_cmp);
		size_t total = 0;
		for (size_t r = 0; r < s.nt; r++) {
			posting *p = s.by_rank[r].list;
			for (size_t i = 1; i < p->n; i++)
				if (p->id[i - 1] > p->id[i]) {
					qsort(p->id, p->n, sizeof *p->id, id_cmp);
					break;
				}
			s.end[r] = total += p->n;
		}
		rc = reg_insert_rows(c, "name_grams", "gram, object_type, object_id", 3, d->n, bind_sorted, &s);
		free(s.by_rank);
		free(s.end);
	}
	/* What the sweep costs, beside the publication's other phases (docs/benchmarks.md). */
	yj_log(YJ_LOG_INFO, "import.name_grams", "\"rows\":%zu,\"distinct\":%zu,\"rc\":%d,\"ms\":%.1f,\"cpu_ms\":%.1f",
	       d->n, d->ntexts, rc, (double)(yj_mono_ns() - t0) / 1e6, (double)(yj_thread_cpu_ns() - cpu0) / 1e6);
	deferred = d;
	reg_names_defer_discard(c);
	return rc;
}

/* The grams of a run of new records, made where no connection is needed (an import's preparing
 * thread, record_bulk.c) and written by reg_index_grams on the connection's. */
struct reg_grams {
	gram_rows r;
};

reg_grams *reg_grams_make(const reg_kind *k, const int64_t *ids, const char *const *names, size_t n)
{
	reg_grams *g = yj_calloc(1, sizeof *g);
	g->r.k = k;
	size_t bytes = 1;
	for (size_t i = 0; i < n; i++)
		bytes += gram_bytes(names[i]);
	g->r.arena = yj_malloc(bytes);
	for (size_t i = 0; i < n; i++)
		if (names[i])
			gram_rows_add(&g->r, names[i], ids[i]);
	return g;
}

void reg_grams_free(reg_grams *g)
{
	if (!g)
		return;
	free(g->r.arena);
	free(g->r.v);
	free(g);
}

int reg_index_grams(store_conn *c, reg_grams *g, int async)
{
	gram_rows *r = &g->r;
	gram_defer *d = deferred;
	if (d && d->c == c && (!d->k || d->k == r->k)) { /* an import's publication: held for its sweep */
		d->k = r->k;
		defer_rows(d, r);
		return ST_OK;
	}
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
