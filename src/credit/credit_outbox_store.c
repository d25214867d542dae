/* credit_outbox_store.c — the outbox's SQL: the subscriber that turns each credit.list_entered and
 * credit.list_exited event into one delivery per active target that covers the event's territory and
 * was subscribed by the event's time, the due deliveries for the sender, and each attempt's outcome. */
#define _POSIX_C_SOURCE 200809L
#include "credit_outbox.h"
#include "../platform/auth/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fan_out(store_conn *c, const yj_event_view *ev, void *arg)
{
	(void)arg;
	credit_subject s;
	const char *kind = json_string_value(json_object_get(ev->payload, "subject_kind"));
	int64_t sid = 0;
	yj_id_parse(ev->subject_id, &sid);
	int rc = credit_subject_load(c, NULL, kind, sid, &s);
	if (rc == ST_NOTFOUND)
		memset(&s, 0, sizeof s);
	else if (rc < 0)
		return rc;
	/* What a receiver needs to act: the list, the subject's name and code, the dates. */
	json_t *body = json_deep_copy(ev->payload);
	json_object_set_new(body, "event_id", yj_json_id(ev->id));
	json_object_set_new(body, "type", json_string(ev->type));
	json_object_set_new(body, "at", json_integer(ev->at));
	json_object_set_new(body, "name", json_string(s.name));
	json_object_set_new(body, "code", json_string(s.code));
	json_object_set_new(body, "region_code", json_string(ev->region_code));
	char *text = yj_json_canonical(body);
	json_decref(body);
	/* The targets subscribed when the event happened, not when this subscriber gets to it: a target
	 * added while the subscriber lags would otherwise get some earlier events and not others. */
	store_stmt *st = credit_prep(c, "SELECT id, region_code FROM credit_outbox_targets WHERE active = 1 AND created_at <= ?"
				     " ORDER BY id", "i", ev->at);
	if (!st || !text) {
		store_finalize(st);
		free(text);
		return ST_ERR;
	}
	int64_t ids[256];
	int n = 0;
	while (n < 256 && (rc = store_step(st)) == ST_ROW) {
		char prefix[16];
		yj_region_prefix(store_col_text(st, 1), prefix);
		if (!strncmp(ev->region_code, prefix, strlen(prefix)))
			ids[n++] = store_col_int64(st, 0);
	}
	store_finalize(st);
	int64_t now = yj_now_ms();
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = credit_exec(c, NULL, "INSERT INTO credit_outbox (id, target_id, event_id, region_code, body, state, attempts,"
					  " next_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (target_id,"
					  " event_id) DO NOTHING", "iiitti" "i", yj_id_new(), ids[i], ev->id, ev->region_code, text,
				 now, now);
	free(text);
	return rc < 0 ? rc : ST_OK;
}

static const char *const types[] = {"credit.list_entered", "credit.list_exited", NULL};
const yj_subscriber yj_credit_outbox_subscriber = {"credit.outbox", types, fan_out, NULL};

int credit_outbox_due(store *s, int64_t now, credit_delivery *out, int cap, int *n)
{
	*n = 0;
	store_conn *c = store_conn_get(s);
	int rc = store_begin(c, 0);
	if (rc < 0)
		return rc;
	store_stmt *st = credit_prep(c, "SELECT o.id, o.body, t.url, o.attempts FROM credit_outbox o JOIN credit_outbox_targets t"
					" ON t.id = o.target_id WHERE o.state = 'pending' AND o.next_at <= ? ORDER BY o.next_at, o.id"
					" LIMIT ?", "ii", now, (int64_t)cap);
	if (!st) {
		store_rollback(c);
		return ST_ERR;
	}
	while (*n < cap && (rc = store_step(st)) == ST_ROW) {
		credit_delivery *d = &out[(*n)++];
		d->id = store_col_int64(st, 0);
		d->body = yj_strdup(store_col_text(st, 1));
		d->url = yj_strdup(store_col_text(st, 2));
		d->attempts = (int)store_col_int64(st, 3);
	}
	store_finalize(st);
	store_rollback(c);
	return rc < 0 ? rc : ST_OK;
}

struct result_arg {
	const credit_delivery *d;
	int status;
	const char *error;
	int64_t now;
};

static int result_tx(store_conn *c, void *arg)
{
	struct result_arg *a = arg;
	int ok = a->status >= 200 && a->status < 300;
	int attempts = a->d->attempts + 1;
	const char *state = ok ? "delivered" : attempts >= CREDIT_OUTBOX_MAX_ATTEMPTS ? "failed" : "pending";
	int64_t next = a->now + yj_backoff_ms(attempts, CREDIT_OUTBOX_BACKOFF_MS, 3600000);
	if (ok)
		return credit_exec(c, NULL, "UPDATE credit_outbox SET state = 'delivered', attempts = ?, last_status = ?,"
					    " last_error = NULL, delivered_at = ? WHERE id = ? AND state = 'pending'", "iiii",
				   (int64_t)attempts, (int64_t)a->status, a->now, a->d->id);
	return credit_exec(c, NULL, "UPDATE credit_outbox SET state = ?, attempts = ?, next_at = ?, last_status = ?, last_error"
				    " = ? WHERE id = ? AND state = 'pending'", "tiiiti", state, (int64_t)attempts, next,
			   (int64_t)a->status, a->error, a->d->id);
}

int credit_outbox_result(store *s, const credit_delivery *d, int status, const char *error, int64_t now)
{
	struct result_arg a = {d, status, error ? error : "", now};
	return store_tx(s, result_tx, &a);
}
