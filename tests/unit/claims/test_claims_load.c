/* test_claims_load.c — the RFC 4180 reader and the claims loader: quoting, column order, every
 * kind of bad row reported with its row and column, the bad-row-share refusal, and parallel chunked
 * loading giving the same columns as a single pass; a partitioned dictionary merge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "claims/claims.h"

#define HDR                                                                                                           \
	"claim_id,line_no,patient_id,sex,birth_date,institution_code,physician_id,dept_code,visit_type,admit_date,"   \
	"discharge_date,service_date,diagnosis,item_code,item_name,item_type,quantity,unit_price,amount,days_supply\n"
#define GOOD "C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,阿莫西林,drug,2,10.50,21.00,3\n"

static void test_csv_reader(void **state)
{
	(void)state;
	const char *in = "a,\"b,1\",\"c\"\"d\"\r\n\n\"multi\nline\",,x\ne\"f,g\n\"open";
	yj_csv r;
	yj_csv_init(&r, in, strlen(in));
	assert_int_equal(yj_csv_next(&r), 1);
	assert_null(r.err);
	assert_int_equal(r.nf, 3);
	assert_int_equal(r.f[1].n, 3);
	assert_memory_equal(r.f[1].p, "b,1", 3);
	assert_memory_equal(r.f[2].p, "c\"d", 3);
	assert_int_equal(yj_csv_next(&r), 1); /* the blank line is skipped */
	assert_null(r.err);
	assert_int_equal(r.nf, 3);
	assert_memory_equal(r.f[0].p, "multi\nline", 10);
	assert_int_equal(r.f[1].n, 0);
	assert_int_equal(yj_csv_next(&r), 1);
	assert_string_equal(r.err, "quote inside unquoted field");
	assert_int_equal(r.err_col, 1);
	assert_int_equal(r.nf, 2);
	assert_int_equal(yj_csv_next(&r), 1);
	assert_string_equal(r.err, "unterminated quote");
	assert_int_equal(yj_csv_next(&r), 0);
	yj_csv_free(&r);
}

static void test_parsers(void **state)
{
	(void)state;
	int64_t d;
	assert_int_equal(yj_date_parse("1970-01-01", 10, YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(yj_date_parse("2024-02-29", 10, YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &d), 0);
	assert_int_equal(yj_date_parse("2023-02-29", 10, YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &d), -1);
	assert_int_equal(yj_date_parse("2024-13-01", 10, YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &d), -1);
	assert_int_equal(yj_date_parse("2024-1-01", 9, YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &d), -1);
	int64_t v;
	assert_int_equal(yj_parse_decimal("12.3", 4, 2, &v), 0);
	assert_int_equal(v, 1230);
	assert_int_equal(yj_parse_decimal("0.005", 5, 2, &v), -1);
	assert_int_equal(yj_parse_decimal("1e3", 3, 2, &v), -1);
	assert_int_equal(yj_parse_decimal(".", 1, 2, &v), -1);
	assert_int_equal(yj_parse_decimal("99999999999999999999", 20, 2, &v), -1);
	int64_t b, t;
	yj_date_parse("2010-03-15", 10, YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &b);
	yj_date_parse("2024-03-14", 10, YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &t);
	assert_int_equal(yj_age_years(b, t), 13);
	yj_date_parse("2024-03-15", 10, YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &t);
	assert_int_equal(yj_age_years(b, t), 14);
}

static void test_load_good(void **state)
{
	(void)state;
	/* columns in another order, an extra column, quoting, CRLF and a BOM */
	const char *in = "\xEF\xBB\xBF"
			 "extra,amount,unit_price,quantity,item_type,item_name,item_code,diagnosis,service_date,discharge_date,"
			 "admit_date,visit_type,dept_code,physician_id,institution_code,birth_date,sex,patient_id,line_no,claim_id,days_supply\r\n"
			 "zz,21.00,10.50,2,drug,\"阿莫西林,胶囊\",X1,J06.9,2024-01-05,,,O,03,D1,I1,1980-01-02,M,P1,1,C1,3\r\n"
			 "zz,100,100,1,service,床位费,B1,J18.9,2024-01-06,2024-01-09,2024-01-05,I,03,D1,I1,1980-01-02,M,P1,1,C2,\r\n";
	yj_claims *c;
	yj_load_report rep;
	char *err = NULL;
	assert_int_equal(yj_claims_load_mem(in, strlen(in), NULL, &c, &rep, &err), 0);
	assert_int_equal(c->n, 2);
	assert_int_equal(rep.rows, 2);
	assert_int_equal(rep.bad_rows, 0);
	assert_int_equal(c->amount[0], 2100);
	assert_int_equal(c->qty[0], 2000);
	assert_int_equal(c->days_supply[0], 3);
	assert_int_equal(c->days_supply[1], -1);
	assert_int_equal(c->admit[0], YJ_NO_DATE);
	assert_int_equal(c->visit[1], YJ_VISIT_I);
	assert_string_equal(yj_dict_str(c->dict[YJ_D_NAME], c->name[0]), "阿莫西林,胶囊");
	assert_int_equal(c->patient[0], c->patient[1]);
	assert_int_not_equal(c->claim[0], c->claim[1]);
	yj_claims_free(c);
	yj_load_report_free(&rep);
}

static void test_missing_column(void **state)
{
	(void)state;
	const char *in = "claim_id,line_no\nC1,1\n";
	yj_claims *c;
	yj_load_report rep;
	char *err = NULL;
	assert_int_equal(yj_claims_load_mem(in, strlen(in), NULL, &c, &rep, &err), -1);
	assert_non_null(strstr(err, "patient_id"));
	free(err);
	yj_load_report_free(&rep);
}

static void test_bad_rows(void **state)
{
	(void)state;
	static const struct {
		const char *row;
		int col;
		const char *reason;
	} cases[] = {
		{"C1,1,P1,X,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,2,10.50,21.00,3\n", 4, "sex"},
		{"C1,1,P1,M,1980-02-30,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,2,10.50,21.00,3\n", 5, "invalid date"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,-2,10.50,21.00,3\n", 19, "refund (negative quantity) with a positive amount"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,2,10.50,-21.00,3\n", 19, "negative amount with a positive"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,-2,-10.50,-21.00,3\n", 18, "negative unit price"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,2,10.50,abc,3\n", 19, "not an amount"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,2,10.50\n", 0, "wrong number of columns"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a\"b,drug,2,10.50,21.00,3\n", 15, "quote inside"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,\xff\xfe,a,drug,2,10.50,21.00,3\n", 14, "UTF-8"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,I,2024-01-05,2024-01-04,2024-01-05,J06.9,X1,a,drug,2,10.50,21.00,3\n", 11,
		 "discharge before"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,I,,,2024-01-05,J06.9,X1,a,drug,2,10.50,21.00,3\n", 10, "missing date"},
		{"C1,0,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,2,10.50,21.00,3\n", 2, "line_no"},
		{",1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,2,10.50,21.00,3\n", 1, "missing value"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,pill,2,10.50,21.00,3\n", 16, "item_type"},
		{"C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,2,10.50,21.00,x\n", 20, "days_supply"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *in = yj_asprintf("%s%s%s%s", HDR, GOOD, cases[i].row, GOOD);
		yj_load_opts o = {.max_bad_share = 0.5};
		yj_claims *c;
		yj_load_report rep;
		char *err = NULL;
		assert_int_equal(yj_claims_load_mem(in, strlen(in), &o, &c, &rep, &err), 0);
		assert_int_equal(c->n, 2);
		assert_int_equal(rep.bad_rows, 1);
		assert_int_equal(rep.nerrors, 1);
		assert_int_equal(rep.errors[0].row, 3);
		if (rep.errors[0].col != cases[i].col || !strstr(rep.errors[0].reason, cases[i].reason))
			fail_msg("case %zu: col %d reason %s", i, rep.errors[0].col, rep.errors[0].reason);
		yj_claims_free(c);
		yj_load_report_free(&rep);
		free(in);
	}
}

static void test_refusal(void **state)
{
	(void)state;
	char *in = yj_asprintf("%s%sC2,x\n%s", HDR, GOOD, GOOD);
	yj_load_opts o = {.max_bad_share = 0.25};
	yj_claims *c;
	yj_load_report rep;
	char *err = NULL;
	assert_int_equal(yj_claims_load_mem(in, strlen(in), &o, &c, &rep, &err), -1);
	assert_true(rep.refused);
	assert_non_null(strstr(err, "refused"));
	free(err);
	yj_load_report_free(&rep);
	o.max_bad_share = 0.34;
	assert_int_equal(yj_claims_load_mem(in, strlen(in), &o, &c, &rep, &err), 0);
	yj_claims_free(c);
	yj_load_report_free(&rep);
	free(in);
}

static void test_parallel_equals_single(void **state)
{
	(void)state;
	yj_buf b = YJ_BUF_INIT;
	yj_buf_puts(&b, HDR);
	for (int i = 0; i < 3000; i++)
		yj_buf_printf(&b, "C%d,%d,P%d,%c,1980-01-02,I%d,D%d,03,O,,,2024-01-%02d,J06.9,X%d,\"name,%d\n\"\"q\"\"\",drug,%d,1.%02d,%d.00,3\n",
			      i / 3, i % 3 + 1, i % 97, i % 2 ? 'M' : 'F', i % 7, i % 11, i % 28 + 1, i % 13, i % 5,
			      i % 9 + 1, i % 100, i % 9 + 1);
	yj_buf_puts(&b, "broken,\"row\n");
	yj_load_opts one = {.threads = 1, .max_bad_share = 0.1}, many = {.threads = 2, .chunk_bytes = 1000, .max_bad_share = 0.1};
	yj_claims *a, *c;
	yj_load_report ra, rc;
	char *err = NULL;
	assert_int_equal(yj_claims_load_mem(b.data, b.len, &one, &a, &ra, &err), 0);
	assert_int_equal(yj_claims_load_mem(b.data, b.len, &many, &c, &rc, &err), 0);
	assert_int_equal(a->n, 3000);
	assert_int_equal(c->n, 3000);
	assert_int_equal(ra.bad_rows, 1);
	assert_int_equal(rc.bad_rows, 1);
	assert_int_equal(rc.errors[0].row, 3002);
	assert_memory_equal(a->claim, c->claim, sizeof(int32_t) * 3000);
	assert_memory_equal(a->name, c->name, sizeof(int32_t) * 3000);
	assert_memory_equal(a->amount, c->amount, sizeof(int64_t) * 3000);
	yj_claims_free(a);
	yj_claims_free(c);
	yj_load_report_free(&ra);
	yj_load_report_free(&rc);
	yj_buf_free(&b);
}

/* Rows of claim `id` left in c, as "line:qty:amount" joined by spaces. */
static char *lines_of(const yj_claims *c, const char *id)
{
	yj_buf b = YJ_BUF_INIT;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(yj_dict_str(c->dict[YJ_D_CLAIM], c->claim[i]), id) == 0)
			yj_buf_printf(&b, "%s%d:%lld:%lld", b.len ? " " : "", c->line_no[i], (long long)c->qty[i],
				      (long long)c->amount[i]);
	if (!b.data)
		yj_buf_puts(&b, "");
	return yj_buf_detach(&b);
}

#define RL(claim, line, item, day, qty, price, amount)                                                                \
	claim "," line ",P1,M,1980-01-02,I1,D1,03,O,,,2024-01-" day ",J06.9," item ",a,drug," qty "," price "," amount ",3\n"

static void test_refunds(void **state)
{
	(void)state;
	const char *in = HDR
		/* C1: line 1 refunded in full by line 3; line 2 stays */
		RL("C1", "1", "X1", "05", "3", "10.00", "30.00") RL("C1", "2", "X2", "05", "1", "5.00", "5.00")
		RL("C1", "3", "X1", "05", "-3", "10.00", "-30.00")
		/* C2: a partial refund (1 of 3) */
		RL("C2", "1", "X1", "05", "3", "10.00", "30.00") RL("C2", "2", "X1", "05", "-1", "10.00", "-10.00")
		/* C3: no original of that item; another date; more than billed */
		RL("C3", "1", "X1", "05", "1", "10.00", "10.00") RL("C3", "2", "X9", "05", "-1", "10.00", "-10.00")
		RL("C3", "3", "X1", "06", "-1", "10.00", "-10.00")
		RL("C4", "1", "X1", "05", "1", "10.00", "10.00") RL("C4", "2", "X1", "05", "-2", "10.00", "-20.00")
		/* C5: the claim's only line reversed: the claim is empty */
		RL("C5", "1", "X1", "05", "2", "10.00", "20.00") RL("C5", "2", "X1", "05", "-2", "10.00", "-20.00")
		/* C6: two originals of the day, the earlier line netted first, then the next */
		RL("C6", "1", "X1", "05", "1", "10.00", "10.00") RL("C6", "2", "X1", "05", "2", "10.00", "20.00")
		RL("C6", "3", "X1", "05", "-2", "10.00", "-20.00");
	yj_claims *c;
	yj_load_report rep;
	char *err = NULL;
	assert_int_equal(yj_claims_load_mem(in, strlen(in), NULL, &c, &rep, &err), 0);
	assert_int_equal(rep.bad_rows, 0);
	assert_int_equal(rep.refunds, 7);
	assert_int_equal(rep.refunds_netted, 4);
	assert_int_equal(rep.refunds_orphan, 3);
	assert_int_equal(rep.lines_cancelled, 4); /* C1:1, C4:1, C5:1, C6:1 */
	assert_int_equal(rep.refund_fen, 3000 + 1000 + 1000 + 2000 + 2000);
	assert_int_equal(rep.norphans, 3);
	assert_int_equal(rep.orphans[0].row, 8); /* C3 line 2 */
	assert_non_null(strstr(rep.orphans[0].reason, "no original"));
	assert_non_null(strstr(rep.orphans[2].reason, "more than"));
	static const struct { const char *claim, *want; } want[] = {
		{"C1", "2:1000:500"}, {"C2", "1:2000:2000"}, {"C3", "1:1000:1000"}, {"C4", ""}, {"C5", ""}, {"C6", "2:1000:1000"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char *got = lines_of(c, want[i].claim);
		if (strcmp(got, want[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", want[i].claim, got, want[i].want);
		free(got);
	}
	/* screening copes with a claim left with no line */
	char *root = yj_strdup(__FILE__), *cut = strstr(root, "tests/unit/claims/");
	*cut = 0;
	char *dir = yj_asprintf("%srules", root);
	yj_rules *rs = yj_rules_load(dir, &err);
	assert_non_null(rs);
	yj_refs refs = {0};
	yj_screen_result res;
	assert_int_equal(yj_screen(c, rs, &refs, 2, &res), 0);
	yj_screen_result_free(&res);
	yj_rules_free(rs);
	free(dir);
	free(root);
	yj_claims_free(c);
	yj_load_report_free(&rep);

	/* orig_line_no names the original: line 2, not the earlier line 1 of the same item and day */
	const char *in2 = "claim_id,line_no,patient_id,sex,birth_date,institution_code,physician_id,dept_code,visit_type,"
			  "admit_date,discharge_date,service_date,diagnosis,item_code,item_name,item_type,quantity,unit_price,"
			  "amount,days_supply,orig_line_no\n"
			  "C1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,1,10.00,10.00,3,\n"
			  "C1,2,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,1,12.00,12.00,3,\n"
			  "C1,3,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,a,drug,-1,12.00,-12.00,3,2\n"
			  "C1,4,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X2,a,drug,-1,12.00,-12.00,3,1\n";
	assert_int_equal(yj_claims_load_mem(in2, strlen(in2), NULL, &c, &rep, &err), 0);
	char *got = lines_of(c, "C1");
	assert_string_equal(got, "1:1000:1000");
	free(got);
	assert_int_equal(rep.refunds_netted, 1);
	assert_int_equal(rep.refunds_orphan, 1); /* line 4 names a line of another item */
	assert_non_null(strstr(rep.orphans[0].reason, "another item"));
	yj_claims_free(c);
	yj_load_report_free(&rep);
}

/* A GBK file is named as such with the iconv command, not refused row by row as invalid UTF-8;
 * a UTF-8 file with one broken byte is not taken for GBK. */
static void test_gbk(void **state)
{
	(void)state;
	/* 阿莫西林 in GBK: B0A2 C4AA CEF7 C1D6 */
	char *in = yj_asprintf("%sC1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,\xB0\xA2\xC4\xAA\xCE\xF7\xC1\xD6,drug,2,"
			       "10.50,21.00,3\n", HDR);
	yj_claims *c;
	yj_load_report rep;
	char *err = NULL;
	assert_int_equal(yj_claims_load_mem(in, strlen(in), NULL, &c, &rep, &err), -1);
	assert_non_null(strstr(err, "GBK"));
	assert_non_null(strstr(err, "iconv -f GB18030 -t UTF-8"));
	free(err);
	err = NULL;
	yj_load_report_free(&rep);
	free(in);
	in = yj_asprintf("%s%sC1,1,P1,M,1980-01-02,I1,D1,03,O,,,2024-01-05,J06.9,X1,\xFF\xFE,drug,2,10.50,21.00,3\n", HDR, GOOD);
	yj_load_opts o = {.max_bad_share = 0.5};
	assert_int_equal(yj_claims_load_mem(in, strlen(in), &o, &c, &rep, &err), 0);
	assert_int_equal(rep.bad_rows, 1);
	yj_claims_free(c);
	yj_load_report_free(&rep);
	free(in);
}

/* A merge big enough to be partitioned (≥ 65,536 source entries): six sources of 20,000 ids, each
 * sharing half its ids with the one before, give codes in order of first sight and a remap that
 * names each source string, on one thread and on three alike. */
static void test_dict_merge_partitioned(void **state)
{
	(void)state;
	enum { NSRC = 6, PER = 20000 };
	yj_dict *src[NSRC];
	int32_t *remap[NSRC], *remap3[NSRC];
	char id[32];
	for (int i = 0; i < NSRC; i++) {
		src[i] = yj_dict_new();
		for (int k = 0; k < PER; k++) { /* source i holds ids i*PER/2 .. i*PER/2+PER-1, shuffled a little */
			int v = i * PER / 2 + (k * 7919) % PER;
			snprintf(id, sizeof id, "P%09d", v);
			yj_dict_intern(src[i], id, strlen(id), NULL);
		}
		remap[i] = malloc(sizeof(int32_t) * PER);
		remap3[i] = malloc(sizeof(int32_t) * PER);
	}
	yj_dict *g = yj_dict_merge(src, NSRC, 1, remap);
	yj_dict *g3 = yj_dict_merge(src, NSRC, 3, remap3);
	assert_int_equal(yj_dict_count(g), (NSRC + 1) * PER / 2);
	assert_int_equal(yj_dict_count(g3), yj_dict_count(g));
	int32_t next = 0;
	for (int i = 0; i < NSRC; i++)
		for (int32_t k = 0; k < PER; k++) {
			const char *s = yj_dict_str(src[i], k);
			assert_string_equal(yj_dict_str(g, remap[i][k]), s);
			assert_int_equal(remap3[i][k], remap[i][k]);
			assert_int_equal(yj_dict_find(g, s, strlen(s)), remap[i][k]);
			if (remap[i][k] >= next) { /* a new string gets the next code */
				assert_int_equal(remap[i][k], next);
				next++;
			}
		}
	assert_int_equal(next, yj_dict_count(g));
	for (int i = 0; i < NSRC; i++) {
		yj_dict_free(src[i]);
		free(remap[i]);
		free(remap3[i]);
	}
	yj_dict_free(g);
	yj_dict_free(g3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_reader),	 cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_load_good),	 cmocka_unit_test(test_missing_column),
		cmocka_unit_test(test_bad_rows),	 cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_parallel_equals_single), cmocka_unit_test(test_refunds), cmocka_unit_test(test_gbk),
		cmocka_unit_test(test_dict_merge_partitioned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
