/* credit_outbox.c — the outbox's sender: every due delivery is signed (ed25519 over the exact
 * body, with the credit key DIR/credit.key) and POSTed to its department's http:// receiver with
 * X-Yijian-Signature, X-Yijian-Key and X-Yijian-Event headers, or written as DIR/<event id>.json
 * (with the signature beside it) for a file:// target, the provincial platform's pick-up directory.
 * A receiver may see a body twice (a crash between its answer and our record): it deduplicates by
 * the event id. The HTTP client is minimal on purpose (HTTP/1.1, one request per connection, no
 * TLS: receivers sit inside the government network or behind a local relay). */
#define _POSIX_C_SOURCE 200809L
#include "credit_outbox.h"
#include "../base/signkey.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static yj_signkey key;

int yj_credit_keys_load(const char *dir, char **err)
{
	return yj_signkey_load(&key, dir, "credit", err);
}

const char *credit_outbox_public_key(void)
{
	return key.loaded ? key.pk_hex : "";
}

static void sign_hex(const char *body, char out[2 * crypto_sign_BYTES + 1])
{
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)body, strlen(body), key.sk);
	sodium_bin2hex(out, 2 * crypto_sign_BYTES + 1, sig, sizeof sig);
}

static int event_id_of(const char *body, char out[24])
{
	json_t *j = json_loads(body, 0, NULL);
	snprintf(out, 24, "%s", j && json_string_value(json_object_get(j, "event_id")) ? json_string_value(json_object_get(j, "event_id")) : "0");
	json_decref(j);
	return 0;
}

/* file:///dir: DIR/<event>.json and DIR/<event>.json.sig, each written whole before its rename. */
static int write_file(const char *dir, const char *body, const char *sig, const char *event, char *err, size_t cap)
{
	const char *names[2] = {".json", ".json.sig"}, *texts[2] = {body, sig};
	for (int i = 0; i < 2; i++) {
		char path[1200], tmp[1220];
		snprintf(path, sizeof path, "%s/%s%s", dir, event, names[i]);
		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		FILE *f = fopen(tmp, "w");
		int bad = !f || fputs(texts[i], f) < 0 || fflush(f) || fsync(fileno(f));
		if (f && fclose(f))
			bad = 1;
		if (bad || rename(tmp, path)) {
			/* the path is long only when the configured directory is; the tail names the file */
			snprintf(err, cap, "write %.200s: %s", path, strerror(errno));
			return 0;
		}
	}
	return 200;
}

/* POST body to an http:// URL; returns the status, or 0 with err set. */
static int post(const char *url, const char *body, const char *sig, const char *event, char *err, size_t cap)
{
	char host[256], port[8] = "80";
	const char *p = url + 7, *path = strchr(p, '/');
	size_t hl = path ? (size_t)(path - p) : strlen(p);
	if (!path)
		path = "/";
	if (hl == 0 || hl >= sizeof host) {
		snprintf(err, cap, "bad url");
		return 0;
	}
	memcpy(host, p, hl);
	host[hl] = '\0';
	char *colon = strrchr(host, ':');
	if (colon) {
		snprintf(port, sizeof port, "%s", colon + 1);
		*colon = '\0';
	}
	struct addrinfo hints = {0}, *ai = NULL;
	hints.ai_socktype = SOCK_STREAM;
	int g = getaddrinfo(host, port, &hints, &ai);
	if (g) {
		snprintf(err, cap, "resolve %s: %s", host, gai_strerror(g));
		return 0;
	}
	int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	struct timeval tv = {10, 0};
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		snprintf(err, cap, "connect %s:%s: %s", host, port, strerror(errno));
		freeaddrinfo(ai);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	freeaddrinfo(ai);
	char *req = yj_asprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
				"X-Yijian-Signature: %s\r\nX-Yijian-Key: %s\r\nX-Yijian-Event: %s\r\nConnection: close\r\n\r\n%s",
				path, host, strlen(body), sig, key.pk_hex, event, body);
	size_t len = strlen(req), off = 0;
	while (off < len) {
		ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(req);
	char buf[64] = "";
	ssize_t r = off == len ? recv(fd, buf, sizeof buf - 1, 0) : -1;
	close(fd);
	int status = 0;
	if (r > 0) {
		buf[r] = '\0';
		if (sscanf(buf, "HTTP/%*s %d", &status) != 1)
			status = 0;
	}
	if (!status)
		snprintf(err, cap, "%s", off < len ? "send failed" : "no answer");
	return status;
}

int credit_outbox_run(store *s, int *sent)
{
	if (sent)
		*sent = 0;
	if (!key.loaded)
		return ST_OK; /* nothing can be signed yet */
	for (;;) {
		credit_delivery d[32];
		int n = 0, rc = credit_outbox_due(s, yj_now_ms(), d, 32, &n);
		if (rc < 0)
			return rc;
		for (int i = 0; i < n; i++) {
			char sig[2 * crypto_sign_BYTES + 1], event[24], err[300] = "";
			sign_hex(d[i].body, sig);
			event_id_of(d[i].body, event);
			int status = !strncmp(d[i].url, "file://", 7)   ? write_file(d[i].url + 7, d[i].body, sig, event, err, sizeof err)
				     : !strncmp(d[i].url, "http://", 7) ? post(d[i].url, d[i].body, sig, event, err, sizeof err)
									: (snprintf(err, sizeof err, "unsupported url"), 0);
			if (rc >= 0)
				rc = credit_outbox_result(s, &d[i], status, err, yj_now_ms());
			if (sent)
				(*sent)++;
			free(d[i].body);
			free(d[i].url);
		}
		if (rc < 0)
			return rc;
		if (n < 32)
			return ST_OK;
	}
}

int credit_outbox_job(yj_job_ctx *ctx)
{
	return credit_outbox_run(yj_job_store(ctx), NULL) < 0 ? YJ_ERR : YJ_OK;
}
