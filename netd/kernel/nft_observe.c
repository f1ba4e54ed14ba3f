/* Reading netd's tables (inet netd, bridge netd) back, both at one ruleset generation: chains
 * (with their hooks), each chain's rules as canonical text, the sets and their elements. Read
 * again only when the generation moved. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/udata.h>

#include "nft_priv.h"

#define SNAPSHOT_TRIES 4

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

static int cmp_chain(const void *a, const void *b)
{
	return strcmp(((const struct nft_kchain *)a)->name, ((const struct nft_kchain *)b)->name);
}

static int cmp_set(const void *a, const void *b)
{
	return strcmp(((const struct nft_kset *)a)->name, ((const struct nft_kset *)b)->name);
}

/* The chains and sets of a table are sorted by name once read (read_table), so a pass over N
 * networks looks each of theirs up in log N, not in a walk over all 4N. */
const struct nft_kchain *nft_snap_chain(const struct nft_ktable *t, const char *name)
{
	struct nft_kchain key;

	if (!t->n_chains || strlen(name) >= sizeof(key.name))
		return NULL;
	snprintf(key.name, sizeof(key.name), "%s", name);
	return bsearch(&key, t->chains, t->n_chains, sizeof(key), cmp_chain);
}

const struct nft_kset *nft_snap_set(const struct nft_ktable *t, const char *name)
{
	struct nft_kset key;

	if (!t->n_sets || strlen(name) >= sizeof(key.name))
		return NULL;
	snprintf(key.name, sizeof(key.name), "%s", name);
	return bsearch(&key, t->sets, t->n_sets, sizeof(key), cmp_set);
}

/* Grow *v (of *n elements of size sz) by one zeroed element; NULL on ENOMEM. */
static void *grow(void *vp, size_t *n, size_t sz)
{
	void **v = vp;
	char *p = realloc(*v, (*n + 1) * sz);

	if (!p)
		return NULL;
	*v = p;
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}

/* ---- rules as text ---- */

static int canon_expr(struct nftnl_expr *e, void *data)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	char body[1024] = "";

	/* A counter's values move with the traffic: only its presence is the rule's. */
	if (strcmp(name, "counter") != 0 &&
	    nftnl_expr_snprintf(body, sizeof(body), e, NFTNL_OUTPUT_DEFAULT, 0) < 0)
		return -1;
	fprintf(data, "[ %s %s] ", name, body);
	return 0;
}

int nft_rule_canon(struct nftnl_rule *r, char **out)
{
	size_t len = 0;
	FILE *f;
	int ret;

	*out = NULL;
	f = open_memstream(out, &len);
	if (!f)
		return -ENOMEM;
	ret = nftnl_expr_foreach(r, canon_expr, f) < 0 ? -EINVAL : 0;
	if (fclose(f) != 0 && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

/* ---- the dumps ---- */

static bool ours(const char *table)
{
	return table && strcmp(table, NETD_NFT_TABLE) == 0;
}

static void chain_facts(const struct nftnl_chain *c, struct nft_kchain *k)
{
	snprintf(k->name, sizeof(k->name), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	k->hooked = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
	if (!k->hooked)
		return;
	k->hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
	k->prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
		k->policy = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY);
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE))
		snprintf(k->type, sizeof(k->type), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE));
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_ktable *s = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nft_kchain *k;
	int ret = MNL_CB_OK;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		ret = MNL_CB_ERROR;
		goto out;
	}
	if (!ours(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE)))
		goto out;
	s->exists = true;
	/* Ours always fit; a longer name is someone else's, and never one we look up. */
	if (strlen(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME)) >= NETD_NFT_CHAIN_MAX)
		goto out;
	k = grow(&s->chains, &s->n_chains, sizeof(*k));
	if (!k) {
		errno = ENOMEM;
		ret = MNL_CB_ERROR;
		goto out;
	}
	chain_facts(c, k);
out:
	nftnl_chain_free(c);
	return ret;
}

struct rule_dump {
	struct nft_ktable *s;
	struct nft_kchain *last; /* rules come chain by chain */
};

static int add_rule(struct rule_dump *d, struct nftnl_rule *r)
{
	const char *chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	struct nft_kchain *k = d->last;
	char *text, **slot;

	if (!k || strcmp(k->name, chain) != 0)
		k = (struct nft_kchain *)nft_snap_chain(d->s, chain);
	/* A chain made after the chains were read: the generation check reads again. */
	if (!k)
		return 0;
	d->last = k;
	if (nft_rule_canon(r, &text) < 0)
		return -ENOMEM;
	slot = grow(&k->rules, &k->n_rules, sizeof(*slot));
	if (!slot) {
		free(text);
		return -ENOMEM;
	}
	*slot = text;
	return 0;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	int ret = MNL_CB_OK;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		ret = MNL_CB_ERROR;
	} else if (ours(nftnl_rule_get_str(r, NFTNL_RULE_TABLE)) && add_rule(data, r) < 0) {
		errno = ENOMEM;
		ret = MNL_CB_ERROR;
	}
	nftnl_rule_free(r);
	return ret;
}

static void rule_request(struct nlmsghdr *nlh, void *arg)
{
	nftnl_rule_nlmsg_build_payload(nlh, arg);
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_ktable *s = data;
	struct nftnl_set *set = nftnl_set_alloc();
	struct nft_kset *k;
	int ret = MNL_CB_OK;

	if (!set)
		return MNL_CB_ERROR;
	if (nftnl_set_nlmsg_parse(nlh, set) < 0) {
		ret = MNL_CB_ERROR;
		goto out;
	}
	if (!ours(nftnl_set_get_str(set, NFTNL_SET_TABLE)) ||
	    strlen(nftnl_set_get_str(set, NFTNL_SET_NAME)) >= NFT_SET_NAME)
		goto out;
	k = grow(&s->sets, &s->n_sets, sizeof(*k));
	if (!k) {
		errno = ENOMEM;
		ret = MNL_CB_ERROR;
		goto out;
	}
	snprintf(k->name, sizeof(k->name), "%s", nftnl_set_get_str(set, NFTNL_SET_NAME));
	k->flags = nftnl_set_get_u32(set, NFTNL_SET_FLAGS);
	k->key_type = nftnl_set_get_u32(set, NFTNL_SET_KEY_TYPE);
	k->key_len = nftnl_set_get_u32(set, NFTNL_SET_KEY_LEN);
	k->data_type = nftnl_set_get_u32(set, NFTNL_SET_DATA_TYPE);
out:
	nftnl_set_free(set);
	return ret;
}

static void set_request(struct nlmsghdr *nlh, void *arg)
{
	nftnl_set_nlmsg_build_payload(nlh, arg);
}

/* ---- elements ---- */

struct raw_elem {
	struct nft_elem e;
	bool end; /* an interval's end, sent as an element of its own */
};

struct raw_elems {
	struct raw_elem *v;
	size_t n;
};

static int owner_cb(const struct nftnl_udata *attr, void *data)
{
	struct nft_elem *e = data;
	const char *c = nftnl_udata_get(attr);
	size_t plen = strlen(NFT_DIGEST_PREFIX), len = nftnl_udata_len(attr);

	/* A forward's element says whose it is: comment "netd:<network>". */
	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT && len > plen &&
	    len - plen <= NETD_NAME_MAX && strncmp(c, NFT_DIGEST_PREFIX, plen) == 0)
		snprintf(e->owner, NETD_NAME_MAX, "%.*s", (int)(len - plen), c + plen);
	return 0;
}

/* What a map element holds besides its key and verdict: data, and its owner's comment. */
static void nft_elem_facts(struct nftnl_set_elem *el, struct nft_elem *e)
{
	uint32_t len = 0;
	const void *v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_DATA, &len);

	if (v && len <= sizeof(e->data) && !nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_VERDICT)) {
		memcpy(e->data, v, len);
		e->data_len = len;
	}
	v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_USERDATA, &len);
	if (v)
		nftnl_udata_parse(v, len, owner_cb, e);
}

static int collect_elem(struct nftnl_set_elem *el, void *data)
{
	struct raw_elems *raw = data;
	struct raw_elem *r;
	const void *key;
	uint32_t len = 0, end_len = 0;

	key = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &len);
	if (!key || len == 0 || len > NFT_KEY_MAX)
		return 0;
	r = grow(&raw->v, &raw->n, sizeof(*r));
	if (!r)
		return -1;
	memcpy(r->e.key, key, len);
	r->e.key_len = len;
	if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS))
		r->end =
		    nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END;
	/* Concatenated ranges carry their end in the element itself. */
	key = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY_END, &end_len);
	if (key && end_len == len) {
		memcpy(r->e.key_end, key, len);
		r->e.has_end = true;
		r->e.end_attr = true;
	}
	if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_VERDICT)) {
		r->e.has_verdict = true;
		r->e.verdict = (int32_t)nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_VERDICT);
	}
	if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_CHAIN))
		snprintf(r->e.chain, sizeof(r->e.chain), "%s",
		         nftnl_set_elem_get_str(el, NFTNL_SET_ELEM_CHAIN));
	nft_elem_facts(el, &r->e);
	return 0;
}

static int cmp_raw(const void *a, const void *b)
{
	const struct raw_elem *x = a, *y = b;
	int c = memcmp(x->e.key, y->e.key, NFT_KEY_MAX);

	if (c)
		return c;
	/* Adjacent intervals share a key: one's end (exclusive) is the next one's start. The
	 * end sorts first, so each start is paired with its own end, not its neighbour's. */
	return (int)y->end - (int)x->end;
}

/* Intervals come back as a start element (with the verdict) and an end element: pair each
 * start with the end that follows it in key order (keys are in network byte order). */
static int fold_elems(struct raw_elem *raw, size_t n, bool interval, struct nft_kset *k)
{
	size_t m = 0;

	if (n == 0)
		return 0;
	if (interval)
		qsort(raw, n, sizeof(*raw), cmp_raw);
	k->elems = calloc(n, sizeof(*k->elems));
	if (!k->elems)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (raw[i].end)
			continue;
		k->elems[m] = raw[i].e;
		if (interval && !raw[i].e.has_end && i + 1 < n && raw[i + 1].end) {
			memcpy(k->elems[m].key_end, raw[i + 1].e.key, raw[i].e.key_len);
			k->elems[m].has_end = true;
		}
		m++;
	}
	k->n_elems = m;
	return 0;
}

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	return nftnl_set_elems_nlmsg_parse(nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static void elem_request(struct nlmsghdr *nlh, void *arg)
{
	nftnl_set_elems_nlmsg_build_payload(nlh, arg);
}

static int dump_elems(struct netd_nft *nft, uint8_t family, struct nft_kset *k)
{
	struct nftnl_set *set = nft_set_new(family, k->name);
	struct raw_elems raw = {0};
	int ret;

	if (!set)
		return -ENOMEM;
	ret = nft_dump_family(nft, family, NFT_MSG_GETSETELEM, elem_request, set, elem_cb, set);
	if (ret == 0 && nftnl_set_elem_foreach(set, collect_elem, &raw) < 0)
		ret = -ENOMEM;
	if (ret == 0)
		ret = fold_elems(raw.v, raw.n, k->flags & NFT_SET_INTERVAL, k);
	if (ret == 0)
		ret = nft_kset_index(k);
	/* The kernel dumps a hash set in parts, each walking the table again and skipping as
	 * many elements as the parts before sent: when the table was resized in between (the
	 * kernel does so in the background after many inserts), the order changed, and the dump
	 * repeats some elements and misses as many (a full test run once read 196 of 1000
	 * forwards missing right after netd wrote them). A repeated key is that; the dump is
	 * taken again, as when the ruleset changed under it. */
	if (ret == 0 && nft_kset_repeats_key(k))
		ret = -EINTR;
	free(raw.v);
	nftnl_set_free(set);
	return ret;
}

/* ---- the snapshot ---- */

/* The ruleset's generation: one request, one NEWGEN reply (no dump, no ack). */
int nft_ruleset_gen(struct netd_nft *nft, uint32_t *gen)
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
	nft->read_msgs++;
	nft->read_bytes += (uint64_t)len;
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

/* Every dump of table <family> netd once (its rules when rules); -EINTR when the ruleset
 * changed during one of them. */
static int read_table(struct netd_nft *nft, uint8_t family, bool rules, struct nft_ktable *t)
{
	struct rule_dump rd = {.s = t};
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_set *set = nft_set_new(family, NULL);
	int ret = -ENOMEM;

	if (!r || !set)
		goto out;
	ret = nft_dump_family(nft, family, NFT_MSG_GETCHAIN, NULL, NULL, chain_cb, t);
	if (ret < 0)
		goto out;
	if (t->n_chains)
		qsort(t->chains, t->n_chains, sizeof(*t->chains), cmp_chain);
	ret = nft_dump_family(nft, family, NFT_MSG_GETSET, set_request, set, set_cb, t);
	if (ret == -ENOENT) { /* no table at all */
		ret = t->exists ? -EINTR : 0;
		goto out;
	}
	if (t->n_sets)
		qsort(t->sets, t->n_sets, sizeof(*t->sets), cmp_set);
	t->exists |= t->n_sets > 0;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NETD_NFT_TABLE);
	if (ret == 0 && rules && t->n_chains)
		ret = nft_dump_family(nft, family, NFT_MSG_GETRULE, rule_request, r, rule_cb, &rd);
	for (size_t i = 0; i < t->n_sets && ret == 0; i++)
		ret = dump_elems(nft, family, &t->sets[i]);
	/* Something deleted between the dumps: the generation moved, read again. */
	if (ret == -ENOENT)
		ret = -EINTR;
out:
	if (r)
		nftnl_rule_free(r);
	if (set)
		nftnl_set_free(set);
	return ret;
}

static void chain_request(struct nlmsghdr *nlh, void *arg)
{
	nftnl_chain_nlmsg_build_payload(nlh, arg);
}

int nft_chain_read(struct netd_nft *nft, uint8_t family, const char *name, struct nft_kchain *k)
{
	struct nft_ktable one = {0};
	struct rule_dump rd = {.s = &one};
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_rule *r = nftnl_rule_alloc();
	int ret = -ENOMEM;

	if (!c || !r)
		goto out;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, family);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NETD_NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	ret = nft_get_family(nft, family, NFT_MSG_GETCHAIN, chain_request, c, chain_cb, &one);
	if (ret == -ENOENT || (ret == 0 && one.n_chains != 1)) {
		ret = 0;
		goto out;
	}
	if (ret < 0)
		goto out;
	/* The kernel filters a dump of rules by table and chain: only this chain's come. */
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NETD_NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, name);
	rd.last = &one.chains[0];
	ret = nft_dump_family(nft, family, NFT_MSG_GETRULE, rule_request, r, rule_cb, &rd);
	if (ret == 0) {
		*k = one.chains[0];
		one.chains[0].rules = NULL;
		one.chains[0].n_rules = 0;
		ret = 1;
	}
out:
	nft_ktable_release(&one);
	if (c)
		nftnl_chain_free(c);
	if (r)
		nftnl_rule_free(r);
	return ret;
}

int nft_ktable_read(struct netd_nft *nft, uint8_t family, bool rules, struct nft_ktable *t)
{
	int ret = -EINTR;

	for (int tries = 0; tries < SNAPSHOT_TRIES && ret == -EINTR; tries++) {
		nft_ktable_release(t);
		ret = read_table(nft, family, rules, t);
	}
	if (ret < 0)
		nft_ktable_release(t);
	return ret;
}

/* Read after the generation and check it again after: a snapshot is of one generation, or
 * it is read again. */
static int snapshot_read(struct netd_nft *nft, struct nft_snapshot *s)
{
	uint32_t before, after;
	int ret = -EAGAIN;

	for (int tries = 0; tries < SNAPSHOT_TRIES && ret == -EAGAIN; tries++) {
		nft_snapshot_release(s);
		ret = nft_ruleset_gen(nft, &before);
		if (ret == 0)
			ret = read_table(nft, NFPROTO_INET, true, &s->inet);
		if (ret == 0)
			ret = read_table(nft, NFPROTO_BRIDGE, true, &s->bridge);
		if (ret == 0)
			ret = nft_ruleset_gen(nft, &after);
		if (ret == -EINTR || (ret == 0 && after != before))
			ret = -EAGAIN;
		else if (ret == 0)
			s->gen = before;
	}
	if (ret < 0) {
		nft_snapshot_release(s);
		return ret;
	}
	s->valid = true;
	return 0;
}

int nft_snapshot_get(struct netd_nft *nft, const struct nft_snapshot **out)
{
	uint32_t gen = 0;
	int ret;

	*out = NULL;
	if (nft->hold && nft->hold_checked && nft->snap.valid)
		goto done;
	if (nft->snap.valid) {
		ret = nft_ruleset_gen(nft, &gen);
		if (ret < 0)
			return ret;
	}
	if (!nft->snap.valid || nft->snap.gen != gen) {
		ret = snapshot_read(nft, &nft->snap);
		if (ret < 0)
			return ret;
	}
	nft->hold_checked = true;
done:
	*out = &nft->snap;
	return 0;
}

void netd_nft_observe_hold(struct netd_nft *nft, bool hold)
{
	nft->hold = hold;
	nft->hold_checked = false;
}

int netd_nft_list_networks(struct netd_nft *nft, char (**names)[NETD_NAME_MAX], size_t *n)
{
	const char *in = netd_nft_chain_prefix(NETD_NFT_CHAIN_IN);
	const struct nft_snapshot *s;
	char(*v)[NETD_NAME_MAX] = NULL;
	size_t m = 0;
	int ret;

	*names = NULL;
	*n = 0;
	ret = nft_snapshot_get(nft, &s);
	if (ret < 0)
		return ret;
	if (s->inet.n_chains) {
		v = calloc(s->inet.n_chains, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	for (size_t i = 0; i < s->inet.n_chains; i++)
		if (strncmp(s->inet.chains[i].name, in, strlen(in)) == 0 &&
		    nft_chain_network(s->inet.chains[i].name, v[m]))
			m++;
	*names = v;
	*n = m;
	return 0;
}
