/* fuzz_xlsx.c — the .xlsx reader (base/xlsx) on arbitrary bytes, with small bounds so they are reached.
 * It must never crash or leak; a refusal always says why; rows come in increasing order, each ends
 * with a non-empty cell, and every cell is valid UTF-8 without a NUL. The cell-reference parser gets
 * the input's first bytes too. Seeds: tests/fuzz/corpus/fuzz_xlsx (a workbook written by
 * libxlsxwriter in test_xlsx). The fuzz environment is linked but not used. */
#include "base/base.h"
#include "base/xlsx.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char ref[16];
	size_t k = size < sizeof ref - 1 ? size : sizeof ref - 1;
	memcpy(ref, data, k);
	ref[k] = '\0';
	int col, row;
	if (yj_xlsx_ref(ref, &col, &row) == 0 && (col < 1 || col > 16384 || row < 0 || row > 1048576))
		abort();

	yj_xlsx_limits lim = {.max_part = 1 << 20, .max_text = 1 << 20, .max_cells = 20000};
	yj_xlsx_sheet s;
	char *err = NULL;
	if (yj_xlsx_read(data, size, NULL, &lim, &s, &err) < 0) {
		if (!err || !*err || s.nrows || s.rows)
			abort();
		free(err);
		return 0;
	}
	if (err || !s.name)
		abort();
	int last = 0;
	for (int i = 0; i < s.nrows; i++) {
		const yj_xlsx_row *r = &s.rows[i];
		if (r->row <= last || r->nf < 1 || !*r->f[r->nf - 1])
			abort();
		last = r->row;
		for (int c = 0; c < r->nf; c++)
			if (!yj_utf8_valid(r->f[c], strlen(r->f[c])))
				abort();
	}
	yj_xlsx_free(&s);
	return 0;
}
