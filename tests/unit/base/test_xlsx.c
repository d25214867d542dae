/* test_xlsx.c — the .xlsx reader (base/xlsx) on workbooks written by libxlsxwriter (the library the
 * server's exports use: shared strings, inline strings in constant-memory mode, numbers, dates, empty
 * cells and rows, a second sheet) and on archives made here with libzip (a DTD, a part past its bound,
 * escapes, prefixed element names, damaged files). Also writes the fuzzer's seed (YJ_XLSX_SEED=PATH). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "base/base.h"
#include "base/xlsx.h"

static char dir[] = "/tmp/yj-xlsx-XXXXXX";

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	yj_buf b = YJ_BUF_INIT;
	char tmp[4096];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		yj_buf_append(&b, tmp, k);
	fclose(f);
	*n = b.len;
	return yj_buf_detach(&b);
}

/* A workbook with each kind of cell; constant_memory makes libxlsxwriter write inline strings. */
static char *write_book(int constant_memory, size_t *n)
{
	char *path = yj_asprintf("%s/book%d.xlsx", dir, constant_memory);
	lxw_workbook_options opt = {.constant_memory = (uint8_t)constant_memory};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "药品目录");
	lxw_worksheet *ws2 = workbook_add_worksheet(wb, "第二");
	lxw_format *day = workbook_add_format(wb);
	format_set_num_format(day, "yyyy-mm-dd");
	lxw_format *stamp = workbook_add_format(wb);
	format_set_num_format(stamp, "yyyy\"年\"m\"月\"d\"日\" hh:mm:ss");
	lxw_format *money = workbook_add_format(wb);
	format_set_num_format(money, "#,##0.00\"元\"");
	worksheet_write_string(ws, 0, 0, "药品编码", NULL);
	worksheet_write_string(ws, 0, 1, "药品名称", NULL);
	worksheet_write_string(ws, 0, 2, "最高限价", NULL);
	worksheet_write_string(ws, 0, 3, "生效日期", NULL);
	worksheet_write_string(ws, 1, 0, "XD301", NULL);
	worksheet_write_string(ws, 1, 1, "人血白蛋白, \"20%\"", NULL);
	worksheet_write_number(ws, 1, 2, 12.5, money);
	lxw_datetime d = {2026, 3, 1, 0, 0, 0};
	worksheet_write_datetime(ws, 1, 3, &d, day);
	worksheet_write_number(ws, 2, 0, 86900001000014.0, NULL); /* a code Excel keeps as a number */
	/* column B empty */
	worksheet_write_number(ws, 2, 2, 0.1 + 0.2, NULL);         /* 0.30000000000000004 shows as 0.3 */
	lxw_datetime t = {2026, 3, 1, 8, 30, 15};
	worksheet_write_datetime(ws, 2, 3, &t, stamp);
	/* rows 4 and 5 empty; row 6 */
	worksheet_write_boolean(ws, 5, 0, 1, NULL);
	worksheet_write_string(ws, 5, 1, "", NULL);
	worksheet_write_number(ws, 5, 4, -3, NULL);
	worksheet_write_string(ws2, 0, 0, "另一页", NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	char *data = slurp(path, n);
	free(path);
	return data;
}

static void check_book(const char *data, size_t n)
{
	yj_xlsx_sheet s;
	char *err = NULL;
	if (yj_xlsx_read(data, n, NULL, NULL, &s, &err) < 0)
		fail_msg("%s", err);
	assert_string_equal(s.name, "药品目录");
	assert_int_equal(s.nrows, 4);
	assert_int_equal(s.rows[0].row, 1);
	assert_int_equal(s.rows[0].nf, 4);
	assert_string_equal(s.rows[0].f[3], "生效日期");
	assert_string_equal(s.rows[1].f[1], "人血白蛋白, \"20%\"");
	assert_string_equal(s.rows[1].f[2], "12.5");
	assert_string_equal(s.rows[1].f[3], "2026-03-01");
	assert_int_equal(s.rows[2].row, 3);
	assert_string_equal(s.rows[2].f[0], "86900001000014");
	assert_string_equal(s.rows[2].f[1], "");
	assert_string_equal(s.rows[2].f[2], "0.3");
	assert_string_equal(s.rows[2].f[3], "2026-03-01 08:30:15");
	assert_int_equal(s.rows[2].nf, 4);
	/* row 6: TRUE, an empty string, nothing in C and D, a negative number in E */
	assert_int_equal(s.rows[2 + 0].row, 3);
	yj_xlsx_row *r6 = &s.rows[s.nrows - 1];
	assert_int_equal(r6->row, 6);
	assert_int_equal(r6->nf, 5);
	assert_string_equal(r6->f[0], "TRUE");
	assert_string_equal(r6->f[1], "");
	assert_string_equal(r6->f[2], "");
	assert_string_equal(r6->f[4], "-3");
	yj_xlsx_free(&s);
	if (yj_xlsx_read(data, n, "第二", NULL, &s, &err) < 0)
		fail_msg("%s", err);
	assert_int_equal(s.nrows, 1);
	assert_string_equal(s.rows[0].f[0], "另一页");
	yj_xlsx_free(&s);
	assert_int_equal(yj_xlsx_read(data, n, "第三", NULL, &s, &err), -1);
	assert_non_null(strstr(err, "no sheet '第三'; its sheets are '药品目录', '第二'"));
	free(err);
}

static void test_libxlsxwriter_books(void **st)
{
	(void)st;
	for (int cm = 0; cm < 2; cm++) {
		size_t n;
		char *data = write_book(cm, &n);
		check_book(data, n);
		free(data);
	}
}

/* An archive of the given parts (name, text) pairs, NULL-terminated; returned as bytes. */
static char *make_zip(const char *const *parts, size_t *n)
{
	char *path = yj_asprintf("%s/hand.xlsx", dir);
	unlink(path);
	int e = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
	assert_non_null(z);
	for (int i = 0; parts[i]; i += 2) {
		zip_source_t *src = zip_source_buffer(z, parts[i + 1], strlen(parts[i + 1]), 0);
		assert_non_null(src);
		assert_true(zip_file_add(z, parts[i], src, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
	char *data = slurp(path, n);
	free(path);
	return data;
}

#define WB "<?xml version=\"1.0\"?><x:workbook xmlns:x=\"main\" xmlns:r=\"rel\"><x:sheets>" \
	   "<x:sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></x:sheets></x:workbook>"
#define RELS "<Relationships><Relationship Id=\"rId1\" Type=\"t/worksheet\" Target=\"worksheets/s.xml\"/>" \
	     "<Relationship Id=\"rId2\" Type=\"t/sharedStrings\" Target=\"/xl/strings.xml\"/></Relationships>"

static void test_hand_made(void **st)
{
	(void)st;
	size_t n;
	yj_xlsx_sheet s;
	char *err = NULL;
	/* prefixed names, shared strings at a part the relationships name, rich text and phonetic runs,
	 * _xHHHH_ escapes, cells without references, a formula's string, an error value */
	const char *ok[] = {"xl/workbook.xml", WB, "xl/_rels/workbook.xml.rels", RELS, "xl/strings.xml",
			    "<sst><si><r><t>甲</t></r><r><t xml:space=\"preserve\"> 乙</t></r><rPh><t>ジャ</t></rPh></si>"
			    "<si><t>a_x000D_b_x005F_x0041_</t></si></sst>",
			    "xl/worksheets/s.xml",
			    "<x:worksheet xmlns:x=\"main\"><x:sheetData><x:row><x:c t=\"s\"><x:v>0</x:v></x:c>"
			    "<x:c t=\"s\"><x:v>1</x:v></x:c><x:c t=\"str\"><x:f>A1</x:f><x:v>甲 乙</x:v></x:c>"
			    "<x:c t=\"e\"><x:v>#N/A</x:v></x:c><x:c t=\"inlineStr\"><x:is><x:t>内联</x:t></x:is></x:c>"
			    "</x:row></x:sheetData></x:worksheet>",
			    NULL};
	char *data = make_zip(ok, &n);
	if (yj_xlsx_read(data, n, NULL, NULL, &s, &err) < 0)
		fail_msg("%s", err);
	assert_int_equal(s.nrows, 1);
	assert_int_equal(s.rows[0].nf, 5);
	assert_string_equal(s.rows[0].f[0], "甲 乙");
	assert_string_equal(s.rows[0].f[1], "a\rb_x0041_");
	assert_string_equal(s.rows[0].f[2], "甲 乙");
	assert_string_equal(s.rows[0].f[3], "#N/A");
	assert_string_equal(s.rows[0].f[4], "内联");
	yj_xlsx_free(&s);
	free(data);

	/* a DTD is refused (the billion laughs start with one) */
	const char *dtd[] = {"xl/workbook.xml",
			     "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>"
			     "<workbook><sheets><sheet name=\"&lol2;\" r:id=\"rId1\"/></sheets></workbook>",
			     NULL};
	data = make_zip(dtd, &n);
	assert_int_equal(yj_xlsx_read(data, n, NULL, NULL, &s, &err), -1);
	assert_non_null(strstr(err, "DTD"));
	free(err);
	free(data);

	/* a part past its bound stops there (a zip bomb); so do too many cells */
	yj_buf big = YJ_BUF_INIT;
	yj_buf_puts(&big, "<worksheet><sheetData>");
	for (int i = 1; i <= 20000; i++)
		yj_buf_printf(&big, "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c></row>", i, i, i);
	yj_buf_puts(&big, "</sheetData></worksheet>");
	const char *bomb[] = {"xl/workbook.xml", WB, "xl/_rels/workbook.xml.rels", RELS, "xl/worksheets/s.xml", big.data, NULL};
	data = make_zip(bomb, &n);
	assert_true(n < big.len / 4);
	yj_xlsx_limits lim = {.max_part = 100000};
	assert_int_equal(yj_xlsx_read(data, n, NULL, &lim, &s, &err), -1);
	assert_non_null(strstr(err, "bytes uncompressed"));
	free(err);
	yj_xlsx_limits cells = {.max_cells = 1000};
	assert_int_equal(yj_xlsx_read(data, n, NULL, &cells, &s, &err), -1);
	assert_non_null(strstr(err, "more than 1000 cells"));
	free(err);
	assert_int_equal(yj_xlsx_read(data, n, NULL, NULL, &s, &err), 0);
	assert_int_equal(s.nrows, 20000);
	assert_string_equal(s.rows[19999].f[0], "20000");
	yj_xlsx_free(&s);

	/* damaged: cut short, not a zip, a shared string that does not exist, cells out of order */
	assert_int_equal(yj_xlsx_read(data, n / 2, NULL, NULL, &s, &err), -1);
	assert_non_null(strstr(err, "not an Excel workbook"));
	free(err);
	free(data);
	yj_buf_free(&big);
	assert_int_equal(yj_xlsx_read("a,b\n", 4, NULL, NULL, &s, &err), -1);
	assert_non_null(strstr(err, "not an Excel workbook (.xlsx)"));
	free(err);
	const char *bad_ref[] = {"xl/workbook.xml", WB, "xl/_rels/workbook.xml.rels", RELS, "xl/worksheets/s.xml",
				 "<worksheet><sheetData><row r=\"1\"><c t=\"s\"><v>7</v></c></row></sheetData></worksheet>", NULL};
	data = make_zip(bad_ref, &n);
	assert_int_equal(yj_xlsx_read(data, n, NULL, NULL, &s, &err), -1);
	assert_non_null(strstr(err, "shared string '7' does not exist"));
	free(err);
	free(data);
	const char *order[] = {"xl/workbook.xml", WB, "xl/_rels/workbook.xml.rels", RELS, "xl/worksheets/s.xml",
			       "<worksheet><sheetData><row r=\"1\"><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>2</v></c></row>"
			       "</sheetData></worksheet>",
			       NULL};
	data = make_zip(order, &n);
	assert_int_equal(yj_xlsx_read(data, n, NULL, NULL, &s, &err), -1);
	assert_non_null(strstr(err, "out of order"));
	free(err);
	free(data);
}

static void test_refs(void **st)
{
	(void)st;
	int c, r;
	assert_int_equal(yj_xlsx_ref("A1", &c, &r), 0);
	assert_int_equal(c, 1);
	assert_int_equal(r, 1);
	assert_int_equal(yj_xlsx_ref("$AB$12", &c, &r), 0);
	assert_int_equal(c, 28);
	assert_int_equal(r, 12);
	assert_int_equal(yj_xlsx_ref("XFD1048576", &c, &r), 0);
	assert_int_equal(c, 16384);
	assert_int_equal(r, 1048576);
	assert_int_equal(yj_xlsx_ref("XFE1", &c, &r), -1);
	assert_int_equal(yj_xlsx_ref("A1048577", &c, &r), -1);
	assert_int_equal(yj_xlsx_ref("A0", &c, &r), -1);
	assert_int_equal(yj_xlsx_ref("1A", &c, &r), -1);
	assert_int_equal(yj_xlsx_ref("", &c, &r), -1);
	assert_int_equal(yj_xlsx_ref("ABCD1", &c, &r), -1);
}

static int setup(void **st)
{
	(void)st;
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	/* the fuzzer's seed: the libxlsxwriter workbook with shared strings */
	const char *seed = getenv("YJ_XLSX_SEED");
	if (seed) {
		char *cmd = yj_asprintf("cp '%s/book0.xlsx' '%s'", dir, seed);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	char *cmd = yj_asprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libxlsxwriter_books),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_refs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
