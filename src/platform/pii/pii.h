/* pii.h — personal data at rest and in responses: resident ID numbers (and later phone numbers)
 * are encrypted with a key kept outside the database (KEYS/pii.key, XChaCha20-Poly1305 through
 * libsodium's secretbox), looked up through a keyed hash (BLAKE2b), and shown masked unless the
 * caller's role needs the clear value — a disclosure the caller must audit. */
#ifndef YJ_PII_H
#define YJ_PII_H

#include <stddef.h>

/* Loads (creating when absent, mode 0600) DIR/pii.key. Call once at start. YJ_OK or YJ_ERR with
 * *err (caller frees). */
int yj_pii_keys_load(const char *dir, char **err);
/* True after a successful load. */
int yj_pii_ready(void);

/* Encrypts plain into a new string "v1:<hex nonce+ciphertext>" (caller frees); NULL when no key. */
char *yj_pii_encrypt(const char *plain);
/* Decrypts what yj_pii_encrypt made; NULL (nothing leaked) when the key or the text is wrong. */
char *yj_pii_decrypt(const char *sealed);
/* Zeroes and frees a clear value (NULL is fine). */
void yj_pii_free(char *clear);
/* Keyed hash of a value for equality lookups, 64 hex characters into out. */
void yj_pii_hash(const char *plain, char out[65]);

/* Masks: 3301**********1234 for an ID number (first 4, last 4), 138****5678 for a phone
 * (first 3, last 4). Write into out (at least strlen(v)+1 bytes) and return it. */
char *yj_pii_mask_id(const char *v, char *out);
char *yj_pii_mask_phone(const char *v, char *out);

#endif
