/* fuzz_request.c — routing, query parsing, authentication and every handler, driven in-process.
 * Input: "METHOD URL\n" then "Name: value" header lines, a blank line, and the body. A first byte
 * with the low bit set adds an admin's bearer token so authenticated handlers run too. Any 5xx is
 * a failure (but the 503 of the claims routes without a rule base): no input a client can send is
 * the server's fault. The build writes a dictionary and
 * a seed per route from the route table (routes_dict.c). With YJ_FUZZ_ROUTES=FILE the requests
 * counted by route and status (the /metrics counters) are written to FILE at exit, to measure
 * which routes a corpus reaches. */
#include "fuzz_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_route_counts(void)
{
	const char *path = getenv("YJ_FUZZ_ROUTES");
	char *text = NULL;
	yj_server_dispatch(fuzz_env_get()->srv, "GET", "/metrics", NULL, "", 0, &text);
	FILE *f = path ? fopen(path, "w") : NULL;
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(text);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (getenv("YJ_FUZZ_ROUTES"))
		atexit(write_route_counts);
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	fuzz_env *env = fuzz_env_get();
	if (size < 2)
		return 0;
	int authed = data[0] & 1;
	char *in = malloc(size);
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	char *body = strstr(in, "\n\n");
	size_t body_len = 0;
	if (body) {
		*body = '\0';
		body += 2;
		body_len = size - 1 - (size_t)(body - in);
	}
	const char *headers[34] = {0};
	int nh = 0;
	char *save = NULL, *line = strtok_r(in, "\n", &save);
	char *method = line ? line : (char *)"GET", *url = "/";
	if (line && (url = strchr(line, ' '))) {
		*url++ = '\0';
	} else {
		url = (char *)"/";
	}
	if (authed) {
		headers[nh++] = "Authorization";
		headers[nh++] = env->auth;
	}
	while ((line = strtok_r(NULL, "\n", &save)) && nh < 32) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		headers[nh++] = line;
		headers[nh++] = colon[1] == ' ' ? colon + 2 : colon + 1;
	}
	char *resp = NULL;
	int status = yj_server_dispatch(env->srv, method, url, headers, body ? body : "", body_len, &resp);
	/* The env starts without a claims rule base (fuzz_env.c), so the screening routes answer 503
	 * "check-unconfigured" — what a server started without --rules tells every caller, not a fault. */
	int unconfigured = status == 503 && resp && strstr(resp, "\"urn:yijian:problem:check-unconfigured\"");
	if ((status < 100 || status > 499) && !unconfigured)
		abort(); /* every request gets a real HTTP status, and never a server error */
	free(resp);
	free(in);
	return 0;
}
