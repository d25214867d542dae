/* claims.h — the claims and prescription screening engine (医保智能监控 / 临床用药超常预警).
 *
 * Claim lines are loaded from CSV into columns (codes dictionary-encoded as int32, money as int64
 * fen, dates as int32 days since 1970-01-01), the rule base is read from the CSV tables in rules/, and each rule
 * runs as one tight loop over the columns or over rows grouped by claim or by patient and date.
 * The engine needs neither the store nor the HTTP server. */
#ifndef YJ_CLAIMS_H
#define YJ_CLAIMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../base/date.h"

#define YJ_NO_DATE INT32_MIN

/* ---- RFC 4180 reader over a memory range -------------------------------------------------- */

typedef struct yj_csv_field {
	const char *p; /* not NUL-terminated; points into the input or the reader's scratch */
	uint32_t n;
} yj_csv_field;

typedef struct yj_csv {
	const char *p, *end;
	yj_csv_field *f;
	int nf, cap;		 /* fields of the current record (nf may exceed cap: the rest are not kept) */
	char *scratch;		 /* unescaped quoted fields */
	size_t slen, scap;
	size_t max_field;	 /* longer fields are an error; 0 means 1 MiB */
	const char *rec_start;	 /* first byte of the current record */
	const char *err;	 /* NULL, or why the current record is malformed */
	int err_col;		 /* 1-based column of err */
	int unterminated;	 /* the current record ended inside a quoted field at the end of input */
} yj_csv;

/* Reads data[0..n) (not copied: it must outlive the reader). */
void yj_csv_init(yj_csv *r, const char *data, size_t n);
void yj_csv_free(yj_csv *r);
/* Reads the next non-blank record: 1 when one was read (check r->err), 0 at the end. */
int yj_csv_next(yj_csv *r);
/* Copy of field i as a NUL-terminated string the caller frees ("" past the last field). */
char *yj_csv_dup(const yj_csv *r, int i);

/* ---- string dictionaries ----------------------------------------------------------------- */

typedef struct yj_dict yj_dict;
yj_dict *yj_dict_new(void);
void yj_dict_free(yj_dict *d);
/* Code of s[0..n), adding it when new (*added set to 1). Codes are dense, in order of first sight. */
int32_t yj_dict_intern(yj_dict *d, const char *s, size_t n, int *added);
/* The same for a string read from input: a new string that is not valid UTF-8 or holds a NUL is
 * not added, and -2 is returned. */
int32_t yj_dict_intern_valid(yj_dict *d, const char *s, size_t n);
/* Code of s, or -1. */
int32_t yj_dict_find(const yj_dict *d, const char *s, size_t n);
/* The string of a code: NUL-terminated, valid until the dictionary changes or is freed. */
const char *yj_dict_str(const yj_dict *d, int32_t code);
size_t yj_dict_len(const yj_dict *d, int32_t code);
int32_t yj_dict_count(const yj_dict *d);
/* One dictionary holding the strings of src[0..nsrc) (single-partition dictionaries, e.g. the
 * loader's per-chunk ones), coded in order of first sight (sources in order); remap[i] (the caller
 * allocates yj_dict_count(src[i]) entries) gets the new code of each code of src[i]. Runs on up to
 * `threads` threads; the result does not depend on their number. The caller owns the result. */
yj_dict *yj_dict_merge(yj_dict *const *src, int nsrc, int threads, int32_t **remap);

/* ---- claim columns ----------------------------------------------------------------------- */

enum yj_claim_dict { YJ_D_CLAIM, YJ_D_PATIENT, YJ_D_INST, YJ_D_PHYS, YJ_D_DEPT, YJ_D_DIAG, YJ_D_ITEM, YJ_D_NAME, YJ_D_COUNT };
enum yj_visit { YJ_VISIT_O, YJ_VISIT_E, YJ_VISIT_I };
enum yj_item_type { YJ_ITEM_DRUG, YJ_ITEM_SERVICE, YJ_ITEM_MATERIAL };

typedef struct yj_claims {
	size_t n, cap;
	int32_t *claim, *line_no, *patient, *inst, *phys, *dept, *diag, *item, *name; /* dictionary codes */
	int32_t *birth, *admit, *discharge, *service;				     /* days, YJ_NO_DATE if empty */
	int32_t *days_supply;							     /* -1 if empty */
	uint8_t *sex;								     /* 'M' or 'F' */
	uint8_t *visit, *item_type;						     /* enum yj_visit, yj_item_type */
	int64_t *qty;								     /* thousandths of a unit */
	int64_t *price, *amount;						     /* fen */
	yj_dict *dict[YJ_D_COUNT];
	void *arena; /* one mapping holds all the columns (private to load.c) */
	size_t arena_len;
} yj_claims;

typedef struct yj_load_error {
	int64_t row; /* record number in the file, the header being row 1 */
	int col;     /* 1-based column, 0 for the whole row */
	char column[32];
	char reason[96];
} yj_load_error;

typedef struct yj_load_opts {
	int threads;		/* 0: one per online CPU */
	double max_bad_share;	/* refuse when bad rows / all rows exceed this; default 0.01 */
	int max_errors;		/* errors kept in the report; default 100 */
	size_t chunk_bytes;	/* unit of parallel parsing; 0: 1–4 MiB by the file's size */
	int progress;		/* print progress on stderr about once a second */
} yj_load_opts;

typedef struct yj_load_report {
	int64_t rows, bad_rows;
	yj_load_error *errors; /* the first max_errors, in file order */
	int nerrors;
	/* Refunds and reversals (冲销): lines with a negative quantity, netted against their original
	 * lines (same claim, item and service date, or the line named by an orig_line_no column) and
	 * then left out, as are originals refunded in full (refund.c). */
	int64_t refunds;	 /* refund lines read */
	int64_t refunds_netted;	 /* netted in full against originals */
	int64_t refunds_orphan;	 /* with no (or too small an) original: reported, left out */
	int64_t refund_fen;	 /* amount taken off original lines */
	int64_t lines_cancelled; /* original lines refunded in full, left out */
	yj_load_error *orphans;	 /* the first max_errors orphan refunds, in file order */
	int norphans;
	size_t bytes;
	double seconds;
	int refused;
} yj_load_report;

/* Loads claim lines from data[0..n). On success *out owns the columns (yj_claims_free). Returns
 * YJ_ERR with *err (caller frees) when the header lacks a required column or the share of bad rows
 * is too high; the report lists the bad rows either way (yj_load_report_free). */
int yj_claims_load_mem(const char *data, size_t n, const yj_load_opts *o, yj_claims **out, yj_load_report *rep,
		       char **err);
/* The same from a file, which is memory-mapped. */
int yj_claims_load_file(const char *path, const yj_load_opts *o, yj_claims **out, yj_load_report *rep, char **err);
void yj_claims_free(yj_claims *c);
void yj_load_report_free(yj_load_report *rep);

/* ---- dates and money --------------------------------------------------------------------- */

/* Dates are day numbers of base/date.h (int32_t in the columns); claim and reference dates are
 * strict YYYY-MM-DD with the year in this range (yj_date_parse). */
#define YJ_CLAIM_YEAR_MIN 1900
#define YJ_CLAIM_YEAR_MAX 2199
/* Decimal with at most `scale` fraction digits into an integer of 10^-scale units. */
int yj_parse_decimal(const char *p, size_t n, int scale, int64_t *out);
/* Full years between birth and day. */
int yj_age_years(int32_t birth, int32_t day);

/* ---- rule base --------------------------------------------------------------------------- */

enum yj_rule_type {
	YJ_RT_SEX_ITEM,
	YJ_RT_AGE_ITEM,
	YJ_RT_PRICE_CAP,
	YJ_RT_DAILY_CAP,
	YJ_RT_EXCLUSIVE,
	YJ_RT_DUPLICATE,
	YJ_RT_DAYS_SUPPLY,
	YJ_RT_READMISSION,
	YJ_RT_IDLE_BED,
	YJ_RT_OUTPATIENT_IN_STAY,
	YJ_RT_DIAG_LIMIT,
	YJ_RT_AFTER_DEATH,
	YJ_RT_PHYSICIAN_SCOPE,
	YJ_RT_DEPT_UNREGISTERED,
	YJ_RT_CARD_MISUSE,
	YJ_RT_BIG_RX,
	YJ_RT_KEY_DRUG,
	YJ_RT_SPLIT_BILLING,
	YJ_RT_CONSUMABLE_PROCEDURE,
	YJ_RT_RX_SPLIT,
	YJ_RT_CHECKUP_ADMISSION,
	YJ_RT_CARD_IDENTITY,
	YJ_RT_CARD_INSTS,
	YJ_RT_COUNT
};
const char *yj_rule_type_name(int type);
int yj_rule_type_from_name(const char *name);

typedef struct yj_list_item {
	char *code, *name, *value, *note;
} yj_list_item;

typedef struct yj_list {
	char *id;
	yj_list_item *items;
	int n;
	char *version; /* catalogue version that filled it (DIR/catalogues.csv, `yijian rules import`), or NULL */
	/* Code index built by yj_rules_load (owned; NULL for a list made by hand): open addressing over
	 * ix_mask+1 slots holding the last item of each code, ix_prev[k] the previous item of item k's
	 * code (-1: none). A real-time check looks up its few items here instead of scanning a province's
	 * catalogue of tens of thousands of items (screen.c, item_table). */
	int32_t *ix_slot, *ix_prev;
	uint32_t ix_mask;
} yj_list;

typedef struct yj_rule {
	char *id, *name, *type_name, *scene, *window, *list_id, *params, *basis, *message;
	int type, definite, enabled;
	unsigned scene_mask; /* bit per enum yj_visit */
	const yj_list *list; /* NULL when the rule names none */
	char **keys, **vals; /* parsed params */
	int nparams;
} yj_rule;

typedef struct yj_rules {
	yj_rule *r;
	int n;
	yj_list *lists;
	int nlists;
} yj_rules;

/* Reads DIR/rules.csv and DIR/item_lists.csv. Returns NULL and *err (caller frees) naming the
 * file, row and column of the first problem. */
yj_rules *yj_rules_load(const char *dir, char **err);
void yj_rules_free(yj_rules *rs);
/* The last item of l with code[0..n) (what a scan of the list, later items winning, finds), or -1;
 * l must have its code index (ix_slot, from yj_rules_load). */
int yj_list_last(const yj_list *l, const char *code, size_t n);
double yj_rule_num(const yj_rule *r, const char *key, double def);
const char *yj_rule_str(const yj_rule *r, const char *key, const char *def);
const yj_rule *yj_rules_find(const yj_rules *rs, const char *id);

/* ---- catalogue import (catalog.c, `yijian rules import`) ---------------------------------- */

typedef struct yj_catalog_report {
	int64_t rows, nbad;	  /* catalogue rows read, rows with a problem */
	yj_load_error errors[100]; /* the first problems: row, column, name, reason */
	int nerrors;
	int64_t list_rows;	  /* item-list rows written */
	char lists[8][32];	  /* lists filled (each replaced whole) */
	int nlists;
	char version[64], sha256[65];
} yj_catalog_report;

/* Imports FILE, a catalogue of `kind` — "drug" (item_code,item_name and any of pay_scope (限定支付范围,
 * |-separated ICD-10 prefixes), sex, max_age, min_age), "price" (item_code,item_name,unit,max_price; units
 * 小时/日 also give a daily cap of 24/1), "pairs" (consumable_code,consumable_name,procedure_codes) or "sets"
 * (set_code,item_code,item_name) — into the lists of the rule base DIR's rules of the matching types,
 * replacing those lists, and appends the import's version to DIR/catalogues.csv. Every row is checked
 * first; with any problem nothing is written, rep->errors names them and *err (caller frees) says so.
 * version NULL: KIND-YYYYMMDD-<first 8 hex of the file's SHA-256>. */
int yj_catalog_import(const char *dir, const char *kind, const char *file, const char *version,
		      yj_catalog_report *rep, char **err);

/* The same with the file's form as the bureau publishes it: FILE may be an Excel workbook (.xlsx,
 * told by its content), of which `sheet` (NULL: the first) is read; the header may be any of the
 * first 10 rows and name the columns by the bureau's own Chinese names (药品编码, 限定支付范围, 最高限价
 * … — docs/claims.md) or by a province's names that the CSV `columns` file (`their header,our column`)
 * maps; lists of codes may be separated by | 、 ; or ,. */
typedef struct yj_catalog_opts {
	const char *kind, *file, *version;
	const char *sheet;   /* may be NULL */
	const char *columns; /* may be NULL */
} yj_catalog_opts;
int yj_catalog_import_opts(const char *dir, const yj_catalog_opts *o, yj_catalog_report *rep, char **err);

/* ---- reference tables -------------------------------------------------------------------- */

typedef struct yj_inst_ref {
	char *code, *name;
	double lat, lon;
	char **depts;
	int ndepts;
} yj_inst_ref;

typedef struct yj_phys_ref {
	char *id, *inst, *category;
	char **depts; /* departments the practice category covers */
	int ndepts;
} yj_phys_ref;

typedef struct yj_refs {
	yj_inst_ref *insts;
	int ninsts;
	yj_phys_ref *phys; /* one row per registration (physician, institution) */
	int nphys;
	char **dead;
	int32_t *death_date;
	int ndead;
	int have_registry, have_deaths;
} yj_refs;

/* DIR/institutions.csv (institution_code,name,lat,lon,depts) and DIR/physicians.csv
 * (physician_id,institution_code,category,depts); depts are |-separated department codes. */
int yj_refs_load_registry(yj_refs *refs, const char *dir, char **err);
/* FILE with patient_id,death_date. */
int yj_refs_load_deaths(yj_refs *refs, const char *path, char **err);
void yj_refs_free(yj_refs *refs);

/* ---- screening --------------------------------------------------------------------------- */

typedef struct yj_flag {
	int32_t rule;	/* index into rules->r */
	int32_t flag;	/* flag id: rows of one flag share it; global after yj_screen */
	int32_t row;	/* claim line (row index in the columns) */
	int32_t other;	/* a related row (the other stay, institution, item), or -1 */
	int64_t amount; /* fen at stake on this row */
	int64_t value, limit;
} yj_flag;

typedef struct yj_rule_stat {
	int64_t flags, rows, amount;
	double seconds;
	const char *skipped; /* why the rule did not run, or NULL */
} yj_rule_stat;

typedef struct yj_screen_result {
	yj_flag *f;
	size_t n;
	int32_t nflags;
	yj_rule_stat *stat; /* one per rule */
	double seconds;
	/* Registry gaps: institutions of the claims absent from --registry's institutions.csv, each
	 * reported once with its line count instead of every line as 超范围执业 (physician_scope and
	 * dept_unregistered do not judge them). Institution dictionary codes, in order of first sight. */
	int32_t *gap_inst;
	int64_t *gap_lines;
	int ngaps;
} yj_screen_result;

/* Runs every enabled rule over c; rules run in parallel on `threads` threads (0: one per CPU).
 * Flags come out ordered by rule, then flag, then row — the same whatever the thread count. */
int yj_screen(const yj_claims *c, const yj_rules *rs, const yj_refs *refs, int threads, yj_screen_result *out);
void yj_screen_result_free(yj_screen_result *res);

/* FLAGS.csv: flag_id,rule_id,result_type,rule_type,claim_id,line_no,service_date,institution_code,
 * physician_id,patient_id,item_code,amount,message. */
int yj_flags_write_csv(FILE *out, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res);
/* The Chinese evidence message of flag f (caller frees). */
char *yj_flag_message(const yj_claims *c, const yj_rules *rs, const yj_flag *f);
/* Summary per rule, institution and physician: text (top `top` institutions and physicians) or JSON. */
void yj_screen_summary(FILE *out, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res, int top,
		       int json);

/* ---- synthetic claims -------------------------------------------------------------------- */

typedef struct yj_gen_opts {
	int64_t rows;
	uint64_t seed;
	double violations; /* share of claims that carry an injected violation */
	const char *out, *labels, *registry_dir, *deaths;
	int realistic; /* also write what real claims data has and no rule may flag: refunds (冲销, some
			  without an original), stays settled as two claims (中途结算), and claims of an
			  institution missing from the registry */
} yj_gen_opts;

typedef struct yj_gen_stats {
	int64_t rows, claims, injected, labels;
	int64_t refunds, orphan_refunds, interim_stays, gap_claims, gap_lines; /* realistic cases written */
	int64_t per_rule[64];
} yj_gen_stats;

/* Writes claims, labels, the registry directory and the death register, injecting violations of
 * every enabled rule of rs at the given rate. Deterministic by seed. */
int yj_gen_claims(const yj_gen_opts *o, const yj_rules *rs, yj_gen_stats *st, char **err);

/* ---- review of flags (疑点审核): review.c, review_store.c, review_api.c ----
 * A screening run and its flags persisted to the store (`yijian screen --db`), and the routes under
 * /api/v1/claims where insurance analysts list flags by institution and physician, confirm (确认) or
 * dismiss (排除) each with a reason, and sum the confirmed amounts per institution. This is the
 * module's one interface: other modules and the CLI include claims.h only (the engine above needs
 * neither the store nor HTTP, so the store and the module descriptor are named by their struct tags
 * here, not by including their headers). */
struct store;
struct store_conn;
struct yj_scope;
struct yj_module;

/* What a run records besides the flags. Strings are borrowed for the call. */
typedef struct yj_review_opts {
	const char *claims_path; /* the screened file: its name and SHA-256 are stored */
	const char *rules_dir;	 /* rules.csv and item_lists.csv are hashed */
	const char *region_code; /* the run's territory, or NULL: the smallest region holding every institution
				    of the file that the registry knows */
	const char *actor;	 /* "cli:<user>" */
	int64_t started_at;	 /* epoch ms when screening began */
	int batch;		 /* flag records per transaction; 0 means 2000 */
	int per_insert;		 /* records per INSERT; 0: 1 on SQLite, 100 on PostgreSQL (measured, see review.c) */
	int progress;		 /* progress lines on stderr */
	int64_t run_id;		 /* the run's id, or 0 for a new one (a run submitted through the API has its id) */
	const char *input_name;	 /* the name stored for the file, or NULL: claims_path's base name */
	/* Called after each batch of records is committed (done of total), or NULL. */
	void (*on_progress)(void *arg, int64_t done, int64_t total);
	void *progress_arg;
} yj_review_opts;

typedef struct yj_review_stats {
	int64_t run_id;
	int64_t records;	/* rows written to claim_flags */
	int64_t amount_fen;	/* their amount at stake */
	int64_t in_registry;	/* records whose region came from the registry's institution */
	int64_t transactions;	/* write transactions used for the records */
	char region_code[16];	/* the run's territory */
	double seconds;		/* writing the records (not the hashing) */
} yj_review_stats;

/* Writes one run and its flag records (one record per engine flag and claim; see docs/claims.md)
 * into s, which must be migrated, in transactions of o->batch records, then marks the run finished
 * and appends one audit leaf (claims.screen). The pii key must be loaded (patient ids are
 * encrypted) and so must the audit key. On failure the partial run is removed and *err (caller
 * frees, Chinese) says why. Returns YJ_OK or YJ_ERR. */
int yj_review_persist(struct store *s, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res,
		      const yj_review_opts *o, yj_review_stats *st, char **err);

/* Number of flag records yj_review_persist would write for res (for tests and progress). */
int64_t yj_review_count_records(const yj_claims *c, const yj_screen_result *res);

/* The number of finished screening runs stored (review_store.c): the demo generator writes its run once. */
int yj_claims_runs_count(struct store_conn *c, int64_t *n);
/* The real-time check (check.c, POST /api/v1/claims/check): reads the rule base DIR and, when given,
 * the registry directory and death register once at start (`yijian serve --rules --claims-registry
 * --claims-deaths`); without a call the route answers 503. Returns YJ_ERR with *err (caller frees). */
int yj_claims_check_configure(const char *rules_dir, const char *registry_dir, const char *deaths, char **err);
/* The nightly screening (runs_drop.c, `serve --claims-drop DIR --claims-drop-region CODE`): registers a
 * daily job (23:30 Asia/Shanghai, or YIJIAN_CLAIMS_DROP_AT minutes after midnight; every
 * YIJIAN_CLAIMS_DROP_EVERY_S seconds when set) that moves each *.csv of DIR into spool_dir (NULL: $TMPDIR
 * or /tmp; same file system) and submits it as a run of region. Call before the job runner starts.
 * YJ_ERR with *err (caller frees) when DIR is not a directory or region is missing. */
int yj_claims_drop_configure(const char *drop_dir, const char *spool_dir, const char *region, char **err);

/* The module descriptor (claims_module.c; platform/module.h). */
extern const struct yj_module yj_claims_module;

/* What other capabilities read of a flag (review_store.c): enforcement opens a clue from a confirmed one. */
typedef struct yj_claims_flag_brief {
	int64_t id, amount_fen;
	char state[16], rule_id[64], institution_code[64], region_code[16], department[32];
} yj_claims_flag_brief;
/* The flag id as the caller of scope sc sees it: ST_OK, ST_NOTFOUND (absent or outside sc) or a failure. */
int yj_claims_flag_get(struct store_conn *c, const struct yj_scope *sc, int64_t id, yj_claims_flag_brief *out);

#endif
