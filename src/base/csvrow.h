/* csvrow.h — a row-wise RFC 4180 reader for files people make in spreadsheets (imports): decides
 * the text encoding first (UTF-8 with or without BOM, else GBK/GB18030 as Excel in China saves
 * it, converted with iconv; anything else is refused with the row and column of the first bad
 * byte), then yields one record at a time with its row number as a spreadsheet shows it.
 * Malformed records (a stray quote, text after a closing quote, an unterminated quote, an
 * over-long field) are reported on their own row; the reader resynchronises on the next line.
 * The claims engine keeps its own columnar reader (claims/csv.c) for hundreds of millions of lines. */
#ifndef YJ_CSVROW_H
#define YJ_CSVROW_H

#include <stddef.h>

enum yj_csv_encoding { YJ_ENC_UTF8, YJ_ENC_UTF8_BOM, YJ_ENC_GB18030 };

typedef struct yj_csvrow {
	/* the decoded input */
	const char *p, *end;
	char *owned;		/* the UTF-8 conversion when the input was GB18030, else NULL */
	enum yj_csv_encoding encoding;
	size_t max_field;	/* bytes; longer fields make the record malformed (default 1 MiB) */
	int max_fields;		/* columns; more make the record malformed (default 1024) */
	/* the current record */
	char **f;		/* NUL-terminated fields, valid until the next call */
	size_t *len;		/* their lengths in bytes */
	size_t *off;		/* (internal) their offsets in buf */
	int nf, cap;
	long row;		/* 1-based record number counting blank lines, as a spreadsheet numbers rows */
	const char *err;	/* NULL, or why the record is malformed (Chinese) */
	int err_col;		/* 1-based column of err */
	/* storage */
	char *buf;
	size_t blen, bcap;
} yj_csvrow;

/* Prepares a reader over data[0..n), which must outlive it unless it was converted. Returns 0, or
 * -1 with *err (Chinese, caller frees) when the bytes are neither UTF-8 nor GB18030 (naming the
 * row and column of the first byte that decodes in neither), UTF-16, a zipped workbook or binary. */
int yj_csvrow_open(yj_csvrow *r, const char *data, size_t n, char **err);
void yj_csvrow_close(yj_csvrow *r);
/* Reads the next non-blank record: 1 when one was read (check r->err), 0 at the end. */
int yj_csvrow_next(yj_csvrow *r);
/* "UTF-8", "UTF-8 (BOM)" or "GBK/GB18030". */
const char *yj_csv_encoding_name(enum yj_csv_encoding e);

#endif
