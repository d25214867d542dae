/* cli.c — option parsing and the setup steps every subcommand shares (database URL, key
 * directory, opening and migrating the store). */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "../base/base.h"
#include "../platform/audit/audit.h"
#include "../platform/pii/pii.h"
#include "../registry/registry.h"
#include "../credit/credit.h"
#include "modules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage_print(const char *usage, const cli_opt *opts, FILE *out)
{
	fprintf(out, "%s\n\nOptions:\n", usage);
	for (const cli_opt *o = opts; o->name; o++) {
		char left[64];
		snprintf(left, sizeof left, o->has_arg ? "%s VALUE" : "%s", o->name);
		fprintf(out, "  --%-18s %s\n", left, o->help);
	}
	fprintf(out, "  --%-18s %s\n", "help", "show this help");
}

int cli_parse(int argc, char **argv, const char *usage, cli_opt *opts, char ***rest, int *nrest, int *exit_code)
{
	static char *positional[64];
	int np = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage_print(usage, opts, stdout);
			*exit_code = 0;
			return -1;
		}
		if (strncmp(a, "--", 2) != 0) {
			if (np < 64)
				positional[np++] = argv[i];
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t nl = eq ? (size_t)(eq - name) : strlen(name);
		cli_opt *o = opts;
		while (o->name && !(strlen(o->name) == nl && strncmp(o->name, name, nl) == 0))
			o++;
		if (!o->name) {
			fprintf(stderr, "yijian: unknown option %s\n\n", a);
			usage_print(usage, opts, stderr);
			*exit_code = 2;
			return -1;
		}
		if (!o->has_arg) {
			o->value = "1";
		} else if (eq) {
			o->value = eq + 1;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			fprintf(stderr, "yijian: option --%s needs a value\n", o->name);
			*exit_code = 2;
			return -1;
		}
	}
	if (rest)
		*rest = positional;
	if (nrest)
		*nrest = np;
	return 0;
}

const char *cli_get(const cli_opt *opts, const char *name)
{
	for (const cli_opt *o = opts; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o->value;
	return NULL;
}

const char *cli_db_url(const cli_opt *opts)
{
	const char *v = cli_get(opts, "db");
	if (!v)
		v = getenv("YIJIAN_DB");
	return v && *v ? v : "sqlite:yijian.db";
}

char *cli_keys_dir(const cli_opt *opts, const char *db_url)
{
	const char *v = cli_get(opts, "keys");
	if (!v)
		v = getenv("YIJIAN_KEYS");
	if (v && *v)
		return yj_strdup(v);
	if (strncmp(db_url, "sqlite:", 7) == 0)
		return yj_asprintf("%s.keys", db_url + 7);
	return yj_strdup("yijian-keys");
}

store *cli_open_store(const char *url, int migrate)
{
	char *err = NULL;
	store *s = store_open(url, &err);
	if (!s) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		return NULL;
	}
	if (migrate && yj_migrate(s, &err) < 0) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		store_close(s);
		return NULL;
	}
	return s;
}

char *cli_read_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

void cli_sign_heads(store *s)
{
	if (yj_audit_public_key_hex() && yj_audit_sign_pending(s, NULL) < 0)
		fprintf(stderr, "yijian: warning: the audit tree head could not be signed now; the next `yijian serve` signs it\n");
}

int cli_load_keys(const char *dir, char **err)
{
	if (yj_audit_keys_load(dir, err) < 0 || yj_licence_keys_load(dir, err) < 0)
		return YJ_ERR;
	if (yj_credit_keys_load(dir, err) < 0)
		return YJ_ERR;
	return yj_pii_keys_load(dir, err);
}
