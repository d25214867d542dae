/* import_pipe.c — the publication's second thread (import.h, import_int.h): it unpacks and prepares
 * the next chunk of staged plans, and frees the last, while the connection's thread writes. */
#define _POSIX_C_SOURCE 200809L
#include "import_int.h"
#include "../base/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

size_t yj_import_chunk_plans = 4096;
_Atomic size_t yj_import_chunks_written;

/* ---- the publication ----
 *
 * The staged plans are published in chunks (yj_import_chunk_plans: a few MB of objects, and a
 * multiple of the kinds' multi-row runs, record_bulk.c: 512). What a chunk needs before it is
 * written touches no connection — its plans unpacked again (import_stage.c) (a retried transaction
 * starts from the plans as checked, since a publisher may change the object it is given), the new
 * records' ids, public forms and state texts (the kind's prepare) — and so does freeing it after:
 * a preparing thread does both while the connection's thread writes the chunk before. At most two
 * chunks are in memory: the one being written and the next. The writes, their order and so the
 * audit leaves and events are those of one thread. */

/* A slot's END says there is no chunk i (the plans ended before it), ABANDON that the check gave
 * the publication up (import_feed); both are the preparer's last word. */
enum { SLOT_FREE, SLOT_READY, SLOT_WRITTEN, SLOT_END, SLOT_ABANDON };

typedef struct chunk {
	json_t **plans;
	size_t n;
	void *prep; /* the kind's prepare of plans, or NULL */
	int rc;	    /* of the unpacking */
} chunk;

typedef struct pipeline {
	import_ctx *x;
	size_t per, nchunks; /* nchunks: written so far */
	chunk slot[2]; /* chunk i in slot[i % 2] */
	int state[2];  /* SLOT_* of each, under mu: READY from prepared until written; the preparer
			* frees a WRITTEN one before it prepares the next chunk into it */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;     /* the writer gave up: the preparer ends */
	int threaded; /* else the writer prepares each chunk itself */
	pthread_t th;
	uint64_t prep_cpu_ns; /* the preparer's CPU time, for the log line */
} pipeline;

static void chunk_release(const import_ctx *x, chunk *ch)
{
	if (ch->prep)
		x->imp->prepared_free(ch->prep);
	for (size_t i = 0; i < ch->n; i++)
		json_decref(ch->plans[i]);
	free(ch->plans);
	*ch = (chunk){0};
}

/* Where chunk i's plans are: [from, from + n) of the first staged plans, which end at byte len. */
typedef struct span {
	size_t from, n, staged, len;
} span;

static void chunk_prepare(const import_ctx *x, chunk *ch, const span *sp)
{
	ch->plans = yj_calloc(sp->n, sizeof *ch->plans);
	ch->n = sp->n;
	ch->rc = ST_OK;
	if (x->plans.grow_lock) /* the check may be staging more: the buffer must not move meanwhile */
		pthread_rwlock_rdlock(x->plans.grow_lock);
	for (size_t i = 0; i < sp->n && ch->rc >= 0; i++)
		if (!(ch->plans[i] = yj_import_stage_get_in(&x->plans, sp->from + i, sp->staged, sp->len)))
			ch->rc = ST_ERR;
	if (x->plans.grow_lock)
		pthread_rwlock_unlock(x->plans.grow_lock);
	if (ch->rc >= 0 && x->imp->prepare)
		ch->prep = x->imp->prepare(x->k, ch->plans, sp->n);
}

/* Chunk i's span: 1, or 0 when the plans end before it, or IMPORT_ABANDONED. With the check still
 * running (x->feed), waits until the chunk is whole or the check has ended. */
static int chunk_span(const pipeline *p, size_t i, span *sp)
{
	const import_ctx *x = p->x;
	size_t from = i * p->per;
	import_feed *f = x->feed;
	if (!f) {
		*sp = (span){from, x->plans.n - from < p->per ? x->plans.n - from : p->per, x->plans.n, x->plans.len};
		return from < x->plans.n;
	}
	pthread_mutex_lock(&f->mu);
	while (!f->done && !f->abandon && f->staged < from + p->per)
		pthread_cond_wait(&f->cv, &f->mu);
	int rc = f->abandon ? IMPORT_ABANDONED : f->staged > from;
	*sp = (span){from, f->staged - from < p->per ? f->staged - from : p->per, f->staged, f->staged_len};
	pthread_mutex_unlock(&f->mu);
	return rc;
}

/* The preparing thread: chunk after chunk, each into its slot once the writer is done with what
 * the slot held (which it frees first). */
static void *preparer(void *arg)
{
	pipeline *p = arg;
	for (size_t i = 0;; i++) {
		chunk *ch = &p->slot[i % 2];
		int *state = &p->state[i % 2];
		pthread_mutex_lock(&p->mu);
		while (!p->stop && *state == SLOT_READY)
			pthread_cond_wait(&p->cv, &p->mu);
		int stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		chunk_release(p->x, ch);
		span sp;
		int more = chunk_span(p, i, &sp);
		if (more > 0)
			chunk_prepare(p->x, ch, &sp);
		pthread_mutex_lock(&p->mu);
		*state = more > 0 ? SLOT_READY : more == 0 ? SLOT_END : SLOT_ABANDON;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (more <= 0)
			break;
	}
	p->prep_cpu_ns = yj_thread_cpu_ns(); /* read by the writer after the join */
	return NULL;
}

/* Writes one prepared chunk on c. */
static int chunk_write(store_conn *c, const import_ctx *x, chunk *ch)
{
	if (ch->rc < 0)
		return ch->rc;
	if (x->imp->publish_many)
		return x->imp->publish_many(c, x->k, x->o, ch->plans, ch->n, ch->prep);
	int rc = ST_OK;
	for (size_t i = 0; rc >= 0 && i < ch->n; i++)
		rc = x->imp->publish(c, x->k, x->o, ch->plans[i]);
	return rc;
}

/* Every staged plan written on c, in order — with the check still staging (x->feed), chunk by chunk
 * as they are staged, until the check ends; the preparing thread started when there is more than one
 * chunk, or may be (without it, should it fail to start, the writer prepares each chunk itself). */
int yj_import_publish_plans(store_conn *c, import_ctx *x)
{
	pipeline p = {.x = x, .per = yj_import_chunk_plans ? yj_import_chunk_plans : 4096};
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	/* A second thread when there is more than one chunk, or may be (the check still staging). */
	p.threaded = (x->feed || x->plans.n > p.per) && pthread_create(&p.th, NULL, preparer, &p) == 0;
	uint64_t cpu0 = yj_thread_cpu_ns(), waited = 0;
	int rc = ST_OK;
	for (size_t i = 0; rc >= 0; i++) {
		chunk *ch = &p.slot[i % 2];
		int more;
		if (!p.threaded) {
			chunk_release(x, ch);
			span sp;
			if ((more = chunk_span(&p, i, &sp)) > 0)
				chunk_prepare(x, ch, &sp);
		} else {
			uint64_t t0 = yj_mono_ns();
			pthread_mutex_lock(&p.mu);
			while (p.state[i % 2] != SLOT_READY && p.state[i % 2] != SLOT_END && p.state[i % 2] != SLOT_ABANDON)
				pthread_cond_wait(&p.cv, &p.mu);
			more = p.state[i % 2] == SLOT_READY ? 1 : p.state[i % 2] == SLOT_END ? 0 : IMPORT_ABANDONED;
			pthread_mutex_unlock(&p.mu);
			waited += yj_mono_ns() - t0;
		}
		if (more <= 0) {
			rc = more < 0 ? more : rc;
			break;
		}
		p.nchunks++;
		rc = chunk_write(c, x, ch);
		atomic_fetch_add(&yj_import_chunks_written, 1);
		pthread_mutex_lock(&p.mu);
		p.state[i % 2] = SLOT_WRITTEN;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	if (p.threaded) {
		pthread_mutex_lock(&p.mu);
		p.stop = 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		pthread_join(p.th, NULL);
	}
	chunk_release(x, &p.slot[0]);
	chunk_release(x, &p.slot[1]);
	/* Which thread bounds the publication: the writer's waits for a chunk are the preparer's. */
	yj_log(YJ_LOG_INFO, "import.pipeline",
	       "\"chunks\":%zu,\"threads\":%d,\"writer_cpu_ms\":%.1f,\"preparer_cpu_ms\":%.1f,\"writer_waited_ms\":%.1f",
	       p.nchunks, p.threaded ? 2 : 1, (double)(yj_thread_cpu_ns() - cpu0) / 1e6, (double)p.prep_cpu_ns / 1e6,
	       (double)waited / 1e6);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	return rc;
}
