/* catalog_int.h — inside `yijian rules import`: a catalogue file (CSV, or a sheet of an .xlsx workbook)
 * read into rows of strings, and its header's names (ours, the bureau's own Chinese names, or a
 * province's names given by --columns) matched to the columns the import needs (catalog_src.c). */
#ifndef YJ_CLAIMS_CATALOG_INT_H
#define YJ_CLAIMS_CATALOG_INT_H

#include "../base/xlsx.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cat_row {
	int64_t row; /* as the user counts it: the CSV record (blank lines skipped) or the sheet's row number */
	int nf;
	char **f;    /* nf strings */
	char *err;   /* a CSV record that does not parse: why, and the field (1-based) */
	int err_col;
} cat_row;

/* Owns its rows and their strings (cat_table_free). */
typedef struct cat_table {
	cat_row *rows;
	int nrows;
	int xlsx;    /* from a workbook: a row may stop before the header's last column (empty cells) */
	char *sheet; /* xlsx: the sheet read */
	yj_xlsx_sheet x;
} cat_table;

/* Reads data[0..n) of `file`: an .xlsx workbook (recognised by its content; `sheet` NULL = the first
 * sheet) or UTF-8 CSV (a BOM is skipped; a GBK file is refused with the iconv command to convert it).
 * YJ_OK, or YJ_ERR with *err (caller frees). */
int cat_table_read(const char *file, const char *data, size_t n, const char *sheet, cat_table *t, char **err);
void cat_table_free(cat_table *t);

/* Finds the header: the first of the table's first 10 rows that names every column of `required`
 * (our names, NULL-terminated). A name matches a header cell when the cell is our name, one of the
 * built-in names bureaus publish (药品编码 …), or — first — a name mapped to it in the --columns file
 * `columns` (CSV `their header,our column`; may be NULL). Spaces and a trailing unit in brackets
 * ("最高限价（元）") are ignored. col[i] is the 0-based column of required[i], then of optional[j]
 * (-1 when absent); *header the header's index in t->rows. YJ_OK, or YJ_ERR with *err (caller frees)
 * naming the first missing column and the names it accepts. */
int cat_header_find(const cat_table *t, const char *file, const char *const *required, const char *const *optional,
		    const char *columns, int *col, int *header, char **err);

#endif
