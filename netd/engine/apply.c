/*
 * Apply: the only place that carries out a plan. `up` is a transaction: each step done is
 * recorded, and when one fails the recorded ones are undone in reverse order, so a failed
 * `up` leaves the host as it found it. `down` tries every step and reports the first error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/bond.h"
#include "engine_priv.h"
#include "netd/mode.h"
#include "netd/kernel/uplink.h"

/* The bridge's ports as they are now (one dump the kernel filters to them, each port's flag
 * in it), each set as the policy says where it differs. */
static int isolate_ports(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	struct netd_link_info br, *ports = NULL;
	size_t np = 0;
	int ret;

	ret = netd_nl_link_get(c->e->nl, n->bridge, &br);
	if (ret < 0)
		goto out;
	ret = netd_nl_link_ports(c->e->nl, br.ifindex, &ports, &np);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < np; i++) {
		bool want = netd_port_isolated(n, ports[i].name);

		if (ports[i].port_isolated == (int)want)
			continue;
		ret = netd_nl_port_set_isolated(c->e->nl, ports[i].name, want, diag);
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	free(ports);
	return ret;
}

/* Snapshot first and save it, so a crash between here and `down` still knows the way back.
 * A snapshot saved already is the one to keep: the uplink is off the bridge because the bridge
 * was deleted (its addresses went with it) or someone released it, and what it has now is not
 * what it had before netd took it. */
static int take_uplink(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	struct netd_uplink_state s;
	int ret;

	if (c->before->uplink_saved && netd_uplink_load(c->e->state_dir, n->name, &s) == 0)
		return netd_uplink_take(c->e->nl, &s, n->bridge, diag);
	ret = netd_uplink_snapshot(c->e->nl, n->uplink, &s);
	if (ret < 0) {
		netd_diag_set(diag, "reading the state of uplink %s: %s", n->uplink,
		              strerror(-ret));
		return ret;
	}
	ret = netd_uplink_save(c->e->state_dir, n->name, &s);
	if (ret < 0) {
		netd_diag_set(diag, "saving the state of uplink %s in %s: %s", n->uplink,
		              c->e->state_dir, strerror(-ret));
		return ret;
	}
	ret = netd_uplink_take(c->e->nl, &s, n->bridge, diag);
	if (ret < 0)
		netd_uplink_forget(c->e->state_dir, n->name);
	return ret;
}

static int release_uplink(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	struct netd_uplink_state s;
	int ret;

	ret = netd_uplink_load(c->e->state_dir, n->name, &s);
	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	ret = netd_uplink_give_back(c->e->nl, &s, n->bridge, diag);
	if (ret == 0)
		netd_uplink_forget(c->e->state_dir, n->name);
	return ret;
}

/* The bridge's arp_ignore as its mode says (netd_desired.arp_ignore); 0 leaves it alone. */
static int arp_quiet(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	unsigned arp_ignore = c->d->arp_ignore;
	char key[64], val[12];
	int ret;

	if (!arp_ignore)
		return 0;
	snprintf(key, sizeof(key), "net/ipv4/conf/%s/arp_ignore", n->bridge);
	snprintf(val, sizeof(val), "%u", arp_ignore);
	ret = netd_sysctl_write(key, val);
	if (ret < 0) {
		netd_diag_set(diag, "setting %s: %s", key, strerror(-ret));
		netd_nl_link_delete(c->e->nl, n->bridge, NULL);
	}
	return ret;
}

static int start_dnsmasq(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	pid_t pid;

	return netd_dnsmasq_start(&c->paths, c->d->dnsmasq_conf, c->d->dnsmasq_hosts,
	                          c->e->dnsmasq_bin, &pid, diag);
}

/* A dnsmasq that could not be signalled still holds the network's addresses and ports, and the
 * next `up` would collide with it: the message names its pid. */
static int stop_dnsmasq(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const char *name = c->net->name;
	int ret = netd_dnsmasq_stop(&c->paths);
	pid_t pid;

	if (ret == 0)
		return 0;
	if (netd_dnsmasq_running(&c->paths, &pid) == 1)
		netd_diag_set(diag,
		              "stopping dnsmasq of %s: %s (dnsmasq of %s, pid %d, still runs)",
		              name, strerror(-ret), name, (int)pid);
	else
		netd_diag_set(diag, "stopping dnsmasq of %s: %s", name, strerror(-ret));
	return ret;
}

static int do_step(struct netd_apply_ctx *c, enum netd_step_kind k, bool *undoable,
                   struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	struct netd_engine *e = c->e;
	bool changed;
	int ret;

	*undoable = true;
	switch (k) {
	case NETD_STEP_CREATE_BRIDGE:
		ret = netd_nl_bridge_create(e->nl, n->bridge, c->d->alias, c->d->no_ipv6, diag);
		if (ret == 0)
			ret = arp_quiet(c, diag);
		return ret;
	case NETD_STEP_ADD_ADDRESS:
		return netd_nl_addr_add(e->nl, n->bridge, &n->address, diag);
	case NETD_STEP_LINK_UP:
		return netd_nl_link_set_up(e->nl, n->bridge, true, diag);
	case NETD_STEP_FORWARDING_ON:
		ret = netd_forwarding_enable(e->state_dir, &changed, diag);
		*undoable = changed;
		return ret;
	case NETD_STEP_APPLY_RULES:
		/* Replacing rules that were there before cannot be undone to the old text;
		 * only a fresh set is removed again. */
		*undoable = !c->before->rules_present;
		return netd_nft_apply_net(e->nft, c->d->nft, diag);
	case NETD_STEP_START_DNSMASQ:
		return start_dnsmasq(c, diag);
	case NETD_STEP_RESTART_DNSMASQ:
		*undoable = false;
		/* A hung dnsmasq never acts on SIGTERM (a stopped one keeps it pending). */
		ret = c->before->dnsmasq_hung ? netd_dnsmasq_kill(&c->paths)
		                              : netd_dnsmasq_stop(&c->paths);
		if (ret < 0) {
			netd_diag_set(diag, "stopping dnsmasq of %s: %s", n->name, strerror(-ret));
			return ret;
		}
		return start_dnsmasq(c, diag);
	case NETD_STEP_ISOLATE_PORTS:
		*undoable = false;
		return isolate_ports(c, diag);
	case NETD_STEP_TAKE_UPLINK:
		return take_uplink(c, diag);
	case NETD_STEP_RELEASE_UPLINK:
		return release_uplink(c, diag);
	case NETD_STEP_CREATE_BOND:
		return netd_bond_up(e->nl, &n->bond, c->d->alias, e->state_dir, n->name, diag);
	case NETD_STEP_DELETE_BOND:
		return netd_bond_down(e->nl, n->bond.name, c->d->alias, e->state_dir, n->name,
		                      diag);
	case NETD_STEP_STOP_DNSMASQ:
		return stop_dnsmasq(c, diag);
	case NETD_STEP_REMOVE_RULES:
		return netd_nft_remove_net(e->nft, n->name, diag);
	case NETD_STEP_FORWARDING_RESTORE:
		return netd_forwarding_restore(e->state_dir, diag);
	case NETD_STEP_DELETE_BRIDGE:
		return netd_nl_link_delete(e->nl, n->bridge, diag);
	case NETD_STEP_SYNC_TAPS:
		/* The last step of an up plan (plan.c), so nothing after it fails; when it fails
		 * itself, it has already removed what it made. */
		*undoable = false;
		return netd_taps_sync(c, diag);
	case NETD_STEP_REMOVE_TAPS:
		return netd_taps_remove(c, diag);
	case NETD_STEP_KINDS:
		break;
	}
	return -EINVAL;
}

/* Undo of one `up` step. Errors are reported in the caller's message, never fatal. */
static int undo_step(struct netd_apply_ctx *c, enum netd_step_kind k, bool bridge_created)
{
	const struct netd_network *n = c->net;
	struct netd_engine *e = c->e;
	struct netd_diag ignored;

	switch (k) {
	case NETD_STEP_CREATE_BRIDGE:
		return netd_nl_link_delete(e->nl, n->bridge, &ignored);
	case NETD_STEP_ADD_ADDRESS:
		/* Deleting the bridge takes its address with it. */
		return bridge_created ? 0
		                      : netd_nl_addr_del(e->nl, n->bridge, &n->address, &ignored);
	case NETD_STEP_LINK_UP:
		return bridge_created ? 0 : netd_nl_link_set_up(e->nl, n->bridge, false, &ignored);
	case NETD_STEP_FORWARDING_ON:
		return netd_forwarding_restore(e->state_dir, &ignored);
	case NETD_STEP_APPLY_RULES:
		return netd_nft_remove_net(e->nft, n->name, &ignored);
	case NETD_STEP_START_DNSMASQ:
		return netd_dnsmasq_stop(&c->paths);
	case NETD_STEP_TAKE_UPLINK:
		return release_uplink(c, &ignored);
	case NETD_STEP_CREATE_BOND:
		return netd_bond_down(e->nl, n->bond.name, c->d->alias, e->state_dir, n->name,
		                      &ignored);
	default:
		return 0;
	}
}

int netd_apply_up(struct netd_apply_ctx *c, const struct netd_plan *plan, struct netd_diag *diag)
{
	bool undoable[NETD_PLAN_MAX] = {false};
	bool bridge_created = false;
	struct netd_diag step_diag = {""};
	char undone[512] = "";
	size_t i, len = 0;
	int ret = 0;

	for (i = 0; i < plan->n; i++) {
		step_diag.msg[0] = '\0';
		ret = do_step(c, plan->steps[i], &undoable[i], &step_diag);
		if (ret < 0)
			break;
		if (plan->steps[i] == NETD_STEP_CREATE_BRIDGE)
			bridge_created = true;
	}
	if (ret == 0)
		return 0;

	for (size_t j = i; j-- > 0;) {
		if (!undoable[j])
			continue;
		undo_step(c, plan->steps[j], bridge_created);
		len += snprintf(undone + len, len < sizeof(undone) ? sizeof(undone) - len : 0,
		                "%s%s", len ? ", " : "", netd_step_name(plan->steps[j]));
	}
	netd_diag_set(
	    diag, "%s: step '%s' failed: %s%s%s%s", c->net->name, netd_step_name(plan->steps[i]),
	    step_diag.msg[0] ? step_diag.msg : strerror(-ret),
	    undone[0] ? " (undone: " : " (nothing to undo)", undone, undone[0] ? ")" : "");
	return ret;
}

int netd_apply_down(struct netd_apply_ctx *c, const struct netd_plan *plan, struct netd_diag *diag)
{
	struct netd_diag step_diag;
	bool unused;
	int first = 0;

	for (size_t i = 0; i < plan->n; i++) {
		int ret;

		step_diag.msg[0] = '\0';
		ret = do_step(c, plan->steps[i], &unused, &step_diag);
		if (ret < 0 && first == 0) {
			first = ret;
			netd_diag_set(diag, "%s: step '%s' failed: %s", c->net->name,
			              netd_step_name(plan->steps[i]),
			              step_diag.msg[0] ? step_diag.msg : strerror(-ret));
		}
	}
	return first;
}
