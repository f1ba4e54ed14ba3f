/*
 * A network's VM <-> VM policy holds for every port of its bridge, whoever attached it
 * (netdctl, qemu's bridge helper, libvirt, a plain `ip link set ... master`). The daemon
 * listens to link notifications and isolates a new port of a VMToVM=deny network the moment
 * the kernel announces it, instead of waiting for the next reconcile. A bond's failover is
 * announced here too. And the notifications tell the event-driven repair (heal.c) which
 * network may have drifted: its bridge deleted, set down or stripped of its address, its
 * uplink or a tap tagged for it deleted or taken off the bridge.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/mode.h"
#include "netd/kernel/garp.h"
#include "netd/kernel/link_monitor.h"
#include "netd/kernel/unsol_na.h"
#include "netd/kernel/uplink.h"
#include "netd/util/log.h"

/* A link was enslaved to the bridge with ifindex master: apply its network's port policy. */
static void port_added(struct netd_engine *e, int master, const char *port)
{
	struct netd_link_info br;
	struct netd_diag diag;
	bool want;

	if (netd_nl_link_get_by_index(e->nl, master, &br) < 0 ||
	    strncmp(br.alias, NETD_ALIAS_PREFIX, strlen(NETD_ALIAS_PREFIX)) != 0)
		return;
	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];

		if (strcmp(n->bridge, br.name) != 0 ||
		    strcmp(n->name, br.alias + strlen(NETD_ALIAS_PREFIX)) != 0)
			continue;
		want = netd_port_isolated(n, port);
		if (netd_nl_port_get_isolated(e->nl, port) != (int)want)
			netd_nl_port_set_isolated(e->nl, port, want, &diag);
		netd_mtu_port_added(e, n, port);
		return;
	}
}

/* A bond failed over: announce its network's bridge addresses, IPv4 by gratuitous ARP and
 * IPv6 by unsolicited neighbour advertisements (kernel/garp.h and netd/na.h say why). */
static void bond_failover(struct netd_engine *e, const char *bond)
{
	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];
		struct netd_uplink_state br;
		struct netd_link_info li;
		size_t sent;
		int ret;

		if (strcmp(n->bond.name, bond) != 0 || !netd_engine_bridge_get(e, n, &li))
			continue;
		if (netd_uplink_snapshot(e->nl, n->bridge, &br) == 0)
			for (size_t k = 0; k < br.n_addrs; k++)
				netd_garp_send(li.ifindex, li.mac, br.addrs[k].prefix.addr);
		if ((ret = netd_na_announce(e->nl, &li, &sent)) < 0)
			netd_log_net(
			    LOG_WARNING, n->name,
			    "announcing %s's IPv6 addresses after %s failed over: %s (%zu sent)",
			    n->bridge, bond, strerror(-ret), sent);
	}
}

/* Tagged netd:<n>: netd made it for n. */
static bool tagged(const char *alias, const struct netd_network *n)
{
	size_t p = strlen(NETD_ALIAS_PREFIX);

	return strncmp(alias, NETD_ALIAS_PREFIX, p) == 0 && strcmp(alias + p, n->name) == 0;
}

/* An IPv4 address's label is its link's name, or name:suffix. */
static bool label_of(const char *label, const char *link)
{
	size_t l = strlen(link);

	return strncmp(label, link, l) == 0 && (label[l] == '\0' || label[l] == ':');
}

/* Whether the link with ifindex master is n's bridge (one query; 0 is no master). */
static bool on_bridge(struct netd_engine *e, const struct netd_network *n, int master)
{
	struct netd_link_info br;

	return master > 0 && netd_nl_link_get_by_index(e->nl, master, &br) == 0 &&
	       strcmp(br.name, n->bridge) == 0;
}

/* Whether the fact may mean that n drifted. Its bridge: deleted, down, not tagged (another
 * link under its name), an address gone. Its uplink or a tap of its: deleted, or off the
 * bridge (a [Tap] comes back, an attached tap goes back on the bridge or, deleted, is
 * forgotten). Whether n is up at all is the pass's to ask, once. */
static bool drifted(struct netd_engine *e, const struct netd_network *n,
                    const struct netd_link_event *ev)
{
	if (ev->kind == NETD_LINK_EV_ADDR)
		return ev->deleted && label_of(ev->name, n->bridge);
	if (strcmp(ev->name, n->bridge) == 0)
		return ev->deleted || !ev->up || !tagged(ev->alias, n);
	if (!tagged(ev->alias, n) && (!n->uplink[0] || strcmp(ev->name, n->uplink) != 0))
		return false;
	return ev->deleted || !on_bridge(e, n, ev->master);
}

static void on_event(const struct netd_link_event *ev, void *arg)
{
	struct netd_engine *e = arg;

	if (ev->kind == NETD_LINK_EV_LINK && !ev->deleted) {
		if (ev->bond_failover)
			bond_failover(e, ev->name);
		if (ev->master)
			port_added(e, ev->master, ev->name);
	}
	for (size_t i = 0; e->heal && i < e->config->n_networks; i++)
		if (drifted(e, e->config->networks[i], ev))
			netd_heal_mark(e, i);
}

int netd_engine_monitor_open(struct netd_engine *e)
{
	int ret;

	if (!e->monitor && (ret = netd_link_monitor_open(&e->monitor)) < 0)
		return ret;
	return netd_link_monitor_fd(e->monitor);
}

int netd_engine_monitor_handle(struct netd_engine *e)
{
	if (!e->monitor)
		return -EBADF;
	/* ENOBUFS: notifications were lost; a reconcile catches up on them: every network
	 * marked for the next pass, or (without the event-driven repair) the daemon's pass. */
	if (netd_link_monitor_read(e->monitor, on_event, e) == -ENOBUFS) {
		if (!e->heal)
			return 1;
		netd_heal_mark_all(e);
	}
	netd_heal_schedule(e);
	return 0;
}

void netd_engine_monitor_close(struct netd_engine *e)
{
	netd_link_monitor_close(e->monitor);
	e->monitor = NULL;
}
