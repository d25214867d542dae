/* transfers_int.h — what the files of clue transfers share: transfers.c (the writes, the escalation, the
 * seed), transfers_store.c (the SQL) and transfers_api.c (the routes). json_t * results are the caller's to
 * release; strings passed in are borrowed. */
#ifndef YJ_TRANSFERS_INT_H
#define YJ_TRANSFERS_INT_H

#include "cmp_int.h"

/* A new transfer's row: reply NULL while unanswered; complaint 0 when it comes from no matter. */
typedef struct trf_row {
	int64_t id, complaint;
	const char *from, *to, *region, *title, *content, *subject_name, *sent_on, *due_on, *reply, *replied_on, *actor;
} trf_row;

/* The transfer in either box of sc into *out: ST_OK, ST_NOTFOUND or a failure. */
int trf_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
int trf_insert(store_conn *c, const trf_row *t);
/* How many transfers bear this title (the demo's references), into *n. */
int trf_titled(store_conn *c, const char *title, int64_t *n);
int trf_set_replied(store_conn *c, int64_t id, const char *text, const char *today);
int trf_set_escalated(store_conn *c, int64_t id);
/* The inbox (or outbox) of sc, of state when given, only the overdue ones (unanswered after the day, or
 * answered late) when overdue; the caller runs it. */
yj_qb *trf_box_query(const yj_scope *sc, int outbox, const char *state, int overdue);
/* A row of the boxes as its JSON (a yj_row_fn). */
json_t *trf_row_json(store_stmt *st, void *arg);
/* The overdue sweep's statement (cmp_sweep's parameters: today, then the last id). */
extern const char TRF_OVERDUE_SQL[];

/* The writes (transfers.c), run by transfers_api.c. */
int trf_send_tx(store_conn *c, void *op);
int trf_reply_tx(store_conn *c, void *op);

#endif
