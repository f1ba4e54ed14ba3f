/* The table, its maps and chains, and the IR's rules as libnftnl messages: the same
 * expressions nft(8) generates for the rendered text, so `nft list` shows that text. */
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

/* nft(8)'s datatype numbers, so that `nft list` prints the maps' key types. */
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_IFNAME 41
/* nft's enum byteorder, stored in the maps' userdata */
#define NFT_BYTEORDER_HOST 1
#define NFT_BYTEORDER_BIG  2

const char *const nft_map_names[NETD_NFT_CHAIN_KINDS] = {
    "in_if", "out_if", "fwd_in_if", "fwd_out_if", "nat_src",
};

const char *const nft_base_chains[NFT_BASE_CHAINS] = {"input", "output", "forward", "postrouting"};

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

int nft_put_rule(struct nft_batch *b, const char *chain, size_t index,
                 const struct netd_nft_rule *ir, const char *comment)
{
	struct nftnl_rule *r = rule_new(chain);
	struct deps d = {.l4proto = -1};
	char *text = NULL;
	size_t len;
	FILE *f;
	int ret = 0;

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < ir->n_match && !ret; i++)
		ret = put_match(r, &d, &ir->match[i]);
	if (!ret)
		ret = put_verdict(r, ir);
	if (!ret && comment)
		ret = set_comment(r, comment);
	if (ret)
		goto out;
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

static int put_table(struct nft_batch *b)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NETD_NFT_TABLE);
	nlh = nft_batch_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, "creating table inet %s",
	                    NETD_NFT_TABLE);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		nft_batch_next(b);
	}
	nftnl_table_free(t);
	return b->err;
}

int nft_put_del_table(struct nft_batch *b)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NETD_NFT_TABLE);
	nlh = nft_batch_msg(b, NFT_MSG_DELTABLE, 0, "deleting table inet %s", NETD_NFT_TABLE);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		nft_batch_next(b);
	}
	nftnl_table_free(t);
	return b->err;
}

static struct nftnl_set *set_new(enum netd_nft_chain_kind k)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NETD_NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, nft_map_names[k]);
	return s;
}

static int put_map(struct nft_batch *b, enum netd_nft_chain_kind k)
{
	struct nftnl_set *s = set_new(k);
	bool ip = k == NETD_NFT_CHAIN_POST;
	struct nftnl_udata_buf *ud;
	struct nlmsghdr *nlh;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP | (ip ? NFT_SET_INTERVAL : 0));
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, ip ? NFT_TYPE_IPADDR : NFT_TYPE_IFNAME);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, ip ? 4 : IFNAMSIZ);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	nftnl_set_set_u32(s, NFTNL_SET_ID, k + 1);
	/* nft's own set userdata: without the key byte order it prints ifnames backwards. */
	ud = nftnl_udata_buf_alloc(64);
	if (!ud) {
		nftnl_set_free(s);
		return -ENOMEM;
	}
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
	                    ip ? NFT_BYTEORDER_BIG : NFT_BYTEORDER_HOST);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER, 0);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATA_INTERVAL, 0);
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
	                   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	nlh = nft_batch_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE, "creating map %s", nft_map_names[k]);
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		nft_batch_next(b);
	}
	nftnl_set_free(s);
	return b->err;
}

static struct nftnl_chain *chain_new(const char *name)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return NULL;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NETD_NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	return c;
}

static int send_chain(struct nft_batch *b, struct nftnl_chain *c, uint16_t type)
{
	const char *name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	struct nlmsghdr *nlh;

	nlh = nft_batch_msg(b, type, type == NFT_MSG_NEWCHAIN ? NLM_F_CREATE : 0, "%s chain %s",
	                    type == NFT_MSG_NEWCHAIN ? "creating" : "deleting", name);
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nft_batch_next(b);
	}
	nftnl_chain_free(c);
	return b->err;
}

int nft_put_chain(struct nft_batch *b, uint16_t type, const char *name)
{
	struct nftnl_chain *c = chain_new(name);

	return c ? send_chain(b, c, type) : -ENOMEM;
}

static int put_base_chain(struct nft_batch *b, int i)
{
	static const uint32_t hooks[NFT_BASE_CHAINS] = {NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT,
	                                                NF_INET_FORWARD, NF_INET_POST_ROUTING};
	struct nftnl_chain *c = chain_new(nft_base_chains[i]);
	bool nat = hooks[i] == NF_INET_POST_ROUTING;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, nat ? "nat" : "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hooks[i]);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, nat ? 100 : 0);
	/* Traffic that is not a netd network's is not ours to judge. */
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	return send_chain(b, c, NFT_MSG_NEWCHAIN);
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
static int put_base_rule(struct nft_batch *b, const char *chain, size_t index, uint32_t key,
                         enum netd_nft_chain_kind map, const char *text)
{
	struct nftnl_rule *r = rule_new(chain);
	struct deps d = {.l4proto = -1};
	int ret;

	if (!r)
		return -ENOMEM;
	if (key == NFT_META_NFPROTO) {
		ret = need_ipv4(r, &d);
		if (!ret)
			ret = payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	} else {
		ret = meta(r, key);
	}
	if (!ret)
		ret = lookup(r, nft_map_names[map]);
	if (!ret)
		ret = send_rule(b, r, chain, index, text);
	nftnl_rule_free(r);
	return ret;
}

int nft_put_base(struct nft_batch *b)
{
	int ret = put_table(b);

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++)
		ret = put_map(b, k);
	/* Flushed and re-added every time: the batch is atomic, and a damaged base heals. */
	for (int i = 0; i < NFT_BASE_CHAINS && !ret; i++) {
		ret = put_base_chain(b, i);
		if (!ret)
			ret = nft_put_flush(b, nft_base_chains[i]);
	}
	if (!ret)
		ret = put_base_rule(b, "input", 0, NFT_META_IIFNAME, NETD_NFT_CHAIN_IN,
		                    "iifname vmap @in_if");
	if (!ret)
		ret = put_base_rule(b, "output", 0, NFT_META_OIFNAME, NETD_NFT_CHAIN_OUT,
		                    "oifname vmap @out_if");
	if (!ret)
		ret = put_base_rule(b, "forward", 0, NFT_META_IIFNAME, NETD_NFT_CHAIN_FWDI,
		                    "iifname vmap @fwd_in_if");
	if (!ret)
		ret = put_base_rule(b, "forward", 1, NFT_META_OIFNAME, NETD_NFT_CHAIN_FWDO,
		                    "oifname vmap @fwd_out_if");
	if (!ret)
		ret = put_base_rule(b, "postrouting", 0, NFT_META_NFPROTO, NETD_NFT_CHAIN_POST,
		                    "ip saddr vmap @nat_src");
	return ret;
}

void nft_wanted_elem(const struct netd_nft_net *x, enum netd_nft_chain_kind k, struct nft_elem *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->chain, sizeof(e->chain), "%s", x->chains[k].name);
	if (k != NETD_NFT_CHAIN_POST) {
		/* nft pads an ifname key to IFNAMSIZ with zeros. */
		snprintf((char *)e->key, sizeof(e->key), "%s", x->bridge);
		e->key_len = IFNAMSIZ;
		return;
	}
	struct in_addr net = netd_prefix_network(&x->subnet);
	uint32_t bcast = ntohl(netd_prefix_broadcast(&x->subnet).s_addr);

	memcpy(e->key, &net.s_addr, 4);
	e->key_len = 4;
	/* The interval ends (exclusive) after the broadcast address, unless it reaches the
	 * top of the address space, where nft sends no end element either. */
	if (bcast != 0xffffffffu) {
		uint32_t end = htonl(bcast + 1);

		memcpy(e->key_end, &end, 4);
		e->has_end = true;
	}
}

static void describe_key(enum netd_nft_chain_kind map, const struct nft_elem *e, char *buf,
                         size_t len)
{
	char ip[INET_ADDRSTRLEN];

	if (map == NETD_NFT_CHAIN_POST) {
		inet_ntop(AF_INET, e->key, ip, sizeof(ip));
		snprintf(buf, len, "%s", ip);
	} else {
		snprintf(buf, len, "\"%.*s\"", IFNAMSIZ, (const char *)e->key);
	}
}

int nft_put_elem(struct nft_batch *b, uint16_t type, enum netd_nft_chain_kind map,
                 const struct nft_elem *e)
{
	struct nftnl_set *s = set_new(map);
	struct nftnl_set_elem *el;
	struct nlmsghdr *nlh;
	char key[64];

	if (!s)
		return -ENOMEM;
	el = nftnl_set_elem_alloc();
	if (!el)
		goto nomem;
	nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, e->key, e->key_len);
	if (type == NFT_MSG_NEWSETELEM) {
		nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
		nftnl_set_elem_set_str(el, NFTNL_SET_ELEM_CHAIN, e->chain);
	}
	nftnl_set_elem_add(s, el);
	if (e->has_end) {
		el = nftnl_set_elem_alloc();
		if (!el)
			goto nomem;
		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, e->key_end, 4);
		nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
		nftnl_set_elem_add(s, el);
	}
	describe_key(map, e, key, sizeof(key));
	if (type == NFT_MSG_NEWSETELEM)
		nlh = nft_batch_msg(b, type, NLM_F_CREATE, "adding element %s : jump %s to map %s",
		                    key, e->chain, nft_map_names[map]);
	else
		nlh = nft_batch_msg(b, type, 0, "deleting element %s (jump %s) from map %s", key,
		                    e->chain, nft_map_names[map]);
	if (nlh) {
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nft_batch_next(b);
	}
	nftnl_set_free(s);
	return b->err;
nomem:
	nftnl_set_free(s);
	return -ENOMEM;
}
