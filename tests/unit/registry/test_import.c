/* test_import.c — the CSV row reader (quoting, line ends, BOM, GBK, bad bytes, truncation, long
 * cells) and the registry import on a real database (a temporary SQLite file, or the PostgreSQL of
 * YJ_TEST_DB in a schema of its own): all-or-nothing, --skip-invalid, dry runs, duplicates inside
 * the file, scope, formulas, and re-imports that change nothing and write no history (in statements
 * that do not grow with the rows); a dry run
 * beside another writer (it takes none), and a publication that finds the store changed since the
 * check and starts over; new records published in multi-row statements (yj_reg_insert_many), in chunks
 * prepared on a second thread. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../testdb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "base/codes.h"
#include "base/id.h"
#include "base/csvrow.h"
#include "platform/audit/audit.h"
#include "platform/pii/pii.h"
#include "registry/import.h"
#include "registry/registry.h"
#include "registry/reg_int.h"
#include "cli/modules.h"

static yj_testdb t; /* the fixture: tests/unit/testdb.h */
static store *db;
static const char *db_url; /* t.url, for a second handle: another connection, another writer */

/* ---- helpers ---- */

/* A valid GB 32100 code for county 330302 or 330303 with serial n. */
static void credit_code(const char *county, int n, char out[19])
{
	char org[10];
	snprintf(org, sizeof org, "%08d", (10000000 + n) % 100000000);
	static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	int s = 0;
	for (int i = 0; i < 8; i++)
		s += (org[i] - '0') * w[i];
	int c = 11 - s % 11;
	org[8] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	org[9] = '\0';
	snprintf(out, 19, "12%s%s", county, org);
	out[17] = yj_credit_code_check_char(out);
	out[18] = '\0';
	assert_int_equal(yj_credit_code_check(out, 18), YJ_CODE_OK);
}

static void resident_id(int n, char out[19])
{
	snprintf(out, 19, "33030219800101%03d", n % 1000);
	out[17] = yj_resident_id_check_char(out);
	out[18] = '\0';
}

static int64_t query_int(const char *sql)
{
	return yj_testdb_int(&t, sql, NULL);
}

static void exec_sql(const char *sql)
{
	yj_testdb_exec(&t, sql);
}

/* The name index's number of a bigram of institutions' names (kind 1, record_names.c), decoded here
 * apart from the code under test: two characters of two or three UTF-8 bytes each. */
static int64_t inst_gram(const char *two)
{
	const unsigned char *u = (const unsigned char *)two;
	int64_t cp[2];
	for (int i = 0; i < 2; i++) {
		if (u[0] >= 0xE0) {
			cp[i] = (u[0] & 0x0F) << 12 | (u[1] & 0x3F) << 6 | (u[2] & 0x3F);
			u += 3;
		} else {
			cp[i] = u[0];
			u += 1;
		}
	}
	return (int64_t)1 << 42 | cp[0] << 21 | cp[1];
}

/* The count of name_grams rows of gram two (inst_gram) and, when sql_tail is not NULL, its condition. */
static int64_t gram_rows(const char *two, const char *sql_tail)
{
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM name_grams WHERE gram = %lld%s", (long long)inst_gram(two),
		 sql_tail ? sql_tail : "");
	return yj_testdb_int(&t, sql, NULL);
}

static void clear_registry(void)
{
	exec_sql("DELETE FROM name_grams; DELETE FROM record_history; DELETE FROM practitioners; DELETE FROM institutions");
}

/* Runs an import; the result is the caller's to free. */
static void run(const reg_kind *k, const char *csv, size_t n, const yj_scope *sc, int dry, int skip,
		yj_import_result *res)
{
	yj_scope all;
	yj_scope_unrestricted(&all);
	yj_import_opts o = {sc ? sc : &all, "test", "", dry, skip, 1, NULL, NULL, 0};
	assert_int_equal(yj_import(db, k, csv, n, &o, res), ST_OK);
}

/* The detail of the first error on row/column, or NULL. */
static const char *error_at(const yj_import_result *res, long row, int col)
{
	size_t i;
	json_t *e;
	json_array_foreach(res->errors, i, e)
		if (json_integer_value(json_object_get(e, "row")) == row && json_integer_value(json_object_get(e, "column")) == col)
			return json_string_value(json_object_get(e, "detail"));
	return NULL;
}

#define INST_HEADER "统一社会信用代码,机构名称,机构类别,级别,举办主体,经营性质,行政区划,核定床位,诊疗科目\r\n"

static char *inst_row(const char *county, int n, const char *name, int beds)
{
	char code[19];
	credit_code(county, n, code);
	return yj_asprintf("%s,%s,综合医院,三级,公立,非营利性,%s,%d,内科、外科\r\n", code, name, county, beds);
}

/* A file of n valid institutions in 330302, with row bad (0 = none) given an unknown region. */
static char *inst_file(int n, int bad)
{
	yj_buf b = YJ_BUF_INIT;
	yj_buf_puts(&b, INST_HEADER);
	for (int i = 1; i <= n; i++) {
		char name[40];
		snprintf(name, sizeof name, "鹿城测试医院%d", i);
		char *row = inst_row(i == bad ? "999999" : "330302", i, name, i);
		yj_buf_puts(&b, row);
		free(row);
	}
	return yj_buf_detach(&b);
}

/* An empty registry, then n institutions of inst_file published (every one new). */
static void registry_of(int n)
{
	clear_registry();
	char *csv = inst_file(n, 0);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.inserted, n);
	yj_import_result_free(&res);
	free(csv);
}

/* ---- the reader ---- */

static int read_all(const char *data, size_t n, yj_csvrow *r, char **err)
{
	int rc = yj_csvrow_open(r, data, n, err);
	return rc;
}

static void reader_quoting(void **state)
{
	const char in[] = "a,\"b,1\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\r\n\r\n last ,\"\"\n";
	yj_csvrow r;
	char *err = NULL;
	assert_int_equal(read_all(in, sizeof in - 1, &r, &err), 0);
	assert_int_equal(r.encoding, YJ_ENC_UTF8);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_null(r.err);
	assert_int_equal(r.nf, 3);
	assert_string_equal(r.f[0], "a");
	assert_string_equal(r.f[1], "b,1");
	assert_string_equal(r.f[2], "say \"hi\"");
	assert_int_equal(r.row, 1);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_string_equal(r.f[0], "two\nlines"); /* a newline inside quotes stays in the cell */
	assert_string_equal(r.f[1], "");
	assert_string_equal(r.f[2], "x"); /* CR of CRLF removed */
	assert_int_equal(r.row, 2);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_int_equal(r.row, 4); /* the blank line is row 3, as a spreadsheet counts */
	assert_string_equal(r.f[0], " last ");
	assert_string_equal(r.f[1], "");
	assert_int_equal(yj_csvrow_next(&r), 0);
	yj_csvrow_close(&r);
}

static void reader_bom_and_last_line(void **state)
{
	const char in[] = "\xEF\xBB\xBFname,x\r\n医院,\"1\"";
	yj_csvrow r;
	char *err = NULL;
	assert_int_equal(read_all(in, sizeof in - 1, &r, &err), 0);
	assert_int_equal(r.encoding, YJ_ENC_UTF8_BOM);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_string_equal(r.f[0], "name"); /* no BOM in the first header */
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_string_equal(r.f[0], "医院");
	assert_string_equal(r.f[1], "1");
	assert_int_equal(yj_csvrow_next(&r), 0);
	yj_csvrow_close(&r);
	/* A trailing comma at the very end is one more empty field. */
	assert_int_equal(read_all("a,", 2, &r, &err), 0);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_int_equal(r.nf, 2);
	yj_csvrow_close(&r);
}

static void reader_malformed(void **state)
{
	const char in[] = "a,b\"c,d\n\"x\"y,z\nok,1\n\"open,2\nmore";
	yj_csvrow r;
	char *err = NULL;
	assert_int_equal(read_all(in, sizeof in - 1, &r, &err), 0);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_non_null(r.err); /* quote inside an unquoted cell */
	assert_int_equal(r.err_col, 2);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_non_null(r.err); /* text after the closing quote */
	assert_int_equal(r.err_col, 1);
	assert_int_equal(yj_csvrow_next(&r), 1); /* resynchronised on the next line */
	assert_null(r.err);
	assert_string_equal(r.f[0], "ok");
	assert_int_equal(r.row, 3);
	assert_int_equal(yj_csvrow_next(&r), 1); /* unterminated: the file was cut */
	assert_non_null(r.err);
	assert_non_null(strstr(r.err, "引号未闭合"));
	assert_int_equal(yj_csvrow_next(&r), 0);
	yj_csvrow_close(&r);
}

static void reader_long_cell(void **state)
{
	size_t n = 10u << 20; /* a 10-MB name */
	char *in = yj_malloc(n + 8);
	memcpy(in, "a,", 2);
	memset(in + 2, 'x', n);
	memcpy(in + 2 + n, "\nb,c", 4);
	yj_csvrow r;
	char *err = NULL;
	assert_int_equal(read_all(in, n + 6, &r, &err), 0);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_non_null(r.err);
	assert_int_equal(r.err_col, 2);
	assert_true(r.len[1] <= r.max_field); /* memory bounded by the limit */
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_null(r.err);
	assert_string_equal(r.f[1], "c");
	yj_csvrow_close(&r);
	free(in);
}

static void reader_encodings(void **state)
{
	/* "卫生院,1" in GBK: 卫 CEC0, 生 C9FA, 院 D4BA. (医院 alone, D2BD D4BA, happens to be valid UTF-8.) */
	const char gbk[] = "name,beds\n\xCE\xC0\xC9\xFA\xD4\xBA,1\n";
	yj_csvrow r;
	char *err = NULL;
	assert_int_equal(read_all(gbk, sizeof gbk - 1, &r, &err), 0);
	assert_int_equal(r.encoding, YJ_ENC_GB18030);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_int_equal(yj_csvrow_next(&r), 1);
	assert_string_equal(r.f[0], "卫生院");
	yj_csvrow_close(&r);

	/* Bytes that are neither UTF-8 nor GB18030 (0xFF never occurs in either): row 2, column 2. */
	const char bad[] = "a,b\nx,\xFF\xFF\n";
	assert_int_equal(read_all(bad, sizeof bad - 1, &r, &err), -1);
	assert_non_null(strstr(err, "第 2 行第 2 列"));
	assert_non_null(strstr(err, "CSV UTF-8"));
	free(err);
	/* A UTF-8 BOM followed by GBK: the BOM promised UTF-8. */
	const char bomgbk[] = "\xEF\xBB\xBFname\n\xC9\xFA\n";
	assert_int_equal(read_all(bomgbk, sizeof bomgbk - 1, &r, &err), -1);
	assert_non_null(strstr(err, "第 2 行第 1 列"));
	free(err);
	assert_int_equal(read_all("\xFF\xFEn\0a\0", 6, &r, &err), -1);
	assert_non_null(strstr(err, "UTF-16"));
	free(err);
	assert_int_equal(read_all("PK\x03\x04rest", 8, &r, &err), -1);
	assert_non_null(strstr(err, ".xlsx"));
	free(err);
	assert_int_equal(read_all("a\nb\0c", 5, &r, &err), -1);
	assert_non_null(strstr(err, "第 2 行第 1 列"));
	free(err);
}

/* ---- imports ---- */

static void all_or_nothing(void **state)
{
	clear_registry();
	char *csv = inst_file(20, 13);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.rows, 20);
	assert_int_equal(res.invalid, 1);
	assert_int_equal(res.inserted, 19); /* what would have been written */
	assert_false(res.written);
	assert_non_null(error_at(&res, 14, 7)); /* row 14 (header is row 1), column 7 = 行政区划 */
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM record_history"), 0);
	yj_import_result_free(&res);

	int64_t leaves = query_int("SELECT COUNT(*) FROM audit_leaves");
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 1, &res); /* --skip-invalid */
	assert_true(res.written);
	assert_int_equal(res.inserted, 19);
	assert_int_equal(res.invalid, 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 19);
	/* one leaf per record plus one for the import */
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves + 20);
	yj_import_result_free(&res);
	free(csv);
}

static void dry_run_writes_nothing(void **state)
{
	clear_registry();
	char *csv = inst_file(5, 0);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 1, 0, &res);
	assert_int_equal(res.inserted, 5);
	assert_int_equal(res.invalid, 0);
	assert_false(res.written);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 0);
	yj_import_result_free(&res);
	free(csv);
}

static void idempotent_reimport(void **state)
{
	clear_registry();
	char *csv = inst_file(10, 0);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.inserted, 10);
	yj_import_result_free(&res);
	int64_t hist = query_int("SELECT COUNT(*) FROM record_history");
	int64_t leaves = query_int("SELECT COUNT(*) FROM audit_leaves");
	assert_int_equal(hist, 10);
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.inserted, 0);
	assert_int_equal(res.updated, 0);
	assert_int_equal(res.unchanged, 10);
	assert_int_equal(res.invalid, 0);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM record_history"), hist);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves);
	free(csv);

	/* One changed cell: one update, one history version, the rest unchanged. */
	csv = inst_file(10, 0);
	char *p = strstr(csv, "鹿城测试医院4,");
	assert_non_null(p);
	memcpy(p, "鹿城新名医院", strlen("鹿城新名医院"));
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.updated, 1);
	assert_int_equal(res.unchanged, 9);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM record_history"), hist + 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions WHERE name = '鹿城新名医院4'"), 1);
	free(csv);
}

/* The statements of re-importing n unchanged institutions (n published first). */
static int64_t unchanged_reimport_statements(int n)
{
	registry_of(n);
	char *csv = inst_file(n, 0);
	store_conn *c = store_conn_get(db); /* the check runs on the calling thread's connection */
	int64_t before = store_conn_statements(c);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	int64_t used = store_conn_statements(c) - before;
	assert_int_equal(res.unchanged, n);
	assert_int_equal(res.updated + res.inserted + res.invalid, 0);
	yj_import_result_free(&res);
	free(csv);
	return used;
}

/* Issue 15: an unchanged row costs no more than a new one. Its stored record comes with the batch's
 * key probe and its key needs no conflict query (the probe found this record holding it), so the
 * check's statements do not grow with the rows (they did by two a row: the record's load and a
 * COUNT on its key). */
static void unchanged_reimport_probes_per_batch(void **state)
{
	(void)state;
	int64_t few = unchanged_reimport_statements(10), many = unchanged_reimport_statements(300);
	if (many > few + 2)
		fail_msg("re-importing 300 unchanged rows took %lld statements, 10 rows %lld: a probe per row",
			 (long long)many, (long long)few);
}

/* The statements of re-importing n unchanged practitioners of institution 1 (n published first). */
static int64_t unchanged_practitioners_statements(int n)
{
	registry_of(1);
	char code[19];
	credit_code("330302", 1, code);
	yj_buf b = YJ_BUF_INIT;
	yj_buf_puts(&b, "姓名,身份证号,执业证书编码,人员类别,执业类别,主要执业机构\n");
	for (int i = 1; i <= n; i++) {
		char id[19];
		resident_id(i, id);
		yj_buf_printf(&b, "医生%d,%s,1200000000000%03d,医师,临床,%s\n", i, id, i, code);
	}
	yj_import_result res;
	run(&yj_practitioner_kind, b.data, b.len, NULL, 0, 0, &res);
	assert_int_equal(res.inserted, n);
	yj_import_result_free(&res);
	store_conn *c = store_conn_get(db);
	int64_t before = store_conn_statements(c);
	run(&yj_practitioner_kind, b.data, b.len, NULL, 0, 0, &res);
	int64_t used = store_conn_statements(c) - before;
	assert_int_equal(res.unchanged, n);
	yj_import_result_free(&res);
	yj_buf_free(&b);
	return used;
}

/* Issue 15: a practitioner's institution (the reference), that institution's county (its own
 * region) and whether another record holds its ID number's hash are probed once per batch too
 * (yj_import_probe_batch), as its record and certificate number are: the check's statements do not
 * grow with the rows (they did by three a row, five before that). */
static void unchanged_practitioners_probe_per_batch(void **state)
{
	(void)state;
	int64_t few = unchanged_practitioners_statements(10), many = unchanged_practitioners_statements(300);
	if (many > few + 2)
		fail_msg("re-importing 300 unchanged practitioners took %lld statements, 10 took %lld: a probe per row",
			 (long long)many, (long long)few);
}

static void duplicates_and_formulas(void **state)
{
	clear_registry();
	char *a = inst_row("330302", 1, "甲医院", 1), *b = inst_row("330302", 2, "=cmd|' /C calc'!A0", 1);
	char *csv = yj_asprintf(INST_HEADER "%s%s%s", a, b, a);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.invalid, 2);
	const char *d = error_at(&res, 3, 2);
	assert_non_null(d);
	assert_non_null(strstr(d, "公式"));
	d = error_at(&res, 4, 1);
	assert_non_null(d);
	assert_non_null(strstr(d, "与第 2 行重复"));
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 0);
	yj_import_result_free(&res);
	free(csv);
	free(a);
	free(b);
}

static void truncated_and_header(void **state)
{
	clear_registry();
	char *a = inst_row("330302", 1, "甲医院", 1);
	char code[19];
	credit_code("330302", 2, code);
	char *csv = yj_asprintf(INST_HEADER "%s%s,乙医院,综合医院", a, code);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.invalid, 1);
	assert_non_null(error_at(&res, 3, 4)); /* the first missing column */
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 0);
	yj_import_result_free(&res);
	free(csv);

	/* Unknown and missing columns refuse the file before any row. */
	csv = yj_asprintf("统一社会信用代码,名字\n%s,x\n", code);
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_true(res.refused);
	assert_non_null(error_at(&res, 1, 2));
	assert_non_null(strstr(error_at(&res, 1, 0), "缺少必填列"));
	yj_import_result_free(&res);
	free(csv);
	free(a);
}

static void gbk_file(void **state)
{
	clear_registry();
	char *row = inst_row("330302", 7, "医院", 10);
	char *utf8 = yj_asprintf(INST_HEADER "%s", row);
	/* Saved as GBK, as Excel in China does, by iconv(1). */
	char path[300], out[300];
	snprintf(path, sizeof path, "%s/u.csv", t.dir);
	snprintf(out, sizeof out, "%s/g.csv", t.dir);
	FILE *f = fopen(path, "w");
	fputs(utf8, f);
	fclose(f);
	char *cmd = yj_asprintf("iconv -f UTF-8 -t GBK '%s' > '%s'", path, out);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	f = fopen(out, "rb");
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	yj_import_result res;
	run(&yj_institution_kind, buf, n, NULL, 0, 0, &res);
	assert_int_equal(res.encoding, YJ_ENC_GB18030);
	assert_int_equal(res.inserted, 1);
	assert_true(res.written);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions WHERE name = '医院'"), 1);
	yj_import_result_free(&res);
	free(utf8);
	free(row);
}

static void scope_and_neighbours(void **state)
{
	clear_registry();
	/* 330303 holds one institution already (imported unrestricted). */
	char *b = inst_row("330303", 3, "龙湾医院", 5);
	char *csv = yj_asprintf(INST_HEADER "%s", b);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.inserted, 1);
	yj_import_result_free(&res);
	free(csv);

	/* A 鹿城区 inspector: own row fine, a new neighbour row and the neighbour's existing record refused. */
	yj_scope sc;
	yj_scope_init(&sc, "330302", "health", "*");
	char *a = inst_row("330302", 1, "鹿城医院", 1), *c = inst_row("330303", 4, "龙湾新医院", 1);
	char *b2 = inst_row("330303", 3, "龙湾医院改名", 5);
	csv = yj_asprintf(INST_HEADER "%s%s%s", a, c, b2);
	run(&yj_institution_kind, csv, strlen(csv), &sc, 0, 0, &res);
	assert_int_equal(res.invalid, 2);
	assert_non_null(strstr(error_at(&res, 3, 7), "管辖范围"));
	assert_non_null(strstr(error_at(&res, 4, 1), "其他辖区"));
	assert_false(res.written);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions WHERE name = '龙湾医院'"), 1);
	yj_import_result_free(&res);
	free(csv);
	free(a);
	free(b);
	free(b2);
	free(c);
}

static void practitioners_reimport(void **state)
{
	clear_registry();
	char *inst = inst_file(2, 0);
	yj_import_result res;
	run(&yj_institution_kind, inst, strlen(inst), NULL, 0, 0, &res);
	yj_import_result_free(&res);
	char code[19];
	credit_code("330302", 1, code);
	yj_buf b = YJ_BUF_INIT;
	yj_buf_puts(&b, "姓名,身份证号,执业证书编码,人员类别,执业类别,主要执业机构,处方权\n");
	for (int i = 1; i <= 5; i++) {
		char id[19];
		resident_id(i, id);
		yj_buf_printf(&b, "医生%d,%s,1100000000000%02d,医师,临床,%s,是\n", i, id, i, code);
	}
	run(&yj_practitioner_kind, b.data, b.len, NULL, 0, 0, &res);
	assert_int_equal(res.invalid, 0);
	assert_int_equal(res.inserted, 5);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM practitioners WHERE region_code = '330302'"), 5);
	int64_t hist = query_int("SELECT COUNT(*) FROM record_history");
	/* The same file again: the ID numbers encrypt differently each time, but nothing changed. */
	run(&yj_practitioner_kind, b.data, b.len, NULL, 0, 0, &res);
	assert_int_equal(res.unchanged, 5);
	assert_int_equal(res.updated, 0);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM record_history"), hist);
	/* Two people with one ID number inside a file: the second is refused on 身份证号. */
	char id1[19];
	resident_id(1, id1);
	yj_buf_printf(&b, "新人,%s,110000000000099,医师,临床,%s,否\n", id1, code);
	run(&yj_practitioner_kind, b.data, b.len, NULL, 0, 0, &res);
	assert_int_equal(res.invalid, 1);
	assert_non_null(error_at(&res, 7, 2));
	yj_import_result_free(&res);
	yj_buf_free(&b);
	free(inst);
}

/* The batch's probes answer as the per-row queries did, errors on the same row and column: an
 * institution by credit code or by id, outside the importer's territory or unknown; an ID number
 * held by a stored practitioner or by an earlier row. */
static void practitioners_probed_references(void **state)
{
	clear_registry();
	char *i1 = inst_row("330302", 1, "鹿城医院", 1), *i3 = inst_row("330303", 3, "龙湾医院", 1);
	char *csv = yj_asprintf(INST_HEADER "%s%s", i1, i3);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.inserted, 2);
	yj_import_result_free(&res);
	free(csv);
	char c1[19], c3[19], unknown[19], p1[19];
	credit_code("330302", 1, c1);
	credit_code("330303", 3, c3);
	credit_code("330302", 9, unknown);
	resident_id(1, p1);
	int64_t id1 = query_int("SELECT id FROM institutions WHERE region_code = '330302'");
	int64_t id3 = query_int("SELECT id FROM institutions WHERE region_code = '330303'");
	const char *head = "姓名,身份证号,执业证书编码,人员类别,执业类别,主要执业机构\n";
	csv = yj_asprintf("%s医生1,%s,130000000000001,医师,临床,%s\n", head, p1, c1);
	run(&yj_practitioner_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.inserted, 1);
	yj_import_result_free(&res);
	free(csv);

	yj_scope sc;
	yj_scope_init(&sc, "330302", "health", "*");
	char p2[19], p3[19], p4[19], p7[19], p8[19];
	resident_id(2, p2);
	resident_id(3, p3);
	resident_id(4, p4);
	resident_id(7, p7);
	resident_id(8, p8);
	csv = yj_asprintf("%s"
			  "甲,%s,130000000000002,医师,临床,%s\n"      /* 2: fine */
			  "乙,%s,130000000000003,医师,临床,%s\n"      /* 3: another territory's */
			  "丙,%s,130000000000004,医师,临床,%s\n"      /* 4: no such institution */
			  "丁,%s,130000000000005,医师,临床,%s\n"      /* 5: ID number stored for 医生1 */
			  "戊,%s,130000000000006,医师,临床,%s\n"      /* 6: ID number of row 2 */
			  "己,%s,130000000000007,医师,临床,%lld\n"    /* 7: by id, fine */
			  "庚,%s,130000000000008,医师,临床,%lld\n",   /* 8: by id, another territory's */
			  head, p2, c1, p3, c3, p4, unknown, p1, c1, p2, c1, p7, (long long)id1, p8, (long long)id3);
	run(&yj_practitioner_kind, csv, strlen(csv), &sc, 0, 0, &res);
	assert_int_equal(res.invalid, 5);
	assert_int_equal(res.inserted, 2);
	assert_false(res.written);
	assert_non_null(strstr(error_at(&res, 3, 6), "找不到该医疗机构"));
	assert_non_null(strstr(error_at(&res, 4, 6), "找不到该医疗机构"));
	assert_non_null(strstr(error_at(&res, 5, 2), "已有其他"));
	assert_non_null(strstr(error_at(&res, 6, 2), "与第 2 行相同"));
	assert_non_null(strstr(error_at(&res, 8, 6), "找不到该医疗机构"));
	assert_null(error_at(&res, 2, 6));
	assert_null(error_at(&res, 7, 6));
	assert_int_equal(json_array_size(res.errors), 5);
	assert_int_equal(query_int("SELECT COUNT(*) FROM practitioners"), 1);
	yj_import_result_free(&res);

	/* Unrestricted, the neighbour's institution is found, by code and by id; its county is the record's. */
	run(&yj_practitioner_kind, csv, strlen(csv), NULL, 0, 1, &res);
	assert_int_equal(res.invalid, 3);
	assert_int_equal(res.inserted, 4);
	assert_true(res.written);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM practitioners WHERE region_code = '330303'"), 2);
	assert_int_equal(query_int("SELECT COUNT(*) FROM practitioners WHERE region_code = '330302'"), 3);
	free(csv);
	free(i1);
	free(i3);
}

/* Two rows of one file with the same 执业许可证登记号: the check writes nothing, so the second is
 * refused from the file's own memo — in a dry run as in a real one — and a row refused for it
 * leaves no value behind for a third row. */
static void unique_inside_the_file(void **state)
{
	clear_registry();
	char c1[19], c2[19], c3[19];
	credit_code("330302", 71, c1);
	credit_code("330302", 72, c2);
	credit_code("330302", 73, c3);
	char *csv = yj_asprintf("统一社会信用代码,机构名称,机构类别,级别,举办主体,经营性质,行政区划,执业许可证登记号\n"
				"%s,甲诊所,诊所,未定级,社会办,营利性,330302,AAAA00000330302000001A\n"
				"%s,乙诊所,诊所,未定级,社会办,营利性,330302,AAAA00000330302000001A\n"
				"%s,丙诊所,诊所,未定级,社会办,营利性,330302,AAAA00000330302000002A\n",
				c1, c2, c3);
	for (int dry = 1; dry >= 0; dry--) {
		yj_import_result res;
		run(&yj_institution_kind, csv, strlen(csv), NULL, dry, 1, &res);
		assert_int_equal(res.inserted, 2);
		assert_int_equal(res.invalid, 1);
		const char *d = error_at(&res, 3, 8);
		assert_non_null(d);
		assert_non_null(strstr(d, "第 2 行"));
		assert_int_equal(res.written, !dry);
		yj_import_result_free(&res);
	}
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 2);
	free(csv);
	/* A new record (its key not stored) whose 执业许可证登记号 a stored record holds: the batch's key
	 * probe finds nothing, and the unique value is still probed and refused. */
	char c4[19];
	credit_code("330302", 74, c4);
	csv = yj_asprintf("统一社会信用代码,机构名称,机构类别,级别,举办主体,经营性质,行政区划,执业许可证登记号\n"
			  "%s,丁诊所,诊所,未定级,社会办,营利性,330302,AAAA00000330302000002A\n", c4);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.invalid, 1);
	assert_non_null(error_at(&res, 2, 8));
	assert_non_null(strstr(error_at(&res, 2, 8), "已有其他"));
	assert_false(res.written);
	yj_import_result_free(&res);
	free(csv);
}

/* Another writer holds the write lock (SQLite) and the audit head (PostgreSQL) for the whole
 * import: a dry run checks in a read snapshot and takes no writer, so it completes. (Before, the
 * dry run wrote its rows inside a write transaction and waited for that writer.) */
static void dry_run_beside_a_writer(void **state)
{
	clear_registry();
	char *err = NULL, *csv = inst_file(30, 0);
	store *other = store_open(db_url, &err);
	assert_non_null(other);
	store_conn *oc = store_conn_get(other);
	assert_int_equal(store_begin(oc, 1), ST_OK);
	assert_int_equal(store_exec(oc, "UPDATE audit_head SET tree_size = tree_size WHERE id = 1"), ST_OK);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 1, 0, &res);
	assert_int_equal(res.inserted, 30);
	assert_int_equal(res.invalid, 0);
	assert_false(res.written);
	yj_import_result_free(&res);
	assert_int_equal(store_rollback(oc), ST_OK);
	store_close(other);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 0);
	free(csv);
}

struct meddler {
	store *other;
	const char *code; /* the institution to change behind the import's back */
	int calls;
};

/* Progress callback: on the first call, another connection changes a record the check has
 * already planned to update, as a concurrent PATCH would. */
static void meddle(void *ctx, long rows)
{
	(void)rows;
	struct meddler *m = ctx;
	if (m->calls++)
		return;
	store_conn *c = store_conn_get(m->other);
	store_stmt *st = store_prepare(c, "UPDATE institutions SET version = version + 1, beds = 999 WHERE credit_code = ?");
	assert_non_null(st);
	store_bind_text(st, 1, m->code, -1);
	assert_int_equal(store_step(st), ST_DONE);
	assert_int_equal(store_changes(st), 1);
	store_finalize(st);
}

/* A record changed between the check and the publication: the publication rolls back and the
 * import starts over from the check, which sees the change; the file's values win and nothing is
 * half-written. */
static void stale_publication_starts_over(void **state)
{
	clear_registry();
	char *csv = inst_file(6, 0);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_true(res.written);
	yj_import_result_free(&res);
	free(csv);

	/* The same institutions with new names. */
	yj_buf b = YJ_BUF_INIT;
	yj_buf_puts(&b, INST_HEADER);
	char code1[19];
	credit_code("330302", 1, code1);
	for (int i = 1; i <= 6; i++) {
		char name[40];
		snprintf(name, sizeof name, "鹿城更名医院%d", i);
		char *row = inst_row("330302", i, name, i);
		yj_buf_puts(&b, row);
		free(row);
	}
	/* And one new institution: its name grams, held to the publication's end (name_sweep.c), go
	 * with the stale attempt and are written once by the retry. */
	char *fresh = inst_row("330302", 7, "鹿城新设医院7", 7);
	yj_buf_puts(&b, fresh);
	free(fresh);
	char *err = NULL;
	struct meddler m = {store_open(db_url, &err), code1, 0};
	assert_non_null(m.other);
	yj_scope all;
	yj_scope_unrestricted(&all);
	yj_import_opts o = {&all, "test", "", 0, 0, 1, meddle, &m, 3};
	/* Chunks of two plans: the stale update (row 3) is in the second, while the preparing thread
	 * has the third ready; the writer gives up, the preparer stops, and the retry starts afresh. */
	yj_import_chunk_plans = 2;
	assert_int_equal(yj_import(db, &yj_institution_kind, b.data, b.len, &o, &res), ST_OK);
	yj_import_chunk_plans = 4096;
	assert_true(res.written);
	assert_int_equal(res.updated, 6);
	assert_int_equal(res.inserted, 1);
	assert_int_equal(m.calls, 4); /* rows 3 and 6 of two checks: the publication went stale once */
	yj_import_result_free(&res);
	store_close(m.other);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions WHERE name LIKE '鹿城更名医院%'"), 6);
	/* the file's beds over the meddler's 999, in version 3 (1 import, 2 meddler, 3 re-import) */
	assert_int_equal(query_int("SELECT beds FROM institutions WHERE name = '鹿城更名医院1'"), 1);
	assert_int_equal(query_int("SELECT version FROM institutions WHERE name = '鹿城更名医院1'"), 3);
	/* 6 bigrams and the last character's gram, once each (the key would refuse a second) */
	assert_int_equal(query_int("SELECT COUNT(*) FROM name_grams WHERE object_id ="
				   " (SELECT id FROM institutions WHERE name = '鹿城新设医院7')"),
			 7);
	yj_buf_free(&b);
}

/* A publication of 1,000 rows or more refreshes the planner's statistics of what it wrote (store_analyze):
 * on PostgreSQL ANALYZE counts a table of under 30,000 rows exactly, so reltuples equals COUNT(*) at once,
 * where before the import's rows stayed unknown to the planner until autovacuum came by (-1 for a table
 * never analyzed). SQLite keeps no such statistics. */
static void statistics_after_a_large_import(void **state)
{
	(void)state;
	if (strcmp(store_conn_engine(store_conn_get(db)), "postgresql") != 0)
		return;
	registry_of(1000);
	assert_int_equal(query_int("SELECT reltuples::bigint FROM pg_class WHERE oid = 'institutions'::regclass"),
			 query_int("SELECT COUNT(*) FROM institutions"));
	assert_int_equal(query_int("SELECT reltuples::bigint FROM pg_class WHERE oid = 'name_grams'::regclass"),
			 query_int("SELECT COUNT(*) FROM name_grams"));
	/* The history too, from a sample of 3,000 rows (statistics target 10, import.c): all of them
	 * at this size; a histogram of 11 bounds where the default target gives 101 ... */
	assert_int_equal(query_int("SELECT reltuples::bigint FROM pg_class WHERE oid = 'record_history'::regclass"),
			 query_int("SELECT COUNT(*) FROM record_history"));
	assert_int_equal(query_int("SELECT array_length(histogram_bounds::text::text[], 1) FROM pg_stats"
				   " WHERE schemaname = current_schema() AND tablename = 'record_history' AND attname = 'object_id'"),
			 11);
	assert_int_equal(query_int("SELECT array_length(histogram_bounds::text::text[], 1) FROM pg_stats"
				   " WHERE schemaname = current_schema() AND tablename = 'institutions' AND attname = 'id'"),
			 101);
	/* ... for that ANALYZE alone: the connection's own target is as it was. */
	assert_int_equal(query_int("SELECT current_setting('default_statistics_target')::int"), 100);
}

/* Sequential scans of institutions that PostgreSQL has counted, this backend's pending counts flushed first
 * (pg_stat_force_next_flush: the report at the end of that statement's transaction flushes them). */
static int64_t institution_seq_scans(void)
{
	assert_int_equal(store_exec(store_conn_get(db), "SELECT pg_stat_force_next_flush()"), ST_OK);
	assert_int_equal(store_exec(store_conn_get(db), "SELECT 1"), ST_OK);
	return query_int("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'institutions'");
}

/* The check reads the store by keys, 1,000 at a time: on PostgreSQL its batch probes must use the indexes.
 * With the planner's default costs a 1,000-key IN list on a table of a few thousand rows or more was a
 * sequential scan (import.c, check_pass; docs/benchmarks.md), whose cost grows with the table. */
static void check_reads_by_index(void **state)
{
	(void)state;
	if (strcmp(store_conn_engine(store_conn_get(db)), "postgresql") != 0)
		return;
	registry_of(3000); /* and ANALYZEd: the planner knows the table's size */
	char *csv = inst_file(3000, 0);
	int64_t before = institution_seq_scans();
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 1, 0, &res);
	assert_int_equal(res.unchanged, 3000);
	yj_import_result_free(&res);
	free(csv);
	assert_int_equal(institution_seq_scans(), before);
	clear_registry();
}

/* A large publication raises SQLite's page cache for its transaction alone (import.c, publish): the
 * connection's own setting is given back after it. */
static void page_cache_given_back(void **state)
{
	(void)state;
	store_conn *c = store_conn_get(db);
	int64_t was = 0, now = 0;
	if (strcmp(store_conn_engine(c), "sqlite") != 0) {
		assert_int_equal(store_page_cache(c, -4096, &was), ST_OK); /* the server's buffers: nothing */
		assert_int_equal(was, 0);
		return;
	}
	assert_int_equal(store_page_cache(c, -3000, &was), ST_OK);
	assert_int_equal(store_query_int64(c, "PRAGMA cache_size", NULL, &now), ST_OK);
	assert_int_equal(now, -3000);
	clear_registry();
	char *csv = inst_file(4100, 0);
	yj_import_result res;
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_int_equal(res.inserted, 4100);
	yj_import_result_free(&res);
	free(csv);
	assert_int_equal(store_query_int64(c, "PRAGMA cache_size", NULL, &now), ST_OK);
	assert_int_equal(now, -3000);
	assert_int_equal(store_page_cache(c, was, NULL), ST_OK);
	clear_registry();
}

/* ---- setup ---- */

static int setup(void **state)
{
	db = yj_testdb_open(&t, "import");
	db_url = t.url;
	char keydir[300], *err = NULL;
	snprintf(keydir, sizeof keydir, "%s/keys", t.dir);
	if (yj_audit_keys_load(keydir, &err) < 0 || yj_pii_keys_load(keydir, &err) < 0)
		fail_msg("keys: %s", err);
	return 0;
}

static int teardown(void **state)
{
	yj_testdb_close(&t);
	return 0;
}

/* New records are published in multi-row statements (yj_reg_insert_many), runs broken by an update
 * in between: the same rows, history, name index and audit leaves, in file order, as one insert per
 * record would write, for far fewer statements than three per record. */
static void bulk_publication(void **state)
{
	(void)state;
	registry_of(600);
	yj_import_result res;
	/* 250 new, the existing 300 renamed, 250 new: runs of 250 and 250 around one update. */
	yj_buf b = YJ_BUF_INIT;
	yj_buf_puts(&b, INST_HEADER);
	for (int i = 601; i <= 1100; i++) {
		char name[40];
		if (i == 851) {
			char *row = inst_row("330302", 300, "鹿城更名医院300", 300);
			yj_buf_puts(&b, row);
			free(row);
		}
		snprintf(name, sizeof name, "鹿城测试医院%d", i);
		char *row = inst_row("330302", i, name, i);
		yj_buf_puts(&b, row);
		free(row);
	}
	int64_t leaves = query_int("SELECT COUNT(*) FROM audit_leaves");
	int64_t before = store_conn_statements(store_conn_get(db));
	/* In chunks of 64 plans, each parsed and prepared on the publication's second thread while
	 * the chunk before is written (import.c): runs of at most 64, broken at the update as before. */
	yj_import_chunk_plans = 64;
	run(&yj_institution_kind, b.data, b.len, NULL, 0, 0, &res);
	yj_import_chunk_plans = 4096;
	int64_t statements = store_conn_statements(store_conn_get(db)) - before;
	assert_int_equal(res.inserted, 500);
	assert_int_equal(res.updated, 1);
	yj_import_result_free(&res);
	/* One insert per record took at least three statements each: 1,500 for these 500. */
	assert_true(statements < 150);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 1100);
	assert_int_equal(query_int("SELECT COUNT(*) FROM record_history"), 1101);
	assert_int_equal(query_int("SELECT COUNT(*) FROM record_history WHERE version = 1 AND changes = '{}'"), 1100);
	/* Every record found through its name's grams, the renamed one through its new name only. */
	assert_int_equal(gram_rows("医院", " AND object_id IN (SELECT id FROM institutions)"), 1100);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 1100);
	assert_int_equal(gram_rows("更名", NULL), 1);
	assert_int_equal(gram_rows("测试", NULL), 1099);
	/* The renamed record holds its new name's 9 distinct grams (8 bigrams, the last character's), none
	 * of the old name's: they went by their key, recomputed from the old name (record_names.c). */
	assert_int_equal(query_int("SELECT COUNT(*) FROM name_grams WHERE object_id ="
				   " (SELECT id FROM institutions WHERE name = '鹿城更名医院300')"),
			 9);
	/* Leaves: 500 creates and the update in file order, then the import's own. */
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves + 502);
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT COUNT(*) FROM audit_leaves WHERE action = 'institution.create' AND idx >= %lld AND idx <"
		 " (SELECT MAX(idx) FROM audit_leaves WHERE action = 'institution.update')",
		 (long long)leaves);
	assert_int_equal(query_int(sql), 250);
	/* Every current row matches its last leaf; the only complaints are the leaves of rows the
	 * earlier tests deleted behind the platform's back (clear_registry). */
	char *report = NULL;
	yj_reg_audit_register(); /* as `yijian audit verify --records` does */
	assert_true(yj_audit_verify_records(db, &report) >= 0);
	for (char *line = report, *end; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (strncmp(line, "records: ", 9) && !strstr(line, "the row is gone"))
			fail_msg("%s", line);
	}
	free(report);
	/* And again: nothing to write. */
	run(&yj_institution_kind, b.data, b.len, NULL, 0, 0, &res);
	assert_int_equal(res.unchanged, 501);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves + 502);
	yj_buf_free(&b);
}

/* The bulk load under the publication (store_copy_begin): on PostgreSQL every awkward character of
 * COPY's text form comes back as bound, NULL stays NULL, and a duplicate key refuses the whole load
 * with ST_CONFLICT and leaves the connection usable; SQLite has no such path (the caller INSERTs). */
static void copy_round_trip(void **state)
{
	(void)state;
	store_conn *c = store_conn_get(db);
	if (strcmp(store_conn_engine(c), "postgresql") != 0) {
		assert_null(store_copy_begin(c, "institutions", "id", 1));
		return;
	}
	exec_sql("CREATE TABLE copy_probe (k BIGINT PRIMARY KEY, v TEXT)");
	static const char *vals[] = {"a\\b", "tab\there", "line\nbreak", "cr\rhere", "\\N", "鹿城\\\\x", NULL, ""};
	size_t nv = sizeof vals / sizeof *vals;
	assert_int_equal(store_begin(c, 1), ST_OK);
	store_stmt *cp = store_copy_begin(c, "copy_probe", "k, v", 2);
	assert_non_null(cp);
	for (size_t i = 0; i < 3000; i++) {
		store_bind_int64(cp, 1, (int64_t)i);
		if (vals[i % nv])
			store_bind_text(cp, 2, vals[i % nv], -1);
		else
			store_bind_null(cp, 2);
		assert_int_equal(store_copy_row(cp), ST_OK);
	}
	assert_int_equal(store_copy_end(cp), ST_OK);
	assert_int_equal(store_commit(c), ST_OK);
	store_stmt *st = store_prepare(c, "SELECT k, v FROM copy_probe ORDER BY k");
	size_t n = 0;
	while (store_step(st) == ST_ROW) {
		const char *want = vals[n % nv], *got = store_col_text(st, 1);
		if (want)
			assert_string_equal(got, want);
		else
			assert_null(got);
		n++;
	}
	store_finalize(st);
	assert_int_equal(n, 3000);
	/* A duplicate key: nothing of the load stays, and the next statement runs. */
	assert_int_equal(store_begin(c, 1), ST_OK);
	cp = store_copy_begin(c, "copy_probe", "k, v", 2);
	assert_non_null(cp);
	store_bind_int64(cp, 1, 5000);
	store_bind_text(cp, 2, "new", -1);
	assert_int_equal(store_copy_row(cp), ST_OK);
	store_bind_int64(cp, 1, 7);
	store_bind_text(cp, 2, "dup", -1);
	assert_int_equal(store_copy_row(cp), ST_OK);
	assert_int_equal(store_copy_end(cp), ST_CONFLICT);
	assert_int_equal(store_rollback(c), ST_OK);
	assert_int_equal(query_int("SELECT COUNT(*) FROM copy_probe"), 3000);
	/* Ended without waiting (store_copy_end_async): store_copy_wait reports the load, and a statement
	 * sent before the wait reads the result first (the connection stays in step either way). */
	assert_int_equal(store_begin(c, 1), ST_OK);
	cp = store_copy_begin(c, "copy_probe", "k, v", 2);
	for (int64_t k = 6000; k < 6200; k++) {
		store_bind_int64(cp, 1, k);
		store_bind_text(cp, 2, "async", -1);
		assert_int_equal(store_copy_row(cp), ST_OK);
	}
	assert_int_equal(store_copy_end_async(cp), ST_OK);
	assert_int_equal(store_copy_wait(c), ST_OK);
	assert_int_equal(store_copy_wait(c), ST_OK); /* nothing pending */
	cp = store_copy_begin(c, "copy_probe", "k, v", 2);
	store_bind_int64(cp, 1, 6300);
	store_bind_text(cp, 2, "async", -1);
	assert_int_equal(store_copy_row(cp), ST_OK);
	assert_int_equal(store_copy_end_async(cp), ST_OK);
	int64_t n2 = 0;
	assert_int_equal(store_query_int64(c, "SELECT COUNT(*) FROM copy_probe WHERE v = ?", "async", &n2), ST_OK);
	assert_int_equal(n2, 201);
	assert_int_equal(store_commit(c), ST_OK);
	/* A refused load ended without waiting: the wait says so, and the rollback goes through. */
	assert_int_equal(store_begin(c, 1), ST_OK);
	cp = store_copy_begin(c, "copy_probe", "k, v", 2);
	store_bind_int64(cp, 1, 7);
	store_bind_text(cp, 2, "dup", -1);
	assert_int_equal(store_copy_row(cp), ST_OK);
	assert_int_equal(store_copy_end_async(cp), ST_OK);
	assert_int_equal(store_copy_wait(c), ST_CONFLICT);
	assert_int_equal(store_rollback(c), ST_OK);
	assert_int_equal(query_int("SELECT COUNT(*) FROM copy_probe"), 3201);
	exec_sql("DROP TABLE copy_probe");
}

/* A progress callback that holds the check at its row `at` until the publication beside it has written
 * a chunk (or 10 s have passed): so the check finds what follows only with a publication under way. */
typedef struct hold {
	long at;
	size_t chunks; /* yj_import_chunks_written before the import */
} hold;

static void hold_check(void *ctx, long rows)
{
	hold *h = ctx;
	for (int i = 0; rows == h->at && i < 10000 && yj_import_chunks_written == h->chunks; i++)
		usleep(1000);
}

/* Imports csv with the check held at row 3,000 (above) and returns the chunks written meanwhile. */
static size_t held_import(const char *csv, int skip, yj_import_result *res)
{
	yj_scope all;
	yj_scope_unrestricted(&all);
	hold h = {3000, yj_import_chunks_written};
	yj_import_opts o = {&all, "test", "", 0, skip, 1, hold_check, &h, 1000};
	assert_int_equal(yj_import(db, &yj_institution_kind, csv, strlen(csv), &o, res), ST_OK);
	return yj_import_chunks_written - h.chunks;
}

/* With the check beside the publication, an invalid row late in a large file is found after chunks
 * of the rows before it were written: the publication rolls back, nothing is kept, the error is
 * reported where it is; with --skip-invalid every other row is written. */
static void beside_gives_up_late(void **state)
{
	(void)state;
	if (yj_import_stream_from != 1)
		skip(); /* only in the group that checks beside the publication (PostgreSQL) */
	clear_registry();
	yj_import_chunk_plans = 64;
	char *csv = inst_file(3500, 3400);
	int64_t leaves = query_int("SELECT COUNT(*) FROM audit_leaves");
	yj_import_result res;
	assert_true(held_import(csv, 0, &res) >= 1); /* rows were being written when the check reached 3,401 */
	assert_int_equal(res.rows, 3500);
	assert_int_equal(res.invalid, 1);
	assert_false(res.written);
	assert_non_null(error_at(&res, 3401, 7));
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM record_history"), 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM name_grams"), 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves);
	yj_import_result_free(&res);

	assert_int_equal(held_import(csv, 1, &res), (3499 + 63) / 64); /* --skip-invalid: every chunk */
	assert_true(res.written);
	assert_int_equal(res.inserted, 3499);
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 3499);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves + 3500);
	yj_import_result_free(&res);
	yj_import_chunk_plans = 4096;
	free(csv);
}

/* The publication's COMMIT refused (a deferred constraint trigger on its events: it fires at the commit,
 * after the name grams' sweep beside it has committed): fail — an error; retry — a serialization failure
 * the first time only, which store_tx answers by running the publication again. */
static void refuse_commit(const char *how)
{
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "DROP SEQUENCE IF EXISTS yj_test_once; CREATE SEQUENCE yj_test_once;"
		 "CREATE OR REPLACE FUNCTION yj_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
		 " IF '%s' = 'fail' OR nextval('yj_test_once') = 1 THEN"
		 " RAISE EXCEPTION 'refused by the test' USING ERRCODE = '%s'; END IF; RETURN NULL; END $$;"
		 "CREATE CONSTRAINT TRIGGER yj_test_refuse AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED"
		 " FOR EACH ROW EXECUTE FUNCTION yj_test_refuse()",
		 how, strcmp(how, "fail") ? "40001" : "P0001");
	exec_sql(sql);
}

/* PostgreSQL: a large import's name grams, collected by its check, are written from the check's end on a
 * connection of their own and committed just before the publication (name_sweep.c, "an import's
 * grams"). A publication that fails before that rolls them back; one whose COMMIT fails after it takes
 * the committed rows back; a retried transaction keeps them (the same ids): each record ends with its
 * grams once. Grams without their record find nothing; a sweep that cannot commit is written by the
 * publication itself. */
static void sweep_beside_taken_back(void **state)
{
	(void)state;
	if (!getenv("YJ_TEST_DB"))
		skip(); /* SQLite: one writer, the sweep is always in the publication */
	size_t was = yj_import_sweep_beside_from;
	yj_import_sweep_beside_from = 1;
	clear_registry();
	char *csv = inst_file(300, 0);
	int64_t leaves = query_int("SELECT COUNT(*) FROM audit_leaves");
	yj_scope all;
	yj_scope_unrestricted(&all);
	yj_import_opts o = {&all, "test", "", 0, 0, 1, NULL, NULL, 0};
	yj_import_result res;

	/* Before the sweep's commit: an events' flush that fails at once (a plain trigger). */
	exec_sql("CREATE OR REPLACE FUNCTION yj_test_now() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
		 " RAISE EXCEPTION 'refused by the test'; END $$;"
		 "CREATE TRIGGER yj_test_now BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION yj_test_now()");
	assert_true(yj_import(db, &yj_institution_kind, csv, strlen(csv), &o, &res) < 0);
	yj_import_result_free(&res);
	exec_sql("DROP TRIGGER yj_test_now ON events; DROP FUNCTION yj_test_now()");
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM name_grams"), 0);

	/* After it: the COMMIT refused. */
	refuse_commit("fail");
	assert_true(yj_import(db, &yj_institution_kind, csv, strlen(csv), &o, &res) < 0);
	yj_import_result_free(&res);
	exec_sql("DROP TRIGGER yj_test_refuse ON events");
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM name_grams"), 0); /* fails without the undo */
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves);

	refuse_commit("retry");
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	assert_true(res.written);
	assert_int_equal(res.inserted, 300);
	yj_import_result_free(&res);
	assert_true(query_int("SELECT nextval('yj_test_once')") > 300); /* a second attempt's 300 events fired it */
	exec_sql("DROP TRIGGER yj_test_refuse ON events; DROP FUNCTION yj_test_refuse(); DROP SEQUENCE yj_test_once");
	assert_int_equal(query_int("SELECT COUNT(*) FROM institutions"), 300);
	/* 鹿城 is in every name once, and no gram belongs to a record that is not there. */
	assert_int_equal(gram_rows("鹿城", NULL), 300);
	assert_int_equal(query_int("SELECT COUNT(*) FROM name_grams g WHERE NOT EXISTS "
				   "(SELECT 1 FROM institutions i WHERE i.id = g.object_id)"), 0);
	/* What a process killed between the two commits leaves: grams of a record that is not there. A
	 * search joins every gram to its record, so they find nothing. */
	char sql[200];
	snprintf(sql, sizeof sql, "INSERT INTO name_grams (gram, object_id) VALUES (%lld, 42), (%lld, 42)",
		 (long long)inst_gram("鹿城"), (long long)inst_gram("城测"));
	exec_sql(sql);
	yj_reg_search *srch = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &all);
	yj_reg_search_name(srch, "鹿城测");
	assert_int_equal(yj_reg_search_by_id(srch, store_conn_get(db), 0, 1000), ST_OK);
	yj_reg_hit h;
	int found = 0, rc;
	while ((rc = yj_reg_search_next(srch, &h)) == ST_ROW) {
		assert_true(h.id != 42);
		found++;
		json_decref(h.rec);
	}
	assert_int_equal(rc, ST_DONE);
	assert_int_equal(found, 300);
	yj_reg_search_free(srch);
	exec_sql("DELETE FROM name_grams WHERE object_id = 42");

	/* The sweep cannot commit on its own (here a trigger refuses grams whose records it cannot see,
	 * as the sweep's transaction cannot): the publication writes them itself, and the import is whole. */
	clear_registry();
	exec_sql("CREATE OR REPLACE FUNCTION yj_test_unseen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
		 " IF NOT EXISTS (SELECT 1 FROM institutions) THEN RAISE EXCEPTION 'no record yet'; END IF; RETURN NULL; END $$;"
		 "CREATE TRIGGER yj_test_unseen BEFORE INSERT ON name_grams FOR EACH STATEMENT EXECUTE FUNCTION yj_test_unseen()");
	run(&yj_institution_kind, csv, strlen(csv), NULL, 0, 0, &res);
	exec_sql("DROP TRIGGER yj_test_unseen ON name_grams; DROP FUNCTION yj_test_unseen()");
	assert_true(res.written);
	assert_int_equal(res.inserted, 300);
	yj_import_result_free(&res);
	assert_int_equal(gram_rows("鹿城", NULL), 300);
	yj_import_sweep_beside_from = was;
	free(csv);
}

/* The daily job's collection of grams without their record (registry_module.c): those of ids made
 * before the cutoff go, a recent id's (a publication may be under way) and every record's stay. */
static void orphan_grams_collected(void **state)
{
	(void)state;
	registry_of(20);
	int64_t grams = query_int("SELECT COUNT(*) FROM name_grams");
	int64_t day = 86400000LL, old_id = yj_id_at(yj_now_ms() - 2 * day) + 7, new_id = yj_id_new();
	char sql[300];
	snprintf(sql, sizeof sql, "INSERT INTO name_grams (gram, object_id) VALUES (%lld, %lld), (%lld, %lld), (%lld, %lld)",
		 (long long)inst_gram("鹿城"), (long long)old_id, (long long)inst_gram("城测"), (long long)old_id,
		 (long long)inst_gram("鹿城"), (long long)new_id);
	exec_sql(sql);
	int64_t deleted = -1;
	store_conn *c = store_conn_get(db);
	assert_int_equal(reg_names_collect_orphans(c, yj_id_at(yj_now_ms() - day), &deleted), ST_OK);
	assert_int_equal(deleted, 2);
	assert_int_equal(query_int("SELECT COUNT(*) FROM name_grams"), grams + 1);
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM name_grams WHERE object_id = %lld", (long long)new_id);
	assert_int_equal(query_int(sql), 1);
	assert_int_equal(reg_names_collect_orphans(c, yj_id_at(yj_now_ms() + day), &deleted), ST_OK);
	assert_int_equal(deleted, 1); /* a cutoff past it: the recent one too, and still no record's */
	assert_int_equal(query_int("SELECT COUNT(*) FROM name_grams"), grams);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reader_quoting),
		cmocka_unit_test(reader_bom_and_last_line),
		cmocka_unit_test(reader_malformed),
		cmocka_unit_test(reader_long_cell),
		cmocka_unit_test(reader_encodings),
		cmocka_unit_test(all_or_nothing),
		cmocka_unit_test(dry_run_writes_nothing),
		cmocka_unit_test(dry_run_beside_a_writer),
		cmocka_unit_test(unique_inside_the_file),
		cmocka_unit_test(stale_publication_starts_over),
		cmocka_unit_test(idempotent_reimport),
		cmocka_unit_test(unchanged_reimport_probes_per_batch),
		cmocka_unit_test(unchanged_practitioners_probe_per_batch),
		cmocka_unit_test(duplicates_and_formulas),
		cmocka_unit_test(truncated_and_header),
		cmocka_unit_test(gbk_file),
		cmocka_unit_test(scope_and_neighbours),
		cmocka_unit_test(practitioners_reimport),
		cmocka_unit_test(practitioners_probed_references),
		cmocka_unit_test(bulk_publication),
		cmocka_unit_test(copy_round_trip),
		cmocka_unit_test(statistics_after_a_large_import),
		cmocka_unit_test(check_reads_by_index),
		cmocka_unit_test(page_cache_given_back),
		cmocka_unit_test(beside_gives_up_late),
		cmocka_unit_test(sweep_beside_taken_back),
		cmocka_unit_test(orphan_grams_collected),
	};
	int failed = cmocka_run_group_tests_name("check first", tests, setup, teardown);
	/* On PostgreSQL again with every file's check beside its publication (import.c, check_beside;
	 * SQLite always checks first) and every name-gram sweep beside its audit and events flushes: the
	 * same outcomes, errors, rows and log. */
	if (getenv("YJ_TEST_DB")) {
		yj_import_stream_from = 1;
		yj_import_sweep_beside_from = 1; /* and every name-gram sweep beside it */
		failed += cmocka_run_group_tests_name("check beside the publication", tests, setup, teardown);
	}
	return failed;
}
