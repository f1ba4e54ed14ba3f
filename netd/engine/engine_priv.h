/* Private to netd/engine/: the engine's state and what its files share. */
#ifndef NETD_ENGINE_INTERNAL_H
#define NETD_ENGINE_INTERNAL_H

struct netd_link_monitor;

#include "netd/engine.h"
#include "netd/kernel/dnsmasq.h"
#include "netd/kernel/netlink.h"
#include "netd/kernel/nft.h"
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
};

/* A network counts as up (or half up) when its tagged bridge exists. */
bool netd_engine_bridge_is_ours(struct netd_engine *e, const struct netd_network *n);

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

int netd_observe(struct netd_engine *e, const struct netd_desired *d,
                 const struct netd_dnsmasq_paths *paths, struct netd_observed *o);

/* Run the plan as a transaction: on failure undo the steps done, in reverse. */
int netd_apply_up(struct netd_apply_ctx *c, const struct netd_plan *plan, struct netd_diag *diag);
/* Run a down plan: every step is tried; the first error is reported. */
int netd_apply_down(struct netd_apply_ctx *c, const struct netd_plan *plan, struct netd_diag *diag);

/* net.ipv4.ip_forward, with the value netd found saved in the state dir until restored. */
int netd_forwarding_enable(const char *state_dir, bool *changed, struct netd_diag *diag);
int netd_forwarding_restore(const char *state_dir, struct netd_diag *diag);
bool netd_forwarding_saved(const char *state_dir);

/* ---- guests on taps (attach.c, attach_record.c) ---- */

/* <state>/<network>.taps. */
/* A missing file is an empty state. */
int netd_tap_state_load(const char *state_dir, const char *network, struct netd_tap_state *out,
                        struct netd_diag *diag);

/* Written atomically; an empty state removes the file. */
int netd_tap_state_save(const char *state_dir, const char *network, const struct netd_tap_state *s,
                        struct netd_diag *diag);

/* view_load: the desired hosts file also holds the static leases of attached taps. */
int netd_taps_desired(struct netd_engine *e, const struct netd_network *n, struct netd_desired *d);
/* After an up (and at each reconcile): create missing [Tap]s, bring drifted ones back,
 * remove those a reload took out of the config, and forget attached taps that are gone.
 * Attached taps that exist are never touched: a netd restart keeps them. */
int netd_taps_up(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag);
/* After a down: remove every tap netd made for the network (declared and attached), and the
 * attached guests' leases; attachments are forgotten. */
int netd_taps_down(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag);

#endif
