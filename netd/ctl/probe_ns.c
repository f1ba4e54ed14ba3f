/*
 * The probe's throwaway namespaces, from the parent's side. A "VM" is a forked child that
 * unshares its network namespace and then serves the parent's commands over a socketpair
 * (probe_child.c); its veth is created in one RTM_NEWLINK with the peer placed straight into
 * the child's namespace by pid and the host side enslaved to the bridge. Nothing has to be
 * removed by name afterwards: when the child dies, its namespace goes and the veth pair with
 * it (we still delete the host side first, so it is gone by the time the probe returns).
 * A VM on another host (--peer-host) is the same child: only its veth is made, waited for
 * and deleted in that host's namespace (probe_netns.c), on the bridge of the same name there.
 *
 * Called by probe.c; calls down to probe_child.c, probe_rtnl.c, probe_link.c, probe_netns.c
 * and probe_wait.c (its waits' clock and interrupt flag), never back up to the run.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_ns_priv.h"

static int ns_send(struct netd_probe_ns *ns, const struct netd_probe_req *q)
{
	if (send(ns->fd, q, sizeof(*q), MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

static int ns_recv(struct netd_probe_ns *ns, int op, int timeout_ms, struct netd_probe_resp *r,
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

static int ns_call(struct netd_probe_ns *ns, const struct netd_probe_req *q, int timeout_ms,
                   struct netd_probe_resp *r, struct netd_diag *diag)
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
	struct netd_probe_resp r;
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
		netd_probe_child_main(sv[1], parent, netns);
	close(sv[1]);
	ns->fd = sv[0];
	ret = ns_recv(ns, NETD_PROBE_OP_READY, CALL_MARGIN_MS * 5, &r, diag);
out:
	if (ret) {
		netd_probe_ns_free(ns);
		ns = NULL;
	}
	*out = ns;
	return ret;
}

/*
 * Run fn in the namespace ns's veth is in (the other host's, for a VM there): creating it,
 * waiting for it, deleting it. With no host, here.
 */
static int in_host(struct netd_probe_ns *ns, int (*fn)(struct netd_probe_ns *, void *), void *arg,
                   struct netd_diag *diag)
{
	int back, ret;

	if (!ns->host[0])
		return fn(ns, arg);
	ret = netd_probe_netns_enter(ns->host, &back, diag);
	if (ret)
		return ret;
	ret = fn(ns, arg);
	netd_probe_netns_leave(back);
	return ret;
}

struct veth_args {
	const char *bridge;
	const uint8_t *mac;
	struct netd_diag *diag;
};

static int veth_create(struct netd_probe_ns *ns, void *arg)
{
	const struct veth_args *a = arg;
	unsigned master = if_nametoindex(a->bridge);
	int ret;

	if (!master) {
		netd_diag_set(a->diag, "bridge %s%s%s: %s", a->bridge,
		              ns->host[0] ? " on host " : "", ns->host, strerror(errno));
		return -ENODEV;
	}
	snprintf(ns->veth, sizeof(ns->veth), "prb%d.%.4s", (int)getpid(), ns->name);
	ret = netd_probe_rtnl_veth_create(ns->veth, (int)master, ns->pid, a->mac);
	if (ret) {
		netd_diag_set(a->diag, "%s: veth %s on %s: %s", ns->name, ns->veth, a->bridge,
		              strerror(-ret));
		ns->veth[0] = '\0'; /* not ours: never delete what we did not make */
	}
	return ret;
}

static int veth_running(struct netd_probe_ns *ns, void *arg)
{
	return netd_probe_link_wait_running(ns->veth, NETD_PROBE_LINK_WAIT_MS);
}

static int veth_delete(struct netd_probe_ns *ns, void *arg)
{
	return netd_probe_rtnl_link_delete(ns->veth);
}

int netd_probe_ns_vm(const char *name, const char *host, const char *bridge, const uint8_t mac[6],
                     struct netd_probe_ns **out, struct netd_diag *diag)
{
	struct netd_probe_ns *ns = NULL;
	struct netd_probe_req q = {.op = NETD_PROBE_OP_INIT};
	struct veth_args a = {.bridge = bridge, .mac = mac, .diag = diag};
	struct netd_probe_resp r;
	int ret;

	ret = ns_spawn(name, NULL, &ns, diag);
	if (ret)
		goto out;
	snprintf(ns->host, sizeof(ns->host), "%s", host ? host : "");
	ret = in_host(ns, veth_create, &a, diag);
	if (ret)
		goto out;
	ret = ns_call(ns, &q, NETD_PROBE_LINK_WAIT_MS, &r, diag);
	if (ret == 0)
		memcpy(ns->mac, r.mac, 6);
	if (ret == 0 && (ret = in_host(ns, veth_running, NULL, diag)) != 0)
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
		struct netd_diag diag = {{0}};
		int ret = in_host(ns, veth_delete, NULL, &diag);

		if (ret && ret != -ENODEV)
			fprintf(stderr,
			        "netd probe: deleting %s%s%s: %s (it goes with %s's namespace)\n",
			        ns->veth, ns->host[0] ? " on host " : "", ns->host,
			        diag.msg[0] ? diag.msg : strerror(-ret), ns->name);
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
	struct netd_probe_req q = {
	    .op = NETD_PROBE_OP_ADDR, .addr = addr, .plen = plen, .gw = gateway};
	struct netd_probe_resp r;

	return ns_call(ns, &q, NETD_PROBE_DAD_MS, &r, diag);
}

int netd_probe_ns_dhcp_start(struct netd_probe_ns *ns, const char *hostname, int timeout_ms)
{
	struct netd_probe_req q = {.op = NETD_PROBE_OP_DHCP, .timeout_ms = timeout_ms};

	snprintf(q.hostname, sizeof(q.hostname), "%s", hostname);
	return ns_send(ns, &q);
}

int netd_probe_ns_dhcp_finish(struct netd_probe_ns *ns, int timeout_ms,
                              struct netd_dhcp_lease *lease, struct netd_diag *diag)
{
	struct netd_probe_resp r;
	int ret;

	ret = ns_recv(ns, NETD_PROBE_OP_DHCP, timeout_ms + CALL_MARGIN_MS, &r, diag);
	if (ret == 0)
		*lease = r.lease;
	return ret;
}

int netd_probe_ns_slaac_start(struct netd_probe_ns *ns, const struct in6_addr *gw6, int timeout_ms)
{
	struct netd_probe_req q = {
	    .op = NETD_PROBE_OP_SLAAC, .gw6 = *gw6, .timeout_ms = timeout_ms};

	return ns_send(ns, &q);
}

int netd_probe_ns_slaac_finish(struct netd_probe_ns *ns, int timeout_ms, struct in6_addr *addr,
                               uint8_t *plen, struct netd_diag *diag)
{
	struct netd_probe_resp r;
	int ret;

	ret = ns_recv(ns, NETD_PROBE_OP_SLAAC, timeout_ms + CALL_MARGIN_MS, &r, diag);
	if (ret == 0) {
		*addr = r.addr6;
		*plen = r.plen6;
	}
	return ret;
}

int netd_probe_ns_dhcp6_start(struct netd_probe_ns *ns, const struct in6_addr *gw6, uint8_t plen,
                              int timeout_ms)
{
	struct netd_probe_req q = {
	    .op = NETD_PROBE_OP_DHCP6, .gw6 = *gw6, .plen = plen, .timeout_ms = timeout_ms};

	return ns_send(ns, &q);
}

int netd_probe_ns_dhcp6_finish(struct netd_probe_ns *ns, int timeout_ms, struct in6_addr *addr,
                               struct netd_diag *diag)
{
	struct netd_probe_resp r;
	int ret;

	ret = ns_recv(ns, NETD_PROBE_OP_DHCP6, timeout_ms + CALL_MARGIN_MS, &r, diag);
	if (ret == 0)
		*addr = r.addr6;
	return ret;
}

int netd_probe_ns_check_start(struct netd_probe_ns *ns, const struct netd_probe_addr *dst,
                              uint16_t port, int timeout_ms)
{
	struct netd_probe_req q = {.op = NETD_PROBE_OP_CHECK,
	                           .family = dst->family,
	                           .addr = dst->v4,
	                           .addr6 = dst->v6,
	                           .port = port,
	                           .timeout_ms = timeout_ms};

	return ns_send(ns, &q);
}

int netd_probe_ns_check_finish(struct netd_probe_ns *ns, int timeout_ms, bool *icmp, bool *tcp,
                               struct netd_diag *diag)
{
	struct netd_probe_resp r;
	int ret;

	ret = ns_recv(ns, NETD_PROBE_OP_CHECK, timeout_ms + CALL_MARGIN_MS, &r, diag);
	*icmp = ret == 0 && r.icmp;
	*tcp = ret == 0 && r.tcp;
	return ret;
}

int netd_probe_ns_listen(struct netd_probe_ns *ns, int family, uint16_t *port,
                         struct netd_diag *diag)
{
	struct netd_probe_req q = {.op = NETD_PROBE_OP_LISTEN, .family = family};
	struct netd_probe_resp r;
	int ret;

	ret = ns_call(ns, &q, 0, &r, diag);
	if (ret == 0)
		*port = r.port;
	return ret;
}
