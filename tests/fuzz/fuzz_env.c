/* fuzz_env.c — see fuzz_env.h. */
#define _POSIX_C_SOURCE 200809L
#include "fuzz_env.h"
#include "base/id.h"
#include "base/log.h"
#include "cli/cli.h"
#include "cli/modules.h"
#include "platform/audit/audit.h"
#include "platform/auth/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The binary's route tables (cli/modules.h). */
static size_t all_len(void)
{
	size_t n;
	yj_all_routes(&n);
	return n;
}

static const yj_route *const *all_tables(void)
{
	size_t n;
	return yj_all_routes(&n);
}

fuzz_env *fuzz_env_get(void)
{
	static fuzz_env env;
	if (env.srv)
		return &env;
	if (sodium_init() < 0)
		abort();
	/* A line per request would slow the fuzzer down; warnings and errors still show. */
	yj_log_set_level(YJ_LOG_WARN);
	yj_id_seed(randombytes_random());
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char *dir = yj_asprintf("%s/yijian-fuzz-%d", base, (int)getpid());
	char *url = yj_asprintf("sqlite:%s.db", dir), *keys = yj_asprintf("%s.keys", dir), *err = NULL;
	store *s = store_open(url, &err);
	/* Every key the server uses (audit, licence, personal data), as `yijian serve` loads them. */
	if (!s || yj_migrate(s, &err) < 0 || cli_load_keys(keys, &err) < 0) {
		fprintf(stderr, "fuzz env: %s\n", err);
		abort();
	}
	yj_user_new u = {"fuzz.admin", "模糊测试", "Fuzz-pass-2026", "admin", "330300", "health", NULL};
	if (yj_user_create(s, &u, "fuzz", NULL, &err) < 0) {
		fprintf(stderr, "fuzz env: %s\n", err);
		abort();
	}
	free(dir);
	free(url);
	char *tok = yj_token_create(s, "fuzz.admin", "fuzz", 30, "read,write", "fuzz", &err);
	if (!tok)
		abort();
	snprintf(env.auth, sizeof env.auth, "Bearer %s", tok);
	free(tok);
	static yj_http_config cfg = {.max_body = 1u << 20};
	env.srv = yj_server_new(&cfg, s, all_tables(), all_len(), &yj_auth_hooks_default, keys);
	yj_modules_set_prefixes(env.srv, yj_modules, yj_modules_len);
	return &env;
}
