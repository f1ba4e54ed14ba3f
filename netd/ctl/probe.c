/*
 * The probe's run: two VMs on the network's bridge, an address each (and a SLAAC address when
 * the network has an IPv6 prefix), listeners, then every cell of the matrix tried by traffic,
 * over each family the network has. Traffic goes only to addresses inside namespaces the
 * probe made, the network's host addresses, and the --peer/--peer6 the user named.
 *
 * With --peer-host, vm2 is on another host of a network that spans hosts (probe_host.c
 * checks that host and vm2's lease there), so the cells between the VMs cross the tunnel.
 *
 * The top of the probe below probe_cli.c: it calls probe_host.c, probe_ns.c, probe_traffic.c,
 * probe_rtnl.c and probe_wait.c (the clock, and the interrupt it catches while it runs);
 * none of them calls back here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

/* Addresses for a network without one: TEST-NET-1, inside the probe's namespaces only. */
#define NOADDR_VM1 "192.0.2.1"
#define NOADDR_VM2 "192.0.2.2"
#define NOADDR_LEN 24

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int netd_probe_target_from_status(json_object *st, struct netd_probe_target *t,
                                  struct netd_diag *diag)
{
	const char *name = get_str(st, "name"), *mode = get_str(st, "mode"),
	           *bridge = get_str(st, "bridge"), *addr = get_str(st, "address");
	json_object *policy = get(st, "policy"), *objects = get(st, "objects"), *v;
	int m;

	memset(t, 0, sizeof(*t));
	if (!name || !netd_netname_valid(name) || !mode || (m = netd_mode_from_string(mode)) < 0 ||
	    !bridge || !netd_ifname_valid(bridge) ||
	    !json_object_is_type(policy, json_type_object)) {
		netd_diag_set(diag, "status lacks name, mode, bridge or policy");
		return -EINVAL;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->mode = (enum netd_mode)m;
	snprintf(t->bridge, sizeof(t->bridge), "%s", bridge);
	if (addr) {
		if (netd_prefix_parse(addr, &t->address) < 0) {
			netd_diag_set(diag, "status: bad address '%s'", addr);
			return -EINVAL;
		}
		t->has_address = true;
	}
	t->has_dhcp = json_object_is_type(get(st, "dhcp"), json_type_object);
	if (get_str(st, "address6")) {
		struct netd_prefix6 p6;

		if (netd_prefix6_parse(get_str(st, "address6"), &p6) < 0) {
			netd_diag_set(diag, "status: bad address6 '%s'", get_str(st, "address6"));
			return -EINVAL;
		}
		t->has_address6 = true;
		t->address6 = p6.addr;
		t->address6_len = p6.len;
		t->has_dhcp6 = json_object_is_type(get(st, "dhcp6"), json_type_object);
	}
	for (int c = 0; c < NETD_CELL_MAX; c++) {
		const char *p = get_str(policy, netd_cell_json_key((enum netd_cell)c));
		int pol = p ? netd_policy_from_string(p) : -EINVAL;

		if (pol < 0) {
			netd_diag_set(diag, "status: policy %s missing or invalid",
			              netd_cell_to_string((enum netd_cell)c));
			return -EINVAL;
		}
		t->expected[c] = (enum netd_policy)pol;
	}
	/* a network that spans hosts: --peer-host may put vm2 on another of them */
	v = get(get(st, "fabric"), "vni");
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0 &&
	    json_object_get_int64(v) <= 16777215)
		t->vni = (uint32_t)json_object_get_int64(v);
	/* A bridge that is not there would send the host's probes somewhere else. */
	v = get(objects, "bridge");
	if (objects && !(json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v))) {
		netd_diag_set(diag,
		              "network %s is not up (no bridge %s): run 'netdctl up %s' first",
		              name, bridge, name);
		return -ENETDOWN;
	}
	v = get(objects, "address");
	if (objects && t->has_address &&
	    !(json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v))) {
		netd_diag_set(diag, "network %s is not up (%s has not its address %s)", name,
		              bridge, addr);
		return -ENETDOWN;
	}
	return 0;
}

/*
 * Static addresses, highest first below broadcast: the host's own is skipped, and so is
 * any the VM finds in use (a bridged network's LAN may have a router there). 0 when done.
 */
static struct in_addr next_static(const struct netd_prefix *p, struct in_addr after)
{
	uint32_t net = ntohl(netd_prefix_network(p).s_addr), a;

	a = after.s_addr ? ntohl(after.s_addr) - 1 : ntohl(netd_prefix_broadcast(p).s_addr) - 1;
	if (a == ntohl(p->addr.s_addr))
		a--;
	if (p->len > 30 || a <= net)
		return (struct in_addr){0};
	return (struct in_addr){htonl(a)};
}

#define STATIC_TRIES 8

/* Per family: [F4] IPv4, [F6] IPv6. */
enum { F4, F6, NFAM };

struct run {
	const struct netd_probe_target *t;
	const struct netd_probe_opts *o;
	struct netd_probe_result *r;
	struct netd_diag *diag;
	int timeout;
	struct netd_probe_ns *vm[NETD_PROBE_VMS], *peer;
	struct in_addr vm_addr[NETD_PROBE_VMS], peer_addr;
	struct in6_addr peer_addr6;
	uint16_t vm_port[NFAM][NETD_PROBE_VMS], host_port[NFAM], peer_port[NFAM];
	int host_listen[NFAM];
	int lock, lock_there; /* here, and on --peer-host */
};

/* VM i has its address: for the checks and for the result. */
static void vm_addressed(struct run *x, int i, struct in_addr addr, uint8_t plen, bool dhcp)
{
	x->vm_addr[i] = addr;
	x->r->vms[i].addr = addr;
	x->r->vms[i].plen = plen;
	x->r->vms[i].dhcp = dhcp;
	x->r->n_vms = (size_t)i + 1;
}

/* Both at once: the exchanges overlap, the wait is paid once. */
static int dhcp_start_all(struct run *x)
{
	char host[NETD_HOSTNAME_MAX];
	int ret;

	for (int i = 0; i < NETD_PROBE_VMS; i++) {
		snprintf(host, sizeof(host), "netd-probe-%s", x->vm[i]->name);
		ret = netd_probe_ns_dhcp_start(x->vm[i], host, NETD_PROBE_DHCP_TIMEOUT_MS);
		if (ret) {
			netd_diag_set(x->diag, "%s: %s", x->vm[i]->name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int give_leases(struct run *x)
{
	struct netd_dhcp_lease lease;
	int ret;

	ret = dhcp_start_all(x);
	if (ret)
		return ret;
	for (int i = 0; i < NETD_PROBE_VMS; i++) {
		ret = netd_probe_ns_dhcp_finish(x->vm[i], NETD_PROBE_DHCP_TIMEOUT_MS, &lease,
		                                x->diag);
		if (ret && ret != -EINTR) {
			char why[sizeof(x->diag->msg)];

			snprintf(why, sizeof(why), "%s", x->diag->msg);
			netd_diag_set(x->diag,
			              "%s (the network serves DHCP on %s: is its dnsmasq running? "
			              "see 'netdctl status %s')",
			              why, x->t->bridge, x->t->name);
		}
		if (ret)
			return ret;
		vm_addressed(x, i, lease.addr, lease.plen, true);
		x->r->vms[i].server = lease.server_id;
	}
	return 0;
}

/*
 * VM i takes addr, or the next candidate below it while something on the bridge holds the
 * one tried (only inside the network's prefix: the TEST-NET ones are ours alone).
 */
static int claim_static(struct run *x, int i, struct in_addr addr, uint8_t plen, struct in_addr gw,
                        struct in_addr *got)
{
	const struct netd_probe_target *t = x->t;
	int ret;

	for (int tries = 0;; tries++) {
		if (!addr.s_addr || tries == STATIC_TRIES) {
			char why[sizeof(x->diag->msg)];

			snprintf(why, sizeof(why), "%s", tries ? x->diag->msg : "subnet too small");
			netd_diag_set(x->diag, "no free address for %s in %s/%u: %s",
			              x->vm[i]->name, inet_ntoa(t->address.addr), plen, why);
			return -EADDRNOTAVAIL;
		}
		ret = netd_probe_ns_addr(x->vm[i], addr, plen, gw, x->diag);
		if (ret != -EADDRINUSE || !t->has_address)
			break;
		addr = next_static(&t->address, addr);
	}
	if (ret == 0)
		*got = addr;
	return ret;
}

/* In the network's prefix (the host's address as gateway), or TEST-NET-1 without one. */
static int give_static(struct run *x)
{
	const struct netd_probe_target *t = x->t;
	struct in_addr fixed[NETD_PROBE_VMS], gw = {0}, last = {0}, addr;
	uint8_t plen;
	int ret;

	if (t->has_address) {
		plen = t->address.len;
		gw = t->address.addr;
	} else {
		inet_pton(AF_INET, NOADDR_VM1, &fixed[0]);
		inet_pton(AF_INET, NOADDR_VM2, &fixed[1]);
		plen = NOADDR_LEN;
	}
	for (int i = 0; i < NETD_PROBE_VMS; i++) {
		addr = t->has_address ? next_static(&t->address, last) : fixed[i];
		ret = claim_static(x, i, addr, plen, gw, &addr);
		if (ret)
			return ret;
		last = addr;
		vm_addressed(x, i, addr, plen, false);
	}
	return 0;
}

static int give_addresses(struct run *x)
{
	const struct netd_probe_vm *v = x->r->vms;
	int ret;

	if (!x->t->has_dhcp)
		return give_static(x);
	/* vm2 on another host (--peer-host): its lease must be that host's dnsmasq's own */
	ret = give_leases(x);

	if (ret == 0 && v[1].host[0])
		ret = netd_probe_host_lease_check(x->t, &v[0], &v[1], x->diag);
	return ret;
}

/*
 * IPv6 for both VMs at once: each turns it on and waits for its SLAAC address, or (dhcp6) leases
 * one from the network's DHCPv6 range (the DADs and exchanges overlap). The host's address is
 * their gateway when the RA names none.
 */
static int give_ipv6(struct run *x, bool dhcp6)
{
	const struct netd_probe_target *t = x->t;
	int ms = dhcp6 ? NETD_PROBE_DHCP_TIMEOUT_MS : NETD_PROBE_SLAAC_TIMEOUT_MS, ret;
	struct netd_probe_vm *v;

	for (int i = 0; i < NETD_PROBE_VMS; i++) {
		ret = dhcp6 ? netd_probe_ns_dhcp6_start(x->vm[i], &t->address6, t->address6_len, ms)
		            : netd_probe_ns_slaac_start(x->vm[i], &t->address6, ms);
		if (ret) {
			netd_diag_set(x->diag, "%s: %s", x->vm[i]->name, strerror(-ret));
			return ret;
		}
	}
	for (int i = 0; i < NETD_PROBE_VMS; i++) {
		v = &x->r->vms[i];
		v->plen6 = t->address6_len;
		ret = dhcp6
		          ? netd_probe_ns_dhcp6_finish(x->vm[i], ms, &v->addr6, x->diag)
		          : netd_probe_ns_slaac_finish(x->vm[i], ms, &v->addr6, &v->plen6, x->diag);
		if (ret)
			return ret;
		v->has_addr6 = true;
		v->dhcp6 = dhcp6;
	}
	return 0;
}

/* IPv6 when the network has a prefix: SLAAC on a /64, else a DHCPv6 lease from its range (a
 * prefix without either is told so, its IPv6 cells left unmeasured). */
static int give_addresses6(struct run *x)
{
	const struct netd_probe_target *t = x->t;

	if (!t->has_address6)
		return 0;
	if (t->address6_len != 64 && !t->has_dhcp6) {
		x->r->v6 = NETD_PROBE_V6_NO_SLAAC;
		snprintf(x->r->note6, sizeof(x->r->note6),
		         "IPv6 not measured: the prefix is a /%u, SLAAC needs a /64, and the "
		         "network has no DHCPv6 range",
		         t->address6_len);
		return 0;
	}
	x->r->v6 = NETD_PROBE_V6_MEASURED;
	return give_ipv6(x, t->address6_len != 64);
}

static int listen_host(struct run *x, const struct netd_probe_addr *a, int f)
{
	char buf[INET6_ADDRSTRLEN];
	int ret;

	ret = f == F6 ? netd_probe_listen6(&a->v6, &x->host_listen[f], &x->host_port[f])
	              : netd_probe_listen(a->v4, &x->host_listen[f], &x->host_port[f]);
	if (ret)
		netd_diag_set(x->diag, "listener on the host address %s: %s",
		              inet_ntop(a->family,
		                        f == F6 ? (const void *)&a->v6 : (const void *)&a->v4, buf,
		                        sizeof(buf)),
		              strerror(-ret));
	return ret;
}

static int start_listeners(struct run *x)
{
	int nfam = x->r->v6 == NETD_PROBE_V6_MEASURED ? NFAM : 1;
	int ret = 0;

	for (int f = 0; f < nfam && ret == 0; f++) {
		int family = f == F6 ? AF_INET6 : AF_INET;
		struct netd_probe_addr host = {
		    .family = family, .v4 = x->t->address.addr, .v6 = x->t->address6};

		for (int i = 0; i < NETD_PROBE_VMS && ret == 0; i++)
			ret = netd_probe_ns_listen(x->vm[i], family, &x->vm_port[f][i], x->diag);
		if (ret == 0 && (f == F6 || x->t->has_address))
			ret = listen_host(x, &host, f);
		/* a peer namespace need not speak IPv6: only --peer6 says it does */
		if (ret == 0 && x->peer && (f == F4 || x->o->peer6))
			ret = netd_probe_ns_listen(x->peer, family, &x->peer_port[f], x->diag);
	}
	return ret;
}

/* One direction of a cell: from a namespace of ours (NULL: the host) to dst (its family says
 * which matrix it is part of). */
struct dir {
	enum netd_cell cell;
	struct netd_probe_ns *from;
	struct netd_probe_addr dst;
	uint16_t port; /* 0: ICMP only, there is no listener of ours there */
	bool started, done;
};

/* A cell is allowed by ICMP (or TCP) only when every one of its directions passed. */
static void record(struct run *x, const struct dir *d, bool icmp, bool tcp)
{
	bool v6 = d->dst.family == AF_INET6;
	struct netd_probe_cell *c = v6 ? &x->r->cells6[d->cell] : &x->r->cells[d->cell];
	size_t len = strlen(c->detail);
	char a[INET6_ADDRSTRLEN + 2];

	if (c->how != NETD_PROBE_MEASURED) {
		c->how = NETD_PROBE_MEASURED;
		c->icmp = c->tcp = true;
		c->tcp_measured = d->port != 0;
	}
	c->icmp = c->icmp && icmp;
	c->tcp = c->tcp && tcp && d->port != 0;
	if (v6) {
		a[0] = '[';
		inet_ntop(AF_INET6, &d->dst.v6, a + 1, INET6_ADDRSTRLEN);
		strcat(a, "]");
	} else {
		inet_ntop(AF_INET, &d->dst.v4, a, sizeof(a));
	}
	snprintf(c->detail + len, sizeof(c->detail) - len, "%s%s -> %s:%u icmp %s tcp %s",
	         len ? ", " : "", d->from ? d->from->name : "host", a, d->port, icmp ? "ok" : "no",
	         d->port == 0 ? "-"
	         : tcp        ? "ok"
	                      : "no");
}

/* Every direction of both families' cells: two per cell at most. */
#define MAX_DIRS (NETD_CELL_MAX * 2 * NFAM)

/*
 * Run every direction, each source one at a time, different sources at once: a round
 * costs one timeout at most, however many cells it denies by silence.
 */
static int run_dirs(struct run *x, struct dir *d, size_t n)
{
	size_t left = n;
	bool icmp, tcp;
	int ret;

	while (left) {
		struct netd_probe_ns *busy[MAX_DIRS];
		struct dir *host = NULL;
		size_t nb = 0;

		for (size_t i = 0; i < n; i++) {
			bool taken = false;

			if (d[i].done)
				continue;
			if (!d[i].from) {
				host = host ? host : &d[i];
				continue;
			}
			for (size_t b = 0; b < nb; b++)
				taken = taken || busy[b] == d[i].from;
			if (taken)
				continue;
			ret =
			    netd_probe_ns_check_start(d[i].from, &d[i].dst, d[i].port, x->timeout);
			if (ret) {
				netd_diag_set(x->diag, "%s: %s", d[i].from->name, strerror(-ret));
				return ret;
			}
			d[i].started = true;
			busy[nb++] = d[i].from;
		}
		if (host) {
			ret =
			    netd_probe_check_addr(&host->dst, host->port, x->timeout, &icmp, &tcp);
			if (ret) {
				netd_diag_set(x->diag, "probe from the host: %s", strerror(-ret));
				return ret;
			}
			record(x, host, icmp, tcp);
			host->done = true;
			left--;
		}
		for (size_t i = 0; i < n; i++) {
			if (!d[i].started || d[i].done)
				continue;
			ret =
			    netd_probe_ns_check_finish(d[i].from, x->timeout, &icmp, &tcp, x->diag);
			if (ret)
				return ret;
			record(x, &d[i], icmp, tcp);
			d[i].done = true;
			left--;
		}
	}
	return 0;
}

static void add_dir(struct dir *d, size_t *n, enum netd_cell cell, struct netd_probe_ns *from,
                    struct netd_probe_addr dst, uint16_t port)
{
	d[(*n)++] = (struct dir){.cell = cell, .from = from, .dst = dst, .port = port};
}

/* The addresses one family's cells are tried against. */
struct fam {
	int f;
	struct netd_probe_cell *cells;
	bool has_host, has_peer;
	struct netd_probe_addr vm[NETD_PROBE_VMS], host, peer;
};

static void fam_of(const struct run *x, int f, struct fam *a)
{
	int family = f == F6 ? AF_INET6 : AF_INET;

	memset(a, 0, sizeof(*a));
	a->f = f;
	a->cells = f == F6 ? x->r->cells6 : x->r->cells;
	/* an IPv6 network always has the host's address: it is what makes it IPv6 */
	a->has_host = f == F6 || x->t->has_address;
	/* IPv6's outside cells need --peer6: a peer namespace need not speak IPv6 */
	a->has_peer = f == F6 ? x->o->peer6 != NULL : x->o->peer != NULL;
	for (int i = 0; i < NETD_PROBE_VMS; i++)
		a->vm[i] = (struct netd_probe_addr){
		    .family = family, .v4 = x->vm_addr[i], .v6 = x->r->vms[i].addr6};
	a->host = (struct netd_probe_addr){
	    .family = family, .v4 = x->t->address.addr, .v6 = x->t->address6};
	a->peer =
	    (struct netd_probe_addr){.family = family, .v4 = x->peer_addr, .v6 = x->peer_addr6};
}

/* HostToVM, only when the host's route to the VM leaves by the network's bridge. */
static void add_host_to_vm(const struct run *x, const struct fam *a, struct dir *d, size_t *n)
{
	struct netd_probe_cell *c = &a->cells[NETD_CELL_HOST_TO_VM];
	char buf[INET6_ADDRSTRLEN];
	int oif;

	if (!a->has_host) {
		c->how = NETD_PROBE_NO_ADDRESS;
	} else if (netd_probe_route_oif_addr(&a->vm[0], &oif) < 0 ||
	           oif != (int)if_nametoindex(x->t->bridge)) {
		/* Never send the host's probe out of another interface. */
		snprintf(
		    c->detail, sizeof(c->detail), "the host's route to %s does not leave by %s",
		    inet_ntop(a->vm[0].family,
		              a->f == F6 ? (const void *)&a->vm[0].v6 : (const void *)&a->vm[0].v4,
		              buf, sizeof(buf)),
		    x->t->bridge);
	} else {
		add_dir(d, n, NETD_CELL_HOST_TO_VM, NULL, a->vm[0], x->vm_port[a->f][0]);
	}
}

/* One family's directions into d. */
static void family_dirs(const struct run *x, int f, struct dir *d, size_t *n)
{
	const uint16_t *vm_port = x->vm_port[f];
	struct fam a;

	fam_of(x, f, &a);
	/* VMToVM first: both of its directions run in the first round. */
	add_dir(d, n, NETD_CELL_VM_TO_VM, x->vm[0], a.vm[1], vm_port[1]);
	add_dir(d, n, NETD_CELL_VM_TO_VM, x->vm[1], a.vm[0], vm_port[0]);

	if (a.has_host)
		add_dir(d, n, NETD_CELL_VM_TO_HOST, x->vm[0], a.host, x->host_port[f]);
	else
		a.cells[NETD_CELL_VM_TO_HOST].how = NETD_PROBE_NO_ADDRESS;
	add_host_to_vm(x, &a, d, n);

	/* Without the peer's namespace there is no listener of ours to connect to. */
	if (a.has_peer)
		add_dir(d, n, NETD_CELL_VM_TO_OUTSIDE, x->vm[0], a.peer,
		        x->peer ? x->peer_port[f] : 0);

	/* 192.0.2.x would be routed by the peer's own table, maybe off this machine. */
	if (x->peer && !a.has_host)
		a.cells[NETD_CELL_OUTSIDE_TO_VM].how = NETD_PROBE_NO_ADDRESS;
	else if (x->peer && (f == F4 || a.has_peer))
		add_dir(d, n, NETD_CELL_OUTSIDE_TO_VM, x->peer, a.vm[0], vm_port[0]);
}

/* Both families in one run: their rounds overlap, a denied cell costs one timeout. */
static int measure(struct run *x)
{
	struct dir d[MAX_DIRS];
	size_t n = 0;

	family_dirs(x, F4, d, &n);
	if (x->r->v6 == NETD_PROBE_V6_MEASURED)
		family_dirs(x, F6, d, &n);
	return run_dirs(x, d, n);
}

void netd_probe_vm_mac(const char *network, int i, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *p = network; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = 'n';
	mac[2] = 'p';
	mac[3] = (uint8_t)(h >> 8);
	mac[4] = (uint8_t)h;
	mac[5] = (uint8_t)(i + 1);
}

/* What needs no namespace: the peers' addresses, and --peer-host's network. */
static int check_opts(struct run *x)
{
	const struct netd_probe_opts *o = x->o;

	if (o->peer && inet_pton(AF_INET, o->peer, &x->peer_addr) != 1) {
		netd_diag_set(x->diag, "--peer '%s' is not an IPv4 address", o->peer);
		return -EINVAL;
	}
	if (o->peer6 && inet_pton(AF_INET6, o->peer6, &x->peer_addr6) != 1) {
		netd_diag_set(x->diag, "--peer6 '%s' is not an IPv6 address", o->peer6);
		return -EINVAL;
	}
	return o->peer_host ? netd_probe_host_valid(x->t, o->peer_host, x->diag) : 0;
}

/*
 * The lock, then the VMs: vm2 on --peer-host's bridge of the network when given (checked
 * first to be the same network: its VXLAN port of the VNI), then the peer's namespace.
 */
static int make_namespaces(struct run *x)
{
	const struct netd_probe_target *t = x->t;
	const char *there = x->o->peer_host;
	int ret;

	/* Two probes of one network would put the same MACs on its bridge twice. */
	ret = netd_probe_lock(t->name, NULL, &x->lock, x->diag);
	if (ret == 0 && there)
		ret = netd_probe_host_check(t, there, x->diag);
	if (ret == 0 && there)
		ret = netd_probe_lock(t->name, there, &x->lock_there, x->diag);
	for (int i = 0; i < NETD_PROBE_VMS && ret == 0; i++) {
		const char *host = i == 1 ? there : NULL;
		struct netd_probe_vm *v = &x->r->vms[i];
		uint8_t mac[6];

		snprintf(v->name, sizeof(v->name), "vm%d", i + 1);
		snprintf(v->host, sizeof(v->host), "%s", host ? host : "");
		netd_probe_vm_mac(t->name, i, mac);
		ret = netd_probe_ns_vm(v->name, host, t->bridge, mac, &x->vm[i], x->diag);
		if (ret == 0)
			memcpy(v->mac, x->vm[i]->mac, 6);
	}
	if (ret == 0 && x->o->peer_netns)
		ret = netd_probe_ns_peer(x->o->peer_netns, &x->peer, x->diag);
	return ret;
}

int netd_probe_run(const struct netd_probe_target *t, const struct netd_probe_opts *opts,
                   struct netd_probe_result *r, struct netd_diag *diag)
{
	struct netd_probe_signals saved;
	struct run x = {.t = t,
	                .o = opts,
	                .r = r,
	                .diag = diag,
	                .host_listen = {-1, -1},
	                .lock = -1,
	                .lock_there = -1};
	long long start = netd_probe_now_ms();
	int ret;

	memset(r, 0, sizeof(*r));
	snprintf(r->network, sizeof(r->network), "%s", t->name);
	snprintf(r->mode, sizeof(r->mode), "%s", netd_mode_to_string(t->mode));
	snprintf(r->bridge, sizeof(r->bridge), "%s", t->bridge);
	snprintf(r->peer_host, sizeof(r->peer_host), "%s", opts->peer_host ? opts->peer_host : "");
	for (int c = 0; c < NETD_CELL_MAX; c++)
		r->cells[c].expected = r->cells6[c].expected = t->expected[c];
	x.timeout = opts->timeout_ms > 0 ? opts->timeout_ms : NETD_PROBE_TIMEOUT_MS;

	if (geteuid() != 0) {
		netd_diag_set(diag,
		              "probe needs root: it creates network namespaces and veth pairs "
		              "on %s (you are uid %u)",
		              t->bridge, (unsigned)geteuid());
		return -EPERM;
	}
	ret = check_opts(&x);
	if (ret)
		return ret;

	netd_probe_signals_catch(&saved);
	ret = make_namespaces(&x);
	if (ret == 0)
		ret = give_addresses(&x);
	if (ret == 0)
		ret = give_addresses6(&x);
	if (ret == 0)
		ret = start_listeners(&x);
	if (ret == 0)
		ret = measure(&x);
	for (int i = 0; i < NETD_PROBE_VMS; i++)
		netd_probe_ns_free(x.vm[i]);
	netd_probe_ns_free(x.peer);
	for (int f = 0; f < NFAM; f++)
		if (x.host_listen[f] >= 0)
			close(x.host_listen[f]);
	if (x.lock >= 0)
		close(x.lock);
	if (x.lock_there >= 0)
		close(x.lock_there);
	if (netd_probe_interrupted) {
		netd_diag_set(diag, "interrupted; the probe's namespaces and veths are removed");
		ret = -EINTR;
	}
	netd_probe_signals_restore(&saved);
	r->elapsed_ms = netd_probe_now_ms() - start;
	return ret;
}
