/* Bond mode and option tables, and the rules between options. Pure, no kernel. */
#include <setjmp.h>
#include <stdarg.h>
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
	                                   "DynamicTransmitLoadBalancing"};

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
	case NETD_BOND_OPT_ARP_INTERVAL:
	case NETD_BOND_OPT_ARP_IP_TARGETS:
	case NETD_BOND_OPT_ARP_VALIDATE:
	case NETD_BOND_OPT_ARP_ALL_TARGETS:
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

static void every_option_is_accepted_exactly_in_its_modes(void **state)
{
	struct netd_bond b;
	char msg[512], want[512];
	unsigned line;

	for (int o = 0; o < NETD_BOND_OPT_MAX; o++) {
		const struct netd_bond_opt_def *d = netd_bond_opt(o);

		assert_int_equal(d->modes, applies[o]);
		for (unsigned m = 0; m < 7; m++) {
			char modes[128] = "";
			size_t used = 0;
			int count = 0, total = __builtin_popcount(applies[o]);

			bond_with(&b, m, o);
			msg[0] = '\0';
			line = 0;
			if (applies[o] & (1u << m)) {
				if (netd_bond_check(&b, &line, msg, sizeof(msg)) != 0)
					fail_msg("%s in mode %s refused: %s", d->key, mode_names[m],
					         msg);
				continue;
			}
			/* alone: what it needs may not apply to the mode either */
			for (int x = NETD_BOND_OPT_MIIMON; x < NETD_BOND_OPT_MAX; x++)
				if (x != o)
					b.opt_line[x] = 0;
			for (unsigned k = 0; k < 7; k++)
				if (applies[o] & (1u << k))
					used += snprintf(modes + used, sizeof(modes) - used, "%s%s",
					                 ++count == 1     ? ""
					                 : count == total ? " and "
					                                  : ", ",
					                 mode_names[k]);
			snprintf(want, sizeof(want),
			         "%s= does not apply to Mode=%s: the kernel uses %s only in %s; "
			         "remove it or choose one of those modes",
			         d->key, mode_names[m], d->kernel, modes);
			assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
			assert_string_equal(msg, want);
			assert_int_equal(line, 10);
		}
	}
}

static void refusals_name_the_kernel_option_and_the_modes(void **state)
{
	struct netd_bond b;
	char msg[512];
	unsigned line;

	bond_with(&b, 0, NETD_BOND_OPT_LACP_RATE);
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "LACPTransmitRate= does not apply to Mode=balance-rr: the kernel "
	                         "uses lacp_rate only in 802.3ad; remove it or choose one of those "
	                         "modes");
	bond_with(&b, 4, NETD_BOND_OPT_ARP_INTERVAL);
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "ARPIntervalSec= does not apply to Mode=802.3ad: the kernel uses "
	                         "arp_interval only in balance-rr, active-backup, balance-xor and "
	                         "broadcast; remove it or choose one of those modes");
	bond_with(&b, 1, NETD_BOND_OPT_XMIT_HASH_POLICY);
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "TransmitHashPolicy= does not apply to Mode=active-backup: the "
	                         "kernel uses xmit_hash_policy only in balance-xor, 802.3ad and "
	                         "balance-tlb; remove it or choose one of those modes");
}

static void monitors_delays_targets_and_primary(void **state)
{
	struct netd_bond b;
	char msg[512];
	unsigned line;

	/* MII and ARP at once */
	bond_with(&b, 1, NETD_BOND_OPT_ARP_INTERVAL);
	b.miimon = 100;
	b.opt_line[NETD_BOND_OPT_MIIMON] = 12;
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(line, 12);
	assert_string_equal(msg, "MIIMonitorSec= (line 12) and ARPIntervalSec= (line 10) are both "
	                         "set: a bond watches its links with the MII monitor or the ARP "
	                         "monitor, not both; keep one");
	/* a monitor set to 0 is off, so the other one may run */
	b.miimon = 0;
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), 0);

	bond_with(&b, 1, NETD_BOND_OPT_UPDELAY);
	b.updelay = 250;
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "UpDelaySec=250ms is not a multiple of MIIMonitorSec=100ms (line "
	                         "9); the kernel would round it down to 200ms");
	b.opt_line[NETD_BOND_OPT_MIIMON] = 0;
	b.updelay = 200;
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "UpDelaySec= needs MIIMonitorSec=: the kernel counts the delay in "
	                         "MII monitor intervals; add e.g. MIIMonitorSec=100ms");

	bond_with(&b, 2, NETD_BOND_OPT_ARP_INTERVAL);
	b.opt_line[NETD_BOND_OPT_ARP_IP_TARGETS] = 0;
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg,
	                    "ARPIntervalSec= needs ARPIPTargets=: the ARP monitor probes those "
	                    "addresses; add e.g. ARPIPTargets=192.168.1.1");
	bond_with(&b, 2, NETD_BOND_OPT_ARP_VALIDATE);
	b.opt_line[NETD_BOND_OPT_ARP_INTERVAL] = 0;
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "ARPIPTargets= needs ARPIntervalSec=: it only tunes the ARP "
	                         "monitor, which runs when ARPIntervalSec= is set");

	bond_with(&b, 1, NETD_BOND_OPT_PRIMARY);
	strcpy(b.primary, "eth7");
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "Primary=eth7 is not one of the bond's Slaves= (line 3)");
	bond_with(&b, 1, NETD_BOND_OPT_PRIMARY_RESELECT);
	b.opt_line[NETD_BOND_OPT_PRIMARY] = 0;
	assert_int_equal(netd_bond_check(&b, &line, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "PrimaryReselectPolicy= needs Primary=: it says when the primary "
	                         "slave takes over again");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_mode_round_trips_by_name_and_number),
	    cmocka_unit_test(value_tables_are_the_kernels),
	    cmocka_unit_test(keys_are_systemd_networkd_names),
	    cmocka_unit_test(modes_list_reads_as_english),
	    cmocka_unit_test(every_option_is_accepted_exactly_in_its_modes),
	    cmocka_unit_test(refusals_name_the_kernel_option_and_the_modes),
	    cmocka_unit_test(monitors_delays_targets_and_primary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
