/* fuzz_json.c — request JSON decoding and validation: the input is the body of an authenticated
 * POST /api/v1/users and PATCH of a user, the routes with the richest field descriptions. */
#include "fuzz_env.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	fuzz_env *env = fuzz_env_get();
	const char *headers[] = {"Authorization", env->auth, "Content-Type", "application/json", NULL};
	char *resp = NULL;
	const char *url = size && (data[0] & 1) ? "/api/v1/users/1" : "/api/v1/users";
	const char *method = size && (data[0] & 1) ? "PATCH" : "POST";
	int status = yj_server_dispatch(env->srv, method, url, headers, (const char *)data, size, &resp);
	/* Validation must answer every malformed body with a 4xx, never a 5xx. */
	if (status >= 500)
		abort();
	free(resp);
	return 0;
}
