/* complaints.h — complaints and reports (投诉举报): public intake with a tracking code, console entry,
 * dispatch to the responsible department by the responsibility lists, deadlines on the working-day
 * calendar with pauses and a 督办 ladder, duplicate detection by Chinese bigram similarity, and the
 * events that hand substantiated matters to enforcement, credit and inspection (docs/complaints.md).
 * Functions returning char * or json_t * give the caller ownership; strings passed in are borrowed. */
#ifndef YJ_COMPLAINTS_H
#define YJ_COMPLAINTS_H

#include <stddef.h>
#include <stdint.h>

#include "../platform/http/http.h"
#include "../platform/store/store.h"

/* The module descriptor (complaints_module.c). */
extern const struct yj_module yj_complaints_module;

/* Routes: the public intake and tracking (public_api.c), the console's matters (complaints_api.c),
 * Open311 GeoReport v2 and its client keys (open311_api.c), clue transfers between departments
 * (transfers_api.c). */
extern const yj_route yj_cmp_public_routes[], yj_cmp_routes[], yj_cmp_open311_routes[], yj_cmp_transfer_routes[];
/* Rewards for reports and their rules (rewards_api.c). */
extern const yj_route yj_cmp_reward_routes[];
/* Joint actions and joint meetings between departments (joint_api.c). */
extern const yj_route yj_cmp_joint_routes[];
/* Grid patrols (patrols_api.c). */
extern const yj_route yj_cmp_patrol_routes[];
/* Major public-opinion events (opinion_api.c). */
extern const yj_route yj_cmp_opinion_routes[];

/* ---- the pure core (complaints.c, similar.c): no store, no clock ---- */

/* Similarity of two UTF-8 texts in [0, 1000] (‰): the Dice coefficient over the multisets of
 * adjacent code-point pairs (bigrams), ignoring ASCII punctuation, white space and CJK punctuation,
 * so that Chinese text without word breaks compares by its characters. Two texts with fewer than two
 * code points left compare as equal (1000) when identical, else 0. */
int yj_cmp_similarity(const char *a, const char *b);
/* Matters at or above this similarity (‰) are offered for merging. */
#define YJ_CMP_DUP_THRESHOLD 500
/* Open matters older than this many days are not compared. */
#define YJ_CMP_DUP_WINDOW_DAYS 90

/* A tracking code from 10 random bytes: "TS" and 16 characters of Crockford base32 (80 bits), so a
 * code cannot be guessed. out holds YJ_CMP_CODE_LEN + 1 bytes. */
#define YJ_CMP_CODE_LEN 18
void yj_cmp_tracking_code(const unsigned char rnd[10], char out[YJ_CMP_CODE_LEN + 1]);
/* 1 when s has the tracking code's form. */
int yj_cmp_code_valid(const char *s);

/* The Chinese label of a state ("已受理"), or the state itself when unknown. Static storage. */
const char *yj_cmp_state_label(const char *state);

/* The 督办 level an open matter should have on `today` given its handling deadline (days as
 * numbers): 0 before the deadline has passed, 1 once it has, 2 five days later, 3 ten days later. */
int yj_cmp_supervise_level(int64_t handle_due, int64_t today);

/* Who may see a matter's reporter in clear (docs/security.md): the handler who accepted it (承办人),
 * while the department holding it works on it or has replied (accepted, paused or replied), and a
 * liaison of the desk (卫生健康委) for the revisit (回访) once it is replied; everyone else reads the
 * masked phone only. holds: the caller's department holds the matter; accepted_it: the caller took
 * its latest acceptance step; desk_liaison: the caller is a liaison of the desk. */
enum yj_cmp_reporter_access { YJ_CMP_REPORTER_OK, YJ_CMP_REPORTER_OTHER_DEPT, YJ_CMP_REPORTER_NOT_HANDLER };
enum yj_cmp_reporter_access yj_cmp_reporter_access(const char *state, int holds, int accepted_it, int desk_liaison);

/* Steps and the actions allowed from each state (complaints.c). */
enum yj_cmp_action {
	YJ_CMP_DISPATCH, YJ_CMP_RETURN, YJ_CMP_ACCEPT, YJ_CMP_REJECT, YJ_CMP_PAUSE, YJ_CMP_RESUME,
	YJ_CMP_REPLY, YJ_CMP_FEEDBACK, YJ_CMP_REVISIT, YJ_CMP_MERGE, YJ_CMP_REFER,
};
/* 1 when action may be taken on a matter in state (paused: 1 while paused). */
int yj_cmp_action_allowed(enum yj_cmp_action action, const char *state, int paused);

/* ---- rewards for reports (rewards.c; docs/complaints.md, "Rewards") ---- */

/* A rule and one of its grades, as the tables reward_rules and reward_rule_grades hold them. */
typedef struct yj_cmp_reward_rule {
	int64_t min_fen, max_fen;	    /* every reward within [min, max] */
	int insider_bonus_permille;	    /* added for an insider */
	int64_t no_loss_min_fen, no_loss_max_fen; /* the range when no fund was lost */
	int claim_months;		    /* claimed within this many months of the notice */
} yj_cmp_reward_rule;
typedef struct yj_cmp_reward_grade {
	int grade, permille;
	int64_t floor_fen;
} yj_cmp_reward_grade;
/* The reward in fen (whole yuan, rounded down): value_fen × the grade's ‰, at least the grade's floor,
 * plus the insiders' bonus, then within the rule's floor and cap. With value_fen 0 (no fund lost) the
 * reward is no_loss_fen, which must lie in the rule's range (grade unused, may be NULL). -1 when
 * value_fen is negative, no_loss_fen out of range, or grade NULL for a case value. */
int64_t yj_cmp_reward_amount(const yj_cmp_reward_rule *rule, const yj_cmp_reward_grade *grade, int64_t value_fen,
			     int insider, int64_t no_loss_fen);
/* NULL when a matter in state, substantiated or not, anonymous or not, whose report named its target,
 * gave specific clues and evidence, may be rewarded; else the Chinese reason (static). */
const char *yj_cmp_reward_refusal(const char *state, int substantiated, int anonymous, int named_target, int specific_clues,
				  int evidence);
/* day (days since 1970-01-01) plus months calendar months, the day of the month kept or clamped to the
 * last day of a shorter month. */
int64_t yj_cmp_add_months(int64_t day, int months);

/* Forfeits every approved reward whose claim period ended before today (YYYY-MM-DD), one transaction
 * each with an audit leaf; *forfeited receives how many (rewards.c). */
int yj_cmp_rewards_expire_run(store *s, const char *today, int *forfeited);

/* The grid reporting rate (patrols.c): for every grid, the patrols of the 30 days ending today whose
 * checklist found a problem and how many of them were reported; a grid below 98 % gets a to-do
 * complaints.patrol_rate for the leaders of its town, one back above it has that to-do closed. One
 * transaction per grid; *flagged receives how many grids are below. ST_OK or a store failure. */
int yj_cmp_patrol_rate_run(store *s, const char *today, int *flagged);

/* ---- the periodic job (overdue.c) ---- */

/* Raises the 督办 level of every open matter past its handling deadline on `today` (YYYY-MM-DD), one
 * transaction per matter: a step, an audit leaf and a to-do for the leaders of the territory at each
 * new level. *raised receives how many matters changed. ST_OK or a store failure. */
int yj_cmp_overdue_run(store *s, const char *today, int *raised);

/* Escalates every clue transfer still unanswered after its due day (before today) to the health
 * commission's leaders of its territory, once each (transfers.c). *escalated receives how many. */
int yj_cmp_transfers_overdue_run(store *s, const char *today, int *escalated);

/* The per-address limit of public intakes: at most per_window intakes from one address (IPv6 by /64)
 * in window_s seconds; 0 = no limit. Set before serving (the module's start hook reads
 * YIJIAN_COMPLAINTS_PER_ADDRESS and YIJIAN_COMPLAINTS_WINDOW_S; defaults 10 per 3600 s). */
void yj_cmp_set_intake_limit(unsigned per_window, unsigned window_s);

/* ---- for tools that seed or import matters (the demo generator, importers) ----
 * Both run inside the caller's write transaction c with every check, step, to-do and audit leaf of
 * the console's routes. They return 1 when they changed something, 0 when there was nothing to do,
 * YJ_REFUSED (http.h) with *why set to the Chinese reason (caller frees), or a store failure. */
/* Registers a matter from body (the fields of POST /api/v1/complaints) unless one with the same
 * external_ref exists; *id receives the matter's id either way. */
int yj_cmp_seed(store_conn *c, const json_t *body, const char *actor, int64_t *id, char **why);
/* Takes step ("dispatch", "accept", "pause", "reply", …, as the routes' last path segment) on matter id
 * with the step's fields body (may be NULL), as a user of department would. */
int yj_cmp_seed_step(store_conn *c, int64_t id, const char *step, const json_t *body, const char *department,
		     const char *actor, char **why);
/* The writes of rewards, joint work, patrols and public-opinion events without HTTP (seed.c), run as who
 * in the caller's transaction with the route's body and path ids (id, task; 0 when the route has none):
 * op is "reward.propose", "reward.decide", "reward.pay", "joint.action", "joint.result", "joint.meeting",
 * "joint.task_done", "patrol.checkin", "patrol.report", "opinion.register", "opinion.progress",
 * "opinion.task_done" or "opinion.close". *out (NULL: not wanted; else the caller frees it) is the record
 * as the route answers it. 1 when written; YJ_REFUSED with *why (caller frees); or a store failure. */
int yj_cmp_seed_op(store_conn *c, const char *op, const yj_principal *who, int64_t id, int64_t task, const json_t *body,
		   json_t **out, char **why);

/* A clue transfer as the demo seeds it: sent on sent_on (YYYY-MM-DD) from one department to another,
 * answered with reply on replied_on when reply is not NULL; ref makes it unique (a re-run adds
 * nothing: 0). Returns 1 when written, 0 when present, or a store failure. */
int yj_cmp_seed_transfer(store_conn *c, const char *ref, const char *from, const char *to, const char *region,
			 const char *title, const char *content, const char *sent_on, const char *reply, const char *replied_on,
			 const char *actor);

/* ---- the 12345 work-order import (import.c; docs/complaints.md, "12345 import") ---- */
typedef struct yj_cmp_import_opts {
	const yj_scope *scope; /* the caller's: a row elsewhere is invalid; NULL: any territory (the CLI) */
	const char *actor;     /* the audit actor of each matter */
	int dry_run;	       /* check every row (each in a transaction rolled back), write nothing */
	int skip_invalid;      /* write the valid rows even when others are invalid; else all rows or none */
} yj_cmp_import_opts;
typedef struct yj_cmp_import_result {
	long rows, inserted, present, invalid; /* present: the number is already a matter (or repeats in the file) */
	int gbk;			       /* the file was read as GBK/GB18030 */
	int written;			       /* the rows counted as inserted were written */
	const char *encoding;		       /* "UTF-8", "UTF-8 (BOM)" or "GBK/GB18030" (static) */
	json_t *errors;			       /* [{row, column (1-based, 0: none), field, detail}] (owned; json_decref it) */
} yj_cmp_import_result;
/* Imports the CSV data[0..n) row by row. ST_OK with *res filled (its errors name the refused rows;
 * with neither dry_run nor skip_invalid and some row invalid, nothing is written), YJ_REFUSED with
 * *err (Chinese, caller frees) when the file itself cannot be read (encoding, header, required
 * columns), or a store failure. */
int yj_cmp_import_12345(store *s, const char *data, size_t n, const yj_cmp_import_opts *o, yj_cmp_import_result *res,
			char **err);
/* POST /api/v1/complaints/import (import_api.c). */
extern const yj_route yj_cmp_import_routes[];

#endif
