/* pii.c — encryption, keyed hashing and masking of personal data (see pii.h). One key file holds
 * two independent 32-byte keys (encryption, hashing) so neither use weakens the other. */
#define _POSIX_C_SOURCE 200809L
#include "pii.h"
#include "../../base/base.h"
#include "../../base/keyfile.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LEN crypto_secretbox_KEYBYTES
#define NONCE_LEN crypto_secretbox_NONCEBYTES

/* Loaded once at start, before request threads run; read-only afterwards. */
static struct {
	int loaded;
	unsigned char enc[KEY_LEN];
	unsigned char mac[crypto_generichash_KEYBYTES];
} k;

int yj_pii_keys_load(const char *dir, char **err)
{
	*err = NULL;
	if (sodium_init() < 0) {
		*err = yj_strdup("libsodium could not be initialised");
		return YJ_ERR;
	}
	char *path = yj_asprintf("%s/pii.key", dir), hex[256];
	unsigned char both[KEY_LEN + crypto_generichash_KEYBYTES];
	int rc = yj_keyfile_read(path, 1, hex, sizeof hex, err);
	if (rc == 0) {
		char fresh[2 * sizeof both + 2];
		randombytes_buf(both, sizeof both);
		yj_hex_encode(both, sizeof both, fresh);
		strcat(fresh, "\n");
		rc = yj_keyfile_write(path, fresh, 0600, err);
		sodium_memzero(fresh, sizeof fresh);
		if (rc == YJ_OK)
			rc = yj_keyfile_read(path, 1, hex, sizeof hex, err);
	}
	if (rc > 0) {
		rc = YJ_OK;
		if (yj_hex_decode(hex, both, sizeof both) != (int)sizeof both) {
			*err = yj_asprintf("%s does not hold a key (expected %zu hex digits)", path, 2 * sizeof both);
			rc = YJ_ERR;
		} else {
			memcpy(k.enc, both, KEY_LEN);
			memcpy(k.mac, both + KEY_LEN, sizeof k.mac);
			k.loaded = 1;
		}
	} else {
		rc = YJ_ERR;
	}
	sodium_memzero(hex, sizeof hex);
	sodium_memzero(both, sizeof both);
	free(path);
	return rc;
}

int yj_pii_ready(void)
{
	return k.loaded;
}

char *yj_pii_encrypt(const char *plain)
{
	if (!k.loaded)
		return NULL;
	size_t n = strlen(plain), len = NONCE_LEN + crypto_secretbox_MACBYTES + n;
	unsigned char *box = yj_malloc(len);
	randombytes_buf(box, NONCE_LEN);
	crypto_secretbox_easy(box + NONCE_LEN, (const unsigned char *)plain, n, box, k.enc);
	char *out = yj_malloc(3 + 2 * len + 1);
	memcpy(out, "v1:", 3);
	yj_hex_encode(box, len, out + 3);
	free(box);
	return out;
}

char *yj_pii_decrypt(const char *sealed)
{
	if (!k.loaded || !sealed || strncmp(sealed, "v1:", 3) != 0)
		return NULL;
	size_t hexlen = strlen(sealed + 3), len = hexlen / 2;
	if (hexlen % 2 || len < NONCE_LEN + crypto_secretbox_MACBYTES)
		return NULL;
	unsigned char *box = yj_malloc(len);
	char *out = NULL;
	if (yj_hex_decode(sealed + 3, box, len) == (int)len) {
		size_t n = len - NONCE_LEN - crypto_secretbox_MACBYTES;
		out = yj_malloc(n + 1);
		if (crypto_secretbox_open_easy((unsigned char *)out, box + NONCE_LEN, len - NONCE_LEN, box, k.enc) != 0) {
			free(out);
			out = NULL;
		} else {
			out[n] = '\0';
		}
	}
	free(box);
	return out;
}

void yj_pii_free(char *clear)
{
	if (clear) {
		sodium_memzero(clear, strlen(clear));
		free(clear);
	}
}

void yj_pii_hash(const char *plain, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)plain, strlen(plain), k.mac, sizeof k.mac);
	yj_hex_encode(h, sizeof h, out);
}

static char *mask(const char *v, char *out, size_t head, size_t tail)
{
	size_t n = strlen(v);
	for (size_t i = 0; i < n; i++)
		out[i] = (i < head || i + tail >= n) && n > head + tail ? v[i] : '*';
	out[n] = '\0';
	return out;
}

char *yj_pii_mask_id(const char *v, char *out)
{
	return mask(v, out, 4, 4);
}

char *yj_pii_mask_phone(const char *v, char *out)
{
	return mask(v, out, 3, 4);
}
