/*
 * The probe's throwaway namespaces. A "VM" is a forked child that unshares its network
 * namespace and then serves the parent's commands over a socketpair; its veth is created
 * in one RTM_NEWLINK with the peer placed straight into the child's namespace by pid and
 * the host side enslaved to the bridge. Nothing has to be removed by name afterwards: when
 * the child dies, its namespace goes and the veth pair with it (we still delete the host
 * side first, so it is gone by the time the probe returns).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

#define VM_IFNAME    "eth0"
#define MAX_LISTEN   4
#define LINK_WAIT_MS 3000
#define DAD_MS       150 /* answers on a bridge come within a few ms */

volatile sig_atomic_t netd_probe_interrupted;

/* --- rtnetlink, raw (libmnl): one request, one ack --- */

struct route_oif {
	int oif;
};

static int route_attr_cb(const struct nlattr *a, void *data)
{
	struct route_oif *r = data;

	if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		r->oif = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWROUTE)
		mnl_attr_parse(nlh, sizeof(struct rtmsg), route_attr_cb, data);
	return MNL_CB_OK;
}

static int nl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq;
	ssize_t n;
	int ret;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq = (unsigned int)netd_probe_now_ms();
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
	} while (ret > 0);
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return nlh;
}

/* host: our side, up and enslaved to master; its peer "eth0" is born in pid's namespace. */
static int veth_create(const char *host, int master, pid_t pid, const uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh), *peer;
	struct nlattr *info, *data, *nest;

	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
	peer->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, VM_IFNAME);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t)pid);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_talk(nlh, NULL, NULL);
}

static int link_delete(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, 0);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_talk(nlh, NULL, NULL);
}

static int link_up(int index)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, index);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return nl_talk(nlh, NULL, NULL);
}

static int addr_add(int index, struct in_addr addr, uint8_t plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	uint32_t bcast = plen < 31 ? addr.s_addr | htonl(0xffffffffu >> plen) : 0;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)index;
	mnl_attr_put(nlh, IFA_LOCAL, 4, &addr.s_addr);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &addr.s_addr);
	if (bcast)
		mnl_attr_put(nlh, IFA_BROADCAST, 4, &bcast);
	return nl_talk(nlh, NULL, NULL);
}

static int default_route_add(int index, struct in_addr gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw.s_addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	return nl_talk(nlh, NULL, NULL);
}

int netd_probe_route_oif(struct in_addr dst, int *ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_oif r = {0};
	struct rtmsg *rtm;
	int ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	mnl_attr_put(nlh, RTA_DST, 4, &dst.s_addr);
	ret = nl_talk(nlh, route_cb, &r);
	if (ret)
		return ret;
	*ifindex = r.oif;
	return r.oif ? 0 : -ENETUNREACH;
}

/* --- the child's side --- */

enum op {
	OP_READY, /* the child's first message, unsolicited */
	OP_INIT,
	OP_ADDR,
	OP_DHCP,
	OP_CHECK,
	OP_LISTEN,
};

struct req {
	int op;
	struct in_addr addr, gw;
	uint8_t plen;
	uint16_t port;
	int timeout_ms;
	char hostname[NETD_HOSTNAME_MAX];
};

struct resp {
	int op;
	int ret; /* 0 or -errno; msg says why */
	bool icmp, tcp;
	uint16_t port;
	uint8_t mac[6];
	struct netd_dhcp_lease lease;
	char msg[sizeof(((struct netd_diag *)0)->msg)];
};

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

static int vm_netns_setup(struct resp *r)
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
	 * probe sends nothing the matrix does not ask for (router solicitations, DAD).
	 */
	write_sysctl("/proc/sys/net/ipv4/conf/all/rp_filter", "0");
	write_sysctl("/proc/sys/net/ipv4/conf/default/rp_filter", "0");
	write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	ret = link_up((int)if_nametoindex("lo"));
	if (ret)
		snprintf(r->msg, sizeof(r->msg), "lo up: %s", strerror(-ret));
	return ret;
}

static int peer_netns_enter(const char *netns, struct resp *r)
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

static int read_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = {0};
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ret;
}

/*
 * RFC 5227's probe: "who has addr?" from 0.0.0.0, so nobody's ARP cache learns anything.
 * Any ARP packet that claims addr as its sender within timeout_ms means it is taken.
 */
static int arp_in_use(int index, const uint8_t mac[6], struct in_addr addr, int timeout_ms,
                      bool *in_use)
{
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET,
	    .sll_protocol = htons(ETH_P_ARP),
	    .sll_ifindex = index,
	    .sll_halen = 6,
	    .sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	long long deadline = netd_probe_now_ms() + timeout_ms;
	uint8_t pkt[28] = {0, 1, 8, 0, 6, 4, 0, 1}; /* ethernet, IPv4, request */
	int fd, ret = 0;

	*in_use = false;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	memcpy(pkt + 8, mac, 6);           /* sender MAC; sender IP stays 0.0.0.0 */
	memcpy(pkt + 24, &addr.s_addr, 4); /* target IP */
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - netd_probe_now_ms();
		uint8_t in[64];
		ssize_t n;

		if (left <= 0 || netd_probe_interrupted)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
		/* a reply, or another prober's request, naming addr as its sender */
		if (n >= 28 && memcmp(in + 14, &addr.s_addr, 4) == 0 &&
		    memcmp(in + 8, mac, 6) != 0) {
			*in_use = true;
			break;
		}
	}
	ret = netd_probe_interrupted ? -EINTR : 0;
out:
	close(fd);
	return ret;
}

/*
 * Wait until the kernel has really brought ifname up: carrier changes are applied by the
 * link watcher later, and until then the device drops what is sent (a lost DHCP discover
 * costs a 1 s retransmit) and a bridge port does not forward.
 */
static int wait_running(const char *ifname, int timeout_ms)
{
	long long deadline = netd_probe_now_ms() + timeout_ms;
	struct ifreq ifr = {0};
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	for (;;) {
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
			ret = -errno;
			break;
		}
		if (ifr.ifr_flags & IFF_RUNNING) {
			ret = 0;
			break;
		}
		if (netd_probe_now_ms() >= deadline || netd_probe_interrupted) {
			ret = netd_probe_interrupted ? -EINTR : -ETIMEDOUT;
			break;
		}
		usleep(1000);
	}
	close(fd);
	return ret;
}

static void serve_one(struct child *c, const struct req *q, struct resp *r)
{
	struct netd_diag diag = {{0}};
	int index = (int)if_nametoindex(VM_IFNAME);
	bool in_use;

	switch (q->op) {
	case OP_INIT:
		r->ret = index ? link_up(index) : -ENODEV;
		if (r->ret == 0)
			r->ret = wait_running(VM_IFNAME, LINK_WAIT_MS);
		if (r->ret == 0)
			r->ret = read_mac(VM_IFNAME, c->mac);
		memcpy(r->mac, c->mac, 6);
		if (r->ret)
			snprintf(r->msg, sizeof(r->msg), "%s up: %s", VM_IFNAME, strerror(-r->ret));
		break;
	case OP_ADDR:
		r->ret = arp_in_use(index, c->mac, q->addr, DAD_MS, &in_use);
		if (r->ret == 0 && in_use) {
			r->ret = -EADDRINUSE;
			snprintf(r->msg, sizeof(r->msg), "%s is in use on the bridge",
			         inet_ntoa(q->addr));
			break;
		}
		if (r->ret == 0)
			r->ret = addr_add(index, q->addr, q->plen);
		if (r->ret == 0 && q->gw.s_addr)
			r->ret = default_route_add(index, q->gw);
		if (r->ret)
			snprintf(r->msg, sizeof(r->msg), "address %s/%u on %s: %s",
			         inet_ntoa(q->addr), q->plen, VM_IFNAME, strerror(-r->ret));
		break;
	case OP_DHCP:
		r->ret = netd_dhcp_acquire(VM_IFNAME, c->mac, q->hostname, q->timeout_ms, &r->lease,
		                           &diag);
		if (r->ret == 0) {
			r->ret = addr_add(index, r->lease.addr, r->lease.plen);
			if (r->ret == 0 && r->lease.has_router)
				r->ret = default_route_add(index, r->lease.router);
			if (r->ret)
				netd_diag_set(&diag, "configuring the lease %s/%u: %s",
				              inet_ntoa(r->lease.addr), r->lease.plen,
				              strerror(-r->ret));
		}
		snprintf(r->msg, sizeof(r->msg), "%s", diag.msg);
		break;
	case OP_CHECK:
		r->ret = netd_probe_check(q->addr, q->port, q->timeout_ms, &r->icmp, &r->tcp);
		break;
	case OP_LISTEN:
		if (c->n_listen == MAX_LISTEN) {
			r->ret = -EMFILE;
			break;
		}
		r->ret = netd_probe_listen((struct in_addr){htonl(INADDR_ANY)},
		                           &c->listen_fd[c->n_listen], &r->port);
		if (r->ret == 0)
			c->n_listen++;
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
		struct req q;
		struct resp r;
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

static void __attribute__((noreturn)) child_main(int fd, pid_t parent, const char *netns)
{
	struct child c = {.fd = fd, .vm = netns == NULL};
	struct resp r = {.op = OP_READY};

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

/* --- the parent's side --- */

static int ns_send(struct netd_probe_ns *ns, const struct req *q)
{
	if (send(ns->fd, q, sizeof(*q), MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

static int ns_recv(struct netd_probe_ns *ns, int op, int timeout_ms, struct resp *r,
                   struct netd_diag *diag)
{
	long long deadline = netd_probe_now_ms() + timeout_ms;
	ssize_t n;

	for (;;) {
		struct pollfd pfd = {.fd = ns->fd, .events = POLLIN};
		long long left = deadline - netd_probe_now_ms();

		if (netd_probe_interrupted) {
			netd_diag_set(diag, "interrupted");
			return -EINTR;
		}
		if (left <= 0) {
			netd_diag_set(diag, "%s did not answer within %d ms", ns->name, timeout_ms);
			return -ETIMEDOUT;
		}
		if (poll(&pfd, 1, (int)left) > 0)
			break;
	}
	n = recv(ns->fd, r, sizeof(*r), 0);
	if (n != sizeof(*r) || r->op != op) {
		netd_diag_set(diag, "%s exited unexpectedly", ns->name);
		return -ECHILD;
	}
	if (r->ret)
		netd_diag_set(diag, "%s: %s", ns->name, r->msg);
	return r->ret;
}

/* Commands finish within their own timeout; this margin covers scheduling only. */
#define CALL_MARGIN_MS 2000

static int ns_call(struct netd_probe_ns *ns, const struct req *q, int timeout_ms, struct resp *r,
                   struct netd_diag *diag)
{
	int ret = ns_send(ns, q);

	if (ret) {
		netd_diag_set(diag, "%s: %s", ns->name, strerror(-ret));
		return ret;
	}
	return ns_recv(ns, q->op, timeout_ms + CALL_MARGIN_MS, r, diag);
}

static int ns_spawn(const char *name, const char *netns, struct netd_probe_ns **out,
                    struct netd_diag *diag)
{
	struct netd_probe_ns *ns = calloc(1, sizeof(*ns));
	pid_t parent = getpid();
	struct resp r;
	int sv[2], ret;

	if (!ns)
		return -ENOMEM;
	ns->fd = -1;
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		netd_diag_set(diag, "socketpair: %s", strerror(errno));
		goto out;
	}
	ns->pid = fork();
	if (ns->pid < 0) {
		ret = -errno;
		netd_diag_set(diag, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		goto out;
	}
	if (ns->pid == 0)
		child_main(sv[1], parent, netns);
	close(sv[1]);
	ns->fd = sv[0];
	ret = ns_recv(ns, OP_READY, CALL_MARGIN_MS * 5, &r, diag);
out:
	if (ret) {
		netd_probe_ns_free(ns);
		ns = NULL;
	}
	*out = ns;
	return ret;
}

int netd_probe_ns_vm(const char *name, const char *bridge, const uint8_t mac[6],
                     struct netd_probe_ns **out, struct netd_diag *diag)
{
	struct netd_probe_ns *ns = NULL;
	struct req q = {.op = OP_INIT};
	struct resp r;
	unsigned master = if_nametoindex(bridge);
	int ret;

	if (!master) {
		netd_diag_set(diag, "bridge %s: %s", bridge, strerror(errno));
		return -ENODEV;
	}
	ret = ns_spawn(name, NULL, &ns, diag);
	if (ret)
		goto out;
	snprintf(ns->veth, sizeof(ns->veth), "prb%d.%.4s", (int)getpid(), name);
	ret = veth_create(ns->veth, (int)master, ns->pid, mac);
	if (ret) {
		netd_diag_set(diag, "%s: veth %s on %s: %s", name, ns->veth, bridge,
		              strerror(-ret));
		ns->veth[0] = '\0'; /* not ours: never delete what we did not make */
		goto out;
	}
	ret = ns_call(ns, &q, LINK_WAIT_MS, &r, diag);
	if (ret == 0)
		memcpy(ns->mac, r.mac, 6);
	if (ret == 0 && (ret = wait_running(ns->veth, LINK_WAIT_MS)) != 0)
		netd_diag_set(diag, "%s: %s did not come up: %s", name, ns->veth, strerror(-ret));
out:
	if (ret) {
		netd_probe_ns_free(ns);
		ns = NULL;
	}
	*out = ns;
	return ret;
}

int netd_probe_ns_peer(const char *netns, struct netd_probe_ns **out, struct netd_diag *diag)
{
	char name[16];

	if (!*netns || strlen(netns) > 255 || strchr(netns, '/') || strcmp(netns, ".") == 0 ||
	    strcmp(netns, "..") == 0) {
		netd_diag_set(diag, "invalid network namespace name '%s'", netns);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "peer %.10s", netns);
	return ns_spawn(name, netns, out, diag);
}

void netd_probe_ns_free(struct netd_probe_ns *ns)
{
	if (!ns)
		return;
	if (ns->veth[0]) {
		int ret = link_delete(ns->veth);

		if (ret && ret != -ENODEV)
			fprintf(stderr,
			        "netd probe: deleting %s: %s (it goes with %s's namespace)\n",
			        ns->veth, strerror(-ret), ns->name);
	}
	if (ns->fd >= 0)
		close(ns->fd);
	if (ns->pid > 0) {
		kill(ns->pid, SIGKILL);
		while (waitpid(ns->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(ns);
}

int netd_probe_ns_addr(struct netd_probe_ns *ns, struct in_addr addr, uint8_t plen,
                       struct in_addr gateway, struct netd_diag *diag)
{
	struct req q = {.op = OP_ADDR, .addr = addr, .plen = plen, .gw = gateway};
	struct resp r;

	return ns_call(ns, &q, DAD_MS, &r, diag);
}

int netd_probe_ns_dhcp_start(struct netd_probe_ns *ns, const char *hostname, int timeout_ms)
{
	struct req q = {.op = OP_DHCP, .timeout_ms = timeout_ms};

	snprintf(q.hostname, sizeof(q.hostname), "%s", hostname);
	return ns_send(ns, &q);
}

int netd_probe_ns_dhcp_finish(struct netd_probe_ns *ns, int timeout_ms,
                              struct netd_dhcp_lease *lease, struct netd_diag *diag)
{
	struct resp r;
	int ret;

	ret = ns_recv(ns, OP_DHCP, timeout_ms + CALL_MARGIN_MS, &r, diag);
	if (ret == 0)
		*lease = r.lease;
	return ret;
}

int netd_probe_ns_check_start(struct netd_probe_ns *ns, struct in_addr dst, uint16_t port,
                              int timeout_ms)
{
	struct req q = {.op = OP_CHECK, .addr = dst, .port = port, .timeout_ms = timeout_ms};

	return ns_send(ns, &q);
}

int netd_probe_ns_check_finish(struct netd_probe_ns *ns, int timeout_ms, bool *icmp, bool *tcp,
                               struct netd_diag *diag)
{
	struct resp r;
	int ret;

	ret = ns_recv(ns, OP_CHECK, timeout_ms + CALL_MARGIN_MS, &r, diag);
	*icmp = ret == 0 && r.icmp;
	*tcp = ret == 0 && r.tcp;
	return ret;
}

int netd_probe_ns_listen(struct netd_probe_ns *ns, uint16_t *port, struct netd_diag *diag)
{
	struct req q = {.op = OP_LISTEN};
	struct resp r;
	int ret;

	ret = ns_call(ns, &q, 0, &r, diag);
	if (ret == 0)
		*port = r.port;
	return ret;
}
