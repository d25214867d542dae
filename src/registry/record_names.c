/* record_names.c — the name index of registry records: each name's distinct character bigrams and its
 * last character in name_grams as numbers (kind, first and second code point in one BIGINT), written
 * with the record; the substring filter that narrows through it before LIKE confirms
 * (yj_reg_name_filter); the name search's page as a walk of one posting list with a plan no value
 * can change, or of the kind's table for common single characters (reg_name_walk_page, PostgreSQL); and
 * the index rebuilt from every record (reg_names_reindex, migration 0007). */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/log.h"

#include <pthread.h>
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

/* The kind's part of its grams: 1 + its place in yj_reg_kinds (record.h: that order is persisted); 0
 * for a kind outside the list (practice filings: no name index). */
static int64_t kind_code(const reg_kind *k)
{
	for (int i = 0; i < YJ_NKINDS; i++)
		if (yj_reg_kinds[i] == k)
			return (int64_t)(i + 1) << 42;
	return 0;
}

/* A gram: the kind's code, the first code point and the second (0: the name's last character). */
static int64_t gram_of(int64_t kind, int64_t a, int64_t b)
{
	return kind | a << 21 | b;
}

/* The rows of name_grams to write: gram and record id. */
typedef struct gram_row {
	int64_t gram;
	int64_t id;
} gram_row;

typedef struct gram_rows {
	gram_row *v;
	size_t n, cap;
} gram_rows;

/* Adds the grams of name (a record of kind k) for record id: each distinct bigram of consecutive code
 * points and one gram for the last character, the duplicates (a name repeats few bigrams) found by
 * comparing with the name's earlier grams. A one-character word is then in a name when some gram
 * starts with it — a bigram, or the last character's — so no other single character needs a row
 * (they were half of all rows). Its output for a name must not change between versions: a rename
 * deletes the grams it gives for the old name (reg_index_name). */
static void gram_rows_add(gram_rows *r, const reg_kind *k, const char *name, int64_t id)
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
		r->v[r->n++] = (gram_row){g, id};
	}
}

static int i64_cmp(int64_t x, int64_t y)
{
	return (x > y) - (x < y);
}

static int gram_cmp(const void *a, const void *b)
{
	const gram_row *x = a, *y = b;
	return x->gram != y->gram ? i64_cmp(x->gram, y->gram) : i64_cmp(x->id, y->id);
}

static int bind_gram(store_stmt *st, int idx, size_t row, void *arg)
{
	gram_rows *r = arg;
	store_bind_int64(st, idx++, r->v[row].gram);
	store_bind_int64(st, idx++, r->v[row].id);
	return idx;
}

static int write_grams(store_conn *c, gram_rows *r, int async)
{
	return (async ? reg_insert_rows_async : reg_insert_rows)(c, "name_grams", "gram, object_id", 2, r->n,
								 bind_gram, r);
}

/* The rows of r whose gram other does not hold, into out (in r's order). */
static void gram_rows_minus(gram_rows *out, const gram_rows *r, const gram_rows *other)
{
	*out = (gram_rows){.v = yj_calloc(r->n + 1, sizeof *out->v)};
	for (size_t i = 0; i < r->n; i++) {
		int both = 0;
		for (size_t j = 0; j < other->n && !both; j++)
			both = r->v[i].gram == other->v[j].gram;
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
	gram_rows old = {0}, now = {0}, gone, added;
	gram_rows_add(&old, k, old_name, id);
	if (name)
		gram_rows_add(&now, k, name, id);
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

/* ---- many records' grams in one sweep: an import's, the index's rebuild ----
 *
 * Each run of new records written at once would put its grams into name_grams at as many places as
 * it has distinct grams; held and written in key order at the end, all of them go in as one ascending
 * sweep: into an empty index every row lands on the rightmost leaf, and into a filled one each gram's
 * new rows (new ids, which grow) land together at the end of its range (a second run in key order
 * costs a third more: docs/benchmarks.md, "Issue 15: the name index beside the publication"). They
 * are held as one list of record ids per distinct gram (a hash table keyed by the gram's number): 8
 * bytes a row and no sort of the rows. The rebuild holds them on its connection (reg_names_defer_*);
 * an import's check collects them (reg_names_collect_*, below). */

typedef struct posting {
	int64_t gram;
	int64_t *id;
	size_t n, cap;
} posting;

typedef struct gram_defer {
	store_conn *c;
	posting *lists;	 /* the distinct grams, each with the ids of the records whose names hold it, as written */
	size_t nlists;
	uint32_t *slots; /* open addressing into lists, index + 1 (0: empty); a power of two */
	size_t nslots;
	size_t n; /* rows held */
} gram_defer;

static _Thread_local gram_defer *deferred; /* one per thread: connections are per thread */

static uint32_t gram_hash(int64_t g)
{
	uint64_t h = (uint64_t)g * 0x9E3779B97F4A7C15u; /* Fibonacci hashing: the high bits mix all of g's */
	return (uint32_t)(h >> 32);
}

static posting *posting_of(gram_defer *d, int64_t g)
{
	if (2 * (d->nlists + 1) > d->nslots) {
		size_t ns = d->nslots ? 2 * d->nslots : 4096;
		uint32_t *slots = yj_calloc(ns, sizeof *slots);
		for (size_t t = 0; t < d->nlists; t++) {
			size_t at = gram_hash(d->lists[t].gram) & (ns - 1);
			while (slots[at])
				at = (at + 1) & (ns - 1);
			slots[at] = (uint32_t)t + 1;
		}
		free(d->slots);
		d->slots = slots;
		d->nslots = ns;
		d->lists = yj_realloc(d->lists, (ns / 2) * sizeof *d->lists);
	}
	size_t at = gram_hash(g) & (d->nslots - 1);
	for (; d->slots[at]; at = (at + 1) & (d->nslots - 1))
		if (d->lists[d->slots[at] - 1].gram == g)
			return &d->lists[d->slots[at] - 1];
	d->lists[d->nlists] = (posting){.gram = g};
	d->slots[at] = (uint32_t)++d->nlists;
	return &d->lists[d->nlists - 1];
}

static void defer_rows(gram_defer *d, const gram_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		posting *p = posting_of(d, r->v[i].gram);
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

static void gram_defer_free(gram_defer *d)
{
	for (size_t t = 0; t < d->nlists; t++)
		free(d->lists[t].id);
	free(d->lists);
	free(d->slots);
	free(d);
}

void reg_names_defer_discard(store_conn *c)
{
	gram_defer *d = deferred;
	if (!d || d->c != c)
		return;
	gram_defer_free(d);
	deferred = NULL;
}

static int posting_cmp(const void *a, const void *b)
{
	return i64_cmp(((const posting *)a)->gram, ((const posting *)b)->gram);
}

static int id_cmp(const void *a, const void *b)
{
	return i64_cmp(*(const int64_t *)a, *(const int64_t *)b);
}

/* The held rows in key order, as the binder reads them: row i is in list r with end[r - 1] <= i <
 * end[r] (found by bisection: the rows need no copy in that order). */
typedef struct sorted_grams {
	const posting *lists;
	size_t *end;
	size_t nt;
	size_t last; /* the list of the row bound last: rows are bound in order, so mostly the same */
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
	store_bind_int64(st, idx++, s->lists[lo].gram);
	store_bind_int64(st, idx++, s->lists[lo].id[off]);
	return idx;
}

/* Puts d's lists in key order — the grams ascending (the hash table is rebuilt never again: its slots
 * are dropped with it), each one's ids ascending, as written since ids grow, unless the id counter
 * wrapped within a millisecond — and writes their rows on c in one ascending sweep, with its phase
 * line (beside: on a connection of its own, reg_names_sweep_start). Sorting again (a retried
 * transaction) changes nothing. */
static int sweep_write(store_conn *c, gram_defer *d, int beside)
{
	int rc = ST_OK;
	uint64_t t0 = yj_mono_ns(), cpu0 = yj_thread_cpu_ns();
	if (d->n) {
		qsort(d->lists, d->nlists, sizeof *d->lists, posting_cmp);
		sorted_grams s = {d->lists, yj_malloc(d->nlists * sizeof *s.end), d->nlists, 0};
		size_t total = 0;
		for (size_t r = 0; r < s.nt; r++) {
			posting *p = &d->lists[r];
			for (size_t i = 1; i < p->n; i++)
				if (p->id[i - 1] > p->id[i]) {
					qsort(p->id, p->n, sizeof *p->id, id_cmp);
					break;
				}
			s.end[r] = total += p->n;
		}
		rc = reg_insert_rows(c, "name_grams", "gram, object_id", 2, d->n, bind_sorted, &s);
		free(s.end);
	}
	/* What the sweep costs, beside the publication's other phases (docs/benchmarks.md). */
	yj_log(YJ_LOG_INFO, "import.name_grams",
	       "\"rows\":%zu,\"distinct\":%zu,\"rc\":%d,\"ms\":%.1f,\"cpu_ms\":%.1f,\"beside\":%s", d->n, d->nlists,
	       rc, (double)(yj_mono_ns() - t0) / 1e6, (double)(yj_thread_cpu_ns() - cpu0) / 1e6,
	       beside ? "true" : "false");
	return rc;
}

int reg_names_defer_flush(store_conn *c)
{
	gram_defer *d = deferred;
	if (!d || d->c != c)
		return ST_OK;
	int rc = d->n ? sweep_write(c, d, 0) : ST_OK; /* nothing held (an import's check collected them) */
	reg_names_defer_discard(c);
	return rc;
}

/* ---- an import's grams, from its check, beside the publication (PostgreSQL) ----
 *
 * One backend runs one transaction: written in the publication's own, the sweep (1.28 million rows
 * for 100,000 institutions, ~1.5 s of the server's CPU) and the audit and events flushes after it
 * were one serial tail with the client idle. The check knows every new record's name and gives it
 * its id (import_record.c), so the import's grams are known when the check ends — while the
 * publication still has most of its chunks to write. A gram is only ever read joined to its record
 * (the filter's semi-join and the walk, above), so a gram whose record is not visible changes no
 * answer: the sweep runs in a transaction of its own on its own connection from the check's end on,
 * and commits when the publication is about to — first, so that no record is ever visible without
 * its grams. A publication that does not commit after all rolls the sweep back, or, if the sweep
 * had committed, deletes exactly its rows (reg_names_sweep_undo); a process killed between the two
 * commits leaves them behind, harmless to answers and collected by a daily job
 * (reg_names_collect_orphans; docs/import.md, "The name index beside the publication"). (Two
 * transactions of halves of the key on two backends were no faster: docs/benchmarks.md.) On SQLite,
 * or for fewer than the threshold's rows, the publication writes the same sweep itself. */

static _Thread_local gram_defer *collecting; /* the check's, on its thread */

void reg_names_collect_begin(void)
{
	reg_names_collect_discard(reg_names_collect_end());
	collecting = yj_calloc(1, sizeof *collecting);
}

int reg_names_collecting(void)
{
	return collecting != NULL;
}

void reg_names_collect_add(const reg_kind *k, int64_t id, const char *name)
{
	if (!collecting || !name)
		return;
	gram_rows r = {0};
	gram_rows_add(&r, k, name, id);
	defer_rows(collecting, &r);
	free(r.v);
}

reg_names_collected *reg_names_collect_end(void)
{
	gram_defer *d = collecting;
	collecting = NULL;
	return (reg_names_collected *)d;
}

void reg_names_collect_discard(reg_names_collected *g)
{
	if (g)
		gram_defer_free((gram_defer *)g);
}

enum sweep_state { SWEEP_WRITING, SWEEP_COMMIT, SWEEP_ABORT };

struct reg_sweep {
	store *s;
	gram_defer *d;
	int beside;	    /* on a thread and connection of its own; else the publication writes it */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum sweep_state state; /* what the publication asked: go on, commit, roll back */
	int ended;		/* the beside transaction has ended (joined) */
	int rc;			/* and how: ST_OK when it committed */
	int taken_back;		/* its committed rows were deleted */
};

/* The beside sweep's transaction: the rows, then the publication's word. */
static int sweep_tx(store_conn *c, void *arg)
{
	reg_sweep *w = arg;
	int rc = sweep_write(c, w->d, 1);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&w->mu);
	while (w->state == SWEEP_WRITING)
		pthread_cond_wait(&w->cv, &w->mu);
	rc = w->state == SWEEP_COMMIT ? ST_OK : ST_ERR; /* ST_ERR: store_tx rolls back */
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static void *sweep_main(void *arg)
{
	reg_sweep *w = arg;
	int rc = store_tx(w->s, sweep_tx, w);
	store_conn_release(w->s); /* the thread ends: a server's connections do not pile up */
	pthread_mutex_lock(&w->mu);
	w->rc = rc;
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

reg_sweep *reg_names_sweep_start(store *s, reg_names_collected *g, size_t beside_from)
{
	gram_defer *d = (gram_defer *)g;
	if (!d)
		return NULL;
	if (!d->n) {
		gram_defer_free(d);
		return NULL;
	}
	reg_sweep *w = yj_calloc(1, sizeof *w);
	w->s = s;
	w->d = d;
	w->rc = ST_ERR;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->beside = beside_from && d->n >= beside_from && !strcmp(store_engine(s), "postgresql") &&
		    pthread_create(&w->th, NULL, sweep_main, w) == 0;
	return w;
}

int reg_names_sweep_write(store_conn *c, reg_sweep *w)
{
	return w && !w->beside ? sweep_write(c, w->d, 0) : ST_OK;
}

/* Tells the beside sweep what to do and waits for its transaction's end; its outcome. */
static int sweep_end(reg_sweep *w, enum sweep_state how)
{
	if (!w->ended) {
		pthread_mutex_lock(&w->mu);
		w->state = how;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		w->ended = 1;
	}
	return w->rc;
}

int reg_names_sweep_commit(store_conn *c, reg_sweep *w)
{
	if (!w || !w->beside || sweep_end(w, SWEEP_COMMIT) >= 0)
		return ST_OK;
	/* Not committed (no connection to be had, the server's limit reached, a failure): the rows are
	 * still here and none of them in the table — written in the publication after all. */
	yj_log(YJ_LOG_WARN, "import.name_grams_beside_failed", "\"rc\":%d", w->rc);
	return sweep_write(c, w->d, 0);
}

/* Deletes the sweep's rows, ROWS a statement: pairs of arrays, unnested into the key. */
static int undo_rows(store_conn *c, yj_buf *grams, yj_buf *ids)
{
	yj_buf_puts(grams, "}");
	yj_buf_puts(ids, "}");
	store_stmt *st = store_prepare(c, "DELETE FROM name_grams WHERE (gram, object_id) IN "
					  "(SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[])))");
	if (!st)
		return ST_ERR;
	store_bind_text_static(st, 1, grams->data, -1);
	store_bind_text_static(st, 2, ids->data, -1);
	int rc = reg_step_done(st);
	grams->len = ids->len = 0;
	return rc;
}

static int undo_tx(store_conn *c, void *arg)
{
	enum { ROWS = 20000 };
	const gram_defer *d = ((reg_sweep *)arg)->d;
	yj_buf grams = YJ_BUF_INIT, ids = YJ_BUF_INIT;
	size_t m = 0;
	int rc = ST_OK;
	for (size_t t = 0; t < d->nlists && rc >= 0; t++)
		for (size_t i = 0; i < d->lists[t].n && rc >= 0; i++) {
			yj_buf_printf(&grams, "%c%lld", m ? ',' : '{', (long long)d->lists[t].gram);
			yj_buf_printf(&ids, "%c%lld", m ? ',' : '{', (long long)d->lists[t].id[i]);
			if (++m == ROWS) {
				rc = undo_rows(c, &grams, &ids);
				m = 0;
			}
		}
	if (rc >= 0 && m)
		rc = undo_rows(c, &grams, &ids);
	yj_buf_free(&grams);
	yj_buf_free(&ids);
	return rc;
}

typedef struct undo_job {
	reg_sweep *w;
	int rc;
} undo_job;

static void *undo_main(void *arg)
{
	undo_job *u = arg;
	u->rc = store_tx(u->w->s, undo_tx, u->w);
	store_conn_release(u->w->s);
	return NULL;
}

int reg_names_sweep_undo(reg_sweep *w)
{
	if (!w || !w->beside || w->taken_back || sweep_end(w, SWEEP_ABORT) < 0)
		return ST_OK; /* not beside, or rolled back: nothing of it is in the table */
	/* Committed, and the publication then did not: its rows go, in a transaction of their own. */
	undo_job u = {w, ST_ERR};
	pthread_t th;
	if (pthread_create(&th, NULL, undo_main, &u) != 0)
		return ST_ERR;
	pthread_join(th, NULL);
	yj_log(u.rc < 0 ? YJ_LOG_WARN : YJ_LOG_INFO, "import.name_grams_undone", "\"rows\":%zu,\"rc\":%d", w->d->n, u.rc);
	w->taken_back = u.rc >= 0;
	return u.rc;
}

void reg_names_sweep_free(reg_sweep *w)
{
	if (!w)
		return;
	if (w->beside && !w->ended)
		sweep_end(w, SWEEP_ABORT);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	gram_defer_free(w->d);
	free(w);
}

int reg_names_collect_orphans(store_conn *c, int64_t before_id, int64_t *deleted)
{
	*deleted = 0;
	int rc = ST_OK;
	for (int i = 0; i < YJ_NKINDS && rc >= 0; i++) {
		const reg_kind *k = yj_reg_kinds[i];
		if (!k->name_field)
			continue;
		/* The kind's range of the key; NOT EXISTS on the kind's primary key: an anti-join. */
		int64_t kind = kind_code(k);
		char *sql = yj_asprintf("DELETE FROM name_grams WHERE gram BETWEEN ? AND ? AND object_id < ? AND NOT EXISTS "
					"(SELECT 1 FROM %s r WHERE r.id = name_grams.object_id)",
					k->table);
		store_stmt *st = store_prepare(c, sql);
		free(sql);
		if (!st)
			return ST_ERR;
		store_bind_int64(st, 1, kind);
		store_bind_int64(st, 2, kind | (((int64_t)1 << 42) - 1));
		store_bind_int64(st, 3, before_id);
		rc = store_step(st);
		if (rc == ST_DONE) {
			*deleted += store_changes(st);
			rc = ST_OK;
		}
		store_finalize(st);
	}
	return rc < 0 ? rc : ST_OK;
}

/* The grams of a run of new records, made where no connection is needed (an import's preparing
 * thread, record_bulk.c) and written by reg_index_grams on the connection's. */
struct reg_grams {
	gram_rows r;
};

reg_grams *reg_grams_make(const reg_kind *k, const int64_t *ids, const char *const *names, size_t n)
{
	reg_grams *g = yj_calloc(1, sizeof *g);
	for (size_t i = 0; i < n; i++)
		if (names[i])
			gram_rows_add(&g->r, k, names[i], ids[i]);
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
	gram_rows *r = &g->r;
	gram_defer *d = deferred;
	if (d && d->c == c) { /* an import's publication: held for its sweep (the gram carries the kind) */
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
