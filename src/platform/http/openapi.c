/* openapi.c — the OpenAPI 3.1 description, generated from the same route table the router uses,
 * so the document cannot drift from the code. */
#include "http_int.h"

#include <string.h>

static const char *schema_type(enum yj_ftype t)
{
	switch (t) {
	case F_STRING: return "string";
	case F_INT: return "integer";
	case F_BOOL: return "boolean";
	case F_OBJECT: return "object";
	case F_ARRAY: return "array";
	case F_NUMBER: return "number";
	case F_RAW: return "string";
	case F_FILE: return "string";
	}
	return "string";
}

static json_t *body_schema(const yj_field *fields)
{
	json_t *props = json_object(), *req = json_array();
	for (const yj_field *f = fields; f->name; f++) {
		json_t *p = json_pack("{s:s, s:s}", "type", schema_type(f->type), "description", f->desc ? f->desc : "");
		if (f->type == F_STRING)
			json_object_set_new(p, "maxLength", json_integer(f->max_len ? f->max_len : 1000));
		json_object_set_new(props, f->name, p);
		if (f->required)
			json_array_append_new(req, json_string(f->name));
	}
	return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties", props, "required", req,
			 "additionalProperties", 0);
}

static json_t *parameters(const yj_route *rt)
{
	json_t *ps = json_array();
	for (const char *p = strchr(rt->path, '{'); p; p = strchr(p + 1, '{')) {
		const char *e = strchr(p, '}');
		char name[64];
		size_t n = (size_t)(e - p - 1);
		if (n >= sizeof name)
			n = sizeof name - 1;
		memcpy(name, p + 1, n);
		name[n] = '\0';
		json_array_append_new(ps, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "path", "required", 1,
						    "schema", "type", "string"));
	}
	for (const yj_qparam *q = rt->query; q && q->name; q++)
		json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", q->name, "in", "query",
						    "description", q->desc ? q->desc : "", "schema", "type", "string"));
	return ps;
}

static json_t *operation(const yj_route *rt)
{
	char opid[256], *o = opid;
	/* operationId: method and path with non-alphanumerics dropped, e.g. getApiV1RegionsCode */
	for (const char *m = rt->method; *m && o < opid + 8; m++)
		*o++ = (char)(*m | 0x20);
	int up = 1;
	for (const char *p = rt->path; *p && o < opid + sizeof opid - 1; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
			*o++ = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
			up = 0;
		} else {
			up = 1;
		}
	}
	*o = '\0';
	char code[8];
	snprintf(code, sizeof code, "%d", rt->success ? rt->success : 200);
	json_t *responses = json_object();
	json_object_set_new(responses, code, json_pack("{s:s}", "description", rt->response ? rt->response : "OK"));
	json_object_set_new(responses, "default",
			    json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Problem (RFC 9457), Chinese title and detail",
				      "content", "application/problem+json", "schema", "$ref",
				      "#/components/schemas/Problem"));
	json_t *op = json_pack("{s:s, s:s, s:[s], s:o, s:o}", "operationId", opid, "summary", rt->summary ? rt->summary : "",
			       "tags", rt->tag ? rt->tag : "misc", "parameters", parameters(rt), "responses", responses);
	if (rt->body && (rt->body[0].type == F_RAW || rt->body[0].type == F_FILE))
		json_object_set_new(op, "requestBody",
				    json_pack("{s:b, s:s, s:{s:{s:{s:s}}}}", "required", 1, "description",
					      rt->body[0].desc ? rt->body[0].desc : "", "content", rt->body[0].name, "schema",
					      "type", "string"));
	else if (rt->body)
		json_object_set_new(op, "requestBody",
				    json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content", "application/json", "schema",
					      body_schema(rt->body)));
	if (rt->roles == ROLE_PUBLIC)
		json_object_set_new(op, "security", json_array());
	return op;
}

json_t *yj_openapi(const yj_route *const *tables, size_t ntables)
{
	json_t *paths = json_object();
	for (size_t t = 0; t < ntables; t++)
		for (const yj_route *rt = tables[t]; rt->method; rt++) {
			json_t *item = json_object_get(paths, rt->path);
			if (!item) {
				item = json_object();
				json_object_set_new(paths, rt->path, item);
			}
			char m[16];
			size_t i = 0;
			for (; rt->method[i] && i < sizeof m - 1; i++)
				m[i] = (char)(rt->method[i] | 0x20);
			m[i] = '\0';
			json_object_set_new(item, m, operation(rt));
		}
	json_t *problem = json_pack(
		"{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:{s:s, s:{s:{s:s}, s:{s:s}}}}}}", "type",
		"object", "properties", "type", "type", "string", "title", "type", "string", "status", "type", "integer",
		"detail", "type", "string", "instance", "type", "string", "errors", "type", "array", "items", "type",
		"object", "properties", "field", "type", "string", "detail", "type", "string");
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:o}, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}}, s:[{s:[]}, {s:[]}]}",
			 "openapi", "3.1.0", "info", "title", "yijian 医监 API", "version", YJ_VERSION, "description",
			 "Comprehensive supervision platform for the health sector. Errors are RFC 9457 problem+json with "
			 "Chinese title/detail. Ids are strings. Lists use cursor pagination (limit, cursor → next_cursor).",
			 "paths", paths, "components", "schemas", "Problem", problem, "securitySchemes", "session", "type",
			 "apiKey", "in", "cookie", "name", "yj_session", "bearer", "type", "http", "scheme", "bearer",
			 "security", "session", "bearer");
}
