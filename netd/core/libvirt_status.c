/*
 * libvirt's networks as its network driver writes them (pure): the name, the bridge and the
 * first IPv4 address of a network XML, read the way libvirt formats it (attributes in single
 * or double quotes), and the message `up` gives when a network of netd's collides with one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/libvirt.h"

/* The value of attribute attr in the element that starts at tag (up to its '>'), into buf. */
static bool attr(const char *tag, const char *attr, char *buf, size_t len)
{
	const char *end = strchr(tag, '>'), *p = tag;
	size_t alen = strlen(attr), n;

	while (end && (p = strstr(p, attr)) && p < end) {
		const char *v = p + alen;
		char q;

		if ((p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') && v[0] == '=' &&
		    (v[1] == '\'' || v[1] == '"')) {
			q = v[1];
			v += 2;
			n = strcspn(v, q == '\'' ? "'" : "\"");
			if (n >= len || v + n > end)
				return false;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return true;
		}
		p += alen;
	}
	return false;
}

/* The first element <name ...> (not <name-other>), or NULL. */
static const char *element(const char *xml, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = xml; (p = strchr(p, '<')); p++)
		if (strncmp(p + 1, name, n) == 0 && strchr(" \t\n/>", p[1 + n]))
			return p;
	return NULL;
}

static bool ip_prefix(const char *ip, struct netd_prefix *out)
{
	char addr[64], mask[64], plen[8];
	struct in_addr a, m;
	unsigned len = 0;
	uint32_t h;

	if (!attr(ip, "address", addr, sizeof(addr)) || inet_pton(AF_INET, addr, &a) != 1)
		return false;
	if (attr(ip, "prefix", plen, sizeof(plen))) {
		len = (unsigned)atoi(plen);
	} else if (attr(ip, "netmask", mask, sizeof(mask)) && inet_pton(AF_INET, mask, &m) == 1) {
		for (h = ntohl(m.s_addr); h & 0x80000000u; h <<= 1)
			len++;
	} else {
		len = 24; /* libvirt's default for a class C address */
	}
	if (len > 32)
		return false;
	out->addr = a;
	out->len = (uint8_t)len;
	return true;
}

int netd_libvirt_net_parse(const char *xml, struct netd_libvirt_net *out)
{
	const char *name = element(xml, "name"), *bridge = element(xml, "bridge"), *ip;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!name || !(name = strchr(name, '>')))
		return -EINVAL;
	name++;
	n = strcspn(name, "<");
	if (n == 0 || n >= sizeof(out->name))
		return -EINVAL;
	memcpy(out->name, name, n);
	if (bridge)
		attr(bridge, "name", out->bridge, sizeof(out->bridge));
	/* The first IPv4 <ip> (an IPv6 one has family='ipv6' and no IPv4 address). */
	for (ip = element(xml, "ip"); ip && !out->has_prefix; ip = element(ip + 1, "ip"))
		out->has_prefix = ip_prefix(ip, &out->prefix);
	return 0;
}

bool netd_libvirt_conflict(const struct netd_network *n, const struct netd_libvirt_net *v, size_t k,
                           struct netd_diag *diag)
{
	char sub[32];

	for (size_t i = 0; i < k; i++) {
		if (v[i].bridge[0] && strcmp(v[i].bridge, n->bridge) == 0) {
			netd_diag_set(
			    diag,
			    "%s: %s belongs to libvirt's network '%s' (virsh net-destroy %s, "
			    "or use another Bridge=)",
			    n->name, n->bridge, v[i].name, v[i].name);
			return true;
		}
		if (n->has_address && v[i].has_prefix &&
		    netd_prefix_overlaps(&n->address, &v[i].prefix)) {
			netd_diag_set(
			    diag,
			    "%s: subnet %s overlaps libvirt's network '%s' on %s (virsh "
			    "net-destroy %s, or use another Address=)",
			    n->name, netd_prefix_format(&v[i].prefix, true, sub, sizeof(sub)),
			    v[i].name, v[i].bridge[0] ? v[i].bridge : "its bridge", v[i].name);
			return true;
		}
	}
	return false;
}
