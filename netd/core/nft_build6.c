/*
 * A network's IPv6 rules (issue 10), in the same chains as its IPv4 ones: table inet netd's
 * chains see both families, so every [Policy] cell (the chains' closing verdicts, and
 * conntrack's shortcut) already judges IPv6 the same way. What IPv6 adds is what its
 * link needs before any cell has a say, and NAT66:
 *
 *  - neighbour discovery and router solicitation from the guests to the host, and router
 *    advertisements and neighbour discovery from the host to them: without them no IPv6
 *    reaches anything, the outside included (ARP, their IPv4 counterpart, is not IP and
 *    never passes these hooks). Only where the network has an IPv6 address: internal and
 *    address-less networks get none of it. PMTU's packet-too-big and the other ICMPv6
 *    errors of a flow are conntrack's "related", so they pass exactly where the flow does;
 *  - DHCPv6 to the host's server and its replies, where the network has a DHCPv6 range;
 *  - the source check: from the bridge only the prefix and link-local addresses (which the
 *    kernel never forwards), and :: (duplicate address detection) between guests;
 *  - post6_<net>: masquerade of the prefix towards the outside, as Incus does by default.
 *
 * nft_build.c calls this file; it calls only the model.
 */
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <string.h>

#include "nft_build6.h"

static struct netd_nft_match *rule6(struct netd_nft_chain *c, enum netd_nft_verdict v,
                                    enum netd_nft_match_kind k)
{
	struct netd_nft_rule *r = &c->rules[c->n_rules++];
	struct netd_nft_match *m = &r->match[r->n_match++];

	r->verdict = v;
	m->kind = k;
	return m;
}

static void accept_icmp6(struct netd_nft_chain *c, const uint8_t *types, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rule6(c, NETD_NFT_V_ACCEPT, NETD_NFT_M_ICMPV6_TYPE)->u.icmp_type = types[i];
}

static struct netd_prefix6 prefix_of(const struct netd_network *n)
{
	struct netd_prefix6 p = {netd_prefix6_network(&n->address6), n->address6.len};

	return p;
}

void nft_build6_in(const struct netd_network *n, struct netd_nft_chain *c)
{
	static const uint8_t nd[] = {ND_ROUTER_SOLICIT, ND_NEIGHBOR_SOLICIT, ND_NEIGHBOR_ADVERT};
	struct netd_nft_rule *r;
	struct netd_nft_match *m;

	accept_icmp6(c, nd, sizeof(nd));
	/* A DHCPv6 client asks from its link-local address, before it has one of the prefix. */
	if (n->has_dhcp6)
		rule6(c, NETD_NFT_V_ACCEPT, NETD_NFT_M_UDP_DPORT)->u.port = 547;
	/* Neither the prefix nor link-local: dropped, as IPv4 outside the subnet is. */
	r = &c->rules[c->n_rules];
	rule6(c, NETD_NFT_V_DROP, NETD_NFT_M_IP6_SADDR_NE)->u.prefix6 = prefix_of(n);
	m = &r->match[r->n_match++];
	m->kind = NETD_NFT_M_IP6_SADDR_NE;
	inet_pton(AF_INET6, "fe80::", &m->u.prefix6.addr);
	m->u.prefix6.len = 10;
}

void nft_build6_out(const struct netd_network *n, struct netd_nft_chain *c)
{
	static const uint8_t nd[] = {ND_ROUTER_ADVERT, ND_NEIGHBOR_SOLICIT, ND_NEIGHBOR_ADVERT};

	accept_icmp6(c, nd, sizeof(nd));
	/* DHCPv6 replies go to the client's link-local address from the host's: conntrack
	 * does not tie them to a request sent to a multicast group. */
	if (n->has_dhcp6)
		rule6(c, NETD_NFT_V_ACCEPT, NETD_NFT_M_UDP_SPORT)->u.port = 547;
}

void nft_build6_fwdi(const struct netd_network *n, struct netd_nft_chain *c)
{
	struct netd_nft_rule *r = &c->rules[c->n_rules];
	struct netd_nft_match *m;

	/* Link-local and unspecified sources pass: the kernel never routes them, so here they
	 * are frames bridged between the network's ports (br_netfilter hands those to this
	 * hook too): a guest's DAD, router solicitation, MLD, and link-local traffic to the
	 * other guests, on this host or across a spanning network's tunnel. */
	rule6(c, NETD_NFT_V_DROP, NETD_NFT_M_IP6_SADDR_NE)->u.prefix6 = prefix_of(n);
	m = &r->match[r->n_match++];
	m->kind = NETD_NFT_M_IP6_SADDR_NE;
	inet_pton(AF_INET6, "fe80::", &m->u.prefix6.addr);
	m->u.prefix6.len = 10;
	m = &r->match[r->n_match++];
	m->kind = NETD_NFT_M_IP6_SADDR_NE;
	m->u.prefix6.len = 128; /* :: */
}

bool nft_build6_masquerades(const struct netd_network *n, bool mode_masquerades)
{
	return mode_masquerades && n->has_address6 && n->ipv6_nat;
}

void nft_build6_post(const struct netd_network *n, struct netd_nft_chain *c)
{
	static const uint8_t l4[] = {IPPROTO_TCP, IPPROTO_UDP};
	struct netd_prefix6 p = prefix_of(n);
	struct netd_nft_rule *r;
	struct netd_nft_match *m;

	/* Multicast never leaves the link. */
	m = rule6(c, NETD_NFT_V_RETURN, NETD_NFT_M_IP6_DADDR);
	inet_pton(AF_INET6, "ff00::", &m->u.prefix6.addr);
	m->u.prefix6.len = 8;
	/* Unprivileged source ports, as for IPv4. */
	for (size_t i = 0; i < sizeof(l4); i++) {
		r = &c->rules[c->n_rules];
		rule6(c, NETD_NFT_V_MASQUERADE_PORTS, NETD_NFT_M_IP6_DADDR_NE)->u.prefix6 = p;
		m = &r->match[r->n_match++];
		m->kind = NETD_NFT_M_L4PROTO;
		m->u.l4proto = l4[i];
		r->port_min = 1024;
		r->port_max = 65535;
	}
	rule6(c, NETD_NFT_V_MASQUERADE, NETD_NFT_M_IP6_DADDR_NE)->u.prefix6 = p;
}
