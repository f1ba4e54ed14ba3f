/* The desired model: what a network definition says, after parsing and defaults. */
#ifndef NETD_MODEL_H
#define NETD_MODEL_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netd/dns.h"

#define NETD_NAME_MAX     32 /* network names: [A-Za-z0-9_-], 1..31 chars */
#define NETD_HOSTNAME_MAX 64
#define NETD_PATH_MAX     4096
#define NETD_ALIAS_PREFIX "netd:"

enum netd_mode {
	NETD_MODE_NAT,
	NETD_MODE_BRIDGED,
	NETD_MODE_HOSTONLY,
	NETD_MODE_INTERNAL,
	NETD_MODE_ROUTED,
	NETD_MODE_MAX,
};

/* One cell of the documents' connectivity matrix each. */
enum netd_cell {
	NETD_CELL_VM_TO_HOST,
	NETD_CELL_HOST_TO_VM,
	NETD_CELL_VM_TO_OUTSIDE,
	NETD_CELL_OUTSIDE_TO_VM,
	NETD_CELL_VM_TO_VM,
	NETD_CELL_MAX,
};

enum netd_policy {
	NETD_POLICY_DENY,
	NETD_POLICY_ALLOW,
};

/* An IPv4 address with a prefix length; addr is in network byte order. */
struct netd_prefix {
	struct in_addr addr;
	uint8_t len;
};

/* An IPv6 address with a prefix length (issue 10: a network's second Address=). */
struct netd_prefix6 {
	struct in6_addr addr;
	uint8_t len;
};

/* A [Host] section: a static DHCP lease. */
struct netd_host {
	uint8_t mac[6];
	struct in_addr addr;          /* s_addr 0 when the section gives none */
	struct in6_addr addr6;        /* its DHCPv6 address; :: when the section gives none */
	char name[NETD_HOSTNAME_MAX]; /* "" when the section gives none */
	unsigned line;                /* line of the [Host] header, for errors */
};

/* A bridged network's [Bond]: the bond netd makes from host NICs to be the network's uplink.
 * Values are the kernel's (IFLA_BOND_*); an option whose line is 0 was not given and is left
 * at the kernel's default. The option ids and their rules are in netd/bond.h. */
#define NETD_BOND_MAX_SLAVES      16
#define NETD_BOND_MAX_ARP_TARGETS 16 /* the kernel's BOND_MAX_ARP_TARGETS */
#define NETD_BOND_OPTS            32 /* >= NETD_BOND_OPT_MAX of netd/bond.h */

struct netd_bond {
	char name[IFNAMSIZ]; /* "" when the network has no [Bond] */
	uint8_t mode;        /* 0 balance-rr ... 6 balance-alb */
	char slaves[NETD_BOND_MAX_SLAVES][IFNAMSIZ];
	size_t n_slaves;
	uint32_t miimon, updelay, downdelay, arp_interval; /* ms */
	struct in_addr arp_targets[NETD_BOND_MAX_ARP_TARGETS];
	size_t n_arp_targets;
	uint32_t arp_validate, arp_all_targets, resend_igmp, min_links, packets_per_slave,
	    lp_interval;
	uint8_t xmit_hash_policy, lacp_rate, ad_select, primary_reselect, fail_over_mac,
	    num_peer_notif, all_slaves_active, tlb_dynamic_lb;
	uint16_t ad_actor_sys_prio, ad_user_port_key;
	uint8_t ad_actor_system[6];
	uint8_t arp_missed_max;     /* 0: not set (the kernel's 2) */
	uint32_t peer_notify_delay; /* ms */
	char primary[IFNAMSIZ];
	unsigned line;                     /* of the [Bond] header */
	unsigned opt_line[NETD_BOND_OPTS]; /* line of each key given; 0: not given */
};

/* A [Tap] section: a guest's tap that netd creates at `up` and removes at `down`, through
 * the same code as `netdctl attach` (netd/engine/attach_tap.c). */
#define NETD_TAPS_MAX   64
#define NETD_TAP_ID_MAX 33 /* a user or group name, or a number */

enum netd_tap_key {
	NETD_TAP_KEY_NAME,
	NETD_TAP_KEY_MAC,
	NETD_TAP_KEY_ADDRESS,
	NETD_TAP_KEY_OWNER,
	NETD_TAP_KEY_GROUP,
	NETD_TAP_KEY_QUEUES,
	NETD_TAP_KEYS,
};

struct netd_tap {
	char name[IFNAMSIZ]; /* the tap's interface name */
	bool has_mac;
	uint8_t mac[6];                   /* the guest's; derived when not given */
	struct in_addr addr;              /* static lease; s_addr 0 when none */
	char owner[NETD_TAP_ID_MAX];      /* "" when not given: root */
	char group[NETD_TAP_ID_MAX];      /* "" when not given */
	unsigned queues;                  /* 1 unless given */
	unsigned line;                    /* of the [Tap] header */
	unsigned key_line[NETD_TAP_KEYS]; /* line of each key given; 0: not given */
};

/* A [Forward] section, or a forward `netdctl forward add` made (live): connections to a port
 * of the host forwarded to a guest (netd/forward.h). */
#define NETD_FORWARD_PORTS_MAX 1024 /* ports one forward spans at most */

enum netd_forward_key {
	NETD_FWD_KEY_PROTOCOL,
	NETD_FWD_KEY_HOST_PORT,
	NETD_FWD_KEY_GUEST_ADDRESS,
	NETD_FWD_KEY_GUEST_PORT,
	NETD_FWD_KEY_HOST_ADDRESS,
	NETD_FWD_KEYS,
};

struct netd_port_range {
	uint16_t first, last; /* host byte order; last == first for one port */
};

struct netd_forward {
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	struct netd_port_range host_port;
	struct in_addr guest;
	struct netd_port_range guest_port; /* as long as host_port */
	struct in_addr host_addr;          /* s_addr 0: any of the host's but the bridge's */
	bool live;                         /* netdctl forward add, not the file */
	unsigned line;                     /* of the [Forward] header; 0 for a live one */
	unsigned key_line[NETD_FWD_KEYS];  /* line of each key given; 0: not given */
};

struct netd_network {
	char name[NETD_NAME_MAX];
	/* What the file says that is accepted but does nothing or not what it may seem to
	 * (an option the bond's mode ignores): "source:line: text" lines, NULL when none. */
	char *warnings;
	enum netd_mode mode;
	char bridge[IFNAMSIZ];
	bool has_address;
	struct netd_prefix address; /* the host's side, e.g. 192.122.1.1/24 */
	bool autostart;

	bool has_dhcp;
	struct in_addr dhcp_first, dhcp_last;
	unsigned lease_time; /* seconds; 0 means infinite */

	struct netd_host *hosts;
	size_t n_hosts;

	enum netd_policy policy[NETD_CELL_MAX]; /* resolved: mode defaults + [Policy] */
	bool policy_set[NETD_CELL_MAX];         /* the file said so explicitly */
	unsigned policy_line[NETD_CELL_MAX];

	/* [Network] GuestSourceCheck= (default yes): each guest port netd knows (its [Tap]s and
	 * attached taps) accepts only its guest's MAC and address, like libvirt's clean-traffic. */
	bool guest_source_check;

	/* [Network] NATAddress= and NATPorts= (config_nat.c, nft_nat.c): the source the NAT gives
	 * the guests' connections. nat_address 0: the outgoing interface's (masquerade);
	 * nat_ports 0-0: netd's default, 1024-65535. */
	struct in_addr nat_address;
	uint16_t nat_ports[2];
	/* [Network] MTU= (68-65535) of the bridge, its taps and the guests (DHCP option 26);
	 * 0: not given, the kernel's. */
	unsigned mtu;
	unsigned line_nat_address, line_nat_ports, line_mtu;

	char uplink[IFNAMSIZ]; /* bridged: the host NIC to enslave; "" otherwise */
	struct netd_bond bond; /* bridged: the bond netd makes as the uplink */

	struct netd_tap taps[NETD_TAPS_MAX]; /* [Tap] sections, in file order */
	size_t n_taps;

	struct netd_dns dns;        /* [DNS] and [DNSRecord]s (netd/dns.h) */
	struct netd_dhcp_opts dhcp; /* [DHCP]'s options beyond Range= and LeaseTime= */
	/* [VXLAN] VNI=: the network spans the hosts of the config directory's fabric
	 * (netd/fabric.h); 0 when it does not. line_vni: of the VNI= line. */
	uint32_t vni;
	unsigned line_vni;
	struct netd_forward *forwards; /* [Forward] sections in file order, then live ones */
	size_t n_forwards;
	/* IPv6 (config_ipv6.c): the host's IPv6 address on the bridge (a second Address=),
	 * guests' SLAAC from dnsmasq's RAs, a DHCPv6 range (a second Range=), and NAT66 in a
	 * masquerading mode unless IPv6NAT=no. */
	bool has_address6;
	struct netd_prefix6 address6;
	bool has_dhcp6;
	struct in6_addr dhcp6_first, dhcp6_last;
	bool ipv6_nat; /* [Network] IPv6NAT= (default yes) */
	unsigned line_address6, line_range6, line_ipv6_nat;

	char source[NETD_PATH_MAX]; /* file it came from, or "<embedded>" */
	unsigned line_name, line_mode, line_bridge, line_address, line_range, line_uplink;
};

/* All networks of a config directory. */
struct netd_fabric;
struct netd_config {
	struct netd_network **networks;
	size_t n_networks;
	struct netd_fabric *fabric; /* its *.fabric file (netd/fabric.h); NULL when none */
};

/*
 * A route or address already on the host that a network's subnet must not overlap: a fact
 * the kernel layer reports and netd_config_check_host() (config.h) checks.
 * `ifname` names where it was seen (for the message); `owned_by` is set when the address
 * belongs to a link netd made for that very network (then it is not a conflict).
 */
struct netd_host_prefix {
	struct netd_prefix prefix;
	char ifname[IFNAMSIZ];
	char owned_by[NETD_NAME_MAX];
	bool is_route;
};

/* The same for IPv6: an address or route of the host that an IPv6 prefix must not overlap. */
struct netd_host_prefix6 {
	struct netd_prefix6 prefix;
	char ifname[IFNAMSIZ];
	char owned_by[NETD_NAME_MAX];
	bool is_route;
};

/* A diagnostic: the one message a failing call leaves for its caller. */
struct netd_diag {
	char msg[1024];
};

void netd_diag_set(struct netd_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* enum <-> string tables; from_string returns -EINVAL for unknown names. */
const char *netd_mode_to_string(enum netd_mode m);
int netd_mode_from_string(const char *s);
const char *netd_cell_to_string(enum netd_cell c); /* the [Policy] key: "VMToHost", ... */
int netd_cell_from_string(const char *s);
/* The cell's key in JSON documents (status's "policy", probe's "cells"): "vm_to_host", ... */
const char *netd_cell_json_key(enum netd_cell c);
const char *netd_policy_to_string(enum netd_policy p); /* "allow" / "deny" */
int netd_policy_from_string(const char *s);

/* Subnet helpers (host byte order arithmetic hidden inside). */
struct in_addr netd_prefix_network(const struct netd_prefix *p);
struct in_addr netd_prefix_broadcast(const struct netd_prefix *p);
bool netd_prefix_contains(const struct netd_prefix *p, struct in_addr a);
bool netd_prefix_overlaps(const struct netd_prefix *a, const struct netd_prefix *b);
/* "192.122.1.0/24" into buf (at least 19 bytes); returns buf. */
char *netd_prefix_format(const struct netd_prefix *p, bool network_only, char *buf, size_t len);
/* Where a guest's static address stands in a network's subnet (the host's side, e.g.
 * 192.122.1.1/24): the one rule for [Host] and [Tap] Address= and `attach --address`. */
enum netd_guest_addr {
	NETD_GUEST_ADDR_OK,
	NETD_GUEST_ADDR_OUTSIDE,   /* not inside the subnet */
	NETD_GUEST_ADDR_HOST,      /* the host's own address */
	NETD_GUEST_ADDR_NETWORK,   /* the subnet's network address */
	NETD_GUEST_ADDR_BROADCAST, /* the subnet's broadcast address */
};
enum netd_guest_addr netd_guest_addr_check(const struct netd_prefix *subnet, struct in_addr a);
/* Parse "a.b.c.d/n" strictly; -EINVAL on anything else. */
int netd_prefix_parse(const char *s, struct netd_prefix *out);
int netd_ipv4_parse(const char *s, struct in_addr *out);
/* IPv6 helpers (model_ipv6.c): "addr/len" strictly, an address, containment, overlap. */
int netd_prefix6_parse(const char *s, struct netd_prefix6 *out);
int netd_ipv6_parse(const char *s, struct in6_addr *out);
struct in6_addr netd_prefix6_network(const struct netd_prefix6 *p);
bool netd_prefix6_contains(const struct netd_prefix6 *p, const struct in6_addr *a);
bool netd_prefix6_overlaps(const struct netd_prefix6 *a, const struct netd_prefix6 *b);
/* "fd42:7a:1::/64" (network_only) or "fd42:7a:1::1/64" into buf (at least 48 bytes). */
char *netd_prefix6_format(const struct netd_prefix6 *p, bool network_only, char *buf, size_t len);
int netd_mac_parse(const char *s, uint8_t mac[6]);
void netd_mac_format(const uint8_t mac[6], char buf[18]);
/* Linux interface name rules: 1..15 bytes, no '/', ':', whitespace; not "." or "..". */
bool netd_ifname_valid(const char *s);
bool netd_netname_valid(const char *s);
/* A DHCP host name (one DNS label): 1..63 ASCII letters, digits or '-', not starting or ending
 * with '-'. [Host] Name= and `attach --hostname` both take it. */
bool netd_hostname_valid(const char *s);

struct netd_network *netd_network_new(void);
void netd_network_free(struct netd_network *n);
void netd_config_free(struct netd_config *c);
const struct netd_network *netd_config_find(const struct netd_config *c, const char *name);

#endif
