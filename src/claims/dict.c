/* dict.c — string → dense int32 code, open addressing with linear probing. Strings live in one
 * growing pool addressed by offset, so codes stay valid while the pool moves. */
#include "claims.h"
#include "../base/base.h"

#include <stdlib.h>
#include <string.h>

struct yj_dict {
	uint32_t *slot; /* code + 1; 0 is empty */
	uint32_t mask;
	uint64_t *hash; /* per code */
	size_t *off;	/* per code, into pool */
	uint32_t *len;
	int32_t n, cap;
	char *pool;
	size_t plen, pcap;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
		h ^= h >> 31;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0x94D049BB133111EBull;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ull;
	return h ^ (h >> 32);
}

yj_dict *yj_dict_new(void)
{
	yj_dict *d = yj_calloc(1, sizeof *d);
	d->mask = 63;
	d->slot = yj_calloc(64, sizeof *d->slot);
	return d;
}

void yj_dict_free(yj_dict *d)
{
	if (!d)
		return;
	free(d->slot);
	free(d->hash);
	free(d->off);
	free(d->len);
	free(d->pool);
	free(d);
}

static void grow_table(yj_dict *d)
{
	uint32_t nsz = (d->mask + 1) * 2;
	free(d->slot);
	d->slot = yj_calloc(nsz, sizeof *d->slot);
	d->mask = nsz - 1;
	for (int32_t c = 0; c < d->n; c++) {
		uint32_t i = (uint32_t)d->hash[c] & d->mask;
		while (d->slot[i])
			i = (i + 1) & d->mask;
		d->slot[i] = (uint32_t)c + 1;
	}
}

static int32_t lookup(const yj_dict *d, const char *s, size_t n, uint64_t h, uint32_t *pos)
{
	uint32_t i = (uint32_t)h & d->mask;
	for (;;) {
		uint32_t v = d->slot[i];
		if (!v) {
			*pos = i;
			return -1;
		}
		int32_t c = (int32_t)v - 1;
		if (d->hash[c] == h && d->len[c] == n && memcmp(d->pool + d->off[c], s, n) == 0)
			return c;
		i = (i + 1) & d->mask;
	}
}

int32_t yj_dict_intern(yj_dict *d, const char *s, size_t n, int *added)
{
	uint64_t h = hash_bytes(s, n);
	uint32_t pos;
	int32_t c = lookup(d, s, n, h, &pos);
	if (added)
		*added = c < 0;
	if (c >= 0)
		return c;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->hash = yj_realloc(d->hash, sizeof *d->hash * (size_t)d->cap);
		d->off = yj_realloc(d->off, sizeof *d->off * (size_t)d->cap);
		d->len = yj_realloc(d->len, sizeof *d->len * (size_t)d->cap);
	}
	if (d->plen + n + 1 > d->pcap) {
		d->pcap = (d->plen + n + 1) * 2;
		d->pool = yj_realloc(d->pool, d->pcap);
	}
	c = d->n++;
	d->hash[c] = h;
	d->off[c] = d->plen;
	d->len[c] = (uint32_t)n;
	memcpy(d->pool + d->plen, s, n);
	d->pool[d->plen + n] = 0;
	d->plen += n + 1;
	d->slot[pos] = (uint32_t)c + 1;
	if ((uint32_t)d->n * 2 > d->mask)
		grow_table(d);
	return c;
}

int32_t yj_dict_find(const yj_dict *d, const char *s, size_t n)
{
	uint32_t pos;
	return lookup(d, s, n, hash_bytes(s, n), &pos);
}

const char *yj_dict_str(const yj_dict *d, int32_t code)
{
	return code >= 0 && code < d->n ? d->pool + d->off[code] : "";
}

int32_t yj_dict_count(const yj_dict *d)
{
	return d->n;
}
