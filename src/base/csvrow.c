/* csvrow.c — encoding detection and the row-wise RFC 4180 reader (see csvrow.h). Fields are
 * unescaped into one buffer per record; a field longer than the limit is kept only up to it, so a
 * 10-MB cell costs no more memory than the limit and is reported on its row and column. */
#define _POSIX_C_SOURCE 200809L
#include "csvrow.h"
#include "base.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAVE_AS "请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）(*.csv)”后重新导入。"

const char *yj_csv_encoding_name(enum yj_csv_encoding e)
{
	switch (e) {
	case YJ_ENC_UTF8_BOM:
		return "UTF-8 (BOM)";
	case YJ_ENC_GB18030:
		return "GBK/GB18030";
	default:
		return "UTF-8";
	}
}

/* Length of the longest valid UTF-8 prefix of s[0..n). */
static size_t utf8_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			k = 1, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3, min = 0x10000;
		} else {
			return i;
		}
		if (i + k >= n) /* truncated sequence */
			return i;
		unsigned cp = c & (0x3F >> k);
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += k + 1;
	}
	return n;
}

/* Row and column (1-based, as a spreadsheet shows them) of byte off, by a quote-aware scan. */
static void position(const char *d, size_t off, long *row, int *col)
{
	int inq = 0;
	*row = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (d[i] == '"')
			inq = !inq;
		else if (!inq && d[i] == ',')
			(*col)++;
		else if (!inq && d[i] == '\n')
			(*row)++, *col = 1;
	}
}

/* Converts GB18030 to UTF-8. Returns the new buffer (caller frees, *out_n its length), or NULL
 * with *bad the offset of the first byte that does not decode. */
static char *from_gb18030(const char *d, size_t n, size_t *out_n, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1) {
		*bad = 0;
		return NULL;
	}
	size_t cap = n * 2 + 16; /* a GBK character (2 bytes) becomes at most 3, a 4-byte one 4 */
	char *out = yj_malloc(cap), *o = out, *in = (char *)d;
	size_t inleft = n, outleft = cap - 1;
	size_t rc = iconv(cd, &in, &inleft, &o, &outleft);
	iconv_close(cd);
	if (rc == (size_t)-1) {
		*bad = (size_t)(in - d);
		free(out);
		return NULL;
	}
	*o = '\0';
	*out_n = (size_t)(o - out);
	return out;
}

int yj_csvrow_open(yj_csvrow *r, const char *data, size_t n, char **err)
{
	memset(r, 0, sizeof *r);
	r->max_field = (size_t)1 << 20;
	r->max_fields = 1024;
	*err = NULL;
	const unsigned char *u = (const unsigned char *)data;
	if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
		*err = yj_strdup("文件是 UTF-16 编码（“Unicode 文本”），无法读取。" SAVE_AS);
		return -1;
	}
	if (n >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
		*err = yj_strdup("这是 Excel 工作簿（.xlsx），不是 CSV 文件。" SAVE_AS);
		return -1;
	}
	const char *nul = memchr(data, '\0', n);
	if (nul) {
		long row;
		int col;
		position(data, (size_t)(nul - data), &row, &col);
		*err = yj_asprintf("文件第 %ld 行第 %d 列含有空字节，不是文本 CSV 文件。" SAVE_AS, row, col);
		return -1;
	}
	size_t skip = n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF ? 3 : 0;
	size_t ok = utf8_prefix(u + skip, n - skip) + skip;
	if (ok == n) {
		r->encoding = skip ? YJ_ENC_UTF8_BOM : YJ_ENC_UTF8;
		r->p = data + skip;
		r->end = data + n;
		return 0;
	}
	size_t bad = 0, on = 0;
	if (!skip && (r->owned = from_gb18030(data, n, &on, &bad))) {
		r->encoding = YJ_ENC_GB18030;
		r->p = r->owned;
		r->end = r->owned + on;
		return 0;
	}
	/* Neither decodes: name the byte where the more plausible reading (the one that got further)
	 * breaks down. A file that starts with a UTF-8 BOM is read as UTF-8 only. */
	size_t at = skip || ok > bad ? ok : bad;
	long row;
	int col;
	position(data, at, &row, &col);
	*err = yj_asprintf("文件编码无法识别：第 %ld 行第 %d 列的字节 0x%02X 既不是有效的 UTF-8，也不是 GBK。" SAVE_AS, row,
			   col, u[at]);
	return -1;
}

void yj_csvrow_close(yj_csvrow *r)
{
	free(r->owned);
	free(r->f);
	free(r->len);
	free(r->off);
	free(r->buf);
	memset(r, 0, sizeof *r);
}

static void set_err(yj_csvrow *r, const char *msg)
{
	if (!r->err) {
		r->err = msg;
		r->err_col = r->nf + 1;
	}
}

/* Appends to the field that began at buf offset start, keeping at most max_field bytes of it. */
static void put(yj_csvrow *r, size_t start, const char *s, size_t n)
{
	size_t have = r->blen - start;
	if (have + n > r->max_field) {
		set_err(r, "内容过长（单元格超过 1 MiB）");
		n = have < r->max_field ? r->max_field - have : 0;
	}
	if (r->blen + n + 1 > r->bcap) {
		r->bcap = (r->blen + n + 1) * 2;
		r->buf = yj_realloc(r->buf, r->bcap);
	}
	memcpy(r->buf + r->blen, s, n);
	r->blen += n;
}

static void end_field(yj_csvrow *r, size_t start)
{
	put(r, start, "", 0);
	r->buf[r->blen++] = '\0'; /* put reserved the byte */
	if (r->nf >= r->max_fields) {
		set_err(r, "列数过多");
		r->blen = start;
		return;
	}
	if (r->nf == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->f = yj_realloc(r->f, sizeof *r->f * (size_t)r->cap);
		r->len = yj_realloc(r->len, sizeof *r->len * (size_t)r->cap);
		r->off = yj_realloc(r->off, sizeof *r->off * (size_t)r->cap);
	}
	r->off[r->nf] = start;
	r->len[r->nf] = r->blen - start - 1;
	r->nf++;
}

/* After a malformed field: skips to the next comma or newline (quotes taken literally), so one
 * stray quote costs one record, not the rest of the file. Returns the terminator, 0 at the end. */
static int skip_garbage(yj_csvrow *r)
{
	while (r->p < r->end) {
		char c = *r->p++;
		if (c == ',' || c == '\n')
			return c;
	}
	return 0;
}

int yj_csvrow_next(yj_csvrow *r)
{
again:
	r->nf = 0;
	r->err = NULL;
	r->err_col = 0;
	r->blen = 0;
	if (r->p >= r->end)
		return 0;
	r->row++;
	if (*r->p == '\n' || (*r->p == '\r' && (r->p + 1 == r->end || r->p[1] == '\n'))) { /* blank line */
		r->p += *r->p == '\n' || r->p + 1 == r->end ? 1 : 2;
		goto again;
	}
	for (;;) {
		size_t start = r->blen;
		int term;
		if (*r->p == '"') {
			r->p++;
			for (;;) {
				const char *q = memchr(r->p, '"', (size_t)(r->end - r->p));
				if (!q) {
					set_err(r, "引号未闭合（缺少结尾的英文双引号，文件可能被截断）");
					put(r, start, r->p, (size_t)(r->end - r->p));
					r->p = r->end;
					break;
				}
				put(r, start, r->p, (size_t)(q - r->p));
				if (q + 1 < r->end && q[1] == '"') {
					put(r, start, "\"", 1);
					r->p = q + 2;
					continue;
				}
				r->p = q + 1;
				break;
			}
			if (r->p >= r->end) {
				term = 0;
			} else if (*r->p == ',' || *r->p == '\n') {
				term = *r->p++;
			} else if (*r->p == '\r' && (r->p + 1 == r->end || r->p[1] == '\n')) {
				r->p += r->p + 1 == r->end ? 1 : 2;
				term = '\n';
			} else {
				set_err(r, "结尾引号后还有文字（含引号的单元格须整个用英文双引号括起）");
				term = skip_garbage(r);
			}
		} else {
			const char *s = r->p;
			while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '"')
				r->p++;
			if (r->p < r->end && *r->p == '"') {
				set_err(r, "单元格中有引号：请用英文双引号括起整个单元格，并把其中的引号写成两个");
				put(r, start, s, (size_t)(r->p - s));
				term = skip_garbage(r);
			} else {
				size_t n = (size_t)(r->p - s);
				if (n && s[n - 1] == '\r' && (r->p == r->end || *r->p == '\n'))
					n--;
				put(r, start, s, n);
				term = r->p < r->end ? *r->p++ : 0;
			}
		}
		end_field(r, start);
		if (term != ',')
			break;
		if (r->p >= r->end) { /* a trailing comma at the end of input: one more empty field */
			end_field(r, r->blen);
			break;
		}
	}
	for (int i = 0; i < r->nf; i++)
		r->f[i] = r->buf + r->off[i];
	return 1;
}
