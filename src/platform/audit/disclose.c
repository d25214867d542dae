/* disclose.c — the leaf of an audited read (yj_audit_disclose): a disclosure such as the credit
 * check answers from reads outside any transaction, then its leaf joins a commit group with the
 * leaves of concurrent disclosures, and the caller answers only once that group has committed. */
#define _POSIX_C_SOURCE 200809L
#include "audit.h"
#include "../../base/log.h"

struct disclose_arg {
	const yj_audit_event *ev;
	int keyed;
};

/* A group member: inside a group the append is deferred (audit.c's group hooks), so this is a hash
 * and a copy in memory, no statement (hence store_tx_group_deferred, without a savepoint); the
 * leader writes every member's leaf with one lock of the head. Alone (a group of one, or
 * YIJIAN_GROUP_COMMIT=off) it is an ordinary append in a transaction of its own. */
static int disclose_tx(store_conn *c, void *arg)
{
	const struct disclose_arg *a = arg;
	return a->keyed ? yj_audit_append_keyed(c, a->ev, NULL) : yj_audit_append(c, a->ev, NULL);
}

static _Thread_local int held;

void yj_audit_hold(int on)
{
	held = on;
}

int yj_audit_held(void)
{
	if (held)
		yj_log(YJ_LOG_ERROR, "audit.unconfirmed", NULL);
	return held;
}

int yj_audit_disclose(store *s, const yj_audit_event *ev, int keyed)
{
	if (yj_audit_held())
		return ST_ERR; /* checked here, on the caller's thread: a group's leader may run the append */
	struct disclose_arg a = {ev, keyed};
	return store_tx_group_deferred(s, disclose_tx, &a);
}
