/* demo_plan.c — the demo region as a plan in memory, drawn from the seed alone: the city's real
 * counties and towns (read from the regions table), grids, institutions of a prefecture-level
 * city's type mix with their codes, dates and staff sizes, practitioners and their practice
 * filings. Nothing here writes; demo.c does. docs/demo.md explains the mix and its assumptions.
 * Over 800 lines on purpose: one deterministic plan drawn from one random stream; the order of the
 * draws is the demo's identity, and splitting the file would hide that order.
 */
#define _POSIX_C_SOURCE 200809L
#include "demo_int.h"
#include "../base/base.h"
#include "../base/codes.h"
#include "../platform/regions/regions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CITY "330300"
#define PRACTITIONERS 20000 /* at scale 1 */

/* key, vocabulary type, name ending, licence category (after WS 218-2002), clinical departments,
 * hospital, fixed staff range (0 0: a share of the rest by size), share insured. Kinds without a
 * category hold no medical practice licence (disease control centres, wellness shops). */
const demo_kind demo_kinds[] = {
	{"general", "general_hospital", "医院", "A100",
	 "01,02,03,04,05,07,08,09,10,11,12,13,15,16,19,20,21,26,27,28,30,31,32,50,52", 1, 0, 0, 1.0},
	{"tcm", "tcm_hospital", "中医院", "A210", "03,04,05,07,10,11,12,13,20,21,26,27,30,32,50,52", 1, 0, 0, 1.0},
	{"mch", "maternal_child", "妇幼保健院", "G100", "05,06,07,08,09,20,26,30,31,32", 1, 0, 0, 1.0},
	{"psych", "specialized_hospital", "精神病医院", "A420", "03,15,30,32", 1, 0, 0, 1.0},
	{"cdc", "cdc", "疾病预防控制中心", "", "01,30", 0, 20, 45, 0.0},
	{"blood", "blood_station", "中心血站", "F120", "30", 0, 10, 20, 0.0},
	{"p_general", "general_hospital", "医院", "A100", "03,04,05,07,20,26,30,32", 1, 0, 0, 0.85},
	{"p_eye", "specialized_hospital", "眼科医院", "A412", "10,26,30,32", 1, 0, 0, 0.85},
	{"p_ortho", "specialized_hospital", "骨科医院", "A426", "04,21,26,30,32", 1, 0, 0, 0.85},
	{"p_obgyn", "specialized_hospital", "妇产医院", "A418", "05,06,26,30,32", 1, 0, 0, 0.8},
	{"p_dental", "specialized_hospital", "口腔医院", "A411", "12,26,30,32", 1, 0, 0, 0.6},
	{"p_rehab", "specialized_hospital", "康复医院", "A427", "03,21,30,32", 1, 0, 0, 0.9},
	{"p_anorectal", "specialized_hospital", "肛肠医院", "A499", "04,26,30", 1, 0, 0, 0.7},
	{"p_integrated", "integrated_hospital", "中西医结合医院", "A220", "03,04,05,07,21,30,32,50,52", 1, 0, 0, 0.85},
	{"cc", "community_centre", "社区卫生服务中心", "B100", "01,02,03,07,09,12,21,30,32,50", 0, 0, 0, 1.0},
	{"cs", "community_station", "社区卫生服务站", "B200", "02,50", 0, 2, 5, 0.95},
	{"tc", "township_centre", "卫生院", "C200", "01,02,03,04,05,07,12,20,30,32,50", 0, 0, 0, 1.0},
	{"vc", "village_clinic", "卫生室", "D500", "02", 0, 1, 2, 0.95},
	{"clinic", "clinic", "诊所", "D211", "03", 0, 1, 5, 0.55},
	{"dental", "dental_clinic", "口腔诊所", "D230", "12", 0, 1, 5, 0.4},
	{"tcmc", "tcm_clinic", "中医诊所", "D214", "50", 0, 1, 4, 0.5},
	{"op", "outpatient_dept", "门诊部", "D110", "03,04,05,07,10,11,12,13,30,32,50", 0, 6, 20, 0.7},
	{"op_dental", "outpatient_dept", "口腔门诊部", "D140", "12,30,32", 0, 5, 15, 0.5},
	{"op_tcm", "outpatient_dept", "中医门诊部", "D120", "03,21,27,50", 0, 4, 12, 0.6},
	{"aesthetic", "aesthetic", "医疗美容门诊部", "D150", "13,14,26", 0, 4, 12, 0.0},
	{"exam", "exam_centre", "健康体检中心", "D160", "01,03,04,05,10,11,12,30,32", 0, 10, 25, 0.1},
	{"elderly", "elderly_care", "颐养中心", "A510", "03,21,24,50", 0, 5, 15, 0.7},
	{"wellness", "tcm_wellness", "中医养生馆", "", "", 0, 1, 3, 0.0},
	{"nursing", "nursing_home", "护理院", "A500", "03,21,24,30", 0, 6, 15, 0.7},
	{"lab", "lab_centre", "医学检验实验室", "D910", "30,31", 0, 6, 15, 0.3},
	{"imaging", "imaging_centre", "医学影像诊断中心", "D920", "32", 0, 5, 12, 0.3},
};
const size_t demo_nkinds = sizeof demo_kinds / sizeof demo_kinds[0];

int demo_kind_find(const char *key)
{
	for (size_t i = 0; i < demo_nkinds; i++)
		if (strcmp(demo_kinds[i].key, key) == 0)
			return (int)i;
	return 0;
}

static int is(const demo_inst *in, const char *key)
{
	return strcmp(demo_kinds[in->kind].key, key) == 0;
}

/* ---- a set of strings (by 64-bit hash) to keep names and codes distinct ---- */

typedef struct hset {
	uint64_t *v;
	size_t cap, n;
} hset;

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ? h : 1;
}

/* Adds s; returns 0 when it was there already. */
static int hset_add(hset *h, const char *s)
{
	if (2 * (h->n + 1) > h->cap) {
		hset big = {yj_calloc(h->cap ? h->cap * 2 : 1024, sizeof(uint64_t)), h->cap ? h->cap * 2 : 1024, 0};
		for (size_t i = 0; i < h->cap; i++)
			if (h->v[i]) {
				size_t j = h->v[i] & (big.cap - 1);
				while (big.v[j])
					j = (j + 1) & (big.cap - 1);
				big.v[j] = h->v[i];
				big.n++;
			}
		free(h->v);
		*h = big;
	}
	uint64_t x = fnv(s);
	size_t j = x & (h->cap - 1);
	while (h->v[j]) {
		if (h->v[j] == x)
			return 0;
		j = (j + 1) & (h->cap - 1);
	}
	h->v[j] = x;
	h->n++;
	return 1;
}

/* ---- the generator's state ---- */

typedef struct gen {
	demo_plan *p;
	demo_rng r;
	double scale;
	int64_t today;
	hset names, orgs, ids, certs;
	int cap_insts, cap_pracs, cap_filings;
} gen;

/* x scaled, rounded at random so that fractions add up over many calls. */
static int scaled(gen *g, double x)
{
	double v = x * g->scale;
	int n = (int)floor(v);
	return n + demo_chance(&g->r, v - n);
}

static const char *strip_suffix(const char *name, char *out, size_t cap)
{
	static const char *const suffixes[] = {"街道", "镇", "乡", "区", "县", "市"};
	snprintf(out, cap, "%s", name);
	size_t n = strlen(out);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && strcmp(out + n - k, suffixes[i]) == 0) {
			out[n - k] = '\0';
			break;
		}
	}
	return out;
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcmp(s + n - k, suf) == 0;
}

/* ---- regions ---- */

/* Copies src into dst of cap bytes, cut short as snprintf would. */
static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The regions come from the platform (regions.h), a level at a time. */
static int add_county(const yj_region *r, void *arg)
{
	demo_plan *p = arg;
	if (p->ncounties % 16 == 0)
		p->counties = yj_realloc(p->counties, (size_t)(p->ncounties + 16) * sizeof *p->counties);
	demo_county *ct = &p->counties[p->ncounties++];
	memset(ct, 0, sizeof *ct);
	copy_str(ct->code, sizeof ct->code, r->code);
	copy_str(ct->name, sizeof ct->name, r->name);
	int district = ends_with(ct->name, "区");
	snprintf(ct->prefix, sizeof ct->prefix, "%s%s", district ? "温州市" : "", ct->name);
	if (!demo_county_facts(ct->code, &ct->pop, &ct->urban, ct->box)) {
		double b[4] = {120.60, 120.75, 27.95, 28.05}; /* the city's centre */
		ct->pop = 50;
		memcpy(ct->box, b, sizeof b);
	}
	ct->street0 = -1;
	return ST_OK;
}

static demo_town *new_town(demo_plan *p)
{
	if (p->ntowns % 256 == 0)
		p->towns = yj_realloc(p->towns, (size_t)(p->ntowns + 256) * sizeof *p->towns);
	demo_town *t = &p->towns[p->ntowns++];
	memset(t, 0, sizeof *t);
	return t;
}

struct town_arg {
	demo_plan *p;
	int county;
};

/* Towns and streets: those named 街道, 镇 or 乡 (farms and development zones hold no clinics). */
static int add_town(const yj_region *r, void *arg)
{
	struct town_arg *a = arg;
	demo_county *ct = &a->p->counties[a->county];
	int street = ends_with(r->name, "街道");
	if (!street && !ends_with(r->name, "镇") && !ends_with(r->name, "乡"))
		return ST_OK;
	demo_town *t = new_town(a->p);
	copy_str(t->code, sizeof t->code, r->code);
	copy_str(t->name, sizeof t->name, r->name);
	strip_suffix(r->name, t->short_name, sizeof t->short_name);
	t->county = a->county;
	t->street = street;
	if (street && ct->street0 < 0)
		ct->street0 = a->p->ntowns - 1;
	return ST_OK;
}

/* Birthplaces for ID numbers: Zhejiang's counties, leaving out those created after the people in
 * the demo were born (龙港市, 2019). */
static int add_birthplace(const yj_region *r, void *arg)
{
	demo_plan *p = arg;
	if (strcmp(r->code, "330383") == 0)
		return ST_OK;
	if (p->nzj % 128 == 0)
		p->zj_counties = yj_realloc(p->zj_counties, (size_t)(p->nzj + 128) * sizeof(char *));
	p->zj_counties[p->nzj++] = yj_strdup(r->code);
	return ST_OK;
}

static int load_regions(store_conn *c, gen *g, char **err)
{
	demo_plan *p = g->p;
	if (yj_region_exists(c, CITY) != 1) {
		*err = yj_strdup("the regions table has no 温州市 (330300): run yijian init first");
		return ST_ERR;
	}
	if (yj_regions_each(c, CITY, 0, NULL, add_county, p) < 0 || p->ncounties == 0)
		goto fail;
	for (int i = 0; i < p->ncounties; i++) {
		demo_county *ct = &p->counties[i];
		struct town_arg ta = {p, i};
		ct->town0 = p->ntowns;
		if (yj_regions_each(c, ct->code, 0, NULL, add_town, &ta) < 0)
			goto fail;
		/* A county without town data (龙港市 manages communities directly) gets four quarters
		 * that carry the county's own code, so its institutions still have places and names. */
		if (p->ntowns == ct->town0) {
			static const char *const quarters[] = {"城东", "城西", "城南", "城北"};
			for (int q = 0; q < 4; q++) {
				demo_town *t = new_town(p);
				snprintf(t->code, sizeof t->code, "%s", ct->code);
				snprintf(t->name, sizeof t->name, "%s", quarters[q]);
				snprintf(t->short_name, sizeof t->short_name, "%s", quarters[q]);
				t->county = i;
				t->street = 1;
			}
			ct->street0 = ct->town0;
		}
		ct->ntowns = p->ntowns - ct->town0;
	}
	if (yj_regions_each(c, NULL, 3, "33", add_birthplace, p) < 0 || p->nzj == 0)
		goto fail;
	return ST_OK;
fail:
	*err = yj_asprintf("cannot read the regions table: %s", store_errmsg(c));
	return ST_ERR;
}

static int real_town(const demo_town *t)
{
	return strlen(t->code) == 9;
}

/* ---- grids: a few in every town of the central districts ---- */

static void plan_grids(gen *g)
{
	demo_plan *p = g->p;
	int cap = 64;
	p->grids = yj_calloc((size_t)cap, sizeof *p->grids);
	for (int i = 0; i < p->ntowns; i++) {
		demo_town *t = &p->towns[i];
		t->grid0 = p->ngrids;
		if (!p->counties[t->county].urban || !real_town(t))
			continue;
		int n = 3 + demo_below(&g->r, 3);
		for (int k = 1; k <= n; k++) {
			if (p->ngrids == cap)
				p->grids = yj_realloc(p->grids, (size_t)(cap *= 2) * sizeof *p->grids);
			demo_grid *gr = &p->grids[p->ngrids++];
			char num[16];
			demo_numeral(k, num);
			snprintf(gr->code, sizeof gr->code, "%.9s%03d", t->code, k % 1000);
			snprintf(gr->name, sizeof gr->name, "%.36s第%s网格", t->name, num);
			gr->town = i;
			gr->id = 0;
		}
		t->ngrids = p->ngrids - t->grid0;
	}
}

/* ---- institutions ---- */

static demo_inst *add_inst(gen *g, const char *kind, int county, int town)
{
	demo_plan *p = g->p;
	if (p->ninsts == g->cap_insts) {
		g->cap_insts = g->cap_insts ? g->cap_insts * 2 : 1024;
		p->insts = yj_realloc(p->insts, (size_t)g->cap_insts * sizeof *p->insts);
	}
	demo_inst *in = &p->insts[p->ninsts++];
	memset(in, 0, sizeof *in);
	in->kind = demo_kind_find(kind);
	in->county = county;
	in->town = town;
	in->level = "none";
	in->grade = "none";
	in->ownership = "private";
	in->profit = "forprofit";
	in->state = "active";
	snprintf(in->depts, sizeof in->depts, "%s", demo_kinds[in->kind].depts);
	return in;
}

/* Gives in the name built by fmt, or returns 0 when another institution already has it. */
static int try_name(gen *g, demo_inst *in, const char *name)
{
	if (!hset_add(&g->names, name))
		return 0;
	snprintf(in->name, sizeof in->name, "%.150s", name);
	return 1;
}

static void must_name(gen *g, demo_inst *in, const char *name)
{
	if (try_name(g, in, name))
		return;
	char buf[200];
	for (int k = 2;; k++) { /* two 城东诊所 in one county: the second becomes 城东第二诊所 in effect */
		char num[16];
		demo_numeral(k, num);
		snprintf(buf, sizeof buf, "%s（%s）", name, num);
		if (try_name(g, in, buf))
			return;
	}
}

static const char *area_of(const demo_county *ct, char *buf, size_t cap)
{
	if (ct->urban)
		return "温州";
	return strip_suffix(ct->name, buf, cap);
}

static int street_or_any(gen *g, int county)
{
	const demo_county *ct = &g->p->counties[county];
	if (ct->street0 >= 0 && demo_chance(&g->r, 0.7)) {
		/* streets follow each other in code order within a county */
		int n = 0;
		for (int i = ct->town0; i < ct->town0 + ct->ntowns; i++)
			n += g->p->towns[i].street;
		int k = demo_below(&g->r, n);
		for (int i = ct->town0; i < ct->town0 + ct->ntowns; i++)
			if (g->p->towns[i].street && k-- == 0)
				return i;
	}
	return ct->town0 + demo_below(&g->r, ct->ntowns);
}

static void hospital_beds(gen *g, demo_inst *in, int lo, int hi)
{
	in->beds = demo_range(&g->r, lo, hi);
}

/* The city's big public hospitals: a handful of 三级 in the central districts and the two
 * largest county-level cities, as in a prefecture-level city of this size. */
static const struct {
	const char *county, *name, *kind, *level, *grade;
	int beds_lo, beds_hi;
} city_hospitals[] = {
	{"330302", "温州市第一人民医院", "general", "3", "A", 1500, 1900},
	{"330302", "温州市中医院", "tcm", "3", "A", 1000, 1300},
	{"330302", "温州市第七人民医院", "psych", "3", "B", 800, 1000},
	{"330304", "温州市第二人民医院", "general", "3", "A", 1600, 2100},
	{"330304", "温州市妇幼保健院", "mch", "3", "A", 500, 700},
	{"330303", "温州市第三人民医院", "general", "3", "B", 800, 1000},
	{"330381", "瑞安市人民医院", "general", "3", "B", 1100, 1400},
	{"330382", "乐清市人民医院", "general", "3", "B", 1000, 1300},
	{"330302", "温州市疾病预防控制中心", "cdc", "none", "none", 0, 0},
	{"330302", "温州市中心血站", "blood", "none", "none", 0, 0},
};

static int county_index(const demo_plan *p, const char *code)
{
	for (int i = 0; i < p->ncounties; i++)
		if (strcmp(p->counties[i].code, code) == 0)
			return i;
	return -1;
}

static int hospital_town(const demo_county *ct)
{
	return ct->street0 >= 0 ? ct->street0 : ct->town0;
}

static void plan_public(gen *g)
{
	demo_plan *p = g->p;
	char name[160];
	for (size_t i = 0; i < sizeof city_hospitals / sizeof city_hospitals[0]; i++) {
		int ci = county_index(p, city_hospitals[i].county);
		if (ci < 0)
			continue;
		demo_inst *in = add_inst(g, city_hospitals[i].kind, ci, hospital_town(&p->counties[ci]));
		in->ownership = "public";
		in->profit = "nonprofit";
		in->level = city_hospitals[i].level;
		in->grade = city_hospitals[i].grade;
		hospital_beds(g, in, city_hospitals[i].beds_lo, city_hospitals[i].beds_hi);
		must_name(g, in, city_hospitals[i].name);
	}
	for (int ci = 0; ci < p->ncounties; ci++) {
		const demo_county *ct = &p->counties[ci];
		int town = hospital_town(ct);
		struct {
			const char *kind, *fmt, *level, *grade;
			int lo, hi, when;
		} rows[] = {
			{"general", "%s人民医院", "2", "A", 400, 800, 1},
			{"general", "%s第二人民医院", "2", "B", 200, 400, ct->pop >= 80},
			{"tcm", "%s中医院", "2", ct->pop >= 50 ? "A" : "B", 150, 450, 1},
			{"mch", "%s妇幼保健院", "2", ct->pop >= 50 ? "A" : "B", 60, 250, 1},
			{"cdc", "%s疾病预防控制中心", "none", "none", 0, 0, 1},
		};
		for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
			if (!rows[k].when)
				continue;
			snprintf(name, sizeof name, rows[k].fmt, ct->prefix);
			if (!hset_add(&g->names, name)) /* 瑞安市人民医院 is already a 三级 one */
				continue;
			demo_inst *in = add_inst(g, rows[k].kind, ci, town);
			snprintf(in->name, sizeof in->name, "%.150s", name);
			in->ownership = "public";
			in->profit = "nonprofit";
			in->level = rows[k].level;
			in->grade = rows[k].grade;
			if (rows[k].hi)
				hospital_beds(g, in, rows[k].lo, rows[k].hi);
			if (!strcmp(rows[k].kind, "general")) /* a county hospital registers fewer departments */
				snprintf(in->depts, sizeof in->depts, "%s",
					 "02,03,04,05,07,10,11,12,13,16,20,21,26,28,30,31,32,50");
		}
	}
}

static void plan_private_hospitals(gen *g)
{
	static const struct {
		const char *kind;
		int w;
	} mix[] = {
		{"p_general", 30}, {"p_eye", 10}, {"p_ortho", 12}, {"p_obgyn", 12}, {"p_dental", 8},
		{"p_rehab", 14},   {"p_anorectal", 6}, {"psych", 4}, {"p_integrated", 4},
	};
	demo_plan *p = g->p;
	char area[32], name[160];
	for (int ci = 0; ci < p->ncounties; ci++) {
		const demo_county *ct = &p->counties[ci];
		int n = scaled(g, ct->pop / 12.0);
		for (int k = 0; k < n; k++) {
			int x = demo_below(&g->r, 100), m = 0;
			while ((x -= mix[m].w) >= 0)
				m++;
			demo_inst *in = add_inst(g, mix[m].kind, ci, street_or_any(g, ci));
			int lv = demo_below(&g->r, 10);
			if (lv < 2) {
				in->level = "2";
				in->grade = demo_chance(&g->r, 0.5) ? "B" : "none";
				hospital_beds(g, in, 100, 300);
			} else if (lv < 7) {
				in->level = "1";
				in->grade = demo_chance(&g->r, 0.3) ? "A" : "none";
				hospital_beds(g, in, 20, 99);
			} else {
				hospital_beds(g, in, 20, 60);
			}
			in->profit = demo_chance(&g->r, 0.55) ? "forprofit" : "nonprofit";
			const char *suffix = strcmp(mix[m].kind, "psych") == 0 ? "精神病医院" : demo_kinds[in->kind].suffix;
			for (int tries = 0;; tries++) {
				snprintf(name, sizeof name, "%s%s%s", area_of(ct, area, sizeof area), demo_brand(&g->r), suffix);
				if (try_name(g, in, name) || tries > 20)
					break;
			}
			if (!in->name[0])
				must_name(g, in, name);
		}
	}
}

static void road_community(gen *g, char out[32])
{
	char buf[48];
	snprintf(buf, sizeof buf, "%s", demo_road(&g->r));
	static const char *const ends[] = {"大道", "东路", "路", "街"};
	for (size_t i = 0; i < 4; i++)
		if (ends_with(buf, ends[i])) {
			buf[strlen(buf) - strlen(ends[i])] = '\0';
			break;
		}
	snprintf(out, 32, "%.31s", buf);
}

/* Community health centres and stations in streets; township health centres and village clinics
 * in towns and townships. */
static void plan_towns(gen *g)
{
	demo_plan *p = g->p;
	char name[200], extra[48];
	for (int ti = 0; ti < p->ntowns; ti++) {
		const demo_town *t = &p->towns[ti];
		const demo_county *ct = &p->counties[t->county];
		if (t->street) {
			if (scaled(g, 1.0)) {
				demo_inst *in = add_inst(g, "cc", t->county, ti);
				in->ownership = "public";
				in->profit = "nonprofit";
				if (demo_chance(&g->r, 0.4)) {
					in->level = "1";
					in->grade = "A";
				}
				in->beds = demo_chance(&g->r, 0.3) ? demo_range(&g->r, 10, 40) : 0;
				snprintf(name, sizeof name, "%s%s社区卫生服务中心", ct->prefix, t->name);
				must_name(g, in, name);
			}
			int n = scaled(g, 2.0);
			for (int k = 0; k < n; k++) {
				demo_inst *in = add_inst(g, "cs", t->county, ti);
				in->ownership = "public";
				in->profit = "nonprofit";
				for (int tries = 0; tries < 10; tries++) {
					road_community(g, extra);
					snprintf(name, sizeof name, "%s%s%s社区卫生服务站", ct->prefix, t->name, extra);
					if (try_name(g, in, name))
						break;
				}
				if (!in->name[0])
					must_name(g, in, name);
			}
			continue;
		}
		if (scaled(g, 1.0)) {
			demo_inst *in = add_inst(g, "tc", t->county, ti);
			in->ownership = "public";
			in->profit = "nonprofit";
			int central = ends_with(t->name, "镇") && demo_chance(&g->r, 0.25);
			if (central && demo_chance(&g->r, 0.4)) {
				in->level = "2";
				in->grade = "B";
			} else if (demo_chance(&g->r, 0.7)) {
				in->level = "1";
				in->grade = demo_chance(&g->r, 0.7) ? "A" : "B";
			}
			in->beds = central ? demo_range(&g->r, 60, 120) : demo_range(&g->r, 10, 60);
			snprintf(name, sizeof name, "%s%s%s卫生院", ct->prefix, t->name, central ? "中心" : "");
			must_name(g, in, name);
		}
		int n = scaled(g, 2.5);
		for (int k = 0; k < n; k++) {
			demo_inst *in = add_inst(g, "vc", t->county, ti);
			in->ownership = "public";
			in->profit = "nonprofit";
			for (int tries = 0; tries < 10; tries++) {
				demo_village(&g->r, extra);
				snprintf(name, sizeof name, "%s%s%s卫生室", ct->prefix, t->name, extra);
				if (try_name(g, in, name))
					break;
			}
			if (!in->name[0])
				must_name(g, in, name);
		}
	}
}

/* Private practices, outpatient departments and the rest, in proportion to population. City
 * totals at scale 1. */
static const struct {
	const char *kind;
	double total;
} by_population[] = {
	{"clinic", 600}, {"dental", 240}, {"tcmc", 200}, {"op", 70}, {"op_dental", 30}, {"op_tcm", 20},
	{"aesthetic", 35}, {"exam", 18}, {"elderly", 30}, {"wellness", 35}, {"nursing", 12},
};

static void small_name(gen *g, demo_inst *in)
{
	const demo_county *ct = &g->p->counties[in->county];
	const demo_town *t = &g->p->towns[in->town];
	char name[200], person[32], area[32];
	const char *suffix = demo_kinds[in->kind].suffix;
	for (int tries = 0; tries < 30; tries++) {
		int style = demo_below(&g->r, 100);
		if (is(in, "clinic")) {
			static const struct {
				const char *suffix, *depts;
			} v[] = {{"诊所", "03"},	   {"诊所", "03,04"}, {"诊所", "02,03"},   {"内科诊所", "03"},
				 {"儿科诊所", "07"}, {"外科诊所", "04"}, {"皮肤科诊所", "13"}, {"眼科诊所", "10"}};
			int k = demo_below(&g->r, 8);
			snprintf(in->depts, sizeof in->depts, "%s", v[k].depts);
			if (style < 35) {
				demo_person_name(&g->r, demo_chance(&g->r, 0.6), person);
				snprintf(name, sizeof name, "%s%s%s", ct->prefix, person, v[k].suffix);
			} else {
				snprintf(name, sizeof name, "%s%s%s%s", ct->prefix, t->short_name, demo_brand(&g->r), v[k].suffix);
			}
		} else if (is(in, "dental")) {
			if (style < 30)
				snprintf(name, sizeof name, "%s%s氏口腔诊所", ct->prefix, demo_surname(&g->r));
			else
				snprintf(name, sizeof name, "%s%s%s口腔诊所", ct->prefix, t->short_name, demo_brand(&g->r));
		} else if (is(in, "tcmc")) {
			if (style < 40) {
				demo_person_name(&g->r, demo_chance(&g->r, 0.6), person);
				snprintf(name, sizeof name, "%s%s中医诊所", ct->prefix, person);
			} else if (style < 60) {
				snprintf(name, sizeof name, "%s%s堂中医诊所", ct->prefix, demo_brand(&g->r));
			} else {
				snprintf(name, sizeof name, "%s%s%s中医诊所", ct->prefix, t->short_name, demo_brand(&g->r));
			}
		} else if (is(in, "aesthetic")) {
			snprintf(name, sizeof name, "%s%s%s", area_of(ct, area, sizeof area), demo_beauty_brand(&g->r),
				 style < 70 ? "医疗美容门诊部" : "医疗美容诊所");
		} else if (is(in, "wellness")) {
			snprintf(name, sizeof name, "%s%s%s%s", ct->prefix, t->short_name, demo_brand(&g->r), suffix);
		} else if (is(in, "elderly")) {
			snprintf(name, sizeof name, "%s%s%s", ct->prefix, demo_brand(&g->r), suffix);
		} else {
			snprintf(name, sizeof name, "%s%s%s", area_of(ct, area, sizeof area), demo_brand(&g->r), suffix);
		}
		if (try_name(g, in, name))
			return;
	}
	must_name(g, in, name);
}

static void plan_small(gen *g)
{
	demo_plan *p = g->p;
	int pop = 0;
	for (int ci = 0; ci < p->ncounties; ci++)
		pop += p->counties[ci].pop;
	for (size_t k = 0; k < sizeof by_population / sizeof by_population[0]; k++) {
		const char *kind = by_population[k].kind;
		for (int ci = 0; ci < p->ncounties; ci++) {
			int n = scaled(g, by_population[k].total * p->counties[ci].pop / pop);
			for (int j = 0; j < n; j++) {
				int office = !strcmp(kind, "op") || !strcmp(kind, "aesthetic") || !strcmp(kind, "exam") ||
					     !strcmp(kind, "op_dental");
				int town = office ? street_or_any(g, ci)
						  : p->counties[ci].town0 + demo_below(&g->r, p->counties[ci].ntowns);
				demo_inst *in = add_inst(g, kind, ci, town);
				if (!strcmp(kind, "elderly") || !strcmp(kind, "nursing")) {
					in->profit = demo_chance(&g->r, 0.55) ? "nonprofit" : "forprofit";
					in->beds = !strcmp(kind, "elderly") ? demo_range(&g->r, 50, 200) : demo_range(&g->r, 50, 150);
				} else if (!strcmp(kind, "clinic") || !strcmp(kind, "dental") || !strcmp(kind, "tcmc")) {
					in->profit = demo_chance(&g->r, 0.15) ? "nonprofit" : "forprofit";
				} else if (!strcmp(kind, "exam")) {
					in->profit = demo_chance(&g->r, 0.2) ? "nonprofit" : "forprofit";
				}
				small_name(g, in);
			}
		}
	}
	/* Independent laboratories and imaging centres serve the whole city from the centre. */
	int urban[16], nu = 0;
	for (int ci = 0; ci < p->ncounties && nu < 16; ci++)
		if (p->counties[ci].urban)
			urban[nu++] = ci;
	for (int k = 0; nu && k < 2; k++) {
		int n = scaled(g, k == 0 ? 4 : 3);
		for (int j = 0; j < n; j++) {
			int ci = urban[demo_below(&g->r, nu)];
			demo_inst *in = add_inst(g, k == 0 ? "lab" : "imaging", ci, street_or_any(g, ci));
			small_name(g, in);
		}
	}
}

/* Large equipment by type and level (大型医用设备配置). */
static void plan_equipment(gen *g, demo_inst *in)
{
	demo_rng *r = &g->r;
	char e[64] = "";
#define ADD(code) (strcat(e, e[0] ? "," code : code))
	int l3 = !strcmp(in->level, "3"), l2 = !strcmp(in->level, "2"), pub = !strcmp(in->ownership, "public");
	if (is(in, "general") && l3) {
		ADD("ct");
		ADD("mr");
		ADD("dsa");
		if (demo_chance(r, 0.8))
			ADD("linac");
		if (!strcmp(in->grade, "A") && demo_chance(r, 0.5))
			ADD("pet_ct");
		if (!strcmp(in->grade, "A") && demo_chance(r, 0.4))
			ADD("surgical_robot");
	} else if (is(in, "general") && pub) {
		ADD("ct");
		if (demo_chance(r, 0.8))
			ADD("mr");
		if (demo_chance(r, 0.4))
			ADD("dsa");
	} else if ((is(in, "tcm") || is(in, "mch")) && l3) {
		ADD("ct");
		ADD("mr");
		if (is(in, "tcm") && demo_chance(r, 0.5))
			ADD("dsa");
	} else if (is(in, "tcm") && pub) {
		if (demo_chance(r, 0.9))
			ADD("ct");
		if (demo_chance(r, 0.4))
			ADD("mr");
	} else if (is(in, "mch") || is(in, "psych")) {
		if (demo_chance(r, 0.5))
			ADD("ct");
	} else if (demo_kinds[in->kind].hospital && l2) {
		if (demo_chance(r, 0.6))
			ADD("ct");
		if (demo_chance(r, 0.2))
			ADD("mr");
	} else if (demo_kinds[in->kind].hospital) {
		if (demo_chance(r, 0.15))
			ADD("ct");
	} else if (is(in, "exam")) {
		if (demo_chance(r, 0.4))
			ADD("ct");
		if (demo_chance(r, 0.15))
			ADD("mr");
	} else if (is(in, "imaging")) {
		ADD("ct");
		ADD("mr");
	} else if (is(in, "tc") && !strcmp(in->level, "2")) {
		if (demo_chance(r, 0.5))
			ADD("ct");
	}
#undef ADD
	snprintf(in->equipment, sizeof in->equipment, "%s", e);
}

static void add_years(const char *ymd, int years, char out[11])
{
	int y, m, d;
	yj_civil_from_days(demo_days(ymd), &y, &m, &d);
	y += years;
	if (!yj_date_valid(y, m, d))
		d = 28; /* 29 February of a common year */
	yj_day_format(yj_days_from_civil(y, m, d), out);
}

/* Credit code, licence number, place, dates, insurance, state and grid of a planned institution. */
static void finish_inst(gen *g, demo_inst *in)
{
	demo_plan *p = g->p;
	demo_rng *r = &g->r;
	const demo_kind *k = &demo_kinds[in->kind];
	const demo_county *ct = &p->counties[in->county];
	const demo_town *t = &p->towns[in->town];
	int pub = !strcmp(in->ownership, "public"), profit = !strcmp(in->profit, "forprofit");
	int small = !k->hospital && k->staff_hi > 0 && !pub;

	/* GB 32100: 12 public institution (事业单位), 52 private non-enterprise (民办非企业单位),
	 * 91 company, 92 individual business (个体工商户, many one-doctor clinics). */
	const char *reg = pub ? "12" : !profit ? "52" : (small && k->staff_hi <= 5 && demo_chance(r, 0.5)) ? "92" : "91";
	char prefix[9], body[9];
	snprintf(prefix, sizeof prefix, "%s%s", reg, ct->code);
	do
		snprintf(body, sizeof body, "%08d", demo_below(r, 100000000));
	while (!hset_add(&g->orgs, body));
	yj_credit_code_make(prefix, body, in->credit);

	/* Registration number (WS 218-2002 layout): organisation code 9, region 6, economic type 2
	 * (11 state, 12 collective, 17 private), institution category 4, management class 1
	 * (1 non-profit, 2 for-profit). Wellness shops hold no practice licence. */
	if (k->category[0]) {
		const char *econ = pub ? (is(in, "vc") ? "12" : "11") : "17";
		snprintf(in->licence_no, sizeof in->licence_no, "%.9s%s%s%s%c", in->credit + 8, ct->code, econ, k->category,
			 profit ? '2' : '1');
	}

	in->lng = ct->box[0] + demo_unif(r) * (ct->box[1] - ct->box[0]);
	in->lat = ct->box[2] + demo_unif(r) * (ct->box[3] - ct->box[2]);
	in->lng = round(in->lng * 1e6) / 1e6;
	in->lat = round(in->lat * 1e6) / 1e6;
	snprintf(in->address, sizeof in->address, "%s%s%s%d号", ct->prefix, real_town(t) ? t->name : "", demo_road(r),
		 demo_range(r, 1, 999));

	if (k->category[0]) {
		/* Licences run five years; 校验 every three years from 100 beds, else every year. A few
		 * are past their dates, as an inspector would find. */
		int64_t from = demo_chance(r, 0.015) ? g->today - 5 * 365 - demo_range(r, 10, 400)
						     : g->today - 30 - demo_below(r, 5 * 365 - 60);
		yj_day_format(from, in->valid_from);
		char end[11];
		add_years(in->valid_from, 5, end);
		yj_day_format(demo_days(end) - 1, in->valid_to);
		int years = in->beds >= 100 ? 3 : 1;
		int64_t period = years * 365;
		int64_t ver = demo_chance(r, 0.03) ? g->today - period - demo_range(r, 5, 150)
						   : g->today - 1 - demo_below(r, (int)period - 10);
		if (ver < from)
			ver = from;
		yj_day_format(ver, in->verified_on);
		add_years(in->verified_on, years, in->verify_due);
	}

	in->insured = demo_chance(r, k->insured);
	if (!pub) {
		int x = demo_below(r, 1000);
		if (x < (k->hospital ? 5 : 10))
			in->state = "suspended";
		else if (x < (k->hospital ? 5 : 14))
			in->state = "revoked";
		else if (x < (k->hospital ? 5 : 17))
			in->state = "closed";
	}
	if (t->ngrids)
		snprintf(in->grid_code, sizeof in->grid_code, "%s", p->grids[t->grid0 + demo_below(r, t->ngrids)].code);
	plan_equipment(g, in);
}

/* ---- staff sizes ---- */

static int small_staff(gen *g, const demo_kind *k)
{
	/* skewed to the small end: most clinics are one or two people */
	double u = demo_unif(&g->r);
	return k->staff_lo + (int)floor((k->staff_hi - k->staff_lo + 1) * pow(u, 1.6));
}

static double size_weight(const demo_inst *in)
{
	double lv = !strcmp(in->level, "3") ? 1.25 : !strcmp(in->level, "2") ? 1.0 : 0.75;
	if (is(in, "cc"))
		return 35 + in->beds;
	if (is(in, "tc"))
		return 12 + in->beds * 0.8;
	return in->beds * lv + 10;
}

static void plan_staff(gen *g)
{
	demo_plan *p = g->p;
	int target = (int)lround(PRACTITIONERS * g->scale), fixed = 0, nprop = 0;
	double w = 0;
	for (int i = 0; i < p->ninsts; i++) {
		demo_inst *in = &p->insts[i];
		const demo_kind *k = &demo_kinds[in->kind];
		if (k->staff_hi) {
			in->staff = small_staff(g, k);
			/* disease control and blood are one per county whatever the scale: scale their people */
			if ((is(in, "cdc") || is(in, "blood")) && g->scale < 1)
				in->staff = (int)fmax(2, lround(in->staff * g->scale));
			fixed += in->staff;
		} else {
			w += size_weight(in);
			nprop++;
		}
	}
	int rest = target - fixed, given = 0;
	if (rest < nprop)
		rest = nprop;
	for (int i = 0; i < p->ninsts; i++) {
		demo_inst *in = &p->insts[i];
		if (demo_kinds[in->kind].staff_hi)
			continue;
		in->staff = (int)floor(rest * size_weight(in) / w);
		if (in->staff < 1)
			in->staff = 1;
		given += in->staff;
	}
	/* What rounding left over goes one each to the institutions in plan order. */
	for (int i = 0; given < rest && nprop; i = (i + 1) % p->ninsts)
		if (!demo_kinds[p->insts[i].kind].staff_hi) {
			p->insts[i].staff++;
			given++;
		}
}

/* ---- practitioners ---- */

static const char *pick(demo_rng *r, const char *const *v, const int *w, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	int x = demo_below(r, total);
	for (int i = 0; i < n; i++)
		if ((x -= w[i]) < 0)
			return v[i];
	return v[0];
}

static const char *const CATS[] = {"physician", "assistant_physician", "nurse", "pharmacist", "technician"};

/* The category of the k-th person of an institution: small practices start with their doctor. */
static const char *category_for(gen *g, const demo_inst *in, int k)
{
	demo_rng *r = &g->r;
	const demo_kind *kd = &demo_kinds[in->kind];
	if (is(in, "vc"))
		return k == 0 ? (demo_chance(r, 0.6) ? "assistant_physician" : "physician") : "nurse";
	if ((is(in, "clinic") || is(in, "dental") || is(in, "tcmc") || is(in, "wellness")) && k == 0)
		return "physician";
	static const int hosp[] = {33, 2, 51, 6, 8}, comm[] = {34, 5, 45, 8, 8}, small[] = {35, 0, 55, 10, 0},
			 cdc[] = {60, 0, 5, 0, 35}, lab[] = {20, 0, 0, 0, 80}, img[] = {40, 0, 10, 0, 50},
			 blood[] = {10, 0, 40, 0, 50}, care[] = {30, 0, 65, 5, 0}, wellness[] = {60, 0, 40, 0, 0},
			 office[] = {40, 0, 45, 5, 10};
	const int *w = kd->hospital				 ? hosp
		       : (is(in, "cc") || is(in, "tc") || is(in, "cs")) ? comm
		       : is(in, "cdc")				 ? cdc
		       : is(in, "lab")				 ? lab
		       : is(in, "imaging")			 ? img
		       : is(in, "blood")			 ? blood
		       : (is(in, "elderly") || is(in, "nursing"))	 ? care
		       : is(in, "wellness")			 ? wellness
		       : (is(in, "clinic") || is(in, "dental") || is(in, "tcmc")) ? small
										   : office;
	return pick(r, CATS, w, 5);
}

static const char *physician_type(gen *g, const demo_inst *in)
{
	demo_rng *r = &g->r;
	if (is(in, "dental") || is(in, "op_dental") || is(in, "p_dental"))
		return "dental";
	if (is(in, "tcmc") || is(in, "op_tcm") || is(in, "wellness"))
		return "tcm";
	if (is(in, "cdc"))
		return "public_health";
	if (is(in, "tcm"))
		return demo_chance(r, 0.6) ? "tcm" : "clinical";
	if (is(in, "p_integrated"))
		return demo_chance(r, 0.5) ? "tcm" : "clinical";
	if (is(in, "general") || is(in, "p_general")) {
		static const char *const v[] = {"clinical", "tcm", "dental", "public_health"};
		static const int w[] = {85, 7, 5, 3};
		return pick(r, v, w, 4);
	}
	if (is(in, "cc") || is(in, "tc") || is(in, "cs") || is(in, "vc")) {
		static const char *const v[] = {"clinical", "tcm", "dental", "public_health"};
		static const int w[] = {75, 15, 5, 5};
		return pick(r, v, w, 4);
	}
	if (is(in, "op") || is(in, "elderly") || is(in, "nursing")) {
		static const char *const v[] = {"clinical", "tcm", "dental"};
		static const int w[] = {80, 12, 8};
		return pick(r, v, w, 3);
	}
	return "clinical";
}

/* 执业范围 of a clinical physician, by where they work. */
static const char *clinical_scope(gen *g, const demo_inst *in)
{
	demo_rng *r = &g->r;
	if (is(in, "p_eye"))
		return "眼耳鼻咽喉科专业";
	if (is(in, "p_ortho") || is(in, "p_anorectal"))
		return demo_chance(r, 0.85) ? "外科专业" : "医学影像和放射治疗专业";
	if (is(in, "p_obgyn"))
		return demo_chance(r, 0.85) ? "妇产科专业" : "医学影像和放射治疗专业";
	if (is(in, "psych"))
		return demo_chance(r, 0.85) ? "精神卫生专业" : "内科专业";
	if (is(in, "p_rehab") || is(in, "elderly") || is(in, "nursing"))
		return demo_chance(r, 0.6) ? "康复医学专业" : "内科专业";
	if (is(in, "lab"))
		return "医学检验、病理专业";
	if (is(in, "imaging"))
		return "医学影像和放射治疗专业";
	if (is(in, "aesthetic"))
		return demo_chance(r, 0.6) ? "外科专业" : "皮肤病与性病专业";
	if (is(in, "mch")) {
		static const char *const v[] = {"妇产科专业", "儿科专业", "医学影像和放射治疗专业", "医学检验、病理专业"};
		static const int w[] = {50, 35, 10, 5};
		return pick(r, v, w, 4);
	}
	if (demo_kinds[in->kind].hospital || is(in, "exam") || is(in, "op")) {
		static const char *const v[] = {"内科专业",	   "外科专业",	     "妇产科专业",
						"儿科专业",	   "眼耳鼻咽喉科专业", "皮肤病与性病专业",
						"精神卫生专业",	   "医学影像和放射治疗专业", "医学检验、病理专业",
						"急救医学专业",	   "康复医学专业",	     "重症医学专业"};
		static const int w[] = {26, 21, 10, 8, 6, 3, 2, 9, 4, 4, 3, 4};
		return pick(r, v, w, 12);
	}
	static const char *const v[] = {"全科医学专业", "内科专业", "外科专业", "妇产科专业", "儿科专业",
					"医学影像和放射治疗专业"};
	static const int w[] = {55, 18, 8, 7, 6, 6};
	return pick(r, v, w, 6);
}

static int birth_year(gen *g, const char *cat)
{
	demo_rng *r = &g->r;
	int lo = 1958, hi = 1998;
	if (!strcmp(cat, "nurse"))
		lo = 1968, hi = 2000;
	else if (!strcmp(cat, "pharmacist") || !strcmp(cat, "technician"))
		lo = 1962, hi = 2000;
	else if (!strcmp(cat, "assistant_physician"))
		lo = 1955, hi = 1996;
	/* triangular: most in mid-career */
	return lo + (int)((hi - lo) * (demo_unif(r) + demo_unif(r)) / 2.0 + 0.5);
}

static void make_id(gen *g, const demo_inst *in, int year, int male, char out[19])
{
	demo_plan *p = g->p;
	demo_rng *r = &g->r;
	for (;;) {
		const char *region;
		int x = demo_below(r, 100);
		if (x < 70 && strcmp(p->counties[in->county].code, "330383") != 0)
			region = p->counties[in->county].code;
		else if (x < 90)
			region = p->counties[demo_below(r, p->ncounties)].code;
		else
			region = p->zj_counties[demo_below(r, p->nzj)];
		if (!strcmp(region, "330383"))
			region = "330327"; /* 龙港 was part of 苍南 when these people were born */
		char jan1[32], birth[11];
		snprintf(jan1, sizeof jan1, "%04d-01-01", year);
		yj_day_format(demo_days(jan1) + demo_below(r, 365 + yj_date_leap(year)), birth);
		/* the third sequence digit is odd for men, even for women */
		int seq = demo_below(r, 100) * 10 + demo_below(r, 5) * 2 + (male ? 1 : 0);
		char s17[18];
		snprintf(s17, sizeof s17, "%.6s%.4s%.2s%.2s%03d", region, birth, birth + 5, birth + 8, seq);
		snprintf(out, 19, "%s%c", s17, yj_resident_id_check_char(s17));
		if (hset_add(&g->ids, out))
			return;
	}
}

/* 15 digits (our layout; the national one is not published): category and type 3, the county of
 * the primary institution 6, sequence 6. */
static void make_cert(gen *g, const demo_prac *pr, const demo_inst *in, char out[16])
{
	const char *head = "510";
	int t = !strcmp(pr->practice_type, "tcm") ? 2 : !strcmp(pr->practice_type, "dental") ? 3
		: !strcmp(pr->practice_type, "public_health")				? 4
											: 1;
	char buf[4];
	if (!strcmp(pr->category, "physician") || !strcmp(pr->category, "assistant_physician")) {
		snprintf(buf, sizeof buf, "%c%d0", pr->category[0] == 'p' ? '1' : '2', t);
		head = buf;
	} else if (!strcmp(pr->category, "nurse")) {
		head = "310";
	} else if (!strcmp(pr->category, "pharmacist")) {
		head = !strcmp(pr->scope ? pr->scope : "", "中药学") ? "420" : "410";
	}
	do
		snprintf(out, 16, "%s%s%06d", head, g->p->counties[in->county].code, demo_below(&g->r, 1000000));
	while (!hset_add(&g->certs, out));
}

static void make_prac(gen *g, int ii, int k)
{
	demo_plan *p = g->p;
	demo_rng *r = &g->r;
	demo_inst *in = &p->insts[ii];
	if (p->npracs == g->cap_pracs) {
		g->cap_pracs = g->cap_pracs ? g->cap_pracs * 2 : 4096;
		p->pracs = yj_realloc(p->pracs, (size_t)g->cap_pracs * sizeof *p->pracs);
	}
	demo_prac *pr = &p->pracs[p->npracs++];
	memset(pr, 0, sizeof *pr);
	pr->inst = ii;
	pr->category = category_for(g, in, k);
	int doctor = !strcmp(pr->category, "physician") || !strcmp(pr->category, "assistant_physician");
	double male_share = doctor ? 0.55 : !strcmp(pr->category, "nurse") ? 0.03
					     : !strcmp(pr->category, "pharmacist") ? 0.35
										    : 0.45;
	int male = demo_chance(r, male_share);
	int year = birth_year(g, pr->category), age = 2026 - year;
	demo_person_name(r, male, pr->name);
	make_id(g, in, year, male, pr->id_number);

	const demo_kind *kd = &demo_kinds[in->kind];
	if (doctor) {
		pr->practice_type = physician_type(g, in);
		if (!strcmp(pr->practice_type, "clinical"))
			pr->scope = clinical_scope(g, in);
		else if (!strcmp(pr->practice_type, "tcm"))
			pr->scope = demo_chance(r, 0.8) ? "中医专业" : "中西医结合专业";
		else if (!strcmp(pr->practice_type, "dental"))
			pr->scope = "口腔专业";
		else
			pr->scope = "公共卫生类别专业";
		int basic = is(in, "tc") || is(in, "vc") || is(in, "cc") || is(in, "cs");
		pr->rx = pr->category[0] == 'p' ? demo_chance(r, 0.97) : basic;
		if (strcmp(pr->practice_type, "public_health") == 0)
			pr->rx = 0;
		/* 抗菌药物分级: seniority, and special use only where a hospital can manage it. */
		pr->antibiotic = "none";
		if (pr->rx && !(strcmp(pr->practice_type, "tcm") == 0 && demo_chance(r, 0.5))) {
			int senior_ok = kd->hospital && (strcmp(in->level, "2") == 0 || strcmp(in->level, "3") == 0);
			pr->antibiotic = age >= 45 && senior_ok && demo_chance(r, 0.6) ? "special"
					 : age >= 35 && (kd->hospital || basic)      ? "restricted"
										     : "non_restricted";
		}
		/* 手术分级: surgeons, obstetricians and ENT in places that operate, capped by level. */
		if (pr->scope && (!strcmp(pr->scope, "外科专业") || !strcmp(pr->scope, "妇产科专业") ||
				  !strcmp(pr->scope, "眼耳鼻咽喉科专业"))) {
			int cap = kd->hospital ? (!strcmp(in->level, "3") ? 4 : !strcmp(in->level, "2") ? 3 : 2)
				  : (is(in, "tc") || is(in, "aesthetic")) ? 2
									  : 0;
			int by_age = age < 32 ? 1 : age < 40 ? 2 : age < 48 ? 3 : 4;
			pr->surgical = by_age < cap ? by_age : cap;
		}
		pr->insurance = pr->rx && in->insured && demo_chance(r, 0.92);
		int x = demo_below(r, 100);
		pr->assessment = x < 93 ? "pass" : x < 98 ? "pending" : "fail";
		yj_day_format(demo_days("2024-01-15") + demo_below(r, 900), pr->assessment_date);
	} else {
		pr->antibiotic = "none";
		if (!strcmp(pr->category, "nurse")) {
			pr->practice_type = "nursing";
		} else if (!strcmp(pr->category, "pharmacist")) {
			pr->practice_type = "pharmacy";
			pr->scope = (is(in, "tcm") || is(in, "tcmc") || is(in, "op_tcm")) && demo_chance(r, 0.7) ? "中药学" : "药学";
		} else {
			static const char *const v[] = {"医学检验", "医学影像", "康复治疗"};
			static const int w[] = {50, 35, 15};
			pr->practice_type = "medical_tech";
			pr->scope = is(in, "lab") ? "医学检验" : is(in, "imaging") ? "医学影像" : pick(r, v, w, 3);
		}
	}
	make_cert(g, pr, in, pr->cert);
	/* Physicians register once (no expiry), from their late twenties; nurses' and pharmacists'
	 * registrations run five years and were last renewed within them. */
	if (doctor) {
		char d[32];
		int y = year + 25 + demo_below(r, 5);
		snprintf(d, sizeof d, "%04d-%02d-%02d", y < 2000 ? 2000 : y > 2026 ? 2026 : y, demo_range(r, 1, 12),
			 demo_range(r, 1, 28));
		if (demo_days(d) > g->today)
			yj_day_format(g->today - demo_range(r, 1, 300), d);
		memcpy(pr->cert_from, d, 10);
		pr->cert_from[10] = '\0';
	} else if (!strcmp(pr->category, "nurse") || !strcmp(pr->category, "pharmacist")) {
		yj_day_format(g->today - 1 - demo_below(r, 5 * 365 - 30), pr->cert_from);
	}
	int x = demo_below(r, 1000);
	pr->state = age >= 62 && x < 150 ? "retired" : x < 3 ? "suspended" : x < 4 ? "revoked" : "active";
}

/* 多机构执业备案: some hospital doctors also practise at private clinics, departments or hospitals. */
static void plan_filings(gen *g)
{
	demo_plan *p = g->p;
	demo_rng *r = &g->r;
	int *targets[3], nt[3] = {0, 0, 0}; /* clinical, tcm, dental */
	for (int t = 0; t < 3; t++)
		targets[t] = yj_calloc((size_t)p->ninsts + 1, sizeof(int));
	for (int i = 0; i < p->ninsts; i++) {
		const demo_inst *in = &p->insts[i];
		if (strcmp(in->state, "active") || strcmp(in->ownership, "private"))
			continue;
		if (is(in, "clinic") || is(in, "op") || is(in, "aesthetic") || is(in, "exam") ||
		    (demo_kinds[in->kind].hospital && strcmp(in->level, "2")))
			targets[0][nt[0]++] = i;
		else if (is(in, "tcmc") || is(in, "op_tcm"))
			targets[1][nt[1]++] = i;
		else if (is(in, "dental") || is(in, "op_dental") || is(in, "p_dental"))
			targets[2][nt[2]++] = i;
	}
	for (int i = 0; i < p->npracs; i++) {
		const demo_prac *pr = &p->pracs[i];
		const demo_inst *home = &p->insts[pr->inst];
		if (strcmp(pr->category, "physician") || !demo_kinds[home->kind].hospital ||
		    strcmp(home->ownership, "public") || strcmp(pr->state, "active"))
			continue;
		int t = !strcmp(pr->practice_type, "tcm") ? 1 : !strcmp(pr->practice_type, "dental") ? 2 : 0;
		if (!nt[t] || !demo_chance(r, 0.08))
			continue;
		int n = demo_chance(r, 0.25) ? 2 : 1;
		int last = -1;
		for (int k = 0; k < n; k++) {
			int target = targets[t][demo_below(r, nt[t])];
			if (target == last)
				continue;
			last = target;
			if (p->nfilings == g->cap_filings) {
				g->cap_filings = g->cap_filings ? g->cap_filings * 2 : 512;
				p->filings = yj_realloc(p->filings, (size_t)g->cap_filings * sizeof *p->filings);
			}
			demo_filing *f = &p->filings[p->nfilings++];
			f->prac = i;
			f->inst = target;
			int64_t start = g->today - demo_range(r, 30, 3 * 365);
			yj_day_format(start, f->start);
			f->end[0] = '\0';
			if (demo_chance(r, 0.25)) {
				int64_t end = start + demo_range(r, 180, 700);
				if (end < g->today)
					yj_day_format(end, f->end);
			}
		}
	}
	for (int t = 0; t < 3; t++)
		free(targets[t]);
}

int demo_plan_build(store_conn *c, const yj_demo_opts *o, demo_plan *p, char **err)
{
	memset(p, 0, sizeof *p);
	gen g = {.p = p, .r = {o->seed * 0x2545F4914F6CDD1Dull + 0x853C49E6748FEA9Bull}, .scale = o->scale,
		 .today = demo_days(DEMO_TODAY)};
	int rc = load_regions(c, &g, err);
	if (rc < 0)
		goto done;
	plan_grids(&g);
	plan_public(&g);
	plan_private_hospitals(&g);
	plan_towns(&g);
	plan_small(&g);
	for (int i = 0; i < p->ninsts; i++)
		finish_inst(&g, &p->insts[i]);
	plan_staff(&g);
	for (int i = 0; i < p->ninsts; i++)
		for (int k = 0; k < p->insts[i].staff; k++)
			make_prac(&g, i, k);
	plan_filings(&g);
done:
	free(g.names.v);
	free(g.orgs.v);
	free(g.ids.v);
	free(g.certs.v);
	return rc;
}

void demo_plan_free(demo_plan *p)
{
	for (int i = 0; i < p->nzj; i++)
		free(p->zj_counties[i]);
	free(p->zj_counties);
	free(p->counties);
	free(p->towns);
	free(p->grids);
	free(p->insts);
	free(p->pracs);
	free(p->filings);
	memset(p, 0, sizeof *p);
}
