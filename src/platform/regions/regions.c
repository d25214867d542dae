/* regions.c — reads of regions and departments for the other modules (regions.h): one region,
 * a region's children, the names of many regions, a department's name. */
#include "regions.h"
#include "../../base/base.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void region_of(store_stmt *st, yj_region *out)
{
	const char *parent = store_col_text(st, 3);
	snprintf(out->code, sizeof out->code, "%s", store_col_text(st, 0));
	snprintf(out->name, sizeof out->name, "%s", store_col_text(st, 1));
	out->level = (int)store_col_int64(st, 2);
	snprintf(out->parent_code, sizeof out->parent_code, "%s", parent ? parent : "");
}

/* code → [name, level, parent_code], or null for a code not found; NULL when no memo runs. */
static _Thread_local json_t *memo;

void yj_regions_memo_begin(void)
{
	json_decref(memo);
	memo = json_object();
}

void yj_regions_memo_end(void)
{
	json_decref(memo);
	memo = NULL;
}

static int region_get(store_conn *c, const char *code, yj_region *out);

int yj_region_get(store_conn *c, const char *code, yj_region *out)
{
	if (!memo || !code)
		return region_get(c, code, out);
	json_t *m = json_object_get(memo, code);
	if (m) {
		if (json_is_null(m))
			return ST_NOTFOUND;
		snprintf(out->code, sizeof out->code, "%s", code);
		snprintf(out->name, sizeof out->name, "%s", json_string_value(json_array_get(m, 0)));
		out->level = (int)json_integer_value(json_array_get(m, 1));
		snprintf(out->parent_code, sizeof out->parent_code, "%s", json_string_value(json_array_get(m, 2)));
		return ST_OK;
	}
	int rc = region_get(c, code, out);
	if (rc == ST_OK)
		json_object_set_new(memo, code, json_pack("[s, i, s]", out->name, out->level, out->parent_code));
	else if (rc == ST_NOTFOUND)
		json_object_set_new(memo, code, json_null());
	return rc;
}

static int region_get(store_conn *c, const char *code, yj_region *out)
{
	store_stmt *st = store_prepare(c, "SELECT code, name, level, parent_code FROM regions WHERE code = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW)
		region_of(st, out);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int yj_region_exists(store_conn *c, const char *code)
{
	yj_region r;
	int rc = yj_region_get(c, code, &r);
	return rc == ST_OK ? 1 : rc == ST_NOTFOUND ? 0 : rc;
}

/* yj_region_exists_at's cache: code → found, under the epoch it was read in. A collision replaces;
 * a slot of another epoch is a miss. Codes are at most 15 bytes (yj_region.code). */
#define EXISTS_SLOTS 1024
static struct {
	char code[16];
	int64_t epoch;
	int found;
} exists_slots[EXISTS_SLOTS];
static pthread_mutex_t exists_lock = PTHREAD_MUTEX_INITIALIZER;

int yj_region_exists_at(store_conn *c, int64_t epoch, const char *code)
{
	if (epoch < 0 || !code || strlen(code) >= sizeof exists_slots[0].code)
		return yj_region_exists(c, code);
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const unsigned char *k = (const unsigned char *)code; *k; k++)
		h = (h ^ *k) * 16777619u;
	size_t i = h % EXISTS_SLOTS;
	int found = -1;
	pthread_mutex_lock(&exists_lock);
	if (exists_slots[i].epoch == epoch && exists_slots[i].code[0] && !strcmp(exists_slots[i].code, code))
		found = exists_slots[i].found;
	pthread_mutex_unlock(&exists_lock);
	if (found >= 0)
		return found;
	if ((found = yj_region_exists(c, code)) < 0)
		return found;
	pthread_mutex_lock(&exists_lock);
	snprintf(exists_slots[i].code, sizeof exists_slots[i].code, "%s", code);
	exists_slots[i].epoch = epoch;
	exists_slots[i].found = found;
	pthread_mutex_unlock(&exists_lock);
	return found;
}

int yj_regions_each(store_conn *c, const char *parent, int level, const char *prefix, yj_region_fn fn, void *arg)
{
	char sql[256], pat[24];
	snprintf(sql, sizeof sql, "SELECT code, name, level, parent_code FROM regions WHERE %s%s ORDER BY code",
		 parent ? "parent_code = ?" : "code LIKE ?", level > 0 ? " AND level = ?" : "");
	snprintf(pat, sizeof pat, "%.16s%%", prefix ? prefix : "");
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, parent ? parent : pat, -1);
	if (level > 0)
		store_bind_int64(st, 2, level);
	int rc;
	yj_region r;
	while ((rc = store_step(st)) == ST_ROW) {
		region_of(st, &r);
		if ((rc = fn(&r, arg)) < 0)
			break;
	}
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc;
}

int yj_department_name(store_conn *c, const char *code, char *name, size_t cap)
{
	store_stmt *st = store_prepare(c, "SELECT name FROM departments WHERE code = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW)
		snprintf(name, cap, "%s", store_col_text(st, 0));
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int yj_region_names(store_conn *c, const char *const *codes, size_t n, json_t *names)
{
	return yj_q_names_by_code(c, "SELECT code, name FROM regions WHERE code IN (", codes, n, names);
}

