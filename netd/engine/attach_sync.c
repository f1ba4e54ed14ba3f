/*
 * The plan's steps for a network's taps: "sync taps" at up and at every reconcile, "remove
 * taps" at down. What to do is the pure diff of core/tap_plan.c, taken from the same desired
 * and observed state the planner saw; this file only carries it out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/util/log.h"

/* "sync taps" at work: the record as it becomes, and the taps made so far. */
struct sync {
	struct netd_apply_ctx *c;
	struct netd_tap_state s;
	const char *made[NETD_TAPS_MAX];
	size_t n_made;
	bool save, hosts;
};

/* The record of a [Tap] whose tagged link netd takes over: one the record lost, or one
 * attached before it was declared. The config owns it now. */
static struct netd_tap_record adopted(const struct netd_tap *t)
{
	struct netd_tap_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.tap, sizeof(r.tap), "%s", t->name);
	memcpy(r.mac, t->mac, 6);
	netd_tap_host_mac(t->mac, r.host_mac);
	r.addr = t->addr;
	r.declared = true;
	r.queues = t->queues;
	return r;
}

static int create(struct sync *y, const struct netd_tap *t, struct netd_diag *diag)
{
	const struct netd_network *n = y->c->net;
	struct netd_tap_want w = {.name = t->name,
	                          .addr = t->addr,
	                          .owner = t->owner,
	                          .group = t->group,
	                          .queues = t->queues,
	                          .declared = true};
	struct netd_diag why = {{0}};
	struct netd_tap_record rec;
	int ret;

	memcpy(w.mac, t->mac, 6);
	ret = netd_tap_make(y->c->e, n, &w, &rec, &why);
	if (ret < 0) {
		netd_diag_set(diag, "%s:%u: [Tap] %s: %s", n->source, t->line, t->name, why.msg);
		return ret;
	}
	y->made[y->n_made++] = t->name;
	return netd_tap_state_put(&y->s, &rec);
}

static void forget(struct sync *y, const char *tap)
{
	ssize_t i = netd_tap_state_find(&y->s, tap);

	if (i >= 0)
		netd_tap_state_remove(&y->s, (size_t)i);
}

static int do_op(struct sync *y, const struct netd_tap_op *op, struct netd_diag *diag)
{
	struct netd_engine *e = y->c->e;
	struct netd_tap_record rec;
	int ret = 0;

	switch (op->kind) {
	case NETD_TAP_CREATE:
		ret = create(y, op->decl, diag);
		break;
	case NETD_TAP_ADOPT:
		rec = adopted(op->decl);
		ret = netd_tap_state_put(&y->s, &rec);
		if (ret == 0)
			ret = netd_tap_settle(e, y->c->net, &rec, diag);
		break;
	case NETD_TAP_CONFIGURE:
		return netd_tap_settle(e, y->c->net, op->rec, diag);
	case NETD_TAP_ENSLAVE:
		ret = netd_tap_enslave(e, y->c->net, op->tap, diag);
		if (ret == 0)
			netd_log_net(LOG_NOTICE, y->c->net->name,
			             "attached tap %s put back on bridge %s", op->tap,
			             y->c->net->bridge);
		return ret;
	case NETD_TAP_DELETE:
		ret = netd_nl_link_delete(e->nl, op->tap, diag);
		if (ret == 0)
			forget(y, op->tap);
		break;
	case NETD_TAP_FORGET:
		forget(y, op->tap);
		break;
	case NETD_TAP_CONFLICT:
	case NETD_TAP_REMOVE:
		return -EINVAL;
	}
	y->save = true;
	y->hosts |= netd_tap_op_drops_hosts_entry(op);
	return ret;
}

/* A [Tap] whose name a link netd did not tag holds: refused before anything is made. */
static int refuse_conflicts(const struct netd_network *n, const struct netd_tap_op *ops,
                            size_t count, struct netd_diag *diag)
{
	for (size_t i = 0; i < count; i++) {
		const struct netd_tap_op *op = &ops[i];

		if (op->kind != NETD_TAP_CONFLICT)
			continue;
		netd_diag_set(diag,
		              "%s:%u: [Tap] %s: a link of that name exists and is not netd's "
		              "(alias '%s')",
		              n->source, op->decl->line, op->tap, op->link->alias);
		return -EEXIST;
	}
	return 0;
}

int netd_taps_sync(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	struct sync y = {.c = c};
	struct netd_tap_op *ops;
	size_t count;
	int ret;

	ops = calloc(n->n_taps + c->d->taps.n + 1, sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	count = netd_tap_diff_up(n, &c->d->taps, &c->before->taps, ops);
	ret = refuse_conflicts(n, ops, count, diag);
	if (ret == 0)
		ret = netd_tap_state_copy(&c->d->taps, &y.s);
	for (size_t i = 0; ret == 0 && i < count; i++)
		ret = do_op(&y, &ops[i], diag);
	if (ret == 0 && y.save)
		ret = netd_tap_state_save(c->e->state_dir, n->name, &y.s, diag);
	/* The record is saved: from here on the taps made are netd's either way. */
	if (ret < 0)
		netd_nl_links_delete(c->e->nl, y.made, y.n_made, NULL);
	if (ret == 0 && y.hosts)
		ret = netd_taps_reload_hosts(c->e, n, &y.s, diag);
	netd_tap_state_clear(&y.s);
	free(ops);
	return ret;
}

int netd_taps_remove(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	const struct netd_tap_state empty = {0};
	size_t max = n->n_taps + c->d->taps.n + c->before->taps.n + 1;
	uint8_t(*macs)[6] = calloc(c->d->taps.n + 1, sizeof(*macs));
	struct netd_tap_op *ops = calloc(max, sizeof(*ops));
	const char **gone = calloc(max, sizeof(*gone));
	size_t count, n_macs = 0, n_gone = 0;
	int ret, first = 0;

	if (!macs || !ops || !gone) {
		first = -ENOMEM;
		goto out;
	}
	count = netd_tap_diff_down(n, &c->d->taps, &c->before->taps, ops);
	for (size_t i = 0; i < count; i++) {
		const struct netd_tap_op *op = &ops[i];

		if (op->link && op->link->ours)
			gone[n_gone++] = op->tap;
		if (op->rec && !op->rec->declared)
			memcpy(macs[n_macs++], op->rec->mac, 6);
	}
	/* All at once: one by one, each costs the kernel an RCU barrier (20 ms here). */
	first = netd_nl_links_delete(c->e->nl, gone, n_gone, diag);
	/* Attached guests are forgotten with their taps; declared ones keep their leases, like
	 * [Host]s, since they come back at the next up. dnsmasq is stopped by now. */
	if (n_macs && netd_dnsmasq_wanted(n) && !netd_dnsmasq_running(&c->paths, NULL) &&
	    (ret = netd_tap_leases_strip_file(&c->paths, (const uint8_t(*)[6])macs, n_macs)) < 0 &&
	    !first) {
		first = ret;
		netd_diag_set(diag, "removing the leases of its attached guests from %s: %s",
		              c->paths.leases, strerror(-ret));
	}
	ret = netd_tap_state_save(c->e->state_dir, n->name, &empty, first ? NULL : diag);
	if (ret < 0 && !first)
		first = ret;
out:
	free(macs);
	free(ops);
	free(gone);
	return first;
}
