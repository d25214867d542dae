/* similar.c — how alike two complaints read: the Dice coefficient over character bigrams. Chinese is
 * written without spaces, so words cannot be split without a dictionary; adjacent character pairs
 * carry most of a word's identity and need none (the usual choice for short Chinese texts). Pure:
 * no store, no clock; the duplicate search (complaints_store.c) calls it on each candidate. */
#include "complaints.h"
#include "../base/base.h"

#include <stdlib.h>
#include <string.h>

/* Longest text compared, in bytes: a complaint is at most a few thousand characters; beyond this the
 * beginning carries enough to tell a duplicate. */
#define SIM_MAX_BYTES 16384

/* The next code point of s[*i..n), advancing *i; U+FFFD for a malformed byte (skipped one at a time). */
static uint32_t next_cp(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char c = s[*i];
	size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
	if (!len || *i + len > n) {
		(*i)++;
		return 0xFFFD;
	}
	uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
	for (size_t k = 1; k < len; k++) {
		if ((s[*i + k] & 0xC0) != 0x80) {
			(*i)++;
			return 0xFFFD;
		}
		cp = (cp << 6) | (s[*i + k] & 0x3Fu);
	}
	*i += len;
	return cp;
}

/* White space and punctuation say nothing about which matter a text is about. */
static int ignored(uint32_t cp)
{
	if (cp < 0x80)
		return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
	return (cp >= 0x3000 && cp <= 0x303F) /* CJK symbols and punctuation: 。、「」 */
	       || (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) /* fullwidth ！，：？ */
	       || (cp >= 0x2000 && cp <= 0x206F) /* general punctuation: “” … */
	       || cp == 0xFFFD;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The sorted bigrams of s into a new array (caller frees), their count in *nb; the kept code points'
 * count in *ncp. ASCII letters are folded to lower case. */
static uint64_t *bigrams(const char *s, size_t *nb, size_t *ncp)
{
	size_t n = strnlen(s ? s : "", SIM_MAX_BYTES), i = 0, k = 0;
	uint64_t *out = yj_malloc((n + 1) * sizeof *out);
	uint32_t prev = 0;
	*ncp = 0;
	while (i < n) {
		uint32_t cp = next_cp((const unsigned char *)s, n, &i);
		if (ignored(cp))
			continue;
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		if ((*ncp)++)
			out[k++] = ((uint64_t)prev << 32) | cp;
		else
			out[k] = cp; /* kept for a one-character text */
		prev = cp;
	}
	qsort(out, k, sizeof *out, cmp_u64);
	*nb = k;
	return out;
}

int yj_cmp_similarity(const char *a, const char *b)
{
	size_t na, nb, ca, cb;
	uint64_t *x = bigrams(a, &na, &ca), *y = bigrams(b, &nb, &cb);
	int score;
	if (!na || !nb) {
		score = ca == cb && ca <= 1 && (ca == 0 || x[0] == y[0]) ? 1000 : 0;
	} else {
		size_t i = 0, j = 0, common = 0;
		while (i < na && j < nb) { /* the size of the multiset intersection of two sorted arrays */
			if (x[i] == y[j]) {
				common++;
				i++;
				j++;
			} else if (x[i] < y[j]) {
				i++;
			} else {
				j++;
			}
		}
		score = (int)(2000 * common / (na + nb));
	}
	free(x);
	free(y);
	return score;
}
