/*
 * Table inet netd_fabric: the fabric's guard (netd/kernel/nft_fabric.h). The rules are built
 * by the same code as netd's own (nft_expr.c), moved to this table; the comparison is by the
 * rules' canonical text (nft_observe.c), as netd's own tables are verified.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/nft_fabric.h"
#include "nft_priv.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#define CHAIN "input"

static struct nftnl_rule *guard_rule(const struct netd_nft_rule *ir, int *err)
{
	struct nftnl_rule *r = nft_rule_build(NFPROTO_INET, CHAIN, ir, NULL, err);

	if (r)
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NETD_NFT_FABRIC_TABLE);
	return r;
}

/* One message of the batch: obj's payload built by put (a table, chain or rule). */
#define PUT(b, type, flags, put, obj, ...)                                                         \
	do {                                                                                       \
		struct nlmsghdr *nlh_ = nft_batch_msg(b, type, flags, __VA_ARGS__);                \
		if (nlh_) {                                                                        \
			put(nlh_, obj);                                                            \
			nft_batch_next(b);                                                         \
		}                                                                                  \
	} while (0)

static int put_frame(struct nft_batch *b)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_rule *flush = nftnl_rule_alloc();
	int ret = -ENOMEM;

	if (!t || !c || !flush)
		goto out;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NETD_NFT_FABRIC_TABLE);
	PUT(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, nftnl_table_nlmsg_build_payload, t,
	    "creating table inet %s", NETD_NFT_FABRIC_TABLE);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NETD_NFT_FABRIC_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, CHAIN);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_IN);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, -1);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	PUT(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, nftnl_chain_nlmsg_build_payload, c,
	    "creating chain %s of table inet %s", CHAIN, NETD_NFT_FABRIC_TABLE);
	nftnl_rule_set_u32(flush, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(flush, NFTNL_RULE_TABLE, NETD_NFT_FABRIC_TABLE);
	nftnl_rule_set_str(flush, NFTNL_RULE_CHAIN, CHAIN);
	PUT(b, NFT_MSG_DELRULE, 0, nftnl_rule_nlmsg_build_payload, flush, "flushing chain %s",
	    CHAIN);
	ret = b->err;
out:
	nftnl_table_free(t);
	nftnl_chain_free(c);
	nftnl_rule_free(flush);
	return ret;
}

int netd_nft_fabric_apply(struct netd_nft *nft, const struct netd_nft_chain *guard,
                          struct netd_diag *diag)
{
	struct nft_batch b;
	struct nftnl_rule *r;
	int ret;

	ret = nft_batch_init(nft, &b);
	if (ret == 0)
		ret = put_frame(&b);
	for (size_t i = 0; ret == 0 && i < guard->n_rules; i++) {
		r = guard_rule(&guard->rules[i], &ret);
		if (!r)
			break;
		PUT(&b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
		    nftnl_rule_nlmsg_build_payload, r, "adding rule %zu of the fabric's guard",
		    i + 1);
		nftnl_rule_free(r);
		ret = b.err;
	}
	if (ret == 0)
		ret = nft_batch_commit(&b, diag);
	else
		netd_diag_set(diag, "nft: building the fabric's guard: %s", strerror(-ret));
	nft_batch_release(&b);
	return ret;
}

int netd_nft_fabric_remove(struct netd_nft *nft, struct netd_diag *diag)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct netd_diag d = {{0}};
	struct nft_batch b;
	int ret;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NETD_NFT_FABRIC_TABLE);
	ret = nft_batch_init(nft, &b);
	if (ret == 0) {
		PUT(&b, NFT_MSG_DELTABLE, 0, nftnl_table_nlmsg_build_payload, t,
		    "deleting table inet %s", NETD_NFT_FABRIC_TABLE);
		ret = b.err ? b.err : nft_batch_commit(&b, &d);
		nft_batch_release(&b);
	}
	nftnl_table_free(t);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		netd_diag_set(diag, "%s", d.msg[0] ? d.msg : strerror(-ret));
	return ret;
}

/* The rules of the chain as the kernel has them, by their canonical text. */
struct kernel_rules {
	char **canon;
	size_t n;
	int err;
};

static int each_rule(const struct nlmsghdr *nlh, void *data)
{
	struct kernel_rules *k = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	char **more, *text = NULL;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0 || nft_rule_canon(r, &text) < 0 ||
	    !(more = realloc(k->canon, (k->n + 1) * sizeof(*more)))) {
		k->err = -ENOMEM;
		free(text);
	} else {
		k->canon = more;
		k->canon[k->n++] = text;
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static void rule_request(struct nlmsghdr *nlh, void *arg)
{
	struct nftnl_rule *r = arg;

	nftnl_rule_nlmsg_build_payload(nlh, r);
}

int netd_nft_fabric_current(struct netd_nft *nft, const struct netd_nft_chain *guard)
{
	struct kernel_rules k = {0};
	struct nftnl_rule *req = nftnl_rule_alloc(), *r;
	char *want = NULL;
	int ret;

	if (!req)
		return -ENOMEM;
	nftnl_rule_set_u32(req, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(req, NFTNL_RULE_TABLE, NETD_NFT_FABRIC_TABLE);
	nftnl_rule_set_str(req, NFTNL_RULE_CHAIN, CHAIN);
	ret = nft_dump(nft, NFT_MSG_GETRULE, rule_request, req, each_rule, &k);
	nftnl_rule_free(req);
	if (ret == -ENOENT)
		ret = 0; /* no table: not current */
	else if (ret == 0 && k.err)
		ret = k.err;
	else if (ret == 0)
		ret = k.n == guard->n_rules ? 1 : 2;
	for (size_t i = 0; ret == 1 && i < guard->n_rules; i++) {
		r = guard_rule(&guard->rules[i], &ret);
		if (!r || nft_rule_canon(r, &want) < 0)
			ret = -ENOMEM;
		else
			ret = strcmp(want, k.canon[i]) == 0 ? 1 : 2;
		nftnl_rule_free(r);
		free(want);
		want = NULL;
	}
	for (size_t i = 0; i < k.n; i++)
		free(k.canon[i]);
	free(k.canon);
	return ret;
}
