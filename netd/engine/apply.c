/*
 * Apply: the only place that carries out a plan. `up` is a transaction: each step done is
 * recorded, and when one fails the recorded ones are undone in reverse order, so a failed
 * `up` leaves the host as it found it. `down` tries every step and reports the first error.
 *
 * The dnsmasq steps wait (for dnsmasq to be ready, or to exit), the FRR steps for vtysh's
 * answer (fabric_frr.c), and a run never waits
 * itself: it returns -EINPROGRESS with what it waits for, and its caller resumes it then, so
 * an event loop serves others meanwhile. A failure found on resuming still rolls back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/bond.h"
#include "netd/kernel/frr.h"
#include "netd/kernel/nft_fabric.h"
#include "engine_priv.h"
#include "netd/mode.h"
#include "netd/kernel/uplink.h"
#include "netd/kernel/uplink_v6.h"

/* The bridge's ports as they are now (one dump the kernel filters to them, each port's flag
 * in it), each set as the policy says where it differs. */
static int isolate_ports(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	struct netd_link_info br, *ports = NULL;
	size_t np = 0;
	int ret;

	ret = netd_nl_link_get(c->e->nl, n->bridge, &br);
	if (ret < 0)
		goto out;
	ret = netd_nl_link_ports(c->e->nl, br.ifindex, &ports, &np);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < np; i++) {
		bool want = netd_port_isolated(n, ports[i].name);

		if (ports[i].port_isolated == (int)want)
			continue;
		ret = netd_nl_port_set_isolated(c->e->nl, ports[i].name, want, diag);
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	free(ports);
	return ret;
}

/* Snapshot first and save it, so a crash between here and `down` still knows the way back.
 * A snapshot saved already is the one to keep: the uplink is off the bridge because the bridge
 * was deleted (its addresses went with it) or someone released it, and what it has now is not
 * what it had before netd took it. */
static int take_uplink(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	const struct netd_state_issue *f = &c->before->files[NETD_STATE_FILE_UPLINK];
	struct netd_uplink_state s;
	int ret;

	if (c->before->uplink_saved &&
	    netd_uplink_load(c->e->state_dir, n->name,
	                     f->prev_used ? NETD_STATE_PREV : NETD_STATE_CURRENT, &s, NULL) == 0)
		return netd_uplink_take(c->e->nl, &s, n->bridge, diag);
	ret = netd_uplink_snapshot(c->e->nl, n->uplink, &s);
	if (ret == 0)
		ret = netd_uplink_v6_snapshot(c->e->nl, n->uplink, &s.v6);
	if (ret < 0) {
		netd_diag_set(diag, "reading the state of uplink %s: %s", n->uplink,
		              strerror(-ret));
		return ret;
	}
	ret = netd_uplink_save(c->e->state_dir, n->name, &s);
	if (ret < 0) {
		netd_diag_set(diag, "saving the state of uplink %s in %s: %s", n->uplink,
		              c->e->state_dir, strerror(-ret));
		return ret;
	}
	ret = netd_uplink_take(c->e->nl, &s, n->bridge, diag);
	if (ret < 0)
		netd_uplink_forget(c->e->state_dir, n->name, NULL);
	return ret;
}

/* From the snapshot, or from its .prev when observe found that the file does not load and the
 * .prev agrees with the kernel. */
static int release_uplink(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	const struct netd_state_issue *f = &c->before->files[NETD_STATE_FILE_UPLINK];
	struct netd_state_info info;
	struct netd_uplink_state s;
	int ret;

	ret = netd_uplink_load(c->e->state_dir, n->name,
	                       f->prev_used ? NETD_STATE_PREV : NETD_STATE_CURRENT, &s, &info);
	if (ret == -EINVAL)
		netd_diag_set(diag, "%s %s", info.path, info.reason);
	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	ret = netd_uplink_give_back(c->e->nl, &s, n->bridge, diag);
	/* Both copies go: something that is not a file under the name stays (status says). */
	if (ret == 0)
		netd_uplink_forget(c->e->state_dir, n->name, NULL);
	return ret;
}

/* The bridge's arp_ignore as its mode says (netd_desired.arp_ignore); 0 leaves it alone. */
static int arp_quiet(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	unsigned arp_ignore = c->d->arp_ignore;
	char key[64], val[12];
	int ret;

	if (!arp_ignore)
		return 0;
	snprintf(key, sizeof(key), "net/ipv4/conf/%s/arp_ignore", n->bridge);
	snprintf(val, sizeof(val), "%u", arp_ignore);
	ret = netd_sysctl_write(key, val);
	if (ret < 0) {
		netd_diag_set(diag, "setting %s: %s", key, strerror(-ret));
		netd_nl_link_delete(c->e->nl, n->bridge, NULL);
	}
	return ret;
}

static int start_dnsmasq(struct netd_apply_ctx *c, struct netd_apply_run *r, struct netd_diag *diag)
{
	/* Its upstream servers current before it reads them. Not a reason to refuse the
	 * network: without the file dnsmasq serves DHCP and local names, and the reconcile
	 * pass retries the file and reports why it failed. */
	int ret;

	netd_upstream_sync(c->e, NULL);
	ret = netd_dnsmasq_reread_write(&c->paths, c->d->dnsmasq_opts, c->d->dnsmasq_records);
	if (ret < 0) {
		netd_diag_set(diag, "dnsmasq for %s: writing %s: %s", c->net->name, c->paths.opts,
		              strerror(-ret));
		return ret;
	}
	return netd_dnsmasq_start_begin(&c->paths, c->d->dnsmasq_conf, c->d->dnsmasq_hosts,
	                                c->e->dnsmasq_bin, &r->op, diag);
}

/* A dnsmasq that could not be signalled still holds the network's addresses and ports, and the
 * next `up` would collide with it: the message names its pid. */
static int stop_verdict(struct netd_apply_ctx *c, int ret, struct netd_diag *diag)
{
	const char *name = c->net->name;
	pid_t pid;

	if (ret == 0)
		return 0;
	if (netd_dnsmasq_running(&c->paths, &pid) == 1)
		netd_diag_set(diag,
		              "stopping dnsmasq of %s: %s (dnsmasq of %s, pid %d, still runs)",
		              name, strerror(-ret), name, (int)pid);
	else
		netd_diag_set(diag, "stopping dnsmasq of %s: %s", name, strerror(-ret));
	return ret;
}

/* A restart whose stop half ended with ret: its start half. */
static int restart_start(struct netd_apply_ctx *c, struct netd_apply_run *r, int ret,
                         struct netd_diag *diag)
{
	r->restart_stopping = false;
	if (ret < 0) {
		netd_diag_set(diag, "stopping dnsmasq of %s: %s", c->net->name, strerror(-ret));
		return ret;
	}
	return start_dnsmasq(c, r, diag);
}

/* Only what dnsmasq rereads changed: rewritten and reread (SIGHUP), no restart. */
static int reread_dnsmasq(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	int ret = netd_dnsmasq_reread(&c->paths, c->d->dnsmasq_hosts, c->d->dnsmasq_opts,
	                              c->d->dnsmasq_records);

	if (ret < 0)
		netd_diag_set(diag, "dnsmasq of %s rereading its files: %s", c->net->name,
		              strerror(-ret));
	return ret;
}

/* The dnsmasq steps: begun here, and r->op is set when they wait. */
static int dnsmasq_step(struct netd_apply_ctx *c, struct netd_apply_run *r, enum netd_step_kind k,
                        struct netd_diag *diag)
{
	int ret;

	if (k == NETD_STEP_START_DNSMASQ)
		return start_dnsmasq(c, r, diag);
	/* A restart of a hung dnsmasq kills it: it never acts on SIGTERM (a stopped one keeps
	 * it pending). */
	if (k == NETD_STEP_RESTART_DNSMASQ && c->before->dnsmasq_hung)
		ret = netd_dnsmasq_kill_begin(&c->paths, &r->op);
	else
		ret = netd_dnsmasq_stop_begin(&c->paths, &r->op);
	if (k == NETD_STEP_STOP_DNSMASQ)
		return ret == -EINPROGRESS ? ret : stop_verdict(c, ret, diag);
	r->restart_stopping = ret == -EINPROGRESS;
	return r->restart_stopping ? ret : restart_start(c, r, ret, diag);
}

/* The dnsmasq start or stop that step k (or its undo) waits for, resumed. */
static int dnsmasq_resume(struct netd_apply_ctx *c, struct netd_apply_run *r, enum netd_step_kind k,
                          struct netd_diag *diag)
{
	int ret = netd_dnsmasq_op_resume(r->op, NULL, diag);

	if (ret == -EINPROGRESS)
		return ret;
	netd_dnsmasq_op_free(r->op);
	r->op = NULL;
	if (r->undoing)
		return ret;
	if (k == NETD_STEP_RESTART_DNSMASQ && r->restart_stopping)
		return restart_start(c, r, ret, diag);
	if (k == NETD_STEP_STOP_DNSMASQ)
		return stop_verdict(c, ret, diag);
	return ret;
}

/* ip_forward goes back only when no other network that routes is up by now: one may have
 * come up while this network's change waited for its dnsmasq. A saved value that does not
 * load is still tried, so that the error names it. */
static int restore_forwarding(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	if (netd_engine_last_forwarder(c->e, c->net) == 0)
		return 0;
	return netd_forwarding_restore(c->e->state_dir, diag);
}

/* Both families' forwarding where the network routes them; undoable when either changed. */
static int forwarding_on(struct netd_apply_ctx *c, bool *undoable, struct netd_diag *diag)
{
	bool changed = false, changed6 = false;
	int ret = c->d->forwarding6 ? netd_ipv6_forwarding_safe(c->e, diag) : 0;

	if (ret == 0)
		ret = netd_forwarding_enable(c->e->state_dir, &changed, diag);
	if (ret == 0 && c->d->forwarding6)
		ret = netd_forwarding6_enable(c->e->state_dir, &changed6, diag);
	*undoable = changed || changed6;
	return ret;
}

/* The bridge's addresses, each family's where it is missing: a repair may find one there. */
static int add_addresses(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	int ret = 0;

	if (netd_nl_addr_has(c->e->nl, n->bridge, &n->address) != 1)
		ret = netd_nl_addr_add(c->e->nl, n->bridge, &n->address, diag);
	return ret < 0 ? ret : netd_ipv6_address_add(c->e, n, diag);
}

static int do_step(struct netd_apply_ctx *c, struct netd_apply_run *r, enum netd_step_kind k,
                   bool *undoable, struct netd_diag *diag)
{
	const struct netd_network *n = c->net;
	struct netd_engine *e = c->e;
	int ret;

	*undoable = true;
	netd_pass_stale(e); /* a pass's snapshot no longer says what the kernel has */
	switch (k) {
	case NETD_STEP_CREATE_BRIDGE:
		ret = netd_nl_bridge_create(e->nl, n->bridge, c->d->alias, c->d->no_ipv6, diag);
		if (ret == 0)
			ret = arp_quiet(c, diag);
		return ret < 0 ? ret : netd_fabric_bridge_made(c, diag);
	case NETD_STEP_ADD_ADDRESS:
		return add_addresses(c, diag);
	case NETD_STEP_LINK_UP:
		return netd_nl_link_set_up(e->nl, n->bridge, true, diag);
	case NETD_STEP_FORWARDING_ON:
		return forwarding_on(c, undoable, diag);
	case NETD_STEP_APPLY_RULES:
		/* Replacing rules that were there before cannot be undone to the old text;
		 * only a fresh set is removed again. */
		*undoable = !c->before->rules_present;
		ret = netd_nft_apply_net(e->nft, c->d->nft, diag);
		return ret ? ret : netd_forward_localnet(n, c->d, diag);
	case NETD_STEP_START_DNSMASQ:
	case NETD_STEP_STOP_DNSMASQ:
		return dnsmasq_step(c, r, k, diag);
	case NETD_STEP_RESTART_DNSMASQ:
		*undoable = false;
		return dnsmasq_step(c, r, k, diag);
	case NETD_STEP_REREAD_DNSMASQ:
		*undoable = false;
		return reread_dnsmasq(c, diag);
	case NETD_STEP_ISOLATE_PORTS:
		*undoable = false;
		return isolate_ports(c, diag);
	case NETD_STEP_SET_MTU:
		return netd_mtu_apply(e, n, n->mtu, diag);
	case NETD_STEP_TAKE_UPLINK:
		return take_uplink(c, diag);
	case NETD_STEP_RELEASE_UPLINK:
		return release_uplink(c, diag);
	case NETD_STEP_RELEASE_UPLINK_AS_IS:
		return netd_uplink_give_back_as_is(e->nl, n->uplink, n->bridge, diag);
	case NETD_STEP_CREATE_BOND:
		return netd_bond_up(e->nl, &n->bond, c->d->alias, e->state_dir, n->name, diag);
	case NETD_STEP_DELETE_BOND:
		return netd_bond_down(e->nl, n->bond.name, c->d->alias, e->state_dir, n->name,
		                      diag);
	case NETD_STEP_REMOVE_RULES:
		return netd_nft_remove_net(e->nft, n->name, diag);
	case NETD_STEP_FORWARDING_RESTORE:
		return restore_forwarding(c, diag);
	case NETD_STEP_DELETE_BRIDGE:
		return netd_nl_link_delete(e->nl, n->bridge, diag);
	case NETD_STEP_SYNC_TAPS:
		/* The last step of an up plan (plan.c), so nothing after it fails; when it fails
		 * itself, it has already removed what it made. */
		*undoable = false;
		return netd_taps_sync(c, diag);
	case NETD_STEP_REMOVE_TAPS:
		return netd_taps_remove(c, diag);
	case NETD_STEP_CONFIGURE_FRR:
		return netd_fabric_frr_add(c, r, diag);
	case NETD_STEP_CREATE_VXLAN:
		return netd_fabric_vxlan_create(c, diag);
	case NETD_STEP_DELETE_VXLAN:
		return netd_fabric_vxlan_delete(c, diag);
	case NETD_STEP_UNCONFIGURE_FRR:
		return netd_fabric_frr_remove(c, r, diag);
	case NETD_STEP_APPLY_GUARD:
		return netd_fabric_guard_apply(c, diag);
	case NETD_STEP_REMOVE_GUARD:
		return netd_nft_fabric_remove(e->nft, diag);
	case NETD_STEP_KINDS:
		break;
	}
	return -EINVAL;
}

/* Undo of one `up` step. Errors are reported in the caller's message, never fatal. */
static int undo_step(struct netd_apply_ctx *c, struct netd_apply_run *r, enum netd_step_kind k,
                     bool bridge_created)
{
	const struct netd_network *n = c->net;
	struct netd_engine *e = c->e;
	struct netd_diag ignored;

	netd_pass_stale(e);
	switch (k) {
	case NETD_STEP_CREATE_BRIDGE:
		return netd_nl_link_delete(e->nl, n->bridge, &ignored);
	case NETD_STEP_ADD_ADDRESS:
		/* Deleting the bridge takes its address with it. */
		if (!bridge_created && n->has_address6)
			netd_nl_addr6_del(e->nl, n->bridge, &n->address6, &ignored);
		return bridge_created ? 0
		                      : netd_nl_addr_del(e->nl, n->bridge, &n->address, &ignored);
	case NETD_STEP_LINK_UP:
		return bridge_created ? 0 : netd_nl_link_set_up(e->nl, n->bridge, false, &ignored);
	case NETD_STEP_FORWARDING_ON:
		return restore_forwarding(c, &ignored);
	case NETD_STEP_SET_MTU:
		/* The bridge and its ports back to the bridge's MTU before (ports that had
		 * another one before keep n's). */
		return bridge_created || !c->before->bridge_mtu
		           ? 0
		           : netd_mtu_apply(e, n, c->before->bridge_mtu, &ignored);
	case NETD_STEP_APPLY_RULES:
		return netd_nft_remove_net(e->nft, n->name, &ignored);
	case NETD_STEP_START_DNSMASQ:
		return netd_dnsmasq_stop_begin(&c->paths, &r->op);
	case NETD_STEP_TAKE_UPLINK:
		return release_uplink(c, &ignored);
	case NETD_STEP_CREATE_BOND:
		return netd_bond_down(e->nl, n->bond.name, c->d->alias, e->state_dir, n->name,
		                      &ignored);
	case NETD_STEP_CONFIGURE_FRR:
		return netd_fabric_frr_undo(c, r);
	case NETD_STEP_CREATE_VXLAN:
		return netd_fabric_vxlan_delete(c, &ignored);
	case NETD_STEP_APPLY_GUARD: /* only a guard it made, and no other network needs */
		return c->before->guard == 0 && c->before->frr_last
		           ? netd_nft_fabric_remove(e->nft, &ignored)
		           : 0;
	default:
		return 0;
	}
}

/* Step i ended with ret (doing, not undoing). */
static void step_done(struct netd_apply_ctx *c, struct netd_apply_run *r, int ret)
{
	enum netd_step_kind k = r->plan->steps[r->i];

	if (ret == 0 || r->down) {
		if (ret == 0 && k == NETD_STEP_CREATE_BRIDGE)
			r->bridge_created = true;
		/* down: every step is tried, the first error is the answer */
		if (ret < 0 && r->ret == 0) {
			r->ret = ret;
			netd_diag_set(&r->first, "%s: step '%s' failed: %s", c->net->name,
			              netd_step_name(k),
			              r->step_diag.msg[0] ? r->step_diag.msg : strerror(-ret));
		}
		r->i++;
		return;
	}
	r->ret = ret;
	r->failed = r->i;
	r->undoing = true;
}

/* The undo of the next step down that recorded one; 1 when there is none left. */
static int undo_next(struct netd_apply_ctx *c, struct netd_apply_run *r)
{
	enum netd_step_kind k;

	while (r->i > 0 && !r->undoable[r->i - 1])
		r->i--;
	if (r->i == 0)
		return 1;
	k = r->plan->steps[--r->i];
	r->len += snprintf(r->undone + r->len,
	                   r->len < sizeof(r->undone) ? sizeof(r->undone) - r->len : 0, "%s%s",
	                   r->len ? ", " : "", netd_step_name(k));
	return undo_step(c, r, k, r->bridge_created);
}

/* The run's answer once no step is left (or to undo). */
static int finish(struct netd_apply_ctx *c, struct netd_apply_run *r, struct netd_diag *diag)
{
	struct netd_diag ignored;

	if (r->down || r->ret == 0) {
		if (r->ret)
			*diag = r->first;
		return r->ret;
	}
	/* A routing network that did not come up: the down of another one, run while this
	 * one waited, left ip_forward on for it; if no other routing network is up, it goes
	 * back now (a no-op when its own undo did that already). */
	if (netd_network_needs_forwarding(c->net))
		restore_forwarding(c, &ignored);
	netd_diag_set(diag, "%s: step '%s' failed: %s%s%s%s", c->net->name,
	              netd_step_name(r->plan->steps[r->failed]),
	              r->step_diag.msg[0] ? r->step_diag.msg : strerror(-r->ret),
	              r->undone[0] ? " (undone: " : " (nothing to undo)", r->undone,
	              r->undone[0] ? ")" : "");
	return r->ret;
}

/*
 * A fresh network's dnsmasq starts right before its rules (plan.c): its start goes on in the
 * background while the rules are committed, and is waited for (joined) right after them. The
 * commit blocks netd for milliseconds at a thousand networks, and dnsmasq would spend them
 * stopped in its socket() call, waiting for netd to hand over the filtered socket
 * (dnsmasq_quiet.c): so the rules wait for that hand-over first, at most HANDOVER_WAIT_MS (a
 * dnsmasq slower than that still starts; it only starts less alongside).
 */
#define HANDOVER_WAIT_MS 500

static bool parks(const struct netd_apply_run *r, enum netd_step_kind k)
{
	return k == NETD_STEP_START_DNSMASQ && !r->down && !r->undoing && !r->joining && r->op &&
	       r->i + 1 < r->plan->n && r->plan->steps[r->i + 1] == NETD_STEP_APPLY_RULES;
}

static void park(struct netd_apply_run *r)
{
	r->bg = r->op;
	r->op = NULL;
	r->bg_i = r->i;
	r->bg_handover_end = netd_now_ms() + HANDOVER_WAIT_MS;
}

/* The parked start is waited for now: its step is done, or the run undoes. */
static bool join_due(const struct netd_apply_run *r)
{
	return r->bg && (r->undoing || r->i > r->bg_i + 1 || r->i >= r->plan->n);
}

/* The parked start ended with ret; a failure is its step's, and everything done since is
 * undone with what came before. */
static void joined(struct netd_apply_run *r, int ret)
{
	r->joining = false;
	if (ret == 0 || r->undoing)
		return;
	r->undoable[r->bg_i] = false;
	r->ret = ret;
	r->failed = r->bg_i;
	r->undoing = true;
}

/* -EINPROGRESS (with what to wait for in w) while the parked start's hand-over is still to come
 * before step k, else 0. */
static int handover_first(struct netd_apply_run *r, enum netd_step_kind k, struct netd_wait *w)
{
	if (!r->bg || k != NETD_STEP_APPLY_RULES || netd_now_ms() >= r->bg_handover_end ||
	    netd_dnsmasq_op_handing_over(r->bg) != 1)
		return 0;
	netd_dnsmasq_op_wait(r->bg, w);
	if (w->deadline_ms > r->bg_handover_end)
		w->deadline_ms = r->bg_handover_end;
	return -EINPROGRESS;
}

int netd_apply_resume(struct netd_apply_ctx *c, struct netd_apply_run *r, struct netd_wait *w,
                      struct netd_diag *diag)
{
	struct netd_diag ignored;
	enum netd_step_kind k;
	int ret;

	for (;;) {
		k = r->i < r->plan->n ? r->plan->steps[r->i] : NETD_STEP_KINDS;
		if (r->op && r->joining) {
			ret = dnsmasq_resume(c, r, NETD_STEP_START_DNSMASQ,
			                     r->undoing ? &ignored : &r->step_diag);
			if (ret != -EINPROGRESS) {
				joined(r, ret);
				continue;
			}
		} else if (r->op) {
			ret = dnsmasq_resume(c, r, k, r->undoing ? &ignored : &r->step_diag);
		} else if (join_due(r)) {
			r->op = r->bg;
			r->bg = NULL;
			r->joining = true;
			continue;
		} else if (r->vty) {
			ret =
			    netd_fabric_frr_resume(c, r, k, r->undoing ? &ignored : &r->step_diag);
		} else if (r->undoing) {
			ret = undo_next(c, r);
			if (ret == 1)
				break;
		} else {
			if (r->i >= r->plan->n)
				break;
			if (handover_first(r, k, w) == -EINPROGRESS)
				return -EINPROGRESS;
			r->step_diag.msg[0] = '\0';
			ret = do_step(c, r, k, &r->undoable[r->i], &r->step_diag);
		}
		if (ret == -EINPROGRESS && parks(r, k)) {
			park(r);
			step_done(c, r, 0);
			continue;
		}
		if (ret == -EINPROGRESS && r->vty) {
			netd_vtysh_op_wait(r->vty, w);
			return ret;
		}
		if (ret == -EINPROGRESS) {
			netd_dnsmasq_op_wait(r->op, w);
			return ret;
		}
		if (!r->undoing)
			step_done(c, r, ret);
	}
	return finish(c, r, diag);
}

int netd_apply_start(struct netd_apply_ctx *c, struct netd_apply_run *r,
                     const struct netd_plan *plan, bool down, struct netd_wait *w,
                     struct netd_diag *diag)
{
	memset(r, 0, sizeof(*r));
	r->plan = plan;
	r->down = down;
	return netd_apply_resume(c, r, w, diag);
}

void netd_apply_release(struct netd_apply_run *r)
{
	netd_dnsmasq_op_free(r->op);
	r->op = NULL;
	netd_dnsmasq_op_free(r->bg);
	r->bg = NULL;
	netd_vtysh_op_free(r->vty);
	r->vty = NULL;
}
