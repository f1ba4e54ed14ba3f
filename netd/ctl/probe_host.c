/*
 * The other host of a network that spans hosts (issue 13): `probe NAME --peer-host NS` puts
 * its second VM on NS's bridge, so the cells between the VMs cross the tunnel. NS is the
 * other host's network namespace (as `ip netns` names it); the network there is found by its
 * bridge name, and is the same network only when that bridge carries the VXLAN port of the
 * same VNI (vx<VNI>, VXLAN id VNI): anything else is refused before a VM is made. The VM's
 * lease there comes from that host's dnsmasq (DHCP does not cross the tunnel): it is checked
 * to be one.
 *
 * Called by probe.c; calls probe_netns.c and probe_rtnl.c, never back up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe_ns_priv.h"

int netd_probe_host_valid(const struct netd_probe_target *t, const char *host,
                          struct netd_diag *diag)
{
	if (!t->vni) {
		netd_diag_set(
		    diag,
		    "--peer-host needs a network that spans hosts: %s has no [VXLAN] VNI, "
		    "so no other host shares its segment",
		    t->name);
		return -EINVAL;
	}
	if (!netd_probe_netns_name_valid(host)) {
		netd_diag_set(diag,
		              "--peer-host '%s' is not a network namespace name (as `ip netns` "
		              "lists them, fewer than %d characters)",
		              host, NETD_PROBE_NETNS_MAX);
		return -EINVAL;
	}
	return 0;
}

/* In host's namespace already: its bridge, and the VXLAN port of the VNI on it. */
static int check_here(const struct netd_probe_target *t, const char *host, struct netd_diag *diag)
{
	struct netd_probe_link_facts f;
	char port[IFNAMSIZ];
	int br, ret;

	br = (int)if_nametoindex(t->bridge);
	if (!br) {
		netd_diag_set(diag, "host %s has no bridge %s: is %s up there?", host, t->bridge,
		              t->name);
		return -ENODEV;
	}
	snprintf(port, sizeof(port), "vx%u", t->vni);
	ret = netd_probe_rtnl_link_facts(port, &f);
	if (ret) {
		netd_diag_set(diag,
		              "host %s has no VXLAN port %s (%s): is %s up there with VNI %u?",
		              host, port, strerror(-ret), t->name, t->vni);
		return -ENODEV;
	}
	if (!f.vxlan || f.vni != t->vni || f.master != br) {
		netd_diag_set(diag,
		              "host %s: %s is not VNI %u's VXLAN port on bridge %s there (%s, id "
		              "%u, %s): not the same network",
		              host, port, t->vni, t->bridge, f.vxlan ? "vxlan" : "not vxlan", f.vni,
		              f.master == br ? "a port of it" : "not a port of it");
		return -ENODEV;
	}
	return 0;
}

int netd_probe_host_check(const struct netd_probe_target *t, const char *host,
                          struct netd_diag *diag)
{
	int back, ret;

	ret = netd_probe_netns_enter(host, &back, diag);
	if (ret)
		return ret;
	ret = check_here(t, host, diag);
	netd_probe_netns_leave(back);
	return ret;
}

/*
 * An abstract unix socket named after the network: held while the probe runs, released by
 * the kernel however the process ends. Abstract names are per network namespace: every
 * probe of a network on one host runs in its daemon's, and one with --peer-host takes the
 * other host's too (its VM there has the MAC a probe run on that host gives its own).
 */
static int lock_here(const char *network, int *fd, struct netd_diag *diag)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int len, ret;

	len = snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "netd-probe:%s", network);
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return -errno;
	if (bind(*fd, (struct sockaddr *)&sun,
	         (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len)) == 0)
		return 0;
	ret = -errno;
	if (ret == -EADDRINUSE)
		netd_diag_set(diag, "another probe of %s is running", network);
	else
		netd_diag_set(diag, "probe lock: %s", strerror(-ret));
	close(*fd);
	*fd = -1;
	return ret;
}

int netd_probe_lock(const char *network, const char *host, int *fd, struct netd_diag *diag)
{
	int back, ret;

	*fd = -1;
	if (!host)
		return lock_here(network, fd, diag);
	ret = netd_probe_netns_enter(host, &back, diag);
	if (ret)
		return ret;
	ret = lock_here(network, fd, diag);
	if (ret == -EADDRINUSE)
		netd_diag_set(diag, "another probe of %s is running on host %s", network, host);
	netd_probe_netns_leave(back);
	return ret;
}

int netd_probe_host_lease_check(const struct netd_probe_target *t, const struct netd_probe_vm *here,
                                const struct netd_probe_vm *there, struct netd_diag *diag)
{
	struct netd_prefix got = {.addr = there->addr, .len = t->address.len};
	char a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	if (!there->dhcp)
		return 0;
	inet_ntop(AF_INET, &there->addr, a, sizeof(a));
	inet_ntop(AF_INET, &t->address.addr, g, sizeof(g));
	/* every host holds the gateway address: its dnsmasq answers from it */
	if (there->server.s_addr != t->address.addr.s_addr) {
		netd_diag_set(diag,
		              "%s on host %s leased %s from DHCP server %s, not from %s's gateway "
		              "address %s: not the network's dnsmasq there",
		              there->name, there->host, a,
		              inet_ntop(AF_INET, &there->server, s, sizeof(s)), t->name, g);
		return -EPROTO;
	}
	if (netd_prefix_network(&got).s_addr != netd_prefix_network(&t->address).s_addr) {
		netd_diag_set(diag, "%s on host %s leased %s, outside %s's prefix %s/%u",
		              there->name, there->host, a, t->name, g, t->address.len);
		return -EPROTO;
	}
	if (here->dhcp && here->addr.s_addr == there->addr.s_addr) {
		netd_diag_set(
		    diag,
		    "%s here and %s on host %s both leased %s: the hosts hand out the same "
		    "addresses (their DHCP slices overlap)",
		    here->name, there->name, there->host, a);
		return -EADDRINUSE;
	}
	return 0;
}
