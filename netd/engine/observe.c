/* Observe: what the kernel, our nft table and our dnsmasq have now for one network. The links
 * and addresses come from the pass's snapshot (kernel/snapshot.h), not from queries of its
 * own, so a pass over N networks reads them once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/bond.h"
#include "engine_priv.h"
#include "netd/mode.h"
#include "netd/kernel/uplink.h"

/* Ports of the bridge whose isolation flag differs from the policy. The uplink of a bridged
 * network is never isolated: isolated ports still reach non-isolated ones, which is how
 * guests keep the LAN while not seeing each other. */
static size_t count_ports_to_isolate(const struct netd_desired *d,
                                     const struct netd_link_info *ports, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		int is = ports[i].port_isolated;

		if (is >= 0 && (is == 1) != netd_port_isolated(d->net, ports[i].name))
			count++;
	}
	return count;
}

/* The kernel layer's facts about the bond, in the planner's terms. */
static int observe_bond(struct netd_engine *e, const struct netd_network *n, const char *alias,
                        struct netd_observed *o)
{
	struct netd_bond_facts f;
	int ret = netd_bond_observe(e->nl, &n->bond, n->name, alias, e->state_dir, &f);

	if (ret < 0)
		return ret;
	o->bond_exists = f.exists;
	o->bond_ours = f.ours;
	snprintf(o->bond_kind, sizeof(o->bond_kind), "%s", f.kind);
	snprintf(o->bond_alias, sizeof(o->bond_alias), "%s", f.alias);
	o->bond_saved = f.saved;
	snprintf(o->bond_slave_absent, IFNAMSIZ, "%s", f.slave_absent);
	snprintf(o->bond_slave_busy, IFNAMSIZ, "%s", f.slave_busy);
	snprintf(o->bond_slave_master, IFNAMSIZ, "%s", f.slave_master);
	return 0;
}

/* Uplink= of a bridged network: there, enslaved to our bridge or to another master, and
 * whether netd holds its state to give it back. */
static int observe_uplink(struct netd_engine *e, const struct netd_network *n,
                          struct netd_kernel_snapshot *k, const struct netd_link_info *br,
                          struct netd_observed *o)
{
	struct netd_link_info up, master;
	struct netd_uplink_state saved;
	int ret;

	ret = netd_snapshot_link(k, n->uplink, &up);
	if (ret < 0 && ret != -ENODEV)
		return ret;
	o->uplink_exists = ret == 0;
	if (o->uplink_exists && up.master) {
		if (o->bridge == NETD_BRIDGE_OURS && up.master == br->ifindex)
			o->uplink_enslaved = true;
		else if (netd_snapshot_link_by_index(k, up.master, &master) == 0)
			snprintf(o->uplink_master, sizeof(o->uplink_master), "%s", master.name);
	}
	o->uplink_saved = netd_uplink_load(e->state_dir, n->name, &saved) == 0;
	return 0;
}

/* The link under name: among the bridge's ports (read already), else from the snapshot. */
static int tap_link(struct netd_kernel_snapshot *k, const struct netd_link_info *ports,
                    size_t n_ports, const char *name, struct netd_link_info *out)
{
	for (size_t i = 0; i < n_ports; i++) {
		if (strcmp(ports[i].name, name) == 0) {
			*out = ports[i];
			return 0;
		}
	}
	return netd_snapshot_link(k, name, out);
}

/* Add what the kernel has under name, if anything, to o->taps (once per name). Only a
 * [Tap]'s settings are checked (declared): of an attached tap that exists only its port
 * (enslaved) counts. */
static int tap_fact(const struct netd_desired *d, struct netd_kernel_snapshot *k,
                    const struct netd_link_info *ports, size_t n_ports, int br_index,
                    const char *name, bool declared, struct netd_tap_links *taps)
{
	struct netd_link_info l;
	struct netd_tap_link *t;
	int ret;

	if (netd_tap_links_find(taps, name))
		return 0;
	ret = tap_link(k, ports, n_ports, name, &l);
	if (ret < 0)
		return ret == -ENODEV ? 0 : ret;
	t = &taps->v[taps->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", l.name);
	t->ours = strcmp(l.alias, d->alias) == 0;
	snprintf(t->alias, sizeof(t->alias), "%s", l.alias);
	t->enslaved = br_index && l.master == br_index;
	t->isolated = t->enslaved && declared && l.port_isolated >= 0 ? l.port_isolated : -1;
	t->up = l.up;
	t->mtu = l.mtu;
	memcpy(t->mac, l.mac, 6);
	return 0;
}

/* The links under the names of the network's [Tap]s and recorded taps, only for a network
 * that has taps at all. */
static int observe_taps(const struct netd_desired *d, struct netd_kernel_snapshot *k,
                        const struct netd_link_info *br, const struct netd_link_info *ports,
                        size_t n_ports, struct netd_observed *o)
{
	const struct netd_network *n = d->net;
	struct netd_tap_links *taps = &o->taps;
	int br_index = o->bridge == NETD_BRIDGE_OURS ? br->ifindex : 0;
	int ret = 0;

	if (n->n_taps == 0 && d->taps.n == 0)
		return 0;
	taps->v = calloc(n->n_taps + d->taps.n, sizeof(*taps->v));
	if (!taps->v)
		return -ENOMEM;
	taps->bridge_mtu = br_index ? br->mtu : 0;
	for (size_t i = 0; ret == 0 && i < n->n_taps; i++)
		ret = tap_fact(d, k, ports, n_ports, br_index, n->taps[i].name, true, taps);
	for (size_t i = 0; ret == 0 && i < d->taps.n; i++)
		ret = tap_fact(d, k, ports, n_ports, br_index, d->taps.v[i].tap, false, taps);
	return ret;
}

/* The bridge under the network's name: whose it is, and (ours) its address and ports. */
static int observe_bridge(const struct netd_desired *d, struct netd_kernel_snapshot *k,
                          struct netd_link_info *li, struct netd_link_info **ports, size_t *n_ports,
                          struct netd_observed *o)
{
	const struct netd_network *n = d->net;
	int ret;

	ret = netd_snapshot_link(k, n->bridge, li);
	if (ret == -ENODEV) {
		o->bridge = NETD_BRIDGE_ABSENT;
		return 0;
	}
	if (ret < 0)
		return ret;
	snprintf(o->bridge_kind, sizeof(o->bridge_kind), "%s", li->kind);
	snprintf(o->bridge_alias, sizeof(o->bridge_alias), "%s", li->alias);
	if (strcmp(li->alias, d->alias) == 0 && strcmp(li->kind, "bridge") == 0)
		o->bridge = NETD_BRIDGE_OURS;
	else if (strncmp(li->alias, NETD_ALIAS_PREFIX, strlen(NETD_ALIAS_PREFIX)) == 0 &&
	         strcmp(li->kind, "bridge") == 0)
		o->bridge = NETD_BRIDGE_OTHER_NET;
	else
		o->bridge = NETD_BRIDGE_FOREIGN;
	if (o->bridge != NETD_BRIDGE_OURS)
		return 0;
	o->bridge_up = li->up;
	if (n->has_address) {
		ret = netd_snapshot_addr_has(k, li->ifindex, &n->address);
		if (ret < 0)
			return ret;
		o->has_address = ret == 1;
	}
	ret = netd_snapshot_ports(k, li->ifindex, ports, n_ports);
	if (ret < 0)
		return ret;
	o->n_ports_to_isolate = count_ports_to_isolate(d, *ports, *n_ports);
	return 0;
}

/* Read once per pass: every network's view needs it. */
static bool ip_forward_on(struct netd_pass *pass)
{
	char fwd[16];

	if (pass->ip_forward < 0)
		pass->ip_forward = netd_sysctl_read("net/ipv4/ip_forward", fwd, sizeof(fwd)) == 0 &&
		                   strcmp(fwd, "1") == 0;
	return pass->ip_forward == 1;
}

int netd_observe(struct netd_engine *e, const struct netd_desired *d,
                 const struct netd_dnsmasq_paths *paths, struct netd_pass *pass,
                 struct netd_net_memo *m, struct netd_observed *o)
{
	const struct netd_network *n = d->net;
	struct netd_kernel_snapshot *k = pass->k;
	struct netd_link_info li, *ports = NULL;
	size_t n_ports = 0;
	int ret;

	memset(o, 0, sizeof(*o));
	memset(&li, 0, sizeof(li));
	ret = observe_bridge(d, k, &li, &ports, &n_ports, o);
	if (ret == 0 && n->uplink[0])
		ret = observe_uplink(e, n, k, &li, o);
	if (ret == 0 && n->bond.name[0])
		ret = observe_bond(e, n, d->alias, o);
	if (ret == 0)
		ret = observe_taps(d, k, &li, ports, n_ports, o);
	free(ports);
	if (ret < 0)
		return ret;

	ret = netd_nft_observe_net(e->nft, n->name, o->rules_digest);
	if (ret == 0)
		o->rules_present = true;
	else if (ret != -ENOENT)
		return ret;

	o->dnsmasq_running =
	    netd_dnsmasq_check(paths, e->run_watch, &m->seen, d->dnsmasq_conf, d->dnsmasq_hosts,
	                       &o->dnsmasq_pid, &o->dnsmasq_conf_current) == 1;

	o->ip_forward_on = ip_forward_on(pass);
	return 0;
}
