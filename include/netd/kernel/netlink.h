/*
 * netd's netlink layer (libnl-route-3): links, addresses, routes, bridge ports, sysctls.
 * Devices (bridge, tap, veth, bond) live here, not in modes: modes build requests only.
 * Every function returns 0 or -errno and logs nothing; diag (where given) gets one line
 * naming the interface and what failed. A -errno from the kernel is the kernel's own
 * (EEXIST, ENODEV, EXFULL for a full bridge, ...), not a library's approximation of it.
 */
#ifndef NETD_NETLINK_H
#define NETD_NETLINK_H

#include "netd/model.h"

struct netd_nl;

struct netd_link_info {
	int ifindex;
	char name[IFNAMSIZ];
	char alias[256]; /* "" when none */
	char kind[32];   /* "bridge", "veth", "tun", ... ("" for a plain device) */
	bool up;         /* IFF_UP set */
	int master;      /* ifindex of the master, 0 when none */
	uint8_t mac[6];
	unsigned mtu;
	int port_isolated; /* a bridge port: 1 isolated, 0 not; -1 not a bridge port */
};

int netd_nl_open(struct netd_nl **out);
void netd_nl_close(struct netd_nl *nl);

/* What a handle has sent so far: what a pass costs, and that a pass of an unchanged host
 * changes nothing. */
struct netd_nl_stats {
	unsigned long queries;  /* gets and dumps */
	unsigned long requests; /* changes (acked requests) */
};
void netd_nl_get_stats(const struct netd_nl *nl, struct netd_nl_stats *out);

/* -ENODEV when no link has that name. */
int netd_nl_link_get(struct netd_nl *nl, const char *name, struct netd_link_info *out);
int netd_nl_link_get_by_index(struct netd_nl *nl, int ifindex, struct netd_link_info *out);

/* All links, each bridge port's isolation flag included: one dump (caller frees *out with
 * free()). */
int netd_nl_link_list(struct netd_nl *nl, struct netd_link_info **out, size_t *n);
/* The links enslaved to master (an ifindex): one dump the kernel filters, so its cost is the
 * ports', not the namespace's (caller frees *out). */
int netd_nl_link_ports(struct netd_nl *nl, int master, struct netd_link_info **out, size_t *n);
/* The links of one kind ("tun", "bridge"...): one dump the kernel filters by kind, so its cost
 * is theirs, not the namespace's (caller frees *out; none: NULL, 0). */
int netd_nl_link_of_kind(struct netd_nl *nl, const char *kind, struct netd_link_info **out,
                         size_t *n);

/*
 * Create a bridge, down, with the alias. no_ipv6: the bridge gets no IPv6 at all
 * (addr_gen_mode none at creation, then disable_ipv6=1 and accept_ra=0) so nothing leaks
 * to the host behind the IPv4 rules. -EEXIST when the name is taken.
 */
int netd_nl_bridge_create(struct netd_nl *nl, const char *name, const char *alias, bool no_ipv6,
                          struct netd_diag *diag);
int netd_nl_link_delete(struct netd_nl *nl, const char *name, struct netd_diag *diag);
/*
 * Delete the links of those names together: in one link group that no link uses, deleted as
 * a group (the kernel then waits for one RCU barrier instead of one per link: 200 taps in
 * about 0.1 s instead of 4 s). A name with no link is no error. When the group cannot be
 * used, each link is deleted on its own; the first error is returned, every link still tried.
 * The caller has checked that every name is a link it may delete.
 */
int netd_nl_links_delete(struct netd_nl *nl, const char *const *names, size_t n,
                         struct netd_diag *diag);
int netd_nl_link_set_up(struct netd_nl *nl, const char *name, bool up, struct netd_diag *diag);
/* IFLA_MTU (link_mtu.c). A bridge given an MTU keeps it as ports come and go. */
int netd_nl_link_set_mtu(struct netd_nl *nl, const char *name, unsigned mtu,
                         struct netd_diag *diag);
int netd_nl_link_set_master(struct netd_nl *nl, const char *name, const char *master,
                            struct netd_diag *diag); /* master NULL: release */
int netd_nl_link_set_mac(struct netd_nl *nl, const char *name, const uint8_t mac[6],
                         struct netd_diag *diag);

/* IPv4 addresses (with the subnet's broadcast). add: -EEXIST when present; del:
 * -EADDRNOTAVAIL when absent; -ENODEV for an unknown interface. */
int netd_nl_addr_add(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p,
                     struct netd_diag *diag);
int netd_nl_addr_del(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p,
                     struct netd_diag *diag);
/* 1 when ifname has exactly this address, 0 when not, -errno on failure. */
int netd_nl_addr_has(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p);

struct netd_link_addr {
	int ifindex;
	struct netd_prefix prefix; /* IFA_LOCAL and the prefix length */
	struct in_addr peer;       /* IFA_ADDRESS: the peer, or the address itself */
};
/* The IPv4 addresses of ifindex (0: of every link), in the kernel's order: one dump, which
 * the kernel filters to the one link (NETLINK_GET_STRICT_CHK). Caller frees *out. */
int netd_nl_addr_list(struct netd_nl *nl, int ifindex, struct netd_link_addr **out, size_t *n);

/*
 * Every IPv4 address and every non-default, non-host IPv4 route of the namespace's main
 * table, as netd_host_prefix (owned_by filled from an alias "netd:<name>" of the link).
 * Input for netd_config_check_host(). Caller frees *out.
 */
int netd_nl_host_prefixes(struct netd_nl *nl, struct netd_host_prefix **out, size_t *n);
/* Only those that overlap near (the same check gives the same answer on them): what `up`
 * needs, without reading every link of the host to label every prefix. */
int netd_nl_host_prefixes_near(struct netd_nl *nl, const struct netd_prefix *near,
                               struct netd_host_prefix **out, size_t *n);

/* addr6.c: the bridge's IPv6 address (added without duplicate address detection), as above;
 * and the host's IPv6 addresses and unicast routes for netd_config_check_host6(). */
int netd_nl_addr6_add(struct netd_nl *nl, const char *ifname, const struct netd_prefix6 *p,
                      struct netd_diag *diag);
int netd_nl_addr6_del(struct netd_nl *nl, const char *ifname, const struct netd_prefix6 *p,
                      struct netd_diag *diag);
int netd_nl_addr6_has(struct netd_nl *nl, const char *ifname, const struct netd_prefix6 *p);
int netd_nl_host_prefixes6(struct netd_nl *nl, struct netd_host_prefix6 **out, size_t *n);
/* The links with IPv6 routes learned from router advertisements (proto ra), at most max. */
int netd_nl_ra_route_links(struct netd_nl *nl, char (*names)[IFNAMSIZ], size_t max, size_t *n);

/* Bridge port isolation (IFLA_BRPORT_ISOLATED). -EOPNOTSUPP when port is not enslaved. */
int netd_nl_port_set_isolated(struct netd_nl *nl, const char *port, bool isolated,
                              struct netd_diag *diag);
/* 1 isolated, 0 not, -errno (e.g. -EINVAL when not a bridge port). */
int netd_nl_port_get_isolated(struct netd_nl *nl, const char *port);

/* Sysctls, as files under /proc/sys of the caller's namespace ("net/ipv4/ip_forward"). */
int netd_sysctl_read(const char *key, char *buf, size_t len); /* trailing newline stripped */
int netd_sysctl_write(const char *key, const char *value);

#endif
