/* metrics.c — request counts and latency histograms by route and status, and the store's pool
 * figures, in Prometheus text exposition format. Lock-free: one set of atomics per route. The
 * jobs' and events' gauges are read from the database at each scrape (jobs.h, events.h). */
#include "http_int.h"
#include "../events/events.h"
#include "../jobs/jobs.h"

#include <string.h>

static const int statuses[YJ_NSTATUS] = {200, 201, 204, 301, 302, 304, 400, 401, 403, 404,
					 405, 409, 413, 415, 422, 429, 500, 503, 0, 0};
static const double bounds[YJ_NBUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
					   0.05, 0.1, 0.25, 0.5, 1, 2.5};

static int status_slot(int status)
{
	for (int i = 0; i < YJ_NSTATUS - 2; i++)
		if (statuses[i] == status)
			return i;
	return YJ_NSTATUS - 1; /* other */
}

void yj_metrics_observe(yj_server *srv, size_t route_idx, int status, uint64_t dur_ns)
{
	route_metrics *m = &srv->metrics[route_idx];
	int s = status_slot(status);
	double sec = (double)dur_ns / 1e9;
	atomic_fetch_add(&m->count[s], 1);
	atomic_fetch_add(&m->sum_us[s], (int64_t)(dur_ns / 1000));
	for (int b = 0; b < YJ_NBUCKETS; b++)
		if (sec <= bounds[b]) {
			atomic_fetch_add(&m->buckets[s][b], 1);
			break;
		}
}

static void labels(yj_buf *out, const char *method, const char *route, int status)
{
	if (status)
		yj_buf_printf(out, "{method=\"%s\",route=\"%s\",status=\"%d\"", method, route, status);
	else
		yj_buf_printf(out, "{method=\"%s\",route=\"%s\",status=\"other\"", method, route);
}

void yj_metrics_render(yj_server *srv, yj_buf *out)
{
	yj_buf_puts(out, "# HELP yijian_http_requests_total HTTP requests by route and status.\n"
			 "# TYPE yijian_http_requests_total counter\n");
	yj_buf hist = YJ_BUF_INIT;
	yj_buf_puts(&hist, "# HELP yijian_http_request_duration_seconds Time from request start to response.\n"
			   "# TYPE yijian_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= srv->nroutes; i++) {
		route_metrics *m = &srv->metrics[i];
		const char *method = i < srv->nroutes ? srv->routes[i]->method : "ANY";
		const char *route = i < srv->nroutes ? srv->routes[i]->path : "unmatched";
		for (int s = 0; s < YJ_NSTATUS; s++) {
			int64_t n = atomic_load(&m->count[s]);
			if (!n)
				continue;
			int st = s == YJ_NSTATUS - 1 ? 0 : statuses[s];
			yj_buf_puts(out, "yijian_http_requests_total");
			labels(out, method, route, st);
			yj_buf_printf(out, "} %lld\n", (long long)n);
			int64_t cum = 0;
			for (int b = 0; b < YJ_NBUCKETS; b++) {
				cum += atomic_load(&m->buckets[s][b]);
				yj_buf_puts(&hist, "yijian_http_request_duration_seconds_bucket");
				labels(&hist, method, route, st);
				yj_buf_printf(&hist, ",le=\"%g\"} %lld\n", bounds[b], (long long)cum);
			}
			yj_buf_puts(&hist, "yijian_http_request_duration_seconds_bucket");
			labels(&hist, method, route, st);
			yj_buf_printf(&hist, ",le=\"+Inf\"} %lld\n", (long long)n);
			yj_buf_puts(&hist, "yijian_http_request_duration_seconds_sum");
			labels(&hist, method, route, st);
			yj_buf_printf(&hist, "} %.6f\n", (double)atomic_load(&m->sum_us[s]) / 1e6);
			yj_buf_puts(&hist, "yijian_http_request_duration_seconds_count");
			labels(&hist, method, route, st);
			yj_buf_printf(&hist, "} %lld\n", (long long)n);
		}
	}
	yj_buf_append(out, hist.data ? hist.data : "", hist.len);
	yj_buf_free(&hist);

	store_stats ss;
	store_get_stats(srv->st, &ss);
	yj_buf_printf(out,
		      "# HELP yijian_http_in_flight Requests being handled now.\n# TYPE yijian_http_in_flight gauge\n"
		      "yijian_http_in_flight %lld\n"
		      "# HELP yijian_http_abandoned_total Reads dropped unanswered because their client had closed the connection.\n"
		      "# TYPE yijian_http_abandoned_total counter\nyijian_http_abandoned_total %lld\n"
		      "# HELP yijian_store_connections Open database connections (one per worker thread).\n"
		      "# TYPE yijian_store_connections gauge\nyijian_store_connections{engine=\"%s\"} %lld\n"
		      "# HELP yijian_store_transactions_total Committed write transactions.\n"
		      "# TYPE yijian_store_transactions_total counter\nyijian_store_transactions_total %lld\n"
		      "# HELP yijian_store_rollbacks_total Rolled back transactions.\n"
		      "# TYPE yijian_store_rollbacks_total counter\nyijian_store_rollbacks_total %lld\n"
		      "# HELP yijian_store_retries_total Transactions re-run after a serialization failure or busy database.\n"
		      "# TYPE yijian_store_retries_total counter\nyijian_store_retries_total %lld\n"
		      "# HELP yijian_store_writer_wait_seconds_total Time spent waiting for the SQLite writer.\n"
		      "# TYPE yijian_store_writer_wait_seconds_total counter\nyijian_store_writer_wait_seconds_total %.6f\n",
		      (long long)atomic_load(&srv->in_flight), (long long)atomic_load(&srv->abandoned), store_engine(srv->st), (long long)ss.connections,
		      (long long)ss.transactions, (long long)ss.rollbacks, (long long)ss.retries,
		      (double)ss.writer_wait_ns / 1e9);
	int64_t groups, members;
	store_group_stats(&groups, &members);
	yj_buf_printf(out,
		      "# HELP yijian_store_groups_total Commit groups of two or more writes (store_tx_group).\n"
		      "# TYPE yijian_store_groups_total counter\nyijian_store_groups_total %lld\n"
		      "# HELP yijian_store_group_members_total Writes run in those groups.\n"
		      "# TYPE yijian_store_group_members_total counter\nyijian_store_group_members_total %lld\n",
		      (long long)groups, (long long)members);
	yj_workq_metrics(srv, out); /* threads' busy time; the queue's depth and wait (--dispatch queue) */
	yj_replica_metrics(srv, out);
	yj_events_metrics(srv->st, out); /* delivery lag per subscriber */
	yj_jobs_metrics(srv->st, out);
}
