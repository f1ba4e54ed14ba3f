/* The IR's matches as libnftnl expressions, with the dependencies nft(8) adds for each (and
 * elides when listing), so `nft list` shows the rendered text; and the few expressions the
 * objects of nft_expr.c share with them. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>

#include "nft_priv.h"

int nft_add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

int nft_meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return nft_add_expr(r, e);
}

int nft_cmp(struct nftnl_rule *r, enum nft_cmp_ops op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return nft_add_expr(r, e);
}

int nft_payload(struct nftnl_rule *r, enum nft_payload_bases base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return nft_add_expr(r, e);
}

static int bitwise_and(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	}
	return nft_add_expr(r, e);
}

static int ct_key(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	return nft_add_expr(r, e);
}

int nft_need_ipv4(struct nftnl_rule *r, struct nft_deps *d)
{
	uint8_t proto = NFPROTO_IPV4;
	uint16_t ethertype = htons(ETH_P_IP);
	int ret;

	if (d->ipv4)
		return 0;
	d->ipv4 = true;
	/* A bridge sees frames: nft asks for the frame's protocol there. */
	if (d->family == NFPROTO_BRIDGE) {
		ret = nft_meta(r, NFT_META_PROTOCOL);
		return ret ? ret : nft_cmp(r, NFT_CMP_EQ, &ethertype, 2);
	}
	ret = nft_meta(r, NFT_META_NFPROTO);
	return ret ? ret : nft_cmp(r, NFT_CMP_EQ, &proto, 1);
}

int nft_need_ipv6(struct nftnl_rule *r, struct nft_deps *d)
{
	uint8_t proto = NFPROTO_IPV6;
	uint16_t ethertype = htons(ETH_P_IPV6);
	int ret;

	if (d->ipv6)
		return 0;
	d->ipv6 = true;
	/* As for IPv4: a bridge's nfproto is the bridge's own, never ipv6. */
	if (d->family == NFPROTO_BRIDGE) {
		ret = nft_meta(r, NFT_META_PROTOCOL);
		return ret ? ret : nft_cmp(r, NFT_CMP_EQ, &ethertype, 2);
	}
	ret = nft_meta(r, NFT_META_NFPROTO);
	return ret ? ret : nft_cmp(r, NFT_CMP_EQ, &proto, 1);
}

/* `arp ...` in a bridge: nft's dependency is the frame's ether type. */
static int need_arp(struct nftnl_rule *r, struct nft_deps *d)
{
	uint16_t ethertype = htons(ETH_P_ARP);
	int ret;

	if (d->arp)
		return 0;
	d->arp = true;
	ret = nft_payload(r, NFT_PAYLOAD_LL_HEADER, 12, 2);
	return ret ? ret : nft_cmp(r, NFT_CMP_EQ, &ethertype, 2);
}

static int need_l4(struct nftnl_rule *r, struct nft_deps *d, uint8_t proto)
{
	int ret;

	if (d->l4proto == proto)
		return 0;
	d->l4proto = proto;
	ret = nft_meta(r, NFT_META_L4PROTO);
	return ret ? ret : nft_cmp(r, NFT_CMP_EQ, &proto, 1);
}

static int match_ifname(struct nftnl_rule *r, uint32_t key, enum nft_cmp_ops op, const char *name)
{
	char padded[IFNAMSIZ] = {0};
	int ret;

	snprintf(padded, sizeof(padded), "%s", name);
	ret = nft_meta(r, key);
	return ret ? ret : nft_cmp(r, op, padded, sizeof(padded));
}

/* An IPv4 prefix at off of the network header: of an IPv4 packet, or of an ARP one. */
static int match_prefix(struct nftnl_rule *r, struct nft_deps *d, bool arp, uint32_t off,
                        enum nft_cmp_ops op, const struct netd_prefix *p)
{
	uint32_t mask = p->len ? htonl(0xffffffffu << (32 - p->len)) : 0;
	uint32_t addr = p->addr.s_addr & mask;
	int ret;

	ret = arp ? need_arp(r, d) : nft_need_ipv4(r, d);
	if (ret)
		return ret;
	/* Byte-aligned prefixes compare fewer bytes, no mask: what nft does. */
	if (p->len % 8 == 0 && p->len > 0) {
		ret = nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, p->len / 8);
		return ret ? ret : nft_cmp(r, op, &addr, p->len / 8);
	}
	ret = nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, 4);
	if (!ret)
		ret = bitwise_and(r, &mask, 4);
	return ret ? ret : nft_cmp(r, op, &addr, 4);
}

/* An IPv6 prefix at off of the IPv6 header (8: source, 24: destination), or of an ICMPv6
 * header (base transport: 8, neighbour discovery's target). */
static int match_prefix6_at(struct nftnl_rule *r, struct nft_deps *d, uint32_t base, uint32_t off,
                            enum nft_cmp_ops op, const struct netd_prefix6 *p)
{
	uint8_t mask[16] = {0}, addr[16];
	int ret;

	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = p->len > i * 8 ? p->len - i * 8 : 0;

		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
		addr[i] = p->addr.s6_addr[i] & mask[i];
	}
	ret = nft_need_ipv6(r, d);
	if (!ret && base == NFT_PAYLOAD_TRANSPORT_HEADER)
		ret = need_l4(r, d, IPPROTO_ICMPV6);
	if (ret)
		return ret;
	if (p->len % 8 == 0 && p->len > 0) {
		ret = nft_payload(r, base, off, p->len / 8);
		return ret ? ret : nft_cmp(r, op, addr, p->len / 8);
	}
	ret = nft_payload(r, base, off, 16);
	if (!ret)
		ret = bitwise_and(r, mask, 16);
	return ret ? ret : nft_cmp(r, op, addr, 16);
}

static int match_prefix6(struct nftnl_rule *r, struct nft_deps *d, uint32_t off,
                         enum nft_cmp_ops op, const struct netd_prefix6 *p)
{
	return match_prefix6_at(r, d, NFT_PAYLOAD_NETWORK_HEADER, off, op, p);
}

/* `icmpv6 type N`: IPv6, ICMPv6, the type byte of the transport header. */
static int match_icmp6_type(struct nftnl_rule *r, struct nft_deps *d, uint8_t type)
{
	int ret = nft_need_ipv6(r, d);

	if (!ret)
		ret = need_l4(r, d, IPPROTO_ICMPV6);
	if (!ret)
		ret = nft_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
	return ret ? ret : nft_cmp(r, NFT_CMP_EQ, &type, 1);
}

static int match_port(struct nftnl_rule *r, struct nft_deps *d, uint8_t proto, uint32_t off,
                      uint16_t port)
{
	uint16_t be = htons(port);
	int ret;

	ret = need_l4(r, d, proto);
	if (!ret)
		ret = nft_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, off, 2);
	return ret ? ret : nft_cmp(r, NFT_CMP_EQ, &be, 2);
}

/* A MAC at off of the link layer header (the frame's source) or of an ARP packet (its
 * sender). */
static int match_mac(struct nftnl_rule *r, struct nft_deps *d, bool arp, uint32_t off,
                     enum nft_cmp_ops op, const uint8_t mac[6])
{
	int ret = arp ? need_arp(r, d) : 0;

	if (!ret)
		ret = nft_payload(r, arp ? NFT_PAYLOAD_NETWORK_HEADER : NFT_PAYLOAD_LL_HEADER, off,
		                  6);
	return ret ? ret : nft_cmp(r, op, mac, 6);
}

static int load_to(struct nftnl_rule *r, struct nftnl_expr *e, uint32_t dreg)
{
	if (e && strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "meta") == 0)
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	else if (e)
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	return nft_add_expr(r, e);
}

static struct nftnl_expr *meta_l4proto(void)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e)
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
	return e;
}

static struct nftnl_expr *payload(uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return e;
}

int nft_fwd_key_lookup(struct nftnl_rule *r, struct nft_deps *d, bool addr, const char *set,
                       bool map)
{
	uint32_t reg = NFT_REG_1;
	struct nftnl_expr *e;
	int ret = nft_need_ipv4(r, d);

	if (!ret && addr) {
		ret = load_to(r, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4), reg);
		reg = NFT_REG32_01;
	}
	if (!ret)
		ret = load_to(r, meta_l4proto(), reg);
	if (!ret)
		ret = load_to(r, payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2),
		              reg == NFT_REG_1 ? NFT_REG32_01 : NFT_REG32_02);
	if (ret)
		return ret;
	e = nftnl_expr_alloc("lookup");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		if (map)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, 0);
	}
	return nft_add_expr(r, e);
}

/* The matches only table bridge netd has (what a guest's port received), and IPv6's. */
static int put_l2_match(struct nftnl_rule *r, struct nft_deps *d, const struct netd_nft_match *m)
{
	uint16_t type = htons(m->u.ether_type);
	int ret;

	switch (m->kind) {
	case NETD_NFT_M_ETHER_SADDR_NE:
		return match_mac(r, d, false, 6, NFT_CMP_NEQ, m->u.mac);
	case NETD_NFT_M_ETHER_SADDR:
		return match_mac(r, d, false, 6, NFT_CMP_EQ, m->u.mac);
	case NETD_NFT_M_ARP_TPA:
		return match_prefix(r, d, true, 24, NFT_CMP_EQ, &m->u.prefix);
	case NETD_NFT_M_ETHER_TYPE:
		ret = nft_payload(r, NFT_PAYLOAD_LL_HEADER, 12, 2);
		return ret ? ret : nft_cmp(r, NFT_CMP_EQ, &type, 2);
	case NETD_NFT_M_ARP_SHA_NE:
		return match_mac(r, d, true, 8, NFT_CMP_NEQ, m->u.mac);
	case NETD_NFT_M_ARP_SPA:
		return match_prefix(r, d, true, 14, NFT_CMP_EQ, &m->u.prefix);
	case NETD_NFT_M_ARP_SPA_NE:
		return match_prefix(r, d, true, 14, NFT_CMP_NEQ, &m->u.prefix);
	case NETD_NFT_M_IP6_SADDR_NE:
		return match_prefix6(r, d, 8, NFT_CMP_NEQ, &m->u.prefix6);
	case NETD_NFT_M_IP6_DADDR_NE:
		return match_prefix6(r, d, 24, NFT_CMP_NEQ, &m->u.prefix6);
	case NETD_NFT_M_IP6_DADDR:
		return match_prefix6(r, d, 24, NFT_CMP_EQ, &m->u.prefix6);
	case NETD_NFT_M_ICMPV6_TYPE:
		return match_icmp6_type(r, d, m->u.icmp_type);
	case NETD_NFT_M_IP6_SADDR:
		return match_prefix6(r, d, 8, NFT_CMP_EQ, &m->u.prefix6);
	case NETD_NFT_M_ICMPV6_TADDR:
		return match_prefix6_at(r, d, NFT_PAYLOAD_TRANSPORT_HEADER, 8, NFT_CMP_EQ,
		                        &m->u.prefix6);
	case NETD_NFT_M_ICMPV6_TADDR_NE:
		return match_prefix6_at(r, d, NFT_PAYLOAD_TRANSPORT_HEADER, 8, NFT_CMP_NEQ,
		                        &m->u.prefix6);
	default:
		return -EINVAL;
	}
}

int nft_put_match(struct nftnl_rule *r, struct nft_deps *d, const struct netd_nft_match *m)
{
	uint32_t zero = 0, state;
	int ret;

	switch (m->kind) {
	case NETD_NFT_M_IIFNAME:
		return match_ifname(r, NFT_META_IIFNAME, NFT_CMP_EQ, m->u.ifname);
	case NETD_NFT_M_OIFNAME:
		return match_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, m->u.ifname);
	case NETD_NFT_M_OIFNAME_NE:
		return match_ifname(r, NFT_META_OIFNAME, NFT_CMP_NEQ, m->u.ifname);
	case NETD_NFT_M_IP_SADDR:
		return match_prefix(r, d, false, 12, NFT_CMP_EQ, &m->u.prefix);
	case NETD_NFT_M_IP_SADDR_NE:
		return match_prefix(r, d, false, 12, NFT_CMP_NEQ, &m->u.prefix);
	case NETD_NFT_M_IP_DADDR:
		return match_prefix(r, d, false, 16, NFT_CMP_EQ, &m->u.prefix);
	case NETD_NFT_M_IP_DADDR_NE:
		return match_prefix(r, d, false, 16, NFT_CMP_NEQ, &m->u.prefix);
	case NETD_NFT_M_L4PROTO:
		/* Explicit: always emitted, so nft lists `meta l4proto x`. */
		d->l4proto = -1;
		return need_l4(r, d, m->u.l4proto);
	case NETD_NFT_M_UDP_DPORT:
		return match_port(r, d, IPPROTO_UDP, 2, m->u.port);
	case NETD_NFT_M_UDP_SPORT:
		return match_port(r, d, IPPROTO_UDP, 0, m->u.port);
	case NETD_NFT_M_TCP_DPORT:
		return match_port(r, d, IPPROTO_TCP, 2, m->u.port);
	case NETD_NFT_M_TCP_SPORT:
		return match_port(r, d, IPPROTO_TCP, 0, m->u.port);
	case NETD_NFT_M_FWD_ALLOW:
		return nft_fwd_key_lookup(r, d, true, NETD_NFT_FWD_ALLOW, false);
	case NETD_NFT_M_CT_DNAT:
		state = IPS_DST_NAT;
		ret = ct_key(r, NFT_CT_STATUS);
		if (!ret)
			ret = bitwise_and(r, &state, 4);
		return ret ? ret : nft_cmp(r, NFT_CMP_NEQ, &zero, 4);
	case NETD_NFT_M_CT_STATE:
		state = m->u.ct_state;
		ret = ct_key(r, NFT_CT_STATE);
		if (!ret)
			ret = bitwise_and(r, &state, 4);
		return ret ? ret : nft_cmp(r, NFT_CMP_NEQ, &zero, 4);
	default:
		return put_l2_match(r, d, m);
	}
}
