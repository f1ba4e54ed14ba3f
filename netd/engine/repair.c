/* The last repair of each network's rules: logged once when it is made, kept (by network
 * name, so a reload keeps it) for `status` and for the answer of the `up` that made it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_priv.h"
#include "netd/util/log.h"

struct netd_repair {
	char network[NETD_NAME_MAX];
	time_t at;
	char what[NETD_NFT_DRIFT_MAX];
};

static struct netd_repair *find(const struct netd_engine *e, const char *network)
{
	for (size_t i = 0; i < e->n_repairs; i++)
		if (strcmp(e->repairs[i].network, network) == 0)
			return &e->repairs[i];
	return NULL;
}

int netd_repair_note(struct netd_engine *e, const char *network, const char *what)
{
	struct netd_repair *r = find(e, network);

	netd_log_net(LOG_WARNING, network, "rules repaired: %s", what);
	if (!r) {
		r = realloc(e->repairs, (e->n_repairs + 1) * sizeof(*r));
		if (!r)
			return -ENOMEM;
		e->repairs = r;
		r = &r[e->n_repairs++];
		snprintf(r->network, sizeof(r->network), "%s", network);
	}
	r->at = time(NULL);
	snprintf(r->what, sizeof(r->what), "%s", what);
	return 0;
}

json_object *netd_repair_json(const struct netd_engine *e, const char *network)
{
	const struct netd_repair *r = find(e, network);
	json_object *j;

	if (!r)
		return NULL;
	j = json_object_new_object();
	json_object_object_add(j, "at", json_object_new_int64((int64_t)r->at));
	json_object_object_add(j, "what", json_object_new_string(r->what));
	return j;
}
