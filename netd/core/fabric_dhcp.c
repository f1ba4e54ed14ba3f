/*
 * DHCP on a network that spans hosts (netd/fabric.h). Every host runs the network's dnsmasq,
 * and DHCP never crosses the tunnel (nft_tunnel.c), so each host must hand out addresses no
 * other host hands out: the range is cut into one slice per host of the fabric, and a host
 * serves the slice of its place among the fabric's addresses in order. Each host computes
 * the same cut from its own fabric file, since a full mesh lists every host. Pure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "netd/fabric.h"

static int by_value(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int netd_fabric_dhcp_slice(const struct netd_fabric *f, struct in_addr self, struct in_addr *first,
                           struct in_addr *last)
{
	uint32_t hosts[NETD_FABRIC_PEERS_MAX + 1], lo = ntohl(first->s_addr), size, each;
	size_t n = 0, place = 0;

	/* A client or the reflector does not know every host: no cut to agree on. */
	if (f->role != NETD_FABRIC_MESH)
		return -ENOTSUP;
	hosts[n++] = ntohl(self.s_addr);
	for (size_t i = 0; i < f->n_peers; i++)
		hosts[n++] = ntohl(f->peers[i].s_addr);
	qsort(hosts, n, sizeof(hosts[0]), by_value);
	while (hosts[place] != ntohl(self.s_addr))
		place++;
	size = ntohl(last->s_addr) - lo + 1;
	each = size / (uint32_t)n;
	if (each == 0)
		return -ERANGE;
	first->s_addr = htonl(lo + each * (uint32_t)place);
	/* the last host also takes what does not divide evenly */
	last->s_addr = place + 1 == n ? last->s_addr : htonl(lo + each * (uint32_t)(place + 1) - 1);
	return 0;
}

unsigned netd_fabric_guest_mtu(unsigned underlay_mtu)
{
	unsigned mtu = underlay_mtu > NETD_VXLAN_OVERHEAD ? underlay_mtu - NETD_VXLAN_OVERHEAD : 0;

	return mtu < 1500 ? mtu : 0;
}
