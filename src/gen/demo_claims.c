/* demo_claims.c — medical-insurance claims in the demo region: a synthetic claims file from the claims
 * generator (with its registry and death register), screened by the rule base and stored for review
 * as `yijian screen --db` would (yj_review_persist: the run, its flags in 温州市 330300, an audit leaf),
 * all in process, so the analyst finds flags waiting on the home page. Runs once: a database that
 * holds a finished run is left as it is. The files go to a temporary directory, removed afterwards. */
#define _POSIX_C_SOURCE 200809L
#include "demo.h"
#include "../base/base.h"
#include "../claims/claims.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Removes dir and the files in it and in its subdirectories (one level: the generator's registry). */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = yj_asprintf("%s/%s", dir, e->d_name);
		if (unlink(p) < 0)
			remove_tree(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int yj_demo_claims(store *s, const char *rules_dir, yj_demo_claims_stats *out, char **err)
{
	memset(out, 0, sizeof *out);
	*err = NULL;
	int64_t runs = 0;
	if (yj_claims_runs_count(store_conn_get(s), &runs) < 0) {
		*err = yj_strdup("demo claims: cannot read the stored runs");
		return -1;
	}
	if (runs) {
		out->present = 1;
		return 0;
	}
	char dir[] = "/tmp/yijian-demo-claims-XXXXXX";
	if (!mkdtemp(dir)) {
		*err = yj_strdup("demo claims: cannot make a temporary directory");
		return -1;
	}
	int rc = -1;
	yj_claims *c = NULL;
	yj_load_report rep = {0};
	yj_screen_result res = {0};
	yj_refs refs = {0};
	char *file = yj_asprintf("%s/claims.csv", dir), *labels = yj_asprintf("%s/labels.csv", dir),
	     *reg = yj_asprintf("%s/registry", dir), *deaths = yj_asprintf("%s/deaths.csv", dir);
	yj_rules *rs = yj_rules_load(rules_dir, err);
	if (!rs)
		goto done;
	/* About a month's claims of a few dozen institutions; 2 % carry a violation of some rule. */
	yj_gen_opts go = {.rows = 20000, .seed = 7, .violations = 0.02, .out = file, .labels = labels,
			  .registry_dir = reg, .deaths = deaths, .realistic = 1};
	yj_gen_stats gs;
	if (yj_gen_claims(&go, rs, &gs, err) < 0)
		goto done;
	yj_load_opts lo = {.threads = 1};
	if (yj_claims_load_file(file, &lo, &c, &rep, err) < 0 || yj_refs_load_registry(&refs, reg, err) < 0 ||
	    yj_refs_load_deaths(&refs, deaths, err) < 0)
		goto done;
	yj_screen(c, rs, &refs, 1, &res);
	yj_review_opts ro = {.claims_path = file, .rules_dir = rules_dir, .region_code = "330300", .actor = "cli:demo",
			     .started_at = yj_now_ms()};
	yj_review_stats st;
	if (yj_review_persist(s, c, rs, &res, &ro, &st, err) < 0)
		goto done;
	out->lines = (int64_t)c->n;
	out->flags = st.records;
	out->amount_fen = st.amount_fen;
	rc = 0;
done:
	if (rc < 0 && *err) {
		char *why = yj_asprintf("demo claims: %s", *err);
		free(*err);
		*err = why;
	} else if (rc < 0) {
		*err = yj_strdup("demo claims: screening failed");
	}
	yj_screen_result_free(&res);
	yj_claims_free(c);
	yj_load_report_free(&rep);
	yj_refs_free(&refs);
	yj_rules_free(rs);
	remove_tree(dir);
	free(file);
	free(labels);
	free(reg);
	free(deaths);
	return rc;
}
