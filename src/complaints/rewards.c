/* rewards.c — the pure rules of rewards for reports (举报奖励): who is eligible, the amount by a rule's
 * grade (a share of the case value with the grade's floor, the insiders' bonus, the rule's floor and
 * cap, a range when no fund was lost), and the claim period in calendar months. No store, no clock. */
#include "complaints.h"
#include "../base/date.h"

#include <string.h>

int64_t yj_cmp_reward_amount(const yj_cmp_reward_rule *rule, const yj_cmp_reward_grade *grade, int64_t value_fen,
			     int insider, int64_t no_loss_fen)
{
	int64_t amount;
	if (value_fen < 0)
		return -1;
	if (value_fen == 0) {
		/* No fund lost: the reward is set within the rule's range, not computed. */
		if (no_loss_fen < rule->no_loss_min_fen || no_loss_fen > rule->no_loss_max_fen)
			return -1;
		amount = no_loss_fen;
	} else {
		if (!grade)
			return -1;
		/* value × ‰ without overflow for any case value below 9.2e15 fen / 1000 */
		amount = value_fen / 1000 * grade->permille + value_fen % 1000 * grade->permille / 1000;
		if (amount < grade->floor_fen)
			amount = grade->floor_fen;
	}
	if (insider)
		amount += amount / 1000 * rule->insider_bonus_permille + amount % 1000 * rule->insider_bonus_permille / 1000;
	if (amount < rule->min_fen)
		amount = rule->min_fen;
	if (amount > rule->max_fen)
		amount = rule->max_fen;
	return amount / 100 * 100; /* paid in whole yuan, rounded down */
}

const char *yj_cmp_reward_refusal(const char *state, int substantiated, int anonymous, int named_target, int specific_clues,
				  int evidence)
{
	if (!state || (strcmp(state, "replied") && strcmp(state, "closed")))
		return "举报尚未办结答复，办结并认定属实后才能申请奖励。";
	if (!substantiated)
		return "举报未被认定属实，不符合奖励条件。";
	if (anonymous)
		return "匿名举报未留存举报人身份，无法核发奖励。";
	if (!named_target || !specific_clues || !evidence)
		return "奖励条件：举报有明确的被举报对象、具体的违法线索并提供了证据；请核实后再申请。";
	return NULL;
}

int64_t yj_cmp_add_months(int64_t day, int months)
{
	int y, m, d;
	yj_civil_from_days(day, &y, &m, &d);
	int64_t mi = (int64_t)y * 12 + (m - 1) + months;
	int64_t ny = mi >= 0 ? mi / 12 : (mi - 11) / 12;
	int nm = (int)(mi - ny * 12) + 1, last = yj_date_month_days(ny, nm);
	/* the same day of the month, or the month's last day when it is shorter (31 Dec + 2 → 28/29 Feb) */
	return yj_days_from_civil(ny, nm, d > last ? last : d);
}
