/*
 * What a reload did to one network, in the words `netdctl reload` prints: pure, from the plan
 * its change carried out. The dnsmasq steps say whether dnsmasq kept its pid (reread) or not
 * (restarted), which is what a user of the network notices.
 */
#include <stdio.h>
#include <string.h>

#include "netd/plan.h"

/* Each step in the words of the summary; NULL: said by another step's words, or nothing. */
static const char *said(enum netd_step_kind k)
{
	switch (k) {
	case NETD_STEP_APPLY_RULES:
		return "rules updated";
	case NETD_STEP_REREAD_DNSMASQ:
		return "dnsmasq reread";
	case NETD_STEP_RESTART_DNSMASQ:
		return "dnsmasq restarted";
	case NETD_STEP_START_DNSMASQ:
		return "dnsmasq started";
	case NETD_STEP_STOP_DNSMASQ:
		return "dnsmasq stopped";
	default:
		return netd_step_name(k);
	}
}

void netd_plan_summary(const struct netd_plan *plan, bool recreated, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	if (recreated) {
		snprintf(buf, len, "recreated");
		return;
	}
	for (size_t i = 0; i < plan->n && used < len; i++) {
		const char *w = said(plan->steps[i]);

		if (strstr(buf, w))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", w);
	}
	if (!buf[0])
		snprintf(buf, len, "unchanged");
}
