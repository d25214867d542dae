/* draw_jcs.c — RFC 8785 JSON Canonicalization Scheme (JCS) for the draw's input hash: object keys
 * sorted by their UTF-16 code units, strings with only the required escapes (lower-case \u00xx),
 * numbers in ECMAScript Number-to-String form. Integers outside ±(2^53 − 1) are refused: a JCS
 * reader holds numbers as IEEE doubles and would not read them back as the same value. */
#define _POSIX_C_SOURCE 200809L
#include "draw_bundle.h"
#include "../base/base.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAFE_INT 9007199254740991LL /* 2^53 − 1: the largest integer every double reader keeps exactly */

/* The next code point of a valid UTF-8 string (jansson only holds valid UTF-8), advancing *p. */
static unsigned long next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned long c = s[0];
	int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
	if (n)
		c &= 0x3Fu >> n;
	for (int i = 1; i <= n; i++)
		c = (c << 6) | (s[i] & 0x3Fu);
	*p = s + n + 1;
	return c;
}

/* The first UTF-16 code unit of a code point: what the sort compares (a supplementary character
 * sorts by its high surrogate, 0xD800–0xDBFF, below U+E000–U+FFFF). */
static unsigned long unit0(unsigned long cp)
{
	return cp < 0x10000 ? cp : 0xD800 + ((cp - 0x10000) >> 10);
}
static unsigned long unit1(unsigned long cp)
{
	return 0xDC00 + ((cp - 0x10000) & 0x3FF);
}

typedef struct jkey {
	const char *k;
	size_t len;
	const json_t *v;
} jkey;

/* Orders keys as sequences of UTF-16 code units (RFC 8785 §3.2.3). */
static int key_cmp(const void *a, const void *b)
{
	const jkey *x = a, *y = b;
	const unsigned char *p = (const unsigned char *)x->k, *q = (const unsigned char *)y->k;
	const unsigned char *pe = p + x->len, *qe = q + y->len;
	while (p < pe && q < qe) {
		unsigned long cp = next_cp(&p), cq = next_cp(&q);
		if (cp == cq)
			continue;
		unsigned long up = unit0(cp), uq = unit0(cq);
		if (up == uq) /* same high surrogate: the low ones decide */
			up = unit1(cp), uq = unit1(cq);
		return up < uq ? -1 : 1;
	}
	return (p < pe) - (q < qe);
}

static void put_string(yj_buf *b, const char *s, size_t len)
{
	yj_buf_puts(b, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\t' ? "\\t"
			: c == '\n' ? "\\n" : c == '\f' ? "\\f" : c == '\r' ? "\\r" : NULL;
		if (esc)
			yj_buf_puts(b, esc);
		else if (c < 0x20)
			yj_buf_printf(b, "\\u%04x", c);
		else
			yj_buf_append(b, &s[i], 1);
	}
	yj_buf_puts(b, "\"");
}

/* The shortest decimal digits that read back as d (> 0, finite), and its exponent: d = 0.D × 10^n
 * with D the digits. Returns the number of digits. */
static int shortest_digits(double d, char digits[20], int *n)
{
	char buf[40];
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*e", p - 1, d);
		int ok = strtod(buf, NULL) == d;
		if (!ok && strtod(buf, NULL) < d) {
			/* Next to a power of two the interval that reads back as d is narrower below it: the
			 * p-digit number above may read back where the nearest one (below) does not. */
			char *e = strchr(buf, 'e');
			char *q = e - 1;
			while (q >= buf && (*q == '9' || *q == '.')) {
				if (*q == '9')
					*q = '0';
				q--;
			}
			if (q >= buf) {
				(*q)++;
				ok = strtod(buf, NULL) == d;
			}
			if (!ok)
				snprintf(buf, sizeof buf, "%.*e", p - 1, d);
		}
		if (!ok)
			continue;
		int k = 0;
		for (const char *c = buf; *c != 'e'; c++)
			if (*c >= '0' && *c <= '9')
				digits[k++] = *c;
		while (k > 1 && digits[k - 1] == '0')
			k--;
		digits[k] = '\0';
		*n = atoi(strchr(buf, 'e') + 1) + 1;
		return k;
	}
	return 0; /* not reached: 17 significant digits always read back */
}

/* ECMAScript Number::toString (ECMA-262 §6.1.6.1.20) of a finite double. */
static void put_double(yj_buf *b, double d)
{
	if (d == 0) {
		yj_buf_puts(b, "0"); /* −0 too */
		return;
	}
	if (d < 0) {
		yj_buf_puts(b, "-");
		d = -d;
	}
	char s[20];
	int n = 0, k = shortest_digits(d, s, &n);
	if (k <= n && n <= 21) {
		yj_buf_puts(b, s);
		for (int i = 0; i < n - k; i++)
			yj_buf_puts(b, "0");
	} else if (0 < n && n <= 21) {
		yj_buf_append(b, s, (size_t)n);
		yj_buf_puts(b, ".");
		yj_buf_puts(b, s + n);
	} else if (-6 < n && n <= 0) {
		yj_buf_puts(b, "0.");
		for (int i = 0; i < -n; i++)
			yj_buf_puts(b, "0");
		yj_buf_puts(b, s);
	} else {
		yj_buf_append(b, s, 1);
		if (k > 1) {
			yj_buf_puts(b, ".");
			yj_buf_puts(b, s + 1);
		}
		yj_buf_printf(b, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
}

static int put_value(yj_buf *b, const json_t *v, char **why)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0, len;
		jkey *keys = yj_calloc(n ? n : 1, sizeof *keys);
		const char *k;
		json_t *x;
		json_object_keylen_foreach((json_t *)v, k, len, x) keys[i++] = (jkey){k, len, x};
		qsort(keys, n, sizeof *keys, key_cmp);
		int rc = 0;
		yj_buf_puts(b, "{");
		for (i = 0; i < n && rc == 0; i++) {
			if (i)
				yj_buf_puts(b, ",");
			put_string(b, keys[i].k, keys[i].len);
			yj_buf_puts(b, ":");
			rc = put_value(b, keys[i].v, why);
		}
		yj_buf_puts(b, "}");
		free(keys);
		return rc;
	}
	case JSON_ARRAY: {
		yj_buf_puts(b, "[");
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				yj_buf_puts(b, ",");
			if (put_value(b, json_array_get(v, i), why) < 0)
				return -1;
		}
		yj_buf_puts(b, "]");
		return 0;
	}
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(v);
		if (i > SAFE_INT || i < -SAFE_INT) {
			*why = yj_asprintf("the integer %" JSON_INTEGER_FORMAT " is beyond ±(2^53 − 1): RFC 8785 numbers are"
					   " IEEE doubles and cannot hold it exactly (write it as a string)", i);
			return -1;
		}
		yj_buf_printf(b, "%" JSON_INTEGER_FORMAT, i);
		return 0;
	}
	case JSON_REAL:
		if (!isfinite(json_real_value(v))) {
			*why = yj_strdup("a number is not finite");
			return -1;
		}
		put_double(b, json_real_value(v));
		return 0;
	case JSON_TRUE:
		yj_buf_puts(b, "true");
		return 0;
	case JSON_FALSE:
		yj_buf_puts(b, "false");
		return 0;
	case JSON_NULL:
		yj_buf_puts(b, "null");
		return 0;
	}
	return -1;
}

char *yj_draw_jcs(const json_t *v, char **why)
{
	yj_buf b = YJ_BUF_INIT;
	*why = NULL;
	if (!v || put_value(&b, v, why) < 0) {
		if (!*why)
			*why = yj_strdup("not a JSON value");
		yj_buf_free(&b);
		return NULL;
	}
	return yj_buf_detach(&b);
}
