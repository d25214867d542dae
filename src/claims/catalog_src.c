/* catalog_src.c — a catalogue as the insurance bureau publishes it: CSV or an Excel workbook's sheet
 * read into rows of strings (catalog_int.h), and the bureau's Chinese column names (or a province's
 * own, mapped by --columns) matched to the columns `yijian rules import` validates. */
#include "catalog_int.h"
#include "claims.h"
#include "../base/base.h"

#include <stdlib.h>
#include <string.h>

/* The names bureaus publish for each of our columns, in the order they are preferred when a sheet
 * has several (a catalogue with both 医保药品编码 and 药品代码 takes the first listed here). */
static const struct alias {
	const char *ours;
	const char *const names[12];
} aliases[] = {
	{"item_code", {"药品编码", "药品代码", "医保药品编码", "医保药品代码", "国家医保药品编码", "项目编码", "项目代码",
		       "医疗服务项目编码", "收费项目编码", "医保项目编码", "医保编码", NULL}},
	{"item_name", {"药品名称", "注册名称", "通用名", "通用名称", "药品通用名", "项目名称", "医疗服务项目名称",
		       "收费项目名称", NULL}},
	{"pay_scope", {"限定支付范围", "支付限定范围", "医保支付范围", "限定范围", NULL}},
	{"sex", {"性别限制", "限定性别", "限制性别", "性别", NULL}},
	{"max_age", {"最大年龄", "年龄上限", "限定最大年龄", NULL}},
	{"min_age", {"最小年龄", "年龄下限", "限定最小年龄", NULL}},
	{"unit", {"计价单位", "计费单位", "计量单位", "单位", NULL}},
	{"max_price", {"最高限价", "最高价格", "最高支付标准", "限价", "价格", NULL}},
	{"consumable_code", {"耗材编码", "耗材代码", "医用耗材编码", "医保耗材编码", "医用耗材代码", NULL}},
	{"consumable_name", {"耗材名称", "医用耗材名称", "耗材通用名", NULL}},
	{"procedure_codes", {"手术编码", "手术代码", "手术操作编码", "手术操作代码", "适用手术编码", "对应手术编码",
			     NULL}},
	{"set_code", {"组合编码", "组合项目编码", "组套编码", "套餐编码", NULL}},
};

void cat_table_free(cat_table *t)
{
	for (int i = 0; i < t->nrows; i++) {
		if (!t->xlsx) {
			for (int k = 0; k < t->rows[i].nf; k++)
				free(t->rows[i].f[k]);
			free(t->rows[i].f);
		}
		free(t->rows[i].err);
	}
	free(t->rows);
	free(t->sheet);
	yj_xlsx_free(&t->x);
	memset(t, 0, sizeof *t);
}

int cat_table_read(const char *file, const char *data, size_t n, const char *sheet, cat_table *t, char **err)
{
	memset(t, 0, sizeof *t);
	*err = NULL;
	if (yj_xlsx_sniff(data, n)) {
		char *why = NULL;
		if (yj_xlsx_read(data, n, sheet, NULL, &t->x, &why) < 0) {
			*err = yj_asprintf("%s: %s", file, why);
			free(why);
			return YJ_ERR;
		}
		t->xlsx = 1;
		t->sheet = yj_strdup(t->x.name);
		t->nrows = t->x.nrows;
		t->rows = yj_malloc(sizeof *t->rows * (size_t)(t->nrows ? t->nrows : 1));
		for (int i = 0; i < t->nrows; i++)
			t->rows[i] = (cat_row){.row = t->x.rows[i].row, .nf = t->x.rows[i].nf, .f = t->x.rows[i].f};
		return YJ_OK;
	}
	if (sheet) {
		*err = yj_asprintf("%s: --sheet is for an Excel workbook (.xlsx); this file is not one", file);
		return YJ_ERR;
	}
	size_t skip = n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	if (!yj_utf8_valid(data + skip, n - skip)) {
		*err = yj_asprintf("%s: 文件不是 UTF-8 编码（可能是 GBK）。请先转换，例如：iconv -f GB18030 -t UTF-8 %s > 转换后.csv",
				   file, file);
		return YJ_ERR;
	}
	yj_csv r;
	yj_csv_init(&r, data + skip, n - skip);
	int cap = 0;
	while (yj_csv_next(&r)) {
		if (t->nrows == cap) {
			cap = cap ? cap * 2 : 256;
			t->rows = yj_realloc(t->rows, sizeof *t->rows * (size_t)cap);
		}
		cat_row *row = &t->rows[t->nrows++];
		*row = (cat_row){.row = t->nrows, .nf = r.nf};
		if (r.err) {
			row->err = yj_strdup(r.err);
			row->err_col = r.err_col;
		}
		row->f = yj_malloc(sizeof *row->f * (size_t)(r.nf ? r.nf : 1));
		for (int k = 0; k < r.nf; k++)
			row->f[k] = yj_csv_dup(&r, k);
	}
	yj_csv_free(&r);
	return YJ_OK;
}

/* A header cell as compared: without surrounding spaces (ASCII and U+3000) and a trailing unit in
 * brackets, "最高限价（元）" → "最高限价". Caller frees. */
static char *norm(const char *s)
{
	while (*s == ' ' || *s == '\t' || strncmp(s, "\xE3\x80\x80", 3) == 0)
		s += *s == ' ' || *s == '\t' ? 1 : 3;
	char *c = yj_strdup(s);
	size_t n = strlen(c);
	for (;;) {
		if (n && (c[n - 1] == ' ' || c[n - 1] == '\t' || c[n - 1] == '\r' || c[n - 1] == '\n'))
			n--;
		else if (n >= 3 && memcmp(c + n - 3, "\xE3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	c[n] = '\0';
	/* trailing (元) or （元）: cut from the last opening bracket when the name ends with its closing one */
	char *open = NULL;
	if (n && c[n - 1] == ')')
		open = strrchr(c, '(');
	else if (n >= 3 && strcmp(c + n - 3, "）") == 0) {
		for (char *p = c; (p = strstr(p, "（")); p += 3)
			open = p;
	}
	if (open && open > c) {
		*open = '\0';
		n = strlen(c);
		while (n && c[n - 1] == ' ')
			c[--n] = '\0';
	}
	return c;
}

static const struct alias *alias_of(const char *ours)
{
	for (size_t i = 0; i < YJ_ARRAY_LEN(aliases); i++)
		if (strcmp(aliases[i].ours, ours) == 0)
			return &aliases[i];
	return NULL;
}

#define OUR_COLUMNS                                                                                                   \
	"item_code, item_name, pay_scope, sex, max_age, min_age, unit, max_price, consumable_code, consumable_name, " \
	"procedure_codes, set_code"

typedef struct cmap {
	char **theirs, **ours;
	int n;
} cmap;

static void cmap_free(cmap *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->theirs[i]);
		free(m->ours[i]);
	}
	free(m->theirs);
	free(m->ours);
}

/* The --columns file: `their header,our column` per line; a first line naming no column of ours is a header. */
static int cmap_read(const char *path, cmap *m, char **err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = yj_asprintf("--columns %s: cannot be read", path);
		return YJ_ERR;
	}
	yj_buf b = YJ_BUF_INIT;
	char tmp[4096];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0 && b.len < (1u << 20))
		yj_buf_append(&b, tmp, k);
	fclose(f);
	int rc = YJ_OK;
	if (!b.data || !yj_utf8_valid(b.data, b.len)) {
		*err = yj_asprintf("--columns %s: empty, or not UTF-8", path);
		yj_buf_free(&b);
		return YJ_ERR;
	}
	size_t skip = b.len >= 3 && memcmp(b.data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	yj_csv r;
	yj_csv_init(&r, b.data + skip, b.len - skip);
	for (int line = 1; yj_csv_next(&r); line++) {
		char *theirs = r.nf >= 1 ? yj_csv_dup(&r, 0) : yj_strdup(""), *ours = r.nf >= 2 ? yj_csv_dup(&r, 1) : yj_strdup("");
		char *t = norm(theirs), *o = norm(ours);
		free(theirs);
		free(ours);
		if (r.err || r.nf != 2 || !*t || !alias_of(o)) {
			int header = line == 1 && !r.err && r.nf == 2 && !alias_of(o);
			if (!header) {
				*err = yj_asprintf("--columns %s: line %d: want `their header,our column` with our column one "
						   "of %s",
						   path, line, OUR_COLUMNS);
				rc = YJ_ERR;
			}
			free(t);
			free(o);
			if (rc < 0)
				break;
			continue;
		}
		m->theirs = yj_realloc(m->theirs, sizeof *m->theirs * (size_t)(m->n + 1));
		m->ours = yj_realloc(m->ours, sizeof *m->ours * (size_t)(m->n + 1));
		m->theirs[m->n] = t;
		m->ours[m->n++] = o;
	}
	yj_csv_free(&r);
	yj_buf_free(&b);
	if (rc == YJ_OK && !m->n) {
		*err = yj_asprintf("--columns %s: no line maps a header to one of our columns (%s)", path, OUR_COLUMNS);
		rc = YJ_ERR;
	}
	return rc;
}

/* The column of `ours` in a header row of normalised names: mapped, ours, then the bureau's names in order. */
static int find_col(char **h, int nh, const char *ours, const cmap *m)
{
	for (int k = 0; k < m->n; k++)
		if (strcmp(m->ours[k], ours) == 0)
			for (int i = 0; i < nh; i++)
				if (strcmp(h[i], m->theirs[k]) == 0)
					return i;
	for (int i = 0; i < nh; i++)
		if (strcmp(h[i], ours) == 0)
			return i;
	const struct alias *a = alias_of(ours);
	for (int j = 0; a && a->names[j]; j++)
		for (int i = 0; i < nh; i++)
			if (strcmp(h[i], a->names[j]) == 0)
				return i;
	return -1;
}

int cat_header_find(const cat_table *t, const char *file, const char *const *required, const char *const *optional,
		    const char *columns, int *col, int *header, char **err)
{
	*err = NULL;
	cmap m = {0};
	if (columns && cmap_read(columns, &m, err) < 0)
		return YJ_ERR;
	int nreq = 0, nopt = 0, rc = YJ_ERR;
	while (required[nreq])
		nreq++;
	while (optional && optional[nopt])
		nopt++;
	const char *first_missing = NULL;
	for (int r = 0; r < t->nrows && r < 10 && rc < 0; r++) {
		const cat_row *row = &t->rows[r];
		if (row->err)
			continue;
		char **h = yj_malloc(sizeof *h * (size_t)(row->nf ? row->nf : 1));
		for (int i = 0; i < row->nf; i++)
			h[i] = norm(row->f[i]);
		const char *missing = NULL;
		for (int k = 0; k < nreq && !missing; k++)
			if ((col[k] = find_col(h, row->nf, required[k], &m)) < 0)
				missing = required[k];
		if (!missing) {
			for (int k = 0; k < nopt; k++)
				col[nreq + k] = find_col(h, row->nf, optional[k], &m);
			*header = r;
			rc = YJ_OK;
		} else if (!first_missing) {
			first_missing = missing;
		}
		for (int i = 0; i < row->nf; i++)
			free(h[i]);
		free(h);
	}
	if (rc < 0) {
		const char *miss = first_missing ? first_missing : required[0];
		const struct alias *a = alias_of(miss);
		yj_buf b = YJ_BUF_INIT;
		for (int j = 0; a && a->names[j]; j++)
			yj_buf_printf(&b, "%s%s", j ? "、" : "", a->names[j]);
		*err = yj_asprintf("%s: header: missing required column %s (also accepted: %s); name the column with "
				   "--columns FILE (lines `their header,%s`)",
				   file, miss, b.data ? b.data : "", miss);
		yj_buf_free(&b);
	}
	cmap_free(&m);
	return rc;
}
