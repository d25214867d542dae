/* output.c — FLAGS.csv, the Chinese evidence messages and the summaries per rule, institution
 * and physician. A message template names fields in braces; see docs/claims.md for the list. */
#include "claims.h"
#include "../base/base.h"
#include "../base/log.h"

#include <stdlib.h>
#include <string.h>

enum vk { K_INT, K_MONEY, K_QTY, K_DATE, K_SEX };

/* How {value} and {limit} of a rule type are written. */
static int value_kind(int type)
{
	switch (type) {
	case YJ_RT_PRICE_CAP:
	case YJ_RT_BIG_RX:
	case YJ_RT_KEY_DRUG:
	case YJ_RT_RX_SPLIT:
		return K_MONEY;
	case YJ_RT_DAILY_CAP:
		return K_QTY;
	case YJ_RT_AFTER_DEATH:
	case YJ_RT_OUTPATIENT_IN_STAY:
		return K_DATE;
	case YJ_RT_SEX_ITEM:
		return K_SEX;
	case YJ_RT_CARD_IDENTITY:
		return K_INT; /* value: the card holder's age at the line */
	default:
		return K_INT;
	}
}

static void put_date(yj_buf *b, int32_t d)
{
	if (d == YJ_NO_DATE)
		return;
	char s[11];
	yj_day_format(d, s);
	yj_buf_append(b, s, 10);
}

static void put_money(yj_buf *b, int64_t fen)
{
	if (fen < 0) {
		yj_buf_puts(b, "-");
		fen = -fen;
	}
	yj_buf_printf(b, "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
}

static void put_qty(yj_buf *b, int64_t milli)
{
	yj_buf_printf(b, "%lld", (long long)(milli / 1000));
	if (milli % 1000) {
		char frac[8];
		snprintf(frac, sizeof frac, "%03lld", (long long)(milli % 1000));
		for (int i = 2; i > 0 && frac[i] == '0'; i--)
			frac[i] = 0;
		yj_buf_printf(b, ".%s", frac);
	}
}

static void put_kind(yj_buf *b, int kind, int64_t v)
{
	switch (kind) {
	case K_MONEY: put_money(b, v); break;
	case K_QTY: put_qty(b, v); break;
	case K_DATE: put_date(b, (int32_t)v); break;
	case K_SEX: yj_buf_puts(b, v == 'M' ? "男" : v == 'F' ? "女" : ""); break;
	default: yj_buf_printf(b, "%lld", (long long)v);
	}
}

static const char *S(const yj_claims *c, int d, int32_t code)
{
	return yj_dict_str(c->dict[d], code);
}

static void append_message(yj_buf *b, const yj_claims *c, const yj_rules *rs, const yj_flag *f)
{
	const yj_rule *r = &rs->r[f->rule];
	int kind = value_kind(r->type);
	int32_t i = f->row, o = f->other;
	for (const char *s = r->message; *s;) {
		const char *e;
		if (*s != '{' || !(e = strchr(s, '}'))) {
			const char *n = strchr(s + 1, '{');
			size_t len = n ? (size_t)(n - s) : strlen(s);
			yj_buf_append(b, s, len);
			s += len;
			continue;
		}
		char key[32];
		size_t kl = (size_t)(e - s - 1);
		if (kl >= sizeof key) {
			yj_buf_append(b, s, 1);
			s++;
			continue;
		}
		memcpy(key, s + 1, kl);
		key[kl] = 0;
		s = e + 1;
		if (!strcmp(key, "item")) yj_buf_puts(b, S(c, YJ_D_NAME, c->name[i]));
		else if (!strcmp(key, "item_code")) yj_buf_puts(b, S(c, YJ_D_ITEM, c->item[i]));
		else if (!strcmp(key, "date")) put_date(b, c->service[i]);
		else if (!strcmp(key, "claim")) yj_buf_puts(b, S(c, YJ_D_CLAIM, c->claim[i]));
		else if (!strcmp(key, "line")) yj_buf_printf(b, "%d", c->line_no[i]);
		else if (!strcmp(key, "inst")) yj_buf_puts(b, S(c, YJ_D_INST, c->inst[i]));
		else if (!strcmp(key, "phys")) yj_buf_puts(b, S(c, YJ_D_PHYS, c->phys[i]));
		else if (!strcmp(key, "dept")) yj_buf_puts(b, S(c, YJ_D_DEPT, c->dept[i]));
		else if (!strcmp(key, "diag")) yj_buf_puts(b, S(c, YJ_D_DIAG, c->diag[i]));
		else if (!strcmp(key, "sex")) yj_buf_puts(b, c->sex[i] == 'M' ? "男" : "女");
		else if (!strcmp(key, "age")) yj_buf_printf(b, "%d", yj_age_years(c->birth[i], c->service[i]));
		else if (!strcmp(key, "price")) put_money(b, c->price[i]);
		else if (!strcmp(key, "qty")) put_qty(b, c->qty[i]);
		else if (!strcmp(key, "days")) yj_buf_printf(b, "%d", c->days_supply[i]);
		else if (!strcmp(key, "amount")) put_money(b, f->amount);
		else if (!strcmp(key, "value")) put_kind(b, kind, f->value);
		else if (!strcmp(key, "limit")) put_kind(b, kind, f->limit);
		else if (!strcmp(key, "reason"))
			yj_buf_puts(b, f->value == 1 ? "未在该机构注册执业" : "执业类别不含该科室");
		else if (o >= 0 && !strcmp(key, "other_item")) yj_buf_puts(b, S(c, YJ_D_NAME, c->name[o]));
		else if (o >= 0 && !strcmp(key, "other_claim")) yj_buf_puts(b, S(c, YJ_D_CLAIM, c->claim[o]));
		else if (o >= 0 && !strcmp(key, "other_inst")) yj_buf_puts(b, S(c, YJ_D_INST, c->inst[o]));
		else if (o >= 0 && !strcmp(key, "other_date")) put_date(b, c->service[o]);
		else if (o >= 0 && !strcmp(key, "other_admit")) put_date(b, c->admit[o]);
		else if (o >= 0 && !strcmp(key, "other_discharge")) put_date(b, c->discharge[o]);
		else if (!strcmp(key, "admit")) put_date(b, c->admit[i]);
		else if (!strcmp(key, "discharge")) put_date(b, c->discharge[i]);
		else if (!strcmp(key, "rule")) yj_buf_puts(b, r->id);
	}
}

char *yj_flag_message(const yj_claims *c, const yj_rules *rs, const yj_flag *f)
{
	yj_buf b = YJ_BUF_INIT;
	append_message(&b, c, rs, f);
	if (!b.data)
		yj_buf_append(&b, "", 0);
	return yj_buf_detach(&b);
}

/* Appends s as a CSV field, quoted when it needs to be. */
static void put_field(yj_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		yj_buf_puts(b, s);
		return;
	}
	yj_buf_append(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			yj_buf_append(b, "\"", 1);
		yj_buf_append(b, s, 1);
	}
	yj_buf_append(b, "\"", 1);
}

int yj_flags_write_csv(FILE *out, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res)
{
	yj_buf b = YJ_BUF_INIT, m = YJ_BUF_INIT;
	yj_buf_puts(&b, "flag_id,rule_id,result_type,rule_type,claim_id,line_no,service_date,institution_code,"
			"physician_id,patient_id,item_code,amount,message,list_version\n");
	for (size_t k = 0; k < res->n; k++) {
		const yj_flag *f = &res->f[k];
		const yj_rule *r = &rs->r[f->rule];
		int32_t i = f->row;
		yj_buf_printf(&b, "%d,", f->flag + 1);
		put_field(&b, r->id);
		yj_buf_printf(&b, ",%s,%s,", r->definite ? "definite" : "suspicious", r->type_name);
		put_field(&b, S(c, YJ_D_CLAIM, c->claim[i]));
		yj_buf_printf(&b, ",%d,", c->line_no[i]);
		put_date(&b, c->service[i]);
		yj_buf_puts(&b, ",");
		put_field(&b, S(c, YJ_D_INST, c->inst[i]));
		yj_buf_puts(&b, ",");
		put_field(&b, S(c, YJ_D_PHYS, c->phys[i]));
		yj_buf_puts(&b, ",");
		put_field(&b, S(c, YJ_D_PATIENT, c->patient[i]));
		yj_buf_puts(&b, ",");
		put_field(&b, S(c, YJ_D_ITEM, c->item[i]));
		yj_buf_puts(&b, ",");
		put_money(&b, f->amount);
		yj_buf_puts(&b, ",");
		yj_buf_reset(&m);
		append_message(&m, c, rs, f);
		put_field(&b, m.data ? m.data : "");
		yj_buf_puts(&b, ",");
		put_field(&b, r->list && r->list->version ? r->list->version : "");
		yj_buf_puts(&b, "\n");
		if (b.len > (1u << 20)) {
			if (fwrite(b.data, 1, b.len, out) != b.len)
				goto fail;
			yj_buf_reset(&b);
		}
	}
	if (b.len && fwrite(b.data, 1, b.len, out) != b.len)
		goto fail;
	yj_buf_free(&b);
	yj_buf_free(&m);
	return fflush(out) == 0 ? YJ_OK : YJ_ERR;
fail:
	yj_buf_free(&b);
	yj_buf_free(&m);
	return YJ_ERR;
}

/* ---- summaries ---------------------------------------------------------------------------- */

typedef struct agg {
	int32_t code;
	int64_t rows, amount;
} agg;

static int agg_cmp(const void *a, const void *b)
{
	const agg *x = a, *y = b;
	if (x->amount != y->amount)
		return x->amount > y->amount ? -1 : 1;
	if (x->rows != y->rows)
		return x->rows > y->rows ? -1 : 1;
	return (x->code > y->code) - (x->code < y->code);
}

/* Rows and amounts per code of dictionary d (inst or phys), sorted by amount; *n set. */
static agg *aggregate(const yj_claims *c, const yj_screen_result *res, int d, int32_t *n)
{
	const int32_t *col = d == YJ_D_INST ? c->inst : c->phys;
	int32_t nc = yj_dict_count(c->dict[d]);
	agg *a = yj_calloc((size_t)(nc ? nc : 1), sizeof *a);
	for (int32_t i = 0; i < nc; i++)
		a[i].code = i;
	for (size_t k = 0; k < res->n; k++) {
		agg *g = &a[col[res->f[k].row]];
		g->rows++;
		g->amount += res->f[k].amount;
	}
	qsort(a, (size_t)nc, sizeof *a, agg_cmp);
	int32_t m = 0;
	while (m < nc && a[m].rows)
		m++;
	*n = m;
	return a;
}

void yj_screen_summary(FILE *out, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res, int top, int json)
{
	int32_t ni, np;
	agg *ai = aggregate(c, res, YJ_D_INST, &ni), *ap = aggregate(c, res, YJ_D_PHYS, &np);
	yj_buf b = YJ_BUF_INIT;
	if (json) {
		yj_buf_printf(&b, "{\"lines\":%zu,\"flags\":%d,\"flag_rows\":%zu,\"rules\":[", c->n, res->nflags, res->n);
		for (int i = 0; i < rs->n; i++) {
			const yj_rule_stat *s = &res->stat[i];
			yj_buf_puts(&b, i ? "," : "");
			yj_buf_puts(&b, "{\"rule_id\":");
			yj_json_quote(&b, rs->r[i].id);
			yj_buf_printf(&b, ",\"type\":\"%s\",\"result_type\":\"%s\",\"flags\":%lld,\"rows\":%lld,\"amount\":",
				      rs->r[i].type_name, rs->r[i].definite ? "definite" : "suspicious", (long long)s->flags,
				      (long long)s->rows);
			put_money(&b, s->amount);
			yj_buf_printf(&b, ",\"seconds\":%.6f", s->seconds);
			if (rs->r[i].list && rs->r[i].list->version) {
				yj_buf_puts(&b, ",\"list_version\":");
				yj_json_quote(&b, rs->r[i].list->version);
			}
			if (s->skipped) {
				yj_buf_puts(&b, ",\"skipped\":");
				yj_json_quote(&b, s->skipped);
			}
			yj_buf_puts(&b, "}");
		}
		for (int pass = 0; pass < 2; pass++) {
			agg *a = pass ? ap : ai;
			int32_t n = pass ? np : ni;
			yj_buf_puts(&b, pass ? "],\"physicians\":[" : "],\"institutions\":[");
			for (int32_t k = 0; k < n && k < top; k++) {
				yj_buf_puts(&b, k ? "," : "");
				yj_buf_puts(&b, "{\"code\":");
				yj_json_quote(&b, yj_dict_str(c->dict[pass ? YJ_D_PHYS : YJ_D_INST], a[k].code));
				yj_buf_printf(&b, ",\"rows\":%lld,\"amount\":", (long long)a[k].rows);
				put_money(&b, a[k].amount);
				yj_buf_puts(&b, "}");
			}
		}
		yj_buf_puts(&b, "],\"registry_gaps\":[");
		for (int k = 0; k < res->ngaps; k++) {
			yj_buf_puts(&b, k ? ",{\"institution_code\":" : "{\"institution_code\":");
			yj_json_quote(&b, yj_dict_str(c->dict[YJ_D_INST], res->gap_inst[k]));
			yj_buf_printf(&b, ",\"lines\":%lld}", (long long)res->gap_lines[k]);
		}
		yj_buf_puts(&b, "]}\n");
	} else {
		yj_buf_printf(&b, "%-18s %-20s %-10s %9s %9s %14s %9s\n", "rule", "type", "result", "flags", "rows",
			      "amount (yuan)", "ms");
		for (int i = 0; i < rs->n; i++) {
			const yj_rule_stat *s = &res->stat[i];
			yj_buf_printf(&b, "%-18s %-20s %-10s %9lld %9lld %14s", rs->r[i].id, rs->r[i].type_name,
				      rs->r[i].definite ? "definite" : "suspicious", (long long)s->flags, (long long)s->rows, "");
			b.len -= 14;
			char money[32];
			snprintf(money, sizeof money, "%lld.%02lld", (long long)(s->amount / 100), (long long)(s->amount % 100));
			yj_buf_printf(&b, "%14s %9.1f%s%s\n", money, s->seconds * 1e3, s->skipped ? "  skipped: " : "",
				      s->skipped ? s->skipped : "");
		}
		for (int pass = 0; pass < 2; pass++) {
			agg *a = pass ? ap : ai;
			int32_t n = pass ? np : ni;
			yj_buf_printf(&b, "\ntop %d %s by amount at stake (of %d flagged)\n", top,
				      pass ? "physicians" : "institutions", n);
			for (int32_t k = 0; k < n && k < top; k++) {
				char money[32];
				snprintf(money, sizeof money, "%lld.%02lld", (long long)(a[k].amount / 100),
					 (long long)(a[k].amount % 100));
				yj_buf_printf(&b, "  %-24s %9lld rows %14s yuan\n",
					      yj_dict_str(c->dict[pass ? YJ_D_PHYS : YJ_D_INST], a[k].code), (long long)a[k].rows,
					      money);
			}
		}
		for (int k = 0; k < res->ngaps; k++)
			yj_buf_printf(&b, "%sregistry gap (登记缺失): institution %s is not in --registry: its %lld lines were not "
					  "judged by physician_scope or dept_unregistered; add it to institutions.csv\n",
				      k ? "" : "\n", yj_dict_str(c->dict[YJ_D_INST], res->gap_inst[k]),
				      (long long)res->gap_lines[k]);
	}
	fwrite(b.data, 1, b.len, out);
	yj_buf_free(&b);
	free(ai);
	free(ap);
}
