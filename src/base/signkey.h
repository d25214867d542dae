/* signkey.h — an ed25519 signing key pair kept as two key files in a directory (NAME.key holds the
 * secret seed, mode 0600; NAME.pub the public key): the one loader for the audit log's and the
 * licences' keys, each its own pair so either can be rotated or published without the other. */
#ifndef YJ_SIGNKEY_H
#define YJ_SIGNKEY_H

#include <sodium.h>

/* Loaded once at start, before request threads run; read-only afterwards. */
typedef struct yj_signkey {
	int loaded;
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
} yj_signkey;

/* Loads DIR/NAME.key into k, creating DIR (0700) and a new key pair when the file is absent, and
 * checks DIR/NAME.pub against it, writing it when absent. A NAME.pub naming another key is refused:
 * what was signed under the published key would fail from then on. Returns YJ_OK, or YJ_ERR with
 * *err (caller frees) and k->loaded = 0, its secret wiped. */
int yj_signkey_load(yj_signkey *k, const char *dir, const char *name, char **err);
/* Reads DIR/NAME.key into k without creating anything or looking at NAME.pub (a tool that only needs
 * what the key derives). Returns 1 when read, 0 when the file is absent, YJ_ERR with *err. */
int yj_signkey_read(yj_signkey *k, const char *dir, const char *name, char **err);
/* A 32-byte key derived from k's seed for another purpose: HMAC-SHA-256 of label under the seed, so
 * it needs no file of its own and cannot sign. k must be loaded or read. */
void yj_signkey_derive(const yj_signkey *k, const char *label, unsigned char out[crypto_auth_hmacsha256_BYTES]);

#endif
