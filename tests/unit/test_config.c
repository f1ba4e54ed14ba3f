/* The strict config parser: every good form, every bad case with its exact message. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/config.h"
#include "netd/mode.h"

#define CFG NETD_TEST_DATA "/config"

#define A NETD_POLICY_ALLOW
#define D NETD_POLICY_DENY

/* The documents' table (DESIGN.md), written out here apart from modes/ on purpose. */
static const enum netd_policy doc_table[NETD_MODE_MAX][NETD_CELL_MAX] = {
    /*                      VMToHost HostToVM VMToOutside OutsideToVM VMToVM */
    [NETD_MODE_NAT] = {A, D, A, D, A},      [NETD_MODE_BRIDGED] = {A, A, A, A, A},
    [NETD_MODE_INTERNAL] = {D, D, D, D, D}, [NETD_MODE_HOSTONLY] = {D, D, D, D, A},
    [NETD_MODE_ROUTED] = {A, D, A, D, A}, /* libvirt's routed network: nat's column */
};

static void assert_ip(struct in_addr a, const char *want)
{
	char buf[INET_ADDRSTRLEN];

	assert_string_equal(inet_ntop(AF_INET, &a, buf, sizeof(buf)), want);
}

static void assert_mac(const uint8_t mac[6], const char *want)
{
	char buf[18];

	netd_mac_format(mac, buf);
	assert_string_equal(buf, want);
}

static struct netd_network *parse_ok(const char *text)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};
	int ret = netd_config_parse_string(text, "test.conf", &n, &d);

	if (ret)
		fail_msg("unexpected error %d: %s", ret, d.msg);
	assert_non_null(n);
	return n;
}

static void parse_fails(const char *text, const char *want)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	assert_int_equal(netd_config_parse_string(text, "test.conf", &n, &d), -EINVAL);
	assert_null(n);
	assert_string_equal(d.msg, want);
}

/* conf/default.conf: the classic libvirt default network of the documents. */
static void assert_default_network(const struct netd_network *n)
{
	assert_string_equal(n->name, "default");
	assert_int_equal(n->mode, NETD_MODE_NAT);
	assert_string_equal(n->bridge, "virbr0");
	assert_true(n->has_address);
	assert_ip(n->address.addr, "192.122.1.1");
	assert_int_equal(n->address.len, 24);
	assert_true(n->autostart);
	assert_true(n->has_dhcp);
	assert_ip(n->dhcp_first, "192.122.1.2");
	assert_ip(n->dhcp_last, "192.122.1.254");
	assert_int_equal(n->lease_time, 3600);
	assert_int_equal(n->n_hosts, 0);
	assert_null(n->hosts);
	assert_string_equal(n->uplink, "");
	for (int c = 0; c < NETD_CELL_MAX; c++) {
		assert_int_equal(n->policy[c], doc_table[NETD_MODE_NAT][c]);
		assert_false(n->policy_set[c]);
		assert_int_equal(n->policy_line[c], 0);
	}
	/* Lines are counted, not guessed: each key sits below the [Network] header. */
	assert_true(n->line_name > 1);
	assert_int_equal(n->line_mode, n->line_name + 1);
	assert_int_equal(n->line_bridge, n->line_name + 2);
	assert_int_equal(n->line_address, n->line_name + 3);
	assert_true(n->line_range > n->line_address);
	assert_int_equal(n->line_uplink, 0);
}

static void test_default_conf(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};
	int ret = netd_config_parse_file(NETD_SOURCE_DIR "/conf/default.conf", &n, &d);

	if (ret)
		fail_msg("%s", d.msg);
	assert_default_network(n);
	assert_string_equal(n->source, NETD_SOURCE_DIR "/conf/default.conf");
	netd_network_free(n);
}

static void test_embedded_default(void **state)
{
	struct netd_network *file = NULL, *emb = NULL;
	struct netd_diag d = {""};

	assert_int_equal(netd_config_parse_file(NETD_SOURCE_DIR "/conf/default.conf", &file, &d),
	                 0);
	assert_int_equal(
	    netd_config_parse_string(netd_embedded_default_conf, "<embedded>", &emb, &d), 0);
	assert_default_network(emb);
	assert_string_equal(emb->source, "<embedded>");
	/* Same text compiled in: every line number agrees with the file's. */
	assert_int_equal(emb->line_name, file->line_name);
	assert_int_equal(emb->line_range, file->line_range);
	netd_network_free(file);
	netd_network_free(emb);
}

static void test_full_example(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};
	int ret = netd_config_parse_file(CFG "/good/full.conf", &n, &d);

	if (ret)
		fail_msg("%s", d.msg);
	assert_string_equal(n->source, CFG "/good/full.conf");
	assert_string_equal(n->name, "lab-1");
	assert_int_equal(n->line_name, 3);
	assert_int_equal(n->mode, NETD_MODE_NAT);
	assert_int_equal(n->line_mode, 4);
	assert_string_equal(n->bridge, "netdlab1");
	assert_int_equal(n->line_bridge, 5);
	assert_true(n->has_address);
	assert_ip(n->address.addr, "10.77.0.1");
	assert_int_equal(n->address.len, 16);
	assert_int_equal(n->line_address, 6);
	assert_true(n->autostart);

	assert_true(n->has_dhcp);
	assert_ip(n->dhcp_first, "10.77.1.0");
	assert_ip(n->dhcp_last, "10.77.1.255");
	assert_int_equal(n->line_range, 11);
	assert_int_equal(n->lease_time, 12 * 3600);

	assert_int_equal(n->n_hosts, 3);
	assert_mac(n->hosts[0].mac, "52:54:00:aa:bb:01");
	assert_ip(n->hosts[0].addr, "10.77.0.10");
	assert_string_equal(n->hosts[0].name, "web");
	assert_int_equal(n->hosts[0].line, 14);
	assert_mac(n->hosts[1].mac, "52:54:00:aa:bb:02");
	assert_int_equal(n->hosts[1].addr.s_addr, 0);
	assert_string_equal(n->hosts[1].name, "");
	assert_int_equal(n->hosts[1].line, 19);
	assert_mac(n->hosts[2].mac, "52:54:00:aa:bb:03");
	assert_int_equal(n->hosts[2].addr.s_addr, 0);
	assert_string_equal(n->hosts[2].name, "db-1");
	assert_int_equal(n->hosts[2].line, 22);

	assert_int_equal(n->policy[NETD_CELL_VM_TO_HOST], NETD_POLICY_ALLOW);
	assert_false(n->policy_set[NETD_CELL_VM_TO_HOST]);
	assert_int_equal(n->policy[NETD_CELL_HOST_TO_VM], NETD_POLICY_ALLOW);
	assert_true(n->policy_set[NETD_CELL_HOST_TO_VM]);
	assert_int_equal(n->policy_line[NETD_CELL_HOST_TO_VM], 27);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_OUTSIDE], NETD_POLICY_ALLOW);
	assert_false(n->policy_set[NETD_CELL_VM_TO_OUTSIDE]);
	assert_int_equal(n->policy[NETD_CELL_OUTSIDE_TO_VM], NETD_POLICY_DENY);
	assert_true(n->policy_set[NETD_CELL_OUTSIDE_TO_VM]);
	assert_int_equal(n->policy_line[NETD_CELL_OUTSIDE_TO_VM], 28);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_VM], NETD_POLICY_DENY);
	assert_int_equal(n->policy_line[NETD_CELL_VM_TO_VM], 29);
	assert_string_equal(n->uplink, "");
	netd_network_free(n);
}

static void test_good_bridged(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	assert_int_equal(netd_config_parse_file(CFG "/good/bridged.conf", &n, &d), 0);
	assert_int_equal(n->mode, NETD_MODE_BRIDGED);
	assert_string_equal(n->uplink, "eth1");
	assert_int_equal(n->line_uplink, 5);
	assert_false(n->has_address);
	assert_false(n->has_dhcp);
	assert_false(n->autostart);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_HOST], NETD_POLICY_ALLOW);
	assert_true(n->policy_set[NETD_CELL_VM_TO_HOST]);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_VM], NETD_POLICY_DENY);
	assert_int_equal(n->policy[NETD_CELL_OUTSIDE_TO_VM], NETD_POLICY_ALLOW);
	netd_network_free(n);
}

static void test_good_internal_lab(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	assert_int_equal(netd_config_parse_file(CFG "/good/internal_lab.conf", &n, &d), 0);
	assert_int_equal(n->mode, NETD_MODE_INTERNAL);
	assert_false(n->has_address);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_VM], NETD_POLICY_ALLOW);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_OUTSIDE], NETD_POLICY_DENY);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_HOST], NETD_POLICY_DENY);
	netd_network_free(n);
}

static void test_good_hostonly(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	assert_int_equal(netd_config_parse_file(CFG "/good/hostonly.conf", &n, &d), 0);
	assert_string_equal(n->name, "hostonly_1");
	assert_int_equal(n->mode, NETD_MODE_HOSTONLY);
	assert_false(n->autostart);
	assert_ip(n->dhcp_first, "192.168.56.101");
	assert_ip(n->dhcp_last, "192.168.56.254");
	assert_int_equal(n->lease_time, 0);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_HOST], NETD_POLICY_ALLOW);
	assert_int_equal(n->policy[NETD_CELL_HOST_TO_VM], NETD_POLICY_ALLOW);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_OUTSIDE], NETD_POLICY_DENY);
	assert_int_equal(n->policy[NETD_CELL_OUTSIDE_TO_VM], NETD_POLICY_DENY);
	assert_int_equal(n->policy[NETD_CELL_VM_TO_VM], NETD_POLICY_ALLOW);
	netd_network_free(n);
}

static const char *const mode_minimal[NETD_MODE_MAX] = {
    [NETD_MODE_NAT] = "[Network]\nName=n\nMode=nat\nBridge=b0\nAddress=10.0.0.1/24\n",
    [NETD_MODE_BRIDGED] = "[Network]\nName=n\nMode=bridged\nBridge=b0\nUplink=eth0\n",
    [NETD_MODE_HOSTONLY] = "[Network]\nName=n\nMode=hostonly\nBridge=b0\nAddress=10.0.0.1/24\n",
    [NETD_MODE_INTERNAL] = "[Network]\nName=n\nMode=internal\nBridge=b0\n",
    [NETD_MODE_ROUTED] = "[Network]\nName=n\nMode=routed\nBridge=b0\nAddress=10.0.0.1/24\n",
};

static void test_mode_defaults(void **state)
{
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);
		struct netd_network *n = parse_ok(mode_minimal[m]);

		assert_non_null(ops);
		assert_int_equal(ops->mode, m);
		assert_string_equal(ops->name, netd_mode_to_string(m));
		assert_int_equal(n->mode, m);
		for (int c = 0; c < NETD_CELL_MAX; c++) {
			assert_int_equal(ops->defaults[c], doc_table[m][c]);
			assert_int_equal(n->policy[c], doc_table[m][c]);
			assert_false(n->policy_set[c]);
		}
		assert_false(n->has_dhcp);
		assert_int_equal(n->lease_time, 3600);
		assert_false(n->autostart);
		netd_network_free(n);
	}
}

/* Every cell a mode lets flip takes both values; every other cell takes its default only. */
static void test_policy_every_cell(void **state)
{
	char text[256];

	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);

		for (int c = 0; c < NETD_CELL_MAX; c++) {
			for (int v = 0; v < 2; v++) {
				struct netd_network *n = NULL;
				struct netd_diag d = {""};
				bool ok =
				    (ops->flippable & (1u << c)) || v == (int)ops->defaults[c];
				int ret;

				snprintf(text, sizeof(text), "%s[Policy]\n%s=%s\n", mode_minimal[m],
				         netd_cell_to_string(c), netd_policy_to_string(v));
				ret = netd_config_parse_string(text, "p.conf", &n, &d);
				if (ok) {
					if (ret)
						fail_msg("%s: %s", text, d.msg);
					assert_int_equal(n->policy[c], v);
					assert_true(n->policy_set[c]);
					assert_int_equal(n->policy_line[c],
					                 7 - (m == NETD_MODE_INTERNAL));
				} else {
					assert_int_equal(ret, -EINVAL);
					assert_non_null(strstr(d.msg, ops->why_not[c]));
					assert_null(strchr(d.msg, '\n'));
				}
				netd_network_free(n);
			}
		}
	}
}

static void test_range_forms(void **state)
{
	static const char *const forms[] = {
	    "10.0.0.2 10.0.0.9",   "10.0.0.2-10.0.0.9",   "10.0.0.2,10.0.0.9",
	    "10.0.0.2 - 10.0.0.9", "10.0.0.2 , 10.0.0.9", "10.0.0.2\t10.0.0.9",
	    "10.0.0.2   10.0.0.9",
	};
	char text[256];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct netd_network *n;

		snprintf(text, sizeof(text), "%s[DHCP]\nRange=%s\n", mode_minimal[NETD_MODE_NAT],
		         forms[i]);
		n = parse_ok(text);
		assert_true(n->has_dhcp);
		assert_ip(n->dhcp_first, "10.0.0.2");
		assert_ip(n->dhcp_last, "10.0.0.9");
		assert_int_equal(n->line_range, 7);
		netd_network_free(n);
	}
	/* One address is a range of one. */
	snprintf(text, sizeof(text), "%s[DHCP]\nRange=10.0.0.5-10.0.0.5\n",
	         mode_minimal[NETD_MODE_NAT]);
	netd_network_free(parse_ok(text));
	static const char *const bad[] = {"10.0.0.2--10.0.0.9", "10.0.0.2 10.0.0.9 10.0.0.10",
	                                  "10.0.0.2-", "-10.0.0.9", "10.0.0.2,,10.0.0.9"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[256];

		snprintf(text, sizeof(text), "%s[DHCP]\nRange=%s\n", mode_minimal[NETD_MODE_NAT],
		         bad[i]);
		snprintf(want, sizeof(want),
		         "test.conf:7: invalid Range '%s': give the first and last address to "
		         "lease, e.g. Range=192.122.1.2 192.122.1.254",
		         bad[i]);
		parse_fails(text, want);
	}
}

static void test_lease_forms(void **state)
{
	static const struct {
		const char *s;
		unsigned secs;
	} forms[] = {
	    {"120", 120},    {"120s", 120},  {"2m", 120},     {"1h", 3600},
	    {"36h", 129600}, {"1d", 86400},  {"infinite", 0}, {"4294967295", 4294967295u},
	    {"3600s", 3600}, {"00150", 150},
	};
	static const char *const bad[] = {"1.5h", "h",   "1hh", "-5m",
	                                  "+5m",  "5 m", "1H",  "Infinite"};
	char text[256], want[256];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct netd_network *n;

		snprintf(text, sizeof(text), "%s[DHCP]\nRange=10.0.0.2 10.0.0.9\nLeaseTime=%s\n",
		         mode_minimal[NETD_MODE_NAT], forms[i].s);
		n = parse_ok(text);
		assert_int_equal(n->lease_time, forms[i].secs);
		netd_network_free(n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s[DHCP]\nRange=10.0.0.2 10.0.0.9\nLeaseTime=%s\n",
		         mode_minimal[NETD_MODE_NAT], bad[i]);
		snprintf(want, sizeof(want),
		         "test.conf:8: invalid LeaseTime '%s': use a number of seconds with an "
		         "optional unit s, m, h or d (e.g. 12h), or 'infinite'",
		         bad[i]);
		parse_fails(text, want);
	}
	/* The boundary: 119 s is refused, 120 s taken (above); 4294967296 s overflows. */
	snprintf(text, sizeof(text), "%s[DHCP]\nRange=10.0.0.2 10.0.0.9\nLeaseTime=1m59s\n",
	         mode_minimal[NETD_MODE_NAT]);
	parse_fails(text, "test.conf:8: invalid LeaseTime '1m59s': use a number of seconds with "
	                  "an optional unit s, m, h or d (e.g. 12h), or 'infinite'");
	snprintf(text, sizeof(text), "%s[DHCP]\nRange=10.0.0.2 10.0.0.9\nLeaseTime=119\n",
	         mode_minimal[NETD_MODE_NAT]);
	parse_fails(text, "test.conf:8: LeaseTime 119 is below dnsmasq's minimum of 2 minutes; "
	                  "use at least 120s or 2m");
	snprintf(text, sizeof(text), "%s[DHCP]\nRange=10.0.0.2 10.0.0.9\nLeaseTime=4294967296\n",
	         mode_minimal[NETD_MODE_NAT]);
	parse_fails(text, "test.conf:8: LeaseTime 4294967296 is too long; use 'infinite' for "
	                  "leases that never end");
}

static void test_autostart_forms(void **state)
{
	static const struct {
		const char *s;
		bool v;
	} forms[] = {
	    {"yes", true},  {"no", false}, {"true", true}, {"false", false}, {"on", true},
	    {"off", false}, {"1", true},   {"0", false},   {"Yes", true},    {"OFF", false},
	};
	char text[256];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct netd_network *n;

		snprintf(text, sizeof(text), "%sAutostart=%s\n", mode_minimal[NETD_MODE_INTERNAL],
		         forms[i].s);
		n = parse_ok(text);
		assert_int_equal(n->autostart, forms[i].v);
		netd_network_free(n);
	}
	snprintf(text, sizeof(text), "%sAutostart=2\n", mode_minimal[NETD_MODE_INTERNAL]);
	parse_fails(text, "test.conf:5: invalid Autostart '2': use yes or no");
}

static void test_text_forms(void **state)
{
	struct netd_network *n;

	/* A UTF-8 BOM, CRLF line ends, blanks around '=', comments of both kinds. */
	n = parse_ok("\xEF\xBB\xBF# comment\r\n[Network]\r\n; another\r\n  Name = crlf\r\n"
	             "Mode=internal\r\nBridge=b0 ; trailing comment\r\n");
	assert_string_equal(n->name, "crlf");
	assert_string_equal(n->bridge, "b0");
	assert_int_equal(n->line_name, 4);
	assert_int_equal(n->line_bridge, 6);
	netd_network_free(n);
	/* Any leading white space, form feeds included, is only indentation. */
	n = parse_ok("[Network]\nName=x\n\f\vMode=internal\n \tBridge=b0\n");
	assert_int_equal(n->mode, NETD_MODE_INTERNAL);
	assert_int_equal(n->line_mode, 3);
	netd_network_free(n);
	/* No newline at the end of the last line. */
	n = parse_ok("[Network]\nName=x\nMode=internal\nBridge=b0");
	assert_string_equal(n->bridge, "b0");
	netd_network_free(n);
	/* Sections in any order: the subnet checks run after the whole file is read. */
	n = parse_ok("[DHCP]\nRange=10.0.0.2 10.0.0.9\n[Host]\nMAC=52:54:00:00:00:01\n"
	             "Address=10.0.0.20\n[Network]\nName=x\nMode=nat\nBridge=b0\n"
	             "Address=10.0.0.1/24\n");
	assert_int_equal(n->n_hosts, 1);
	assert_int_equal(n->hosts[0].line, 3);
	assert_ip(n->hosts[0].addr, "10.0.0.20");
	netd_network_free(n);
	/* A [Host] with only a MAC, and one that is empty: the empty one is still seen. */
	parse_fails("[Network]\nName=x\nMode=nat\nBridge=b0\nAddress=10.0.0.1/24\n[Host]\n"
	            "MAC=52:54:00:00:00:01\n[Host]\n",
	            "test.conf:8: [Host] has no MAC=; a static lease needs the guest's MAC, e.g. "
	            "MAC=52:54:00:12:34:56");
	/* An empty [DHCP] section is still a [DHCP] section. */
	parse_fails("[Network]\nName=x\nMode=nat\nBridge=b0\nAddress=10.0.0.1/24\n[DHCP]\n",
	            "test.conf:6: [DHCP] has no Range=; add the addresses to lease, e.g. "
	            "Range=10.0.0.2 10.0.0.254");
	/* Indented text is a key of its own, never a continuation of the line above. */
	parse_fails("[Network]\nName=x\n  more\nMode=nat\n",
	            "test.conf:3: expected Key=Value, a [Section] header or a comment, not 'more'");
	/* Only '=' separates a key from its value. */
	parse_fails("[Network]\nName: x\n", "test.conf:2: expected Key=Value, a [Section] header "
	                                    "or a comment, not 'Name: x'");
	/* The first error wins, even when a later line is broken too. */
	parse_fails("[Network]\nName=a b\nMode=?\n[Nope]\n",
	            "test.conf:2: invalid Name 'a b': use 1-31 letters, digits, '_' or '-'");
}

static void test_suggestions(void **state)
{
	/* The suggested range leaves out the host's address, wherever it sits. */
	parse_fails("[Network]\nName=x\nMode=nat\nBridge=b0\nAddress=10.0.0.254/24\n[DHCP]\n"
	            "Range=10.0.0.1 10.0.0.254\n",
	            "test.conf:7: DHCP range 10.0.0.1 - 10.0.0.254 contains the host's own address "
	            "10.0.0.254 (line 5); leave it out, e.g. Range=10.0.0.1 10.0.0.253");
	parse_fails(
	    "[Network]\nName=x\nMode=nat\nBridge=b0\nAddress=10.0.0.254/24\n[DHCP]\n"
	    "Range=10.0.0.1 10.0.0.255\n",
	    "test.conf:7: DHCP range 10.0.0.1 - 10.0.0.255 ends at the broadcast address of "
	    "10.0.0.0/24; end it at 10.0.0.253 or earlier");
	parse_fails("[Network]\nName=x\nMode=nat\nBridge=b0\nAddress=10.0.0.1/30\n[DHCP]\n"
	            "Range=10.0.0.1 10.0.0.2\n",
	            "test.conf:7: DHCP range 10.0.0.1 - 10.0.0.2 contains the host's own address "
	            "10.0.0.1 (line 5); leave it out, e.g. Range=10.0.0.2 10.0.0.2");
	parse_fails("[Network]\nName=x\nMode=nat\nBridge=b0\nAddress=10.0.0.0/8\n",
	            "test.conf:5: Address 10.0.0.0/8 is the network address of 10.0.0.0/8; use a "
	            "host address such as 10.0.0.1/8");
}

/* load_dir */

static void test_load_dir_good(void **state)
{
	struct netd_config *c = NULL;
	struct netd_diag d = {""};
	int ret = netd_config_load_dir(CFG "/dir_good", &c, &d);

	if (ret)
		fail_msg("%s", d.msg);
	/* Name order; README, hidden, *.conf.disabled and a directory named *.conf skipped. */
	assert_int_equal(c->n_networks, 4);
	assert_string_equal(c->networks[0]->name, "lab");
	assert_string_equal(c->networks[0]->source, CFG "/dir_good/05-lab.conf");
	assert_string_equal(c->networks[1]->name, "default");
	assert_string_equal(c->networks[1]->source, CFG "/dir_good/10-default.conf");
	assert_true(c->networks[1]->has_dhcp);
	assert_string_equal(c->networks[2]->name, "ho");
	assert_string_equal(c->networks[3]->name, "lan");
	assert_string_equal(c->networks[3]->uplink, "eth1");
	assert_ptr_equal(netd_config_find(c, "ho"), c->networks[2]);
	assert_int_equal(netd_config_check_set(c, &d), 0);
	netd_config_free(c);

	/* A trailing slash does not show up as "//" in the sources. */
	assert_int_equal(netd_config_load_dir(CFG "/dir_good/", &c, &d), 0);
	assert_string_equal(c->networks[0]->source, CFG "/dir_good/05-lab.conf");
	netd_config_free(c);
}

static void test_load_dir_errors(void **state)
{
	static const struct {
		const char *dir;
		const char *want; /* after the directory's path and '/' */
	} cases[] = {
	    {"dir_dup_name", "b.conf:2: network name 'x' is already defined in %sa.conf:2"},
	    {"dir_dup_bridge", "b.conf:4: bridge 'netdbr0' is already used by network 'a' "
	                       "(%sa.conf:4); give each network its own Bridge="},
	    {"dir_overlap", "c.conf:5: subnet 10.1.200.0/24 of network 'c' overlaps subnet "
	                    "10.1.0.0/16 of network 'a' (%sa.conf:5); choose a subnet of its "
	                    "own"},
	    {"dir_uplink_twice", "b.conf:5: uplink 'eth1' is already used by network 'a' "
	                         "(%sa.conf:5); a NIC can be the uplink of one bridge only"},
	    {"dir_uplink_is_bridge", "b.conf:5: uplink 'netda0' is the bridge of network 'a' "
	                             "(%sa.conf:4)"},
	    {"dir_bridge_is_uplink", "b.conf:4: bridge 'netdx0' is the uplink of network 'a' "
	                             "(%sa.conf:5); rename one of them"},
	    {"dir_bad_file", "b.conf:8: DHCP range 10.2.0.2 - 10.2.1.9 is not inside the subnet "
	                     "10.2.0.0/24%s"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct netd_config *c = NULL;
		struct netd_diag d = {""};
		char dir[512], tail[1024], want[1600];

		snprintf(dir, sizeof(dir), CFG "/%s/", cases[i].dir);
		snprintf(tail, sizeof(tail), cases[i].want,
		         strcmp(cases[i].dir, "dir_bad_file") == 0 ? "" : dir);
		snprintf(want, sizeof(want), "%s%s", dir, tail);
		dir[strlen(dir) - 1] = '\0';
		assert_int_equal(netd_config_load_dir(dir, &c, &d), -EINVAL);
		assert_null(c);
		assert_string_equal(d.msg, want);
	}
}

static void test_load_dir_empty_and_missing(void **state)
{
	struct netd_config *c = NULL;
	struct netd_diag d = {""};

	assert_int_equal(netd_config_load_dir(CFG "/dir_empty", &c, &d), 0);
	assert_int_equal(c->n_networks, 1);
	assert_default_network(c->networks[0]);
	assert_string_equal(c->networks[0]->source, "<embedded>");
	netd_config_free(c);
	c = NULL;

	assert_int_equal(netd_config_load_dir(CFG "/no_such_dir", &c, &d), -ENOENT);
	assert_null(c);
	assert_string_equal(d.msg, CFG "/no_such_dir: No such file or directory");
	assert_int_equal(netd_config_load_dir(CFG "/good/full.conf", &c, &d), -ENOTDIR);
	assert_string_equal(d.msg, CFG "/good/full.conf: Not a directory");
	assert_null(c);
}

/* check_host */

static struct netd_host_prefix hp(const char *prefix, const char *ifname, const char *owner,
                                  bool route)
{
	struct netd_host_prefix h = {.is_route = route};

	assert_int_equal(netd_prefix_parse(prefix, &h.prefix), 0);
	snprintf(h.ifname, sizeof(h.ifname), "%s", ifname);
	snprintf(h.owned_by, sizeof(h.owned_by), "%s", owner);
	return h;
}

static void test_check_host(void **state)
{
	struct netd_network *n = parse_ok("[Network]\nName=default\nMode=nat\nBridge=virbr0\n"
	                                  "Address=192.122.1.1/24\n");
	struct netd_network *in = parse_ok(mode_minimal[NETD_MODE_INTERNAL]);
	struct netd_diag d = {""};
	struct netd_host_prefix h[4];

	/* Nothing on the host, or nothing in the way. */
	assert_int_equal(netd_config_check_host(n, NULL, 0, &d), 0);
	h[0] = hp("10.0.2.15/24", "eth0", "", false);
	h[1] = hp("0.0.0.0/0", "eth0", "", true);
	h[2] = hp("192.122.2.0/24", "eth1", "", true);
	h[3] = hp("127.0.0.1/8", "lo", "", false);
	assert_int_equal(netd_config_check_host(n, h, 4, &d), 0);

	/* An address in the subnet, whatever its host part. */
	h[0] = hp("192.122.1.77/24", "eth0", "", false);
	assert_int_equal(netd_config_check_host(n, h, 1, &d), -EINVAL);
	assert_string_equal(d.msg, "test.conf:5: subnet 192.122.1.0/24 overlaps 192.122.1.0/24 "
	                           "already on the host (address on eth0)");
	/* A wider route that covers the subnet. */
	h[0] = hp("192.0.0.0/8", "tun0", "", true);
	assert_int_equal(netd_config_check_host(n, h, 1, &d), -EINVAL);
	assert_string_equal(d.msg, "test.conf:5: subnet 192.122.1.0/24 overlaps 192.0.0.0/8 "
	                           "already on the host (route via tun0)");
	/* A narrower route inside it. */
	h[0] = hp("192.122.1.128/25", "wg0", "", true);
	assert_int_equal(netd_config_check_host(n, h, 1, &d), -EINVAL);
	assert_string_equal(d.msg, "test.conf:5: subnet 192.122.1.0/24 overlaps 192.122.1.128/25 "
	                           "already on the host (route via wg0)");
	/* Our own bridge of this very network, seen while it is up: not a conflict. */
	h[0] = hp("192.122.1.1/24", "virbr0", "default", false);
	h[1] = hp("192.122.1.0/24", "virbr0", "default", true);
	assert_int_equal(netd_config_check_host(n, h, 2, &d), 0);
	/* netd's bridge, but of another network: a conflict all the same. */
	h[2] = hp("192.122.1.1/24", "netdx0", "other", false);
	assert_int_equal(netd_config_check_host(n, h, 3, &d), -EINVAL);
	assert_string_equal(d.msg, "test.conf:5: subnet 192.122.1.0/24 overlaps 192.122.1.0/24 "
	                           "already on the host (address on netdx0)");
	/* A network without an address claims no subnet. */
	assert_int_equal(netd_config_check_host(in, h, 3, &d), 0);
	netd_network_free(n);
	netd_network_free(in);
}

static void test_check_set_direct(void **state)
{
	struct netd_network *a = parse_ok("[Network]\nName=a\nMode=nat\nBridge=ba\n"
	                                  "Address=10.0.0.1/24\n");
	struct netd_network *b = parse_ok("[Network]\nName=b\nMode=hostonly\nBridge=bb\n"
	                                  "Address=10.0.1.1/24\n");
	struct netd_network *nets[] = {a, b};
	struct netd_config c = {.networks = nets, .n_networks = 2};
	struct netd_diag d = {""};

	/* Adjacent subnets do not overlap. */
	assert_int_equal(netd_config_check_set(&c, &d), 0);
	b->address.len = 23;
	assert_int_equal(netd_config_check_set(&c, &d), -EINVAL);
	assert_string_equal(d.msg, "test.conf:5: subnet 10.0.0.0/23 of network 'b' overlaps "
	                           "subnet 10.0.0.0/24 of network 'a' (test.conf:5); choose a "
	                           "subnet of its own");
	netd_network_free(a);
	netd_network_free(b);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_default_conf),
	    cmocka_unit_test(test_embedded_default),
	    cmocka_unit_test(test_full_example),
	    cmocka_unit_test(test_good_bridged),
	    cmocka_unit_test(test_good_internal_lab),
	    cmocka_unit_test(test_good_hostonly),
	    cmocka_unit_test(test_mode_defaults),
	    cmocka_unit_test(test_policy_every_cell),
	    cmocka_unit_test(test_range_forms),
	    cmocka_unit_test(test_lease_forms),
	    cmocka_unit_test(test_autostart_forms),
	    cmocka_unit_test(test_text_forms),
	    cmocka_unit_test(test_suggestions),
	    cmocka_unit_test(test_load_dir_good),
	    cmocka_unit_test(test_load_dir_errors),
	    cmocka_unit_test(test_load_dir_empty_and_missing),
	    cmocka_unit_test(test_check_host),
	    cmocka_unit_test(test_check_set_direct),
	};

	return cmocka_run_group_tests_name("config", fixed, NULL, NULL);
}
