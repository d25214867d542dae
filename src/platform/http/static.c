/* static.c — serves the built console (web/dist) from memory: files are read once at start.
 * Unknown GET paths outside the API fall back to index.html so the console's history-mode
 * routes survive a reload. */
#define _POSIX_C_SOURCE 200809L
#include "http_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int yj_static_load(yj_server *srv, const char *dir, char **err)
{
	if (walk(srv, dir, "") < 0) {
		*err = yj_asprintf("cannot read the console files in %s (run make to build web/dist)", dir);
		return YJ_ERR;
	}
	return YJ_OK;
}

static const static_file *find(yj_server *srv, const char *path)
{
	for (size_t i = 0; i < srv->nfiles; i++)
		if (strcmp(srv->files[i].path, path) == 0)
			return &srv->files[i];
	return NULL;
}

int yj_static_serve(yj_req *r)
{
	yj_server *srv = r->srv;
	const char *p = r->path;
	if (!srv->nfiles || strncmp(p, "/api/", 5) == 0 || strncmp(p, "/fhir/", 6) == 0 ||
	    strncmp(p, "/open311/", 9) == 0)
		return YJ_ERR;
	const static_file *f = find(srv, p);
	if (!f && !strrchr(strrchr(p, '/'), '.'))
		f = find(srv, "/index.html"); /* a console route such as /profile */
	if (!f)
		return YJ_ERR;
	yj_add_header(r, "Cache-Control", f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
	yj_add_header(r, "Content-Security-Policy",
		      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
	return yj_reply_data(r, 200, f->type, f->data, f->len);
}

void yj_static_free(yj_server *srv)
{
	for (size_t i = 0; i < srv->nfiles; i++) {
		free(srv->files[i].path);
		free(srv->files[i].data);
	}
	free(srv->files);
	srv->files = NULL;
	srv->nfiles = 0;
}
