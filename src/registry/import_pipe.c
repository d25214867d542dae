/* import_pipe.c — the publication's second thread (import.h, import_int.h): it unpacks and prepares
 * the next chunk of staged plans, and frees the last, while the connection's thread writes. */
#define _POSIX_C_SOURCE 200809L
#include "import_int.h"
#include "../base/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

size_t yj_import_chunk_plans = 4096;

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

enum { SLOT_FREE, SLOT_READY, SLOT_WRITTEN };

typedef struct chunk {
	json_t **plans;
	size_t n;
	void *prep; /* the kind's prepare of plans, or NULL */
	int rc;	    /* of the unpacking */
} chunk;

typedef struct pipeline {
	import_ctx *x;
	size_t per, nchunks;
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

static void chunk_prepare(const import_ctx *x, chunk *ch, size_t from, size_t n)
{
	ch->plans = yj_calloc(n, sizeof *ch->plans);
	ch->n = n;
	ch->rc = ST_OK;
	for (size_t i = 0; i < n && ch->rc >= 0; i++)
		if (!(ch->plans[i] = yj_import_stage_get(&x->plans, from + i)))
			ch->rc = ST_ERR;
	if (ch->rc >= 0 && x->imp->prepare)
		ch->prep = x->imp->prepare(x->k, ch->plans, n);
}

static size_t chunk_from(const pipeline *p, size_t i)
{
	return i * p->per;
}

static size_t chunk_len(const pipeline *p, size_t i)
{
	size_t from = chunk_from(p, i);
	return p->x->plans.n - from < p->per ? p->x->plans.n - from : p->per;
}

/* The preparing thread: chunk after chunk, each into its slot once the writer is done with what
 * the slot held (which it frees first). */
static void *preparer(void *arg)
{
	pipeline *p = arg;
	for (size_t i = 0; i < p->nchunks; i++) {
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
		chunk_prepare(p->x, ch, chunk_from(p, i), chunk_len(p, i));
		pthread_mutex_lock(&p->mu);
		*state = SLOT_READY;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
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

/* Every staged plan written on c, in order; the preparing thread started when there is more than
 * one chunk (without it, should it fail to start, the writer prepares each chunk itself). */
int yj_import_publish_plans(store_conn *c, import_ctx *x)
{
	pipeline p = {.x = x, .per = yj_import_chunk_plans ? yj_import_chunk_plans : 4096};
	p.nchunks = (x->plans.n + p.per - 1) / p.per;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	p.threaded = p.nchunks > 1 && pthread_create(&p.th, NULL, preparer, &p) == 0;
	uint64_t cpu0 = yj_thread_cpu_ns(), waited = 0;
	int rc = ST_OK;
	for (size_t i = 0; i < p.nchunks && rc >= 0; i++) {
		chunk *ch = &p.slot[i % 2];
		if (!p.threaded) {
			chunk_release(x, ch);
			chunk_prepare(x, ch, chunk_from(&p, i), chunk_len(&p, i));
		} else {
			uint64_t t0 = yj_mono_ns();
			pthread_mutex_lock(&p.mu);
			while (p.state[i % 2] != SLOT_READY)
				pthread_cond_wait(&p.cv, &p.mu);
			pthread_mutex_unlock(&p.mu);
			waited += yj_mono_ns() - t0;
		}
		rc = chunk_write(c, x, ch);
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
