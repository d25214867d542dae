/* fuzz_licence_verify.c — `yijian licence verify FILE` on arbitrary bytes: a licence file comes from
 * outside (its holder, or anyone it was shown to), so the check must never crash and must keep its
 * contract: 1 with the payload and no reason, 0 or -1 with a reason and no payload. A first byte
 * with the low bit set checks against a fixed published key (the seed's), otherwise against the key
 * inside the file. The fuzz environment is linked but not used. */
#include "registry/licence.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

/* The public key of the seed file tests/fuzz/corpus/fuzz_licence_verify/valid. */
static const char seed_pk[] = "1119f41354701863fc432567132a87f328fcc0bd331963442b9c4ee5258d1e55";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *pk = data[0] & 1 ? seed_pk : NULL;
	json_t *payload = NULL;
	char *why = NULL;
	int rc = yj_licence_file_verify((const char *)data + 1, size - 1, pk, &payload, &why);
	if (rc == 1 ? !payload || why : rc == 0 || rc == -1 ? payload || !why : 1)
		abort();
	json_decref(payload);
	free(why);
	return 0;
}
