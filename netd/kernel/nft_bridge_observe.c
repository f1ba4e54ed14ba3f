/* Reading table bridge netd back: for each port chain, the port its element maps to it and
 * the digest on its first rule, once per ruleset generation for every network. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>
#include <libnftnl/udata.h>

#include "nft_priv.h"

static bool is_port_chain(const char *chain)
{
	return strncmp(chain, NETD_NFT_PORT_PREFIX, strlen(NETD_NFT_PORT_PREFIX)) == 0;
}

/* One fact per element jumping to a port chain, and one per port chain no element jumps to. */
static int collect_facts(const struct nft_ktable *t, struct nft_port_cache *c)
{
	const struct nft_kset *m = nft_port_map(t);
	size_t n_elems = m ? m->n_elems : 0;

	c->v = calloc(t->n_chains + n_elems + 1, sizeof(*c->v));
	if (!c->v)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_chains; i++) {
		const char *chain = t->chains[i].name;
		bool any = false;

		if (!is_port_chain(chain))
			continue;
		for (size_t j = 0; j < n_elems; j++) {
			if (strcmp(m->elems[j].chain, chain) != 0)
				continue;
			snprintf(c->v[c->n].chain, NETD_NFT_CHAIN_MAX, "%s", chain);
			/* An ifname key, zero-padded: the fact's key is zeroed already. */
			memcpy(c->v[c->n++].key, m->elems[j].key, IFNAMSIZ - 1);
			any = true;
		}
		if (!any)
			snprintf(c->v[c->n++].chain, NETD_NFT_CHAIN_MAX, "%s", chain);
	}
	return 0;
}

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	char *comment = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		snprintf(comment, NFTNL_UDATA_COMMENT_MAXLEN, "%.*s", nftnl_udata_len(attr),
		         (const char *)nftnl_udata_get(attr));
	return 0;
}

/* The digest a rule carries in its comment ("netd:<digest>"): 0, or -ENOENT when none. */
static int rule_digest(const struct nftnl_rule *r, char digest[NETD_NFT_DIGEST_LEN + 1])
{
	char comment[NFTNL_UDATA_COMMENT_MAXLEN] = "";
	size_t plen = strlen(NFT_DIGEST_PREFIX);
	const void *ud;
	uint32_t len = 0;

	ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	if (ud)
		nftnl_udata_parse(ud, len, comment_cb, comment);
	if (strncmp(comment, NFT_DIGEST_PREFIX, plen) != 0 ||
	    strlen(comment + plen) != NETD_NFT_DIGEST_LEN)
		return -ENOENT;
	memcpy(digest, comment + plen, NETD_NFT_DIGEST_LEN + 1);
	return 0;
}

struct rules_dump {
	struct nft_port_cache *c;
	bool *seen; /* parallel to c->v: its chain's first rule was read */
};

/* The first rule of each chain carries the digest: rules come chain by chain, in order. */
static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rules_dump *d = data;
	struct nft_port_cache *c = d->c;
	struct nftnl_rule *r = nftnl_rule_alloc();
	char digest[NETD_NFT_DIGEST_LEN + 1] = "";
	const char *chain;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	if (chain && rule_digest(r, digest) < 0)
		digest[0] = '\0';
	for (size_t i = 0; chain && i < c->n; i++) {
		if (d->seen[i] || strcmp(c->v[i].chain, chain) != 0)
			continue;
		d->seen[i] = true;
		memcpy(c->v[i].digest, digest, sizeof(digest));
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static void rules_request(struct nlmsghdr *nlh, void *arg)
{
	nftnl_rule_nlmsg_build_payload(nlh, arg);
}

static int read_digests(struct netd_nft *nft, struct nft_port_cache *c)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rules_dump d = {.c = c, .seen = calloc(c->n, sizeof(bool))};
	int ret = -EINTR;

	if (!r || !d.seen) {
		ret = -ENOMEM;
		goto out;
	}
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_BRIDGE);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NETD_NFT_TABLE);
	for (int tries = 0; tries < 4 && ret == -EINTR; tries++) {
		for (size_t i = 0; i < c->n; i++) {
			c->v[i].digest[0] = '\0';
			d.seen[i] = false;
		}
		ret = nft_dump_family(nft, NFPROTO_BRIDGE, NFT_MSG_GETRULE, rules_request, r,
		                      rule_cb, &d);
	}
	if (ret == -ENOENT)
		ret = 0;
out:
	if (r)
		nftnl_rule_free(r);
	free(d.seen);
	return ret;
}

static int refresh(struct netd_nft *nft)
{
	struct nft_port_cache *c = &nft->ports;
	struct nft_ktable t = {0};
	uint32_t gen = 0;
	int ret;

	ret = nft_cache_current(nft, c->valid, c->gen, &gen);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	nft_port_cache_release(c);
	/* Read after the generation, as the inet cache is: a change meanwhile moves it on. */
	ret = nft_ktable_read(nft, NFPROTO_BRIDGE, false, &t);
	if (ret == 0)
		ret = collect_facts(&t, c);
	if (ret == 0 && c->n)
		ret = read_digests(nft, c);
	nft_ktable_release(&t);
	if (ret < 0) {
		nft_port_cache_release(c);
		return ret;
	}
	c->gen = gen;
	c->valid = true;
	return 0;
}

int netd_nft_observe_ports(struct netd_nft *nft, const char *network,
                           char digest[NETD_NFT_DIGEST_LEN + 1])
{
	struct nft_port_cache *c = &nft->ports;
	struct netd_nft_port_fact *v;
	size_t n = 0;
	int ret;

	digest[0] = '\0';
	if (!netd_netname_valid(network))
		return -EINVAL;
	ret = refresh(nft);
	if (ret < 0 || c->n == 0)
		return ret;
	v = calloc(c->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->n; i++)
		if (netd_nft_port_of(c->v[i].chain, network, NULL))
			v[n++] = c->v[i];
	netd_nft_ports_digest(v, n, digest);
	free(v);
	return 0;
}
