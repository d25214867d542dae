/* csv.c — an RFC 4180 reader over a memory range (the claims file is memory-mapped), plus the
 * date and decimal parsers the loader uses. Unquoted fields, the common case, are returned as
 * slices of the input without copying; only quoted fields with doubled quotes are unescaped into
 * a scratch buffer. A malformed record is still consumed to its end, so the reader resynchronises
 * on the next record: a stray quote inside an unquoted field or after a closing quote is taken
 * literally up to the next comma or newline, and only an unterminated quoted field runs to the
 * end of the input. */
#include "claims.h"
#include "../base/base.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define CSV_MAX_FIELDS 4096

/* Bytes that end an unquoted field or need attention. */
static const unsigned char csv_stop[256] = {['\n'] = 1, [','] = 1, ['"'] = 1};

void yj_csv_init(yj_csv *r, const char *data, size_t n)
{
	memset(r, 0, sizeof *r);
	r->p = data;
	r->end = data + n;
	r->cap = 32;
	r->f = yj_malloc(sizeof *r->f * (size_t)r->cap);
}

void yj_csv_free(yj_csv *r)
{
	free(r->f);
	free(r->scratch);
	memset(r, 0, sizeof *r);
}

static void set_err(yj_csv *r, const char *msg)
{
	if (!r->err) {
		r->err = msg;
		r->err_col = r->nf + 1;
	}
}

/* Fields that were unescaped into scratch are re-pointed once the record is complete (the
 * scratch buffer may move while it grows). */
static void push_field(yj_csv *r, const char *p, size_t n)
{
	size_t maxf = r->max_field ? r->max_field : (size_t)1 << 20;
	if (n > maxf)
		set_err(r, "field too long");
	if (r->nf >= CSV_MAX_FIELDS) {
		set_err(r, "too many columns");
		r->nf++;
		return;
	}
	if (r->nf == r->cap) {
		r->cap *= 2;
		r->f = yj_realloc(r->f, sizeof *r->f * (size_t)r->cap);
	}
	r->f[r->nf].p = p;
	r->f[r->nf].n = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	r->nf++;
}

/* Skips the rest of a broken field up to a comma or newline; quotes there are taken literally, so
 * one stray quote costs one row, not the rest of the file. Returns the terminator (0 at the end). */
static int skip_garbage(yj_csv *r)
{
	while (r->p < r->end) {
		char c = *r->p++;
		if (c == ',' || c == '\n')
			return c;
	}
	return 0;
}

#if defined(__SSE2__)
/* The common record: no quote before its newline, fields that fit. Finds commas, newline and
 * quotes 16 bytes at a time. Returns 1 when it read the record; 0 leaves r untouched for the
 * general reader (a quote, a long or unfinished record, many fields, the end of the input). */
static int next_simple(yj_csv *r)
{
	const char *p = r->p, *end = r->end, *s = p;
	size_t maxf = r->max_field ? r->max_field : (size_t)1 << 20;
	yj_csv_field *f = r->f;
	int nf = 0, cap = r->cap;
	const __m128i vc = _mm_set1_epi8(','), vn = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"');
	while (end - p >= 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vq));
		unsigned mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vn));
		unsigned mc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vc));
		unsigned below = mn ? (mn & -mn) - 1 : 0xFFFFu;
		if (mq & below)
			return 0;
		for (mc &= below; mc; mc &= mc - 1) {
			const char *e = p + __builtin_ctz(mc);
			if (nf == cap || (size_t)(e - s) > maxf)
				return 0;
			f[nf].p = s;
			f[nf++].n = (uint32_t)(e - s);
			s = e + 1;
		}
		if (mn) {
			const char *e = p + __builtin_ctz(mn);
			size_t n = (size_t)(e - s);
			if (n && s[n - 1] == '\r')
				n--;
			if (nf == cap || n > maxf)
				return 0;
			f[nf].p = s;
			f[nf++].n = (uint32_t)n;
			r->nf = nf;
			r->p = e + 1;
			return 1;
		}
		p += 16;
	}
	return 0;
}
#endif

int yj_csv_next(yj_csv *r)
{
	/* scratch-field bookkeeping: indexes and offsets */
	size_t sidx[64];
	size_t soff[64];
	int ns = 0;
again:
	r->nf = 0;
	r->err = NULL;
	r->err_col = 0;
	r->unterminated = 0;
	r->slen = 0;
	ns = 0;
	if (r->p >= r->end)
		return 0;
	r->rec_start = r->p;
	if (*r->p == '\n' || (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')) { /* blank line */
		r->p += *r->p == '\n' ? 1 : 2;
		goto again;
	}
#if defined(__SSE2__)
	if (next_simple(r))
		return 1;
#endif
	for (;;) {
		int term;
		if (r->p < r->end && *r->p == '"') {
			const char *s = ++r->p;
			int escaped = 0;
			const char *q;
			for (;;) {
				q = memchr(r->p, '"', (size_t)(r->end - r->p));
				if (!q)
					break;
				if (q + 1 < r->end && q[1] == '"') {
					escaped = 1;
					r->p = q + 2;
					continue;
				}
				break;
			}
			if (!q) { /* unterminated: the rest of the input is this field */
				set_err(r, "unterminated quote");
				r->unterminated = 1;
				push_field(r, s, (size_t)(r->end - s));
				r->p = r->end;
				break;
			}
			size_t n = (size_t)(q - s);
			if (escaped) {
				if (r->slen + n + 1 > r->scap) {
					r->scap = (r->slen + n + 1) * 2;
					r->scratch = yj_realloc(r->scratch, r->scap);
				}
				size_t start = r->slen;
				for (const char *x = s; x < q; x++) {
					r->scratch[r->slen++] = *x;
					if (*x == '"')
						x++;
				}
				if (ns < 64) {
					sidx[ns] = (size_t)r->nf;
					soff[ns] = start;
					ns++;
				}
				push_field(r, s, r->slen - start);
			} else {
				push_field(r, s, n);
			}
			r->p = q + 1;
			if (r->p >= r->end) {
				term = 0;
			} else if (*r->p == ',' || *r->p == '\n') {
				term = *r->p++;
			} else if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n') {
				r->p += 2;
				term = '\n';
			} else {
				r->nf--;
				set_err(r, "text after closing quote");
				r->nf++;
				term = skip_garbage(r);
			}
		} else {
			const char *s = r->p;
			while (r->p < r->end && !csv_stop[(unsigned char)*r->p])
				r->p++;
			size_t n = (size_t)(r->p - s);
			if (r->p < r->end && *r->p == '"') {
				set_err(r, "quote inside unquoted field");
				r->p++;
				term = skip_garbage(r);
				push_field(r, s, (size_t)(r->p - s) - (term ? 1 : 0));
			} else {
				if (r->p < r->end && *r->p == '\n' && n && s[n - 1] == '\r')
					n--;
				push_field(r, s, n);
				term = r->p < r->end ? *r->p++ : 0;
			}
		}
		if (term != ',')
			break;
		if (r->p >= r->end) { /* trailing comma at the end of input: one more empty field */
			push_field(r, r->p, 0);
			break;
		}
	}
	for (int i = 0; i < ns; i++)
		if ((int)sidx[i] < r->cap && (int)sidx[i] < r->nf)
			r->f[sidx[i]].p = r->scratch + soff[i];
	if (ns == 64 && !r->err)
		set_err(r, "too many escaped fields");
	return 1;
}

char *yj_csv_dup(const yj_csv *r, int i)
{
	if (i < 0 || i >= r->nf || i >= r->cap)
		return yj_strdup("");
	return yj_strndup(r->f[i].p, r->f[i].n);
}

/* ---- numbers and ages (dates themselves are base/date.h) ---------------------------------- */

int yj_parse_decimal(const char *p, size_t n, int scale, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	if (n && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		i++;
	}
	if (i == n)
		return YJ_ERR;
	int64_t v = 0;
	int digits = 0, frac = -1;
	for (; i < n; i++) {
		char c = p[i];
		if (c == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (c < '0' || c > '9')
			return YJ_ERR;
		if (frac >= 0 && ++frac > scale)
			return YJ_ERR;
		if (v > (INT64_MAX - 9) / 10)
			return YJ_ERR;
		v = v * 10 + (c - '0');
		digits++;
	}
	if (!digits)
		return YJ_ERR;
	for (int k = frac < 0 ? 0 : frac; k < scale; k++) {
		if (v > INT64_MAX / 10)
			return YJ_ERR;
		v *= 10;
	}
	*out = neg ? -v : v;
	return YJ_OK;
}

int yj_age_years(int32_t birth, int32_t day)
{
	int by, bm, bd, y, m, d;
	yj_civil_from_days(birth, &by, &bm, &bd);
	yj_civil_from_days(day, &y, &m, &d);
	int age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}
