/*
 * A table's frame, what every network in it shares (nft_spec.c describes both tables'): its
 * base chains with their dispatch rules, and its maps. Checked against what the kernel has,
 * and put in a batch, made again where the kernel's cannot be changed in place.
 */
/* nft_priv.h (netinet/in.h) before the kernel headers, or they clash */
#include "nft_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

bool nft_frame_base_ok(const struct nft_ktable *t, const struct nft_frame *f, size_t i)
{
	const struct nft_base_spec *spec = &f->base[i];
	const struct nft_kchain *k = nft_snap_chain(t, spec->name);

	return k && k->hooked && k->hook == spec->hook && k->prio == spec->prio &&
	       strcmp(k->type, spec->type) == 0;
}

bool nft_frame_map_ok(const struct nft_ktable *t, const struct nft_map_spec *m)
{
	const struct nft_kset *set = nft_snap_set(t, m->name);

	return !set || (set->flags == m->flags && set->key_type == m->key_type &&
	                set->key_len == m->key_len && set->data_type == m->data_type);
}

/*
 * A base chain on the wrong hook, or a map defined otherwise, cannot be changed in place:
 * both go, to be made again in the same batch. A map's rules (the base chains' dispatch) go
 * first; they are added again too.
 */
static int put_unfit(struct nft_batch *b, const struct nft_ktable *t, const struct nft_frame *f)
{
	bool maps_bad = false;
	int ret = 0;

	for (size_t m = 0; m < f->n_maps; m++)
		maps_bad |= !nft_frame_map_ok(t, &f->maps[m]);
	for (size_t i = 0; i < f->n_base && !ret; i++) {
		bool unfit = !nft_frame_base_ok(t, f, i);

		if (!nft_snap_chain(t, f->base[i].name) || (!unfit && !maps_bad))
			continue;
		ret = nft_put_flush(b, f->base[i].name);
		if (!ret && unfit)
			ret = nft_put_chain(b, NFT_MSG_DELCHAIN, f->base[i].name);
	}
	for (size_t m = 0; m < f->n_maps && !ret; m++)
		if (!nft_frame_map_ok(t, &f->maps[m]))
			ret = nft_put_del_map(b, &f->maps[m]);
	return ret;
}

int nft_put_frame(struct nft_batch *b, const struct nft_ktable *t, const struct nft_frame *f)
{
	uint8_t family = b->family;
	int ret = 0;

	b->family = f->family;
	if (t && t->exists)
		ret = put_unfit(b, t, f);
	if (!ret)
		ret = nft_put_table(b);
	for (size_t m = 0; m < f->n_maps && !ret; m++)
		ret = nft_put_map(b, &f->maps[m], f->first_set_id + (uint32_t)m);
	/* Flushed and re-added every time: the batch is atomic, and a damaged base heals. */
	for (size_t i = 0; i < f->n_base && !ret; i++) {
		const struct nft_base_spec *spec = &f->base[i];

		ret = nft_put_base_chain(b, spec);
		if (!ret)
			ret = nft_put_flush(b, spec->name);
		for (size_t r = 0; r < spec->n_rules && !ret; r++)
			ret = nft_put_dispatch(b, spec->name, r, &spec->rules[r]);
	}
	b->family = family;
	return ret;
}

static int check_base(struct nft_report *r, const struct nft_ktable *t, const struct nft_frame *f,
                      size_t i)
{
	const struct nft_base_spec *spec = &f->base[i];
	const struct nft_kchain *k = nft_snap_chain(t, spec->name);
	struct nft_wanted w = {0};
	int ret = 0;

	if (!k) {
		nft_note(r, NFT_G_TABLE, "%s: chain missing", spec->name);
		return 0;
	}
	if (!nft_frame_base_ok(t, f, i))
		nft_note(r, NFT_G_TABLE, "%s: not a %s chain on its hook at priority %d",
		         spec->name, spec->type, spec->prio);
	else if (k->policy != NF_ACCEPT)
		nft_note(r, NFT_G_TABLE, "%s: policy %s", spec->name,
		         k->policy == NF_DROP ? "drop" : "other than accept");
	for (size_t n = 0; n < spec->n_rules && !ret; n++) {
		int err = 0;
		struct nftnl_rule *rule =
		    nft_dispatch_build(f->family, spec->name, &spec->rules[n], &err);

		ret = nft_wanted_add(&w, rule, err);
	}
	if (!ret)
		ret = nft_check_rules(r, NFT_G_TABLE, k, &w);
	nft_wanted_release(&w);
	return ret;
}

int nft_check_frame(struct nft_report *r, const struct nft_ktable *t, const struct nft_frame *f)
{
	int ret = 0;

	for (size_t i = 0; i < f->n_base && !ret; i++)
		ret = check_base(r, t, f, i);
	for (size_t m = 0; m < f->n_maps; m++) {
		if (!nft_snap_set(t, f->maps[m].name))
			nft_note(r, NFT_G_TABLE, "map %s missing", f->maps[m].name);
		else if (!nft_frame_map_ok(t, &f->maps[m]))
			nft_note(r, NFT_G_TABLE, "map %s: defined otherwise", f->maps[m].name);
	}
	return ret;
}
