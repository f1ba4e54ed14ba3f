/*
 * What a reload did, network by network ("rules updated", "dnsmasq reread", "dnsmasq
 * restarted", "recreated", ...: netd_plan_summary()), for `netdctl reload` and the log.
 * reload.c notes each network's change as it ends; the daemon adds the words to the list
 * entries it answers with.
 */
#include <errno.h>

#include "engine_priv.h"
#include "netd/util/log.h"

int netd_reload_note(struct netd_reload *rl, const char *network, const struct netd_plan *plan,
                     bool recreated)
{
	char what[256];
	json_object *s;

	netd_plan_summary(plan, recreated, what, sizeof(what));
	netd_log_net(LOG_INFO, network, "reload: %s", what);
	if (!rl->report)
		rl->report = json_object_new_object();
	s = json_object_new_string(what);
	if (!rl->report || !s || json_object_object_add(rl->report, network, s) < 0) {
		json_object_put(s);
		return -ENOMEM;
	}
	return 0;
}

json_object *netd_reload_take_report(struct netd_reload *rl)
{
	json_object *r = rl->report;

	rl->report = NULL;
	return r;
}

void netd_reload_report_merge(json_object *list, json_object *report)
{
	for (size_t i = 0; report && i < json_object_array_length(list); i++) {
		json_object *entry = json_object_array_get_idx(list, i), *name = NULL, *what = NULL;

		if (json_object_object_get_ex(entry, "name", &name) &&
		    json_object_object_get_ex(report, json_object_get_string(name), &what))
			json_object_object_add(entry, "reload", json_object_get(what));
	}
}
