/*
 * Event-driven repair: the kernel says what changed, and only the networks it concerns are
 * reconciled, soon, instead of every network at the next periodic tick.
 *
 *  - links and addresses: engine/monitor.c maps each notification to its network (a bridge of
 *    ours deleted, set down or losing an address; a tap tagged for a network deleted or taken
 *    off its bridge);
 *  - the ruleset: a change in table inet netd or bridge netd marks the network whose chain it
 *    is, and a change to the table itself, a base chain or a map marks every network; changes
 *    in other tables, and netd's own (by its socket's port id), mark nothing;
 *  - dnsmasq: the pidfd of each network's dnsmasq (heal_set.c) marks its network at its exit.
 *
 * The marks are handed over together shortly after (heal_set.c's timer), so a burst is one
 * pass: each network marked becomes a reconcile job that the daemon runs on its event loop
 * like any other change, never while another change holds the network (it stays marked, and
 * is handed over again as soon as that change ends). netd's own changes cannot feed back into
 * endless passes: a reconcile of a network that has not drifted writes nothing, so the events of an
 * `up` (or of a repair) lead at most to one more pass that finds nothing to do, and then to no
 * event at all.
 */
#include <errno.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/util/wait.h"
#include "netd/kernel/nft_monitor.h"
#include "netd/util/log.h"

/* After netinet/in.h (through the headers above), or they clash. */
#include <linux/netfilter.h>

static void on_nft(const struct netd_nft_event *ev, void *arg)
{
	struct netd_engine *e = arg;
	char net[NETD_NAME_MAX];

	/* A generation closes every transaction, and its objects were told one by one. */
	if (ev->kind == NETD_NFT_EV_GEN || ev->portid == netd_nft_portid(e->nft))
		return;
	if ((ev->family != NFPROTO_INET && ev->family != NFPROTO_BRIDGE) ||
	    strcmp(ev->table, NETD_NFT_TABLE) != 0)
		return; /* another firewall's table: not netd's to verify */
	if (ev->chain[0] && netd_nft_chain_owner(ev->chain, net))
		netd_heal_mark_name(e, net);
	else /* the table, a base chain, a map: what every network goes through */
		netd_heal_mark_all(e);
}

int netd_engine_heal_open(struct netd_engine *e)
{
	return netd_heal_set_open(e);
}

/* Repaired, then changed again within this long, time after time: something else on the host
 * keeps changing the network (a second network manager, a script). Repairing it at once
 * each time would make the two fight at event speed; from the FIGHT_STREAK-th time on, its
 * repairs wait 1 s after the last one, doubling up to HOLD_MAX_MS, until a change comes
 * later than FIGHT_MS after a repair (or a pass finds nothing to do). */
#define FIGHT_MS     500
#define FIGHT_STREAK 3
#define HOLD_MAX_MS  30000
/* From this many marked networks on, a heal pass shares one snapshot of the host (a dump of
 * every link and address); below it each network's look asks the kernel only for its own
 * links (a few queries the kernel filters). The usual pass follows a change of one network
 * (netd's own up or down among them), where a whole snapshot cost as much as the host has
 * links: 3 % of an up's CPU at 500 networks. */
#define HEAL_SHARED_MIN 8

/* When w may be repaired again: 0 at once. */
static long held_until(const struct netd_heal_net *w)
{
	unsigned k;

	if (w->streak < FIGHT_STREAK)
		return 0;
	k = w->streak - FIGHT_STREAK;
	return w->repaired_ms + (k >= 5 ? HOLD_MAX_MS : 1000L << k);
}

void netd_heal_reconciled(struct netd_engine *e, const char *network, int ret)
{
	struct netd_heal *h = e->heal;
	struct netd_heal_net *w;
	size_t i = 0;

	while (h && i < h->n_nets && strcmp(e->config->networks[i]->name, network) != 0)
		i++;
	if (!h || i == h->n_nets)
		return; /* a reload came between: the marks are new */
	w = &h->nets[i];
	if (ret == 0) { /* nothing to do: no fight */
		w->streak = 0;
		return;
	}
	/* A failed repair counts too: its undo makes events of its own. */
	w->streak = w->quick ? w->streak + 1 : 0;
	w->repaired_ms = (long)netd_now_ms();
	if (w->streak == FIGHT_STREAK)
		netd_log(LOG_WARNING,
		         "%s: changed again right after each of its last %d repairs (does "
		         "something else manage it?): its next repairs wait 1 s, doubling up to "
		         "%d s",
		         network, FIGHT_STREAK, HOLD_MAX_MS / 1000);
}

void netd_heal_freed(struct netd_engine *e, const char *network)
{
	struct netd_heal *h = e->heal;

	for (size_t i = 0; h && h->n_busy && i < h->n_nets; i++)
		if (h->nets[i].busy &&
		    (!network[0] || strcmp(e->config->networks[i]->name, network) == 0))
			h->freed = true;
	netd_heal_schedule(e);
}

/* Network i handed over to start: 0 taken (its reconcile job is queued), 1 not up (nothing to
 * reconcile: its mark goes), -EBUSY a change holds it (it stays marked until that ends),
 * another -errno (logged; it stays marked for the next pass). */
static int hand_over(struct netd_engine *e, size_t i, netd_heal_start_fn start, void *arg)
{
	struct netd_heal *h = e->heal;
	struct netd_heal_net *w = &h->nets[i];
	const char *name = e->config->networks[i]->name;
	int ret;

	if (!netd_engine_is_up(e, e->config->networks[i])) { /* nothing to keep: no job */
		w->dirty = false;
		w->streak = 0;
		h->n_marked--;
		return 1;
	}
	ret = start(arg, name);
	if (ret == -EBUSY) {
		w->busy = true;
		h->n_busy++;
		return ret;
	}
	if (ret < 0) {
		netd_log_net(LOG_WARNING, name, "repair not started: %s", strerror(-ret));
		return ret;
	}
	w->quick = w->repaired_ms && w->marked_ms - w->repaired_ms < FIGHT_MS;
	w->dirty = false;
	h->n_marked--;
	return 0;
}

/* Every marked network that is not held back handed over for its reconcile job (each repair
 * is logged by the job). */
static void heal_pass(struct netd_engine *e, netd_heal_start_fn start, void *arg)
{
	struct netd_heal *h = e->heal;
	size_t done = 0;
	unsigned events = h->events;
	long now = (long)netd_now_ms(), waited = h->first_ms ? now - h->first_ms : 0;
	bool shared;

	h->events = 0;
	h->first_ms = 0;
	h->hold_ms = 0;
	h->freed = false;
	h->n_busy = 0;
	for (size_t i = 0; i < h->n_nets; i++)
		h->nets[i].busy = false;
	shared = h->n_marked >= HEAL_SHARED_MIN;
	if (shared)
		netd_pass_begin(e); /* the jobs started now share one kernel snapshot */
	for (size_t i = 0; i < h->n_nets && h->n_marked; i++) {
		struct netd_heal_net *w = &h->nets[i];
		long until = held_until(w);

		if (!w->dirty)
			continue;
		if (until > now) { /* stays marked for a pass at until */
			if (!h->hold_ms || until < h->hold_ms)
				h->hold_ms = until;
			continue;
		}
		if (hand_over(e, i, start, arg) >= 0)
			done++;
	}
	if (shared)
		netd_pass_end(e);
	/* A pass that only found changes holding its networks checked nothing: it is the pass
	 * when they end that counts (test_heal_events counts "heal: <n> network(s) checked"). */
	if (done == 0 && h->n_busy > 0)
		return;
	netd_log(LOG_DEBUG, "heal: %zu network%s checked after %u event%s (first %ld ms before)%s",
	         done, done == 1 ? "" : "s", events, events == 1 ? "" : "s", waited,
	         h->n_busy ? "; some busy with a change, kept marked" : "");
}

int netd_engine_heal_handle(struct netd_engine *e, netd_heal_start_fn start, void *arg)
{
	bool nft, due;
	int ret = netd_heal_ready(e, &nft, &due);

	if (ret < 0)
		return ret;
	/* ENOBUFS: notifications were lost; any network may have changed. */
	if (nft && netd_nft_monitor_read(e->heal->nft, on_nft, e) == -ENOBUFS)
		netd_heal_mark_all(e);
	if (due && e->heal->n_marked)
		heal_pass(e, start, arg);
	netd_heal_schedule(e);
	return 0;
}
