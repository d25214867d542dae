/* admin.c — the administrative subcommands: init, user add / user passwd, token create and
 * backup. Secrets (passwords) are read from standard input, never from the command line. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "../base/base.h"
#include "../platform/audit/audit.h"
#include "../platform/auth/auth.h"
#include "../registry/registry.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_init(int argc, char **argv)
{
	cli_opt o[] = {
		{"db", 1, "database URL: sqlite:PATH (default sqlite:yijian.db) or postgresql://…", NULL},
		{"keys", 1, "directory of the audit signing key (created when missing)", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc, argv, "Usage: yijian init [--db URL] [--keys DIR]", o, NULL, NULL, &code) < 0)
		return code;
	const char *url = cli_db_url(o);
	store *s = cli_open_store(url, 1);
	if (!s)
		return 1;
	char *keys = cli_keys_dir(o, url), *err = NULL;
	int rc = cli_load_keys(keys, &err);
	int64_t v = 0;
	store_schema_version(s, &v);
	if (rc < 0)
		fprintf(stderr, "yijian: %s\n", err);
	else
		printf("database ready: %s, schema version %lld, audit key in %s/\n", store_engine(s), (long long)v, keys);
	free(err);
	free(keys);
	store_close(s);
	return rc < 0 ? 1 : 0;
}

static char *cli_actor(void)
{
	const char *u = getenv("SUDO_USER");
	if (!u)
		u = getenv("USER");
	return yj_asprintf("cli:%s", u ? u : "unknown");
}

/* user add / user passwd need the audit key to sign the log entries they append. */
static store *open_with_keys(const cli_opt *o)
{
	const char *url = cli_db_url(o);
	store *s = cli_open_store(url, 1);
	if (!s)
		return NULL;
	char *keys = cli_keys_dir(o, url), *err = NULL;
	if (cli_load_keys(keys, &err) < 0) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		free(keys);
		store_close(s);
		return NULL;
	}
	free(keys);
	return s;
}

static int user_add(int argc, char **argv)
{
	cli_opt o[] = {
		{"db", 1, "database URL", NULL},
		{"keys", 1, "directory of the audit signing key", NULL},
		{"username", 1, "sign-in name", NULL},
		{"display-name", 1, "name shown in the console (default: the user name)", NULL},
		{"role", 1, "admin | inspector | legal_reviewer | leader | liaison | insurance_analyst | institution | grid_member | reward_officer", NULL},
		{"region", 1, "GB/T 2260 code of the user's territory, e.g. 330302", NULL},
		{"department", 1, "health | insurance | market | environment | police | drug | development | hrss | civil | justice | finance | audit | data | tax | education", NULL},
		{"institution", 1, "role institution: unified social credit code of the institution the user acts for (sees only it)", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc, argv, "Usage: yijian user add --username U --role ROLE --region CODE --department DEPT [--institution CODE] < password", o,
		      NULL, NULL, &code) < 0)
		return code;
	if (!cli_get(o, "username") || !cli_get(o, "role") || !cli_get(o, "region") || !cli_get(o, "department")) {
		fprintf(stderr, "yijian user add: --username, --role, --region and --department are required\n");
		return 2;
	}
	char *pw = cli_read_line();
	if (!pw) {
		fprintf(stderr, "yijian user add: give the password on standard input\n");
		return 2;
	}
	store *s = open_with_keys(o);
	if (!s) {
		free(pw);
		return 1;
	}
	yj_user_new u = {cli_get(o, "username"), cli_get(o, "display-name"), pw, cli_get(o, "role"), cli_get(o, "region"),
			 cli_get(o, "department"), cli_get(o, "institution")};
	char *actor = cli_actor(), *err = NULL;
	int64_t id = 0;
	int rc = yj_user_create(s, &u, actor, &id, &err);
	if (rc < 0)
		fprintf(stderr, "yijian user add: %s\n", err);
	else
		printf("user %s created (id %lld)\n", u.username, (long long)id);
	sodium_memzero(pw, strlen(pw));
	free(pw);
	free(err);
	free(actor);
	cli_sign_heads(s);
	store_close(s);
	return rc < 0 ? 1 : 0;
}

static int user_passwd(int argc, char **argv)
{
	cli_opt o[] = {
		{"db", 1, "database URL", NULL},
		{"keys", 1, "directory of the audit signing key", NULL},
		{"username", 1, "whose password to set", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc, argv, "Usage: yijian user passwd --username U < new-password", o, NULL, NULL, &code) < 0)
		return code;
	if (!cli_get(o, "username")) {
		fprintf(stderr, "yijian user passwd: --username is required\n");
		return 2;
	}
	char *pw = cli_read_line();
	if (!pw) {
		fprintf(stderr, "yijian user passwd: give the new password on standard input\n");
		return 2;
	}
	store *s = open_with_keys(o);
	if (!s) {
		free(pw);
		return 1;
	}
	char *actor = cli_actor(), *err = NULL;
	const yj_pw_refusal *why = NULL;
	int rc = yj_user_set_password(s, cli_get(o, "username"), pw, actor, &why, &err);
	if (rc == YJ_PW_REFUSED)
		fprintf(stderr, "yijian user passwd: %s (%s)\n", err, why->zh);
	else if (rc < 0)
		fprintf(stderr, "yijian user passwd: %s\n", err);
	else
		printf("password of %s set; their sessions have ended and their tokens are revoked\n", cli_get(o, "username"));
	sodium_memzero(pw, strlen(pw));
	free(pw);
	free(err);
	free(actor);
	cli_sign_heads(s);
	store_close(s);
	return rc < 0 ? 1 : 0;
}

int cmd_user(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return user_add(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "passwd") == 0)
		return user_passwd(argc - 1, argv + 1);
	fprintf(argc >= 1 && strcmp(argv[0], "--help") == 0 ? stdout : stderr,
		"Usage: yijian user add|passwd [OPTIONS]   (yijian user add --help)\n");
	return argc >= 1 && strcmp(argv[0], "--help") == 0 ? 0 : 2;
}

int cmd_token(int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "create") != 0) {
		int help = argc >= 1 && strcmp(argv[0], "--help") == 0;
		fprintf(help ? stdout : stderr, "Usage: yijian token create --username U --name NAME [--days N] [--write]\n");
		return help ? 0 : 2;
	}
	cli_opt o[] = {
		{"db", 1, "database URL", NULL},
		{"keys", 1, "directory of the audit signing key", NULL},
		{"username", 1, "the user the token acts as", NULL},
		{"name", 1, "what the token is for", NULL},
		{"days", 1, "validity in days (default 90)", NULL},
		{"write", 0, "allow state-changing requests (default read only)", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc - 1, argv + 1, "Usage: yijian token create --username U --name NAME [--days N] [--write]", o,
		      NULL, NULL, &code) < 0)
		return code;
	if (!cli_get(o, "username") || !cli_get(o, "name")) {
		fprintf(stderr, "yijian token create: --username and --name are required\n");
		return 2;
	}
	store *s = open_with_keys(o);
	if (!s)
		return 1;
	const char *days = cli_get(o, "days");
	char *actor = cli_actor(), *err = NULL;
	char *tok = yj_token_create(s, cli_get(o, "username"), cli_get(o, "name"), days ? atoi(days) : 90,
				    cli_get(o, "write") ? "read,write" : "read", actor, &err);
	if (tok)
		printf("%s\n", tok);
	else
		fprintf(stderr, "yijian token create: %s\n", err);
	free(tok);
	free(err);
	free(actor);
	cli_sign_heads(s);
	store_close(s);
	return tok ? 0 : 1;
}

int cmd_backup(int argc, char **argv)
{
	cli_opt o[] = {
		{"db", 1, "database URL (sqlite:PATH; for PostgreSQL use pg_dump)", NULL},
		{"out", 1, "file to write the copy to", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc, argv, "Usage: yijian backup --db sqlite:PATH --out FILE", o, NULL, NULL, &code) < 0)
		return code;
	if (!cli_get(o, "out")) {
		fprintf(stderr, "yijian backup: --out is required\n");
		return 2;
	}
	store *s = cli_open_store(cli_db_url(o), 0);
	if (!s)
		return 1;
	char *err = NULL;
	int rc = store_backup(s, cli_get(o, "out"), &err);
	if (rc < 0)
		fprintf(stderr, "yijian backup: %s\n", err);
	else
		printf("backup written to %s\n", cli_get(o, "out"));
	free(err);
	store_close(s);
	return rc < 0 ? 1 : 0;
}

/* The public key for audit verify: --public-key FILE, else the key directory's audit.pub; hex
 * into out. YJ_ERR after saying why. */
static int audit_public_key(cli_opt *o, const char *url, char out[128])
{
	char *keys = cli_keys_dir(o, url);
	char *pubfile = cli_get(o, "public-key") ? yj_strdup(cli_get(o, "public-key")) : yj_asprintf("%s/audit.pub", keys);
	free(keys);
	memset(out, 0, 128);
	FILE *f = fopen(pubfile, "r");
	int ok = f && fgets(out, 128, f);
	if (!ok)
		fprintf(stderr, "yijian audit verify: cannot read the public key %s\n", pubfile);
	if (f)
		fclose(f);
	free(pubfile);
	out[strcspn(out, "\r\n ")] = '\0';
	return ok ? YJ_OK : YJ_ERR;
}

#define AUDIT_USAGE                                                                                             \
	"Usage: yijian audit verify --db URL [--sth FILE [--public-key FILE]] [--records]\n"                     \
	"  --sth FILE   check the log against a signed tree head saved from GET /api/v1/audit/sth\n"             \
	"  --records    check every current registry row against the state hash of its last leaf\n"           \
	"               (keyed hashes of personal records need --keys, the directory holding audit.key)\n"  \
	"At least one of --sth and --records. Exit 0 when all match, 1 when not, 2 when it cannot run."

int cmd_audit(int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "verify") != 0) {
		int help = argc >= 1 && strcmp(argv[0], "--help") == 0;
		fprintf(help ? stdout : stderr, "%s\n", AUDIT_USAGE);
		return help ? 0 : 2;
	}
	cli_opt o[] = {
		{"db", 1, "database URL", NULL},
		{"sth", 1, "a signed tree head saved from GET /api/v1/audit/sth", NULL},
		{"public-key", 1, "the published audit.pub (default: from the key directory)", NULL},
		{"keys", 1, "directory of the audit keys (the default public key; audit.key for keyed state hashes)", NULL},
		{"records", 0, "also compare every current registry row with its last leaf", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc - 1, argv + 1, AUDIT_USAGE, o, NULL, NULL, &code) < 0)
		return code;
	int records = cli_get(o, "records") != NULL;
	if (!cli_get(o, "sth") && !records) {
		fprintf(stderr, "yijian audit verify: --sth or --records is required\n");
		return 2;
	}
	const char *url = cli_db_url(o);
	char hex[128];
	if (cli_get(o, "sth") && audit_public_key(o, url, hex) < 0)
		return 2;
	store *s = cli_open_store(url, 0);
	if (!s)
		return 2;
	char *report = NULL;
	int rc = 0;
	if (cli_get(o, "sth")) {
		rc = yj_audit_verify(s, cli_get(o, "sth"), hex, &report);
		printf("%s\n", report ? report : (rc == 0 ? "ok" : "failed"));
		free(report);
		report = NULL;
	}
	if (records && rc == 0) {
		/* Keyed state hashes (personal records) need the key; a missing audit.key is fine until
		 * such a leaf is met. */
		char *keys = cli_keys_dir(o, url), *err = NULL;
		if (yj_audit_state_key_load(keys, &err) < 0) {
			fprintf(stderr, "yijian audit verify: %s\n", err);
			free(err);
			free(keys);
			store_close(s);
			return 2;
		}
		free(keys);
		/* The capabilities that keep state under the log register how to read it. */
		yj_reg_audit_register();
		rc = yj_audit_verify_records(s, &report);
		printf("%s\n", report ? report : "failed");
		free(report);
	}
	store_close(s);
	return rc == 0 ? 0 : rc > 0 ? 1 : 2;
}
