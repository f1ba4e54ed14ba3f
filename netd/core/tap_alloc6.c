/*
 * A guest's IPv6 address on a network (attach --address with an IPv6 address): what
 * GuestSourceCheck binds its port to (core/nft_ports6.c), and its DHCPv6 static lease where
 * the network has a DHCPv6 range. Pure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "netd/tap.h"

/* A [Host] (of another MAC) or a recorded tap holding a: -EADDRINUSE with diag saying whose. */
static int taken6(const struct netd_network *n, const struct netd_tap_state *s,
                  const uint8_t mac[6], const struct in6_addr *a, const char *ip,
                  struct netd_diag *diag)
{
	for (size_t i = 0; i < n->n_hosts; i++)
		if (memcmp(&n->hosts[i].addr6, a, sizeof(*a)) == 0 &&
		    memcmp(n->hosts[i].mac, mac, 6) != 0) {
			netd_diag_set(diag, "address %s is the [Host]'s on line %u of %s", ip,
			              n->hosts[i].line, n->source);
			return -EADDRINUSE;
		}
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(&s->v[i].addr6, a, sizeof(*a)) == 0) {
			netd_diag_set(diag, "address %s is tap %s's", ip, s->v[i].tap);
			return -EADDRINUSE;
		}
	return 0;
}

int netd_tap_address6_check(const struct netd_network *n, const struct netd_tap_state *s,
                            const uint8_t mac[6], const struct in6_addr *a, struct netd_diag *diag)
{
	char ip[INET6_ADDRSTRLEN], net[INET6_ADDRSTRLEN + 4];

	inet_ntop(AF_INET6, a, ip, sizeof(ip));
	if (!n->has_address6) {
		netd_diag_set(diag, "%s has no IPv6 Address=: an IPv6 address needs one", n->name);
		return -EINVAL;
	}
	netd_prefix6_format(&n->address6, true, net, sizeof(net));
	if (!netd_prefix6_contains(&n->address6, a) || IN6_IS_ADDR_MULTICAST(a)) {
		netd_diag_set(diag, "address %s is not in %s's IPv6 prefix %s", ip, n->name, net);
		return -EINVAL;
	}
	if (memcmp(a, &n->address6.addr, sizeof(*a)) == 0) {
		netd_diag_set(diag, "address %s is the host's own address on %s", ip, n->name);
		return -EINVAL;
	}
	/* The prefix's first address is the subnet-router anycast address (RFC 4291). */
	if (memcmp(a, (struct in6_addr[]){netd_prefix6_network(&n->address6)}, sizeof(*a)) == 0) {
		netd_diag_set(diag, "address %s is %s's subnet-router anycast address", ip,
		              n->name);
		return -EINVAL;
	}
	return taken6(n, s, mac, a, ip, diag);
}
