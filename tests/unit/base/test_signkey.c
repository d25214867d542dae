/* test_signkey.c — the one signing-key loader: a first load creates the pair (secret 0600), a
 * second load finds the same key, names keep pairs apart, and a public file naming another key
 * is refused with the secret wiped; a read creates nothing, and a key derived from the seed is the
 * HMAC of its label. */
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
#include <unistd.h>

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
	/* The derived key is HMAC-SHA-256(label) under the seed, the same on every load and by read. */
	unsigned char d1[crypto_auth_hmacsha256_BYTES], d2[crypto_auth_hmacsha256_BYTES], seed[crypto_sign_SEEDBYTES];
	yj_signkey_derive(&a, "yijian audit state hash v1", d1);
	crypto_sign_ed25519_sk_to_seed(seed, a.sk);
	crypto_auth_hmacsha256(d2, (const unsigned char *)"yijian audit state hash v1", 26, seed);
	assert_memory_equal(d1, d2, sizeof d1);
	yj_signkey r;
	assert_int_equal(yj_signkey_read(&r, keys, "audit", &err), 1);
	yj_signkey_derive(&r, "yijian audit state hash v1", d2);
	assert_memory_equal(d1, d2, sizeof d1);
	yj_signkey_derive(&r, "another purpose", d2);
	assert_memory_not_equal(d1, d2, sizeof d1);
	assert_int_equal(yj_signkey_read(&r, keys, "absent", &err), 0);
	char *absent = yj_asprintf("%s/absent.key", keys);
	assert_int_equal(access(absent, F_OK), -1); /* read creates nothing */
	free(absent);
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
