/* export.c — lists as Excel (libxlsxwriter) or CSV (UTF-8 with BOM, RFC 4180 quoting, so Excel
 * in China opens it with the right characters). The same filters and scope as the list itself:
 * callers build rows with the list's query and hand them here. */
#define _POSIX_C_SOURCE 200809L
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

const yj_qparam yj_export_format_param = {"format", "xlsx (default) or csv"};

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

static void csv_field(yj_buf *b, const char *s)
{
	/* Quote always; a leading =+-@ is prefixed with ' so a spreadsheet never runs it as a formula. */
	yj_buf_puts(b, "\"");
	if (strchr("=+-@", s[0]) && s[0])
		yj_buf_puts(b, "'");
	for (; *s; s++) {
		if (*s == '"')
			yj_buf_puts(b, "\"\"");
		else
			yj_buf_append(b, s, 1);
	}
	yj_buf_puts(b, "\"");
}

static int reply_csv(yj_req *r, const yj_column *cols, json_t *rows)
{
	yj_buf b = YJ_BUF_INIT;
	char tmp[64];
	yj_buf_puts(&b, "\xEF\xBB\xBF");
	for (const yj_column *c = cols; c->key; c++) {
		if (c != cols)
			yj_buf_puts(&b, ",");
		csv_field(&b, c->header);
	}
	yj_buf_puts(&b, "\r\n");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		for (const yj_column *c = cols; c->key; c++) {
			if (c != cols)
				yj_buf_puts(&b, ",");
			csv_field(&b, cell_text(json_object_get(row, c->key), tmp, sizeof tmp));
		}
		yj_buf_puts(&b, "\r\n");
	}
	size_t len = b.len;
	return yj_reply_take(r, 200, "text/csv; charset=utf-8", yj_buf_detach(&b), len);
}

static int reply_xlsx(yj_req *r, const char *sheet, const yj_column *cols, json_t *rows)
{
	/* libxlsxwriter 1.1.4 writes only to files: use a private temp file and read it back. */
	char path[] = "/tmp/yijian-export-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return YJ_ERR;
	close(fd);
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
	if (!ws) {
		unlink(path);
		return YJ_ERR;
	}
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	char tmp[64];
	lxw_col_t col = 0;
	for (const yj_column *c = cols; c->key; c++, col++) {
		worksheet_write_string(ws, 0, col, c->header, bold);
		worksheet_set_column(ws, col, col, 18, NULL);
	}
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		col = 0;
		for (const yj_column *c = cols; c->key; c++, col++) {
			json_t *v = json_object_get(row, c->key);
			if (json_is_integer(v) || json_is_real(v))
				worksheet_write_number(ws, (lxw_row_t)(i + 1), col, json_number_value(v), NULL);
			else
				worksheet_write_string(ws, (lxw_row_t)(i + 1), col, cell_text(v, tmp, sizeof tmp), NULL);
		}
	}
	lxw_error e = workbook_close(wb);
	FILE *f = e == LXW_NO_ERROR ? fopen(path, "rb") : NULL;
	if (!f) {
		unlink(path);
		return YJ_ERR;
	}
	yj_buf b = YJ_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		yj_buf_append(&b, chunk, n);
	fclose(f);
	unlink(path);
	size_t len = b.len;
	return yj_reply_take(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			     yj_buf_detach(&b), len);
}

int yj_reply_export(yj_req *r, const char *basename, const yj_column *cols, json_t *rows)
{
	const char *format = yj_query(r, "format");
	int csv = format && strcmp(format, "csv") == 0;
	if (format && !csv && strcmp(format, "xlsx") != 0) {
		json_decref(rows);
		return yj_reply_problem_errors(r, 400, "validation", "参数错误", "导出格式只能是 xlsx 或 csv。",
					       json_pack("[{s:s,s:s}]", "field", "format", "detail", "应为 xlsx 或 csv"));
	}
	char disp[256];
	snprintf(disp, sizeof disp, "attachment; filename=\"%s.%s\"", basename, csv ? "csv" : "xlsx");
	yj_add_header(r, "Content-Disposition", disp);
	int rc = csv ? reply_csv(r, cols, rows) : reply_xlsx(r, basename, cols, rows);
	json_decref(rows);
	if (rc < 0)
		return yj_reply_problem(r, 500, "export", "导出失败", "生成导出文件时出错，请稍后重试。");
	return YJ_OK;
}
