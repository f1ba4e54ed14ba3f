/* Private to netd/engine/: the engine's state and what its files share. */
#ifndef NETD_ENGINE_INTERNAL_H
#define NETD_ENGINE_INTERNAL_H

struct netd_link_monitor;
struct netd_kernel_snapshot;
struct netd_nft_monitor;
struct netd_dnsmasq_watch;
struct netd_file_watch;
struct netd_heal;

#include "netd/dns_status.h"
#include "netd/engine.h"
#include "netd/kernel/dnsmasq.h"
#include "netd/kernel/netlink.h"
#include "netd/kernel/nft.h"
#include "netd/plan.h"
#include "netd/tap.h"
#include "netd/util/wait.h"

struct netd_job;
struct netd_vtysh_op;

/* What FRR said when last asked (fabric_frr.c): by a change's look or by a step of netd's
 * own. observe reads it; list and status show it with its age and never ask FRR. */
struct netd_frr_seen {
	long long at_ms; /* netd_now_ms() of the answer; 0: never asked */
	bool running;    /* vtysh answered, and zebra and bgpd run */
	int config;      /* netd_frr_config_state(): 0 none, 1 complete, 2 partial */
	char problem[256];
	json_object *status; /* {"<VNI>": {frr_status.c's object, "at_ms"}}; NULL: none */
};

struct netd_engine {
	char *config_dir;
	char *state_dir;
	char *runtime_dir;
	char *dnsmasq_bin;
	char *resolv_conf;                    /* the host's resolv.conf: upstream.c */
	struct netd_file_watch *resolv_watch; /* NULL until upstream_open */
	struct netd_config *config;
	struct netd_nl *nl;
	struct netd_nft *nft;
	struct netd_link_monitor *monitor; /* link notifications (monitor.c); NULL until opened */
	/* Per config->networks[i]: this process brought it up (by request or autostart; it
	 * was not up before), so --down-on-exit takes it down. Follows the names on reload. */
	bool *brought_up;
	/* The last repair of each network's rules (repair.c), by name. */
	struct netd_repair *repairs;
	size_t n_repairs;
	/* Per config->networks[i]: the liveness query in flight to its dnsmasq
	 * (dnsmasq_health.c); made anew with the config. */
	struct netd_dnsmasq_watch *watch;
	size_t n_watch;
	struct netd_job *jobs;  /* the changes in progress (job.c), one per network at most */
	struct netd_heal *heal; /* event-driven repair (heal.c); NULL until heal_open */
	/* The pass in progress (pass.c): how many are open, and their kernel snapshot (NULL
	 * until an observe takes it, or stale after a write of netd's own). */
	unsigned pass_depth;
	struct netd_kernel_snapshot *pass_k;
	unsigned long passes; /* reconcile passes so far: whose dnsmasq's turn it is to be asked */
	/* systemd-resolved as the last network with a domain found it (resolved_link.c) */
	enum netd_host_resolver host_resolver;
	struct netd_frr_seen frr; /* spanning networks: what FRR said last (fabric_frr.c) */
};

/* The rules of a network that was up differed from its definition and were repaired: log
 * "<network>: rules repaired: <what>" and keep it as the network's last repair. */
int netd_repair_note(struct netd_engine *e, const char *network, const char *what);
/* {"at": seconds since the epoch, "what"} of the network's last repair; NULL when none. */
json_object *netd_repair_json(const struct netd_engine *e, const char *network);

/* The network's tagged bridge exists. */
bool netd_engine_bridge_is_ours(struct netd_engine *e, const struct netd_network *n);
/* The same, with the bridge's facts in *li when it is ours: one query. */
bool netd_engine_bridge_get(struct netd_engine *e, const struct netd_network *n,
                            struct netd_link_info *li);

/* <state>/<network>.up, the record that the network is meant to be up (up_record.c): written
 * at a successful up, removed by down. load: 0 when it is there for this boot, -ENOENT when
 * not, -ESTALE when it is of an earlier boot, -EINVAL when it is not such a record. */
int netd_up_record_save(const char *state_dir, const char *network);
int netd_up_record_load(const char *state_dir, const char *network);
int netd_up_record_forget(const char *state_dir, const char *network); /* none: 0 */

/* Whether the dnsmasq (pid) of config->networks[i] stopped answering (dnsmasq_health.c):
 * the liveness query an earlier call sent it is still unanswered (at least 0.5 s later),
 * or nothing listens on its DNS port. Never waits: each call reads the last query's answer
 * and sends the next; the first call for a pid only sends. Logs a verdict of hung. */
bool netd_dnsmasq_hung(struct netd_engine *e, size_t i, pid_t pid);
/* One slot per network of the config in force, none in flight; free closes them all. */
int netd_dnsmasq_watch_reset(struct netd_engine *e);
void netd_dnsmasq_watch_free(struct netd_engine *e);

/* ---- event-driven repair: what the events mean and the pass (heal.c), the state it keeps
 * (heal_set.c) ---- */

/* A pidfd on the dnsmasq of one network: readable when that process exits. */
struct netd_heal_dnsmasq {
	char network[NETD_NAME_MAX];
	pid_t pid;
	int fd; /* -1: a free slot */
};

/* One network's part in the event-driven repair. */
struct netd_heal_net {
	bool dirty;       /* an event says it may have drifted */
	long marked_ms;   /* when it was marked */
	long repaired_ms; /* when its last repair (or failed one) ended; 0: none yet */
	unsigned streak;  /* repairs in a row each marked right after the one before (heal.c) */
	bool quick;       /* the pass handed it over marked right after its last repair */
	bool busy;        /* the pass found a change holding it: handed over when that ends */
};

struct netd_heal {
	int epfd;    /* what the daemon watches: the timer, the ruleset monitor, the pidfds */
	int timerfd; /* the pass over the marked networks, soon after the first mark */
	struct netd_nft_monitor *nft;
	struct netd_heal_net *nets; /* per config->networks[i] */
	size_t n_nets, n_marked;
	size_t n_busy;   /* marked networks a change held at the last pass (busy) */
	bool freed;      /* one of them is free now: the pass is due at once */
	unsigned events; /* events that marked a network since the last pass (for the log) */
	long first_ms;   /* when the first of them came; 0: none */
	long last_ms;    /* when the last one came */
	long due_ms;     /* when the timer is set to fire; 0: not set */
	long hold_ms;    /* marked networks held back (heal.c) until then; 0: none */
	struct netd_heal_dnsmasq *dns;
	size_t n_dns;
};

/* The epoll set, the timer, the ruleset monitor and the marks; every network marked, so the
 * first pass checks them all and watches their dnsmasqs. The epoll fd, or -errno. */
int netd_heal_set_open(struct netd_engine *e);
void netd_heal_set_free(struct netd_engine *e);
/* config->networks[i] may have drifted (no-op before heal_open): the pass reconciles it. */
void netd_heal_mark(struct netd_engine *e, size_t i);
void netd_heal_mark_name(struct netd_engine *e, const char *network);
void netd_heal_mark_all(struct netd_engine *e);
/* Set the timer for what is marked: 50 ms after the last event, at most 250 ms after the
 * first, so one burst (an `ip -batch`, a table flushed) is one pass; with no new event, when
 * the networks held back are due (hold_ms), or at once when a busy network is free
 * (netd_heal_freed). */
void netd_heal_schedule(struct netd_engine *e);
/* The config was replaced (reload): marks per network anew (all, if any was pending). */
int netd_heal_reset(struct netd_engine *e);
/* After a network was converged: watch its dnsmasq's exit. pid: the one that runs, 0 none,
 * -1 unknown (read the pid file). */
void netd_heal_watch_dnsmasq(struct netd_engine *e, const struct netd_network *n,
                             const struct netd_dnsmasq_paths *p, pid_t pid);
/* What is ready now, without waiting: the networks whose dnsmasq exited are marked (and their
 * pidfds closed), *nft says the ruleset monitor is readable, *due that the pass is due. */
int netd_heal_ready(struct netd_engine *e, bool *nft, bool *due);

/* The job holding network (a reload: "", every network) ended: a network the pass found busy
 * and kept marked is handed over again at once (called by job.c). */
void netd_heal_freed(struct netd_engine *e, const char *network);
/* A reconcile job the pass handed over (args.heal) ended for network: ret 1 when it repaired
 * something, 0 when nothing was to do (or it was not up), -errno when its repair failed. What
 * tells a fight (heal.c). */
void netd_heal_reconciled(struct netd_engine *e, const char *network, int ret);

/* Everything the steps of one network need. */
struct netd_apply_ctx {
	struct netd_engine *e;
	const struct netd_network *net;
	const struct netd_desired *d;
	struct netd_dnsmasq_paths paths;
	const struct netd_observed *before;
};

/* Desired + observed state of one network, ready to plan or to report. */
struct netd_view {
	struct netd_apply_ctx ctx;
	struct netd_desired *d;
	struct netd_observed o;
};

int netd_view_load(struct netd_engine *e, const struct netd_network *n, struct netd_view *v,
                   struct netd_diag *diag);
void netd_view_release(struct netd_view *v);
/* The network of that name, or NULL with diag naming the ones there are. */
const struct netd_network *netd_engine_find(struct netd_engine *e, const char *name,
                                            struct netd_diag *diag);
/* Where n sits in c's list (n is one of c's networks). */
size_t netd_engine_index(const struct netd_config *c, const struct netd_network *n);
/* A network is up when netd recorded it so in this boot, or (one left up by a netd older than
 * the record) when its tagged bridge exists. A record that does not read counts as up: it is
 * never taken for "nothing saved". */
bool netd_engine_is_up(struct netd_engine *e, const struct netd_network *n);
/* No other network that is up needs forwarding: the saved value can go back. As
 * netd_forwarding_saved(): 1 it loads, -EINVAL it does not (down says so), 0 none or others
 * still route. */
int netd_engine_last_forwarder(struct netd_engine *e, const struct netd_network *self);
/* The network's address overlaps none of the host's other addresses (diag says which). */
int netd_engine_check_host(struct netd_engine *e, const struct netd_network *n,
                           struct netd_diag *diag);
/* The first error wins the diag (diag may be NULL); the others are still tried. */
void netd_keep_first(int ret, const struct netd_diag *d, int *first, struct netd_diag *diag);
/* What list and status show for a network that a job is changing ("starting",
 * "stopping"), or NULL: then its observed state. */
const char *netd_engine_busy_label(const struct netd_engine *e, const char *name);

/* The bridge's route_localnet as d's forwards need it (forward.c): 1 for a forward from
 * 127.0.0.1, else the default's value. No bridge: nothing to do. */
int netd_forward_localnet(const struct netd_network *n, const struct netd_desired *d,
                          struct netd_diag *diag);

/* Each network of c gets its live forwards from <state>/<network>.forwards (forward.c); one
 * that no longer fits (the file changed under it) is left out and logged. */
void netd_forward_merge_live(struct netd_engine *e, struct netd_config *c);
/* n's live forwards into its state file (none: the file goes); diag may be NULL. */
int netd_forward_save_live(struct netd_engine *e, const struct netd_network *n,
                           struct netd_diag *diag);
/* f fits network n of c: its own rules, and no forward of any network overlaps it (diag
 * names what is in the way). */
int netd_forward_fits(const struct netd_config *c, const struct netd_network *n,
                      const struct netd_forward *f, struct netd_diag *diag);

/* pass.c: a pass over many networks, sharing one kernel snapshot and one nft generation
 * check; passes nest (the innermost begin takes a fresh snapshot). stale: netd wrote (an
 * apply step, taps), the next observe takes the snapshot again. snapshot: the pass's (*own
 * false), else a narrow one the caller frees (*own true). */
void netd_pass_begin(struct netd_engine *e);
void netd_pass_end(struct netd_engine *e);
void netd_pass_stale(struct netd_engine *e);
int netd_pass_snapshot(struct netd_engine *e, struct netd_kernel_snapshot **k, bool *own);

/* The facts of d's network: links and addresses from the pass's snapshot (else a narrow one). */
int netd_observe(struct netd_engine *e, const struct netd_desired *d,
                 const struct netd_dnsmasq_paths *paths, struct netd_observed *o);

/* The host resolves n's domain through systemd-resolved: told after n came up (up true),
 * taken back before it goes down; nothing for a network without a domain (resolved_link.c). */
void netd_resolved_sync(struct netd_engine *e, const struct netd_network *n, bool up);

/* n could not come up for its bridge name or subnet: when one of libvirt's running networks
 * holds it, diag names that network instead (libvirt_hint.c). */
void netd_libvirt_hint(const struct netd_network *n, struct netd_diag *diag);

/* ---- spanning networks (fabric.c) ---- */
/* d->fabric and d->vxlan for a network with a VNI in a directory with a fabric, and its
 * dnsmasq's config with this host's slice of the range and the tunnel-safe MTU. */
int netd_fabric_desired(struct netd_engine *e, struct netd_desired *d,
                        const struct netd_dnsmasq_paths *paths);
/* The VXLAN port and FRR's part into o (nothing for a network that does not span). */
int netd_fabric_observe(struct netd_engine *e, const struct netd_desired *d, int bridge_index,
                        struct netd_observed *o);
/* A spanning network's bridge just made (still down): the gateway MAC, and no DAD. */
int netd_fabric_bridge_made(struct netd_apply_ctx *c, struct netd_diag *diag);
/* The VXLAN port made (anew when ours but stale) and deleted. */
int netd_fabric_vxlan_create(struct netd_apply_ctx *c, struct netd_diag *diag);
int netd_fabric_vxlan_delete(struct netd_apply_ctx *c, struct netd_diag *diag);
/* The fabric's guard (table inet netd_fabric) made or put back as the fabric says. */
int netd_fabric_guard_apply(struct netd_apply_ctx *c, struct netd_diag *diag);

/* Upstream DNS (upstream.c): write <runtime>/upstream.servers from resolv.conf when it differs,
 * and SIGHUP every running dnsmasq of ours then (*told: how many; told may be NULL). */
int netd_upstream_sync(struct netd_engine *e, size_t *told);

/* ---- FRR's part of spanning networks (fabric_frr.c) ---- */
/* n spans hosts: it has a VNI and the directory a fabric. */
bool netd_fabric_spans(const struct netd_engine *e, const struct netd_network *n);
/* A change's look at FRR before it plans: does it run, what has it of the fabric's block,
 * and (status) n's BGP/EVPN state, into e->frr. 0 when done (whatever FRR answered, or
 * that it did not), -EINPROGRESS with what it waits for in *w, or -ENOMEM. */
struct netd_fabric_look {
	struct netd_vtysh_op *op; /* the vtysh run waited for */
	bool want_status;         /* an up or a reconcile: the VNI's state too */
	bool status_next;         /* op is the status run */
};
int netd_fabric_look_begin(struct netd_engine *e, const struct netd_network *n, bool status,
                           struct netd_fabric_look *l, struct netd_wait *w);
int netd_fabric_look_resume(struct netd_engine *e, const struct netd_network *n,
                            struct netd_fabric_look *l, struct netd_wait *w);
void netd_fabric_look_release(struct netd_fabric_look *l);
/* e->frr into o (observe). */
void netd_fabric_frr_observe(const struct netd_engine *e, struct netd_observed *o);
/* status's "fabric": the VNI, the port, FRR's state and what FRR said of the peers, the
 * remote VTEPs and the MACs, each with its age (no vtysh run). */
struct netd_view;
json_object *netd_fabric_status(struct netd_engine *e, const struct netd_view *v);

/* A plan being carried out (apply.c): where it is, what it did, what it waits for. */
struct netd_apply_run {
	const struct netd_plan *plan;
	bool down;    /* a down plan: every step is tried, the first error is kept */
	bool undoing; /* an up plan whose step `failed` failed: undoing the ones before */
	size_t i;     /* the step being done, or undone */
	size_t failed;
	int ret; /* the failed step's error (down: the first one) */
	bool undoable[NETD_PLAN_MAX];
	bool bridge_created;
	bool restart_stopping;      /* "restart dnsmasq" waits for its stop half */
	struct netd_diag step_diag; /* the step that failed, in its own words */
	struct netd_diag first;     /* down: the message of its first error */
	char undone[512];
	size_t len;
	struct netd_dnsmasq_op *op; /* the dnsmasq start or stop being waited for */
	struct netd_vtysh_op *vty;  /* the vtysh run of an FRR step (or its undo) waited for */
	/* A dnsmasq start that gets ready while the next step (the rules) runs: step bg_i's, waited
	 * for once that step is done (joining: r->op is it again), or before any undo. */
	struct netd_dnsmasq_op *bg;
	size_t bg_i;
	long long bg_handover_end; /* the rules wait for its socket hand-over until then */
	bool joining;
};
/* The FRR steps (fabric_frr.c): the fabric's block added (refused when the change's look
 * found FRR not running, or without bgpd), removed, and the undo of an add: each begins a
 * vtysh run in r->vty (-EINPROGRESS), and resume ends it (step k's words in diag). */
int netd_fabric_frr_add(struct netd_apply_ctx *c, struct netd_apply_run *r, struct netd_diag *diag);
int netd_fabric_frr_remove(struct netd_apply_ctx *c, struct netd_apply_run *r,
                           struct netd_diag *diag);
int netd_fabric_frr_undo(struct netd_apply_ctx *c, struct netd_apply_run *r);
int netd_fabric_frr_resume(struct netd_apply_ctx *c, struct netd_apply_run *r,
                           enum netd_step_kind k, struct netd_diag *diag);
/*
 * Run the plan: up as a transaction (on failure the steps done are undone, in reverse), down
 * trying every step and reporting the first error. -EINPROGRESS while a step waits, with
 * what for in *w: call resume when that is met. Any other value is the end and its result;
 * the undo of a failure found on resuming is part of the run. release frees what a run
 * holds (an op still waited for is abandoned: only for a run never resumed to its end).
 */
int netd_apply_start(struct netd_apply_ctx *c, struct netd_apply_run *r,
                     const struct netd_plan *plan, bool down, struct netd_wait *w,
                     struct netd_diag *diag);
int netd_apply_resume(struct netd_apply_ctx *c, struct netd_apply_run *r, struct netd_wait *w,
                      struct netd_diag *diag);
void netd_apply_release(struct netd_apply_run *r);

/*
 * One network's up or down, from observing it to the end of its apply (change.c). A reconcile
 * is an up of a network that is up which also asks its dnsmasq whether it still answers. A
 * down refuses (-EBUSY) to delete a bridge that holds the uplink, or a bond of netd's, without
 * a snapshot that loads, unless forced; once done it adds a line to notes (may be NULL) for
 * each state file that did not load. start and resume answer as the apply does. The network's
 * record of being up is the caller's (job.c, reload.c).
 */
enum netd_change_kind {
	NETD_CHANGE_UP,
	NETD_CHANGE_DOWN,
	NETD_CHANGE_RECONCILE,
};
struct netd_change {
	struct netd_view v;
	struct netd_plan plan; /* what was (or would have been) done */
	struct netd_apply_run run;
	bool loaded; /* v holds a view to release */
	struct netd_engine *e;
	const struct netd_network *n;
	struct netd_fabric_look look; /* a spanning network: FRR asked before the plan */
	bool drift; /* up, reconcile: the plan re-applies rules that drifted (change.c) */
	enum netd_change_kind kind;
	bool force;
	json_object *notes;
};
int netd_change_start(struct netd_engine *e, const struct netd_network *n,
                      enum netd_change_kind kind, bool force, json_object *notes,
                      struct netd_change *ch, struct netd_wait *w, struct netd_diag *diag);
int netd_change_resume(struct netd_change *ch, struct netd_wait *w, struct netd_diag *diag);
void netd_change_release(struct netd_change *ch);

/* A reload (reload.c): the networks whose devices changed go down under the old config, the
 * new config comes in force, and the networks up are brought to their new definition. */
struct netd_reload {
	struct netd_config *fresh; /* the new config until it is in force */
	bool *renew;               /* per fresh network: taken down for a change of devices */
	bool *marks;               /* brought_up for the fresh networks */
	bool ups;                  /* the second half: under the new config */
	size_t i;                  /* the network being changed, or next */
	bool active;               /* ch runs for network i */
	struct netd_change ch;
	int first;
	struct netd_diag diag;
	json_object *report; /* {network: what was done} (reload_report.c); NULL: none yet */
};
int netd_reload_start(struct netd_engine *e, struct netd_reload *rl, struct netd_wait *w,
                      struct netd_diag *diag);
int netd_reload_resume(struct netd_engine *e, struct netd_reload *rl, struct netd_wait *w,
                       struct netd_diag *diag);
void netd_reload_release(struct netd_reload *rl);
/* What the change of network did (its plan; recreated: down and up again), into rl->report
 * and the log (reload_report.c). */
int netd_reload_note(struct netd_reload *rl, const char *network, const struct netd_plan *plan,
                     bool recreated);
/* The report, the caller's to put; rl holds none after. */
json_object *netd_reload_take_report(struct netd_reload *rl);
/* The label of name while the reload changes it, or NULL. */
const char *netd_reload_busy(const struct netd_engine *e, const struct netd_reload *rl,
                             const char *name);

/* net.ipv4.ip_forward, with the value netd found saved in the state dir until restored. */
int netd_forwarding_enable(const char *state_dir, bool *changed, struct netd_diag *diag);
/* A saved value that does not load is -EINVAL with diag naming it: ip_forward is left as it
 * is (netd does not guess), and the file stays. */
int netd_forwarding_restore(const char *state_dir, struct netd_diag *diag);
/* 1: a saved value that loads (of either family); 0: none; -EINVAL: a file that does not load. */
int netd_forwarding_saved(const char *state_dir);
/* The same for net.ipv6.conf.all.forwarding (<state>/ip6_forward.saved); restore does both. */
int netd_forwarding6_enable(const char *state_dir, bool *changed, struct netd_diag *diag);
/* net.ipv6.conf.all.forwarding is 1. */
int netd_forwarding6_on(void);
/* ipv6.c: the network's IPv6 prefix against the host's IPv6 addresses and routes. */
int netd_engine_check_host6(struct netd_engine *e, const struct netd_network *n,
                            struct netd_diag *diag);
/* ipv6.c: the bridge's IPv6 address (and accept_ra 0: the host is the router there). */
int netd_ipv6_address_add(struct netd_engine *e, const struct netd_network *n,
                          struct netd_diag *diag);
/* ipv6.c: 1 when the bridge has it (or the network has no IPv6), 0 not, -errno. */
int netd_ipv6_address_has(struct netd_engine *e, const struct netd_network *n);
/* ipv6.c: the network's DHCPv6 leases appended to arr, as `leases` lists the IPv4 ones (the
 * MAC where the client's DUID carries one, and the DUID). */
void netd_leases6_json(const struct netd_dnsmasq_paths *paths, json_object *arr);
/* ipv6.c: IPv6 forwarding may go on: no link takes the host's routes from RAs with
 * accept_ra=1 (forwarding would make the kernel ignore them: libvirt refuses the same way).
 * 0, or -EBUSY with diag naming the link and the fix. */
int netd_ipv6_forwarding_safe(struct netd_engine *e, struct netd_diag *diag);
/* ipv6.c: both definitions give the bridge the same IPv6 address, or none. The bridge's IPv6
 * is made with it (disabled outright in some modes), so a change of it is a change of
 * devices for a reload: down under the old definition, up under the new. */
bool netd_same_ipv6(const struct netd_network *a, const struct netd_network *b);
/* ipv6.c: "address6" of a network's summary (status, list), where it has one. */
void netd_address6_json(const struct netd_network *n, json_object *j);
/* status's "dhcp6": {"first","last"} of the network's DHCPv6 range, when it has one. */
void netd_dhcp6_json(const struct netd_network *n, json_object *j);
/* issue->bad when <state>/ip_forward.saved does not load. 0 or -ENOMEM. */
int netd_forwarding_issue(const char *state_dir, struct netd_state_issue *issue);

/* ---- guests on taps: the verbs (attach.c, detach.c), the steps "sync taps" and "remove taps"
 * (attach_sync.c), making a tap (attach_tap.c), leases (attach_lease.c), the record on disk
 * (attach_record.c) ---- */

#define NETD_TAPS_KIND "taps"
/* <state>/<network>.taps. A missing file is an empty state; one that does not load is
 * -EINVAL, with diag naming it, why, and what netd does about it. */
int netd_tap_state_load(const char *state_dir, const char *network, struct netd_tap_state *out,
                        struct netd_diag *diag);
/* The record as status reports it: issue->bad when it does not load (file, reason, whether
 * its .prev loads). 0 or -ENOMEM. */
int netd_tap_state_issue(const char *state_dir, const char *network,
                         struct netd_state_issue *issue);
/* Written atomically and durably; an empty state removes the file (and its .prev). */
int netd_tap_state_save(const char *state_dir, const char *network, const struct netd_tap_state *s,
                        struct netd_diag *diag);

#define NETD_TAP_ALIAS_MAX (NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX))
/* "netd:<network>", the tag of every link netd makes for n. */
void netd_tap_alias(const struct netd_network *n, char buf[NETD_TAP_ALIAS_MAX]);
/* The link exists and carries n's tag: netd may remove it. */
bool netd_tap_link_is_ours(struct netd_engine *e, const struct netd_network *n, const char *link,
                           struct netd_link_info *li);
/* The one path that makes taps: for each of w[0..k), owner and group resolved, created,
 * tagged, on n's bridge with its MTU and n's isolation, up, all set up in one netlink batch;
 * recs[i] describes the tap of w[i]. All or nothing: on failure no tap is left, and with
 * k > 1 diag names the failing one by its index ("taps[3]: ..."). */
int netd_taps_make(struct netd_engine *e, const struct netd_network *n,
                   const struct netd_tap_want *w, size_t k, struct netd_tap_record *recs,
                   struct netd_diag *diag);
/* netd_taps_make() of one tap. */
int netd_tap_make(struct netd_engine *e, const struct netd_network *n,
                  const struct netd_tap_want *w, struct netd_tap_record *rec,
                  struct netd_diag *diag);
/* Put the settings of an existing tap of n back (writes only what differs). */
int netd_tap_settle(struct netd_engine *e, const struct netd_network *n,
                    const struct netd_tap_record *r, struct netd_diag *diag);
/* An attached tap of n back on n's bridge, isolated as n's policy says; nothing else of it
 * changes (its MTU, MAC, owner and state are the guest's). */
int netd_tap_enslave(struct netd_engine *e, const struct netd_network *n, const char *tap,
                     struct netd_diag *diag);
/* GuestSourceCheck: each of taps[0..k) bound to its guest as the record s has it (one nft
 * batch per port, nothing else of the network touched; nothing where the network binds no
 * ports). All or nothing: on failure the ports bound here are unbound again. */
int netd_tap_ports_bind(struct netd_engine *e, const struct netd_network *n,
                        const struct netd_tap_state *s, const char *const *taps, size_t k,
                        struct netd_diag *diag);
/* Each of taps[0..k) unbound (one that is not bound is no error); the first error. */
int netd_tap_ports_unbind(struct netd_engine *e, const struct netd_network *n,
                          const char *const *taps, size_t k, struct netd_diag *diag);
/* Rewrite n's dnsmasq hosts file from the config and the record s, and have dnsmasq reread
 * it; no dnsmasq running is no error. */
int netd_taps_reload_hosts(struct netd_engine *e, const struct netd_network *n,
                           const struct netd_tap_state *s, struct netd_diag *diag);

/* A guest's lease being given back through a running dnsmasq (attach_lease.c). */
struct netd_lease_wait {
	struct netd_dnsmasq_paths paths;
	uint8_t mac[6];
	struct in_addr addr; /* the lease given back */
	long long deadline;  /* dnsmasq must have dropped it from its file by then */
};
/* The guest with mac gives its lease back: through dnsmasq when it runs (a DHCPRELEASE, then
 * -EINPROGRESS with *w until dnsmasq has dropped it from its lease file: call resume when w is
 * met), else struck from the lease file. *released gets the address given back (0: there was
 * no lease). */
int netd_tap_lease_forget_start(struct netd_engine *e, const struct netd_network *n,
                                const uint8_t mac[6], struct netd_lease_wait *lw,
                                struct in_addr *released, struct netd_wait *w,
                                struct netd_diag *diag);
int netd_tap_lease_forget_resume(const struct netd_network *n, struct netd_lease_wait *lw,
                                 struct in_addr *released, struct netd_wait *w,
                                 struct netd_diag *diag);

/* detach as a job (detach.c), of one tap or of several: every tap checked before anything is
 * done; the guests' leases given back one after the other (each may wait for dnsmasq), then
 * the ports unbound, the taps deleted together and the record written once. start and
 * resume: -EINPROGRESS with *w, or the end with *out (batch: {"network","taps":[...]}). */
struct netd_detach_tap;
struct netd_detach {
	const struct netd_network *n;
	struct netd_tap_state s;
	struct netd_detach_tap *g; /* the taps of the request */
	size_t k;
	size_t i; /* the tap whose lease is being given back */
	bool batch;
	struct netd_lease_wait lw;
};
int netd_detach_start(struct netd_engine *e, const char *name, const char *const *taps, size_t k,
                      bool batch, struct netd_detach *dt, struct netd_wait *w, json_object **out,
                      struct netd_diag *diag);
int netd_detach_resume(struct netd_engine *e, struct netd_detach *dt, struct netd_wait *w,
                       json_object **out, struct netd_diag *diag);
void netd_detach_release(struct netd_detach *dt);
/* The lease file without the lines of macs, written atomically; no file is no error. */
int netd_tap_leases_strip_file(const struct netd_dnsmasq_paths *p, const uint8_t (*macs)[6],
                               size_t n_macs);

/* Step "sync taps": carry out netd_tap_diff_up() of the plan's desired and observed state.
 * All or nothing: a failure removes the taps it made and leaves the record as it was. */
int netd_taps_sync(struct netd_apply_ctx *c, struct netd_diag *diag);

/* ---- [Network] MTU= (mtu.c) ---- */

/* o->bridge_mtu from br, and o->n_ports_mtu: ports of br (links, one dump) whose MTU is not
 * n's MTU= (none counted without one). */
void netd_mtu_observe(const struct netd_network *n, const struct netd_link_info *br,
                      const struct netd_link_info *links, size_t n_links, struct netd_observed *o);
/* The bridge and its ports (not a bridged network's uplink) to mtu. */
int netd_mtu_apply(struct netd_engine *e, const struct netd_network *n, unsigned mtu,
                   struct netd_diag *diag);
/* A port just enslaved to n's bridge takes n's MTU= (monitor.c); failures are logged. */
void netd_mtu_port_added(struct netd_engine *e, const struct netd_network *n, const char *port);
/* Step "remove taps": every tap netd made for the network (declared and attached), the
 * attached guests' leases when no dnsmasq holds them, and the record. Tries everything,
 * reports the first error. */
int netd_taps_remove(struct netd_apply_ctx *c, struct netd_diag *diag);

#endif
