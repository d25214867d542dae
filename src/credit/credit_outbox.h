/* credit_outbox.h — the outbox's parts: the store side (credit_outbox_store.c) and the sender
 * (credit_outbox.c), which signs each body with the credit key and posts it or writes it as a file. */
#ifndef YJ_CREDIT_OUTBOX_H
#define YJ_CREDIT_OUTBOX_H

#include "credit_int.h"
#include "../platform/jobs/jobs.h"

#define CREDIT_OUTBOX_MAX_ATTEMPTS 20
#define CREDIT_OUTBOX_BACKOFF_MS 1000 /* first retry after 1 s, doubled up to an hour */

/* One delivery due; body and url are owned (free them). */
typedef struct credit_delivery {
	int64_t id;
	char *body, *url;
	int attempts;
} credit_delivery;

extern const yj_subscriber yj_credit_outbox_subscriber;
/* Up to cap deliveries due at now into out (*n of them). ST_OK or a failure. */
int credit_outbox_due(store *s, int64_t now, credit_delivery *out, int cap, int *n);
/* Records an attempt: status 2xx delivers; anything else (0: no answer) schedules the next try,
 * or gives up after CREDIT_OUTBOX_MAX_ATTEMPTS. */
int credit_outbox_result(store *s, const credit_delivery *d, int status, const char *error, int64_t now);
/* Sends every due delivery once (the job's run; tests call it). *sent (may be NULL) counts attempts. */
int credit_outbox_run(store *s, int *sent);
/* The job (every second): credit_outbox_run. */
int credit_outbox_job(yj_job_ctx *ctx);
/* The hex public key receivers verify X-Yijian-Signature with ("" before yj_credit_keys_load). */
const char *credit_outbox_public_key(void);

#endif
