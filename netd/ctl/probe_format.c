/* A probe's result as text for humans or as JSON. Pure: result in, text out. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "probe.h"

const char *netd_probe_cell_measured(const struct netd_probe_cell *c, char *buf, size_t len)
{
	const char *s;

	switch (c->how) {
	case NETD_PROBE_NOT_MEASURED:
		s = "not measured";
		break;
	case NETD_PROBE_NO_ADDRESS:
		s = "deny (no host address)";
		break;
	default:
		if (!c->tcp_measured)
			s = c->icmp ? "allow (icmp only)" : "deny (icmp only)";
		else if (c->icmp == c->tcp)
			s = c->icmp ? "allow" : "deny";
		else
			s = c->icmp ? "mixed (icmp ok, tcp blocked)"
			            : "mixed (icmp blocked, tcp ok)";
		break;
	}
	snprintf(buf, len, "%s", s);
	return buf;
}

bool netd_probe_cell_verdict(const struct netd_probe_cell *c, enum netd_policy *out)
{
	if (c->how == NETD_PROBE_NOT_MEASURED)
		return false;
	if (c->how == NETD_PROBE_NO_ADDRESS) {
		*out = NETD_POLICY_DENY;
		return true;
	}
	if (c->tcp_measured && c->icmp != c->tcp)
		return false;
	*out = c->icmp ? NETD_POLICY_ALLOW : NETD_POLICY_DENY;
	return true;
}

static bool cell_differs(const struct netd_probe_cell *c)
{
	enum netd_policy p;

	if (c->how == NETD_PROBE_NOT_MEASURED)
		return false;
	return !netd_probe_cell_verdict(c, &p) || p != c->expected;
}

size_t netd_probe_differences(const struct netd_probe_result *r)
{
	size_t n = 0;

	for (int c = 0; c < NETD_CELL_MAX; c++)
		n += cell_differs(&r->cells[c]) + cell_differs(&r->cells6[c]);
	return n;
}

static const char *vm_addr(const struct netd_probe_vm *v, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &v->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, v->plen);
	return buf;
}

static const char *vm_addr6(const struct netd_probe_vm *v, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &v->addr6, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, v->plen6);
	return buf;
}

/* "allow", "deny  <- differs", ...: one family's verdict on one cell. */
static const char *cell_text(const struct netd_probe_cell *c, char *buf, size_t len)
{
	char m[64];

	snprintf(buf, len, "%s%s", netd_probe_cell_measured(c, m, sizeof(m)),
	         cell_differs(c) ? "  <- differs" : "");
	return buf;
}

/* IPv4 alone as before issue 10; with IPv6, its column next to IPv4's. */
static void format_table(FILE *f, const struct netd_probe_result *r)
{
	char buf[96], buf6[96];

	if (r->v6 == NETD_PROBE_V6_OFF)
		fprintf(f, "%-14s%-10s%s\n", "cell", "expected", "measured");
	else
		fprintf(f, "%-14s%-10s%-42s%s\n", "cell", "expected", "IPv4", "IPv6");
	for (int c = 0; c < NETD_CELL_MAX; c++) {
		const struct netd_probe_cell *cell = &r->cells[c];

		fprintf(f, "%-14s%-10s", netd_cell_to_string((enum netd_cell)c),
		        netd_policy_to_string(cell->expected));
		if (r->v6 == NETD_PROBE_V6_OFF)
			fprintf(f, "%s\n", cell_text(cell, buf, sizeof(buf)));
		else
			fprintf(f, "%-42s%s\n", cell_text(cell, buf, sizeof(buf)),
			        cell_text(&r->cells6[c], buf6, sizeof(buf6)));
	}
	if (r->note6[0])
		fprintf(f, "%s\n", r->note6);
}

int netd_probe_format_text(FILE *f, const struct netd_probe_result *r)
{
	char buf[64], mac[18];
	size_t diff = netd_probe_differences(r), n_leases = 0;

	fprintf(f, "probe %s (%s on %s, %lld ms):", r->network, r->mode, r->bridge, r->elapsed_ms);
	for (size_t i = 0; i < r->n_vms; i++) {
		fprintf(f, "%s %s %s%s", i ? "," : "", r->vms[i].name,
		        vm_addr(&r->vms[i], buf, sizeof(buf)), r->vms[i].dhcp ? " (dhcp)" : "");
		if (r->vms[i].has_addr6)
			fprintf(f, " %s (%s)", vm_addr6(&r->vms[i], buf, sizeof(buf)),
			        r->vms[i].dhcp6 ? "dhcpv6" : "slaac");
		if (r->vms[i].host[0])
			fprintf(f, " on host %s", r->vms[i].host);
	}
	fputc('\n', f);
	if (r->peer_host[0])
		fprintf(f, "vm2 is on host %s: %s is measured across hosts\n", r->peer_host,
		        netd_cell_to_string(NETD_CELL_VM_TO_VM));
	format_table(f, r);
	for (size_t i = 0; i < r->n_vms; i++) {
		if (!r->vms[i].dhcp)
			continue;
		netd_mac_format(r->vms[i].mac, mac);
		inet_ntop(AF_INET, &r->vms[i].addr, buf, sizeof(buf));
		fprintf(f, "%s %s %s", n_leases++ ? "," : "probe leases:", mac, buf);
		if (r->vms[i].host[0])
			fprintf(f, " (host %s's dnsmasq)", r->vms[i].host);
	}
	if (n_leases)
		fprintf(f, " (they stay in dnsmasq's lease file)\n");
	if (diff == 0)
		fprintf(f, "matrix: as configured\n");
	else
		fprintf(f, "matrix: %zu %s\n", diff, diff == 1 ? "cell differs" : "cells differ");
	return ferror(f) ? -EIO : 0;
}

/* {"vm_to_host": {"expected":..,"measured":..,"icmp":..,"tcp":..,"match":..}, ...} */
static json_object *cells_json(const struct netd_probe_cell *cells)
{
	json_object *j = json_object_new_object();
	char buf[64];

	for (int c = 0; c < NETD_CELL_MAX; c++) {
		const struct netd_probe_cell *cell = &cells[c];
		json_object *o = json_object_new_object();
		bool measured = cell->how == NETD_PROBE_MEASURED;

		json_object_object_add(
		    o, "expected", json_object_new_string(netd_policy_to_string(cell->expected)));
		json_object_object_add(
		    o, "measured",
		    json_object_new_string(netd_probe_cell_measured(cell, buf, sizeof(buf))));
		json_object_object_add(o, "icmp",
		                       measured ? json_object_new_boolean(cell->icmp) : NULL);
		json_object_object_add(
		    o, "tcp",
		    measured && cell->tcp_measured ? json_object_new_boolean(cell->tcp) : NULL);
		json_object_object_add(o, "match", json_object_new_boolean(!cell_differs(cell)));
		if (cell->detail[0])
			json_object_object_add(o, "detail", json_object_new_string(cell->detail));
		json_object_object_add(j, netd_cell_json_key((enum netd_cell)c), o);
	}
	return j;
}

json_object *netd_probe_format_json(const struct netd_probe_result *r)
{
	json_object *j = json_object_new_object(), *vms = json_object_new_array(),
	            *leases = json_object_new_array();
	size_t diff = netd_probe_differences(r);
	char buf[64], mac[18];

	json_object_object_add(j, "network", json_object_new_string(r->network));
	json_object_object_add(j, "mode", json_object_new_string(r->mode));
	json_object_object_add(j, "bridge", json_object_new_string(r->bridge));
	if (r->peer_host[0])
		json_object_object_add(j, "peer_host", json_object_new_string(r->peer_host));
	for (size_t i = 0; i < r->n_vms; i++) {
		json_object *v = json_object_new_object();

		netd_mac_format(r->vms[i].mac, mac);
		json_object_object_add(v, "name", json_object_new_string(r->vms[i].name));
		json_object_object_add(
		    v, "address", json_object_new_string(vm_addr(&r->vms[i], buf, sizeof(buf))));
		json_object_object_add(v, "mac", json_object_new_string(mac));
		json_object_object_add(v, "dhcp", json_object_new_boolean(r->vms[i].dhcp));
		/* --peer-host: the host this VM is on (the others are on the probe's own) */
		if (r->vms[i].host[0])
			json_object_object_add(v, "host", json_object_new_string(r->vms[i].host));
		if (r->vms[i].has_addr6) {
			json_object_object_add(
			    v, "address6",
			    json_object_new_string(vm_addr6(&r->vms[i], buf, sizeof(buf))));
			json_object_object_add(v, "dhcp6",
			                       json_object_new_boolean(r->vms[i].dhcp6));
		}
		json_object_array_add(vms, v);
		if (r->vms[i].dhcp) {
			json_object *l = json_object_new_object();

			inet_ntop(AF_INET, &r->vms[i].addr, buf, sizeof(buf));
			json_object_object_add(l, "mac", json_object_new_string(mac));
			json_object_object_add(l, "address", json_object_new_string(buf));
			if (r->vms[i].host[0])
				json_object_object_add(l, "host",
				                       json_object_new_string(r->vms[i].host));
			json_object_array_add(leases, l);
		}
	}
	json_object_object_add(j, "vms", vms);
	json_object_object_add(j, "cells", cells_json(r->cells));
	/* IPv6's cells in the same shape, for a network with an IPv6 prefix only */
	if (r->v6 != NETD_PROBE_V6_OFF)
		json_object_object_add(j, "cells6", cells_json(r->cells6));
	if (r->note6[0])
		json_object_object_add(j, "note6", json_object_new_string(r->note6));
	json_object_object_add(j, "leases", leases);
	json_object_object_add(j, "differences", json_object_new_int64((int64_t)diff));
	json_object_object_add(j, "elapsed_ms", json_object_new_int64(r->elapsed_ms));
	json_object_object_add(j, "ok", json_object_new_boolean(diff == 0));
	return j;
}
