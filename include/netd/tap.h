/*
 * Guests on taps: persistent tap devices a qemu opens by name (`-netdev tap,ifname=...`).
 *
 * tap.c makes and configures the kernel objects (tun ioctls, then netlink); tap_util.c holds
 * the pure parts (MACs, qemu arguments); attach_state.c the JSON record of a network's taps
 * in the state dir; dhcp_release.c tells dnsmasq a guest's lease is gone; attach.c is the
 * engine level (netd_engine_attach/detach, the [Tap]s of a network at up and down).
 */
#ifndef NETD_TAP_H
#define NETD_TAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "netd/model.h"

/* The kernel's MAX_TAP_QUEUES. */
#define NETD_TAP_QUEUES_MAX 256
/* What the kernel picks from when no name is given: libvirt's vnetN. */
#define NETD_TAP_NAME_TEMPLATE "vnet%d"

/* What `netdctl attach` asks for; every field optional. Parsed, not yet checked against the
 * network (that is attach.c's job). */
struct netd_attach_req {
	char tap[IFNAMSIZ]; /* "": the kernel picks vnetN */
	bool has_mac;
	uint8_t mac[6];
	bool has_addr;
	struct in_addr addr;
	char hostname[NETD_HOSTNAME_MAX]; /* "": none */
	char owner[NETD_TAP_ID_MAX];      /* user name or uid; "": root */
	char group[NETD_TAP_ID_MAX];      /* group name or gid; "": none */
	unsigned queues;                  /* 0 or 1: single queue */
};

/* ---- kernel (tap.c) ---- */

struct netd_nl;

struct netd_tap_create_opts {
	const char *name; /* NULL or "": NETD_TAP_NAME_TEMPLATE */
	uid_t owner;      /* who may open it besides CAP_NET_ADMIN */
	bool has_group;
	gid_t group;
	unsigned queues; /* > 1: IFF_MULTI_QUEUE */
};

/*
 * A persistent tap (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, plus IFF_MULTI_QUEUE for queues > 1)
 * owned by opts->owner. A given name that already exists is -EEXIST and is left alone.
 * name_out gets the name the kernel gave it.
 */
int netd_tap_create(const struct netd_tap_create_opts *opts, char name_out[IFNAMSIZ],
                    struct netd_diag *diag);

/* What a tap of a network looks like once configured. */
struct netd_tap_settings {
	const char *alias; /* "netd:<network>" */
	uint8_t host_mac[6];
	unsigned mtu; /* the bridge's */
	const char *bridge;
	bool isolated; /* VMToVM=deny */
};

/*
 * Make an existing tap match s: alias, MAC, MTU, master, port isolation, then up (last, so
 * no frame crosses the port before its isolation is set). Only what differs is written, so
 * a tap already right costs one query and no write. *changed (may be NULL) says whether
 * anything was written.
 */
int netd_tap_configure(struct netd_nl *nl, const char *tap, const struct netd_tap_settings *s,
                       bool *changed, struct netd_diag *diag);

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

/* ---- the [Tap] section (config_tap.c), pure; config_parse.c calls these ---- */

extern const char *const netd_tap_key_names[NETD_TAP_KEYS];
/* One key of a [Tap]: -ENOENT for a key [Tap] does not have; -EINVAL (msg set) for a bad or
 * repeated value. */
int netd_config_tap_set(struct netd_tap *t, const char *key, const char *value, unsigned line,
                        char *msg, size_t len);
/* The rules that tie keys together, once the file is in; fills in each tap's derived MAC and
 * default queues. -EINVAL with *line and msg on the first error. */
int netd_config_tap_check(struct netd_network *n, unsigned *line, char *msg, size_t len);

/* ---- the state file (attach_state.c): <state>/<network>.taps ---- */

/* One tap netd made for a network. */
struct netd_tap_record {
	char tap[IFNAMSIZ];
	uint8_t mac[6]; /* the guest's */
	uint8_t host_mac[6];
	struct in_addr addr; /* static lease; s_addr 0: none */
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
/* A missing file is an empty state. */
int netd_tap_state_load(const char *state_dir, const char *network, struct netd_tap_state *out,
                        struct netd_diag *diag);
/* Written atomically; an empty state removes the file. */
int netd_tap_state_save(const char *state_dir, const char *network, const struct netd_tap_state *s,
                        struct netd_diag *diag);
int netd_tap_state_add(struct netd_tap_state *s, const struct netd_tap_record *r);
void netd_tap_state_remove(struct netd_tap_state *s, size_t i);
/* Index of the record for tap, or -1. */
ssize_t netd_tap_state_find(const struct netd_tap_state *s, const char *tap);
/* json of one record as `attach` reports it: network, tap, mac, host_mac, address, qemu. */
json_object *netd_tap_record_json(const char *network, const struct netd_tap_record *r);

/* ---- dhcp_release.c ---- */

/* Pure: a DHCPRELEASE of client (chaddr mac) to server, into buf (at least 300 bytes);
 * returns its length. */
size_t netd_dhcp_release_build(uint8_t *buf, size_t len, struct in_addr server,
                               struct in_addr client, const uint8_t mac[6], uint32_t xid);
/*
 * Send it to the dnsmasq serving bridge at server:67, from this host, bound to the bridge so
 * dnsmasq takes it as arriving there. dnsmasq drops the lease and rewrites its lease file:
 * no restart, and other guests' leases and dnsmasq's DNS are untouched.
 */
int netd_dhcp_release_send(const char *bridge, struct in_addr server, struct in_addr client,
                           const uint8_t mac[6]);

/* ---- the engine's side (attach.c) ---- */

struct netd_engine;
struct netd_desired;

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
