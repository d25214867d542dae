/* complaints_store.c — the SQL of the complaints module: matters, their steps, units, attachments,
 * the per-address intake counter, the duplicate search and the matters' to-dos. Everything runs
 * inside the caller's transaction; reads of a scoped matter go through the query layer. */
#define _POSIX_C_SOURCE 200809L
#include "cmp_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const yj_table cmp_t = {"complaints", "region_code", "department", NULL};

static const char *const COLS[] = {
	"id", "tracking_code", "channel", "category", "title", "content", "region_code", "department",
	"suggested_department", "subject_kind", "subject_id", "subject_name", "anonymous", "phone_masked", "state",
	"paused", "pause_reason", "paused_on", "merged_into", "received_on", "dispatched_on", "accept_due",
	"accepted_on", "handle_due", "reply_due", "replied_on", "feedback_due", "fed_back_on", "revisit_due",
	"closed_on", "reply_text", "substantiated", "satisfaction", "supervise_level", "referred_at", "external_ref",
	"created_at", "updated_at", "dispatch_round", "address", "lat", "lng", "client_id", NULL,
};
/* Which columns are ids (strings in JSON), flags (booleans) or integers; the rest are text. */
static int col_kind(const char *name)
{
	if (!strcmp(name, "id") || !strcmp(name, "subject_id") || !strcmp(name, "merged_into") || !strcmp(name, "client_id"))
		return 'i';
	if (!strcmp(name, "anonymous") || !strcmp(name, "paused") || !strcmp(name, "substantiated"))
		return 'b';
	if (!strcmp(name, "supervise_level") || !strcmp(name, "referred_at") || !strcmp(name, "created_at") ||
	    !strcmp(name, "updated_at") || !strcmp(name, "dispatch_round"))
		return 'n';
	return 't';
}

json_t *cmp_row_json(store_stmt *st, void *arg)
{
	(void)arg;
	json_t *o = json_object();
	for (int i = 0; COLS[i]; i++) {
		json_t *v;
		if (store_col_is_null(st, i))
			v = json_null();
		else
			switch (col_kind(COLS[i])) {
			case 'i': v = yj_json_id(store_col_int64(st, i)); break;
			case 'b': v = json_boolean(store_col_int64(st, i)); break;
			case 'n': v = json_integer(store_col_int64(st, i)); break;
			default: v = json_string(store_col_text(st, i));
			}
		json_object_set_new(o, COLS[i], v);
	}
	return o;
}

int cmp_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	*out = NULL;
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &cmp_t, CMP_COLS, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	*out = cmp_row_json(st, NULL);
	store_finalize(st);
	return ST_OK;
}

int cmp_load_as_unit(store_conn *c, const yj_scope *sc, const char *department, int64_t id, json_t **out)
{
	int rc = cmp_load(c, sc, id, out);
	if (rc != ST_NOTFOUND || !department || !*department || sc->subject_bound)
		return rc;
	/* A co-handler's department is not the one holding the matter, so the scoped read misses it;
	 * its territory still has to cover the matter. */
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM complaint_units WHERE complaint_id = ? AND department = ?"
					  " AND role = 'co'");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, department, -1);
	rc = store_step(st);
	int64_t n = rc == ST_ROW ? store_col_int64(st, 0) : 0;
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (!n)
		return ST_NOTFOUND;
	yj_scope all;
	yj_scope_unrestricted(&all);
	if ((rc = cmp_load(c, &all, id, out)) < 0)
		return rc;
	if (!yj_scope_allows(sc, json_string_value(json_object_get(*out, "region_code")), NULL)) {
		json_decref(*out);
		*out = NULL;
		return ST_NOTFOUND;
	}
	return ST_OK;
}

int cmp_load_by_code(store_conn *c, const char *code, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT " CMP_COLS " FROM complaints WHERE tracking_code = ?");
	*out = NULL;
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW)
		*out = cmp_row_json(st, NULL);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int cmp_find_external(store_conn *c, const char *ref, int64_t *id)
{
	store_stmt *st = store_prepare(c, "SELECT id FROM complaints WHERE external_ref = ? ORDER BY id LIMIT 1");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, ref, -1);
	int rc = store_step(st);
	if (rc == ST_ROW)
		*id = store_col_int64(st, 0);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int cmp_reporter_sealed(store_conn *c, int64_t id, char **sealed)
{
	store_stmt *st = store_prepare(c, "SELECT reporter_sealed FROM complaints WHERE id = ?");
	*sealed = NULL;
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW && store_col_text(st, 0))
		*sealed = yj_strdup(store_col_text(st, 0));
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

#define CAT_COLS "code, name, kind, department, accept_days, handle_days, reply_days, feedback_days, revisit_days, active"

static void cat_read(store_stmt *st, cmp_category *o)
{
	snprintf(o->code, sizeof o->code, "%s", store_col_text(st, 0));
	snprintf(o->name, sizeof o->name, "%s", store_col_text(st, 1));
	snprintf(o->kind, sizeof o->kind, "%s", store_col_text(st, 2));
	snprintf(o->department, sizeof o->department, "%s", store_col_text(st, 3));
	o->accept_days = (int)store_col_int64(st, 4);
	o->handle_days = (int)store_col_int64(st, 5);
	o->reply_days = (int)store_col_int64(st, 6);
	o->feedback_days = (int)store_col_int64(st, 7);
	o->revisit_days = (int)store_col_int64(st, 8);
	o->active = (int)store_col_int64(st, 9);
}

int cmp_category_get(store_conn *c, const char *code, cmp_category *out)
{
	store_stmt *st = store_prepare(c, "SELECT " CAT_COLS " FROM complaint_categories WHERE code = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW)
		cat_read(st, out);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

/* cmp_category_get_at's cache: the categories found under one reference-data epoch (a new epoch empties
 * it). Unknown codes are not kept, so a caller cannot fill it. */
#define CAT_CACHE 32
static struct {
	int64_t epoch;
	size_t n;
	cmp_category cats[CAT_CACHE];
} cat_cache = {.epoch = -1};
static pthread_mutex_t cat_lock = PTHREAD_MUTEX_INITIALIZER;

int cmp_category_get_at(store_conn *c, int64_t epoch, const char *code, cmp_category *out)
{
	if (epoch < 0 || !code)
		return cmp_category_get(c, code, out);
	int hit = 0;
	pthread_mutex_lock(&cat_lock);
	for (size_t i = 0; cat_cache.epoch == epoch && i < cat_cache.n && !hit; i++)
		if (!strcmp(cat_cache.cats[i].code, code))
			*out = cat_cache.cats[i], hit = 1;
	pthread_mutex_unlock(&cat_lock);
	if (hit)
		return ST_OK;
	int rc = cmp_category_get(c, code, out);
	if (rc != ST_OK)
		return rc;
	pthread_mutex_lock(&cat_lock);
	if (cat_cache.epoch != epoch)
		cat_cache.epoch = epoch, cat_cache.n = 0;
	if (cat_cache.n < CAT_CACHE)
		cat_cache.cats[cat_cache.n++] = *out;
	pthread_mutex_unlock(&cat_lock);
	return ST_OK;
}

int cmp_categories_json(store_conn *c, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT " CAT_COLS ", duty_ref FROM complaint_categories ORDER BY code");
	*out = NULL;
	if (!st)
		return ST_ERR;
	json_t *a = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		cmp_category k;
		cat_read(st, &k);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:b}", "code", k.code,
						   "name", k.name, "kind", k.kind, "department", k.department, "duty_ref",
						   store_col_text(st, 10), "accept_days", k.accept_days, "handle_days",
						   k.handle_days, "reply_days", k.reply_days, "feedback_days", k.feedback_days,
						   "revisit_days", k.revisit_days, "active", k.active));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return ST_OK;
}

#define CMP_INSERT                                                                                                \
	"INSERT INTO complaints (id, tracking_code, channel, category, title, content, region_code, department,"   \
	" suggested_department, subject_kind, subject_id, subject_name, anonymous, reporter_sealed, phone_masked," \
	" state, paused, pause_reason, received_on, reply_text, satisfaction, supervise_level, external_ref,"     \
	" created_at, updated_at, dispatch_round, address, lat, lng, client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?," \
	" ?, ?, ?, ?, ?, ?, 'received', 0, '', ?, '', '', 0, ?, ?, ?, 0, ?, ?, ?, ?)"

int cmp_insert(store_conn *c, const cmp_new *n, int64_t now, json_t **out)
{
	if (out)
		*out = NULL;
	/* the row as stored, without a read-back's round trip */
	store_stmt *st = store_prepare(c, out ? CMP_INSERT " RETURNING " CMP_COLS : CMP_INSERT);
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, n->id);
	store_bind_text(st, 2, n->tracking_code, -1);
	store_bind_text(st, 3, n->channel, -1);
	store_bind_text(st, 4, n->category, -1);
	store_bind_text(st, 5, n->title, -1);
	store_bind_text(st, 6, n->content, -1);
	store_bind_text(st, 7, n->region_code, -1);
	store_bind_text(st, 8, CMP_DESK, -1);
	store_bind_text(st, 9, n->department, -1);
	store_bind_text(st, 10, n->subject_kind, -1);
	if (n->subject_id)
		store_bind_int64(st, 11, n->subject_id);
	else
		store_bind_null(st, 11);
	store_bind_text(st, 12, n->subject_name ? n->subject_name : "", -1);
	store_bind_int64(st, 13, n->anonymous);
	store_bind_text(st, 14, n->reporter_sealed, -1);
	store_bind_text(st, 15, n->phone_masked ? n->phone_masked : "", -1);
	store_bind_text(st, 16, n->received_on, -1);
	store_bind_text(st, 17, n->external_ref, -1);
	store_bind_int64(st, 18, now);
	store_bind_int64(st, 19, now);
	store_bind_text(st, 20, n->address ? n->address : "", -1);
	store_bind_text(st, 21, n->lat, -1);
	store_bind_text(st, 22, n->lng, -1);
	if (n->client_id)
		store_bind_int64(st, 23, n->client_id);
	else
		store_bind_null(st, 23);
	int rc = store_step(st);
	if (rc == ST_ROW && out)
		*out = cmp_row_json(st, NULL);
	store_finalize(st);
	return rc < 0 ? rc : !out || rc == ST_ROW ? ST_OK : ST_ERR;
}

int cmp_update(store_conn *c, int64_t id, const json_t *set, int64_t now)
{
	yj_buf sql = YJ_BUF_INIT;
	const char *k;
	json_t *v;
	yj_buf_puts(&sql, "UPDATE complaints SET updated_at = ?");
	json_object_foreach((json_t *)set, k, v) {
		int known = 0;
		for (int i = 0; COLS[i]; i++)
			known |= !strcmp(COLS[i], k);
		if (!known || !strcmp(k, "id")) {
			yj_buf_free(&sql);
			return ST_ERR; /* a column name comes from this module's code, never from a request */
		}
		yj_buf_printf(&sql, ", %s = ?", k);
	}
	yj_buf_puts(&sql, " WHERE id = ?");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	int i = 1;
	store_bind_int64(st, i++, now);
	json_object_foreach((json_t *)set, k, v) {
		if (json_is_null(v))
			store_bind_null(st, i++);
		else if (json_is_integer(v))
			store_bind_int64(st, i++, json_integer_value(v));
		else if (json_is_boolean(v))
			store_bind_int64(st, i++, json_is_true(v));
		else
			store_bind_text(st, i++, json_string_value(v), -1);
	}
	store_bind_int64(st, i, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int cmp_step_add(store_conn *c, int64_t id, const char *step, const char *public_note, const char *actor, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO complaint_steps (id, complaint_id, at, step, public_note, actor)"
					  " VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_int64(st, 2, id);
	store_bind_int64(st, 3, now);
	store_bind_text(st, 4, step, -1);
	store_bind_text(st, 5, public_note ? public_note : "", -1);
	store_bind_text(st, 6, actor, -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int cmp_steps_json(store_conn *c, int64_t id, int for_public, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT at, step, public_note, actor FROM complaint_steps WHERE complaint_id = ?"
					  " ORDER BY id");
	*out = NULL;
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	json_t *a = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		char at[YJ_INSTANT_LEN];
		yj_instant_format(store_col_int64(st, 0), YJ_SHANGHAI_OFFSET_MIN, at);
		json_t *o = json_pack("{s:s, s:s, s:s}", "at", at, "step", store_col_text(st, 1), "note", store_col_text(st, 2));
		if (!for_public)
			json_object_set_new(o, "actor", json_string(store_col_text(st, 3)));
		json_array_append_new(a, o);
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return ST_OK;
}

int cmp_units_set(store_conn *c, int64_t id, const char *lead, const json_t *co)
{
	store_stmt *st = store_prepare(c, "DELETE FROM complaint_units WHERE complaint_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	store_finalize(st);
	for (size_t i = 0; rc >= 0 && i < 1 + json_array_size(co); i++) {
		if (!(st = store_prepare(c, "INSERT INTO complaint_units (complaint_id, department, role) VALUES (?, ?, ?)")))
			return ST_ERR;
		store_bind_int64(st, 1, id);
		store_bind_text(st, 2, i ? json_string_value(json_array_get(co, i - 1)) : lead, -1);
		store_bind_text(st, 3, i ? "co" : "lead", -1);
		rc = store_step(st);
		store_finalize(st);
	}
	return rc < 0 ? rc : ST_OK;
}

static json_t *unit_row(store_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:s, s:s}", "department", store_col_text(st, 0), "role", store_col_text(st, 1));
}

int cmp_units_json(store_conn *c, int64_t id, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT department, role FROM complaint_units WHERE complaint_id = ?"
					  " ORDER BY role DESC, department");
	if (st)
		store_bind_int64(st, 1, id);
	return yj_row_all(st, unit_row, NULL, out);
}

int cmp_attach_add(store_conn *c, int64_t id, const char *sha256, const char *name, const char *media_type, int64_t size)
{
	/* The same content twice on one matter is kept once (its first name). */
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM complaint_attachments WHERE complaint_id = ? AND sha256 = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, sha256, -1);
	int rc = store_step(st);
	int64_t n = rc == ST_ROW ? store_col_int64(st, 0) : 0;
	store_finalize(st);
	if (rc < 0 || n)
		return rc < 0 ? rc : ST_OK;
	if (!(st = store_prepare(c, "INSERT INTO complaint_attachments (complaint_id, sha256, name, media_type, size)"
				    " VALUES (?, ?, ?, ?, ?)")))
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, sha256, -1);
	store_bind_text(st, 3, name, -1);
	store_bind_text(st, 4, media_type, -1);
	store_bind_int64(st, 5, size);
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static json_t *attachment_row(store_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:s, s:s, s:s, s:I}", "sha256", store_col_text(st, 0), "name", store_col_text(st, 1),
			 "media_type", store_col_text(st, 2), "size", (json_int_t)store_col_int64(st, 3));
}

int cmp_attachments_json(store_conn *c, int64_t id, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT sha256, name, media_type, size FROM complaint_attachments"
					  " WHERE complaint_id = ? ORDER BY name, sha256");
	if (st)
		store_bind_int64(st, 1, id);
	return yj_row_all(st, attachment_row, NULL, out);
}

int cmp_intake_count(store_conn *c, const char *addr_hash, int64_t since, int64_t *n)
{
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM complaint_intake_hits WHERE addr_hash = ? AND at >= ?");
	*n = 0;
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, addr_hash, -1);
	store_bind_int64(st, 2, since);
	int rc = store_step(st);
	if (rc == ST_ROW)
		*n = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int cmp_intake_hit(store_conn *c, const char *addr_hash, int64_t now, int64_t prune_before)
{
	store_stmt *st = store_prepare(c, "DELETE FROM complaint_intake_hits WHERE addr_hash = ? AND at < ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, addr_hash, -1);
	store_bind_int64(st, 2, prune_before);
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0 || !(st = store_prepare(c, "INSERT INTO complaint_intake_hits (id, addr_hash, at) VALUES (?, ?, ?)")))
		return rc < 0 ? rc : ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_text(st, 2, addr_hash, -1);
	store_bind_int64(st, 3, now);
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static int cmp_sim_desc(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "similarity")),
		   y = json_integer_value(json_object_get(*(json_t *const *)b, "similarity"));
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Candidates compared per new matter: the newest of the same subject and category suffice. */
#define DUP_SCAN 500

int cmp_duplicates(store_conn *c, const yj_scope *sc, const json_t *m, int64_t since_ms, json_t **out)
{
	*out = NULL;
	const char *content = json_string_value(json_object_get(m, "content"));
	int64_t self = 0, subject = 0;
	yj_id_parse(json_string_value(json_object_get(m, "id")), &self);
	yj_id_parse(json_string_value(json_object_get(m, "subject_id")), &subject);
	yj_qb *q = yj_q_select(&cmp_t, "id, tracking_code, title, state, content", sc);
	yj_q_where(q, "state IN ('received', 'dispatched', 'accepted') AND category = ? AND id <> ? AND created_at >= ?");
	yj_q_text(q, json_string_value(json_object_get(m, "category")));
	yj_q_int(q, self);
	yj_q_int(q, since_ms);
	if (subject) {
		yj_q_where(q, "subject_id = ?");
		yj_q_int(q, subject);
	} else {
		yj_q_where(q, "region_code = ? AND subject_name = ?");
		yj_q_text(q, json_string_value(json_object_get(m, "region_code")));
		yj_q_text(q, json_string_value(json_object_get(m, "subject_name")));
	}
	yj_q_tail(q, "ORDER BY id DESC LIMIT ?");
	yj_q_int(q, DUP_SCAN);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	json_t *a = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		int s = yj_cmp_similarity(content, store_col_text(st, 4));
		if (s >= YJ_CMP_DUP_THRESHOLD)
			json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:s, s:i}", "id", yj_json_id(store_col_int64(st, 0)),
							   "tracking_code", store_col_text(st, 1), "title", store_col_text(st, 2),
							   "state", store_col_text(st, 3), "similarity", s));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	size_t n = json_array_size(a);
	json_t **v = yj_malloc((n + 1) * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof *v, cmp_sim_desc);
	json_array_clear(a);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
	*out = a;
	return ST_OK;
}

int cmp_merged_ids(store_conn *c, int64_t id, int64_t **ids, size_t *n)
{
	store_stmt *st = store_prepare(c, "SELECT id FROM complaints WHERE merged_into = ? ORDER BY id");
	*ids = NULL;
	*n = 0;
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	size_t cap = 0;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		if (*n == cap)
			*ids = yj_realloc(*ids, (cap = cap ? cap * 2 : 8) * sizeof **ids);
		(*ids)[(*n)++] = store_col_int64(st, 0);
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int cmp_overdue_ids(store_conn *c, const char *today, int64_t after, int64_t *ids, size_t cap, size_t *n)
{
	/* The deadline that runs: acceptance while dispatched, handling once accepted. The level check
	 * is the caller's; this only narrows to matters late at all. */
	store_stmt *st = store_prepare(c, "SELECT id FROM complaints WHERE paused = 0 AND supervise_level < 3 AND"
					  " ((state = 'dispatched' AND accept_due < ?) OR (state = 'accepted' AND handle_due < ?))"
					  " AND id > ? ORDER BY id LIMIT ?");
	*n = 0;
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, today, -1);
	store_bind_text(st, 2, today, -1);
	store_bind_int64(st, 3, after);
	store_bind_int64(st, 4, (int64_t)cap);
	int rc;
	while (*n < cap && (rc = store_step(st)) == ST_ROW)
		ids[(*n)++] = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int cmp_workdays_between(store_conn *c, const char *from, const char *to, int *n)
{
	int64_t a, b;
	*n = 0;
	if (yj_day_parse(from, &a) < 0 || yj_day_parse(to, &b) < 0)
		return ST_ERR;
	for (int64_t d = a + 1; d <= b && d - a <= 1000; d++) {
		char day[11];
		int w = 0;
		yj_day_format(d, day);
		int rc = yj_workday_is(c, day, &w);
		if (rc < 0)
			return rc;
		*n += w;
	}
	return ST_OK;
}

int cmp_audit(store_conn *c, const char *actor, const char *action, int64_t id, const char *region, const json_t *state)
{
	char sid[21];
	yj_id_format(id, sid);
	yj_audit_event ev = {actor, action, "complaint", sid, region ? region : "", state};
	return yj_audit_append(c, &ev, NULL);
}

int cmp_event(store_conn *c, const char *actor, const char *type, int64_t id, const char *region, const json_t *payload)
{
	char sid[21];
	yj_id_format(id, sid);
	yj_event ev = {type, "complaint", sid, region ? region : "", actor, payload};
	return yj_event_emit(c, &ev, NULL);
}

/* ---- to-dos ---- */

static const char *str(const json_t *m, const char *k)
{
	const char *v = json_string_value(json_object_get(m, k));
	return v ? v : "";
}

/* The to-dos' object type of m's dispatch round. */
static void todo_object(const json_t *m, char out[32])
{
	json_int_t round = json_integer_value(json_object_get(m, "dispatch_round"));
	if (round)
		snprintf(out, 32, "complaint.r%lld", (long long)round);
	else
		snprintf(out, 32, "complaint");
}

static int todo_put(store_conn *c, const json_t *m, const char *kind, const char *label, const char *what,
		    const char *department, const char *role, const char *due)
{
	int64_t id = 0;
	char object[32];
	yj_id_parse(str(m, "id"), &id);
	todo_object(m, object);
	char *title = yj_asprintf("%s：%s（%s）", what, str(m, "title"), str(m, "tracking_code"));
	char link[64];
	snprintf(link, sizeof link, "/complaints/%s", str(m, "id"));
	yj_todo t = {.kind = kind, .kind_label = label, .title = title, .object_type = object, .object_id = id,
		     .link = link, .due_date = due && *due ? due : NULL, .region_code = str(m, "region_code"),
		     .department = department, .role = role};
	int rc = yj_todo_put(c, &t);
	free(title);
	return rc;
}

int cmp_todo_dispatch(store_conn *c, const json_t *m)
{
	return todo_put(c, m, "complaints.dispatch", "投诉分派", "待分派投诉举报", CMP_DESK, "liaison", NULL);
}

int cmp_todo_handle(store_conn *c, const json_t *m, const json_t *co)
{
	const char *state = str(m, "state");
	const char *due = !strcmp(state, "dispatched") ? str(m, "accept_due") : str(m, "reply_due");
	int rc = todo_put(c, m, "complaints.handle", "投诉办理",
			  !strcmp(state, "dispatched") ? "待受理投诉举报" : "待办理投诉举报", str(m, "department"), "liaison", due);
	size_t i;
	json_t *v;
	json_array_foreach(co, i, v) {
		char kind[64];
		snprintf(kind, sizeof kind, "complaints.co.%s", json_string_value(v));
		if (rc >= 0)
			rc = todo_put(c, m, kind, "投诉协办", "协办投诉举报", json_string_value(v), "liaison", due);
	}
	return rc;
}

int cmp_todo_revisit(store_conn *c, const json_t *m)
{
	return todo_put(c, m, "complaints.revisit", "投诉回访", "待回访投诉举报", CMP_DESK, "liaison", str(m, "revisit_due"));
}

int cmp_todo_supervise(store_conn *c, const json_t *m, int level)
{
	static const char *const what[] = {"", "投诉举报逾期提醒", "投诉举报督办", "投诉举报逾期升级督办"};
	return todo_put(c, m, "complaints.supervise", "投诉督办", what[level < 1 ? 1 : level > 3 ? 3 : level],
			str(m, "department"), "leader", NULL);
}

int cmp_todos_close(store_conn *c, const json_t *m, const char *state)
{
	int64_t id = 0;
	char object[32];
	yj_id_parse(str(m, "id"), &id);
	todo_object(m, object);
	static const char *const kinds[] = {"complaints.dispatch", "complaints.handle", "complaints.revisit",
					    "complaints.supervise", NULL};
	int rc = ST_OK;
	for (int i = 0; kinds[i] && rc >= 0; i++)
		rc = yj_todo_close(c, kinds[i], object, id, state);
	json_t *units = NULL;
	if (rc >= 0)
		rc = cmp_units_json(c, id, &units);
	size_t i;
	json_t *u;
	json_array_foreach(units, i, u) {
		if (rc < 0 || strcmp(str(u, "role"), "co"))
			continue;
		char kind[64];
		snprintf(kind, sizeof kind, "complaints.co.%s", str(u, "department"));
		rc = yj_todo_close(c, kind, object, id, state);
	}
	json_decref(units);
	return rc;
}

int cmp_party_task(store_conn *c, const yj_table *tasks, const char *fk, const yj_scope *sc, int64_t id)
{
	char cond[64];
	snprintf(cond, sizeof cond, "%s = ?", fk);
	yj_qb *q = yj_q_select(tasks, "id", sc);
	yj_q_where(q, cond);
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	int rc = st ? store_step(st) : ST_ERR;
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc < 0 ? rc : ST_NOTFOUND;
}
