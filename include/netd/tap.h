/*
 * Guests on taps: persistent tap devices a qemu opens by name (`-netdev tap,ifname=...`).
 *
 * Pure parts here: tap_util.c (MACs, qemu arguments), attach_state.c (the records of a
 * network's taps). The [Tap] section of a network file is read through the config's key table
 * (netd/core/config_keys.c) and checked by config_tap.c. The kernel objects are
 * include/netd/kernel/tap.h; the engine's side (attach, detach, [Tap]s at up and down) is
 * netd/engine/.
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
int netd_tap_state_add(struct netd_tap_state *s, const struct netd_tap_record *r);
void netd_tap_state_remove(struct netd_tap_state *s, size_t i);
/* Index of the record for tap, or -1. */
ssize_t netd_tap_state_find(const struct netd_tap_state *s, const char *tap);
/* json of one record as `attach` reports it: network, tap, mac, host_mac, address, qemu. */
json_object *netd_tap_record_json(const char *network, const struct netd_tap_record *r);

#endif
