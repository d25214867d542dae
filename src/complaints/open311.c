/* open311.c — the wire formats of Open311 GeoReport v2 (docs/open311.md): answers in JSON or in
 * schemaless XML chosen by the path's .json / .xml suffix, the XML written from the same JSON by the
 * spec's Spark convention (an array under a plural element holds its singular elements), errors as
 * [{code, description}], and the application/x-www-form-urlencoded body of POST requests with its
 * attribute[code]=value and attribute[code][]=value pairs. No store, no state. */
#define _POSIX_C_SOURCE 200809L
#include "open311.h"

#include <stdlib.h>
#include <string.h>

int o311_format(const char *segment, char *stem, size_t cap)
{
	size_t n = segment ? strlen(segment) : 0;
	int fmt = n > 5 && !strcmp(segment + n - 5, ".json") ? O311_JSON : n > 4 && !strcmp(segment + n - 4, ".xml") ? O311_XML : 0;
	if (!fmt || !stem)
		return fmt;
	size_t k = n - (fmt == O311_JSON ? 5 : 4);
	if (k + 1 > cap)
		return 0;
	memcpy(stem, segment, k);
	stem[k] = '\0';
	return fmt;
}

/* The element of one item of an array under name (the spec's plural → singular). */
static const char *singular(const char *name)
{
	static const char *const pairs[][2] = {
		{"services", "service"},	 {"attributes", "attribute"}, {"values", "value"},
		{"service_requests", "request"}, {"errors", "error"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		if (!strcmp(pairs[i][0], name))
			return pairs[i][1];
	return "item";
}

static void xml_text(yj_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': yj_buf_puts(b, "&lt;"); break;
		case '>': yj_buf_puts(b, "&gt;"); break;
		case '&': yj_buf_puts(b, "&amp;"); break;
		case '"': yj_buf_puts(b, "&quot;"); break;
		case '\'': yj_buf_puts(b, "&apos;"); break;
		default: yj_buf_append(b, s, 1);
		}
	}
}

static void xml_value(yj_buf *b, const char *name, const json_t *v)
{
	if (json_is_null(v)) {
		yj_buf_printf(b, "<%s/>", name);
		return;
	}
	yj_buf_printf(b, "<%s>", name);
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			xml_value(b, singular(name), x);
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x)
			xml_value(b, k, x);
	} else if (json_is_string(v)) {
		xml_text(b, json_string_value(v));
	} else if (json_is_boolean(v)) {
		yj_buf_puts(b, json_is_true(v) ? "true" : "false");
	} else if (json_is_integer(v)) {
		yj_buf_printf(b, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		yj_buf_printf(b, "%.10g", json_real_value(v));
	}
	yj_buf_printf(b, "</%s>", name);
}

int o311_reply(yj_req *r, int fmt, int status, const char *root, json_t *body)
{
	if (fmt == O311_XML) {
		yj_buf b = YJ_BUF_INIT;
		yj_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
		xml_value(&b, root, body);
		yj_buf_puts(&b, "\n");
		json_decref(body);
		size_t len = b.len;
		return yj_reply_take(r, status, "text/xml; charset=utf-8", yj_buf_detach(&b), len);
	}
	char *s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return yj_reply_take(r, status, "application/json; charset=utf-8", s, strlen(s));
}

int o311_error(yj_req *r, int fmt, int status, const char *description)
{
	return o311_reply(r, fmt ? fmt : O311_JSON, status, "errors",
			  json_pack("[{s:i, s:s}]", "code", status, "description", description));
}

int o311_problem(yj_req *r, int status, const char *title, const char *detail, json_t *errors)
{
	/* The spec's error body has one description per error; the title and detail say it all (the
	 * per-field errors are the platform's, already summed up in detail). */
	json_decref(errors);
	const char *path = yj_path(r);
	size_t n = path ? strlen(path) : 0;
	int fmt = n > 4 && !strcmp(path + n - 4, ".xml") ? O311_XML : O311_JSON;
	char *desc = yj_asprintf("%s：%s", title, detail);
	json_t *body = json_pack("[{s:i, s:s}]", "code", status, "description", desc);
	free(desc);
	if (!body) /* a detail that is not valid UTF-8 must still produce an answer, not a crash */
		body = json_pack("[{s:i, s:s}]", "code", status, "description", "请求有误，请检查后重试。");
	return o311_reply(r, fmt, status, "errors", body);
}

/* Percent-decoding of s[0..n) ('+' is a space) into a new string, or NULL when an escape is malformed
 * or the result is not UTF-8 (the spec: all text received is UTF-8). */
static char *form_decode(const char *s, size_t n)
{
	char *out = yj_malloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[k++] = ' ';
		} else if (s[i] == '%') {
			unsigned char v;
			if (i + 2 >= n || yj_hex_decode((char[]){s[i + 1], s[i + 2], 0}, &v, 1) != 1) {
				free(out);
				return NULL;
			}
			out[k++] = (char)v;
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	if (memchr(out, '\0', k) || !yj_utf8_valid(out, k)) {
		free(out);
		return NULL;
	}
	return out;
}

json_t *o311_form_parse(const char *body, size_t len)
{
	json_t *form = json_object(), *attrs = json_object();
	size_t i = 0;
	while (i < len) {
		const char *p = body + i, *amp = memchr(p, '&', len - i);
		size_t n = amp ? (size_t)(amp - p) : len - i;
		i += n + 1;
		if (!n)
			continue;
		const char *eq = memchr(p, '=', n);
		char *key = form_decode(p, eq ? (size_t)(eq - p) : n), *val = eq ? form_decode(eq + 1, n - (size_t)(eq - p) - 1)
										 : yj_strdup("");
		if (!key || !val) {
			free(key);
			free(val);
			json_decref(form);
			json_decref(attrs);
			return NULL;
		}
		size_t kl = strlen(key);
		if (!strncmp(key, "attribute[", 10) && kl > 11) {
			/* attribute[code]=v, or attribute[code][]=v repeated for a multivaluelist */
			int multi = kl > 13 && !strcmp(key + kl - 3, "][]");
			size_t cl = kl - 10 - (multi ? 3 : 1);
			if (key[10 + cl] == ']' && cl) {
				key[10 + cl] = '\0';
				const char *code = key + 10;
				json_t *cur = json_object_get(attrs, code);
				if (multi) {
					if (!json_is_array(cur))
						json_object_set_new(attrs, code, cur = json_array());
					json_array_append_new(cur, json_string(val));
				} else {
					json_object_set_new(attrs, code, json_string(val));
				}
			}
		} else {
			json_object_set_new(form, key, json_string(val)); /* a repeated name: the last wins */
		}
		free(key);
		free(val);
	}
	json_object_set_new(form, "attribute", attrs);
	return form;
}
