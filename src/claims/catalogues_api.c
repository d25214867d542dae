/* catalogues_api.c — GET /api/v1/claims/catalogues: the catalogue versions `yijian rules import` wrote
 * to the rule base's catalogues.csv (newest first, each marked in force when a list serve loaded carries
 * it) and the rule-set version serve screens with (the SHA-256 every run records). */
#define _POSIX_C_SOURCE 200809L
#include "check_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READERS (ROLE_INSURANCE_ANALYST | ROLE_ADMIN | ROLE_LEADER | ROLE_LIAISON)

/* Whether a list of the loaded rule base was filled by version v: a later import of the same lists
 * replaces them, so only the newest version of each list is in force. */
static int in_force(const yj_rules *rs, const char *v)
{
	for (int j = 0; j < rs->nlists; j++)
		if (rs->lists[j].version && strcmp(rs->lists[j].version, v) == 0)
			return 1;
	return 0;
}

/* The rows of DIR/catalogues.csv as JSON objects, newest first; an absent file is no import yet. */
static int read_versions(const char *dir, const yj_rules *rs, json_t *items)
{
	char *path = yj_asprintf("%s/catalogues.csv", dir);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f)
		return errno == ENOENT ? YJ_OK : YJ_ERR;
	yj_buf b = YJ_BUF_INIT;
	char tmp[16384];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		yj_buf_append(&b, tmp, k);
	int rc = ferror(f) ? YJ_ERR : YJ_OK;
	fclose(f);
	yj_csv r;
	yj_csv_init(&r, b.data ? b.data : "", b.len);
	/* columns by name (catalog.c writes kind,version,file,sha256,rows,lists,imported_on) */
	static const char *const names[] = {"kind", "version", "file", "sha256", "rows", "lists", "imported_on"};
	int col[7] = {-1, -1, -1, -1, -1, -1, -1};
	if (rc == YJ_OK && yj_csv_next(&r) == 1)
		for (int i = 0; i < r.nf && i < r.cap; i++)
			for (int c = 0; c < 7; c++)
				if (r.f[i].n == strlen(names[c]) && memcmp(r.f[i].p, names[c], r.f[i].n) == 0)
					col[c] = i;
	while (rc == YJ_OK && yj_csv_next(&r) == 1) {
		if (r.err)
			continue;
		char *v[7];
		for (int c = 0; c < 7; c++)
			v[c] = col[c] < 0 ? yj_strdup("") : yj_csv_dup(&r, col[c]);
		json_t *lists = json_array();
		for (char *s = v[5], *bar; *s; s = bar + 1) {
			bar = strchr(s, '|');
			json_array_append_new(lists, json_stringn(s, bar ? (size_t)(bar - s) : strlen(s)));
			if (!bar)
				break;
		}
		json_array_insert_new(items, 0, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:b}", "kind", v[0], "version", v[1],
							   "file", v[2], "sha256", v[3], "rows", (json_int_t)atoll(v[4]),
							   "lists", lists, "imported_on", v[6], "in_force", in_force(rs, v[1])));
		for (int c = 0; c < 7; c++)
			free(v[c]);
	}
	yj_csv_free(&r);
	yj_buf_free(&b);
	return rc;
}

static int catalogues_list(yj_req *r)
{
	const yj_rules *rs = ck_rules_all();
	/* Without a rule base there is nothing in force: an empty answer the console can show, not a
	 * server error (the fuzzer holds every route to "never a 5xx" on a server started without one). */
	if (!rs)
		return yj_reply_json(r, 200, json_pack("{s:n, s:[], s:s}", "rule_set", "items", "note",
							"服务启动时未加载规则库（yijian serve --rules 目录），暂无生效目录。"));
	json_t *items = json_array();
	if (read_versions(ck_rules_dir(), rs, items) < 0) {
		json_decref(items);
		return yj_reply_problem(r, 500, "catalogues-unreadable", "无法读取目录版本",
					"规则库目录中的 catalogues.csv 无法读取，请管理员检查该文件及其权限。");
	}
	int enabled = 0;
	for (int i = 0; i < rs->n; i++)
		enabled += rs->r[i].enabled != 0;
	json_t *ruleset = json_pack("{s:s, s:i, s:i, s:i}", "sha256", ck_rules_sha(), "rules", rs->n, "enabled", enabled,
				    "lists", rs->nlists);
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "rule_set", ruleset, "items", items));
}

const yj_route yj_claims_catalogue_routes[] = {
	{"GET", "/api/v1/claims/catalogues", catalogues_list, READERS, NULL, NULL, "claims",
	 "The catalogue versions imported by `yijian rules import` (kind, version, file, rows, lists, imported_on, "
	 "in_force), newest first, and the rule-set version serve screens with",
	 "{rule_set: {sha256, rules, enabled, lists}, items: [{kind, version, in_force, …}]} (rule_set null and a note "
	 "when serve runs without --rules)", 200},
	{0},
};
