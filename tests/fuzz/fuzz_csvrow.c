/* fuzz_csvrow.c — the import reader (base/csvrow) on arbitrary bytes. It must never crash; row
 * numbers must increase; every field is NUL-terminated at its length and within the limit; and a
 * file whose records all parse cleanly must read back the same after being written out again with
 * every field quoted. The fuzz environment is linked but not used. */
#include "base/base.h"
#include "base/csvrow.h"

#include <stdlib.h>
#include <string.h>

static void write_quoted(yj_buf *b, const yj_csvrow *r)
{
	for (int i = 0; i < r->nf; i++) {
		yj_buf_puts(b, i ? ",\"" : "\"");
		for (size_t j = 0; j < r->len[i]; j++) {
			if (r->f[i][j] == '"')
				yj_buf_append(b, "\"", 1);
			yj_buf_append(b, &r->f[i][j], 1);
		}
		yj_buf_puts(b, "\"");
	}
	yj_buf_puts(b, "\r\n");
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	yj_csvrow r;
	char *err = NULL;
	if (yj_csvrow_open(&r, (const char *)data, size, &err) < 0) {
		if (!err || !strstr(err, "CSV"))
			abort(); /* a refusal always says what to do */
		free(err);
		return 0;
	}
	r.max_field = 64; /* small, so the limit is reached */
	yj_buf out = YJ_BUF_INIT;
	long last = 0;
	int clean = 1, nrec = 0;
	while (yj_csvrow_next(&r)) {
		if (r.row <= last)
			abort();
		last = r.row;
		for (int i = 0; i < r.nf; i++)
			if (r.len[i] > r.max_field || r.f[i][r.len[i]] != '\0' || strlen(r.f[i]) != r.len[i])
				abort();
		if (r.err)
			clean = 0;
		else
			write_quoted(&out, &r);
		nrec++;
	}
	yj_csvrow_close(&r);
	if (clean && nrec) {
		/* Re-read what was written: same records, same fields. */
		yj_csvrow a, b;
		if (yj_csvrow_open(&a, (const char *)data, size, &err) < 0 || yj_csvrow_open(&b, out.data, out.len, &err) < 0)
			abort();
		a.max_field = b.max_field = 64;
		for (;;) {
			int na = yj_csvrow_next(&a), nb = yj_csvrow_next(&b);
			if (na != nb)
				abort();
			if (!na)
				break;
			if (b.err || a.nf != b.nf)
				abort();
			for (int i = 0; i < a.nf; i++)
				if (a.len[i] != b.len[i] || memcmp(a.f[i], b.f[i], a.len[i]))
					abort();
		}
		yj_csvrow_close(&a);
		yj_csvrow_close(&b);
	}
	yj_buf_free(&out);
	return 0;
}
