/* reporter_store.c — who took a matter in hand: the actor of its latest acceptance step, the handler
 * (承办人) to whom the reporter's contact is disclosed (complaints_api.c, docs/security.md). Kept apart
 * from complaints_store.c, which holds the intake's statements. */
#include "cmp_int.h"

#include <stdio.h>

int cmp_accepted_by(store_conn *c, int64_t id, char out[21])
{
	/* After a return the matter is accepted again, possibly by someone else: the newest step counts. */
	store_stmt *st = store_prepare(c, "SELECT actor FROM complaint_steps WHERE complaint_id = ? AND step = 'accepted' "
					  "ORDER BY id DESC LIMIT 1");
	out[0] = 0;
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW && store_col_text(st, 0))
		snprintf(out, 21, "%s", store_col_text(st, 0));
	store_finalize(st);
	return rc == ST_ROW || rc == ST_DONE ? ST_OK : rc;
}
