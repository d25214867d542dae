/* test_import_licences.c — `yijian import licences` on a real database (a temporary SQLite file, or
 * the PostgreSQL of YJ_TEST_DB in a schema of its own): issue with the file's numbers, states and
 * issuers, signatures that verify, re-imports that write no event or audit leaf, renew/change/resume
 * on changed rows, and row errors (holder of the wrong type, unknown kind, neighbour county, duplicate
 * or foreign numbers, dates, ID numbers) that leave nothing written; a GBK file. */
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
#include "platform/audit/audit.h"
#include "platform/pii/pii.h"
#include "registry/import.h"
#include "registry/licence.h"
#include "cli/modules.h"

static yj_testdb t; /* the fixture: tests/unit/testdb.h */
static store *db;

/* ---- helpers ---- */

static void credit_code(const char *county, int n, char out[19])
{
	char org[10];
	snprintf(org, sizeof org, "%08d", (30000000 + n) % 100000000);
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
}

static void resident_id(int n, char out[19])
{
	snprintf(out, 19, "33030219850101%03d", n % 1000);
	out[17] = yj_resident_id_check_char(out);
	out[18] = '\0';
}

static int64_t query_int(const char *sql)
{
	return yj_testdb_int(&t, sql, NULL);
}

/* The text of the first column of the first row of sql, or "" (static buffer). */
static const char *query_text(const char *sql)
{
	static char out[512];
	store_stmt *st = store_prepare(store_conn_get(db), sql);
	assert_non_null(st);
	out[0] = '\0';
	if (store_step(st) == ST_ROW && store_col_text(st, 0))
		snprintf(out, sizeof out, "%s", store_col_text(st, 0));
	store_finalize(st);
	return out;
}

static void exec_sql(const char *sql)
{
	yj_testdb_exec(&t, sql);
}

static void run_as(const reg_kind *k, const char *csv, size_t n, const yj_scope *sc, const char *region, int dry,
		   int skip, yj_import_result *res)
{
	yj_scope all;
	yj_scope_unrestricted(&all);
	yj_import_opts o = {sc ? sc : &all, "test", region, dry, skip, 1, NULL, NULL, 0};
	assert_int_equal(yj_import(db, k, csv, n, &o, res), ST_OK);
}

static void run(const char *csv, yj_import_result *res)
{
	run_as(&yj_licence_import_kind, csv, strlen(csv), NULL, "", 0, 0, res);
}

static const char *error_at(const yj_import_result *res, long row, int col)
{
	size_t i;
	json_t *e;
	json_array_foreach(res->errors, i, e)
		if (json_integer_value(json_object_get(e, "row")) == row && json_integer_value(json_object_get(e, "column")) == col)
			return json_string_value(json_object_get(e, "detail"));
	return NULL;
}

static void assert_error(const yj_import_result *res, long row, int col, const char *part)
{
	const char *d = error_at(res, row, col);
	if (!d || !strstr(d, part)) {
		char *all = json_dumps(res->errors, 0);
		fail_msg("row %ld col %d: want “%s”, errors %s", row, col, part, all);
	}
}

/* Institutions 1–2 in 鹿城区 (330302), 3 in 龙湾区 (330303); practitioners with certificates
 * 2200000000000001–2 at institution 1. */
static char inst[4][19];
static char id1[19];

static void seed_registry(void)
{
	exec_sql("DELETE FROM licence_events; DELETE FROM licences; DELETE FROM name_grams; DELETE FROM record_history; "
		 "DELETE FROM practitioners; DELETE FROM institutions");
	credit_code("330302", 1, inst[1]);
	credit_code("330302", 2, inst[2]);
	credit_code("330303", 3, inst[3]);
	char *csv = yj_asprintf("统一社会信用代码,机构名称,机构类别,级别,举办主体,经营性质,行政区划\n"
				"%s,证照测试医院一,综合医院,二级,公立,非营利性,330302\n"
				"%s,证照测试医院二,综合医院,二级,公立,非营利性,330302\n"
				"%s,龙湾证照测试医院,综合医院,二级,公立,非营利性,330303\n",
				inst[1], inst[2], inst[3]);
	yj_import_result res;
	run_as(&yj_institution_kind, csv, strlen(csv), NULL, "", 0, 0, &res);
	assert_int_equal(res.inserted, 3);
	yj_import_result_free(&res);
	free(csv);
	char id2[19];
	resident_id(1, id1);
	resident_id(2, id2);
	csv = yj_asprintf("姓名,身份证号,执业证书编码,人员类别,执业类别,主要执业机构\n"
			  "证照医生,%s,2200000000000001,医师,临床,%s\n证照护士,%s,2200000000000002,护士,护理,%s\n",
			  id1, inst[1], id2, inst[1]);
	run_as(&yj_practitioner_kind, csv, strlen(csv), NULL, "", 0, 0, &res);
	assert_int_equal(res.invalid, 0);
	assert_int_equal(res.inserted, 2);
	yj_import_result_free(&res);
	free(csv);
}

#define LIC_HEADER "证照编号,证照种类,持证主体代码,有效期起,有效期至,发证机关,状态,备注\n"

static char *good_file(const char *to_a001, const char *issuer_a002, const char *state_p001)
{
	return yj_asprintf(LIC_HEADER "LIC-A001,医疗机构执业许可证,%s,2024-01-01,%s,,,\n"
				      "LIC-A002,radiation_diagnosis,%s,2023/5/1,,%s,有效,\n"
				      "LIC-P001,医师执业证书,2200000000000001,2020-01-01,,,%s,\n"
				      "LIC-P002,nurse_practice,2200000000000002,2022-01-01,2030-12-31,,吊销,处罚决定书 温鹿卫罚〔2025〕1号\n",
			   inst[1], to_a001, inst[2], issuer_a002, state_p001);
}

/* ---- tests ---- */

static void import_then_reimport(void **state)
{
	seed_registry();
	char *csv = good_file("", "温州市卫生局", "暂停");
	int64_t leaves0 = query_int("SELECT COUNT(*) FROM audit_leaves");
	yj_import_result res;
	run(csv, &res);
	if (res.invalid)
		fail_msg("%s", json_dumps(res.errors, 0));
	assert_int_equal(res.inserted, 4);
	assert_true(res.written);
	yj_import_result_free(&res);

	assert_int_equal(query_int("SELECT COUNT(*) FROM licences"), 4);
	/* four issues, one suspension, one revocation; a leaf for each and one for the import */
	assert_int_equal(query_int("SELECT COUNT(*) FROM licence_events"), 6);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves0 + 7);
	assert_string_equal(query_text("SELECT valid_to FROM licences WHERE number = 'LIC-A001'"), "2028-12-31");
	assert_string_equal(query_text("SELECT issuer FROM licences WHERE number = 'LIC-A001'"), "温州市鹿城区卫生健康局");
	assert_string_equal(query_text("SELECT issuer FROM licences WHERE number = 'LIC-A002'"), "温州市卫生局");
	assert_int_equal(query_int("SELECT COUNT(*) FROM licences WHERE number = 'LIC-A002' AND valid_to IS NULL"), 1);
	assert_string_equal(query_text("SELECT valid_from FROM licences WHERE number = 'LIC-A002'"), "2023-05-01");
	assert_string_equal(query_text("SELECT state FROM licences WHERE number = 'LIC-P001'"), "suspended");
	assert_string_equal(query_text("SELECT state FROM licences WHERE number = 'LIC-P002'"), "revoked");
	assert_non_null(strstr(query_text("SELECT e.reason FROM licence_events e JOIN licences l ON l.id = e.licence_id "
					  "WHERE l.number = 'LIC-P002' AND e.action = 'revoke'"),
			       "导入：原证照状态为吊销；处罚决定书"));
	assert_non_null(strstr(query_text("SELECT e.reason FROM licence_events e JOIN licences l ON l.id = e.licence_id "
					  "WHERE l.number = 'LIC-P001' AND e.action = 'suspend'"),
			       "导入：原证照状态为暂停"));

	/* What the public endpoint answers, and a signature that verifies under the published key. */
	char code[YJ_LICENCE_CODE_LEN + 1];
	snprintf(code, sizeof code, "%s", query_text("SELECT verify_code FROM licences WHERE number = 'LIC-A001'"));
	json_t *row = NULL;
	assert_int_equal(yj_licence_find_code(store_conn_get(db), code, &row), ST_OK);
	assert_string_equal(json_string_value(json_object_get(row, "status")), "valid");
	json_t *payload = json_object_get(row, "payload");
	assert_string_equal(json_string_value(json_object_get(payload, "holder_identifier")), inst[1]);
	assert_int_equal(yj_licence_signature_ok(payload, json_string_value(json_object_get(row, "signature")),
						 yj_licence_public_key_hex()),
			 1);
	json_decref(row);
	/* A practitioner's licence shows the masked ID, never the clear one. */
	const char *p = query_text("SELECT payload FROM licences WHERE number = 'LIC-P001'");
	assert_null(strstr(p, id1));
	assert_non_null(strstr(p, "**"));

	/* The same file again: nothing. */
	int64_t events = query_int("SELECT COUNT(*) FROM licence_events");
	int64_t leaves = query_int("SELECT COUNT(*) FROM audit_leaves");
	int64_t versions = query_int("SELECT SUM(version) FROM licences");
	run(csv, &res);
	assert_int_equal(res.invalid, 0);
	assert_int_equal(res.unchanged, 4);
	assert_int_equal(res.inserted + res.updated, 0);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licence_events"), events);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves);
	assert_int_equal(query_int("SELECT SUM(version) FROM licences"), versions);
	free(csv);

	/* New end → renew; new issuer → change; 有效 for a suspended one → resume: one event each. */
	csv = good_file("2029-06-30", "温州市卫生健康委员会", "有效");
	run(csv, &res);
	if (res.invalid)
		fail_msg("%s", json_dumps(res.errors, 0));
	assert_int_equal(res.updated, 3);
	assert_int_equal(res.unchanged, 1);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licence_events"), events + 3);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves + 4);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licence_events e JOIN licences l ON l.id = e.licence_id "
				   "WHERE l.number = 'LIC-A001' AND e.action = 'renew'"),
			 1);
	assert_int_equal(query_int("SELECT version FROM licences WHERE number = 'LIC-A001'"), 2);
	assert_string_equal(query_text("SELECT valid_to FROM licences WHERE number = 'LIC-A001'"), "2029-06-30");
	assert_string_equal(query_text("SELECT issuer FROM licences WHERE number = 'LIC-A002'"), "温州市卫生健康委员会");
	assert_non_null(strstr(query_text("SELECT payload FROM licences WHERE number = 'LIC-A002'"), "温州市卫生健康委员会"));
	assert_string_equal(query_text("SELECT state FROM licences WHERE number = 'LIC-P001'"), "valid");
	events = query_int("SELECT COUNT(*) FROM licence_events");
	run(csv, &res);
	assert_int_equal(res.unchanged, 4);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licence_events"), events);
	free(csv);

	/* 有效 for a revoked licence: the lifecycle cannot, so a row error on 状态. */
	csv = yj_asprintf(LIC_HEADER "LIC-P002,nurse_practice,2200000000000002,2022-01-01,2030-12-31,,有效,\n");
	run(csv, &res);
	assert_int_equal(res.invalid, 1);
	assert_error(&res, 2, 7, "已被吊销");
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licence_events"), events);
	free(csv);
}

static void row_errors_write_nothing(void **state)
{
	seed_registry();
	char *csv = good_file("", "", "");
	yj_import_result res;
	run(csv, &res);
	assert_int_equal(res.inserted, 4);
	yj_import_result_free(&res);
	free(csv);
	int64_t lic = query_int("SELECT COUNT(*) FROM licences"), events = query_int("SELECT COUNT(*) FROM licence_events");
	int64_t leaves = query_int("SELECT COUNT(*) FROM audit_leaves");

	csv = yj_asprintf(LIC_HEADER
			  "LIC-N001,med_inst_practice,%s,2024-01-01,,,,\n"		   /* 2: fine */
			  "LIC-N002,医疗机构执业许可证,2200000000000001,2024-01-01,,,,\n"   /* 3: a certificate */
			  "LIC-N003,不存在的证照,%s,2024-01-01,,,,\n"		   /* 4: unknown kind */
			  "LIC-N004,med_inst_practice,%s,2024-01-01,,,,\n"		   /* 5: neighbour county */
			  "LIC-N001,med_inst_practice,%s,2024-01-01,,,,\n"		   /* 6: duplicate */
			  "LIC-N006,med_inst_practice,%s,2024-01-01,2023-12-31,,,\n"	   /* 7: dates */
			  "LIC-A001,med_inst_practice,%s,2024-01-01,,,,\n"		   /* 8: another holder's */
			  "LIC-N008,physician_practice,%s,2024-01-01,,,,\n"		   /* 9: an ID number */
			  "LIC-N009,physician_practice,2200000000000001,2024-01-01,,,过期,\n", /* 10: state */
			  inst[1], inst[1], inst[3], inst[2], inst[1], inst[2], id1);
	yj_scope lc;
	yj_scope_init(&lc, "330302", "health", "*");
	run_as(&yj_licence_import_kind, csv, strlen(csv), &lc, "330302", 0, 0, &res);
	assert_int_equal(res.rows, 9);
	assert_int_equal(res.invalid, 8);
	assert_false(res.written);
	assert_error(&res, 3, 3, "执业证书编码");
	assert_error(&res, 4, 2, "未知的证照种类");
	assert_error(&res, 5, 3, "管辖范围");
	assert_error(&res, 6, 1, "与第 2 行重复");
	assert_error(&res, 7, 5, "早于起始日期");
	assert_error(&res, 8, 1, "其他持证主体");
	assert_error(&res, 9, 3, "身份证号");
	assert_error(&res, 10, 7, "过期");
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licences"), lic);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licence_events"), events);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), leaves);

	/* A dry run writes nothing either; --skip-invalid writes the one good row, issued in 鹿城区's name. */
	run_as(&yj_licence_import_kind, csv, strlen(csv), &lc, "330302", 1, 1, &res);
	assert_int_equal(res.inserted, 1);
	assert_false(res.written);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licences"), lic);
	run_as(&yj_licence_import_kind, csv, strlen(csv), &lc, "330302", 0, 1, &res);
	assert_int_equal(res.inserted, 1);
	assert_int_equal(res.invalid, 8);
	assert_true(res.written);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licences"), lic + 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licence_events"), events + 1);
	assert_string_equal(query_text("SELECT issuer FROM licences WHERE number = 'LIC-N001'"), "温州市鹿城区卫生健康局");
	free(csv);

	/* Suspended but already expired: the lifecycle refuses the suspension, so the row — issue
	 * included — is refused and nothing is left behind even with --skip-invalid. */
	csv = yj_asprintf(LIC_HEADER "LIC-X001,nurse_practice,2200000000000002,2015-01-01,,,暂停,\n");
	run_as(&yj_licence_import_kind, csv, strlen(csv), NULL, "", 0, 1, &res);
	assert_int_equal(res.invalid, 1);
	assert_error(&res, 2, 7, "过有效期");
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licences WHERE number = 'LIC-X001'"), 0);
	free(csv);
}

static void gbk_licence_file(void **state)
{
	seed_registry();
	char *utf8 = yj_asprintf(LIC_HEADER "LIC-G001,医疗机构执业许可证,%s,2024-01-01,,温州市鹿城区卫生健康局,有效,纸质证照\n", inst[1]);
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
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_null(strstr(buf, "证照")); /* really not UTF-8 */
	yj_import_result res;
	run_as(&yj_licence_import_kind, buf, n, NULL, "", 0, 0, &res);
	assert_int_equal(res.encoding, YJ_ENC_GB18030);
	if (res.invalid)
		fail_msg("%s", json_dumps(res.errors, 0));
	assert_int_equal(res.inserted, 1);
	yj_import_result_free(&res);
	assert_int_equal(query_int("SELECT COUNT(*) FROM licences WHERE number = 'LIC-G001'"), 1);
	assert_non_null(strstr(query_text("SELECT e.reason FROM licence_events e JOIN licences l ON l.id = e.licence_id "
					  "WHERE l.number = 'LIC-G001'"),
			       "纸质证照"));
	free(utf8);
}

/* ---- setup ---- */

static int setup(void **state)
{
	db = yj_testdb_open(&t, "implic");
	char keydir[300], *err = NULL;
	snprintf(keydir, sizeof keydir, "%s/keys", t.dir);
	if (yj_audit_keys_load(keydir, &err) < 0 || yj_pii_keys_load(keydir, &err) < 0 ||
	    yj_licence_keys_load(keydir, &err) < 0)
		fail_msg("keys: %s", err);
	return 0;
}

static int teardown(void **state)
{
	yj_testdb_close(&t);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(import_then_reimport),
		cmocka_unit_test(row_errors_write_nothing),
		cmocka_unit_test(gbk_licence_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
