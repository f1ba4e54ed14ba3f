/*
 * import-libvirt: a libvirt <network> as a netd file (README: "From libvirt"). What netd
 * cannot carry over is either dropped with a note naming its line, or, where dropping it
 * would give guests a network that behaves otherwise in a way that matters (another kind of
 * forwarding altogether), refused.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netd/model.h"
#include "libvirt_import.h"

enum fwd_kind { FWD_ISOLATED, FWD_NAT, FWD_ROUTE, FWD_BRIDGE };

struct conv {
	struct lvx *x;
	enum fwd_kind kind;
	const xmlNode *forward; /* NULL: no <forward>, an isolated network */
	bool nat_ipv6;
	char name[NETD_NAME_MAX];
	char bridge[16];
	char addr4[64], addr6[64];
	char mtu[8], nat_addr[16], nat_ports[40];
	bool lease_set;
};

/* netd's names are letters, digits, '_' and '-', at most NETD_NAME_MAX long. */
static void network_name(struct conv *c, const xmlNode *n)
{
	char raw[256];
	size_t i;

	if (!lvx_text(n, raw, sizeof(raw)))
		return;
	for (i = 0; raw[i] && i < NETD_NAME_MAX - 1; i++)
		c->name[i] = (isalnum((unsigned char)raw[i]) || raw[i] == '_' || raw[i] == '-')
		                 ? raw[i]
		                 : '-';
	c->name[i] = '\0';
	if (strcmp(raw, c->name) != 0)
		lvx_note(c->x, n,
		         "'%s' is Name=%s (netd's names: letters, digits, _ and -, at most %d)",
		         raw, c->name, NETD_NAME_MAX - 1);
}

static void bridge(struct conv *c, const xmlNode *n)
{
	static const char *const ignored[] = {"stp", "delay", "macTableManager", "zone"};
	char v[64];

	if (lvx_attr(n, "name", v, sizeof(v)) && strlen(v) < sizeof(c->bridge))
		strcpy(c->bridge, v);
	for (size_t i = 0; i < sizeof(ignored) / sizeof(*ignored); i++)
		if (lvx_attr(n, ignored[i], v, sizeof(v)))
			lvx_note(c->x, n,
			         "%s='%s' ignored: netd's bridges keep the kernel's defaults "
			         "(STP off, no forward delay)",
			         ignored[i], v);
}

/* <nat><address start= end=/><port start= end=/></nat> (libvirt's NAT outside). */
static void nat(struct conv *c, const xmlNode *n)
{
	char a[16], b[16], ipv6[8];
	const xmlNode *k = NULL;

	if (lvx_attr(n, "ipv6", ipv6, sizeof(ipv6)))
		c->nat_ipv6 = strcmp(ipv6, "yes") == 0;
	while ((k = lvx_next(n, k))) {
		bool has_a = lvx_attr(k, "start", a, sizeof(a)),
		     has_b = lvx_attr(k, "end", b, sizeof(b));

		if (lvx_is(k, "address") && has_a && strlen(a) < sizeof(c->nat_addr)) {
			strcpy(c->nat_addr, a);
			if (has_b && strcmp(a, b) != 0)
				lvx_note(c->x, k,
				         "the range %s-%s is NATAddress=%s: netd's NAT leaves from "
				         "one address",
				         a, b, a);
		} else if (lvx_is(k, "port") && has_a && has_b) {
			snprintf(c->nat_ports, sizeof(c->nat_ports), "%s-%s", a, b);
		} else {
			lvx_note(c->x, k,
			         "dropped: not an <address start= end=> or <port start= end=>");
		}
	}
}

static int forward_mode(struct conv *c, const xmlNode *n, const char *mode)
{
	if (!*mode || strcmp(mode, "nat") == 0)
		c->kind = FWD_NAT;
	else if (strcmp(mode, "route") == 0)
		c->kind = FWD_ROUTE;
	else if (strcmp(mode, "bridge") == 0)
		c->kind = FWD_BRIDGE;
	else if (strcmp(mode, "open") == 0)
		return lvx_refuse(c->x, n,
		                  "mode='open' (no firewall rules at all) is not something "
		                  "netd does: every netd network has a [Policy]; the nearest is "
		                  "<forward mode='route'> (Mode=routed with OutsideToVM=allow)");
	else
		return lvx_refuse(c->x, n,
		                  "mode='%s' gives guests a host NIC directly (macvtap, SR-IOV "
		                  "or passthrough); netd's networks are bridges and cannot "
		                  "carry it over",
		                  mode);
	return 0;
}

static int forward(struct conv *c, const xmlNode *n)
{
	char mode[32], dev[32];
	const xmlNode *k = NULL;
	int ret;

	lvx_attr(n, "mode", mode, sizeof(mode));
	ret = forward_mode(c, n, mode);
	if (ret)
		return ret;
	if (c->kind == FWD_BRIDGE && (lvx_next(n, NULL) || lvx_attr(n, "dev", dev, sizeof(dev))))
		return lvx_refuse(c->x, n,
		                  "mode='bridge' with a device pool is macvtap, which netd "
		                  "cannot carry over; a <bridge name=> network imports");
	if (lvx_attr(n, "dev", dev, sizeof(dev)))
		lvx_note(c->x, n,
		         "dev='%s' dropped: netd %s through whichever interface routes out", dev,
		         c->kind == FWD_NAT ? "NATs" : "routes");
	while ((k = lvx_next(n, k))) {
		if (lvx_is(k, "nat") && c->kind == FWD_NAT)
			nat(c, k);
		else if (!lvx_is(k, "interface")) /* the dev= pool libvirt repeats: noted above */
			lvx_note(c->x, k, "dropped: netd has no equivalent");
	}
	return 0;
}

/* libvirt writes netmask= or prefix=; netd wants the CIDR length. */
static int ip_prefix(struct conv *c, const xmlNode *n, int family, int *len)
{
	char mask[64], pfx[8];
	struct in_addr m;
	uint32_t v;

	if (lvx_attr(n, "prefix", pfx, sizeof(pfx))) {
		char *end;
		long l = strtol(pfx, &end, 10);

		if (*end || l < 0 || l > (family == AF_INET ? 32 : 128))
			return lvx_refuse(c->x, n, "prefix='%s' is not a prefix length", pfx);
		*len = (int)l;
		return 0;
	}
	if (lvx_attr(n, "netmask", mask, sizeof(mask)) && family == AF_INET) {
		if (inet_pton(AF_INET, mask, &m) != 1)
			return lvx_refuse(c->x, n, "netmask='%s' is not a netmask", mask);
		v = ntohl(m.s_addr);
		*len = v ? 32 - __builtin_ctz(v) : 0;
		if (v != (*len ? ~0u << (32 - *len) : 0))
			return lvx_refuse(c->x, n, "netmask='%s' is not contiguous", mask);
		return 0;
	}
	/* libvirt's own default for an <ip> without either: the IPv4 class's length. */
	*len = 64;
	if (family == AF_INET) {
		char a[64];
		unsigned first = lvx_attr(n, "address", a, sizeof(a)) ? (unsigned)atoi(a) : 0;

		*len = first < 128 ? 8 : first < 192 ? 16 : 24;
	}
	lvx_note(c->x, n, "no netmask= or prefix=: /%d taken, as libvirt takes it", *len);
	return 0;
}

/* <range start= end=> with libvirt's optional <lease expiry= unit=>. */
static void dhcp_range(struct conv *c, const xmlNode *n)
{
	char a[64], b[64], expiry[16], unit[16];
	const xmlNode *l = lvx_next(n, NULL);

	if (!lvx_attr(n, "start", a, sizeof(a)) || !lvx_attr(n, "end", b, sizeof(b))) {
		lvx_note(c->x, n, "dropped: needs start= and end=");
		return;
	}
	fprintf(c->x->sec[LVX_DHCP], "Range=%s %s\n", a, b);
	if (!lvx_is(l, "lease") || !lvx_attr(l, "expiry", expiry, sizeof(expiry)))
		return;
	if (c->lease_set) {
		lvx_note(c->x, l,
		         "dropped: netd has one LeaseTime= per network (the first range's)");
		return;
	}
	c->lease_set = true;
	if (!lvx_attr(l, "unit", unit, sizeof(unit)))
		strcpy(unit, "minutes"); /* libvirt's default unit */
	if (strcmp(expiry, "0") == 0)
		fprintf(c->x->sec[LVX_DHCP], "LeaseTime=infinite\n");
	else if (strcmp(unit, "seconds") == 0 && atol(expiry) < 120) {
		fprintf(c->x->sec[LVX_DHCP], "LeaseTime=2m\n");
		lvx_note(c->x, l, "%s seconds is LeaseTime=2m, netd's shortest", expiry);
	} else
		fprintf(c->x->sec[LVX_DHCP], "LeaseTime=%s%s\n", expiry,
		        strcmp(unit, "hours") == 0     ? "h"
		        : strcmp(unit, "seconds") == 0 ? ""
		                                       : "m");
}

static struct lvx_host *host_named(struct lvx *x, const char *name)
{
	for (size_t i = 0; *name && i < x->n_hosts; i++)
		if (strcmp(x->hosts[i].name, name) == 0)
			return &x->hosts[i];
	return NULL;
}

/* netd's [Host] Name= is one label: the guest answers as NAME and NAME.<[DNS] Domain=>. */
static void host_label(struct conv *c, const xmlNode *n, char *name)
{
	char *dot = strchr(name, '.');

	if (!dot)
		return;
	lvx_note(c->x, n,
	         "name='%s' is Name=%.*s: netd's host names are one label, the domain is "
	         "the network's [DNS] Domain=",
	         name, (int)(dot - name), name);
	*dot = '\0';
}

/* <host mac= name= ip=>. netd's [Host] is matched by MAC for both families, so an IPv6 host
 * (libvirt matches those by DUID id= or name=) joins the IPv4 host of the same name. */
static void dhcp_host(struct conv *c, const xmlNode *n, int family)
{
	struct lvx_host h, *same;
	const xmlNode *l = lvx_next(n, NULL);
	bool has_mac;

	memset(&h, 0, sizeof(h));
	has_mac = lvx_attr(n, "mac", h.mac, sizeof(h.mac));
	lvx_attr(n, "name", h.name, sizeof(h.name));
	lvx_attr(n, "ip", family == AF_INET ? h.v4 : h.v6,
	         family == AF_INET ? sizeof(h.v4) : sizeof(h.v6));
	if (lvx_is(l, "lease"))
		lvx_note(c->x, l, "dropped: netd's static leases take the network's LeaseTime=");
	if (family == AF_INET6) {
		if (!*h.name) {
			lvx_note(c->x, n, "dropped: netd matches DHCPv6 hosts by MAC, not by DUID");
			return;
		}
		h.name[strcspn(h.name, ".")] = '\0'; /* as the IPv4 host's Name= was cut */
		same = host_named(c->x, h.name);
		if (same && !*same->v6 && *h.v6)
			strcpy(same->v6, h.v6);
		else
			lvx_note(c->x, n,
			         "dropped: netd matches DHCPv6 hosts by MAC, and no IPv4 <host> "
			         "named '%s' gives one",
			         h.name);
		return;
	}
	if (!has_mac) {
		lvx_note(c->x, n, "dropped: netd's [Host] needs a mac=");
		return;
	}
	host_label(c, n, h.name);
	if (c->x->n_hosts == LVX_HOSTS_MAX) {
		lvx_note(c->x, n, "dropped: more than %d hosts", LVX_HOSTS_MAX);
		return;
	}
	c->x->hosts[c->x->n_hosts++] = h;
}

static void dhcp_bootp(struct conv *c, const xmlNode *n)
{
	char file[256], server[64];

	if (!lvx_attr(n, "file", file, sizeof(file))) {
		lvx_note(c->x, n, "dropped: no file=");
		return;
	}
	fprintf(c->x->sec[LVX_DHCP], "BootFile=%s\n", file);
	if (lvx_attr(n, "server", server, sizeof(server)))
		fprintf(c->x->sec[LVX_DHCP], "NextServer=%s\n", server);
}

static void dhcp(struct conv *c, const xmlNode *n, int family)
{
	const xmlNode *k = NULL;

	while ((k = lvx_next(n, k))) {
		if (lvx_is(k, "range"))
			dhcp_range(c, k);
		else if (lvx_is(k, "host"))
			dhcp_host(c, k, family);
		else if (lvx_is(k, "bootp") && family == AF_INET)
			dhcp_bootp(c, k);
		else
			lvx_note(c->x, k, "dropped: netd's [DHCP] has no equivalent");
	}
}

/* The first <ip> of each family is the host's address; netd has one per family. */
static int ip(struct conv *c, const xmlNode *n)
{
	char fam[8] = "ipv4", addr[46], v[64];
	int family, len = 0, ret;
	char *dst;
	size_t dst_size;
	const xmlNode *k = NULL;

	lvx_attr(n, "family", fam, sizeof(fam));
	family = strcmp(fam, "ipv6") == 0 ? AF_INET6 : AF_INET;
	dst = family == AF_INET ? c->addr4 : c->addr6;
	dst_size = family == AF_INET ? sizeof(c->addr4) : sizeof(c->addr6);
	if (!lvx_attr(n, "address", addr, sizeof(addr)))
		return lvx_refuse(c->x, n, "has no address=");
	if (family == AF_INET6 && !c->x->o->ipv6) {
		lvx_note(c->x, n, "%s dropped: this netd takes no IPv6 address", addr);
		return 0;
	}
	if (*dst) {
		lvx_note(c->x, n, "%s dropped: netd has one %s address per network", addr, fam);
		return 0;
	}
	ret = ip_prefix(c, n, family, &len);
	if (ret)
		return ret;
	snprintf(dst, dst_size, "%s/%d", addr, len);
	if (lvx_attr(n, "localPtr", v, sizeof(v)))
		lvx_note(c->x, n, "localPtr='%s' dropped", v);
	while ((k = lvx_next(n, k))) {
		if (lvx_is(k, "dhcp"))
			dhcp(c, k, family);
		else
			lvx_note(c->x, k, "dropped: netd serves no %s",
			         lvx_is(k, "tftp") ? "TFTP" : "such thing");
	}
	return 0;
}

static int child(struct conv *c, const xmlNode *k)
{
	char v[16];

	if (lvx_is(k, "name"))
		network_name(c, k);
	else if (lvx_is(k, "bridge"))
		bridge(c, k);
	else if (lvx_is(k, "forward"))
		return forward(c, k);
	else if (lvx_is(k, "ip"))
		return ip(c, k);
	else if (lvx_is(k, "domain"))
		return lvx_domain(c->x, k);
	else if (lvx_is(k, "dns"))
		return lvx_dns(c->x, k);
	else if (lvx_is(k, "mtu") && lvx_attr(k, "size", v, sizeof(v)))
		strcpy(c->mtu, v);
	else if (lvx_is(k, "mac"))
		lvx_note(c->x, k,
		         "dropped: netd's bridge takes the kernel's MAC (its first port's)");
	else if (lvx_is(k, "uuid") || lvx_is(k, "title") || lvx_is(k, "description") ||
	         lvx_is(k, "metadata"))
		lvx_note(c->x, k, "dropped: netd knows a network by its Name=");
	else if (lvx_is(k, "route"))
		lvx_note(c->x, k, "dropped: netd adds no static routes (add it on the host)");
	else if (lvx_is(k, "bandwidth"))
		lvx_note(c->x, k, "dropped: netd does not support bandwidth limits");
	else if (lvx_is(k, "portgroup"))
		lvx_note(c->x, k, "dropped: netd has no port groups; guests attach to the network");
	else
		lvx_note(c->x, k, "dropped: netd has no equivalent");
	return 0;
}

/* The mode and the [Policy] that give libvirt's behaviour: nat lets the host reach the
 * guests; route also lets other hosts in; an isolated network lets guests and host talk. */
static int mode(struct conv *c, const xmlNode *root, const char **m)
{
	FILE *p = c->x->sec[LVX_POLICY];

	if (c->kind == FWD_BRIDGE) {
		if (!*c->bridge || !c->x->o->uplink)
			return lvx_refuse(
			    c->x, c->forward,
			    "mode='bridge' puts guests on a bridge the host made; netd makes "
			    "the bridge itself and enslaves the host's NIC to it: say which "
			    "with --uplink IFACE");
		if (*c->addr4 || *c->addr6)
			return lvx_refuse(c->x, c->forward,
			                  "mode='bridge' with an <ip> is not valid");
		*m = "bridged";
		return 0;
	}
	if (!*c->addr4 && (c->kind != FWD_ISOLATED || *c->addr6))
		return lvx_refuse(c->x, c->forward ? c->forward : root,
		                  "netd's %s networks need an IPv4 <ip> (an IPv6 one comes in "
		                  "addition to it)",
		                  c->kind == FWD_ISOLATED ? "hostonly"
		                  : c->kind == FWD_NAT    ? "nat"
		                                          : "routed");
	switch (c->kind) {
	case FWD_NAT:
		*m = "nat";
		fprintf(p, "HostToVM=allow\n");
		break;
	case FWD_ROUTE:
		*m = "routed";
		fprintf(p, "HostToVM=allow\nOutsideToVM=allow\n");
		break;
	default:
		*m = *c->addr4 ? "hostonly" : "internal";
		fprintf(p, *c->addr4 ? "VMToHost=allow\nHostToVM=allow\n" : "VMToVM=allow\n");
		break;
	}
	return 0;
}

static void network_section(struct conv *c, const char *m)
{
	FILE *f = c->x->sec[LVX_NETWORK];

	fprintf(f, "Name=%s\nMode=%s\nBridge=%s\n", c->name, m, c->bridge);
	if (c->kind == FWD_BRIDGE)
		fprintf(f, "Uplink=%s\n", c->x->o->uplink);
	if (*c->addr4)
		fprintf(f, "Address=%s\n", c->addr4);
	if (*c->addr6)
		fprintf(f, "Address=%s\n", c->addr6);
	if (*c->mtu)
		fprintf(f, "MTU=%s\n", c->mtu);
	if (*c->nat_addr)
		fprintf(f, "NATAddress=%s\n", c->nat_addr);
	if (*c->nat_ports)
		fprintf(f, "NATPorts=%s\n", c->nat_ports);
	/* libvirt routes a nat network's IPv6 unless <nat ipv6='yes'>. */
	if (c->kind == FWD_NAT && *c->addr6)
		fprintf(f, "IPv6NAT=%s\n", c->nat_ipv6 ? "yes" : "no");
}

/* Before the children: what decides how others read (the forward mode, DNS turned off). */
static int prescan(struct conv *c, const xmlNode *root)
{
	char v[16];
	const xmlNode *k = NULL;

	while ((k = lvx_next(root, k))) {
		if (lvx_is(k, "forward"))
			c->forward = k;
		if (lvx_is(k, "dns") && lvx_attr(k, "enable", v, sizeof(v)) && strcmp(v, "no") == 0)
			c->x->dns_disabled = true;
	}
	for (const char *a = "ipv6\0trustGuestRxFilters\0"; *a; a += strlen(a) + 1)
		if (lvx_attr(root, a, v, sizeof(v)))
			lvx_note(c->x, root, "%s='%s' dropped", a, v);
	return c->forward ? forward(c, c->forward) : 0;
}

int netd_lv_import(xmlDoc *doc, const struct netd_lv_opts *o, char **text, char **notes,
                   struct netd_diag *diag)
{
	const xmlNode *root = xmlDocGetRootElement(doc), *k = NULL;
	struct conv c = {.kind = FWD_ISOLATED};
	struct lvx x;
	const char *m = NULL;
	int ret;

	ret = lvx_open(&x, o, diag);
	if (ret)
		goto out;
	c.x = &x;
	if (!lvx_is(root, "network")) {
		ret = lvx_refuse(&x, root, "not a libvirt network (its root is not <network>)");
		goto out;
	}
	ret = prescan(&c, root);
	while (!ret && (k = lvx_next(root, k)))
		ret = lvx_is(k, "forward") ? 0 : child(&c, k);
	if (ret)
		goto out;
	if (!*c.name) {
		ret = lvx_refuse(&x, root, "has no <name>");
		goto out;
	}
	if (!*c.bridge && c.kind != FWD_BRIDGE) {
		snprintf(c.bridge, sizeof(c.bridge), "nd-%.12s", c.name);
		lvx_note(&x, root, "no <bridge name=>: Bridge=%s (libvirt would pick a virbrN)",
		         c.bridge);
	}
	ret = mode(&c, root, &m);
	if (ret)
		goto out;
	network_section(&c, m);
	ret = lvx_finish(&x, text, notes);
out:
	lvx_close(&x);
	return ret;
}
