/* events_store.c — the SQL of events: appending under the counter row (so ids commit in order),
 * reading events after a subscriber's cursor, and the per-subscriber delivery rows that make
 * delivery idempotent by event id and hold back later events of a subject behind a failed one. */
#include "events_int.h"

#include <stdlib.h>
#include <string.h>

void ev_row_free(ev_row *r)
{
	if (!r)
		return;
	free(r->type);
	free(r->subject_type);
	free(r->subject_id);
	free(r->region_code);
	free(r->actor);
	json_decref(r->payload);
	memset(r, 0, sizeof *r);
}

void ev_row_view(const ev_row *r, yj_event_view *out)
{
	*out = (yj_event_view){r->id, r->type, r->subject_type, r->subject_id, r->region_code, r->actor, r->at, r->payload};
}

/* Takes n ids from the counter in one statement; *last receives the highest. */
static int take_ids(store_conn *c, int64_t n, int64_t *last)
{
	store_stmt *st = store_prepare(c, "UPDATE event_head SET last_id = last_id + ? WHERE id = 1 RETURNING last_id");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, n);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*last = store_col_int64(st, 0);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_ERR; /* the counter row is missing */
	}
	store_finalize(st);
	return rc;
}

#define EVENT_COLUMNS "id, type, subject_type, subject_id, region_code, payload, actor, at"

/* The events of one append_many: n of them, numbered from first. */
typedef struct ev_batch {
	const ev_pending *v;
	int64_t first;
} ev_batch;

/* Binds event row of b to parameters idx … idx + 7 of st (EVENT_COLUMNS' order). The texts are the
 * caller's until after the statement: bound, not copied (where the engine can). */
static int bind_event(store_stmt *st, int idx, size_t row, void *arg)
{
	const ev_batch *b = arg;
	const ev_pending *p = &b->v[row];
	store_bind_int64(st, idx, b->first + (int64_t)row);
	for (int k = 0; k < 4; k++)
		store_bind_text_static(st, idx + 1 + k, p->text[k], -1);
	store_bind_text_static(st, idx + 5, p->payload, -1);
	store_bind_text_static(st, idx + 6, p->text[4], -1);
	store_bind_int64(st, idx + 7, p->at);
	return idx + 8;
}

/* Many events on PostgreSQL go by one COPY (store_load_rows): no statement of thousands of parameters
 * to parse and plan per few hundred events, and the server inserts while the client sends the rest
 * (docs/benchmarks.md, "Issue 15: the import's audit flush and events on PostgreSQL"); a few, or on
 * SQLite, by multi-row INSERTs. */
int ev_store_append_many(store_conn *c, const ev_pending *v, size_t n)
{
	int64_t last = 0;
	int rc = take_ids(c, (int64_t)n, &last);
	if (rc < 0)
		return rc;
	ev_batch b = {v, last - (int64_t)n + 1};
	return store_load_rows(c, "events", EVENT_COLUMNS, 8, n, bind_event, &b, 0);
}

int ev_store_append(store_conn *c, const yj_event *ev, int64_t now, int64_t *id_out)
{
	/* The UPDATE holds event_head's row lock until this transaction ends, so a later id cannot
	 * commit before an earlier one: a reader that sees event n has seen every event below n. */
	int64_t id = 0;
	int rc = take_ids(c, 1, &id);
	if (rc < 0)
		return rc;
	store_stmt *st;
	char *payload = ev->payload ? json_dumps(ev->payload, JSON_COMPACT) : NULL;
	st = store_prepare(c, "INSERT INTO events (id, type, subject_type, subject_id, region_code, payload, actor, at)"
			      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st) {
		free(payload);
		return ST_ERR;
	}
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, ev->type, -1);
	store_bind_text(st, 3, ev->subject_type, -1);
	store_bind_text(st, 4, ev->subject_id, -1);
	store_bind_text(st, 5, ev->region_code ? ev->region_code : "", -1);
	store_bind_text(st, 6, payload ? payload : "{}", -1);
	store_bind_text(st, 7, ev->actor ? ev->actor : "system", -1);
	store_bind_int64(st, 8, now);
	rc = store_step(st);
	store_finalize(st);
	free(payload);
	if (rc < 0)
		return rc;
	if (id_out)
		*id_out = id;
	return ST_OK;
}

int ev_store_cursor(store_conn *c, const char *sub, int64_t *pos)
{
	*pos = 0;
	int rc = store_query_int64(c, "SELECT position FROM event_cursors WHERE subscriber = ?", sub, pos);
	return rc == ST_NOTFOUND ? ST_OK : rc;
}

int ev_store_set_cursor(store_conn *c, const char *sub, int64_t pos, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO event_cursors (subscriber, position, updated_at) VALUES (?, ?, ?)"
					  " ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position,"
					  " updated_at = excluded.updated_at WHERE event_cursors.position < excluded.position");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, sub, -1);
	store_bind_int64(st, 2, pos);
	store_bind_int64(st, 3, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

#define EV_COLS "id, type, subject_type, subject_id, region_code, actor, at, payload"

/* Fills out from a row of EV_COLS. */
static void read_row(store_stmt *st, ev_row *out)
{
	out->id = store_col_int64(st, 0);
	out->type = yj_strdup(store_col_text(st, 1));
	out->subject_type = yj_strdup(store_col_text(st, 2));
	out->subject_id = yj_strdup(store_col_text(st, 3));
	out->region_code = yj_strdup(store_col_text(st, 4));
	out->actor = yj_strdup(store_col_text(st, 5));
	out->at = store_col_int64(st, 6);
	out->payload = json_loads(store_col_text(st, 7) ? store_col_text(st, 7) : "{}", 0, NULL);
	if (!out->payload)
		out->payload = json_object();
}

int ev_store_get(store_conn *c, int64_t id, ev_row *out)
{
	store_stmt *st = store_prepare(c, "SELECT " EV_COLS " FROM events WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW)
		read_row(st, out);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int ev_store_after(store *s, const char *const *types, int64_t after, int limit, ev_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT " EV_COLS " FROM events WHERE id > ? AND type IN (");
	size_t ntypes = 0;
	for (; types[ntypes]; ntypes++)
		yj_buf_puts(&sql, ntypes ? ", ?" : "?");
	yj_buf_puts(&sql, ") ORDER BY id LIMIT ?");
	store_conn *c = store_conn_get(s);
	int rc = ntypes ? store_begin(c, 0) : ST_DONE;
	if (rc != ST_OK)
		goto done;
	store_stmt *st = store_prepare(c, sql.data);
	if (!st) {
		rc = ST_ERR;
		goto end;
	}
	store_bind_int64(st, 1, after);
	for (size_t i = 0; i < ntypes; i++)
		store_bind_text(st, (int)i + 2, types[i], -1);
	store_bind_int64(st, (int)ntypes + 2, limit);
	*rows = yj_calloc((size_t)limit, sizeof **rows);
	while (*n < (size_t)limit && (rc = store_step(st)) == ST_ROW)
		read_row(st, &(*rows)[(*n)++]);
	store_finalize(st);
end:
	store_rollback(c);
done:
	yj_buf_free(&sql);
	return rc < 0 ? rc : ST_OK;
}

int ev_store_parked(store *s, const char *sub, int limit, ev_parked **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	store_conn *c = store_conn_get(s);
	int rc = store_begin(c, 0);
	if (rc < 0)
		return rc;
	store_stmt *st = store_prepare(c, "SELECT event_id, next_at, attempts, subject_type, subject_id FROM event_deliveries"
					  " WHERE subscriber = ? AND state = 'pending' ORDER BY event_id LIMIT ?");
	if (!st) {
		rc = ST_ERR;
		goto end;
	}
	store_bind_text(st, 1, sub, -1);
	store_bind_int64(st, 2, limit);
	*rows = yj_calloc((size_t)limit, sizeof **rows);
	while (*n < (size_t)limit && (rc = store_step(st)) == ST_ROW) {
		ev_parked *p = &(*rows)[(*n)++];
		p->event_id = store_col_int64(st, 0);
		p->next_at = store_col_int64(st, 1);
		p->attempts = store_col_int64(st, 2);
		p->subject = yj_asprintf("%s\x1f%s", store_col_text(st, 3), store_col_text(st, 4));
	}
	store_finalize(st);
end:
	store_rollback(c);
	return rc < 0 ? rc : ST_OK;
}

int ev_store_state(store_conn *c, const char *sub, int64_t event_id, const char **state, int64_t *attempts)
{
	*state = NULL;
	*attempts = 0;
	store_stmt *st = store_prepare(c, "SELECT state, attempts FROM event_deliveries WHERE subscriber = ? AND event_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, sub, -1);
	store_bind_int64(st, 2, event_id);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		const char *v = store_col_text(st, 0);
		*state = v && strcmp(v, "done") == 0 ? "done" : "pending";
		*attempts = store_col_int64(st, 1);
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int ev_store_subject_blocked(store_conn *c, const char *sub, const char *subject_type, const char *subject_id,
			     int64_t before)
{
	store_stmt *st = store_prepare(c, "SELECT 1 FROM event_deliveries WHERE subscriber = ? AND subject_type = ?"
					  " AND subject_id = ? AND state = 'pending' AND event_id < ? LIMIT 1");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, sub, -1);
	store_bind_text(st, 2, subject_type, -1);
	store_bind_text(st, 3, subject_id, -1);
	store_bind_int64(st, 4, before);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : rc == ST_ROW;
}

int ev_store_mark(store_conn *c, const char *sub, const ev_row *ev, const char *state, int64_t attempts,
		  int64_t next_at, const char *error, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO event_deliveries (subscriber, event_id, subject_type, subject_id, state,"
					  " attempts, next_at, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
					  " ON CONFLICT (subscriber, event_id) DO UPDATE SET state = excluded.state,"
					  " attempts = excluded.attempts, next_at = excluded.next_at,"
					  " last_error = excluded.last_error, updated_at = excluded.updated_at");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, sub, -1);
	store_bind_int64(st, 2, ev->id);
	store_bind_text(st, 3, ev->subject_type, -1);
	store_bind_text(st, 4, ev->subject_id, -1);
	store_bind_text(st, 5, state, -1);
	store_bind_int64(st, 6, attempts);
	store_bind_int64(st, 7, next_at);
	store_bind_text(st, 8, error, -1);
	store_bind_int64(st, 9, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int ev_store_lag(store_conn *c, const char *sub, const char *const *types, int64_t *count, int64_t *oldest_at)
{
	int64_t pos = 0;
	*count = 0;
	*oldest_at = 0;
	int rc = ev_store_cursor(c, sub, &pos);
	if (rc < 0)
		return rc;
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT COUNT(*), MIN(at) FROM events WHERE id > ? AND type IN (");
	size_t ntypes = 0;
	for (; types[ntypes]; ntypes++)
		yj_buf_puts(&sql, ntypes ? ", ?" : "?");
	yj_buf_puts(&sql, ")");
	const char *const parked = "SELECT COUNT(*), MIN(e.at) FROM event_deliveries d JOIN events e ON e.id = d.event_id"
				   " WHERE d.subscriber = ? AND d.state = 'pending'";
	for (int pass = 0; pass < 2 && rc >= 0; pass++) {
		if (pass == 0 && !ntypes)
			continue;
		store_stmt *st = store_prepare(c, pass == 0 ? sql.data : parked);
		if (!st) {
			rc = ST_ERR;
			break;
		}
		if (pass == 0) {
			store_bind_int64(st, 1, pos);
			for (size_t i = 0; i < ntypes; i++)
				store_bind_text(st, (int)i + 2, types[i], -1);
		} else {
			store_bind_text(st, 1, sub, -1);
		}
		rc = store_step(st);
		if (rc == ST_ROW) {
			*count += store_col_int64(st, 0);
			int64_t at = store_col_is_null(st, 1) ? 0 : store_col_int64(st, 1);
			if (at && (!*oldest_at || at < *oldest_at))
				*oldest_at = at;
		}
		store_finalize(st);
	}
	yj_buf_free(&sql);
	return rc < 0 ? rc : ST_OK;
}

int ev_store_claim(store_conn *c, const char *sub, const ev_row *ev, int64_t now)
{
	/* The row lock this takes (or waits for) is what makes two deliverers of one subscriber —
	 * a process that lost its lease and the one that took over — hand an event over once. */
	store_stmt *st = store_prepare(c, "INSERT INTO event_deliveries (subscriber, event_id, subject_type, subject_id, state,"
					  " attempts, next_at, last_error, updated_at) VALUES (?, ?, ?, ?, 'done', 1, 0, NULL, ?)"
					  " ON CONFLICT (subscriber, event_id) DO UPDATE SET state = 'done',"
					  " attempts = event_deliveries.attempts + 1, next_at = 0, last_error = NULL,"
					  " updated_at = excluded.updated_at WHERE event_deliveries.state <> 'done'");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, sub, -1);
	store_bind_int64(st, 2, ev->id);
	store_bind_text(st, 3, ev->subject_type, -1);
	store_bind_text(st, 4, ev->subject_id, -1);
	store_bind_int64(st, 5, now);
	int rc = store_step(st);
	int64_t n = store_changes(st);
	store_finalize(st);
	return rc < 0 ? rc : n == 1;
}
