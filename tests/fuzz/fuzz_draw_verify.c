/* fuzz_draw_verify.c — `yijian draw verify BUNDLE.json` on arbitrary bytes: the bundle comes from
 * outside (anyone may download and check a published draw), so parsing and recomputing it must
 * never crash, and the answer must be one of the three documented ones, with a report, and the
 * same when asked twice. The fuzz environment is linked but not used. */
#include "inspection/draw_bundle.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	json_error_t e;
	json_t *b = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
	if (!b)
		return 0; /* the CLI stops here with the parser's line and column */
	char *r1 = NULL, *r2 = NULL;
	int a = yj_draw_bundle_verify(b, &r1);
	int c = yj_draw_bundle_verify(b, &r2);
	if (a < -1 || a > 1 || a != c || !r1 || !r2 || strcmp(r1, r2) != 0)
		abort();
	if (a == 0 && strncmp(r1, "match", 5) != 0)
		abort();
	free(r1);
	free(r2);
	json_decref(b);
	return 0;
}
