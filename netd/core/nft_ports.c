/*
 * GuestSourceCheck: each guest port netd knows, bound to its guest in table bridge netd
 * (include/netd/nft.h). Pure.
 *
 * A port's chain drops what its guest cannot have sent: a frame from another MAC, an ARP whose
 * sender is another MAC or another address, IPv4 from another address, and VLAN-tagged frames
 * (a tag hides an ARP from the checks below it, and the bridge forwards it as it is).
 * "Another address" is the guest's static lease when it has one, else anything outside the
 * subnet; a network without a subnet (internal, bridged: the host does not own the LAN's
 * addresses) binds only the MAC. 0.0.0.0 passes only where a guest without an address uses it:
 * DHCP to port 67, and ARP probes (RFC 5227). A guest whose IPv6 address netd knows is bound
 * to it too (nft_ports6.c).
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/nft.h"
#include "nft_build_priv.h"
#include "nft_ports6.h"

#define RULES_PER_PORT (8 + NFT_PORT6_RULES)

int netd_nft_port_chain(const char *network, const char *port, char *buf)
{
	if (!netd_netname_valid(network) || !netd_ifname_valid(port))
		return -EINVAL;
	/* A network's name has no '.', so the chain's name says whose port it is. */
	snprintf(buf, NETD_NFT_CHAIN_MAX, NETD_NFT_PORT_PREFIX "%s.%s", network, port);
	return 0;
}

bool netd_nft_port_of(const char *chain, const char *network, char *port)
{
	size_t p = strlen(NETD_NFT_PORT_PREFIX), l = strlen(network);

	if (strncmp(chain, NETD_NFT_PORT_PREFIX, p) != 0 || strncmp(chain + p, network, l) != 0 ||
	    chain[p + l] != '.' || !netd_ifname_valid(chain + p + l + 1))
		return false;
	if (port)
		snprintf(port, IFNAMSIZ, "%s", chain + p + l + 1);
	return true;
}

const struct netd_nft_port *netd_nft_net_port(const struct netd_nft_net *x, const char *ifname)
{
	for (size_t i = 0; i < x->n_ports; i++)
		if (strcmp(x->ports[i].ifname, ifname) == 0)
			return &x->ports[i];
	return NULL;
}

static struct netd_nft_match *rule(struct netd_nft_chain *c, enum netd_nft_verdict v,
                                   enum netd_nft_match_kind k)
{
	struct netd_nft_rule *r = &c->rules[c->n_rules++];

	r->verdict = v;
	r->match[0].kind = k;
	r->n_match = 1;
	return &r->match[0];
}

/* The address check of one protocol: 0.0.0.0 where a guest without one may send it, then
 * everything but the bound prefix dropped. */
static void bind_address(struct netd_nft_chain *c, const struct netd_prefix *bound, bool arp)
{
	struct netd_nft_rule *r;

	if (arp) {
		rule(c, NETD_NFT_V_RETURN, NETD_NFT_M_ARP_SPA)->u.prefix.len = 32;
		rule(c, NETD_NFT_V_DROP, NETD_NFT_M_ARP_SPA_NE)->u.prefix = *bound;
		return;
	}
	rule(c, NETD_NFT_V_RETURN, NETD_NFT_M_IP_SADDR)->u.prefix.len = 32;
	r = &c->rules[c->n_rules - 1];
	r->match[r->n_match].kind = NETD_NFT_M_UDP_DPORT;
	r->match[r->n_match++].u.port = 67;
	rule(c, NETD_NFT_V_DROP, NETD_NFT_M_IP_SADDR_NE)->u.prefix = *bound;
}

static int build_port(const struct netd_network *n, const struct netd_nft_net *x, const char *port,
                      const uint8_t mac[6], struct in_addr addr, const struct in6_addr *addr6,
                      struct netd_nft_port *p)
{
	struct in6_addr bound6 = nft_port6_address(n, mac, addr6);
	static const uint16_t tags[] = {ETH_P_8021Q, ETH_P_8021AD};
	struct netd_nft_chain *c = &p->chain;
	struct netd_prefix bound = {.addr = addr, .len = 32};
	int ret;

	snprintf(p->ifname, sizeof(p->ifname), "%s", port);
	ret = netd_nft_port_chain(x->network, port, c->name);
	if (ret < 0)
		return ret;
	c->present = true;
	c->rules = calloc(RULES_PER_PORT, sizeof(*c->rules));
	if (!c->rules)
		return -ENOMEM;
	memcpy(rule(c, NETD_NFT_V_DROP, NETD_NFT_M_ETHER_SADDR_NE)->u.mac, mac, 6);
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		rule(c, NETD_NFT_V_DROP, NETD_NFT_M_ETHER_TYPE)->u.ether_type = tags[i];
	memcpy(rule(c, NETD_NFT_V_DROP, NETD_NFT_M_ARP_SHA_NE)->u.mac, mac, 6);
	if (!addr.s_addr)
		bound = x->subnet;
	if (addr.s_addr || x->has_subnet) {
		bind_address(c, &bound, true);
		bind_address(c, &bound, false);
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&bound6))
		nft_port6_bind(c, &bound6);
	return nft_render_digest(x, p, p->digest);
}

static bool declared(const struct netd_network *n, const char *port)
{
	for (size_t i = 0; i < n->n_taps; i++)
		if (strcmp(n->taps[i].name, port) == 0)
			return true;
	return false;
}

int nft_ports_build(const struct netd_network *n, const struct netd_nft_guest *guests,
                    size_t n_guests, struct netd_nft_net *x)
{
	int ret = 0;

	x->ports = calloc(n->n_taps + n_guests + 1, sizeof(*x->ports));
	if (!x->ports)
		return -ENOMEM;
	for (size_t i = 0; i < n->n_taps && ret == 0; i++)
		ret = build_port(n, x, n->taps[i].name, n->taps[i].mac, n->taps[i].addr, NULL,
		                 &x->ports[x->n_ports++]);
	for (size_t i = 0; i < n_guests && ret == 0; i++) {
		const struct netd_nft_guest *g = &guests[i];

		if (declared(n, g->port) || netd_nft_net_port(x, g->port))
			continue;
		ret =
		    build_port(n, x, g->port, g->mac, g->addr, &g->addr6, &x->ports[x->n_ports++]);
	}
	return ret;
}
