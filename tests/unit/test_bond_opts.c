/* Bond mode and option tables, and the rules between options. Pure, no kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netd/bond.h"

/* The kernel's values, written out here rather than taken from the code under test. */
static const char *const mode_names[] = {"balance-rr", "active-backup", "balance-xor", "broadcast",
                                         "802.3ad",    "balance-tlb",   "balance-alb"};

static void every_mode_round_trips_by_name_and_number(void **state)
{
	char num[8];

	for (unsigned m = 0; m < 7; m++) {
		assert_string_equal(netd_bond_mode_to_string(m), mode_names[m]);
		assert_int_equal(netd_bond_mode_from_string(mode_names[m]), m);
		snprintf(num, sizeof(num), "%u", m);
		assert_int_equal(netd_bond_mode_from_string(num), m);
		assert_int_equal(netd_bond_mode_from_string(netd_bond_mode_to_string(m)), m);
	}
	assert_null(netd_bond_mode_to_string(7));
	for (const char *const *bad = (const char *const[]){"7", "-1", "01", "4x", "", " 4",
	                                                    "Balance-rr", "802.3AD", "lacp", NULL};
	     *bad; bad++)
		assert_int_equal(netd_bond_mode_from_string(*bad), -EINVAL);
}

static void value_tables_are_the_kernels(void **state)
{
	static const struct {
		const struct netd_bond_table *t;
		const char *list;
	} want[] = {
	    {&netd_bond_xmit_hash_policies,
	     "layer2, layer3+4, layer2+3, encap2+3, encap3+4 or vlan+srcmac"},
	    {&netd_bond_arp_validates,
	     "none, active, backup, all, filter, filter_active or filter_backup"},
	    {&netd_bond_arp_all_targets, "any or all"},
	    {&netd_bond_lacp_rates, "slow or fast"},
	    {&netd_bond_ad_selects, "stable, bandwidth or count"},
	    {&netd_bond_primary_reselects, "always, better or failure"},
	    {&netd_bond_fail_over_macs, "none, active or follow"},
	};
	char buf[256], num[24];

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct netd_bond_table *t = want[i].t;

		assert_string_equal(netd_bond_table_list(t, buf, sizeof(buf)), want[i].list);
		for (unsigned v = 0; v < t->n; v++) {
			assert_int_equal(netd_bond_table_lookup(t, netd_bond_table_name(t, v)), v);
			snprintf(num, sizeof(num), "%u", v);
			assert_int_equal(netd_bond_table_lookup(t, num), v);
		}
		snprintf(num, sizeof(num), "%zu", t->n);
		assert_int_equal(netd_bond_table_lookup(t, num), -EINVAL);
		assert_null(netd_bond_table_name(t, (unsigned)t->n));
		assert_int_equal(netd_bond_table_lookup(t, "nonsense"), -EINVAL);
	}
	assert_int_equal(netd_bond_table_lookup(&netd_bond_xmit_hash_policies, "layer3+4"), 1);
	assert_int_equal(netd_bond_table_lookup(&netd_bond_xmit_hash_policies, "layer2+3"), 2);
}

static void keys_are_systemd_networkd_names(void **state)
{
	static const char *const keys[] = {"Name",
	                                   "Mode",
	                                   "Slaves",
	                                   "MIIMonitorSec",
	                                   "UpDelaySec",
	                                   "DownDelaySec",
	                                   "ARPIntervalSec",
	                                   "ARPIPTargets",
	                                   "ARPValidate",
	                                   "ARPAllTargets",
	                                   "LACPTransmitRate",
	                                   "AdSelect",
	                                   "AdActorSystemPriority",
	                                   "AdUserPortKey",
	                                   "AdActorSystem",
	                                   "TransmitHashPolicy",
	                                   "Primary",
	                                   "PrimaryReselectPolicy",
	                                   "FailOverMACPolicy",
	                                   "MinLinks",
	                                   "ResendIGMP",
	                                   "GratuitousARP",
	                                   "AllSlavesActive",
	                                   "PacketsPerSlave",
	                                   "LearnPacketIntervalSec",
	                                   "DynamicTransmitLoadBalancing",
	                                   "ARPMissedMax",
	                                   "PeerNotifyDelaySec"};

	assert_int_equal(sizeof(keys) / sizeof(keys[0]), NETD_BOND_OPT_MAX);
	for (int o = 0; o < NETD_BOND_OPT_MAX; o++) {
		assert_string_equal(netd_bond_opt(o)->key, keys[o]);
		assert_int_equal(netd_bond_opt_by_key(keys[o]), o);
	}
	assert_int_equal(netd_bond_opt_by_key("miimon"), -ENOENT);
	assert_int_equal(netd_bond_opt_by_key("mode"), -ENOENT);
	assert_null(netd_bond_opt(NETD_BOND_OPT_MAX));
}

static void modes_list_reads_as_english(void **state)
{
	char buf[128];

	assert_string_equal(netd_bond_modes_list(1u << 4, buf, sizeof(buf)), "802.3ad");
	assert_string_equal(netd_bond_modes_list((1u << 5) | (1u << 6), buf, sizeof(buf)),
	                    "balance-tlb and balance-alb");
	assert_string_equal(
	    netd_bond_modes_list((1u << 2) | (1u << 4) | (1u << 5), buf, sizeof(buf)),
	    "balance-xor, 802.3ad and balance-tlb");
}

/*
 * Which modes each option applies to: the kernel's unsuppmodes (bond_options.c), and
 * bonding.rst where the kernel takes an option it then ignores. Bits: 0 balance-rr ...
 * 6 balance-alb.
 */
static const unsigned applies[NETD_BOND_OPT_MAX] = {
    [NETD_BOND_OPT_NAME] = 0x7f,
    [NETD_BOND_OPT_MODE] = 0x7f,
    [NETD_BOND_OPT_SLAVES] = 0x7f,
    [NETD_BOND_OPT_MIIMON] = 0x7f,
    [NETD_BOND_OPT_UPDELAY] = 0x7f,
    [NETD_BOND_OPT_DOWNDELAY] = 0x7f,
    [NETD_BOND_OPT_ARP_INTERVAL] = 0x0f,
    [NETD_BOND_OPT_ARP_IP_TARGETS] = 0x0f,
    [NETD_BOND_OPT_ARP_VALIDATE] = 0x0f,
    [NETD_BOND_OPT_ARP_ALL_TARGETS] = 0x0f,
    [NETD_BOND_OPT_LACP_RATE] = 0x10,
    [NETD_BOND_OPT_AD_SELECT] = 0x10,
    [NETD_BOND_OPT_AD_ACTOR_SYS_PRIO] = 0x10,
    [NETD_BOND_OPT_AD_USER_PORT_KEY] = 0x10,
    [NETD_BOND_OPT_AD_ACTOR_SYSTEM] = 0x10,
    [NETD_BOND_OPT_XMIT_HASH_POLICY] = 0x34,
    [NETD_BOND_OPT_PRIMARY] = 0x62,
    [NETD_BOND_OPT_PRIMARY_RESELECT] = 0x62,
    [NETD_BOND_OPT_FAIL_OVER_MAC] = 0x02,
    [NETD_BOND_OPT_MIN_LINKS] = 0x10,
    [NETD_BOND_OPT_RESEND_IGMP] = 0x63,
    [NETD_BOND_OPT_NUM_PEER_NOTIF] = 0x02,
    [NETD_BOND_OPT_ALL_SLAVES_ACTIVE] = 0x7f,
    [NETD_BOND_OPT_PACKETS_PER_SLAVE] = 0x01,
    [NETD_BOND_OPT_LP_INTERVAL] = 0x60,
    [NETD_BOND_OPT_TLB_DYNAMIC_LB] = 0x60,
    [NETD_BOND_OPT_ARP_MISSED_MAX] = 0x0f,
    [NETD_BOND_OPT_PEER_NOTIFY_DELAY] = 0x02,
};

/* Where the kernel accepts each option (elsewhere bond_opt_check_deps() refuses it: the
 * unsuppmodes of bond_options.c); 0x7f where it has none. */
static const unsigned accepted[NETD_BOND_OPT_MAX] = {
    [NETD_BOND_OPT_NAME] = 0x7f,
    [NETD_BOND_OPT_MODE] = 0x7f,
    [NETD_BOND_OPT_SLAVES] = 0x7f,
    [NETD_BOND_OPT_MIIMON] = 0x7f,
    [NETD_BOND_OPT_UPDELAY] = 0x7f,
    [NETD_BOND_OPT_DOWNDELAY] = 0x7f,
    [NETD_BOND_OPT_ARP_INTERVAL] = 0x0f,
    [NETD_BOND_OPT_ARP_IP_TARGETS] = 0x7f,
    [NETD_BOND_OPT_ARP_VALIDATE] = 0x0f,
    [NETD_BOND_OPT_ARP_ALL_TARGETS] = 0x7f,
    [NETD_BOND_OPT_LACP_RATE] = 0x10,
    [NETD_BOND_OPT_AD_SELECT] = 0x7f,
    [NETD_BOND_OPT_AD_ACTOR_SYS_PRIO] = 0x10,
    [NETD_BOND_OPT_AD_USER_PORT_KEY] = 0x10,
    [NETD_BOND_OPT_AD_ACTOR_SYSTEM] = 0x10,
    [NETD_BOND_OPT_XMIT_HASH_POLICY] = 0x7f,
    [NETD_BOND_OPT_PRIMARY] = 0x62,
    [NETD_BOND_OPT_PRIMARY_RESELECT] = 0x7f,
    [NETD_BOND_OPT_FAIL_OVER_MAC] = 0x7f,
    [NETD_BOND_OPT_MIN_LINKS] = 0x7f,
    [NETD_BOND_OPT_RESEND_IGMP] = 0x7f,
    [NETD_BOND_OPT_NUM_PEER_NOTIF] = 0x7f,
    [NETD_BOND_OPT_ALL_SLAVES_ACTIVE] = 0x7f,
    [NETD_BOND_OPT_PACKETS_PER_SLAVE] = 0x01,
    [NETD_BOND_OPT_LP_INTERVAL] = 0x7f,
    [NETD_BOND_OPT_TLB_DYNAMIC_LB] = 0x60,
    [NETD_BOND_OPT_ARP_MISSED_MAX] = 0x0f,
    [NETD_BOND_OPT_PEER_NOTIFY_DELAY] = 0x7f,
};

/* Where systemd-networkd's netdev_bond_fill_message_create() sends each option: it drops
 * lacp_rate and ad_select outside 802.3ad, fail_over_mac outside active-backup and
 * packets_per_slave outside balance-rr. Primary is netd's own (networkd has PrimarySlave= in
 * the slave's .network): always sent, so refused where the kernel refuses it. */
static const unsigned sent[NETD_BOND_OPT_MAX] = {
    [NETD_BOND_OPT_NAME] = 0x7f,
    [NETD_BOND_OPT_MODE] = 0x7f,
    [NETD_BOND_OPT_SLAVES] = 0x7f,
    [NETD_BOND_OPT_MIIMON] = 0x7f,
    [NETD_BOND_OPT_UPDELAY] = 0x7f,
    [NETD_BOND_OPT_DOWNDELAY] = 0x7f,
    [NETD_BOND_OPT_ARP_INTERVAL] = 0x7f,
    [NETD_BOND_OPT_ARP_IP_TARGETS] = 0x7f,
    [NETD_BOND_OPT_ARP_VALIDATE] = 0x7f,
    [NETD_BOND_OPT_ARP_ALL_TARGETS] = 0x7f,
    [NETD_BOND_OPT_LACP_RATE] = 0x10,
    [NETD_BOND_OPT_AD_SELECT] = 0x10,
    [NETD_BOND_OPT_AD_ACTOR_SYS_PRIO] = 0x7f,
    [NETD_BOND_OPT_AD_USER_PORT_KEY] = 0x7f,
    [NETD_BOND_OPT_AD_ACTOR_SYSTEM] = 0x7f,
    [NETD_BOND_OPT_XMIT_HASH_POLICY] = 0x7f,
    [NETD_BOND_OPT_PRIMARY] = 0x7f,
    [NETD_BOND_OPT_PRIMARY_RESELECT] = 0x7f,
    [NETD_BOND_OPT_FAIL_OVER_MAC] = 0x02,
    [NETD_BOND_OPT_MIN_LINKS] = 0x7f,
    [NETD_BOND_OPT_RESEND_IGMP] = 0x7f,
    [NETD_BOND_OPT_NUM_PEER_NOTIF] = 0x7f,
    [NETD_BOND_OPT_ALL_SLAVES_ACTIVE] = 0x7f,
    [NETD_BOND_OPT_PACKETS_PER_SLAVE] = 0x01,
    [NETD_BOND_OPT_LP_INTERVAL] = 0x7f,
    [NETD_BOND_OPT_TLB_DYNAMIC_LB] = 0x7f,
    [NETD_BOND_OPT_ARP_MISSED_MAX] = 0x7f,
    [NETD_BOND_OPT_PEER_NOTIFY_DELAY] = 0x7f,
};

/* A bond of eth0+eth1 in mode m with option o given (and what o needs to mean anything). */
static void bond_with(struct netd_bond *b, unsigned m, int o)
{
	memset(b, 0, sizeof(*b));
	strcpy(b->name, "bond0");
	b->mode = (uint8_t)m;
	strcpy(b->slaves[0], "eth0");
	strcpy(b->slaves[1], "eth1");
	b->n_slaves = 2;
	b->opt_line[NETD_BOND_OPT_NAME] = 2;
	b->opt_line[NETD_BOND_OPT_SLAVES] = 3;
	b->opt_line[o] = 10;
	switch (o) {
	case NETD_BOND_OPT_UPDELAY:
	case NETD_BOND_OPT_DOWNDELAY:
		b->miimon = 100;
		b->updelay = b->downdelay = 200;
		b->opt_line[NETD_BOND_OPT_MIIMON] = 9;
		break;
	case NETD_BOND_OPT_MIIMON:
		b->miimon = 100;
		break;
	/* values where 0 means off and is not sent */
	case NETD_BOND_OPT_MIN_LINKS:
		b->min_links = 1;
		break;
	case NETD_BOND_OPT_AD_ACTOR_SYS_PRIO:
		b->ad_actor_sys_prio = 1;
		break;
	case NETD_BOND_OPT_AD_USER_PORT_KEY:
		b->ad_user_port_key = 1;
		break;
	case NETD_BOND_OPT_PEER_NOTIFY_DELAY:
		b->peer_notify_delay = 100;
		break;
	case NETD_BOND_OPT_LP_INTERVAL:
	case NETD_BOND_OPT_ARP_MISSED_MAX:
	case NETD_BOND_OPT_ARP_INTERVAL:
	case NETD_BOND_OPT_ARP_IP_TARGETS:
	case NETD_BOND_OPT_ARP_VALIDATE:
	case NETD_BOND_OPT_ARP_ALL_TARGETS:
		b->lp_interval = 1;
		b->arp_missed_max = 2;
		b->arp_interval = 1000;
		b->arp_targets[0].s_addr = htonl(0xc0a80101);
		b->n_arp_targets = 1;
		b->opt_line[NETD_BOND_OPT_ARP_INTERVAL] = 10;
		b->opt_line[NETD_BOND_OPT_ARP_IP_TARGETS] = 10;
		break;
	case NETD_BOND_OPT_PRIMARY:
	case NETD_BOND_OPT_PRIMARY_RESELECT:
		strcpy(b->primary, "eth1");
		b->opt_line[NETD_BOND_OPT_PRIMARY] = 10;
		break;
	}
}

/* The note of notes at line whose text starts with prefix, or NULL. */
static const char *note_at(const struct netd_bond_notes *notes, unsigned line, const char *prefix)
{
	for (size_t i = 0; i < notes->n; i++)
		if (notes->line[i] == line && strncmp(notes->text[i], prefix, strlen(prefix)) == 0)
			return notes->text[i];
	return NULL;
}

/* "balance-rr, active-backup and broadcast": the modes of a mask, written out here. */
static void list_modes(unsigned mask, char *buf, size_t len)
{
	int count = 0, total = __builtin_popcount(mask);
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned k = 0; k < 7; k++)
		if (mask & (1u << k))
			used += snprintf(buf + used, len - used, "%s%s",
			                 ++count == 1     ? ""
			                 : count == total ? " and "
			                                  : ", ",
			                 mode_names[k]);
}

/*
 * Each option in each mode: sent to the kernel where networkd sends it; an error only where
 * the kernel would refuse what is sent; accepted with a note where the kernel ignores it.
 */
static void every_option_in_every_mode_is_what_kernel_and_networkd_make_it(void **state)
{
	struct netd_bond_notes notes;
	struct netd_bond b;
	char msg[512], want[512], modes[128];
	unsigned line;

	for (int o = 0; o < NETD_BOND_OPT_MAX; o++) {
		const struct netd_bond_opt_def *d = netd_bond_opt(o);

		assert_int_equal(d->modes, applies[o]);
		assert_int_equal(d->accepted, accepted[o]);
		assert_int_equal(d->sent, sent[o]);
		for (unsigned m = 0; m < 7; m++) {
			bool is_sent;
			int ret;

			bond_with(&b, m, o);
			/* the ARP monitor where the kernel takes it, so that what it tunes is
			 * sent; elsewhere the option alone */
			if (!(accepted[NETD_BOND_OPT_ARP_INTERVAL] & (1u << m)) &&
			    o != NETD_BOND_OPT_ARP_INTERVAL) {
				b.opt_line[NETD_BOND_OPT_ARP_INTERVAL] = 0;
				if (o != NETD_BOND_OPT_ARP_IP_TARGETS)
					b.opt_line[NETD_BOND_OPT_ARP_IP_TARGETS] = 0;
			}
			if (o == NETD_BOND_OPT_PRIMARY_RESELECT &&
			    !(accepted[NETD_BOND_OPT_PRIMARY] & (1u << m)))
				b.opt_line[NETD_BOND_OPT_PRIMARY] = 0;
			is_sent = netd_bond_opt_sent(&b, o);
			if (o != NETD_BOND_OPT_ARP_IP_TARGETS && o != NETD_BOND_OPT_LP_INTERVAL)
				assert_int_equal(is_sent, !!(sent[o] & (1u << m)));
			memset(&notes, 0, sizeof(notes));
			msg[0] = '\0';
			line = 0;
			ret = netd_bond_check(&b, &notes, &line, msg, sizeof(msg));
			if (is_sent && !(accepted[o] & (1u << m))) {
				list_modes(accepted[o], modes, sizeof(modes));
				snprintf(
				    want, sizeof(want),
				    "%s= does not apply to Mode=%s: the kernel uses %s only in "
				    "%s; remove it or choose one of those modes",
				    d->key, mode_names[m], d->kernel, modes);
				assert_int_equal(ret, -EINVAL);
				assert_string_equal(msg, want);
				assert_int_equal(line, 10);
				continue;
			}
			if (ret != 0)
				fail_msg("%s in mode %s refused: %s", d->key, mode_names[m], msg);
			if (applies[o] & (1u << m))
				continue;
			list_modes(applies[o], modes, sizeof(modes));
			snprintf(want, sizeof(want),
			         "%s= does not apply to Mode=%s: the kernel uses %s only in %s; %s",
			         d->key, mode_names[m], d->kernel, modes,
			         is_sent ? "it is set and has no effect"
			                 : "it is left out, as systemd-networkd leaves it out");
			if (!note_at(&notes, 10, want))
				fail_msg("%s in mode %s: no note '%s' (%zu notes, first '%s')",
				         d->key, mode_names[m], want, notes.n,
				         notes.n ? notes.text[0] : "");
		}
	}
}

static void refusals_and_notes_name_the_kernel_option_and_the_modes(void **state)
{
	struct netd_bond_notes notes = {0};
	struct netd_bond b;
	char msg[512];
	unsigned line;

	/* networkd drops lacp_rate outside 802.3ad: accepted, left out */
	bond_with(&b, 0, NETD_BOND_OPT_LACP_RATE);
	assert_int_equal(netd_bond_check(&b, &notes, &line, msg, sizeof(msg)), 0);
	assert_false(netd_bond_opt_sent(&b, NETD_BOND_OPT_LACP_RATE));
	assert_int_equal(notes.n, 1);
	assert_string_equal(notes.text[0], "LACPTransmitRate= does not apply to Mode=balance-rr: "
	                                   "the kernel uses lacp_rate only in 802.3ad; it is left "
	                                   "out, as systemd-networkd leaves it out");
	/* the kernel refuses the ARP monitor in 802.3ad: so would networkd's bond */
	bond_with(&b, 4, NETD_BOND_OPT_ARP_INTERVAL);
	assert_int_equal(netd_bond_check(&b, NULL, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "ARPIntervalSec= does not apply to Mode=802.3ad: the kernel uses "
	                         "arp_interval only in balance-rr, active-backup, balance-xor and "
	                         "broadcast; remove it or choose one of those modes");
	/* the kernel stores a hash policy in any mode and uses it in three */
	memset(&notes, 0, sizeof(notes));
	bond_with(&b, 1, NETD_BOND_OPT_XMIT_HASH_POLICY);
	assert_int_equal(netd_bond_check(&b, &notes, &line, msg, sizeof(msg)), 0);
	assert_true(netd_bond_opt_sent(&b, NETD_BOND_OPT_XMIT_HASH_POLICY));
	assert_string_equal(notes.text[0],
	                    "TransmitHashPolicy= does not apply to "
	                    "Mode=active-backup: the kernel uses xmit_hash_policy "
	                    "only in balance-xor, 802.3ad and balance-tlb; it is set "
	                    "and has no effect");
	bond_with(&b, 0, NETD_BOND_OPT_TLB_DYNAMIC_LB);
	assert_int_equal(netd_bond_check(&b, NULL, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "DynamicTransmitLoadBalancing= does not apply to Mode=balance-rr: "
	                         "the kernel uses tlb_dynamic_lb only in balance-tlb and "
	                         "balance-alb; remove it or choose one of those modes");
}

static void monitors_delays_targets_and_primary(void **state)
{
	struct netd_bond_notes notes = {0};
	struct netd_bond b;
	char msg[512];
	unsigned line;

	/* MII and ARP at once: the kernel refuses both in one request */
	bond_with(&b, 1, NETD_BOND_OPT_ARP_INTERVAL);
	b.miimon = 100;
	b.opt_line[NETD_BOND_OPT_MIIMON] = 12;
	assert_int_equal(netd_bond_check(&b, NULL, &line, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(line, 12);
	assert_string_equal(msg, "MIIMonitorSec= (line 12) and ARPIntervalSec= (line 10) are both "
	                         "set: a bond watches its links with the MII monitor or the ARP "
	                         "monitor, not both (the kernel refuses the pair); keep one");
	/* a monitor set to 0 is off, so the other one may run */
	b.miimon = 0;
	assert_int_equal(netd_bond_check(&b, NULL, &line, msg, sizeof(msg)), 0);

	/* the kernel rounds a delay down to whole intervals: accepted, noted */
	bond_with(&b, 1, NETD_BOND_OPT_UPDELAY);
	b.updelay = 250;
	assert_int_equal(netd_bond_check(&b, &notes, &line, msg, sizeof(msg)), 0);
	assert_non_null(note_at(&notes, 10,
	                        "UpDelaySec=250ms is not a multiple of "
	                        "MIIMonitorSec=100ms (line 9); the kernel rounds it "
	                        "down to 200ms"));
	/* but refuses one without the MII monitor */
	b.opt_line[NETD_BOND_OPT_MIIMON] = 0;
	b.updelay = 200;
	assert_int_equal(netd_bond_check(&b, NULL, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "UpDelaySec= needs MIIMonitorSec=: the kernel counts the delay in "
	                         "MII monitor intervals and refuses it without one; add e.g. "
	                         "MIIMonitorSec=100ms");

	memset(&notes, 0, sizeof(notes));
	bond_with(&b, 2, NETD_BOND_OPT_ARP_INTERVAL);
	b.opt_line[NETD_BOND_OPT_ARP_IP_TARGETS] = 0;
	assert_int_equal(netd_bond_check(&b, &notes, &line, msg, sizeof(msg)), 0);
	assert_non_null(note_at(&notes, 10,
	                        "ARPIntervalSec= without ARPIPTargets=: the ARP monitor "
	                        "has no address to probe; add e.g. "
	                        "ARPIPTargets=192.168.1.1"));
	memset(&notes, 0, sizeof(notes));
	bond_with(&b, 2, NETD_BOND_OPT_ARP_VALIDATE);
	b.opt_line[NETD_BOND_OPT_ARP_INTERVAL] = 0;
	b.opt_line[NETD_BOND_OPT_ARP_IP_TARGETS] = 11;
	assert_int_equal(netd_bond_check(&b, &notes, &line, msg, sizeof(msg)), 0);
	assert_true(netd_bond_opt_sent(&b, NETD_BOND_OPT_ARP_VALIDATE));
	assert_false(netd_bond_opt_sent(&b, NETD_BOND_OPT_ARP_IP_TARGETS));
	assert_non_null(note_at(&notes, 10, "ARPValidate= has no effect without ARPIntervalSec="));
	assert_non_null(note_at(&notes, 11,
	                        "ARPIPTargets= has no effect without ARPIntervalSec=: "
	                        "it is left out, as systemd-networkd leaves it out"));

	bond_with(&b, 1, NETD_BOND_OPT_PRIMARY);
	strcpy(b.primary, "eth7");
	assert_int_equal(netd_bond_check(&b, NULL, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "Primary=eth7 is not one of the bond's Slaves= (line 3)");
	memset(&notes, 0, sizeof(notes));
	bond_with(&b, 1, NETD_BOND_OPT_PRIMARY_RESELECT);
	b.opt_line[NETD_BOND_OPT_PRIMARY] = 0;
	assert_int_equal(netd_bond_check(&b, &notes, &line, msg, sizeof(msg)), 0);
	assert_non_null(
	    note_at(&notes, 10, "PrimaryReselectPolicy= has no effect without Primary="));
}

/* What networkd sends only when not 0 is not sent at 0, and needs nothing then. */
static void zero_is_off_and_not_sent(void **state)
{
	struct netd_bond b;
	char msg[512];
	unsigned line;

	bond_with(&b, 4, NETD_BOND_OPT_ARP_INTERVAL);
	b.arp_interval = 0; /* ARPIntervalSec=0 in 802.3ad: off, so not refused */
	b.opt_line[NETD_BOND_OPT_ARP_IP_TARGETS] = 0;
	assert_false(netd_bond_opt_sent(&b, NETD_BOND_OPT_ARP_INTERVAL));
	assert_int_equal(netd_bond_check(&b, NULL, &line, msg, sizeof(msg)), 0);
	bond_with(&b, 1, NETD_BOND_OPT_UPDELAY);
	b.updelay = 0; /* UpDelaySec=0 needs no MII monitor */
	b.opt_line[NETD_BOND_OPT_MIIMON] = 0;
	assert_false(netd_bond_opt_sent(&b, NETD_BOND_OPT_UPDELAY));
	assert_int_equal(netd_bond_check(&b, NULL, &line, msg, sizeof(msg)), 0);
	bond_with(&b, 4, NETD_BOND_OPT_MIN_LINKS);
	assert_true(netd_bond_opt_sent(&b, NETD_BOND_OPT_MIN_LINKS));
	b.min_links = 0;
	assert_false(netd_bond_opt_sent(&b, NETD_BOND_OPT_MIN_LINKS));
	bond_with(&b, 0, NETD_BOND_OPT_AD_ACTOR_SYS_PRIO);
	b.ad_actor_sys_prio = 0; /* not sent, so the kernel's refusal outside 802.3ad is moot */
	assert_int_equal(netd_bond_check(&b, NULL, &line, msg, sizeof(msg)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_mode_round_trips_by_name_and_number),
	    cmocka_unit_test(value_tables_are_the_kernels),
	    cmocka_unit_test(keys_are_systemd_networkd_names),
	    cmocka_unit_test(modes_list_reads_as_english),
	    cmocka_unit_test(every_option_in_every_mode_is_what_kernel_and_networkd_make_it),
	    cmocka_unit_test(refusals_and_notes_name_the_kernel_option_and_the_modes),
	    cmocka_unit_test(monitors_delays_targets_and_primary),
	    cmocka_unit_test(zero_is_off_and_not_sent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
