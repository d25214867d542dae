/* test_signkey.c — the one signing-key loader: a first load creates the pair (secret 0600), a
 * second load finds the same key, names keep pairs apart, and a public file naming another key
 * is refused with the secret wiped. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "base/signkey.h"

static void load_create_reload_refuse(void **state)
{
	(void)state;
	char dir[] = "/tmp/yj_signkey_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *keys = yj_asprintf("%s/keys", dir), *err = NULL;
	yj_signkey a, b, c;
	assert_int_equal(yj_signkey_load(&a, keys, "audit", &err), YJ_OK);
	assert_true(a.loaded);
	assert_int_equal(strlen(a.pk_hex), 64);
	char *kpath = yj_asprintf("%s/audit.key", keys);
	struct stat sb;
	assert_int_equal(stat(kpath, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(yj_signkey_load(&b, keys, "audit", &err), YJ_OK);
	assert_string_equal(a.pk_hex, b.pk_hex);
	assert_memory_equal(a.sk, b.sk, sizeof a.sk);
	assert_int_equal(yj_signkey_load(&c, keys, "licence", &err), YJ_OK);
	assert_string_not_equal(a.pk_hex, c.pk_hex);
	/* audit.pub replaced by the licence key: refused, nothing loaded. */
	char *ppath = yj_asprintf("%s/audit.pub", keys), *lpub = yj_asprintf("%s/licence.pub", keys);
	assert_int_equal(rename(lpub, ppath), 0);
	assert_int_equal(yj_signkey_load(&b, keys, "audit", &err), YJ_ERR);
	assert_non_null(strstr(err, "does not match"));
	assert_false(b.loaded);
	static const unsigned char zero[crypto_sign_SECRETKEYBYTES];
	assert_memory_equal(b.sk, zero, sizeof zero);
	free(err);
	char *cmd = yj_asprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(keys);
	free(kpath);
	free(ppath);
	free(lpub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(load_create_reload_refuse)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
