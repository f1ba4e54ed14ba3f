/* Reading table bridge netd back: for each port chain, the port its element maps to it and
 * the digest on its first rule, once per ruleset generation for every network. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "nft_priv.h"

static bool is_port_chain(const char *chain)
{
	return strncmp(chain, NETD_NFT_PORT_PREFIX, strlen(NETD_NFT_PORT_PREFIX)) == 0;
}

/* One fact per element jumping to a port chain, and one per port chain no element jumps to. */
static int collect_facts(const struct nft_ports_state *ps, struct nft_port_cache *c)
{
	c->v = calloc(ps->chains.n_chains + ps->n_elems + 1, sizeof(*c->v));
	if (!c->v)
		return -ENOMEM;
	for (size_t i = 0; i < ps->chains.n_chains; i++) {
		const char *chain = ps->chains.chains[i];
		bool any = false;

		if (!is_port_chain(chain))
			continue;
		for (size_t j = 0; j < ps->n_elems; j++) {
			if (strcmp(ps->elems[j].chain, chain) != 0)
				continue;
			snprintf(c->v[c->n].chain, NETD_NFT_CHAIN_MAX, "%s", chain);
			snprintf(c->v[c->n++].key, IFNAMSIZ, "%.*s", IFNAMSIZ,
			         (const char *)ps->elems[j].key);
			any = true;
		}
		if (!any)
			snprintf(c->v[c->n++].chain, NETD_NFT_CHAIN_MAX, "%s", chain);
	}
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
	if (chain && nft_rule_digest(r, digest) < 0)
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
	struct nft_ports_state ps;
	uint32_t gen = 0;
	int ret;

	ret = nft_cache_current(nft, c->valid, c->gen, &gen);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	nft_port_cache_release(c);
	/* Read after the generation, as the inet cache is: a change meanwhile moves it on. */
	ret = nft_ports_read(nft, &ps);
	if (ret == 0)
		ret = collect_facts(&ps, c);
	if (ret == 0 && c->n)
		ret = read_digests(nft, c);
	nft_ports_release(&ps);
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
