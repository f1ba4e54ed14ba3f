/* The [Bond] section through the real parser: values, mode rules, exact file:line messages. */
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
#include "netd/config.h"

#define HEAD                                                                                       \
	"[Network]\n"        /* 1 */                                                               \
	"Name=lan\n"         /* 2 */                                                               \
	"Mode=bridged\n"     /* 3 */                                                               \
	"Bridge=br0\n"       /* 4 */                                                               \
	"\n"                 /* 5 */                                                               \
	"[Bond]\n"           /* 6 */                                                               \
	"Name=bond0\n"       /* 7 */                                                               \
	"Slaves=eth0 eth1\n" /* 8 */

static const char *const mode_names[] = {"balance-rr", "active-backup", "balance-xor", "broadcast",
                                         "802.3ad",    "balance-tlb",   "balance-alb"};

static struct netd_network *parse_ok(const char *text)
{
	struct netd_network *n = NULL;
	struct netd_diag diag = {""};

	if (netd_config_parse_string(text, "t.conf", &n, &diag) != 0)
		fail_msg("refused: %s\n--- text ---\n%s", diag.msg, text);
	return n;
}

static void parse_err(const char *text, const char *want)
{
	struct netd_network *n = NULL;
	struct netd_diag diag = {""};

	if (netd_config_parse_string(text, "t.conf", &n, &diag) != -EINVAL) {
		netd_network_free(n);
		fail_msg("accepted, wanted: %s\n--- text ---\n%s", want, text);
	}
	assert_null(n);
	assert_string_equal(diag.msg, want);
}

/* Accepted, with exactly these warning lines. */
static void parse_warns(const char *text, const char *want)
{
	struct netd_network *n = parse_ok(text);

	assert_non_null(n->warnings);
	assert_string_equal(n->warnings, want);
	netd_network_free(n);
}

static void a_bond_becomes_the_uplink(void **state)
{
	struct netd_network *n = parse_ok(HEAD);

	assert_string_equal(n->bond.name, "bond0");
	assert_int_equal(n->bond.mode, 0); /* the kernel's default, balance-rr */
	assert_int_equal(n->bond.n_slaves, 2);
	assert_string_equal(n->bond.slaves[0], "eth0");
	assert_string_equal(n->bond.slaves[1], "eth1");
	assert_int_equal(n->bond.line, 6);
	/* Uplink= defaults to the bond, its line is the bond's Name= for messages */
	assert_string_equal(n->uplink, "bond0");
	assert_int_equal(n->line_uplink, 7);
	netd_network_free(n);

	n = parse_ok(HEAD "[Policy]\nVMToVM=deny\n");
	assert_string_equal(n->uplink, "bond0");
	netd_network_free(n);

	/* a network without [Bond] has no bond */
	n = parse_ok("[Network]\nName=lan\nMode=bridged\nBridge=br0\nUplink=eth0\n");
	assert_string_equal(n->bond.name, "");
	assert_int_equal(n->bond.line, 0);
	netd_network_free(n);
}

static void every_mode_by_name_and_number(void **state)
{
	char text[512];

	for (unsigned m = 0; m < 7; m++) {
		for (int as_number = 0; as_number < 2; as_number++) {
			struct netd_network *n;

			if (as_number)
				snprintf(text, sizeof(text), HEAD "Mode=%u\n", m);
			else
				snprintf(text, sizeof(text), HEAD "Mode=%s\n", mode_names[m]);
			n = parse_ok(text);
			assert_int_equal(n->bond.mode, m);
			assert_string_equal(netd_bond_mode_to_string(n->bond.mode), mode_names[m]);
			netd_network_free(n);
		}
	}
	parse_err(HEAD "Mode=7\n",
	          "t.conf:9: invalid Mode '7': use balance-rr, active-backup, balance-xor, "
	          "broadcast, 802.3ad, balance-tlb or balance-alb (or its number, 0-6)");
	parse_err(HEAD "Mode=lacp\n",
	          "t.conf:9: invalid Mode 'lacp': use balance-rr, active-backup, balance-xor, "
	          "broadcast, 802.3ad, balance-tlb or balance-alb (or its number, 0-6)");
}

/* One option each: the line (with what it needs) and a mode where it applies. */
static const struct {
	const char *lines;
	unsigned mode;
} option_cases[] = {
    {"MIIMonitorSec=100ms\n", 0},
    {"MIIMonitorSec=100ms\nUpDelaySec=200ms\n", 1},
    {"MIIMonitorSec=100ms\nDownDelaySec=1s\n", 2},
    {"ARPIntervalSec=1s\nARPIPTargets=192.168.1.1 10.0.0.1\n", 3},
    {"ARPIntervalSec=500ms\nARPIPTargets=192.168.1.1\nARPValidate=filter_backup\n", 1},
    {"ARPIntervalSec=500ms\nARPIPTargets=192.168.1.1\nARPAllTargets=all\n", 0},
    {"LACPTransmitRate=fast\n", 4},
    {"AdSelect=count\n", 4},
    {"AdActorSystemPriority=65535\n", 4},
    {"AdUserPortKey=1023\n", 4},
    {"AdActorSystem=02:11:22:33:44:55\n", 4},
    {"TransmitHashPolicy=vlan+srcmac\n", 5},
    {"Primary=eth1\n", 6},
    {"Primary=eth0\nPrimaryReselectPolicy=better\n", 1},
    {"FailOverMACPolicy=follow\n", 1},
    {"MinLinks=2\n", 4},
    {"ResendIGMP=255\n", 0},
    {"GratuitousARP=0\n", 1},
    {"AllSlavesActive=yes\n", 3},
    {"PacketsPerSlave=65535\n", 0},
    {"LearnPacketIntervalSec=5s\n", 6},
    {"DynamicTransmitLoadBalancing=no\n", 5},
};

static void every_option_parses_to_the_kernels_value(void **state)
{
	char text[1024];
	struct netd_network *n[sizeof(option_cases) / sizeof(option_cases[0])];
	const struct netd_bond *b;

	for (size_t i = 0; i < sizeof(option_cases) / sizeof(option_cases[0]); i++) {
		snprintf(text, sizeof(text), HEAD "Mode=%s\n%s", mode_names[option_cases[i].mode],
		         option_cases[i].lines);
		n[i] = parse_ok(text);
	}
	b = &n[0]->bond;
	assert_int_equal(b->miimon, 100);
	assert_int_equal(b->opt_line[NETD_BOND_OPT_MIIMON], 10);
	assert_int_equal(n[1]->bond.updelay, 200);
	assert_int_equal(n[2]->bond.downdelay, 1000);
	b = &n[3]->bond;
	assert_int_equal(b->arp_interval, 1000);
	assert_int_equal(b->n_arp_targets, 2);
	assert_int_equal(ntohl(b->arp_targets[0].s_addr), 0xc0a80101);
	assert_int_equal(ntohl(b->arp_targets[1].s_addr), 0x0a000001);
	assert_int_equal(n[4]->bond.arp_interval, 500);
	assert_int_equal(n[4]->bond.arp_validate, 6);
	assert_int_equal(n[5]->bond.arp_all_targets, 1);
	assert_int_equal(n[6]->bond.lacp_rate, 1);
	assert_int_equal(n[7]->bond.ad_select, 2);
	assert_int_equal(n[8]->bond.ad_actor_sys_prio, 65535);
	assert_int_equal(n[9]->bond.ad_user_port_key, 1023);
	assert_memory_equal(n[10]->bond.ad_actor_system, "\x02\x11\x22\x33\x44\x55", 6);
	assert_int_equal(n[11]->bond.xmit_hash_policy, 5);
	assert_string_equal(n[12]->bond.primary, "eth1");
	assert_int_equal(n[13]->bond.primary_reselect, 1);
	assert_int_equal(n[14]->bond.fail_over_mac, 2);
	assert_int_equal(n[15]->bond.min_links, 2);
	assert_int_equal(n[16]->bond.resend_igmp, 255);
	assert_int_equal(n[17]->bond.num_peer_notif, 0);
	assert_int_not_equal(n[17]->bond.opt_line[NETD_BOND_OPT_NUM_PEER_NOTIF], 0);
	assert_int_equal(n[18]->bond.all_slaves_active, 1);
	assert_int_equal(n[19]->bond.packets_per_slave, 65535);
	assert_int_equal(n[20]->bond.lp_interval, 5);
	assert_int_equal(n[21]->bond.tlb_dynamic_lb, 0);
	assert_int_not_equal(n[21]->bond.opt_line[NETD_BOND_OPT_TLB_DYNAMIC_LB], 0);
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		netd_network_free(n[i]);
}

/* The option alone, in each mode: refused with its line where networkd would send it and the
 * kernel refuse it, else accepted, with a warning where the kernel ignores it. */
static void every_option_alone_is_refused_only_where_the_kernel_refuses_it(void **state)
{
	static const char *const alone[] = {
	    "ARPIntervalSec=1s",
	    "ARPIPTargets=10.0.0.1",
	    "ARPValidate=all",
	    "ARPAllTargets=all",
	    "LACPTransmitRate=slow",
	    "AdSelect=stable",
	    "AdActorSystemPriority=1",
	    "AdUserPortKey=1",
	    "AdActorSystem=02:00:00:00:00:01",
	    "TransmitHashPolicy=layer2",
	    "Primary=eth0",
	    "PrimaryReselectPolicy=always",
	    "FailOverMACPolicy=none",
	    "MinLinks=1",
	    "ResendIGMP=1",
	    "GratuitousARP=1",
	    "PacketsPerSlave=1",
	    "LearnPacketIntervalSec=1s",
	    "DynamicTransmitLoadBalancing=yes",
	    "ARPMissedMax=3",
	    "PeerNotifyDelaySec=1s",
	};
	char text[1024], key[64], modes[128], want[512];

	for (size_t i = 0; i < sizeof(alone) / sizeof(alone[0]); i++) {
		const struct netd_bond_opt_def *d;
		int o;

		snprintf(key, sizeof(key), "%.*s", (int)strcspn(alone[i], "="), alone[i]);
		o = netd_bond_opt_by_key(key);
		assert_true(o >= 0);
		d = netd_bond_opt(o);
		for (unsigned m = 0; m < 7; m++) {
			struct netd_network *n = NULL;
			struct netd_diag diag = {""};
			int ret;

			snprintf(text, sizeof(text), HEAD "Mode=%u\n%s\n", m, alone[i]);
			ret = netd_config_parse_string(text, "t.conf", &n, &diag);
			/* refused where networkd would send it and the kernel refuse it */
			if ((d->sent & (1u << m)) && !(d->accepted & (1u << m))) {
				snprintf(
				    want, sizeof(want),
				    "t.conf:10: %s= does not apply to Mode=%s: the kernel uses %s "
				    "only in %s; remove it or choose one of those modes",
				    key, mode_names[m], d->kernel,
				    netd_bond_modes_list(d->accepted, modes, sizeof(modes)));
				assert_int_equal(ret, -EINVAL);
				assert_string_equal(diag.msg, want);
				continue;
			}
			/* Elsewhere only a missing companion can refuse it. */
			if (ret != 0 && !strstr(diag.msg, " needs "))
				fail_msg("%s in mode %u: %s", alone[i], m, diag.msg);
			/* and where the kernel ignores it, the user is told so */
			if (ret == 0 && !(d->modes & (1u << m))) {
				snprintf(
				    want, sizeof(want),
				    "t.conf:10: %s= does not apply to Mode=%s: the kernel uses %s "
				    "only in %s; ",
				    key, mode_names[m], d->kernel,
				    netd_bond_modes_list(d->modes, modes, sizeof(modes)));
				if (!n->warnings || !strstr(n->warnings, want))
					fail_msg("%s in mode %u: no warning '%s' in '%s'", alone[i],
					         m, want, n->warnings ? n->warnings : "");
			}
			netd_network_free(n);
		}
	}
	/* what the kernel refuses, networkd's bond would fail on too */
	parse_err(HEAD "Mode=802.3ad\nPrimary=eth0\n",
	          "t.conf:10: Primary= does not apply to Mode=802.3ad: the kernel uses primary "
	          "only in active-backup, balance-tlb and balance-alb; remove it or choose one of "
	          "those modes");
	parse_err(HEAD "Mode=balance-alb\nARPIntervalSec=1s\n",
	          "t.conf:10: ARPIntervalSec= does not apply to Mode=balance-alb: the kernel uses "
	          "arp_interval only in balance-rr, active-backup, balance-xor and broadcast; "
	          "remove it or choose one of those modes");
	/* what networkd drops or the kernel ignores is a warning (the mode may come after) */
	parse_warns(HEAD "Mode=balance-rr\nLACPTransmitRate=fast\n",
	            "t.conf:10: LACPTransmitRate= does not apply to Mode=balance-rr: the kernel "
	            "uses lacp_rate only in 802.3ad; it is left out, as systemd-networkd leaves it "
	            "out\n");
	parse_warns(HEAD "Mode=balance-alb\nPacketsPerSlave=3\n",
	            "t.conf:10: PacketsPerSlave= does not apply to Mode=balance-alb: the kernel "
	            "uses packets_per_slave only in balance-rr; it is left out, as "
	            "systemd-networkd leaves it out\n");
	parse_warns(HEAD "TransmitHashPolicy=layer2+3\nMode=broadcast\n",
	            "t.conf:9: TransmitHashPolicy= does not apply to Mode=broadcast: the kernel "
	            "uses xmit_hash_policy only in balance-xor, 802.3ad and balance-tlb; it is set "
	            "and has no effect\n");
	parse_warns(HEAD "Mode=active-backup\nMIIMonitorSec=100ms\nUpDelaySec=250ms\n",
	            "t.conf:11: UpDelaySec=250ms is not a multiple of MIIMonitorSec=100ms (line "
	            "10); the kernel rounds it down to 200ms\n");
}

static void bad_values(void **state)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
	    {"MIIMonitorSec=100x", "t.conf:9: invalid MIIMonitorSec '100x': give a time as "
	                           "systemd writes it, e.g. MIIMonitorSec=100ms or "
	                           "MIIMonitorSec=1s (a bare number is seconds), at most "
	                           "2147483647ms"},
	    {"MIIMonitorSec=-1ms", "t.conf:9: invalid MIIMonitorSec '-1ms': give a time as "
	                           "systemd writes it, e.g. MIIMonitorSec=100ms or "
	                           "MIIMonitorSec=1s (a bare number is seconds), at most "
	                           "2147483647ms"},
	    {"UpDelaySec=3000000", "t.conf:9: invalid UpDelaySec '3000000': give a time as "
	                           "systemd writes it, e.g. UpDelaySec=100ms or UpDelaySec=1s (a "
	                           "bare number is seconds), at most 2147483647ms"},
	    {"LearnPacketIntervalSec=1 fortnight",
	     "t.conf:9: invalid LearnPacketIntervalSec '1 fortnight': give a time as systemd "
	     "writes it, from 0s to 2147483s, e.g. LearnPacketIntervalSec=1s"},
	    {"ARPMissedMax=256", "t.conf:9: invalid ARPMissedMax '256': give a whole number from "
	                         "0 to 255"},
	    {"PeerNotifyDelaySec=soon", "t.conf:9: invalid PeerNotifyDelaySec 'soon': give a time "
	                                "as systemd writes it, e.g. PeerNotifyDelaySec=100ms or "
	                                "PeerNotifyDelaySec=1s (a bare number is seconds), at "
	                                "most 2147483647ms"},
	    {"ARPIPTargets=10.0.0.300", "t.conf:9: invalid ARPIPTargets address '10.0.0.300': "
	                                "give IPv4 addresses separated by spaces, e.g. "
	                                "ARPIPTargets=192.168.1.1 192.168.1.2"},
	    {"ARPIPTargets=0.0.0.0", "t.conf:9: ARPIPTargets address 0.0.0.0 cannot be probed; "
	                             "give a host's address"},
	    {"ARPIPTargets=10.0.0.1 10.0.0.1", "t.conf:9: ARPIPTargets= names 10.0.0.1 twice"},
	    {"ARPIPTargets=1.0.0.1 1.0.0.2 1.0.0.3 1.0.0.4 1.0.0.5 1.0.0.6 1.0.0.7 1.0.0.8 "
	     "1.0.0.9 1.0.0.10 1.0.0.11 1.0.0.12 1.0.0.13 1.0.0.14 1.0.0.15 1.0.0.16 1.0.0.17",
	     "t.conf:9: ARPIPTargets= lists more than 16 addresses (the kernel's limit)"},
	    {"ARPValidate=some", "t.conf:9: invalid ARPValidate 'some': use none, active, "
	                         "backup, all, filter, filter_active or filter_backup (or its "
	                         "number, 0-6)"},
	    {"ARPAllTargets=every", "t.conf:9: invalid ARPAllTargets 'every': use any or all (or "
	                            "its number, 0-1)"},
	    {"LACPTransmitRate=1s", "t.conf:9: invalid LACPTransmitRate '1s': use slow or fast "
	                            "(or its number, 0-1)"},
	    {"AdSelect=fastest", "t.conf:9: invalid AdSelect 'fastest': use stable, bandwidth or "
	                         "count (or its number, 0-2)"},
	    {"TransmitHashPolicy=layer4", "t.conf:9: invalid TransmitHashPolicy 'layer4': use "
	                                  "layer2, layer3+4, layer2+3, encap2+3, encap3+4 or "
	                                  "vlan+srcmac (or its number, 0-5)"},
	    {"PrimaryReselectPolicy=never", "t.conf:9: invalid PrimaryReselectPolicy 'never': "
	                                    "use always, better or failure (or its number, "
	                                    "0-2)"},
	    {"FailOverMACPolicy=keep", "t.conf:9: invalid FailOverMACPolicy 'keep': use none, "
	                               "active or follow (or its number, 0-2)"},
	    {"AdActorSystemPriority=0", "t.conf:9: invalid AdActorSystemPriority '0': give a "
	                                "whole number from 1 to 65535"},
	    {"AdUserPortKey=1024", "t.conf:9: invalid AdUserPortKey '1024': give a whole number "
	                           "from 0 to 1023"},
	    {"AdActorSystem=01:00:5e:00:00:01", "t.conf:9: AdActorSystem 01:00:5e:00:00:01 is "
	                                        "not a unicast MAC; the kernel refuses a "
	                                        "multicast or all-zero system id"},
	    {"AdActorSystem=02:00", "t.conf:9: invalid AdActorSystem '02:00': give six hex bytes "
	                            "separated by ':', e.g. AdActorSystem=02:00:00:00:00:01"},
	    {"MinLinks=two", "t.conf:9: invalid MinLinks 'two': give a whole number from 0 to "
	                     "2147483647"},
	    {"ResendIGMP=256", "t.conf:9: invalid ResendIGMP '256': give a whole number from 0 "
	                       "to 255"},
	    {"GratuitousARP=-1", "t.conf:9: invalid GratuitousARP '-1': give a whole number from "
	                         "0 to 255"},
	    {"PacketsPerSlave=65536", "t.conf:9: invalid PacketsPerSlave '65536': give a whole "
	                              "number from 0 to 65535"},
	    {"AllSlavesActive=maybe", "t.conf:9: invalid AllSlavesActive 'maybe': use yes or no"},
	    {"DynamicTransmitLoadBalancing=2", "t.conf:9: invalid DynamicTransmitLoadBalancing "
	                                       "'2': use yes or no"},
	    {"Primary=a/b", "t.conf:9: invalid Primary 'a/b' in [Bond]: an interface name is "
	                    "1-15 bytes without '/', ':' or whitespace"},
	    {"Slaves=eth2", "t.conf:9: Slaves= is given twice in [Bond] (first on line 8); keep "
	                    "one"},
	    {"Mode=", "t.conf:9: Mode= has an empty value; give a value or remove the line"},
	    {"miimon=100", "t.conf:9: unknown key 'miimon' in [Bond]; the keys there are Name, "
	                   "Mode, Slaves, MIIMonitorSec, UpDelaySec, DownDelaySec, ARPIntervalSec, "
	                   "ARPIPTargets, ARPValidate, ARPAllTargets, LACPTransmitRate, AdSelect, "
	                   "AdActorSystemPriority, AdUserPortKey, AdActorSystem, "
	                   "TransmitHashPolicy, Primary, PrimaryReselectPolicy, FailOverMACPolicy, "
	                   "MinLinks, ResendIGMP, GratuitousARP, AllSlavesActive, PacketsPerSlave, "
	                   "LearnPacketIntervalSec, DynamicTransmitLoadBalancing, ARPMissedMax and "
	                   "PeerNotifyDelaySec "
	                   "(case-sensitive)"},
	};
	char text[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), HEAD "%s\n", cases[i].line);
		parse_err(text, cases[i].msg);
	}
}

static void the_section_ties_to_the_network(void **state)
{
	parse_err("[Network]\nName=n\nMode=nat\nBridge=virbr5\nAddress=192.122.5.1/24\n\n"
	          "[Bond]\nName=bond0\nSlaves=eth0\n",
	          "t.conf:7: [Bond] is not allowed for Mode=nat: a bond is the uplink of a bridged "
	          "network; remove the section or use Mode=bridged");
	parse_err("[Network]\nName=n\nMode=internal\nBridge=br5\n[Bond]\nName=bond0\nSlaves=eth0\n",
	          "t.conf:5: [Bond] is not allowed for Mode=internal: a bond is the uplink of a "
	          "bridged network; remove the section or use Mode=bridged");
	parse_err("[Network]\nName=lan\nMode=bridged\nBridge=br0\n[Bond]\nSlaves=eth0\n",
	          "t.conf:5: [Bond] has no Name=; name the bond to create, e.g. Name=bond0");
	parse_err(
	    "[Network]\nName=lan\nMode=bridged\nBridge=br0\n[Bond]\nName=bond0\n",
	    "t.conf:5: [Bond] has no Slaves=; list the NICs to enslave, e.g. Slaves=eth0 eth1");
	parse_err("[Network]\nName=lan\nMode=bridged\nBridge=br0\nUplink=eth0\n"
	          "[Bond]\nName=bond0\nSlaves=eth0 eth1\n",
	          "t.conf:5: Uplink=eth0 is not the bond (Name=bond0, line 7): the bond is the "
	          "network's uplink; write Uplink=bond0 or leave Uplink= out");
	parse_err("[Network]\nName=lan\nMode=bridged\nBridge=br0\n[Bond]\nName=br0\nSlaves=eth0\n",
	          "t.conf:6: the bond's Name=br0 is the network's Bridge= (line 4)");
	parse_err("[Network]\nName=lan\nMode=bridged\nBridge=br0\n[Bond]\nName=bond0\n"
	          "Slaves=eth0 br0\n",
	          "t.conf:7: slave br0 is the network's Bridge= (line 4)");
	parse_err("[Network]\nName=lan\nMode=bridged\nBridge=br0\n[Bond]\nName=bond0\n"
	          "Slaves=eth0 bond0\n",
	          "t.conf:7: slave bond0 is the bond itself (Name=, line 6)");
	parse_err(HEAD "Slaves=\n", "t.conf:9: Slaves= is given twice in [Bond] (first on line 8); "
	                            "keep one");
	parse_err("[Network]\nName=lan\nMode=bridged\nBridge=br0\n[Bond]\nName=bond0\n"
	          "Slaves=eth0 eth1 eth0\n",
	          "t.conf:7: Slaves= names eth0 twice; list each NIC once");
	parse_err("[Network]\nName=lan\nMode=bridged\nBridge=br0\n[Bond]\nName=bond0\n"
	          "Slaves= \t \n",
	          "t.conf:7: Slaves= has an empty value; give a value or remove the line");
	parse_err(HEAD "[Bond]\nMode=1\n",
	          "t.conf:9: section [Bond] appears again (first on line 6); a file defines one "
	          "network, and only [Host] and [Tap] may repeat");
	/* Uplink= naming the bond itself is fine, in either order of sections */
	netd_network_free(parse_ok("[Bond]\nName=bond0\nSlaves=eth0\n[Network]\nName=lan\n"
	                           "Mode=bridged\nBridge=br0\nUplink=bond0\n"));
}

static void files_in_the_test_data(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag diag = {""};
	char path[512];

	snprintf(path, sizeof(path), "%s/config/bond/good_8023ad.conf", NETD_TEST_DATA);
	assert_int_equal(netd_config_parse_file(path, &n, &diag), 0);
	assert_int_equal(n->bond.mode, 4);
	assert_int_equal(n->bond.lacp_rate, 1);
	assert_int_equal(n->bond.xmit_hash_policy, 1);
	assert_string_equal(n->uplink, "bond0");
	netd_network_free(n);

	snprintf(path, sizeof(path), "%s/config/bond/good_active_backup.conf", NETD_TEST_DATA);
	assert_int_equal(netd_config_parse_file(path, &n, &diag), 0);
	assert_int_equal(n->bond.mode, 1);
	assert_string_equal(n->bond.primary, "enp2s0");
	assert_int_equal(n->bond.n_arp_targets, 2);
	assert_string_equal(n->uplink, "bond1");
	netd_network_free(n);

	static const struct {
		const char *file, *msg;
	} bad[] = {
	    {"bad_nat_with_bond.conf", ":7: [Bond] is not allowed for Mode=nat: a bond is the "
	                               "uplink of a bridged network; remove the section or use "
	                               "Mode=bridged"},
	    {"bad_mii_and_arp.conf", ":11: MIIMonitorSec= (line 10) and ARPIntervalSec= (line 11) "
	                             "are both set: a bond watches its links with the MII monitor "
	                             "or the ARP monitor, not both (the kernel refuses the "
	                             "pair); keep one"},
	    {"bad_uplink_not_bond.conf", ":5: Uplink=eth0 is not the bond (Name=bond0, line 8): "
	                                 "the bond is the network's uplink; write Uplink=bond0 or "
	                                 "leave Uplink= out"},
	};
	snprintf(path, sizeof(path), "%s/config/bond/warn_lacp_in_balance_rr.conf", NETD_TEST_DATA);
	assert_int_equal(netd_config_parse_file(path, &n, &diag), 0);
	assert_non_null(n->warnings);
	assert_non_null(strstr(n->warnings, "warn_lacp_in_balance_rr.conf:9: LACPTransmitRate= "
	                                    "does not apply to Mode=balance-rr"));
	assert_false(netd_bond_opt_sent(&n->bond, NETD_BOND_OPT_LACP_RATE));
	netd_network_free(n);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[1024];

		snprintf(path, sizeof(path), "%s/config/bond/%s", NETD_TEST_DATA, bad[i].file);
		snprintf(want, sizeof(want), "%s%s", path, bad[i].msg);
		n = NULL;
		assert_int_equal(netd_config_parse_file(path, &n, &diag), -EINVAL);
		assert_null(n);
		assert_string_equal(diag.msg, want);
	}
}

/*
 * [Bond] sections written for systemd-networkd, as systemd ships them (systemd.netdev(5)'s
 * example and test/test-network/conf/ of systemd's tree), pasted under netd's Name= and
 * Slaves=: each is accepted and sends what networkd's netdev_bond_fill_message_create()
 * sends for it, with the same values.
 */
static void networkd_sections_paste_in(void **state)
{
	static const struct {
		const char *origin, *body;
		unsigned mode;
		int sent[12]; /* the options sent besides Name, Mode and Slaves; -1 ends */
	} cases[] = {
	    {"systemd.netdev(5) example",
	     "Mode=802.3ad\nTransmitHashPolicy=layer3+4\nMIIMonitorSec=1s\nLACPTransmitRate=fast\n",
	     4,
	     {NETD_BOND_OPT_XMIT_HASH_POLICY, NETD_BOND_OPT_MIIMON, NETD_BOND_OPT_LACP_RATE, -1}},
	    {"25-bond.netdev",
	     "Mode=802.3ad\nTransmitHashPolicy=layer3+4\nMIIMonitorSec=1s\nLACPTransmitRate=fast\n"
	     "UpDelaySec=2s\nDownDelaySec=2s\nResendIGMP=4\nMinLinks=1\n",
	     4,
	     {NETD_BOND_OPT_XMIT_HASH_POLICY, NETD_BOND_OPT_MIIMON, NETD_BOND_OPT_LACP_RATE,
	      NETD_BOND_OPT_UPDELAY, NETD_BOND_OPT_DOWNDELAY, NETD_BOND_OPT_RESEND_IGMP,
	      NETD_BOND_OPT_MIN_LINKS, -1}},
	    {"25-bond-balanced-tlb.netdev",
	     "Mode=balance-tlb\nDynamicTransmitLoadBalancing=true\n",
	     5,
	     {NETD_BOND_OPT_TLB_DYNAMIC_LB, -1}},
	    {"25-bond-property.netdev",
	     "Mode=active-backup\nPrimaryReselectPolicy=always\nMIIMonitorSec=1s\nARPMissedMax="
	     "10\n",
	     1,
	     {NETD_BOND_OPT_PRIMARY_RESELECT, NETD_BOND_OPT_MIIMON, NETD_BOND_OPT_ARP_MISSED_MAX,
	      -1}},
	    {"25-bond-fail-over-mac.netdev",
	     "Mode=active-backup\nFailOverMACPolicy=active\nMIIMonitorSec=1s\n",
	     1,
	     {NETD_BOND_OPT_FAIL_OVER_MAC, NETD_BOND_OPT_MIIMON, -1}},
	    {"21-bond-802.3ad.netdev",
	     "Mode=802.3ad\nTransmitHashPolicy=layer3+4\n",
	     4,
	     {NETD_BOND_OPT_XMIT_HASH_POLICY, -1}},
	    /* times without a unit are seconds to networkd: 100 s, 200 s */
	    {"bare seconds",
	     "Mode=active-backup\nMIIMonitorSec=100\nUpDelaySec=200\n",
	     1,
	     {NETD_BOND_OPT_MIIMON, NETD_BOND_OPT_UPDELAY, -1}},
	};
	char text[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct netd_network *n;
		const struct netd_bond *b;

		snprintf(text, sizeof(text), HEAD "%s", cases[i].body);
		n = parse_ok(text);
		b = &n->bond;
		assert_int_equal(b->mode, cases[i].mode);
		for (int o = NETD_BOND_OPT_MIIMON; o < NETD_BOND_OPT_MAX; o++) {
			bool want = false;

			for (size_t k = 0; cases[i].sent[k] >= 0; k++)
				want = want || cases[i].sent[k] == o;
			if (netd_bond_opt_sent(b, o) != want)
				fail_msg("%s: %s %s", cases[i].origin, netd_bond_opt(o)->key,
				         want ? "not sent" : "sent");
		}
		netd_network_free(n);
	}
	/* the values networkd hands the kernel (ms, numbers of its tables) */
	snprintf(text, sizeof(text), HEAD "%s", cases[1].body);
	{
		struct netd_network *n = parse_ok(text);

		assert_int_equal(n->bond.xmit_hash_policy, 1);
		assert_int_equal(n->bond.miimon, 1000);
		assert_int_equal(n->bond.lacp_rate, 1);
		assert_int_equal(n->bond.updelay, 2000);
		assert_int_equal(n->bond.downdelay, 2000);
		assert_int_equal(n->bond.resend_igmp, 4);
		assert_int_equal(n->bond.min_links, 1);
		/* systemd's own test sets an option 802.3ad ignores: accepted, said */
		assert_string_equal(
		    n->warnings,
		    "t.conf:15: ResendIGMP= does not apply to Mode=802.3ad: the kernel "
		    "uses resend_igmp only in balance-rr, active-backup, balance-tlb "
		    "and balance-alb; it is set and has no effect\n");
		netd_network_free(n);
	}
	snprintf(text, sizeof(text), HEAD "%s", cases[6].body);
	{
		struct netd_network *n = parse_ok(text);

		assert_int_equal(n->bond.miimon, 100000);
		assert_int_equal(n->bond.updelay, 200000);
		netd_network_free(n);
	}
	snprintf(text, sizeof(text), HEAD "%s", cases[3].body);
	{
		struct netd_network *n = parse_ok(text);

		assert_int_equal(n->bond.arp_missed_max, 10);
		netd_network_free(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_bond_becomes_the_uplink),
	    cmocka_unit_test(every_mode_by_name_and_number),
	    cmocka_unit_test(every_option_parses_to_the_kernels_value),
	    cmocka_unit_test(every_option_alone_is_refused_only_where_the_kernel_refuses_it),
	    cmocka_unit_test(bad_values),
	    cmocka_unit_test(the_section_ties_to_the_network),
	    cmocka_unit_test(files_in_the_test_data),
	    cmocka_unit_test(networkd_sections_paste_in),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
