/*
 * The engine: owns the parsed config and turns requests (up, down, reload, reconcile) into
 * observe -> plan -> apply. The daemon's control socket and its event loop call only this.
 * Results that carry data are json-c objects the caller owns (json_object_put).
 */
#ifndef NETD_ENGINE_H
#define NETD_ENGINE_H

#include <json-c/json.h>

#include "netd/model.h"

struct netd_engine_opts {
	const char *config_dir; /* *.conf network definitions */
	const char
	    *state_dir; /* leases, saved sysctls and uplink state: survives reboots of netd */
	const char *runtime_dir; /* dnsmasq conf and pid files */
	const char *dnsmasq_bin; /* NULL: $NETD_DNSMASQ or /usr/sbin/dnsmasq */
	/* the upstream DNS servers of every network's dnsmasq; NULL: /etc/resolv.conf */
	const char *resolv_conf;
};

struct netd_engine;

/* Loads the config dir (an error there fails, naming file:line) and creates the dirs. */
int netd_engine_new(const struct netd_engine_opts *opts, struct netd_engine **out,
                    struct netd_diag *diag);
void netd_engine_free(struct netd_engine *e);

/* Re-read the config dir. On an error in it the old config stays in force and nothing
 * changes. Otherwise the new config is in force: networks that are up are reconciled to their
 * new definition; removed ones go down; one whose mode, bridge, uplink or bond changed goes
 * down under its old definition and comes up under the new one, and when that up fails it is
 * left down (rolled back) and the error names it. The first error is returned; every network
 * is still tried. */
int netd_engine_reload(struct netd_engine *e, struct netd_diag *diag);

/* Make the kernel match the network; a network already up and as defined writes nothing. On
 * failure the steps done are undone and diag names the step that failed. */
int netd_engine_up(struct netd_engine *e, const char *name, struct netd_diag *diag);
/* netd_engine_up, and what it repaired: when the network was up and its rules differed from
 * its definition (drift), *repair (caller owns) is {"at","what"} as status' "repair";
 * otherwise NULL. */
int netd_engine_up_report(struct netd_engine *e, const char *name, json_object **repair,
                          struct netd_diag *diag);
/* Remove exactly what the network made. A network that is not up: 0. */
int netd_engine_down(struct netd_engine *e, const char *name, struct netd_diag *diag);
/*
 * The same, and: down refuses (-EBUSY, diag says how to recover) to delete a bridge that
 * holds the uplink, or a bond of netd's, without a snapshot that loads to give it back from;
 * `force` goes ahead, the uplink getting the bridge's addresses and routes as the kernel has
 * them (a bond is left as it is), and forgets the state files that did not load. notes (an
 * array, may be NULL) gets a line for each state file that did not load and what down did.
 */
int netd_engine_down_ex(struct netd_engine *e, const char *name, bool force, json_object *notes,
                        struct netd_diag *diag);
/* Bring up every Autostart=yes network; errors are collected in diag, others still go up. */
int netd_engine_autostart(struct netd_engine *e, struct netd_diag *diag);
/* Networks that are up (netd's record, or their tagged bridge): repair drift (dnsmasq died or
 * stopped answering, bridge deleted or set down, any rule or map element of the network's in
 * either of netd's tables not as defined, an attached tap off the bridge); each repair is
 * logged, and a repair of rules kept for status. */
int netd_engine_reconcile(struct netd_engine *e);
/* Take down every network this engine brought up (daemon shutdown with --down-on-exit): those
 * that an up or autostart of this engine found not up. A network it found up (left by an
 * earlier netd) stays up, even when this engine reconciled or reloaded it. */
int netd_engine_down_all(struct netd_engine *e, struct netd_diag *diag);

/*
 * Link notifications: the daemon polls this fd and calls monitor_handle when it is readable,
 * so a port that anyone attaches to a VMToVM=deny network's bridge is isolated at once, and a
 * bridge or tap of a network that is deleted, set down or loses its address is marked for the
 * event-driven repair (heal_open below). open returns the fd (or -errno); handle reads
 * everything pending and returns 1 when notifications were lost and there is no event-driven
 * repair to mark every network, so that a reconcile pass must catch up on them (else 0).
 */
int netd_engine_monitor_open(struct netd_engine *e);
int netd_engine_monitor_handle(struct netd_engine *e);
void netd_engine_monitor_close(struct netd_engine *e);

/*
 * Event-driven repair (engine/heal.c): the daemon watches the fd of heal_open (one epoll fd
 * for the ruleset notifications, a pidfd per dnsmasq and a short timer; -errno when it cannot
 * be had, and then only the periodic reconcile repairs) and calls heal_handle when it is
 * readable. The link notifications of monitor_open feed it too. A network that an event says
 * may have drifted is marked, and about 50 ms after the events pause (at most 250 ms after
 * the first) each marked network is handed to start(arg, name): a burst is one pass, and an
 * unrelated network is not looked at. start queues a reconcile job for the network with
 * args.heal set and returns 0, or returns -EBUSY when a change holds the network or waits for
 * it: the network then stays marked and is handed again soon after the jobs on it end (never
 * reconciled while a change holds it). A network repaired again and again right after each
 * repair (something else fights netd over it) is handed over later and later, up to 30 s.
 * heal_handle returns 0, or -errno when the fd could not be read.
 */
typedef int (*netd_heal_start_fn)(void *arg, const char *network);
int netd_engine_heal_open(struct netd_engine *e);
int netd_engine_heal_handle(struct netd_engine *e, netd_heal_start_fn start, void *arg);

/*
 * Upstream DNS (engine/upstream.c): the servers of the host's resolv.conf, in one file every
 * network's dnsmasq rereads on SIGHUP. The daemon polls the fd of upstream_open (a watch on
 * resolv.conf; -errno when none can be had, and then only the reconcile pass follows changes)
 * and calls upstream_handle when it is readable: 0 with *told the number of dnsmasqs told to
 * reread (0 when the servers did not change), or -errno.
 */
int netd_engine_upstream_open(struct netd_engine *e);
int netd_engine_upstream_handle(struct netd_engine *e, size_t *told);

/*
 * [{"name","mode","bridge","address","state","autostart"}...]; state is "up", "down",
 * "partial", or "needs-attention" when a state file of the network does not load.
 */
int netd_engine_list(struct netd_engine *e, json_object **out);
/* A reload's answer (reload_report.c): report ({network: what the reload did}, the result of
 * the reload job; may be NULL) added to the entries of list as "reload". */
void netd_reload_report_merge(json_object *list, json_object *report);
/* One network's list entry alone: what up/down answer, without observing every network. */
int netd_engine_entry(struct netd_engine *e, const char *name, json_object **out,
                      struct netd_diag *diag);
/* One network: the list entry plus "source", "uplink" (bridged), "policy":{cell:allow|deny},
 * "dhcp":{"first","last","lease_time","hosts"}, "dnsmasq_pid" (when running),
 * "objects":{"bridge","bridge_up","address","rules","dnsmasq","ip_forward": bool} ("rules":
 * the kernel holds exactly the network's rules and map elements, in both tables, compared by
 * content), "repair":{"at": seconds since the epoch,"what"} of the last repair of its rules
 * since netd started (absent when none), "rules": the nft text, "firewall": [lines] as
 * netd_engine_entry_warnings, "needs_attention": [{"file","reason","previous_loads",
 * "previous_used","advice"}] for each state file that does not load. -ENOENT for an unknown
 * name.
 */
int netd_engine_status(struct netd_engine *e, const char *name, json_object **out,
                       struct netd_diag *diag);
/* The other firewalls' base chains, read once and shared by many networks' warnings (the log
 * after autostart): fw_scan reads them (0 or -errno), fw_free (accepts NULL) lets them go. */
struct netd_engine_fw;
int netd_engine_fw_scan(struct netd_engine *e, struct netd_engine_fw **out);
void netd_engine_fw_free(struct netd_engine_fw *fw);
/* From one look at the network: its list entry (as netd_engine_entry) into *entry, and its
 * warnings into *warnings: other firewalls' chains that break cells this network allows
 * (checked against fw, or a scan of their own when fw is NULL), then its state files that do
 * not load, an array of one-line explanations, [] when none. The daemon answers `up` with
 * both; status gives the firewalls' part as "firewall". Either of entry and warnings may be NULL.
 * Without that look (-errno), warnings still get the firewalls' findings when entry is NULL.
 */
int netd_engine_entry_warnings(struct netd_engine *e, const struct netd_engine_fw *fw,
                               const char *name, json_object **entry, json_object **warnings,
                               struct netd_diag *diag);
/* [{"mac","address","hostname","expiry"}...] from dnsmasq's lease file. */
int netd_engine_leases(struct netd_engine *e, const char *name, json_object **out,
                       struct netd_diag *diag);

/*
 * Guests on taps (netd/engine/attach*.c, include/netd/tap.h). attach: a persistent tap on the
 * network's bridge for one guest, with its static lease when req asks for an address; *out
 * is {"network","tap","mac","host_mac","address","qemu":[args]}. The network must be up.
 * detach: remove a tap netd attached (tagged netd:<name>), its static lease and the guest's
 * lease; *out is {"network","tap","mac","address","released"}.
 */
struct netd_attach_req;
/*
 * A live port forward (netd/engine/forward.c): added to the network (checked as a [Forward]
 * is, against every network's forwards) or removed (only one `forward add` made: a [Forward]
 * is the file's), recorded in <state>/<network>.forwards so a netd that restarts keeps it,
 * and, when the network is up, its rules rewritten in one nft batch: the bridge, dnsmasq and
 * the taps are not touched. *out: {"network","op","forward","forwards":[...]}.
 */
int netd_engine_forward(struct netd_engine *e, const char *name, const struct netd_forward *f,
                        bool remove, json_object **out, struct netd_diag *diag);

int netd_engine_attach(struct netd_engine *e, const char *name, const struct netd_attach_req *req,
                       json_object **out, struct netd_diag *diag);
/*
 * attach of k taps in one go (reqs[i] as attach's req), all or nothing: every tap made (one
 * netlink batch) and recorded (one write of the record, one of dnsmasq's hosts file and one
 * SIGHUP), or none and the record and hosts file as they were. *out is
 * {"network","taps":[one attach answer per tap, in the request's order]}; an error names the
 * tap by its index ("taps[3]: ...").
 */
int netd_engine_attach_batch(struct netd_engine *e, const char *name,
                             const struct netd_attach_req *reqs, size_t k, json_object **out,
                             struct netd_diag *diag);
int netd_engine_detach(struct netd_engine *e, const char *name, const char *tap, json_object **out,
                       struct netd_diag *diag);
/*
 * detach of k taps in one go: every one checked before anything is done (a refusal names the
 * tap and changes nothing), the guests' leases given back, the taps deleted together (one
 * link group: the kernel's RCU barrier once, not once per tap), the record and dnsmasq's hosts
 * file written once. *out is {"network","taps":[one detach answer per tap, in order]}.
 */
int netd_engine_detach_batch(struct netd_engine *e, const char *name, const char *const *taps,
                             size_t k, json_object **out, struct netd_diag *diag);

/*
 * Changes as jobs, for an event loop (netd/engine/job.c). A change that waits (up and
 * reconcile for dnsmasq to be ready, down for it to exit, detach for dnsmasq to drop the
 * guest's lease, reload for any of these) never waits itself: run returns -EINPROGRESS with
 * what it waits for in *w (struct netd_wait, include/netd/util/wait.h: an fd to become
 * readable, -1 for none, and a deadline), and the caller runs it again once either is met.
 * Any other value is the end: the change's result as the blocking call above returns it,
 * *result (may be NULL) the answer of attach and detach, for down the array of its notes
 * (netd_engine_down_ex), and for up what it repaired of a network that was up (as
 * netd_engine_up_report's *repair; NULL when nothing). A failure found late still rolls the
 * change back. The blocking calls above are a job run to its end.
 *
 * A job holds its network (name; a reconcile of a network that is not up does nothing); a
 * reload holds them all. new refuses with -EBUSY, and says why, a job on a network another
 * job holds, any job while a reload runs, and a reload while any job runs: the caller
 * queues them. While a job runs, list and status show its network as "starting" (up) or
 * "stopping" (down). free of a job not run to its end first runs it to its end, blocking.
 */
enum netd_job_kind {
	NETD_JOB_UP,
	NETD_JOB_DOWN,      /* args->force */
	NETD_JOB_RECONCILE, /* one network of a pass (netd_engine_reconcile_begin first) */
	NETD_JOB_ATTACH,    /* args->taps: the attach requests */
	NETD_JOB_DETACH,    /* args->taps: the taps (only .tap) */
	NETD_JOB_RELOAD,    /* name NULL */
	NETD_JOB_FORWARD,   /* args->forward, args->forward_remove */
};
/* What a job is asked besides its network; new copies it, and args may be NULL. */
struct netd_job_args {
	const struct netd_attach_req *taps;
	size_t n_taps; /* attach and detach: at least 1 */
	bool batch;    /* attach, detach: answer as the _batch calls, {"network","taps":[...]} */
	bool force;    /* down: as netd_engine_down_ex */
	/* reconcile: asked by the event-driven repair (netd_engine_heal_handle): after a repair
	 * it looks once more (a repair can make another due that no kernel event announces),
	 * and its outcome tells the repair whether something fights netd over the network. */
	bool heal;
	/* forward: netd_engine_forward's forward and whether it goes */
	struct netd_forward forward;
	bool forward_remove;
};
struct netd_job;
struct netd_wait;
int netd_engine_job_new(struct netd_engine *e, enum netd_job_kind kind, const char *name,
                        const struct netd_job_args *args, struct netd_job **out,
                        struct netd_diag *diag);
int netd_engine_job_run(struct netd_job *j, struct netd_wait *w, json_object **result,
                        struct netd_diag *diag);
void netd_engine_job_free(struct netd_job *j);
/* The part of a reconcile pass that is no network's, before its jobs: the upstream DNS servers
 * (a resolv.conf change the watch missed, a servers file removed), and the pass opened (its
 * networks share one kernel snapshot). 0 or -errno; end closes the pass, after its last job
 * started, whatever begin returned. */
int netd_engine_reconcile_begin(struct netd_engine *e);
void netd_engine_reconcile_end(struct netd_engine *e);
/* The networks of the config in force, by position: for a pass over them one at a time. */
size_t netd_engine_n_networks(const struct netd_engine *e);
const char *netd_engine_network_name(const struct netd_engine *e, size_t i);
/* Whether that network is Autostart=yes (false past the end). */
bool netd_engine_network_autostart(const struct netd_engine *e, size_t i);

#endif
