/*
 * The key tables round-trip: every key of every section is accepted once, refused when given
 * twice and when empty, and taken again in a new [Host] or [Tap]; an unknown key names the
 * section's keys. The keys are written out here rather than taken from the code under test,
 * so a key added, lost or reordered in the table shows up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netd/config.h"

static const struct {
	const char *name;
	const char *keys; /* as the unknown-key message lists them */
} sections[] = {
    {"Network", "Name, Mode, Bridge, Address, Autostart, Uplink, GuestSourceCheck, MTU, "
                "NATAddress, NATPorts and IPv6NAT"},
    {"DHCP", "Range, LeaseTime, Router, DNS, NTP, Option, BootFile and NextServer"},
    {"Host", "MAC, Address and Name"},
    {"Policy", "VMToHost, HostToVM, VMToOutside, OutsideToVM and VMToVM"},
    {"Tap", "Name, MAC, Address, Owner, Group and Queues"},
    {"VXLAN", "VNI"},
    {"Bond", "Name, Mode, Slaves, MIIMonitorSec, UpDelaySec, DownDelaySec, ARPIntervalSec, "
             "ARPIPTargets, ARPValidate, ARPAllTargets, LACPTransmitRate, AdSelect, "
             "AdActorSystemPriority, AdUserPortKey, AdActorSystem, TransmitHashPolicy, Primary, "
             "PrimaryReselectPolicy, FailOverMACPolicy, MinLinks, ResendIGMP, GratuitousARP, "
             "AllSlavesActive, PacketsPerSlave, LearnPacketIntervalSec, "
             "DynamicTransmitLoadBalancing, ARPMissedMax and PeerNotifyDelaySec"},
    {"DNS", "Enable, Domain, LocalOnly and Forwarders"},
    {"DNSRecord", "Type, Name and Value"},
    {"Forward", "Protocol, HostPort, GuestAddress, GuestPort and HostAddress"},
};

#define NET_INTERNAL "[Network]\nName=n\nMode=internal\nBridge=b0\n"
#define NET_NAT      "[Network]\nName=n\nMode=nat\nBridge=b0\nAddress=10.0.0.1/24\n"
#define NET_DHCP     NET_NAT "[DHCP]\nRange=10.0.0.2 10.0.0.9\n"
#define NET_BRIDGED  "[Network]\nName=n\nMode=bridged\nBridge=b0\n"
#define FWD          NET_NAT "[Forward]\n"
#define BOND(mode)   NET_BRIDGED "[Bond]\nName=bond0\nSlaves=eth0 eth1\nMode=" mode "\n"

/* One key each, in table order: the file before its line, the line, the file after it. */
static const struct {
	const char *section, *before, *line, *after;
} samples[] = {
    {"Network", "[Network]\n", "Name=n", "Mode=internal\nBridge=b0\n"},
    {"Network", "[Network]\nName=n\n", "Mode=internal", "Bridge=b0\n"},
    {"Network", "[Network]\nName=n\nMode=internal\n", "Bridge=b0", ""},
    {"Network", "[Network]\nName=n\nMode=nat\nBridge=b0\n", "Address=10.0.0.1/24", ""},
    {"Network", NET_INTERNAL, "Autostart=no", ""},
    {"Network", NET_BRIDGED, "Uplink=eth0", ""},
    {"Network", NET_INTERNAL, "GuestSourceCheck=no", ""},
    {"Network", NET_INTERNAL, "MTU=1400", ""},
    {"Network", NET_NAT, "NATAddress=203.0.113.2", ""},
    {"Network", NET_NAT, "NATPorts=2000-2999", ""},
    {"Network", NET_NAT "Address=fd42::1/64\n", "IPv6NAT=no", ""},
    {"DHCP", NET_NAT "[DHCP]\n", "Range=10.0.0.2 10.0.0.9", ""},
    {"DHCP", NET_DHCP, "LeaseTime=1h", ""},
    {"DHCP", NET_DHCP, "Router=10.0.0.254", ""},
    {"DHCP", NET_DHCP, "DNS=10.0.0.53", ""},
    {"DHCP", NET_DHCP, "NTP=10.0.0.123", ""},
    {"DHCP", NET_DHCP, "Option=domain-search,lab.example", ""},
    {"DHCP", NET_DHCP, "BootFile=pxelinux.0", ""},
    {"DHCP", NET_DHCP "BootFile=pxelinux.0\n", "NextServer=10.0.0.5", ""},
    {"Host", NET_DHCP "[Host]\n", "MAC=52:54:00:00:00:01", ""},
    {"Host", NET_DHCP "[Host]\nMAC=52:54:00:00:00:01\n", "Address=10.0.0.20", ""},
    {"Host", NET_DHCP "[Host]\nMAC=52:54:00:00:00:01\n", "Name=vm1", ""},
    /* nat's own values, which every mode lets a file say */
    {"Policy", NET_NAT "[Policy]\n", "VMToHost=allow", ""},
    {"Policy", NET_NAT "[Policy]\n", "HostToVM=deny", ""},
    {"Policy", NET_NAT "[Policy]\n", "VMToOutside=allow", ""},
    {"Policy", NET_NAT "[Policy]\n", "OutsideToVM=deny", ""},
    {"Policy", NET_NAT "[Policy]\n", "VMToVM=allow", ""},
    {"Tap", NET_INTERNAL "[Tap]\n", "Name=t0", ""},
    {"Tap", NET_INTERNAL "[Tap]\nName=t0\n", "MAC=52:54:00:00:00:02", ""},
    {"Tap", NET_DHCP "[Tap]\nName=t0\n", "Address=10.0.0.30", ""},
    {"Tap", NET_INTERNAL "[Tap]\nName=t0\n", "Owner=alice", ""},
    {"Tap", NET_INTERNAL "[Tap]\nName=t0\n", "Group=kvm", ""},
    {"Tap", NET_INTERNAL "[Tap]\nName=t0\n", "Queues=4", ""},
    {"VXLAN", NET_INTERNAL "[VXLAN]\n", "VNI=100", ""},
    {"Bond", NET_BRIDGED "[Bond]\n", "Name=bond0", "Slaves=eth0\n"},
    {"Bond", NET_BRIDGED "[Bond]\nName=bond0\nSlaves=eth0\n", "Mode=active-backup", ""},
    {"Bond", NET_BRIDGED "[Bond]\nName=bond0\n", "Slaves=eth0 eth1", ""},
    {"Bond", BOND("balance-rr"), "MIIMonitorSec=100ms", ""},
    {"Bond", BOND("balance-rr") "MIIMonitorSec=100ms\n", "UpDelaySec=200ms", ""},
    {"Bond", BOND("balance-rr") "MIIMonitorSec=100ms\n", "DownDelaySec=200ms", ""},
    {"Bond", BOND("balance-rr") "ARPIPTargets=10.0.0.1\n", "ARPIntervalSec=1s", ""},
    {"Bond", BOND("balance-rr") "ARPIntervalSec=1s\n", "ARPIPTargets=10.0.0.1", ""},
    {"Bond", BOND("balance-rr") "ARPIntervalSec=1s\nARPIPTargets=10.0.0.1\n", "ARPValidate=all",
     ""},
    {"Bond", BOND("balance-rr") "ARPIntervalSec=1s\nARPIPTargets=10.0.0.1\n", "ARPAllTargets=any",
     ""},
    {"Bond", BOND("802.3ad"), "LACPTransmitRate=fast", ""},
    {"Bond", BOND("802.3ad"), "AdSelect=count", ""},
    {"Bond", BOND("802.3ad"), "AdActorSystemPriority=100", ""},
    {"Bond", BOND("802.3ad"), "AdUserPortKey=5", ""},
    {"Bond", BOND("802.3ad"), "AdActorSystem=02:00:00:00:00:01", ""},
    {"Bond", BOND("balance-xor"), "TransmitHashPolicy=layer3+4", ""},
    {"Bond", BOND("active-backup"), "Primary=eth0", ""},
    {"Bond", BOND("active-backup") "Primary=eth0\n", "PrimaryReselectPolicy=better", ""},
    {"Bond", BOND("active-backup"), "FailOverMACPolicy=active", ""},
    {"Bond", BOND("802.3ad"), "MinLinks=1", ""},
    {"Bond", BOND("balance-rr"), "ResendIGMP=1", ""},
    {"Bond", BOND("active-backup"), "GratuitousARP=1", ""},
    {"Bond", BOND("balance-rr"), "AllSlavesActive=yes", ""},
    {"Bond", BOND("balance-rr"), "PacketsPerSlave=2", ""},
    {"Bond", BOND("balance-tlb"), "LearnPacketIntervalSec=1s", ""},
    {"Bond", BOND("balance-tlb"), "DynamicTransmitLoadBalancing=no", ""},
    {"Bond", BOND("active-backup"), "ARPMissedMax=10", ""},
    {"Bond", BOND("active-backup"), "PeerNotifyDelaySec=100ms", ""},
    {"DNS", NET_NAT "[DNS]\n", "Enable=yes", ""},
    {"DNS", NET_NAT "[DNS]\n", "Domain=lab.example", ""},
    {"DNS", NET_NAT "[DNS]\nDomain=lab.example\n", "LocalOnly=no", ""},
    {"DNS", NET_NAT "[DNS]\n", "Forwarders=192.0.2.53", ""},
    {"DNSRecord", NET_NAT "[DNSRecord]\n", "Type=A", "Name=www\nValue=10.0.0.80\n"},
    {"DNSRecord", NET_NAT "[DNSRecord]\nType=A\n", "Name=www", "Value=10.0.0.80\n"},
    {"DNSRecord", NET_NAT "[DNSRecord]\nType=A\nName=www\n", "Value=10.0.0.80", ""},
    {"Forward", FWD, "Protocol=udp", "HostPort=53\nGuestAddress=10.0.0.5\n"},
    {"Forward", FWD "Protocol=tcp\n", "HostPort=8000-8009", "GuestAddress=10.0.0.5\n"},
    {"Forward", FWD "Protocol=tcp\nHostPort=80\n", "GuestAddress=10.0.0.5", ""},
    {"Forward", FWD "Protocol=tcp\nHostPort=80\nGuestAddress=10.0.0.5\n", "GuestPort=8080", ""},
    {"Forward", FWD "Protocol=tcp\nHostPort=80\nGuestAddress=10.0.0.5\n", "HostAddress=203.0.113.2",
     ""},
};

#define N_SAMPLES (sizeof(samples) / sizeof(samples[0]))

static unsigned lines_in(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static size_t key_len(const char *line)
{
	return strcspn(line, "=");
}

static void parse_ok(const char *text)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	if (netd_config_parse_string(text, "t.conf", &n, &d) != 0)
		fail_msg("refused: %s\n--- text ---\n%s", d.msg, text);
	netd_network_free(n);
}

static void parse_err(const char *text, const char *want)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	if (netd_config_parse_string(text, "t.conf", &n, &d) != -EINVAL) {
		netd_network_free(n);
		fail_msg("accepted, wanted: %s\n--- text ---\n%s", want, text);
	}
	assert_null(n);
	assert_string_equal(d.msg, want);
}

/* The table lists exactly the keys written out above, section by section, in order. */
static void the_table_lists_every_key_in_order(void **state)
{
	const char *sec, *key;
	size_t i;

	for (i = 0; netd_config_key(i, &sec, &key) == 0; i++) {
		assert_true(i < N_SAMPLES);
		assert_string_equal(sec, samples[i].section);
		assert_int_equal(strlen(key), key_len(samples[i].line));
		assert_memory_equal(key, samples[i].line, strlen(key));
	}
	assert_int_equal(i, N_SAMPLES);
	assert_int_equal(netd_config_key(i, &sec, &key), -ENOENT);
}

static void every_key_is_accepted_once(void **state)
{
	char text[1024];

	for (size_t i = 0; i < N_SAMPLES; i++) {
		snprintf(text, sizeof(text), "%s%s\n%s", samples[i].before, samples[i].line,
		         samples[i].after);
		parse_ok(text);
	}
}

static void every_key_is_refused_twice(void **state)
{
	char text[1024], want[256];

	for (size_t i = 0; i < N_SAMPLES; i++) {
		unsigned first = lines_in(samples[i].before) + 1;
		const char *line = samples[i].line;

		/* Keys that make lists may be given again: a_repeatable_key_is_taken_again */
		if (strncmp(line, "Range=", 6) == 0 || strncmp(line, "Option=", 7) == 0)
			continue;
		snprintf(text, sizeof(text), "%s%s\n%s\n%s", samples[i].before, line, line,
		         samples[i].after);
		snprintf(want, sizeof(want),
		         "t.conf:%u: %.*s= is given twice in [%s] (first on line %u); keep one",
		         first + 1, (int)key_len(line), line, samples[i].section, first);
		parse_err(text, want);
	}
}

static void every_key_is_refused_empty(void **state)
{
	char text[1024], want[256];

	for (size_t i = 0; i < N_SAMPLES; i++) {
		const char *line = samples[i].line;

		snprintf(text, sizeof(text), "%s%.*s=\n%s", samples[i].before, (int)key_len(line),
		         line, samples[i].after);
		snprintf(want, sizeof(want),
		         "t.conf:%u: %.*s= has an empty value; give a value or remove the line",
		         lines_in(samples[i].before) + 1, (int)key_len(line), line);
		parse_err(text, want);
	}
}

/* A repeated section starts afresh: its keys may be given again in the next one. */
static void a_new_host_or_tap_takes_its_keys_again(void **state)
{
	parse_ok(NET_DHCP "[Host]\nMAC=52:54:00:00:00:01\nAddress=10.0.0.20\nName=a\n"
	                  "[Host]\nMAC=52:54:00:00:00:02\nAddress=10.0.0.21\nName=b\n");
	parse_ok(NET_DHCP "[Tap]\nName=t0\nMAC=52:54:00:00:00:03\nAddress=10.0.0.30\nOwner=a\n"
	                  "Group=b\nQueues=2\n"
	                  "[Tap]\nName=t1\nMAC=52:54:00:00:00:04\nAddress=10.0.0.31\nOwner=a\n"
	                  "Group=b\nQueues=2\n");
	/* ... but not twice in one of them */
	parse_err(NET_DHCP "[Host]\nMAC=52:54:00:00:00:01\n[Host]\nMAC=52:54:00:00:00:02\n"
	                   "MAC=52:54:00:00:00:03\n",
	          "t.conf:12: MAC= is given twice in [Host] (first on line 11); keep one");
}

/* Range= and Option= make lists: given again, each line adds one. */
static void a_repeatable_key_is_taken_again(void **state)
{
	parse_ok(NET_DHCP "Range=10.0.0.20 10.0.0.29\nRange=10.0.0.30 10.0.0.39\n");
	parse_ok(NET_DHCP "Option=domain-search,lab.example\nOption=252,http://wpad/\n");
	/* ... a second range still through every rule of the first */
	parse_err(NET_DHCP "Range=10.0.0.5 10.0.0.29\n",
	          "t.conf:8: this range overlaps the Range= on line 7");
	parse_err(NET_DHCP "Range=10.0.1.5 10.0.1.29\n",
	          "t.conf:8: DHCP range 10.0.1.5 - 10.0.1.29 is not inside the subnet 10.0.0.0/24");
	parse_err(NET_DHCP "Option=42,10.0.0.1\n",
	          "t.conf:8: invalid Option '42,10.0.0.1': option 42 is set by NTP=; use "
	          "that key");
}

static void an_unknown_key_names_the_sections_keys(void **state)
{
	char text[1024], want[1024];

	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		size_t i;

		/* the first sample of the section ends with its header */
		for (i = 0; strcmp(samples[i].section, sections[s].name) != 0; i++)
			;
		snprintf(text, sizeof(text), "%sBogus=1\n%s", samples[i].before, samples[i].after);
		snprintf(want, sizeof(want),
		         "t.conf:%u: unknown key 'Bogus' in [%s]; the keys there are %s "
		         "(case-sensitive)",
		         lines_in(samples[i].before) + 1, sections[s].name, sections[s].keys);
		parse_err(text, want);
		/* keys are case-sensitive in every section */
		snprintf(text, sizeof(text), "%s%c%s\n%s", samples[i].before,
		         samples[i].line[0] ^ 0x20, samples[i].line + 1, samples[i].after);
		snprintf(want, sizeof(want),
		         "t.conf:%u: unknown key '%c%.*s' in [%s]; the keys there are %s "
		         "(case-sensitive)",
		         lines_in(samples[i].before) + 1, samples[i].line[0] ^ 0x20,
		         (int)key_len(samples[i].line) - 1, samples[i].line + 1, sections[s].name,
		         sections[s].keys);
		parse_err(text, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_table_lists_every_key_in_order),
	    cmocka_unit_test(every_key_is_accepted_once),
	    cmocka_unit_test(every_key_is_refused_twice),
	    cmocka_unit_test(every_key_is_refused_empty),
	    cmocka_unit_test(a_new_host_or_tap_takes_its_keys_again),
	    cmocka_unit_test(a_repeatable_key_is_taken_again),
	    cmocka_unit_test(an_unknown_key_names_the_sections_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
