/* static.c — serves the built console (web/dist) from memory: files are read once at start, with
 * the build's precompressed copies (x.js.br, x.js.gz) sent as Content-Encoding when the browser
 * accepts them. Unknown GET paths outside the API fall back to index.html so the console's
 * history-mode routes survive a reload. */
#define _POSIX_C_SOURCE 200809L
#include "http_int.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *mime(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
		{".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
		{".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".woff", "font/woff"},
		{".ttf", "font/ttf"}, {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < YJ_ARRAY_LEN(types); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static int load_file(yj_server *srv, const char *fs_path, const char *url_path)
{
	FILE *f = fopen(fs_path, "rb");
	if (!f)
		return YJ_ERR;
	yj_buf b = YJ_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		yj_buf_append(&b, chunk, n);
	fclose(f);
	srv->files = yj_realloc(srv->files, (srv->nfiles + 1) * sizeof *srv->files);
	static_file *sf = &srv->files[srv->nfiles++];
	sf->path = yj_strdup(url_path);
	sf->len = b.len;
	sf->data = yj_buf_detach(&b);
	sf->type = mime(url_path);
	sf->immutable = strncmp(url_path, "/assets/", 8) == 0;
	sf->gz = sf->br = NULL;
	sf->gz_len = sf->br_len = 0;
	unsigned char h[8];
	crypto_generichash(h, sizeof h, (const unsigned char *)sf->data, sf->len, NULL, 0);
	char hex[17];
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(sf->etag, sizeof sf->etag, "\"%s\"", hex);
	return YJ_OK;
}

static int walk(yj_server *srv, const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (!d)
		return YJ_ERR;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *fs = yj_asprintf("%s/%s", dir, e->d_name);
		char *url = yj_asprintf("%s/%s", prefix, e->d_name);
		struct stat stt;
		if (stat(fs, &stt) == 0) {
			if (S_ISDIR(stt.st_mode))
				walk(srv, fs, url);
			else if (S_ISREG(stt.st_mode))
				load_file(srv, fs, url);
		}
		free(fs);
		free(url);
	}
	closedir(d);
	return YJ_OK;
}

static static_file *find(yj_server *srv, const char *path)
{
	for (size_t i = 0; i < srv->nfiles; i++)
		if (strcmp(srv->files[i].path, path) == 0)
			return &srv->files[i];
	return NULL;
}

/* 1 if path ends with suffix */
static int ends_with(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);
	return n > m && strcmp(path + n - m, suffix) == 0;
}

/* Moves each x.gz / x.br that has its x into x as a variant (only when smaller: a copy that does not
 * save bytes is not worth the header), and drops it from the list: it is never served by its name.
 * Two passes: attach (nothing freed, so find() reads live entries), then compact. */
static void attach_variants(yj_server *srv)
{
	char *drop = yj_calloc(srv->nfiles ? srv->nfiles : 1, 1);
	for (size_t i = 0; i < srv->nfiles; i++) {
		static_file *v = &srv->files[i];
		int gz = ends_with(v->path, ".gz"), br = ends_with(v->path, ".br");
		if (!gz && !br)
			continue;
		char *name = yj_strdup(v->path);
		name[strlen(name) - 3] = '\0';
		static_file *base = find(srv, name);
		free(name);
		if (!base)
			continue; /* no x: an ordinary file after all */
		drop[i] = 1;
		if (v->len < base->len && !(gz ? base->gz : base->br)) {
			*(gz ? &base->gz : &base->br) = v->data;
			*(gz ? &base->gz_len : &base->br_len) = v->len;
			v->data = NULL;
		}
	}
	size_t keep = 0;
	for (size_t i = 0; i < srv->nfiles; i++) {
		if (drop[i]) {
			free(srv->files[i].path);
			free(srv->files[i].data);
		} else {
			srv->files[keep++] = srv->files[i];
		}
	}
	srv->nfiles = keep;
	free(drop);
}

int yj_static_load(yj_server *srv, const char *dir, char **err)
{
	if (walk(srv, dir, "") < 0) {
		*err = yj_asprintf("cannot read the console files in %s (run make to build web/dist)", dir);
		return YJ_ERR;
	}
	attach_variants(srv);
	return YJ_OK;
}

/* Whether an Accept-Encoding header lists coding (as a token, not refused with q=0). */
static int accepts(const char *header, const char *coding)
{
	size_t n = strlen(coding);
	for (const char *p = header; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = p + strcspn(p, ",");
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *tok_end = semi ? semi : end;
		while (tok_end > p && tok_end[-1] == ' ')
			tok_end--;
		if ((size_t)(tok_end - p) == n && strncasecmp(p, coding, n) == 0) {
			if (!semi)
				return 1;
			const char *q = strstr(semi, "q=");
			return !(q && q < end && strtod(q + 2, NULL) <= 0.0);
		}
		p = end;
	}
	return 0;
}

int yj_static_serve(yj_req *r)
{
	yj_server *srv = r->srv;
	const char *p = r->path;
	/* The API and every prefix a module serves outside the console (yj_server_set_prefixes) are
	 * never console pages: an unknown path there is a 404, not index.html. */
	if (!srv->nfiles || strncmp(p, "/api/", 5) == 0 || yj_server_prefix_of(srv, p))
		return YJ_ERR;
	const static_file *f = find(srv, p);
	if (!f && !strrchr(strrchr(p, '/'), '.'))
		f = find(srv, "/index.html"); /* a console route such as /profile */
	if (!f)
		return YJ_ERR;
	yj_add_header(r, "Cache-Control", f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
	yj_add_header(r, "Content-Security-Policy",
		      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
	yj_add_header(r, "ETag", f->etag);
	if (f->gz || f->br)
		yj_add_header(r, "Vary", "Accept-Encoding");
	const char *inm = yj_header(r, "If-None-Match");
	if (inm && (strstr(inm, f->etag) || strcmp(inm, "*") == 0))
		return yj_reply_empty(r, 304);
	const char *ae = yj_header(r, "Accept-Encoding");
	if (f->br && ae && accepts(ae, "br")) {
		yj_add_header(r, "Content-Encoding", "br");
		return yj_reply_data(r, 200, f->type, f->br, f->br_len);
	}
	if (f->gz && ae && accepts(ae, "gzip")) {
		yj_add_header(r, "Content-Encoding", "gzip");
		return yj_reply_data(r, 200, f->type, f->gz, f->gz_len);
	}
	return yj_reply_data(r, 200, f->type, f->data, f->len);
}

void yj_static_free(yj_server *srv)
{
	for (size_t i = 0; i < srv->nfiles; i++) {
		free(srv->files[i].path);
		free(srv->files[i].data);
		free(srv->files[i].gz);
		free(srv->files[i].br);
	}
	free(srv->files);
	srv->files = NULL;
	srv->nfiles = 0;
}
