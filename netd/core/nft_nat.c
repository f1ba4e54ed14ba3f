/*
 * The NAT's outside, as libvirt's <nat><address> and <port>: the verdict of a post_<net> rule.
 * Masquerade takes the outgoing interface's address; with [Network] NATAddress= the guests'
 * connections get that address (snat). TCP and UDP get the source ports of NATPorts=
 * (default 1024-65535, as libvirt: some peers distrust ports below 1024).
 */
#include "nft_build_priv.h"

#define NAT_PORT_MIN 1024
#define NAT_PORT_MAX 65535

void nft_nat_verdict(const struct netd_network *n, struct netd_nft_rule *r, bool ports)
{
	bool snat = n->nat_address.s_addr != 0;

	r->nat_addr = n->nat_address;
	if (!ports) {
		r->verdict = snat ? NETD_NFT_V_SNAT : NETD_NFT_V_MASQUERADE;
		return;
	}
	r->verdict = snat ? NETD_NFT_V_SNAT_PORTS : NETD_NFT_V_MASQUERADE_PORTS;
	r->port_min = n->nat_ports[0] ? n->nat_ports[0] : NAT_PORT_MIN;
	r->port_max = n->nat_ports[1] ? n->nat_ports[1] : NAT_PORT_MAX;
}
