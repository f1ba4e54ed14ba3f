/* Shared between engine.c, observe.c, apply.c and forwarding.c; not a public contract. */
#ifndef NETD_ENGINE_INTERNAL_H
#define NETD_ENGINE_INTERNAL_H

struct mnl_socket;

#include "netd/dnsmasq.h"
#include "netd/engine.h"
#include "netd/netlink.h"
#include "netd/nft.h"
#include "netd/plan.h"

struct netd_engine {
	char *config_dir;
	char *state_dir;
	char *runtime_dir;
	char *dnsmasq_bin;
	struct netd_config *config;
	struct netd_nl *nl;
	struct netd_nft *nft;
	struct mnl_socket *monitor; /* link notifications, for port policy; NULL until opened */
};

/* A bond failed over: announce its network's bridge addresses (netd/garp.h says why). */
void netd_engine_bond_failover(struct netd_engine *e, const char *bond);
/* A link was enslaved to the bridge with ifindex master: apply its network's port policy. */
void netd_engine_port_added(struct netd_engine *e, int master, const char *port);

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

#endif
