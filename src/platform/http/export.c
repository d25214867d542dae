/* export.c — lists as Excel (libxlsxwriter) or CSV (UTF-8 with BOM, RFC 4180 quoting, so Excel
 * in China opens it with the right characters). The same filters and scope as the list itself:
 * callers run the list's query without a page limit and hand its statement here, and every row is
 * written to a temporary file as it is read (libxlsxwriter in constant-memory mode), which is then
 * sent from disk: an export of any size holds one row in memory, never the whole list (the
 * statement is streamed, store_stream, so on PostgreSQL libpq does not hold the whole result either).
 * No malloc_trim after a large export: once streamed, it gave back under 1 MiB of a 25 MiB process and
 * cost a quarter of the exports' throughput at 16 connections (docs/benchmarks.md, bench/export_rss). */
#define _POSIX_C_SOURCE 200809L
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

const yj_qparam yj_export_format_param = {"format", "xlsx (default), csv, or count ({total}: the rows the export would hold)"};

/* Excel's last row is 1,048,576: a longer export goes on to further sheets, each with the header. */
#define XLSX_ROWS_PER_SHEET 1048576u

/* One export being written. */
typedef struct exp_writer {
	int csv;
	const char *basename;
	const yj_column *cols;
	char path[64];		/* the temporary file */
	FILE *f;		/* csv */
	lxw_workbook *wb;	/* xlsx */
	lxw_worksheet *ws;
	lxw_format *bold;
	lxw_row_t row;		/* next row of ws */
	unsigned sheets;
	int failed;
} exp_writer;

static const char *cell_text(json_t *v, char *tmp, size_t cap)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(tmp, cap, "%lld", (long long)json_integer_value(v));
		return tmp;
	}
	if (json_is_real(v)) {
		snprintf(tmp, cap, "%g", json_real_value(v));
		return tmp;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "是" : "否";
	return "";
}

static void csv_field(FILE *f, const char *s)
{
	/* Quote always; a leading =+-@ is prefixed with ' so a spreadsheet never runs it as a formula. */
	fputc('"', f);
	if (strchr("=+-@", s[0]) && s[0])
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int xlsx_sheet(exp_writer *w)
{
	char name[32];
	w->sheets++;
	if (w->sheets == 1)
		snprintf(name, sizeof name, "%.31s", w->basename);
	else
		snprintf(name, sizeof name, "%.24s-%u", w->basename, w->sheets);
	w->ws = workbook_add_worksheet(w->wb, name);
	if (!w->ws)
		return YJ_ERR;
	lxw_col_t col = 0;
	for (const yj_column *c = w->cols; c->key; c++, col++) {
		worksheet_set_column(w->ws, col, col, 18, NULL);
		worksheet_write_string(w->ws, 0, col, c->header, w->bold);
	}
	w->row = 1;
	return YJ_OK;
}

static int writer_open(exp_writer *w, int csv, const char *basename, const yj_column *cols)
{
	memset(w, 0, sizeof *w);
	w->csv = csv;
	w->basename = basename;
	w->cols = cols;
	snprintf(w->path, sizeof w->path, "/tmp/yijian-export-XXXXXX");
	int fd = mkstemp(w->path);
	if (fd < 0)
		return YJ_ERR;
	if (csv) {
		w->f = fdopen(fd, "w+b");
		if (!w->f) {
			close(fd);
			unlink(w->path);
			return YJ_ERR;
		}
		unlink(w->path); /* the open stream keeps it; nothing is left behind whatever happens */
		fputs("\xEF\xBB\xBF", w->f);
		for (const yj_column *c = cols; c->key; c++) {
			if (c != cols)
				fputc(',', w->f);
			csv_field(w->f, c->header);
		}
		fputs("\r\n", w->f);
		return YJ_OK;
	}
	/* libxlsxwriter 1.1.4 writes only to a named file; constant memory keeps one row in memory. */
	close(fd);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
	w->wb = workbook_new_opt(w->path, &opt);
	if (!w->wb) {
		unlink(w->path);
		return YJ_ERR;
	}
	w->bold = workbook_add_format(w->wb);
	format_set_bold(w->bold);
	return xlsx_sheet(w);
}

/* Writes one row object: each column takes the value at its key. */
static void writer_row(exp_writer *w, json_t *obj)
{
	char tmp[64];
	if (w->csv) {
		for (const yj_column *c = w->cols; c->key; c++) {
			if (c != w->cols)
				fputc(',', w->f);
			csv_field(w->f, cell_text(json_object_get(obj, c->key), tmp, sizeof tmp));
		}
		fputs("\r\n", w->f);
		return;
	}
	if (w->row == XLSX_ROWS_PER_SHEET && xlsx_sheet(w) < 0) {
		w->failed = 1;
		return;
	}
	lxw_col_t col = 0;
	for (const yj_column *c = w->cols; c->key; c++, col++) {
		json_t *v = json_object_get(obj, c->key);
		if (json_is_integer(v) || json_is_real(v))
			worksheet_write_number(w->ws, w->row, col, json_number_value(v), NULL);
		else
			worksheet_write_string(w->ws, w->row, col, cell_text(v, tmp, sizeof tmp), NULL);
	}
	w->row++;
}

/* Finishes the file; on success *fd holds it open at its start and *len its size. */
static int writer_close(exp_writer *w, int *fd, size_t *len)
{
	FILE *f = w->f;
	if (!w->csv) {
		lxw_error e = workbook_close(w->wb);
		f = e == LXW_NO_ERROR && !w->failed ? fopen(w->path, "rb") : NULL;
		unlink(w->path);
	}
	if (!f)
		return YJ_ERR;
	struct stat sb;
	int ok = !w->failed && fflush(f) == 0 && !ferror(f) && fstat(fileno(f), &sb) == 0;
	*fd = ok ? dup(fileno(f)) : -1;
	fclose(f);
	if (*fd < 0)
		return YJ_ERR;
	lseek(*fd, 0, SEEK_SET);
	*len = (size_t)sb.st_size;
	return YJ_OK;
}

static void writer_abandon(exp_writer *w)
{
	if (w->csv) {
		if (w->f)
			fclose(w->f);
		return;
	}
	if (w->wb) {
		workbook_close(w->wb);
		unlink(w->path);
	}
}

/* ?format=count: the list's total for its pager (共 N 条) — the export's own query, so the count has
 * the list's filters and scope whatever the list; nothing is written. */
static int want_count(yj_req *r)
{
	const char *format = yj_query(r, "format");
	return format && strcmp(format, "count") == 0;
}

/* ?format=: 1 csv, 0 xlsx; -1 after replying 400. */
static int format_or_reply(yj_req *r)
{
	const char *format = yj_query(r, "format");
	int csv = format && strcmp(format, "csv") == 0;
	if (format && !csv && strcmp(format, "xlsx") != 0) {
		yj_reply_problem_errors(r, 400, "validation", "参数错误", "导出格式只能是 xlsx、csv 或 count。",
					yj_field_errors("format", "应为 xlsx、csv 或 count"));
		return -1;
	}
	return csv;
}

static int reply_failed(yj_req *r)
{
	return yj_reply_problem(r, 500, "export", "导出失败", "生成导出文件时出错，请稍后重试。");
}

/* Starts the file in ?format=; YJ_OK, or replies (400 for a bad format, 500) and returns YJ_ERR. */
static int open_or_reply(yj_req *r, exp_writer *w, const char *basename, const yj_column *cols)
{
	int csv = format_or_reply(r);
	if (csv < 0)
		return YJ_ERR;
	if (writer_open(w, csv, basename, cols) < 0) {
		reply_failed(r);
		return YJ_ERR;
	}
	return YJ_OK;
}

static int send_file(yj_req *r, exp_writer *w)
{
	int fd;
	size_t len;
	if (writer_close(w, &fd, &len) < 0)
		return reply_failed(r);
	char disp[256];
	snprintf(disp, sizeof disp, "attachment; filename=\"%s.%s\"", w->basename, w->csv ? "csv" : "xlsx");
	yj_add_header(r, "Content-Disposition", disp);
	return yj_reply_fd(r, 200,
			   w->csv ? "text/csv; charset=utf-8"
				  : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			   fd, len);
}

int yj_reply_export_stmt(yj_req *r, const char *basename, const yj_column *cols, store_stmt *st, yj_row_fn row,
			 void *arg)
{
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	int rc;
	store_stream(st); /* no bound on its rows: one at a time, never the whole result */
	if (want_count(r)) {
		json_int_t n = 0;
		while ((rc = store_step(st)) == ST_ROW) {
			json_t *obj = row(st, arg); /* a row the export leaves out is not counted */
			n += obj != NULL;
			json_decref(obj);
		}
		store_finalize(st);
		return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, json_pack("{s:I}", "total", n));
	}
	exp_writer w;
	if (open_or_reply(r, &w, basename, cols) < 0) {
		store_finalize(st);
		return YJ_OK;
	}
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *obj = row(st, arg);
		if (obj)
			writer_row(&w, obj);
		json_decref(obj);
	}
	store_finalize(st);
	if (rc < 0) {
		writer_abandon(&w);
		return yj_reply_store_error(r, rc);
	}
	return send_file(r, &w);
}

int yj_reply_export(yj_req *r, const char *basename, const yj_column *cols, json_t *rows)
{
	if (want_count(r)) {
		json_int_t n = (json_int_t)json_array_size(rows);
		json_decref(rows);
		return yj_reply_json(r, 200, json_pack("{s:I}", "total", n));
	}
	exp_writer w;
	if (open_or_reply(r, &w, basename, cols) < 0) {
		json_decref(rows);
		return YJ_OK;
	}
	size_t i;
	json_t *obj;
	json_array_foreach(rows, i, obj) writer_row(&w, obj);
	json_decref(rows);
	return send_file(r, &w);
}
