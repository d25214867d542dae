/* workq.c — serve --dispatch queue: one FIFO of complete requests served by N worker threads, so
 * requests run in the order they arrived whichever connection they came on. The polling thread
 * reads a request, suspends its connection and queues it (server.c); a worker runs the handler and
 * resumes the connection, and the polling thread sends the reply. Also each thread's busy time. */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

/* Queue waits use the request histogram's bounds, with finer steps below a millisecond. */
static const double wait_bounds[YJ_NWAIT] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
					     0.01,   0.025,   0.05,   0.1,   0.25,   1};

struct yj_workq {
	yj_server *srv;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	yj_req *head, *tail; /* FIFO, linked through qnext */
	int64_t depth;
	int stopping;
	unsigned nworkers;
	pthread_t *workers;
	_Atomic int64_t wait_count, wait_sum_us, wait_buckets[YJ_NWAIT];
	_Atomic int64_t max_depth;
};

/* The busy-time slot of the calling thread for srv (threads are numbered as they first serve). */
static _Thread_local const yj_server *slot_srv;
static _Thread_local int slot;

void yj_busy_add(yj_server *srv, uint64_t ns)
{
	if (slot_srv != srv) {
		slot_srv = srv;
		slot = (int)atomic_fetch_add(&srv->nbusy, 1);
		if (slot >= YJ_MAX_BUSY)
			slot = YJ_MAX_BUSY - 1; /* the last slot sums the rest */
	}
	atomic_fetch_add(&srv->busy_us[slot], (int64_t)(ns / 1000));
	atomic_fetch_add(&srv->busy_count[slot], 1);
}

static void observe_wait(yj_workq *q, uint64_t ns)
{
	double sec = (double)ns / 1e9;
	atomic_fetch_add(&q->wait_count, 1);
	atomic_fetch_add(&q->wait_sum_us, (int64_t)(ns / 1000));
	for (int b = 0; b < YJ_NWAIT; b++)
		if (sec <= wait_bounds[b]) {
			atomic_fetch_add(&q->wait_buckets[b], 1);
			break;
		}
}

static void *worker(void *arg)
{
	yj_workq *q = arg;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->cv, &q->mu);
		yj_req *r = q->head;
		if (!r) { /* stopping and nothing left */
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		q->head = r->qnext;
		if (!q->head)
			q->tail = NULL;
		q->depth--;
		pthread_mutex_unlock(&q->mu);
		uint64_t t = yj_mono_ns();
		observe_wait(q, t - r->t_ready);
		struct MHD_Connection *conn = r->conn;
		yj_serve_queued(r);
		yj_busy_add(q->srv, yj_mono_ns() - t);
		/* r belongs to the polling thread again from here (it sends the reply and frees r). */
		MHD_resume_connection(conn);
	}
}

yj_workq *yj_workq_start(yj_server *srv, unsigned workers)
{
	yj_workq *q = yj_calloc(1, sizeof *q);
	q->srv = srv;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->workers = yj_calloc(workers, sizeof *q->workers);
	for (unsigned i = 0; i < workers; i++) {
		if (pthread_create(&q->workers[i], NULL, worker, q) != 0)
			break;
		q->nworkers++;
	}
	if (!q->nworkers) {
		yj_workq_stop(q);
		return NULL;
	}
	return q;
}

int yj_workq_push(yj_workq *q, yj_req *r)
{
	pthread_mutex_lock(&q->mu);
	if (q->stopping) {
		pthread_mutex_unlock(&q->mu);
		return YJ_ERR;
	}
	/* Suspended before a worker can see it: the worker's resume must come after this suspend. */
	MHD_suspend_connection(r->conn);
	r->t_ready = yj_mono_ns();
	r->qnext = NULL;
	if (q->tail)
		q->tail->qnext = r;
	else
		q->head = r;
	q->tail = r;
	if (++q->depth > atomic_load(&q->max_depth))
		atomic_store(&q->max_depth, q->depth);
	pthread_mutex_unlock(&q->mu);
	/* Woken after the unlock: a worker woken under the lock would at once block on it again (two more
	 * futex calls and a switch a request, measured: docs/benchmarks.md, "Provisional authentication").
	 * The queue outlives its workers, so the condition variable is never gone here. */
	pthread_cond_signal(&q->cv);
	return YJ_OK;
}

void yj_workq_stop_workers(yj_workq *q)
{
	pthread_mutex_lock(&q->mu);
	q->stopping = 1; /* workers run what is queued, then return; later requests run inline */
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	for (unsigned i = 0; i < q->nworkers; i++)
		pthread_join(q->workers[i], NULL);
	q->nworkers = 0;
}

void yj_workq_stop(yj_workq *q)
{
	if (!q)
		return;
	yj_workq_stop_workers(q);
	free(q->workers);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

void yj_workq_metrics(yj_server *srv, yj_buf *out)
{
	int n = (int)atomic_load(&srv->nbusy);
	if (n > YJ_MAX_BUSY)
		n = YJ_MAX_BUSY;
	yj_buf_puts(out, "# HELP yijian_http_thread_busy_seconds_total Time each thread spent running requests (handler "
			 "threads: the pool's in --dispatch inline, the workers in queue).\n"
			 "# TYPE yijian_http_thread_busy_seconds_total counter\n");
	for (int i = 0; i < n; i++)
		yj_buf_printf(out, "yijian_http_thread_busy_seconds_total{thread=\"%d\"} %.6f\n", i,
			      (double)atomic_load(&srv->busy_us[i]) / 1e6);
	yj_buf_puts(out, "# HELP yijian_http_thread_requests_total Requests each thread ran.\n"
			 "# TYPE yijian_http_thread_requests_total counter\n");
	for (int i = 0; i < n; i++)
		yj_buf_printf(out, "yijian_http_thread_requests_total{thread=\"%d\"} %lld\n", i,
			      (long long)atomic_load(&srv->busy_count[i]));
	yj_workq *q = srv->q;
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	int64_t depth = q->depth;
	pthread_mutex_unlock(&q->mu);
	yj_buf_printf(out,
		      "# HELP yijian_http_queue_depth Complete requests waiting for a worker now.\n"
		      "# TYPE yijian_http_queue_depth gauge\nyijian_http_queue_depth %lld\n"
		      "# HELP yijian_http_queue_depth_max Most requests ever waiting at once.\n"
		      "# TYPE yijian_http_queue_depth_max gauge\nyijian_http_queue_depth_max %lld\n"
		      "# HELP yijian_http_queue_wait_seconds Time from a complete request to its handler's start.\n"
		      "# TYPE yijian_http_queue_wait_seconds histogram\n",
		      (long long)depth, (long long)atomic_load(&q->max_depth));
	int64_t cum = 0;
	for (int b = 0; b < YJ_NWAIT; b++) {
		cum += atomic_load(&q->wait_buckets[b]);
		yj_buf_printf(out, "yijian_http_queue_wait_seconds_bucket{le=\"%g\"} %lld\n", wait_bounds[b], (long long)cum);
	}
	yj_buf_printf(out,
		      "yijian_http_queue_wait_seconds_bucket{le=\"+Inf\"} %lld\n"
		      "yijian_http_queue_wait_seconds_sum %.6f\nyijian_http_queue_wait_seconds_count %lld\n",
		      (long long)atomic_load(&q->wait_count), (double)atomic_load(&q->wait_sum_us) / 1e6,
		      (long long)atomic_load(&q->wait_count));
}
