/* import_memo.c — the import check's memos of values taken by earlier rows of the file (import.h,
 * yj_import_memo): byte strings to row numbers in one open-addressed table, the keys' bytes in one
 * buffer. A jansson object did the same with two blocks a key and a hash table of its own: a fifth of
 * the check's samples (docs/benchmarks.md, "the import, eighth round"). */
#define _POSIX_C_SOURCE 200809L
#include "import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
	uint64_t hash; /* 0: empty (a key hashing to 0 is stored as 1) */
	size_t off, len; /* its bytes in keys */
	long row;
} slot;

struct yj_import_memo {
	slot *t;
	size_t cap, n; /* cap a power of two, n at most three quarters of it */
	char *keys;
	size_t klen, kcap;
};

static uint64_t hash_of(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a, then mixed: the keys are short */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3u;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return h ? h : 1;
}

yj_import_memo *yj_import_memo_new(void)
{
	yj_import_memo *m = yj_calloc(1, sizeof *m);
	m->cap = 1024;
	m->t = yj_calloc(m->cap, sizeof *m->t);
	return m;
}

void yj_import_memo_free(yj_import_memo *m)
{
	if (!m)
		return;
	free(m->t);
	free(m->keys);
	free(m);
}

static slot *find(const yj_import_memo *m, const char *key, size_t len, uint64_t h)
{
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		slot *s = &m->t[i];
		if (!s->hash || (s->hash == h && s->len == len && !memcmp(m->keys + s->off, key, len)))
			return s;
	}
}

long yj_import_memo_get(const yj_import_memo *m, const char *key, size_t len)
{
	const slot *s = find(m, key, len, hash_of(key, len));
	return s->hash ? s->row : 0;
}

static void grow(yj_import_memo *m)
{
	slot *old = m->t;
	size_t n = m->cap;
	m->cap *= 2;
	m->t = yj_calloc(m->cap, sizeof *m->t);
	for (size_t i = 0; i < n; i++)
		if (old[i].hash) {
			size_t j = old[i].hash & (m->cap - 1);
			while (m->t[j].hash)
				j = (j + 1) & (m->cap - 1);
			m->t[j] = old[i];
		}
	free(old);
}

void yj_import_memo_put(yj_import_memo *m, const char *key, size_t len, long row)
{
	uint64_t h = hash_of(key, len);
	slot *s = find(m, key, len, h);
	if (s->hash) {
		s->row = row;
		return;
	}
	if (m->klen + len > m->kcap) {
		m->kcap = m->kcap ? m->kcap : 1 << 16;
		while (m->klen + len > m->kcap)
			m->kcap *= 2;
		m->keys = yj_realloc(m->keys, m->kcap);
	}
	memcpy(m->keys + m->klen, key, len);
	*s = (slot){h, m->klen, len, row};
	m->klen += len;
	if (++m->n * 4 > m->cap * 3)
		grow(m);
}
