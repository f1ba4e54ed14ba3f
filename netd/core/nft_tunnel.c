/*
 * A spanning network's VXLAN port in table bridge netd (include/netd/nft.h): DHCP stays on
 * its host. Each host's dnsmasq serves its own slice of the range (netd/fabric.h) and must
 * see only its own guests: a DHCP frame that comes out of the tunnel (another host's guest
 * asking, another host's server answering) is dropped where it enters this host's bridge.
 * The guest's own host answers it. Pure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netd/fabric.h"
#include "netd/nft.h"
#include "nft_build_priv.h"

int nft_tunnel_port_build(const struct netd_network *n, struct netd_nft_net *x)
{
	static const uint16_t dhcp_ports[] = {67, 68};
	struct netd_nft_port *ports, *p;
	struct netd_nft_chain *c;
	char name[IFNAMSIZ];
	int ret;

	if (!n->vni || !n->has_dhcp)
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
	ret = netd_nft_port_chain(x->network, name, c->name);
	if (ret < 0)
		return ret;
	c->rules = calloc(2, sizeof(*c->rules));
	if (!c->rules)
		return -ENOMEM;
	x->n_ports++; /* owned by x from here: freed with it */
	c->present = true;
	for (size_t i = 0; i < 2; i++) {
		struct netd_nft_rule *r = &c->rules[c->n_rules++];

		r->verdict = NETD_NFT_V_DROP;
		r->match[0].kind = NETD_NFT_M_UDP_DPORT;
		r->match[0].u.port = dhcp_ports[i];
		r->n_match = 1;
	}
	return nft_render_digest(x, p, p->digest);
}
