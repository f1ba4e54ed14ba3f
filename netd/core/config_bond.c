/*
 * The [Bond] section of a network file: one key at a time as the parser reads them, then the
 * rules that need the whole file (the mode is often written after the options it governs).
 * Key names are systemd-networkd's where it has one, so a [Bond] written for networkd reads
 * the same here. Times take a unit: MIIMonitorSec=100 would be 100 seconds to networkd and
 * 100 ms to the kernel, so a bare number other than 0 is refused rather than guessed.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netd/bond.h"

static int say(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int say(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A decimal number without sign or blanks, at most max. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out, const char **rest)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	if (!rest && *end)
		return -EINVAL;
	if (rest)
		*rest = end;
	*out = v;
	return 0;
}

/* "0", "<n>ms" or "<n>s", in ms, at most INT_MAX ms (the kernel's limit). */
static int parse_ms(const char *v, uint32_t *out)
{
	unsigned long n, mult;
	const char *unit;

	if (parse_uint(v, ULONG_MAX / 1000, &n, &unit) < 0)
		return -EINVAL;
	if (strcmp(unit, "ms") == 0)
		mult = 1;
	else if (strcmp(unit, "s") == 0)
		mult = 1000;
	else if (!*unit && n == 0)
		mult = 1;
	else
		return -EINVAL;
	if (n * mult > INT_MAX)
		return -EINVAL;
	*out = (uint32_t)(n * mult);
	return 0;
}

static int parse_bool(const char *v, uint8_t *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*out = strcasecmp(v, yes[i]) == 0;
			return 0;
		}
	}
	return -EINVAL;
}

static int bad_ifname(const char *key, const char *v, char *msg, size_t len)
{
	return say(msg, len,
	           "invalid %s '%s' in [Bond]: an interface name is 1-%d bytes without '/', ':' or "
	           "whitespace",
	           key, v, IFNAMSIZ - 1);
}

static int set_slaves(struct netd_bond *b, const char *v, char *msg, size_t len)
{
	char buf[NETD_BOND_MAX_SLAVES * (IFNAMSIZ + 1) + 64], *save = NULL, *tok;

	if (strlen(v) >= sizeof(buf))
		return say(msg, len, "Slaves= is too long: a bond takes at most %d slaves here",
		           NETD_BOND_MAX_SLAVES);
	strcpy(buf, v);
	b->n_slaves = 0;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!netd_ifname_valid(tok))
			return bad_ifname("slave", tok, msg, len);
		for (size_t i = 0; i < b->n_slaves; i++)
			if (strcmp(b->slaves[i], tok) == 0)
				return say(msg, len, "Slaves= names %s twice; list each NIC once",
				           tok);
		if (b->n_slaves == NETD_BOND_MAX_SLAVES)
			return say(msg, len, "Slaves= lists more than %d NICs",
			           NETD_BOND_MAX_SLAVES);
		snprintf(b->slaves[b->n_slaves++], IFNAMSIZ, "%s", tok);
	}
	if (b->n_slaves == 0)
		return say(msg, len,
		           "Slaves= lists no NIC; give at least one, e.g. Slaves=eth0 eth1");
	return 0;
}

static int set_arp_targets(struct netd_bond *b, const char *v, char *msg, size_t len)
{
	char buf[NETD_BOND_MAX_ARP_TARGETS * 16 + 64], *save = NULL, *tok;
	struct in_addr a;

	if (strlen(v) >= sizeof(buf))
		return say(msg, len,
		           "ARPIPTargets= is too long: the kernel takes at most %d targets",
		           NETD_BOND_MAX_ARP_TARGETS);
	strcpy(buf, v);
	b->n_arp_targets = 0;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (netd_ipv4_parse(tok, &a) < 0)
			return say(
			    msg, len,
			    "invalid ARPIPTargets address '%s': give IPv4 addresses separated "
			    "by spaces, e.g. ARPIPTargets=192.168.1.1 192.168.1.2",
			    tok);
		if (a.s_addr == 0 || a.s_addr == 0xffffffffu)
			return say(
			    msg, len,
			    "ARPIPTargets address %s cannot be probed; give a host's address", tok);
		for (size_t i = 0; i < b->n_arp_targets; i++)
			if (b->arp_targets[i].s_addr == a.s_addr)
				return say(msg, len, "ARPIPTargets= names %s twice", tok);
		if (b->n_arp_targets == NETD_BOND_MAX_ARP_TARGETS)
			return say(msg, len,
			           "ARPIPTargets= lists more than %d addresses (the "
			           "kernel's limit)",
			           NETD_BOND_MAX_ARP_TARGETS);
		b->arp_targets[b->n_arp_targets++] = a;
	}
	return 0;
}

static int set_enum(const struct netd_bond_opt_def *d, const char *v, int *out, char *msg,
                    size_t len)
{
	char list[160];

	*out = netd_bond_table_lookup(d->values, v);
	if (*out >= 0)
		return 0;
	return say(msg, len, "invalid %s '%s': use %s (or its number, 0-%zu)", d->key, v,
	           netd_bond_table_list(d->values, list, sizeof(list)), d->values->n - 1);
}

static int set_number(const char *key, const char *v, unsigned long min, unsigned long max,
                      unsigned long *out, char *msg, size_t len)
{
	if (parse_uint(v, max, out, NULL) < 0 || *out < min)
		return say(msg, len, "invalid %s '%s': give a whole number from %lu to %lu", key, v,
		           min, max);
	return 0;
}

static int set_value(struct netd_bond *b, enum netd_bond_opt o, const char *v, char *msg,
                     size_t len)
{
	const struct netd_bond_opt_def *d = netd_bond_opt(o);
	unsigned long n = 0;
	uint32_t ms;
	int e, ret;

	if (d->values) {
		ret = set_enum(d, v, &e, msg, len);
		if (ret < 0)
			return ret;
		switch (o) {
		case NETD_BOND_OPT_MODE:
			b->mode = (uint8_t)e;
			break;
		case NETD_BOND_OPT_ARP_VALIDATE:
			b->arp_validate = (uint32_t)e;
			break;
		case NETD_BOND_OPT_ARP_ALL_TARGETS:
			b->arp_all_targets = (uint32_t)e;
			break;
		case NETD_BOND_OPT_LACP_RATE:
			b->lacp_rate = (uint8_t)e;
			break;
		case NETD_BOND_OPT_AD_SELECT:
			b->ad_select = (uint8_t)e;
			break;
		case NETD_BOND_OPT_XMIT_HASH_POLICY:
			b->xmit_hash_policy = (uint8_t)e;
			break;
		case NETD_BOND_OPT_PRIMARY_RESELECT:
			b->primary_reselect = (uint8_t)e;
			break;
		case NETD_BOND_OPT_FAIL_OVER_MAC:
			b->fail_over_mac = (uint8_t)e;
			break;
		default:
			return -EINVAL;
		}
		return 0;
	}

	switch (o) {
	case NETD_BOND_OPT_NAME:
		if (!netd_ifname_valid(v))
			return bad_ifname("Name", v, msg, len);
		snprintf(b->name, sizeof(b->name), "%s", v);
		return 0;
	case NETD_BOND_OPT_PRIMARY:
		if (!netd_ifname_valid(v))
			return bad_ifname("Primary", v, msg, len);
		snprintf(b->primary, sizeof(b->primary), "%s", v);
		return 0;
	case NETD_BOND_OPT_SLAVES:
		return set_slaves(b, v, msg, len);
	case NETD_BOND_OPT_ARP_IP_TARGETS:
		return set_arp_targets(b, v, msg, len);
	case NETD_BOND_OPT_MIIMON:
	case NETD_BOND_OPT_UPDELAY:
	case NETD_BOND_OPT_DOWNDELAY:
	case NETD_BOND_OPT_ARP_INTERVAL:
		if (parse_ms(v, &ms) < 0)
			return say(msg, len,
			           "invalid %s '%s': give a time with its unit, e.g. %s=100ms or "
			           "%s=1s (at most %dms), or 0 for off",
			           d->key, v, d->key, d->key, INT_MAX);
		*(o == NETD_BOND_OPT_MIIMON      ? &b->miimon
		  : o == NETD_BOND_OPT_UPDELAY   ? &b->updelay
		  : o == NETD_BOND_OPT_DOWNDELAY ? &b->downdelay
		                                 : &b->arp_interval) = ms;
		return 0;
	case NETD_BOND_OPT_LP_INTERVAL:
		/* The kernel counts whole seconds, from 1. */
		if (parse_ms(v, &ms) < 0 || ms == 0 || ms % 1000)
			return say(
			    msg, len,
			    "invalid LearnPacketIntervalSec '%s': give whole seconds with the "
			    "unit, from 1s to %ds, e.g. LearnPacketIntervalSec=1s",
			    v, INT_MAX / 1000);
		b->lp_interval = ms / 1000;
		return 0;
	case NETD_BOND_OPT_AD_ACTOR_SYS_PRIO:
		ret = set_number(d->key, v, 1, 65535, &n, msg, len);
		b->ad_actor_sys_prio = (uint16_t)n;
		return ret;
	case NETD_BOND_OPT_AD_USER_PORT_KEY:
		ret = set_number(d->key, v, 0, 1023, &n, msg, len);
		b->ad_user_port_key = (uint16_t)n;
		return ret;
	case NETD_BOND_OPT_AD_ACTOR_SYSTEM:
		if (netd_mac_parse(v, b->ad_actor_system) < 0)
			return say(
			    msg, len,
			    "invalid AdActorSystem '%s': give six hex bytes separated by ':', "
			    "e.g. AdActorSystem=02:00:00:00:00:01",
			    v);
		if ((b->ad_actor_system[0] & 1) || !memcmp(b->ad_actor_system, "\0\0\0\0\0\0", 6))
			return say(msg, len,
			           "AdActorSystem %s is not a unicast MAC; the kernel refuses a "
			           "multicast or all-zero system id",
			           v);
		return 0;
	case NETD_BOND_OPT_MIN_LINKS:
		ret = set_number(d->key, v, 0, INT_MAX, &n, msg, len);
		b->min_links = (uint32_t)n;
		return ret;
	case NETD_BOND_OPT_RESEND_IGMP:
		ret = set_number(d->key, v, 0, 255, &n, msg, len);
		b->resend_igmp = (uint32_t)n;
		return ret;
	case NETD_BOND_OPT_NUM_PEER_NOTIF:
		ret = set_number(d->key, v, 0, 255, &n, msg, len);
		b->num_peer_notif = (uint8_t)n;
		return ret;
	case NETD_BOND_OPT_PACKETS_PER_SLAVE:
		ret = set_number(d->key, v, 0, 65535, &n, msg, len);
		b->packets_per_slave = (uint32_t)n;
		return ret;
	case NETD_BOND_OPT_ALL_SLAVES_ACTIVE:
	case NETD_BOND_OPT_TLB_DYNAMIC_LB:
		if (parse_bool(v, o == NETD_BOND_OPT_ALL_SLAVES_ACTIVE ? &b->all_slaves_active
		                                                       : &b->tlb_dynamic_lb) < 0)
			return say(msg, len, "invalid %s '%s': use yes or no", d->key, v);
		return 0;
	default:
		return -EINVAL;
	}
}

static int unknown_key(const char *key, char *msg, size_t len)
{
	char list[768];
	size_t used = 0;

	list[0] = '\0';
	for (int o = 0; o < NETD_BOND_OPT_MAX && used < sizeof(list); o++)
		used += snprintf(list + used, sizeof(list) - used, "%s%s",
		                 o == 0                       ? ""
		                 : o + 1 == NETD_BOND_OPT_MAX ? " and "
		                                              : ", ",
		                 netd_bond_opt(o)->key);
	say(msg, len, "unknown key '%s' in [Bond]; the keys there are %s (case-sensitive)", key,
	    list);
	return -ENOENT;
}

int netd_config_bond_key(struct netd_bond *b, const char *key, const char *value, unsigned line,
                         char *msg, size_t len)
{
	int o = netd_bond_opt_by_key(key);
	int ret;

	if (o < 0)
		return unknown_key(key, msg, len);
	if (b->opt_line[o])
		return say(msg, len, "%s= is given twice in [Bond] (first on line %u); keep one",
		           key, b->opt_line[o]);
	if (!value || !*value)
		return say(msg, len, "%s= has an empty value; give a value or remove the line",
		           key);
	ret = set_value(b, (enum netd_bond_opt)o, value, msg, len);
	if (ret == 0)
		b->opt_line[o] = line;
	return ret;
}

int netd_config_bond_finish(struct netd_network *n, unsigned *line, char *msg, size_t len)
{
	struct netd_bond *b = &n->bond;
	unsigned name_line = b->opt_line[NETD_BOND_OPT_NAME];
	unsigned slaves_line = b->opt_line[NETD_BOND_OPT_SLAVES];

	if (!b->line)
		return 0;
	*line = b->line;
	if (n->mode != NETD_MODE_BRIDGED)
		return say(msg, len,
		           "[Bond] is not allowed for Mode=%s: a bond is the uplink of a bridged "
		           "network; remove the section or use Mode=bridged",
		           netd_mode_to_string(n->mode));
	if (!name_line)
		return say(msg, len,
		           "[Bond] has no Name=; name the bond to create, e.g. Name=bond0");
	if (!slaves_line)
		return say(
		    msg, len,
		    "[Bond] has no Slaves=; list the NICs to enslave, e.g. Slaves=eth0 eth1");
	if (!n->uplink[0]) {
		snprintf(n->uplink, sizeof(n->uplink), "%s", b->name);
		n->line_uplink = name_line;
	} else if (strcmp(n->uplink, b->name) != 0) {
		*line = n->line_uplink;
		return say(msg, len,
		           "Uplink=%s is not the bond (Name=%s, line %u): the bond is the "
		           "network's uplink; write Uplink=%s or leave Uplink= out",
		           n->uplink, b->name, name_line, b->name);
	}
	if (strcmp(b->name, n->bridge) == 0) {
		*line = name_line;
		return say(msg, len, "the bond's Name=%s is the network's Bridge= (line %u)",
		           b->name, n->line_bridge);
	}
	for (size_t i = 0; i < b->n_slaves; i++) {
		*line = slaves_line;
		if (strcmp(b->slaves[i], n->bridge) == 0)
			return say(msg, len, "slave %s is the network's Bridge= (line %u)",
			           b->slaves[i], n->line_bridge);
		if (strcmp(b->slaves[i], b->name) == 0)
			return say(msg, len, "slave %s is the bond itself (Name=, line %u)",
			           b->slaves[i], name_line);
	}
	return netd_bond_check(b, line, msg, len);
}
