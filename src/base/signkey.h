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

#endif
