/* The IR's rules and the base chains' dispatch rules as libnftnl rules: the same expressions
 * nft(8) generates for the rendered text (nft_match.c has the matches), so `nft list` shows
 * that text. Each goes to table <family> netd: inet netd, or bridge netd for the guests'
 * ports. The batch sends them, and the verification compares the kernel's rules with them. */
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

static int verdict(struct nftnl_rule *r, int v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	}
	return nft_add_expr(r, e);
}

static int immediate_port(struct nftnl_rule *r, uint32_t reg, uint16_t port)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	uint16_t be = htons(port);

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &be, sizeof(be));
	}
	return nft_add_expr(r, e);
}

static int immediate_addr(struct nftnl_rule *r, uint32_t reg, struct in_addr a)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &a.s_addr, sizeof(a.s_addr));
	}
	return nft_add_expr(r, e);
}

/*
 * snat ip to ADDR[:MIN-MAX]: the address in register 1, the ports in 2 and 3, as nft(8) puts
 * them. The kernel reports what it made of it (the address register as the range's both ends,
 * the flags it derives from the registers given), so that is what is written: the
 * verification compares the kernel's rule with this one.
 */
static int put_snat(struct nftnl_rule *r, const struct netd_nft_rule *ir)
{
	bool ports = ir->verdict == NETD_NFT_V_SNAT_PORTS;
	uint32_t flags = NF_NAT_RANGE_MAP_IPS;
	struct nftnl_expr *e;
	int ret;

	ret = immediate_addr(r, NFT_REG_1, ir->nat_addr);
	if (!ret && ports)
		ret = immediate_port(r, NFT_REG_2, ir->port_min);
	if (!ret && ports)
		ret = immediate_port(r, NFT_REG_3, ir->port_max);
	if (ret)
		return ret;
	e = nftnl_expr_alloc("nat");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_SNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG_1);
		if (ports) {
			flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG_3);
		}
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, flags);
	}
	return nft_add_expr(r, e);
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
	return nft_add_expr(r, e);
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
		return nft_add_expr(r, e);
	case NETD_NFT_V_REJECT_TCP_RESET:
		e = nftnl_expr_alloc("reject");
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_TCP_RST);
			nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, 0);
		}
		return nft_add_expr(r, e);
	case NETD_NFT_V_MASQUERADE:
		return nft_add_expr(r, nftnl_expr_alloc("masq"));
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
		return nft_add_expr(r, e);
	case NETD_NFT_V_SNAT:
	case NETD_NFT_V_SNAT_PORTS:
		return put_snat(r, ir);
	}
	return -EINVAL;
}

static struct nftnl_rule *rule_new(uint8_t family, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
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
	nft_batch_note_chain(b, chain);
	return b->err;
}

struct nftnl_rule *nft_rule_build(uint8_t family, const char *chain, const struct netd_nft_rule *ir,
                                  const char *comment, int *err)
{
	struct nftnl_rule *r = rule_new(family, chain);
	struct nft_deps d = {.l4proto = -1, .family = family};
	int ret = 0;

	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < ir->n_match && !ret; i++)
		ret = nft_put_match(r, &d, &ir->match[i]);
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

	r = nft_rule_build(b->family, chain, ir, comment, &ret);
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
	struct nftnl_rule *r = rule_new(b->family, chain);
	struct nlmsghdr *nlh;

	if (!r)
		return -ENOMEM;
	nlh = nft_batch_msg(b, NFT_MSG_DELRULE, 0, "flushing chain %s", chain);
	if (nlh) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nft_batch_next(b);
		nft_batch_note_chain(b, chain);
	}
	nftnl_rule_free(r);
	return b->err;
}

/* `iifname vmap @in_if` and friends: one lookup per hook whatever the number of networks. */
struct nftnl_rule *nft_dispatch_build(uint8_t family, const char *chain,
                                      const struct nft_dispatch *disp, int *err)
{
	struct nftnl_rule *r = rule_new(family, chain);
	struct nft_deps d = {.l4proto = -1, .family = family};
	int ret;

	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	if (disp->build) {
		ret = disp->build(r, &d);
	} else if (disp->key == NFT_META_NFPROTO && disp->ip6) {
		ret = nft_need_ipv6(r, &d);
		if (!ret)
			ret = nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 16);
	} else if (disp->key == NFT_META_NFPROTO) {
		ret = nft_need_ipv4(r, &d);
		if (!ret)
			ret = nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	} else {
		ret = nft_meta(r, disp->key);
	}
	if (!ret && !disp->build)
		ret = lookup(r, disp->map);
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
	struct nftnl_rule *r = nft_dispatch_build(b->family, chain, d, &ret);

	if (!r)
		return ret;
	ret = send_rule(b, r, chain, index, d->text);
	nftnl_rule_free(r);
	return ret;
}
