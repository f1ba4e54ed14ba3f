/*
 * Port forwards in table inet netd (include/netd/nft.h, "Port forwards"): each network's
 * elements of the four forward maps, labelled with its name so that they are found again
 * whatever the config says by then (a `down` after an edit, a forward removed). The base
 * chains' lookups are nft_forward_rules.c's.
 */
/* nft_priv.h (netinet/in.h) before the kernel headers, or they clash */
#include "nft_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>
#include <libnftnl/udata.h>

#define ELEMS_PER_MSG 64 /* elements in one batch message: well inside a batch page */

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
		for (size_t i = 0; i < n; i++)
			nft_batch_note_elem(b, type, map, v[i]);
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
