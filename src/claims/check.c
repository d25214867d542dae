/* check.c — the real-time check (事前/事中审核): one claim or prescription, written as CSV lines beside
 * the patient's recent history, loaded by the same loader and screened by the same rule kernels as a
 * file (so a check and a batch run can never disagree), keeping the flags that fall on the claim;
 * and the per-process cache of patients' histories. No SQL (check_store.c), no HTTP (check_api.c). */
#define _POSIX_C_SOURCE 200809L
#include "check_int.h"
#include "review_int.h"
#include "../platform/pii/pii.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the engine: configured once at start (yj_claims_check_configure), read-only afterwards ---- */

static yj_rules *g_loaded;   /* as read from the rule base directory (owned) */
static yj_rules g_rules;     /* the same rules with the batch-only ones disabled (array owned) */
static yj_refs g_refs;
static int g_ready;
static char *g_dir;
static char g_rules_sha[65];

const yj_rules *ck_rules_all(void)
{
	return g_ready ? g_loaded : NULL;
}

const yj_refs *ck_refs(void)
{
	return &g_refs;
}

const char *ck_rules_dir(void)
{
	return g_dir;
}

const char *ck_rules_sha(void)
{
	return g_ready ? g_rules_sha : "";
}

/* Rules a check does not run: key_drug compares an institution's monthly totals of every patient,
 * which one patient's history cannot show; it runs in batch screening only. */
static int batch_only(int type)
{
	return type == YJ_RT_KEY_DRUG;
}

int yj_claims_check_configure(const char *rules_dir, const char *registry_dir, const char *deaths, char **err)
{
	*err = NULL;
	yj_rules *rs = yj_rules_load(rules_dir, err);
	if (!rs)
		return YJ_ERR;
	if (rv_rules_sha(rules_dir, g_rules_sha, err) < 0)
		goto fail;
	if (registry_dir && yj_refs_load_registry(&g_refs, registry_dir, err) < 0)
		goto fail;
	if (deaths && yj_refs_load_deaths(&g_refs, deaths, err) < 0)
		goto fail;
	/* Checks name patients by the keyed hash of their id (history stores no id), so the register does too. */
	for (int i = 0; i < g_refs.ndead; i++) {
		char h[65];
		yj_pii_hash(g_refs.dead[i], h);
		free(g_refs.dead[i]);
		g_refs.dead[i] = yj_strdup(h);
	}
	g_loaded = rs;
	g_rules = *rs;
	g_rules.r = yj_malloc(sizeof *g_rules.r * (size_t)(rs->n ? rs->n : 1));
	memcpy(g_rules.r, rs->r, sizeof *g_rules.r * (size_t)rs->n);
	for (int i = 0; i < g_rules.n; i++)
		if (batch_only(g_rules.r[i].type))
			g_rules.r[i].enabled = 0;
	g_dir = yj_strdup(rules_dir);
	g_ready = 1;
	return YJ_OK;
fail:
	yj_rules_free(rs);
	yj_refs_free(&g_refs);
	memset(&g_refs, 0, sizeof g_refs);
	return YJ_ERR;
}

/* ---- the claim as CSV ---- */

static const char *const header =
	"claim_id,line_no,patient_id,sex,birth_date,institution_code,physician_id,dept_code,visit_type,admit_date,"
	"discharge_date,service_date,diagnosis,item_code,item_name,item_type,quantity,unit_price,amount,days_supply\n";
/* Which columns of the header are the claim's (the rest are a line's), for naming a bad field. */
static const char *const claim_cols[] = {"claim_id", "patient_id", "sex", "birth_date", "institution_code",
					 "physician_id", "dept_code", "visit_type", "admit_date", "discharge_date",
					 "diagnosis", NULL};

static void put_field(yj_buf *b, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		yj_buf_puts(b, "\"");
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				yj_buf_puts(b, "\"");
			yj_buf_append(b, p, 1);
		}
		yj_buf_puts(b, "\"");
	} else {
		yj_buf_puts(b, s);
	}
	yj_buf_puts(b, last ? "\n" : ",");
}

/* A JSON string, integer or real as text ("" when absent or null); 0 when of another type. */
static int scalar_text(const json_t *v, char *out, size_t cap)
{
	out[0] = 0;
	if (!v || json_is_null(v))
		return 1;
	if (json_is_string(v))
		snprintf(out, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, cap, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, cap, "%.15g", json_real_value(v)); /* shortest text that reads back the same */
	else
		return 0;
	return 1;
}

static void widen(ck_claim *cl, const char *date)
{
	int64_t d;
	if (!*date || yj_date_parse(date, strlen(date), YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &d) < 0)
		return;
	if (cl->first_day == YJ_NO_DATE || d < cl->first_day)
		cl->first_day = (int32_t)d;
	if (cl->last_day == YJ_NO_DATE || d > cl->last_day)
		cl->last_day = (int32_t)d;
}

static const char *const line_cols[] = {"line_no", "service_date", "item_code", "item_name", "item_type",
					"quantity", "unit_price", "amount", "days_supply"};

int ck_claim_from_json(const json_t *body, ck_claim *out, json_t *errors)
{
	memset(out, 0, sizeof *out);
	out->first_day = out->last_day = YJ_NO_DATE;
	char cv[11][256];
	for (int i = 0; claim_cols[i]; i++)
		if (!scalar_text(json_object_get(body, claim_cols[i]), cv[i], sizeof cv[i]))
			yj_field_error(errors, claim_cols[i], "应为字符串");
	const char *patient = cv[1];
	if (!*cv[0])
		yj_field_error(errors, "claim_id", "不能为空");
	if (!*patient)
		yj_field_error(errors, "patient_id", "不能为空");
	const json_t *lines = json_object_get(body, "lines");
	if (!json_is_array(lines) || json_array_size(lines) == 0)
		yj_field_error(errors, "lines", "至少一行明细");
	else if (json_array_size(lines) > 500)
		yj_field_error(errors, "lines", "一次审核至多500行明细");
	if (json_array_size(errors))
		return YJ_ERR;
	snprintf(out->claim_id, sizeof out->claim_id, "%s", cv[0]);
	snprintf(out->institution, sizeof out->institution, "%s", cv[4]);
	yj_pii_hash(patient, out->patient_hash);
	widen(out, cv[8]);
	widen(out, cv[9]);
	yj_buf b = YJ_BUF_INIT;
	size_t i;
	const json_t *ln;
	json_array_foreach(lines, i, ln)
	{
		char lv[9][256];
		int ok = json_is_object(ln);
		for (int k = 0; ok && k < 9; k++)
			if (!scalar_text(json_object_get(ln, line_cols[k]), lv[k], sizeof lv[k])) {
				char f[64];
				snprintf(f, sizeof f, "lines[%zu].%s", i, line_cols[k]);
				yj_field_error(errors, f, "应为字符串或数字");
				ok = 0;
			}
		if (!json_is_object(ln)) {
			char f[32];
			snprintf(f, sizeof f, "lines[%zu]", i);
			yj_field_error(errors, f, "应为对象");
		}
		if (!ok)
			continue;
		widen(out, lv[1]);
		const char *row[20] = {cv[0], lv[0], out->patient_hash,   cv[2], cv[3], cv[4], cv[5], cv[6], cv[7], cv[8],
				       cv[9], lv[1], cv[10], lv[2], lv[3], lv[4], lv[5], lv[6], lv[7], lv[8]};
		for (int k = 0; k < 20; k++)
			put_field(&b, row[k], k == 19);
		out->nlines++;
	}
	out->csv = b.data ? yj_buf_detach(&b) : yj_strdup("");
	return json_array_size(errors) ? YJ_ERR : YJ_OK;
}

void ck_claim_free(ck_claim *c)
{
	free(c->csv);
	c->csv = NULL;
}

/* ---- screening ---- */

static void yuan(int64_t fen, char out[32])
{
	uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(out, 32, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(a / 100),
		 (unsigned long long)(a % 100));
}

/* The JSON field a loader error names: the claim's own column, or lines[i].column. */
static void error_field(const ck_claim *cl, const yj_load_error *e, char *out, size_t cap)
{
	for (int i = 0; claim_cols[i]; i++)
		if (!strcmp(e->column, claim_cols[i])) {
			snprintf(out, cap, "%s", e->column);
			return;
		}
	int64_t line = e->row - 2; /* the header is row 1, the claim's lines come first */
	if (line < 0 || line >= cl->nlines)
		line = 0;
	snprintf(out, cap, "lines[%lld]%s%s", (long long)line, e->column[0] ? "." : "", e->column);
}

static json_t *flag_json(const yj_claims *c, const yj_screen_result *res, size_t from, size_t to, int32_t code)
{
	const yj_rule *r = &g_rules.r[res->f[from].rule];
	json_t *lines = json_array();
	int64_t fen = 0;
	size_t first = to;
	for (size_t k = from; k < to; k++) {
		int32_t row = res->f[k].row;
		if (c->claim[row] != code)
			continue;
		if (first == to)
			first = k;
		fen += res->f[k].amount;
		json_array_append_new(lines, json_integer(c->line_no[row]));
	}
	char *msg = yj_flag_message(c, &g_rules, &res->f[first]);
	char y[32];
	yuan(fen, y);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:s, s:s, s:o}", "rule_id", r->id, "rule_name",
			      r->name, "rule_type", r->type_name, "result_type", r->definite ? "definite" : "suspicious",
			      "line_nos", lines, "amount_yuan", y, "amount_fen", (json_int_t)fen, "message", msg,
			      "basis", r->basis ? r->basis : "", "list_version",
			      r->list && r->list->version ? json_string(r->list->version) : json_null());
	free(msg);
	return o;
}

int ck_screen(const ck_claim *cl, const ck_hist *hist, int n, json_t **out, json_t *errors)
{
	*out = NULL;
	if (!g_ready)
		return 1;
	yj_buf b = YJ_BUF_INIT;
	yj_buf_puts(&b, header);
	yj_buf_puts(&b, cl->csv);
	int used = 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(hist[i].claim_id, cl->claim_id) ||
		    (cl->first_day != YJ_NO_DATE && hist[i].last_day < cl->first_day - CK_HISTORY_DAYS))
			continue;
		yj_buf_puts(&b, hist[i].csv);
		used++;
	}
	yj_load_opts lo = {.threads = 1, .max_bad_share = 1.0, .max_errors = 20, .chunk_bytes = 1u << 20};
	yj_load_report rep;
	yj_claims *c = NULL;
	char *err = NULL;
	int rc = yj_claims_load_mem(b.data, b.len, &lo, &c, &rep, &err);
	if (rc < 0 || rep.bad_rows) {
		for (int i = 0; i < rep.nerrors; i++) {
			char f[80];
			error_field(cl, &rep.errors[i], f, sizeof f);
			yj_field_error(errors, f, rep.errors[i].reason);
		}
		if (!rep.nerrors)
			yj_field_error(errors, "lines", err ? err : "无法读取");
		free(err);
		yj_load_report_free(&rep);
		yj_claims_free(c);
		yj_buf_free(&b);
		return YJ_ERR;
	}
	yj_load_report_free(&rep);
	yj_screen_result res;
	yj_screen(c, &g_rules, &g_refs, 1, &res);
	int32_t code = yj_dict_find(c->dict[YJ_D_CLAIM], cl->claim_id, strlen(cl->claim_id));
	json_t *flags = json_array(), *not_checked = json_array();
	for (size_t k = 0; k < res.n && code >= 0;) {
		size_t e = k, mine = 0;
		while (e < res.n && res.f[e].flag == res.f[k].flag) {
			mine += c->claim[res.f[e].row] == code;
			e++;
		}
		if (mine)
			json_array_append_new(flags, flag_json(c, &res, k, e, code));
		k = e;
	}
	for (int i = 0; i < g_rules.n; i++) {
		const yj_rule *r = &g_rules.r[i];
		const char *why = batch_only(r->type) && g_loaded->r[i].enabled ? "机构月度汇总规则，仅在批量筛查中运行"
				  : res.stat[i].skipped && !strcmp(res.stat[i].skipped, "needs --registry")
					  ? "服务未加载执业登记（yijian serve --claims-registry）"
				  : res.stat[i].skipped && !strcmp(res.stat[i].skipped, "needs --deaths")
					  ? "服务未加载死亡登记（yijian serve --claims-deaths）"
					  : NULL;
		if (why)
			json_array_append_new(not_checked, json_pack("{s:s, s:s}", "rule_id", r->id, "reason", why));
	}
	*out = json_pack("{s:s, s:s, s:o, s:i, s:o}", "result", json_array_size(flags) ? "flag" : "pass", "claim_id",
			 cl->claim_id, "flags", flags, "history_claims", used, "not_checked", not_checked);
	yj_screen_result_free(&res);
	yj_claims_free(c);
	yj_buf_free(&b);
	return YJ_OK;
}

/* ---- the history cache ---- */

#define SLOTS 4096
#define STRIPES 64

typedef struct slot {
	char hash[65];
	int64_t at;
	ck_hist *rows;
	int n;
} slot;

static slot g_slots[SLOTS];
static pthread_mutex_t g_locks[STRIPES];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_locks(void)
{
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&g_locks[i], NULL);
}

static unsigned slot_of(const char *hash)
{
	unsigned v = 0;
	for (int i = 0; i < 8 && hash[i]; i++)
		v = v * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 32) - 'a' + 10);
	return v % SLOTS;
}

static ck_hist *copy_rows(const ck_hist *rows, int n)
{
	ck_hist *c = yj_calloc((size_t)(n ? n : 1), sizeof *c);
	for (int i = 0; i < n; i++)
		c[i] = (ck_hist){yj_strdup(rows[i].claim_id), yj_strdup(rows[i].csv), rows[i].last_day};
	return c;
}

void ck_hist_free(ck_hist *rows, int n)
{
	for (int i = 0; rows && i < n; i++) {
		free(rows[i].claim_id);
		free(rows[i].csv);
	}
	free(rows);
}

int ck_cache_get(const char *hash, ck_hist **out, int *n)
{
	pthread_once(&g_once, init_locks);
	unsigned s = slot_of(hash);
	int hit = 0;
	pthread_mutex_lock(&g_locks[s % STRIPES]);
	slot *sl = &g_slots[s];
	if (sl->rows && !strcmp(sl->hash, hash) && yj_now_ms() - sl->at < CK_CACHE_TTL_MS) {
		*out = copy_rows(sl->rows, sl->n);
		*n = sl->n;
		hit = 1;
	}
	pthread_mutex_unlock(&g_locks[s % STRIPES]);
	return hit;
}

void ck_cache_put(const char *hash, const ck_hist *rows, int n)
{
	pthread_once(&g_once, init_locks);
	ck_hist *c = copy_rows(rows, n);
	unsigned s = slot_of(hash);
	pthread_mutex_lock(&g_locks[s % STRIPES]);
	slot *sl = &g_slots[s];
	ck_hist *old = sl->rows;
	int oldn = sl->n;
	snprintf(sl->hash, sizeof sl->hash, "%s", hash);
	sl->rows = c;
	sl->n = n;
	sl->at = yj_now_ms();
	pthread_mutex_unlock(&g_locks[s % STRIPES]);
	ck_hist_free(old, oldn);
}
