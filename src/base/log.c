/* log.c — one JSON object per line on stderr, written with a single write(2) so lines from
 * concurrent threads never interleave. */
#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static enum yj_log_level min_level = YJ_LOG_INFO;
static const char *level_names[] = {"debug", "info", "warn", "error"};

void yj_log_set_level(enum yj_log_level level)
{
	min_level = level;
}

void yj_json_quote(yj_buf *b, const char *s)
{
	yj_buf_append(b, "\"", 1);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			yj_buf_append(b, e, 2);
		} else if (c < 0x20) {
			yj_buf_printf(b, "\\u%04x", c);
		} else {
			yj_buf_append(b, s, 1);
		}
	}
	yj_buf_append(b, "\"", 1);
}

void yj_log(enum yj_log_level level, const char *msg, const char *fields, ...)
{
	if (level < min_level)
		return;
	yj_buf b = YJ_BUF_INIT;
	int64_t ms = yj_now_ms();
	yj_buf_printf(&b, "{\"ts\":%lld.%03d,\"level\":\"%s\",\"msg\":", (long long)(ms / 1000), (int)(ms % 1000),
		      level_names[level]);
	yj_json_quote(&b, msg);
	if (fields && *fields) {
		va_list ap;
		yj_buf_puts(&b, ",");
		va_start(ap, fields);
		yj_buf_vprintf(&b, fields, ap);
		va_end(ap);
	}
	yj_buf_puts(&b, "}\n");
	ssize_t w = write(STDERR_FILENO, b.data, b.len);
	(void)w;
	yj_buf_free(&b);
}
