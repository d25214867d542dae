/* import_stage.c — the staged plans' packed form (import_int.h): every plan of an import appended to one
 * buffer as tagged values with varint lengths, unpacked by the publication's preparing thread into the
 * same jansson values without lexing JSON text (the text's dump and parse were a fifth of the check's and
 * half of the preparer's CPU, docs/benchmarks.md, eighth round). */
#define _POSIX_C_SOURCE 200809L
#include "import_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Tags: one byte before each value. Objects and arrays give their count, strings and keys their
 * length, as unsigned LEB128 varints; integers zigzag-coded the same way; reals their 8 bytes. */
enum { T_NULL = 'n', T_TRUE = 't', T_FALSE = 'f', T_INT = 'i', T_REAL = 'r', T_STR = 's', T_ARR = 'a', T_OBJ = 'o' };

static void grow(yj_import_stage *s, size_t more)
{
	if (s->len + more <= s->cap)
		return;
	size_t cap = s->cap ? s->cap : 1 << 20;
	while (cap < s->len + more)
		cap *= 2;
	if (s->grow_lock)
		pthread_rwlock_wrlock(s->grow_lock);
	s->buf = yj_realloc(s->buf, cap); /* a large block: glibc moves it by remapping, not copying */
	s->cap = cap;
	if (s->grow_lock)
		pthread_rwlock_unlock(s->grow_lock);
}

/* The writers below assume room made first: a tag and a varint take at most 11 bytes. */
static void put_byte(yj_import_stage *s, int b)
{
	s->buf[s->len++] = (unsigned char)b;
}

static void put_uvar(yj_import_stage *s, uint64_t v)
{
	while (v >= 0x80) {
		s->buf[s->len++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	s->buf[s->len++] = (unsigned char)v;
}

/* A length and its bytes (a string's, a key's), after tag when it is not 0. */
static void put_bytes(yj_import_stage *s, int tag, const char *p, size_t n)
{
	grow(s, 11 + n);
	if (tag)
		put_byte(s, tag);
	put_uvar(s, n);
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* A tag and a count (or a zigzag-coded integer). */
static void put_head(yj_import_stage *s, int tag, uint64_t n)
{
	grow(s, 11);
	put_byte(s, tag);
	put_uvar(s, n);
}

static int put_value(yj_import_stage *s, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
		grow(s, 1);
		put_byte(s, T_NULL);
		return 0;
	case JSON_TRUE:
		grow(s, 1);
		put_byte(s, T_TRUE);
		return 0;
	case JSON_FALSE:
		grow(s, 1);
		put_byte(s, T_FALSE);
		return 0;
	case JSON_INTEGER: {
		uint64_t u = (uint64_t)json_integer_value(v);
		put_head(s, T_INT, (u << 1) ^ (uint64_t)-(int64_t)(u >> 63));
		return 0;
	}
	case JSON_REAL: {
		double d = json_real_value(v);
		grow(s, 1 + sizeof d);
		put_byte(s, T_REAL);
		memcpy(s->buf + s->len, &d, sizeof d);
		s->len += sizeof d;
		return 0;
	}
	case JSON_STRING:
		put_bytes(s, T_STR, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_ARRAY: {
		size_t i;
		json_t *e;
		put_head(s, T_ARR, json_array_size(v));
		json_array_foreach(v, i, e) {
			if (put_value(s, e) < 0)
				return -1;
		}
		return 0;
	}
	case JSON_OBJECT: {
		const char *key;
		size_t klen;
		json_t *e;
		put_head(s, T_OBJ, json_object_size(v));
		/* In insertion order, as json_dumps wrote it and json_loads read it back. */
		json_object_keylen_foreach((json_t *)v, key, klen, e) {
			put_bytes(s, 0, key, klen);
			if (put_value(s, e) < 0)
				return -1;
		}
		return 0;
	}
	}
	return -1;
}

int yj_import_stage_put(yj_import_stage *s, const json_t *plan)
{
	if (s->n == s->ncap) {
		if (s->grow_lock)
			pthread_rwlock_wrlock(s->grow_lock);
		s->ncap = s->ncap ? 2 * s->ncap : 1024;
		s->off = yj_realloc(s->off, s->ncap * sizeof *s->off);
		if (s->grow_lock)
			pthread_rwlock_unlock(s->grow_lock);
	}
	size_t at = s->len;
	if (put_value(s, plan) < 0) {
		s->len = at;
		return ST_ERR;
	}
	s->off[s->n++] = at;
	return ST_OK;
}

void yj_import_stage_clear(yj_import_stage *s)
{
	s->n = s->len = 0;
}

void yj_import_stage_free(yj_import_stage *s)
{
	free(s->buf);
	free(s->off);
	*s = (yj_import_stage){0};
}

/* ---- unpacking: p walks the buffer up to end; NULL on anything malformed (a programming error) ---- */

static int get_uvar(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t r = 0;
	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		unsigned char b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -1;
}

static json_t *get_value(const unsigned char **p, const unsigned char *end, int depth)
{
	uint64_t n;
	if (*p >= end || depth > 64)
		return NULL;
	switch (*(*p)++) {
	case T_NULL:
		return json_null();
	case T_TRUE:
		return json_true();
	case T_FALSE:
		return json_false();
	case T_INT:
		if (get_uvar(p, end, &n) < 0)
			return NULL;
		return json_integer((json_int_t)(int64_t)((n >> 1) ^ (uint64_t)-(int64_t)(n & 1)));
	case T_REAL: {
		double d;
		if ((size_t)(end - *p) < sizeof d)
			return NULL;
		memcpy(&d, *p, sizeof d);
		*p += sizeof d;
		return json_real(d);
	}
	case T_STR: {
		if (get_uvar(p, end, &n) < 0 || n > (uint64_t)(end - *p))
			return NULL;
		/* Its bytes were a jansson string's, checked as UTF-8 when it was made. */
		json_t *v = json_stringn_nocheck((const char *)*p, (size_t)n);
		*p += n;
		return v;
	}
	case T_ARR: {
		if (get_uvar(p, end, &n) < 0)
			return NULL;
		json_t *a = json_array();
		for (uint64_t i = 0; i < n; i++) {
			json_t *e = get_value(p, end, depth + 1);
			if (!e || json_array_append_new(a, e) < 0) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	case T_OBJ: {
		if (get_uvar(p, end, &n) < 0)
			return NULL;
		json_t *o = json_object();
		for (uint64_t i = 0; i < n; i++) {
			uint64_t kl = 0;
			json_t *e = NULL;
			const char *key = (const char *)*p;
			if (get_uvar(p, end, &kl) == 0 && kl <= (uint64_t)(end - *p)) {
				key = (const char *)*p;
				*p += kl;
				e = get_value(p, end, depth + 1);
			}
			if (!e || json_object_setn_new_nocheck(o, key, (size_t)kl, e) < 0) {
				json_decref(o);
				return NULL;
			}
		}
		return o;
	}
	}
	return NULL;
}

json_t *yj_import_stage_get(const yj_import_stage *s, size_t i)
{
	return yj_import_stage_get_in(s, i, s->n, s->len);
}

json_t *yj_import_stage_get_in(const yj_import_stage *s, size_t i, size_t n, size_t len)
{
	if (i >= n)
		return NULL;
	const unsigned char *p = s->buf + s->off[i], *end = s->buf + (i + 1 < n ? s->off[i + 1] : len);
	json_t *v = get_value(&p, end, 0);
	if (v && p != end) { /* a plan is one value: anything left over means the buffer is not ours */
		json_decref(v);
		return NULL;
	}
	return v;
}
