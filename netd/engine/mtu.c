/*
 * [Network] MTU=: the bridge and every port of it but a bridged network's uplink (whose MTU is
 * the LAN's) get it, whoever attached the port, as port isolation does; netd's own taps take
 * the bridge's MTU when they are made (attach_tap.c). Without MTU= nothing is touched. The
 * guests learn it by DHCP option 26 (core/dnsmasq_dns.c) and, with IPv6, from the RA
 * (core/dnsmasq_conf6.c).
 */
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/util/log.h"

/* A port of n's bridge whose MTU netd sets: all but the uplink. */
static bool mtu_port(const struct netd_network *n, const char *port)
{
	return !n->uplink[0] || strcmp(port, n->uplink) != 0;
}

void netd_mtu_observe(const struct netd_network *n, const struct netd_link_info *br,
                      const struct netd_link_info *links, size_t n_links, struct netd_observed *o)
{
	o->bridge_mtu = br->mtu;
	o->n_ports_mtu = 0;
	if (!n->mtu)
		return;
	for (size_t i = 0; i < n_links; i++)
		if (links[i].master == br->ifindex && mtu_port(n, links[i].name) &&
		    links[i].mtu != n->mtu)
			o->n_ports_mtu++;
}

void netd_mtu_port_added(struct netd_engine *e, const struct netd_network *n, const char *port)
{
	struct netd_link_info li;
	struct netd_diag diag;

	if (n->mtu && mtu_port(n, port) && netd_nl_link_get(e->nl, port, &li) == 0 &&
	    li.mtu != n->mtu && netd_nl_link_set_mtu(e->nl, port, n->mtu, &diag) < 0)
		netd_log_net(LOG_WARNING, n->name, "%s", diag.msg);
}

int netd_mtu_apply(struct netd_engine *e, const struct netd_network *n, unsigned mtu,
                   struct netd_diag *diag)
{
	struct netd_link_info br, *links = NULL;
	size_t nl = 0;
	bool raise;
	int ret;

	ret = netd_nl_link_get(e->nl, n->bridge, &br);
	if (ret < 0)
		goto out;
	/* Up: the ports first, so the bridge is never above one of them; down: the bridge. */
	raise = mtu > br.mtu;
	if (!raise && br.mtu != mtu &&
	    (ret = netd_nl_link_set_mtu(e->nl, n->bridge, mtu, diag)) < 0)
		goto out;
	/* The bridge's ports alone (a dump the kernel filters), not every link of the host. */
	ret = netd_nl_link_ports(e->nl, br.ifindex, &links, &nl);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < nl; i++) {
		if (links[i].master != br.ifindex || !mtu_port(n, links[i].name) ||
		    links[i].mtu == mtu)
			continue;
		ret = netd_nl_link_set_mtu(e->nl, links[i].name, mtu, diag);
		if (ret < 0)
			goto out;
	}
	ret = raise ? netd_nl_link_set_mtu(e->nl, n->bridge, mtu, diag) : 0;
out:
	free(links);
	return ret;
}
