/* base.c — allocation wrappers, the byte buffer, clocks, hex and UTF-8 checks. */
#define _POSIX_C_SOURCE 200809L
#include "base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(size_t n)
{
	fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"out of memory\",\"bytes\":%zu}\n", n);
	abort();
}

void *yj_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *yj_calloc(size_t count, size_t n)
{
	void *p = calloc(count ? count : 1, n ? n : 1);
	if (!p)
		oom(count * n);
	return p;
}

void *yj_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *yj_strdup(const char *s)
{
	return s ? yj_strndup(s, strlen(s)) : NULL;
}

char *yj_strndup(const char *s, size_t n)
{
	char *p;
	if (!s)
		return NULL;
	p = yj_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *yj_asprintf(const char *fmt, ...)
{
	yj_buf b = YJ_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	yj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (!b.data)
		yj_buf_append(&b, "", 0);
	return yj_buf_detach(&b);
}

static void buf_grow(yj_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = yj_realloc(b->data, cap);
	b->cap = cap;
}

void yj_buf_grow_append(yj_buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void yj_buf_puts(yj_buf *b, const char *s)
{
	yj_buf_append(b, s, strlen(s));
}

void yj_buf_vprintf(yj_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void yj_buf_printf(yj_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	yj_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void yj_buf_reset(yj_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *yj_buf_detach(yj_buf *b)
{
	char *p = b->data;
	if (!p)
		p = yj_strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void yj_buf_free(yj_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

struct yj_strpool_block {
	struct yj_strpool_block *next;
	char data[];
};

char *yj_strpool_dup(yj_strpool *p, const char *s)
{
	size_t n = strlen(s) + 1;
	if (!p->head || p->cap - p->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		struct yj_strpool_block *b = yj_malloc(sizeof *b + cap);
		b->next = p->head;
		p->head = b;
		p->used = 0;
		p->cap = cap;
	}
	char *out = p->head->data + p->used;
	memcpy(out, s, n);
	p->used += n;
	return out;
}

void yj_strpool_free(yj_strpool *p)
{
	while (p->head) {
		struct yj_strpool_block *b = p->head;
		p->head = b->next;
		free(b);
	}
	p->used = p->cap = 0;
}

int64_t yj_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t yj_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t yj_thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void yj_hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int yj_hex_decode(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

int yj_ct_equal(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	unsigned char d = 0;
	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

size_t yj_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp;
	size_t k;
	if ((c & 0xE0) == 0xC0) {
		k = 1;
		cp = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		k = 2;
		cp = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		k = 3;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (k >= n)
		return 0;
	for (size_t j = 1; j <= k; j++) {
		if ((s[j] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[j] & 0x3F);
	}
	if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k + 1;
}

int yj_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		if (s[i] == 0)
			return 0; /* embedded NUL is never legitimate text here */
		size_t k = s[i] < 0x80 ? 1 : yj_utf8_seq(s + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

size_t yj_utf8_len(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}
