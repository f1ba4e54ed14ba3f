/*
 * Planning: desired (from the config, pure) + observed (from the kernel) -> an ordered list of
 * steps. The planner is pure; apply.c runs the steps as a transaction.
 */
#ifndef NETD_PLAN_H
#define NETD_PLAN_H

#include <sys/types.h>

#include "netd/model.h"
#include "netd/nft.h"
#include "netd/tap.h"

/* What a network wants from the kernel, derived from its definition alone. */
struct netd_desired {
	const struct netd_network *net;
	char alias[NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX)]; /* "netd:<name>" */
	bool no_ipv6;
	unsigned arp_ignore;      /* the bridge's net.ipv4.conf.*.arp_ignore; 0: left alone */
	bool forwarding;          /* needs net.ipv4.ip_forward=1 */
	bool forwarding6;         /* ... and net.ipv6.conf.all.forwarding=1 (it has IPv6) */
	bool isolate_ports;       /* VMToVM=deny: every port but the uplink isolated */
	struct netd_nft_net *nft; /* owned; the record's guests bound (netd_tap_nft_build) */
	bool has_rules;           /* nft has at least one inet chain */
	bool dnsmasq;             /* runs a dnsmasq */
	char *dnsmasq_conf;       /* owned; NULL when !dnsmasq */
	char *dnsmasq_hosts;      /* owned; NULL when !dnsmasq */
	char *dnsmasq_opts;       /* owned; dhcp-optsfile text; NULL when !dnsmasq */
	char *dnsmasq_records;    /* owned; addn-hosts text; NULL when !dnsmasq */
	/* The record of the taps netd made for the network (<state>/<net>.taps), copied: the
	 * attached ones stay, and their static leases are in dnsmasq_hosts. */
	struct netd_tap_state taps;
	/* A spanning network ([VXLAN] VNI=): the directory's fabric and the name of its VXLAN
	 * port (netd/fabric.h); NULL and "" otherwise. Set by the engine (engine/fabric.c). */
	const struct netd_fabric *fabric;
	char vxlan[IFNAMSIZ];
};

/* Pure. paths may be NULL (no dnsmasq text then); used to render the dnsmasq config.
 * taps: the network's record of taps, NULL for none. */
struct netd_dnsmasq_paths;
int netd_desired_build(const struct netd_network *n, const struct netd_dnsmasq_paths *paths,
                       const struct netd_tap_state *taps, struct netd_desired **out);
void netd_desired_free(struct netd_desired *d);

enum netd_bridge_state {
	NETD_BRIDGE_ABSENT,
	NETD_BRIDGE_OURS,      /* a bridge with alias netd:<this network> */
	NETD_BRIDGE_FOREIGN,   /* the name is taken by a link without our alias */
	NETD_BRIDGE_OTHER_NET, /* netd's, but another network's */
};

/* The state files netd keeps for a network (netd/util/state_file.h), by what they hold. */
enum netd_state_file {
	NETD_STATE_FILE_UPLINK,     /* <state>/<network>.uplink */
	NETD_STATE_FILE_BOND,       /* <state>/<network>.bond */
	NETD_STATE_FILE_TAPS,       /* <state>/<network>.taps */
	NETD_STATE_FILE_IP_FORWARD, /* <state>/ip_forward.saved, of the networks that route */
	NETD_STATE_FILES,
};

/* A state file that does not load (or is missing while the kernel shows netd needs it):
 * never read as "nothing saved"; the network needs attention. */
struct netd_state_issue {
	bool bad;
	char file[NETD_PATH_MAX];
	char reason[256]; /* "is empty", "is truncated (...)", "is missing", ... */
	bool prev_loads;  /* <file>.prev loads */
	bool prev_used;   /* ... and agrees with what the kernel has: down uses it */
};

/* What the kernel has now, for one network. Filled by observe.c. */
struct netd_observed {
	enum netd_bridge_state bridge;
	char bridge_kind[32]; /* of a foreign link, for the message */
	char bridge_alias[256];
	bool bridge_up;
	bool has_address;
	/* some of the network's chains are in table inet netd, or its port chains in table
	 * bridge netd */
	bool rules_present;
	/* Both tables hold exactly the rules and map elements d->nft wants (compared by
	 * content); when not, what differs, e.g. "out_default: 1 rule missing" */
	bool rules_current;
	char rules_drift[NETD_NFT_DRIFT_MAX];
	bool dnsmasq_running;
	pid_t dnsmasq_pid;
	bool dnsmasq_conf_current; /* running with exactly the rendered conf */
	/* running with the rendered conf, but a file it rereads on SIGHUP (hosts, options,
	 * records) differs: rewritten and reread, no restart */
	bool dnsmasq_files_stale;
	/* running, but it left netd's liveness query unanswered (set by the reconcile, which
	 * alone asks; engine/dnsmasq_health.c): restarted with SIGKILL, leases kept */
	bool dnsmasq_hung;
	bool ip_forward_on;
	/* netd turned ip_forward on (the value it found is saved) and no other network that is
	 * up needs it: a network that no longer routes gives it back. Filled by the engine. */
	bool forwarding_restorable;
	size_t n_ports_to_isolate; /* ports whose isolation differs from what the policy says */
	unsigned bridge_mtu;       /* of our bridge; 0 when it is not there */
	size_t n_ports_mtu;        /* ports of it (not the uplink) not at MTU=; 0 without MTU= */
	/* bridged: the uplink named by Uplink= */
	bool uplink_exists;
	bool uplink_enslaved;         /* its master is our bridge */
	char uplink_master[IFNAMSIZ]; /* another master it has, "" when none */
	unsigned uplink_mtu;          /* its MTU, 0 when it does not exist */
	bool uplink_saved;            /* netd holds a snapshot to give it back from */
	/* bridged with a [Bond]: filled by netd_bond_observe() (netd/bond.h) */
	bool bond_exists;   /* a link has the bond's name */
	bool bond_ours;     /* ... and it is a bond with alias netd:<this network> */
	char bond_kind[32]; /* of a link under the name that is not ours */
	char bond_alias[256];
	bool bond_saved;                  /* netd holds the slaves' state to give them back from */
	char bond_slave_absent[IFNAMSIZ]; /* first slave that does not exist, "" when none */
	char bond_slave_busy[IFNAMSIZ];   /* first slave with another master, "" when none */
	char bond_slave_master[IFNAMSIZ]; /* ... that master */
	/* the links under the names of the network's [Tap]s and recorded taps, and every other
	 * link tagged netd:<network> but its bridge and bond (owned) */
	struct netd_tap_links taps;
	/* a spanning network (engine/fabric.c): its VXLAN port, and FRR's part */
	bool vxlan_exists;     /* a link has the port's name */
	bool vxlan_ours;       /* ... a vxlan with the network's alias */
	bool vxlan_current;    /* ... as the fabric and the policy want it */
	char vxlan_alias[256]; /* of a link under the name that is not ours */
	bool frr_running;      /* vtysh answers, and zebra and bgpd run */
	int frr_config;        /* netd_frr_config_state(): 0 none, 1 complete, 2 partial */
	char frr_problem[256]; /* why not running or not complete, for status */
	bool frr_last;         /* no other spanning network is up: down removes FRR's part */
	int guard;             /* table inet netd_fabric: 0 absent, 1 as wanted, 2 otherwise */
	/* its state files that do not load, by enum netd_state_file */
	struct netd_state_issue files[NETD_STATE_FILES];
};

/* Frees what o owns. */
void netd_observed_clear(struct netd_observed *o);

enum netd_step_kind {
	NETD_STEP_CREATE_BRIDGE,
	NETD_STEP_ADD_ADDRESS,
	NETD_STEP_LINK_UP,
	NETD_STEP_FORWARDING_ON,
	NETD_STEP_APPLY_RULES,
	NETD_STEP_START_DNSMASQ,
	NETD_STEP_RESTART_DNSMASQ,
	NETD_STEP_ISOLATE_PORTS,
	NETD_STEP_TAKE_UPLINK,
	NETD_STEP_CREATE_BOND,
	NETD_STEP_SYNC_TAPS,
	NETD_STEP_SET_MTU, /* [Network] MTU= on the bridge and its ports */
	NETD_STEP_REREAD_DNSMASQ,
	/* down */
	NETD_STEP_STOP_DNSMASQ,
	NETD_STEP_REMOVE_RULES,
	NETD_STEP_FORWARDING_RESTORE,
	NETD_STEP_RELEASE_UPLINK,
	NETD_STEP_RELEASE_UPLINK_AS_IS, /* down --force: no snapshot, the bridge's addresses */
	NETD_STEP_DELETE_BRIDGE,
	NETD_STEP_DELETE_BOND,
	NETD_STEP_REMOVE_TAPS,
	/* spanning networks (engine/fabric.c) */
	NETD_STEP_CONFIGURE_FRR,
	NETD_STEP_CREATE_VXLAN,
	NETD_STEP_DELETE_VXLAN,
	NETD_STEP_UNCONFIGURE_FRR,
	NETD_STEP_APPLY_GUARD,
	NETD_STEP_REMOVE_GUARD,
	NETD_STEP_KINDS,
};

#define NETD_PLAN_MAX 16

struct netd_plan {
	enum netd_step_kind steps[NETD_PLAN_MAX];
	size_t n;
};

const char *netd_step_name(enum netd_step_kind k); /* "create bridge", ... */

/* Pure (plan_summary.c): what a reload did to a network, as `netdctl reload` says it: "rules
 * updated", "dnsmasq reread" (same pid, leases kept), "dnsmasq restarted", "recreated" (went
 * down under its old definition and up under the new), other steps by name, joined by ", ";
 * "unchanged" for an empty plan. */
void netd_plan_summary(const struct netd_plan *plan, bool recreated, char *buf, size_t len);

/*
 * Pure. The steps that make the kernel match `d`, in order; empty when it already does.
 * A foreign link or another network's bridge under the name is -EEXIST with diag saying so.
 * "sync taps" (netd_tap_diff_up() has ops) comes last, once the bridge, its rules and
 * dnsmasq are there: a [Tap] that cannot be made undoes the whole plan.
 */
int netd_plan_up(const struct netd_desired *d, const struct netd_observed *o,
                 struct netd_plan *plan, struct netd_diag *diag);

/*
 * Pure. The steps that remove what the network made. `last_forwarder`: no other network that
 * is up needs forwarding, so the saved ip_forward value is put back. "remove taps" (when
 * netd_tap_diff_down() has ops, or the record does not load) comes right after dnsmasq is
 * stopped, so the lease file of the attached guests is no longer dnsmasq's to rewrite. A
 * bridge that holds the uplink without a snapshot gives it back as the kernel has it, and a
 * bond of ours without its slaves' state is left: netd_plan_down_check() refuses both
 * unless forced.
 */
void netd_plan_down(const struct netd_desired *d, const struct netd_observed *o,
                    bool last_forwarder, struct netd_plan *plan);

/* ---- state files that do not load (plan_attention.c); pure ---- */

/* Whether down may go ahead: 0, or -EBUSY (unless force) when it would delete a bridge that
 * holds the uplink, or a bond of ours, without a snapshot to give it back from, with diag
 * naming the file, why it does not load and how to recover. */
int netd_plan_down_check(const struct netd_desired *d, const struct netd_observed *o, bool force,
                         struct netd_diag *diag);
/* Some state file of the network does not load: its state is "needs-attention". */
bool netd_observed_needs_attention(const struct netd_observed *o);
/* What netd does about file k of o, and how to recover, as one sentence for status. */
void netd_state_issue_advice(const struct netd_desired *d, const struct netd_observed *o,
                             enum netd_state_file k, char *buf, size_t len);

#endif
