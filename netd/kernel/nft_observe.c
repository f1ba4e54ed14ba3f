/* Reading table inet netd back: its chains, its maps' elements, the digests on the rules. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>
#include <libnftnl/gen.h>
#include <libnftnl/udata.h>

#include "nft_priv.h"

static int add_chain_name(struct nft_state *st, const char *name)
{
	char(*c)[NETD_NFT_CHAIN_MAX];

	if (strlen(name) >= NETD_NFT_CHAIN_MAX)
		return 0; /* not one of ours: ours always fit */
	c = realloc(st->chains, (st->n_chains + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	st->chains = c;
	snprintf(st->chains[st->n_chains++], NETD_NFT_CHAIN_MAX, "%s", name);
	return 0;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_state *st = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	int ret = MNL_CB_OK;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		ret = MNL_CB_ERROR;
		goto out;
	}
	if (strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), NETD_NFT_TABLE) == 0) {
		st->table = true;
		if (add_chain_name(st, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME)) < 0) {
			errno = ENOMEM;
			ret = MNL_CB_ERROR;
		}
	}
out:
	nftnl_chain_free(c);
	return ret;
}

int nft_state_chains(struct netd_nft *nft, struct nft_state *st)
{
	int ret;

	/* EINTR: the ruleset changed during the dump; start over. */
	for (int tries = 0; tries < 4; tries++) {
		st->table = false;
		st->n_chains = 0;
		ret = nft_dump(nft, NFT_MSG_GETCHAIN, NULL, NULL, chain_cb, st);
		if (ret != -EINTR)
			break;
	}
	return ret;
}

bool nft_state_has_chain(const struct nft_state *st, const char *name)
{
	for (size_t i = 0; i < st->n_chains; i++)
		if (strcmp(st->chains[i], name) == 0)
			return true;
	return false;
}

bool nft_chain_network(const char *chain, char network[NETD_NAME_MAX])
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		const char *p = netd_nft_chain_prefix(k);
		size_t n = strlen(p);

		if (strncmp(chain, p, n) == 0 && netd_netname_valid(chain + n)) {
			if (network)
				snprintf(network, NETD_NAME_MAX, "%s", chain + n);
			return true;
		}
	}
	return false;
}

struct elem_dump {
	struct nftnl_set *set;
};

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct elem_dump *d = data;

	return nftnl_set_elems_nlmsg_parse(nlh, d->set) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static void elem_request(struct nlmsghdr *nlh, void *arg)
{
	nftnl_set_elems_nlmsg_build_payload(nlh, arg);
}

struct raw_elem {
	uint32_t key_host; /* nat_src: for sorting */
	struct nft_elem e;
	bool end;
};

struct raw_elems {
	struct raw_elem *v;
	size_t n;
};

static int collect_elem(struct nftnl_set_elem *el, void *data)
{
	struct raw_elems *raw = data;
	struct raw_elem *r;
	const void *key;
	uint32_t len = 0;

	key = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &len);
	if (!key || len == 0 || len > IFNAMSIZ)
		return 0;
	r = realloc(raw->v, (raw->n + 1) * sizeof(*r));
	if (!r)
		return -1;
	raw->v = r;
	r = &r[raw->n++];
	memset(r, 0, sizeof(*r));
	memcpy(r->e.key, key, len);
	r->e.key_len = len;
	if (len == 4)
		r->key_host = ntohl(*(const uint32_t *)key);
	if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS))
		r->end =
		    nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END;
	if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_CHAIN))
		snprintf(r->e.chain, sizeof(r->e.chain), "%s",
		         nftnl_set_elem_get_str(el, NFTNL_SET_ELEM_CHAIN));
	return 0;
}

static int cmp_raw(const void *a, const void *b)
{
	const struct raw_elem *x = a, *y = b;

	if (x->key_host != y->key_host)
		return x->key_host < y->key_host ? -1 : 1;
	/* Adjacent intervals share a key: one's end (exclusive) is the next one's start. The
	 * end sorts first, so each start is paired with its own end, not its neighbour's. */
	return (int)y->end - (int)x->end;
}

/* Intervals come back as a start element (with the verdict) and an end element: pair each
 * start with the end that follows it in key order. */
static int fold_elems(struct raw_elem *raw, size_t n, bool interval, struct nft_elem **out,
                      size_t *n_out)
{
	struct nft_elem *v;
	size_t m = 0;

	*out = NULL;
	*n_out = 0;
	if (n == 0)
		return 0;
	if (interval)
		qsort(raw, n, sizeof(*raw), cmp_raw);
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (raw[i].end)
			continue;
		v[m] = raw[i].e;
		if (interval && i + 1 < n && raw[i + 1].end) {
			memcpy(v[m].key_end, raw[i + 1].e.key, 4);
			v[m].has_end = true;
		}
		m++;
	}
	*out = v;
	*n_out = m;
	return 0;
}

static int dump_map(struct netd_nft *nft, enum netd_nft_chain_kind k, struct nft_state *st)
{
	struct elem_dump d = {0};
	struct raw_elems raw = {0};
	int ret = -EINTR;

	for (int tries = 0; tries < 4 && ret == -EINTR; tries++) {
		if (d.set)
			nftnl_set_free(d.set); /* not NULL-safe */
		d.set = nftnl_set_alloc();
		if (!d.set)
			return -ENOMEM;
		nftnl_set_set_u32(d.set, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(d.set, NFTNL_SET_TABLE, NETD_NFT_TABLE);
		nftnl_set_set_str(d.set, NFTNL_SET_NAME, nft_map_names[k]);
		ret = nft_dump(nft, NFT_MSG_GETSETELEM, elem_request, d.set, elem_cb, &d);
	}
	/* A missing map holds no elements; the next apply creates it. */
	if (ret == -ENOENT)
		ret = 0;
	if (ret == 0 && nftnl_set_elem_foreach(d.set, collect_elem, &raw) < 0)
		ret = -ENOMEM;
	if (ret == 0)
		ret = fold_elems(raw.v, raw.n, k == NETD_NFT_CHAIN_POST, &st->elems[k],
		                 &st->n_elems[k]);
	free(raw.v);
	nftnl_set_free(d.set);
	return ret;
}

int nft_state_elems(struct netd_nft *nft, struct nft_state *st)
{
	int ret = 0;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++)
		ret = dump_map(nft, k, st);
	return ret;
}

void nft_state_release(struct nft_state *st)
{
	free(st->chains);
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		free(st->elems[k]);
	memset(st, 0, sizeof(*st));
}

/* ---- digests: the comment of each chain's first rule ---- */

struct first_rule {
	bool seen;
	char comment[NFTNL_UDATA_COMMENT_MAXLEN];
};

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	struct first_rule *f = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		snprintf(f->comment, sizeof(f->comment), "%.*s", nftnl_udata_len(attr),
		         (const char *)nftnl_udata_get(attr));
	return 0;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct first_rule *f = data;
	struct nftnl_rule *r;
	const void *ud;
	uint32_t len = 0;

	if (f->seen)
		return MNL_CB_OK;
	r = nftnl_rule_alloc();
	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	f->seen = true;
	ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	if (ud)
		nftnl_udata_parse(ud, len, comment_cb, f);
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static void rule_request(struct nlmsghdr *nlh, void *arg)
{
	nftnl_rule_nlmsg_build_payload(nlh, arg);
}

static int chain_digest(struct netd_nft *nft, const char *chain,
                        char digest[NETD_NFT_DIGEST_LEN + 1])
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct first_rule f;
	size_t plen = strlen(NFT_DIGEST_PREFIX);
	int ret = -EINTR;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NETD_NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	for (int tries = 0; tries < 4 && ret == -EINTR; tries++) {
		memset(&f, 0, sizeof(f));
		ret = nft_dump(nft, NFT_MSG_GETRULE, rule_request, r, rule_cb, &f);
	}
	nftnl_rule_free(r);
	if (ret < 0)
		return ret;
	if (strncmp(f.comment, NFT_DIGEST_PREFIX, plen) != 0 ||
	    strlen(f.comment + plen) != NETD_NFT_DIGEST_LEN)
		return -ENOENT;
	memcpy(digest, f.comment + plen, NETD_NFT_DIGEST_LEN + 1);
	return 0;
}

/* The ruleset's generation: one request, one NEWGEN reply (no dump, no ack). */
static int ruleset_gen(struct netd_nft *nft, uint32_t *gen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_gen *g = NULL;
	struct nlmsghdr *nlh;
	uint32_t seq = nft->seq++;
	ssize_t len;
	int ret = -EIO;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, seq);
	if (mnl_socket_sendto(nft->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	len = mnl_socket_recvfrom(nft->nl, buf, sizeof(buf));
	if (len < 0)
		return -errno;
	nlh = (struct nlmsghdr *)buf;
	if (!mnl_nlmsg_ok(nlh, (int)len) || nlh->nlmsg_seq != seq)
		return -EIO;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		return e->error ? e->error : -EIO;
	}
	g = nftnl_gen_alloc();
	if (!g)
		return -ENOMEM;
	if (nftnl_gen_nlmsg_parse(nlh, g) == 0) {
		*gen = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
		ret = 0;
	}
	nftnl_gen_free(g);
	return ret;
}

static int cmp_chain(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The cache's slot of chain, or -1: the names are sorted, so a pass over N networks looks each
 * of theirs up in log N, not in a walk over all 4N. */
static ssize_t cache_find(const struct nft_observe_cache *c, const char *chain)
{
	char key[NETD_NFT_CHAIN_MAX];
	char(*hit)[NETD_NFT_CHAIN_MAX];

	if (strlen(chain) >= sizeof(key))
		return -1;
	snprintf(key, sizeof(key), "%s", chain);
	hit = bsearch(key, c->chains, c->n, sizeof(*c->chains), cmp_chain);
	return hit ? hit - c->chains : -1;
}

/* Make the cache describe the ruleset as it is now: reread the chains when the generation
 * moved, and forget every digest read at the old one. */
static int cache_refresh(struct netd_nft *nft)
{
	struct nft_observe_cache *c = &nft->cache;
	struct nft_state st = {0};
	uint32_t gen = 0;
	int ret;

	if (nft->hold && nft->hold_checked && c->valid)
		return 0;
	ret = ruleset_gen(nft, &gen);
	if (ret < 0)
		return ret;
	nft->hold_checked = true;
	if (c->valid && c->gen == gen)
		return 0;
	nft_observe_cache_release(c);
	/* Read after the generation: if the ruleset moves meanwhile, the next query sees a
	 * newer generation and reads again; a stale list is never kept. */
	ret = nft_state_chains(nft, &st);
	if (ret < 0)
		return ret;
	c->digests = calloc(st.n_chains ? st.n_chains : 1, sizeof(*c->digests));
	c->no_digest = calloc(st.n_chains ? st.n_chains : 1, sizeof(*c->no_digest));
	if (!c->digests || !c->no_digest) {
		nft_state_release(&st);
		nft_observe_cache_release(c);
		return -ENOMEM;
	}
	c->table = st.table;
	c->chains = st.chains; /* taken over from st */
	c->n = st.n_chains;
	qsort(c->chains, c->n, sizeof(*c->chains), cmp_chain);
	c->gen = gen;
	c->valid = true;
	return 0;
}

/* The digest on chain, from the cache or read once: 0, -ENOENT (no such chain, or none on
 * it), -errno. */
static int cached_digest(struct netd_nft *nft, const char *chain,
                         char digest[NETD_NFT_DIGEST_LEN + 1])
{
	struct nft_observe_cache *c = &nft->cache;
	ssize_t i = cache_find(c, chain);
	int ret;

	if (i < 0 || c->no_digest[i])
		return -ENOENT;
	if (!c->digests[i][0]) {
		ret = chain_digest(nft, chain, c->digests[i]);
		if (ret == -ENOENT)
			c->no_digest[i] = true;
		if (ret < 0)
			return ret;
	}
	memcpy(digest, c->digests[i], NETD_NFT_DIGEST_LEN + 1);
	return 0;
}

void netd_nft_observe_hold(struct netd_nft *nft, bool hold)
{
	nft->hold = hold;
	nft->hold_checked = false;
}

int netd_nft_observe_net(struct netd_nft *nft, const char *network,
                         char digest[NETD_NFT_DIGEST_LEN + 1])
{
	char want[NETD_NFT_DIGEST_LEN + 1] = "", got[NETD_NFT_DIGEST_LEN + 1];
	char name[NETD_NFT_CHAIN_MAX];
	int ret;

	if (!netd_netname_valid(network))
		return -EINVAL;
	ret = cache_refresh(nft);
	if (ret < 0)
		return ret;
	if (!nft->cache.table)
		return -ENOENT;
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		snprintf(name, sizeof(name), "%s%s", netd_nft_chain_prefix(k), network);
		ret = cached_digest(nft, name, got);
		/* Only post_<net> is optional: it exists when the network masquerades. */
		if (ret == -ENOENT && k == NETD_NFT_CHAIN_POST && cache_find(&nft->cache, name) < 0)
			continue;
		if (ret < 0)
			return ret;
		if (want[0] && strcmp(want, got) != 0)
			return -ENOENT;
		memcpy(want, got, sizeof(want));
	}
	memcpy(digest, want, sizeof(want));
	return 0;
}

int netd_nft_list_networks(struct netd_nft *nft, char (**names)[NETD_NAME_MAX], size_t *n)
{
	const char *in = netd_nft_chain_prefix(NETD_NFT_CHAIN_IN);
	struct nft_state st = {0};
	char(*v)[NETD_NAME_MAX] = NULL;
	size_t m = 0;
	int ret;

	*names = NULL;
	*n = 0;
	ret = nft_state_chains(nft, &st);
	if (ret < 0)
		goto out;
	if (st.n_chains) {
		v = calloc(st.n_chains, sizeof(*v));
		if (!v) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < st.n_chains; i++)
		if (strncmp(st.chains[i], in, strlen(in)) == 0 &&
		    nft_chain_network(st.chains[i], v[m]))
			m++;
	*names = v;
	*n = m;
out:
	nft_state_release(&st);
	return ret;
}
