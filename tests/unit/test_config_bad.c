/* Every bad config file under tests/data/config/bad/ with its exact message, file:line
 * included; and every such file has its case. (Split from test_config.c.) */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "netd/config.h"

#define CFG NETD_TEST_DATA "/config"

/* One data file per bad case; the whole message is compared, file:line included. */
struct bad_case {
	const char *file;
	const char *want; /* after "<path>:" */
};

static const struct bad_case bad_cases[] = {
    {"unknown_section", "8: unknown section [Routes]; sections are case-sensitive: "
                        "[Network], [DHCP], [Host], [Policy], [Tap], [Bond], [DNS], "
                        "[DNSRecord] or [VXLAN]"},
    {"unknown_section_case", "8: unknown section [dhcp]; sections are case-sensitive: "
                             "[Network], [DHCP], [Host], [Policy], [Tap], [Bond], "
                             "[DNS], [DNSRecord] or [VXLAN]"},
    {"unknown_key", "7: unknown key 'Zone' in [Network]; the keys there are Name, Mode, Bridge, "
                    "Address, Autostart, Uplink, GuestSourceCheck, MTU, NATAddress, NATPorts and "
                    "IPv6NAT (case-sensitive)"},
    {"unknown_key_case", "3: unknown key 'name' in [Network]; the keys there are Name, Mode, "
                         "Bridge, Address, Autostart, Uplink, GuestSourceCheck, MTU, "
                         "NATAddress, NATPorts and IPv6NAT "
                         "(case-sensitive)"},
    {"unknown_key_dhcp", "10: unknown key 'Gateway' in [DHCP]; the keys there are Range, "
                         "LeaseTime, Router, DNS, NTP, Option, BootFile and NextServer "
                         "(case-sensitive)"},
    {"duplicate_key", "6: Name= is given twice in [Network] (first on line 3); keep one"},
    {"duplicate_section", "8: section [Network] appears again (first on line 2); a file "
                          "defines one network, and only [Host], [Tap] and [DNSRecord] may repeat"},
    {"empty_value", "4: Mode= has an empty value; give a value or remove the line"},
    {"outside_section", "2: Name= is outside any section; put it under a section header such "
                        "as [Network]"},
    {"no_network", "1: no [Network] section; a network file needs one with Name=, Mode= and "
                   "Bridge="},
    {"empty_file", "1: no [Network] section; a network file needs one with Name=, Mode= and "
                   "Bridge="},
    {"bad_header", "2: section header without ']'; write it as [Network]"},
    {"header_trailing_text", "2: unexpected text after the section header [Network]"},
    {"no_equals", "4: expected Key=Value, a [Section] header or a comment, not 'Mode nat'"},
    {"no_key_name", "4: missing key name before '='"},
    {"line_too_long", "7: line is longer than 198 characters"},
    {"nul_byte", "3: the file contains a NUL byte; is it a text file?"},
    {"missing_name", "2: [Network] has no Name=; add one, e.g. Name=mynet"},
    {"missing_mode", "3: [Network] has no Mode=; add one of Mode=nat, bridged, hostonly, "
                     "internal or routed"},
    {"missing_bridge", "2: [Network] has no Bridge=; name the bridge to create, e.g. "
                       "Bridge=virbr1"},
    {"bad_name", "3: invalid Name 'my lab': use 1-31 letters, digits, '_' or '-'"},
    {"name_too_long", "3: invalid Name 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn': use 1-31 letters, "
                      "digits, '_' or '-'"},
    {"bad_mode", "4: unknown Mode 'vepa': use nat, bridged, hostonly, internal or routed"},
    {"bad_bridge", "5: invalid Bridge 'br:0': an interface name is 1-15 bytes without '/', ':' "
                   "or whitespace"},
    {"bridge_too_long", "5: invalid Bridge 'averyverylongbr0': an interface name is 1-15 bytes "
                        "without '/', ':' or whitespace"},
    {"bad_uplink", "6: invalid Uplink 'eth/0': an interface name is 1-15 bytes without '/', "
                   "':' or whitespace"},
    {"address_not_cidr", "6: invalid Address '192.122.1.1': give the host's IPv4 address with "
                         "its prefix length, e.g. Address=192.122.1.1/24"},
    {"address_bad_ip", "6: invalid Address '192.122.1.300/24': give the host's IPv4 address "
                       "with its prefix length, e.g. Address=192.122.1.1/24"},
    {"address_len31", "6: Address 192.122.1.1/31: a /31 subnet leaves no address for guests; "
                      "use a prefix length between 8 and 30"},
    {"address_len32", "6: Address 192.122.1.1/32: a /32 subnet leaves no address for guests; "
                      "use a prefix length between 8 and 30"},
    {"address_len7", "6: Address 10.0.0.1/7: a /7 subnet is far too wide for a virtual "
                     "network; use a prefix length between 8 and 30"},
    {"address_len0", "6: Address 10.0.0.1/0: a /0 subnet is far too wide for a virtual "
                     "network; use a prefix length between 8 and 30"},
    {"address_network", "6: Address 192.122.1.0/24 is the network address of 192.122.1.0/24; "
                        "use a host address such as 192.122.1.1/24"},
    {"address_broadcast", "6: Address 192.122.1.255/24 is the broadcast address of "
                          "192.122.1.0/24; use a host address such as 192.122.1.1/24"},
    {"bad_autostart", "7: invalid Autostart 'maybe': use yes or no"},
    {"nat_no_address", "2: Address= is required for Mode=nat, e.g. Address=192.122.1.1/24"},
    {"hostonly_no_address", "2: Address= is required for Mode=hostonly, e.g. "
                            "Address=192.122.1.1/24"},
    {"internal_with_address", "6: Address= is not allowed for Mode=internal: netd gives the "
                              "host no address on such a network; remove it"},
    {"bridged_with_address", "7: Address= is not allowed for Mode=bridged: netd gives the host "
                             "no address on such a network; remove it"},
    {"bridged_with_dhcp", "8: [DHCP] is not allowed for Mode=bridged: netd serves DHCP only "
                          "where the host has an address on the network; remove the section"},
    {"internal_with_host", "7: [Host] is not allowed for Mode=internal: static leases need "
                           "netd's DHCP, which this mode does not run; remove the section"},
    {"bridged_no_uplink", "2: Uplink= is required for Mode=bridged: name the host NIC to "
                          "enslave to the bridge, e.g. Uplink=eth0"},
    {"nat_with_uplink", "7: Uplink= is not allowed for Mode=nat: only a network that enslaves "
                        "a host NIC has one; remove it"},
    {"bridged_uplink_is_bridge", "6: Uplink=netdbr0 is the network's own bridge"},
    {"dhcp_no_range", "8: [DHCP] has no Range=; add the addresses to lease, e.g. "
                      "Range=192.122.1.2 192.122.1.254"},
    {"range_syntax", "9: invalid Range '192.122.1.2': give the first and last address to "
                     "lease, e.g. Range=192.122.1.2 192.122.1.254"},
    {"range_bad_ip", "9: invalid Range '192.122.1.2 192.122.1.': give the first and last "
                     "address to lease, e.g. Range=192.122.1.2 192.122.1.254"},
    {"range_outside", "9: DHCP range 10.0.0.2 - 10.0.1.9 is not inside the subnet "
                      "192.122.1.0/24"},
    {"range_half_outside", "9: DHCP range 192.122.1.100 - 192.122.2.10 is not inside the "
                           "subnet 192.122.1.0/24"},
    {"range_reversed", "9: DHCP range 192.122.1.200 - 192.122.1.100 is reversed; write the "
                       "lower address first"},
    {"range_network", "9: DHCP range 192.122.1.0 - 192.122.1.254 starts at the network "
                      "address of 192.122.1.0/24; start it at 192.122.1.2 or later"},
    {"range_broadcast", "9: DHCP range 192.122.1.2 - 192.122.1.255 ends at the broadcast "
                        "address of 192.122.1.0/24; end it at 192.122.1.254 or earlier"},
    {"range_contains_host", "9: DHCP range 192.122.1.1 - 192.122.1.254 contains the host's own "
                            "address 192.122.1.1 (line 6); leave it out, e.g. "
                            "Range=192.122.1.2 192.122.1.254"},
    {"lease_bad", "10: invalid LeaseTime '1w': use a number of seconds with an optional unit "
                  "s, m, h or d (e.g. 12h), or 'infinite'"},
    {"lease_short", "10: LeaseTime 90s is below dnsmasq's minimum of 2 minutes; use at least "
                    "120s or 2m"},
    {"lease_huge", "10: LeaseTime 99999999999d is too long; use 'infinite' for leases that "
                   "never end"},
    {"host_no_mac", "11: [Host] has no MAC=; a static lease needs the guest's MAC, e.g. "
                    "MAC=52:54:00:12:34:56"},
    {"host_bad_mac", "12: invalid MAC '52:54:00:00:00': give six hex bytes separated by ':', "
                     "e.g. MAC=52:54:00:12:34:56"},
    {"host_bad_address", "13: invalid Address '192.122.1.10/24' in [Host]: give one IPv4 "
                         "address without a prefix length, e.g. Address=192.122.1.10"},
    {"host_address_outside", "13: host address 10.0.0.10 is not inside the subnet "
                             "192.122.1.0/24"},
    {"host_address_is_host", "13: host address 192.122.1.1 is the host's own address (line 6); "
                             "give the guest another one"},
    {"host_address_network", "13: host address 192.122.1.0 is the network address of "
                             "192.122.1.0/24"},
    {"host_address_broadcast", "13: host address 192.122.1.255 is the broadcast address of "
                               "192.122.1.0/24"},
    {"host_bad_name", "13: invalid Name 'web_1' in [Host]: a host name is 1-63 letters, digits "
                      "or '-', and does not start or end with '-'"},
    {"host_name_too_long", "13: invalid Name "
                           "'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh' in "
                           "[Host]: a host name is 1-63 letters, digits or '-', and does not "
                           "start or end with '-'"},
    {"host_duplicate_mac", "16: MAC 52:54:00:00:00:01 is already given to the [Host] on line "
                           "11"},
    {"host_duplicate_address", "17: address 192.122.1.10 is already given to the [Host] on "
                               "line 11"},
    {"host_duplicate_name", "17: host name 'WEB' is already given to the [Host] on line 11"},
    {"host_duplicate_key", "13: MAC= is given twice in [Host] (first on line 12); keep one"},
    {"policy_bad_value", "9: invalid HostToVM 'yes': use allow or deny"},
    {"policy_unknown_key", "9: unknown key 'VmToHost' in [Policy]; the keys there are "
                           "VMToHost, HostToVM, VMToOutside, OutsideToVM and VMToVM "
                           "(case-sensitive)"},
    {"policy_not_flippable",
     "10: OutsideToVM=deny cannot be set for Mode=bridged: a bridged guest is a host on the "
     "LAN like any other: traffic between it, the host and the LAN is switched, not routed, "
     "so this mode cannot filter it; use Mode=nat or Mode=hostonly to restrict it"},
    {"policy_internal_host",
     "8: VMToHost=allow cannot be set for Mode=internal: an internal network has no host "
     "address, so the host can neither reach nor route for its guests; use Mode=hostonly for "
     "that"},
};

static void test_bad_file(void **state)
{
	const struct bad_case *bc = *state;
	char path[512], want[1024];
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	snprintf(path, sizeof(path), CFG "/bad/%s.conf", bc->file);
	snprintf(want, sizeof(want), "%s:%s", path, bc->want);
	assert_int_equal(netd_config_parse_file(path, &n, &d), -EINVAL);
	assert_null(n);
	assert_string_equal(d.msg, want);
}

static void test_io_errors(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	assert_int_equal(netd_config_parse_file(CFG "/bad/no_such_file.conf", &n, &d), -ENOENT);
	assert_string_equal(d.msg, CFG "/bad/no_such_file.conf: No such file or directory");
	assert_int_equal(netd_config_parse_file(CFG "/bad", &n, &d), -EISDIR);
	assert_string_equal(d.msg, CFG "/bad: Is a directory");
	assert_null(n);
}

/* Every .conf under bad/ has a case in the table, so no data file goes untested. */
static void test_every_bad_file_has_a_case(void **state)
{
	size_t n_files = 0, n_cases = sizeof(bad_cases) / sizeof(bad_cases[0]);
	DIR *dir = opendir(CFG "/bad");
	struct dirent *e;

	assert_non_null(dir);
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		bool found = false;

		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		for (size_t i = 0; i < n_cases && !found; i++)
			found = strlen(bad_cases[i].file) == len - 5 &&
			        strncmp(bad_cases[i].file, e->d_name, len - 5) == 0;
		if (!found)
			fail_msg("bad/%s has no case in bad_cases[]", e->d_name);
		n_files++;
	}
	closedir(dir);
	assert_int_equal(n_files, n_cases);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_io_errors),
	    cmocka_unit_test(test_every_bad_file_has_a_case),
	};
	enum { N_FIXED = sizeof(fixed) / sizeof(fixed[0]) };
	enum { N_BAD = sizeof(bad_cases) / sizeof(bad_cases[0]) };
	struct CMUnitTest tests[N_FIXED + N_BAD];
	static char names[N_BAD][64];

	memcpy(tests, fixed, sizeof(fixed));
	for (size_t i = 0; i < N_BAD; i++) {
		snprintf(names[i], sizeof(names[i]), "bad/%s", bad_cases[i].file);
		tests[N_FIXED + i] = (struct CMUnitTest){
		    .name = names[i],
		    .test_func = test_bad_file,
		    .initial_state = (void *)&bad_cases[i],
		};
	}
	return _cmocka_run_group_tests("config_bad", tests, N_FIXED + N_BAD, NULL, NULL);
}
