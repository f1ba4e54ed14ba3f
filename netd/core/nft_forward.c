/*
 * A network's port forwards in its nft IR (include/netd/nft.h, "Port forwards"): each
 * forwarded port as one element of the forward maps, and the hairpin masquerade in
 * post_<net>. Pure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/forward.h"
#include "netd/nft.h"
#include "nft_build_priv.h"

/* Guests of the network reaching a forward through one of the host's addresses come back
 * through the bridge: the guest they reach must see the host, or it answers them directly
 * and they drop the answer from an address they did not call. */
static void add_hairpin(const struct netd_nft_net *x, struct netd_nft_chain *post)
{
	struct netd_nft_rule *r = &post->rules[post->n_rules++];

	r->verdict = NETD_NFT_V_MASQUERADE;
	r->match[0].kind = NETD_NFT_M_OIFNAME;
	snprintf(r->match[0].u.ifname, IFNAMSIZ, "%s", x->bridge);
	r->match[1].kind = NETD_NFT_M_CT_DNAT;
	r->n_match = 2;
}

/* The forward's guest port is the hole the user punched: accepted before the cell's verdict
 * (the chain's last one or two rules) can refuse it, whatever OutsideToVM or HostToVM say. */
static void add_allow(const struct netd_network *n, struct netd_nft_chain *c, enum netd_cell cell)
{
	size_t tail = n->policy[cell] == NETD_POLICY_ALLOW ? 1 : 2;
	struct netd_nft_rule *r;

	memmove(&c->rules[c->n_rules - tail + 1], &c->rules[c->n_rules - tail],
	        tail * sizeof(c->rules[0]));
	r = &c->rules[c->n_rules - tail];
	c->n_rules++;
	memset(r, 0, sizeof(*r));
	r->verdict = NETD_NFT_V_ACCEPT;
	r->match[0].kind = NETD_NFT_M_CT_DNAT;
	r->match[1].kind = NETD_NFT_M_FWD_ALLOW;
	r->n_match = 2;
}

int nft_forwards_build(const struct netd_network *n, struct netd_nft_net *x)
{
	struct netd_nft_chain *post = &x->chains[NETD_NFT_CHAIN_POST];
	size_t total = 0;

	x->bridge_addr = n->address.addr;
	if (!n->n_forwards || !x->chains[NETD_NFT_CHAIN_IN].present)
		return 0;
	for (size_t i = 0; i < n->n_forwards; i++)
		total += netd_port_range_len(&n->forwards[i].host_port);
	x->fwds = calloc(total, sizeof(*x->fwds));
	if (!x->fwds)
		return -ENOMEM;
	for (size_t i = 0; i < n->n_forwards; i++) {
		const struct netd_forward *f = &n->forwards[i];

		for (unsigned p = 0; p < netd_port_range_len(&f->host_port); p++) {
			struct netd_nft_fwd *e = &x->fwds[x->n_fwds++];

			e->proto = f->proto;
			e->host_addr = f->host_addr;
			e->host_port = (uint16_t)(f->host_port.first + p);
			e->guest = f->guest;
			e->guest_port = (uint16_t)(f->guest_port.first + p);
		}
		x->route_localnet |= (ntohl(f->host_addr.s_addr) >> 24) == 127;
	}
	if (post->present)
		add_hairpin(x, post);
	add_allow(n, &x->chains[NETD_NFT_CHAIN_FWDO], NETD_CELL_OUTSIDE_TO_VM);
	add_allow(n, &x->chains[NETD_NFT_CHAIN_OUT], NETD_CELL_HOST_TO_VM);
	return 0;
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : "udp";
}

int netd_nft_render_forwards(const struct netd_nft_net *x, FILE *out)
{
	char host[INET_ADDRSTRLEN], guest[INET_ADDRSTRLEN], br[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &x->bridge_addr, br, sizeof(br));
	for (size_t i = 0; i < x->n_fwds; i++) {
		const struct netd_nft_fwd *f = &x->fwds[i];
		const char *p = proto_name(f->proto);

		inet_ntop(AF_INET, &f->guest, guest, sizeof(guest));
		if (f->host_addr.s_addr) {
			inet_ntop(AF_INET, &f->host_addr, host, sizeof(host));
			fprintf(out, "add element inet %s %s { %s . %s . %u : %s . %u }\n",
			        NETD_NFT_TABLE, NETD_NFT_FWD_ADDR, host, p, f->host_port, guest,
			        f->guest_port);
		} else {
			fprintf(out, "add element inet %s %s { %s . %u : %s . %u }\n",
			        NETD_NFT_TABLE, NETD_NFT_FWD_ANY, p, f->host_port, guest,
			        f->guest_port);
			fprintf(out, "add element inet %s %s { %s . %s . %u }\n", NETD_NFT_TABLE,
			        NETD_NFT_FWD_SKIP, br, p, f->host_port);
		}
		fprintf(out, "add element inet %s %s { %s . %s . %u }\n", NETD_NFT_TABLE,
		        NETD_NFT_FWD_ALLOW, guest, p, f->guest_port);
	}
	return ferror(out) ? -EIO : 0;
}
