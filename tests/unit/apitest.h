/* apitest.h — the fixture of the unit tests that drive the API in process through the dispatcher
 * (yj_server_dispatch, no socket): the test database (testdb.h) with keys and a server of every module's
 * routes, users with bearer tokens, a request with its parsed answer, and the readings of a problem and a
 * table the tests repeat. Header-only like testdb.h; include it after <cmocka.h>. */
#ifndef YJ_APITEST_H
#define YJ_APITEST_H

#include "testdb.h"
#include "base/id.h"
#include "cli/cli.h"
#include "platform/auth/auth.h"
#include "platform/http/http.h"

#include <jansson.h>

/* Opens t as yj_testdb_open(t, name) does, seeds the ids with seed, loads (makes) the keys in t->dir/keys
 * and answers a server of every module's routes on t->db (yj_server_free it before yj_testdb_close). */
static inline yj_server *yj_api_open(yj_testdb *t, const char *name, uint64_t seed)
{
	yj_testdb_open(t, name);
	yj_id_seed(seed);
	char keys[128], *err = NULL;
	snprintf(keys, sizeof keys, "%s/keys", t->dir);
	if (cli_load_keys(keys, &err) < 0)
		fail_msg("keys: %s", err);
	yj_http_config cfg = {0};
	size_t ntables;
	const yj_route *const *tables = yj_all_routes(&ntables);
	return yj_server_new(&cfg, t->db, tables, ntables, &yj_auth_hooks_default, keys);
}

/* A user name (its display name too) with role in region and dept; its id. Fails the test on error. */
static inline int64_t yj_api_user(yj_testdb *t, const char *name, const char *role, const char *region, const char *dept)
{
	yj_user_new u = {name, name, "correct-horse-9", role, region, dept, NULL};
	int64_t id = 0;
	char *err = NULL;
	if (yj_user_create(t->db, &u, "test", &id, &err) < 0)
		fail_msg("user %s: %s", name, err);
	return id;
}

/* A read-write bearer token of user name (caller frees). Fails the test on error. */
static inline char *yj_api_token(yj_testdb *t, const char *name)
{
	char *err = NULL, *tok = yj_token_create(t->db, name, "test", 1, "read,write", "test", &err);
	if (!tok)
		fail_msg("token %s: %s", name, err);
	return tok;
}

/* Dispatches method url with body (may be NULL) as the bearer of tok; answers the status, *out the parsed
 * response (caller decrefs): JSON, a JSON string holding any other body (CSV), or NULL when empty. */
static inline int yj_api_call(yj_server *srv, const char *tok, const char *method, const char *url, const char *body,
			      json_t **out)
{
	char auth[160], *resp = NULL;
	snprintf(auth, sizeof auth, "Bearer %s", tok);
	const char *const headers[] = {"Authorization", auth, "Content-Type", "application/json", NULL};
	int status = yj_server_dispatch(srv, method, url, headers, body, body ? strlen(body) : 0, &resp);
	*out = resp ? json_loads(resp, 0, NULL) : NULL;
	if (!*out && resp && *resp)
		*out = json_string(resp);
	free(resp);
	return status;
}

/* The field of the first error of a problem (or "" when it has none); borrowed from o. */
static inline const char *yj_api_first_error_field(const json_t *o)
{
	const char *f = json_string_value(json_object_get(json_array_get(json_object_get(o, "errors"), 0), "field"));
	return f ? f : "";
}

/* The rows of table. */
static inline int64_t yj_testdb_count(yj_testdb *t, const char *table)
{
	char *sql = yj_asprintf("SELECT COUNT(*) FROM %s", table);
	int64_t n = yj_testdb_int(t, sql, NULL);
	free(sql);
	return n;
}

#endif
