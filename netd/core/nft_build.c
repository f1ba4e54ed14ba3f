/* A network's nftables rules as a small IR: pure, from its mode and resolved [Policy]. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/mode.h"
#include "netd/nft.h"
#include "nft_build6.h"
#include "nft_build_priv.h"

/* The longest chain is in_<net>: DHCP from 0.0.0.0, source check, ct, DHCP, DNS udp, DNS tcp,
 * verdict (two rules); with IPv6 five more (nft_build6.c). */
#define RULES_PER_CHAIN 16

static const char *const prefixes[NETD_NFT_CHAIN_KINDS] = {
    [NETD_NFT_CHAIN_IN] = "in_",     [NETD_NFT_CHAIN_OUT] = "out_",
    [NETD_NFT_CHAIN_FWDI] = "fwdi_", [NETD_NFT_CHAIN_FWDO] = "fwdo_",
    [NETD_NFT_CHAIN_POST] = "post_", [NETD_NFT_CHAIN_POST6] = "post6_",
};

const char *netd_nft_chain_prefix(enum netd_nft_chain_kind k)
{
	return (unsigned)k < NETD_NFT_CHAIN_KINDS ? prefixes[k] : NULL;
}

bool netd_nft_chain_owner(const char *chain, char *network)
{
	size_t p = strlen(NETD_NFT_PORT_PREFIX), l;
	const char *dot;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		const char *pre = prefixes[k];

		l = strlen(pre);
		if (strncmp(chain, pre, l) == 0 && netd_netname_valid(chain + l)) {
			snprintf(network, NETD_NAME_MAX, "%s", chain + l);
			return true;
		}
	}
	/* A network's name has no '.': the first one ends it. */
	if (strncmp(chain, NETD_NFT_PORT_PREFIX, p) != 0 || !(dot = strchr(chain + p, '.')) ||
	    (l = (size_t)(dot - chain - p)) == 0 || l >= NETD_NAME_MAX ||
	    !netd_ifname_valid(dot + 1))
		return false;
	snprintf(network, NETD_NAME_MAX, "%.*s", (int)l, chain + p);
	return netd_netname_valid(network);
}

static struct netd_nft_rule *add_rule(struct netd_nft_chain *c, enum netd_nft_verdict v)
{
	struct netd_nft_rule *r = &c->rules[c->n_rules++];

	r->verdict = v;
	return r;
}

static struct netd_nft_match *add_match(struct netd_nft_rule *r, enum netd_nft_match_kind k)
{
	struct netd_nft_match *m = &r->match[r->n_match++];

	m->kind = k;
	return m;
}

static void add_port_rule(struct netd_nft_chain *c, enum netd_nft_match_kind k, uint16_t port)
{
	add_match(add_rule(c, NETD_NFT_V_ACCEPT), k)->u.port = port;
}

/* Replies to what the guests (or the host) started pass whatever the policy says. */
static void add_ct_rule(struct netd_nft_chain *c, enum netd_nft_verdict v)
{
	add_match(add_rule(c, v), NETD_NFT_M_CT_STATE)->u.ct_state =
	    NETD_NFT_CT_ESTABLISHED | NETD_NFT_CT_RELATED;
}

static enum netd_nft_verdict cell(const struct netd_network *n, enum netd_cell c,
                                  enum netd_nft_verdict allow, enum netd_nft_verdict deny)
{
	return n->policy[c] == NETD_POLICY_ALLOW ? allow : deny;
}

/* The cell's verdict as the chain's last rule(s). A denied TCP connection gets a reset, so
 * the connecting program fails at once; everything else an ICMP admin-prohibited error. */
static void add_cell(struct netd_nft_chain *c, const struct netd_network *n, enum netd_cell cl,
                     enum netd_nft_verdict allow)
{
	if (n->policy[cl] == NETD_POLICY_ALLOW) {
		add_rule(c, allow);
		return;
	}
	add_match(add_rule(c, NETD_NFT_V_REJECT_TCP_RESET), NETD_NFT_M_L4PROTO)->u.l4proto =
	    IPPROTO_TCP;
	add_rule(c, NETD_NFT_V_REJECT);
}

/* IPv4 from the bridge with a source outside the subnet is dropped before anything can accept
 * it, conntrack's shortcut included: an established flow of another network's guest is no
 * excuse to let a packet that claims its address in. */
static void add_source_check(struct netd_nft_chain *c, const struct netd_prefix *subnet)
{
	add_match(add_rule(c, NETD_NFT_V_DROP), NETD_NFT_M_IP_SADDR_NE)->u.prefix = *subnet;
}

static void build_in(const struct netd_network *n, const struct netd_prefix *subnet,
                     struct netd_nft_chain *c)
{
	struct netd_nft_rule *r;

	if (subnet) {
		/* A guest without an address yet asks for one from 0.0.0.0. */
		if (n->has_dhcp) {
			r = add_rule(c, NETD_NFT_V_ACCEPT);
			add_match(r, NETD_NFT_M_IP_SADDR)->u.prefix.len = 32;
			add_match(r, NETD_NFT_M_UDP_DPORT)->u.port = 67;
		}
		add_source_check(c, subnet);
	}
	if (n->has_address6)
		nft_build6_in(n, c);
	add_ct_rule(c, NETD_NFT_V_ACCEPT);
	if (n->has_dhcp)
		add_port_rule(c, NETD_NFT_M_UDP_DPORT, 67);
	/* dnsmasq answers DNS on the host's address even where VMToHost is denied. */
	if (n->has_address) {
		add_port_rule(c, NETD_NFT_M_UDP_DPORT, 53);
		add_port_rule(c, NETD_NFT_M_TCP_DPORT, 53);
	}
	add_cell(c, n, NETD_CELL_VM_TO_HOST, NETD_NFT_V_ACCEPT);
}

static void build_out(const struct netd_network *n, struct netd_nft_chain *c)
{
	add_ct_rule(c, NETD_NFT_V_ACCEPT);
	/* DHCP replies go to broadcast or to an address the guest has not taken yet:
	 * conntrack does not tie them to the request. */
	if (n->has_dhcp)
		add_port_rule(c, NETD_NFT_M_UDP_SPORT, 67);
	if (n->has_address6)
		nft_build6_out(n, c);
	add_cell(c, n, NETD_CELL_HOST_TO_VM, NETD_NFT_V_ACCEPT);
}

static void build_fwdi(const struct netd_network *n, const struct netd_prefix *subnet,
                       struct netd_nft_chain *c)
{
	struct netd_nft_rule *r;

	if (subnet)
		add_source_check(c, subnet);
	if (n->has_address6)
		nft_build6_fwdi(n, c);

	/* Bridged VM <-> VM only reaches the forward hook with br_netfilter on; it is the
	 * one case where the packet stays in this network, so fwdi may decide it. */
	r = add_rule(c, cell(n, NETD_CELL_VM_TO_VM, NETD_NFT_V_ACCEPT, NETD_NFT_V_DROP));
	snprintf(add_match(r, NETD_NFT_M_OIFNAME)->u.ifname, IFNAMSIZ, "%s", n->bridge);
	/* Return, never accept: the destination network's fwdo_<net> still has its say. */
	add_ct_rule(c, NETD_NFT_V_RETURN);
	add_cell(c, n, NETD_CELL_VM_TO_OUTSIDE, NETD_NFT_V_RETURN);
}

static void build_fwdo(const struct netd_network *n, struct netd_nft_chain *c)
{
	add_ct_rule(c, NETD_NFT_V_ACCEPT);
	add_cell(c, n, NETD_CELL_OUTSIDE_TO_VM, NETD_NFT_V_ACCEPT);
}

static void build_post(const struct netd_network *n, const struct netd_prefix *subnet,
                       struct netd_nft_chain *c)
{
	static const uint8_t l4[] = {IPPROTO_TCP, IPPROTO_UDP};
	struct netd_nft_rule *r;
	struct netd_nft_match *m;

	/* Multicast and broadcast never leave the link: masquerading them breaks DHCP/mDNS. */
	m = add_match(add_rule(c, NETD_NFT_V_RETURN), NETD_NFT_M_IP_DADDR);
	m->u.prefix.addr.s_addr = htonl(0xe0000000);
	m->u.prefix.len = 24;
	m = add_match(add_rule(c, NETD_NFT_V_RETURN), NETD_NFT_M_IP_DADDR);
	m->u.prefix.addr.s_addr = htonl(0xffffffff);
	m->u.prefix.len = 32;
	/* The source ports of NATPorts= for TCP and UDP; the address of NATAddress= or the
	 * outgoing interface's (nft_nat.c). */
	for (size_t i = 0; i < sizeof(l4); i++) {
		r = add_rule(c, NETD_NFT_V_MASQUERADE_PORTS);
		add_match(r, NETD_NFT_M_IP_DADDR_NE)->u.prefix = *subnet;
		add_match(r, NETD_NFT_M_L4PROTO)->u.l4proto = l4[i];
		nft_nat_verdict(n, r, true);
	}
	r = add_rule(c, NETD_NFT_V_MASQUERADE);
	add_match(r, NETD_NFT_M_IP_DADDR_NE)->u.prefix = *subnet;
	nft_nat_verdict(n, r, false);
}

/* The chains of a routed (not switched) network, each with its rules. */
static int build_chains(const struct netd_network *n, const struct netd_mode_ops *ops,
                        struct netd_nft_net *x)
{
	const struct netd_prefix *subnet = x->has_subnet ? &x->subnet : NULL;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		struct netd_nft_chain *c = &x->chains[k];

		/* post_<net>: a masquerading mode's; a routed one's only for the hairpin of
		 * its forwards (nft_forward.c), which then is all it masquerades. */
		if (k == NETD_NFT_CHAIN_POST &&
		    !(x->has_subnet && (ops->masquerade || n->n_forwards)))
			continue;
		if (k == NETD_NFT_CHAIN_POST6 && !nft_build6_masquerades(n, ops->masquerade))
			continue;
		c->present = true;
		snprintf(c->name, sizeof(c->name), "%s%s", prefixes[k], n->name);
		c->rules = calloc(RULES_PER_CHAIN, sizeof(*c->rules));
		if (!c->rules)
			return -ENOMEM;
	}
	build_in(n, subnet, &x->chains[NETD_NFT_CHAIN_IN]);
	build_out(n, &x->chains[NETD_NFT_CHAIN_OUT]);
	build_fwdi(n, subnet, &x->chains[NETD_NFT_CHAIN_FWDI]);
	build_fwdo(n, &x->chains[NETD_NFT_CHAIN_FWDO]);
	if (x->chains[NETD_NFT_CHAIN_POST].present && ops->masquerade)
		build_post(n, &x->subnet, &x->chains[NETD_NFT_CHAIN_POST]);
	if (x->chains[NETD_NFT_CHAIN_POST6].present)
		nft_build6_post(n, &x->chains[NETD_NFT_CHAIN_POST6]);
	return 0;
}

int netd_nft_net_build_guests(const struct netd_network *n, const struct netd_nft_guest *guests,
                              size_t n_guests, struct netd_nft_net **out)
{
	const struct netd_mode_ops *ops = netd_mode_ops(n->mode);
	struct netd_nft_net *x;
	int ret = 0;

	*out = NULL;
	if (!ops || !netd_netname_valid(n->name) || !netd_ifname_valid(n->bridge))
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	snprintf(x->network, sizeof(x->network), "%s", n->name);
	snprintf(x->bridge, sizeof(x->bridge), "%s", n->bridge);
	if (n->has_address) {
		x->has_subnet = true;
		x->subnet.addr = netd_prefix_network(&n->address);
		x->subnet.len = n->address.len;
	}
	if (n->has_address6) {
		x->has_subnet6 = true;
		x->subnet6.addr = netd_prefix6_network(&n->address6);
		x->subnet6.len = n->address6.len;
	}

	/* A switched guest is a host on the LAN: nothing here is routed, so no rules. */
	if (!ops->switched)
		ret = build_chains(n, ops, x);
	if (ret == 0)
		ret = nft_forwards_build(n, x);
	if (ret == 0)
		ret = nft_render_digest(x, NULL, x->digest);
	if (ret == 0 && n->guest_source_check)
		ret = nft_ports_build(n, guests, n_guests, x);
	if (ret == 0)
		ret = nft_tunnel_port_build(n, x);
	if (ret < 0) {
		netd_nft_net_free(x);
		return ret;
	}
	*out = x;
	return 0;
}

int netd_nft_net_build(const struct netd_network *n, struct netd_nft_net **out)
{
	return netd_nft_net_build_guests(n, NULL, 0, out);
}

void netd_nft_net_free(struct netd_nft_net *x)
{
	if (!x)
		return;
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		free(x->chains[k].rules);
	for (size_t i = 0; i < x->n_ports; i++)
		free(x->ports[i].chain.rules);
	free(x->ports);
	free(x->fwds);
	free(x);
}
