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

/* The blobs row of a content of n bytes; *chunks receives its chunk count. */
static int row_put(store_conn *c, const char *hex, int64_t n, int64_t *chunks)
{
	*chunks = (n + (int64_t)YJ_BLOB_CHUNK - 1) / (int64_t)YJ_BLOB_CHUNK;
	store_stmt *st = store_prepare(c, "INSERT INTO blobs (sha256, size, chunks, created_at) VALUES (?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, hex, -1);
	store_bind_int64(st, 2, n);
	store_bind_int64(st, 3, *chunks);
	store_bind_int64(st, 4, yj_now_ms());
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* The blobs row, then the chunks: the row first, as the chunks reference it. */
static int put_new(store_conn *c, const char *hex, const unsigned char *p, size_t n)
{
	int64_t chunks;
	int rc = row_put(c, hex, (int64_t)n, &chunks);
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

/* Reads up to n bytes (fewer only at the end of the file); the count, or -1. */
static ssize_t read_full(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int yj_blob_put_fd(store_conn *c, int fd, char hex[65], int64_t *size)
{
	unsigned char h[32], *buf = malloc(YJ_BLOB_CHUNK);
	crypto_hash_sha256_state hs;
	int64_t n = 0, chunks = 0, have;
	ssize_t got;
	int rc = ST_ERR;
	if (!buf || lseek(fd, 0, SEEK_SET) < 0)
		goto done;
	/* the name first (the content's hash), one chunk in memory at a time */
	crypto_hash_sha256_init(&hs);
	while ((got = read_full(fd, buf, YJ_BLOB_CHUNK)) > 0) {
		crypto_hash_sha256_update(&hs, buf, (unsigned long long)got);
		n += got;
	}
	if (got < 0)
		goto done;
	crypto_hash_sha256_final(&hs, h);
	yj_hex_encode(h, sizeof h, hex);
	*size = n;
	if ((rc = yj_blob_size(c, hex, &have)) != ST_NOTFOUND)
		goto done; /* stored already (ST_OK), or a failure */
	if ((rc = row_put(c, hex, n, &chunks)) < 0)
		goto done;
	/* then the chunks, read again: the file is the caller's and does not change meanwhile */
	if (lseek(fd, 0, SEEK_SET) < 0) {
		rc = ST_ERR;
		goto done;
	}
	for (int64_t k = 0; rc >= 0 && k < chunks; k++) {
		got = read_full(fd, buf, YJ_BLOB_CHUNK);
		rc = got <= 0 ? ST_ERR : chunk_put(c, hex, k, buf, (size_t)got);
	}
done:
	free(buf);
	return rc < 0 ? rc : ST_OK;
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
