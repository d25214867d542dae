/* log.h — JSON-lines logging on stderr. Never pass personal data (ID numbers, phones, names of
 * complainants, patient ids) to these functions: log ids and codes, not people. */
#ifndef YJ_LOG_H
#define YJ_LOG_H

#include "base.h"

enum yj_log_level { YJ_LOG_DEBUG, YJ_LOG_INFO, YJ_LOG_WARN, YJ_LOG_ERROR };

void yj_log_set_level(enum yj_log_level level);
/* msg is a fixed event name; fields is a printf format producing zero or more `"key":value` pairs
 * (already JSON), e.g. yj_log(YJ_LOG_INFO, "http.request", "\"status\":%d", 200). */
void yj_log(enum yj_log_level level, const char *msg, const char *fields, ...) YJ_PRINTF(3, 4);

/* Appends s to b as a JSON string literal with quotes. */
void yj_json_quote(yj_buf *b, const char *s);

#endif
