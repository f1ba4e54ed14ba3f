/*
 * One network's up or down, from observing it to the end of its plan. A reconcile is an up
 * of a network that is up: the same plan repairs what drifted, and it also asks dnsmasq
 * whether it still answers, which nothing else does. The plan runs through apply.c, which
 * returns -EINPROGRESS while a step waits for dnsmasq or vtysh; the change is then resumed by
 * its job (job.c) when that wait is over. A spanning network's change first waits for FRR's
 * answer (fabric_frr.c), then observes and plans.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/util/log.h"
#include "netd/util/state_file.h"

static bool plans(const struct netd_plan *plan, enum netd_step_kind k)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->steps[i] == k)
			return true;
	return false;
}

/* The up plan of a network, checked against the host's addresses when the bridge is new.
 * Rules of a network whose bridge is ours that differ from its definition are drift (its
 * job reports their repair; a reload's change, where the definition changed, does not). */
static int plan_up(struct netd_engine *e, const struct netd_network *n, struct netd_change *ch,
                   struct netd_diag *diag)
{
	struct netd_observed *o = &ch->v.o;
	bool collides;
	int ret;

	/* A dnsmasq with DNS off ([DNS] Enable=no) has no port to ask. */
	if (ch->kind == NETD_CHANGE_RECONCILE && ch->v.d->dnsmasq && o->dnsmasq_running &&
	    o->bridge == NETD_BRIDGE_OURS && o->has_address && !n->dns.disabled)
		o->dnsmasq_hung =
		    netd_dnsmasq_hung(e, netd_engine_index(e->config, n), o->dnsmasq_pid);
	ret = netd_plan_up(ch->v.d, o, &ch->plan, diag);
	collides = ret == -EEXIST && o->bridge == NETD_BRIDGE_FOREIGN;
	/* NATAddress= also whenever the rules are written: a reload may have changed it. */
	if (ret == 0 && ch->plan.n > 0 &&
	    (o->bridge == NETD_BRIDGE_ABSENT ||
	     (n->nat_address.s_addr && plans(&ch->plan, NETD_STEP_APPLY_RULES)))) {
		ret = netd_engine_check_host(e, n, diag);
		collides = ret == -EINVAL; /* the subnet overlaps the host's */
	}
	/* A bridge name or subnet of libvirt's: say whose. */
	if (collides)
		netd_libvirt_hint(n, diag);
	ch->drift = o->bridge == NETD_BRIDGE_OURS && plans(&ch->plan, NETD_STEP_APPLY_RULES);
	return ret;
}

/* The advice on one state file that did not load, as down acted on it. */
static const char *down_advice(const struct netd_view *v, int k, bool force)
{
	const struct netd_state_issue *f = &v->o.files[k];

	if (f->prev_used)
		return "down used its .prev, which agreed with the kernel";
	if (k == NETD_STATE_FILE_UPLINK && force && v->o.uplink_enslaved)
		return "--force: the uplink got the bridge's addresses and routes as the kernel "
		       "had them";
	if (k == NETD_STATE_FILE_TAPS)
		return "down removed every tap tagged for the network";
	if (k == NETD_STATE_FILE_BOND && force && v->o.bond_ours)
		return "--force: the bond is left as it is";
	return "not used";
}

/* What down did about state files that did not load: one line each in notes (may be NULL)
 * and in the log. After a forced down the files it could not use are forgotten. */
static void down_notes(const struct netd_view *v, bool force, json_object *notes)
{
	const struct netd_network *n = v->d->net;
	char line[NETD_PATH_MAX + 768];
	struct netd_diag d = {{0}};

	for (int k = 0; k < NETD_STATE_FILES; k++) {
		const struct netd_state_issue *f = &v->o.files[k];

		if (!f->bad)
			continue;
		snprintf(line, sizeof(line), "%s: %s %s: %s", n->name, f->file, f->reason,
		         down_advice(v, k, force));
		netd_log(LOG_WARNING, "%s", line);
		if (notes)
			json_object_array_add(notes, json_object_new_string(line));
		if (!force || k == NETD_STATE_FILE_IP_FORWARD || k == NETD_STATE_FILE_TAPS)
			continue;
		if (netd_state_remove(f->file, &d) < 0) {
			netd_log_net(LOG_WARNING, n->name, "%s", d.msg);
			if (notes)
				json_object_array_add(notes, json_object_new_string(d.msg));
		}
	}
}

/* The change's end: a down that went through says what it did about state files; after an
 * up or a reconcile, the exit of the network's dnsmasq wakes the event-driven repair (the
 * one observed, or after a change the one that runs now). */
static int ended(struct netd_change *ch, int ret)
{
	const struct netd_observed *o = &ch->v.o;

	if (ret == 0 && ch->kind == NETD_CHANGE_DOWN)
		down_notes(&ch->v, ch->force, ch->notes);
	else if (ret == 0)
		netd_heal_watch_dnsmasq(ch->v.ctx.e, ch->v.ctx.net, &ch->v.ctx.paths,
		                        ch->plan.n > 0       ? -1
		                        : o->dnsmasq_running ? o->dnsmasq_pid
		                                             : 0);
	return ret;
}

/* The view observed (after FRR's look, for a spanning network), the plan, and its run. */
static int plan_and_apply(struct netd_change *ch, struct netd_wait *w, struct netd_diag *diag)
{
	struct netd_engine *e = ch->e;
	const struct netd_network *n = ch->n;
	bool down = ch->kind == NETD_CHANGE_DOWN;
	int ret;

	ret = netd_view_load(e, n, &ch->v, diag);
	if (ret < 0)
		return ret;
	ch->loaded = true;
	if (down) {
		/* A bridge holding the uplink (or a bond of ours) without a snapshot: refused. */
		ret = netd_plan_down_check(ch->v.d, &ch->v.o, ch->force, diag);
		if (ret < 0)
			return ret;
		/* Taps go with their network, attached ones too (README, "Guests on taps"). */
		netd_plan_down(ch->v.d, &ch->v.o, netd_engine_last_forwarder(e, n) != 0, &ch->plan);
	} else {
		ret = plan_up(e, n, ch, diag);
		if (ret < 0 || ch->plan.n == 0)
			return ended(ch, ret);
	}
	return ended(ch, netd_apply_start(&ch->v.ctx, &ch->run, &ch->plan, down, w, diag));
}

int netd_change_start(struct netd_engine *e, const struct netd_network *n,
                      enum netd_change_kind kind, bool force, json_object *notes,
                      struct netd_change *ch, struct netd_wait *w, struct netd_diag *diag)
{
	int ret;

	memset(ch, 0, sizeof(*ch));
	ch->kind = kind;
	ch->force = force;
	ch->notes = notes;
	ch->e = e;
	ch->n = n;
	/* A spanning network: FRR asked first, without waiting for it here (fabric_frr.c). */
	if (netd_fabric_spans(e, n)) {
		ret = netd_fabric_look_begin(e, n, kind != NETD_CHANGE_DOWN, &ch->look, w);
		if (ret < 0)
			return ret;
	}
	return plan_and_apply(ch, w, diag);
}

int netd_change_resume(struct netd_change *ch, struct netd_wait *w, struct netd_diag *diag)
{
	int ret;

	if (ch->look.op) {
		ret = netd_fabric_look_resume(ch->e, ch->n, &ch->look, w);
		return ret < 0 ? ret : plan_and_apply(ch, w, diag);
	}
	return ended(ch, netd_apply_resume(&ch->v.ctx, &ch->run, w, diag));
}

void netd_change_release(struct netd_change *ch)
{
	netd_fabric_look_release(&ch->look);
	netd_apply_release(&ch->run);
	if (ch->loaded)
		netd_view_release(&ch->v);
	ch->loaded = false;
}
