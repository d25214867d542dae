/* docs_model.c — the document model's one validator (docs.h describes the model): every renderer
 * and every issue checks the same rules, and a fault is named in Chinese with its place so a
 * capability's form can show it. */
#include "docs.h"
#include "../../base/base.h"
#include "../../base/date.h"

#include <string.h>

#define TEXT_MAX 20000	 /* bytes of one text */
#define BLOCKS_MAX 2000	 /* blocks of one document */
#define ROWS_MAX 500	 /* rows of one fields block */
#define TOTAL_MAX 400000 /* bytes of all texts of a document (some 200 pages): rendering time stays bounded */
#define IMAGE_MAX 400000 /* base64 bytes of one image block (300 KB of PNG) */

/* Bytes of text in block b (validated). */
static size_t block_bytes(const json_t *b)
{
	size_t n = 0;
	const char *keys[] = {"text", "organ", "caption", "url"};
	for (size_t i = 0; i < YJ_ARRAY_LEN(keys); i++) {
		const char *s = json_string_value(json_object_get(b, keys[i]));
		n += s ? strlen(s) : 0;
	}
	size_t k;
	const json_t *row;
	json_array_foreach(json_object_get(b, "rows"), k, row)
		n += strlen(json_string_value(json_object_get(row, "label"))) +
		     strlen(json_string_value(json_object_get(row, "value")));
	return n;
}

/* Valid UTF-8 without control characters; '\n' allowed when multiline. */
static int text_ok(const char *s, int multiline)
{
	size_t n = strlen(s);
	if (n > TEXT_MAX || !yj_utf8_valid(s, n))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && *p == '\n')) || *p == 0x7f)
			return 0;
	return 1;
}

/* The string at key of o into *out: 1 when present and valid, 0 when absent (and optional), -1 when bad. */
static int str_at(const json_t *o, const char *key, int multiline, const char **out)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v) || !text_ok(json_string_value(v), multiline))
		return -1;
	*out = json_string_value(v);
	return 1;
}

static int fault(char **err, const char *fmt, size_t i, const char *what)
{
	if (err)
		*err = yj_asprintf(fmt, i, what);
	return YJ_ERR;
}

static int block_ok(const json_t *b, size_t i, char **err)
{
	const char *type = json_string_value(json_object_get(b, "type")), *s;
	if (!json_is_object(b) || !type)
		return fault(err, "blocks[%zu]：%s", i, "每一块应为带 type 的对象");
	if (!strcmp(type, "heading")) {
		if (str_at(b, "text", 0, &s) != 1 || !*s)
			return fault(err, "blocks[%zu].text：%s", i, "标题应为不含控制字符的非空文字");
	} else if (!strcmp(type, "paragraph")) {
		if (str_at(b, "text", 1, &s) != 1)
			return fault(err, "blocks[%zu].text：%s", i, "正文应为不含控制字符的文字");
		const json_t *ind = json_object_get(b, "indent");
		if (ind && !json_is_boolean(ind))
			return fault(err, "blocks[%zu].indent：%s", i, "应为 true 或 false");
		if (str_at(b, "align", 0, &s) < 0 ||
		    (s && strcmp(s, "left") && strcmp(s, "center") && strcmp(s, "right")))
			return fault(err, "blocks[%zu].align：%s", i, "应为 left、center 或 right");
	} else if (!strcmp(type, "fields")) {
		const json_t *rows = json_object_get(b, "rows");
		if (!json_is_array(rows) || json_array_size(rows) > ROWS_MAX)
			return fault(err, "blocks[%zu].rows：%s", i, "应为不超过 500 行的数组");
		size_t k;
		const json_t *row;
		json_array_foreach(rows, k, row) {
			const char *l, *v;
			if (!json_is_object(row) || str_at(row, "label", 0, &l) != 1 || str_at(row, "value", 1, &v) != 1)
				return fault(err, "blocks[%zu].rows：%s", i, "每行应有文字 label 和 value");
		}
	} else if (!strcmp(type, "signature")) {
		int64_t day;
		if (str_at(b, "organ", 0, &s) != 1 || !*s)
			return fault(err, "blocks[%zu].organ：%s", i, "请填写落款机关名称");
		if (str_at(b, "date", 0, &s) < 0 || (s && yj_day_parse(s, &day) < 0))
			return fault(err, "blocks[%zu].date：%s", i, "日期应为 YYYY-MM-DD");
		const json_t *seal = json_object_get(b, "seal");
		if (seal && !json_is_boolean(seal))
			return fault(err, "blocks[%zu].seal：%s", i, "应为 true 或 false");
	} else if (!strcmp(type, "qr")) {
		if (str_at(b, "url", 0, &s) < 0 || (s && (!*s || strlen(s) > 1000)))
			return fault(err, "blocks[%zu].url：%s", i, "二维码地址应为不超过 1000 字节的文字");
		if (str_at(b, "caption", 0, &s) < 0)
			return fault(err, "blocks[%zu].caption：%s", i, "说明应为不含控制字符的文字");
	} else if (!strcmp(type, "image")) {
		/* Base64 of a PNG (a handwritten signature captured on a phone): the renderer decodes it;
		 * here only its form and size, so a bad picture is refused before anything is issued. */
		const json_t *png = json_object_get(b, "png"), *w = json_object_get(b, "width_mm");
		const char *v = json_string_value(png);
		if (!v || strlen(v) > IMAGE_MAX || strncmp(v, "iVBORw0KGgo", 11))
			return fault(err, "blocks[%zu].png：%s", i, "应为不超过 300 KB 的 PNG 图片的 Base64 文字");
		if (w && (!json_is_integer(w) || json_integer_value(w) < 10 || json_integer_value(w) > 150))
			return fault(err, "blocks[%zu].width_mm：%s", i, "图片宽度应为 10 到 150 毫米");
		if (str_at(b, "caption", 0, &s) < 0)
			return fault(err, "blocks[%zu].caption：%s", i, "说明应为不含控制字符的文字");
	} else if (!strcmp(type, "space")) {
		const json_t *n = json_object_get(b, "lines");
		if (n && (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > 10))
			return fault(err, "blocks[%zu].lines：%s", i, "空行数应为 1 到 10");
	} else if (strcmp(type, "page_break")) {
		return fault(err, "blocks[%zu].type：%s", i,
			     "应为 heading、paragraph、fields、signature、qr、image、space 或 page_break");
	}
	return YJ_OK;
}

int yj_doc_validate(const json_t *model, char **err)
{
	const char *s;
	if (err)
		*err = NULL;
	if (!json_is_object(model)) {
		if (err)
			*err = yj_strdup("文书内容应为 JSON 对象");
		return YJ_ERR;
	}
	if (str_at(model, "title", 0, &s) != 1 || !*s || strlen(s) > 200) {
		if (err)
			*err = yj_strdup("title：请填写文书名称（不超过 200 字节）");
		return YJ_ERR;
	}
	if (str_at(model, "organ", 0, &s) < 0 || (s && strlen(s) > 200)) {
		if (err)
			*err = yj_strdup("organ：机关名称应为不超过 200 字节的文字");
		return YJ_ERR;
	}
	const json_t *blocks = json_object_get(model, "blocks");
	if (!json_is_array(blocks) || json_array_size(blocks) > BLOCKS_MAX) {
		if (err)
			*err = yj_strdup("blocks：正文应为不超过 2000 块的数组");
		return YJ_ERR;
	}
	size_t i, total = 0;
	const json_t *b;
	json_array_foreach(blocks, i, b) {
		if (block_ok(b, i, err) < 0)
			return YJ_ERR;
		if ((total += block_bytes(b)) > TOTAL_MAX) {
			if (err)
				*err = yj_asprintf("blocks[%zu]：文书全文超过 %d 字节，请拆分为多份文书", i, TOTAL_MAX);
			return YJ_ERR;
		}
	}
	return YJ_OK;
}
