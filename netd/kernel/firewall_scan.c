/* Scan the host's nftables for base chains of other tables (libnftnl dumps, read only). */
/* netinet/in.h (via model.h) must come before linux/netfilter.h, or their in.h collide. */
#include "netd/kernel/firewall.h"
#include "netd/kernel/nft.h"
#include "netd/kernel/nft_fabric.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nft_priv.h"

struct scan {
	struct netd_fw_chain *chains;
	size_t n, cap;
	int err;
};

static const char *family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_NETDEV:
		return "netdev";
	default:
		return "?";
	}
}

static enum netd_fw_hook hook_of(uint32_t family, uint32_t hooknum)
{
	if (family == NFPROTO_NETDEV || family == NFPROTO_ARP)
		return NETD_FW_HOOK_OTHER;
	/* ip, ip6, inet and bridge number their hooks alike: 1 input, 2 forward, 3 output. */
	switch (hooknum) {
	case NF_INET_LOCAL_IN:
		return NETD_FW_HOOK_INPUT;
	case NF_INET_FORWARD:
		return NETD_FW_HOOK_FORWARD;
	case NF_INET_LOCAL_OUT:
		return NETD_FW_HOOK_OUTPUT;
	default:
		return NETD_FW_HOOK_OTHER;
	}
}

/* inet netd, bridge netd (the guests' port bindings) and inet netd_fabric (the fabric's
 * guard, which drops only VXLAN and BGP from hosts outside the fabric). */
static bool is_ours(uint32_t family, const char *table)
{
	return ((family == NFPROTO_INET || family == NFPROTO_BRIDGE) &&
	        strcmp(table, NETD_NFT_TABLE) == 0) ||
	       (family == NFPROTO_INET && strcmp(table, NETD_NFT_FABRIC_TABLE) == 0);
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct scan *s = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct netd_fw_chain *fc;
	uint32_t family;
	const char *table;

	if (!c)
		goto nomem;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0 || !nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
		goto out;
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	if (is_ours(family, table))
		goto out;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		void *p = realloc(s->chains, cap * sizeof(*s->chains));

		if (!p)
			goto nomem;
		s->chains = p;
		s->cap = cap;
	}
	fc = &s->chains[s->n++];
	memset(fc, 0, sizeof(*fc));
	snprintf(fc->family, sizeof(fc->family), "%s", family_name(family));
	snprintf(fc->table, sizeof(fc->table), "%s", table);
	snprintf(fc->chain, sizeof(fc->chain), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	fc->hook = hook_of(family, nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM));
	fc->priority = (int)nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	fc->policy_drop = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) &&
	                  nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP;
out:
	nftnl_chain_free(c);
	return MNL_CB_OK;
nomem:
	nftnl_chain_free(c);
	s->err = -ENOMEM;
	return MNL_CB_ERROR;
}

static int expr_drops(struct nftnl_expr *e, void *data)
{
	bool *drops = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (strcmp(name, "reject") == 0 ||
	    (strcmp(name, "immediate") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT) &&
	     nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) == NF_DROP))
		*drops = true;
	return 0;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct scan *s = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	const char *table, *chain;
	bool drops = false;
	const char *fam;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto out;
	fam = family_name(nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY));
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	nftnl_expr_foreach(r, expr_drops, &drops);
	for (size_t i = 0; drops && i < s->n; i++)
		if (strcmp(s->chains[i].family, fam) == 0 &&
		    strcmp(s->chains[i].table, table) == 0 &&
		    strcmp(s->chains[i].chain, chain) == 0)
			s->chains[i].drop_rules++;
out:
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* A dump of type for one family (NFPROTO_UNSPEC: all); payload (may be NULL) fills the
 * request's attributes (a rule dump's table filter). */
static int dump(struct mnl_socket *nl, uint16_t type, uint16_t family,
                void (*payload)(struct nlmsghdr *nlh, void *arg), void *arg, mnl_cb_t cb,
                void *data, int *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	uint32_t seq = (uint32_t)time(NULL), portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh;
	ssize_t len;
	int ret;

	nlh = nftnl_nlmsg_build_hdr(buf, type, family, NLM_F_DUMP, seq);
	if (payload)
		payload(nlh, arg);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((len = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)len, seq, portid, cb, data);
		if (ret <= 0)
			return ret < 0 ? (*err ? *err : -errno) : 0;
	}
	return len < 0 ? -errno : 0;
}

/* The tables that are not netd's, in the kernel's order. */
struct tables {
	struct {
		uint32_t family;
		char name[64];
	} * v;
	size_t n, cap;
	int err;
};

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tables *t = data;
	struct nftnl_table *tb = nftnl_table_alloc();
	int ret = MNL_CB_OK;

	if (!tb || nftnl_table_nlmsg_parse(nlh, tb) < 0) {
		t->err = tb ? -EINVAL : -ENOMEM;
		ret = MNL_CB_ERROR;
		goto out;
	}
	if (is_ours(nftnl_table_get_u32(tb, NFTNL_TABLE_FAMILY),
	            nftnl_table_get_str(tb, NFTNL_TABLE_NAME)))
		goto out;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		void *p = realloc(t->v, cap * sizeof(*t->v));

		if (!p) {
			t->err = -ENOMEM;
			ret = MNL_CB_ERROR;
			goto out;
		}
		t->v = p;
		t->cap = cap;
	}
	t->v[t->n].family = nftnl_table_get_u32(tb, NFTNL_TABLE_FAMILY);
	snprintf(t->v[t->n].name, sizeof(t->v[t->n].name), "%s",
	         nftnl_table_get_str(tb, NFTNL_TABLE_NAME));
	t->n++;
out:
	nftnl_table_free(tb);
	return ret;
}

/* Where chain's table stands in the kernel's list: the order a single dump of every family
 * would have given. */
static size_t table_pos(const struct tables *t, const struct netd_fw_chain *c)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(family_name(t->v[i].family), c->family) == 0 &&
		    strcmp(t->v[i].name, c->table) == 0)
			return i;
	return t->n;
}

struct placed {
	size_t table, i; /* the table's place, the chain's place in the dumps */
	struct netd_fw_chain c;
};

static int cmp_placed(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The chains of each family that has a table of another's, nothing of a family where only
 * netd has one: a host's other firewalls cost the scan, netd's own N networks do not. Then
 * back in the kernel's order of tables, each table's chains in theirs. */
static int scan_chains(struct mnl_socket *nl, const struct tables *t, struct scan *s)
{
	struct placed *v;
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < t->n; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = t->v[j].family == t->v[i].family;
		if (!seen)
			ret = dump(nl, NFT_MSG_GETCHAIN, (uint16_t)t->v[i].family, NULL, NULL,
			           chain_cb, s, &s->err);
	}
	if (ret < 0 || s->n < 2)
		return ret;
	v = calloc(s->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		v[i] = (struct placed){table_pos(t, &s->chains[i]), i, s->chains[i]};
	qsort(v, s->n, sizeof(*v), cmp_placed);
	for (size_t i = 0; i < s->n; i++)
		s->chains[i] = v[i].c;
	free(v);
	return 0;
}

static void rule_request(struct nlmsghdr *nlh, void *arg)
{
	nftnl_rule_nlmsg_build_payload(nlh, arg);
}

/* The rules of each table that has a base chain found, read table by table. */
static int scan_rules(struct mnl_socket *nl, const struct tables *t, struct scan *s)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < t->n; i++) {
		struct nftnl_rule *r;
		bool has = false;

		for (size_t k = 0; k < s->n && !has; k++)
			has = strcmp(s->chains[k].family, family_name(t->v[i].family)) == 0 &&
			      strcmp(s->chains[k].table, t->v[i].name) == 0;
		if (!has)
			continue;
		r = nftnl_rule_alloc();
		if (!r)
			return -ENOMEM;
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, t->v[i].family);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, t->v[i].name);
		ret = dump(nl, NFT_MSG_GETRULE, (uint16_t)t->v[i].family, rule_request, r, rule_cb,
		           s, &s->err);
		nftnl_rule_free(r);
	}
	return ret;
}

/*
 * On netd's own nftables socket, never one opened for the scan: the close of a netfilter socket
 * waits for the kernel to finish destroying what the last commit took out (nft_rcv_nl_event
 * flushes that work, which waits for an RCU grace period). `up` scans right after its own
 * commit, and a socket of its own cost each `up` 5 to 20 ms of waiting there.
 */
int netd_fw_scan(struct netd_nft *nft, struct netd_fw_chain **out, size_t *n)
{
	struct mnl_socket *nl = nft->nl;
	struct tables t = {0};
	struct scan s = {0};
	int ret;

	ret = dump(nl, NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NULL, NULL, table_cb, &t, &t.err);
	if (ret == 0)
		ret = scan_chains(nl, &t, &s);
	if (ret == 0 && s.n > 0)
		ret = scan_rules(nl, &t, &s);
	free(t.v);
	if (ret < 0) {
		free(s.chains);
		return ret;
	}
	*out = s.chains;
	*n = s.n;
	return 0;
}
