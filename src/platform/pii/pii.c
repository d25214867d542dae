/* pii.c — encryption, keyed hashing and masking of personal data (see pii.h), and the one table of
 * what each role sees of a person's identity. One key file holds two independent 32-byte keys
 * (encryption, hashing) so neither use weakens the other. */
#define _POSIX_C_SOURCE 200809L
#include "pii.h"
#include "../../base/base.h"
#include "../../base/keyfile.h"
#include "../http/http.h" /* enum yj_role */
#include "../store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LEN crypto_secretbox_KEYBYTES
#define NONCE_LEN crypto_secretbox_NONCEBYTES

/* Loaded once at start, before request threads run; read-only afterwards. */
static struct {
	int loaded;
	unsigned char enc[KEY_LEN];
	unsigned char mac[crypto_generichash_KEYBYTES];
} k;

int yj_pii_keys_load(const char *dir, char **err)
{
	*err = NULL;
	if (sodium_init() < 0) {
		*err = yj_strdup("libsodium could not be initialised");
		return YJ_ERR;
	}
	char *path = yj_asprintf("%s/pii.key", dir), hex[256];
	unsigned char both[KEY_LEN + crypto_generichash_KEYBYTES];
	int rc = yj_keyfile_read(path, 1, hex, sizeof hex, err);
	if (rc == 0) {
		char fresh[2 * sizeof both + 2];
		randombytes_buf(both, sizeof both);
		yj_hex_encode(both, sizeof both, fresh);
		strcat(fresh, "\n");
		rc = yj_keyfile_write(path, fresh, 0600, err);
		sodium_memzero(fresh, sizeof fresh);
		if (rc == YJ_OK)
			rc = yj_keyfile_read(path, 1, hex, sizeof hex, err);
	}
	if (rc > 0) {
		rc = YJ_OK;
		if (yj_hex_decode(hex, both, sizeof both) != (int)sizeof both) {
			*err = yj_asprintf("%s does not hold a key (expected %zu hex digits)", path, 2 * sizeof both);
			rc = YJ_ERR;
		} else {
			memcpy(k.enc, both, KEY_LEN);
			memcpy(k.mac, both + KEY_LEN, sizeof k.mac);
			k.loaded = 1;
		}
	} else {
		rc = YJ_ERR;
	}
	sodium_memzero(hex, sizeof hex);
	sodium_memzero(both, sizeof both);
	free(path);
	return rc;
}

int yj_pii_ready(void)
{
	return k.loaded;
}

char *yj_pii_encrypt(const char *plain)
{
	if (!k.loaded)
		return NULL;
	size_t n = strlen(plain), len = NONCE_LEN + crypto_secretbox_MACBYTES + n;
	unsigned char *box = yj_malloc(len);
	randombytes_buf(box, NONCE_LEN);
	crypto_secretbox_easy(box + NONCE_LEN, (const unsigned char *)plain, n, box, k.enc);
	char *out = yj_malloc(3 + 2 * len + 1);
	memcpy(out, "v1:", 3);
	yj_hex_encode(box, len, out + 3);
	free(box);
	return out;
}

char *yj_pii_decrypt(const char *sealed)
{
	if (!k.loaded || !sealed || strncmp(sealed, "v1:", 3) != 0)
		return NULL;
	size_t hexlen = strlen(sealed + 3), len = hexlen / 2;
	if (hexlen % 2 || len < NONCE_LEN + crypto_secretbox_MACBYTES)
		return NULL;
	unsigned char *box = yj_malloc(len);
	char *out = NULL;
	if (yj_hex_decode(sealed + 3, box, len) == (int)len) {
		size_t n = len - NONCE_LEN - crypto_secretbox_MACBYTES;
		out = yj_malloc(n + 1);
		if (crypto_secretbox_open_easy((unsigned char *)out, box + NONCE_LEN, len - NONCE_LEN, box, k.enc) != 0) {
			free(out);
			out = NULL;
		} else {
			out[n] = '\0';
		}
	}
	free(box);
	return out;
}

void yj_pii_free(char *clear)
{
	if (clear) {
		sodium_memzero(clear, strlen(clear));
		free(clear);
	}
}

void yj_pii_hash(const char *plain, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)plain, strlen(plain), k.mac, sizeof k.mac);
	yj_hex_encode(h, sizeof h, out);
}

static char *mask(const char *v, char *out, size_t head, size_t tail)
{
	size_t n = strlen(v);
	for (size_t i = 0; i < n; i++)
		out[i] = (i < head || i + tail >= n) && n > head + tail ? v[i] : '*';
	out[n] = '\0';
	return out;
}

char *yj_pii_mask_id(const char *v, char *out)
{
	return mask(v, out, 4, 4);
}

char *yj_pii_mask_phone(const char *v, char *out)
{
	return mask(v, out, 3, 4);
}

char *yj_pii_mask_id_head(const char *v, char out[19])
{
	size_t n = strlen(v);
	for (size_t i = 0; i < 18; i++)
		out[i] = i < 4 && i < n && v[i] != '*' ? v[i] : '*';
	out[18] = '\0';
	return out;
}

/* Why each row is what it is: docs/security.md. Roles not listed (the public) see nothing. */
static const struct {
	unsigned role;
	yj_pii_view view;
} views[] = {
	{ROLE_ADMIN, {YJ_PII_PARTIAL, YJ_PII_PARTIAL, YJ_PII_FULL, 1}},
	{ROLE_INSPECTOR, {YJ_PII_PARTIAL, YJ_PII_PARTIAL, YJ_PII_FULL, 1}},
	{ROLE_LEGAL_REVIEWER, {YJ_PII_PARTIAL, YJ_PII_PARTIAL, YJ_PII_FULL, 1}},
	{ROLE_LEADER, {YJ_PII_PARTIAL, YJ_PII_PARTIAL, YJ_PII_FULL, 0}},
	{ROLE_LIAISON, {YJ_PII_PARTIAL, YJ_PII_HIDDEN, YJ_PII_HIDDEN, 0}},
	{ROLE_INSURANCE_ANALYST, {YJ_PII_PARTIAL, YJ_PII_HIDDEN, YJ_PII_HIDDEN, 0}},
	{ROLE_INSTITUTION, {YJ_PII_PARTIAL, YJ_PII_PARTIAL, YJ_PII_FULL, 0}},
	{ROLE_GRID_MEMBER, {YJ_PII_HIDDEN, YJ_PII_HIDDEN, YJ_PII_HIDDEN, 0}},
	{ROLE_REWARD_OFFICER, {YJ_PII_HIDDEN, YJ_PII_HIDDEN, YJ_PII_HIDDEN, 0}},
};
static const yj_pii_view nothing = {YJ_PII_HIDDEN, YJ_PII_HIDDEN, YJ_PII_HIDDEN, 0};

const yj_pii_view *yj_pii_view_of(unsigned role_bit)
{
	for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
		if (views[i].role == role_bit)
			return &views[i].view;
	return &nothing;
}

void yj_pii_present(json_t *person, unsigned role_bit)
{
	const yj_pii_view *v = yj_pii_view_of(role_bit);
	const char *id = json_string_value(json_object_get(person, "id_masked"));
	if (v->id == YJ_PII_HIDDEN) {
		json_object_del(person, "id_masked");
	} else if (id && v->id == YJ_PII_PARTIAL) {
		char m[19];
		json_object_set_new(person, "id_masked", json_string(yj_pii_mask_id_head(id, m)));
	}
	json_t *birth = json_object_get(person, "birth_date");
	if (birth && v->birth != YJ_PII_FULL) {
		const char *b = json_string_value(birth);
		int year = 0;
		if (v->birth == YJ_PII_PARTIAL && b && sscanf(b, "%4d", &year) == 1)
			json_object_set_new(person, "birth_year", json_integer(year));
		else if (v->birth == YJ_PII_PARTIAL && json_is_null(birth))
			json_object_set_new(person, "birth_year", json_null());
		json_object_del(person, "birth_date");
	}
	if (v->sex == YJ_PII_HIDDEN)
		json_object_del(person, "sex");
}

int yj_pii_in_state(const json_t *state)
{
	return json_object_get(state, "id_masked") || json_object_get(state, "birth_date") ||
	       json_object_get(state, "sex");
}

const char *yj_pii_label(const char *key)
{
	return !strcmp(key, "birth_year") ? "出生年份" : NULL;
}

/* ---- per-user lookup limit, counted in the store (table pii_lookups, migration 0015) ---- */

#define HOUR_MS (3600LL * 1000)

/* Set once before serving; read-only afterwards. */
static unsigned lookup_limit = YJ_PII_LOOKUPS_PER_HOUR;

void yj_pii_set_lookup_limit(unsigned per_hour)
{
	lookup_limit = per_hour;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Parses the stored list into a new array (caller frees) of the times after since, ascending; *n is
 * their number. The list is sorted again because processes' clocks may disagree by a little. */
static int64_t *uses_parse(const char *list, int64_t since, size_t *n)
{
	size_t cap = 1;
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	int64_t *at = yj_malloc((cap + 1) * sizeof *at); /* one more for the use being taken */
	*n = 0;
	for (const char *p = list; *p;) {
		char *end;
		long long t = strtoll(p, &end, 10);
		if (end == p)
			break;
		if (t > since)
			at[(*n)++] = t;
		p = *end == ',' ? end + 1 : end;
	}
	qsort(at, *n, sizeof *at, cmp_i64);
	return at;
}

struct take_arg {
	int64_t user_id, now;
	unsigned limit;
	int ok;
	int64_t retry_after_s;
};

/* Writes the newest `keep` of at[0..n) back as the user's list. */
static int uses_store(store_conn *c, int64_t user_id, const int64_t *at, size_t n, size_t keep)
{
	size_t from = n > keep ? n - keep : 0;
	char *list = yj_malloc((n - from) * 21 + 1), *w = list;
	*w = 0;
	for (size_t i = from; i < n; i++)
		w += sprintf(w, "%s%lld", i > from ? "," : "", (long long)at[i]);
	store_stmt *st = store_prepare(c, "UPDATE pii_lookups SET uses = ? WHERE user_id = ?");
	int rc = ST_ERR;
	if (st) {
		store_bind_text(st, 1, list, -1);
		store_bind_int64(st, 2, user_id);
		rc = store_step(st);
		store_finalize(st);
	}
	free(list);
	return rc < 0 ? rc : ST_OK;
}

/* The upsert locks the user's row (PostgreSQL: a row lock held to commit; SQLite: the writer lock
 * of BEGIN IMMEDIATE), so a take in another process waits and then reads this one's use. */
static int take_tx(store_conn *c, void *arg)
{
	struct take_arg *a = arg;
	a->ok = 0;
	a->retry_after_s = 0;
	store_stmt *st = store_prepare(c, "INSERT INTO pii_lookups (user_id, uses) VALUES (?, '') ON CONFLICT (user_id)"
					  " DO UPDATE SET uses = pii_lookups.uses RETURNING uses");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->user_id);
	int rc = store_step(st);
	char *list = rc == ST_ROW ? yj_strdup(store_col_text(st, 0) ? store_col_text(st, 0) : "") : NULL;
	store_finalize(st);
	if (!list)
		return rc < 0 ? rc : ST_ERR;
	size_t n;
	int64_t *at = uses_parse(list, a->now - HOUR_MS, &n);
	free(list);
	if (n >= a->limit) {
		/* Under the limit again once the use limit places from the newest has left the hour. */
		a->retry_after_s = (at[n - a->limit] + HOUR_MS - a->now + 999) / 1000;
		rc = ST_OK;
	} else {
		at[n++] = a->now;
		rc = uses_store(c, a->user_id, at, n, a->limit);
		a->ok = rc >= 0;
	}
	free(at);
	return rc;
}

int yj_pii_lookup_take(store *s, int64_t user_id, int64_t now_ms, int64_t *retry_after_s)
{
	*retry_after_s = 0;
	if (!lookup_limit)
		return 1;
	struct take_arg a = {user_id, now_ms, lookup_limit, 0, 0};
	int rc = store_tx(s, take_tx, &a);
	if (rc < 0)
		return rc;
	*retry_after_s = a.retry_after_s;
	return a.ok;
}

int yj_pii_gate(yj_req *r, unsigned roles, const char *what)
{
	char detail[400];
	if (!(yj_who(r)->role_bit & roles)) {
		snprintf(detail, sizeof detail, "按%s查询或查看%s属于个人信息披露，您的角色不能使用；请改按姓名、证书编码等查询。",
			 what, what);
		yj_reply_problem(r, 403, "forbidden", "无权查询个人信息", detail);
		return -1;
	}
	int64_t wait;
	int ok = yj_pii_lookup_take(yj_store(r), yj_who(r)->user_id, yj_now_ms(), &wait);
	if (ok < 0) {
		yj_reply_store_error(r, ok);
		return -1;
	}
	if (!ok) {
		char ra[24];
		snprintf(ra, sizeof ra, "%lld", (long long)wait);
		snprintf(detail, sizeof detail,
			 "您在一小时内查看或按%s查询个人信息的次数已达上限，请 %lld 分钟后再试；如确需批量核对，请联系管理员。", what,
			 (long long)((wait + 59) / 60));
		yj_add_header(r, "Retry-After", ra);
		yj_reply_problem(r, 429, "too-many-lookups", "查询个人信息过于频繁", detail);
		return -1;
	}
	return 0;
}
