/*
 * The [Tap] section of a network file: one guest tap each, created at `up`, removed at
 * `down`. Pure: config_parse.c hands each key here and calls the check once the file is in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/tap.h"

const char *const netd_tap_key_names[NETD_TAP_KEYS] = {
    [NETD_TAP_KEY_NAME] = "Name",       [NETD_TAP_KEY_MAC] = "MAC",
    [NETD_TAP_KEY_ADDRESS] = "Address", [NETD_TAP_KEY_OWNER] = "Owner",
    [NETD_TAP_KEY_GROUP] = "Group",     [NETD_TAP_KEY_QUEUES] = "Queues",
};

static int set_value(struct netd_tap *t, enum netd_tap_key k, const char *v, char *msg, size_t len)
{
	char *end;
	unsigned long q;

	switch (k) {
	case NETD_TAP_KEY_NAME:
		if (!netd_ifname_valid(v))
			break;
		snprintf(t->name, sizeof(t->name), "%s", v);
		return 0;
	case NETD_TAP_KEY_MAC:
		if (netd_mac_parse(v, t->mac) < 0 || !netd_tap_guest_mac_valid(t->mac)) {
			snprintf(
			    msg, len,
			    "invalid MAC '%s' in [Tap]: give a unicast MAC whose first byte is "
			    "not fe (the host side's), e.g. MAC=52:54:00:12:34:56",
			    v);
			return -EINVAL;
		}
		t->has_mac = true;
		return 0;
	case NETD_TAP_KEY_ADDRESS:
		if (netd_ipv4_parse(v, &t->addr) < 0) {
			snprintf(msg, len,
			         "invalid Address '%s' in [Tap]: give one IPv4 address without a "
			         "prefix length, e.g. Address=192.122.1.10",
			         v);
			return -EINVAL;
		}
		return 0;
	case NETD_TAP_KEY_OWNER:
	case NETD_TAP_KEY_GROUP:
		if (!netd_tap_id_valid(v)) {
			snprintf(msg, len, "invalid %s '%s' in [Tap]: give a %s name or number",
			         netd_tap_key_names[k], v,
			         k == NETD_TAP_KEY_OWNER ? "user" : "group");
			return -EINVAL;
		}
		snprintf(k == NETD_TAP_KEY_OWNER ? t->owner : t->group, NETD_TAP_ID_MAX, "%s", v);
		return 0;
	case NETD_TAP_KEY_QUEUES:
		q = strtoul(v, &end, 10);
		if (v[0] < '0' || v[0] > '9' || *end || q < 1 || q > NETD_TAP_QUEUES_MAX) {
			snprintf(msg, len,
			         "invalid Queues '%s' in [Tap]: give a number from 1 to %d", v,
			         NETD_TAP_QUEUES_MAX);
			return -EINVAL;
		}
		t->queues = (unsigned)q;
		return 0;
	case NETD_TAP_KEYS:
		break;
	}
	snprintf(msg, len,
	         "invalid Name '%s' in [Tap]: the tap's interface name is 1-%d bytes without "
	         "'/', ':' or whitespace",
	         v, IFNAMSIZ - 1);
	return -EINVAL;
}

int netd_config_tap_set(struct netd_tap *t, const char *key, const char *value, unsigned line,
                        char *msg, size_t len)
{
	int k;

	for (k = 0; k < NETD_TAP_KEYS; k++)
		if (strcmp(netd_tap_key_names[k], key) == 0)
			break;
	if (k == NETD_TAP_KEYS)
		return -ENOENT;
	if (t->key_line[k]) {
		snprintf(msg, len, "%s= is given twice in [Tap] (first on line %u); keep one", key,
		         t->key_line[k]);
		return -EINVAL;
	}
	if (!value || !*value) {
		snprintf(msg, len, "%s= has an empty value; give a value or remove the line", key);
		return -EINVAL;
	}
	if (set_value(t, (enum netd_tap_key)k, value, msg, len) < 0)
		return -EINVAL;
	t->key_line[k] = line;
	return 0;
}

static int fail(unsigned *line_out, unsigned line, char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(unsigned *line_out, unsigned line, char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	*line_out = line;
	return -EINVAL;
}

static int check_address(const struct netd_network *n, size_t i, unsigned *line, char *msg,
                         size_t len)
{
	const struct netd_tap *t = &n->taps[i];
	unsigned at = t->key_line[NETD_TAP_KEY_ADDRESS];
	char ip[INET_ADDRSTRLEN], net[32];

	inet_ntop(AF_INET, &t->addr, ip, sizeof(ip));
	if (!n->has_dhcp)
		return fail(line, at, msg, len,
		            "Address= in [Tap] is a static DHCP lease and needs the network's "
		            "[DHCP] section; add one or remove the Address");
	netd_prefix_format(&n->address, true, net, sizeof(net));
	if (!netd_prefix_contains(&n->address, t->addr))
		return fail(line, at, msg, len, "tap address %s is not inside the subnet %s", ip,
		            net);
	if (t->addr.s_addr == n->address.addr.s_addr)
		return fail(line, at, msg, len,
		            "tap address %s is the host's own address (line %u); give the guest "
		            "another one",
		            ip, n->line_address);
	if (t->addr.s_addr == netd_prefix_network(&n->address).s_addr ||
	    t->addr.s_addr == netd_prefix_broadcast(&n->address).s_addr)
		return fail(line, at, msg, len,
		            "tap address %s is the network or broadcast address of %s", ip, net);
	for (size_t h = 0; h < n->n_hosts; h++)
		if (n->hosts[h].addr.s_addr == t->addr.s_addr)
			return fail(line, at, msg, len,
			            "address %s is already given to the [Host] on line %u", ip,
			            n->hosts[h].line);
	for (size_t j = 0; j < i; j++)
		if (n->taps[j].addr.s_addr == t->addr.s_addr)
			return fail(line, at, msg, len,
			            "address %s is already given to the [Tap] on line %u", ip,
			            n->taps[j].line);
	return 0;
}

int netd_config_tap_check(struct netd_network *n, unsigned *line, char *msg, size_t len)
{
	char mac[18];

	for (size_t i = 0; i < n->n_taps; i++) {
		struct netd_tap *t = &n->taps[i];
		unsigned at_mac =
		    t->key_line[NETD_TAP_KEY_MAC] ? t->key_line[NETD_TAP_KEY_MAC] : t->line;

		if (!t->key_line[NETD_TAP_KEY_NAME])
			return fail(line, t->line, msg, len,
			            "[Tap] has no Name=; give the tap's interface name, e.g. "
			            "Name=vm1-eth0");
		if (strcmp(t->name, n->bridge) == 0 || strcmp(t->name, n->uplink) == 0)
			return fail(line, t->key_line[NETD_TAP_KEY_NAME], msg, len,
			            "tap name %s is the network's %s; choose another", t->name,
			            strcmp(t->name, n->bridge) == 0 ? "bridge" : "uplink");
		if (!t->queues)
			t->queues = 1;
		if (!t->has_mac)
			netd_tap_derived_mac(n->name, t->name, t->mac);
		netd_mac_format(t->mac, mac);
		if (t->addr.s_addr && check_address(n, i, line, msg, len) < 0)
			return -EINVAL;
		for (size_t h = 0; h < n->n_hosts; h++)
			if (t->addr.s_addr && memcmp(n->hosts[h].mac, t->mac, 6) == 0)
				return fail(line, at_mac, msg, len,
				            "MAC %s has a static lease in the [Host] on line %u "
				            "already; give its Address there or here, not both",
				            mac, n->hosts[h].line);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(n->taps[j].name, t->name) == 0)
				return fail(line, t->key_line[NETD_TAP_KEY_NAME], msg, len,
				            "tap %s is already declared by the [Tap] on line %u",
				            t->name, n->taps[j].line);
			if (memcmp(n->taps[j].mac, t->mac, 6) == 0)
				return fail(line, at_mac, msg, len,
				            "MAC %s is already the guest MAC of the [Tap] on line "
				            "%u",
				            mac, n->taps[j].line);
		}
	}
	return 0;
}
