/* The planner: pure functions from desired + observed state to an ordered list of steps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/bond.h"
#include "netd/dnsmasq.h"
#include "netd/mode.h"
#include "netd/plan.h"

static const char *const step_names[NETD_STEP_KINDS] = {
    [NETD_STEP_CREATE_BRIDGE] = "create bridge",
    [NETD_STEP_ADD_ADDRESS] = "add address",
    [NETD_STEP_LINK_UP] = "set bridge up",
    [NETD_STEP_FORWARDING_ON] = "enable IPv4 forwarding",
    [NETD_STEP_APPLY_RULES] = "apply nftables rules",
    [NETD_STEP_START_DNSMASQ] = "start dnsmasq",
    [NETD_STEP_RESTART_DNSMASQ] = "restart dnsmasq",
    [NETD_STEP_REREAD_DNSMASQ] = "reread dnsmasq files",
    [NETD_STEP_ISOLATE_PORTS] = "set port isolation",
    [NETD_STEP_SET_MTU] = "set the MTU",
    [NETD_STEP_TAKE_UPLINK] = "take over uplink",
    [NETD_STEP_RELEASE_UPLINK] = "give back uplink",
    [NETD_STEP_RELEASE_UPLINK_AS_IS] = "give back uplink as the kernel has it",
    [NETD_STEP_STOP_DNSMASQ] = "stop dnsmasq",
    [NETD_STEP_REMOVE_RULES] = "remove nftables rules",
    [NETD_STEP_FORWARDING_RESTORE] = "restore IPv4 forwarding",
    [NETD_STEP_DELETE_BRIDGE] = "delete bridge",
    [NETD_STEP_CREATE_BOND] = "create bond",
    [NETD_STEP_DELETE_BOND] = "delete bond",
    [NETD_STEP_SYNC_TAPS] = "sync taps",
    [NETD_STEP_REMOVE_TAPS] = "remove taps",
    [NETD_STEP_CONFIGURE_FRR] = "configure FRR",
    [NETD_STEP_CREATE_VXLAN] = "create VXLAN port",
    [NETD_STEP_DELETE_VXLAN] = "delete VXLAN port",
    [NETD_STEP_UNCONFIGURE_FRR] = "remove FRR configuration",
    [NETD_STEP_APPLY_GUARD] = "apply the fabric's guard",
    [NETD_STEP_REMOVE_GUARD] = "remove the fabric's guard",
};

const char *netd_step_name(enum netd_step_kind k)
{
	return (unsigned)k < NETD_STEP_KINDS ? step_names[k] : "?";
}

void netd_desired_free(struct netd_desired *d)
{
	if (!d)
		return;
	netd_nft_net_free(d->nft);
	free(d->dnsmasq_conf);
	free(d->dnsmasq_hosts);
	free(d->dnsmasq_opts);
	free(d->dnsmasq_records);
	netd_tap_state_clear(&d->taps);
	free(d);
}

void netd_observed_clear(struct netd_observed *o)
{
	netd_tap_links_clear(&o->taps);
}

int netd_desired_build(const struct netd_network *n, const struct netd_dnsmasq_paths *paths,
                       const struct netd_tap_state *taps, struct netd_desired **out)
{
	const struct netd_mode_ops *ops = netd_mode_ops(n->mode);
	struct netd_desired *d;
	int ret;

	if (!ops)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->net = n;
	snprintf(d->alias, sizeof(d->alias), NETD_ALIAS_PREFIX "%s", n->name);
	/* A network with an IPv6 prefix needs IPv6 on its bridge, link-local included: RAs
	 * come from it. Its own rules then judge IPv6 as they judge IPv4 (nft_build6.c). */
	d->no_ipv6 = ops->no_ipv6 && !n->has_address6;
	d->arp_ignore = ops->arp_ignore;
	d->forwarding = netd_network_needs_forwarding(n);
	d->forwarding6 = d->forwarding && n->has_address6;
	d->isolate_ports = netd_port_isolated(n, NULL);
	ret = netd_tap_state_copy(taps, &d->taps);
	if (ret < 0)
		goto fail;

	ret = netd_tap_nft_build(n, &d->taps, &d->nft);
	if (ret < 0)
		goto fail;
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		d->has_rules |= d->nft->chains[k].present;

	d->dnsmasq = netd_dnsmasq_wanted(n);
	if (d->dnsmasq && paths) {
		ret = netd_dnsmasq_render_conf(n, paths, &d->dnsmasq_conf);
		if (ret < 0)
			goto fail;
		ret = netd_tap_state_hosts(n, &d->taps, &d->dnsmasq_hosts);
		if (ret == 0)
			ret = netd_dnsmasq_render_opts(n, &d->dnsmasq_opts);
		if (ret == 0)
			ret = netd_dnsmasq_render_records(n, &d->dnsmasq_records);
		if (ret < 0)
			goto fail;
	}
	*out = d;
	return 0;
fail:
	netd_desired_free(d);
	return ret;
}

static void push(struct netd_plan *p, enum netd_step_kind k)
{
	if (p->n < NETD_PLAN_MAX)
		p->steps[p->n++] = k;
}

/* A spanning network's first steps: its VXLAN port's name free, FRR given its part. */
static int plan_span_first(const struct netd_desired *d, const struct netd_observed *o,
                           struct netd_plan *plan, struct netd_diag *diag)
{
	if (o->vxlan_exists && !o->vxlan_ours) {
		netd_diag_set(diag,
		              "%s:%u: VXLAN port %s: a link of that name already exists and is not "
		              "netd's (alias '%s', not '%s'); netd never takes over a link it did "
		              "not make: remove it or choose another VNI=",
		              d->net->source, d->net->line_vni, d->vxlan, o->vxlan_alias, d->alias);
		return -EEXIST;
	}
	if (o->frr_config != 1)
		push(plan, NETD_STEP_CONFIGURE_FRR);
	/* VXLAN and BGP only from the peers before the tunnel exists */
	if (o->guard != 1)
		push(plan, NETD_STEP_APPLY_GUARD);
	return 0;
}

/* A bond to make: its name free, its slaves there and nobody else's. */
static int plan_bond(const struct netd_network *n, const struct netd_observed *o,
                     struct netd_diag *diag)
{
	const struct netd_bond *b = &n->bond;
	unsigned line = b->opt_line[NETD_BOND_OPT_SLAVES];

	if (o->bond_exists)
		netd_diag_set(
		    diag,
		    "%s:%u: bond %s: a %s link named %s already exists and is not netd's "
		    "(alias '%s', not 'netd:%s'); netd never takes over a link it did not "
		    "make: remove it or choose another Name= in [Bond]",
		    n->source, b->opt_line[NETD_BOND_OPT_NAME], b->name,
		    o->bond_kind[0] ? o->bond_kind : "device", b->name, o->bond_alias, n->name);
	else if (o->bond_slave_absent[0])
		netd_diag_set(diag, "%s:%u: slave %s of bond %s does not exist", n->source, line,
		              o->bond_slave_absent, b->name);
	else if (o->bond_slave_busy[0])
		netd_diag_set(diag, "%s:%u: slave %s of bond %s is already enslaved to %s",
		              n->source, line, o->bond_slave_busy, b->name, o->bond_slave_master);
	else
		return 0;
	return o->bond_exists ? -EEXIST : o->bond_slave_absent[0] ? -ENODEV : -EBUSY;
}

int netd_plan_up(const struct netd_desired *d, const struct netd_observed *o,
                 struct netd_plan *plan, struct netd_diag *diag)
{
	const struct netd_network *n = d->net;
	bool fresh = o->bridge == NETD_BRIDGE_ABSENT;
	bool early_dnsmasq = fresh && d->dnsmasq && !o->dnsmasq_running;
	bool make_bond = n->bond.name[0] && !o->bond_ours;
	int ret;

	plan->n = 0;
	/* First: FRR that does not run fails the up before anything is made. */
	if (d->vxlan[0] && (ret = plan_span_first(d, o, plan, diag)) < 0)
		return ret;
	switch (o->bridge) {
	case NETD_BRIDGE_FOREIGN:
		netd_diag_set(
		    diag,
		    "%s: bridge %s: a %s link named %s already exists and is not netd's "
		    "(alias '%s', not '%s'); netd never takes over a link it did not make: "
		    "remove it or choose another Bridge=",
		    n->name, n->bridge, o->bridge_kind[0] ? o->bridge_kind : "device", n->bridge,
		    o->bridge_alias, d->alias);
		return -EEXIST;
	case NETD_BRIDGE_OTHER_NET:
		netd_diag_set(diag, "%s: bridge %s belongs to another netd network (%s)", n->name,
		              n->bridge, o->bridge_alias);
		return -EEXIST;
	case NETD_BRIDGE_ABSENT:
		push(plan, NETD_STEP_CREATE_BRIDGE);
		break;
	case NETD_BRIDGE_OURS:
		break;
	}
	if (make_bond && (ret = plan_bond(n, o, diag)) < 0)
		return ret;
	if (n->uplink[0] && !o->uplink_enslaved && !make_bond) {
		if (!o->uplink_exists) {
			netd_diag_set(diag, "%s:%u: uplink %s does not exist", n->source,
			              n->line_uplink, n->uplink);
			return -ENODEV;
		}
		if (o->uplink_master[0]) {
			netd_diag_set(diag, "%s:%u: uplink %s is already enslaved to %s", n->source,
			              n->line_uplink, n->uplink, o->uplink_master);
			return -EBUSY;
		}
	}
	/* What the guests send crosses the uplink to the LAN: no bridge above its MTU. */
	if (n->mtu && n->uplink[0] && o->uplink_mtu && n->mtu > o->uplink_mtu) {
		netd_diag_set(diag,
		              "%s:%u: MTU=%u is larger than the MTU of uplink %s (%u): the LAN "
		              "could not carry what the guests send; give at most %u, or leave "
		              "MTU= out and the bridge takes the uplink's",
		              n->source, n->line_mtu, n->mtu, n->uplink, o->uplink_mtu,
		              o->uplink_mtu);
		return -EINVAL;
	}
	if (n->has_address && (fresh || !o->has_address))
		push(plan, NETD_STEP_ADD_ADDRESS);
	/* Before the link is up and the taps join: guests never see another MTU. */
	if (n->mtu && (fresh || o->bridge_mtu != n->mtu || o->n_ports_mtu > 0))
		push(plan, NETD_STEP_SET_MTU);
	/* Rules before the link comes up, so no packet ever crosses it unfiltered. */
	if (d->forwarding && !o->ip_forward_on)
		push(plan, NETD_STEP_FORWARDING_ON);
	/* A reload that took the last routing policy away: forwarding goes back as found. */
	if (!d->forwarding && o->ip_forward_on && o->forwarding_restorable)
		push(plan, NETD_STEP_FORWARDING_RESTORE);
	/*
	 * A fresh bridge has no port until the steps after the rules (bond, VXLAN port, uplink,
	 * taps), so no packet of anyone's crosses it before them, up or not. Its dnsmasq then
	 * starts before the rules, on the bridge up and addressed as it needs: it gets ready
	 * while the rules are committed (at a thousand networks the kernel takes milliseconds to
	 * check netd's table), and apply waits for it right after them (apply.c).
	 */
	if (early_dnsmasq) {
		push(plan, NETD_STEP_LINK_UP);
		push(plan, NETD_STEP_START_DNSMASQ);
	}
	/* Rules it wants in either table, or has there still: made, or put back as defined. */
	if ((d->has_rules || d->nft->n_ports > 0 || o->rules_present) &&
	    (fresh || !o->rules_current))
		push(plan, NETD_STEP_APPLY_RULES);
	if (!early_dnsmasq && (fresh || !o->bridge_up))
		push(plan, NETD_STEP_LINK_UP);
	if (make_bond)
		push(plan, NETD_STEP_CREATE_BOND);
	/* The tunnel once the bridge and its rules are there. */
	if (d->vxlan[0] && !o->vxlan_current)
		push(plan, NETD_STEP_CREATE_VXLAN);
	/* The uplink comes last among the links: its routes need the bridge up. */
	if (n->uplink[0] && !o->uplink_enslaved)
		push(plan, NETD_STEP_TAKE_UPLINK);
	if (early_dnsmasq) {
		/* started above */
	} else if (d->dnsmasq) {
		/* A dnsmasq that outlived its bridge is bound to an interface that is gone. */
		if (!o->dnsmasq_running)
			push(plan, NETD_STEP_START_DNSMASQ);
		else if (!o->dnsmasq_conf_current || fresh || o->dnsmasq_hung)
			push(plan, NETD_STEP_RESTART_DNSMASQ);
		else if (o->dnsmasq_files_stale)
			push(plan, NETD_STEP_REREAD_DNSMASQ);
	} else if (o->dnsmasq_running) {
		push(plan, NETD_STEP_STOP_DNSMASQ);
	}
	if (!fresh && o->n_ports_to_isolate > 0)
		push(plan, NETD_STEP_ISOLATE_PORTS);
	/* Last: taps are ports of the bridge, and nothing after them can fail. A record that
	 * does not load leaves them alone: syncing would rewrite it from nothing. */
	if (!o->files[NETD_STATE_FILE_TAPS].bad &&
	    netd_tap_diff_up(n, &d->taps, &o->taps, NULL) > 0)
		push(plan, NETD_STEP_SYNC_TAPS);
	return 0;
}

void netd_plan_down(const struct netd_desired *d, const struct netd_observed *o,
                    bool last_forwarder, struct netd_plan *plan)
{
	plan->n = 0;
	if (o->dnsmasq_running)
		push(plan, NETD_STEP_STOP_DNSMASQ);
	if (netd_tap_diff_down(d->net, &d->taps, &o->taps, NULL) > 0 ||
	    o->files[NETD_STATE_FILE_TAPS].bad)
		push(plan, NETD_STEP_REMOVE_TAPS);
	if (o->rules_present)
		push(plan, NETD_STEP_REMOVE_RULES);
	if (last_forwarder)
		push(plan, NETD_STEP_FORWARDING_RESTORE);
	if (o->uplink_saved)
		push(plan, NETD_STEP_RELEASE_UPLINK);
	else if (o->uplink_enslaved)
		push(plan, NETD_STEP_RELEASE_UPLINK_AS_IS);
	/* Without its slaves' state a bond of ours stays: deleting it would strand them. */
	if (o->bond_saved)
		push(plan, NETD_STEP_DELETE_BOND);
	if (o->vxlan_ours)
		push(plan, NETD_STEP_DELETE_VXLAN);
	if (o->bridge == NETD_BRIDGE_OURS)
		push(plan, NETD_STEP_DELETE_BRIDGE);
	if (d->vxlan[0] && o->frr_last && o->frr_config != 0)
		push(plan, NETD_STEP_UNCONFIGURE_FRR);
	if (d->vxlan[0] && o->frr_last && o->guard != 0)
		push(plan, NETD_STEP_REMOVE_GUARD);
}
