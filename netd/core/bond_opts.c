/*
 * Bond modes and options: tables indexed by the kernel's values (as iproute2's
 * ip/iplink_bond.c has them), and the modes each option applies to. The mode rules follow
 * the kernel's drivers/net/bonding/bond_options.c (its unsuppmodes) and, where the kernel
 * accepts an option it then ignores, Documentation/networking/bonding.rst: netd refuses what
 * would silently do nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/bond.h"

#define B(m) (1u << NETD_BOND_##m)
#define TABLE(name, ...)                                                                           \
	static const char *const name##_names[] = {__VA_ARGS__};                                   \
	const struct netd_bond_table name = {name##_names,                                         \
	                                     sizeof(name##_names) / sizeof(name##_names[0])}

TABLE(netd_bond_modes, "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad",
      "balance-tlb", "balance-alb");
TABLE(netd_bond_xmit_hash_policies, "layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4",
      "vlan+srcmac");
TABLE(netd_bond_arp_validates, "none", "active", "backup", "all", "filter", "filter_active",
      "filter_backup");
TABLE(netd_bond_arp_all_targets, "any", "all");
TABLE(netd_bond_lacp_rates, "slow", "fast");
TABLE(netd_bond_ad_selects, "stable", "bandwidth", "count");
TABLE(netd_bond_primary_reselects, "always", "better", "failure");
TABLE(netd_bond_fail_over_macs, "none", "active", "follow");

#define ARP_MODES     (B(BALANCE_RR) | B(ACTIVE_BACKUP) | B(BALANCE_XOR) | B(BROADCAST))
#define PRIMARY_MODES (B(ACTIVE_BACKUP) | B(BALANCE_TLB) | B(BALANCE_ALB))

static const struct netd_bond_opt_def opts[NETD_BOND_OPT_MAX] = {
    [NETD_BOND_OPT_NAME] = {"Name", "name", NETD_BOND_ALL_MODES},
    [NETD_BOND_OPT_MODE] = {"Mode", "mode", NETD_BOND_ALL_MODES},
    [NETD_BOND_OPT_SLAVES] = {"Slaves", "slaves", NETD_BOND_ALL_MODES},
    [NETD_BOND_OPT_MIIMON] = {"MIIMonitorSec", "miimon", NETD_BOND_ALL_MODES},
    [NETD_BOND_OPT_UPDELAY] = {"UpDelaySec", "updelay", NETD_BOND_ALL_MODES},
    [NETD_BOND_OPT_DOWNDELAY] = {"DownDelaySec", "downdelay", NETD_BOND_ALL_MODES},
    /* The ARP monitor needs the peer to answer on the slave it asked through; the load
     * balancing modes answer on any slave, so the kernel refuses it there. */
    [NETD_BOND_OPT_ARP_INTERVAL] = {"ARPIntervalSec", "arp_interval", ARP_MODES},
    [NETD_BOND_OPT_ARP_IP_TARGETS] = {"ARPIPTargets", "arp_ip_target", ARP_MODES},
    [NETD_BOND_OPT_ARP_VALIDATE] = {"ARPValidate", "arp_validate", ARP_MODES},
    [NETD_BOND_OPT_ARP_ALL_TARGETS] = {"ARPAllTargets", "arp_all_targets", ARP_MODES},
    [NETD_BOND_OPT_LACP_RATE] = {"LACPTransmitRate", "lacp_rate", B(8023AD)},
    [NETD_BOND_OPT_AD_SELECT] = {"AdSelect", "ad_select", B(8023AD)},
    [NETD_BOND_OPT_AD_ACTOR_SYS_PRIO] = {"AdActorSystemPriority", "ad_actor_sys_prio", B(8023AD)},
    [NETD_BOND_OPT_AD_USER_PORT_KEY] = {"AdUserPortKey", "ad_user_port_key", B(8023AD)},
    [NETD_BOND_OPT_AD_ACTOR_SYSTEM] = {"AdActorSystem", "ad_actor_system", B(8023AD)},
    [NETD_BOND_OPT_XMIT_HASH_POLICY] = {"TransmitHashPolicy", "xmit_hash_policy",
                                        B(BALANCE_XOR) | B(8023AD) | B(BALANCE_TLB)},
    [NETD_BOND_OPT_PRIMARY] = {"Primary", "primary", PRIMARY_MODES},
    [NETD_BOND_OPT_PRIMARY_RESELECT] = {"PrimaryReselectPolicy", "primary_reselect", PRIMARY_MODES},
    [NETD_BOND_OPT_FAIL_OVER_MAC] = {"FailOverMACPolicy", "fail_over_mac", B(ACTIVE_BACKUP)},
    [NETD_BOND_OPT_MIN_LINKS] = {"MinLinks", "min_links", B(8023AD)},
    /* IGMP reports are resent where a failover moves the multicast traffic to a slave. */
    [NETD_BOND_OPT_RESEND_IGMP] = {"ResendIGMP", "resend_igmp", B(BALANCE_RR) | PRIMARY_MODES},
    [NETD_BOND_OPT_NUM_PEER_NOTIF] = {"GratuitousARP", "num_grat_arp", B(ACTIVE_BACKUP)},
    [NETD_BOND_OPT_ALL_SLAVES_ACTIVE] = {"AllSlavesActive", "all_slaves_active",
                                         NETD_BOND_ALL_MODES},
    [NETD_BOND_OPT_PACKETS_PER_SLAVE] = {"PacketsPerSlave", "packets_per_slave", B(BALANCE_RR)},
    [NETD_BOND_OPT_LP_INTERVAL] = {"LearnPacketIntervalSec", "lp_interval",
                                   B(BALANCE_TLB) | B(BALANCE_ALB)},
    [NETD_BOND_OPT_TLB_DYNAMIC_LB] = {"DynamicTransmitLoadBalancing", "tlb_dynamic_lb",
                                      B(BALANCE_TLB) | B(BALANCE_ALB)},
};

_Static_assert(NETD_BOND_OPT_MAX <= NETD_BOND_OPTS, "netd_bond.opt_line is too short");

const char *netd_bond_table_name(const struct netd_bond_table *t, unsigned v)
{
	return v < t->n ? t->names[v] : NULL;
}

int netd_bond_table_lookup(const struct netd_bond_table *t, const char *s)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < t->n; i++)
		if (strcmp(s, t->names[i]) == 0)
			return (int)i;
	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	return *end || v >= t->n || (s[0] == '0' && s[1]) ? -EINVAL : (int)v;
}

char *netd_bond_table_list(const struct netd_bond_table *t, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s",
		                 i == 0          ? ""
		                 : i + 1 == t->n ? " or "
		                                 : ", ",
		                 t->names[i]);
	return buf;
}

const char *netd_bond_mode_to_string(unsigned mode)
{
	return netd_bond_table_name(&netd_bond_modes, mode);
}

int netd_bond_mode_from_string(const char *s)
{
	return netd_bond_table_lookup(&netd_bond_modes, s);
}

const struct netd_bond_opt_def *netd_bond_opt(enum netd_bond_opt o)
{
	return (unsigned)o < NETD_BOND_OPT_MAX ? &opts[o] : NULL;
}

int netd_bond_opt_by_key(const char *key)
{
	for (int o = 0; o < NETD_BOND_OPT_MAX; o++)
		if (strcmp(opts[o].key, key) == 0)
			return o;
	return -ENOENT;
}

char *netd_bond_modes_list(unsigned modes, char *buf, size_t len)
{
	size_t used = 0;
	int count = 0, total = __builtin_popcount(modes & NETD_BOND_ALL_MODES);

	buf[0] = '\0';
	for (unsigned m = 0; m < NETD_BOND_MODES && used < len; m++) {
		if (!(modes & (1u << m)))
			continue;
		count++;
		used += snprintf(buf + used, len - used, "%s%s",
		                 count == 1       ? ""
		                 : count == total ? " and "
		                                  : ", ",
		                 netd_bond_modes.names[m]);
	}
	return buf;
}

#define GIVEN(o) (b->opt_line[NETD_BOND_OPT_##o] != 0)
#define LINE(o)  (b->opt_line[NETD_BOND_OPT_##o])

static int bad(unsigned *line, unsigned at, char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int bad(unsigned *line, unsigned at, char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	*line = at;
	return -EINVAL;
}

/* A delay the MII monitor can keep: it checks links once per interval. */
static int check_delay(const struct netd_bond *b, enum netd_bond_opt o, uint32_t ms, unsigned *line,
                       char *msg, size_t len)
{
	const char *key = opts[o].key;

	if (!b->opt_line[o] || ms == 0)
		return 0;
	if (!GIVEN(MIIMON) || b->miimon == 0)
		return bad(line, b->opt_line[o], msg, len,
		           "%s= needs MIIMonitorSec=: the kernel counts the delay in MII monitor "
		           "intervals; add e.g. MIIMonitorSec=100ms",
		           key);
	if (ms % b->miimon)
		return bad(line, b->opt_line[o], msg, len,
		           "%s=%ums is not a multiple of MIIMonitorSec=%ums (line %u); the kernel "
		           "would round it down to %ums",
		           key, ms, b->miimon, LINE(MIIMON), ms / b->miimon * b->miimon);
	return 0;
}

int netd_bond_check(const struct netd_bond *b, unsigned *line, char *msg, size_t len)
{
	const char *mode = netd_bond_mode_to_string(b->mode);
	bool mii = GIVEN(MIIMON) && b->miimon, arp = GIVEN(ARP_INTERVAL) && b->arp_interval;
	char modes[128];
	int ret;

	if (!mode)
		return bad(line, LINE(MODE), msg, len, "unknown bond mode %u", b->mode);
	for (int o = 0; o < NETD_BOND_OPT_MAX; o++) {
		if (!b->opt_line[o] || (opts[o].modes & (1u << b->mode)))
			continue;
		return bad(line, b->opt_line[o], msg, len,
		           "%s= does not apply to Mode=%s: the kernel uses %s only in %s; remove "
		           "it or choose one of those modes",
		           opts[o].key, mode, opts[o].kernel,
		           netd_bond_modes_list(opts[o].modes, modes, sizeof(modes)));
	}
	if (mii && arp) {
		unsigned later =
		    LINE(MIIMON) > LINE(ARP_INTERVAL) ? LINE(MIIMON) : LINE(ARP_INTERVAL);

		return bad(line, later, msg, len,
		           "MIIMonitorSec= (line %u) and ARPIntervalSec= (line %u) are both set: a "
		           "bond watches its links with the MII monitor or the ARP monitor, not "
		           "both; keep one",
		           LINE(MIIMON), LINE(ARP_INTERVAL));
	}
	ret = check_delay(b, NETD_BOND_OPT_UPDELAY, b->updelay, line, msg, len);
	if (ret == 0)
		ret = check_delay(b, NETD_BOND_OPT_DOWNDELAY, b->downdelay, line, msg, len);
	if (ret < 0)
		return ret;
	if (arp && !GIVEN(ARP_IP_TARGETS))
		return bad(line, LINE(ARP_INTERVAL), msg, len,
		           "ARPIntervalSec= needs ARPIPTargets=: the ARP monitor probes those "
		           "addresses; add e.g. ARPIPTargets=192.168.1.1");
	if (!arp) {
		static const enum netd_bond_opt needs_arp[] = {NETD_BOND_OPT_ARP_IP_TARGETS,
		                                               NETD_BOND_OPT_ARP_VALIDATE,
		                                               NETD_BOND_OPT_ARP_ALL_TARGETS};

		for (size_t i = 0; i < sizeof(needs_arp) / sizeof(needs_arp[0]); i++)
			if (b->opt_line[needs_arp[i]])
				return bad(line, b->opt_line[needs_arp[i]], msg, len,
				           "%s= needs ARPIntervalSec=: it only tunes the ARP "
				           "monitor, which runs when ARPIntervalSec= is set",
				           opts[needs_arp[i]].key);
	}
	if (GIVEN(PRIMARY)) {
		size_t i;

		for (i = 0; i < b->n_slaves; i++)
			if (strcmp(b->primary, b->slaves[i]) == 0)
				break;
		if (i == b->n_slaves)
			return bad(line, LINE(PRIMARY), msg, len,
			           "Primary=%s is not one of the bond's Slaves= (line %u)",
			           b->primary, LINE(SLAVES));
	} else if (GIVEN(PRIMARY_RESELECT)) {
		return bad(line, LINE(PRIMARY_RESELECT), msg, len,
		           "PrimaryReselectPolicy= needs Primary=: it says when the primary slave "
		           "takes over again");
	}
	return 0;
}
