/* test_claims_generated.c — 20,000 generated lines with violations injected at 5%: the flags of
 * every labelled rule equal the labels exactly (precision and recall 1.0; the generator builds its
 * clean data so that it holds no coincidental violation, which this also checks); the ranking rule
 * (top_n) is not labelled. Also: the same seed gives the same files, and the flags do not depend on
 * the number of threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "claims_test.h"

typedef struct key {
	char s[64];
} key;

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const key *)a)->s, ((const key *)b)->s);
}

/* Reads rule_id,claim_id,line_no triples of a CSV with those columns among others. */
static key *read_keys(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char buf[4096];
	int ci[3] = {-1, -1, -1};
	key *v = NULL;
	*n = 0;
	size_t cap = 0;
	int first = 1;
	while (fgets(buf, sizeof buf, f)) {
		buf[strcspn(buf, "\r\n")] = 0;
		char *fld[32];
		int nf = 0;
		for (char *p = buf, *q; nf < 32; p = q + 1) { /* ids hold no commas or quotes here */
			fld[nf++] = p;
			if (!(q = strchr(p, ',')))
				break;
			*q = 0;
		}
		if (first) {
			static const char *names[3] = {"rule_id", "claim_id", "line_no"};
			for (int i = 0; i < nf; i++)
				for (int k = 0; k < 3; k++)
					if (strcmp(fld[i], names[k]) == 0)
						ci[k] = i;
			first = 0;
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = yj_realloc(v, sizeof *v * cap);
		}
		snprintf(v[*n].s, sizeof v[*n].s, "%s|%s|%s", fld[ci[0]], fld[ci[1]], fld[ci[2]]);
		(*n)++;
	}
	fclose(f);
	qsort(v, *n, sizeof *v, key_cmp);
	return v;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	yj_buf b = YJ_BUF_INIT;
	char tmp[65536];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		yj_buf_append(&b, tmp, k);
	fclose(f);
	*n = b.len;
	return yj_buf_detach(&b);
}

static void test_generated(void **s)
{
	(void)s;
	char dir[] = "/tmp/yj-gen-XXXXXX";
	assert_non_null(mkdtemp(dir));
	yj_rules *rs = ct_rules();
	char *out = yj_asprintf("%s/claims.csv", dir), *labels = yj_asprintf("%s/labels.csv", dir),
	     *reg = yj_asprintf("%s/registry", dir), *deaths = yj_asprintf("%s/deaths.csv", dir),
	     *out2 = yj_asprintf("%s/claims2.csv", dir), *labels2 = yj_asprintf("%s/labels2.csv", dir),
	     *flags = yj_asprintf("%s/flags.csv", dir);
	yj_gen_opts o = {.rows = 20000, .seed = 11, .violations = 0.05, .out = out, .labels = labels,
			 .registry_dir = reg, .deaths = deaths, .realistic = 1};
	yj_gen_stats st;
	char *err = NULL;
	assert_int_equal(yj_gen_claims(&o, rs, &st, &err), 0);
	assert_int_equal(st.rows, 20000);
	/* every enabled rule but the ranking one got injections */
	for (int i = 0; i < rs->n; i++)
		if (yj_rule_num(&rs->r[i], "top_n", 0) == 0 && st.per_rule[i] == 0)
			fail_msg("no injection for %s", rs->r[i].id);

	/* determinism */
	yj_gen_opts o2 = o;
	o2.out = out2;
	o2.labels = labels2;
	yj_gen_stats st2;
	assert_int_equal(yj_gen_claims(&o2, rs, &st2, &err), 0);
	size_t n1, n2;
	char *a = slurp(out, &n1), *b = slurp(out2, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	free(a);
	free(b);

	yj_refs refs = {0};
	assert_int_equal(yj_refs_load_registry(&refs, reg, &err), 0);
	assert_int_equal(yj_refs_load_deaths(&refs, deaths, &err), 0);
	yj_claims *c;
	yj_load_report rep;
	assert_int_equal(yj_claims_load_file(out, NULL, &c, &rep, &err), 0);
	assert_int_equal(rep.bad_rows, 0);
	/* the realistic cases: refunds netted or reported, stays in two claims, a registry gap */
	fprintf(stderr, "realistic: %lld refunds (%lld without an original), %lld stays in two claims, %lld claims of an "
			"unregistered institution\n", (long long)st.refunds, (long long)st.orphan_refunds,
		(long long)st.interim_stays, (long long)st.gap_claims);
	assert_true(st.refunds > 20 && st.orphan_refunds > 0 && st.interim_stays > 10 && st.gap_claims > 5);
	assert_int_equal(rep.refunds, st.refunds);
	assert_int_equal(rep.refunds_orphan, st.orphan_refunds);
	assert_int_equal(rep.refunds_netted, st.refunds - st.orphan_refunds);
	yj_screen_result r1, r2;
	yj_screen(c, rs, &refs, 1, &r1);
	yj_screen(c, rs, &refs, 2, &r2);
	assert_int_equal(r1.n, r2.n);
	assert_memory_equal(r1.f, r2.f, sizeof *r1.f * r1.n);
	assert_int_equal(r1.ngaps, 1);
	assert_int_equal(r1.gap_lines[0], st.gap_lines);
	FILE *f = fopen(flags, "w");
	assert_int_equal(yj_flags_write_csv(f, c, rs, &r1), 0);
	fclose(f);

	/* flags of labelled rules == labels */
	size_t nl, nf;
	key *lk = read_keys(labels, &nl), *fk = read_keys(flags, &nf);
	size_t i = 0, j = 0, tp = 0, fp = 0, fn = 0;
	while (i < nl || j < nf) {
		int cmp = i == nl ? 1 : j == nf ? -1 : strcmp(lk[i].s, fk[j].s);
		if (cmp == 0) {
			tp++, i++, j++;
			continue;
		}
		const char *k = cmp < 0 ? lk[i].s : fk[j].s;
		char id[64];
		snprintf(id, sizeof id, "%.*s", (int)strcspn(k, "|"), k);
		const yj_rule *r = yj_rules_find(rs, id);
		assert_non_null(r);
		if (yj_rule_num(r, "top_n", 0) == 0) {
			fprintf(stderr, "%s: %s\n", cmp < 0 ? "missed" : "unlabelled flag", k);
			if (cmp < 0)
				fn++;
			else
				fp++;
		}
		if (cmp < 0)
			i++;
		else
			j++;
	}
	fprintf(stderr, "labels %zu, flags %zu, matched %zu, missed %zu, unlabelled %zu\n", nl, nf, tp, fn, fp);
	assert_true(tp > 400);
	assert_int_equal(fn, 0);
	assert_int_equal(fp, 0);

	free(lk);
	free(fk);
	yj_screen_result_free(&r1);
	yj_screen_result_free(&r2);
	yj_claims_free(c);
	yj_load_report_free(&rep);
	yj_refs_free(&refs);
	yj_rules_free(rs);
	char *cmd = yj_asprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(out);
	free(labels);
	free(reg);
	free(deaths);
	free(out2);
	free(labels2);
	free(flags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_generated)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
