/*
 * The typed parsers the config's sections share, through the real parser: for each, values
 * taken (and what they become) and values refused with the exact file:line message, in every
 * section that uses it. Also the model's rule of a guest's address, and the two places where
 * [Host] and [Tap] used to disagree.
 */
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
#include "netd/config.h"

#define NET_INTERNAL "[Network]\nName=n\nMode=internal\nBridge=b0\n" /* 4 lines */
#define NET_DHCP                                                                                   \
	"[Network]\nName=n\nMode=nat\nBridge=b0\nAddress=10.0.0.1/24\n[DHCP]\n"                    \
	"Range=10.0.0.2 10.0.0.9\n"                                             /* 7 lines */
#define NET_BRIDGED "[Network]\nName=n\nMode=bridged\nBridge=b0\n[Bond]\n"      /* 5 lines */
#define BOND(mode)  NET_BRIDGED "Name=bond0\nSlaves=eth0 eth1\nMode=" mode "\n" /* 8 lines */

static struct netd_network *parse_ok(const char *fmt, const char *v)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};
	char text[1024];

	snprintf(text, sizeof(text), fmt, v);
	if (netd_config_parse_string(text, "t.conf", &n, &d) != 0)
		fail_msg("'%s' refused: %s\n--- text ---\n%s", v, d.msg, text);
	return n;
}

/* want is a format taking the value once. */
static void parse_err(const char *fmt, const char *v, const char *want_fmt)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};
	char text[1024], want[1024];

	snprintf(text, sizeof(text), fmt, v);
	snprintf(want, sizeof(want), want_fmt, v);
	if (netd_config_parse_string(text, "t.conf", &n, &d) != -EINVAL) {
		netd_network_free(n);
		fail_msg("'%s' accepted, wanted: %s", v, want);
	}
	assert_null(n);
	assert_string_equal(d.msg, want);
}

#define N(a) (sizeof(a) / sizeof(a[0]))

static void network_name(void **state)
{
	static const char *const good[] = {"a", "lab_1-X", "abcdefghijabcdefghijabcdefghij1"};
	static const char *const bad[] = {"a b", "a.b", "abcdefghijabcdefghijabcdefghij12",
	                                  "\xc3\xa9t\xc3\xa9"};
	const char *fmt = "[Network]\nName=%s\nMode=internal\nBridge=b0\n";

	for (size_t i = 0; i < N(good); i++) {
		struct netd_network *n = parse_ok(fmt, good[i]);

		assert_string_equal(n->name, good[i]);
		netd_network_free(n);
	}
	for (size_t i = 0; i < N(bad); i++)
		parse_err(fmt, bad[i],
		          "t.conf:2: invalid Name '%s': use 1-31 letters, digits, '_' or '-'");
}

static void interface_names(void **state)
{
	static const char *const good[] = {"b0", "abcdefghijklmno", "br-lan.1", "x@y"};
	static const char *const bad[] = {"a/b", "a:b", ".", "..", "abcdefghijklmnop"};
	static const struct {
		const char *fmt, *want;
	} where[] = {
	    {"[Network]\nName=n\nMode=internal\nBridge=%s\n",
	     "t.conf:4: invalid Bridge '%s': an interface name is 1-15 bytes without '/', ':' or "
	     "whitespace"},
	    {"[Network]\nName=n\nMode=bridged\nBridge=b0\nUplink=%s\n",
	     "t.conf:5: invalid Uplink '%s': an interface name is 1-15 bytes without '/', ':' or "
	     "whitespace"},
	    {NET_BRIDGED "Name=%s\nSlaves=eth0\n",
	     "t.conf:6: invalid Name '%s' in [Bond]: an interface name is 1-15 bytes without '/', "
	     "':' or whitespace"},
	    {BOND("active-backup") "Primary=%s\n",
	     "t.conf:9: invalid Primary '%s' in [Bond]: an interface name is 1-15 bytes without "
	     "'/', ':' or whitespace"},
	    {NET_BRIDGED "Name=bond0\nSlaves=eth0 %s\n",
	     "t.conf:7: invalid slave '%s' in [Bond]: an interface name is 1-15 bytes without '/', "
	     "':' or whitespace"},
	    {NET_INTERNAL "[Tap]\nName=%s\n",
	     "t.conf:6: invalid Name '%s' in [Tap]: the tap's interface name is 1-15 bytes without "
	     "'/', ':' or whitespace"},
	};

	for (size_t w = 0; w < N(where); w++) {
		for (size_t i = 0; i < N(good); i++) {
			/* a good name may still clash with the rest of the file; never its syntax
			 */
			struct netd_network *n = NULL;
			struct netd_diag d = {""};
			char text[512];

			snprintf(text, sizeof(text), where[w].fmt, good[i]);
			if (netd_config_parse_string(text, "t.conf", &n, &d) != 0 &&
			    strstr(d.msg, "invalid"))
				fail_msg("'%s' refused: %s", good[i], d.msg);
			netd_network_free(n);
		}
		for (size_t i = 0; i < N(bad); i++)
			parse_err(where[w].fmt, bad[i], where[w].want);
	}
}

static void host_names(void **state)
{
	static const char *const good[] = {
	    "vm1", "A-1", "x", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123"};
	static const char *const bad[] = {
	    "-vm",      "vm-",
	    "vm_1",     "vm.example",
	    "\xc3\xa9", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"};
	const char *fmt = NET_DHCP "[Host]\nMAC=52:54:00:00:00:01\nName=%s\n";

	for (size_t i = 0; i < N(good); i++) {
		struct netd_network *n = parse_ok(fmt, good[i]);

		assert_string_equal(n->hosts[0].name, good[i]);
		netd_network_free(n);
	}
	for (size_t i = 0; i < N(bad); i++)
		parse_err(fmt, bad[i],
		          "t.conf:10: invalid Name '%s' in [Host]: a host name is 1-63 letters, "
		          "digits or '-', and does not start or end with '-'");
}

static void ipv4_addresses(void **state)
{
	static const char *const bad[] = {"10.0.0.20/24", "10.0.0", "10.0.0.256", "010.0.0.20"};
	struct netd_network *n;

	n = parse_ok(NET_DHCP "[Host]\nMAC=52:54:00:00:00:01\nAddress=%s\n", "10.0.0.20");
	assert_int_equal(ntohl(n->hosts[0].addr.s_addr), 0x0a000014);
	netd_network_free(n);
	n = parse_ok(NET_DHCP "[Tap]\nName=t0\nAddress=%s\n", "10.0.0.9");
	assert_int_equal(ntohl(n->taps[0].addr.s_addr), 0x0a000009);
	netd_network_free(n);
	for (size_t i = 0; i < N(bad); i++) {
		parse_err(
		    NET_DHCP "[Host]\nMAC=52:54:00:00:00:01\nAddress=%s\n", bad[i],
		    "t.conf:10: invalid Address '%s' in [Host]: give one IPv4 address without "
		    "a prefix length, e.g. Address=192.122.1.10");
		parse_err(
		    NET_DHCP "[Tap]\nName=t0\nAddress=%s\n", bad[i],
		    "t.conf:10: invalid Address '%s' in [Tap]: give one IPv4 address without a "
		    "prefix length, e.g. Address=192.122.1.10");
	}
}

static void host_prefix_with_limits(void **state)
{
	const char *fmt = "[Network]\nName=n\nMode=nat\nBridge=b0\nAddress=%s\n";
	struct netd_network *n;

	n = parse_ok(fmt, "10.1.2.3/8");
	assert_int_equal(n->address.len, 8);
	assert_int_equal(ntohl(n->address.addr.s_addr), 0x0a010203);
	assert_true(n->has_address);
	netd_network_free(n);
	netd_network_free(parse_ok(fmt, "10.0.0.1/30"));
	parse_err(fmt, "10.0.0.1/7",
	          "t.conf:5: Address %s: a /7 subnet is far too wide for a virtual network; use a "
	          "prefix length between 8 and 30");
	parse_err(fmt, "10.0.0.1/31",
	          "t.conf:5: Address %s: a /31 subnet leaves no address for guests; use a prefix "
	          "length between 8 and 30");
	parse_err(fmt, "10.0.0.1",
	          "t.conf:5: invalid Address '%s': give the host's IPv4 address with its prefix "
	          "length, e.g. Address=192.122.1.1/24");
	parse_err(fmt, "10.0.0.1/33",
	          "t.conf:5: invalid Address '%s': give the host's IPv4 address with its prefix "
	          "length, e.g. Address=192.122.1.1/24");
	parse_err(fmt, "10.0.0.4/30",
	          "t.conf:5: Address %s is the network address of 10.0.0.4/30; use a host address "
	          "such as 10.0.0.5/30");
	parse_err(fmt, "10.0.0.7/30",
	          "t.conf:5: Address %s is the broadcast address of 10.0.0.4/30; use a host "
	          "address such as 10.0.0.5/30");
}

static void macs(void **state)
{
	static const char *const bad[] = {"52:54:00:ab:cd", "52-54-00-ab-cd-01",
	                                  "52:54:00:ab:cd:0g",
	                                  "52:54:00:ab:cd:01:", "5:54:00:ab:cd:012"};
	struct netd_network *n;

	n = parse_ok(NET_DHCP "[Host]\nMAC=%s\n", "52:54:00:AB:cd:01");
	assert_memory_equal(n->hosts[0].mac, "\x52\x54\x00\xab\xcd\x01", 6);
	netd_network_free(n);
	n = parse_ok(BOND("802.3ad") "AdActorSystem=%s\n", "02:00:00:00:00:0A");
	assert_memory_equal(n->bond.ad_actor_system, "\x02\x00\x00\x00\x00\x0a", 6);
	netd_network_free(n);
	for (size_t i = 0; i < N(bad); i++) {
		parse_err(NET_DHCP "[Host]\nMAC=%s\n", bad[i],
		          "t.conf:9: invalid MAC '%s': give six hex bytes separated by ':', e.g. "
		          "MAC=52:54:00:12:34:56");
		parse_err(BOND("802.3ad") "AdActorSystem=%s\n", bad[i],
		          "t.conf:9: invalid AdActorSystem '%s': give six hex bytes separated by "
		          "':', e.g. AdActorSystem=02:00:00:00:00:01");
		parse_err(
		    NET_INTERNAL "[Tap]\nName=t0\nMAC=%s\n", bad[i],
		    "t.conf:7: invalid MAC '%s' in [Tap]: give a unicast MAC whose first byte "
		    "is not fe (the host side's), e.g. MAC=52:54:00:12:34:56");
	}
	/* A MAC of the right form that the use refuses. */
	parse_err(BOND("802.3ad") "AdActorSystem=%s\n", "01:00:00:00:00:01",
	          "t.conf:9: AdActorSystem %s is not a unicast MAC; the kernel refuses a multicast "
	          "or all-zero system id");
	parse_err(BOND("802.3ad") "AdActorSystem=%s\n", "00:00:00:00:00:00",
	          "t.conf:9: AdActorSystem %s is not a unicast MAC; the kernel refuses a multicast "
	          "or all-zero system id");
	parse_err(NET_INTERNAL "[Tap]\nName=t0\nMAC=%s\n", "00:00:00:00:00:00",
	          "t.conf:7: invalid MAC '%s' in [Tap]: give a unicast MAC whose first byte is not "
	          "fe (the host side's), e.g. MAC=52:54:00:12:34:56");
}

static void booleans(void **state)
{
	static const struct {
		const char *s;
		int v;
	} good[] = {{"yes", 1}, {"No", 0}, {"TRUE", 1}, {"false", 0}, {"on", 1}, {"OFF", 0},
	            {"1", 1},   {"0", 0},  {"y", 1},    {"N", 0},     {"t", 1},  {"f", 0}};
	/* systemd's parse_boolean() words, as a networkd file has them, and nothing else */
	static const char *const bad[] = {"2", "ye", "enable", "yes!", "01"};

	for (size_t i = 0; i < N(good); i++) {
		struct netd_network *n = parse_ok(NET_INTERNAL "Autostart=%s\n", good[i].s);

		assert_int_equal(n->autostart, good[i].v);
		netd_network_free(n);
		n = parse_ok(BOND("balance-rr") "AllSlavesActive=%s\n", good[i].s);
		assert_int_equal(n->bond.all_slaves_active, good[i].v);
		netd_network_free(n);
		n = parse_ok(BOND("balance-tlb") "DynamicTransmitLoadBalancing=%s\n", good[i].s);
		assert_int_equal(n->bond.tlb_dynamic_lb, good[i].v);
		netd_network_free(n);
		n = parse_ok(NET_INTERNAL "GuestSourceCheck=%s\n", good[i].s);
		assert_int_equal(n->guest_source_check, good[i].v);
		netd_network_free(n);
	}
	for (size_t i = 0; i < N(bad); i++) {
		parse_err(NET_INTERNAL "Autostart=%s\n", bad[i],
		          "t.conf:5: invalid Autostart '%s': use yes or no");
		parse_err(NET_INTERNAL "GuestSourceCheck=%s\n", bad[i],
		          "t.conf:5: invalid GuestSourceCheck '%s': use yes or no");
		parse_err(BOND("balance-rr") "AllSlavesActive=%s\n", bad[i],
		          "t.conf:9: invalid AllSlavesActive '%s': use yes or no");
	}
}

/* GuestSourceCheck= is on unless a file turns it off, in every mode. */
static void guest_source_check_defaults_to_yes(void **state)
{
	struct netd_network *n = parse_ok(NET_INTERNAL "%s", "");

	assert_true(n->guest_source_check);
	netd_network_free(n);
	n = parse_ok(NET_INTERNAL "GuestSourceCheck=no\nAutostart=%s\n", "yes");
	assert_false(n->guest_source_check);
	netd_network_free(n);
	parse_err(NET_INTERNAL "GuestSourceCheck=yes\nGuestSourceCheck=%s\n", "no",
	          "t.conf:6: GuestSourceCheck= is given twice in [Network] (first on line 5); "
	          "keep one");
	parse_err("[Network]\nName=n\nMode=internal\nBridge=b0\n[DHCP]\nGuestSourceCheck=%s\n",
	          "no",
	          "t.conf:6: unknown key 'GuestSourceCheck' in [DHCP]; the keys there are Range "
	          "and LeaseTime (case-sensitive)");
}

static void numbers_with_limits(void **state)
{
	static const char *const not_numbers[] = {"+1",   "-1", "1.0",
	                                          "0x10", "1k", "99999999999999999999999"};
	struct netd_network *n;

	n = parse_ok(NET_INTERNAL "[Tap]\nName=t0\nQueues=%s\n", "256");
	assert_int_equal(n->taps[0].queues, 256);
	netd_network_free(n);
	n = parse_ok(NET_INTERNAL "[Tap]\nName=t0\nQueues=%s\n", "007");
	assert_int_equal(n->taps[0].queues, 7);
	netd_network_free(n);
	n = parse_ok(BOND("802.3ad") "AdActorSystemPriority=%s\n", "1");
	assert_int_equal(n->bond.ad_actor_sys_prio, 1);
	netd_network_free(n);
	n = parse_ok(BOND("802.3ad") "MinLinks=%s\n", "2147483647");
	assert_int_equal(n->bond.min_links, 2147483647);
	netd_network_free(n);
	n = parse_ok(BOND("balance-rr") "PacketsPerSlave=%s\n", "65535");
	assert_int_equal(n->bond.packets_per_slave, 65535);
	netd_network_free(n);

	for (size_t i = 0; i < N(not_numbers); i++) {
		parse_err(NET_INTERNAL "[Tap]\nName=t0\nQueues=%s\n", not_numbers[i],
		          "t.conf:7: invalid Queues '%s' in [Tap]: give a number from 1 to 256");
		parse_err(
		    BOND("802.3ad") "AdUserPortKey=%s\n", not_numbers[i],
		    "t.conf:9: invalid AdUserPortKey '%s': give a whole number from 0 to 1023");
	}
	parse_err(NET_INTERNAL "[Tap]\nName=t0\nQueues=%s\n", "0",
	          "t.conf:7: invalid Queues '%s' in [Tap]: give a number from 1 to 256");
	parse_err(NET_INTERNAL "[Tap]\nName=t0\nQueues=%s\n", "257",
	          "t.conf:7: invalid Queues '%s' in [Tap]: give a number from 1 to 256");
	parse_err(BOND("802.3ad") "AdActorSystemPriority=%s\n", "0",
	          "t.conf:9: invalid AdActorSystemPriority '%s': give a whole number from 1 to "
	          "65535");
	parse_err(BOND("802.3ad") "AdActorSystemPriority=%s\n", "65536",
	          "t.conf:9: invalid AdActorSystemPriority '%s': give a whole number from 1 to "
	          "65535");
	parse_err(BOND("802.3ad") "MinLinks=%s\n", "2147483648",
	          "t.conf:9: invalid MinLinks '%s': give a whole number from 0 to 2147483647");
	parse_err(BOND("active-backup") "GratuitousARP=%s\n", "256",
	          "t.conf:9: invalid GratuitousARP '%s': give a whole number from 0 to 255");
}

/* Times as systemd writes them: a bare number is seconds (MIIMonitorSec=100 is 100 s to
 * networkd), components add up, and what is below a millisecond is dropped as networkd drops
 * it when it hands the kernel milliseconds. */
static void times_in_ms(void **state)
{
	static const struct {
		const char *s;
		unsigned ms;
	} good[] = {{"0", 0},
	            {"100ms", 100},
	            {"2s", 2000},
	            {"0s", 0},
	            {"100", 100000},
	            {"1.5s", 1500},
	            {"1m", 60000},
	            {"100 ms", 100},
	            {"1s 500ms", 1500},
	            {"1min30s", 90000},
	            {"250us", 0},
	            {"1500usec", 1},
	            {"2147483647ms", 2147483647},
	            {".5s", 500}};
	static const char *const bad[] = {
	    "ms", "-1s",    "2147484s", "2147483648ms", "infinity",
	    "1x", "1s foo", "1,5s",     "1 2 x",        "99999999999999999999s"};

	for (size_t i = 0; i < N(good); i++) {
		struct netd_network *n =
		    parse_ok(BOND("balance-rr") "MIIMonitorSec=%s\n", good[i].s);

		assert_int_equal(n->bond.miimon, good[i].ms);
		netd_network_free(n);
	}
	for (size_t i = 0; i < N(bad); i++) {
		parse_err(
		    BOND("balance-rr") "MIIMonitorSec=%s\n", bad[i],
		    "t.conf:9: invalid MIIMonitorSec '%s': give a time as systemd writes it, "
		    "e.g. MIIMonitorSec=100ms or MIIMonitorSec=1s (a bare number is seconds), "
		    "at most 2147483647ms");
		parse_err(
		    BOND("balance-rr") "ARPIntervalSec=%s\n", bad[i],
		    "t.conf:9: invalid ARPIntervalSec '%s': give a time as systemd writes it, "
		    "e.g. ARPIntervalSec=100ms or ARPIntervalSec=1s (a bare number is seconds), "
		    "at most 2147483647ms");
	}
}

static void times_in_whole_seconds(void **state)
{
	static const struct {
		const char *s;
		unsigned secs;
	} good[] = {{"1s", 1}, {"1000ms", 1}, {"30s", 30}, {"2147483s", 2147483},
	            {"5", 5},  {"1500ms", 1}, {"1m", 60},  {"0", 0}};
	static const char *const bad[] = {"2147484s", "x", "-1", "1 x"};

	for (size_t i = 0; i < N(good); i++) {
		struct netd_network *n =
		    parse_ok(BOND("balance-alb") "LearnPacketIntervalSec=%s\n", good[i].s);

		assert_int_equal(n->bond.lp_interval, good[i].secs);
		netd_network_free(n);
	}
	for (size_t i = 0; i < N(bad); i++)
		parse_err(BOND("balance-alb") "LearnPacketIntervalSec=%s\n", bad[i],
		          "t.conf:9: invalid LearnPacketIntervalSec '%s': give a time as systemd "
		          "writes it, from 0s to 2147483s, e.g. LearnPacketIntervalSec=1s");
}

static void enum_tables(void **state)
{
	struct netd_network *n;

	/* the kernel's tables: a name or its number, case-sensitive */
	n = parse_ok(BOND("balance-rr") "ARPIntervalSec=1s\nARPIPTargets=10.0.0.1\n"
	                                "ARPValidate=%s\n",
	             "6");
	assert_int_equal(n->bond.arp_validate, 6);
	netd_network_free(n);
	n = parse_ok(BOND("802.3ad") "LACPTransmitRate=%s\n", "fast");
	assert_int_equal(n->bond.lacp_rate, 1);
	netd_network_free(n);
	parse_err(BOND("802.3ad") "LACPTransmitRate=%s\n", "Fast",
	          "t.conf:9: invalid LACPTransmitRate '%s': use slow or fast (or its number, 0-1)");
	parse_err(BOND("802.3ad") "LACPTransmitRate=%s\n", "01",
	          "t.conf:9: invalid LACPTransmitRate '%s': use slow or fast (or its number, 0-1)");
	parse_err(BOND("802.3ad") "AdSelect=%s\n", "3",
	          "t.conf:9: invalid AdSelect '%s': use stable, bandwidth or count (or its number, "
	          "0-2)");
	/* the model's: names only, any case */
	n = parse_ok("[Network]\nName=n\nMode=%s\nBridge=b0\n", "INTERNAL");
	assert_int_equal(n->mode, NETD_MODE_INTERNAL);
	netd_network_free(n);
	parse_err("[Network]\nName=n\nMode=%s\nBridge=b0\n", "routed",
	          "t.conf:3: unknown Mode '%s': use nat, bridged, hostonly or internal");
	parse_err("[Network]\nName=n\nMode=%s\nBridge=b0\n", "0",
	          "t.conf:3: unknown Mode '%s': use nat, bridged, hostonly or internal");
	n = parse_ok(NET_INTERNAL "[Policy]\nVMToVM=%s\n", "Allow");
	assert_int_equal(n->policy[NETD_CELL_VM_TO_VM], NETD_POLICY_ALLOW);
	assert_true(n->policy_set[NETD_CELL_VM_TO_VM]);
	assert_int_equal(n->policy_line[NETD_CELL_VM_TO_VM], 6);
	assert_false(n->policy_set[NETD_CELL_VM_TO_HOST]);
	netd_network_free(n);
	parse_err(NET_INTERNAL "[Policy]\nVMToVM=%s\n", "permit",
	          "t.conf:6: invalid VMToVM '%s': use allow or deny");
	parse_err(NET_INTERNAL "[Policy]\nHostToVM=%s\n", "1",
	          "t.conf:6: invalid HostToVM '%s': use allow or deny");
}

static void guest_address_rule(void **state)
{
	struct netd_prefix sub = {.len = 24};
	static const struct {
		const char *ip;
		enum netd_guest_addr want;
	} cases[] = {
	    {"10.0.0.20", NETD_GUEST_ADDR_OK},         {"10.0.0.254", NETD_GUEST_ADDR_OK},
	    {"10.0.1.20", NETD_GUEST_ADDR_OUTSIDE},    {"0.0.0.0", NETD_GUEST_ADDR_OUTSIDE},
	    {"10.0.0.1", NETD_GUEST_ADDR_HOST},        {"10.0.0.0", NETD_GUEST_ADDR_NETWORK},
	    {"10.0.0.255", NETD_GUEST_ADDR_BROADCAST},
	};
	struct in_addr a;

	inet_pton(AF_INET, "10.0.0.1", &sub.addr);
	for (size_t i = 0; i < N(cases); i++) {
		inet_pton(AF_INET, cases[i].ip, &a);
		assert_int_equal(netd_guest_addr_check(&sub, a), cases[i].want);
	}
}

/*
 * [Host] and [Tap] Address= now share one rule. Where they disagreed, [Host]'s won: a [Tap]
 * names the network or the broadcast address as what it is (it said "network or broadcast"),
 * and a [Tap] Address=0.0.0.0 is refused like any address outside the subnet (it read as no
 * address at all).
 */
static void host_and_tap_addresses_follow_one_rule(void **state)
{
	static const struct {
		const char *ip, *want;
	} cases[] = {
	    {"10.0.1.9", "%s address 10.0.1.9 is not inside the subnet 10.0.0.0/24"},
	    {"10.0.0.1", "%s address 10.0.0.1 is the host's own address (line 5); give the guest "
	                 "another one"},
	    {"10.0.0.0", "%s address 10.0.0.0 is the network address of 10.0.0.0/24"},
	    {"10.0.0.255", "%s address 10.0.0.255 is the broadcast address of 10.0.0.0/24"},
	    {"0.0.0.0", "%s address 0.0.0.0 is not inside the subnet 10.0.0.0/24"},
	};
	char want[256], fmt[256];

	for (size_t i = 0; i < N(cases); i++) {
		snprintf(fmt, sizeof(fmt), "t.conf:10: %s", cases[i].want);
		snprintf(want, sizeof(want), fmt, "host");
		parse_err(NET_DHCP "[Host]\nMAC=52:54:00:00:00:01\nAddress=%s\n", cases[i].ip,
		          want);
		snprintf(want, sizeof(want), fmt, "tap");
		parse_err(NET_DHCP "[Tap]\nName=t0\nAddress=%s\n", cases[i].ip, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(network_name),
	    cmocka_unit_test(interface_names),
	    cmocka_unit_test(host_names),
	    cmocka_unit_test(ipv4_addresses),
	    cmocka_unit_test(host_prefix_with_limits),
	    cmocka_unit_test(macs),
	    cmocka_unit_test(booleans),
	    cmocka_unit_test(guest_source_check_defaults_to_yes),
	    cmocka_unit_test(numbers_with_limits),
	    cmocka_unit_test(times_in_ms),
	    cmocka_unit_test(times_in_whole_seconds),
	    cmocka_unit_test(enum_tables),
	    cmocka_unit_test(guest_address_rule),
	    cmocka_unit_test(host_and_tap_addresses_follow_one_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
