/*
 * The fabric's guard on the host's input (netd/fabric.h): VXLAN (the fabric's UDP port) and
 * BGP (TCP 179) only from the fabric's peers. A VXLAN device takes encapsulated frames from
 * any source, so without it any host that can reach the underlay puts frames on a guest's
 * segment (measured in the prototype); bgpd would take a session from anyone who guesses the
 * AS. One chain in a table of its own (kernel/nft_fabric.c), host-wide rather than per
 * network: the packets arrive on the underlay, not on a network's bridge. Pure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netd/fabric.h"

#define BGP_PORT 179

static void put(struct netd_nft_chain *c, const struct netd_prefix *from, bool tcp, uint16_t port,
                enum netd_nft_verdict v)
{
	struct netd_nft_rule *r = &c->rules[c->n_rules++];

	if (from) {
		r->match[r->n_match].kind = NETD_NFT_M_IP_SADDR;
		r->match[r->n_match++].u.prefix = *from;
	}
	r->match[r->n_match].kind = tcp ? NETD_NFT_M_TCP_DPORT : NETD_NFT_M_UDP_DPORT;
	r->match[r->n_match++].u.port = port;
	r->verdict = v;
}

int netd_nft_fabric_guard(const struct netd_fabric *f, struct netd_nft_chain *out)
{
	size_t n_from = f->role == NETD_FABRIC_REFLECTOR ? 1 : f->n_peers;
	struct netd_prefix from;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "input");
	out->present = true;
	out->rules = calloc(2 * n_from + 2, sizeof(*out->rules));
	if (!out->rules)
		return -ENOMEM;
	for (size_t i = 0; i < n_from; i++) {
		if (f->role == NETD_FABRIC_REFLECTOR) {
			from.addr = netd_prefix_network(&f->listen);
			from.len = f->listen.len;
		} else {
			from.addr = f->peers[i];
			from.len = 32;
		}
		put(out, &from, false, f->port, NETD_NFT_V_ACCEPT);
		put(out, &from, true, BGP_PORT, NETD_NFT_V_ACCEPT);
	}
	put(out, NULL, false, f->port, NETD_NFT_V_DROP);
	put(out, NULL, true, BGP_PORT, NETD_NFT_V_DROP);
	return 0;
}
