/*
 * One network's up or down, from observing it to the end of its plan. A reconcile is an up
 * of a network that is up: the same plan repairs what drifted. The plan runs through
 * apply.c, which returns -EINPROGRESS while a step waits for dnsmasq; the change is then
 * resumed by its job (job.c) when that wait is over.
 */
#include <errno.h>
#include <string.h>

#include "engine_priv.h"

/* The up plan of a network, checked against the host's addresses when the bridge is new. */
static int plan_up(struct netd_engine *e, const struct netd_network *n, struct netd_change *ch,
                   struct netd_diag *diag)
{
	int ret = netd_plan_up(ch->v.d, &ch->v.o, &ch->plan, diag);

	if (ret == 0 && ch->plan.n > 0 && ch->v.o.bridge == NETD_BRIDGE_ABSENT)
		ret = netd_engine_check_host(e, n, diag);
	return ret;
}

int netd_change_start(struct netd_engine *e, const struct netd_network *n, bool down,
                      struct netd_change *ch, struct netd_wait *w, struct netd_diag *diag)
{
	int ret;

	memset(ch, 0, sizeof(*ch));
	ret = netd_view_load(e, n, &ch->v, diag);
	if (ret < 0)
		return ret;
	ch->loaded = true;
	if (down) {
		/* Taps go with their network, attached ones too (README, "Guests on taps"). */
		netd_plan_down(ch->v.d, &ch->v.o, netd_engine_last_forwarder(e, n), &ch->plan);
	} else {
		ret = plan_up(e, n, ch, diag);
		if (ret < 0 || ch->plan.n == 0)
			return ret;
	}
	return netd_apply_start(&ch->v.ctx, &ch->run, &ch->plan, down, w, diag);
}

int netd_change_resume(struct netd_change *ch, struct netd_wait *w, struct netd_diag *diag)
{
	return netd_apply_resume(&ch->v.ctx, &ch->run, w, diag);
}

void netd_change_release(struct netd_change *ch)
{
	netd_apply_release(&ch->run);
	if (ch->loaded)
		netd_view_release(&ch->v);
	ch->loaded = false;
}
