/*
 * GuestSourceCheck for IPv6 (issue 10): a guest whose IPv6 address netd knows (attach
 * --address with an IPv6 address, or a [Host] of its MAC with an IPv6 Address=) is bound to it
 * on its port, as its IPv4 address is. Pure.
 *
 * What the guest may send from: its address, and any link-local address (fe80::/64). Not only
 * the EUI-64 one its MAC gives: guests choose their link-local interface identifier
 * themselves, by EUI-64 (Linux's default), RFC 7217 stable-privacy (NetworkManager's) or at
 * random (Windows), and netd cannot know which; binding the EUI-64 one would cut the others
 * off from neighbour discovery and DHCPv6 (which a client speaks from its link-local
 * address). Link-local addresses are never forwarded off the link, so this opens nothing
 * beyond the bridge. The unspecified address :: only where a guest without any address uses
 * it: duplicate address detection (a neighbour solicitation whose target is the guest's own
 * address or a link-local one) and its multicast listener reports (RFC 3590).
 *
 * What it may claim: a neighbour advertisement's target is the guest's address or
 * link-local, so it cannot take over the gateway's address (or another guest's) in the
 * neighbour caches of the host and of the other guests. Nor may it advertise itself as a
 * router or redirect others (RA, Redirect): on a netd network the host is the router. A guest
 * that is one (a router VM) needs GuestSourceCheck=no.
 *
 * A guest without a known IPv6 address keeps the inet chains' prefix check alone
 * (nft_build6.c), as before.
 */
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <string.h>

#include "nft_ports6.h"

#define MLD2_LISTENER_REPORT 143 /* RFC 3810; glibc names only MLDv1's */

struct in6_addr nft_port6_address(const struct netd_network *n, const uint8_t mac[6],
                                  const struct in6_addr *given)
{
	if (!n->has_address6)
		return in6addr_any;
	if (given && !IN6_IS_ADDR_UNSPECIFIED(given))
		return *given;
	for (size_t i = 0; i < n->n_hosts; i++)
		if (memcmp(n->hosts[i].mac, mac, 6) == 0 &&
		    !IN6_IS_ADDR_UNSPECIFIED(&n->hosts[i].addr6))
			return n->hosts[i].addr6;
	return in6addr_any;
}

static struct netd_nft_match *add(struct netd_nft_rule *r, enum netd_nft_match_kind k)
{
	struct netd_nft_match *m = &r->match[r->n_match++];

	m->kind = k;
	return m;
}

static struct netd_nft_rule *rule(struct netd_nft_chain *c, enum netd_nft_verdict v)
{
	struct netd_nft_rule *r = &c->rules[c->n_rules++];

	r->verdict = v;
	return r;
}

static struct netd_prefix6 host(const struct in6_addr *a)
{
	return (struct netd_prefix6){.addr = *a, .len = 128};
}

static struct netd_prefix6 link_local(void)
{
	struct netd_prefix6 p = {.len = 64};

	p.addr.s6_addr[0] = 0xfe;
	p.addr.s6_addr[1] = 0x80;
	return p;
}

/* ip6 saddr :: icmpv6 type t [icmpv6 taddr target] return */
static void unspecified(struct netd_nft_chain *c, uint8_t t, const struct netd_prefix6 *target)
{
	struct netd_nft_rule *r = rule(c, NETD_NFT_V_RETURN);

	add(r, NETD_NFT_M_IP6_SADDR)->u.prefix6 = host(&in6addr_any);
	add(r, NETD_NFT_M_ICMPV6_TYPE)->u.icmp_type = t;
	if (target)
		add(r, NETD_NFT_M_ICMPV6_TADDR)->u.prefix6 = *target;
}

void nft_port6_bind(struct netd_nft_chain *c, const struct in6_addr *addr)
{
	struct netd_prefix6 own = host(addr), ll = link_local();
	struct netd_nft_rule *r;

	unspecified(c, ND_NEIGHBOR_SOLICIT, &own);
	unspecified(c, ND_NEIGHBOR_SOLICIT, &ll);
	unspecified(c, MLD2_LISTENER_REPORT, NULL);
	r = rule(c, NETD_NFT_V_DROP);
	add(r, NETD_NFT_M_IP6_SADDR_NE)->u.prefix6 = ll;
	add(r, NETD_NFT_M_IP6_SADDR_NE)->u.prefix6 = own;
	r = rule(c, NETD_NFT_V_DROP);
	add(r, NETD_NFT_M_ICMPV6_TYPE)->u.icmp_type = ND_NEIGHBOR_ADVERT;
	add(r, NETD_NFT_M_ICMPV6_TADDR_NE)->u.prefix6 = ll;
	add(r, NETD_NFT_M_ICMPV6_TADDR_NE)->u.prefix6 = own;
	add(rule(c, NETD_NFT_V_DROP), NETD_NFT_M_ICMPV6_TYPE)->u.icmp_type = ND_ROUTER_ADVERT;
	add(rule(c, NETD_NFT_V_DROP), NETD_NFT_M_ICMPV6_TYPE)->u.icmp_type = ND_REDIRECT;
}
