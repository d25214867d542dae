/* rules.c — the rule base (rules/rules.csv and rules/item_lists.csv) and the reference tables
 * (registry directory, death register). All are small CSV files read whole; a problem is
 * reported with its file, row and column. */
#include "claims.h"
#include "../base/base.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[YJ_RT_COUNT] = {
	[YJ_RT_SEX_ITEM] = "sex_item",
	[YJ_RT_AGE_ITEM] = "age_item",
	[YJ_RT_PRICE_CAP] = "price_cap",
	[YJ_RT_DAILY_CAP] = "daily_cap",
	[YJ_RT_EXCLUSIVE] = "exclusive",
	[YJ_RT_DUPLICATE] = "duplicate_line",
	[YJ_RT_DAYS_SUPPLY] = "days_supply",
	[YJ_RT_READMISSION] = "readmission",
	[YJ_RT_IDLE_BED] = "idle_bed",
	[YJ_RT_OUTPATIENT_IN_STAY] = "outpatient_in_stay",
	[YJ_RT_DIAG_LIMIT] = "diag_limit",
	[YJ_RT_AFTER_DEATH] = "after_death",
	[YJ_RT_PHYSICIAN_SCOPE] = "physician_scope",
	[YJ_RT_DEPT_UNREGISTERED] = "dept_unregistered",
	[YJ_RT_CARD_MISUSE] = "card_misuse",
	[YJ_RT_BIG_RX] = "big_prescription",
	[YJ_RT_KEY_DRUG] = "key_drug",
	[YJ_RT_SPLIT_BILLING] = "split_billing",
	[YJ_RT_CONSUMABLE_PROCEDURE] = "consumable_procedure",
	[YJ_RT_RX_SPLIT] = "rx_split",
	[YJ_RT_CHECKUP_ADMISSION] = "checkup_admission",
	[YJ_RT_CARD_IDENTITY] = "card_identity",
	[YJ_RT_CARD_INSTS] = "card_insts",
};

const char *yj_rule_type_name(int type)
{
	return type >= 0 && type < YJ_RT_COUNT ? type_names[type] : "?";
}

int yj_rule_type_from_name(const char *name)
{
	for (int i = 0; i < YJ_RT_COUNT; i++)
		if (strcmp(type_names[i], name) == 0)
			return i;
	return -1;
}

/* ---- a small CSV table ------------------------------------------------------------------ */

typedef struct table {
	char *data;
	size_t n;
	const char *path;
	yj_csv r;
	int ncols;
	char **hdr;
	int64_t row;
} table;

static char *read_file(const char *path, size_t *n, char **err)
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

static void table_close(table *t)
{
	for (int i = 0; i < t->ncols; i++)
		free(t->hdr[i]);
	free(t->hdr);
	yj_csv_free(&t->r);
	free(t->data);
	memset(t, 0, sizeof *t);
}

static int table_open(table *t, const char *path, char **err)
{
	memset(t, 0, sizeof *t);
	t->path = path;
	if (!(t->data = read_file(path, &t->n, err)))
		return YJ_ERR;
	size_t skip = t->n >= 3 && memcmp(t->data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	yj_csv_init(&t->r, t->data + skip, t->n - skip);
	if (!yj_csv_next(&t->r) || t->r.err) {
		*err = yj_asprintf("%s: no header row", path);
		table_close(t);
		return YJ_ERR;
	}
	t->ncols = t->r.nf;
	t->hdr = yj_malloc(sizeof *t->hdr * (size_t)t->ncols);
	for (int i = 0; i < t->ncols; i++)
		t->hdr[i] = yj_csv_dup(&t->r, i);
	t->row = 1;
	return YJ_OK;
}


/* Column index of name, or -1 (with *err set when required). */
static int table_col(table *t, const char *name, int required, char **err)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->hdr[i], name) == 0)
			return i;
	if (required && !*err)
		*err = yj_asprintf("%s: missing column %s", t->path, name);
	return -1;
}

/* 1 for a row, 0 at the end, YJ_ERR on a malformed row. */
static int table_next(table *t, char **err)
{
	if (!yj_csv_next(&t->r))
		return 0;
	t->row++;
	if (t->r.err) {
		*err = yj_asprintf("%s: row %lld, column %d: %s", t->path, (long long)t->row, t->r.err_col, t->r.err);
		return YJ_ERR;
	}
	for (int i = 0; i < t->r.nf && i < t->r.cap; i++)
		if (!yj_utf8_valid(t->r.f[i].p, t->r.f[i].n)) {
			*err = yj_asprintf("%s: row %lld, column %d: invalid UTF-8", t->path, (long long)t->row, i + 1);
			return YJ_ERR;
		}
	return 1;
}

static char *cell(table *t, int col)
{
	return col < 0 ? yj_strdup("") : yj_csv_dup(&t->r, col);
}

/* Splits s at '|' into a new array of trimmed, non-empty strings. */
static char **split_bar(const char *s, int *n)
{
	char **out = NULL;
	*n = 0;
	while (*s) {
		const char *e = strchr(s, '|');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		const char *a = s;
		size_t l = len;
		while (l && (*a == ' ')) a++, l--;
		while (l && a[l - 1] == ' ') l--;
		if (l) {
			out = yj_realloc(out, sizeof *out * (size_t)(*n + 1));
			out[(*n)++] = yj_strndup(a, l);
		}
		s += len + (e ? 1 : 0);
	}
	return out;
}

static void free_strs(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- rules -------------------------------------------------------------------------------- */

static int parse_params(yj_rule *r, char **err, const char *path, int64_t row)
{
	const char *s = r->params;
	while (*s) {
		const char *e = strchr(s, ';');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		if (len && !eq) {
			*err = yj_asprintf("%s: row %lld, params: '%.*s' is not key=value", path, (long long)row, (int)len, s);
			return YJ_ERR;
		}
		if (len) {
			r->keys = yj_realloc(r->keys, sizeof *r->keys * (size_t)(r->nparams + 1));
			r->vals = yj_realloc(r->vals, sizeof *r->vals * (size_t)(r->nparams + 1));
			const char *k = s;
			size_t kl = (size_t)(eq - s);
			while (kl && *k == ' ') k++, kl--;
			while (kl && k[kl - 1] == ' ') kl--;
			const char *v = eq + 1;
			size_t vl = len - (size_t)(eq - s) - 1;
			while (vl && *v == ' ') v++, vl--;
			while (vl && v[vl - 1] == ' ') vl--;
			r->keys[r->nparams] = yj_strndup(k, kl);
			r->vals[r->nparams] = yj_strndup(v, vl);
			r->nparams++;
		}
		s += len + (e ? 1 : 0);
	}
	return YJ_OK;
}

const char *yj_rule_str(const yj_rule *r, const char *key, const char *def)
{
	for (int i = 0; i < r->nparams; i++)
		if (strcmp(r->keys[i], key) == 0)
			return r->vals[i];
	return def;
}

double yj_rule_num(const yj_rule *r, const char *key, double def)
{
	const char *v = yj_rule_str(r, key, NULL);
	if (!v || !*v)
		return def;
	char *end;
	double d = strtod(v, &end);
	return *end ? def : d;
}

const yj_rule *yj_rules_find(const yj_rules *rs, const char *id)
{
	for (int i = 0; i < rs->n; i++)
		if (strcmp(rs->r[i].id, id) == 0)
			return &rs->r[i];
	return NULL;
}

void yj_rules_free(yj_rules *rs)
{
	if (!rs)
		return;
	for (int i = 0; i < rs->n; i++) {
		yj_rule *r = &rs->r[i];
		free(r->id); free(r->name); free(r->type_name); free(r->scene); free(r->window); free(r->list_id);
		free(r->params); free(r->basis); free(r->message);
		free_strs(r->keys, r->nparams);
		free_strs(r->vals, r->nparams);
	}
	free(rs->r);
	for (int i = 0; i < rs->nlists; i++) {
		yj_list *l = &rs->lists[i];
		for (int k = 0; k < l->n; k++) {
			free(l->items[k].code); free(l->items[k].name); free(l->items[k].value); free(l->items[k].note);
		}
		free(l->items);
		free(l->id);
		free(l->version);
		free(l->ix_slot);
		free(l->ix_prev);
	}
	free(rs->lists);
	free(rs);
}

static int load_lists(yj_rules *rs, const char *path, char **err)
{
	table t;
	if (table_open(&t, path, err) < 0)
		return YJ_ERR;
	int cid = table_col(&t, "list_id", 1, err), ccode = table_col(&t, "item_code", 1, err),
	    cname = table_col(&t, "item_name", 0, err), cval = table_col(&t, "value", 0, err),
	    cnote = table_col(&t, "note", 0, err);
	int rc = *err ? YJ_ERR : YJ_OK;
	while (rc == YJ_OK) {
		int k = table_next(&t, err);
		if (k <= 0) {
			rc = k < 0 ? YJ_ERR : YJ_OK;
			break;
		}
		char *id = cell(&t, cid), *code = cell(&t, ccode);
		if (!*id || !*code) {
			*err = yj_asprintf("%s: row %lld: list_id and item_code are required", path, (long long)t.row);
			free(id);
			free(code);
			rc = YJ_ERR;
			break;
		}
		yj_list *l = NULL;
		for (int i = 0; i < rs->nlists; i++)
			if (strcmp(rs->lists[i].id, id) == 0)
				l = &rs->lists[i];
		if (!l) {
			rs->lists = yj_realloc(rs->lists, sizeof *rs->lists * (size_t)(rs->nlists + 1));
			l = &rs->lists[rs->nlists++];
			memset(l, 0, sizeof *l);
			l->id = id;
		} else {
			free(id);
		}
		l->items = yj_realloc(l->items, sizeof *l->items * (size_t)(l->n + 1));
		l->items[l->n++] = (yj_list_item){code, cell(&t, cname), cell(&t, cval), cell(&t, cnote)};
	}
	table_close(&t);
	return rc;
}

/* DIR/catalogues.csv (optional, written by `yijian rules import`): each import's version goes to
 * the lists it filled; a later row wins. */
static int load_versions(yj_rules *rs, const char *dir, char **err)
{
	char *path = yj_asprintf("%s/catalogues.csv", dir);
	FILE *f = fopen(path, "rb");
	if (!f) {
		free(path);
		return YJ_OK;
	}
	fclose(f);
	table t;
	int rc = table_open(&t, path, err);
	if (rc == YJ_OK) {
		int cv = table_col(&t, "version", 1, err), cl = table_col(&t, "lists", 1, err);
		rc = *err ? YJ_ERR : YJ_OK;
		while (rc == YJ_OK) {
			int k = table_next(&t, err);
			if (k <= 0) {
				rc = k < 0 ? YJ_ERR : YJ_OK;
				break;
			}
			char *v = cell(&t, cv), *ls = cell(&t, cl);
			int n;
			char **ids = split_bar(ls, &n);
			for (int i = 0; i < n; i++)
				for (int j = 0; j < rs->nlists; j++)
					if (strcmp(rs->lists[j].id, ids[i]) == 0) {
						free(rs->lists[j].version);
						rs->lists[j].version = yj_strdup(v);
					}
			free_strs(ids, n);
			free(v);
			free(ls);
		}
		table_close(&t);
	}
	free(path);
	return rc;
}

static uint32_t yj_list_code_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a: codes are short */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The code index of l (claims.h): each code's slot holds its last item, ix_prev chains the earlier. */
static void index_list(yj_list *l)
{
	uint32_t sz = 16;
	while (sz < (uint32_t)l->n * 2u)
		sz *= 2;
	l->ix_mask = sz - 1;
	l->ix_slot = yj_malloc(sizeof *l->ix_slot * sz);
	l->ix_prev = yj_malloc(sizeof *l->ix_prev * (size_t)(l->n ? l->n : 1));
	for (uint32_t i = 0; i < sz; i++)
		l->ix_slot[i] = -1;
	for (int k = 0; k < l->n; k++) {
		const char *code = l->items[k].code;
		uint32_t h = yj_list_code_hash(code, strlen(code)) & l->ix_mask;
		while (l->ix_slot[h] >= 0 && strcmp(l->items[l->ix_slot[h]].code, code) != 0)
			h = (h + 1) & l->ix_mask;
		l->ix_prev[k] = l->ix_slot[h];
		l->ix_slot[h] = k;
	}
}

int yj_list_last(const yj_list *l, const char *code, size_t n)
{
	uint32_t h = yj_list_code_hash(code, n) & l->ix_mask;
	for (int32_t k; (k = l->ix_slot[h]) >= 0; h = (h + 1) & l->ix_mask)
		if (strlen(l->items[k].code) == n && memcmp(l->items[k].code, code, n) == 0)
			return k;
	return -1;
}

yj_rules *yj_rules_load(const char *dir, char **err)
{
	*err = NULL;
	yj_rules *rs = yj_calloc(1, sizeof *rs);
	char *lpath = yj_asprintf("%s/item_lists.csv", dir);
	char *rpath = yj_asprintf("%s/rules.csv", dir);
	table t;
	int rc = load_lists(rs, lpath, err);
	if (rc < 0)
		goto done;
	for (int i = 0; i < rs->nlists; i++)
		index_list(&rs->lists[i]);
	if (table_open(&t, rpath, err) < 0) {
		rc = YJ_ERR;
		goto done;
	}
	int c_id = table_col(&t, "rule_id", 1, err), c_name = table_col(&t, "name", 0, err),
	    c_type = table_col(&t, "type", 1, err), c_res = table_col(&t, "result_type", 1, err),
	    c_en = table_col(&t, "enabled", 0, err), c_scene = table_col(&t, "scene", 1, err),
	    c_win = table_col(&t, "window", 0, err), c_list = table_col(&t, "list", 0, err),
	    c_par = table_col(&t, "params", 0, err), c_basis = table_col(&t, "basis", 0, err),
	    c_msg = table_col(&t, "message", 1, err);
	rc = *err ? YJ_ERR : YJ_OK;
	while (rc == YJ_OK) {
		int k = table_next(&t, err);
		if (k <= 0) {
			rc = k < 0 ? YJ_ERR : YJ_OK;
			break;
		}
		rs->r = yj_realloc(rs->r, sizeof *rs->r * (size_t)(rs->n + 1));
		yj_rule *r = &rs->r[rs->n++];
		memset(r, 0, sizeof *r);
		r->id = cell(&t, c_id);
		r->name = cell(&t, c_name);
		r->type_name = cell(&t, c_type);
		r->scene = cell(&t, c_scene);
		r->window = cell(&t, c_win);
		r->list_id = cell(&t, c_list);
		r->params = cell(&t, c_par);
		r->basis = cell(&t, c_basis);
		r->message = cell(&t, c_msg);
		char *res = cell(&t, c_res), *en = cell(&t, c_en);
		r->type = yj_rule_type_from_name(r->type_name);
		r->definite = strcmp(res, "definite") == 0 || strcmp(res, "明确") == 0;
		int suspicious = strcmp(res, "suspicious") == 0 || strcmp(res, "可疑") == 0;
		r->enabled = !(*en == '0' || strcmp(en, "no") == 0 || strcmp(en, "false") == 0);
		for (const char *s = r->scene; *s; s++)
			r->scene_mask |= *s == 'O' ? 1u << YJ_VISIT_O : *s == 'E' ? 1u << YJ_VISIT_E : *s == 'I' ? 1u << YJ_VISIT_I : 0;
		if (!*r->id)
			*err = yj_asprintf("%s: row %lld: rule_id is empty", rpath, (long long)t.row);
		else if (yj_rules_find(rs, r->id) != r)
			*err = yj_asprintf("%s: row %lld: rule_id %s appears twice", rpath, (long long)t.row, r->id);
		else if (r->type < 0)
			*err = yj_asprintf("%s: row %lld: unknown rule type '%s'", rpath, (long long)t.row, r->type_name);
		else if (!r->definite && !suspicious)
			*err = yj_asprintf("%s: row %lld: result_type must be definite or suspicious", rpath, (long long)t.row);
		else if (!r->scene_mask)
			*err = yj_asprintf("%s: row %lld: scene must contain O, E or I", rpath, (long long)t.row);
		free(res);
		free(en);
		if (*err || parse_params(r, err, rpath, t.row) < 0) {
			rc = YJ_ERR;
			break;
		}
		if (*r->list_id) {
			for (int i = 0; i < rs->nlists; i++)
				if (strcmp(rs->lists[i].id, r->list_id) == 0)
					r->list = &rs->lists[i];
			if (!r->list) {
				*err = yj_asprintf("%s: row %lld: list '%s' is not in item_lists.csv", rpath, (long long)t.row,
						   r->list_id);
				rc = YJ_ERR;
				break;
			}
		}
		static const int needs_list[] = {YJ_RT_SEX_ITEM, YJ_RT_AGE_ITEM, YJ_RT_PRICE_CAP, YJ_RT_DAILY_CAP,
						 YJ_RT_EXCLUSIVE, YJ_RT_IDLE_BED, YJ_RT_DIAG_LIMIT, YJ_RT_KEY_DRUG,
						 YJ_RT_SPLIT_BILLING, YJ_RT_CONSUMABLE_PROCEDURE, YJ_RT_CHECKUP_ADMISSION,
						 YJ_RT_CARD_IDENTITY};
		for (size_t i = 0; i < YJ_ARRAY_LEN(needs_list); i++)
			if (r->type == needs_list[i] && !r->list) {
				*err = yj_asprintf("%s: row %lld: a %s rule needs a list", rpath, (long long)t.row, r->type_name);
				rc = YJ_ERR;
			}
	}
	table_close(&t);
	if (rc == YJ_OK)
		rc = load_versions(rs, dir, err);
done:
	free(lpath);
	free(rpath);
	if (rc < 0) {
		yj_rules_free(rs);
		return NULL;
	}
	return rs;
}

/* ---- reference tables --------------------------------------------------------------------- */

int yj_refs_load_registry(yj_refs *refs, const char *dir, char **err)
{
	*err = NULL;
	char *ipath = yj_asprintf("%s/institutions.csv", dir), *ppath = yj_asprintf("%s/physicians.csv", dir);
	table t;
	int rc = YJ_OK;
	if (table_open(&t, ipath, err) < 0) {
		rc = YJ_ERR;
		goto done;
	}
	int c_code = table_col(&t, "institution_code", 1, err), c_name = table_col(&t, "name", 0, err),
	    c_lat = table_col(&t, "lat", 0, err), c_lon = table_col(&t, "lon", 0, err),
	    c_dep = table_col(&t, "depts", 1, err);
	rc = *err ? YJ_ERR : YJ_OK;
	while (rc == YJ_OK) {
		int k = table_next(&t, err);
		if (k <= 0) {
			rc = k < 0 ? YJ_ERR : YJ_OK;
			break;
		}
		refs->insts = yj_realloc(refs->insts, sizeof *refs->insts * (size_t)(refs->ninsts + 1));
		yj_inst_ref *in = &refs->insts[refs->ninsts++];
		memset(in, 0, sizeof *in);
		in->code = cell(&t, c_code);
		in->name = cell(&t, c_name);
		char *lat = cell(&t, c_lat), *lon = cell(&t, c_lon), *dep = cell(&t, c_dep);
		in->lat = *lat ? strtod(lat, NULL) : NAN;
		in->lon = *lon ? strtod(lon, NULL) : NAN;
		in->depts = split_bar(dep, &in->ndepts);
		free(lat);
		free(lon);
		free(dep);
	}
	table_close(&t);
	if (rc < 0)
		goto done;
	if (table_open(&t, ppath, err) < 0) {
		rc = YJ_ERR;
		goto done;
	}
	int c_id = table_col(&t, "physician_id", 1, err), c_inst = table_col(&t, "institution_code", 1, err),
	    c_cat = table_col(&t, "category", 0, err), c_pd = table_col(&t, "depts", 1, err);
	rc = *err ? YJ_ERR : YJ_OK;
	while (rc == YJ_OK) {
		int k = table_next(&t, err);
		if (k <= 0) {
			rc = k < 0 ? YJ_ERR : YJ_OK;
			break;
		}
		refs->phys = yj_realloc(refs->phys, sizeof *refs->phys * (size_t)(refs->nphys + 1));
		yj_phys_ref *p = &refs->phys[refs->nphys++];
		memset(p, 0, sizeof *p);
		p->id = cell(&t, c_id);
		p->inst = cell(&t, c_inst);
		p->category = cell(&t, c_cat);
		char *dep = cell(&t, c_pd);
		p->depts = split_bar(dep, &p->ndepts);
		free(dep);
	}
	table_close(&t);
	refs->have_registry = rc == YJ_OK;
done:
	free(ipath);
	free(ppath);
	return rc;
}

int yj_refs_load_deaths(yj_refs *refs, const char *path, char **err)
{
	*err = NULL;
	table t;
	if (table_open(&t, path, err) < 0)
		return YJ_ERR;
	int c_id = table_col(&t, "patient_id", 1, err), c_date = table_col(&t, "death_date", 1, err);
	int rc = *err ? YJ_ERR : YJ_OK;
	while (rc == YJ_OK) {
		int k = table_next(&t, err);
		if (k <= 0) {
			rc = k < 0 ? YJ_ERR : YJ_OK;
			break;
		}
		char *id = cell(&t, c_id), *d = cell(&t, c_date);
		int64_t day;
		if (!*id || yj_date_parse(d, strlen(d), YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &day) < 0) {
			*err = yj_asprintf("%s: row %lld: need a patient_id and a death_date YYYY-MM-DD", path, (long long)t.row);
			free(id);
			free(d);
			rc = YJ_ERR;
			break;
		}
		free(d);
		refs->dead = yj_realloc(refs->dead, sizeof *refs->dead * (size_t)(refs->ndead + 1));
		refs->death_date = yj_realloc(refs->death_date, sizeof *refs->death_date * (size_t)(refs->ndead + 1));
		refs->dead[refs->ndead] = id;
		refs->death_date[refs->ndead++] = (int32_t)day;
	}
	table_close(&t);
	refs->have_deaths = rc == YJ_OK;
	return rc;
}

void yj_refs_free(yj_refs *refs)
{
	for (int i = 0; i < refs->ninsts; i++) {
		free(refs->insts[i].code);
		free(refs->insts[i].name);
		free_strs(refs->insts[i].depts, refs->insts[i].ndepts);
	}
	free(refs->insts);
	for (int i = 0; i < refs->nphys; i++) {
		free(refs->phys[i].id);
		free(refs->phys[i].inst);
		free(refs->phys[i].category);
		free_strs(refs->phys[i].depts, refs->phys[i].ndepts);
	}
	free(refs->phys);
	free_strs(refs->dead, refs->ndead);
	free(refs->death_date);
	memset(refs, 0, sizeof *refs);
}
