/* dnsmasq config and hosts-file rendering against golden files in tests/data/dnsmasq; netd's
 * liveness query to dnsmasq and the answers it takes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/config.h"
#include "netd/dnsmasq.h"
#include "netd/mode.h"

static char *slurp(const char *name)
{
	char path[512];
	FILE *f;
	long len;
	char *buf;

	snprintf(path, sizeof(path), "%s/dnsmasq/%s", NETD_TEST_DATA, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static void ip(const char *s, struct in_addr *a)
{
	assert_int_equal(netd_ipv4_parse(s, a), 0);
}

/* A network as the parser leaves it: mode defaults applied to the policy. */
static struct netd_network *net(const char *name, enum netd_mode mode, const char *bridge,
                                const char *addr, const char *first, const char *last,
                                unsigned lease)
{
	struct netd_network *n = netd_network_new();
	const struct netd_mode_ops *ops = netd_mode_ops(mode);

	assert_non_null(n);
	strcpy(n->name, name);
	n->mode = mode;
	strcpy(n->bridge, bridge);
	for (int c = 0; c < NETD_CELL_MAX; c++)
		n->policy[c] = ops->defaults[c];
	if (addr) {
		n->has_address = true;
		assert_int_equal(netd_prefix_parse(addr, &n->address), 0);
	}
	if (first) {
		n->has_dhcp = true;
		ip(first, &n->dhcp_first);
		ip(last, &n->dhcp_last);
		n->lease_time = lease;
	}
	return n;
}

/* The conf against <golden>, and the options file dnsmasq rereads (router, DNS server, ...)
 * against the golden of the same name ending in .opts. */
static void check_conf(const struct netd_network *n, const char *golden)
{
	struct netd_dnsmasq_paths p;
	char *text = NULL, *want = slurp(golden), opts[128];

	assert_int_equal(netd_dnsmasq_paths_init(&p, "/run/netd", "/var/lib/netd", n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &p, &text), 0);
	assert_string_equal(text, want);
	free(text);
	free(want);
	snprintf(opts, sizeof(opts), "%.*s.opts", (int)(strlen(golden) - 5), golden);
	want = slurp(opts);
	assert_int_equal(netd_dnsmasq_render_opts(n, &text), 0);
	assert_string_equal(text, want);
	free(text);
	free(want);
}

static void test_default_nat(void **state)
{
	struct netd_network *n = net("default", NETD_MODE_NAT, "virbr0", "192.122.1.1/24",
	                             "192.122.1.2", "192.122.1.254", 3600);

	check_conf(n, "default-nat.conf");
	netd_network_free(n);
}

static void test_hostonly_gets_empty_router(void **state)
{
	struct netd_network *n = net("lab", NETD_MODE_HOSTONLY, "netd-lab", "10.77.0.1/16",
	                             "10.77.0.100", "10.77.0.199", 600);

	assert_false(netd_network_needs_forwarding(n));
	check_conf(n, "hostonly.conf");
	netd_network_free(n);
}

static void test_hostonly_routed_gets_router(void **state)
{
	struct netd_network *n = net("lab", NETD_MODE_HOSTONLY, "netd-lab", "10.77.0.1/16",
	                             "10.77.0.100", "10.77.0.199", 600);

	n->policy[NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_ALLOW;
	check_conf(n, "hostonly-routed.conf");
	netd_network_free(n);
}

static void test_infinite_lease(void **state)
{
	struct netd_network *n = net("forever", NETD_MODE_NAT, "br-forever", "172.31.9.1/30",
	                             "172.31.9.2", "172.31.9.2", 0);

	check_conf(n, "infinite.conf");
	netd_network_free(n);
}

static void test_dns_only_without_dhcp(void **state)
{
	struct netd_network *n =
	    net("quiet", NETD_MODE_HOSTONLY, "br-quiet", "10.8.0.1/24", NULL, NULL, 0);

	assert_true(netd_dnsmasq_wanted(n));
	check_conf(n, "dns-only.conf");
	netd_network_free(n);
}

static void test_no_address_no_dnsmasq(void **state)
{
	struct netd_network *n = net("iso", NETD_MODE_INTERNAL, "br-iso", NULL, NULL, NULL, 0);
	struct netd_dnsmasq_paths p;
	char *text = NULL;

	assert_false(netd_dnsmasq_wanted(n));
	assert_int_equal(netd_dnsmasq_paths_init(&p, "/run/netd", "/var/lib/netd", "iso"), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &p, &text), -EINVAL);
	assert_null(text);
	netd_network_free(n);
}

static void test_hosts_file(void **state)
{
	struct netd_network *n = net("default", NETD_MODE_NAT, "virbr0", "192.122.1.1/24",
	                             "192.122.1.2", "192.122.1.254", 3600);
	char *text = NULL, *want = slurp("hosts.hosts");

	n->hosts = calloc(3, sizeof(*n->hosts));
	n->n_hosts = 3;
	assert_int_equal(netd_mac_parse("52:54:00:aa:bb:01", n->hosts[0].mac), 0);
	ip("192.122.1.10", &n->hosts[0].addr);
	strcpy(n->hosts[0].name, "web");
	assert_int_equal(netd_mac_parse("52:54:00:AA:BB:02", n->hosts[1].mac), 0);
	ip("192.122.1.11", &n->hosts[1].addr);
	assert_int_equal(netd_mac_parse("52:54:00:aa:bb:03", n->hosts[2].mac), 0);
	strcpy(n->hosts[2].name, "db");

	assert_int_equal(netd_dnsmasq_render_hosts(n, &text), 0);
	assert_string_equal(text, want);
	free(text);
	free(want);

	n->n_hosts = 0;
	assert_int_equal(netd_dnsmasq_render_hosts(n, &text), 0);
	assert_string_equal(text, "");
	free(text);
	netd_network_free(n);
}

static void same(const char *text, const char *golden)
{
	char *want = slurp(golden);

	assert_string_equal(text, want);
	free(want);
}

/* [DNS], [DNSRecord] and [DHCP]'s options: tests/data/dnsmasq/<base>.netd parsed, rendered
 * into base.conf, base.opts and base.records. */
static void check_netd(const char *base)
{
	struct netd_network *n = NULL;
	struct netd_dnsmasq_paths p;
	struct netd_diag d = {""};
	char name[128], *src, *text = NULL;

	snprintf(name, sizeof(name), "%s.netd", base);
	src = slurp(name);
	if (netd_config_parse_string(src, name, &n, &d) != 0)
		fail_msg("%s", d.msg);
	assert_int_equal(netd_dnsmasq_paths_init(&p, "/run/netd", "/var/lib/netd", n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &p, &text), 0);
	snprintf(name, sizeof(name), "%s.conf", base);
	same(text, name);
	free(text);
	assert_int_equal(netd_dnsmasq_render_opts(n, &text), 0);
	snprintf(name, sizeof(name), "%s.opts", base);
	same(text, name);
	free(text);
	assert_int_equal(netd_dnsmasq_render_records(n, &text), 0);
	snprintf(name, sizeof(name), "%s.records", base);
	same(text, name);
	free(text);
	netd_network_free(n);
	free(src);
}

static void every_key_rendered(void **state)
{
	check_netd("dns-full");
}

static void dns_off_keeps_dhcp(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	check_netd("dns-off");
	/* ... and without [DHCP] as well, dnsmasq has nothing to do: none runs */
	assert_int_equal(netd_config_parse_string("[Network]\nName=n\nMode=nat\nBridge=b0\n"
	                                          "Address=10.0.0.1/24\n[DNS]\nEnable=no\n",
	                                          "t.conf", &n, &d),
	                 0);
	assert_false(netd_dnsmasq_wanted(n));
	n->dns.disabled = false;
	assert_true(netd_dnsmasq_wanted(n));
	netd_network_free(n);
}

static void test_paths(void **state)
{
	struct netd_dnsmasq_paths p;
	char longdir[NETD_PATH_MAX];

	assert_int_equal(netd_dnsmasq_paths_init(&p, "/run/netd", "/var/lib/netd", "default"), 0);
	assert_string_equal(p.conf, "/run/netd/default.dnsmasq.conf");
	assert_string_equal(p.hosts, "/run/netd/default.hosts");
	assert_string_equal(p.pid, "/run/netd/default.pid");
	assert_string_equal(p.leases, "/var/lib/netd/default.leases");
	/* One servers file for every network's dnsmasq. */
	assert_string_equal(p.servers, "/run/netd/upstream.servers");
	assert_int_equal(netd_dnsmasq_paths_init(&p, "/run/netd", "/var/lib/netd", "other"), 0);
	assert_string_equal(p.servers, "/run/netd/upstream.servers");
	assert_int_equal(netd_dnsmasq_paths_init(&p, "/run/netd", "/var/lib/netd", "../x"),
	                 -EINVAL);
	assert_int_equal(netd_dnsmasq_paths_init(&p, "/run/\nnetd", "/var/lib/netd", "a"), -EINVAL);
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	assert_int_equal(netd_dnsmasq_paths_init(&p, longdir, "/var/lib/netd", "a"), -ENAMETOOLONG);
}

/* What `dig @server version.bind chaos txt` sends, and what dnsmasq 2.90 answered it. */
static const uint8_t dig_query[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                                   "\x07version\x04"
                                   "bind\x00\x00\x10\x00\x03";
static const uint8_t dnsmasq_answer[] =
    "\x12\x34\x85\x80\x00\x01\x00\x01\x00\x00\x00\x00\x07version\x04"
    "bind\x00\x00\x10"
    "\x00\x03\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00\x00\x0d\x0c"
    "dnsmasq-2.90";

static void test_liveness_query(void **state)
{
	uint8_t q[64], a[sizeof(dnsmasq_answer) - 1];
	size_t len = sizeof(dnsmasq_answer) - 1;

	assert_int_equal(netd_dns_probe_query(q, NETD_DNS_PROBE_LEN - 1, 1), 0);
	assert_int_equal(netd_dns_probe_query(q, sizeof(q), 0x1234), NETD_DNS_PROBE_LEN);
	assert_int_equal(sizeof(dig_query) - 1, NETD_DNS_PROBE_LEN);
	assert_memory_equal(q, dig_query, NETD_DNS_PROBE_LEN);

	memcpy(a, dnsmasq_answer, len);
	assert_true(netd_dns_probe_is_answer(a, len, 0x1234));
	assert_false(netd_dns_probe_is_answer(a, len, 0x1235)); /* another query's */
	assert_false(netd_dns_probe_is_answer(a, NETD_DNS_PROBE_LEN - 1, 0x1234)); /* cut */
	assert_false(netd_dns_probe_is_answer(q, NETD_DNS_PROBE_LEN, 0x1234)); /* not a response */
	a[3] = 0x85; /* REFUSED: still an answer, so dnsmasq's loop turns */
	assert_true(netd_dns_probe_is_answer(a, len, 0x1234));
	a[13] = 'w'; /* an answer to another question */
	assert_false(netd_dns_probe_is_answer(a, len, 0x1234));
}

/* resolv.conf as dnsmasq reads it: each "nameserver ADDR" in order, whatever else the file
 * says (tests/data/dnsmasq/resolv.conf has comments, search, options, bad addresses). */
static void test_upstream_servers(void **state)
{
	char *resolv = slurp("resolv.conf"), *want = slurp("upstream.servers"), *text = NULL;

	assert_int_equal(netd_dnsmasq_render_servers(resolv, &text), 0);
	assert_string_equal(text, want);
	free(text);
	free(resolv);
	free(want);
}

/* No resolv.conf, or one without a nameserver: an empty file, no upstream (as dnsmasq). */
static void test_upstream_none(void **state)
{
	const char *none[] = {NULL,
	                      "",
	                      "search example.test\n",
	                      "nameserver\n",
	                      "# nameserver 192.0.2.1\n",
	                      "nameserver 192.0.2.1%eth0\n"};
	char *text = NULL;

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_int_equal(netd_dnsmasq_render_servers(none[i], &text), 0);
		assert_string_equal(text, "");
		free(text);
		text = NULL;
	}
	/* The last line needs no newline; a scope must be an interface name, not a line. */
	assert_int_equal(netd_dnsmasq_render_servers("nameserver 192.0.2.1", &text), 0);
	assert_string_equal(text, "server=192.0.2.1\n");
	free(text);
	assert_int_equal(
	    netd_dnsmasq_render_servers("nameserver fe80::1%ifname-too-long0\n", &text), 0);
	assert_string_equal(text, "");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_nat),
	    cmocka_unit_test(test_hostonly_gets_empty_router),
	    cmocka_unit_test(test_hostonly_routed_gets_router),
	    cmocka_unit_test(test_infinite_lease),
	    cmocka_unit_test(test_dns_only_without_dhcp),
	    cmocka_unit_test(test_no_address_no_dnsmasq),
	    cmocka_unit_test(test_hosts_file),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(every_key_rendered),
	    cmocka_unit_test(dns_off_keeps_dhcp),
	    cmocka_unit_test(test_liveness_query),
	    cmocka_unit_test(test_upstream_servers),
	    cmocka_unit_test(test_upstream_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
