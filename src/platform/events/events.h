/* events.h — how capabilities tell each other what happened without reading each other's tables.
 * The module where something happened appends an event (type, subject, territory, payload) in the
 * same transaction as its change; other modules subscribe by event type with a C function, which
 * the job runner calls: at least once, in order per subject, never again once delivered (each
 * subscriber's deliveries are recorded by event id in the transaction of its own change), and
 * retried with back-off when it fails. A failing subscriber holds back only its own later events
 * of the same subject; other subjects and other subscribers go on. docs/events.md lists the types.
 *
 * Ownership: definitions passed to yj_events_subscribe are borrowed for the life of the process
 * (static storage); everything a subscriber receives is borrowed for the call. */
#ifndef YJ_EVENTS_H
#define YJ_EVENTS_H

#include <jansson.h>
#include <stdint.h>

#include "../../base/base.h"
#include "../store/store.h"

/* What happened, as the emitting module says it. */
typedef struct yj_event {
	const char *type;	  /* "<module>.<what happened>": "inspection.task_completed" */
	const char *subject_type; /* the object it happened to, as in the audit log: "inspection_task" */
	const char *subject_id;
	const char *region_code;  /* the subject's territory (GB/T 2260), "" when none; scopes the listing */
	const char *actor;	  /* as in the audit log: user id, "system", "cli:<username>"; NULL = "system" */
	const json_t *payload;	  /* a JSON object (borrowed); NULL = {} */
} yj_event;

/* Appends ev inside the caller's write transaction c, so the event exists exactly when the change
 * does. Events commit in id order (the id comes from a counter row the transaction holds until it
 * ends). Call it after the change's audit append: every writer takes audit_head before event_head,
 * so the two row locks never deadlock. *id_out (may be NULL) receives the event id. Returns ST_OK,
 * ST_ERR for an event without type or subject or with a payload that is not an object, or a
 * store failure. */
int yj_event_emit(store_conn *c, const yj_event *ev, int64_t *id_out);

/* Deferred emits, for a bulk publication (the CSV import), like yj_audit_defer_*: between
 * yj_events_defer_begin(c) and yj_events_defer_flush(c), yj_event_emit on c keeps each event in
 * memory (copied; *id_out is 0) instead of taking event_head; the flush, still inside the same
 * write transaction, takes the counter once for all of them (consecutive ids, in emit order) and
 * inserts them in multi-row statements. Updating the counter row once per event made each update
 * walk every earlier version of that row the transaction had made (PostgreSQL), so a publication's
 * cost grew with the square of its size. Call the flush after yj_audit_defer_flush (audit_head
 * before event_head, as for single writes). Returns ST_OK or a store failure; the kept events are
 * gone either way. yj_events_defer_discard drops them. One deferral per thread. */
void yj_events_defer_begin(store_conn *c);
int yj_events_defer_flush(store_conn *c);
void yj_events_defer_discard(store_conn *c);

/* An event as a subscriber receives it. */
typedef struct yj_event_view {
	int64_t id;
	const char *type, *subject_type, *subject_id, *region_code, *actor;
	int64_t at; /* epoch ms of the append */
	const json_t *payload;
} yj_event_view;

/* Handles one event inside a write transaction c that also records the delivery: its changes and
 * the record commit together. Returns ST_OK, or a failure to roll both back and retry later. */
typedef int (*yj_event_fn)(store_conn *c, const yj_event_view *ev, void *arg);

typedef struct yj_subscriber {
	const char *name;	   /* unique, stable across releases (it keys the cursor): "todos" */
	const char *const *types;  /* NULL-terminated event types it receives */
	yj_event_fn fn;
	void *arg;
} yj_subscriber;

/* Registers a subscriber (borrowed, see above); call before yj_events_start_jobs. Up to 64. */
void yj_events_subscribe(const yj_subscriber *sub);
/* The registered subscribers; *n receives their count. */
const yj_subscriber *const *yj_events_subscribers(size_t *n);

/* Retry policy of deliveries. */
typedef struct yj_events_policy {
	int64_t backoff_ms;	/* first retry delay, doubled per failed attempt; default 5000 */
	int64_t backoff_max_ms; /* default 3600000 */
	int batch;		/* events read per round; default 200 */
} yj_events_policy;

/* One round of delivery to sub at time now: first its parked events that are due (in id order,
 * one subject at a time), then new events after its cursor. p may be NULL (defaults). Returns the
 * number of events handled (delivered, parked or failed), 0 when there was nothing to do, or a
 * store failure. The job runner calls this; tests call it directly. */
int yj_events_deliver(store *s, const yj_subscriber *sub, int64_t now, const yj_events_policy *p);

/* Registers one periodic job per subscriber ("events.deliver:<name>", every `every_s` seconds)
 * that delivers until caught up. Call after every yj_events_subscribe and before yj_jobs_start. */
void yj_events_register_jobs(int64_t every_s);

/* Prometheus lines on delivery lag per subscriber (undelivered events and the age of the oldest)
 * appended to out. Reads in a transaction of its own; writes nothing when the store fails. */
void yj_events_metrics(store *s, yj_buf *out);

/* The route GET /api/v1/system/events (administrators) is yj_event_routes in events_api.c. */

#endif
