/*
 * The [Tap] section of a network file: one guest tap each, created at `up`, removed at
 * `down`. The parsers of the values only [Tap] has (its rows are in config_keys.c), and the
 * rules that tie its keys to the rest of the file, checked once the file is in.
 *
 * Called by the key table (the parsers) and config_parse.c (cfg_check_taps()); calls down to
 * config_validate.c (a guest's address), config_diag.c (errors, key names) and tap_util.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netd/tap.h"
#include "config_priv.h"

/* MAC=: a MAC a guest may have (not the host side's, see netd_tap_host_mac()). */
int cfg_parse_guest_mac(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	uint8_t *mac = (uint8_t *)obj + k->off;

	if (netd_mac_parse(v, mac) < 0 || !netd_tap_guest_mac_valid(mac))
		return cfg_invalid(p, k, v,
		                   "give a unicast MAC whose first byte is not fe (the host "
		                   "side's), e.g. %s=52:54:00:12:34:56",
		                   cfg_key_name(k));
	return 0;
}

/* Owner=, Group=: a user or group by name or number; the row's hint says which. */
int cfg_parse_id(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (!netd_tap_id_valid(v))
		return cfg_invalid(p, k, v, "give a %s name or number", k->hint);
	snprintf((char *)obj + k->off, k->size, "%s", v);
	return 0;
}

/* Address= of tap i: a static lease, so it needs [DHCP], a guest address of the subnet that
 * no [Host] and no earlier [Tap] has. */
static int check_address(struct parser *p, size_t i)
{
	const struct netd_network *n = p->n;
	const struct netd_tap *t = &n->taps[i];
	unsigned at = t->key_line[NETD_TAP_KEY_ADDRESS];
	char ip[INET_ADDRSTRLEN];

	ip_str(t->addr, ip);
	if (!n->has_dhcp)
		return cfg_fail(p, at,
		                "Address= in [Tap] is a static DHCP lease and needs the network's "
		                "[DHCP] section; add one or remove the Address");
	if (cfg_check_guest_addr(p, "tap", t->addr, at) < 0)
		return p->err;
	for (size_t h = 0; h < n->n_hosts; h++)
		if (n->hosts[h].addr.s_addr == t->addr.s_addr)
			return cfg_fail(p, at,
			                "address %s is already given to the [Host] on line %u", ip,
			                n->hosts[h].line);
	for (size_t j = 0; j < i; j++)
		if (n->taps[j].addr.s_addr == t->addr.s_addr)
			return cfg_fail(p, at,
			                "address %s is already given to the [Tap] on line %u", ip,
			                n->taps[j].line);
	return 0;
}

/* Tap i against the [Host]s and the earlier [Tap]s: its name and its guest's MAC. */
static int check_unique(struct parser *p, size_t i)
{
	const struct netd_network *n = p->n;
	const struct netd_tap *t = &n->taps[i];
	unsigned at_name = t->key_line[NETD_TAP_KEY_NAME];
	unsigned at_mac = t->key_line[NETD_TAP_KEY_MAC] ? t->key_line[NETD_TAP_KEY_MAC] : t->line;
	char mac[18];

	netd_mac_format(t->mac, mac);
	for (size_t h = 0; h < n->n_hosts; h++)
		if (t->key_line[NETD_TAP_KEY_ADDRESS] && memcmp(n->hosts[h].mac, t->mac, 6) == 0)
			return cfg_fail(
			    p, at_mac,
			    "MAC %s has a static lease in the [Host] on line %u already; "
			    "give its Address there or here, not both",
			    mac, n->hosts[h].line);
	for (size_t j = 0; j < i; j++) {
		if (strcmp(n->taps[j].name, t->name) == 0)
			return cfg_fail(p, at_name,
			                "tap %s is already declared by the [Tap] on line %u",
			                t->name, n->taps[j].line);
		if (memcmp(n->taps[j].mac, t->mac, 6) == 0)
			return cfg_fail(p, at_mac,
			                "MAC %s is already the guest MAC of the [Tap] on line %u",
			                mac, n->taps[j].line);
	}
	return 0;
}

/* Fills in each tap's defaults (one queue, a MAC derived from the names) on the way. */
int cfg_check_taps(struct parser *p)
{
	struct netd_network *n = p->n;

	for (size_t i = 0; i < n->n_taps; i++) {
		struct netd_tap *t = &n->taps[i];

		if (!t->key_line[NETD_TAP_KEY_NAME])
			return cfg_fail(p, t->line,
			                "[Tap] has no Name=; give the tap's interface name, e.g. "
			                "Name=vm1-eth0");
		if (strcmp(t->name, n->bridge) == 0 || strcmp(t->name, n->uplink) == 0)
			return cfg_fail(p, t->key_line[NETD_TAP_KEY_NAME],
			                "tap name %s is the network's %s; choose another", t->name,
			                strcmp(t->name, n->bridge) == 0 ? "bridge" : "uplink");
		if (!t->queues)
			t->queues = 1;
		t->has_mac = t->key_line[NETD_TAP_KEY_MAC] != 0;
		if (!t->has_mac)
			netd_tap_derived_mac(n->name, t->name, t->mac);
		if (t->key_line[NETD_TAP_KEY_ADDRESS] && check_address(p, i) < 0)
			return p->err;
		if (check_unique(p, i) < 0)
			return p->err;
	}
	return 0;
}
