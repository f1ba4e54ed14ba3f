/*
 * Private to the probe's namespaces: probe_ns.c (the parent's side), probe_child.c (the
 * child's side), probe_rtnl.c (rtnetlink requests) and probe_link.c (one link's facts), and
 * probe_host.c (the other host's bridge and VXLAN port, by probe_rtnl.c).
 * The tests use probe.h only.
 */
#ifndef NETD_PROBE_NS_PRIV_H
#define NETD_PROBE_NS_PRIV_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "probe.h"

#define NETD_PROBE_VM_IFNAME    "eth0" /* the VM's end of its veth, in its namespace */
#define NETD_PROBE_LINK_WAIT_MS 3000
#define NETD_PROBE_DAD_MS       150 /* answers on a bridge come within a few ms */

/* --- the command channel: one request, one response, over a SOCK_SEQPACKET pair --- */

enum netd_probe_op {
	NETD_PROBE_OP_READY, /* the child's first message, unsolicited */
	NETD_PROBE_OP_INIT,
	NETD_PROBE_OP_ADDR,
	NETD_PROBE_OP_DHCP,
	NETD_PROBE_OP_CHECK,
	NETD_PROBE_OP_LISTEN,
	NETD_PROBE_OP_SLAAC,
	NETD_PROBE_OP_DHCP6, /* a DHCPv6 lease, on the prefix of length plen */
};

struct netd_probe_req {
	int op;
	int family; /* CHECK and LISTEN: AF_INET (0 too) or AF_INET6 */
	struct in_addr addr, gw;
	struct in6_addr addr6, gw6; /* CHECK's IPv6 target; SLAAC's fallback gateway */
	uint8_t plen;
	uint16_t port;
	int timeout_ms;
	char hostname[NETD_HOSTNAME_MAX];
};

struct netd_probe_resp {
	int op;
	int ret; /* 0 or -errno; msg says why */
	bool icmp, tcp;
	uint16_t port;
	uint8_t mac[6];
	struct netd_dhcp_lease lease;
	struct in6_addr addr6; /* SLAAC's or DHCPv6's address */
	uint8_t plen6;
	char msg[sizeof(((struct netd_diag *)0)->msg)];
};

/*
 * The child's whole life (probe_child.c): a namespace of its own (netns NULL: a VM) or
 * /run/netns/netns (a peer), then serve requests on fd until the parent closes it.
 */
void netd_probe_child_main(int fd, pid_t parent, const char *netns) __attribute__((noreturn));

/* --- rtnetlink over libmnl (probe_rtnl.c): one request, one ack; 0 or -errno --- */

/* host: our side, up and enslaved to master; its peer NETD_PROBE_VM_IFNAME is born in pid's
 * namespace with mac. */
int netd_probe_rtnl_veth_create(const char *host, int master, pid_t pid, const uint8_t mac[6]);
int netd_probe_rtnl_link_delete(const char *name);
int netd_probe_rtnl_link_up(int index);
int netd_probe_rtnl_addr_add(int index, struct in_addr addr, uint8_t plen);
int netd_probe_rtnl_default_route_add(int index, struct in_addr gw);
/* A default route via gw unless one is there already (the RA's). */
int netd_probe_rtnl_default_route6_add(int index, const struct in6_addr *gw);
/* addr/plen on index (tentative until its DAD is done: netd_probe_rtnl_addr6_global()). */
int netd_probe_rtnl_addr6_add(int index, const struct in6_addr *addr, uint8_t plen);
/* A global IPv6 address of index whose DAD is done: -ENOENT while there is none. */
int netd_probe_rtnl_addr6_global(int index, struct in6_addr *addr, uint8_t *plen);
/* One link's master (0: none) and, for a VXLAN device, its id: -ENODEV without the link. */
struct netd_probe_link_facts {
	int master;
	bool vxlan;
	uint32_t vni;
};
int netd_probe_rtnl_link_facts(const char *name, struct netd_probe_link_facts *f);

/* --- one link, by ioctl and packet socket (probe_link.c) --- */

int netd_probe_link_mac(const char *ifname, uint8_t mac[6]);
/* Wait until the kernel has really brought ifname up (IFF_RUNNING): -ETIMEDOUT, -EINTR. */
int netd_probe_link_wait_running(const char *ifname, int timeout_ms);
/* RFC 5227's probe for addr from (index, mac): *in_use when anything claims it. */
int netd_probe_link_addr_in_use(int index, const uint8_t mac[6], struct in_addr addr,
                                int timeout_ms, bool *in_use);

#endif
