/* The IR's matches as libnftnl expressions, with the dependencies nft(8) adds for each (and
 * elides when listing), so `nft list` shows the rendered text; and the few expressions the
 * objects of nft_expr.c share with them. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter.h>
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

static int cmp(struct nftnl_rule *r, enum nft_cmp_ops op, const void *data, uint32_t len)
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
	static const uint8_t zero[4];
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

static int ct_state(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
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
		return ret ? ret : cmp(r, NFT_CMP_EQ, &ethertype, 2);
	}
	ret = nft_meta(r, NFT_META_NFPROTO);
	return ret ? ret : cmp(r, NFT_CMP_EQ, &proto, 1);
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
	return ret ? ret : cmp(r, NFT_CMP_EQ, &ethertype, 2);
}

static int need_l4(struct nftnl_rule *r, struct nft_deps *d, uint8_t proto)
{
	int ret;

	if (d->l4proto == proto)
		return 0;
	d->l4proto = proto;
	ret = nft_meta(r, NFT_META_L4PROTO);
	return ret ? ret : cmp(r, NFT_CMP_EQ, &proto, 1);
}

static int match_ifname(struct nftnl_rule *r, uint32_t key, enum nft_cmp_ops op, const char *name)
{
	char padded[IFNAMSIZ] = {0};
	int ret;

	snprintf(padded, sizeof(padded), "%s", name);
	ret = nft_meta(r, key);
	return ret ? ret : cmp(r, op, padded, sizeof(padded));
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
		return ret ? ret : cmp(r, op, &addr, p->len / 8);
	}
	ret = nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, 4);
	if (!ret)
		ret = bitwise_and(r, &mask, 4);
	return ret ? ret : cmp(r, op, &addr, 4);
}

static int match_port(struct nftnl_rule *r, struct nft_deps *d, uint8_t proto, uint32_t off,
                      uint16_t port)
{
	uint16_t be = htons(port);
	int ret;

	ret = need_l4(r, d, proto);
	if (!ret)
		ret = nft_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, off, 2);
	return ret ? ret : cmp(r, NFT_CMP_EQ, &be, 2);
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
	return ret ? ret : cmp(r, op, mac, 6);
}

/* The matches only table bridge netd has: what a guest's port received. */
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
		return ret ? ret : cmp(r, NFT_CMP_EQ, &type, 2);
	case NETD_NFT_M_ARP_SHA_NE:
		return match_mac(r, d, true, 8, NFT_CMP_NEQ, m->u.mac);
	case NETD_NFT_M_ARP_SPA:
		return match_prefix(r, d, true, 14, NFT_CMP_EQ, &m->u.prefix);
	case NETD_NFT_M_ARP_SPA_NE:
		return match_prefix(r, d, true, 14, NFT_CMP_NEQ, &m->u.prefix);
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
	case NETD_NFT_M_CT_STATE:
		state = m->u.ct_state;
		ret = ct_state(r);
		if (!ret)
			ret = bitwise_and(r, &state, 4);
		return ret ? ret : cmp(r, NFT_CMP_NEQ, &zero, 4);
	default:
		return put_l2_match(r, d, m);
	}
}
