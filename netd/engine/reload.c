/*
 * Reload: a network that is up and whose devices changed (a spanning network: also its VNI or
 * the fabric file), or that is gone from the config, goes down under the old definition, the
 * one that knows what it made; then the new config is in force, and every network that is up
 * (or was taken down for a change of devices) comes to its new definition. One network's
 * change at a time; each may wait for dnsmasq, and then the reload returns -EINPROGRESS and is
 * resumed by its job (job.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/config.h"
#include "netd/fabric.h"
#include "netd/util/log.h"

/* Whether a new definition keeps the devices of the old: if not, the old must go down under
 * the definition that knows what it made (a bond with its slaves, an uplink's snapshot)
 * before the new one comes up. Addresses, DHCP, policy and taps are reconciled in place. */
static bool same_devices(const struct netd_network *a, const struct netd_network *b)
{
	struct netd_bond x, y;

	/* The bond's values, not where in the file they were written. Both networks come
	 * from calloc and are filled in place, so their padding compares equal too. */
	memcpy(&x, &a->bond, sizeof(x));
	memcpy(&y, &b->bond, sizeof(y));
	x.line = y.line = 0;
	memset(x.opt_line, 0, sizeof(x.opt_line));
	memset(y.opt_line, 0, sizeof(y.opt_line));
	return a->mode == b->mode && strcmp(a->bridge, b->bridge) == 0 &&
	       strcmp(a->uplink, b->uplink) == 0 && memcmp(&x, &y, sizeof(x)) == 0 &&
	       netd_same_ipv6(a, b);
}

/*
 * Whether a network's part in the fabric stays: its VNI, and for a spanning network the
 * fabric file's content. Otherwise it goes down under the old definition (its VXLAN port, and
 * with the last spanning network the old FRR block and the guard) and comes up under the new:
 * FRR's block is one per fabric, and a changed ASN, peer list or socket would otherwise leave
 * the old one in FRR, or be refused beside it.
 */
static bool same_span(const struct netd_network *a, const struct netd_network *b,
                      const struct netd_config *old, const struct netd_config *fresh)
{
	return a->vni == b->vni && (!b->vni || netd_fabric_same(old->fabric, fresh->fabric));
}

/* The brought_up marks of old's networks, by name, for fresh's (networks gone drop theirs). */
static bool *marks_for(const struct netd_engine *e, const struct netd_config *fresh)
{
	bool *marks = calloc(fresh->n_networks + 1, sizeof(*marks));

	for (size_t i = 0; marks && i < fresh->n_networks; i++) {
		const struct netd_network *o =
		    netd_config_find(e->config, fresh->networks[i]->name);

		marks[i] = o && e->brought_up[netd_engine_index(e->config, o)];
	}
	return marks;
}

/*
 * The next network to change from rl->i on; false when this half has none left. First half
 * (old config): those up whose devices changed or that are gone. Second half (new config):
 * those taken down for a change of devices, and those up.
 */
static bool pick(struct netd_engine *e, struct netd_reload *rl)
{
	for (; rl->i < e->config->n_networks; rl->i++) {
		const struct netd_network *n = e->config->networks[rl->i], *m;

		if (rl->ups && !rl->renew[rl->i] && !netd_engine_is_up(e, n))
			continue;
		if (!rl->ups && (m = netd_config_find(rl->fresh, n->name)) && same_devices(m, n) &&
		    same_span(m, n, e->config, rl->fresh))
			continue;
		if (!rl->ups && !netd_engine_is_up(e, n))
			continue;
		return true;
	}
	return false;
}

/* A network gone from the config went down for good: its record of being up goes too, even
 * when a step failed (as for a down by request). */
static int gone(struct netd_engine *e, const struct netd_network *n, int ret, struct netd_diag *d)
{
	int rec = netd_up_record_forget(e->state_dir, n->name);

	if (ret == 0 && rec < 0) {
		netd_diag_set(d, "%s: removing its record of being up from %s: %s", n->name,
		              e->state_dir, strerror(-rec));
		ret = rec;
	}
	return ret;
}

/* Network i's change ended with ret and the message d. A renewed network that fails to come
 * up is left down (its up was rolled back, its record forgotten) and the message says so:
 * the new definition is the one in force, and `up` retries it. */
static void changed(struct netd_engine *e, struct netd_reload *rl, int ret, struct netd_diag *d)
{
	const struct netd_network *n = e->config->networks[rl->i], *m = NULL;
	size_t len;

	if (!rl->ups && !(m = netd_config_find(rl->fresh, n->name)))
		ret = gone(e, n, ret, d);
	if (!rl->ups && ret == 0 && m)
		rl->renew[netd_engine_index(rl->fresh, m)] = true;
	if (rl->ups && ret == 0 &&
	    netd_reload_note(rl, n->name, &rl->ch.plan, rl->renew[rl->i]) < 0)
		ret = -ENOMEM;
	if (rl->ups && ret == 0)
		netd_resolved_sync(e, n, true);
	if (rl->ups && ret < 0 && rl->renew[rl->i]) {
		netd_up_record_forget(e->state_dir, n->name);
		len = strlen(d->msg);
		snprintf(d->msg + len, sizeof(d->msg) - len,
		         " (%s is down: taken down under its old definition, it did not "
		         "come up under the new one)",
		         n->name);
	}
	netd_keep_first(ret, d, &rl->first, &rl->diag);
	netd_change_release(&rl->ch);
	rl->active = false;
	rl->i++;
}

/* Between the halves: the new config in force, with its brought_up marks. */
static void swap_config(struct netd_engine *e, struct netd_reload *rl)
{
	netd_config_free(e->config);
	e->config = rl->fresh;
	rl->fresh = NULL;
	free(e->brought_up);
	e->brought_up = rl->marks;
	rl->marks = NULL;
	rl->ups = true;
	rl->i = 0;
	/* The liveness queries in flight and the repair's marks were per network of the old
	 * config. */
	if (netd_dnsmasq_watch_reset(e) < 0 || netd_heal_reset(e) < 0)
		netd_keep_first(-ENOMEM, &(struct netd_diag){"out of memory"}, &rl->first,
		                &rl->diag);
}

int netd_reload_resume(struct netd_engine *e, struct netd_reload *rl, struct netd_wait *w,
                       struct netd_diag *diag)
{
	struct netd_diag d;
	int ret;

	for (;;) {
		d.msg[0] = '\0';
		if (rl->active) {
			ret = netd_change_resume(&rl->ch, w, &d);
		} else if (pick(e, rl)) {
			rl->active = true;
			ret = netd_change_start(e, e->config->networks[rl->i],
			                        rl->ups ? NETD_CHANGE_UP : NETD_CHANGE_DOWN, false,
			                        NULL, &rl->ch, w, &d);
		} else if (!rl->ups) {
			swap_config(e, rl);
			continue;
		} else {
			break;
		}
		if (ret == -EINPROGRESS)
			return ret;
		changed(e, rl, ret, &d);
	}
	if (rl->first)
		*diag = rl->diag;
	return rl->first;
}

int netd_reload_start(struct netd_engine *e, struct netd_reload *rl, struct netd_wait *w,
                      struct netd_diag *diag)
{
	int ret;

	memset(rl, 0, sizeof(*rl));
	ret = netd_config_load_dir(e->config_dir, &rl->fresh, diag);
	if (ret == 0) /* forward add's forwards stay, as attach's taps do */
		netd_forward_merge_live(e, rl->fresh);
	if (ret < 0) {
		size_t len = strlen(diag->msg);

		/* Nothing changed: say so, to netdctl and in the daemon's log alike. */
		if (len)
			snprintf(diag->msg + len, sizeof(diag->msg) - len,
			         " (the old config stays)");
		return ret;
	}
	for (size_t i = 0; i < rl->fresh->n_networks; i++)
		netd_log_lines(LOG_WARNING, rl->fresh->networks[i]->warnings);
	rl->renew = calloc(rl->fresh->n_networks + 1, sizeof(*rl->renew));
	rl->marks = marks_for(e, rl->fresh);
	if (!rl->renew || !rl->marks)
		return -ENOMEM;
	return netd_reload_resume(e, rl, w, diag);
}

void netd_reload_release(struct netd_reload *rl)
{
	if (rl->active)
		netd_change_release(&rl->ch);
	rl->active = false;
	netd_config_free(rl->fresh);
	rl->fresh = NULL;
	free(rl->renew);
	free(rl->marks);
	rl->renew = rl->marks = NULL;
	json_object_put(rl->report);
	rl->report = NULL;
}

const char *netd_reload_busy(const struct netd_engine *e, const struct netd_reload *rl,
                             const char *name)
{
	if (!rl->active || strcmp(e->config->networks[rl->i]->name, name) != 0)
		return NULL;
	if (!rl->ups)
		return "stopping";
	return rl->renew[rl->i] ? "starting" : NULL;
}
