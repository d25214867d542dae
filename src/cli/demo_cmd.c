/* demo_cmd.c — `yijian demo`: builds (or tops up) the demo region 温州市 in a database and prints
 * what it holds and the demo accounts. The work is in src/gen/demo.c. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "../base/base.h"
#include "../gen/demo.h"
#include "modules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "Usage: yijian demo --db URL [--seed N] [--scale X] [--password P] [--quiet]"

int cmd_demo(int argc, char **argv)
{
	cli_opt o[] = {
		{"db", 1, "database URL (created and migrated when new)", NULL},
		{"keys", 1, "directory of the audit and personal-data keys (created when missing)", NULL},
		{"seed", 1, "seed of the region, a whole number (default 1): same seed, same region", NULL},
		{"scale", 1, "size, 0.01–10 (default 1: about 2,000 institutions, 20,000 practitioners)", NULL},
		{"password", 1, "password of the demo accounts (default demo-2026)", NULL},
		{"quiet", 0, "no progress lines on stderr", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc, argv, USAGE, o, NULL, NULL, &code) < 0)
		return code;
	yj_demo_opts opts = {1, 1.0, "cli:demo", "demo-2026", !cli_get(o, "quiet")};
	const char *v;
	if ((v = cli_get(o, "seed"))) {
		char *end;
		errno = 0;
		opts.seed = strtoull(v, &end, 10);
		if (!*v || *end || errno || *v == '-') {
			fprintf(stderr, "yijian demo: --seed 应为非负整数，例如 --seed 1\n");
			return 2;
		}
	}
	if ((v = cli_get(o, "scale"))) {
		char *end;
		opts.scale = strtod(v, &end);
		if (!*v || *end || !(opts.scale >= 0.01 && opts.scale <= 10)) {
			fprintf(stderr, "yijian demo: --scale 应为 0.01 到 10 之间的数，例如 --scale 0.1\n");
			return 2;
		}
	}
	if ((v = cli_get(o, "password")))
		opts.password = v;

	const char *url = cli_db_url(o);
	store *s = cli_open_store(url, 1);
	if (!s)
		return 1;
	char *keys = cli_keys_dir(o, url), *err = NULL;
	if (cli_load_keys(keys, &err) < 0) {
		fprintf(stderr, "yijian demo: %s\n", err);
		free(err);
		free(keys);
		store_close(s);
		return 1;
	}
	yj_demo_stats st;
	int rc = yj_demo_build(s, &opts, &st, &err);
	if (rc < 0) {
		fprintf(stderr, "yijian demo: %s\n", err);
		free(err);
		free(keys);
		store_close(s);
		return 1;
	}
	yj_demo_insp_stats is;
	size_t ntables;
	const yj_route *const *tables = yj_all_routes(&ntables);
	if (yj_demo_inspection(s, keys, (const struct yj_route *const *)tables, ntables, opts.password, &is, &err) < 0) {
		fprintf(stderr, "yijian demo: %s\n", err ? err : "double random demo failed");
		free(err);
		free(keys);
		store_close(s);
		return 1;
	}
	/* Claims to review (医保智能监控): the rule base of the working directory, as `yijian screen`. */
	yj_demo_claims_stats cs;
	if (yj_demo_claims(s, "rules", &cs, &err) < 0) {
		fprintf(stderr, "yijian demo: %s\n", err ? err : "claims demo failed");
		free(err);
		free(keys);
		store_close(s);
		return 1;
	}
	printf("demo region 温州市 (330300), seed %llu, scale %g, in %.1f s (%s)\n", (unsigned long long)opts.seed,
	       opts.scale, st.total_seconds, store_engine(s));
	printf("  %d counties, %d towns and streets, %d grids (%d new)\n", st.counties, st.towns, st.grids, st.grids_new);
	printf("  institutions:  %6d planned, %6d written, %6d already present, %d refused as duplicates (%.1f s)\n",
	       st.institutions, st.institutions_new, st.institutions - st.institutions_new - st.institutions_clash,
	       st.institutions_clash, st.inst_seconds);
	printf("  practitioners: %6d planned, %6d written, %6d already present, %d refused as duplicates (%.1f s)\n",
	       st.practitioners, st.practitioners_new,
	       st.practitioners - st.practitioners_new - st.practitioners_clash, st.practitioners_clash,
	       st.prac_seconds);
	printf("    physicians %d, nurses %d, pharmacists %d, technicians %d\n", st.physicians, st.nurses,
	       st.pharmacists, st.technicians);
	printf("  practice filings (多机构执业备案): %d planned, %d written\n", st.filings, st.filings_new);
	printf("  electronic licences (电子证照): %d planned, %d issued, %d already present (%.1f s)\n", st.licences,
	       st.licences_new, st.licences - st.licences_new - st.licences_clash, st.licence_seconds);
	if (is.present)
		printf("  double random (双随机): the demo plan is there already\n");
	else
		printf("  double random (双随机): %d inspectors in the directory, %d plans, %d tasks (%d completed), %d rectification"
		       " orders (%d overdue), %d published\n", is.inspectors, is.plans, is.tasks, is.completed, is.rectifications,
		       is.overdue, is.published);
	if (cs.present)
		printf("  claims (医保智能监控): a screening run is there already\n");
	else
		printf("  claims (医保智能监控): %lld claim lines screened, %lld flags to review (%.2f yuan at stake)\n",
		       (long long)cs.lines, (long long)cs.flags, (double)cs.amount_fen / 100);
	printf("  accounts: %d (%d new); password of new accounts: %s\n\n", st.users, st.users_new, opts.password);
	printf("  %-12s %-16s %-10s %s\n", "user", "role", "territory", "department");
	for (size_t i = 0; i < yj_demo_naccounts; i++) {
		const yj_demo_account *a = &yj_demo_accounts[i];
		printf("  %-12s %-16s %s %s  %s\n", a->username, a->role, a->region_zh, a->region_code, a->department_zh);
	}
	printf("\n  keys: %s/ (the server needs the same directory: --keys)\n", keys);
	free(keys);
	cli_sign_heads(s);
	store_close(s);
	return 0;
}
