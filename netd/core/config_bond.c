/*
 * The [Bond] section of a network file: the parsers of the values only [Bond] has (its rows
 * are in config_keys.c, its key names in bond_opts.c), then the rules that need the whole
 * file (the mode is often written after the options it governs). Key names are
 * systemd-networkd's where it has one, and so are their values (times as systemd writes them,
 * booleans as it reads them), so a [Bond] written for networkd reads the same here: what
 * networkd accepts and the kernel ignores is a warning, what the kernel refuses an error.
 *
 * Called by the key table (the parsers) and config_parse.c (cfg_check_bond()); calls down to
 * config_values.c (a MAC), config_diag.c (errors, key names) and bond_opts.c, never back up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config_priv.h"

/* Slaves=: interface names separated by blanks, each once. */
int cfg_parse_slaves(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct netd_bond *b = obj;
	char buf[NETD_BOND_MAX_SLAVES * (IFNAMSIZ + 1) + 64], *save = NULL, *tok;

	if (strlen(v) >= sizeof(buf))
		return cfg_fail(p, p->line,
		                "Slaves= is too long: a bond takes at most %d slaves here",
		                NETD_BOND_MAX_SLAVES);
	strcpy(buf, v);
	b->n_slaves = 0;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!netd_ifname_valid(tok))
			return cfg_fail(p, p->line,
			                "invalid slave '%s' in [Bond]: an " CFG_IFNAME_RULE, tok,
			                IFNAMSIZ - 1);
		for (size_t i = 0; i < b->n_slaves; i++)
			if (strcmp(b->slaves[i], tok) == 0)
				return cfg_fail(p, p->line,
				                "Slaves= names %s twice; list each NIC once", tok);
		if (b->n_slaves == NETD_BOND_MAX_SLAVES)
			return cfg_fail(p, p->line, "Slaves= lists more than %d NICs",
			                NETD_BOND_MAX_SLAVES);
		snprintf(b->slaves[b->n_slaves++], IFNAMSIZ, "%s", tok);
	}
	if (b->n_slaves == 0)
		return cfg_fail(p, p->line,
		                "Slaves= lists no NIC; give at least one, e.g. Slaves=eth0 eth1");
	return 0;
}

/* ARPIPTargets=: IPv4 addresses a host could answer from, separated by blanks, each once. */
int cfg_parse_arp_targets(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct netd_bond *b = obj;
	char buf[NETD_BOND_MAX_ARP_TARGETS * 16 + 64], *save = NULL, *tok;
	struct in_addr a;

	if (strlen(v) >= sizeof(buf))
		return cfg_fail(p, p->line,
		                "ARPIPTargets= is too long: the kernel takes at most %d targets",
		                NETD_BOND_MAX_ARP_TARGETS);
	strcpy(buf, v);
	b->n_arp_targets = 0;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (netd_ipv4_parse(tok, &a) < 0)
			return cfg_fail(
			    p, p->line,
			    "invalid ARPIPTargets address '%s': give IPv4 addresses separated "
			    "by spaces, e.g. ARPIPTargets=192.168.1.1 192.168.1.2",
			    tok);
		if (a.s_addr == 0 || a.s_addr == 0xffffffffu)
			return cfg_fail(
			    p, p->line,
			    "ARPIPTargets address %s cannot be probed; give a host's address", tok);
		for (size_t i = 0; i < b->n_arp_targets; i++)
			if (b->arp_targets[i].s_addr == a.s_addr)
				return cfg_fail(p, p->line, "ARPIPTargets= names %s twice", tok);
		if (b->n_arp_targets == NETD_BOND_MAX_ARP_TARGETS)
			return cfg_fail(p, p->line,
			                "ARPIPTargets= lists more than %d addresses (the "
			                "kernel's limit)",
			                NETD_BOND_MAX_ARP_TARGETS);
		b->arp_targets[b->n_arp_targets++] = a;
	}
	return 0;
}

/* AdActorSystem=: a MAC the kernel takes as an LACP system id (unicast, not all zero). */
int cfg_parse_system_mac(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	const uint8_t *mac = (const uint8_t *)obj + k->off;

	if (cfg_parse_mac(p, k, v, obj) < 0)
		return p->err;
	if ((mac[0] & 1) || !memcmp(mac, "\0\0\0\0\0\0", 6))
		return cfg_fail(p, p->line,
		                "%s %s is not a unicast MAC; the kernel refuses a multicast or "
		                "all-zero system id",
		                cfg_key_name(k), v);
	return 0;
}

/* The slaves are neither the bridge nor the bond itself. */
static int check_slaves(struct parser *p, const struct netd_bond *b)
{
	const struct netd_network *n = p->n;
	unsigned name_line = b->opt_line[NETD_BOND_OPT_NAME];
	unsigned slaves_line = b->opt_line[NETD_BOND_OPT_SLAVES];

	for (size_t i = 0; i < b->n_slaves; i++) {
		if (strcmp(b->slaves[i], n->bridge) == 0)
			return cfg_fail(p, slaves_line,
			                "slave %s is the network's Bridge= (line %u)", b->slaves[i],
			                n->line_bridge);
		if (strcmp(b->slaves[i], b->name) == 0)
			return cfg_fail(p, slaves_line,
			                "slave %s is the bond itself (Name=, line %u)",
			                b->slaves[i], name_line);
	}
	return 0;
}

/*
 * Before the mode's own rules: the section only where the mode has an uplink (a bond is the
 * network's uplink), Name and Slaves given, Uplink= defaults to the bond's Name and must
 * equal it, then the bond's own rules (netd_bond_check()).
 */
int cfg_check_bond(struct parser *p, const struct netd_mode_ops *ops)
{
	struct netd_network *n = p->n;
	struct netd_bond *b = &n->bond;
	unsigned name_line = b->opt_line[NETD_BOND_OPT_NAME];
	char msg[sizeof(p->diag->msg)];
	struct netd_bond_notes notes = {0};
	unsigned line;

	if (!b->line)
		return 0;
	if (!ops->needs_uplink)
		return cfg_fail(p, b->line,
		                "[Bond] is not allowed for Mode=%s: a bond is the uplink of a "
		                "bridged network; remove the section or use Mode=bridged",
		                ops->name);
	if (!name_line)
		return cfg_fail(p, b->line,
		                "[Bond] has no Name=; name the bond to create, e.g. Name=bond0");
	if (!b->opt_line[NETD_BOND_OPT_SLAVES])
		return cfg_fail(p, b->line,
		                "[Bond] has no Slaves=; list the NICs to enslave, e.g. Slaves=eth0 "
		                "eth1");
	if (!n->uplink[0]) {
		snprintf(n->uplink, sizeof(n->uplink), "%s", b->name);
		n->line_uplink = name_line;
	} else if (strcmp(n->uplink, b->name) != 0) {
		return cfg_fail(p, n->line_uplink,
		                "Uplink=%s is not the bond (Name=%s, line %u): the bond is the "
		                "network's uplink; write Uplink=%s or leave Uplink= out",
		                n->uplink, b->name, name_line, b->name);
	}
	if (strcmp(b->name, n->bridge) == 0)
		return cfg_fail(p, name_line,
		                "the bond's Name=%s is the network's Bridge= (line %u)", b->name,
		                n->line_bridge);
	if (check_slaves(p, b) < 0)
		return p->err;
	if (netd_bond_check(b, &notes, &line, msg, sizeof(msg)) < 0)
		return cfg_fail(p, line, "%s", msg);
	for (size_t i = 0; i < notes.n; i++)
		if (cfg_warn(p, notes.line[i], "%s", notes.text[i]) < 0)
			return p->err;
	return 0;
}
