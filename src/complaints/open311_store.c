/* open311_store.c — the Open311 clients' keys (kept as SHA-256, the clear key shown once) and the
 * matters as the spec's request objects: status open or closed, the state's label as status notes,
 * the responsible department as agency, the reply deadline as the expected time. */
#define _POSIX_C_SOURCE 200809L
#include "open311.h"
#include "../platform/regions/regions.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const yj_table keys_t = {"open311_keys", "region_code", NULL, NULL};

static void key_hash(const char *key, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
	yj_hex_encode(h, sizeof h, out);
}

int o311_key_find(store_conn *c, const char *api_key, int64_t *id, char region[16])
{
	char h[65];
	if (!api_key || !*api_key)
		return ST_NOTFOUND;
	key_hash(api_key, h);
	store_stmt *st = store_prepare(c, "SELECT id, region_code FROM open311_keys WHERE key_hash = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, h, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*id = store_col_int64(st, 0);
		snprintf(region, 16, "%s", store_col_text(st, 1));
	}
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int o311_key_create(store_conn *c, const char *name, const char *region, const char *actor, int64_t *id, char key[70])
{
	unsigned char raw[32];
	char h[65];
	randombytes_buf(raw, sizeof raw);
	memcpy(key, "o311_", 5);
	yj_hex_encode(raw, sizeof raw, key + 5);
	sodium_memzero(raw, sizeof raw);
	key_hash(key, h);
	*id = yj_id_new();
	store_stmt *st = store_prepare(c, "INSERT INTO open311_keys (id, name, key_hash, region_code, created_at, actor)"
					  " VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, *id);
	store_bind_text(st, 2, name, -1);
	store_bind_text(st, 3, h, -1);
	store_bind_text(st, 4, region, -1);
	store_bind_int64(st, 5, yj_now_ms());
	store_bind_text(st, 6, actor, -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int o311_keys_json(store_conn *c, const yj_scope *sc, json_t **out)
{
	yj_qb *q = yj_q_select(&keys_t, "id, name, region_code, created_at", sc);
	yj_q_tail(q, "ORDER BY id");
	store_stmt *st = yj_q_prepare(q, c);
	*out = NULL;
	if (!st)
		return ST_ERR;
	json_t *a = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:I}", "id", yj_json_id(store_col_int64(st, 0)), "name",
						   store_col_text(st, 1), "region_code", store_col_text(st, 2), "created_at",
						   (json_int_t)store_col_int64(st, 3)));
	store_finalize(st);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return ST_OK;
}

static const char *s_(const json_t *m, const char *k)
{
	const char *v = json_string_value(json_object_get(m, k));
	return v ? v : "";
}

/* Resolved for the reporter: replied, closed, refused, or merged into a matter since replied. */
static int is_closed(const json_t *m)
{
	const char *st = s_(m, "state");
	return !strcmp(st, "replied") || !strcmp(st, "closed") || !strcmp(st, "rejected") ||
	       (!strcmp(st, "merged") && !json_is_null(json_object_get(m, "replied_on")));
}

static json_t *instant(int64_t ms)
{
	char out[YJ_INSTANT_LEN];
	yj_instant_format(ms, YJ_SHANGHAI_OFFSET_MIN, out);
	return json_string(out);
}

static json_t *coord(const json_t *m, const char *k)
{
	const char *v = json_string_value(json_object_get(m, k));
	return v && *v ? json_real(strtod(v, NULL)) : json_null();
}

json_t *o311_request_json(store_conn *c, const json_t *m, int with_content)
{
	cmp_category cat = {0};
	char agency[64] = "";
	cmp_category_get(c, s_(m, "category"), &cat);
	yj_department_name(c, s_(m, "department"), agency, sizeof agency);
	const char *due = s_(m, "reply_due");
	json_t *expected = json_null();
	if (*due) { /* the end of the reply day in Asia/Shanghai */
		char t[40];
		snprintf(t, sizeof t, "%sT23:59:59+08:00", due);
		json_decref(expected);
		expected = json_string(t);
	}
	const char *reply = s_(m, "reply_text");
	char *notes = *reply ? yj_asprintf("%s。答复：%s", yj_cmp_state_label(s_(m, "state")), reply)
			     : yj_strdup(yj_cmp_state_label(s_(m, "state")));
	const char *addr = s_(m, "address");
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:n, s:o, s:o, s:o, s:o, s:n, s:n, s:o, s:o, s:n}",
			      "service_request_id", s_(m, "tracking_code"), "status", is_closed(m) ? "closed" : "open",
			      "status_notes", notes, "service_name", cat.name, "service_code", s_(m, "category"),
			      "description", with_content ? json_string(s_(m, "content")) : json_null(), "agency_responsible",
			      agency, "service_notice", "requested_datetime",
			      instant(json_integer_value(json_object_get(m, "created_at"))), "updated_datetime",
			      instant(json_integer_value(json_object_get(m, "updated_at"))), "expected_datetime", expected,
			      "address", with_content && *addr ? json_string(addr) : json_null(), "address_id", "zipcode",
			      "lat", with_content ? coord(m, "lat") : json_null(), "long", with_content ? coord(m, "lng") : json_null(),
			      "media_url");
	free(notes);
	return o;
}

int o311_requests(store_conn *c, int64_t client, const json_t *codes, const json_t *services, const json_t *statuses,
		  int64_t from_ms, int64_t to_ms, int limit, json_t **out)
{
	yj_buf sql = YJ_BUF_INIT;
	size_t i;
	json_t *v;
	yj_buf_puts(&sql, "SELECT " CMP_COLS " FROM complaints WHERE client_id = ?");
	if (codes) {
		yj_buf_puts(&sql, " AND tracking_code IN (''");
		json_array_foreach(codes, i, v)
			yj_buf_puts(&sql, ", ?");
		yj_buf_puts(&sql, ")");
	} else {
		yj_buf_puts(&sql, " AND created_at >= ? AND created_at < ?");
		if (services) {
			yj_buf_puts(&sql, " AND category IN (''");
			json_array_foreach(services, i, v)
				yj_buf_puts(&sql, ", ?");
			yj_buf_puts(&sql, ")");
		}
	}
	yj_buf_puts(&sql, " ORDER BY created_at DESC, id DESC");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	*out = NULL;
	if (!st)
		return ST_ERR;
	int k = 1;
	store_bind_int64(st, k++, client);
	if (codes) {
		json_array_foreach(codes, i, v)
			store_bind_text(st, k++, json_string_value(v), -1);
	} else {
		store_bind_int64(st, k++, from_ms);
		store_bind_int64(st, k++, to_ms);
		json_array_foreach(services, i, v)
			store_bind_text(st, k++, json_string_value(v), -1);
	}
	json_t *rows = json_array(), *a = json_array();
	int rc = ST_OK;
	/* The status is derived from several columns: filtered here, so the page stops at limit kept rows. */
	while ((int)json_array_size(rows) < limit && (rc = store_step(st)) == ST_ROW) {
		json_t *m = cmp_row_json(st, NULL);
		const char *status = is_closed(m) ? "closed" : "open";
		int keep = !statuses || codes;
		json_array_foreach(statuses, i, v)
			keep |= !strcmp(json_string_value(v), status);
		if (keep)
			json_array_append(rows, m);
		json_decref(m);
	}
	if (rc == ST_ROW)
		rc = ST_OK;
	store_finalize(st);
	json_array_foreach(rows, i, v)
		json_array_append_new(a, o311_request_json(c, v, 1));
	json_decref(rows);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return ST_OK;
}
