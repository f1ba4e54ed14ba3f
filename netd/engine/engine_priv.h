/* Private to netd/engine/: the engine's state and what its files share. */
#ifndef NETD_ENGINE_INTERNAL_H
#define NETD_ENGINE_INTERNAL_H

struct netd_link_monitor;
struct netd_dnsmasq_watch;
struct netd_dir_watch;

#include "netd/engine.h"
#include "netd/kernel/dnsmasq.h"
#include "netd/kernel/netlink.h"
#include "netd/kernel/nft.h"
#include "netd/kernel/snapshot.h"
#include "netd/plan.h"
#include "netd/tap.h"

struct netd_engine {
	char *config_dir;
	char *state_dir;
	char *runtime_dir;
	char *dnsmasq_bin;
	struct netd_config *config;
	struct netd_nl *nl;
	struct netd_nft *nft;
	struct netd_link_monitor *monitor; /* link notifications (monitor.c); NULL until opened */
	/* Per config->networks[i]: this process brought it up (by request or autostart; it
	 * was not up before), so --down-on-exit takes it down. Follows the names on reload. */
	bool *brought_up;
	/* Per config->networks[i]: the liveness query in flight to its dnsmasq
	 * (dnsmasq_health.c); made anew with the config. */
	struct netd_dnsmasq_watch *watch;
	size_t n_watch;
	unsigned long passes; /* reconcile passes so far: whose dnsmasq's turn it is to be asked */
	/* Per config->networks[i]: what the passes keep of it (pass.c); made anew with the
	 * config. The watches of the state and runtime directories say what changed (NULL:
	 * not watched, everything read every pass). */
	struct netd_net_memo *memo;
	size_t n_memo;
	struct netd_dir_watch *state_watch, *run_watch;
};

/* What the engine keeps of a network from one pass to the next (pass.c): its files as last
 * read, with the directory watch's version of each at the time (0: nothing kept). */
struct netd_net_memo {
	uint64_t up_version;    /* <state>/<net>.up */
	int up_rec;             /* what netd_up_record_load() said of it */
	uint64_t taps_version;  /* <state>/<net>.taps */
	struct netd_desired *d; /* built from the config and that record; NULL: none */
	unsigned borrowers;     /* views holding d */
	struct netd_dnsmasq_seen
	    seen; /* its dnsmasq and <runtime>/<net>.{pid,dnsmasq.conf,hosts} */
};

/* What one pass over networks (a list, a reconcile pass, or one network's view) reads once
 * and shares between the networks it observes. */
struct netd_pass {
	struct netd_kernel_snapshot *k; /* whole for a pass over all networks, else narrow */
	int forwarders_up;              /* networks up that need forwarding; -1: not counted yet */
	int ip_forward; /* net.ipv4.ip_forward is 1; -1: not read yet (or changed) */
	bool nft_held;  /* nft observe trusts one generation check (kernel/nft.h) */
};

/* pass.c. Begin: the directory watches brought up to date, and the kernel snapshot taken
 * (whole: for a pass over every network; else narrow). End: the snapshot freed. */
int netd_pass_begin(struct netd_engine *e, bool whole, struct netd_pass *pass);
void netd_pass_end(struct netd_pass *pass);
/* The watches of the state and runtime directories (a failure is logged: no watch). */
void netd_pass_watch(struct netd_engine *e);
void netd_pass_unwatch(struct netd_engine *e);
/* One empty memo per network of the config in force (and one past the end). */
int netd_memo_reset(struct netd_engine *e);
void netd_memo_free(struct netd_engine *e);
/* Within a pass begun: netd_up_record_load() of n, read again only when its file changed. */
int netd_pass_up_record(struct netd_engine *e, const struct netd_network *n,
                        struct netd_net_memo *m);
/* Within a pass begun: n's desired state (its taps record read), built again only when the
 * record changed. *lender: the memo that lent it (NULL: *out is the caller's own); give it
 * back with netd_pass_desired_return(). */
int netd_pass_desired(struct netd_engine *e, const struct netd_network *n, struct netd_net_memo *m,
                      const struct netd_dnsmasq_paths *paths, struct netd_desired **out,
                      struct netd_net_memo **lender, struct netd_diag *diag);
void netd_pass_desired_return(struct netd_net_memo *lender, struct netd_desired *d);

/* A network counts as up (or half up) when its tagged bridge exists. */
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
 * and sends the next (beyond 128 networks, at its turn: see dnsmasq_health.c); the first
 * call for a pid only sends. Logs a verdict of hung. */
bool netd_dnsmasq_hung(struct netd_engine *e, size_t i, pid_t pid);
/* One slot per network of the config in force, none in flight; free closes them all. */
int netd_dnsmasq_watch_reset(struct netd_engine *e);
void netd_dnsmasq_watch_free(struct netd_engine *e);

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
	struct netd_pass *pass;       /* the pass it was observed in */
	struct netd_pass own;         /* that pass, for a view loaded on its own */
	struct netd_net_memo *lender; /* of d; NULL: d is the view's own */
};

/* The view of n within pass (its snapshot and counts shared with the pass's other views);
 * netd_view_load() is the same for a view on its own: a narrow pass of its own. */
int netd_view_load_in(struct netd_engine *e, const struct netd_network *n, struct netd_pass *pass,
                      struct netd_view *v, struct netd_diag *diag);
int netd_view_load(struct netd_engine *e, const struct netd_network *n, struct netd_view *v,
                   struct netd_diag *diag);
void netd_view_release(struct netd_view *v);
/* The network of that name, or NULL with diag naming the ones there are. */
const struct netd_network *netd_engine_find(struct netd_engine *e, const char *name,
                                            struct netd_diag *diag);

/* The facts of d's network: links, addresses and ip_forward as the pass read them, the dnsmasq
 * through what the memo m kept of it. */
int netd_observe(struct netd_engine *e, const struct netd_desired *d,
                 const struct netd_dnsmasq_paths *paths, struct netd_pass *pass,
                 struct netd_net_memo *m, struct netd_observed *o);

/* Run the plan as a transaction: on failure undo the steps done, in reverse. */
int netd_apply_up(struct netd_apply_ctx *c, const struct netd_plan *plan, struct netd_diag *diag);
/* Run a down plan: every step is tried; the first error is reported. */
int netd_apply_down(struct netd_apply_ctx *c, const struct netd_plan *plan, struct netd_diag *diag);

/* net.ipv4.ip_forward, with the value netd found saved in the state dir until restored. */
int netd_forwarding_enable(const char *state_dir, bool *changed, struct netd_diag *diag);
int netd_forwarding_restore(const char *state_dir, struct netd_diag *diag);
bool netd_forwarding_saved(const char *state_dir);

/* ---- guests on taps: the verbs (attach.c), the steps "sync taps" and "remove taps"
 * (attach_sync.c), making a tap (attach_tap.c), leases (attach_lease.c), the record on disk
 * (attach_record.c) ---- */

/* <state>/<network>.taps. A missing file is an empty state. */
int netd_tap_state_load(const char *state_dir, const char *network, struct netd_tap_state *out,
                        struct netd_diag *diag);
/* Written atomically; an empty state removes the file. */
int netd_tap_state_save(const char *state_dir, const char *network, const struct netd_tap_state *s,
                        struct netd_diag *diag);

#define NETD_TAP_ALIAS_MAX (NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX))
/* "netd:<network>", the tag of every link netd makes for n. */
void netd_tap_alias(const struct netd_network *n, char buf[NETD_TAP_ALIAS_MAX]);
/* The link exists and carries n's tag: netd may remove it. */
bool netd_tap_link_is_ours(struct netd_engine *e, const struct netd_network *n, const char *link,
                           struct netd_link_info *li);
/* The one path that makes a tap: owner and group resolved, created, tagged, on n's bridge
 * with its MTU and n's isolation, up; rec describes it. On failure nothing is left. */
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
/* Rewrite n's dnsmasq hosts file from the config and the record s, and have dnsmasq reread
 * it; no dnsmasq running is no error. */
int netd_taps_reload_hosts(struct netd_engine *e, const struct netd_network *n,
                           const struct netd_tap_state *s, struct netd_diag *diag);

/* The guest with mac gives its lease back: through dnsmasq when it runs, else struck from the
 * lease file. *released gets the address given back (0: there was no lease). */
int netd_tap_lease_forget(struct netd_engine *e, const struct netd_network *n, const uint8_t mac[6],
                          struct in_addr *released, struct netd_diag *diag);
/* The lease file without the lines of macs, written atomically; no file is no error. */
int netd_tap_leases_strip_file(const struct netd_dnsmasq_paths *p, const uint8_t (*macs)[6],
                               size_t n_macs);

/* Step "sync taps": carry out netd_tap_diff_up() of the plan's desired and observed state.
 * All or nothing: a failure removes the taps it made and leaves the record as it was. */
int netd_taps_sync(struct netd_apply_ctx *c, struct netd_diag *diag);
/* Step "remove taps": every tap netd made for the network (declared and attached), the
 * attached guests' leases when no dnsmasq holds them, and the record. Tries everything,
 * reports the first error. */
int netd_taps_remove(struct netd_apply_ctx *c, struct netd_diag *diag);

#endif
