/*
 * A child of the probe, on its side of the socketpair. A "VM" unshares its network namespace,
 * a "peer" enters /run/netns/NAME; then it serves the parent's requests one at a time (link
 * up, address, DHCP, a check, a listener) until the parent closes its end, and accepts and
 * drops any connection its listeners get. It dies with the parent (PR_SET_PDEATHSIG), and
 * a VM's namespace and veth with it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_ns_priv.h"

#define MAX_LISTEN 4

struct child {
	int fd;
	bool vm;
	int listen_fd[MAX_LISTEN];
	int n_listen;
	uint8_t mac[6];
};

static void write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return; /* no IPv6 in this kernel, say: nothing to turn off */
	if (write(fd, value, strlen(value)) < 0) {
		/* best effort: the knob only keeps the probe quiet or lenient */
	}
	close(fd);
}

static int vm_netns_setup(struct netd_probe_resp *r)
{
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		ret = -errno;
		snprintf(r->msg, sizeof(r->msg), "unshare(CLONE_NEWNET): %s", strerror(errno));
		return ret;
	}
	/*
	 * The DHCP offer comes from an address we have no route to yet; reverse path
	 * filtering (inherited from the host's settings) would drop it. IPv6 stays off so the
	 * probe sends nothing the matrix does not ask for (router solicitations, DAD), until
	 * NETD_PROBE_OP_SLAAC turns it on for eth0 of a network with an IPv6 prefix.
	 */
	write_sysctl("/proc/sys/net/ipv4/conf/all/rp_filter", "0");
	write_sysctl("/proc/sys/net/ipv4/conf/default/rp_filter", "0");
	write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	ret = netd_probe_rtnl_link_up((int)if_nametoindex("lo"));
	if (ret)
		snprintf(r->msg, sizeof(r->msg), "lo up: %s", strerror(-ret));
	return ret;
}

static int peer_netns_enter(const char *netns, struct netd_probe_resp *r)
{
	char path[300];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/run/netns/%.255s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		ret = -errno;
		snprintf(r->msg, sizeof(r->msg), "cannot enter network namespace %s: %s", path,
		         strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* NETD_PROBE_OP_INIT: the VM's end up and running; its MAC, for the parent and for DHCP. */
static int serve_init(struct child *c, struct netd_probe_resp *r, int index)
{
	int ret = index ? netd_probe_rtnl_link_up(index) : -ENODEV;

	if (ret == 0)
		ret = netd_probe_link_wait_running(NETD_PROBE_VM_IFNAME, NETD_PROBE_LINK_WAIT_MS);
	if (ret == 0)
		ret = netd_probe_link_mac(NETD_PROBE_VM_IFNAME, c->mac);
	memcpy(r->mac, c->mac, 6);
	if (ret)
		snprintf(r->msg, sizeof(r->msg), "%s up: %s", NETD_PROBE_VM_IFNAME, strerror(-ret));
	return ret;
}

/* NETD_PROBE_OP_ADDR: a static address, only if nobody on the bridge answers for it first. */
static int serve_addr(const struct child *c, const struct netd_probe_req *q,
                      struct netd_probe_resp *r, int index)
{
	bool in_use;
	int ret;

	ret = netd_probe_link_addr_in_use(index, c->mac, q->addr, NETD_PROBE_DAD_MS, &in_use);
	if (ret == 0 && in_use) {
		snprintf(r->msg, sizeof(r->msg), "%s is in use on the bridge", inet_ntoa(q->addr));
		return -EADDRINUSE;
	}
	if (ret == 0)
		ret = netd_probe_rtnl_addr_add(index, q->addr, q->plen);
	if (ret == 0 && q->gw.s_addr)
		ret = netd_probe_rtnl_default_route_add(index, q->gw);
	if (ret)
		snprintf(r->msg, sizeof(r->msg), "address %s/%u on %s: %s", inet_ntoa(q->addr),
		         q->plen, NETD_PROBE_VM_IFNAME, strerror(-ret));
	return ret;
}

/* NETD_PROBE_OP_DHCP: a lease from the network's dnsmasq, configured as the lease says. */
static int serve_dhcp(const struct child *c, const struct netd_probe_req *q,
                      struct netd_probe_resp *r, int index)
{
	struct netd_diag diag = {{0}};
	int ret;

	ret = netd_dhcp_acquire(NETD_PROBE_VM_IFNAME, c->mac, q->hostname, q->timeout_ms, &r->lease,
	                        &diag);
	if (ret == 0) {
		ret = netd_probe_rtnl_addr_add(index, r->lease.addr, r->lease.plen);
		if (ret == 0 && r->lease.has_router)
			ret = netd_probe_rtnl_default_route_add(index, r->lease.router);
		if (ret)
			netd_diag_set(&diag, "configuring the lease %s/%u: %s",
			              inet_ntoa(r->lease.addr), r->lease.plen, strerror(-ret));
	}
	snprintf(r->msg, sizeof(r->msg), "%s", diag.msg);
	return ret;
}

static int sysctl_set(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Until eth0 has a global address whose DAD is done (SLAAC from the bridge's RA, or a DHCPv6
 * lease). */
static int slaac_wait(int index, int timeout_ms, struct netd_probe_resp *r)
{
	long long deadline = netd_probe_now_ms() + timeout_ms;
	int ret;

	for (;;) {
		ret = netd_probe_rtnl_addr6_global(index, &r->addr6, &r->plen6);
		if (ret != -ENOENT)
			return ret;
		if (netd_probe_interrupted)
			return -EINTR;
		if (netd_probe_now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(50 * 1000);
	}
}

/*
 * NETD_PROBE_OP_SLAAC: IPv6 on for eth0 (link-local, DAD, a router solicitation), then wait
 * for the address the RA's prefix gives, and a default route via q->gw6 when the RA named no
 * router (a hostonly network's lifetime 0), as a guest with a static route would have: the
 * firewall, not a missing route, then decides the outside cells.
 */
/* IPv6 on for eth0, taking RAs, with SLAAC (autoconf "1") or without ("0"); msg says why not. */
static int ipv6_on(const char *autoconf, char *msg, size_t len)
{
	static const char conf[] = "/proc/sys/net/ipv6/conf/" NETD_PROBE_VM_IFNAME "/";
	const char *const knobs[][2] = {
	    {"accept_ra", "1"}, {"autoconf", autoconf}, {"disable_ipv6", "0"}};
	char path[96];
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", conf, knobs[i][0]);
		ret = sysctl_set(path, knobs[i][1]);
		if (ret)
			snprintf(msg, len, "%s: %s", path, strerror(-ret));
	}
	return ret;
}

static int serve_slaac(const struct netd_probe_req *q, struct netd_probe_resp *r, int index)
{
	char a[INET6_ADDRSTRLEN];
	int ret;

	ret = ipv6_on("1", r->msg, sizeof(r->msg));
	if (ret)
		return ret;
	ret = slaac_wait(index, q->timeout_ms, r);
	if (ret) {
		snprintf(r->msg, sizeof(r->msg),
		         "no SLAAC address on %s within %d ms (%s): is the network sending router "
		         "advertisements?",
		         NETD_PROBE_VM_IFNAME, q->timeout_ms, strerror(-ret));
		return ret;
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&q->gw6))
		ret = netd_probe_rtnl_default_route6_add(index, &q->gw6);
	if (ret)
		snprintf(r->msg, sizeof(r->msg), "default route via %s: %s",
		         inet_ntop(AF_INET6, &q->gw6, a, sizeof(a)), strerror(-ret));
	return ret;
}

/*
 * NETD_PROBE_OP_DHCP6: IPv6 on for eth0 (its link-local address and RAs, but no SLAAC), a
 * DHCPv6 lease, configured on the network's prefix length (DHCPv6 says nothing of it; the
 * host told us) so the prefix is on-link, and a default route via q->gw6 when the RA named
 * no router.
 */
static int serve_dhcp6(const struct child *c, const struct netd_probe_req *q,
                       struct netd_probe_resp *r, int index)
{
	struct netd_diag diag = {{0}};
	struct netd_dhcp6_msg lease;
	char a[INET6_ADDRSTRLEN];
	int ret;

	ret = ipv6_on("0", diag.msg, sizeof(diag.msg));
	if (ret == 0)
		ret =
		    netd_dhcp6_acquire(NETD_PROBE_VM_IFNAME, c->mac, q->timeout_ms, &lease, &diag);
	if (ret == 0) {
		ret = netd_probe_rtnl_addr6_add(index, &lease.addr, q->plen);
		if (ret)
			netd_diag_set(&diag, "configuring the lease %s/%u: %s",
			              inet_ntop(AF_INET6, &lease.addr, a, sizeof(a)), q->plen,
			              strerror(-ret));
	}
	/* A DHCPv6 client checks its lease by DAD before it uses it (RFC 8415 18.2.10.1); the
	 * cells are measured from a VM that has settled, as a SLAAC one has. */
	if (ret == 0) {
		ret = slaac_wait(index, q->timeout_ms, r);
		if (ret)
			netd_diag_set(&diag, "the lease %s on %s: DAD not done within %d ms (%s)",
			              inet_ntop(AF_INET6, &lease.addr, a, sizeof(a)),
			              NETD_PROBE_VM_IFNAME, q->timeout_ms, strerror(-ret));
	}
	if (ret == 0 && !IN6_IS_ADDR_UNSPECIFIED(&q->gw6)) {
		ret = netd_probe_rtnl_default_route6_add(index, &q->gw6);
		if (ret)
			netd_diag_set(&diag, "default route via %s: %s",
			              inet_ntop(AF_INET6, &q->gw6, a, sizeof(a)), strerror(-ret));
	}
	snprintf(r->msg, sizeof(r->msg), "%s", diag.msg);
	return ret;
}

/* NETD_PROBE_OP_CHECK: to an address of either family. */
static int serve_check(const struct netd_probe_req *q, struct netd_probe_resp *r)
{
	struct netd_probe_addr dst = {
	    .family = q->family == AF_INET6 ? AF_INET6 : AF_INET, .v4 = q->addr, .v6 = q->addr6};

	return netd_probe_check_addr(&dst, q->port, q->timeout_ms, &r->icmp, &r->tcp);
}

/* NETD_PROBE_OP_LISTEN: one more TCP listener on every address of the family; serve() drops
 * what it accepts. */
static int serve_listen(struct child *c, const struct netd_probe_req *q, struct netd_probe_resp *r)
{
	int ret;

	if (c->n_listen == MAX_LISTEN)
		return -EMFILE;
	if (q->family == AF_INET6)
		ret = netd_probe_listen6(&in6addr_any, &c->listen_fd[c->n_listen], &r->port);
	else
		ret = netd_probe_listen((struct in_addr){htonl(INADDR_ANY)},
		                        &c->listen_fd[c->n_listen], &r->port);
	if (ret == 0)
		c->n_listen++;
	return ret;
}

static void serve_one(struct child *c, const struct netd_probe_req *q, struct netd_probe_resp *r)
{
	int index = (int)if_nametoindex(NETD_PROBE_VM_IFNAME);

	switch (q->op) {
	case NETD_PROBE_OP_INIT:
		r->ret = serve_init(c, r, index);
		break;
	case NETD_PROBE_OP_ADDR:
		r->ret = serve_addr(c, q, r, index);
		break;
	case NETD_PROBE_OP_DHCP:
		r->ret = serve_dhcp(c, q, r, index);
		break;
	case NETD_PROBE_OP_SLAAC:
		r->ret = serve_slaac(q, r, index);
		break;
	case NETD_PROBE_OP_DHCP6:
		r->ret = serve_dhcp6(c, q, r, index);
		break;
	case NETD_PROBE_OP_CHECK:
		r->ret = serve_check(q, r);
		break;
	case NETD_PROBE_OP_LISTEN:
		r->ret = serve_listen(c, q, r);
		break;
	default:
		r->ret = -EINVAL;
		break;
	}
	if (r->ret && !r->msg[0])
		snprintf(r->msg, sizeof(r->msg), "%s", strerror(-r->ret));
}

/* Serve until the parent closes its end (or kills us); accept and drop connections. */
static void serve(struct child *c)
{
	for (;;) {
		struct pollfd pfd[1 + MAX_LISTEN] = {{.fd = c->fd, .events = POLLIN}};
		struct netd_probe_req q;
		struct netd_probe_resp r;
		ssize_t n;

		for (int i = 0; i < c->n_listen; i++)
			pfd[1 + i] = (struct pollfd){.fd = c->listen_fd[i], .events = POLLIN};
		if (poll(pfd, 1 + (nfds_t)c->n_listen, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (int i = 0; i < c->n_listen; i++) {
			int a;

			if (!(pfd[1 + i].revents & POLLIN))
				continue;
			a = accept4(c->listen_fd[i], NULL, NULL, SOCK_CLOEXEC);
			if (a >= 0)
				close(a);
		}
		if (!pfd[0].revents)
			continue;
		n = recv(c->fd, &q, sizeof(q), 0);
		if (n == 0 || (n < 0 && errno != EINTR))
			return;
		if (n != sizeof(q))
			continue;
		memset(&r, 0, sizeof(r));
		r.op = q.op;
		serve_one(c, &q, &r);
		if (send(c->fd, &r, sizeof(r), MSG_NOSIGNAL) < 0)
			return;
	}
}

void netd_probe_child_main(int fd, pid_t parent, const char *netns)
{
	struct child c = {.fd = fd, .vm = netns == NULL};
	struct netd_probe_resp r = {.op = NETD_PROBE_OP_READY};

	/* Die with the probe, whatever kills it: the namespace and veth go with us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	/* Other children's socket ends must not keep their conversations open. */
	if (fd > 3)
		close_range(3, (unsigned)fd - 1, 0);
	close_range((unsigned)fd + 1, ~0U, 0);

	r.ret = c.vm ? vm_netns_setup(&r) : peer_netns_enter(netns, &r);
	if (send(fd, &r, sizeof(r), MSG_NOSIGNAL) < 0 || r.ret)
		_exit(1);
	serve(&c);
	_exit(0);
}
