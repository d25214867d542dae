/* xlsx.h — the cells of one worksheet of an Excel workbook (.xlsx, Office Open XML) as rows of
 * strings, read with libzip and expat. Written for outside input (a bureau's catalogue): every part's
 * uncompressed size, the text kept and the cells are bounded, and XML with a DTD is refused. */
#ifndef YJ_XLSX_H
#define YJ_XLSX_H

#include <stddef.h>
#include <stdint.h>

/* One sheet row that holds at least one non-empty cell. f[0..nf-1] are NUL-terminated UTF-8 strings,
 * "" for an empty cell; nf is the column of the last non-empty cell. All strings live in the one
 * block `f` points to (free(f) releases them; yj_xlsx_free does that). Cells are given as the sheet
 * stores them: shared and inline strings as text (the _xHHHH_ escapes decoded), numbers as Excel
 * shows them in General format (15 significant digits: 12.5, 86900001000014), numbers with a date
 * format as YYYY-MM-DD (YYYY-MM-DD HH:MM:SS with a time, HH:MM:SS for a time alone), booleans as
 * TRUE/FALSE, errors and formula string results as their text. */
typedef struct yj_xlsx_row {
	int row; /* the sheet's row number, 1-based */
	int nf;
	char **f;
} yj_xlsx_row;

typedef struct yj_xlsx_sheet {
	yj_xlsx_row *rows; /* in sheet order */
	int nrows;
	char *name; /* the sheet read */
} yj_xlsx_sheet;

/* Bounds; a zero member takes its default (in parentheses). */
typedef struct yj_xlsx_limits {
	size_t max_part;   /* uncompressed bytes of any one XML part read (256 MiB) */
	size_t max_text;   /* bytes of cell text kept in all (256 MiB) */
	int64_t max_cells; /* cells kept, empty ones before a row's last counted (8 M) */
} yj_xlsx_limits;

/* Reads the sheet named `sheet` (NULL: the workbook's first) of the workbook in data[0..n).
 * 0 and *out filled (free with yj_xlsx_free), or -1 and *err (caller frees) saying what is wrong;
 * *out is then empty. `lim` may be NULL. */
int yj_xlsx_read(const void *data, size_t n, const char *sheet, const yj_xlsx_limits *lim, yj_xlsx_sheet *out,
		 char **err);
void yj_xlsx_free(yj_xlsx_sheet *s);

/* 1 when data starts like a zip archive (an .xlsx is one). */
int yj_xlsx_sniff(const void *data, size_t n);

/* A cell reference ("B12", "$AB$3") to its column (A = 1, up to XFD = 16384) and row (1..1048576):
 * 0, or -1 when it is not one. `row` may be NULL; a reference without a row ("AB") gives *row = 0. */
int yj_xlsx_ref(const char *ref, int *col, int *row);

#endif
