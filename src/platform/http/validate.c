/* validate.c — checks a request against its route's description before the handler runs:
 * no unknown query parameters, and a JSON body that is an object whose fields are known, of the
 * right type, within length limits. Problems found are reported in errors[], in Chinese (the first
 * YJ_MAX_ERRORS of them; the rest are counted). */
#include "http_int.h"

#include <string.h>

#define DEFAULT_MAX_LEN 1000

static const char *type_name_zh(enum yj_ftype t)
{
	switch (t) {
	case F_STRING: return "字符串";
	case F_INT: return "整数";
	case F_BOOL: return "布尔值";
	case F_OBJECT: return "对象";
	case F_ARRAY: return "数组";
	case F_NUMBER: return "数字";
	case F_RAW: return "正文";
	case F_FILE: return "文件";
	}
	return "?";
}

static int type_ok(enum yj_ftype t, const json_t *v)
{
	switch (t) {
	case F_STRING: return json_is_string(v);
	case F_INT: return json_is_integer(v);
	case F_BOOL: return json_is_boolean(v);
	case F_OBJECT: return json_is_object(v);
	case F_ARRAY: return json_is_array(v);
	case F_NUMBER: return json_is_number(v);
	case F_RAW: return 0; /* never inside a JSON body */
	case F_FILE: return 0;
	}
	return 0;
}

/* The errors found so far: at most YJ_MAX_ERRORS listed, the rest only counted, so a body of
 * 400,000 unknown keys costs neither 400,000 objects in memory nor a 22 MB answer. */
struct errlist {
	json_t *list;
	size_t omitted;
};

static void add_error(struct errlist *e, const char *field, const char *detail)
{
	if (json_array_size(e->list) < YJ_MAX_ERRORS)
		yj_field_error(e->list, field, detail);
	else
		e->omitted++;
}

static size_t nerrors(const struct errlist *e)
{
	return json_array_size(e->list) + e->omitted;
}

int yj_validate_body(yj_req *r)
{
	const yj_field *fields = r->route->body;
	struct errlist errors = {json_array(), 0};
	char msg[160];

	if (!json_is_object(r->body)) {
		add_error(&errors, "", "请求正文应为 JSON 对象");
		goto fail;
	}
	const char *key;
	json_t *v;
	json_object_foreach(r->body, key, v) {
		const yj_field *f = fields;
		while (f->name && strcmp(f->name, key) != 0)
			f++;
		if (!f->name) {
			add_error(&errors, key, "未知字段，请删除");
			continue;
		}
		if (json_is_null(v) && !f->required)
			continue;
		if (!type_ok(f->type, v)) {
			snprintf(msg, sizeof msg, "应为%s", type_name_zh(f->type));
			add_error(&errors, key, msg);
			continue;
		}
		if (f->type == F_STRING) {
			const char *s = json_string_value(v);
			size_t n = yj_utf8_len(s, json_string_length(v));
			int max = f->max_len ? f->max_len : DEFAULT_MAX_LEN;
			if (strlen(s) != json_string_length(v)) {
				add_error(&errors, key, "不能包含空字符");
			} else if (n > (size_t)max) {
				snprintf(msg, sizeof msg, "长度不能超过 %d 个字符", max);
				add_error(&errors, key, msg);
			}
		}
	}
	for (const yj_field *f = fields; f->name; f++) {
		json_t *fv = json_object_get(r->body, f->name);
		if (f->required && (!fv || json_is_null(fv)))
			add_error(&errors, f->name, "必填");
		else if (f->required && f->type == F_STRING && json_is_string(fv) && json_string_length(fv) == 0)
			add_error(&errors, f->name, "不能为空");
	}
	if (nerrors(&errors) == 0) {
		json_decref(errors.list);
		return YJ_OK;
	}
fail:
	yj_reply_problem_capped(r, 422, "validation", "提交的数据有误", "请按字段提示修改后重新提交。", errors.list,
				errors.omitted);
	return YJ_ERR;
}

static int known_query(const yj_route *rt, const char *name)
{
	for (const yj_qparam *q = rt->query; q && q->name; q++)
		if (strcmp(q->name, name) == 0)
			return 1;
	return 0;
}

struct qcheck {
	yj_req *r;
	struct errlist errors;
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct qcheck *qc = cls;
	if (!known_query(qc->r->route, key))
		add_error(&qc->errors, key, "不支持的查询参数");
	else if (value && !yj_utf8_valid(value, strlen(value)))
		add_error(&qc->errors, key, "参数不是有效的 UTF-8");
	return MHD_YES;
}

int yj_validate_query(yj_req *r)
{
	struct qcheck qc = {r, {json_array(), 0}};
	if (r->conn) {
		MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &qc);
	} else {
		for (size_t i = 0; i < r->fake_nq; i++)
			check_arg(&qc, MHD_GET_ARGUMENT_KIND, r->fake_qv[2 * i], r->fake_qv[2 * i + 1]);
	}
	if (nerrors(&qc.errors) == 0) {
		json_decref(qc.errors.list);
		return YJ_OK;
	}
	yj_reply_problem_capped(r, 400, "validation", "查询参数有误", "请按提示修正查询参数后重试。", qc.errors.list,
				qc.errors.omitted);
	return YJ_ERR;
}
