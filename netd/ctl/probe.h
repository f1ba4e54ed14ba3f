/*
 * `netdctl probe NAME`: measure a network's connectivity matrix by traffic.
 *
 * Two throwaway "VMs" (forked children, each in a network namespace of its own, joined to
 * the network's bridge by a veth pair) get an address (DHCP where the network serves it),
 * and each cell of the matrix is tried with an ICMP echo and a TCP connect to a listener
 * the probe runs itself. A network with an IPv6 prefix ("address6") is measured over IPv6
 * too: the VMs, whose IPv6 is off otherwise, take SLAAC addresses from its RAs (DHCPv6
 * leases from its range when the prefix is not a /64: probe_dhcp6.c), and every
 * cell is tried again by ICMPv6 echo and TCP connect (cells6). Everything the probe makes
 * dies with its children; the DHCP leases it took stay in dnsmasq's lease file.
 *
 * probe.c runs it; probe_ns.c makes the namespaces and sends them commands, which
 * probe_child.c serves inside them (probe_ns_priv.h is their channel), with probe_rtnl.c's
 * rtnetlink requests and probe_link.c's link facts; probe_traffic.c tries one address,
 * probe_dhcp.c is the DHCP client, probe_format.c renders a result (pure), probe_cli.c is
 * the netdctl command. probe_host.c is the other host of a network that spans hosts
 * (--peer-host: the second VM there), probe_netns.c the step into its namespace and back.
 *
 * Calls point one way, down this list; no file calls one above it:
 *
 *   probe_cli.c      netdctl's command
 *   probe.c          the run
 *   probe_format.c   a result as text or JSON
 *   probe_host.c     the other host (--peer-host): its bridge and VXLAN port, the lock, the lease
 *   probe_ns.c       the namespaces, the parent's side
 *   probe_child.c    the namespaces, the child's side
 *   probe_dhcp.c, probe_traffic.c, probe_link.c, probe_rtnl.c   what a child (or the host) does
 *   probe_netns.c    into a named network namespace and back
 *   probe_wait.c     the clock and the interrupt flag every wait checks
 */
#ifndef NETD_PROBE_H
#define NETD_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "netd/model.h"

#define NETD_PROBE_TIMEOUT_MS       1000 /* each ICMP echo and each TCP connect */
#define NETD_PROBE_DHCP_TIMEOUT_MS  10000
#define NETD_PROBE_VMS              2
#define NETD_PROBE_SLAAC_TIMEOUT_MS 15000 /* DAD of the link-local, RS, RA, DAD of the address */
#define NETD_PROBE_NETNS_MAX        64    /* a --peer-host name, with its NUL */

/* What is probed: the parts of `status NAME` the probe needs. */
struct netd_probe_target {
	char name[NETD_NAME_MAX];
	enum netd_mode mode;
	char bridge[IFNAMSIZ];
	bool has_address;
	struct netd_prefix address; /* the host's address on the bridge */
	bool has_dhcp;
	bool has_address6;        /* status "address6": the VMs take SLAAC addresses */
	struct in6_addr address6; /* the host's IPv6 address on the bridge */
	uint8_t address6_len;
	bool has_dhcp6; /* status "dhcp6": a DHCPv6 range, leased from on a prefix not a /64 */
	enum netd_policy expected[NETD_CELL_MAX];
	uint32_t vni; /* status "fabric": the network spans hosts; 0 when it does not */
};

struct netd_probe_opts {
	const char *peer;       /* VMToOutside target; NULL: not measured */
	const char *peer6;      /* the same over IPv6; NULL: IPv6 VMToOutside not measured */
	const char *peer_netns; /* name under /run/netns for OutsideToVM; NULL: not measured */
	const char *peer_host;  /* name under /run/netns: the other host of a spanning network,
	                         * where vm2 goes; NULL: both VMs on this host */
	int timeout_ms;         /* per check; <= 0 means NETD_PROBE_TIMEOUT_MS */
};

enum netd_probe_how {
	NETD_PROBE_NOT_MEASURED, /* nothing to measure against (no --peer, no --peer-netns) */
	NETD_PROBE_NO_ADDRESS,   /* the network has no host address: deny by construction */
	NETD_PROBE_MEASURED,
};

struct netd_probe_cell {
	enum netd_policy expected;
	enum netd_probe_how how;
	bool icmp;         /* the echo was answered (every direction of the cell) */
	bool tcp;          /* the connect succeeded (every direction of the cell) */
	bool tcp_measured; /* false: ICMP only (VMToOutside without --peer-netns) */
	char detail[256];  /* who talked to whom, for humans */
};

struct netd_probe_vm {
	char name[8]; /* "vm1", "vm2" */
	struct in_addr addr;
	uint8_t plen;
	bool dhcp;                       /* the address is a lease from the network's dnsmasq */
	struct in_addr server;           /* the lease's DHCP server id */
	char host[NETD_PROBE_NETNS_MAX]; /* --peer-host's namespace it is on; "": this host */
	uint8_t mac[6];
	bool has_addr6; /* a SLAAC address from the network's router advertisements */
	bool dhcp6;     /* ... or a DHCPv6 lease from the network's range */
	struct in6_addr addr6;
	uint8_t plen6;
};

/* How far IPv6 went: off for a network without "address6" (measured as before issue 10). */
enum netd_probe_v6 {
	NETD_PROBE_V6_OFF,
	NETD_PROBE_V6_MEASURED, /* cells6 holds the IPv6 matrix */
	NETD_PROBE_V6_NO_SLAAC, /* the prefix is not a /64 (no SLAAC) and the network has no
	                         * DHCPv6 range; note6 says so, cells6 are not measured */
};

struct netd_probe_result {
	char network[NETD_NAME_MAX];
	char mode[16];
	char bridge[IFNAMSIZ];
	struct netd_probe_cell cells[NETD_CELL_MAX];
	enum netd_probe_v6 v6;
	struct netd_probe_cell cells6[NETD_CELL_MAX]; /* the same cells over IPv6 */
	char note6[160];                              /* why IPv6 was not measured */
	struct netd_probe_vm vms[NETD_PROBE_VMS];
	size_t n_vms;
	char peer_host[NETD_PROBE_NETNS_MAX]; /* vm2's host (--peer-host); "": vm2 is here */
	long long elapsed_ms;
};

/* Read a `status NAME` result. -EINVAL with diag when a field is missing or malformed. */
int netd_probe_target_from_status(json_object *status, struct netd_probe_target *t,
                                  struct netd_diag *diag);

/*
 * Run the probe (root only: -EPERM otherwise). 0 and *r filled, or -errno with diag.
 * SIGINT and SIGTERM during the run abort it with -EINTR after everything is torn down.
 */
int netd_probe_run(const struct netd_probe_target *t, const struct netd_probe_opts *opts,
                   struct netd_probe_result *r, struct netd_diag *diag);

/* --- rendering (probe_format.c, pure) --- */

/* "allow", "deny", "mixed (icmp ok, tcp blocked)", "not measured", ... into buf. */
const char *netd_probe_cell_measured(const struct netd_probe_cell *c, char *buf, size_t len);
/* The measured verdict as a policy; false when the cell was not measured or is mixed. */
bool netd_probe_cell_verdict(const struct netd_probe_cell *c, enum netd_policy *out);
/* Measured cells, of both families, whose verdict is not the expected policy (mixed counts
 * as different). */
size_t netd_probe_differences(const struct netd_probe_result *r);
/* The table (with an IPv6 column next to the IPv4 one when r->v6 is not OFF), the leases
 * line and "matrix: ..." as the last line. */
int netd_probe_format_text(FILE *f, const struct netd_probe_result *r);
/* {"network":..,"cells":{..},"leases":[..],"ok":bool,"elapsed_ms":..}, and "cells6" (the
 * same shape) and "ipv6" when r->v6 is not OFF; caller owns. */
json_object *netd_probe_format_json(const struct netd_probe_result *r);

/* --- netdctl's command (probe_cli.c); argv[0] is "probe" --- */
int netd_probe_main(int argc, char **argv, const char *socket_path, bool json);

/* --- internal to probe_*.c, declared here for the tests --- */

/* DHCP (RFC 2131) messages, built and parsed without I/O (probe_dhcp.c). */
#define NETD_DHCP_DISCOVER 1
#define NETD_DHCP_OFFER    2
#define NETD_DHCP_REQUEST  3
#define NETD_DHCP_ACK      5
#define NETD_DHCP_NAK      6
#define NETD_DHCP_MIN_LEN  300 /* BOOTP's minimum: some servers drop shorter requests */

struct netd_dhcp_msg {
	uint8_t op; /* 1 request, 2 reply */
	uint8_t type;
	uint32_t xid;
	uint16_t flags;
	uint8_t chaddr[6];
	struct in_addr yiaddr;
	bool has_server_id, has_mask, has_router, has_lease_time, has_requested;
	struct in_addr server_id, mask, router, requested;
	uint32_t lease_time;
	char hostname[NETD_HOSTNAME_MAX];
};

/*
 * A client's DISCOVER or REQUEST with the broadcast flag set. REQUEST carries requested
 * and server_id (s_addr 0: left out). Returns the length (>= NETD_DHCP_MIN_LEN) or -ENOSPC.
 */
ssize_t netd_dhcp_build(uint8_t *buf, size_t len, uint8_t type, uint32_t xid, const uint8_t mac[6],
                        struct in_addr requested, struct in_addr server_id, const char *hostname);
/* Any BOOTP/DHCP message; -EBADMSG when truncated, not DHCP, or options overrun. */
int netd_dhcp_parse(const uint8_t *buf, size_t len, struct netd_dhcp_msg *out);
/* The lease an ACK grants: what the client configures. */
struct netd_dhcp_lease {
	struct in_addr addr, server_id, router;
	uint8_t plen;
	bool has_router;
	uint32_t lease_time;
};
/* DISCOVER/OFFER/REQUEST/ACK on ifname (no address needed: UDP 0.0.0.0:68, broadcast). */
int netd_dhcp_acquire(const char *ifname, const uint8_t mac[6], const char *hostname,
                      int timeout_ms, struct netd_dhcp_lease *lease, struct netd_diag *diag);

/* DHCPv6 (RFC 8415) messages, built and parsed without I/O, and the client (probe_dhcp6.c). */
#define NETD_DHCP6_SOLICIT   1
#define NETD_DHCP6_ADVERTISE 2
#define NETD_DHCP6_REQUEST   3
#define NETD_DHCP6_REPLY     7

struct netd_dhcp6_msg {
	uint8_t type;
	uint32_t xid; /* 24 bits */
	bool has_server_id;
	uint8_t server_id[130]; /* a DUID is at most 130 bytes */
	size_t server_id_len;
	bool has_addr; /* the first IAADDR of the IA_NA */
	struct in6_addr addr;
	uint32_t preferred, valid;
	uint16_t status; /* a failing status code, of the message or its IA_NA; 0: success */
};

/* A Solicit, or (adv: the Advertise answered) a Request for the address adv offers, with a
 * DUID-LL of mac and one IA_NA. The length, or -ENOSPC / -EINVAL. */
ssize_t netd_dhcp6_build(uint8_t *buf, size_t len, uint8_t type, uint32_t xid, const uint8_t mac[6],
                         const struct netd_dhcp6_msg *adv);
/* A server's message; -EBADMSG when truncated or an option overruns. */
int netd_dhcp6_parse(const uint8_t *buf, size_t len, struct netd_dhcp6_msg *out);
/* Solicit/Advertise/Request/Reply on ifname (from its link-local address, waited for while
 * in DAD); lease->addr is the address granted. */
int netd_dhcp6_acquire(const char *ifname, const uint8_t mac[6], int timeout_ms,
                       struct netd_dhcp6_msg *lease, struct netd_diag *diag);

/* --- what every wait checks (probe_wait.c, which calls no other probe file) --- */

/* The signal (SIGINT, SIGTERM) that interrupted the probe, 0 if none: every wait then gives up
 * with -EINTR. */
extern volatile sig_atomic_t netd_probe_interrupted;
/* SIGINT's and SIGTERM's dispositions before the probe caught them. */
struct netd_probe_signals {
	struct sigaction old_int, old_term;
};
/* Clear netd_probe_interrupted, then let SIGINT and SIGTERM set it (without SA_RESTART) until
 * netd_probe_signals_restore() puts back what *saved holds. */
void netd_probe_signals_catch(struct netd_probe_signals *saved);
void netd_probe_signals_restore(const struct netd_probe_signals *saved);
/* CLOCK_MONOTONIC in milliseconds: every timeout of the probe is measured with it. */
long long netd_probe_now_ms(void);

/* An address of either family: what a check is sent to. */
struct netd_probe_addr {
	int family; /* AF_INET or AF_INET6 */
	struct in_addr v4;
	struct in6_addr v6;
};

/*
 * Traffic primitives (probe_traffic.c), run in whichever namespace the caller is in.
 * An ICMP (ICMPv6 for AF_INET6) echo and (port != 0) a TCP connect to dst, both at once,
 * each given timeout_ms. A refusal, an ICMP error or silence is false; -errno only when the
 * probe itself fails.
 */
int netd_probe_check(struct in_addr dst, uint16_t port, int timeout_ms, bool *icmp, bool *tcp);
int netd_probe_check_addr(const struct netd_probe_addr *dst, uint16_t port, int timeout_ms,
                          bool *icmp, bool *tcp);
/* A TCP listener on addr (INADDR_ANY allowed), port picked by the kernel. */
int netd_probe_listen(struct in_addr addr, int *fd, uint16_t *port);
/* The same on an IPv6 address (in6addr_any allowed), IPv6 only. */
int netd_probe_listen6(const struct in6_addr *addr, int *fd, uint16_t *port);

/* A child in a namespace of its own ("VM") or in /run/netns/NAME ("peer"): probe_ns.c. */
struct netd_probe_ns {
	char name[16]; /* "vm1", "peer NS": for messages */
	pid_t pid;
	int fd;                          /* our end of the socketpair it serves */
	char veth[IFNAMSIZ];             /* the bridge side of its veth; "" for a peer */
	char host[NETD_PROBE_NETNS_MAX]; /* the namespace veth is in; "": the probe's own */
	uint8_t mac[6];
};

/*
 * A VM named name (<= 4 chars) on bridge with mac; its veth is "prb<our pid>.<name>", made in
 * /run/netns/host on that namespace's bridge of that name (host NULL: here).
 */
int netd_probe_ns_vm(const char *name, const char *host, const char *bridge, const uint8_t mac[6],
                     struct netd_probe_ns **out, struct netd_diag *diag);
/* The MAC of probe VM index i of a network: the same on every run, so dnsmasq gives the
 * probe the same lease each time instead of a new one per run. Locally administered. */
void netd_probe_vm_mac(const char *network, int i, uint8_t mac[6]);
int netd_probe_ns_peer(const char *netns, struct netd_probe_ns **out, struct netd_diag *diag);
/* Kill the child by pid, reap it, delete its veth if the kernel has not yet. NULL ok. */
void netd_probe_ns_free(struct netd_probe_ns *ns);

/* Give a VM addr (and a default route via gateway unless 0) after an RFC 5227 ARP probe:
 * -EADDRINUSE when something on the bridge already holds addr. */
int netd_probe_ns_addr(struct netd_probe_ns *ns, struct in_addr addr, uint8_t plen,
                       struct in_addr gateway, struct netd_diag *diag);
int netd_probe_ns_dhcp_start(struct netd_probe_ns *ns, const char *hostname, int timeout_ms);
int netd_probe_ns_dhcp_finish(struct netd_probe_ns *ns, int timeout_ms,
                              struct netd_dhcp_lease *lease, struct netd_diag *diag);
/* Let a VM take its SLAAC address from the bridge's router advertisements (IPv6 is off in it
 * until then); a default route via gw6 too when the RA gave none. */
int netd_probe_ns_slaac_start(struct netd_probe_ns *ns, const struct in6_addr *gw6, int timeout_ms);
int netd_probe_ns_slaac_finish(struct netd_probe_ns *ns, int timeout_ms, struct in6_addr *addr,
                               uint8_t *plen, struct netd_diag *diag);
/* A VM's IPv6 address from the network's DHCPv6 range (its prefix is plen long, not a /64:
 * no SLAAC), with a default route via gw6 when the RA gave none. */
int netd_probe_ns_dhcp6_start(struct netd_probe_ns *ns, const struct in6_addr *gw6, uint8_t plen,
                              int timeout_ms);
int netd_probe_ns_dhcp6_finish(struct netd_probe_ns *ns, int timeout_ms, struct in6_addr *addr,
                               struct netd_diag *diag);
/* A check from inside ns: start it, do something else, then collect it. */
int netd_probe_ns_check_start(struct netd_probe_ns *ns, const struct netd_probe_addr *dst,
                              uint16_t port, int timeout_ms);
int netd_probe_ns_check_finish(struct netd_probe_ns *ns, int timeout_ms, bool *icmp, bool *tcp,
                               struct netd_diag *diag);
/* A listener on every address of family (AF_INET, AF_INET6) in ns. */
int netd_probe_ns_listen(struct netd_probe_ns *ns, int family, uint16_t *port,
                         struct netd_diag *diag);
/* --- the other host of a spanning network, --peer-host (probe_host.c) --- */

/* --peer-host for t: refused without a VNI (the network does not span hosts) or with a name
 * that is not a namespace's. Pure. */
int netd_probe_host_valid(const struct netd_probe_target *t, const char *host,
                          struct netd_diag *diag);
/* host's namespace has t's bridge, and vx<VNI> (VXLAN id VNI) is a port of it. */
int netd_probe_host_check(const struct netd_probe_target *t, const char *host,
                          struct netd_diag *diag);
/*
 * The probe's lock on network in host's namespace (NULL: the probe's own): two probes of one
 * network would put the same MACs on its segment twice. *fd is held while the probe runs.
 */
int netd_probe_lock(const char *network, const char *host, int *fd, struct netd_diag *diag);
/* The remote VM's lease is real: by the network's gateway address (its host's dnsmasq), in
 * the network's prefix, and not the local VM's address (the hosts' slices do not overlap). */
int netd_probe_host_lease_check(const struct netd_probe_target *t, const struct netd_probe_vm *here,
                                const struct netd_probe_vm *there, struct netd_diag *diag);

/* --- into a namespace under /run/netns and back (probe_netns.c, calls no other probe file) --- */

bool netd_probe_netns_name_valid(const char *name);
/* This (single-threaded) process into /run/netns/name; *back is where it came from. */
int netd_probe_netns_enter(const char *name, int *back, struct netd_diag *diag);
/* Back to where netd_probe_netns_enter() came from (aborts if the kernel refuses: the probe
 * must never go on in the wrong namespace). */
void netd_probe_netns_leave(int back);

/* The interface the host's route to dst leaves by, via RTM_GETROUTE (probe_rtnl.c). */
int netd_probe_route_oif(struct in_addr dst, int *ifindex);
int netd_probe_route_oif_addr(const struct netd_probe_addr *dst, int *ifindex);

#endif
