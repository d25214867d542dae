/* attach_store.c — the SQL of the content-addressed store (attach.h): a blobs row per content (size,
 * chunk count) and its chunks in blob_chunks, written and read one chunk per statement. */
#define _POSIX_C_SOURCE 200809L
#include "attach.h"
#include "../../base/base.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int chunk_put(store_conn *c, const char *hex, int64_t seq, const unsigned char *p, size_t n)
{
	store_stmt *st = store_prepare(c, "INSERT INTO blob_chunks (sha256, seq, data) VALUES (?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, hex, -1);
	store_bind_int64(st, 2, seq);
	store_bind_blob(st, 3, p, n);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* The blobs row, then the chunks: the row first, as the chunks reference it. */
static int put_new(store_conn *c, const char *hex, const unsigned char *p, size_t n)
{
	int64_t chunks = (int64_t)((n + YJ_BLOB_CHUNK - 1) / YJ_BLOB_CHUNK);
	store_stmt *st = store_prepare(c, "INSERT INTO blobs (sha256, size, chunks, created_at) VALUES (?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, hex, -1);
	store_bind_int64(st, 2, (int64_t)n);
	store_bind_int64(st, 3, chunks);
	store_bind_int64(st, 4, yj_now_ms());
	int rc = store_step(st);
	store_finalize(st);
	for (int64_t k = 0; rc >= 0 && k < chunks; k++) {
		size_t off = (size_t)k * YJ_BLOB_CHUNK;
		rc = chunk_put(c, hex, k, p + off, n - off < YJ_BLOB_CHUNK ? n - off : YJ_BLOB_CHUNK);
	}
	return rc < 0 ? rc : ST_OK;
}

int yj_blob_put(store_conn *c, const void *data, size_t n, char hex[65])
{
	unsigned char h[32];
	crypto_hash_sha256(h, data, n);
	yj_hex_encode(h, sizeof h, hex);
	int64_t size;
	int rc = yj_blob_size(c, hex, &size);
	if (rc != ST_NOTFOUND)
		return rc; /* stored already (the same content, as its name says), or a failure */
	return put_new(c, hex, data, n);
}

int yj_blob_size(store_conn *c, const char *hex, int64_t *size)
{
	return store_query_int64(c, "SELECT size FROM blobs WHERE sha256 = ?", hex, size);
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ST_ERR;
		p += w;
		n -= (size_t)w;
	}
	return ST_OK;
}

/* Chunk seq of hex to fd. */
static int chunk_write(store_conn *c, const char *hex, int64_t seq, int fd)
{
	store_stmt *st = store_prepare(c, "SELECT data FROM blob_chunks WHERE sha256 = ? AND seq = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, hex, -1);
	store_bind_int64(st, 2, seq);
	int rc = store_step(st);
	size_t n = 0;
	const void *p = rc == ST_ROW ? store_col_blob(st, 0, &n) : NULL;
	if (rc >= 0)
		rc = p ? write_all(fd, p, n) : ST_ERR; /* a missing chunk is damage, not absence */
	store_finalize(st);
	return rc;
}

int yj_blob_write(store_conn *c, const char *hex, int fd)
{
	int64_t chunks = 0;
	int rc = store_query_int64(c, "SELECT chunks FROM blobs WHERE sha256 = ?", hex, &chunks);
	for (int64_t k = 0; rc >= 0 && k < chunks; k++)
		rc = chunk_write(c, hex, k, fd);
	return rc < 0 ? rc : ST_OK;
}

int yj_blob_put_chunks(store_conn *c, const char *hex, const void *data, size_t n)
{
	const unsigned char *p = data;
	int rc = ST_OK;
	for (size_t off = 0; rc >= 0 && off < n; off += YJ_BLOB_CHUNK)
		rc = chunk_put(c, hex, (int64_t)(off / YJ_BLOB_CHUNK), p + off, n - off < YJ_BLOB_CHUNK ? n - off : YJ_BLOB_CHUNK);
	return rc;
}
