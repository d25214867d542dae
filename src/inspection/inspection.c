/* inspection.c — the logic of inspection that needs neither the store nor HTTP: task kinds and their
 * names, what counts as blank or clean text, comma lists of ids, whether an inspector's territory
 * covers a subject's, and what a file is by its first bytes. Unit-testable on its own. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[][2] = {
	{"random", "双随机抽查"}, {"patrol", "日常巡查"}, {"supervision", "专项督查"}, {"rectification", "专项整治"},
	{"post_penalty", "处罚后复查"}, {"flight", "飞行检查"}, {"follow_up", "整改复查"}};

const char *insp_task_kind_label(const char *k)
{
	for (size_t i = 0; k && i < YJ_ARRAY_LEN(kinds); i++)
		if (!strcmp(kinds[i][0], k))
			return kinds[i][1];
	return NULL;
}

int insp_blank(const char *s)
{
	if (!s)
		return 1;
	while (*s) {
		if (strchr(" \t\r\n", *s))
			s++;
		else if (!strncmp(s, "\xe3\x80\x80", 3))
			s += 3;
		else
			return 0;
	}
	return 1;
}

int insp_clean(const char *s, int multiline)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 && !(multiline && (*s == '\n' || *s == '\t' || *s == '\r')))
			return 0;
		else if (*s == 0x7f)
			return 0;
	return 1;
}

json_t *insp_csv_array(const char *csv)
{
	json_t *a = json_array();
	while (csv && *csv) {
		const char *e = strchr(csv, ',');
		size_t n = e ? (size_t)(e - csv) : strlen(csv);
		if (n)
			json_array_append_new(a, json_stringn(csv, n));
		csv = e ? e + 1 : NULL;
	}
	return a;
}

char *insp_array_csv(const json_t *arr)
{
	yj_buf b = YJ_BUF_INIT;
	size_t i;
	json_t *v;
	yj_buf_puts(&b, "");
	json_array_foreach(arr, i, v) {
		if (i)
			yj_buf_puts(&b, ",");
		yj_buf_puts(&b, json_string_value(v) ? json_string_value(v) : "");
	}
	return yj_buf_detach(&b);
}

/* Whether an inspector with territory `ins` covers a subject in `subject` (draw.md: prefix rule). */
int insp_region_covers(const char *ins, const char *subject)
{
	char p[16];
	yj_region_prefix(ins, p);
	return strncmp(subject, p, strlen(p)) == 0;
}

/* The media type from the file's signature: what the content is, not what the client says. */
const char *insp_media_sniff(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "image/webp";
	if (n >= 5 && !memcmp(p, "%PDF-", 5))
		return "application/pdf";
	if (n >= 12 && !memcmp(p + 4, "ftyp", 4))
		return !memcmp(p + 8, "heic", 4) || !memcmp(p + 8, "heix", 4) || !memcmp(p + 8, "mif1", 4) ? "image/heic" : "video/mp4";
	return NULL;
}

void insp_human_bytes(int64_t n, char out[32])
{
	if (n >= (int64_t)1 << 30)
		snprintf(out, 32, "%.1f GiB", (double)n / (1 << 30));
	else if (n >= 1 << 20)
		snprintf(out, 32, "%.1f MiB", (double)n / (1 << 20));
	else if (n >= 1 << 10)
		snprintf(out, 32, "%.1f KiB", (double)n / (1 << 10));
	else
		snprintf(out, 32, "%lld 字节", (long long)n);
}
