/* catalog.c — `yijian rules import`: a province's catalogues (drug catalogue, price catalogue,
 * procedure–consumable pairs, component sets) from CSV or Excel (read by catalog_src.c, which also
 * knows the bureau's column names) into the rule base's item lists.
 * Each kind fills the lists of the rules of its types that the rule base has (so a catalogue's
 * rows serve whatever rules the analysts configured), every row is validated first and any
 * problem is reported as FILE: row R, column C NAME: reason (nothing is written then), and each
 * import is a version: a row of DIR/catalogues.csv (kind, version, file, SHA-256, rows, lists,
 * time) whose version the loader attaches to the lists, so every flag of those lists shows it. */
#include "catalog_int.h"
#include "claims.h"
#include "../base/base.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct out_row {
	char *list, *code, *name, *value, *note;
} out_row;

typedef struct imp {
	const yj_rules *rs;
	const char *file;
	yj_catalog_report *rep;
	out_row *rows;
	int nrows;
	char *lists[8]; /* list ids this import replaces */
	int nlists;
} imp;

static void bad(imp *m, int64_t row, int col, const char *column, const char *fmt, const char *arg)
{
	yj_catalog_report *rep = m->rep;
	rep->nbad++;
	if (rep->nerrors >= (int)YJ_ARRAY_LEN(rep->errors))
		return;
	yj_load_error *e = &rep->errors[rep->nerrors++];
	memset(e, 0, sizeof *e);
	e->row = row;
	e->col = col;
	snprintf(e->column, sizeof e->column, "%s", column);
	snprintf(e->reason, sizeof e->reason, fmt, arg ? arg : "");
}

/* The list of the first enabled rule of `type` whose parameter `key` equals `val` (key NULL: any). */
static const char *rule_list(const yj_rules *rs, int type, const char *key, double val)
{
	for (int i = 0; i < rs->n; i++) {
		const yj_rule *r = &rs->r[i];
		if (r->type == type && r->list && (!key || yj_rule_num(r, key, -1) == val))
			return r->list->id;
	}
	return NULL;
}

static void add_row(imp *m, const char *list, const char *code, const char *name, const char *value, const char *note)
{
	int known = 0;
	for (int i = 0; i < m->nlists; i++)
		known |= strcmp(m->lists[i], list) == 0;
	if (!known && m->nlists < (int)YJ_ARRAY_LEN(m->lists))
		m->lists[m->nlists++] = yj_strdup(list);
	m->rows = yj_realloc(m->rows, sizeof *m->rows * (size_t)(m->nrows + 1));
	m->rows[m->nrows++] = (out_row){yj_strdup(list), yj_strdup(code), yj_strdup(name), yj_strdup(value),
					yj_strdup(note)};
}

static int is_icd_prefix(const char *s, size_t n)
{
	if (n < 1 || s[0] < 'A' || s[0] > 'Z')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

static int int_field(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

enum { K_DRUG, K_PRICE, K_PAIRS, K_SETS };
static const char *const kind_names[] = {"drug", "price", "pairs", "sets"};
/* Required columns per kind; optional ones are looked up by name. */
static const char *const kind_cols[][5] = {
	[K_DRUG] = {"item_code", "item_name", NULL},
	[K_PRICE] = {"item_code", "item_name", "unit", "max_price", NULL},
	[K_PAIRS] = {"consumable_code", "consumable_name", "procedure_codes", NULL},
	[K_SETS] = {"set_code", "item_code", "item_name", NULL},
};

static void one_row(imp *m, int kind, int64_t row, char **v, const int *col, const char *note)
{
	const yj_rules *rs = m->rs;
#define NEED(list, type, what)                                                                                        \
	if (!(list)) {                                                                                                \
		bad(m, row, 0, "", "the rule base has no enabled %s rule with a list for this row", what);            \
		return;                                                                                               \
	}
	switch (kind) {
	case K_DRUG: { /* item_code,item_name[,pay_scope][,sex][,max_age][,min_age] */
		const char *scope = v[2], *sex = v[3], *maxa = v[4], *mina = v[5];
		int any = 0;
		if (*scope) {
			for (const char *s = scope; *s;) {
				const char *e = strchr(s, '|');
				size_t len = e ? (size_t)(e - s) : strlen(s);
				if (!is_icd_prefix(s, len)) {
					bad(m, row, col[2] + 1, "pay_scope", "限定支付范围 must be ICD-10 prefixes separated by | ('%s')", scope);
					return;
				}
				s += len + (e ? 1 : 0);
			}
			const char *l = rule_list(rs, YJ_RT_DIAG_LIMIT, NULL, 0);
			NEED(l, YJ_RT_DIAG_LIMIT, "diag_limit");
			add_row(m, l, v[0], v[1], scope, note);
			any = 1;
		}
		if (*sex) {
			int male = strcmp(sex, "M") == 0 || strcmp(sex, "男") == 0 || strcmp(sex, "男性") == 0;
			if (!male && strcmp(sex, "F") != 0 && strcmp(sex, "女") != 0 && strcmp(sex, "女性") != 0) {
				bad(m, row, col[3] + 1, "sex", "sex must be M, F, 男 or 女, not '%s'", sex);
				return;
			}
			const char *l = rule_list(rs, YJ_RT_SEX_ITEM, NULL, 0);
			NEED(l, YJ_RT_SEX_ITEM, "sex_item");
			add_row(m, l, v[0], v[1], male ? "M" : "F", note);
			any = 1;
		}
		const char *ages[2] = {maxa, mina}, *keys[2] = {"max_age", "min_age"};
		for (int k = 0; k < 2; k++) {
			if (!*ages[k])
				continue;
			int a;
			if (int_field(ages[k], 0, 150, &a) < 0) {
				bad(m, row, col[4 + k] + 1, keys[k], "%s must be a whole number of years 0–150", keys[k]);
				return;
			}
			const char *l = rule_list(rs, YJ_RT_AGE_ITEM, keys[k], a);
			if (!l) {
				char why[24]; /* "max_age=150": bounded, so the reason (96 bytes) cannot be cut */
				snprintf(why, sizeof why, "%.8s=%d", keys[k], a);
				bad(m, row, col[4 + k] + 1, keys[k], "no age_item rule with %s: add one to rules.csv", why);
				return;
			}
			add_row(m, l, v[0], v[1], "", note);
			any = 1;
		}
		if (!any)
			bad(m, row, 0, "", "a drug row needs a pay_scope, sex, max_age or min_age%s", "");
		break;
	}
	case K_PRICE: { /* item_code,item_name,unit,max_price: the cap; per-hour and per-day units also a daily cap */
		int64_t cap;
		if (yj_parse_decimal(v[3], strlen(v[3]), 2, &cap) < 0 || cap <= 0) {
			bad(m, row, col[3] + 1, "max_price", "max_price must be yuan with at most 2 decimals, not '%s'", v[3]);
			return;
		}
		if (!*v[2]) {
			bad(m, row, col[2] + 1, "unit", "unit (计价单位) is required%s", "");
			return;
		}
		const char *l = rule_list(rs, YJ_RT_PRICE_CAP, NULL, 0);
		NEED(l, YJ_RT_PRICE_CAP, "price_cap");
		add_row(m, l, v[0], v[1], v[3], note);
		const char *per_day = strcmp(v[2], "小时") == 0 || strcmp(v[2], "hour") == 0 ? "24"
				      : strcmp(v[2], "日") == 0 || strcmp(v[2], "天") == 0 || strcmp(v[2], "day") == 0 ? "1"
																	: NULL;
		if (per_day && (l = rule_list(rs, YJ_RT_DAILY_CAP, NULL, 0)))
			add_row(m, l, v[0], v[1], per_day, note);
		break;
	}
	case K_PAIRS: {
		for (const char *s = v[2]; *s;) {
			const char *e = strchr(s, '|');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			if (!len) {
				bad(m, row, col[2] + 1, "procedure_codes", "empty procedure code in '%s'", v[2]);
				return;
			}
			s += len + (e ? 1 : 0);
		}
		if (!*v[2]) {
			bad(m, row, col[2] + 1, "procedure_codes", "at least one procedure code is required%s", "");
			return;
		}
		const char *l = rule_list(rs, YJ_RT_CONSUMABLE_PROCEDURE, NULL, 0);
		NEED(l, YJ_RT_CONSUMABLE_PROCEDURE, "consumable_procedure");
		add_row(m, l, v[0], v[1], v[2], note);
		break;
	}
	case K_SETS: {
		const char *l = rule_list(rs, YJ_RT_SPLIT_BILLING, NULL, 0);
		NEED(l, YJ_RT_SPLIT_BILLING, "split_billing");
		add_row(m, l, v[1], v[2], v[0], note);
		break;
	}
	}
#undef NEED
}

static char *slurp(const char *path, size_t *n, char **err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = yj_asprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	yj_buf b = YJ_BUF_INIT;
	char tmp[65536];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		yj_buf_append(&b, tmp, k);
	fclose(f);
	*n = b.len;
	if (!b.data)
		yj_buf_append(&b, "", 0);
	return yj_buf_detach(&b);
}

static void put_csv(yj_buf *b, const char *s, int last)
{
	if (strpbrk(s, ",\"\n\r")) {
		yj_buf_puts(b, "\"");
		for (; *s; s++) {
			if (*s == '"')
				yj_buf_puts(b, "\"");
			yj_buf_append(b, s, 1);
		}
		yj_buf_puts(b, "\"");
	} else {
		yj_buf_puts(b, s);
	}
	yj_buf_puts(b, last ? "\n" : ",");
}

static int write_atomic(const char *path, const yj_buf *b, char **err)
{
	char *tmp = yj_asprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	int ok = f && fwrite(b->data, 1, b->len, f) == b->len;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		*err = yj_asprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return YJ_ERR;
	}
	free(tmp);
	return YJ_OK;
}

/* The bureau writes a list of codes with |, 、, ;, ；, , or ，: all become | (the list's separator). */
static void norm_list(char *s)
{
	char *o = s;
	for (const char *p = s; *p;) {
		size_t k = strncmp(p, "、", 3) == 0 || strncmp(p, "；", 3) == 0 || strncmp(p, "，", 3) == 0 ? 3
			   : *p == ';' || *p == ',' || *p == '|'					? 1
													: 0;
		if (k) {
			*o++ = '|';
			p += k;
			while (*p == ' ')
				p++;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	while (o > s && (o[-1] == '|' || o[-1] == ' '))
		*--o = '\0';
}

int yj_catalog_import(const char *dir, const char *kind_name, const char *file, const char *version,
		      yj_catalog_report *rep, char **err)
{
	yj_catalog_opts o = {.kind = kind_name, .file = file, .version = version};
	return yj_catalog_import_opts(dir, &o, rep, err);
}

int yj_catalog_import_opts(const char *dir, const yj_catalog_opts *o, yj_catalog_report *rep, char **err)
{
	const char *kind_name = o->kind, *file = o->file, *version = o->version;
	*err = NULL;
	memset(rep, 0, sizeof *rep);
	int kind = -1;
	for (int k = 0; k < 4; k++)
		if (strcmp(kind_name, kind_names[k]) == 0)
			kind = k;
	if (kind < 0) {
		*err = yj_asprintf("unknown catalogue kind '%s' (drug, price, pairs or sets)", kind_name);
		return YJ_ERR;
	}
	yj_rules *rs = yj_rules_load(dir, err);
	if (!rs)
		return YJ_ERR;
	size_t n;
	char *data = slurp(file, &n, err);
	imp m = {.rs = rs, .file = file, .rep = rep};
	int rc = YJ_ERR;
	cat_table t = {0};
	yj_buf b = YJ_BUF_INIT;
	char *note = NULL;
	if (!data) {
		yj_rules_free(rs);
		return YJ_ERR;
	}
	if (cat_table_read(file, data, n, o->sheet, &t, err) < 0)
		goto done;
	/* SHA-256 of the file and the version */
	unsigned char md[32];
	unsigned int mdl = 0;
	EVP_Digest(data, n, md, &mdl, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(rep->sha256 + 2 * i, 3, "%02x", md[i]);
	char today[11];
	yj_day_today(today);
	if (version && *version)
		snprintf(rep->version, sizeof rep->version, "%s", version);
	else
		snprintf(rep->version, sizeof rep->version, "%s-%.4s%.2s%.2s-%.8s", kind_name, today, today + 5, today + 8,
			 rep->sha256);
	if (strpbrk(rep->version, ",\"\n\r|")) {
		*err = yj_asprintf("version '%s' may not hold , \" | or a line break", rep->version);
		goto done;
	}
	if (!t.nrows) {
		*err = yj_asprintf("%s: no header row", file);
		goto done;
	}
	static const char *const drug_opt[] = {"pay_scope", "sex", "max_age", "min_age", NULL};
	int col[6] = {-1, -1, -1, -1, -1, -1}, header = 0;
	if (cat_header_find(&t, file, kind_cols[kind], kind == K_DRUG ? drug_opt : NULL, o->columns, col, &header, err) < 0)
		goto done;
	int nh = t.rows[header].nf;
	char **hdr = t.rows[header].f;
	note = yj_asprintf("目录 %s", rep->version);
	for (int ri = header + 1; ri < t.nrows; ri++) {
		const cat_row *r = &t.rows[ri];
		int64_t row = r->row;
		if (r->err) {
			bad(&m, row, r->err_col, r->err_col >= 1 && r->err_col <= nh ? hdr[r->err_col - 1] : "", "%s", r->err);
			continue;
		}
		if (t.xlsx ? r->nf > nh : r->nf != nh) {
			if (t.xlsx)
				bad(&m, row, nh + 1, "", "a value right of the header's last column%s", "");
			else
				bad(&m, row, 0, "", "wrong number of columns%s", "");
			continue;
		}
		char *v[6];
		for (int k = 0; k < 6; k++)
			v[k] = col[k] >= 0 && col[k] < r->nf ? yj_strdup(r->f[col[k]]) : yj_strdup("");
		if (kind == K_DRUG || kind == K_PAIRS)
			norm_list(v[2]); /* pay_scope, procedure_codes */
		int missing = -1;
		for (int k = 0; kind_cols[kind][k]; k++)
			if (missing < 0 && !*v[k] && !(kind == K_DRUG && k == 1) && !(kind == K_PAIRS && k == 1))
				missing = k;
		if (missing >= 0)
			bad(&m, row, col[missing] + 1, kind_cols[kind][missing], "missing value%s", "");
		else
			one_row(&m, kind, row, v, col, note);
		for (int k = 0; k < 6; k++)
			free(v[k]);
		rep->rows++;
	}
	if (rep->nbad) {
		*err = yj_asprintf("%s: %lld of %lld rows are invalid; nothing was imported", file, (long long)rep->nbad,
				   (long long)rep->rows);
		goto done;
	}
	if (!m.nrows) {
		*err = yj_asprintf("%s: no rows", file);
		goto done;
	}
	/* item_lists.csv: the lists this import fills are replaced, the others kept as they are */
	char *lpath = yj_asprintf("%s/item_lists.csv", dir);
	yj_buf_puts(&b, "list_id,item_code,item_name,value,note\n");
	for (int i = 0; i < rs->nlists; i++) {
		const yj_list *l = &rs->lists[i];
		int replaced = 0;
		for (int k = 0; k < m.nlists; k++)
			replaced |= strcmp(m.lists[k], l->id) == 0;
		if (replaced)
			continue;
		for (int k = 0; k < l->n; k++) {
			put_csv(&b, l->id, 0);
			put_csv(&b, l->items[k].code, 0);
			put_csv(&b, l->items[k].name, 0);
			put_csv(&b, l->items[k].value, 0);
			put_csv(&b, l->items[k].note, 1);
		}
	}
	for (int i = 0; i < m.nrows; i++) {
		put_csv(&b, m.rows[i].list, 0);
		put_csv(&b, m.rows[i].code, 0);
		put_csv(&b, m.rows[i].name, 0);
		put_csv(&b, m.rows[i].value, 0);
		put_csv(&b, m.rows[i].note, 1);
	}
	rc = write_atomic(lpath, &b, err);
	free(lpath);
	if (rc < 0)
		goto done;
	/* catalogues.csv: one row per import, the newest version of a list wins */
	char *cpath = yj_asprintf("%s/catalogues.csv", dir);
	FILE *cf = fopen(cpath, "ab");
	if (cf) {
		if (ftell(cf) == 0)
			fputs("kind,version,file,sha256,rows,lists,imported_on\n", cf);
		const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
		yj_buf lb = YJ_BUF_INIT;
		for (int k = 0; k < m.nlists; k++)
			yj_buf_printf(&lb, "%s%s", k ? "|" : "", m.lists[k]);
		yj_buf cb = YJ_BUF_INIT;
		put_csv(&cb, kind_name, 0);
		put_csv(&cb, rep->version, 0);
		put_csv(&cb, base, 0);
		put_csv(&cb, rep->sha256, 0);
		yj_buf_printf(&cb, "%lld,", (long long)m.nrows);
		put_csv(&cb, lb.data, 0);
		put_csv(&cb, today, 1);
		fwrite(cb.data, 1, cb.len, cf);
		yj_buf_free(&lb);
		yj_buf_free(&cb);
	}
	if (!cf || fclose(cf) != 0) {
		*err = yj_asprintf("%s: %s", cpath, strerror(errno));
		rc = YJ_ERR;
	}
	free(cpath);
	rep->list_rows = m.nrows;
	rep->nlists = m.nlists;
	for (int k = 0; k < m.nlists && k < (int)YJ_ARRAY_LEN(rep->lists); k++)
		snprintf(rep->lists[k], sizeof rep->lists[k], "%s", m.lists[k]);
done:
	free(note);
	cat_table_free(&t);
	for (int i = 0; i < m.nrows; i++) {
		free(m.rows[i].list); free(m.rows[i].code); free(m.rows[i].name); free(m.rows[i].value); free(m.rows[i].note);
	}
	free(m.rows);
	for (int k = 0; k < m.nlists; k++)
		free(m.lists[k]);
	yj_buf_free(&b);
	free(data);
	yj_rules_free(rs);
	return rc;
}
