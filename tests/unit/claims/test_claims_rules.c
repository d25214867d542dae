/* test_claims_rules.c — every rule type of the default rule base on hand-made claim lines: a
 * positive, a negative and the boundary (exactly the cap, exactly N days). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "claims_test.h"

#include <unistd.h>

static yj_rules *rules;
static yj_refs refs;
static int64_t last_amount; /* fen at stake of the rule's rows in the last screen() */

/* One claim line; empty strings stand for empty fields. amount = qty × price. */
static void line(yj_buf *b, const char *claim, int no, const char *patient, char sex, const char *birth,
		 const char *inst, const char *phys, const char *dept, char visit, const char *admit, const char *disch,
		 const char *service, const char *diag, const char *item, const char *type, double qty, double price,
		 int days)
{
	char d[16] = "";
	if (days >= 0)
		snprintf(d, sizeof d, "%d", days);
	yj_buf_printf(b, "%s,%d,%s,%c,%s,%s,%s,%s,%c,%s,%s,%s,%s,%s,名称,%s,%.3f,%.2f,%.2f,%s\n", claim, no, patient, sex,
		      birth, inst, phys, dept, visit, admit, disch, service, diag, item, type, qty, price, qty * price, d);
}

/* Outpatient line of an adult man at I1 by D1 in dept 03. */
#define OUT(b, claim, no, patient, service, item, type, qty, price, days)                                            \
	line(b, claim, no, patient, 'M', "1980-05-05", "I1", "D1", "03", 'O', "", "", service, "J06.9", item, type, qty, \
	     price, days)

/* Flag rows of rule id over the lines in b; *flags gets the number of distinct flags. */
static int screen(yj_buf *b, const char *id, int *flags)
{
	char *in = yj_asprintf("%s%s", CT_HDR, b->data ? b->data : "");
	yj_claims *c;
	yj_load_report rep;
	char *err = NULL;
	if (yj_claims_load_mem(in, strlen(in), NULL, &c, &rep, &err) < 0 || rep.bad_rows)
		fail_msg("load: %s (%lld bad, first: %s)", err ? err : "", (long long)rep.bad_rows,
			 rep.nerrors ? rep.errors[0].reason : "");
	yj_screen_result res;
	yj_screen(c, rules, &refs, 2, &res);
	int rows = 0, last = -1, nf = 0;
	last_amount = 0;
	for (size_t k = 0; k < res.n; k++)
		if (strcmp(rules->r[res.f[k].rule].id, id) == 0) {
			rows++;
			last_amount += res.f[k].amount;
			nf += res.f[k].flag != last;
			last = res.f[k].flag;
			char *m = yj_flag_message(c, rules, &res.f[k]);
			assert_true(strlen(m) > 0);
			free(m);
		}
	if (flags)
		*flags = nf;
	yj_screen_result_free(&res);
	yj_claims_free(c);
	yj_load_report_free(&rep);
	free(in);
	yj_buf_reset(b);
	return rows;
}

static void test_sex(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS101", "service", 1, 80, -1); /* PSA for a man */
	assert_int_equal(screen(&b, "R-SEX-01", NULL), 0);
	line(&b, "C1", 1, "P1", 'F', "1980-05-05", "I1", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XS101", "service", 1, 80, -1);
	assert_int_equal(screen(&b, "R-SEX-01", NULL), 1);
	yj_buf_free(&b);
}

static void test_age(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	/* children's drug, max_age 13: 13 on the day before the 14th birthday, 14 on it */
	line(&b, "C1", 1, "P1", 'M', "2010-03-15", "I1", "D1", "03", 'O', "", "", "2024-03-14", "J06.9", "XD102", "drug", 1, 22, 3);
	assert_int_equal(screen(&b, "R-AGE-CHILD", NULL), 0);
	line(&b, "C1", 1, "P1", 'M', "2010-03-15", "I1", "D1", "03", 'O', "", "", "2024-03-15", "J06.9", "XD102", "drug", 1, 22, 3);
	assert_int_equal(screen(&b, "R-AGE-CHILD", NULL), 1);
	/* adults only, min_age 18: exactly 18 passes, 17 is flagged */
	line(&b, "C1", 1, "P1", 'M', "2006-03-15", "I1", "D1", "03", 'O', "", "", "2024-03-15", "J06.9", "XD103", "drug", 1, 32, 3);
	assert_int_equal(screen(&b, "R-AGE-ADULT", NULL), 0);
	line(&b, "C1", 1, "P1", 'M', "2006-03-16", "I1", "D1", "03", 'O', "", "", "2024-03-15", "J06.9", "XD103", "drug", 1, 32, 3);
	assert_int_equal(screen(&b, "R-AGE-ADULT", NULL), 1);
	yj_buf_free(&b);
}

static void test_price(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS201", "service", 1, 150.00, -1); /* exactly the cap */
	assert_int_equal(screen(&b, "R-PRICE-01", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS201", "service", 1, 150.01, -1);
	assert_int_equal(screen(&b, "R-PRICE-01", NULL), 1);
	yj_buf_free(&b);
}

#define INP(b, claim, no, patient, admit, disch, service, item, qty, price)                                          \
	line(b, claim, no, patient, 'M', "1950-01-01", "I1", "D1", "03", 'I', admit, disch, service, "J18.9", item,     \
	     "service", qty, price, -1)

static void test_daily_cap(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XB001", 1, 50); /* one bed-day: the cap */
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-03", "2024-01-02", "XB001", 1, 50);
	INP(&b, "C1", 3, "P1", "2024-01-01", "2024-01-03", "2024-01-02", "XN000", 24, 15); /* 24 hours: the cap */
	assert_int_equal(screen(&b, "R-DAILY-01", NULL), 0);
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XB001", 1, 50);
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XB001", 0.5, 50); /* two lines, 1.5 in all */
	INP(&b, "C1", 3, "P1", "2024-01-01", "2024-01-03", "2024-01-02", "XN000", 24.5, 15);
	int flags;
	assert_int_equal(screen(&b, "R-DAILY-01", &flags), 3);
	assert_int_equal(flags, 2);
	yj_buf_free(&b);
}

static void test_exclusive(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XN001", 1, 40);
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-03", "2024-01-02", "XN002", 1, 25); /* another day */
	assert_int_equal(screen(&b, "R-EXCL-01", NULL), 0);
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XN001", 1, 40);
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XN002", 1, 25);
	int flags;
	assert_int_equal(screen(&b, "R-EXCL-01", &flags), 2);
	assert_int_equal(flags, 1);
	assert_int_equal(last_amount, 2500); /* Ⅰ级护理 40.00 is kept, Ⅱ级 25.00 at stake */
	/* per hour against per day: 特级护理 24 h × 8.00 = 192.00 is the dearest line though its unit
	 * price is lower than Ⅰ级护理's 28.00, so 28.00 is at stake, not 192.00 */
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XN000", 24, 8);
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XN001", 1, 28);
	assert_int_equal(screen(&b, "R-EXCL-01", &flags), 2);
	assert_int_equal(last_amount, 2800);
	/* equal amounts: one is kept (the lower item code), the other at stake */
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XN002", 1, 28);
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-03", "2024-01-01", "XN001", 1, 28);
	assert_int_equal(screen(&b, "R-EXCL-01", &flags), 2);
	assert_int_equal(last_amount, 2800);
	yj_buf_free(&b);
}

static void test_duplicate(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 2, 15, 3);
	OUT(&b, "C1", 2, "P1", "2024-01-05", "XD001", "drug", 3, 15, 3); /* another quantity */
	OUT(&b, "C2", 1, "P1", "2024-01-05", "XD001", "drug", 2, 15, 3); /* another claim */
	assert_int_equal(screen(&b, "R-DUP-01", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 2, 15, 3);
	OUT(&b, "C1", 2, "P1", "2024-01-05", "XD001", "drug", 2, 15, 3);
	assert_int_equal(screen(&b, "R-DUP-01", NULL), 2);
	/* one copy reversed (冲销) in the same claim: netted at load, nothing left to flag */
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 2, 15, 3);
	OUT(&b, "C1", 2, "P1", "2024-01-05", "XD001", "drug", 2, 15, 3);
	OUT(&b, "C1", 3, "P1", "2024-01-05", "XD001", "drug", -2, 15, 3);
	assert_int_equal(screen(&b, "R-DUP-01", NULL), 0);
	yj_buf_free(&b);
}

static void test_days_supply(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 1, 15, 7); /* exactly 7 */
	assert_int_equal(screen(&b, "R-DAYS-O", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 1, 15, 8);
	assert_int_equal(screen(&b, "R-DAYS-O", NULL), 1);
	line(&b, "C1", 1, "P1", 'M', "1980-05-05", "I1", "D1", "20", 'E', "", "", "2024-01-05", "T14.0", "XD001", "drug", 1, 15, 3);
	assert_int_equal(screen(&b, "R-DAYS-E", NULL), 0);
	line(&b, "C1", 1, "P1", 'M', "1980-05-05", "I1", "D1", "20", 'E', "", "", "2024-01-05", "T14.0", "XD001", "drug", 1, 15, 4);
	assert_int_equal(screen(&b, "R-DAYS-E", NULL), 1);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD201", "drug", 1, 9, 3);
	assert_int_equal(screen(&b, "R-DAYS-NARC", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD201", "drug", 1, 9, 4);
	assert_int_equal(screen(&b, "R-DAYS-NARC", NULL), 1);
	yj_buf_free(&b);
}

static void test_readmission(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	/* discharged 01-05, back on 01-20: exactly 15 days */
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-01", "XS002", 1, 20);
	INP(&b, "C2", 1, "P1", "2024-01-20", "2024-01-22", "2024-01-20", "XS002", 1, 20);
	int flags;
	assert_int_equal(screen(&b, "R-READMIT-15", &flags), 2);
	assert_int_equal(flags, 1);
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-01", "XS002", 1, 20);
	INP(&b, "C2", 1, "P1", "2024-01-21", "2024-01-22", "2024-01-21", "XS002", 1, 20); /* 16 days */
	assert_int_equal(screen(&b, "R-READMIT-15", NULL), 0);
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-01", "XS002", 1, 20);
	line(&b, "C2", 1, "P1", 'M', "1950-01-01", "I1", "D1", "03", 'I', "2024-01-08", "2024-01-09", "2024-01-08", "K35.8",
	     "XS002", "service", 1, 20, -1); /* another disease */
	assert_int_equal(screen(&b, "R-READMIT-15", NULL), 0);
	yj_buf_free(&b);
}

static void test_idle_bed(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	/* a 4-day stay with treatment on day 1 only: 3 idle days, the threshold */
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-01", "XS002", 1, 20);
	for (int d = 0; d < 4; d++) {
		char day[16];
		snprintf(day, sizeof day, "2024-01-%02d", d + 1);
		INP(&b, "C1", 2 + d, "P1", "2024-01-01", "2024-01-05", day, "XB001", 1, 50);
	}
	int flags;
	assert_int_equal(screen(&b, "R-IDLE-03", &flags), 3);
	assert_int_equal(flags, 1);
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-01", "XS002", 1, 20);
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-05", "2024-01-02", "XS002", 1, 20); /* 2 idle days */
	INP(&b, "C1", 3, "P1", "2024-01-01", "2024-01-05", "2024-01-03", "XB001", 1, 50);
	assert_int_equal(screen(&b, "R-IDLE-03", NULL), 0);
	yj_buf_free(&b);
}

/* Interim settlement (中途结算): one stay billed as two claims. */
static void test_interim_settlement(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	char day[16];
	/* both claims carry the full dates 01-01..01-09; each bills treatment on its own half */
	for (int d = 0; d < 8; d++) {
		snprintf(day, sizeof day, "2024-01-%02d", d + 1);
		const char *cl = d < 4 ? "C1" : "C2";
		INP(&b, cl, 1 + 2 * (d % 4), "P1", "2024-01-01", "2024-01-09", day, "XB001", 1, 50);
		INP(&b, cl, 2 + 2 * (d % 4), "P1", "2024-01-01", "2024-01-09", day, "XS002", 1, 20);
	}
	yj_buf c2 = YJ_BUF_INIT;
	yj_buf_append(&c2, b.data, b.len);
	assert_int_equal(screen(&b, "R-IDLE-03", NULL), 0);
	assert_int_equal(screen(&c2, "R-READMIT-15", NULL), 0);
	/* segments with their own dates: 01-01..01-05 and 01-05..01-09 */
	for (int pass = 0; pass < 2; pass++) {
		for (int d = 0; d < 8; d++) {
			snprintf(day, sizeof day, "2024-01-%02d", d + 1);
			if (d < 4)
				INP(&b, "C1", 1 + d, "P1", "2024-01-01", "2024-01-05", day, "XS002", 1, 20);
			else
				INP(&b, "C2", 1 + d, "P1", "2024-01-05", "2024-01-09", day, "XS002", 1, 20);
		}
		OUT(&b, "C3", 1, "P1", "2024-01-05", "XS001", "service", 1, 10, -1); /* inside the whole stay */
		if (pass == 0) {
			assert_int_equal(screen(&b, "R-READMIT-15", NULL), 0);
		} else {
			int flags;
			assert_int_equal(screen(&b, "R-OUTIN-01", &flags), 1);
		}
	}
	/* the same day at another institution is a readmission; so is one day later at the same one */
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-01", "XS002", 1, 20);
	line(&b, "C2", 1, "P1", 'M', "1950-01-01", "I2", "D1", "03", 'I', "2024-01-05", "2024-01-07", "2024-01-05", "J18.9",
	     "XS002", "service", 1, 20, -1);
	assert_int_equal(screen(&b, "R-READMIT-15", NULL), 2);
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-01", "XS002", 1, 20);
	INP(&b, "C2", 1, "P1", "2024-01-06", "2024-01-07", "2024-01-06", "XS002", 1, 20);
	assert_int_equal(screen(&b, "R-READMIT-15", NULL), 2);
	yj_buf_free(&b);
	yj_buf_free(&c2);
}

static void test_outpatient_in_stay(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-01", "XS002", 1, 20);
	OUT(&b, "C2", 1, "P1", "2024-01-01", "XS001", "service", 1, 10, -1); /* admission day */
	OUT(&b, "C3", 1, "P1", "2024-01-05", "XS001", "service", 1, 10, -1); /* discharge day */
	OUT(&b, "C4", 1, "P2", "2024-01-03", "XS001", "service", 1, 10, -1); /* someone else */
	assert_int_equal(screen(&b, "R-OUTIN-01", NULL), 0);
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-01", "XS002", 1, 20);
	OUT(&b, "C2", 1, "P1", "2024-01-03", "XS001", "service", 1, 10, -1);
	OUT(&b, "C2", 2, "P1", "2024-01-03", "XD001", "drug", 1, 15, 3);
	int flags;
	assert_int_equal(screen(&b, "R-OUTIN-01", &flags), 2);
	assert_int_equal(flags, 1);
	yj_buf_free(&b);
}

static void test_diag_limit(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	line(&b, "C1", 1, "P1", 'M', "1980-05-05", "I1", "D1", "03", 'O', "", "", "2024-01-05", "R57.1", "XD301", "drug", 1, 380, 1);
	assert_int_equal(screen(&b, "R-DIAG-01", NULL), 0);
	line(&b, "C1", 1, "P1", 'M', "1980-05-05", "I1", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XD301", "drug", 1, 380, 1);
	assert_int_equal(screen(&b, "R-DIAG-01", NULL), 1);
	yj_buf_free(&b);
}

static void test_after_death(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	OUT(&b, "C1", 1, "PD", "2024-01-10", "XS001", "service", 1, 10, -1); /* on the day of death */
	assert_int_equal(screen(&b, "R-DEATH-01", NULL), 0);
	OUT(&b, "C1", 1, "PD", "2024-01-11", "XS001", "service", 1, 10, -1);
	assert_int_equal(screen(&b, "R-DEATH-01", NULL), 1);
	yj_buf_free(&b);
}

static void test_physician_and_dept(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS001", "service", 1, 10, -1); /* D1 at I1 in 03: registered */
	assert_int_equal(screen(&b, "R-PHYS-01", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS001", "service", 1, 10, -1);
	assert_int_equal(screen(&b, "R-DEPT-01", NULL), 0);
	/* D1 in I1's TCM department: outside the clinical category; D2 is registered nowhere */
	line(&b, "C1", 1, "P1", 'M', "1980-05-05", "I1", "D1", "50", 'O', "", "", "2024-01-05", "J06.9", "XS001", "service", 1, 10, -1);
	line(&b, "C2", 1, "P2", 'M', "1980-05-05", "I1", "D2", "03", 'O', "", "", "2024-01-05", "J06.9", "XS001", "service", 1, 10, -1);
	int flags;
	assert_int_equal(screen(&b, "R-PHYS-01", &flags), 2);
	assert_int_equal(flags, 2);
	/* dept 04 is in D1's scope but not registered at I1 */
	line(&b, "C1", 1, "P1", 'M', "1980-05-05", "I1", "D1", "04", 'O', "", "", "2024-01-05", "J06.9", "XS001", "service", 1, 10, -1);
	assert_int_equal(screen(&b, "R-DEPT-01", NULL), 1);
	line(&b, "C1", 1, "P1", 'M', "1980-05-05", "I1", "D1", "04", 'O', "", "", "2024-01-05", "J06.9", "XS001", "service", 1, 10, -1);
	assert_int_equal(screen(&b, "R-PHYS-01", NULL), 0);
	yj_buf_free(&b);
}

/* An institution missing from the registry: not every line under 超范围执业, one registry gap. */
static void test_registry_gap(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	for (int k = 0; k < 5; k++) {
		char cl[16];
		snprintf(cl, sizeof cl, "C%d", k);
		line(&b, cl, 1, "P1", 'M', "1980-05-05", "I9", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XS001", "service", 1, 10, -1);
	}
	OUT(&b, "C9", 1, "P2", "2024-01-05", "XS001", "service", 1, 10, -1);
	char *in = yj_asprintf("%s%s", CT_HDR, b.data);
	yj_claims *c;
	yj_load_report rep;
	char *err = NULL;
	assert_int_equal(yj_claims_load_mem(in, strlen(in), NULL, &c, &rep, &err), 0);
	yj_screen_result res;
	yj_screen(c, rules, &refs, 2, &res);
	int phys = 0;
	for (size_t k = 0; k < res.n; k++)
		phys += strcmp(rules->r[res.f[k].rule].id, "R-PHYS-01") == 0 || strcmp(rules->r[res.f[k].rule].id, "R-DEPT-01") == 0;
	assert_int_equal(phys, 0);
	assert_int_equal(res.ngaps, 1);
	assert_string_equal(yj_dict_str(c->dict[YJ_D_INST], res.gap_inst[0]), "I9");
	assert_int_equal(res.gap_lines[0], 5);
	char *txt = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&txt, &len);
	yj_screen_summary(f, c, rules, &res, 5, 1);
	fclose(f);
	assert_non_null(strstr(txt, "\"registry_gaps\":[{\"institution_code\":\"I9\",\"lines\":5}]"));
	free(txt);
	yj_screen_result_free(&res);
	yj_claims_free(c);
	yj_load_report_free(&rep);
	free(in);
	yj_buf_free(&b);
}

static void test_card_misuse(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	/* I1–I2 ≈ 289 km (under 4 h × 80 km/h = 320 km), I1–I3 ≈ 337 km */
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS001", "service", 1, 10, -1);
	line(&b, "C2", 1, "P1", 'M', "1980-05-05", "I2", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XS001", "service", 1, 10, -1);
	assert_int_equal(screen(&b, "R-CARD-01", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS001", "service", 1, 10, -1);
	line(&b, "C2", 1, "P1", 'M', "1980-05-05", "I3", "D1", "03", 'O', "", "", "2024-01-06", "J06.9", "XS001", "service", 1, 10, -1);
	assert_int_equal(screen(&b, "R-CARD-01", NULL), 0); /* another day */
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS001", "service", 1, 10, -1);
	line(&b, "C2", 1, "P1", 'M', "1980-05-05", "I3", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XS001", "service", 1, 10, -1);
	assert_int_equal(screen(&b, "R-CARD-01", NULL), 2);
	yj_buf_free(&b);
}

static void test_big_rx(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 1, 600.00, 3);
	OUT(&b, "C1", 2, "P1", "2024-01-05", "XD002", "drug", 1, 400.00, 3); /* exactly 1000 */
	OUT(&b, "C1", 3, "P1", "2024-01-05", "XS003", "service", 1, 500.00, -1);
	assert_int_equal(screen(&b, "R-BIGRX-01", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 1, 600.00, 3);
	OUT(&b, "C1", 2, "P1", "2024-01-05", "XD002", "drug", 1, 400.01, 3);
	assert_int_equal(screen(&b, "R-BIGRX-01", NULL), 2);
	yj_buf_free(&b);
}

static void test_key_drug(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	/* January 700, February 1050: +50% exactly is not "more than 50%" */
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD401", "drug", 7, 100, 3);
	OUT(&b, "C2", 1, "P2", "2024-02-05", "XD401", "drug", 10.5, 100, 3);
	assert_int_equal(screen(&b, "R-KEY-GROWTH", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD401", "drug", 7, 100, 3);
	OUT(&b, "C2", 1, "P2", "2024-02-05", "XD401", "drug", 10.51, 100, 3);
	assert_int_equal(screen(&b, "R-KEY-GROWTH", NULL), 1);
	/* February under the minimum amount (1000) is not flagged however fast it grows */
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD401", "drug", 1, 100, 3);
	OUT(&b, "C2", 1, "P2", "2024-02-05", "XD401", "drug", 9.99, 100, 3);
	assert_int_equal(screen(&b, "R-KEY-GROWTH", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD401", "drug", 1, 100, 3);
	assert_int_equal(screen(&b, "R-KEY-TOP", NULL), 1); /* the only user is in the top 5 */
	yj_buf_free(&b);
}

/* 拆分项目: two parts of one set on one day (the boundary, min_parts=2); parts of two different
 * sets, or on two days, are not. The dearest line is kept. */
static void test_split_billing(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS511", "service", 1, 25, -1); /* the panel alone */
	OUT(&b, "C1", 2, "P1", "2024-01-05", "XS502", "service", 1, 900, -1); /* a part of another set */
	OUT(&b, "C2", 1, "P1", "2024-01-06", "XS512", "service", 1, 5, -1);  /* a CBC part, another day */
	assert_int_equal(screen(&b, "R-SPLIT-01", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS512", "service", 1, 5, -1);
	OUT(&b, "C1", 2, "P1", "2024-01-05", "XS513", "service", 1, 6, -1);
	OUT(&b, "C2", 1, "P1", "2024-01-05", "XS514", "service", 1, 7, -1); /* another claim, same day */
	int flags;
	assert_int_equal(screen(&b, "R-SPLIT-01", &flags), 3);
	assert_int_equal(flags, 1);
	assert_int_equal(last_amount, 1100); /* 7.00 kept */
	/* PTCA billed beside its own stent placement */
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-02", "XS602", 1, 3000);
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-05", "2024-01-02", "XS601", 1, 2000);
	assert_int_equal(screen(&b, "R-SPLIT-01", NULL), 2);
	assert_int_equal(last_amount, 200000);
	yj_buf_free(&b);
}

/* 高值耗材: a stent with its procedure in the claim is fine; without it, or with it only in
 * another claim, it is flagged; an alternative procedure of the list (XS604 for a stapler) counts. */
static void test_consumable_procedure(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-02", "XS602", 1, 3000);
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-05", "2024-01-02", "XM601", 1, 8000);
	INP(&b, "C2", 1, "P2", "2024-01-01", "2024-01-05", "2024-01-02", "XS604", 1, 3000);
	INP(&b, "C2", 2, "P2", "2024-01-01", "2024-01-05", "2024-01-02", "XM603", 1, 2000);
	assert_int_equal(screen(&b, "R-HVC-01", NULL), 0);
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-05", "2024-01-02", "XM601", 1, 8000);
	INP(&b, "C1", 2, "P1", "2024-01-01", "2024-01-05", "2024-01-02", "XM604", 1, 1000);
	INP(&b, "C2", 1, "P1", "2024-01-06", "2024-01-08", "2024-01-06", "XS602", 1, 3000);
	int flags;
	assert_int_equal(screen(&b, "R-HVC-01", &flags), 2);
	assert_int_equal(flags, 1);
	assert_int_equal(last_amount, 900000);
	yj_buf_free(&b);
}

/* 分解处方: 500.00 + 500.00 is exactly the limit (not flagged); 500.00 + 500.01 is; one claim over
 * the limit is big_prescription's, not this rule's; another day or institution is not. */
static void test_rx_split(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 1, 500.00, 3);
	OUT(&b, "C2", 1, "P1", "2024-01-05", "XD002", "drug", 1, 500.00, 3);
	assert_int_equal(screen(&b, "R-RXSPLIT-01", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 1, 500.00, 3);
	OUT(&b, "C1", 2, "P1", "2024-01-05", "XS001", "service", 1, 80.00, -1);
	OUT(&b, "C2", 1, "P1", "2024-01-05", "XD002", "drug", 1, 500.01, 3);
	int flags;
	assert_int_equal(screen(&b, "R-RXSPLIT-01", &flags), 2);
	assert_int_equal(flags, 1);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 1, 1000.01, 3);
	OUT(&b, "C2", 1, "P1", "2024-01-05", "XD002", "drug", 1, 10.00, 3);
	assert_int_equal(screen(&b, "R-RXSPLIT-01", NULL), 0);
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XD001", "drug", 1, 600.00, 3);
	OUT(&b, "C2", 1, "P1", "2024-01-06", "XD002", "drug", 1, 600.00, 3);
	line(&b, "C3", 1, "P1", 'M', "1980-05-05", "I2", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XD002", "drug", 1, 600, 3);
	assert_int_equal(screen(&b, "R-RXSPLIT-01", NULL), 0);
	yj_buf_free(&b);
}

/* 体检名义住院: 2–4 days with examinations, bed and nursing only; a treatment, a 5-day or 1-day
 * stay, or no examination at all is not flagged. */
static void test_checkup_admission(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	static const char *const stays[][2] = {{"2024-01-01", "2024-01-03"}, {"2024-01-01", "2024-01-05"}};
	for (int k = 0; k < 2; k++) { /* 2 and 4 days: the boundaries */
		INP(&b, "C1", 1, "P1", stays[k][0], stays[k][1], "2024-01-01", "XB001", 1, 50);
		INP(&b, "C1", 2, "P1", stays[k][0], stays[k][1], "2024-01-01", "XS701", 1, 30);
		INP(&b, "C1", 3, "P1", stays[k][0], stays[k][1], "2024-01-02", "XS703", 1, 120);
		INP(&b, "C1", 4, "P1", stays[k][0], stays[k][1], "2024-01-02", "XN002", 1, 25);
		int flags;
		assert_int_equal(screen(&b, "R-CHECKUP-01", &flags), 4);
		assert_int_equal(flags, 1);
	}
	INP(&b, "C1", 1, "P1", "2024-01-01", "2024-01-06", "2024-01-01", "XS701", 1, 30); /* 5 days */
	INP(&b, "C2", 1, "P2", "2024-01-01", "2024-01-02", "2024-01-01", "XS701", 1, 30); /* 1 day */
	INP(&b, "C3", 1, "P3", "2024-01-01", "2024-01-03", "2024-01-01", "XS701", 1, 30);
	INP(&b, "C3", 2, "P3", "2024-01-01", "2024-01-03", "2024-01-01", "XD001", 1, 15); /* treated */
	INP(&b, "C4", 1, "P4", "2024-01-01", "2024-01-03", "2024-01-01", "XB001", 1, 50); /* no examination */
	assert_int_equal(screen(&b, "R-CHECKUP-01", NULL), 0);
	yj_buf_free(&b);
}

/* 冒用社保卡 betrayed by items: a man's card billed for a breast ultrasound, an adult's for a
 * children's granule (13 is still a child: the boundary); the holder's own items are not. */
static void test_card_identity(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	line(&b, "C1", 1, "P1", 'F', "1980-05-05", "I1", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XS801", "service", 1, 120, -1);
	line(&b, "C2", 1, "P2", 'M', "2010-01-05", "I1", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XD801", "drug", 1, 20, 3); /* 14 */
	line(&b, "C3", 1, "P3", 'M', "2010-01-06", "I1", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XD801", "drug", 1, 20, 3); /* 13 */
	line(&b, "C4", 1, "P4", 'M', "2006-01-05", "I1", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XD802", "drug", 1, 20, 3); /* 18 */
	int flags;
	assert_int_equal(screen(&b, "R-CARDID-01", &flags), 1); /* P2 only */
	OUT(&b, "C1", 1, "P1", "2024-01-05", "XS801", "service", 1, 120, -1); /* a man's card, twice */
	OUT(&b, "C2", 1, "P1", "2024-01-09", "XS802", "service", 1, 30, -1);
	line(&b, "C3", 1, "P5", 'M', "2016-01-05", "I1", "D1", "03", 'O', "", "", "2024-01-05", "J06.9", "XD802", "drug", 1, 20, 3); /* 8 */
	assert_int_equal(screen(&b, "R-CARDID-01", &flags), 3);
	assert_int_equal(flags, 2); /* one per card */
	yj_buf_free(&b);
}

/* 同卡当月多机构: 5 institutions in January is the threshold; 4, or 5 spread over two months, are not.
 * The rows are each institution's first line. */
static void test_card_insts(void **s)
{
	(void)s;
	yj_buf b = YJ_BUF_INIT;
	const char *insts[] = {"I1", "I2", "I3", "I4", "I5"};
	for (int pass = 0; pass < 3; pass++) {
		for (int k = 0; k < (pass == 0 ? 4 : 5); k++) {
			char cl[16], day[16];
			snprintf(cl, sizeof cl, "C%d", k);
			snprintf(day, sizeof day, pass == 2 && k == 4 ? "2024-02-%02d" : "2024-01-%02d", 3 + 5 * k);
			line(&b, cl, 1, "P1", 'M', "1980-05-05", insts[k], "D1", "03", 'O', "", "", day, "J06.9", "XS001", "service", 1, 10, -1);
			line(&b, cl, 2, "P1", 'M', "1980-05-05", insts[k], "D1", "03", 'O', "", "", day, "XS002", "XS002", "service", 1, 10, -1);
		}
		int flags;
		assert_int_equal(screen(&b, "R-CARDINST-01", &flags), pass == 1 ? 5 : 0);
		if (pass == 1)
			assert_int_equal(flags, 1);
	}
	yj_buf_free(&b);
}

/* A list is read through its code index when the data has fewer items than the list (a real-time
 * check against a province's catalogue) and scanned otherwise; both find, of several entries of one
 * code, the last that reads (here 150.00: the later "n/a" is no price). Screened once with one
 * item (index) and once with 60 distinct items (scan) against a 40-item list. */
static void test_list_index(void **s)
{
	(void)s;
	char dir[] = "/tmp/yj-lix-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *lp = yj_asprintf("%s/item_lists.csv", dir), *rp = yj_asprintf("%s/rules.csv", dir);
	FILE *f = fopen(lp, "w");
	fputs("list_id,item_code,item_name,value,note\nprice_caps,XS201,CT,150.00,\n", f);
	for (int i = 0; i < 38; i++)
		fprintf(f, "price_caps,XF%03d,filler,9.00,\n", i);
	fputs("price_caps,XS201,CT,n/a,\n", f);
	fclose(f);
	f = fopen(rp, "w");
	fputs("rule_id,name,type,result_type,enabled,scene,window,list,params,basis,message\n"
	      "R-PRICE-01,超标准收费,price_cap,definite,1,OEI,line,price_caps,,b,{item}\n", f);
	fclose(f);
	char *err = NULL;
	yj_rules *mine = yj_rules_load(dir, &err), *saved = rules;
	assert_non_null(mine);
	assert_non_null(mine->lists[0].ix_slot);
	assert_int_equal(yj_list_last(&mine->lists[0], "XS201", 5), 39);
	assert_int_equal(yj_list_last(&mine->lists[0], "XS20", 4), -1);
	rules = mine;
	yj_buf b = YJ_BUF_INIT;
	for (int many = 0; many < 2; many++) {
		OUT(&b, "C1", 1, "P1", "2024-01-05", "XS201", "service", 1, 150.00, -1);
		for (int i = 0; many && i < 59; i++) {
			char code[16];
			snprintf(code, sizeof code, "XO%03d", i);
			OUT(&b, "C1", 2 + i, "P1", "2024-01-05", code, "service", 1, 10, -1);
		}
		assert_int_equal(screen(&b, "R-PRICE-01", NULL), 0);
		OUT(&b, "C1", 1, "P1", "2024-01-05", "XS201", "service", 1, 150.01, -1);
		for (int i = 0; many && i < 59; i++) {
			char code[16];
			snprintf(code, sizeof code, "XO%03d", i);
			OUT(&b, "C1", 2 + i, "P1", "2024-01-05", code, "service", 1, 10, -1);
		}
		assert_int_equal(screen(&b, "R-PRICE-01", NULL), 1);
	}
	rules = saved;
	yj_rules_free(mine);
	yj_buf_free(&b);
	unlink(lp);
	unlink(rp);
	rmdir(dir);
	free(lp);
	free(rp);
}

static void test_rules_errors(void **s)
{
	(void)s;
	char dir[] = "/tmp/yj-rules-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *lp = yj_asprintf("%s/item_lists.csv", dir), *rp = yj_asprintf("%s/rules.csv", dir);
	FILE *f = fopen(lp, "w");
	fputs("list_id,item_code,item_name,value,note\nl1,X1,a,1,\n", f);
	fclose(f);
	f = fopen(rp, "w");
	fputs("rule_id,name,type,result_type,enabled,scene,window,list,params,basis,message\n"
	      "R1,n,no_such_type,definite,1,O,line,,,b,m\n", f);
	fclose(f);
	char *err = NULL;
	assert_null(yj_rules_load(dir, &err));
	assert_non_null(strstr(err, "no_such_type"));
	free(err);
	f = fopen(rp, "w");
	fputs("rule_id,name,type,result_type,enabled,scene,window,list,params,basis,message\n"
	      "R1,n,price_cap,definite,1,O,line,missing,,b,m\n", f);
	fclose(f);
	assert_null(yj_rules_load(dir, &err));
	assert_non_null(strstr(err, "missing"));
	free(err);
	remove(lp);
	remove(rp);
	rmdir(dir);
	free(lp);
	free(rp);
}

static int setup(void **s)
{
	(void)s;
	rules = ct_rules();
	/* registry: I1 registers 03 and 50; D1 is a clinical physician at I1 */
	refs.have_registry = refs.have_deaths = 1;
	refs.ninsts = 3;
	refs.insts = yj_calloc(3, sizeof *refs.insts);
	const char *codes[] = {"I1", "I2", "I3"};
	double lon[] = {120.0, 123.0, 123.5};
	for (int i = 0; i < 3; i++) {
		refs.insts[i].code = yj_strdup(codes[i]);
		refs.insts[i].name = yj_strdup(codes[i]);
		refs.insts[i].lat = 30.0;
		refs.insts[i].lon = lon[i];
		refs.insts[i].ndepts = 2;
		refs.insts[i].depts = yj_calloc(2, sizeof(char *));
		refs.insts[i].depts[0] = yj_strdup("03");
		refs.insts[i].depts[1] = yj_strdup("50");
	}
	refs.nphys = 3;
	refs.phys = yj_calloc(3, sizeof *refs.phys);
	for (int i = 0; i < 3; i++) {
		refs.phys[i].id = yj_strdup("D1");
		refs.phys[i].inst = yj_strdup(codes[i]);
		refs.phys[i].category = yj_strdup("临床");
		refs.phys[i].ndepts = 2;
		refs.phys[i].depts = yj_calloc(2, sizeof(char *));
		refs.phys[i].depts[0] = yj_strdup("03");
		refs.phys[i].depts[1] = yj_strdup("04");
	}
	refs.ndead = 1;
	refs.dead = yj_calloc(1, sizeof(char *));
	refs.dead[0] = yj_strdup("PD");
	refs.death_date = yj_calloc(1, sizeof(int32_t));
	refs.death_date[0] = (int32_t)yj_days_from_civil(2024, 1, 10);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	yj_refs_free(&refs);
	yj_rules_free(rules);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sex),	     cmocka_unit_test(test_age),
		cmocka_unit_test(test_price),	     cmocka_unit_test(test_daily_cap),
		cmocka_unit_test(test_exclusive),    cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_days_supply),  cmocka_unit_test(test_readmission),
		cmocka_unit_test(test_idle_bed),     cmocka_unit_test(test_outpatient_in_stay),
		cmocka_unit_test(test_diag_limit),   cmocka_unit_test(test_after_death),
		cmocka_unit_test(test_physician_and_dept), cmocka_unit_test(test_card_misuse),
		cmocka_unit_test(test_big_rx),	     cmocka_unit_test(test_key_drug),
		cmocka_unit_test(test_rules_errors), cmocka_unit_test(test_interim_settlement),
		cmocka_unit_test(test_registry_gap), cmocka_unit_test(test_split_billing),
		cmocka_unit_test(test_consumable_procedure), cmocka_unit_test(test_rx_split),
		cmocka_unit_test(test_checkup_admission), cmocka_unit_test(test_card_identity),
		cmocka_unit_test(test_card_insts), cmocka_unit_test(test_list_index),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
