/*
 * The IPv6 lines of a network's dnsmasq config (issue 10): router advertisements with the
 * prefix for SLAAC (and RDNSS: dnsmasq names itself), a DHCPv6 range where the file gives
 * one, DNS on the host's IPv6 address. dnsmasq_conf.c calls this; it calls the model and
 * modes only.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "netd/dnsmasq.h"
#include "netd/mode.h"

/* Seconds between unsolicited RAs: dnsmasq's default. */
#define RA_INTERVAL 600

void netd_dnsmasq_render_ipv6(const struct netd_network *n, FILE *f)
{
	char host[INET6_ADDRSTRLEN], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	struct in6_addr net = netd_prefix6_network(&n->address6);

	if (!n->has_address6)
		return;
	inet_ntop(AF_INET6, &n->address6.addr, host, sizeof(host));
	fprintf(f, "listen-address=%s\nenable-ra\n", host);
	/* A router lifetime of 0 where the host does not route for the guests: they take the
	 * prefix and DNS, and send no default route to a host that would drop it (as IPv4's
	 * empty router option). The MTU the guests are to use, where there is one (MTU=, or a
	 * spanning network's tunnel-safe one: engine/fabric.c), as DHCP's option 26 says it:
	 * written, not left to dnsmasq reading the bridge's, which follows its ports. */
	fprintf(f, "ra-param=%s,", n->bridge);
	if (n->mtu)
		fprintf(f, "mtu:%u,", n->mtu);
	fprintf(f, "%u,%u\n", RA_INTERVAL, netd_network_host_is_router(n) ? 3 * RA_INTERVAL : 0);
	if (!n->has_dhcp6) {
		inet_ntop(AF_INET6, &net, a, sizeof(a));
		fprintf(f, "dhcp-range=%s,ra-only,%u\n", a, n->address6.len);
		return;
	}
	inet_ntop(AF_INET6, &n->dhcp6_first, a, sizeof(a));
	inet_ntop(AF_INET6, &n->dhcp6_last, b, sizeof(b));
	/* On a /64 guests also take SLAAC addresses (the RA says both); on another length
	 * DHCPv6 alone hands them out (config_ipv6.c refuses SLAAC-only there). */
	fprintf(f, "dhcp-range=%s,%s,%s%u,", a, b, n->address6.len == 64 ? "slaac," : "",
	        n->address6.len);
	if (n->lease_time)
		fprintf(f, "%u\n", n->lease_time);
	else
		fprintf(f, "infinite\n");
}
