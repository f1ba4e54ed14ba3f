/*
 * The IPv6 part of a bridged network's uplink snapshot (kernel/uplink.h carries it): the
 * uplink's global and ULA addresses with their flags and lifetimes, its IPv6 routes (the
 * default route and the routes learned from router advertisements among them) and the IPv6
 * sysctls that decide SLAAC. Taking the uplink over moves all of it to the bridge, which then
 * runs SLAAC as the uplink did; giving it back moves it home. Link-local addresses stay on
 * each link.
 *
 * What is here is pure (no sockets, no files): which addresses, routes and sysctls move, how
 * lifetimes age while the snapshot sits on disk, how a give-back takes the bridge's fresher
 * lifetimes, and the snapshot's JSON.
 */
#ifndef NETD_UPLINK_V6_H
#define NETD_UPLINK_V6_H

#include <json-c/json.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define NETD_UPLINK_V6_MAX_ADDRS   64
#define NETD_UPLINK_V6_MAX_ROUTES  32
#define NETD_UPLINK_V6_MAX_SYSCTLS 24
/* The kernel's "forever" for an address lifetime (INFINITY_LIFE_TIME). */
#define NETD_V6_FOREVER 0xffffffffu

struct netd_v6_addr {
	struct in6_addr addr;
	uint8_t len;
	uint8_t scope;
	uint32_t flags;     /* IFA_F_*, all 32 bits (IFA_FLAGS): mngtmpaddr, noprefixroute, ... */
	uint32_t valid;     /* seconds left, NETD_V6_FOREVER: permanent */
	uint32_t preferred; /* seconds left, NETD_V6_FOREVER: forever; 0: deprecated */
};

struct netd_v6_route {
	struct in6_addr dst; /* dst_len 0: the default route */
	uint8_t dst_len;
	bool has_gateway;
	struct in6_addr gateway; /* the router's link-local address for a route from an RA */
	uint32_t metric;
	uint8_t protocol, type;
	uint8_t pref;     /* RTA_PREF: router preference (ICMPV6_ROUTER_PREF_*) */
	uint32_t expires; /* seconds left; 0: the route does not expire */
	/* The kernel's own RA route (RTF_ADDRCONF): whatever its protocol reads, it goes back as
	 * one (a route moved before reads "boot"). */
	bool ra;
};

struct netd_v6_sysctl {
	char key[32];   /* under net/ipv6/conf/<link>/ */
	char value[64]; /* as read, without the newline */
};

struct netd_uplink_v6 {
	/* false: the uplink had no IPv6 to move (no IPv6 in the kernel), or the snapshot was
	 * written before netd moved IPv6: then only IPv4 is moved and given back. */
	bool present;
	int64_t taken_at; /* wall clock (s) the lifetimes below were read at */
	struct netd_v6_addr addrs[NETD_UPLINK_V6_MAX_ADDRS];
	size_t n_addrs;
	struct netd_v6_route routes[NETD_UPLINK_V6_MAX_ROUTES];
	size_t n_routes;
	struct netd_v6_sysctl sysctls[NETD_UPLINK_V6_MAX_SYSCTLS];
	size_t n_sysctls;
};

/* The per-link sysctls that move, in the order they are written (stable_secret before
 * addr_gen_mode, which may need it; forwarding before accept_ra, whose 1 means "only when not
 * forwarding" and 2 "even when forwarding"), NULL-terminated. */
extern const char *const netd_uplink_v6_sysctl_keys[];
/* What the uplink itself gets while it is a bridge port, NULL when the key keeps its value:
 * no router advertisements and no SLAAC, so it makes no addresses of its own. */
const char *netd_uplink_v6_port_value(const char *key);

/* Whether an address of this scope and flags moves: global scope (ULA included), not one
 * whose duplicate address detection failed. Link-local and host scope stay. */
bool netd_uplink_v6_addr_moves(uint8_t scope, uint32_t flags);
/* Whether a route of the main table moves: unicast, not to a link-local or multicast
 * destination, and not one the kernel makes from an address by itself (protocol kernel
 * without an expiry); a kernel route with an expiry is an on-link prefix from an RA. */
bool netd_uplink_v6_route_moves(uint32_t table, uint8_t type, uint8_t protocol,
                                const struct in6_addr *dst, uint8_t dst_len, uint32_t expires);
/* Whether r is the on-link route of the prefix of one of v's addresses, as the kernel makes it
 * (for an address, or for an RA's on-link prefix: no gateway). Such a route with an expiry
 * outlives the addresses (kernel/uplink_v6_move.c's leave takes it off the uplink). */
bool netd_uplink_v6_prefix_route_of(const struct netd_uplink_v6 *v, const struct netd_v6_route *r);
/* A route the kernel learned from a router advertisement (r->ra, or protocol ra): it must be
 * put back as the kernel's own RA route, or the link's next RA stops at it (see
 * kernel/uplink_v6_move.c). */
bool netd_v6_route_from_ra(const struct netd_v6_route *r);
/* The IFA_F_* flags a new address can be given (the kernel ignores the rest): the address's
 * own, and with nodad the address skips duplicate address detection, which it passed on
 * this link already (so it is usable at once on the bridge). */
uint32_t netd_v6_addr_flags_to_set(uint32_t flags, bool nodad);

/* Age the lifetimes and expiries to now (wall clock seconds): what expired meanwhile is
 * dropped; taken_at becomes now. A clock that went back ages nothing. */
void netd_uplink_v6_age(struct netd_uplink_v6 *v, int64_t now);
/* Before a give-back: each of v's addresses and routes that cur (the bridge as it is now)
 * still has takes cur's lifetimes or expiry, refreshed by the RAs the bridge received. */
void netd_uplink_v6_refresh(struct netd_uplink_v6 *v, const struct netd_uplink_v6 *cur);

/* v read from the bridge, for a give-back without a snapshot (`down --force`): netd gave every
 * address it moved nodad, so the flag says nothing of the uplink's and is dropped. */
void netd_uplink_v6_as_found(struct netd_uplink_v6 *v);

/* JSON both ways; from_json: -EINVAL for a malformed object. */
json_object *netd_uplink_v6_to_json(const struct netd_uplink_v6 *v);
int netd_uplink_v6_from_json(json_object *j, struct netd_uplink_v6 *v);

/* "2001:db8::1/64" into buf (at least 44 bytes). */
const char *netd_v6_prefix_format(const struct in6_addr *a, uint8_t len, char *buf, size_t n);

#endif
