/* routes.h — the server's complete route table (routes.c), shared by serve, tests and fuzzers. */
#ifndef YJ_ROUTES_H
#define YJ_ROUTES_H

#include "../platform/http/http.h"

extern const yj_route *const yj_all_routes[];
extern const size_t yj_all_routes_len;

/* Registers every module's jobs and event subscriptions (serve calls it before starting the
 * job runner). */
void yj_all_jobs_register(void);

#endif
