/* The tables, their maps and chains, and the IR's rules as libnftnl messages: the same
 * expressions nft(8) generates for the rendered text (nft_match.c has the matches), so `nft
 * list` shows that text. Each object goes to the table of the batch's family (b->family):
 * inet netd, or bridge netd for the guests' ports. */
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

static int lookup(struct nftnl_rule *r, const char *set)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
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
	}
	return -EINVAL;
}

static struct nftnl_rule *rule_new(const struct nft_batch *b, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, b->family);
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
	struct nftnl_rule *r = rule_new(b, chain);
	struct nft_deps d = {.l4proto = -1, .family = b->family};
	char *text = NULL;
	size_t len;
	FILE *f;
	int ret = 0;

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < ir->n_match && !ret; i++)
		ret = nft_put_match(r, &d, &ir->match[i]);
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

static const char *family_name(const struct nft_batch *b)
{
	return b->family == NFPROTO_BRIDGE ? "bridge" : "inet";
}

static int put_table_msg(struct nft_batch *b, uint16_t type, uint16_t flags, const char *what)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, b->family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NETD_NFT_TABLE);
	nlh = nft_batch_msg(b, type, flags, "%s table %s %s", what, family_name(b), NETD_NFT_TABLE);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		nft_batch_next(b);
	}
	nftnl_table_free(t);
	return b->err;
}

int nft_put_table(struct nft_batch *b)
{
	return put_table_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, "creating");
}

int nft_put_del_table(struct nft_batch *b)
{
	return put_table_msg(b, NFT_MSG_DELTABLE, 0, "deleting");
}

static struct nftnl_set *set_new(const struct nft_batch *b, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, b->family);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NETD_NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	return s;
}

int nft_put_map(struct nft_batch *b, const char *name, bool ip, uint32_t id)
{
	struct nftnl_set *s = set_new(b, name);
	struct nftnl_udata_buf *ud;
	struct nlmsghdr *nlh;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP | (ip ? NFT_SET_INTERVAL : 0));
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, ip ? NFT_TYPE_IPADDR : NFT_TYPE_IFNAME);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, ip ? 4 : IFNAMSIZ);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
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
	nlh = nft_batch_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE, "creating map %s", name);
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		nft_batch_next(b);
	}
	nftnl_set_free(s);
	return b->err;
}

static struct nftnl_chain *chain_new(const struct nft_batch *b, const char *name)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return NULL;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, b->family);
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
	struct nftnl_chain *c = chain_new(b, name);

	return c ? send_chain(b, c, type) : -ENOMEM;
}

int nft_put_chain_rules(struct nft_batch *b, const struct netd_nft_chain *c, const char *digest)
{
	char comment[64];
	int ret;

	snprintf(comment, sizeof(comment), "%s%s", NFT_DIGEST_PREFIX, digest);
	ret = nft_put_chain(b, NFT_MSG_NEWCHAIN, c->name);
	if (!ret)
		ret = nft_put_flush(b, c->name);
	/* The digest rides on the first rule: a chain's own userdata is not updated by the
	 * kernel when the chain already exists, a new rule's always is. */
	for (size_t i = 0; i < c->n_rules && !ret; i++)
		ret = nft_put_rule(b, c->name, i, &c->rules[i], i == 0 ? comment : NULL);
	return ret;
}

int nft_put_base_chain(struct nft_batch *b, const char *name, uint32_t hook, int32_t prio, bool nat)
{
	struct nftnl_chain *c = chain_new(b, name);

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, nat ? "nat" : "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	/* Traffic that is not a netd network's is not ours to judge. */
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	return send_chain(b, c, NFT_MSG_NEWCHAIN);
}

static int put_base_chain(struct nft_batch *b, int i)
{
	static const uint32_t hooks[NFT_BASE_CHAINS] = {NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT,
	                                                NF_INET_FORWARD, NF_INET_POST_ROUTING};
	bool nat = hooks[i] == NF_INET_POST_ROUTING;

	return nft_put_base_chain(b, nft_base_chains[i], hooks[i], nat ? 100 : 0, nat);
}

int nft_put_flush(struct nft_batch *b, const char *chain)
{
	struct nftnl_rule *r = rule_new(b, chain);
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
int nft_put_base_rule(struct nft_batch *b, const char *chain, size_t index, uint32_t key,
                      const char *map, const char *text)
{
	struct nftnl_rule *r = rule_new(b, chain);
	struct nft_deps d = {.l4proto = -1, .family = b->family};
	int ret;

	if (!r)
		return -ENOMEM;
	if (key == NFT_META_NFPROTO) {
		ret = nft_need_ipv4(r, &d);
		if (!ret)
			ret = nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	} else {
		ret = nft_meta(r, key);
	}
	if (!ret)
		ret = lookup(r, map);
	if (!ret)
		ret = send_rule(b, r, chain, index, text);
	nftnl_rule_free(r);
	return ret;
}

int nft_put_base(struct nft_batch *b)
{
	int ret = nft_put_table(b);

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++)
		ret = nft_put_map(b, nft_map_names[k], k == NETD_NFT_CHAIN_POST, k + 1);
	/* Flushed and re-added every time: the batch is atomic, and a damaged base heals. */
	for (int i = 0; i < NFT_BASE_CHAINS && !ret; i++) {
		ret = put_base_chain(b, i);
		if (!ret)
			ret = nft_put_flush(b, nft_base_chains[i]);
	}
	if (!ret)
		ret = nft_put_base_rule(b, "input", 0, NFT_META_IIFNAME,
		                        nft_map_names[NETD_NFT_CHAIN_IN], "iifname vmap @in_if");
	if (!ret)
		ret = nft_put_base_rule(b, "output", 0, NFT_META_OIFNAME,
		                        nft_map_names[NETD_NFT_CHAIN_OUT], "oifname vmap @out_if");
	if (!ret)
		ret = nft_put_base_rule(b, "forward", 0, NFT_META_IIFNAME,
		                        nft_map_names[NETD_NFT_CHAIN_FWDI],
		                        "iifname vmap @fwd_in_if");
	if (!ret)
		ret = nft_put_base_rule(b, "forward", 1, NFT_META_OIFNAME,
		                        nft_map_names[NETD_NFT_CHAIN_FWDO],
		                        "oifname vmap @fwd_out_if");
	if (!ret)
		ret =
		    nft_put_base_rule(b, "postrouting", 0, NFT_META_NFPROTO,
		                      nft_map_names[NETD_NFT_CHAIN_POST], "ip saddr vmap @nat_src");
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

/* An ifname key is IFNAMSIZ long, an address 4. */
static void describe_key(const struct nft_elem *e, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	if (e->key_len == 4) {
		inet_ntop(AF_INET, e->key, ip, sizeof(ip));
		snprintf(buf, len, "%s", ip);
	} else {
		snprintf(buf, len, "\"%.*s\"", IFNAMSIZ, (const char *)e->key);
	}
}

int nft_put_elem_in(struct nft_batch *b, uint16_t type, const char *map, const struct nft_elem *e)
{
	struct nftnl_set *s = set_new(b, map);
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
	describe_key(e, key, sizeof(key));
	if (type == NFT_MSG_NEWSETELEM)
		nlh = nft_batch_msg(b, type, NLM_F_CREATE, "adding element %s : jump %s to map %s",
		                    key, e->chain, map);
	else
		nlh = nft_batch_msg(b, type, 0, "deleting element %s (jump %s) from map %s", key,
		                    e->chain, map);
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

int nft_put_elem(struct nft_batch *b, uint16_t type, enum netd_nft_chain_kind map,
                 const struct nft_elem *e)
{
	return nft_put_elem_in(b, type, nft_map_names[map], e);
}
