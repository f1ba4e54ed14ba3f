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

#define ALL           NETD_BOND_ALL_MODES
#define ARP_MODES     (B(BALANCE_RR) | B(ACTIVE_BACKUP) | B(BALANCE_XOR) | B(BROADCAST))
#define PRIMARY_MODES (B(ACTIVE_BACKUP) | B(BALANCE_TLB) | B(BALANCE_ALB))
#define TLB_MODES     (B(BALANCE_TLB) | B(BALANCE_ALB))

/* {key, kernel name, where the kernel uses it, where it accepts it, where networkd sends it}:
 * the second from the unsuppmodes of the kernel's bond_options.c, the third from networkd's
 * netdev_bond_fill_message_create(). */
static const struct netd_bond_opt_def opts[NETD_BOND_OPT_MAX] = {
    [NETD_BOND_OPT_NAME] = {"Name", "name", ALL, ALL, ALL},
    [NETD_BOND_OPT_MODE] = {"Mode", "mode", ALL, ALL, ALL},
    [NETD_BOND_OPT_SLAVES] = {"Slaves", "slaves", ALL, ALL, ALL},
    [NETD_BOND_OPT_MIIMON] = {"MIIMonitorSec", "miimon", ALL, ALL, ALL},
    [NETD_BOND_OPT_UPDELAY] = {"UpDelaySec", "updelay", ALL, ALL, ALL},
    [NETD_BOND_OPT_DOWNDELAY] = {"DownDelaySec", "downdelay", ALL, ALL, ALL},
    /* The ARP monitor needs the peer to answer on the slave it asked through; the load
     * balancing modes answer on any slave, so the kernel refuses it there. */
    [NETD_BOND_OPT_ARP_INTERVAL] = {"ARPIntervalSec", "arp_interval", ARP_MODES, ARP_MODES, ALL},
    [NETD_BOND_OPT_ARP_IP_TARGETS] = {"ARPIPTargets", "arp_ip_target", ARP_MODES, ALL, ALL},
    [NETD_BOND_OPT_ARP_VALIDATE] = {"ARPValidate", "arp_validate", ARP_MODES, ARP_MODES, ALL},
    [NETD_BOND_OPT_ARP_ALL_TARGETS] = {"ARPAllTargets", "arp_all_targets", ARP_MODES, ALL, ALL},
    [NETD_BOND_OPT_LACP_RATE] = {"LACPTransmitRate", "lacp_rate", B(8023AD), B(8023AD), B(8023AD)},
    [NETD_BOND_OPT_AD_SELECT] = {"AdSelect", "ad_select", B(8023AD), ALL, B(8023AD)},
    [NETD_BOND_OPT_AD_ACTOR_SYS_PRIO] = {"AdActorSystemPriority", "ad_actor_sys_prio", B(8023AD),
                                         B(8023AD), ALL},
    [NETD_BOND_OPT_AD_USER_PORT_KEY] = {"AdUserPortKey", "ad_user_port_key", B(8023AD), B(8023AD),
                                        ALL},
    [NETD_BOND_OPT_AD_ACTOR_SYSTEM] = {"AdActorSystem", "ad_actor_system", B(8023AD), B(8023AD),
                                       ALL},
    [NETD_BOND_OPT_XMIT_HASH_POLICY] = {"TransmitHashPolicy", "xmit_hash_policy",
                                        B(BALANCE_XOR) | B(8023AD) | B(BALANCE_TLB), ALL, ALL},
    /* netd's own key (networkd names the primary in the slave's .network): the kernel
     * refuses it outside the modes with one active slave, and so does netd. */
    [NETD_BOND_OPT_PRIMARY] = {"Primary", "primary", PRIMARY_MODES, PRIMARY_MODES, ALL},
    [NETD_BOND_OPT_PRIMARY_RESELECT] = {"PrimaryReselectPolicy", "primary_reselect", PRIMARY_MODES,
                                        ALL, ALL},
    [NETD_BOND_OPT_FAIL_OVER_MAC] = {"FailOverMACPolicy", "fail_over_mac", B(ACTIVE_BACKUP), ALL,
                                     B(ACTIVE_BACKUP)},
    [NETD_BOND_OPT_MIN_LINKS] = {"MinLinks", "min_links", B(8023AD), ALL, ALL},
    /* IGMP reports are resent where a failover moves the multicast traffic to a slave. */
    [NETD_BOND_OPT_RESEND_IGMP] = {"ResendIGMP", "resend_igmp", B(BALANCE_RR) | PRIMARY_MODES, ALL,
                                   ALL},
    [NETD_BOND_OPT_NUM_PEER_NOTIF] = {"GratuitousARP", "num_grat_arp", B(ACTIVE_BACKUP), ALL, ALL},
    [NETD_BOND_OPT_ALL_SLAVES_ACTIVE] = {"AllSlavesActive", "all_slaves_active", ALL, ALL, ALL},
    [NETD_BOND_OPT_PACKETS_PER_SLAVE] = {"PacketsPerSlave", "packets_per_slave", B(BALANCE_RR),
                                         B(BALANCE_RR), B(BALANCE_RR)},
    [NETD_BOND_OPT_LP_INTERVAL] = {"LearnPacketIntervalSec", "lp_interval", TLB_MODES, ALL, ALL},
    [NETD_BOND_OPT_TLB_DYNAMIC_LB] = {"DynamicTransmitLoadBalancing", "tlb_dynamic_lb", TLB_MODES,
                                      TLB_MODES, ALL},
    [NETD_BOND_OPT_ARP_MISSED_MAX] = {"ARPMissedMax", "arp_missed_max", ARP_MODES, ARP_MODES, ALL},
    [NETD_BOND_OPT_PEER_NOTIFY_DELAY] = {"PeerNotifyDelaySec", "peer_notif_delay", B(ACTIVE_BACKUP),
                                         ALL, ALL},
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

bool netd_bond_opt_sent(const struct netd_bond *b, enum netd_bond_opt o)
{
	if ((unsigned)o >= NETD_BOND_OPT_MAX || !b->opt_line[o] ||
	    !(opts[o].sent & (1u << b->mode)))
		return false;
	switch (o) {
	/* networkd sends these only when set to something other than the kernel's "off" */
	case NETD_BOND_OPT_MIIMON:
		return b->miimon != 0;
	case NETD_BOND_OPT_UPDELAY:
		return b->updelay != 0;
	case NETD_BOND_OPT_DOWNDELAY:
		return b->downdelay != 0;
	case NETD_BOND_OPT_PEER_NOTIFY_DELAY:
		return b->peer_notify_delay != 0;
	case NETD_BOND_OPT_ARP_INTERVAL:
		return b->arp_interval != 0;
	case NETD_BOND_OPT_MIN_LINKS:
		return b->min_links != 0;
	case NETD_BOND_OPT_AD_ACTOR_SYS_PRIO:
		return b->ad_actor_sys_prio != 0;
	case NETD_BOND_OPT_AD_USER_PORT_KEY:
		return b->ad_user_port_key != 0;
	case NETD_BOND_OPT_ARP_MISSED_MAX:
		return b->arp_missed_max != 0;
	/* and these only with the ARP monitor running */
	case NETD_BOND_OPT_ARP_IP_TARGETS:
		return netd_bond_opt_sent(b, NETD_BOND_OPT_ARP_INTERVAL) && b->n_arp_targets;
	case NETD_BOND_OPT_LP_INTERVAL:
		return netd_bond_opt_sent(b, NETD_BOND_OPT_ARP_INTERVAL) && b->lp_interval >= 1;
	default:
		return true;
	}
}

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

static void note(struct netd_bond_notes *notes, unsigned at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(struct netd_bond_notes *notes, unsigned at, const char *fmt, ...)
{
	va_list ap;

	if (!notes || notes->n == NETD_BOND_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(notes->text[notes->n], sizeof(notes->text[0]), fmt, ap);
	va_end(ap);
	notes->line[notes->n++] = at;
}

/* Each option given against the mode: refused where the kernel refuses what is sent, noted
 * where the kernel ignores it or networkd drops it. */
static int check_modes(const struct netd_bond *b, struct netd_bond_notes *notes, unsigned *line,
                       char *msg, size_t len)
{
	const char *mode = netd_bond_mode_to_string(b->mode);
	unsigned bit = 1u << b->mode;
	char modes[128];

	for (int o = 0; o < NETD_BOND_OPT_MAX; o++) {
		const struct netd_bond_opt_def *d = &opts[o];

		if (!b->opt_line[o])
			continue;
		if (netd_bond_opt_sent(b, o) && !(d->accepted & bit))
			return bad(line, b->opt_line[o], msg, len,
			           "%s= does not apply to Mode=%s: the kernel uses %s only in %s; "
			           "remove it or choose one of those modes",
			           d->key, mode, d->kernel,
			           netd_bond_modes_list(d->accepted, modes, sizeof(modes)));
		if (!(d->modes & bit))
			note(notes, b->opt_line[o],
			     "%s= does not apply to Mode=%s: the kernel uses %s only in %s; %s",
			     d->key, mode, d->kernel,
			     netd_bond_modes_list(d->modes, modes, sizeof(modes)),
			     netd_bond_opt_sent(b, o)
			         ? "it is set and has no effect"
			         : "it is left out, as systemd-networkd leaves it out");
	}
	return 0;
}

/* A delay needs the MII monitor (the kernel refuses it without); one that is not a multiple
 * of the interval is rounded down by the kernel: noted. */
static int check_delay(const struct netd_bond *b, enum netd_bond_opt o, uint32_t ms,
                       struct netd_bond_notes *notes, unsigned *line, char *msg, size_t len)
{
	const char *key = opts[o].key;

	if (!netd_bond_opt_sent(b, o))
		return 0;
	if (!netd_bond_opt_sent(b, NETD_BOND_OPT_MIIMON))
		return bad(line, b->opt_line[o], msg, len,
		           "%s= needs MIIMonitorSec=: the kernel counts the delay in MII monitor "
		           "intervals and refuses it without one; add e.g. MIIMonitorSec=100ms",
		           key);
	if (ms % b->miimon)
		note(notes, b->opt_line[o],
		     "%s=%ums is not a multiple of MIIMonitorSec=%ums (line %u); the kernel rounds "
		     "it down to %ums",
		     key, ms, b->miimon, LINE(MIIMON), ms / b->miimon * b->miimon);
	return 0;
}

/* What tunes the ARP monitor without it, and the monitor without targets: accepted (the
 * kernel stores it, networkd sends it or drops it), noted. */
static void check_arp(const struct netd_bond *b, struct netd_bond_notes *notes)
{
	static const enum netd_bond_opt tunes[] = {
	    NETD_BOND_OPT_ARP_IP_TARGETS, NETD_BOND_OPT_ARP_VALIDATE, NETD_BOND_OPT_ARP_ALL_TARGETS,
	    NETD_BOND_OPT_ARP_MISSED_MAX, NETD_BOND_OPT_LP_INTERVAL};
	bool arp = netd_bond_opt_sent(b, NETD_BOND_OPT_ARP_INTERVAL);

	if (arp && !GIVEN(ARP_IP_TARGETS))
		note(notes, LINE(ARP_INTERVAL),
		     "ARPIntervalSec= without ARPIPTargets=: the ARP monitor has no address to "
		     "probe; add e.g. ARPIPTargets=192.168.1.1");
	for (size_t i = 0; !arp && i < sizeof(tunes) / sizeof(tunes[0]); i++) {
		const struct netd_bond_opt_def *d = &opts[tunes[i]];

		/* lp_interval is the load balancing modes' (which refuse the ARP monitor):
		 * networkd sends it only with ARPIntervalSec=, so it never reaches them */
		if (b->opt_line[tunes[i]] && (d->modes & (1u << b->mode)))
			note(notes, b->opt_line[tunes[i]],
			     "%s= has no effect without ARPIntervalSec=%s", d->key,
			     netd_bond_opt_sent(b, tunes[i])
			         ? ""
			         : ": it is left out, as systemd-networkd leaves it out");
	}
}

int netd_bond_check(const struct netd_bond *b, struct netd_bond_notes *notes, unsigned *line,
                    char *msg, size_t len)
{
	bool mii = netd_bond_opt_sent(b, NETD_BOND_OPT_MIIMON),
	     arp = netd_bond_opt_sent(b, NETD_BOND_OPT_ARP_INTERVAL);
	int ret;

	if (!netd_bond_mode_to_string(b->mode))
		return bad(line, LINE(MODE), msg, len, "unknown bond mode %u", b->mode);
	ret = check_modes(b, notes, line, msg, len);
	if (ret < 0)
		return ret;
	if (mii && arp) {
		unsigned later =
		    LINE(MIIMON) > LINE(ARP_INTERVAL) ? LINE(MIIMON) : LINE(ARP_INTERVAL);

		return bad(line, later, msg, len,
		           "MIIMonitorSec= (line %u) and ARPIntervalSec= (line %u) are both set: a "
		           "bond watches its links with the MII monitor or the ARP monitor, not "
		           "both (the kernel refuses the pair); keep one",
		           LINE(MIIMON), LINE(ARP_INTERVAL));
	}
	ret = check_delay(b, NETD_BOND_OPT_UPDELAY, b->updelay, notes, line, msg, len);
	if (ret == 0)
		ret = check_delay(b, NETD_BOND_OPT_DOWNDELAY, b->downdelay, notes, line, msg, len);
	if (ret < 0)
		return ret;
	check_arp(b, notes);
	if (GIVEN(PRIMARY)) {
		size_t i;

		for (i = 0; i < b->n_slaves; i++)
			if (strcmp(b->primary, b->slaves[i]) == 0)
				break;
		if (i == b->n_slaves)
			return bad(line, LINE(PRIMARY), msg, len,
			           "Primary=%s is not one of the bond's Slaves= (line %u)",
			           b->primary, LINE(SLAVES));
	} else if (GIVEN(PRIMARY_RESELECT) &&
	           (opts[NETD_BOND_OPT_PRIMARY].modes & (1u << b->mode))) {
		note(notes, LINE(PRIMARY_RESELECT),
		     "PrimaryReselectPolicy= has no effect without Primary=: it says when the "
		     "primary slave takes over again");
	}
	return 0;
}
