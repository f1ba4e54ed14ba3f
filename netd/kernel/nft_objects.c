/* The objects of netd's tables as batch messages, in the table of the batch's family
 * (b->family): the table, its maps (nft_spec.c), its chains and the maps' elements. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/udata.h>

#include "nft_priv.h"

static const char *family_name(const struct nft_batch *b)
{
	return b->family == NFPROTO_BRIDGE ? "bridge" : "inet";
}

static int put_table(struct nft_batch *b, uint16_t type)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, b->family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NETD_NFT_TABLE);
	nlh = nft_batch_msg(b, type, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0, "%s table %s %s",
	                    type == NFT_MSG_NEWTABLE ? "creating" : "deleting", family_name(b),
	                    NETD_NFT_TABLE);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		nft_batch_next(b);
		if (type == NFT_MSG_NEWTABLE)
			nft_batch_note_kept(b, NULL);
	}
	nftnl_table_free(t);
	return b->err;
}

int nft_put_table(struct nft_batch *b)
{
	return put_table(b, NFT_MSG_NEWTABLE);
}

int nft_put_del_table(struct nft_batch *b)
{
	return put_table(b, NFT_MSG_DELTABLE);
}

struct nftnl_set *nft_set_new(uint8_t family, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, family);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NETD_NFT_TABLE);
	if (name)
		nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	return s;
}

int nft_put_map(struct nft_batch *b, const struct nft_map_spec *m, uint32_t id)
{
	struct nftnl_set *s = nft_set_new(b->family, m->name);
	struct nftnl_udata_buf *ud;
	struct nlmsghdr *nlh;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, m->flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, m->key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, m->key_len);
	/* A plain set (the forwards' fwd_skip, fwd_allow) has no data: the kernel refuses one. */
	if (m->flags & NFT_SET_MAP)
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, m->data_type);
	if (m->data_len)
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, m->data_len);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	/* nft's own set userdata: without the key byte order it prints ifnames backwards. */
	ud = nftnl_udata_buf_alloc(64);
	if (!ud) {
		nftnl_set_free(s);
		return -ENOMEM;
	}
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, m->key_byteorder);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER, 0);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATA_INTERVAL, 0);
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
	                   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	nlh = nft_batch_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE, "creating map %s", m->name);
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		nft_batch_next(b);
		nft_batch_note_kept(b, m->name);
	}
	nftnl_set_free(s);
	return b->err;
}

int nft_put_del_map(struct nft_batch *b, const struct nft_map_spec *m)
{
	struct nftnl_set *s = nft_set_new(b->family, m->name);
	struct nlmsghdr *nlh;

	if (!s)
		return -ENOMEM;
	nlh = nft_batch_msg(b, NFT_MSG_DELSET, 0, "deleting map %s", m->name);
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
		nft_batch_note_chain(b, name);
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
	/* The digest rides on the first rule as a label for whoever reads `nft list`: nothing
	 * trusts it, the rules themselves are compared. */
	for (size_t i = 0; i < c->n_rules && !ret; i++)
		ret = nft_put_rule(b, c->name, i, &c->rules[i], i == 0 ? comment : NULL);
	return ret;
}

int nft_put_base_chain(struct nft_batch *b, const struct nft_base_spec *spec)
{
	struct nftnl_chain *c = chain_new(b, spec->name);

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, spec->type);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, spec->hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, spec->prio);
	/* Traffic that is not a netd network's is not ours to judge. */
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	return send_chain(b, c, NFT_MSG_NEWCHAIN);
}

void nft_ifname_elem(const char *key, const char *chain, struct nft_elem *e)
{
	memset(e, 0, sizeof(*e));
	e->has_verdict = true;
	e->verdict = NFT_JUMP;
	snprintf(e->chain, sizeof(e->chain), "%s", chain);
	/* nft pads an ifname key to IFNAMSIZ with zeros. */
	snprintf((char *)e->key, IFNAMSIZ, "%s", key);
	e->key_len = IFNAMSIZ;
}

/* The IPv6 prefix as an interval: its network, and (exclusive) the address after its last
 * one, unless it reaches the top of the address space. */
static void wanted_elem6(const struct netd_nft_net *x, struct nft_elem *e)
{
	uint8_t end[16];
	unsigned carry = 1;

	memcpy(e->key, &x->subnet6.addr, 16);
	e->key_len = 16;
	memcpy(end, &x->subnet6.addr, 16);
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = x->subnet6.len > i * 8 ? x->subnet6.len - i * 8 : 0;

		if (bits < 8)
			end[i] |= (uint8_t)(0xffu >> bits);
	}
	for (int i = 15; i >= 0 && carry; i--) {
		unsigned v = end[i] + carry;

		end[i] = (uint8_t)v;
		carry = v >> 8;
	}
	if (!carry) {
		memcpy(e->key_end, end, 16);
		e->has_end = true;
	}
}

/* The element a network wants in map k: its bridge, or its subnet for nat_src. */
static void wanted_elem(const struct netd_nft_net *x, enum netd_nft_chain_kind k,
                        struct nft_elem *e)
{
	struct in_addr net = netd_prefix_network(&x->subnet);
	uint32_t bcast = ntohl(netd_prefix_broadcast(&x->subnet).s_addr);

	if (nft_maps[k].key_type == NFT_TYPE_IFNAME) {
		nft_ifname_elem(x->bridge, x->chains[k].name, e);
		return;
	}
	memset(e, 0, sizeof(*e));
	e->has_verdict = true;
	e->verdict = NFT_JUMP;
	snprintf(e->chain, sizeof(e->chain), "%s", x->chains[k].name);
	if (nft_maps[k].key_type == NFT_TYPE_IP6ADDR) {
		wanted_elem6(x, e);
		return;
	}
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

size_t nft_want_elems(const struct netd_nft_net *x, struct nft_want_elem *out)
{
	size_t n = 0;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		if (!x->chains[k].present)
			continue;
		out[n].map = k;
		wanted_elem(x, k, &out[n].e);
		n++;
	}
	return n;
}

bool nft_elem_same_key(const struct nft_elem *a, const struct nft_elem *b)
{
	return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0 &&
	       a->has_end == b->has_end &&
	       (!a->has_end || memcmp(a->key_end, b->key_end, a->key_len) == 0);
}

bool nft_elem_same(const struct nft_elem *a, const struct nft_elem *b)
{
	return nft_elem_same_key(a, b) && a->has_verdict == b->has_verdict &&
	       (!a->has_verdict || a->verdict == b->verdict) && strcmp(a->chain, b->chain) == 0 &&
	       a->data_len == b->data_len && memcmp(a->data, b->data, a->data_len) == 0 &&
	       strcmp(a->owner, b->owner) == 0;
}

/* An IPv4 interval as nft prints it: a prefix when it is one, else first-last. */
static void ipv4_key_text(const struct nft_elem *e, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN], z[INET_ADDRSTRLEN];
	uint32_t first, end, size;
	struct in_addr last;
	int plen = 32;

	inet_ntop(AF_INET, e->key, a, sizeof(a));
	if (!e->has_end) {
		snprintf(buf, len, "%s", a);
		return;
	}
	memcpy(&first, e->key, 4);
	memcpy(&end, e->key_end, 4);
	first = ntohl(first);
	size = ntohl(end) - first;
	while (plen > 0 && (1ull << (32 - plen)) < size)
		plen--;
	if ((1ull << (32 - plen)) == size && (first & (size - 1)) == 0) {
		snprintf(buf, len, "%s/%d", a, plen);
		return;
	}
	last.s_addr = htonl(ntohl(end) - 1);
	inet_ntop(AF_INET, &last, z, sizeof(z));
	snprintf(buf, len, "%s-%s", a, z);
}

/* An IPv6 interval as the prefix it is (netd makes no other kind). */
static void ipv6_key_text(const struct nft_elem *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	uint8_t last[16];
	unsigned plen = 0, borrow = 1;

	inet_ntop(AF_INET6, e->key, a, sizeof(a));
	if (!e->has_end) {
		snprintf(buf, len, "%s", a);
		return;
	}
	memcpy(last, e->key_end, 16);
	for (int i = 15; i >= 0 && borrow; i--) {
		borrow = last[i] == 0;
		last[i]--;
	}
	while (plen < 128 && ((e->key[plen / 8] ^ last[plen / 8]) & (0x80 >> (plen % 8))) == 0)
		plen++;
	snprintf(buf, len, "%s/%u", a, plen);
}

void nft_elem_key_text(const struct nft_elem *e, uint32_t key_type, char *buf, size_t len)
{
	size_t off = 0;

	if (key_type == NFT_TYPE_IFNAME) {
		snprintf(buf, len, "\"%.*s\"", (int)strnlen((const char *)e->key, e->key_len),
		         (const char *)e->key);
		return;
	}
	if (key_type == NFT_TYPE_IPADDR && e->key_len == 4) {
		ipv4_key_text(e, buf, len);
		return;
	}
	if (key_type == NFT_TYPE_IP6ADDR && e->key_len == 16) {
		ipv6_key_text(e, buf, len);
		return;
	}
	buf[0] = '\0';
	for (uint32_t i = 0; i < e->key_len && off + 3 < len; i++)
		off += snprintf(buf + off, len - off, "%s%02x", i ? "" : "0x", e->key[i]);
}

int nft_put_elem(struct nft_batch *b, uint16_t type, const char *map, const struct nft_elem *e)
{
	const struct nft_map_spec *m = nft_map_spec_of(b->family, map);
	struct nftnl_set *s = nft_set_new(b->family, map);
	struct nftnl_set_elem *el;
	struct nlmsghdr *nlh;
	char key[2 * NFT_KEY_MAX + 8];

	if (!s)
		return -ENOMEM;
	el = nftnl_set_elem_alloc();
	if (!el)
		goto nomem;
	nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, e->key, e->key_len);
	if (type == NFT_MSG_NEWSETELEM && e->has_verdict) {
		nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_VERDICT, (uint32_t)e->verdict);
		if (e->chain[0])
			nftnl_set_elem_set_str(el, NFTNL_SET_ELEM_CHAIN, e->chain);
	}
	if (e->has_end && e->end_attr)
		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY_END, e->key_end, e->key_len);
	nftnl_set_elem_add(s, el);
	if (e->has_end && !e->end_attr) {
		el = nftnl_set_elem_alloc();
		if (!el)
			goto nomem;
		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, e->key_end, e->key_len);
		nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
		nftnl_set_elem_add(s, el);
	}
	nft_elem_key_text(e, m ? m->key_type : 0, key, sizeof(key));
	if (type == NFT_MSG_NEWSETELEM)
		nlh = nft_batch_msg(b, type, NLM_F_CREATE, "adding element %s : jump %s to map %s",
		                    key, e->chain, map);
	else
		nlh = nft_batch_msg(b, type, 0, "deleting element %s (jump %s) from map %s", key,
		                    e->chain[0] ? e->chain : "-", map);
	if (nlh) {
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nft_batch_next(b);
		nft_batch_note_elem(b, type, map, e);
	}
	nftnl_set_free(s);
	return b->err;
nomem:
	nftnl_set_free(s);
	return -ENOMEM;
}
