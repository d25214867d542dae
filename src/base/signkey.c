/* signkey.c — loading (and first creating) an ed25519 key pair from its two key files; see
 * signkey.h. The secret is wiped from every buffer it passed through. */
#define _POSIX_C_SOURCE 200809L
#include "signkey.h"
#include "base.h"
#include "keyfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Creates PATH holding the hex ed25519 seed of a new key pair (unless another process just did). */
static int create_secret(const char *path, char **err)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], seed[crypto_sign_SEEDBYTES];
	char hex[2 * crypto_sign_SEEDBYTES + 2];
	crypto_sign_keypair(pk, sk);
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	yj_hex_encode(seed, sizeof seed, hex);
	strcat(hex, "\n");
	int rc = yj_keyfile_write(path, hex, 0600, err);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(hex, sizeof hex);
	return rc;
}

/* Reads (with create, creating when absent) the seed and derives the key pair into k. Returns 1
 * when read, 0 when absent (only without create), YJ_ERR with *err. */
static int load_secret(yj_signkey *k, const char *path, int create, char **err)
{
	char hex[256];
	unsigned char seed[crypto_sign_SEEDBYTES];
	int rc = yj_keyfile_read(path, 1, hex, sizeof hex, err);
	if (rc == 0 && !create)
		return 0;
	if (rc == 0) {
		if (create_secret(path, err) < 0)
			return YJ_ERR;
		rc = yj_keyfile_read(path, 1, hex, sizeof hex, err);
	}
	if (rc <= 0)
		return YJ_ERR;
	rc = 1;
	if (yj_hex_decode(hex, seed, sizeof seed) != (int)sizeof seed) {
		*err = yj_asprintf("%s does not hold a key (expected %zu hex digits)", path, 2 * sizeof seed);
		rc = YJ_ERR;
	} else {
		crypto_sign_seed_keypair(k->pk, k->sk, seed);
		yj_hex_encode(k->pk, sizeof k->pk, k->pk_hex);
	}
	sodium_memzero(hex, sizeof hex);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

/* Writes PATH (the public key) when absent; refuses one that names another key. */
static int check_public(const yj_signkey *k, const char *path, char **err)
{
	char hex[256];
	int rc = yj_keyfile_read(path, 0, hex, sizeof hex, err);
	if (rc == 0) {
		char *line = yj_asprintf("%s\n", k->pk_hex);
		rc = yj_keyfile_write(path, line, 0644, err);
		free(line);
		if (rc < 0)
			return YJ_ERR;
		rc = yj_keyfile_read(path, 0, hex, sizeof hex, err);
	}
	if (rc <= 0)
		return YJ_ERR;
	if (strcasecmp(hex, k->pk_hex) != 0) {
		*err = yj_asprintf("%s does not match the secret key in the same directory; restore the matching pair", path);
		return YJ_ERR;
	}
	return YJ_OK;
}

int yj_signkey_load(yj_signkey *k, const char *dir, const char *name, char **err)
{
	*err = NULL;
	k->loaded = 0;
	if (sodium_init() < 0) {
		*err = yj_strdup("libsodium could not be initialised");
		return YJ_ERR;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*err = yj_asprintf("cannot create the key directory %s: %s", dir, strerror(errno));
		return YJ_ERR;
	}
	char *kpath = yj_asprintf("%s/%s.key", dir, name), *ppath = yj_asprintf("%s/%s.pub", dir, name);
	int rc = load_secret(k, kpath, 1, err) == 1 ? check_public(k, ppath, err) : YJ_ERR;
	if (rc == YJ_OK)
		k->loaded = 1;
	else
		sodium_memzero(k->sk, sizeof k->sk);
	free(kpath);
	free(ppath);
	return rc;
}

int yj_signkey_read(yj_signkey *k, const char *dir, const char *name, char **err)
{
	*err = NULL;
	k->loaded = 0;
	if (sodium_init() < 0) {
		*err = yj_strdup("libsodium could not be initialised");
		return YJ_ERR;
	}
	char *kpath = yj_asprintf("%s/%s.key", dir, name);
	int rc = load_secret(k, kpath, 0, err);
	free(kpath);
	if (rc != 1)
		sodium_memzero(k->sk, sizeof k->sk);
	return rc;
}

void yj_signkey_derive(const yj_signkey *k, const char *label, unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	crypto_sign_ed25519_sk_to_seed(seed, k->sk);
	crypto_auth_hmacsha256(out, (const unsigned char *)label, strlen(label), seed);
	sodium_memzero(seed, sizeof seed);
}
