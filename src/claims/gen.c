/* gen.c — labelled synthetic claims for a two-month window (2024-01-01 to 2024-02-28).
 *
 * Clean data is built so that it violates no rule of the rule base: outpatient patients come
 * from a pool and never visit twice on one day; each inpatient stay has a patient of its own and
 * a treatment every day; plain catalogue items appear in no restricted list, capped items are
 * billed at exactly their cap. Violations are injected into claims of fresh patients, one rule at
 * a time in turn, with the rule's own parameters (often exactly one step past the boundary), and
 * every line the rule must flag is written to LABELS.csv.
 * Over 800 lines on purpose: one synthetic population whose injected violations must each stay
 * clear of every other rule; the generators read the same pools and are checked together.
 */
#include "claims.h"
#include "../base/base.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- random numbers (splitmix64) ---------------------------------------------------------- */

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t next(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int below(rng *r, int n)
{
	return n <= 1 ? 0 : (int)(next(r) % (uint64_t)n);
}

static double unif(rng *r)
{
	return (double)(next(r) >> 11) / 9007199254740992.0;
}

/* ---- catalogue ---------------------------------------------------------------------------- */

typedef struct item {
	const char *code, *name, *type;
	int64_t price; /* fen */
} item;

static const item plain_drugs[] = {
	{"XD001", "阿莫西林胶囊", "drug", 1500},	 {"XD002", "布洛芬缓释胶囊", "drug", 1250},
	{"XD003", "苯磺酸氨氯地平片", "drug", 2800}, {"XD004", "盐酸二甲双胍片", "drug", 1800},
	{"XD005", "奥美拉唑肠溶胶囊", "drug", 2200}, {"XD006", "头孢克洛胶囊", "drug", 3500},
	{"XD007", "复方甘草片", "drug", 600},		 {"XD008", "氯化钠注射液", "drug", 500},
};
static const item plain_services[] = {
	{"XS001", "普通门诊诊查费", "service", 1000}, {"XS002", "血常规检查", "service", 2000},
	{"XS003", "胸部X线摄影", "service", 6000},	{"XS004", "常规心电图检查", "service", 2500},
	{"XS005", "静脉输液", "service", 800},	{"XS006", "肝功能检测", "service", 4500},
	{"XM001", "一次性输液器", "material", 350},	{"XM002", "医用脱脂纱布", "material", 200},
};
/* Prices of listed items (the lists carry names, not prices). */
static const struct {
	const char *code;
	int64_t price;
} list_prices[] = {
	{"XS101", 8000}, {"XS102", 4000}, {"XS103", 12000}, {"XS104", 1500}, {"XD101", 1800}, {"XD102", 2200},
	{"XD104", 1600}, {"XD103", 3200}, {"XB001", 5000},  {"XN000", 1500}, {"XN001", 4000}, {"XN002", 2500},
	{"XN003", 1500}, {"XD201", 900},  {"XD202", 700},   {"XD301", 38000}, {"XD302", 16000}, {"XD401", 8000},
	{"XD402", 6500}, {"XD403", 9000}, {"XD404", 7500},
};
static const char *const diag_out[] = {"J06.9", "I10", "E11.9", "K29.7", "M54.5", "J20.9", "L30.9", "H10.9"};
static const char *const diag_emg[] = {"S61.0", "T14.0", "R10.4", "J18.9"};
static const char *const diag_inp[] = {"J18.9", "I63.9", "K35.8", "S72.0", "I21.9", "N18.5"};
static const char *const clinical_scope[] = {"02", "03", "04", "05", "07", "10", "20"};
static const char *const base_depts[] = {"03", "04", "20"};
static const char *const optional_depts[] = {"05", "07", "10"};

/* ---- state -------------------------------------------------------------------------------- */

#define NINST 24
#define PHYS_PER 6
#define MAXL 64

typedef struct inst {
	char code[19];
	double lat, lon;
	const char *depts[10];
	int nd;
} inst;

typedef struct phys {
	char id[16];
	int inst;
	const char *category; /* 临床 / 中医 / 口腔 */
	const char *home;     /* department billed normally */
} phys;

typedef struct patient {
	char id[16];
	char sex;
	int32_t birth;
} patient;

typedef struct gline {
	int line_no;
	int32_t service;
	int64_t qty, price;
	int days;
	item it;
	const yj_rule *label;
} gline;

typedef struct gclaim {
	char id[16];
	patient pt;
	int inst, phys;
	const char *dept, *diag;
	char visit;
	int32_t admit, discharge;
	gline l[MAXL];
	int n;
} gclaim;

typedef struct gen {
	rng r;
	inst gap_inst; /* an institution left out of the registry (realistic cases) */
	const yj_rules *rs;
	inst in[NINST];
	phys ph[NINST * PHYS_PER];
	int32_t d0, ndays;
	int64_t claim_seq, patient_seq;
	int clean_max_days[3];
	FILE *out, *labels, *deaths;
	yj_buf ob, lb;
	yj_gen_stats *st;
	uint8_t *key_used; /* NINST × key-list size */
	int pool;
	uint8_t *visits; /* per pool patient */
} gen;

static item make_item(const char *code, const char *name)
{
	item it = {code, name, code[1] == 'D' ? "drug" : code[1] == 'M' ? "material" : "service", 5000};
	for (size_t i = 0; i < YJ_ARRAY_LEN(list_prices); i++)
		if (strcmp(list_prices[i].code, code) == 0)
			it.price = list_prices[i].price;
	return it;
}

/* Rules of a type, and the value of code in a rule's list (NULL if absent). */
static const char *list_value(const yj_rule *r, const char *code)
{
	if (!r->list)
		return NULL;
	for (int i = 0; i < r->list->n; i++)
		if (strcmp(r->list->items[i].code, code) == 0)
			return r->list->items[i].value;
	return NULL;
}

static int64_t price_of(gen *g, const item *it)
{
	for (int i = 0; i < g->rs->n; i++) {
		const yj_rule *r = &g->rs->r[i];
		const char *v;
		int64_t cap;
		if (r->enabled && r->type == YJ_RT_PRICE_CAP && (v = list_value(r, it->code)) &&
		    yj_parse_decimal(v, strlen(v), 2, &cap) == 0 && cap < it->price)
			return cap;
	}
	return it->price;
}

/* A list item of r usable for injection: in no other enabled rule's list except price caps. */
static int exclusive_to(gen *g, const yj_rule *r, const char *code)
{
	for (int i = 0; i < g->rs->n; i++) {
		const yj_rule *o = &g->rs->r[i];
		if (o != r && o->enabled && o->type != YJ_RT_PRICE_CAP && list_value(o, code) &&
		    !(r->type == o->type && r->list == o->list))
			return 0;
	}
	return 1;
}

static void put_date(yj_buf *b, int32_t d)
{
	if (d == YJ_NO_DATE)
		return;
	char s[11];
	yj_day_format(d, s);
	yj_buf_append(b, s, 10);
}

static void flush_claim(gen *g, gclaim *c)
{
	yj_buf *b = &g->ob;
	for (int i = 0; i < c->n; i++) {
		gline *l = &c->l[i];
		yj_buf_printf(b, "%s,%d,%s,%c,", c->id, l->line_no, c->pt.id, c->pt.sex);
		put_date(b, c->pt.birth);
		yj_buf_printf(b, ",%s,%s,%s,%c,", c->inst < 0 ? g->gap_inst.code : g->in[c->inst].code, g->ph[c->phys].id,
			      c->dept, c->visit);
		put_date(b, c->admit);
		yj_buf_puts(b, ",");
		put_date(b, c->discharge);
		yj_buf_puts(b, ",");
		put_date(b, l->service);
		/* a refund line (negative quantity) has the negative of the amount its quantity bills */
		int neg = l->qty < 0;
		int64_t q = neg ? -l->qty : l->qty, amount = (q * l->price + 500) / 1000;
		yj_buf_printf(b, ",%s,%s,%s,%s,%s%lld", c->diag, l->it.code, l->it.name, l->it.type, neg ? "-" : "",
			      (long long)(q / 1000));
		if (q % 1000)
			yj_buf_printf(b, ".%03lld", (long long)(q % 1000));
		yj_buf_printf(b, ",%lld.%02lld,%s%lld.%02lld,", (long long)(l->price / 100), (long long)(l->price % 100),
			      neg ? "-" : "", (long long)(amount / 100), (long long)(amount % 100));
		if (l->days >= 0)
			yj_buf_printf(b, "%d", l->days);
		yj_buf_puts(b, "\n");
		if (l->label) {
			yj_buf_printf(&g->lb, "%s,%s,%s,%d\n", l->label->id, l->label->definite ? "definite" : "suspicious", c->id,
				      l->line_no);
			g->st->labels++;
		}
	}
	g->st->rows += c->n;
	g->st->claims++;
	if (b->len > (1u << 20)) {
		fwrite(b->data, 1, b->len, g->out);
		yj_buf_reset(b);
	}
	if (g->lb.len > (1u << 16)) {
		fwrite(g->lb.data, 1, g->lb.len, g->labels);
		yj_buf_reset(&g->lb);
	}
}

static void new_patient(gen *g, patient *p, int adult)
{
	snprintf(p->id, sizeof p->id, "P3%08lld", (long long)g->patient_seq++);
	p->sex = below(&g->r, 2) ? 'M' : 'F';
	int age = adult ? 20 + below(&g->r, 60) : 1 + below(&g->r, 80);
	p->birth = g->d0 - age * 365 - below(&g->r, 365);
}

/* A physician of inst i in the clinical category (phys index). */
static int clinical_of(gen *g, int i)
{
	return i * PHYS_PER + below(&g->r, 4);
}

static void start(gen *g, gclaim *c, const patient *pt, char visit, int inst, int ph, const char *diag)
{
	memset(c, 0, sizeof *c);
	snprintf(c->id, sizeof c->id, "C%010lld", (long long)g->claim_seq++);
	c->pt = *pt;
	c->visit = visit;
	c->inst = inst;
	c->phys = ph;
	c->dept = g->ph[ph].home;
	c->diag = diag;
	c->admit = c->discharge = YJ_NO_DATE;
}

static gline *add(gclaim *c, const item *it, int32_t day, int64_t qty_milli, int64_t price, int days)
{
	gline *l = &c->l[c->n];
	l->line_no = ++c->n;
	l->it = *it;
	l->service = day;
	l->qty = qty_milli;
	l->price = price;
	l->days = days;
	l->label = NULL;
	return l;
}

static int32_t pick_day(gen *g, int margin_end)
{
	return g->d0 + below(&g->r, g->ndays - margin_end);
}

static void add_plain(gen *g, gclaim *c, int32_t day, int drugs, int services, int visit)
{
	int used[8] = {0};
	for (int k = 0; k < services; k++) {
		int i;
		do
			i = below(&g->r, (int)YJ_ARRAY_LEN(plain_services));
		while (used[i] & 1);
		used[i] |= 1;
		add(c, &plain_services[i], day, 1000, price_of(g, &plain_services[i]), -1);
	}
	for (int k = 0; k < drugs; k++) {
		int i;
		do
			i = below(&g->r, (int)YJ_ARRAY_LEN(plain_drugs));
		while (used[i] & 2);
		used[i] |= 2;
		int maxd = g->clean_max_days[visit];
		add(c, &plain_drugs[i], day, (1 + below(&g->r, 3)) * 1000, price_of(g, &plain_drugs[i]), 1 + below(&g->r, maxd));
	}
}

/* ---- clean claims ------------------------------------------------------------------------- */

static int clean_outpatient(gen *g, gclaim *c, int max_lines)
{
	int p;
	do
		p = below(&g->r, g->pool);
	while (g->visits[p] >= 50);
	int j = g->visits[p]++;
	patient pt;
	snprintf(pt.id, sizeof pt.id, "P1%08d", p);
	rng pr = {(uint64_t)p * 7919 + 17};
	pt.sex = below(&pr, 2) ? 'M' : 'F';
	pt.birth = g->d0 - (1 + below(&pr, 85)) * 365 - below(&pr, 365);
	int32_t day = g->d0 + (int32_t)((uint64_t)(p * 31 + j * 11) % (uint64_t)g->ndays);
	int inst = p % NINST;
	char visit = unif(&g->r) < 0.12 ? 'E' : 'O';
	int ph = visit == 'E' ? inst * PHYS_PER + 3 : inst * PHYS_PER + below(&g->r, PHYS_PER);
	start(g, c, &pt, visit, inst, ph, visit == 'E' ? diag_emg[below(&g->r, 4)] : diag_out[below(&g->r, 8)]);
	if (visit == 'E')
		c->dept = "20";
	int n = 1 + below(&g->r, 4);
	n = n > max_lines ? max_lines : n;
	int services = n == 1 ? 1 : 1 + below(&g->r, n - 1);
	add_plain(g, c, day, n - services, services, visit == 'E' ? YJ_VISIT_E : YJ_VISIT_O);
	/* now and then a capped item at exactly its cap (a boundary that must not be flagged) */
	if (c->n < max_lines && unif(&g->r) < 0.1) {
		for (int i = 0; i < g->rs->n; i++)
			if (g->rs->r[i].enabled && g->rs->r[i].type == YJ_RT_PRICE_CAP && g->rs->r[i].list->n) {
				const yj_list_item *li = &g->rs->r[i].list->items[below(&g->r, g->rs->r[i].list->n)];
				if (!exclusive_to(g, &g->rs->r[i], li->code))
					break;
				item it = make_item(li->code, li->name);
				add(c, &it, day, 1000, price_of(g, &it), -1);
				break;
			}
	}
	return c->n;
}

static const item bed = {"XB001", "床位费（普通病房）", "service", 5000};
static const item nurse2 = {"XN002", "Ⅱ级护理", "service", 2500};

/* A stay of len days from admit; the treatment of the days in [idle_from, len) is left out. */
static void stay(gen *g, gclaim *c, const patient *pt, int inst, int32_t admit, int len, int idle_from, const char *diag)
{
	start(g, c, pt, 'I', inst, clinical_of(g, inst), diag ? diag : diag_inp[below(&g->r, 6)]);
	c->admit = admit;
	c->discharge = admit + len;
	for (int d = 0; d < len; d++) {
		add(c, &bed, admit + d, 1000, bed.price, -1);
		add(c, &nurse2, admit + d, 1000, nurse2.price, -1);
		if (d < idle_from) {
			if (below(&g->r, 2)) {
				const item *it = &plain_drugs[below(&g->r, 8)];
				add(c, it, admit + d, 1000 * (1 + below(&g->r, 2)), price_of(g, it), 1);
			} else {
				const item *it = &plain_services[below(&g->r, 6)];
				add(c, it, admit + d, 1000, price_of(g, it), -1);
			}
		}
	}
}

static int clean_inpatient(gen *g, gclaim *c)
{
	patient pt;
	new_patient(g, &pt, 1);
	pt.id[1] = '2';
	int len = 2 + below(&g->r, 4);
	int32_t admit = pick_day(g, len + 1);
	stay(g, c, &pt, below(&g->r, NINST), admit, len, len, NULL);
	if (unif(&g->r) < 0.01) { /* died on the day of discharge: charges that day are not "after death" */
		yj_buf b = YJ_BUF_INIT;
		yj_buf_printf(&b, "%s,", pt.id);
		put_date(&b, c->discharge);
		fprintf(g->deaths, "%s\n", b.data);
		yj_buf_free(&b);
	}
	return c->n;
}

/* ---- injections --------------------------------------------------------------------------- */

static void label_all(gclaim *c, const yj_rule *r, const char *type)
{
	for (int i = 0; i < c->n; i++)
		if (!type || strcmp(c->l[i].it.type, type) == 0)
			c->l[i].label = r;
}

/* An outpatient claim of a fresh patient with one plain service line. */
static void base_out(gen *g, gclaim *c, patient *pt, char visit, int32_t day, int inst)
{
	int ph = visit == 'E' ? inst * PHYS_PER + 3 : clinical_of(g, inst);
	start(g, c, pt, visit, inst, ph, visit == 'E' ? diag_emg[below(&g->r, 4)] : diag_out[below(&g->r, 8)]);
	if (visit == 'E')
		c->dept = "20";
	add_plain(g, c, day, 0, 1, visit == 'E' ? YJ_VISIT_E : YJ_VISIT_O);
}

static char scene_visit(gen *g, const yj_rule *r)
{
	char v[3];
	int n = 0;
	if (r->scene_mask & 1u << YJ_VISIT_O)
		v[n++] = 'O';
	if (r->scene_mask & 1u << YJ_VISIT_E)
		v[n++] = 'E';
	if (!n)
		return 0;
	return v[below(&g->r, n)];
}

static const yj_list_item *pick_listed(gen *g, const yj_rule *r)
{
	for (int tries = 0; tries < 16; tries++) {
		const yj_list_item *li = &r->list->items[below(&g->r, r->list->n)];
		if (exclusive_to(g, r, li->code))
			return li;
	}
	return NULL;
}

/* Days-supply rules that fire for (visit, code, days). */
static int days_rules_firing(gen *g, int visit, const char *code, int days, const yj_rule **only)
{
	int n = 0;
	for (int i = 0; i < g->rs->n; i++) {
		const yj_rule *r = &g->rs->r[i];
		if (!r->enabled || r->type != YJ_RT_DAYS_SUPPLY || !(r->scene_mask >> visit & 1u))
			continue;
		if (r->list && !list_value(r, code))
			continue;
		if (days > (int)yj_rule_num(r, "max_days", 7)) {
			n++;
			*only = r;
		}
	}
	return n;
}

static int far_pair(gen *g, double km, int *a, int *b)
{
	for (int t = 0; t < 200; t++) {
		int i = below(&g->r, NINST), j = below(&g->r, NINST);
		double p = M_PI / 180, x = sin((g->in[j].lat - g->in[i].lat) * p / 2), y = sin((g->in[j].lon - g->in[i].lon) * p / 2);
		double d = 2 * 6371.0 * asin(sqrt(x * x + cos(g->in[i].lat * p) * cos(g->in[j].lat * p) * y * y));
		if (i != j && d > km + 1) {
			*a = i;
			*b = j;
			return 1;
		}
	}
	return 0;
}

/* Injects one violation of rule r; returns lines written, 0 when it cannot. */
static int inject(gen *g, const yj_rule *r)
{
	gclaim c, c2;
	patient pt;
	new_patient(g, &pt, 1);
	int inst = below(&g->r, NINST);
	int lines = 0;
	switch (r->type) {
	case YJ_RT_SEX_ITEM: {
		const yj_list_item *li = pick_listed(g, r);
		const char *def = yj_rule_str(r, "sex", "");
		char allowed = li ? (li->value[0] == 'M' || li->value[0] == 'F' ? li->value[0] : def[0]) : 0;
		char v = scene_visit(g, r);
		if (!allowed || !v)
			return 0;
		pt.sex = allowed == 'M' ? 'F' : 'M';
		base_out(g, &c, &pt, v, pick_day(g, 0), inst);
		item it = make_item(li->code, li->name);
		add(&c, &it, c.l[0].service, 1000, price_of(g, &it), it.type[0] == 'd' ? 1 : -1)->label = r;
		break;
	}
	case YJ_RT_AGE_ITEM: {
		const yj_list_item *li = pick_listed(g, r);
		char v = scene_visit(g, r);
		int lo = (int)yj_rule_num(r, "min_age", 0), hi = (int)yj_rule_num(r, "max_age", 200);
		if (!li || !v || (hi >= 150 && lo <= 0))
			return 0;
		int32_t day = g->d0 + below(&g->r, 28);
		int y, m, d;
		yj_civil_from_days(day, &y, &m, &d);
		if (hi < 150) /* exactly one year too old, on the birthday */
			pt.birth = yj_days_from_civil(y - (hi + 1) - below(&g->r, 3), m, d);
		else /* one day short of the minimum age */
			pt.birth = yj_days_from_civil(y - lo, m, d) + 1 + below(&g->r, 300);
		base_out(g, &c, &pt, v, day, inst);
		item it = make_item(li->code, li->name);
		add(&c, &it, day, 1000, price_of(g, &it), it.type[0] == 'd' ? 1 : -1)->label = r;
		break;
	}
	case YJ_RT_PRICE_CAP: {
		const yj_list_item *li = pick_listed(g, r);
		char v = scene_visit(g, r);
		int64_t cap;
		if (!li || !v || yj_parse_decimal(li->value, strlen(li->value), 2, &cap) < 0)
			return 0;
		base_out(g, &c, &pt, v, pick_day(g, 0), inst);
		item it = make_item(li->code, li->name);
		int64_t over = below(&g->r, 2) ? 1 : 1 + below(&g->r, (int)(cap / 5 + 1));
		add(&c, &it, c.l[0].service, 1000, cap + over, it.type[0] == 'd' ? 1 : -1)->label = r;
		break;
	}
	case YJ_RT_DAILY_CAP:
	case YJ_RT_EXCLUSIVE: {
		if (!(r->scene_mask & 1u << YJ_VISIT_I))
			return 0;
		const yj_list_item *li = &r->list->items[below(&g->r, r->list->n)];
		int len = 2 + below(&g->r, 3);
		stay(g, &c, &pt, inst, pick_day(g, len + 1), len, len, NULL);
		int32_t day = c.admit;
		if (r->type == YJ_RT_DAILY_CAP) {
			int64_t cap;
			if (yj_parse_decimal(li->value, strlen(li->value), 3, &cap) < 0)
				return 0;
			/* drop day 0's line of the same item or of its exclusive group, then bill over the cap */
			const char *grp = NULL;
			for (int i = 0; i < g->rs->n && !grp; i++)
				if (g->rs->r[i].enabled && g->rs->r[i].type == YJ_RT_EXCLUSIVE)
					grp = list_value(&g->rs->r[i], li->code);
			for (int i = 0; i < c.n; i++) {
				const char *gi = NULL;
				for (int k = 0; k < g->rs->n && !gi; k++)
					if (g->rs->r[k].enabled && g->rs->r[k].type == YJ_RT_EXCLUSIVE)
						gi = list_value(&g->rs->r[k], c.l[i].it.code);
				if (c.l[i].service == day &&
				    (strcmp(c.l[i].it.code, li->code) == 0 || (grp && gi && strcmp(grp, gi) == 0))) {
					memmove(&c.l[i], &c.l[i + 1], sizeof c.l[0] * (size_t)(c.n - i - 1));
					c.n--;
					i--;
				}
			}
			for (int i = 0; i < c.n; i++)
				c.l[i].line_no = i + 1;
			item it = make_item(li->code, li->name);
			int64_t step = cap >= 10000 ? 1000 * (1 + below(&g->r, 6)) : 1000;
			add(&c, &it, day, cap + step, price_of(g, &it), -1)->label = r;
		} else {
			/* a second item of the group on day 0, beside the usual nursing line */
			const char *grp = li->value;
			const char *std = list_value(r, nurse2.code);
			int added = 0;
			for (int k = 0; k < r->list->n && added < (std && strcmp(std, grp) == 0 ? 1 : 2); k++) {
				const yj_list_item *x = &r->list->items[(k + below(&g->r, r->list->n)) % r->list->n];
				if (strcmp(x->value, grp) != 0 || strcmp(x->code, nurse2.code) == 0)
					continue;
				int dup = 0;
				for (int i = 0; i < c.n; i++)
					dup |= c.l[i].service == day && strcmp(c.l[i].it.code, x->code) == 0;
				if (dup)
					continue;
				item it = make_item(x->code, x->name);
				add(&c, &it, day, 1000, price_of(g, &it), -1);
				added++;
			}
			if (!added)
				return 0;
			for (int i = 0; i < c.n; i++) {
				const char *gi = list_value(r, c.l[i].it.code);
				if (c.l[i].service == day && gi && strcmp(gi, grp) == 0)
					c.l[i].label = r;
			}
		}
		break;
	}
	case YJ_RT_DUPLICATE: {
		char v = scene_visit(g, r);
		if (!v)
			return 0;
		base_out(g, &c, &pt, v, pick_day(g, 0), inst);
		add_plain(g, &c, c.l[0].service, 1, 0, v == 'E' ? YJ_VISIT_E : YJ_VISIT_O);
		gline copy = c.l[1];
		copy.line_no = ++c.n;
		c.l[2] = copy;
		c.l[1].label = c.l[2].label = r;
		break;
	}
	case YJ_RT_DAYS_SUPPLY: {
		const yj_rule *only = NULL;
		for (int t = 0; t < 8; t++) {
			char v = scene_visit(g, r);
			if (!v)
				return 0;
			int visit = v == 'E' ? YJ_VISIT_E : YJ_VISIT_O;
			item it = plain_drugs[below(&g->r, 8)];
			if (r->list) {
				const yj_list_item *li = pick_listed(g, r);
				if (!li)
					return 0;
				it = make_item(li->code, li->name);
			}
			int max = (int)yj_rule_num(r, "max_days", 7);
			for (int days = max + 1; days <= max + 6; days++)
				if (days_rules_firing(g, visit, it.code, days, &only) == 1 && only == r) {
					base_out(g, &c, &pt, v, pick_day(g, 0), inst);
					add(&c, &it, c.l[0].service, 1000, price_of(g, &it), days)->label = r;
					goto done;
				}
		}
		return 0;
	}
	case YJ_RT_READMISSION: {
		int days = (int)yj_rule_num(r, "days", 15);
		int l1 = 2 + below(&g->r, 2), l2 = 2 + below(&g->r, 2);
		int gap = below(&g->r, 3) == 0 ? days : below(&g->r, days + 1);
		if (l1 + gap + l2 + 1 >= g->ndays)
			return 0;
		int32_t a1 = g->d0 + below(&g->r, g->ndays - (l1 + gap + l2 + 1));
		const char *diag = diag_inp[below(&g->r, 6)];
		stay(g, &c, &pt, inst, a1, l1, l1, diag);
		c.l[0].label = r;
		/* readmitted on the day of discharge at the same institution is one stay settled in
		 * segments (中途结算), not a readmission: the same day goes to another institution */
		stay(g, &c2, &pt, gap == 0 ? (inst + 1 + below(&g->r, NINST - 1)) % NINST : inst, a1 + l1 + gap, l2, l2, diag);
		c2.l[0].label = r;
		flush_claim(g, &c);
		flush_claim(g, &c2);
		return c.n + c2.n;
	}
	case YJ_RT_IDLE_BED: {
		int min_idle = (int)yj_rule_num(r, "min_idle_days", 3);
		int idle = min_idle + below(&g->r, 2), len = idle + 1 + below(&g->r, 2);
		if (len + 1 >= g->ndays || len * 3 > MAXL)
			return 0;
		stay(g, &c, &pt, inst, pick_day(g, len + 1), len, len - idle, NULL);
		for (int i = 0; i < c.n; i++)
			if (c.l[i].service - c.admit >= len - idle)
				c.l[i].label = r;
		break;
	}
	case YJ_RT_OUTPATIENT_IN_STAY: {
		char v = scene_visit(g, r);
		int len = 3 + below(&g->r, 3);
		if (!v)
			return 0;
		stay(g, &c, &pt, inst, pick_day(g, len + 1), len, len, NULL);
		base_out(g, &c2, &pt, v, c.admit + 1 + below(&g->r, len - 1), inst);
		add_plain(g, &c2, c2.l[0].service, 1, 0, v == 'E' ? YJ_VISIT_E : YJ_VISIT_O);
		label_all(&c2, r, NULL);
		flush_claim(g, &c);
		flush_claim(g, &c2);
		return c.n + c2.n;
	}
	case YJ_RT_DIAG_LIMIT: {
		const yj_list_item *li = pick_listed(g, r);
		char v = scene_visit(g, r);
		if (!li || !v)
			return 0;
		base_out(g, &c, &pt, v, pick_day(g, 0), inst);
		for (int t = 0;; t++) { /* a diagnosis outside the item's prefixes */
			const char *dg = diag_out[below(&g->r, 8)];
			int ok = 0;
			for (const char *s = li->value; *s;) {
				const char *e = strchr(s, '|');
				size_t len = e ? (size_t)(e - s) : strlen(s);
				ok |= len && strncmp(dg, s, len) == 0;
				s += len + (e ? 1 : 0);
			}
			if (!ok) {
				c.diag = dg;
				break;
			}
			if (t > 20)
				return 0;
		}
		item it = make_item(li->code, li->name);
		add(&c, &it, c.l[0].service, 1000, price_of(g, &it), it.type[0] == 'd' ? 1 : -1)->label = r;
		break;
	}
	case YJ_RT_AFTER_DEATH: {
		char v = scene_visit(g, r);
		if (!v)
			return 0;
		int32_t death = g->d0 + below(&g->r, g->ndays - 4);
		base_out(g, &c, &pt, v, death + 1 + below(&g->r, 3), inst);
		label_all(&c, r, NULL);
		yj_buf b = YJ_BUF_INIT;
		yj_buf_printf(&b, "%s,", pt.id);
		put_date(&b, death);
		fprintf(g->deaths, "%s\n", b.data);
		yj_buf_free(&b);
		break;
	}
	case YJ_RT_PHYSICIAN_SCOPE: {
		if (!(r->scene_mask & 1u << YJ_VISIT_O))
			return 0;
		base_out(g, &c, &pt, 'O', pick_day(g, 0), inst);
		if (below(&g->r, 2)) { /* a physician registered elsewhere */
			int other = (inst + 1 + below(&g->r, NINST - 1)) % NINST;
			c.phys = clinical_of(g, other);
			c.dept = g->ph[c.phys].home;
		} else { /* a clinical physician billing in the TCM department */
			c.dept = "50";
		}
		label_all(&c, r, NULL);
		break;
	}
	case YJ_RT_DEPT_UNREGISTERED: {
		if (!(r->scene_mask & 1u << YJ_VISIT_O))
			return 0;
		const char *missing = NULL;
		for (size_t k = 0; k < YJ_ARRAY_LEN(optional_depts) && !missing; k++) {
			int has = 0;
			for (int d = 0; d < g->in[inst].nd; d++)
				has |= strcmp(g->in[inst].depts[d], optional_depts[k]) == 0;
			if (!has)
				missing = optional_depts[k];
		}
		if (!missing)
			return 0;
		base_out(g, &c, &pt, 'O', pick_day(g, 0), inst);
		c.dept = missing;
		label_all(&c, r, NULL);
		break;
	}
	case YJ_RT_CARD_MISUSE: {
		int a, b;
		char v = scene_visit(g, r);
		if (!v || !far_pair(g, yj_rule_num(r, "min_hours", 4) * yj_rule_num(r, "speed_kmh", 80), &a, &b))
			return 0;
		int32_t day = pick_day(g, 0);
		base_out(g, &c, &pt, v, day, a);
		base_out(g, &c2, &pt, v, day, b);
		c.l[0].label = c2.l[0].label = r;
		flush_claim(g, &c);
		flush_claim(g, &c2);
		return c.n + c2.n;
	}
	case YJ_RT_BIG_RX: {
		char v = scene_visit(g, r);
		if (!v)
			return 0;
		int64_t limit = (int64_t)llround(yj_rule_num(r, "amount", 1000) * 100);
		base_out(g, &c, &pt, v, pick_day(g, 0), inst);
		int i1 = below(&g->r, 8), i2 = (i1 + 1) % 8;
		int64_t p1 = price_of(g, &plain_drugs[i1]), p2 = price_of(g, &plain_drugs[i2]);
		int64_t q1 = limit / 2 / p1 + 1, q2 = limit / 2 / p2 + 1 + below(&g->r, 3);
		int maxd = g->clean_max_days[v == 'E' ? YJ_VISIT_E : YJ_VISIT_O];
		add(&c, &plain_drugs[i1], c.l[0].service, q1 * 1000, p1, 1 + below(&g->r, maxd));
		add(&c, &plain_drugs[i2], c.l[0].service, q2 * 1000, p2, 1 + below(&g->r, maxd));
		label_all(&c, r, "drug");
		break;
	}
	case YJ_RT_SPLIT_BILLING: { /* min_parts distinct parts of one set on one day */
		const yj_list_item *li = pick_listed(g, r);
		int need = (int)yj_rule_num(r, "min_parts", 2);
		char v = scene_visit(g, r);
		if (!li || !v)
			return 0;
		base_out(g, &c, &pt, v, pick_day(g, 0), inst);
		int got = 0;
		for (int k = 0; k < r->list->n && got < need; k++) {
			const yj_list_item *x = &r->list->items[k];
			if (strcmp(x->value, li->value) != 0 || !exclusive_to(g, r, x->code))
				continue;
			item it = make_item(x->code, x->name);
			add(&c, &it, c.l[0].service, 1000, price_of(g, &it), -1)->label = r;
			got++;
		}
		if (got < need)
			return 0;
		break;
	}
	case YJ_RT_CONSUMABLE_PROCEDURE: { /* the consumable in a stay without its procedure */
		const yj_list_item *li = pick_listed(g, r);
		if (!li || !(r->scene_mask & 1u << YJ_VISIT_I))
			return 0;
		int len = 3 + below(&g->r, 3);
		stay(g, &c, &pt, inst, pick_day(g, len + 1), len, len, NULL);
		item it = make_item(li->code, li->name);
		add(&c, &it, c.admit + 1, 1000, 100000 + 1000 * below(&g->r, 100), -1)->label = r;
		break;
	}
	case YJ_RT_RX_SPLIT: { /* two claims at one institution on one day, each at most the limit */
		char v = scene_visit(g, r);
		if (!v)
			return 0;
		int64_t limit = (int64_t)llround(yj_rule_num(r, "amount", 1000) * 100);
		int32_t day = pick_day(g, 0);
		int maxd = g->clean_max_days[v == 'E' ? YJ_VISIT_E : YJ_VISIT_O];
		int i1 = below(&g->r, 8), i2 = (i1 + 1) % 8;
		base_out(g, &c, &pt, v, day, inst);
		add(&c, &plain_drugs[i1], day, 1000, limit / 2, 1 + below(&g->r, maxd))->label = r;
		base_out(g, &c2, &pt, v, day, inst);
		add(&c2, &plain_drugs[i2], day, 1000, limit / 2 + 1 + below(&g->r, 3) * 1000, 1 + below(&g->r, maxd))->label = r;
		flush_claim(g, &c);
		flush_claim(g, &c2);
		return c.n + c2.n;
	}
	case YJ_RT_CHECKUP_ADMISSION: { /* min..max days of examinations, bed and nursing only */
		int lo = (int)yj_rule_num(r, "min_days", 2), hi = (int)yj_rule_num(r, "max_days", 4);
		if (lo < 1 || hi < lo || hi + 1 >= g->ndays || hi * 3 > MAXL || !(r->scene_mask & 1u << YJ_VISIT_I))
			return 0;
		int len = below(&g->r, 2) ? (below(&g->r, 2) ? lo : hi) : lo + below(&g->r, hi - lo + 1);
		const yj_list_item *ex[16];
		int nex = 0;
		for (int k = 0; k < r->list->n && nex < 16; k++)
			if (strcmp(r->list->items[k].value, "exam") == 0 && exclusive_to(g, r, r->list->items[k].code))
				ex[nex++] = &r->list->items[k];
		if (!nex || !list_value(r, bed.code) || !list_value(r, nurse2.code))
			return 0;
		start(g, &c, &pt, 'I', inst, clinical_of(g, inst), diag_inp[below(&g->r, 6)]);
		c.admit = pick_day(g, len + 1);
		c.discharge = c.admit + len;
		for (int d = 0; d < len; d++) {
			add(&c, &bed, c.admit + d, 1000, bed.price, -1);
			add(&c, &nurse2, c.admit + d, 1000, nurse2.price, -1);
			const yj_list_item *e = ex[below(&g->r, nex)];
			item it = make_item(e->code, e->name);
			add(&c, &it, c.admit + d, 1000, price_of(g, &it), -1);
		}
		label_all(&c, r, NULL);
		break;
	}
	case YJ_RT_CARD_IDENTITY: { /* items of another sex or age group on min_days days */
		const yj_list_item *li = pick_listed(g, r);
		char v = scene_visit(g, r);
		int days = (int)yj_rule_num(r, "min_days", 1);
		if (!li || !v || days < 1 || days > 10)
			return 0;
		if (strcmp(li->value, "M") == 0 || strcmp(li->value, "F") == 0)
			pt.sex = li->value[0] == 'M' ? 'F' : 'M';
		else if (strcmp(li->value, "child") == 0)
			pt.birth = g->d0 - 365 * ((int)yj_rule_num(r, "child_max_age", 13) + 2) - below(&g->r, 300);
		else if (strcmp(li->value, "adult") == 0)
			pt.birth = g->d0 - 365 * 8 - below(&g->r, 300);
		else
			return 0;
		item it = make_item(li->code, li->name);
		int32_t d0 = pick_day(g, days * 2 + 1);
		for (int d = 0; d < days; d++) {
			base_out(g, &c, &pt, v, d0 + 2 * d, inst);
			add(&c, &it, c.l[0].service, 1000, price_of(g, &it), it.type[0] == 'd' ? 1 : -1)->label = r;
			flush_claim(g, &c);
			lines += c.n;
		}
		return lines;
	}
	case YJ_RT_CARD_INSTS: { /* one card at min_insts institutions in one month, on different days */
		char v = scene_visit(g, r);
		int k = (int)yj_rule_num(r, "min_insts", 5);
		if (!v || k < 2 || k > 12 || g->ndays < 31 + 2 * k)
			return 0;
		int32_t day0 = g->d0 + (below(&g->r, 2) ? 0 : 31) + below(&g->r, 28 - 2 * k > 0 ? 28 - 2 * k : 1);
		int first_inst = below(&g->r, NINST);
		for (int q = 0; q < k; q++) {
			base_out(g, &c, &pt, v, day0 + 2 * q, (first_inst + q) % NINST);
			c.l[0].label = r;
			flush_claim(g, &c);
			lines += c.n;
		}
		return lines;
	}
	case YJ_RT_KEY_DRUG: {
		double growth = yj_rule_num(r, "growth", NAN);
		char v = scene_visit(g, r);
		if (isnan(growth) || !v || r->list->n > 64)
			return 0;
		int k = -1, in = -1;
		for (int t = 0; t < 64 && k < 0; t++) {
			int kk = below(&g->r, r->list->n), ii = below(&g->r, NINST);
			if (!g->key_used[ii * 64 + kk] && exclusive_to(g, r, r->list->items[kk].code)) {
				k = kk;
				in = ii;
			}
		}
		if (k < 0)
			return 0;
		g->key_used[in * 64 + k] = 1;
		item it = make_item(r->list->items[k].code, r->list->items[k].name);
		int64_t price = price_of(g, &it), min_amount = (int64_t)llround(yj_rule_num(r, "min_amount", 1000) * 100);
		int64_t big = INT64_MAX;
		for (int i = 0; i < g->rs->n; i++)
			if (g->rs->r[i].enabled && g->rs->r[i].type == YJ_RT_BIG_RX)
				big = (int64_t)llround(yj_rule_num(&g->rs->r[i], "amount", 1000) * 100);
		int64_t per = big == INT64_MAX ? 10 * price : big * 8 / 10; /* per-claim amount under the big-prescription bar */
		int64_t qmax = per / price > 0 ? per / price : 1;
		int maxd = g->clean_max_days[v == 'E' ? YJ_VISIT_E : YJ_VISIT_O];
		/* January: a small baseline */
		base_out(g, &c, &pt, v, g->d0 + below(&g->r, 28), in);
		int64_t q0 = 1 + below(&g->r, (int)qmax);
		if (q0 * price >= min_amount)
			q0 = 1;
		add(&c, &it, c.l[0].service, q0 * 1000, price, 1 + below(&g->r, maxd));
		flush_claim(g, &c);
		lines = c.n;
		/* February: enough to pass both the minimum and the growth threshold */
		int64_t need = (int64_t)ceil((double)(q0 * price) * (1.0 + growth)) + 1;
		need = need > min_amount ? need : min_amount;
		int64_t got = 0;
		while (got < need) {
			patient p2;
			new_patient(g, &p2, 1);
			base_out(g, &c, &p2, v, g->d0 + 31 + below(&g->r, 28), in);
			add(&c, &it, c.l[0].service, qmax * 1000, price, 1 + below(&g->r, maxd))->label = r;
			got += qmax * price;
			flush_claim(g, &c);
			lines += c.n;
		}
		return lines;
	}
	default:
		return 0;
	}
done:
	flush_claim(g, &c);
	return c.n;
}

/* ---- realistic cases: what real claims data has and no rule may flag ----------------------- */

/* Writes one case: a refund or reversal (冲销) of a clean claim's line (in full, in part, of a
 * duplicated copy, or with no original), a stay settled as two claims (中途结算: both with the
 * full dates, or each with its own segment), or a clean claim of the unregistered institution.
 * Returns the lines written. */
static int realistic_case(gen *g, int max_lines)
{
	gclaim c, c2;
	int kind = below(&g->r, 6);
	if (kind <= 2 && max_lines >= 4) {
		clean_outpatient(g, &c, 2);
		gline *o = &c.l[0];
		int64_t q = o->qty >= 2000 && kind == 1 ? 1000 : o->qty / 1000 * 1000;
		if (q <= 0)
			q = 1000;
		if (kind == 2) { /* the copy of a duplicated line reversed: nothing left to flag */
			add(&c, &o->it, o->service, o->qty, o->price, o->days);
			q = o->qty;
		}
		add(&c, &o->it, o->service, -q, o->price, o->days);
		g->st->refunds++;
		if (below(&g->r, 8) == 0) { /* a refund of an item the claim does not bill: reported */
			const item *it = &plain_services[below(&g->r, (int)YJ_ARRAY_LEN(plain_services))];
			int billed = 0;
			for (int i = 0; i < c.n; i++)
				billed |= strcmp(c.l[i].it.code, it->code) == 0;
			if (!billed) {
				add(&c, it, o->service, -1000, price_of(g, it), -1);
				g->st->refunds++;
				g->st->orphan_refunds++;
			}
		}
		flush_claim(g, &c);
		return c.n;
	}
	if (kind <= 4 && max_lines >= 24) { /* 中途结算: one stay, two claims */
		patient pt;
		new_patient(g, &pt, 1);
		int len = 6 + below(&g->r, 3), half = 2 + below(&g->r, len - 3);
		gclaim full;
		stay(g, &full, &pt, below(&g->r, NINST), pick_day(g, len + 1), len, len, NULL);
		c = c2 = full;
		snprintf(c2.id, sizeof c2.id, "C%010lld", (long long)g->claim_seq++);
		c.n = c2.n = 0;
		for (int i = 0; i < full.n; i++) {
			gclaim *to = full.l[i].service - full.admit < half ? &c : &c2;
			to->l[to->n] = full.l[i];
			to->l[to->n].line_no = to->n + 1;
			to->n++;
		}
		if (kind == 4) { /* each segment with its own dates: the second admitted on the first's discharge */
			c.discharge = full.admit + half;
			c2.admit = full.admit + half;
		}
		flush_claim(g, &c);
		flush_claim(g, &c2);
		g->st->interim_stays++;
		return c.n + c2.n;
	}
	clean_outpatient(g, &c, max_lines < 4 ? max_lines : 4);
	c.inst = -1; /* 登记缺失: its physicians are registered nowhere, so it is judged by no registry rule */
	flush_claim(g, &c);
	g->st->gap_claims++;
	g->st->gap_lines += c.n;
	return c.n;
}

/* ---- registry ----------------------------------------------------------------------------- */

static const char uscc_alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static void make_uscc(gen *g, int i, char out[19])
{
	static const int ow[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
	snprintf(out, 19, "12330%d%02d", 1 + i % 9, 0);
	int s = 0;
	for (int k = 0; k < 8; k++) {
		int dgt = (int)(next(&g->r) % 10);
		out[8 + k] = (char)('0' + dgt);
		s += dgt * ow[k];
	}
	int oc = 11 - s % 11;
	out[16] = oc == 10 ? 'X' : oc == 11 ? '0' : (char)('0' + oc);
	int t = 0;
	for (int k = 0; k < 17; k++)
		t += (int)(strchr(uscc_alpha, out[k]) - uscc_alpha) * w[k];
	int cc = 31 - t % 31;
	out[17] = uscc_alpha[cc == 31 ? 0 : cc];
	out[18] = 0;
}

static int write_registry(gen *g, const char *dir, char **err)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		*err = yj_asprintf("%s: %s", dir, strerror(errno));
		return YJ_ERR;
	}
	char *ip = yj_asprintf("%s/institutions.csv", dir), *pp = yj_asprintf("%s/physicians.csv", dir);
	FILE *fi = fopen(ip, "w"), *fp = fopen(pp, "w");
	int rc = fi && fp ? YJ_OK : YJ_ERR;
	if (rc == YJ_OK) {
		fprintf(fi, "institution_code,name,lat,lon,depts\n");
		for (int i = 0; i < NINST; i++) {
			fprintf(fi, "%s,合成市第%d医院,%.5f,%.5f,", g->in[i].code, i + 1, g->in[i].lat, g->in[i].lon);
			for (int d = 0; d < g->in[i].nd; d++)
				fprintf(fi, "%s%s", d ? "|" : "", g->in[i].depts[d]);
			fprintf(fi, "\n");
		}
		fprintf(fp, "physician_id,institution_code,category,depts\n");
		for (int i = 0; i < NINST * PHYS_PER; i++) {
			const phys *p = &g->ph[i];
			fprintf(fp, "%s,%s,%s,", p->id, g->in[p->inst].code, p->category);
			if (strcmp(p->category, "临床") == 0)
				for (size_t k = 0; k < YJ_ARRAY_LEN(clinical_scope); k++)
					fprintf(fp, "%s%s", k ? "|" : "", clinical_scope[k]);
			else
				fprintf(fp, "%s", p->home);
			fprintf(fp, "\n");
		}
	} else {
		*err = yj_asprintf("%s: cannot write registry files", dir);
	}
	if (fi && fclose(fi) != 0)
		rc = YJ_ERR;
	if (fp && fclose(fp) != 0)
		rc = YJ_ERR;
	free(ip);
	free(pp);
	return rc;
}

static void setup(gen *g)
{
	g->d0 = yj_days_from_civil(2024, 1, 1);
	g->ndays = 59; /* to 2024-02-28 */
	for (int i = 0; i < NINST; i++) {
		inst *in = &g->in[i];
		make_uscc(g, i, in->code);
		in->lat = 27.2 + unif(&g->r) * 3.8;
		in->lon = 118.1 + unif(&g->r) * 4.6;
		for (size_t k = 0; k < YJ_ARRAY_LEN(base_depts); k++)
			in->depts[in->nd++] = base_depts[k];
		int opt = 0;
		for (size_t k = 0; k < YJ_ARRAY_LEN(optional_depts); k++)
			if (below(&g->r, 3) && opt < 2) { /* at most two: one optional department stays unregistered */
				in->depts[in->nd++] = optional_depts[k];
				opt++;
			}
		in->depts[in->nd++] = "50";
		int dental = below(&g->r, 2);
		if (dental)
			in->depts[in->nd++] = "12";
		for (int p = 0; p < PHYS_PER; p++) {
			phys *ph = &g->ph[i * PHYS_PER + p];
			snprintf(ph->id, sizeof ph->id, "D%02d%03d", i, p);
			ph->inst = i;
			if (p < 3) {
				ph->category = "临床";
				ph->home = base_depts[p];
			} else if (p == 3) {
				ph->category = "临床";
				ph->home = "20";
			} else if (p == 4) {
				ph->category = "中医";
				ph->home = "50";
			} else {
				ph->category = dental ? "口腔" : "临床";
				ph->home = dental ? "12" : "03";
			}
		}
	}
	/* the longest days' supply clean claims may carry, per visit type */
	for (int v = 0; v < 3; v++) {
		g->clean_max_days[v] = 7;
		for (int i = 0; i < g->rs->n; i++) {
			const yj_rule *r = &g->rs->r[i];
			if (r->enabled && r->type == YJ_RT_DAYS_SUPPLY && !r->list && (r->scene_mask >> v & 1u)) {
				int m = (int)yj_rule_num(r, "max_days", 7);
				if (m < g->clean_max_days[v])
					g->clean_max_days[v] = m < 1 ? 1 : m;
			}
		}
	}
}

int yj_gen_claims(const yj_gen_opts *o, const yj_rules *rs, yj_gen_stats *st, char **err)
{
	*err = NULL;
	memset(st, 0, sizeof *st);
	gen *g = yj_calloc(1, sizeof *g);
	g->r.s = o->seed * 0x2545F4914F6CDD1Dull + 1;
	g->rs = rs;
	g->st = st;
	setup(g);
	g->pool = (int)(o->rows / 12 > 200 ? o->rows / 12 : 200);
	g->visits = yj_calloc((size_t)g->pool, 1);
	snprintf(g->gap_inst.code, sizeof g->gap_inst.code, "12339900MB00000000"); /* in no registry file */
	g->key_used = yj_calloc(NINST * 64, 1);
	int rc = YJ_ERR;
	g->out = fopen(o->out, "w");
	g->labels = fopen(o->labels, "w");
	g->deaths = fopen(o->deaths, "w");
	if (!g->out || !g->labels || !g->deaths) {
		*err = yj_asprintf("cannot write %s, %s or %s", o->out, o->labels, o->deaths);
		goto done;
	}
	if (write_registry(g, o->registry_dir, err) < 0)
		goto done;
	fprintf(g->out, "claim_id,line_no,patient_id,sex,birth_date,institution_code,physician_id,dept_code,visit_type,"
			"admit_date,discharge_date,service_date,diagnosis,item_code,item_name,item_type,quantity,unit_price,"
			"amount,days_supply\n");
	fprintf(g->labels, "rule_id,result_type,claim_id,line_no\n");
	fprintf(g->deaths, "patient_id,death_date\n");
	int next_rule = 0;
	gclaim c;
	while (st->rows < o->rows) {
		int64_t left = o->rows - st->rows;
		if (left >= 64 && unif(&g->r) < o->violations && rs->n) {
			int tried = 0, n = 0;
			while (tried++ < rs->n && !n) {
				const yj_rule *r = &rs->r[next_rule++ % rs->n];
				if (r->enabled && (n = inject(g, r)) > 0) {
					st->injected++;
					st->per_rule[(next_rule - 1) % rs->n % 64]++;
				}
			}
			if (n)
				continue;
		}
		if (o->realistic && unif(&g->r) < 0.03 && realistic_case(g, (int)(left < 24 ? left : 24)) > 0)
			continue;
		if (left >= 24 && unif(&g->r) < 0.06)
			clean_inpatient(g, &c);
		else
			clean_outpatient(g, &c, (int)(left < 4 ? left : 4));
		flush_claim(g, &c);
	}
	if (g->ob.len)
		fwrite(g->ob.data, 1, g->ob.len, g->out);
	if (g->lb.len)
		fwrite(g->lb.data, 1, g->lb.len, g->labels);
	rc = YJ_OK;
done:
	if (g->out && fclose(g->out) != 0)
		rc = YJ_ERR;
	if (g->labels && fclose(g->labels) != 0)
		rc = YJ_ERR;
	if (g->deaths && fclose(g->deaths) != 0)
		rc = YJ_ERR;
	if (rc < 0 && !*err)
		*err = yj_strdup("write failed");
	yj_buf_free(&g->ob);
	yj_buf_free(&g->lb);
	free(g->visits);
	free(g->key_used);
	free(g);
	return rc;
}
