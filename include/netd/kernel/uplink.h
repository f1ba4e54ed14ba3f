/*
 * A bridged network's uplink: the host NIC (or bond) enslaved into the network's bridge.
 * Taking it over moves its IPv4 addresses and routes (the default route included), and its
 * IPv6 addresses, routes and SLAAC sysctls when the snapshot has them, onto the
 * bridge, and gives the bridge the uplink's MAC so the LAN's DHCP server and ARP caches see
 * no change. What the uplink had is saved in the state dir first, so `down` (even after a
 * netd restart) puts it back exactly as it was.
 */
#ifndef NETD_UPLINK_H
#define NETD_UPLINK_H

#include "netd/kernel/netlink.h"
#include "netd/uplink_v6.h"
#include "netd/util/state_file.h"

#define NETD_UPLINK_MAX_ADDRS  16
#define NETD_UPLINK_MAX_ROUTES 32

struct netd_uplink_addr {
	struct netd_prefix prefix;
	struct in_addr broadcast; /* 0 when none */
	uint8_t flags;            /* IFA_F_* (low 8 bits) */
	uint8_t scope;
};

struct netd_uplink_route {
	struct netd_prefix dst; /* len 0: default route */
	struct in_addr gateway; /* 0 when on-link */
	struct in_addr prefsrc; /* 0 when none */
	uint32_t metric;
	uint8_t protocol, scope, type;
};

struct netd_uplink_state {
	char name[IFNAMSIZ];
	uint8_t mac[6];
	bool was_up;
	struct netd_uplink_addr addrs[NETD_UPLINK_MAX_ADDRS];
	size_t n_addrs;
	struct netd_uplink_route routes[NETD_UPLINK_MAX_ROUTES]; /* main table, not proto kernel */
	size_t n_routes;
	/* IPv6 (kernel/uplink_v6.h): filled by netd_uplink_v6_snapshot(), not by
	 * netd_uplink_snapshot(); moved with the rest when present. */
	struct netd_uplink_v6 v6;
};

/* Read what the link has now (IPv4). */
int netd_uplink_snapshot(struct netd_nl *nl, const char *name, struct netd_uplink_state *out);

/* Pure: (de)serialise a snapshot as JSON text (caller frees *out). */
int netd_uplink_to_json(const struct netd_uplink_state *s, char **out);
int netd_uplink_from_json(const char *text, struct netd_uplink_state *out);

/* <state>/<network>.uplink, a state file of kind "uplink" (netd/util/state_file.h). */
#define NETD_UPLINK_KIND "uplink"
/* The JSON's "format": 2 since the IPv6 part; files without it are format 1. */
#define NETD_UPLINK_FORMAT 2
int netd_uplink_save(const char *state_dir, const char *network, const struct netd_uplink_state *s);
/* 0; -ENOENT: no such file; -EINVAL: it does not load (info, may be NULL, says why). */
int netd_uplink_load(const char *state_dir, const char *network, enum netd_state_copy which,
                     struct netd_uplink_state *s, struct netd_state_info *info);
/* The file and its previous copy; -EISDIR (diag) when something else lies there. */
int netd_uplink_forget(const char *state_dir, const char *network, struct netd_diag *diag);
/* Whether the kernel agrees with s as the snapshot of the uplink `bridge` holds: the bridge
 * has s's MAC and every one of s's addresses. */
bool netd_uplink_agrees(struct netd_nl *nl, const struct netd_uplink_state *s, const char *bridge);

/* Move s's addresses and routes from the uplink to the bridge and enslave it. A failure
 * undoes what was done. */
int netd_uplink_take(struct netd_nl *nl, const struct netd_uplink_state *s, const char *bridge,
                     struct netd_diag *diag);
/* The reverse: release it from the bridge and put back its addresses, routes and state.
 * Keeps going on errors (so as much as possible is restored) and reports the first. */
int netd_uplink_give_back(struct netd_nl *nl, const struct netd_uplink_state *s, const char *bridge,
                          struct netd_diag *diag);
/* Without a snapshot (`netdctl down --force`): the addresses and routes (both families) and
 * the IPv6 sysctls the bridge has now go back to the uplink as the kernel has them, then it
 * is released and set up. */
int netd_uplink_give_back_as_is(struct netd_nl *nl, const char *uplink, const char *bridge,
                                struct netd_diag *diag);

#endif
