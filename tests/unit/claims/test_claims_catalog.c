/* test_claims_catalog.c — `yijian rules import` (catalog.c, catalog_src.c): each kind fills the lists
 * of its rule types, a bad row is named by row and column and nothing is written, versions are recorded
 * and shown on every flag of the lists they filled; catalogues as the bureau publishes them — Excel
 * workbooks (written here by libxlsxwriter), its Chinese column names, a --columns mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "claims_test.h"

static char dir[] = "/tmp/yj-cat-XXXXXX";

static void put(const char *name, const char *text)
{
	char *p = yj_asprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static char *slurp(const char *name)
{
	char *p = yj_asprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "rb");
	free(p);
	if (!f)
		return yj_strdup("");
	yj_buf b = YJ_BUF_INIT;
	char tmp[4096];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		yj_buf_append(&b, tmp, k);
	fclose(f);
	if (!b.data)
		yj_buf_puts(&b, "");
	return yj_buf_detach(&b);
}

static int setup(void **s)
{
	(void)s;
	assert_non_null(mkdtemp(dir));
	char *root = ct_repo_dir();
	char *cmd = yj_asprintf("mkdir -p '%s/rb' && cp '%srules/rules.csv' '%srules/item_lists.csv' '%s/rb/'", dir, root, root, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(root);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	char *cmd = yj_asprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static void test_refused_rows(void **s)
{
	(void)s;
	put("drug.csv", "item_code,item_name,pay_scope,sex,max_age,min_age\n"
			"XD301,人血白蛋白,R57|K72,,,\n"
			"XD900,某药,J06 .9,,,\n"     /* row 3: not ICD prefixes */
			"XD901,某药,,X,,\n"          /* row 4: sex */
			"XD902,某药,,,6,\n"          /* row 5: no age_item rule with max_age=6 */
			"XD903,某药,,,,\n"           /* row 6: nothing to import */
			",某药,R57,,,\n");          /* row 7: missing code */
	char *before = slurp("rb/item_lists.csv");
	char *in = yj_asprintf("%s/drug.csv", dir), *rb = yj_asprintf("%s/rb", dir), *err = NULL;
	yj_catalog_report rep;
	assert_int_equal(yj_catalog_import(rb, "drug", in, NULL, &rep, &err), -1);
	assert_non_null(strstr(err, "nothing was imported"));
	assert_int_equal(rep.nbad, 5);
	static const struct { int64_t row; int col; const char *what; } want[] = {
		{3, 3, "ICD-10"}, {4, 4, "sex must be"}, {5, 5, "no age_item rule with max_age=6"}, {6, 0, "needs a pay_scope"},
		{7, 1, "missing value"},
	};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(rep.errors[i].row, want[i].row);
		assert_int_equal(rep.errors[i].col, want[i].col);
		if (!strstr(rep.errors[i].reason, want[i].what))
			fail_msg("row %lld: %s", (long long)rep.errors[i].row, rep.errors[i].reason);
	}
	char *after = slurp("rb/item_lists.csv");
	assert_string_equal(before, after); /* nothing written */
	char *cat = slurp("rb/catalogues.csv");
	assert_string_equal(cat, "");
	free(cat);
	free(before);
	free(after);
	free(err);
	err = NULL;
	assert_int_equal(yj_catalog_import(rb, "tariff", in, NULL, &rep, &err), -1);
	assert_non_null(strstr(err, "unknown catalogue kind"));
	free(err);
	free(in);
	free(rb);
}

/* Flags of R-PRICE-01 on a line, with the list version it carries. */
static int price_flags(const yj_rules *rs, const char *csv_line, const char **version)
{
	char *in = yj_asprintf("%s%s", CT_HDR, csv_line);
	yj_claims *c;
	yj_load_report rep;
	char *err = NULL;
	assert_int_equal(yj_claims_load_mem(in, strlen(in), NULL, &c, &rep, &err), 0);
	yj_refs refs = {0};
	yj_screen_result res;
	yj_screen(c, rs, &refs, 1, &res);
	int n = 0;
	for (size_t k = 0; k < res.n; k++)
		if (strcmp(rs->r[res.f[k].rule].id, "R-PRICE-01") == 0)
			n++;
	char *txt = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&txt, &len);
	yj_flags_write_csv(f, c, rs, &res);
	fclose(f);
	assert_non_null(strstr(txt, ",list_version\n"));
	if (n)
		assert_non_null(strstr(txt, *version));
	free(txt);
	yj_screen_result_free(&res);
	yj_claims_free(c);
	yj_load_report_free(&rep);
	free(in);
	return n;
}

static void test_import_and_versions(void **s)
{
	(void)s;
	put("price.csv", "item_code,item_name,unit,max_price\n"
			 "XS201,X线计算机体层(CT)平扫,次,140.00\n"
			 "XN000,特级护理,小时,8.00\n"
			 "XB001,床位费,日,50.00\n");
	put("sets.csv", "set_code,item_code,item_name\nHEP,XS901,肝功能套餐\nHEP,XS902,谷丙转氨酶\n");
	put("pairs.csv", "consumable_code,consumable_name,procedure_codes\nXM901,心脏起搏器,XS910|XS911\n");
	char *rb = yj_asprintf("%s/rb", dir), *err = NULL;
	const char *kinds[] = {"price", "sets", "pairs"};
	const char *versions[] = {"浙价2026-1", NULL, "对照2026"};
	yj_catalog_report rep;
	for (int i = 0; i < 3; i++) {
		char *in = yj_asprintf("%s/%s.csv", dir, kinds[i]);
		if (yj_catalog_import(rb, kinds[i], in, versions[i], &rep, &err) < 0)
			fail_msg("%s: %s", kinds[i], err);
		free(in);
	}
	assert_string_equal(rep.version, "对照2026");
	char *cat = slurp("rb/catalogues.csv");
	assert_non_null(strstr(cat, "kind,version,file,sha256,rows,lists,imported_on\n"));
	assert_non_null(strstr(cat, "price,浙价2026-1,price.csv,"));
	assert_non_null(strstr(cat, ",price_caps|daily_caps,"));
	assert_non_null(strstr(cat, "\nsets,sets-")); /* the default version: kind-date-sha */
	free(cat);
	char *lists = slurp("rb/item_lists.csv");
	assert_non_null(strstr(lists, "daily_caps,XN000,特级护理,24,目录 浙价2026-1\n"));
	assert_non_null(strstr(lists, "daily_caps,XB001,床位费,1,"));
	assert_non_null(strstr(lists, "component_sets,XS902,谷丙转氨酶,HEP,"));
	assert_null(strstr(lists, "component_sets,XS511")); /* the list is replaced whole */
	assert_non_null(strstr(lists, "sex_items,XS101")); /* other lists kept */
	free(lists);
	yj_rules *rs = yj_rules_load(rb, &err);
	assert_non_null(rs);
	const yj_rule *r = yj_rules_find(rs, "R-PRICE-01");
	assert_string_equal(r->list->version, "浙价2026-1");
	const char *v = "浙价2026-1";
	/* the imported cap 140.00 (the shipped one was 150.00): 145.00 is now over it; exactly 140.00 is not */
	assert_int_equal(price_flags(rs, "C1,1,P1,M,1980-05-05,I1,D1,03,O,,,2024-01-05,J06.9,XS201,CT,service,1,145.00,145.00,\n", &v), 1);
	assert_int_equal(price_flags(rs, "C1,1,P1,M,1980-05-05,I1,D1,03,O,,,2024-01-05,J06.9,XS201,CT,service,1,140.00,140.00,\n", &v), 0);
	yj_rules_free(rs);
	free(rb);
}

/* A sheet of text cells from rows of |-separated values; "#n" writes the number n, "" leaves the cell empty.
 * A title row (a merged heading, as bureaus publish) comes first when `title` is given. */
static void put_xlsx(const char *name, const char *sheet, const char *title, const char *const *rows)
{
	char *p = yj_asprintf("%s/%s", dir, name);
	lxw_workbook *wb = workbook_new(p);
	worksheet_write_string(workbook_add_worksheet(wb, "说明"), 0, 0, "本目录自2026年1月1日起执行", NULL);
	lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
	int r0 = 0;
	if (title) {
		worksheet_merge_range(ws, 0, 0, 0, 3, title, NULL);
		r0 = 1;
	}
	for (int r = 0; rows[r]; r++) {
		char *line = yj_strdup(rows[r]), *save = NULL;
		int c = 0;
		for (char *f = strtok_r(line, "|", &save); f; f = strtok_r(NULL, "|", &save), c++) {
			if (f[0] == '#')
				worksheet_write_number(ws, (lxw_row_t)(r0 + r), (lxw_col_t)c, strtod(f + 1, NULL), NULL);
			else if (strcmp(f, "_") != 0)
				worksheet_write_string(ws, (lxw_row_t)(r0 + r), (lxw_col_t)c, f, NULL);
		}
		free(line);
	}
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	free(p);
}

static void test_excel_bureau_columns(void **s)
{
	(void)s;
	char *rb = yj_asprintf("%s/rb", dir), *err = NULL;
	yj_catalog_report rep;
	/* a drug catalogue as a bureau publishes it: a title row, its own headers, lists with 、 */
	static const char *const drug[] = {"序号|药品代码|注册名称|剂型|限定支付范围|性别限制",
					   "#1|XD301|人血白蛋白|注射剂|R57、K72|_",
					   "#2|XD302|某妇科药|片剂|_|女",
					   NULL};
	put_xlsx("drug.xlsx", "西药", "某省基本医疗保险药品目录（2026年版）", drug);
	char *in = yj_asprintf("%s/drug.xlsx", dir);
	yj_catalog_opts o = {.kind = "drug", .file = in, .sheet = "西药"};
	if (yj_catalog_import_opts(rb, &o, &rep, &err) < 0)
		fail_msg("%s (%s)", err, rep.nerrors ? rep.errors[0].reason : "");
	char *lists = slurp("rb/item_lists.csv");
	assert_non_null(strstr(lists, "diag_limits,XD301,人血白蛋白,R57|K72,目录 drug-"));
	assert_non_null(strstr(lists, "sex_items,XD302,某妇科药,F,"));
	free(lists);
	/* without --sheet the first sheet (说明) is read: it has no header */
	o.sheet = NULL;
	assert_int_equal(yj_catalog_import_opts(rb, &o, &rep, &err), -1);
	assert_non_null(strstr(err, "missing required column item_code (also accepted: 药品编码、药品代码"));
	free(err);
	o.sheet = "中成药";
	assert_int_equal(yj_catalog_import_opts(rb, &o, &rep, &err), -1);
	assert_non_null(strstr(err, "no sheet '中成药'; its sheets are '说明', '西药'"));
	free(err);
	free(in);

	/* a price catalogue: numbers as Excel stores them, a unit in the header, a bad cell named by the sheet's row */
	static const char *const price[] = {"项目编码|项目名称|计价单位|最高限价（元）", "XS201|X线计算机体层(CT)平扫|次|#138.5",
					    "XB001|床位费|日|#50", "XB002|某费|次|abc", NULL};
	put_xlsx("price.xlsx", "价格", NULL, price);
	char *before = slurp("rb/item_lists.csv");
	in = yj_asprintf("%s/price.xlsx", dir);
	o = (yj_catalog_opts){.kind = "price", .file = in, .sheet = "价格"};
	assert_int_equal(yj_catalog_import_opts(rb, &o, &rep, &err), -1);
	assert_int_equal(rep.nerrors, 1);
	assert_int_equal(rep.errors[0].row, 4);
	assert_int_equal(rep.errors[0].col, 4);
	assert_string_equal(rep.errors[0].column, "max_price");
	free(err);
	char *after = slurp("rb/item_lists.csv");
	assert_string_equal(before, after);
	free(after);
	static const char *const price_ok[] = {"项目编码|项目名称|计价单位|最高限价（元）", "XS201|X线计算机体层(CT)平扫|次|#138.5",
					       "XB001|床位费|日|#50", NULL};
	put_xlsx("price.xlsx", "价格", NULL, price_ok);
	if (yj_catalog_import_opts(rb, &o, &rep, &err) < 0)
		fail_msg("%s", err);
	lists = slurp("rb/item_lists.csv");
	assert_non_null(strstr(lists, "price_caps,XS201,X线计算机体层(CT)平扫,138.5,"));
	assert_non_null(strstr(lists, "daily_caps,XB001,床位费,1,"));
	free(lists);
	free(in);

	/* a province's own names through --columns; the pairs' procedure codes separated by ； */
	put("cols.csv", "their header,our column\n耗材医保代码,consumable_code\n耗材名,consumable_name\n可收费手术,procedure_codes\n");
	put("pairs.csv", "耗材医保代码,耗材名,可收费手术\nXM901,心脏起搏器,XS910；XS911\n");
	in = yj_asprintf("%s/pairs.csv", dir);
	char *cols = yj_asprintf("%s/cols.csv", dir);
	o = (yj_catalog_opts){.kind = "pairs", .file = in};
	assert_int_equal(yj_catalog_import_opts(rb, &o, &rep, &err), -1); /* without the mapping */
	assert_non_null(strstr(err, "missing required column consumable_code"));
	free(err);
	o.columns = cols;
	if (yj_catalog_import_opts(rb, &o, &rep, &err) < 0)
		fail_msg("%s", err);
	lists = slurp("rb/item_lists.csv");
	assert_non_null(strstr(lists, "consumable_pairs,XM901,心脏起搏器,XS910|XS911,"));
	free(lists);
	put("cols.csv", "their,ours\n耗材医保代码,consumable_id\n");
	assert_int_equal(yj_catalog_import_opts(rb, &o, &rep, &err), -1);
	assert_non_null(strstr(err, "line 2: want `their header,our column`"));
	free(err);
	put("cols.csv", "耗材医保代码,consumable_id\n");
	assert_int_equal(yj_catalog_import_opts(rb, &o, &rep, &err), -1);
	assert_non_null(strstr(err, "no line maps a header"));
	free(err);
	free(cols);
	free(in);

	/* a damaged workbook: a clear refusal, nothing written */
	put("bad.xlsx", "PK\x03\x04 not really a zip");
	in = yj_asprintf("%s/bad.xlsx", dir);
	o = (yj_catalog_opts){.kind = "price", .file = in};
	char *cat = slurp("rb/catalogues.csv");
	before = (free(before), slurp("rb/item_lists.csv"));
	assert_int_equal(yj_catalog_import_opts(rb, &o, &rep, &err), -1);
	assert_non_null(strstr(err, "bad.xlsx: not an Excel workbook (.xlsx)"));
	free(err);
	after = slurp("rb/item_lists.csv");
	assert_string_equal(before, after);
	char *cat2 = slurp("rb/catalogues.csv");
	assert_string_equal(cat, cat2);
	free(cat);
	free(cat2);
	free(after);
	free(before);
	free(in);
	free(rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_rows),
		cmocka_unit_test(test_import_and_versions),
		cmocka_unit_test(test_excel_bureau_columns),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
