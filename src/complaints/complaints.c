/* complaints.c — the pure rules of a complaint: its tracking code, its states and what may be done
 * in each, the 督办 ladder, and who may see the reporter. No store, no clock, no HTTP (docs/complaints.md, "States"). */
#include "complaints.h"

#include <string.h>

/* Crockford's base32: no I, L, O or U, so a code read over the phone is not misheard. */
static const char B32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void yj_cmp_tracking_code(const unsigned char rnd[10], char out[YJ_CMP_CODE_LEN + 1])
{
	out[0] = 'T';
	out[1] = 'S';
	for (int g = 0; g < 2; g++) { /* 40 bits make 8 characters */
		uint64_t v = 0;
		for (int k = 0; k < 5; k++)
			v = (v << 8) | rnd[g * 5 + k];
		for (int k = 7; k >= 0; k--, v >>= 5)
			out[2 + g * 8 + k] = B32[v & 31];
	}
	out[YJ_CMP_CODE_LEN] = '\0';
}

int yj_cmp_code_valid(const char *s)
{
	if (!s || strlen(s) != YJ_CMP_CODE_LEN || s[0] != 'T' || s[1] != 'S')
		return 0;
	for (int i = 2; i < YJ_CMP_CODE_LEN; i++)
		if (!strchr(B32, s[i]) || !s[i])
			return 0;
	return 1;
}

static const struct {
	const char *state, *label;
} LABELS[] = {
	{"received", "已登记，待分派"}, {"dispatched", "已分派，待受理"}, {"accepted", "办理中"},
	{"replied", "已答复"},	       {"closed", "已办结"},	       {"merged", "已合并办理"},
	{"rejected", "不予受理"},
};

const char *yj_cmp_state_label(const char *state)
{
	for (size_t i = 0; i < sizeof LABELS / sizeof LABELS[0]; i++)
		if (!strcmp(LABELS[i].state, state))
			return LABELS[i].label;
	return state;
}

int yj_cmp_supervise_level(int64_t handle_due, int64_t today)
{
	int64_t late = today - handle_due;
	return late <= 0 ? 0 : late < 5 ? 1 : late < 10 ? 2 : 3;
}

int yj_cmp_action_allowed(enum yj_cmp_action action, const char *state, int paused)
{
	int received = !strcmp(state, "received"), dispatched = !strcmp(state, "dispatched"),
	    accepted = !strcmp(state, "accepted"), replied = !strcmp(state, "replied"), closed = !strcmp(state, "closed");
	switch (action) {
	case YJ_CMP_DISPATCH:
		return received;
	case YJ_CMP_RETURN:
		return (dispatched || accepted) && !paused;
	case YJ_CMP_ACCEPT:
		return dispatched;
	case YJ_CMP_REJECT:
		return received || dispatched;
	case YJ_CMP_PAUSE:
		return accepted && !paused;
	case YJ_CMP_RESUME:
		return accepted && paused;
	case YJ_CMP_REPLY:
		return accepted && !paused;
	case YJ_CMP_FEEDBACK:
		return replied || closed;
	case YJ_CMP_REVISIT:
		return replied;
	case YJ_CMP_MERGE:
		return received || dispatched || accepted;
	case YJ_CMP_REFER:
		return accepted || replied || closed;
	}
	return 0;
}

enum yj_cmp_reporter_access yj_cmp_reporter_access(const char *state, int holds, int accepted_it, int desk_liaison)
{
	int replied = !strcmp(state, "replied"), working = replied || !strcmp(state, "accepted");
	if (desk_liaison && replied)
		return YJ_CMP_REPORTER_OK; /* the desk calls the reporter back for the revisit */
	if (!holds)
		return YJ_CMP_REPORTER_OTHER_DEPT;
	return working && accepted_it ? YJ_CMP_REPORTER_OK : YJ_CMP_REPORTER_NOT_HANDLER;
}
