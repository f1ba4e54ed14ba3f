/*
 * Guests on taps: persistent tap devices a qemu opens by name (`-netdev tap,ifname=...`).
 *
 * Pure parts here: tap_util.c (MACs, qemu arguments), attach_state.c (the records of a
 * network's taps), attach_check.c (an attach request's checks), tap_alloc.c (a guest's MAC and
 * static address), tap_plan.c (what the taps of a network need at up and down), lease_strip.c
 * (dropping guests from dnsmasq's lease file), tap_bind.c (the guests' ports in the rules).
 * The [Tap] section of a network file is read
 * through the config's key table (netd/core/config_keys.c) and checked by config_tap.c. The
 * kernel objects are include/netd/kernel/tap.h; the engine's side (the attach and detach verbs,
 * the "sync taps" and "remove taps" steps) is netd/engine/attach*.c.
 */
#ifndef NETD_TAP_H
#define NETD_TAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <time.h>

#include <json-c/json.h>

#include "netd/model.h"

/* The kernel's MAX_TAP_QUEUES. */
#define NETD_TAP_QUEUES_MAX 256
/* What the kernel picks from when no name is given: libvirt's vnetN. */
#define NETD_TAP_NAME_TEMPLATE "vnet%d"

/* ---- pure (tap_util.c) ---- */

/* The host side's MAC: the guest's with the first byte 0xFE, as libvirt does, so a bridge
 * (which takes the lowest MAC of its ports) never takes a tap's as its own. */
void netd_tap_host_mac(const uint8_t guest[6], uint8_t host[6]);
/* A declared [Tap] without MAC=: 52:54:00 and three bytes of a hash of network and tap name,
 * so the guest keeps its MAC (and its lease) across restarts without any state. */
void netd_tap_derived_mac(const char *network, const char *tap, uint8_t mac[6]);
/* A MAC a guest may have: unicast, not all zero, first byte not 0xFE (the host side's). */
bool netd_tap_guest_mac_valid(const uint8_t mac[6]);
/*
 * qemu's arguments for a guest on this tap, as an array of strings:
 * ["-netdev", "tap,id=net0,ifname=T,script=no,downscript=no,vhost=off[,queues=N]",
 *  "-device", "virtio-net-pci,netdev=net0,mac=M[,mq=on,vectors=2N+2]"].
 */
json_object *netd_tap_qemu_args(const char *tap, const uint8_t mac[6], unsigned queues);
/* A user or group as [Tap] Owner=/Group= and --owner/--group take it: a number, or a name of
 * letters, digits, '_', '-', '.' (not starting with '-'). */
bool netd_tap_id_valid(const char *s);

/* ---- the records of <state>/<network>.taps (attach_state.c); engine/attach_record.c reads
 * and writes the file ---- */

/* One tap netd made for a network. */
struct netd_tap_record {
	char tap[IFNAMSIZ];
	uint8_t mac[6]; /* the guest's */
	uint8_t host_mac[6];
	struct in_addr addr;   /* static lease; s_addr 0: none */
	struct in6_addr addr6; /* its IPv6 address (attach --address); :: none */
	char hostname[NETD_HOSTNAME_MAX];
	bool declared; /* from a [Tap] of the config, not `attach` */
	unsigned queues;
	uid_t owner;
	bool has_group;
	gid_t group;
};

struct netd_tap_state {
	struct netd_tap_record *v;
	size_t n;
};

void netd_tap_state_clear(struct netd_tap_state *s);
/* Pure. Text -> records; anything malformed is -EINVAL with diag naming what. */
int netd_tap_state_parse(const char *text, struct netd_tap_state *out, struct netd_diag *diag);
/* Pure. {"network":N,"taps":[{...}]} (caller frees *out). */
int netd_tap_state_format(const char *network, const struct netd_tap_state *s, char **out);
int netd_tap_state_add(struct netd_tap_state *s, const struct netd_tap_record *r);
void netd_tap_state_remove(struct netd_tap_state *s, size_t i);
/* Index of the record for tap, or -1. */
ssize_t netd_tap_state_find(const struct netd_tap_state *s, const char *tap);
/* json of one record as `attach` reports it: network, tap, mac, host_mac, address, qemu. */
json_object *netd_tap_record_json(const char *network, const struct netd_tap_record *r);
/* A copy of from (to is overwritten; the caller clears it). */
int netd_tap_state_copy(const struct netd_tap_state *from, struct netd_tap_state *to);
/* Replace the record of r->tap, or add r; a replaced record moves to the end. */
int netd_tap_state_put(struct netd_tap_state *s, const struct netd_tap_record *r);
/* Pure. dnsmasq's hosts file for the network: its [Host]s and [Tap]s, then the static leases
 * and host names of the attached taps in s (s may be NULL). Caller frees *out. */
int netd_tap_state_hosts(const struct netd_network *n, const struct netd_tap_state *s, char **out);

/* ---- attaching a guest: the request's checks (attach_check.c), MACs and addresses
 * (tap_alloc.c); pure ---- */

struct netd_lease;
struct netd_attach_req;

/* Everything the one path that makes a tap needs to know about one guest's tap. */
struct netd_tap_want {
	const char *name; /* "" : the kernel picks vnetN */
	uint8_t mac[6];
	struct in_addr addr;
	struct in6_addr addr6; /* :: none */
	const char *hostname;
	const char *owner, *group;
	unsigned queues;
	bool declared;
};

/* Candidates for a random guest MAC: three random bytes each. */
#define NETD_TAP_MAC_TRIES 64

/* What an attach request is checked against besides the config and the record. */
struct netd_attach_facts {
	const struct netd_lease *leases; /* dnsmasq's current leases */
	size_t n_leases;
	bool name_exists;      /* a link has the requested tap name */
	time_t now;            /* a lease that expired before now holds no address */
	const uint8_t *random; /* NETD_TAP_MAC_TRIES * 3 bytes; used when no MAC is asked for */
};

/*
 * Whose req->mac already is: a [Host] (only when with_hosts: a [Host] may hold the static
 * lease of the very guest being attached), a [Tap], a recorded tap or a lease. true with who
 * naming it ("the [Tap] vm1", ...), false when free.
 */
bool netd_tap_mac_taken(const struct netd_network *n, const struct netd_tap_state *s,
                        const struct netd_lease *leases, size_t n_leases, const uint8_t mac[6],
                        bool with_hosts, char *who, size_t len);
/* The first free 52:54:00 MAC among the candidates in random (tries * 3 bytes);
 * -EADDRINUSE when all are taken. */
int netd_tap_pick_mac(const struct netd_network *n, const struct netd_tap_state *s,
                      const struct netd_lease *leases, size_t n_leases, const uint8_t *random,
                      size_t tries, uint8_t mac[6]);
/* Whether a may be the static lease of the guest with mac: a guest address of the subnet of
 * a network serving DHCP, nobody's static lease, and not leased to another guest until
 * after now. 0, or -EINVAL / -EADDRINUSE with diag saying why. */
int netd_tap_address_check(const struct netd_network *n, const struct netd_tap_state *s,
                           const struct netd_lease *leases, size_t n_leases, const uint8_t mac[6],
                           struct in_addr a, time_t now, struct netd_diag *diag);
/* Whether a may be the IPv6 address of the guest with mac (tap_alloc6.c): in the network's
 * IPv6 prefix, not the host's nor its subnet-router anycast address, nobody else's. 0, or
 * -EINVAL / -EADDRINUSE with diag saying why. */
int netd_tap_address6_check(const struct netd_network *n, const struct netd_tap_state *s,
                            const uint8_t mac[6], const struct in6_addr *a, struct netd_diag *diag);
/* An attach request against the network, its record and the facts: w filled (its strings
 * point into req) or -EINVAL / -EEXIST / -EADDRINUSE with diag naming what is wrong. */
int netd_attach_check(const struct netd_network *n, const struct netd_attach_req *req,
                      const struct netd_tap_state *s, const struct netd_attach_facts *f,
                      struct netd_tap_want *w, struct netd_diag *diag);
/*
 * A request of k taps: each checked as netd_attach_check() does, in order, against s and the
 * taps before it in the request, so no two get the same name (a template like "vm%d" excepted:
 * the kernel numbers each), MAC (a random one included), static address or host name.
 * names_exist[i] (names_exist may be NULL: none) is f->name_exists for reqs[i]; f->random
 * holds NETD_TAP_MAC_TRIES * 3 bytes for each tap. w[0..k) filled. With k > 1 diag names the
 * tap by its index: "taps[3]: address 192.122.1.12 is also taps[1]'s".
 */
int netd_attach_check_batch(const struct netd_network *n, const struct netd_attach_req *reqs,
                            const bool *names_exist, size_t k, const struct netd_tap_state *s,
                            const struct netd_attach_facts *f, struct netd_tap_want *w,
                            struct netd_diag *diag);

/* ---- a network's taps at up and down (tap_plan.c); pure ---- */

/* What the kernel has under a name a network's taps use (a [Tap], a record). */
struct netd_tap_link {
	char name[IFNAMSIZ];
	bool ours;       /* alias netd:<network> */
	char alias[256]; /* the alias it has, for the message when it is not ours */
	bool enslaved;   /* its master is the network's bridge */
	int isolated;    /* 1, 0; -1 when it is not a port of that bridge (or not a [Tap]'s) */
	bool up;
	unsigned mtu;
	uint8_t mac[6];
};

/* The links that exist under those names; a name that is not here has no link. */
struct netd_tap_links {
	struct netd_tap_link *v; /* owned */
	size_t n;
	unsigned bridge_mtu; /* 0 when the network's bridge is not there */
};

void netd_tap_links_clear(struct netd_tap_links *k);
const struct netd_tap_link *netd_tap_links_find(const struct netd_tap_links *k, const char *name);

enum netd_tap_op_kind {
	NETD_TAP_CREATE,    /* a [Tap] without a link: make it */
	NETD_TAP_CONFLICT,  /* a [Tap] whose name a link netd did not tag holds: refuse */
	NETD_TAP_ADOPT,     /* a [Tap] with a tagged link the record lacks or has as attached */
	NETD_TAP_CONFIGURE, /* a [Tap] whose link drifted: master, MAC, MTU, isolation, alias, up */
	NETD_TAP_DELETE,    /* the tap of a [Tap] a reload took out: remove it, forget it */
	NETD_TAP_FORGET,    /* a recorded tap that is gone, or not ours any more: forget it */
	NETD_TAP_REMOVE,    /* down: remove the link if it is ours, forget the tap */
	NETD_TAP_ENSLAVE,   /* an attached tap off the bridge (taken off, or the bridge made
	                     * anew): back on it, its own settings untouched */
};

/* One thing to do about one tap; the pointers point into the diff's inputs. */
struct netd_tap_op {
	enum netd_tap_op_kind kind;
	const char *tap;
	const struct netd_tap *decl;       /* its [Tap]; NULL when only the record knows it */
	const struct netd_tap_record *rec; /* its record; NULL when there is none */
	const struct netd_tap_link *link;  /* the link under its name; NULL when none */
};

/*
 * Pure. What makes the taps of n match its [Tap]s and the record rec, given the links k:
 * [Tap]s in file order (create, refuse, adopt, configure), then the recorded taps no [Tap]
 * declares (delete the ones a reload took out, forget the ones that are gone, put back on the
 * bridge the ones off it). The settings of attached taps are never touched: only their
 * port. ops NULL counts only; else it has room for
 * n->n_taps + rec->n. Returns the number of ops; 0: the kernel and the record match.
 */
size_t netd_tap_diff_up(const struct netd_network *n, const struct netd_tap_state *rec,
                        const struct netd_tap_links *k, struct netd_tap_op *ops);
/* Pure. Down: every recorded tap, every [Tap] the record lost whose tagged link exists, and
 * every other tagged link in k, one NETD_TAP_REMOVE each. ops as above, with room for
 * n->n_taps + rec->n + k->n. */
size_t netd_tap_diff_down(const struct netd_network *n, const struct netd_tap_state *rec,
                          const struct netd_tap_links *k, struct netd_tap_op *ops);
/* Whether carrying out op takes an attached tap's static lease or host name out of
 * dnsmasq's hosts file. */
bool netd_tap_op_drops_hosts_entry(const struct netd_tap_op *op);

/* ---- GuestSourceCheck (tap_bind.c); pure ---- */

struct netd_nft_net;
/* n's rules (netd/nft.h) with the guest of every tap of the record s (NULL: none) bound to its
 * port, as well as n's [Tap]s: what `up` applies and `attach` and `detach` keep. */
int netd_tap_nft_build(const struct netd_network *n, const struct netd_tap_state *s,
                       struct netd_nft_net **out);

/* ---- dnsmasq's lease file (lease_strip.c); pure ---- */

/* text without the lines of the guests whose MACs are in macs (caller frees *out);
 * *dropped says whether any line went. Every other byte is kept as it was. */
int netd_leases_strip(const char *text, const uint8_t (*macs)[6], size_t n_macs, char **out,
                      bool *dropped);

#endif
