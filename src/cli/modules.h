/* modules.h — the modules the binary is built from (modules.c), and what the commands, the server,
 * the tests and the fuzzers do with them: migrate a database, gather the route table. */
#ifndef YJ_CLI_MODULES_H
#define YJ_CLI_MODULES_H

#include "../platform/module.h"

extern const yj_module *const yj_modules[];
extern const size_t yj_modules_len;

/* Applies every module's pending migrations (yj_modules_migrate). *err is set on failure. */
int yj_migrate(store *s, char **err);

/* Every route table of every module, in list order; *n gets the count. The router and
 * /api/v1/openapi.json read this list; the order decides nothing (the router tries literal segments
 * before parameters, and tests/unit/platform/test_router.c refuses a pair of routes that only the
 * order could settle). */
const yj_route *const *yj_all_routes(size_t *n);

#endif
