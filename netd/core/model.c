/* The model's small pieces: enum <-> string tables, address helpers, constructors. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/model.h"

void netd_diag_set(struct netd_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

static const char *const mode_names[NETD_MODE_MAX] = {
    [NETD_MODE_NAT] = "nat",           [NETD_MODE_BRIDGED] = "bridged",
    [NETD_MODE_HOSTONLY] = "hostonly", [NETD_MODE_INTERNAL] = "internal",
    [NETD_MODE_ROUTED] = "routed",
};

static const char *const cell_names[NETD_CELL_MAX] = {
    [NETD_CELL_VM_TO_HOST] = "VMToHost",       [NETD_CELL_HOST_TO_VM] = "HostToVM",
    [NETD_CELL_VM_TO_OUTSIDE] = "VMToOutside", [NETD_CELL_OUTSIDE_TO_VM] = "OutsideToVM",
    [NETD_CELL_VM_TO_VM] = "VMToVM",
};

static const char *const policy_names[] = {
    [NETD_POLICY_DENY] = "deny",
    [NETD_POLICY_ALLOW] = "allow",
};

static int lookup(const char *const *table, size_t n, const char *s, bool nocase)
{
	for (size_t i = 0; s && i < n; i++)
		if (table[i] && (nocase ? strcasecmp(table[i], s) : strcmp(table[i], s)) == 0)
			return (int)i;
	return -EINVAL;
}

const char *netd_mode_to_string(enum netd_mode m)
{
	return (unsigned)m < NETD_MODE_MAX ? mode_names[m] : NULL;
}

int netd_mode_from_string(const char *s)
{
	return lookup(mode_names, NETD_MODE_MAX, s, true);
}

const char *netd_cell_to_string(enum netd_cell c)
{
	return (unsigned)c < NETD_CELL_MAX ? cell_names[c] : NULL;
}

const char *netd_cell_json_key(enum netd_cell c)
{
	/* JSON's one key style, snake_case: "vm_to_host" for [Policy] VMToHost */
	static const char *const keys[NETD_CELL_MAX] = {
	    [NETD_CELL_VM_TO_HOST] = "vm_to_host",
	    [NETD_CELL_HOST_TO_VM] = "host_to_vm",
	    [NETD_CELL_VM_TO_OUTSIDE] = "vm_to_outside",
	    [NETD_CELL_OUTSIDE_TO_VM] = "outside_to_vm",
	    [NETD_CELL_VM_TO_VM] = "vm_to_vm",
	};

	return (unsigned)c < NETD_CELL_MAX ? keys[c] : NULL;
}

int netd_cell_from_string(const char *s)
{
	return lookup(cell_names, NETD_CELL_MAX, s, true);
}

const char *netd_policy_to_string(enum netd_policy p)
{
	return (unsigned)p < 2 ? policy_names[p] : NULL;
}

int netd_policy_from_string(const char *s)
{
	return lookup(policy_names, 2, s, true);
}

static uint32_t mask_of(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

struct in_addr netd_prefix_network(const struct netd_prefix *p)
{
	struct in_addr a = {htonl(ntohl(p->addr.s_addr) & mask_of(p->len))};
	return a;
}

struct in_addr netd_prefix_broadcast(const struct netd_prefix *p)
{
	struct in_addr a = {htonl(ntohl(p->addr.s_addr) | ~mask_of(p->len))};
	return a;
}

bool netd_prefix_contains(const struct netd_prefix *p, struct in_addr a)
{
	uint32_t m = mask_of(p->len);

	return (ntohl(a.s_addr) & m) == (ntohl(p->addr.s_addr) & m);
}

bool netd_prefix_overlaps(const struct netd_prefix *a, const struct netd_prefix *b)
{
	/* Two prefixes overlap exactly when the shorter one contains the other's network. */
	const struct netd_prefix *wide = a->len <= b->len ? a : b;
	const struct netd_prefix *narrow = wide == a ? b : a;

	return netd_prefix_contains(wide, narrow->addr);
}

enum netd_guest_addr netd_guest_addr_check(const struct netd_prefix *subnet, struct in_addr a)
{
	if (!netd_prefix_contains(subnet, a))
		return NETD_GUEST_ADDR_OUTSIDE;
	if (a.s_addr == subnet->addr.s_addr)
		return NETD_GUEST_ADDR_HOST;
	if (a.s_addr == netd_prefix_network(subnet).s_addr)
		return NETD_GUEST_ADDR_NETWORK;
	if (a.s_addr == netd_prefix_broadcast(subnet).s_addr)
		return NETD_GUEST_ADDR_BROADCAST;
	return NETD_GUEST_ADDR_OK;
}

char *netd_prefix_format(const struct netd_prefix *p, bool network_only, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];
	struct in_addr a = network_only ? netd_prefix_network(p) : p->addr;

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	snprintf(buf, len, "%s/%u", ip, p->len);
	return buf;
}

int netd_ipv4_parse(const char *s, struct in_addr *out)
{
	/* inet_pton is strict: four dotted decimals, no leading zeros games, no trailing junk. */
	if (!s || inet_pton(AF_INET, s, out) != 1)
		return -EINVAL;
	return 0;
}

/* "ADDR/LEN" into ip (iplen bytes) and *len (0..maxlen); -EINVAL on anything else. */
static int split_prefix(const char *s, char *ip, size_t iplen, long maxlen, uint8_t *len)
{
	const char *slash;
	char *end;
	long l;

	if (!s || !(slash = strchr(s, '/')) || (size_t)(slash - s) >= iplen)
		return -EINVAL;
	memcpy(ip, s, slash - s);
	ip[slash - s] = '\0';
	if (!isdigit((unsigned char)slash[1]))
		return -EINVAL;
	errno = 0;
	l = strtol(slash + 1, &end, 10);
	if (errno || *end || l < 0 || l > maxlen)
		return -EINVAL;
	*len = (uint8_t)l;
	return 0;
}

int netd_prefix_parse(const char *s, struct netd_prefix *out)
{
	char ip[INET_ADDRSTRLEN];
	uint8_t len;

	if (split_prefix(s, ip, sizeof(ip), 32, &len) < 0 || netd_ipv4_parse(ip, &out->addr) < 0)
		return -EINVAL;
	out->len = len;
	return 0;
}

int netd_ipv6_parse(const char *s, struct in6_addr *out)
{
	/* inet_pton takes no zone ("%eth0") and no brackets: a config names no interface. */
	if (!s || inet_pton(AF_INET6, s, out) != 1)
		return -EINVAL;
	return 0;
}

int netd_prefix6_parse(const char *s, struct netd_prefix6 *out)
{
	char ip[INET6_ADDRSTRLEN];
	uint8_t len;

	if (split_prefix(s, ip, sizeof(ip), 128, &len) < 0 || netd_ipv6_parse(ip, &out->addr) < 0)
		return -EINVAL;
	out->len = len;
	return 0;
}

int netd_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (!s || strlen(s) != 17)
		return -EINVAL;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
	           &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[i * 3]) || !isxdigit((unsigned char)s[i * 3 + 1]))
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

void netd_mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
	         mac[5]);
}

bool netd_ifname_valid(const char *s)
{
	size_t n;

	if (!s || (n = strlen(s)) == 0 || n >= IFNAMSIZ)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (const char *c = s; *c; c++)
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c) ||
		    !isprint((unsigned char)*c))
			return false;
	return true;
}

bool netd_netname_valid(const char *s)
{
	size_t n;

	if (!s || (n = strlen(s)) == 0 || n >= NETD_NAME_MAX)
		return false;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
			return false;
	return true;
}

struct netd_network *netd_network_new(void)
{
	struct netd_network *n = calloc(1, sizeof(struct netd_network));

	/* The model's defaults that are not zero. */
	if (n) {
		n->guest_source_check = n->ipv6_nat = true;
		n->dns.local_only = true;
	}
	return n;
}

void netd_network_free(struct netd_network *n)
{
	if (!n)
		return;
	free(n->hosts);
	free(n->warnings);
	free(n->dns.records);
	free(n->forwards);
	free(n);
}

void netd_config_free(struct netd_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_networks; i++)
		netd_network_free(c->networks[i]);
	free(c->networks);
	free(c->fabric); /* plain data, no pointers inside (netd/fabric.h) */
	free(c);
}

const struct netd_network *netd_config_find(const struct netd_config *c, const char *name)
{
	for (size_t i = 0; c && i < c->n_networks; i++)
		if (strcmp(c->networks[i]->name, name) == 0)
			return c->networks[i];
	return NULL;
}

bool netd_hostname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= NETD_HOSTNAME_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '-')
			return false;
	return true;
}
