/*
 * The taps of a network at up and down, as a diff: the config's [Tap]s, the record of what
 * netd made (attach_state.c) and the links the kernel has under those names give one op per
 * tap that needs anything. The planner asks whether there is any (a "sync taps" or "remove
 * taps" step); apply carries them out. Pure.
 *
 * Ownership: a link is netd's when it carries the alias netd:<network>; a name held by a link
 * without it is refused, never taken over. The settings of attached taps (`netdctl attach`)
 * that exist are never touched before down, so a netd that restarts keeps them as they are;
 * only their port is the network's, and one off the bridge goes back on it.
 */
#include <stdlib.h>
#include <string.h>

#include "netd/mode.h"
#include "netd/tap.h"

void netd_tap_links_clear(struct netd_tap_links *k)
{
	if (!k)
		return;
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

const struct netd_tap_link *netd_tap_links_find(const struct netd_tap_links *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i].name, name) == 0)
			return &k->v[i];
	return NULL;
}

static const struct netd_tap *declared(const struct netd_network *n, const char *tap)
{
	for (size_t i = 0; i < n->n_taps; i++)
		if (strcmp(n->taps[i].name, tap) == 0)
			return &n->taps[i];
	return NULL;
}

static const struct netd_tap_record *recorded(const struct netd_tap_state *rec, const char *tap)
{
	ssize_t i = netd_tap_state_find(rec, tap);

	return i >= 0 ? &rec->v[i] : NULL;
}

/* Whether a recorded [Tap]'s link differs from what netd_tap_configure() makes of it. */
static bool drifted(const struct netd_network *n, const struct netd_tap_record *r,
                    const struct netd_tap_link *l, unsigned bridge_mtu)
{
	return !l->ours || !l->enslaved || !l->up || memcmp(l->mac, r->host_mac, 6) != 0 ||
	       (bridge_mtu && l->mtu != bridge_mtu) ||
	       l->isolated != (int)netd_port_isolated(n, r->tap);
}

/* The op a [Tap] needs, or -1 for none. */
static int declared_op(const struct netd_network *n, const struct netd_tap_record *r,
                       const struct netd_tap_link *l, unsigned bridge_mtu)
{
	if (!l)
		return NETD_TAP_CREATE;
	if (!r || !r->declared)
		return l->ours ? NETD_TAP_ADOPT : NETD_TAP_CONFLICT;
	/* The record says netd made it for this [Tap]: put its settings back. */
	return drifted(n, r, l, bridge_mtu) ? NETD_TAP_CONFIGURE : -1;
}

/* The op a recorded tap no [Tap] declares needs, or -1 for none. */
static int recorded_op(const struct netd_tap_record *r, const struct netd_tap_link *l)
{
	bool ours = l && l->ours;

	if (r->declared) /* a reload took its [Tap] out of the config */
		return ours ? NETD_TAP_DELETE : NETD_TAP_FORGET;
	if (!ours) /* gone: deleted behind netd's back, or a reboot */
		return NETD_TAP_FORGET;
	/* Taken off the bridge (`ip link set ... nomaster`), or the bridge was deleted and the
	 * planner makes it anew before the taps: the guest's port goes back on it. */
	return l->enslaved ? -1 : NETD_TAP_ENSLAVE;
}

static size_t emit(struct netd_tap_op *ops, size_t i, int kind, const char *tap,
                   const struct netd_tap *decl, const struct netd_tap_record *rec,
                   const struct netd_tap_link *link)
{
	if (kind < 0)
		return i;
	if (ops)
		ops[i] = (struct netd_tap_op){
		    .kind = kind, .tap = tap, .decl = decl, .rec = rec, .link = link};
	return i + 1;
}

size_t netd_tap_diff_up(const struct netd_network *n, const struct netd_tap_state *rec,
                        const struct netd_tap_links *k, struct netd_tap_op *ops)
{
	size_t count = 0;

	for (size_t i = 0; i < n->n_taps; i++) {
		const struct netd_tap *t = &n->taps[i];
		const struct netd_tap_record *r = recorded(rec, t->name);
		const struct netd_tap_link *l = netd_tap_links_find(k, t->name);

		count = emit(ops, count, declared_op(n, r, l, k->bridge_mtu), t->name, t, r, l);
	}
	for (size_t i = 0; i < rec->n; i++) {
		const struct netd_tap_record *r = &rec->v[i];
		const struct netd_tap_link *l = netd_tap_links_find(k, r->tap);

		if (!declared(n, r->tap))
			count = emit(ops, count, recorded_op(r, l), r->tap, NULL, r, l);
	}
	return count;
}

size_t netd_tap_diff_down(const struct netd_network *n, const struct netd_tap_state *rec,
                          const struct netd_tap_links *k, struct netd_tap_op *ops)
{
	size_t count = 0;

	for (size_t i = 0; i < rec->n; i++) {
		const struct netd_tap_record *r = &rec->v[i];

		count = emit(ops, count, NETD_TAP_REMOVE, r->tap, declared(n, r->tap), r,
		             netd_tap_links_find(k, r->tap));
	}
	/* [Tap]s the record lost track of still carry the tag. */
	for (size_t i = 0; i < n->n_taps; i++) {
		const struct netd_tap *t = &n->taps[i];
		const struct netd_tap_link *l = netd_tap_links_find(k, t->name);

		if (!recorded(rec, t->name) && l && l->ours)
			count = emit(ops, count, NETD_TAP_REMOVE, t->name, t, NULL, l);
	}
	/* Every other link tagged for the network: a tap the record never had or lost. */
	for (size_t i = 0; i < k->n; i++) {
		const struct netd_tap_link *l = &k->v[i];

		if (l->ours && !recorded(rec, l->name) && !declared(n, l->name))
			count = emit(ops, count, NETD_TAP_REMOVE, l->name, NULL, NULL, l);
	}
	return count;
}

bool netd_tap_op_drops_hosts_entry(const struct netd_tap_op *op)
{
	const struct netd_tap_record *r = op->rec;

	/* A configured or enslaved tap keeps its record; every other op replaces or removes it. */
	return op->kind != NETD_TAP_CONFIGURE && op->kind != NETD_TAP_ENSLAVE &&
	       op->kind != NETD_TAP_CONFLICT && r && !r->declared &&
	       (r->addr.s_addr || !IN6_IS_ADDR_UNSPECIFIED(&r->addr6) || r->hostname[0]);
}
