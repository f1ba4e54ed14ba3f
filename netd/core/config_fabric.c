/*
 * The fabric file (<config-dir>/NAME.fabric, at most one): the host's place among the hosts
 * its spanning networks join (netd/fabric.h). One [Fabric] section, read line by line with
 * the network files' strictness: every error names file:line, a key given twice or unknown
 * is refused. Also the checks that tie the networks' [VXLAN] VNI= to it.
 *
 * Called by config_dir.c; calls config_diag.c for its errors.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>

#include "netd/fabric.h"
#include "config_priv.h"

enum fabric_key {
	FK_ASN,
	FK_UNDERLAY,
	FK_PEERS,
	FK_RR,
	FK_LISTEN,
	FK_PORT,
	FK_SOCKET,
	FK_MAX,
};

static const char *const key_names[FK_MAX] = {
    [FK_ASN] = "ASN",
    [FK_UNDERLAY] = "Underlay",
    [FK_PEERS] = "Peers",
    [FK_RR] = "RouteReflector",
    [FK_LISTEN] = "Listen",
    [FK_PORT] = "Port",
    [FK_SOCKET] = "FRRSocketDir",
};

struct fparser {
	struct netd_fabric *f;
	const char *source;
	struct netd_diag *diag;
	unsigned line;
	unsigned key_line[FK_MAX];
};

static int parse_num(const char *v, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoul(v, &end, 10);
	return errno || *end || *out > max ? -EINVAL : 0;
}

static int parse_peers(struct fparser *p, char *v)
{
	struct netd_fabric *f = p->f;
	char *save = NULL;

	for (char *tok = strtok_r(v, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (f->n_peers == NETD_FABRIC_PEERS_MAX)
			return cfg_diag(p->diag, p->source, p->line,
			                "more than %d peers; use RouteReflector= and Listen=",
			                NETD_FABRIC_PEERS_MAX);
		if (netd_ipv4_parse(tok, &f->peers[f->n_peers]) < 0)
			return cfg_diag(
			    p->diag, p->source, p->line,
			    "invalid peer '%s' in Peers=: give the other hosts' underlay "
			    "addresses, e.g. Peers=10.250.0.2 10.250.0.3",
			    tok);
		for (size_t i = 0; i < f->n_peers; i++)
			if (f->peers[i].s_addr == f->peers[f->n_peers].s_addr)
				return cfg_diag(p->diag, p->source, p->line,
				                "peer %s is listed twice in Peers=", tok);
		f->n_peers++;
	}
	return 0;
}

/* One Key=Value of [Fabric]; v is trimmed and not empty. */
static int set_key(struct fparser *p, enum fabric_key k, char *v)
{
	struct netd_fabric *f = p->f;
	unsigned long n;

	switch (k) {
	case FK_ASN:
		if (parse_num(v, 4294967294ul, &n) < 0 || n == 0)
			break;
		f->asn = (uint32_t)n;
		return 0;
	case FK_UNDERLAY:
		if (netd_ipv4_parse(v, &f->underlay_addr) == 0)
			return 0;
		if (!netd_ifname_valid(v))
			break;
		snprintf(f->underlay_if, sizeof(f->underlay_if), "%s", v);
		return 0;
	case FK_PEERS:
		f->role = NETD_FABRIC_MESH;
		return parse_peers(p, v);
	case FK_RR:
		if (netd_ipv4_parse(v, &f->peers[0]) < 0)
			break;
		f->n_peers = 1;
		f->role = NETD_FABRIC_CLIENT;
		return 0;
	case FK_LISTEN:
		if (netd_prefix_parse(v, &f->listen) < 0)
			break;
		f->role = NETD_FABRIC_REFLECTOR;
		return 0;
	case FK_PORT:
		if (parse_num(v, 65535, &n) < 0 || n == 0)
			break;
		f->port = (uint16_t)n;
		return 0;
	case FK_SOCKET:
		if (v[0] != '/' || strlen(v) >= sizeof(f->frr_socket_dir))
			break;
		snprintf(f->frr_socket_dir, sizeof(f->frr_socket_dir), "%s", v);
		return 0;
	case FK_MAX:
		break;
	}
	static const char *const wanted[FK_MAX] = {
	    [FK_ASN] = "give the fabric's AS number, 1-4294967294",
	    [FK_UNDERLAY] = "give this host's underlay IPv4 address or an interface name",
	    [FK_RR] = "give the route reflector's underlay IPv4 address",
	    [FK_LISTEN] = "give the prefix the other hosts' addresses are in, e.g. 10.250.0.0/24",
	    [FK_PORT] = "give a UDP port, 1-65535",
	    [FK_SOCKET] = "give the absolute path of FRR's vty socket directory",
	};
	return cfg_diag(p->diag, p->source, p->line, "invalid %s '%s': %s", key_names[k], v,
	                wanted[k]);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* One line (NUL-terminated, newline gone). */
static int read_line(struct fparser *p, char *s)
{
	char *eq, *key, *v;
	int k;

	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		if (strcmp(s, "[Fabric]") != 0)
			return cfg_diag(
			    p->diag, p->source, p->line,
			    "unknown section %s; a fabric file has one [Fabric] section", s);
		if (p->f->line)
			return cfg_diag(p->diag, p->source, p->line,
			                "section [Fabric] appears again (first on line %u)",
			                p->f->line);
		p->f->line = p->line;
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq)
		return cfg_diag(p->diag, p->source, p->line,
		                "expected Key=Value, a [Section] header or a comment");
	if (!p->f->line)
		return cfg_diag(p->diag, p->source, p->line,
		                "key outside any section; put it under [Fabric]");
	*eq = '\0';
	key = trim(s);
	v = trim(eq + 1);
	for (k = 0; k < FK_MAX && strcmp(key_names[k], key) != 0; k++)
		;
	if (k == FK_MAX)
		return cfg_diag(p->diag, p->source, p->line,
		                "unknown key '%s' in [Fabric]; the keys there are ASN, Underlay, "
		                "Peers, RouteReflector, Listen, Port and FRRSocketDir "
		                "(case-sensitive)",
		                key);
	if (p->key_line[k])
		return cfg_diag(p->diag, p->source, p->line,
		                "%s= is given twice in [Fabric] (first on line %u); keep one", key,
		                p->key_line[k]);
	if (!*v)
		return cfg_diag(p->diag, p->source, p->line,
		                "%s= has an empty value; give a value or remove the line", key);
	p->key_line[k] = p->line;
	return set_key(p, (enum fabric_key)k, v);
}

/* The rules that need the whole file. */
static int finish(struct fparser *p)
{
	struct netd_fabric *f = p->f;
	unsigned *kl = p->key_line;
	int roles = !!kl[FK_PEERS] + !!kl[FK_RR] + !!kl[FK_LISTEN];

	if (!f->line)
		return cfg_diag(p->diag, p->source, 1, "no [Fabric] section");
	if (!kl[FK_ASN])
		return cfg_diag(p->diag, p->source, f->line,
		                "[Fabric] has no ASN=; give the fabric's one AS number, e.g. "
		                "ASN=65000");
	if (!kl[FK_UNDERLAY])
		return cfg_diag(p->diag, p->source, f->line,
		                "[Fabric] has no Underlay=; give this host's underlay address or "
		                "interface");
	if (roles != 1) /* named on the header, or on the last of them */
		return cfg_diag(
		    p->diag, p->source,
		    roles ? MAX(kl[FK_PEERS], MAX(kl[FK_RR], kl[FK_LISTEN])) : f->line,
		    "give exactly one of Peers= (full mesh), RouteReflector= (a client) "
		    "or Listen= (the reflector)");
	for (size_t i = 0; i < f->n_peers; i++)
		if (f->peers[i].s_addr == f->underlay_addr.s_addr)
			return cfg_diag(p->diag, p->source, kl[FK_PEERS] ? kl[FK_PEERS] : kl[FK_RR],
			                "this host's own Underlay= is listed as a peer");
	f->line_asn = kl[FK_ASN];
	f->line_underlay = kl[FK_UNDERLAY];
	f->line_peers = kl[FK_PEERS] ? kl[FK_PEERS] : kl[FK_RR] ? kl[FK_RR] : kl[FK_LISTEN];
	f->line_port = kl[FK_PORT];
	f->line_socket = kl[FK_SOCKET];
	return 0;
}

int netd_fabric_parse_string(const char *text, const char *source, struct netd_fabric **out,
                             struct netd_diag *diag)
{
	struct fparser p = {.source = source ? source : "<string>", .diag = diag};
	char *copy = NULL, *line, *next;
	int ret = -ENOMEM;

	p.f = calloc(1, sizeof(*p.f));
	copy = strdup(text);
	if (!p.f || !copy) {
		netd_diag_set(diag, "%s: %s", p.source, strerror(ENOMEM));
		goto out;
	}
	p.f->port = NETD_VXLAN_PORT;
	snprintf(p.f->source, sizeof(p.f->source), "%s", p.source);
	ret = 0;
	for (line = copy; line && ret == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		ret = read_line(&p, line);
	}
	if (ret == 0)
		ret = finish(&p);
out:
	free(copy);
	if (ret < 0) {
		free(p.f);
		return ret;
	}
	*out = p.f;
	return 0;
}

int netd_fabric_parse_file(const char *path, struct netd_fabric **out, struct netd_diag *diag)
{
	char buf[16384];
	size_t len;
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		netd_diag_set(diag, "%s: %s", path, strerror(errno));
		return ret;
	}
	len = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f) || !feof(f)) {
		ret = ferror(f) ? -EIO : -EFBIG;
		netd_diag_set(diag, "%s: %s", path,
		              ret == -EIO ? strerror(EIO) : "too large for a fabric file");
		goto out;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		ret = -EINVAL;
		netd_diag_set(diag, "%s: the file contains a NUL byte; is it a text file?", path);
		goto out;
	}
	ret = netd_fabric_parse_string(buf, path, out, diag);
out:
	fclose(f);
	return ret;
}

/* A spanning network's DHCP range (IPv4 or IPv6: family) is cut into one slice per host of the
 * mesh (fabric_dhcp.c): each must have an address at least, or every host would serve the
 * whole range and two could hand out one address. 0, or the error at the range's line. */
static int check_range(const struct netd_fabric *f, const struct netd_network *n, int family,
                       struct netd_diag *diag)
{
	size_t hosts = netd_fabric_dhcp_hosts(f);
	char x[INET6_ADDRSTRLEN], y[INET6_ADDRSTRLEN];
	const void *first, *last;
	unsigned line;
	int cut;

	if (family == AF_INET) {
		struct in_addr a = n->dhcp_first, b = n->dhcp_last;

		if (!n->has_dhcp || !n->line_range || hosts == 0)
			return 0;
		cut = netd_fabric_dhcp_slice(f, f->underlay_addr, &a, &b);
		first = &n->dhcp_first, last = &n->dhcp_last, line = n->line_range;
	} else {
		struct in6_addr a = n->dhcp6_first, b = n->dhcp6_last;

		if (!n->has_dhcp6 || hosts == 0)
			return 0;
		cut = netd_fabric_dhcp6_cut(hosts, 0, &a, &b);
		first = &n->dhcp6_first, last = &n->dhcp6_last, line = n->line_range6;
	}
	if (cut != -ERANGE)
		return 0;
	inet_ntop(family, first, x, sizeof(x));
	inet_ntop(family, last, y, sizeof(y));
	return cfg_diag(diag, n->source, line,
	                "%s range %s - %s of network '%s' is too small for the fabric's %zu hosts "
	                "(%s:%u): each host serves a slice of it and needs one address at least; "
	                "widen the range",
	                family == AF_INET ? "DHCP" : "DHCPv6", x, y, n->name, hosts, f->source,
	                f->line_peers);
}

/* The spanning networks after the first, for the refusal that names it: ", and 'b' and 'c'". */
static void others_spanning(const struct netd_config *c, size_t first, char *buf, size_t len)
{
	size_t n = 0, at = 0;

	buf[0] = '\0';
	for (size_t i = first + 1; i < c->n_networks; i++) {
		if (!c->networks[i]->vni)
			continue;
		if (n < 3 && at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s'%s'", n ? ", " : " (also ",
			                       c->networks[i]->name);
		n++;
	}
	if (n > 3 && at < len)
		at += (size_t)snprintf(buf + at, len - at, " and %zu more", n - 3);
	if (n && at < len)
		snprintf(buf + at, len - at, ")");
}

int netd_fabric_check_networks(const struct netd_config *c, struct netd_diag *diag)
{
	char others[160];

	for (size_t j = 0; j < c->n_networks; j++) {
		const struct netd_network *b = c->networks[j];

		if (!b->vni)
			continue;
		if (!c->fabric) {
			others_spanning(c, j, others, sizeof(others));
			return cfg_diag(
			    diag, b->source, b->line_vni,
			    "network '%s' spans hosts (VNI=%u)%s but the config directory "
			    "has no *.fabric file saying where this host is in the fabric",
			    b->name, b->vni, others);
		}
		for (size_t i = 0; i < j; i++) {
			const struct netd_network *a = c->networks[i];

			if (a->vni == b->vni)
				return cfg_diag(diag, b->source, b->line_vni,
				                "VNI %u is already used by network '%s' (%s:%u); a "
				                "VNI names one network in the fabric",
				                b->vni, a->name, a->source, a->line_vni);
		}
		if (check_range(c->fabric, b, AF_INET, diag) < 0 ||
		    check_range(c->fabric, b, AF_INET6, diag) < 0)
			return -EINVAL;
	}
	return 0;
}

bool netd_fabric_same(const struct netd_fabric *a, const struct netd_fabric *b)
{
	if (!a || !b)
		return a == b;
	/* What the host's place is, not where in the file it was written. */
	return a->asn == b->asn && a->underlay_addr.s_addr == b->underlay_addr.s_addr &&
	       strcmp(a->underlay_if, b->underlay_if) == 0 && a->role == b->role &&
	       a->n_peers == b->n_peers &&
	       memcmp(a->peers, b->peers, a->n_peers * sizeof(a->peers[0])) == 0 &&
	       a->listen.addr.s_addr == b->listen.addr.s_addr && a->listen.len == b->listen.len &&
	       a->port == b->port && strcmp(a->frr_socket_dir, b->frr_socket_dir) == 0;
}

void netd_vxlan_port_name(uint32_t vni, char *buf, size_t len)
{
	snprintf(buf, len, "vx%u", vni);
}

/* [VXLAN] of a network file: VNI= given, and a mode whose networks may span hosts. */
int cfg_check_vxlan(struct parser *p, const struct netd_mode_ops *ops)
{
	unsigned hdr = p->sec_line[SEC_VXLAN];

	if (!hdr)
		return 0;
	if (!p->n->line_vni)
		return cfg_fail(p, hdr,
		                "[VXLAN] has no VNI=; give the network's VXLAN id, e.g. VNI=100");
	if (ops->why_no_vxlan)
		return cfg_fail(p, hdr, "Mode=%s cannot span hosts: %s", ops->name,
		                ops->why_no_vxlan);
	return 0;
}

void netd_fabric_gateway_mac(const char *network, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a: stable across hosts, versions and byte orders */

	for (const char *c = network; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = 0x6e; /* 'n' */
	mac[2] = (uint8_t)(h >> 24);
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}
