/*
 * DHCP on a network that spans hosts (netd/fabric.h). Every host runs the network's dnsmasq,
 * and DHCP never crosses the tunnel (nft_tunnel.c), so each host must hand out addresses no
 * other host hands out: each range (IPv4's, and the DHCPv6 one) is cut into one slice per
 * host of the fabric, and a host serves the slice of its place among the fabric's addresses
 * in order. Each host computes the same cut from its own fabric file, since a full mesh lists
 * every host. Pure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "netd/fabric.h"

/* IPv6 ranges in 128-bit arithmetic: a GCC/Clang extension on the 64-bit targets netd runs
 * on, and no more than it needs (load, store, and the cut's few operations). */
__extension__ typedef unsigned __int128 u128;

static int by_value(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t netd_fabric_dhcp_hosts(const struct netd_fabric *f)
{
	/* A client or the reflector does not know every host: no cut to agree on. */
	return f->role == NETD_FABRIC_MESH ? f->n_peers + 1 : 0;
}

/* self's place among the n hosts of the mesh, in address order; -ENOTSUP without a mesh. */
static int place_of(const struct netd_fabric *f, struct in_addr self, size_t *n, size_t *place)
{
	uint32_t hosts[NETD_FABRIC_PEERS_MAX + 1];

	*n = netd_fabric_dhcp_hosts(f);
	if (*n == 0)
		return -ENOTSUP;
	hosts[0] = ntohl(self.s_addr);
	for (size_t i = 0; i < f->n_peers; i++)
		hosts[i + 1] = ntohl(f->peers[i].s_addr);
	qsort(hosts, *n, sizeof(hosts[0]), by_value);
	*place = 0;
	while (hosts[*place] != ntohl(self.s_addr))
		(*place)++;
	return 0;
}

int netd_fabric_dhcp_slice(const struct netd_fabric *f, struct in_addr self, struct in_addr *first,
                           struct in_addr *last)
{
	uint32_t lo = ntohl(first->s_addr), size, each;
	size_t n, place;
	int ret = place_of(f, self, &n, &place);

	if (ret < 0)
		return ret;
	size = ntohl(last->s_addr) - lo + 1;
	each = size / (uint32_t)n;
	if (each == 0)
		return -ERANGE;
	first->s_addr = htonl(lo + each * (uint32_t)place);
	/* the last host also takes what does not divide evenly */
	last->s_addr = place + 1 == n ? last->s_addr : htonl(lo + each * (uint32_t)(place + 1) - 1);
	return 0;
}

static u128 load6(const struct in6_addr *a)
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 8 | a->s6_addr[i];
	return v;
}

static void store6(u128 v, struct in6_addr *a)
{
	for (int i = 15; i >= 0; i--, v >>= 8)
		a->s6_addr[i] = (uint8_t)v;
}

int netd_fabric_dhcp6_cut(size_t n, size_t place, struct in6_addr *first, struct in6_addr *last)
{
	u128 lo = load6(first), span = load6(last) - lo, each;

	if (n == 0 || place >= n || load6(last) < lo)
		return -EINVAL;
	/* (span + 1) / n without span + 1, which wraps for a range of all 2^128 addresses */
	each = span / n + (span % n + 1 == n);
	if (each == 0)
		return -ERANGE;
	store6(lo + each * place, first);
	/* as IPv4's: the last host also takes what does not divide evenly */
	if (place + 1 < n)
		store6(lo + each * (place + 1) - 1, last);
	return 0;
}

int netd_fabric_dhcp6_slice(const struct netd_fabric *f, struct in_addr self,
                            struct in6_addr *first, struct in6_addr *last)
{
	size_t n, place;
	int ret = place_of(f, self, &n, &place);

	return ret < 0 ? ret : netd_fabric_dhcp6_cut(n, place, first, last);
}

unsigned netd_fabric_guest_mtu(unsigned underlay_mtu)
{
	unsigned mtu = underlay_mtu > NETD_VXLAN_OVERHEAD ? underlay_mtu - NETD_VXLAN_OVERHEAD : 0;

	return mtu < 1500 ? mtu : 0;
}
