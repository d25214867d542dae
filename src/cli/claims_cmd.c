/* claims_cmd.c — `yijian screen` (run the rule base over a claims file) and `yijian gen claims`
 * (labelled synthetic claims). The engine is src/claims; this file is options and reporting. */
#include "cli.h"
#include "../base/base.h"
#include "../claims/claims.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static long peak_rss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

/* User plus system time of this process, to tell own cost from waiting on a busy machine or server. */
static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* --db: stores the run and its flags for review (src/claims/review.c). Errors are printed here. */
static int persist(const cli_opt *opts, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res,
		   yj_review_opts *ro)
{
	const char *url = cli_db_url(opts);
	char *keys = cli_keys_dir(opts, url), *err = NULL;
	const char *user = getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("USER");
	char *actor = yj_asprintf("cli:%s", user ? user : "unknown");
	ro->actor = actor;
	store *s = NULL;
	int rc = YJ_ERR;
	if (cli_load_keys(keys, &err) < 0)
		goto done;
	if (!(s = cli_open_store(url, 1)))
		goto done;
	yj_review_stats st;
	double cpu0 = cpu_seconds();
	if (yj_review_persist(s, c, rs, res, ro, &st, &err) < 0)
		goto done;
	fprintf(stderr, "stored run %lld (region %s) in %s: %lld flag records (%lld with the registry's region), "
			"%lld.%02lld yuan at stake, in %.3f s (%.3f s CPU): %.0f records/s in %lld transactions\n",
		(long long)st.run_id, st.region_code, store_engine(s), (long long)st.records, (long long)st.in_registry,
		(long long)(st.amount_fen / 100), (long long)(st.amount_fen % 100), st.seconds, cpu_seconds() - cpu0,
		st.seconds > 0 ? (double)st.records / st.seconds : 0.0, (long long)st.transactions);
	rc = YJ_OK;
done:
	if (err)
		fprintf(stderr, "yijian screen: %s\n", err);
	free(err);
	free(keys);
	free(actor);
	cli_sign_heads(s);
	store_close(s);
	return rc;
}

int cmd_screen(int argc, char **argv)
{
	cli_opt opts[] = {
		{"claims", 1, "claims CSV file (one row per claim line)", NULL},
		{"rules", 1, "rule base directory (rules.csv, item_lists.csv); default rules", NULL},
		{"out", 1, "FLAGS.csv to write (one row per flagged line); - for stdout", NULL},
		{"registry", 1, "registry directory (institutions.csv, physicians.csv)", NULL},
		{"deaths", 1, "death register CSV (patient_id, death_date)", NULL},
		{"threads", 1, "threads for loading and rules (default: one per CPU)", NULL},
		{"max-bad", 1, "refuse the file when more than this share of rows is malformed (default 0.01)", NULL},
		{"top", 1, "institutions and physicians listed in the summary (default 10)", NULL},
		{"json", 0, "print the summary as JSON on stdout", NULL},
		{"db", 1, "also store the run and its flags for review in this database (sqlite:PATH or postgresql://…)", NULL},
		{"keys", 1, "key directory of that database (audit signing, patient-id encryption)", NULL},
		{"region", 1, "with --db: the run's territory (default: the smallest region holding the file's registered institutions)", NULL},
		{"batch", 1, "with --db: flag records per transaction (default 2000)", NULL},
		{"per-insert", 1, "with --db: flag records per INSERT statement (default: 1 on SQLite, 100 on PostgreSQL)", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc, argv,
		      "Usage: yijian screen --claims FILE --rules DIR --out FLAGS.csv [--registry DIR] [--deaths FILE] "
		      "[--threads N] [--json] [--db URL [--keys DIR] [--region CODE]]",
		      opts, NULL, NULL, &code) < 0)
		return code;
	const char *claims = cli_get(opts, "claims"), *out = cli_get(opts, "out");
	const char *rules_dir = cli_get(opts, "rules") ? cli_get(opts, "rules") : "rules";
	if (!claims || !out) {
		fprintf(stderr, "yijian screen: --claims and --out are required (see --help)\n");
		return 2;
	}
	int threads = cli_get(opts, "threads") ? atoi(cli_get(opts, "threads")) : 0;
	int top = cli_get(opts, "top") ? atoi(cli_get(opts, "top")) : 10;
	int json = cli_get(opts, "json") != NULL;
	char *err = NULL;
	int rc = 1;
	yj_refs refs = {0};
	yj_claims *c = NULL;
	yj_load_report rep = {0};
	yj_screen_result res = {0};
	FILE *f = NULL;
	yj_rules *rs = yj_rules_load(rules_dir, &err);
	if (!rs)
		goto fail;
	if (cli_get(opts, "registry") && yj_refs_load_registry(&refs, cli_get(opts, "registry"), &err) < 0)
		goto fail;
	if (cli_get(opts, "deaths") && yj_refs_load_deaths(&refs, cli_get(opts, "deaths"), &err) < 0)
		goto fail;

	yj_load_opts lo = {.threads = threads, .progress = 1};
	if (cli_get(opts, "max-bad"))
		lo.max_bad_share = atof(cli_get(opts, "max-bad"));
	int64_t started_at = yj_now_ms();
	uint64_t t0 = yj_mono_ns();
	int lrc = yj_claims_load_file(claims, &lo, &c, &rep, &err);
	for (int i = 0; i < rep.nerrors; i++)
		fprintf(stderr, "%s: row %lld, column %d%s%s: %s\n", claims, (long long)rep.errors[i].row, rep.errors[i].col,
			rep.errors[i].column[0] ? " " : "", rep.errors[i].column, rep.errors[i].reason);
	if (rep.bad_rows > rep.nerrors)
		fprintf(stderr, "%s: … %lld more malformed rows not listed\n", claims, (long long)(rep.bad_rows - rep.nerrors));
	for (int i = 0; i < rep.norphans; i++)
		fprintf(stderr, "%s: row %lld: %s\n", claims, (long long)rep.orphans[i].row, rep.orphans[i].reason);
	if (rep.refunds_orphan > rep.norphans)
		fprintf(stderr, "%s: … %lld more refunds without an original not listed\n", claims,
			(long long)(rep.refunds_orphan - rep.norphans));
	if (rep.refunds)
		fprintf(stderr, "refunds (冲销): %lld lines, %lld netted against their originals (%.2f yuan), %lld without an original "
				"(left out, listed above), %lld original lines refunded in full (left out)\n",
			(long long)rep.refunds, (long long)rep.refunds_netted, (double)rep.refund_fen / 100,
			(long long)rep.refunds_orphan, (long long)rep.lines_cancelled);
	if (lrc < 0)
		goto fail;
	fprintf(stderr, "loaded %zu lines (%lld malformed, skipped) from %.1f MB in %.3f s: %.2f M lines/s, %.0f MB/s\n",
		c->n, (long long)rep.bad_rows, (double)rep.bytes / 1e6, rep.seconds, (double)rep.rows / rep.seconds / 1e6,
		(double)rep.bytes / 1e6 / rep.seconds);
	for (int i = 0; i < rs->n; i++)
		if (rs->r[i].enabled && ((!refs.have_registry && (rs->r[i].type == YJ_RT_PHYSICIAN_SCOPE ||
								    rs->r[i].type == YJ_RT_DEPT_UNREGISTERED ||
								    rs->r[i].type == YJ_RT_CARD_MISUSE)) ||
					 (!refs.have_deaths && rs->r[i].type == YJ_RT_AFTER_DEATH)))
			fprintf(stderr, "rule %s (%s) skipped: needs --%s\n", rs->r[i].id, rs->r[i].type_name,
				rs->r[i].type == YJ_RT_AFTER_DEATH ? "deaths" : "registry");
	fprintf(stderr, "screening with %d rules…\n", rs->n);
	yj_screen(c, rs, &refs, threads, &res);
	fprintf(stderr, "rules: %zu lines in %.3f s: %.2f M lines/s; %d flags on %zu lines\n", c->n, res.seconds,
		(double)c->n / (res.seconds > 0 ? res.seconds : 1e-9) / 1e6, res.nflags, res.n);
	f = strcmp(out, "-") == 0 ? stdout : fopen(out, "w");
	if (!f) {
		err = yj_asprintf("%s: cannot write", out);
		goto fail;
	}
	uint64_t tw = yj_mono_ns();
	if (yj_flags_write_csv(f, c, rs, &res) < 0) {
		err = yj_asprintf("%s: write failed", out);
		goto fail;
	}
	double total = (double)(yj_mono_ns() - t0) / 1e9;
	fprintf(stderr, "wrote %s in %.3f s; end to end %.3f s: %.2f M lines/s; peak RSS %ld MB\n", out,
		(double)(yj_mono_ns() - tw) / 1e9, total, (double)c->n / total / 1e6, peak_rss_mb());
	yj_screen_summary(json ? stdout : stderr, c, rs, &res, top, json);
	if (cli_get(opts, "db")) {
		yj_review_opts ro = {claims, rules_dir, cli_get(opts, "region"), NULL, started_at,
				     cli_get(opts, "batch") ? atoi(cli_get(opts, "batch")) : 0,
				     cli_get(opts, "per-insert") ? atoi(cli_get(opts, "per-insert")) : 0, 1, 0, NULL, NULL, NULL};
		if (persist(opts, c, rs, &res, &ro) < 0)
			goto fail;
	}
	rc = 0;
fail:
	if (err)
		fprintf(stderr, "yijian screen: %s\n", err);
	free(err);
	if (f && f != stdout)
		fclose(f);
	yj_screen_result_free(&res);
	yj_claims_free(c);
	yj_load_report_free(&rep);
	yj_refs_free(&refs);
	yj_rules_free(rs);
	return rc;
}

int cmd_gen(int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "claims") != 0) {
		fprintf(stderr, "Usage: yijian gen claims --rows N --seed S --violations RATE --out FILE --labels LABELS.csv\n");
		return argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) ? 0 : 2;
	}
	cli_opt opts[] = {
		{"rows", 1, "claim lines to write", NULL},
		{"seed", 1, "random seed (same seed, same files)", NULL},
		{"violations", 1, "share of claims carrying an injected violation (e.g. 0.02)", NULL},
		{"out", 1, "claims CSV to write", NULL},
		{"labels", 1, "LABELS.csv to write: rule_id, result_type, claim_id, line_no", NULL},
		{"rules", 1, "rule base whose rules are injected (default rules)", NULL},
		{"registry-out", 1, "registry directory to write (default: OUT without .csv + _registry)", NULL},
		{"deaths-out", 1, "death register to write (default: OUT without .csv + _deaths.csv)", NULL},
		{"realistic", 0, "also write refunds (冲销), stays settled as two claims (中途结算) and an unregistered institution", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc - 1, argv + 1,
		      "Usage: yijian gen claims --rows N --seed S --violations RATE --out FILE --labels LABELS.csv", opts,
		      NULL, NULL, &code) < 0)
		return code;
	const char *out = cli_get(opts, "out"), *labels = cli_get(opts, "labels");
	if (!out || !labels || !cli_get(opts, "rows")) {
		fprintf(stderr, "yijian gen claims: --rows, --out and --labels are required\n");
		return 2;
	}
	char *err = NULL;
	yj_rules *rs = yj_rules_load(cli_get(opts, "rules") ? cli_get(opts, "rules") : "rules", &err);
	if (!rs) {
		fprintf(stderr, "yijian gen claims: %s\n", err);
		free(err);
		return 1;
	}
	size_t ol = strlen(out);
	size_t stem = ol > 4 && strcmp(out + ol - 4, ".csv") == 0 ? ol - 4 : ol;
	char *reg = cli_get(opts, "registry-out") ? yj_strdup(cli_get(opts, "registry-out"))
						  : yj_asprintf("%.*s_registry", (int)stem, out);
	char *deaths = cli_get(opts, "deaths-out") ? yj_strdup(cli_get(opts, "deaths-out"))
						   : yj_asprintf("%.*s_deaths.csv", (int)stem, out);
	yj_gen_opts go = {
		.rows = atoll(cli_get(opts, "rows")),
		.seed = cli_get(opts, "seed") ? strtoull(cli_get(opts, "seed"), NULL, 10) : 1,
		.violations = cli_get(opts, "violations") ? atof(cli_get(opts, "violations")) : 0.02,
		.out = out,
		.labels = labels,
		.registry_dir = reg,
		.deaths = deaths,
		.realistic = cli_get(opts, "realistic") != NULL,
	};
	yj_gen_stats st;
	uint64_t t0 = yj_mono_ns();
	int rc = yj_gen_claims(&go, rs, &st, &err);
	if (rc < 0) {
		fprintf(stderr, "yijian gen claims: %s\n", err);
	} else {
		fprintf(stderr, "wrote %lld lines in %lld claims (%lld with injected violations, %lld labelled lines) to %s in %.2f s\n",
			(long long)st.rows, (long long)st.claims, (long long)st.injected, (long long)st.labels, out,
			(double)(yj_mono_ns() - t0) / 1e9);
		fprintf(stderr, "registry: %s/  deaths: %s  labels: %s\n", reg, deaths, labels);
	}
	free(err);
	free(reg);
	free(deaths);
	yj_rules_free(rs);
	return rc < 0 ? 1 : 0;
}

/* yijian rules import: a province's catalogue into the rule base's item lists (catalog.c). */
int cmd_rules(int argc, char **argv)
{
	static const char *usage = "Usage: yijian rules import --kind drug|price|pairs|sets --file CATALOGUE.csv|.xlsx [--sheet NAME] "
				   "[--columns MAP.csv] [--rules DIR] [--version V]";
	if (argc < 1 || strcmp(argv[0], "import") != 0) {
		fprintf(stderr, "%s\n", usage);
		return argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) ? 0 : 2;
	}
	cli_opt opts[] = {
		{"kind", 1, "drug (药品目录), price (价格目录), pairs (手术-耗材对照), sets (组合项目)", NULL},
		{"file", 1, "the catalogue: an Excel workbook (.xlsx) or CSV in UTF-8, with a header row", NULL},
		{"sheet", 1, "the workbook's sheet to read (default the first)", NULL},
		{"columns", 1, "CSV `their header,our column` naming a province's own column names", NULL},
		{"rules", 1, "rule base directory to update (default rules)", NULL},
		{"version", 1, "version to record (default KIND-YYYYMMDD-<SHA-256 prefix>)", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc - 1, argv + 1, usage, opts, NULL, NULL, &code) < 0)
		return code;
	if (!cli_get(opts, "kind") || !cli_get(opts, "file")) {
		fprintf(stderr, "yijian rules import: --kind and --file are required\n");
		return 2;
	}
	const char *dir = cli_get(opts, "rules") ? cli_get(opts, "rules") : "rules", *file = cli_get(opts, "file");
	yj_catalog_report rep;
	char *err = NULL;
	yj_catalog_opts o = {.kind = cli_get(opts, "kind"), .file = file, .version = cli_get(opts, "version"),
			     .sheet = cli_get(opts, "sheet"), .columns = cli_get(opts, "columns")};
	int rc = yj_catalog_import_opts(dir, &o, &rep, &err);
	for (int i = 0; i < rep.nerrors; i++)
		fprintf(stderr, "%s: row %lld, column %d%s%s: %s\n", file, (long long)rep.errors[i].row, rep.errors[i].col,
			rep.errors[i].column[0] ? " " : "", rep.errors[i].column, rep.errors[i].reason);
	if (rc < 0) {
		fprintf(stderr, "yijian rules import: %s\n", err);
		free(err);
		return 1;
	}
	fprintf(stderr, "imported %lld rows of %s as version %s into %d list(s) of %s:", (long long)rep.rows, file,
		rep.version, rep.nlists, dir);
	for (int k = 0; k < rep.nlists; k++)
		fprintf(stderr, " %s", rep.lists[k]);
	fprintf(stderr, " (%lld list rows; recorded in %s/catalogues.csv)\n", (long long)rep.list_rows, dir);
	return 0;
}
