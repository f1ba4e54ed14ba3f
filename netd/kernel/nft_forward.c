/*
 * Port forwards in table inet netd (include/netd/nft.h, "Port forwards"): the base chains'
 * lookups as libnftnl rules, the same expressions nft(8) makes of their text, and each
 * network's elements of the four forward maps, labelled with its name so that they are found
 * again whatever the config says by then (a `down` after an edit, a forward removed).
 */
/* nft_priv.h (netinet/in.h) before the kernel headers, or they clash */
#include "nft_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <libnftnl/udata.h>

#define ELEMS_PER_MSG 64 /* elements in one batch message: well inside a batch page */

static int immediate(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	}
	return nft_add_expr(r, e);
}

/* fib daddr type local: the packet is for one of the host's addresses. */
static int fib_local(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("fib"), *c;
	uint32_t local = RTN_LOCAL;

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	}
	if (nft_add_expr(r, e) < 0)
		return -ENOMEM;
	c = nftnl_expr_alloc("cmp");
	if (c) {
		nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(c, NFTNL_EXPR_CMP_DATA, &local, sizeof(local));
	}
	return nft_add_expr(r, c);
}

/* dnat to the guest's address (register 1) and port (register 9) the map gave. The kernel
 * echoes the flags and the max registers it derives, so they are given as it will show them. */
static int dnat(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("nat");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG32_01);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG32_01);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS,
		                   NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED);
	}
	return nft_add_expr(r, e);
}

static int match(struct nftnl_rule *r, struct nft_deps *d, enum netd_nft_match_kind k,
                 uint32_t addr, uint8_t len)
{
	struct netd_nft_match m = {.kind = k};

	m.u.prefix.addr.s_addr = htonl(addr);
	m.u.prefix.len = len;
	return nft_put_match(r, d, &m);
}

int nft_fwd_skip_rule(struct nftnl_rule *r, struct nft_deps *d)
{
	int ret = nft_fwd_key_lookup(r, d, true, NETD_NFT_FWD_SKIP, false);

	return ret ? ret : immediate(r, NF_ACCEPT);
}

int nft_fwd_dnat_addr_rule(struct nftnl_rule *r, struct nft_deps *d)
{
	int ret = nft_need_ipv4(r, d);

	if (!ret)
		ret = fib_local(r);
	if (!ret)
		ret = nft_fwd_key_lookup(r, d, true, NETD_NFT_FWD_ADDR, true);
	return ret ? ret : dnat(r);
}

/* Loopback only where HostAddress=127.x says so (fwd_addr): it needs route_localnet. */
int nft_fwd_dnat_any_rule(struct nftnl_rule *r, struct nft_deps *d)
{
	int ret = match(r, d, NETD_NFT_M_IP_DADDR_NE, 0x7f000000u, 8);

	if (!ret)
		ret = fib_local(r);
	if (!ret)
		ret = nft_fwd_key_lookup(r, d, false, NETD_NFT_FWD_ANY, true);
	return ret ? ret : dnat(r);
}

/* A forwarded connection from 127.0.0.0/8 leaves through the bridge as the host's address
 * there: the guest could not answer loopback. */
int nft_fwd_masq_lo_rule(struct nftnl_rule *r, struct nft_deps *d)
{
	int ret = match(r, d, NETD_NFT_M_IP_SADDR, 0x7f000000u, 8);

	if (!ret)
		ret = match(r, d, NETD_NFT_M_CT_DNAT, 0, 0);
	if (!ret)
		ret = match(r, d, NETD_NFT_M_FWD_ALLOW, 0, 0);
	return ret ? ret : nft_add_expr(r, nftnl_expr_alloc("masq"));
}

/* ---- the elements ---- */

struct fwd_elem {
	const char *map;
	struct nft_elem e;
};

struct fwd_want {
	struct fwd_elem *v;
	size_t n;
};

/* An address, a protocol, a port: each field a register's 4 bytes, as the rules load them. */
static uint32_t put_field(uint8_t *buf, uint32_t off, const void *v, size_t len)
{
	memcpy(buf + off, v, len);
	return off + 4;
}

static void fill(struct nft_elem *e, const char *owner, const struct in_addr *addr, uint8_t proto,
                 uint16_t port)
{
	uint16_t be = htons(port);
	uint32_t off = 0;

	memset(e, 0, sizeof(*e));
	if (addr)
		off = put_field(e->key, off, &addr->s_addr, 4);
	off = put_field(e->key, off, &proto, 1);
	e->key_len = put_field(e->key, off, &be, 2);
	snprintf(e->owner, sizeof(e->owner), "%s", owner);
}

static bool wanted_has(const struct fwd_want *w, const char *map, const struct nft_elem *e)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].map == map && nft_elem_same(&w->v[i].e, e))
			return true;
	return false;
}

static bool wanted_key(const struct fwd_want *w, const char *map, const struct nft_elem *e)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].map == map && nft_elem_same_key(&w->v[i].e, e))
			return true;
	return false;
}

static void want_add(struct fwd_want *w, const char *map, const struct nft_elem *e)
{
	/* Two forwards to one guest port share its fwd_allow element. */
	if (wanted_has(w, map, e))
		return;
	w->v[w->n].map = map;
	w->v[w->n++].e = *e;
}

static int want_build(const struct netd_nft_net *x, struct fwd_want *w)
{
	struct nft_elem e;

	w->n = 0;
	w->v = calloc(x ? 3 * x->n_fwds + 1 : 1, sizeof(*w->v));
	if (!w->v)
		return -ENOMEM;
	for (size_t i = 0; x && i < x->n_fwds; i++) {
		const struct netd_nft_fwd *f = &x->fwds[i];
		uint16_t be = htons(f->guest_port);

		fill(&e, x->network, f->host_addr.s_addr ? &f->host_addr : NULL, f->proto,
		     f->host_port);
		memcpy(e.data, &f->guest.s_addr, 4);
		memcpy(e.data + 4, &be, 2);
		e.data_len = 8;
		want_add(w, f->host_addr.s_addr ? NETD_NFT_FWD_ADDR : NETD_NFT_FWD_ANY, &e);
		if (!f->host_addr.s_addr) {
			fill(&e, x->network, &x->bridge_addr, f->proto, f->host_port);
			want_add(w, NETD_NFT_FWD_SKIP, &e);
		}
		fill(&e, x->network, &f->guest, f->proto, f->guest_port);
		want_add(w, NETD_NFT_FWD_ALLOW, &e);
	}
	return 0;
}

static const char *const fwd_maps[NFT_FWD_MAPS] = {NETD_NFT_FWD_ADDR, NETD_NFT_FWD_ANY,
                                                   NETD_NFT_FWD_SKIP, NETD_NFT_FWD_ALLOW};

static int add_comment(struct nftnl_set_elem *el, const char *owner)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NETD_NAME_MAX + 16);
	char c[NETD_NAME_MAX + 8];

	if (!ud)
		return -ENOMEM;
	snprintf(c, sizeof(c), NFT_DIGEST_PREFIX "%s", owner);
	nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_ELEM_COMMENT, c);
	nftnl_set_elem_set(el, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(ud),
	                   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return 0;
}

/* One message adding (or deleting) elements v[0..n) of map. */
static int put_elems(struct nft_batch *b, uint16_t type, const char *map,
                     const struct nft_elem *const *v, size_t n)
{
	struct nftnl_set *s = nft_set_new(b->family, map);
	struct nlmsghdr *nlh;
	int ret = 0;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n && !ret; i++) {
		struct nftnl_set_elem *el = nftnl_set_elem_alloc();

		if (!el) {
			ret = -ENOMEM;
			break;
		}
		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, v[i]->key, v[i]->key_len);
		if (type == NFT_MSG_NEWSETELEM && v[i]->data_len)
			nftnl_set_elem_set(el, NFTNL_SET_ELEM_DATA, v[i]->data, v[i]->data_len);
		if (type == NFT_MSG_NEWSETELEM)
			ret = add_comment(el, v[i]->owner);
		nftnl_set_elem_add(s, el);
	}
	nlh = ret ? NULL
	          : nft_batch_msg(b, type, type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0,
	                          "%s %zu element(s) of network %s %s map %s",
	                          type == NFT_MSG_NEWSETELEM ? "adding" : "deleting", n,
	                          v[0]->owner, type == NFT_MSG_NEWSETELEM ? "to" : "from", map);
	if (nlh) {
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nft_batch_next(b);
	}
	nftnl_set_free(s);
	return ret ? ret : b->err;
}

/* The elements of v (n of them) in messages of ELEMS_PER_MSG. */
static int put_chunks(struct nft_batch *b, uint16_t type, const char *map,
                      const struct nft_elem **v, size_t n)
{
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i += ELEMS_PER_MSG)
		ret = put_elems(b, type, map, v + i, n - i < ELEMS_PER_MSG ? n - i : ELEMS_PER_MSG);
	return ret;
}

/* Map m: the network's elements that x does not want out, what x wants and the kernel lacks
 * in. A map the frame makes again in this batch (unfit) has none left to delete. */
static int put_map(struct nft_batch *b, const struct nft_ktable *t, const struct fwd_want *w,
                   const char *network, const char *map, const struct nft_elem **v)
{
	const struct nft_kset *set = nft_snap_set(t, map);
	const struct nft_map_spec *spec = nft_map_spec_of(NFPROTO_INET, map);
	bool fit = set && spec && nft_frame_map_ok(t, spec);
	size_t n = 0;
	int ret;

	for (size_t i = 0; fit && i < set->n_elems; i++)
		if (strcmp(set->elems[i].owner, network) == 0 &&
		    !wanted_has(w, map, &set->elems[i]))
			v[n++] = &set->elems[i];
	ret = put_chunks(b, NFT_MSG_DELSETELEM, map, v, n);
	n = 0;
	for (size_t i = 0; i < w->n; i++) {
		const struct nft_elem *have;

		if (w->v[i].map != map)
			continue;
		have = fit ? nft_set_find_key(set, &w->v[i].e) : NULL;
		if (!have || !nft_elem_same(have, &w->v[i].e))
			v[n++] = &w->v[i].e;
	}
	return ret ? ret : put_chunks(b, NFT_MSG_NEWSETELEM, map, v, n);
}

int nft_put_forwards(struct nft_batch *b, const struct nft_ktable *t, const struct netd_nft_net *x,
                     const char *network)
{
	struct fwd_want w;
	const struct nft_elem **v = NULL;
	size_t most = 0;
	int ret = want_build(x, &w);

	for (size_t m = 0; m < t->n_sets; m++)
		most += t->sets[m].n_elems;
	if (!ret && !(v = calloc(most + w.n + 1, sizeof(*v))))
		ret = -ENOMEM;
	for (size_t m = 0; m < NFT_FWD_MAPS && !ret; m++)
		ret = put_map(b, t, &w, network, fwd_maps[m], v);
	free(v);
	free(w.v);
	return ret;
}

int nft_check_forwards(struct nft_report *r, const struct nft_ktable *t,
                       const struct netd_nft_net *x)
{
	struct fwd_want w;
	int ret = want_build(x, &w);

	for (size_t m = 0; m < NFT_FWD_MAPS && !ret; m++) {
		const char *map = fwd_maps[m];
		const struct nft_kset *set = nft_snap_set(t, map);
		unsigned missing = 0, changed = 0, stale = 0;

		for (size_t i = 0; i < w.n; i++) {
			const struct nft_elem *have;

			if (w.v[i].map != map)
				continue;
			have = nft_set_find_key(set, &w.v[i].e);
			missing += !have;
			changed += have && !nft_elem_same(have, &w.v[i].e);
		}
		for (size_t i = 0; set && i < set->n_elems; i++)
			stale += strcmp(set->elems[i].owner, x->network) == 0 &&
			         !wanted_key(&w, map, &set->elems[i]);
		if (missing || changed || stale)
			nft_note(r, NFT_G_ELEMS,
			         "%s: %u forward element(s) missing, %u changed, %u not wanted",
			         map, missing, changed, stale);
	}
	free(w.v);
	return ret;
}
