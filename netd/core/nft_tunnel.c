/*
 * A spanning network's VXLAN port in table bridge netd (include/netd/nft.h): its chain is
 * where frames enter from the tunnel (port_if) and where the frames the host sends leave
 * into it (port_out_if). Pure.
 *
 * - The gateway stays on its host. Every host's bridge has the same gateway address and MAC
 *   (netd/fabric.h: each host is its own guests' gateway), so its own frames (the host's ARP
 *   for a local guest, its replies) are dropped as they would leave into the tunnel, and
 *   another host's, arriving, are dropped too: a guest never learns the gateway on a remote
 *   host, and no host sees its MAC on the tunnel. ARP for the gateway's address from the
 *   tunnel is dropped as well: the asking guest's own host answers it.
 * - DHCP stays on its host. Each host's dnsmasq serves its own slice of the range (and of
 *   the DHCPv6 range) and must see only its own guests: a DHCP or DHCPv6 frame that comes
 *   out of the tunnel (another host's guest asking, another host's server answering) is
 *   dropped where it enters this host's bridge, and this host's dnsmasq's answers never
 *   leave into it.
 * - Router discovery stays on its host. Where the network has an IPv6 address every host's
 *   dnsmasq sends RAs as the gateway: a router solicitation or advertisement is dropped either
 *   way, whoever sent it, so a guest takes its RA (its router, prefix and MTU) from its own
 *   host only, and no host answers another's guests. (The gateway's own RAs and ND carry its
 *   MAC, dropped above; the bridge's neigh_suppress keeps a guest's NS for the gateway local.)
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <stdlib.h>
#include <string.h>

#include "netd/fabric.h"
#include "netd/nft.h"
#include "nft_build_priv.h"

#define TUNNEL_RULES_MAX 8

static struct netd_nft_match *rule(struct netd_nft_chain *c, enum netd_nft_match_kind k)
{
	struct netd_nft_rule *r = &c->rules[c->n_rules++];

	r->verdict = NETD_NFT_V_DROP;
	r->n_match = 1;
	r->match[0].kind = k;
	return &r->match[0];
}

static void tunnel_rules(const struct netd_network *n, struct netd_nft_chain *c)
{
	if (n->has_address) {
		netd_fabric_gateway_mac(n->name, rule(c, NETD_NFT_M_ETHER_SADDR)->u.mac);
		rule(c, NETD_NFT_M_ARP_TPA)->u.prefix =
		    (struct netd_prefix){.addr = n->address.addr, .len = 32};
	}
	if (n->has_dhcp) {
		rule(c, NETD_NFT_M_UDP_DPORT)->u.port = 67;
		rule(c, NETD_NFT_M_UDP_DPORT)->u.port = 68;
	}
	if (n->has_dhcp6) { /* DHCPv6's server and client ports: its slice too */
		rule(c, NETD_NFT_M_UDP_DPORT)->u.port = 547;
		rule(c, NETD_NFT_M_UDP_DPORT)->u.port = 546;
	}
	if (n->has_address6) {
		rule(c, NETD_NFT_M_ICMPV6_TYPE)->u.icmp_type = ND_ROUTER_SOLICIT;
		rule(c, NETD_NFT_M_ICMPV6_TYPE)->u.icmp_type = ND_ROUTER_ADVERT;
	}
}

int nft_tunnel_port_build(const struct netd_network *n, struct netd_nft_net *x)
{
	struct netd_nft_port *ports, *p;
	struct netd_nft_chain *c;
	char name[IFNAMSIZ];
	int ret;

	if (!n->vni || (!n->has_dhcp && !n->has_address && !n->has_address6))
		return 0;
	ports = realloc(x->ports, (x->n_ports + 1) * sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	x->ports = ports;
	p = &ports[x->n_ports];
	memset(p, 0, sizeof(*p));
	c = &p->chain;
	netd_vxlan_port_name(n->vni, name, sizeof(name));
	snprintf(p->ifname, sizeof(p->ifname), "%s", name);
	p->tunnel = true;
	ret = netd_nft_port_chain(x->network, name, c->name);
	if (ret < 0)
		return ret;
	c->rules = calloc(TUNNEL_RULES_MAX, sizeof(*c->rules));
	if (!c->rules)
		return -ENOMEM;
	x->n_ports++; /* owned by x from here: freed with it */
	c->present = true;
	tunnel_rules(n, c);
	return nft_render_digest(x, p, p->digest);
}
