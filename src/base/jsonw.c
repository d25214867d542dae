/* jsonw.c — JSON written straight into a byte buffer, byte for byte as jansson's json_dumps writes
 * the same values (jsonw.h): a list streams its rows without building a tree per row, and the
 * canonical texts that are hashed (audit state, history) are written without jansson's dump (issue 15). */
#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes that jansson escapes (without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH): '"', '\\' and the C0
 * controls; every other byte of valid UTF-8 goes out as it is. */
static int needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

void yj_jw_str(yj_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0; /* s[run..i) is a run of bytes that go out as they are */
	yj_buf_append(b, "\"", 1);
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80 && !needs_escape(c)) {
			i++;
			continue;
		}
		size_t k = c < 0x80 ? 0 : yj_utf8_seq(s + i, n - i);
		if (k) {
			i += k;
			continue;
		}
		yj_buf_append(b, s + run, i - run);
		switch (c) {
		case '"':
			yj_buf_append(b, "\\\"", 2);
			break;
		case '\\':
			yj_buf_append(b, "\\\\", 2);
			break;
		case '\b':
			yj_buf_append(b, "\\b", 2);
			break;
		case '\f':
			yj_buf_append(b, "\\f", 2);
			break;
		case '\n':
			yj_buf_append(b, "\\n", 2);
			break;
		case '\r':
			yj_buf_append(b, "\\r", 2);
			break;
		case '\t':
			yj_buf_append(b, "\\t", 2);
			break;
		default:
			if (c < 0x20) {
				char e[7];
				snprintf(e, sizeof e, "\\u%04X", (unsigned)c); /* jansson's upper-case hex */
				yj_buf_append(b, e, 6);
			} else {
				/* Not UTF-8 (jansson refuses such a string): U+FFFD for the byte, so the body
				 * stays valid JSON and the rest of the value is kept. */
				yj_buf_append(b, "\xEF\xBF\xBD", 3);
			}
		}
		run = ++i;
	}
	yj_buf_append(b, s + run, i - run);
	yj_buf_append(b, "\"", 1);
}

void yj_jw_cstr(yj_buf *b, const char *s)
{
	if (s)
		yj_jw_str(b, s, strlen(s));
	else
		yj_buf_append(b, "null", 4);
}

void yj_jw_key(yj_buf *b, const char *key)
{
	yj_jw_str(b, key, strlen(key));
	yj_buf_append(b, ":", 1);
}

void yj_jw_int(yj_buf *b, int64_t v)
{
	char d[24], *p = d + sizeof d;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	yj_buf_append(b, p, (size_t)(d + sizeof d - p));
}

void yj_jw_real(yj_buf *b, double v)
{
	yj_jw_real_prec(b, v, 12);
}

void yj_jw_real_prec(yj_buf *b, double v, int precision)
{
	/* jansson's jsonp_dtostr: %.<precision>g (0: 17), then ".0" when it would read back as an
	 * integer, then no '+' and no leading zeros in the exponent. A value jansson cannot hold (NaN,
	 * infinity) goes out as null. */
	if (!isfinite(v)) {
		yj_buf_append(b, "null", 4);
		return;
	}
	char s[48];
	int len = snprintf(s, sizeof s - 3, "%.*g", precision ? precision : 17, v);
	if (len < 0 || (size_t)len >= sizeof s - 3) {
		yj_buf_append(b, "null", 4);
		return;
	}
	if (!strchr(s, '.') && !strchr(s, 'e')) {
		memcpy(s + len, ".0", 3);
		len += 2;
	}
	char *e = strchr(s, 'e');
	if (e) {
		char *start = e + 1, *end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, (size_t)(s + len - end) + 1);
			len -= (int)(end - start);
		}
	}
	yj_buf_append(b, s, (size_t)len);
}

void yj_jw_e6(yj_buf *b, int64_t e6)
{
	/* Between 0.0001 and 10^6 in magnitude %.12g prints the decimal digits of e6 (at most 12 of them,
	 * so none is rounded away) in fixed notation without trailing zeros: written here without
	 * printf, which was the largest cost left in a list of institutions (their coordinates). */
	uint64_t u = e6 < 0 ? 0 - (uint64_t)e6 : (uint64_t)e6;
	if (u < 100 || u >= 1000000000000ULL) {
		yj_jw_real(b, (double)e6 / 1e6);
		return;
	}
	char d[32], *p = d + sizeof d;
	uint64_t ip = u / 1000000, fp = u % 1000000;
	int w = 6;
	while (fp && fp % 10 == 0) { /* no trailing zeros in the fraction */
		fp /= 10;
		w--;
	}
	if (fp) {
		for (int i = 0; i < w; i++, fp /= 10)
			*--p = (char)('0' + fp % 10);
	} else {
		*--p = '0'; /* a whole number: jansson's ".0" */
	}
	*--p = '.';
	do {
		*--p = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	if (e6 < 0)
		*--p = '-';
	yj_buf_append(b, p, (size_t)(d + sizeof d - p));
}

void yj_jw_json(yj_buf *b, const json_t *v)
{
	if (!v) {
		yj_buf_append(b, "null", 4);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *m;
		int first = 1;
		yj_buf_append(b, "{", 1);
		json_object_foreach((json_t *)v, key, m) {
			if (!first)
				yj_buf_append(b, ",", 1);
			first = 0;
			yj_jw_key(b, key);
			yj_jw_json(b, m);
		}
		yj_buf_append(b, "}", 1);
		break;
	}
	case JSON_ARRAY: {
		yj_buf_append(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				yj_buf_append(b, ",", 1);
			yj_jw_json(b, json_array_get(v, i));
		}
		yj_buf_append(b, "]", 1);
		break;
	}
	case JSON_STRING:
		yj_jw_str(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		yj_jw_int(b, json_integer_value(v));
		break;
	case JSON_REAL:
		yj_jw_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		yj_buf_append(b, "true", 4);
		break;
	case JSON_FALSE:
		yj_buf_append(b, "false", 5);
		break;
	default:
		yj_buf_append(b, "null", 4);
	}
}

/* An object's members, to be written in key order. */
typedef struct {
	const char *key;
	size_t len;
	const json_t *v;
} member;

/* jansson's key order (dump.c, compare_keys): the bytes, then the shorter first. */
static int member_cmp(const void *a, const void *b)
{
	const member *x = a, *y = b;
	int r = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	return r ? r : (x->len > y->len) - (x->len < y->len);
}

void yj_jw_canonical(yj_buf *b, const json_t *v, int precision)
{
	if (!v) {
		yj_buf_append(b, "null", 4);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		/* A record's thirty-odd members fit on the stack; a larger object sorts on the heap. */
		member stack[64], *m = stack;
		size_t n = json_object_size(v), i = 0;
		if (n > YJ_ARRAY_LEN(stack))
			m = yj_malloc(n * sizeof *m);
		const char *key;
		size_t len;
		json_t *e;
		json_object_keylen_foreach((json_t *)v, key, len, e) m[i++] = (member){key, len, e};
		qsort(m, i, sizeof *m, member_cmp);
		yj_buf_append(b, "{", 1);
		for (size_t k = 0; k < i; k++) {
			if (k)
				yj_buf_append(b, ",", 1);
			yj_jw_str(b, m[k].key, m[k].len);
			yj_buf_append(b, ":", 1);
			yj_jw_canonical(b, m[k].v, precision);
		}
		yj_buf_append(b, "}", 1);
		if (m != stack)
			free(m);
		break;
	}
	case JSON_ARRAY:
		yj_buf_append(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				yj_buf_append(b, ",", 1);
			yj_jw_canonical(b, json_array_get(v, i), precision);
		}
		yj_buf_append(b, "]", 1);
		break;
	case JSON_REAL:
		yj_jw_real_prec(b, json_real_value(v), precision);
		break;
	default:
		yj_jw_json(b, v); /* a scalar: the same bytes at any precision */
	}
}
