/* fhir_outcome.c — the FHIR interface's errors: under /fhir/ every problem reply goes out as an
 * OperationOutcome, which FHIR clients parse, rather than problem+json; the same title, detail and
 * per-field errors go in its issues. The platform calls it through the module's path prefix. */
#define _POSIX_C_SOURCE 200809L
#include "fhir_int.h"

#include <stdlib.h>
#include <string.h>

/* The issue type (http://hl7.org/fhir/issue-type) closest to the HTTP status. */
static const char *outcome_code(int status)
{
	switch (status) {
	case 401: return "login";
	case 403: return "forbidden";
	case 404: return "not-found";
	case 405: case 406: case 415: return "not-supported";
	case 409: return "conflict";
	case 413: return "too-costly";
	case 503: return "transient";
	default: return status >= 500 ? "exception" : "invalid";
	}
}

int fhir_reply_outcome(yj_req *r, int status, const char *title, const char *detail, json_t *errors)
{
	const char *code = outcome_code(status);
	char *diag = yj_asprintf("%s：%s", title, detail);
	json_t *issues = json_pack("[{s:s, s:s, s:s}]", "severity", status >= 500 ? "fatal" : "error", "code", code,
				   "diagnostics", diag);
	free(diag);
	if (!issues) /* a detail that is not valid UTF-8 must still produce an answer, not a crash */
		issues = json_pack("[{s:s, s:s, s:s}]", "severity", status >= 500 ? "fatal" : "error", "code", code,
				   "diagnostics", "请求有误，请检查后重试。");
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) {
		const char *field = json_string_value(json_object_get(e, "field"));
		json_t *issue = json_pack("{s:s, s:s, s:s}", "severity", "error", "code", code, "diagnostics",
					  json_string_value(json_object_get(e, "detail")) ? json_string_value(json_object_get(e, "detail")) : "");
		if (!issue)
			continue;
		if (field && *field)
			json_object_set_new(issue, "expression", json_pack("[s]", field));
		json_array_append_new(issues, issue);
	}
	json_decref(errors);
	json_t *oo = json_pack("{s:s, s:o}", "resourceType", "OperationOutcome", "issue", issues);
	char *s = json_dumps(oo, JSON_COMPACT);
	json_decref(oo);
	return yj_reply_take(r, status, "application/fhir+json; charset=utf-8", s, strlen(s));
}
