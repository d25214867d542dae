/* events_int.h — inside the events module: an event row as read back, and the SQL of
 * events_store.c that events.c (delivery) and events_api.c (the listing) are built on. */
#ifndef YJ_EVENTS_INT_H
#define YJ_EVENTS_INT_H

#include "events.h"

/* An event read back; strings and payload owned by the row (ev_row_free). */
typedef struct ev_row {
	int64_t id, at;
	char *type, *subject_type, *subject_id, *region_code, *actor;
	json_t *payload;
} ev_row;
void ev_row_free(ev_row *r);
/* A borrowed view of r for a subscriber. */
void ev_row_view(const ev_row *r, yj_event_view *out);

/* A parked delivery: its event and when it may be tried again. */
typedef struct ev_parked {
	int64_t event_id, next_at, attempts;
	char *subject; /* subject_type "\x1f" subject_id, owned */
} ev_parked;

int ev_store_append(store_conn *c, const yj_event *ev, int64_t now, int64_t *id_out);
/* n events in one take of the counter, then multi-row inserts, or from 128 on PostgreSQL one COPY
 * (yj_events_defer_flush). */
typedef struct ev_pending {
	char *text[5]; /* type, subject_type, subject_id, region_code, actor (in the deferral's pool) */
	char *payload; /* compact JSON (likewise) */
	int64_t at;
} ev_pending;
int ev_store_append_many(store_conn *c, const ev_pending *v, size_t n);
/* The subscriber's cursor (0 when it has none yet). */
int ev_store_cursor(store_conn *c, const char *sub, int64_t *pos);
int ev_store_set_cursor(store_conn *c, const char *sub, int64_t pos, int64_t now);
/* Up to limit events of types after position, in id order, into *rows (caller frees each with
 * ev_row_free, then the array). */
int ev_store_after(store *s, const char *const *types, int64_t after, int limit, ev_row **rows, size_t *n);
/* One event by id (ST_NOTFOUND when gone). */
int ev_store_get(store_conn *c, int64_t id, ev_row *out);
/* The subscriber's parked deliveries in event order, up to limit (caller frees each subject, then the array). */
int ev_store_parked(store *s, const char *sub, int limit, ev_parked **rows, size_t *n);
/* "done", "pending" or NULL (no row) for (sub, event) in *state (static strings). */
int ev_store_state(store_conn *c, const char *sub, int64_t event_id, const char **state, int64_t *attempts);
/* True (1) when sub has a pending delivery of this subject with an id below before. */
int ev_store_subject_blocked(store_conn *c, const char *sub, const char *subject_type, const char *subject_id,
			     int64_t before);
/* Writes (sub, event)'s delivery row. */
int ev_store_mark(store_conn *c, const char *sub, const ev_row *ev, const char *state, int64_t attempts,
		  int64_t next_at, const char *error, int64_t now);
/* Marks (sub, event) delivered unless it already is: 1 when this transaction now owns the
 * delivery (run the subscriber; a rollback undoes the mark), 0 when it was done already. */
int ev_store_claim(store_conn *c, const char *sub, const ev_row *ev, int64_t now);
/* Lag of sub: events not yet delivered (after its cursor, or parked) in *count and the append
 * time of the oldest in *oldest_at (0 when none). Inside the caller's transaction. */
int ev_store_lag(store_conn *c, const char *sub, const char *const *types, int64_t *count, int64_t *oldest_at);

#endif
