/* The IR's rules and the base chains' dispatch rules as libnftnl rules: the same expressions
 * nft(8) generates for the rendered text, so `nft list` shows that text. The batch sends
 * them, and the verification compares the kernel's rules with them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "nft_priv.h"

static int add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return add_expr(r, e);
}

static int cmp(struct nftnl_rule *r, enum nft_cmp_ops op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return add_expr(r, e);
}

static int payload(struct nftnl_rule *r, enum nft_payload_bases base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return add_expr(r, e);
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
	return add_expr(r, e);
}

static int ct_state(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	return add_expr(r, e);
}

static int verdict(struct nftnl_rule *r, int v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	}
	return add_expr(r, e);
}

static int immediate_port(struct nftnl_rule *r, uint32_t reg, uint16_t port)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	uint16_t be = htons(port);

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &be, sizeof(be));
	}
	return add_expr(r, e);
}

static int lookup(struct nftnl_rule *r, const char *set)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		/* Explicit: the kernel reports the flags, and the verification compares. */
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, 0);
	}
	return add_expr(r, e);
}

/* In an inet table, `ip ...` implies `meta nfproto ipv4` and `udp ...` implies
 * `meta l4proto udp`: nft adds these dependencies and elides them when listing. */
struct deps {
	bool ipv4;
	int l4proto;
};

static int need_ipv4(struct nftnl_rule *r, struct deps *d)
{
	uint8_t proto = NFPROTO_IPV4;
	int ret;

	if (d->ipv4)
		return 0;
	d->ipv4 = true;
	ret = meta(r, NFT_META_NFPROTO);
	return ret ? ret : cmp(r, NFT_CMP_EQ, &proto, 1);
}

static int need_l4(struct nftnl_rule *r, struct deps *d, uint8_t proto)
{
	int ret;

	if (d->l4proto == proto)
		return 0;
	d->l4proto = proto;
	ret = meta(r, NFT_META_L4PROTO);
	return ret ? ret : cmp(r, NFT_CMP_EQ, &proto, 1);
}

static int match_ifname(struct nftnl_rule *r, uint32_t key, enum nft_cmp_ops op, const char *name)
{
	char padded[IFNAMSIZ] = {0};
	int ret;

	snprintf(padded, sizeof(padded), "%s", name);
	ret = meta(r, key);
	return ret ? ret : cmp(r, op, padded, sizeof(padded));
}

static int match_prefix(struct nftnl_rule *r, struct deps *d, uint32_t off, enum nft_cmp_ops op,
                        const struct netd_prefix *p)
{
	uint32_t mask = p->len ? htonl(0xffffffffu << (32 - p->len)) : 0;
	uint32_t addr = p->addr.s_addr & mask;
	int ret;

	ret = need_ipv4(r, d);
	if (ret)
		return ret;
	/* Byte-aligned prefixes compare fewer bytes, no mask: what nft does. */
	if (p->len % 8 == 0 && p->len > 0) {
		ret = payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, p->len / 8);
		return ret ? ret : cmp(r, op, &addr, p->len / 8);
	}
	ret = payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, 4);
	if (!ret)
		ret = bitwise_and(r, &mask, 4);
	return ret ? ret : cmp(r, op, &addr, 4);
}

static int match_port(struct nftnl_rule *r, struct deps *d, uint8_t proto, uint32_t off,
                      uint16_t port)
{
	uint16_t be = htons(port);
	int ret;

	ret = need_l4(r, d, proto);
	if (!ret)
		ret = payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, off, 2);
	return ret ? ret : cmp(r, NFT_CMP_EQ, &be, 2);
}

static int put_match(struct nftnl_rule *r, struct deps *d, const struct netd_nft_match *m)
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
		return match_prefix(r, d, 12, NFT_CMP_EQ, &m->u.prefix);
	case NETD_NFT_M_IP_DADDR:
		return match_prefix(r, d, 16, NFT_CMP_EQ, &m->u.prefix);
	case NETD_NFT_M_IP_DADDR_NE:
		return match_prefix(r, d, 16, NFT_CMP_NEQ, &m->u.prefix);
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
	}
	return -EINVAL;
}

static int put_verdict(struct nftnl_rule *r, const struct netd_nft_rule *ir)
{
	struct nftnl_expr *e;
	int ret;

	switch (ir->verdict) {
	case NETD_NFT_V_ACCEPT:
		return verdict(r, NF_ACCEPT);
	case NETD_NFT_V_DROP:
		return verdict(r, NF_DROP);
	case NETD_NFT_V_RETURN:
		return verdict(r, NFT_RETURN);
	case NETD_NFT_V_REJECT:
		e = nftnl_expr_alloc("reject");
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMPX_UNREACH);
			nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE,
			                  NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
		}
		return add_expr(r, e);
	case NETD_NFT_V_REJECT_TCP_RESET:
		e = nftnl_expr_alloc("reject");
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_TCP_RST);
			nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, 0);
		}
		return add_expr(r, e);
	case NETD_NFT_V_MASQUERADE:
		return add_expr(r, nftnl_expr_alloc("masq"));
	case NETD_NFT_V_MASQUERADE_PORTS:
		ret = immediate_port(r, NFT_REG_1, ir->port_min);
		if (!ret)
			ret = immediate_port(r, NFT_REG_2, ir->port_max);
		if (ret)
			return ret;
		e = nftnl_expr_alloc("masq");
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
			nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MAX, NFT_REG_2);
		}
		return add_expr(r, e);
	}
	return -EINVAL;
}

static struct nftnl_rule *rule_new(const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NETD_NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

/* A comment in nft's own userdata format: `nft list` shows it as `comment "..."`. */
static int set_comment(struct nftnl_rule *r, const char *comment)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN + 8);
	int ret = 0;

	if (!ud)
		return -ENOMEM;
	if (!nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment) ||
	    nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
	                        nftnl_udata_buf_len(ud)) < 0)
		ret = -ENOMEM;
	nftnl_udata_buf_free(ud);
	return ret;
}

static int send_rule(struct nft_batch *b, struct nftnl_rule *r, const char *chain, size_t index,
                     const char *text)
{
	struct nlmsghdr *nlh;

	nlh = nft_batch_msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
	                    "adding rule %zu of chain %s (%s)", index + 1, chain, text);
	if (!nlh)
		return b->err;
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nft_batch_next(b);
	return b->err;
}

struct nftnl_rule *nft_rule_build(const char *chain, const struct netd_nft_rule *ir,
                                  const char *comment, int *err)
{
	struct nftnl_rule *r = rule_new(chain);
	struct deps d = {.l4proto = -1};
	int ret = 0;

	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < ir->n_match && !ret; i++)
		ret = put_match(r, &d, &ir->match[i]);
	if (!ret)
		ret = put_verdict(r, ir);
	if (!ret && comment)
		ret = set_comment(r, comment);
	if (ret) {
		nftnl_rule_free(r);
		*err = ret;
		return NULL;
	}
	return r;
}

int nft_put_rule(struct nft_batch *b, const char *chain, size_t index,
                 const struct netd_nft_rule *ir, const char *comment)
{
	struct nftnl_rule *r;
	char *text = NULL;
	size_t len;
	FILE *f;
	int ret = 0;

	r = nft_rule_build(chain, ir, comment, &ret);
	if (!r)
		return ret;
	f = open_memstream(&text, &len);
	if (!f) {
		ret = -ENOMEM;
		goto out;
	}
	netd_nft_render_rule(ir, f);
	if (fclose(f) != 0) {
		ret = -ENOMEM;
		goto out;
	}
	ret = send_rule(b, r, chain, index, text);
out:
	free(text);
	nftnl_rule_free(r);
	return ret;
}

int nft_put_flush(struct nft_batch *b, const char *chain)
{
	struct nftnl_rule *r = rule_new(chain);
	struct nlmsghdr *nlh;

	if (!r)
		return -ENOMEM;
	nlh = nft_batch_msg(b, NFT_MSG_DELRULE, 0, "flushing chain %s", chain);
	if (nlh) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nft_batch_next(b);
	}
	nftnl_rule_free(r);
	return b->err;
}

/* `iifname vmap @in_if` and friends: one lookup per hook whatever the number of networks. */
struct nftnl_rule *nft_dispatch_build(const char *chain, const struct nft_dispatch *disp, int *err)
{
	struct nftnl_rule *r = rule_new(chain);
	struct deps d = {.l4proto = -1};
	int ret;

	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	if (disp->key == NFT_META_NFPROTO) {
		ret = need_ipv4(r, &d);
		if (!ret)
			ret = payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	} else {
		ret = meta(r, disp->key);
	}
	if (!ret)
		ret = lookup(r, nft_maps[disp->map].name);
	if (ret) {
		nftnl_rule_free(r);
		*err = ret;
		return NULL;
	}
	return r;
}

int nft_put_dispatch(struct nft_batch *b, const char *chain, size_t index,
                     const struct nft_dispatch *d)
{
	int ret = 0;
	struct nftnl_rule *r = nft_dispatch_build(chain, d, &ret);

	if (!r)
		return ret;
	ret = send_rule(b, r, chain, index, d->text);
	nftnl_rule_free(r);
	return ret;
}
