/* dict.c — string → dense int32 code, open addressing with linear probing. A dictionary is one or
 * more partitions chosen by the top bits of the hash; each keeps its strings in one growing pool
 * addressed by offset (codes stay valid while the pool moves). A slot holds the entry and 32 bits
 * of the hash, so a probe touches one cache line unless the tags match. The loader's chunk
 * dictionaries have one partition; their merge (yj_dict_merge) orders each source's entries by
 * partition, builds a partitioned dictionary on several threads, one partition per task reading
 * only its entries, and numbers the strings in order of first sight. */
#include "claims.h"
#include "../base/base.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct dpart {
	uint64_t *slot; /* hash >> 32 << 32 | (entry + 1); 0 is empty */
	uint32_t mask;
	uint64_t *hash; /* per entry */
	size_t *off;	/* per entry, into pool */
	uint32_t *len;
	int32_t *gcode; /* per entry: the dictionary's code (partitioned dictionaries only) */
	int32_t n, cap;
	char *pool;
	size_t plen, pcap;
} dpart;

struct yj_dict {
	dpart *part;
	int np, shift;	 /* np partitions, a power of two; partition = hash >> shift */
	int32_t n, gcap; /* codes; capacity of gpart/gent */
	uint8_t *gpart;	 /* per code, partitioned dictionaries only */
	int32_t *gent;
};

#define FIRST 0x80000000u /* yj_dict_merge: marks a chunk code that is a string's first sight */

/* a[0..n) == b[0..n), inline for the short strings of claim files */
static inline int same(const char *a, const char *b, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t x, y, z, w;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&z, a + n - 8, 8);
		memcpy(&w, b + n - 8, 8);
		return x == y && z == w;
	}
	if (n < 8) {
		for (size_t i = 0; i < n; i++)
			if (a[i] != b[i])
				return 0;
		return 1;
	}
	return memcmp(a, b, n) == 0;
}

/* Codes and ids of claim files are short: up to 16 bytes are read as two (overlapping) words
 * without a loop or a variable-length copy. */
static inline uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t a, b;
	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		if (n > 16) {
			uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
			for (size_t i = 8; i + 8 < n; i += 8) {
				uint64_t w;
				memcpy(&w, s + i, 8);
				h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
				h ^= h >> 31;
			}
			a ^= h;
		}
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		a = x;
		b = y;
	} else {
		a = n ? (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 | (unsigned char)s[n - 1] : 0;
		b = 0;
	}
	/* a is multiplied before b joins (two strings with a and b swapped differ), then every bit is
	 * spread over the whole word (murmur3's finaliser): slots use the low bits, partitions and
	 * tags the high ones. */
	uint64_t h = (a ^ 0x9E3779B97F4A7C15ull ^ n) * 0xBF58476D1CE4E5B9ull;
	h ^= b;
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	return h ^ (h >> 33);
}

static void part_init(dpart *p, size_t entries, size_t bytes, int gcodes)
{
	uint32_t sz = 64;
	while ((size_t)sz < entries * 2 && sz < (1u << 31))
		sz *= 2;
	p->slot = yj_calloc(sz, sizeof *p->slot);
	p->mask = sz - 1;
	if (entries > 64) {
		p->cap = (int32_t)(entries < INT32_MAX ? entries : INT32_MAX);
		p->hash = yj_malloc(sizeof *p->hash * (size_t)p->cap);
		p->off = yj_malloc(sizeof *p->off * (size_t)p->cap);
		p->len = yj_malloc(sizeof *p->len * (size_t)p->cap);
		if (gcodes)
			p->gcode = yj_malloc(sizeof *p->gcode * (size_t)p->cap);
	}
	if (bytes) {
		p->pcap = bytes;
		p->pool = yj_malloc(bytes);
	}
}

static void part_free(dpart *p)
{
	free(p->slot);
	free(p->hash);
	free(p->off);
	free(p->len);
	free(p->gcode);
	free(p->pool);
}

static yj_dict *dict_new(int np, size_t entries, size_t bytes)
{
	yj_dict *d = yj_calloc(1, sizeof *d);
	d->np = np;
	d->shift = 64;
	for (int b = np; b > 1; b >>= 1)
		d->shift--;
	d->part = yj_calloc((size_t)np, sizeof *d->part);
	for (int i = 0; i < np; i++)
		part_init(&d->part[i], entries / (size_t)np, bytes / (size_t)np, np > 1);
	return d;
}

yj_dict *yj_dict_new(void)
{
	return dict_new(1, 0, 0);
}

void yj_dict_free(yj_dict *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->np; i++)
		part_free(&d->part[i]);
	free(d->part);
	free(d->gpart);
	free(d->gent);
	free(d);
}

static void grow_table(dpart *p)
{
	uint32_t nsz = (p->mask + 1) * 2;
	free(p->slot);
	p->slot = yj_calloc(nsz, sizeof *p->slot);
	p->mask = nsz - 1;
	for (int32_t e = 0; e < p->n; e++) {
		uint32_t i = (uint32_t)p->hash[e] & p->mask;
		while (p->slot[i])
			i = (i + 1) & p->mask;
		p->slot[i] = (p->hash[e] >> 32 << 32) | (uint64_t)(e + 1);
	}
}

/* Entry of s in p, or -1 with *pos the empty slot where it goes. */
static inline int32_t lookup(const dpart *p, const char *s, size_t n, uint64_t h, uint32_t *pos)
{
	uint32_t i = (uint32_t)h & p->mask;
	uint64_t tag = h >> 32 << 32;
	for (;;) {
		uint64_t v = p->slot[i];
		if (!v) {
			*pos = i;
			return -1;
		}
		if ((v & 0xFFFFFFFF00000000ull) == tag) {
			int32_t e = (int32_t)(uint32_t)v - 1;
			if (p->len[e] == n && same(p->pool + p->off[e], s, n))
				return e;
		}
		i = (i + 1) & p->mask;
	}
}

/* Adds s as a new entry at slot pos; returns the entry. */
static int32_t add(dpart *p, const char *s, size_t n, uint64_t h, uint32_t pos, int gcodes)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->hash = yj_realloc(p->hash, sizeof *p->hash * (size_t)p->cap);
		p->off = yj_realloc(p->off, sizeof *p->off * (size_t)p->cap);
		p->len = yj_realloc(p->len, sizeof *p->len * (size_t)p->cap);
		if (gcodes || p->gcode)
			p->gcode = yj_realloc(p->gcode, sizeof *p->gcode * (size_t)p->cap);
	}
	if (p->plen + n + 1 > p->pcap) {
		p->pcap = (p->plen + n + 1) * 2;
		p->pool = yj_realloc(p->pool, p->pcap);
	}
	int32_t e = p->n++;
	p->hash[e] = h;
	p->off[e] = p->plen;
	p->len[e] = (uint32_t)n;
	memcpy(p->pool + p->plen, s, n);
	p->pool[p->plen + n] = 0;
	p->plen += n + 1;
	p->slot[pos] = (h >> 32 << 32) | (uint64_t)(e + 1);
	if ((uint32_t)p->n * 2 > p->mask)
		grow_table(p);
	return e;
}

static int32_t intern(yj_dict *d, const char *s, size_t n, int *added, int validate)
{
	uint64_t h = hash_bytes(s, n);
	dpart *p = &d->part[d->np > 1 ? h >> d->shift : 0];
	uint32_t pos = 0;
	int32_t e = lookup(p, s, n, h, &pos);
	if (added)
		*added = e < 0;
	if (e >= 0)
		return d->np > 1 ? p->gcode[e] : e;
	if (validate && (!yj_utf8_valid(s, n) || memchr(s, 0, n)))
		return -2;
	e = add(p, s, n, h, pos, d->np > 1);
	if (d->np == 1)
		return d->n++;
	if (d->n == d->gcap) {
		d->gcap = d->gcap ? d->gcap * 2 : 64;
		d->gpart = yj_realloc(d->gpart, (size_t)d->gcap);
		d->gent = yj_realloc(d->gent, sizeof *d->gent * (size_t)d->gcap);
	}
	int32_t c = d->n++;
	p->gcode[e] = c;
	d->gpart[c] = (uint8_t)(p - d->part);
	d->gent[c] = e;
	return c;
}

int32_t yj_dict_intern(yj_dict *d, const char *s, size_t n, int *added)
{
	return intern(d, s, n, added, 0);
}

int32_t yj_dict_intern_valid(yj_dict *d, const char *s, size_t n)
{
	return intern(d, s, n, NULL, 1);
}

int32_t yj_dict_find(const yj_dict *d, const char *s, size_t n)
{
	uint64_t h = hash_bytes(s, n);
	const dpart *p = &d->part[d->np > 1 ? h >> d->shift : 0];
	uint32_t pos;
	int32_t e = lookup(p, s, n, h, &pos);
	return e < 0 || d->np == 1 ? e : p->gcode[e];
}

const char *yj_dict_str(const yj_dict *d, int32_t code)
{
	if (code < 0 || code >= d->n)
		return "";
	if (d->np == 1)
		return d->part[0].pool + d->part[0].off[code];
	const dpart *p = &d->part[d->gpart[code]];
	return p->pool + p->off[d->gent[code]];
}

size_t yj_dict_len(const yj_dict *d, int32_t code)
{
	if (code < 0 || code >= d->n)
		return 0;
	if (d->np == 1)
		return d->part[0].len[code];
	return d->part[d->gpart[code]].len[d->gent[code]];
}

int32_t yj_dict_count(const yj_dict *d)
{
	return d->n;
}

/* ---- merge -------------------------------------------------------------------------------- */

typedef struct merge {
	yj_dict *g;
	yj_dict *const *src;
	int nsrc;
	int32_t **remap;
	int32_t **ord;	/* partitioned only: per source, its entries ordered by partition (stable) */
	int32_t *boff;	/* per source, np + 1 offsets into ord[i] */
	atomic_int next;
	int phase; /* 0: partitions, 1: remap by source, 2: order by partition, by source */
} merge;

/* Phase 2, source i: its entries ordered by partition, in entry order within one (a counting sort),
 * so each partition's task reads only its own entries instead of every entry of every source. */
static void merge_bucket(merge *m, int i)
{
	const yj_dict *g = m->g;
	const dpart *s = &m->src[i]->part[0];
	int32_t *off = m->boff + (size_t)i * (size_t)(g->np + 1);
	memset(off, 0, sizeof *off * (size_t)(g->np + 1));
	for (int32_t j = 0; j < s->n; j++)
		off[(s->hash[j] >> g->shift) + 1]++;
	for (int k = 0; k < g->np; k++)
		off[k + 1] += off[k];
	int32_t pos[64];
	memcpy(pos, off, sizeof *pos * (size_t)g->np);
	int32_t *o = m->ord[i] = yj_malloc(sizeof *o * (size_t)(s->n ? s->n : 1));
	for (int32_t j = 0; j < s->n; j++)
		o[pos[s->hash[j] >> g->shift]++] = j;
}

/* Phase 0, partition p: every source string of the partition, in source order, into the
 * partition; remap gets the entry, marked FIRST where the string is new. */
static void merge_part(merge *m, int pi)
{
	yj_dict *g = m->g;
	dpart *p = &g->part[pi];
	for (int i = 0; i < m->nsrc; i++) {
		const dpart *s = &m->src[i]->part[0];
		int32_t *out = m->remap[i];
		const int32_t *ord = g->np > 1 ? m->ord[i] : NULL;
		int32_t a = g->np > 1 ? m->boff[(size_t)i * (size_t)(g->np + 1) + (size_t)pi] : 0;
		int32_t b = g->np > 1 ? m->boff[(size_t)i * (size_t)(g->np + 1) + (size_t)pi + 1] : s->n;
		for (int32_t q = a; q < b; q++) {
			int32_t j = ord ? ord[q] : q;
			uint64_t h = s->hash[j];
			uint32_t pos = 0;
			const char *str = s->pool + s->off[j];
			int32_t e = lookup(p, str, s->len[j], h, &pos);
			if (e < 0)
				out[j] = (int32_t)((uint32_t)add(p, str, s->len[j], h, pos, g->np > 1) | FIRST);
			else
				out[j] = e;
		}
	}
}

/* Phase 1, source i: entries to codes. */
static void merge_remap(merge *m, int i)
{
	yj_dict *g = m->g;
	const dpart *s = &m->src[i]->part[0];
	int32_t *out = m->remap[i];
	if (g->np == 1) {
		for (int32_t j = 0; j < s->n; j++)
			out[j] = (int32_t)((uint32_t)out[j] & ~FIRST);
		return;
	}
	for (int32_t j = 0; j < s->n; j++)
		out[j] = g->part[s->hash[j] >> g->shift].gcode[(uint32_t)out[j] & ~FIRST];
}

static void *merge_worker(void *arg)
{
	merge *m = arg;
	int n = m->phase == 0 ? m->g->np : m->nsrc;
	for (;;) {
		int i = atomic_fetch_add(&m->next, 1);
		if (i >= n)
			break;
		if (m->phase == 0)
			merge_part(m, i);
		else if (m->phase == 1)
			merge_remap(m, i);
		else
			merge_bucket(m, i);
	}
	return NULL;
}

static void run(merge *m, int phase, int threads)
{
	m->phase = phase;
	atomic_store(&m->next, 0);
	pthread_t tid[64];
	int started = 0;
	for (int i = 1; i < threads && i < 64; i++)
		if (pthread_create(&tid[started], NULL, merge_worker, m) == 0)
			started++;
	merge_worker(m);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

yj_dict *yj_dict_merge(yj_dict *const *src, int nsrc, int threads, int32_t **remap)
{
	size_t entries = 0, bytes = 0;
	for (int i = 0; i < nsrc; i++) {
		entries += (size_t)src[i]->part[0].n;
		bytes += src[i]->part[0].plen;
	}
	/* Sources hold each string once per chunk it occurs in; most strings of a big dictionary
	 * (claim and patient ids) occur in one chunk, so the sum is a fair size for the tables. */
	int np = entries >= 65536 ? 16 : 1;
	if (threads < 1)
		threads = 1;
	int nthreads = threads > nsrc ? (nsrc ? nsrc : 1) : threads;
	if (threads > np)
		threads = np;
	yj_dict *g = dict_new(np, entries + entries / 8, bytes + bytes / 8);
	merge m = {.g = g, .src = src, .nsrc = nsrc, .remap = remap};
	if (np > 1) {
		m.ord = yj_calloc((size_t)(nsrc ? nsrc : 1), sizeof *m.ord);
		m.boff = yj_malloc(sizeof *m.boff * (size_t)(nsrc ? nsrc : 1) * (size_t)(np + 1));
		run(&m, 2, nthreads);
	}
	run(&m, 0, threads);
	if (np > 1) {
		for (int i = 0; i < nsrc; i++)
			free(m.ord[i]);
		free(m.ord);
		free(m.boff);
	}
	/* Codes in order of first sight: sources in order, each in its own code order. Within a
	 * partition, entries were added in that same order, so each partition's gcode fills in order. */
	if (np > 1) {
		size_t total = 0;
		for (int k = 0; k < np; k++)
			total += (size_t)g->part[k].n;
		g->gcap = (int32_t)(total ? total : 1);
		g->gpart = yj_malloc((size_t)g->gcap);
		g->gent = yj_malloc(sizeof *g->gent * (size_t)g->gcap);
	}
	for (int i = 0; i < nsrc; i++) {
		const dpart *s = &src[i]->part[0];
		const int32_t *out = remap[i];
		for (int32_t j = 0; j < s->n; j++) {
			if (!((uint32_t)out[j] & FIRST))
				continue;
			int32_t e = (int32_t)((uint32_t)out[j] & ~FIRST), c = g->n++;
			if (np > 1) {
				int pi = (int)(s->hash[j] >> g->shift);
				g->part[pi].gcode[e] = c;
				g->gpart[c] = (uint8_t)pi;
				g->gent[c] = e;
			}
		}
	}
	run(&m, 1, nthreads);
	return g;
}
