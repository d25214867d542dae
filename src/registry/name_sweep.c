/* name_sweep.c — many records' name grams written in one sweep in key order: held per connection
 * (the index's rebuild), or collected by an import's check and, on PostgreSQL, written beside its
 * publication on a connection and transaction of their own, committed just before it, taken back
 * when it does not commit; and the daily collection of grams a killed import left without records.
 * The grams themselves, and how searches read them: record_names.c. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/log.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int i64_cmp(int64_t x, int64_t y)
{
	return (x > y) - (x < y);
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

static void defer_rows(gram_defer *d, const reg_gram_rows *r)
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

int reg_names_defer_take(store_conn *c, const reg_gram_rows *r)
{
	gram_defer *d = deferred;
	if (!d || d->c != c)
		return 0;
	defer_rows(d, r);
	return 1;
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
 * (the filter's semi-join and the walk, record_names.c), so a gram whose record is not visible changes no
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
	reg_gram_rows r = {0};
	reg_gram_rows_add(&r, k, name, id);
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
		int64_t lo, hi;
		reg_gram_kind_range(k, &lo, &hi);
		char *sql = yj_asprintf("DELETE FROM name_grams WHERE gram BETWEEN ? AND ? AND object_id < ? AND NOT EXISTS "
					"(SELECT 1 FROM %s r WHERE r.id = name_grams.object_id)",
					k->table);
		store_stmt *st = store_prepare(c, sql);
		free(sql);
		if (!st)
			return ST_ERR;
		store_bind_int64(st, 1, lo);
		store_bind_int64(st, 2, hi);
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

